"""carepay.deployment and carepay.demo_network: what `make demo` deploys is wired as described."""

import pytest

from carepay import codes
from carepay.demo_network import DEMO, configure_demo_network, describe
from carepay.deployment import MAX_UINT256, coverage, deploy_suite, period_schedule


@pytest.fixture(scope="module")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def suite(project, admin):
    return deploy_suite(project, admin, admin_delay=3600)


@pytest.fixture(scope="module")
def demo(suite, admin, chain):
    return configure_demo_network(suite, admin, chain_time=chain.pending_timestamp)


def test_deploy_suite__wires_modules_to_token_regulator_and_router(suite):
    for module in suite.modules:
        assert suite.regulator.hasRole(suite.regulator.MODULE_ROLE(), module)
    assert suite.router.token() == suite.token.address
    assert suite.stream.TOKEN() == suite.token.address
    assert suite.stream.REGULATOR() == suite.regulator.address
    assert suite.escrow.regulator() == suite.regulator.address
    assert suite.escrow.router() == suite.router.address
    assert suite.fee_for_service.TOKEN() == suite.token.address
    assert suite.fee_for_service.REGULATOR() == suite.regulator.address
    assert suite.fee_for_service.ROUTER() == suite.router.address
    assert suite.token.allowance(suite.fee_for_service, suite.router) == MAX_UINT256
    assert len(suite.modules) == 3
    assert set(suite.addresses()) == {
        "CareUSD", "Regulator", "SplitRouter", "CareStream", "OutcomeEscrow", "FeeForService"
    }


def test_deploy_suite__admin_handover_is_delayed(suite, admin):
    for contract in (suite.token, suite.regulator):
        assert contract.defaultAdmin() == admin.address
        assert contract.defaultAdminDelay() == 3600


def test_demo_network__configures_coverage_exactly_as_the_data_says(suite, demo):
    for code, rule in DEMO["coverage"].items():
        stored = suite.regulator.getCoverage(demo.program_id, codes.service_type(code))
        assert tuple(stored) == coverage(*rule)


def test_demo_network__registers_parties_with_budgets_and_approved_split(suite, demo):
    regulator = suite.regulator
    period = regulator.currentPeriod(demo.program_id)
    for institution in demo.parties.institutions:
        assert regulator.getInstitution(institution).registered
        assert regulator.budgetOf(demo.program_id, institution, period).budget == DEMO["institution_budget"]
    for patient_id, account in zip(demo.patient_ids, demo.parties.patients):
        assert regulator.getPatient(patient_id).account == account.address
    assert regulator.isPayeeApproved(demo.parties.institutions[0], demo.split_id)
    recipients, allocations, _ = suite.router.getSplit(demo.split_id)
    assert sum(allocations) == suite.router.SCALE()
    assert set(recipients) == set(demo.care_team.values())


def test_demo_network__funds_payers_and_approves_every_module(suite, demo):
    token = suite.token
    assert token.balanceOf(demo.parties.fund) == DEMO["fund_float"]
    for patient in demo.parties.patients:
        assert token.balanceOf(patient) == DEMO["patient_float"]
    for payer in [demo.parties.fund, *demo.parties.patients]:
        for module in suite.modules:
            assert token.allowance(payer, module) == MAX_UINT256


def test_describe__lists_every_contract_and_the_split(suite, demo):
    text = describe(suite, demo)
    for address in suite.addresses().values():
        assert address in text
    assert demo.split_id.hex() in text
    assert "VIRTUAL_FIRST_VISIT" in text


def test_period_schedule__unknown_unit__names_the_choices():
    with pytest.raises(ValueError, match=r"period unit 'weeks' is not one of \['months', 'seconds'\]"):
        period_schedule(0, 1, "weeks")
