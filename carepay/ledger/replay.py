"""Replays the suite's events in chain order through one book per contract, then the cross-contract checks.

Within a transaction events are handled in log order, except a stream payout emitted inside a cancel: it waits
for its `StreamCancelled`, whose checks need the stream as it was before the cancel, and is then attributed
before the refund, as the contract does (see `StreamBook.defer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from carepay.ledger.context import Context
from carepay.ledger.cross import cross_checks
from carepay.ledger.escrow import EscrowBook
from carepay.ledger.fee_for_service import FeeForServiceBook
from carepay.ledger.reader import ChainData
from carepay.ledger.regulator import RegulatorBook
from carepay.ledger.result import Audit
from carepay.ledger.splits import SplitBook
from carepay.ledger.streams import StreamBook
from carepay.ledger.token import TokenBook


@dataclass
class Replay:
    ctx: Context
    token: TokenBook
    regulator: RegulatorBook
    splits: SplitBook
    streams: StreamBook
    escrow: EscrowBook
    fee_for_service: FeeForServiceBook | None

    @property
    def audit(self) -> Audit:
        return self.ctx.audit


def replay(chain: ChainData) -> Replay:
    ctx = Context(chain, Audit())
    books = {
        "CareUSD": TokenBook(ctx),
        "Regulator": RegulatorBook(ctx),
        "SplitRouter": SplitBook(ctx),
        "CareStream": StreamBook(ctx),
        "OutcomeEscrow": EscrowBook(ctx),
    }
    if "FeeForService" in chain.addresses:
        books["FeeForService"] = FeeForServiceBook(ctx)
    ctx.books = books
    streams = books["CareStream"]
    streams.prepare(chain.events)
    for event in chain.events:
        if event.contract == "CareStream" and streams.defer(event):
            continue
        books[event.contract].apply(event)
    for book in books.values():
        book.finish()
    result = Replay(
        ctx, books["CareUSD"], books["Regulator"], books["SplitRouter"], streams, books["OutcomeEscrow"],
        books.get("FeeForService"),
    )
    cross_checks(result)
    return result
