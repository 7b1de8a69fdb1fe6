// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Types of the Regulator: programs, coverage, the supervised parties and reservations.
/// @dev Every amount is in units of the settlement token (CareUSD, 6 decimals).
library Supervision {
    /// @notice How a program's budget periods are measured.
    /// @dev `Seconds`: fixed-length periods of `length` seconds from `anchor`.
    /// `Months`: calendar months (UTC) from the month that starts at `anchor`; `length` months per
    /// period, so 1 is a month, 3 a quarter and 12 a year, whatever the months' lengths.
    enum PeriodUnit {
        Seconds,
        Months
    }

    /// @notice A program's period schedule. Periods are numbered from 0 at `anchor`; they roll over
    /// lazily (counters are keyed by period index, so nothing has to run when a period ends).
    struct PeriodSchedule {
        uint64 anchor; // first second of period 0 (for Months: the first second of a UTC month)
        uint32 length; // seconds (Seconds) or months (Months) per period; never zero
        PeriodUnit unit;
    }

    /// @notice An insurance scheme: whose account pays the fund share and how periods run.
    struct Program {
        address fundAccount; // pays the fund share; manages the program's operators
        PeriodSchedule schedule;
        bool frozen; // no new reservations and no payouts while set; refunds still flow
    }

    /// @notice The rules of one service type within one program.
    struct Coverage {
        bool covered; // false: the program pays nothing for this service type and refuses it
        bool crossRegionAllowed; // whether a patient may use it at an institution of another region
        uint16 ratioBps; // fund share of the charge above the deductible, in basis points (<= 10_000)
        uint128 deductible; // per patient per period: the first units of charges the patient pays
        uint128 fundCapPerPatient; // per patient per period: the most the fund pays (0 = no cap)
    }

    /// @notice A designated institution (hospital or internet hospital).
    struct Institution {
        bool registered;
        bool frozen; // no new reservations and no payouts while set; refunds still flow
        uint32 region; // pooling-region code
    }

    /// @notice A practitioner, supervised individually.
    struct Practitioner {
        address institution; // the institution the practitioner belongs to
        uint32 dailyServiceLimit; // services per UTC day (high-frequency control); 0 = none allowed
        bool frozen;
    }

    /// @notice A pseudonymous patient. No personal data: the id is an opaque bytes32.
    struct Patient {
        address account; // the patient's personal account: pays the patient share, receives refunds
        uint32 programId;
        uint32 region; // insured (pooling) region
        bool frozen;
    }

    /// @notice What a payment module asks the Regulator to authorise.
    struct Claim {
        uint32 programId;
        bytes32 patientId;
        address institution;
        address practitioner;
        bytes32 serviceType;
        bytes32 payee; // the split id the money will be paid to; the institution must approve it
        address initiator; // who asked the module (msg.sender there): the patient's account or a fund operator
        uint128 charge; // the full price of the service, fund and patient shares together
    }

    /// @notice The result of cost sharing for one charge.
    struct Quote {
        uint128 fundShare;
        uint128 patientShare; // fundShare + patientShare == charge, always
        uint128 deductiblePortion; // part of patientShare that counted toward the deductible
        uint32 period;
    }

    /// @notice Fund money authorised for one episode, stream or charge, owned by the module that made it.
    /// @dev Counters of the reservation's period hold `fundReserved`; releases lower both.
    struct Reservation {
        address module; // the payment module that made it; only it may top up or release
        uint32 programId;
        uint32 period; // the budget period whose counters hold this reservation
        bytes32 patientId;
        address institution;
        bytes32 serviceType;
        uint128 fundReserved; // fund share still committed (reserved minus released)
        uint128 patientReserved; // patient share still committed (paid minus refunded)
        uint128 deductibleCounted; // part of the patient's deductible this reservation still uses
    }

    /*//////////////////////////////////////////////////////////////////////////
                  STORAGE RECORDS (the Regulator's packed layout, not part of its ABI)
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice How the Regulator stores a program: what every reservation reads fits in the first slot.
    struct ProgramRecord {
        // slot 0
        uint64 anchor;
        uint32 length;
        PeriodUnit unit;
        bool frozen;
        // slot 1 (read only when the initiator is not the patient, and by configuration)
        address fundAccount;
    }

    /// @notice How the Regulator stores one coverage line, i.e. the rules of one (program, service type).
    /// @dev One slot. Amounts are limited to 64 bits (1.8e19 units, 1.8e13 CareUSD per patient and period) so
    /// that a reservation's deductible portion packs beside its institution; `setCoverage` refuses larger ones.
    struct CoverageRecord {
        bool covered;
        bool crossRegionAllowed;
        uint16 ratioBps;
        uint32 line; // the line's id, assigned on the first `setCoverage` of (program, service type); 0 = never set
        uint64 deductible; // units per patient per period
        uint64 fundCapPerPatient; // units per patient per period; 0 = no cap
    }

    /// @notice How the Regulator stores an institution, keyed by its address: what `reserve` reads, in one slot.
    /// @dev `number` is given at the first registration (1, 2, ...; 0 = never registered) and never changes;
    /// reservations and budgets refer to the institution by it.
    struct InstitutionRecord {
        uint32 number;
        uint32 region;
        bool frozen;
    }

    /// @notice The same institution keyed by its number: what `checkPayout`, `topUp` and the views read from a
    /// reservation, in one slot. `registerInstitution` and `setInstitutionFrozen` write both records.
    struct InstitutionByNumber {
        address account;
        uint32 region;
        bool frozen;
    }

    /// @notice How the Regulator stores a practitioner, with the count of services of its latest day (one slot).
    /// @dev Only the latest UTC day is kept: a service on a later day starts the count again at 1, so the
    /// daily limit needs no per-day slot. 24 bits of days since 1970 last until the year 47,900.
    struct PractitionerRecord {
        address institution;
        uint32 dailyServiceLimit;
        bool frozen;
        uint24 day; // UTC day (timestamp / 1 days) of `services`
        uint32 services; // services reserved on `day`
    }

    /// @notice How the Regulator stores a reservation: two slots instead of the seven of `Reservation`.
    /// @dev The service type is kept as its coverage line's id, the patient and the institution as the numbers
    /// given at registration (all map back to the public values); the counters are keyed by the same numbers,
    /// so a release needs no lookup. Amounts are limited to 64 bits (1.8e19 units, 1.8e13 CareUSD per
    /// reservation); a reserve or top-up that would hold more reverts with `Regulator_ReservationAboveMax`.
    struct ReservationRecord {
        // slot 0: what `checkPayout` reads
        address module;
        uint32 programId;
        uint32 institutionNumber;
        uint32 patientNumber; // the patient's registration number (1, 2, ...)
        // slot 1
        uint32 period;
        uint32 line; // coverage line of (programId, serviceType)
        uint64 deductibleCounted; // <= the line's deductible, which fits in 64 bits
        uint64 fundReserved;
        uint64 patientReserved;
    }

    /// @notice An institution's fund budget counters for one program and period (one slot).
    /// @dev The period-specific budget applies when `budgetSet` (so 0 is a valid explicit budget); otherwise the
    /// institution's default budget does.
    struct PeriodLedger {
        uint128 used; // sum of `fundReserved` of the period's reservations at the institution
        uint120 budget; // the period-specific budget, in units (at most 2^120 - 1)
        bool budgetSet;
    }

    /// @notice A patient's counters for one coverage line and period (one slot).
    struct PatientUsage {
        uint128 deductibleMet; // sum of `deductibleCounted` of the period's reservations
        uint128 fundUsed; // sum of `fundReserved` of the period's reservations
    }
}
