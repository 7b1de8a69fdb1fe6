"""Starting and stopping an anvil process: the driver's embedded chain and the benchmark's private chain.

The two want different chains (the driver keeps its state in a file and mines on every transaction; the
benchmark has a fixed clock, fixed accounts and no saved state), so `AnvilOptions` holds every flag either
uses and `AnvilProcess` does the part they share: start, wait until it answers, stop so it saves its state.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from carepay.errors import NetworkError
from carepay.paths import anvil_binary
from carepay.rpc import RpcClient

STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 15.0  # SIGTERM makes anvil dump its state file first: a large state takes seconds


@dataclass(frozen=True)
class AnvilOptions:
    port: int
    hardfork: str = "prague"
    auto_impersonate: bool = True
    gas_limit: int | None = None
    balance_ether: int | None = None
    chain_id: int | None = None
    #: None: keep every block's state; True: `--prune-history` alone (anvil's default number in memory, none
    #: on disk); n: the last n in memory. Long runs need it: every block's state of a large chain is gigabytes.
    prune_history: int | bool | None = None
    state_file: Path | None = None
    state_interval_s: int | None = None
    # a reproducible chain: its clock starts at `timestamp` and moves only when a block is mined on request
    timestamp: int | None = None
    mining: bool = True
    mnemonic: str | None = None
    accounts: int | None = None
    base_fee: int | None = None
    priority_fee: bool = True
    silent: bool = False
    #: record every EVM step, so debug_traceTransaction can return opcode logs (with the refund counter)
    steps_tracing: bool = False

    def command(self) -> list[str]:
        flags: list[str] = ["--port", str(self.port), "--hardfork", self.hardfork]
        valued = {"--gas-limit": self.gas_limit, "--balance": self.balance_ether, "--chain-id": self.chain_id,
                  "--state": self.state_file, "--state-interval": self.state_interval_s,
                  "--timestamp": self.timestamp, "--mnemonic": self.mnemonic, "--accounts": self.accounts,
                  "--base-fee": self.base_fee}
        for flag, value in valued.items():
            if value is not None:
                flags += [flag, str(value)]
        switches = {"--auto-impersonate": self.auto_impersonate, "--no-mining": not self.mining,
                    "--no-priority-fee": not self.priority_fee, "--silent": self.silent,
                    "--steps-tracing": self.steps_tracing}
        flags += [flag for flag, on in switches.items() if on]
        if self.prune_history is True:
            flags.append("--prune-history")
        elif self.prune_history is not None:
            flags += ["--prune-history", str(self.prune_history)]
        return [str(anvil_binary())] + flags


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AnvilProcess:
    """One anvil, started with `options`; `client` talks to it. A context manager: stopped on exit."""

    def __init__(self, options: AnvilOptions, quiet: bool = True, rpc_timeout: float = 120):
        self.options, self.quiet = options, quiet
        self.url = f"http://127.0.0.1:{options.port}"
        self.client = RpcClient(self.url, timeout=rpc_timeout)
        self.process: subprocess.Popen | None = None
        # stderr to a file, not a pipe: a pipe nobody reads blocks anvil once it fills
        self._stderr = tempfile.TemporaryFile() if quiet else None

    def start(self) -> "AnvilProcess":
        if port_open(self.options.port):
            raise NetworkError(f"port {self.options.port} is already in use; stop what runs there or choose another port")
        if self.options.state_file is not None:
            self.options.state_file.parent.mkdir(parents=True, exist_ok=True)
        output = subprocess.DEVNULL if self.quiet else None
        self.process = subprocess.Popen(self.options.command(), stdout=output, stderr=self._stderr)
        if self._answers_in_time():
            return self
        self.stop()
        raise NetworkError(f"anvil did not answer on port {self.options.port} within {STARTUP_TIMEOUT_S:.0f} s")

    def _answers_in_time(self) -> bool:
        ready = RpcClient(self.url, timeout=5)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise NetworkError(f"anvil exited at start (code {self.process.returncode}){self._exit_hint()}")
                try:
                    ready.call("eth_chainId")
                    return True
                except NetworkError:
                    time.sleep(0.05)
            return False
        finally:
            ready.close()

    def _exit_hint(self) -> str:
        said = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            said = self._stderr.read().decode(errors="replace").strip()[-500:]
        hint = f"; if {self.options.state_file} is damaged, move it away" if self.options.state_file else ""
        return (f": {said}" if said else "") + hint

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def wait(self) -> int:
        return self.process.wait() if self.process else 0

    def stop(self) -> None:
        """SIGTERM: anvil dumps its state file (when it has one), then exits."""
        self.client.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> "AnvilProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
