"""FeeForService's constructor, and the guards that do not depend on the Regulator: reentrancy through a
hostile token, and a token that delivers less than it debits (the module never pays out what it lacks)."""

import ape
import pytest

from carepay.deployment import MAX_UINT256

from .conftest import CHARGE, ONE

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


# ------------------------------------------------------------------------------------------ constructor


def test_constructor__sets_the_collaborators_approves_the_router_and_holds_nothing(ffs, token, regulator, router):
    assert ffs.TOKEN() == token
    assert ffs.REGULATOR() == regulator
    assert ffs.ROUTER() == router
    assert ffs.totalPaid() == 0
    assert token.allowance(ffs, router) == MAX_UINT256
    assert token.balanceOf(ffs) == 0


def test_constructor__zero_regulator__reverts(project, world, token, router):
    with ape.reverts(project.FeeForService.FeeForService_RegulatorZeroAddress):
        world.admin.deploy(project.FeeForService, token, ZERO_ADDRESS, router)


def test_constructor__zero_router__reverts(project, world, token, regulator):
    with ape.reverts(project.FeeForService.FeeForService_RouterZeroAddress):
        world.admin.deploy(project.FeeForService, token, regulator, ZERO_ADDRESS)


def test_constructor__token_is_not_the_routers__reverts(project, world, regulator, router):
    other = world.admin.deploy(project.MockERC20, "Other USD", "oUSD")
    with ape.reverts(
        project.FeeForService.FeeForService_TokenMismatch, token=other.address, routerToken=router.token()
    ):
        world.admin.deploy(project.FeeForService, other, regulator, router)


# ------------------------------------------------------------------------------------------ hostile tokens


@pytest.fixture
def module_over(project, world, regulator):
    """A second FeeForService over `token_type` and its own router, supervised by the same Regulator. The split
    with the same recipients has the same id, so the hospital's approval applies."""

    def deploy(token_contract):
        admin = world.admin
        other_router = admin.deploy(project.SplitRouter, token_contract)
        module = admin.deploy(project.FeeForService, token_contract, regulator, other_router)
        regulator.grantRole(regulator.MODULE_ROLE(), module, sender=admin)
        recipients, allocations, residual = world.split_recipients
        other_router.createSplit(recipients, allocations, residual, sender=admin)
        for payer in (world.fund, world.patient):
            token_contract.mint(payer, 1_000 * ONE, sender=admin)
            token_contract.approve(module, MAX_UINT256, sender=payer)
        return module, other_router

    return deploy


def test_pay__reentered_from_the_token__reverts_reentrancy(project, world, service_params, module_over):
    hostile = world.admin.deploy(project.MockReentrantToken)
    module, _ = module_over(hostile)
    params = service_params()
    hostile.arm(module, module.pay.encode_input(params), sender=world.stranger)
    with ape.reverts(module.ReentrancyGuardReentrantCall):
        module.pay(params, sender=world.patient)
    assert hostile.balanceOf(module) == 0


def test_pay__same_hostile_token_not_armed__pays(project, world, service_params, module_over):
    hostile = world.admin.deploy(project.MockReentrantToken)
    module, other_router = module_over(hostile)
    module.pay(service_params(), sender=world.patient)
    assert other_router.totalReceived(world.split_id) == CHARGE
    assert hostile.balanceOf(module) == 0


def test_pay__token_takes_a_fee__reverts_rather_than_pay_what_the_module_lacks(
    project, world, service_params, module_over
):
    lossy = world.admin.deploy(project.MockFeeOnTransferToken, 100)  # 1 %
    module, _ = module_over(lossy)
    fund_share, patient_share = 35 * ONE, 25 * ONE
    received = fund_share - fund_share // 100 + patient_share - patient_share // 100
    # Paying the router 60 burns the 1 % fee from the module first, then moves the other 99 %.
    fee = CHARGE // 100
    with ape.reverts(lossy.ERC20InsufficientBalance, sender=module, balance=received - fee, needed=CHARGE - fee):
        module.pay(service_params(), sender=world.patient)
    assert lossy.balanceOf(module) == 0
