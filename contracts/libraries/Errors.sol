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
