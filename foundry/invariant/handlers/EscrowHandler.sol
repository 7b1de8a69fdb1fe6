// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Errors} from "../../../contracts/libraries/Errors.sol";
import {Episodes} from "../../../contracts/types/Episodes.sol";

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives OutcomeEscrow: create episodes (1-4 milestones, 1-3 attestors, k of n, several tier
/// tables), attest (named attestors and a stranger, valid and out-of-range tiers), dispute, resolve, settle,
/// refund after expiry, pay what a freeze held and send refunds held for token-frozen payers; mostly on an
/// episode in the state the step needs (else the episode's next step, see `_advance`), one call in eight with
/// one fault, refused with its exact error. Every successful call is checked against the state machine and
/// deadlines of INVARIANTS.md §6, and its money against the payout rule floor(amount × tierBps / 10,000) with
/// the rest refunded.
contract EscrowHandler is BaseHandler {
    constructor(World world_, Ghosts ghosts_) BaseHandler(world_, ghosts_) {}

    /// @dev Where the current milestone of an episode stands before a call.
    struct Before {
        Episodes.EpisodeStatus status;
        uint8 index;
        Episodes.MilestoneStatus milestone;
        uint8 tier;
        uint40 deadline;
        uint8 attestedMask;
        uint128 owed;
        uint128 held; // ledger total: what the payers still have in
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   TARGET FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    function createEpisode(
        uint256 patientSeed,
        uint256 institutionSeed,
        uint256 initiatorSeed,
        uint256 milestoneSeed,
        uint256 outcomeSeed
    ) external instrument("escrow.createEpisode") {
        _createEpisode(patientSeed, institutionSeed, initiatorSeed, milestoneSeed, outcomeSeed);
    }

    function _createEpisode(
        uint256 patientSeed,
        uint256 institutionSeed,
        uint256 initiatorSeed,
        uint256 milestoneSeed,
        uint256 outcomeSeed
    ) private {
        if (ghosts.episodeCount() >= MAX_ITEMS) return;
        uint8 p = _claimablePatient(patientSeed);
        uint8 i = _institutionIndex(institutionSeed, p);
        Episodes.Terms memory terms = _terms(p, i, milestoneSeed, outcomeSeed);
        // Bad, one in eight: a stranger opens it, or the terms carry one fault (a zero milestone amount, a
        // threshold above the attestors), each refused with its own error.
        address initiator = _initiator(initiatorSeed, p);
        bytes4 expected;
        if (initiator == world.stranger()) {
            uint256 fault = (initiatorSeed >> 8) % 3;
            if (fault == 0) {
                expected = _initiatorRefusal();
            } else {
                initiator = world.patient(p);
                if (fault == 1) {
                    terms.milestones[terms.milestones.length - 1].amount = 0;
                    expected = Errors.OutcomeEscrow_MilestoneAmountZero.selector;
                } else {
                    terms.outcome.threshold = uint8(terms.outcome.attestors.length + 1);
                    expected = Errors.OutcomeEscrow_ThresholdOutOfRange.selector;
                }
            }
        }
        uint256 charge;
        for (uint256 m; m < terms.milestones.length; ++m) charge += terms.milestones[m].amount;
        Episodes.CreateParams memory params = Episodes.CreateParams({
            institution: world.institution(i),
            practitioner: world.practitioner(i),
            serviceType: world.DIGITAL_TWIN(),
            terms: terms
        });

        Observation memory before = _observe(i, p);
        vm.prank(initiator);
        try escrow.createEpisode(params) returns (uint256 id) {
            ghosts.countSuccess();
            if (initiator == world.stranger()) _violation("R10: a stranger opened an episode");
            if (expected != bytes4(0)) _acceptedBad("escrow.createEpisode");
            ghosts.addEpisode(id, i, p, abi.encode(terms));
            Moved memory m = _moved(before, _observe(i, p));
            if (m.deposited != charge) _violation("R1: the payers together did not pay the episode's price");
            ghosts.addEpisodeFlows(id, m.deposited, m.paid, m.fundRefund, m.patientRefund);
        } catch (bytes memory reason) {
            if (expected != bytes4(0)) _refusedWith(reason, expected, "escrow.createEpisode");
            else _refused(reason);
        }
    }

    /// @dev One attestation to try: who, on which tier, and the error a deliberately bad one must get.
    struct Attempt {
        address attestor;
        uint8 tier;
        bytes4 expected;
    }

    function attest(uint256 episodeSeed, uint256 attestorSeed, uint256 tierSeed) external instrument("escrow.attest") {
        bool bad = _bad(attestorSeed);
        uint256 fault = (attestorSeed >> 8) % 5;
        // Good: an attestable milestone, by one of its attestors who has not attested yet, mostly on the tier
        // the attestors agree on (so k of n is reached), one time in eight another valid tier (split votes).
        // Bad: someone not named (NotAttestor), a tier past the last (TierOutOfRange), an attestor again
        // (AlreadyAttested), a named attestor after the deadline (AttestationDeadlinePassed), or any episode in
        // any state (a probe: whatever it is refused with).
        (bool found, uint256 id, Episodes.Terms memory terms) = !bad || fault == 1
            ? _pickWhere(episodeSeed, _attestable)
            : _pickBadAttest(episodeSeed, fault);
        if (!found) return bad ? () : _advance(episodeSeed);
        _attest(id, terms, _attempt(id, terms, bad ? fault : type(uint256).max, attestorSeed, tierSeed));
    }

    function _pickBadAttest(uint256 seed, uint256 fault)
        private
        view
        returns (bool found, uint256 id, Episodes.Terms memory terms)
    {
        if (fault == 0) return _pickWhere(seed, _active);
        if (fault == 2) return _pickWhere(seed, _reAttestable);
        if (fault == 4) return _pickWhere(seed, _expiredPending);
        return _pick(seed);
    }

    function _attempt(uint256 id, Episodes.Terms memory terms, uint256 fault, uint256 attestorSeed, uint256 tierSeed)
        private
        view
        returns (Attempt memory a)
    {
        Episodes.Progress memory progress = _progress(id);
        uint256 tierCount = terms.outcome.tierBps.length;
        uint256 consensus = uint256(keccak256(abi.encode(id, progress.milestoneIndex))) % tierCount;
        a.tier = uint8((tierSeed >> 8) % 8 == 0 ? tierSeed % tierCount : consensus);
        a.attestor = _freshAttestor(terms, progress.attestedMask, attestorSeed);
        if (fault == 0) {
            a.attestor = _outsider(terms, attestorSeed);
            a.expected = Errors.OutcomeEscrow_NotAttestor.selector;
        } else if (fault == 1) {
            a.tier = uint8(tierCount);
            a.expected = Errors.OutcomeEscrow_TierOutOfRange.selector;
        } else if (fault == 2) {
            a.attestor = _pastAttestor(terms, progress.attestedMask, attestorSeed);
            a.expected = Errors.OutcomeEscrow_AlreadyAttested.selector;
        } else if (fault == 3) {
            a.attestor = terms.outcome.attestors[attestorSeed % terms.outcome.attestors.length];
        } else if (fault == 4) {
            a.expected = Errors.OutcomeEscrow_AttestationDeadlinePassed.selector;
        }
    }

    function _attest(uint256 id, Episodes.Terms memory terms, Attempt memory a) private {
        Before memory b = _before(id);
        (bool named, uint256 position) = _attestorPosition(terms, a.attestor);
        vm.prank(a.attestor);
        try escrow.attest(id, terms, a.tier, keccak256(abi.encode("evidence", id, a.attestor))) {
            ghosts.countSuccess();
            if (b.status != Episodes.EpisodeStatus.Active) _violation("E3: an ended episode took an attestation");
            if (b.milestone != Episodes.MilestoneStatus.Pending) _violation("attest on a milestone not Pending");
            if (block.timestamp >= b.deadline) _violation("attest at or after the attestation deadline");
            if (!named) _violation("an account that is not a named attestor attested");
            if (named && (b.attestedMask >> position) & 1 == 1) _violation("E3: an attestor attested twice");
            if (a.tier >= terms.outcome.tierBps.length) _violation("attest accepted an out-of-range tier");
            if (a.expected != bytes4(0)) _acceptedBad("escrow.attest");
        } catch (bytes memory reason) {
            if (a.expected != bytes4(0)) _refusedWith(reason, a.expected, "escrow.attest");
            else _refused(reason);
        }
    }

    function dispute(uint256 episodeSeed, uint256 callerSeed) external instrument("escrow.dispute") {
        // Good: an attested milestone within its challenge window, by the patient or the fund. Bad: a stranger
        // or the keeper there (NotPayer), a payer after the window (ChallengeWindowOver), or any episode in any
        // state by a payer (a probe).
        bool bad = _bad(callerSeed);
        uint256 fault = bad ? (callerSeed >> 8) % 3 : type(uint256).max;
        (bool found, uint256 id, Episodes.Terms memory terms) = fault == 2
            ? _pick(episodeSeed)
            : _pickWhere(episodeSeed, fault == 1 ? _settleable : _disputable);
        if (!found) return bad ? () : _advance(episodeSeed);
        bytes4 expected = fault == 0
            ? Errors.OutcomeEscrow_NotPayer.selector
            : (fault == 1 ? Errors.OutcomeEscrow_ChallengeWindowOver.selector : bytes4(0));
        _dispute(id, terms, _disputer(id, callerSeed, fault == 0), expected);
    }

    /// @dev A payer (the patient or the fund account), or for a non-payer fault a stranger or the keeper.
    function _disputer(uint256 id, uint256 seed, bool outsider) private view returns (address) {
        uint8 p = ghosts.episodeFlows(id).patientIndex;
        address[4] memory callers = [world.patient(p), world.fund(), world.stranger(), world.keeper()];
        return callers[(seed >> 16) % 2 + (outsider ? 2 : 0)];
    }

    function _dispute(uint256 id, Episodes.Terms memory terms, address caller, bytes4 expected) private {
        Before memory b = _before(id);
        vm.prank(caller);
        try escrow.dispute(id, terms, keccak256("reason")) {
            ghosts.countSuccess();
            if (b.status != Episodes.EpisodeStatus.Active) _violation("E3: an ended episode was disputed");
            if (b.milestone != Episodes.MilestoneStatus.Attested) _violation("dispute of a milestone not Attested");
            if (block.timestamp >= b.deadline) _violation("dispute after the challenge window");
            if (caller == world.stranger() || caller == world.keeper()) _violation("a non-payer disputed");
        } catch (bytes memory reason) {
            if (expected != bytes4(0)) _refusedWith(reason, expected, "escrow.dispute");
            else _refused(reason);
        }
    }

    function resolve(uint256 episodeSeed, uint256 tierSeed, uint256 callerSeed) external instrument("escrow.resolve") {
        // Good: a disputed milestone before its arbitration deadline, by the arbiter, on a valid tier. Bad: a
        // stranger (NotArbiter, checked first), a tier past the last (TierOutOfRange), the arbiter after the
        // arbitration deadline (ArbitrationDeadlinePassed), or a probe of any episode.
        bool bad = _bad(callerSeed);
        uint256 fault = (callerSeed >> 8) % 4;
        (bool found, uint256 id, Episodes.Terms memory terms) = !bad || fault == 1
            ? _pickWhere(episodeSeed, _resolvable)
            : (fault == 3 ? _pickWhere(episodeSeed, _expiredDispute) : _pick(episodeSeed));
        if (!found) return bad ? () : _advance(episodeSeed);
        uint256 tierCount = terms.outcome.tierBps.length;
        bytes4 expected = !bad || fault == 2
            ? bytes4(0)
            : (fault == 0
                    ? Errors.OutcomeEscrow_NotArbiter.selector
                    : (fault == 1 ? Errors.OutcomeEscrow_TierOutOfRange.selector : Errors.OutcomeEscrow_ArbitrationDeadlinePassed.selector));
        _resolve(
            id,
            terms,
            bad && fault == 0 ? world.stranger() : world.arbiter(),
            uint8(bad && fault == 1 ? tierCount : tierSeed % tierCount),
            expected
        );
    }

    function _resolve(uint256 id, Episodes.Terms memory terms, address caller, uint8 tier, bytes4 expected) private {
        Before memory b = _before(id);
        Ghosts.Flows memory f = ghosts.episodeFlows(id);
        Observation memory before = _observe(f.splitIndex, f.patientIndex);
        vm.prank(caller);
        try escrow.resolve(id, terms, tier, keccak256("ruling")) {
            ghosts.countSuccess();
            if (caller != world.arbiter()) _violation("an account without ARBITER_ROLE resolved");
            if (b.status != Episodes.EpisodeStatus.Active) _violation("E3: an ended episode was resolved");
            if (b.milestone != Episodes.MilestoneStatus.Disputed) _violation("resolve of a milestone not Disputed");
            if (block.timestamp >= b.deadline) _violation("resolve after the arbitration deadline");
            if (expected != bytes4(0)) _acceptedBad("escrow.resolve");
            _checkSettlement(id, terms, b, tier, before);
        } catch (bytes memory reason) {
            if (expected != bytes4(0)) _refusedWith(reason, expected, "escrow.resolve");
            else _refused(reason);
        }
    }

    function settle(uint256 episodeSeed) external instrument("escrow.settle") {
        // Good: an attested milestone whose challenge window is over. Bad: one still in its window
        // (ChallengeWindowNotOver), an ended episode (EpisodeNotActive), or a probe of any episode.
        bool bad = _bad(episodeSeed);
        uint256 fault = (episodeSeed >> 8) % 3;
        (bool found, uint256 id, Episodes.Terms memory terms) = !bad
            ? _pickWhere(episodeSeed, _settleable)
            : (fault == 0 ? _pickWhere(episodeSeed, _disputable) : (fault == 1 ? _pickWhere(episodeSeed, _ended) : _pick(episodeSeed)));
        if (!found) return bad ? () : _advance(episodeSeed);
        bytes4 expected = !bad || fault == 2
            ? bytes4(0)
            : (fault == 0 ? Errors.OutcomeEscrow_ChallengeWindowNotOver.selector : Errors.OutcomeEscrow_EpisodeNotActive.selector);
        _settle(id, terms, expected);
    }

    function _settle(uint256 id, Episodes.Terms memory terms, bytes4 expected) private {
        Before memory b = _before(id);
        Ghosts.Flows memory f = ghosts.episodeFlows(id);
        Observation memory before = _observe(f.splitIndex, f.patientIndex);
        vm.prank(world.keeper());
        try escrow.settle(id, terms) {
            ghosts.countSuccess();
            if (b.status != Episodes.EpisodeStatus.Active) _violation("E3: an ended episode was settled");
            if (b.milestone != Episodes.MilestoneStatus.Attested) {
                _violation("forbidden milestone transition: settle from a status other than Attested");
            }
            if (block.timestamp < b.deadline) _violation("settle before the challenge window ended");
            if (expected != bytes4(0)) _acceptedBad("escrow.settle");
            _checkSettlement(id, terms, b, b.tier, before);
        } catch (bytes memory reason) {
            if (expected != bytes4(0)) _refusedWith(reason, expected, "escrow.settle");
            else _refused(reason);
            bool due = b.status == Episodes.EpisodeStatus.Active && b.milestone == Episodes.MilestoneStatus.Attested
                && block.timestamp >= b.deadline;
            // E4: a Regulator freeze holds the payout and a CareUSD freeze of a payer's account holds its refund;
            // neither blocks the settlement.
            if (due) _violation("E4: a due settlement reverted");
        }
    }

    function refundExpired(uint256 episodeSeed) external instrument("escrow.refundExpired") {
        // Good: an active episode whose Pending or Disputed milestone expired. Bad: a Pending one not expired
        // (NotExpired), an Attested one (MilestoneNotRefundable: it settles instead), or an ended episode.
        bool bad = _bad(episodeSeed);
        uint256 fault = (episodeSeed >> 8) % 3;
        (bool found, uint256 id, Episodes.Terms memory terms) = !bad
            ? _pickWhere(episodeSeed, _expired)
            : _pickWhere(episodeSeed, fault == 0 ? _attestable : (fault == 1 ? _attested : _ended));
        if (!found) return bad ? () : _advance(episodeSeed);
        bytes4 expected = !bad
            ? bytes4(0)
            : (fault == 0
                    ? Errors.OutcomeEscrow_NotExpired.selector
                    : (fault == 1 ? Errors.OutcomeEscrow_MilestoneNotRefundable.selector : Errors.OutcomeEscrow_EpisodeNotActive.selector));
        _refundExpired(id, terms, expected);
    }

    function _refundExpired(uint256 id, Episodes.Terms memory terms, bytes4 expected) private {
        Before memory b = _before(id);
        Ghosts.Flows memory f = ghosts.episodeFlows(id);
        Observation memory before = _observe(f.splitIndex, f.patientIndex);
        vm.prank(world.keeper());
        try escrow.refundExpired(id, terms) {
            ghosts.countSuccess();
            if (b.status != Episodes.EpisodeStatus.Active) _violation("E3: an ended episode was refunded");
            if (b.milestone != Episodes.MilestoneStatus.Pending && b.milestone != Episodes.MilestoneStatus.Disputed) {
                _violation("forbidden milestone transition: refund from Attested (or a final status)");
            }
            if (block.timestamp < b.deadline) _violation("refund before the deadline");
            if (expected != bytes4(0)) _acceptedBad("escrow.refundExpired");
            Moved memory m = _moved(before, _observe(f.splitIndex, f.patientIndex));
            if (m.paid != 0 || m.deposited != 0) _violation("an expiry refund paid the split or took money");
            if (m.fundRefund + m.patientRefund != b.held) _violation("E2: an expiry refund returned other than held");
            ghosts.addEpisodeFlows(id, m.deposited, m.paid, m.fundRefund, m.patientRefund);
            ghosts.markEpisodeTerminal(id, snapshotOf(id));
            ghosts.countEvent("episode refunded after expiry");
            if (token.isFrozen(world.patient(f.patientIndex))) {
                ghosts.countEvent("episode refunded after expiry, patient frozen in CareUSD");
            }
        } catch (bytes memory reason) {
            if (expected != bytes4(0)) _refusedWith(reason, expected, "escrow.refundExpired");
            else _refused(reason);
            bool due = b.status == Episodes.EpisodeStatus.Active
                && (b.milestone == Episodes.MilestoneStatus.Pending || b.milestone == Episodes.MilestoneStatus.Disputed)
                && block.timestamp >= b.deadline;
            if (due) _violation("E4: an expired episode's refund reverted (refund blocked)");
        }
    }

    function payOwed(uint256 episodeSeed) external instrument("escrow.payOwed") {
        // Good: an episode holding a payout from a freeze, once its payee is unfrozen. Bad: an episode that
        // owes nothing (NothingOwed).
        bool bad = _bad(episodeSeed);
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickWhere(episodeSeed, bad ? _owesNothing : _owed);
        if (!found) return bad ? () : _advance(episodeSeed);
        Before memory b = _before(id);
        Ghosts.Flows memory f = ghosts.episodeFlows(id);
        Observation memory before = _observe(f.splitIndex, f.patientIndex);
        vm.prank(world.keeper());
        try escrow.payOwed(id, terms) {
            ghosts.countSuccess();
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(f.splitIndex, f.patientIndex));
            if (paid != b.owed || escrow.owed(id) != 0) _violation("E4: payOwed paid other than what was owed");
            if (b.owed == 0) _acceptedBad("escrow.payOwed with nothing owed");
            if (deposited + fundRefund + patientRefund != 0) _violation("payOwed moved payers' money");
            ghosts.addEpisodeFlows(id, deposited, paid, fundRefund, patientRefund);
            ghosts.countEvent("owed payout paid after unfreeze");
        } catch (bytes memory reason) {
            if (b.owed == 0) _refusedWith(reason, Errors.OutcomeEscrow_NothingOwed.selector, "escrow.payOwed");
            else _refused(reason);
            if (b.owed > 0 && !before.payeeFrozen) _violation("E4: owed payout refused after the unfreeze");
        }
    }

    /// @dev Sends a payer the escrow refunds held while its account was frozen in CareUSD (by a keeper).
    function claimRefund(uint256 accountSeed) external instrument("escrow.claimRefund") {
        address account = accountSeed % 4 == 3 ? world.fund() : world.patient(accountSeed % 4);
        uint256 held = escrow.heldRefundOf(account);
        uint256 balanceBefore = token.balanceOf(account);
        vm.prank(world.keeper());
        try escrow.claimRefund(account) {
            ghosts.countSuccess();
            if (token.balanceOf(account) != balanceBefore + held) _violation("escrow claimRefund sent other than held");
            if (escrow.heldRefundOf(account) != 0) _violation("escrow claimRefund left a held refund");
            ghosts.countEvent("escrow held refund claimed");
        } catch (bytes memory reason) {
            _refused(reason);
            if (held > 0 && !token.isFrozen(account)) _violation("escrow claimRefund refused with a refund held");
        }
    }

    /// @dev A good call whose own step finds no episode in the state it needs advances an active episode (from
    /// `seed`) by its next valid step instead, counted under that step's name: expired, refund; Pending,
    /// attest; Attested, dispute one time in four within the window, else settle (the keeper waits out the
    /// window, at most 3 days); Disputed, resolve. So the lifecycle (k of n, challenge window, dispute,
    /// ruling, settlement, expiry) is walked far more often than a uniform choice of steps would. No active
    /// episode: open one.
    function _advance(uint256 seed) private {
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickWhere(seed, _active);
        if (!found) {
            // No active episode: one is opened (by the patient or the fund, never a stranger).
            ghosts.recount("escrow.createEpisode");
            return _createEpisode(seed, seed >> 8, _goodSeed(seed >> 16), seed >> 24, seed >> 32);
        }
        Episodes.Progress memory p = _progress(id);
        if (_expired(id)) {
            ghosts.recount("escrow.refundExpired");
            _refundExpired(id, terms, bytes4(0));
        } else if (p.milestoneStatus == Episodes.MilestoneStatus.Pending) {
            if (!_attestable(id)) return; // every attestor voted and no tier reached k: it can only expire
            ghosts.recount("escrow.attest");
            _attest(id, terms, _attempt(id, terms, type(uint256).max, seed, seed >> 32));
        } else if (p.milestoneStatus == Episodes.MilestoneStatus.Attested) {
            if (block.timestamp < p.deadline && (seed >> 8) % 4 == 0) {
                ghosts.recount("escrow.dispute");
                uint8 patientIndex = ghosts.episodeFlows(id).patientIndex;
                _dispute(id, terms, (seed >> 16) % 2 == 0 ? world.patient(patientIndex) : world.fund(), bytes4(0));
            } else {
                if (block.timestamp < p.deadline) vm.warp(p.deadline);
                ghosts.recount("escrow.settle");
                _settle(id, terms, bytes4(0));
            }
        } else {
            ghosts.recount("escrow.resolve");
            _resolve(id, terms, world.arbiter(), uint8((seed >> 24) % terms.outcome.tierBps.length), bytes4(0));
        }
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice What an ended episode keeps forever (X6, E3): its terms, ledger, progress and refunds.
    /// `owed` is left out: it only falls, to zero, when paid after a freeze (checked in `payOwed`).
    function snapshotOf(uint256 id) public view returns (bytes32) {
        Episodes.Episode memory e = escrow.getEpisode(id);
        Ghosts.Flows memory f = ghosts.episodeFlows(id);
        return keccak256(abi.encode(e.termsHash, e.ledger, e.progress, f.deposited, f.fundRefunded, f.patientRefunded));
    }

    /// @dev Checks one settled milestone's money: payout = floor(amount × tierBps / 10,000) to the split
    /// (or held as owed under a freeze), the rest back to the payers; marks the episode ended if it is.
    function _checkSettlement(
        uint256 id,
        Episodes.Terms memory terms,
        Before memory b,
        uint8 tier,
        Observation memory before
    ) private {
        Ghosts.Flows memory f = ghosts.episodeFlows(id);
        Moved memory m = _moved(before, _observe(f.splitIndex, f.patientIndex));
        uint256 amount = terms.milestones[b.index].amount;
        uint256 payout = amount * terms.outcome.tierBps[tier] / 10_000;
        uint256 heldNow = escrow.owed(id) - b.owed;
        if (m.paid + heldNow != payout) _violation("E: a milestone paid other than floor(amount x tierBps / 10000)");
        if (heldNow > 0 && !before.payeeFrozen) _violation("E4: a payout was held with nothing frozen");
        ghosts.countEvent(heldNow > 0 ? "milestone settled, payout held (frozen)" : "milestone settled");
        if (token.isFrozen(world.patient(f.patientIndex))) {
            ghosts.countEvent("milestone settled, patient frozen in CareUSD");
        }
        if (m.fundRefund + m.patientRefund != amount - payout) {
            _violation("E2: a milestone refunded other than the rest");
        }
        if (m.deposited != 0) _violation("a settlement took payers' money");
        ghosts.addEpisodeFlows(id, m.deposited, m.paid, m.fundRefund, m.patientRefund);
        _markIfEnded(id);
    }

    function _markIfEnded(uint256 id) private {
        if (escrow.getEpisode(id).progress.status != Episodes.EpisodeStatus.Active) {
            ghosts.markEpisodeTerminal(id, snapshotOf(id));
        }
    }

    function _before(uint256 id) private view returns (Before memory b) {
        Episodes.Episode memory e = escrow.getEpisode(id);
        b.status = e.progress.status;
        b.index = e.progress.milestoneIndex;
        b.milestone = e.progress.milestoneStatus;
        b.tier = e.progress.tierIndex;
        b.deadline = e.progress.deadline;
        b.attestedMask = e.progress.attestedMask;
        b.owed = e.owed;
        b.held = e.ledger.fundIn + e.ledger.patientIn - e.ledger.fundOut - e.ledger.patientOut;
    }

    /// @dev The first episode from `seed` (in id order, wrapping) that `wanted` accepts; none: nothing to do.
    function _pickWhere(uint256 seed, function(uint256) view returns (bool) wanted)
        private
        view
        returns (bool found, uint256 id, Episodes.Terms memory terms)
    {
        uint256 count = ghosts.episodeCount();
        for (uint256 k; k < count; ++k) {
            uint256 index = (seed % count + k) % count;
            if (wanted(ghosts.episodeIds(index))) return _pick(index);
        }
    }

    function _progress(uint256 id) private view returns (Episodes.Progress memory) {
        return escrow.getEpisode(id).progress;
    }

    function _active(uint256 id) private view returns (bool) {
        return _progress(id).status == Episodes.EpisodeStatus.Active;
    }

    function _ended(uint256 id) private view returns (bool) {
        return !_active(id);
    }

    /// @dev Active, Pending, before its deadline, and some attestor has not attested yet.
    function _attestable(uint256 id) private view returns (bool) {
        Episodes.Progress memory p = _progress(id);
        uint256 attestors = abi.decode(ghosts.episodeTerms(id), (Episodes.Terms)).outcome.attestors.length;
        return p.status == Episodes.EpisodeStatus.Active && p.milestoneStatus == Episodes.MilestoneStatus.Pending
            && block.timestamp < p.deadline && p.attestedMask != (1 << attestors) - 1;
    }

    /// @dev Attestable, and someone has already attested this milestone.
    function _reAttestable(uint256 id) private view returns (bool) {
        return _attestable(id) && _progress(id).attestedMask != 0;
    }

    function _attested(uint256 id) private view returns (bool) {
        Episodes.Progress memory p = _progress(id);
        return p.status == Episodes.EpisodeStatus.Active && p.milestoneStatus == Episodes.MilestoneStatus.Attested;
    }

    /// @dev Attested, within its challenge window.
    function _disputable(uint256 id) private view returns (bool) {
        return _attested(id) && block.timestamp < _progress(id).deadline;
    }

    /// @dev Attested, its challenge window over.
    function _settleable(uint256 id) private view returns (bool) {
        return _attested(id) && block.timestamp >= _progress(id).deadline;
    }

    /// @dev Disputed, before its arbitration deadline.
    function _resolvable(uint256 id) private view returns (bool) {
        Episodes.Progress memory p = _progress(id);
        return p.status == Episodes.EpisodeStatus.Active && p.milestoneStatus == Episodes.MilestoneStatus.Disputed
            && block.timestamp < p.deadline;
    }

    /// @dev Active, Pending or Disputed, its deadline passed.
    function _expired(uint256 id) private view returns (bool) {
        Episodes.Progress memory p = _progress(id);
        bool expirable = p.milestoneStatus == Episodes.MilestoneStatus.Pending
            || p.milestoneStatus == Episodes.MilestoneStatus.Disputed;
        return p.status == Episodes.EpisodeStatus.Active && expirable && block.timestamp >= p.deadline;
    }

    /// @dev Active, Pending, its attestation deadline passed (refundable, no longer attestable).
    function _expiredPending(uint256 id) private view returns (bool) {
        return _expired(id) && _progress(id).milestoneStatus == Episodes.MilestoneStatus.Pending;
    }

    /// @dev Active, Disputed, its arbitration deadline passed.
    function _expiredDispute(uint256 id) private view returns (bool) {
        return _expired(id) && _progress(id).milestoneStatus == Episodes.MilestoneStatus.Disputed;
    }

    /// @dev A payout held during a freeze, its payee unfrozen now.
    function _owed(uint256 id) private view returns (bool) {
        return escrow.owed(id) > 0 && !_payeeFrozen(ghosts.episodeFlows(id).splitIndex);
    }

    function _owesNothing(uint256 id) private view returns (bool) {
        return escrow.owed(id) == 0;
    }

    /// @dev One of the episode's attestors who has not attested the current milestone (from `seed`).
    function _freshAttestor(Episodes.Terms memory terms, uint8 mask, uint256 seed) private pure returns (address) {
        uint256 n = terms.outcome.attestors.length;
        for (uint256 k; k < n; ++k) {
            uint256 position = (seed % n + k) % n;
            if ((mask >> position) & 1 == 0) return terms.outcome.attestors[position];
        }
        return terms.outcome.attestors[seed % n];
    }

    /// @dev One of the episode's attestors who has already attested the current milestone.
    function _pastAttestor(Episodes.Terms memory terms, uint8 mask, uint256 seed) private pure returns (address) {
        uint256 n = terms.outcome.attestors.length;
        for (uint256 k; k < n; ++k) {
            uint256 position = (seed % n + k) % n;
            if ((mask >> position) & 1 == 1) return terms.outcome.attestors[position];
        }
        return terms.outcome.attestors[seed % n];
    }

    /// @dev Someone not named by the episode: a practitioner or the lab it does not name, or a stranger.
    function _outsider(Episodes.Terms memory terms, uint256 seed) private view returns (address) {
        address[4] memory others = [world.practitioner(0), world.practitioner(1), world.lab(), world.stranger()];
        for (uint256 k; k < 4; ++k) {
            address candidate = others[(seed % 4 + k) % 4];
            (bool named,) = _attestorPosition(terms, candidate);
            if (!named) return candidate;
        }
        return world.stranger();
    }

    function _pick(uint256 seed) private view returns (bool found, uint256 id, Episodes.Terms memory terms) {
        uint256 count = ghosts.episodeCount();
        if (count == 0) return (false, 0, terms);
        id = ghosts.episodeIds(seed % count);
        terms = abi.decode(ghosts.episodeTerms(id), (Episodes.Terms));
        found = true;
    }

    function _attestorPosition(Episodes.Terms memory terms, address attestor)
        private
        pure
        returns (bool named, uint256 position)
    {
        for (uint256 k; k < terms.outcome.attestors.length; ++k) {
            if (terms.outcome.attestors[k] == attestor) return (true, k);
        }
    }

    function _terms(uint8 p, uint8 i, uint256 milestoneSeed, uint256 outcomeSeed)
        private
        view
        returns (Episodes.Terms memory terms)
    {
        terms.programId = programId;
        terms.patientId = world.patientId(p);
        terms.splitId = world.split(i);

        uint256 count = 1 + milestoneSeed % 4;
        // Each milestone up to 800 CareUSD, all of them together within the institution's remaining budget.
        uint256 perMilestone = _chargeCap(i, count * 800 * UNIT) / count;
        terms.milestones = new Episodes.Milestone[](count);
        uint256 deadline = block.timestamp;
        for (uint256 m; m < count; ++m) {
            uint256 r = uint256(keccak256(abi.encode(milestoneSeed, m)));
            deadline += _bound(r >> 128, 1 hours, 20 days);
            terms.milestones[m] =
                Episodes.Milestone({amount: uint128(_bound(r & type(uint64).max, 1, perMilestone)), deadline: uint40(deadline)});
        }

        address[3] memory candidates = [world.practitioner(0), world.practitioner(1), world.lab()];
        uint256 mask = 1 + outcomeSeed % 7; // a non-empty subset of the three candidates
        uint256 attestorCount;
        for (uint256 k; k < 3; ++k) if ((mask >> k) & 1 == 1) ++attestorCount;
        terms.outcome.attestors = new address[](attestorCount);
        uint256 next;
        for (uint256 k; k < 3; ++k) if ((mask >> k) & 1 == 1) terms.outcome.attestors[next++] = candidates[k];
        terms.outcome.threshold = uint8(1 + (outcomeSeed >> 8) % attestorCount);

        uint256 table = (outcomeSeed >> 16) % 4;
        if (table == 0) {
            terms.outcome.tierBps = new uint16[](1);
            terms.outcome.tierBps[0] = 10_000;
        } else if (table == 1) {
            terms.outcome.tierBps = new uint16[](3);
            (terms.outcome.tierBps[0], terms.outcome.tierBps[1], terms.outcome.tierBps[2]) = (10_000, 5_000, 0);
        } else if (table == 2) {
            terms.outcome.tierBps = new uint16[](4);
            (terms.outcome.tierBps[0], terms.outcome.tierBps[1]) = (9_999, 6_667);
            (terms.outcome.tierBps[2], terms.outcome.tierBps[3]) = (3_333, 1);
        } else {
            terms.outcome.tierBps = new uint16[](2);
            (terms.outcome.tierBps[0], terms.outcome.tierBps[1]) = (7_500, 2_500);
        }
        terms.outcome.challengeWindow = uint32(_bound(outcomeSeed >> 24, 1 hours, 3 days));
        terms.outcome.arbitrationWindow = uint32(_bound(outcomeSeed >> 64, 1 hours, 3 days));
    }
}
