"""Compiled contracts (ABI and bytecode) for code that talks to the chain without ape.

The single source is ape's build manifest, `.build/__local__.json`, made by `ape compile` from
`contracts/`. `load()` compiles first when the manifest is missing or older than a source, so a
command run straight after a checkout or an edit never uses stale bytecode.

Custom errors: `decode_revert(data)` turns revert data into `Name(arg=value, ...)` using every
error declared in the project, so a user sees `Regulator_BudgetExceeded(requested=..., remaining=...)`
instead of hex.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_signature_to_4byte_selector, keccak

from carepay.paths import ROOT, tool_env

BUILD_MANIFEST = ROOT / ".build" / "__local__.json"
CONTRACTS_DIR = ROOT / "contracts"

# Solidity's own revert payloads: Error(string) and Panic(uint256).
_ERROR_STRING = bytes.fromhex("08c379a0")
_PANIC = bytes.fromhex("4e487b71")


class ArtifactsError(RuntimeError):
    """The contracts could not be compiled or a contract name is unknown."""


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str  # deployment (creation) bytecode, 0x-prefixed
    runtime_bytecode: str


def _sources_newer_than(path: Path) -> bool:
    built = path.stat().st_mtime
    return any(source.stat().st_mtime > built for source in CONTRACTS_DIR.rglob("*.sol"))


def compile_contracts() -> None:
    """Runs `ape compile` with the project's tool environment (solc-js shim, local data folder)."""
    ape = ROOT / ".venv" / "bin" / "ape"
    command = [str(ape) if ape.exists() else "ape", "compile"]
    result = subprocess.run(command, cwd=ROOT, env=tool_env(), capture_output=True, text=True)
    # ape leaves a full copy of the dependency here; its 500-file source scan would then miss our own files.
    shutil.rmtree(CONTRACTS_DIR / ".cache", ignore_errors=True)
    if result.returncode != 0 or not BUILD_MANIFEST.exists():
        raise ArtifactsError(
            "compiling contracts/ failed; run `make compile` to see the compiler's message.\n"
            + (result.stderr or result.stdout)[-2000:]
        )


@lru_cache(maxsize=1)
def _manifest() -> dict[str, Any]:
    if not BUILD_MANIFEST.exists() or _sources_newer_than(BUILD_MANIFEST):
        compile_contracts()
    return json.loads(BUILD_MANIFEST.read_text())


def load(name: str) -> Artifact:
    """The compiled contract `name` (e.g. "Regulator")."""
    contract_types = _manifest()["contractTypes"]
    if name not in contract_types:
        known = ", ".join(sorted(contract_types))
        raise ArtifactsError(f"no compiled contract named {name!r}; known: {known}")
    entry = contract_types[name]
    return Artifact(
        name=name,
        abi=entry["abi"],
        bytecode=(entry.get("deploymentBytecode") or {}).get("bytecode", "0x"),
        runtime_bytecode=(entry.get("runtimeBytecode") or {}).get("bytecode", "0x"),
    )


def _without_metadata(code: bytes) -> bytes:
    """Creation code without solc's trailing CBOR metadata (its last 2 bytes give the metadata's length): the
    metadata hashes the source text, so a comment-only edit would change it while the code stays the same."""
    if len(code) < 2:
        return code
    length = int.from_bytes(code[-2:], "big")
    return code[: -(length + 2)] if length + 2 <= len(code) else code


def code_hash(names: list[str] | tuple[str, ...]) -> str:
    """A short fingerprint of the creation code of `names` (sorted), as built now, metadata left out. A deployment
    records it, so that a checkout whose contracts changed since can tell that the deployed ones are not its own."""
    digest = keccak(b"".join(
        name.encode() + _without_metadata(bytes.fromhex(load(name).bytecode.removeprefix("0x")))
        for name in sorted(names)
    ))
    return digest.hex()[:16]


def canonical_type(item: dict[str, Any]) -> str:
    """The ABI type as it appears in a signature: tuples spelled out as `(t1,t2)[]`."""
    kind = item["type"]
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in item["components"])
        return f"({inner}){kind[len('tuple'):]}"
    return kind


@lru_cache(maxsize=1)
def errors_by_selector() -> dict[bytes, dict[str, Any]]:
    """Every custom error declared anywhere in the project, keyed by its 4-byte selector."""
    found: dict[bytes, dict[str, Any]] = {}
    for entry in _manifest()["contractTypes"].values():
        for item in entry["abi"]:
            if item.get("type") != "error":
                continue
            signature = f"{item['name']}({','.join(canonical_type(i) for i in item['inputs'])})"
            found[function_signature_to_4byte_selector(signature)] = item
    return found


def _format(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_format(v) for v in value) + ")"
    return str(value)


def decode_revert(data: bytes | str | None) -> str:
    """A readable form of revert data: `Error(arg=value, ...)`, a reason string, or a panic code."""
    if data is None:
        return "reverted without data"
    if isinstance(data, str):
        data = bytes.fromhex(data.removeprefix("0x"))
    if len(data) < 4:
        return "reverted without data" if not data else f"reverted with data 0x{data.hex()}"
    selector, payload = data[:4], data[4:]
    if selector == _ERROR_STRING:
        return f"reverted: {abi_decode(['string'], payload)[0]}"
    if selector == _PANIC:
        return f"panic 0x{abi_decode(['uint256'], payload)[0]:02x}"
    item = errors_by_selector().get(selector)
    if item is None:
        return f"reverted with unknown error 0x{data.hex()}"
    types = [canonical_type(i) for i in item["inputs"]]
    try:
        values = abi_decode(types, payload)
    except Exception:  # malformed payload for a known selector: show it rather than hide it
        return f"{item['name']}(<undecodable 0x{payload.hex()}>)"
    args = ", ".join(f"{i['name'] or f'arg{n}'}={_format(v)}" for n, (i, v) in enumerate(zip(item["inputs"], values)))
    return f"{item['name']}({args})"
