"""The offline basemap: land, coast and country borders, clipped and simplified for one map.

Shipped data (``geoflows/_data/basemap/``, see its README and licence): Natural Earth countries
at 1:110m (the whole world, small) and at 1:10m (in tiles, read as needed), both from the npm package
``world-atlas`` 2.0.2. For a map with known bounds, the 1:10m outlines are clipped to the
map's extent plus a margin and simplified to about one screen pixel at the zoom that fits the
extent, so the coast is right at regional zoom and the page stays small (at most
:data:`MAX_BYTES` of basemap per map).

:func:`basemap` gives ``{"precision": p, "rings": [[x0, y0, dx1, dy1, ...], ...]}`` with
longitudes and latitudes as integers (degrees × 10**p), each ring's first point absolute and
the others as differences from the previous point. A page's payload carries the same numbers
packed (:func:`payload_basemap`): every ring's integers in one :func:`~geoflows.render._encode.pack`
ed string and the rings' lengths in another, about a third of the JSON text.

A clipped basemap is kept in memory and on disk (``basemap-*.npz`` in the cache folder,
:func:`geoflows._files.cache_dir`; plain integer arrays, checked when read), so the first map
of a region in a new process does not clip and simplify again.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from geoflows._files import CacheWarner
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
#: Budget of one map's basemap, as the payload's JSON text (bytes).
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
#: Version of the basemap cache files; the files are also keyed by the size and time of this
#: module, :mod:`geoflows._land` and the shipped outlines, so new code or data never reads
#: an old file.
DISK_FORMAT = 3
#: Clipped basemaps kept on disk (one file per extent, 15-150 KB for the example maps); the
#: oldest go.
DISK_MAX_FILES = 128
#: A basemap cache file larger than this (stored or decompressed) is not read: a map's
#: basemap is at most :data:`MAX_BYTES` of payload, a few hundred kilobytes on disk.
DISK_MAX_BYTES = 32 << 20
#: Longitudes of a cached basemap lie within this (the margins of a world-wide map repeat the
#: world on either side); latitudes within ±90°.
BASEMAP_MAX_LON = 2160.0


class Outlines(NamedTuple):
    """One extent's rings: ``flat`` the integers of every ring in turn, ``sizes`` their counts.

    ``packed`` is what a page's payload carries (:func:`payload_basemap`), written once.
    """

    precision: int
    flat: np.ndarray
    sizes: np.ndarray
    packed: dict[str, Any]


def _outlines(precision: int, flat: np.ndarray, sizes: np.ndarray) -> Outlines:
    """Return the outlines with their packed form."""
    from geoflows.render._encode import pack

    packed = {"precision": precision, "rings": pack(flat), "sizes": pack(sizes)}
    return Outlines(precision, flat, sizes, packed)


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
        ``{"precision": int, "rings": [[x0, y0, dx, dy, ...], ...]}``; packed as a page's
        payload carries it (:func:`payload_basemap`), at most :data:`MAX_BYTES` of JSON.

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
    >>> from geoflows.render._encode import safe_json
    >>> local["precision"] >= 3
    True
    >>> len(safe_json(payload_basemap("countries", [[42.2, 130.2], [43.2, 132.0]]))) <= MAX_BYTES
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
    out = _basemap_for(_extent(bounds))
    ends = np.cumsum(out.sizes).tolist()
    flat = out.flat.tolist()
    return {
        "precision": out.precision,
        "rings": [flat[e - n : e] for e, n in zip(ends, out.sizes.tolist(), strict=True)],
    }


def payload_basemap(
    name: str | None,
    bounds: Sequence[Sequence[float]] | Sequence[float] | None = None,
) -> dict[str, Any] | None:
    """Return the basemap as a page's payload carries it: :func:`basemap`'s numbers, packed.

    ``{"precision": p, "rings": packed, "sizes": packed}``: ``rings`` holds every ring's
    integers one after the other and ``sizes`` how many belong to each ring (the browser's
    ``unpack`` reads both; ``basemap.js`` splits them).

    Parameters
    ----------
    name : {'countries'} or None
    bounds : sequence, optional
        As for :func:`basemap`.

    Returns
    -------
    dict or None

    Examples
    --------
    >>> from geoflows.render._encode import unpack
    >>> packed = payload_basemap("countries", [[42.2, 130.2], [43.2, 132.0]])
    >>> plain = basemap("countries", [[42.2, 130.2], [43.2, 132.0]])
    >>> unpack(packed["rings"]) == [v for ring in plain["rings"] for v in ring]
    True
    >>> unpack(packed["sizes"]) == [len(ring) for ring in plain["rings"]]
    True
    """
    if name is None:
        return None
    if name not in BASEMAPS:
        raise GeoflowsError(f"basemap must be one of {', '.join(BASEMAPS)} or None; got {name!r}")
    packed = _packed_for(None if bounds is None else _extent(bounds))
    return {k: dict(v) if isinstance(v, dict) else v for k, v in packed.items()}


@lru_cache(maxsize=64)
def _packed_for(extent: tuple[float, float, float, float] | None) -> dict[str, Any]:
    """Pack one extent's basemap (None: the world at 1:110m), once per process."""
    if extent is None:
        world = json.loads(_asset("basemap/countries_110m.json"))
        rings = world["rings"]
        flat = np.fromiter((v for r in rings for v in r), dtype=np.int64)
        return _outlines(int(world["precision"]), flat, np.array([len(r) for r in rings])).packed
    return _basemap_for(extent).packed


def _packed_bytes(out: Outlines) -> int:
    from geoflows.render._encode import safe_json

    return len(safe_json(out.packed))


@lru_cache(maxsize=64)
def _basemap_for(extent: tuple[float, float, float, float]) -> Outlines:
    """Return the basemap of one extent: read from the disk cache, or clipped and stored there.

    Kept in memory too, so rebuilding a map (a notebook cell run again, a build of several
    maps of one region) neither clips nor reads again.
    """
    path = _disk_path(extent)
    out = _read_disk(path) if path is not None else None
    if out is None:
        out = _clip_extent(extent)
        if path is not None:
            _write_disk(path, out)
    return out


def _clip_extent(extent: tuple[float, float, float, float]) -> Outlines:
    """Clip and simplify the outlines for one extent, within :data:`MAX_BYTES`."""
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
        if _packed_bytes(out) <= MAX_BYTES:
            return out
        tolerance *= 2
    return out


# --------------------------------------------------------------------------- disk cache
#: Warns once per process when the basemap cache cannot be read or written.
_warn_once = CacheWarner("basemaps")


@lru_cache(maxsize=1)
def _stamp() -> str:
    """Key the code and data a clipped basemap comes from (their sizes and times, not read)."""
    import geoflows._land
    from geoflows._files import file_stamp
    from geoflows._land import _asset_path

    files = [__file__, geoflows._land.__file__]
    files += [str(_asset_path(f"basemap/{f}")) for f in (FINE_FILE, COARSE_FILE)]
    return f"format {DISK_FORMAT}|{file_stamp(files)}"


def basemap_cache_dir() -> Path:
    """Return the folder of the cached basemaps: geoflows' cache folder."""
    from geoflows._files import cache_dir

    return cache_dir()


def _disk_path(extent: tuple[float, float, float, float]) -> Path | None:
    """Return the cache file of one extent (None when there is no cache folder to use)."""
    try:
        key = f"{_stamp()}|{extent!r}"
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        return basemap_cache_dir() / f"basemap-{digest}.npz"
    except (OSError, RuntimeError) as exc:  # no home folder, data not on a file system
        _warn_once(f"cannot locate the basemap cache ({exc})")
        return None


def _read_disk(path: Path) -> Outlines | None:
    """Read one cached basemap: plain integer arrays only, checked (None: missing or bad)."""
    from geoflows._files import read_cache_file

    return read_cache_file(path, _checked_disk, _warn_once, "basemap cache")


def _checked_disk(path: Path) -> Outlines:
    """Read one cached basemap by value: sizes bounded, every point on the globe."""
    from geoflows._files import check_cache_array, check_cache_lonlat, read_cache_arrays

    arrays = read_cache_arrays(
        path, ("precision", "flat", "sizes", "packed"), max_bytes=DISK_MAX_BYTES
    )
    precision = check_cache_array(arrays, "precision", "i", ndim=0, low=1, high=6)
    if arrays["flat"].dtype != np.int32 or arrays["sizes"].dtype != np.int32:
        raise ValueError("arrays of the wrong type")
    flat = check_cache_array(arrays, "flat", "i").astype(np.int64)
    sizes = check_cache_array(arrays, "sizes", "i", low=8).astype(np.int64)
    if (sizes % 2).any() or int(sizes.sum()) != flat.size:
        raise ValueError("ring sizes do not add up")
    # each ring's first point is absolute, the others differences from the previous point
    xs, ys = _absolute(flat[0::2], sizes // 2), _absolute(flat[1::2], sizes // 2)
    scale = 10.0 ** int(precision)
    # a world-wide map's margin repeats the world east and west: ±1,080° and more are clipped
    check_cache_lonlat(xs / scale, ys / scale, "basemap point", lon_limit=BASEMAP_MAX_LON)
    packed = _checked_packed(arrays["packed"], int(precision), flat.size, sizes.size)
    if packed["rings"] != _outlines(int(precision), flat, sizes).packed["rings"]:
        raise ValueError("packed rings that differ from the arrays")
    return Outlines(int(precision), flat, sizes, packed)


def _absolute(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Undo the differences of each ring (``counts`` values each; its first is absolute)."""
    if not deltas.size:
        return deltas.astype(float)
    total = np.cumsum(deltas)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    before = np.r_[0, total[starts[1:] - 1]]
    return (total - np.repeat(before, counts)).astype(float)


_PACKED_RE = re.compile(r"[0-9A-Za-z_-]*")


def _checked_packed(text: np.ndarray, precision: int, n_flat: int, n_rings: int) -> dict:
    """Read the stored payload form: packed integers only, as many as the arrays hold.

    The packed strings go into the page as they are, so only the alphabet of packed numbers
    (no quote, bracket or markup character) is accepted.
    """
    if text.dtype != np.uint8 or text.ndim != 1:
        raise ValueError("packed text of the wrong type")
    packed = json.loads(text.tobytes().decode("ascii"))
    if sorted(packed) != ["precision", "rings", "sizes"] or packed["precision"] != precision:
        raise ValueError("packed basemap of the wrong form")
    for key, n in (("rings", n_flat), ("sizes", n_rings)):
        column = packed[key]
        if not isinstance(column, dict) or not set(column) <= {"z", "n", "d"}:
            raise ValueError(f"packed {key} of the wrong form")
        if column.get("d", 1) != 1 or column.get("n") != n or type(column["n"]) is not int:
            raise ValueError(f"packed {key} do not match the arrays")
        if not isinstance(column.get("z"), str) or not _PACKED_RE.fullmatch(column["z"]):
            raise ValueError(f"packed {key} hold other characters than packed numbers")
    return packed


def _write_disk(path: Path, out: Outlines) -> None:
    """Store one basemap atomically and keep the newest :data:`DISK_MAX_FILES` files."""
    from geoflows._files import write_atomic
    from geoflows.render._encode import safe_json

    packed = np.frombuffer(safe_json(out.packed).encode("ascii"), dtype=np.uint8)
    buf = io.BytesIO()
    # int32 holds every value (a longitude of ±540° at 6 decimals is 5.4e8) at half the size;
    # a basemap that did not fit would only not be kept
    flat, sizes = out.flat.astype(np.int32), out.sizes.astype(np.int32)
    if not (np.array_equal(flat, out.flat) and np.array_equal(sizes, out.sizes)):
        return
    np.savez(buf, precision=np.int64(out.precision), flat=flat, sizes=sizes, packed=packed)
    try:
        write_atomic(path, buf.getvalue())
        old = sorted(path.parent.glob("basemap-*.npz"), key=lambda f: f.stat().st_mtime_ns)
        for f in old[:-DISK_MAX_FILES]:
            f.unlink(missing_ok=True)
    except OSError as exc:
        _warn_once(f"cannot write the basemap cache to {path} ({exc})")


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


def _clipped(box: tuple[float, float, float, float], tolerance: float) -> Outlines:
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
    return _outlines(precision, *_encode(rings, precision))


def _encode(rings: np.ndarray, precision: int) -> tuple[np.ndarray, np.ndarray]:
    """Delta-encode rings as integers (first point absolute); drop repeated and tiny rings.

    Returns every kept ring's integers one after the other and how many each ring has.
    """
    import shapely

    if len(rings) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
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
    keep = counts >= 4
    return d[np.repeat(keep, counts)].ravel(), 2 * counts[keep]
