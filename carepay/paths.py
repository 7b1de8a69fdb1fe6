"""Where the project's tools live, so Python code finds them without `make` having set the shell up.

Everything is inside the checkout (see the Makefile): the venv, npm's anvil/forge/cast binaries, the
solc-js shim that py-solc-x and forge run as `solc`, and ape's data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
FOUNDRY_BIN_DIRS = [NODE_MODULES / "@foundry-rs" / f"{tool}-linux-amd64" / "bin" for tool in ("anvil", "forge", "cast")]
SOLCX_DIR = ROOT / ".solcx"
APE_DATA_DIR = ROOT / ".ape"
DATA_DIR = ROOT / "deployments"  # manifests per network; the embedded local chain's state under local/


def tool_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the Makefile exports: tools on PATH, solc shim, local ape data, this package importable."""
    env = dict(os.environ if base is None else base)
    extra_path = [str(d) for d in FOUNDRY_BIN_DIRS] + [str(ROOT / ".venv" / "bin")]
    env["PATH"] = os.pathsep.join(extra_path + [env.get("PATH", "")])
    env.setdefault("SOLCX_BINARY_PATH", str(SOLCX_DIR))
    env.setdefault("APE_DATA_FOLDER", str(APE_DATA_DIR))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def anvil_binary() -> Path:
    """The anvil shipped by npm (package.json pins it); a clear error when `make install` has not run."""
    binary = FOUNDRY_BIN_DIRS[0] / "anvil"
    if not binary.exists():
        raise FileNotFoundError(f"anvil not found at {binary}; run `make install` (it installs the npm packages).")
    return binary
