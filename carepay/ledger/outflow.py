"""P1 and P2 for one outflow of a stream or an episode: the PayerShares rule replayed on its ledger.

CareStream and OutcomeEscrow attribute every unit that leaves an item to the fund or the patient with the same
library (contracts/libraries/PayerShares.sol), so both books check their outflows here, against
`carepay.payer_shares.Ledger`, the reference model of that library.
"""

from __future__ import annotations

from carepay.ledger.result import Audit
from carepay.payer_shares import Ledger


def check_outflow(
    audit: Audit, where: str, subject: str, item: str, ledger: Ledger,
    amount: int, fund_part: int, patient_part: int, what: str,
) -> None:
    """Checks one outflow of `amount` split as (fund_part, patient_part) and records it on `ledger`.

    P1: the parts add up to the outflow, neither exceeds its payer's balance, the outflow fits the item's balance.
    P2: the fund part is exactly what the PayerShares rule gives on the cumulative totals.
    """
    p1, p2 = audit.check("P1"), audit.check("P2")
    p1.equal(subject, f"fund part + patient part of a {what}", amount, fund_part + patient_part, where)
    p1.holds(
        fund_part <= ledger.fund_balance, subject, f"fund part of a {what}",
        f"<= fund balance {ledger.fund_balance}", fund_part, where,
    )
    p1.holds(
        patient_part <= ledger.patient_balance, subject, f"patient part of a {what}",
        f"<= patient balance {ledger.patient_balance}", patient_part, where,
    )
    if amount > ledger.total:
        p1.holds(False, subject, f"{what} within the {item}'s balance", f"<= {ledger.total}", amount, where)
        return
    expected_fund, _ = ledger.record_out(amount)
    p2.equal(subject, f"fund part of a {what} of {amount}", expected_fund, fund_part, where)
