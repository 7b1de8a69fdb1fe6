"""Fixtures of the driver tests: one anvil for the whole folder (each test deploys into its own data
folder, so tests never share a journal or a manifest) and helpers to run the command in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carepay.anvil import free_port
from carepay.chain import start_anvil
from carepay.cli import main


@pytest.fixture(scope="session")
def anvil(tmp_path_factory) -> str:
    """An anvil like the embedded chain (auto-impersonation, high gas limit), as an RPC URL."""
    port = free_port()
    process = start_anvil(tmp_path_factory.mktemp("anvil") / "state.json", port)
    yield f"http://127.0.0.1:{port}"
    process.stop()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CAREPAY_DATA_DIR", str(tmp_path))
    return tmp_path


class Cli:
    """Runs `carepay` in this process; returns (exit code, stdout, stderr)."""

    def __init__(self, capsys):
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> tuple[int, dict]:
        code, out, _ = self(*args, "--json")
        return code, json.loads(out)


@pytest.fixture
def cli(capsys) -> Cli:
    return Cli(capsys)


@pytest.fixture
def deployed(cli, anvil, data_dir) -> dict:
    code, out = cli.json("deploy", "--network", anvil)
    assert code == 0, out
    return out["manifest"]
