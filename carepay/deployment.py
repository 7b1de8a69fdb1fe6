"""Deploy and wire the CarePay suite with ape: one code path for the demo, the scripts and the tests.

`deploy_suite` deploys CareUSD, the Regulator, the SplitRouter and the three payment modules
(CareStream, OutcomeEscrow, FeeForService) and registers the modules with the Regulator (MODULE_ROLE). `configure_network` then loads a network
description (programs, coverage, institutions, practitioners, patients, budgets) from plain data,
so a scenario or a user can describe their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carepay import codes

#: Six decimals: 1 CareUSD = 1_000_000 units.
UNIT = 10**6
#: Delay of the two-step default-admin handover on the demo network (seconds).
DEFAULT_ADMIN_DELAY = 2 * 24 * 3600
MAX_UINT256 = 2**256 - 1


@dataclass
class Suite:
    """The deployed contracts, as ape contract instances."""

    token: Any
    regulator: Any
    router: Any
    stream: Any
    escrow: Any
    fee_for_service: Any

    def addresses(self) -> dict[str, str]:
        return {
            "CareUSD": str(self.token.address),
            "Regulator": str(self.regulator.address),
            "SplitRouter": str(self.router.address),
            "CareStream": str(self.stream.address),
            "OutcomeEscrow": str(self.escrow.address),
            "FeeForService": str(self.fee_for_service.address),
        }

    @property
    def modules(self) -> tuple[Any, Any, Any]:
        """Every payment module: each holds MODULE_ROLE and pulls payers' shares (payers approve each)."""
        return (self.stream, self.escrow, self.fee_for_service)


def deploy_suite(project: Any, deployer: Any, admin_delay: int = DEFAULT_ADMIN_DELAY) -> Suite:
    """Deploys every contract with `deployer` as their admin and registers the payment modules."""
    token = deployer.deploy(project.CareUSD, admin_delay, deployer)
    regulator = deployer.deploy(project.Regulator, admin_delay, deployer)
    router = deployer.deploy(project.SplitRouter, token)
    stream = deployer.deploy(project.CareStream, token, regulator, router)
    escrow = deployer.deploy(project.OutcomeEscrow, token, regulator, router)
    fee_for_service = deployer.deploy(project.FeeForService, token, regulator, router)
    suite = Suite(
        token=token, regulator=regulator, router=router, stream=stream, escrow=escrow, fee_for_service=fee_for_service
    )
    module_role = regulator.MODULE_ROLE()
    for module in suite.modules:
        regulator.grantRole(module_role, module, sender=deployer)
    return suite


@dataclass
class Parties:
    """Who holds which role on a network. Each value is an ape account."""

    admin: Any
    fund: Any
    supervisor: Any
    arbiter: Any
    institutions: list[Any] = field(default_factory=list)
    practitioners: list[Any] = field(default_factory=list)
    patients: list[Any] = field(default_factory=list)


def grant_operating_roles(suite: Suite, parties: Parties) -> None:
    """Gives the admin every configuration role and the named parties theirs."""
    regulator, token, admin = suite.regulator, suite.token, parties.admin
    for role in ("CONFIGURATOR_ROLE", "REGISTRAR_ROLE"):
        regulator.grantRole(getattr(regulator, role)(), admin, sender=admin)
    regulator.grantRole(regulator.SUPERVISOR_ROLE(), parties.supervisor, sender=admin)
    regulator.grantRole(regulator.ARBITER_ROLE(), parties.arbiter, sender=admin)
    token.grantRole(token.MINTER_ADMIN_ROLE(), admin, sender=admin)


def mint(suite: Suite, admin: Any, to: Any, amount: int) -> None:
    """Mints test CareUSD: the admin configures itself as a minter for exactly `amount`."""
    suite.token.configureMinter(admin, amount, sender=admin)
    suite.token.mint(to, amount, sender=admin)


def period_schedule(anchor: int, length: int, unit: str) -> tuple[int, int, int]:
    """A PeriodSchedule tuple; `unit` is "seconds" or "months"."""
    units = {"seconds": 0, "months": 1}
    if unit not in units:
        raise ValueError(f"period unit {unit!r} is not one of {sorted(units)}")
    return (anchor, length, units[unit])


def coverage(covered: bool, cross_region: bool, ratio_bps: int, deductible: int, cap: int) -> tuple:
    """A Coverage tuple (amounts in token units)."""
    return (covered, cross_region, ratio_bps, deductible, cap)


def service(code: str) -> bytes:
    return codes.service_type(code)
