// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Errors} from "../../../contracts/libraries/Errors.sol";

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives SplitRouter's pull and push paths: a recipient's withdrawal (the residual's settles the split
/// first), and `distribute`, including to a recipient frozen in CareUSD (patient 0 is a recipient of split A),
/// which must never block the others (S3). Mostly where there is something to claim; one call in eight is
/// deliberately bad: a stranger (SplitRouter_NotRecipient), a recipient with nothing to claim
/// (SplitRouter_NothingToClaim), a split with nothing to distribute (SplitRouter_NothingToDistribute).
contract SplitHandler is BaseHandler {
    constructor(World world_, Ghosts ghosts_) BaseHandler(world_, ghosts_) {}

    function withdraw(uint256 splitSeed, uint256 recipientSeed) external instrument("split.withdraw") {
        bool bad = _bad(recipientSeed);
        (bool found, uint8 s, address recipient) = bad && (recipientSeed >> 8) % 2 == 0
            ? (true, uint8(splitSeed % 2), world.stranger())
            : _recipient(splitSeed, recipientSeed, !bad);
        if (!found) return;
        bytes32 splitId = world.split(s);
        uint256 claimable = recipient == world.stranger() ? 0 : router.claimable(splitId, recipient);
        bytes4 expected = recipient == world.stranger()
            ? Errors.SplitRouter_NotRecipient.selector
            : (claimable == 0 ? Errors.SplitRouter_NothingToClaim.selector : bytes4(0));
        uint256 balanceBefore = token.balanceOf(recipient);
        vm.prank(world.keeper());
        try router.withdraw(splitId, recipient) returns (uint256 amount) {
            ghosts.countSuccess();
            if (recipient == world.stranger()) _violation("S: a non-recipient withdrew from a split");
            if (expected != bytes4(0)) _acceptedBad("split.withdraw");
            if (amount != claimable || token.balanceOf(recipient) != balanceBefore + claimable) {
                _violation("S1: withdraw sent other than the recipient's claimable amount");
            }
        } catch (bytes memory reason) {
            if (expected != bytes4(0)) _refusedWith(reason, expected, "split.withdraw");
            else _refused(reason);
        }
    }

    function distribute(uint256 splitSeed) external instrument("split.distribute") {
        // Good: a split with something claimable; bad: one with nothing (none such: nothing to do).
        bool bad = _bad(splitSeed);
        (bool found, uint8 s) = _splitWith(splitSeed, !bad);
        if (!found) return;
        bytes32 splitId = world.split(s);
        address[] memory recipients = world.splitRecipients(s);
        uint256[] memory claimableBefore = new uint256[](recipients.length);
        uint256[] memory balanceBefore = new uint256[](recipients.length);
        for (uint256 k; k < recipients.length; ++k) {
            claimableBefore[k] = router.claimable(splitId, recipients[k]);
            balanceBefore[k] = token.balanceOf(recipients[k]);
        }
        vm.prank(world.keeper());
        try router.distribute(splitId) {
            ghosts.countSuccess();
            if (bad) _acceptedBad("split.distribute with nothing to distribute");
            for (uint256 k; k < recipients.length; ++k) {
                uint256 received = token.balanceOf(recipients[k]) - balanceBefore[k];
                if (token.isFrozen(recipients[k])) {
                    // S3: a frozen recipient gets nothing now and keeps every unit claimable.
                    if (received != 0 || router.claimable(splitId, recipients[k]) < claimableBefore[k]) {
                        _violation("S3: a frozen recipient lost its claimable amount");
                    }
                } else if (received < claimableBefore[k]) {
                    _violation("S3: distribute skipped a recipient that could receive");
                }
            }
        } catch (bytes memory reason) {
            if (bad) _refusedWith(reason, Errors.SplitRouter_NothingToDistribute.selector, "split.distribute");
            else _refused(reason);
        }
    }

    /// @dev A recipient (of either split, from the seeds) with something claimable who can receive it, or for
    /// a bad call one with nothing claimable.
    function _recipient(uint256 splitSeed, uint256 recipientSeed, bool withSomething)
        private
        view
        returns (bool, uint8, address)
    {
        for (uint256 t; t < 2; ++t) {
            uint8 s = uint8((splitSeed % 2 + t) % 2);
            address[] memory recipients = world.splitRecipients(s);
            for (uint256 k; k < recipients.length; ++k) {
                address recipient = recipients[(recipientSeed % recipients.length + k) % recipients.length];
                bool something = router.claimable(world.split(s), recipient) > 0;
                if (withSomething ? something && !token.isFrozen(recipient) : !something) return (true, s, recipient);
            }
        }
        return (false, 0, address(0));
    }

    /// @dev A split with something claimable by anyone (or, for a bad call, with nothing at all).
    function _splitWith(uint256 seed, bool withSomething) private view returns (bool, uint8) {
        for (uint256 t; t < 2; ++t) {
            uint8 s = uint8((seed % 2 + t) % 2);
            address[] memory recipients = world.splitRecipients(s);
            bool something;
            for (uint256 k; k < recipients.length && !something; ++k) {
                something = router.claimable(world.split(s), recipients[k]) > 0;
            }
            if (something == withSomething) return (true, s);
        }
        return (false, 0);
    }
}
