"""Claims about one movement, merged into one line, and flows sharing a corridor set apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoflows.render._encode import text as _text


def _claims_and_offsets(
    g: pd.DataFrame, ends: np.ndarray, s: dict, route: np.ndarray, kinds: np.ndarray, claims: str
) -> tuple[np.ndarray, list[list[int]], np.ndarray]:
    """Group claims about one movement (unless ``claims="separate"``); offset corridors."""
    n = len(g)
    claim, groups = (
        _claims(g, ends, s["units"], route, s["conf"] * 1e16 - np.nan_to_num(s["best"], nan=-1))
        if claims == "merge"
        else (np.full(n, -1, dtype=np.int64), [])
    )
    # a merged movement takes one place in its corridor: as wide as its widest claim
    lead = np.ones(n, dtype=bool)
    band = np.maximum(s["width"], s["halo"])
    for members in groups:
        lead[members[1:]] = False
        band[members[0]] = band[members].max()
    offset = np.zeros(n)
    offset[lead] = _corridor_offsets(
        ends[0][lead],
        ends[1][lead],
        band[lead],
        kinds[lead],
        np.asarray(_text(g["via_coords"]), dtype=object)[lead],
    )
    for members in groups:
        offset[members] = offset[members[0]]
    return claim, groups, offset


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
    unit_code = pd.factorize(units)[0]
    lane = pd.factorize(
        pd.Series(ends[0]).astype(str)
        + "|"
        + pd.Series(ends[1]).astype(str)
        + "|"
        + pd.Series(unit_code).astype(str)
        + "|"
        + pd.Series(route).astype(str)
        # what moves: 122 mm and 152 mm shells on one ship are two movements, not two claims
        + "|"
        + pd.Series(_text(g["category"])).astype(str)
    )[0]
    start = g["start"].to_numpy("datetime64[D]").astype("float64")
    end = g["end"].to_numpy("datetime64[D]").astype("float64")
    start[g["start"].isna().to_numpy()] = np.nan
    end[g["end"].isna().to_numpy()] = np.nan
    start = np.where(np.isnan(start), end, start)
    end = np.where(np.isnan(end), start, end)
    frame = pd.DataFrame({"lane": lane, "s": start, "e": end, "i": np.arange(n)})
    frame = frame.sort_values(["lane", "s"], kind="stable")
    reach = frame.groupby("lane", sort=False)["e"].cummax()
    before = reach.groupby(frame["lane"], sort=False).shift()
    dated = frame["s"].notna() & before.notna()
    new = ~(dated & (frame["s"] <= before))
    interval = np.empty(n, dtype=np.int64)
    interval[frame["i"].to_numpy()] = np.cumsum(new.to_numpy())
    key = pd.Series(interval.astype(str), dtype=object)
    if "group" in g.columns:
        named = np.asarray(_text(g["group"]), dtype=object)
        has = named != ""
        key[has] = "group:" + pd.Series(named[has]).astype(str).to_numpy()
    codes = pd.factorize(key)[0]
    size = np.bincount(codes)
    claim = np.where(size[codes] > 1, codes, -1)
    members: dict[int, list[int]] = {}
    for i in np.lexsort((order_key, claim)):  # grouped, best claim first
        if claim[i] >= 0:
            members.setdefault(int(claim[i]), []).append(int(i))
    groups = list(members.values())
    if not groups:
        return np.full(n, -1, dtype=np.int64), []
    renumber = np.full(int(claim.max()) + 1, -1, dtype=np.int64)
    for k, (c, _) in enumerate(members.items()):
        renumber[c] = k
    return np.where(claim >= 0, renumber[np.maximum(claim, 0)], -1), groups


def _corridor_offsets(
    o: np.ndarray,
    d: np.ndarray,
    widths: np.ndarray,
    kinds: np.ndarray,
    vias: np.ndarray,
    gap: float = 1.5,
) -> np.ndarray:
    """Pixel offsets that keep flows sharing a corridor side by side instead of on top.

    Flows with the same two ends (either direction), waypoints and route kind share a
    corridor. Each is drawn shifted to its own right by the widths of the flows listed before
    it in the same direction, so A→B and B→A sit on either side of the lane and several claims
    about one movement stack up visibly. A flow alone in its corridor is not shifted.
    """
    n = len(widths)
    if n == 0:
        return np.zeros(0)
    forward = o <= d
    via = pd.Series(vias, dtype=object)
    has_via = (via != "").to_numpy() & ~forward
    if has_via.any():  # the same waypoints listed the other way round
        via[has_via] = [";".join(reversed(v.split(";"))) for v in via[has_via]]
    frame = pd.DataFrame(
        {
            "a": np.minimum(o, d),
            "b": np.maximum(o, d),
            "k": kinds,
            "v": via.to_numpy(),
            "f": forward,
            "w": widths + gap,
        }
    )
    size = frame.groupby(["a", "b", "k", "v"], sort=False)["w"].transform("size").to_numpy()
    used = frame.groupby(["a", "b", "k", "v", "f"], sort=False)["w"].cumsum().to_numpy()
    out = gap / 2 + used - (widths + gap) + widths / 2
    return np.where(size > 1, out, 0.0)
