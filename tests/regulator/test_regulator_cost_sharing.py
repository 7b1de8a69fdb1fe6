"""The cost-sharing rule: the Python reference (carepay/cost_sharing.py) on its own, with many examples, and the
contract's quote and reserve against it, with fewer (every example hits anvil)."""

import ape
import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepay.cost_sharing import BPS, Coverage, deductible_restored, split, split_for
from hypothesis_profiles import per_profile

from .conftest import FOLLOW_UP, FOLLOW_UP_COVERAGE, PATIENT, UNIT
from .events import single

UINT64_MAX = 2**64 - 1
SERVICE = keccak(text="PROPERTY_LINE")

amounts = st.integers(min_value=0, max_value=2**80)
ratios = st.one_of(st.sampled_from([0, 1, 5_000, 7_000, 8_000, 9_999, 10_000]), st.integers(0, BPS))
coverage_amounts = st.one_of(st.just(0), st.integers(1, 10**12), st.integers(1, UINT64_MAX))


def check_properties(charge, ratio, deductible, met, cap, used, shares):
    """What the rule promises for any inputs."""
    # Shares always add up to the charge: no unit created or lost.
    assert shares.fund + shares.patient == charge
    assert shares.fund >= 0 and shares.patient >= 0
    # Deductible first: the patient pays the first units up to what is left of the deductible.
    left = max(deductible - met, 0)
    assert shares.deductible == min(charge, left)
    assert shares.deductible <= shares.patient
    if shares.fund > 0:
        assert shares.deductible == left  # the fund pays only once the deductible is met
    # The fund never pays above its ratio (rounded down) ...
    assert shares.fund <= (charge - shares.deductible) * ratio // BPS
    assert shares.fund * BPS <= (charge - shares.deductible) * ratio
    # ... nor above the cap's headroom.
    if cap != 0:
        assert shares.fund <= max(cap - used, 0)
        assert used + shares.fund <= max(cap, used)
    # Either the ratio or the cap is what binds.
    ratio_share = (charge - shares.deductible) * ratio // BPS
    assert shares.fund == (ratio_share if cap == 0 else min(ratio_share, max(cap - used, 0)))


# ------------------------------------------------------------------------------------------------ Python reference


@settings(max_examples=5_000, deadline=None)
@given(charge=amounts, ratio=ratios, deductible=amounts, met=amounts, cap=amounts, used=amounts)
def test_reference__any_inputs__keep_every_promise(charge, ratio, deductible, met, cap, used):
    shares = split(charge, ratio, deductible=deductible, deductible_met=met, cap=cap, fund_used=used)
    check_properties(charge, ratio, deductible, met, cap, used, shares)


@settings(max_examples=3_000, deadline=None)
@given(
    charges=st.tuples(amounts, amounts), ratio=ratios, deductible=amounts, met=amounts, cap=amounts, used=amounts
)
def test_reference__larger_charge__never_lowers_either_share(charges, ratio, deductible, met, cap, used):
    small, large = sorted(charges)
    a = split(small, ratio, deductible=deductible, deductible_met=met, cap=cap, fund_used=used)
    b = split(large, ratio, deductible=deductible, deductible_met=met, cap=cap, fund_used=used)
    assert a.fund <= b.fund
    assert a.patient <= b.patient
    assert a.deductible <= b.deductible


@settings(max_examples=3_000, deadline=None)
@given(charge=amounts, ratio=ratios, deductible=amounts, met=amounts, cap=amounts, used=amounts)
def test_reference__one_more_unit__moves_each_share_by_at_most_one(charge, ratio, deductible, met, cap, used):
    a = split(charge, ratio, deductible=deductible, deductible_met=met, cap=cap, fund_used=used)
    b = split(charge + 1, ratio, deductible=deductible, deductible_met=met, cap=cap, fund_used=used)
    assert (b.fund - a.fund, b.patient - a.patient) in {(0, 1), (1, 0)}


@settings(max_examples=2_000, deadline=None)
@given(parts=st.lists(st.integers(0, 10**9), min_size=1, max_size=8), ratio=ratios, deductible=amounts, cap=amounts)
def test_reference__charges_in_a_period__never_beat_the_ratio_or_the_cap(parts, ratio, deductible, cap):
    met = used = 0
    for charge in parts:
        shares = split(charge, ratio, deductible=deductible, deductible_met=met, cap=cap, fund_used=used)
        met += shares.deductible
        used += shares.fund
    total = sum(parts)
    assert met == min(total, deductible)
    assert used <= (total - met) * ratio // BPS  # per-charge flooring never pays more than one flooring
    if cap:
        assert used <= cap


def test_reference__worked_example():
    coverage = Coverage(ratio_bps=8_000, deductible=50 * UNIT, fund_cap_per_patient=100 * UNIT)
    assert split_for(coverage, 30 * UNIT) == split(30 * UNIT, 8_000, 50 * UNIT, 0, 100 * UNIT, 0)
    first = split_for(coverage, 30 * UNIT)
    assert (first.fund, first.patient, first.deductible) == (0, 30 * UNIT, 30 * UNIT)
    second = split_for(coverage, 100 * UNIT, deductible_met=30 * UNIT)
    assert (second.fund, second.patient, second.deductible) == (64 * UNIT, 36 * UNIT, 20 * UNIT)
    third = split_for(coverage, 100 * UNIT, deductible_met=50 * UNIT, fund_used=64 * UNIT)
    assert (third.fund, third.patient, third.deductible) == (36 * UNIT, 64 * UNIT, 0)  # the cap binds
    odd = split(3, 3_333)  # floor(3 * 0.3333) = 0
    assert (odd.fund, odd.patient) == (0, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"charge": -1, "ratio_bps": 0}, "charge"),
        ({"charge": 2**128, "ratio_bps": 0}, "charge"),
        ({"charge": 1, "ratio_bps": 10_001}, "ratio_bps"),
        ({"charge": 1, "ratio_bps": -1}, "ratio_bps"),
        ({"charge": 1, "ratio_bps": 1, "cap": -5}, "cap"),
    ],
)
def test_reference__out_of_range_inputs__raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        split(**kwargs)


def test_reference__deductible_restored__matches_the_rule():
    assert deductible_restored(50, 30, 30) == 0
    assert deductible_restored(50, 0, 50) == 0
    assert deductible_restored(50, 0, 49) == 1
    assert deductible_restored(50, 0, 0) == 50
    assert deductible_restored(0, 0, 0) == 0


# ------------------------------------------------------------------------------------------------ contract


@pytest.fixture
def line(regulator, actors):
    """Prepares a fresh coverage line and an unlimited budget for the property examples."""
    regulator.setDefaultBudget(1, actors.institution, 2**128 - 1, sender=actors.configurator)
    regulator.registerPractitioner(actors.practitioner, actors.institution, 2**32 - 1, sender=actors.registrar)
    return SERVICE


@settings(
    max_examples=per_profile(ci=30, deep=400),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    ratio=ratios,
    deductible=coverage_amounts,
    cap=coverage_amounts,
    # A reservation holds at most 2^64 - 1 units per payer (Regulator_ReservationAboveMax); quotes have no bound.
    prior=st.one_of(st.just(0), st.integers(1, 2**64 - 1)),
    charge=st.integers(0, 2**72),
    extra=st.integers(0, 2**40),
)
def test_contract__quote_and_reserve__match_the_reference(
    regulator, actors, claim, chain, line, ratio, deductible, cap, prior, charge, extra
):
    snapshot = chain.snapshot()
    try:
        regulator.setCoverage(1, line, (True, False, ratio, deductible, cap), sender=actors.configurator)
        met = used = 0
        if prior:
            # A first claim builds the patient's counters; its reserved shares follow the rule too.
            tx = regulator.reserve(claim(service_type=line, charge=prior), sender=actors.module)
            first = split(prior, ratio, deductible, 0, cap, 0)
            assert tuple(single(regulator.Reserved, tx).quote) == (first.fund, first.patient, first.deductible, 0)
            met, used = first.deductible, first.fund
            assert regulator.patientUsage(1, PATIENT, line, 0) == (met, used)

        quoted = regulator.quote(1, PATIENT, line, charge)
        expected = split(charge, ratio, deductible, met, cap, used)
        assert tuple(quoted) == (expected.fund, expected.patient, expected.deductible, 0)
        check_properties(charge, ratio, deductible, met, cap, used, expected)

        larger = regulator.quote(1, PATIENT, line, charge + extra)
        assert larger.fundShare >= quoted.fundShare
        assert larger.patientShare >= quoted.patientShare
        assert larger.fundShare + larger.patientShare == charge + extra
    finally:
        chain.restore(snapshot)


def test_contract__quote_of_an_uncovered_service__reverts(regulator):
    with ape.reverts(regulator.Regulator_ServiceNotCovered, programId=1, serviceType=SERVICE):
        regulator.quote(1, PATIENT, SERVICE, UNIT)


def test_contract__quote_of_zero__is_zero(regulator):
    assert tuple(regulator.quote(1, PATIENT, FOLLOW_UP, 0)) == (0, 0, 0, 0)


def test_contract__deductible_lowered_below_met__charges_no_more_deductible(regulator, actors, reserve, line):
    regulator.setCoverage(1, line, (True, False, 8_000, 100 * UNIT, 0), sender=actors.configurator)
    reserve(service_type=line, charge=80 * UNIT)  # met 80
    regulator.setCoverage(1, line, (True, False, 8_000, 50 * UNIT, 0), sender=actors.configurator)
    expected = split(10 * UNIT, 8_000, 50 * UNIT, 80 * UNIT, 0, 0)
    assert expected.deductible == 0
    assert tuple(regulator.quote(1, PATIENT, line, 10 * UNIT)) == (expected.fund, expected.patient, 0, 0)


def test_contract__cap_lowered_below_used__gives_the_fund_nothing_more(regulator, actors, reserve, line):
    regulator.setCoverage(1, line, (True, False, 10_000, 0, 0), sender=actors.configurator)
    reserve(service_type=line, charge=80 * UNIT)  # used 80
    regulator.setCoverage(1, line, (True, False, 10_000, 0, 50 * UNIT), sender=actors.configurator)
    assert tuple(regulator.quote(1, PATIENT, line, 10 * UNIT)) == (0, 10 * UNIT, 0, 0)


def test_contract__quote__does_not_depend_on_registration(regulator):
    stranger = keccak(text="unregistered")
    expected = split_for(FOLLOW_UP_COVERAGE, 100 * UNIT)
    assert tuple(regulator.quote(1, stranger, FOLLOW_UP, 100 * UNIT)) == (
        expected.fund,
        expected.patient,
        expected.deductible,
        0,
    )
