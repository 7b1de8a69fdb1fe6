"""Throughput of supervised payments (CareStream withdrawals) sent from Python: this harness's batched
sender versus a naive loop that sends one transaction with web3.py and waits for its receipt.

Both pay the same kind of payment on the same chain; each run's time covers encoding, sending, mining and
checking every receipt. Several runs, interleaved, and the median; times vary between runs, so these figures
live apart from the gas figures (results.json "timings").
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from web3 import Web3

from benchmarks.world import UNIT, World

POOL = 100  # distinct streams: one withdrawal of each per block


def _pool(world: World) -> list[int]:
    first = world.next_stream_id()
    world.chain.send_many((world.operator, world.stream, world.stream.data("create", world.stream_params(
        deposit=100_000 * UNIT))) for _ in range(POOL))
    world.chain.mine(at=world.chain.now + 3600)
    return list(range(first, first + POOL))


def _batched(world: World, streams: list[int], count: int) -> float:
    start = time.perf_counter()
    world.chain.send_many((world.keeper, world.stream, world.stream.data("withdraw", streams[i % POOL]))
                          for i in range(count))
    return count / (time.perf_counter() - start)


def _naive(world: World, w3: Web3, streams: list[int], count: int) -> float:
    chain = world.chain
    # eth_estimateGas runs at the latest block's time: let a second pass since the batched run's last withdrawals.
    chain.mine()
    start = time.perf_counter()
    for i in range(count):
        tx_hash = w3.eth.send_transaction({"from": world.keeper, "to": world.stream.address,
                                           "data": world.stream.data("withdraw", streams[i % POOL]),
                                           "gasPrice": 0})  # this chain's base fee is 0
        chain.mine()  # anvil runs without automine here: mining is the node's part of each send
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30, poll_latency=0.001)
        if receipt["status"] != 1:
            raise RuntimeError("a naive-loop withdrawal failed")
    elapsed = time.perf_counter() - start
    chain.forget_nonces()
    return count / elapsed


def _sequential(world: World, streams: list[int], count: int) -> float:
    """One at a time through carepay.sender's JSON-RPC client: separates batching from web3.py's overhead."""
    world.chain.mine()
    start = time.perf_counter()
    for i in range(count):
        world.chain.transact(world.keeper, world.stream, "withdraw", streams[i % POOL])
    return count / (time.perf_counter() - start)


def measure(world: World, runs: int = 3, batched_count: int = 1000, naive_count: int = 200) -> dict[str, Any]:
    streams = _pool(world)
    w3 = Web3(Web3.HTTPProvider(world.node.url))
    batched, naive, sequential = [], [], []
    for _ in range(runs):
        naive.append(_naive(world, w3, streams, naive_count))
        sequential.append(_sequential(world, streams, naive_count))
        batched.append(_batched(world, streams, batched_count))
    b, n, q = statistics.median(batched), statistics.median(naive), statistics.median(sequential)
    return {
        "what": "CareStream.withdraw (a supervised payout: Regulator.checkPayout + SplitRouter.pay), sent by the "
                "benchmark harness itself, not by the carepay driver",
        "batched": {"payments_per_run": batched_count, "runs": [round(x, 1) for x in batched],
                    "median_payments_per_second": round(b, 1),
                    "method": f"carepay.sender: eth_sendTransaction in JSON-RPC batches of {POOL}, explicit nonce and gas, "
                              "one block per batch, every receipt checked (one batched request per block)"},
        "naive": {"payments_per_run": naive_count, "runs": [round(x, 1) for x in naive],
                  "median_payments_per_second": round(n, 1),
                  "method": "web3.py send_transaction (fills nonce and gas estimate), mine, "
                            "wait_for_transaction_receipt, one at a time"},
        "sequential": {"payments_per_run": naive_count, "runs": [round(x, 1) for x in sequential],
                       "median_payments_per_second": round(q, 1),
                       "method": "carepay.sender one at a time: send with explicit nonce and gas, "
                                 "mine, read the receipt"},
        "ratio": round(b / n, 1),
    }
