"""The embedded local chain: started for a command when not running, its state kept across commands;
`carepay chain` runs it in the foreground and saves the state when stopped."""

import os
import signal
import subprocess
import sys
import time

from carepay.anvil import free_port
from carepay.paths import ROOT, tool_env


def test_local_chain_starts_for_the_command_and_keeps_its_state(cli, data_dir, monkeypatch):
    monkeypatch.setenv("CAREPAY_LOCAL_PORT", str(free_port()))
    code, first = cli.json("deploy")
    assert code == 0 and first["deployed"] is True and first["network"] == "local"
    assert (data_dir / "local" / "state.json").exists()
    code, second = cli.json("deploy")  # a new anvil, loaded from the saved state
    assert code == 0 and second["deployed"] is False
    assert second["manifest"]["contracts"] == first["manifest"]["contracts"]


def test_chain_command_serves_other_commands_and_saves_on_stop(cli, data_dir, monkeypatch):
    port = free_port()
    monkeypatch.setenv("CAREPAY_LOCAL_PORT", str(port))
    env = tool_env({**os.environ, "CAREPAY_DATA_DIR": str(data_dir), "CAREPAY_LOCAL_PORT": str(port)})
    chain = subprocess.Popen([sys.executable, "-m", "carepay", "chain"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        banner = chain.stdout.readline()
        assert banner.startswith(f"local chain on http://127.0.0.1:{port} (state in {data_dir}/local/state.json)")
        code, out = cli.json("deploy")
        assert code == 0 and out["deployed"] is True
        assert chain.poll() is None  # the deploy used the running chain and left it running
    finally:
        chain.send_signal(signal.SIGTERM)
        assert chain.wait(timeout=30) == 0
    assert "state saved" in chain.stdout.read()
    assert (data_dir / "local" / "state.json").stat().st_size > 0
    code, out = cli.json("deploy")
    assert code == 0 and out["deployed"] is False
