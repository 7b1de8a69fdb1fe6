"""commitCharge: a claim paid at once. The checks of `reserve` (their refusals run through both entry points in
test_regulator_reserve.py), the counters committed for good, the `Charged` event, the payers returned, and no
reservation: no id used, no record written, `reservationCount` unchanged."""

import ape
import pytest
from eth_utils import keccak

from carepay.cost_sharing import split_for

from .conftest import CHRONIC, CHRONIC_COVERAGE, DEFAULT_BUDGET, FOLLOW_UP, FOLLOW_UP_COVERAGE, PATIENT, REGION, UNIT
from .events import assert_fields, single
from .test_regulator_roles import ACTOR_NAMES

ZERO = "0x0000000000000000000000000000000000000000"
MAX = 2**64 - 1  # a reservation's bound per payer, which `charge` keeps so that it accepts what `reserve` accepts
PATIENT_PAYS = keccak(text="PATIENT_PAYS_ALL")  # covered at ratio 0, no deductible: patient share == charge
FUND_PAYS = keccak(text="FUND_PAYS_ALL")  # ratio 100 %, no deductible, no cap: fund share == charge


def counters(regulator, actors, day, service=FOLLOW_UP):
    """Everything a claim commits: the institution's budget line, the patient's usage, the practitioner's day,
    and the number of reservations."""
    return {
        "budget": tuple(regulator.budgetOf(1, actors.institution, 0)),
        "usage": tuple(regulator.patientUsage(1, PATIENT, service, 0)),
        "services": regulator.practitionerServices(actors.practitioner, day),
        "reservations": regulator.reservationCount(),
    }


# ------------------------------------------------------------------------------------------------ success


def test_charge__valid_claim__emits_charged_and_commits_the_counters_without_a_reservation(
    regulator, actors, claim, chain
):
    c = claim(charge=120 * UNIT)
    shares = split_for(FOLLOW_UP_COVERAGE, 120 * UNIT)
    now = chain.pending_timestamp
    chain.pending_timestamp = now
    day = now // 86_400

    tx = regulator.commitCharge(c, sender=actors.module)

    assert_fields(
        single(regulator.Charged, tx), module=actors.module, claim=c,
        quote=(shares.fund, shares.patient, shares.deductible, 0),
    )
    assert regulator.Reserved.from_receipt(tx) == []
    assert counters(regulator, actors, day) == {
        "budget": (DEFAULT_BUDGET, shares.fund, DEFAULT_BUDGET - shares.fund),
        "usage": (shares.deductible, shares.fund),
        "services": 1,
        "reservations": 0,
    }
    # No reservation id was used: id 1 is still free for the next reservation.
    assert_fields(regulator.getReservation(1), module=ZERO, fundReserved=0, patientReserved=0)
    assert single(regulator.Reserved, regulator.reserve(claim(), sender=actors.module)).reservationId == 1


def test_charge__returns_the_quote_and_both_payers(regulator, actors, claim):
    shares = split_for(CHRONIC_COVERAGE, 10 * UNIT)
    quote, fund_account, patient_account = regulator.commitCharge.call(
        claim(service_type=CHRONIC, charge=10 * UNIT), sender=actors.module
    )
    assert tuple(quote) == (shares.fund, shares.patient, 0, 0)
    assert (fund_account, patient_account) == (actors.fund, actors.patient)


def test_charge__fund_operator_initiates__returns_the_programs_fund_account_not_the_operator(
    regulator, actors, claim
):
    _, fund_account, patient_account = regulator.commitCharge.call(claim(initiator=actors.operator), sender=actors.module)
    assert (fund_account, patient_account) == (actors.fund, actors.patient)


def test_charge__patient_moved_to_a_new_account__returns_the_new_account(regulator, actors, claim, accounts):
    new_account = accounts.generate_test_account()
    regulator.registerPatient(PATIENT, new_account, 1, REGION, sender=actors.registrar)
    _, _, patient_account = regulator.commitCharge.call(claim(initiator=new_account), sender=actors.module)
    assert patient_account == new_account


def test_charge__same_claims_as_reserve__commit_exactly_the_same_counters(regulator, actors, claim, chain):
    """A charge counts exactly as a reservation that is never released: the same sequence of claims through
    `reserve` and through `commitCharge` leaves the same budget, usage and daily count (only reservationCount
    differs) and gets the same quotes (deductible first, then the ratio, then the cap)."""
    charges = [30 * UNIT, 40 * UNIT, 1_500 * UNIT]
    now = chain.pending_timestamp
    day = now // 86_400
    results = {}
    for entry in ("reserve", "commitCharge"):
        snapshot = chain.snapshot()
        chain.pending_timestamp = now
        quotes = []
        for k, charge in enumerate(charges):
            practitioner = actors.practitioner if k < 2 else actors.practitioner3
            tx = getattr(regulator, entry)(claim(charge=charge, practitioner=practitioner), sender=actors.module)
            event = regulator.Reserved if entry == "reserve" else regulator.Charged
            quotes.append(tuple(single(event, tx).quote))
        results[entry] = (quotes, counters(regulator, actors, day))
        chain.restore(snapshot)
    (reserve_quotes, reserved), (charge_quotes, charged) = results["reserve"], results["commitCharge"]
    assert charge_quotes == reserve_quotes
    assert reserved.pop("reservations") == 3 and charged.pop("reservations") == 0
    assert charged == reserved
    assert charged["usage"] == (FOLLOW_UP_COVERAGE.deductible, FOLLOW_UP_COVERAGE.fund_cap_per_patient)


def test_charge__later_release_of_a_reservation__leaves_the_charged_part_in_place(regulator, actors, claim, reserve):
    shares = split_for(CHRONIC_COVERAGE, 100 * UNIT)
    regulator.commitCharge(claim(service_type=CHRONIC, charge=100 * UNIT), sender=actors.module)
    _, rid = reserve(service_type=CHRONIC, charge=100 * UNIT, practitioner=actors.practitioner3)
    regulator.release(rid, shares.fund, shares.patient, sender=actors.module)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == shares.fund
    assert tuple(regulator.patientUsage(1, PATIENT, CHRONIC, 0)) == (0, shares.fund)


# ------------------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "module"])
def test_charge__caller_without_module_role__reverts(regulator, actors, claim, actor):
    caller = getattr(actors, actor)
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=caller, neededRole=regulator.MODULE_ROLE()):
        regulator.commitCharge(claim(), sender=caller)


def test_charge__revoked_module__reverts(regulator, actors, claim):
    role = regulator.MODULE_ROLE()
    regulator.revokeRole(role, actors.module, sender=actors.admin)
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=actors.module, neededRole=role):
        regulator.commitCharge(claim(), sender=actors.module)


@pytest.fixture
def lines(regulator, actors):
    regulator.setCoverage(1, PATIENT_PAYS, (True, False, 0, 0, 0), sender=actors.configurator)
    regulator.setCoverage(1, FUND_PAYS, (True, False, 10_000, 0, 0), sender=actors.configurator)
    regulator.setDefaultBudget(1, actors.institution, 2**128 - 1, sender=actors.configurator)


def test_charge__shares_at_the_64_bit_bound__are_charged(regulator, actors, claim, lines):
    tx = regulator.commitCharge(claim(service_type=PATIENT_PAYS, charge=MAX), sender=actors.module)
    assert_fields(single(regulator.Charged, tx), quote=(0, MAX, 0, 0))


@pytest.mark.parametrize(("service", "fund", "patient"), [(PATIENT_PAYS, 0, MAX + 1), (FUND_PAYS, MAX + 1, 0)])
def test_charge__share_above_64_bits__reverts_as_reserve_does(regulator, actors, claim, lines, service, fund, patient):
    with ape.reverts(regulator.Regulator_ReservationAboveMax, fundReserved=fund, patientReserved=patient, max=MAX):
        regulator.commitCharge(claim(service_type=service, charge=MAX + 1), sender=actors.module)
    assert regulator.budgetOf(1, actors.institution, 0)[1] == 0
