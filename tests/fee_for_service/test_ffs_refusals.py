"""FeeForService.pay refused: every error with its exact arguments, and after each refusal nothing moved
(every balance, the split's total, every Regulator counter and the module's total are what they were)."""

import ape
import pytest

from carepay.cost_sharing import split_for

from .conftest import CHARGE, DAY, FIRST_VISIT, FOLLOW_UP, FOLLOW_UP_COVERAGE, ONE, PATIENT_ID, REGION

SHARES = split_for(FOLLOW_UP_COVERAGE, CHARGE)  # the first visit of the period: 35 fund, 25 patient


def refused(observe, error, call, **arguments):
    """Runs `call`, asserts it reverts with exactly `error(**arguments)` and that nothing moved."""
    before = observe()
    with ape.reverts(error, **arguments):
        call()
    assert observe() == before


# ------------------------------------------------------------------------------------ the module's own checks


def test_pay__zero_charge__reverts_zero_charge(ffs, pay, observe):
    refused(observe, ffs.FeeForService_ZeroCharge, lambda: pay(charge=0))


def test_pay__unknown_split__reverts_unknown_split(ffs, pay, observe):
    unknown = b"\x5a" * 32
    refused(observe, ffs.FeeForService_UnknownSplit, lambda: pay(split_id=unknown), splitId=unknown)


def test_pay__fund_allowance_one_unit_short__reverts_naming_the_fund_account(ffs, token, world, pay, observe):
    token.approve(ffs, SHARES.fund - 1, sender=world.fund)
    refused(
        observe,
        ffs.FeeForService_FundAllowanceTooLow,
        lambda: pay(),
        programId=world.program_id,
        fundAccount=world.fund,
        allowance=SHARES.fund - 1,
        fundShare=SHARES.fund,
    )


def test_pay__patient_allowance_one_unit_short__reverts_naming_the_patient(ffs, token, world, pay, observe):
    token.approve(ffs, SHARES.patient - 1, sender=world.patient)
    refused(
        observe,
        ffs.FeeForService_PatientAllowanceTooLow,
        lambda: pay(sender=world.operator),
        patientId=PATIENT_ID,
        account=world.patient,
        allowance=SHARES.patient - 1,
        patientShare=SHARES.patient,
    )


def test_pay__exact_allowances__pay_and_use_them_up(ffs, token, world, pay):
    token.approve(ffs, SHARES.fund, sender=world.fund)
    token.approve(ffs, SHARES.patient, sender=world.patient)
    pay()
    assert token.allowance(world.fund, ffs) == 0
    assert token.allowance(world.patient, ffs) == 0


# ------------------------------------------------------------------------------------ the token's rules


@pytest.mark.parametrize("approval", ["unlimited", "exact"])
def test_pay__fund_account_frozen_in_careusd__reverts_account_frozen(ffs, token, world, pay, observe, approval):
    # An exact approval is written down (the freeze check of `_approve`), an unlimited one is not (`_update`'s):
    # both name the frozen payer.
    if approval == "exact":
        token.approve(ffs, SHARES.fund, sender=world.fund)
    token.freeze(world.fund, sender=world.admin)
    refused(observe, token.CareUSD_AccountFrozen, lambda: pay(), account=world.fund)


def test_pay__patient_account_frozen_in_careusd__reverts_account_frozen(token, world, pay, observe):
    token.freeze(world.patient, sender=world.admin)
    refused(observe, token.CareUSD_AccountFrozen, lambda: pay(sender=world.operator), account=world.patient)


def test_pay__patient_frozen_in_careusd_but_owing_nothing__is_paid_by_the_fund(
    ffs, token, regulator, world, pay, observe
):
    regulator.setCoverage(world.program_id, FOLLOW_UP, (True, False, 10_000, 0, 0), sender=world.admin)
    token.freeze(world.patient, sender=world.admin)
    before = observe()
    [paid] = pay(sender=world.operator).decode_logs(ffs.ServicePaid)
    assert (paid.fundShare, paid.patientShare) == (CHARGE, 0)
    assert observe()["balance:fund"] == before["balance:fund"] - CHARGE


def test_pay__patient_balance_too_low__reverts_insufficient_balance(token, world, pay, observe):
    balance = token.balanceOf(world.patient)
    token.transfer(world.stranger, balance - (SHARES.patient - 1), sender=world.patient)
    refused(
        observe,
        token.ERC20InsufficientBalance,
        lambda: pay(),
        sender=world.patient,
        balance=SHARES.patient - 1,
        needed=SHARES.patient,
    )


def test_pay__token_paused__reverts_enforced_pause(token, world, pay, observe):
    token.pause(sender=world.admin)
    refused(observe, token.EnforcedPause, lambda: pay())


# ------------------------------------------------------------------------------------ the Regulator's rules


def test_pay__online_first_visit__reverts_service_not_covered(regulator, world, pay, observe):
    refused(
        observe,
        regulator.Regulator_ServiceNotCovered,
        lambda: pay(service_type=FIRST_VISIT),
        programId=world.program_id,
        serviceType=FIRST_VISIT,
    )


def test_pay__split_not_approved_by_the_institution__reverts_payee_not_approved(
    regulator, router, world, pay, observe
):
    # A split the router knows, but the hospital never approved (the doctor alone).
    other_split = router.computeSplitId([world.doctor.address], [10**6], 0)
    router.createSplit([world.doctor.address], [10**6], 0, sender=world.doctor)
    refused(
        observe,
        regulator.Regulator_PayeeNotApproved,
        lambda: pay(split_id=other_split),
        institution=world.hospital,
        payee=other_split,
    )


def test_pay__approval_withdrawn__reverts_payee_not_approved(regulator, world, pay, observe):
    regulator.setPayeeApproval(world.split_id, False, sender=world.hospital)
    refused(
        observe, regulator.Regulator_PayeeNotApproved, lambda: pay(), institution=world.hospital, payee=world.split_id
    )


def test_pay__practitioner_over_the_daily_limit__reverts_and_moves_nothing(regulator, world, pay, observe, chain):
    limited = world.vendor  # any account: registered here as a practitioner allowed two services a day
    regulator.registerPractitioner(limited, world.hospital, 2, sender=world.admin)
    pay(practitioner=limited)
    tx = pay(practitioner=limited)
    day = tx.timestamp // DAY
    assert regulator.practitionerServices(limited, day) == 2
    refused(
        observe,
        regulator.Regulator_DailyServiceLimitReached,
        lambda: pay(practitioner=limited),
        practitioner=limited,
        day=day,
        limit=2,
    )
    assert regulator.practitionerServices(limited, day) == 2
    # The next UTC day the practitioner may serve again.
    chain.pending_timestamp = (day + 1) * DAY + 60
    pay(practitioner=limited)
    assert regulator.practitionerServices(limited, day + 1) == 1


def test_pay__institution_frozen__reverts_until_unfrozen(regulator, world, pay, observe):
    regulator.setInstitutionFrozen(world.hospital, True, sender=world.admin)
    refused(observe, regulator.Regulator_InstitutionFrozen, lambda: pay(), institution=world.hospital)
    regulator.setInstitutionFrozen(world.hospital, False, sender=world.admin)
    pay()


def test_pay__program_frozen__reverts_until_unfrozen(regulator, world, pay, observe):
    regulator.setProgramFrozen(world.program_id, True, sender=world.admin)
    refused(observe, regulator.Regulator_ProgramFrozen, lambda: pay(), programId=world.program_id)
    regulator.setProgramFrozen(world.program_id, False, sender=world.admin)
    pay()


def test_pay__patient_frozen_by_the_supervisor__reverts_patient_frozen(regulator, world, pay, observe):
    regulator.setPatientFrozen(PATIENT_ID, True, sender=world.admin)
    refused(observe, regulator.Regulator_PatientFrozen, lambda: pay(), patientId=PATIENT_ID)


def test_pay__practitioner_frozen__reverts_practitioner_frozen(regulator, world, pay, observe):
    regulator.setPractitionerFrozen(world.doctor, True, sender=world.admin)
    refused(observe, regulator.Regulator_PractitionerFrozen, lambda: pay(), practitioner=world.doctor)


def test_pay__stranger_initiates__reverts_unauthorized_initiator(regulator, world, pay, observe):
    refused(
        observe,
        regulator.Regulator_UnauthorizedInitiator,
        lambda: pay(sender=world.stranger),
        programId=world.program_id,
        patientId=PATIENT_ID,
        initiator=world.stranger,
    )


def test_pay__other_region_without_cross_region_cover__reverts_cross_region(regulator, world, pay, observe):
    away_doctor = world.stranger
    regulator.registerPractitioner(away_doctor, world.other_hospital, 5, sender=world.admin)
    regulator_region = regulator.getInstitution(world.other_hospital).region
    refused(
        observe,
        regulator.Regulator_CrossRegionNotAllowed,
        lambda: pay(institution=world.other_hospital, practitioner=away_doctor),
        programId=world.program_id,
        serviceType=FOLLOW_UP,
        patientRegion=REGION,
        institutionRegion=regulator_region,
    )


def test_pay__module_role_revoked__reverts_unauthorized_account(ffs, regulator, world, pay, observe):
    role = regulator.MODULE_ROLE()
    regulator.revokeRole(role, ffs, sender=world.admin)
    refused(observe, regulator.AccessControlUnauthorizedAccount, lambda: pay(), account=ffs, neededRole=role)


def test_pay__budget__can_be_used_to_the_last_unit_and_not_one_more(ffs, regulator, world, pay, observe):
    period = regulator.periodOf(world.program_id, world.now)
    regulator.setPeriodBudget(world.program_id, world.hospital, period, SHARES.fund, sender=world.admin)
    # Two units more of charge above the deductible make one unit more of fund share at 70 %.
    over = split_for(FOLLOW_UP_COVERAGE, CHARGE + 2)
    assert over.fund == SHARES.fund + 1
    refused(
        observe,
        regulator.Regulator_BudgetExceeded,
        lambda: pay(charge=CHARGE + 2),
        programId=world.program_id,
        institution=world.hospital,
        period=period,
        requested=SHARES.fund + 1,
        remaining=SHARES.fund,
    )

    [paid] = pay().decode_logs(ffs.ServicePaid)  # exactly the remaining budget
    assert paid.fundShare == SHARES.fund
    assert tuple(regulator.budgetOf(world.program_id, world.hospital, period)) == (SHARES.fund, SHARES.fund, 0)

    # Nothing left: any fund share is refused; a charge whose fund share rounds to 0 still passes (the patient
    # pays it all, the fund nothing).
    refused(
        observe,
        regulator.Regulator_BudgetExceeded,
        lambda: pay(charge=2),
        programId=world.program_id,
        institution=world.hospital,
        period=period,
        requested=1,
        remaining=0,
    )
    [tiny] = pay(charge=1).decode_logs(ffs.ServicePaid)
    assert (tiny.fundShare, tiny.patientShare) == (0, 1)


# ------------------------------------------------------------------------------------ which error comes first


def test_order__zero_charge_before_unknown_split(ffs, pay, observe):
    refused(observe, ffs.FeeForService_ZeroCharge, lambda: pay(charge=0, split_id=b"\x01" * 32))


def test_order__unknown_split_before_any_rule_of_the_regulator(ffs, regulator, world, pay, observe):
    regulator.setProgramFrozen(world.program_id, True, sender=world.admin)
    unknown = b"\x01" * 32
    refused(
        observe, ffs.FeeForService_UnknownSplit, lambda: pay(split_id=unknown, sender=world.stranger), splitId=unknown
    )


def test_order__regulator_before_allowances(ffs, token, regulator, world, pay, observe):
    token.approve(ffs, 0, sender=world.fund)
    regulator.setPayeeApproval(world.split_id, False, sender=world.hospital)
    refused(
        observe, regulator.Regulator_PayeeNotApproved, lambda: pay(), institution=world.hospital, payee=world.split_id
    )


def test_order__fund_allowance_before_patient_allowance(ffs, token, world, pay, observe):
    token.approve(ffs, 0, sender=world.fund)
    token.approve(ffs, 0, sender=world.patient)
    refused(
        observe,
        ffs.FeeForService_FundAllowanceTooLow,
        lambda: pay(),
        programId=world.program_id,
        fundAccount=world.fund,
        allowance=0,
        fundShare=SHARES.fund,
    )


def test_order__allowances_before_the_tokens_rules(ffs, token, world, pay, observe):
    token.freeze(world.fund, sender=world.admin)
    token.approve(ffs, 0, sender=world.patient)
    refused(
        observe,
        ffs.FeeForService_PatientAllowanceTooLow,
        lambda: pay(),
        patientId=PATIENT_ID,
        account=world.patient,
        allowance=0,
        patientShare=SHARES.patient,
    )


def test_order__frozen_fund_before_frozen_patient(token, world, pay, observe):
    token.freeze(world.fund, sender=world.admin)
    token.freeze(world.patient, sender=world.admin)
    refused(observe, token.CareUSD_AccountFrozen, lambda: pay(sender=world.operator), account=world.fund)


def test_pay__charge_sizes__one_unit_to_the_cap__never_leave_money_in_the_module(ffs, token, pay):
    for charge in (1, 3, 10 * ONE, 10 * ONE + 1, 123_456_789, 800 * ONE):
        pay(charge=charge)
        assert token.balanceOf(ffs) == 0
