// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Errors
/// @notice Every custom error of CarePay, named `Contract_Condition(values an engineer needs)`.
/// @dev ERC-20 failures use OpenZeppelin's ERC-6093 errors and are not repeated here.
/// Each contract's errors stay inside its own section (helps review and merging).
library Errors {
    /*//////////////////////////////////////////////////////////////////////////
                                      CAREUSD
    //////////////////////////////////////////////////////////////////////////*/

    // (end of CareUSD errors)

    /*//////////////////////////////////////////////////////////////////////////
                                     REGULATOR
    //////////////////////////////////////////////////////////////////////////*/

    // (end of Regulator errors)

    /*//////////////////////////////////////////////////////////////////////////
                                    SPLIT-ROUTER
    //////////////////////////////////////////////////////////////////////////*/

    // (end of SplitRouter errors)

    /*//////////////////////////////////////////////////////////////////////////
                                    CARE-STREAM
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Thrown when the token given to CareStream is not the SplitRouter's token.
    error CareStream_TokenMismatch(address token, address routerToken);

    /// @notice Thrown when a stream is created with a zero rate.
    error CareStream_ZeroRate();

    /// @notice Thrown when a stream is created or topped up with a zero charge.
    error CareStream_ZeroDeposit();

    /// @notice Thrown when a stream is created with a start time in the past.
    error CareStream_StartTimeInPast(uint40 startTime, uint40 currentTime);

    /// @notice Thrown when a stream is created with an end time not after its start time.
    error CareStream_EndBeforeStart(uint40 startTime, uint40 endTime);

    /// @notice Thrown when a stream is created for a split the router does not know.
    error CareStream_UnknownSplit(bytes32 splitId);

    /// @notice Thrown when a stream id does not exist.
    error CareStream_UnknownStream(uint256 streamId);

    /// @notice Thrown when the caller is neither the stream's sender nor the patient's account.
    error CareStream_Unauthorized(address caller, uint256 streamId);

    /// @notice Thrown when an action is not allowed in the stream's status (a `Streams.Status` value).
    error CareStream_WrongStatus(uint256 streamId, uint8 status);

    /// @notice Thrown when nothing is withdrawable from a stream.
    error CareStream_NothingToWithdraw(uint256 streamId);

    /// @notice Thrown when no refund is held for an account.
    error CareStream_NoHeldRefund(address account);

    // (end of CareStream errors)

    /*//////////////////////////////////////////////////////////////////////////
                                   OUTCOME-ESCROW
    //////////////////////////////////////////////////////////////////////////*/

    // (end of OutcomeEscrow errors)
}
