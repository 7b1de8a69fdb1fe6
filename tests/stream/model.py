"""Reference model of CareStream, written independently of the contract's formulation.

The contract counts active seconds through snapshots; the model keeps the list of active intervals
and sums them, so a snapshot bug cannot hide in both. Attribution uses carepay.payer_shares (the
reference model of PayerShares), in the order the design fixes:
  - withdraw: the payout is attributed when paid;
  - top-up: whatever streamed and is covered is paid (and attributed) first, then the new shares come in;
  - cancel: the care team's part (owed) is attributed first, then the refund takes each payer's remaining
    balance; when a freeze holds the payout, the refund's parts are the same (as if the owed part had gone
    out first) and the held part is attributed later, by withdraw, as each payer's remaining balance.
"""

from dataclasses import dataclass, field

from carepay.payer_shares import Ledger

RATE_SCALE = 10**18

# Streams.Status
PENDING, STREAMING, INSOLVENT, PAUSED, ENDED, CANCELLED = range(6)


def cost_share(charge, ratio_bps, deductible=0, deductible_met=0, cap=0, fund_used=0):
    """The Regulator's cost sharing (IRegulator NatSpec), for the expectations of a test.

    Returns (fund_share, patient_share, deductible_portion).
    """
    d = min(charge, max(deductible - deductible_met, 0))
    fund = (charge - d) * ratio_bps // 10_000
    if cap:
        fund = min(fund, max(cap - fund_used, 0))
    return fund, charge - fund, d


@dataclass
class StreamModel:
    rate: int  # 18-decimal fixed point, token units per second
    start: int
    end: int  # 0 = open-ended
    ledger: Ledger = field(default_factory=Ledger)
    intervals: list = field(default_factory=list)  # closed active intervals [a, b)
    running_since: int | None = None  # open interval start, None while paused/cancelled
    cancelled: bool = False
    paid: int = 0  # to the care team, actually transferred
    held: int = 0  # after cancellation: owed to the care team, not yet paid

    @classmethod
    def new(cls, rate, start, end, fund_share, patient_share):
        model = cls(rate=rate, start=start, end=end, running_since=start)
        model.ledger.record_in(fund_share, patient_share)
        return model

    # ------------------------------------------------------------------------------------- time
    def _clip(self, t):
        return min(t, self.end) if self.end else t

    def active_seconds(self, t):
        total = sum(b - a for a, b in self.intervals)
        if self.running_since is not None:
            total += max(self._clip(t) - self.running_since, 0)
        return total

    def streamed(self, t):
        return self.rate * self.active_seconds(t) // RATE_SCALE

    @property
    def deposited(self):
        return self.ledger.fund_in + self.ledger.patient_in

    def earned(self, t):
        return min(self.streamed(t), self.deposited)

    # ------------------------------------------------------------------------------------- views
    def withdrawable(self, t):
        if self.cancelled:
            return self.held
        return self.earned(t) - self.paid

    def uncovered_debt(self, t):
        if self.cancelled:
            return 0
        return max(self.streamed(t) - self.deposited, 0)

    def refundable(self, t):
        if self.cancelled:
            return 0
        return self.deposited - self.earned(t)

    def status(self, t):
        if self.cancelled:
            return CANCELLED
        if self.end and t >= self.end:
            return ENDED
        if self.running_since is None:
            return PAUSED
        if t < self.running_since:
            return PENDING
        if self.streamed(t) > self.deposited:
            return INSOLVENT
        return STREAMING

    def depletion_time(self, t):
        """First second s > t with streamed(s) > deposited, found by stepping (slow but obvious)."""
        if self.cancelled or self.running_since is None or (self.end and t >= self.end):
            return 0
        if self.streamed(t) > self.deposited:
            return 0
        # streamed grows by rate/1e18 per second: jump close, then step.
        base = self.active_seconds(t)
        need = ((self.deposited + 1) * RATE_SCALE + self.rate - 1) // self.rate
        s = max(t, self.running_since) + (need - base)
        if self.end and s > self.end + 1:
            return 0
        while self.streamed(s - 1) > self.deposited and s - 1 > t:
            s -= 1
        while self.streamed(s) <= self.deposited:
            if self.end and s >= self.end:
                return 0  # accrual stops at the end: it never runs out
            s += 1
        return s

    # ------------------------------------------------------------------------------------- actions
    def withdraw(self, t):
        amount = self.withdrawable(t)
        assert amount > 0
        fund_part, patient_part = self.ledger.record_out(amount)
        self.paid += amount
        if self.cancelled:
            self.held -= amount
        return amount, fund_part, patient_part

    def pause(self, t):
        self.intervals.append((self.running_since, t))
        self.running_since = None

    def resume(self, t):
        self.running_since = t

    def top_up(self, t, fund_share, patient_share):
        """Returns (owed paid first, its fund part, its patient part, unspent fund, unspent patient)."""
        owed = self.withdrawable(t)
        fund_part = patient_part = 0
        if owed:
            fund_part, patient_part = self.ledger.record_out(owed)
            self.paid += owed
        unspent = (self.ledger.fund_balance, self.ledger.patient_balance)
        self.ledger.record_in(fund_share, patient_share)
        return owed, fund_part, patient_part, *unspent

    def cancel(self, t, payout_allowed=True):
        """Returns a dict with the amounts of StreamCancelled and the payout's parts."""
        streamed = self.streamed(t)
        earned = min(streamed, self.deposited)
        owed = earned - self.paid
        refund = self.deposited - earned
        debt = max(streamed - self.deposited, 0)
        if self.running_since is not None:
            self.intervals.append((self.running_since, max(self._clip(t), self.running_since)))
            self.running_since = None
        # Attribute the owed part first on a copy; the refund, the last outflow, takes what is left.
        trial = Ledger(**vars(self.ledger))
        owed_fund, owed_patient = trial.record_out(owed)
        fund_refund, patient_refund = trial.fund_balance, trial.patient_balance
        paid_now = owed if payout_allowed else 0
        fund_part = patient_part = 0
        if paid_now:
            fund_part, patient_part = self.ledger.record_out(paid_now)
            self.paid += paid_now
        # The refund leaves as computed; a held part stays in the ledger as exactly (owed_fund, owed_patient).
        self.ledger.fund_out += fund_refund
        self.ledger.patient_out += patient_refund
        assert (self.ledger.fund_balance, self.ledger.patient_balance) == (
            (0, 0) if paid_now else (owed_fund, owed_patient)
        )
        self.cancelled = True
        self.held = owed - paid_now
        return dict(
            paid=paid_now,
            held=owed - paid_now,
            fund_refund=fund_refund,
            patient_refund=patient_refund,
            uncovered_debt=debt,
            fund_part=fund_part,
            patient_part=patient_part,
            streamed=streamed,
        )
