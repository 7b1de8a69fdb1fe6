"""F4 on decoded events alone: cases the real module cannot produce (a split paid less, shares off the quote).

The book is fed the events a fee-for-service payment emits, in chain order: the Regulator's charge, the
module's ServicePaid (emitted before any token moves), then the router's SplitPaid; the split check runs
once the transaction's events are all in, as `finish` does.
"""

from carepay.ledger.context import Context
from carepay.ledger.fee_for_service import FeeForServiceBook
from carepay.ledger.reader import ChainData, Event
from carepay.ledger.regulator import RegulatorBook, Reservation
from carepay.ledger.result import Audit
from carepay.ledger.splits import Split, SplitBook

MODULE = "0x" + "f5" * 20
INSTITUTION = "0x" + "15" * 20
SPLIT = b"\x51" * 32
PATIENT = b"\x0a" * 32
TX = "0x" + "ab" * 32
SERVICE = b"\x5e" * 32


def _books():
    addresses = {"CareUSD": "0x" + "01" * 20, "Regulator": "0x" + "02" * 20, "SplitRouter": "0x" + "03" * 20, "FeeForService": MODULE}
    ctx = Context(ChainData(None, addresses, 0, 10, []), Audit())
    regulator, splits = RegulatorBook(ctx), SplitBook(ctx)
    ctx.books = {"Regulator": regulator, "SplitRouter": splits}
    return ctx, regulator, splits, FeeForServiceBook(ctx)


def _event(contract, name, log_index, **args):
    return Event(contract, name, args, block=5, log_index=log_index, tx=TX)


def _pay(ctx, regulator, splits, book, quoted, paid_in, emitted):
    # The Regulator's Charged (log 1), as its book keeps it for the module's payment event.
    charged = Reservation(1, MODULE, 1, 0, PATIENT, INSTITUTION, SERVICE, quoted[0], quoted[1], 0)
    regulator.last_charged[(TX, MODULE)] = (charged, {"fundShare": quoted[0], "patientShare": quoted[1], "period": 0})
    splits.splits[SPLIT] = Split(SPLIT, [INSTITUTION], [1_000_000], 0, credited=[0], withdrawn=[0])
    book.apply(_event(
        "FeeForService", "ServicePaid", 3, programId=1, patientId=PATIENT, institution=INSTITUTION,
        practitioner=INSTITUTION, serviceType=SERVICE, splitId=SPLIT, fundShare=emitted[0], patientShare=emitted[1],
        serviceRecordHash=b"\x00" * 32,
    ))
    splits.apply(_event("SplitRouter", "SplitPaid", 6, splitId=SPLIT, payer=MODULE, amount=paid_in, totalReceived=paid_in))
    book.check_splits_paid()


def test_fee_for_service__quoted_shares_paid_whole__holds():
    ctx, regulator, splits, book = _books()

    _pay(ctx, regulator, splits, book, quoted=(80, 21), paid_in=101, emitted=(80, 21))

    f2 = ctx.audit.check("F4")
    assert (f2.status, f2.compared, f2.breaches) == ("pass", 8, [])
    assert book.payouts[SPLIT] == 101


def test_fee_for_service__split_paid_less_than_the_charge__names_the_shortfall():
    ctx, regulator, splits, book = _books()

    _pay(ctx, regulator, splits, book, quoted=(80, 21), paid_in=100, emitted=(80, 21))

    [breach] = ctx.audit.check("F4").breaches
    assert breach.subject == "FeeForService payment 1"
    assert breach.quantity == f"paid into split 0x{SPLIT.hex()} in the same transaction"
    assert (breach.expected, breach.actual) == (101, 100)
    assert "(-1 units)" in breach.message


def test_fee_for_service__shares_differ_from_the_quote__names_the_share():
    ctx, regulator, splits, book = _books()

    _pay(ctx, regulator, splits, book, quoted=(80, 21), paid_in=101, emitted=(81, 20))

    breaches = {b.quantity: (b.expected, b.actual) for b in ctx.audit.check("F4").breaches}
    assert breaches == {"fund share vs the Regulator's quote": (80, 81), "patient share vs the Regulator's quote": (21, 20)}


def test_fee_for_service__payment_without_a_charge_before_it__names_the_missing_charge():
    ctx, regulator, splits, book = _books()
    _pay(ctx, regulator, splits, book, quoted=(80, 21), paid_in=101, emitted=(80, 21))

    # A second ServicePaid in the same transaction finds no unpaired Charged of the module.
    book.apply(_event(
        "FeeForService", "ServicePaid", 7, programId=1, patientId=PATIENT, institution=INSTITUTION,
        practitioner=INSTITUTION, serviceType=SERVICE, splitId=SPLIT, fundShare=1, patientShare=0,
        serviceRecordHash=b"\x00" * 32,
    ))

    [breach] = ctx.audit.check("F4").breaches
    assert breach.subject == "FeeForService payment 2"
    assert breach.quantity == "Regulator charge in the same transaction"
    assert (breach.expected, breach.actual) == ("Charged by the module before it", "none")


def test_fee_for_service__payment_names_another_patient_than_the_charge__names_the_field():
    ctx, regulator, splits, book = _books()
    charged = Reservation(1, MODULE, 1, 0, b"\x0b" * 32, INSTITUTION, SERVICE, 80, 21, 0)
    regulator.last_charged[(TX, MODULE)] = (charged, {"fundShare": 80, "patientShare": 21, "period": 0})

    book.apply(_event(
        "FeeForService", "ServicePaid", 3, programId=1, patientId=PATIENT, institution=INSTITUTION,
        practitioner=INSTITUTION, serviceType=SERVICE, splitId=SPLIT, fundShare=80, patientShare=21,
        serviceRecordHash=b"\x00" * 32,
    ))

    [breach] = ctx.audit.check("F4").breaches
    assert breach.quantity == "patient vs the Regulator's charge"
    assert (breach.expected, breach.actual) == (b"\x0b" * 32, PATIENT)
