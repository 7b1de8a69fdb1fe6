// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Minimal assertions (forge-std is not available): a failed check reverts with a message naming
/// the invariant and both values, which forge reports as the invariant's failure.
abstract contract Assertions {
    error AssertionFailed(string what, uint256 left, uint256 right);

    function assertEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert AssertionFailed(what, left, right);
    }

    function assertLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert AssertionFailed(what, left, right);
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, 0, 1);
    }
}
