"""The command line on a real anvil: deploy (idempotent, manifest), scenarios, and every error path."""

import json

import pytest
from web3 import Web3

from carepay import artifacts
from carepay.ledger.reader import ReaderError
from carepay.verify import verify

from carepay.driver.abi import contract_abi
from carepay.manifest import REQUIRED_CONTRACTS
from driver_support import run_module

UNIT = 10**6


def test_deploy_writes_the_manifest_and_a_rerun_only_checks(cli, anvil, data_dir):
    code, first = cli.json("deploy", "--network", anvil)
    assert code == 0 and first["deployed"] is True
    manifest = first["manifest"]
    assert set(REQUIRED_CONTRACTS) <= set(manifest["contracts"])
    assert "FeeForService" in manifest["contracts"]
    blocks = [entry["block"] for entry in manifest["contracts"].values()]
    assert manifest["from_block"] == min(blocks)
    assert all(entry["tx"].startswith("0x") and len(entry["tx"]) == 66 for entry in manifest["contracts"].values())
    assert manifest["configuration"]["program_id"] >= 1 and manifest["versions"]["solc"] == "0.8.37"
    on_disk = json.loads((data_dir / "chain-31337" / "manifest.json").read_text())
    assert on_disk["contracts"] == manifest["contracts"]

    code, second = cli.json("deploy", "--network", anvil)
    assert code == 0 and second["deployed"] is False
    assert second["manifest"]["contracts"] == manifest["contracts"]


def test_deploy_configures_roles_and_the_fund(cli, anvil, deployed):
    w3 = Web3(Web3.HTTPProvider(anvil))
    regulator, token = deployed["contracts"]["Regulator"]["address"], deployed["contracts"]["CareUSD"]["address"]
    roles = deployed["configuration"]["roles"]
    reg = w3.eth.contract(address=regulator, abi=contract_abi("Regulator").abi)
    tok = w3.eth.contract(address=token, abi=contract_abi("CareUSD").abi)
    for module in ("CareStream", "OutcomeEscrow"):
        assert reg.functions.hasRole(reg.functions.MODULE_ROLE().call(), deployed["contracts"][module]["address"]).call()
    assert reg.functions.hasRole(reg.functions.SUPERVISOR_ROLE().call(), roles["supervisor"]).call()
    assert reg.functions.hasRole(reg.functions.ARBITER_ROLE().call(), roles["arbiter"]).call()
    assert tok.functions.balanceOf(roles["fund"]).call() == 100_000_000 * UNIT
    assert tok.functions.allowance(roles["fund"], deployed["contracts"]["CareStream"]["address"]).call() == 2**256 - 1


def test_scenario_list(cli):
    code, out = cli.json("scenario", "list")
    assert code == 0
    assert [s["name"] for s in out["scenarios"]] == ["follow-up", "digital-twin", "chronic-care", "supervision", "population"]


# ---- every error path: one line naming the fix, its exit code, no traceback ----------------------------------


def test_unknown_network(cli):
    code, _, err = cli("verify", "--network", "moon")
    assert code == 2
    assert err == "error: unknown network 'moon'; use `local`, an http(s) RPC URL, or an ape network such as ethereum:sepolia:node (list them with `ape networks list`)\n"


def test_unreachable_rpc(cli, data_dir):
    code, _, err = cli("deploy", "--network", "http://127.0.0.1:9")
    assert code == 2
    assert err == "error: cannot reach the RPC endpoint http://127.0.0.1:9 (connection refused); start the node or check the URL\n"


def test_missing_deployment(cli, anvil, data_dir):
    code, _, err = cli("scenario", "run", "chronic-care", "--network", anvil)
    assert code == 3
    assert err.startswith(f"error: no deployment on network '{anvil}' (no {data_dir}/chain-31337/manifest.json); run `carepay deploy --network {anvil}` first")


def test_deployment_without_code(cli, anvil, deployed, data_dir):
    path = data_dir / "chain-31337" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["contracts"]["SplitRouter"]["address"] = "0x000000000000000000000000000000000000bEEF"
    path.write_text(json.dumps(manifest))
    code, _, err = cli("verify", "--network", anvil)
    assert code == 3
    assert "error: no code for SplitRouter at 0x000000000000000000000000000000000000bEEF" in err
    assert err.rstrip().endswith(f"run `carepay deploy --network {anvil}` to deploy again")


def test_deployment_built_from_other_contract_code__is_refused_with_the_fix(cli, anvil, deployed, data_dir):
    # A checkout whose contracts changed since the deployment (an upgrade) must not drive or verify the old ones:
    # their functions and events may differ. The manifest records the build's code fingerprint.
    assert deployed["versions"]["code"] == artifacts.code_hash(list(deployed["contracts"]))
    path = data_dir / "chain-31337" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["versions"]["code"] = "0123456789abcdef"
    path.write_text(json.dumps(manifest))
    folder = data_dir / "chain-31337"
    for command in (("verify",), ("scenario", "run", "chronic-care"), ("deploy",)):
        code, _, err = cli(*command, "--network", anvil)
        assert code == 3, command
        assert err.startswith(f"error: the deployment in {folder} was built from other contract code (recorded "
                              "0123456789abcdef"), command
        assert err.rstrip().endswith(f"then `carepay deploy --network {anvil}`"), command


def test_deploy_without_its_journal__refuses_other_code_instead_of_replacing_the_deployment(cli, anvil, deployed,
                                                                                           data_dir):
    # A manifest made elsewhere (no journal here) with other contract code: deploy must not send a new suite.
    folder = data_dir / "chain-31337"
    (folder / "runs" / "deploy.jsonl").unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["versions"]["code"] = "0123456789abcdef"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    block = Web3(Web3.HTTPProvider(anvil)).eth.block_number

    code, _, err = cli("deploy", "--network", anvil)

    assert code == 3 and "was built from other contract code" in err
    assert json.loads((folder / "manifest.json").read_text()) == manifest  # the addresses are kept
    assert Web3(Web3.HTTPProvider(anvil)).eth.block_number == block  # nothing was sent


def test_code_hash__ignores_the_compilers_metadata_but_not_the_code(monkeypatch):
    # solc appends CBOR metadata (a hash of the source text) and its 2-byte length: a comment-only edit changes
    # only that tail, so it must not make a deployment look foreign; a change of code must.
    def build(code: bytes, metadata: bytes) -> dict:
        blob = code + metadata + len(metadata).to_bytes(2, "big")
        return {"X": artifacts.Artifact(name="X", abi=[], bytecode="0x" + blob.hex(), runtime_bytecode="0x")}

    for variant, expect_same in ((build(b"\x60\x80", b"\xa2\x64meta-one"), True),
                                 (build(b"\x60\x81", b"\xa2\x64meta-one"), False)):
        monkeypatch.setattr(artifacts, "load", lambda name, v=variant: v[name])
        changed = artifacts.code_hash(["X"])
        monkeypatch.setattr(artifacts, "load", lambda name: build(b"\x60\x80", b"\xa2\x64meta-two!")[name])
        assert (changed == artifacts.code_hash(["X"])) is expect_same


def test_verify__a_view_that_reverts__is_one_line_naming_the_contract(anvil, deployed):
    # The token's address given as the Regulator's: the Regulator views verify reads revert there.
    w3 = Web3(Web3.HTTPProvider(anvil))
    addresses = {name: entry["address"] for name, entry in deployed["contracts"].items()}
    addresses["Regulator"] = addresses["CareUSD"]
    with pytest.raises(ReaderError, match=r"Regulator\.\w+ failed at 0x[0-9a-fA-F]{40} .*not this version's"):
        verify(w3, addresses, deployed["from_block"])


def test_invalid_scenario_file_in_json(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: Bad\nsteps:\n  - {id: x, do: advance_time, days: -1}\n")
    code, out, _ = cli("scenario", "run", str(bad), "--json")
    assert code == 4
    assert json.loads(out) == {"ok": False, "kind": "ScenarioInvalid",
                               "error": f"{bad}:4: steps[0].days: expected a number >= 0, got -1"}


def test_reverted_transaction_names_the_custom_error(cli, anvil, deployed, tmp_path):
    scenario = tmp_path / "refused.yaml"
    scenario.write_text(
        "name: refused\ntitle: Refused\nparties:\n  institutions: [{name: c, region: 1, budget: 10}]\n"
        "  practitioners: [{name: d, institution: c, daily_limit: 1}]\n  patients: [{name: p, region: 2, funds: 100}]\n"
        "  splits: [{name: s, institution: c, shares: {c: 100}, residual: c}]\n"
        "steps:\n  - {id: twin, do: stream_create, stream: x, patient: p, practitioner: d, service: DIGITAL_TWIN_STAGE,"
        " split: s, deposit: 50, days: 30}\n"
    )
    code, _, err = cli("scenario", "run", str(scenario), "--network", anvil)
    assert code == 5
    assert err.startswith("error: twin: CareStream.create would revert: Regulator_CrossRegionNotAllowed(programId=1, ")


def test_expected_refusal_that_succeeds_fails_the_run(cli, anvil, deployed, tmp_path):
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text(
        "name: wrong\ntitle: Wrong\nparties:\n  institutions: [{name: c, region: 1, budget: 1000}]\n"
        "  practitioners: [{name: d, institution: c, daily_limit: 5}]\n  patients: [{name: p, region: 1, funds: 100}]\n"
        "  splits: [{name: s, institution: c, shares: {c: 100}, residual: c}]\n"
        "steps:\n  - {id: ok, do: stream_create, stream: x, patient: p, practitioner: d, service: CHRONIC_CARE,"
        " split: s, deposit: 50, days: 30, expect_error: Regulator_BudgetExceeded}\n"
    )
    code, _, err = cli("scenario", "run", str(scenario), "--network", anvil)
    assert code == 1
    assert err == f"error: {scenario}:9: step 'ok' expected Regulator_BudgetExceeded but the transaction would succeed (nothing was sent)\n"


def test_module_entry_point_exits_cleanly_without_traceback(tmp_path):
    result = run_module("deploy", "--network", "http://127.0.0.1:9", env={"CAREPAY_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("error: cannot reach the RPC endpoint")


def test_a_module_added_later_is_deployed_registered_and_approved(cli, anvil, data_dir, monkeypatch):
    from carepay.driver import deploy as deploy_module

    monkeypatch.setattr(deploy_module, "contract_names", lambda: list(deploy_module.CORE))
    code, first = cli.json("deploy", "--network", anvil)
    assert code == 0 and "FeeForService" not in first["manifest"]["contracts"]
    monkeypatch.undo()
    monkeypatch.setenv("CAREPAY_DATA_DIR", str(data_dir))
    code, second = cli.json("deploy", "--network", anvil)
    assert code == 0 and second["deployed"] is True
    contracts = second["manifest"]["contracts"]
    assert {k: v for k, v in contracts.items() if k != "FeeForService"} == first["manifest"]["contracts"]
    w3 = Web3(Web3.HTTPProvider(anvil))
    reg = w3.eth.contract(address=contracts["Regulator"]["address"], abi=contract_abi("Regulator").abi)
    tok = w3.eth.contract(address=contracts["CareUSD"]["address"], abi=contract_abi("CareUSD").abi)
    ffs = contracts["FeeForService"]["address"]
    assert reg.functions.hasRole(reg.functions.MODULE_ROLE().call(), ffs).call()
    fund = second["manifest"]["configuration"]["roles"]["fund"]
    assert tok.functions.allowance(fund, ffs).call() == 2**256 - 1
    assert tok.functions.balanceOf(fund).call() == 100_000_000 * UNIT  # the float was not minted twice


class _Breached:
    """What carepay.verify returns for a broken chain (a stand-in: the real module comes from its branch)."""

    ok = False
    checks = ["balances", "budgets"]
    breaches = ["CareStream holds 1 unit less than its streams' ledgers"]

    def to_dict(self):
        return {"ok": False, "checks": self.checks, "breaches": self.breaches}


def test_a_breach_exits_6_with_one_line_or_one_json_object(cli, anvil, deployed, monkeypatch):
    import sys
    import types

    fake = types.ModuleType("carepay.verify")
    fake.verify = lambda w3, addresses, from_block: _Breached()
    monkeypatch.setitem(sys.modules, "carepay.verify", fake)
    code, out, err = cli("verify", "--network", anvil)
    assert code == 6
    assert out == "verify: 2 checks, 1 BREACHED\n  breach: CareStream holds 1 unit less than its streams' ledgers\n"
    assert err == "error: verify found 1 breach(es): CareStream holds 1 unit less than its streams' ledgers\n"
    code, out, _ = cli("verify", "--network", anvil, "--json")
    assert code == 6
    answer = json.loads(out)
    assert answer["ok"] is False and answer["kind"] == "VerificationFailed" and answer["verify"]["breaches"] == _Breached.breaches
