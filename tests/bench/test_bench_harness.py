"""The benchmark harness on a small setup: its figures have the right shape and repeat exactly.

Runs the harness's own anvil (not ape's), the whole pipeline with a growth of 3 instead of 10,000 and no
throughput. No assertion here is about time.
"""

import json

import pytest

from benchmarks.anvil import bench_anvil
from benchmarks.chain import Chain, calldata_gas
from benchmarks.compare import differences
from benchmarks.recorder import Recorder
from benchmarks.report import render, write_json
from benchmarks.run import run
from benchmarks.scenarios import token
from benchmarks.world import World


@pytest.fixture(scope="module")
def results():
    return run(growth_size=3, with_throughput=False)


def _baselines():
    with bench_anvil() as anvil:
        rec = Recorder(World.build(Chain(anvil.client)), "baselines")
        token.measure_baselines(rec)
        return rec.rows


def test_gas_figures__are_positive_integers_split_into_base_calldata_and_execution(results):
    rows = results["gas"]["baselines"] + results["gas"]["functions"]
    assert len(rows) > 100
    for row in rows:
        assert isinstance(row["gas"], int) and row["gas"] > 21_000, row["key"]
        assert row["execution_gas"] == row["gas"] - 21_000 - row["calldata_gas"] > 0, row["key"]


def test_growth__every_probe_operation_costs_the_same_with_1_and_3_items(results):
    rows = results["gas"]["growth"]["rows"]
    assert {"CareStream.create", "CareStream.withdraw", "OutcomeEscrow.createEpisode"} <= {r["key"] for r in rows}
    for row in rows:
        assert row["constant"] and row["execution_gas_at_1"] == row["execution_gas_at_n"], row["key"]
        assert row["gas_at_n"] - row["gas_at_1"] == row["calldata_gas_difference"], row["key"]


def test_baselines__a_new_holder_costs_more_than_an_existing_one(results):
    gas = {r["key"]: r["gas"] for r in results["gas"]["baselines"]}
    assert gas["baseline.transfer.fresh"] > gas["baseline.transfer.existing"]
    assert gas["baseline.approve.fresh"] > gas["baseline.approve.change"]


def test_splits__paying_is_flat_and_claiming_grows_per_recipient(results):
    splits = results["gas"]["splits"]
    assert splits["sizes"][-1] == 32
    assert splits["slope_per_recipient"]["pay"] == 0
    assert splits["slope_per_recipient"]["distribute_later"] > 0


def test_every_state_changing_function_of_the_five_contracts__is_measured(results):
    # FeeForService (from another branch) is measured through pay(); any other function of it is listed.
    assert {c: f for c, f in results["gas"]["not_measured"].items() if c != "FeeForService"} == {}


def test_targets__each_names_its_figure_and_explains_a_miss(results):
    for target in results["gas"]["targets"]:
        assert isinstance(target["carepay"], int)
        assert target["met"] == (target["carepay"] < target["target"])
        assert target["met"] or target["why_missed"]


def test_report__renders_every_section(results, tmp_path):
    write_json(results, tmp_path / "results.json")
    assert json.loads((tmp_path / "results.json").read_text())["gas"] == results["gas"]
    text = render(results)
    for heading in ("## Targets", "## Beating the model systems", "### Where the gas goes", "## Baselines",
                    "## Supervision overhead", "## Growth", "## Splits", "## Every state-changing function",
                    "## Throughput"):
        assert heading in text


def test_figures__repeat_exactly_on_a_second_chain():
    first, second = _baselines(), _baselines()
    assert differences(first, second) == []
    assert first == second


def test_compare__reports_a_changed_figure():
    assert differences({"a": [{"gas": 1}]}, {"a": [{"gas": 2}]}) == ["gas.a[0].gas: 1 != 2"]


def test_calldata_gas__counts_zero_and_non_zero_bytes():
    assert calldata_gas("0x00ff0000") == 4 * 3 + 16


def test_driver_figures__the_drivers_json_is_read_as_flat_figures(tmp_path, monkeypatch):
    from benchmarks import external

    path = tmp_path / "driver.json"
    path.write_text(json.dumps({"ok": True, "payments": {"batch": {"payments": 900, "payments_per_second": 310.5},
                                                         "naive": {"payments": 90, "payments_per_second": 21.0}}}))
    monkeypatch.delenv("CAREPAY_DRIVER_BENCH_CMD", raising=False)
    monkeypatch.setenv("CAREPAY_DRIVER_RESULTS", str(path))
    found = external.driver_throughput()
    assert (found["payments_per_second"], found["naive_payments_per_second"]) == (310.5, 21.0)


def test_breakdown__parts_add_up_to_the_receipt_and_match_the_catalog(results):
    catalog = {r["key"]: r["gas"] for r in results["gas"]["functions"]}
    for row in results["gas"]["breakdown"]:
        parts = row["base_and_calldata"] + sum(c["gas"] for c in row["calls"]) + row["events"] + row["module_own"]
        assert parts - row["refund"] == row["gas"], row["key"]
        assert row["module_own"] > 0, row["key"]  # a negative remainder would mean a part counted twice
        assert row["gas"] == catalog[row["key"]], row["key"]  # the same transaction as the catalog's typical case


def test_breakdown__storage_written_at_creation_is_what_the_layout_documents(results):
    rows = {r["key"]: r for r in results["gas"]["breakdown"]}
    # types/Streams.sol: 4 stream slots; types/Episodes.sol: 3 episode slots; types/Supervision.sol: 2 per reservation.
    assert rows["CareStream.create"]["new_slots"] == 4 + 2
    assert rows["OutcomeEscrow.createEpisode.1_milestone"]["new_slots"] == 3 + 2
    # A withdrawal writes nothing new: the ledger slot is rewritten in place.
    assert rows["CareStream.withdraw"]["new_slots"] == 0


def test_beating_the_models__estimates_fall_step_by_step_and_name_the_first_that_beats(results):
    for analysis in results["gas"]["beating_the_models"]:
        estimates = [analysis["measured"]] + [s["estimate"] for s in analysis["steps"]]
        assert all(later < earlier for earlier, later in zip(estimates, estimates[1:])), analysis["key"]
        first = next((i + 1 for i, e in enumerate(estimates[1:]) if e < analysis["model_gas"]), None)
        assert analysis["beaten_after"] == first, analysis["key"]
        assert analysis["measured"] >= analysis["model_gas"]  # only what is not beaten is analysed
