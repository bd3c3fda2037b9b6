"""Issue 22 §1 on a real dataset nobody here wrote: vega-datasets' 5,366 flows between US
airports (tests/data/vega/). Every airport has coordinates, so every flow is read: names the
gazetteer does not know (or knows elsewhere: "Bush" in Egypt) only label their coordinates."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import geoflows as gf
from geoflows.cli import cli

VEGA = Path(__file__).resolve().parent / "data" / "vega"
AIRPORTS, FLIGHTS = VEGA / "airports.csv", VEGA / "flights-airport.csv"


WARNED: list[str] = []


@pytest.fixture(scope="module")
def flights() -> gf.FlowSet:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flows = gf.read_flows(FLIGHTS, locations=AIRPORTS)
    WARNED[:] = [str(w.message) for w in caught]
    return flows


def test_every_flow_with_coordinates_is_read_as_given(flights):
    gdf = flights.to_geodataframe()
    table = pd.read_csv(FLIGHTS)
    airports = pd.read_csv(AIRPORTS).set_index("iata")
    assert len(gdf) == len(table) == 5366 and gdf.geometry.notna().all()
    assert gdf["volume"].sum() == table["count"].sum()
    # each end where the airports table puts it, not where the gazetteer knows its name
    atl = airports.loc["ATL"]
    rows = gdf[table["origin"].eq("ATL").to_numpy()]
    assert (rows["origin_lat"] == atl["latitude"]).all() and (
        rows["origin_lon"] == atl["longitude"]
    ).all()
    assert set(rows["origin"]) == {atl["name"]}


def test_names_far_from_their_coordinates_are_one_warning_naming_both(flights):
    (far,) = [w for w in WARNED if "disagree with the coordinates" in w]
    # e.g. 'Meadows' given at Bakersfield, 2,290 km from Meadows Place (US): both positions named
    assert "the coordinates given beside it (" in far and " km from " in far and ") at (" in far
    assert "strict=True" in far
    with pytest.raises(gf.FlowValidationError):
        gf.read_flows(FLIGHTS, locations=AIRPORTS, strict=True)


def test_the_cli_reads_it_with_locations(tmp_path):
    out = tmp_path / "flights.geojson"
    result = CliRunner().invoke(
        cli, ["export", str(FLIGHTS), "--locations", str(AIRPORTS), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"({5366} flows)" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg", ".parquet"])
def test_it_round_trips_through_every_gis_format(flights, tmp_path, suffix):
    path = flights.to_file(tmp_path / f"f{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", gf.GeoflowsWarning)  # read back with no problem, quietly
        back = gf.read_flows(path).to_geodataframe()
    gdf = flights.to_geodataframe()
    assert back["id"].tolist() == gdf["id"].tolist()
    for column in ("origin", "destination", "volume", "origin_lat", "destination_lon"):
        assert back[column].tolist() == gdf[column].tolist(), column


def test_the_flowmap_blue_export_keeps_the_iata_codes(flights, tmp_path):
    folder = gf.write_flows(flights, tmp_path / "fm", format="flowmap.blue")
    locations = pd.read_csv(folder / "locations.csv", keep_default_na=False)
    rows = pd.read_csv(folder / "flows.csv", keep_default_na=False)
    assert {"ATL", "LAX", "ORD"} <= set(locations["id"])
    assert set(rows["origin"]) | set(rows["dest"]) <= set(locations["id"])
    back = gf.read_flows(folder / "flows.csv", locations=folder / "locations.csv")
    assert back.to_geodataframe()["volume"].sum() == flights.to_geodataframe()["volume"].sum()
