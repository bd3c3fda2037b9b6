"""Build geoflows' offline basemap from world-atlas (Natural Earth countries, 1:110m and 1:10m).

The map shows land and country borders when it has no tiles (``tiles=None``) or its tiles fail,
so an offline map still says where things are. Source: the npm package ``world-atlas`` 2.0.2
(``countries-110m.json`` and ``countries-10m.json``, TopoJSON; ISC licence; Natural Earth data,
public domain).

Usage::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_basemap.py package/countries-110m.json package/countries-10m.json

writes into ``geoflows/_data/basemap/``:

- ``countries_110m.json``: ``{"precision": 2, "rings": [[dlon, dlat, ...], ...]}`` with each
  ring's coordinates as integers (degrees × 100), delta-encoded: the whole world, as the
  browser reads it.
- ``countries_10m.gfbm`` (when the 1:10m file is given): every ring of the 1:10m countries,
  for clipping per map (``geoflows/render/_basemap.py``), in tiles so a map reads only the
  rings near it. The line ``GFBM2``, one line of JSON (``scale``, ``translate``: world-atlas's
  integer grid, degrees = steps × scale + translate; ``rings``; ``table``: [offset, bytes] of
  the ring table; ``chunks``: [offset, bytes] of each tile, offsets counted from the end of
  the JSON line), then zlib blocks (level 9, so the
  bytes are reproducible). The ring table holds little-endian int32 arrays: each ring's tile,
  point count, and bounds (west, south, east, north, in steps). Each tile holds every x step
  then every y step of its rings, in table order, each point relative to the one before it,
  across ring ends, so one cumulative sum gives every point. Longitudes are unwrapped per ring (Russia runs to
  190°E) and each ring starts east of -180°. A ring belongs to the tile of its bounding box's
  centre (:data:`TILE_DEG` degrees square).
- ``countries_10m_coarse.gfbm``: the same rings simplified to :data:`COARSE_DEG` degrees
  (rings smaller than that dropped), same format, for maps fitted at small zooms.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "geoflows" / "_data" / "basemap" / "countries_110m.json"
OUT_10M = OUT.with_name("countries_10m.gfbm")
OUT_10M_COARSE = OUT.with_name("countries_10m_coarse.gfbm")
#: Tolerance of the coarse copy, degrees: under a pixel up to zoom 6 (about 0.04° a pixel at
#: 40° latitude), so maps fitted at zoom 5 or less clip and simplify it instead.
COARSE_DEG = 0.02
PRECISION = 2
#: Side of a tile of the 1:10m file, degrees.
TILE_DEG = 15


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for i in indices:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts[1:] if out else pts)
    # Rings cut at the antimeridian jump from +180 to -180: make them continuous instead (the
    # map draws unwrapped longitudes), so no edge runs across the whole world.
    for k in range(1, len(out)):
        x, y = out[k]
        while x - out[k - 1][0] > 180:
            x -= 360
        while x - out[k - 1][0] < -180:
            x += 360
        out[k] = (x, y)
    return out


def _rings_10m(topo: dict) -> list:
    """Every ring of the 1:10m countries on world-atlas's integer grid."""
    import numpy as np

    grid = []  # the arcs on the integer grid (TopoJSON stores steps)
    for arc in topo["arcs"]:
        grid.append(np.cumsum(np.asarray(arc, dtype=np.int64).reshape(-1, 2), axis=0))
    rings = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs", [])
        if geom["type"] == "Polygon":
            polys = [polys]
        for poly in polys:
            for r in poly:
                pieces = [grid[i] if i >= 0 else grid[~i][::-1] for i in r]
                pts = np.concatenate([pieces[0]] + [p[1:] for p in pieces[1:]])
                if len(pts) >= 4:
                    rings.append(pts)
    return rings


def _unwrapped(pts, scale, translate):
    """A ring on the grid, continuous across the antimeridian and starting east of -180°.

    world-atlas's grid has exactly ``360 / scale[0]`` (99,999) steps round the world, so the
    shifts are whole steps.
    """
    import numpy as np

    turn = int(round(360.0 / scale[0]))
    out = pts.copy()
    jump = np.round(np.diff(out[:, 0], prepend=out[0, 0]) / turn).astype(np.int64)
    out[:, 0] -= turn * np.cumsum(jump)
    west = out[:, 0].min() * scale[0] + translate[0]
    out[:, 0] -= turn * int(np.floor((west + 180.0) / 360.0))
    return out


def _coarse(rings: list, scale: list, translate: list) -> list:
    """The rings simplified to :data:`COARSE_DEG` (tiny rings dropped), for small zooms."""
    import numpy as np
    import shapely

    sc, tr = np.asarray(scale), np.asarray(translate)
    counts = [len(r) for r in rings]
    degrees = np.concatenate(rings) * sc + tr
    polys = shapely.polygons(
        shapely.linearrings(degrees, indices=np.repeat(np.arange(len(rings)), counts))
    )
    # topology kept: an invalid ring (one that crosses itself) clips to nothing later
    polys = shapely.simplify(polys, COARSE_DEG, preserve_topology=True)
    out = []
    for poly in polys:
        if shapely.is_empty(poly) or shapely.area(poly) < 4 * COARSE_DEG**2:
            continue
        xy = shapely.get_coordinates(shapely.get_exterior_ring(poly))
        grid = np.round((xy - tr) / sc).astype(np.int64)
        if len(grid) >= 4:
            out.append(grid)
    return out


def write_tiles(rings: list, scale: list, translate: list, out: Path) -> None:
    """Write rings (grid integers) as a GFBM2 file of tiles (format: module docstring)."""
    import zlib

    import numpy as np

    bounds = np.array([[*r.min(axis=0), *r.max(axis=0)] for r in rings], dtype=np.int64)
    centre = (bounds[:, :2] + bounds[:, 2:]) / 2 * np.asarray(scale) + np.asarray(translate)
    cols = int(540 // TILE_DEG) + 1
    tile = (np.floor((centre[:, 1] + 90) / TILE_DEG) * cols
            + np.floor((centre[:, 0] + 180) / TILE_DEG)).astype(np.int64)  # fmt: skip
    order = np.lexsort((np.arange(len(rings)), tile))
    tiles, tile_ids = np.unique(tile[order], return_inverse=True)
    blobs = []
    for t in range(len(tiles)):
        pts = np.concatenate([rings[i] for i in order[tile_ids == t]])
        steps = pts.copy()
        steps[1:] -= pts[:-1]
        blobs.append(zlib.compress(steps.T.astype("<i4").tobytes(), 9))
    counts = np.array([len(rings[i]) for i in order], dtype="<i4")
    table = zlib.compress(
        tile_ids.astype("<i4").tobytes() + counts.tobytes() + bounds[order].astype("<i4").tobytes(),
        9,
    )
    offsets = np.cumsum([0, len(table), *[len(b) for b in blobs]]).tolist()
    head = {
        "scale": scale,
        "translate": translate,
        "rings": len(rings),
        "table": [offsets[0], len(table)],
        "chunks": [[offsets[k + 1], len(b)] for k, b in enumerate(blobs)],
    }
    out.write_bytes(
        b"GFBM2\n" + json.dumps(head, separators=(",", ":")).encode() + b"\n" + table
        + b"".join(blobs)
    )  # fmt: skip
    print(f"wrote {out} ({out.stat().st_size:,} bytes, {len(rings)} rings, {len(blobs)} tiles)")


def main_10m(path: str) -> None:
    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    rings = [_unwrapped(r, scale, translate) for r in _rings_10m(topo)]
    write_tiles(rings, scale, translate, OUT_10M)
    write_tiles(_coarse(rings, scale, translate), scale, translate, OUT_10M_COARSE)


def main(path: str) -> None:
    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    rings = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs", [])
        if geom["type"] == "Polygon":
            polys = [polys]
        for poly in polys:
            for r in poly:
                pts = ring(arcs, r)
                q = [(round(x * 10**PRECISION), round(y * 10**PRECISION)) for x, y in pts]
                flat, px, py = [], 0, 0
                for x, y in q:
                    if flat and (x, y) == (px, py):
                        continue
                    flat += [x - px, y - py]
                    px, py = x, y
                if len(flat) >= 8:
                    rings.append(flat)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"precision": PRECISION, "rings": rings}, separators=(",", ":")))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {len(rings)} rings)")


if __name__ == "__main__":
    main(sys.argv[1])
    if len(sys.argv) > 2:
        main_10m(sys.argv[2])
