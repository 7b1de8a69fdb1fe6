// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PayerShares} from "../libraries/PayerShares.sol";

/// @notice Types of CareStream: streaming payment of a care team for continuous health management.
/// @dev Amounts are in units of the settlement token (CareUSD, 6 decimals). Rates are 18-decimal
/// fixed-point numbers of token units per second (like Sablier Flow's UD21x18), so that
/// `streamed = floor(ratePerSecond * activeSeconds / 1e18)`.
library Streams {
    /// @notice What a stream is doing now, as returned by `statusOf`.
    /// @dev Derived from the stored `State`, the clock and the balance:
    ///   - PENDING:   created with a future start; nothing streams yet.
    ///   - STREAMING: accruing, and the deposits cover everything streamed.
    ///   - INSOLVENT: accruing, and more has streamed than was deposited (uncovered debt).
    ///   - PAUSED:    accrual stopped by the patient or a fund operator of the program.
    ///   - ENDED:     the end time has passed (whether it was streaming or paused then); nothing accrues.
    ///   - CANCELLED: settled and closed; only the part owed to the care team can still be withdrawn.
    enum Status {
        PENDING,
        STREAMING,
        INSOLVENT,
        PAUSED,
        ENDED,
        CANCELLED
    }

    /// @notice The stored part of the status; the rest of `Status` follows from time and balance.
    enum State {
        ACTIVE, // accrues from `snapshotTime` (which is the start time while still pending)
        PAUSED, // accrual stopped at `snapshotTime`
        CANCELLED // terminal; `activeSeconds` holds the accrual at cancellation
    }

    /// @notice What `create` needs.
    struct CreateParams {
        uint32 programId;
        bytes32 patientId; // pseudonymous; no personal data on chain
        address institution;
        address practitioner;
        bytes32 serviceType;
        bytes32 splitId; // the payee: the care team's split in the SplitRouter
        uint128 ratePerSecond; // token units per second, 18-decimal fixed point
        uint40 startTime; // 0 = now; otherwise now or later
        uint40 endTime; // 0 = open-ended; otherwise after the start
        uint128 deposit; // the first charge, fund and patient shares together (token units)
    }

    /// @notice A patient's EIP-3009 `ReceiveWithAuthorization` of the patient share of a new stream.
    struct PatientAuthorization {
        uint128 patientShare; // the amount signed (token units): the patient share the patient agreed to
        uint256 validAfter; // Unix seconds, exclusive
        uint256 validBefore; // Unix seconds, exclusive
        bytes32 salt; // the nonce is keccak256(abi.encode(params, salt)): it binds the terms
        bytes signature; // 65-byte ECDSA, or ERC-1271 for a contract account
    }

    /// @notice How a stream accrues: everything pause and resume touch, in one storage slot.
    struct Accrual {
        uint128 ratePerSecond; // token units per second, 18-decimal fixed point; fixed for life
        uint40 snapshotTime; // ACTIVE: accrual runs from here (the start, or the last resume);
        //                     PAUSED/CANCELLED: when accrual stopped
        uint40 endTime; // 0 = open-ended; accrual never runs past it
        uint40 activeSeconds; // seconds of accrual before `snapshotTime`
        State state;
    }

    /// @notice A stream as `getStream` returns it.
    struct Stream {
        // slot 0
        Accrual accrual;
        // slot 1
        address sender; // who created it: information only, it grants no rights (see ICareStream.pause)
        uint32 programId;
        uint64 reservationId; // the Regulator reservation holding the stream's money now (ids are counters)
        // slots 2 and 3
        bytes32 patientId;
        bytes32 splitId; // the payee
        // in = deposits per payer; out = payouts and refunds per payer
        PayerShares.Ledger ledger;
    }

    /// @notice How CareStream stores a stream: four slots, all written at creation; later calls rewrite the
    /// accrual slot (pause, resume, cancel) or the ledger slot (withdraw, top-up, cancel).
    /// @dev Only what cannot be recomputed: the program and the patient are the reservation's, read from the
    /// Regulator (`reservationAccounts`, `mayActFor`, `getReservation`) when needed.
    struct StreamRecord {
        // slot 0
        Accrual accrual;
        // slot 1
        address sender; // who created it: information only, it grants no rights (see ICareStream.pause)
        uint64 reservationId; // the Regulator reservation holding the stream's money now (ids are counters)
        // slot 2
        bytes32 splitId; // the payee
        // slot 3: the four cumulative amounts in 64 bits each (see PayerShares.Packed)
        PayerShares.Packed ledger;
    }
}
