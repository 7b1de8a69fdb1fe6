// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice Ghost variables shared by the handlers (Sablier's "Store"): what the handlers saw move, measured
/// from outside the contracts (token balances and the router's totals before and after each call), so the
/// invariants compare the contracts' own books with independent observations.
/// @dev Not a fuzz target: the invariant test names only the handlers as targets.
contract Ghosts {
    /// @notice Money observed around one stream or episode, in CareUSD units.
    struct Flows {
        uint256 deposited; // what the payers' balances fell by in create and top-ups
        uint256 paidToSplit; // what the split's totalReceived rose by in calls on this item
        uint256 fundRefunded; // what the fund account received (or had held for it) from this item
        uint256 patientRefunded; // same for the patient's account
        uint8 splitIndex;
        uint8 patientIndex;
        bool terminal; // cancelled stream / completed or refunded episode
        bytes32 terminalSnapshot; // hash of the state that must never change again
    }

    uint256[] public streamIds;
    uint256[] public episodeIds;
    mapping(uint256 streamId => Flows) internal _streamFlows;
    mapping(uint256 episodeId => Flows) internal _episodeFlows;
    mapping(uint256 episodeId => bytes) public episodeTerms; // abi.encode(Episodes.Terms)
    mapping(uint256 splitIndex => uint256) public paidIntoSplit; // by the modules, observed

    /// @notice Violations the handlers observed directly (forbidden transitions, payouts under a freeze,
    /// refunds blocked). Each must stay zero; the first one's description is kept for the report.
    uint256 public violations;
    string public firstViolation;

    /// @notice Calls per handler function, and in total (the summary prints them).
    mapping(string name => uint256) public calls;
    uint256 public totalCalls;
    /// @notice Handler calls whose target call succeeded (the rest were refused with a custom error).
    uint256 public successfulCalls;

    /// @notice Refusals per custom-error selector (0x00000000 for a revert without data).
    mapping(bytes4 selector => uint256) public refusals;
    bytes4[] public refusalSelectors;

    /// @notice Per handler function (as named by `countCall`): calls whose target call succeeded, and calls
    /// refused. A function's other calls found no item to act on, or were time warps (no target call).
    mapping(string name => uint256) public successes;
    mapping(string name => uint256) public refusedCalls;
    /// @notice The handler functions called so far in the run, in order of first call.
    string[] public callNames;
    /// @dev The handler function in progress: successes and refusals are counted against it.
    string internal _currentCall;

    function callNameCount() external view returns (uint256) {
        return callNames.length;
    }

    function countRefusal(bytes4 selector) external {
        if (refusals[selector] == 0) refusalSelectors.push(selector);
        refusals[selector] += 1;
        refusedCalls[_currentCall] += 1;
    }

    function refusalSelectorCount() external view returns (uint256) {
        return refusalSelectors.length;
    }

    /// @notice Milestones of the run worth reaching (settlements, held payouts, renewals, ...), by name.
    mapping(string name => uint256) public events;
    string[] public eventNames;

    function countEvent(string calldata name) external {
        if (events[name] == 0) eventNames.push(name);
        events[name] += 1;
    }

    function eventNameCount() external view returns (uint256) {
        return eventNames.length;
    }

    /// @notice The call in progress performs another handler step (a handler whose own step found no item in
    /// the state it needs advances an item by its next step instead): count it under that step's name.
    function recount(string calldata name) external {
        calls[_currentCall] -= 1;
        _list(name);
        calls[name] += 1;
        _currentCall = name;
    }

    mapping(string name => bool) internal _listed;

    function _list(string calldata name) private {
        if (_listed[name]) return;
        _listed[name] = true;
        callNames.push(name);
    }

    function countCall(string calldata name) external {
        _list(name);
        calls[name] += 1;
        totalCalls += 1;
        _currentCall = name;
    }

    function countSuccess() external {
        successfulCalls += 1;
        successes[_currentCall] += 1;
    }

    function recordViolation(string calldata what) external {
        if (violations == 0) firstViolation = what;
        violations += 1;
    }

    function addStream(uint256 id, uint8 splitIndex, uint8 patientIndex) external {
        streamIds.push(id);
        _streamFlows[id].splitIndex = splitIndex;
        _streamFlows[id].patientIndex = patientIndex;
    }

    function addEpisode(uint256 id, uint8 splitIndex, uint8 patientIndex, bytes calldata terms) external {
        episodeIds.push(id);
        _episodeFlows[id].splitIndex = splitIndex;
        _episodeFlows[id].patientIndex = patientIndex;
        episodeTerms[id] = terms;
    }

    function streamCount() external view returns (uint256) {
        return streamIds.length;
    }

    function episodeCount() external view returns (uint256) {
        return episodeIds.length;
    }

    function streamFlows(uint256 id) external view returns (Flows memory) {
        return _streamFlows[id];
    }

    function episodeFlows(uint256 id) external view returns (Flows memory) {
        return _episodeFlows[id];
    }

    /// @notice Adds what one call on a stream moved.
    function addStreamFlows(uint256 id, uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund)
        external
    {
        Flows storage f = _streamFlows[id];
        f.deposited += deposited;
        f.paidToSplit += paid;
        f.fundRefunded += fundRefund;
        f.patientRefunded += patientRefund;
        paidIntoSplit[f.splitIndex] += paid;
    }

    function addEpisodeFlows(uint256 id, uint256 deposited, uint256 paid, uint256 fundRefund, uint256 patientRefund)
        external
    {
        Flows storage f = _episodeFlows[id];
        f.deposited += deposited;
        f.paidToSplit += paid;
        f.fundRefunded += fundRefund;
        f.patientRefunded += patientRefund;
        paidIntoSplit[f.splitIndex] += paid;
    }

    /// @notice A FeeForService payment: the whole charge went to the split in the same transaction.
    function addPaymentFlows(uint8 splitIndex, uint256 paid) external {
        paidIntoSplit[splitIndex] += paid;
        feeForServicePaid += paid;
    }

    /// @notice Everything FeeForService was observed paying into splits.
    uint256 public feeForServicePaid;

    /// @notice What FeeForService's charges committed to the Regulator's counters (they make no reservation):
    /// fund shares per (institution index, period), and fund shares and deductible portions per (patient index,
    /// period) of the follow-up line. X5 adds them to the sums over the live reservations.
    mapping(uint256 institutionIndex => mapping(uint256 period => uint256)) public chargedBudget;
    mapping(uint256 patientIndex => mapping(uint256 period => uint256)) public chargedFund;
    mapping(uint256 patientIndex => mapping(uint256 period => uint256)) public chargedDeductible;

    function addCharge(uint8 institutionIndex, uint8 patientIndex, uint32 period, uint128 fund, uint128 deductible)
        external
    {
        chargedBudget[institutionIndex][period] += fund;
        chargedFund[patientIndex][period] += fund;
        chargedDeductible[patientIndex][period] += deductible;
    }

    function markStreamTerminal(uint256 id, bytes32 snapshot) external {
        _streamFlows[id].terminal = true;
        _streamFlows[id].terminalSnapshot = snapshot;
    }

    function markEpisodeTerminal(uint256 id, bytes32 snapshot) external {
        _episodeFlows[id].terminal = true;
        _episodeFlows[id].terminalSnapshot = snapshot;
    }
}
