// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICareStream} from "./interfaces/ICareStream.sol";
import {IERC3009} from "./interfaces/IERC3009.sol";
import {IRegulator} from "./interfaces/IRegulator.sol";
import {ISplitRouter} from "./interfaces/ISplitRouter.sol";
import {Errors} from "./libraries/Errors.sol";
import {PayerShares} from "./libraries/PayerShares.sol";
import {Streams} from "./types/Streams.sol";
import {Supervision} from "./types/Supervision.sol";

/// @dev The one field of two Regulator records that `createWithAuthorization` needs before a reservation exists.
/// `IRegulator.getProgram` and `IRegulator.getPatient` return `Supervision.Program` and `Supervision.Patient`,
/// static tuples whose first word is the account (`fundAccount`, `account`); declaring only that return value
/// reads it without decoding the rest of the record. Once a stream has a reservation, the accounts come from
/// `IRegulator.reservationAccounts` and the caller's rights from `IRegulator.mayActFor` (one call each, and the
/// stream stores neither the program nor the patient).
interface IRegulatorAccounts {
    function getProgram(uint32 programId) external view returns (address fundAccount);
    function getPatient(bytes32 patientId) external view returns (address account);
}

/// @title CareStream
/// @notice See the documentation in {ICareStream}.
/// @dev Rounding rules (also in INVARIANTS.md):
///   - streamed = floor(rate * activeSeconds / 1e18): the care team is never paid ahead of time, and since
///     the rate is fixed, pausing and resuming (which store seconds, not amounts) lose nothing.
///   - every outflow is split between fund and patient by PayerShares (fund part rounded down against
///     cumulative totals), so fund + patient + care team == deposits to the unit.
contract CareStream is ICareStream, ReentrancyGuardTransient {
    using PayerShares for PayerShares.Ledger;
    using PayerShares for PayerShares.Packed;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////////////////
                                   INTERNAL TYPES
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev A payment to the care team and who paid for it, in token units (fundPart + patientPart == amount).
    struct Payout {
        uint128 amount;
        uint128 fundPart;
        uint128 patientPart;
    }

    /// @dev The amounts of a cancellation, in token units (a struct keeps the stack shallow).
    struct Cancellation {
        uint128 owed; // streamed, covered and not yet paid: paid now unless the payout is frozen
        uint128 refund; // deposited and not streamed
        uint128 fundRefund;
        uint128 patientRefund;
        uint128 uncoveredDebt; // streamed beyond the deposits: written off
    }

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

    mapping(uint256 streamId => Streams.StreamRecord) private _streams;

    mapping(address account => uint256 amount) private _heldRefunds;

    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev `token` must be the router's token: payouts go through the router in that token only.
    constructor(IERC20 token, IRegulator regulator, ISplitRouter router) {
        IERC20 routerToken = router.token();
        if (address(token) != address(routerToken)) {
            revert Errors.CareStream_TokenMismatch(address(token), address(routerToken));
        }
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
        Streams.StreamRecord storage stream = _existing(streamId);
        uint64 reservationId = stream.reservationId;
        // The program and the patient are the reservation's (kept by the Regulator, not stored twice).
        Supervision.Reservation memory reservation = REGULATOR.getReservation(reservationId);
        return Streams.Stream({
            accrual: stream.accrual,
            sender: stream.sender,
            programId: reservation.programId,
            reservationId: reservationId,
            patientId: reservation.patientId,
            splitId: stream.splitId,
            ledger: stream.ledger.load()
        });
    }

    /// @inheritdoc ICareStream
    function statusOf(uint256 streamId) external view override returns (Streams.Status) {
        return _statusOf(_existing(streamId));
    }

    /// @inheritdoc ICareStream
    function streamedAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.StreamRecord storage stream = _existing(streamId);
        Streams.Accrual memory accrual = stream.accrual;
        uint128 streamed = _streamedAmount(accrual);
        if (accrual.state == Streams.State.CANCELLED) {
            // The uncovered debt was written off at cancellation.
            return _earned(streamed, stream.ledger.load());
        }
        return streamed;
    }

    /// @inheritdoc ICareStream
    function withdrawnAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.StreamRecord storage stream = _existing(streamId);
        Streams.Accrual memory accrual = stream.accrual;
        PayerShares.Ledger memory ledger = stream.ledger.load();
        return _earned(_streamedAmount(accrual), ledger) - _withdrawableAmount(accrual, ledger);
    }

    /// @inheritdoc ICareStream
    function withdrawableAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.StreamRecord storage stream = _existing(streamId);
        return _withdrawableAmount(stream.accrual, stream.ledger.load());
    }

    /// @inheritdoc ICareStream
    function refundableAmountOf(uint256 streamId) external view override returns (uint128) {
        Streams.StreamRecord storage stream = _existing(streamId);
        Streams.Accrual memory accrual = stream.accrual;
        if (accrual.state == Streams.State.CANCELLED) return 0;
        PayerShares.Ledger memory ledger = stream.ledger.load();
        return _deposited(ledger) - _earned(_streamedAmount(accrual), ledger);
    }

    /// @inheritdoc ICareStream
    function coveredDebtOf(uint256 streamId) external view override returns (uint128) {
        Streams.StreamRecord storage stream = _existing(streamId);
        return _withdrawableAmount(stream.accrual, stream.ledger.load());
    }

    /// @inheritdoc ICareStream
    function uncoveredDebtOf(uint256 streamId) external view override returns (uint128) {
        Streams.StreamRecord storage stream = _existing(streamId);
        Streams.Accrual memory accrual = stream.accrual;
        if (accrual.state == Streams.State.CANCELLED) return 0;
        return _uncoveredDebt(_streamedAmount(accrual), stream.ledger.load());
    }

    /// @inheritdoc ICareStream
    function depletionTimeOf(uint256 streamId) external view override returns (uint40) {
        Streams.StreamRecord storage stream = _existing(streamId);
        Streams.Accrual memory accrual = stream.accrual;
        if (accrual.state != Streams.State.ACTIVE) return 0;
        if (accrual.endTime != 0 && block.timestamp >= accrual.endTime) return 0;

        // The first active-second count A with floor(rate * A / 1e18) > deposited, i.e.
        // rate * A >= (deposited + 1) * 1e18.
        uint256 deposited = _deposited(stream.ledger.load());
        uint256 needed = Math.ceilDiv((deposited + 1) * RATE_SCALE, accrual.ratePerSecond);
        if (needed <= accrual.activeSeconds) return 0;
        uint256 depletionTime = accrual.snapshotTime + (needed - accrual.activeSeconds);
        if (depletionTime <= block.timestamp) return 0;
        if (accrual.endTime != 0 && depletionTime > accrual.endTime) return 0;
        if (depletionTime > type(uint40).max) return 0;
        return uint40(depletionTime);
    }

    /// @inheritdoc ICareStream
    function heldRefundOf(address account) external view override returns (uint256) {
        return _heldRefunds[account];
    }

    /// @inheritdoc ICareStream
    function authorizationNonce(Streams.CreateParams calldata params, bytes32 salt)
        public
        pure
        override
        returns (bytes32)
    {
        return keccak256(abi.encode(params, salt));
    }

    /*//////////////////////////////////////////////////////////////////////////
                         USER-FACING STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICareStream
    function create(Streams.CreateParams calldata params) external override nonReentrant returns (uint256 streamId) {
        Supervision.Quote memory quote;
        uint256 reservationId;
        (streamId, reservationId, quote) = _create(params, msg.sender);
        _pullShares(reservationId, quote.fundShare, quote.patientShare);
    }

    /// @inheritdoc ICareStream
    function createWithAuthorization(
        Streams.CreateParams calldata params,
        Streams.PatientAuthorization calldata auth
    ) external override nonReentrant returns (uint256 streamId) {
        // The patient's signature stands for the patient's call: the patient is the sender and the initiator.
        address patientAccount = _patientAccount(params.patientId);
        Supervision.Quote memory quote;
        (streamId,, quote) = _create(params, patientAccount);
        if (quote.patientShare != auth.patientShare) {
            revert Errors.CareStream_PatientShareMismatch(auth.patientShare, quote.patientShare);
        }

        if (quote.fundShare > 0) {
            // `from` is the fund account the Regulator names, never caller input; reserve vetted the caller (R10).
            // slither-disable-next-line arbitrary-send-erc20
            TOKEN.safeTransferFrom(_fundAccount(params.programId), address(this), quote.fundShare);
        }
        // Always spent, even for a zero share: it is the patient's consent to these terms.
        IERC3009(address(TOKEN)).receiveWithAuthorization(
            patientAccount,
            address(this),
            auth.patientShare,
            auth.validAfter,
            auth.validBefore,
            authorizationNonce(params, auth.salt),
            auth.signature
        );
    }

    /// @inheritdoc ICareStream
    function topUp(uint256 streamId, uint128 charge) external override nonReentrant {
        Streams.StreamRecord storage stream = _authorized(streamId);
        Streams.Accrual memory accrual = stream.accrual;
        if (accrual.state == Streams.State.CANCELLED) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(Streams.Status.CANCELLED));
        }
        if (charge == 0) revert Errors.CareStream_ZeroDeposit();

        // Settle what streamed under the old deposits first, so that what the Regulator carries into a
        // renewed reservation is exactly what has not streamed.
        PayerShares.Ledger memory ledger = stream.ledger.load();
        // After the end nothing more accrues: a top-up may cover what streamed beyond the deposits, no more; more
        // would only lock the payers' money and the fund's budget until a cancel gives it back.
        if (accrual.endTime != 0 && block.timestamp >= accrual.endTime) {
            uint128 uncoveredDebt = _uncoveredDebt(_streamedAmount(accrual), ledger);
            if (charge > uncoveredDebt) {
                revert Errors.CareStream_TopUpAfterEnd(streamId, accrual.endTime, charge, uncoveredDebt);
            }
        }
        uint256 oldReservationId = stream.reservationId;
        // A memory struct starts zeroed by design: a zero payout unless the branch below fills it.
        // slither-disable-next-line uninitialized-local
        Payout memory owed;
        owed.amount = _withdrawableAmount(accrual, ledger);
        if (owed.amount > 0) {
            REGULATOR.checkPayout(oldReservationId);
            (owed.fundPart, owed.patientPart) = ledger.recordOut(owed.amount);
        }
        uint256 newReservationId;
        Supervision.Quote memory quote;
        {
            (uint128 unspentFund, uint128 unspentPatient) = ledger.balances();
            (newReservationId, quote) =
                REGULATOR.topUp(oldReservationId, unspentFund, unspentPatient, charge, msg.sender);
        }

        // Effects.
        ledger.recordIn(quote.fundShare, quote.patientShare);
        stream.ledger.store(ledger);
        if (newReservationId != oldReservationId) stream.reservationId = newReservationId.toUint64();

        // Interactions.
        if (owed.amount > 0) _payout(streamId, stream.splitId, owed);
        _pullShares(newReservationId, quote.fundShare, quote.patientShare);

        emit StreamToppedUp(
            streamId, msg.sender, charge, quote.fundShare, quote.patientShare, oldReservationId, newReservationId
        );
    }

    /// @inheritdoc ICareStream
    /// @dev No reentrancy guard (it would cost a patient's pause its 40k budget): the only call out is a static
    /// call to the Regulator, and every function writes its state before it calls the token or the router, so a
    /// pause reached from inside another call sees a settled stream.
    function pause(uint256 streamId) external override {
        Streams.StreamRecord storage stream = _authorized(streamId);

        // Only an accruing stream (STREAMING or INSOLVENT) can be paused. Fields are read and written in
        // storage directly: for one slot this is cheaper than a memory copy.
        Streams.Accrual storage accrual = stream.accrual;
        uint40 snapshotTime = accrual.snapshotTime;
        uint40 endTime = accrual.endTime;
        if (
            accrual.state != Streams.State.ACTIVE || block.timestamp < snapshotTime
                || (endTime != 0 && block.timestamp >= endTime)
        ) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(_statusOf(stream)));
        }

        // Cannot overflow: active seconds never exceed the time since the start, which fits a uint40 timestamp.
        uint40 activeSeconds = accrual.activeSeconds + (uint40(block.timestamp) - snapshotTime);
        accrual.activeSeconds = activeSeconds;
        accrual.snapshotTime = uint40(block.timestamp);
        accrual.state = Streams.State.PAUSED;

        emit StreamPaused(streamId, msg.sender, _streamedAmount(accrual.ratePerSecond, activeSeconds));
    }

    /// @inheritdoc ICareStream
    /// @dev No reentrancy guard, for the reason given at `pause`.
    function resume(uint256 streamId) external override {
        Streams.StreamRecord storage stream = _authorized(streamId);

        Streams.Accrual storage accrual = stream.accrual;
        uint40 endTime = accrual.endTime;
        if (accrual.state != Streams.State.PAUSED || (endTime != 0 && block.timestamp >= endTime)) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(_statusOf(stream)));
        }

        accrual.snapshotTime = uint40(block.timestamp);
        accrual.state = Streams.State.ACTIVE;

        // Nothing accrued yet since the resume: this is what streamed before it.
        emit StreamResumed(streamId, msg.sender, _streamedAmount(accrual.ratePerSecond, accrual.activeSeconds));
    }

    /// @inheritdoc ICareStream
    function withdraw(uint256 streamId) external override nonReentrant {
        Streams.StreamRecord storage stream = _existing(streamId);
        PayerShares.Ledger memory ledger = stream.ledger.load();
        uint128 amount = _withdrawableAmount(stream.accrual, ledger);
        // A computed withdrawable amount; == 0 only refuses an empty withdrawal.
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert Errors.CareStream_NothingToWithdraw(streamId);

        // Reverts with the Regulator's error while the institution or the program is frozen.
        REGULATOR.checkPayout(stream.reservationId);

        Payout memory payout = Payout({amount: amount, fundPart: 0, patientPart: 0});
        (payout.fundPart, payout.patientPart) = ledger.recordOut(amount);
        stream.ledger.store(ledger);

        _payout(streamId, stream.splitId, payout);
    }

    /// @inheritdoc ICareStream
    function cancel(uint256 streamId) external override nonReentrant {
        Streams.StreamRecord storage stream = _authorized(streamId);
        Streams.Accrual memory accrual = stream.accrual;
        if (accrual.state == Streams.State.CANCELLED) {
            revert Errors.CareStream_WrongStatus(streamId, uint8(Streams.Status.CANCELLED));
        }

        // A memory struct filled field by field below; every field is assigned before it is read.
        // slither-disable-next-line uninitialized-local
        Cancellation memory c;
        uint256 activeSeconds = _activeSeconds(accrual);
        PayerShares.Ledger memory ledger = stream.ledger.load();
        uint128 streamed = _streamedAmount(accrual.ratePerSecond, activeSeconds);
        uint128 earned = _earned(streamed, ledger);
        c.owed = earned - _paidOut(ledger);
        c.refund = _deposited(ledger) - earned;
        c.uncoveredDebt = _uncoveredDebt(streamed, ledger);
        // The care team's part is attributed first, then the refund, which is the last outflow and so takes
        // each payer's remaining balance: the same parts as a `withdraw` (callable by anyone) just before the
        // cancel would give, so the payers' split does not depend on the order of calls (INVARIANTS.md, P3).
        // A memory struct starts zeroed by design: `amount` stays zero (nothing paid now) unless the payout
        // is allowed below.
        // slither-disable-next-line uninitialized-local
        Payout memory payout;
        (payout.fundPart, payout.patientPart) = ledger.recordOut(c.owed);
        (c.fundRefund, c.patientRefund) = ledger.balances();
        // Everything has left (or is held for the care team, below): both payers' balances are zero.
        ledger.fundOut = ledger.fundIn;
        ledger.patientOut = ledger.patientIn;

        uint256 reservationId = stream.reservationId;
        if (c.owed > 0 && _payoutAllowed(reservationId)) {
            payout.amount = c.owed;
        } else {
            // Held by a freeze (or nothing owed): only the refund leaves now. The held part stays in the ledger
            // as each payer's remaining balance, exactly its parts above, which is what `withdraw` attributes
            // to it later (the last outflow takes the balances).
            ledger.fundOut -= payout.fundPart;
            ledger.patientOut -= payout.patientPart;
        }

        // Effects: accrual stops for good; `activeSeconds` keeps what streamed, for the views.
        // Cannot overflow: see `pause`.
        accrual.activeSeconds = uint40(activeSeconds);
        accrual.snapshotTime = uint40(block.timestamp);
        accrual.state = Streams.State.CANCELLED;
        stream.accrual = accrual;
        stream.ledger.store(ledger);

        // Interactions.
        if (c.refund > 0) REGULATOR.release(reservationId, c.fundRefund, c.patientRefund);
        if (payout.amount > 0) _payout(streamId, stream.splitId, payout);
        if (c.refund > 0) {
            // Each payer's current account, in one call (the reservation's slot is warm after the release).
            (address fundAccount, address patientAccount) = REGULATOR.reservationAccounts(reservationId);
            if (c.fundRefund > 0) _refund(streamId, fundAccount, c.fundRefund);
            if (c.patientRefund > 0) _refund(streamId, patientAccount, c.patientRefund);
        }

        emit StreamCancelled(
            streamId,
            msg.sender,
            payout.amount,
            c.owed - payout.amount,
            c.fundRefund,
            c.patientRefund,
            c.uncoveredDebt
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

    /// @dev The stream, or a revert for an unknown id (every stream has a non-zero sender).
    function _existing(uint256 streamId) private view returns (Streams.StreamRecord storage stream) {
        stream = _streams[streamId];
        if (stream.sender == address(0)) revert Errors.CareStream_UnknownStream(streamId);
    }

    /// @dev The stream, if the caller may act for it now; reverts otherwise, or for an unknown id. Rights follow
    /// the parties' current roles, asked of the Regulator in one call (`mayActFor`: the patient's account as
    /// registered now, or a current fund operator of the program, as for opening a claim). The stored sender
    /// grants nothing: a removed operator or a patient's old account must not keep stopping the care team's
    /// stream. (The sender and the reservation id share a slot, so the existence check costs no extra read.)
    function _authorized(uint256 streamId) private view returns (Streams.StreamRecord storage stream) {
        stream = _existing(streamId);
        if (!REGULATOR.mayActFor(stream.reservationId, msg.sender)) {
            revert Errors.CareStream_Unauthorized(msg.sender, streamId);
        }
    }

    /// @dev The patient's account as registered now (a patient whose account changed acts and is paid there).
    function _patientAccount(bytes32 patientId) private view returns (address) {
        return IRegulatorAccounts(address(REGULATOR)).getPatient(patientId);
    }

    /// @dev The account that pays the program's fund share and receives its refunds.
    function _fundAccount(uint32 programId) private view returns (address) {
        return IRegulatorAccounts(address(REGULATOR)).getProgram(programId);
    }

    /// @dev Seconds of accrual up to now: never past the end, frozen while paused or cancelled.
    function _activeSeconds(Streams.Accrual memory accrual) private view returns (uint256 activeSeconds) {
        activeSeconds = accrual.activeSeconds;
        if (accrual.state != Streams.State.ACTIVE) return activeSeconds;
        uint256 until = block.timestamp;
        if (accrual.endTime != 0 && until > accrual.endTime) until = accrual.endTime;
        if (until > accrual.snapshotTime) activeSeconds += until - accrual.snapshotTime;
    }

    /// @dev What has streamed up to now.
    function _streamedAmount(Streams.Accrual memory accrual) private view returns (uint128) {
        return _streamedAmount(accrual.ratePerSecond, _activeSeconds(accrual));
    }

    /// @dev floor(rate * seconds / 1e18). Fits in uint128: rate < 2^128 and seconds < 2^40, so the quotient
    /// is below 2^109.
    function _streamedAmount(uint128 ratePerSecond, uint256 activeSeconds) private pure returns (uint128) {
        return uint128(uint256(ratePerSecond) * activeSeconds / RATE_SCALE);
    }

    function _deposited(PayerShares.Ledger memory ledger) private pure returns (uint128) {
        return ledger.fundIn + ledger.patientIn;
    }

    /// @dev Everything that left the stream: payouts, and the refund once cancelled.
    function _paidOut(PayerShares.Ledger memory ledger) private pure returns (uint128) {
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
    function _withdrawableAmount(Streams.Accrual memory accrual, PayerShares.Ledger memory ledger)
        private
        view
        returns (uint128)
    {
        if (accrual.state == Streams.State.CANCELLED) return ledger.total();
        return _earned(_streamedAmount(accrual), ledger) - _paidOut(ledger);
    }

    function _statusOf(Streams.StreamRecord storage stream) private view returns (Streams.Status) {
        Streams.Accrual memory accrual = stream.accrual;
        if (accrual.state == Streams.State.CANCELLED) return Streams.Status.CANCELLED;
        if (accrual.endTime != 0 && block.timestamp >= accrual.endTime) return Streams.Status.ENDED;
        if (accrual.state == Streams.State.PAUSED) return Streams.Status.PAUSED;
        if (block.timestamp < accrual.snapshotTime) return Streams.Status.PENDING;
        if (_streamedAmount(accrual) > _deposited(stream.ledger.load())) return Streams.Status.INSOLVENT;
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

    /// @dev Checks the terms, has the Regulator reserve the charge and records the stream for `sender` (who is
    /// also the claim's initiator). The caller moves the money.
    function _create(Streams.CreateParams calldata params, address sender)
        private
        returns (uint256 streamId, uint256 reservationId, Supervision.Quote memory quote)
    {
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
        (reservationId, quote) = REGULATOR.reserve(
            Supervision.Claim({
                programId: params.programId,
                patientId: params.patientId,
                institution: params.institution,
                practitioner: params.practitioner,
                serviceType: params.serviceType,
                payee: params.splitId,
                initiator: sender,
                charge: params.deposit
            })
        );

        // Effects.
        streamId = nextStreamId;
        unchecked {
            // Cannot overflow: one id per transaction.
            nextStreamId = streamId + 1;
        }
        Streams.StreamRecord storage stream = _streams[streamId];
        stream.accrual = Streams.Accrual({
            ratePerSecond: params.ratePerSecond,
            snapshotTime: startTime,
            endTime: params.endTime,
            activeSeconds: 0,
            state: Streams.State.ACTIVE
        });
        stream.sender = sender;
        stream.reservationId = reservationId.toUint64();
        stream.splitId = params.splitId;
        stream.ledger.store(
            PayerShares.Ledger({fundIn: quote.fundShare, patientIn: quote.patientShare, fundOut: 0, patientOut: 0})
        );

        emit StreamCreated(
            streamId, sender, params.patientId, params, startTime, quote.fundShare, quote.patientShare, reservationId
        );
    }

    /// @dev Pulls the payers' shares of a reservation: the fund's from the program's fund account, the
    /// patient's from the patient's registered account (both approved this contract).
    function _pullShares(uint256 reservationId, uint128 fundShare, uint128 patientShare) private {
        if (fundShare == 0 && patientShare == 0) return;
        (address fundAccount, address patientAccount) = REGULATOR.reservationAccounts(reservationId);
        if (fundShare > 0) TOKEN.safeTransferFrom(fundAccount, address(this), fundShare);
        if (patientShare > 0) TOKEN.safeTransferFrom(patientAccount, address(this), patientShare);
    }

    /// @dev Pays the care team's split; the router pulls the amount from this contract.
    function _payout(uint256 streamId, bytes32 splitId, Payout memory payout) private {
        ROUTER.pay(splitId, payout.amount);
        emit Withdrawn(streamId, splitId, msg.sender, payout.amount, payout.fundPart, payout.patientPart);
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
