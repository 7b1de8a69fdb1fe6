"""Refunds a module holds for a payer the token refused (CareStream and OutcomeEscrow alike)."""

from __future__ import annotations

from typing import Any

from carepay.ledger.reader import Event


def record_claim(book: Any, event: Event, a: dict, check_id: str, contract: str) -> None:
    """A RefundClaimed: the account's whole held amount left the module, no more and no less."""
    held = book.held_refunds[a["account"]]
    book.audit.check(check_id).equal(
        f"{contract} held refunds of {book.ctx.label(a['account'])}", "claimed (all that was held)", held,
        a["amount"], book.ctx.at(event),
    )
    book.held_refunds[a["account"]] = 0
    book.expected_flow[event.tx] -= a["amount"]
