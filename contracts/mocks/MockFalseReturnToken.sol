// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MockERC20} from "./MockERC20.sol";

/// @title MockFalseReturnToken
/// @notice TEST ONLY. While `failing` is set, `transfer` and `transferFrom` move nothing and return
/// false instead of reverting (the failure mode a caller that ignores return values misses).
contract MockFalseReturnToken is MockERC20 {
    bool public failing;

    constructor() MockERC20("Mock False USD", "mXUSD") {}

    function setFailing(bool failing_) external {
        failing = failing_;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (failing) return false;
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (failing) return false;
        return super.transferFrom(from, to, value);
    }
}
