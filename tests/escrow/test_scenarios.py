"""End-to-end: a digital-twin treatment over four months, and exact conservation to the unit."""

from escrow_helpers import ARBITRATION_WINDOW, DAY, DEDUCTIBLE, RATIO_BPS, block_time
from escrow_model import COMPLETED, SETTLED

# Model built, iteration 1, iteration 2, final review (units of CareUSD: 6 decimals, deliberately odd).
AMOUNTS = [4_800_000_007, 1_600_000_003, 1_600_000_003, 2_400_000_011]
TIERS = [10_000, 5_000, 0]


def test_digital_twin__four_stages_over_four_months__pays_each_stage_on_its_outcome(
    chain, escrow, token, regulator, router, split_id, fund, patient, institution, practitioner, vendor,
    clinician, laboratory, arbiter, outsider, open_episode, attest_all,
):
    start = chain.pending_timestamp
    deadlines = [start + 30 * DAY * (i + 1) for i in range(4)]
    fund_start, patient_start = token.balanceOf(fund), token.balanceOf(patient)
    split_start = router.totalReceived(split_id)

    episode = open_episode(amounts=AMOUNTS, deadlines=deadlines, tiers=TIERS)

    # Cost sharing recomputed by hand: the patient pays the deductible, the fund 80% of the rest.
    charge = sum(AMOUNTS)
    fund_in = (charge - DEDUCTIBLE) * RATIO_BPS // 10_000
    patient_in = charge - fund_in
    assert (episode.model.fund_in, episode.model.patient_in) == (fund_in, patient_in)
    assert token.balanceOf(escrow) == charge

    def settle_after_window(receipt):
        chain.pending_timestamp = block_time(chain, receipt) + 7 * DAY
        return escrow.settle(episode.id, episode.terms, sender=outsider)

    # Month 1: the patient model is built; clinician and laboratory attest full success.
    chain.pending_timestamp = start + 20 * DAY
    settle_after_window(attest_all(episode, [clinician, laboratory], tier=0))
    episode.model.settle(0, frozen=False)

    # Month 2: iteration 1 is attested as a success; the patient disputes; the arbiter rules "partial".
    chain.pending_timestamp = start + 50 * DAY
    attest_all(episode, [clinician, laboratory], tier=0)
    chain.pending_timestamp = start + 52 * DAY
    receipt = escrow.dispute(episode.id, episode.terms, b"\xd0" * 32, sender=patient)
    assert escrow.Disputed.from_receipt(receipt)[0].arbitrationEnds == block_time(chain, receipt) + ARBITRATION_WINDOW
    chain.pending_timestamp = start + 60 * DAY
    escrow.resolve(episode.id, episode.terms, 1, b"\xa0" * 32, sender=arbiter)
    episode.model.settle(1, frozen=False)

    # Month 3: iteration 2 succeeds, settled by anyone after the window.
    chain.pending_timestamp = start + 80 * DAY
    settle_after_window(attest_all(episode, [clinician, laboratory], tier=0))
    episode.model.settle(0, frozen=False)

    # Month 4: the final review reaches the target only partially.
    chain.pending_timestamp = start + 110 * DAY
    receipt = settle_after_window(attest_all(episode, [clinician, laboratory], tier=1))
    episode.model.settle(1, frozen=False)
    assert escrow.EpisodeCompleted.from_receipt(receipt)[0].episodeId == episode.id

    # What each stage paid, by hand: full, half (rounded down), full, half (rounded down).
    payouts = [AMOUNTS[0], AMOUNTS[1] * 5_000 // 10_000, AMOUNTS[2], AMOUNTS[3] * 5_000 // 10_000]
    assert payouts == [s.payout for s in episode.model.settled]
    refunds = sum(AMOUNTS) - sum(payouts)
    assert refunds == 800_000_002 + 1_200_000_006  # the remainders went back to the payers

    fund_refunds = token.balanceOf(fund) - (fund_start - fund_in)
    patient_refunds = token.balanceOf(patient) - (patient_start - patient_in)
    split_received = router.totalReceived(split_id) - split_start
    assert split_received == sum(payouts)
    assert (fund_refunds, patient_refunds) == (episode.model.refunded_fund, episode.model.refunded_patient)
    assert split_received + fund_refunds + patient_refunds == fund_in + patient_in
    assert token.balanceOf(escrow) == 0

    progress = escrow.getEpisode(episode.id).progress
    assert progress.status == COMPLETED
    assert [escrow.milestoneState(episode.id, i) for i in range(4)] == [
        (SETTLED, 0),
        (SETTLED, 1),
        (SETTLED, 0),
        (SETTLED, 1),
    ]
    # The fund's reservation keeps exactly what was paid out of its share.
    reservation = regulator.getReservation(progress.reservationId)
    assert reservation.fundReserved == fund_in - fund_refunds
    assert reservation.patientReserved == patient_in - patient_refunds

    # The care team withdraws its shares: 70% / 20% / 10%, remainders to the institution.
    received = {}
    for member in (institution, practitioner, vendor):
        before = token.balanceOf(member)
        router.withdraw(split_id, member, sender=outsider)
        received[member.address] = token.balanceOf(member) - before
    assert sum(received.values()) == split_received
    assert received[practitioner.address] == split_received * 200_000 // 1_000_000
    assert received[vendor.address] == split_received * 100_000 // 1_000_000


def test_conservation__several_episodes_with_odd_amounts__to_the_unit(
    chain, escrow, token, router, split_id, fund, patient, clinician, outsider, open_episode, attest_all
):
    fund_start, patient_start = token.balanceOf(fund), token.balanceOf(patient)
    split_start = router.totalReceived(split_id)
    tiers = [9_999, 3_333, 1]
    plans = [
        ([7, 11, 13], [0, 1, 2]),
        ([1, 1, 1, 1], [1, 2, 2, 1]),
        ([999_999_999, 333_333_333], [1, 0]),
        ([123_456_789, 987_654_321, 555_555_555], [2, 1]),  # the third stage expires
    ]
    episodes = []
    for amounts, _ in plans:
        now = chain.pending_timestamp
        episodes.append(
            open_episode(
                amounts=amounts,
                deadlines=[now + 10 * DAY * (i + 1) for i in range(len(amounts))],
                attestors=[clinician],
                threshold=1,
                tiers=tiers,
            )
        )
    for stage in range(4):
        for episode, (amounts, chosen) in zip(episodes, plans):
            if stage < len(chosen) and stage < len(amounts):
                escrow.attest(episode.id, episode.terms, chosen[stage], b"\x01" * 32, sender=clinician)
        chain.pending_timestamp = chain.pending_timestamp + 7 * DAY
        for episode, (amounts, chosen) in zip(episodes, plans):
            if stage < len(chosen) and stage < len(amounts):
                escrow.settle(episode.id, episode.terms, sender=outsider)
                episode.model.settle(chosen[stage], frozen=False)
        chain.pending_timestamp = chain.pending_timestamp + 3 * DAY
    last = episodes[3]
    escrow.refundExpired(last.id, last.terms, sender=outsider)
    last.model.refund()

    deposits = sum(e.model.fund_in + e.model.patient_in for e in episodes)
    split_received = router.totalReceived(split_id) - split_start
    fund_refunds = token.balanceOf(fund) - fund_start + sum(e.model.fund_in for e in episodes)
    patient_refunds = token.balanceOf(patient) - patient_start + sum(e.model.patient_in for e in episodes)
    # Independent expectation: each stage pays floor(amount * bps / 10_000), the rest is refunded.
    expected_paid = sum(
        amount * tiers[tier] // 10_000 for amounts, chosen in plans for amount, tier in zip(amounts, chosen)
    )
    assert split_received == expected_paid
    assert split_received + fund_refunds + patient_refunds == deposits
    assert fund_refunds == sum(e.model.refunded_fund for e in episodes)
    assert patient_refunds == sum(e.model.refunded_patient for e in episodes)
    assert token.balanceOf(escrow) == 0
