"""Fixtures of the SplitRouter tests: the care team, a settlement token, a router and factories."""

import pytest

from split_helpers import CARE_TEAM_ALLOCATIONS, address_of, sorted_split
from split_model import SCALE, split_id


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def payer(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def stranger(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def care_team(accounts):
    """name -> account: hospital, doctor, vendor, data_provider, platform and patient (accounts 3..8)."""
    return {name: accounts[3 + i] for i, name in enumerate(CARE_TEAM_ALLOCATIONS)}


@pytest.fixture(scope="session")
def token(project, deployer):
    return deployer.deploy(project.MockERC20, "Mock CareUSD", "mCUSD")


@pytest.fixture(scope="session")
def router(project, deployer, token):
    return deployer.deploy(project.SplitRouter, token)


@pytest.fixture(scope="session")
def care_split(care_team):
    """The care team's split definition, the platform taking the rounding remainders."""
    shares = {care_team[name].address: a for name, a in CARE_TEAM_ALLOCATIONS.items()}
    return sorted_split(shares, care_team["platform"].address)


@pytest.fixture(scope="session")
def create_split(deployer):
    """create_split(router, recipients, allocations, residual_index, sender=deployer) -> (split id, tx).

    The id is computed in Python by the id rule, independently of the contract.
    """

    def create(router, recipients, allocations, residual_index, sender=None):
        tx = router.createSplit(recipients, allocations, residual_index, sender=sender or deployer)
        return split_id(recipients, allocations, residual_index), tx

    return create


@pytest.fixture(scope="session")
def equal_split():
    """equal_split(n, residual_index=0, tag=""): n key-less recipients sharing SCALE as evenly as possible.

    A different `tag` gives different recipients (so a different split).
    """

    def make(n, residual_index=0, tag=""):
        shares = {address_of(f"{tag}{i}"): SCALE // n + (1 if i < SCALE % n else 0) for i in range(n)}
        recipients = sorted(shares, key=lambda a: int(a, 16))
        return recipients, [shares[r] for r in recipients], residual_index

    return make


@pytest.fixture(scope="session")
def fund_and_pay(payer):
    """fund_and_pay(router, token, split_id, amount, sender=payer): mint, approve, pay -> tx."""

    def pay(router, token, split_id, amount, sender=None):
        sender = sender or payer
        token.mint(sender, amount, sender=sender)
        token.approve(router, amount, sender=sender)
        return router.pay(split_id, amount, sender=sender)

    return pay
