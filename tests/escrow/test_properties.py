"""Random sequences of create / attest / dispute / resolve / settle / refund / payOwed / freeze / token freeze of
the patient's account / claimRefund / time travel.

Every rule does only what the reference model (tests/escrow/model.py) says is allowed now (narrowed
strategies and preconditions; the error paths have their own unit tests). After every step:
  - the escrow's token balance is exactly the sum over episodes of (payers' balance + owed to the split) plus
    the refunds it holds for the patient's account while that account is frozen in the token;
  - every episode's ledger, owed amount and progress equal the model's;
  - a settled milestone keeps its tier, a refunded one stays refunded: settled items never change;
  - money is conserved to the unit: for each episode, split + owed + refunds + still held == deposits,
    and the split, fund and patient balances moved by exactly the model's totals;
  - the Regulator still reserves exactly the fund share not refunded.
"""

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from hypothesis_profiles import per_profile

from escrow_helpers import DAY, DIGITAL_TWIN, PATIENT_ID, cost_sharing, make_terms_tuple
from escrow_model import ACTIVE, ATTESTED, DISPUTED, PENDING, SETTLED, EpisodeModel

MAX_EPISODES = 3  # few episodes, so that the steps go into their life cycles
TIER_SETS = [[10_000, 5_000, 0], [10_000], [9_000, 3_333, 1], [7_777, 5_555, 3_333, 0]]


def test_escrow__random_sequences__keep_balances_exact_and_settled_items_final(
    chain, escrow, token, regulator, router, split_id, program_id, admin, fund, patient, operator, institution,
    practitioner, clinician, laboratory, arbiter, outsider,
):
    token.grantRole(token.FREEZER_ROLE(), admin, sender=admin)
    attestors = [clinician, laboratory, outsider]
    payers = [patient, fund, operator]

    class EscrowMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.snapshot = chain.snapshot()
            self.now = chain.blocks.head.timestamp
            self.episodes = []  # (episode id, terms, model, reservation id)
            self.frozen = False
            self.patient_frozen = False  # the patient's account, frozen in CareUSD
            self.held_for_patient = 0  # the patient's refunds the escrow holds (heldRefundOf)
            self.split_start = router.totalReceived(split_id)
            self.fund_start = token.balanceOf(fund)
            self.patient_start = token.balanceOf(patient)
            self.settled_seen = {}  # (episode id, milestone index) -> tier

        def teardown(self):
            chain.restore(self.snapshot)

        def _tick(self):
            self.now += 1
            chain.pending_timestamp = self.now

        def _where(self, predicate):
            return [i for i, (_, _, model, _) in enumerate(self.episodes) if predicate(model)]

        # ---- rules ------------------------------------------------------------------------

        @precondition(lambda self: not self.frozen and not self.patient_frozen and len(self.episodes) < MAX_EPISODES)
        @rule(
            amounts=st.lists(st.integers(1, 10**10), min_size=1, max_size=4),
            gaps=st.lists(st.integers(1, 20 * DAY), min_size=4, max_size=4),
            attestor_count=st.integers(1, 3),
            threshold_seed=st.integers(1, 3),
            tiers=st.sampled_from(TIER_SETS),
            windows=st.tuples(st.integers(1, 5 * DAY), st.integers(1, 5 * DAY)),
            by_operator=st.booleans(),
        )
        def create(self, amounts, gaps, attestor_count, threshold_seed, tiers, windows, by_operator):
            self._tick()
            deadlines, at = [], self.now
            for gap in gaps[: len(amounts)]:
                at += gap
                deadlines.append(at)
            threshold = min(threshold_seed, attestor_count)
            terms = make_terms_tuple(
                program_id, PATIENT_ID, split_id, amounts, deadlines, attestors[:attestor_count], threshold, tiers,
                *windows,
            )
            period = regulator.periodOf(program_id, self.now)
            deductible_met, _ = regulator.patientUsage(program_id, PATIENT_ID, DIGITAL_TWIN, period)
            fund_in, patient_in = cost_sharing(sum(amounts), deductible_met)
            escrow.createEpisode(
                (institution, practitioner, DIGITAL_TWIN, terms), sender=operator if by_operator else patient
            )
            episode_id = escrow.nextEpisodeId() - 1
            model = EpisodeModel(
                amounts=list(amounts),
                deadlines=deadlines,
                tier_bps=tiers,
                threshold=threshold,
                attestor_count=attestor_count,
                challenge_window=windows[0],
                arbitration_window=windows[1],
                fund_in=fund_in,
                patient_in=patient_in,
            )
            reservation_id = escrow.getEpisode(episode_id).progress.reservationId
            self.episodes.append((episode_id, terms, model, reservation_id))

        @precondition(lambda self: any(self._attest_options()))
        @rule(data=st.data())
        def attest(self, data):
            episode_index, attestor, tier = data.draw(st.sampled_from(self._attest_options()))
            episode_id, terms, model, _ = self.episodes[episode_index]
            self._tick()
            escrow.attest(episode_id, terms, tier, b"\x0e" * 32, sender=attestors[attestor])
            model.attest(attestor, tier, self.now)

        @precondition(lambda self: any(self._attest_options()))
        @rule(data=st.data())
        def attest_until_outcome(self, data):
            """Attestors who have not attested yet attest one tier until it reaches the threshold (or they run out)."""
            episode_index, _, tier = data.draw(st.sampled_from(self._attest_options()))
            episode_id, terms, model, _ = self.episodes[episode_index]
            for attestor in range(model.attestor_count):
                if model.attest_error(attestor, tier, self.now + 1) is None:
                    self._tick()
                    escrow.attest(episode_id, terms, tier, b"\x0f" * 32, sender=attestors[attestor])
                    if model.attest(attestor, tier, self.now):
                        break

        def _attest_options(self):
            now = self.now + 1
            return [
                (i, a, t)
                for i, (_, _, model, _) in enumerate(self.episodes)
                for a in range(model.attestor_count)
                for t in range(len(model.tier_bps))
                if model.attest_error(a, t, now) is None
            ]

        @precondition(lambda self: self._where(lambda m: m.dispute_error(self.now + 1) is None))
        @rule(data=st.data(), payer=st.sampled_from(payers))
        def dispute(self, data, payer):
            index = data.draw(st.sampled_from(self._where(lambda m: m.dispute_error(self.now + 1) is None)))
            episode_id, terms, model, _ = self.episodes[index]
            self._tick()
            escrow.dispute(episode_id, terms, b"\x0d" * 32, sender=payer)
            model.dispute(self.now)

        @precondition(lambda self: self._where(lambda m: m.resolve_error(0, self.now + 1) is None))
        @rule(data=st.data())
        def resolve(self, data):
            index = data.draw(st.sampled_from(self._where(lambda m: m.resolve_error(0, self.now + 1) is None)))
            episode_id, terms, model, _ = self.episodes[index]
            tier = data.draw(st.integers(0, len(model.tier_bps) - 1))
            self._tick()
            escrow.resolve(episode_id, terms, tier, b"\x0a" * 32, sender=arbiter)
            self._hold(model.settle(tier, self.frozen).patient_refund)

        @precondition(lambda self: self._where(lambda m: m.settle_error(self.now + 1) is None))
        @rule(data=st.data())
        def settle(self, data):
            index = data.draw(st.sampled_from(self._where(lambda m: m.settle_error(self.now + 1) is None)))
            episode_id, terms, model, _ = self.episodes[index]
            self._tick()
            escrow.settle(episode_id, terms, sender=outsider)
            self._hold(model.settle(model.tier, self.frozen).patient_refund)

        @precondition(lambda self: self._where(lambda m: m.refund_error(self.now + 1) is None))
        @rule(data=st.data())
        def refund_expired(self, data):
            index = data.draw(st.sampled_from(self._where(lambda m: m.refund_error(self.now + 1) is None)))
            episode_id, terms, model, _ = self.episodes[index]
            self._tick()
            escrow.refundExpired(episode_id, terms, sender=outsider)
            self._hold(model.refund()[1])

        @precondition(lambda self: not self.frozen and self._where(lambda m: m.owed > 0))
        @rule(data=st.data())
        def pay_owed(self, data):
            index = data.draw(st.sampled_from(self._where(lambda m: m.owed > 0)))
            episode_id, terms, model, _ = self.episodes[index]
            self._tick()
            escrow.payOwed(episode_id, terms, sender=outsider)
            model.pay_owed()

        @rule()
        def toggle_institution_freeze(self):
            self._tick()
            self.frozen = not self.frozen
            regulator.setInstitutionFrozen(institution, self.frozen, sender=admin)

        @rule()
        def toggle_patient_token_freeze(self):
            self._tick()
            self.patient_frozen = not self.patient_frozen
            (token.freeze if self.patient_frozen else token.unfreeze)(patient, sender=admin)

        @precondition(lambda self: not self.patient_frozen and self.held_for_patient > 0)
        @rule()
        def claim_refund(self):
            self._tick()
            escrow.claimRefund(patient, sender=outsider)
            self.held_for_patient = 0

        def _hold(self, patient_refund):
            """The patient's refund stays in the escrow while the account is frozen in the token."""
            if self.patient_frozen:
                self.held_for_patient += patient_refund

        @rule(seconds=st.integers(1, 12 * DAY))
        def travel(self, seconds):
            self.now += seconds

        # ---- invariants -------------------------------------------------------------------

        @invariant()
        def escrow_balance_is_everything_still_owed(self):
            owed = sum(model.held for _, _, model, _ in self.episodes) + self.held_for_patient
            assert token.balanceOf(escrow) == owed
            assert escrow.heldRefundOf(patient) == self.held_for_patient
            assert escrow.heldRefundOf(fund) == 0

        @invariant()
        def episodes_match_the_model_and_settled_items_never_change(self):
            for episode_id, _, model, reservation_id in self.episodes:
                stored = escrow.getEpisode(episode_id)
                ledger = model.ledger
                assert tuple(stored.ledger) == (ledger.fund_in, ledger.patient_in, ledger.fund_out, ledger.patient_out)
                assert stored.owed == model.owed
                progress = stored.progress
                assert (progress.status, progress.milestoneIndex, progress.milestoneStatus) == (
                    model.status,
                    model.index,
                    model.milestone_status,
                )
                if model.milestone_status in (ATTESTED, DISPUTED, PENDING):
                    assert progress.deadline == model.deadline
                for settled in model.settled:
                    key = (episode_id, settled.index)
                    self.settled_seen.setdefault(key, settled.tier)
                    assert self.settled_seen[key] == settled.tier
                    assert escrow.milestoneState(episode_id, settled.index) == (SETTLED, settled.tier)
                reserved = regulator.getReservation(reservation_id)
                assert reserved.fundReserved == model.fund_in - model.refunded_fund
                assert reserved.patientReserved == model.patient_in - model.refunded_patient

        @invariant()
        def money_is_conserved_to_the_unit(self):
            paid = refunded_fund = refunded_patient = deposited_fund = deposited_patient = 0
            for _, _, model, _ in self.episodes:
                assert (
                    model.paid_to_split + model.owed + model.refunded_fund + model.refunded_patient + model.ledger.total
                    == model.fund_in + model.patient_in
                )
                if model.status != ACTIVE:
                    assert model.ledger.total == 0
                paid += model.paid_to_split
                refunded_fund += model.refunded_fund
                refunded_patient += model.refunded_patient
                deposited_fund += model.fund_in
                deposited_patient += model.patient_in
            assert router.totalReceived(split_id) - self.split_start == paid
            assert token.balanceOf(fund) == self.fund_start - deposited_fund + refunded_fund
            assert token.balanceOf(patient) == (
                self.patient_start - deposited_patient + refunded_patient - self.held_for_patient
            )

    run_state_machine_as_test(
        EscrowMachine,
        settings=settings(
            max_examples=per_profile(ci=10, deep=120),
            stateful_step_count=per_profile(ci=25, deep=40),
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
