"""`carepay verify` on a real anvil: passes after a scenario, and catches money moved around the modules."""

from web3 import Web3

from carepay.driver.abi import contract_abi



def test_verify_passes_then_catches_a_transfer_around_the_modules(cli, anvil, deployed):
    code, result = cli.json("scenario", "run", "chronic-care", "--network", anvil)
    assert code == 0 and result["verify"]["ok"] is True
    code, _, _ = cli("verify", "--network", anvil)
    assert code == 0

    w3 = Web3(Web3.HTTPProvider(anvil))
    stream = deployed["contracts"]["CareStream"]["address"]
    token = w3.eth.contract(address=deployed["contracts"]["CareUSD"]["address"], abi=contract_abi("CareUSD").abi)
    fund = deployed["configuration"]["roles"]["fund"]
    held = token.functions.balanceOf(stream).call()
    token.functions.transfer(stream, 1).transact({"from": fund})  # 1 unit paid in around the module's functions
    assert token.functions.balanceOf(stream).call() == held + 1

    code, _, err = cli("verify", "--network", anvil)
    assert code == 6
    assert err.startswith("error: verify found") and "breach" in err
