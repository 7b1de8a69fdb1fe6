"""Fixtures of the Regulator tests: named actors, a configured Regulator and factories with defaults.

One session-wide deployment; ape snapshots the chain around every test, so each test starts from the
configured state below (program 1 on a monthly schedule, one covered service, one institution with a
practitioner and an approved payee, one patient, a default budget) at a fixed time mid-month.
"""

from dataclasses import dataclass

import pytest
from eth_utils import keccak

from carepay.cost_sharing import Coverage
from .periods import DAY, MONTHS, SECONDS, add_months, month_start  # noqa: F401

UNIT = 10**6  # CareUSD has 6 decimals

FOLLOW_UP = keccak(text="VIRTUAL_FOLLOW_UP")  # covered
FIRST_VISIT = keccak(text="VIRTUAL_FIRST_VISIT")  # online first visits: not covered
CHRONIC = keccak(text="CHRONIC_CARE")  # covered, cross-region allowed, no deductible

PATIENT = keccak(text="patient-1")
PATIENT2 = keccak(text="patient-2")
PAYEE = keccak(text="split-care-team")

REGION = 110_000
OTHER_REGION = 310_000

FOLLOW_UP_COVERAGE = Coverage(ratio_bps=8_000, deductible=50 * UNIT, fund_cap_per_patient=1_000 * UNIT)
CHRONIC_COVERAGE = Coverage(ratio_bps=9_000, cross_region_allowed=True)
DEFAULT_BUDGET = 10_000 * UNIT
DAILY_LIMIT = 3
ADMIN_DELAY = 3 * DAY


def coverage_tuple(c: Coverage):
    """A `Supervision.Coverage` argument: (covered, crossRegionAllowed, ratioBps, deductible, fundCapPerPatient)."""
    return (c.covered, c.cross_region_allowed, c.ratio_bps, c.deductible, c.fund_cap_per_patient)


@dataclass
class Actors:
    admin: object
    configurator: object
    registrar: object
    supervisor: object
    module: object
    other_module: object
    fund: object
    operator: object
    patient: object
    institution: object
    institution2: object
    patient2: object
    outsider: object
    practitioner: str
    practitioner2: str  # at institution2
    practitioner3: str  # a second practitioner at institution


@pytest.fixture(scope="session")
def actors(accounts):
    extra = [accounts.generate_test_account() for _ in range(3)]
    for account in extra:
        accounts[0].transfer(account, 10**20)
    return Actors(
        admin=accounts[0],
        configurator=accounts[1],
        registrar=accounts[2],
        supervisor=accounts[3],
        module=accounts[4],
        other_module=accounts[5],
        fund=accounts[6],
        operator=accounts[7],
        patient=accounts[8],
        institution=accounts[9],
        institution2=extra[0],
        patient2=extra[1],
        outsider=extra[2],
        practitioner=accounts.generate_test_account().address,
        practitioner2=accounts.generate_test_account().address,
        practitioner3=accounts.generate_test_account().address,
    )


@pytest.fixture(scope="session")
def start(chain):
    """A fixed point in time, 9 days and 1 hour into the UTC month that starts two months after now."""
    anchor = add_months(month_start(chain.pending_timestamp), 2)
    now = anchor + 9 * DAY + 3600
    chain.mine(timestamp=now)
    return anchor, now


@pytest.fixture(scope="session")
def anchor(start):
    """Program 1's anchor: the first second of the current UTC month."""
    return start[0]


@pytest.fixture(scope="session")
def regulator(project, actors, start):
    a = actors
    reg = a.admin.deploy(project.Regulator, ADMIN_DELAY, a.admin)
    reg.grantRole(reg.CONFIGURATOR_ROLE(), a.configurator, sender=a.admin)
    reg.grantRole(reg.REGISTRAR_ROLE(), a.registrar, sender=a.admin)
    reg.grantRole(reg.SUPERVISOR_ROLE(), a.supervisor, sender=a.admin)
    reg.grantRole(reg.MODULE_ROLE(), a.module, sender=a.admin)
    reg.grantRole(reg.MODULE_ROLE(), a.other_module, sender=a.admin)

    anchor = start[0]
    reg.createProgram(a.fund, (anchor, 1, MONTHS), sender=a.configurator)
    reg.setCoverage(1, FOLLOW_UP, coverage_tuple(FOLLOW_UP_COVERAGE), sender=a.configurator)
    reg.setCoverage(1, CHRONIC, coverage_tuple(CHRONIC_COVERAGE), sender=a.configurator)
    reg.setCoverage(1, FIRST_VISIT, coverage_tuple(Coverage(ratio_bps=0, covered=False)), sender=a.configurator)
    reg.registerInstitution(a.institution, REGION, sender=a.registrar)
    reg.registerInstitution(a.institution2, OTHER_REGION, sender=a.registrar)
    reg.registerPractitioner(a.practitioner, a.institution, DAILY_LIMIT, sender=a.registrar)
    reg.registerPractitioner(a.practitioner3, a.institution, DAILY_LIMIT, sender=a.registrar)
    reg.registerPractitioner(a.practitioner2, a.institution2, DAILY_LIMIT, sender=a.registrar)
    reg.registerPatient(PATIENT, a.patient, 1, REGION, sender=a.registrar)
    reg.registerPatient(PATIENT2, a.patient2, 1, REGION, sender=a.registrar)
    reg.setDefaultBudget(1, a.institution, DEFAULT_BUDGET, sender=a.configurator)
    reg.setDefaultBudget(1, a.institution2, DEFAULT_BUDGET, sender=a.configurator)
    reg.setPayeeApproval(PAYEE, True, sender=a.institution)
    reg.setPayeeApproval(PAYEE, True, sender=a.institution2)
    reg.setFundOperator(1, a.operator, True, sender=a.fund)
    return reg


@pytest.fixture
def claim(actors):
    """Builds a `Supervision.Claim` tuple; every field has a default that passes all checks."""

    def build(
        program_id=1,
        patient_id=PATIENT,
        institution=None,
        practitioner=None,
        service_type=FOLLOW_UP,
        payee=PAYEE,
        initiator=None,
        charge=100 * UNIT,
    ):
        return (
            program_id,
            patient_id,
            institution or actors.institution,
            practitioner or actors.practitioner,
            service_type,
            payee,
            initiator or actors.patient,
            charge,
        )

    return build


@pytest.fixture
def reserve(regulator, actors, claim):
    """Reserves a claim (defaults as `claim`) as `sender` (the module); returns (receipt, reservationId)."""

    def do(sender=None, **fields):
        tx = regulator.reserve(claim(**fields), sender=sender or actors.module)
        return tx, regulator.Reserved.from_receipt(tx)[0].reservationId

    return do


@pytest.fixture
def at(chain):
    """Moves the chain so that the next transaction is mined at `timestamp`."""

    def move(timestamp):
        chain.pending_timestamp = timestamp

    return move
