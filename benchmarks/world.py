"""The benchmark world: the suite deployed and configured with one of everything, from fixed dev accounts.

`World.build(chain)` deploys CareUSD, Regulator, SplitRouter, CareStream, OutcomeEscrow (and FeeForService
when its artifact exists), configures one program with its coverage, one institution with its budget, one
practitioner, one patient, a three-member care-team split, a fund operator, and the payers' approvals.
Helpers build the structs (stream parameters, episode terms, claims) the scenarios send.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak, to_checksum_address

from carepay import codes
from carepay.artifacts import ArtifactsError
from carepay.driver.abi import contract_abi

from benchmarks.anvil import GENESIS_TIME
from benchmarks.chain import Chain
from benchmarks.contracts import Contract

UNIT = 10**6  # CareUSD has 6 decimals
ADMIN_DELAY = 2 * 24 * 3600
MAX_UINT = 2**256 - 1
YEAR = 365 * 24 * 3600
PROGRAM_ID = 1
REGION = 1
RATIO_BPS = 8_000  # the fund pays 80% above the deductible
DEDUCTIBLE = 20 * UNIT
BUDGET = 10**15 * UNIT  # never the limit in a benchmark
DAILY_LIMIT = 2**32 - 1
CHRONIC = codes.service_type(codes.CHRONIC_CARE)
TWIN = codes.service_type(codes.DIGITAL_TWIN_STAGE)
FOLLOW_UP = codes.service_type(codes.VIRTUAL_FOLLOW_UP)
#: 1 CareUSD per hour, as an 18-decimal rate of token units per second.
RATE_PER_SECOND = UNIT * 10**18 // 3600
STREAM_DEPOSIT = 500 * UNIT
MILESTONE = 300 * UNIT
TIERS = [10_000, 5_000, 0]
CHALLENGE_WINDOW = 24 * 3600
ARBITRATION_WINDOW = 3 * 24 * 3600
REGISTRAR_KEY = b"carepay-benchmark-registrar-key!"
FEE_FOR_SERVICE = "FeeForService"

ROLES = ("admin", "fund", "supervisor", "arbiter", "institution", "practitioner", "patient", "operator",
         "keeper", "attestor_a", "attestor_b", "module", "holder", "hospital", "doctor", "platform", "spare")


def derived(label: str, index: int) -> str:
    """A fixed address nobody holds a key for; anvil's auto-impersonation lets it send."""
    return to_checksum_address(keccak(f"carepay-bench:{label}:{index}".encode())[12:])


def patient_id(label: str) -> bytes:
    return codes.patient_id(REGISTRAR_KEY, label)


@dataclass
class World:
    chain: Chain
    parties: dict[str, str]
    token: Contract
    regulator: Contract
    router: Contract
    stream: Contract
    escrow: Contract
    ffs: Contract | None
    split_id: bytes
    split_recipients: list[str]
    pid: bytes = field(default_factory=lambda: patient_id("patient-0"))  # the main patient's id

    def __getattr__(self, name: str) -> Any:  # world.fund, world.patient_account, ...
        parties = self.__dict__.get("parties", {})
        if name in parties:
            return parties[name]
        raise AttributeError(name)

    @property
    def node(self):
        return self.chain.node

    def tx(self, sender: str, contract: Contract, fn: str, *args: Any, at: int | None = None):
        return self.chain.transact(sender, contract, fn, *args, at=at)

    # structs -------------------------------------------------------------------------------------

    def stream_params(self, patient: bytes | None = None, institution: str | None = None,
                      practitioner: str | None = None, split_id: bytes | None = None, start: int = 0,
                      deposit: int = STREAM_DEPOSIT) -> tuple:
        return (PROGRAM_ID, patient or self.pid, institution or self.parties["institution"],
                practitioner or self.parties["practitioner"], CHRONIC, split_id or self.split_id,
                RATE_PER_SECOND, start, 0, deposit)

    def terms(self, milestones: int = 2, patient: bytes | None = None, split_id: bytes | None = None,
              amount: int = MILESTONE) -> tuple:
        first = self.chain.now + 30 * 24 * 3600
        stages = [(amount, first + i * 30 * 24 * 3600) for i in range(milestones)]
        outcome = ([self.parties["attestor_a"], self.parties["attestor_b"]], 2, TIERS, CHALLENGE_WINDOW,
                   ARBITRATION_WINDOW)
        return (PROGRAM_ID, patient or self.pid, split_id or self.split_id, stages, outcome)

    def episode_params(self, terms: tuple, institution: str | None = None, practitioner: str | None = None) -> tuple:
        return (institution or self.parties["institution"], practitioner or self.parties["practitioner"], TWIN, terms)

    def claim(self, charge: int, patient: bytes | None = None, institution: str | None = None,
              practitioner: str | None = None) -> tuple:
        return (PROGRAM_ID, patient or self.pid, institution or self.parties["institution"],
                practitioner or self.parties["practitioner"], FOLLOW_UP, self.split_id,
                self.parties["operator"], charge)

    def ffs_payment(self, charge: int, patient: bytes | None = None, institution: str | None = None,
                    practitioner: str | None = None, record: bytes = b"\x01" * 32) -> tuple:
        return (PROGRAM_ID, patient or self.pid, institution or self.parties["institution"],
                practitioner or self.parties["practitioner"], FOLLOW_UP, self.split_id, charge, record)

    def next_stream_id(self) -> int:
        return self.stream.call(self.node, "nextStreamId")

    def next_episode_id(self) -> int:
        return self.escrow.call(self.node, "nextEpisodeId")

    def payment_modules(self) -> list[Contract]:
        return [m for m in (self.stream, self.escrow, self.ffs) if m is not None]

    # registration ---------------------------------------------------------------------------------

    def register_patient_calls(self, pid: bytes, account: str) -> list[tuple[str, Contract, str]]:
        """Registers a patient, funds its account and approves every payment module."""
        calls = [(self.admin, self.regulator, self.regulator.data("registerPatient", pid, account, PROGRAM_ID, REGION)),
                 (self.admin, self.token, self.token.data("mint", account, 10**9 * UNIT))]
        calls += [(account, self.token, self.token.data("approve", m.address, MAX_UINT)) for m in self.payment_modules()]
        return calls

    def register_institution_calls(self, institution: str, practitioner: str) -> list[tuple[str, Contract, str]]:
        """Registers an institution with a budget, one practitioner and the care-team split as its payee."""
        reg = self.regulator
        return [(self.admin, reg, reg.data("registerInstitution", institution, REGION)),
                (self.admin, reg, reg.data("setDefaultBudget", PROGRAM_ID, institution, BUDGET)),
                (self.admin, reg, reg.data("registerPractitioner", practitioner, institution, DAILY_LIMIT)),
                (institution, reg, reg.data("setPayeeApproval", self.split_id, True))]

    # construction ---------------------------------------------------------------------------------

    @classmethod
    def build(cls, chain: Chain) -> "World":
        accounts = chain.accounts()
        parties = {role: to_checksum_address(accounts[i]) for i, role in enumerate(ROLES)}
        admin = parties["admin"]
        token = chain.deploy(admin, "CareUSD", ADMIN_DELAY, admin)
        regulator = chain.deploy(admin, "Regulator", ADMIN_DELAY, admin)
        router = chain.deploy(admin, "SplitRouter", token.address)
        stream = chain.deploy(admin, "CareStream", token.address, regulator.address, router.address)
        escrow = chain.deploy(admin, "OutcomeEscrow", token.address, regulator.address, router.address)
        ffs = _deploy_fee_for_service(chain, admin, {"token": token, "regulator": regulator, "router": router})
        recipients = sorted([parties["hospital"], parties["doctor"], parties["platform"]], key=lambda a: int(a, 16))
        split_id = router.call(chain.node, "computeSplitId", recipients, [600_000, 300_000, 100_000], 0)
        world = cls(chain, parties, token, regulator, router, stream, escrow, ffs, split_id, recipients)
        world._configure(recipients)
        return world

    def _configure(self, recipients: list[str]) -> None:
        reg, token, admin, p = self.regulator, self.token, self.admin, self.parties
        role = lambda c, name: c.call(self.node, name)  # noqa: E731
        calls = [(admin, reg, reg.data("grantRole", role(reg, n), admin)) for n in ("CONFIGURATOR_ROLE", "REGISTRAR_ROLE")]
        calls += [(admin, reg, reg.data("grantRole", role(reg, "SUPERVISOR_ROLE"), p["supervisor"])),
                  (admin, reg, reg.data("grantRole", role(reg, "ARBITER_ROLE"), p["arbiter"]))]
        # The "module" account calls reserve/topUp/release itself, to price the reservation alone.
        calls += [(admin, reg, reg.data("grantRole", role(reg, "MODULE_ROLE"), m))
                  for m in [x.address for x in self.payment_modules()] + [p["module"]]]
        calls += [(admin, token, token.data("grantRole", role(token, n), admin))
                  for n in ("MINTER_ADMIN_ROLE", "PAUSER_ROLE", "FREEZER_ROLE")]
        self.chain.send_many(calls)
        self.chain.send_many([(admin, token, token.data("configureMinter", admin, 2**200))])
        calls = [(admin, reg, reg.data("createProgram", p["fund"], (GENESIS_TIME, YEAR, 0)))]
        calls += [(admin, reg, reg.data("setCoverage", PROGRAM_ID, s, (True, True, RATIO_BPS, DEDUCTIBLE, 0)))
                  for s in (CHRONIC, TWIN, FOLLOW_UP)]
        calls += [(p["fund"], reg, reg.data("setFundOperator", PROGRAM_ID, p["operator"], True))]
        calls += [(admin, self.router, self.router.data("createSplit", recipients, [600_000, 300_000, 100_000], 0))]
        for holder in ("fund", "holder", "operator"):
            calls.append((admin, token, token.data("mint", p[holder], 10**9 * UNIT)))
        calls += [(p["fund"], token, token.data("approve", m.address, MAX_UINT)) for m in self.payment_modules()]
        calls += [(p["fund"], token, token.data("approve", self.router.address, MAX_UINT)),
                  (p["holder"], token, token.data("approve", self.router.address, MAX_UINT)),
                  (p["holder"], token, token.data("approve", p["fund"], MAX_UINT))]  # the unlimited baseline
        calls += self.register_institution_calls(p["institution"], p["practitioner"])
        calls += self.register_patient_calls(self.pid, p["patient"])
        self.chain.send_many(calls)


def _deploy_fee_for_service(chain: Chain, admin: str, known: dict[str, Contract]) -> Contract | None:
    """FeeForService when the build has it (it arrives from a parallel branch); None otherwise.
    Its constructor takes the suite's contracts, matched by parameter name (token, regulator, router)."""
    try:
        abi = contract_abi(FEE_FOR_SERVICE).abi
    except ArtifactsError:
        return None
    constructor = next((item["inputs"] for item in abi if item.get("type") == "constructor"), [])
    args = []
    for item in constructor:
        name = item["name"].lower().strip("_")
        match = [c for key, c in known.items() if key in name]
        if item["type"] != "address" or len(match) != 1:
            raise ArtifactsError(f"FeeForService constructor parameter {item['name']!r} is not one the benchmark knows")
        args.append(match[0].address)
    return chain.deploy(admin, FEE_FOR_SERVICE, *args)
