"""The pieces the benchmark shares with the driver: the anvil launcher's flags, the ABI encoder's overload
lookup, and carepay.sender's receipt check on a chain that keeps no past states."""

import pytest

from carepay.anvil import AnvilOptions, free_port
from carepay.chain import local_anvil
from carepay.driver.abi import contract_abi
from carepay.errors import NetworkError, TransactionFailed
from carepay.rpc import RpcClient, RpcError

from benchmarks.anvil import GENESIS_TIME, bench_anvil
from benchmarks.chain import Chain
from benchmarks.world import World, derived


def _flags(options: AnvilOptions) -> list[str]:
    return options.command()[1:]  # without the binary's path


def test_anvil_options__the_benchmark_chain_has_a_fixed_clock_and_keeps_nothing():
    flags = _flags(bench_anvil().options)
    assert flags[flags.index("--timestamp") + 1] == str(GENESIS_TIME)
    assert {"--no-mining", "--auto-impersonate", "--no-priority-fee", "--silent"} <= set(flags)
    assert flags[flags.index("--base-fee") + 1] == "0"
    assert "--state" not in flags
    assert flags[-1] == "--prune-history"  # alone: no number, no state on disk


def test_anvil_options__the_local_chain_saves_its_state_and_keeps_256_block_states(tmp_path):
    flags = _flags(local_anvil(tmp_path / "state.json", 8555))
    assert flags[flags.index("--state") + 1] == str(tmp_path / "state.json")
    assert flags[flags.index("--prune-history") + 1] == "256"
    assert "--no-mining" not in flags and "--timestamp" not in flags


def test_abi__an_overloaded_name_is_resolved_by_its_number_of_arguments():
    token = contract_abi("CareUSD")
    assert token.function("transferWithAuthorization", 9).signature.endswith(",uint8,bytes32,bytes32)")
    assert token.function("transferWithAuthorization", 7).signature.endswith(",bytes)")
    with pytest.raises(KeyError, match=r"CareUSD.transferWithAuthorization: 2 matches; give the full signature"):
        token.function("transferWithAuthorization")
    with pytest.raises(KeyError, match=r"CareUSD.nope\(\): 0 matches"):
        token.function("nope()")


def test_abi__state_changing_functions_exclude_views():
    names = contract_abi("CareUSD").state_changing()
    assert "transfer(address,uint256)" in names and "balanceOf(address)" not in names


def test_rpc__an_unreachable_node_names_the_url_and_a_node_error_keeps_revert_data():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(NetworkError, match=f"the RPC endpoint {url} failed"):
        RpcClient(url, timeout=2).call("eth_chainId")
    assert RpcError("eth_call", {"message": "reverted", "data": {"data": "0x1234"}}).data == "0x1234"


def test_a_failed_benchmark_transaction__names_its_decoded_error_and_the_clock_follows_the_chain():
    with bench_anvil() as anvil:
        world = World.build(Chain(anvil.client))
        chain, nobody = world.chain, derived("shared-chain-test", 0)
        with pytest.raises(TransactionFailed, match=r"^CareUSD.transfer reverted in block \d+ .*: "
                                                    rf"ERC20InsufficientBalance\(sender={nobody.lower()}, balance=0, needed=5\)$"):
            world.tx(nobody, world.token, "transfer", world.admin, 5)
        assert chain.now == chain.sender.latest_timestamp()
        assert world.tx(world.admin, world.token, "approve", world.fund, 7).total > 21_000
