// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ghosts} from "../Ghosts.sol";
import {World} from "../World.sol";
import {BaseHandler} from "./BaseHandler.sol";

/// @notice Drives SplitRouter's pull and push paths: any recipient's withdrawal (the residual's settles the
/// split first), a stranger's (not a recipient), and `distribute`, including to a recipient frozen in CareUSD
/// (patient 0 is a recipient of split A), which must never block the others (S3).
contract SplitHandler is BaseHandler {
    constructor(World world_, Ghosts ghosts_) BaseHandler(world_, ghosts_) {}

    function withdraw(uint256 splitSeed, uint256 recipientSeed) external instrument("split.withdraw") {
        uint8 s = uint8(splitSeed % 2);
        bytes32 splitId = world.split(s);
        address[] memory recipients = world.splitRecipients(s);
        uint256 choice = recipientSeed % (recipients.length + 1);
        address recipient = choice == recipients.length ? world.stranger() : recipients[choice];
        uint256 claimable = router.claimable(splitId, recipient);
        uint256 balanceBefore = token.balanceOf(recipient);
        vm.prank(world.keeper());
        try router.withdraw(splitId, recipient) returns (uint256 amount) {
            ghosts.countSuccess();
            if (recipient == world.stranger()) _violation("S: a non-recipient withdrew from a split");
            if (amount != claimable || token.balanceOf(recipient) != balanceBefore + claimable) {
                _violation("S1: withdraw sent other than the recipient's claimable amount");
            }
        } catch (bytes memory reason) {
            _refused(reason);
        }
    }

    function distribute(uint256 splitSeed) external instrument("split.distribute") {
        uint8 s = uint8(splitSeed % 2);
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
            _refused(reason);
        }
    }
}
