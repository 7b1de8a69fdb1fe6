"""FeeForService.pay: what a successful payment moves, records and emits."""

import pytest

from carepay.cost_sharing import split_for

from .conftest import (
    CHARGE,
    DAY,
    FOLLOW_UP,
    FOLLOW_UP_COVERAGE,
    ONE,
    PATIENT2_ID,
    PATIENT_ID,
    RECORD_HASH,
    SPLIT_SHARES,
)


def _canonical(value):
    """Decoded addresses come back lower-case and bytes as HexBytes: compare like with like."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(getattr(value, "address", value)).lower()


def _same(a, b):
    return _canonical(a) == _canonical(b)


@pytest.mark.parametrize("initiator", ["patient", "operator"])
def test_pay__first_visit_of_the_period__pulls_both_shares_and_pays_the_whole_charge_into_the_split(
    ffs, regulator, router, world, pay, observe, initiator
):
    shares = split_for(FOLLOW_UP_COVERAGE, CHARGE)
    assert shares.deductible == 10 * ONE and shares.fund == 35 * ONE and shares.patient == 25 * ONE
    before = observe()

    tx = pay(sender=getattr(world, initiator))

    after = observe()
    period = regulator.periodOf(world.program_id, world.now)
    assert after["balance:fund"] == before["balance:fund"] - shares.fund
    assert after["balance:patient"] == before["balance:patient"] - shares.patient
    assert after["balance:module"] == 0
    assert after["balance:router"] == before["balance:router"] + CHARGE
    assert after["split:totalReceived"] == before["split:totalReceived"] + CHARGE
    assert after["reservationCount"] == before["reservationCount"]  # a payment makes no reservation
    assert after["budget:used"] == before["budget:used"] + shares.fund
    assert after["usage:patient"] == (shares.deductible, shares.fund)
    assert after["doctor:servicesToday"] == before["doctor:servicesToday"] + 1
    assert after["totalPaid"] == CHARGE

    [paid] = tx.decode_logs(ffs.ServicePaid)
    assert paid.programId == world.program_id
    assert _same(paid.patientId, PATIENT_ID)
    assert _same(paid.institution, world.hospital)
    assert _same(paid.practitioner, world.doctor)
    assert _same(paid.serviceType, FOLLOW_UP)
    assert _same(paid.splitId, world.split_id)
    assert paid.fundShare == shares.fund
    assert paid.patientShare == shares.patient
    assert _same(paid.serviceRecordHash, RECORD_HASH)
    assert list(tx.return_value) == [shares.fund, shares.patient, shares.deductible, period]

    assert tx.decode_logs(regulator.Reserved) == []
    [charged] = tx.decode_logs(regulator.Charged)
    assert _same(charged.module, ffs)
    # Supervision.Claim decodes as a list in field order; the payee is the split, the initiator the caller.
    expected_claim = [
        world.program_id, PATIENT_ID, world.hospital, world.doctor, FOLLOW_UP, world.split_id,
        getattr(world, initiator), CHARGE,
    ]
    assert len(charged.claim) == len(expected_claim)
    assert all(_same(got, want) for got, want in zip(charged.claim, expected_claim))
    assert list(charged.quote) == [shares.fund, shares.patient, shares.deductible, period]
    # The Regulator's event comes first: a consumer pairs each ServicePaid with the Charged just before it.
    assert charged.log_index < paid.log_index
    [split_paid] = tx.decode_logs(router.SplitPaid)
    assert _same(split_paid.splitId, world.split_id) and _same(split_paid.payer, ffs)
    assert split_paid.amount == CHARGE and split_paid.totalReceived == after["split:totalReceived"]


def test_pay__moves_money_in_the_documented_order(ffs, token, world, pay, router):
    shares = split_for(FOLLOW_UP_COVERAGE, CHARGE)
    tx = pay()
    transfers = [(str(t["from"]).lower(), str(t.to).lower(), t.value) for t in tx.decode_logs(token.Transfer)]
    module, router_address = str(ffs.address).lower(), str(router.address).lower()
    assert transfers == [
        (str(world.fund.address).lower(), module, shares.fund),
        (str(world.patient.address).lower(), module, shares.patient),
        (module, router_address, CHARGE),
    ]


def test_pay__commits_the_counters_for_good_without_a_reservation(ffs, regulator, world, pay, observe):
    shares = split_for(FOLLOW_UP_COVERAGE, CHARGE)
    before = observe()
    pay()
    after = observe()
    # The counters grow as under a reservation that is never released, and no reservation id is used.
    assert after["reservationCount"] == before["reservationCount"]
    assert regulator.getReservation(before["reservationCount"] + 1).module == "0x" + "00" * 20
    assert after["budget:used"] == before["budget:used"] + shares.fund
    assert after["usage:patient"] == (shares.deductible, shares.fund)
    assert after["doctor:servicesToday"] == before["doctor:servicesToday"] + 1


def test_pay__second_visit__no_deductible_left_and_fund_pays_its_ratio(world, pay, observe, ffs):
    first = split_for(FOLLOW_UP_COVERAGE, CHARGE)
    pay()
    before = observe()
    second = split_for(FOLLOW_UP_COVERAGE, CHARGE, deductible_met=first.deductible, fund_used=first.fund)
    assert second.deductible == 0 and second.fund == 42 * ONE and second.patient == 18 * ONE

    tx = pay(sender=world.operator)

    after = observe()
    [paid] = tx.decode_logs(ffs.ServicePaid)
    assert (paid.fundShare, paid.patientShare) == (second.fund, second.patient)
    assert after["balance:fund"] == before["balance:fund"] - second.fund
    assert after["balance:patient"] == before["balance:patient"] - second.patient
    assert after["usage:patient"] == (first.deductible, first.fund + second.fund)
    assert after["totalPaid"] == 2 * CHARGE
    assert after["balance:module"] == 0


def test_pay__charge_within_the_deductible__fund_pays_nothing_and_needs_no_approval(
    ffs, token, world, pay, observe
):
    token.approve(ffs, 0, sender=world.fund)
    before = observe()

    tx = pay(charge=7 * ONE)

    after = observe()
    [paid] = tx.decode_logs(ffs.ServicePaid)
    assert (paid.fundShare, paid.patientShare) == (0, 7 * ONE)
    assert after["balance:fund"] == before["balance:fund"]
    assert after["balance:patient"] == before["balance:patient"] - 7 * ONE
    assert after["usage:patient"] == (7 * ONE, 0)
    assert after["budget:used"] == before["budget:used"]
    assert after["split:totalReceived"] == before["split:totalReceived"] + 7 * ONE


def test_pay__fully_covered_service__patient_pays_nothing_and_needs_no_approval(
    ffs, token, regulator, world, pay, observe
):
    regulator.setCoverage(world.program_id, FOLLOW_UP, (True, False, 10_000, 0, 0), sender=world.admin)
    token.approve(ffs, 0, sender=world.patient)
    before = observe()

    tx = pay()

    after = observe()
    [paid] = tx.decode_logs(ffs.ServicePaid)
    assert (paid.fundShare, paid.patientShare) == (CHARGE, 0)
    assert after["balance:patient"] == before["balance:patient"]
    assert after["balance:fund"] == before["balance:fund"] - CHARGE
    assert after["budget:used"] == before["budget:used"] + CHARGE


def test_pay__one_unit__fund_share_rounds_down_to_zero_and_the_patient_pays_the_unit(
    ffs, regulator, world, pay
):
    regulator.setCoverage(world.program_id, FOLLOW_UP, (True, False, 7_000, 0, 0), sender=world.admin)
    [paid] = pay(charge=1).decode_logs(ffs.ServicePaid)
    assert (paid.fundShare, paid.patientShare) == (0, 1)


def test_pay__cap_reached__fund_pays_only_the_headroom_then_nothing(ffs, pay, observe):
    # 70 % of (800 - 10) = 553 > the 500 cap: the fund pays 500, the patient 300; the next visit is the patient's.
    [first] = pay(charge=800 * ONE).decode_logs(ffs.ServicePaid)
    assert (first.fundShare, first.patientShare) == (500 * ONE, 300 * ONE)
    [second] = pay(charge=CHARGE).decode_logs(ffs.ServicePaid)
    assert (second.fundShare, second.patientShare) == (0, CHARGE)
    assert observe()["usage:patient"] == (10 * ONE, 500 * ONE)


def test_pay__zero_record_hash__is_accepted_and_emitted_as_given(ffs, pay):
    [paid] = pay(record_hash=b"\x00" * 32).decode_logs(ffs.ServicePaid)
    assert bytes(paid.serviceRecordHash) == b"\x00" * 32


def test_pay__split_recipients__are_entitled_to_their_allocations_of_the_charge(router, world, pay):
    pay()
    for member, allocation in SPLIT_SHARES.items():
        assert router.entitlement(world.split_id, getattr(world, member)) == CHARGE * allocation // 10**6


def test_pay__two_patients__each_has_their_own_counters(world, pay, observe):
    shares = split_for(FOLLOW_UP_COVERAGE, CHARGE)
    pay()
    pay(patient_id=PATIENT2_ID, sender=world.patient2)
    after = observe()
    assert after["usage:patient"] == after["usage:patient2"] == (shares.deductible, shares.fund)
    assert after["budget:used"] == 2 * shares.fund
    assert after["doctor:servicesToday"] == 2
    assert after["balance:patient2"] == after["balance:patient"]


def test_pay__later_period__counts_in_that_period_with_a_fresh_deductible(ffs, regulator, world, pay, chain):
    pay()
    next_month = regulator.periodBounds(world.program_id, regulator.periodOf(world.program_id, world.now)).end
    chain.pending_timestamp = next_month + DAY
    tx = pay()
    shares = split_for(FOLLOW_UP_COVERAGE, CHARGE)
    [paid] = tx.decode_logs(ffs.ServicePaid)
    assert (paid.fundShare, paid.patientShare) == (shares.fund, shares.patient)
    period = regulator.periodOf(world.program_id, next_month)
    assert tx.return_value.period == period
    [charged] = tx.decode_logs(regulator.Charged)
    assert charged.quote[3] == period  # Supervision.Quote: fundShare, patientShare, deductiblePortion, period
    assert tuple(regulator.patientUsage(world.program_id, PATIENT_ID, FOLLOW_UP, period)) == (
        shares.deductible,
        shares.fund,
    )
