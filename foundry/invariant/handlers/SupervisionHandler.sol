// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice The supervisor's and the clock's actions: Regulator freezes of institutions and the program,
/// CareUSD freezes of patients' accounts (compliance), by the supervisor or a stranger (always refused), and
/// time: small steps (windows and deadlines), large steps, and jumps to exactly a period boundary (roll-overs).
contract SupervisionHandler is BaseHandler {
    constructor(World world_, Ghosts ghosts_) BaseHandler(world_, ghosts_) {}

    function setInstitutionFrozen(uint256 institutionSeed, uint256 freezeSeed, uint256 callerSeed)
        external
        instrument("supervision.setInstitutionFrozen")
    {
        address caller = callerSeed % 8 == 0 ? world.stranger() : world.supervisor();
        address institution = world.institution(institutionSeed % 2);
        bool frozen = _freezes(freezeSeed);
        vm.prank(caller);
        try regulator.setInstitutionFrozen(institution, frozen) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("R8: a stranger froze an institution");
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function setProgramFrozen(uint256 freezeSeed, uint256 callerSeed)
        external
        instrument("supervision.setProgramFrozen")
    {
        bool frozen = _freezes(freezeSeed);
        address caller = callerSeed % 8 == 0 ? world.stranger() : world.supervisor();
        vm.prank(caller);
        try regulator.setProgramFrozen(programId, frozen) {
            ghosts.countSuccess();
            if (caller == world.stranger()) _violation("R8: a stranger froze the program");
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    /// @dev CareUSD freeze of a patient's account: refunds to it are held by CareStream and OutcomeEscrow
    /// (claimRefund later), split distributions skip it (patient 0 is a recipient), new charges from it are
    /// refused.
    function setPatientAccountFrozen(uint256 patientSeed, uint256 freezeSeed)
        external
        instrument("supervision.tokenFreeze")
    {
        bool frozen = _freezes(freezeSeed);
        address account = world.patient(patientSeed % 3);
        address supervisor = world.supervisor();
        vm.prank(supervisor);
        if (frozen) {
            try token.freeze(account) {
                ghosts.countSuccess();
            } catch (bytes memory reason) {
            _refused(reason);
        }
        } else {
            try token.unfreeze(account) {
                ghosts.countSuccess();
            } catch (bytes memory reason) {
            _refused(reason);
        }
        }
    }

    /// @dev Minutes to hours: challenge, arbitration and attestation windows open and close.
    function warpSmall(uint256 secondsSeed) external instrument("time.warpSmall") {
        vm.warp(block.timestamp + _bound(secondsSeed, 1, 6 hours));
    }

    /// @dev Days: streams drain, end and become insolvent; deadlines pass; periods roll over.
    function warpLarge(uint256 secondsSeed) external instrument("time.warpLarge") {
        vm.warp(block.timestamp + _bound(secondsSeed, 6 hours, 7 days));
    }

    /// @dev To the last second of the current budget period or the first second of the next one.
    function warpToPeriodBoundary(bool lastSecond) external instrument("time.warpToPeriodBoundary") {
        uint32 period = regulator.currentPeriod(programId);
        (, uint64 end) = regulator.periodBounds(programId, period);
        uint256 target = lastSecond ? end - 1 : end;
        if (target > block.timestamp) vm.warp(target);
    }

    /// @dev One call in eight freezes, seven lift: each party is frozen about an eighth of the time, so runs
    /// mix frozen and unfrozen stretches without spending most calls on refusals.
    function _freezes(uint256 seed) private pure returns (bool) {
        return seed % 8 == 0;
    }
}
