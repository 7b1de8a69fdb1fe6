// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PayerShares} from "../libraries/PayerShares.sol";

/// @notice Test-only harness: exposes PayerShares over a stored ledger so tests can drive it.
contract PayerSharesHarness {
    using PayerShares for PayerShares.Ledger;
    using PayerShares for PayerShares.Packed;

    PayerShares.Ledger public ledger;

    /// @notice The same ledger in the one-slot form the modules store.
    PayerShares.Packed public packedLedger;

    event Out(uint128 fundPart, uint128 patientPart);

    function deposit(uint128 fundAmount, uint128 patientAmount) external {
        PayerShares.Ledger memory l = ledger;
        l.recordIn(fundAmount, patientAmount);
        ledger = l;
    }

    function withdraw(uint128 amount) external returns (uint128 fundPart, uint128 patientPart) {
        PayerShares.Ledger memory l = ledger;
        require(amount <= l.total(), "harness: amount above balance");
        (fundPart, patientPart) = l.recordOut(amount);
        ledger = l;
        emit Out(fundPart, patientPart);
    }

    function depositPacked(uint128 fundAmount, uint128 patientAmount) external {
        PayerShares.Ledger memory l = packedLedger.load();
        l.recordIn(fundAmount, patientAmount);
        packedLedger.store(l);
    }

    function withdrawPacked(uint128 amount) external returns (uint128 fundPart, uint128 patientPart) {
        PayerShares.Ledger memory l = packedLedger.load();
        require(amount <= l.total(), "harness: amount above balance");
        (fundPart, patientPart) = l.recordOut(amount);
        packedLedger.store(l);
        emit Out(fundPart, patientPart);
    }

    function balances() external view returns (uint128 fundBalance, uint128 patientBalance) {
        return PayerShares.balances(ledger);
    }
}
