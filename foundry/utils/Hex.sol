// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Lower-case hex of a custom-error selector, as the run summaries print it (and tools/audit reads it).
library Hex {
    function selector(bytes4 value) internal pure returns (string memory) {
        bytes memory digits = "0123456789abcdef";
        bytes memory out = new bytes(8);
        for (uint256 k; k < 4; ++k) {
            out[2 * k] = digits[uint8(value[k]) >> 4];
            out[2 * k + 1] = digits[uint8(value[k]) & 15];
        }
        return string(out);
    }
}
