// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ISplitRouter} from "./interfaces/ISplitRouter.sol";
import {Errors} from "./libraries/Errors.sol";
import {SplitValidation} from "./libraries/SplitValidation.sol";
import {Splits} from "./types/Splits.sol";

/// @title SplitRouter
/// @notice Programmable splits over the settlement token, shared exactly with lazy accounting.
/// @dev The full description (sharing rule, rounding, bounds) is in {ISplitRouter}. There is no owner
/// and no admin: a split, once created, is paid, settled and withdrawn by its own rules only.
contract SplitRouter is ISplitRouter, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////////////////
                                  STATE VARIABLES
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISplitRouter
    uint256 public constant override SCALE = Splits.SCALE;

    /// @inheritdoc ISplitRouter
    uint256 public constant override MAX_RECIPIENTS = Splits.MAX_RECIPIENTS;

    /// @inheritdoc ISplitRouter
    IERC20 public immutable override token;

    /// @dev The running totals of each split; `recipientCount == 0` means not created.
    mapping(bytes32 splitId => Splits.Ledger) private _ledgers;

    /// @dev The sorted recipients of each split (at most MAX_RECIPIENTS), for the O(n) paths.
    mapping(bytes32 splitId => address[]) private _recipients;

    /// @dev Each recipient's allocation, position, credited and withdrawn amounts, per split.
    mapping(bytes32 splitId => mapping(address recipient => Splits.Share)) private _shares;

    /*//////////////////////////////////////////////////////////////////////////
                                    CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @param settlementToken The only token this router handles (CareUSD).
    constructor(IERC20 settlementToken) {
        if (address(settlementToken) == address(0)) revert Errors.SplitRouter_ZeroAddressToken();
        token = settlementToken;
    }

    /*//////////////////////////////////////////////////////////////////////////
                          USER-FACING READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISplitRouter
    function computeSplitId(address[] calldata recipients, uint32[] calldata allocations, uint8 residualIndex)
        public
        pure
        override
        returns (bytes32 splitId)
    {
        splitId = keccak256(abi.encode(recipients, allocations, residualIndex));
    }

    /// @inheritdoc ISplitRouter
    function splitExists(bytes32 splitId) external view override returns (bool) {
        return _ledgers[splitId].recipientCount != 0;
    }

    /// @inheritdoc ISplitRouter
    function getSplit(bytes32 splitId)
        external
        view
        override
        returns (address[] memory recipients, uint32[] memory allocations, uint8 residualIndex)
    {
        residualIndex = _knownLedger(splitId).residualIndex;
        recipients = _recipients[splitId];
        allocations = new uint32[](recipients.length);
        for (uint256 i; i < recipients.length; ++i) {
            allocations[i] = _shares[splitId][recipients[i]].allocation;
        }
    }

    /// @inheritdoc ISplitRouter
    function totalReceived(bytes32 splitId) external view override returns (uint256) {
        return _knownLedger(splitId).totalReceived;
    }

    /// @inheritdoc ISplitRouter
    function settledReceived(bytes32 splitId) external view override returns (uint256) {
        return _knownLedger(splitId).settledReceived;
    }

    /// @inheritdoc ISplitRouter
    function entitlement(bytes32 splitId, address recipient) public view override returns (uint256) {
        Splits.Ledger memory ledger = _knownLedger(splitId);
        Splits.Share memory share = _shares[splitId][recipient];
        if (share.allocation == 0) return 0;
        return _entitlement(splitId, ledger, share);
    }

    /// @inheritdoc ISplitRouter
    function claimable(bytes32 splitId, address recipient) external view override returns (uint256) {
        // entitlement >= withdrawn always holds (see ISplitRouter), so this cannot underflow.
        return entitlement(splitId, recipient) - _shares[splitId][recipient].withdrawn;
    }

    /// @inheritdoc ISplitRouter
    function claimed(bytes32 splitId, address recipient) external view override returns (uint256) {
        _knownLedger(splitId);
        return _shares[splitId][recipient].withdrawn;
    }

    /*//////////////////////////////////////////////////////////////////////////
                        USER-FACING STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ISplitRouter
    function createSplit(address[] calldata recipients, uint32[] calldata allocations, uint8 residualIndex)
        external
        override
        returns (bytes32 splitId)
    {
        splitId = computeSplitId(recipients, allocations, residualIndex);
        // Same definition, same id: the existing split is exactly the one asked for.
        if (_ledgers[splitId].recipientCount != 0) return splitId;

        SplitValidation.validate(recipients, allocations, residualIndex);

        // Validation bounds the count by MAX_RECIPIENTS (< 2^8) and each allocation by SCALE (< 2^24).
        _ledgers[splitId] = Splits.Ledger({
            totalReceived: 0,
            settledReceived: 0,
            recipientCount: uint8(recipients.length),
            residualIndex: residualIndex
        });
        _recipients[splitId] = recipients;
        for (uint256 i; i < recipients.length; ++i) {
            _shares[splitId][recipients[i]] =
                Splits.Share({credited: 0, withdrawn: 0, allocation: uint24(allocations[i]), index: uint8(i)});
        }

        emit SplitCreated(splitId, recipients, allocations, residualIndex);
    }

    /// @inheritdoc ISplitRouter
    function pay(bytes32 splitId, uint256 amount) external override nonReentrant {
        if (amount == 0) revert Errors.SplitRouter_ZeroAmount(splitId);
        Splits.Ledger storage ledger = _ledgers[splitId];
        if (ledger.recipientCount == 0) revert Errors.SplitRouter_UnknownSplit(splitId);

        // Credit what arrived, not what was asked: a fee-on-transfer token then under-credits the split
        // instead of making the router owe units it does not hold. The guard keeps the delta honest.
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        // The router's own balance delta; == 0 only refuses a zero credit, a donation cannot make it pass wrongly.
        // slither-disable-next-line incorrect-equality
        if (received == 0) revert Errors.SplitRouter_NothingReceived(splitId, amount);

        uint256 newTotal = ledger.totalReceived + received;
        if (newTotal > Splits.MAX_AMOUNT) {
            revert Errors.SplitRouter_TotalReceivedTooLarge(splitId, newTotal, Splits.MAX_AMOUNT);
        }
        ledger.totalReceived = uint112(newTotal);

        emit SplitPaid(splitId, msg.sender, received, newTotal);
    }

    /// @inheritdoc ISplitRouter
    function withdraw(bytes32 splitId, address recipient) external override nonReentrant returns (uint256 amount) {
        Splits.Ledger memory ledger = _knownLedger(splitId);
        Splits.Share storage share = _shares[splitId][recipient];
        if (share.allocation == 0) revert Errors.SplitRouter_NotRecipient(splitId, recipient);

        uint256 entitled;
        // Strict equality on an index or count the contract itself sets, not on a balance anyone can move.
        // slither-disable-next-line incorrect-equality
        if (share.index == ledger.residualIndex) {
            // The residual's remainder is only safe to pay once frozen by a settlement (see ISplitRouter).
            _settle(splitId, ledger);
            entitled = share.credited;
        } else {
            entitled = _entitlement(splitId, ledger, share);
        }

        amount = entitled - share.withdrawn;
        // A computed entitlement minus what was withdrawn; == 0 only refuses an empty withdrawal.
        // slither-disable-next-line incorrect-equality
        if (amount == 0) revert Errors.SplitRouter_NothingToClaim(splitId, recipient);

        // entitled <= totalReceived <= MAX_AMOUNT, so it fits in uint112.
        share.withdrawn = uint112(entitled);
        emit Withdrawn(splitId, recipient, amount);

        token.safeTransfer(recipient, amount);
    }

    /// @inheritdoc ISplitRouter
    function distribute(bytes32 splitId) external override nonReentrant returns (uint256 distributed) {
        Splits.Ledger memory ledger = _knownLedger(splitId);
        _settle(splitId, ledger);

        // After the settlement every entitlement is `credited`. At most MAX_RECIPIENTS iterations.
        address[] storage recipients = _recipients[splitId];
        bool anyClaimable = false;
        for (uint256 i; i < ledger.recipientCount; ++i) {
            address recipient = recipients[i];
            Splits.Share storage share = _shares[splitId][recipient];
            uint112 credited = share.credited;
            uint112 withdrawnBefore = share.withdrawn;
            if (credited == withdrawnBefore) continue;
            anyClaimable = true;
            uint256 amount = credited - withdrawnBefore;

            // Record the payout before the transfer, and undo it if the transfer fails, so that no state
            // is ever seen with units sent but not recorded.
            share.withdrawn = credited;
            if (token.trySafeTransfer(recipient, amount)) {
                distributed += amount;
                emit Withdrawn(splitId, recipient, amount);
            } else {
                share.withdrawn = withdrawnBefore;
                emit DistributionFailed(splitId, recipient, amount);
            }
        }
        if (!anyClaimable) revert Errors.SplitRouter_NothingToDistribute(splitId);
    }

    /*//////////////////////////////////////////////////////////////////////////
                            INTERNAL READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev The split's ledger, reverting if the split was never created.
    function _knownLedger(bytes32 splitId) private view returns (Splits.Ledger memory ledger) {
        ledger = _ledgers[splitId];
        // Strict equality on an index or count the contract itself sets, not on a balance anyone can move.
        // slither-disable-next-line incorrect-equality
        if (ledger.recipientCount == 0) revert Errors.SplitRouter_UnknownSplit(splitId);
    }

    /// @dev A recipient's entitlement by the rule: credited plus its part of the unsettled amount.
    function _entitlement(bytes32 splitId, Splits.Ledger memory ledger, Splits.Share memory share)
        private
        view
        returns (uint256)
    {
        uint256 unsettled = ledger.totalReceived - ledger.settledReceived;
        if (share.index != ledger.residualIndex) {
            return share.credited + _part(unsettled, share.allocation);
        }
        return share.credited + unsettled - _othersParts(splitId, ledger, unsettled);
    }

    /// @dev The sum of the non-residual recipients' parts of `unsettled` (at most MAX_RECIPIENTS reads).
    /// It is at most unsettled * (SCALE - a_residual) / SCALE, so the residual's part is never negative.
    function _othersParts(bytes32 splitId, Splits.Ledger memory ledger, uint256 unsettled)
        private
        view
        returns (uint256 sum)
    {
        // Ledger counters this contract keeps; == 0 only skips a no-op.
        // slither-disable-next-line incorrect-equality
        if (unsettled == 0) return 0;
        address[] storage recipients = _recipients[splitId];
        for (uint256 i; i < ledger.recipientCount; ++i) {
            // Strict equality on an index or count the contract itself sets, not on a balance anyone can move.
            // slither-disable-next-line incorrect-equality
            if (i == ledger.residualIndex) continue;
            sum += _part(unsettled, _shares[splitId][recipients[i]].allocation);
        }
    }

    /// @dev floor(amount * allocation / SCALE). amount < 2^112 and allocation <= 2^20: no overflow.
    function _part(uint256 amount, uint256 allocation) private pure returns (uint256) {
        return amount * allocation / Splits.SCALE;
    }

    /*//////////////////////////////////////////////////////////////////////////
                          INTERNAL STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Credits every recipient its current entitlement and sets settledReceived = totalReceived.
    /// No entitlement changes; afterwards each equals `credited`. At most MAX_RECIPIENTS + 1 writes.
    function _settle(bytes32 splitId, Splits.Ledger memory ledger) private {
        uint256 unsettled = ledger.totalReceived - ledger.settledReceived;
        // Ledger counters this contract keeps; == 0 only skips a no-op.
        // slither-disable-next-line incorrect-equality
        if (unsettled == 0) return;

        address[] storage recipients = _recipients[splitId];
        uint256 othersParts = 0;
        for (uint256 i; i < ledger.recipientCount; ++i) {
            // Strict equality on an index or count the contract itself sets, not on a balance anyone can move.
            // slither-disable-next-line incorrect-equality
            if (i == ledger.residualIndex) continue;
            Splits.Share storage share = _shares[splitId][recipients[i]];
            uint256 part = _part(unsettled, share.allocation);
            othersParts += part;
            // credited + part is this recipient's entitlement <= totalReceived < 2^112.
            share.credited += uint112(part);
        }
        // othersParts <= unsettled (the allocations other than the residual's add up to less than SCALE).
        _shares[splitId][recipients[ledger.residualIndex]].credited += uint112(unsettled - othersParts);

        _ledgers[splitId].settledReceived = ledger.totalReceived;
        emit SplitSettled(splitId, unsettled, ledger.totalReceived);
    }
}
