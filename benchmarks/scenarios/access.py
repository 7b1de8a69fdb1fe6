"""OpenZeppelin AccessControlDefaultAdminRules functions, shared by CareUSD and the Regulator.

Run inside a snapshot that is reverted afterwards: the admin handover moves the clock past the delay.
"""

from __future__ import annotations

from benchmarks.contracts import Contract
from benchmarks.recorder import Recorder
from benchmarks.world import ADMIN_DELAY

ROLE_INCLUDES = "role membership slot written, RoleGranted/RoleRevoked event"


def measure_roles(rec: Recorder, contract: Contract, role_name: str) -> None:
    w, name = rec.world, contract.name
    role = contract.call(w.node, role_name)
    rec.measure(f"{name}.grantRole", w.admin, contract, "grantRole", role, w.spare,
                case=f"{role_name} to a new account", includes="admin check, " + ROLE_INCLUDES)
    rec.measure(f"{name}.revokeRole", w.admin, contract, "revokeRole", role, w.spare,
                case=f"{role_name} from that account", includes="admin check, " + ROLE_INCLUDES)
    w.tx(w.admin, contract, "grantRole", role, w.spare)
    rec.measure(f"{name}.renounceRole", w.spare, contract, "renounceRole", role, w.spare,
                case="the holder renounces it", includes=ROLE_INCLUDES)


def measure_admin_rules(rec: Recorder, contract: Contract) -> None:
    w, name, chain = rec.world, contract.name, rec.world.chain
    chain.snapshot()
    try:
        rec.measure(f"{name}.beginDefaultAdminTransfer", w.admin, contract, "beginDefaultAdminTransfer", w.spare,
                    case="to a new admin", includes="pending admin + schedule written, DefaultAdminTransferScheduled")
        rec.measure(f"{name}.cancelDefaultAdminTransfer", w.admin, contract, "cancelDefaultAdminTransfer",
                    case="the pending transfer", includes="pending admin cleared, DefaultAdminTransferCanceled")
        w.tx(w.admin, contract, "beginDefaultAdminTransfer", w.spare)
        rec.measure(f"{name}.acceptDefaultAdminTransfer", w.spare, contract, "acceptDefaultAdminTransfer",
                    at=chain.now + ADMIN_DELAY + 1, case="after the delay, by the new admin",
                    includes="role revoked from the old admin and granted to the new one, pending cleared, 2 events")
        rec.measure(f"{name}.changeDefaultAdminDelay", w.spare, contract, "changeDefaultAdminDelay", 3600,
                    case="shorter delay", includes="pending delay + schedule written, DefaultAdminDelayChangeScheduled")
        rec.measure(f"{name}.rollbackDefaultAdminDelay", w.spare, contract, "rollbackDefaultAdminDelay",
                    case="the pending change", includes="pending delay cleared, DefaultAdminDelayChangeCanceled")
    finally:
        chain.revert()
