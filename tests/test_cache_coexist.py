"""Issue 26 §2: caches that coexist. The folder follows the platform (XDG_CACHE_HOME), and
two installs sharing it keep their own place indexes: none is removed because it differs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from geoflows.places import _index


def _cache_dir_in_a_new_process(env: dict[str, str]) -> str:
    code = "from geoflows._files import cache_dir; print(cache_dir())"
    clean = {
        k: v for k, v in os.environ.items() if k not in ("GEOFLOWS_CACHE_DIR", "XDG_CACHE_HOME")
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
        check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return out.stdout.strip()


def test_the_cache_folder_follows_xdg_and_geoflows_cache_dir_wins(tmp_path):
    xdg = tmp_path / "xdg"
    assert _cache_dir_in_a_new_process({"XDG_CACHE_HOME": str(xdg)}) == str(xdg / "geoflows")
    mine = tmp_path / "mine"
    both = {"XDG_CACHE_HOME": str(xdg), "GEOFLOWS_CACHE_DIR": str(mine)}
    assert _cache_dir_in_a_new_process(both) == str(mine)
    home = _cache_dir_in_a_new_process({"HOME": str(tmp_path / "home")})
    assert home == str(tmp_path / "home" / ".cache" / "geoflows")


def _index_file(folder: Path, name: str, age_days: float, now: float) -> Path:
    path = folder / f"places-index-{name}.npz"
    path.write_bytes(b"x")
    note = _index.verified_path(path)
    note.write_text("n\n", encoding="ascii")
    for p in (path, note):
        os.utime(p, (now - age_days * 86400, now - age_days * 86400))
    return path


def test_two_installs_alternating_keep_each_others_index(tmp_path):
    now = 2_000_000_000.0
    a = _index_file(tmp_path, "a", 0.5, now)
    b = _index_file(tmp_path, "b", 0.2, now)
    for _ in range(5):  # each install writes its index and prunes, in turn
        assert _index._prune_stale(a, now=now) == []
        assert _index._prune_stale(b, now=now) == []
    assert a.exists() and b.exists()


def test_stale_indexes_go_by_age_and_by_count_not_by_difference(tmp_path):
    now = 2_000_000_000.0
    keep = _index_file(tmp_path, "keep", 0, now)
    recent = [_index_file(tmp_path, f"r{k}", k + 1, now) for k in range(3)]
    old = _index_file(tmp_path, "old", _index.STALE_INDEX_DAYS + 1, now)
    pickled = tmp_path / "places-index-f5.pkl"
    pickled.write_bytes(b"x")
    gone = _index._prune_stale(keep, now=now)
    assert keep.exists()
    # the two most recently used other versions stay; the third, the month-old and the pickle go
    assert recent[0].exists() and recent[1].exists()
    assert set(gone) == {
        recent[2],
        _index.verified_path(recent[2]),
        old,
        _index.verified_path(old),
        pickled,
    }


def test_loading_an_index_marks_it_used(tmp_path, monkeypatch):
    now = time.time()
    path = _index_file(tmp_path, "a", 40, now)
    # the load path itself, with the file's reading stood in for (the index is a stub here)
    monkeypatch.setattr(_index, "cache_path", lambda: path)
    monkeypatch.setattr(_index, "read_index", lambda p: {"loaded": str(p)})
    assert _index.load_or_build() == {"loaded": str(path)}
    assert abs(_index._last_used(path) - time.time()) < 3600  # used now, not 40 days ago
    assert path.stat().st_mtime == now - 40 * 86400  # the index itself is untouched
