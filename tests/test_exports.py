"""Exports a GIS user can query, byte for byte (issue 13 §6), checked with GDAL's ogrinfo.

``ogrinfo`` is Debian's ``gdal-bin`` (``make test`` installs it like chromium): it opens the
files the way QGIS does, independently of the pyogrio that wrote them.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest

import geoflows as gf
from geoflows.flows import best_volume

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "dprk_russia_2023_2024.csv"
OGRINFO = shutil.which("ogrinfo")
needs_ogrinfo = pytest.mark.skipif(
    OGRINFO is None, reason="GDAL's ogrinfo missing: apt-get install gdal-bin (make gdal)"
)


def ogrinfo(*args: str) -> str:
    proc = subprocess.run(
        [OGRINFO, "-ro", "-so", *args], capture_output=True, text=True, check=True
    )
    return proc.stdout


@pytest.fixture(scope="module")
def flows() -> gf.FlowSet:
    return gf.read_flows(DATA, route="geodesic")


@needs_ogrinfo
def test_geojson_layer_is_named_after_the_file_or_layer(flows, tmp_path):
    out = flows.to_file(tmp_path / "dprk.geojson")
    info = ogrinfo(str(out))
    assert "1: dprk (Line String)" in info and ".tmp" not in info
    named = flows.to_file(tmp_path / "x.geojson", layer="DPRK to Russia")
    assert "1: DPRK to Russia (Line String)" in ogrinfo(str(named))


@needs_ogrinfo
def test_geopackage_has_dates_and_a_places_layer(flows, tmp_path):
    out = flows.to_file(tmp_path / "dprk.gpkg")
    layers = ogrinfo(str(out))
    assert "1: dprk (Line String)" in layers and "2: dprk_places (Point)" in layers
    info = ogrinfo(str(out), "dprk")
    assert "start: Date" in info and "end: Date" in info
    assert f"Feature Count: {len(flows)}" in info
    places = ogrinfo(str(out), "dprk_places")
    for column in ("name: String", "flows_out: Integer64", "volume_out_containers: Real"):
        assert column in places


def test_places_layer_totals_per_unit(flows, tmp_path):
    out = flows.to_file(tmp_path / "dprk.gpkg")
    places = pyogrio.read_dataframe(out, layer="dprk_places")
    g = flows.to_geodataframe()
    rajin = places[places["name"] == g["origin_name"].iloc[0]].iloc[0]
    mine = g[(g["origin_name"] == rajin["name"]) & (g["unit"] == "containers")]
    # Totals use each flow's drawn volume: the figure, else the middle of its range, else its
    # one bound ("more than 1,000" counts 1,000).
    drawn = best_volume(mine["volume"], mine["volume_low"], mine["volume_high"])
    assert rajin["volume_out_containers"] == pytest.approx(drawn.sum())
    assert rajin["flows_out"] == (g["origin_name"] == rajin["name"]).sum()
    # Totals of different units stay in different columns, named without spaces (issue 22).
    named = {c for c in places.columns if c.startswith("volume_out_")}
    assert named == {
        f"volume_out_{u.replace(' ', '_')}" if u else "volume_out" for u in set(g["unit"])
    }
    assert {"volume_out_rail_cars", "volume_in_ship_round_trips"} <= set(places.columns)
    assert not [c for c in places.columns if not c.replace("_", "").isalnum()]


def test_geoparquet_has_dates_and_a_places_file(flows, tmp_path):
    out = flows.to_file(tmp_path / "dprk.parquet")
    schema = pq.read_schema(out)
    assert str(schema.field("start").type) == "date32[day]"
    assert str(schema.field("end").type) == "date32[day]"
    places = pd.read_parquet(tmp_path / "dprk.places.parquet")
    assert {"name", "lat", "lon", "flows_in", "flows_out", "volume_in_containers"} <= set(places)
    back = gf.read_flows(out, route="geodesic")
    pd.testing.assert_series_equal(
        back.to_geodataframe()["start"], flows.to_geodataframe()["start"], check_dtype=False
    )


_WRITE = """
import sys, geoflows as gf
flows = gf.read_flows(sys.argv[1], route="geodesic")
for suffix in ("geojson", "gpkg", "parquet"):
    flows.to_file(f"{sys.argv[2]}/dprk.{suffix}")
"""


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.mark.slow
def test_exports_are_byte_identical_across_two_processes(tmp_path):
    folders = [tmp_path / "a", tmp_path / "b"]
    for f in folders:
        f.mkdir()
        subprocess.run(
            [sys.executable, "-c", _WRITE, str(DATA), str(f)], check=True, cwd=ROOT, timeout=300
        )
    a, b = (_digests(f) for f in folders)
    assert set(a) == {"dprk.geojson", "dprk.gpkg", "dprk.parquet", "dprk.places.parquet"}
    assert a == b


@pytest.mark.slow
def test_exports_are_byte_identical_in_one_process(flows, tmp_path):
    for suffix in ("geojson", "gpkg", "parquet"):
        first = flows.to_file(tmp_path / f"one.{suffix}").read_bytes()
        second = flows.to_file(tmp_path / f"one.{suffix}").read_bytes()
        assert first == second, suffix


def test_one_movements_claims_count_once_in_every_export(tmp_path):
    """Issue 22 §2: 8,000, 11,000 and 10,000-12,000 troops about one movement (one ``group``)
    are one row of flowmap.blue and kepler.gl and one movement in the places layer, counted by
    their spread, never summed to 29,000; each says how many claims it rests on."""
    story = gf.read_flows(ROOT / "tests" / "data" / "iran_dprk_russia_2022_2025.csv")
    troops = story.filter(units=["troops"])
    fm = gf.write_flows(troops, tmp_path / "fm", format="flowmap.blue")
    rows = pd.read_csv(fm / "flows.csv")
    assert rows["count"].max() == 10000.0  # the middle of 8,000-12,000
    assert sorted(rows["claims"]) == [1, 1, 3]
    kepler = pd.read_csv(gf.write_flows(troops, tmp_path / "k.csv", format="kepler.gl"))
    sea = kepler[kepler["claims"] == 3].iloc[0]
    assert (sea["volume_low"], sea["volume_high"], sea["id"]) == (
        8000.0,
        12000.0,
        "ird_21 ; ird_22 ; ird_23",
    )
    assert len(kepler) == 3 and kepler["source"].str.contains("State Department").any()
    places = pyogrio.read_dataframe(troops.to_file(tmp_path / "t.gpkg"), layer="t_places")
    vlad = places[places["name"] == "Vladivostok"].iloc[0]
    assert (vlad["flows_in"], vlad["claims_in"], vlad["volume_in_troops"]) == (1, 3, 10000.0)


STORY = ROOT / "tests" / "data" / "iran_dprk_russia_2022_2025.csv"


@pytest.fixture(scope="module")
def story() -> gf.FlowSet:
    return gf.read_flows(STORY)


@pytest.mark.parametrize("suffix", ["csv", "geojson", "gpkg", "parquet"])
def test_a_month_stays_a_month_through_every_export(story, tmp_path, suffix):
    """Issue 22 §7: the story gives months; each export says so, and reads back as months."""
    path = story.to_file(tmp_path / f"story.{suffix}")
    back = gf.read_flows(path).to_geodataframe()
    given = story.to_geodataframe()
    assert set(given["start_precision"]) == {"month"}
    for c in ("start", "end", "start_precision", "end_precision"):
        assert back[c].tolist() == given[c].tolist(), c
    ird_12 = back.set_index("id").loc["ird_12"]
    assert (str(ird_12["start"].date()), str(ird_12["end"].date())) == ("2024-09-01", "2024-09-30")


def test_flowmap_blue_times_are_the_periods_given(story, tmp_path):
    folder = story.filter(units=["troops"]).to_file(tmp_path / "fb", format="flowmap.blue")
    times = pd.read_csv(folder / "flows.csv", dtype=str)["time"].tolist()
    assert set(times) == {"2024-10", "2024-11", "2025-01"}
    back = gf.read_flows(folder / "flows.csv", locations=folder / "locations.csv")
    back = back.to_geodataframe()
    assert set(back["start_precision"]) == {"month"}


def test_flowmap_blue_warns_that_it_adds_up_a_group_naming_two_lanes(tmp_path):
    """Issue 22 §3: a group whose sources name two ports is one flowmap.blue row per lane, each
    with its claims; flowmap.blue would count the movement on both at the place they share, so
    the export says so, naming the group and its lanes. The places layer counts it once."""
    base = {"destination": "Vladivostok", "unit": "ships", "mode": "air", "group": "g"}
    flows = gf.read_flows(
        [
            {**base, "origin": "Rajin", "volume": 5, "source": "Source A"},
            {**base, "origin": "Nampo", "volume": 3, "source": "Source C"},
        ]
    )
    with pytest.warns(
        gf.GeoflowsWarning, match=r"'g': Rajin → Vladivostok, Nam.* → Vladivostok"
    ) as w:
        fm = gf.write_flows(flows, tmp_path / "fm", format="flowmap.blue")
    assert [r.filename for r in w] == [__file__]  # the warning points at the user's line
    assert sorted(pd.read_csv(fm / "flows.csv")["count"]) == [3.0, 5.0]  # each lane's claim
    # a group whose claims agree on the lane is one row: nothing to warn about
    agree = gf.read_flows([{**base, "origin": "Rajin", "volume": v} for v in (5, 3)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", gf.GeoflowsWarning)
        fm = gf.write_flows(agree, tmp_path / "agree", format="flowmap.blue")
    assert pd.read_csv(fm / "flows.csv")[["count", "claims"]].values.tolist() == [[4.0, 2]]


def test_places_layer_counts_an_up_to_record_by_its_bound(tmp_path):
    """Issue 22: place totals left out "up to" records; an upper bound alone counts as itself."""
    rows = [
        {"origin": "Tehran", "destination": "Moscow", "volume_high": 400, "unit": "drones"},
        {"origin": "Tehran", "destination": "Moscow", "volume": 100, "unit": "drones"},
        {"origin": "Tehran", "destination": "Moscow", "volume_low": 50, "unit": "drones"},
    ]
    out = gf.read_flows(rows).to_file(tmp_path / "f.gpkg")
    places = pyogrio.read_dataframe(out, layer="f_places").set_index("name")
    assert places.loc["Tehran", "flows_out"] == 3
    assert places.loc["Tehran", "volume_out_drones"] == 550
    assert places.loc["Moscow", "volume_in_drones"] == 550
