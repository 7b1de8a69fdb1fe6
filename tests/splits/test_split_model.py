"""The sharing rule in pure Python (tests/splits/split_model.py), checked on many random histories.

The on-chain router is checked against this model in test_split_properties.py.
"""

from hypothesis import given, settings, strategies as st

from split_model import SCALE, NothingToClaim, NothingToDistribute, SplitModel, naive_entitlements
from split_strategies import AMOUNTS, OPERATIONS, split_definitions


def _apply(model, operation):
    n = len(model.allocations)
    kind, arg = operation
    if kind == "pay":
        model.pay(arg)
    elif kind == "withdraw":
        try:
            model.withdraw(arg % n)
        except NothingToClaim:
            assert model.claimable(arg % n) == 0
    else:
        try:
            model.distribute(frozenset(i % n for i in arg))
        except NothingToDistribute:
            assert all(model.claimable(i) == 0 for i in range(n))


@settings(max_examples=1500, deadline=None)
@given(definition=split_definitions(), operations=st.lists(OPERATIONS, max_size=40))
def test_model__any_history__shares_exactly_and_never_owes_back(definition, operations):
    allocations, residual = definition
    model = SplitModel(allocations, residual)
    n = len(allocations)
    previous = [0] * n
    for operation in operations:
        _apply(model, operation)
        total = model.total_received
        entitlements = [model.entitlement(i) for i in range(n)]
        # Exact: every unit paid in is owed to exactly one recipient.
        assert sum(entitlements) == total
        # Never owes back: nobody has been sent more than it is entitled to, so the split is solvent.
        assert all(0 <= model.withdrawn[i] <= entitlements[i] for i in range(n))
        assert sum(model.withdrawn) <= total
        # The residual never falls below what a settlement froze for it.
        assert entitlements[residual] >= model.credited[residual]
        # Rounding bounds.
        assert entitlements[residual] * SCALE >= total * allocations[residual]
        for i in range(n):
            if i == residual:
                continue
            assert entitlements[i] >= previous[i]  # non-decreasing
            assert entitlements[i] * SCALE <= total * allocations[i]  # never above the exact share
            assert entitlements[i] >= total * allocations[i] // SCALE - model.settlements
        previous = entitlements


@settings(max_examples=1000, deadline=None)
@given(
    definition=split_definitions(),
    payments=st.lists(AMOUNTS, min_size=1, max_size=20),
    withdrawals=st.lists(st.integers(0, 31), max_size=10),
)
def test_model__no_settlement__is_exactly_floor_and_remainder_of_the_total(definition, payments, withdrawals):
    allocations, residual = definition
    model = SplitModel(allocations, residual)
    for amount in payments:
        model.pay(amount)
    for i in withdrawals:
        if i % len(allocations) != residual and model.claimable(i % len(allocations)):
            model.withdraw(i % len(allocations))
    expected = naive_entitlements(sum(payments), allocations, residual)
    assert [model.entitlement(i) for i in range(len(allocations))] == expected


@settings(max_examples=1000, deadline=None)
@given(definition=split_definitions(), operations=st.lists(OPERATIONS, max_size=30), last=AMOUNTS)
def test_model__full_distribution__sends_out_every_unit(definition, operations, last):
    allocations, residual = definition
    model = SplitModel(allocations, residual)
    for operation in operations:
        _apply(model, operation)
    model.pay(last)
    model.distribute()
    assert model.withdrawn == [model.entitlement(i) for i in range(len(allocations))]
    assert sum(model.withdrawn) == model.total_received


def test_model__plain_remainder__is_not_monotone_which_is_why_the_residual_settles():
    allocations = [333_333, 333_333, 333_334]
    assert [naive_entitlements(t, allocations, 2)[2] for t in range(1, 8)] == [1, 2, 3, 2, 3, 4, 3]
    model = SplitModel(allocations, 2)
    model.pay(3)
    assert model.withdraw(2) == 3
    model.pay(1)
    assert [model.entitlement(i) for i in range(3)] == [0, 0, 4]


def test_model__one_unit_payments__go_to_the_residual_until_a_floor_is_reached():
    model = SplitModel([500_000, 500_000], 1)
    model.pay(1)
    assert [model.entitlement(0), model.entitlement(1)] == [0, 1]
    model.pay(1)
    assert [model.entitlement(0), model.entitlement(1)] == [1, 1]
