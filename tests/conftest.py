"""Shared test set-up for every folder: the hypothesis profiles, ape's test-only shortcuts and the order.

Each contract's tests add their own fixtures in tests/<area>/conftest.py.
"""

from pathlib import Path

import ape_speedups
import hypothesis_profiles  # noqa: F401  (registers and loads the profiles)
import pytest

ape_speedups.install()

# Longest folders first (measured; the whole-suite state machine is one test of about a minute), so that
# under `make test`'s two xdist workers the long ones start at once and the short ones fill in. Folders
# not listed follow in alphabetical order.
LONGEST_FIRST = ("system", "regulator", "escrow", "stream", "splits", "careusd")


def _folder(item) -> str:
    return Path(str(item.fspath)).parent.name


def _rank(item) -> int:
    folder = _folder(item)
    return LONGEST_FIRST.index(folder) if folder in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items):
    items.sort(key=_rank)  # stable: a folder's own order is kept
    # One folder runs on one xdist worker (`--dist loadgroup`), in its usual order: ape's chain isolation
    # (a snapshot per fixture scope, "rebasing" when a session fixture appears late) is only sound when
    # a worker does not interleave the tests of different folders - their session fixtures share names.
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_folder(item)))
