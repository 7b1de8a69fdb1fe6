// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Pausable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Pausable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {ICareUSD} from "./interfaces/ICareUSD.sol";
import {IERC3009} from "./interfaces/IERC3009.sol";
import {Errors} from "./libraries/Errors.sol";

/// @title CareUSD
/// @notice See the documentation in {ICareUSD}.
/// @dev Built from OpenZeppelin parts: ERC20 (+ ERC20Pausable, ERC20Permit with its EIP712 domain "CareUSD"/"1"
/// and EIP-5267 `eip712Domain()`), AccessControlDefaultAdminRules and SignatureChecker. Every token rule
/// (pause, freeze) lives in the `_update` and `_approve` overrides, so `transfer`, `transferFrom`, EIP-3009,
/// `mint` and `burn` all pass through the same checks.
///
/// EIP-3009 is implemented here rather than on OpenZeppelin's draft ERC3009 because the draft keeps its
/// typehashes internal, reports both time failures as one error, and reads timestamps with bit 47 set as
/// block numbers; CareUSD follows the EIP (and USDC) exactly.
contract CareUSD is ICareUSD, ERC20Pausable, ERC20Permit, AccessControlDefaultAdminRules {
    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTANTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICareUSD
    bytes32 public constant override MINTER_ADMIN_ROLE = keccak256("MINTER_ADMIN_ROLE");

    /// @inheritdoc ICareUSD
    bytes32 public constant override MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @inheritdoc ICareUSD
    bytes32 public constant override PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /// @inheritdoc ICareUSD
    bytes32 public constant override FREEZER_ROLE = keccak256("FREEZER_ROLE");

    /// @inheritdoc ICareUSD
    bytes32 public constant override PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    /// @inheritdoc IERC3009
    bytes32 public constant override TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    /// @inheritdoc IERC3009
    bytes32 public constant override RECEIVE_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    /// @inheritdoc IERC3009
    bytes32 public constant override CANCEL_AUTHORIZATION_TYPEHASH =
        keccak256("CancelAuthorization(address authorizer,bytes32 nonce)");

    /*//////////////////////////////////////////////////////////////////////////
                                  PRIVATE STORAGE
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Remaining mint allowance of each minter, in units of the token's decimals.
    mapping(address minter => uint256 allowance) private _minterAllowances;

    /// @dev Accounts under a compliance freeze.
    mapping(address account => bool frozen) private _frozen;

    /// @dev Spent (used or canceled) EIP-3009 nonces of each authorizer.
    mapping(address authorizer => mapping(bytes32 nonce => bool spent)) private _authorizationStates;

    /*//////////////////////////////////////////////////////////////////////////
                                    CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @param initialDelay Seconds a new default admin must wait before accepting the role.
    /// @param initialAdmin The first default admin; it grants the other roles.
    constructor(uint48 initialDelay, address initialAdmin)
        ERC20("CareUSD", "cUSD")
        ERC20Permit("CareUSD")
        AccessControlDefaultAdminRules(initialDelay, initialAdmin)
    {
        // Minters are managed by the minter admin, not by the default admin, as in USDC's masterMinter.
        _setRoleAdmin(MINTER_ROLE, MINTER_ADMIN_ROLE);
    }

    /*//////////////////////////////////////////////////////////////////////////
                           USER-FACING READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Six decimals, as USDC: one unit is one micro-dollar.
    function decimals() public pure override(ERC20, IERC20Metadata) returns (uint8) {
        return 6;
    }

    /// @inheritdoc ICareUSD
    function isMinter(address account) external view override returns (bool) {
        return hasRole(MINTER_ROLE, account);
    }

    /// @inheritdoc ICareUSD
    function minterAllowance(address minter) external view override returns (uint256) {
        return _minterAllowances[minter];
    }

    /// @inheritdoc ICareUSD
    function isFrozen(address account) external view override returns (bool) {
        return _frozen[account];
    }

    /// @inheritdoc IERC3009
    function authorizationState(address authorizer, bytes32 nonce) external view override returns (bool) {
        return _authorizationStates[authorizer][nonce];
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(IERC20Permit, ERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    /// @inheritdoc ICareUSD
    function paused() public view override(ICareUSD, Pausable) returns (bool) {
        return super.paused();
    }

    /*//////////////////////////////////////////////////////////////////////////
                         USER-FACING STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc ICareUSD
    function configureMinter(address minter, uint256 allowance) external override onlyRole(MINTER_ADMIN_ROLE) {
        if (minter == address(0)) {
            revert Errors.CareUSD_MinterZeroAddress();
        }
        _grantRole(MINTER_ROLE, minter);
        _minterAllowances[minter] = allowance;
        emit MinterConfigured(minter, allowance);
    }

    /// @inheritdoc ICareUSD
    function removeMinter(address minter) external override onlyRole(MINTER_ADMIN_ROLE) {
        if (!hasRole(MINTER_ROLE, minter)) {
            revert Errors.CareUSD_NotMinter(minter);
        }
        // The `_revokeRole` override clears the allowance and emits {MinterRemoved}.
        _revokeRole(MINTER_ROLE, minter);
    }

    /// @inheritdoc ICareUSD
    function mint(address to, uint256 amount) external override onlyRole(MINTER_ROLE) {
        address minter = _msgSender();
        if (_frozen[minter]) {
            revert Errors.CareUSD_AccountFrozen(minter);
        }
        if (amount == 0) {
            revert Errors.CareUSD_ZeroAmount();
        }
        uint256 allowance = _minterAllowances[minter];
        if (amount > allowance) {
            revert Errors.CareUSD_MintAllowanceExceeded(minter, allowance, amount);
        }
        // Cannot underflow: checked just above.
        unchecked {
            _minterAllowances[minter] = allowance - amount;
        }
        _mint(to, amount);
        emit Minted(minter, to, amount);
    }

    /// @inheritdoc ICareUSD
    function burn(uint256 amount) external override onlyRole(MINTER_ROLE) {
        if (amount == 0) {
            revert Errors.CareUSD_ZeroAmount();
        }
        address minter = _msgSender();
        // `_update` refuses a frozen minter and a paused token; ERC20 refuses a balance below `amount`.
        _burn(minter, amount);
        emit Burned(minter, amount);
    }

    /// @inheritdoc ICareUSD
    function pause() external override onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc ICareUSD
    function unpause() external override onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @inheritdoc ICareUSD
    function freeze(address account) external override onlyRole(FREEZER_ROLE) {
        // Freezing the zero address would block every mint and burn, which is what `pause` is for.
        if (account == address(0)) {
            revert Errors.CareUSD_FreezeZeroAddress();
        }
        if (_frozen[account]) {
            revert Errors.CareUSD_AccountAlreadyFrozen(account);
        }
        _frozen[account] = true;
        emit AccountFrozen(account);
    }

    /// @inheritdoc ICareUSD
    function unfreeze(address account) external override onlyRole(FREEZER_ROLE) {
        if (!_frozen[account]) {
            revert Errors.CareUSD_AccountNotFrozen(account);
        }
        _frozen[account] = false;
        emit AccountUnfrozen(account);
    }

    /// @inheritdoc ICareUSD
    function permit(address owner, address spender, uint256 value, uint256 deadline, bytes calldata signature)
        external
        override
    {
        if (block.timestamp > deadline) {
            revert ERC2612ExpiredSignature(deadline);
        }
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline))
        );
        if (!SignatureChecker.isValidSignatureNowCalldata(owner, digest, signature)) {
            revert Errors.CareUSD_InvalidSignature(owner);
        }
        _approve(owner, spender, value);
    }

    /// @inheritdoc IERC3009
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
        external
        override
    {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, abi.encodePacked(r, s, v)
        );
    }

    /// @inheritdoc IERC3009
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    )
        external
        override
    {
        _transferWithAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    /// @inheritdoc IERC3009
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
        external
        override
    {
        _requireCallerIsPayee(to);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, abi.encodePacked(r, s, v)
        );
    }

    /// @inheritdoc IERC3009
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes calldata signature
    )
        external
        override
    {
        _requireCallerIsPayee(to);
        _transferWithAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, signature
        );
    }

    /// @inheritdoc IERC3009
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s)
        external
        override
    {
        _cancelAuthorization(authorizer, nonce, abi.encodePacked(r, s, v));
    }

    /// @inheritdoc IERC3009
    function cancelAuthorization(address authorizer, bytes32 nonce, bytes calldata signature) external override {
        _cancelAuthorization(authorizer, nonce, signature);
    }

    /*//////////////////////////////////////////////////////////////////////////
                          INTERNAL STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Checks an EIP-3009 transfer or receive authorization, spends its nonce and moves the money.
    /// The checks run cheapest first; the transfer itself applies the pause and freeze rules in `_update`.
    function _transferWithAuthorization(
        bytes32 typehash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    )
        private
    {
        if (block.timestamp <= validAfter) {
            revert Errors.CareUSD_AuthorizationNotYetValid(validAfter, block.timestamp);
        }
        if (block.timestamp >= validBefore) {
            revert Errors.CareUSD_AuthorizationExpired(validBefore, block.timestamp);
        }
        _requireUnspentAuthorization(from, nonce);
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(typehash, from, to, value, validAfter, validBefore, nonce)));
        _requireValidSignature(from, digest, signature);

        _authorizationStates[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
        _transfer(from, to, value);
    }

    /// @dev Checks a cancellation signed by `authorizer` and spends the nonce.
    function _cancelAuthorization(address authorizer, bytes32 nonce, bytes memory signature) private {
        _requireUnspentAuthorization(authorizer, nonce);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce)));
        _requireValidSignature(authorizer, digest, signature);

        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    /// @dev Applies the freeze rule to every balance change, then the pause rule and the ERC-20 bookkeeping
    /// (ERC20Pausable). Mints come from and burns go to the zero address, which can never be frozen.
    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Pausable) {
        if (_frozen[from]) {
            revert Errors.CareUSD_AccountFrozen(from);
        }
        if (_frozen[to]) {
            revert Errors.CareUSD_AccountFrozen(to);
        }
        super._update(from, to, value);
    }

    /// @dev Refuses allowances given by or to a frozen account (USDC behaviour). Covers `approve`, both
    /// `permit` forms and the allowance decrease of `transferFrom`.
    function _approve(address owner, address spender, uint256 value, bool emitEvent) internal override {
        if (_frozen[owner]) {
            revert Errors.CareUSD_AccountFrozen(owner);
        }
        if (_frozen[spender]) {
            revert Errors.CareUSD_AccountFrozen(spender);
        }
        super._approve(owner, spender, value, emitEvent);
    }

    /// @dev A frozen spender cannot use an allowance, even an infinite one (which `_approve` never sees).
    function _spendAllowance(address owner, address spender, uint256 value) internal override {
        if (_frozen[spender]) {
            revert Errors.CareUSD_AccountFrozen(spender);
        }
        super._spendAllowance(owner, spender, value);
    }

    /// @dev Keeps "mint allowance is zero unless minter" true for every way MINTER_ROLE can be lost
    /// (`removeMinter`, `revokeRole`, `renounceRole`).
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked && role == MINTER_ROLE) {
            delete _minterAllowances[account];
            emit MinterRemoved(account);
        }
    }

    /*//////////////////////////////////////////////////////////////////////////
                            INTERNAL READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Front-running protection of `receiveWithAuthorization`: only the payee may submit it.
    function _requireCallerIsPayee(address payee) private view {
        if (_msgSender() != payee) {
            revert Errors.CareUSD_CallerNotPayee(_msgSender(), payee);
        }
    }

    function _requireUnspentAuthorization(address authorizer, bytes32 nonce) private view {
        if (_authorizationStates[authorizer][nonce]) {
            revert Errors.CareUSD_AuthorizationUsedOrCanceled(authorizer, nonce);
        }
    }

    /// @dev ECDSA for an account without code, ERC-1271 for a contract (smart-contract wallets).
    function _requireValidSignature(address signer, bytes32 digest, bytes memory signature) private view {
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) {
            revert Errors.CareUSD_InvalidSignature(signer);
        }
    }
}
