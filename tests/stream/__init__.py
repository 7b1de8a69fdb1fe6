"""CareStream tests (a package, so that the helpers import relatively and test names stay unique)."""
