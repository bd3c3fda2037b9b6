"""The disk cache of routed network legs (sea, coastal, rail) and informative route notes."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import geoflows as gf
from geoflows.errors import CacheWarning, RouteFallbackWarning
from geoflows.routes import _coastal, _network, build_routes, clear_route_cache

RAJIN = (130.28308, 42.25559)
VLADIVOSTOK = (131.87353, 43.10562)
BUSAN = (129.04, 35.10)
SINGAPORE = (103.85, 1.26)
NAMPO = (125.40, 38.73)
KHABAROVSK = (135.07, 48.48)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    clear_route_cache(disk=False)
    yield
    clear_route_cache(disk=False)


def _legs(kind, *pairs):
    o = np.array([p[0] for p in pairs], dtype=float)
    d = np.array([p[1] for p in pairs], dtype=float)
    return _network.network_legs(kind, o[:, 0], o[:, 1], d[:, 0], d[:, 1])


def _no_network(monkeypatch):
    """Make every sea and rail query fail loudly: only a cached answer can come back."""

    def refuse(*args):
        raise AssertionError("the network was asked although the leg is cached")

    monkeypatch.setattr(_network, "_call_searoute", refuse)
    monkeypatch.setattr(_coastal, "coastal_path", refuse)
    monkeypatch.setattr(_network, "_rail_graph", refuse)


def _new_process_state():
    """Forget what this process knows, keep the file: as a new process would start."""
    clear_route_cache(disk=False)


def test_a_sea_leg_read_back_is_the_same_float64_bytes(monkeypatch):
    first, notes = _legs("sea", (RAJIN, VLADIVOSTOK), (RAJIN, SINGAPORE))
    assert _network.route_cache_path().exists()
    _new_process_state()
    _no_network(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again, notes_again = _legs("sea", (RAJIN, VLADIVOSTOK), (RAJIN, SINGAPORE))
    assert notes_again == notes
    assert notes[0] == _coastal.COASTAL_NOTE and notes[1] == ""
    for a, b in zip(first, again, strict=True):
        assert a.dtype == b.dtype == np.float64 and a.tobytes() == b.tobytes()


def test_the_file_is_read_once_per_process(monkeypatch):
    _legs("sea", (RAJIN, VLADIVOSTOK))
    _new_process_state()
    reads = []
    real = _network._read_disk
    monkeypatch.setattr(_network, "_read_disk", lambda p: reads.append(p) or real(p))
    _no_network(monkeypatch)
    for _ in range(3):
        _legs("sea", (RAJIN, VLADIVOSTOK))
    assert len(reads) == 1


@pytest.mark.slow
def test_a_rail_leg_is_cached_too():
    pytest.importorskip("scgraph_data")
    first, notes = _legs("rail", (VLADIVOSTOK, KHABAROVSK))
    assert first[0] is not None and notes == [""]
    _new_process_state()
    with pytest.MonkeyPatch.context() as mp:
        _no_network(mp)
        again, _ = _legs("rail", (VLADIVOSTOK, KHABAROVSK))
    assert again[0].tobytes() == first[0].tobytes()


def test_another_version_is_not_served(monkeypatch):
    _legs("sea", (RAJIN, BUSAN))
    _new_process_state()
    calls = []
    real = _network._call_searoute
    monkeypatch.setattr(_network, "_call_searoute", lambda o, d: calls.append(o) or real(o, d))
    _network._version.cache_clear()
    monkeypatch.setattr(_network, "_DISK_FORMAT", _network._DISK_FORMAT + 1)
    try:
        _legs("sea", (RAJIN, BUSAN))
    finally:
        _network._version.cache_clear()
    assert len(calls) == 1  # the entry of the old version was not used


def test_a_changed_land_file_is_not_served_old_legs(monkeypatch, tmp_path):
    """The sea version holds the land file's stamp: rewriting the file drops the old legs."""
    import os
    import shutil

    from geoflows import _land

    real_path = _land._asset_path
    land = tmp_path / _land.FINE_FILE
    shutil.copyfile(real_path(f"basemap/{_land.FINE_FILE}"), land)
    os.utime(land, ns=(1_000_000_000, 1_000_000_000))
    monkeypatch.setattr(
        _land,
        "_asset_path",
        lambda name: land if name.endswith(_land.FINE_FILE) else real_path(name),
    )
    _network._version.cache_clear()
    try:
        _legs("sea", (RAJIN, BUSAN))
        _new_process_state()
        calls = []
        real = _network._call_searoute
        monkeypatch.setattr(_network, "_call_searoute", lambda o, d: calls.append(o) or real(o, d))
        _legs("sea", (RAJIN, BUSAN))
        assert calls == []  # same file: served from disk
        os.utime(land, ns=(2_000_000_000, 2_000_000_000))  # as a reinstall would leave it
        _network._version.cache_clear()
        _new_process_state()
        _legs("sea", (RAJIN, BUSAN))
    finally:
        _network._version.cache_clear()
    assert len(calls) == 1  # the leg computed against the old file was not used


def test_failed_legs_are_not_written(monkeypatch):
    def broken(o, d):
        raise RuntimeError("graph exploded")

    monkeypatch.setattr(_network, "_call_searoute", broken)
    coords, notes = _legs("sea", (RAJIN, BUSAN))
    assert coords == [None] and "graph exploded" in notes[0]
    assert not _network.route_cache_path().exists()


def test_the_file_keeps_the_most_recent_legs(monkeypatch):
    monkeypatch.setattr(_network, "DISK_MAX_LEGS", 2)
    for pair in [(RAJIN, BUSAN), (RAJIN, NAMPO), (BUSAN, NAMPO)]:
        _legs("sea", pair)
    disk = _network._read_disk(_network.route_cache_path())
    kept = [k[1:] for k in disk]
    assert kept == [(*RAJIN, *NAMPO), (*BUSAN, *NAMPO)]


def test_corrupt_cache_warns_once_routes_and_is_rewritten():
    path = _network.route_cache_path()
    path.write_bytes(b"not an npz")
    with pytest.warns(CacheWarning, match="failed its check") as caught:
        coords, notes = _legs("sea", (RAJIN, SINGAPORE))
        _legs("sea", (RAJIN, NAMPO))
    assert len([w for w in caught if w.category is CacheWarning]) == 1
    assert coords[0] is not None and notes == [""]
    _new_process_state()
    _network._warn_once.warned = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert len(_network._read_disk(path)) == 2


def test_unwritable_cache_warns_once_and_routes_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setattr(_network, "route_cache_path", lambda: blocker / "routes.npz")
    with pytest.warns(CacheWarning, match="cannot write the route cache") as caught:
        first, _ = _legs("sea", (RAJIN, BUSAN))
        _legs("sea", (RAJIN, NAMPO))
    assert len([w for w in caught if w.category is CacheWarning]) == 1
    assert "GEOFLOWS_CACHE_DIR" in str(caught[0].message)
    _no_network(monkeypatch)
    again, _ = _legs("sea", (RAJIN, BUSAN))  # the process cache still answers
    assert again[0] is first[0]


def test_clear_route_cache_deletes_the_file_unless_asked_not_to():
    _legs("sea", (RAJIN, BUSAN))
    path = _network.route_cache_path()
    clear_route_cache(disk=False)
    assert path.exists()
    clear_route_cache()
    assert not path.exists()


def test_a_coastal_leg_is_a_sea_route_with_a_note_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RouteFallbackWarning)
        flows = gf.read_flows(
            [{"origin": "Rajin", "destination": "Vladivostok", "volume": 2000, "mode": "sea"}]
        )
        r = build_routes(*RAJIN, *VLADIVOSTOK, via=[[(131.0, 42.3)]], mode="sea")
    g = flows.to_geodataframe()
    assert g["route_kind"].tolist() == ["sea"]
    assert flows[0].route_note == _coastal.COASTAL_NOTE
    assert "sea (sea route along the coast (lane network too coarse here))" in flows.to_html()
    assert r.route_kind.tolist() == ["sea"]  # a note on one leg of two is no fallback either


def test_a_failed_leg_still_falls_back_with_a_warning():
    with pytest.warns(RouteFallbackWarning, match="sea route not found"):
        r = build_routes([37.62], [55.75], [49.11], [55.79], mode="sea")  # Moscow -> Kazan
    assert r.route_kind.tolist() == ["geodesic"] and "not found" in r.route_note[0]


_CHILD = """
import sys
from pathlib import Path
import geoflows as gf
from geoflows.routes import _network
_network.route_cache_path = lambda: Path(sys.argv[1])
calls = []
real = _network._call_searoute
_network._call_searoute = lambda o, d: calls.append(o) or real(o, d)
flows = gf.read_flows(sys.argv[2])
flows.save_map(sys.argv[3])
print(len(calls))
"""


@pytest.mark.slow
def test_the_example_map_is_the_same_bytes_with_a_cold_and_a_warm_cache(tmp_path):
    cache = tmp_path / "routes.npz"
    data = ROOT / "data" / "dprk_russia_2023_2024.csv"
    runs = []
    for name in ("cold.html", "warm.html"):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(cache), str(data), str(tmp_path / name)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        runs.append(int(out.stdout.split()[-1]))
    assert runs[0] > 0 and runs[1] == 0  # the warm process asked searoute nothing
    cold, warm = (tmp_path / "cold.html").read_bytes(), (tmp_path / "warm.html").read_bytes()
    assert cold == warm


_REAL_PATH = _network.route_cache_path  # before the autouse fixture replaces it


def test_the_file_lies_in_the_geoflows_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOFLOWS_CACHE_DIR", str(tmp_path))
    assert _REAL_PATH() == tmp_path / "routes.npz"


_WRITER = """
import sys
from pathlib import Path
import numpy as np
from geoflows.routes import _network
path, me = Path(sys.argv[1]), int(sys.argv[2])
for i in range(25):
    leg = np.array([[me, i], [me + 0.5, i + 0.5]], dtype="float64")
    _network._write_disk(path, {("sea", float(me), float(i), 0.0, 0.0): ("v", leg, "")})
"""


@pytest.mark.slow
def test_parallel_writers_never_corrupt_the_file(tmp_path):
    path = tmp_path / "routes.npz"
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(me)], cwd=ROOT)
        for me in (1, 2)
    ]
    assert [p.wait(timeout=600) for p in procs] == [0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        disk = _network._read_disk(path)
    # a race may drop entries (the other writer's merge missed them), never the last write
    assert 1 <= len(disk) <= 50
    assert {("sea", 1.0, 24.0, 0.0, 0.0), ("sea", 2.0, 24.0, 0.0, 0.0)} & disk.keys()
    for key, (_, coords, _) in disk.items():
        assert coords.tolist() == [[key[1], key[2]], [key[1] + 0.5, key[2] + 0.5]]
    assert [p.name for p in tmp_path.iterdir()] == ["routes.npz"]  # no temporaries left
