"""A realistic history of the whole suite for `verify` and `report` to read.

Deployed with `carepay.deployment.deploy_suite` and configured like tests/system: one program with
30-day budget periods, chronic care (streams) and digital-twin stages (escrow), two institutions in two
regions with their practitioners and care-team splits, two patients. Then, over two budget periods:
streams created, withdrawn, paused and resumed, topped up in a later period (renewing the
reservation), cancelled pro rata; episodes attested and settled, disputed and resolved by the arbiter,
expired and refunded, and settled under an institution freeze then paid once unfrozen; a ruling while the
patient's account is frozen in CareUSD (the patient's refund held, claimed after the unfreeze); split
withdrawals by a member, by the residual, and a distribution.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carepay import codes
from carepay.signing import sign_receive_authorization
from carepay.deployment import Parties, deploy_suite, grant_operating_roles, mint, period_schedule

UNIT = 10**6
DAY = 86_400
RATE_SCALE = 10**18
PERIOD_SECONDS = 30 * DAY
CHRONIC = codes.service_type(codes.CHRONIC_CARE)
DIGITAL_TWIN = codes.service_type(codes.DIGITAL_TWIN_STAGE)
MONTHLY_RATE = 300 * UNIT * RATE_SCALE // PERIOD_SECONDS  # not a whole number of units per second
BUDGETS = [50_000 * UNIT, 5_000 * UNIT]
MAX_UINT = 2**256 - 1
REGISTRAR_KEY = b"verify-tests-registrar-key-00001"
TIERS = [10_000, 5_000, 0]
#: The two fee-for-service visits at institution A: (payer: patient 0 or the fund, charge in units).
FEE_FOR_SERVICE_VISITS = (("patient", 45 * UNIT + 7), ("fund", 12 * UNIT + 1))
FEE_FOR_SERVICE_CHARGES = sum(charge for _, charge in FEE_FOR_SERVICE_VISITS)


@dataclass
class History:
    suite: object
    deploy_block: int
    program_id: int
    admin: object
    fund: object
    supervisor: object
    arbiter: object
    institutions: list
    practitioners: list
    patients: list
    patient_ids: list
    lab: object
    splits: list
    split_recipients: list
    streams: dict = field(default_factory=dict)  # name -> stream id
    episodes: dict = field(default_factory=dict)  # name -> (episode id, terms)

    def addresses(self) -> dict[str, str]:
        return self.suite.addresses()


def _split(router, regulator, admin, institution, shares: dict, residual) -> tuple[bytes, list[str]]:
    pairs = sorted(((str(a.address), share) for a, share in shares.items()), key=lambda p: int(p[0], 16))
    recipients = [address for address, _ in pairs]
    allocations = [share for _, share in pairs]
    residual_index = recipients.index(str(residual.address))
    router.createSplit(recipients, allocations, residual_index, sender=admin)
    split_id = router.computeSplitId(recipients, allocations, residual_index)
    regulator.setPayeeApproval(split_id, True, sender=institution)
    return split_id, recipients


def deploy_world(accounts, chain, project) -> History:
    lab, vendor = accounts.generate_test_account(), accounts.generate_test_account()
    for account in (lab, vendor):
        accounts[0].transfer(account, 10**19)  # gas money
    parties = Parties(
        admin=accounts[0], fund=accounts[1], supervisor=accounts[2], arbiter=accounts[3],
        institutions=[accounts[4], accounts[5]], practitioners=[accounts[6], accounts[7]],
        patients=[accounts[8], accounts[9]],
    )
    admin, fund = parties.admin, parties.fund
    deploy_block = chain.blocks.head.number + 1
    suite = deploy_suite(project, admin, admin_delay=0)
    grant_operating_roles(suite, parties)
    regulator, token, router = suite.regulator, suite.token, suite.router
    token.grantRole(token.FREEZER_ROLE(), admin, sender=admin)
    regulator.createProgram(fund, period_schedule(chain.blocks.head.timestamp, PERIOD_SECONDS, "seconds"), sender=admin)
    program_id = regulator.programCount()
    regulator.setCoverage(program_id, CHRONIC, (True, False, 8_000, 30 * UNIT, 2_000 * UNIT), sender=admin)
    regulator.setCoverage(program_id, DIGITAL_TWIN, (True, True, 7_000, 50 * UNIT, 1_200 * UNIT), sender=admin)
    for institution, region, budget in zip(parties.institutions, (1, 2), BUDGETS):
        regulator.registerInstitution(institution, region, sender=admin)
        regulator.setDefaultBudget(program_id, institution, budget, sender=admin)
    for practitioner, institution in zip(parties.practitioners, parties.institutions):
        regulator.registerPractitioner(practitioner, institution, 1_000, sender=admin)
    patient_ids = [codes.patient_id(REGISTRAR_KEY, f"patient-{i:04d}") for i in range(2)]
    for pid, account in zip(patient_ids, parties.patients):
        regulator.registerPatient(pid, account, program_id, 1, sender=admin)
    inst_a, inst_b = parties.institutions
    doc_a, doc_b = parties.practitioners
    split_a, recipients_a = _split(
        router, regulator, admin, inst_a,
        {inst_a: 600_000, doc_a: 250_000, vendor: 100_000, parties.patients[0]: 50_000}, inst_a,
    )
    split_b, recipients_b = _split(
        router, regulator, admin, inst_b, {inst_b: 333_334, doc_b: 333_333, vendor: 333_333}, vendor,
    )
    mint(suite, admin, fund, 1_000_000 * UNIT)
    for patient in parties.patients:
        mint(suite, admin, patient, 100_000 * UNIT)
    for payer in [fund, *parties.patients]:
        for module in suite.modules:
            token.approve(module, MAX_UINT, sender=payer)
    return History(
        suite=suite, deploy_block=deploy_block, program_id=program_id, admin=admin, fund=fund,
        supervisor=parties.supervisor, arbiter=parties.arbiter, institutions=parties.institutions,
        practitioners=parties.practitioners, patients=parties.patients, patient_ids=patient_ids, lab=lab,
        splits=[split_a, split_b], split_recipients=[recipients_a, recipients_b],
    )


def _advance(chain, seconds: int) -> None:
    chain.pending_timestamp = chain.pending_timestamp + seconds


def _stream_params(h: History, patient: int, institution: int, deposit: int, start: int = 0, end: int = 0) -> tuple:
    return (
        h.program_id, h.patient_ids[patient], h.institutions[institution], h.practitioners[institution], CHRONIC,
        h.splits[institution], MONTHLY_RATE, start, end, deposit,
    )


def _terms(h: History, chain, patient: int, institution: int, amounts: list[int], gap: int = 10 * DAY) -> tuple:
    now = chain.pending_timestamp
    milestones = [(amount, now + gap * (i + 1)) for i, amount in enumerate(amounts)]
    outcome = ([str(h.practitioners[institution].address), str(h.lab.address)], 1, TIERS, DAY, 2 * DAY)
    return (h.program_id, h.patient_ids[patient], h.splits[institution], milestones, outcome)


def _open_episode(h: History, chain, name: str, patient: int, institution: int, amounts: list[int], sender) -> None:
    escrow = h.suite.escrow
    terms = _terms(h, chain, patient, institution, amounts)
    episode_id = escrow.nextEpisodeId()
    escrow.createEpisode(
        (h.institutions[institution], h.practitioners[institution], DIGITAL_TWIN, terms), sender=sender,
    )
    h.episodes[name] = (episode_id, terms)


def _create_signed_stream(h: History, chain, patient: int, deposit: int) -> None:
    """The patient signs an EIP-3009 authorization of its share; someone else submits the stream."""
    stream, token, account = h.suite.stream, h.suite.token, h.patients[patient]
    params = _stream_params(h, patient, 0, deposit)
    quote = h.suite.regulator.quote(h.program_id, h.patient_ids[patient], CHRONIC, deposit)
    salt = b"\x5a" * 32
    valid_before = chain.pending_timestamp + 3_600
    nonce = stream.authorizationNonce(params, salt)
    signature = sign_receive_authorization(
        account.private_key, token.address, chain.chain_id, account, stream.address, quote.patientShare, 0, valid_before, nonce
    )
    h.streams["signed"] = stream.nextStreamId()
    stream.createWithAuthorization(
        params, (quote.patientShare, 0, valid_before, salt, signature.signature), sender=h.admin,
    )


def run_history(h: History, chain) -> None:
    stream, escrow, router, regulator = h.suite.stream, h.suite.escrow, h.suite.router, h.suite.regulator
    keeper = h.admin
    p1, p2 = h.patients

    # Period 0: two streams at institution A, one by the patient, one by the fund; episodes at A and B.
    h.streams["yearly"] = stream.nextStreamId()
    stream.create(_stream_params(h, 0, 0, 500 * UNIT + 7), sender=p1)
    h.streams["short"] = stream.nextStreamId()
    stream.create(_stream_params(h, 1, 0, 100 * UNIT + 3), sender=h.fund)
    _create_signed_stream(h, chain, 1, 200 * UNIT + 1)
    h.streams["insolvent"] = stream.nextStreamId()  # runs past its deposit: debt written off at cancel
    stream.create(_stream_params(h, 0, 0, 20 * UNIT + 9), sender=p1)
    h.streams["ending"] = stream.nextStreamId()  # starts tomorrow, ends three days later
    start = chain.pending_timestamp + DAY
    stream.create(_stream_params(h, 1, 0, 100 * UNIT + 11, start=start, end=start + 3 * DAY), sender=p2)
    # Fee-for-service follow-ups at A: one paid by the patient, one by the fund (within the deductible left).
    ffs = h.suite.fee_for_service
    for payer, charge in FEE_FOR_SERVICE_VISITS:
        visit = (h.program_id, h.patient_ids[0], h.institutions[0], h.practitioners[0], CHRONIC,
                 h.splits[0], charge, codes.evidence_hash(f"visit-{charge}".encode()))
        ffs.pay(visit, sender=p1 if payer == "patient" else h.fund)
    _open_episode(h, chain, "twin", 0, 0, [400 * UNIT + 1, 250 * UNIT + 3], p1)
    _open_episode(h, chain, "expiring", 1, 0, [120 * UNIT + 5], h.fund)
    _open_episode(h, chain, "frozen", 1, 1, [333 * UNIT + 3], p2)

    _advance(chain, 3 * DAY)
    stream.withdraw(h.streams["yearly"], sender=keeper)
    stream.pause(h.streams["short"], sender=p2)
    twin_id, twin_terms = h.episodes["twin"]
    escrow.attest(twin_id, twin_terms, 0, b"\x01" * 32, sender=h.lab)
    frozen_id, frozen_terms = h.episodes["frozen"]
    escrow.attest(frozen_id, frozen_terms, 1, b"\x02" * 32, sender=h.practitioners[1])

    _advance(chain, 2 * DAY)
    stream.resume(h.streams["short"], sender=h.fund)
    escrow.settle(twin_id, twin_terms, sender=keeper)  # milestone 0 at 100%
    regulator.setInstitutionFrozen(h.institutions[1], True, sender=h.supervisor)
    escrow.settle(frozen_id, frozen_terms, sender=keeper)  # payout held, refund flows
    escrow.attest(twin_id, twin_terms, 0, b"\x03" * 32, sender=h.practitioners[0])
    escrow.dispute(twin_id, twin_terms, b"\x04" * 32, sender=p1)

    _advance(chain, DAY)
    # The final milestone at 50% while p1's account is frozen in CareUSD: p1's refund is held, then claimed.
    h.suite.token.freeze(p1, sender=h.admin)
    escrow.resolve(twin_id, twin_terms, 1, b"\x05" * 32, sender=h.arbiter)
    h.suite.token.unfreeze(p1, sender=h.admin)
    escrow.claimRefund(p1, sender=keeper)
    regulator.setInstitutionFrozen(h.institutions[1], False, sender=h.supervisor)
    escrow.payOwed(frozen_id, frozen_terms, sender=keeper)

    _advance(chain, 5 * DAY)
    expiring_id, expiring_terms = h.episodes["expiring"]
    escrow.refundExpired(expiring_id, expiring_terms, sender=keeper)
    stream.cancel(h.streams["short"], sender=h.fund)  # pro-rata settlement
    stream.cancel(h.streams["insolvent"], sender=p1)
    stream.withdraw(h.streams["ending"], sender=keeper)
    stream.cancel(h.streams["ending"], sender=p2)  # ended: returns what did not stream
    # A cancel under freezes: the care team's part is held (institution frozen at the Regulator) and the
    # patient's refund is held (account frozen in CareUSD); both are paid once the freezes are lifted.
    h.suite.token.freeze(p2, sender=h.admin)
    regulator.setInstitutionFrozen(h.institutions[0], True, sender=h.supervisor)
    stream.cancel(h.streams["signed"], sender=p2)  # the patient, its own stream's sender
    regulator.setInstitutionFrozen(h.institutions[0], False, sender=h.supervisor)
    h.suite.token.unfreeze(p2, sender=h.admin)
    stream.claimRefund(p2, sender=keeper)
    stream.withdraw(h.streams["signed"], sender=keeper)

    # Period 1: a top-up renews the yearly stream's reservation; a member, the residual and a distribution.
    _advance(chain, 25 * DAY)
    stream.topUp(h.streams["yearly"], 200 * UNIT + 1, sender=p1)
    router.withdraw(h.splits[0], h.practitioners[0], sender=keeper)
    router.withdraw(h.splits[0], h.institutions[0], sender=keeper)
    _advance(chain, 10 * DAY)
    stream.withdraw(h.streams["yearly"], sender=keeper)
    router.distribute(h.splits[0], sender=keeper)
    router.distribute(h.splits[1], sender=keeper)
