"""Tests of the ``geoflows`` command, run as a user runs it (a subprocess) where it matters."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import geoflows as gf
from geoflows.cli import cli

DATA = Path(__file__).parent / "data" / "build"
ROOT = Path(__file__).parents[1]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m geoflows ARGS`` and capture its output."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    return subprocess.run(
        [sys.executable, "-m", "geoflows", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=600,
    )


def invoke(*args: str):
    """Run the command in this process (fast), keeping stdout and stderr apart."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# --------------------------------------------------------------------------- subprocess


def test_version_and_schema():
    r = run("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == f"geoflows, version {gf.__version__}"
    r = invoke("schema")
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    assert schema["$schema"].endswith("2020-12/schema") and schema["required"] == ["maps"]


@pytest.mark.slow
def test_build_with_one_bad_map(tmp_path):
    for name in ("flows_a.csv", "flows_b.csv", "bad_volume.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "maps.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            output_dir: out
            defaults: {tiles: null}
            inputs: {a: flows_a.csv, b: flows_b.csv, bad: bad_volume.csv}
            maps:
              - {name: first, input: a}
              - {name: broken, input: bad}
              - {name: both, input: [a, b]}
            """
        )
    )
    r = run("build", "maps.yaml", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["map", "status", "flows", "seconds", "notes"]
    assert lines[1].split()[:3] == ["first", "built", "3"]
    assert lines[2].split()[:2] == ["broken", "failed"] and "bad_volume.csv" in lines[2]
    assert lines[3].split()[:3] == ["both", "built", "5"]
    assert lines[4] == "3 maps in out: 2 built, 0 unchanged, 1 failed"
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["both.html", "first.html"]


def test_geocode_resolves_and_reports_misses():
    r = run("geocode", "Rajin", "Kiev")
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line.split() for line in r.stdout.splitlines()[1:]}
    assert rows["Rajin"][1] == "ok" and "KP" in rows["Rajin"]
    assert rows["Kiev"][1] == "ok" and "UA" in rows["Kiev"]
    r = invoke("geocode", "Vladivostk", "--format", "json")
    assert r.exit_code == 1
    (row,) = json.loads(r.stdout)
    assert row["status"] != "ok"
    assert "Vladivostok" in json.dumps(row["suggestions"])
    r = invoke("geocode", "Vladivostk")
    assert r.exit_code == 1 and "Vladivostok" in r.stdout


def test_geocode_csv_column(tmp_path):
    r = invoke(
        "geocode", "--csv", str(DATA / "flows_b.csv"), "--column", "origin", "--format", "csv"
    )
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("query,status,")
    assert [ln.split(",")[0] for ln in lines[1:]] == ["Moscow", "Vladivostok"]
    r = invoke("geocode", "--csv", str(DATA / "flows_b.csv"), "--column", "nope")
    assert r.exit_code == 2 and "no column 'nope'" in r.stderr


@pytest.mark.slow
def test_validate_prints_every_problem_and_debug_shows_traceback(tmp_path):
    r = run("validate", str(DATA / "bad_volume.csv"), str(DATA / "unknown_place.csv"),
            str(DATA / "flows_a.csv"))  # fmt: skip
    assert r.returncode == 1
    out = r.stdout
    assert f"FAIL {DATA / 'bad_volume.csv'}: 1 problem" in out
    assert "row 2" in out and "volume" in out
    assert "Xqzzyville" in out and "destination" in out
    assert f"ok   {DATA / 'flows_a.csv'}: 3 flows" in out
    # An unreadable input is an error: one line and a hint, a traceback only with --debug.
    missing = str(tmp_path / "missing.csv")
    plain = run("map", missing, "-o", str(tmp_path / "m.html"))
    assert plain.returncode == 2
    assert plain.stderr.startswith("error: ") and "hint: " in plain.stderr
    assert "Traceback" not in plain.stderr
    debug = run("--debug", "map", missing, "-o", str(tmp_path / "m.html"))
    assert debug.returncode == 2 and "Traceback (most recent call last)" in debug.stderr


@pytest.mark.slow
def test_interrupted_parallel_build_leaves_no_temp_files(tmp_path):
    """Ctrl-C in a terminal interrupts the whole process group: parent and workers."""
    shutil.copy(DATA / "flows_a.csv", tmp_path / "a.csv")
    # enough maps that the build cannot finish before the signal lands, even on a loaded
    # machine where this process may sleep for seconds between two looks at the folder
    count = 3000
    maps = "\n".join(f"  - {{name: m{i}, input: a, title: 'Map {i}'}}" for i in range(count))
    (tmp_path / "b.yaml").write_text(
        f"output_dir: out\ndefaults: {{tiles: null}}\ninputs: {{a: a.csv}}\nmaps:\n{maps}\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "geoflows", "build", "b.yaml", "--jobs", "2"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A shell that starts a job in the background (`make test &`) leaves SIGINT ignored,
        # and Python then never turns it into KeyboardInterrupt: give the build the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    out = tmp_path / "out"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (out / "m2.html").exists():
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 130, stderr
    assert stderr.strip().endswith("error: interrupted") and "Traceback" not in stderr
    written = sorted(p.name for p in out.iterdir())
    assert 3 <= len(written) < count
    assert all(name.endswith(".html") and not name.startswith(".") for name in written)


# --------------------------------------------------------------------------- in process


def test_export_geojson_and_gpkg(tmp_path):
    pyogrio = pytest.importorskip("pyogrio")
    for suffix in ("geojson", "gpkg"):
        out = tmp_path / f"flows.{suffix}"
        r = invoke("export", str(DATA / "flows_a.csv"), str(DATA / "flows_b.csv"), "-o", str(out))
        assert r.exit_code == 0, r.output
        assert r.stdout.strip() == f"wrote {out} (5 flows)"
        assert pyogrio.read_info(out)["features"] == 5


def test_map_writes_html(tmp_path):
    out = tmp_path / "m.html"
    r = invoke("map", str(DATA / "flows_a.csv"), "-o", str(out), "--tiles", "none",
               "--title", "Rajin run", "--scale", "log", "--no-time-slider")  # fmt: skip
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Rajin run" in html
    bad = invoke("map", str(DATA / "flows_a.csv"), "-o", str(out), "--at", "May 2023")
    assert bad.exit_code == 2 and "'May 2023' is not a day YYYY-MM-DD, a month" in bad.stderr


def test_map_unknown_place_error_and_allow_unresolved(tmp_path):
    out = tmp_path / "u.html"
    r = invoke("map", str(DATA / "unknown_place.csv"), "-o", str(out), "--tiles", "none")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: ") and "Xqzzyville" in r.stderr and "hint: " in r.stderr
    assert not out.exists()
    with pytest.warns(gf.GeoflowsWarning, match="Xqzzyville"):
        r = invoke("map", str(DATA / "unknown_place.csv"), "-o", str(out), "--tiles", "none",
                   "--allow-unresolved")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert out.exists()


def test_validate_build_file():
    r = invoke("validate", str(DATA / "bad_schema.yaml"))
    assert r.exit_code == 1
    assert "maps[0].options.scale: 'cubic' is not one of" in r.stdout
    assert "maps[1].input: required key is missing" in r.stdout


def test_places_search():
    r = invoke("places", "Vladivostok", "--limit", "3")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["name", "country"]
    assert lines[1].startswith("Vladivostok") and " RU " in lines[1]


def test_every_command_has_examples_in_help():
    for name in cli.commands:
        r = invoke(name, "--help")
        assert r.exit_code == 0 and "Examples:" in r.stdout, name


def test_map_to_standard_output_writes_the_page_and_nothing_else(tmp_path):
    csv = str(DATA / "flows_a.csv")
    r = invoke("map", csv, "-o", "-", "--tiles", "none", "--at", "2024-10")
    assert r.exit_code == 0, r.stderr
    # the same bytes save_map writes, and no "wrote" line on either stream
    out = tmp_path / "m.html"
    assert invoke("map", csv, "-o", str(out), "--tiles", "none", "--at", "2024-10").exit_code == 0
    assert r.stdout_bytes == out.read_bytes() and r.stdout.startswith("<!DOCTYPE html>")
    assert "wrote" not in r.stdout + r.stderr
    payload = json.loads(
        __import__("re").search(r"geoflowsDraw\([^,]+, (\{.*\}), true, \{", r.stdout)[1]
    )
    # --at 2024-10 is all of October: the slider on the 31st, the window back to the 1st
    assert (payload["at"], payload["window"]) == (20027, 30)
    assert payload["atPeriod"] == [19997, 20027, 1]
    year = invoke("map", csv, "-o", "-", "--tiles", "none", "--at", "2024")
    assert '"atPeriod":[19723,20088,2]' in year.stdout


def test_map_to_standard_output_keeps_warnings_off_it():
    # a subprocess, as in a pipe: the unresolved place's warning goes to stderr only
    csv = str(ROOT / "tests" / "data" / "flows_unknown_place.csv")
    r = run("map", csv, "-o", "-", "--allow-unresolved", "--tiles", "none")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == (
        "warning: 1 flow(s) have unresolved places and are not drawn: "
        "row 2 destination 'Vladivostk'"
    )
    assert r.stdout.startswith("<!DOCTYPE html>") and r.stdout.endswith("</html>")
    assert "unresolved" not in r.stdout


def test_map_refuses_an_unreadable_at_naming_it_and_the_forms(tmp_path):
    r = invoke("map", str(DATA / "flows_a.csv"), "-o", "-", "--at", "2024-13")
    assert r.exit_code == 2 and r.stdout == ""
    assert (
        "'2024-13' is not a day YYYY-MM-DD, a month YYYY-MM or a year YYYY "
        "(e.g. 2024-10-05, 2024-10, 2024)" in r.stderr
    )
