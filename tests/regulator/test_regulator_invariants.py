"""Random sequences of reserve / topUp / release / time passing, checked after every step against a model:

- institution used(period) == sum of fundReserved of the period's reservations at the institution;
- patient fundUsed(service, period) == sum of their fundReserved; deductibleMet == sum of deductibleCounted;
- every reservation holds what the model says, and deductibleCounted <= fundReserved + patientReserved;
- a past period's counters only ever fall (renewals and releases), never grow.
"""

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepay.cost_sharing import deductible_restored, split_for
from hypothesis_profiles import per_profile

from .conftest import CHRONIC, CHRONIC_COVERAGE, FOLLOW_UP, FOLLOW_UP_COVERAGE, PATIENT, PATIENT2, UNIT
from .events import single
from .periods import DAY, add_months

SERVICES = [(FOLLOW_UP, FOLLOW_UP_COVERAGE), (CHRONIC, CHRONIC_COVERAGE)]
PATIENTS = [PATIENT, PATIENT2]

# Small charges stay within the deductible; whole and empty fractions exercise full refunds and carries.
charges = st.one_of(st.integers(1, 60 * UNIT), st.integers(1, 400 * UNIT))
fractions = st.one_of(st.sampled_from([0, 100]), st.integers(min_value=0, max_value=100))
actions = st.one_of(
    st.tuples(st.just("reserve"), st.integers(0, 1), st.integers(0, 1), charges),
    st.tuples(st.just("top_up"), st.integers(0, 50), charges, fractions, fractions),
    st.tuples(st.just("carry"), st.integers(0, 50), fractions, fractions),
    st.tuples(st.just("release"), st.integers(0, 50), fractions, fractions),
    st.tuples(st.just("next_month"),),
)


@dataclass
class Held:
    period: int
    patient_index: int
    service_index: int
    fund: int
    patient: int
    counted: int


@settings(
    max_examples=per_profile(ci=10, deep=120),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=1, max_size=12))
def test_random_sequences__keep_the_counters_equal_to_the_sums(regulator, actors, claim, chain, anchor, steps):
    snapshot = chain.snapshot()
    try:
        _run(regulator, actors, claim, chain, anchor, steps)
    finally:
        chain.restore(snapshot)


def _run(regulator, actors, claim, chain, anchor, steps):
    # Plenty of budget and services per day, so that every generated step is valid.
    regulator.setDefaultBudget(1, actors.institution, 10**9 * UNIT, sender=actors.configurator)
    regulator.registerPractitioner(actors.practitioner, actors.institution, 1_000, sender=actors.registrar)
    accounts = [actors.patient, actors.patient2]
    held: dict[int, Held] = {}
    month = 0
    history: dict = {}

    def usage_of(p, s, period):
        met = sum(h.counted for h in held.values() if (h.patient_index, h.service_index, h.period) == (p, s, period))
        fund = sum(h.fund for h in held.values() if (h.patient_index, h.service_index, h.period) == (p, s, period))
        return met, fund

    for step in steps:
        kind = step[0]
        if kind == "reserve":
            _, p, s, charge = step
            met, used = usage_of(p, s, month)
            shares = split_for(SERVICES[s][1], charge, deductible_met=met, fund_used=used)
            tx = regulator.reserve(
                claim(patient_id=PATIENTS[p], initiator=accounts[p], service_type=SERVICES[s][0], charge=charge),
                sender=actors.module,
            )
            rid = single(regulator.Reserved, tx).reservationId
            held[rid] = Held(month, p, s, shares.fund, shares.patient, shares.deductible)
        elif not held:
            continue
        elif kind in ("top_up", "carry"):
            ids = sorted(held)
            rid = ids[step[1] % len(ids)]
            h = held[rid]
            if kind == "top_up":
                charge, fund_pct, patient_pct = step[2], step[3], step[4]
            else:
                charge, fund_pct, patient_pct = 0, step[2], step[3]
            same = h.period == month
            carry_fund = 0 if same else h.fund * fund_pct // 100
            carry_patient = 0 if same else h.patient * patient_pct // 100
            if charge == 0 and (same or carry_fund + carry_patient == 0):
                continue  # the contract refuses it (tested elsewhere)
            if not same:
                restored = deductible_restored(h.counted, h.fund - carry_fund, h.patient - carry_patient)
                h.fund -= carry_fund
                h.patient -= carry_patient
                h.counted -= restored
            met, used = usage_of(h.patient_index, h.service_index, month)
            shares = split_for(
                SERVICES[h.service_index][1], charge, deductible_met=met, fund_used=used + carry_fund
            )
            tx = regulator.topUp(rid, carry_fund, carry_patient, charge, accounts[h.patient_index], sender=actors.module)
            new_id = single(regulator.Extended, tx).reservationId
            if same:
                assert new_id == rid
                h.fund += shares.fund
                h.patient += shares.patient
                h.counted += shares.deductible
            else:
                held[new_id] = Held(
                    month,
                    h.patient_index,
                    h.service_index,
                    carry_fund + shares.fund,
                    carry_patient + shares.patient,
                    shares.deductible,
                )
        elif kind == "release":
            ids = sorted(held)
            rid = ids[step[1] % len(ids)]
            h = held[rid]
            fund_back, patient_back = h.fund * step[2] // 100, h.patient * step[3] // 100
            restored = deductible_restored(h.counted, h.fund - fund_back, h.patient - patient_back)
            tx = regulator.release(rid, fund_back, patient_back, sender=actors.module)
            assert single(regulator.Released, tx).deductibleRestored == restored
            h.fund -= fund_back
            h.patient -= patient_back
            h.counted -= restored
        else:  # next_month
            month += 1
            chain.pending_timestamp = add_months(anchor, month) + DAY

        _check(regulator, actors, held, month, usage_of, history)


def _check(regulator, actors, held, month, usage_of, history):
    for rid, h in held.items():
        r = regulator.getReservation(rid)
        assert (r.period, r.fundReserved, r.patientReserved, r.deductibleCounted) == (
            h.period,
            h.fund,
            h.patient,
            h.counted,
        )
        assert r.patientId == PATIENTS[h.patient_index] and r.serviceType == SERVICES[h.service_index][0]
        assert h.counted <= h.fund + h.patient
    for period in range(month + 1):
        used = sum(h.fund for h in held.values() if h.period == period)
        assert regulator.budgetOf(1, actors.institution, period)[1] == used
        if period < month:
            # A past period never grows.
            assert used <= history.get(("used", period), used)
        history[("used", period)] = used
        for p in range(len(PATIENTS)):
            for s in range(len(SERVICES)):
                assert regulator.patientUsage(1, PATIENTS[p], SERVICES[s][0], period) == usage_of(p, s, period)
