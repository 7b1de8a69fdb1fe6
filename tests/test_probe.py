import ape
def test_probe(accounts, project):
    c = accounts[0].deploy(project.Probe)
    with ape.reverts(c.Bad, x=5):
        c.f(5)
    assert c.decimals() == 18
def test_provider_is_anvil(chain):
    assert chain.provider.name == "foundry"
