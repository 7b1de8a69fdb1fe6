// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Errors} from "./Errors.sol";
import {Splits} from "../types/Splits.sol";

/// @title SplitValidation
/// @notice Checks that a split's definition is well formed, reverting with the first problem found.
/// @dev A well-formed split has 1..MAX_RECIPIENTS recipients, strictly ascending (hence unique, and
/// only the first can be the zero address, which is refused), one positive allocation per recipient
/// adding up to exactly SCALE, and a residual index that points at one of the recipients.
/// Sorting makes the definition canonical, so one set of shares has exactly one split id.
library SplitValidation {
    /// @notice Reverts unless (`recipients`, `allocations`, `residualIndex`) is a well-formed split.
    function validate(address[] calldata recipients, uint32[] calldata allocations, uint8 residualIndex)
        internal
        pure
    {
        uint256 count = recipients.length;
        if (count == 0) revert Errors.SplitRouter_NoRecipients();
        if (count > Splits.MAX_RECIPIENTS) {
            revert Errors.SplitRouter_TooManyRecipients(count, Splits.MAX_RECIPIENTS);
        }
        if (allocations.length != count) revert Errors.SplitRouter_LengthMismatch(count, allocations.length);
        if (residualIndex >= count) revert Errors.SplitRouter_ResidualIndexOutOfBounds(residualIndex, count);
        if (recipients[0] == address(0)) revert Errors.SplitRouter_ZeroAddressRecipient();

        // At most 32 values below 2^32 each: the sum cannot overflow. It starts at zero by design (an explicit
        // `= 0` changes the optimized bytecode here, so the default stays).
        // slither-disable-next-line uninitialized-local
        uint256 sum;
        for (uint256 i; i < count; ++i) {
            if (i > 0 && recipients[i] <= recipients[i - 1]) {
                revert Errors.SplitRouter_RecipientsNotStrictlyAscending(i, recipients[i - 1], recipients[i]);
            }
            if (allocations[i] == 0) revert Errors.SplitRouter_ZeroAllocation(i, recipients[i]);
            sum += allocations[i];
        }
        if (sum != Splits.SCALE) revert Errors.SplitRouter_AllocationSumMismatch(sum, Splits.SCALE);
    }
}
