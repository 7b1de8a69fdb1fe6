// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Hex} from "../utils/Hex.sol";
import {Vm, console} from "../utils/Vm.sol";
import {Ghosts} from "./Ghosts.sol";

/// @notice How deep the campaign went, over all its runs: per handler function, calls made, calls whose
/// target call succeeded and calls refused (the rest found no item to act on, or only moved time), and the
/// distinct custom errors provoked. Printed by `afterInvariant` (forge shows the last run's logs, -vv), so
/// the last print covers the whole campaign; `tools/audit/audit_summary.py` reads it back.
/// @dev Forge resets the EVM between runs, so each run's counts are added to process environment variables
/// (`CAREPAY_INVARIANT_*`), the one piece of state that outlives a run. A few dozen reads and writes per run.
/// The totals are per forge process: a second invariant campaign in the same `forge test` would add to them.
library RunSummary {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    string internal constant PREFIX = "CAREPAY_INVARIANT_";

    function addRunAndPrint(Ghosts ghosts) internal {
        // A passing campaign replays its last run to collect logs and calls afterInvariant again: that run
        // is already counted. Its fingerprint (time reached, calls, successes, items) is the previous one's.
        uint256 fingerprint = uint256(
            keccak256(
                abi.encode(
                    block.timestamp, ghosts.totalCalls(), ghosts.successfulCalls(), ghosts.streamCount(),
                    ghosts.episodeCount(), ghosts.refusalSelectorCount()
                )
            )
        );
        if (_get("last") == fingerprint) return _print();
        vm.setEnv(string.concat(PREFIX, "last"), vm.toString(fingerprint));
        _add("runs", 1);
        _add("calls", ghosts.totalCalls());
        _add("succeeded", ghosts.successfulCalls());
        uint256 refusedThisRun;
        for (uint256 k; k < ghosts.callNameCount(); ++k) {
            string memory name = ghosts.callNames(k);
            if (_get(string.concat("listed.", name)) == 0) {
                vm.setEnv(string.concat(PREFIX, "listed.", name), "1");
                _append("names", name);
            }
            _add(string.concat("calls.", name), ghosts.calls(name));
            _add(string.concat("succeeded.", name), ghosts.successes(name));
            _add(string.concat("refused.", name), ghosts.refusedCalls(name));
            refusedThisRun += ghosts.refusedCalls(name);
        }
        _add("refused", refusedThisRun);
        for (uint256 k; k < ghosts.refusalSelectorCount(); ++k) {
            bytes4 selector = ghosts.refusalSelectors(k);
            string memory key = string.concat("error.0x", Hex.selector(selector));
            if (_get(key) == 0) _append("errors", string.concat("0x", Hex.selector(selector)));
            _add(key, ghosts.refusals(selector));
        }
        _print();
    }

    function _print() private view {
        (uint256 runs, uint256 calls) = (_get("runs"), _get("calls"));
        (uint256 succeeded, uint256 refused) = (_get("succeeded"), _get("refused"));
        console.log(
            string.concat(
                "summary ", vm.toString(runs), " runs: per run ", _perRun(calls, runs), " calls, ",
                _perRun(succeeded, runs), " succeeded, ", _perRun(refused, runs), " refused, ",
                _perRun(calls - succeeded - refused, runs), " no item or time only"
            )
        );
        string[] memory names = _list("names");
        for (uint256 k; k < names.length; ++k) {
            string memory name = names[k];
            uint256 n = _get(string.concat("calls.", name));
            uint256 ok = _get(string.concat("succeeded.", name));
            uint256 no = _get(string.concat("refused.", name));
            console.log(
                string.concat(
                    "summary call ", name, ": ", vm.toString(n), " calls, ", vm.toString(ok), " succeeded, ",
                    vm.toString(no), " refused, ", vm.toString(n - ok - no), " no item"
                )
            );
        }
        string[] memory errors = _list("errors");
        console.log("summary distinct errors", errors.length);
        for (uint256 k; k < errors.length; ++k) {
            console.log(string.concat("summary error ", errors[k]), _get(string.concat("error.", errors[k])));
        }
    }

    function _get(string memory key) private view returns (uint256) {
        return vm.envOr(string.concat(PREFIX, key), uint256(0));
    }

    function _add(string memory key, uint256 amount) private returns (uint256 total) {
        total = _get(key) + amount;
        vm.setEnv(string.concat(PREFIX, key), vm.toString(total));
    }

    function _append(string memory key, string memory item) private {
        string memory list = vm.envOr(string.concat(PREFIX, key), string(""));
        vm.setEnv(string.concat(PREFIX, key), bytes(list).length == 0 ? item : string.concat(list, ",", item));
    }

    function _list(string memory key) private view returns (string[] memory) {
        string memory list = vm.envOr(string.concat(PREFIX, key), string(""));
        if (bytes(list).length == 0) return new string[](0);
        return vm.split(list, ",");
    }

    /// @dev total / runs with one decimal, rounded down.
    function _perRun(uint256 total, uint256 runs) private pure returns (string memory) {
        uint256 tenths = total * 10 / runs;
        return string.concat(vm.toString(tenths / 10), ".", vm.toString(tenths % 10));
    }
}
