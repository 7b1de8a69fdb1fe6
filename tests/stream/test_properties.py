"""Property: after any history of creates, top-ups, withdrawals, pauses, resumes and cancellations
(with budget periods rolling over and the institution sometimes frozen), the module holds exactly
what it still owes, and every stream's ledger matches the reference model.

Each example runs on anvil inside its own chain snapshot.
"""

import ape
import hypothesis
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_profiles import per_profile

from .conftest import ONE
from .model import CANCELLED, INSOLVENT, PAUSED, STREAMING, StreamModel

RATES = st.sampled_from([10**18, 10**18 * 7 // 3, 115_740_740_740_740_740_740, 3_858_024_691_358_024_691])
STEP = st.integers(min_value=0, max_value=4 * 86_400)
STREAM = st.integers(min_value=0, max_value=7)
CREATE = st.tuples(st.just("create"), st.integers(ONE, 400 * ONE), RATES, STEP, st.booleans())
ACTION = st.one_of(
    CREATE,
    st.tuples(st.just("top_up"), STREAM, st.integers(ONE, 200 * ONE), STEP),
    st.tuples(st.just("withdraw"), STREAM, STEP),
    st.tuples(st.just("pause"), STREAM, STEP),
    st.tuples(st.just("resume"), STREAM, STEP),
    st.tuples(st.just("cancel"), STREAM, STEP, st.booleans()),
    st.tuples(st.just("freeze"), st.booleans(), STEP),
)
# A history starts with a stream; freezes stay rarer than the stream's own actions.
HISTORY = st.tuples(CREATE, st.lists(ACTION, min_size=2, max_size=12)).map(lambda pair: [pair[0], *pair[1]])
STATUS_NAMES = ["PENDING", "STREAMING", "INSOLVENT", "PAUSED", "ENDED", "CANCELLED"]


def _ledger_tuple(model):
    l = model.ledger
    return (l.fund_in, l.patient_in, l.fund_out, l.patient_out)


@settings(
    max_examples=per_profile(ci=15, deep=200),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=HISTORY)
def test_property__random_histories__module_balance_equals_what_it_owes(
    actions, chain, stream, token, regulator, params, admin, operator, patient, keeper, hospital
):
    snapshot = chain.snapshot()
    try:
        _run(actions, chain, stream, token, regulator, params, admin, operator, patient, keeper, hospital)
    finally:
        chain.restore(snapshot)


def _run(actions, chain, stream, token, regulator, params, admin, operator, patient, keeper, hospital):
    models = {}  # stream id -> StreamModel
    frozen = False
    t = chain.pending_timestamp
    first_id = stream.nextStreamId()
    for action in actions:
        kind, step = action[0], action[-2] if action[0] in ("create", "cancel") else action[-1]
        if kind == "freeze":
            frozen = action[1]
            if frozen != regulator.getInstitution(hospital).frozen:
                t += max(step, 1)
                chain.pending_timestamp = t
                regulator.setInstitutionFrozen(hospital, frozen, sender=admin)
            continue
        if kind != "create" and not models:
            continue
        t += max(step, 1)
        chain.pending_timestamp = t

        if kind == "create":
            _, deposit, rate, _, open_ended = action
            end = 0 if open_ended else t + 3 * 86_400
            if frozen:
                with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=hospital):
                    stream.create(params(rate=rate, deposit=deposit, end=end), sender=operator)
            else:
                tx = stream.create(params(rate=rate, deposit=deposit, end=end), sender=operator)
                [event] = tx.decode_logs(stream.StreamCreated)
                models[event.streamId] = StreamModel.new(rate, t, end, event.fundShare, event.patientShare)
        else:
            label = _act(action, t, frozen, models, first_id, stream, regulator, operator, patient, keeper, hospital)
            hypothesis.event(label)

        # The invariants, after every step, seen at time t (a refused call mined no block).
        if chain.blocks.head.timestamp != t:
            chain.mine(timestamp=t)
        held_total = 0
        for sid, m in models.items():
            s = stream.getStream(sid)
            assert tuple(s.ledger) == _ledger_tuple(m)
            held_total += m.ledger.total
        assert token.balanceOf(stream) == held_total
        for sid, m in models.items():
            assert stream.withdrawableAmountOf(sid) == m.withdrawable(t)
            assert stream.statusOf(sid) == m.status(t)
        # Fund + patient + care team == deposits, stream by stream, once settled.
        for m in models.values():
            if m.cancelled and m.held == 0:
                assert m.ledger.total == 0


def _act(action, t, frozen, models, first_id, stream, regulator, operator, patient, keeper, hospital):
    kind = action[0]
    stream_id = first_id + action[1] % len(models)
    model = models[stream_id]
    status = model.status(t)
    label = f"{kind} on {STATUS_NAMES[status]}{' (frozen)' if frozen else ''}"

    if kind == "top_up":
        charge = action[2]
        if status == CANCELLED:
            with ape.reverts(stream.CareStream_WrongStatus, streamId=stream_id, status=CANCELLED):
                stream.topUp(stream_id, charge, sender=patient)
        elif model.end and t >= model.end and charge > model.uncovered_debt(t):
            # An ended stream takes at most its uncovered debt (refused before any Regulator check).
            with ape.reverts(stream.CareStream_TopUpAfterEnd, streamId=stream_id, endTime=model.end, charge=charge,
                             uncoveredDebt=model.uncovered_debt(t)):
                stream.topUp(stream_id, charge, sender=patient)
        elif frozen:
            with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=hospital):
                stream.topUp(stream_id, charge, sender=patient)
        else:
            tx = stream.topUp(stream_id, charge, sender=patient)
            [event] = tx.decode_logs(stream.StreamToppedUp)
            owed, fund_part, patient_part, _, _ = model.top_up(t, event.fundShare, event.patientShare)
            withdrawn = tx.decode_logs(stream.Withdrawn)
            assert [(w.amount, w.fundPart, w.patientPart) for w in withdrawn] == (
                [(owed, fund_part, patient_part)] if owed else []
            )
    elif kind == "withdraw":
        if model.withdrawable(t) == 0:
            with ape.reverts(stream.CareStream_NothingToWithdraw, streamId=stream_id):
                stream.withdraw(stream_id, sender=keeper)
        elif frozen:
            with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=hospital):
                stream.withdraw(stream_id, sender=keeper)
        else:
            tx = stream.withdraw(stream_id, sender=keeper)
            [event] = tx.decode_logs(stream.Withdrawn)
            assert (event.amount, event.fundPart, event.patientPart) == model.withdraw(t)
    elif kind == "pause":
        if status in (STREAMING, INSOLVENT):
            stream.pause(stream_id, sender=patient)
            model.pause(t)
        else:
            with ape.reverts(stream.CareStream_WrongStatus, streamId=stream_id, status=status):
                stream.pause(stream_id, sender=patient)
    elif kind == "resume":
        if status == PAUSED:
            stream.resume(stream_id, sender=operator)
            model.resume(t)
        else:
            with ape.reverts(stream.CareStream_WrongStatus, streamId=stream_id, status=status):
                stream.resume(stream_id, sender=operator)
    elif kind == "cancel":
        caller = patient if action[3] else operator
        if status == CANCELLED:
            with ape.reverts(stream.CareStream_WrongStatus, streamId=stream_id, status=CANCELLED):
                stream.cancel(stream_id, sender=caller)
        else:
            tx = stream.cancel(stream_id, sender=caller)
            [event] = tx.decode_logs(stream.StreamCancelled)
            expected = model.cancel(t, payout_allowed=not frozen)
            assert (
                event.paidToCareTeam,
                event.heldForCareTeam,
                event.fundRefund,
                event.patientRefund,
                event.uncoveredDebt,
            ) == (
                expected["paid"],
                expected["held"],
                expected["fund_refund"],
                expected["patient_refund"],
                expected["uncovered_debt"],
            )
    return label
