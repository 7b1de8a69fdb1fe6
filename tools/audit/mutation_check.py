"""Checks that the Foundry invariant suite still catches known bugs: each mutation below is applied to a copy
of contracts/ in a temporary directory (the checkout is never touched), the invariant campaign is run on it,
and the mutation must make the campaign fail. INVARIANTS.md §9 lists what each one is caught by.

Usage: .venv/bin/python tools/audit/mutation_check.py [--profile default|deep] [--runs N] [name ...]
Exit status 1 when a mutation survives (the campaign passed on the mutant) or does not apply.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORGE = ROOT / "node_modules" / "@foundry-rs" / "forge-linux-amd64" / "bin" / "forge"


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the repository root
    original: str  # must occur exactly once
    mutant: str
    what: str


MUTATIONS = [
    Mutation(
        "half-release",
        "contracts/Regulator.sol",
        "_ledgers[record.programId][record.institutionNumber][record.period].used -= fundAmount;",
        "_ledgers[record.programId][record.institutionNumber][record.period].used -= fundAmount / 2;",
        "the Regulator lowers the budget counter by only half of a release",
    ),
    Mutation(
        "pay-during-freeze",
        "contracts/OutcomeEscrow.sol",
        "bool payoutHeld = payout > 0 && !_payoutAllowed(progress.reservationId);",
        "bool payoutHeld = payout > 0 && !_payoutAllowed(progress.reservationId) && false;",
        "OutcomeEscrow pays a milestone during a freeze instead of holding it",
    ),
    Mutation(
        "ffs-one-unit-short",
        "contracts/FeeForService.sol",
        "ROUTER.pay(params.splitId, charge);",
        "ROUTER.pay(params.splitId, charge - 1);",
        "FeeForService pays the split one unit less than the charge",
    ),
    Mutation(
        "stream-anyone-acts",
        "contracts/CareStream.sol",
        "if (!REGULATOR.mayActFor(stream.reservationId, msg.sender)) {",
        "if (false && !REGULATOR.mayActFor(stream.reservationId, msg.sender)) {",
        "CareStream lets anyone top up, pause, resume or cancel a stream",
    ),
    Mutation(
        "attest-twice",
        "contracts/OutcomeEscrow.sol",
        "if (progress.attestedMask & attestorBit != 0) {",
        "if (progress.attestedMask & attestorBit != 0 && false) {",
        "OutcomeEscrow counts a second attestation by the same attestor",
    ),
]


def apply(mutation: Mutation, tree: Path) -> None:
    target = tree / mutation.path
    text = target.read_text()
    count = text.count(mutation.original)
    if count != 1:
        raise SystemExit(f"mutation {mutation.name}: expected the original text once in {mutation.path}, found {count}"
                         " (the contract changed: update tools/audit/mutation_check.py)")
    target.write_text(text.replace(mutation.original, mutation.mutant))


def copy_tree(tree: Path) -> None:
    for name in ("contracts", "foundry"):
        shutil.copytree(ROOT / name, tree / name)
    shutil.copy(ROOT / "foundry.toml", tree / "foundry.toml")
    for name in ("node_modules", ".solcx"):
        (tree / name).symlink_to((ROOT / name).resolve())


def run(mutation: Mutation, profile: str, runs: int | None) -> tuple[bool, str, float]:
    with tempfile.TemporaryDirectory(prefix=f"carepay-mutant-{mutation.name}-") as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        apply(mutation, tree)
        env = dict(os.environ, FOUNDRY_PROFILE=profile)
        if runs:
            env["FOUNDRY_INVARIANT_RUNS"] = str(runs)
        start = time.monotonic()
        result = subprocess.run([str(FORGE), "test", "--match-path", "foundry/invariant/*"], cwd=tree, env=env,
                                capture_output=True, text=True)
        seconds = time.monotonic() - start
        output = result.stdout + result.stderr
        if "Compiler run failed" in output:
            raise SystemExit(f"mutation {mutation.name} does not compile:\n{output[-2000:]}")
        failure = re.search(r"\[FAIL: (.*)\]", output)
        return bool(failure), failure.group(1) if failure else "campaign passed", seconds


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="default", help="foundry.toml profile (default: the quick one)")
    parser.add_argument("--runs", type=int, help="invariant runs (default: the profile's)")
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    survived = 0
    for mutation in chosen:
        caught, reason, seconds = run(mutation, args.profile, args.runs)
        survived += not caught
        print(f"{'caught  ' if caught else 'SURVIVED'} {mutation.name} ({mutation.what}): {reason} [{seconds:.0f} s]")
    print(f"{len(chosen) - survived} of {len(chosen)} mutations caught (profile {args.profile})")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
