// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICareStream} from "./interfaces/ICareStream.sol";
import {IRegulator} from "./interfaces/IRegulator.sol";
import {ISplitRouter} from "./interfaces/ISplitRouter.sol";
import {Errors} from "./libraries/Errors.sol";
import {PayerShares} from "./libraries/PayerShares.sol";
import {Streams} from "./types/Streams.sol";
import {Supervision} from "./types/Supervision.sol";

/// @title CareStream
/// @notice See the documentation in {ICareStream}.
/// @dev Rounding rules (also in INVARIANTS.md):
///   - streamed = floor(rate * activeSeconds / 1e18): the care team is never paid ahead of time, and since
///     the rate is fixed, pausing and resuming (which store seconds, not amounts) lose nothing.
///   - every outflow is split between fund and patient by PayerShares (fund part rounded down against
///     cumulative totals), so fund + patient + care team == deposits to the unit.
contract CareStream is ICareStream, ReentrancyGuardTransient {
    using PayerShares for PayerShares.Ledger;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////////////////
                                  STATE VARIABLES
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev The scale of `ratePerSecond` (18-decimal fixed point).
    uint256 private constant RATE_SCALE = 1e18;

    /// @inheritdoc ICareStream
    IERC20 public immutable override TOKEN;

    /// @inheritdoc ICareStream
    IRegulator public immutable override REGULATOR;

    /// @inheritdoc ICareStream
    ISplitRouter public immutable override ROUTER;

    /// @inheritdoc ICareStream
    /// @dev Starts at 1 so that the counter's slot is never written from zero (and 0 is never an id).
    uint256 public override nextStreamId = 1;

    mapping(uint256 streamId => Streams.Stream) private _streams;

    mapping(address account => uint256 amount) private _heldRefunds;

    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev `token` must be the router's token: payouts go through the router in that token only.
    constructor(IERC20 token, IRegulator regulator, ISplitRouter router) {
        IERC20 routerToken = router.token();
        if (token != routerToken) revert Errors.CareStream_TokenMismatch(address(token), address(routerToken));
        TOKEN = token;
        REGULATOR = regulator;
        ROUTER = router;
        // The router pulls every payout from this contract; one unlimited approval saves a call per payout.
        token.forceApprove(address(router), type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////////////////
                           USER-FACING READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICareStream
    function getStream(uint256 streamId) external view override returns (Streams.Stream memory) {
        return _existing(streamId);
    }

    /// @inheritdoc ICareStream
    function statusOf(uint256 streamId) external view override returns (Streams.Status) {
        return _statusOf(_existing(streamId));
    }

    /// @inheritdoc ICareStream
    function streamedAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.Stream storage stream = _existing(streamId);
        uint128 streamed = _streamedAmount(stream.ratePerSecond, _activeSecondsNow(stream));
        if (stream.state == Streams.State.CANCELLED) {
            // The uncovered debt was written off at cancellation.
            return _earned(streamed, stream.ledger);
        }
        return streamed;
    }

    /// @inheritdoc ICareStream
    function withdrawnAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.Stream storage stream = _existing(streamId);
        PayerShares.Ledger memory ledger = stream.ledger;
        uint128 earned = _earned(_streamedAmount(stream.ratePerSecond, _activeSecondsNow(stream)), ledger);
        return earned - _withdrawableAmount(stream, ledger);
    }

    /// @inheritdoc ICareStream
    function withdrawableAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.Stream storage stream = _existing(streamId);
        return _withdrawableAmount(stream, stream.ledger);
    }

    /// @inheritdoc ICareStream
    function refundableAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.Stream storage stream = _existing(streamId);
        if (stream.state == Streams.State.CANCELLED) return 0;
        PayerShares.Ledger memory ledger = stream.ledger;
        uint128 earned = _earned(_streamedAmount(stream.ratePerSecond, _activeSecondsNow(stream)), ledger);
        return _deposited(ledger) - earned;
    }

    /// @inheritdoc ICareStream
    function coveredDebtOf(uint256 streamId) external view override returns (uint128) {
        Streams.Stream storage stream = _existing(streamId);
        return _withdrawableAmount(stream, stream.ledger);
    }

    /// @inheritdoc ICareStream
    function uncoveredDebtOf(uint256 streamId) external view override returns (uint128) {
        Streams.Stream storage stream = _existing(streamId);
        if (stream.state == Streams.State.CANCELLED) return 0;
        return _uncoveredDebt(_streamedAmount(stream.ratePerSecond, _activeSecondsNow(stream)), stream.ledger);
    }

    /// @inheritdoc ICareStream
    function depletionTimeOf(uint256 streamId) external view override returns (uint40) {
        Streams.Stream storage stream = _existing(streamId);
        if (stream.state != Streams.State.ACTIVE) return 0;
        uint40 endTime = stream.endTime;
        if (endTime != 0 && block.timestamp >= endTime) return 0;

        // The first active second count A with floor(rate * A / 1e18) > deposited, i.e.
        // rate * A >= (deposited + 1) * 1e18.
        uint256 needed = Math.ceilDiv((uint256(_deposited(stream.ledger)) + 1) * RATE_SCALE, stream.ratePerSecond);
        uint256 activeSeconds = stream.activeSeconds;
        if (needed <= activeSeconds) return 0;
        uint256 depletionTime = stream.snapshotTime + (needed - activeSeconds);
        if (depletionTime <= block.timestamp) return 0;
        if (endTime != 0 && depletionTime > endTime) return 0;
        if (depletionTime > type(uint40).max) return 0;
        return uint40(depletionTime);
    }

    /// @inheritdoc ICareStream
    function heldRefundOf(address account) external view override returns (uint256) {
        return _heldRefunds[account];
    }

    /*//////////////////////////////////////////////////////////////////////////
                         USER-FACING STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICareStream
    function create(Streams.CreateParams calldata params) external override nonReentrant returns (uint256 streamId) {
        // Checks: the terms.
        if (params.ratePerSecond == 0) revert Errors.CareStream_ZeroRate();
        if (params.deposit == 0) revert Errors.CareStream_ZeroDeposit();
        uint40 currentTime = uint40(block.timestamp);
        uint40 startTime = params.startTime == 0 ? currentTime : params.startTime;
        if (startTime < currentTime) revert Errors.CareStream_StartTimeInPast(startTime, currentTime);
        if (params.endTime != 0 && params.endTime <= startTime) {
            revert Errors.CareStream_EndBeforeStart(startTime, params.endTime);
        }
        // A payee that does not exist would make every payout revert.
        if (!ROUTER.splitExists(params.splitId)) revert Errors.CareStream_UnknownSplit(params.splitId);

        // Checks: the Regulator's rules (it reverts on any refusal) and the cost sharing.
        (uint256 reservationId, Supervision.Quote memory quote) = REGULATOR.reserve(
            Supervision.Claim({
                programId: params.programId,
                patientId: params.patientId,
                institution: params.institution,
                practitioner: params.practitioner,
                serviceType: params.serviceType,
                payee: params.splitId,
                initiator: msg.sender,
                charge: params.deposit
            })
        );

        // Effects.
        streamId = nextStreamId;
        unchecked {
            // Cannot overflow: one id per transaction.
            nextStreamId = streamId + 1;
        }
        Streams.Stream storage stream = _streams[streamId];
        stream.ratePerSecond = params.ratePerSecond;
        stream.snapshotTime = startTime;
        stream.endTime = params.endTime;
        stream.sender = msg.sender;
        stream.programId = params.programId;
        stream.reservationId = reservationId.toUint64();
        stream.patientId = params.patientId;
        stream.splitId = params.splitId;
        stream.ledger.fundIn = quote.fundShare;
        stream.ledger.patientIn = quote.patientShare;

        // Interactions.
        _pullShares(params.programId, params.patientId, quote.fundShare, quote.patientShare);

        emit StreamCreated(
            streamId,
            msg.sender,
            params.patientId,
            params,
            startTime,
            quote.fundShare,
            quote.patientShare,
            reservationId
        );
    }

    /// @inheritdoc ICareStream
    function topUp(uint256 streamId, uint128 charge) external override nonReentrant {
        Streams.Stream storage stream = _existing(streamId);
        _authorize(streamId, stream);
        if (stream.state == Streams.State.CANCELLED) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(Streams.Status.CANCELLED));
        }
        if (charge == 0) revert Errors.CareStream_ZeroDeposit();

        // Settle what streamed under the old deposits first, so that what the Regulator carries into a
        // renewed reservation is exactly what has not streamed.
        PayerShares.Ledger memory ledger = stream.ledger;
        uint128 owed = _withdrawableAmount(stream, ledger);
        uint256 oldReservationId = stream.reservationId;
        uint128 owedFundPart;
        uint128 owedPatientPart;
        if (owed > 0) {
            REGULATOR.checkPayout(oldReservationId);
            (owedFundPart, owedPatientPart) = ledger.recordOut(owed);
        }
        (uint128 unspentFund, uint128 unspentPatient) = ledger.balances();
        (uint256 newReservationId, Supervision.Quote memory quote) =
            REGULATOR.topUp(oldReservationId, unspentFund, unspentPatient, charge, msg.sender);

        // Effects.
        ledger.recordIn(quote.fundShare, quote.patientShare);
        stream.ledger = ledger;
        if (newReservationId != oldReservationId) stream.reservationId = newReservationId.toUint64();

        // Interactions.
        if (owed > 0) _payout(streamId, stream.splitId, owed, owedFundPart, owedPatientPart);
        _pullShares(stream.programId, stream.patientId, quote.fundShare, quote.patientShare);

        emit StreamToppedUp(
            streamId, msg.sender, charge, quote.fundShare, quote.patientShare, oldReservationId, newReservationId
        );
    }

    /// @inheritdoc ICareStream
    function pause(uint256 streamId) external override nonReentrant {
        Streams.Stream storage stream = _existing(streamId);
        _authorize(streamId, stream);

        // Only an accruing stream (STREAMING or INSOLVENT) can be paused.
        uint40 snapshotTime = stream.snapshotTime;
        uint40 endTime = stream.endTime;
        if (
            stream.state != Streams.State.ACTIVE || block.timestamp < snapshotTime
                || (endTime != 0 && block.timestamp >= endTime)
        ) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(_statusOf(stream)));
        }

        // Cannot overflow: active seconds never exceed the time since the start, which fits a uint40 timestamp.
        uint40 activeSeconds = stream.activeSeconds + (uint40(block.timestamp) - snapshotTime);
        stream.activeSeconds = activeSeconds;
        stream.snapshotTime = uint40(block.timestamp);
        stream.state = Streams.State.PAUSED;

        emit StreamPaused(streamId, msg.sender, _streamedAmount(stream.ratePerSecond, activeSeconds));
    }

    /// @inheritdoc ICareStream
    function resume(uint256 streamId) external override nonReentrant {
        Streams.Stream storage stream = _existing(streamId);
        _authorize(streamId, stream);

        uint40 endTime = stream.endTime;
        if (stream.state != Streams.State.PAUSED || (endTime != 0 && block.timestamp >= endTime)) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(_statusOf(stream)));
        }

        stream.snapshotTime = uint40(block.timestamp);
        stream.state = Streams.State.ACTIVE;

        emit StreamResumed(streamId, msg.sender, _streamedAmount(stream.ratePerSecond, stream.activeSeconds));
    }

    /// @inheritdoc ICareStream
    function withdraw(uint256 streamId) external override nonReentrant {
        Streams.Stream storage stream = _existing(streamId);
        PayerShares.Ledger memory ledger = stream.ledger;
        uint128 amount = _withdrawableAmount(stream, ledger);
        if (amount == 0) revert Errors.CareStream_NothingToWithdraw(streamId);

        // Reverts with the Regulator's error while the institution or the program is frozen.
        REGULATOR.checkPayout(stream.reservationId);

        (uint128 fundPart, uint128 patientPart) = ledger.recordOut(amount);
        stream.ledger.fundOut = ledger.fundOut;
        stream.ledger.patientOut = ledger.patientOut;

        _payout(streamId, stream.splitId, amount, fundPart, patientPart);
    }

    /// @inheritdoc ICareStream
    function cancel(uint256 streamId) external override nonReentrant {
        Streams.Stream storage stream = _existing(streamId);
        address patientAccount = _authorize(streamId, stream);
        if (stream.state == Streams.State.CANCELLED) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(Streams.Status.CANCELLED));
        }

        Cancellation memory c;
        uint256 activeSeconds = _activeSecondsNow(stream);
        PayerShares.Ledger memory ledger = stream.ledger;
        uint128 streamed = _streamedAmount(stream.ratePerSecond, activeSeconds);
        uint128 earned = _earned(streamed, ledger);
        c.owed = earned - _paid(ledger);
        c.refund = _deposited(ledger) - earned;
        c.uncoveredDebt = _uncoveredDebt(streamed, ledger);
        // The refund is attributed first, whatever happens to the payout, so the split between the payers
        // does not depend on a freeze.
        (c.fundRefund, c.patientRefund) = ledger.recordOut(c.refund);

        uint256 reservationId = stream.reservationId;
        if (c.owed > 0 && _payoutAllowed(reservationId)) {
            c.paid = c.owed;
            (c.paidFundPart, c.paidPatientPart) = ledger.recordOut(c.paid);
        }

        // Effects: accrual stops for good; `activeSeconds` keeps what streamed, for the views.
        // Cannot overflow: see `pause`.
        stream.activeSeconds = uint40(activeSeconds);
        stream.snapshotTime = uint40(block.timestamp);
        stream.state = Streams.State.CANCELLED;
        stream.ledger.fundOut = ledger.fundOut;
        stream.ledger.patientOut = ledger.patientOut;

        // Interactions.
        if (c.refund > 0) REGULATOR.release(reservationId, c.fundRefund, c.patientRefund);
        if (c.paid > 0) _payout(streamId, stream.splitId, c.paid, c.paidFundPart, c.paidPatientPart);
        if (c.fundRefund > 0) {
            _refund(streamId, REGULATOR.getProgram(stream.programId).fundAccount, c.fundRefund);
        }
        if (c.patientRefund > 0) {
            if (patientAccount == address(0)) patientAccount = REGULATOR.getPatient(stream.patientId).account;
            _refund(streamId, patientAccount, c.patientRefund);
        }

        emit StreamCancelled(
            streamId, msg.sender, c.paid, c.owed - c.paid, c.fundRefund, c.patientRefund, c.uncoveredDebt
        );
    }

    /// @inheritdoc ICareStream
    function claimRefund(address account) external override nonReentrant {
        uint256 amount = _heldRefunds[account];
        if (amount == 0) revert Errors.CareStream_NoHeldRefund(account);
        delete _heldRefunds[account];
        TOKEN.safeTransfer(account, amount);
        emit RefundClaimed(account, msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////////////////
                            INTERNAL READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev The amounts of a cancellation, in token units (a struct keeps the stack shallow).
    struct Cancellation {
        uint128 owed; // streamed, covered and not yet paid
        uint128 paid; // the part of `owed` paid now (all of it, unless the payout is frozen)
        uint128 paidFundPart;
        uint128 paidPatientPart;
        uint128 refund; // deposited and not streamed
        uint128 fundRefund;
        uint128 patientRefund;
        uint128 uncoveredDebt; // streamed beyond the deposits: written off
    }

    /// @dev The stream, or a revert for an unknown id (every stream has a non-zero sender).
    function _existing(uint256 streamId) private view returns (Streams.Stream storage stream) {
        stream = _streams[streamId];
        if (stream.sender == address(0)) revert Errors.CareStream_UnknownStream(streamId);
    }

    /// @dev Reverts unless the caller is the stream's sender or the patient's registered account. Returns the
    /// patient's account when it had to be looked up (else zero), so callers do not look it up twice.
    function _authorize(uint256 streamId, Streams.Stream storage stream) private view returns (address account) {
        if (msg.sender == stream.sender) return address(0);
        // The current registration counts: a patient whose account changed acts with the new one.
        account = REGULATOR.getPatient(stream.patientId).account;
        if (msg.sender != account) revert Errors.CareStream_Unauthorized(msg.sender, streamId);
    }

    /// @dev Seconds of accrual up to now (never past the end; frozen while paused or cancelled).
    function _activeSecondsNow(Streams.Stream storage stream) private view returns (uint256 activeSeconds) {
        activeSeconds = stream.activeSeconds;
        if (stream.state != Streams.State.ACTIVE) return activeSeconds;
        uint256 until = block.timestamp;
        uint40 endTime = stream.endTime;
        if (endTime != 0 && until > endTime) until = endTime;
        uint40 snapshotTime = stream.snapshotTime;
        if (until > snapshotTime) activeSeconds += until - snapshotTime;
    }

    /// @dev floor(rate * seconds / 1e18). Fits in uint128: rate < 2^128 and seconds < 2^40, so the quotient
    /// is below 2^109.
    function _streamedAmount(uint128 ratePerSecond, uint256 activeSeconds) private pure returns (uint128) {
        return uint128(uint256(ratePerSecond) * activeSeconds / RATE_SCALE);
    }

    function _deposited(PayerShares.Ledger memory ledger) private pure returns (uint128) {
        return ledger.fundIn + ledger.patientIn;
    }

    /// @dev Everything that left the stream: payouts, and refunds once cancelled.
    function _paid(PayerShares.Ledger memory ledger) private pure returns (uint128) {
        return ledger.fundOut + ledger.patientOut;
    }

    /// @dev What the care team is entitled to: what streamed, up to the deposits.
    function _earned(uint128 streamed, PayerShares.Ledger memory ledger) private pure returns (uint128) {
        uint128 deposited = _deposited(ledger);
        return streamed < deposited ? streamed : deposited;
    }

    function _uncoveredDebt(uint128 streamed, PayerShares.Ledger memory ledger) private pure returns (uint128) {
        uint128 deposited = _deposited(ledger);
        return streamed > deposited ? streamed - deposited : 0;
    }

    /// @dev Before cancellation everything that left was a payout, so withdrawable = earned - paid out.
    /// After it, the refund has left and what remains is all owed to the care team.
    function _withdrawableAmount(Streams.Stream storage stream, PayerShares.Ledger memory ledger)
        private
        view
        returns (uint128)
    {
        if (stream.state == Streams.State.CANCELLED) return ledger.total();
        uint128 streamed = _streamedAmount(stream.ratePerSecond, _activeSecondsNow(stream));
        return _earned(streamed, ledger) - _paid(ledger);
    }

    function _statusOf(Streams.Stream storage stream) private view returns (Streams.Status) {
        Streams.State state = stream.state;
        if (state == Streams.State.CANCELLED) return Streams.Status.CANCELLED;
        uint40 endTime = stream.endTime;
        if (endTime != 0 && block.timestamp >= endTime) return Streams.Status.ENDED;
        if (state == Streams.State.PAUSED) return Streams.Status.PAUSED;
        if (block.timestamp < stream.snapshotTime) return Streams.Status.PENDING;
        uint128 streamed = _streamedAmount(stream.ratePerSecond, _activeSecondsNow(stream));
        if (streamed > _deposited(stream.ledger)) return Streams.Status.INSOLVENT;
        return Streams.Status.STREAMING;
    }

    /// @dev Whether the Regulator allows paying the care team now; a freeze must not block a cancellation.
    function _payoutAllowed(uint256 reservationId) private view returns (bool) {
        try REGULATOR.checkPayout(reservationId) {
            return true;
        } catch {
            return false;
        }
    }

    /*//////////////////////////////////////////////////////////////////////////
                          INTERNAL STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Pulls the payers' shares: the fund's from the program's fund account, the patient's from the
    /// patient's registered account (both approved this contract).
    function _pullShares(uint32 programId, bytes32 patientId, uint128 fundShare, uint128 patientShare) private {
        if (fundShare > 0) {
            TOKEN.safeTransferFrom(REGULATOR.getProgram(programId).fundAccount, address(this), fundShare);
        }
        if (patientShare > 0) {
            TOKEN.safeTransferFrom(REGULATOR.getPatient(patientId).account, address(this), patientShare);
        }
    }

    /// @dev Pays the care team's split; the router pulls `amount` from this contract.
    function _payout(uint256 streamId, bytes32 splitId, uint128 amount, uint128 fundPart, uint128 patientPart)
        private
    {
        ROUTER.pay(splitId, amount);
        emit Withdrawn(streamId, splitId, msg.sender, amount, fundPart, patientPart);
    }

    /// @dev Sends a refund; if the token refuses (the account frozen in the token, say), holds it instead,
    /// so that a refund to one payer never blocks the other payer's refund or the cancellation.
    function _refund(uint256 streamId, address account, uint128 amount) private {
        if (!TOKEN.trySafeTransfer(account, amount)) {
            _heldRefunds[account] += amount;
            emit RefundHeld(streamId, account, amount);
        }
    }
}
