"""Build geoflows' offline basemap from world-atlas (Natural Earth 1:110m countries).

The map shows land and country borders when it has no tiles (``tiles=None``), so an offline
map still says where things are. Source: the npm package ``world-atlas`` 2.0.2
(``countries-110m.json``, TopoJSON; ISC licence; Natural Earth data, public domain).

Usage::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_basemap.py package/countries-110m.json

writes ``geoflows/_data/basemap/countries_110m.json``: ``{"precision": 2, "rings": [[dlon,
dlat, ...], ...]}`` with each ring's coordinates as integers (degrees × 100), delta-encoded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "geoflows" / "_data" / "basemap" / "countries_110m.json"
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
