// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/IAccessControlDefaultAdminRules.sol";
import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {IERC3009} from "./IERC3009.sol";

/// @title ICareUSD
/// @notice CareUSD ("cUSD", 6 decimals): the compliant test stablecoin that CarePay settles in, modelled on
/// USDC's FiatToken v2.2. Besides ERC-20 it offers EIP-2612 permits and EIP-3009 signed transfers, supply
/// managed by minters with allowances, a global pause, and a per-account compliance freeze.
/// @dev Roles (AccessControlDefaultAdminRules; the default admin is handed over in two steps with a delay):
/// - DEFAULT_ADMIN_ROLE administers MINTER_ADMIN_ROLE, PAUSER_ROLE and FREEZER_ROLE.
/// - MINTER_ADMIN_ROLE configures and removes minters (and administers MINTER_ROLE).
/// - MINTER_ROLE mints within its mint allowance and burns its own balance.
/// - PAUSER_ROLE pauses and unpauses.
/// - FREEZER_ROLE freezes and unfreezes accounts.
///
/// Invariants: totalSupply equals the sum of all balances; a minter's mint allowance only falls by what it
/// mints, and is zero whenever the account is not a minter; units are whole token units, nothing rounds.
///
/// While paused: no transfer, mint or burn (this includes EIP-3009 transfers); approvals, permits and
/// cancellations still work (they move no money).
///
/// A frozen account (USDC "blacklisted") can neither send nor receive, cannot mint, and can neither give nor
/// receive an allowance (`approve`, `permit`, `transferFrom` as spender).
interface ICareUSD is IERC20Metadata, IERC20Permit, IERC5267, IERC3009, IAccessControlDefaultAdminRules {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Emitted when `minter` is (re)configured with a mint allowance of `allowance` units.
    event MinterConfigured(address indexed minter, uint256 allowance);

    /// @notice Emitted when `minter` loses minting rights (its mint allowance is cleared).
    event MinterRemoved(address indexed minter);

    /// @notice Emitted when `minter` mints `amount` units to `to`.
    event Minted(address indexed minter, address indexed to, uint256 amount);

    /// @notice Emitted when `minter` burns `amount` units of its own balance.
    event Burned(address indexed minter, uint256 amount);

    /// @notice Emitted when `account` is frozen.
    event AccountFrozen(address indexed account);

    /// @notice Emitted when `account` is unfrozen.
    event AccountUnfrozen(address indexed account);

    /*//////////////////////////////////////////////////////////////////////////
                                 READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice keccak256("MINTER_ADMIN_ROLE"): configures and removes minters.
    function MINTER_ADMIN_ROLE() external view returns (bytes32);

    /// @notice keccak256("MINTER_ROLE"): mints within its allowance and burns its own balance.
    function MINTER_ROLE() external view returns (bytes32);

    /// @notice keccak256("PAUSER_ROLE"): pauses and unpauses the token.
    function PAUSER_ROLE() external view returns (bytes32);

    /// @notice keccak256("FREEZER_ROLE"): freezes and unfreezes accounts.
    function FREEZER_ROLE() external view returns (bytes32);

    /// @notice keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")
    function PERMIT_TYPEHASH() external view returns (bytes32);

    /// @notice Whether `account` holds MINTER_ROLE.
    function isMinter(address account) external view returns (bool);

    /// @notice How many more units `minter` may mint (zero for an account that is not a minter).
    function minterAllowance(address minter) external view returns (uint256);

    /// @notice Whether `account` is frozen.
    function isFrozen(address account) external view returns (bool);

    /// @notice Whether the token is paused.
    function paused() external view returns (bool);

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Makes `minter` a minter (if it is not one) and sets its mint allowance to `allowance`,
    /// replacing the previous allowance (USDC semantics: not added to it).
    /// @dev Emits a {MinterConfigured} event, and a {RoleGranted} event when `minter` was not a minter.
    ///
    /// Requirements:
    /// - the caller has MINTER_ADMIN_ROLE.
    /// - `minter` is not the zero address.
    ///
    /// @param minter The account that may mint.
    /// @param allowance The new mint allowance, in units of the token's decimals.
    function configureMinter(address minter, uint256 allowance) external;

    /// @notice Removes `minter`'s minting rights and clears its mint allowance.
    /// @dev Emits a {RoleRevoked} event and a {MinterRemoved} event. Revoking MINTER_ROLE through
    /// `revokeRole` or `renounceRole` has the same effect.
    ///
    /// Requirements:
    /// - the caller has MINTER_ADMIN_ROLE.
    /// - `minter` is a minter.
    ///
    /// @param minter The minter to remove.
    function removeMinter(address minter) external;

    /// @notice Creates `amount` units for `to`, consuming the same amount of the caller's mint allowance.
    /// @dev Emits a {Transfer} event from the zero address and a {Minted} event.
    ///
    /// Requirements:
    /// - the caller has MINTER_ROLE and is not frozen.
    /// - the token is not paused; `to` is not frozen and not the zero address.
    /// - `amount` is not zero and not above the caller's mint allowance.
    ///
    /// @param to The receiver of the new units.
    /// @param amount The amount to mint, in units of the token's decimals.
    function mint(address to, uint256 amount) external;

    /// @notice Destroys `amount` units of the caller's own balance. The mint allowance is not restored.
    /// @dev Emits a {Transfer} event to the zero address and a {Burned} event.
    ///
    /// Requirements:
    /// - the caller has MINTER_ROLE, is not frozen and holds at least `amount`.
    /// - the token is not paused; `amount` is not zero.
    ///
    /// @param amount The amount to burn, in units of the token's decimals.
    function burn(uint256 amount) external;

    /// @notice Stops every transfer, mint and burn.
    /// @dev Emits a {Paused} event.
    ///
    /// Requirements:
    /// - the caller has PAUSER_ROLE; the token is not paused.
    function pause() external;

    /// @notice Resumes transfers, mints and burns.
    /// @dev Emits an {Unpaused} event.
    ///
    /// Requirements:
    /// - the caller has PAUSER_ROLE; the token is paused.
    function unpause() external;

    /// @notice Freezes `account`: it can no longer send, receive, mint, approve or be approved.
    /// @dev Emits an {AccountFrozen} event. Existing allowances stay recorded but cannot be used while frozen.
    ///
    /// Requirements:
    /// - the caller has FREEZER_ROLE.
    /// - `account` is not the zero address and is not frozen.
    ///
    /// @param account The account to freeze.
    function freeze(address account) external;

    /// @notice Unfreezes `account`.
    /// @dev Emits an {AccountUnfrozen} event.
    ///
    /// Requirements:
    /// - the caller has FREEZER_ROLE.
    /// - `account` is frozen.
    ///
    /// @param account The account to unfreeze.
    function unfreeze(address account) external;

    /// @notice Same as EIP-2612 `permit` with the signature as bytes: a 65-byte ECDSA `r ‖ s ‖ v` for an
    /// owner without code, or any ERC-1271 signature for a smart-contract wallet (USDC v2.2).
    /// @dev Emits an {Approval} event. Uses the same nonce sequence as the `(v, r, s)` form.
    ///
    /// Requirements:
    /// - `block.timestamp <= deadline`.
    /// - the signature over `Permit(owner, spender, value, nonces(owner), deadline)` is valid for `owner`.
    /// - neither `owner` nor `spender` is frozen; neither is the zero address.
    ///
    /// @param owner The account that grants the allowance.
    /// @param spender The account that receives the allowance.
    /// @param value The allowance, in units of the token's decimals.
    /// @param deadline The last second (Unix time, inclusive) at which the permit may be used.
    /// @param signature The owner's signature.
    function permit(address owner, address spender, uint256 value, uint256 deadline, bytes calldata signature)
        external;
}
