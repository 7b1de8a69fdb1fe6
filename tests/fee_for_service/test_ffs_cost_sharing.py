"""FeeForService moves exactly what the cost-sharing model says (carepay/cost_sharing.py: deductible, ratio
rounded down, cap per patient and period), for random coverages and random visits of two patients, and
conserves every unit: each payer loses exactly its share, the split gains exactly the charge, the module ends
every payment with nothing, and the Regulator's counters equal the sums of the payments (which make no
reservation)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepay.cost_sharing import split

from .conftest import FOLLOW_UP, ONE, PATIENT2_ID, PATIENT_ID

coverages = st.tuples(
    st.one_of(st.sampled_from([0, 5_000, 7_000, 10_000]), st.integers(0, 10_000)),  # ratio (bps)
    st.one_of(st.just(0), st.integers(1, 30 * ONE)),  # deductible
    st.one_of(st.just(0), st.integers(1, 300 * ONE)),  # cap per patient (0 = none)
)
# Small charges sit around the deductible; large ones reach the cap; 1 and 2 units test the rounding.
charges = st.one_of(st.integers(1, 3), st.integers(1, 30 * ONE), st.integers(1, 400 * ONE))
visits = st.lists(st.tuples(charges, st.integers(0, 1), st.booleans()), min_size=1, max_size=5)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(coverage=coverages, visits=visits)
def test_pay__random_coverage_and_visits__moves_exactly_the_models_shares(
    ffs, regulator, world, pay, observe, chain, coverage, visits
):
    snapshot = chain.snapshot()
    try:
        _run(ffs, regulator, world, pay, observe, coverage, visits)
    finally:
        chain.restore(snapshot)


def _run(ffs, regulator, world, pay, observe, coverage, visits):
    ratio_bps, deductible, cap = coverage
    regulator.setCoverage(world.program_id, FOLLOW_UP, (True, False, ratio_bps, deductible, cap), sender=world.admin)
    patients = [("patient", PATIENT_ID, world.patient), ("patient2", PATIENT2_ID, world.patient2)]
    counters = {name: [0, 0] for name, _, _ in patients}  # deductibleMet, fundUsed
    start = observe()
    paid_total = fund_total = 0

    for charge, which, by_operator in visits:
        name, patient_id, account = patients[which]
        met, used = counters[name]
        expected = split(charge, ratio_bps, deductible, met, cap, used)
        before = observe()

        tx = pay(patient_id=patient_id, charge=charge, sender=world.operator if by_operator else account)

        after = observe()
        [paid] = tx.decode_logs(ffs.ServicePaid)
        assert (paid.fundShare, paid.patientShare) == (expected.fund, expected.patient)
        assert paid.fundShare + paid.patientShare == charge
        assert after[f"balance:{name}"] == before[f"balance:{name}"] - expected.patient
        assert after["balance:fund"] == before["balance:fund"] - expected.fund
        assert after["balance:router"] == before["balance:router"] + charge
        assert after["balance:module"] == 0
        counters[name] = [met + expected.deductible, used + expected.fund]
        paid_total += charge
        fund_total += expected.fund
        assert after[f"usage:{name}"] == tuple(counters[name])

    end = observe()
    assert end["totalPaid"] == start["totalPaid"] + paid_total
    assert end["split:totalReceived"] == start["split:totalReceived"] + paid_total
    assert end["budget:used"] == start["budget:used"] + fund_total
    assert end["reservationCount"] == start["reservationCount"]  # charges make no reservation
    # Conservation: what the payers lost is exactly what the router gained.
    lost = sum(start[f"balance:{n}"] - end[f"balance:{n}"] for n in ("fund", "patient", "patient2"))
    assert lost == end["balance:router"] - start["balance:router"] == paid_total
