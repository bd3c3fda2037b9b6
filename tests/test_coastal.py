"""Short sea hops stay at sea: a path on the 1:10m land raster instead of a lane-network L."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely

import geoflows as gf
from geoflows._land import _clip, _rings_near
from geoflows.routes import _coastal, _network
from geoflows.routes._geometry import line_lengths_km

RAJIN = (130.28308, 42.25559)
VLADIVOSTOK = (131.87353, 43.10562)


def _lane(o, d) -> np.ndarray:
    """searoute's lane route with the ports attached, as before the coastal path."""
    feature = _network._call_searoute(list(o), list(d))
    path = np.asarray(feature["geometry"]["coordinates"], dtype=float)[:, :2]
    coords, note = _network._attach_endpoints(path, o, d, _network.SEA_SNAP_KM, "sea route")
    assert note == ""
    return coords


def _land_crossed_km(coords: np.ndarray, ends_km: float) -> float:
    """Kilometres of the path over 1:10m land, away from the ports (``ends_km`` around each)."""
    box = (*(coords.min(axis=0) - 1), *(coords.max(axis=0) + 1))
    land = shapely.union_all(shapely.make_valid(_clip(_rings_near(box), box)))
    ports = shapely.buffer(shapely.points([coords[0], coords[-1]]), ends_km / 111.0)
    over = shapely.intersection(
        shapely.linestrings(coords), shapely.difference(land, shapely.union_all(ports))
    )
    return float(line_lengths_km([over])[0]) if not over.is_empty else 0.0


def test_rajin_vladivostok_by_sea_stays_at_sea_and_is_shorter_than_the_lane_l():
    _network.clear_route_cache()
    coords, note = _network._sea_leg(RAJIN, VLADIVOSTOK)
    lane = _lane(RAJIN, VLADIVOSTOK)
    assert note == _coastal.COASTAL_NOTE  # information, not a fallback
    # starts and ends at the ports
    assert coords[0].tolist() == list(RAJIN) and coords[-1].tolist() == list(VLADIVOSTOK)
    # shorter than the lane network's L (140 km east of Rajin, then north)
    along, before = line_lengths_km([shapely.linestrings(coords), shapely.linestrings(lane)])
    assert along < 0.85 * before, (along, before)
    # the L is the long way round: more than 1.3 times the direct distance
    assert before > 1.3 * float(_network.distance_km(*RAJIN, *VLADIVOSTOK))
    # at sea: no vertex segment over the 1:10m land beyond 6 km of either port
    assert _land_crossed_km(coords, ends_km=6.0) < 0.5
    # a few vertices, not a staircase of grid cells
    assert 3 <= len(coords) <= 30


def test_the_flow_keeps_route_kind_sea_without_a_fallback_warning():
    _network.clear_route_cache()
    with warnings.catch_warnings():
        warnings.simplefilter("error", gf.RouteFallbackWarning)
        flows = gf.read_flows(
            [{"origin": "Rajin", "destination": "Vladivostok", "volume": 2000, "mode": "sea"}]
        )
    g = flows.to_geodataframe()
    assert g["route_kind"].tolist() == ["sea"]
    assert g["route_note"].tolist() == [_coastal.COASTAL_NOTE]
    assert 150 < g["length_km"].iloc[0] < 200  # the lane L measured 236 km


def test_same_answer_every_time_and_one_search_per_leg(monkeypatch):
    _network.clear_route_cache()
    calls = []
    real = _coastal.coastal_path
    monkeypatch.setattr(_coastal, "coastal_path", lambda o, d: calls.append(o) or real(o, d))
    lon, lat = np.array([RAJIN[0]] * 3), np.array([RAJIN[1]] * 3)
    vlon, vlat = np.array([VLADIVOSTOK[0]] * 3), np.array([VLADIVOSTOK[1]] * 3)
    first, _ = _network.network_legs("sea", lon, lat, vlon, vlat)
    assert len(calls) == 1  # cached per leg, like other legs
    _network.clear_route_cache()
    again, _ = _network.network_legs("sea", lon, lat, vlon, vlat)
    assert len(calls) == 2
    assert all(np.array_equal(a, first[0]) for a in [*first, *again])


def test_direct_lanes_failed_lanes_and_inland_points_are_left_alone():
    straight = np.array([RAJIN, (131.0, 42.6), VLADIVOSTOK])
    assert _coastal.coastal_leg(RAJIN, VLADIVOSTOK, straight, "")[0] is straight
    assert _coastal.coastal_leg(RAJIN, VLADIVOSTOK, None, "why") == (None, "why")
    # Moscow and Kazan: no sea within reach of either, so no path at sea
    assert _coastal.coastal_path((37.62, 55.75), (49.11, 55.79)) is None
    # an ocean voyage is not searched on a grid
    far = np.array([(4.48, 51.92), (0.0, 40.0), (103.8, 1.26)])
    assert _coastal.coastal_leg((4.48, 51.92), (103.8, 1.26), far, "")[0] is far


@pytest.mark.parametrize("o,d", [(RAJIN, VLADIVOSTOK), ((129.79, 41.79), VLADIVOSTOK)])
def test_paths_at_sea_for_the_example_ports(o, d):
    path = _coastal.coastal_path(o, d)
    assert path is not None and _land_crossed_km(path, ends_km=6.0) < 0.5


def test_both_ways_are_one_path():
    there = _coastal.coastal_path(RAJIN, VLADIVOSTOK)
    back = _coastal.coastal_path(VLADIVOSTOK, RAJIN)
    assert np.array_equal(there, back[::-1])
