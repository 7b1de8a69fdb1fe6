// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice The few Foundry cheatcodes this suite uses, declared here because forge-std is not available
/// offline (see ../shared/TOOLCHAIN.md). Signatures are those of forge-std's Vm; the address is the
/// standard cheatcode address, address(uint160(uint256(keccak256("hevm cheat code")))).
interface Vm {
    function warp(uint256 newTimestamp) external;
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;
    function label(address account, string calldata newLabel) external;
    function expectRevert(bytes calldata revertData) external;
    // The run summary adds each run's counts to process environment variables: the only state that
    // survives forge's reset of the EVM between runs (read back at the next run's end).
    function setEnv(string calldata name, string calldata value) external;
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256);
    function envOr(string calldata name, string calldata defaultValue) external view returns (string memory);
    function split(string calldata input, string calldata delimiter) external pure returns (string[] memory);
    function toString(uint256 value) external pure returns (string memory);
}

/// @dev The cheatcode contract, shared by the fixture and the handlers.
abstract contract HasVm {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
}

/// @notice forge-std's console.log, reduced to the two forms the suite prints (Hardhat's console address).
library console {
    address internal constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory label, uint256 value) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string,uint256)", label, value));
        ok; // console calls never fail and return nothing
    }

    function log(string memory line) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string)", line));
        ok;
    }
}
