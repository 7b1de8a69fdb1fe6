"""Shared test set-up for every folder: the hypothesis profiles and ape's test-only shortcuts.

Each contract's tests add their own fixtures in tests/<area>/conftest.py.
"""

import ape_speedups
import hypothesis_profiles  # noqa: F401  (registers and loads the profiles)

ape_speedups.install()
