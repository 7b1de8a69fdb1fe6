"""Fixtures for verify and report: the suite deployed once for this folder, with a realistic history.

Package scope: the three test modules read the same history; every test that changes the chain runs in
ape's per-test snapshot, so none of them sees another's changes.
"""

import pytest
from .verify_history import deploy_world, run_history


@pytest.fixture(scope="package")
def history(accounts, chain, project):
    world = deploy_world(accounts, chain, project)
    run_history(world, chain)
    return world


@pytest.fixture(scope="package")
def w3(chain):
    return chain.provider.web3
