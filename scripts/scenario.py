"""`ape run scenario NAME|FILE`: run a scenario on a devnet with the same code as `carepay scenario run`.

The network's deployment must exist: `ape run deploy` on the same network first, or `--deploy` (ape's
ethereum:local:foundry starts a fresh anvil for every command, so there use
`ape run scenario --deploy <name> --network ethereum:local:foundry`, or `carepay`, whose embedded chain
keeps its state).
"""

import click
from ape.cli import ConnectedProviderCommand

from carepay.chain import from_ape_provider
from carepay.driver import scenario_file
from carepay.driver.runner import run_scenario
from carepay.errors import CarePayError
from carepay.sender import Sender


@click.command(cls=ConnectedProviderCommand)
@click.argument("name_or_file")
@click.option("--mode", type=click.Choice(["batch", "naive"]), default="batch", show_default=True)
@click.option("--new", "new_run", is_flag=True, help="Start a new run of a completed scenario.")
@click.option("--deploy", "deploy_first", is_flag=True,
              help="Deploy (or find) the suite first: needed on ethereum:local:foundry, whose anvil lives for one command.")
def cli(ecosystem, network, provider, name_or_file, mode, new_run, deploy_first):
    """Run a scenario, then verify."""
    try:
        chain = from_ape_provider(f"{ecosystem.name}:{network.name}")
        if deploy_first:
            from carepay.driver.deploy import deploy

            deploy(chain, Sender(chain.w3, chain.devnet))
        loaded = scenario_file.load(scenario_file.resolve(name_or_file))
        run_scenario(chain, Sender(chain.w3, chain.devnet, mode=mode), loaded, new_run=new_run, say=click.echo)
    except CarePayError as error:
        raise click.ClickException(str(error)) from None
