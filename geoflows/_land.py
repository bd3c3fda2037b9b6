"""The shipped 1:10m land outlines (Natural Earth via ``world-atlas``), read tile by tile.

Both the offline basemap (:mod:`geoflows.render._basemap`) and the coastal sea routes
(:mod:`geoflows.routes._coastal`) need the land; it lives here, below both, and imports no
other part of geoflows but :mod:`geoflows.errors`. The file format is written by
``scripts/make_basemap.py``.
"""

from __future__ import annotations

import json
import zlib
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from geoflows.errors import GeoflowsError

__all__ = ["COARSE_FILE", "FINE_FILE"]

#: The 1:10m outlines, and a copy simplified to 0.02° for continental views.
FINE_FILE, COARSE_FILE = "countries_10m.gfbm", "countries_10m_coarse.gfbm"


def _asset_bytes(name: str) -> bytes:
    return _asset_path(name).read_bytes()


def _asset_path(name: str) -> Any:
    """Return the packaged file ``_data/<name>`` (a path on a file system install)."""
    return resources.files("geoflows").joinpath("_data", name)


def _clip(polys: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Clip every outline to ``box`` (``clip_by_rect``).

    GEOS refuses a few boxes on a few 1:10m rings ("Invalid number of points in LinearRing"):
    then clip one by one, repairing the ring that fails (``make_valid``), so one bad ring
    cannot break a map.
    """
    import shapely

    try:
        return shapely.clip_by_rect(polys, *box)
    except shapely.errors.GEOSException:
        out = []
        for poly in polys:
            try:
                out.append(shapely.clip_by_rect(poly, *box))
            except shapely.errors.GEOSException:
                out.append(shapely.intersection(shapely.make_valid(poly), shapely.box(*box)))
        return np.array(out, dtype=object)


def _rings_near(box: tuple[float, float, float, float], source: str = "") -> np.ndarray:
    """Return the 1:10m rings whose bounding box meets ``box``, as shapely Polygons.

    Only the tiles holding those rings are read and made into geometries (each once per
    process): a regional map reads a few of the 209 tiles, and the clip that follows works
    on the rings near it alone.
    """
    source = source or FINE_FILE
    index = _world_10m(source)
    bounds = index["bounds"]
    west, south, east, north = box
    near = (
        (bounds[:, 0] <= east)
        & (bounds[:, 2] >= west)
        & (bounds[:, 1] <= north)
        & (bounds[:, 3] >= south)
    )
    rings = np.flatnonzero(near)
    if len(rings) == 0:
        return np.array([], dtype=object)
    tiles = index["tile"][rings]
    return np.concatenate(
        [
            _tile_polygons(t, source)[rings[tiles == t] - index["first"][t]]
            for t in np.unique(tiles).tolist()
        ]
    )


@cache
def _tile_polygons(t: int, source: str) -> np.ndarray:
    """Build every ring of tile ``t`` as a shapely Polygon, in one vectorised call."""
    import shapely

    index = _world_10m(source)
    first = int(index["first"][t])
    counts = index["count"][first : first + int(index["rings_in"][t])]
    ids = np.repeat(np.arange(len(counts)), counts)
    return shapely.polygons(shapely.linearrings(_tile(t, source), indices=ids))


@cache
def _tile(t: int, source: str) -> np.ndarray:
    """Read tile ``t`` of a 1:10m file: the points of its rings, in degrees (n × 2)."""
    index = _world_10m(source)
    offset, size = index["chunks"][t]
    steps = np.frombuffer(zlib.decompress(index["body"][offset : offset + size]), dtype="<i4")
    grid = np.cumsum(steps.reshape(2, -1).T, axis=0, dtype=np.int64)
    return grid * index["scale"] + index["translate"]


@cache
def _world_10m(source: str = "") -> dict[str, Any]:
    """Read the index of the 1:10m countries: each ring's tile, point count and bounds.

    Rings are stored tile by tile (``first``: each tile's first ring; ``rings_in``: how many).

    ``countries_10m.gfbm`` (format: ``scripts/make_basemap.py``) holds the rings in tiles;
    only the table is read here, and a tile's points when a map needs one of its rings, so
    a regional map reads a few of the 209 tiles.
    """
    source = source or FINE_FILE
    raw = _asset_bytes(f"basemap/{source}")
    magic, head_line, body = raw.split(b"\n", 2)
    if magic != b"GFBM2":
        raise GeoflowsError(f"geoflows/_data/basemap/{source} is not a GFBM2 file")
    head = json.loads(head_line)
    n = int(head["rings"])
    offset, size = head["table"]
    table = np.frombuffer(zlib.decompress(body[offset : offset + size]), dtype="<i4")
    tile, count = table[:n].astype(np.int64), table[n : 2 * n].astype(np.int64)
    scale, translate = np.asarray(head["scale"]), np.asarray(head["translate"])
    bounds = table[2 * n :].reshape(n, 4) * np.tile(scale, 2) + np.tile(translate, 2)
    first = np.searchsorted(tile, np.arange(len(head["chunks"])))
    return {
        "tile": tile,
        "count": count,
        "first": first,
        "rings_in": np.diff(np.r_[first, n]),
        "bounds": bounds,
        "chunks": head["chunks"],
        "scale": scale,
        "translate": translate,
        "body": body,
    }
