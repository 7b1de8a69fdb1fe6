// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Streams} from "../../../contracts/types/Streams.sol";

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives CareStream: create, top up, pause, resume, withdraw, cancel and claim held refunds, by the
/// stream's sender, the patient, or a stranger, in whatever status the stream is in. Every call's money is
/// observed from outside (ghosts), and every successful call is checked against the status machine of
/// INVARIANTS.md §5: a call that succeeds from a forbidden status is a violation.
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
        if (ghosts.streamCount() >= MAX_ITEMS) return;
        uint8 p = _patientIndex(patientSeed);
        uint8 i = _institutionIndex(institutionSeed, p);
        Streams.CreateParams memory params = _params(p, i, depositSeed, drainSeed, startSeed, endSeed);
        // The initiator: the patient, the fund account (a fund operator), or a stranger (always refused).
        address initiator = _initiator(initiatorSeed, p);

        Observation memory before = _observe(i, p);
        vm.prank(initiator);
        try stream.create(params) returns (uint256 id) {
            ghosts.countSuccess();
            if (initiator == world.stranger()) _violation("R10: a stranger opened a stream");
            ghosts.addStream(id, i, p);
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(i, p));
            // R1: the two shares add up to the charge exactly.
            if (deposited != params.deposit) _violation("R1: the payers together did not pay the deposit");
            ghosts.addStreamFlows(id, deposited, paid, fundRefund, patientRefund);
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function topUp(uint256 streamSeed, uint256 callerSeed, uint256 chargeSeed) external instrument("stream.topUp") {
        (bool found, uint256 id, uint8 i, uint8 p) = _pickFor(streamSeed, Want.LIVE);
        if (!found) return;
        address caller = _caller(id, p, callerSeed);
        uint128 charge = uint128(_bound(chargeSeed, 1, 1_000 * UNIT));
        Streams.Status statusBefore = stream.statusOf(id);
        uint64 reservationBefore = stream.getStream(id).reservationId;

        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.topUp(id, charge) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger topped up a stream");
            if (statusBefore == Streams.Status.CANCELLED) _violation("C6: a cancelled stream was topped up");
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(i, p));
            if (deposited != charge) _violation("R1: the payers together did not pay the top-up's charge");
            if (stream.getStream(id).reservationId != reservationBefore) ghosts.countEvent("stream renewed in a later period");
            ghosts.addStreamFlows(id, deposited, paid, fundRefund, patientRefund);
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function pause(uint256 streamSeed, uint256 callerSeed) external instrument("stream.pause") {
        (bool found, uint256 id, uint8 i, uint8 p) = _pickFor(streamSeed, Want.ACCRUING);
        if (!found) return;
        address caller = _caller(id, p, callerSeed);
        Streams.Status statusBefore = stream.statusOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.pause(id) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger paused a stream");
            if (statusBefore != Streams.Status.STREAMING && statusBefore != Streams.Status.INSOLVENT) {
                _violation("forbidden stream transition: pause from a status other than STREAMING/INSOLVENT");
            }
            if (stream.statusOf(id) != Streams.Status.PAUSED) _violation("pause did not leave the stream PAUSED");
            _expectNoMoney(before, _observe(i, p), "a pause moved money");
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function resume(uint256 streamSeed, uint256 callerSeed) external instrument("stream.resume") {
        (bool found, uint256 id, uint8 i, uint8 p) = _pickFor(streamSeed, Want.PAUSED);
        if (!found) return;
        address caller = _caller(id, p, callerSeed);
        Streams.Status statusBefore = stream.statusOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.resume(id) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger resumed a stream");
            if (statusBefore != Streams.Status.PAUSED) {
                _violation("forbidden stream transition: resume from a status other than PAUSED");
            }
            Streams.Status statusAfter = stream.statusOf(id);
            if (statusAfter != Streams.Status.STREAMING && statusAfter != Streams.Status.INSOLVENT) {
                _violation("resume did not leave the stream accruing");
            }
            _expectNoMoney(before, _observe(i, p), "a resume moved money");
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function withdraw(uint256 streamSeed) external instrument("stream.withdraw") {
        (bool found, uint256 id, uint8 i, uint8 p) = _pickFor(streamSeed, Want.OWED);
        if (!found) return;
        uint128 withdrawable = stream.withdrawableAmountOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(world.keeper());
        try stream.withdraw(id) {
            ghosts.countSuccess();
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(i, p));
            if (paid != withdrawable) _violation("C7: withdraw paid other than withdrawableAmountOf");
            if (deposited + fundRefund + patientRefund != 0) _violation("a withdrawal moved payers' money");
            ghosts.addStreamFlows(id, deposited, paid, fundRefund, patientRefund);
        } catch (bytes memory reason) {
            _refused(reason);
            // Liveness: with something owed and nothing frozen, the care team can always be paid.
            if (withdrawable > 0 && !before.payeeFrozen) _violation("C5: withdraw refused with nothing frozen");
        }
    }

    function cancel(uint256 streamSeed, uint256 callerSeed) external instrument("stream.cancel") {
        (bool found, uint256 id, uint8 i, uint8 p) = _pickFor(streamSeed, Want.LIVE);
        if (!found) return;
        address caller = _caller(id, p, callerSeed);
        Streams.Status statusBefore = stream.statusOf(id);
        Observation memory before = _observe(i, p);
        vm.prank(caller);
        try stream.cancel(id) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("C: a stranger cancelled a stream");
            if (statusBefore == Streams.Status.CANCELLED) _violation("C6: a cancelled stream was cancelled again");
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(i, p));
            if (deposited != 0) _violation("a cancellation took payers' money");
            ghosts.addStreamFlows(id, deposited, paid, fundRefund, patientRefund);
            ghosts.markStreamTerminal(id, snapshotOf(id));
            ghosts.countEvent(
                stream.withdrawableAmountOf(id) > 0 ? "stream cancelled, care team's part held (frozen)" : "stream cancelled"
            );
        } catch (bytes memory reason) {
            _refused(reason);
            // X7 / C5: a freeze never blocks a refund; an authorised cancel of a live stream always settles.
            if (caller != world.stranger() && statusBefore != Streams.Status.CANCELLED) {
                _violation("C5: an authorised cancel of a live stream reverted (refund blocked)");
            }
        }
    }

    function claimRefund(uint256 accountSeed) external instrument("stream.claimRefund") {
        address account = accountSeed % 4 == 3 ? world.fund() : world.patient(accountSeed % 4);
        uint256 held = stream.heldRefundOf(account);
        uint256 balanceBefore = token.balanceOf(account);
        vm.prank(world.keeper());
        try stream.claimRefund(account) {
            ghosts.countSuccess();
            if (token.balanceOf(account) != balanceBefore + held) _violation("claimRefund sent other than held");
            ghosts.countEvent("held refund claimed");
            if (stream.heldRefundOf(account) != 0) _violation("claimRefund left a held refund");
        } catch (bytes memory reason) {
            _refused(reason);
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
        params.deposit = uint128(_bound(depositSeed, 1, 2_000 * UNIT));
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

    /// @dev Three calls in four go to a stream in the wanted status (when there is one), the fourth to any
    /// stream: most calls make progress, the rest probe every wrong status.
    function _pickFor(uint256 seed, Want want)
        private
        view
        returns (bool found, uint256 id, uint8 splitIndex, uint8 patientIndex)
    {
        uint256 count = ghosts.streamCount();
        if (count == 0 || seed % 4 == 0) return _pick(seed);
        for (uint256 k; k < count; ++k) {
            uint256 candidate = ghosts.streamIds((seed % count + k) % count);
            if (_is(candidate, want)) return _pick((seed % count + k) % count);
        }
        return _pick(seed);
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

    /// @dev The stream's sender, the patient's account, or a stranger.
    function _caller(uint256 id, uint8 p, uint256 seed) private view returns (address) {
        uint256 choice = seed % 5;
        if (choice == 0) return world.stranger();
        if (choice <= 2) return stream.getStream(id).sender;
        return world.patient(p);
    }

    function _expectNoMoney(Observation memory before, Observation memory afterCall, string memory what) private {
        if (
            before.fundBalance != afterCall.fundBalance || before.patientBalance != afterCall.patientBalance
                || before.splitTotal != afterCall.splitTotal
        ) _violation(what);
    }
}
