"""Shared test set-up for every folder: the hypothesis profiles, ape's test-only shortcuts and the order.

Each contract's tests add their own fixtures in tests/<area>/conftest.py.
"""

from pathlib import Path

import ape_speedups
import hypothesis_profiles  # noqa: F401  (registers and loads the profiles)

ape_speedups.install()

# Folders whose tests run longest (the whole-suite state machine: one test of about a minute). They go
# first, so that under `make test`'s two xdist workers one starts on them while the other takes the
# many short tests, instead of one worker finishing them alone at the end.
LONG_RUNNING_FIRST = ("system",)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: Path(str(item.fspath)).parent.name not in LONG_RUNNING_FIRST)  # stable
