// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Probe is ERC20 { error Bad(uint256 x); constructor() ERC20("a","b") {} function f(uint256 x) external pure { revert Bad(x); } }
