"""Gas of the SplitRouter by number of recipients.

`pay` must cost exactly the same whatever the number of recipients: that is a property of the O(1)
lazy design (one slot read and written), not a timing, so it is asserted as equality. It is compared
on execution gas (gas used minus the 21,000 base and the calldata), because a split id is a hash and
each zero byte in it is 12 gas cheaper as calldata, whatever the split's size. The O(n) paths (the
residual's withdrawal, distribute) are bounded by MAX_RECIPIENTS; their figures are printed (run
with -s to see the table).
"""

import pytest

from split_model import MAX_RECIPIENTS

SIZES = [1, 2, 5, 10, MAX_RECIPIENTS]
AMOUNT = 1_000_003


def execution_gas(tx) -> int:
    """Gas used minus the intrinsic cost (21,000 + 4 per zero and 16 per non-zero calldata byte)."""
    data = bytes(tx.transaction.data)
    zeros = data.count(0)
    return tx.gas_used - 21_000 - 4 * zeros - 16 * (len(data) - zeros)


@pytest.fixture(scope="module")
def measured(project, deployer, payer, stranger, equal_split):
    """Runs the same scenario on a split of each size; returns {size: {operation: (total, execution)}}."""
    token = deployer.deploy(project.MockERC20, "Gas USD", "gUSD")
    router = deployer.deploy(project.SplitRouter, token)
    token.mint(payer, 10**18, sender=payer)
    token.approve(router, 2**256 - 1, sender=payer)
    # A split that is never withdrawn keeps the router's own balance non-zero for every measurement.
    warm = equal_split(1, tag="warm-up")
    router.createSplit(*warm, sender=stranger)
    router.pay(router.computeSplitId(*warm), 1, sender=payer)

    gas = {}
    for n in SIZES:
        # Fresh recipients per size; the residual last, so recipient 0 is a non-residual when n > 1.
        recipients, allocations, residual = equal_split(n, residual_index=n - 1, tag=f"gas-{n}-")
        sid = router.computeSplitId(recipients, allocations, residual)
        row = {}

        def record(name, tx):
            row[name] = (tx.gas_used, execution_gas(tx))

        record("createSplit", router.createSplit(recipients, allocations, residual, sender=stranger))
        record("pay (first)", router.pay(sid, AMOUNT, sender=payer))
        record("pay", router.pay(sid, AMOUNT, sender=payer))
        record("distribute (first)", router.distribute(sid, sender=stranger))
        if n > 1:
            router.pay(sid, AMOUNT, sender=payer)
            record("withdraw (recipient)", router.withdraw(sid, recipients[0], sender=stranger))
        router.pay(sid, AMOUNT, sender=payer)
        record("withdraw (residual)", router.withdraw(sid, recipients[residual], sender=stranger))
        router.pay(sid, AMOUNT, sender=payer)
        record("distribute (again)", router.distribute(sid, sender=stranger))
        gas[n] = row
    return gas


def test_gas__table__is_printed(measured):
    print("\ngas used (execution gas in brackets) by number of recipients")
    print(f"{'operation':<22}" + "".join(f"{n:>18}" for n in SIZES))
    for op in measured[MAX_RECIPIENTS]:
        cells = [measured[n].get(op) for n in SIZES]
        print(f"{op:<22}" + "".join(f"{f'{c[0]} ({c[1]})' if c else '-':>18}" for c in cells))
    assert set(measured) == set(SIZES)


@pytest.mark.parametrize("operation", ["pay (first)", "pay"])
def test_gas__pay__is_the_same_for_every_number_of_recipients(measured, operation):
    assert len({measured[n][operation][1] for n in SIZES}) == 1


def test_gas__a_recipients_withdrawal__is_the_same_for_every_number_of_recipients(measured):
    assert len({measured[n]["withdraw (recipient)"][1] for n in SIZES if n > 1}) == 1


def test_gas__max_recipients__distribute_and_residual_withdrawal_stay_bounded(measured):
    assert measured[MAX_RECIPIENTS]["distribute (first)"][0] < 1_500_000
    assert measured[MAX_RECIPIENTS]["distribute (again)"][0] < 1_000_000
    assert measured[MAX_RECIPIENTS]["withdraw (residual)"][0] < 400_000
