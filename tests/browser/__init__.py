"""Browser tests (a package, so its conftest and tests/conftest.py do not clash by name)."""
