"""OutcomeEscrow rebuilt from its events: each episode's terms, attestations, settlements and refunds, and the
refunds held for accounts frozen in the token (RefundHeld, RefundClaimed).

Checks E1-E5 and the PayerShares attributions (P1, P2) of every escrow outflow. The terms come from
`EpisodeCreated` (the contract stores only their hash), so every payout is recomputed as
floor(milestone × tierBps / 10,000) from the tier the attestors (or the arbiter) decided.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from carepay.ledger.context import Context
from carepay.ledger.held import record_claim
from carepay.ledger.outflow import check_outflow
from carepay.ledger.reader import Event
from carepay.payer_shares import Ledger

BPS = 10_000
STATUS_NAMES = {0: "null", 1: "active", 2: "completed", 3: "refunded"}

E1 = (
    "OutcomeEscrow's token balance = Σ episodes' (payer balances + payouts owed to a frozen institution's split)"
    " + refunds held for accounts frozen in the token."
)
E2 = "Per episode, split payouts + owed + fund refunds + patient refunds = deposits, to the unit."
E3 = "Settled milestones and completed or refunded episodes never change again; each attestor attests once per milestone; milestones settle in order."
E4 = "At settlement the payout is held exactly when the institution or program is frozen; held payouts are paid in full later."
E5 = "Each milestone pays floor(amount × tierBps / 10,000) of the tier its attestors (or the arbiter) decided; the rest is refunded."


@dataclass
class Episode:
    id: int
    terms: dict
    institution: str
    reservation: int
    status: str = "active"
    index: int = 0  # current milestone
    attested: set[str] = field(default_factory=set)
    votes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    tier: int | None = None  # decided tier of the current milestone
    ledger: Ledger = field(default_factory=Ledger)
    owed: int = 0
    payouts: int = 0  # paid or held
    paid: int = 0  # reached the split
    fund_refunds: int = 0
    patient_refunds: int = 0
    ended_at: str = ""

    @property
    def deposited(self) -> int:
        return self.ledger.fund_in + self.ledger.patient_in


class EscrowBook:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.audit = ctx.audit
        self.episodes: dict[int, Episode] = {}
        self.expected_flow: dict[str, int] = defaultdict(int)
        self.payouts: dict[bytes, int] = defaultdict(int)  # split -> units paid by this module
        self.held_refunds: dict[str, int] = defaultdict(int)  # account -> refunds the token refused, not yet claimed
        self._refunded_in: dict[str, dict[int, int]] = {}  # tx -> episode -> refunded in it, not held back
        self.refunds_ever_held = 0
        for invariant, sentence in (("E1", E1), ("E2", E2), ("E3", E3), ("E4", E4), ("E5", E5)):
            self.audit.check(invariant, sentence)

    def apply(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.name}", None)
        if handler is None:
            return
        episode_id = event.args.get("episodeId")
        if event.name == "RefundClaimed":
            handler(event, event.args, None)
        elif event.name == "RefundHeld":
            # Emitted after the settlement or expiry that ends an episode, so it is checked against the refund
            # of its transaction, not against the episode's status.
            handler(event, event.args, self.episodes.get(episode_id))
        elif event.name != "EpisodeCreated":
            episode = self.episodes.get(episode_id)
            if episode is None:
                self.audit.check("E3").holds(
                    False, f"OutcomeEscrow episode {episode_id}", "created before use", "EpisodeCreated",
                    "unknown episode", self.ctx.at(event),
                )
                return
            if event.name != "OwedPaid" and episode.status != "active":
                self.audit.check("E3").holds(
                    False, f"OutcomeEscrow episode {episode_id}", f"{event.name} after the episode ended", "no change",
                    event.name, f"{self.ctx.at(event)}; {episode.status} {episode.ended_at}",
                )
                return
            if "milestoneIndex" in event.args and event.name != "MilestoneOpened":
                self.audit.check("E3").equal(
                    f"OutcomeEscrow episode {episode_id}", f"milestone of {event.name} (milestones in order)",
                    episode.index, event.args["milestoneIndex"], self.ctx.at(event),
                )
            handler(event, event.args, episode)
        else:
            handler(event, event.args, None)

    def _on_EpisodeCreated(self, event: Event, a: dict, _: None) -> None:
        episode = Episode(a["episodeId"], a["terms"], a["institution"], a["reservationId"])
        episode.ledger.record_in(a["fundShare"], a["patientShare"])
        self.episodes[episode.id] = episode
        subject = f"OutcomeEscrow episode {episode.id}"
        charge = sum(m["amount"] for m in a["terms"]["milestones"])
        self.audit.check("R1").equal(
            subject, "fundShare + patientShare of the episode's price", charge, a["fundShare"] + a["patientShare"],
            self.ctx.at(event),
        )
        quote = self.ctx.books["Regulator"].last_quote.get((event.tx, a["reservationId"]))
        e2 = self.audit.check("E2")
        if e2.holds(
            quote is not None, subject, "Regulator charge in the same transaction",
            f"reservation {a['reservationId']} charged", "none", self.ctx.at(event),
        ):
            e2.equal(
                subject, "fund share taken vs the Regulator's quote", quote["fundShare"], a["fundShare"],
                self.ctx.at(event),
            )
            e2.equal(
                subject, "patient share taken vs the Regulator's quote", quote["patientShare"], a["patientShare"],
                self.ctx.at(event),
            )
        self.expected_flow[event.tx] += a["fundShare"] + a["patientShare"]

    def _on_Attested(self, event: Event, a: dict, episode: Episode) -> None:
        subject = f"OutcomeEscrow episode {episode.id} milestone {episode.index}"
        e3 = self.audit.check("E3")
        e3.holds(
            a["attestor"] in episode.terms["outcome"]["attestors"], subject, "attestor named in the terms",
            "a named attestor", a["attestor"], self.ctx.at(event),
        )
        e3.holds(
            a["attestor"] not in episode.attested, subject, f"attestations by {a['attestor']}", 1, 2,
            self.ctx.at(event),
        )
        deadline = episode.terms["milestones"][episode.index]["deadline"]
        now = self.ctx.chain.timestamp(event.block)
        e3.holds(
            now < deadline, subject, "attestation before the milestone's deadline", f"< {deadline}", now,
            self.ctx.at(event),
        )
        episode.attested.add(a["attestor"])
        episode.votes[a["tierIndex"]] += 1
        e3.equal(
            subject, f"votes for tier {a['tierIndex']}", episode.votes[a["tierIndex"]], a["votes"], self.ctx.at(event),
        )

    def _on_OutcomeAttested(self, event: Event, a: dict, episode: Episode) -> None:
        subject = f"OutcomeEscrow episode {episode.id} milestone {episode.index}"
        outcome = episode.terms["outcome"]
        e5 = self.audit.check("E5")
        e5.equal(
            subject, "votes of the attested tier (threshold)", outcome["threshold"], episode.votes[a["tierIndex"]],
            self.ctx.at(event),
        )
        e5.equal(
            subject, "tierBps of the attested tier", outcome["tierBps"][a["tierIndex"]], a["tierBps"],
            self.ctx.at(event),
        )
        episode.tier = a["tierIndex"]

    def _on_Disputed(self, event: Event, a: dict, episode: Episode) -> None:
        self.audit.check("E3").holds(
            episode.tier is not None, f"OutcomeEscrow episode {episode.id} milestone {episode.index}",
            "dispute of an attested outcome", "attested", "not attested", self.ctx.at(event),
        )

    def _on_Resolved(self, event: Event, a: dict, episode: Episode) -> None:
        episode.tier = a["tierIndex"]

    def _outflow(self, event: Event, episode: Episode, amount: int, fund_part: int, patient_part: int, what: str) -> None:
        subject = f"OutcomeEscrow episode {episode.id}"
        check_outflow(self.audit, self.ctx.at(event), subject, "episode", episode.ledger, amount, fund_part, patient_part, what)

    def _on_MilestoneSettled(self, event: Event, a: dict, episode: Episode) -> None:
        subject = f"OutcomeEscrow episode {episode.id} milestone {episode.index}"
        where = self.ctx.at(event)
        milestone = episode.terms["milestones"][episode.index]
        tiers = episode.terms["outcome"]["tierBps"]
        e3, e4, e5 = self.audit.check("E3"), self.audit.check("E4"), self.audit.check("E5")
        e5.equal(subject, "settled tier (attested or arbitrated)", episode.tier, a["tierIndex"], where)
        expected_payout = milestone["amount"] * tiers[a["tierIndex"]] // BPS if a["tierIndex"] < len(tiers) else None
        e5.equal(
            subject,
            f"payout of {milestone['amount']} at {tiers[a['tierIndex']] if expected_payout is not None else '?'} bps",
            expected_payout, a["payout"], where,
        )
        e3.holds(
            episode.tier is not None, subject, "settled only after an attested or arbitrated outcome", "an outcome",
            "none", where,
        )
        self._outflow(event, episode, a["payout"], a["fundPayout"], a["payout"] - a["fundPayout"], "payout")
        refund = milestone["amount"] - a["payout"]
        e5.equal(subject, "refund (milestone − payout)", refund, a["fundRefund"] + a["patientRefund"], where)
        self._outflow(event, episode, refund, a["fundRefund"], a["patientRefund"], "refund")
        blocked = self.ctx.books["Regulator"].payout_blocked(episode.reservation)
        e4.equal(
            subject, f"payout held ({blocked or 'nothing frozen'})", a["payout"] > 0 and blocked is not None,
            a["payoutHeld"], where,
        )
        episode.payouts += a["payout"]
        if a["payoutHeld"]:
            episode.owed += a["payout"]
        else:
            episode.paid += a["payout"]
            self.payouts[episode.terms["splitId"]] += a["payout"]
            self.expected_flow[event.tx] -= a["payout"]
        episode.fund_refunds += a["fundRefund"]
        episode.patient_refunds += a["patientRefund"]
        self.expected_flow[event.tx] -= refund
        self._note_refund(event, episode, refund)
        episode.index += 1
        episode.tier, episode.attested, episode.votes = None, set(), defaultdict(int)

    def _on_MilestoneOpened(self, event: Event, a: dict, episode: Episode) -> None:
        self.audit.check("E3").equal(
            f"OutcomeEscrow episode {episode.id}", "milestone opened next", episode.index, a["milestoneIndex"],
            self.ctx.at(event),
        )

    def _on_EpisodeCompleted(self, event: Event, a: dict, episode: Episode) -> None:
        self.audit.check("E3").equal(
            f"OutcomeEscrow episode {episode.id}", "milestones settled at completion", len(episode.terms["milestones"]),
            episode.index, self.ctx.at(event),
        )
        episode.status, episode.ended_at = "completed", event.where()

    def _on_EpisodeRefunded(self, event: Event, a: dict, episode: Episode) -> None:
        subject = f"OutcomeEscrow episode {episode.id}"
        refund = a["fundRefund"] + a["patientRefund"]
        self.audit.check("E2").equal(
            subject, "refund on expiry (everything the payers still have in)", episode.ledger.total, refund,
            self.ctx.at(event),
        )
        self._outflow(event, episode, refund, a["fundRefund"], a["patientRefund"], "expiry refund")
        episode.fund_refunds += a["fundRefund"]
        episode.patient_refunds += a["patientRefund"]
        episode.status, episode.ended_at = "refunded", event.where()
        self.expected_flow[event.tx] -= refund
        self._note_refund(event, episode, refund)

    def _on_OwedPaid(self, event: Event, a: dict, episode: Episode) -> None:
        subject = f"OutcomeEscrow episode {episode.id}"
        self.audit.check("E4").equal(subject, "owed payout paid in full", episode.owed, a["amount"], self.ctx.at(event))
        blocked = self.ctx.books["Regulator"].payout_blocked(episode.reservation)
        self.audit.check("R9").holds(
            blocked is None, subject, "payout while frozen", "no payout", f"{a['amount']} units paid while {blocked}",
            self.ctx.at(event),
        )
        episode.owed -= a["amount"]
        episode.paid += a["amount"]
        self.payouts[episode.terms["splitId"]] += a["amount"]
        self.expected_flow[event.tx] -= a["amount"]

    def _on_RefundHeld(self, event: Event, a: dict, episode: Episode | None) -> None:
        subject = f"OutcomeEscrow episode {a['episodeId']}"
        refunded = self._refunded_in.get(event.tx, {}).get(a["episodeId"], 0)
        self.audit.check("E1").holds(
            episode is not None and a["amount"] <= refunded, subject,
            "refund held only out of a refund of the same transaction", f"<= {refunded}", a["amount"],
            self.ctx.at(event),
        )
        self._refunded_in.setdefault(event.tx, {})[a["episodeId"]] = refunded - a["amount"]
        self.held_refunds[a["account"]] += a["amount"]
        self.refunds_ever_held += a["amount"]
        self.expected_flow[event.tx] += a["amount"]  # the refund was counted as leaving; it stays

    def _on_RefundClaimed(self, event: Event, a: dict, _: None) -> None:
        record_claim(self, event, a, "E1", "OutcomeEscrow")

    def _note_refund(self, event: Event, episode: Episode, amount: int) -> None:
        """What a transaction refunded from an episode: the most its RefundHeld events may hold back."""
        per_episode = self._refunded_in.setdefault(event.tx, {})
        per_episode[episode.id] = per_episode.get(episode.id, 0) + amount

    def finish(self) -> None:
        ctx, view = self.ctx, self.ctx.chain.view
        e1, e2 = self.audit.check("E1"), self.audit.check("E2")
        owed_total = 0
        for episode in self.episodes.values():
            subject = f"OutcomeEscrow episode {episode.id}"
            record = view("OutcomeEscrow", "getEpisode", episode.id)
            ledger, progress, owed = record[1], record[2], record[3]
            for name, expected, actual in (
                ("fundIn", episode.ledger.fund_in, ledger[0]),
                ("patientIn", episode.ledger.patient_in, ledger[1]),
                ("fundOut", episode.ledger.fund_out, ledger[2]),
                ("patientOut", episode.ledger.patient_out, ledger[3]),
            ):
                e2.equal(subject, f"ledger {name} (from events)", expected, actual)
            e1.equal(subject, "owed (held payouts not yet paid)", episode.owed, owed)
            self.audit.check("E3").equal(subject, "status", episode.status, STATUS_NAMES.get(progress[0], progress[0]))
            if episode.status == "active":
                self.audit.check("E3").equal(subject, "current milestone", episode.index, progress[2])
            still_held = (ledger[0] - ledger[2]) + (ledger[1] - ledger[3])
            e2.equal(
                subject, "deposits = payouts (paid or owed) + fund refunds + patient refunds + still held",
                episode.deposited, episode.payouts + episode.fund_refunds + episode.patient_refunds + still_held,
            )
            if episode.status != "active":
                self.audit.check("P1").equal(subject, "payers' balance of an ended episode", 0, still_held)
            owed_total += episode.ledger.total + episode.owed
        for account, amount in sorted(self.held_refunds.items()):
            e1.equal(
                f"OutcomeEscrow held refunds of {ctx.label(account)}", "heldRefundOf", amount,
                view("OutcomeEscrow", "heldRefundOf", account),
            )
            owed_total += amount
        module = ctx.chain.addresses["OutcomeEscrow"]
        balance = view("CareUSD", "balanceOf", module)
        e1.equal(
            f"OutcomeEscrow {module}", "token balance = Σ(payer balances + owed) + held refunds", owed_total, balance
        )
        e1.figure("episodes", len(self.episodes))
        e1.figure("module balance", balance)
        e1.figure("owed", owed_total)
        e1.figure("refunds ever held", self.refunds_ever_held)
        e2.figure("deposited", sum(e.deposited for e in self.episodes.values()))
        e2.figure("paid to care teams", sum(e.paid for e in self.episodes.values()))
        e2.figure("refunded", sum(e.fund_refunds + e.patient_refunds for e in self.episodes.values()))
