"""The transaction sender on a real anvil: batches, checked receipts with decoded errors, naive mode,
signing off a devnet, and the devnet-only guards."""

import pytest
from eth_account import Account
from web3 import Web3

from carepay.chain import Chain
from carepay.driver import config, scenario_file
from carepay.driver.abi import contract_abi
from carepay.driver.deploy import deploy
from carepay.driver.engine import Engine
from carepay.errors import CarePayError, NetworkError, TransactionFailed
from carepay.keystore import keystore_signer
from carepay.manifest import Manifest
from carepay.sender import Sender, Tx


def token_txs(deployed, sender_address, to, amounts):
    token = contract_abi("CareUSD")
    return [Tx(sender_address, deployed["contracts"]["CareUSD"]["address"], token.fn("transfer").encode(to, a), label=f"transfer {a}")
            for a in amounts]


@pytest.mark.parametrize("mode", ["batch", "naive"])
def test_every_receipt_is_checked_and_a_mined_failure_is_decoded(anvil, deployed, mode):
    w3 = Web3(Web3.HTTPProvider(anvil))
    sender = Sender(w3, devnet=True, mode=mode)
    fund = deployed["configuration"]["roles"]["fund"]
    poor = config.party_address(f"sender-test-{mode}")
    sender.rpc("anvil_setBalance", [poor, hex(10**20)])
    sent = sender.send(token_txs(deployed, fund, poor, [5, 7]))
    assert [s.tx.nonce for s in sent] == [sent[0].tx.nonce, sent[0].tx.nonce + 1]
    assert sender.stats.transactions == 2 and sender.stats.gas == sum(s.gas_used for s in sent)
    # the poor account holds 12 units: the first transfer passes and fixes the gas, the second fails on chain
    with pytest.raises(TransactionFailed) as failure:
        sender.send(token_txs(deployed, poor, fund, [12, 1]))
    message = str(failure.value)
    assert message.startswith("transfer 1 reverted in block ")
    assert message.endswith(f"ERC20InsufficientBalance(sender={poor.lower()}, balance=0, needed=1)")
    sender.set_automine(True)


def test_a_call_that_cannot_be_estimated_alone_is_refused_before_sending(anvil, deployed):
    sender = Sender(Web3(Web3.HTTPProvider(anvil)), devnet=True)
    nobody = config.party_address("sender-test-empty")
    before = sender.rpc("eth_getTransactionCount", [nobody, "latest"])
    with pytest.raises(TransactionFailed, match=r"^transfer 3 would revert: ERC20InsufficientBalance\("):
        sender.send(token_txs(deployed, nobody, nobody, [3]))
    sender.set_automine(True)
    assert sender.rpc("eth_getTransactionCount", [nobody, "latest"]) == before


def test_signing_off_a_devnet_with_an_ape_keystore(anvil, tmp_path, monkeypatch):
    monkeypatch.setenv("APE_DATA_FOLDER", str(tmp_path))
    monkeypatch.setenv("CAREPAY_ACCOUNT_PASSPHRASE", "correct horse")
    with pytest.raises(CarePayError, match=r"no ape account 'deployer' \(no .*accounts/deployer.json\); create it with `ape accounts import deployer`"):
        keystore_signer("deployer")
    account = Account.create()
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "deployer.json").write_text(__import__("json").dumps(Account.encrypt(account.key, "correct horse", kdf="pbkdf2", iterations=2048)))
    signer = keystore_signer("deployer")
    assert signer.address == account.address

    w3 = Web3(Web3.HTTPProvider(anvil))
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**21)])
    w3.provider.make_request("evm_setAutomine", [True])  # like a real network: blocks come without asking
    chain = Chain(w3=w3, name="testnet", folder=tmp_path / "testnet", devnet=False, url=anvil)
    manifest, sent = deploy(chain, Sender(w3, devnet=False, signer=signer), account=account.address)
    assert sent and manifest.deployer == account.address
    assert "program_id" not in manifest.configuration  # off a devnet: contracts and roles only
    regulator = w3.eth.contract(address=manifest.address("Regulator"), abi=contract_abi("Regulator").abi)
    assert regulator.functions.hasRole(regulator.functions.SUPERVISOR_ROLE().call(), account.address).call()

    monkeypatch.setenv("CAREPAY_ACCOUNT_PASSPHRASE", "wrong")
    with pytest.raises(CarePayError, match=r"^wrong passphrase for ape account 'deployer'$"):
        keystore_signer("deployer")


def test_scenarios_and_time_travel_need_a_devnet(anvil, deployed, tmp_path):
    w3 = Web3(Web3.HTTPProvider(anvil))
    chain = Chain(w3=w3, name="ethereum:sepolia:node", folder=tmp_path, devnet=False, url=anvil)
    manifest = Manifest.from_dict({**deployed}, tmp_path / "manifest.json")
    scenario = scenario_file.load(scenario_file.resolve("digital-twin"))
    with pytest.raises(NetworkError, match=r"^running a scenario \(it acts as every party through impersonation\) needs a local devnet"):
        Engine(chain, manifest, Sender(w3, devnet=False), scenario, "x")
    with pytest.raises(NetworkError, match=r"^moving time needs a local devnet \(anvil\): network 'ethereum:sepolia:node' is not one"):
        chain.require_devnet("moving time")


def test_a_nonce_clash_is_named_with_the_fix(anvil, deployed):
    w3 = Web3(Web3.HTTPProvider(anvil))
    sender = Sender(w3, devnet=True, mode="naive")
    fund = deployed["configuration"]["roles"]["fund"]
    sender.send(token_txs(deployed, fund, fund, [1]))  # the sender now tracks the fund's nonce
    w3.eth.send_transaction({"from": fund, "to": fund, "value": 0})  # another program uses the account
    with pytest.raises(TransactionFailed, match=rf"^transfer 2 was not accepted by the node: .*nonce.*; another program sent from {fund} meanwhile"):
        sender.send(token_txs(deployed, fund, fund, [2]))
    sender.send(token_txs(deployed, fund, fund, [3]))  # it re-reads the nonce and carries on
