"""refundExpired: after an attestation or arbitration deadline, the rest goes back to the payers, by anyone."""

import ape
import pytest

from escrow_helpers import ARBITRATION_WINDOW, CHALLENGE_WINDOW, block_time
from escrow_model import (
    ARBITRATION_EXPIRED,
    ATTESTATION_EXPIRED,
    ATTESTED,
    M_REFUNDED,
    PENDING,
    REFUNDED,
    SETTLED,
)


def _assert_refunded(escrow, regulator, receipt, episode, index, reason, fund_refund, patient_refund):
    (log,) = escrow.EpisodeRefunded.from_receipt(receipt)
    assert (log.episodeId, log.milestoneIndex, log.reason) == (episode.id, index, reason)
    assert (log.fundRefund, log.patientRefund) == (fund_refund, patient_refund)
    (released,) = regulator.Released.from_receipt(receipt)
    assert (released.reservationId, released.fundAmount, released.patientAmount) == (
        escrow.getEpisode(episode.id).progress.reservationId,
        fund_refund,
        patient_refund,
    )


def test_refund__at_the_attestation_deadline__returns_everything_by_anyone(
    chain, escrow, token, regulator, fund, patient, outsider, open_episode
):
    episode = open_episode()
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)
    deadline = episode.terms[3][0][1]
    chain.pending_timestamp = deadline
    receipt = escrow.refundExpired(episode.id, episode.terms, sender=outsider)

    fund_refund, patient_refund = episode.model.refund()
    assert (fund_refund, patient_refund) == (episode.model.fund_in, episode.model.patient_in)
    _assert_refunded(escrow, regulator, receipt, episode, 0, ATTESTATION_EXPIRED, fund_refund, patient_refund)
    assert token.balanceOf(fund) == fund_before + fund_refund
    assert token.balanceOf(patient) == patient_before + patient_refund
    assert token.balanceOf(escrow) == 0
    assert escrow.getEpisode(episode.id).progress.status == REFUNDED
    for index in range(3):
        assert escrow.milestoneState(episode.id, index) == (M_REFUNDED, 0)
    reservation = regulator.getReservation(escrow.getEpisode(episode.id).progress.reservationId)
    assert (reservation.fundReserved, reservation.patientReserved) == (0, 0)


def test_refund__one_second_before_the_deadline__reverts(chain, escrow, outsider, open_episode):
    episode = open_episode()
    deadline = episode.terms[3][0][1]
    chain.pending_timestamp = deadline - 1
    with ape.reverts(
        escrow.OutcomeEscrow_NotExpired,
        episodeId=episode.id,
        milestoneIndex=0,
        deadline=deadline,
        currentTime=deadline - 1,
    ):
        escrow.refundExpired(episode.id, episode.terms, sender=outsider)


def test_refund__after_a_settled_milestone__returns_the_remaining_milestones(
    chain, escrow, token, regulator, fund, patient, outsider, clinician, laboratory, open_episode, attest_all
):
    episode = open_episode(amounts=[1_000_003, 2_000_005, 3_000_007])
    receipt = attest_all(episode, [clinician, laboratory], tier=1)
    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    escrow.settle(episode.id, episode.terms, sender=outsider)
    episode.model.settle(1, frozen=False)
    fund_before, patient_before = token.balanceOf(fund), token.balanceOf(patient)

    chain.pending_timestamp = episode.terms[3][1][1]
    receipt = escrow.refundExpired(episode.id, episode.terms, sender=outsider)

    fund_refund, patient_refund = episode.model.refund()
    assert fund_refund + patient_refund == 2_000_005 + 3_000_007
    _assert_refunded(escrow, regulator, receipt, episode, 1, ATTESTATION_EXPIRED, fund_refund, patient_refund)
    assert token.balanceOf(fund) == fund_before + fund_refund
    assert token.balanceOf(patient) == patient_before + patient_refund
    assert escrow.milestoneState(episode.id, 0) == (SETTLED, 1)
    assert escrow.milestoneState(episode.id, 1) == (M_REFUNDED, 0)
    assert escrow.milestoneState(episode.id, 2) == (M_REFUNDED, 0)
    ledger = escrow.getEpisode(episode.id).ledger
    assert (ledger.fundIn - ledger.fundOut, ledger.patientIn - ledger.patientOut) == (0, 0)


def test_refund__attested_milestone__reverts(chain, escrow, outsider, clinician, laboratory, open_episode, attest_all):
    episode = open_episode()
    attest_all(episode, [clinician, laboratory])
    chain.pending_timestamp = episode.terms[3][0][1] + 1
    with ape.reverts(
        escrow.OutcomeEscrow_MilestoneNotRefundable, episodeId=episode.id, milestoneIndex=0, status=ATTESTED
    ):
        escrow.refundExpired(episode.id, episode.terms, sender=outsider)


@pytest.fixture
def disputed(chain, escrow, patient, clinician, laboratory, open_episode, attest_all):
    episode = open_episode()
    attest_all(episode, [clinician, laboratory])
    receipt = escrow.dispute(episode.id, episode.terms, b"\x0d" * 32, sender=patient)
    return episode, block_time(chain, receipt) + ARBITRATION_WINDOW


def test_refund__unresolved_dispute_before_its_deadline__reverts(chain, escrow, outsider, disputed):
    episode, arbitration_ends = disputed
    chain.pending_timestamp = arbitration_ends - 1
    with ape.reverts(
        escrow.OutcomeEscrow_NotExpired,
        episodeId=episode.id,
        milestoneIndex=0,
        deadline=arbitration_ends,
        currentTime=arbitration_ends - 1,
    ):
        escrow.refundExpired(episode.id, episode.terms, sender=outsider)


def test_refund__unresolved_dispute_after_its_deadline__returns_everything(
    chain, escrow, token, regulator, arbiter, outsider, disputed
):
    episode, arbitration_ends = disputed
    chain.pending_timestamp = arbitration_ends
    receipt = escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    fund_refund, patient_refund = episode.model.refund()
    _assert_refunded(escrow, regulator, receipt, episode, 0, ARBITRATION_EXPIRED, fund_refund, patient_refund)
    assert token.balanceOf(escrow) == 0
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotActive, episodeId=episode.id, status=REFUNDED):
        escrow.resolve(episode.id, episode.terms, 0, b"\x00" * 32, sender=arbiter)


def test_refund__twice__reverts(chain, escrow, outsider, open_episode):
    episode = open_episode()
    chain.pending_timestamp = episode.terms[3][0][1]
    escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    with ape.reverts(escrow.OutcomeEscrow_EpisodeNotActive, episodeId=episode.id, status=REFUNDED):
        escrow.refundExpired(episode.id, episode.terms, sender=outsider)


def test_refund__institution_and_program_frozen__still_flows(
    chain, escrow, token, regulator, admin, institution, program_id, outsider, open_episode
):
    episode = open_episode()
    regulator.setInstitutionFrozen(institution, True, sender=admin)
    regulator.setProgramFrozen(program_id, True, sender=admin)
    chain.pending_timestamp = episode.terms[3][0][1]
    receipt = escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    fund_refund, patient_refund = episode.model.refund()
    _assert_refunded(escrow, regulator, receipt, episode, 0, ATTESTATION_EXPIRED, fund_refund, patient_refund)


def test_refund__keeps_what_is_owed_to_the_split(
    chain, escrow, token, regulator, router, split_id, admin, institution, outsider, clinician, laboratory,
    open_episode, attest_all,
):
    episode = open_episode()
    receipt = attest_all(episode, [clinician, laboratory], tier=0)
    regulator.setInstitutionFrozen(institution, True, sender=admin)
    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    escrow.settle(episode.id, episode.terms, sender=outsider)
    owed = episode.model.settle(0, frozen=True).payout

    chain.pending_timestamp = episode.terms[3][1][1]
    escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    episode.model.refund()
    assert escrow.owed(episode.id) == owed
    assert token.balanceOf(escrow) == owed

    regulator.setInstitutionFrozen(institution, False, sender=admin)
    split_before = router.totalReceived(split_id)
    escrow.payOwed(episode.id, episode.terms, sender=outsider)
    assert router.totalReceived(split_id) == split_before + owed
    assert token.balanceOf(escrow) == 0


def test_refund__pending_milestone_with_votes__still_refunds(
    chain, escrow, regulator, outsider, clinician, laboratory, open_episode
):
    episode = open_episode()
    escrow.attest(episode.id, episode.terms, 0, b"\x01" * 32, sender=clinician)
    escrow.attest(episode.id, episode.terms, 1, b"\x02" * 32, sender=laboratory)
    assert escrow.currentMilestone(episode.id)[1] == PENDING
    chain.pending_timestamp = episode.terms[3][0][1]
    receipt = escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    fund_refund, patient_refund = episode.model.refund()
    _assert_refunded(escrow, regulator, receipt, episode, 0, ATTESTATION_EXPIRED, fund_refund, patient_refund)
