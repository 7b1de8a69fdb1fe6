"""PayerShares: every outflow is attributed to the fund and the patient exactly.

The pure-Python model is checked on many random histories; the Solidity library is checked
against the model on fewer (each step is a transaction on anvil).
"""

import ape
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from carepay.payer_shares import Ledger
from hypothesis_profiles import per_profile

AMOUNT = st.integers(min_value=0, max_value=10**15)
# A history is a list of ("in", fund, patient) or ("out", fraction of the balance in 1e6).
STEP = st.one_of(
    st.tuples(st.just("in"), AMOUNT, AMOUNT),
    st.tuples(st.just("out"), st.integers(min_value=0, max_value=1_000_000), st.just(0)),
)


def _replay(history):
    ledger = Ledger()
    for kind, a, b in history:
        if kind == "in":
            ledger.record_in(a, b)
        else:
            amount = ledger.total * a // 1_000_000
            fund_before, patient_before = ledger.fund_balance, ledger.patient_balance
            fund_part, patient_part = ledger.record_out(amount)
            yield amount, fund_part, patient_part, fund_before, patient_before, ledger


@settings(max_examples=2000, deadline=None)
@given(st.lists(STEP, max_size=30))
def test_model__outflow_parts__sum_to_outflow_and_stay_within_each_balance(history):
    for amount, fund_part, patient_part, fund_before, patient_before, _ in _replay(history):
        assert fund_part + patient_part == amount
        assert 0 <= fund_part <= fund_before
        assert 0 <= patient_part <= patient_before


@settings(max_examples=2000, deadline=None)
@given(fund=AMOUNT, patient=AMOUNT, fractions=st.lists(st.integers(0, 1_000_000), max_size=20))
def test_model__one_deposit__fund_outflow_is_exactly_its_ratio_rounded_down(fund, patient, fractions):
    ledger = Ledger()
    ledger.record_in(fund, patient)
    for fraction in fractions:
        ledger.record_out(ledger.total * fraction // 1_000_000)
        total_out = ledger.fund_out + ledger.patient_out
        expected = 0 if fund + patient == 0 else total_out * fund // (fund + patient)
        assert ledger.fund_out == expected


@settings(max_examples=1000, deadline=None)
@given(fund=AMOUNT, patient=AMOUNT, pieces=st.lists(st.integers(1, 10**6), max_size=20))
def test_model__draining_everything__leaves_both_balances_at_zero(fund, patient, pieces):
    ledger = Ledger()
    ledger.record_in(fund, patient)
    for piece in pieces:
        ledger.record_out(min(piece, ledger.total))
    ledger.record_out(ledger.total)
    assert (ledger.fund_balance, ledger.patient_balance) == (0, 0)
    assert (ledger.fund_out, ledger.patient_out) == (fund, patient)


@settings(max_examples=2000, deadline=None)
@given(st.lists(STEP, max_size=30))
def test_model__last_outflow__takes_each_payers_remaining_balance(history):
    """The lemma of P3's proof: an outflow that drains the ledger is attributed exactly the balances."""
    ledger = Ledger()
    for kind, a, b in history:
        if kind == "in":
            ledger.record_in(a, b)
        else:
            ledger.record_out(ledger.total * a // 1_000_000)
    balances = (ledger.fund_balance, ledger.patient_balance)
    assert ledger.record_out(ledger.total) == balances


@settings(max_examples=2000, deadline=None)
@given(st.lists(STEP, max_size=30), st.integers(min_value=0, max_value=1_000_000))
def test_model__owed_first_then_refund__same_parts_on_every_path(history, owed_fraction):
    """P3: cancel alone, withdraw then cancel, and a cancel whose payout is held then paid later attribute
    the care team's part and the refund identically (CareStream.cancel's order)."""
    ledger = Ledger()
    for kind, a, b in history:
        if kind == "in":
            ledger.record_in(a, b)
        else:
            ledger.record_out(ledger.total * a // 1_000_000)
    owed = ledger.total * owed_fraction // 1_000_000

    def copy():
        return Ledger(**vars(ledger))

    # Cancel alone: the owed part, then the refund (the balances).
    direct = copy()
    owed_parts = direct.record_out(owed)
    refund_parts = (direct.fund_balance, direct.patient_balance)
    # Withdraw first, then cancel: nothing owed at cancel.
    withdrawn = copy()
    assert withdrawn.record_out(owed) == owed_parts
    assert withdrawn.record_out(0) == (0, 0)
    assert (withdrawn.fund_balance, withdrawn.patient_balance) == refund_parts
    # Held by a freeze: only the refund leaves; the held part, paid later, is each payer's remaining balance.
    held = copy()
    held.fund_out += refund_parts[0]
    held.patient_out += refund_parts[1]
    assert (held.fund_balance, held.patient_balance) == owed_parts
    assert held.record_out(held.total) == owed_parts


def test_model__one_unit_outflows_at_half_and_half__alternate_between_payers():
    ledger = Ledger()
    ledger.record_in(50, 50)
    parts = [ledger.record_out(1) for _ in range(10)]
    # Cumulative rounding: the fund pays every second unit, never drifting by more than one.
    assert sum(f for f, _ in parts) == 5
    assert sum(p for _, p in parts) == 5


def test_model__outflow_above_balance__is_refused():
    ledger = Ledger()
    ledger.record_in(1, 1)
    with pytest.raises(ValueError, match="exceeds the balance 2"):
        ledger.record_out(3)


def _replay_on_harness(harness, sender, history, deposit, withdraw, after_each=lambda model: None) -> Ledger:
    """Plays `history` on the harness (through `deposit`/`withdraw`, the memory or the packed ledger) and on the
    model, checking every outflow's parts against the model's."""
    model = Ledger()
    for kind, a, b in history:
        if kind == "in":
            deposit(a, b, sender=sender)
            model.record_in(a, b)
        else:
            amount = model.total * a // 1_000_000
            tx = withdraw(amount, sender=sender)
            [event] = tx.decode_logs(harness.Out)
            assert (event.fundPart, event.patientPart) == model.record_out(amount)
        after_each(model)
    return model


@settings(
    max_examples=per_profile(ci=10, deep=100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(history=st.lists(STEP, min_size=1, max_size=8))
def test_library__matches_the_model__on_random_histories(project, accounts, history):
    harness = accounts[0].deploy(project.PayerSharesHarness)

    def balances_match(model):
        assert harness.balances() == (model.fund_balance, model.patient_balance)

    _replay_on_harness(harness, accounts[0], history, harness.deposit, harness.withdraw, balances_match)


MAX_STORED = 2**64 - 1  # PayerShares.MAX_AMOUNT: cumulative deposits per payer in a stored (packed) ledger


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(STEP, min_size=1, max_size=6))
def test_packed_ledger__stores_and_loads_every_amount_exactly(project, accounts, history):
    harness = accounts[0].deploy(project.PayerSharesHarness)

    def stored_exactly(model):
        assert tuple(harness.packedLedger()) == (model.fund_in, model.patient_in, model.fund_out, model.patient_out)

    _replay_on_harness(harness, accounts[0], history, harness.depositPacked, harness.withdrawPacked, stored_exactly)


def test_packed_ledger__deposits_up_to_64_bits__are_stored_and_drained_to_zero(project, accounts):
    harness = accounts[0].deploy(project.PayerSharesHarness)
    harness.depositPacked(MAX_STORED - 1, MAX_STORED, sender=accounts[0])
    harness.depositPacked(1, 0, sender=accounts[0])
    harness.withdrawPacked(2 * MAX_STORED, sender=accounts[0])
    assert tuple(harness.packedLedger()) == (MAX_STORED, MAX_STORED, MAX_STORED, MAX_STORED)


@pytest.mark.parametrize("fund, patient", [(MAX_STORED + 1, 0), (0, MAX_STORED + 1), (2**128 - 1, 2**128 - 1)])
def test_packed_ledger__deposits_above_64_bits__revert_with_the_totals(project, accounts, fund, patient):
    harness = accounts[0].deploy(project.PayerSharesHarness)
    with ape.reverts(harness.PayerShares_DepositsAboveMax, fundIn=fund, patientIn=patient, max=MAX_STORED):
        harness.depositPacked(fund, patient, sender=accounts[0])


def test_packed_ledger__cumulative_deposits_above_64_bits__revert(project, accounts):
    harness = accounts[0].deploy(project.PayerSharesHarness)
    harness.depositPacked(MAX_STORED, 5, sender=accounts[0])
    with ape.reverts(harness.PayerShares_DepositsAboveMax, fundIn=MAX_STORED + 1, patientIn=5, max=MAX_STORED):
        harness.depositPacked(1, 0, sender=accounts[0])
    assert tuple(harness.packedLedger()) == (MAX_STORED, 5, 0, 0)
