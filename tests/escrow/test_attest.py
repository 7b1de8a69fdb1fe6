"""attest: named attestors, k of n on the same tier, before the attestation deadline, once each."""

import ape

from escrow_helpers import CHALLENGE_WINDOW, block_time
from escrow_model import ATTESTED, PENDING, REFUNDED

EVIDENCE = b"\xe1" * 32


def test_attest__first_of_two__counts_the_vote_and_stays_pending(chain, escrow, clinician, open_episode):
    episode = open_episode()
    receipt = escrow.attest(episode.id, episode.terms, 1, EVIDENCE, sender=clinician)

    (log,) = escrow.Attested.from_receipt(receipt)
    assert (log.episodeId, log.milestoneIndex, log.attestor) == (episode.id, 0, clinician.address)
    assert (log.tierIndex, log.evidenceHash, log.votes) == (1, EVIDENCE, 1)
    assert escrow.OutcomeAttested.from_receipt(receipt) == []
    assert escrow.currentMilestone(episode.id) == (0, PENDING, 0, episode.terms[3][0][1])
    mask, votes = escrow.attestationCounts(episode.id)
    assert mask == 0b01
    assert list(votes) == [0, 1, 0, 0]


def test_attest__kth_on_the_same_tier__attests_the_milestone_and_starts_the_challenge_window(
    chain, escrow, clinician, laboratory, open_episode
):
    episode = open_episode()
    escrow.attest(episode.id, episode.terms, 1, EVIDENCE, sender=clinician)
    receipt = escrow.attest(episode.id, episode.terms, 1, b"\xe2" * 32, sender=laboratory)

    challenge_ends = block_time(chain, receipt) + CHALLENGE_WINDOW
    (attested,) = escrow.Attested.from_receipt(receipt)
    assert (attested.attestor, attested.tierIndex, attested.evidenceHash, attested.votes) == (
        laboratory.address,
        1,
        b"\xe2" * 32,
        2,
    )
    (outcome,) = escrow.OutcomeAttested.from_receipt(receipt)
    assert (outcome.episodeId, outcome.milestoneIndex, outcome.tierIndex) == (episode.id, 0, 1)
    assert (outcome.tierBps, outcome.challengeEnds) == (5_000, challenge_ends)
    assert escrow.currentMilestone(episode.id) == (0, ATTESTED, 1, challenge_ends)
    assert escrow.milestoneState(episode.id, 0) == (ATTESTED, 1)


def test_attest__attestors_disagree__no_outcome(escrow, clinician, laboratory, open_episode):
    episode = open_episode()
    escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=clinician)
    receipt = escrow.attest(episode.id, episode.terms, 2, EVIDENCE, sender=laboratory)
    assert escrow.OutcomeAttested.from_receipt(receipt) == []
    mask, votes = escrow.attestationCounts(episode.id)
    assert (mask, list(votes)) == (0b11, [1, 0, 1, 0])
    assert escrow.currentMilestone(episode.id)[1] == PENDING


def test_attest__one_of_one__attests_at_once(chain, escrow, clinician, open_episode):
    episode = open_episode(attestors=[clinician], threshold=1)
    receipt = escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=clinician)
    (outcome,) = escrow.OutcomeAttested.from_receipt(receipt)
    assert outcome.challengeEnds == block_time(chain, receipt) + CHALLENGE_WINDOW


def test_attest__two_of_three__third_attestor_is_too_late(
    escrow, clinician, laboratory, outsider, open_episode
):
    episode = open_episode(attestors=[clinician, laboratory, outsider], threshold=2)
    escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=clinician)
    escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=outsider)
    with ape.reverts(
        escrow.OutcomeEscrow_WrongMilestoneStatus, episodeId=episode.id, milestoneIndex=0, status=ATTESTED, expected=PENDING
    ):
        escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=laboratory)


def test_attest__just_before_the_deadline__succeeds(chain, escrow, clinician, open_episode):
    episode = open_episode(attestors=[clinician], threshold=1)
    chain.pending_timestamp = episode.terms[3][0][1] - 1
    receipt = escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=clinician)
    assert len(escrow.OutcomeAttested.from_receipt(receipt)) == 1


def test_attest__at_the_deadline__reverts(chain, escrow, clinician, open_episode):
    episode = open_episode()
    deadline = episode.terms[3][0][1]
    chain.pending_timestamp = deadline
    with ape.reverts(
        escrow.OutcomeEscrow_AttestationDeadlinePassed,
        episodeId=episode.id,
        milestoneIndex=0,
        deadline=deadline,
        currentTime=deadline,
    ):
        escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=clinician)


def test_attest__not_an_attestor__reverts(escrow, patient, open_episode):
    episode = open_episode()
    with ape.reverts(escrow.OutcomeEscrow_NotAttestor, episodeId=episode.id, caller=patient.address):
        escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=patient)


def test_attest__twice__reverts(escrow, clinician, open_episode):
    episode = open_episode()
    escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=clinician)
    with ape.reverts(
        escrow.OutcomeEscrow_AlreadyAttested, episodeId=episode.id, milestoneIndex=0, attestor=clinician.address
    ):
        escrow.attest(episode.id, episode.terms, 1, EVIDENCE, sender=clinician)


def test_attest__tier_out_of_range__reverts(escrow, clinician, open_episode):
    episode = open_episode()
    with ape.reverts(escrow.OutcomeEscrow_TierOutOfRange, episodeId=episode.id, tierIndex=3, tierCount=3):
        escrow.attest(episode.id, episode.terms, 3, EVIDENCE, sender=clinician)


def test_attest__other_terms__reverts(escrow, clinician, outsider, open_episode, make_terms):
    episode = open_episode()
    # Claims the outsider is an attestor: the hash no longer matches.
    forged = make_terms(attestors=[clinician, outsider], deadlines=[d for _, d in episode.terms[3]])
    with ape.reverts(
        escrow.OutcomeEscrow_TermsMismatch,
        episodeId=episode.id,
        expectedHash=escrow.hashTerms(episode.terms),
        givenHash=escrow.hashTerms(forged),
    ):
        escrow.attest(episode.id, forged, 0, EVIDENCE, sender=outsider)


def test_attest__unknown_episode__reverts(escrow, clinician, make_terms):
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotFound, episodeId=7):
        escrow.attest(7, make_terms(), 0, EVIDENCE, sender=clinician)


def test_attest__refunded_episode__reverts(chain, escrow, clinician, outsider, open_episode):
    episode = open_episode()
    chain.pending_timestamp = episode.terms[3][0][1]
    escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotActive, episodeId=episode.id, status=REFUNDED):
        escrow.attest(episode.id, episode.terms, 0, EVIDENCE, sender=clinician)
