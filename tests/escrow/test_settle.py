"""settle and payOwed: pay the tier to the split, refund the rest to the payers; freezes hold only the payout."""

import ape
import pytest

from escrow_helpers import CHALLENGE_WINDOW, UNIT, block_time
from escrow_model import ACTIVE, ATTESTED, COMPLETED, DISPUTED, PENDING, SETTLED


@pytest.fixture
def attest_first(chain, open_episode, attest_all, clinician, laboratory):
    """Opens an episode and attests its first milestone at `tier`; returns (episode, challengeEnds)."""

    def make(tier=0, **kwargs):
        episode = open_episode(**kwargs)
        receipt = attest_all(episode, [clinician, laboratory], tier=tier)
        return episode, block_time(chain, receipt) + CHALLENGE_WINDOW

    return make


def _balances(token, router, split_id, escrow, fund, patient):
    return {
        "split": router.totalReceived(split_id),
        "escrow": token.balanceOf(escrow),
        "fund": token.balanceOf(fund),
        "patient": token.balanceOf(patient),
    }


def _assert_settled(escrow, receipt, episode_id, expected):
    (log,) = escrow.MilestoneSettled.from_receipt(receipt)
    assert (log.episodeId, log.milestoneIndex, log.tierIndex) == (episode_id, expected.index, expected.tier)
    assert (log.payout, log.fundPayout, log.fundRefund, log.patientRefund, log.payoutHeld) == (
        expected.payout,
        expected.fund_payout,
        expected.fund_refund,
        expected.patient_refund,
        expected.held,
    )


@pytest.mark.parametrize("tier", [0, 1, 2])
def test_settle__after_the_challenge_window__pays_the_tier_and_refunds_the_rest(
    chain, escrow, token, regulator, router, split_id, fund, patient, outsider, attest_first, tier
):
    episode, challenge_ends = attest_first(tier=tier, amounts=[3_333_333, 2_000_000, 1_000_001])
    before = _balances(token, router, split_id, escrow, fund, patient)
    reservation_id = escrow.getEpisode(episode.id).progress.reservationId
    reserved_before = regulator.getReservation(reservation_id)

    chain.pending_timestamp = challenge_ends
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)

    expected = episode.model.settle(tier, frozen=False)
    assert expected.payout == 3_333_333 * [10_000, 5_000, 0][tier] // 10_000
    _assert_settled(escrow, receipt, episode.id, expected)
    after = _balances(token, router, split_id, escrow, fund, patient)
    assert after["split"] == before["split"] + expected.payout
    assert after["fund"] == before["fund"] + expected.fund_refund
    assert after["patient"] == before["patient"] + expected.patient_refund
    assert after["escrow"] == before["escrow"] - 3_333_333

    released = regulator.Released.from_receipt(receipt)
    refund = expected.fund_refund + expected.patient_refund
    if refund:
        (log,) = released
        assert (log.reservationId, log.fundAmount, log.patientAmount) == (
            reservation_id,
            expected.fund_refund,
            expected.patient_refund,
        )
    else:
        assert released == []
    reservation = regulator.getReservation(reservation_id)
    assert reservation.fundReserved == reserved_before.fundReserved - expected.fund_refund
    assert reservation.patientReserved == reserved_before.patientReserved - expected.patient_refund

    (opened,) = escrow.MilestoneOpened.from_receipt(receipt)
    assert (opened.episodeId, opened.milestoneIndex, opened.deadline) == (episode.id, 1, episode.terms[3][1][1])
    assert escrow.milestoneState(episode.id, 0) == (SETTLED, tier)
    assert escrow.currentMilestone(episode.id) == (1, PENDING, 0, episode.terms[3][1][1])
    mask, votes = escrow.attestationCounts(episode.id)
    assert (mask, list(votes)) == (0, [0, 0, 0, 0])
    stored = escrow.getEpisode(episode.id)
    ledger = episode.model.ledger
    assert tuple(stored.ledger) == (ledger.fund_in, ledger.patient_in, ledger.fund_out, ledger.patient_out)


def test_settle__one_second_before_the_end_of_the_challenge_window__reverts(chain, escrow, outsider, attest_first):
    episode, challenge_ends = attest_first()
    chain.pending_timestamp = challenge_ends - 1
    with ape.reverts(
        escrow.OutcomeEscrow_ChallengeWindowNotOver,
        episodeId=episode.id,
        milestoneIndex=0,
        challengeEnds=challenge_ends,
        currentTime=challenge_ends - 1,
    ):
        escrow.settle(episode.id, episode.terms, sender=outsider)


def test_settle__pending_milestone__reverts(escrow, outsider, open_episode):
    episode = open_episode()
    with ape.reverts(
        escrow.OutcomeEscrow_WrongMilestoneStatus, episodeId=episode.id, milestoneIndex=0, status=PENDING, expected=ATTESTED
    ):
        escrow.settle(episode.id, episode.terms, sender=outsider)


def test_settle__last_milestone__completes_the_episode_for_good(
    chain, escrow, outsider, clinician, patient, open_episode, attest_all
):
    episode = open_episode(amounts=[5 * UNIT], attestors=[clinician], threshold=1)
    receipt = attest_all(episode, [clinician], tier=1)
    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)

    (completed,) = escrow.EpisodeCompleted.from_receipt(receipt)
    assert completed.episodeId == episode.id
    assert escrow.MilestoneOpened.from_receipt(receipt) == []
    progress = escrow.getEpisode(episode.id).progress
    assert (progress.status, progress.milestoneIndex, progress.milestoneStatus, progress.tierIndex) == (
        COMPLETED,
        0,
        SETTLED,
        1,
    )
    assert escrow.milestoneState(episode.id, 0) == (SETTLED, 1)
    assert tuple(escrow.getEpisode(episode.id).ledger)[:2] == tuple(escrow.getEpisode(episode.id).ledger)[2:]
    for action in (
        lambda: escrow.settle(episode.id, episode.terms, sender=outsider),
        lambda: escrow.refundExpired(episode.id, episode.terms, sender=outsider),
        lambda: escrow.attest(episode.id, episode.terms, 0, b"\x00" * 32, sender=clinician),
    ):
        with ape.reverts(escrow.OutcomeEscrow_EpisodeNotActive, episodeId=episode.id, status=COMPLETED):
            action()


# ---- freezes at settlement --------------------------------------------------------------------


@pytest.mark.parametrize("frozen", ["institution", "program"])
def test_settle__payee_side_frozen__holds_the_payout_and_refunds_now(
    chain, escrow, token, regulator, router, split_id, admin, fund, patient, institution, program_id, outsider,
    attest_first, frozen,
):
    episode, challenge_ends = attest_first(tier=1)
    if frozen == "institution":
        regulator.setInstitutionFrozen(institution, True, sender=admin)
    else:
        regulator.setProgramFrozen(program_id, True, sender=admin)
    before = _balances(token, router, split_id, escrow, fund, patient)

    chain.pending_timestamp = challenge_ends
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)

    expected = episode.model.settle(1, frozen=True)
    assert expected.held and expected.payout > 0
    _assert_settled(escrow, receipt, episode.id, expected)
    after = _balances(token, router, split_id, escrow, fund, patient)
    assert after["split"] == before["split"]
    assert after["fund"] == before["fund"] + expected.fund_refund
    assert after["patient"] == before["patient"] + expected.patient_refund
    assert after["escrow"] == before["escrow"] - expected.fund_refund - expected.patient_refund
    assert escrow.owed(episode.id) == expected.payout


def test_pay_owed__after_unfreeze__pays_the_split(
    chain, escrow, token, regulator, router, split_id, admin, institution, outsider, attest_first
):
    episode, challenge_ends = attest_first(tier=0)
    regulator.setInstitutionFrozen(institution, True, sender=admin)
    chain.pending_timestamp = challenge_ends
    escrow.settle(episode.id, episode.terms, sender=outsider)
    owed = episode.model.settle(0, frozen=True).payout
    assert escrow.owed(episode.id) == owed

    with ape.reverts(regulator.Regulator_InstitutionFrozen, institution=institution.address):
        escrow.payOwed(episode.id, episode.terms, sender=outsider)

    regulator.setInstitutionFrozen(institution, False, sender=admin)
    split_before, escrow_before = router.totalReceived(split_id), token.balanceOf(escrow)
    receipt = escrow.payOwed(episode.id, episode.terms, sender=outsider)

    (log,) = escrow.OwedPaid.from_receipt(receipt)
    assert (log.episodeId, log.splitId, log.amount) == (episode.id, split_id, owed)
    assert router.totalReceived(split_id) == split_before + owed
    assert token.balanceOf(escrow) == escrow_before - owed
    assert escrow.owed(episode.id) == 0
    with ape.reverts(escrow.OutcomeEscrow_NothingOwed, episodeId=episode.id):
        escrow.payOwed(episode.id, episode.terms, sender=outsider)


def test_pay_owed__nothing_owed__reverts(escrow, outsider, open_episode):
    episode = open_episode()
    with ape.reverts(escrow.OutcomeEscrow_NothingOwed, episodeId=episode.id):
        escrow.payOwed(episode.id, episode.terms, sender=outsider)


def test_pay_owed__other_terms__reverts(escrow, outsider, open_episode, make_terms):
    episode = open_episode()
    other = make_terms(split=b"\x01" * 32)
    with ape.reverts(
        escrow.OutcomeEscrow_TermsMismatch,
        episodeId=episode.id,
        expectedHash=escrow.hashTerms(episode.terms),
        givenHash=escrow.hashTerms(other),
    ):
        escrow.payOwed(episode.id, other, sender=outsider)


def test_pay_owed__unknown_episode__reverts(escrow, outsider, make_terms):
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotFound, episodeId=3):
        escrow.payOwed(3, make_terms(), sender=outsider)


def test_settle__zero_tier__pays_nothing_and_refunds_everything(
    chain, escrow, token, router, split_id, outsider, attest_first
):
    episode, challenge_ends = attest_first(tier=2)
    split_before = router.totalReceived(split_id)
    chain.pending_timestamp = challenge_ends
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)
    expected = episode.model.settle(2, frozen=False)
    assert expected.payout == 0
    _assert_settled(escrow, receipt, episode.id, expected)
    assert router.totalReceived(split_id) == split_before
    assert router.SplitPaid.from_receipt(receipt) == []
    assert escrow.getEpisode(episode.id).progress.status == ACTIVE


def test_settle__zero_tier_while_frozen__holds_nothing(
    chain, escrow, regulator, admin, institution, outsider, attest_first
):
    episode, challenge_ends = attest_first(tier=2)
    regulator.setInstitutionFrozen(institution, True, sender=admin)
    chain.pending_timestamp = challenge_ends
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)
    expected = episode.model.settle(2, frozen=True)
    assert expected.held is False
    _assert_settled(escrow, receipt, episode.id, expected)
    assert escrow.owed(episode.id) == 0


def test_settle__disputed_then_resolved_milestone_is_final(
    chain, escrow, patient, arbiter, outsider, attest_first
):
    episode, _ = attest_first(tier=0)
    escrow.dispute(episode.id, episode.terms, b"\x01" * 32, sender=patient)
    escrow.resolve(episode.id, episode.terms, 2, b"\x02" * 32, sender=arbiter)
    # The settled milestone cannot be disputed, resolved or settled again: the current one is the next.
    with ape.reverts(
        escrow.OutcomeEscrow_WrongMilestoneStatus, episodeId=episode.id, milestoneIndex=1, status=PENDING, expected=DISPUTED
    ):
        escrow.resolve(episode.id, episode.terms, 0, b"\x02" * 32, sender=arbiter)
    assert escrow.milestoneState(episode.id, 0) == (SETTLED, 2)
