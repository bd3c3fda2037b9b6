"""Work a rebuilt map does not repeat: cached lanes and packed basemap, vectorised claims.

Each shortcut must give the bytes the plain path gives: these tests compare the two.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import geoflows as gf
from geoflows.render import _payload as P
from geoflows.render import build_payload, safe_json
from geoflows.render._basemap import basemap
from geoflows.render._claims import _claims, _corridor_offsets, _corridor_slots
from geoflows.render._encode import ints, unpack


def _plain(obj):
    """The payload as plain dicts and lists, so safe_json takes its ordinary path."""
    return json.loads(json.dumps(obj))


def test_the_payload_carries_the_basemap_packed() -> None:
    flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
    payload = build_payload(flows, basemap="countries")
    packed = payload["basemap"]
    # the same extent and the same busiest places (their detail boxes) as the payload's
    ends = np.array([ints(payload["o"], payload["n"]), ints(payload["d"], payload["n"])])
    spots = P._busiest_places(payload["places"], ends, payload["waypoints"], payload["precision"])
    plain = basemap("countries", P._union(payload["bounds"], payload["focus"]), spots)
    assert packed["precision"] == plain["precision"]
    assert unpack(packed["rings"]) == [v for ring in plain["rings"] for v in ring]
    assert unpack(packed["sizes"]) == [len(ring) for ring in plain["rings"]]
    # the same numbers in about half the text (51% for the story, its detail boxes at 0.001°)
    assert len(safe_json(packed)) < 0.6 * len(json.dumps(plain, separators=(",", ":")))
    text = safe_json(payload)
    assert text == safe_json(_plain(payload)) and '"basemap":{"precision":' in text


def test_a_changed_payload_basemap_leaves_the_next_one_alone() -> None:
    from geoflows.render._basemap import payload_basemap

    bounds = [[42.2, 130.2], [43.2, 132.0]]
    first = payload_basemap("countries", bounds)
    again = payload_basemap("countries", bounds)
    assert first == again and first is not again
    first["rings"]["z"] = "</script>{{7*7}}"
    first["note"] = "&"
    assert payload_basemap("countries", bounds) == again
    text = safe_json({"basemap": first})
    assert "<" not in text and "{{" not in text and "&" not in text


def test_lanes_are_simplified_once_per_geometry() -> None:
    records = [
        {"origin": "Rajin", "destination": "Vladivostok", "mode": "sea", "volume": v}
        for v in (1, 2)
    ]
    flows = gf.read_flows(records)
    P._LANE_CACHE.clear()
    first = safe_json(build_payload(flows))
    assert len(P._LANE_CACHE) == 1
    ((key, vertices),) = P._LANE_CACHE.items()
    assert key[1:] == (4, 0.005) and vertices.shape[1] == 2 and len(vertices) >= 2
    assert not vertices.flags.writeable
    assert safe_json(build_payload(flows)) == first  # from the cache: same bytes
    coarse = build_payload(flows, simplify=0.5)
    assert len(P._LANE_CACHE) == 2  # another tolerance: another entry
    fine = P.expand(build_payload(flows, simplify=0))
    assert len(P.expand(coarse)["lanes"]["coords"]) < len(fine["lanes"]["coords"])


def _claims_by_loops(frame: pd.DataFrame) -> list[list[int]]:
    """Claim groups found record by record: the definition, written plainly."""
    key_of = {}
    runs: dict[tuple, list[tuple]] = {}
    for i, r in frame.iterrows():
        runs.setdefault((r.o, r.d, r.unit, r.route, r.category), []).append((r.s, r.e, i))
    for lane, items in runs.items():
        items.sort(key=lambda t: (np.isnan(t[0]), 0 if np.isnan(t[0]) else t[0]))
        reach, run = np.nan, 0
        for s, e, i in items:
            if np.isnan(s) or np.isnan(reach) or s > reach:
                run += 1
            key_of[i] = (lane, run)
            reach = e if np.isnan(reach) else max(reach, e)
    for i, r in frame.iterrows():
        if r.group:
            key_of[i] = ("group", r.group)
    groups: dict = {}
    for i in frame.index:
        groups.setdefault(key_of[i], []).append(i)
    return sorted(sorted(m) for m in groups.values() if len(m) > 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_claims_match_the_plain_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    day = rng.integers(19000, 19060, n).astype(float)
    day[rng.random(n) < 0.15] = np.nan
    span = rng.integers(0, 20, n).astype(float)
    frame = pd.DataFrame(
        {
            "o": rng.integers(0, 4, n),
            "d": rng.integers(0, 4, n),
            "unit": rng.choice(["t", "shells"], n),
            "route": rng.integers(-1, 1, n),
            "category": rng.choice(["a", "b"], n),
            "s": day,
            "e": day + span,
            "group": np.where(rng.random(n) < 0.05, rng.choice(["g1", "g2"], n), ""),
        }
    )
    g = pd.DataFrame(
        {
            "category": frame["category"],
            "start": pd.to_datetime(frame["s"], unit="D"),
            "end": pd.to_datetime(frame["e"], unit="D"),
            "group": frame["group"],
        }
    )
    ends = np.vstack([frame["o"].to_numpy(), frame["d"].to_numpy()])
    order_key = rng.random(n)
    claim, groups = _claims(
        g, ends, frame["unit"].to_numpy(object), frame["route"].to_numpy(), order_key
    )
    assert sorted(sorted(m) for m in groups) == _claims_by_loops(frame)
    for k, members in enumerate(groups):  # numbered as listed, best (lowest key) first
        assert (claim[members] == k).all()
        assert list(order_key[members]) == sorted(order_key[members])
    assert (claim == -1).sum() == n - sum(len(m) for m in groups)


def test_corridor_offsets_stack_each_side() -> None:
    o, d = np.array([0, 0, 1, 0, 2]), np.array([1, 1, 0, 1, 3])
    widths = np.array([2.0, 4.0, 3.0, 1.0, 5.0])
    kinds = np.array(["geodesic"] * 5, dtype=object)
    vias = np.array([""] * 5, dtype=object)
    out = _corridor_offsets(o, d, widths, kinds, vias, gap=1.0)
    # forward 0->1: 2, 4, 1 stacked; 1->0 alone on its side; 2->3 alone in its corridor
    assert out.tolist() == [1.5, 5.5, 2.0, 9.0, 0.0]


def test_corridor_slots_let_the_page_redraw_offsets_for_narrower_widths() -> None:
    """widths.js drawnOffset: offsets of the widths drawn zoomed out, from offset and slot."""
    o, d = np.array([0, 0, 1, 0, 2, 1]), np.array([1, 1, 0, 1, 3, 0])
    widths = np.array([2.0, 4.0, 3.0, 14.0, 5.0, 1.5])
    kinds = np.array(["geodesic"] * 6, dtype=object)
    vias = np.array([""] * 6, dtype=object)
    slot = _corridor_slots(o, d, kinds, vias)
    assert slot.tolist() == [0, 1, 0, 2, 0, 1]  # flows before each on its side; alone: 0
    gap, m = 1.5, 1.5
    offset = _corridor_offsets(o, d, widths, kinds, vias, gap=gap)
    for k in (1.0, 0.5, 0.25):
        narrower = _corridor_offsets(o, d, m + (widths - m) * k, kinds, vias, gap=gap)
        half = slot + 0.5
        redrawn = np.where(offset != 0, (gap + m * (1 - k)) * half + (offset - gap * half) * k, 0)
        np.testing.assert_allclose(redrawn, narrower)


@pytest.mark.parametrize(
    "values",
    [
        ["a", "b", "a", "a"],
        ["17", "18", "19"],
        ["17", "018", "19"],  # not ids: a leading zero
        ["x"] * 5,
        ["<b>", "{{", "<b>", "\u2028", ""],
        [],
    ],
)
def test_text_columns_small_and_large_paths_agree(values, monkeypatch) -> None:
    from geoflows.render import _encode as E

    small = E.column(values)
    monkeypatch.setattr(E, "_SMALL", -1)  # every column through pandas
    assert E.column(values) == small


def test_a_map_past_the_lane_cache_size_keeps_lanes_shared_with_an_earlier_map() -> None:
    """Issue 29: more new lanes than the cache holds, plus one an earlier map cached: no KeyError."""
    import shapely

    n = P._LANE_CACHE_MAX + 10
    lines = shapely.linestrings(
        np.stack(
            [
                np.column_stack([np.arange(n) * 1e-3, np.zeros(n)]),
                np.column_stack([np.arange(n) * 1e-3, np.ones(n)]),
            ],
            axis=1,
        )
    )
    wkbs = list(shapely.to_wkb(lines))
    P._LANE_CACHE.clear()
    first = P._lane_vertices(wkbs[:1], 4, 0.0)  # an earlier map caches the shared lane
    second = P._lane_vertices(wkbs, 4, 0.0)  # a later map: the shared lane and n - 1 new ones
    assert len(second) == n
    np.testing.assert_array_equal(second[0], first[0])
    np.testing.assert_array_equal(
        second[-1], [[int(round((n - 1) * 10)), 0], [int(round((n - 1) * 10)), 10000]]
    )
    assert len(P._LANE_CACHE) <= P._LANE_CACHE_MAX
