"""OutcomeEscrow fixtures: the real CareUSD, Regulator and SplitRouter, configured for digital-twin care.

Actors are named session fixtures; `open_episode` is a factory with defaults (a three-milestone
digital-twin episode: model built, an iteration, the final review). Every test runs in ape's chain
isolation, so the deployment is shared and each test starts from the same state.
"""

import calendar
import datetime
from dataclasses import dataclass

import pytest
from escrow_helpers import (
    ARBITRATION_WINDOW,
    BUDGET,
    CHALLENGE_WINDOW,
    DAY,
    DEDUCTIBLE,
    DIGITAL_TWIN,
    FUNDING,
    MAX_UINT,
    MONTHS,
    PATIENT_ID,
    RATIO_BPS,
    REGION,
    TIERS,
    UNIT,
    block_time,
    cost_sharing,
    make_terms_tuple,
)
from escrow_model import EpisodeModel

# ---- actors ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def fund(accounts):
    """The program's fund account: pays the fund share, receives fund refunds."""
    return accounts[1]


@pytest.fixture(scope="session")
def patient(accounts):
    """The patient's personal account."""
    return accounts[2]


@pytest.fixture(scope="session")
def institution(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def practitioner(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def clinician(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def laboratory(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def arbiter(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def operator(accounts):
    """A fund operator of the program (not the fund account itself)."""
    return accounts[8]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[9]


@pytest.fixture(scope="session")
def vendor(accounts):
    """The digital-twin algorithm vendor: a split recipient that never signs anything."""
    return accounts.generate_test_account()


# ---- contracts ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def token(project, admin, fund, patient):
    careusd = admin.deploy(project.CareUSD, 0, admin)
    careusd.grantRole(careusd.MINTER_ADMIN_ROLE(), admin, sender=admin)
    careusd.configureMinter(admin, 2 * FUNDING, sender=admin)
    careusd.mint(fund, FUNDING, sender=admin)
    careusd.mint(patient, FUNDING // 10, sender=admin)
    return careusd


@pytest.fixture(scope="session")
def router(project, admin, token):
    return admin.deploy(project.SplitRouter, token)


@pytest.fixture(scope="session")
def split_id(router, admin, institution, practitioner, vendor):
    """The care team: institution 70%, doctor 20%, algorithm vendor 10%; the institution takes remainders."""
    shares = {institution.address: 700_000, practitioner.address: 200_000, vendor.address: 100_000}
    recipients = sorted(shares, key=lambda a: int(a, 16))
    allocations = [shares[r] for r in recipients]
    residual = recipients.index(institution.address)
    router.createSplit(recipients, allocations, residual, sender=admin)
    return router.computeSplitId(recipients, allocations, residual)


@pytest.fixture(scope="session")
def regulator(project, admin):
    reg = admin.deploy(project.Regulator, 0, admin)
    for role in ("CONFIGURATOR_ROLE", "REGISTRAR_ROLE", "SUPERVISOR_ROLE"):
        reg.grantRole(getattr(reg, role)(), admin, sender=admin)
    return reg


@pytest.fixture(scope="session")
def program_id(chain, regulator, admin, fund, operator):
    """A program with monthly budget periods anchored at the start of the current UTC month."""
    now = datetime.datetime.fromtimestamp(chain.pending_timestamp, datetime.timezone.utc)
    anchor = calendar.timegm((now.year, now.month, 1, 0, 0, 0))
    regulator.createProgram(fund, (anchor, 1, MONTHS), sender=admin)
    pid = regulator.programCount()
    regulator.setCoverage(pid, DIGITAL_TWIN, (True, False, RATIO_BPS, DEDUCTIBLE, 0), sender=admin)
    regulator.setFundOperator(pid, operator, True, sender=fund)
    return pid


@pytest.fixture(scope="session")
def escrow(
    project, admin, token, regulator, router, split_id, program_id, fund, patient, institution, practitioner, arbiter
):
    module = admin.deploy(project.OutcomeEscrow, token, regulator, router)
    regulator.grantRole(regulator.MODULE_ROLE(), module, sender=admin)
    regulator.grantRole(regulator.ARBITER_ROLE(), arbiter, sender=admin)
    regulator.registerInstitution(institution, REGION, sender=admin)
    regulator.registerPractitioner(practitioner, institution, 50, sender=admin)
    regulator.registerPatient(PATIENT_ID, patient, program_id, REGION, sender=admin)
    regulator.setDefaultBudget(program_id, institution, BUDGET, sender=admin)
    regulator.setPayeeApproval(split_id, True, sender=institution)
    token.approve(module, MAX_UINT, sender=fund)
    token.approve(module, MAX_UINT, sender=patient)
    return module


# ---- episodes -------------------------------------------------------------------------------


@dataclass
class Episode:
    id: int
    terms: tuple
    model: EpisodeModel
    receipt: object
    created_at: int


@pytest.fixture
def make_terms(chain, program_id, split_id, clinician, laboratory):
    """Terms with defaults: three milestones a month apart, clinician + laboratory, 2 of 2, three tiers."""

    def make(
        amounts=(3_000 * UNIT, 2_000 * UNIT, 1_000 * UNIT),
        deadlines=None,
        attestors=None,
        threshold=2,
        tiers=TIERS,
        challenge_window=CHALLENGE_WINDOW,
        arbitration_window=ARBITRATION_WINDOW,
        patient_id=PATIENT_ID,
        split=None,
        program=None,
    ):
        if deadlines is None:
            start = chain.pending_timestamp
            deadlines = [start + 30 * DAY * (i + 1) for i in range(len(amounts))]
        attestors = [clinician, laboratory] if attestors is None else attestors
        return make_terms_tuple(
            program_id if program is None else program,
            patient_id,
            split_id if split is None else split,
            amounts,
            deadlines,
            attestors,
            threshold,
            tiers,
            challenge_window,
            arbitration_window,
        )

    return make


@pytest.fixture
def create_params(institution, practitioner):
    def make(terms, institution_=None, practitioner_=None, service_type=DIGITAL_TWIN):
        return (institution_ or institution, practitioner_ or practitioner, service_type, terms)

    return make


@pytest.fixture
def open_episode(chain, escrow, regulator, make_terms, create_params, patient):
    """Creates an episode and returns it with its reference model (shares from the Regulator's quote)."""

    def open_(sender=None, terms=None, **terms_kwargs):
        terms = terms or make_terms(**terms_kwargs)
        charge = sum(a for a, _ in terms[3])
        period = regulator.currentPeriod(terms[0])
        deductible_met, _ = regulator.patientUsage(terms[0], terms[1], DIGITAL_TWIN, period)
        fund_share, patient_share = cost_sharing(charge, deductible_met)
        receipt = escrow.createEpisode(create_params(terms), sender=sender or patient)
        episode_id = escrow.nextEpisodeId() - 1
        outcome = terms[4]
        model = EpisodeModel(
            amounts=[a for a, _ in terms[3]],
            deadlines=[d for _, d in terms[3]],
            tier_bps=outcome[2],
            threshold=outcome[1],
            attestor_count=len(outcome[0]),
            challenge_window=outcome[3],
            arbitration_window=outcome[4],
            fund_in=fund_share,
            patient_in=patient_share,
        )
        return Episode(episode_id, terms, model, receipt, block_time(chain, receipt))

    return open_


@pytest.fixture
def attest_all(escrow):
    """Every listed attestor attests `tier` for the current milestone; returns the last receipt."""

    def attest(episode, attestors, tier=0, evidence=b"\x11" * 32):
        receipt = None
        for attestor in attestors:
            receipt = escrow.attest(episode.id, episode.terms, tier, evidence, sender=attestor)
        return receipt

    return attest
