// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IERC3009
/// @notice EIP-3009 "transfer with authorization": the holder signs an EIP-712 message off chain and anyone
/// (or, for `receiveWithAuthorization`, only the payee) submits it. The holder needs no native currency and
/// no prior `approve`.
/// @dev Follows the USDC FiatToken v2.2 surface: every function exists in a `(v, r, s)` form and in a
/// `bytes signature` form; both are verified with OpenZeppelin's SignatureChecker, so an authorizer with code
/// (a smart-contract wallet) is checked through ERC-1271 and an authorizer without code through ECDSA.
///
/// Nonces are random 32-byte values chosen by the signer, not a sequence: authorizations are independent and
/// may be used in any order. A nonce is spent once, by use or by cancellation, and never becomes free again.
///
/// Time window: valid when `validAfter < block.timestamp < validBefore` (both bounds exclusive), in seconds.
interface IERC3009 {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Emitted when the authorization `nonce` of `authorizer` is used for a transfer.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    /// @notice Emitted when `authorizer` cancels its unused authorization `nonce`.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /*//////////////////////////////////////////////////////////////////////////
                                 READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    function TRANSFER_WITH_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    /// @notice keccak256("ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    function RECEIVE_WITH_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    /// @notice keccak256("CancelAuthorization(address authorizer,bytes32 nonce)")
    function CANCEL_AUTHORIZATION_TYPEHASH() external view returns (bytes32);

    /// @notice Whether `nonce` of `authorizer` is spent (used or canceled).
    /// @param authorizer The account that signs authorizations.
    /// @param nonce The random 32-byte nonce of an authorization.
    /// @return True once the nonce has been used or canceled; false while it is still available.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool);

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Moves `value` from `from` to `to` with a `TransferWithAuthorization` message signed by `from`.
    /// @dev Emits an {AuthorizationUsed} event and a {Transfer} event. Anyone may submit the message, so a
    /// contract that pulls money for itself should use {receiveWithAuthorization} to avoid front-running.
    ///
    /// Requirements:
    /// - `validAfter < block.timestamp < validBefore`.
    /// - `nonce` of `from` has not been used or canceled.
    /// - the signature is valid for `from`.
    /// - the token rules of a transfer hold (enough balance, not paused, neither side frozen, `to` not zero).
    ///
    /// @param from The payer, who signed the authorization.
    /// @param to The payee.
    /// @param value The amount, in units of the token's decimals.
    /// @param validAfter The authorization is valid only after this time (Unix seconds, exclusive).
    /// @param validBefore The authorization is valid only before this time (Unix seconds, exclusive).
    /// @param nonce A random 32-byte nonce chosen by `from`.
    /// @param v The recovery id of the signature.
    /// @param r The r value of the signature.
    /// @param s The s value of the signature.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external;

    /// @notice Same as the `(v, r, s)` form, with the signature as bytes (65-byte ECDSA `r ‖ s ‖ v` for an
    /// account without code, any ERC-1271 signature for a smart-contract wallet).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    )
        external;

    /// @notice Moves `value` from `from` to the caller with a `ReceiveWithAuthorization` message signed by `from`.
    /// @dev Emits an {AuthorizationUsed} event and a {Transfer} event. Because only the payee may submit it,
    /// a third party that sees the message in the mempool cannot front-run the payee's own call with it.
    ///
    /// Requirements:
    /// - the caller is `to`.
    /// - the other requirements of {transferWithAuthorization}.
    ///
    /// @param from The payer, who signed the authorization.
    /// @param to The payee, who must be the caller.
    /// @param value The amount, in units of the token's decimals.
    /// @param validAfter The authorization is valid only after this time (Unix seconds, exclusive).
    /// @param validBefore The authorization is valid only before this time (Unix seconds, exclusive).
    /// @param nonce A random 32-byte nonce chosen by `from`.
    /// @param v The recovery id of the signature.
    /// @param r The r value of the signature.
    /// @param s The s value of the signature.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external;

    /// @notice Same as the `(v, r, s)` form, with the signature as bytes (ECDSA or ERC-1271).
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    )
        external;

    /// @notice Spends `nonce` of `authorizer` without a transfer, so an authorization signed with it can never
    /// be used.
    /// @dev Emits an {AuthorizationCanceled} event. Works while the token is paused and while `authorizer` is
    /// frozen: cancelling only removes risk.
    ///
    /// Requirements:
    /// - `nonce` of `authorizer` has not been used or canceled.
    /// - the `CancelAuthorization` signature is valid for `authorizer`.
    ///
    /// @param authorizer The account whose nonce is canceled.
    /// @param nonce The nonce to cancel.
    /// @param v The recovery id of the signature.
    /// @param r The r value of the signature.
    /// @param s The s value of the signature.
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external;

    /// @notice Same as the `(v, r, s)` form, with the signature as bytes (ECDSA or ERC-1271).
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external;
}
