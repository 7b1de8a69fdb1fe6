// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "./MockERC20.sol";

/// @title MockBlocklistToken
/// @notice TEST ONLY. Simulates a CareUSD account freeze: any transfer from or to a blocked account
/// reverts with the ERC-6093 error for that side.
contract MockBlocklistToken is MockERC20 {
    mapping(address account => bool) public blocked;

    constructor() MockERC20("Mock Blocklist USD", "mBUSD") {}

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert ERC20InvalidSender(from);
        if (blocked[to]) revert ERC20InvalidReceiver(to);
        super._update(from, to, value);
    }
}
