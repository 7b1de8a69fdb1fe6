"""The benchmark's private anvil: a fixed clock, fixed accounts, nothing saved (carepay.anvil starts it).

Every figure must come out the same on every run, so the chain starts at a fixed genesis time, never
mines on its own (no automine, no interval) and every block is mined by the harness at a timestamp it
chooses. Dev accounts come from anvil's well-known test mnemonic; `--auto-impersonate` lets any address
send unsigned transactions (eth_sendTransaction), and a zero base fee lets accounts without ether pay for
gas, so thousands of parties can act without one signature being computed in Python.
"""

from __future__ import annotations

from carepay.anvil import AnvilOptions, AnvilProcess, free_port

#: anvil's well-known development mnemonic: public test keys, never funds.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
#: 2026-01-01T00:00:00Z: the genesis timestamp of every benchmark chain.
GENESIS_TIME = 1_767_225_600
DEV_ACCOUNTS = 20
CHAIN_ID = 31337
#: Seconds one request may take: a growth setup mines blocks over a state of tens of thousands of items.
RPC_TIMEOUT_S = 600


def bench_anvil(keep_states: int | None = None, steps_tracing: bool = False) -> AnvilProcess:
    """A new private chain on a free port; use it as a context manager (`with bench_anvil() as anvil`).
    `keep_states`: how many recent block states to keep in memory (tracing a transaction needs the state
    before it); None keeps none. `steps_tracing`: record EVM steps (for opcode traces)."""
    options = AnvilOptions(
        port=free_port(), silent=True, timestamp=GENESIS_TIME, mining=False, auto_impersonate=True,
        mnemonic=DEV_MNEMONIC, accounts=DEV_ACCOUNTS, base_fee=0, priority_fee=False,
        gas_limit=1_000_000_000_000, chain_id=CHAIN_ID,
        # No state per historical block: growth mines hundreds of blocks over a large state, and keeping
        # every one costs gigabytes. Snapshots (evm_snapshot) still work; only old-block queries do not.
        prune_history=True if keep_states is None else keep_states, steps_tracing=steps_tracing,
    )
    return AnvilProcess(options, rpc_timeout=RPC_TIMEOUT_S)
