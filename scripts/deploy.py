"""`ape run deploy`: deploy the CarePay suite, configure a demo network of parties and print it.

Local (default): `ape run deploy --network ethereum:local:foundry` starts anvil, uses its dev
accounts, deploys, configures and prints. On another network, pass `--network` and an ape account
alias with `--account`; the same code deploys only the contracts (no demo parties are invented).
"""

import click
from ape import chain, project
from ape.cli import ConnectedProviderCommand, account_option

from carepay.demo_network import configure_demo_network, describe
from carepay.deployment import deploy_suite


@click.command(cls=ConnectedProviderCommand)
@account_option()
@click.option("--admin-delay", default=2 * 24 * 3600, show_default=True, help="Default-admin handover delay (s).")
def cli(ecosystem, network, provider, account, admin_delay):
    """Deploy CarePay and print what was deployed."""
    suite = deploy_suite(project, account, admin_delay=admin_delay)
    click.echo(f"Deployed CarePay on {ecosystem.name}:{network.name} (chain id {chain.chain_id}) from {account.address}")
    if network.name == "local":
        demo = configure_demo_network(suite, account)
        click.echo(describe(suite, demo))
    else:
        for name, address in suite.addresses().items():
            click.echo(f"  {name:<14} {address}")
