// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IRegulator} from "./IRegulator.sol";
import {ISplitRouter} from "./ISplitRouter.sol";
import {Streams} from "../types/Streams.sol";

/// @title ICareStream
/// @notice Streaming payment of a care team for continuous health management (chronic-disease care),
/// under the Regulator's supervision. The fund and the patient deposit their cost-sharing shares of a
/// charge; the money streams at a fixed rate to the care team's split; either side can pause, top up
/// or cancel, and a cancellation settles to the unit: what streamed goes to the care team, the rest
/// goes back to the two payers in the proportions they paid.
/// @dev Accounting (one place, also in INVARIANTS.md), all in token units:
///   - streamed(t) = floor(ratePerSecond * activeSeconds(t) / 1e18), with activeSeconds counted from the
///     start, excluding pauses, never past the end time. The rate never changes, so counting seconds
///     (not amounts) at pause and resume loses nothing to rounding.
///   - deposited = fundIn + patientIn; paid = everything withdrawn to the split so far.
///   - withdrawable = min(streamed, deposited) - paid    (the covered debt)
///   - uncovered debt = max(streamed - deposited, 0)       (repaid from the next top-up, first)
///   - refundable = deposited - min(streamed, deposited)    (what a cancellation returns to the payers)
///   - Every outflow (payout or refund) is attributed to the fund and the patient with PayerShares.
///   - Invariant: the contract's token balance = the sum over streams of the ledger balances
///     (fundIn - fundOut + patientIn - patientOut) + refunds held for payers whose transfer failed.
/// Status machine (`Streams.Status`); every other transition is forbidden:
///   PENDING   -> STREAMING (start time), CANCELLED (cancel)
///   STREAMING <-> INSOLVENT (time / top-up), -> PAUSED (pause), ENDED (end time), CANCELLED (cancel)
///   PAUSED    -> STREAMING or INSOLVENT (resume), ENDED (end time), CANCELLED (cancel)
///   ENDED     -> CANCELLED (cancel; returns what did not stream)
///   CANCELLED is terminal: only `withdraw` of what is owed to the care team remains.
/// Top-ups are allowed in every status but CANCELLED (after the end they repay debt; the excess is refundable).
interface ICareStream {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice A stream was created and funded.
    /// @param params The creation parameters as given.
    /// @param startTime The start: `params.startTime`, or the creation time when that was 0.
    /// @param fundShare What the fund account paid in (token units).
    /// @param patientShare What the patient's account paid in (token units).
    event StreamCreated(
        uint256 indexed streamId,
        address indexed sender,
        bytes32 indexed patientId,
        Streams.CreateParams params,
        uint40 startTime,
        uint128 fundShare,
        uint128 patientShare,
        uint256 reservationId
    );

    /// @notice A stream received another charge. `newReservationId` differs from `oldReservationId` when
    /// the top-up came in a later budget period and the Regulator renewed the reservation.
    event StreamToppedUp(
        uint256 indexed streamId,
        address indexed caller,
        uint128 charge,
        uint128 fundShare,
        uint128 patientShare,
        uint256 oldReservationId,
        uint256 newReservationId
    );

    /// @notice Accrual stopped; `streamedAmount` is what had streamed by then.
    event StreamPaused(uint256 indexed streamId, address indexed caller, uint128 streamedAmount);

    /// @notice Accrual restarted; `streamedAmount` is what had streamed before (unchanged by the pause).
    event StreamResumed(uint256 indexed streamId, address indexed caller, uint128 streamedAmount);

    /// @notice A stream was settled and closed.
    /// @param paidToCareTeam Paid to the split now (also reported by a `Withdrawn` event).
    /// @param heldForCareTeam Owed to the split but held because the payout is frozen; withdrawable later.
    /// @param fundRefund Returned to the program's fund account.
    /// @param patientRefund Returned to the patient's account.
    /// @param uncoveredDebt Streamed beyond the deposits and written off (the care team was not paid for it).
    event StreamCancelled(
        uint256 indexed streamId,
        address indexed caller,
        uint128 paidToCareTeam,
        uint128 heldForCareTeam,
        uint128 fundRefund,
        uint128 patientRefund,
        uint128 uncoveredDebt
    );

    /// @notice `amount` went to the care team's split; `fundPart + patientPart == amount` says who paid it.
    event Withdrawn(
        uint256 indexed streamId,
        bytes32 indexed splitId,
        address indexed caller,
        uint128 amount,
        uint128 fundPart,
        uint128 patientPart
    );

    /// @notice A refund could not be transferred (e.g. the payer's account is frozen in the token) and is
    /// held for `account`, to be sent by `claimRefund` later.
    event RefundHeld(uint256 indexed streamId, address indexed account, uint128 amount);

    /// @notice A held refund was sent to `account`.
    event RefundClaimed(address indexed account, address indexed caller, uint256 amount);

    /*//////////////////////////////////////////////////////////////////////////
                                 READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The settlement token (the SplitRouter's token).
    function TOKEN() external view returns (IERC20);

    /// @notice The Regulator that authorises every charge and payout.
    function REGULATOR() external view returns (IRegulator);

    /// @notice The SplitRouter the care teams are paid through.
    function ROUTER() external view returns (ISplitRouter);

    /// @notice The id the next stream will get. Ids start at 1.
    function nextStreamId() external view returns (uint256);

    /// @notice The stream. Reverts with `CareStream_UnknownStream` for an unknown id.
    /// @dev `programId` and `patientId` are its reservation's, read from the Regulator (CareStream does not store
    /// them twice); the ledger is stored in 64-bit fields and returned widened.
    function getStream(uint256 streamId) external view returns (Streams.Stream memory);

    /// @notice The stream's status now (see the state machine above).
    function statusOf(uint256 streamId) external view returns (Streams.Status);

    /// @notice Everything streamed to the care team so far, including uncovered debt (token units).
    /// @dev After cancellation: what the care team was entitled to at the end, min(streamed, deposited).
    function streamedAmountOf(uint256 streamId) external view returns (uint128);

    /// @notice What the care team has received so far (token units).
    function withdrawnAmountOf(uint256 streamId) external view returns (uint128);

    /// @notice What `withdraw` would pay now: streamed and covered, not yet paid (token units).
    function withdrawableAmountOf(uint256 streamId) external view returns (uint128);

    /// @notice What a cancellation now would return to the payers together (token units); 0 once cancelled.
    function refundableAmountOf(uint256 streamId) external view returns (uint128);

    /// @notice Owed to the care team and covered by the balance; equal to `withdrawableAmountOf`.
    function coveredDebtOf(uint256 streamId) external view returns (uint128);

    /// @notice Streamed beyond the deposits, to be repaid by the next top-up; 0 once cancelled
    /// (written off and reported by `StreamCancelled`).
    function uncoveredDebtOf(uint256 streamId) external view returns (uint128);

    /// @notice The first second at which the stream will have streamed more than was deposited.
    /// @dev Returns 0 when no such second lies ahead: the stream is paused, ended, cancelled or already
    /// insolvent, or it ends before running out.
    function depletionTimeOf(uint256 streamId) external view returns (uint40);

    /// @notice Refunds held for `account` because a transfer to it failed (token units).
    function heldRefundOf(address account) external view returns (uint256);

    /// @notice The EIP-3009 nonce that binds a patient's signed authorisation to a stream's terms:
    /// keccak256(abi.encode(params, salt)). `salt` lets a patient authorise two streams with equal terms.
    function authorizationNonce(Streams.CreateParams calldata params, bytes32 salt) external pure returns (bytes32);

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Creates a stream and funds it with `params.deposit`, shared by the fund and the patient as
    /// the Regulator's cost sharing says.
    /// @dev Emits a {StreamCreated} event (and the Regulator's `Reserved`).
    ///
    /// Notes:
    /// - The fund share is pulled from the program's fund account and the patient share from the patient's
    ///   registered account; both must have approved this contract.
    ///
    /// Requirements:
    /// - `ratePerSecond` and `deposit` are not zero.
    /// - `startTime` is 0 or not in the past; `endTime` is 0 or after the start.
    /// - The split exists in the router.
    /// - The Regulator accepts the claim: the caller is the patient's account or a fund operator, nothing
    ///   is frozen, the service is covered, the payee is approved, budget and limits allow it.
    /// @return streamId The new stream's id.
    function create(Streams.CreateParams calldata params) external returns (uint256 streamId);

    /// @notice Creates a stream that the patient authorised by signature, so that anyone (a relayer, the care
    /// platform) can submit it: the patient share moves with the token's EIP-3009 `receiveWithAuthorization`.
    /// @dev Emits a {StreamCreated} event (and the token's `AuthorizationUsed`).
    ///
    /// Notes:
    /// - The patient signs ReceiveWithAuthorization(from = the patient's account, to = this contract,
    ///   value = `auth.patientShare`, `auth.validAfter`, `auth.validBefore`,
    ///   nonce = `authorizationNonce(params, auth.salt)`). The nonce binds every term of the stream, so a
    ///   submitter cannot change any of them; it is spent once.
    /// - The patient's account is the stream's sender and the Regulator's initiator; the caller gains no rights
    ///   (rights over the stream follow the parties' current roles, see `pause`).
    /// - `auth.patientShare` is what the patient agreed to pay (from `IRegulator.quote`); if the cost sharing
    ///   gives another share when the call runs, it reverts rather than charge a different amount.
    /// - The fund share is pulled from the fund account as in `create`. The token must implement EIP-3009.
    ///
    /// Requirements:
    /// - Those of `create`, with the patient's account as the initiator.
    /// - `auth.patientShare` equals the Regulator's patient share of `params.deposit`.
    /// - The authorisation is valid now, unused, and signed by the patient's account.
    function createWithAuthorization(
        Streams.CreateParams calldata params,
        Streams.PatientAuthorization calldata auth
    ) external returns (uint256 streamId);

    /// @notice Adds `charge` to a stream; it is shared by the payers at the cost sharing that applies now.
    /// @dev Emits a {StreamToppedUp} event, and a {Withdrawn} event when streamed money was owed.
    ///
    /// Notes:
    /// - First pays the care team whatever has streamed and is covered, so that money streamed under the old
    ///   deposits is attributed to them; the amount carried into a renewed reservation is exactly what has
    ///   not streamed yet. This needs the payout to be allowed (nothing frozen), like any new charge.
    /// - Uncovered debt is repaid from the new money first (it becomes withdrawable).
    ///
    /// Requirements:
    /// - The caller may act for the stream now (`IRegulator.mayActFor`): the patient's account as registered
    ///   now, or a current fund operator of the program (its fund account included). Being its sender is not
    ///   enough: a removed operator or a patient's old account has no rights.
    /// - The stream is not cancelled; `charge` is not zero; once the stream has ended, `charge` is at most its
    ///   uncovered debt (`CareStream_TopUpAfterEnd`); the Regulator accepts the charge.
    function topUp(uint256 streamId, uint128 charge) external;

    /// @notice Stops accrual.
    /// @dev Emits a {StreamPaused} event.
    ///
    /// Requirements:
    /// - The caller may act for the stream now (`IRegulator.mayActFor`): the patient's account as registered
    ///   now, or a current fund operator of the program (its fund account included). Being its sender is not
    ///   enough: a removed operator or a patient's old account has no rights.
    /// - The stream is STREAMING or INSOLVENT.
    function pause(uint256 streamId) external;

    /// @notice Restarts accrual from now.
    /// @dev Emits a {StreamResumed} event.
    ///
    /// Requirements:
    /// - The caller may act for the stream now (`IRegulator.mayActFor`): the patient's account as registered
    ///   now, or a current fund operator of the program (its fund account included). Being its sender is not
    ///   enough: a removed operator or a patient's old account has no rights.
    /// - The stream is PAUSED (and its end time has not passed).
    function resume(uint256 streamId) external;

    /// @notice Pays the care team's split what has streamed and is covered. Anyone may call it.
    /// @dev Emits a {Withdrawn} event.
    ///
    /// Requirements:
    /// - Something is withdrawable.
    /// - The Regulator allows the payout (institution and program not frozen); otherwise the money stays
    ///   in the stream and can be withdrawn after the freeze is lifted.
    function withdraw(uint256 streamId) external;

    /// @notice Settles and closes a stream: what streamed (up to the deposits) goes to the care team, the
    /// rest goes back to the fund account and the patient's account.
    /// @dev Emits a {StreamCancelled} event, a {Withdrawn} event when the care team is paid now, and
    /// {RefundHeld} events for refunds that could not be transferred.
    ///
    /// Notes:
    /// - The care team's part is attributed to the payers before the refund, which takes what each payer has
    ///   left, so a `withdraw` just before the cancel changes neither payer's cost (INVARIANTS.md, P3).
    /// - A freeze never blocks a refund. If the payout is frozen, the care team's part stays held in the
    ///   contract, owed to the split, and `withdraw` pays it once the freeze is lifted; the refund is computed
    ///   as if it had been paid first, and the held part is attributed as each payer's remaining balance.
    /// - Uncovered debt is written off (reported in the event).
    /// - If a refund transfer fails (a payer's account frozen or blocked in the token), the refund is held
    ///   for that account and `claimRefund` sends it later.
    ///
    /// Requirements:
    /// - The caller may act for the stream now (`IRegulator.mayActFor`): the patient's account as registered
    ///   now, or a current fund operator of the program (its fund account included). Being its sender is not
    ///   enough: a removed operator or a patient's old account has no rights.
    /// - The stream is not cancelled.
    function cancel(uint256 streamId) external;

    /// @notice Sends `account` the refunds held for it. Anyone may call it.
    /// @dev Emits a {RefundClaimed} event.
    ///
    /// Requirements:
    /// - Something is held for `account`.
    function claimRefund(address account) external;
}
