"""CareStream fixtures: the real CareUSD, Regulator and SplitRouter, configured for a chronic-care
program, and factories with defaults (as ApePay).

The world: a program with monthly budget periods whose fund covers 80% of chronic care above a
deductible, a hospital with a doctor, a patient with a personal account, and a care-team split of six
(hospital, doctor, algorithm vendor, data provider, platform, patient rebate) that the hospital approved.
"""

import calendar
import datetime as dt

import pytest
from ape import project

from carepay.codes import CHRONIC_CARE, patient_id, service_type

from .model import StreamModel, cost_share

ONE = 10**6  # one cUSD in token units (6 decimals)
RATE_SCALE = 10**18
MONTH_UNIT = 1  # Supervision.PeriodUnit.Months
CHRONIC = service_type(CHRONIC_CARE)
PATIENT_ID = patient_id(b"registrar-secret-key-for-tests", "patient-0001")  # pseudonymous
REGION = 3301
RATIO_BPS = 8_000
DEDUCTIBLE = 20 * ONE
FUND_CAP = 10_000 * ONE
BUDGET = 50_000 * ONE
# 300 cUSD a month of 30 days, in 18-decimal units per second: not a whole number of units per second.
MONTHLY_RATE = 300 * ONE * RATE_SCALE // (30 * 86_400)
SPLIT_ALLOCATIONS = {  # out of 1e6
    "hospital": 400_000,
    "doctor": 250_000,
    "vendor": 120_000,
    "data": 80_000,
    "platform": 100_000,
    "rebate": 50_000,
}


def month_start(timestamp, months_ahead=0):
    """First second (UTC) of the month `months_ahead` after the one containing `timestamp`."""
    day = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)
    year, month = divmod(day.month - 1 + months_ahead, 12)
    return calendar.timegm((day.year + year, month + 1, 1, 0, 0, 0))


# ------------------------------------------------------------------------------------------- actors


@pytest.fixture(scope="session")
def admin(accounts):
    """Deployer; holds every administrative role of the token and the Regulator."""
    return accounts[0]


@pytest.fixture(scope="session")
def fund(accounts):
    """The program's fund account: pays the fund share, receives fund refunds."""
    return accounts[1]


@pytest.fixture(scope="session")
def operator(accounts):
    """A fund operator (a case manager of the insurer) who opens streams for patients."""
    return accounts[2]


@pytest.fixture(scope="session")
def patient(accounts):
    """The patient's personal account."""
    return accounts[3]


@pytest.fixture(scope="session")
def hospital(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def doctor(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def stranger(accounts):
    """Holds no role and is party to nothing."""
    return accounts[6]


@pytest.fixture(scope="session")
def keeper(accounts):
    """Anyone who triggers withdrawals."""
    return accounts[7]


@pytest.fixture(scope="session")
def vendor(accounts):
    return accounts[8]


@pytest.fixture(scope="session")
def data_provider(accounts):
    return accounts[9]


@pytest.fixture(scope="session")
def platform(accounts):
    return accounts.generate_test_account()


# ---------------------------------------------------------------------------------------- contracts


@pytest.fixture(scope="session")
def token(admin, fund, patient, operator):
    token = admin.deploy(project.CareUSD, 0, admin)
    for role in ("MINTER_ADMIN_ROLE", "PAUSER_ROLE", "FREEZER_ROLE"):
        token.grantRole(getattr(token, role)(), admin, sender=admin)
    token.configureMinter(admin, 10**9 * ONE, sender=admin)
    token.mint(fund, 10**6 * ONE, sender=admin)
    token.mint(patient, 10**5 * ONE, sender=admin)
    token.mint(operator, 10**3 * ONE, sender=admin)
    return token


@pytest.fixture(scope="session")
def anchor(chain):
    """Period 0 of the program starts at the first second of the current month."""
    return month_start(chain.pending_timestamp)


@pytest.fixture(scope="session")
def regulator(admin, fund, operator, patient, hospital, doctor, anchor):
    regulator = admin.deploy(project.Regulator, 0, admin)
    for role in ("CONFIGURATOR_ROLE", "REGISTRAR_ROLE", "SUPERVISOR_ROLE"):
        regulator.grantRole(getattr(regulator, role)(), admin, sender=admin)
    regulator.createProgram(fund, (anchor, 1, MONTH_UNIT), sender=admin)
    program_id = regulator.programCount()
    regulator.setCoverage(program_id, CHRONIC, (True, False, RATIO_BPS, DEDUCTIBLE, FUND_CAP), sender=admin)
    regulator.registerInstitution(hospital, REGION, sender=admin)
    regulator.registerPractitioner(doctor, hospital, 1_000, sender=admin)
    regulator.registerPatient(PATIENT_ID, patient, program_id, REGION, sender=admin)
    regulator.setDefaultBudget(program_id, hospital, BUDGET, sender=admin)
    regulator.setFundOperator(program_id, operator, True, sender=fund)
    return regulator


@pytest.fixture(scope="session")
def program_id(regulator):
    return regulator.programCount()


@pytest.fixture(scope="session")
def router(admin, token):
    return admin.deploy(project.SplitRouter, token)


@pytest.fixture(scope="session")
def split_members(hospital, doctor, vendor, data_provider, platform, patient):
    return {
        "hospital": hospital,
        "doctor": doctor,
        "vendor": vendor,
        "data": data_provider,
        "platform": platform,
        "rebate": patient,
    }


@pytest.fixture(scope="session")
def split_id(admin, router, regulator, hospital, split_members):
    members = sorted(
        ((str(account.address), SPLIT_ALLOCATIONS[name]) for name, account in split_members.items()),
        key=lambda pair: int(pair[0], 16),
    )
    recipients = [address for address, _ in members]
    allocations = [allocation for _, allocation in members]
    residual = recipients.index(str(hospital.address))
    router.createSplit(recipients, allocations, residual, sender=admin)
    split_id = router.computeSplitId(recipients, allocations, residual)
    regulator.setPayeeApproval(split_id, True, sender=hospital)
    return split_id


@pytest.fixture(scope="session")
def stream(admin, token, regulator, router, fund, patient, split_id):
    stream = admin.deploy(project.CareStream, token, regulator, router)
    regulator.grantRole(regulator.MODULE_ROLE(), stream, sender=admin)
    token.approve(stream, 2**256 - 1, sender=fund)
    token.approve(stream, 2**256 - 1, sender=patient)
    return stream


# ---------------------------------------------------------------------------------------- factories


@pytest.fixture(scope="session")
def params(program_id, hospital, doctor, split_id):
    """Builds CreateParams (as a tuple in field order) with defaults."""

    def build(
        rate=MONTHLY_RATE,
        start=0,
        end=0,
        deposit=300 * ONE,
        patient_id=PATIENT_ID,
        institution=None,
        practitioner=None,
        service=CHRONIC,
        split=None,
        program=None,
    ):
        return (
            program_id if program is None else program,
            patient_id,
            hospital if institution is None else institution,
            doctor if practitioner is None else practitioner,
            service,
            split_id if split is None else split,
            rate,
            start,
            end,
            deposit,
        )

    return build


@pytest.fixture(scope="session")
def usage(regulator, program_id):
    """The patient's counters in the period that contains `timestamp`: (deductibleMet, fundUsed)."""

    def read(timestamp, patient_id=PATIENT_ID):
        period = regulator.periodOf(program_id, timestamp)
        return regulator.patientUsage(program_id, patient_id, CHRONIC, period)

    return read


@pytest.fixture(scope="session")
def expected_shares(usage):
    """The cost sharing the Regulator should give a charge now (computed in Python)."""

    def compute(charge, timestamp):
        deductible_met, fund_used = usage(timestamp)
        return cost_share(charge, RATIO_BPS, DEDUCTIBLE, deductible_met, FUND_CAP, fund_used)

    return compute


@pytest.fixture(scope="session")
def create_stream(stream, params, operator, chain, expected_shares):
    """Creates a stream and returns (stream id, its Python model, the receipt).

    Pins the block time so that the model knows the exact creation second.
    """

    def create(sender=None, at=None, **overrides):
        sender = sender or operator
        p = params(**overrides)
        now = at if at is not None else chain.pending_timestamp
        chain.pending_timestamp = now
        fund_share, patient_share, _ = expected_shares(p[9], now)
        tx = stream.create(p, sender=sender)
        assert tx.timestamp == now
        start = p[7] or now
        model = StreamModel.new(p[6], start, p[8], fund_share, patient_share)
        return stream.nextStreamId() - 1, model, tx

    return create


@pytest.fixture
def at(chain):
    """Sets the timestamp of the next block (the next transaction), and returns it."""

    def set_time(timestamp):
        chain.pending_timestamp = timestamp
        return timestamp

    return set_time


@pytest.fixture
def view_at(chain):
    """Mines an empty block at `timestamp`, so that calls see exactly that time."""

    def mine(timestamp):
        chain.mine(timestamp=timestamp)
        return timestamp

    return mine
