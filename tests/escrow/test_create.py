"""createEpisode: validation of the terms, the Regulator's rules, and what is pulled and stored."""

import ape
import pytest
from eth_utils import to_checksum_address

from escrow_helpers import (
    BUDGET,
    DAY,
    DIGITAL_TWIN,
    OTHER_PATIENT_ID,
    UNIT,
    block_time,
    cost_sharing,
    terms_hash,
)
from escrow_model import ACTIVE, PENDING

ZERO = "0x0000000000000000000000000000000000000000"


# ---- constructor ------------------------------------------------------------------------------


def test_constructor__sets_token_regulator_router_and_first_id(escrow, token, regulator, router):
    assert escrow.token() == token.address
    assert escrow.regulator() == regulator.address
    assert escrow.router() == router.address
    assert escrow.nextEpisodeId() == 1
    assert escrow.MAX_MILESTONES() == 12
    assert escrow.MAX_ATTESTORS() == 8
    assert escrow.MAX_TIERS() == 4
    assert escrow.BPS_SCALE() == 10_000


def test_constructor__zero_regulator__reverts(project, admin, token, router, escrow):
    with ape.reverts(escrow.OutcomeEscrow_RegulatorZeroAddress):
        admin.deploy(project.OutcomeEscrow, token, ZERO, router)


def test_constructor__zero_router__reverts(project, admin, token, regulator, escrow):
    with ape.reverts(escrow.OutcomeEscrow_RouterZeroAddress):
        admin.deploy(project.OutcomeEscrow, token, regulator, ZERO)


def test_constructor__token_other_than_routers__reverts(project, admin, token, regulator, router, escrow):
    other = admin.deploy(project.CareUSD, 0, admin)
    with ape.reverts(escrow.OutcomeEscrow_TokenMismatch, token=other.address, routerToken=token.address):
        admin.deploy(project.OutcomeEscrow, other, regulator, router)


# ---- success ----------------------------------------------------------------------------------


def test_create__by_patient__pulls_both_shares_and_stores_the_episode(
    chain, escrow, token, regulator, fund, patient, institution, practitioner, open_episode
):
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)
    reservations_before = regulator.reservationCount()

    episode = open_episode()

    charge = 6_000 * UNIT
    fund_share, patient_share = cost_sharing(charge)
    assert fund_share + patient_share == charge
    assert token.balanceOf(fund) == fund_before - fund_share
    assert token.balanceOf(patient) == patient_before - patient_share
    assert token.balanceOf(escrow) == charge
    assert escrow.nextEpisodeId() == episode.id + 1 == 2
    reservation_id = reservations_before + 1

    (log,) = escrow.EpisodeCreated.from_receipt(episode.receipt)
    assert log.episodeId == episode.id
    assert log.reservationId == reservation_id
    assert log.initiator == patient.address
    assert log.institution == institution.address
    assert log.practitioner == practitioner.address
    assert log.serviceType == DIGITAL_TWIN
    assert log.termsHash == terms_hash(episode.terms)
    assert _as_tuple(log.terms) == _normalise(episode.terms)
    assert log.fundShare == fund_share
    assert log.patientShare == patient_share

    stored = escrow.getEpisode(episode.id)
    assert stored.termsHash == terms_hash(episode.terms) == escrow.hashTerms(episode.terms)
    assert tuple(stored.ledger) == (fund_share, patient_share, 0, 0)
    assert stored.owed == 0
    progress = stored.progress
    assert progress.status == ACTIVE
    assert progress.milestoneCount == 3
    assert progress.milestoneIndex == 0
    assert progress.milestoneStatus == PENDING
    assert progress.deadline == episode.terms[3][0][1]
    assert progress.reservationId == reservation_id
    assert (progress.attestedMask, progress.tierVotes, progress.settledTiers) == (0, 0, 0)

    reservation = regulator.getReservation(reservation_id)
    assert reservation.module == escrow.address
    assert reservation.fundReserved == fund_share
    assert reservation.patientReserved == patient_share


def test_create__by_fund_operator__pulls_from_fund_and_patient_accounts(
    escrow, token, fund, patient, operator, open_episode
):
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)
    episode = open_episode(sender=operator)
    (log,) = escrow.EpisodeCreated.from_receipt(episode.receipt)
    assert log.initiator == operator.address
    assert token.balanceOf(fund) == fund_before - episode.model.fund_in
    assert token.balanceOf(patient) == patient_before - episode.model.patient_in


def test_create__single_outcome_milestone_with_max_lists__succeeds(
    escrow, accounts, open_episode, chain
):
    attestors = [accounts.generate_test_account() for _ in range(8)]
    now = chain.pending_timestamp
    episode = open_episode(
        amounts=[1] * 12,
        deadlines=[now + DAY * (i + 1) for i in range(12)],
        attestors=attestors,
        threshold=8,
        tiers=[10_000, 7_500, 2_500, 0],
    )
    assert escrow.getEpisode(episode.id).progress.milestoneCount == 12
    # 12 units: entirely below the deductible, so the patient pays everything.
    assert (episode.model.fund_in, episode.model.patient_in) == (0, 12)


def test_create__charge_within_deductible__pulls_nothing_from_the_fund(escrow, token, fund, open_episode):
    fund_before = token.balanceOf(fund)
    episode = open_episode(amounts=[40 * UNIT])
    assert episode.model.fund_in == 0
    assert token.balanceOf(fund) == fund_before
    assert token.balanceOf(escrow) == 40 * UNIT


# ---- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 13])
def test_create__milestone_count_out_of_range__reverts(escrow, patient, chain, make_terms, create_params, count):
    now = chain.pending_timestamp
    terms = make_terms(amounts=[UNIT] * count, deadlines=[now + DAY * (i + 1) for i in range(count)])
    with ape.reverts(escrow.OutcomeEscrow_MilestoneCountOutOfRange, count=count, max=12):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__zero_milestone_amount__reverts(escrow, patient, make_terms, create_params):
    terms = make_terms(amounts=[UNIT, 0, UNIT])
    with ape.reverts(escrow.OutcomeEscrow_MilestoneAmountZero, index=1):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__first_deadline_now__reverts(escrow, patient, chain, make_terms, create_params):
    now = chain.pending_timestamp + 100
    terms = make_terms(amounts=[UNIT], deadlines=[now])
    chain.pending_timestamp = now
    with ape.reverts(escrow.OutcomeEscrow_DeadlineNotInFuture, index=0, deadline=now, currentTime=now):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__deadlines_not_increasing__reverts(escrow, patient, chain, make_terms, create_params):
    now = chain.pending_timestamp
    deadlines = [now + 10 * DAY, now + 20 * DAY, now + 20 * DAY]
    terms = make_terms(deadlines=deadlines)
    with ape.reverts(
        escrow.OutcomeEscrow_DeadlinesNotIncreasing, index=2, previousDeadline=now + 20 * DAY, deadline=now + 20 * DAY
    ):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__charge_above_128_bits__reverts(escrow, patient, make_terms, create_params):
    terms = make_terms(amounts=[2**127, 2**127])
    with ape.reverts(escrow.OutcomeEscrow_ChargeOverflow, charge=2**128):
        escrow.createEpisode(create_params(terms), sender=patient)


@pytest.mark.parametrize("count", [0, 9])
def test_create__attestor_count_out_of_range__reverts(escrow, patient, accounts, make_terms, create_params, count):
    attestors = [accounts.generate_test_account() for _ in range(count)]
    terms = make_terms(attestors=attestors, threshold=1)
    with ape.reverts(escrow.OutcomeEscrow_AttestorCountOutOfRange, count=count, max=8):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__zero_attestor__reverts(escrow, patient, clinician, make_terms, create_params):
    terms = make_terms(attestors=[clinician, ZERO])
    with ape.reverts(escrow.OutcomeEscrow_AttestorZeroAddress, index=1):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__duplicate_attestor__reverts(escrow, patient, clinician, laboratory, make_terms, create_params):
    terms = make_terms(attestors=[clinician, laboratory, clinician])
    with ape.reverts(escrow.OutcomeEscrow_AttestorDuplicate, index=2, attestor=clinician.address):
        escrow.createEpisode(create_params(terms), sender=patient)


@pytest.mark.parametrize("threshold", [0, 3])
def test_create__threshold_out_of_range__reverts(escrow, patient, make_terms, create_params, threshold):
    terms = make_terms(threshold=threshold)
    with ape.reverts(escrow.OutcomeEscrow_ThresholdOutOfRange, threshold=threshold, attestorCount=2):
        escrow.createEpisode(create_params(terms), sender=patient)


@pytest.mark.parametrize("tiers", [[], [10_000, 7_500, 5_000, 2_500, 0]])
def test_create__tier_count_out_of_range__reverts(escrow, patient, make_terms, create_params, tiers):
    terms = make_terms(tiers=tiers)
    with ape.reverts(escrow.OutcomeEscrow_TierCountOutOfRange, count=len(tiers), max=4):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__first_tier_above_100_percent__reverts(escrow, patient, make_terms, create_params):
    terms = make_terms(tiers=[10_001, 0])
    with ape.reverts(escrow.OutcomeEscrow_TierAboveScale, tierBps=10_001, scale=10_000):
        escrow.createEpisode(create_params(terms), sender=patient)


@pytest.mark.parametrize("tiers, index", [([10_000, 5_000, 5_000], 2), ([5_000, 6_000], 1)])
def test_create__tiers_not_strictly_descending__reverts(escrow, patient, make_terms, create_params, tiers, index):
    terms = make_terms(tiers=tiers)
    with ape.reverts(
        escrow.OutcomeEscrow_TiersNotDescending, index=index, previousBps=tiers[index - 1], tierBps=tiers[index]
    ):
        escrow.createEpisode(create_params(terms), sender=patient)


def test_create__zero_challenge_window__reverts(escrow, patient, make_terms, create_params):
    with ape.reverts(escrow.OutcomeEscrow_ChallengeWindowZero):
        escrow.createEpisode(create_params(make_terms(challenge_window=0)), sender=patient)


def test_create__zero_arbitration_window__reverts(escrow, patient, make_terms, create_params):
    with ape.reverts(escrow.OutcomeEscrow_ArbitrationWindowZero):
        escrow.createEpisode(create_params(make_terms(arbitration_window=0)), sender=patient)


def test_create__unknown_split__reverts(escrow, patient, make_terms, create_params):
    unknown = b"\x42" * 32
    with ape.reverts(escrow.OutcomeEscrow_SplitNotFound, splitId=unknown):
        escrow.createEpisode(create_params(make_terms(split=unknown)), sender=patient)


# ---- the Regulator's refusals propagate and nothing changes -----------------------------------


def _assert_nothing_changed(escrow, token, regulator, fund, patient, before):
    assert (
        escrow.nextEpisodeId(),
        token.balanceOf(escrow),
        token.balanceOf(fund),
        token.balanceOf(patient),
        regulator.reservationCount(),
    ) == before


def _snapshot(escrow, token, regulator, fund, patient):
    return (
        escrow.nextEpisodeId(),
        token.balanceOf(escrow),
        token.balanceOf(fund),
        token.balanceOf(patient),
        regulator.reservationCount(),
    )


def test_create__outsider_initiator__reverts_with_regulator_error(
    escrow, token, regulator, fund, patient, outsider, program_id, make_terms, create_params
):
    from escrow_helpers import PATIENT_ID

    before = _snapshot(escrow, token, regulator, fund, patient)
    with ape.reverts(
        regulator.Regulator_UnauthorizedInitiator, programId=program_id, patientId=PATIENT_ID, initiator=outsider.address
    ):
        escrow.createEpisode(create_params(make_terms()), sender=outsider)
    _assert_nothing_changed(escrow, token, regulator, fund, patient, before)


def test_create__institution_frozen__reverts_with_regulator_error(
    escrow, token, regulator, admin, fund, patient, institution, make_terms, create_params
):
    regulator.setInstitutionFrozen(institution, True, sender=admin)
    before = _snapshot(escrow, token, regulator, fund, patient)
    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=institution.address):
        escrow.createEpisode(create_params(make_terms()), sender=patient)
    _assert_nothing_changed(escrow, token, regulator, fund, patient, before)


def test_create__payee_not_approved__reverts_with_regulator_error(
    escrow, token, regulator, fund, patient, institution, split_id, make_terms, create_params
):
    regulator.setPayeeApproval(split_id, False, sender=institution)
    before = _snapshot(escrow, token, regulator, fund, patient)
    with ape.reverts(regulator.Regulator_PayeeNotApproved, institution=institution.address, payee=split_id):
        escrow.createEpisode(create_params(make_terms()), sender=patient)
    _assert_nothing_changed(escrow, token, regulator, fund, patient, before)


def test_create__unregistered_patient__reverts_with_regulator_error(
    escrow, token, regulator, fund, patient, operator, make_terms, create_params
):
    before = _snapshot(escrow, token, regulator, fund, patient)
    with ape.reverts(regulator.Regulator_PatientNotRegistered, patientId=OTHER_PATIENT_ID):
        escrow.createEpisode(create_params(make_terms(patient_id=OTHER_PATIENT_ID)), sender=operator)
    _assert_nothing_changed(escrow, token, regulator, fund, patient, before)


def test_create__over_the_institution_budget__reverts_with_regulator_error(
    escrow, token, regulator, fund, patient, make_terms, create_params
):
    charge = BUDGET * 2
    before = _snapshot(escrow, token, regulator, fund, patient)
    with ape.reverts(regulator.Regulator_BudgetExceeded):
        escrow.createEpisode(create_params(make_terms(amounts=[charge])), sender=patient)
    _assert_nothing_changed(escrow, token, regulator, fund, patient, before)


def test_create__patient_did_not_approve__reverts_with_token_error(
    escrow, token, regulator, fund, patient, make_terms, create_params
):
    token.approve(escrow, 0, sender=patient)
    charge = 6_000 * UNIT
    _, patient_share = cost_sharing(charge)
    before = _snapshot(escrow, token, regulator, fund, patient)
    with ape.reverts(token.ERC20InsufficientAllowance, spender=escrow.address, allowance=0, needed=patient_share):
        escrow.createEpisode(create_params(make_terms()), sender=patient)
    _assert_nothing_changed(escrow, token, regulator, fund, patient, before)


# ---- helpers ----------------------------------------------------------------------------------


def _normalise(terms):
    program, patient_id, split, milestones, outcome = terms
    attestors, threshold, tiers, challenge, arbitration = outcome
    return (
        program,
        bytes(patient_id),
        bytes(split),
        tuple(tuple(m) for m in milestones),
        (tuple(attestors), threshold, tuple(tiers), challenge, arbitration),
    )


def _as_tuple(value):
    """A decoded struct (ape gives structs as tuple-like objects) as nested plain tuples."""
    if isinstance(value, str):
        return to_checksum_address(value)
    if isinstance(value, (bytes, int)):
        return value
    if hasattr(value, "items") and not isinstance(value, (list, tuple)):
        value = list(value.values()) if hasattr(value, "values") else list(value)
    return tuple(_as_tuple(v) for v in value)
