"""Fixtures for verify and report: the suite deployed once per module with a realistic history."""

import pytest
from verify_history import deploy_world, run_history


@pytest.fixture(scope="module")
def history(accounts, chain, project):
    world = deploy_world(accounts, chain, project)
    run_history(world, chain)
    return world


@pytest.fixture(scope="module")
def w3(chain):
    return chain.provider.web3
