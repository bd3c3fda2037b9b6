"""Fixtures for every test module."""

from __future__ import annotations

import pytest

from geoflows.render import _basemap
from geoflows.routes import _network


@pytest.fixture(scope="session", autouse=True)
def _place_index_ready():
    """Build the place index once, before any test, so no test pays a cold build.

    Subprocess tests (the CLI, two interpreters writing the same bytes) would otherwise each
    build the 78 MB index under their timeout on a fresh machine. With ``-n 2`` both workers
    start here: one builds while the other waits on the lock, then finds it built.
    """
    import fcntl

    from geoflows._files import cache_dir
    from geoflows.places import _index

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / ".test-index.lock", "w")  # noqa: SIM115 - held for the build
    except OSError:  # a read-only cache: each process builds in memory, as users would
        _index.load_or_build()
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _index.load_or_build()


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
