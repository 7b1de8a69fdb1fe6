"""Where the gas of the operations the targets judge goes, from each transaction's call tree.

Each operation is sent alone in a block on a small chain of its own that keeps recent block states (tracing
needs the state before the transaction), then traced with anvil's `callTracer`. A row splits the receipt's
gasUsed into: the 21,000 base and the calldata; each call the module makes (its callee's own gasUsed: the
Regulator's checks and counters, each CareUSD transfer, the router); the events (LOG gas from the receipt:
375 + 375 per topic + 8 per data byte, for the module's own logs; a callee's events are inside its call);
and the module's own work (the rest: its storage reads and writes, the cold-account charge of each call it
makes, ABI encoding). The floor analysis in benchmarks/targets.py reads these parts.
"""

from __future__ import annotations

from typing import Any

from benchmarks.chain import calldata_gas
from benchmarks.contracts import Contract
from benchmarks.scenarios.stream import HOUR
from benchmarks.world import UNIT, World

#: EVM prices (EIP-2929/2200/3529, unchanged in prague) the floor analysis builds on.
NEW_SLOT = 22_100  # SSTORE zero to non-zero on a cold slot
REWRITE_COLD_SLOT = 5_000  # SSTORE non-zero to non-zero on a cold slot (2,100 + 2,900)
COLD_ACCOUNT = 2_600  # first call to a contract in a transaction


def log_gas(log: dict[str, Any]) -> int:
    data = bytes.fromhex(log["data"].removeprefix("0x"))
    return 375 + 375 * len(log["topics"]) + 8 * len(data)


class Breakdown:
    def __init__(self, world: World):
        self.world = world
        self._names = {c.address.lower(): c for c in self._contracts()}

    def _contracts(self) -> list[Contract]:
        w = self.world
        return [c for c in (w.token, w.regulator, w.router, w.stream, w.escrow, w.ffs) if c is not None]

    def _call_name(self, frame: dict[str, Any]) -> str:
        contract = self._names.get(frame.get("to", "").lower())
        if contract is None:
            return frame.get("to", "?")
        selector = bytes.fromhex(frame.get("input", "0x")[2:10])
        for function in contract.abi.functions.values():
            if function.selector == selector:
                return f"{contract.name}.{function.name}"
        return f"{contract.name}.0x{selector.hex()}"

    def measure(self, key: str, sender: str, contract: Contract, fn: str, *args: Any, at: int | None = None) -> dict:
        chain = self.world.chain
        sent = chain.transact_sent(sender, contract, fn, *args, at=at)
        tree = chain.node.call("debug_traceTransaction", sent.hash, {"tracer": "callTracer"})
        steps = chain.node.call(
            "debug_traceTransaction", sent.hash, {"disableStorage": True, "disableStack": True, "disableMemory": True},
        )["structLogs"]
        calls = [{"call": self._call_name(c), "gas": int(c["gasUsed"], 16)} for c in tree.get("calls") or []]
        # Only the module's own logs: a callee's (Reserved, SplitPaid, Transfer) are inside its call's gasUsed.
        module = contract.address.lower()
        events = sum(log_gas(log) for log in sent.receipt["logs"] if log["address"].lower() == module)
        calldata = calldata_gas(sent.tx.data)
        total = sent.gas_used
        # The receipt is net of refunds (a slot set back to its value at the start, such as a module balance
        # that goes out as it came in); every frame's gasUsed is gross.
        refund = max((step.get("refund", 0) for step in steps), default=0)
        own = total + refund - 21_000 - calldata - sum(c["gas"] for c in calls) - events
        stores = [step["gasCost"] for step in steps if step["op"] == "SSTORE"]
        loads = [step["gasCost"] for step in steps if step["op"] == "SLOAD"]
        return {"key": key, "gas": total, "base_and_calldata": 21_000 + calldata, "calls": calls, "events": events,
                "module_own": own, "refund": refund,
                # across the whole transaction, every contract: what storage it touched
                "new_slots": sum(1 for cost in stores if cost in (20_000, NEW_SLOT)),
                "rewritten_slots": sum(1 for cost in stores if cost in (2_900, REWRITE_COLD_SLOT)),
                "cold_slot_reads": sum(1 for cost in loads if cost == 2_100)}


def measure(world: World) -> list[dict[str, Any]]:
    """The operations of the gas targets, in the typical (warm) case of the function catalog."""
    w, b = world, Breakdown(world)
    rows = []
    w.tx(w.operator, w.stream, "create", w.stream_params())  # the patient's and institution's first claim
    stream_id = w.next_stream_id()
    rows.append(b.measure("CareStream.create", w.operator, w.stream, "create", w.stream_params()))
    w.tx(w.keeper, w.stream, "withdraw", stream_id, at=w.chain.now + HOUR)
    rows.append(b.measure("CareStream.withdraw", w.keeper, w.stream, "withdraw", stream_id, at=w.chain.now + HOUR))
    rows.append(b.measure("CareStream.cancel", w.operator, w.stream, "cancel", stream_id, at=w.chain.now + HOUR))
    terms = w.terms(milestones=1)
    w.tx(w.operator, w.escrow, "createEpisode", w.episode_params(terms))
    terms = w.terms(milestones=1)
    rows.append(b.measure("OutcomeEscrow.createEpisode.1_milestone", w.operator, w.escrow, "createEpisode",
                          w.episode_params(terms)))
    if w.ffs is not None:
        w.tx(w.operator, w.ffs, "pay", w.ffs_payment(100 * UNIT))
        rows.append(b.measure("FeeForService.pay", w.operator, w.ffs, "pay", w.ffs_payment(100 * UNIT)))
    return rows
