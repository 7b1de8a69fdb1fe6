"""A demo network of parties on a local chain: one insurance program, two institutions in two
pooling regions, their practitioners, pseudonymous patients and a care-team split.

Everything is plain data here (`DEMO`), read by `configure_demo_network`; nothing about a real
person: patient ids are keyed hashes and the care-team members beyond the dev accounts are
addresses derived from fixed labels.
"""

from __future__ import annotations

import time
from calendar import timegm
from dataclasses import dataclass, field
from typing import Any

from ape import accounts as ape_accounts
from eth_utils import keccak, to_checksum_address

from carepay import codes
from carepay.deployment import (
    MAX_UINT256,
    UNIT,
    Parties,
    Suite,
    coverage,
    grant_operating_roles,
    mint,
    period_schedule,
)

SHANGHAI, HANGZHOU = 310000, 330100
REGISTRAR_KEY = keccak(b"carepay demo registrar key (devnet only)")

DEMO = {
    "coverage": {
        # service type: (covered, cross-region, ratio bps, deductible, fund cap per patient per period)
        codes.VIRTUAL_FIRST_VISIT: (False, False, 0, 0, 0),
        codes.VIRTUAL_FOLLOW_UP: (True, False, 7_000, 10 * UNIT, 500 * UNIT),
        codes.DIGITAL_TWIN_STAGE: (True, False, 8_000, 0, 20_000 * UNIT),
        codes.CHRONIC_CARE: (True, True, 9_000, 0, 3_000 * UNIT),
        codes.OUTCOME_BONUS: (True, True, 10_000, 0, 1_000 * UNIT),
    },
    "institution_budget": 100_000 * UNIT,
    "practitioner_daily_limit": 20,
    "fund_float": 1_000_000 * UNIT,
    "patient_float": 10_000 * UNIT,
    # Care-team split shares, on the router's 1e6 scale (must add up to 1e6).
    "care_team": {
        "hospital": 450_000,
        "doctor": 250_000,
        "algorithm_vendor": 120_000,
        "data_provider": 80_000,
        "platform": 50_000,
        "patient_rebate": 50_000,
    },
}


def labelled_address(label: str) -> str:
    """A fixed address for a passive demo recipient (it only receives; no key exists for it)."""
    return to_checksum_address(keccak(f"carepay demo {label}".encode())[-20:])


def current_month_start(now: float | None = None) -> int:
    t = time.gmtime(now if now is not None else time.time())
    return timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0))


@dataclass
class DemoNetwork:
    parties: Parties
    program_id: int
    patient_ids: list[bytes] = field(default_factory=list)
    split_id: bytes = b""
    care_team: dict[str, str] = field(default_factory=dict)


def configure_demo_network(suite: Suite, admin: Any, chain_time: int | None = None) -> DemoNetwork:
    """Configures the Regulator, funds the payers and creates the care-team split."""
    dev = list(ape_accounts.test_accounts)
    parties = Parties(
        admin=admin,
        fund=dev[1],
        supervisor=dev[2],
        arbiter=dev[3],
        institutions=[dev[4], dev[5]],
        practitioners=[dev[6], dev[7]],
        patients=[dev[8], dev[9]],
    )
    regulator, token = suite.regulator, suite.token
    grant_operating_roles(suite, parties)

    schedule = period_schedule(current_month_start(chain_time), 1, "months")
    tx = regulator.createProgram(parties.fund, schedule, sender=admin)
    program_id = tx.events.filter(regulator.ProgramCreated)[0].programId
    for code, rule in DEMO["coverage"].items():
        regulator.setCoverage(program_id, codes.service_type(code), coverage(*rule), sender=admin)

    for institution, region in zip(parties.institutions, (SHANGHAI, HANGZHOU)):
        regulator.registerInstitution(institution, region, sender=admin)
        regulator.setDefaultBudget(program_id, institution, DEMO["institution_budget"], sender=admin)
    for practitioner, institution in zip(parties.practitioners, parties.institutions):
        regulator.registerPractitioner(practitioner, institution, DEMO["practitioner_daily_limit"], sender=admin)

    network = DemoNetwork(parties=parties, program_id=program_id)
    for index, patient in enumerate(parties.patients):
        patient_id = codes.patient_id(REGISTRAR_KEY, f"demo-patient-{index}")
        regulator.registerPatient(patient_id, patient, program_id, SHANGHAI, sender=admin)
        network.patient_ids.append(patient_id)

    mint(suite, admin, parties.fund, DEMO["fund_float"])
    for payer in [parties.fund, *parties.patients]:
        if payer != parties.fund:
            mint(suite, admin, payer, DEMO["patient_float"])
        for module in suite.modules:
            token.approve(module, MAX_UINT256, sender=payer)

    team = {
        "hospital": str(parties.institutions[0].address),
        "doctor": str(parties.practitioners[0].address),
        "algorithm_vendor": labelled_address("algorithm vendor"),
        "data_provider": labelled_address("data provider"),
        "platform": labelled_address("platform"),
        "patient_rebate": str(parties.patients[0].address),
    }
    members = sorted(team, key=lambda role: int(team[role], 16))
    recipients = [team[role] for role in members]
    allocations = [DEMO["care_team"][role] for role in members]
    residual = members.index("hospital")  # the hospital takes the rounding remainder
    suite.router.createSplit(recipients, allocations, residual, sender=admin)
    network.split_id = suite.router.computeSplitId(recipients, allocations, residual)
    network.care_team = team
    regulator.setPayeeApproval(network.split_id, True, sender=parties.institutions[0])
    return network


def describe(suite: Suite, network: DemoNetwork) -> str:
    """A human-readable summary of what was deployed and configured."""
    regulator = suite.regulator
    lines = ["", "Contracts:"]
    lines += [f"  {name:<14} {address}" for name, address in suite.addresses().items()]
    program = regulator.getProgram(network.program_id)
    lines += ["", f"Program {network.program_id}: fund account {program.fundAccount}, monthly budget periods"]
    lines.append(f"  {'service type':<22}{'covered':>8}{'x-region':>9}{'ratio':>7}{'deductible':>12}{'fund cap':>12}")
    for code in DEMO["coverage"]:
        c = regulator.getCoverage(network.program_id, codes.service_type(code))
        lines.append(
            f"  {code:<22}{str(c.covered):>8}{str(c.crossRegionAllowed):>9}{c.ratioBps / 100:>6.0f}%"
            f"{c.deductible / UNIT:>12,.2f}{c.fundCapPerPatient / UNIT:>12,.2f}"
        )
    period = regulator.currentPeriod(network.program_id)
    lines += ["", f"Institutions (budget period {period}):"]
    for institution in network.parties.institutions:
        record = regulator.getInstitution(institution)
        budget, used, remaining = regulator.budgetOf(network.program_id, institution, period)
        lines.append(f"  {institution.address} region {record.region}: budget {budget / UNIT:,.2f}, remaining {remaining / UNIT:,.2f}")
    lines += ["", "Practitioners:"]
    for practitioner in network.parties.practitioners:
        record = regulator.getPractitioner(practitioner)
        lines.append(f"  {practitioner.address} at {record.institution}, {record.dailyServiceLimit} services/day")
    lines += ["", "Patients (pseudonymous ids):"]
    for patient_id, account in zip(network.patient_ids, network.parties.patients):
        lines.append(f"  0x{patient_id.hex()} account {account.address}")
    lines += ["", f"Care-team split 0x{network.split_id.hex()}:"]
    for role, address in network.care_team.items():
        lines.append(f"  {role:<17} {address} {DEMO['care_team'][role] / 10_000:>5.1f}%")
    balance = suite.token.balanceOf(network.parties.fund)
    lines += ["", f"Fund account holds {balance / UNIT:,.2f} CareUSD; modules approved by every payer."]
    return "\n".join(lines)
