// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {Episodes} from "../types/Episodes.sol";
import {IRegulator} from "./IRegulator.sol";
import {ISplitRouter} from "./ISplitRouter.sol";

/// @title IOutcomeEscrow
/// @notice Escrowed outcome and milestone payments under the Regulator. A payer (the patient's account or
/// a fund operator) opens an episode: the Regulator splits its full price into fund and patient shares,
/// both are pulled into escrow, and each milestone is then paid to the care team's split at the tier its
/// named attestors agree on (k of n), after a challenge window in which the payers may dispute and the
/// Regulator's arbiter decides. Whatever a tier does not pay, and every milestone that expires, goes back
/// to the payers in the proportions they paid.
/// @dev Terms (milestones, attestors, tiers, windows, program, patient, split) are stored only as a hash and
/// passed back as calldata on every later call; `EpisodeCreated` emits them in full.
///
/// Rounding: a milestone pays floor(amount * tierBps / 10_000) to the split; the refund is the rest of the
/// milestone, so it gets the remainder. Every outflow is attributed to fund and patient with PayerShares
/// (the fund's cumulative part rounds down, the patient's part is the rest); when an episode ends both
/// payers' balances are exactly zero, so split + fund refunds + patient refunds == deposits, to the unit.
///
/// Invariant: the escrow's token balance equals the sum over episodes of (what the payers still have in +
/// what is owed to the split) plus the refunds held for accounts the token refused to pay.
///
/// State machine: see Episodes.EpisodeStatus and Episodes.MilestoneStatus. Settled and refunded milestones, and
/// completed and refunded episodes, never change again. Deadlines: attest and dispute strictly before their
/// deadline, settle and refund at or after it.
///
/// Freezes: a Regulator freeze of the institution or program at settlement holds only the payout (`owed`);
/// refunds always flow. A token freeze of a payer's account holds only that payer's refund (`heldRefundOf`,
/// sent by `claimRefund` once the account can receive); the payout and the other payer's refund still flow.
/// A CareUSD-level pause stops every unit: a call that pays the split or pulls a deposit reverts as a whole,
/// and the refunds of a call that only refunds are held the same way until the pause is lifted.
interface IOutcomeEscrow {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice A payer opened an episode and its full price was pulled into escrow.
    event EpisodeCreated(
        uint256 indexed episodeId,
        uint256 indexed reservationId,
        address indexed initiator,
        address institution,
        address practitioner,
        bytes32 serviceType,
        bytes32 termsHash,
        Episodes.Terms terms,
        uint128 fundShare,
        uint128 patientShare
    );

    /// @notice A named attestor attested a tier for the current milestone.
    /// @param votes The attestations of this tier for this milestone, this one included.
    event Attested(
        uint256 indexed episodeId,
        uint256 indexed milestoneIndex,
        address indexed attestor,
        uint8 tierIndex,
        bytes32 evidenceHash,
        uint8 votes
    );

    /// @notice k attestors agreed on a tier: the milestone is Attested and its challenge window runs.
    event OutcomeAttested(
        uint256 indexed episodeId, uint256 indexed milestoneIndex, uint8 tierIndex, uint16 tierBps, uint40 challengeEnds
    );

    /// @notice A payer disputed the attested tier: the arbiter decides until `arbitrationEnds`.
    event Disputed(
        uint256 indexed episodeId,
        uint256 indexed milestoneIndex,
        address indexed disputer,
        bytes32 reasonHash,
        uint40 arbitrationEnds
    );

    /// @notice The arbiter decided a disputed milestone's tier; it settles in the same transaction.
    event Resolved(
        uint256 indexed episodeId,
        uint256 indexed milestoneIndex,
        address indexed arbiter,
        uint8 tierIndex,
        bytes32 evidenceHash
    );

    /// @notice A milestone settled: `payout` for the split (paid, or held when `payoutHeld`), the rest refunded.
    /// @param fundPayout The fund's part of the payout; `payout - fundPayout` is the patient's.
    event MilestoneSettled(
        uint256 indexed episodeId,
        uint256 indexed milestoneIndex,
        uint8 tierIndex,
        uint128 payout,
        uint128 fundPayout,
        uint128 fundRefund,
        uint128 patientRefund,
        bool payoutHeld
    );

    /// @notice The next milestone is current and accepts attestations until `deadline`.
    event MilestoneOpened(uint256 indexed episodeId, uint256 indexed milestoneIndex, uint40 deadline);

    /// @notice The last milestone settled.
    event EpisodeCompleted(uint256 indexed episodeId);

    /// @notice The current and every later milestone went back to the payers.
    event EpisodeRefunded(
        uint256 indexed episodeId,
        uint256 indexed milestoneIndex,
        Episodes.RefundReason reason,
        uint128 fundRefund,
        uint128 patientRefund
    );

    /// @notice Payouts held during a freeze were paid to the split.
    event OwedPaid(uint256 indexed episodeId, bytes32 indexed splitId, uint128 amount);

    /// @notice A refund could not be transferred (the payer's account is frozen in the token, say) and is held
    /// for `account`, to be sent by `claimRefund` later.
    event RefundHeld(uint256 indexed episodeId, address indexed account, uint128 amount);

    /// @notice The refunds held for `account` were sent to it.
    event RefundClaimed(address indexed account, address indexed caller, uint256 amount);

    /*//////////////////////////////////////////////////////////////////////////
                                 READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Most milestones per episode.
    function MAX_MILESTONES() external view returns (uint256);

    /// @notice Most named attestors per episode (the attestation bitmap is 8 bits).
    function MAX_ATTESTORS() external view returns (uint256);

    /// @notice Most payout tiers per episode (the vote counters are 4 bytes).
    function MAX_TIERS() external view returns (uint256);

    /// @notice The basis-point scale of payout tiers: 10_000 = 100%.
    function BPS_SCALE() external view returns (uint256);

    /// @notice The settlement token; equal to the SplitRouter's token.
    function token() external view returns (IERC20);

    /// @notice The Regulator that authorises every episode and every payout.
    function regulator() external view returns (IRegulator);

    /// @notice The SplitRouter that receives every payout.
    function router() external view returns (ISplitRouter);

    /// @notice The id the next episode will get (ids start at 1).
    function nextEpisodeId() external view returns (uint256);

    /// @notice The hash under which an episode stores its terms: keccak256(abi.encode(terms)).
    function hashTerms(Episodes.Terms calldata terms) external pure returns (bytes32);

    /// @notice The stored episode. Reverts with `OutcomeEscrow_EpisodeNotFound` for an unknown id.
    function getEpisode(uint256 episodeId) external view returns (Episodes.Episode memory);

    /// @notice The current milestone: its index, status, attested (or settled) tier and phase deadline.
    function currentMilestone(uint256 episodeId)
        external
        view
        returns (uint8 index, Episodes.MilestoneStatus status, uint8 tierIndex, uint40 deadline);

    /// @notice Any milestone's status, and the tier it settled at (meaningful when Settled, or when the
    /// current milestone is Attested or Disputed).
    function milestoneState(uint256 episodeId, uint256 milestoneIndex)
        external
        view
        returns (Episodes.MilestoneStatus status, uint8 tierIndex);

    /// @notice Attestations for the current milestone: bit i of `attestedMask` is attestors[i];
    /// `votes[t]` counts the attestations of tier t.
    function attestationCounts(uint256 episodeId) external view returns (uint8 attestedMask, uint8[4] memory votes);

    /// @notice What refundExpired would return to each payer now (zero when it would revert).
    function refundable(uint256 episodeId) external view returns (uint128 fundAmount, uint128 patientAmount);

    /// @notice Payouts held for the split during a freeze, to be paid by `payOwed`.
    function owed(uint256 episodeId) external view returns (uint128);

    /// @notice Refunds held for `account` because a transfer to it failed (token units, all episodes together).
    function heldRefundOf(address account) external view returns (uint256);

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Opens an episode and escrows its full price: the sum of the milestone amounts.
    /// @dev Emits {EpisodeCreated} (and the Regulator's `Reserved`, the token's `Transfer`s).
    ///
    /// Notes:
    /// - The Regulator splits the charge: the fund share is pulled from the program's fund account, the
    ///   patient share from the patient's account; both must have approved this contract.
    /// - Only the hash of `params.terms` is stored; keep the terms (from the event) for later calls.
    /// - Milestones settle in order: milestone i+1 accepts attestations only once milestone i has settled, until
    ///   its own deadline. Leave room between deadlines for the challenge (and possibly arbitration) window.
    ///
    /// Requirements:
    /// - 1..MAX_MILESTONES milestones, each amount > 0, deadlines strictly increasing, the first in the future.
    /// - 1..MAX_ATTESTORS unique non-zero attestors; 1 <= threshold <= attestors.
    /// - 1..MAX_TIERS tiers, strictly descending, the first <= 10_000.
    /// - Challenge and arbitration windows > 0.
    /// - The split exists in the SplitRouter.
    /// - Every Regulator rule for the claim (its errors propagate): the caller is the patient's account or a
    ///   fund operator of the program, nothing is frozen, the split is approved by the institution, ...
    ///
    /// @return episodeId The new episode's id.
    function createEpisode(Episodes.CreateParams calldata params) external returns (uint256 episodeId);

    /// @notice A named attestor attests the tier the current milestone reached, with a hash of the evidence.
    /// @dev Emits {Attested}, and {OutcomeAttested} when the k-th attestation of the same tier arrives: the
    /// milestone becomes Attested at that tier and its challenge window starts now.
    ///
    /// Requirements:
    /// - The episode is Active and `terms` are its terms.
    /// - The caller is one of the attestors and has not attested this milestone yet.
    /// - The current milestone is Pending and block.timestamp < its attestation deadline.
    /// - `tierIndex` < number of tiers.
    function attest(uint256 episodeId, Episodes.Terms calldata terms, uint8 tierIndex, bytes32 evidenceHash) external;

    /// @notice A payer disputes the attested tier of the current milestone.
    /// @dev Emits {Disputed}. The arbitration deadline is now + arbitrationWindow.
    ///
    /// Requirements:
    /// - The episode is Active and `terms` are its terms.
    /// - The current milestone is Attested and block.timestamp < the end of its challenge window.
    /// - The caller is the patient's account, the program's fund account or a fund operator of the program.
    function dispute(uint256 episodeId, Episodes.Terms calldata terms, bytes32 reasonHash) external;

    /// @notice The arbiter decides the tier of a disputed milestone, which settles at that tier at once.
    /// @dev Emits {Resolved} and the events of `settle`.
    ///
    /// Requirements:
    /// - The caller has the Regulator's ARBITER_ROLE.
    /// - The episode is Active and `terms` are its terms.
    /// - The current milestone is Disputed and block.timestamp < its arbitration deadline.
    /// - `tierIndex` < number of tiers.
    function resolve(uint256 episodeId, Episodes.Terms calldata terms, uint8 tierIndex, bytes32 evidenceHash) external;

    /// @notice Settles the current milestone at its attested tier once the challenge window is over.
    /// @dev Emits {MilestoneSettled}, then {MilestoneOpened} or {EpisodeCompleted}, and {RefundHeld} for a
    /// refund that could not be transferred.
    ///
    /// Notes:
    /// - Pays floor(amount * tierBps / 10_000) to the split through the SplitRouter, after the Regulator's
    ///   `checkPayout`. If that check refuses (the institution or program is frozen) the payout is held in
    ///   escrow as owed to the split (see `payOwed`) and everything else still happens.
    /// - Refunds the rest of the milestone to the payers (PayerShares proportions) and releases it in the
    ///   Regulator. Refunds go to the program's current fund account and the patient's current account.
    ///   A refund the token refuses (the account frozen in it) is held for that account ({RefundHeld}) and
    ///   sent later by `claimRefund`; the payout and the other refund are not affected.
    /// - Opens the next milestone with its attestation deadline; if that deadline has already passed, the
    ///   episode is refundable at once.
    /// - Callable by anyone.
    ///
    /// Requirements:
    /// - The episode is Active and `terms` are its terms.
    /// - The current milestone is Attested and block.timestamp >= the end of its challenge window.
    function settle(uint256 episodeId, Episodes.Terms calldata terms) external;

    /// @notice Ends an episode whose current milestone expired: refunds it and every later milestone.
    /// @dev Emits {EpisodeRefunded}, and {RefundHeld} for a refund that could not be transferred.
    ///
    /// Notes:
    /// - Callable by anyone. The whole remaining balance goes back to the payers in their proportions and is
    ///   released in the Regulator. Payouts already owed to the split stay owed.
    /// - A refund the token refuses (the account frozen in it) is held for that account and sent later by
    ///   `claimRefund`; the other payer's refund still flows.
    ///
    /// Requirements:
    /// - The episode is Active and `terms` are its terms.
    /// - Either the current milestone is Pending and block.timestamp >= its attestation deadline, or it is
    ///   Disputed and block.timestamp >= its arbitration deadline.
    function refundExpired(uint256 episodeId, Episodes.Terms calldata terms) external;

    /// @notice Pays the split what was held for it while the institution or program was frozen.
    /// @dev Emits {OwedPaid}. Callable by anyone, in any episode status.
    ///
    /// Requirements:
    /// - `terms` are the episode's terms and something is owed.
    /// - The Regulator's `checkPayout` passes (its error propagates while still frozen).
    function payOwed(uint256 episodeId, Episodes.Terms calldata terms) external;

    /// @notice Sends `account` the refunds held for it (from every episode). Anyone may call it; the money
    /// goes only to `account`.
    /// @dev Emits {RefundClaimed}.
    ///
    /// Requirements:
    /// - Something is held for `account`.
    /// - The token lets `account` receive now (its error propagates while the account is still frozen).
    function claimRefund(address account) external;
}
