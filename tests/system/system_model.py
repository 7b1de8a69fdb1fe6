"""A plain-Python model of the whole CarePay suite, written from the interfaces' NatSpec, not from the code.

It predicts, for every action of the system state machine, what each contract must hold afterwards:
  - `Books`: the Regulator's reservations and charges and the counters derived from them (institution budget
    used per period, patient deductibleMet / fundUsed per service and period), with the cost-sharing rule of
    `carepay.cost_sharing` and the refusals the machine provokes (frozen program or institution, budget);
  - `StreamItem`: one CareStream stream, as a list of active intervals (not the contract's snapshots);
  - `EpisodeItem`: one OutcomeEscrow episode, milestone by milestone;
  - `ServicePayment`: one FeeForService payment (charged, pulled and paid into the split at once);
  - `SplitBook`: one SplitRouter split with its lazy, exact sharing rule;
  - `Wallets`: the expected token balance of every account the run touches.
Who paid for each unit that leaves a stream or an episode is attributed with `carepay.payer_shares.Ledger`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carepay import codes
from carepay.cost_sharing import Coverage, Shares, deductible_restored, split_for
from carepay.payer_shares import Ledger

UNIT = 10**6  # CareUSD has 6 decimals
DAY = 86_400
RATE_SCALE = 10**18  # CareStream rates are 18-decimal token units per second
BPS = 10_000

# ------------------------------------------------------------------------------------ the world

PERIOD_SECONDS = 30 * DAY  # Seconds-unit budget periods: a period rolls every 30 days
CHRONIC = codes.service_type(codes.CHRONIC_CARE)  # paid by CareStream; same region only
DIGITAL_TWIN = codes.service_type(codes.DIGITAL_TWIN_STAGE)  # paid by OutcomeEscrow; cross-region allowed
FOLLOW_UP = codes.service_type(codes.VIRTUAL_FOLLOW_UP)  # paid by FeeForService; same region only
COVERAGES = {
    CHRONIC: Coverage(ratio_bps=8_000, deductible=30 * UNIT, fund_cap_per_patient=2_000 * UNIT),
    DIGITAL_TWIN: Coverage(
        ratio_bps=7_000, deductible=50 * UNIT, fund_cap_per_patient=1_200 * UNIT, cross_region_allowed=True
    ),
    FOLLOW_UP: Coverage(ratio_bps=7_000, deductible=10 * UNIT, fund_cap_per_patient=500 * UNIT),
}
# Institution A's budget never binds in a run; institution B's small one does, so refusals happen.
BUDGETS = [50_000 * UNIT, 1_500 * UNIT]
DAILY_SERVICE_LIMIT = 1_000  # never reached in a run
FUND_FLOAT = 1_000_000 * UNIT
PATIENT_FLOAT = 100_000 * UNIT
# (shares out of 1e6 by member name, the residual member); member names are resolved in conftest.py.
SPLIT_SHARES = [
    ({"institution_a": 600_000, "doctor_a": 250_000, "vendor": 100_000, "patient_1": 50_000}, "institution_a"),
    ({"institution_b": 333_334, "doctor_b": 333_333, "vendor": 333_333}, "vendor"),
]
SPLIT_SCALE = 1_000_000

# Streams.State / Streams.Status, Episodes.EpisodeStatus, Episodes.MilestoneStatus
S_ACTIVE, S_PAUSED, S_CANCELLED = range(3)
E_NULL, E_ACTIVE, E_COMPLETED, E_REFUNDED = range(4)
M_PENDING, M_ATTESTED, M_DISPUTED, M_SETTLED, M_REFUNDED = range(5)


def period_of(anchor: int, timestamp: int) -> int:
    return (timestamp - anchor) // PERIOD_SECONDS


# ------------------------------------------------------------------------------- the Regulator


@dataclass
class Reservation:
    module: str  # address of the module that owns it
    period: int
    institution: int  # index into the world's institutions
    patient: int  # index into the world's patients
    service: bytes
    fund: int  # fundReserved
    patient_amount: int  # patientReserved
    counted: int  # deductibleCounted


@dataclass(frozen=True)
class Charge:
    """A claim paid at once (`IRegulator.charge`): counted for good, with no reservation record."""

    period: int
    institution: int
    patient: int
    service: bytes
    fund: int
    counted: int  # the deductible portion


@dataclass(frozen=True)
class Refusal:
    """A Regulator error the model expects, by name and arguments."""

    name: str
    args: dict


class Books:
    """The Regulator's reservations and charges, and the counters that must equal their sums."""

    def __init__(self, first_id: int):
        self.reservations: dict[int, Reservation] = {}
        self.charges: list[Charge] = []
        self.last_id = first_id - 1

    def _counted(self):
        """Everything that counts in the counters: the live reservations and the charges."""
        return [*self.reservations.values(), *self.charges]

    def usage(self, patient: int, service: bytes, period: int) -> tuple[int, int]:
        met = fund = 0
        for r in self._counted():
            if (r.patient, r.service, r.period) == (patient, service, period):
                met += r.counted
                fund += r.fund
        return met, fund

    def used(self, institution: int, period: int) -> int:
        return sum(r.fund for r in self._counted() if (r.institution, r.period) == (institution, period))

    def charge(self, period, institution, patient, service, shares: Shares) -> None:
        """A charge counts as a reservation that is never released, and uses no reservation id."""
        self.charges.append(Charge(period, institution, patient, service, shares.fund, shares.deductible))

    def shares(self, patient: int, service: bytes, period: int, charge: int, carried_fund: int = 0) -> Shares:
        """Cost sharing of `charge` now; carried fund enters fundUsed first (IRegulator.topUp)."""
        met, fund_used = self.usage(patient, service, period)
        return split_for(COVERAGES[service], charge, deductible_met=met, fund_used=fund_used + carried_fund)

    def refusal(self, freezes, program_id, institution, institution_address, period, requested) -> Refusal | None:
        """What the Regulator refuses a charge with, in its documented order of checks (None: accepted)."""
        if freezes.program:
            return Refusal("Regulator_ProgramFrozen", {"programId": program_id})
        if freezes.institutions[institution]:
            return Refusal("Regulator_InstitutionFrozen", {"institution": institution_address})
        if requested == 0:
            return None
        remaining = max(BUDGETS[institution] - self.used(institution, period), 0)
        if requested > remaining:
            return Refusal(
                "Regulator_BudgetExceeded",
                {
                    "programId": program_id,
                    "institution": institution_address,
                    "period": period,
                    "requested": requested,
                    "remaining": remaining,
                },
            )
        return None

    def reserve(self, module, period, institution, patient, service, shares: Shares) -> int:
        self.last_id += 1
        self.reservations[self.last_id] = Reservation(
            module, period, institution, patient, service, shares.fund, shares.patient, shares.deductible
        )
        return self.last_id

    def extend(self, reservation_id: int, shares: Shares) -> None:
        r = self.reservations[reservation_id]
        r.fund += shares.fund
        r.patient_amount += shares.patient
        r.counted += shares.deductible

    def release(self, reservation_id: int, fund: int, patient: int) -> None:
        r = self.reservations[reservation_id]
        assert fund <= r.fund and patient <= r.patient_amount, "the model releases more than is reserved"
        r.fund -= fund
        r.patient_amount -= patient
        r.counted -= deductible_restored(r.counted, r.fund, r.patient_amount)

    def renew(self, reservation_id: int, period: int, unspent_fund: int, unspent_patient: int, shares: Shares) -> int:
        """A later-period top-up: the unspent amounts leave the old reservation and open a new one."""
        old = self.reservations[reservation_id]
        self.release(reservation_id, unspent_fund, unspent_patient)
        self.last_id += 1
        self.reservations[self.last_id] = Reservation(
            old.module,
            period,
            old.institution,
            old.patient,
            old.service,
            unspent_fund + shares.fund,
            unspent_patient + shares.patient,
            shares.deductible,
        )
        return self.last_id


@dataclass
class Freezes:
    program: bool = False
    institutions: list = field(default_factory=lambda: [False, False])

    def payout_blocked(self, institution: int) -> bool:
        return self.program or self.institutions[institution]


# ------------------------------------------------------------------------------------- money


class Wallets:
    """Expected token balances, moved only by the transfers the model predicts."""

    def __init__(self, balances: dict[str, int]):
        self.balances = dict(balances)

    def move(self, source: str, target: str, amount: int) -> None:
        assert amount >= 0
        self.balances[source] -= amount
        self.balances[target] += amount
        assert self.balances[source] >= 0, f"{source} would go below zero"


@dataclass
class SplitBook:
    """A split of the SplitRouter: T, Ts, credited and withdrawn per recipient (ISplitRouter's rule)."""

    recipients: list[str]
    allocations: list[int]
    residual: int
    total_received: int = 0
    settled_received: int = 0
    credited: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    paid_in_by: dict = field(default_factory=dict)  # module name -> units paid into the split

    def __post_init__(self):
        self.credited = self.credited or [0] * len(self.recipients)
        self.withdrawn = self.withdrawn or [0] * len(self.recipients)

    def _part(self, amount: int, i: int) -> int:
        return amount * self.allocations[i] // SPLIT_SCALE

    def entitlement(self, i: int) -> int:
        unsettled = self.total_received - self.settled_received
        if i != self.residual:
            return self.credited[i] + self._part(unsettled, i)
        others = sum(self._part(unsettled, j) for j in range(len(self.recipients)) if j != self.residual)
        return self.credited[i] + unsettled - others

    def claimable(self, i: int) -> int:
        return self.entitlement(i) - self.withdrawn[i]

    def pay(self, module: str, amount: int) -> None:
        assert amount > 0
        self.total_received += amount
        self.paid_in_by[module] = self.paid_in_by.get(module, 0) + amount

    def settle(self) -> None:
        self.credited = [self.entitlement(i) for i in range(len(self.recipients))]
        self.settled_received = self.total_received

    def withdraw(self, i: int) -> int:
        if i == self.residual:
            self.settle()
        amount = self.claimable(i)
        self.withdrawn[i] += amount
        return amount

    def distribute(self) -> list[tuple[int, int]]:
        self.settle()
        sent = [(i, self.claimable(i)) for i in range(len(self.recipients)) if self.claimable(i) > 0]
        for i, amount in sent:
            self.withdrawn[i] += amount
        return sent


# ------------------------------------------------------------------------------------ streams


@dataclass
class StreamItem:
    """A CareStream stream: active intervals [a, b), an open one from `running_since`, and its ledger."""

    stream_id: int
    patient: int
    institution: int
    split: int
    sender: object  # the ape account that created it
    rate: int
    start: int
    end: int  # 0 = open-ended
    reservation_id: int
    ledger: Ledger
    intervals: list = field(default_factory=list)
    running_since: int | None = None
    paused_at: int | None = None
    cancelled_at: int | None = None
    paid: int = 0  # to the care team's split
    refunded_fund: int = 0
    refunded_patient: int = 0

    def _clip(self, t: int) -> int:
        return min(t, self.end) if self.end else t

    def active_seconds(self, t: int) -> int:
        closed = sum(b - a for a, b in self.intervals)
        if self.running_since is None:
            return closed
        return closed + max(self._clip(t) - self.running_since, 0)

    def streamed(self, t: int) -> int:
        return self.rate * self.active_seconds(t) // RATE_SCALE

    @property
    def deposited(self) -> int:
        return self.ledger.fund_in + self.ledger.patient_in

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def withdrawable(self, t: int) -> int:
        if self.cancelled:
            return self.ledger.total  # the refund left at cancellation: the rest is owed to the care team
        return min(self.streamed(t), self.deposited) - self.paid

    def ended(self, t: int) -> bool:
        return bool(self.end) and t >= self.end

    def can_pause(self, t: int) -> bool:
        return self.running_since is not None and t >= self.running_since and not self.ended(t)

    def can_resume(self, t: int) -> bool:
        return not self.cancelled and self.running_since is None and not self.ended(t)

    def pay_out(self, amount: int) -> tuple[int, int]:
        parts = self.ledger.record_out(amount)
        self.paid += amount
        return parts

    def pause(self, t: int) -> None:
        self.intervals.append((self.running_since, t))
        self.running_since = None
        self.paused_at = t

    def resume(self, t: int) -> None:
        self.running_since = t
        self.paused_at = None

    def stored_accrual(self) -> tuple[int, int, int]:
        """(state, snapshotTime, activeSeconds) as Streams.Accrual must store them."""
        closed = sum(b - a for a, b in self.intervals)
        if self.cancelled:
            return S_CANCELLED, self.cancelled_at, closed
        if self.running_since is None:
            return S_PAUSED, self.paused_at, closed
        return S_ACTIVE, self.running_since, closed

    def cancel(self, t: int, payout_allowed: bool) -> dict:
        """ICareStream.cancel: the care team's part is attributed first (also when a freeze holds it), then the
        refund takes each payer's remaining balance."""
        earned = min(self.streamed(t), self.deposited)
        owed = earned - self.paid
        refund = self.deposited - earned
        if self.running_since is not None:
            self.intervals.append((self.running_since, max(self._clip(t), self.running_since)))
            self.running_since = None
        paid_now = owed if payout_allowed else 0
        if paid_now:
            self.pay_out(paid_now)
        # The refund is the last outflow: what each payer has left once the owed part is attributed (a held
        # owed part is attributed on a copy and stays in the ledger, as each payer's remaining balance).
        trial = Ledger(**vars(self.ledger))
        trial.record_out(owed - paid_now)
        fund_refund, patient_refund = trial.fund_balance, trial.patient_balance
        self.ledger.fund_out += fund_refund
        self.ledger.patient_out += patient_refund
        self.refunded_fund += fund_refund
        self.refunded_patient += patient_refund
        self.cancelled_at = t
        self.paused_at = None
        return {"refund": refund, "fund_refund": fund_refund, "patient_refund": patient_refund, "paid": paid_now}


# --------------------------------------------------------------------------- fee-for-service


@dataclass(frozen=True)
class ServicePayment:
    """A FeeForService payment: nothing stays in the module; the Regulator's charge is never released."""

    patient: int
    institution: int
    split: int
    charge: int
    fund: int  # pulled from the fund account
    patient_amount: int  # pulled from the patient's account

    @property
    def paid(self) -> int:
        """What the split received: the whole charge, at once."""
        return self.charge


# ----------------------------------------------------------------------------------- episodes


@dataclass
class EpisodeItem:
    """An OutcomeEscrow episode: the milestones settle in order, each at the tier its attestors agree on."""

    episode_id: int
    terms: tuple
    patient: int
    institution: int
    split: int
    amounts: list[int]
    deadlines: list[int]
    tiers: list[int]
    attestors: int  # how many (the first ones of the world's attestors)
    threshold: int
    challenge_window: int
    arbitration_window: int
    reservation_id: int
    ledger: Ledger
    status: int = E_ACTIVE
    index: int = 0
    milestone_status: int = M_PENDING
    tier: int = 0
    deadline: int = 0
    attested: set = field(default_factory=set)
    votes: list = field(default_factory=lambda: [0, 0, 0, 0])
    owed: int = 0
    paid: int = 0
    refunded_fund: int = 0
    refunded_patient: int = 0

    def __post_init__(self):
        self.deadline = self.deadlines[0]

    @property
    def active(self) -> bool:
        return self.status == E_ACTIVE

    def can_attest(self, attestor: int, t: int) -> bool:
        return (
            self.active
            and attestor < self.attestors
            and self.milestone_status == M_PENDING
            and t < self.deadline
            and attestor not in self.attested
        )

    def can_dispute(self, t: int) -> bool:
        return self.active and self.milestone_status == M_ATTESTED and t < self.deadline

    def can_resolve(self, t: int) -> bool:
        return self.active and self.milestone_status == M_DISPUTED and t < self.deadline

    def can_settle(self, t: int) -> bool:
        return self.active and self.milestone_status == M_ATTESTED and t >= self.deadline

    def can_refund(self, t: int) -> bool:
        return self.active and self.milestone_status in (M_PENDING, M_DISPUTED) and t >= self.deadline

    def attest(self, attestor: int, tier: int, t: int) -> None:
        self.attested.add(attestor)
        self.votes[tier] += 1
        if self.votes[tier] == self.threshold:
            self.milestone_status = M_ATTESTED
            self.tier = tier
            self.deadline = t + self.challenge_window

    def dispute(self, t: int) -> None:
        self.milestone_status = M_DISPUTED
        self.deadline = t + self.arbitration_window

    def settle(self, tier: int, payout_allowed: bool) -> dict:
        amount = self.amounts[self.index]
        payout = amount * self.tiers[tier] // BPS
        self.ledger.record_out(payout)
        fund_refund, patient_refund = self.ledger.record_out(amount - payout)
        self.refunded_fund += fund_refund
        self.refunded_patient += patient_refund
        held = payout > 0 and not payout_allowed
        if held:
            self.owed += payout
        else:
            self.paid += payout
        self.tier = tier
        if self.index + 1 == len(self.amounts):
            self.status = E_COMPLETED
            self.milestone_status = M_SETTLED
        else:
            self.index += 1
            self.milestone_status = M_PENDING
            self.tier = 0
            self.deadline = self.deadlines[self.index]
            self.attested = set()
            self.votes = [0, 0, 0, 0]
        return {
            "payout": payout,
            "paid": 0 if held else payout,
            "fund_refund": fund_refund,
            "patient_refund": patient_refund,
        }

    def refund(self) -> dict:
        fund_refund, patient_refund = self.ledger.record_out(self.ledger.total)
        self.refunded_fund += fund_refund
        self.refunded_patient += patient_refund
        self.status = E_REFUNDED
        self.milestone_status = M_REFUNDED
        return {"fund_refund": fund_refund, "patient_refund": patient_refund}

    def pay_owed(self) -> int:
        amount, self.owed = self.owed, 0
        self.paid += amount
        return amount

    @property
    def held(self) -> int:
        """What the escrow holds for this episode: the payers' balances plus the payout owed to the split."""
        return self.ledger.total + self.owed
