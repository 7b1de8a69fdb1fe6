"""Minters (USDC model): configure, remove, mint within the allowance, burn own balance."""

import ape
from ape.utils import ZERO_ADDRESS

# ------------------------------------------------------------------------------------------- configureMinter


def test_configure_minter__new_account__grants_role_sets_allowance_and_emits(token, minter_admin, carol):
    tx = token.configureMinter(carol, 500, sender=minter_admin)

    assert token.isMinter(carol)
    assert token.hasRole(token.MINTER_ROLE(), carol)
    assert token.minterAllowance(carol) == 500
    assert tx.events == [
        token.RoleGranted(token.MINTER_ROLE(), carol, minter_admin),
        token.MinterConfigured(carol, 500),
    ]


def test_configure_minter__existing_minter__overwrites_allowance_without_role_event(
    token, minter_admin, minter, fund
):
    fund(minter, 40)  # allowance is now lower than configured
    tx = token.configureMinter(minter, 7, sender=minter_admin)

    assert token.minterAllowance(minter) == 7  # replaced, not added
    assert tx.events == [token.MinterConfigured(minter, 7)]


def test_configure_minter__zero_allowance__keeps_role_but_mint_reverts(token, minter_admin, minter, alice):
    token.configureMinter(minter, 0, sender=minter_admin)

    assert token.isMinter(minter)
    assert token.minterAllowance(minter) == 0
    with ape.reverts(token.CareUSD_MintAllowanceExceeded, minter=minter, allowance=0, requested=1):
        token.mint(alice, 1, sender=minter)


def test_configure_minter__zero_address__reverts(token, minter_admin):
    with ape.reverts(token.CareUSD_MinterZeroAddress):
        token.configureMinter(ZERO_ADDRESS, 1, sender=minter_admin)


# ---------------------------------------------------------------------------------------------- removeMinter


def test_remove_minter__minter__revokes_role_clears_allowance_and_emits(token, minter_admin, minter, alice):
    tx = token.removeMinter(minter, sender=minter_admin)

    assert not token.isMinter(minter)
    assert token.minterAllowance(minter) == 0
    assert tx.events == [
        token.RoleRevoked(token.MINTER_ROLE(), minter, minter_admin),
        token.MinterRemoved(minter),
    ]
    with ape.reverts(token.AccessControlUnauthorizedAccount, account=minter, neededRole=token.MINTER_ROLE()):
        token.mint(alice, 1, sender=minter)


def test_remove_minter__not_a_minter__reverts(token, minter_admin, carol):
    with ape.reverts(token.CareUSD_NotMinter, account=carol):
        token.removeMinter(carol, sender=minter_admin)


def test_revoke_role__minter_role__clears_allowance_like_remove_minter(token, minter_admin, minter):
    tx = token.revokeRole(token.MINTER_ROLE(), minter, sender=minter_admin)

    assert token.minterAllowance(minter) == 0
    assert tx.events == [
        token.RoleRevoked(token.MINTER_ROLE(), minter, minter_admin),
        token.MinterRemoved(minter),
    ]


def test_renounce_role__minter_role__clears_allowance(token, minter):
    tx = token.renounceRole(token.MINTER_ROLE(), minter, sender=minter)

    assert not token.isMinter(minter)
    assert token.minterAllowance(minter) == 0
    assert tx.events == [token.RoleRevoked(token.MINTER_ROLE(), minter, minter), token.MinterRemoved(minter)]


def test_grant_role__minter_role_by_minter_admin__minter_without_allowance(token, minter_admin, carol, alice):
    token.grantRole(token.MINTER_ROLE(), carol, sender=minter_admin)

    assert token.isMinter(carol)
    assert token.minterAllowance(carol) == 0
    with ape.reverts(token.CareUSD_MintAllowanceExceeded, minter=carol, allowance=0, requested=1):
        token.mint(alice, 1, sender=carol)


def test_remove_then_regrant__old_allowance__does_not_come_back(token, minter_admin, minter, minter_allowance):
    assert token.minterAllowance(minter) == minter_allowance
    token.removeMinter(minter, sender=minter_admin)
    token.grantRole(token.MINTER_ROLE(), minter, sender=minter_admin)

    assert token.minterAllowance(minter) == 0


def test_revoke_role__other_role__emits_no_minter_removed(token, admin, pauser):
    tx = token.revokeRole(token.PAUSER_ROLE(), pauser, sender=admin)

    assert tx.events == [token.RoleRevoked(token.PAUSER_ROLE(), pauser, admin)]


# ------------------------------------------------------------------------------------------------------ mint


def test_mint__within_allowance__credits_receiver_consumes_allowance_exactly(
    token, minter, alice, minter_allowance
):
    tx = token.mint(alice, 1_234_567, sender=minter)

    assert token.balanceOf(alice) == 1_234_567
    assert token.totalSupply() == 1_234_567
    assert token.minterAllowance(minter) == minter_allowance - 1_234_567
    assert tx.events == [token.Transfer(ZERO_ADDRESS, alice, 1_234_567), token.Minted(minter, alice, 1_234_567)]


def test_mint__whole_allowance_then_one_more__second_reverts_with_values(token, minter_admin, minter, alice, bob):
    token.configureMinter(minter, 100, sender=minter_admin)
    token.mint(alice, 60, sender=minter)
    token.mint(bob, 40, sender=minter)

    assert token.minterAllowance(minter) == 0
    assert token.totalSupply() == 100
    with ape.reverts(token.CareUSD_MintAllowanceExceeded, minter=minter, allowance=0, requested=1):
        token.mint(alice, 1, sender=minter)


def test_mint__above_allowance__reverts_with_minter_allowance_requested(token, minter_admin, minter, alice):
    token.configureMinter(minter, 99, sender=minter_admin)

    with ape.reverts(token.CareUSD_MintAllowanceExceeded, minter=minter, allowance=99, requested=100):
        token.mint(alice, 100, sender=minter)
    assert token.minterAllowance(minter) == 99


def test_mint__zero_amount__reverts(token, minter, alice):
    with ape.reverts(token.CareUSD_ZeroAmount):
        token.mint(alice, 0, sender=minter)


def test_mint__to_zero_address__reverts_with_erc6093_invalid_receiver(token, minter):
    with ape.reverts(token.ERC20InvalidReceiver, receiver=ZERO_ADDRESS):
        token.mint(ZERO_ADDRESS, 1, sender=minter)


def test_mint__to_frozen_account__reverts(token, freezer, minter, alice):
    token.freeze(alice, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=alice):
        token.mint(alice, 1, sender=minter)


def test_mint__frozen_minter__reverts(token, freezer, minter, alice):
    token.freeze(minter, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=minter):
        token.mint(alice, 1, sender=minter)


def test_mint__paused__reverts_and_keeps_allowance(token, pauser, minter, alice, minter_allowance):
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.mint(alice, 1, sender=minter)
    assert token.minterAllowance(minter) == minter_allowance


def test_mint__two_minters__allowances_are_independent(token, minter_admin, minter, carol, alice):
    token.configureMinter(minter, 10, sender=minter_admin)
    token.configureMinter(carol, 20, sender=minter_admin)
    token.mint(alice, 4, sender=carol)

    assert token.minterAllowance(minter) == 10
    assert token.minterAllowance(carol) == 16


# ------------------------------------------------------------------------------------------------------ burn


def test_burn__own_balance__destroys_units_and_emits(token, minter, fund, minter_allowance):
    fund(minter, 1_000)
    tx = token.burn(300, sender=minter)

    assert token.balanceOf(minter) == 700
    assert token.totalSupply() == 700
    assert token.minterAllowance(minter) == minter_allowance - 1_000  # burning does not restore it
    assert tx.events == [token.Transfer(minter, ZERO_ADDRESS, 300), token.Burned(minter, 300)]


def test_burn__more_than_balance__reverts_with_erc6093_insufficient_balance(token, minter, fund):
    fund(minter, 10)

    with ape.reverts(token.ERC20InsufficientBalance, sender=minter, balance=10, needed=11):
        token.burn(11, sender=minter)


def test_burn__zero_amount__reverts(token, minter):
    with ape.reverts(token.CareUSD_ZeroAmount):
        token.burn(0, sender=minter)


def test_burn__paused__reverts(token, pauser, minter, fund):
    fund(minter, 10)
    token.pause(sender=pauser)

    with ape.reverts(token.EnforcedPause):
        token.burn(1, sender=minter)


def test_burn__frozen_minter__reverts(token, freezer, minter, fund):
    fund(minter, 10)
    token.freeze(minter, sender=freezer)

    with ape.reverts(token.CareUSD_AccountFrozen, account=minter):
        token.burn(1, sender=minter)


def test_burn__removed_minter__reverts_with_missing_role(token, minter_admin, minter, fund):
    fund(minter, 10)
    token.removeMinter(minter, sender=minter_admin)

    with ape.reverts(token.AccessControlUnauthorizedAccount, account=minter, neededRole=token.MINTER_ROLE()):
        token.burn(1, sender=minter)
