"""verify replays a stream's cancel in the contract's order: the care team's part first (also when a freeze holds
it), then the refund as what each payer has left (INVARIANTS.md, P3). Events are tampered with in memory, after
reading the realistic history, to show the checks bite."""

import dataclasses

from carepay.ledger.reader import read_chain
from carepay.ledger.replay import replay
from carepay.verify import PASS, verify_replay


def _cancel_of(chain_data, stream_id):
    [index] = [
        i for i, e in enumerate(chain_data.events)
        if e.contract == "CareStream" and e.name == "StreamCancelled" and e.args["streamId"] == stream_id
    ]
    return index


def _with_args(event, **changes):
    return dataclasses.replace(event, args={**event.args, **changes})


def test_verify__held_cancel__refund_and_later_payout_follow_the_owed_first_order(history, w3):
    chain_data = read_chain(w3, history.addresses(), history.deploy_block)
    stream_id = history.streams["signed"]  # cancelled while its institution was frozen
    cancelled = chain_data.events[_cancel_of(chain_data, stream_id)]
    assert cancelled.args["heldForCareTeam"] > 0 and cancelled.args["paidToCareTeam"] == 0

    result = verify_replay(replay(chain_data))

    assert result.ok, [b.message for b in result.breaches]
    p3 = result.check("P3")
    cancels = [e for e in chain_data.events if e.name == "StreamCancelled"]
    held = [e for e in cancels if e.args["heldForCareTeam"] > 0]
    assert p3.status == PASS and p3.compared == len(cancels) + len(held)  # each cancel; each held part's payout

def test_verify__refund_split_moved_by_one_unit__breaks_p2_and_p3_for_that_stream(history, w3):
    chain_data = read_chain(w3, history.addresses(), history.deploy_block)
    stream_id = history.streams["signed"]
    index = _cancel_of(chain_data, stream_id)
    original = chain_data.events[index]
    assert original.args["fundRefund"] > 0
    # The split of an attribution in another order: one unit of the refund moved from the fund to the patient.
    chain_data.events[index] = _with_args(
        original, fundRefund=original.args["fundRefund"] - 1, patientRefund=original.args["patientRefund"] + 1
    )

    result = verify_replay(replay(chain_data))

    subject = f"CareStream stream {stream_id}"
    refund = original.args["fundRefund"] + original.args["patientRefund"]
    p2 = [b for b in result.breaches if b.invariant == "P2" and b.subject == subject and "cancel refund" in b.quantity]
    assert [b.quantity for b in p2] == [f"fund part of a cancel refund (after the care team's part) of {refund}"]
    assert (p2[0].expected, p2[0].actual) == (original.args["fundRefund"], original.args["fundRefund"] - 1)
    p3 = [b for b in result.breaches if b.invariant == "P3" and b.subject == subject]
    assert len(p3) == 1  # what stays in is no longer the held part's parts
    assert "what stays in after cancel" in p3[0].quantity
