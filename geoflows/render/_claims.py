"""Claims about one movement, one line per pair of places they name; corridors set apart."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geoflows.render._encode import text as _text


def _claims_and_offsets(
    g: pd.DataFrame, ends: np.ndarray, s: dict, route: np.ndarray, kinds: np.ndarray, claims: str
) -> tuple[np.ndarray, list[list[int]], np.ndarray, np.ndarray, np.ndarray]:
    """Group claims about one movement (unless ``claims="separate"``); offset corridors.

    Returns each flow's movement (``-1``: alone), each movement's members (best first), each
    flow's line of its movement (:func:`_claim_parts`), each flow's corridor offset and its
    slot in the corridor (:func:`_corridor_slots`).
    """
    n = len(g)
    claim, groups = (
        _claims(g, ends, s["units"], route, s["conf"] * 1e16 - np.nan_to_num(s["best"], nan=-1))
        if claims == "merge"
        else (np.full(n, -1, dtype=np.int64), [])
    )
    part = _claim_parts(groups, ends, n)
    # a merged movement takes one place in each corridor it is drawn in: as wide as its widest
    # claim, on every line of it (each line carries the movement's band)
    lead = np.ones(n, dtype=bool)
    band = np.maximum(s["width"], s["halo"])
    heads = []
    for members in groups:
        first = _part_heads(members, part)
        lead[members] = False
        lead[first] = True
        band[first] = band[members].max()
        heads.append(first)
    offset, slot = np.zeros(n), np.zeros(n, dtype=np.int64)
    lanes = (
        ends[0][lead],
        ends[1][lead],
        kinds[lead],
        np.asarray(_text(g["via_coords"]), dtype=object)[lead],
    )
    offset[lead] = _corridor_offsets(lanes[0], lanes[1], band[lead], lanes[2], lanes[3])
    slot[lead] = _corridor_slots(*lanes)
    for members, first in zip(groups, heads, strict=True):
        offset[members] = offset[np.asarray(first)[part[members]]]
        slot[members] = slot[np.asarray(first)[part[members]]]
    return claim, groups, part, offset, slot


def _claim_parts(groups: list[list[int]], ends: np.ndarray, n: int) -> np.ndarray:
    """Give each claim the line of its movement it is drawn on: one per pair of ends named.

    Claims about one movement usually agree on where it went, and are one line (every member
    part ``0``). A ``group`` whose records name different places (one source says the drones
    left Bandar Anzali, another Nowshahr) is one line per origin and destination pair, so no
    place named is lost; part ``0`` is the pair of the most confident claim, the others follow
    in the order of their best claim. Flows of no movement are part ``0``.
    """
    part = np.zeros(n, dtype=np.int64)
    for members in groups:
        pairs = ends[0][members] * (int(ends[1].max(initial=0)) + 1) + ends[1][members]
        part[members] = pd.factorize(pairs, sort=False)[0]
    return part


def _part_heads(members: list[int], part: np.ndarray) -> list[int]:
    """Give the best claim of each line of one movement (members are listed best first)."""
    first = ~pd.Series(part[members]).duplicated().to_numpy()
    return [m for m, keep in zip(members, first, strict=True) if keep]


def _claims(
    g: pd.DataFrame, ends: np.ndarray, units: np.ndarray, route: np.ndarray, order_key: np.ndarray
) -> tuple[np.ndarray, list[list[int]]]:
    """Find records that are claims about one movement, and each group's members, best first.

    One movement: the same origin, destination, unit, category and route, with overlapping
    dates (an
    undated record overlaps nothing), or the same non-empty ``group``. Members are listed
    most confident first (``order_key`` ascending); the first one shown is drawn.
    """
    n = len(g)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    # what moves: 122 mm and 152 mm shells on one ship are two movements, not two claims
    lane = _row_codes(ends[0], ends[1], _codes(units), route, _codes(_text(g["category"])))
    interval = _overlap_runs(lane, _day_floats(g["start"]), _day_floats(g["end"]))
    key = interval
    if "group" in g.columns:
        named = np.asarray(_text(g["group"]), dtype=object)
        has = named != ""
        key = np.where(has, n + 1 + _codes(named), interval)
    codes = pd.factorize(key)[0]
    claim = np.where(np.bincount(codes)[codes] > 1, codes, -1)
    return _claim_groups(claim, order_key)


def _codes(values: Any) -> np.ndarray:
    """Integer codes of equal values (in order of first appearance)."""
    return pd.factorize(np.asarray(values, dtype=object))[0]


def _row_codes(*columns: np.ndarray) -> np.ndarray:
    """One integer per distinct row of integer columns."""
    return np.unique(np.column_stack(columns).astype(np.int64), axis=0, return_inverse=True)[
        1
    ].ravel()


def _day_floats(dates: pd.Series) -> np.ndarray:
    """Days since 1970 as floats, NaN where the date is missing."""
    days = dates.to_numpy("datetime64[D]").astype("float64")
    days[dates.isna().to_numpy()] = np.nan
    return days


def _overlap_runs(lane: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Assign a run number to each record of a lane; overlapping date spans share one.

    Records of a lane are taken by start date; one joins the run before it when it starts
    by the latest end seen so far in its lane.
    """
    start = np.where(np.isnan(start), end, start)
    end = np.where(np.isnan(end), start, end)
    order = np.lexsort((start, lane))  # missing starts last in their lane
    lane_s, start_s, end_s = lane[order], start[order], end[order]
    first = np.r_[True, lane_s[1:] != lane_s[:-1]]
    # the latest end so far, lane by lane: lanes lifted apart by far more than any day number
    lift = (np.cumsum(first) - 1) * 1e7
    reach = np.maximum.accumulate(lift + np.where(np.isnan(end_s), -5e6, end_s)) - lift
    before = np.r_[np.nan, reach[:-1]]
    before[first] = np.nan
    joins = ~np.isnan(start_s) & (before > -4e6) & (start_s <= before)
    interval = np.empty(len(lane), dtype=np.int64)
    interval[order] = np.cumsum(~joins)
    return interval


def _claim_groups(claim: np.ndarray, order_key: np.ndarray) -> tuple[np.ndarray, list[list[int]]]:
    """Renumber claims 0, 1, ... and list each one's members, best first."""
    n = len(claim)
    rows = np.lexsort((order_key, claim))  # grouped, best claim first
    rows = rows[claim[rows] >= 0]
    if not len(rows):
        return np.full(n, -1, dtype=np.int64), []
    cuts = np.flatnonzero(np.diff(claim[rows])) + 1
    groups = [part.tolist() for part in np.split(rows, cuts)]
    renumber = np.full(int(claim.max()) + 1, -1, dtype=np.int64)
    renumber[claim[rows[np.r_[0, cuts]]]] = np.arange(len(groups))
    return np.where(claim >= 0, renumber[np.maximum(claim, 0)], -1), groups


#: Pixels between two flows side by side in a corridor (the page reads it as ``corridorGap``).
CORRIDOR_GAP = 1.5


def _corridor_sides(
    o: np.ndarray, d: np.ndarray, kinds: np.ndarray, vias: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Give each flow the size of its corridor and a code of its side of it.

    Flows with the same two ends (either direction), waypoints and route kind share a
    corridor; its side is the direction they go.
    """
    forward = o <= d
    via = np.asarray(vias, dtype=object).copy()
    has_via = (via != "") & ~forward
    if has_via.any():  # the same waypoints listed the other way round
        via[has_via] = [";".join(reversed(v.split(";"))) for v in via[has_via]]
    keys = (np.minimum(o, d), np.maximum(o, d), _codes(kinds), _codes(via))
    corridor = _row_codes(*keys)
    return np.bincount(corridor)[corridor], _row_codes(corridor, forward)


def _corridor_offsets(
    o: np.ndarray,
    d: np.ndarray,
    widths: np.ndarray,
    kinds: np.ndarray,
    vias: np.ndarray,
    gap: float = CORRIDOR_GAP,
) -> np.ndarray:
    """Pixel offsets that keep flows sharing a corridor side by side instead of on top.

    Flows with the same two ends (either direction), waypoints and route kind share a
    corridor. Each is drawn shifted to its own right by the widths of the flows listed before
    it in the same direction, so A→B and B→A sit on either side of the lane and several claims
    about one movement stack up visibly. A flow alone in its corridor is not shifted.
    """
    if len(widths) == 0:
        return np.zeros(0)
    size, side = _corridor_sides(o, d, kinds, vias)
    used = pd.Series(widths + gap).groupby(side, sort=False).cumsum().to_numpy()
    out = gap / 2 + used - (widths + gap) + widths / 2
    return np.where(size > 1, out, 0.0)


def _corridor_slots(
    o: np.ndarray, d: np.ndarray, kinds: np.ndarray, vias: np.ndarray
) -> np.ndarray:
    """Count the flows before each one on its side of its corridor (0 for a flow alone).

    With it the page redraws an offset for narrower widths (``widths.js`` drawnOffset): an
    offset is ``gap * (slot + 1/2)`` plus widths.
    """
    if len(o) == 0:
        return np.zeros(0, dtype=np.int64)
    size, side = _corridor_sides(o, d, kinds, vias)
    before = pd.Series(np.ones(len(o), dtype=np.int64)).groupby(side, sort=False).cumcount()
    return np.where(size > 1, before.to_numpy(), 0).astype(np.int64)
