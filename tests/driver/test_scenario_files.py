"""Scenario files: every shipped file validates; every mistake is reported with file, line and field."""

from pathlib import Path

import pytest

from carepay.driver import scenario_file
from carepay.errors import ScenarioInvalid

GOOD_PARTIES = """
parties:
  institutions:
    - {name: clinic, region: 310000, budget: 100}
  practitioners:
    - {name: dr, institution: clinic, daily_limit: 5}
  patients:
    - {name: pat, region: 310000, funds: 10}
  splits:
    - {name: team, institution: clinic, shares: {clinic: 60, dr: 40}, residual: clinic}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text("name: test\ntitle: Test\n" + GOOD_PARTIES + body)
    return path


def test_shipped_scenarios_all_load_and_cover_the_five_of_the_issue():
    loaded = [scenario_file.load(p) for p in scenario_file.shipped()]
    assert [s.name for s in loaded] == ["follow-up", "digital-twin", "chronic-care", "supervision", "population"]
    kinds = {step["do"] for s in loaded for step in s.steps}
    assert {"service_payment", "episode_create", "dispute", "resolve", "stream_create", "stream_cancel",
            "freeze", "population"} <= kinds


def test_amounts_become_exact_units(tmp_path):
    path = write(tmp_path, "steps:\n  - {id: a, do: service_payment, patient: pat, practitioner: dr, "
                           "service: VIRTUAL_FOLLOW_UP, charge: 18.123456, split: team}\n")
    step = scenario_file.load(path).steps[0]
    assert step["charge"] == 18_123_456
    assert scenario_file.load(path).parties["splits"][0]["shares"] == {"clinic": 600_000, "dr": 400_000}


def test_resolve_by_number_name_or_file():
    assert scenario_file.resolve("3").name == "3-chronic-care.yaml"
    assert scenario_file.resolve("supervision").name == "4-supervision.yaml"
    with pytest.raises(ScenarioInvalid, match="no scenario named 'nine'; shipped ones: 1-follow-up"):
        scenario_file.resolve("nine")


@pytest.mark.parametrize(
    "body, message",
    [
        ("steps:\n  - {id: a, do: teleport}\n", r"s.yaml:14: steps\[0\].do: unknown step type 'teleport'"),
        ("steps:\n  - {id: a, do: service_payment, patient: pat, practitioner: dr, service: VIRTUAL_FOLLOW_UP, split: team}\n",
         r"s.yaml:14: steps\[0\]: missing field 'charge'"),
        ("steps:\n  - id: a\n    do: service_payment\n    patient: pat\n    practitioner: dr\n    service: VIRTUAL_FOLLOW_UP\n"
         "    split: team\n    charge: 1.0000001\n",
         r"s.yaml:20: steps\[0\].charge: expected an amount in CareUSD with at most 6 decimals"),
        ("steps:\n  - {id: a, do: advance_time, days: 1}\n  - {id: a, do: advance_time, days: 2}\n",
         r"s.yaml:15: steps\[1\].id: id 'a' is already used by steps\[0\]"),
        ("steps:\n  - {id: a, do: stream_withdraw, stream: ghost}\n",
         r"s.yaml:14: steps\[0\].stream: stream 'ghost' is not created by an earlier step"),
        ("steps:\n  - {id: a, do: service_payment, patient: nobody, practitioner: dr, service: X, charge: 1, split: team}\n",
         r"steps\[0\].patient: unknown patient 'nobody'; declare it under parties.patients"),
        ("steps:\n  - {id: a, do: advance_time, days: 1, colour: blue}\n", r"steps\[0\].colour: unknown field"),
        ("steps:\n  - {id: a, do: advance_time}\n", r"steps\[0\]: give days, hours, seconds or to: next_period"),
        ("steps:\n  - {id: a, do: freeze, institution: clinic, patient: pat}\n", r"name exactly one of institution"),
        ("steps: []\n", r"steps: expected a non-empty list of steps"),
        ("steps:\n  - {id: a, do: advance_time, days: 1\n", r"s.yaml:\d+: not valid YAML"),
    ],
)
def test_invalid_steps_name_file_line_and_field(tmp_path, body, message):
    with pytest.raises(ScenarioInvalid, match=message):
        scenario_file.load(write(tmp_path, body))


def test_party_mistakes(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("name: t\ntitle: T\nparties:\n  splits:\n    - {name: s, institution: nowhere, shares: {a: 50, b: 40}, residual: a}\n"
                    "steps:\n  - {id: a, do: advance_time, days: 1}\n")
    with pytest.raises(ScenarioInvalid, match=r"p.yaml:5: parties.splits\[0\].shares: shares add up to 90.0%, not 100%"):
        scenario_file.load(path)
    path.write_text("name: t\ntitle: T\ntitle: U\nsteps: []\n")
    with pytest.raises(ScenarioInvalid, match=r"p.yaml:3: title: appears twice"):
        scenario_file.load(path)
    with pytest.raises(ScenarioInvalid, match=r"no such scenario file"):
        scenario_file.load(tmp_path / "missing.yaml")
