"""tests/ape_speedups.py: the shortcuts are active and keep `ape.reverts` exactly as strict as before."""

import os

import ape
import ape_test.accounts
import ape_speedups
import pytest
from ape.utils.testing import generate_dev_accounts as derive_uncached
from ape_foundry.provider import FoundryProvider


@pytest.fixture(scope="module")
def token(project, accounts):
    return accounts[0].deploy(project.CareUSD, 0, accounts[0])


def test_speedups__installed_by_the_shared_conftest():
    if os.environ.get(ape_speedups.ENV_FLAG) == "1":
        pytest.skip(f"{ape_speedups.ENV_FLAG}=1 runs without the shortcuts")
    assert ape_test.accounts.generate_dev_accounts.cache_info
    assert FoundryProvider._handle_execution_reverted.carepay_no_trace


def test_cached_dev_accounts__are_anvil_accounts(accounts):
    mnemonic, hd_path = accounts.mnemonic, accounts.hd_path
    uncached = derive_uncached(mnemonic, 3, hd_path=hd_path, start_index=2)
    cached = ape_test.accounts.generate_dev_accounts(mnemonic, 3, hd_path=hd_path, start_index=2)
    assert cached == uncached
    assert [a.address for a in cached] == [accounts[i].address for i in (2, 3, 4)]


def test_revert__custom_error_and_arguments__still_decoded(token, accounts):
    caller = accounts[5]
    admin_role = token.getRoleAdmin(token.MINTER_ADMIN_ROLE())
    with ape.reverts(token.AccessControlUnauthorizedAccount, account=caller, neededRole=admin_role):
        token.grantRole(token.MINTER_ADMIN_ROLE(), caller, sender=caller)


def test_revert__wrong_argument__still_fails_the_check(token, accounts):
    caller, someone_else = accounts[5], accounts[6]
    admin_role = token.getRoleAdmin(token.MINTER_ADMIN_ROLE())
    with pytest.raises(AssertionError, match="Expected input 'account'"):
        with ape.reverts(token.AccessControlUnauthorizedAccount, account=someone_else, neededRole=admin_role):
            token.grantRole(token.MINTER_ADMIN_ROLE(), caller, sender=caller)


def test_revert__wrong_error__still_fails_the_check(token, accounts):
    caller = accounts[5]
    with pytest.raises(AssertionError, match="AccessControlEnforcedDefaultAdminRules"):
        with ape.reverts(token.AccessControlEnforcedDefaultAdminRules):
            token.grantRole(token.MINTER_ADMIN_ROLE(), caller, sender=caller)
