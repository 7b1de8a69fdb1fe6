"""The population scenario: many patients, institutions and practitioners over a simulated year.

Parties are generated from the scenario's `population` numbers (overridable with `--set`). Each day's
follow-up payments (every patient visits every `visit_every_days` days) go out as one batch mined in
one block at that day's 09:00 UTC; every `chronic_every`-th patient also has a year-long care stream
(withdrawn monthly) and every `episode_every`-th an outcome escrow attested and settled mid-year. The
day after, the supervisor freezes inst-0 for the day: its claims are refused (checked, not sent), an
online first visit is refused as not covered, the other institutions are paid as usual. The
first `naive_days` days are sent one transaction at a time, for comparison; both rates are reported.
Step ids are `day-<n>`, `streams`, `outcomes-*`, `withdraw-<n>`: stable, so a re-run resumes.
"""

from __future__ import annotations

import time
from typing import Any

from carepay import codes
from carepay.driver import config
from carepay.driver.abi import contract_abi
from carepay.driver.engine import DAY, Engine, PaymentStats, ScenarioFailed, hex_values, payment_tx, terms_from_json
from carepay.errors import DeploymentMissing
from carepay.sender import Sent, Tx

DEFAULTS = {
    "patients": 60, "institutions": 3, "practitioners": 6, "days": 365, "visit_every_days": 7,
    "charge": 30 * config.UNIT, "chronic_every": 10, "episode_every": 15, "naive_days": 7,
}
STREAM_DEPOSIT = 1_200 * config.UNIT
BONUS = 200 * config.UNIT


def settings(scenario: Any) -> dict[str, int]:
    values = {**DEFAULTS, **scenario.population}
    for key in ("patients", "institutions", "practitioners", "days", "visit_every_days"):
        values[key] = max(1, values[key])
    return values


def expand_parties(scenario: Any) -> None:
    """Adds the generated parties to the scenario (once)."""
    if scenario.parties.get("_population"):
        return
    s = settings(scenario)
    p = scenario.parties
    p["institutions"] += [{"name": f"inst-{i}", "region": config.SHANGHAI, "budget": 10_000_000 * config.UNIT}
                          for i in range(s["institutions"])]
    p["practitioners"] += [{"name": f"dr-{j}", "institution": f"inst-{j % s['institutions']}", "daily_limit": 100_000}
                           for j in range(s["practitioners"])]
    p["patients"] += [{"name": f"pat-{k}", "region": config.SHANGHAI, "funds": 5_000 * config.UNIT}
                      for k in range(s["patients"])]
    p["accounts"] += ["outcome-lab"]
    p["splits"] += [{"name": f"team-dr-{j}", "institution": f"inst-{j % s['institutions']}",
                     "shares": {f"inst-{j % s['institutions']}": 800_000, f"dr-{j}": 200_000},
                     "residual": f"inst-{j % s['institutions']}"} for j in range(s["practitioners"])]
    p["_population"] = True


def run_population(engine: Engine, step: dict[str, Any]) -> None:
    s = settings(engine.scenario)
    if "FeeForService" not in engine.addresses:
        raise DeploymentMissing(
            f"the population pays fee-for-service, but FeeForService is not deployed on {engine.chain.name!r}; "
            "add contracts/FeeForService.sol, `make compile`, then `carepay deploy`"
        )
    ffs, stream, escrow = contract_abi("FeeForService"), contract_abi("CareStream"), contract_abi("OutcomeEscrow")
    start = engine.journal.result("setup:clock")["start"]
    prefix = step["id"]
    chronic = [k for k in range(s["patients"]) if k % s["chronic_every"] == 0] if s["chronic_every"] else []
    bonus = [k for k in range(s["patients"]) if k % s["episode_every"] == 0] if s["episode_every"] else []
    mid = s["days"] // 2

    clock = [engine.sender.latest_timestamp()]  # the chain's time, followed locally: one request less per day

    def at(day: int, hour: int) -> int:
        clock[0] = max(start + day * DAY + hour * 3600, clock[0] + 1)
        return clock[0]

    def practitioner(k: int) -> tuple[str, str, str]:
        j = k % s["practitioners"]
        return f"dr-{j}", f"inst-{j % s['institutions']}", f"team-dr-{j}"

    stream_ids: list[int] = []
    episodes: list[dict[str, Any]] = []

    def open_streams() -> None:
        ts = at(0, 2)

        def build() -> list[Tx]:
            txs = []
            for k in chronic:
                dr, inst, team = practitioner(k)
                seconds = s["days"] * DAY
                params = (engine.program_id, engine.patient_ids[f"pat-{k}"], engine.parties[inst], engine.parties[dr],
                          codes.service_type(codes.CHRONIC_CARE), engine.splits[team], STREAM_DEPOSIT * 10**18 // seconds,
                          0, ts + seconds, STREAM_DEPOSIT)
                txs.append(Tx(engine.fund, engine.addresses["CareStream"], stream.fn("create").encode(params), label=f"stream for pat-{k}"))
            return txs

        result = engine.transact(f"{prefix}:streams", build, lambda sent: {"stream_ids": [
            e["streamId"] for x in sent for e in stream.find_events("StreamCreated", x.logs)]}, timestamp=ts)
        stream_ids.extend(result["stream_ids"])

    def open_outcomes() -> None:
        ts = at(0, 3)
        lab = engine.parties["outcome-lab"]
        terms_of: list[tuple] = []

        def build() -> list[Tx]:
            txs = []
            terms_of.clear()
            for k in bonus:
                dr, inst, team = practitioner(k)
                terms = (engine.program_id, engine.patient_ids[f"pat-{k}"], engine.splits[team],
                         [(BONUS, ts + (mid + 10) * DAY)], ([lab], 1, [10_000, 0], 2 * DAY, 7 * DAY))
                terms_of.append(terms)
                params = (engine.parties[inst], engine.parties[dr], codes.service_type(codes.OUTCOME_BONUS), terms)
                txs.append(Tx(engine.fund, engine.addresses["OutcomeEscrow"], escrow.fn("createEpisode").encode(params), label=f"outcome escrow for pat-{k}"))
            return txs

        def interpret(sent: list[Sent]) -> dict[str, Any]:
            ids = [e["episodeId"] for x in sent for e in escrow.find_events("EpisodeCreated", x.logs)]
            return {"episodes": [{"episode_id": i, "terms": hex_values(t)} for i, t in zip(ids, terms_of)]}

        result = engine.transact(f"{prefix}:outcomes", build, interpret, timestamp=ts)
        episodes.extend({"episode_id": e["episode_id"], "terms": terms_from_json(e["terms"])} for e in result["episodes"])

    def episode_calls(step_id: str, fn: str, who: str, extra: tuple, ts: int) -> None:
        engine.transact(step_id, lambda: [
            Tx(who, engine.addresses["OutcomeEscrow"], escrow.fn(fn).encode(e["episode_id"], e["terms"], *extra), label=f"{step_id} {e['episode_id']}")
            for e in episodes], timestamp=ts)

    def pay_day(day: int, closed: str | None = None) -> None:
        visitors = [k for k in range(s["patients"]) if (k + day) % s["visit_every_days"] == 0 and practitioner(k)[1] != closed]
        if not visitors:
            return
        step_id = f"{prefix}:day-{day}"
        if engine.journal.done(step_id):
            engine.transact(step_id, lambda: [], None)
            return
        ts = at(day, 1)
        mode = "naive" if day < s["naive_days"] else "batch"

        def build() -> list[Tx]:
            txs = []
            for k in visitors:
                dr, inst, team = practitioner(k)
                txs.append(payment_tx(engine, ffs, f"pat-{k}", engine.parties[inst], engine.parties[dr], codes.VIRTUAL_FOLLOW_UP,
                                      team, s["charge"], f"{step_id}/pat-{k}", engine.parties[f"pat-{k}"]))
            return txs

        previous = engine.sender.mode
        engine.sender.mode = mode
        began = time.perf_counter()
        gas_before = engine.outcome.gas
        try:
            engine.transact(step_id, build, lambda sent: {"payments": len(sent)}, timestamp=ts)
        finally:
            engine.sender.mode = previous
        stats = engine.outcome.payments.setdefault(mode, PaymentStats())
        stats.payments += len(visitors)
        stats.seconds += time.perf_counter() - began
        stats.gas += engine.outcome.gas - gas_before

    frozen_day = mid + 1  # the supervisor freezes inst-0 for a day: its claims are refused, the rest go on
    reg = contract_abi("Regulator")

    def set_frozen(day: int, frozen: bool, hour: int) -> None:
        data = reg.fn("setInstitutionFrozen").encode(engine.parties["inst-0"], frozen)
        engine.transact(f"{prefix}:{'freeze' if frozen else 'unfreeze'}-inst-0", lambda: [
            Tx(engine.supervisor, engine.addresses["Regulator"], data, label=f"freeze={frozen} inst-0")], timestamp=at(day, hour))

    def expect_refusal(step_id: str, tx: Tx, expected: str) -> None:
        step_id = f"{prefix}:{step_id}"
        if not engine.journal.done(step_id):
            reason = engine.sender.revert_of(tx)
            if reason is None or reason.split("(")[0] != expected:
                raise ScenarioFailed(f"population step {step_id!r} expected {expected}, got {reason or 'success'}")
            engine.journal.record(step_id, {"refused": reason})
        engine.outcome.refusals.append({"step": step_id, "error": engine.journal.result(step_id)["refused"]})

    def supervision_day(day: int) -> None:
        set_frozen(day, True, 0)
        dr, inst, team = practitioner(0)
        refused = payment_tx(engine, ffs, "pat-0", engine.parties[inst], engine.parties[dr], codes.VIRTUAL_FOLLOW_UP, team,
                             s["charge"], f"{prefix}:frozen/pat-0", engine.parties["pat-0"])
        expect_refusal("refused-while-frozen", refused, "Regulator_InstitutionFrozen")
        open_elsewhere = [k for k in range(s["patients"]) if practitioner(k)[1] != "inst-0"]
        if open_elsewhere:  # an online first visit at an open institution: not covered
            k = open_elsewhere[0]
            dr, inst, team = practitioner(k)
            first_visit = payment_tx(engine, ffs, f"pat-{k}", engine.parties[inst], engine.parties[dr], codes.VIRTUAL_FIRST_VISIT,
                                     team, s["charge"], f"{prefix}:first-visit", engine.parties[f"pat-{k}"])
            expect_refusal("first-visit-refused", first_visit, "Regulator_ServiceNotCovered")
        pay_day(day, closed="inst-0")
        set_frozen(day, False, 7)

    if chronic:
        open_streams()
    if bonus:
        open_outcomes()
    for day in range(s["days"]):
        if day == frozen_day:
            supervision_day(day)
        else:
            pay_day(day)
        if bonus and day == mid:
            lab = engine.parties["outcome-lab"]
            episode_calls(f"{prefix}:outcomes-attested", "attest", lab, (0, b"\x01" * 32), at(day, 4))
        if bonus and day == mid + 3:
            episode_calls(f"{prefix}:outcomes-settled", "settle", engine.admin, (), at(day, 5))
        if stream_ids and day % 30 == 29 and day != frozen_day:
            engine.transact(f"{prefix}:withdraw-{day}", lambda: [
                Tx(engine.admin, engine.addresses["CareStream"], stream.fn("withdraw").encode(i), label=f"withdraw stream {i}")
                for i in stream_ids], timestamp=at(day, 6))
