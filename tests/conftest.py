"""Shared test set-up. Each contract's tests add their own fixtures in tests/<area>/conftest.py."""

import ape_speedups

ape_speedups.install()
