// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice forge-std's `bound`, reduced: maps any fuzzed value into [min, max] uniformly enough for
/// handlers (modulo), keeping the small edge values reachable.
library Bound {
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (max <= min) return min;
        uint256 size = max - min + 1;
        // Keep the edges likely: forge's dictionary feeds 0, 1, type(uint256).max and friends.
        if (x <= 3 && x < size) return min + x;
        if (x >= type(uint256).max - 3) {
            uint256 fromTop = type(uint256).max - x;
            if (fromTop < size) return max - fromTop;
        }
        return min + (x % size);
    }
}
