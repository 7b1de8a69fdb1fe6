// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CareStream} from "../../../contracts/CareStream.sol";
import {CareUSD} from "../../../contracts/CareUSD.sol";
import {OutcomeEscrow} from "../../../contracts/OutcomeEscrow.sol";
import {Regulator} from "../../../contracts/Regulator.sol";
import {SplitRouter} from "../../../contracts/SplitRouter.sol";
import {Errors} from "../../../contracts/libraries/Errors.sol";

import {Bound} from "../../utils/Bound.sol";
import {HasVm} from "../../utils/Vm.sol";
import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";

/// @notice What every handler shares: the world, the ghosts, bounded choices of actors, and the outside
/// observation of one call (payers' balances and held refunds, the split's totalReceived, freezes).
/// @dev Handlers never revert: every call into the suite is wrapped in try/catch, refusals are expected
/// (they are the "calls in every wrong state" of SECURITY.md), and what must never happen is recorded in
/// the ghosts' `violations`, which an invariant keeps at zero.
abstract contract BaseHandler is HasVm {
    using Bound for uint256;

    World internal immutable world;
    Ghosts internal immutable ghosts;
    CareUSD internal immutable token;
    Regulator internal immutable regulator;
    SplitRouter internal immutable router;
    CareStream internal immutable stream;
    OutcomeEscrow internal immutable escrow;
    uint32 internal immutable programId;

    /// @dev Items per run are capped so every invariant check stays cheap at depth.
    uint256 internal constant MAX_ITEMS = 24;
    uint256 internal constant UNIT = 1e6;

    /// @notice The payers' and the payee's side of one item, observed before and after a call.
    struct Observation {
        uint256 fundBalance; // balance + refunds held for the fund account in CareStream
        uint256 patientBalance; // same for the patient's account
        uint256 splitTotal; // router.totalReceived(split)
        bool payeeFrozen; // the program or the split's institution frozen in the Regulator
    }

    /// @notice What one call moved, split by direction (see `_flows`).
    struct Moved {
        uint256 deposited;
        uint256 paid;
        uint256 fundRefund;
        uint256 patientRefund;
    }

    constructor(World world_, Ghosts ghosts_) {
        world = world_;
        ghosts = ghosts_;
        token = world_.token();
        regulator = world_.regulator();
        router = world_.router();
        stream = world_.stream();
        escrow = world_.escrow();
        programId = world_.programId();
    }

    modifier instrument(string memory name) {
        ghosts.countCall(name);
        _;
    }

    function _observe(uint8 splitIndex, uint8 patientIndex) internal view returns (Observation memory o) {
        address fund = world.fund();
        address patient = world.patient(patientIndex);
        // A refund held for a token-frozen account counts as refunded: attributed, owed to the account.
        o.fundBalance = token.balanceOf(fund) + stream.heldRefundOf(fund) + escrow.heldRefundOf(fund);
        o.patientBalance = token.balanceOf(patient) + stream.heldRefundOf(patient) + escrow.heldRefundOf(patient);
        o.splitTotal = router.totalReceived(world.split(splitIndex));
        o.payeeFrozen = _payeeFrozen(splitIndex);
    }

    /// @dev Splits the observed change into deposits (payer balances fell), refunds (they rose) and the
    /// split's receipts; a receipt while the payee side was frozen before and after the call is a violation
    /// (X7: a freeze stops payouts).
    function _flows(Observation memory before, Observation memory afterCall)
        internal
        returns (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund)
    {
        if (afterCall.fundBalance < before.fundBalance) deposited += before.fundBalance - afterCall.fundBalance;
        else fundRefund = afterCall.fundBalance - before.fundBalance;
        if (afterCall.patientBalance < before.patientBalance) {
            deposited += before.patientBalance - afterCall.patientBalance;
        } else {
            patientRefund = afterCall.patientBalance - before.patientBalance;
        }
        paid = afterCall.splitTotal - before.splitTotal;
        if (paid > 0 && before.payeeFrozen && afterCall.payeeFrozen) {
            ghosts.recordViolation("X7: a split received a payout while its institution or the program was frozen");
        }
    }

    function _moved(Observation memory before, Observation memory afterCall) internal returns (Moved memory m) {
        (m.deposited, m.paid, m.fundRefund, m.patientRefund) = _flows(before, afterCall);
    }

    function _payeeFrozen(uint8 splitIndex) internal view returns (bool) {
        return regulator.getProgram(programId).frozen
            || regulator.getInstitution(world.institution(splitIndex)).frozen;
    }

    /// @dev Counts a refusal by its error selector (the summary lists which custom errors the run provoked).
    function _refused(bytes memory reason) internal {
        bytes4 selector;
        if (reason.length >= 4) selector = bytes4(reason);
        ghosts.countRefusal(selector);
    }

    /// @dev One call in eight is deliberately bad: the handler injects one fault into an otherwise valid call
    /// (or, for some, probes an item in any state), so the run stays deep and every refusal is still tried.
    /// Hashed: forge's dictionary feeds 0 and small values often, which a plain `seed % 8` would all make bad.
    function _bad(uint256 seed) internal pure returns (bool) {
        return uint256(keccak256(abi.encode(seed, "bad"))) % 8 == 0;
    }

    /// @dev The first seed from `seed` that `_bad` does not pick (for a step that must be a good one).
    function _goodSeed(uint256 seed) internal pure returns (uint256) {
        while (_bad(seed)) seed = uint256(keccak256(abi.encode(seed)));
        return seed;
    }

    /// @dev A deliberately bad call was refused: it must be refused with exactly the error its fault calls for
    /// (not merely revert), given the state the handler read before the call.
    function _refusedWith(bytes memory reason, bytes4 expected, string memory what) internal {
        _refused(reason);
        if (reason.length < 4 || bytes4(reason) != expected) {
            _violation(string.concat("a deliberately bad call was refused with another error than expected: ", what));
        }
    }

    /// @dev A deliberately bad call succeeded: always a violation (the fault must be refused).
    function _acceptedBad(string memory what) internal {
        _violation(string.concat("a deliberately bad call succeeded: ", what));
    }

    /// @dev The Regulator refuses a claim of a stranger with Regulator_UnauthorizedInitiator, unless the program
    /// is frozen, which it checks first (Regulator._checkClaim: charge, program, initiator, ...).
    function _initiatorRefusal() internal view returns (bytes4) {
        return regulator.getProgram(programId).frozen
            ? Errors.Regulator_ProgramFrozen.selector
            : Errors.Regulator_UnauthorizedInitiator.selector;
    }

    /// @dev A patient whose claims can pass now: not frozen in CareUSD and whose home institution is not
    /// frozen in the Regulator (first such from `seed`; `seed`'s own patient when there is none).
    function _claimablePatient(uint256 seed) internal view returns (uint8) {
        for (uint256 k; k < 3; ++k) {
            uint8 p = uint8((seed % 3 + k) % 3);
            uint8 home = world.patientRegion(p) == world.institutionRegion(0) ? 0 : 1;
            if (!token.isFrozen(world.patient(p)) && !regulator.getInstitution(world.institution(home)).frozen) {
                return p;
            }
        }
        return uint8(seed % 3);
    }

    /// @dev A charge in [1 unit, `max`] whose fund share fits the institution's remaining budget this period
    /// (the fund pays at most 80% of a charge above the deductible, so 5/4 of the remaining budget fits);
    /// 1 unit when the budget is spent (refused then, which the run also needs).
    function _chargeWithinBudget(uint256 seed, uint8 institutionIndex, uint256 max) internal view returns (uint128) {
        return uint128(_bound(seed, 1, _chargeCap(institutionIndex, max)));
    }

    /// @dev `max`, or less when the institution's remaining budget is smaller (see `_chargeWithinBudget`).
    function _chargeCap(uint8 institutionIndex, uint256 max) internal view returns (uint256) {
        (,, uint128 remaining) = regulator.budgetOf(
            programId, world.institution(institutionIndex), regulator.currentPeriod(programId)
        );
        uint256 fits = uint256(remaining) * 5 / 4;
        if (fits >= max) return max;
        return fits < UNIT ? UNIT : fits;
    }

    function _violation(string memory what) internal {
        ghosts.recordViolation(what);
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return x.bound(min, max);
    }

    /// @dev One of the three patients.
    function _patientIndex(uint256 seed) internal pure returns (uint8) {
        return uint8(seed % 3);
    }

    /// @dev Mostly the institution of the patient's region (so claims pass), one time in eight the other one
    /// (cross-region: refused for chronic care and follow-ups, allowed for digital-twin stages).
    function _institutionIndex(uint256 seed, uint8 patientIndex) internal view returns (uint8) {
        uint8 home = world.patientRegion(patientIndex) == world.institutionRegion(0) ? 0 : 1;
        return seed % 8 == 0 ? 1 - home : home;
    }

    /// @dev Who opens a claim: the patient or the fund account (a fund operator) mostly, a stranger (always
    /// refused with Regulator_UnauthorizedInitiator) one time in eight.
    function _initiator(uint256 seed, uint8 patientIndex) internal view returns (address) {
        if (_bad(seed)) return world.stranger();
        return seed % 2 == 0 ? world.fund() : world.patient(patientIndex);
    }
}
