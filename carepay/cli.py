"""The `carepay` command: chain, deploy, scenario list/run, verify, report.

Every user mistake (unknown network, missing deployment, invalid scenario file, unreachable RPC,
reverted transaction) ends with one line `error: <what and how to fix it>` on stderr and a non-zero exit
code, never a traceback; with `--json` the same comes as {"ok": false, "error": ...} on stdout.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any, Callable

import click
import requests

from carepay.errors import CarePayError, VerificationFailed

NETWORK_HELP = "local (the embedded anvil, default), an http(s) RPC URL, or an ape network such as ethereum:sepolia:node"


class Context:
    def __init__(self, network: str, as_json: bool, mode: str = "batch"):
        self.network, self.as_json, self.mode = network, as_json, mode

    def say(self, message: str) -> None:
        if not self.as_json:
            click.echo(message)

    def emit(self, data: dict[str, Any]) -> None:
        if self.as_json:
            click.echo(json.dumps({"ok": True, **data}, indent=2, default=str))


def common(function: Callable) -> Callable:
    function = click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout.")(function)
    function = click.option("--network", "-n", default="local", show_default=True, help=NETWORK_HELP)(function)
    return function


def _connect(ctx: Context):
    from carepay.chain import connect

    return connect(ctx.network)


def _sender(chain, mode: str = "batch", account: str | None = None):
    from carepay.sender import Sender

    signer = None
    if account and not chain.devnet:
        from carepay.keystore import keystore_signer

        signer = keystore_signer(account)
    return Sender(chain.w3, chain.devnet, mode=mode, signer=signer)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Deploy, drive, verify and report on the CarePay suite."""


@cli.command()
@click.option("--reset", is_flag=True, help="Start from an empty chain (moves the saved state aside).")
def chain(reset: bool) -> None:
    """Run the embedded local chain in the foreground (state kept in deployments/local/)."""
    from carepay.chain import data_dir, local_port, start_anvil

    state = data_dir() / "local" / "state.json"
    if reset and state.exists():
        state.rename(state.with_suffix(".json.old"))
    process = start_anvil(state, local_port(), quiet=True)
    click.echo(f"local chain on http://127.0.0.1:{local_port()} (state in {state}); Ctrl-C stops it and saves the state")
    def interrupt(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        process.stop()
        click.echo("local chain stopped; state saved")


@cli.command()
@common
@click.option("--account", default=None, help="ape account alias to deploy from (required off a devnet).")
@click.option("--admin-delay", default=2 * 24 * 3600, show_default=True, help="Default-admin handover delay (s).")
def deploy(network: str, as_json: bool, account: str | None, admin_delay: int) -> None:
    """Deploy and configure the suite; re-running finds and checks what is deployed."""
    from carepay.driver.deploy import deploy as run_deploy

    ctx = Context(network, as_json)
    with _connect(ctx) as chain:
        sender = _sender(chain, account=account)
        address = None
        if account and not chain.devnet:
            address = sender.signer.address  # type: ignore[union-attr]
        try:
            manifest, sent_any = run_deploy(chain, sender, account=address, admin_delay=admin_delay,
                                            progress=None if as_json else (lambda m: click.echo(f"  {m}")))
        finally:
            sender.set_automine(True)  # leave the devnet mining as other tools expect
        ctx.say(("Deployed" if sent_any else "Found and checked the deployment") + f" on {chain.name} (chain id {manifest.chain_id}):")
        for name, entry in manifest.contracts.items():
            ctx.say(f"  {name:<14} {entry['address']}  block {entry['block']}")
        if "program_id" in manifest.configuration:
            ctx.say(f"  program {manifest.configuration['program_id']} (monthly budget periods); coverage:")
            for code, rule in manifest.configuration["coverage"].items():
                covered, cross, ratio, deductible, cap = rule
                ctx.say(f"    {code:<20} {'covered' if covered else 'NOT covered':<12} ratio {ratio / 100:>5.1f}%  "
                        f"deductible {deductible / 1e6:>8,.2f}  fund cap {cap / 1e6:>10,.2f}{'  cross-region' if cross else ''}")
        ctx.say(f"manifest: {chain.folder / 'manifest.json'}")
        ctx.emit({"network": chain.name, "deployed": sent_any, "manifest": manifest.to_dict()})


@cli.group()
def scenario() -> None:
    """Scenario files: list them, run one."""


@scenario.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output on stdout.")
def scenario_list(as_json: bool) -> None:
    """The shipped scenarios."""
    from carepay.driver import scenario_file

    items = []
    for path in scenario_file.shipped():
        loaded = scenario_file.load(path)
        items.append({"name": loaded.name, "file": str(path), "title": loaded.title, "steps": len(loaded.steps)})
    if as_json:
        click.echo(json.dumps({"ok": True, "scenarios": items}, indent=2))
        return
    for item in items:
        click.echo(f"{Path(item['file']).stem:<20} {item['title']} ({item['steps']} steps)")


@scenario.command("run")
@common
@click.argument("name_or_file")
@click.option("--mode", type=click.Choice(["batch", "naive"]), default="batch", show_default=True,
              help="batch: many transactions per JSON-RPC request and block; naive: one at a time.")
@click.option("--new", "new_run", is_flag=True, help="Start a new run of a scenario that already completed.")
@click.option("--no-verify", is_flag=True, help="Skip the final verify.")
@click.option("--set", "overrides", multiple=True, metavar="KEY=N",
              help="Population size, e.g. --set patients=200 --set days=90.")
def scenario_run(network: str, as_json: bool, name_or_file: str, mode: str, new_run: bool, no_verify: bool,
                 overrides: tuple[str, ...]) -> None:
    """Run a scenario (a shipped name such as `chronic-care` or `3`, or a YAML file), then verify."""
    from carepay.driver import scenario_file
    from carepay.driver.runner import run_scenario

    ctx = Context(network, as_json, mode)
    loaded = scenario_file.load(scenario_file.resolve(name_or_file))
    for item in overrides:
        key, _, value = item.partition("=")
        if key not in scenario_file.POPULATION_FIELDS or not value.isdigit():
            raise CarePayError(f"--set {item}: expected KEY=N with KEY one of {', '.join(scenario_file.POPULATION_FIELDS)}")
        loaded.population[key] = int(value)
    with _connect(ctx) as chain:
        result = run_scenario(chain, _sender(chain, mode), loaded, new_run=new_run, verify=not no_verify,
                              say=ctx.say, show_progress=not as_json and sys.stderr.isatty())
        _finish_with_verify(ctx, result, result.get("verify", {}))


def _finish_with_verify(ctx: Context, output: dict[str, Any], verified: dict[str, Any]) -> None:
    """Emits the output; a breach makes it {"ok": false, ...} in JSON, or a one-line error, and exit code 6."""
    if verified.get("ok") is not False:
        ctx.emit(output)
        return
    breaches = verified.get("breaches", [])
    texts = [b.get("message", str(b)) if isinstance(b, dict) else str(b) for b in breaches]
    message = f"verify found {len(breaches)} breach(es): " + "; ".join(texts)[:500]
    if ctx.as_json:
        click.echo(json.dumps({**output, "ok": False, "error": message, "kind": "VerificationFailed"}, indent=2, default=str))
        raise click.exceptions.Exit(VerificationFailed.exit_code)
    raise VerificationFailed(message)


@cli.command()
@common
def verify(network: str, as_json: bool) -> None:
    """Check every invariant of INVARIANTS.md against the chain; non-zero exit on any breach."""
    from carepay.driver.runner import run_verify
    from carepay.manifest import load_checked

    ctx = Context(network, as_json)
    with _connect(ctx) as chain:
        manifest = load_checked(chain.folder, chain.w3, chain.name)
        result = run_verify(chain.w3, manifest, ctx.say)
        _finish_with_verify(ctx, {"network": chain.name, "verify": result}, result)


@cli.command()
@common
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default deployments/<network>/report).")
def report(network: str, as_json: bool, out: Path | None) -> None:
    """Write the audit report (Markdown, HTML, PNG charts)."""
    from carepay.manifest import load_checked

    ctx = Context(network, as_json)
    try:
        from carepay.report import write_report
    except ModuleNotFoundError as error:
        if error.name != "carepay.report":
            raise
        raise CarePayError("carepay.report is not in this checkout (it comes from the report branch); merge it to write reports") from None
    with _connect(ctx) as chain:
        manifest = load_checked(chain.folder, chain.w3, chain.name)
        folder = out or chain.folder / "report"
        paths = write_report(chain.w3, manifest.addresses(), manifest.from_block, folder)
        for path in paths:
            ctx.say(f"  wrote {path}")
        ctx.emit({"network": chain.name, "files": [str(p) for p in paths]})


def main(argv: list[str] | None = None) -> int:
    as_json = "--json" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="carepay", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("error: interrupted; run the same command again to resume where it stopped", err=True)
        return 130
    except requests.exceptions.RequestException as error:
        message = f"lost the connection to the node ({type(error).__name__}); check that it runs, then run the same command again to resume"
        if as_json:
            click.echo(json.dumps({"ok": False, "error": message, "kind": "NetworkError"}))
        else:
            click.echo(f"error: {message}", err=True)
        return 2
    except click.ClickException as error:
        error.show()
        return error.exit_code
    except CarePayError as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        if as_json:
            click.echo(json.dumps({"ok": False, "error": message, "kind": type(error).__name__}))
        else:
            click.echo(f"error: {message}", err=True)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
