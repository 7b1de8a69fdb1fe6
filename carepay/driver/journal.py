"""The run journal: which steps of a run are on chain, so a re-run resumes without paying twice.

One append-only JSON-lines file per run in `deployments/<network>/runs/<run>.jsonl`. Each finished step records the
block it ended in (number and hash) and its result (ids of streams and episodes it opened). Before a
step sends anything, a write-ahead record names the accounts and nonces of its transactions.

On a re-run:
- finished steps whose recorded block hash still matches the chain are skipped; when the chain was
  rolled back (anvil killed before its last state dump), the first step whose block is gone and every
  later step are forgotten and run again: the chain holds none of their effects;
- a step interrupted while sending is settled by nonces: a planned (account, nonce) the chain has
  consumed is on chain (its receipt is found by scanning the blocks since), one it has not is sent again.
  Transactions left in a devnet's pool are dropped first, so nothing can be mined twice.
Step ids are stable (from the scenario file), so the same step is recognised across runs.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable

from carepay.errors import CarePayError
from carepay.sender import Sender, Sent, Tx

#: Test hook: `CAREPAY_INTERRUPT=<step id>:<phase>` kills the process (os._exit) at that point, as a
#: crash would; phase is `before` (nothing sent), `submitted` (sent, not mined) or `mined` (on chain,
#: not journaled). `CAREPAY_INTERRUPT_AFTER=<n>` kills it after n steps have finished.
INTERRUPT_ENV, INTERRUPT_AFTER_ENV = "CAREPAY_INTERRUPT", "CAREPAY_INTERRUPT_AFTER"
INTERRUPT_EXIT_CODE = 86


def _maybe_interrupt(step_id: str, phase: str) -> None:
    if os.environ.get(INTERRUPT_ENV) == f"{step_id}:{phase}":
        os._exit(INTERRUPT_EXIT_CODE)


class Journal:
    def __init__(self, folder: Path, run: str, sender: Sender):
        self.path = folder / "runs" / f"{run}.jsonl"
        self.run, self.sender = run, sender
        self.finished_here = 0
        self.data: dict[str, Any] = {"run": run, "meta": {}, "order": [], "steps": {}, "pending": None}
        if self.path.exists():
            self._replay()

    # ---- persistence: an append-only log of events, replayed on load ------------------------------
    # Appending a line is cheap (a rewrite per step cost milliseconds on every step of a long run) and
    # a crash can only cut the last line short, which replay ignores.

    def _replay(self) -> None:
        lines = self.path.read_text().splitlines()
        for number, line in enumerate(lines):
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                if number == len(lines) - 1:
                    break  # the write the crash interrupted
                raise CarePayError(f"the run journal {self.path} is damaged at line {number + 1}; move it away to start the run afresh") from None
            self._apply(event)

    def _apply(self, event: dict[str, Any]) -> None:
        kind = event["e"]
        if kind == "meta":
            self.data["meta"].update(event["values"])
        elif kind == "pending":
            self.data["pending"] = event["value"]
        elif kind == "finish":
            self.data["steps"][event["step"]] = event["record"]
            self.data["order"].append(event["step"])
            self.data["pending"] = None
        elif kind == "forget":
            for step_id in event["steps"]:
                self.data["steps"].pop(step_id, None)
            self.data["order"] = [s for s in self.data["order"] if s not in set(event["steps"])]
            self.data["complete"] = False
        elif kind == "complete":
            self.data["complete"], self.data["summary"] = True, event["summary"]

    def _log(self, event: dict[str, Any]) -> None:
        self._apply(event)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as handle:
            handle.write(json.dumps(event, separators=(",", ":")) + "\n")

    @property
    def meta(self) -> dict[str, Any]:
        return self.data["meta"]

    def set_meta(self, **values: Any) -> None:
        self._log({"e": "meta", "values": values})

    @property
    def complete(self) -> bool:
        return bool(self.data.get("complete"))

    def mark_complete(self, summary: dict[str, Any]) -> None:
        self._log({"e": "complete", "summary": summary})

    # ---- checking against the chain ---------------------------------------------------------------

    def reconcile(self) -> list[str]:
        """Forgets the finished steps the chain no longer holds; returns their ids."""
        order: list[str] = self.data["order"]
        if not order:
            return []
        answers = self.sender.rpc_batch(
            [("eth_getBlockByNumber", [hex(self.data["steps"][s]["block"]), False]) for s in order]
        )
        first_gone = None
        for index, (step_id, answer) in enumerate(zip(order, answers)):
            block = answer.get("result")
            if block is None or block["hash"] != self.data["steps"][step_id]["block_hash"]:
                first_gone = index
                break
        if first_gone is None:
            return []
        gone = order[first_gone:]
        self._log({"e": "forget", "steps": gone})
        return gone

    # ---- steps ----------------------------------------------------------------------------------------

    def done(self, step_id: str) -> bool:
        return step_id in self.data["steps"]

    def result(self, step_id: str) -> dict[str, Any]:
        return self.data["steps"][step_id]["result"]

    def _finish(self, step_id: str, block: dict[str, Any], result: dict[str, Any], count: int) -> None:
        record = {"block": int(block["number"], 16), "block_hash": block["hash"], "transactions": count, "result": result}
        self._log({"e": "finish", "step": step_id, "record": record})
        self.finished_here += 1
        limit = os.environ.get(INTERRUPT_AFTER_ENV)
        if limit and self.finished_here >= int(limit):
            os._exit(INTERRUPT_EXIT_CODE)

    def record(self, step_id: str, result: dict[str, Any]) -> None:
        """Finishes a step that sent nothing (a time move, an expected refusal)."""
        self._finish(step_id, self.sender.rpc("eth_getBlockByNumber", ["latest", False]), result, 0)

    def run_step(
        self,
        step_id: str,
        build: Callable[[], list[Tx]],
        interpret: Callable[[list[Sent]], dict[str, Any]],
        timestamp: int | None = None,
    ) -> tuple[dict[str, Any], list[Sent]]:
        """Runs a transaction step once: returns (result, sent); a finished step returns (its result, [])."""
        if self.done(step_id):
            return self.result(step_id), []
        txs = build()
        pending = self.data.get("pending")
        already: list[Sent] = []
        if pending and pending["step"] == step_id:
            already, txs = self._recover(pending, txs)
        elif pending:  # a pending record of another step: the scenario changed under a crashed run
            raise CarePayError(
                f"the journal {self.path} has an unfinished step {pending['step']!r} that this scenario does not "
                "run next; restore the scenario file or move the journal away"
            )
        _maybe_interrupt(step_id, "before")
        start_block = int(self.sender.rpc("eth_blockNumber", []), 16)
        for tx in txs:
            tx.nonce = self.sender.next_nonce(tx.sender)
        self._log({"e": "pending", "value": {
            "step": step_id,
            "block": start_block,
            "planned": [[tx.sender, tx.nonce] for tx in (*[s.tx for s in already], *txs)],
        }})
        if os.environ.get(INTERRUPT_ENV) == f"{step_id}:submitted" and self.sender.devnet:
            self.sender.set_automine(False)
            self.sender._submit([self.sender._prepare(tx, after_others=i > 0) for i, tx in enumerate(txs)], txs)
            os._exit(INTERRUPT_EXIT_CODE)
        sent = already + self.sender.send(txs, timestamp=timestamp)
        _maybe_interrupt(step_id, "mined")
        result = interpret(sent)
        if sent:  # the last receipt names its block: no extra request
            last = max(sent, key=lambda s: s.block).receipt
            block = {"number": last["blockNumber"], "hash": last["blockHash"]}
        else:
            block = self.sender.rpc("eth_getBlockByNumber", ["latest", False])
        self._finish(step_id, block, result, len(sent))
        return result, sent

    def _recover(self, pending: dict[str, Any], txs: list[Tx]) -> tuple[list[Sent], list[Tx]]:
        """Splits a crashed step's transactions into those the chain holds and those still to send."""
        sender = self.sender
        if sender.devnet:
            sender.rpc("anvil_dropAllTransactions", [])
        sender.forget_nonces()
        planned = pending["planned"]
        if len(planned) != len(txs):
            raise CarePayError(
                f"step {pending['step']!r} now builds {len(txs)} transactions but {len(planned)} were planned before "
                f"the interruption; restore the scenario file or move {self.path} away"
            )
        accounts = sorted({account for account, _ in planned})
        counts = sender.rpc_batch([("eth_getTransactionCount", [a, "latest"]) for a in accounts])
        chain_nonce = {a: int(c["result"], 16) for a, c in zip(accounts, counts)}
        mined = {(a.lower(), n) for a, n in planned if chain_nonce[a] > n}
        if not mined:
            return [], txs
        hashes = self._find_hashes(mined, pending["block"])
        receipts = sender._receipts([hashes[(tx.sender.lower(), n)] for tx, (_, n) in zip(txs, planned) if (tx.sender.lower(), n) in mined])
        kept = [(tx, n) for tx, (_, n) in zip(txs, planned) if (tx.sender.lower(), n) in mined]
        already = []
        for (tx, nonce), receipt in zip(kept, receipts):
            tx.nonce = nonce
            already.extend(sender._checked([tx], [receipt["transactionHash"]], [receipt]))
        rest = [tx for tx, (_, n) in zip(txs, planned) if (tx.sender.lower(), n) not in mined]
        return already, rest

    def _find_hashes(self, wanted: set[tuple[str, int]], from_block: int) -> dict[tuple[str, int], str]:
        latest = int(self.sender.rpc("eth_blockNumber", []), 16)
        found: dict[tuple[str, int], str] = {}
        numbers = list(range(from_block, latest + 1))
        blocks = self.sender.rpc_batch([("eth_getBlockByNumber", [hex(n), True]) for n in numbers])
        for answer in blocks:
            for tx in (answer.get("result") or {}).get("transactions", []):
                key = (tx["from"].lower(), int(tx["nonce"], 16))
                if key in wanted:
                    found[key] = tx["hash"]
        missing = wanted - set(found)
        if missing:
            raise CarePayError(
                f"the chain consumed nonces {sorted(missing)} that this run planned but the transactions are not in "
                f"blocks {from_block}..{latest}; another program used these accounts. Move {self.path} away and rerun"
            )
        return found
