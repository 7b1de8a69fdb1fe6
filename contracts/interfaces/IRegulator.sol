// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Supervision} from "../types/Supervision.sol";

/// @title IRegulator
/// @notice The insurance fund's rules, enforced while money moves. Payment modules (escrow, streams)
/// must `reserve` the fund share before taking any money, `checkPayout` before paying a care team,
/// and `release` whatever returns to the payers; a module that pays a claim whole in the same transaction
/// (FeeForService) may `commitCharge` it instead. Only accounts with MODULE_ROLE may reserve, charge or top up.
/// @dev Cost-sharing rule (one place, also in INVARIANTS.md and libraries/CostSharing.sol), for a charge C of
/// one service type, with the patient's counters of the period:
///   1. deductible: d = min(C, deductible - deductibleMet(period)) is paid by the patient
///      (0 once deductibleMet >= deductible, e.g. after the deductible was lowered mid-period);
///   2. ratio: r = floor((C - d) * ratioBps / 10_000)  (rounded down: the fund never pays above its ratio);
///   3. cap: fundShare = min(r, fundCapPerPatient - fundUsed(period)) when a cap is set (0 once
///      fundUsed >= cap);
///   4. patientShare = C - fundShare, so the two always add up to C exactly.
/// A reservation counts in the period it was made. A top-up in a later period moves the still-unspent
/// amounts into a new reservation in the current period (`topUp`), so past periods never grow and
/// current periods see everything that is still committed.
///
/// Counters, all keyed by period index (so rollover is lazy and a past period never leaks into the next):
///   - institution budget used(program, institution, period) = sum of `fundReserved` of the period's
///     reservations at the institution + sum of the fund shares of its charges;
///   - patient fundUsed(program, serviceType, patient, period) = sum of their `fundReserved` + the charges'
///     fund shares;
///   - patient deductibleMet(program, serviceType, patient, period) = sum of their `deductibleCounted` + the
///     charges' deductible portions.
/// A charge counts as a reservation that is never released, without a reservation record (see `commitCharge`).
///
/// Roles (OpenZeppelin AccessControlDefaultAdminRules: the default admin changes in two delayed steps and
/// grants every other role): CONFIGURATOR_ROLE (programs, coverage, budgets), REGISTRAR_ROLE (institutions,
/// practitioners, patients), SUPERVISOR_ROLE (freezes), MODULE_ROLE (payment modules: reserve, charge, topUp),
/// ARBITER_ROLE (dispute resolvers, read by OutcomeEscrow). A program's fund account manages its operators;
/// a registered institution approves its payees; only the module that made a reservation may top it up or
/// release it.
///
/// Freezes: a frozen program, institution, practitioner or patient blocks new reservations and charges that involve it; a
/// frozen program, institution or patient also blocks top-ups (a practitioner freeze does not: the care already
/// claimed goes on); a frozen program or institution also blocks payouts (`checkPayout`) of its own
/// reservations. Releases (refunds) are never blocked.
interface IRegulator {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice A program was created with id `programId` (ids start at 1).
    event ProgramCreated(uint32 indexed programId, address indexed fundAccount, Supervision.PeriodSchedule schedule);
    /// @notice The rules of a service type within a program were set (or replaced).
    event CoverageSet(uint32 indexed programId, bytes32 indexed serviceType, Supervision.Coverage coverage);
    /// @notice The budget of every period without a period-specific budget was set.
    event DefaultBudgetSet(uint32 indexed programId, address indexed institution, uint128 amount);
    /// @notice The budget of one period was set explicitly (0 is a valid explicit budget).
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
    /// @notice A module charged a claim that is paid in the same transaction: the counters grew as under a
    /// reservation that is never released, but no reservation was made (no id, `reservationCount` unchanged).
    /// @dev The claim's `payee` is the split paid; the module's own event of the same transaction carries the
    /// payment's details (FeeForService: `ServicePaid`).
    event Charged(address indexed module, Supervision.Claim claim, Supervision.Quote quote);
    /// @notice A module added a charge to a reservation (in place in its own period, or to the new reservation
    /// of a renewal). `quote` is the cost sharing of `charge` alone (carried amounts are in `Renewed`).
    event Extended(uint256 indexed reservationId, uint128 charge, Supervision.Quote quote);
    /// @notice A top-up in a later period moved the unspent amounts of `oldReservationId` into `newReservationId`.
    event Renewed(uint256 indexed oldReservationId, uint256 indexed newReservationId, uint128 carriedFund, uint128 carriedPatient);
    /// @notice Money went back to the payers; the period's counters fell by `fundAmount`, the patient's
    /// deductibleMet by `deductibleRestored`.
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

    /// @notice The number of programs created; program ids run from 1 to it (0 = none).
    function programCount() external view returns (uint32);
    /// @notice The number of reservations made; reservation ids run from 1 to it (0 = none).
    function reservationCount() external view returns (uint256);
    /// @notice A program, or the zero record when `programId` was never created.
    function getProgram(uint32 programId) external view returns (Supervision.Program memory);
    /// @notice A coverage line, or the zero record (not covered) when it was never set.
    function getCoverage(uint32 programId, bytes32 serviceType) external view returns (Supervision.Coverage memory);
    /// @notice An institution, or the zero record when it is not registered.
    function getInstitution(address institution) external view returns (Supervision.Institution memory);
    /// @notice A practitioner, or the zero record (institution 0) when not registered.
    function getPractitioner(address practitioner) external view returns (Supervision.Practitioner memory);
    /// @notice A patient, or the zero record (account 0) when not registered.
    function getPatient(bytes32 patientId) external view returns (Supervision.Patient memory);
    /// @notice A reservation, or the zero record (module 0) when `reservationId` was never made.
    function getReservation(uint256 reservationId) external view returns (Supervision.Reservation memory);
    /// @notice Whether `account` may open fund-paid claims for the program: its fund account or a named operator.
    function isFundOperator(uint32 programId, address account) external view returns (bool);
    function isPayeeApproved(address institution, bytes32 payee) external view returns (bool);

    /// @notice The period index that contains `timestamp`.
    /// @dev Reverts with `Regulator_ProgramNotFound` for an unknown program and with
    /// `Regulator_BeforeFirstPeriod(programId, timestamp, anchor)` before the schedule's anchor.
    function periodOf(uint32 programId, uint64 timestamp) external view returns (uint32);
    /// @notice `periodOf(programId, block.timestamp)`.
    function currentPeriod(uint32 programId) external view returns (uint32);
    /// @notice First second of `period` and first second of the next one.
    /// @dev Reverts with `Regulator_ProgramNotFound` for an unknown program.
    function periodBounds(uint32 programId, uint32 period) external view returns (uint64 start, uint64 end);

    /// @notice The institution's fund budget in a period, what reservations hold of it, and what is left.
    /// @dev budget = the period-specific budget if one was set (0 included), else the default budget;
    /// remaining = budget - used, or 0 when a lowered budget is below what is already used.
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
    /// @dev Only the latest day with a service is kept (it is what the daily limit needs): for an earlier day
    /// this returns 0, whatever was reserved then. Past days' counts are in the {Reserved} events.
    function practitionerServices(address practitioner, uint64 day) external view returns (uint32);
    /// @notice Cost sharing of `charge` for the patient now, without reserving anything.
    /// @dev Reverts with `Regulator_ProgramNotFound`, `Regulator_BeforeFirstPeriod` or
    /// `Regulator_ServiceNotCovered`. Checks no party or freeze: `reserve` does.
    function quote(uint32 programId, bytes32 patientId, bytes32 serviceType, uint128 charge)
        external
        view
        returns (Supervision.Quote memory);
    /// @notice Reverts unless the reservation's institution and program may be paid now (neither is frozen).
    /// @dev Reverts with `Regulator_ReservationNotFound`, `Regulator_ProgramFrozen(programId)` or
    /// `Regulator_InstitutionFrozen(institution)`, in that order. Refunds to the payers never call it.
    /// While `payoutFreezeCount` is zero it reads only the reservation and that count.
    function checkPayout(uint256 reservationId) external view;
    /// @notice How many programs and institutions are frozen now (the freezes that block payouts).
    /// @dev Always equal to the number of `getProgram(id).frozen` plus `getInstitution(account).frozen` that are
    /// true; practitioner and patient freezes block new claims only and are not counted.
    function payoutFreezeCount() external view returns (uint64);
    /// @notice Who pays for a reservation and gets its refunds, as registered now: the program's fund account
    /// and the patient's account (a patient whose account changed is refunded at the new one).
    /// @dev Reverts with `Regulator_ReservationNotFound` for an unknown id. Lets a module keep neither the
    /// program nor the patient of its reservation.
    function reservationAccounts(uint256 reservationId)
        external
        view
        returns (address fundAccount, address patientAccount);
    /// @notice The patient's account of a reservation, as registered now (`reservationAccounts` without the
    /// program's slot, for a module's authorisation check).
    /// @dev Reverts with `Regulator_ReservationNotFound` for an unknown id.
    function reservationPatientAccount(uint256 reservationId) external view returns (address);
    /// @notice Whether `account` may act now for the claim behind a reservation (a module's pause, resume,
    /// top-up or cancel of it): by the initiator rule of `reserve` (check 4), applied to the parties' current
    /// roles, i.e. the patient's account as registered now, or a current fund operator of the reservation's
    /// program (its fund account included, as in `isFundOperator`). The zero address never may.
    /// @dev Reverts with `Regulator_ReservationNotFound` for an unknown id. One call from the reservation id, so
    /// that a module need not store who opened the claim nor trust it later: a removed operator or a patient's
    /// old account loses the right at once. Reads the reservation and the patient's record, then the
    /// program's operator flag and fund account only when the account is not the patient's.
    function mayActFor(uint256 reservationId, address account) external view returns (bool);

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    // Configuration (CONFIGURATOR_ROLE)

    /// @notice Creates a program paid by `fundAccount`, with budget periods following `schedule`.
    /// @dev Emits {ProgramCreated}. The schedule never changes afterwards.
    /// Requirements: CONFIGURATOR_ROLE; `fundAccount` not zero; `schedule.length` not zero; for a Months
    /// schedule, `schedule.anchor` is the first second of a UTC calendar month.
    function createProgram(address fundAccount, Supervision.PeriodSchedule calldata schedule)
        external
        returns (uint32 programId);
    /// @notice Sets (or replaces) the rules of a service type within a program. New rules apply to new
    /// charges; what was reserved keeps the shares it got.
    /// @dev Emits {CoverageSet}. Requirements: CONFIGURATOR_ROLE; the program exists; `ratioBps <= 10_000`;
    /// `deductible` and `fundCapPerPatient` fit in 64 bits (1.8e13 CareUSD; else OpenZeppelin's
    /// `SafeCastOverflowedUintDowncast(64, value)`). A service type keeps its coverage line (and the patients'
    /// counters of it) when its rules are replaced.
    function setCoverage(uint32 programId, bytes32 serviceType, Supervision.Coverage calldata coverage) external;
    /// @notice The budget of every period that has no period-specific budget.
    /// @dev Emits {DefaultBudgetSet}. Requirements: CONFIGURATOR_ROLE; the program exists; the institution is
    /// registered. Lowering it below what a period already uses leaves that period with nothing remaining.
    function setDefaultBudget(uint32 programId, address institution, uint128 amount) external;
    /// @notice Sets the budget of one period explicitly (0 is a valid budget: the fund pays nothing then).
    /// @dev Emits {PeriodBudgetSet}. Requirements as `setDefaultBudget`, and `amount` fits in 120 bits
    /// (else OpenZeppelin's `SafeCastOverflowedUintDowncast(120, amount)`). There is no way back to the default
    /// for that period: set it again to the default amount instead.
    function setPeriodBudget(uint32 programId, address institution, uint32 period, uint128 amount) external;

    // Registry (REGISTRAR_ROLE); registering again updates the record but never lifts a freeze

    /// @dev Emits {InstitutionRegistered}. Requirements: REGISTRAR_ROLE; `institution` not zero.
    function registerInstitution(address institution, uint32 region) external;
    /// @dev Emits {PractitionerRegistered}. Requirements: REGISTRAR_ROLE; `practitioner` not zero; the
    /// institution is registered. `dailyServiceLimit` 0 allows no services.
    function registerPractitioner(address practitioner, address institution, uint32 dailyServiceLimit) external;
    /// @dev Emits {PatientRegistered}. Requirements: REGISTRAR_ROLE; `patientId` and `account` not zero;
    /// the program exists.
    function registerPatient(bytes32 patientId, address account, uint32 programId, uint32 region) external;

    // Freezes (SUPERVISOR_ROLE); each requires the frozen party to exist and emits its event

    /// @dev Emits {ProgramFrozen}. Requirements: SUPERVISOR_ROLE; the program exists.
    function setProgramFrozen(uint32 programId, bool frozen) external;
    /// @dev Emits {InstitutionFrozen}. Requirements: SUPERVISOR_ROLE; the institution is registered.
    function setInstitutionFrozen(address institution, bool frozen) external;
    /// @dev Emits {PractitionerFrozen}. Requirements: SUPERVISOR_ROLE; the practitioner is registered.
    function setPractitionerFrozen(address practitioner, bool frozen) external;
    /// @dev Emits {PatientFrozen}. Requirements: SUPERVISOR_ROLE; the patient is registered.
    function setPatientFrozen(bytes32 patientId, bool frozen) external;

    /// @notice The program's fund account names who may open fund-paid claims besides itself.
    /// @dev Emits {FundOperatorSet}. Requirements: the program exists; the caller is its fund account;
    /// `operator` not zero.
    function setFundOperator(uint32 programId, address operator, bool allowed) external;
    /// @notice A registered institution approves (or withdraws approval of) a split as its payee.
    /// @dev Emits {PayeeApprovalSet}. Requirements: the caller is a registered institution (frozen or not);
    /// `payee` not zero.
    function setPayeeApproval(bytes32 payee, bool approved) external;

    // Payment modules

    /// @notice Checks every rule for a new claim, computes the shares and commits them in the current period.
    /// @dev Emits {Reserved}. The reservation belongs to the caller. Checks, in this order, each with its error:
    ///   1. caller has MODULE_ROLE (AccessControlUnauthorizedAccount);
    ///   2. `charge` > 0 (Regulator_ZeroCharge);
    ///   3. program exists, not frozen, its first period has started (ProgramNotFound, ProgramFrozen,
    ///      BeforeFirstPeriod);
    ///   4. initiator is the patient's account or a fund operator of the program (UnauthorizedInitiator);
    ///   5. patient registered, in this program, not frozen (PatientNotRegistered, PatientNotInProgram,
    ///      PatientFrozen);
    ///   6. institution registered, not frozen (InstitutionNotRegistered, InstitutionFrozen);
    ///   7. practitioner registered, at the institution, not frozen, under the daily limit of UTC day
    ///      block.timestamp / 1 days (PractitionerNotRegistered, PractitionerNotAtInstitution,
    ///      PractitionerFrozen, DailyServiceLimitReached); the service is counted for that day;
    ///   8. the service type is covered (ServiceNotCovered: e.g. online first visits);
    ///   9. same region, or the coverage allows cross-region care (CrossRegionNotAllowed);
    ///  10. the institution approved the payee (PayeeNotApproved);
    ///  11. fundShare <= the institution's remaining budget of the period (BudgetExceeded; exactly the
    ///      remaining amount is allowed);
    ///  12. the reservation holds at most 2^64 - 1 units (1.8e13 CareUSD) of fund and of patient money
    ///      (ReservationAboveMax); the same bound applies to every later top-up of it.
    /// Commits: deductibleMet += deductiblePortion; fundUsed += fundShare; institution used += fundShare.
    function reserve(Supervision.Claim calldata claim)
        external
        returns (uint256 reservationId, Supervision.Quote memory quote);
    /// @notice Checks every rule for a claim paid at once, computes the shares and commits them in the current
    /// period, without a reservation: for a module that moves the whole charge in the same transaction
    /// (FeeForService), so there is never anything to top up, release or check for payout.
    /// @dev Emits {Charged}. Exactly the checks of `reserve` (1-12), in its order and with its errors, so the
    /// two accept the same claims (check 12 bounds each share by 2^64 - 1 units: ReservationAboveMax with
    /// fundReserved = fundShare, patientReserved = patientShare). Commits exactly what `reserve` commits and
    /// keeps it for good, as a reservation that is never released: deductibleMet += deductiblePortion;
    /// fundUsed += fundShare; institution used += fundShare; the practitioner's service is counted for the day.
    /// Writes no reservation record and leaves `reservationCount` unchanged, so a period's counters = the sums
    /// over its live reservations + the sums over its charges (the {Charged} events). Nothing can release a
    /// charge: a module that may refund must `reserve` instead.
    /// Returns the shares and the payers as registered now: the program's fund account and the patient's
    /// account (the accounts `reservationAccounts` would give), so the module needs no second call.
    function commitCharge(Supervision.Claim calldata claim)
        external
        returns (Supervision.Quote memory quote, address fundAccount, address patientAccount);
    /// @notice Adds `charge` to a reservation. In the reservation's own period it is extended in place;
    /// in a later period the unspent amounts (`unspentFund`, `unspentPatient`, as the module holds them) are
    /// released from it and carried with the new charge into a new reservation in the current period.
    /// @dev Checks, in this order: MODULE_ROLE; the reservation exists and belongs to the caller
    /// (ReservationNotFound, NotReservationModule); program not frozen; `charge` > 0, except that a later-period
    /// top-up may carry with `charge` 0 as long as something is carried (ZeroCharge); initiator as in `reserve`;
    /// patient still in the program and not frozen; institution not frozen; service still covered and region
    /// rule; (later period) unspent amounts <= what the reservation holds (FundReleaseExceedsReserved,
    /// PatientReleaseExceedsReserved); budget; the 64-bit bound of `reserve` (ReservationAboveMax). The practitioner's daily count and the payee are not rechecked.
    /// Same period: cost-shares `charge` with the patient's counters, adds the shares and the deductible
    /// portion to the reservation and the counters; emits {Extended}; returns `reservationId`.
    /// Later period: releases the unspent amounts from the old reservation exactly as `release` does (emits
    /// {Released}, deductible restored in the old period); then opens a new reservation in the current period,
    /// owned by the caller, holding fundReserved = unspentFund + fundShare and patientReserved =
    /// unspentPatient + patientShare (emits {Renewed} then {Extended} for the new id). The carried fund counts
    /// toward the current period's fundUsed (before the new charge is cost-shared, so it uses cap headroom)
    /// and toward the budget check (requested = unspentFund + fundShare), but carried money never counts
    /// toward the deductible. Returns the new id; `quote` covers `charge` alone.
    function topUp(
        uint256 reservationId,
        uint128 unspentFund,
        uint128 unspentPatient,
        uint128 charge,
        address initiator
    ) external returns (uint256 newReservationId, Supervision.Quote memory quote);
    /// @notice Returns money to the payers' side of the books. Never blocked by a freeze.
    /// @dev Emits {Released}. Requirements: the reservation exists and belongs to the caller (MODULE_ROLE is
    /// not required, so a module whose role was revoked can still refund); `fundAmount <= fundReserved`,
    /// `patientAmount <= patientReserved`. Lowers the reservation, the period's institution used and the
    /// patient's fundUsed by `fundAmount`. Deductible restore: a reservation counts
    /// min(deductibleCounted, fundReserved + patientReserved) of the deductible, so
    /// restored = deductibleCounted - min(deductibleCounted, remaining total): a partial refund that leaves
    /// the consumed value at or above the deductible portion restores nothing; a full refund restores it all.
    /// The patient's deductibleMet falls by `restored`.
    function release(uint256 reservationId, uint128 fundAmount, uint128 patientAmount) external;
}
