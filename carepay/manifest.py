"""The deployment manifest of a network: `deployments/<network>/manifest.json`.

It records what `carepay deploy` made and configured, so every later command (scenarios, verify,
report) finds the contracts without asking: the chain id, each contract's address, block and
transaction, the first deployment block (`from_block`, where verify and report start reading
events), the configuration (program, coverage, base parties) and the versions that built it.

`load_checked` refuses a manifest that does not belong to the connected chain: another chain id, or
no code at an address it names (for example a local chain whose state file was removed).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from web3 import Web3

from carepay.errors import DeploymentCodeMismatch, DeploymentMissing

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
REQUIRED_CONTRACTS = ("CareUSD", "Regulator", "SplitRouter", "CareStream", "OutcomeEscrow")


@dataclass
class Manifest:
    network: str
    chain_id: int
    contracts: dict[str, dict[str, Any]]  # name -> {"address", "block", "tx"}
    from_block: int
    deployer: str
    configuration: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT_VERSION

    def addresses(self) -> dict[str, str]:
        return {name: entry["address"] for name, entry in self.contracts.items()}

    def address(self, name: str) -> str:
        if name not in self.contracts:
            raise DeploymentMissing(
                f"the deployment has no {name}; re-run `carepay deploy` (it adds what is missing)"
            )
        return self.contracts[name]["address"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "network": self.network,
            "chain_id": self.chain_id,
            "from_block": self.from_block,
            "deployer": self.deployer,
            "contracts": self.contracts,
            "configuration": self.configuration,
            "versions": self.versions,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Path) -> "Manifest":
        try:
            contracts = data["contracts"]
            for name, entry in contracts.items():
                Web3.to_checksum_address(entry["address"])
                int(entry["block"])
            return cls(
                network=str(data["network"]),
                chain_id=int(data["chain_id"]),
                contracts=contracts,
                from_block=int(data["from_block"]),
                deployer=str(data["deployer"]),
                configuration=dict(data.get("configuration", {})),
                versions=dict(data.get("versions", {})),
                format=int(data.get("format", FORMAT_VERSION)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise DeploymentMissing(
                f"{source} is not a valid manifest ({type(error).__name__}: {error}); move it away and run `carepay deploy`"
            ) from None


def path_for(folder: Path) -> Path:
    return folder / MANIFEST_NAME


def write(folder: Path, manifest: Manifest) -> Path:
    """Writes atomically (temp file + rename), so an interrupted write never leaves half a manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    target = path_for(folder)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".manifest-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(manifest.to_dict(), handle, indent=2, sort_keys=False)
        handle.write("\n")
    os.replace(tmp, target)
    return target


def read(folder: Path) -> Manifest | None:
    target = path_for(folder)
    if not target.exists():
        return None
    try:
        data = json.loads(target.read_text())
    except json.JSONDecodeError as error:
        raise DeploymentMissing(f"{target} is not valid JSON (line {error.lineno}); move it away and run `carepay deploy`") from None
    return Manifest.from_dict(data, target)


def load_checked(folder: Path, w3: Web3, network: str) -> Manifest:
    """The manifest of `network`, checked against the chain; DeploymentMissing with the fix otherwise."""
    manifest = read(folder)
    if manifest is None:
        raise DeploymentMissing(
            f"no deployment on network {network!r} (no {path_for(folder)}); run `carepay deploy --network {network}` first"
        )
    chain_id = w3.eth.chain_id
    if manifest.chain_id != chain_id:
        raise DeploymentMissing(
            f"{path_for(folder)} is for chain id {manifest.chain_id} but the node reports {chain_id}; "
            f"run `carepay deploy --network {network}`"
        )
    missing = [name for name in REQUIRED_CONTRACTS if name not in manifest.contracts]
    if missing:
        raise DeploymentMissing(f"the deployment lacks {', '.join(missing)}; run `carepay deploy --network {network}`")
    for name, entry in manifest.contracts.items():
        if w3.eth.get_code(Web3.to_checksum_address(entry["address"])) in (b"", b"\x00"):
            raise DeploymentMissing(
                f"no code for {name} at {entry['address']} on network {network!r} (the chain was reset?); "
                f"run `carepay deploy --network {network}` to deploy again"
            )
    check_code(manifest, folder, network)
    return manifest


def check_code(manifest: Manifest, folder: Path, network: str) -> None:
    """Refuses a deployment built from other contract code than this checkout's (an earlier CarePay, say): its
    contracts may lack functions and events this version calls and reads."""
    from carepay import artifacts  # compiles if stale; imported here so reading a manifest needs no build

    recorded = manifest.versions.get("code")
    current = artifacts.code_hash(list(manifest.contracts))
    if recorded != current:
        where = path_for(folder).parent
        raise DeploymentCodeMismatch(
            f"the deployment in {where} was built from other contract code (recorded {recorded or 'none'}, this "
            f"checkout builds {current}); deploy this version afresh: move {where} away (on the local chain: "
            f"`rm -rf {where}`), then `carepay deploy --network {network}`"
        )
