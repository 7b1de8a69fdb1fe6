"""Reference model of contracts/libraries/PayerShares.sol: who paid for each unit that leaves.

The fund's cumulative outflow follows floor(total_out * fund_in / total_in), never decreasing and
never more than the outflow itself; the patient's part is the rest. Kept in Python so scripts and
`verify` can recompute every attribution independently of the contracts.
"""

from dataclasses import dataclass


@dataclass
class Ledger:
    fund_in: int = 0
    patient_in: int = 0
    fund_out: int = 0
    patient_out: int = 0

    def record_in(self, fund_amount: int, patient_amount: int) -> None:
        self.fund_in += fund_amount
        self.patient_in += patient_amount

    def record_out(self, amount: int) -> tuple[int, int]:
        if amount > self.total:
            raise ValueError(f"outflow {amount} exceeds the balance {self.total}")
        total_in = self.fund_in + self.patient_in
        total_out = self.fund_out + self.patient_out + amount
        target = 0 if total_in == 0 else total_out * self.fund_in // total_in
        fund_part = min(max(target - self.fund_out, 0), amount)
        patient_part = amount - fund_part
        self.fund_out += fund_part
        self.patient_out += patient_part
        return fund_part, patient_part

    @property
    def fund_balance(self) -> int:
        return self.fund_in - self.fund_out

    @property
    def patient_balance(self) -> int:
        return self.patient_in - self.patient_out

    @property
    def total(self) -> int:
        return self.fund_balance + self.patient_balance
