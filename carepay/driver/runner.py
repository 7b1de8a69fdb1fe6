"""One scenario run as a user starts it: find the deployment, pick or start the run, run, verify."""

from __future__ import annotations

from typing import Any, Callable

from carepay.chain import Chain
from carepay.driver.engine import Engine
from carepay.driver.scenario_file import Scenario
from carepay.errors import CarePayError
from carepay.manifest import Manifest, load_checked
from carepay.sender import Sender


def run_name(chain: Chain, scenario: Scenario, new_run: bool) -> str:
    """The scenario's latest run (resumed, or reported as complete), or a new numbered one with --new."""
    runs = chain.folder / "runs"
    taken = [scenario.name] + [f"{scenario.name}-{n}" for n in range(2, 1000)]
    existing = [name for name in taken if (runs / f"{name}.jsonl").exists()]
    if not existing:
        return scenario.name
    if new_run:
        return taken[len(existing)]
    return existing[-1]


def verify_available() -> bool:
    try:
        import carepay.verify  # noqa: F401
        return True
    except ModuleNotFoundError as error:
        if error.name != "carepay.verify":
            raise
        return False


def run_verify(w3: Any, manifest: Manifest, say: Callable[[str], None]) -> dict[str, Any]:
    if not verify_available():
        raise CarePayError("carepay.verify is not in this checkout (it comes from the verify branch); merge it to check invariants")
    from carepay.verify import verify

    result = verify(w3, manifest.addresses(), manifest.from_block)
    data = result.to_dict()
    data.setdefault("ok", result.ok)
    if hasattr(result, "text"):  # the verify module's own terminal form: summary, one line per check, breaches
        say(result.text())
    else:
        say(f"verify: {len(result.checks)} checks, {'all hold' if result.ok else f'{len(result.breaches)} BREACHED'}")
        for breach in result.breaches:
            say(f"  breach: {getattr(breach, 'message', breach)}")
    return data


def run_scenario(chain: Chain, sender: Sender, scenario: Scenario, new_run: bool = False, verify: bool = True,
                 say: Callable[[str], None] = print, show_progress: bool = True) -> dict[str, Any]:
    manifest = load_checked(chain.folder, chain.w3, chain.name)
    run = run_name(chain, scenario, new_run)
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(total=None if scenario.population else len(scenario.steps) + 5, desc=scenario.name, unit="step", leave=False)
    try:
        engine = Engine(chain, manifest, sender, scenario, run, tick=bar.update if bar else None)
        if engine.journal.complete and not new_run:
            say(f"{scenario.name}: run {run!r} already completed (use --new for another run)")
        outcome = engine.run_all()
    finally:
        sender.set_automine(True)  # leave the devnet mining as other tools expect
        if bar:
            bar.close()
    result: dict[str, Any] = {"network": chain.name, **outcome.to_dict()}
    say(f"{scenario.title} (run {run}): {outcome.steps_run} steps run, {outcome.steps_skipped} already done; "
        f"{outcome.transactions} transactions, {outcome.gas:,} gas, {outcome.seconds:.2f} s")
    if outcome.forgotten:
        say(f"  the chain had lost {len(outcome.forgotten)} finished steps (rolled back); they ran again")
    for refusal in outcome.refusals:
        say(f"  refused as expected at {refusal['step']}: {refusal['error']}")
    for mode, stats in outcome.payments.items():
        s = stats.to_dict()
        say(f"  payments ({mode}): {s['payments']} in {s['seconds']} s = {s['payments_per_second']} payments/s, "
            f"{s['gas']:,} gas ({s['gas_per_payment']:,} per payment)")
    if verify:
        if verify_available():
            result["verify"] = run_verify(chain.w3, manifest, say)
        else:
            result["verify"] = {"skipped": "carepay.verify is not in this checkout (merged from the verify branch)"}
            say("verify: skipped, carepay.verify is not in this checkout yet")
    return result
