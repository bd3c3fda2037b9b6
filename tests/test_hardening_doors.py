"""Issue 25 (second hardening pass): the doors data, options, caches and outputs go through.

1. every line brought in passes one coordinate check; 3. data text reaches matplotlib as plain
text; 4. colours and CSS values from options follow a strict grammar; 5. text printed to a
terminal has its control characters escaped; 6. cache files are read by value, sizes bounded
before decompressing; 7. aggregate_flows' bad keys and mixed Parquet parts are our errors;
9. stale temporaries are swept and an output never replaces an input; 10. deep build files,
poisoned online-geocoder cache rows and bad geocoder coordinates give errors of ours. Items 8
and 9's notebook picture run in Chromium: tests/browser/test_doors_browser.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geoflows as gf

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- 1. given lines
BAD_VERTICES = {
    "lat 95": (131.9, 95.0),
    "lon 1e20": (1e20, 43.0),
    "lon 1e308": (1e308, 43.0),
    "NaN": (np.nan, 43.0),
}


def _line(vertex):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # shapely on NaN
        return shapely.LineString([(130.3, 42.3), (130.8, 42.6), vertex])


def _frame(vertex):
    return gpd.GeoDataFrame(
        {"origin": ["Rajin", "Rajin"], "destination": ["Vladivostok", "Nakhodka"]},
        geometry=[_line((131.9, 43.1)), _line(vertex)],
        crs="EPSG:4326",
    )


def _geojson(tmp_path, vertex):
    p = tmp_path / "flows.geojson"
    features = [
        {
            "type": "Feature",
            "properties": row[["origin", "destination"]].to_dict(),
            "geometry": {"type": "LineString", "coordinates": [list(c) for c in g.coords]},
        }
        for (_, row), g in zip(_frame(vertex).iterrows(), _frame(vertex).geometry, strict=True)
    ]
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}))  # NaN as NaN
    return p, "flows.geojson", 2


def _gpkg(tmp_path, vertex):
    p = tmp_path / "flows.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _frame(vertex).to_file(p)
    return p, "flows.gpkg", 2


def _parquet(tmp_path, vertex):
    p = tmp_path / "flows.parquet"
    _frame(vertex).to_parquet(p)
    return p, "flows.parquet", 2


def _csv_wkt(tmp_path, vertex):
    p = tmp_path / "flows.csv"
    frame = pd.DataFrame(_frame(vertex).drop(columns="geometry"))
    frame["geometry"] = [g.wkt for g in _frame(vertex).geometry]
    frame.to_csv(p, index=False)
    return p, "flows.csv", 3  # the header is row 1


def _geodataframe(tmp_path, vertex):
    return _frame(vertex), None, 2


def _trajectories(tmp_path, vertex):
    mpd = pytest.importorskip("movingpandas")
    t = pd.date_range("2024-01-01", periods=3, freq="D")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        points = gpd.GeoDataFrame(
            {"t": t, "ship": "A"},
            geometry=[shapely.Point(130.5, 42.2), shapely.Point(131, 42.6), shapely.Point(*vertex)],
            crs="EPSG:4326",
        )
        return mpd.TrajectoryCollection(points, "ship", t="t"), None, 1


def _from_geodataframe(tmp_path, vertex):
    return _frame(vertex), "from_geodataframe", 2


@pytest.mark.parametrize("vertex", list(BAD_VERTICES.values()), ids=list(BAD_VERTICES))
@pytest.mark.parametrize(
    "door",
    [_geojson, _gpkg, _parquet, _csv_wkt, _geodataframe, _trajectories, _from_geodataframe],
    ids=lambda f: f.__name__.strip("_"),
)
def test_every_door_for_lines_refuses_a_vertex_off_the_globe(tmp_path, door, vertex):
    data, file_name, row = door(tmp_path, vertex)
    with pytest.raises(gf.FlowValidationError) as e, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if file_name == "from_geodataframe":
            gf.FlowSet.from_geodataframe(data)
        else:
            gf.read_flows(data)
    (problem,) = e.value.problems
    assert (problem.row, problem.field) == (row, "geometry")
    if file_name and file_name != "from_geodataframe":
        assert Path(problem.file).name == file_name
    assert "off the globe" in problem.rule and "fix or drop this row's line" in problem.rule
    lon, lat = vertex
    assert f"lon {lon!r}, lat {lat!r}" in str(problem.value)


def test_lines_unwrapped_across_180_still_come_in(tmp_path):
    # the range is ±360 for longitude: geoflows' own exports keep a line crossing 180° unwrapped
    line = shapely.LineString([(170.0, 50.0), (200.0, 55.0)])
    frame = gpd.GeoDataFrame({"id": ["A"]}, geometry=[line], crs=4326)
    flows = gf.read_flows(frame)
    assert flows.to_geodataframe(split_antimeridian=False).geometry[0].coords[-1] == (200.0, 55.0)


# --------------------------------------------------------------------------- 3. plain text
def _dollar_flows():
    return gf.read_flows(
        [
            {
                "origin": "Rajin",
                "destination": "Vladivostok",
                "volume": 10,
                "unit": r"$\frac{1}$ crates",
                "category": "price $5 to $7",
                "source": r"$\frac{1}$ press",
            }
        ],
        route="geodesic",
    )


@pytest.mark.parametrize("save", ["save_png", "save_svg", "save_pdf"])
def test_dollar_signs_in_data_are_drawn_as_plain_text(tmp_path, save):
    import matplotlib

    matplotlib.use("Agg")
    flows = _dollar_flows()
    out = getattr(flows, save)(tmp_path / f"m.{save[5:]}", title=r"$\frac{1}$ title")
    assert out.stat().st_size > 1000


def test_every_text_of_the_figure_is_plain_and_drawn_as_written():
    import io

    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    matplotlib.use("Agg")
    gdf = _dollar_flows().to_geodataframe()
    gdf["origin_name"] = r"$\frac{1}$ port"
    _, given = plt.subplots()
    given.set_title("made before")  # a given axes' own text is made plain too
    ax = gf.render.plot_flows(gdf, ax=given, title=r"$\frac{1}$ title")
    texts = {t.get_text(): t for t in ax.findobj(Text) if t.get_text()}
    for wanted in (r"$\frac{1}$ title", r"$\frac{1}$ port", "price $5 to $7"):
        assert wanted in texts
    assert any(r"$\frac{1}$ press" in t for t in texts)
    assert not any(t.get_parse_math() or t.get_usetex() for t in texts.values())
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text kept as text in the SVG
        ax.figure.savefig(buf, format="svg")
    plt.close(ax.figure)
    svg = buf.getvalue()
    assert "price $5 to $7" in svg and r"$\frac{1}$ port" in svg


# --------------------------------------------------------------------------- 4. colours and CSS
BAD_COLOURS = [
    "url(http://evil.example/x.png)",
    "#0072B2;background:url(http://evil.example/)",
    "var(--x)",
    "rgb(1, 2, calc(3))",
    "expression(alert(1))",
    "red }",
    "",
]


@pytest.mark.parametrize("colour", BAD_COLOURS)
def test_a_palette_colour_outside_the_grammar_is_refused_in_python(colour):
    flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "category": "a"}])
    for palette in ([colour], {"a": colour}):
        with pytest.raises(gf.OptionError, match=r"option 'palette'.* is not a colour: give #rgb"):
            flows.to_html(palette=palette)
    with pytest.raises(gf.StyleError, match="palette: .* is not a colour"):
        gf.style.category_colors(["a"], palette=[colour])  # also past the option edge


def test_colours_of_the_grammar_are_kept():
    good = ["#f00", "#ff000080", "SteelBlue", "rgb(0, 114, 178)", "rgba(0,114,178,.5)",
            "rgb(0 114 178 / 50%)", "hsl(200deg, 50%, 40%)", "hsla(200, 50%, 40%, 0.3)"]  # fmt: skip
    assert list(gf.style.category_colors([str(i) for i in range(8)], palette=good).values()) == good
    html = gf.read_flows(
        [{"origin": "Rajin", "destination": "Vladivostok", "category": "a"}]
    ).to_html(palette=["rgb(0 114 178 / 50%)"])
    assert '"colors":["rgb(0 114 178 / 50%)"]' in html


def test_a_build_file_with_a_bad_colour_or_height_is_refused(tmp_path):
    from geoflows.build import load_build_file

    for option, value, wanted in [
        ("palette", '["url(http://evil.example/x)"]', "is not a colour"),
        ("height", '"100%;background:url(http://evil.example/y)"', "not a CSS length"),
    ]:
        p = tmp_path / "maps.yaml"
        p.write_text(
            f"maps:\n  - name: m\n    input: a.csv\n    options:\n      {option}: {value}\n"
        )
        with pytest.raises(gf.BuildError, match=wanted) as e:
            load_build_file(p)
        assert "maps.yaml" in str(e.value) and option in str(e.value)


# --------------------------------------------------------------------------- 5. terminal escapes
HOSTILE_NAME = "Xq\x1b]52;c;aGFja2Vk\x07zz\x1b[2J\rfake line\x9b31m\x7f"
RAW_CONTROLS = ("\x1b", "\x07", "\r", "\x9b", "\x7f")


def _assert_escaped(text):
    assert not any(c in text for c in RAW_CONTROLS), repr(text)
    assert r"Xq\x1b]52;c;aGFja2Vk\x07zz\x1b[2J\rfake line\x9b31m\x7f" in text


def test_terminal_text_escapes_every_control_character():
    assert gf.errors.terminal_text("a\nb\tc") == "a\nb\\tc"
    controls = "".join(map(chr, [*range(0x20), *range(0x7F, 0xA0)]))
    out = gf.errors.terminal_text(controls, newlines=False)
    assert out.isprintable() and out.count("\\") == 0x20 + 0x21


def test_cli_prints_place_names_with_their_control_characters_escaped(tmp_path):
    from click.testing import CliRunner

    from geoflows.cli import cli

    r = CliRunner().invoke(cli, ["geocode", "Rajin", HOSTILE_NAME], catch_exceptions=False)
    assert "Rajin" in r.stdout
    _assert_escaped(r.stdout)
    (tmp_path / "f.csv").write_text(
        f'origin,destination\nRajin,Vladivostok\nRajin,"{HOSTILE_NAME}"\n', encoding="utf-8"
    )
    (tmp_path / "maps.yaml").write_text(
        "version: 1\ninputs:\n  f: f.csv\nmaps:\n  - name: m\n    input: f\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = CliRunner().invoke(
            cli, ["build", str(tmp_path / "maps.yaml"), "--allow-unresolved"],
            catch_exceptions=False,
        )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "unresolved, left out" in r.stdout
    _assert_escaped(r.stdout + r.stderr)
    r = CliRunner().invoke(cli, ["map", str(tmp_path / "f.csv"), "-o", str(tmp_path / "m.html")])
    assert r.exit_code == 2 and "error:" in r.stderr
    _assert_escaped(r.stderr)


# --------------------------------------------------------------------------- 10. small ones
@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_a_build_file_nested_200k_deep_is_a_build_error(tmp_path, opening):
    from geoflows.build import load_build_file

    p = tmp_path / "maps.yaml"
    block = opening == "- "  # a block sequence starts on its own line
    p.write_text("maps:" + ("\n" if block else " ") + opening * (2_000 if block else 200_000) + "x")
    with pytest.raises(
        gf.BuildError,
        match=r"maps.yaml: invalid YAML \(line \d+, column \d+\): .* nested more than 64 levels",
    ):
        load_build_file(p)
    p.write_text("maps:\n" + "- " * 60 + "x\n")  # deep but within the limit: the schema speaks
    with pytest.raises(gf.BuildError, match=r"maps\[0\]"):
        load_build_file(p)


class _Answer:
    def __init__(self, lat, lon):
        self.latitude, self.longitude, self.address, self.raw = lat, lon, "Somewhere", {}


class _Provider:
    def __init__(self, lat=1.5, lon=2.5):
        self.lat, self.lon, self.calls = lat, lon, 0

    def geocode(self, query, **kw):
        self.calls += 1
        return _Answer(self.lat, self.lon)


POISONED_ROWS = [
    '{"x": 1}',
    "[1, 2]",
    "not json",
    '{"name": "X", "lat": "1", "lon": 2, "country": null, "kind": "custom", "source": "s", '
    '"population": null, "id": ""}',
    '{"name": "X", "lat": NaN, "lon": 2, "country": null, "kind": "custom", "source": "s", '
    '"population": null, "id": ""}',
    '{"name": "X", "lat": 95, "lon": 2, "country": null, "kind": "custom", "source": "s", '
    '"population": null, "id": ""}',
    "7",
]


@pytest.mark.parametrize("row", POISONED_ROWS)
def test_a_poisoned_online_cache_row_is_a_cache_miss(tmp_path, row):
    import sqlite3

    from geoflows.places import OnlineGeocoder

    path = tmp_path / "o.sqlite"
    provider = _Provider()
    og = OnlineGeocoder(user_agent="t", geocoder=provider, cache_path=path, min_interval=0)
    assert og.geocode("Zzyzx Depot").lat == 1.5
    with sqlite3.connect(path) as db:
        db.execute("UPDATE geocode SET result = ?", (row,))
    og = OnlineGeocoder(user_agent="t", geocoder=provider, cache_path=path, min_interval=0)
    with pytest.warns(gf.errors.CacheWarning, match="holds a bad row for 'Zzyzx Depot'"):
        assert og.geocode("Zzyzx Depot").latlon == (1.5, 2.5)  # asked again
    assert provider.calls == 2
    assert og.geocode("Zzyzx Depot").lat == 1.5 and provider.calls == 2  # the row was replaced


@pytest.mark.parametrize(
    ("lat", "lon"), [("abc", 2.0), (None, 2.0), (float("nan"), 2.0), (95.0, 2.0), (1.0, 1e20)]
)
def test_bad_coordinates_from_the_online_geocoder_are_our_error(lat, lon):
    from geoflows.places import OnlineGeocodeError, OnlineGeocoder

    provider = _Provider(lat, lon)
    og = OnlineGeocoder(user_agent="t", geocoder=provider, cache_path=":memory:", min_interval=0)
    for calls in (1, 2):  # nothing was cached: the second lookup asks again
        with pytest.raises(OnlineGeocodeError, match="returned coordinates off the globe") as e:
            og.geocode("Zzyzx Depot")
        assert e.value.reason.startswith("bad coordinates") and og.failures[-1] is e.value
        assert provider.calls == calls


# --------------------------------------------------------------------------- 6. caches by value
def _deflate_bomb(member: str, mib: int) -> bytes:
    """A zip whose one deflated member of ``mib`` KB inflates to ``mib`` MiB (a real bomb)."""
    import struct
    import zlib

    head = b"{'descr': '|i1', 'fortran_order': False, 'shape': (%d,), }" % (mib << 20)
    head = b"\x93NUMPY\x01\x00" + head.ljust(117) + b"\n"
    expands_to = len(head) + (mib << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(bytes(1 << 20)) + comp.flush(zlib.Z_FULL_FLUSH)
    data += block * mib + comp.flush()
    name = member.encode()
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, 0, len(data), expands_to)
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    central = (
        b"PK\x01\x02" + struct.pack("<H", 20) + fields
        + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name
    )  # fmt: skip
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local + data), 0)
    return local + data + central + end


def _npz(**arrays) -> bytes:
    import io

    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _huge_header() -> bytes:
    """A small stored member whose .npy header declares 10**10 values (80 GB to allocate)."""
    import io
    import zipfile

    head = b"{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000,), }"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("flat.npy", b"\x93NUMPY\x01\x00" + (head.ljust(117) + b"\n").replace(
            b"<f8", b"<i4") + bytes(64))  # fmt: skip
    return buf.getvalue()


def _routes_with(coords_of):
    def plant(path):
        with np.load(path, allow_pickle=False) as npz:
            arrays = dict(npz)
        arrays["coords"] = coords_of(arrays["coords"])
        path.write_bytes(_npz(**arrays))

    return plant


BAD_CACHE_FILES = {
    "routes: text coordinates": ("routes", _routes_with(lambda c: c.astype(str))),
    "routes: NaN": ("routes", _routes_with(lambda c: np.where(c == c.max(), np.nan, c))),
    "routes: 1e308": ("routes", _routes_with(lambda c: np.where(c == c.max(), 1e308, c))),
    "basemap: deflate bomb": ("basemap", lambda p: p.write_bytes(_deflate_bomb("flat.npy", 1024))),
    "basemap: 80 GB header": ("basemap", lambda p: p.write_bytes(_huge_header())),
}  # fmt: skip


@pytest.mark.parametrize("planted", list(BAD_CACHE_FILES), ids=list(BAD_CACHE_FILES))
def test_a_bad_cache_file_is_a_miss_rebuilt_and_replaced(tmp_path, monkeypatch, planted):
    from geoflows.render import _basemap as B
    from geoflows.routes import _network, clear_route_cache

    monkeypatch.setattr(_network, "route_cache_path", lambda: tmp_path / "routes.npz")
    monkeypatch.setattr(B, "basemap_cache_dir", lambda: tmp_path)
    cache, plant = BAD_CACHE_FILES[planted]

    def fresh():  # as a new process starts: nothing in memory, the files as they are
        clear_route_cache(disk=False)
        B._basemap_for.cache_clear()
        B._packed_for.cache_clear()
        _network._warn_once.warned = B._warn_once.warned = False

    def draw():
        if cache == "routes":
            (leg,), _ = _network.network_legs("sea", [130.28308], [42.25559], [129.04], [35.10])
            return leg.tobytes()
        return gf.render.basemap("countries", [[42.2, 130.2], [43.2, 132.0]])

    fresh()
    good = draw()
    (path,) = tmp_path.glob("routes.npz" if cache == "routes" else "basemap-*.npz")
    plant(path)
    fresh()
    with pytest.warns(gf.CacheWarning, match=f"{path.name} failed its check") as caught:
        assert draw() == good  # drawn as it should be: the file was a miss
    assert len(caught) == 1 and "built again and replaced" in str(caught[0].message)
    assert path.stat().st_size < 1 << 20  # replaced by a good file
    fresh()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert draw() == good


def test_the_place_index_is_checked_by_value_even_with_a_matching_digest(tmp_path):
    from geoflows.places import _index

    path = tmp_path / "index.npz"
    for lat in (np.nan, 95.0):  # a forged file whose digest was computed over the bad value
        _index.save_index({"format": _index.INDEX_FORMAT, "lat": np.array([1.0, lat]),
                           "lon": np.array([2.0, 3.0])}, path)  # fmt: skip
        with pytest.raises(ValueError, match=r"place latitude (nan|95\.0) is off the globe"):
            _index.read_index(path)


# --------------------------------------------------------------------------- 9. leftovers
def test_a_killed_writers_leftover_is_swept_by_the_next_build(tmp_path):
    import os
    import subprocess
    import sys

    out = tmp_path / "out" / "m.html"
    killed = subprocess.run(
        [sys.executable, "-c", (
            "import os, signal, sys\nfrom geoflows._files import atomic_output\n"
            "with atomic_output(sys.argv[1]) as tmp:\n"
            "    tmp.write_text('half a map')\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
        ), str(out)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert killed.returncode == -9
    (left,) = out.parent.iterdir()  # the hidden folder it could not remove, with its pid
    assert left.name.startswith(".m.html.") and left.name.endswith(".geoflows-tmp")
    live = out.parent / f".m.html.{os.getpid()}.abcd1234.geoflows-tmp"  # a running writer's
    live.mkdir()
    other = out.parent / ".notes.txt.tmp"  # not a name of ours
    other.write_text("keep")
    for p in (*left.iterdir(), left, live, other):
        os.utime(p, (0, 0))  # as a later build sees them, minutes or days after
    (tmp_path / "f.csv").write_text("origin,destination\nRajin,Vladivostok\n")
    (tmp_path / "maps.yaml").write_text(
        "inputs:\n  f: f.csv\noutput_dir: out\nmaps:\n  - name: m\n    input: f\n"
    )
    report = gf.build_maps(tmp_path / "maps.yaml", quiet=True)
    assert [r.status for r in report.results] == ["built"]
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(["m.html", live.name, other.name])


def test_an_output_that_would_replace_its_input_is_refused(tmp_path):
    from click.testing import CliRunner

    from geoflows.cli import cli

    data = "origin,destination\nRajin,Vladivostok\n"
    (tmp_path / "m.html").write_text(data)  # a map named m whose input is m.html
    (tmp_path / "maps.yaml").write_text("inputs:\n  f: m.html\nmaps:\n  - name: m\n    input: f\n")
    (result,) = gf.build_maps(tmp_path / "maps.yaml", quiet=True).results
    assert result.status == "failed"
    assert "the map 'm' would replace its input" in result.reason and "m.html" in result.reason
    assert (tmp_path / "m.html").read_text() == data
    (tmp_path / "f.csv").write_text(data)
    (tmp_path / "sub").mkdir()
    (tmp_path / "alias.csv").symlink_to(tmp_path / "f.csv")
    for command, out in [
        ("map", tmp_path / "f.csv"),
        ("map", tmp_path / "sub" / ".." / "f.csv"),
        ("export", tmp_path / "alias.csv"),
    ]:
        r = CliRunner().invoke(cli, [command, str(tmp_path / "f.csv"), "-o", str(out)])
        assert r.exit_code == 2, r.output
        assert "would replace its input" in r.stderr and "write it elsewhere" in r.stderr
        assert (tmp_path / "f.csv").read_text() == data


# --------------------------------------------------------------------------- 7. aggregate_flows
def test_bad_keys_and_mixed_parquet_parts_are_aggregation_errors(tmp_path):
    pytest.importorskip("dask.dataframe")
    records = pd.DataFrame({
        "origin": ["Rajin", "Rajin"], "destination": ["Vladivostok", "Nakhodka"],
        "volume": [1, 2], "unit": "t", "category": ["a", "b"],
        "start": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    })  # fmt: skip
    for by, wanted in [
        ("nope", "the DataFrame has no column 'nope' to group by"),
        (5, r"by must be a column name or a list of column names; got 5 \(int\)"),
        (["category", None], "by holds None, which is not a column name"),
    ]:
        with pytest.raises(gf.AggregationError, match=wanted):
            gf.aggregate_flows(records, by=by)
    parts = {
        "no column": records.drop(columns="volume"),
        "text volumes": records.assign(volume=["1", "2"]),
        "time zone": records.assign(start=records["start"].dt.tz_localize("UTC")),
    }
    for name, odd in parts.items():
        folder = tmp_path / name
        folder.mkdir()
        records.to_parquet(folder / "0.parquet")
        odd.to_parquet(folder / "1.parquet")
        with pytest.raises(gf.AggregationError) as e:
            gf.aggregate_flows(folder)  # a folder of parts
        assert str(e.value).startswith(f"{folder / '1.parquet'}: ")
        with pytest.raises(gf.AggregationError, match="1.parquet: "):
            gf.aggregate_flows(str(folder / "*.parquet"), by="category")  # a glob
    assert "has no column 'volume', which aggregation reads" in _message(tmp_path, "no column")
    assert "'volume' holds text, but numbers in" in _message(tmp_path, "text volumes")
    assert "'start' holds timestamps in UTC, but timestamps without" in _message(
        tmp_path, "time zone"
    )
    (tmp_path / "same").mkdir()  # parts that agree (an extra column, floats beside ints) pass
    records.to_parquet(tmp_path / "same" / "0.parquet")
    records.assign(volume=[1.5, None], extra=1).to_parquet(tmp_path / "same" / "1.parquet")
    assert len(gf.aggregate_flows(tmp_path / "same")) == 2


def _message(tmp_path, name):
    with pytest.raises(gf.AggregationError) as e:
        gf.aggregate_flows(tmp_path / name)
    return str(e.value)
