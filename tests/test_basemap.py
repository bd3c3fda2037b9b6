"""The offline basemap: 1:10m outlines clipped to a map's extent, simplified, within budget."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

import geoflows as gf
from geoflows.render import basemap
from geoflows.render._basemap import MAX_BYTES, fit_zoom

ROOT = Path(__file__).resolve().parents[1]
REGIONAL = [[41.76, 129.82], [43.1056, 133.7]]  # the shipments map: Chongjin to Dunai
PORTS = ("Rajin", "Vladivostok", "Khasan", "Tumangang", "Dunai", "Chongjin")


def polygons(bm: dict) -> list[shapely.Polygon]:
    scale = 10 ** bm["precision"]
    return [
        shapely.Polygon(np.cumsum(np.asarray(r, dtype=float).reshape(-1, 2), axis=0) / scale)
        for r in bm["rings"]
    ]


def on_land(bm: dict, name: str) -> bool:
    place = gf.geocode(name)
    land = shapely.union_all([p.buffer(0) for p in polygons(bm)])
    return bool(land.contains(shapely.Point(place.lon, place.lat)))


def size(bm: dict) -> int:
    """Bytes the basemap takes in a page's payload (packed, as ``payload_basemap`` sends it)."""
    from geoflows.render._basemap import _outlines, _packed_bytes

    flat = np.array([v for ring in bm["rings"] for v in ring], dtype=np.int64)
    sizes = np.array([len(ring) for ring in bm["rings"]], dtype=np.int64)
    return _packed_bytes(_outlines(bm["precision"], flat, sizes, bm["cuts"]))


def test_without_bounds_the_world_at_110m_as_shipped():
    shipped = json.loads((ROOT / "geoflows/_data/basemap/countries_110m.json").read_text())
    assert basemap("countries") == {**shipped, "cuts": []}


def test_regional_map_puts_every_port_on_land_where_110m_did_not():
    fine = basemap("countries", REGIONAL)
    assert [p for p in PORTS if not on_land(fine, p)] == []
    # the complaint: at 1:110m a port sits in the sea
    coarse = basemap("countries")
    assert [p for p in PORTS if not on_land(coarse, p)] == ["Dunai"]


def test_clipped_to_the_extent_plus_margin_and_simplified_to_a_pixel():
    bm = basemap("countries", REGIONAL)
    scale = 10.0 ** bm["precision"]
    # the clip box is the middle of the three cuts (the others: its copies 360° east and west)
    west, south, east, north = np.asarray(bm["cuts"]).reshape(-1, 4)[1] / scale
    # margin: the extent again (at least 3°, and at least the fitted view plus a quarter of
    # the extent) on each side: 3.88° of longitude, 3° of latitude here
    assert (west, south, east, north) == pytest.approx((125.94, 38.76, 137.58, 46.1056), abs=0.01)
    # outside it, the 1:110m world: no pan shows where the clip ends
    assert on_land(bm, "Beijing") and on_land(bm, "Tokyo")
    assert bm["precision"] == 3 and fit_zoom((129.82, 41.76, 133.7, 43.1056)) == 8
    coarse_px = basemap("countries", [[20, 0], [70, 160]])
    assert coarse_px["precision"] == 1 and size(bm) < size(coarse_px)


@pytest.mark.parametrize(
    "bounds",
    [REGIONAL, [[35, 30], [62, 145]], [[-60, -180], [80, 200]], [[40, 28], [48, 42]]],
)
def test_every_extent_stays_within_the_budget(bounds):
    bm = basemap("countries", bounds)
    assert 0 < size(bm) <= MAX_BYTES and len(bm["rings"]) > 0


def test_longitudes_past_the_antimeridian_get_outlines_there():
    bm = basemap("countries", (170, 60, 200, 70))  # (west, south, east, north): Chukotka
    west, _, east, _ = shapely.total_bounds(polygons(bm))
    assert west < 180 < east
    assert on_land(bm, "Moscow") is True  # outside the clip box: the 1:110m world
    chukotka = shapely.Point(185.0, 66.0)  # inland near Provideniya, as an unwrapped longitude
    assert shapely.union_all([p.buffer(0) for p in polygons(bm)]).contains(chukotka)


def test_same_bounds_same_bytes_in_one_process():
    assert json.dumps(basemap("countries", REGIONAL)) == json.dumps(
        basemap("countries", [[41.76, 129.82], [43.1056, 133.7]])
    )


def _in_fresh_process(code: str, cache: Path) -> str:
    """Run ``code`` in a new Python with its clipped basemaps kept in ``cache``."""
    setup = (
        "from pathlib import Path; from geoflows.render import _basemap as B; "
        f"B.basemap_cache_dir = lambda: Path({str(cache)!r}); "
    )
    return subprocess.run(
        [sys.executable, "-c", setup + code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()


@pytest.mark.slow
def test_same_bounds_same_bytes_across_processes(tmp_path):
    code = f"import json; print(json.dumps(B.basemap('countries', {REGIONAL!r}), separators=(',', ':')))"
    cold = _in_fresh_process(code, tmp_path)  # clipped, then stored
    warm = _in_fresh_process(code, tmp_path)  # read from the disk cache
    assert cold == warm == json.dumps(basemap("countries", REGIONAL), separators=(",", ":"))


@pytest.mark.parametrize(
    ("bounds", "match"),
    [
        ([[43, 130], [42, 132]], "south <= north; got"),
        ((1, 2, 3), r"must be \[\[south, west\], \[north, east\]\]"),
        ("Rajin", r"must be \[\[south, west\], \[north, east\]\]"),
    ],
)
def test_bad_bounds_are_named(bounds, match):
    with pytest.raises(gf.GeoflowsError, match=match):
        basemap("countries", bounds)


def test_unknown_basemap_lists_the_known_ones():
    with pytest.raises(
        gf.GeoflowsError, match="basemap must be one of countries or None; got 'sat'"
    ):
        basemap("sat")
    assert basemap(None, REGIONAL) is None


def test_payload_helper_still_gives_the_world():
    from geoflows.render._encode import unpack
    from geoflows.render._payload import _basemap

    world, packed = basemap("countries"), _basemap("countries")
    assert packed["precision"] == world["precision"] and _basemap(None) is None
    assert unpack(packed["rings"]) == [v for ring in world["rings"] for v in ring]
    assert unpack(packed["sizes"]) == [len(ring) for ring in world["rings"]]


def test_shipped_data_is_small_and_licensed():
    folder = ROOT / "geoflows" / "_data" / "basemap"
    assert (folder / "countries_10m.gfbm").stat().st_size < 2_000_000
    licence = (folder / "LICENSE-world-atlas").read_text()
    assert "Michael Bostock" in licence and "Natural Earth" in (folder / "README.md").read_text()


@pytest.mark.parametrize("lat", [90.0, -90.0])
def test_an_extent_at_a_pole_is_clipped_not_inverted(lat):
    # found by the fuzz test: a flow from "90, 180" to itself made an empty clip box
    bm = basemap("countries", [[lat, 180.0], [lat, 180.0]])
    assert bm is not None and size(bm) <= MAX_BYTES


def test_a_tall_extent_keeps_land_across_the_whole_wide_view():
    # the Black Sea grain corridor is 5° wide and 15° tall: a 1024 px window at its fitted zoom
    # shows about 22° of longitude, all of which must be drawn
    extent = (25.8, 31.2, 31.0, 46.5)
    bm = basemap("countries", [[31.2, 25.8], [46.5, 31.0]])
    west, _, east, _ = shapely.total_bounds(polygons(bm))
    zoom = fit_zoom(extent)
    view = 360.0 * 1024 / (256 * 2**zoom)
    middle = (extent[0] + extent[2]) / 2
    assert west <= middle - view / 2 and east >= middle + view / 2


def test_a_box_geos_refuses_on_one_ring_still_gives_a_basemap():
    # GEOS raised "Invalid number of points in LinearRing" clipping the 1:10m outlines to this
    # extent (the golden three-flow map); the ring that fails is repaired, not the map lost
    bm = basemap("countries", [[39.03, 30.52], [58.878, 131.89]])
    assert len(bm["rings"]) > 100 and size(bm) <= MAX_BYTES


def test_a_regional_map_reads_only_the_tiles_near_it_and_then_none(tmp_path):
    # in a fresh process: how many of the 1:10m file's tiles one regional basemap decodes
    code = (
        "import json; B.basemap('countries', [[42.2, 130.2], [43.2, 132.0]]);"
        "print(json.dumps([B._tile.cache_info().currsize, len(B._world_10m()['chunks'])]))"
    )
    read, tiles = json.loads(_in_fresh_process(code, tmp_path))
    assert tiles > 200 and 0 < read <= 10
    assert len(list(tmp_path.glob("basemap-*.npz"))) == 1
    # the next process finds the clipped basemap on disk: no tile is read
    read, _ = json.loads(_in_fresh_process(code, tmp_path))
    assert read == 0


def test_a_continental_map_uses_the_coarse_copy_and_keeps_every_country_filled():
    # fitted at zoom 3: one pixel is about 0.1 degree, so the copy simplified at data-prep time
    # is clipped; its rings must stay valid, or whole countries clip to nothing
    from geoflows.render import _basemap as B

    bounds = [[39.027, 35.6], [67.6589, 135.135]]  # the example map
    assert fit_zoom((35.6, 39.027, 135.135, 67.6589)) <= 4
    bm = basemap("countries", bounds)
    inland = ("Novosibirsk", "Ulaanbaatar", "Astana", "Irkutsk", "Moscow", "Lanzhou", "Yakutsk")
    assert [c for c in inland if not on_land(bm, c)] == []
    polys = B._rings_near((20.0, 10.0, 150.0, 85.0), B.COARSE_FILE)
    assert len(polys) > 100 and shapely.is_valid(polys).all()
    assert 0 < size(bm) <= MAX_BYTES


def test_detail_near_places_and_no_chord_between_cuts():
    """Detail boxes around the places; their cut edges are filled, never stroked or chorded."""
    from geoflows.render._basemap import stroked

    anzali, makhachkala = (49.464, 37.476), (47.5, 42.98)
    bounds = [[35.0, 40.0], [60.0, 135.0]]  # the story's extent: fitted at zoom 3
    plain = basemap("countries", bounds)
    near = basemap("countries", bounds, places=[anzali, makhachkala])
    sc = 10.0 ** near["precision"]
    cuts = np.asarray(near["cuts"]).reshape(-1, 4)
    assert len(cuts) == 3 + 2  # the clip (and its copies 360° away) and one box per place
    # near Anzali the coast has far more points than the overview's
    box = shapely.box(49.0, 37.0, 50.0, 38.0)

    def coast_points(bm):
        lines = [
            shapely.LineString(line / (10.0 ** bm["precision"]))
            for line in stroked(bm["rings"], bm["cuts"])
        ]
        return int(shapely.get_num_coordinates(shapely.intersection(shapely.union_all(lines), box)))

    assert coast_points(near) > 4 * coast_points(plain)
    # no stroked edge joins one cut to another (a chord left by simplifying after cutting)
    xs, ys = set(cuts[:, 0::2].ravel().tolist()), set(cuts[:, 1::2].ravel().tolist())
    for line in stroked(near["rings"], near["cuts"]):
        a, b = line[:-1], line[1:]
        on_a = np.isin(a[:, 0], list(xs)) | np.isin(a[:, 1], list(ys))
        on_b = np.isin(b[:, 0], list(xs)) | np.isin(b[:, 1], list(ys))
        long = np.abs(b - a).max(axis=1) > 0.05 * sc
        assert not (on_a & on_b & long).any(), (a[on_a & on_b & long] / sc)[:3]
