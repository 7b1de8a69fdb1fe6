// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PayerShares} from "../../contracts/libraries/PayerShares.sol";
import {Streams} from "../../contracts/types/Streams.sol";
import {Episodes} from "../../contracts/types/Episodes.sol";
import {Supervision} from "../../contracts/types/Supervision.sol";

import {Assertions} from "../utils/Assertions.sol";
import {Hex} from "../utils/Hex.sol";
import {HasVm, console} from "../utils/Vm.sol";
import {Ghosts} from "./Ghosts.sol";
import {RunSummary} from "./RunSummary.sol";
import {EscrowHandler} from "./handlers/EscrowHandler.sol";
import {FeeForServiceHandler} from "./handlers/FeeForServiceHandler.sol";
import {SplitHandler} from "./handlers/SplitHandler.sol";
import {StreamHandler} from "./handlers/StreamHandler.sol";
import {SupervisionHandler} from "./handlers/SupervisionHandler.sol";
import {World} from "./World.sol";
import {CareStream} from "../../contracts/CareStream.sol";
import {CareUSD} from "../../contracts/CareUSD.sol";
import {OutcomeEscrow} from "../../contracts/OutcomeEscrow.sol";
import {Regulator} from "../../contracts/Regulator.sol";
import {SplitRouter} from "../../contracts/SplitRouter.sol";

/// @notice The whole-suite invariants of INVARIANTS.md §7 (X1-X7), checked by forge after every handler call
/// of every run. Handlers drive CareUSD, the Regulator, SplitRouter, CareStream, OutcomeEscrow and FeeForService;
/// each invariant below names the sentence it checks. The Python state machine
/// (tests/system/test_suite_state_machine.py) checks the same sentences with an independent model.
/// Quick profile: `make forge-quick` (part of `make test`); deep profile: `make audit`.
contract CarePayInvariants is HasVm, Assertions {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    uint256 internal constant SCALE = 1_000_000;

    World internal world;
    Ghosts internal ghosts;
    StreamHandler internal streamHandler;
    EscrowHandler internal escrowHandler;
    SplitHandler internal splitHandler;
    SupervisionHandler internal supervisionHandler;
    FeeForServiceHandler internal feeForServiceHandler;
    uint256 internal initialSupply;

    // The world's addresses and ids, cached at set-up: the checks run after every call, and a storage read
    // is much cheaper than a call to the World's getters.
    CareUSD internal token;
    Regulator internal regulator;
    SplitRouter internal router;
    CareStream internal stream;
    OutcomeEscrow internal escrow;
    uint32 internal programId;
    bytes32 internal chronic;
    bytes32 internal digitalTwin;
    bytes32 internal followUp;
    address[2] internal institutions;
    address[3] internal patients;
    bytes32[3] internal patientIds;
    bytes32[2] internal splitIds;
    address[][2] internal recipientsOf;
    uint32[][2] internal allocationsOf;
    uint8[2] internal residualOf;
    address[] internal tracked;

    function setUp() public {
        world = new World();
        ghosts = new Ghosts();
        streamHandler = new StreamHandler(world, ghosts);
        escrowHandler = new EscrowHandler(world, ghosts);
        splitHandler = new SplitHandler(world, ghosts);
        supervisionHandler = new SupervisionHandler(world, ghosts);
        feeForServiceHandler = new FeeForServiceHandler(world, ghosts);
        _cacheWorld();
        initialSupply = token.totalSupply();
    }

    function _cacheWorld() private {
        (token, regulator, router) = (world.token(), world.regulator(), world.router());
        (stream, escrow, programId) = (world.stream(), world.escrow(), world.programId());
        (chronic, digitalTwin, followUp) = (world.CHRONIC(), world.DIGITAL_TWIN(), world.FOLLOW_UP());
        for (uint256 i; i < 2; ++i) {
            institutions[i] = world.institution(i);
            splitIds[i] = world.split(i);
            recipientsOf[i] = world.splitRecipients(i);
            allocationsOf[i] = world.splitAllocations(i);
            residualOf[i] = world.splitResidual(i);
        }
        for (uint256 p; p < 3; ++p) {
            patients[p] = world.patient(p);
            patientIds[p] = world.patientId(p);
        }
        tracked = world.trackedAccounts();
    }

    /// @notice Forge fuzzes only these contracts (forge-std's StdInvariant.targetContracts, by name).
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](5);
        targets[0] = address(streamHandler);
        targets[1] = address(escrowHandler);
        targets[2] = address(splitHandler);
        targets[3] = address(supervisionHandler);
        targets[4] = address(feeForServiceHandler);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     INVARIANTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Every sentence below, checked after every call of one campaign. (Forge runs each
    /// `invariant_` function as its own campaign; one function checking all seven sentences gives each of
    /// them every call of the run for a seventh of the time. A failure names its sentence: "X3/C2: ...".)
    function invariant_everySentenceOfInvariantsMd() external view {
        check_supplyIsConstantAndEveryUnitIsAccountedFor();
        check_modulesAndRouterHoldExactlyWhatTheyOwe();
        check_everyStreamAndEpisodeConservesItsDeposits();
        check_noRecipientIsPaidMoreThanEarned();
        check_regulatorCountersEqualTheLiveReservations();
        check_settledCancelledAndRefundedItemsNeverChange();
        check_handlersObservedNoForbiddenTransitionOrBlockedRefund();
    }

    /// @notice After each run: how much of the suite the run reached (printed with -vv; `make audit`
    /// aggregates it), then the campaign so far per handler function (RunSummary). A run that reaches no
    /// settlement would prove little.
    function afterInvariant() external {
        console.log("streams", ghosts.streamCount());
        console.log("episodes", ghosts.episodeCount());
        console.log("handler calls", ghosts.totalCalls());
        console.log("successful calls", ghosts.successfulCalls());
        console.log("reservations", regulator.reservationCount());
        console.log("period", regulator.currentPeriod(programId));
        for (uint256 k; k < ghosts.eventNameCount(); ++k) {
            string memory name = ghosts.eventNames(k);
            console.log(string.concat("event ", name), ghosts.events(name));
        }
        for (uint256 k; k < ghosts.refusalSelectorCount(); ++k) {
            bytes4 selector = ghosts.refusalSelectors(k);
            console.log(string.concat("refused 0x", Hex.selector(selector)), ghosts.refusals(selector));
        }
        RunSummary.addRunAndPrint(ghosts);
    }

    /// @notice X2 (T1): total supply never changes during the run and the balances of every account the run
    /// touches add up to it: no unit of CareUSD is created or lost anywhere in the suite.
    function check_supplyIsConstantAndEveryUnitIsAccountedFor() public view {
        assertEq(token.totalSupply(), initialSupply, "X2: total supply changed");
        address[] memory accounts = tracked;
        uint256 sum;
        for (uint256 k; k < accounts.length; ++k) sum += token.balanceOf(accounts[k]);
        assertEq(sum, initialSupply, "X2: tracked balances do not add up to the supply");
    }

    /// @notice X1 (C1, E1, S1): each module's token balance equals the sum of what it still owes (stream
    /// ledgers + held refunds; episode ledgers + owed + held refunds), and the router's equals
    /// sum(totalReceived - claimed).
    function check_modulesAndRouterHoldExactlyWhatTheyOwe() public view {
        uint256 streamOwes;
        for (uint256 k; k < ghosts.streamCount(); ++k) {
            streamOwes += _held(stream.getStream(ghosts.streamIds(k)).ledger);
        }
        streamOwes += stream.heldRefundOf(world.fund());
        for (uint256 p; p < 3; ++p) streamOwes += stream.heldRefundOf(patients[p]);
        assertEq(token.balanceOf(address(stream)), streamOwes, "X1/C1: CareStream balance");

        uint256 escrowOwes;
        for (uint256 k; k < ghosts.episodeCount(); ++k) {
            Episodes.Episode memory e = escrow.getEpisode(ghosts.episodeIds(k));
            escrowOwes += _held(e.ledger) + e.owed;
        }
        escrowOwes += escrow.heldRefundOf(world.fund());
        for (uint256 p; p < 3; ++p) escrowOwes += escrow.heldRefundOf(patients[p]);
        assertEq(token.balanceOf(address(escrow)), escrowOwes, "X1/E1: OutcomeEscrow balance");
        // F2: FeeForService owes no one, so it holds nothing between transactions.
        assertEq(token.balanceOf(address(world.feeForService())), 0, "X1/F2: FeeForService balance");

        uint256 routerOwes;
        for (uint256 s; s < 2; ++s) {
            bytes32 splitId = splitIds[s];
            address[] memory recipients = recipientsOf[s];
            uint256 claimed;
            for (uint256 k; k < recipients.length; ++k) claimed += router.claimed(splitId, recipients[k]);
            routerOwes += router.totalReceived(splitId) - claimed;
        }
        assertEq(token.balanceOf(address(router)), routerOwes, "X1/S1: SplitRouter balance");
    }

    /// @notice X3 (C2, E2): for every stream and episode, paid to the care team + refunded to the fund +
    /// refunded to the patient + still held = deposited, to the unit (all but "held" observed from outside).
    function check_everyStreamAndEpisodeConservesItsDeposits() public view {
        for (uint256 k; k < ghosts.streamCount(); ++k) {
            uint256 id = ghosts.streamIds(k);
            Ghosts.Flows memory f = ghosts.streamFlows(id);
            Streams.Stream memory s = stream.getStream(id);
            assertEq(f.deposited, uint256(s.ledger.fundIn) + s.ledger.patientIn, "X3: stream deposits");
            assertEq(
                f.paidToSplit + f.fundRefunded + f.patientRefunded + _held(s.ledger), f.deposited, "X3/C2: stream"
            );
        }
        for (uint256 k; k < ghosts.episodeCount(); ++k) {
            uint256 id = ghosts.episodeIds(k);
            Ghosts.Flows memory f = ghosts.episodeFlows(id);
            Episodes.Episode memory e = escrow.getEpisode(id);
            assertEq(f.deposited, uint256(e.ledger.fundIn) + e.ledger.patientIn, "X3: episode deposits");
            assertEq(
                f.paidToSplit + f.fundRefunded + f.patientRefunded + _held(e.ledger) + e.owed,
                f.deposited,
                "X3/E2: episode"
            );
        }
    }

    /// @notice X4 (S1): no split recipient has claimed more than its entitlement, no non-residual recipient
    /// more than its exact share, entitlements add up to totalReceived, and totalReceived equals what the
    /// modules were observed paying into the split.
    function check_noRecipientIsPaidMoreThanEarned() public view {
        for (uint256 s; s < 2; ++s) {
            bytes32 splitId = splitIds[s];
            address[] memory recipients = recipientsOf[s];
            uint32[] memory allocations = allocationsOf[s];
            uint256 total = router.totalReceived(splitId);
            assertEq(total, ghosts.paidIntoSplit(s), "X4: totalReceived differs from what the modules paid");
            uint256 entitlements;
            for (uint256 k; k < recipients.length; ++k) {
                uint256 entitled = router.entitlement(splitId, recipients[k]);
                uint256 claimed = router.claimed(splitId, recipients[k]);
                entitlements += entitled;
                assertLe(claimed, entitled, "X4/S1: a recipient claimed more than its entitlement");
                if (k != residualOf[s]) {
                    assertLe(claimed * SCALE, total * allocations[k], "X4: claimed more than the exact share");
                }
            }
            assertEq(entitlements, total, "X4/S1: entitlements do not add up to totalReceived");
        }
    }

    /// @notice X5 (R4, C4, F4): for every (institution, period) the Regulator's used budget, and for every
    /// (patient, service, period) the fund usage and deductible met, equal the sums over the reservations plus
    /// FeeForService's charges (the ghosts: a charge makes no reservation); no budget is exceeded; each stream's and episode's fund balance never exceeds its reservation.
    function check_regulatorCountersEqualTheLiveReservations() public view {
        uint256 periods = uint256(regulator.currentPeriod(programId)) + 1;
        uint256[] memory used = new uint256[](2 * periods);
        uint256[] memory fundUsed = new uint256[](9 * periods);
        uint256[] memory deductibleMet = new uint256[](9 * periods);
        uint256 count = regulator.reservationCount();
        for (uint256 r = 1; r <= count; ++r) {
            Supervision.Reservation memory res = regulator.getReservation(r);
            uint256 i = res.institution == institutions[0] ? 0 : 1;
            uint256 line = _patientIndexOf(res.patientId) * 3 + _serviceIndexOf(res.serviceType);
            used[i * periods + res.period] += res.fundReserved;
            fundUsed[line * periods + res.period] += res.fundReserved;
            deductibleMet[line * periods + res.period] += res.deductibleCounted;
        }
        for (uint256 period; period < periods; ++period) {
            for (uint256 i; i < 2; ++i) used[i * periods + period] += ghosts.chargedBudget(i, period);
            for (uint256 p; p < 3; ++p) {
                uint256 line = p * 3 + 2; // VIRTUAL_FOLLOW_UP, the line FeeForService charges
                fundUsed[line * periods + period] += ghosts.chargedFund(p, period);
                deductibleMet[line * periods + period] += ghosts.chargedDeductible(p, period);
            }
        }
        for (uint256 period; period < periods; ++period) {
            for (uint256 i; i < 2; ++i) {
                (uint128 budget, uint128 onChainUsed,) =
                    regulator.budgetOf(programId, institutions[i], uint32(period));
                assertEq(onChainUsed, used[i * periods + period], "X5/R4: budget used != sum of reservations");
                assertLe(onChainUsed, budget, "R5: a budget was exceeded");
            }
            for (uint256 line; line < 9; ++line) {
                (uint128 met, uint128 fund) = regulator.patientUsage(
                    programId, patientIds[line / 3], _serviceAt(line % 3), uint32(period)
                );
                assertEq(fund, fundUsed[line * periods + period], "X5/R4: patient fundUsed != sum");
                assertEq(met, deductibleMet[line * periods + period], "X5/R4: deductibleMet != sum");
            }
        }
        _checkItemsWithinReservations();
    }

    /// @notice X6 (C6, E3): a cancelled stream and a completed or refunded episode never change again.
    function check_settledCancelledAndRefundedItemsNeverChange() public view {
        for (uint256 k; k < ghosts.streamCount(); ++k) {
            uint256 id = ghosts.streamIds(k);
            Ghosts.Flows memory f = ghosts.streamFlows(id);
            if (!f.terminal) continue;
            assertTrue(stream.statusOf(id) == Streams.Status.CANCELLED, "X6/C6: cancelled stream revived");
            assertTrue(streamHandler.snapshotOf(id) == f.terminalSnapshot, "X6/C6: a cancelled stream changed");
        }
        for (uint256 k; k < ghosts.episodeCount(); ++k) {
            uint256 id = ghosts.episodeIds(k);
            Ghosts.Flows memory f = ghosts.episodeFlows(id);
            if (!f.terminal) continue;
            assertTrue(escrowHandler.snapshotOf(id) == f.terminalSnapshot, "X6/E3: an ended episode changed");
        }
    }

    /// @notice X7 and the status machines (C5, C6, E3, E4, R8, R10, S3): what the handlers observed directly
    /// (no payout while frozen, refunds never blocked, no forbidden stream or milestone transition, no call
    /// accepted from a party without the right) never happened.
    function check_handlersObservedNoForbiddenTransitionOrBlockedRefund() public view {
        if (ghosts.violations() != 0) revert AssertionFailed(ghosts.firstViolation(), ghosts.violations(), 0);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      HELPERS
    //////////////////////////////////////////////////////////////////////////*/

    function _held(PayerShares.Ledger memory ledger) private pure returns (uint256) {
        return uint256(ledger.fundIn) + ledger.patientIn - ledger.fundOut - ledger.patientOut;
    }

    function _serviceIndexOf(bytes32 serviceType) private view returns (uint256) {
        if (serviceType == chronic) return 0;
        if (serviceType == digitalTwin) return 1;
        return 2; // VIRTUAL_FOLLOW_UP, paid by FeeForService
    }

    function _serviceAt(uint256 index) private view returns (bytes32) {
        return index == 0 ? chronic : (index == 1 ? digitalTwin : followUp);
    }

    function _patientIndexOf(bytes32 patientId) private view returns (uint256) {
        for (uint256 p; p < 3; ++p) if (patientIds[p] == patientId) return p;
        revert AssertionFailed("unknown patient in a reservation", 0, 0);
    }

    /// @dev C4: a stream's (or episode's) fund balance never exceeds its current reservation's fundReserved,
    /// so a release at cancellation or refund is never refused; the reservation belongs to the module.
    function _checkItemsWithinReservations() private view {
        for (uint256 k; k < ghosts.streamCount(); ++k) {
            Streams.Stream memory s = stream.getStream(ghosts.streamIds(k));
            Supervision.Reservation memory res = regulator.getReservation(s.reservationId);
            assertTrue(res.module == address(stream), "X5: a stream's reservation belongs to another module");
            assertLe(s.ledger.fundIn - s.ledger.fundOut, res.fundReserved, "X5/C4: stream fund above reservation");
        }
        for (uint256 k; k < ghosts.episodeCount(); ++k) {
            Episodes.Episode memory e = escrow.getEpisode(ghosts.episodeIds(k));
            Supervision.Reservation memory res = regulator.getReservation(e.progress.reservationId);
            assertTrue(res.module == address(escrow), "X5: an episode's reservation belongs to another module");
            assertLe(e.ledger.fundIn - e.ledger.fundOut, res.fundReserved, "X5: episode fund above reservation");
        }
    }
}
