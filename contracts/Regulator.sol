// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IRegulator} from "./interfaces/IRegulator.sol";
import {Calendar} from "./libraries/Calendar.sol";
import {CostSharing} from "./libraries/CostSharing.sol";
import {Errors} from "./libraries/Errors.sol";
import {Supervision} from "./types/Supervision.sol";

/// @title Regulator
/// @notice The insurance fund's rules, enforced while money moves: programs, coverage, budgets, the
/// supervised parties, freezes, and the reservations payment modules make before any money moves.
/// @dev See {IRegulator} for the rules. The Regulator holds no tokens and makes no external calls.
/// Storage is packed (types/Supervision.sol, "storage records"): a reservation takes two slots, every record
/// `reserve` reads is one slot (the program's fund account is a second slot, read only when the initiator is
/// not the patient), and the practitioner's daily count lives in the practitioner's slot. Institutions and
/// patients get numbers at registration, so reservations and counters refer to them in 32 bits.
contract Regulator is IRegulator, AccessControlDefaultAdminRules {
    /*//////////////////////////////////////////////////////////////////////////
                                      CONSTANTS
    //////////////////////////////////////////////////////////////////////////*/

    bytes32 public constant override CONFIGURATOR_ROLE = keccak256("CONFIGURATOR_ROLE");
    bytes32 public constant override REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 public constant override SUPERVISOR_ROLE = keccak256("SUPERVISOR_ROLE");
    bytes32 public constant override MODULE_ROLE = keccak256("MODULE_ROLE");
    bytes32 public constant override ARBITER_ROLE = keccak256("ARBITER_ROLE");

    /*//////////////////////////////////////////////////////////////////////////
                                    STATE VARIABLES
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRegulator
    uint32 public override programCount;

    /// @dev Coverage line ids handed out so far (ids start at 1).
    uint32 private _coverageLineCount;

    /// @dev Patient numbers handed out so far (numbers start at 1; 0 = not registered).
    uint32 private _patientCount;

    /// @dev Institution numbers handed out so far (numbers start at 1; 0 = not registered).
    uint32 private _institutionCount;

    /// @inheritdoc IRegulator
    /// @dev In the same slot as the counters above. `checkPayout` reads it first: while it is zero (the usual
    /// state) no payout can be blocked, so the program's and the institution's records are not read (4,200 gas
    /// of cold reads saved on every payout).
    uint64 public override payoutFreezeCount;

    /// @inheritdoc IRegulator
    uint256 public override reservationCount;

    mapping(uint32 programId => Supervision.ProgramRecord) private _programs;
    mapping(uint32 programId => mapping(address account => bool)) private _fundOperators;
    mapping(uint32 programId => mapping(bytes32 serviceType => Supervision.CoverageRecord)) private _coverage;
    mapping(uint32 line => bytes32 serviceType) private _lineServiceType;

    mapping(uint32 programId => mapping(uint32 institutionNumber => uint128)) private _defaultBudgets;
    mapping(uint32 programId => mapping(uint32 institutionNumber => mapping(uint32 period => Supervision.PeriodLedger)))
        private _ledgers;

    mapping(address institution => Supervision.InstitutionRecord) private _institutions;
    mapping(uint32 institutionNumber => Supervision.InstitutionByNumber) private _institutionsByNumber;
    mapping(address practitioner => Supervision.PractitionerRecord) private _practitioners;
    /// @dev Patients are stored by number, so that a reservation reaches its patient in one read.
    mapping(uint32 number => Supervision.Patient) private _patients;
    mapping(bytes32 patientId => uint32 number) private _patientNumbers;
    mapping(uint32 number => bytes32 patientId) private _patientIds;
    mapping(address institution => mapping(bytes32 payee => bool)) private _payeeApproved;

    mapping(uint32 line => mapping(uint32 patientNumber => mapping(uint32 period => Supervision.PatientUsage))) private
        _usage;

    mapping(uint256 reservationId => Supervision.ReservationRecord) private _reservations;

    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @param initialDelay Seconds a default-admin handover must wait (AccessControlDefaultAdminRules).
    /// @param initialAdmin The first default admin; grants every other role.
    constructor(uint48 initialDelay, address initialAdmin) AccessControlDefaultAdminRules(initialDelay, initialAdmin) {}

    /*//////////////////////////////////////////////////////////////////////////
                           USER-FACING READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRegulator
    function getProgram(uint32 programId) external view override returns (Supervision.Program memory program) {
        Supervision.ProgramRecord storage record = _programs[programId];
        program.fundAccount = record.fundAccount;
        program.schedule = _scheduleOf(record);
        program.frozen = record.frozen;
    }

    /// @inheritdoc IRegulator
    function getCoverage(uint32 programId, bytes32 serviceType)
        external
        view
        override
        returns (Supervision.Coverage memory coverage)
    {
        Supervision.CoverageRecord storage record = _coverage[programId][serviceType];
        coverage = Supervision.Coverage({
            covered: record.covered,
            crossRegionAllowed: record.crossRegionAllowed,
            ratioBps: record.ratioBps,
            deductible: record.deductible,
            fundCapPerPatient: record.fundCapPerPatient
        });
    }

    /// @inheritdoc IRegulator
    function getInstitution(address institution)
        external
        view
        override
        returns (Supervision.Institution memory record)
    {
        Supervision.InstitutionRecord memory stored = _institutions[institution];
        record = Supervision.Institution({registered: stored.number != 0, frozen: stored.frozen, region: stored.region});
    }

    /// @inheritdoc IRegulator
    function getPractitioner(address practitioner)
        external
        view
        override
        returns (Supervision.Practitioner memory record)
    {
        Supervision.PractitionerRecord memory stored = _practitioners[practitioner];
        record = Supervision.Practitioner({
            institution: stored.institution,
            dailyServiceLimit: stored.dailyServiceLimit,
            frozen: stored.frozen
        });
    }

    /// @inheritdoc IRegulator
    function getPatient(bytes32 patientId) external view override returns (Supervision.Patient memory) {
        // Number 0 (never registered) holds the empty record.
        return _patients[_patientNumbers[patientId]];
    }

    /// @inheritdoc IRegulator
    function getReservation(uint256 reservationId)
        external
        view
        override
        returns (Supervision.Reservation memory reservation)
    {
        Supervision.ReservationRecord storage record = _reservations[reservationId];
        reservation = Supervision.Reservation({
            module: record.module,
            programId: record.programId,
            period: record.period,
            patientId: _patientIds[record.patientNumber],
            institution: _institutionsByNumber[record.institutionNumber].account,
            serviceType: _lineServiceType[record.line],
            fundReserved: record.fundReserved,
            patientReserved: record.patientReserved,
            deductibleCounted: record.deductibleCounted
        });
    }

    /// @inheritdoc IRegulator
    function isFundOperator(uint32 programId, address account) public view override returns (bool) {
        return account != address(0)
            && (account == _programs[programId].fundAccount || _fundOperators[programId][account]);
    }

    /// @inheritdoc IRegulator
    function isPayeeApproved(address institution, bytes32 payee) external view override returns (bool) {
        return _payeeApproved[institution][payee];
    }

    /// @inheritdoc IRegulator
    function periodOf(uint32 programId, uint64 timestamp) external view override returns (uint32) {
        return _periodAt(programId, _existingProgram(programId), timestamp);
    }

    /// @inheritdoc IRegulator
    function currentPeriod(uint32 programId) external view override returns (uint32) {
        return _periodAt(programId, _existingProgram(programId), _now());
    }

    /// @inheritdoc IRegulator
    function periodBounds(uint32 programId, uint32 period)
        external
        view
        override
        returns (uint64 start, uint64 end)
    {
        return Calendar.periodBounds(_scheduleOf(_existingProgram(programId)), period);
    }

    /// @inheritdoc IRegulator
    function budgetOf(uint32 programId, address institution, uint32 period)
        external
        view
        override
        returns (uint128 budget, uint128 used, uint128 remaining)
    {
        // An unregistered institution has number 0, whose ledgers and default budgets are never written.
        uint32 number = _institutions[institution].number;
        Supervision.PeriodLedger storage ledger = _ledgers[programId][number][period];
        budget = _budgetOf(programId, number, ledger);
        used = ledger.used;
        remaining = budget > used ? budget - used : 0;
    }

    /// @inheritdoc IRegulator
    function patientUsage(uint32 programId, bytes32 patientId, bytes32 serviceType, uint32 period)
        external
        view
        override
        returns (uint128 deductibleMet, uint128 fundUsed)
    {
        // Line 0 (never configured) and patient number 0 (not registered) never hold a reservation.
        Supervision.PatientUsage storage usage =
            _usage[_coverage[programId][serviceType].line][_patientNumbers[patientId]][period];
        return (usage.deductibleMet, usage.fundUsed);
    }

    /// @inheritdoc IRegulator
    function practitionerServices(address practitioner, uint64 day) external view override returns (uint32) {
        Supervision.PractitionerRecord storage record = _practitioners[practitioner];
        return record.day == day ? record.services : 0;
    }

    /// @inheritdoc IRegulator
    function quote(uint32 programId, bytes32 patientId, bytes32 serviceType, uint128 charge)
        external
        view
        override
        returns (Supervision.Quote memory q)
    {
        uint32 period = _periodAt(programId, _existingProgram(programId), _now());
        Supervision.CoverageRecord storage coverage = _coverage[programId][serviceType];
        if (!coverage.covered) revert Errors.Regulator_ServiceNotCovered(programId, serviceType);
        Supervision.PatientUsage storage usage = _usage[coverage.line][_patientNumbers[patientId]][period];
        (q.fundShare, q.patientShare, q.deductiblePortion) = CostSharing.split(
            charge,
            coverage.ratioBps,
            coverage.deductible,
            usage.deductibleMet,
            coverage.fundCapPerPatient,
            usage.fundUsed
        );
        q.period = period;
    }

    /// @inheritdoc IRegulator
    function checkPayout(uint256 reservationId) external view override {
        Supervision.ReservationRecord storage reservation = _existingReservation(reservationId);
        // Nothing that blocks payouts is frozen anywhere: the per-record flags below cannot be set.
        if (payoutFreezeCount == 0) return;
        uint32 programId = reservation.programId;
        if (_programs[programId].frozen) revert Errors.Regulator_ProgramFrozen(programId);
        Supervision.InstitutionByNumber storage institution = _institutionsByNumber[reservation.institutionNumber];
        if (institution.frozen) revert Errors.Regulator_InstitutionFrozen(institution.account);
    }

    /// @inheritdoc IRegulator
    function reservationAccounts(uint256 reservationId)
        external
        view
        override
        returns (address fundAccount, address patientAccount)
    {
        Supervision.ReservationRecord storage reservation = _existingReservation(reservationId);
        fundAccount = _programs[reservation.programId].fundAccount;
        patientAccount = _patients[reservation.patientNumber].account;
    }

    /// @inheritdoc IRegulator
    function reservationPatientAccount(uint256 reservationId) external view override returns (address) {
        return _patients[_existingReservation(reservationId).patientNumber].account;
    }

    /// @inheritdoc IRegulator
    function mayActFor(uint256 reservationId, address account) external view override returns (bool) {
        Supervision.ReservationRecord storage reservation = _existingReservation(reservationId);
        if (account == address(0)) return false;
        if (account == _patients[reservation.patientNumber].account) return true;
        // `isFundOperator`, with the operator flag read first: a fund's streams are usually run by operators,
        // and the fund account's slot is then not read.
        uint32 programId = reservation.programId;
        return _fundOperators[programId][account] || account == _programs[programId].fundAccount;
    }

    /*//////////////////////////////////////////////////////////////////////////
                         USER-FACING STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    // ----------------------------- configuration ----------------------------

    /// @inheritdoc IRegulator
    function createProgram(address fundAccount, Supervision.PeriodSchedule calldata schedule)
        external
        override
        onlyRole(CONFIGURATOR_ROLE)
        returns (uint32 programId)
    {
        if (fundAccount == address(0)) revert Errors.Regulator_ZeroFundAccount();
        if (schedule.length == 0) revert Errors.Regulator_ZeroPeriodLength();
        if (schedule.unit == Supervision.PeriodUnit.Months && !Calendar.isMonthStart(schedule.anchor)) {
            revert Errors.Regulator_AnchorNotMonthStart(schedule.anchor);
        }
        programId = ++programCount;
        _programs[programId] = Supervision.ProgramRecord({
            anchor: schedule.anchor,
            length: schedule.length,
            unit: schedule.unit,
            frozen: false,
            fundAccount: fundAccount
        });
        emit ProgramCreated(programId, fundAccount, schedule);
    }

    /// @inheritdoc IRegulator
    function setCoverage(uint32 programId, bytes32 serviceType, Supervision.Coverage calldata coverage)
        external
        override
        onlyRole(CONFIGURATOR_ROLE)
    {
        _existingProgram(programId);
        if (coverage.ratioBps > CostSharing.BPS) {
            revert Errors.Regulator_RatioAboveMax(coverage.ratioBps, uint16(CostSharing.BPS));
        }
        Supervision.CoverageRecord storage record = _coverage[programId][serviceType];
        uint32 line = record.line;
        if (line == 0) {
            // First rules for this (program, service type): give it a line id for reservations and counters.
            line = ++_coverageLineCount;
            _lineServiceType[line] = serviceType;
        }
        _coverage[programId][serviceType] = Supervision.CoverageRecord({
            covered: coverage.covered,
            crossRegionAllowed: coverage.crossRegionAllowed,
            ratioBps: coverage.ratioBps,
            line: line,
            // 64 bits is 1.8e13 CareUSD per patient and period; larger amounts revert (OpenZeppelin's SafeCast error).
            deductible: SafeCast.toUint64(coverage.deductible),
            fundCapPerPatient: SafeCast.toUint64(coverage.fundCapPerPatient)
        });
        emit CoverageSet(programId, serviceType, coverage);
    }

    /// @inheritdoc IRegulator
    function setDefaultBudget(uint32 programId, address institution, uint128 amount)
        external
        override
        onlyRole(CONFIGURATOR_ROLE)
    {
        _defaultBudgets[programId][_checkBudgetTarget(programId, institution)] = amount;
        emit DefaultBudgetSet(programId, institution, amount);
    }

    /// @inheritdoc IRegulator
    function setPeriodBudget(uint32 programId, address institution, uint32 period, uint128 amount)
        external
        override
        onlyRole(CONFIGURATOR_ROLE)
    {
        Supervision.PeriodLedger storage ledger = _ledgers[programId][_checkBudgetTarget(programId, institution)][period];
        // 120 bits is 1.3e30 CareUSD; larger amounts revert with OpenZeppelin's SafeCast error.
        ledger.budget = SafeCast.toUint120(amount);
        ledger.budgetSet = true;
        emit PeriodBudgetSet(programId, institution, period, amount);
    }

    // ------------------------------- registry -------------------------------

    /// @inheritdoc IRegulator
    function registerInstitution(address institution, uint32 region) external override onlyRole(REGISTRAR_ROLE) {
        if (institution == address(0)) revert Errors.Regulator_ZeroInstitution();
        Supervision.InstitutionRecord storage record = _institutions[institution];
        uint32 number = record.number;
        if (number == 0) {
            // First registration: a number for the reservations and budgets that refer to this institution.
            number = ++_institutionCount;
            record.number = number;
            _institutionsByNumber[number].account = institution;
        }
        record.region = region;
        _institutionsByNumber[number].region = region;
        emit InstitutionRegistered(institution, region);
    }

    /// @inheritdoc IRegulator
    function registerPractitioner(address practitioner, address institution, uint32 dailyServiceLimit)
        external
        override
        onlyRole(REGISTRAR_ROLE)
    {
        if (practitioner == address(0)) revert Errors.Regulator_ZeroPractitioner();
        _registeredInstitution(institution);
        Supervision.PractitionerRecord storage record = _practitioners[practitioner];
        record.institution = institution;
        record.dailyServiceLimit = dailyServiceLimit;
        emit PractitionerRegistered(practitioner, institution, dailyServiceLimit);
    }

    /// @inheritdoc IRegulator
    function registerPatient(bytes32 patientId, address account, uint32 programId, uint32 region)
        external
        override
        onlyRole(REGISTRAR_ROLE)
    {
        if (patientId == bytes32(0)) revert Errors.Regulator_ZeroPatientId();
        if (account == address(0)) revert Errors.Regulator_ZeroPatientAccount(patientId);
        _existingProgram(programId);
        uint32 number = _patientNumbers[patientId];
        if (number == 0) {
            // First registration: a number for the records, reservations and counters of this patient.
            number = ++_patientCount;
            _patientNumbers[patientId] = number;
            _patientIds[number] = patientId;
        }
        Supervision.Patient storage record = _patients[number];
        record.account = account;
        record.programId = programId;
        record.region = region;
        emit PatientRegistered(patientId, account, programId, region);
    }

    // -------------------------------- freezes -------------------------------

    /// @inheritdoc IRegulator
    function setProgramFrozen(uint32 programId, bool frozen) external override onlyRole(SUPERVISOR_ROLE) {
        Supervision.ProgramRecord storage program = _existingProgram(programId);
        _countPayoutFreeze(program.frozen, frozen);
        program.frozen = frozen;
        emit ProgramFrozen(programId, frozen);
    }

    /// @inheritdoc IRegulator
    function setInstitutionFrozen(address institution, bool frozen) external override onlyRole(SUPERVISOR_ROLE) {
        Supervision.InstitutionRecord storage record = _registeredInstitution(institution);
        _countPayoutFreeze(record.frozen, frozen);
        record.frozen = frozen;
        _institutionsByNumber[record.number].frozen = frozen;
        emit InstitutionFrozen(institution, frozen);
    }

    /// @inheritdoc IRegulator
    function setPractitionerFrozen(address practitioner, bool frozen) external override onlyRole(SUPERVISOR_ROLE) {
        _registeredPractitioner(practitioner).frozen = frozen;
        emit PractitionerFrozen(practitioner, frozen);
    }

    /// @inheritdoc IRegulator
    function setPatientFrozen(bytes32 patientId, bool frozen) external override onlyRole(SUPERVISOR_ROLE) {
        Supervision.Patient storage record = _patients[_patientNumbers[patientId]];
        if (record.account == address(0)) revert Errors.Regulator_PatientNotRegistered(patientId);
        record.frozen = frozen;
        emit PatientFrozen(patientId, frozen);
    }

    // ------------------------ fund account, institution ----------------------

    /// @inheritdoc IRegulator
    function setFundOperator(uint32 programId, address operator, bool allowed) external override {
        address fundAccount = _existingProgram(programId).fundAccount;
        if (msg.sender != fundAccount) revert Errors.Regulator_NotFundAccount(programId, msg.sender, fundAccount);
        if (operator == address(0)) revert Errors.Regulator_ZeroOperator(programId);
        _fundOperators[programId][operator] = allowed;
        emit FundOperatorSet(programId, operator, allowed);
    }

    /// @inheritdoc IRegulator
    function setPayeeApproval(bytes32 payee, bool approved) external override {
        _registeredInstitution(msg.sender);
        if (payee == bytes32(0)) revert Errors.Regulator_ZeroPayee(msg.sender);
        _payeeApproved[msg.sender][payee] = approved;
        emit PayeeApprovalSet(msg.sender, payee, approved);
    }

    // ---------------------------- payment modules ---------------------------

    /// @inheritdoc IRegulator
    function reserve(Supervision.Claim calldata claim)
        external
        override
        onlyRole(MODULE_ROLE)
        returns (uint256 reservationId, Supervision.Quote memory q)
    {
        (uint32 period, Supervision.CoverageRecord memory coverage, uint32 institutionNumber, uint32 patientNumber) =
            _checkClaim(claim);
        Supervision.ReservationRecord storage reservation;
        (reservationId, reservation) = _open(claim.programId, institutionNumber, patientNumber);
        q = _extend(reservation, period, coverage, claim.charge, 0, 0);
        emit Reserved(reservationId, msg.sender, claim, q);
    }

    /// @inheritdoc IRegulator
    function commitCharge(Supervision.Claim calldata claim)
        external
        override
        onlyRole(MODULE_ROLE)
        returns (Supervision.Quote memory q, address fundAccount, address patientAccount)
    {
        (uint32 period, Supervision.CoverageRecord memory coverage, uint32 institutionNumber, uint32 patientNumber) =
            _checkClaim(claim);
        // The counters grow exactly as under a reservation that is never released; no record is written,
        // because a payment made in the same transaction has nothing left to top up, release or pay out.
        q = _commit(claim.programId, institutionNumber, period, coverage, patientNumber, claim.charge, 0);
        // A reservation's 64-bit bound (reserve's check 12), so that `reserve` and `commitCharge` accept exactly the
        // same claims and a module moving from one to the other meets no new refusal.
        if (q.fundShare > type(uint64).max || q.patientShare > type(uint64).max) {
            revert Errors.Regulator_ReservationAboveMax(q.fundShare, q.patientShare, type(uint64).max);
        }
        // The payers as registered now, so the module keeps neither (the patient's slot is warm from the checks;
        // the fund account's slot too when a fund operator initiated).
        fundAccount = _programs[claim.programId].fundAccount;
        patientAccount = _patients[patientNumber].account;
        emit Charged(msg.sender, claim, q);
    }

    /// @inheritdoc IRegulator
    function topUp(
        uint256 reservationId,
        uint128 unspentFund,
        uint128 unspentPatient,
        uint128 charge,
        address initiator
    ) external override onlyRole(MODULE_ROLE) returns (uint256 newReservationId, Supervision.Quote memory q) {
        Supervision.ReservationRecord storage reservation = _ownedReservation(reservationId);
        (uint32 period, Supervision.CoverageRecord memory coverage) =
            _checkTopUp(reservation, unspentFund, unspentPatient, charge, initiator);
        // Period numbers are computed by this contract from the program calendar; equal means the same period.
        // slither-disable-next-line incorrect-equality
        if (period == reservation.period) {
            q = _extend(reservation, period, coverage, charge, 0, 0);
            newReservationId = reservationId;
        } else {
            (newReservationId, q) =
                _renew(reservationId, reservation, period, coverage, unspentFund, unspentPatient, charge);
        }
        emit Extended(newReservationId, charge, q);
    }

    /// @inheritdoc IRegulator
    function release(uint256 reservationId, uint128 fundAmount, uint128 patientAmount) external override {
        Supervision.ReservationRecord storage reservation = _ownedReservation(reservationId);
        uint128 restored = _release(reservationId, reservation, fundAmount, patientAmount);
        emit Released(reservationId, fundAmount, patientAmount, restored);
    }

    /*//////////////////////////////////////////////////////////////////////////
                             INTERNAL READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev block.timestamp as the uint64 the schedules use (it fits until the year 584 billion).
    function _now() private view returns (uint64) {
        return uint64(block.timestamp);
    }

    /// @dev The program's record; reverts when it was never created (a created program has length != 0).
    function _existingProgram(uint32 programId) private view returns (Supervision.ProgramRecord storage program) {
        program = _programs[programId];
        if (program.length == 0) revert Errors.Regulator_ProgramNotFound(programId);
    }

    function _registeredInstitution(address institution)
        private
        view
        returns (Supervision.InstitutionRecord storage record)
    {
        record = _institutions[institution];
        if (record.number == 0) revert Errors.Regulator_InstitutionNotRegistered(institution);
    }

    /// @dev A registered practitioner always has an institution.
    function _registeredPractitioner(address practitioner)
        private
        view
        returns (Supervision.PractitionerRecord storage record)
    {
        record = _practitioners[practitioner];
        if (record.institution == address(0)) revert Errors.Regulator_PractitionerNotRegistered(practitioner);
    }

    function _scheduleOf(Supervision.ProgramRecord storage program)
        private
        view
        returns (Supervision.PeriodSchedule memory)
    {
        return Supervision.PeriodSchedule({anchor: program.anchor, length: program.length, unit: program.unit});
    }

    /// @dev The period of `timestamp` in an existing program's schedule.
    function _periodAt(uint32 programId, Supervision.ProgramRecord storage program, uint64 timestamp)
        private
        view
        returns (uint32)
    {
        Supervision.PeriodSchedule memory schedule = _scheduleOf(program);
        if (timestamp < schedule.anchor) {
            revert Errors.Regulator_BeforeFirstPeriod(programId, timestamp, schedule.anchor);
        }
        return Calendar.periodIndex(schedule, timestamp);
    }

    /// @dev Claim checks 3: the program exists, is not frozen, and has started; returns the current period.
    function _openProgramPeriod(uint32 programId) private view returns (uint32) {
        Supervision.ProgramRecord storage program = _existingProgram(programId);
        if (program.frozen) revert Errors.Regulator_ProgramFrozen(programId);
        return _periodAt(programId, program, _now());
    }

    /// @dev Claim checks 4 and 5: the initiator, then the patient (number `patientNumber`, id `patientId`, or
    /// zero to look the id up, which only an error needs); returns the patient's region.
    function _checkPatient(uint32 programId, bytes32 patientId, uint32 patientNumber, address initiator)
        private
        view
        returns (uint32 region)
    {
        Supervision.Patient memory patient = _patients[patientNumber];
        // The patient's own account is the usual initiator; the fund account's slot is read only otherwise.
        if (initiator == address(0) || (initiator != patient.account && !isFundOperator(programId, initiator))) {
            revert Errors.Regulator_UnauthorizedInitiator(programId, _idOf(patientId, patientNumber), initiator);
        }
        if (patient.account == address(0)) revert Errors.Regulator_PatientNotRegistered(_idOf(patientId, patientNumber));
        if (patient.programId != programId) {
            revert Errors.Regulator_PatientNotInProgram(_idOf(patientId, patientNumber), patient.programId, programId);
        }
        if (patient.frozen) revert Errors.Regulator_PatientFrozen(_idOf(patientId, patientNumber));
        return patient.region;
    }

    /// @dev The patient's id for an error: `patientId` when the caller knows it, else looked up by number.
    function _idOf(bytes32 patientId, uint32 patientNumber) private view returns (bytes32) {
        return patientId != bytes32(0) ? patientId : _patientIds[patientNumber];
    }

    /// @dev Claim check 6; returns the institution's number and region.
    function _checkInstitution(address institution) private view returns (uint32 number, uint32 region) {
        Supervision.InstitutionRecord memory record = _registeredInstitution(institution);
        if (record.frozen) revert Errors.Regulator_InstitutionFrozen(institution);
        return (record.number, record.region);
    }

    /// @dev Claim checks 8 and 9; returns the coverage line.
    function _coverageFor(uint32 programId, bytes32 serviceType, uint32 patientRegion, uint32 institutionRegion)
        private
        view
        returns (Supervision.CoverageRecord memory coverage)
    {
        coverage = _coverage[programId][serviceType];
        if (!coverage.covered) revert Errors.Regulator_ServiceNotCovered(programId, serviceType);
        if (patientRegion != institutionRegion && !coverage.crossRegionAllowed) {
            revert Errors.Regulator_CrossRegionNotAllowed(programId, serviceType, patientRegion, institutionRegion);
        }
    }

    /// @dev Budgets are set for an existing program and a registered institution; returns its number.
    function _checkBudgetTarget(uint32 programId, address institution) private view returns (uint32) {
        _existingProgram(programId);
        return _registeredInstitution(institution).number;
    }

    /// @dev The budget that applies to a period: its own if one was set (0 included), else the default.
    function _budgetOf(uint32 programId, uint32 institutionNumber, Supervision.PeriodLedger storage ledger)
        private
        view
        returns (uint128)
    {
        if (ledger.budgetSet) return ledger.budget;
        return _defaultBudgets[programId][institutionNumber];
    }

    /// @dev The checks of `topUp` after the reservation's owner; returns the current period and the coverage line.
    function _checkTopUp(
        Supervision.ReservationRecord storage reservation,
        uint128 unspentFund,
        uint128 unspentPatient,
        uint128 charge,
        address initiator
    ) private view returns (uint32 period, Supervision.CoverageRecord memory coverage) {
        uint32 programId = reservation.programId;
        period = _openProgramPeriod(programId);
        // A same-period top-up must add something; a later-period one may only carry.
        // A zero charge and period numbers are arguments and calendar values, not balances anyone can move.
        // slither-disable-next-line incorrect-equality
        if (charge == 0 && (period == reservation.period || (unspentFund == 0 && unspentPatient == 0))) {
            revert Errors.Regulator_ZeroCharge();
        }
        uint32 patientRegion = _checkPatient(programId, bytes32(0), reservation.patientNumber, initiator);
        Supervision.InstitutionByNumber memory institution = _institutionsByNumber[reservation.institutionNumber];
        if (institution.frozen) revert Errors.Regulator_InstitutionFrozen(institution.account);
        uint32 institutionRegion = institution.region;
        coverage = _coverageFor(programId, _lineServiceType[reservation.line], patientRegion, institutionRegion);
    }

    /// @dev The reservation, checked to exist (every reservation has a module).
    function _existingReservation(uint256 reservationId)
        private
        view
        returns (Supervision.ReservationRecord storage reservation)
    {
        reservation = _reservations[reservationId];
        if (reservation.module == address(0)) revert Errors.Regulator_ReservationNotFound(reservationId);
    }

    /// @dev The reservation, checked to exist and to belong to the caller.
    function _ownedReservation(uint256 reservationId)
        private
        view
        returns (Supervision.ReservationRecord storage reservation)
    {
        reservation = _existingReservation(reservationId);
        address module = reservation.module;
        if (module != msg.sender) revert Errors.Regulator_NotReservationModule(reservationId, msg.sender, module);
    }

    /*//////////////////////////////////////////////////////////////////////////
                           INTERNAL STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev The checks of `reserve` after its role, in the documented order (the practitioner's service is
    /// counted for the day); returns the current period and the coverage line.
    function _checkClaim(Supervision.Claim calldata claim)
        private
        returns (
            uint32 period,
            Supervision.CoverageRecord memory coverage,
            uint32 institutionNumber,
            uint32 patientNumber
        )
    {
        if (claim.charge == 0) revert Errors.Regulator_ZeroCharge();
        uint32 programId = claim.programId;
        period = _openProgramPeriod(programId);
        patientNumber = _patientNumbers[claim.patientId];
        uint32 patientRegion = _checkPatient(programId, claim.patientId, patientNumber, claim.initiator);
        uint32 institutionRegion;
        (institutionNumber, institutionRegion) = _checkInstitution(claim.institution);
        _countPractitionerService(claim.practitioner, claim.institution);
        coverage = _coverageFor(programId, claim.serviceType, patientRegion, institutionRegion);
        if (!_payeeApproved[claim.institution][claim.payee]) {
            revert Errors.Regulator_PayeeNotApproved(claim.institution, claim.payee);
        }
    }

    /// @dev Keeps `payoutFreezeCount` equal to the number of frozen programs and institutions: it changes only
    /// when a flag actually flips, so freezing twice (or unfreezing what is not frozen) counts nothing.
    function _countPayoutFreeze(bool wasFrozen, bool frozen) private {
        if (frozen == wasFrozen) return;
        // Unchecked: at most 2^32 programs and 2^32 institutions exist (32-bit ids and numbers), so the count
        // stays below 2^33 and cannot overflow 64 bits; it only drops for a flag that was counted when it was set.
        unchecked {
            if (frozen) ++payoutFreezeCount;
            else --payoutFreezeCount;
        }
    }

    /// @dev Claim check 7: the practitioner, then counts the service on today's UTC day (in the practitioner's
    /// own slot, which keeps only the latest day's count).
    function _countPractitionerService(address practitioner, address institution) private {
        Supervision.PractitionerRecord storage stored = _registeredPractitioner(practitioner);
        Supervision.PractitionerRecord memory record = stored;
        if (record.institution != institution) {
            revert Errors.Regulator_PractitionerNotAtInstitution(practitioner, record.institution, institution);
        }
        if (record.frozen) revert Errors.Regulator_PractitionerFrozen(practitioner);
        // Fits: 2^24 days after 1970 is the year 47,900.
        uint24 day = uint24(block.timestamp / Calendar.SECONDS_PER_DAY);
        // UTC day numbers this contract stores and computes; equal means the same day.
        // slither-disable-next-line incorrect-equality
        uint32 services = record.day == day ? record.services : 0;
        if (services >= record.dailyServiceLimit) {
            revert Errors.Regulator_DailyServiceLimitReached(practitioner, day, record.dailyServiceLimit);
        }
        // Unchecked: services < dailyServiceLimit <= type(uint32).max.
        unchecked {
            record.services = services + 1;
        }
        stored.day = day;
        stored.services = record.services;
    }

    /// @dev Cost-shares `charge` in `period` and commits it with `carriedFund` (fund money moved from an
    /// earlier period's reservation): the budget must hold carriedFund + fundShare (claim check 11), and the
    /// patient's fundUsed grows by both, deductibleMet by the deductible portion. The carried fund enters
    /// fundUsed before the charge is shared, so it takes cap headroom first.
    function _commit(
        uint32 programId,
        uint32 institutionNumber,
        uint32 period,
        Supervision.CoverageRecord memory coverage,
        uint32 patientNumber,
        uint128 charge,
        uint128 carriedFund
    ) private returns (Supervision.Quote memory q) {
        Supervision.PatientUsage storage usage = _usage[coverage.line][patientNumber][period];
        uint128 deductibleMet = usage.deductibleMet;
        uint128 fundUsed = usage.fundUsed + carriedFund;
        (q.fundShare, q.patientShare, q.deductiblePortion) = CostSharing.split(
            charge, coverage.ratioBps, coverage.deductible, deductibleMet, coverage.fundCapPerPatient, fundUsed
        );
        q.period = period;

        uint128 fundTotal = carriedFund + q.fundShare;
        if (fundTotal != 0) _spendBudget(programId, institutionNumber, period, fundTotal);
        if (fundTotal != 0 || q.deductiblePortion != 0) {
            usage.deductibleMet = deductibleMet + q.deductiblePortion;
            usage.fundUsed = fundUsed + q.fundShare;
        }
    }

    /// @dev Claim check 11: adds `amount` to the institution's used budget of the period, if it fits.
    function _spendBudget(uint32 programId, uint32 institutionNumber, uint32 period, uint128 amount) private {
        Supervision.PeriodLedger storage ledger = _ledgers[programId][institutionNumber][period];
        uint128 used = ledger.used;
        uint128 budget = _budgetOf(programId, institutionNumber, ledger);
        uint128 remaining = budget > used ? budget - used : 0;
        if (amount > remaining) {
            address institution = _institutionsByNumber[institutionNumber].account;
            revert Errors.Regulator_BudgetExceeded(programId, institution, period, amount, remaining);
        }
        // Unchecked: amount <= remaining = budget - used, so used + amount <= budget.
        unchecked {
            ledger.used = used + amount;
        }
    }

    /// @dev The first slot of a new reservation under the next id; `_extend` writes the second.
    function _open(uint32 programId, uint32 institutionNumber, uint32 patientNumber)
        private
        returns (uint256 reservationId, Supervision.ReservationRecord storage reservation)
    {
        // Unchecked: ids grow by one per reservation; 2^256 is never reached.
        unchecked {
            reservationId = ++reservationCount;
        }
        reservation = _reservations[reservationId];
        reservation.module = msg.sender;
        reservation.programId = programId;
        reservation.institutionNumber = institutionNumber;
        reservation.patientNumber = patientNumber;
    }

    /// @dev Cost-shares `charge` in `period` and adds it, with the carried amounts (0 unless renewing), to the
    /// reservation and the counters; writes the reservation's second slot once.
    function _extend(
        Supervision.ReservationRecord storage reservation,
        uint32 period,
        Supervision.CoverageRecord memory coverage,
        uint128 charge,
        uint128 carriedFund,
        uint128 carriedPatient
    ) private returns (Supervision.Quote memory q) {
        q = _commit(
            reservation.programId,
            reservation.institutionNumber,
            period,
            coverage,
            reservation.patientNumber,
            charge,
            carriedFund
        );
        // Widened to 256 bits, so the bound below is checked before anything can wrap.
        uint256 fundReserved = uint256(reservation.fundReserved) + carriedFund + q.fundShare;
        uint256 patientReserved = uint256(reservation.patientReserved) + carriedPatient + q.patientShare;
        if (fundReserved > type(uint64).max || patientReserved > type(uint64).max) {
            revert Errors.Regulator_ReservationAboveMax(fundReserved, patientReserved, type(uint64).max);
        }
        // Fits: all of a reservation's deductible portions fall in one period of one line, so their sum is
        // at most what the patient met there, which never exceeds the line's 64-bit deductible.
        uint64 deductibleCounted = reservation.deductibleCounted + uint64(q.deductiblePortion);
        reservation.period = period;
        reservation.line = coverage.line;
        reservation.deductibleCounted = deductibleCounted;
        reservation.fundReserved = uint64(fundReserved);
        reservation.patientReserved = uint64(patientReserved);
    }

    /// @dev A later-period top-up: releases the unspent amounts from the old reservation (old period's counters)
    /// and opens a new one in `period` holding them plus the shares of `charge`.
    function _renew(
        uint256 reservationId,
        Supervision.ReservationRecord storage reservation,
        uint32 period,
        Supervision.CoverageRecord memory coverage,
        uint128 unspentFund,
        uint128 unspentPatient,
        uint128 charge
    ) private returns (uint256 newReservationId, Supervision.Quote memory q) {
        uint128 restored = _release(reservationId, reservation, unspentFund, unspentPatient);
        emit Released(reservationId, unspentFund, unspentPatient, restored);
        Supervision.ReservationRecord storage renewed;
        (newReservationId, renewed) =
            _open(reservation.programId, reservation.institutionNumber, reservation.patientNumber);
        q = _extend(renewed, period, coverage, charge, unspentFund, unspentPatient);
        emit Renewed(reservationId, newReservationId, unspentFund, unspentPatient);
    }

    /// @dev Lowers a reservation and its period's counters (see {IRegulator-release}); returns the
    /// deductible restored.
    function _release(
        uint256 reservationId,
        Supervision.ReservationRecord storage reservation,
        uint128 fundAmount,
        uint128 patientAmount
    ) private returns (uint128 restored) {
        Supervision.ReservationRecord memory record = reservation;
        uint128 heldFund = record.fundReserved;
        uint128 heldPatient = record.patientReserved;
        if (fundAmount > heldFund) {
            revert Errors.Regulator_FundReleaseExceedsReserved(reservationId, fundAmount, heldFund);
        }
        if (patientAmount > heldPatient) {
            revert Errors.Regulator_PatientReleaseExceedsReserved(reservationId, patientAmount, heldPatient);
        }
        // Unchecked: both amounts are at most what is held (checked above).
        unchecked {
            heldFund -= fundAmount;
            heldPatient -= patientAmount;
        }
        // The reservation now counts min(deductibleCounted, what it still holds) of the deductible.
        uint256 remainingTotal = uint256(heldFund) + heldPatient;
        uint64 counted = record.deductibleCounted;
        if (counted > remainingTotal) {
            // Unchecked and fits: remainingTotal < counted <= type(uint64).max.
            unchecked {
                restored = counted - uint128(remainingTotal);
            }
            counted = uint64(remainingTotal);
        }
        // Fits: both amounts only went down from what the 64-bit fields held.
        reservation.fundReserved = uint64(heldFund);
        reservation.patientReserved = uint64(heldPatient);
        reservation.deductibleCounted = counted;
        if (fundAmount != 0 || restored != 0) {
            // Checked: the counters are sums over the period's reservations, so they hold at least this one's part.
            Supervision.PatientUsage storage usage = _usage[record.line][record.patientNumber][record.period];
            usage.fundUsed -= fundAmount;
            usage.deductibleMet -= restored;
        }
        if (fundAmount != 0) {
            _ledgers[record.programId][record.institutionNumber][record.period].used -= fundAmount;
        }
    }
}
