"""Access control: every privileged function against every actor without its role, and the two-step,
delayed default-admin handover (OpenZeppelin AccessControlDefaultAdminRules)."""

import ape
import pytest

ACTORS = ("admin", "minter_admin", "pauser", "freezer", "minter", "alice", "relayer")

# function -> (role needed, call). Each call is made with arguments that would succeed for the role holder,
# so the only reason to revert is the missing role.
PRIVILEGED = {
    "configureMinter": ("MINTER_ADMIN_ROLE", lambda t, a, s: t.configureMinter(a.carol, 1, sender=s)),
    "removeMinter": ("MINTER_ADMIN_ROLE", lambda t, a, s: t.removeMinter(a.minter, sender=s)),
    "grantRole(MINTER_ROLE)": (
        "MINTER_ADMIN_ROLE",
        lambda t, a, s: t.grantRole(t.MINTER_ROLE(), a.carol, sender=s),
    ),
    "revokeRole(MINTER_ROLE)": (
        "MINTER_ADMIN_ROLE",
        lambda t, a, s: t.revokeRole(t.MINTER_ROLE(), a.minter, sender=s),
    ),
    "mint": ("MINTER_ROLE", lambda t, a, s: t.mint(a.carol, 1, sender=s)),
    "burn": ("MINTER_ROLE", lambda t, a, s: t.burn(1, sender=s)),
    "pause": ("PAUSER_ROLE", lambda t, a, s: t.pause(sender=s)),
    "unpause": ("PAUSER_ROLE", lambda t, a, s: t.unpause(sender=s)),
    "freeze": ("FREEZER_ROLE", lambda t, a, s: t.freeze(a.carol, sender=s)),
    "unfreeze": ("FREEZER_ROLE", lambda t, a, s: t.unfreeze(a.carol, sender=s)),
    "grantRole(PAUSER_ROLE)": ("DEFAULT_ADMIN_ROLE", lambda t, a, s: t.grantRole(t.PAUSER_ROLE(), a.carol, sender=s)),
    "grantRole(FREEZER_ROLE)": (
        "DEFAULT_ADMIN_ROLE",
        lambda t, a, s: t.grantRole(t.FREEZER_ROLE(), a.carol, sender=s),
    ),
    "grantRole(MINTER_ADMIN_ROLE)": (
        "DEFAULT_ADMIN_ROLE",
        lambda t, a, s: t.grantRole(t.MINTER_ADMIN_ROLE(), a.carol, sender=s),
    ),
    "revokeRole(PAUSER_ROLE)": ("DEFAULT_ADMIN_ROLE", lambda t, a, s: t.revokeRole(t.PAUSER_ROLE(), a.pauser, sender=s)),
    "beginDefaultAdminTransfer": ("DEFAULT_ADMIN_ROLE", lambda t, a, s: t.beginDefaultAdminTransfer(a.carol, sender=s)),
    "cancelDefaultAdminTransfer": ("DEFAULT_ADMIN_ROLE", lambda t, a, s: t.cancelDefaultAdminTransfer(sender=s)),
    "changeDefaultAdminDelay": ("DEFAULT_ADMIN_ROLE", lambda t, a, s: t.changeDefaultAdminDelay(60, sender=s)),
    "rollbackDefaultAdminDelay": ("DEFAULT_ADMIN_ROLE", lambda t, a, s: t.rollbackDefaultAdminDelay(sender=s)),
}

# Which actor holds which role in the `token` fixture.
HOLDERS = {
    "DEFAULT_ADMIN_ROLE": "admin",
    "MINTER_ADMIN_ROLE": "minter_admin",
    "MINTER_ROLE": "minter",
    "PAUSER_ROLE": "pauser",
    "FREEZER_ROLE": "freezer",
}

MATRIX = [(fn, actor) for fn, (role, _) in PRIVILEGED.items() for actor in ACTORS if HOLDERS[role] != actor]


class Actors:
    """Attribute access to named actor fixtures, for the call table above."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


@pytest.mark.parametrize("function, actor", MATRIX)
def test_privileged_function__actor_without_role__reverts_unauthorized(
    token, request, freezer, pauser, minter, fund, function, actor
):
    # Put the state where the role holder's call would succeed (something to unfreeze, unpause, burn).
    fund(minter, 1)
    role_name, call = PRIVILEGED[function]
    actors = Actors(request)
    if function == "unfreeze":
        token.freeze(actors.carol, sender=freezer)
    if function == "unpause":
        token.pause(sender=pauser)
    caller = request.getfixturevalue(actor)
    role = getattr(token, role_name)()

    with ape.reverts(token.AccessControlUnauthorizedAccount, account=caller, neededRole=role):
        call(token, actors, caller)


@pytest.mark.parametrize("function", list(PRIVILEGED))
def test_privileged_function__role_holder__succeeds(token, request, freezer, pauser, minter, fund, function):
    # The positive side of the matrix: the same call by the role holder goes through.
    fund(minter, 1)
    role_name, call = PRIVILEGED[function]
    actors = Actors(request)
    if function == "unfreeze":
        token.freeze(actors.carol, sender=freezer)
    if function == "unpause":
        token.pause(sender=pauser)
    if function == "cancelDefaultAdminTransfer":
        token.beginDefaultAdminTransfer(actors.carol, sender=actors.admin)
    if function == "rollbackDefaultAdminDelay":
        token.changeDefaultAdminDelay(60, sender=actors.admin)

    assert not call(token, actors, request.getfixturevalue(HOLDERS[role_name])).failed


def test_grant_role__default_admin_role__reverts_enforced_rules(token, admin, alice):
    with ape.reverts(token.AccessControlEnforcedDefaultAdminRules):
        token.grantRole(token.DEFAULT_ADMIN_ROLE(), alice, sender=admin)


def test_grant_role__minter_role_by_default_admin__reverts_needs_minter_admin(token, admin, carol):
    with ape.reverts(token.AccessControlUnauthorizedAccount, account=admin, neededRole=token.MINTER_ADMIN_ROLE()):
        token.grantRole(token.MINTER_ROLE(), carol, sender=admin)


def test_grant_role__pauser_by_admin__grants_and_emits(token, admin, carol):
    tx = token.grantRole(token.PAUSER_ROLE(), carol, sender=admin)

    assert token.hasRole(token.PAUSER_ROLE(), carol)
    assert tx.events == [token.RoleGranted(token.PAUSER_ROLE(), carol, admin)]


def test_renounce_role__for_someone_else__reverts_bad_confirmation(token, pauser, alice):
    with ape.reverts(token.AccessControlBadConfirmation):
        token.renounceRole(token.PAUSER_ROLE(), pauser, sender=alice)


# ------------------------------------------------------------------------------------- default-admin handover


def test_admin_handover__begin__schedules_after_delay_and_emits(token, admin, new_admin, admin_delay, chain):
    chain.pending_timestamp = begin = chain.pending_timestamp + 10
    tx = token.beginDefaultAdminTransfer(new_admin, sender=admin)

    pending, schedule = token.pendingDefaultAdmin()
    assert pending == new_admin
    assert schedule == begin + admin_delay
    assert tx.events == [token.DefaultAdminTransferScheduled(new_admin, begin + admin_delay)]
    assert token.defaultAdmin() == admin  # nothing changes until accepted


def test_admin_handover__accept_before_delay__reverts_enforced_delay(token, admin, new_admin, admin_delay, chain):
    chain.pending_timestamp = begin = chain.pending_timestamp + 10
    token.beginDefaultAdminTransfer(new_admin, sender=admin)
    chain.pending_timestamp = begin + admin_delay  # the schedule itself is still too early (strictly after)

    with ape.reverts(token.AccessControlEnforcedDefaultAdminDelay, schedule=begin + admin_delay):
        token.acceptDefaultAdminTransfer(sender=new_admin)
    assert token.defaultAdmin() == admin


def test_admin_handover__accept_by_other_account__reverts_invalid_default_admin(
    token, admin, new_admin, alice, admin_delay, chain
):
    token.beginDefaultAdminTransfer(new_admin, sender=admin)
    chain.pending_timestamp += admin_delay + 1

    with ape.reverts(token.AccessControlInvalidDefaultAdmin, defaultAdmin=alice):
        token.acceptDefaultAdminTransfer(sender=alice)


def test_admin_handover__accept_after_delay__moves_admin_role_and_emits(
    token, admin, new_admin, carol, admin_delay, chain
):
    chain.pending_timestamp = begin = chain.pending_timestamp + 10
    token.beginDefaultAdminTransfer(new_admin, sender=admin)
    chain.pending_timestamp = begin + admin_delay + 1
    tx = token.acceptDefaultAdminTransfer(sender=new_admin)

    default_admin_role = token.DEFAULT_ADMIN_ROLE()
    assert token.defaultAdmin() == new_admin
    assert token.owner() == new_admin
    assert token.hasRole(default_admin_role, new_admin)
    assert not token.hasRole(default_admin_role, admin)
    assert tuple(token.pendingDefaultAdmin()) == ("0x0000000000000000000000000000000000000000", 0)
    assert tx.events == [
        token.RoleRevoked(default_admin_role, admin, new_admin),
        token.RoleGranted(default_admin_role, new_admin, new_admin),
    ]
    # The new admin administers the roles; the old one no longer does.
    token.grantRole(token.PAUSER_ROLE(), carol, sender=new_admin)
    with ape.reverts(token.AccessControlUnauthorizedAccount, account=admin, neededRole=default_admin_role):
        token.grantRole(token.FREEZER_ROLE(), carol, sender=admin)


def test_admin_handover__cancel__clears_pending_and_emits(token, admin, new_admin, admin_delay, chain):
    token.beginDefaultAdminTransfer(new_admin, sender=admin)
    tx = token.cancelDefaultAdminTransfer(sender=admin)

    assert tuple(token.pendingDefaultAdmin()) == ("0x0000000000000000000000000000000000000000", 0)
    assert tx.events == [token.DefaultAdminTransferCanceled()]
    chain.pending_timestamp += admin_delay + 1
    with ape.reverts(token.AccessControlInvalidDefaultAdmin, defaultAdmin=new_admin):
        token.acceptDefaultAdminTransfer(sender=new_admin)
    assert token.defaultAdmin() == admin


def test_admin_handover__begin_again__replaces_pending_admin_and_emits_cancel(
    token, admin, new_admin, carol, admin_delay, chain
):
    token.beginDefaultAdminTransfer(new_admin, sender=admin)
    chain.pending_timestamp = begin = chain.pending_timestamp + 10
    tx = token.beginDefaultAdminTransfer(carol, sender=admin)

    assert token.pendingDefaultAdmin()[0] == carol
    assert tx.events == [
        token.DefaultAdminTransferCanceled(),
        token.DefaultAdminTransferScheduled(carol, begin + admin_delay),
    ]


def test_admin_delay__change_and_rollback__emit_schedule_and_cancel(token, admin, admin_delay, chain):
    chain.pending_timestamp = now = chain.pending_timestamp + 10
    tx = token.changeDefaultAdminDelay(60, sender=admin)

    # Lowering the delay waits the difference, so a handover can't be rushed through a fresh short delay.
    assert tuple(token.pendingDefaultAdminDelay()) == (60, now + admin_delay - 60)
    assert tx.events == [token.DefaultAdminDelayChangeScheduled(60, now + admin_delay - 60)]

    tx = token.rollbackDefaultAdminDelay(sender=admin)
    assert tuple(token.pendingDefaultAdminDelay()) == (0, 0)
    assert tx.events == [token.DefaultAdminDelayChangeCanceled()]
    assert token.defaultAdminDelay() == admin_delay
