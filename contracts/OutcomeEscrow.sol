// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IOutcomeEscrow} from "./interfaces/IOutcomeEscrow.sol";
import {IRegulator} from "./interfaces/IRegulator.sol";
import {ISplitRouter} from "./interfaces/ISplitRouter.sol";
import {Errors} from "./libraries/Errors.sol";
import {PayerShares} from "./libraries/PayerShares.sol";
import {Episodes} from "./types/Episodes.sol";
import {Supervision} from "./types/Supervision.sol";

/// @title OutcomeEscrow
/// @notice See the documentation in {IOutcomeEscrow}.
/// @dev Storage choice: an episode keeps only the hash of its terms, its PayerShares ledger (one packed slot), one
/// packed progress slot and the owed amount; creation writes 3 new slots whatever the number of milestones and
/// attestors. Storing the terms would cost one new slot per milestone and per attestor (up to 12 + 8 more
/// at 22,100 gas each); passing them back costs a few thousand gas of calldata and one hash per later call,
/// and reading them from calldata is cheaper than reading them from cold storage.
contract OutcomeEscrow is IOutcomeEscrow, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using PayerShares for PayerShares.Ledger;
    using PayerShares for PayerShares.Packed;

    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTANTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOutcomeEscrow
    /// @dev 12 fits the 24-bit settled-tier record (2 bits per milestone) and a year of monthly stages.
    uint256 public constant override MAX_MILESTONES = 12;

    /// @inheritdoc IOutcomeEscrow
    uint256 public constant override MAX_ATTESTORS = 8;

    /// @inheritdoc IOutcomeEscrow
    uint256 public constant override MAX_TIERS = 4;

    /// @inheritdoc IOutcomeEscrow
    uint256 public constant override BPS_SCALE = 10_000;

    /*//////////////////////////////////////////////////////////////////////////
                                  STATE VARIABLES
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOutcomeEscrow
    IERC20 public immutable override token;

    /// @inheritdoc IOutcomeEscrow
    IRegulator public immutable override regulator;

    /// @inheritdoc IOutcomeEscrow
    ISplitRouter public immutable override router;

    /// @dev The Regulator's ARBITER_ROLE, a constant there, read once.
    bytes32 private immutable _ARBITER_ROLE;

    /// @inheritdoc IOutcomeEscrow
    uint256 public override nextEpisodeId;

    mapping(uint256 episodeId => Episodes.EpisodeRecord) private _episodes;

    /// @dev Refunds the token refused to deliver (the payer's account frozen in it), per receiving account.
    mapping(address account => uint256 amount) private _heldRefunds;

    /*//////////////////////////////////////////////////////////////////////////
                                    CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    constructor(IERC20 token_, IRegulator regulator_, ISplitRouter router_) {
        if (address(regulator_) == address(0)) revert Errors.OutcomeEscrow_RegulatorZeroAddress();
        if (address(router_) == address(0)) revert Errors.OutcomeEscrow_RouterZeroAddress();
        IERC20 routerToken = router_.token();
        if (address(token_) != address(routerToken)) {
            revert Errors.OutcomeEscrow_TokenMismatch(address(token_), address(routerToken));
        }
        token = token_;
        regulator = regulator_;
        router = router_;
        _ARBITER_ROLE = regulator_.ARBITER_ROLE();
        nextEpisodeId = 1;
        // The router pulls each payout from this contract in `pay`, which only this contract calls for its own
        // payouts, so one unlimited approval lets it take nothing more; it saves an approval write per payout.
        token_.forceApprove(address(router_), type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////////////////
                           USER-FACING READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOutcomeEscrow
    function hashTerms(Episodes.Terms calldata terms) external pure override returns (bytes32) {
        return keccak256(abi.encode(terms));
    }

    /// @inheritdoc IOutcomeEscrow
    function getEpisode(uint256 episodeId) external view override returns (Episodes.Episode memory) {
        Episodes.EpisodeRecord storage episode = _existing(episodeId);
        return Episodes.Episode({
            termsHash: episode.termsHash,
            ledger: episode.ledger.load(),
            progress: episode.progress,
            owed: episode.owed
        });
    }

    /// @inheritdoc IOutcomeEscrow
    function currentMilestone(uint256 episodeId)
        external
        view
        override
        returns (uint8 index, Episodes.MilestoneStatus status, uint8 tierIndex, uint40 deadline)
    {
        Episodes.Progress memory progress = _existing(episodeId).progress;
        return (progress.milestoneIndex, progress.milestoneStatus, progress.tierIndex, progress.deadline);
    }

    /// @inheritdoc IOutcomeEscrow
    function milestoneState(uint256 episodeId, uint256 milestoneIndex)
        external
        view
        override
        returns (Episodes.MilestoneStatus status, uint8 tierIndex)
    {
        Episodes.Progress memory progress = _existing(episodeId).progress;
        if (milestoneIndex >= progress.milestoneCount) {
            revert Errors.OutcomeEscrow_MilestoneOutOfRange(episodeId, milestoneIndex, progress.milestoneCount);
        }
        if (milestoneIndex < progress.milestoneIndex) {
            return (Episodes.MilestoneStatus.Settled, _settledTier(progress.settledTiers, milestoneIndex));
        }
        if (milestoneIndex == progress.milestoneIndex) {
            return (progress.milestoneStatus, progress.tierIndex);
        }
        // A later milestone waits while the episode runs and went back to the payers if it was refunded.
        status = progress.status == Episodes.EpisodeStatus.Refunded
            ? Episodes.MilestoneStatus.Refunded
            : Episodes.MilestoneStatus.Pending;
        return (status, 0);
    }

    /// @inheritdoc IOutcomeEscrow
    function attestationCounts(uint256 episodeId)
        external
        view
        override
        returns (uint8 attestedMask, uint8[4] memory votes)
    {
        Episodes.Progress memory progress = _existing(episodeId).progress;
        attestedMask = progress.attestedMask;
        for (uint256 tier = 0; tier < MAX_TIERS; ++tier) {
            votes[tier] = _votes(progress.tierVotes, tier);
        }
    }

    /// @inheritdoc IOutcomeEscrow
    function refundable(uint256 episodeId) external view override returns (uint128 fundAmount, uint128 patientAmount) {
        Episodes.EpisodeRecord storage episode = _existing(episodeId);
        Episodes.Progress memory progress = episode.progress;
        bool expirable = progress.milestoneStatus == Episodes.MilestoneStatus.Pending
            || progress.milestoneStatus == Episodes.MilestoneStatus.Disputed;
        if (progress.status == Episodes.EpisodeStatus.Active && expirable && block.timestamp >= progress.deadline) {
            return episode.ledger.load().balances();
        }
        return (0, 0);
    }

    /// @inheritdoc IOutcomeEscrow
    function owed(uint256 episodeId) external view override returns (uint128) {
        return _existing(episodeId).owed;
    }

    /// @inheritdoc IOutcomeEscrow
    function heldRefundOf(address account) external view override returns (uint256) {
        return _heldRefunds[account];
    }

    /*//////////////////////////////////////////////////////////////////////////
                         USER-FACING STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOutcomeEscrow
    function createEpisode(Episodes.CreateParams calldata params)
        external
        override
        nonReentrant
        returns (uint256 episodeId)
    {
        Episodes.Terms calldata terms = params.terms;
        uint128 charge = _validateTerms(terms);
        if (!router.splitExists(terms.splitId)) revert Errors.OutcomeEscrow_SplitNotFound(terms.splitId);

        // The Regulator checks every rule and commits the fund share; its errors propagate unchanged.
        (uint256 reservationId, Supervision.Quote memory quote) = regulator.reserve(
            Supervision.Claim({
                programId: terms.programId,
                patientId: terms.patientId,
                institution: params.institution,
                practitioner: params.practitioner,
                serviceType: params.serviceType,
                payee: terms.splitId,
                initiator: msg.sender,
                charge: charge
            })
        );

        // Effects: three new slots (terms hash, ledger, progress); `owed` stays zero.
        episodeId = nextEpisodeId;
        unchecked {
            // Ids grow by one per episode; 2^256 episodes are out of reach.
            nextEpisodeId = episodeId + 1;
        }
        bytes32 termsHash = keccak256(abi.encode(terms));
        Episodes.EpisodeRecord storage episode = _episodes[episodeId];
        episode.termsHash = termsHash;
        episode.ledger.store(
            PayerShares.Ledger({fundIn: quote.fundShare, patientIn: quote.patientShare, fundOut: 0, patientOut: 0})
        );
        episode.progress = Episodes.Progress({
            status: Episodes.EpisodeStatus.Active,
            milestoneCount: uint8(terms.milestones.length), // <= MAX_MILESTONES, checked
            milestoneIndex: 0,
            milestoneStatus: Episodes.MilestoneStatus.Pending,
            tierIndex: 0,
            deadline: terms.milestones[0].deadline,
            attestedMask: 0,
            tierVotes: 0,
            settledTiers: 0,
            reservationId: reservationId.toUint64()
        });

        emit EpisodeCreated(
            episodeId,
            reservationId,
            msg.sender,
            params.institution,
            params.practitioner,
            params.serviceType,
            termsHash,
            terms,
            quote.fundShare,
            quote.patientShare
        );

        // Interactions: pull each share from its payer's current account.
        // Both accounts in one call; the reservation and the patient's record are warm after `reserve`.
        (address fundAccount, address patientAccount) = regulator.reservationAccounts(reservationId);
        if (quote.fundShare > 0) token.safeTransferFrom(fundAccount, address(this), quote.fundShare);
        if (quote.patientShare > 0) token.safeTransferFrom(patientAccount, address(this), quote.patientShare);
    }

    /// @inheritdoc IOutcomeEscrow
    function attest(uint256 episodeId, Episodes.Terms calldata terms, uint8 tierIndex, bytes32 evidenceHash)
        external
        override
        nonReentrant
    {
        (Episodes.EpisodeRecord storage episode, Episodes.Progress memory progress) = _activeEpisode(episodeId, terms);
        uint256 attestorBit = 1 << _attestorIndex(episodeId, terms.outcome.attestors, msg.sender);
        _requireMilestoneStatus(episodeId, progress, Episodes.MilestoneStatus.Pending);
        if (block.timestamp >= progress.deadline) {
            revert Errors.OutcomeEscrow_AttestationDeadlinePassed(
                episodeId, progress.milestoneIndex, progress.deadline, block.timestamp
            );
        }
        _requireTier(episodeId, terms, tierIndex);
        if (progress.attestedMask & attestorBit != 0) {
            revert Errors.OutcomeEscrow_AlreadyAttested(episodeId, progress.milestoneIndex, msg.sender);
        }

        // At most MAX_ATTESTORS (8) attestations per milestone, so a tier's count fits its byte.
        uint8 votes = _votes(progress.tierVotes, tierIndex) + 1;
        progress.attestedMask |= uint8(attestorBit);
        progress.tierVotes = _withVotes(progress.tierVotes, tierIndex, votes);
        bool reached = votes == terms.outcome.threshold;
        if (reached) {
            progress.milestoneStatus = Episodes.MilestoneStatus.Attested;
            progress.tierIndex = tierIndex;
            progress.deadline = uint40(block.timestamp) + terms.outcome.challengeWindow;
        }
        episode.progress = progress;

        emit Attested(episodeId, progress.milestoneIndex, msg.sender, tierIndex, evidenceHash, votes);
        if (reached) {
            emit OutcomeAttested(
                episodeId, progress.milestoneIndex, tierIndex, terms.outcome.tierBps[tierIndex], progress.deadline
            );
        }
    }

    /// @inheritdoc IOutcomeEscrow
    function dispute(uint256 episodeId, Episodes.Terms calldata terms, bytes32 reasonHash)
        external
        override
        nonReentrant
    {
        (Episodes.EpisodeRecord storage episode, Episodes.Progress memory progress) = _activeEpisode(episodeId, terms);
        _requireMilestoneStatus(episodeId, progress, Episodes.MilestoneStatus.Attested);
        if (block.timestamp >= progress.deadline) {
            revert Errors.OutcomeEscrow_ChallengeWindowOver(
                episodeId, progress.milestoneIndex, progress.deadline, block.timestamp
            );
        }
        if (!_isPayer(terms, msg.sender)) revert Errors.OutcomeEscrow_NotPayer(episodeId, msg.sender);

        progress.milestoneStatus = Episodes.MilestoneStatus.Disputed;
        progress.deadline = uint40(block.timestamp) + terms.outcome.arbitrationWindow;
        episode.progress = progress;

        emit Disputed(episodeId, progress.milestoneIndex, msg.sender, reasonHash, progress.deadline);
    }

    /// @inheritdoc IOutcomeEscrow
    function resolve(uint256 episodeId, Episodes.Terms calldata terms, uint8 tierIndex, bytes32 evidenceHash)
        external
        override
        nonReentrant
    {
        if (!IAccessControl(address(regulator)).hasRole(_ARBITER_ROLE, msg.sender)) {
            revert Errors.OutcomeEscrow_NotArbiter(msg.sender);
        }
        (Episodes.EpisodeRecord storage episode, Episodes.Progress memory progress) = _activeEpisode(episodeId, terms);
        _requireMilestoneStatus(episodeId, progress, Episodes.MilestoneStatus.Disputed);
        if (block.timestamp >= progress.deadline) {
            revert Errors.OutcomeEscrow_ArbitrationDeadlinePassed(
                episodeId, progress.milestoneIndex, progress.deadline, block.timestamp
            );
        }
        _requireTier(episodeId, terms, tierIndex);

        emit Resolved(episodeId, progress.milestoneIndex, msg.sender, tierIndex, evidenceHash);
        _settle(episodeId, episode, progress, terms, tierIndex);
    }

    /// @inheritdoc IOutcomeEscrow
    function settle(uint256 episodeId, Episodes.Terms calldata terms) external override nonReentrant {
        (Episodes.EpisodeRecord storage episode, Episodes.Progress memory progress) = _activeEpisode(episodeId, terms);
        _requireMilestoneStatus(episodeId, progress, Episodes.MilestoneStatus.Attested);
        if (block.timestamp < progress.deadline) {
            revert Errors.OutcomeEscrow_ChallengeWindowNotOver(
                episodeId, progress.milestoneIndex, progress.deadline, block.timestamp
            );
        }
        _settle(episodeId, episode, progress, terms, progress.tierIndex);
    }

    /// @inheritdoc IOutcomeEscrow
    function refundExpired(uint256 episodeId, Episodes.Terms calldata terms) external override nonReentrant {
        (Episodes.EpisodeRecord storage episode, Episodes.Progress memory progress) = _activeEpisode(episodeId, terms);
        // Every branch below either sets the reason or reverts.
        // slither-disable-next-line uninitialized-local
        Episodes.RefundReason reason;
        if (progress.milestoneStatus == Episodes.MilestoneStatus.Pending) {
            reason = Episodes.RefundReason.AttestationExpired;
        } else if (progress.milestoneStatus == Episodes.MilestoneStatus.Disputed) {
            reason = Episodes.RefundReason.ArbitrationExpired;
        } else {
            // Attested: the outcome stands once its challenge window is over, so it settles instead.
            revert Errors.OutcomeEscrow_MilestoneNotRefundable(
                episodeId, progress.milestoneIndex, uint8(progress.milestoneStatus)
            );
        }
        if (block.timestamp < progress.deadline) {
            revert Errors.OutcomeEscrow_NotExpired(
                episodeId, progress.milestoneIndex, progress.deadline, block.timestamp
            );
        }

        // Everything the payers still have in goes back; recordOut of the whole total empties both balances.
        PayerShares.Ledger memory ledger = episode.ledger.load();
        (uint128 fundRefund, uint128 patientRefund) = ledger.recordOut(ledger.total());
        episode.ledger.store(ledger);
        progress.status = Episodes.EpisodeStatus.Refunded;
        progress.milestoneStatus = Episodes.MilestoneStatus.Refunded;
        episode.progress = progress;

        emit EpisodeRefunded(episodeId, progress.milestoneIndex, reason, fundRefund, patientRefund);
        _refund(episodeId, progress.reservationId, fundRefund, patientRefund);
    }

    /// @inheritdoc IOutcomeEscrow
    function payOwed(uint256 episodeId, Episodes.Terms calldata terms) external override nonReentrant {
        Episodes.EpisodeRecord storage episode = _existing(episodeId);
        _requireTerms(episode, episodeId, terms);
        uint128 amount = episode.owed;
        if (amount == 0) revert Errors.OutcomeEscrow_NothingOwed(episodeId);
        // Reverts with the Regulator's error while the institution or program is still frozen.
        regulator.checkPayout(episode.progress.reservationId);

        episode.owed = 0;
        emit OwedPaid(episodeId, terms.splitId, amount);
        _pay(terms.splitId, amount);
    }

    /// @inheritdoc IOutcomeEscrow
    function claimRefund(address account) external override nonReentrant {
        uint256 amount = _heldRefunds[account];
        if (amount == 0) revert Errors.OutcomeEscrow_NoHeldRefund(account);
        delete _heldRefunds[account];
        emit RefundClaimed(account, msg.sender, amount);
        // Always to the account itself: a caller other than the payer can only deliver, never redirect.
        token.safeTransfer(account, amount);
    }

    /*//////////////////////////////////////////////////////////////////////////
                             INTERNAL READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Checks the terms and returns the charge: the sum of the milestone amounts.
    function _validateTerms(Episodes.Terms calldata terms) private view returns (uint128) {
        uint256 charge = _validateMilestones(terms.milestones);
        Episodes.OutcomeSpec calldata outcome = terms.outcome;
        _validateAttestors(outcome.attestors, outcome.threshold);
        _validateTiers(outcome.tierBps);
        if (outcome.challengeWindow == 0) revert Errors.OutcomeEscrow_ChallengeWindowZero();
        if (outcome.arbitrationWindow == 0) revert Errors.OutcomeEscrow_ArbitrationWindowZero();
        if (charge > type(uint128).max) revert Errors.OutcomeEscrow_ChargeOverflow(charge);
        return uint128(charge);
    }

    function _validateMilestones(Episodes.Milestone[] calldata milestones) private view returns (uint256 charge) {
        uint256 count = milestones.length;
        if (count == 0 || count > MAX_MILESTONES) {
            revert Errors.OutcomeEscrow_MilestoneCountOutOfRange(count, MAX_MILESTONES);
        }
        uint40 previousDeadline = uint40(block.timestamp);
        for (uint256 i = 0; i < count; ++i) {
            Episodes.Milestone calldata milestone = milestones[i];
            if (milestone.amount == 0) revert Errors.OutcomeEscrow_MilestoneAmountZero(i);
            if (milestone.deadline <= previousDeadline) {
                if (i == 0) revert Errors.OutcomeEscrow_DeadlineNotInFuture(0, milestone.deadline, block.timestamp);
                revert Errors.OutcomeEscrow_DeadlinesNotIncreasing(i, previousDeadline, milestone.deadline);
            }
            previousDeadline = milestone.deadline;
            // At most 12 amounts below 2^128 each: the sum cannot overflow 256 bits.
            charge += milestone.amount;
        }
    }

    function _validateAttestors(address[] calldata attestors, uint8 threshold) private pure {
        uint256 count = attestors.length;
        if (count == 0 || count > MAX_ATTESTORS) {
            revert Errors.OutcomeEscrow_AttestorCountOutOfRange(count, MAX_ATTESTORS);
        }
        for (uint256 i = 0; i < count; ++i) {
            address attestor = attestors[i];
            if (attestor == address(0)) revert Errors.OutcomeEscrow_AttestorZeroAddress(i);
            // Pairwise over at most 8 entries: 28 comparisons.
            for (uint256 j = 0; j < i; ++j) {
                if (attestors[j] == attestor) revert Errors.OutcomeEscrow_AttestorDuplicate(i, attestor);
            }
        }
        if (threshold == 0 || threshold > count) revert Errors.OutcomeEscrow_ThresholdOutOfRange(threshold, count);
    }

    function _validateTiers(uint16[] calldata tierBps) private pure {
        uint256 count = tierBps.length;
        if (count == 0 || count > MAX_TIERS) revert Errors.OutcomeEscrow_TierCountOutOfRange(count, MAX_TIERS);
        if (tierBps[0] > BPS_SCALE) revert Errors.OutcomeEscrow_TierAboveScale(tierBps[0], BPS_SCALE);
        for (uint256 i = 1; i < count; ++i) {
            if (tierBps[i] >= tierBps[i - 1]) {
                revert Errors.OutcomeEscrow_TiersNotDescending(i, tierBps[i - 1], tierBps[i]);
            }
        }
    }

    /// @dev The stored episode; reverts for an unknown id.
    function _existing(uint256 episodeId) private view returns (Episodes.EpisodeRecord storage episode) {
        episode = _episodes[episodeId];
        if (episode.progress.status == Episodes.EpisodeStatus.Null) {
            revert Errors.OutcomeEscrow_EpisodeNotFound(episodeId);
        }
    }

    /// @dev The episode and its progress, once it is known to be Active with these terms.
    function _activeEpisode(uint256 episodeId, Episodes.Terms calldata terms)
        private
        view
        returns (Episodes.EpisodeRecord storage episode, Episodes.Progress memory progress)
    {
        episode = _existing(episodeId);
        progress = episode.progress;
        if (progress.status != Episodes.EpisodeStatus.Active) {
            revert Errors.OutcomeEscrow_EpisodeNotActive(episodeId, uint8(progress.status));
        }
        _requireTerms(episode, episodeId, terms);
    }

    function _requireTerms(Episodes.EpisodeRecord storage episode, uint256 episodeId, Episodes.Terms calldata terms)
        private
        view
    {
        bytes32 givenHash = keccak256(abi.encode(terms));
        bytes32 expectedHash = episode.termsHash;
        if (givenHash != expectedHash) revert Errors.OutcomeEscrow_TermsMismatch(episodeId, expectedHash, givenHash);
    }

    function _requireMilestoneStatus(
        uint256 episodeId,
        Episodes.Progress memory progress,
        Episodes.MilestoneStatus expected
    ) private pure {
        if (progress.milestoneStatus != expected) {
            revert Errors.OutcomeEscrow_WrongMilestoneStatus(
                episodeId, progress.milestoneIndex, uint8(progress.milestoneStatus), uint8(expected)
            );
        }
    }

    function _requireTier(uint256 episodeId, Episodes.Terms calldata terms, uint8 tierIndex) private pure {
        uint256 tierCount = terms.outcome.tierBps.length;
        if (tierIndex >= tierCount) revert Errors.OutcomeEscrow_TierOutOfRange(episodeId, tierIndex, tierCount);
    }

    /// @dev The caller's position among the attestors (at most 8, validated at creation).
    function _attestorIndex(uint256 episodeId, address[] calldata attestors, address caller)
        private
        pure
        returns (uint256)
    {
        for (uint256 i = 0; i < attestors.length; ++i) {
            if (attestors[i] == caller) return i;
        }
        revert Errors.OutcomeEscrow_NotAttestor(episodeId, caller);
    }

    /// @dev The payer side: the patient's account, or the program's fund side (its fund account or one of its
    /// operators, both answered by `isFundOperator`).
    function _isPayer(Episodes.Terms calldata terms, address caller) private view returns (bool) {
        return caller == _patientAccount(terms.patientId) || regulator.isFundOperator(terms.programId, caller);
    }

    function _patientAccount(bytes32 patientId) private view returns (address) {
        return regulator.getPatient(patientId).account;
    }

    /// @dev Whether the Regulator lets the reservation's institution and program be paid now. Any refusal
    /// (a freeze) holds the payout instead of blocking the settlement. Starving the check of gas cannot force
    /// a hold: the call gets 63/64 of the gas left, far more than it needs whenever enough remains (1/64) to
    /// finish the settlement after it.
    function _payoutAllowed(uint64 reservationId) private view returns (bool) {
        try regulator.checkPayout(reservationId) {
            return true;
        } catch {
            return false;
        }
    }

    /// @dev Tier t's attestation count: byte t of the packed counters.
    function _votes(uint32 tierVotes, uint256 tier) private pure returns (uint8) {
        return uint8(tierVotes >> (8 * tier));
    }

    function _withVotes(uint32 tierVotes, uint256 tier, uint8 votes) private pure returns (uint32) {
        uint256 shift = 8 * tier;
        return uint32((tierVotes & ~(uint256(0xff) << shift)) | (uint256(votes) << shift));
    }

    /// @dev Milestone m's settled tier: bits 2m..2m+1 (tiers < MAX_TIERS = 4 fit two bits).
    function _settledTier(uint24 settledTiers, uint256 milestoneIndex) private pure returns (uint8) {
        return uint8((settledTiers >> (2 * milestoneIndex)) & 3);
    }

    /*//////////////////////////////////////////////////////////////////////////
                           INTERNAL STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Settles the current milestone at `tierIndex`: effects first, then the payout and the refund.
    /// Rounding: payout = floor(amount * tierBps / 10_000); the refund is the remainder of the milestone.
    function _settle(
        uint256 episodeId,
        Episodes.EpisodeRecord storage episode,
        Episodes.Progress memory progress,
        Episodes.Terms calldata terms,
        uint8 tierIndex
    ) private {
        uint256 index = progress.milestoneIndex;
        uint128 amount = terms.milestones[index].amount;
        // tierBps <= 10_000, so payout <= amount.
        uint128 payout = uint128(uint256(amount) * terms.outcome.tierBps[tierIndex] / BPS_SCALE);

        // Payout first, then the refund: both drawn on the payers' ledger in their proportions.
        PayerShares.Ledger memory ledger = episode.ledger.load();
        // The patient's part of the payout is payout - fundPayout; only the fund's part is reported.
        // slither-disable-next-line unused-return
        (uint128 fundPayout,) = ledger.recordOut(payout);
        (uint128 fundRefund, uint128 patientRefund) = ledger.recordOut(amount - payout);
        bool payoutHeld = payout > 0 && !_payoutAllowed(progress.reservationId);

        episode.ledger.store(ledger);
        if (payoutHeld) episode.owed += payout;
        progress.settledTiers |= uint24(uint256(tierIndex) << (2 * index));
        progress.tierIndex = tierIndex;
        bool completed = index + 1 == progress.milestoneCount;
        if (completed) {
            progress.status = Episodes.EpisodeStatus.Completed;
            progress.milestoneStatus = Episodes.MilestoneStatus.Settled;
        } else {
            progress.milestoneIndex = uint8(index + 1);
            progress.milestoneStatus = Episodes.MilestoneStatus.Pending;
            progress.tierIndex = 0;
            progress.deadline = terms.milestones[index + 1].deadline;
            progress.attestedMask = 0;
            progress.tierVotes = 0;
        }
        episode.progress = progress;

        emit MilestoneSettled(episodeId, index, tierIndex, payout, fundPayout, fundRefund, patientRefund, payoutHeld);
        if (completed) emit EpisodeCompleted(episodeId);
        else emit MilestoneOpened(episodeId, index + 1, progress.deadline);

        if (payout > 0 && !payoutHeld) _pay(terms.splitId, payout);
        _refund(episodeId, progress.reservationId, fundRefund, patientRefund);
    }

    /// @dev Pays the split through the router, which pulls `amount` under the constructor's approval.
    function _pay(bytes32 splitId, uint128 amount) private {
        router.pay(splitId, amount);
    }

    /// @dev Releases a refund in the Regulator and sends each payer its part, to its current account.
    function _refund(uint256 episodeId, uint64 reservationId, uint128 fundRefund, uint128 patientRefund) private {
        if (fundRefund == 0 && patientRefund == 0) return;
        regulator.release(reservationId, fundRefund, patientRefund);
        (address fundAccount, address patientAccount) = regulator.reservationAccounts(reservationId);
        if (fundRefund > 0) _sendRefund(episodeId, fundAccount, fundRefund);
        if (patientRefund > 0) _sendRefund(episodeId, patientAccount, patientRefund);
    }

    /// @dev Sends a refund; if the token refuses (the account frozen in it, say), holds it for the account
    /// instead, so that one payer's frozen account never blocks the payout or the other payer's refund.
    function _sendRefund(uint256 episodeId, address account, uint128 amount) private {
        if (!token.trySafeTransfer(account, amount)) {
            _heldRefunds[account] += amount;
            emit RefundHeld(episodeId, account, amount);
        }
    }
}
