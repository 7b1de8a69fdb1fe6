// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Types of FeeForService: immediate payment of one service at the time it is given.
/// @dev Every amount is in units of the settlement token (CareUSD, 6 decimals).
library Payments {
    /// @notice What `FeeForService.pay` needs for one service (e.g. a virtual follow-up consultation).
    /// @dev Not stored: the Regulator emits the claim and its shares (`Charged`) and the module emits
    /// `ServicePaid`; calldata only.
    struct ServiceParams {
        uint32 programId;
        bytes32 patientId; // pseudonymous; no personal data on chain
        address institution; // the institution that gave the service and approved `splitId`
        address practitioner; // counts toward the practitioner's daily service limit
        bytes32 serviceType; // a coverage line of the program (e.g. "VIRTUAL_FOLLOW_UP")
        bytes32 splitId; // the care team's split in the SplitRouter; receives the whole charge
        uint128 charge; // the full price of the service (fund share + patient share), in token units
        bytes32 serviceRecordHash; // hash of the off-chain service record: evidence only, never data
    }
}
