// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Types and constants of the SplitRouter.
/// @dev Every amount is in units of the settlement token (CareUSD, 6 decimals). Amounts are held in
/// uint112: 2^112 units is about 5.2e27 CareUSD, far beyond any supply, and it lets a split's whole
/// hot state and each recipient's whole state fit in one storage slot each.
library Splits {
    /// @notice The allocation scale: an allocation of SCALE is 100% of a split.
    uint256 internal constant SCALE = 1_000_000;

    /// @notice The most recipients a split can have. It bounds every loop of the router: settling a
    /// split, paying its residual recipient and distributing to all recipients touch at most this many
    /// storage slots and token transfers (measured: a first distribution to 32 fresh accounts costs
    /// about 1.21M gas, a later one about 0.66M; the residual's withdrawal about 0.31M).
    uint256 internal constant MAX_RECIPIENTS = 32;

    /// @notice The largest cumulative amount a split can receive (the width of the amount fields).
    uint256 internal constant MAX_AMOUNT = type(uint112).max;

    /// @notice A split's running totals; one storage slot (112 + 112 + 8 + 8 = 240 bits).
    /// @dev `settledReceived <= totalReceived`. The part above `settledReceived` is shared by the rule
    /// lazily (computed when read); the part below it has been credited to each recipient's
    /// `Share.credited` by a settlement. See ISplitRouter for the rule.
    struct Ledger {
        uint112 totalReceived; // every unit ever paid into the split
        uint112 settledReceived; // totalReceived at the split's last settlement
        uint8 recipientCount; // 1..MAX_RECIPIENTS; 0 means the split was never created
        uint8 residualIndex; // index (in the sorted recipients) of the residual recipient
    }

    /// @notice One recipient's standing in one split; one storage slot (112 + 112 + 24 + 8 = 256 bits).
    /// @dev `withdrawn <= credited + (the recipient's share of the unsettled part)` at all times.
    struct Share {
        uint112 credited; // the recipient's entitlement at the split's last settlement
        uint112 withdrawn; // every unit sent to the recipient from this split
        uint24 allocation; // out of SCALE; 0 means the account is not a recipient of the split
        uint8 index; // position in the sorted recipients
    }
}
