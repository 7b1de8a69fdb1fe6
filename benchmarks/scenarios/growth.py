"""Growth: every operation measured with 1 and with N (10,000) existing streams, escrows, patients and
institutions. O(1) means equal figures.

The world is built with one of each, a probe (a fixed sequence of operations by a fresh patient, institution
and practitioner, from a UTC day boundary) runs in a snapshot that is then reverted; N - 1 more of each are
created in batches, and the same probe runs again. The probe's parties are the same addresses both times, so
the calldata is identical except for stream and episode ids (2 versus N + 1: one more non-zero byte costs
12 gas more): `execution_gas` (gasUsed - 21,000 - calldata) is the figure that must be equal.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from benchmarks.recorder import Recorder
from benchmarks.world import (BUDGET, DAILY_LIMIT, PROGRAM_ID, REGION, UNIT, World, derived, patient_id)

DAY = 24 * 3600
HOUR = 3600
GROWTH_DEPOSIT = 10 * UNIT


def grow(world: World, extra: int) -> dict[str, float]:
    """Creates `extra` more streams, episodes, patients and institutions; returns seconds per kind."""
    w = world
    reg, seconds = w.regulator, {}

    def timed(kind: str, calls: Callable[[], Any]) -> None:
        start = time.perf_counter()
        w.chain.send_many(calls())
        seconds[kind] = round(time.perf_counter() - start, 1)

    timed("patients", lambda: ((w.admin, reg, reg.data("registerPatient", patient_id(f"growth-{i}"),
                                                        derived("growth-patient", i), PROGRAM_ID, REGION))
                               for i in range(extra)))
    timed("institutions", lambda: ((w.admin, reg, reg.data("registerInstitution", derived("growth-institution", i),
                                                            REGION)) for i in range(extra)))
    # Every grown stream (episode) has the same terms, so the calldata is encoded once.
    create_stream = w.stream.data("create", w.stream_params(deposit=GROWTH_DEPOSIT))
    timed("streams", lambda: ((w.operator, w.stream, create_stream) for _ in range(extra)))
    create_episode = w.escrow.data("createEpisode", w.episode_params(w.terms(milestones=1, amount=GROWTH_DEPOSIT)))
    timed("escrows", lambda: ((w.operator, w.escrow, create_episode) for _ in range(extra)))
    return seconds


def seed(world: World) -> None:
    """The one existing stream and episode of the small world (patient and institution exist already)."""
    world.tx(world.operator, world.stream, "create", world.stream_params(deposit=GROWTH_DEPOSIT))
    world.tx(world.operator, world.escrow, "createEpisode",
             world.episode_params(world.terms(milestones=1, amount=GROWTH_DEPOSIT)))


def probe(rec: Recorder) -> None:
    """The fixed sequence of operations measured in both worlds (keys without a size; the caller prefixes)."""
    w = rec.world
    chain, reg, s, e = w.chain, w.regulator, w.stream, w.escrow
    chain.mine(at=(chain.now // DAY + 1) * DAY)  # a UTC day boundary: the practitioner's day counter starts fresh
    inst, prac = derived("probe-institution", 0), derived("probe-practitioner", 0)
    pid, account = patient_id("probe-patient"), derived("probe-patient", 0)
    m = rec.measure
    m("Regulator.registerInstitution", w.admin, reg, "registerInstitution", inst, REGION, case="new", includes="")
    m("Regulator.setDefaultBudget", w.admin, reg, "setDefaultBudget", PROGRAM_ID, inst, BUDGET, case="new", includes="")
    m("Regulator.registerPractitioner", w.admin, reg, "registerPractitioner", prac, inst, DAILY_LIMIT, case="new",
      includes="")
    m("Regulator.setPayeeApproval", inst, reg, "setPayeeApproval", w.split_id, True, case="new", includes="")
    m("Regulator.registerPatient", w.admin, reg, "registerPatient", pid, account, PROGRAM_ID, REGION, case="new",
      includes="")
    chain.send_many(w.register_patient_calls(pid, account)[1:])  # funds and approvals, not measured
    where = {"patient": pid, "institution": inst, "practitioner": prac}
    stream_id = w.next_stream_id()
    m("CareStream.create.cold", w.operator, s, "create", w.stream_params(**where), case="cold patient and institution",
      includes="")
    m("CareStream.create", w.operator, s, "create", w.stream_params(**where), case="warm", includes="")
    m("CareStream.withdraw.first", w.keeper, s, "withdraw", stream_id, at=chain.now + HOUR, case="first", includes="")
    m("CareStream.withdraw", w.keeper, s, "withdraw", stream_id, at=chain.now + HOUR, case="later", includes="")
    m("CareStream.pause", w.operator, s, "pause", stream_id, case="by the sender", includes="")
    m("CareStream.resume", w.operator, s, "resume", stream_id, at=chain.now + 60, case="by the sender", includes="")
    m("CareStream.topUp", w.operator, s, "topUp", stream_id, 100 * UNIT, at=chain.now + HOUR, case="same period",
      includes="")
    m("CareStream.cancel", w.operator, s, "cancel", stream_id, at=chain.now + HOUR, case="payout and refunds",
      includes="")
    terms = w.terms(milestones=2, patient=pid)
    episode = w.next_episode_id()
    m("OutcomeEscrow.createEpisode", w.operator, e, "createEpisode",
      w.episode_params(terms, institution=inst, practitioner=prac),
      case="2 milestones; the patient's first claim on this service line", includes="")
    m("OutcomeEscrow.attest", w.attestor_a, e, "attest", episode, terms, 0, b"\x51" * 32, case="first", includes="")
    m("OutcomeEscrow.attest.reaching", w.attestor_b, e, "attest", episode, terms, 0, b"\x52" * 32, case="threshold",
      includes="")
    m("OutcomeEscrow.settle", w.keeper, e, "settle", episode, terms, at=chain.now + DAY, case="100% tier", includes="")
    disputed_terms = w.terms(milestones=1, patient=pid)
    disputed = w.next_episode_id()
    w.tx(w.operator, e, "createEpisode", w.episode_params(disputed_terms, institution=inst, practitioner=prac))
    w.tx(w.attestor_a, e, "attest", disputed, disputed_terms, 0, b"\x54" * 32)
    w.tx(w.attestor_b, e, "attest", disputed, disputed_terms, 0, b"\x55" * 32)
    m("OutcomeEscrow.dispute", w.operator, e, "dispute", disputed, disputed_terms, b"\x56" * 32, case="by the fund operator",
      includes="")
    m("OutcomeEscrow.resolve", w.arbiter, e, "resolve", disputed, disputed_terms, 1, b"\x57" * 32, case="50% tier",
      includes="")
    reservation = reg.call(w.node, "reservationCount") + 1
    m("Regulator.reserve", w.module, reg, "reserve", w.claim(50 * UNIT, pid, inst, prac),
      case="by a module account; the patient's first claim on this service line", includes="")
    m("Regulator.topUp", w.module, reg, "topUp", reservation, 0, 0, 20 * UNIT, w.operator, case="same period",
      includes="")
    m("Regulator.commitCharge", w.module, reg, "commitCharge", w.claim(50 * UNIT, pid, inst, prac),
      case="by a module account; same patient and line as the reservation", includes="")
    m("Regulator.release", w.module, reg, "release", reservation, 10 * UNIT, 0, case="partial", includes="")
    m("SplitRouter.pay", w.fund, w.router, "pay", w.split_id, 50 * UNIT, case="later", includes="")
    m("SplitRouter.withdraw", w.keeper, w.router, "withdraw", w.split_id, w.split_recipients[1],
      case="a recipient's first claim",
      includes="")
    m("SplitRouter.distribute", w.keeper, w.router, "distribute", w.split_id, case="3 recipients", includes="")
    if w.ffs is not None:
        from benchmarks.scenarios.fee_for_service import payer  # only with the module
        try:
            m("FeeForService.pay", payer(rec), w.ffs, "pay", w.ffs_payment(50 * UNIT, **where, record=b"\x53" * 32),
              case="after the probe's other claims", includes="")
        except Exception:  # noqa: BLE001 - reported by the catalog; growth goes on without it
            pass


def measure(world: World, size: int) -> dict[str, Any]:
    """Runs the probe with 1 and with `size` existing items; returns rows with both figures."""
    chain = world.chain
    seed(world)
    small = Recorder(world, "growth-1")
    chain.snapshot()
    probe(small)
    chain.revert()
    setup_seconds = grow(world, size - 1)
    large = Recorder(world, f"growth-{size}")
    probe(large)
    rows = []
    for a, b in zip(small.rows, large.rows):
        rows.append({"key": a["key"], "contract": a["contract"], "function": a["function"], "case": a["case"],
                     "gas_at_1": a["gas"], "gas_at_n": b["gas"], "execution_gas_at_1": a["execution_gas"],
                     "execution_gas_at_n": b["execution_gas"], "calldata_gas_difference": b["calldata_gas"] - a["calldata_gas"],
                     "constant": a["execution_gas"] == b["execution_gas"]})
    return {"size": size, "rows": rows, "setup_seconds": setup_seconds}
