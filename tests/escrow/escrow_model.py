"""Reference model of one OutcomeEscrow episode, written from the specification, not from the contract.

Money: a milestone at tier t pays floor(amount * bps[t] / 10_000) to the split and refunds the rest;
every outflow (payout first, then refund) is attributed to fund and patient with the PayerShares rule
(carepay.payer_shares.Ledger, itself checked against the Solidity library). A payout is held as owed
when the institution or program is frozen at settlement.
"""

from dataclasses import dataclass, field

from carepay.payer_shares import Ledger

BPS = 10_000

# Episodes.EpisodeStatus
NULL, ACTIVE, COMPLETED, REFUNDED = range(4)
# Episodes.MilestoneStatus
PENDING, ATTESTED, DISPUTED, SETTLED, M_REFUNDED = range(5)
# Episodes.RefundReason
ATTESTATION_EXPIRED, ARBITRATION_EXPIRED = range(2)


@dataclass
class Settlement:
    index: int
    tier: int
    payout: int
    fund_payout: int
    fund_refund: int
    patient_refund: int
    held: bool


@dataclass
class EpisodeModel:
    amounts: list[int]
    deadlines: list[int]
    tier_bps: list[int]
    threshold: int
    attestor_count: int
    challenge_window: int
    arbitration_window: int
    fund_in: int
    patient_in: int
    ledger: Ledger = field(default_factory=Ledger)
    status: int = ACTIVE
    index: int = 0
    milestone_status: int = PENDING
    tier: int = 0
    deadline: int = 0
    attested: set = field(default_factory=set)
    votes: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    settled: list[Settlement] = field(default_factory=list)
    owed: int = 0
    paid_to_split: int = 0
    refunded_fund: int = 0
    refunded_patient: int = 0

    def __post_init__(self):
        self.ledger.record_in(self.fund_in, self.patient_in)
        self.deadline = self.deadlines[0]

    # ---- what an action would do ------------------------------------------------------------

    def attest_error(self, attestor: int, tier: int, now: int):
        """The error name attest would raise, or None (checks in the contract's order)."""
        if self.status != ACTIVE:
            return "OutcomeEscrow_EpisodeNotActive"
        if attestor >= self.attestor_count:
            return "OutcomeEscrow_NotAttestor"
        if self.milestone_status != PENDING:
            return "OutcomeEscrow_WrongMilestoneStatus"
        if now >= self.deadline:
            return "OutcomeEscrow_AttestationDeadlinePassed"
        if tier >= len(self.tier_bps):
            return "OutcomeEscrow_TierOutOfRange"
        if attestor in self.attested:
            return "OutcomeEscrow_AlreadyAttested"
        return None

    def dispute_error(self, now: int):
        if self.status != ACTIVE:
            return "OutcomeEscrow_EpisodeNotActive"
        if self.milestone_status != ATTESTED:
            return "OutcomeEscrow_WrongMilestoneStatus"
        if now >= self.deadline:
            return "OutcomeEscrow_ChallengeWindowOver"
        return None

    def resolve_error(self, tier: int, now: int):
        if self.status != ACTIVE:
            return "OutcomeEscrow_EpisodeNotActive"
        if self.milestone_status != DISPUTED:
            return "OutcomeEscrow_WrongMilestoneStatus"
        if now >= self.deadline:
            return "OutcomeEscrow_ArbitrationDeadlinePassed"
        if tier >= len(self.tier_bps):
            return "OutcomeEscrow_TierOutOfRange"
        return None

    def settle_error(self, now: int):
        if self.status != ACTIVE:
            return "OutcomeEscrow_EpisodeNotActive"
        if self.milestone_status != ATTESTED:
            return "OutcomeEscrow_WrongMilestoneStatus"
        if now < self.deadline:
            return "OutcomeEscrow_ChallengeWindowNotOver"
        return None

    def refund_error(self, now: int):
        if self.status != ACTIVE:
            return "OutcomeEscrow_EpisodeNotActive"
        if self.milestone_status == ATTESTED:
            return "OutcomeEscrow_MilestoneNotRefundable"
        if now < self.deadline:
            return "OutcomeEscrow_NotExpired"
        return None

    # ---- transitions (call only when the matching *_error is None) ---------------------------

    def attest(self, attestor: int, tier: int, now: int) -> bool:
        self.attested.add(attestor)
        self.votes[tier] += 1
        if self.votes[tier] == self.threshold:
            self.milestone_status = ATTESTED
            self.tier = tier
            self.deadline = now + self.challenge_window
            return True
        return False

    def dispute(self, now: int) -> None:
        self.milestone_status = DISPUTED
        self.deadline = now + self.arbitration_window

    def settle(self, tier: int, frozen: bool) -> Settlement:
        amount = self.amounts[self.index]
        payout = amount * self.tier_bps[tier] // BPS
        fund_payout, _ = self.ledger.record_out(payout)
        fund_refund, patient_refund = self.ledger.record_out(amount - payout)
        held = payout > 0 and frozen
        if held:
            self.owed += payout
        else:
            self.paid_to_split += payout
        self.refunded_fund += fund_refund
        self.refunded_patient += patient_refund
        result = Settlement(self.index, tier, payout, fund_payout, fund_refund, patient_refund, held)
        self.settled.append(result)
        if self.index + 1 == len(self.amounts):
            self.status = COMPLETED
            self.milestone_status = SETTLED
            self.tier = tier
        else:
            self.index += 1
            self.milestone_status = PENDING
            self.tier = 0
            self.deadline = self.deadlines[self.index]
            self.attested = set()
            self.votes = [0, 0, 0, 0]
        return result

    def refund(self) -> tuple[int, int]:
        fund_refund, patient_refund = self.ledger.record_out(self.ledger.total)
        self.refunded_fund += fund_refund
        self.refunded_patient += patient_refund
        self.status = REFUNDED
        self.milestone_status = M_REFUNDED
        return fund_refund, patient_refund

    def pay_owed(self) -> int:
        amount, self.owed = self.owed, 0
        self.paid_to_split += amount
        return amount

    @property
    def held(self) -> int:
        """What the escrow holds for this episode: the payers' balance plus what is owed to the split."""
        return self.ledger.total + self.owed
