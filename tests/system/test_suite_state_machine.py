"""One stateful test over the whole suite: random actors drive CareStream, OutcomeEscrow, FeeForService, the
SplitRouter and the Regulator's supervisor through random sequences, and every invariant of INVARIANTS_system.md is checked
after every step against the chain and against an independent Python model (system_model.py).

Actions (rules): streams are created, topped up, paused, resumed, cancelled and withdrawn; episodes are
created, attested, disputed, resolved, settled, refunded after expiry and their held payouts paid; virtual
follow-ups are paid at the time of service (FeeForService: cost-shared, pulled and paid into the split at once); splits are
withdrawn from and distributed; the supervisor freezes and unfreezes the program and each institution; time
passes, within a budget period and across period boundaries (30-day periods). A rule the Regulator may refuse
(a freeze, an institution's budget) asks the model first: when the model predicts a refusal the rule asserts
that exact custom error with its arguments, and the invariants then show that nothing changed.

One deployment per session (conftest.py); each example starts from a chain snapshot and restores it.
"""

import copy
from collections import Counter

import ape
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from carepay.payer_shares import Ledger
from hypothesis_profiles import per_profile

from . import strategies as strat
from .system_model import (
    CHRONIC,
    DIGITAL_TWIN,
    E_ACTIVE,
    FOLLOW_UP,
    PERIOD_SECONDS,
    RATE_SCALE,
    Books,
    EpisodeItem,
    Freezes,
    ServicePayment,
    SplitBook,
    StreamItem,
    Wallets,
    period_of,
)
from .system_views import ChainViews

STATS = Counter()  # what the run exercised, printed at the end (hypothesis' own statistics skip nested runs)
MAX_STREAMS = 5  # few items, so that the steps go into their life cycles
MAX_EPISODES = 4
FREEZE_PARTIES = ["institution_a", "institution_b", "program"]  # institution i pays into split i
SETTINGS = settings(
    max_examples=per_profile(ci=4, deep=60),
    stateful_step_count=per_profile(ci=30, deep=50),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


class SuiteStateMachine(RuleBasedStateMachine):
    """Set `world` and `chain` on the class before running it (see the test at the bottom)."""

    world = None
    chain = None

    def __init__(self):
        super().__init__()
        STATS["examples"] += 1
        w = self.world
        self.suite = w.suite
        self.snapshot = self.chain.snapshot()
        self.now = self.chain.blocks.head.timestamp
        self.version = 0  # bumped by every step that can change the chain or the clock
        self.observed = None
        self.views = ChainViews(self.chain.provider.web3, self.suite)

        first = self.views.observe(w, [], [], [], [])
        assert first.total_supply == w.total_supply
        self.addresses = {
            "fund": str(w.fund.address),
            "stream": str(self.suite.stream.address),
            "escrow": str(self.suite.escrow.address),
            "fee_for_service": str(self.suite.fee_for_service.address),
            "router": str(self.suite.router.address),
        }
        self.patient_addresses = [str(p.address) for p in w.patients]
        self.wallets = Wallets(first.balances)
        self.books = Books(first_id=first.reservation_count + 1)
        self.first_stream_id = first.next_stream_id
        self.first_episode_id = first.next_episode_id
        self.freezes = Freezes()
        self.streams: list[StreamItem] = []
        self.episodes: list[EpisodeItem] = []
        self.payments: list[ServicePayment] = []
        self.splits = [
            SplitBook(list(w.split_recipients[s]), list(w.split_allocations[s]), w.split_residuals[s])
            for s in range(len(w.splits))
        ]
        self.terminal = {}  # ("stream"|"episode", id) -> [record less its payable part, whole record or None]
        self.last_total_received = {s: 0 for s in range(len(w.splits))}
        self.last_payout_blocked = {s: False for s in range(len(w.splits))}

    def teardown(self):
        self.chain.restore(self.snapshot)

    # ------------------------------------------------------------------------------------ helpers

    def _note(self, label):
        event(label)
        STATS[label] += 1

    def _tick(self):
        """The next transaction's timestamp: one second after the last step."""
        self.now += 1
        self.version += 1
        self.chain.pending_timestamp = self.now
        return self.now

    @property
    def _next(self):
        return self.now + 1

    def _period(self, t):
        return period_of(self.world.anchor, t)

    def _institution_address(self, institution):
        return str(self.world.institutions[institution].address)

    def _refusal(self, institution, period, requested):
        return self.books.refusal(
            self.freezes, self.world.program_id, institution, self._institution_address(institution), period, requested
        )

    def _payout_refusal(self, institution):
        """The error of the Regulator's checkPayout while a payout is blocked (program first)."""
        if self.freezes.program:
            return "Regulator_ProgramFrozen", {"programId": self.world.program_id}
        return "Regulator_InstitutionFrozen", {"institution": self._institution_address(institution)}

    def _regulator_error(self, name):
        return getattr(self.suite.regulator, name)

    def _pay_split(self, module, split, amount):
        if amount:
            self.splits[split].pay(module, amount)
            self.wallets.move(self.addresses[module], self.addresses["router"], amount)

    def _refund(self, module, patient, fund_amount, patient_amount):
        self.wallets.move(self.addresses[module], self.addresses["fund"], fund_amount)
        self.wallets.move(self.addresses[module], self.patient_addresses[patient], patient_amount)

    def _deposit(self, module, patient, shares):
        self.wallets.move(self.addresses["fund"], self.addresses[module], shares.fund)
        self.wallets.move(self.patient_addresses[patient], self.addresses[module], shares.patient)

    def _streams_where(self, predicate):
        return [i for i, item in enumerate(self.streams) if predicate(item)]

    def _episodes_where(self, predicate):
        return [i for i, item in enumerate(self.episodes) if predicate(item)]

    def _stream_caller(self, item, by_patient):
        return self.world.patients[item.patient] if by_patient else item.sender

    # ------------------------------------------------------------------------------ CareStream rules

    def _create_stream(self, patient, deposit, monthly, start_delay, duration, by_fund):
        w = self.world
        institution = w.patient_regions[patient] - 1  # chronic care is not covered across regions
        t = self._tick()
        period = self._period(t)
        shares = self.books.shares(patient, CHRONIC, period, deposit)
        start = t + start_delay if start_delay else 0
        end = (start or t) + duration if duration else 0
        rate = monthly * RATE_SCALE // PERIOD_SECONDS
        split = institution
        params = (
            w.program_id,
            w.patient_ids[patient],
            w.institutions[institution],
            w.practitioners[institution],
            CHRONIC,
            w.splits[split],
            rate,
            start,
            end,
            deposit,
        )
        sender = w.fund if by_fund else w.patients[patient]
        refusal = self._refusal(institution, period, shares.fund)
        if refusal:
            self._note(f"create stream refused: {refusal.name}")
            with ape.reverts(self._regulator_error(refusal.name), **refusal.args):
                self.suite.stream.create(params, sender=sender)
        else:
            self.suite.stream.create(params, sender=sender)
            reservation_id = self.books.reserve(
                self.addresses["stream"], period, institution, patient, CHRONIC, shares
            )
            ledger = Ledger()
            ledger.record_in(shares.fund, shares.patient)
            self.streams.append(
                StreamItem(
                    stream_id=self.first_stream_id + len(self.streams),
                    patient=patient,
                    institution=institution,
                    split=split,
                    sender=sender,
                    rate=rate,
                    start=start or t,
                    end=end,
                    reservation_id=reservation_id,
                    ledger=ledger,
                    running_since=start or t,
                )
            )
            self._deposit("stream", patient, shares)

    @initialize(
        patient=strat.patients,
        deposit=strat.stream_deposits,
        monthly=strat.monthly_amounts,
        start_delay=strat.start_delays,
        duration=strat.durations,
        by_fund=st.booleans(),
    )
    def open_first_stream(self, patient, deposit, monthly, start_delay, duration, by_fund):
        self._create_stream(patient, deposit, monthly, start_delay, duration, by_fund)

    @precondition(lambda self: len(self.streams) < MAX_STREAMS)
    @rule(
        patient=strat.patients,
        deposit=strat.stream_deposits,
        monthly=strat.monthly_amounts,
        start_delay=strat.start_delays,
        duration=strat.durations,
        by_fund=st.booleans(),
    )
    def create_stream(self, patient, deposit, monthly, start_delay, duration, by_fund):
        self._create_stream(patient, deposit, monthly, start_delay, duration, by_fund)

    @precondition(lambda self: self._streams_where(lambda s: not s.cancelled))
    @rule(data=st.data(), charge=strat.top_up_charges, by_patient=st.booleans())
    def top_up_stream(self, data, charge, by_patient):
        item = self.streams[data.draw(st.sampled_from(self._streams_where(lambda s: not s.cancelled)))]
        t = self._tick()
        period = self._period(t)
        reservation = self.books.reservations[item.reservation_id]
        renew = period != reservation.period
        # What streamed and is covered is paid first; what is left is what a renewal carries.
        owed = item.withdrawable(t)
        after_payout = copy.copy(item.ledger)
        after_payout.record_out(owed)
        unspent_fund, unspent_patient = after_payout.fund_balance, after_payout.patient_balance
        carried = unspent_fund if renew else 0
        caller = self._stream_caller(item, by_patient)
        if item.ended(t) and charge > max(item.streamed(t) - item.deposited, 0):
            # After the end only the uncovered debt may be topped up (CareStream refuses before the Regulator).
            debt = max(item.streamed(t) - item.deposited, 0)
            self._note("top-up after the end refused")
            with ape.reverts(self.suite.stream.CareStream_TopUpAfterEnd, streamId=item.stream_id, endTime=item.end,
                             charge=charge, uncoveredDebt=debt):
                self.suite.stream.topUp(item.stream_id, charge, sender=caller)
            return
        shares = self.books.shares(item.patient, CHRONIC, period, charge, carried_fund=carried)
        refusal = self._refusal(item.institution, period, carried + shares.fund)
        if refusal:
            self._note(f"top-up refused: {refusal.name}")
            with ape.reverts(self._regulator_error(refusal.name), **refusal.args):
                self.suite.stream.topUp(item.stream_id, charge, sender=caller)
        else:
            self._note("top-up renews the reservation" if renew else "top-up extends the reservation")
            self.suite.stream.topUp(item.stream_id, charge, sender=caller)
            if owed:
                item.pay_out(owed)
                self._pay_split("stream", item.split, owed)
            if renew:
                item.reservation_id = self.books.renew(
                    item.reservation_id, period, unspent_fund, unspent_patient, shares
                )
            else:
                self.books.extend(item.reservation_id, shares)
            item.ledger.record_in(shares.fund, shares.patient)
            self._deposit("stream", item.patient, shares)

    @precondition(lambda self: self._streams_where(lambda s: s.can_pause(self._next)))
    @rule(data=st.data(), by_patient=st.booleans())
    def pause_stream(self, data, by_patient):
        item = self.streams[data.draw(st.sampled_from(self._streams_where(lambda s: s.can_pause(self._next))))]
        t = self._tick()
        self.suite.stream.pause(item.stream_id, sender=self._stream_caller(item, by_patient))
        item.pause(t)
        self._note("pause")

    @precondition(lambda self: self._streams_where(lambda s: s.can_resume(self._next)))
    @rule(data=st.data(), by_patient=st.booleans())
    def resume_stream(self, data, by_patient):
        item = self.streams[data.draw(st.sampled_from(self._streams_where(lambda s: s.can_resume(self._next))))]
        t = self._tick()
        self.suite.stream.resume(item.stream_id, sender=self._stream_caller(item, by_patient))
        item.resume(t)
        self._note("resume")

    @precondition(lambda self: self._streams_where(lambda s: not s.cancelled))
    @rule(data=st.data(), by_patient=st.booleans())
    def cancel_stream(self, data, by_patient):
        item = self.streams[data.draw(st.sampled_from(self._streams_where(lambda s: not s.cancelled)))]
        t = self._tick()
        allowed = not self.freezes.payout_blocked(item.institution)
        self.suite.stream.cancel(item.stream_id, sender=self._stream_caller(item, by_patient))
        out = item.cancel(t, allowed)
        self._note("cancel while the payout is frozen" if not allowed else "cancel")
        if out["refund"]:
            self.books.release(item.reservation_id, out["fund_refund"], out["patient_refund"])
        self._pay_split("stream", item.split, out["paid"])
        self._refund("stream", item.patient, out["fund_refund"], out["patient_refund"])

    @precondition(lambda self: self._streams_where(lambda s: s.withdrawable(self._next) > 0))
    @rule(data=st.data())
    def withdraw_stream(self, data):
        item = self.streams[data.draw(st.sampled_from(self._streams_where(lambda s: s.withdrawable(self._next) > 0)))]
        t = self._tick()
        amount = item.withdrawable(t)
        if self.freezes.payout_blocked(item.institution):
            name, args = self._payout_refusal(item.institution)
            self._note(f"stream withdraw refused: {name}")
            with ape.reverts(self._regulator_error(name), **args):
                self.suite.stream.withdraw(item.stream_id, sender=self.world.keeper)
        else:
            self._note("stream withdraw of a cancelled stream's held payout" if item.cancelled else "stream withdraw")
            self.suite.stream.withdraw(item.stream_id, sender=self.world.keeper)
            item.pay_out(amount)
            self._pay_split("stream", item.split, amount)

    # --------------------------------------------------------------------------- OutcomeEscrow rules

    def _create_episode(self, patient, institution, amounts, gaps, attestors, threshold_seed, tiers, windows, by_fund):
        w = self.world
        t = self._tick()
        period = self._period(t)
        deadlines, at = [], t
        for gap in gaps[: len(amounts)]:
            at += gap
            deadlines.append(at)
        threshold = min(threshold_seed, attestors)
        split = institution
        terms = (
            w.program_id,
            w.patient_ids[patient],
            w.splits[split],
            [(a, d) for a, d in zip(amounts, deadlines)],
            ([str(a.address) for a in w.attestors[:attestors]], threshold, list(tiers), windows[0], windows[1]),
        )
        params = (w.institutions[institution], w.practitioners[institution], DIGITAL_TWIN, terms)
        shares = self.books.shares(patient, DIGITAL_TWIN, period, sum(amounts))
        sender = w.fund if by_fund else w.patients[patient]
        refusal = self._refusal(institution, period, shares.fund)
        if refusal:
            self._note(f"create episode refused: {refusal.name}")
            with ape.reverts(self._regulator_error(refusal.name), **refusal.args):
                self.suite.escrow.createEpisode(params, sender=sender)
        else:
            self._note("episode across regions" if w.patient_regions[patient] != w.regions[institution] else "episode")
            self.suite.escrow.createEpisode(params, sender=sender)
            reservation_id = self.books.reserve(
                self.addresses["escrow"], period, institution, patient, DIGITAL_TWIN, shares
            )
            ledger = Ledger()
            ledger.record_in(shares.fund, shares.patient)
            self.episodes.append(
                EpisodeItem(
                    episode_id=self.first_episode_id + len(self.episodes),
                    terms=terms,
                    patient=patient,
                    institution=institution,
                    split=split,
                    amounts=list(amounts),
                    deadlines=deadlines,
                    tiers=list(tiers),
                    attestors=attestors,
                    threshold=threshold,
                    challenge_window=windows[0],
                    arbitration_window=windows[1],
                    reservation_id=reservation_id,
                    ledger=ledger,
                )
            )
            self._deposit("escrow", patient, shares)

    episode_arguments = dict(
        patient=strat.patients,
        institution=strat.institutions,
        amounts=strat.milestone_amounts,
        gaps=strat.deadline_gaps,
        attestors=strat.attestor_counts,
        threshold_seed=strat.threshold_seeds,
        tiers=strat.tier_sets,
        windows=st.tuples(strat.challenge_windows, strat.arbitration_windows),
        by_fund=st.booleans(),
    )

    @initialize(**episode_arguments)
    def open_first_episode(self, **arguments):
        self._create_episode(**arguments)

    @precondition(lambda self: len(self.episodes) < MAX_EPISODES)
    @rule(**episode_arguments)
    def create_episode(self, **arguments):
        self._create_episode(**arguments)

    def _attest_options(self):
        t = self._next
        return [
            (i, a, tier)
            for i, item in enumerate(self.episodes)
            for a in range(item.attestors)
            for tier in range(len(item.tiers))
            if item.can_attest(a, t)
        ]

    @precondition(lambda self: self._attest_options())
    @rule(data=st.data(), evidence=strat.hashes)
    def attest(self, data, evidence):
        index, attestor, tier = data.draw(st.sampled_from(self._attest_options()))
        item = self.episodes[index]
        t = self._tick()
        self.suite.escrow.attest(item.episode_id, item.terms, tier, evidence, sender=self.world.attestors[attestor])
        item.attest(attestor, tier, t)
        self._note("attest")

    @precondition(lambda self: self._attest_options())
    @rule(data=st.data(), evidence=strat.hashes)
    def attest_until_outcome(self, data, evidence):
        """The attestors who have not attested yet attest one tier, until it reaches the threshold or they run out."""
        index, _, tier = data.draw(st.sampled_from(self._attest_options()))
        item = self.episodes[index]
        for attestor in range(item.attestors):
            if item.can_attest(attestor, self._next):
                t = self._tick()
                self.suite.escrow.attest(
                    item.episode_id, item.terms, tier, evidence, sender=self.world.attestors[attestor]
                )
                item.attest(attestor, tier, t)
                self._note("attest")

    @precondition(lambda self: self._episodes_where(lambda e: e.can_dispute(self._next)))
    @rule(data=st.data(), by_fund=st.booleans(), reason=strat.hashes)
    def dispute(self, data, by_fund, reason):
        item = self.episodes[data.draw(st.sampled_from(self._episodes_where(lambda e: e.can_dispute(self._next))))]
        t = self._tick()
        disputer = self.world.fund if by_fund else self.world.patients[item.patient]
        self.suite.escrow.dispute(item.episode_id, item.terms, reason, sender=disputer)
        item.dispute(t)
        self._note("dispute")

    def _settled(self, item, out):
        self._pay_split("escrow", item.split, out["paid"])
        if out["fund_refund"] or out["patient_refund"]:
            self.books.release(item.reservation_id, out["fund_refund"], out["patient_refund"])
        self._refund("escrow", item.patient, out["fund_refund"], out["patient_refund"])

    @precondition(lambda self: self._episodes_where(lambda e: e.can_resolve(self._next)))
    @rule(data=st.data(), evidence=strat.hashes)
    def resolve(self, data, evidence):
        item = self.episodes[data.draw(st.sampled_from(self._episodes_where(lambda e: e.can_resolve(self._next))))]
        tier = data.draw(st.integers(0, len(item.tiers) - 1))
        self._tick()
        allowed = not self.freezes.payout_blocked(item.institution)
        self.suite.escrow.resolve(item.episode_id, item.terms, tier, evidence, sender=self.world.arbiter)
        self._note("resolve while the payout is frozen" if not allowed else "resolve")
        self._settled(item, item.settle(tier, allowed))

    @precondition(lambda self: self._episodes_where(lambda e: e.can_settle(self._next)))
    @rule(data=st.data())
    def settle(self, data):
        item = self.episodes[data.draw(st.sampled_from(self._episodes_where(lambda e: e.can_settle(self._next))))]
        self._tick()
        allowed = not self.freezes.payout_blocked(item.institution)
        self.suite.escrow.settle(item.episode_id, item.terms, sender=self.world.keeper)
        self._note("settle while the payout is frozen" if not allowed else "settle")
        self._settled(item, item.settle(item.tier, allowed))

    @precondition(lambda self: self._episodes_where(lambda e: e.can_refund(self._next)))
    @rule(data=st.data())
    def refund_expired(self, data):
        item = self.episodes[data.draw(st.sampled_from(self._episodes_where(lambda e: e.can_refund(self._next))))]
        self._tick()
        self.suite.escrow.refundExpired(item.episode_id, item.terms, sender=self.world.keeper)
        self._note("refund expired episode")
        out = item.refund()
        if out["fund_refund"] or out["patient_refund"]:
            self.books.release(item.reservation_id, out["fund_refund"], out["patient_refund"])
        self._refund("escrow", item.patient, out["fund_refund"], out["patient_refund"])

    @precondition(lambda self: self._episodes_where(lambda e: e.owed > 0))
    @rule(data=st.data())
    def pay_owed(self, data):
        item = self.episodes[data.draw(st.sampled_from(self._episodes_where(lambda e: e.owed > 0)))]
        self._tick()
        if self.freezes.payout_blocked(item.institution):
            name, args = self._payout_refusal(item.institution)
            self._note(f"payOwed refused: {name}")
            with ape.reverts(self._regulator_error(name), **args):
                self.suite.escrow.payOwed(item.episode_id, item.terms, sender=self.world.keeper)
        else:
            self._note("payOwed")
            self.suite.escrow.payOwed(item.episode_id, item.terms, sender=self.world.keeper)
            self._pay_split("escrow", item.split, item.pay_owed())

    # --------------------------------------------------------------------------- FeeForService rules

    @rule(patient=strat.patients, charge=strat.service_charges, by_fund=st.booleans(), record=strat.hashes)
    def pay_service(self, patient, charge, by_fund, record):
        """A virtual follow-up paid at the time of service, at the patient's own region's institution."""
        w = self.world
        institution = w.patient_regions[patient] - 1  # follow-ups are not covered across regions
        t = self._tick()
        period = self._period(t)
        shares = self.books.shares(patient, FOLLOW_UP, period, charge)
        split = institution
        params = (
            w.program_id,
            w.patient_ids[patient],
            w.institutions[institution],
            w.practitioners[institution],
            FOLLOW_UP,
            w.splits[split],
            charge,
            record,
        )
        sender = w.fund if by_fund else w.patients[patient]
        refusal = self._refusal(institution, period, shares.fund)
        if refusal:
            self._note(f"service payment refused: {refusal.name}")
            with ape.reverts(self._regulator_error(refusal.name), **refusal.args):
                self.suite.fee_for_service.pay(params, sender=sender)
            return
        self._note("service paid" if shares.fund else "service paid by the patient alone")
        self.suite.fee_for_service.pay(params, sender=sender)
        self.books.charge(period, institution, patient, FOLLOW_UP, shares)  # no reservation id is used
        self.payments.append(ServicePayment(patient, institution, split, charge, shares.fund, shares.patient))
        self._deposit("fee_for_service", patient, shares)
        self._pay_split("fee_for_service", split, charge)

    # ---------------------------------------------------------------------------- SplitRouter rules

    def _claims(self):
        return [(s, i) for s, book in enumerate(self.splits) for i in range(len(book.recipients)) if book.claimable(i)]

    @precondition(lambda self: self._claims())
    @rule(data=st.data())
    def split_withdraw(self, data):
        s, i = data.draw(st.sampled_from(self._claims()))
        book = self.splits[s]
        self._tick()
        self.suite.router.withdraw(self.world.splits[s], book.recipients[i], sender=self.world.keeper)
        self._note("residual withdraws" if i == book.residual else "recipient withdraws")
        self.wallets.move(self.addresses["router"], book.recipients[i], book.withdraw(i))

    @precondition(lambda self: self._claims())
    @rule(data=st.data())
    def split_distribute(self, data):
        s = data.draw(st.sampled_from(sorted({s for s, _ in self._claims()})))
        book = self.splits[s]
        self._tick()
        self.suite.router.distribute(self.world.splits[s], sender=self.world.keeper)
        self._note("distribute")
        for i, amount in book.distribute():
            self.wallets.move(self.addresses["router"], book.recipients[i], amount)

    # ------------------------------------------------------------------------- supervision and time

    def _set_frozen(self, party, frozen):
        w, regulator = self.world, self.suite.regulator
        self._tick()
        if party == "program":
            regulator.setProgramFrozen(w.program_id, frozen, sender=w.supervisor)
            self.freezes.program = frozen
        else:
            index = FREEZE_PARTIES.index(party)
            regulator.setInstitutionFrozen(w.institutions[index], frozen, sender=w.supervisor)
            self.freezes.institutions[index] = frozen
        self._note(f"{'freeze' if frozen else 'unfreeze'} {party}")

    def _frozen_parties(self):
        flags = [*self.freezes.institutions, self.freezes.program]
        return [party for party, flag in zip(FREEZE_PARTIES, flags) if flag]

    # At most two parties frozen at once (so the program and an institution together show the checks' order),
    # and unfreezing as likely as freezing, so most steps run with payouts allowed somewhere.
    @precondition(lambda self: len(self._frozen_parties()) < 2)
    @rule(data=st.data())
    def freeze(self, data):
        unfrozen = [p for p in FREEZE_PARTIES if p not in self._frozen_parties()]
        self._set_frozen(data.draw(st.sampled_from(unfrozen)), True)

    @precondition(lambda self: self._frozen_parties())
    @rule(data=st.data())
    def unfreeze(self, data):
        self._set_frozen(data.draw(st.sampled_from(self._frozen_parties())), False)

    @rule(seconds=strat.waits)
    def wait(self, seconds):
        before = self._period(self.now)
        self.now += seconds
        self.version += 1
        if self._period(self.now) != before:
            self._note("a budget period rolled over")

    # ------------------------------------------------------------------------------------ invariants

    def _observe(self):
        """One batched reading of the chain per step, shared by the invariants of that step."""
        if self.observed is None or self.observed[0] != self.version:
            counted = [*self.books.reservations.values(), *self.books.charges]
            budget_keys = sorted({(r.institution, r.period) for r in counted})
            usage_keys = sorted({(r.patient, r.service, r.period) for r in counted})
            obs = self.views.observe(
                self.world,
                [s.stream_id for s in self.streams],
                [e.episode_id for e in self.episodes],
                budget_keys,
                usage_keys,
            )
            self.observed = (self.version, obs)
        return self.observed[1]

    @invariant()
    def modules_and_router_hold_exactly_what_they_owe(self):
        STATS["steps checked"] += 1
        obs = self._observe()
        stream_owes = sum(sum(r.ledger[:2]) - sum(r.ledger[2:]) for r in obs.streams.values())
        assert obs.balances[self.addresses["stream"]] == stream_owes + sum(obs.held_refunds.values())
        assert stream_owes == sum(s.ledger.total for s in self.streams)
        escrow_owes = sum(sum(e.ledger[:2]) - sum(e.ledger[2:]) + e.owed for e in obs.episodes.values())
        escrow_held_refunds = sum(obs.escrow_held_refunds.values())
        assert obs.balances[self.addresses["escrow"]] == escrow_owes + escrow_held_refunds
        assert escrow_owes == sum(e.held for e in self.episodes)
        assert obs.balances[self.addresses["fee_for_service"]] == 0  # it owes no one: it pays at once
        router_owes = sum(
            obs.total_received[s] - sum(obs.claimed[(s, i)] for i in range(len(book.recipients)))
            for s, book in enumerate(self.splits)
        )
        assert obs.balances[self.addresses["router"]] == router_owes

    @invariant()
    def supply_is_constant_and_every_unit_is_accounted_for(self):
        obs = self._observe()
        assert obs.total_supply == self.world.total_supply
        assert sum(obs.balances.values()) == obs.total_supply
        assert obs.balances == self.wallets.balances

    @invariant()
    def every_stream_and_episode_conserves_its_deposits(self):
        obs = self._observe()
        assert obs.next_stream_id == self.first_stream_id + len(self.streams)
        assert obs.next_episode_id == self.first_episode_id + len(self.episodes)
        for item in self.streams:
            record = obs.streams[item.stream_id]
            ledger = item.ledger
            assert tuple(record.ledger) == (ledger.fund_in, ledger.patient_in, ledger.fund_out, ledger.patient_out)
            still_held = sum(record.ledger[:2]) - sum(record.ledger[2:])
            assert item.deposited == item.paid + item.refunded_fund + item.refunded_patient + still_held
            state, snapshot_time, active_seconds = item.stored_accrual()
            accrual = record.accrual
            assert (accrual.state, accrual.snapshotTime, accrual.activeSeconds) == (
                state,
                snapshot_time,
                active_seconds,
            )
            assert (accrual.ratePerSecond, accrual.endTime) == (item.rate, item.end)
            assert record.reservationId == item.reservation_id
            assert record.sender == str(item.sender.address)
        for item in self.episodes:
            record = obs.episodes[item.episode_id]
            ledger = item.ledger
            assert tuple(record.ledger) == (ledger.fund_in, ledger.patient_in, ledger.fund_out, ledger.patient_out)
            still_in = sum(record.ledger[:2]) - sum(record.ledger[2:])
            deposited = ledger.fund_in + ledger.patient_in
            assert deposited == item.paid + record.owed + item.refunded_fund + item.refunded_patient + still_in
            assert record.owed == item.owed
            progress = record.progress
            assert (progress.status, progress.milestoneIndex, progress.milestoneStatus, progress.reservationId) == (
                item.status,
                item.index,
                item.milestone_status,
                item.reservation_id,
            )
            if item.status == E_ACTIVE:
                assert progress.deadline == item.deadline
            else:
                assert still_in == 0  # an ended episode holds nothing for the payers
        # A service payment is paid in full at once: both shares make the charge, all of it went to the split,
        # and the module's total is the sum of the charges. It leaves no reservation (the Regulator's charge).
        for payment in self.payments:
            assert payment.fund + payment.patient_amount == payment.charge == payment.paid
        assert all(r.module != self.addresses["fee_for_service"] for r in obs.reservations.values())
        assert obs.fee_for_service_total_paid == sum(p.charge for p in self.payments)

    @invariant()
    def no_recipient_is_paid_more_than_earned(self):
        obs = self._observe()
        for s, book in enumerate(self.splits):
            entitlements = [obs.entitlements[(s, i)] for i in range(len(book.recipients))]
            claimed = [obs.claimed[(s, i)] for i in range(len(book.recipients))]
            assert all(c <= e for c, e in zip(claimed, entitlements))
            assert sum(entitlements) == obs.total_received[s]
            assert entitlements == [book.entitlement(i) for i in range(len(book.recipients))]
            assert claimed == book.withdrawn
            # The split received exactly what the modules paid out to it, item by item.
            paid_by_items = sum(x.paid for x in [*self.streams, *self.episodes, *self.payments] if x.split == s)
            assert obs.total_received[s] == book.total_received == paid_by_items
            assert obs.settled_received[s] <= obs.total_received[s]

    @invariant()
    def regulator_counters_equal_the_live_reservations(self):
        obs = self._observe()
        w = self.world
        assert obs.reservation_count == self.books.last_id
        for rid, r in self.books.reservations.items():
            record = obs.reservations[rid]
            assert (
                record.module,
                record.period,
                record.institution,
                record.patientId,
                record.serviceType,
                record.fundReserved,
                record.patientReserved,
                record.deductibleCounted,
            ) == (
                r.module,
                r.period,
                self._institution_address(r.institution),
                w.patient_ids[r.patient],
                r.service,
                r.fund,
                r.patient_amount,
                r.counted,
            )
        # The counters are sums over the chain's own reservation records plus the charges, which leave no record
        # (the model's, each checked against the module's payment above).
        records = list(obs.reservations.values())
        charges = self.books.charges
        for (institution, period), (_, used, _) in obs.budgets.items():
            address = self._institution_address(institution)
            reserved = sum(x.fundReserved for x in records if (x.institution, x.period) == (address, period))
            charged = sum(c.fund for c in charges if (c.institution, c.period) == (institution, period))
            assert used == reserved + charged
        for (patient, service, period), (met, fund_used) in obs.usage.items():
            mine = [
                x
                for x in records
                if (x.patientId, x.serviceType, x.period) == (w.patient_ids[patient], service, period)
            ]
            charged = [c for c in charges if (c.patient, c.service, c.period) == (patient, service, period)]
            assert fund_used == sum(x.fundReserved for x in mine) + sum(c.fund for c in charged)
            assert met == sum(x.deductibleCounted for x in mine) + sum(c.counted for c in charged)
        # What a module holds of the fund's money is covered by the item's live reservation.
        for item in self.streams:
            ledger = obs.streams[item.stream_id].ledger
            assert ledger.fundIn - ledger.fundOut <= obs.reservations[item.reservation_id].fundReserved
        for item in self.episodes:
            ledger = obs.episodes[item.episode_id].ledger
            assert ledger.fundIn - ledger.fundOut <= obs.reservations[item.reservation_id].fundReserved

    @invariant()
    def settled_cancelled_and_refunded_items_never_change(self):
        obs = self._observe()
        finished = [("stream", s.stream_id, s.ledger.total) for s in self.streams if s.cancelled]
        finished += [("episode", e.episode_id, e.owed) for e in self.episodes if not e.active]
        for kind, item_id, payable in finished:
            record = obs.streams[item_id] if kind == "stream" else obs.episodes[item_id]
            # Only the care team's held payout may still leave: the payers' outflows of a stream, `owed` of an
            # episode. Everything else is fixed from the moment the item ended.
            if kind == "stream":
                fixed = (record.accrual, record.sender, record.programId, record.reservationId, record.patientId,
                         record.splitId, record.ledger.fundIn, record.ledger.patientIn)
            else:
                fixed = (record.termsHash, record.ledger, record.progress)
            seen = self.terminal.setdefault((kind, item_id), [fixed, None])
            assert fixed == seen[0]
            if payable == 0:
                if seen[1] is None:
                    seen[1] = record
                assert record == seen[1]

    @invariant()
    def frozen_payees_receive_nothing(self):
        obs = self._observe()
        for s in range(len(self.splits)):
            blocked = self.freezes.payout_blocked(s)  # split s is institution s's care team
            if blocked and self.last_payout_blocked[s]:
                assert obs.total_received[s] == self.last_total_received[s]
            self.last_total_received[s] = obs.total_received[s]
            self.last_payout_blocked[s] = blocked


def test_suite__random_actions__keep_every_invariant(world, chain):
    SuiteStateMachine.world = world
    SuiteStateMachine.chain = chain
    STATS.clear()
    run_state_machine_as_test(SuiteStateMachine, settings=SETTINGS)
    print("\nwhat the run exercised:", dict(sorted(STATS.items())))
