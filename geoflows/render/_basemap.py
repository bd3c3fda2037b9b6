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
#: Around every place of a map (the ports, crossings and cities a reader zooms to), the
#: 1:10m outlines are kept at about one pixel of this zoom (the data's own detail): a coast at
#: zoom 7 is the shipped coast, not the fitted view's simplification.
DETAIL_ZOOM = 8
#: Half the height of the box kept in detail around each place, in degrees of latitude (its
#: width follows the latitude): a 1280 px window at zoom 7 around the place.
DETAIL_DEG = 2.5
#: At most this many places (the busiest first) get the detailed box.
DETAIL_MAX_PLACES = 64
#: Outside the clipped box, the world at 1:110m: a reader who zooms out or pans away sees
#: the continents, never the edge of the clip.
WORLD_FILE = "countries_110m.json"
#: Degrees: the world outside a map's clip is simplified to at least this (about a pixel at
#: zoom 4), the detail the 1:110m outlines have.
WORLD_DEG = 0.08
#: Version of the basemap cache files; the files are also keyed by the size and time of this
#: module, :mod:`geoflows._land` and the shipped outlines, so new code or data never reads
#: an old file.
DISK_FORMAT = 5
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
    """One extent's land and lines.

    ``flat`` holds the integers of every land ring in turn and ``sizes`` their counts.
    ``cuts`` holds four integers (west, south, east, north, on the rings' grid) per rectangle
    the land was cut along: at the clip and at the detailed boxes around places, pieces of
    land meet edge to edge there, so a ring's edge lying on a cut is filled but not stroked
    (:func:`stroked`). ``packed`` is what a page's payload carries (:func:`payload_basemap`),
    written once.
    """

    precision: int
    flat: np.ndarray
    sizes: np.ndarray
    cuts: np.ndarray
    packed: dict[str, Any]


def _outlines(
    precision: int, flat: np.ndarray, sizes: np.ndarray, cuts: np.ndarray | None = None
) -> Outlines:
    """Return the outlines with their packed form (no cuts given: every edge is stroked)."""
    from geoflows.render._encode import pack

    cuts = np.empty(0, dtype=np.int64) if cuts is None else np.asarray(cuts, dtype=np.int64)
    packed = {
        "precision": precision,
        "rings": pack(flat),
        "sizes": pack(sizes),
        "cuts": [int(v) for v in cuts],
    }
    return Outlines(precision, flat, sizes, cuts, packed)


def stroked(rings: Sequence[Sequence[int]], cuts: Sequence[int] = ()) -> list[np.ndarray]:
    """Return the coasts and borders to stroke: every ring's edges but those on a cut.

    Parameters
    ----------
    rings : sequence of sequences of int
        Delta-encoded rings as :func:`basemap` gives them (first point absolute).
    cuts : sequence of int
        Four integers (west, south, east, north) per rectangle the land was cut along.

    Returns
    -------
    list of numpy.ndarray
        Open lines of absolute grid points, shape (n, 2), n >= 2; divide by
        ``10 ** precision`` for degrees.

    Examples
    --------
    >>> square = [0, 0, 10, 0, 0, 10, -10, 0, 0, -10]  # (0,0) (10,0) (10,10) (0,10) (0,0)
    >>> [line.tolist() for line in stroked([square])]
    [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]
    >>> [line.tolist() for line in stroked([square], cuts=[10, -5, 20, 20])]  # x=10 is a cut
    [[[10, 10], [0, 10], [0, 0], [10, 0]]]
    """
    out = []
    box = np.asarray(cuts, dtype=np.int64).reshape(-1, 4)
    for ring in rings:
        xy = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0)
        if len(xy) < 2:
            continue
        seam = _on_cut(xy[:-1], xy[1:], box)
        if not seam.any():
            out.append(xy)
            continue
        # start at a cut edge so a line that wraps past the ring's first point stays whole
        first = int(np.flatnonzero(seam)[0]) + 1
        closed = len(xy) > 2 and (xy[0] == xy[-1]).all()
        if closed:
            xy = np.concatenate([xy[first:], xy[1:first]])
            seam = np.concatenate([seam[first:], seam[:first]])
            # the rolled ring ends where the cut edge starts: that edge is not in it
            seam = seam[:-1]
        breaks = np.flatnonzero(seam)
        out += [piece for piece in np.split(xy, breaks + 1) if len(piece) >= 2]
    return out


def _on_cut(a: np.ndarray, b: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Return which edges ``a``→``b`` lie on an edge of one of the rectangles ``box``."""
    seam = np.zeros(len(a), dtype=bool)
    vertical, horizontal = a[:, 0] == b[:, 0], a[:, 1] == b[:, 1]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    for w, s, e, n in box:
        x_on = vertical & ((a[:, 0] == w) | (a[:, 0] == e)) & (lo[:, 1] >= s) & (hi[:, 1] <= n)
        y_on = horizontal & ((a[:, 1] == s) | (a[:, 1] == n)) & (lo[:, 0] >= w) & (hi[:, 0] <= e)
        seam |= x_on | y_on
    return seam


def _split(flat: np.ndarray, sizes: np.ndarray) -> list[list[int]]:
    ends = np.cumsum(sizes).tolist()
    values = flat.tolist()
    return [values[e - n : e] for e, n in zip(ends, sizes.tolist(), strict=True)]


def basemap(
    name: str | None,
    bounds: Sequence[Sequence[float]] | Sequence[float] | None = None,
    places: Sequence[Sequence[float]] | None = None,
) -> dict[str, Any] | None:
    """Country outlines for a map: the whole world at 1:110m, or clipped 1:10m for ``bounds``.

    With ``bounds``, the 1:10m outlines of the map's extent (plus a margin) are simplified to
    about a pixel of the fitted view, those within :data:`DETAIL_DEG` of each of ``places``
    to a pixel of :data:`DETAIL_ZOOM`, and the rest of the world is the 1:110m outline, so no
    zoom or pan shows the edge of the clip.

    Parameters
    ----------
    name : {'countries'} or None
        The basemap; None gives None (no basemap).
    bounds : sequence, optional
        The map's extent, as the payload gives it (``[[south, west], [north, east]]``) or as
        ``(west, south, east, north)``. Without it, the whole world at 1:110m. Longitudes may
        run past ±180 (unwrapped lines); the outlines are repeated there.
    places : sequence of (lon, lat), optional
        The places a reader zooms to (the busiest first); the first
        :data:`DETAIL_MAX_PLACES` get the detailed box.

    Returns
    -------
    dict or None
        ``{"precision": int, "rings": [[x0, y0, dx, dy, ...], ...], "cuts": [w, s, e, n,
        ...]}``: land to fill (``rings``) and the rectangles it was cut along (``cuts``, on
        the rings' grid: edges on them are not stroked, see :func:`stroked`); packed as a
        page's payload carries it (:func:`payload_basemap`), at most :data:`MAX_BYTES` of
        JSON.

    Raises
    ------
    GeoflowsError
        If ``name`` is not a known basemap or ``bounds`` is not an extent.

    Examples
    --------
    >>> world = basemap("countries")
    >>> world["precision"], len(world["rings"]) > 100, world["cuts"]
    (2, True, [])
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
        world = json.loads(_asset(f"basemap/{WORLD_FILE}"))
        return {**world, "cuts": []}
    out = _basemap_for(_extent(bounds), _spots(places))
    return {
        "precision": out.precision,
        "rings": _split(out.flat, out.sizes),
        "cuts": [int(v) for v in out.cuts],
    }


def _spots(places: Sequence[Sequence[float]] | None) -> tuple[tuple[float, float], ...]:
    """Return the detailed places as a cache key: the first :data:`DETAIL_MAX_PLACES`, to 0.1°."""
    if places is None:
        return ()
    xy = np.asarray(places, dtype=float).reshape(-1, 2)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if not len(xy):
        return ()
    xy = np.round(xy, 1)
    _, first = np.unique(xy, axis=0, return_index=True)
    xy = xy[np.sort(first)][:DETAIL_MAX_PLACES]
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    return tuple((float(x), float(y)) for x, y in xy[order])


def payload_basemap(
    name: str | None,
    bounds: Sequence[Sequence[float]] | Sequence[float] | None = None,
    places: Sequence[Sequence[float]] | None = None,
) -> dict[str, Any] | None:
    """Return the basemap as a page's payload carries it: :func:`basemap`'s numbers, packed.

    ``{"precision": p, "rings": packed, "sizes": packed, "cuts": [...]}``: ``rings`` holds
    every land ring's integers one after the other and ``sizes`` how many belong to each
    ring (the browser's ``unpack`` reads them; ``basemap.js`` splits them), ``cuts`` as
    :func:`basemap` gives them.

    Parameters
    ----------
    name : {'countries'} or None
    bounds : sequence, optional
        As for :func:`basemap`.
    places : sequence of (lon, lat), optional
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
    >>> packed["cuts"] == plain["cuts"]
    True
    """
    if name is None:
        return None
    if name not in BASEMAPS:
        raise GeoflowsError(f"basemap must be one of {', '.join(BASEMAPS)} or None; got {name!r}")
    packed = _packed_for(None if bounds is None else _extent(bounds), _spots(places))
    return {k: dict(v) if isinstance(v, dict) else v for k, v in packed.items()}


@lru_cache(maxsize=64)
def _packed_for(
    extent: tuple[float, float, float, float] | None, spots: tuple[tuple[float, float], ...] = ()
) -> dict[str, Any]:
    """Pack one extent's basemap (None: the world at 1:110m), once per process."""
    if extent is None:
        world = json.loads(_asset(f"basemap/{WORLD_FILE}"))
        rings = world["rings"]
        flat = np.fromiter((v for r in rings for v in r), dtype=np.int64)
        return _outlines(int(world["precision"]), flat, np.array([len(r) for r in rings])).packed
    return _basemap_for(extent, spots).packed


def _packed_bytes(out: Outlines) -> int:
    from geoflows.render._encode import safe_json

    return len(safe_json(out.packed))


@lru_cache(maxsize=64)
def _basemap_for(
    extent: tuple[float, float, float, float], spots: tuple[tuple[float, float], ...] = ()
) -> Outlines:
    """Return the basemap of one extent: read from the disk cache, or clipped and stored there.

    Kept in memory too, so rebuilding a map (a notebook cell run again, a build of several
    maps of one region) neither clips nor reads again.
    """
    path = _disk_path(extent, spots)
    out = _read_disk(path) if path is not None else None
    if out is None:
        out = _clip_extent(extent, spots)
        if path is not None:
            _write_disk(path, out)
    return out


def _clip_extent(
    extent: tuple[float, float, float, float], spots: tuple[tuple[float, float], ...] = ()
) -> Outlines:
    """Clip and simplify the outlines for one extent, within :data:`MAX_BYTES`."""
    west, south, east, north = extent
    # Web Mercator stops at ±85°: an extent at a pole is clipped there, never inverted.
    south, north = max(min(south, 84.0), -85.0), min(max(north, -84.0), 85.0)
    zoom = fit_zoom((west, south, east, north))
    cos = math.cos(math.radians((south + north) / 2))
    tolerance = 360.0 / (256 * 2**zoom) * cos
    # A tall extent in a wide window (or the reverse) shows far more than the extent: the whole
    # fitted view, and a quarter of the extent beyond it, must be land too, not a clipped edge.
    view_lon = 360.0 * LARGE_VIEWPORT[0] / (256 * 2**zoom)
    view_lat = view_lon * LARGE_VIEWPORT[1] / LARGE_VIEWPORT[0] * cos
    w, h = east - west, north - south
    mx = max(w * MARGIN, (view_lon - w) / 2 + w / 4, MIN_MARGIN_DEG)
    my = max(h * MARGIN, (view_lat - h) / 2 + h / 4, MIN_MARGIN_DEG)
    box = (west - mx, max(south - my, -85.0), east + mx, min(north + my, 85.0))
    # detail only where it is finer than the fitted view's (a regional map is detailed already)
    detail = 360.0 / (256 * 2**DETAIL_ZOOM) * cos
    spots = spots if detail * 2 <= tolerance else ()
    for _ in range(12):
        out = _clipped(box, tolerance, spots, detail)
        if _packed_bytes(out) <= MAX_BYTES:
            return out
        tolerance, detail = tolerance * 2, detail * 2
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
    files += [str(_asset_path(f"basemap/{f}")) for f in (FINE_FILE, COARSE_FILE, WORLD_FILE)]
    return f"format {DISK_FORMAT}|{file_stamp(files)}"


def basemap_cache_dir() -> Path:
    """Return the folder of the cached basemaps: geoflows' cache folder."""
    from geoflows._files import cache_dir

    return cache_dir()


def _disk_path(
    extent: tuple[float, float, float, float], spots: tuple[tuple[float, float], ...] = ()
) -> Path | None:
    """Return the cache file of one extent (None when there is no cache folder to use)."""
    try:
        key = f"{_stamp()}|{extent!r}|{spots!r}"
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
        path,
        ("precision", "flat", "sizes", "cuts", "packed"),
        max_bytes=DISK_MAX_BYTES,
    )
    precision = check_cache_array(arrays, "precision", "i", ndim=0, low=1, high=6)
    scale = 10.0 ** int(precision)
    if any(arrays[k].dtype != np.int32 for k in ("flat", "sizes", "cuts")):
        raise ValueError("arrays of the wrong type")
    flat = check_cache_array(arrays, "flat", "i").astype(np.int64)
    sizes = check_cache_array(arrays, "sizes", "i", low=8).astype(np.int64)
    cuts = check_cache_array(arrays, "cuts", "i").astype(np.int64)
    if (sizes % 2).any() or int(sizes.sum()) != flat.size or cuts.size % 4:
        raise ValueError("ring sizes do not add up")
    # each ring's first point is absolute, the others differences from the previous point
    xs, ys = _absolute(flat[0::2], sizes // 2), _absolute(flat[1::2], sizes // 2)
    # a world-wide map's margin repeats the world east and west: ±1,080° and more are clipped
    check_cache_lonlat(xs / scale, ys / scale, "basemap point", lon_limit=BASEMAP_MAX_LON)
    box = cuts.reshape(-1, 4) / scale
    check_cache_lonlat(box[:, 0::2], box[:, 1::2], "basemap cut", lon_limit=BASEMAP_MAX_LON)
    packed = _checked_packed(arrays["packed"], int(precision), flat.size, sizes.size)
    if packed != _outlines(int(precision), flat, sizes, cuts).packed:
        raise ValueError("packed rings that differ from the arrays")
    return Outlines(int(precision), flat, sizes, cuts, packed)


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
    keys = ["cuts", "precision", "rings", "sizes"]
    if sorted(packed) != keys or packed["precision"] != precision:
        raise ValueError("packed basemap of the wrong form")
    # the cuts are compared with the checked arrays by the caller
    if not isinstance(packed["cuts"], list) or any(type(v) is not int for v in packed["cuts"]):
        raise ValueError("packed cuts of the wrong form")
    for key, n in (("rings", n_flat), ("sizes", n_rings)):
        column = packed[key]
        if not isinstance(column, dict) or not set(column) <= {"z", "n", "d"}:
            raise ValueError(f"packed {key} of the wrong form")
        if column.get("d", 1) != 1 or type(column.get("n")) is not int or column["n"] != n:
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
    arrays = {k: getattr(out, k).astype(np.int32) for k in ("flat", "sizes", "cuts")}
    if not all(np.array_equal(v, getattr(out, k)) for k, v in arrays.items()):
        return
    np.savez(buf, precision=np.int64(out.precision), packed=packed, **arrays)
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


def _clipped(
    box: tuple[float, float, float, float],
    tolerance: float,
    spots: tuple[tuple[float, float], ...] = (),
    detail: float = 0.0,
) -> Outlines:
    """Land of one map: the 1:10m outlines inside ``box``, the 1:110m world outside it.

    Inside ``box`` the outlines are simplified to ``tolerance`` degrees, and within the boxes
    around ``spots`` to ``detail``; outside ``box``, the 1:110m world (simplified to four times
    ``tolerance``, at least :data:`WORLD_DEG`). The pieces meet edge to edge along those rectangles, which are snapped to
    the grid the rings are written on and returned as the cuts (edges not stroked).
    """
    import shapely

    smallest = min(tolerance, detail) if spots else tolerance
    # Half a grid step is at most half a pixel: rounding adds no visible error.
    precision = max(1, min(6, math.ceil(math.log10(1.0 / smallest))))
    box = tuple(float(v) for v in np.round(box, precision))
    near, boxes = _detail_region(spots, box, precision)
    # at small zooms, the copy simplified at data-prep time: a tenth of the points to clip
    source = COARSE_FILE if tolerance >= 2 * COARSE_DEG else FINE_FILE
    # simplified before cutting, so the cut edges stay exactly on the cuts (simplifying
    # after would join two cuts' corners by a chord, stroked as a straight false border)
    overview = _simplified(_land_in(box, source), tolerance)
    if near is not None:
        overview = shapely.difference(overview, near)
    pieces = [overview]
    if near is not None:
        fine = _simplified(_land_in(near.bounds, FINE_FILE), detail)
        pieces.append(shapely.intersection(fine, near))
    # 1:110m has no detail finer than WORLD_DEG: simplifying finer would only add bytes
    world = _world_outside(box, max(4 * tolerance, WORLD_DEG))
    if len(world):
        pieces.append(world)
    geoms = shapely.get_parts(np.concatenate(pieces))
    geoms = geoms[~shapely.is_empty(geoms)]
    geoms = geoms[shapely.area(geoms) >= 4 * smallest * smallest]
    flat, sizes = _encode(shapely.get_rings(geoms), precision)
    west, south, east, north = box
    rects = [(west + d, south, east + d, north) for d in (-360.0, 0.0, 360.0)] if len(world) else []
    rects += [tuple(b) for b in boxes]
    cuts = np.round(np.asarray(rects, dtype=float).reshape(-1, 4) * 10**precision)
    return _outlines(precision, flat, sizes, cuts.astype(np.int64).ravel())


def _land_in(box: tuple[float, float, float, float], source: str) -> np.ndarray:
    """Return the 1:10m land of ``source`` clipped to ``box`` (longitudes may run past ±180)."""
    import shapely

    west, south, east, north = box
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
    return np.concatenate(parts) if parts else np.array([], dtype=object)


def _detail_region(
    spots: tuple[tuple[float, float], ...], box: tuple, precision: int
) -> tuple[Any, np.ndarray]:
    """Return the union of the detailed boxes around ``spots`` inside ``box`` and the boxes.

    The boxes are snapped to ``precision`` decimals (the grid the rings are written on), so
    their edges are exactly the cuts. None and no boxes: no spot, or none inside ``box``.
    """
    import shapely

    if not spots:
        return None, np.empty((0, 4))
    xy = np.asarray(spots, dtype=float)
    half_lon = DETAIL_DEG / np.maximum(np.cos(np.radians(np.clip(xy[:, 1], -80, 80))), 0.2)
    west, south, east, north = box
    boxes = np.column_stack(
        [
            np.maximum(xy[:, 0] - half_lon, west),
            np.maximum(xy[:, 1] - DETAIL_DEG, south),
            np.minimum(xy[:, 0] + half_lon, east),
            np.minimum(xy[:, 1] + DETAIL_DEG, north),
        ]
    )
    boxes = np.round(boxes, precision)
    boxes = boxes[(boxes[:, 0] < boxes[:, 2]) & (boxes[:, 1] < boxes[:, 3])]
    if not len(boxes):
        return None, boxes
    near = shapely.union_all(shapely.box(*boxes.T))
    return near, boxes


@lru_cache(maxsize=1)
def _world_polygons() -> np.ndarray:
    """Return the 1:110m world as shapely Polygons (one per ring)."""
    import shapely

    world = json.loads(_asset(f"basemap/{WORLD_FILE}"))
    scale = 10.0 ** int(world["precision"])
    rings = [
        np.cumsum(np.asarray(r, dtype=float).reshape(-1, 2), axis=0) / scale for r in world["rings"]
    ]
    polys = np.array([shapely.polygons(r) for r in rings if len(r) >= 4], dtype=object)
    return shapely.get_parts(shapely.make_valid(polys))


def _simplified(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify polygons to ``tolerance`` degrees, made valid again for cutting."""
    import shapely

    out = shapely.make_valid(shapely.simplify(geoms, tolerance, preserve_topology=False))
    # make_valid may return collections holding lines: keep the polygons
    out = shapely.get_parts(out)
    return out[shapely.get_type_id(out) == 3]


def _world_outside(box: tuple[float, float, float, float], tolerance: float) -> np.ndarray:
    """Return the 1:110m world, simplified to ``tolerance``, outside ``box`` (and its copies)."""
    import shapely

    west, south, east, north = box
    if east - west >= 360.0 and south <= -85.0 and north >= 85.0:
        return np.array([], dtype=object)
    hole = shapely.union_all(
        [shapely.box(west + s, south, east + s, north) for s in (-360.0, 0.0, 360.0)]
    )
    out = shapely.difference(_simplified(_world_polygons(), tolerance), hole)
    return shapely.get_parts(out[~shapely.is_empty(out)])


def _encode(rings: np.ndarray, precision: int) -> tuple[np.ndarray, np.ndarray]:
    """Delta-encode rings as integers (first point absolute); drop repeated points.

    Rings with fewer than four points left are dropped. Returns every kept
    ring's integers one after the other and how many each ring has.
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
