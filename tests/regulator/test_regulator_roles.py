"""The role matrix: every privileged function, called by every actor without its role, reverts with
AccessControlUnauthorizedAccount(account, role); the non-role guards (fund account, institution, owning
module) revert with their own errors; the default admin changes hands in two delayed steps."""

import ape
import pytest

from .conftest import CHRONIC, FOLLOW_UP_COVERAGE, PATIENT, PAYEE, REGION, UNIT, coverage_tuple
from .events import assert_fields, single
from .periods import MONTHS

ACTOR_NAMES = [
    "admin",
    "configurator",
    "registrar",
    "supervisor",
    "module",
    "fund",
    "operator",
    "patient",
    "institution",
    "outsider",
]

# function name -> (role getter, call builder)
PRIVILEGED = {
    "createProgram": ("CONFIGURATOR_ROLE", lambda r, a, anchor: r.createProgram(a.fund, (anchor, 1, MONTHS))),
    "setCoverage": ("CONFIGURATOR_ROLE", lambda r, a, anchor: r.setCoverage(1, CHRONIC, coverage_tuple(FOLLOW_UP_COVERAGE))),
    "setDefaultBudget": ("CONFIGURATOR_ROLE", lambda r, a, anchor: r.setDefaultBudget(1, a.institution, 1)),
    "setPeriodBudget": ("CONFIGURATOR_ROLE", lambda r, a, anchor: r.setPeriodBudget(1, a.institution, 0, 1)),
    "registerInstitution": ("REGISTRAR_ROLE", lambda r, a, anchor: r.registerInstitution(a.outsider, REGION)),
    "registerPractitioner": (
        "REGISTRAR_ROLE",
        lambda r, a, anchor: r.registerPractitioner(a.outsider, a.institution, 1),
    ),
    "registerPatient": ("REGISTRAR_ROLE", lambda r, a, anchor: r.registerPatient(PATIENT, a.outsider, 1, REGION)),
    "setProgramFrozen": ("SUPERVISOR_ROLE", lambda r, a, anchor: r.setProgramFrozen(1, True)),
    "setInstitutionFrozen": ("SUPERVISOR_ROLE", lambda r, a, anchor: r.setInstitutionFrozen(a.institution, True)),
    "setPractitionerFrozen": ("SUPERVISOR_ROLE", lambda r, a, anchor: r.setPractitionerFrozen(a.practitioner, True)),
    "setPatientFrozen": ("SUPERVISOR_ROLE", lambda r, a, anchor: r.setPatientFrozen(PATIENT, True)),
    "topUp": ("MODULE_ROLE", lambda r, a, anchor: r.topUp(1, 0, 0, UNIT, a.patient)),
}

# Actors that hold each role in the fixture.
HOLDERS = {
    "CONFIGURATOR_ROLE": {"configurator"},
    "REGISTRAR_ROLE": {"registrar"},
    "SUPERVISOR_ROLE": {"supervisor"},
    "MODULE_ROLE": {"module"},
    "DEFAULT_ADMIN_ROLE": {"admin"},
}


class _Sender:
    """Wraps the Regulator so that every transaction made through it is sent by one account."""

    def __init__(self, regulator, sender):
        self._regulator = regulator
        self._sender = sender

    def __getattr__(self, name):
        method = getattr(self._regulator, name)
        return lambda *args: method(*args, sender=self._sender)


UNPRIVILEGED_CALLS = [
    (function, actor)
    for function in sorted(PRIVILEGED)
    for actor in ACTOR_NAMES
    if actor not in HOLDERS[PRIVILEGED[function][0]]
]


@pytest.mark.parametrize(("function", "actor"), UNPRIVILEGED_CALLS)
def test_privileged__caller_without_role__reverts(regulator, actors, anchor, reserve, function, actor):
    role_name, build = PRIVILEGED[function]
    reserve()  # reservation 1 exists, so topUp fails on its role alone
    caller = getattr(actors, actor)
    role = getattr(regulator, role_name)()
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=caller, neededRole=role):
        build(_Sender(regulator, caller), actors, anchor)


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "module"])
def test_reserve__caller_without_module_role__reverts(regulator, actors, claim, actor):
    caller = getattr(actors, actor)
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=caller, neededRole=regulator.MODULE_ROLE()):
        regulator.reserve(claim(), sender=caller)


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "admin"])
@pytest.mark.parametrize("function", ["grantRole", "revokeRole"])
def test_role_management__caller_without_admin_role__reverts(regulator, actors, actor, function):
    caller = getattr(actors, actor)
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=caller, neededRole=b"\x00" * 32):
        getattr(regulator, function)(regulator.MODULE_ROLE(), actors.outsider, sender=caller)


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "admin"])
def test_begin_admin_transfer__caller_without_admin_role__reverts(regulator, actors, actor):
    caller = getattr(actors, actor)
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=caller, neededRole=b"\x00" * 32):
        regulator.beginDefaultAdminTransfer(caller, sender=caller)


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "fund"])
def test_set_fund_operator__caller_not_fund_account__reverts(regulator, actors, actor):
    caller = getattr(actors, actor)
    with ape.reverts(regulator.Regulator_NotFundAccount, programId=1, caller=caller, fundAccount=actors.fund):
        regulator.setFundOperator(1, actors.outsider, True, sender=caller)


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "institution"])
def test_set_payee_approval__caller_not_institution__reverts(regulator, actors, actor):
    caller = getattr(actors, actor)
    with ape.reverts(regulator.Regulator_InstitutionNotRegistered, institution=caller):
        regulator.setPayeeApproval(PAYEE, True, sender=caller)


@pytest.mark.parametrize("actor", [a for a in ACTOR_NAMES if a != "module"] + ["other_module"])
def test_release__caller_not_owning_module__reverts(regulator, actors, reserve, actor):
    _, rid = reserve()
    caller = getattr(actors, actor)
    with ape.reverts(regulator.Regulator_NotReservationModule, reservationId=rid, caller=caller, module=actors.module):
        regulator.release(rid, 0, 0, sender=caller)


def test_top_up__other_module__reverts(regulator, actors, reserve):
    _, rid = reserve()
    with ape.reverts(
        regulator.Regulator_NotReservationModule, reservationId=rid, caller=actors.other_module, module=actors.module
    ):
        regulator.topUp(rid, 0, 0, UNIT, actors.patient, sender=actors.other_module)


def test_revoked_module__cannot_reserve_or_top_up_but_can_release(regulator, actors, reserve, claim):
    _, rid = reserve()
    role = regulator.MODULE_ROLE()
    tx = regulator.revokeRole(role, actors.module, sender=actors.admin)
    assert_fields(single(regulator.RoleRevoked, tx), role=role, account=actors.module, sender=actors.admin)
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=actors.module, neededRole=role):
        regulator.reserve(claim(), sender=actors.module)
    with ape.reverts(regulator.AccessControlUnauthorizedAccount, account=actors.module, neededRole=role):
        regulator.topUp(rid, 0, 0, UNIT, actors.patient, sender=actors.module)
    held = regulator.getReservation(rid)
    tx = regulator.release(rid, held.fundReserved, held.patientReserved, sender=actors.module)
    assert_fields(
        single(regulator.Released, tx),
        reservationId=rid,
        fundAmount=held.fundReserved,
        patientAmount=held.patientReserved,
        deductibleRestored=held.deductibleCounted,
    )


def test_default_admin__changes_hands_in_two_delayed_steps(regulator, actors, chain):
    new_admin = actors.outsider
    tx = regulator.beginDefaultAdminTransfer(new_admin, sender=actors.admin)
    pending = regulator.pendingDefaultAdmin()
    assert pending.newAdmin == new_admin
    schedule = pending.schedule
    assert_fields(single(regulator.DefaultAdminTransferScheduled, tx), newAdmin=new_admin, acceptSchedule=schedule)
    with ape.reverts(regulator.AccessControlEnforcedDefaultAdminDelay, schedule=schedule):
        regulator.acceptDefaultAdminTransfer(sender=new_admin)
    chain.pending_timestamp = schedule + 1
    regulator.acceptDefaultAdminTransfer(sender=new_admin)
    assert regulator.defaultAdmin() == new_admin
    assert not regulator.hasRole(b"\x00" * 32, actors.admin)
    regulator.grantRole(regulator.MODULE_ROLE(), actors.patient, sender=new_admin)
    assert regulator.hasRole(regulator.MODULE_ROLE(), actors.patient)
