"""Property: after any sequence of mints, transfers and burns, totalSupply equals the sum of balances,
every balance matches an exact Python model, and the minter's allowance fell by exactly what it minted."""

from hypothesis import given, settings, strategies as st
from hypothesis_profiles import per_profile

HOLDERS = 4  # minter, alice, bob, carol
SCALE = 1_000_000  # fractions are drawn in millionths

MINT = st.tuples(st.just("mint"), st.integers(0, HOLDERS - 1), st.integers(1, 10**10))
TRANSFER = st.tuples(
    st.just("transfer"), st.integers(0, HOLDERS - 1), st.integers(0, HOLDERS - 1), st.integers(0, SCALE)
)
BURN = st.tuples(st.just("burn"), st.integers(1, SCALE))
# 12 steps of at most 1e10 units stay far below the minter's allowance of 1e12.
HISTORY = st.lists(st.one_of(MINT, TRANSFER, BURN), min_size=1, max_size=12)


@settings(max_examples=per_profile(ci=20, deep=200), deadline=None)
@given(history=HISTORY)
def test_supply__any_history__total_supply_equals_sum_of_balances(
    history, token, chain, minter, alice, bob, carol, minter_allowance
):
    holders = [minter, alice, bob, carol]
    with chain.isolate():
        model = [0] * HOLDERS
        minted = 0
        for step in history:
            if step[0] == "mint":
                _, to, amount = step
                token.mint(holders[to], amount, sender=minter)
                model[to] += amount
                minted += amount
            elif step[0] == "transfer":
                _, sender, receiver, fraction = step
                amount = model[sender] * fraction // SCALE
                token.transfer(holders[receiver], amount, sender=holders[sender])
                model[sender] -= amount
                model[receiver] += amount
            else:
                _, fraction = step
                amount = model[0] * fraction // SCALE
                if amount > 0:  # burning zero is refused by design; the model skips it
                    token.burn(amount, sender=minter)
                    model[0] -= amount

        balances = [token.balanceOf(holder) for holder in holders]
        assert balances == model
        assert token.totalSupply() == sum(balances)
        assert token.minterAllowance(minter) == minter_allowance - minted
