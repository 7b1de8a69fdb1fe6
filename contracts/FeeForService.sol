// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IFeeForService} from "./interfaces/IFeeForService.sol";
import {IRegulator} from "./interfaces/IRegulator.sol";
import {ISplitRouter} from "./interfaces/ISplitRouter.sol";
import {Errors} from "./libraries/Errors.sol";
import {Payments} from "./types/Payments.sol";
import {Supervision} from "./types/Supervision.sol";

/// @title FeeForService
/// @notice See the documentation in {IFeeForService}.
/// @dev Stores one number (`totalPaid`); every record of a payment lives in the Regulator's counters and in two
/// events of the same transaction, the Regulator's `Charged` and this module's `ServicePaid`. Rounding: none
/// here; the Regulator's cost sharing decides the two shares (the fund share rounded down, the patient paying the
/// remainder) and the module moves them unchanged.
contract FeeForService is IFeeForService, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////////////////
                                  STATE VARIABLES
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeeForService
    IERC20 public immutable override TOKEN;

    /// @inheritdoc IFeeForService
    IRegulator public immutable override REGULATOR;

    /// @inheritdoc IFeeForService
    ISplitRouter public immutable override ROUTER;

    /// @inheritdoc IFeeForService
    uint256 public override totalPaid;

    /*//////////////////////////////////////////////////////////////////////////
                                    CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev `token` must be the router's token: every payment goes through the router in that token only.
    constructor(IERC20 token, IRegulator regulator, ISplitRouter router) {
        if (address(regulator) == address(0)) revert Errors.FeeForService_RegulatorZeroAddress();
        if (address(router) == address(0)) revert Errors.FeeForService_RouterZeroAddress();
        IERC20 routerToken = router.token();
        if (address(token) != address(routerToken)) {
            revert Errors.FeeForService_TokenMismatch(address(token), address(routerToken));
        }
        TOKEN = token;
        REGULATOR = regulator;
        ROUTER = router;
        // The router pulls every payment from this contract; one unlimited approval saves a call per payment,
        // and CareUSD never writes an unlimited allowance down.
        token.forceApprove(address(router), type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////////////////
                         USER-FACING STATE-CHANGING FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFeeForService
    function pay(Payments.ServiceParams calldata params)
        external
        override
        nonReentrant
        returns (Supervision.Quote memory quote)
    {
        // Checks: the module's own inputs, before any call.
        uint128 charge = params.charge;
        if (charge == 0) revert Errors.FeeForService_ZeroCharge();
        // A split that does not exist would make the payment fail only after both pulls.
        if (!ROUTER.splitExists(params.splitId)) revert Errors.FeeForService_UnknownSplit(params.splitId);

        // Checks: every rule of the Regulator and the cost sharing; its errors propagate unchanged. `commitCharge`
        // commits the counters for good without a reservation: the whole charge moves in this transaction, so
        // there is never anything to top up, release or check for payout. It also names both payers.
        address fundAccount;
        address patientAccount;
        (quote, fundAccount, patientAccount) = REGULATOR.commitCharge(
            Supervision.Claim({
                programId: params.programId,
                patientId: params.patientId,
                institution: params.institution,
                practitioner: params.practitioner,
                serviceType: params.serviceType,
                payee: params.splitId,
                initiator: msg.sender,
                charge: charge
            })
        );

        // Checks: each payer's approval, so that a missing one names its payer (the token's own error names
        // only this module). A zero share is never pulled and needs no approval. Cost: about 2.5k gas for both
        // payers (the token and the allowance slots are then warm for the transfers).
        if (quote.fundShare > 0) {
            uint256 allowance = TOKEN.allowance(fundAccount, address(this));
            if (allowance < quote.fundShare) {
                revert Errors.FeeForService_FundAllowanceTooLow(
                    params.programId, fundAccount, allowance, quote.fundShare
                );
            }
        }
        if (quote.patientShare > 0) {
            uint256 allowance = TOKEN.allowance(patientAccount, address(this));
            if (allowance < quote.patientShare) {
                revert Errors.FeeForService_PatientAllowanceTooLow(
                    params.patientId, patientAccount, allowance, quote.patientShare
                );
            }
        }

        // Effects.
        totalPaid += charge;
        emit ServicePaid(
            params.programId,
            params.patientId,
            params.institution,
            params.practitioner,
            params.serviceType,
            params.splitId,
            quote.fundShare,
            quote.patientShare,
            params.serviceRecordHash
        );

        // Interactions: the two shares in, then the whole charge out, so the module's balance ends where it
        // started. The token's own errors (a frozen payer, a balance too low) revert everything, the Regulator's
        // counters included.
        if (quote.fundShare > 0) TOKEN.safeTransferFrom(fundAccount, address(this), quote.fundShare);
        if (quote.patientShare > 0) TOKEN.safeTransferFrom(patientAccount, address(this), quote.patientShare);
        ROUTER.pay(params.splitId, charge);
    }
}
