"""Fixtures for every test module."""

from __future__ import annotations

import pytest

from geoflows.routes import _network


@pytest.fixture(autouse=True)
def _private_route_cache(tmp_path_factory, monkeypatch):
    """Give each test its own, empty disk cache of routes (never the user's ~/.cache).

    Tests count network queries and plant broken routers; a leg remembered by an earlier
    test (or planted by one) must not answer for them.
    """
    path = tmp_path_factory.mktemp("routes") / "routes.npz"
    monkeypatch.setattr(_network, "route_cache_path", lambda: path)
    monkeypatch.setattr(_network, "_DISK", None)
    monkeypatch.setattr(_network, "_DISK_WARNED", False)
