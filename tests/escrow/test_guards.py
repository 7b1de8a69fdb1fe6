"""Guards shared by every state-changing call: the episode must exist and the terms must be its own."""

import ape
import pytest
from escrow_helpers import CHALLENGE_WINDOW, block_time

CALLS = {
    "attest": lambda escrow, episode_id, terms, who: escrow.attest(episode_id, terms, 0, b"\x01" * 32, sender=who),
    "dispute": lambda escrow, episode_id, terms, who: escrow.dispute(episode_id, terms, b"\x01" * 32, sender=who),
    "resolve": lambda escrow, episode_id, terms, who: escrow.resolve(episode_id, terms, 0, b"\x01" * 32, sender=who),
    "settle": lambda escrow, episode_id, terms, who: escrow.settle(episode_id, terms, sender=who),
    "refundExpired": lambda escrow, episode_id, terms, who: escrow.refundExpired(episode_id, terms, sender=who),
    "payOwed": lambda escrow, episode_id, terms, who: escrow.payOwed(episode_id, terms, sender=who),
}


@pytest.mark.parametrize("call", CALLS)
def test_call__unknown_episode__reverts(escrow, arbiter, make_terms, call):
    # The arbiter passes every caller check, so the existence check is what fails.
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotFound, episodeId=42):
        CALLS[call](escrow, 42, make_terms(), arbiter)


@pytest.mark.parametrize("call", CALLS)
def test_call__terms_of_another_episode__reverts(escrow, arbiter, open_episode, make_terms, call):
    episode = open_episode()
    other = make_terms(amounts=[1, 2, 3], deadlines=[d for _, d in episode.terms[3]])
    with ape.reverts(
        escrow.OutcomeEscrow_TermsMismatch,
        episodeId=episode.id,
        expectedHash=escrow.hashTerms(episode.terms),
        givenHash=escrow.hashTerms(other),
    ):
        CALLS[call](escrow, episode.id, other, arbiter)


def test_pay_owed__program_still_frozen__reverts_with_regulator_error(
    chain, escrow, regulator, admin, program_id, outsider, clinician, open_episode, attest_all
):
    episode = open_episode(attestors=[clinician], threshold=1)
    receipt = attest_all(episode, [clinician], tier=0)
    regulator.setProgramFrozen(program_id, True, sender=admin)
    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    escrow.settle(episode.id, episode.terms, sender=outsider)
    assert escrow.owed(episode.id) == episode.model.settle(0, frozen=True).payout
    with ape.reverts(regulator.Regulator_ProgramFrozen, programId=program_id):
        escrow.payOwed(episode.id, episode.terms, sender=outsider)
    assert escrow.owed(episode.id) == episode.model.owed
