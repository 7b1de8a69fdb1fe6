// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Errors} from "../../../contracts/libraries/Errors.sol";
import {Streams} from "../../../contracts/types/Streams.sol";

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives CareStream: create, top up, pause, resume, withdraw, cancel and claim held refunds, mostly
/// by the stream's sender or the patient on a stream in the status the step needs (else the stream's next
/// step, see `_advance`), one call in eight by a stranger or in a wrong status, refused with its exact error.
/// Every call's money is observed from outside (ghosts), and every successful call is checked against the
/// status machine of INVARIANTS.md §5: a call that succeeds from a forbidden status is a violation.
contract StreamHandler is BaseHandler {
    constructor(World world_, Ghosts ghosts_) BaseHandler(world_, ghosts_) {}

    /*//////////////////////////////////////////////////////////////////////////
                                   TARGET FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    function create(
        uint256 patientSeed,
        uint256 institutionSeed,
        uint256 initiatorSeed,
        uint256 depositSeed,
        uint256 drainSeed,
        uint256 startSeed,
        uint256 endSeed
    ) external instrument("stream.create") {
        _create(patientSeed, institutionSeed, initiatorSeed, depositSeed, drainSeed, startSeed, endSeed);
    }

    function _create(
        uint256 patientSeed,
        uint256 institutionSeed,
        uint256 initiatorSeed,
        uint256 depositSeed,
        uint256 drainSeed,
        uint256 startSeed,
        uint256 endSeed
    ) private {
        if (ghosts.streamCount() >= MAX_ITEMS) return;
        // A patient whose claim can pass, at the home institution mostly (cross-region one time in eight).
        uint8 p = _claimablePatient(patientSeed);
        uint8 i = _institutionIndex(institutionSeed, p);
        Streams.CreateParams memory params = _params(p, i, depositSeed, drainSeed, startSeed, endSeed);
        // The initiator: the patient, the fund account (a fund operator), or a stranger (one in eight, refused).
        address initiator = _initiator(initiatorSeed, p);
        bool bad = initiator == world.stranger();
        bytes4 expected = _initiatorRefusal();

        Observation memory before = _observe(i, p);
        vm.prank(initiator);
        try stream.create(params) returns (uint256 id) {
            ghosts.countSuccess();
            if (bad) _acceptedBad("R10: a stranger opened a stream");
            ghosts.addStream(id, i, p);
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(i, p));
            // R1: the two shares add up to the charge exactly.
            if (deposited != params.deposit) _violation("R1: the payers together did not pay the deposit");
            ghosts.addStreamFlows(id, deposited, paid, fundRefund, patientRefund);
        } catch (bytes memory reason) {
            if (bad) _refusedWith(reason, expected, "stream.create by a stranger");
            else _refused(reason);
        }
    }

    function topUp(uint256 streamSeed, uint256 callerSeed, uint256 chargeSeed) external instrument("stream.topUp") {
        // Bad: a stranger (CareStream_Unauthorized), or the sender topping up a cancelled stream (WrongStatus).
        bool bad = _bad(callerSeed);
        (bool found, uint256 id, uint8 i, uint8 p) = bad ? _pickBad(streamSeed, Want.LIVE) : _pickFor(streamSeed, Want.LIVE);
        if (!found) return;
        _topUp(id, i, p, _caller(id, p, callerSeed, bad), _chargeWithinBudget(chargeSeed, i, 1_000 * UNIT));
    }

    function _topUp(uint256 id, uint8 i, uint8 p, address caller, uint128 charge) private {
        (bool expectRefusal, bytes4 expected) = _expectedRefusal(id, caller, Want.LIVE);
        Streams.Status statusBefore = stream.statusOf(id);
        uint64 reservationBefore = stream.getStream(id).reservationId;

        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.topUp(id, charge) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger topped up a stream");
            if (statusBefore == Streams.Status.CANCELLED) _violation("C6: a cancelled stream was topped up");
            if (expectRefusal) _acceptedBad("stream.topUp");
            Moved memory m = _moved(before, _observe(i, p));
            if (m.deposited != charge) _violation("R1: the payers together did not pay the top-up's charge");
            if (stream.getStream(id).reservationId != reservationBefore) ghosts.countEvent("stream renewed in a later period");
            ghosts.addStreamFlows(id, m.deposited, m.paid, m.fundRefund, m.patientRefund);
        } catch (bytes memory reason) {
            if (expectRefusal) _refusedWith(reason, expected, "stream.topUp");
            else _refused(reason);
        }
    }

    function pause(uint256 streamSeed, uint256 callerSeed) external instrument("stream.pause") {
        // Bad: a stranger, or the sender pausing a stream that is not accruing (WrongStatus).
        bool bad = _bad(callerSeed);
        (bool found, uint256 id, uint8 i, uint8 p) =
            bad ? _pickBad(streamSeed, Want.ACCRUING) : _pickFor(streamSeed, Want.ACCRUING);
        if (!found) return bad ? () : _advance(streamSeed);
        _pause(id, i, p, _caller(id, p, callerSeed, bad));
    }

    function _pause(uint256 id, uint8 i, uint8 p, address caller) private {
        (bool expectRefusal, bytes4 expected) = _expectedRefusal(id, caller, Want.ACCRUING);
        Streams.Status statusBefore = stream.statusOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.pause(id) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger paused a stream");
            if (statusBefore != Streams.Status.STREAMING && statusBefore != Streams.Status.INSOLVENT) {
                _violation("forbidden stream transition: pause from a status other than STREAMING/INSOLVENT");
            }
            if (expectRefusal) _acceptedBad("stream.pause");
            if (stream.statusOf(id) != Streams.Status.PAUSED) _violation("pause did not leave the stream PAUSED");
            _expectNoMoney(before, _observe(i, p), "a pause moved money");
        } catch (bytes memory reason) {
            if (expectRefusal) _refusedWith(reason, expected, "stream.pause");
            else _refused(reason);
        }
    }

    function resume(uint256 streamSeed, uint256 callerSeed) external instrument("stream.resume") {
        // Bad: a stranger, or the sender resuming a stream that is not paused (WrongStatus).
        bool bad = _bad(callerSeed);
        (bool found, uint256 id, uint8 i, uint8 p) = bad ? _pickBad(streamSeed, Want.PAUSED) : _pickFor(streamSeed, Want.PAUSED);
        if (!found) return bad ? () : _advance(streamSeed);
        _resume(id, i, p, _caller(id, p, callerSeed, bad));
    }

    function _resume(uint256 id, uint8 i, uint8 p, address caller) private {
        (bool expectRefusal, bytes4 expected) = _expectedRefusal(id, caller, Want.PAUSED);
        Streams.Status statusBefore = stream.statusOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.resume(id) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger resumed a stream");
            if (statusBefore != Streams.Status.PAUSED) {
                _violation("forbidden stream transition: resume from a status other than PAUSED");
            }
            if (expectRefusal) _acceptedBad("stream.resume");
            Streams.Status statusAfter = stream.statusOf(id);
            if (statusAfter != Streams.Status.STREAMING && statusAfter != Streams.Status.INSOLVENT) {
                _violation("resume did not leave the stream accruing");
            }
            _expectNoMoney(before, _observe(i, p), "a resume moved money");
        } catch (bytes memory reason) {
            if (expectRefusal) _refusedWith(reason, expected, "stream.resume");
            else _refused(reason);
        }
    }

    function withdraw(uint256 streamSeed) external instrument("stream.withdraw") {
        // Bad: a stream with nothing withdrawable (CareStream_NothingToWithdraw).
        bool bad = _bad(streamSeed);
        (bool found, uint256 id, uint8 i, uint8 p) = bad ? _pickBad(streamSeed, Want.OWED) : _pickFor(streamSeed, Want.OWED);
        if (!found) return bad ? () : _advance(streamSeed);
        _withdraw(id, i, p);
    }

    function _withdraw(uint256 id, uint8 i, uint8 p) private {
        uint128 withdrawable = stream.withdrawableAmountOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(world.keeper());
        try stream.withdraw(id) {
            ghosts.countSuccess();
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(i, p));
            if (paid != withdrawable) _violation("C7: withdraw paid other than withdrawableAmountOf");
            if (withdrawable == 0) _acceptedBad("stream.withdraw with nothing withdrawable");
            if (deposited + fundRefund + patientRefund != 0) _violation("a withdrawal moved payers' money");
            ghosts.addStreamFlows(id, deposited, paid, fundRefund, patientRefund);
        } catch (bytes memory reason) {
            if (withdrawable == 0) _refusedWith(reason, Errors.CareStream_NothingToWithdraw.selector, "stream.withdraw");
            else _refused(reason);
            // Liveness: with something owed and nothing frozen, the care team can always be paid.
            if (withdrawable > 0 && !before.payeeFrozen) _violation("C5: withdraw refused with nothing frozen");
        }
    }

    function cancel(uint256 streamSeed, uint256 callerSeed) external instrument("stream.cancel") {
        // Bad: a stranger, or the sender cancelling a cancelled stream (WrongStatus).
        bool bad = _bad(callerSeed);
        (bool found, uint256 id, uint8 i, uint8 p) = bad ? _pickBad(streamSeed, Want.LIVE) : _pickCancellable(streamSeed);
        if (!found) return bad ? () : _advance(streamSeed);
        _cancel(id, i, p, _caller(id, p, callerSeed, bad));
    }

    function _cancel(uint256 id, uint8 i, uint8 p, address caller) private {
        (bool expectRefusal, bytes4 expected) = _expectedRefusal(id, caller, Want.LIVE);
        Streams.Status statusBefore = stream.statusOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.cancel(id) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger cancelled a stream");
            if (statusBefore == Streams.Status.CANCELLED) _violation("C6: a cancelled stream was cancelled again");
            if (expectRefusal) _acceptedBad("stream.cancel");
            Moved memory m = _moved(before, _observe(i, p));
            if (m.deposited != 0) _violation("a cancellation took payers' money");
            ghosts.addStreamFlows(id, m.deposited, m.paid, m.fundRefund, m.patientRefund);
            ghosts.markStreamTerminal(id, snapshotOf(id));
            ghosts.countEvent(
                stream.withdrawableAmountOf(id) > 0 ? "stream cancelled, care team's part held (frozen)" : "stream cancelled"
            );
        } catch (bytes memory reason) {
            if (expectRefusal) _refusedWith(reason, expected, "stream.cancel");
            else _refused(reason);
            // X7 / C5: a freeze never blocks a refund; an authorised cancel of a live stream always settles.
            if (caller != world.stranger() && statusBefore != Streams.Status.CANCELLED) {
                _violation("C5: an authorised cancel of a live stream reverted (refund blocked)");
            }
        }
    }

    function claimRefund(uint256 accountSeed) external instrument("stream.claimRefund") {
        // Mostly an account with a refund held (during a CareUSD freeze), once it can receive again; bad: an
        // account with nothing held (CareStream_NoHeldRefund). Nothing held anywhere: nothing to claim.
        bool bad = _bad(accountSeed);
        (bool found, address account) = _refundAccount(accountSeed, bad);
        if (!found) return bad ? () : _advance(accountSeed);
        uint256 held = stream.heldRefundOf(account);
        uint256 balanceBefore = token.balanceOf(account);
        vm.prank(world.keeper());
        try stream.claimRefund(account) {
            ghosts.countSuccess();
            if (token.balanceOf(account) != balanceBefore + held) _violation("claimRefund sent other than held");
            if (held == 0) _acceptedBad("stream.claimRefund with nothing held");
            ghosts.countEvent("held refund claimed");
            if (stream.heldRefundOf(account) != 0) _violation("claimRefund left a held refund");
        } catch (bytes memory reason) {
            if (held == 0) _refusedWith(reason, Errors.CareStream_NoHeldRefund.selector, "stream.claimRefund");
            else _refused(reason);
        }
    }

    /// @dev A good call whose own step finds no stream in the state it needs advances a live stream (from
    /// `seed`) by its next step instead, by its sender, counted under that step's name: paused, resume; ended
    /// or insolvent, cancel; something withdrawable, withdraw; streaming, pause; pending, top up. No live
    /// stream: open one.
    function _advance(uint256 seed) private {
        (bool found, uint256 id, uint8 i, uint8 p) = _pickFor(seed, Want.LIVE);
        if (!found) {
            // No live stream: one is opened (by the patient or the fund, never a stranger).
            ghosts.recount("stream.create");
            return _create(seed, seed >> 8, _goodSeed(seed >> 16), seed >> 24, seed >> 32, seed >> 40, seed >> 48);
        }
        Streams.Status status = stream.statusOf(id);
        address sender = stream.getStream(id).sender;
        if (status == Streams.Status.PAUSED) {
            ghosts.recount("stream.resume");
            _resume(id, i, p, sender);
        } else if (status == Streams.Status.ENDED || status == Streams.Status.INSOLVENT) {
            ghosts.recount("stream.cancel");
            _cancel(id, i, p, sender);
        } else if (stream.withdrawableAmountOf(id) > 0) {
            ghosts.recount("stream.withdraw");
            _withdraw(id, i, p);
        } else if (status == Streams.Status.STREAMING) {
            ghosts.recount("stream.pause");
            _pause(id, i, p, sender);
        } else {
            ghosts.recount("stream.topUp");
            _topUp(id, i, p, sender, _chargeWithinBudget(seed >> 32, i, 1_000 * UNIT));
        }
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice What a cancelled stream keeps forever (X6): its accrual, deposits, parties, what it streamed,
    /// and the refunds observed at its cancellation.
    function snapshotOf(uint256 id) public view returns (bytes32) {
        Streams.Stream memory s = stream.getStream(id);
        Ghosts.Flows memory f = ghosts.streamFlows(id);
        return keccak256(
            abi.encode(
                s.accrual,
                s.sender,
                s.programId,
                s.reservationId,
                s.patientId,
                s.splitId,
                s.ledger.fundIn,
                s.ledger.patientIn,
                stream.streamedAmountOf(id),
                f.deposited,
                f.fundRefunded,
                f.patientRefunded
            )
        );
    }

    function _params(uint8 p, uint8 i, uint256 depositSeed, uint256 drainSeed, uint256 startSeed, uint256 endSeed)
        private
        view
        returns (Streams.CreateParams memory params)
    {
        params.programId = programId;
        params.patientId = world.patientId(p);
        params.institution = world.institution(i);
        params.practitioner = world.practitioner(i);
        params.serviceType = world.CHRONIC();
        params.splitId = world.split(i);
        params.deposit = _chargeWithinBudget(depositSeed, i, 2_000 * UNIT);
        // The deposit drains in 1 hour to 90 days (often sooner than the end: insolvency happens).
        uint256 rate = uint256(params.deposit) * 1e18 / _bound(drainSeed, 1 hours, 90 days);
        params.ratePerSecond = uint128(rate == 0 ? 1 : rate);
        (params.startTime, params.endTime) = _times(startSeed, endSeed);
    }

    /// @dev A start now (0) or up to 10 days ahead; open-ended or ending 1 hour to 120 days after the start.
    function _times(uint256 startSeed, uint256 endSeed) private view returns (uint40 startTime, uint40 endTime) {
        startTime = startSeed % 3 == 0 ? uint40(block.timestamp + _bound(startSeed, 1, 10 days)) : 0;
        uint256 start = startTime == 0 ? block.timestamp : startTime;
        endTime = endSeed % 2 == 0 ? 0 : uint40(start + _bound(endSeed, 1 hours, 120 days));
    }

    /// @dev What a target function would like its stream to be.
    enum Want {
        LIVE, // not cancelled
        ACCRUING, // STREAMING or INSOLVENT
        PAUSED,
        OWED // something withdrawable
    }

    /// @dev A stream in the wanted status whose payers and payee are not frozen, else one in the wanted status
    /// (a refusal under a freeze is expected and counted), else none: the call finds nothing to do.
    function _pickFor(uint256 seed, Want want)
        private
        view
        returns (bool found, uint256 id, uint8 splitIndex, uint8 patientIndex)
    {
        uint256 count = ghosts.streamCount();
        (bool any, uint256 fallbackIndex) = (false, 0);
        for (uint256 k; k < count; ++k) {
            uint256 index = (seed % count + k) % count;
            uint256 candidate = ghosts.streamIds(index);
            if (!_is(candidate, want)) continue;
            Ghosts.Flows memory f = ghosts.streamFlows(candidate);
            if (!_payeeFrozen(f.splitIndex) && !token.isFrozen(world.patient(f.patientIndex))) return _pick(index);
            if (!any) (any, fallbackIndex) = (true, index);
        }
        if (any) return _pick(fallbackIndex);
    }

    /// @dev For a deliberately bad call: half the time a stream in a wrong status (called by its sender, so the
    /// status is what is refused), else any stream (called by a stranger).
    function _pickBad(uint256 seed, Want want)
        private
        view
        returns (bool found, uint256 id, uint8 splitIndex, uint8 patientIndex)
    {
        uint256 count = ghosts.streamCount();
        if (count == 0) return (false, 0, 0, 0);
        if ((seed >> 8) % 2 == 0) {
            for (uint256 k; k < count; ++k) {
                uint256 index = (seed % count + k) % count;
                if (!_is(ghosts.streamIds(index), want)) return _pick(index);
            }
        }
        return _pick(seed);
    }

    /// @dev Cancels go first to streams that ended or went insolvent (their natural end), else to any live
    /// stream one time in four: streams live long enough to be topped up, paused and withdrawn from.
    function _pickCancellable(uint256 seed)
        private
        view
        returns (bool found, uint256 id, uint8 splitIndex, uint8 patientIndex)
    {
        uint256 count = ghosts.streamCount();
        for (uint256 k; k < count; ++k) {
            uint256 index = (seed % count + k) % count;
            Streams.Status status = stream.statusOf(ghosts.streamIds(index));
            if (status == Streams.Status.ENDED || status == Streams.Status.INSOLVENT) return _pick(index);
        }
        if ((seed >> 8) % 4 == 0) return _pickFor(seed, Want.LIVE);
    }

    function _is(uint256 id, Want want) private view returns (bool) {
        Streams.Status status = stream.statusOf(id);
        if (want == Want.LIVE) return status != Streams.Status.CANCELLED;
        if (want == Want.ACCRUING) return status == Streams.Status.STREAMING || status == Streams.Status.INSOLVENT;
        if (want == Want.PAUSED) return status == Streams.Status.PAUSED;
        return stream.withdrawableAmountOf(id) > 0;
    }

    function _pick(uint256 seed) private view returns (bool found, uint256 id, uint8 splitIndex, uint8 patientIndex) {
        uint256 count = ghosts.streamCount();
        if (count == 0) return (false, 0, 0, 0);
        id = ghosts.streamIds(seed % count);
        Ghosts.Flows memory f = ghosts.streamFlows(id);
        return (true, id, f.splitIndex, f.patientIndex);
    }

    /// @dev The stream's sender or the patient's account (both authorised); a stranger when the call is bad
    /// and the stream is in the wanted status (a stream in a wrong status is called by its sender).
    function _caller(uint256 id, uint8 p, uint256 seed, bool bad) private view returns (address) {
        if (bad && (seed >> 8) % 2 == 1) return world.stranger();
        return (seed >> 16) % 2 == 0 || bad ? stream.getStream(id).sender : world.patient(p);
    }

    /// @dev Whether the call must be refused, and with which error: a stranger is refused first
    /// (CareStream_Unauthorized, before any status check), an authorised caller on a stream in a wrong status
    /// with CareStream_WrongStatus.
    function _expectedRefusal(uint256 id, address caller, Want want) private view returns (bool, bytes4) {
        if (caller == world.stranger()) return (true, Errors.CareStream_Unauthorized.selector);
        if (!_is(id, want)) return (true, Errors.CareStream_WrongStatus.selector);
        return (false, bytes4(0));
    }

    /// @dev An account with a refund held (the fund or a patient); for a bad call, one with nothing held.
    function _refundAccount(uint256 seed, bool bad) private view returns (bool, address) {
        for (uint256 k; k < 4; ++k) {
            uint256 n = (seed % 4 + k) % 4;
            address account = n == 3 ? world.fund() : world.patient(n);
            bool held = stream.heldRefundOf(account) > 0;
            if (bad ? !held : held && !token.isFrozen(account)) return (true, account);
        }
        return (false, address(0));
    }

    function _expectNoMoney(Observation memory before, Observation memory afterCall, string memory what) private {
        if (
            before.fundBalance != afterCall.fundBalance || before.patientBalance != afterCall.patientBalance
                || before.splitTotal != afterCall.splitTotal
        ) _violation(what);
    }
}
