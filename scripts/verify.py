"""`ape run verify`: check every invariant against the chain, as `carepay verify` does."""

import click
from ape.cli import ConnectedProviderCommand

from carepay.chain import from_ape_provider
from carepay.driver.runner import run_verify
from carepay.errors import CarePayError
from carepay.manifest import load_checked


@click.command(cls=ConnectedProviderCommand)
def cli(ecosystem, network, provider):
    """Verify the deployment of this network; exits non-zero on a breach."""
    try:
        chain = from_ape_provider(f"{ecosystem.name}:{network.name}")
        manifest = load_checked(chain.folder, chain.w3, chain.name)
        result = run_verify(chain.w3, manifest, click.echo)
    except CarePayError as error:
        raise click.ClickException(str(error)) from None
    if not result["ok"]:
        raise click.ClickException(f"{len(result.get('breaches', []))} breach(es)")
