// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";

import {MockERC20} from "./MockERC20.sol";

/// @title MockReentrantToken
/// @notice TEST ONLY. Once armed, the next transfer (or transferFrom) calls `target` with `data` from
/// inside the token, then disarms; a revert of that call is bubbled up unchanged.
contract MockReentrantToken is MockERC20 {
    address public target;
    bytes public data;

    constructor() MockERC20("Mock Reentrant USD", "mRUSD") {}

    function arm(address target_, bytes calldata data_) external {
        target = target_;
        data = data_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address callee = target;
        if (callee != address(0) && from != address(0) && to != address(0)) {
            target = address(0);
            Address.functionCall(callee, data);
        }
    }
}
