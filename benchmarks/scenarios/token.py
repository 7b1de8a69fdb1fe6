"""CareUSD: the baselines (the floor of moving money on this token) and every other function."""

from __future__ import annotations

from benchmarks import signatures
from benchmarks.recorder import Recorder
from benchmarks.scenarios.access import measure_admin_rules, measure_roles
from benchmarks.world import UNIT, derived

TRANSFER = "2 balance slots, 2 freeze-flag reads, pause read, Transfer event"


def measure_baselines(rec: Recorder) -> None:
    w = rec.world
    t = w.token
    rec.measure("baseline.transfer.fresh", w.holder, t, "transfer", derived("fresh", 0), 100 * UNIT,
                case="to an address that never held CareUSD",
                includes=TRANSFER + "; the recipient's balance slot goes from zero to non-zero (22,100)")
    rec.measure("baseline.transfer.existing", w.holder, t, "transfer", w.fund, 100 * UNIT,
                case="to an existing holder", includes=TRANSFER + "; both balances non-zero before and after")
    rec.measure("baseline.approve.fresh", w.holder, t, "approve", w.spare, 1_000 * UNIT,
                case="new allowance (zero to non-zero)", includes="allowance slot written, freeze reads, Approval event")
    rec.measure("baseline.approve.change", w.holder, t, "approve", w.spare, 2_000 * UNIT,
                case="changed allowance (non-zero to non-zero)", includes="allowance slot rewritten, Approval event")
    rec.measure("baseline.transferFrom.finite", w.spare, t, "transferFrom", w.holder, w.fund, 100 * UNIT,
                case="finite allowance, to an existing holder",
                includes=TRANSFER + "; allowance decreased (no Approval event in OZ 5)")
    rec.measure("baseline.transferFrom.unlimited", w.fund, t, "transferFrom", w.holder, w.fund, 100 * UNIT,
                case="unlimited allowance (as the payment modules hold), to an existing holder",
                includes=TRANSFER + "; allowance read, not written")


def measure_catalog(rec: Recorder) -> None:
    w = rec.world
    t, chain = w.token, w.chain
    rec.measure("CareUSD.transfer", w.holder, t, "transfer", w.fund, 50 * UNIT,
                case="typical: between existing holders", includes=TRANSFER)
    rec.measure("CareUSD.approve", w.holder, t, "approve", w.keeper, 500 * UNIT,
                case="typical: new allowance", includes="allowance slot written, Approval event")
    rec.measure("CareUSD.transferFrom", w.keeper, t, "transferFrom", w.holder, w.fund, 50 * UNIT,
                case="typical: finite allowance, existing holder", includes=TRANSFER + "; allowance decreased")
    rec.measure("CareUSD.configureMinter.new", w.admin, t, "configureMinter", w.spare, 1_000 * UNIT,
                case="a new minter", includes="MINTER_ROLE granted, allowance slot written, RoleGranted + MinterConfigured")
    rec.measure("CareUSD.configureMinter.update", w.admin, t, "configureMinter", w.spare, 2_000 * UNIT,
                case="an existing minter's allowance", includes="allowance slot rewritten, MinterConfigured")
    rec.measure("CareUSD.mint", w.admin, t, "mint", w.holder, 1_000 * UNIT,
                case="to an existing holder", includes="role + freeze checks, minter allowance, supply, balance, Transfer + Minted")
    w.tx(w.admin, t, "mint", w.admin, 1_000 * UNIT)
    rec.measure("CareUSD.burn", w.admin, t, "burn", 400 * UNIT, case="part of the minter's balance",
                includes="role check, supply and balance decreased, Transfer + Burned")
    rec.measure("CareUSD.removeMinter", w.admin, t, "removeMinter", w.spare,
                case="an existing minter", includes="MINTER_ROLE revoked, allowance cleared (refund), RoleRevoked + MinterRemoved")
    rec.measure("CareUSD.freeze", w.admin, t, "freeze", w.spare, case="an account",
                includes="freeze flag written, AccountFrozen")
    rec.measure("CareUSD.unfreeze", w.admin, t, "unfreeze", w.spare, case="that account",
                includes="freeze flag cleared (refund), AccountUnfrozen")
    chain.snapshot()
    try:
        rec.measure("CareUSD.pause", w.admin, t, "pause", case="the token", includes="paused flag, Paused")
        rec.measure("CareUSD.unpause", w.admin, t, "unpause", case="the token", includes="paused flag cleared, Unpaused")
    finally:
        chain.revert()
    _measure_signed(rec)
    measure_roles(rec, t, "PAUSER_ROLE")
    measure_admin_rules(rec, t)


def _measure_signed(rec: Recorder) -> None:
    w = rec.world
    t, node, chain = w.token, w.node, w.chain
    deadline = chain.now + 3600
    # One permit first, so that both measured forms find the owner's nonce slot already non-zero.
    sig = signatures.permit(node, t.address, w.holder, w.operator, UNIT, 0, deadline)
    w.tx(w.keeper, t, "permit(address,address,uint256,uint256,bytes)", w.holder, w.operator, UNIT, deadline, sig)
    for form, key in (("bytes", "permit(address,address,uint256,uint256,bytes)"),
                      ("v,r,s", "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)")):
        nonce = t.call(node, "nonces", w.holder)
        sig = signatures.permit(node, t.address, w.holder, w.operator, 10 * UNIT * (nonce + 1), nonce, deadline)
        args = (sig,) if form == "bytes" else signatures.split_vrs(sig)
        rec.measure(f"CareUSD.{key}", w.keeper, t, key, w.holder, w.operator, 10 * UNIT * (nonce + 1), deadline, *args,
                    case=f"{form} signature, submitted by a relayer (not the owner's first permit)",
                    includes="ECDSA recovery, permit nonce, allowance written, Approval event")
    after, before = chain.now - 1, chain.now + 3600
    for kind, fn, submitter, to in (("TransferWithAuthorization", "transferWithAuthorization", w.keeper, w.fund),
                                    ("ReceiveWithAuthorization", "receiveWithAuthorization", w.fund, w.fund)):
        for form in ("bytes", "v,r,s"):
            nonce = bytes([len(rec.rows) % 256]) + b"\x42" * 31
            sig = signatures.authorization(node, kind, t.address, w.holder, to, 10 * UNIT, after, before, nonce)
            args = (sig,) if form == "bytes" else signatures.split_vrs(sig)
            signature = t.function(fn, 6 + len(args)).signature
            rec.measure(f"CareUSD.{signature}", submitter, t, signature, w.holder, to, 10 * UNIT, after, before, nonce,
                        *args, case=f"{form} signature, to an existing holder",
                        includes="ECDSA recovery, nonce marked used, AuthorizationUsed; " + TRANSFER)
    for form in ("bytes", "v,r,s"):
        nonce = bytes([len(rec.rows) % 256]) + b"\x43" * 31
        sig = signatures.cancel(node, t.address, w.holder, nonce)
        args = (sig,) if form == "bytes" else signatures.split_vrs(sig)
        signature = t.function("cancelAuthorization", 2 + len(args)).signature
        rec.measure(f"CareUSD.{signature}", w.keeper, t, signature, w.holder, nonce, *args,
                    case=f"{form} signature", includes="ECDSA recovery, nonce marked used, AuthorizationCanceled")
