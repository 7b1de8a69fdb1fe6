"""Scenario files: YAML data validated on load, every problem reported with file, line and field.

A scenario has a `name`, a `title`, optional `parties` (institutions, practitioners, patients, plain
accounts such as attestors, and care-team splits), optional `population` parameters, and `steps`: each
step has a stable `id` (the run journal recognises it across runs), a `do` (its type) and the fields
of that type. Amounts are CareUSD with up to 6 decimals (`12.50`); times are days, hours or seconds.
See scenarios/README.md for every step type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from carepay import codes
from carepay.driver.config import UNIT
from carepay.errors import ScenarioInvalid

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SCENARIO_DIR = Path(__file__).resolve().parent.parent.parent / "scenarios"
ROLES = ("patient", "fund")

# Field kinds: name, amount, int, number, bool, str, service, role, names, tiers, milestones, period.
STEP_FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "advance_time": {"days": ("number", False), "hours": ("number", False), "seconds": ("int", False),
                     "to": ("str", False)},
    "service_payment": {"patient": ("name", True), "practitioner": ("name", True), "service": ("service", True),
                        "charge": ("amount", True), "split": ("name", True), "initiator": ("role", False),
                        "repeat": ("int", False)},
    "stream_create": {"stream": ("name", True), "patient": ("name", True), "practitioner": ("name", True),
                      "service": ("service", True), "split": ("name", True), "deposit": ("amount", True),
                      "days": ("int", True), "initiator": ("role", False)},
    "stream_top_up": {"stream": ("name", True), "charge": ("amount", True), "by": ("role", False)},
    "stream_withdraw": {"stream": ("name", True)},
    "stream_pause": {"stream": ("name", True), "by": ("role", False)},
    "stream_resume": {"stream": ("name", True), "by": ("role", False)},
    "stream_cancel": {"stream": ("name", True), "by": ("role", False)},
    "episode_create": {"episode": ("name", True), "patient": ("name", True), "practitioner": ("name", True),
                       "service": ("service", True), "split": ("name", True), "milestones": ("milestones", True),
                       "attestors": ("names", True), "threshold": ("int", True), "tiers": ("tiers", True),
                       "challenge_days": ("number", True), "arbitration_days": ("number", True),
                       "initiator": ("role", False)},
    "attest": {"episode": ("name", True), "attestors": ("names", True), "tier": ("int", True), "evidence": ("str", False)},
    "dispute": {"episode": ("name", True), "by": ("role", False), "reason": ("str", False)},
    "resolve": {"episode": ("name", True), "tier": ("int", True), "evidence": ("str", False)},
    "settle": {"episode": ("name", True)},
    "refund_expired": {"episode": ("name", True)},
    "freeze": {"institution": ("name", False), "practitioner": ("name", False), "patient": ("name", False)},
    "unfreeze": {"institution": ("name", False), "practitioner": ("name", False), "patient": ("name", False)},
    "set_budget": {"institution": ("name", True), "amount": ("amount", True), "period": ("period", False)},
    "distribute": {"split": ("name", True)},
    "population": {},
}
COMMON_FIELDS = {"id": ("str", True), "do": ("str", True), "expect_error": ("str", False), "note": ("str", False)}
PARTY_FIELDS = {
    "institutions": {"name": ("name", True), "region": ("int", True), "budget": ("amount", True)},
    "practitioners": {"name": ("name", True), "institution": ("name", True), "daily_limit": ("int", True)},
    "patients": {"name": ("name", True), "region": ("int", True), "funds": ("amount", True)},
    "splits": {"name": ("name", True), "institution": ("name", True), "shares": ("shares", True),
               "residual": ("name", True)},
}
POPULATION_FIELDS = {
    "patients": ("int", False), "institutions": ("int", False), "practitioners": ("int", False),
    "days": ("int", False), "visit_every_days": ("int", False), "charge": ("amount", False),
    "chronic_every": ("int", False), "episode_every": ("int", False), "naive_days": ("int", False),
}
TOP_FIELDS = {"name": ("name", True), "title": ("str", True), "description": ("str", False),
              "parties": ("mapping", False), "population": ("mapping", False), "steps": ("steps", True)}


@dataclass
class Scenario:
    name: str
    title: str
    description: str
    source: Path
    parties: dict[str, Any]
    steps: list[dict[str, Any]]
    population: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # step id -> line


class _Doc:
    """Plain data from a YAML node tree, with the line of every path, for messages."""

    def __init__(self, source: Path):
        self.source = source
        self.lines: dict[tuple, int] = {}
        self._constructor = yaml.SafeLoader("")

    def error(self, path: tuple, problem: str) -> ScenarioInvalid:
        line = self.lines.get(path)
        while line is None and path:
            path = path[:-1]
            line = self.lines.get(path)
        where = f"{self.source}:{line or 1}"
        field_name = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
        return ScenarioInvalid(f"{where}: {field_name or 'file'}: {problem}")

    def data(self, node: yaml.Node, path: tuple = ()) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(self._constructor.construct_object(key_node))
                if key in out:
                    self.lines[path + (key,)] = key_node.start_mark.line + 1
                    raise self.error(path + (key,), "appears twice")
                out[key] = self.data(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.data(child, path + (i,)) for i, child in enumerate(node.value)]
        return self._constructor.construct_object(node)


def parse_amount(value: Any) -> int | None:
    """CareUSD amount -> integer units, exactly; None when not an amount with at most 6 decimals."""
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    units = amount * UNIT
    if not amount.is_finite() or amount < 0 or units != units.to_integral_value():
        return None
    return int(units)


def _check(doc: _Doc, path: tuple, kind: str, value: Any) -> Any:
    def fail(expected: str) -> ScenarioInvalid:
        return doc.error(path, f"expected {expected}, got {value!r}")

    if kind == "name":
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            raise fail("a name of letters, digits, '-', '_' or '.' (at most 64)")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value:
            raise fail("a non-empty text")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail("a whole number >= 0")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail("a number >= 0")
        return value
    if kind == "amount":
        units = parse_amount(value)
        if units is None:
            raise fail("an amount in CareUSD with at most 6 decimals, e.g. 12.50")
        return units
    if kind == "service":
        try:
            codes.service_type(str(value))
        except ValueError:
            raise fail("a service type code of 1 to 32 ASCII characters, e.g. VIRTUAL_FOLLOW_UP") from None
        return str(value)
    if kind == "role":
        if value not in ROLES:
            raise fail(f"one of {', '.join(ROLES)}")
        return value
    if kind == "period":
        if value not in ("current", "next"):
            raise fail("current or next")
        return value
    if kind == "mapping":
        if not isinstance(value, dict):
            raise fail("a mapping of fields")
        return value
    if kind == "names":
        if not isinstance(value, list) or not value:
            raise fail("a non-empty list of names")
        return [_check(doc, path + (i,), "name", v) for i, v in enumerate(value)]
    if kind == "tiers":
        if not isinstance(value, list) or not value:
            raise fail("a list of payout percentages, e.g. [100, 50, 0]")
        out = []
        for i, v in enumerate(value):
            pct = _check(doc, path + (i,), "number", v)
            if pct > 100 or (pct * 100) != int(pct * 100):
                raise doc.error(path + (i,), f"expected a percentage 0..100 with at most 2 decimals, got {v!r}")
            out.append(int(round(pct * 100)))
        return out
    if kind == "shares":
        if not isinstance(value, dict) or not value:
            raise fail("a mapping of party name to percentage")
        out = {}
        for member, pct in value.items():
            _check(doc, path + (member,), "name", member)
            pct = _check(doc, path + (member,), "number", pct)
            if pct <= 0 or (pct * 10_000) != int(pct * 10_000):
                raise doc.error(path + (member,), f"expected a percentage > 0 with at most 4 decimals, got {pct!r}")
            out[member] = int(round(pct * 10_000))  # on the router's 1e6 scale
        if sum(out.values()) != 1_000_000:
            raise doc.error(path, f"shares add up to {sum(out.values()) / 10_000}%, not 100%")
        return out
    if kind == "milestones":
        if not isinstance(value, list) or not value:
            raise fail("a list of milestones, each {amount, due_days}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise doc.error(path + (i,), "expected {amount, due_days}")
            _fields(doc, path + (i,), item, {"amount": ("amount", True), "due_days": ("number", True)})
            out.append(item)
        return out
    raise AssertionError(kind)


def _fields(doc: _Doc, path: tuple, data: dict[str, Any], spec: dict[str, tuple[str, bool]]) -> None:
    """Checks and converts `data` in place against `spec`; unknown and missing fields are errors."""
    for key in data:
        if key not in spec:
            raise doc.error(path + (key,), f"unknown field; expected one of {', '.join(sorted(spec))}")
    for key, (kind, required) in spec.items():
        if key not in data:
            if required:
                raise doc.error(path, f"missing field {key!r}")
            continue
        data[key] = _check(doc, path + (key,), kind, data[key])


def _check_parties(doc: _Doc, parties: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"institutions": [], "practitioners": [], "patients": [], "accounts": [], "splits": []}
    for key, value in parties.items():
        path = ("parties", key)
        if key == "accounts":
            out["accounts"] = _check(doc, path, "names", value)
            continue
        if key not in PARTY_FIELDS:
            raise doc.error(path, f"unknown party kind; expected one of accounts, {', '.join(PARTY_FIELDS)}")
        if not isinstance(value, list):
            raise doc.error(path, "expected a list")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise doc.error(path + (i,), "expected a mapping of fields")
            _fields(doc, path + (i,), item, PARTY_FIELDS[key])
        out[key] = value
    names: dict[str, str] = {}
    for kind in ("institutions", "practitioners", "patients", "accounts"):
        for i, item in enumerate(out[kind]):
            name = item if isinstance(item, str) else item["name"]
            if name in names:
                raise doc.error(("parties", kind, i), f"party {name!r} is declared twice")
            names[name] = kind
    institutions = {i["name"] for i in out["institutions"]}
    for i, item in enumerate(out["practitioners"]):
        if item["institution"] not in institutions:
            raise doc.error(("parties", "practitioners", i, "institution"), f"unknown institution {item['institution']!r}")
    for i, item in enumerate(out["splits"]):
        if item["institution"] not in institutions:
            raise doc.error(("parties", "splits", i, "institution"), f"unknown institution {item['institution']!r}")
        if item["residual"] not in item["shares"]:
            raise doc.error(("parties", "splits", i, "residual"), f"{item['residual']!r} is not one of the shares")
    return out


def _check_references(doc: _Doc, scenario: Scenario) -> None:
    kinds = {"patient": "patients", "practitioner": "practitioners", "institution": "institutions", "split": "splits"}
    known = {kind: {p["name"] for p in scenario.parties[plural]} for kind, plural in kinds.items()}
    accounts = set(scenario.parties["accounts"])
    handles = {"stream": set(), "episode": set()}
    for index, step in enumerate(scenario.steps):
        path = ("steps", index)
        for kind in kinds:
            if kind in step and step[kind] not in known[kind]:
                raise doc.error(path + (kind,), f"unknown {kind} {step[kind]!r}; declare it under parties.{kinds[kind]}")
        for i, name in enumerate(step.get("attestors", [])):
            if name not in accounts:
                raise doc.error(path + ("attestors", i), f"unknown account {name!r}; declare it under parties.accounts")
        for handle in handles:
            if handle not in step:
                continue
            if step["do"] == f"{handle}_create":
                handles[handle].add(step[handle])
            elif step[handle] not in handles[handle]:
                raise doc.error(path + (handle,), f"{handle} {step[handle]!r} is not created by an earlier step")
        if step["do"] in ("freeze", "unfreeze") and sum(k in step for k in ("institution", "practitioner", "patient")) != 1:
            raise doc.error(path, "name exactly one of institution, practitioner or patient")
        if step["do"] == "advance_time":
            if step.get("to") not in (None, "next_period"):
                raise doc.error(path + ("to",), f"expected next_period, got {step['to']!r}")
            if not any(k in step for k in ("days", "hours", "seconds", "to")):
                raise doc.error(path, "give days, hours, seconds or to: next_period")
        if step["do"] == "population" and not scenario.population:
            raise doc.error(path, "a population step needs a top-level `population` section")


def load(source: str | Path) -> Scenario:
    """Loads and validates a scenario file; ScenarioInvalid names file, line and field on any problem."""
    path = Path(source)
    if not path.exists():
        raise ScenarioInvalid(f"{path}: no such scenario file; `carepay scenario list` shows the shipped ones")
    doc = _Doc(path)
    try:
        root = yaml.compose(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ScenarioInvalid(f"{path}:{line}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if root is None:
        raise ScenarioInvalid(f"{path}:1: the file is empty")
    data = doc.data(root)
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping with name, title and steps")
    for key in data:
        if key not in TOP_FIELDS:
            raise doc.error((key,), f"unknown field; expected one of {', '.join(sorted(TOP_FIELDS))}")
    for key, (kind, required) in TOP_FIELDS.items():
        if key not in data:
            if required:
                raise doc.error((), f"missing field {key!r}")
        elif kind != "steps":
            data[key] = _check(doc, (key,), kind, data[key])
    steps = data["steps"]
    if not isinstance(steps, list) or not steps:
        raise doc.error(("steps",), "expected a non-empty list of steps")
    seen: dict[str, int] = {}
    for index, step in enumerate(steps):
        where = ("steps", index)
        if not isinstance(step, dict):
            raise doc.error(where, "expected a step: a mapping with id, do and its fields")
        kind = step.get("do")
        if kind not in STEP_FIELDS:
            raise doc.error(where + ("do",), f"unknown step type {kind!r}; expected one of {', '.join(STEP_FIELDS)}")
        _fields(doc, where, step, COMMON_FIELDS | STEP_FIELDS[kind])
        if not ID_PATTERN.match(step["id"]):
            raise doc.error(where + ("id",), "expected an id of letters, digits, '-', '_' or '.'")
        if step["id"] in seen:
            raise doc.error(where + ("id",), f"id {step['id']!r} is already used by steps[{seen[step['id']]}]")
        seen[step["id"]] = index
    population = data.get("population", {})
    _fields(doc, ("population",), population, POPULATION_FIELDS)
    scenario = Scenario(
        name=data["name"], title=data["title"], description=data.get("description", ""), source=path,
        parties=_check_parties(doc, data.get("parties", {})), steps=steps, population=population,
        lines={s["id"]: doc.lines[("steps", i)] for i, s in enumerate(steps)},
    )
    _check_references(doc, scenario)
    return scenario


def shipped() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.yaml"))


def resolve(name_or_file: str) -> Path:
    """A shipped scenario by name (`follow-up` or `1`) or a path to a file."""
    candidate = Path(name_or_file)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    for path in shipped():
        stem = path.stem
        number, _, rest = stem.partition("-")
        if name_or_file in (stem, rest, number, number.lstrip("0")):
            return path
    names = ", ".join(p.stem for p in shipped())
    raise ScenarioInvalid(f"no scenario named {name_or_file!r}; shipped ones: {names} (or give a .yaml file)")
