"""The router against the reference model on random splits and histories, to the unit.

Each example runs on anvil inside its own snapshot: a random split (up to 8 recipients here; the
model itself is checked up to MAX_RECIPIENTS), then a random sequence of payments, withdrawals and
distributions with some recipients frozen by the blocklist token.
"""

import ape
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_profiles import per_profile

from split_helpers import address_of
from split_model import NothingToClaim, NothingToDistribute, SplitModel
from split_strategies import OPERATIONS, split_definitions

MAX_RECIPIENTS_ON_CHAIN = 8


@pytest.fixture(scope="module")
def setup(project, deployer, payer):
    """A router over the blocklist token, the payer funded and the router approved once."""
    token = deployer.deploy(project.MockBlocklistToken)
    router = deployer.deploy(project.SplitRouter, token)
    token.mint(payer, 2**200, sender=payer)
    token.approve(router, 2**256 - 1, sender=payer)
    return token, router


def _run(router, token, payer, actor, allocations, residual, operations):
    n = len(allocations)
    recipients = sorted((address_of(f"property-{i}") for i in range(n)), key=lambda a: int(a, 16))
    router.createSplit(recipients, allocations, residual, sender=actor)
    sid = router.computeSplitId(recipients, allocations, residual)
    model = SplitModel(allocations, residual)

    for kind, arg in operations:
        if kind == "pay":
            model.pay(arg)
            tx = router.pay(sid, arg, sender=payer)
            assert tx.decode_logs(router.SplitPaid)[0].totalReceived == model.total_received
        elif kind == "withdraw":
            i = arg % n
            try:
                expected = model.withdraw(i)
            except NothingToClaim:
                with ape.reverts(router.SplitRouter_NothingToClaim, splitId=sid, recipient=recipients[i]):
                    router.withdraw(sid, recipients[i], sender=actor)
                continue
            tx = router.withdraw(sid, recipients[i], sender=actor)
            assert [(log.recipient, log.amount) for log in tx.decode_logs(router.Withdrawn)] == [
                (recipients[i], expected)
            ]
        else:
            frozen = sorted({i % n for i in arg})
            try:
                expected = model.distribute(frozenset(frozen))
            except NothingToDistribute:
                with ape.reverts(router.SplitRouter_NothingToDistribute, splitId=sid):
                    router.distribute(sid, sender=actor)
                continue
            for i in frozen:
                token.setBlocked(recipients[i], True, sender=actor)
            tx = router.distribute(sid, sender=actor)
            for i in frozen:
                token.setBlocked(recipients[i], False, sender=actor)
            logs = tx.decode_logs([router.Withdrawn, router.DistributionFailed])
            assert [(log.event_name == "Withdrawn", log.recipient, log.amount) for log in logs] == [
                (sent, recipients[i], amount) for i, amount, sent in expected
            ]

    # Every view, every balance, to the unit.
    assert router.totalReceived(sid) == model.total_received
    assert router.settledReceived(sid) == model.settled_received
    entitlements = [router.entitlement(sid, r) for r in recipients]
    assert entitlements == [model.entitlement(i) for i in range(n)]
    assert sum(entitlements) == model.total_received
    assert [router.claimed(sid, r) for r in recipients] == model.withdrawn
    assert [router.claimable(sid, r) for r in recipients] == [model.claimable(i) for i in range(n)]
    assert [token.balanceOf(r) for r in recipients] == model.withdrawn
    assert token.balanceOf(router) == model.total_received - sum(model.withdrawn)


@settings(
    max_examples=per_profile(ci=12, deep=160),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    definition=split_definitions(max_recipients=MAX_RECIPIENTS_ON_CHAIN),
    operations=st.lists(OPERATIONS, min_size=1, max_size=8),
)
def test_router__random_history__matches_the_model_to_the_unit(chain, setup, payer, stranger, definition, operations):
    token, router = setup
    snapshot = chain.snapshot()
    try:
        _run(router, token, payer, stranger, *definition, operations)
    finally:
        chain.restore(snapshot)
