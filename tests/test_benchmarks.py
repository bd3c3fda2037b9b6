"""Smoke tests of benchmarks/: each benchmark's quick mode runs and prints ratios.

No assertion is made on any time: only that the scripts run, print a table and print
``RATIO`` lines that ``benchmarks/run_all.py`` understands (see ``benchmarks/README.md``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def _run_all_module():
    spec = importlib.util.spec_from_file_location("run_all", BENCH / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module
    spec.loader.exec_module(module)
    return module


run_all = _run_all_module()
#: The browser part of bench_render is checked in the browser-marked test below.
#: Their quick modes are what ``make bench`` runs; here the smallest sizes that still run every
#: comparison suffice (issue 26: the smoke runs take under a minute of the suite in all).
#: bench_places times a cold index build in make bench; here the session's warm cache serves
#: (the suite builds the index once, tests/conftest.py). bench_examples compares the first map
#: of data/maps.yaml against this very commit (HEAD, whose place index is the warm one),
#: not 0.1, whose own index format would be built cold in every run.
EXTRA_ARGS = {
    "bench_render": ["--no-browser", "--sizes", "100,300"],
    "bench_scale": ["--sizes", "1000,3000"],
    "bench_places": ["--warm-cache", "--sizes", "10000,500"],
    "bench_examples": ["--repeats", "1", "--maps", "1", "--baseline", "HEAD"],
    "bench_routes": ["--sizes", "1000,40,4"],
    "bench_aggregate": ["--records", "40000"],
}


def _run(args: list[str], timeout: float = 600) -> str:
    proc = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("script", run_all.discover(BENCH), ids=lambda p: p.stem)
def test_quick_mode_prints_ratios(script: Path) -> None:
    out = _run([str(script), "--quick", *EXTRA_ARGS.get(script.stem, [])])
    ratios, _ = run_all.parse(out.splitlines())
    assert ratios, f"{script.name} printed no RATIO lines:\n{out[-2000:]}"
    assert all(value > 0 for _, value, _ in ratios)


@pytest.mark.slow
def test_render_budget_skip_is_reported() -> None:
    # A budget of 0 s: everything measured at 20 flows is skipped at 30, and the table says so.
    out = _run(
        [str(BENCH / "bench_render.py"), "--sizes", "20,30", "--no-browser", "--budget", "0"]
    )
    assert "skipped (>0 s expected from 20)" in out
    _, skips = run_all.parse(out.splitlines())
    assert ("render.time.polyline.30", "skipped (>0 s expected from 20)") in skips


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium not installed")
def test_render_browser_load_times() -> None:
    out = _run(
        [str(BENCH / "bench_render.py"), "--sizes", "30", "--contenders", "geoflows,geojson"]
    )
    ratios, _ = run_all.parse(out.splitlines())
    assert "render.load.geojson.30" in {name for name, _, _ in ratios}


@pytest.mark.slow
def test_run_all_summary_of_render() -> None:
    out = _run(
        [str(BENCH / "run_all.py"), "--only", "render", "--", "--sizes", "30", "--no-browser"]
    )
    for name in (
        "geoflows read_flows+to_html",
        "folium PolyLine per flow",
        "folium GeoJson",
        "explore",
        "floor: hand-written Leaflet canvas",
    ):
        assert name in out
    assert "=== summary" in out
    summary = out.split("=== summary", 1)[1]
    ratios, _ = run_all.parse(out.splitlines())
    names = {name for name, _, _ in ratios}
    assert {"render.time.polyline.30", "render.size.geojson.30", "render.time.explore.30"} <= names
    assert all(name in summary for name in names)
    assert "bench_render.py: ok" in summary


def test_parse_convention() -> None:
    lines = [
        "RATIO places.geocode.1k: 12.5x (time, loop / geoflows, 1,000 names)",
        "RATIO bad name: 2x (spaces in the name are not allowed)",
        "  RATIO indented.line: 2x (must start at column 0)",
        "SKIP render.time.polyline.100k: skipped (>60 s at 10k)",
        "a table row 3.0x",
    ]
    ratios, skips = run_all.parse(lines)
    assert ratios == [("places.geocode.1k", 12.5, "time, loop / geoflows, 1,000 names")]
    assert skips == [("render.time.polyline.100k", "skipped (>60 s at 10k)")]
