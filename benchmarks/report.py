"""Writes results.json (every figure) and results.md (the tables a reader chooses a protocol by)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.targets import DRIVER_TARGET, MAKE_TEST_TARGET


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else ("–" if value is None else str(value))


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_n(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return lines + [""]


def _met(flag: bool) -> str:
    return "**met**" if flag else "**missed**"


def _calls(row: dict[str, Any]) -> str:
    return "; ".join(f"{c['call']} {c['gas']:,}" for c in row["calls"])


def _beating_the_models(gas: dict[str, Any]) -> list[str]:
    """Issue 3's bar (beat the model systems, the Regulator included), where the gas goes, and what it would take."""
    targets = [t for t in gas["targets"] if t.get("model_gas")]
    out = ["## Beating the model systems (the Regulator included)", ""]
    out += _table(["operation", "model system", "model gas", "CarePay", ""],
                  [[t["operation"], t["model"], t["model_gas"], t["carepay"],
                    "**beaten**" if t["beats_model"] else "**not beaten**"] for t in targets])
    rows = gas.get("breakdown") or []
    if rows:
        out += ["### Where the gas goes", "",
                "Each operation traced (`debug_traceTransaction`, callTracer and opcode steps; benchmarks/breakdown.py). "
                "*Calls*: each call the module makes, with the callee's own gasUsed (the Regulator's events are inside "
                "its calls). *Own*: the module's storage, checks, the cold-account charge of its calls and its ABI work. "
                "Storage counts are for the whole transaction, every contract.", ""]
        out += _table(["operation", "gas", "base + calldata", "calls", "module events", "module own", "refund",
                       "new slots", "rewritten slots", "cold slot reads"],
                      [[r["key"], r["gas"], r["base_and_calldata"], _calls(r), r["events"], r["module_own"], r["refund"],
                        r["new_slots"], r["rewritten_slots"], r["cold_slot_reads"]] for r in rows])
    for analysis in gas.get("beating_the_models") or []:
        beaten = analysis["beaten_after"]
        verdict = (f"beaten only after change {beaten} of {len(analysis['steps'])}" if beaten
                   else "not beaten even after every change listed")
        out += [f"### {analysis['operation']}: {analysis['measured']:,} against {analysis['model']} "
                f"{analysis['model_gas']:,} ({verdict})", ""]
        out += _table(["change (and why the design declines it)", "saves about", "estimate after"],
                      [[s["change"], s["saving"], s["estimate"]] for s in analysis["steps"]])
    if gas.get("beating_the_models"):
        out += ["Estimates: each saving is the measured part a change removes (a call's gasUsed, an event's LOG gas) or "
                "the EVM price of the storage it no longer writes (22,100 per new slot, 5,000 per cold rewrite, 2,600 "
                "per cold call), leaving out the code the change would add. See benchmarks/floors.py.", ""]
    return out


def render(results: dict[str, Any]) -> str:
    gas, timings, about = results["gas"], results["timings"], results["about"]
    out = ["# CarePay benchmarks", "",
           f"Produced by `make bench` (`python -m benchmarks`) on a private anvil ({about['anvil']}, hardfork "
           f"{about['hardfork']}, genesis {about['genesis_time']}, fixed dev accounts, every block mined by the harness "
           "at a chosen timestamp). Contracts from the ape build (solc 0.8.37, evm prague). Every gas figure is the "
           "whole transaction's `gasUsed` from its receipt: 21,000 base + calldata (4 per zero byte, 16 per non-zero "
           "byte) + execution, after refunds. *Execution* is gasUsed - 21,000 - calldata. Gas figures are the same on "
           "every run (`python -m benchmarks.compare a.json b.json` checks two runs); times are medians and vary.", ""]
    out += ["## Targets", ""]
    out += _table(["operation", "model system", "target", "CarePay", "", "what the CarePay figure includes"],
                  [[t["operation"], t["model"], f"< {t['target']:,}", t["carepay"], _met(t["met"]), t["includes"]]
                   for t in gas["targets"]])
    missed = [t for t in gas["targets"] if not t["met"]]
    if missed:
        out += ["### Missed targets: why, and what it would take", ""]
        out += [f"- **{t['operation']}** ({t['carepay']:,} against < {t['target']:,}): {t['why_missed']}" for t in missed]
        out += [""]
    out += _beating_the_models(gas)
    drv = timings.get("driver_throughput") or {}
    mk = timings.get("make_test") or {}
    out += ["### Driver and test-suite targets", ""]
    out += _table(["figure", "target", "measured", ""], [
        ["carepay driver, population scenario, payments/s", f">= {DRIVER_TARGET}",
         drv.get("payments_per_second", "not measured yet"),
         _met(drv["payments_per_second"] >= DRIVER_TARGET) if "payments_per_second" in drv else "–"],
        ["`make test` wall time after installation, s", f"< {MAKE_TEST_TARGET}", mk.get("seconds", "not measured yet"),
         _met(mk["seconds"] < MAKE_TEST_TARGET) if "seconds" in mk else "–"]])

    out += ["## Baselines: CareUSD alone (the floor of moving money)", ""]
    out += _table(["operation", "case", "gas", "execution", "includes"],
                  [[r["key"].removeprefix("baseline."), r["case"], r["gas"], r["execution_gas"], r["includes"]]
                   for r in gas["baselines"]])

    out += ["## Supervision overhead: the same payment with and without the Regulator", ""]
    out += _table(["pair", "supervised", "unsupervised", "overhead", "what the difference is"],
                  [[p["name"], p.get("supervised"), p.get("unsupervised"), p.get("overhead"), p.get("what", p.get("error"))]
                   for p in gas["overhead"]])

    growth = gas["growth"]
    n = growth["size"]
    out += [f"## Growth: 1 versus {n:,} existing streams, escrows, patients and institutions", "",
            f"The same probe (fresh patient, institution and practitioner, from a UTC day boundary) in a world with one "
            f"of each and in one with {n:,} of each (all four grown together, so an equal figure is O(1) in each). "
            "Whole-transaction gas may differ only by calldata (a stream or episode id with more non-zero bytes: "
            "+12 gas per byte). Execution gas must be equal.", ""]
    out += _table(["operation", "case", f"gas, 1", f"gas, {n:,}", "execution, 1", f"execution, {n:,}", "O(1)"],
                  [[r["key"], r["case"], r["gas_at_1"], r["gas_at_n"], r["execution_gas_at_1"], r["execution_gas_at_n"],
                    "yes" if r["constant"] else "**no**"] for r in growth["rows"]])

    sp = gas["splits"]
    sizes = sp["sizes"]
    labels = {"pay": "pay (later payment)", "withdraw": "withdraw, non-residual recipient",
              "withdraw_residual": "withdraw, residual recipient (settles all)",
              "distribute_first": "distribute, first claim of each (new holders)",
              "distribute_later": "distribute, later claim"}
    out += ["## Splits: paying and claiming at 1, 2, 5, 10 and the maximum number of recipients", ""]
    out += _table(["operation"] + [str(s) for s in sizes] + ["slope per recipient"],
                  [[labels[k]] + [sp["gas"][k].get(str(s)) for s in sizes] + [sp["slope_per_recipient"][k]]
                   for k in labels])
    out += ["Slope = (gas at the largest size - gas at the smallest) / (difference in size). Paying is O(1) (the "
            "split is shared lazily); each claim pays one CareUSD transfer per recipient it pays, and settling "
            "credits every recipient's share slot.", ""]

    out += ["## Every state-changing function", ""]
    by_contract: dict[str, list[dict[str, Any]]] = {}
    for r in gas["functions"]:
        by_contract.setdefault(r["contract"], []).append(r)
    for contract, rows in by_contract.items():
        out += [f"### {contract}", ""]
        out += _table(["function", "case", "gas", "execution", "includes"],
                      [[r["function"], r["case"], r["gas"], r["execution_gas"], r["includes"]] for r in rows])
    if gas["not_measured"]:
        out += ["Not measured: " + "; ".join(f"{c}: {', '.join(f)}" for c, f in gas["not_measured"].items()), ""]
    for note in gas["notes"]:
        out += [f"Note: {note}", ""]

    out += ["## Throughput", ""]
    out += ["### The carepay driver (population scenario)", ""]
    if drv and "payments_per_second" in drv:
        ratio = drv.get("ratio") or (round(drv["payments_per_second"] / drv["naive_payments_per_second"], 1)
                                     if drv.get("naive_payments_per_second") else None)
        out += _table(["driver payments/s", "naive loop payments/s", "ratio", "source"],
                      [[drv["payments_per_second"], drv.get("naive_payments_per_second"), ratio, drv.get("source")]])
    else:
        out += ["Not measured yet: the driver is built on another branch. Once it writes "
                "`benchmarks/driver_throughput.json` (or $CAREPAY_DRIVER_RESULTS / $CAREPAY_DRIVER_BENCH_CMD, see "
                f"benchmarks/external.py), `make bench` reports it here. {drv.get('error', '')}".strip(), ""]
    h = timings["harness_throughput"]
    if h is None:
        return "\n".join(out + ["(throughput skipped in this run)", ""])
    out += ["### This harness's batched sender versus a naive loop (not the driver)", "",
            f"Payments: {h['what']}.", ""]
    out += _table(["sender", "payments/s (median)", "runs", "payments per run", "method"],
                  [["batched", h["batched"]["median_payments_per_second"], ", ".join(map(str, h["batched"]["runs"])),
                    h["batched"]["payments_per_run"], h["batched"]["method"]],
                   ["naive", h["naive"]["median_payments_per_second"], ", ".join(map(str, h["naive"]["runs"])),
                    h["naive"]["payments_per_run"], h["naive"]["method"]],
                   ["sequential (for reference)", h["sequential"]["median_payments_per_second"],
                    ", ".join(map(str, h["sequential"]["runs"])), h["sequential"]["payments_per_run"],
                    h["sequential"]["method"]]])
    out += [f"Ratio batched / naive: **{h['ratio']}x**.", ""]
    out += ["### `make test` wall time", ""]
    out += ([f"{mk['seconds']} s ({mk.get('outcome', '')}; {mk.get('source')}, measured {mk.get('measured_at', '?')})", ""]
            if "seconds" in mk else ["Not measured in this run: `python -m benchmarks.time_make_test` records it "
                                     "(it runs the whole suite, 11+ minutes on 2 cores).", ""])
    out += ["### Harness times", "", f"Whole `make bench` run: {timings['bench_seconds']} s; growth setup "
            f"(batched, seconds per kind): {timings['growth_setup_seconds']}.", ""]
    return "\n".join(out + HOW)


HOW = ["## How these figures are made", "",
       "- `make bench` runs `python -m benchmarks`: three fresh anvil chains (catalog, growth, throughput), each "
       "started with `--timestamp`, the standard test mnemonic, `--hardfork prague`, no automine; contracts deployed "
       "from the ape build (`carepay.artifacts`, compiled when stale) by plain JSON-RPC; every measured transaction "
       "mined alone in a block at a timestamp the harness sets (`evm_mine`).",
       "- Setups (10,000 of each kind) go as `eth_sendTransaction` JSON-RPC batches with explicit nonces and gas, "
       "100 per block, from anvil's unlocked and auto-impersonated accounts: nothing is signed in Python "
       "(EIP-712 signatures for permit and EIP-3009 come from anvil's `eth_signTypedData_v4`).",
       "- `make bench-check` runs the gas measurements twice and compares them (`python -m benchmarks.compare`).",
       "- Cold versus warm: *first* means the first use of a patient, an institution, a recipient or a module "
       "(new storage slots at 22,100 gas each); *typical* means the same parties again on the same day.",
       "- FeeForService is measured when the build has it (`carepay.artifacts.load` finds it); the driver's "
       "throughput and `make test`'s time come from files or a command (see `benchmarks/external.py`).", ""]


def write_markdown(results: dict[str, Any], path: Path) -> None:
    path.write_text(render(results))
