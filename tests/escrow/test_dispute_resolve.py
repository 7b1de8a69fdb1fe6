"""dispute and resolve: a payer challenges an attested tier in time; the Regulator's arbiter decides in time."""

import ape
import pytest

from escrow_helpers import ARBITRATION_WINDOW, CHALLENGE_WINDOW, block_time
from escrow_model import ATTESTED, COMPLETED, DISPUTED, PENDING, SETTLED

REASON = b"\xd1" * 32
RULING = b"\xa1" * 32


@pytest.fixture
def attested(chain, open_episode, attest_all, clinician, laboratory):
    """An episode whose first milestone was attested at full payout; returns (episode, challengeEnds)."""
    episode = open_episode()
    receipt = attest_all(episode, [clinician, laboratory], tier=0)
    return episode, block_time(chain, receipt) + CHALLENGE_WINDOW


@pytest.fixture
def disputed(chain, escrow, attested, patient):
    """The attested episode, disputed by the patient; returns (episode, arbitrationEnds)."""
    episode, _ = attested
    receipt = escrow.dispute(episode.id, episode.terms, REASON, sender=patient)
    return episode, block_time(chain, receipt) + ARBITRATION_WINDOW


# ---- dispute ----------------------------------------------------------------------------------


@pytest.mark.parametrize("payer", ["patient", "fund", "operator"])
def test_dispute__by_a_payer_in_the_window__starts_arbitration(chain, escrow, attested, request, payer):
    episode, challenge_ends = attested
    account = request.getfixturevalue(payer)
    chain.pending_timestamp = challenge_ends - 1
    receipt = escrow.dispute(episode.id, episode.terms, REASON, sender=account)

    arbitration_ends = block_time(chain, receipt) + ARBITRATION_WINDOW
    (log,) = escrow.Disputed.from_receipt(receipt)
    assert (log.episodeId, log.milestoneIndex, log.disputer) == (episode.id, 0, account.address)
    assert (log.reasonHash, log.arbitrationEnds) == (REASON, arbitration_ends)
    assert escrow.currentMilestone(episode.id) == (0, DISPUTED, 0, arbitration_ends)


@pytest.mark.parametrize("caller", ["outsider", "clinician", "institution"])
def test_dispute__not_a_payer__reverts(escrow, attested, request, caller):
    episode, _ = attested
    account = request.getfixturevalue(caller)
    with ape.reverts(escrow.OutcomeEscrow_NotPayer, episodeId=episode.id, caller=account.address):
        escrow.dispute(episode.id, episode.terms, REASON, sender=account)


def test_dispute__at_the_end_of_the_challenge_window__reverts(chain, escrow, attested, patient):
    episode, challenge_ends = attested
    chain.pending_timestamp = challenge_ends
    with ape.reverts(
        escrow.OutcomeEscrow_ChallengeWindowOver,
        episodeId=episode.id,
        milestoneIndex=0,
        challengeEnds=challenge_ends,
        currentTime=challenge_ends,
    ):
        escrow.dispute(episode.id, episode.terms, REASON, sender=patient)


def test_dispute__pending_milestone__reverts(escrow, open_episode, patient):
    episode = open_episode()
    with ape.reverts(
        escrow.OutcomeEscrow_WrongMilestoneStatus, episodeId=episode.id, milestoneIndex=0, status=PENDING, expected=ATTESTED
    ):
        escrow.dispute(episode.id, episode.terms, REASON, sender=patient)


def test_dispute__already_disputed__reverts(escrow, disputed, fund):
    episode, _ = disputed
    with ape.reverts(
        escrow.OutcomeEscrow_WrongMilestoneStatus, episodeId=episode.id, milestoneIndex=0, status=DISPUTED, expected=ATTESTED
    ):
        escrow.dispute(episode.id, episode.terms, REASON, sender=fund)


def test_dispute__completed_episode__reverts(chain, escrow, patient, outsider, clinician, open_episode, attest_all):
    episode = open_episode(amounts=[1_000_000], attestors=[clinician], threshold=1)
    receipt = attest_all(episode, [clinician])
    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    escrow.settle(episode.id, episode.terms, sender=outsider)
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotActive, episodeId=episode.id, status=COMPLETED):
        escrow.dispute(episode.id, episode.terms, REASON, sender=patient)


# ---- resolve ----------------------------------------------------------------------------------


def test_resolve__by_the_arbiter__settles_at_the_ruled_tier(chain, escrow, token, router, split_id, disputed, arbiter):
    episode, arbitration_ends = disputed
    split_before = router.totalReceived(split_id)
    chain.pending_timestamp = arbitration_ends - 1
    receipt = escrow.resolve(episode.id, episode.terms, 1, RULING, sender=arbiter)

    (log,) = escrow.Resolved.from_receipt(receipt)
    assert (log.episodeId, log.milestoneIndex, log.arbiter, log.tierIndex, log.evidenceHash) == (
        episode.id,
        0,
        arbiter.address,
        1,
        RULING,
    )
    expected = episode.model.settle(1, frozen=False)
    (settled,) = escrow.MilestoneSettled.from_receipt(receipt)
    assert (settled.milestoneIndex, settled.tierIndex, settled.payout) == (0, 1, expected.payout)
    assert (settled.fundPayout, settled.fundRefund, settled.patientRefund) == (
        expected.fund_payout,
        expected.fund_refund,
        expected.patient_refund,
    )
    assert bool(settled.payoutHeld) is False
    assert router.totalReceived(split_id) == split_before + expected.payout
    assert escrow.milestoneState(episode.id, 0) == (SETTLED, 1)
    assert escrow.currentMilestone(episode.id) == (1, PENDING, 0, episode.terms[3][1][1])


def test_resolve__not_an_arbiter__reverts(escrow, disputed, patient):
    episode, _ = disputed
    with ape.reverts(escrow.OutcomeEscrow_NotArbiter, caller=patient.address):
        escrow.resolve(episode.id, episode.terms, 0, RULING, sender=patient)


def test_resolve__not_disputed__reverts(escrow, attested, arbiter):
    episode, _ = attested
    with ape.reverts(
        escrow.OutcomeEscrow_WrongMilestoneStatus, episodeId=episode.id, milestoneIndex=0, status=ATTESTED, expected=DISPUTED
    ):
        escrow.resolve(episode.id, episode.terms, 0, RULING, sender=arbiter)


def test_resolve__at_the_arbitration_deadline__reverts(chain, escrow, disputed, arbiter):
    episode, arbitration_ends = disputed
    chain.pending_timestamp = arbitration_ends
    with ape.reverts(
        escrow.OutcomeEscrow_ArbitrationDeadlinePassed,
        episodeId=episode.id,
        milestoneIndex=0,
        arbitrationEnds=arbitration_ends,
        currentTime=arbitration_ends,
    ):
        escrow.resolve(episode.id, episode.terms, 0, RULING, sender=arbiter)


def test_resolve__tier_out_of_range__reverts(escrow, disputed, arbiter):
    episode, _ = disputed
    with ape.reverts(escrow.OutcomeEscrow_TierOutOfRange, episodeId=episode.id, tierIndex=4, tierCount=3):
        escrow.resolve(episode.id, episode.terms, 4, RULING, sender=arbiter)


def test_resolve__disputed_milestone_cannot_be_settled_by_anyone(chain, escrow, disputed, outsider):
    episode, arbitration_ends = disputed
    chain.pending_timestamp = arbitration_ends
    with ape.reverts(
        escrow.OutcomeEscrow_WrongMilestoneStatus, episodeId=episode.id, milestoneIndex=0, status=DISPUTED, expected=ATTESTED
    ):
        escrow.settle(episode.id, episode.terms, sender=outsider)
