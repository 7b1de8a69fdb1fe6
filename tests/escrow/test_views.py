"""Views: unknown episodes, milestone states across the life cycle, refundable amounts."""

import ape
import pytest

from escrow_helpers import ARBITRATION_WINDOW, CHALLENGE_WINDOW, block_time, terms_hash
from escrow_model import ATTESTED, DISPUTED, M_REFUNDED, PENDING, SETTLED


@pytest.mark.parametrize(
    "view, args",
    [
        ("getEpisode", ()),
        ("currentMilestone", ()),
        ("milestoneState", (0,)),
        ("attestationCounts", ()),
        ("refundable", ()),
        ("owed", ()),
    ],
)
def test_view__unknown_episode__reverts(escrow, view, args):
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotFound, episodeId=5):
        getattr(escrow, view)(5, *args)


def test_milestone_state__index_beyond_the_episode__reverts(escrow, open_episode):
    episode = open_episode()
    with ape.reverts(escrow.OutcomeEscrow_MilestoneOutOfRange, episodeId=episode.id, milestoneIndex=3, milestoneCount=3):
        escrow.milestoneState(episode.id, 3)


def test_milestone_state__later_milestones_wait_while_active(escrow, open_episode):
    episode = open_episode()
    assert [escrow.milestoneState(episode.id, i) for i in range(3)] == [(PENDING, 0)] * 3


def test_hash_terms__matches_the_abi_encoding_hash(escrow, make_terms):
    terms = make_terms()
    assert escrow.hashTerms(terms) == terms_hash(terms)


def test_refundable__only_once_the_current_phase_expired(
    chain, escrow, patient, clinician, laboratory, open_episode, attest_all
):
    episode = open_episode()
    assert escrow.refundable(episode.id) == (0, 0)
    chain.pending_timestamp = episode.terms[3][0][1]
    chain.mine()
    assert escrow.refundable(episode.id) == (episode.model.fund_in, episode.model.patient_in)


def test_refundable__zero_while_attested_and_after_arbitration_expiry_everything(
    chain, escrow, patient, clinician, laboratory, outsider, open_episode, attest_all
):
    episode = open_episode()
    receipt = attest_all(episode, [clinician, laboratory])
    challenge_ends = block_time(chain, receipt) + CHALLENGE_WINDOW
    chain.pending_timestamp = challenge_ends
    chain.mine()
    assert escrow.currentMilestone(episode.id) == (0, ATTESTED, 0, challenge_ends)
    assert escrow.refundable(episode.id) == (0, 0)

    episode2 = open_episode()
    receipt = attest_all(episode2, [clinician, laboratory])
    receipt = escrow.dispute(episode2.id, episode2.terms, b"\x01" * 32, sender=patient)
    arbitration_ends = block_time(chain, receipt) + ARBITRATION_WINDOW
    assert escrow.currentMilestone(episode2.id) == (0, DISPUTED, 0, arbitration_ends)
    assert escrow.refundable(episode2.id) == (0, 0)
    chain.pending_timestamp = arbitration_ends
    chain.mine()
    assert escrow.refundable(episode2.id) == (episode2.model.fund_in, episode2.model.patient_in)


def test_refundable__zero_once_ended(chain, escrow, outsider, open_episode):
    episode = open_episode()
    chain.pending_timestamp = episode.terms[3][0][1]
    escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    assert escrow.refundable(episode.id) == (0, 0)
    assert escrow.milestoneState(episode.id, 0) == (M_REFUNDED, 0)


def test_milestone_state__records_every_settled_tier(
    chain, escrow, outsider, clinician, open_episode, attest_all
):
    now = chain.pending_timestamp
    tiers = [3, 0, 2, 1, 3, 2, 0, 1, 3, 3, 2, 1]
    episode = open_episode(
        amounts=[1_000 + i for i in range(12)],
        deadlines=[now + 30 * 86_400 * (i + 1) for i in range(12)],
        attestors=[clinician],
        threshold=1,
        tiers=[10_000, 6_000, 3_000, 0],
    )
    for index, tier in enumerate(tiers):
        receipt = attest_all(episode, [clinician], tier=tier)
        chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
        escrow.settle(episode.id, episode.terms, sender=outsider)
    assert [escrow.milestoneState(episode.id, i) for i in range(12)] == [(SETTLED, t) for t in tiers]
