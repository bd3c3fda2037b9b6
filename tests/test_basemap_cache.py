"""The disk cache of clipped basemaps: plain arrays, checked when read, bounded, never fatal."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pytest

import geoflows as gf
from geoflows.render import _basemap as B
from geoflows.render import basemap

BOUNDS = [[42.2, 130.2], [43.2, 132.0]]  # Rajin–Vladivostok
EXTENT = (130.2, 42.2, 132.0, 43.2)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of this test's own, and no basemap remembered in memory."""
    monkeypatch.setattr(B, "basemap_cache_dir", lambda: tmp_path)
    B._basemap_for.cache_clear()
    B._packed_for.cache_clear()
    yield tmp_path
    B._basemap_for.cache_clear()
    B._packed_for.cache_clear()


def _forget() -> None:
    """As a new process would start: nothing in memory, the disk cache as it is."""
    B._basemap_for.cache_clear()
    B._packed_for.cache_clear()


def _only_file(folder):
    (f,) = folder.glob("basemap-*.npz")
    return f


def test_a_clipped_basemap_is_stored_and_read_back_equal(cache, monkeypatch):
    first = basemap("countries", BOUNDS)
    stored = _only_file(cache)
    with np.load(stored, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["cuts", "flat", "packed", "precision", "sizes"]
        assert npz["flat"].dtype == np.int32 and int(npz["sizes"].sum()) == npz["flat"].size
    _forget()
    calls = []
    monkeypatch.setattr(B, "_clip_extent", lambda extent: calls.append(extent))
    assert basemap("countries", BOUNDS) == first and calls == []  # read, not clipped


def test_a_map_page_is_the_same_bytes_with_a_cold_or_a_warm_cache(cache):
    flows = gf.read_flows(
        [{"origin": "Rajin", "destination": "Vladivostok", "mode": "sea", "volume": 2000}]
    )
    cold = flows.to_html(tiles=None)
    assert len(list(cache.glob("basemap-*.npz"))) == 1
    _forget()
    assert flows.to_html(tiles=None) == cold


def _damaged(kind: str) -> bytes:
    """A cache file broken in one way only (every other array as a good file has it)."""
    from geoflows.render._encode import safe_json

    out = B._outlines(3, np.arange(16, dtype=np.int64), np.array([8, 8], dtype=np.int64))
    packed = out.packed
    if kind == "markup":  # what goes into the page must be packed numbers and nothing else
        packed = {**packed, "rings": {**packed["rings"], "z": "</script><b>{{7*7}}</b>"}}
    elif kind == "count":
        packed = {**packed, "sizes": {**packed["sizes"], "n": 3}}
    elif kind == "not a dict":
        packed = 3
    arrays = {
        "precision": np.int64(out.precision),
        "flat": out.flat.astype(np.int32),
        "sizes": out.sizes.astype(np.int32),
        "packed": np.frombuffer(safe_json(packed).encode("ascii"), dtype=np.uint8),
    }
    if kind == "garbage":
        return b"PK\x03\x04 not really a zip"
    if kind == "pickled":
        arrays["flat"] = np.array([object(), 1], dtype=object)
    elif kind == "sizes":
        arrays["sizes"] = np.array([8, 6], dtype=np.int32)
    elif kind == "floats":
        arrays["flat"] = arrays["flat"].astype(float)
    elif kind == "precision":
        arrays["precision"] = np.int64(40)
    elif kind == "no packed":
        del arrays["packed"]
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_a_good_file_passes_the_check(cache):
    path = cache / "basemap-good.npz"
    good = B._outlines(3, np.arange(16, dtype=np.int64), np.array([8, 8], dtype=np.int64))
    B._write_disk(path, good)
    read = B._read_disk(path)
    assert read.packed == good.packed and read.flat.tolist() == list(range(16))


@pytest.mark.parametrize(
    "kind",
    [
        "garbage",
        "pickled",
        "sizes",
        "floats",
        "precision",
        "markup",
        "count",
        "not a dict",
        "no packed",
    ],
)
def test_a_damaged_file_warns_once_and_is_clipped_again(cache, kind):
    expected = basemap("countries", BOUNDS)
    stored = _only_file(cache)
    stored.write_bytes(_damaged(kind))
    _forget()
    with pytest.warns(gf.CacheWarning, match="basemap cache .* failed its check") as caught:
        again = basemap("countries", BOUNDS)
    assert again == expected and len(caught) == 1
    _forget()  # and the file was written afresh
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert basemap("countries", BOUNDS) == expected


def test_an_unwritable_cache_folder_warns_and_the_map_is_still_drawn(cache, monkeypatch):
    blocker = cache / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setattr(B, "basemap_cache_dir", lambda: blocker)
    with pytest.warns(gf.CacheWarning, match="cannot write the basemap cache") as caught:
        bm = basemap("countries", BOUNDS)
    assert caught[0].filename == __file__  # the user's line, not one of geoflows'
    assert len(bm["rings"]) >= 5 and bm == basemap("countries", BOUNDS)


def test_the_oldest_files_go_beyond_the_limit(cache, monkeypatch):
    monkeypatch.setattr(B, "DISK_MAX_FILES", 2)
    for k in range(4):
        basemap("countries", [[42.2, 130.2 + k], [43.2, 132.0 + k]])
    kept = sorted(f.name for f in cache.glob("basemap-*.npz"))
    newest = sorted(
        B._disk_path(B._extent([[42.2, 130.2 + k], [43.2, 132.0 + k]])).name for k in (2, 3)
    )
    assert kept == newest


def test_new_code_or_data_never_reads_an_old_file(cache, monkeypatch, tmp_path_factory):
    B._stamp.cache_clear()
    stamp = B._stamp()
    assert stamp.startswith(f"format {B.DISK_FORMAT}|")
    old = B._disk_path(EXTENT)
    # a reinstalled or edited module: same content, another time, another file name
    copy = tmp_path_factory.mktemp("code") / "_basemap.py"
    copy.write_bytes(Path(B.__file__).read_bytes())
    monkeypatch.setattr(B, "__file__", str(copy))
    B._stamp.cache_clear()
    try:
        assert B._stamp() != stamp and B._disk_path(EXTENT) != old
    finally:
        monkeypatch.undo()
        B._stamp.cache_clear()
    assert B._disk_path(EXTENT).name == old.name
