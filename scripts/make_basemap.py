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
- ``countries_10m.bin.gz`` (when the 1:10m file is given): every ring of the 1:10m countries on
  world-atlas's own integer grid, for clipping per map (``geoflows/render/_basemap.py``). A
  gzip (mtime 0, so the bytes are reproducible) of: the line ``GFBM1``, one line of JSON
  (``scale``, ``translate``, ``rings``, ``points``), then little-endian int32 arrays: the
  point count of each ring, every x step, every y step (each ring's first step is absolute).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "geoflows" / "_data" / "basemap" / "countries_110m.json"
OUT_10M = OUT.with_name("countries_10m.bin.gz")
PRECISION = 2


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


def main_10m(path: str) -> None:
    import gzip

    import numpy as np

    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
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
    counts = np.array([len(r) for r in rings], dtype="<i4")
    pts = np.concatenate(rings)
    steps = pts.copy()
    steps[1:] -= pts[:-1]
    steps[np.r_[0, np.cumsum(counts)[:-1]]] = pts[np.r_[0, np.cumsum(counts)[:-1]]]
    head = {"scale": [sx, sy], "translate": [tx, ty], "rings": len(rings), "points": len(pts)}
    body = (
        b"GFBM1\n"
        + json.dumps(head, separators=(",", ":")).encode() + b"\n"
        + counts.tobytes()
        + steps[:, 0].astype("<i4").tobytes()
        + steps[:, 1].astype("<i4").tobytes()
    )  # fmt: skip
    OUT_10M.write_bytes(gzip.compress(body, 9, mtime=0))
    print(f"wrote {OUT_10M} ({OUT_10M.stat().st_size:,} bytes, {len(rings)} rings)")


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
