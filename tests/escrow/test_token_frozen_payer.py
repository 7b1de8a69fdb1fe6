"""A payer frozen in CareUSD (a token-level compliance freeze of its account, possibly for months).

The token refuses every transfer to a frozen account, so OutcomeEscrow holds that payer's refund instead of
sending it (`heldRefundOf`, event RefundHeld) and `claimRefund` sends it once the account can receive again.
The refund is attributed exactly as before (PayerShares, released in the Regulator at once); only its delivery
waits. The care team's payout and the other payer's refund are never blocked (INVARIANTS.md E1, E4, section 11).
"""

import ape
import pytest

from escrow_helpers import CHALLENGE_WINDOW, block_time
from escrow_model import ATTESTATION_EXPIRED, COMPLETED, REFUNDED


@pytest.fixture
def freeze(token, admin):
    token.grantRole(token.FREEZER_ROLE(), admin, sender=admin)

    def freeze_(account):
        token.freeze(account, sender=admin)

    return freeze_


@pytest.fixture
def unfreeze(token, admin):
    def unfreeze_(account):
        token.unfreeze(account, sender=admin)

    return unfreeze_


@pytest.fixture
def balances(token, router, split_id, escrow, fund, patient):
    def read():
        return {
            "split": router.totalReceived(split_id),
            "escrow": token.balanceOf(escrow),
            "fund": token.balanceOf(fund),
            "patient": token.balanceOf(patient),
        }

    return read


def _owes(escrow, episode_ids, accounts):
    """What the escrow owes: every episode's payer balance and owed payout, plus the refunds it holds (E1)."""
    total = 0
    for episode_id in episode_ids:
        stored = escrow.getEpisode(episode_id)
        fund_in, patient_in, fund_out, patient_out = stored.ledger
        total += fund_in + patient_in - fund_out - patient_out + stored.owed
    return total + sum(escrow.heldRefundOf(account) for account in accounts)


def _held_logs(escrow, receipt):
    return [(log.episodeId, log.account, log.amount) for log in escrow.RefundHeld.from_receipt(receipt)]


def _released(regulator, escrow, receipt, episode_id):
    (log,) = regulator.Released.from_receipt(receipt)
    assert log.reservationId == escrow.getEpisode(episode_id).progress.reservationId
    return log.fundAmount, log.patientAmount


def test_settle__patient_frozen_in_the_token__pays_the_split_and_the_fund_and_holds_the_patients_refund(
    chain, escrow, regulator, fund, patient, outsider, open_episode, attest_all, clinician, laboratory, freeze,
    balances,
):
    episode = open_episode()
    receipt = attest_all(episode, [clinician, laboratory], tier=1)  # 50 %: half is paid, half refunded
    freeze(patient)
    before = balances()
    expected = episode.model.settle(1, frozen=False)
    assert expected.payout > 0 and expected.fund_refund > 0 and expected.patient_refund > 0

    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)

    (settled,) = escrow.MilestoneSettled.from_receipt(receipt)
    assert (settled.payout, settled.fundPayout, settled.fundRefund, settled.patientRefund, settled.payoutHeld) == (
        expected.payout, expected.fund_payout, expected.fund_refund, expected.patient_refund, False,
    )
    assert _held_logs(escrow, receipt) == [(episode.id, patient.address, expected.patient_refund)]
    # Attributed and released exactly as without the freeze: only the delivery of the patient's part waits.
    assert _released(regulator, escrow, receipt, episode.id) == (expected.fund_refund, expected.patient_refund)
    after = balances()
    assert after["split"] == before["split"] + expected.payout
    assert after["fund"] == before["fund"] + expected.fund_refund
    assert after["patient"] == before["patient"]
    assert escrow.heldRefundOf(patient) == expected.patient_refund
    assert escrow.heldRefundOf(fund) == 0
    assert after["escrow"] == episode.model.held + expected.patient_refund == _owes(escrow, [episode.id], [fund, patient])


def test_refund_expired__patient_frozen_in_the_token__refunds_the_fund_now_and_holds_the_patients_part(
    chain, escrow, regulator, fund, patient, outsider, open_episode, freeze, balances
):
    episode = open_episode()
    freeze(patient)
    before = balances()

    chain.pending_timestamp = episode.terms[3][0][1]  # the first milestone's attestation deadline
    receipt = escrow.refundExpired(episode.id, episode.terms, sender=outsider)

    fund_refund, patient_refund = episode.model.refund()
    assert (fund_refund, patient_refund) == (episode.model.fund_in, episode.model.patient_in)
    (refunded,) = escrow.EpisodeRefunded.from_receipt(receipt)
    assert (refunded.episodeId, refunded.milestoneIndex, refunded.reason) == (episode.id, 0, ATTESTATION_EXPIRED)
    assert (refunded.fundRefund, refunded.patientRefund) == (fund_refund, patient_refund)
    assert _held_logs(escrow, receipt) == [(episode.id, patient.address, patient_refund)]
    assert _released(regulator, escrow, receipt, episode.id) == (fund_refund, patient_refund)
    after = balances()
    assert after["fund"] == before["fund"] + fund_refund
    assert after["patient"] == before["patient"]
    assert escrow.getEpisode(episode.id).progress.status == REFUNDED
    assert escrow.heldRefundOf(patient) == patient_refund
    assert after["escrow"] == patient_refund == _owes(escrow, [episode.id], [fund, patient])


def test_refund_expired__fund_account_frozen_in_the_token__refunds_the_patient_now_and_holds_the_funds_part(
    chain, escrow, fund, patient, outsider, open_episode, freeze, unfreeze, balances
):
    episode = open_episode()
    freeze(fund)
    before = balances()

    chain.pending_timestamp = episode.terms[3][0][1]
    receipt = escrow.refundExpired(episode.id, episode.terms, sender=outsider)

    fund_refund, patient_refund = episode.model.refund()
    assert fund_refund > 0 and patient_refund > 0
    assert _held_logs(escrow, receipt) == [(episode.id, fund.address, fund_refund)]
    after = balances()
    assert after["patient"] == before["patient"] + patient_refund
    assert after["fund"] == before["fund"]
    assert (escrow.heldRefundOf(fund), escrow.heldRefundOf(patient)) == (fund_refund, 0)
    assert after["escrow"] == fund_refund == _owes(escrow, [episode.id], [fund, patient])

    unfreeze(fund)
    receipt = escrow.claimRefund(fund, sender=outsider)
    (claimed,) = escrow.RefundClaimed.from_receipt(receipt)
    assert (claimed.account, claimed.caller, claimed.amount) == (fund.address, outsider.address, fund_refund)
    assert balances()["fund"] == before["fund"] + fund_refund
    assert balances()["escrow"] == 0


def test_claim_refund__while_still_frozen__reverts_with_the_tokens_error_and_keeps_the_refund(
    chain, escrow, token, patient, outsider, open_episode, freeze, unfreeze, balances
):
    episode = open_episode()
    freeze(patient)
    chain.pending_timestamp = episode.terms[3][0][1]
    escrow.refundExpired(episode.id, episode.terms, sender=outsider)
    held = episode.model.refund()[1]

    with ape.reverts(token.CareUSD_AccountFrozen, account=patient):
        escrow.claimRefund(patient, sender=outsider)
    assert escrow.heldRefundOf(patient) == held
    assert balances()["escrow"] == held


def test_claim_refund__after_the_unfreeze__anyone_sends_the_account_its_refunds_from_every_episode(
    chain, escrow, fund, patient, outsider, open_episode, attest_all, clinician, laboratory, freeze, unfreeze,
    balances,
):
    settled = open_episode()
    expired = open_episode(amounts=[1_000_003])
    receipt = attest_all(settled, [clinician, laboratory], tier=1)
    freeze(patient)
    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    escrow.settle(settled.id, settled.terms, sender=outsider)
    from_settlement = settled.model.settle(1, frozen=False).patient_refund
    chain.pending_timestamp = expired.terms[3][0][1]
    escrow.refundExpired(expired.id, expired.terms, sender=outsider)
    from_expiry = expired.model.refund()[1]
    held = from_settlement + from_expiry
    assert escrow.heldRefundOf(patient) == held
    assert balances()["escrow"] == _owes(escrow, [settled.id, expired.id], [fund, patient])
    unfreeze(patient)
    before = balances()

    receipt = escrow.claimRefund(patient, sender=outsider)

    (claimed,) = escrow.RefundClaimed.from_receipt(receipt)
    assert (claimed.account, claimed.caller, claimed.amount) == (patient.address, outsider.address, held)
    after = balances()
    assert after["patient"] == before["patient"] + held
    assert after["escrow"] == before["escrow"] - held == _owes(escrow, [settled.id, expired.id], [fund, patient])
    assert escrow.heldRefundOf(patient) == 0
    with ape.reverts(escrow.OutcomeEscrow_NoHeldRefund, account=patient):
        escrow.claimRefund(patient, sender=outsider)


def test_claim_refund__nothing_held__reverts(escrow, patient, outsider):
    assert escrow.heldRefundOf(patient) == 0
    with ape.reverts(escrow.OutcomeEscrow_NoHeldRefund, account=patient):
        escrow.claimRefund(patient, sender=outsider)


def test_settle__both_payers_frozen_in_the_token_and_the_institution_frozen__holds_everything_exactly(
    chain, escrow, regulator, admin, institution, fund, patient, outsider, open_episode, attest_all, clinician,
    laboratory, freeze, balances,
):
    episode = open_episode(amounts=[3_333_333_333])
    receipt = attest_all(episode, [clinician, laboratory], tier=1)
    freeze(patient)
    freeze(fund)
    regulator.setInstitutionFrozen(institution, True, sender=admin)
    before = balances()

    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)

    expected = episode.model.settle(1, frozen=True)
    assert expected.held and expected.fund_refund > 0 and expected.patient_refund > 0
    assert escrow.getEpisode(episode.id).progress.status == COMPLETED
    assert _held_logs(escrow, receipt) == [
        (episode.id, fund.address, expected.fund_refund),
        (episode.id, patient.address, expected.patient_refund),
    ]
    assert balances() == before
    assert escrow.owed(episode.id) == expected.payout
    assert (escrow.heldRefundOf(fund), escrow.heldRefundOf(patient)) == (expected.fund_refund, expected.patient_refund)
    assert before["escrow"] == _owes(escrow, [episode.id], [fund, patient])


def test_resolve__patient_frozen_in_the_token__settles_and_holds_the_patients_refund(
    chain, escrow, fund, patient, arbiter, outsider, open_episode, attest_all, clinician, laboratory, freeze,
    balances,
):
    episode = open_episode()
    attest_all(episode, [clinician, laboratory], tier=0)
    escrow.dispute(episode.id, episode.terms, b"\x0d" * 32, sender=fund)
    episode.model.attest(0, 0, 0)
    episode.model.attest(1, 0, 0)
    episode.model.dispute(0)
    freeze(patient)
    before = balances()

    receipt = escrow.resolve(episode.id, episode.terms, 2, b"\x0a" * 32, sender=arbiter)  # 0 %: all refunded

    expected = episode.model.settle(2, frozen=False)
    assert expected.payout == 0 and expected.patient_refund > 0
    assert _held_logs(escrow, receipt) == [(episode.id, patient.address, expected.patient_refund)]
    after = balances()
    assert after["fund"] == before["fund"] + expected.fund_refund
    assert after["patient"] == before["patient"]
    assert after["escrow"] == _owes(escrow, [episode.id], [fund, patient])


def test_settle__full_tier_with_the_patient_frozen__refunds_nothing_and_holds_nothing(
    chain, escrow, fund, patient, outsider, open_episode, attest_all, clinician, laboratory, freeze, balances
):
    episode = open_episode()
    receipt = attest_all(episode, [clinician, laboratory], tier=0)
    freeze(patient)
    before = balances()

    chain.pending_timestamp = block_time(chain, receipt) + CHALLENGE_WINDOW
    receipt = escrow.settle(episode.id, episode.terms, sender=outsider)

    expected = episode.model.settle(0, frozen=False)
    assert _held_logs(escrow, receipt) == []
    assert balances()["split"] == before["split"] + expected.payout
    assert escrow.heldRefundOf(patient) == 0


# ---- a token-wide pause (every unit stopped) ---------------------------------------------------


def test_token_paused__expiry_refund_holds_both_refunds_and_a_payout_still_reverts_as_a_whole(
    chain, escrow, token, regulator, admin, fund, patient, outsider, open_episode, attest_all, clinician, laboratory,
    balances,
):
    expiring = open_episode(amounts=[1_000_003_000])
    settling = open_episode(amounts=[2_000_005_000])
    receipt = attest_all(settling, [clinician, laboratory], tier=1)
    token.grantRole(token.PAUSER_ROLE(), admin, sender=admin)
    token.pause(sender=admin)
    before = balances()

    # A settlement that pays the split moves units through the router: it reverts as a whole.
    chain.pending_timestamp = max(block_time(chain, receipt) + CHALLENGE_WINDOW, expiring.terms[3][0][1])
    with ape.reverts(token.EnforcedPause):
        escrow.settle(settling.id, settling.terms, sender=outsider)
    # An expiry refund moves no unit to anyone: it completes and holds both refunds.
    receipt = escrow.refundExpired(expiring.id, expiring.terms, sender=outsider)

    fund_refund, patient_refund = expiring.model.refund()
    assert _held_logs(escrow, receipt) == [
        (expiring.id, fund.address, fund_refund),
        (expiring.id, patient.address, patient_refund),
    ]
    assert _released(regulator, escrow, receipt, expiring.id) == (fund_refund, patient_refund)
    assert balances() == before
    assert before["escrow"] == _owes(escrow, [expiring.id, settling.id], [fund, patient])
    with ape.reverts(token.EnforcedPause):
        escrow.claimRefund(fund, sender=outsider)

    token.unpause(sender=admin)
    escrow.claimRefund(fund, sender=outsider)
    escrow.claimRefund(patient, sender=outsider)
    after = balances()
    assert (after["fund"], after["patient"]) == (before["fund"] + fund_refund, before["patient"] + patient_refund)
    assert after["escrow"] == _owes(escrow, [expiring.id, settling.id], [fund, patient])
