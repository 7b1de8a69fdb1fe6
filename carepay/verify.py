"""Check every invariant of INVARIANTS.md against a live chain, independently of the code that made it.

`verify(w3, addresses, from_block)` reads every event of the suite's contracts from `from_block`
(the deployment block: the expected state is rebuilt from events alone, so it must see them all),
replays them through one book per contract (`carepay.ledger`), and compares the rebuilt state with
the chain's views and token balances to the unit. Each invariant gets one `Check` (status pass,
fail or "not checkable from chain data", with why); each failed comparison is a `Breach` naming the
invariant, the contract and item, the quantity, the expected and the actual value.

    result = verify(w3, suite.addresses(), deployment_block)
    if not result.ok:
        for breach in result.breaches:
            print(breach.message)
"""

from __future__ import annotations

from web3 import Web3

from carepay.ledger.reader import DEFAULT_BLOCK_RANGE, ReaderError, read_chain
from carepay.ledger.replay import Replay, replay
from carepay.ledger.result import FAIL, NOT_CHECKABLE, PASS, Breach, Check, VerifyResult

__all__ = ["verify", "verify_replay", "VerifyResult", "Check", "Breach", "ReaderError", "ORDER", "PASS", "FAIL", "NOT_CHECKABLE"]

#: The invariants in the order of INVARIANTS.md (F2/F4: the fee-for-service module, when deployed).
ORDER = [
    "T1", "T2", "T3", "T4", "T5",
    "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10",
    "P1", "P2", "P3",
    "S1", "S2", "S3", "S4", "S5",
    "C1", "C2", "C3", "C4", "C5", "C6", "C7",
    "E1", "E2", "E3", "E4", "E5",
    "F2", "F4",
    "X1", "X2", "X3", "X4", "X5", "X6", "X7",
]

T5 = "Every privileged function reverts for every account without its role; the default admin changes only in two steps after the delay."


def verify(
    w3: Web3,
    addresses: dict[str, str],
    from_block: int,
    to_block: int | None = None,
    block_range: int = DEFAULT_BLOCK_RANGE,
) -> VerifyResult:
    """Reads the chain from `from_block` (the suite's deployment block) and checks every invariant."""
    return verify_replay(replay(read_chain(w3, addresses, from_block, to_block, block_range)))


def verify_replay(done: Replay) -> VerifyResult:
    audit = done.audit
    audit.not_checkable(
        "T5", T5,
        "refused calls leave no event and roles are not invariants of a history; proved by tests/careusd/test_roles.py",
    )
    chain = done.ctx.chain
    return VerifyResult(
        audit.checks(ORDER), from_block=chain.from_block, to_block=chain.to_block, events=len(chain.events),
    )
