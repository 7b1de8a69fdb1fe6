"""The whole CarePay suite, deployed once with `carepay.deployment.deploy_suite` and configured for the
system state machine.

The world: one program (fund account `fund`) with 30-day budget periods, three covered service types
(chronic care, paid by CareStream; digital-twin stages, paid by OutcomeEscrow; virtual follow-ups, paid by
FeeForService), two institutions in two
regions, each with a practitioner and its own approved care-team split, three patients, a supervisor
and an arbiter. Every float is minted here, before any example runs: nothing is minted afterwards, so
the total supply is a constant of the run.
"""

from dataclasses import dataclass

import pytest

from carepay import codes
from carepay.deployment import Parties, deploy_suite, grant_operating_roles, mint, period_schedule

from .system_model import (
    BUDGETS,
    COVERAGES,
    DAILY_SERVICE_LIMIT,
    FUND_FLOAT,
    PATIENT_FLOAT,
    PERIOD_SECONDS,
    SPLIT_SHARES,
)

MAX_UINT = 2**256 - 1
REGISTRAR_KEY = b"system-tests-registrar-key-0001"


@dataclass
class World:
    """Everything the state machine needs, as ape objects and plain values."""

    suite: object  # carepay.deployment.Suite
    program_id: int
    anchor: int
    admin: object
    fund: object
    supervisor: object
    arbiter: object
    keeper: object  # anyone: triggers withdrawals, settlements and refunds
    institutions: list  # [A (region 1), B (region 2)]
    regions: list  # region of each institution
    practitioners: list  # practitioners[i] works at institutions[i]
    patients: list  # accounts
    patient_ids: list  # bytes32 pseudonymous ids, same order
    patient_regions: list
    attestors: list  # accounts that may be named attestors of an episode
    splits: list  # splits[i] is institutions[i]'s approved care-team split id
    split_recipients: list  # sorted recipient addresses of each split
    split_allocations: list
    split_residuals: list
    tracked: list  # every account whose token balance the run can change
    total_supply: int


def _funded_extra(accounts, count):
    extra = [accounts.generate_test_account() for _ in range(count)]
    for account in extra:
        accounts[0].transfer(account, 10**20)  # gas money only
    return extra


@pytest.fixture(scope="session")
def world(accounts, chain, project):
    patient3, lab, vendor = _funded_extra(accounts, 3)
    parties = Parties(
        admin=accounts[0],
        fund=accounts[1],
        supervisor=accounts[2],
        arbiter=accounts[3],
        institutions=[accounts[4], accounts[5]],
        practitioners=[accounts[6], accounts[7]],
        patients=[accounts[8], accounts[9], patient3],
    )
    admin, fund = parties.admin, parties.fund
    suite = deploy_suite(project, admin, admin_delay=0)
    grant_operating_roles(suite, parties)
    regulator, token, router = suite.regulator, suite.token, suite.router

    anchor = chain.blocks.head.timestamp
    regulator.createProgram(fund, period_schedule(anchor, PERIOD_SECONDS, "seconds"), sender=admin)
    program_id = regulator.programCount()
    for service, coverage in COVERAGES.items():
        regulator.setCoverage(
            program_id,
            service,
            (True, coverage.cross_region_allowed, coverage.ratio_bps, coverage.deductible, coverage.fund_cap_per_patient),
            sender=admin,
        )

    regions = [1, 2]
    for institution, region, budget in zip(parties.institutions, regions, BUDGETS):
        regulator.registerInstitution(institution, region, sender=admin)
        regulator.setDefaultBudget(program_id, institution, budget, sender=admin)
    for practitioner, institution in zip(parties.practitioners, parties.institutions):
        regulator.registerPractitioner(practitioner, institution, DAILY_SERVICE_LIMIT, sender=admin)

    patient_regions = [1, 2, 1]
    patient_ids = [codes.patient_id(REGISTRAR_KEY, f"patient-{i:04d}") for i in range(len(parties.patients))]
    for pid, account, region in zip(patient_ids, parties.patients, patient_regions):
        regulator.registerPatient(pid, account, program_id, region, sender=admin)

    # Care teams: A = hospital A (residual), doctor A, algorithm vendor, patient 1's rebate;
    # B = hospital B, doctor B, vendor (residual) in thirds, so every payment leaves a remainder.
    members = {
        "institution_a": parties.institutions[0],
        "doctor_a": parties.practitioners[0],
        "institution_b": parties.institutions[1],
        "doctor_b": parties.practitioners[1],
        "vendor": vendor,
        "patient_1": parties.patients[0],
    }
    splits, split_recipients, split_allocations, split_residuals = [], [], [], []
    for index, (shares, residual_name) in enumerate(SPLIT_SHARES):
        pairs = sorted(((str(members[n].address), a) for n, a in shares.items()), key=lambda p: int(p[0], 16))
        recipients = [address for address, _ in pairs]
        allocations = [allocation for _, allocation in pairs]
        residual = recipients.index(str(members[residual_name].address))
        router.createSplit(recipients, allocations, residual, sender=admin)
        split_id = router.computeSplitId(recipients, allocations, residual)
        regulator.setPayeeApproval(split_id, True, sender=parties.institutions[index])
        splits.append(split_id)
        split_recipients.append(recipients)
        split_allocations.append(allocations)
        split_residuals.append(residual)

    mint(suite, admin, fund, FUND_FLOAT)
    for patient in parties.patients:
        mint(suite, admin, patient, PATIENT_FLOAT)
    for payer in [fund, *parties.patients]:
        for module in suite.modules:
            token.approve(module, MAX_UINT, sender=payer)

    tracked = [
        str(a.address)
        for a in [
            admin, fund, parties.supervisor, parties.arbiter, *parties.institutions, *parties.practitioners,
            *parties.patients, lab, vendor,
        ]
    ] + [str(module.address) for module in suite.modules] + [str(router.address)]
    return World(
        suite=suite,
        program_id=program_id,
        anchor=anchor,
        admin=admin,
        fund=fund,
        supervisor=parties.supervisor,
        arbiter=parties.arbiter,
        keeper=admin,
        institutions=parties.institutions,
        regions=regions,
        practitioners=parties.practitioners,
        patients=parties.patients,
        patient_ids=patient_ids,
        patient_regions=patient_regions,
        attestors=[parties.practitioners[0], parties.practitioners[1], lab],
        splits=splits,
        split_recipients=split_recipients,
        split_allocations=split_allocations,
        split_residuals=split_residuals,
        tracked=tracked,
        total_supply=token.totalSupply(),
    )
