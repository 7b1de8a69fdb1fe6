"""Period maths (Calendar.sol through periodOf/periodBounds) against Python's datetime, and lazy rollover of
the counters as time passes."""

import ape
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carepay.cost_sharing import split_for
from hypothesis_profiles import per_profile

from .conftest import CHRONIC, DEFAULT_BUDGET, FOLLOW_UP, FOLLOW_UP_COVERAGE, PATIENT, UNIT
from .periods import (
    DAY,
    MONTHS,
    SECONDS,
    add_months,
    month_index,
    period_bounds,
    period_of,
    start_of_month_index,
    utc,
)

YEAR_2200 = utc(2200, 1)


@pytest.fixture
def program_for(regulator, actors):
    """Like `program`, but reuses a program with the same schedule (hypothesis examples share one chain state)."""
    created = {}

    def get(anchor, length, unit):
        key = (anchor, length, unit)
        if key not in created:
            tx = regulator.createProgram(actors.fund, key, sender=actors.configurator)
            created[key] = regulator.ProgramCreated.from_receipt(tx)[0].programId
        return created[key]

    return get


@pytest.fixture
def program(regulator, actors):
    """Creates a program with the given schedule; returns its id."""

    def create(anchor, length, unit):
        tx = regulator.createProgram(actors.fund, (anchor, length, unit), sender=actors.configurator)
        return regulator.ProgramCreated.from_receipt(tx)[0].programId

    return create


# ------------------------------------------------------------------------------------------------ months


@pytest.mark.parametrize(
    ("year", "days"),
    [(2023, 28), (2024, 29), (2025, 28), (2000, 29), (2100, 28), (2400, 29)],
)
def test_february__leap_and_common_years__have_their_length(regulator, program, year, days):
    pid = program(utc(year, 1), 1, MONTHS)
    start, end = regulator.periodBounds(pid, 1)
    assert (start, end) == (utc(year, 2), utc(year, 3))
    assert end - start == days * DAY
    assert regulator.periodOf(pid, utc(year, 2, days, 23, 59, 59)) == 1
    assert regulator.periodOf(pid, utc(year, 3)) == 2


@pytest.mark.parametrize("month", [1, 3, 5, 7, 8, 10, 12])
def test_31_day_months__roll_over_after_the_31st(regulator, program, month):
    pid = program(utc(2025, 1), 1, MONTHS)
    index = month - 1
    start, end = regulator.periodBounds(pid, index)
    assert end - start == 31 * DAY
    assert regulator.periodOf(pid, utc(2025, month, 31, 23, 59, 59)) == index
    assert regulator.periodOf(pid, end) == index + 1


@pytest.mark.parametrize("month", [4, 6, 9, 11])
def test_30_day_months__roll_over_after_the_30th(regulator, program, month):
    pid = program(utc(2025, 1), 1, MONTHS)
    start, end = regulator.periodBounds(pid, month - 1)
    assert end - start == 30 * DAY
    assert regulator.periodOf(pid, end - 1) == month - 1
    assert regulator.periodOf(pid, end) == month


def test_quarters__follow_calendar_quarters_from_the_anchor(regulator, program):
    pid = program(utc(2024, 1), 3, MONTHS)
    expected = [(utc(2024, 1), utc(2024, 4)), (utc(2024, 4), utc(2024, 7)), (utc(2024, 7), utc(2024, 10))]
    expected.append((utc(2024, 10), utc(2025, 1)))
    for q, bounds in enumerate(expected):
        assert regulator.periodBounds(pid, q) == bounds
        assert regulator.periodOf(pid, bounds[0]) == q
        assert regulator.periodOf(pid, bounds[1] - 1) == q
    # Q1 of a leap year is 91 days, of a common year 90.
    assert expected[0][1] - expected[0][0] == 91 * DAY
    assert regulator.periodBounds(pid, 4) == (utc(2025, 1), utc(2025, 4))
    assert utc(2025, 4) - utc(2025, 1) == 90 * DAY


def test_quarters__anchored_mid_year__span_three_months(regulator, program):
    pid = program(utc(2024, 2), 3, MONTHS)
    assert regulator.periodBounds(pid, 0) == (utc(2024, 2), utc(2024, 5))
    assert regulator.periodBounds(pid, 3) == (utc(2024, 11), utc(2025, 2))
    assert regulator.periodOf(pid, utc(2025, 1, 31, 23, 59, 59)) == 3
    assert regulator.periodOf(pid, utc(2025, 2)) == 4


def test_years__are_365_or_366_days(regulator, program):
    pid = program(utc(2023, 1), 12, MONTHS)
    assert regulator.periodBounds(pid, 0) == (utc(2023, 1), utc(2024, 1))
    assert regulator.periodBounds(pid, 1) == (utc(2024, 1), utc(2025, 1))
    assert utc(2024, 1) - utc(2023, 1) == 365 * DAY
    assert utc(2025, 1) - utc(2024, 1) == 366 * DAY
    assert regulator.periodOf(pid, utc(2023, 12, 31, 23, 59, 59)) == 0
    assert regulator.periodOf(pid, utc(2024, 1)) == 1
    assert regulator.periodOf(pid, utc(2024, 12, 31, 23, 59, 59)) == 1


def test_months__anchored_at_the_epoch__count_from_1970(regulator, program):
    pid = program(0, 1, MONTHS)
    assert regulator.periodOf(pid, 0) == 0
    assert regulator.periodBounds(pid, 0) == (0, 31 * DAY)
    assert regulator.periodOf(pid, utc(2026, 3, 15)) == month_index(utc(2026, 3, 15))


def test_months__before_anchor__reverts(regulator, program):
    anchor = utc(2030, 6)
    pid = program(anchor, 1, MONTHS)
    with ape.reverts(regulator.Regulator_BeforeFirstPeriod, programId=pid, timestamp=anchor - 1, anchor=anchor):
        regulator.periodOf(pid, anchor - 1)
    assert regulator.periodOf(pid, anchor) == 0


def test_months__bounds_beyond_64_bits__revert(regulator, program):
    pid = program(utc(2024, 1), 2**32 - 1, MONTHS)
    with ape.reverts(regulator.SafeCastOverflowedUintDowncast, bits=64):
        regulator.periodBounds(pid, 2**32 - 1)


@settings(
    max_examples=per_profile(ci=30, deep=400),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    anchor_month=st.integers(min_value=0, max_value=month_index(utc(2100, 1))),
    length=st.sampled_from([1, 2, 3, 6, 12, 24]),
    timestamp=st.integers(min_value=0, max_value=YEAR_2200),
)
def test_months__period_of_any_timestamp__matches_datetime(regulator, program_for, anchor_month, length, timestamp):
    anchor = start_of_month_index(anchor_month)
    pid = program_for(anchor, length, MONTHS)
    if timestamp < anchor:
        with ape.reverts(regulator.Regulator_BeforeFirstPeriod, programId=pid, timestamp=timestamp, anchor=anchor):
            regulator.periodOf(pid, timestamp)
        return
    expected = period_of(anchor, length, MONTHS, timestamp)
    assert regulator.periodOf(pid, timestamp) == expected
    start, end = regulator.periodBounds(pid, expected)
    assert (start, end) == period_bounds(anchor, length, MONTHS, expected)
    assert start <= timestamp < end


# ------------------------------------------------------------------------------------------------ seconds


def test_seconds__fixed_length_periods_from_the_anchor(regulator, program):
    anchor, length = 1_700_000_123, 7 * DAY
    pid = program(anchor, length, SECONDS)
    assert regulator.periodOf(pid, anchor) == 0
    assert regulator.periodOf(pid, anchor + length - 1) == 0
    assert regulator.periodOf(pid, anchor + length) == 1
    assert regulator.periodOf(pid, anchor + 10 * length + 5) == 10
    assert regulator.periodBounds(pid, 0) == (anchor, anchor + length)
    assert regulator.periodBounds(pid, 10) == (anchor + 10 * length, anchor + 11 * length)


def test_seconds__before_anchor__reverts(regulator, program):
    anchor = 1_700_000_123
    pid = program(anchor, 60, SECONDS)
    with ape.reverts(regulator.Regulator_BeforeFirstPeriod, programId=pid, timestamp=0, anchor=anchor):
        regulator.periodOf(pid, 0)


def test_seconds__index_beyond_32_bits__reverts(regulator, program):
    pid = program(0, 1, SECONDS)
    assert regulator.periodOf(pid, 2**32 - 1) == 2**32 - 1
    with ape.reverts(regulator.SafeCastOverflowedUintDowncast, bits=32, value=2**32):
        regulator.periodOf(pid, 2**32)


def test_seconds__bounds_beyond_64_bits__revert(regulator, program):
    pid = program(2**64 - 10, 100, SECONDS)
    with ape.reverts(regulator.SafeCastOverflowedUintDowncast, bits=64, value=2**64 - 10 + 100):
        regulator.periodBounds(pid, 0)


@settings(
    max_examples=per_profile(ci=30, deep=400),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    anchor=st.integers(min_value=0, max_value=YEAR_2200),
    length=st.sampled_from([1, 59, 3600, DAY, 7 * DAY, 30 * DAY, 365 * DAY]),
    delta=st.integers(min_value=0, max_value=2**31),
)
def test_seconds__period_of_any_timestamp__matches_division(regulator, program_for, anchor, length, delta):
    pid = program_for(anchor, length, SECONDS)
    timestamp = anchor + delta
    expected = period_of(anchor, length, SECONDS, timestamp)
    assert regulator.periodOf(pid, timestamp) == expected
    assert regulator.periodBounds(pid, expected) == period_bounds(anchor, length, SECONDS, expected)


# ------------------------------------------------------------------------------------------------ rollover


def test_current_period__follows_block_time(regulator, anchor, chain):
    assert regulator.currentPeriod(1) == 0
    next_month = add_months(anchor, 1)
    chain.mine(timestamp=next_month - 1)
    assert regulator.currentPeriod(1) == 0
    chain.mine(timestamp=next_month)
    assert regulator.currentPeriod(1) == 1


def test_reserve__last_and_first_second_of_a_month__land_in_their_periods(regulator, actors, reserve, anchor, at):
    next_month = add_months(anchor, 1)
    at(next_month - 1)
    tx, rid = reserve(charge=100 * UNIT)
    assert regulator.getReservation(rid).period == 0
    at(next_month)
    tx, rid = reserve(charge=100 * UNIT, practitioner=actors.practitioner3)
    assert regulator.getReservation(rid).period == 1
    assert regulator.Reserved.from_receipt(tx)[0].quote[3] == 1


def test_rollover__past_spending_never_appears_in_the_next_period(regulator, actors, reserve, anchor, at):
    # Period 0: the patient meets the deductible and the institution uses budget.
    _, first = reserve(charge=300 * UNIT)
    shares = split_for(FOLLOW_UP_COVERAGE, 300 * UNIT)
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (shares.deductible, shares.fund)
    assert regulator.budgetOf(1, actors.institution, 0) == (DEFAULT_BUDGET, shares.fund, DEFAULT_BUDGET - shares.fund)

    at(add_months(anchor, 1) + 5 * DAY)
    # Period 1 starts clean: the deductible applies again and the budget is whole.
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 1) == (0, 0)
    assert regulator.budgetOf(1, actors.institution, 1) == (DEFAULT_BUDGET, 0, DEFAULT_BUDGET)
    _, second = reserve(charge=300 * UNIT)
    again = split_for(FOLLOW_UP_COVERAGE, 300 * UNIT)
    assert regulator.getReservation(second).deductibleCounted == again.deductible == FOLLOW_UP_COVERAGE.deductible
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 1) == (again.deductible, again.fund)
    assert regulator.budgetOf(1, actors.institution, 1) == (DEFAULT_BUDGET, again.fund, DEFAULT_BUDGET - again.fund)
    # ... and period 0 is unchanged.
    assert regulator.patientUsage(1, PATIENT, FOLLOW_UP, 0) == (shares.deductible, shares.fund)
    assert regulator.budgetOf(1, actors.institution, 0) == (DEFAULT_BUDGET, shares.fund, DEFAULT_BUDGET - shares.fund)


def test_rollover__quarterly_program__keeps_counters_for_the_whole_quarter(regulator, actors, claim, anchor, at):
    tx = regulator.createProgram(actors.fund, (anchor, 3, MONTHS), sender=actors.configurator)
    pid = regulator.ProgramCreated.from_receipt(tx)[0].programId
    regulator.setCoverage(pid, CHRONIC, (True, True, 9_000, 0, 0), sender=actors.configurator)
    regulator.setDefaultBudget(pid, actors.institution, 100 * UNIT, sender=actors.configurator)
    regulator.registerPatient(PATIENT, actors.patient, pid, 110_000, sender=actors.registrar)

    def reserve_chronic(practitioner):
        return regulator.reserve(
            claim(program_id=pid, service_type=CHRONIC, charge=50 * UNIT, practitioner=practitioner),
            sender=actors.module,
        )

    reserve_chronic(actors.practitioner)  # 45 of 100
    at(add_months(anchor, 2) + 3 * DAY)  # third month of the quarter
    assert regulator.currentPeriod(pid) == 0
    reserve_chronic(actors.practitioner)  # 90 of 100
    with ape.reverts(
        regulator.Regulator_BudgetExceeded,
        programId=pid,
        institution=actors.institution,
        period=0,
        requested=45 * UNIT,
        remaining=10 * UNIT,
    ):
        reserve_chronic(actors.practitioner3)
    at(add_months(anchor, 3))  # next quarter
    reserve_chronic(actors.practitioner3)
    assert regulator.budgetOf(pid, actors.institution, 1) == (100 * UNIT, 45 * UNIT, 55 * UNIT)
    assert regulator.budgetOf(pid, actors.institution, 0) == (100 * UNIT, 90 * UNIT, 10 * UNIT)


def test_rollover__seconds_program__rolls_every_length(regulator, actors, claim, at, chain):
    now = chain.pending_timestamp
    tx = regulator.createProgram(actors.fund, (now, 3600, SECONDS), sender=actors.configurator)
    pid = regulator.ProgramCreated.from_receipt(tx)[0].programId
    regulator.setCoverage(pid, CHRONIC, (True, True, 10_000, 0, 0), sender=actors.configurator)
    regulator.setDefaultBudget(pid, actors.institution, 10 * UNIT, sender=actors.configurator)
    regulator.registerPatient(PATIENT, actors.patient, pid, 110_000, sender=actors.registrar)
    c = claim(program_id=pid, service_type=CHRONIC, charge=10 * UNIT)
    regulator.reserve(c, sender=actors.module)
    assert regulator.budgetOf(pid, actors.institution, 0)[2] == 0
    at(now + 3600)
    c = claim(program_id=pid, service_type=CHRONIC, charge=10 * UNIT, practitioner=actors.practitioner3)
    tx = regulator.reserve(c, sender=actors.module)
    assert regulator.Reserved.from_receipt(tx)[0].quote[3] == 1
    assert regulator.budgetOf(pid, actors.institution, 1) == (10 * UNIT, 10 * UNIT, 0)
