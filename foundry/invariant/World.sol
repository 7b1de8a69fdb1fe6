// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CareStream} from "../../contracts/CareStream.sol";
import {CareUSD} from "../../contracts/CareUSD.sol";
import {FeeForService} from "../../contracts/FeeForService.sol";
import {OutcomeEscrow} from "../../contracts/OutcomeEscrow.sol";
import {Regulator} from "../../contracts/Regulator.sol";
import {SplitRouter} from "../../contracts/SplitRouter.sol";
import {Supervision} from "../../contracts/types/Supervision.sol";

import {HasVm} from "../utils/Vm.sol";

/// @notice The whole CarePay suite, deployed and configured like the Python system state machine's world
/// (tests/system/conftest.py and tests/system/system_model.py), so that both suites check the same
/// sentences of INVARIANTS.md on the same kind of world:
///   - one program (fund account `fund`) with 30-day budget periods from the deployment time;
///   - CHRONIC_CARE (paid by CareStream; 80%, deductible 30, cap 2,000 per patient and period; same region
///     only), DIGITAL_TWIN_STAGE (paid by OutcomeEscrow; 70%, deductible 50, cap 1,200; cross-region) and
///     VIRTUAL_FOLLOW_UP (paid by FeeForService; 70%, deductible 10, cap 500; same region only);
///   - institution A (region 1, budget 50,000 per period: never binds) and B (region 2, budget 1,500:
///     binds, so refusals happen), each with a practitioner and an approved care-team split;
///   - three patients (regions 1, 2, 1); patient 0 is also a recipient of split A (a rebate);
///   - split A: institution A 60% (residual), doctor A 25%, vendor 10%, patient 0 5%;
///     split B: institution B 333,334, doctor B 333,333, vendor 333,333 (residual): remainders every time.
/// Every float is minted here, before the run: the total supply is a constant of the run.
/// This contract is the default admin of the token and the Regulator (it deployed them).
contract World is HasVm {
    uint128 internal constant UNIT = 1e6;
    uint32 public constant PERIOD_SECONDS = 30 days;
    uint256 public constant FUND_FLOAT = 1_000_000 * UNIT;
    uint256 public constant PATIENT_FLOAT = 100_000 * UNIT;
    bytes32 public constant CHRONIC = bytes32("CHRONIC_CARE");
    bytes32 public constant DIGITAL_TWIN = bytes32("DIGITAL_TWIN_STAGE");
    bytes32 public constant FOLLOW_UP = bytes32("VIRTUAL_FOLLOW_UP");

    CareUSD public immutable token;
    Regulator public immutable regulator;
    SplitRouter public immutable router;
    CareStream public immutable stream;
    OutcomeEscrow public immutable escrow;
    FeeForService public immutable feeForService;
    uint32 public immutable programId;
    uint64 public immutable anchor;

    address public constant fund = address(0xF00D);
    address public constant supervisor = address(0x5AFE);
    address public constant arbiter = address(0xA2B1);
    address public constant keeper = address(0xBEEF); // "anyone": settles, withdraws, refunds
    address public constant stranger = address(0xBAD); // holds no role and is no party
    address public constant lab = address(0x1AB);
    address public constant vendor = address(0x7E4D);

    address[2] internal _institutions = [address(0x1A), address(0x1B)];
    address[2] internal _practitioners = [address(0xD0C1), address(0xD0C2)];
    uint32[2] internal _institutionRegions = [uint32(1), 2];
    address[3] internal _patients = [address(0xCAFE1), address(0xCAFE2), address(0xCAFE3)];
    uint32[3] internal _patientRegions = [uint32(1), 2, 1];
    bytes32[3] internal _patientIds =
        [keccak256("patient-0000"), keccak256("patient-0001"), keccak256("patient-0002")];
    bytes32[2] internal _splits;
    address[][2] internal _splitRecipients;
    uint32[][2] internal _splitAllocations;
    uint8[2] internal _splitResiduals;

    constructor() {
        token = new CareUSD(0, address(this));
        regulator = new Regulator(0, address(this));
        router = new SplitRouter(token);
        stream = new CareStream(token, regulator, router);
        escrow = new OutcomeEscrow(token, regulator, router);
        feeForService = new FeeForService(token, regulator, router);
        _grantRoles();

        anchor = uint64(block.timestamp);
        programId = regulator.createProgram(
            fund,
            Supervision.PeriodSchedule({anchor: anchor, length: PERIOD_SECONDS, unit: Supervision.PeriodUnit.Seconds})
        );
        regulator.setCoverage(programId, CHRONIC, Supervision.Coverage(true, false, 8_000, 30 * UNIT, 2_000 * UNIT));
        regulator.setCoverage(
            programId, DIGITAL_TWIN, Supervision.Coverage(true, true, 7_000, 50 * UNIT, 1_200 * UNIT)
        );
        regulator.setCoverage(programId, FOLLOW_UP, Supervision.Coverage(true, false, 7_000, 10 * UNIT, 500 * UNIT));
        uint128[2] memory budgets = [uint128(50_000 * UNIT), uint128(1_500 * UNIT)];
        for (uint256 i; i < 2; ++i) {
            regulator.registerInstitution(_institutions[i], _institutionRegions[i]);
            regulator.setDefaultBudget(programId, _institutions[i], budgets[i]);
            regulator.registerPractitioner(_practitioners[i], _institutions[i], 1_000);
        }
        for (uint256 i; i < 3; ++i) {
            regulator.registerPatient(_patientIds[i], _patients[i], programId, _patientRegions[i]);
        }
        _createSplits();
        _fundAndApprove();
        _label();
    }

    /*//////////////////////////////////////////////////////////////////////////
                                      VIEWS
    //////////////////////////////////////////////////////////////////////////*/

    function institution(uint256 i) external view returns (address) {
        return _institutions[i];
    }

    function institutionRegion(uint256 i) external view returns (uint32) {
        return _institutionRegions[i];
    }

    function practitioner(uint256 i) external view returns (address) {
        return _practitioners[i];
    }

    function patient(uint256 i) external view returns (address) {
        return _patients[i];
    }

    function patientId(uint256 i) external view returns (bytes32) {
        return _patientIds[i];
    }

    function patientRegion(uint256 i) external view returns (uint32) {
        return _patientRegions[i];
    }

    function split(uint256 i) external view returns (bytes32) {
        return _splits[i];
    }

    function splitRecipients(uint256 i) external view returns (address[] memory) {
        return _splitRecipients[i];
    }

    function splitAllocations(uint256 i) external view returns (uint32[] memory) {
        return _splitAllocations[i];
    }

    function splitResidual(uint256 i) external view returns (uint8) {
        return _splitResiduals[i];
    }

    /// @notice Every account whose CareUSD balance the run can change (X2 adds them up).
    function trackedAccounts() external view returns (address[] memory accounts) {
        accounts = new address[](19);
        accounts[0] = address(this);
        accounts[1] = fund;
        accounts[2] = supervisor;
        accounts[3] = arbiter;
        accounts[4] = keeper;
        accounts[5] = stranger;
        accounts[6] = lab;
        accounts[7] = vendor;
        accounts[8] = _institutions[0];
        accounts[9] = _institutions[1];
        accounts[10] = _practitioners[0];
        accounts[11] = _practitioners[1];
        accounts[12] = _patients[0];
        accounts[13] = _patients[1];
        accounts[14] = _patients[2];
        accounts[15] = address(stream);
        accounts[16] = address(escrow);
        accounts[17] = address(router);
        accounts[18] = address(feeForService);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     SET-UP
    //////////////////////////////////////////////////////////////////////////*/

    function _grantRoles() private {
        regulator.grantRole(regulator.CONFIGURATOR_ROLE(), address(this));
        regulator.grantRole(regulator.REGISTRAR_ROLE(), address(this));
        regulator.grantRole(regulator.SUPERVISOR_ROLE(), supervisor);
        regulator.grantRole(regulator.ARBITER_ROLE(), arbiter);
        regulator.grantRole(regulator.MODULE_ROLE(), address(stream));
        regulator.grantRole(regulator.MODULE_ROLE(), address(escrow));
        regulator.grantRole(regulator.MODULE_ROLE(), address(feeForService));
        token.grantRole(token.MINTER_ADMIN_ROLE(), address(this));
        token.grantRole(token.FREEZER_ROLE(), supervisor);
    }

    function _createSplits() private {
        // Split A: institution A (residual), doctor A, vendor, patient 0's rebate. Recipients sorted ascending.
        address[4] memory a = [_institutions[0], _practitioners[0], vendor, _patients[0]];
        uint32[4] memory aShares = [uint32(600_000), 250_000, 100_000, 50_000];
        address[3] memory b = [_institutions[1], _practitioners[1], vendor];
        uint32[3] memory bShares = [uint32(333_334), 333_333, 333_333];
        _createSplit(0, _asDynamic(a), _asDynamic(aShares), _institutions[0]);
        _createSplit(1, _asDynamic3(b), _asDynamic3(bShares), vendor);
    }

    function _createSplit(uint256 index, address[] memory members, uint32[] memory shares, address residual)
        private
    {
        // Insertion sort by address (at most 4 entries), keeping each share with its member.
        for (uint256 i = 1; i < members.length; ++i) {
            for (uint256 j = i; j > 0 && members[j] < members[j - 1]; --j) {
                (members[j], members[j - 1]) = (members[j - 1], members[j]);
                (shares[j], shares[j - 1]) = (shares[j - 1], shares[j]);
            }
        }
        uint8 residualIndex;
        for (uint256 i; i < members.length; ++i) {
            if (members[i] == residual) residualIndex = uint8(i);
        }
        bytes32 id = router.createSplit(members, shares, residualIndex);
        vm.prank(_institutions[index]);
        regulator.setPayeeApproval(id, true);
        _splits[index] = id;
        _splitRecipients[index] = members;
        _splitAllocations[index] = shares;
        _splitResiduals[index] = residualIndex;
    }

    function _fundAndApprove() private {
        token.configureMinter(address(this), FUND_FLOAT + 3 * PATIENT_FLOAT);
        token.mint(fund, FUND_FLOAT);
        _approveModules(fund);
        for (uint256 i; i < 3; ++i) {
            token.mint(_patients[i], PATIENT_FLOAT);
            _approveModules(_patients[i]);
        }
    }

    function _approveModules(address payer) private {
        vm.startPrank(payer);
        token.approve(address(stream), type(uint256).max);
        token.approve(address(escrow), type(uint256).max);
        token.approve(address(feeForService), type(uint256).max);
        vm.stopPrank();
    }

    function _label() private {
        vm.label(fund, "fund");
        vm.label(supervisor, "supervisor");
        vm.label(arbiter, "arbiter");
        vm.label(keeper, "keeper");
        vm.label(stranger, "stranger");
        vm.label(_institutions[0], "institutionA");
        vm.label(_institutions[1], "institutionB");
        vm.label(_patients[0], "patient0");
        vm.label(_patients[1], "patient1");
        vm.label(_patients[2], "patient2");
    }

    function _asDynamic(address[4] memory fixed_) private pure returns (address[] memory out) {
        out = new address[](4);
        for (uint256 i; i < 4; ++i) out[i] = fixed_[i];
    }

    function _asDynamic(uint32[4] memory fixed_) private pure returns (uint32[] memory out) {
        out = new uint32[](4);
        for (uint256 i; i < 4; ++i) out[i] = fixed_[i];
    }

    function _asDynamic3(address[3] memory fixed_) private pure returns (address[] memory out) {
        out = new address[](3);
        for (uint256 i; i < 3; ++i) out[i] = fixed_[i];
    }

    function _asDynamic3(uint32[3] memory fixed_) private pure returns (uint32[] memory out) {
        out = new uint32[](3);
        for (uint256 i; i < 3; ++i) out[i] = fixed_[i];
    }
}
