// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PayerShares} from "../libraries/PayerShares.sol";

/// @notice Types of the OutcomeEscrow: an episode of care paid per milestone on attested outcomes.
/// @dev Every amount is in units of the settlement token (CareUSD, 6 decimals); every time is a Unix
/// timestamp in seconds; every ratio is in basis points (10_000 = 100%).
library Episodes {
    /// @notice Life cycle of an episode.
    /// @dev Allowed transitions: Null -> Active (create); Active -> Completed (last milestone settled);
    /// Active -> Refunded (refundExpired). Completed and Refunded are final: nothing changes them again
    /// (only `owed`, the payout held for the split during a freeze, can still be paid out).
    enum EpisodeStatus {
        Null, // no episode with this id
        Active, // a milestone is open
        Completed, // every milestone settled
        Refunded // ended by refundExpired; the remaining milestones went back to the payers
    }

    /// @notice Life cycle of one milestone.
    /// @dev Allowed transitions of the current milestone: Pending -> Attested (k attestors agree on a tier);
    /// Attested -> Disputed (a payer, inside the challenge window); Attested -> Settled (anyone, after the
    /// challenge window); Disputed -> Settled (the arbiter, before the arbitration deadline);
    /// Pending -> Refunded (after the attestation deadline); Disputed -> Refunded (after the arbitration
    /// deadline). Settled and Refunded are final. Attested -> Refunded and Pending -> Settled are forbidden.
    enum MilestoneStatus {
        Pending, // collecting attestations until its attestation deadline
        Attested, // k attestors agreed on a tier; the challenge window runs
        Disputed, // a payer disputed the tier; the arbiter decides until the arbitration deadline
        Settled, // paid at its tier and the rest refunded
        Refunded // returned to the payers unpaid
    }

    /// @notice Why refundExpired ended an episode.
    enum RefundReason {
        AttestationExpired, // the current milestone reached no outcome before its attestation deadline
        ArbitrationExpired // the arbiter did not resolve a dispute before the arbitration deadline
    }

    /// @notice One stage of an episode (model built, an iteration, the final review; or a single outcome).
    struct Milestone {
        uint128 amount; // full price of the stage, fund and patient shares together; > 0
        uint40 deadline; // attestations are accepted while block.timestamp < deadline
    }

    /// @notice Who attests an outcome, how many must agree, what each outcome pays, and the windows.
    struct OutcomeSpec {
        address[] attestors; // 1..MAX_ATTESTORS named, unique, non-zero accounts (clinician, laboratory, ...)
        uint8 threshold; // k: attestors that must attest the same tier; 1 <= k <= attestors.length
        uint16[] tierBps; // 1..MAX_TIERS payout ratios, strictly descending, first <= 10_000 (e.g. [10_000, 5_000, 0])
        uint32 challengeWindow; // seconds after the outcome during which a payer may dispute; > 0
        uint32 arbitrationWindow; // seconds after a dispute during which the arbiter may resolve; > 0
    }

    /// @notice Everything later calls need about an episode; only its hash is stored.
    /// @dev Callers pass it back on every state-changing call; `EpisodeCreated` emits it in full.
    /// Hash: keccak256(abi.encode(terms)).
    struct Terms {
        uint32 programId;
        bytes32 patientId; // pseudonymous id, never personal data
        bytes32 splitId; // the payee: a split of the SplitRouter approved by the institution
        Milestone[] milestones; // 1..MAX_MILESTONES, deadlines strictly increasing and in the future
        OutcomeSpec outcome;
    }

    /// @notice The arguments of createEpisode: the Regulator's claim fields and the episode's terms.
    struct CreateParams {
        address institution;
        address practitioner;
        bytes32 serviceType; // e.g. keccak256("DIGITAL_TWIN")
        Terms terms;
    }

    /// @notice Where an episode stands. One storage slot (26 bytes).
    /// @dev `deadline` belongs to the current milestone's phase: the attestation deadline while Pending, the
    /// end of the challenge window while Attested, the arbitration deadline while Disputed. The phase's
    /// action is allowed while block.timestamp < deadline, the follow-up action once block.timestamp >= deadline.
    struct Progress {
        EpisodeStatus status;
        uint8 milestoneCount;
        uint8 milestoneIndex; // the current milestone: milestones settle in order
        MilestoneStatus milestoneStatus; // of the current milestone
        uint8 tierIndex; // the attested (or settled) tier of the current milestone
        uint40 deadline;
        uint8 attestedMask; // bit i set: attestors[i] attested the current milestone
        uint32 tierVotes; // byte t: attestations of tier t for the current milestone
        uint24 settledTiers; // bits 2m..2m+1: the tier milestone m settled at (m < milestoneIndex)
        uint64 reservationId; // the Regulator reservation that holds the fund share
    }

    /// @notice An episode as `getEpisode` returns it.
    struct Episode {
        bytes32 termsHash;
        PayerShares.Ledger ledger; // what each payer put in and what went out for each
        Progress progress;
        uint128 owed; // payouts held for the split while the institution or program was frozen
    }

    /// @notice An episode in storage: 4 slots, 3 of them written at creation (the ledger's outflows share the
    /// slot of its deposits, so settling writes no new slot).
    struct EpisodeRecord {
        bytes32 termsHash; // slot 0
        PayerShares.Packed ledger; // slot 1: the four cumulative amounts in 64 bits each
        Progress progress; // slot 2
        uint128 owed; // slot 3: payouts held for the split while the institution or program was frozen
    }
}
