// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ISplitRouter
/// @notice Programmable splits: a payment into a split is shared among its recipients exactly.
/// @dev The part of the interface the payment modules rely on; the full NatSpec and the rest of the
/// surface live below it as the SplitRouter grows.
interface ISplitRouter {
    /// @notice The settlement token every split is paid in.
    function token() external view returns (IERC20);

    /// @notice Whether a split with this id has been created.
    function splitExists(bytes32 splitId) external view returns (bool);

    /// @notice Pays `amount` into a split, pulled from the caller with `transferFrom`.
    /// @dev Requirements: the split exists; amount > 0; the caller approved the router.
    function pay(bytes32 splitId, uint256 amount) external;
}
