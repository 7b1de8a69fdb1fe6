"""The Regulator rebuilt from its events: configuration over time, reservations, charges and their counters.

A charge (`Charged`, a claim paid at once by FeeForService) is checked like a reservation and counts in the
period's counters for good, but is no reservation: the counters equal the live reservations plus the charges.

Checks R1, R2, R4-R10 (R3 is a property of the cost-sharing function over all charges, not of a
history). The cost sharing of every charge is recomputed from the coverage in force and the patient's
counters at that moment, both rebuilt from earlier events, so a quote is compared to the unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from eth_utils import keccak

from carepay.ledger.context import Context
from carepay.ledger.reader import Event

R1 = "For every charge, fund share + patient share = charge exactly."
R2 = "The fund share is the cost-sharing rule applied to the coverage and counters in force (deductible first, floor of the ratio, capped)."
R3 = "Both shares are non-decreasing in the charge."
R4 = "Budget used per (program, institution, period) and each patient's fundUsed and deductibleMet equal the sums over live reservations and charges."
R5 = "No reservation takes an institution's period budget past its budget."
R6 = "Each charge counts in the period of its block's time; a reservation grows only in its own period."
R7 = "A release never exceeds what the reservation holds and restores exactly max(deductibleCounted - remaining, 0) of the deductible."
R8 = "Only MODULE_ROLE accounts reserve or charge."
R9 = "No reservation, charge or top-up involves a frozen program, institution, practitioner or patient; no payout leaves while its institution or program is frozen."
R10 = "Every reservation and charge is for a covered service, within the region rule, to an approved payee, within the practitioner's daily limit, by the patient or a fund operator."

MODULE_ROLE = keccak(text="MODULE_ROLE")
#: Supervision.Reservation, as `getReservation` returns it.
RESERVATION_FIELDS = (
    "module", "programId", "period", "patientId", "institution", "serviceType", "fundReserved", "patientReserved",
    "deductibleCounted",
)
SECONDS_PER_DAY = 86_400


@dataclass
class Reservation:
    id: int
    module: str
    program: int
    period: int | None
    patient: bytes
    institution: str
    service: bytes
    fund: int = 0
    patient_share: int = 0
    deductible: int = 0


def month_index(timestamp: int) -> int:
    day = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)
    return (day.year - 1970) * 12 + day.month - 1


def period_at(schedule: dict, timestamp: int) -> int:
    """Calendar.periodIndex, in Python: seconds from the anchor, or calendar months from its month."""
    if schedule["unit"] == 0:
        elapsed = timestamp - schedule["anchor"]
    else:
        elapsed = month_index(timestamp) - month_index(schedule["anchor"])
    return elapsed // schedule["length"]


def cost_share(charge: int, coverage: dict, deductible_met: int, fund_used: int) -> tuple[int, int, int]:
    """(fundShare, patientShare, deductiblePortion) by the rule in INVARIANTS.md."""
    headroom = max(coverage["deductible"] - deductible_met, 0)
    deductible_part = min(charge, headroom)
    fund = (charge - deductible_part) * coverage["ratioBps"] // 10_000
    cap = coverage["fundCapPerPatient"]
    if cap:
        fund = min(fund, max(cap - fund_used, 0))
    return fund, charge - fund, deductible_part


class RegulatorBook:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.audit = ctx.audit
        self.programs: dict[int, dict] = {}
        self.coverage: dict[tuple[int, bytes], dict] = {}
        self.default_budgets: dict[tuple[int, str], int] = defaultdict(int)
        self.period_budgets: dict[tuple[int, str, int], int] = {}
        self.institutions: dict[str, dict] = {}
        self.practitioners: dict[str, dict] = {}
        self.patients: dict[bytes, dict] = {}
        self.operators: set[tuple[int, str]] = set()
        self.approved: set[tuple[str, bytes]] = set()
        self.modules: set[str] = set()
        self.reservations: dict[int, Reservation] = {}
        self.charged: list[Reservation] = []  # charges (no reservation; `id` is the charge's number, from 1)
        self.last_charged: dict[tuple[str, str], tuple[Reservation, dict]] = {}  # (tx, module) -> latest charge, quote
        self.renewals: dict[int, tuple[int, int, int]] = {}  # old id -> (new id, carried fund, carried patient)
        self.used: dict[tuple[int, str, int], int] = defaultdict(int)  # live: (program, institution, period)
        self.usage: dict[tuple[int, bytes, bytes, int], list[int]] = defaultdict(lambda: [0, 0])  # [deductibleMet, fundUsed]
        self.services_per_day: dict[tuple[str, int], int] = defaultdict(int)
        self.charges = 0
        self.last_quote: dict[tuple[str, int], dict] = {}  # (tx, reservation id) -> the quote of its charge there
        self.releases = 0
        for invariant, sentence in (
            ("R1", R1), ("R2", R2), ("R4", R4), ("R5", R5), ("R6", R6), ("R7", R7), ("R8", R8), ("R9", R9),
            ("R10", R10),
        ):
            self.audit.check(invariant, sentence)
        self.audit.not_checkable(
            "R3", R3,
            "a property of the cost-sharing function over every possible charge, not of one history; proved by tests/regulator",
        )

    # ------------------------------------------------------------------ configuration

    def apply(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.name}", None)
        if handler is not None:
            handler(event, event.args)

    def _on_ProgramCreated(self, event: Event, a: dict) -> None:
        self.programs[a["programId"]] = {"fund": a["fundAccount"], "schedule": a["schedule"], "frozen": False}
        self.ctx.name_label(a["fundAccount"], f"fund account of program {a['programId']}")

    def _on_CoverageSet(self, event: Event, a: dict) -> None:
        self.coverage[(a["programId"], a["serviceType"])] = a["coverage"]

    def _on_DefaultBudgetSet(self, event: Event, a: dict) -> None:
        self.default_budgets[(a["programId"], a["institution"])] = a["amount"]

    def _on_PeriodBudgetSet(self, event: Event, a: dict) -> None:
        self.period_budgets[(a["programId"], a["institution"], a["period"])] = a["amount"]

    def _on_InstitutionRegistered(self, event: Event, a: dict) -> None:
        # Re-registration keeps a freeze (the contract updates the fields, not the frozen flag).
        self.institutions.setdefault(a["institution"], {"frozen": False}).update(region=a["region"])
        self.ctx.name_label(a["institution"], "institution")

    def _on_PractitionerRegistered(self, event: Event, a: dict) -> None:
        self.practitioners.setdefault(a["practitioner"], {"frozen": False}).update(
            institution=a["institution"], limit=a["dailyServiceLimit"],
        )
        self.ctx.name_label(a["practitioner"], "practitioner")

    def _on_PatientRegistered(self, event: Event, a: dict) -> None:
        self.patients.setdefault(a["patientId"], {"frozen": False}).update(
            account=a["account"], program=a["programId"], region=a["region"],
        )
        self.ctx.name_label(a["account"], f"patient 0x{a['patientId'].hex()[:8]}…")

    def _on_ProgramFrozen(self, event: Event, a: dict) -> None:
        self.programs.setdefault(a["programId"], {"frozen": False})["frozen"] = a["frozen"]

    def _on_InstitutionFrozen(self, event: Event, a: dict) -> None:
        self.institutions.setdefault(a["institution"], {"region": None})["frozen"] = a["frozen"]

    def _on_PractitionerFrozen(self, event: Event, a: dict) -> None:
        self.practitioners.setdefault(a["practitioner"], {"institution": None, "limit": None})["frozen"] = a["frozen"]

    def _on_PatientFrozen(self, event: Event, a: dict) -> None:
        self.patients.setdefault(a["patientId"], {"account": None, "program": None, "region": None})["frozen"] = a["frozen"]

    def _on_FundOperatorSet(self, event: Event, a: dict) -> None:
        key = (a["programId"], a["operator"])
        (self.operators.add if a["allowed"] else self.operators.discard)(key)

    def _on_PayeeApprovalSet(self, event: Event, a: dict) -> None:
        key = (a["institution"], a["payee"])
        (self.approved.add if a["approved"] else self.approved.discard)(key)

    def _on_RoleGranted(self, event: Event, a: dict) -> None:
        if a["role"] == MODULE_ROLE:
            self.modules.add(a["account"])

    def _on_RoleRevoked(self, event: Event, a: dict) -> None:
        if a["role"] == MODULE_ROLE:
            self.modules.discard(a["account"])

    # ------------------------------------------------------------------ money

    def _on_Reserved(self, event: Event, a: dict) -> None:
        claim, quote, rid = a["claim"], a["quote"], a["reservationId"]
        self._check_claim(event, f"Regulator reservation {rid}", a["module"], claim)
        reservation = Reservation(
            rid, a["module"], claim["programId"], quote["period"], claim["patientId"], claim["institution"],
            claim["serviceType"],
        )
        self.reservations[rid] = reservation
        self._charge(event, reservation, claim["charge"], quote, carried_fund=0)

    def _on_Charged(self, event: Event, a: dict) -> None:
        """A claim paid at once: the checks of a reservation, and counters that are never released."""
        claim, quote = a["claim"], a["quote"]
        number = len(self.charged) + 1
        self._check_claim(event, f"Regulator charge {number}", a["module"], claim)
        charged = Reservation(
            number, a["module"], claim["programId"], quote["period"], claim["patientId"], claim["institution"],
            claim["serviceType"],
        )
        self.charged.append(charged)
        self._charge(event, charged, claim["charge"], quote, carried_fund=0, subject=f"Regulator charge {number}")
        self.last_charged[(event.tx, a["module"])] = (charged, quote)

    def take_charge(self, tx: str, module: str) -> tuple[Reservation, dict] | None:
        """The module's latest charge of the transaction not yet paired with its payment event (then forgotten,
        so that each charge pairs with one payment)."""
        return self.last_charged.pop((tx, module), None)

    def _check_claim(self, event: Event, subject: str, module: str, claim: dict) -> None:
        """R8-R10 for a new claim (reserved or charged), against the rules in force."""
        where = self.ctx.at(event)
        self.audit.check("R8").holds(
            module in self.modules, subject, "claiming module holds MODULE_ROLE", "MODULE_ROLE",
            self.ctx.label(module), where,
        )
        self._check_parties(
            event, subject, claim["programId"], claim["patientId"], claim["institution"], claim["serviceType"],
            claim["practitioner"],
        )
        r10 = self.audit.check("R10")
        r10.holds(
            (claim["institution"], claim["payee"]) in self.approved, subject, "payee approved by the institution",
            "approved", f"split 0x{claim['payee'].hex()} not approved", where,
        )
        patient = self.patients.get(claim["patientId"], {})
        program = self.programs.get(claim["programId"], {})
        initiator = claim["initiator"]
        allowed = initiator == patient.get("account") or initiator == program.get("fund") or (claim["programId"], initiator) in self.operators
        r10.holds(
            allowed, subject, "initiator is the patient or a fund operator", "patient or fund operator",
            self.ctx.label(initiator), where,
        )
        practitioner = self.practitioners.get(claim["practitioner"], {})
        r10.holds(
            practitioner.get("institution") == claim["institution"], subject, "practitioner works at the institution",
            claim["institution"], practitioner.get("institution"), where,
        )
        day = self.ctx.chain.timestamp(event.block) // SECONDS_PER_DAY
        self.services_per_day[(claim["practitioner"], day)] += 1
        count = self.services_per_day[(claim["practitioner"], day)]
        limit = practitioner.get("limit") or 0
        r10.holds(
            count <= limit, subject, f"services of practitioner {claim['practitioner']} on day {day}", f"<= {limit}",
            count, where,
        )

    def _on_Extended(self, event: Event, a: dict) -> None:
        rid, quote = a["reservationId"], a["quote"]
        subject = f"Regulator reservation {rid}"
        reservation = self.reservations.get(rid)
        if reservation is None:
            self.audit.check("R4").holds(
                False, subject, "reservation known from events", "Reserved or Renewed before Extended", "unknown",
                self.ctx.at(event),
            )
            return
        carried = 0
        if reservation.period is None:  # the new reservation of a renewal: it counts in the period of this charge
            reservation.period = quote["period"]
            carried = reservation.fund
            self.used[(reservation.program, reservation.institution, reservation.period)] += carried
            self.usage[(reservation.program, reservation.patient, reservation.service, reservation.period)][1] += carried
        self._check_parties(
            event, subject, reservation.program, reservation.patient, reservation.institution, reservation.service,
            None,
        )
        self.audit.check("R6").equal(
            subject, "period of an extension (own period)", reservation.period, quote["period"], self.ctx.at(event),
        )
        self._charge(event, reservation, a["charge"], quote, carried_fund=carried)

    def _check_parties(self, event: Event, subject: str, program_id: int, patient_id: bytes, institution: str, service: bytes, practitioner: str | None) -> None:
        where = self.ctx.at(event)
        r9 = self.audit.check("R9")
        r9.holds(
            not self.programs.get(program_id, {}).get("frozen"), subject,
            f"program {program_id} not frozen at a charge", "not frozen", "frozen", where,
        )
        r9.holds(
            not self.institutions.get(institution, {}).get("frozen"), subject,
            f"institution {institution} not frozen at a charge", "not frozen", "frozen", where,
        )
        r9.holds(
            not self.patients.get(patient_id, {}).get("frozen"), subject,
            f"patient 0x{patient_id.hex()} not frozen at a charge", "not frozen", "frozen", where,
        )
        if practitioner is not None:
            r9.holds(
                not self.practitioners.get(practitioner, {}).get("frozen"), subject,
                f"practitioner {practitioner} not frozen at a charge", "not frozen", "frozen", where,
            )
        r10 = self.audit.check("R10")
        coverage = self.coverage.get((program_id, service))
        r10.holds(
            bool(coverage and coverage["covered"]), subject,
            f"service 0x{service.hex()} covered by program {program_id}", "covered", "not covered", where,
        )
        patient_region = self.patients.get(patient_id, {}).get("region")
        institution_region = self.institutions.get(institution, {}).get("region")
        if coverage and patient_region != institution_region:
            r10.holds(
                coverage["crossRegionAllowed"], subject, "cross-region use allowed", f"region {institution_region}",
                f"patient region {patient_region}", where,
            )

    def _charge(
        self, event: Event, reservation: Reservation, charge: int, quote: dict, carried_fund: int,
        subject: str | None = None,
    ) -> None:
        if subject is None:
            subject = f"Regulator reservation {reservation.id}"
            self.last_quote[(event.tx, reservation.id)] = quote
        where = self.ctx.at(event)
        self.charges += 1
        self.audit.check("R1").equal(
            subject, "fundShare + patientShare", charge, quote["fundShare"] + quote["patientShare"], where,
        )
        program = self.programs.get(reservation.program)
        if program and "schedule" in program:
            expected_period = period_at(program["schedule"], self.ctx.chain.timestamp(event.block))
            self.audit.check("R6").equal(subject, "period of the charge", expected_period, quote["period"], where)
        counters = self.usage[(reservation.program, reservation.patient, reservation.service, reservation.period)]
        coverage = self.coverage.get((reservation.program, reservation.service))
        if coverage:
            fund, patient, deductible = cost_share(charge, coverage, counters[0], counters[1])
            r2 = self.audit.check("R2")
            r2.equal(subject, f"fundShare of a charge of {charge}", fund, quote["fundShare"], where)
            r2.equal(
                subject, f"deductiblePortion of a charge of {charge}", deductible, quote["deductiblePortion"], where,
            )
        key = (reservation.program, reservation.institution, reservation.period)
        self.used[key] += quote["fundShare"]
        budget = self.period_budgets.get(key, self.default_budgets[(reservation.program, reservation.institution)])
        if carried_fund + quote["fundShare"]:
            self.audit.check("R5").holds(
                self.used[key] <= budget,
                f"Regulator budget of institution {reservation.institution} program {reservation.program} period {reservation.period}",
                "used after the charge", f"<= {budget}", self.used[key], where,
            )
        counters[0] += quote["deductiblePortion"]
        counters[1] += quote["fundShare"]
        reservation.fund += quote["fundShare"]
        reservation.patient_share += quote["patientShare"]
        reservation.deductible += quote["deductiblePortion"]

    def _on_Renewed(self, event: Event, a: dict) -> None:
        old = self.reservations.get(a["oldReservationId"])
        self.renewals[a["oldReservationId"]] = (a["newReservationId"], a["carriedFund"], a["carriedPatient"])
        if old is None:
            return
        self.reservations[a["newReservationId"]] = Reservation(
            a["newReservationId"], old.module, old.program, None, old.patient, old.institution, old.service,
            fund=a["carriedFund"], patient_share=a["carriedPatient"],
        )

    def _on_Released(self, event: Event, a: dict) -> None:
        rid = a["reservationId"]
        subject = f"Regulator reservation {rid}"
        where = self.ctx.at(event)
        reservation = self.reservations.get(rid)
        r7 = self.audit.check("R7")
        if reservation is None:
            r7.holds(
                False, subject, "released reservation known from events", "Reserved before Released", "unknown", where,
            )
            return
        self.releases += 1
        r7.holds(
            a["fundAmount"] <= reservation.fund, subject, "fund released", f"<= {reservation.fund}", a["fundAmount"],
            where,
        )
        r7.holds(
            a["patientAmount"] <= reservation.patient_share, subject, "patient share released",
            f"<= {reservation.patient_share}", a["patientAmount"], where,
        )
        reservation.fund -= a["fundAmount"]
        reservation.patient_share -= a["patientAmount"]
        remaining = reservation.fund + reservation.patient_share
        restored = max(reservation.deductible - remaining, 0)
        r7.equal(subject, "deductibleRestored", restored, a["deductibleRestored"], where)
        reservation.deductible -= restored
        self.used[(reservation.program, reservation.institution, reservation.period)] -= a["fundAmount"]
        counters = self.usage[(reservation.program, reservation.patient, reservation.service, reservation.period)]
        counters[0] -= restored
        counters[1] -= a["fundAmount"]

    # ------------------------------------------------------------------ for the modules' books

    def payout_blocked(self, reservation_id: int) -> str | None:
        """Why checkPayout would refuse now (program or institution frozen), or None."""
        reservation = self.reservations.get(reservation_id)
        if reservation is None:
            return None
        return self.payout_blocked_for(reservation.program, reservation.institution)

    def payout_blocked_for(self, program_id: int, institution: str) -> str | None:
        """Why a payout for the program at the institution would be refused now (either frozen), or None."""
        if self.programs.get(program_id, {}).get("frozen"):
            return f"program {program_id} frozen"
        if self.institutions.get(institution, {}).get("frozen"):
            return f"institution {institution} frozen"
        return None

    def fund_account(self, program_id: int) -> str | None:
        return self.programs.get(program_id, {}).get("fund")

    def patient_account(self, patient_id: bytes) -> str | None:
        return self.patients.get(patient_id, {}).get("account")

    # ------------------------------------------------------------------ end state

    def finish(self) -> None:
        view, r4 = self.ctx.chain.view, self.audit.check("R4")
        sums: dict[tuple[int, str, int], int] = defaultdict(int)
        usage_sums: dict[tuple[int, bytes, bytes, int], list[int]] = defaultdict(lambda: [0, 0])
        for rid, reservation in sorted(self.reservations.items()):
            if reservation.period is None:
                continue
            sums[(reservation.program, reservation.institution, reservation.period)] += reservation.fund
            usage = usage_sums[(reservation.program, reservation.patient, reservation.service, reservation.period)]
            usage[0] += reservation.deductible
            usage[1] += reservation.fund
            record = view("Regulator", "getReservation", rid)
            subject = f"Regulator reservation {rid}"
            for name, expected in (
                ("module", reservation.module), ("institution", reservation.institution),
                ("fundReserved", reservation.fund), ("patientReserved", reservation.patient_share),
                ("deductibleCounted", reservation.deductible), ("period", reservation.period),
            ):
                r4.equal(subject, name, expected, record[RESERVATION_FIELDS.index(name)])
        for charged in self.charged:  # committed for good: never released, no record to compare
            sums[(charged.program, charged.institution, charged.period)] += charged.fund
            usage = usage_sums[(charged.program, charged.patient, charged.service, charged.period)]
            usage[0] += charged.deductible
            usage[1] += charged.fund
        for key, total in sorted(sums.items()):
            program, institution, period = key
            r4.equal(
                f"Regulator budget of institution {self.ctx.label(institution)} program {program} period {period}",
                "used (sum of live reservations and charges)", total,
                view("Regulator", "budgetOf", program, institution, period)[1],
            )
            r4.equal(
                f"Regulator budget of institution {self.ctx.label(institution)} program {program} period {period}",
                "used (replayed counter)", self.used[key], total,
            )
        for key, (deductible, fund) in sorted(usage_sums.items()):
            program, patient, service, period = key
            subject = f"Regulator usage of patient 0x{patient.hex()} service 0x{service.hex()[:8]}… program {program} period {period}"
            met, used = view("Regulator", "patientUsage", program, patient, service, period)
            r4.equal(subject, "fundUsed (sum of live reservations and charges)", fund, used)
            r4.equal(subject, "deductibleMet (sum of live reservations and charges)", deductible, met)
        if self.ctx.chain.from_block == 0 or self.reservations:
            count = view("Regulator", "reservationCount")
            r4.holds(
                count >= max(self.reservations, default=0), "Regulator",
                "reservationCount covers every reservation seen", f">= {max(self.reservations, default=0)}", count,
            )
        # The reader starts at the deployment (it refuses later blocks), so every freeze is in the events.
        frozen = sum(1 for p in self.programs.values() if p.get("frozen")) + sum(
            1 for i in self.institutions.values() if i.get("frozen")
        )
        self.audit.check("R9").equal(
            "Regulator", "payoutFreezeCount (frozen programs and institutions, from freeze events)", frozen,
            view("Regulator", "payoutFreezeCount"),
        )
        r4.figure("reservations", len(self.reservations))
        r4.figure("charges (no reservation)", len(self.charged))
        r4.figure("budget lines", len(sums))
        r4.figure("fund reserved (live)", sum(r.fund for r in self.reservations.values()))
        r4.figure("fund charged", sum(c.fund for c in self.charged))
        self.audit.check("R1").figure("charges", self.charges)
        self.audit.check("R7").figure("releases", self.releases)
        self.audit.partly(
            "R6",
            "the calendar arithmetic itself (month lengths, leap years) is proved by tests/regulator; here each charge's period is recomputed from its block time",
        )
        self.audit.partly(
            "R8",
            "that only the reservation's own module releases it leaves no trace in Released (the caller is not emitted); role checks on refused calls leave no event",
        )
        self.audit.partly(
            "R9", "that releases are never blocked by a freeze concerns refused calls, which leave no event",
        )
        self.audit.partly(
            "R10", "refused claims leave no event; here every accepted claim is checked against the rules in force",
        )

    def budget_lines(self) -> list[tuple[int, str, int]]:
        """Every (program, institution, period) a reservation or a charge counted in, for the report."""
        records = [*self.reservations.values(), *self.charged]
        return sorted({(r.program, r.institution, r.period) for r in records if r.period is not None})
