"""FlowSet behaviour, and issue 8 §3: nothing is lost on the way in, out and onto the map.

``assert_nothing_lost`` is shared with ``test_fuzz.py``: for every input record and every field
it checks ``to_geodataframe()``, each export (GeoJSON, GPKG, GeoParquet, CSV), the map payload
(``fields``, ``sources``, ``text``) and ``read_flows(exported_file)``.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geoflows as gf
from geoflows.flows import Flow, best_volume
from geoflows.io import DATE_FIELDS, FLOW_FIELDS, RESOLVED_FIELDS, read_table, split_list
from geoflows.render import build_payload, payload_fields
from geoflows.render._payload import _decode
from geoflows.style import format_volume

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
EXAMPLE = ROOT / "data" / "dprk_russia_2023_2024.csv"
TEXT = (
    "id",
    "origin",
    "destination",
    "via",
    "unit",
    "kind",
    "category",
    "mode",
    "confidence",
    "source",
    "label",
    "notes",
)
LOWERED = ("kind", "mode", "confidence")
NUMBERS = ("volume", "volume_low", "volume_high")
EXPORTS = ("geojson", "gpkg", "parquet", "csv")


# --------------------------------------------------------------------------- the checker
def _blank(v: object) -> bool:
    return (
        v is None
        or v is pd.NA
        or v is pd.NaT
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and v.strip() == "")
    )


def expected_records(table: pd.DataFrame) -> list[dict[str, object]]:
    """What each input record must become after typing (independent of geoflows.io)."""
    out = []
    for i, rec in enumerate(table.to_dict("records")):
        e: dict[str, object] = {}
        for f in TEXT:
            v = rec.get(f)
            e[f] = "" if _blank(v) else str(v).strip()
            if f in LOWERED:
                e[f] = str(e[f]).lower()
        if e["id"] == "":
            e["id"] = str(i + 1)
        for f in NUMBERS:
            v = rec.get(f)
            e[f] = math.nan if _blank(v) else float(str(v).replace(",", "").replace(" ", ""))
        for f in DATE_FIELDS:
            v = rec.get(f)
            e[f] = None if _blank(v) else pd.Timestamp(str(v)).strftime("%Y-%m-%d")
            if f == "end" and not _blank(v) and len(str(v).strip()) in (4, 7):
                # a month or a year as an end means its last day
                period = pd.Period(str(v).strip(), freq="Y" if len(str(v).strip()) == 4 else "M")
                e[f] = period.end_time.strftime("%Y-%m-%d")
            # what a reader sees: a month stays a month ("Aug 2023"), a year a year
            e[f"{f}_shown"] = _shown_date(v)
        # other columns are kept as they are: only missing values (None/NaN) become ""
        e["_extra"] = {k: _raw(v) for k, v in rec.items() if k not in FLOW_FIELDS}
        out.append(e)
    return out


def _same_number(a: object, b: object) -> bool:
    a, b = float(a), float(b)  # type: ignore[arg-type]
    return (math.isnan(a) and math.isnan(b)) or a == b


def _raw(v: object) -> str:
    return "" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)


def _text(v: object) -> str:
    return "" if _blank(v) else str(v)


def _shown_date(v: object) -> str:
    """The text the page shows for a date as written (independent of geoflows' formatting)."""
    if _blank(v):
        return ""
    text = str(v).strip()
    if len(text) == 4:
        return text
    if len(text) == 7:
        return pd.Timestamp(text).strftime("%b %Y")
    return pd.Timestamp(text).strftime("%Y-%m-%d")


def _date(v: object) -> str | None:
    if _blank(v):
        return None
    return pd.Timestamp(v).strftime("%Y-%m-%d")


def check_frame(
    frame: pd.DataFrame, expected: list[dict[str, object]], where: str, *, extras: bool = True
) -> list[str]:
    """Compare a frame (GeoDataFrame or a re-read export) with the expected records."""
    lost = []
    if len(frame) != len(expected):
        return [f"{where}: {len(frame)} rows for {len(expected)} records"]
    for f in (*TEXT, *NUMBERS, *DATE_FIELDS):
        if f not in frame.columns:
            lost.append(f"{where}: column {f!r} missing")
    for i, e in enumerate(expected):
        row = frame.iloc[i]
        for f in TEXT:
            if f in frame.columns and _text(row[f]) != e[f]:
                lost.append(f"{where}: record {i + 1} {f}: {e[f]!r} became {row[f]!r}")
        for f in NUMBERS:
            if f in frame.columns and not _same_number(e[f], np.nan if _blank(row[f]) else row[f]):
                lost.append(f"{where}: record {i + 1} {f}: {e[f]!r} became {row[f]!r}")
        for f in DATE_FIELDS:
            if f in frame.columns and _date(row[f]) != e[f]:
                lost.append(f"{where}: record {i + 1} {f}: {e[f]!r} became {row[f]!r}")
        if extras:
            for k, v in e["_extra"].items():  # type: ignore[union-attr]
                if k not in frame.columns:
                    lost.append(f"{where}: extra column {k!r} missing")
                elif _raw(row[k]) != v:
                    lost.append(f"{where}: record {i + 1} extra {k}: {v!r} became {row[k]!r}")
    return lost


def _same_coordinates(shown: str, given: object) -> bool:
    from geoflows.places import parse_coordinates

    a, b = parse_coordinates(shown), parse_coordinates(str(given))
    return a is not None and b is not None and np.allclose(a.latlon, b.latlon, atol=6e-5)


def check_payload(flows: gf.FlowSet, expected: list[dict[str, object]]) -> list[str]:
    payload = build_payload(flows)
    gdf = flows.to_geodataframe()
    drawn = [i for i, g in enumerate(gdf.geometry) if g is not None and not g.is_empty]
    fields = payload_fields(payload)
    # sources and labels are dictionary-encoded when they repeat
    n = payload["n"]
    sources, labels = _decode(payload["sources"], n), _decode(payload["label"], n)
    lost = []
    for k, i in enumerate(drawn):
        e = expected[i]
        for f in ("id", "via", "unit", "kind", "category", "mode", "confidence", "notes"):
            if fields[f][k] != e[f]:
                lost.append(f"payload: record {i + 1} {f}: {e[f]!r} shown as {fields[f][k]!r}")
        for f in ("origin", "destination"):
            if _same_coordinates(fields[f][k], e[f]):
                continue  # a coordinate-only place is shown as its coordinates, rounded
            if not fields[f][k].startswith(str(e[f])):
                lost.append(f"payload: record {i + 1} {f}: {e[f]!r} shown as {fields[f][k]!r}")
        for f in DATE_FIELDS:
            if fields[f][k] != e[f"{f}_shown"]:
                lost.append(f"payload: record {i + 1} {f}: {e[f]!r} shown as {fields[f][k]!r}")
        want_volume = format_volume(e["volume"], e["volume_low"], e["volume_high"], e["unit"])
        if fields["volume"][k] != want_volume:
            lost.append(f"payload: record {i + 1} volume shown as {fields['volume'][k]!r}")
        if sources[k] != split_list(e["source"]):
            lost.append(f"payload: record {i + 1} source {e['source']!r} shown as {sources[k]!r}")
        if e["label"] and labels[k] != e["label"]:
            lost.append(f"payload: record {i + 1} label {e['label']!r} shown as {labels[k]!r}")
        for name, v in e["_extra"].items():  # type: ignore[union-attr]
            if name not in fields:
                lost.append(f"payload: extra column {name!r} not shown")
            elif fields[name][k] != v:
                lost.append(
                    f"payload: record {i + 1} extra {name}: {v!r} shown as {fields[name][k]!r}"
                )
    return lost


def flow_key(flow: Flow) -> tuple[object, ...]:
    """The contract fields of a Flow, NaN as None (``nan != nan`` would hide equality)."""
    out = []
    for name in Flow.__dataclass_fields__:
        if name == "extra":
            continue
        v = getattr(flow, name)
        if name == "length_km":
            v = None if math.isnan(v) else round(float(v), 3)
        elif isinstance(v, float) and math.isnan(v):
            v = None
        out.append(v)
    return tuple(out)


def read_export(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return read_table(path)
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    return gpd.read_file(path)


def check_exports(
    flows: gf.FlowSet,
    expected: list[dict[str, object]],
    tmp: Path,
    formats: tuple[str, ...] = EXPORTS,
) -> list[str]:
    gdf = flows.to_geodataframe()
    lost = []
    for ext in formats:
        path = flows.to_file(tmp / f"flows.{ext}")
        raw = read_export(path)
        lost += check_frame(raw, expected, f"{ext} file")
        for c in RESOLVED_FIELDS:
            if c not in raw.columns:
                lost.append(f"{ext} file: resolved column {c!r} missing")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", gf.GeoflowsWarning)
            back = gf.read_flows(path)
        bgdf = back.to_geodataframe()
        lost += check_frame(bgdf, expected, f"read_flows({ext})")
        for i, (a, b) in enumerate(zip(gdf.geometry, bgdf.geometry, strict=True)):
            if (a is None) != (b is None):
                lost.append(f"read_flows({ext}): record {i + 1} geometry {a} became {b}")
            elif a is not None and not shapely.equals_exact(a, b, tolerance=1e-5):
                lost.append(f"read_flows({ext}): record {i + 1} geometry differs")
        for a, b in zip(flows, back, strict=True):
            if flow_key(a) != flow_key(b):
                lost.append(f"read_flows({ext}): Flow {a.id} differs: {a} != {b}")
    return lost


def assert_nothing_lost(
    table: pd.DataFrame, flows: gf.FlowSet, tmp: Path, formats: tuple[str, ...] = EXPORTS
) -> None:
    expected = expected_records(table)
    gdf = flows.to_geodataframe()
    lost = check_frame(gdf, expected, "to_geodataframe")
    lost += check_payload(flows, expected)
    lost += check_exports(flows, expected, tmp, formats)
    assert not lost, "\n".join(lost)


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def example() -> tuple[pd.DataFrame, gf.FlowSet]:
    path = EXAMPLE if EXAMPLE.exists() else DATA / "flows_small.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.GeoflowsWarning)
        return read_table(path), gf.read_flows(path)


@pytest.fixture(scope="module")
def small() -> gf.FlowSet:
    return gf.read_flows(DATA / "flows_small.csv")


# --------------------------------------------------------------------------- nothing lost
def test_example_nothing_lost_in_geodataframe_and_payload(example):
    table, flows = example
    expected = expected_records(table)
    lost = check_frame(flows.to_geodataframe(), expected, "to_geodataframe")
    lost += check_payload(flows, expected)
    assert not lost, "\n".join(lost)


@pytest.mark.parametrize("ext", EXPORTS)
def test_example_nothing_lost_in_export_and_reread(example, tmp_path, ext):
    table, flows = example
    lost = check_exports(flows, expected_records(table), tmp_path, (ext,))
    assert not lost, "\n".join(lost)


@pytest.mark.slow
def test_extra_columns_are_kept_everywhere(tmp_path):
    table = pd.DataFrame(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "vessel": "Angara", "imo": "9179842"},
            {"origin": "Nampo", "destination": "Dunai", "vessel": "", "imo": "1"},
        ]
    )
    flows = gf.read_flows(table)
    assert_nothing_lost(table, flows, tmp_path)


@pytest.mark.slow
def test_ranges_and_unknown_volumes_are_kept(tmp_path):
    table = pd.DataFrame(
        [
            {
                "origin": "Rajin",
                "destination": "Dunai",
                "volume_low": "1,000",
                "volume_high": "2,000",
                "unit": "containers",
            },
            {"origin": "Rajin", "destination": "Dunai", "unit": "containers"},
            {
                "origin": "Rajin",
                "destination": "Dunai",
                "volume": "1500",
                "volume_low": "1000",
                "volume_high": "2000",
                "unit": "containers",
            },
        ]
    )
    flows = gf.read_flows(table)
    assert_nothing_lost(table, flows, tmp_path)
    texts = payload_fields(build_payload(flows))["volume"]
    assert texts == [
        "1,000–2,000 containers",
        "volume unknown",
        "1,000–2,000 containers (best estimate 1,500)",
    ]


# --------------------------------------------------------------------------- FlowSet
def test_one_row_per_flow_crs_and_copy(small):
    gdf = small.to_geodataframe()
    assert len(gdf) == len(small) == 3 and gdf.crs.to_epsg() == 4326
    gdf.loc[0, "unit"] = "changed"
    assert small.to_geodataframe().loc[0, "unit"] == "containers"
    assert "_row" not in gdf.columns


def test_iteration_gives_flows(small):
    flows = list(small)
    assert [f.id for f in flows] == ["sm_1", "sm_2", "sm_3"]
    f = flows[0]
    assert (
        isinstance(f, Flow)
        and f.volume == 1000.0
        and f.sources == ("https://example.org/a", "Report B")
    )
    assert f.start == pd.Timestamp("2023-09-01") and flows[1].end is None
    assert math.isnan(flows[1].best_volume)


def test_flows_with_unknown_volume_compare_equal(small):
    """BUG (flows.Flow): a Flow with an unknown (NaN) volume is not equal to its own copy.

    ``Flow`` is a dataclass; its ``__eq__`` compares NaN floats, and ``nan != nan``, so
    ``list(read_flows(exported)) == list(flows)`` is False whenever any volume is unknown.
    """
    again = gf.FlowSet.from_geodataframe(small.to_geodataframe())
    assert list(again) == list(small)


def test_best_volume():
    assert best_volume(
        [np.nan, 5, np.nan, np.nan], [10, 1, np.nan, 3], [20, 9, 7, np.nan]
    ).tolist()[:2] == [15.0, 5.0]
    assert Flow("1", "A", "B", volume_high=7).best_volume == 7.0


def test_from_geodataframe_round_trip(small):
    gdf = small.to_geodataframe()
    again = gf.FlowSet.from_geodataframe(gdf)
    assert [flow_key(f) for f in again] == [flow_key(f) for f in small]
    with pytest.raises(TypeError, match="needs a GeoDataFrame; got DataFrame"):
        gf.FlowSet.from_geodataframe(pd.DataFrame(gdf.drop(columns="geometry")))


def test_geodataframe_dense_or_endpoints():
    # Vladivostok -> Anchorage: a geodesic across 180 degrees
    flows = gf.read_flows([{"origin": "Vladivostok", "destination": "Anchorage"}])
    ends = flows.to_geodataframe(split_antimeridian=False, dense=False)
    dense = flows.to_geodataframe(split_antimeridian=False)
    (line,) = ends.geometry
    assert len(line.coords) == 2 and line.coords[1][0] > 180  # unwrapped, not split
    assert len(dense.geometry.iloc[0].coords) > 50
    assert dense.geometry.iloc[0].coords[0] == line.coords[0]
    assert dense.geometry.iloc[0].coords[-1] == line.coords[-1]
    assert list(ends.columns) == list(dense.columns) and "_row" not in ends.columns
    assert flows.to_geodataframe(dense=False).geometry.iloc[0].geom_type == "MultiLineString"


def test_from_geodataframe_other_crs(small):
    gdf = small.to_geodataframe().to_crs(3857)
    again = gf.FlowSet.from_geodataframe(gdf).to_geodataframe()
    assert again.crs.to_epsg() == 4326
    a = small.to_geodataframe().geometry.iloc[0]
    assert shapely.equals_exact(a, again.geometry.iloc[0], tolerance=1e-6)


def test_filter(small):
    assert [f.id for f in small.filter(kinds=["shipment"])] == ["sm_1"]
    assert [f.id for f in small.filter(units=["shells", "delegations"])] == ["sm_2", "sm_3"]
    assert [f.id for f in small.filter(confidence=["confirmed"])] == ["sm_1"]
    assert [f.id for f in small.filter(start="2024-01-01")] == ["sm_2", "sm_3"]
    assert [f.id for f in small.filter(end="2023-12-31")] == ["sm_1"]
    assert [f.id for f in small.filter(start="2023-09-15", end="2023-09-20")] == ["sm_1"]
    assert len(small.filter(modes=["rail"])) == 0


def test_filter_keeps_undated(tmp_path):
    flows = gf.read_flows([{"origin": "Rajin", "destination": "Dunai"}])
    assert len(flows.filter(start="2024-01-01", end="2024-02-01")) == 1


def test_mask_and_positions(small):
    mask = small.to_geodataframe()["mode"] == "sea"
    assert len(small[mask]) == 2 and [f.id for f in small[[2]]] == ["sm_3"]


def test_repr(small):
    assert repr(small) == "<FlowSet: 3 flows, units: containers, delegations, shells>"


def test_geo_interface_has_every_feature(small):
    gi = small.__geo_interface__
    assert gi["type"] == "FeatureCollection" and len(gi["features"]) == 3
    assert gi["features"][0]["properties"]["start"] == "2023-09-01"


def test_csv_export_keeps_carriage_returns(tmp_path):
    """BUG (io.write_flows, CSV): a lone ``\\r`` in any text field is written unquoted.

    ``to_csv(lineterminator="\\n")`` quotes only fields holding ``\\n``, ``,`` or ``"``; a lone
    ``\\r`` is written bare, and every CSV reader (pandas, Excel, read_flows) ends the row
    there: the record splits in two and the following columns shift.
    """
    table = pd.DataFrame(
        [
            {
                "origin": "Rajin",
                "destination": "Vladivostok",
                "notes": "line one\rline two",
                "extra": "x\ry",
            }
        ]
    )
    flows = gf.read_flows(table)
    assert_nothing_lost(table, flows, tmp_path, formats=("csv",))


def test_line_along_the_180th_meridian_exports_without_nan():
    """BUG (routes.split_antimeridian, found by test_fuzz): a geodesic from the North Pole
    through a via point at lon -180 runs along lon = 180 exactly; splitting it divides by
    zero (``lon[j] - lon[j-1] == 0``, routes/_geometry.py) and writes ``NaN`` latitudes into
    ``to_geodataframe()`` and every export (invalid GeoJSON).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flows = gf.read_flows(
            [{"origin": "90, 58.3706", "destination": "-80.6061, -0.0001", "via": "53.7959, -180"}]
        )
        coords = shapely.get_coordinates(flows.to_geodataframe().geometry.to_numpy())
    assert np.isfinite(coords).all()


def test_geodesic_lines_are_dense_wherever_the_user_gets_them(tmp_path):
    # read_flows keeps only a geodesic's endpoints (the map needs no more); every way out
    # gives the dense geodesic, the same as the routes module draws it.
    from geoflows.routes import geodesic, split_antimeridian

    flows = gf.read_flows(
        [
            {"origin": "43.11, 131.87", "destination": "61.22, -149.9"},  # across 180
            {"origin": "55.75, 37.62", "destination": "43.11, 131.87"},
            {"origin": "55.75, 37.62", "destination": "55.76, 37.63"},  # shorter than spacing
        ],
        route="geodesic",
    )
    want = geodesic([131.87, 37.62, 37.62], [43.11, 55.75, 55.75], [-149.9, 131.87, 37.63],
                    [61.22, 43.11, 55.76])  # fmt: skip
    for got in (flows.geometry.to_numpy(), flows.to_geodataframe(split_antimeridian=False)
                .geometry.to_numpy()):  # fmt: skip
        assert [len(g.coords) for g in got] == [len(w.coords) for w in want]
        assert max(g.hausdorff_distance(w) for g, w in zip(got, want, strict=True)) < 1e-9
    assert len(want[1].coords) > 100 and flows.geometry.crs == "EPSG:4326"
    split = flows.to_geodataframe().geometry
    assert split.iloc[0].equals_exact(split_antimeridian(want)[0], 1e-9)
    back = gpd.read_file(flows.to_file(tmp_path / "f.geojson"))
    assert len(back.geometry.iloc[1].coords) == len(want[1].coords)
    assert (
        gf.FlowSet.from_geodataframe(flows.to_geodataframe())
        .geometry.iloc[1]
        .equals_exact(want[1], 1e-9)
    )


def test_routes_built_once_per_distinct_lane_and_shared_by_rows():
    """Rows repeating a lane share one route object; the result equals routing each row."""
    import geoflows.flows as gflows

    base = pd.read_csv(
        Path(__file__).resolve().parents[1] / "data" / "dprk_russia_2023_2024.csv",
        dtype=str,
        keep_default_na=False,
    )
    lanes = base.drop_duplicates(["origin", "destination", "mode"])
    many = pd.concat([lanes] * 5, ignore_index=True)
    many["id"] = [f"r{i}" for i in range(len(many))]
    before = gflows.ROUTES_BUILT[0]
    gdf = gf.read_flows(many).to_geodataframe()
    built = gflows.ROUTES_BUILT[0] - before
    drawn = gdf[gdf.geometry.notna()]
    assert built == len(drawn.drop_duplicates(["origin", "destination", "mode"]))
    assert built < len(drawn)
    one = gf.read_flows(many.iloc[: len(lanes)]).to_geodataframe()
    for k in range(5):
        part = gdf.iloc[k * len(lanes) : (k + 1) * len(lanes)].reset_index(drop=True)
        assert part.geometry.to_wkb().tolist() == one.geometry.to_wkb().tolist()
        assert part["length_km"].tolist() == one["length_km"].tolist()
        assert part["route_note"].tolist() == one["route_note"].tolist()
