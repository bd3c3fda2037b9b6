"""geoflows._files: one atomic writer for every file geoflows writes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from geoflows import _files, io
from geoflows.places import _index


def test_io_re_exports_the_one_writer() -> None:
    for name in ("atomic_output", "write_atomic", "write_text_atomic", "check_input_file"):
        assert getattr(io, name) is getattr(_files, name)


def test_index_cache_goes_through_the_atomic_writer(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "index.npz"
    index = {"format": _index.INDEX_FORMAT, "lat": np.array([1.0, 2.0])}
    _index.save_index(index, path)
    first = path.read_bytes()

    def stop(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", stop)
    with pytest.raises(KeyboardInterrupt):
        _index.save_index({**index, "lat": np.array([3.0, 4.0])}, path)
    monkeypatch.undo()
    assert path.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == ["index.npz"]
    with np.load(path, allow_pickle=False) as npz:
        assert npz["lat"].tolist() == [1.0, 2.0]


def test_stale_temporaries_of_one_file_only(tmp_path: Path) -> None:
    out = tmp_path / "m[1].html"
    mine = tmp_path / ".m[1].html.x7.tmp"  # an older version's name, for this file only
    mine.mkdir()
    (mine / "m[1].html").write_text("half")
    other = tmp_path / ".other.html.x7.tmp"
    other.mkdir()
    for p in (mine / "m[1].html", mine, other):
        os.utime(p, (0, 0))
    assert _files.remove_stale_temporaries(out) == [mine]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.html.x7.tmp"]


def test_file_stamp_follows_size_and_mtime_not_reads(tmp_path: Path) -> None:
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"one")
    b.write_bytes(b"two")
    os.utime(a, ns=(5_000_000_000, 5_000_000_000))
    os.utime(b, ns=(5_000_000_000, 5_000_000_000))
    first = _files.file_stamp([a, b])
    assert first == _files.file_stamp([str(a), str(b)]) and len(first) == 12
    assert _files.file_stamp([b, a]) != first  # the order is part of the stamp
    a.write_bytes(b"one!")  # a new size
    os.utime(a, ns=(5_000_000_000, 5_000_000_000))
    second = _files.file_stamp([a, b])
    assert second != first
    os.utime(a, ns=(5_000_000_001, 5_000_000_001))  # one nanosecond later
    assert _files.file_stamp([a, b]) not in (first, second)
    with pytest.raises(FileNotFoundError):
        _files.file_stamp([tmp_path / "missing.bin"])
