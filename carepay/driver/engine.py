"""Runs a scenario on a devnet: sets its parties up, then its steps, each once (see journal.py).

Every party of a scenario gets an address derived from the run's name and the party's name, so each
run has its own institutions (budgets), practitioners (daily limits) and patients; the devnet
impersonates them. A step with `expect_error` is checked with eth_call: it must revert with that
custom error, and nothing is sent, so nothing is paid.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from eth_utils import keccak

from carepay import codes
from carepay.chain import Chain
from carepay.driver import config
from carepay.driver.abi import contract_abi
from carepay.driver.journal import Journal
from carepay.driver.scenario_file import Scenario
from carepay.errors import CarePayError, DeploymentMissing
from carepay.manifest import Manifest
from carepay.sender import Sender, Sent, Tx

DAY = 86_400
MORNING = 8 * 3600  # scenarios start at 08:00 UTC, so a day's steps stay inside one UTC day


class ScenarioFailed(CarePayError):
    """A step did not do what the scenario says (an expected refusal went through, or the reverse)."""


@dataclass
class PaymentStats:
    payments: int = 0
    seconds: float = 0.0
    gas: int = 0

    def to_dict(self) -> dict[str, Any]:
        rate = self.payments / self.seconds if self.seconds else 0.0
        return {"payments": self.payments, "seconds": round(self.seconds, 3), "payments_per_second": round(rate, 1),
                "gas": self.gas, "gas_per_payment": self.gas // self.payments if self.payments else 0}


@dataclass
class Outcome:
    scenario: str
    run: str
    steps_run: int = 0
    steps_skipped: int = 0
    transactions: int = 0
    gas: int = 0
    seconds: float = 0.0
    refusals: list[dict[str, str]] = field(default_factory=list)
    payments: dict[str, PaymentStats] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)
    from_block: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "run": self.run, "steps_run": self.steps_run,
            "steps_skipped": self.steps_skipped, "transactions": self.transactions, "gas": self.gas,
            "seconds": round(self.seconds, 3), "refusals": self.refusals,
            "payments": {mode: stats.to_dict() for mode, stats in self.payments.items()},
            "steps_forgotten_after_chain_rollback": self.forgotten,
        }


def hex_values(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, (list, tuple)):
        return [hex_values(v) for v in value]
    return value


def terms_from_json(terms: list[Any]) -> tuple:
    program_id, patient_id, split_id, milestones, outcome = terms
    attestors, threshold, tiers, challenge, arbitration = outcome
    return (program_id, bytes.fromhex(patient_id[2:]), bytes.fromhex(split_id[2:]),
            [tuple(m) for m in milestones], (list(attestors), threshold, list(tiers), challenge, arbitration))


class Engine:
    def __init__(self, chain: Chain, manifest: Manifest, sender: Sender, scenario: Scenario, run: str,
                 progress: Callable[[str], None] | None = None, tick: Callable[[int], None] | None = None):
        chain.require_devnet("running a scenario (it acts as every party through impersonation)")
        if "program_id" not in manifest.configuration:
            raise DeploymentMissing(
                f"the deployment on {chain.name!r} has no insurance program (deployed without a devnet?); "
                "run `carepay deploy` on a devnet"
            )
        self.chain, self.manifest, self.sender, self.scenario, self.run = chain, manifest, sender, scenario, run
        self.journal = Journal(chain.folder, run, sender)
        self.progress = progress or (lambda message: None)
        self.tick = tick or (lambda n: None)
        self.addresses = manifest.addresses()
        self.program_id: int = manifest.configuration["program_id"]
        roles = manifest.configuration["roles"]
        self.admin, self.fund = roles["admin"], roles["fund"]
        self.supervisor, self.arbiter = roles["supervisor"], roles["arbiter"]
        self.parties: dict[str, str] = {}
        self.patient_ids: dict[str, bytes] = {}
        self.splits: dict[str, bytes] = {}
        self.streams: dict[str, dict[str, Any]] = {}
        self.episodes: dict[str, dict[str, Any]] = {}
        self.institution_of: dict[str, str] = {}
        self.outcome = Outcome(scenario=scenario.name, run=run)
        if scenario.population:
            from carepay.driver.population import expand_parties

            expand_parties(scenario)
        self._name_parties()

    # ---- parties ----------------------------------------------------------------------------------

    def _name_parties(self) -> None:
        p = self.scenario.parties
        for kind in ("institutions", "practitioners", "patients"):
            for item in p[kind]:
                self.parties[item["name"]] = config.party_address(f"{self.run}/{item['name']}")
        for name in p["accounts"]:
            self.parties[name] = config.party_address(f"{self.run}/{name}")
        for item in p["patients"]:
            self.patient_ids[item["name"]] = config.patient_id(f"{self.run}/{item['name']}")
        for item in p["practitioners"]:
            self.institution_of[item["name"]] = item["institution"]
        self.parties.update({"admin": self.admin, "fund": self.fund, "supervisor": self.supervisor, "arbiter": self.arbiter})

    def member_address(self, name: str) -> str:
        return self.parties.get(name) or config.party_address(f"{self.run}/{name}")

    def split_layout(self, split: dict[str, Any]) -> tuple[list[str], list[int], int]:
        members = sorted(split["shares"], key=lambda n: int(self.member_address(n), 16))
        recipients = [self.member_address(n) for n in members]
        return recipients, [split["shares"][n] for n in members], members.index(split["residual"])

    def _address(self, name: str) -> str:
        if name not in self.addresses:
            raise DeploymentMissing(
                f"this step needs {name}, which the deployment on {self.chain.name!r} lacks; "
                "compile it (`make compile`) and re-run `carepay deploy`"
            )
        return self.addresses[name]

    def modules(self) -> list[str]:
        return [self.addresses[m] for m in ("CareStream", "OutcomeEscrow", "FeeForService") if m in self.addresses]

    # ---- running --------------------------------------------------------------------------------

    def run_all(self) -> Outcome:
        started = time.perf_counter()
        self.outcome.forgotten = self.journal.reconcile()
        self.outcome.from_block = self.journal.meta.get("from_block") or int(self.sender.rpc("eth_blockNumber", []), 16)
        self.journal.set_meta(scenario=self.scenario.name, source=str(self.scenario.source), from_block=self.outcome.from_block)
        self._setup()
        steps = list(self.scenario.steps)
        for step in steps:
            if step["do"] == "population":
                from carepay.driver.population import run_population

                run_population(self, step)
            else:
                self.step(step)
        self.sender.set_automine(True)
        self.outcome.seconds = time.perf_counter() - started
        self.journal.mark_complete(self.outcome.to_dict())
        return self.outcome

    def _count(self, sent: list[Sent], skipped: bool) -> None:
        if skipped:
            self.outcome.steps_skipped += 1
        else:
            self.outcome.steps_run += 1
            self.outcome.transactions += len(sent)
            self.outcome.gas += sum(s.gas_used for s in sent)
        self.tick(1)

    def transact(self, step_id: str, build: Callable[[], list[Tx]],
                 interpret: Callable[[list[Sent]], dict[str, Any]] | None = None,
                 timestamp: int | None = None) -> dict[str, Any]:
        skipped = self.journal.done(step_id)
        result, sent = self.journal.run_step(step_id, build, interpret or (lambda s: {}), timestamp)
        self._count(sent, skipped)
        return result

    def _setup(self) -> None:
        p, reg, tok = self.scenario.parties, contract_abi("Regulator"), contract_abi("CareUSD")
        regulator, token = self.addresses["Regulator"], self.addresses["CareUSD"]
        acting = [self.parties[i["name"]] for i in p["institutions"] + p["patients"]] + [self.parties[a] for a in p["accounts"]]
        if acting:  # gas money for impersonated parties: idempotent, so done on every run
            self.sender.rpc_batch([("anvil_setBalance", [a, hex(config.PARTY_GAS_ETH)]) for a in acting])

        def registry() -> list[Tx]:
            txs = []
            for item in p["institutions"]:
                who = self.parties[item["name"]]
                txs.append(Tx(self.admin, regulator, reg.fn("registerInstitution").encode(who, item["region"]), label=f"register {item['name']}"))
                txs.append(Tx(self.admin, regulator, reg.fn("setDefaultBudget").encode(self.program_id, who, item["budget"]), label=f"budget {item['name']}"))
            for item in p["practitioners"]:
                txs.append(Tx(self.admin, regulator, reg.fn("registerPractitioner").encode(
                    self.parties[item["name"]], self.parties[item["institution"]], item["daily_limit"]), label=f"register {item['name']}"))
            for item in p["patients"]:
                txs.append(Tx(self.admin, regulator, reg.fn("registerPatient").encode(
                    self.patient_ids[item["name"]], self.parties[item["name"]], self.program_id, item["region"]), label=f"register {item['name']}"))
            return txs

        def funds() -> list[Tx]:
            total = sum(i["funds"] for i in p["patients"])
            if not total:
                return []
            txs = [Tx(self.admin, token, tok.fn("configureMinter").encode(self.admin, total), label="CareUSD.configureMinter")]
            txs += [Tx(self.admin, token, tok.fn("mint").encode(self.parties[i["name"]], i["funds"]), label=f"mint to {i['name']}")
                    for i in p["patients"] if i["funds"]]
            return txs

        def approvals() -> list[Tx]:
            return [Tx(self.parties[i["name"]], token, tok.fn("approve").encode(m, config.MAX_UINT256), label=f"{i['name']} approves a module")
                    for i in p["patients"] for m in self.modules()]

        def splits() -> list[Tx]:
            router = contract_abi("SplitRouter")
            txs = []
            for split in p["splits"]:
                recipients, allocations, residual = self.split_layout(split)
                txs.append(Tx(self.admin, self.addresses["SplitRouter"], router.fn("createSplit").encode(recipients, allocations, residual), label=f"split {split['name']}"))
                txs.append(Tx(self.parties[split["institution"]], regulator, reg.fn("setPayeeApproval").encode(self.splits[split["name"]], True), label=f"{split['institution']} approves {split['name']}"))
            return txs

        router = contract_abi("SplitRouter")
        for split in p["splits"]:
            recipients, allocations, residual = self.split_layout(split)
            fn = router.fn("computeSplitId")
            data = self.sender.call(Tx(self.admin, self.addresses["SplitRouter"], fn.encode(recipients, allocations, residual)))
            self.splits[split["name"]] = fn.decode_output(data)[0]
        for step_id, build in (("setup:registry", registry), ("setup:funds", funds), ("setup:approvals", approvals), ("setup:splits", splits)):
            self.transact(step_id, build)
        if not self.journal.done("setup:clock"):
            now = self.sender.latest_timestamp()
            start = (now // DAY + 1) * DAY + MORNING if now % DAY >= MORNING else now // DAY * DAY + MORNING
            self.sender.set_automine(False)
            self.sender.mine(max(start, now + 1))
            self.journal.record("setup:clock", {"start": max(start, now + 1)})
            self._count([], False)
        else:
            self._count([], True)

    # ---- steps ------------------------------------------------------------------------------------

    def step(self, step: dict[str, Any]) -> None:
        step_id, kind = step["id"], step["do"]
        if self.journal.done(step_id):
            self._restore(step, self.journal.result(step_id))
            self._count([], True)
            return
        self.progress(f"{step_id}: {kind}")
        if kind == "advance_time":
            self._advance(step)
            return
        build, interpret = getattr(self, f"_{kind}")(step)
        timestamp = self.sender.latest_timestamp() + 1
        if _takes_time(build):
            timed = build
            build = lambda: timed(timestamp)  # noqa: E731 - the block's time is fixed before building
        if "expect_error" in step:
            self._expect_refusal(step, build())
            return
        result = self.transact(step_id, build, interpret, timestamp=timestamp)
        self._restore(step, result)

    def _restore(self, step: dict[str, Any], result: dict[str, Any]) -> None:
        if "stream_id" in result:
            self.streams[step["stream"]] = result
        if "episode_id" in result:
            self.episodes[step["episode"]] = {**result, "terms_tuple": terms_from_json(result["terms"])}
        if "refused" in result:
            self.outcome.refusals.append({"step": step["id"], "error": result["refused"]})

    def _expect_refusal(self, step: dict[str, Any], txs: list[Tx]) -> None:
        expected = step["expect_error"]
        errors = []
        for tx in txs:
            reason = self.sender.revert_of(tx)
            if reason is None:
                raise ScenarioFailed(
                    f"{self.scenario.source}:{self.scenario.lines[step['id']]}: step {step['id']!r} expected "
                    f"{expected} but the transaction would succeed (nothing was sent)"
                )
            if reason.split("(")[0] != expected:
                raise ScenarioFailed(
                    f"{self.scenario.source}:{self.scenario.lines[step['id']]}: step {step['id']!r} expected "
                    f"{expected} but it reverts with {reason}"
                )
            errors.append(reason)
        result = {"refused": errors[0]}
        self.journal.record(step["id"], result)
        self._restore(step, result)
        self._count([], False)

    def _advance(self, step: dict[str, Any]) -> None:
        self.chain.require_devnet("moving time")
        now = self.sender.latest_timestamp()
        if step.get("to") == "next_period":
            reg = contract_abi("Regulator")
            period = reg.fn("currentPeriod").decode_output(self.sender.call(Tx(self.admin, self.addresses["Regulator"], reg.fn("currentPeriod").encode(self.program_id))))[0]
            bounds = reg.fn("periodBounds").decode_output(self.sender.call(Tx(self.admin, self.addresses["Regulator"], reg.fn("periodBounds").encode(self.program_id, period))))
            target = bounds[1] + MORNING
        else:
            seconds = int(step.get("days", 0) * DAY + step.get("hours", 0) * 3600 + step.get("seconds", 0))
            target = now + max(seconds, 1)
        self.sender.set_automine(False)
        self.sender.mine(target)
        self.journal.record(step["id"], {"timestamp": target})
        self._count([], False)

    def _initiator(self, step: dict[str, Any], key: str = "initiator") -> str:
        return self.fund if step.get(key) == "fund" else self.parties[step["patient"]]

    def _service_payment(self, step: dict[str, Any]):
        ffs = contract_abi("FeeForService") if "FeeForService" in self.addresses else None
        if ffs is None:
            raise DeploymentMissing(
                f"step {step['id']!r} pays fee-for-service, but FeeForService is not deployed on {self.chain.name!r}; "
                "add contracts/FeeForService.sol, `make compile`, then `carepay deploy`"
            )
        practitioner = step["practitioner"]
        institution = self.parties[self.institution_of[practitioner]]

        def build() -> list[Tx]:
            return [payment_tx(self, ffs, step["patient"], institution, self.parties[practitioner], step["service"],
                               step["split"], step["charge"], f"{step['id']}/{i}", self._initiator(step))
                    for i in range(step.get("repeat", 1))]

        def interpret(sent: list[Sent]) -> dict[str, Any]:
            events = [e for s in sent for e in ffs.find_events("ServicePaid", s.logs)]
            return {"payments": len(events), "fund": sum(e["fundShare"] for e in events),
                    "patient": sum(e["patientShare"] for e in events)}

        return build, interpret

    def _stream_create(self, step: dict[str, Any]):
        stream = contract_abi("CareStream")
        address = self.addresses["CareStream"]
        practitioner = step["practitioner"]

        def build(timestamp: int) -> list[Tx]:
            seconds = step["days"] * DAY
            rate = step["deposit"] * 10**18 // seconds
            params = (self.program_id, self.patient_ids[step["patient"]], self.parties[self.institution_of[practitioner]],
                      self.parties[practitioner], codes.service_type(step["service"]), self.splits[step["split"]],
                      rate, 0, timestamp + seconds, step["deposit"])
            return [Tx(self._initiator(step), address, stream.fn("create").encode(params), label=f"{step['id']}: CareStream.create")]

        def interpret(sent: list[Sent]) -> dict[str, Any]:
            event = stream.find_events("StreamCreated", sent[0].logs, address)[0]
            return {"stream_id": event["streamId"], "sender": self._initiator(step), "patient": step["patient"],
                    "fund_share": event["fundShare"], "patient_share": event["patientShare"]}

        return build, interpret

    def _stream_actor(self, step: dict[str, Any]) -> str:
        record = self.streams[step["stream"]]
        return self.parties[record["patient"]] if step.get("by") == "patient" else record["sender"]

    def _stream_call(self, step: dict[str, Any], fn: str, *args: Any, caller: str | None = None):
        stream = contract_abi("CareStream")
        record = self.streams[step["stream"]]
        who = caller or self._stream_actor(step)
        return (lambda: [Tx(who, self.addresses["CareStream"], stream.fn(fn).encode(record["stream_id"], *args), label=f"{step['id']}: CareStream.{fn}")],
                lambda sent: {})

    def _stream_top_up(self, step):
        return self._stream_call(step, "topUp", step["charge"])

    def _stream_withdraw(self, step):
        return self._stream_call(step, "withdraw", caller=self.admin)

    def _stream_pause(self, step):
        return self._stream_call(step, "pause")

    def _stream_resume(self, step):
        return self._stream_call(step, "resume")

    def _stream_cancel(self, step):
        stream = contract_abi("CareStream")
        build, _ = self._stream_call(step, "cancel")

        def interpret(sent: list[Sent]) -> dict[str, Any]:
            event = stream.find_events("StreamCancelled", sent[0].logs, self.addresses["CareStream"])[0]
            return {"paid_to_care_team": event["paidToCareTeam"], "fund_refund": event["fundRefund"],
                    "patient_refund": event["patientRefund"], "held": event["heldForCareTeam"]}

        return build, interpret

    def _episode_create(self, step: dict[str, Any]):
        escrow = contract_abi("OutcomeEscrow")
        address = self.addresses["OutcomeEscrow"]
        practitioner = step["practitioner"]
        holder: dict[str, Any] = {}

        def build(timestamp: int) -> list[Tx]:
            milestones = [(m["amount"], int(timestamp + m["due_days"] * DAY)) for m in step["milestones"]]
            outcome = ([self.parties[a] for a in step["attestors"]], step["threshold"], step["tiers"],
                       int(step["challenge_days"] * DAY), int(step["arbitration_days"] * DAY))
            terms = (self.program_id, self.patient_ids[step["patient"]], self.splits[step["split"]], milestones, outcome)
            holder["terms"] = terms
            params = (self.parties[self.institution_of[practitioner]], self.parties[practitioner], codes.service_type(step["service"]), terms)
            return [Tx(self._initiator(step), address, escrow.fn("createEpisode").encode(params), label=f"{step['id']}: OutcomeEscrow.createEpisode")]

        def interpret(sent: list[Sent]) -> dict[str, Any]:
            event = escrow.find_events("EpisodeCreated", sent[0].logs, address)[0]
            return {"episode_id": event["episodeId"], "terms": hex_values(holder["terms"]), "patient": step["patient"],
                    "initiator": self._initiator(step), "fund_share": event["fundShare"], "patient_share": event["patientShare"]}

        return build, interpret

    def _episode_call(self, step: dict[str, Any], fn: str, callers: list[str], *args: Any):
        escrow = contract_abi("OutcomeEscrow")
        record = self.episodes[step["episode"]]
        return (lambda: [Tx(who, self.addresses["OutcomeEscrow"], escrow.fn(fn).encode(record["episode_id"], record["terms_tuple"], *args),
                            label=f"{step['id']}: OutcomeEscrow.{fn}") for who in callers],
                lambda sent: {})

    def _evidence(self, step: dict[str, Any], who: str) -> bytes:
        return keccak(f"{self.run}/{step['id']}/{who}/{step.get('evidence', step.get('reason', ''))}".encode())

    def _attest(self, step):
        escrow = contract_abi("OutcomeEscrow")
        record = self.episodes[step["episode"]]
        return (lambda: [Tx(self.parties[a], self.addresses["OutcomeEscrow"],
                            escrow.fn("attest").encode(record["episode_id"], record["terms_tuple"], step["tier"], self._evidence(step, a)),
                            label=f"{step['id']}: {a} attests") for a in step["attestors"]],
                lambda sent: {})

    def _dispute(self, step):
        record = self.episodes[step["episode"]]
        who = self.fund if step.get("by") == "fund" else self.parties[record["patient"]]
        return self._episode_call(step, "dispute", [who], self._evidence(step, "reason"))

    def _resolve(self, step):
        return self._episode_call(step, "resolve", [self.arbiter], step["tier"], self._evidence(step, "arbiter"))

    def _settle(self, step):
        escrow = contract_abi("OutcomeEscrow")
        build, _ = self._episode_call(step, "settle", [self.admin])

        def interpret(sent: list[Sent]) -> dict[str, Any]:
            events = escrow.find_events("MilestoneSettled", sent[0].logs, self.addresses["OutcomeEscrow"])
            return {"payout": sum(e["payout"] for e in events)}

        return build, interpret

    def _refund_expired(self, step):
        return self._episode_call(step, "refundExpired", [self.admin])

    def _freeze_call(self, step: dict[str, Any], frozen: bool):
        reg = contract_abi("Regulator")
        if "institution" in step:
            data = reg.fn("setInstitutionFrozen").encode(self.parties[step["institution"]], frozen)
        elif "practitioner" in step:
            data = reg.fn("setPractitionerFrozen").encode(self.parties[step["practitioner"]], frozen)
        else:
            data = reg.fn("setPatientFrozen").encode(self.patient_ids[step["patient"]], frozen)
        return (lambda: [Tx(self.supervisor, self.addresses["Regulator"], data, label=f"{step['id']}: freeze={frozen}")], lambda sent: {})

    def _freeze(self, step):
        return self._freeze_call(step, True)

    def _unfreeze(self, step):
        return self._freeze_call(step, False)

    def _set_budget(self, step):
        reg = contract_abi("Regulator")
        address = self.addresses["Regulator"]
        period = reg.fn("currentPeriod").decode_output(self.sender.call(Tx(self.admin, address, reg.fn("currentPeriod").encode(self.program_id))))[0]
        period += 1 if step.get("period") == "next" else 0
        data = reg.fn("setPeriodBudget").encode(self.program_id, self.parties[step["institution"]], period, step["amount"])
        return (lambda: [Tx(self.admin, address, data, label=f"{step['id']}: setPeriodBudget")], lambda sent: {"period": period})

    def _distribute(self, step):
        router = contract_abi("SplitRouter")
        data = router.fn("distribute").encode(self.splits[step["split"]])
        return (lambda: [Tx(self.admin, self.addresses["SplitRouter"], data, label=f"{step['id']}: distribute")], lambda sent: {})


def _takes_time(build: Callable) -> bool:
    return build.__code__.co_argcount == 1


def payment_tx(engine: Engine, ffs: Any, patient: str, institution: str, practitioner: str, service: str, split: str,
               charge: int, record: str, initiator: str) -> Tx:
    params = (engine.program_id, engine.patient_ids[patient], institution, practitioner, codes.service_type(service),
              engine.splits[split], charge, keccak(f"{engine.run}/{record}".encode()))
    return Tx(initiator, engine.addresses["FeeForService"], ffs.fn("pay").encode(params), label=f"{record}: FeeForService.pay")
