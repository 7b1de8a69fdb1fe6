"""A run killed at any point (the process, or the chain before its state was saved) resumes on re-run
without paying anything twice: each stream and escrow of the scenario exists exactly once."""

import os
import signal
import time

import pytest
from web3 import Web3

from carepay.anvil import free_port
from carepay.chain import start_anvil
from carepay.driver import scenario_file
from carepay.driver.abi import contract_abi
from carepay.driver.journal import INTERRUPT_EXIT_CODE
from carepay.driver.runner import run_scenario, verify_available
from carepay.sender import Sender
from driver_support import run_module


def created_events(url: str, manifest: dict) -> dict[str, int]:
    w3 = Web3(Web3.HTTPProvider(url))
    counts = {}
    for contract, event in (("CareStream", "StreamCreated"), ("OutcomeEscrow", "EpisodeCreated"), ("CareStream", "StreamCancelled")):
        logs = w3.eth.get_logs({"address": manifest["contracts"][contract]["address"], "fromBlock": manifest["from_block"],
                                "toBlock": "latest", "topics": [contract_abi(contract).topic(event)]})
        counts[event] = len(logs)
    return counts


EXPECTED = {"StreamCreated": 2, "EpisodeCreated": 1, "StreamCancelled": 2}


@pytest.mark.parametrize("interrupt", [
    {"CAREPAY_INTERRUPT": "open-second-stream:mined"},      # on chain, not in the journal
    {"CAREPAY_INTERRUPT": "open-second-stream:submitted"},  # in the pool, not mined
    {"CAREPAY_INTERRUPT_AFTER": "9"},                       # between steps
])
def test_killed_process_resumes_without_paying_twice(cli, anvil, deployed, data_dir, interrupt):
    crashed = run_module("scenario", "run", "chronic-care", "--network", anvil, "--no-verify",
                         env={"CAREPAY_DATA_DIR": str(data_dir), **interrupt})
    assert crashed.returncode == INTERRUPT_EXIT_CODE, crashed.stderr
    assert created_events(anvil, deployed)["EpisodeCreated"] == 0  # it died before the end

    code, result = cli.json("scenario", "run", "chronic-care", "--network", anvil, "--no-verify")
    assert code == 0, result
    assert result["steps_skipped"] >= 6 and result["steps_run"] >= 1
    assert created_events(anvil, deployed) == EXPECTED

    code, again = cli.json("scenario", "run", "chronic-care", "--network", anvil, "--no-verify")
    assert code == 0 and again["steps_run"] == 0 and again["transactions"] == 0
    assert created_events(anvil, deployed) == EXPECTED


def test_killed_chain_rolls_back_and_the_run_redoes_what_it_lost(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREPAY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CAREPAY_STATE_INTERVAL", "1")
    port, state = free_port(), tmp_path / "state.json"
    url = f"http://127.0.0.1:{port}"
    process = start_anvil(state, port)
    from carepay.chain import connect
    from carepay.driver.deploy import deploy

    chain = connect(url)
    manifest, _ = deploy(chain, Sender(chain.w3, True))
    time.sleep(2.5)  # the deployment is in the state file (dumped every second)
    scenario = scenario_file.load(scenario_file.resolve("chronic-care"))
    run_scenario(chain, Sender(chain.w3, True), scenario, verify=False, say=lambda m: None, show_progress=False)
    os.kill(process.pid, signal.SIGKILL)  # no final dump: the chain loses what came after the last one
    process.wait()
    process = start_anvil(state, port)
    try:
        chain = connect(url)
        scenario = scenario_file.load(scenario_file.resolve("chronic-care"))
        result = run_scenario(chain, Sender(chain.w3, True), scenario, verify=verify_available(), say=lambda m: None,
                              show_progress=False)
        assert created_events(url, manifest.to_dict()) == EXPECTED
        assert result["steps_run"] == len(result["steps_forgotten_after_chain_rollback"])
        if verify_available():
            assert result["verify"]["ok"] is True
    finally:
        process.stop()


def test_a_restarted_chain_keeps_its_clock(tmp_path):
    """anvil forgets, when it loads a saved state, that scenarios moved its clock: connect() puts it back, so
    calls never see time run backwards."""
    port, state = free_port(), tmp_path / "state.json"
    url = f"http://127.0.0.1:{port}"
    process = start_anvil(state, port)
    w3 = Web3(Web3.HTTPProvider(url))
    future = w3.eth.get_block("latest").timestamp + 400 * 86_400
    w3.provider.make_request("evm_mine", [hex(future)])
    process.stop()  # SIGTERM: the state is dumped
    process = start_anvil(state, port)
    try:
        assert w3.eth.get_block("pending").timestamp < future  # anvil alone: back to the wall clock
        from carepay.chain import connect

        connect(url)
        assert w3.eth.get_block("latest").timestamp == future
        assert w3.eth.get_block("pending").timestamp > future
    finally:
        process.stop()
