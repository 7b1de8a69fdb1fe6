"""CareStream: create (cold and warm), createWithAuthorization, withdraw, pause, resume, topUp, cancel,
claimRefund. Streams are created by a fund operator of the program (the usual initiator of a fund-paid stream).
Pause, resume, top-up and cancel ask the Regulator whether the caller may act now (`mayActFor`: the patient's
current account, or a current fund operator of the program); the stored sender grants nothing."""

from __future__ import annotations

from benchmarks import signatures
from benchmarks.recorder import Recorder
from benchmarks.world import CHRONIC, PROGRAM_ID, STREAM_DEPOSIT, UNIT, YEAR, derived, patient_id

HOUR = 3600
CREATE = ("Regulator.reserve (11 checks, day counter, patient usage, institution ledger, 2-slot reservation), "
          "2 CareUSD transferFrom (fund share, patient share) into the module, stream record (4 slots), "
          "StreamCreated + Reserved + 2 Transfer events")
PAYOUT = ("Regulator.checkPayout (program and institution not frozen), stream ledger (out amounts), "
          "SplitRouter.pay (CareUSD transferFrom module to router, split ledger), Withdrawn + SplitPaid + Transfer")
AUTHORIZE = ("Regulator.mayActFor (static call: the reservation and the patient's record; for a fund operator also "
             "the program's operator flag)")
REFUNDS = "Regulator.release (reservation, usage, ledger lowered), 2 CareUSD transfers (fund and patient refunds)"


def cold_parties(world) -> dict[str, object]:
    """A patient and an institution (with its practitioner) that have never had a claim."""
    return {"patient": patient_id("stream-cold-patient"), "patient_account": derived("stream-cold-patient", 0),
            "institution": derived("stream-cold-institution", 0), "practitioner": derived("stream-cold-practitioner", 0)}


def measure_catalog(rec: Recorder) -> None:
    w = rec.world
    s, chain = w.stream, w.chain
    cold = cold_parties(w)
    chain.send_many(w.register_patient_calls(cold["patient"], cold["patient_account"])
                    + w.register_institution_calls(cold["institution"], cold["practitioner"]))
    first = w.next_stream_id()
    rec.measure("CareStream.create.first", w.operator, s, "create", w.stream_params(),
                case="first stream of the module; the patient's and the institution's first claim of the period",
                includes=CREATE + "; the module's CareUSD balance and the patient's usage, the institution's "
                                  "ledger and the day counter are new slots; the patient pays the deductible")
    typical = w.next_stream_id()
    rec.measure("CareStream.create", w.operator, s, "create", w.stream_params(),
                case="typical: same patient, institution and day as an earlier stream", includes=CREATE)
    rec.measure("CareStream.create.cold_patient", w.operator, s, "create", w.stream_params(patient=cold["patient"]),
                case="a patient's first claim of the period (known institution)",
                includes=CREATE + "; the patient's usage slot is new and the deductible is paid")
    rec.measure("CareStream.create.cold_institution", w.operator, s, "create",
                w.stream_params(institution=cold["institution"], practitioner=cold["practitioner"]),
                case="an institution's first claim of the period (known patient)",
                includes=CREATE + "; the institution's ledger slot and the practitioner's day counter are new")
    _measure_create_with_authorization(rec)
    at = chain.now + HOUR
    rec.measure("CareStream.withdraw.first", w.keeper, s, "withdraw", typical, at=at,
                case="first withdrawal of a stream, after 1 hour", includes=PAYOUT + "; the out amounts are new slots")
    rec.measure("CareStream.withdraw", w.keeper, s, "withdraw", typical, at=chain.now + HOUR,
                case="typical: a later withdrawal, 1 hour after the previous", includes=PAYOUT)
    rec.measure("CareStream.pause", w.operator, s, "pause", typical, case="by a fund operator (the stream's sender)",
                includes=AUTHORIZE + ", accrual slot rewritten, StreamPaused")
    rec.measure("CareStream.resume", w.operator, s, "resume", typical, at=chain.now + 60,
                case="by a fund operator (the stream's sender)", includes=AUTHORIZE + ", accrual slot rewritten, StreamResumed")
    rec.measure("CareStream.pause.by_patient", w.patient, s, "pause", typical, at=chain.now + 60,
                case="by the patient", includes="Regulator.mayActFor (static call: the reservation and the patient's "
                                                "record) to authorize, accrual slot, StreamPaused")
    w.tx(w.patient, s, "resume", typical)
    rec.measure("CareStream.topUp", w.operator, s, "topUp", typical, 100 * UNIT, at=chain.now + HOUR,
                case="same period: pays what streamed first, then adds a charge",
                includes=AUTHORIZE + " + payout as withdraw + Regulator.topUp (extended in place) + 2 transferFrom, StreamToppedUp")
    chain.snapshot()
    try:
        rec.measure("CareStream.topUp.renew", w.operator, s, "topUp", typical, 100 * UNIT, at=chain.now + YEAR,
                    case="in a later budget period: the reservation is renewed",
                    includes=AUTHORIZE + " + payout + Regulator.topUp renewing the reservation (release + new reservation, new "
                             "period slots) + 2 transferFrom")
    finally:
        chain.revert()
    rec.measure("CareStream.cancel", w.operator, s, "cancel", typical, at=chain.now + HOUR,
                case="typical: by a fund operator (the stream's sender), pays what streamed and refunds the rest",
                includes=AUTHORIZE + "; the care team's part attributed before the refund; "
                + PAYOUT.replace("Regulator.checkPayout", "Regulator.checkPayout (try)") + "; " + REFUNDS
                + ", StreamCancelled")
    rec.measure("CareStream.cancel.by_patient", w.patient, s, "cancel", first, case="by the patient",
                includes="as cancel, authorized by the patient's record alone (no operator flag read)")
    pending = w.next_stream_id()
    w.tx(w.operator, s, "create", w.stream_params(start=chain.now + 24 * HOUR))
    rec.measure("CareStream.cancel.pending", w.operator, s, "cancel", pending, case="before it started: refunds only",
                includes=AUTHORIZE + "; " + REFUNDS + ", StreamCancelled; no payout")
    held = w.next_stream_id()
    w.tx(w.operator, s, "create", w.stream_params())
    w.tx(w.admin, w.token, "freeze", w.patient)
    w.tx(w.operator, s, "cancel", held, at=chain.now + HOUR)  # the patient's refund is held
    w.tx(w.admin, w.token, "unfreeze", w.patient)
    rec.measure("CareStream.claimRefund", w.patient, s, "claimRefund", w.patient,
                case="a refund held while the account was frozen in the token",
                includes="held amount cleared (refund), CareUSD transfer, RefundClaimed")


def _measure_create_with_authorization(rec: Recorder) -> None:
    w = rec.world
    s, node, chain = w.stream, w.node, w.chain
    params = w.stream_params()
    quote = w.regulator.call(node, "quote", PROGRAM_ID, w.pid, CHRONIC, STREAM_DEPOSIT)
    patient_share = quote[1]
    salt = b"\x5a" * 32
    nonce = s.call(node, "authorizationNonce", params, salt)
    after, before = chain.now, chain.now + HOUR
    sig = signatures.authorization(node, "ReceiveWithAuthorization", w.token.address, w.patient, s.address,
                                   patient_share, after, before, nonce)
    rec.measure("CareStream.createWithAuthorization", w.keeper, s, "createWithAuthorization", params,
                (patient_share, after, before, salt, sig),
                case="typical: the patient's EIP-3009 signature instead of an allowance, relayed",
                includes=CREATE.replace("2 CareUSD transferFrom (fund share, patient share)",
                                        "fund share by transferFrom, patient share by receiveWithAuthorization "
                                        "(ECDSA recovery, nonce marked used)"))
