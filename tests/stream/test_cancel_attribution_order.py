"""CareStream.cancel attributes the care team's part (owed) before the refund, so who pays for a stream does not
depend on the order of permissionless calls.

PayerShares attributes each outflow with max(previous fund outflow, floor(totalOut x fundIn / totalIn)). After
a top-up at another fund ratio (the first deposit all deductible, the top-up 80 % fund) the fund's target jumps
and the next outflow "catches up". `withdraw` is callable by anyone: were the refund attributed first at cancel,
a `withdraw` just before the `cancel` would move money between the payers (13.33 cUSD of a 120 cUSD stream in
the history below: security review finding 6). Cancel now attributes the owed part first, also when a freeze
holds the payout (the refund's parts are computed as if it had gone out first); the held part, paid later by
`withdraw`, is then exactly each payer's remaining balance (INVARIANTS.md, P3).
"""

import pytest

from .conftest import ONE, RATE_SCALE

ONE_CUSD_PER_SECOND = ONE * RATE_SCALE
ORDERS = ("cancel", "withdraw_then_cancel", "frozen_cancel_then_withdraw")


def _history(chain, token, fund, patient, router, stream, regulator, admin, hospital, keeper, create_stream, at,
             operator, order, first_deposit=20 * ONE, top_up=100 * ONE, top_up_at=20, paused_at=80):
    """Runs one history and returns what each payer paid net and the parts of the care team's last payout;
    the chain is restored afterwards."""
    snapshot = chain.snapshot()
    fund_before, patient_before, router_before = token.balanceOf(fund), token.balanceOf(patient), token.balanceOf(router)
    stream_id, _, tx0 = create_stream(rate=ONE_CUSD_PER_SECOND, deposit=first_deposit)
    at(tx0.timestamp + top_up_at)
    stream.topUp(stream_id, top_up, sender=operator)
    at(tx0.timestamp + paused_at)
    stream.pause(stream_id, sender=patient)  # nothing accrues from here
    if order == "withdraw_then_cancel":
        [last_payout] = stream.withdraw(stream_id, sender=keeper).decode_logs(stream.Withdrawn)
        cancel = stream.cancel(stream_id, sender=patient)
        assert cancel.decode_logs(stream.Withdrawn) == []
    elif order == "cancel":
        cancel = stream.cancel(stream_id, sender=patient)
        [last_payout] = cancel.decode_logs(stream.Withdrawn)
    else:
        regulator.setInstitutionFrozen(hospital, True, sender=admin)
        cancel = stream.cancel(stream_id, sender=patient)
        [cancelled] = cancel.decode_logs(stream.StreamCancelled)
        assert cancelled.paidToCareTeam == 0 and cancelled.heldForCareTeam > 0
        # What stays is exactly the held part, each payer's remaining balance.
        ledger = stream.getStream(stream_id).ledger
        held_parts = (ledger.fundIn - ledger.fundOut, ledger.patientIn - ledger.patientOut)
        assert sum(held_parts) == cancelled.heldForCareTeam
        regulator.setInstitutionFrozen(hospital, False, sender=admin)
        [last_payout] = stream.withdraw(stream_id, sender=keeper).decode_logs(stream.Withdrawn)
        assert (last_payout.fundPart, last_payout.patientPart) == held_parts
    [cancelled] = cancel.decode_logs(stream.StreamCancelled)
    result = {
        "fund_paid": fund_before - token.balanceOf(fund),
        "patient_paid": patient_before - token.balanceOf(patient),
        "care_team_received": token.balanceOf(router) - router_before,
        "refunds": (cancelled.fundRefund, cancelled.patientRefund),
        "last_payout": (last_payout.amount, last_payout.fundPart, last_payout.patientPart),
    }
    assert token.balanceOf(stream) == 0
    chain.restore(snapshot)
    return result


@pytest.fixture
def history(chain, token, fund, patient, router, stream, regulator, admin, hospital, keeper, create_stream, at,
            operator):
    def run(order, **overrides):
        return _history(chain, token, fund, patient, router, stream, regulator, admin, hospital, keeper, create_stream, at,
                        operator, order, **overrides)

    return run


def test_cancel__withdraw_just_before__does_not_change_what_each_payer_pays(history):
    cancel_only = history("cancel")
    withdraw_then_cancel = history("withdraw_then_cancel")
    assert withdraw_then_cancel == cancel_only
    # 20 streamed (all the patient's deductible deposit) were paid at the top-up; the 60 owed at the pause are
    # attributed against 80 fund / 40 patient deposited: fund target floor(80 x 80 / 120) = 53.333333 cUSD;
    # the 40 refunded are what each payer has left.
    assert cancel_only["last_payout"] == (60 * ONE, 53_333_333, 6_666_667)
    assert cancel_only["refunds"] == (26_666_667, 13_333_333)
    assert cancel_only["fund_paid"] == 53_333_333
    assert cancel_only["patient_paid"] == 20 * ONE + 6_666_667


def test_cancel__payout_held_by_a_freeze__refunds_the_same_and_the_held_part_is_each_payers_balance(history):
    cancel_only = history("cancel")
    frozen = history("frozen_cancel_then_withdraw")
    # The same refunds, the same net cost to each payer, and the held part (paid after the unfreeze) is
    # attributed exactly as the payout of an unfrozen cancel.
    assert frozen == cancel_only


@pytest.mark.parametrize(
    "history_args",
    [
        dict(first_deposit=20 * ONE, top_up=100 * ONE, top_up_at=20, paused_at=80),  # the review's history
        dict(first_deposit=7 * ONE + 3, top_up=250 * ONE + 1, top_up_at=5, paused_at=31),  # top-up in the deductible
        dict(first_deposit=300 * ONE, top_up=11 * ONE + 7, top_up_at=100, paused_at=299),  # deductible met first
        dict(first_deposit=20 * ONE, top_up=100 * ONE, top_up_at=20, paused_at=21),  # little owed
        dict(first_deposit=20 * ONE, top_up=3 * ONE, top_up_at=20, paused_at=60),  # insolvent: everything owed
    ],
)
def test_cancel__any_order_of_withdraw_freeze_and_cancel__costs_each_payer_the_same(history, history_args):
    results = [history(order, **history_args) for order in ORDERS]
    assert results[1] == results[0]
    assert results[2] == results[0]
    # What the payers paid net is exactly what the care team received.
    assert results[0]["fund_paid"] + results[0]["patient_paid"] == results[0]["care_team_received"]
