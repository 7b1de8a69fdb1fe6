"""What `verify` reports: one check per invariant of INVARIANTS.md, and every breach found, to the unit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS = "pass"
FAIL = "fail"
NOT_CHECKABLE = "not checkable from chain data"


@dataclass
class Breach:
    """One comparison that failed: which invariant, what, where, expected against actual."""

    invariant: str
    subject: str  # e.g. "CareStream stream 3", "CareUSD account 0xAb… (OutcomeEscrow)"
    quantity: str  # e.g. "token balance", "fundOut"
    expected: Any
    actual: Any
    detail: str = ""

    @property
    def message(self) -> str:
        text = f"{self.invariant}: {self.subject}: {self.quantity} expected {self.expected}, actual {self.actual}"
        if isinstance(self.expected, int) and isinstance(self.actual, int) and not isinstance(self.expected, bool):
            text += f" ({self.actual - self.expected:+d} units)"
        return text + (f"; {self.detail}" if self.detail else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "invariant": self.invariant,
            "subject": self.subject,
            "quantity": self.quantity,
            "expected": _jsonable(self.expected),
            "actual": _jsonable(self.actual),
            "detail": self.detail,
            "message": self.message,
        }


@dataclass
class Check:
    """One invariant: what it says, whether it holds, how many comparisons were made and the key figures."""

    id: str
    sentence: str
    status: str = PASS
    compared: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    breaches: list[Breach] = field(default_factory=list)
    reason: str = ""  # why it cannot be checked, or what part of it is not

    @property
    def invariant(self) -> str:
        """The id in INVARIANTS.md (same as `id`, named like `Breach.invariant`)."""
        return self.id

    def equal(self, subject: str, quantity: str, expected: Any, actual: Any, detail: str = "") -> bool:
        """Compares two values; a difference is a breach."""
        return self.holds(expected == actual, subject, quantity, expected, actual, detail)

    def holds(self, condition: bool, subject: str, quantity: str, expected: Any, actual: Any, detail: str = "") -> bool:
        """Records one comparison; when `condition` is false, a breach with both values."""
        self.compared += 1
        if not condition:
            self.breaches.append(Breach(self.id, subject, quantity, expected, actual, detail))
            self.status = FAIL
        return condition

    def line(self) -> str:
        """One line for a terminal: id, status, the sentence, and the comparisons or the reason."""
        tail = f"{self.compared} comparisons" if self.status != NOT_CHECKABLE else self.reason
        return f"{self.id:<4} {self.status:<5} {self.sentence} [{tail}]"

    def figure(self, name: str, value: Any) -> None:
        self.figures[name] = value

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sentence": self.sentence,
            "status": self.status,
            "compared": self.compared,
            "figures": {k: _jsonable(v) for k, v in self.figures.items()},
            "breaches": [b.to_dict() for b in self.breaches],
            "reason": self.reason,
        }


@dataclass
class VerifyResult:
    """Every check, in the order of INVARIANTS.md, and every breach."""

    checks: list[Check]
    from_block: int = 0
    to_block: int = 0
    events: int = 0

    @property
    def breaches(self) -> list[Breach]:
        return [breach for check in self.checks for breach in check.breaches]

    @property
    def ok(self) -> bool:
        return not self.breaches

    def check(self, invariant: str) -> Check:
        for check in self.checks:
            if check.id == invariant:
                return check
        raise KeyError(f"no check {invariant!r}; known: {', '.join(c.id for c in self.checks)}")

    def summary(self) -> str:
        counts = {status: sum(c.status == status for c in self.checks) for status in (PASS, FAIL, NOT_CHECKABLE)}
        verdict = "OK" if self.ok else f"BREACHED ({len(self.breaches)} breach(es))"
        return (
            f"verify {verdict}: blocks {self.from_block}..{self.to_block}, {self.events} events; "
            f"{counts[PASS]} passed, {counts[FAIL]} failed, {counts[NOT_CHECKABLE]} not checkable from chain data"
        )

    def text(self) -> str:
        """The summary, one line per check, then every breach: what a terminal shows."""
        lines = [self.summary(), *(check.line() for check in self.checks)]
        if self.breaches:
            lines += ["", "Breaches:", *(f"  {breach.message}" for breach in self.breaches)]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "from_block": self.from_block,
            "to_block": self.to_block,
            "events": self.events,
            "summary": self.summary(),
            "checks": [c.to_dict() for c in self.checks],
            "breaches": [b.to_dict() for b in self.breaches],
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        return str(value)  # JSON numbers lose precision above 2^53
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class Audit:
    """The checks in the order they were opened; `check(id, sentence)` opens or returns one."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def check(self, invariant: str, sentence: str = "") -> Check:
        if invariant not in self._checks:
            self._checks[invariant] = Check(invariant, sentence)
        elif sentence and not self._checks[invariant].sentence:
            self._checks[invariant].sentence = sentence
        return self._checks[invariant]

    def not_checkable(self, invariant: str, sentence: str, reason: str) -> None:
        check = self.check(invariant, sentence)
        check.status = NOT_CHECKABLE
        check.reason = reason

    def partly(self, invariant: str, reason: str) -> None:
        """Notes the part of a checked invariant that chain data cannot show."""
        self.check(invariant).reason = reason

    def checks(self, order: list[str]) -> list[Check]:
        rank = {invariant: i for i, invariant in enumerate(order)}
        return sorted(self._checks.values(), key=lambda c: (rank.get(c.id, len(rank)), c.id))
