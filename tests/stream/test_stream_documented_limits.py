"""Behaviours a security review flagged that the design keeps, each pinned to what SECURITY.md (known
limitations 11-13) says, with the bound or the remedy it states. If a later change fixes one, the test here
fails and the limitation must be removed from SECURITY.md with it."""

import ape

from carepay.codes import patient_id

from .conftest import CHRONIC, DEDUCTIBLE, ONE, PATIENT_ID, RATE_SCALE, RATIO_BPS, REGION

ONE_CUSD_PER_SECOND = ONE * RATE_SCALE


def test_partial_refund__consumed_care_is_shared_in_the_deposit_ratio__within_the_stated_bound(
    create_stream, stream, regulator, program_id, token, fund, patient, operator, at
):
    # Limitation 11: what was consumed is attributed in the payers' deposit ratio (PayerShares), not by
    # applying the deductible first to the consumed part. Bound: the fund pays at most ratio x deductible of
    # care that a deductible-first rule would have charged to the patient.
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)
    deposit = 200 * ONE
    stream_id, _, tx0 = create_stream(rate=ONE_CUSD_PER_SECOND, deposit=deposit)
    fund_in, patient_in = fund_before - token.balanceOf(fund), patient_before - token.balanceOf(patient)
    consumed = DEDUCTIBLE  # exactly the deductible streams, then the stream is cancelled

    at(tx0.timestamp + consumed // ONE)
    tx = stream.cancel(stream_id, sender=operator)

    [cancelled] = tx.decode_logs(stream.StreamCancelled)
    assert cancelled.paidToCareTeam == consumed
    fund_paid = fund_before - token.balanceOf(fund)
    patient_paid = patient_before - token.balanceOf(patient)
    assert fund_paid + patient_paid == consumed
    assert fund_paid == consumed * fund_in // (fund_in + patient_in)  # the deposit ratio, rounded down
    assert 0 < fund_paid <= DEDUCTIBLE * RATIO_BPS // 10_000  # the stated bound
    # The Regulator still counts the consumed care toward the deductible (R7: what remains keeps it).
    period = regulator.periodOf(program_id, tx.timestamp)
    assert regulator.patientUsage(program_id, PATIENT_ID, CHRONIC, period)[0] == DEDUCTIBLE


def test_fully_refunded_claims__still_count_toward_the_daily_limit__and_the_registrar_can_raise_it(
    accounts, admin, token, regulator, stream, params, program_id, hospital, patient
):
    # Limitation 12: the daily limit counts claims made, not care delivered, so claims cancelled with a full
    # refund still use up the practitioner's day. Remedy: the registrar raises the limit (the day's count is kept).
    limit = 3
    doctor2 = accounts.generate_test_account()
    regulator.registerPractitioner(doctor2, hospital, limit, sender=admin)
    other_account = accounts.generate_test_account()
    other_id = patient_id(b"registrar-secret-key-for-tests", "patient-0002")
    regulator.registerPatient(other_id, other_account, program_id, REGION, sender=admin)
    token.mint(other_account, 1_000 * ONE, sender=admin)
    admin.transfer(other_account, 10**18)
    token.approve(stream, 2**256 - 1, sender=other_account)

    balance = token.balanceOf(patient)
    for _ in range(limit):
        stream.create(params(rate=1, deposit=1, practitioner=doctor2), sender=patient)
        stream.cancel(stream.nextStreamId() - 1, sender=patient)
    assert token.balanceOf(patient) == balance  # every unit came back

    claim = params(patient_id=other_id, practitioner=doctor2, deposit=30 * ONE)
    with ape.reverts(regulator.Regulator_DailyServiceLimitReached, practitioner=doctor2, dailyServiceLimit=limit):
        stream.create(claim, sender=other_account)

    regulator.registerPractitioner(doctor2, hospital, limit + 1, sender=admin)
    stream.create(claim, sender=other_account)
    assert stream.getStream(stream.nextStreamId() - 1).sender == other_account


def test_frozen_institution_in_another_institutions_split__accrues_its_share__a_token_freeze_stops_its_receipts(
    accounts, admin, token, regulator, router, stream, params, hospital, operator, at
):
    # Limitation 13: a Regulator freeze blocks payouts on the frozen institution's own claims, not its share as
    # a recipient of another institution's split. Remedy: freeze its account in CareUSD as well; the share then
    # stays claimable in the router until the unfreeze, and no unit reaches the account.
    other_hospital, other_doctor = accounts.generate_test_account(), accounts.generate_test_account()
    regulator.registerInstitution(other_hospital, REGION, sender=admin)
    regulator.registerPractitioner(other_doctor, other_hospital, 1_000, sender=admin)
    regulator.setDefaultBudget(params()[0], other_hospital, 50_000 * ONE, sender=admin)
    shares = {str(other_hospital.address): 700_000, str(hospital.address): 300_000}
    recipients = sorted(shares, key=lambda address: int(address, 16))
    allocations = [shares[r] for r in recipients]
    residual = recipients.index(str(other_hospital.address))
    router.createSplit(recipients, allocations, residual, sender=admin)
    split = router.computeSplitId(recipients, allocations, residual)
    admin.transfer(other_hospital, 10**18)
    regulator.setPayeeApproval(split, True, sender=other_hospital)
    tx0 = stream.create(
        params(institution=other_hospital, practitioner=other_doctor, split=split, rate=ONE * RATE_SCALE),
        sender=operator,
    )
    stream_id = stream.nextStreamId() - 1

    regulator.setInstitutionFrozen(hospital, True, sender=admin)
    token.freeze(hospital, sender=admin)
    entitled_before = router.entitlement(split, hospital)
    hospital_balance = token.balanceOf(hospital)
    at(tx0.timestamp + 3_600)
    tx = stream.withdraw(stream_id, sender=operator)
    [paid] = tx.decode_logs(stream.Withdrawn)

    share = router.entitlement(split, hospital) - entitled_before
    assert share == paid.amount * 300_000 // 1_000_000  # accrued in the router, to the unit
    with ape.reverts(token.CareUSD_AccountFrozen, account=hospital):
        router.withdraw(split, hospital, sender=operator)
    assert token.balanceOf(hospital) == hospital_balance  # nothing reached the frozen account
