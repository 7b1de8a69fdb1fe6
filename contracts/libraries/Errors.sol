// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Errors
/// @notice Every custom error of CarePay, named `Contract_Condition(values an engineer needs)`.
/// @dev ERC-20 failures use OpenZeppelin's ERC-6093 errors and are not repeated here.
/// Each contract's errors stay inside its own section (helps review and merging).
library Errors {
    /*//////////////////////////////////////////////////////////////////////////
                                      CAREUSD
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Thrown when `account` is frozen and tries to send, receive, mint, approve or be approved.
    error CareUSD_AccountFrozen(address account);

    /// @notice Thrown when freezing an account that is already frozen.
    error CareUSD_AccountAlreadyFrozen(address account);

    /// @notice Thrown when unfreezing an account that is not frozen.
    error CareUSD_AccountNotFrozen(address account);

    /// @notice Thrown when freezing the zero address (it would block every mint and burn).
    error CareUSD_FreezeZeroAddress();

    /// @notice Thrown when configuring the zero address as a minter.
    error CareUSD_MinterZeroAddress();

    /// @notice Thrown when removing an account that is not a minter.
    error CareUSD_NotMinter(address account);

    /// @notice Thrown when a minter mints more than its remaining mint allowance.
    error CareUSD_MintAllowanceExceeded(address minter, uint256 allowance, uint256 requested);

    /// @notice Thrown when minting or burning zero units.
    error CareUSD_ZeroAmount();

    /// @notice Thrown when an EIP-3009 authorization is used at or before its `validAfter` time.
    error CareUSD_AuthorizationNotYetValid(uint256 validAfter, uint256 currentTime);

    /// @notice Thrown when an EIP-3009 authorization is used at or after its `validBefore` time.
    error CareUSD_AuthorizationExpired(uint256 validBefore, uint256 currentTime);

    /// @notice Thrown when an EIP-3009 nonce of `authorizer` was already used or canceled.
    error CareUSD_AuthorizationUsedOrCanceled(address authorizer, bytes32 nonce);

    /// @notice Thrown when a signature is not valid for `signer` (ECDSA for accounts without code, ERC-1271 otherwise).
    error CareUSD_InvalidSignature(address signer);

    /// @notice Thrown when `receiveWithAuthorization` is called by someone other than the payee.
    error CareUSD_CallerNotPayee(address caller, address payee);

    // (end of CareUSD errors)

    /*//////////////////////////////////////////////////////////////////////////
                                     REGULATOR
    //////////////////////////////////////////////////////////////////////////*/

    // (end of Regulator errors)

    /*//////////////////////////////////////////////////////////////////////////
                                    SPLIT-ROUTER
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Thrown when the router is deployed with the zero address as its settlement token.
    error SplitRouter_ZeroAddressToken();

    /// @notice Thrown when a split is created with no recipients.
    error SplitRouter_NoRecipients();

    /// @notice Thrown when a split is created with more than `max` recipients.
    error SplitRouter_TooManyRecipients(uint256 count, uint256 max);

    /// @notice Thrown when the recipients and allocations arrays have different lengths.
    error SplitRouter_LengthMismatch(uint256 recipientsLength, uint256 allocationsLength);

    /// @notice Thrown when the first (smallest) recipient is the zero address.
    error SplitRouter_ZeroAddressRecipient();

    /// @notice Thrown when recipients are not strictly ascending (unsorted or duplicated) at `index`.
    error SplitRouter_RecipientsNotStrictlyAscending(uint256 index, address previous, address current);

    /// @notice Thrown when a recipient is given an allocation of zero.
    error SplitRouter_ZeroAllocation(uint256 index, address recipient);

    /// @notice Thrown when the allocations do not add up to exactly `scale`.
    error SplitRouter_AllocationSumMismatch(uint256 sum, uint256 scale);

    /// @notice Thrown when the residual index does not point at one of the `count` recipients.
    error SplitRouter_ResidualIndexOutOfBounds(uint256 residualIndex, uint256 count);

    /// @notice Thrown when a split id does not belong to a created split.
    error SplitRouter_UnknownSplit(bytes32 splitId);

    /// @notice Thrown when a payment of zero is made into a split.
    error SplitRouter_ZeroAmount(bytes32 splitId);

    /// @notice Thrown when the token moved `amount` but the router's balance did not grow at all.
    error SplitRouter_NothingReceived(bytes32 splitId, uint256 amount);

    /// @notice Thrown when a payment would take a split's cumulative total above `max`.
    error SplitRouter_TotalReceivedTooLarge(bytes32 splitId, uint256 totalReceived, uint256 max);

    /// @notice Thrown when `account` is not a recipient of the split.
    error SplitRouter_NotRecipient(bytes32 splitId, address account);

    /// @notice Thrown when a recipient withdraws with nothing claimable.
    error SplitRouter_NothingToClaim(bytes32 splitId, address recipient);

    /// @notice Thrown when a distribution finds nothing claimable for any recipient.
    error SplitRouter_NothingToDistribute(bytes32 splitId);

    // (end of SplitRouter errors)

    /*//////////////////////////////////////////////////////////////////////////
                                    CARE-STREAM
    //////////////////////////////////////////////////////////////////////////*/

    // (end of CareStream errors)

    /*//////////////////////////////////////////////////////////////////////////
                                   OUTCOME-ESCROW
    //////////////////////////////////////////////////////////////////////////*/

    // (end of OutcomeEscrow errors)
}
