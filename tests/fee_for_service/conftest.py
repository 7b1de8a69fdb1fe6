"""FeeForService fixtures: the suite as `carepay.deployment.deploy_suite` deploys it, configured for virtual
follow-up consultations paid at the time of service, and factories with defaults (as ApePay).

The world: a program with monthly budget periods whose fund pays 70 % of virtual follow-ups above a 10 cUSD
deductible, up to 500 cUSD per patient and month (the demo network's rules); online first visits are not
covered. A hospital in the patients' region with a doctor, two patients with personal accounts, a fund
operator (the insurer's case manager), and the hospital's care-team split (hospital 60 % and residual,
doctor 30 %, algorithm vendor 10 %), approved by the hospital. Payers approved FeeForService without limit.
The chain stands at a fixed time, 9 days and 1 hour into a month, so no test crosses a period or a UTC day.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

import pytest

from carepay import codes
from carepay.cost_sharing import Coverage
from carepay.deployment import MAX_UINT256, Parties, deploy_suite, grant_operating_roles, mint

ONE = 10**6  # one cUSD in token units (6 decimals)
DAY = 86_400
MONTHS = 1  # Supervision.PeriodUnit.Months
FOLLOW_UP = codes.service_type(codes.VIRTUAL_FOLLOW_UP)
FIRST_VISIT = codes.service_type(codes.VIRTUAL_FIRST_VISIT)
FOLLOW_UP_COVERAGE = Coverage(ratio_bps=7_000, deductible=10 * ONE, fund_cap_per_patient=500 * ONE)
REGISTRAR_KEY = b"fee-for-service-tests-registrar"
PATIENT_ID = codes.patient_id(REGISTRAR_KEY, "patient-0001")
PATIENT2_ID = codes.patient_id(REGISTRAR_KEY, "patient-0002")
REGION = 3101
OTHER_REGION = 3301
BUDGET = 50_000 * ONE
DAILY_LIMIT = 40
FUND_FLOAT = 10**6 * ONE
PATIENT_FLOAT = 10**4 * ONE
CHARGE = 60 * ONE  # a virtual follow-up consultation
RECORD_HASH = codes.evidence_hash(b"service record of consultation 0001 (kept off chain)")
SPLIT_SHARES = {"hospital": 600_000, "doctor": 300_000, "vendor": 100_000}  # out of 1e6; hospital residual


def coverage_tuple(c: Coverage) -> tuple:
    """A `Supervision.Coverage` argument: (covered, crossRegionAllowed, ratioBps, deductible, fundCapPerPatient)."""
    return (c.covered, c.cross_region_allowed, c.ratio_bps, c.deductible, c.fund_cap_per_patient)


def month_start(timestamp: int, months_ahead: int = 0) -> int:
    """First second (UTC) of the month `months_ahead` after the one containing `timestamp`."""
    day = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)
    year, month = divmod(day.month - 1 + months_ahead, 12)
    return calendar.timegm((day.year + year, month + 1, 1, 0, 0, 0))


@dataclass
class World:
    """The parties (ape accounts) and the configured ids."""

    admin: object  # deployer: every role of the token and the Regulator
    fund: object  # the program's fund account
    operator: object  # a fund operator: opens claims for patients
    patient: object
    patient2: object
    hospital: object
    other_hospital: object  # registered in another region, same budget
    doctor: object
    vendor: object
    stranger: object  # no role, party to nothing
    program_id: int
    anchor: int
    now: int
    split_id: bytes
    split_recipients: tuple = ()  # (recipients, allocations, residualIndex) of the care-team split


# ---------------------------------------------------------------------------------------------- world


@pytest.fixture(scope="session")
def suite(project, accounts):
    return deploy_suite(project, accounts[0], admin_delay=0)


@pytest.fixture(scope="session")
def world(suite, accounts, chain):
    admin = accounts[0]
    arbiter, stranger = (accounts.generate_test_account() for _ in range(2))
    for account in (arbiter, stranger):
        admin.transfer(account, 10**20)  # gas money only
    # The admin also supervises (freezes) in these tests; the arbiter is never used by FeeForService.
    parties = Parties(admin=admin, fund=accounts[1], supervisor=admin, arbiter=arbiter)
    grant_operating_roles(suite, parties)
    token, regulator, router = suite.token, suite.regulator, suite.router
    for role in ("PAUSER_ROLE", "FREEZER_ROLE"):
        token.grantRole(getattr(token, role)(), admin, sender=admin)

    anchor = month_start(chain.pending_timestamp, 2)
    now = anchor + 9 * DAY + 3_600
    chain.mine(timestamp=now)

    w = World(
        admin=admin,
        fund=accounts[1],
        operator=accounts[2],
        patient=accounts[3],
        patient2=accounts[4],
        hospital=accounts[5],
        other_hospital=accounts[6],
        doctor=accounts[7],
        vendor=accounts[8],
        stranger=stranger,
        program_id=0,
        anchor=anchor,
        now=now,
        split_id=b"",
    )
    regulator.createProgram(w.fund, (anchor, 1, MONTHS), sender=admin)
    w.program_id = regulator.programCount()
    regulator.setCoverage(w.program_id, FOLLOW_UP, coverage_tuple(FOLLOW_UP_COVERAGE), sender=admin)
    regulator.setCoverage(w.program_id, FIRST_VISIT, coverage_tuple(Coverage(ratio_bps=0, covered=False)), sender=admin)
    regulator.registerInstitution(w.hospital, REGION, sender=admin)
    regulator.registerInstitution(w.other_hospital, OTHER_REGION, sender=admin)
    regulator.setDefaultBudget(w.program_id, w.hospital, BUDGET, sender=admin)
    regulator.registerPractitioner(w.doctor, w.hospital, DAILY_LIMIT, sender=admin)
    regulator.registerPatient(PATIENT_ID, w.patient, w.program_id, REGION, sender=admin)
    regulator.registerPatient(PATIENT2_ID, w.patient2, w.program_id, REGION, sender=admin)
    regulator.setFundOperator(w.program_id, w.operator, True, sender=w.fund)

    members = {"hospital": w.hospital, "doctor": w.doctor, "vendor": w.vendor}
    pairs = sorted(((str(members[n].address), a) for n, a in SPLIT_SHARES.items()), key=lambda p: int(p[0], 16))
    recipients = [address for address, _ in pairs]
    allocations = [allocation for _, allocation in pairs]
    residual = recipients.index(str(w.hospital.address))
    router.createSplit(recipients, allocations, residual, sender=admin)
    w.split_id = router.computeSplitId(recipients, allocations, residual)
    w.split_recipients = (recipients, allocations, residual)
    regulator.setPayeeApproval(w.split_id, True, sender=w.hospital)

    mint(suite, admin, w.fund, FUND_FLOAT)
    for patient in (w.patient, w.patient2):
        mint(suite, admin, patient, PATIENT_FLOAT)
    for payer in (w.fund, w.patient, w.patient2):
        token.approve(suite.fee_for_service, MAX_UINT256, sender=payer)
    return w


@pytest.fixture(scope="session")
def ffs(suite, world):
    return suite.fee_for_service


@pytest.fixture(scope="session")
def token(suite):
    return suite.token


@pytest.fixture(scope="session")
def regulator(suite):
    return suite.regulator


@pytest.fixture(scope="session")
def router(suite):
    return suite.router


# ---------------------------------------------------------------------------------------------- factories


@pytest.fixture(scope="session")
def service_params(world):
    """Builds `Payments.ServiceParams` (a tuple in field order); every default passes every check."""

    def build(
        program_id=None,
        patient_id=PATIENT_ID,
        institution=None,
        practitioner=None,
        service_type=FOLLOW_UP,
        split_id=None,
        charge=CHARGE,
        record_hash=RECORD_HASH,
    ):
        return (
            world.program_id if program_id is None else program_id,
            patient_id,
            world.hospital if institution is None else institution,
            world.doctor if practitioner is None else practitioner,
            service_type,
            world.split_id if split_id is None else split_id,
            charge,
            record_hash,
        )

    return build


@pytest.fixture(scope="session")
def pay(ffs, world, service_params):
    """Pays a service (defaults as `service_params`) as `sender` (the patient by default); returns the receipt."""

    def do(sender=None, **fields):
        return ffs.pay(service_params(**fields), sender=sender or world.patient)

    return do


@pytest.fixture(scope="session")
def observe(suite, world, chain):
    """Everything a payment can change, as a dict: every payer's and holder's balance, the split's total, the
    Regulator's counters (reservations, budget, both patients' usage, the doctor's services today) and the
    module's total. Comparing two observations proves that nothing moved."""
    token, regulator, router, ffs = suite.token, suite.regulator, suite.router, suite.fee_for_service

    def read() -> dict:
        period = regulator.periodOf(world.program_id, world.now)
        holders = {
            "fund": world.fund, "patient": world.patient, "patient2": world.patient2, "module": ffs, "router": router,
        }
        state = {f"balance:{name}": token.balanceOf(account) for name, account in holders.items()}
        state["split:totalReceived"] = router.totalReceived(world.split_id)
        state["reservationCount"] = regulator.reservationCount()
        state["budget:used"] = regulator.budgetOf(world.program_id, world.hospital, period).used
        for name, pid in (("patient", PATIENT_ID), ("patient2", PATIENT2_ID)):
            state[f"usage:{name}"] = tuple(regulator.patientUsage(world.program_id, pid, FOLLOW_UP, period))
        state["doctor:servicesToday"] = regulator.practitionerServices(world.doctor, world.now // DAY)
        state["totalPaid"] = ffs.totalPaid()
        return state

    return read


@pytest.fixture(autouse=True)
def _fast_revert_decoding(monkeypatch):
    """Speed only; no assertion changes. For every revert, ape-foundry (1) prints the whole call trace and
    (2) when the error is not in the called contract's ABI (the Regulator's, the token's and the router's errors
    are not in FeeForService's), walks that trace's opcode frames to find the contract that raised it: 5 to 25 s
    per refusal of a payment on this machine. Here (1) is skipped, and (2) first tries the module's three
    collaborators (Regulator, token, router, in that order, read from the module itself) before falling back
    to ape's trace walk. `ape.reverts` still checks the error's contract, name and every argument."""
    from ape_ethereum.ecosystem import Ethereum
    from ape_ethereum.trace import Trace

    decode = Ethereum.decode_custom_error

    def decode_from_collaborators(self, data, address, **kwargs):
        try:
            contract = self.chain_manager.contracts.instance_at(address)
        except Exception:  # noqa: BLE001 - unknown address: let ape decide
            return decode(self, data, address, **kwargs)
        selector = bytes(data[:4])
        if contract.contract_type.name == "FeeForService" and selector not in contract.contract_type.errors:
            for collaborator in (contract.REGULATOR(), contract.TOKEN(), contract.ROUTER()):
                known = self.chain_manager.contracts.instance_at(collaborator)
                if selector in known.contract_type.errors:
                    return decode(self, data, known.address, **kwargs)
        return decode(self, data, address, **kwargs)

    monkeypatch.setattr(Ethereum, "decode_custom_error", decode_from_collaborators)
    monkeypatch.setattr(Trace, "show", lambda self, *args, **kwargs: None)
