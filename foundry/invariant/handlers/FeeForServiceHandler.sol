// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// =====================================================================================================
// PLACE FOR THE FeeForService HANDLER (the fourth payment module, `pay(ServiceParams)`, written in
// parallel on another branch). When contracts/FeeForService.sol lands on main:
//   1. World.sol: deploy it (token, regulator, router), grant it MODULE_ROLE, approve it from the fund
//      and the patients, add it to trackedAccounts(), and add a covered service type for it.
//   2. Here: `contract FeeForServiceHandler is BaseHandler` with one target function
//        function pay(uint256 patientSeed, uint256 institutionSeed, uint256 initiatorSeed, uint256 chargeSeed)
//      that builds ServiceParams like StreamHandler._params, observes with _observe(i, p) before and after,
//      and records: deposited == charge (R1), paid to the split == the payout (or 0 while frozen: X7),
//      ghosts.paidIntoSplit via a new ghosts.addPaymentFlows (so X4's totalReceived check stays exact).
//   3. CarePayInvariants.t.sol: construct it in setUp, add it to targetContracts() (the marked line), and
//      add its balance (0 for an immediate payment module) to invariant_modulesAndRouterHoldExactlyWhatTheyOwe.
// X2 (supply), X4 (splits) and X5 (Regulator counters over every reservation) then cover it unchanged.
// =====================================================================================================
