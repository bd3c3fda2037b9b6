"""The offline basemap: land, coast and country borders, clipped and simplified for one map.

Shipped data (``geoflows/_data/basemap/``, see its README and licence): Natural Earth countries
at 1:110m (the whole world, small) and at 1:10m (in tiles, read as needed), both from the npm package
``world-atlas`` 2.0.2. For a map with known bounds, the 1:10m outlines are clipped to the
map's extent plus a margin and simplified to about one screen pixel at the zoom that fits the
extent, so the coast is right at regional zoom and the page stays small (at most
:data:`MAX_BYTES` of basemap per map).

The output is what the browser script reads: ``{"precision": p, "rings": [[x0, y0, dx1, dy1,
...], ...]}`` with longitudes and latitudes as integers (degrees × 10**p), each ring's first
point absolute and the others as differences from the previous point.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from geoflows._land import (  # noqa: F401  (the land data, shared with the sea routes)
    COARSE_FILE,
    FINE_FILE,
    _clip,
    _rings_near,
    _tile,
    _tile_polygons,
    _world_10m,
)
from geoflows.errors import GeoflowsError
from geoflows.render._assets import _asset

BASEMAPS = ("countries",)
#: Budget of one map's basemap, as JSON text (bytes).
MAX_BYTES = 400_000
#: Viewport the initial zoom is computed for (pixels; a laptop browser window).
VIEWPORT = (1024, 640)
#: The largest window the basemap fills at that zoom (a 1280×800 screenshot, a 1440×900
#: laptop screen): beyond it, the land ends at the clip edge.
LARGE_VIEWPORT = (1440, 900)
#: Margin around the map's extent kept in the clipped basemap, as a share of the extent on
#: each side (and at least the whole fitted view of :data:`VIEWPORT` plus a quarter of the
#: extent, and :data:`MIN_MARGIN_DEG`), so any window shape and panning still show land.
MARGIN = 1.0
MIN_MARGIN_DEG = 3.0
#: The 1:10m outlines, and a copy simplified to :data:`COARSE_DEG` degrees at data-prep time
#: (``scripts/make_basemap.py``) used when a map's pixel is at least twice that.
COARSE_DEG = 0.02


def basemap(
    name: str | None,
    bounds: Sequence[Sequence[float]] | Sequence[float] | None = None,
) -> dict[str, Any] | None:
    """Country outlines for a map: the whole world at 1:110m, or clipped 1:10m for ``bounds``.

    Parameters
    ----------
    name : {'countries'} or None
        The basemap; None gives None (no basemap).
    bounds : sequence, optional
        The map's extent, as the payload gives it (``[[south, west], [north, east]]``) or as
        ``(west, south, east, north)``. Without it, the whole world at 1:110m. Longitudes may
        run past ±180 (unwrapped lines); the outlines are repeated there.

    Returns
    -------
    dict or None
        ``{"precision": int, "rings": [[x0, y0, dx, dy, ...], ...]}``; at most
        :data:`MAX_BYTES` as compact JSON.

    Raises
    ------
    GeoflowsError
        If ``name`` is not a known basemap or ``bounds`` is not an extent.

    Examples
    --------
    >>> world = basemap("countries")
    >>> world["precision"], len(world["rings"]) > 100
    (2, True)
    >>> local = basemap("countries", [[42.2, 130.2], [43.2, 132.0]])  # Rajin–Vladivostok
    >>> local["precision"] >= 3 and len(json.dumps(local)) <= MAX_BYTES
    True
    >>> basemap(None) is None
    True
    """
    if name is None:
        return None
    if name not in BASEMAPS:
        raise GeoflowsError(f"basemap must be one of {', '.join(BASEMAPS)} or None; got {name!r}")
    if bounds is None:
        return json.loads(_asset("basemap/countries_110m.json"))
    cached = _basemap_for(_extent(bounds))
    numbers = _numbers_list()
    return {"precision": cached["precision"], "rings": [numbers(r) for r in cached["rings"]]}


def _numbers_list() -> type:
    """Return the list type ``safe_json`` passes through unchecked (rings hold integers only).

    Looking inside every ring for text to escape cost a third of a warm build of the example
    map. Imported when called: the payload module imports this one.
    """
    from geoflows.render._encode import _Numbers

    return _Numbers


@lru_cache(maxsize=64)
def _basemap_for(extent: tuple[float, float, float, float]) -> dict[str, Any]:
    """Clip and simplify the basemap of one extent.

    Cached, so rebuilding a map (a notebook cell run again, a build of several maps of one
    region) does not clip and simplify again.
    """
    west, south, east, north = extent
    # Web Mercator stops at ±85°: an extent at a pole is clipped there, never inverted.
    south, north = max(min(south, 84.0), -85.0), min(max(north, -84.0), 85.0)
    zoom = fit_zoom((west, south, east, north))
    tolerance = 360.0 / (256 * 2**zoom) * math.cos(math.radians((south + north) / 2))
    # A tall extent in a wide window (or the reverse) shows far more than the extent: the whole
    # fitted view, and a quarter of the extent beyond it, must be land too, not a clipped edge.
    view_lon = 360.0 * LARGE_VIEWPORT[0] / (256 * 2**zoom)
    view_lat = (
        view_lon
        * LARGE_VIEWPORT[1]
        / LARGE_VIEWPORT[0]
        * math.cos(math.radians((south + north) / 2))
    )
    w, h = east - west, north - south
    mx = max(w * MARGIN, (view_lon - w) / 2 + w / 4, MIN_MARGIN_DEG)
    my = max(h * MARGIN, (view_lat - h) / 2 + h / 4, MIN_MARGIN_DEG)
    box = (west - mx, max(south - my, -85.0), east + mx, min(north + my, 85.0))
    for _ in range(12):
        out = _clipped(box, tolerance)
        if len(json.dumps(out, separators=(",", ":"))) <= MAX_BYTES:
            return out
        tolerance *= 2
    return out


def fit_zoom(extent: Sequence[float], viewport: tuple[int, int] = VIEWPORT) -> int:
    """Return the zoom at which a Web Mercator map shows ``extent`` (west, south, east, north).

    Examples
    --------
    >>> fit_zoom((130.2, 42.2, 132.0, 43.2)), fit_zoom((30, 35, 145, 60))
    (9, 3)
    """
    west, south, east, north = (float(v) for v in extent)

    def merc(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(east - west, 1e-6) / 360.0
    span_y = max(merc(north) - merc(south), 1e-6) / (2 * math.pi)
    fit = min(viewport[0] / (256 * span_x), viewport[1] / (256 * span_y))
    return int(max(0, min(18, math.floor(math.log2(fit)))))


def _extent(bounds: Any) -> tuple[float, float, float, float]:
    try:
        if len(bounds) == 2:
            (south, west), (north, east) = bounds
        else:
            west, south, east, north = bounds
        west, south, east, north = (float(v) for v in (west, south, east, north))
    except (TypeError, ValueError):
        raise GeoflowsError(
            f"basemap bounds must be [[south, west], [north, east]] or (west, south, east, "
            f"north); got {bounds!r}"
        ) from None
    if (
        not all(math.isfinite(v) for v in (west, south, east, north))
        or west > east
        or south > north
    ):
        raise GeoflowsError(
            f"basemap bounds must be finite with west <= east and south <= north; got {bounds!r}"
        )
    return west, south, east, north


def _clipped(box: tuple[float, float, float, float], tolerance: float) -> dict[str, Any]:
    """Rings of the 1:10m outlines inside ``box``, simplified to ``tolerance`` degrees."""
    import shapely

    west, south, east, north = box
    # at small zooms, the copy simplified at data-prep time: a tenth of the points to clip
    source = COARSE_FILE if tolerance >= 2 * COARSE_DEG else FINE_FILE
    parts = []
    # Each ring starts east of -180 and runs on without a jump (Russia's reaches 190); copies
    # shifted by ±360° cover maps drawn on unwrapped longitudes.
    for shift in (-360.0, 0.0, 360.0):
        polys = _rings_near((west - shift, south, east - shift, north), source)
        clip = _clip(polys, (west - shift, south, east - shift, north))
        clip = clip[~shapely.is_empty(clip)]
        if shift:
            clip = shapely.transform(clip, lambda c, s=shift: c + (s, 0.0))
        parts.append(clip)
    geoms = np.concatenate(parts) if parts else np.array([], dtype=object)
    geoms = shapely.simplify(geoms, tolerance, preserve_topology=False)
    geoms = shapely.get_parts(geoms[~shapely.is_empty(geoms)])
    geoms = geoms[shapely.area(geoms) >= 4 * tolerance * tolerance]
    rings = shapely.get_rings(geoms)
    # Half a grid step is at most half a pixel: rounding adds no visible error.
    precision = max(1, min(6, math.ceil(math.log10(1.0 / tolerance))))
    return {"precision": precision, "rings": _encode(rings, precision)}


def _encode(rings: np.ndarray, precision: int) -> list[list[int]]:
    """Delta-encode rings as integers (first point absolute); drop repeated and tiny rings."""
    import shapely

    if len(rings) == 0:
        return []
    xy, idx = shapely.get_coordinates(rings, return_index=True)
    q = np.round(xy * 10**precision).astype(np.int64)
    first = np.r_[True, idx[1:] != idx[:-1]]
    same = np.r_[False, np.all(q[1:] == q[:-1], axis=1)] & ~first
    q, idx, first = q[~same], idx[~same], first[~same]
    d = q.copy()
    d[1:] -= q[:-1]
    d[first] = q[first]
    starts = np.flatnonzero(first)
    counts = np.diff(np.r_[starts, len(q)])
    flat = d.ravel().tolist()
    out = []
    for s, c in zip(starts.tolist(), counts.tolist(), strict=True):
        if c >= 4:
            out.append(flat[2 * s : 2 * (s + c)])
    return out
