"""Shared fixtures. Each contract's tests add their own fixtures in tests/<area>/conftest.py."""
