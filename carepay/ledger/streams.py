"""CareStream rebuilt from its events: each stream's accrual, deposits, payouts, refunds and held refunds.

Checks C1-C4, C6, C7 and the PayerShares attributions (P1-P3) of every stream outflow. Accrual is
replayed from block times (start, pauses, resumes, end), so what a withdrawal or a cancellation pays
is recomputed independently: streamed = floor(rate × activeSeconds / 1e18).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from carepay.ledger.context import Context
from carepay.ledger.held import record_claim
from carepay.ledger.outflow import check_outflow
from carepay.ledger.reader import Event
from carepay.payer_shares import Ledger

RATE_SCALE = 10**18
ACTIVE, PAUSED, CANCELLED = 0, 1, 2
STATE_NAMES = {ACTIVE: "active", PAUSED: "paused", CANCELLED: "cancelled"}

C1 = "CareStream's token balance = Σ stream ledger balances + refunds held for payers."
C2 = "Per stream, paid to the care team + fund refunds + patient refunds + still held = deposits; cancel pays exactly what streamed and refunds the rest."
C3 = "Streaming past the deposit is reported as uncovered debt at cancel, exactly max(streamed − deposited, 0)."
C4 = "A later-period top-up carries exactly the unstreamed money into the renewed reservation; a stream's fund balance never exceeds its reservation's fundReserved."
C5 = "While the institution or program is frozen no stream payout leaves (see R9)."
C6 = "A cancelled stream never changes again (no top-up, pause, resume or second cancel; only its held payout is withdrawn)."
C7 = "Each stream's accrual (rate, active seconds, snapshot, state) and ledger equal their replay from events; every payout is exactly what was withdrawable then."
P1 = "Each outflow's fund part + patient part = the outflow, neither exceeds that payer's balance, and a drained item leaves both at zero."
P2 = "The fund's cumulative outflow is exactly max(previous, floor(totalOut × fundIn / totalIn)) at every outflow."
P3 = ("A cancel attributes the care team's part before the refund, also when a freeze holds it: the refund is what "
      "each payer has left after it, and a held part, paid later, is exactly each payer's remaining balance.")


@dataclass
class Stream:
    id: int
    program: int
    patient: bytes
    institution: str
    split: bytes
    rate: int
    start: int
    end: int
    reservation: int
    sender: str
    state: int = ACTIVE
    snapshot: int = 0
    active_seconds: int = 0
    ledger: Ledger = field(default_factory=Ledger)
    paid: int = 0
    fund_refunds: int = 0
    patient_refunds: int = 0
    debt_written_off: int = 0
    held_at_cancel: int = 0
    held_parts: tuple[int, int] | None = None  # (fund, patient) of the care team's part held at cancel
    cancelled_at: str = ""

    def active_at(self, now: int) -> int:
        seconds = self.active_seconds
        if self.state != ACTIVE:
            return seconds
        until = min(now, self.end) if self.end else now
        return seconds + max(until - self.snapshot, 0)

    def streamed_at(self, now: int) -> int:
        return self.rate * self.active_at(now) // RATE_SCALE

    @property
    def deposited(self) -> int:
        return self.ledger.fund_in + self.ledger.patient_in

    @property
    def paid_out(self) -> int:
        return self.ledger.fund_out + self.ledger.patient_out

    @property
    def held(self) -> int:
        return self.ledger.total

    def withdrawable_at(self, now: int) -> int:
        if self.state == CANCELLED:
            return self.held
        return min(self.streamed_at(now), self.deposited) - self.paid_out


class StreamBook:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.audit = ctx.audit
        self.streams: dict[int, Stream] = {}
        self.held_refunds: dict[str, int] = defaultdict(int)
        self.refunds_ever_held = 0
        self.expected_flow: dict[str, int] = defaultdict(int)  # tx -> units the events say entered (-left) the module
        self.payouts: dict[bytes, int] = defaultdict(int)  # split -> units paid by this module
        self._deferred: dict[tuple[str, int], list[Event]] = {}  # payouts of a cancel, replayed in its checks
        self._cancelling: dict[str, set[int]] = {}  # tx -> streams cancelled in it
        for invariant, sentence in (
            ("C1", C1), ("C2", C2), ("C3", C3), ("C4", C4), ("C5", C5), ("C6", C6), ("C7", C7), ("P1", P1), ("P2", P2),
            ("P3", P3),
        ):
            self.audit.check(invariant, sentence)

    def apply(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.name}", None)
        if handler is not None:
            handler(event, event.args)

    def _stream(self, event: Event, stream_id: int) -> Stream | None:
        stream = self.streams.get(stream_id)
        if stream is None:
            self.audit.check("C7").holds(
                False, f"CareStream stream {stream_id}", "created before use", "StreamCreated", "unknown stream",
                self.ctx.at(event),
            )
        return stream

    def _not_cancelled(self, event: Event, stream: Stream) -> bool:
        return self.audit.check("C6").holds(
            stream.state != CANCELLED, f"CareStream stream {stream.id}", f"{event.name} after its cancellation",
            "no change", event.name, f"{self.ctx.at(event)}; cancelled {stream.cancelled_at}",
        )

    def _on_StreamCreated(self, event: Event, a: dict) -> None:
        p = a["params"]
        stream = Stream(
            a["streamId"], p["programId"], p["patientId"], p["institution"], p["splitId"], p["ratePerSecond"],
            a["startTime"], p["endTime"], a["reservationId"], a["sender"], snapshot=a["startTime"],
        )
        stream.ledger.record_in(a["fundShare"], a["patientShare"])
        self.streams[stream.id] = stream
        self.audit.check("R1").equal(
            f"CareStream stream {stream.id}", "fundShare + patientShare of the deposit", p["deposit"],
            a["fundShare"] + a["patientShare"], self.ctx.at(event),
        )
        self._quote_matches(event, stream, a["reservationId"], a["fundShare"], a["patientShare"])
        self.expected_flow[event.tx] += a["fundShare"] + a["patientShare"]

    def _quote_matches(self, event: Event, stream: Stream, reservation_id: int, fund: int, patient: int) -> None:
        """The shares the module took are the ones the Regulator's quote gave (its last charge event)."""
        quote = self.ctx.books["Regulator"].last_quote.get((event.tx, reservation_id))
        if quote is None:
            self.audit.check("C2").holds(
                False, f"CareStream stream {stream.id}", "Regulator charge in the same transaction",
                f"reservation {reservation_id} charged", "none", self.ctx.at(event),
            )
            return
        c2 = self.audit.check("C2")
        c2.equal(
            f"CareStream stream {stream.id}", "fund share taken vs the Regulator's quote", quote["fundShare"], fund,
            self.ctx.at(event),
        )
        c2.equal(
            f"CareStream stream {stream.id}", "patient share taken vs the Regulator's quote", quote["patientShare"],
            patient, self.ctx.at(event),
        )

    def _on_StreamToppedUp(self, event: Event, a: dict) -> None:
        stream = self._stream(event, a["streamId"])
        if stream is None or not self._not_cancelled(event, stream):
            return
        subject = f"CareStream stream {stream.id}"
        if a["newReservationId"] != a["oldReservationId"]:
            renewal = self.ctx.books["Regulator"].renewals.get(a["oldReservationId"])
            c4 = self.audit.check("C4")
            if c4.holds(
                renewal is not None, subject, "Renewed event for a new reservation",
                f"{a['oldReservationId']} -> {a['newReservationId']}", "none", self.ctx.at(event),
            ):
                c4.equal(
                    subject, "fund carried into the renewed reservation (unstreamed fund balance)",
                    stream.ledger.fund_balance, renewal[1], self.ctx.at(event),
                )
                c4.equal(
                    subject, "patient money carried into the renewed reservation (unstreamed patient balance)",
                    stream.ledger.patient_balance, renewal[2], self.ctx.at(event),
                )
            stream.reservation = a["newReservationId"]
        now = self.ctx.chain.timestamp(event.block)
        self.audit.check("C7").equal(
            subject, "withdrawable left after a top-up's payout", 0, stream.withdrawable_at(now), self.ctx.at(event),
        )
        self.audit.check("R1").equal(
            subject, "fundShare + patientShare of a top-up", a["charge"], a["fundShare"] + a["patientShare"],
            self.ctx.at(event),
        )
        self._quote_matches(event, stream, a["newReservationId"], a["fundShare"], a["patientShare"])
        stream.ledger.record_in(a["fundShare"], a["patientShare"])
        self.expected_flow[event.tx] += a["fundShare"] + a["patientShare"]

    def _on_StreamPaused(self, event: Event, a: dict) -> None:
        stream = self._stream(event, a["streamId"])
        if stream is None or not self._not_cancelled(event, stream):
            return
        now = self.ctx.chain.timestamp(event.block)
        stream.active_seconds = stream.active_at(now)
        stream.snapshot, stream.state = now, PAUSED
        self.audit.check("C7").equal(
            f"CareStream stream {stream.id}", "streamed at pause", stream.streamed_at(now), a["streamedAmount"],
            self.ctx.at(event),
        )

    def _on_StreamResumed(self, event: Event, a: dict) -> None:
        stream = self._stream(event, a["streamId"])
        if stream is None or not self._not_cancelled(event, stream):
            return
        now = self.ctx.chain.timestamp(event.block)
        stream.snapshot, stream.state = now, ACTIVE
        self.audit.check("C7").equal(
            f"CareStream stream {stream.id}", "streamed at resume", stream.streamed_at(now), a["streamedAmount"],
            self.ctx.at(event),
        )

    def _on_Withdrawn(self, event: Event, a: dict, paid_at_cancel: int | None = None) -> None:
        stream = self._stream(event, a["streamId"])
        if stream is None:
            return
        subject = f"CareStream stream {stream.id}"
        if paid_at_cancel is None:
            withdrawable = stream.withdrawable_at(self.ctx.chain.timestamp(event.block))
            self.audit.check("C7").equal(
                subject, "payout (exactly what was withdrawable)", withdrawable, a["amount"], self.ctx.at(event),
            )
        else:
            self.audit.check("C2").equal(
                subject, "payout at cancel (paidToCareTeam)", paid_at_cancel, a["amount"], self.ctx.at(event),
            )
        self.audit.check("C7").equal(subject, "split of a payout", stream.split, a["splitId"], self.ctx.at(event))
        blocked = self.ctx.books["Regulator"].payout_blocked(stream.reservation)
        self.audit.check("R9").holds(
            blocked is None, subject, "payout while frozen", "no payout", f"{a['amount']} units paid while {blocked}",
            self.ctx.at(event),
        )
        if stream.state == CANCELLED and stream.held_parts is not None:
            # The held part leaves last: each payer's remaining balance, the parts it had at cancel.
            self.audit.check("P3").equal(
                subject, "fund and patient parts of the care team's part held at cancel", stream.held_parts,
                (a["fundPart"], a["patientPart"]), self.ctx.at(event),
            )
            stream.held_parts = None
        self._outflow(event, stream, a["amount"], a["fundPart"], a["patientPart"], "payout")
        stream.paid += a["amount"]
        self.payouts[stream.split] += a["amount"]
        self.expected_flow[event.tx] -= a["amount"]

    def _outflow(self, event: Event, stream: Stream, amount: int, fund_part: int, patient_part: int, what: str) -> None:
        subject = f"CareStream stream {stream.id}"
        check_outflow(self.audit, self.ctx.at(event), subject, "stream", stream.ledger, amount, fund_part, patient_part, what)

    def _on_StreamCancelled(self, event: Event, a: dict) -> None:
        stream = self._stream(event, a["streamId"])
        if stream is None or not self._not_cancelled(event, stream):
            return
        subject = f"CareStream stream {stream.id}"
        where = self.ctx.at(event)
        now = self.ctx.chain.timestamp(event.block)
        streamed = stream.streamed_at(now)
        earned = min(streamed, stream.deposited)
        c2, c3 = self.audit.check("C2"), self.audit.check("C3")
        c2.equal(
            subject, "paid + held for the care team at cancel (what streamed, unpaid)", earned - stream.paid_out,
            a["paidToCareTeam"] + a["heldForCareTeam"], where,
        )
        c2.equal(
            subject, "refunds at cancel (deposits − what streamed)", stream.deposited - earned,
            a["fundRefund"] + a["patientRefund"], where,
        )
        c3.equal(
            subject, "uncovered debt written off at cancel", max(streamed - stream.deposited, 0), a["uncoveredDebt"],
            where,
        )
        refund = a["fundRefund"] + a["patientRefund"]
        # The care team's part is attributed first: the payout of the same transaction (deferred to here, after
        # the checks above of what was owed), or the held part, on a copy of the ledger as if it had been paid.
        for payout in self._deferred.pop((event.tx, stream.id), []):
            self._on_Withdrawn(payout, payout.args, paid_at_cancel=a["paidToCareTeam"])
        held = a["heldForCareTeam"]
        after_owed = Ledger(**vars(stream.ledger))
        held_parts = after_owed.record_out(held) if held <= after_owed.total else None
        check_outflow(
            self.audit, where, subject, "stream", after_owed, refund, a["fundRefund"], a["patientRefund"],
            "cancel refund (after the care team's part)",
        )
        stream.ledger.fund_out += a["fundRefund"]
        stream.ledger.patient_out += a["patientRefund"]
        self.audit.check("P3").equal(
            subject, "what stays in after cancel (the held part's fund and patient parts)", held_parts or (0, 0),
            (stream.ledger.fund_balance, stream.ledger.patient_balance), where,
        )
        stream.held_parts = held_parts if held else None
        blocked = self.ctx.books["Regulator"].payout_blocked(stream.reservation)
        if a["heldForCareTeam"]:
            self.audit.check("R9").holds(
                blocked is not None, subject, "care team's part held at cancel only under a freeze",
                "paid (nothing frozen)", f"{a['heldForCareTeam']} held", where,
            )
        stream.active_seconds = stream.active_at(now)
        stream.snapshot, stream.state, stream.cancelled_at = now, CANCELLED, event.where()
        stream.fund_refunds += a["fundRefund"]
        stream.patient_refunds += a["patientRefund"]
        stream.debt_written_off = a["uncoveredDebt"]
        stream.held_at_cancel = a["heldForCareTeam"]
        self.expected_flow[event.tx] -= refund  # held refunds come back in through RefundHeld

    def defer(self, event: Event) -> bool:
        """Holds back a cancel's payout (same transaction) until the cancel's checks of what was owed have run;
        it is then attributed before the refund, as the contract does."""
        if event.name == "Withdrawn" and event.args["streamId"] in self._cancelling.get(event.tx, set()):
            self._deferred.setdefault((event.tx, event.args["streamId"]), []).append(event)
            return True
        return False

    def prepare(self, events: list[Event]) -> None:
        self._deferred, self._cancelling = {}, {}
        for event in events:
            if event.contract == "CareStream" and event.name == "StreamCancelled":
                self._cancelling.setdefault(event.tx, set()).add(event.args["streamId"])

    def _on_RefundHeld(self, event: Event, a: dict) -> None:
        self.held_refunds[a["account"]] += a["amount"]
        self.refunds_ever_held += a["amount"]
        self.expected_flow[event.tx] += a["amount"]

    def _on_RefundClaimed(self, event: Event, a: dict) -> None:
        record_claim(self, event, a, "C1", "CareStream")

    def finish(self) -> None:
        ctx, view = self.ctx, self.ctx.chain.view
        c1, c2, c4, c7, p1 = (self.audit.check(i) for i in ("C1", "C2", "C4", "C7", "P1"))
        regulator = ctx.books["Regulator"]
        owed = 0
        for stream in self.streams.values():
            subject = f"CareStream stream {stream.id}"
            record = view("CareStream", "getStream", stream.id)
            accrual, ledger = record[0], record[-1]
            for name, expected, actual in (
                ("ratePerSecond", stream.rate, accrual[0]),
                ("snapshotTime", stream.snapshot, accrual[1]),
                ("endTime", stream.end, accrual[2]),
                ("activeSeconds", stream.active_seconds, accrual[3]),
                ("state", STATE_NAMES[stream.state], STATE_NAMES.get(accrual[4], accrual[4])),
                ("reservationId", stream.reservation, record[3]),
                ("sender", stream.sender, record[1]),
                ("splitId", stream.split, record[5]),
            ):
                c7.equal(subject, name, expected, actual)
            for name, expected, actual in (
                ("fundIn", stream.ledger.fund_in, ledger[0]),
                ("patientIn", stream.ledger.patient_in, ledger[1]),
                ("fundOut", stream.ledger.fund_out, ledger[2]),
                ("patientOut", stream.ledger.patient_out, ledger[3]),
            ):
                c2.equal(subject, f"ledger {name} (from events)", expected, actual)
            still_held = (ledger[0] - ledger[2]) + (ledger[1] - ledger[3])
            c2.equal(
                subject, "deposits = paid + fund refunds + patient refunds + still held", stream.deposited,
                stream.paid + stream.fund_refunds + stream.patient_refunds + still_held,
            )
            if stream.state == CANCELLED and still_held == 0:
                p1.equal(subject, "fund balance of a drained stream", 0, ledger[0] - ledger[2])
                p1.equal(subject, "patient balance of a drained stream", 0, ledger[1] - ledger[3])
            reservation = regulator.reservations.get(stream.reservation)
            if reservation is not None and stream.state != CANCELLED:
                c4.holds(
                    stream.ledger.fund_balance <= reservation.fund, subject,
                    "fund balance within its reservation's fundReserved", f"<= {reservation.fund}",
                    stream.ledger.fund_balance,
                )
            owed += stream.held
        for account, amount in sorted(self.held_refunds.items()):
            c1.equal(
                f"CareStream held refunds of {ctx.label(account)}", "heldRefundOf", amount,
                view("CareStream", "heldRefundOf", account),
            )
            owed += amount
        module = ctx.chain.addresses["CareStream"]
        balance = view("CareUSD", "balanceOf", module)
        c1.equal(f"CareStream {module}", "token balance = Σ stream balances + held refunds", owed, balance)
        if self.streams or ctx.chain.from_block == 0:
            c7.holds(
                view("CareStream", "nextStreamId") - 1 >= max(self.streams, default=0), "CareStream",
                "nextStreamId covers every stream seen", f">= {max(self.streams, default=0) + 1}",
                view("CareStream", "nextStreamId"),
            )
        c1.figure("streams", len(self.streams))
        c1.figure("module balance", balance)
        c1.figure("owed", owed)
        c1.figure("refunds ever held", self.refunds_ever_held)
        c1.figure("care-team payouts held at cancel", sum(s.held_at_cancel for s in self.streams.values()))
        c2.figure("deposited", sum(s.deposited for s in self.streams.values()))
        c2.figure("paid to care teams", sum(s.paid for s in self.streams.values()))
        c2.figure("refunded", sum(s.fund_refunds + s.patient_refunds for s in self.streams.values()))
        c2.figure("debt written off", sum(s.debt_written_off for s in self.streams.values()))
        self.audit.partly("C5", "checked under R9: every stream payout is compared with the freezes in force")
