"""`ape run deploy`: deploy and configure CarePay with the same code as `carepay deploy`.

Local: `ape run deploy --network ethereum:local:foundry` (anvil's dev accounts). Another network: pass
`--network` and an ape account alias with `--account`; the contracts and roles are deployed from it.
The manifest goes to deployments/<network>/manifest.json.
"""

import click
from ape.cli import ConnectedProviderCommand, account_option

from carepay.chain import from_ape_provider
from carepay.driver.deploy import deploy
from carepay.sender import Sender


def _signer(account):
    """Signs with the ape account (keystore or test account) through ape's own transaction type."""
    from ape import chain as ape_chain

    def sign(tx: dict) -> bytes:
        txn = ape_chain.provider.network.ecosystem.create_transaction(**tx)
        return account.sign_transaction(txn).serialize_transaction()

    return sign


@click.command(cls=ConnectedProviderCommand)
@account_option(prompt=False)
@click.option("--admin-delay", default=2 * 24 * 3600, show_default=True, help="Default-admin handover delay (s).")
def cli(ecosystem, network, provider, account, admin_delay):
    """Deploy CarePay and print what was deployed."""
    chain = from_ape_provider(f"{ecosystem.name}:{network.name}")
    sender = Sender(chain.w3, chain.devnet, signer=None if chain.devnet else _signer(account))
    manifest, sent_any = deploy(chain, sender, account=None if chain.devnet else str(account.address), admin_delay=admin_delay)
    sender.set_automine(True)
    click.echo(f"{'Deployed' if sent_any else 'Found'} CarePay on {chain.name} (chain id {manifest.chain_id}):")
    for name, entry in manifest.contracts.items():
        click.echo(f"  {name:<14} {entry['address']}  block {entry['block']}")
    click.echo(f"manifest: {chain.folder / 'manifest.json'}")
