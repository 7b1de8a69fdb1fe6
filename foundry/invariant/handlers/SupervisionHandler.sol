// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {Errors} from "../../../contracts/libraries/Errors.sol";
import {Episodes} from "../../../contracts/types/Episodes.sol";

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice The supervisor's and the clock's actions: Regulator freezes of institutions and the program,
/// CareUSD freezes of patients' accounts (compliance), by the supervisor or, one call in eight, a stranger
/// (AccessControlUnauthorizedAccount); and time: small steps, large steps, to an item's deadline (the last
/// second before it or the first after it: windows open and close) and, sometimes, to a period boundary.
contract SupervisionHandler is BaseHandler {
    constructor(World world_, Ghosts ghosts_) BaseHandler(world_, ghosts_) {}

    function setInstitutionFrozen(uint256 institutionSeed, uint256 freezeSeed, uint256 callerSeed)
        external
        instrument("supervision.setInstitutionFrozen")
    {
        bool bad = _bad(callerSeed);
        address caller = bad ? world.stranger() : world.supervisor();
        address institution = world.institution(institutionSeed % 2);
        bool frozen = _freezes(freezeSeed, 10);
        vm.prank(caller);
        try regulator.setInstitutionFrozen(institution, frozen) {
            ghosts.countSuccess();
            if (bad) _violation("R8: a stranger froze an institution");
        } catch (bytes memory reason) {
            if (bad) _refusedWith(reason, IAccessControl.AccessControlUnauthorizedAccount.selector, "setInstitutionFrozen");
            else _refused(reason);
        }
    }

    function setProgramFrozen(uint256 freezeSeed, uint256 callerSeed)
        external
        instrument("supervision.setProgramFrozen")
    {
        bool bad = _bad(callerSeed);
        bool frozen = _freezes(freezeSeed, 12);
        address caller = bad ? world.stranger() : world.supervisor();
        vm.prank(caller);
        try regulator.setProgramFrozen(programId, frozen) {
            ghosts.countSuccess();
            if (bad) _violation("R8: a stranger froze the program");
        } catch (bytes memory reason) {
            if (bad) _refusedWith(reason, IAccessControl.AccessControlUnauthorizedAccount.selector, "setProgramFrozen");
            else _refused(reason);
        }
    }

    /// @dev CareUSD freeze of a patient's account: refunds to it are held by CareStream and OutcomeEscrow
    /// (claimRefund later), split distributions skip it (patient 0 is a recipient), new charges from it are
    /// refused. A frozen account is unfrozen at its next call; an unfrozen one is frozen one time in three (else,
    /// a frozen one is unfrozen, if any). Bad: a stranger, or unfreezing an account that is not frozen
    /// (AccountNotFrozen).
    function setPatientAccountFrozen(uint256 patientSeed, uint256 freezeSeed)
        external
        instrument("supervision.tokenFreeze")
    {
        bool bad = _bad(freezeSeed);
        address account = world.patient(patientSeed % 3);
        bool frozen = token.isFrozen(account);
        bool freeze = !frozen && _freezes(freezeSeed, 3);
        if (!bad && !frozen && !freeze) {
            (bool any, address other) = _frozenPatient(patientSeed);
            if (!any) return;
            (account, frozen) = (other, true);
        }
        address caller = bad && (freezeSeed >> 8) % 2 == 0 ? world.stranger() : world.supervisor();
        bytes4 expected;
        if (bad) {
            expected = caller == world.stranger()
                ? IAccessControl.AccessControlUnauthorizedAccount.selector
                : (frozen ? Errors.CareUSD_AccountAlreadyFrozen.selector : Errors.CareUSD_AccountNotFrozen.selector);
            freeze = frozen; // the wrong way round: freeze a frozen account, unfreeze one that is not
        }
        vm.prank(caller);
        if (freeze) {
            try token.freeze(account) {
                ghosts.countSuccess();
                if (bad) _acceptedBad("CareUSD freeze");
            } catch (bytes memory reason) {
                if (bad) _refusedWith(reason, expected, "CareUSD freeze");
                else _refused(reason);
            }
        } else {
            try token.unfreeze(account) {
                ghosts.countSuccess();
                if (bad) _acceptedBad("CareUSD unfreeze");
            } catch (bytes memory reason) {
                if (bad) _refusedWith(reason, expected, "CareUSD unfreeze");
                else _refused(reason);
            }
        }
    }

    /// @dev Minutes to hours: challenge, arbitration and attestation windows open and close.
    function warpSmall(uint256 secondsSeed) external instrument("time.warpSmall") {
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 6 hours));
    }

    /// @dev Hours to days: streams drain, end and become insolvent; deadlines pass.
    function warpLarge(uint256 secondsSeed) external instrument("time.warpLarge") {
        vm.warp(block.timestamp + _bound(secondsSeed, 6 hours, 3 days));
    }

    /// @dev To the current deadline of an active episode (attestation, challenge or arbitration) or the end of
    /// a stream, the first from `itemSeed` within three days: its last second (the window still open) or its first
    /// second after (closed: settle or refund now due). Nothing ahead: one hour.
    function warpToDeadline(uint256 itemSeed, bool lastSecond) external instrument("time.warpToDeadline") {
        uint256 target = _nextDeadline(itemSeed);
        if (target == 0) target = block.timestamp + 1 hours;
        else if (lastSecond) target -= 1;
        if (target > block.timestamp) vm.warp(target);
    }

    /// @dev To the last second of the current budget period or the first second of the next one, when the
    /// boundary is within two days or one call in eight; otherwise to the next deadline (as above). Runs cross
    /// a few periods instead of jumping a month at every call and expiring every episode.
    function warpToPeriodBoundary(bool lastSecond, uint256 seed) external instrument("time.warpToPeriodBoundary") {
        uint32 period = regulator.currentPeriod(programId);
        (, uint64 end) = regulator.periodBounds(programId, period);
        uint256 target = lastSecond ? end - 1 : end;
        if (target > block.timestamp + 2 days && uint256(keccak256(abi.encode(seed, "boundary"))) % 8 != 0) {
            target = _nextDeadline(seed);
            if (target == 0) target = block.timestamp + 1 hours;
        }
        if (target > block.timestamp) vm.warp(target);
    }

    /// @dev A deadline at most three days ahead: an active episode's current one or a stream's end time (0 if
    /// none): time moves to where something becomes due, not past everything.
    function _nextDeadline(uint256 seed) private view returns (uint256) {
        uint256 episodes = ghosts.episodeCount();
        uint256 streams = ghosts.streamCount();
        uint256 count = episodes + streams;
        for (uint256 k; k < count; ++k) {
            uint256 n = (seed % count + k) % count;
            uint256 deadline;
            if (n < episodes) {
                Episodes.Progress memory p = escrow.getEpisode(ghosts.episodeIds(n)).progress;
                if (p.status == Episodes.EpisodeStatus.Active) deadline = p.deadline;
            } else {
                deadline = stream.getStream(ghosts.streamIds(n - episodes)).accrual.endTime;
            }
            if (deadline > block.timestamp && deadline <= block.timestamp + 3 days) return deadline;
        }
        return 0;
    }

    function _frozenPatient(uint256 seed) private view returns (bool, address) {
        for (uint256 k; k < 3; ++k) {
            address account = world.patient((seed % 3 + k) % 3);
            if (token.isFrozen(account)) return (true, account);
        }
        return (false, address(0));
    }

    /// @dev One call in `oneIn` freezes, the rest lift: each party is frozen a small part of the time, so runs
    /// mix frozen and unfrozen stretches without spending most calls on refusals. Hashed: forge's dictionary
    /// feeds 0 often.
    function _freezes(uint256 seed, uint256 oneIn) private pure returns (bool) {
        return uint256(keccak256(abi.encode(seed, "freeze"))) % oneIn == 0;
    }
}
