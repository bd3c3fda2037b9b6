"""Data as users have it (issue 13 §1–3): column mapping, flowmap.blue and kepler.gl layouts,
the user's own lines kept as ``route_kind="given"``, movingpandas trajectories."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from click.testing import CliRunner
from pyproj import Geod

import geoflows as gf
from geoflows.cli import cli

# The common flow-map layout of issue 13 (names and coordinates side by side).
FLOWMAP_LAYOUT = pd.DataFrame(
    {
        "OrigName": ["Rajin", "Port of Odesa"],
        "OrigLat": [42.2, 46.49],
        "OrigLon": [130.4, 30.74],
        "DestName": ["My pier", "Istanbul"],
        "DestLat": [43.1, 41.0],
        "DestLon": [131.9, 28.97],
        "FlowMag": [1000, 3000],
    }
)
MAPPING = {
    "OrigName": "origin",
    "OrigLat": "origin_lat",
    "OrigLon": "origin_lon",
    "DestName": "destination",
    "DestLat": "destination_lat",
    "DestLon": "destination_lon",
    "FlowMag": "volume",
}
LOCATIONS = pd.DataFrame(
    {
        "id": ["RJN", "VVO", "ODS"],
        "name": ["Rajin", "Vladivostok", "Odesa"],
        "lat": [42.245, 43.1167, 46.4825],
        "lon": [130.3, 131.8833, 30.7233],
    }
)
FM_FLOWS = pd.DataFrame({"origin": ["RJN", "VVO"], "dest": ["VVO", "ODS"], "count": [40, 7]})
# A ship's track (AIS-like), crossing the antimeridian the way raw tracks do: 179.5 → -179.6.
TRACK = shapely.LineString([(170.0, 50.0), (179.5, 51.0), (-179.6, 51.2), (-170.0, 52.0)])


def _gdf(flows: gf.FlowSet) -> pd.DataFrame:
    return flows.to_geodataframe(split_antimeridian=False)


# --------------------------------------------------------------------------- column mapping
def test_columns_map_a_common_layout_with_its_coordinates():
    with pytest.raises(gf.FlowValidationError, match="required column 'origin' is missing"):
        gf.read_flows(FLOWMAP_LAYOUT)
    g = _gdf(gf.read_flows(FLOWMAP_LAYOUT, columns=MAPPING))
    assert g["origin"].tolist() == ["Rajin", "Port of Odesa"]
    assert g["volume"].tolist() == [1000.0, 3000.0]
    # The given coordinates are used as they are, also for a name no gazetteer knows.
    assert g["destination_name"].tolist() == ["My pier", "Istanbul"]
    assert g[
        ["origin_lat", "origin_lon", "destination_lat", "destination_lon"]
    ].values.tolist() == [
        [42.2, 130.4, 43.1, 131.9],
        [46.49, 30.74, 41.0, 28.97],
    ]
    assert g.geometry.iloc[0].coords[0] == pytest.approx((130.4, 42.2))


def test_columns_from_a_csv_file_and_coordinates_alone(tmp_path):
    p = tmp_path / "theirs.csv"
    FLOWMAP_LAYOUT.drop(columns=["OrigName", "DestName"]).to_csv(p, index=False)
    mapping = {k: v for k, v in MAPPING.items() if k not in ("OrigName", "DestName")}
    g = _gdf(gf.read_flows(p, columns=mapping))
    # Without names the places are their coordinates.
    assert g["origin"].tolist() == ["42.2, 130.4", "46.49, 30.74"]
    assert g["destination_lon"].tolist() == [131.9, 28.97]


def test_columns_to_an_unknown_field_lists_the_contract():
    with pytest.raises(gf.FlowValidationError) as info:
        gf.read_flows(FLOWMAP_LAYOUT, columns={"OrigName": "orign", "DestName": "destination"})
    (p,) = info.value.problems
    assert p.field == "orign" and p.value == "OrigName"
    for field in ("origin", "destination", "volume", "origin_lat", "destination_lon", "notes"):
        assert field in p.rule


def test_columns_naming_a_missing_column_or_one_field_twice():
    with pytest.raises(gf.FlowValidationError, match="'From', which is not a column"):
        gf.read_flows(FLOWMAP_LAYOUT, columns={"From": "origin"})
    with pytest.raises(gf.FlowValidationError, match="several columns onto this field"):
        gf.read_flows(FLOWMAP_LAYOUT, columns={"OrigName": "origin", "DestName": "origin"})


def test_cli_columns_and_build_file_columns(tmp_path):
    src = tmp_path / "theirs.csv"
    FLOWMAP_LAYOUT.to_csv(src, index=False)
    text = ",".join(f"{k}={v}" for k, v in MAPPING.items())
    out = tmp_path / "out.geojson"
    res = CliRunner().invoke(
        cli, ["export", str(src), "-o", str(out), "--columns", text], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    back = gpd.read_file(out)
    assert back["origin"].tolist() == ["Rajin", "Port of Odesa"]
    assert back["volume"].tolist() == [1000.0, 3000.0]
    bad = CliRunner().invoke(cli, ["export", str(src), "-o", str(out), "--columns", "OrigName"])
    assert bad.exit_code != 0 and "YOUR_COLUMN=field" in bad.output

    build = tmp_path / "maps.yaml"
    build.write_text(
        yaml.safe_dump(
            {
                "inputs": {"theirs": {"path": "theirs.csv", "columns": MAPPING}},
                "output_dir": "out",
                "maps": [{"name": "theirs", "input": "theirs", "options": {"tiles": None}}],
            }
        )
    )
    spec = gf.load_build_file(build)
    assert dict(spec.inputs["theirs"].columns) == MAPPING
    report = gf.build_maps(build)
    assert report.ok, report
    html = (tmp_path / "out" / "theirs.html").read_text()
    assert "My pier" in html


# --------------------------------------------------------------------------- flowmap.blue
def test_flowmap_blue_tables_are_read_with_their_own_names(tmp_path):
    locs, rows = tmp_path / "locations.csv", tmp_path / "flows.csv"
    LOCATIONS.to_csv(locs, index=False)
    FM_FLOWS.to_csv(rows, index=False)
    g = _gdf(gf.read_flows(rows, locations=locs))
    assert g["origin"].tolist() == ["Rajin", "Vladivostok"]
    assert g["destination"].tolist() == ["Vladivostok", "Odesa"]
    assert g["volume"].tolist() == [40.0, 7.0]
    assert g["origin_lat"].tolist() == [42.245, 43.1167]
    assert g["destination_lon"].tolist() == [131.8833, 30.7233]


def test_flowmap_blue_unknown_ids_are_listed_with_their_rows(tmp_path):
    rows = tmp_path / "flows.csv"
    pd.DataFrame(
        {"origin": ["RJN", "XXX", "VVO"], "dest": ["VVO", "ODS", "NOPE"], "count": 1}
    ).to_csv(rows, index=False)
    with pytest.raises(gf.FlowValidationError) as info:
        gf.read_flows(rows, locations=LOCATIONS)
    got = sorted((p.row, p.field, p.value) for p in info.value.problems)
    # CSV rows as a spreadsheet shows them: the header is row 1.
    assert got == [(3, "origin", "XXX"), (4, "destination", "NOPE")]
    assert all("no location with this id" in p.rule for p in info.value.problems)


def test_flowmap_blue_locations_need_their_columns():
    with pytest.raises(gf.FlowValidationError, match="'lat' is missing"):
        gf.read_flows(FM_FLOWS, locations=LOCATIONS.drop(columns="lat"))


def test_flowmap_blue_written_back_reads_the_same(tmp_path):
    flows = gf.read_flows(FM_FLOWS, locations=LOCATIONS)
    folder = gf.write_flows(flows, tmp_path / "fm", format="flowmap.blue")
    locs = pd.read_csv(folder / "locations.csv", dtype={"id": str})
    rows = pd.read_csv(folder / "flows.csv", dtype={"origin": str, "dest": str})
    assert list(locs.columns) == ["id", "name", "lat", "lon", "kind", "country"]
    assert list(rows.columns) == ["origin", "dest", "count"]
    assert locs["name"].tolist() == ["Rajin", "Vladivostok", "Odesa"]
    # the location ids it was given are kept (issue 22), not renumbered 1…n
    assert locs["id"].tolist() == ["RJN", "VVO", "ODS"]
    assert rows.values.tolist() == [["RJN", "VVO", 40.0], ["VVO", "ODS", 7.0]]
    back = _gdf(gf.read_flows(folder / "flows.csv", locations=folder / "locations.csv"))
    orig = _gdf(flows)
    for c in ("origin", "destination", "volume", "origin_lat", "destination_lon", "origin_id"):
        assert back[c].tolist() == orig[c].tolist()


def test_flowmap_blue_warns_when_units_would_be_summed(tmp_path):
    flows = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "volume": 1, "unit": "ships"},
            {"origin": "Rajin", "destination": "Vladivostok", "volume": 9, "unit": "tonnes"},
        ]
    )
    with pytest.warns(gf.GeoflowsWarning, match="2 units"):
        gf.write_flows(flows, tmp_path / "fm", format="flowmap.blue")


def test_kepler_csv_has_source_and_target_columns(tmp_path):
    flows = gf.read_flows(FM_FLOWS, locations=LOCATIONS)
    out = flows.to_file(tmp_path / "kepler.csv", format="kepler.gl")
    df = pd.read_csv(out)
    assert list(df.columns[:4]) == ["source_lat", "source_lng", "target_lat", "target_lng"]
    assert df[["source_lat", "source_lng", "target_lat", "target_lng"]].values.tolist() == [
        [42.245, 130.3, 43.1167, 131.8833],
        [43.1167, 131.8833, 46.4825, 30.7233],
    ]
    assert df["volume"].tolist() == [40.0, 7.0]


# --------------------------------------------------------------------------- given lines
def _track_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"origin": ["50.0, 170.0"], "destination": ["52.0, -170.0"], "volume": [1]},
        geometry=[TRACK],
        crs="EPSG:4326",
    )


def test_a_geodataframe_track_is_kept_not_replaced():
    g = _gdf(gf.read_flows(_track_frame()))
    assert g["route_kind"].tolist() == ["given"]
    xy = np.array(g.geometry.iloc[0].coords)
    # The same vertices, unwrapped across 180° (-179.6 → 180.4) instead of jumping.
    np.testing.assert_allclose(xy, [[170, 50], [179.5, 51], [180.4, 51.2], [190, 52]])
    lon, lat = zip(*TRACK.coords, strict=True)
    expected = Geod(ellps="WGS84").line_length(lon, lat) / 1000
    assert g["length_km"].iloc[0] == pytest.approx(expected, rel=1e-9)


def test_a_track_in_another_crs_is_taken_to_lon_lat():
    g = _gdf(gf.read_flows(_track_frame().to_crs("EPSG:3857")))
    np.testing.assert_allclose(np.array(g.geometry.iloc[0].coords)[[0, -1]], [[170, 50], [190, 52]])


def test_lines_without_a_crs_are_refused():
    with pytest.raises(gf.GeoflowsError, match="no CRS"):
        gf.read_flows(_track_frame().set_crs(None, allow_override=True))


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet", ".csv"])
def test_given_lines_survive_every_export_and_reread(tmp_path, suffix):
    flows = gf.read_flows(_track_frame())
    out = flows.to_file(tmp_path / f"track{suffix}")
    back = gf.read_flows(out)
    g = _gdf(back)
    assert g["route_kind"].tolist() == ["given"]
    # The same line (exports split it at 180°, which adds the vertex at the cut).
    assert g.geometry.iloc[0].hausdorff_distance(_gdf(flows).geometry.iloc[0]) < 1e-6


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet"])
def test_a_gis_file_of_tracks_without_names(tmp_path, suffix):
    p = tmp_path / f"ais{suffix}"
    gdf = gpd.GeoDataFrame({"ship": ["A"]}, geometry=[TRACK], crs="EPSG:4326")
    if suffix == ".parquet":
        gdf.to_parquet(p)
    else:
        gdf.to_file(p)
    g = _gdf(gf.read_flows(p))
    assert g["origin"].tolist() == ["50.0, 170.0"] and g["destination"].tolist() == ["52.0, -170.0"]
    assert g["route_kind"].tolist() == ["given"] and g["ship"].tolist() == ["A"]


def test_geoflows_own_lines_are_rebuilt_not_taken_as_given(tmp_path):
    flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "mode": "sea"}])
    back = gf.read_flows(flows.to_file(tmp_path / "f.geojson"))
    assert _gdf(back)["route_kind"].tolist() == _gdf(flows)["route_kind"].tolist() != ["given"]


def test_given_lines_reach_the_map_payload():
    from geoflows.render._payload import build_payload, decode_coords, payload_fields

    payload = build_payload(gf.read_flows(_track_frame()))
    # The map ships the track's own vertices (unwrapped across 180°), not a geodesic.
    np.testing.assert_allclose(
        decode_coords(payload), [[170, 50], [179.5, 51], [180.4, 51.2], [190, 52]]
    )
    assert payload_fields(payload)["route"] == ["given"]


# --------------------------------------------------------------------------- movingpandas
def test_a_trajectory_collection_becomes_one_flow_per_trajectory():
    mpd = pytest.importorskip("movingpandas")
    t = pd.date_range("2024-03-01", periods=4, freq="12h")
    pts = gpd.GeoDataFrame(
        {"t": list(t) * 2, "ship": ["A"] * 4 + ["B"] * 4},
        geometry=[shapely.Point(x, y) for x, y in TRACK.coords]
        + [shapely.Point(30.7 + i, 46.5 - i) for i in range(4)],
        crs="EPSG:4326",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tc = mpd.TrajectoryCollection(pts, "ship", t="t")
    g = _gdf(gf.read_flows(tc))
    assert g["id"].tolist() == ["A", "B"]
    assert g["route_kind"].tolist() == ["given", "given"]
    assert g["origin"].tolist() == ["50.0, 170.0", "46.5, 30.7"]
    assert g["destination"].tolist() == ["52.0, -170.0", "43.5, 33.7"]
    assert [str(d.date()) for d in g["start"]] == ["2024-03-01", "2024-03-01"]
    assert [str(d.date()) for d in g["end"]] == ["2024-03-02", "2024-03-02"]
    assert len(g.geometry.iloc[0].coords) == 4


def test_read_table_keeps_lines(tmp_path):
    from geoflows.io import read_table

    p = tmp_path / "t.geojson"
    _track_frame().to_file(p)
    df = read_table(p)
    assert isinstance(df.loc[0, "geometry"], shapely.LineString)
    assert Path(p).exists()


def test_places_columns_of_units_differing_in_case(tmp_path):
    import pyogrio

    flows = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "volume": 1, "unit": "Tonnes"},
            {"origin": "Rajin", "destination": "Vladivostok", "volume": 2, "unit": "tonnes"},
        ]
    )
    out = flows.to_file(tmp_path / "f.gpkg")
    places = pyogrio.read_dataframe(out, layer="f_places")
    rajin = places[places["name"] == "Rajin"].iloc[0]
    assert (rajin["volume_out_Tonnes"], rajin["volume_out_tonnes_2"]) == (1.0, 2.0)


def test_cli_export_to_kepler_and_flowmap_blue(tmp_path):
    src = tmp_path / "theirs.csv"
    FLOWMAP_LAYOUT.to_csv(src, index=False)
    text = ",".join(f"{k}={v}" for k, v in MAPPING.items())
    for driver, out in (("kepler.gl", tmp_path / "k.csv"), ("flowmap.blue", tmp_path / "fm")):
        res = CliRunner().invoke(
            cli,
            ["export", str(src), "-o", str(out), "--columns", text, "--driver", driver],
            catch_exceptions=False,
        )
        assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "k.csv")["source_lat"].tolist() == [42.2, 46.49]
    assert pd.read_csv(tmp_path / "fm" / "flows.csv")["count"].tolist() == [1000.0, 3000.0]


def test_a_csv_with_wkt_lines_keeps_them(tmp_path):
    p = tmp_path / "tracks.csv"
    pd.DataFrame(
        {"origin": ["50.0, 170.0"], "destination": ["52.0, -170.0"], "geometry": [TRACK.wkt]}
    ).to_csv(p, index=False)
    g = _gdf(gf.read_flows(p))
    assert g["route_kind"].tolist() == ["given"]
    assert len(g.geometry.iloc[0].coords) == 4
    # Text that is not WKT is not a line: the route is built as usual.
    pd.DataFrame(
        {"origin": ["Rajin"], "destination": ["Vladivostok"], "geometry": ["somewhere"]}
    ).to_csv(p, index=False)
    assert _gdf(gf.read_flows(p))["route_kind"].tolist() == ["geodesic"]


def test_a_line_far_from_its_named_places_is_noted_and_warned():
    far = gpd.GeoDataFrame(
        {"id": ["v1"], "origin": ["Rajin"], "destination": ["Okhotsk"]},
        geometry=[shapely.LineString([(130.3, 42.25), (142.0, 52.0), (143.0, 53.5)])],
        crs="EPSG:4326",
    )
    with pytest.warns(gf.GeoflowsWarning, match=r"'v1' \(line ends \d+ km from the destination\)"):
        g = _gdf(gf.read_flows(far))
    assert g["route_kind"].tolist() == ["given"]
    assert g["route_note"].iloc[0].startswith("line ends ")
    # Within the tolerance there is no note.
    with warnings.catch_warnings():
        warnings.simplefilter("error", gf.GeoflowsWarning)
        near = _gdf(gf.read_flows(_track_frame()))
    assert near["route_note"].tolist() == [""]
