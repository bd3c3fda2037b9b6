"""Fixtures for every test module."""

from __future__ import annotations

import pytest

from geoflows.render import _basemap
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
    monkeypatch.setattr(_network._warn_once, "warned", False)


@pytest.fixture(scope="session")
def _session_basemap_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("basemaps")


@pytest.fixture(autouse=True)
def _private_basemap_cache(_session_basemap_dir, monkeypatch):
    """Keep the clipped basemaps of the test run in a folder of its own (never ~/.cache).

    Shared by the tests of one run (a clipped basemap depends on nothing a test changes);
    the tests of the cache itself point it at their own folder.
    """
    monkeypatch.setattr(_basemap, "basemap_cache_dir", lambda: _session_basemap_dir)
    monkeypatch.setattr(_basemap._warn_once, "warned", False)
