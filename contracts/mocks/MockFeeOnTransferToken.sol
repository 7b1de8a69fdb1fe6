// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "./MockERC20.sol";

/// @title MockFeeOnTransferToken
/// @notice TEST ONLY. Burns `feeBps` of every transfer: the sender loses `value`, the receiver gets
/// `value - floor(value * feeBps / 10_000)`. Mints and burns pay no fee.
contract MockFeeOnTransferToken is MockERC20 {
    uint256 public feeBps;

    constructor(uint256 feeBps_) MockERC20("Mock Fee USD", "mFUSD") {
        feeBps = feeBps_;
    }

    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = value * feeBps / 10_000;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
