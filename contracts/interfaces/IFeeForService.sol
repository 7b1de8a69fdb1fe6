// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IRegulator} from "./IRegulator.sol";
import {ISplitRouter} from "./ISplitRouter.sol";
import {Payments} from "../types/Payments.sol";
import {Supervision} from "../types/Supervision.sol";

/// @title IFeeForService
/// @notice Fee-for-service payment under the Regulator's supervision: a service paid in full at the time it is
/// given (a virtual follow-up consultation, say), with cost sharing. In one transaction the Regulator checks
/// every rule and splits the charge into a fund share and a patient share; the module pulls each share from its
/// payer and pays the whole charge into the care team's split. All or nothing: any refusal reverts and no unit
/// moves.
/// @dev Accounting (also in INVARIANTS.md, section FeeForService), in token units:
///   - fundShare + patientShare == charge (the Regulator's cost sharing: deductible, ratio rounded down, cap);
///   - the fund account pays exactly fundShare, the patient's account exactly patientShare, the split receives
///     exactly charge;
///   - the module holds nothing between transactions: each `pay` takes in what it pays out, so its balance is
///     the same after the call as before it (zero, unless someone sent it units directly: no function moves
///     those, as with the router).
/// The Regulator's `commitCharge` commits the payment to its counters for good (the fund share in the period's budget
/// and the patient's fundUsed, the deductible portion in deductibleMet, the service in the practitioner's day)
/// without a reservation: a reservation would only record what is paid out in the same transaction, and nothing
/// is ever refunded by this module (a correction is a separate, off-module matter). The record of a payment is
/// the pair of events of its transaction: the Regulator's `Charged` (the claim, the period and the deductible
/// portion), then this module's `ServicePaid` (the split and the service record's hash); `pay` cannot be
/// re-entered, so each `ServicePaid` belongs to the `Charged` of this module just before it.
/// The payout needs no `checkPayout`: `commitCharge` refuses a frozen program or institution in the same
/// transaction, which is the very condition `checkPayout` tests.
interface IFeeForService {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice A service was paid: `fundShare + patientShare` (the charge) went into the split `splitId`.
    /// @dev Follows the Regulator's {IRegulator-Charged} of the same claim in the same transaction.
    /// @param programId The program whose fund paid `fundShare`.
    /// @param patientId The pseudonymous patient id.
    /// @param institution The institution that gave the service.
    /// @param practitioner The practitioner who gave the service.
    /// @param serviceType The coverage line the service was charged under.
    /// @param splitId The care team's split that received the charge.
    /// @param fundShare Pulled from the program's fund account (token units).
    /// @param patientShare Pulled from the patient's account (token units).
    /// @param serviceRecordHash The hash of the off-chain service record, as given.
    event ServicePaid(
        uint32 indexed programId,
        bytes32 indexed patientId,
        address indexed institution,
        address practitioner,
        bytes32 serviceType,
        bytes32 splitId,
        uint128 fundShare,
        uint128 patientShare,
        bytes32 serviceRecordHash
    );

    /*//////////////////////////////////////////////////////////////////////////
                                 READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The settlement token (the SplitRouter's token).
    function TOKEN() external view returns (IERC20);

    /// @notice The Regulator that authorises and cost-shares every charge.
    function REGULATOR() external view returns (IRegulator);

    /// @notice The SplitRouter the care teams are paid through.
    function ROUTER() external view returns (ISplitRouter);

    /// @notice Every unit paid through the module so far (the sum of the charges of all payments).
    function totalPaid() external view returns (uint256);

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Pays one service now: the Regulator checks, cost-shares and commits the charge, the fund share is
    /// pulled from the program's fund account, the patient share from the patient's account, and the whole
    /// charge goes into `params.splitId`.
    /// @dev Emits a {ServicePaid} event (after the Regulator's `Charged`, before the token's `Transfer`s and
    /// the router's `SplitPaid`).
    ///
    /// Notes:
    /// - The caller is the claim's initiator: the patient's account or a fund operator of the program (the
    ///   Regulator checks it).
    /// - Both payers pay from their current accounts as the Regulator records them, and each must have approved
    ///   this contract for at least its share; a zero share is not pulled, so it needs no allowance.
    /// - One initiator commits both payers: a fund operator's claim pulls the patient's share, and a patient's
    ///   claim pulls the fund's share, as in CareStream and OutcomeEscrow. The Regulator's rules (registered
    ///   parties, covered service, approved split, budget, cap, daily limit) bound what anyone can charge, and
    ///   each payer bounds its own exposure with the amount it approves.
    /// - `serviceRecordHash` is stored nowhere and checked by no one: it is evidence for auditors, in the event.
    ///
    /// Requirements, checked in this order (the first failing one reverts, so the error is deterministic):
    /// 1. `params.charge` is not zero (`FeeForService_ZeroCharge`).
    /// 2. The split exists in the router (`FeeForService_UnknownSplit(splitId)`).
    /// 3. The Regulator accepts the claim, with its own errors in its own order (see `IRegulator.commitCharge`, the
    ///    checks of `reserve`): module role, program exists / not frozen / started, initiator, patient,
    ///    institution (registered, not frozen), practitioner (registered, at the institution, not frozen, under
    ///    the daily limit), service covered (`Regulator_ServiceNotCovered`, e.g. an online first visit), region,
    ///    the institution approved the split (`Regulator_PayeeNotApproved`), the fund share fits the budget
    ///    (`Regulator_BudgetExceeded`), each share within 2^64 - 1 units (`Regulator_ReservationAboveMax`).
    /// 4. The fund account's allowance covers a non-zero fund share
    ///    (`FeeForService_FundAllowanceTooLow(programId, fundAccount, allowance, fundShare)`).
    /// 5. The patient account's allowance covers a non-zero patient share
    ///    (`FeeForService_PatientAllowanceTooLow(patientId, account, allowance, patientShare)`).
    /// 6. The token moves the fund share, then the patient share, then the charge into the router, with the
    ///    token's own errors: a payer frozen in CareUSD (`CareUSD_AccountFrozen(payer)`), a balance too low
    ///    (`ERC20InsufficientBalance(payer, balance, needed)`), a paused token (`EnforcedPause`).
    /// @param params The service, the parties, the split, the charge and the service record's hash.
    /// @return quote The Regulator's cost sharing of the charge: the fund and patient shares paid, the deductible
    /// portion and the period they count in (as in the `Charged` event).
    function pay(Payments.ServiceParams calldata params) external returns (Supervision.Quote memory quote);
}
