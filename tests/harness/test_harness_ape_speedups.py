"""tests/ape_speedups.py: the shortcuts are active and keep `ape.reverts` exactly as strict as before."""

import os

import ape
import ape_test.accounts
import ape_speedups
import pytest
from ape.utils.testing import generate_dev_accounts as derive_uncached
from ape_ethereum.trace import TransactionTrace
from ape_foundry.provider import FoundryProvider


@pytest.fixture(scope="module")
def token(project, accounts):
    return accounts[0].deploy(project.CareUSD, 0, accounts[0])


@pytest.fixture(scope="module")
def nested(project, accounts):
    """A split router over a mock token: paying without an allowance reverts inside the token."""
    token = accounts[0].deploy(project.MockERC20, "Mock", "MCK")
    router = accounts[0].deploy(project.SplitRouter, token)
    recipients = sorted([accounts[1].address, accounts[2].address], key=lambda a: int(a, 16))
    router.createSplit(recipients, [500_000, 500_000], 0, sender=accounts[0])
    token.mint(accounts[3], 100, sender=accounts[3])
    return token, router, router.computeSplitId(recipients, [500_000, 500_000], 0)


def test_speedups__installed_by_the_shared_conftest():
    if os.environ.get(ape_speedups.ENV_FLAG) == "1":
        pytest.skip(f"{ape_speedups.ENV_FLAG}=1 runs without the shortcuts")
    assert ape_test.accounts.generate_dev_accounts.cache_info
    assert FoundryProvider._handle_execution_reverted.carepay_no_trace
    assert TransactionTrace.get_addresses_used.carepay_fast


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


def test_nested_revert__attributed_to_the_inner_contract_with_its_arguments(nested, accounts):
    token, router, split = nested
    with ape.reverts(token.ERC20InsufficientAllowance, spender=router, allowance=0, needed=100):
        router.pay(split, 100, sender=accounts[3])


def test_nested_revert__outer_contract_s_error_class__fails_the_check(nested, accounts):
    token, router, split = nested
    other = accounts[0].deploy(token.contract_type, "Other", "OTH")  # same ABI, another instance
    with pytest.raises(AssertionError, match="ERC20InsufficientAllowance"):
        with ape.reverts(other.ERC20InsufficientAllowance, spender=router, allowance=0, needed=100):
            router.pay(split, 100, sender=accounts[3])


def test_last_address_used__same_walk_as_ape(nested, accounts, chain):
    if os.environ.get(ape_speedups.ENV_FLAG) == "1":
        pytest.skip(f"{ape_speedups.ENV_FLAG}=1 runs without the shortcuts")
    token, router, split = nested
    receipt = router.pay(split, 100, sender=accounts[3], raise_on_revert=False)
    assert receipt.failed
    trace = chain.provider.get_transaction_trace(receipt.txn_hash)
    fast = list(trace.get_addresses_used(reverse=True))
    assert fast == list(TransactionTrace.get_addresses_used.ape_original(trace, reverse=True))
    assert fast[0] == token.address
