// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {FeeForService} from "../../../contracts/FeeForService.sol";
import {Payments} from "../../../contracts/types/Payments.sol";
import {Supervision} from "../../../contracts/types/Supervision.sol";

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives FeeForService, the fourth payment module: `pay(ServiceParams)` by the patient, the fund
/// account or a stranger, at the patient's institution or the other one (cross-region follow-ups are
/// refused), for charges from one unit to 400 CareUSD, in whatever freeze the run is in. A payment is
/// immediate: the payers lose exactly the charge (R1, F1), the split gains exactly the charge (F2), and
/// nothing is paid while the institution or the program is frozen (X7: the Regulator refuses the claim). The
/// Regulator's `commitCharge` makes no reservation (F4: `reservationCount` stays as it was); what it committed to the
/// counters goes to the ghosts, which X5 adds to the sums over the live reservations.
contract FeeForServiceHandler is BaseHandler {
    FeeForService internal immutable feeForService;

    constructor(World world_, Ghosts ghosts_) BaseHandler(world_, ghosts_) {
        feeForService = world_.feeForService();
    }

    function pay(uint256 patientSeed, uint256 institutionSeed, uint256 initiatorSeed, uint256 chargeSeed)
        external
        instrument("feeForService.pay")
    {
        uint8 p = _patientIndex(patientSeed);
        uint8 i = _institutionIndex(institutionSeed, p);
        Payments.ServiceParams memory params = Payments.ServiceParams({
            programId: programId,
            patientId: world.patientId(p),
            institution: world.institution(i),
            practitioner: world.practitioner(i),
            serviceType: world.FOLLOW_UP(),
            splitId: world.split(i),
            charge: uint128(_bound(chargeSeed, 1, 400 * UNIT)),
            serviceRecordHash: keccak256(abi.encode("service record", chargeSeed))
        });
        address initiator = _initiator(initiatorSeed, p);

        Observation memory before = _observe(i, p);
        uint256 reservationsBefore = regulator.reservationCount();
        vm.prank(initiator);
        try feeForService.pay(params) returns (Supervision.Quote memory quote) {
            ghosts.countSuccess();
            if (initiator == world.stranger()) _violation("R10: a stranger paid a service for a patient");
            Moved memory m = _moved(before, _observe(i, p));
            if (m.deposited != params.charge) _violation("R1/F1: the payers together did not pay the charge");
            if (m.paid != params.charge) _violation("F2: the split did not receive the whole charge");
            if (m.fundRefund + m.patientRefund != 0) _violation("a service payment refunded someone");
            if (quote.fundShare + quote.patientShare != params.charge) _violation("R1: the quote's shares");
            if (regulator.reservationCount() != reservationsBefore) _violation("F4: a payment made a reservation");
            ghosts.addCharge(i, p, quote.period, quote.fundShare, quote.deductiblePortion);
            ghosts.addPaymentFlows(i, m.paid);
            ghosts.countEvent("service paid (FeeForService)");
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }
}
