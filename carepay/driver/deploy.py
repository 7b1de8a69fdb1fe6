"""Deploys and configures the suite with plain web3 (any RPC), one journaled step at a time.

Steps: each contract (CareUSD, Regulator, SplitRouter, CareStream, OutcomeEscrow, and FeeForService when
it is compiled), then the roles (modules registered with MODULE_ROLE, configuration roles to the admin,
SUPERVISOR and ARBITER to their accounts). On a devnet also the insurance program, its coverage and the
fund's float with its approvals of the modules. Re-running finds every finished step on chain and skips it,
and writes the manifest again; a chain that lost the deployment gets a fresh one.
"""

from __future__ import annotations

import time
from calendar import timegm
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from carepay import artifacts, codes
from carepay.chain import Chain
from carepay.driver import config
from carepay.driver.abi import available, contract_abi
from carepay.driver.journal import Journal
from carepay.errors import CarePayError
from carepay.manifest import Manifest, check_code, load_checked, read, write
from carepay.sender import Sender, Sent, Tx

CORE = ("CareUSD", "Regulator", "SplitRouter", "CareStream", "OutcomeEscrow")
OPTIONAL_MODULES = ("FeeForService",)
MODULES = ("CareStream", "OutcomeEscrow", "FeeForService")


@dataclass
class Roles:
    admin: str
    fund: str
    supervisor: str
    arbiter: str

    @classmethod
    def for_chain(cls, chain: Chain, account: str | None) -> "Roles":
        if chain.devnet and account is None:
            dev = chain.dev_accounts()
            return cls(**{role: dev[index] for role, index in config.ROLE_ACCOUNTS.items()})
        if account is None:
            raise CarePayError(f"network {chain.name!r} needs an account to deploy from: pass --account <ape account alias>")
        return cls(admin=account, fund=account, supervisor=account, arbiter=account)


def month_start(timestamp: int) -> int:
    t = time.gmtime(timestamp)
    return timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0))


def contract_names() -> list[str]:
    return list(CORE) + [name for name in OPTIONAL_MODULES if available(name)]


def _constructor_args(name: str, deployed: dict[str, str], roles: Roles, admin_delay: int) -> tuple:
    if name in ("CareUSD", "Regulator"):
        return (admin_delay, roles.admin)
    if name == "SplitRouter":
        return (deployed["CareUSD"],)
    inputs = contract_abi(name).constructor_inputs
    if inputs != ("address", "address", "address"):
        raise CarePayError(f"{name}'s constructor takes {inputs}; the driver knows (token, regulator, router) only")
    return (deployed["CareUSD"], deployed["Regulator"], deployed["SplitRouter"])


def _view(sender: Sender, contract: str, address: str, fn: str, *args: Any) -> tuple:
    function = contract_abi(contract).fn(fn)
    return function.decode_output(sender.call(Tx(sender="0x" + "0" * 40, to=address, data=function.encode(*args), label=f"{contract}.{fn}")))


def deploy(chain: Chain, sender: Sender, account: str | None = None, admin_delay: int = config.DEFAULT_ADMIN_DELAY,
           progress: Any = None) -> tuple[Manifest, bool]:
    """Deploys what is missing; returns (manifest, whether anything was sent)."""
    roles = Roles.for_chain(chain, account)
    journal = Journal(chain.folder, "deploy", sender)
    journal.reconcile()
    existing = read(chain.folder)
    if existing is not None:
        # Contracts built from other code are neither reused (the journal would) nor silently replaced (a new
        # suite paid from the user's account, the old addresses lost from the manifest): the user decides.
        check_code(existing, chain.folder, chain.name)
    if not journal.data["order"] and existing is not None:
        try:  # deployed before this journal existed (or elsewhere): check it and keep it
            return load_checked(chain.folder, chain.w3, chain.name), False
        except CarePayError:
            pass  # stale manifest of a reset chain: deploy afresh
    sent_any = False
    deployed: dict[str, dict[str, Any]] = {}

    for name in contract_names():
        def build(name=name) -> list[Tx]:
            args = _constructor_args(name, {k: v["address"] for k, v in deployed.items()}, roles, admin_delay)
            return [Tx(sender=roles.admin, to=None, data=contract_abi(name).creation_code(*args), label=f"deploy {name}")]

        def interpret(sent: list[Sent]) -> dict[str, Any]:
            return {"address": sent[0].contract_address, "block": sent[0].block, "tx": sent[0].hash}

        result, sent = journal.run_step(f"deploy:{name}", build, interpret)
        sent_any |= bool(sent)
        deployed[name] = result
        if progress:
            progress(f"{name} at {result['address']}")

    addresses = {name: entry["address"] for name, entry in deployed.items()}
    roles_of = {
        role: _view(sender, "Regulator", addresses["Regulator"], role)[0]
        for role in ("MODULE_ROLE", "CONFIGURATOR_ROLE", "REGISTRAR_ROLE", "SUPERVISOR_ROLE", "ARBITER_ROLE")
    }
    minter_admin = _view(sender, "CareUSD", addresses["CareUSD"], "MINTER_ADMIN_ROLE")[0]

    def build_roles() -> list[Tx]:
        grant = contract_abi("Regulator").fn("grantRole")
        regulator = addresses["Regulator"]
        grants = [(roles_of["MODULE_ROLE"], addresses[m]) for m in MODULES if m in addresses]
        grants += [(roles_of["CONFIGURATOR_ROLE"], roles.admin), (roles_of["REGISTRAR_ROLE"], roles.admin)]
        grants += [(roles_of["SUPERVISOR_ROLE"], roles.supervisor), (roles_of["ARBITER_ROLE"], roles.arbiter)]
        txs = [Tx(roles.admin, regulator, grant.encode(role, who), label="Regulator.grantRole") for role, who in grants]
        txs.append(Tx(roles.admin, addresses["CareUSD"], grant.encode(minter_admin, roles.admin), label="CareUSD.grantRole"))
        return txs

    # The step id names the modules, so a module added later (FeeForService merged after a first deploy)
    # gets its role on the next deploy; granting a role again changes nothing.
    module_set = "+".join(m for m in MODULES if m in addresses)
    _, sent = journal.run_step(f"roles:{module_set}", build_roles, lambda sent: {})
    sent_any |= bool(sent)
    configuration: dict[str, Any] = {"roles": roles.__dict__, "admin_delay": admin_delay}
    if chain.devnet:
        sent_any |= _configure_devnet(journal, sender, addresses, roles, configuration)
    manifest = Manifest(
        network=chain.name,
        chain_id=chain.chain_id,
        contracts={name: {"address": e["address"], "block": e["block"], "tx": e["tx"]} for name, e in deployed.items()},
        from_block=min(e["block"] for e in deployed.values()),
        deployer=roles.admin,
        configuration=configuration,
        versions=_versions(),
    )
    write(chain.folder, manifest)
    return manifest, sent_any


def _configure_devnet(journal: Journal, sender: Sender, addresses: dict[str, str], roles: Roles,
                      configuration: dict[str, Any]) -> bool:
    regulator, token = addresses["Regulator"], addresses["CareUSD"]
    reg, tok = contract_abi("Regulator"), contract_abi("CareUSD")
    sent_any = False

    def build_program() -> list[Tx]:
        schedule = (month_start(sender.latest_timestamp()), 1, 1)  # calendar months
        return [Tx(roles.admin, regulator, reg.fn("createProgram").encode(roles.fund, schedule), label="Regulator.createProgram")]

    def program_created(sent: list[Sent]) -> dict[str, Any]:
        event = reg.find_events("ProgramCreated", sent[0].logs, regulator)[0]
        return {"program_id": event["programId"], "anchor": event["schedule"][0]}

    program, sent = journal.run_step("program", build_program, program_created)
    sent_any |= bool(sent)
    program_id = program["program_id"]

    def build_coverage() -> list[Tx]:
        return [
            Tx(roles.admin, regulator, reg.fn("setCoverage").encode(program_id, codes.service_type(code), rule),
               label=f"Regulator.setCoverage {code}")
            for code, rule in config.COVERAGE.items()
        ]

    _, sent = journal.run_step("coverage", build_coverage, lambda sent: {})
    sent_any |= bool(sent)

    def build_float() -> list[Tx]:
        return [
            Tx(roles.admin, token, tok.fn("configureMinter").encode(roles.admin, config.FUND_FLOAT), label="CareUSD.configureMinter"),
            Tx(roles.admin, token, tok.fn("mint").encode(roles.fund, config.FUND_FLOAT), label="CareUSD.mint fund float"),
        ]

    def build_approvals() -> list[Tx]:
        return [
            Tx(roles.fund, token, tok.fn("approve").encode(addresses[m], config.MAX_UINT256), label=f"fund approves {m}")
            for m in MODULES if m in addresses
        ]

    _, sent = journal.run_step("fund-float", build_float, lambda sent: {})
    sent_any |= bool(sent)
    module_set = "+".join(m for m in MODULES if m in addresses)
    _, sent = journal.run_step(f"fund-approvals:{module_set}", build_approvals, lambda sent: {})
    sent_any |= bool(sent)
    configuration.update({
        "program_id": program_id,
        "period_anchor": program["anchor"],
        "period_unit": "months",
        "coverage": {code: list(rule) for code, rule in config.COVERAGE.items()},
        "fund_float": config.FUND_FLOAT,
    })
    return sent_any


def _versions() -> dict[str, str]:
    versions = {"solc": "0.8.37", "openzeppelin": "5.7.0", "evm": "prague"}
    for package in ("carepay", "web3", "eth-ape"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    try:
        versions["build"] = str(int(artifacts.BUILD_MANIFEST.stat().st_mtime))
    except OSError:
        pass
    # What `load_checked` compares with this checkout's build: another code means other contracts.
    versions["code"] = artifacts.code_hash(contract_names())
    return versions
