"""Tests of geoflows.routes on real places (lon, lat)."""

from __future__ import annotations

import warnings

import numpy as np
import pyproj
import pytest
import shapely

from geoflows.errors import RouteFallbackWarning
from geoflows.routes import (
    RAIL_SNAP_KM,
    ROUTE_KINDS,
    Routes,
    _network,
    arc,
    build_routes,
    clear_route_cache,
    densify_geodesics,
    endpoint_lines,
    geodesic,
    rail,
    sea,
    split_antimeridian,
    straight,
    unwrap_lon,
)

GEOD = pyproj.Geod(ellps="WGS84")
VLADIVOSTOK = (131.87, 43.11)
MOSCOW = (37.62, 55.75)
ANCHORAGE = (-149.90, 61.22)
PROVIDENIYA = (-173.23, 64.42)
RAJIN = (130.28, 42.26)
KHABAROVSK = (135.08, 48.48)
BUSAN = (129.04, 35.10)


def _od(*pairs):
    """[(origin, destination), ...] -> olon, olat, dlon, dlat arrays."""
    arr = np.array([[*o, *d] for o, d in pairs], dtype=float)
    return arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]


def _inv_km(o, d):
    return GEOD.inv(o[0], o[1], d[0], d[1])[2] / 1000.0


def _max_lon_step(line):
    return float(np.max(np.abs(np.diff(shapely.get_coordinates(line)[:, 0]))))


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_route_cache()
    yield
    clear_route_cache()


@pytest.fixture(scope="module")
def rail_graph():
    """The world railway graph, loaded once for the module (skips without the rail extra)."""
    try:
        graph = _network._rail_graph()
    except ImportError:
        pytest.skip("rail extra (scgraph + scgraph-data) not installed")
    return graph


# --- geodesic ---------------------------------------------------------------------------------


def test_geodesic_length_matches_pyproj():
    r = build_routes(*_od((VLADIVOSTOK, MOSCOW)))
    expected = _inv_km(VLADIVOSTOK, MOSCOW)
    assert r.route_kind.tolist() == ["geodesic"]
    assert r.length_km[0] == pytest.approx(expected, rel=0.005)
    assert r.geometry[0].coords[0] == VLADIVOSTOK
    assert r.geometry[0].coords[-1] == MOSCOW


def test_geodesic_densified_by_distance():
    short, long_ = geodesic(*_od((VLADIVOSTOK, (131.87, 44.01)), (VLADIVOSTOK, (80.0, 55.0))))
    assert len(short.coords) < 5
    assert len(long_.coords) > 60
    assert len(short.coords) < len(long_.coords)
    # no gap between vertices exceeds the spacing
    c = shapely.get_coordinates(long_)
    gaps = GEOD.inv(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1])[2] / 1000.0
    assert gaps.max() <= 50.0 + 1e-6


def test_degenerate_flow_is_two_point_line():
    r = build_routes(*_od((VLADIVOSTOK, VLADIVOSTOK)), mode=["sea"])
    assert len(r.geometry[0].coords) == 2
    assert r.length_km[0] == 0.0
    g = geodesic(*_od((VLADIVOSTOK, VLADIVOSTOK)))[0]
    assert list(g.coords) == [VLADIVOSTOK, VLADIVOSTOK]


def test_nan_coordinate_names_index():
    olon, olat, dlon, dlat = _od((VLADIVOSTOK, MOSCOW), (RAJIN, MOSCOW))
    olat[1] = np.nan
    with pytest.raises(ValueError, match="index 1"):
        build_routes(olon, olat, dlon, dlat)


def test_bad_mode_and_route_are_rejected():
    with pytest.raises(ValueError, match="mode"):
        build_routes(*_od((VLADIVOSTOK, MOSCOW)), mode=["boat"])
    with pytest.raises(ValueError, match="route"):
        build_routes(*_od((VLADIVOSTOK, MOSCOW)), route="teleport")
    assert ROUTE_KINDS == ("auto", "geodesic", "straight", "arc", "sea", "rail")


# --- antimeridian -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dest", "low", "high"), [(ANCHORAGE, 4800, 5600), (PROVIDENIYA, 3800, 4500)]
)
def test_antimeridian_lines_are_short_and_continuous(dest, low, high):
    r = build_routes(*_od((VLADIVOSTOK, dest)))
    line = r.geometry[0]
    assert low < r.length_km[0] < high
    assert _max_lon_step(line) < 5.0
    assert line.coords[-1][0] == pytest.approx(dest[0] + 360.0)
    for builder in (straight, arc):
        assert _max_lon_step(builder(*_od((VLADIVOSTOK, dest)))[0]) < 5.0


def test_split_antimeridian_parts_in_range_and_length_kept():
    r = build_routes(*_od((VLADIVOSTOK, ANCHORAGE), (VLADIVOSTOK, PROVIDENIYA), (RAJIN, MOSCOW)))
    out = split_antimeridian(r.geometry)
    for i in (0, 1):
        assert out[i].geom_type == "MultiLineString"
        for part in out[i].geoms:
            lon = shapely.get_coordinates(part)[:, 0]
            assert lon.min() >= -180.0 and lon.max() <= 180.0
        length = sum(GEOD.geometry_length(p) for p in out[i].geoms) / 1000.0
        assert length == pytest.approx(r.length_km[i], rel=1e-3)
    assert out[2] is r.geometry[2]


def test_unwrap_lon():
    assert unwrap_lon([170.0, 179.0, -179.0, -170.0]).tolist() == [170.0, 179.0, 181.0, 190.0]


# --- arcs -------------------------------------------------------------------------------------


def test_opposite_flows_become_arcs_on_their_right():
    r = build_routes(*_od((VLADIVOSTOK, MOSCOW), (MOSCOW, VLADIVOSTOK), (RAJIN, BUSAN)))
    assert r.route_kind.tolist() == ["arc", "arc", "geodesic"]
    mids = [shapely.line_interpolate_point(g, 0.5, normalized=True) for g in r.geometry[:2]]
    apart_km = _inv_km((mids[0].x, mids[0].y), (mids[1].x, mids[1].y))
    assert apart_km > 500
    # going west from Vladivostok the right-hand side is north
    assert mids[0].y > mids[1].y
    assert r.geometry[0].coords[0] == VLADIVOSTOK and r.geometry[0].coords[-1] == MOSCOW


def test_explicit_geodesic_pair_stays_geodesic():
    r = build_routes(*_od((VLADIVOSTOK, MOSCOW), (MOSCOW, VLADIVOSTOK)), route="geodesic")
    assert r.route_kind.tolist() == ["geodesic", "geodesic"]


# --- via --------------------------------------------------------------------------------------


def test_via_passes_through_waypoints_in_order():
    waypoints = [(100.0, 50.0), (60.0, 55.0)]
    r = build_routes(*_od((VLADIVOSTOK, MOSCOW), (VLADIVOSTOK, MOSCOW)), via=[waypoints, None])
    line = r.geometry[0]
    coords = [tuple(c) for c in shapely.get_coordinates(line)]
    positions = [coords.index(w) for w in waypoints]
    assert positions == sorted(positions)
    assert coords[0] == VLADIVOSTOK and coords[-1] == MOSCOW
    assert r.length_km[0] > r.length_km[1]


def test_via_across_antimeridian_is_continuous():
    r = build_routes(*_od((VLADIVOSTOK, ANCHORAGE)), via=[[(-175.0, 55.0)]])
    assert _max_lon_step(r.geometry[0]) < 5.0
    assert r.geometry[0].coords[-1][0] == pytest.approx(ANCHORAGE[0] + 360.0)


# --- sea --------------------------------------------------------------------------------------


def test_sea_rajin_to_vladivostok_goes_by_water():
    r = sea(*_od((RAJIN, VLADIVOSTOK)))
    line = r.geometry[0]
    assert r.route_kind.tolist() == ["sea"]
    assert r.route_note.tolist() == ["sea route along the coast (lane network too coarse here)"]
    assert line.coords[0] == RAJIN and line.coords[-1] == VLADIVOSTOK
    assert r.length_km[0] > _inv_km(RAJIN, VLADIVOSTOK) * 1.1
    # the land between the two ports (Khasansky district, west of Amur Bay)
    inland = shapely.box(130.6, 42.7, 131.3, 43.6)
    assert not line.intersects(inland)
    # the short way at sea, not the lane network's L out to 131.9 E and back (236 km)
    assert r.length_km[0] < _inv_km(RAJIN, VLADIVOSTOK) * 1.3


def test_inland_origin_falls_back_with_note_and_warning():
    with pytest.warns(RouteFallbackWarning, match="sea route not found.*'MOS-VLA'"):
        r = build_routes(*_od((MOSCOW, VLADIVOSTOK)), mode=["sea"], ids=["MOS-VLA"])
    assert r.route_kind.tolist() == ["geodesic"]
    assert "origin" in r.route_note[0] and "drawn geodesic" in r.route_note[0]
    assert r.length_km[0] == pytest.approx(_inv_km(MOSCOW, VLADIVOSTOK), rel=0.005)


def test_one_warning_for_many_fallbacks_and_nothing_dropped():
    pairs = [(MOSCOW, VLADIVOSTOK), ((60.6, 56.8), VLADIVOSTOK), (RAJIN, VLADIVOSTOK)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = build_routes(*_od(*pairs), mode=["sea"] * 3)
    fallbacks = [w for w in caught if issubclass(w.category, RouteFallbackWarning)]
    assert len(fallbacks) == 1 and "#0" in str(fallbacks[0].message)
    assert len(r) == 3
    assert r.route_kind.tolist() == ["geodesic", "geodesic", "sea"]


def test_sea_cache_calls_searoute_once_per_lane(monkeypatch):
    calls = []
    real = _network._call_searoute

    def counting(o, d):
        calls.append((tuple(o), tuple(d)))
        return real(o, d)

    monkeypatch.setattr(_network, "_call_searoute", counting)
    pairs = [(RAJIN, VLADIVOSTOK), (RAJIN, BUSAN)] * 5
    first = build_routes(*_od(*pairs), mode="sea")
    assert len(calls) == 2
    second = build_routes(*_od(*pairs), mode="sea")
    assert len(calls) == 2
    assert all(a.equals(b) for a, b in zip(first.geometry, second.geometry, strict=True))
    clear_route_cache()
    build_routes(*_od(*pairs[:1]), mode="sea")
    assert len(calls) == 3


def test_searoute_failure_falls_back(monkeypatch):
    def broken(o, d):
        raise RuntimeError("graph exploded")

    monkeypatch.setattr(_network, "_call_searoute", broken)
    with pytest.warns(RouteFallbackWarning, match="graph exploded"):
        r = sea(*_od((RAJIN, VLADIVOSTOK)))
    assert r.route_kind.tolist() == ["geodesic"]


def test_sea_across_pacific_is_continuous():
    r = sea(*_od(((139.77, 35.62), (-122.4, 37.8))))  # Tokyo -> San Francisco
    assert r.route_kind.tolist() == ["sea"]
    assert _max_lon_step(r.geometry[0]) < 60.0
    assert r.geometry[0].coords[-1][0] == pytest.approx(-122.4 + 360.0)


# --- rail -------------------------------------------------------------------------------------


def test_rail_vladivostok_khabarovsk_follows_railway(rail_graph):
    r = rail(*_od((VLADIVOSTOK, KHABAROVSK)))
    assert r.route_kind.tolist() == ["rail"], r.route_note
    assert r.length_km[0] > _inv_km(VLADIVOSTOK, KHABAROVSK) * 1.05
    assert len(r.geometry[0].coords) > 20
    assert r.geometry[0].coords[0] == VLADIVOSTOK and r.geometry[0].coords[-1] == KHABAROVSK


def test_rail_far_from_network_falls_back(rail_graph):
    with pytest.warns(RouteFallbackWarning, match="rail"):
        r = build_routes(*_od((PROVIDENIYA, ANCHORAGE)), mode=["rail"])
    assert r.route_kind.tolist() == ["geodesic"]
    assert "rail" in r.route_note[0]


def test_rail_extra_missing_falls_back(monkeypatch):
    def missing():
        raise ImportError("No module named 'scgraph'")

    monkeypatch.setattr(_network, "_RAIL_GRAPH", None)
    monkeypatch.setattr(_network, "_load_rail_graph", missing)
    with pytest.warns(RouteFallbackWarning, match=r"pip install geoflows\[rail\]"):
        r = build_routes(*_od((VLADIVOSTOK, KHABAROVSK)), mode=["rail"])
    assert r.route_kind.tolist() == ["geodesic"]
    assert r.route_note[0].startswith("rail extra not installed")
    assert isinstance(r, Routes) and len(r) == 1


# --- rail graph cache -------------------------------------------------------------------------


@pytest.mark.slow
def test_rail_graph_is_prepared_once_and_cached_as_plain_arrays(rail_graph, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOFLOWS_CACHE_DIR", str(tmp_path))
    built = _network._load_rail_graph()
    [cache] = tmp_path.glob("rail-graph-*.npz")
    with np.load(cache, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["indices", "indptr", "km", "lat", "lon"]
        assert all(npz[k].dtype != object for k in npz.files)
        assert npz["lat"].size == len(built) > 200_000
        assert npz["indptr"][-1] == npz["indices"].size == npz["km"].size
    assert len(list(tmp_path.iterdir())) == 1  # no temporary file left behind

    def no_rebuild(path):
        raise AssertionError("the cached graph should have been used")

    monkeypatch.setattr(_network, "_prepare_rail_arrays", no_rebuild)
    again = _network._load_rail_graph()
    np.testing.assert_array_equal(again.indices, built.indices)
    path = again.shortest_path(VLADIVOSTOK, KHABAROVSK)
    assert tuple(path[0]) == VLADIVOSTOK and tuple(path[-1]) == KHABAROVSK
    np.testing.assert_array_equal(path, rail_graph.shortest_path(VLADIVOSTOK, KHABAROVSK))


@pytest.mark.slow
def test_rail_graph_cache_that_is_damaged_is_rebuilt(tmp_path, monkeypatch, rail_graph):
    monkeypatch.setenv("GEOFLOWS_CACHE_DIR", str(tmp_path))
    cache = _network._rail_cache_path(_network._rail_data_source())
    cache.write_bytes(b"PK\x03\x04 not a zip")
    graph = _network._load_rail_graph()
    assert len(graph) == len(rail_graph)
    with np.load(cache, allow_pickle=False) as npz:
        assert npz["lat"].size == len(rail_graph)


def test_rail_joins_the_network_both_ends_are_on_not_an_isolated_fragment(rail_graph):
    # The node nearest Dunai (41 km) is on a 125-node fragment that never meets the main line;
    # the route joins the main line 47 km away instead of giving up.
    dunai, tikhoretsk = (132.3375, 42.8803), (40.125, 45.855)
    start, goal = rail_graph._endpoints(dunai, tikhoretsk)
    _, comp = rail_graph._matrix_and_components()
    assert comp[start] == comp[goal]
    r = rail(*_od((dunai, tikhoretsk)))
    assert r.route_kind.tolist() == ["rail"], r.route_note
    assert r.length_km[0] > _inv_km(dunai, tikhoretsk) * 1.05
    first_leg = _inv_km(dunai, r.geometry[0].coords[1])
    assert 40 < first_leg < RAIL_SNAP_KM


def _random_ends(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(-180, 180, (2, n))
    lat = rng.uniform(-80, 80, (2, n))
    # a few short flows (fewer vertices than spacing asks) and the antimeridian pair
    lon[1, :5], lat[1, :5] = lon[0, :5] + 0.1, lat[0, :5]
    lon[:, 5], lat[:, 5] = (VLADIVOSTOK[0], ANCHORAGE[0]), (VLADIVOSTOK[1], ANCHORAGE[1])
    return lon[0], lat[0], lon[1], lat[1]


def test_endpoint_lines_densify_to_the_geodesic():
    olon, olat, dlon, dlat = _random_ends(2000)
    want = geodesic(olon, olat, dlon, dlat)
    lines = endpoint_lines(olon, olat, dlon, dlat)
    assert (shapely.get_num_coordinates(lines) == 2).all()
    assert (
        shapely.get_coordinates(lines).tolist()
        == shapely.get_coordinates(
            [shapely.LineString([w.coords[0], w.coords[-1]]) for w in want]
        ).tolist()
    )  # exactly the first and last vertex of the dense line
    dense = densify_geodesics(lines, np.full(2000, "geodesic"))
    counts = shapely.get_num_coordinates(dense)
    assert counts.tolist() == shapely.get_num_coordinates(want).tolist()
    assert counts.max() > 300 and counts[:5].tolist() == [2] * 5
    got, ref = shapely.get_coordinates(dense), shapely.get_coordinates(want)
    assert np.abs(got - ref).max() < 1e-9
    assert dense[5].coords[-1] == (210.1, 61.22)  # still unwrapped across 180
    assert dense[:5].tolist() == lines[:5].tolist()  # short ones: the same objects


def test_densify_leaves_other_lines_alone():
    lines = endpoint_lines([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [40.0, 40.0, 40.0], [10.0] * 3)
    bent = shapely.LineString([(0, 0), (20, 20), (40, 10)])
    geoms = np.array([lines[0], lines[1], bent, None], dtype=object)
    out = densify_geodesics(geoms, ["arc", "given", "geodesic", "geodesic"])
    assert out.tolist() == geoms.tolist()
    assert densify_geodesics(np.array([], dtype=object), []).size == 0


def test_build_routes_endpoints_only_keeps_kinds_lengths_and_waypoints():
    olon, olat, dlon, dlat = _random_ends(500)
    via = [None] * 500
    via[7] = [(10.0, 10.0)]
    mode = ["sea" if i == 9 else None for i in range(500)]
    kw = dict(via=via, mode=mode)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RouteFallbackWarning)
        full = build_routes(olon, olat, dlon, dlat, **kw)
        light = build_routes(olon, olat, dlon, dlat, dense=False, **kw)
    assert light.route_kind.tolist() == full.route_kind.tolist()
    assert light.route_note.tolist() == full.route_note.tolist()
    assert light.length_km.tolist() == full.length_km.tolist()
    n_light = shapely.get_num_coordinates(light.geometry)
    geo = (full.route_kind == "geodesic") & (np.arange(500) != 7)
    assert (n_light[geo] == 2).all()
    # waypoint flows, sea lanes and anything not geodesic keep every vertex
    for i in np.flatnonzero(~geo):
        assert light.geometry[i].equals_exact(full.geometry[i], 0)
    dense = densify_geodesics(light.geometry, light.route_kind)
    assert (
        np.abs(shapely.get_coordinates(dense) - shapely.get_coordinates(full.geometry)).max() < 1e-9
    )


def test_route_and_mode_values_checked_once_each_in_order():
    r = build_routes([0, 0, 0], [0, 1, 2], [1, 1, 1], [0, 1, 2], route=[" Straight", None, "ARC "])
    assert r.route_kind.tolist() == ["straight", "geodesic", "arc"]
    with pytest.raises(ValueError, match=r"`mode` is 'boat' at index 2; expected one of 'sea'"):
        build_routes([0] * 4, [0] * 4, [1] * 4, [1] * 4, mode=["sea", "air", "boat", "ship"])
    with pytest.raises(ValueError, match=r"`route` is 'x' at index 1"):
        build_routes([0] * 3, [0] * 3, [1] * 3, [1] * 3, route=["auto", "x", "x"])


def test_the_coastal_grid_is_dwithin_exactly_and_fast_to_build():
    """Issue 29 (route building): the sea cells between London and Venice took 28 s with
    ``shapely.dwithin`` against the whole 1:10m land (0.4 s now); the segment tree gives the
    same cells, checked on two grids small enough for dwithin (Antwerp-London, Rajin)."""
    import shapely

    from geoflows.routes import _coastal

    for o, d in (((4.4, 51.22), (-0.1, 51.5)), ((130.29, 42.25), (131.89, 43.10))):
        grid = _coastal._grid(o, d)
        gx, gy = np.meshgrid(grid["lon"], grid["lat"])
        slow = ~shapely.dwithin(grid["land"], shapely.points(gx, gy), grid["step"] / 2)
        assert grid["sea"].sum() > 1000 and (~grid["sea"]).sum() > 1000
        assert np.array_equal(grid["sea"], slow)
