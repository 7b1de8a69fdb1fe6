"""One benchmark run on three fresh chains: the catalog (baselines, every function, split scaling, overhead),
growth (so that "1 existing" means exactly one), and throughput. Returns the results dict."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from carepay.paths import anvil_binary
from carepay.rpc import RpcClient

from benchmarks.anvil import GENESIS_TIME, bench_anvil
from benchmarks.chain import Chain
from benchmarks.contracts import state_changing_functions
from benchmarks.recorder import Recorder
from benchmarks.scenarios import escrow, fee_for_service, growth, overhead, regulator, splits, stream, throughput, token
from benchmarks.targets import evaluate
from benchmarks import breakdown, floors
from benchmarks import external
from benchmarks.world import FEE_FOR_SERVICE, World

def log(message: str, _start: list[float] = []) -> None:  # noqa: B006 - the run's start, kept across calls
    if not _start:
        _start.append(time.perf_counter())
    print(f"[bench {time.perf_counter() - _start[0]:6.1f} s] {message}", file=sys.stderr, flush=True)


CONTRACTS = ("CareUSD", "Regulator", "SplitRouter", "CareStream", "OutcomeEscrow")


def _world(node: RpcClient) -> World:
    world = World.build(Chain(node))
    world.tx(world.holder, world.router, "pay", world.split_id, 1)  # the split has been paid before: a warm router
    return world


def _not_measured(world: World, measured: list[dict[str, Any]]) -> dict[str, list[str]]:
    names = list(CONTRACTS) + ([FEE_FOR_SERVICE] if world.ffs is not None else [])
    done = {(r["contract"], r["function"]) for r in measured}
    missing = {n: [f for f in state_changing_functions(n) if (n, f) not in done] for n in names}
    return {n: f for n, f in missing.items() if f}


def catalog_figures(max_recipients: int | None = None) -> dict[str, Any]:
    with bench_anvil() as anvil:
        world = _world(anvil.client)
        log("catalog chain deployed; measuring baselines and every function")
        base = Recorder(world, "baselines")
        token.measure_baselines(base)
        functions = Recorder(world, "functions")
        for area in (token, regulator, stream, escrow, splits):
            area.measure_catalog(functions)
        notes = fee_for_service.measure_catalog(functions)
        log("split scaling")
        scaling = Recorder(world, "splits")
        limit = max_recipients or world.router.call(world.node, "MAX_RECIPIENTS")
        split_figures = splits.measure_scaling(scaling, limit)
        pairs = overhead.measure(Recorder(world, "overhead"), functions)
        measured = base.rows + functions.rows + scaling.rows
        return {"baselines": base.rows, "functions": functions.rows, "splits": split_figures, "overhead": pairs,
                "not_measured": _not_measured(world, measured), "notes": notes}


def breakdown_figures() -> list[dict[str, Any]]:
    # A chain that keeps its last block states and EVM steps in memory, for debug_traceTransaction.
    with bench_anvil(keep_states=32, steps_tracing=True) as anvil:
        world = _world(anvil.client)
        log("breakdown chain deployed; tracing the target operations")
        return breakdown.measure(world)


def growth_figures(size: int) -> dict[str, Any]:
    with bench_anvil() as anvil:
        world = _world(anvil.client)
        log(f"growth chain deployed; probe with 1, then {size:,} of each kind")
        figures = growth.measure(world, size)
        log(f"growth done (setup seconds per kind: {figures['setup_seconds']})")
        return figures


def throughput_figures() -> dict[str, Any]:
    with bench_anvil() as anvil:
        log("throughput chain deployed: naive loop, sequential, batched sender")
        return throughput.measure(_world(anvil.client))


def run(growth_size: int = 10_000, with_throughput: bool = True) -> dict[str, Any]:
    start = time.perf_counter()
    log("compiling if stale, starting anvil")
    gas = catalog_figures()
    grown = growth_figures(growth_size)
    speed = throughput_figures() if with_throughput else None
    setup_seconds = grown.pop("setup_seconds")
    gas["growth"] = grown
    gas["targets"] = evaluate(gas["functions"], gas["baselines"], gas["splits"], gas["overhead"])
    gas["breakdown"] = breakdown_figures()
    gas["beating_the_models"] = floors.analyse(gas["breakdown"])
    log("done")
    version = subprocess.run([str(anvil_binary()), "--version"], capture_output=True, text=True).stdout.splitlines()
    return {
        "about": {"anvil": version[0] if version else "anvil", "hardfork": "prague", "genesis_time": GENESIS_TIME,
                  "growth_size": growth_size},
        "gas": gas,
        "timings": {"harness_throughput": speed, "driver_throughput": external.driver_throughput(),
                    "make_test": external.make_test_time(), "growth_setup_seconds": setup_seconds,
                    "bench_seconds": round(time.perf_counter() - start, 1)},
    }
