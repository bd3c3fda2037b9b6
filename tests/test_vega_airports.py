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


def test_the_flowmap_blue_export_reads_back_record_for_record(flights, tmp_path):
    folder = gf.write_flows(flights, tmp_path / "fm", format="flowmap.blue")
    back = gf.read_flows(folder / "flows.csv", locations=folder / "locations.csv")
    got, want = back.to_geodataframe(), flights.to_geodataframe()
    key = ["origin_id", "destination_id"]
    got = got.sort_values(key, kind="stable").reset_index(drop=True)
    want = want.sort_values(key, kind="stable").reset_index(drop=True)
    for column in (*key, "origin", "destination", "volume", "origin_lat", "destination_lon"):
        assert got[column].tolist() == want[column].tolist(), column


def test_the_kepler_gl_export_reads_back_with_its_coordinates(flights, tmp_path):
    path = gf.write_flows(flights, tmp_path / "kepler.csv", format="kepler.gl")
    with warnings.catch_warnings():
        warnings.simplefilter("error", gf.GeoflowsWarning)
        back = gf.read_flows(path).to_geodataframe()
    gdf = flights.to_geodataframe()
    assert len(back) == len(gdf) == 5366
    for column in ("origin", "destination", "volume", "origin_lat", "destination_lon"):
        assert back[column].tolist() == gdf[column].tolist(), column


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> tuple[Path, Path]:
    """The first 300 flights, and the airports under column names of someone else's."""
    folder = tmp_path_factory.mktemp("renamed")
    pd.read_csv(FLIGHTS).head(300).to_csv(folder / "flights.csv", index=False)
    pd.read_csv(AIRPORTS).rename(
        columns={"iata": "code", "name": "airport", "latitude": "y", "longitude": "x"}
    ).to_csv(folder / "airports.csv", index=False)
    return folder / "flights.csv", folder / "airports.csv"


def test_the_cli_maps_a_locations_table_through_its_column_names(renamed, tmp_path):
    flights, airports = renamed
    out = tmp_path / "airports.html"
    args = ["map", str(flights), "--locations", str(airports), "-o", str(out), "--tiles", "none"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code != 0 and "--location-columns" in refused.output
    result = CliRunner().invoke(
        cli, [*args, "--location-columns", "code=id,airport=name,y=lat,x=lon"]
    )
    assert result.exit_code == 0, result.output
    assert "(300 flows)" in result.output and out.stat().st_size > 10_000


def _build_file(folder: Path, flights: Path, airports: Path, **extra: object) -> Path:
    import yaml

    spec = {
        "inputs": {
            "flights": {
                "path": str(flights),
                "locations": str(airports),
                "location_columns": {"code": "id", "airport": "name", "y": "lat", "x": "lon"},
                **extra,
            }
        },
        "output_dir": str(folder / "out"),
        "maps": [{"name": "airports", "input": "flights", "options": {"tiles": None}}],
    }
    path = folder / "build.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_a_build_file_reads_a_locations_table(renamed, tmp_path):
    flights, airports = renamed
    build = _build_file(tmp_path, flights, airports)
    result = CliRunner().invoke(cli, ["build", str(build)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "airports.html").read_text(encoding="utf-8")
    assert "Lehigh Valley" in page  # ABE, named by the airports table, not the gazetteer
    checked = CliRunner().invoke(cli, ["validate", str(build)])
    assert checked.exit_code == 0 and "300 flows" in checked.output, checked.output


def test_a_location_column_mapped_to_no_field_is_a_build_problem_with_its_key(renamed, tmp_path):
    flights, airports = renamed
    build = _build_file(tmp_path, flights, airports, location_columns={"y": "latitude"})
    result = CliRunner().invoke(cli, ["validate", str(build)])
    assert result.exit_code != 0
    assert "inputs.flights.location_columns.y" in result.output and "'latitude'" in result.output


@pytest.fixture(scope="module")
def far(tmp_path_factory) -> tuple[Path, Path]:
    """A locations table that puts a name the gazetteer knows 6,800 km from where it lies."""
    folder = tmp_path_factory.mktemp("far")
    (folder / "loc.csv").write_text(
        "id,name,lat,lon\nVVO,Vladivostok,40.64,-73.78\nATL,Atlanta,33.64,-84.43\n",
        encoding="utf-8",
    )
    (folder / "flows.csv").write_text("origin,dest,count\nVVO,ATL,5\n", encoding="utf-8")
    return folder / "flows.csv", folder / "loc.csv"


def test_strict_makes_a_far_name_a_problem_in_the_cli_and_a_build_file(far, tmp_path):
    flows, loc = far
    args = ["export", str(flows), "--locations", str(loc), "-o", str(tmp_path / "f.geojson")]
    lenient = CliRunner().invoke(cli, args)
    assert lenient.exit_code == 0, lenient.output
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code != 0
    assert "Vladivostok" in strict.output and "origin" in strict.output and " km " in strict.output
    build = _build_file(tmp_path, flows, loc, strict=True, location_columns={})
    checked = CliRunner().invoke(cli, ["validate", str(build)])
    assert checked.exit_code != 0 and "FAIL" in checked.output and "Vladivostok" in checked.output


def _calls(function_name: str, read) -> int:
    """How many times ``read()`` calls a function of that name (cProfile: nothing patched)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profile.runcall(read)
    stats = pstats.Stats(profile).stats  # {(file, line, name): (calls, ...)}
    return sum(v[1] for (_, _, name), v in stats.items() if name == function_name)


def test_no_suggestion_is_computed_for_flows_whose_places_are_located(far):
    flows, loc = far
    # located: 'Atlanta' and a far 'Vladivostok' label coordinates; nothing is suggested
    assert _calls("_suggestions", lambda: gf.read_flows(flows, locations=loc)) == 0
    # the same count is not blind: an unknown name without coordinates gets its suggestions
    unknown = [{"origin": "Xqzzyville", "destination": "Atlanta", "volume": 1}]
    assert _calls("_suggestions", lambda: gf.read_flows(unknown, allow_unresolved=True)) > 0
