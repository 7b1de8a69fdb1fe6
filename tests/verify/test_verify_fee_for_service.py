"""F4 on decoded events alone (the FeeForService module is written on another branch, so no chain here).

The book is fed the events a fee-for-service payment emits, in chain order: the Regulator's Reserved,
the router's SplitPaid (the module pays the whole charge) and the module's ServicePaid.
"""

from carepay.ledger.context import Context
from carepay.ledger.fee_for_service import FeeForServiceBook
from carepay.ledger.reader import ChainData, Event
from carepay.ledger.regulator import RegulatorBook
from carepay.ledger.result import Audit
from carepay.ledger.splits import Split, SplitBook

MODULE = "0x" + "f5" * 20
INSTITUTION = "0x" + "15" * 20
SPLIT = b"\x51" * 32
PATIENT = b"\x0a" * 32
TX = "0x" + "ab" * 32


def _books():
    addresses = {"CareUSD": "0x" + "01" * 20, "Regulator": "0x" + "02" * 20, "SplitRouter": "0x" + "03" * 20, "FeeForService": MODULE}
    ctx = Context(ChainData(None, addresses, 0, 10, []), Audit())
    regulator, splits = RegulatorBook(ctx), SplitBook(ctx)
    ctx.books = {"Regulator": regulator, "SplitRouter": splits}
    return ctx, regulator, splits, FeeForServiceBook(ctx)


def _event(contract, name, log_index, **args):
    return Event(contract, name, args, block=5, log_index=log_index, tx=TX)


def _pay(ctx, regulator, splits, book, quoted, paid_in, emitted):
    regulator.last_quote[(TX, 7)] = {"fundShare": quoted[0], "patientShare": quoted[1]}
    splits.splits[SPLIT] = Split(SPLIT, [INSTITUTION], [1_000_000], 0, credited=[0], withdrawn=[0])
    splits.apply(_event("SplitRouter", "SplitPaid", 3, splitId=SPLIT, payer=MODULE, amount=paid_in, totalReceived=paid_in))
    book.apply(_event(
        "FeeForService", "ServicePaid", 4, reservationId=7, patientId=PATIENT, institution=INSTITUTION,
        practitioner=INSTITUTION, serviceType=b"\x00" * 32, splitId=SPLIT, fundShare=emitted[0], patientShare=emitted[1],
        serviceRecordHash=b"\x00" * 32,
    ))


def test_fee_for_service__quoted_shares_paid_whole__holds():
    ctx, regulator, splits, book = _books()

    _pay(ctx, regulator, splits, book, quoted=(80, 21), paid_in=101, emitted=(80, 21))

    f2 = ctx.audit.check("F4")
    assert (f2.status, f2.compared, f2.breaches) == ("pass", 4, [])
    assert book.payouts[SPLIT] == 101


def test_fee_for_service__split_paid_less_than_the_charge__names_the_shortfall():
    ctx, regulator, splits, book = _books()

    _pay(ctx, regulator, splits, book, quoted=(80, 21), paid_in=100, emitted=(80, 21))

    [breach] = ctx.audit.check("F4").breaches
    assert "paid into split" in breach.quantity and (breach.expected, breach.actual) == (101, 100)


def test_fee_for_service__shares_differ_from_the_quote__names_the_share():
    ctx, regulator, splits, book = _books()

    _pay(ctx, regulator, splits, book, quoted=(80, 21), paid_in=101, emitted=(81, 20))

    breaches = {b.quantity: (b.expected, b.actual) for b in ctx.audit.check("F4").breaches}
    assert breaches == {"fund share vs the Regulator's quote": (80, 81), "patient share vs the Regulator's quote": (21, 20)}
