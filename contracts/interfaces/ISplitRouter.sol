// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ISplitRouter
/// @notice Programmable splits: a payment into a split is shared among its recipients exactly, to the
/// last unit (hospital, doctor, algorithm vendor, data provider, platform, the patient's rebate...).
/// @dev
/// Splits. A split is a list of recipients, strictly ascending and non-zero, each with an allocation
/// out of SCALE (1e6) adding up to exactly SCALE, at most MAX_RECIPIENTS (32) of them, and a residual
/// recipient (one of them, named by its index) that receives every rounding remainder. A patient rebate
/// is nothing special: the patient's account is one of the recipients. A split is identified by
/// `keccak256(abi.encode(recipients, allocations, residualIndex))` (see `computeSplitId`), so the same
/// shares have the same id everywhere; splits are immutable and anyone may create one.
///
/// One token. The router handles only the settlement token fixed at deployment (CareUSD). There is no
/// token argument anywhere, so no other asset can be paid in or claimed out: a split's balance is one
/// number, paying costs the same for every split, and only the supervised settlement asset moves.
/// Units sent to the router directly (not through `pay`) are credited to no split and stay there.
///
/// The sharing rule (lazy, exact). Let T = totalReceived, Ts = settledReceived (T at the split's last
/// settlement), P = T - Ts, a_i the allocations, r the residual index, credited_i what the last
/// settlement credited to recipient i (0 before the first settlement). Then
///   - a recipient i != r is entitled to  credited_i + floor(P * a_i / SCALE);
///   - the residual recipient is entitled to  credited_r + P - sum_{j != r} floor(P * a_j / SCALE);
/// so the entitlements add up to exactly T at every moment, and before any settlement they are exactly
/// floor(T * a_i / SCALE) with the residual taking T minus the others.
/// A settlement (run by the residual recipient's withdrawal and by `distribute`, O(MAX_RECIPIENTS))
/// credits every recipient its current entitlement and sets Ts = T; no entitlement changes at that moment.
///
/// Why settlements: the residual's remainder T - sum_{j != r} floor(T * a_j / SCALE) is not monotone in
/// T (allocations 333_333 / 333_333 / 333_334 with the residual last: T = 3 gives it 3, T = 4 gives it 2).
/// Had it withdrawn 3 at T = 3, the others would later claim 1 + 1 of a total of 4: one unit paid twice,
/// taken from other splits. Settling before the residual withdraws freezes its remainder in `credited_r`,
/// and from then on its entitlement only grows (the unsettled term is at least P * a_r / SCALE >= 0).
/// Every non-residual entitlement is non-decreasing in T within and across settlements.
///
/// Rounding, for INVARIANTS.md: a recipient i != r never gets more than its exact share T * a_i / SCALE
/// and gets at least floor(T * a_i / SCALE) - (number of settlements of the split); the residual gets at
/// least its exact share T * a_r / SCALE plus every remainder; claimed_i <= entitlement_i for everyone;
/// the sum of all entitlements is T.
///
/// Gas: `pay` reads and writes one slot whatever the number of recipients; a non-residual `withdraw`
/// is O(1); the residual's `withdraw` and `distribute` are O(recipients) <= O(MAX_RECIPIENTS).
interface ISplitRouter {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Emitted when a split is created.
    /// @param splitId The split's id, `computeSplitId(recipients, allocations, residualIndex)`.
    /// @param recipients The recipients, strictly ascending.
    /// @param allocations Each recipient's share out of SCALE.
    /// @param residualIndex The index of the recipient that receives the rounding remainders.
    event SplitCreated(bytes32 indexed splitId, address[] recipients, uint32[] allocations, uint8 residualIndex);

    /// @notice Emitted when units are paid into a split.
    /// @param amount The units credited to the split (what the router received, see `pay`).
    /// @param totalReceived The split's cumulative total after this payment.
    event SplitPaid(bytes32 indexed splitId, address indexed payer, uint256 amount, uint256 totalReceived);

    /// @notice Emitted when a split's unsettled part is credited to its recipients.
    /// @param amount The units settled now (totalReceived minus the previous settledReceived).
    /// @param settledReceived The split's settledReceived after the settlement (its totalReceived).
    event SplitSettled(bytes32 indexed splitId, uint256 amount, uint256 settledReceived);

    /// @notice Emitted when units of a split are sent to one of its recipients (pulled or pushed).
    event Withdrawn(bytes32 indexed splitId, address indexed recipient, uint256 amount);

    /// @notice Emitted when `distribute` could not send a recipient its claimable amount (for instance a
    /// recipient frozen in CareUSD). The amount stays claimable.
    event DistributionFailed(bytes32 indexed splitId, address indexed recipient, uint256 amount);

    /*//////////////////////////////////////////////////////////////////////////
                                 READ-ONLY FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice The allocation scale: 1_000_000 is 100%.
    function SCALE() external view returns (uint256);

    /// @notice The most recipients a split can have (32).
    function MAX_RECIPIENTS() external view returns (uint256);

    /// @notice The settlement token every split is paid in.
    function token() external view returns (IERC20);

    /// @notice The id a split with this definition has (whether or not it was created).
    /// @dev `keccak256(abi.encode(recipients, allocations, residualIndex))`; no validation.
    function computeSplitId(address[] calldata recipients, uint32[] calldata allocations, uint8 residualIndex)
        external
        pure
        returns (bytes32 splitId);

    /// @notice Whether a split with this id has been created.
    function splitExists(bytes32 splitId) external view returns (bool);

    /// @notice The definition of a split.
    /// @dev Reverts with {Errors.SplitRouter_UnknownSplit} if the split was not created.
    function getSplit(bytes32 splitId)
        external
        view
        returns (address[] memory recipients, uint32[] memory allocations, uint8 residualIndex);

    /// @notice Every unit ever paid into the split, in units of the token.
    /// @dev Reverts with {Errors.SplitRouter_UnknownSplit} if the split was not created.
    function totalReceived(bytes32 splitId) external view returns (uint256);

    /// @notice The split's totalReceived at its last settlement (0 before the first one).
    /// @dev Reverts with {Errors.SplitRouter_UnknownSplit} if the split was not created.
    function settledReceived(bytes32 splitId) external view returns (uint256);

    /// @notice Everything `recipient` is entitled to from the split so far, claimed or not (see the rule).
    /// @dev 0 for an account that is not a recipient. Reverts with {Errors.SplitRouter_UnknownSplit} if
    /// the split was not created. The residual's entitlement can shrink between settlements (by fewer
    /// units than there are recipients) as the others' roundings catch up, never below what it claimed.
    function entitlement(bytes32 splitId, address recipient) external view returns (uint256);

    /// @notice What `withdraw(splitId, recipient)` would send now: entitlement minus claimed.
    /// @dev 0 for an account that is not a recipient. Reverts with {Errors.SplitRouter_UnknownSplit} if
    /// the split was not created.
    function claimable(bytes32 splitId, address recipient) external view returns (uint256);

    /// @notice Every unit of the split already sent to `recipient`.
    /// @dev 0 for an account that is not a recipient. Reverts with {Errors.SplitRouter_UnknownSplit} if
    /// the split was not created.
    function claimed(bytes32 splitId, address recipient) external view returns (uint256);

    /*//////////////////////////////////////////////////////////////////////////
                               STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Creates a split, or returns the id of the identical split if it already exists.
    /// @dev Emits a {SplitCreated} event when the split is new; an existing split is returned as is, with
    /// no event, so that two parties setting up the same care team never make each other's call fail.
    ///
    /// Requirements:
    /// - 1 <= recipients.length <= MAX_RECIPIENTS and allocations.length == recipients.length.
    /// - `residualIndex` < recipients.length.
    /// - recipients strictly ascending (so unique) and recipients[0] != address(0).
    /// - every allocation > 0 and their sum == SCALE.
    ///
    /// @param recipients The recipients, strictly ascending.
    /// @param allocations Each recipient's share out of SCALE, in the same order.
    /// @param residualIndex The index of the recipient that receives every rounding remainder.
    /// @return splitId The split's id.
    function createSplit(address[] calldata recipients, uint32[] calldata allocations, uint8 residualIndex)
        external
        returns (bytes32 splitId);

    /// @notice Pays `amount` into a split, pulled from the caller with `transferFrom`.
    /// @dev Emits a {SplitPaid} event. Costs the same gas whatever the split's number of recipients.
    /// The split is credited with what the router actually received (its balance increase), so a token
    /// that takes a fee on transfer can never make the router owe more than it holds.
    ///
    /// Requirements: the split exists; amount > 0; the caller approved the router; the router's balance
    /// grows; the split's totalReceived stays <= 2^112 - 1.
    function pay(bytes32 splitId, uint256 amount) external;

    /// @notice Sends `recipient` everything it can claim from the split. Anyone may call it; the units
    /// always go to `recipient`.
    /// @dev Emits a {Withdrawn} event, and a {SplitSettled} event first when the recipient is the residual
    /// and part of the split is unsettled. Reverts with the token's own error if the transfer fails (for
    /// instance a recipient frozen in CareUSD); nothing is recorded then.
    ///
    /// Requirements: the split exists; `recipient` is one of its recipients; its claimable amount > 0.
    /// @return amount The units sent.
    function withdraw(bytes32 splitId, address recipient) external returns (uint256 amount);

    /// @notice Settles the split and sends every recipient its claimable amount. Anyone may call it.
    /// @dev Emits a {SplitSettled} event if part of the split was unsettled, then for every recipient with
    /// a positive claimable amount a {Withdrawn} event, or a {DistributionFailed} event if the transfer to
    /// it failed: a recipient that cannot receive never blocks the others, and its amount stays claimable.
    ///
    /// Requirements: the split exists; at least one recipient has a positive claimable amount.
    /// @return distributed The units sent (the sum of the {Withdrawn} amounts).
    function distribute(bytes32 splitId) external returns (uint256 distributed);
}
