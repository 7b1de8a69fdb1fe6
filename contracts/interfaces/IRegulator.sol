// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Supervision} from "../types/Supervision.sol";

/// @title IRegulator
/// @notice The insurance fund's rules, enforced while money moves. Payment modules (escrow, streams)
/// must `reserve` the fund share before taking any money, `checkPayout` before paying a care team,
/// and `release` whatever returns to the payers. Only accounts with MODULE_ROLE may do so.
/// @dev Cost-sharing rule (one place, also in INVARIANTS.md), for a charge C of one service type:
///   1. deductible: d = min(C, deductible - deductibleMet(period)) is paid by the patient;
///   2. ratio: r = floor((C - d) * ratioBps / 10_000)  (rounded down: the fund never pays above its ratio);
///   3. cap: fundShare = min(r, fundCapPerPatient - fundUsed(period)) when a cap is set;
///   4. patientShare = C - fundShare, so the two always add up to C exactly.
/// A reservation counts in the period it was made. A top-up in a later period moves the still-unspent
/// amounts into a new reservation in the current period (`topUp`), so past periods never grow and
/// current periods see everything that is still committed.
interface IRegulator {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    event ProgramCreated(uint32 indexed programId, address indexed fundAccount, Supervision.PeriodSchedule schedule);
    event CoverageSet(uint32 indexed programId, bytes32 indexed serviceType, Supervision.Coverage coverage);
    event DefaultBudgetSet(uint32 indexed programId, address indexed institution, uint128 amount);
    event PeriodBudgetSet(uint32 indexed programId, address indexed institution, uint32 indexed period, uint128 amount);
    event InstitutionRegistered(address indexed institution, uint32 region);
    event PractitionerRegistered(address indexed practitioner, address indexed institution, uint32 dailyServiceLimit);
    event PatientRegistered(bytes32 indexed patientId, address indexed account, uint32 indexed programId, uint32 region);
    event ProgramFrozen(uint32 indexed programId, bool frozen);
    event InstitutionFrozen(address indexed institution, bool frozen);
    event PractitionerFrozen(address indexed practitioner, bool frozen);
    event PatientFrozen(bytes32 indexed patientId, bool frozen);
    event FundOperatorSet(uint32 indexed programId, address indexed operator, bool allowed);
    event PayeeApprovalSet(address indexed institution, bytes32 indexed payee, bool approved);
    /// @notice A module reserved the fund share of a new claim.
    event Reserved(uint256 indexed reservationId, address indexed module, Supervision.Claim claim, Supervision.Quote quote);
    /// @notice A module added a charge to a reservation of the current period.
    event Extended(uint256 indexed reservationId, uint128 charge, Supervision.Quote quote);
    /// @notice A top-up in a later period moved the unspent amounts of `oldReservationId` into `newReservationId`.
    event Renewed(uint256 indexed oldReservationId, uint256 indexed newReservationId, uint128 carriedFund, uint128 carriedPatient);
    /// @notice Money went back to the payers; the period's counters fell by `fundAmount`.
    event Released(uint256 indexed reservationId, uint128 fundAmount, uint128 patientAmount, uint128 deductibleRestored);

    /*//////////////////////////////////////////////////////////////////////////
                                 READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    function CONFIGURATOR_ROLE() external view returns (bytes32);
    function REGISTRAR_ROLE() external view returns (bytes32);
    function SUPERVISOR_ROLE() external view returns (bytes32);
    function MODULE_ROLE() external view returns (bytes32);
    /// @notice Regulator-side dispute resolvers; OutcomeEscrow asks `hasRole(ARBITER_ROLE, caller)`.
    function ARBITER_ROLE() external view returns (bytes32);

    function programCount() external view returns (uint32);
    function getProgram(uint32 programId) external view returns (Supervision.Program memory);
    function getCoverage(uint32 programId, bytes32 serviceType) external view returns (Supervision.Coverage memory);
    function getInstitution(address institution) external view returns (Supervision.Institution memory);
    function getPractitioner(address practitioner) external view returns (Supervision.Practitioner memory);
    function getPatient(bytes32 patientId) external view returns (Supervision.Patient memory);
    function getReservation(uint256 reservationId) external view returns (Supervision.Reservation memory);
    function isFundOperator(uint32 programId, address account) external view returns (bool);
    function isPayeeApproved(address institution, bytes32 payee) external view returns (bool);

    /// @notice The period index that contains `timestamp`. Reverts before the schedule's anchor.
    function periodOf(uint32 programId, uint64 timestamp) external view returns (uint32);
    function currentPeriod(uint32 programId) external view returns (uint32);
    /// @notice First second of `period` and first second of the next one.
    function periodBounds(uint32 programId, uint32 period) external view returns (uint64 start, uint64 end);

    /// @notice The institution's fund budget in a period, what reservations hold of it, and what is left.
    function budgetOf(uint32 programId, address institution, uint32 period)
        external
        view
        returns (uint128 budget, uint128 used, uint128 remaining);
    /// @notice What a patient has met of the deductible and received from the fund for a service type in a period.
    function patientUsage(uint32 programId, bytes32 patientId, bytes32 serviceType, uint32 period)
        external
        view
        returns (uint128 deductibleMet, uint128 fundUsed);
    /// @notice Services a practitioner has been reserved for on UTC day `day` (timestamp / 1 days).
    function practitionerServices(address practitioner, uint64 day) external view returns (uint32);
    /// @notice Cost sharing of `charge` for the patient now, without reserving anything.
    function quote(uint32 programId, bytes32 patientId, bytes32 serviceType, uint128 charge)
        external
        view
        returns (Supervision.Quote memory);
    /// @notice Reverts unless the reservation's institution and program may be paid now (neither is frozen).
    function checkPayout(uint256 reservationId) external view;

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    // Configuration (CONFIGURATOR_ROLE)
    function createProgram(address fundAccount, Supervision.PeriodSchedule calldata schedule)
        external
        returns (uint32 programId);
    function setCoverage(uint32 programId, bytes32 serviceType, Supervision.Coverage calldata coverage) external;
    /// @notice The budget of every period that has no period-specific budget.
    function setDefaultBudget(uint32 programId, address institution, uint128 amount) external;
    function setPeriodBudget(uint32 programId, address institution, uint32 period, uint128 amount) external;

    // Registry (REGISTRAR_ROLE); registering again updates the record
    function registerInstitution(address institution, uint32 region) external;
    function registerPractitioner(address practitioner, address institution, uint32 dailyServiceLimit) external;
    function registerPatient(bytes32 patientId, address account, uint32 programId, uint32 region) external;

    // Freezes (SUPERVISOR_ROLE)
    function setProgramFrozen(uint32 programId, bool frozen) external;
    function setInstitutionFrozen(address institution, bool frozen) external;
    function setPractitionerFrozen(address practitioner, bool frozen) external;
    function setPatientFrozen(bytes32 patientId, bool frozen) external;

    /// @notice The program's fund account names who may open fund-paid claims besides itself.
    function setFundOperator(uint32 programId, address operator, bool allowed) external;
    /// @notice A registered institution approves (or withdraws approval of) a split as its payee.
    function setPayeeApproval(bytes32 payee, bool approved) external;

    // Payment modules (MODULE_ROLE)
    /// @notice Checks every rule for a new claim, computes the shares and commits them in the current period.
    /// @dev Requirements: initiator is the patient's account or a fund operator of the program; nothing frozen;
    /// all parties registered; service covered; same region or cross-region allowed; payee approved by the
    /// institution; practitioner under the daily limit; fund share within the institution's remaining budget.
    function reserve(Supervision.Claim calldata claim)
        external
        returns (uint256 reservationId, Supervision.Quote memory quote);
    /// @notice Adds `charge` to a reservation. In the reservation's own period it is extended in place;
    /// in a later period the unspent amounts (`unspentFund`, `unspentPatient`, as the module holds them) are
    /// released from it and carried with the new charge into a new reservation in the current period.
    function topUp(
        uint256 reservationId,
        uint128 unspentFund,
        uint128 unspentPatient,
        uint128 charge,
        address initiator
    ) external returns (uint256 newReservationId, Supervision.Quote memory quote);
    /// @notice Returns money to the payers' side of the books. Never blocked by a freeze.
    function release(uint256 reservationId, uint128 fundAmount, uint128 patientAmount) external;
}
