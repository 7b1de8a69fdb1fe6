// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {CareStream} from "../../contracts/CareStream.sol";
import {CareUSD} from "../../contracts/CareUSD.sol";
import {OutcomeEscrow} from "../../contracts/OutcomeEscrow.sol";
import {Regulator} from "../../contracts/Regulator.sol";
import {SplitRouter} from "../../contracts/SplitRouter.sol";
import {Errors} from "../../contracts/libraries/Errors.sol";
import {Episodes} from "../../contracts/types/Episodes.sol";
import {Streams} from "../../contracts/types/Streams.sol";
import {Supervision} from "../../contracts/types/Supervision.sol";

import {Assertions} from "../utils/Assertions.sol";
import {HasVm} from "../utils/Vm.sol";
import {World} from "../invariant/World.sol";

/// @notice The bad-input table of SECURITY.md, in Solidity: each test makes one bad call on the invariant
/// suite's world, expects its exact custom error with its arguments, and shows that nothing changed (a hash
/// of every balance, id counter and reservation count before and after). The Python suite proves the same
/// rows on anvil; these run in `make forge-quick` and count toward `make audit`'s coverage.
contract BadInputTest is HasVm, Assertions {
    World internal world;
    CareUSD internal token;
    Regulator internal regulator;
    SplitRouter internal router;
    CareStream internal stream;
    OutcomeEscrow internal escrow;
    uint32 internal programId;
    address internal admin;
    address internal patient;
    address internal stranger;

    function setUp() public {
        world = new World();
        (token, regulator, router) = (world.token(), world.regulator(), world.router());
        (stream, escrow, programId) = (world.stream(), world.escrow(), world.programId());
        admin = address(world);
        patient = world.patient(0);
        stranger = world.stranger();
    }

    /// @dev Every balance of the world, the id counters and the Regulator's reservation count.
    function _state() internal view returns (bytes32) {
        address[] memory accounts = world.trackedAccounts();
        uint256[] memory balances = new uint256[](accounts.length);
        for (uint256 k; k < accounts.length; ++k) balances[k] = token.balanceOf(accounts[k]);
        return keccak256(
            abi.encode(balances, stream.nextStreamId(), escrow.nextEpisodeId(), regulator.reservationCount(), token.totalSupply())
        );
    }

    modifier changesNothing() {
        bytes32 before = _state();
        _;
        assertTrue(_state() == before, "a refused call changed the state");
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 ZERO AND MAXIMAL AMOUNTS
    //////////////////////////////////////////////////////////////////////////*/

    function test_streamCreate_zeroDeposit_revertsZeroDeposit() external changesNothing {
        Streams.CreateParams memory params = _streamParams();
        params.deposit = 0;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.CareStream_ZeroDeposit.selector));
        stream.create(params);
    }

    function test_streamCreate_zeroRate_revertsZeroRate() external changesNothing {
        Streams.CreateParams memory params = _streamParams();
        params.ratePerSecond = 0;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.CareStream_ZeroRate.selector));
        stream.create(params);
    }

    function test_episodeCreate_zeroMilestoneAmount_revertsWithItsIndex() external changesNothing {
        Episodes.CreateParams memory params = _episodeParams();
        params.terms.milestones[1].amount = 0;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_MilestoneAmountZero.selector, 1));
        escrow.createEpisode(params);
    }

    function test_episodeCreate_priceAbove128Bits_revertsChargeOverflow() external changesNothing {
        Episodes.CreateParams memory params = _episodeParams();
        params.terms.milestones[0].amount = type(uint128).max;
        params.terms.milestones[1].amount = 1;
        vm.prank(patient);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.OutcomeEscrow_ChargeOverflow.selector, uint256(type(uint128).max) + 1)
        );
        escrow.createEpisode(params);
    }

    function test_splitPay_zeroAmount_revertsZeroAmount() external changesNothing {
        bytes32 splitId = world.split(0);
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_ZeroAmount.selector, splitId));
        router.pay(splitId, 0);
    }

    function test_mint_zeroAmountAndAboveAllowance_revert() external changesNothing {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(Errors.CareUSD_ZeroAmount.selector));
        token.mint(patient, 0);
        // The world's minter spent its whole allowance on the floats.
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(Errors.CareUSD_MintAllowanceExceeded.selector, admin, 0, 1));
        token.mint(patient, 1);
    }

    function test_setCoverage_ratioAbove100Percent_revertsRatioAboveMax() external {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_RatioAboveMax.selector, 10_001, 10_000));
        regulator.setCoverage(programId, bytes32("X"), Supervision.Coverage(true, false, 10_001, 0, 0));
    }

    function test_setCoverage_amountAbove64Bits_revertsSafeCast() external {
        uint128 tooLarge = uint128(type(uint64).max) + 1;
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 64, tooLarge));
        regulator.setCoverage(programId, bytes32("X"), Supervision.Coverage(true, false, 5_000, tooLarge, 0));
    }

    function test_streamCreate_oneUnitAboveTheBudget_revertsBudgetExceeded() external {
        // Institution B's budget is 1,500 CareUSD a period; chronic care pays 80% above a 30 CareUSD deductible
        // (cap 2,000): a deposit of 1,905.000001 asks floor(1,875.000001 x 0.8) = exactly 1,500 of the fund.
        Streams.CreateParams memory params = _streamParams();
        (params.institution, params.practitioner, params.splitId) =
            (world.institution(1), world.practitioner(1), world.split(1));
        params.patientId = world.patientId(1);
        params.deposit = 1_905_000_001;
        vm.prank(world.patient(1));
        stream.create(params);
        (, uint128 used, uint128 remaining) = regulator.budgetOf(programId, world.institution(1), 0);
        assertEq(used, 1_500_000_000, "the budget is used to the last unit");
        assertEq(remaining, 0, "nothing remains");
        params.deposit = 2;
        // The next unit of fund share is refused, naming what was asked and what remains (0).
        bytes memory expected = abi.encodeWithSelector(
            Errors.Regulator_BudgetExceeded.selector, programId, world.institution(1), uint32(0), uint128(1), uint128(0)
        );
        bytes32 before = _state();
        vm.prank(world.patient(1));
        vm.expectRevert(expected);
        stream.create(params);
        assertTrue(_state() == before, "a refused call changed the state");
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     ZERO ADDRESSES
    //////////////////////////////////////////////////////////////////////////*/

    function test_regulator_zeroAddresses_revertWithTheirErrors() external {
        (address institution, address fund) = (world.institution(0), world.fund());
        vm.startPrank(admin);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ZeroFundAccount.selector));
        regulator.createProgram(address(0), Supervision.PeriodSchedule(1, 1, Supervision.PeriodUnit.Seconds));
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ZeroInstitution.selector));
        regulator.registerInstitution(address(0), 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ZeroPractitioner.selector));
        regulator.registerPractitioner(address(0), institution, 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ZeroPatientId.selector));
        regulator.registerPatient(bytes32(0), patient, programId, 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ZeroPatientAccount.selector, bytes32("p")));
        regulator.registerPatient(bytes32("p"), address(0), programId, 1);
        vm.stopPrank();
        vm.prank(fund);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ZeroOperator.selector, programId));
        regulator.setFundOperator(programId, address(0), true);
        vm.prank(institution);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ZeroPayee.selector, institution));
        regulator.setPayeeApproval(bytes32(0), true);
    }

    function test_token_zeroAddresses_revertWithTheirErrors() external changesNothing {
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(Errors.CareUSD_MinterZeroAddress.selector));
        token.configureMinter(address(0), 1);
        vm.prank(world.supervisor());
        vm.expectRevert(abi.encodeWithSelector(Errors.CareUSD_FreezeZeroAddress.selector));
        token.freeze(address(0));
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        token.transfer(address(0), 1);
    }

    function test_episodeCreate_zeroAttestor_revertsWithItsIndex() external changesNothing {
        Episodes.CreateParams memory params = _episodeParams();
        params.terms.outcome.attestors[1] = address(0);
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_AttestorZeroAddress.selector, 1));
        escrow.createEpisode(params);
    }

    /*//////////////////////////////////////////////////////////////////////////
                              PAST AND FAR-FUTURE TIMES
    //////////////////////////////////////////////////////////////////////////*/

    function test_streamCreate_startInThePast_revertsStartTimeInPast() external changesNothing {
        Streams.CreateParams memory params = _streamParams();
        params.startTime = uint40(block.timestamp - 1);
        vm.prank(patient);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.CareStream_StartTimeInPast.selector, uint40(block.timestamp - 1), uint40(block.timestamp)
            )
        );
        stream.create(params);
    }

    function test_streamCreate_endNotAfterStart_revertsEndBeforeStart() external changesNothing {
        Streams.CreateParams memory params = _streamParams();
        params.endTime = uint40(block.timestamp);
        vm.prank(patient);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.CareStream_EndBeforeStart.selector, uint40(block.timestamp), uint40(block.timestamp)
            )
        );
        stream.create(params);
    }

    function test_episodeCreate_deadlineNowOrNotIncreasing_reverts() external changesNothing {
        Episodes.CreateParams memory params = _episodeParams();
        params.terms.milestones[0].deadline = uint40(block.timestamp);
        vm.prank(patient);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.OutcomeEscrow_DeadlineNotInFuture.selector, 0, uint40(block.timestamp), block.timestamp
            )
        );
        escrow.createEpisode(params);

        params = _episodeParams();
        params.terms.milestones[1].deadline = params.terms.milestones[0].deadline;
        vm.prank(patient);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.OutcomeEscrow_DeadlinesNotIncreasing.selector,
                1,
                params.terms.milestones[0].deadline,
                params.terms.milestones[0].deadline
            )
        );
        escrow.createEpisode(params);
    }

    function test_periodOf_beforeTheAnchor_revertsBeforeFirstPeriod() external {
        uint64 anchor = world.anchor();
        vm.expectRevert(
            abi.encodeWithSelector(Errors.Regulator_BeforeFirstPeriod.selector, programId, anchor - 1, anchor)
        );
        regulator.periodOf(programId, anchor - 1);
    }

    function test_monthsProgram_leapFebruary2028_hasItsBounds() external {
        // Calendar months from 2026-01-01: February 2028 is period 25, from 2028-02-01 to 2028-03-01 (29 days).
        address fund = world.fund();
        vm.prank(admin);
        uint32 monthly =
            regulator.createProgram(fund, Supervision.PeriodSchedule(1_767_225_600, 1, Supervision.PeriodUnit.Months));
        assertEq(regulator.periodOf(monthly, 1_834_185_600), 25, "2028-02-15 is in period 25");
        (uint64 start, uint64 end) = regulator.periodBounds(monthly, 25);
        assertEq(start, 1_832_976_000, "period 25 starts on 2028-02-01");
        assertEq(end, 1_835_481_600, "period 25 ends on 2028-03-01");
        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_AnchorNotMonthStart.selector, uint64(1_768_435_200)));
        regulator.createProgram(fund, Supervision.PeriodSchedule(1_768_435_200, 1, Supervision.PeriodUnit.Months));
    }

    function test_authorization_notYetValidOrExpired_revertsBeforeTheSignatureIsRead() external changesNothing {
        vm.expectRevert(
            abi.encodeWithSelector(Errors.CareUSD_AuthorizationNotYetValid.selector, block.timestamp, block.timestamp)
        );
        token.transferWithAuthorization(patient, stranger, 1, block.timestamp, block.timestamp + 1, bytes32(0), "");
        vm.expectRevert(
            abi.encodeWithSelector(Errors.CareUSD_AuthorizationExpired.selector, block.timestamp, block.timestamp)
        );
        token.transferWithAuthorization(patient, stranger, 1, 0, block.timestamp, bytes32(0), "");
        address fund = world.fund();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Errors.CareUSD_CallerNotPayee.selector, stranger, patient));
        token.receiveWithAuthorization(fund, patient, 1, 0, block.timestamp + 1, bytes32(0), "");
    }

    /*//////////////////////////////////////////////////////////////////////////
                       UNSORTED OR DUPLICATE SPLITS, ALLOCATIONS
    //////////////////////////////////////////////////////////////////////////*/

    function test_createSplit_unsortedOrDuplicateRecipients_revertsNotStrictlyAscending() external {
        (address[] memory recipients, uint32[] memory allocations) = _twoRecipients(address(0xB), address(0xA));
        vm.expectRevert(
            abi.encodeWithSelector(Errors.SplitRouter_RecipientsNotStrictlyAscending.selector, 1, address(0xB), address(0xA))
        );
        router.createSplit(recipients, allocations, 0);
        (recipients, allocations) = _twoRecipients(address(0xA), address(0xA));
        vm.expectRevert(
            abi.encodeWithSelector(Errors.SplitRouter_RecipientsNotStrictlyAscending.selector, 1, address(0xA), address(0xA))
        );
        router.createSplit(recipients, allocations, 0);
    }

    function test_createSplit_badAllocations_revertWithTheirErrors() external {
        (address[] memory recipients, uint32[] memory allocations) = _twoRecipients(address(0xA), address(0xB));
        allocations[1] = 400_000;
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_AllocationSumMismatch.selector, 900_000, 1_000_000));
        router.createSplit(recipients, allocations, 0);
        allocations[0] = 1_000_000;
        allocations[1] = 0;
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_ZeroAllocation.selector, 1, address(0xB)));
        router.createSplit(recipients, allocations, 0);
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_ResidualIndexOutOfBounds.selector, 2, 2));
        router.createSplit(recipients, allocations, 2);
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_LengthMismatch.selector, 2, 1));
        router.createSplit(recipients, new uint32[](1), 0);
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_NoRecipients.selector));
        router.createSplit(new address[](0), new uint32[](0), 0);
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_TooManyRecipients.selector, 33, 32));
        router.createSplit(new address[](33), new uint32[](33), 0);
    }

    function test_createSplit_zeroAddressRecipient_reverts() external {
        (address[] memory recipients, uint32[] memory allocations) = _twoRecipients(address(0), address(0xB));
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_ZeroAddressRecipient.selector));
        router.createSplit(recipients, allocations, 0);
    }

    function test_episodeCreate_badOutcomeSpec_revertsWithTheirErrors() external changesNothing {
        Episodes.CreateParams memory params = _episodeParams();
        params.terms.outcome.attestors[1] = params.terms.outcome.attestors[0];
        vm.prank(patient);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.OutcomeEscrow_AttestorDuplicate.selector, 1, params.terms.outcome.attestors[0])
        );
        escrow.createEpisode(params);

        params = _episodeParams();
        params.terms.outcome.threshold = 3;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_ThresholdOutOfRange.selector, 3, 2));
        escrow.createEpisode(params);

        params = _episodeParams();
        params.terms.outcome.tierBps[1] = 10_000;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_TiersNotDescending.selector, 1, 10_000, 10_000));
        escrow.createEpisode(params);

        params = _episodeParams();
        params.terms.outcome.tierBps[0] = 10_001;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_TierAboveScale.selector, 10_001, 10_000));
        escrow.createEpisode(params);

        params = _episodeParams();
        params.terms.outcome.challengeWindow = 0;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_ChallengeWindowZero.selector));
        escrow.createEpisode(params);

        params = _episodeParams();
        params.terms.outcome.arbitrationWindow = 0;
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_ArbitrationWindowZero.selector));
        escrow.createEpisode(params);

        params = _episodeParams();
        params.terms.milestones = new Episodes.Milestone[](0);
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_MilestoneCountOutOfRange.selector, 0, 12));
        escrow.createEpisode(params);
    }

    /*//////////////////////////////////////////////////////////////////////////
                           WRONG TOKEN, UNKNOWN IDS, WRONG CALLERS
    //////////////////////////////////////////////////////////////////////////*/

    function test_modules_tokenOtherThanTheRouters_revertTokenMismatch() external {
        CareUSD other = new CareUSD(0, address(this));
        vm.expectRevert(
            abi.encodeWithSelector(Errors.CareStream_TokenMismatch.selector, address(other), address(token))
        );
        new CareStream(other, regulator, router);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.OutcomeEscrow_TokenMismatch.selector, address(other), address(token))
        );
        new OutcomeEscrow(other, regulator, router);
    }

    function test_unknownIds_revertWithTheirErrors() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.CareStream_UnknownStream.selector, 7));
        stream.getStream(7);
        vm.expectRevert(abi.encodeWithSelector(Errors.OutcomeEscrow_EpisodeNotFound.selector, 7));
        escrow.getEpisode(7);
        vm.expectRevert(abi.encodeWithSelector(Errors.SplitRouter_UnknownSplit.selector, bytes32("none")));
        router.totalReceived(bytes32("none"));
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ReservationNotFound.selector, 7));
        regulator.checkPayout(7);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_ProgramNotFound.selector, 99));
        regulator.currentPeriod(99);
    }

    function test_streamCreate_unknownSplit_revertsUnknownSplit() external changesNothing {
        Streams.CreateParams memory params = _streamParams();
        params.splitId = bytes32("none");
        vm.prank(patient);
        vm.expectRevert(abi.encodeWithSelector(Errors.CareStream_UnknownSplit.selector, bytes32("none")));
        stream.create(params);
    }

    function test_wrongCallers_revertWithTheirErrors() external changesNothing {
        Streams.CreateParams memory params = _streamParams();
        (address institution, address fund) = (world.institution(0), world.fund());
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.Regulator_UnauthorizedInitiator.selector, programId, params.patientId, stranger)
        );
        stream.create(params);
        bytes32 configurator = regulator.CONFIGURATOR_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, configurator)
        );
        regulator.setDefaultBudget(programId, institution, 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Errors.Regulator_NotFundAccount.selector, programId, stranger, fund));
        regulator.setFundOperator(programId, stranger, true);
        bytes32 pauser = token.PAUSER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, pauser));
        token.pause();
    }

    /*//////////////////////////////////////////////////////////////////////////
                                        HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    function _streamParams() internal view returns (Streams.CreateParams memory) {
        return Streams.CreateParams({
            programId: programId,
            patientId: world.patientId(0),
            institution: world.institution(0),
            practitioner: world.practitioner(0),
            serviceType: world.CHRONIC(),
            splitId: world.split(0),
            ratePerSecond: 1e18,
            startTime: 0,
            endTime: 0,
            deposit: 100e6
        });
    }

    function _episodeParams() internal view returns (Episodes.CreateParams memory params) {
        params.institution = world.institution(0);
        params.practitioner = world.practitioner(0);
        params.serviceType = world.DIGITAL_TWIN();
        params.terms.programId = programId;
        params.terms.patientId = world.patientId(0);
        params.terms.splitId = world.split(0);
        params.terms.milestones = new Episodes.Milestone[](2);
        params.terms.milestones[0] = Episodes.Milestone(100e6, uint40(block.timestamp + 1 days));
        params.terms.milestones[1] = Episodes.Milestone(50e6, uint40(block.timestamp + 2 days));
        params.terms.outcome.attestors = new address[](2);
        (params.terms.outcome.attestors[0], params.terms.outcome.attestors[1]) = (world.lab(), world.practitioner(0));
        params.terms.outcome.threshold = 2;
        params.terms.outcome.tierBps = new uint16[](2);
        (params.terms.outcome.tierBps[0], params.terms.outcome.tierBps[1]) = (10_000, 5_000);
        params.terms.outcome.challengeWindow = 1 days;
        params.terms.outcome.arbitrationWindow = 1 days;
    }

    function _twoRecipients(address first, address second)
        internal
        pure
        returns (address[] memory recipients, uint32[] memory allocations)
    {
        recipients = new address[](2);
        (recipients[0], recipients[1]) = (first, second);
        allocations = new uint32[](2);
        (allocations[0], allocations[1]) = (500_000, 500_000);
    }
}
