// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Episodes} from "../../../contracts/types/Episodes.sol";

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives OutcomeEscrow: create episodes (1-4 milestones, 1-3 attestors, k of n, several tier
/// tables), attest (named attestors and a stranger, valid and out-of-range tiers), dispute, resolve, settle,
/// refund after expiry, pay what a freeze held and send refunds held for token-frozen payers. Every
/// successful call is checked against the state machine and deadlines of INVARIANTS.md §6, and its money
/// against the payout rule floor(amount × tierBps / 10,000) with the rest refunded.
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
        if (ghosts.episodeCount() >= MAX_ITEMS) return;
        uint8 p = _patientIndex(patientSeed);
        uint8 i = _institutionIndex(institutionSeed, p);
        Episodes.Terms memory terms = _terms(p, i, milestoneSeed, outcomeSeed);
        uint256 charge;
        for (uint256 m; m < terms.milestones.length; ++m) charge += terms.milestones[m].amount;
        address initiator = _initiator(initiatorSeed, p);
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
            ghosts.addEpisode(id, i, p, abi.encode(terms));
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(i, p));
            if (deposited != charge) _violation("R1: the payers together did not pay the episode's price");
            ghosts.addEpisodeFlows(id, deposited, paid, fundRefund, patientRefund);
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function attest(uint256 episodeSeed, uint256 attestorSeed, uint256 tierSeed) external instrument("escrow.attest") {
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickIn(episodeSeed, Episodes.MilestoneStatus.Pending);
        if (!found) return;
        // Mostly one of the episode's own attestors; one time in five someone else (a named attestor of
        // another episode, or a stranger), who must be refused.
        address[4] memory others = [world.practitioner(0), world.practitioner(1), world.lab(), world.stranger()];
        address attestor = attestorSeed % 5 == 0
            ? others[(attestorSeed / 5) % 4]
            : terms.outcome.attestors[(attestorSeed / 5) % terms.outcome.attestors.length];
        // Mostly the tier the attestors agree on for this milestone (so k of n is reached), sometimes another
        // valid tier (split votes), one time in eight one past the last (out of range, refused).
        uint256 tierCount = terms.outcome.tierBps.length;
        uint256 consensus = uint256(keccak256(abi.encode(id, escrow.getEpisode(id).progress.milestoneIndex))) % tierCount;
        uint256 choice = tierSeed % 8;
        uint8 tier = uint8(choice == 0 ? tierCount : (choice == 1 ? (tierSeed / 8) % tierCount : consensus));
        Before memory b = _before(id);
        (bool named, uint256 position) = _attestorPosition(terms, attestor);

        vm.prank(attestor);
        try escrow.attest(id, terms, tier, keccak256(abi.encode("evidence", id, attestor))) {
            ghosts.countSuccess();
            if (b.status != Episodes.EpisodeStatus.Active) _violation("E3: an ended episode took an attestation");
            if (b.milestone != Episodes.MilestoneStatus.Pending) _violation("attest on a milestone not Pending");
            if (block.timestamp >= b.deadline) _violation("attest at or after the attestation deadline");
            if (!named) _violation("an account that is not a named attestor attested");
            if (named && (b.attestedMask >> position) & 1 == 1) _violation("E3: an attestor attested twice");
            if (tier >= terms.outcome.tierBps.length) _violation("attest accepted an out-of-range tier");
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function dispute(uint256 episodeSeed, uint256 callerSeed) external instrument("escrow.dispute") {
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickIn(episodeSeed, Episodes.MilestoneStatus.Attested);
        if (!found) return;
        uint8 p = ghosts.episodeFlows(id).patientIndex;
        address[4] memory callers = [world.patient(p), world.fund(), world.stranger(), world.keeper()];
        address caller = callers[callerSeed % 4];
        Before memory b = _before(id);
        vm.prank(caller);
        try escrow.dispute(id, terms, keccak256("reason")) {
            ghosts.countSuccess();
            if (b.status != Episodes.EpisodeStatus.Active) _violation("E3: an ended episode was disputed");
            if (b.milestone != Episodes.MilestoneStatus.Attested) _violation("dispute of a milestone not Attested");
            if (block.timestamp >= b.deadline) _violation("dispute after the challenge window");
            if (caller == world.stranger() || caller == world.keeper()) _violation("a non-payer disputed");
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function resolve(uint256 episodeSeed, uint256 tierSeed, uint256 callerSeed) external instrument("escrow.resolve") {
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickIn(episodeSeed, Episodes.MilestoneStatus.Disputed);
        if (!found) return;
        address caller = callerSeed % 5 == 0 ? world.stranger() : world.arbiter();
        uint256 tierCount = terms.outcome.tierBps.length;
        uint8 tier = uint8(tierSeed % 8 == 0 ? tierCount : (tierSeed / 8) % tierCount);
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
            _checkSettlement(id, terms, b, tier, before);
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function settle(uint256 episodeSeed) external instrument("escrow.settle") {
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickIn(episodeSeed, Episodes.MilestoneStatus.Attested);
        if (!found) return;
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
            _checkSettlement(id, terms, b, b.tier, before);
        } catch (bytes memory reason) {
            _refused(reason);
            bool due = b.status == Episodes.EpisodeStatus.Active && b.milestone == Episodes.MilestoneStatus.Attested
                && block.timestamp >= b.deadline;
            // E4: a Regulator freeze holds the payout and a CareUSD freeze of a payer's account holds its refund;
            // neither blocks the settlement.
            if (due) _violation("E4: a due settlement reverted");
        }
    }

    function refundExpired(uint256 episodeSeed) external instrument("escrow.refundExpired") {
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickExpired(episodeSeed);
        if (!found) return;
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
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(f.splitIndex, f.patientIndex));
            if (paid != 0 || deposited != 0) _violation("an expiry refund paid the split or took money");
            if (fundRefund + patientRefund != b.held) _violation("E2: an expiry refund returned other than held");
            ghosts.addEpisodeFlows(id, deposited, paid, fundRefund, patientRefund);
            ghosts.markEpisodeTerminal(id, snapshotOf(id));
            ghosts.countEvent("episode refunded after expiry");
            if (token.isFrozen(world.patient(f.patientIndex))) {
                ghosts.countEvent("episode refunded after expiry, patient frozen in CareUSD");
            }
        } catch (bytes memory reason) {
            _refused(reason);
            bool due = b.status == Episodes.EpisodeStatus.Active
                && (b.milestone == Episodes.MilestoneStatus.Pending || b.milestone == Episodes.MilestoneStatus.Disputed)
                && block.timestamp >= b.deadline;
            if (due) _violation("E4: an expired episode's refund reverted (refund blocked)");
        }
    }

    function payOwed(uint256 episodeSeed) external instrument("escrow.payOwed") {
        (bool found, uint256 id, Episodes.Terms memory terms) = _pickOwed(episodeSeed);
        if (!found) return;
        Before memory b = _before(id);
        Ghosts.Flows memory f = ghosts.episodeFlows(id);
        Observation memory before = _observe(f.splitIndex, f.patientIndex);
        vm.prank(world.keeper());
        try escrow.payOwed(id, terms) {
            ghosts.countSuccess();
            (uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund) =
                _flows(before, _observe(f.splitIndex, f.patientIndex));
            if (paid != b.owed || escrow.owed(id) != 0) _violation("E4: payOwed paid other than what was owed");
            if (deposited + fundRefund + patientRefund != 0) _violation("payOwed moved payers' money");
            ghosts.addEpisodeFlows(id, deposited, paid, fundRefund, patientRefund);
            ghosts.countEvent("owed payout paid after unfreeze");
        } catch (bytes memory reason) {
            _refused(reason);
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

    /// @dev Three calls in four go to an active episode whose current milestone is in `wanted` (when there is
    /// one), the fourth to any episode: most calls make progress, the rest probe every wrong state.
    function _pickIn(uint256 seed, Episodes.MilestoneStatus wanted)
        private
        view
        returns (bool found, uint256 id, Episodes.Terms memory terms)
    {
        uint256 count = ghosts.episodeCount();
        if (count == 0 || seed % 4 == 0) return _pick(seed);
        for (uint256 k; k < count; ++k) {
            uint256 candidate = ghosts.episodeIds((seed % count + k) % count);
            Episodes.Progress memory progress = escrow.getEpisode(candidate).progress;
            if (progress.status == Episodes.EpisodeStatus.Active && progress.milestoneStatus == wanted) {
                return _pick((seed % count + k) % count);
            }
        }
        return _pick(seed);
    }

    /// @dev Prefers an active episode whose Pending or Disputed milestone has expired.
    function _pickExpired(uint256 seed) private view returns (bool found, uint256 id, Episodes.Terms memory terms) {
        uint256 count = ghosts.episodeCount();
        if (count == 0 || seed % 4 == 0) return _pick(seed);
        for (uint256 k; k < count; ++k) {
            Episodes.Progress memory progress = escrow.getEpisode(ghosts.episodeIds((seed % count + k) % count)).progress;
            bool expirable = progress.milestoneStatus == Episodes.MilestoneStatus.Pending
                || progress.milestoneStatus == Episodes.MilestoneStatus.Disputed;
            if (progress.status == Episodes.EpisodeStatus.Active && expirable && block.timestamp >= progress.deadline) {
                return _pick((seed % count + k) % count);
            }
        }
        return _pick(seed);
    }

    /// @dev Prefers an episode with a payout held during a freeze.
    function _pickOwed(uint256 seed) private view returns (bool found, uint256 id, Episodes.Terms memory terms) {
        uint256 count = ghosts.episodeCount();
        if (count == 0 || seed % 4 == 0) return _pick(seed);
        for (uint256 k; k < count; ++k) {
            if (escrow.owed(ghosts.episodeIds((seed % count + k) % count)) > 0) return _pick((seed % count + k) % count);
        }
        return _pick(seed);
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
        terms.milestones = new Episodes.Milestone[](count);
        uint256 deadline = block.timestamp;
        for (uint256 m; m < count; ++m) {
            uint256 r = uint256(keccak256(abi.encode(milestoneSeed, m)));
            deadline += _bound(r >> 128, 1 hours, 20 days);
            terms.milestones[m] =
                Episodes.Milestone({amount: uint128(_bound(r & type(uint64).max, 1, 800 * UNIT)), deadline: uint40(deadline)});
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
