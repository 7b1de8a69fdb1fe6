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

    /// @notice Thrown when `account` is frozen and tries to send, receive, mint, approve or be approved.
    error CareUSD_AccountFrozen(address account);

    /// @notice Thrown when freezing an account that is already frozen.
    error CareUSD_AccountAlreadyFrozen(address account);

    /// @notice Thrown when unfreezing an account that is not frozen.
    error CareUSD_AccountNotFrozen(address account);

    /// @notice Thrown when freezing the zero address (it would block every mint and burn).
    error CareUSD_FreezeZeroAddress();

    /// @notice Thrown when configuring the zero address as a minter.
    error CareUSD_MinterZeroAddress();

    /// @notice Thrown when removing an account that is not a minter.
    error CareUSD_NotMinter(address account);

    /// @notice Thrown when a minter mints more than its remaining mint allowance.
    error CareUSD_MintAllowanceExceeded(address minter, uint256 allowance, uint256 requested);

    /// @notice Thrown when minting or burning zero units.
    error CareUSD_ZeroAmount();

    /// @notice Thrown when an EIP-3009 authorization is used at or before its `validAfter` time.
    error CareUSD_AuthorizationNotYetValid(uint256 validAfter, uint256 currentTime);

    /// @notice Thrown when an EIP-3009 authorization is used at or after its `validBefore` time.
    error CareUSD_AuthorizationExpired(uint256 validBefore, uint256 currentTime);

    /// @notice Thrown when an EIP-3009 nonce of `authorizer` was already used or canceled.
    error CareUSD_AuthorizationUsedOrCanceled(address authorizer, bytes32 nonce);

    /// @notice Thrown when a signature is not valid for `signer` (ECDSA for accounts without code, ERC-1271 otherwise).
    error CareUSD_InvalidSignature(address signer);

    /// @notice Thrown when `receiveWithAuthorization` is called by someone other than the payee.
    error CareUSD_CallerNotPayee(address caller, address payee);

    // (end of CareUSD errors)

    /*//////////////////////////////////////////////////////////////////////////
                                     REGULATOR
    //////////////////////////////////////////////////////////////////////////*/

    // Configuration and registry

    /// @notice Thrown when a program id does not name a created program.
    error Regulator_ProgramNotFound(uint32 programId);

    /// @notice Thrown when a program is created with the zero address as its fund account.
    error Regulator_ZeroFundAccount();

    /// @notice Thrown when a period schedule has a length of zero.
    error Regulator_ZeroPeriodLength();

    /// @notice Thrown when a Months schedule's anchor is not the first second of a UTC calendar month.
    error Regulator_AnchorNotMonthStart(uint64 anchor);

    /// @notice Thrown when a coverage ratio is above 100 % (10_000 basis points).
    error Regulator_RatioAboveMax(uint16 ratioBps, uint16 maxBps);

    /// @notice Thrown when an institution is registered with the zero address.
    error Regulator_ZeroInstitution();

    /// @notice Thrown when a practitioner is registered with the zero address.
    error Regulator_ZeroPractitioner();

    /// @notice Thrown when a patient is registered with the zero id.
    error Regulator_ZeroPatientId();

    /// @notice Thrown when a patient is registered with the zero address as their account.
    error Regulator_ZeroPatientAccount(bytes32 patientId);

    /// @notice Thrown when a fund account names the zero address as an operator.
    error Regulator_ZeroOperator(uint32 programId);

    /// @notice Thrown when an institution approves the zero payee id.
    error Regulator_ZeroPayee(address institution);

    /// @notice Thrown when someone other than a program's fund account manages its operators.
    error Regulator_NotFundAccount(uint32 programId, address caller, address fundAccount);

    /// @notice Thrown when an address is not a registered institution.
    error Regulator_InstitutionNotRegistered(address institution);

    /// @notice Thrown when an address is not a registered practitioner.
    error Regulator_PractitionerNotRegistered(address practitioner);

    /// @notice Thrown when a patient id is not registered.
    error Regulator_PatientNotRegistered(bytes32 patientId);

    // Claims (checked in this order by `reserve`)

    /// @notice Thrown when a claim or a same-period top-up charges nothing.
    error Regulator_ZeroCharge();

    /// @notice Thrown when a program is frozen: no new reservations, top-ups or payouts.
    error Regulator_ProgramFrozen(uint32 programId);

    /// @notice Thrown when a timestamp falls before a program's first period.
    error Regulator_BeforeFirstPeriod(uint32 programId, uint64 timestamp, uint64 anchor);

    /// @notice Thrown when the initiator is neither the patient's account nor a fund operator of the program.
    error Regulator_UnauthorizedInitiator(uint32 programId, bytes32 patientId, address initiator);

    /// @notice Thrown when a patient belongs to another program than the claim's.
    error Regulator_PatientNotInProgram(bytes32 patientId, uint32 patientProgramId, uint32 programId);

    /// @notice Thrown when a patient is frozen: no new reservations or top-ups.
    error Regulator_PatientFrozen(bytes32 patientId);

    /// @notice Thrown when an institution is frozen: no new reservations, top-ups or payouts.
    error Regulator_InstitutionFrozen(address institution);

    /// @notice Thrown when a practitioner does not belong to the claim's institution.
    error Regulator_PractitionerNotAtInstitution(address practitioner, address practitionerInstitution, address institution);

    /// @notice Thrown when a practitioner is frozen: no new reservations.
    error Regulator_PractitionerFrozen(address practitioner);

    /// @notice Thrown when a practitioner has reached the daily service limit on UTC day `day`.
    error Regulator_DailyServiceLimitReached(address practitioner, uint64 day, uint32 limit);

    /// @notice Thrown when a program does not cover a service type (e.g. online first visits).
    error Regulator_ServiceNotCovered(uint32 programId, bytes32 serviceType);

    /// @notice Thrown when the patient's and the institution's regions differ and the coverage forbids it.
    error Regulator_CrossRegionNotAllowed(
        uint32 programId, bytes32 serviceType, uint32 patientRegion, uint32 institutionRegion
    );

    /// @notice Thrown when the institution has not approved the claim's payee.
    error Regulator_PayeeNotApproved(address institution, bytes32 payee);

    /// @notice Thrown when a fund share is above what is left of the institution's budget for the period.
    error Regulator_BudgetExceeded(
        uint32 programId, address institution, uint32 period, uint128 requested, uint128 remaining
    );

    // Reservations

    /// @notice Thrown when a reservation id does not name a reservation.
    error Regulator_ReservationNotFound(uint256 reservationId);

    /// @notice Thrown when someone other than the module that made a reservation tops it up or releases it.
    error Regulator_NotReservationModule(uint256 reservationId, address caller, address module);

    /// @notice Thrown when more fund money is released (or carried) than a reservation holds.
    error Regulator_FundReleaseExceedsReserved(uint256 reservationId, uint128 requested, uint128 held);

    /// @notice Thrown when more patient money is released (or carried) than a reservation holds.
    error Regulator_PatientReleaseExceedsReserved(uint256 reservationId, uint128 requested, uint128 held);

    /// @notice Thrown when a reserve or top-up would make a reservation hold more than `max` (2^64 - 1 units,
    /// 1.8e13 CareUSD) of fund or of patient money; `fundReserved` and `patientReserved` are what it would hold.
    error Regulator_ReservationAboveMax(uint256 fundReserved, uint256 patientReserved, uint256 max);

    // (end of Regulator errors)

    /*//////////////////////////////////////////////////////////////////////////
                                    SPLIT-ROUTER
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Thrown when the router is deployed with the zero address as its settlement token.
    error SplitRouter_ZeroAddressToken();

    /// @notice Thrown when a split is created with no recipients.
    error SplitRouter_NoRecipients();

    /// @notice Thrown when a split is created with more than `max` recipients.
    error SplitRouter_TooManyRecipients(uint256 count, uint256 max);

    /// @notice Thrown when the recipients and allocations arrays have different lengths.
    error SplitRouter_LengthMismatch(uint256 recipientsLength, uint256 allocationsLength);

    /// @notice Thrown when the first (smallest) recipient is the zero address.
    error SplitRouter_ZeroAddressRecipient();

    /// @notice Thrown when recipients are not strictly ascending (unsorted or duplicated) at `index`.
    error SplitRouter_RecipientsNotStrictlyAscending(uint256 index, address previous, address current);

    /// @notice Thrown when a recipient is given an allocation of zero.
    error SplitRouter_ZeroAllocation(uint256 index, address recipient);

    /// @notice Thrown when the allocations do not add up to exactly `scale`.
    error SplitRouter_AllocationSumMismatch(uint256 sum, uint256 scale);

    /// @notice Thrown when the residual index does not point at one of the `count` recipients.
    error SplitRouter_ResidualIndexOutOfBounds(uint256 residualIndex, uint256 count);

    /// @notice Thrown when a split id does not belong to a created split.
    error SplitRouter_UnknownSplit(bytes32 splitId);

    /// @notice Thrown when a payment of zero is made into a split.
    error SplitRouter_ZeroAmount(bytes32 splitId);

    /// @notice Thrown when the token moved `amount` but the router's balance did not grow at all.
    error SplitRouter_NothingReceived(bytes32 splitId, uint256 amount);

    /// @notice Thrown when a payment would take a split's cumulative total above `max`.
    error SplitRouter_TotalReceivedTooLarge(bytes32 splitId, uint256 totalReceived, uint256 max);

    /// @notice Thrown when `account` is not a recipient of the split.
    error SplitRouter_NotRecipient(bytes32 splitId, address account);

    /// @notice Thrown when a recipient withdraws with nothing claimable.
    error SplitRouter_NothingToClaim(bytes32 splitId, address recipient);

    /// @notice Thrown when a distribution finds nothing claimable for any recipient.
    error SplitRouter_NothingToDistribute(bytes32 splitId);

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

    /// @notice Thrown when a stream that has ended is topped up with more than its uncovered debt (what streamed
    /// beyond the deposits): nothing more can accrue, so the rest would only be locked until a cancel.
    error CareStream_TopUpAfterEnd(uint256 streamId, uint40 endTime, uint128 charge, uint128 uncoveredDebt);

    /// @notice Thrown when no refund is held for an account.
    error CareStream_NoHeldRefund(address account);

    /// @notice Thrown when the patient share a patient signed for is not the one the Regulator's cost sharing gives.
    error CareStream_PatientShareMismatch(uint128 signedShare, uint128 quotedShare);

    // (end of CareStream errors)

    /*//////////////////////////////////////////////////////////////////////////
                                   OUTCOME-ESCROW
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Thrown when the OutcomeEscrow is deployed with the zero address as Regulator.
    error OutcomeEscrow_RegulatorZeroAddress();

    /// @notice Thrown when the OutcomeEscrow is deployed with the zero address as SplitRouter.
    error OutcomeEscrow_RouterZeroAddress();

    /// @notice Thrown when the escrow's token is not the token the SplitRouter pays in.
    error OutcomeEscrow_TokenMismatch(address token, address routerToken);

    /// @notice Thrown when no episode has the id.
    error OutcomeEscrow_EpisodeNotFound(uint256 episodeId);

    /// @notice Thrown when an action needs an active episode and the episode has ended
    /// (`status`: an Episodes.EpisodeStatus).
    error OutcomeEscrow_EpisodeNotActive(uint256 episodeId, uint8 status);

    /// @notice Thrown when the terms passed back do not hash to the terms the episode was created with.
    error OutcomeEscrow_TermsMismatch(uint256 episodeId, bytes32 expectedHash, bytes32 givenHash);

    /// @notice Thrown when an episode has no milestones or more than the maximum.
    error OutcomeEscrow_MilestoneCountOutOfRange(uint256 count, uint256 max);

    /// @notice Thrown when a milestone's amount is zero.
    error OutcomeEscrow_MilestoneAmountZero(uint256 index);

    /// @notice Thrown when the first milestone's attestation deadline is not in the future.
    error OutcomeEscrow_DeadlineNotInFuture(uint256 index, uint40 deadline, uint256 currentTime);

    /// @notice Thrown when a milestone's attestation deadline is not after the previous milestone's.
    error OutcomeEscrow_DeadlinesNotIncreasing(uint256 index, uint40 previousDeadline, uint40 deadline);

    /// @notice Thrown when the sum of the milestone amounts does not fit in 128 bits.
    error OutcomeEscrow_ChargeOverflow(uint256 charge);

    /// @notice Thrown when an outcome has no attestors or more than the maximum.
    error OutcomeEscrow_AttestorCountOutOfRange(uint256 count, uint256 max);

    /// @notice Thrown when an attestor is the zero address.
    error OutcomeEscrow_AttestorZeroAddress(uint256 index);

    /// @notice Thrown when an attestor is named twice.
    error OutcomeEscrow_AttestorDuplicate(uint256 index, address attestor);

    /// @notice Thrown when the threshold k is zero or above the number of attestors n.
    error OutcomeEscrow_ThresholdOutOfRange(uint8 threshold, uint256 attestorCount);

    /// @notice Thrown when an outcome has no payout tiers or more than the maximum.
    error OutcomeEscrow_TierCountOutOfRange(uint256 count, uint256 max);

    /// @notice Thrown when the first payout tier is above 100%.
    error OutcomeEscrow_TierAboveScale(uint16 tierBps, uint256 scale);

    /// @notice Thrown when the payout tiers are not strictly descending.
    error OutcomeEscrow_TiersNotDescending(uint256 index, uint16 previousBps, uint16 tierBps);

    /// @notice Thrown when the challenge window is zero seconds.
    error OutcomeEscrow_ChallengeWindowZero();

    /// @notice Thrown when the arbitration window is zero seconds.
    error OutcomeEscrow_ArbitrationWindowZero();

    /// @notice Thrown when the payee split does not exist in the SplitRouter.
    error OutcomeEscrow_SplitNotFound(bytes32 splitId);

    /// @notice Thrown when the caller is not one of the episode's named attestors.
    error OutcomeEscrow_NotAttestor(uint256 episodeId, address caller);

    /// @notice Thrown when an attestor attests the same milestone twice.
    error OutcomeEscrow_AlreadyAttested(uint256 episodeId, uint256 milestoneIndex, address attestor);

    /// @notice Thrown when a tier index is not one of the episode's payout tiers.
    error OutcomeEscrow_TierOutOfRange(uint256 episodeId, uint8 tierIndex, uint256 tierCount);

    /// @notice Thrown when the current milestone is not in the status the action needs
    /// (`status`, `expected`: Episodes.MilestoneStatus values).
    error OutcomeEscrow_WrongMilestoneStatus(uint256 episodeId, uint256 milestoneIndex, uint8 status, uint8 expected);

    /// @notice Thrown when attesting at or after the current milestone's attestation deadline.
    error OutcomeEscrow_AttestationDeadlinePassed(
        uint256 episodeId, uint256 milestoneIndex, uint40 deadline, uint256 currentTime
    );

    /// @notice Thrown when disputing at or after the end of the challenge window.
    error OutcomeEscrow_ChallengeWindowOver(
        uint256 episodeId, uint256 milestoneIndex, uint40 challengeEnds, uint256 currentTime
    );

    /// @notice Thrown when settling before the end of the challenge window.
    error OutcomeEscrow_ChallengeWindowNotOver(
        uint256 episodeId, uint256 milestoneIndex, uint40 challengeEnds, uint256 currentTime
    );

    /// @notice Thrown when resolving at or after the arbitration deadline.
    error OutcomeEscrow_ArbitrationDeadlinePassed(
        uint256 episodeId, uint256 milestoneIndex, uint40 arbitrationEnds, uint256 currentTime
    );

    /// @notice Thrown when a dispute comes from neither the patient's account nor the program's fund side.
    error OutcomeEscrow_NotPayer(uint256 episodeId, address caller);

    /// @notice Thrown when a resolution comes from an account without the Regulator's ARBITER_ROLE.
    error OutcomeEscrow_NotArbiter(address caller);

    /// @notice Thrown when refunding before the current phase's deadline has passed.
    error OutcomeEscrow_NotExpired(uint256 episodeId, uint256 milestoneIndex, uint40 deadline, uint256 currentTime);

    /// @notice Thrown when refunding an attested milestone (`status`: Episodes.MilestoneStatus): it settles once its
    /// challenge window is over.
    error OutcomeEscrow_MilestoneNotRefundable(uint256 episodeId, uint256 milestoneIndex, uint8 status);

    /// @notice Thrown when a milestone index is not below the episode's milestone count.
    error OutcomeEscrow_MilestoneOutOfRange(uint256 episodeId, uint256 milestoneIndex, uint256 milestoneCount);

    /// @notice Thrown when paying out an episode that holds nothing for its split.
    error OutcomeEscrow_NothingOwed(uint256 episodeId);

    /// @notice Thrown when claiming held refunds for an account that has none.
    error OutcomeEscrow_NoHeldRefund(address account);

    // (end of OutcomeEscrow errors)

    /*//////////////////////////////////////////////////////////////////////////
                                  FEE-FOR-SERVICE
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Thrown when FeeForService is deployed with the zero address as Regulator.
    error FeeForService_RegulatorZeroAddress();

    /// @notice Thrown when FeeForService is deployed with the zero address as SplitRouter.
    error FeeForService_RouterZeroAddress();

    /// @notice Thrown when the module's token is not the token the SplitRouter pays in.
    error FeeForService_TokenMismatch(address token, address routerToken);

    /// @notice Thrown when a service is paid with a charge of zero.
    error FeeForService_ZeroCharge();

    /// @notice Thrown when a service is paid into a split the router does not know.
    error FeeForService_UnknownSplit(bytes32 splitId);

    /// @notice Thrown when the program's fund account has approved this module for less than the fund share.
    error FeeForService_FundAllowanceTooLow(
        uint32 programId, address fundAccount, uint256 allowance, uint128 fundShare
    );

    /// @notice Thrown when the patient's account has approved this module for less than the patient share.
    error FeeForService_PatientAllowanceTooLow(
        bytes32 patientId, address account, uint256 allowance, uint128 patientShare
    );

    // (end of FeeForService errors)

    /*//////////////////////////////////////////////////////////////////////////
                                    PAYER SHARES
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Thrown when a stream's or an episode's stored ledger would hold more than `max` (2^64 - 1 units,
    /// 1.8e13 CareUSD) of cumulative deposits from one payer; `fundIn` and `patientIn` are the totals it would hold.
    error PayerShares_DepositsAboveMax(uint256 fundIn, uint256 patientIn, uint256 max);

    // (end of PayerShares errors)
}
