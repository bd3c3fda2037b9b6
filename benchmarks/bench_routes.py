"""Benchmark geoflows.routes against the obvious alternatives; prints ratios.

Run with ``python benchmarks/bench_routes.py`` (``--quick`` for a smaller run).

1. Geodesic lines for random Eurasian flows: :func:`geoflows.routes.geodesic` (vectorised
   ``Geod.inv``/``Geod.fwd`` and ``shapely.linestrings``) against a Python loop of
   ``Geod.npts`` + ``shapely.LineString`` per flow, densified the same way.
2. Sea routes for many flows over few distinct lanes: ``build_routes(mode='sea')`` (one
   searoute query per distinct lane, cached) against one ``searoute`` call per flow.
3. Peak memory of a map with one rail flow (a fresh process: read, route, save the HTML) with
   geoflows' compact cached rail graph, against the same map with no rail flow (the floor) and,
   in the full run, against scgraph's ``GeoGraph`` holding the same network.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings

import numpy as np
import pyproj
import shapely

from geoflows.routes import build_routes, clear_route_cache, geodesic

PORTS = [  # (lon, lat) of Eurasian / Pacific ports
    (130.28, 42.26),
    (131.87, 43.11),
    (129.04, 35.10),
    (121.47, 31.23),
    (139.77, 35.62),
    (103.82, 1.26),
    (72.85, 18.94),
    (55.27, 25.27),
    (32.55, 29.97),
    (29.0, 41.0),
    (4.40, 51.22),
    (9.99, 53.55),
    (30.17, 59.92),
    (-0.1, 51.5),
    (12.3, 45.4),
]


def _flows(n: int, rng: np.random.Generator):
    olon, dlon = rng.uniform(-10, 150, n), rng.uniform(-10, 150, n)
    olat, dlat = rng.uniform(10, 70, n), rng.uniform(10, 70, n)
    return olon, olat, dlon, dlat


def _loop_geodesic(olon, olat, dlon, dlat, spacing_km=50.0):
    geod = pyproj.Geod(ellps="WGS84")
    out = []
    for a, b, c, d in zip(olon, olat, dlon, dlat, strict=True):
        dist = geod.inv(a, b, c, d)[2]
        npts = max(0, int(np.ceil(dist / (spacing_km * 1000.0))) - 1)
        mid = geod.npts(a, b, c, d, npts) if npts else []
        pts = [(a, b), *mid, (c, d)]
        out.append(shapely.LineString(pts))
    return out


def _time(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_geodesic(n: int) -> tuple[str, float, float]:
    olon, olat, dlon, dlat = _flows(n, np.random.default_rng(42))
    ours = _time(lambda: geodesic(olon, olat, dlon, dlat), repeat=3)
    theirs = _time(lambda: _loop_geodesic(olon, olat, dlon, dlat))
    return f"geodesic, {n:,} flows", ours, theirs


def bench_sea(n: int, lanes: int) -> tuple[str, float, float]:
    import searoute

    rng = np.random.default_rng(7)
    pairs = [(a, b) for a in range(len(PORTS)) for b in range(len(PORTS)) if a != b]
    chosen = rng.choice(len(pairs), size=lanes, replace=False)
    pick = rng.choice(chosen, size=n)
    od = np.array([[*PORTS[pairs[k][0]], *PORTS[pairs[k][1]]] for k in pick])
    searoute.searoute(list(PORTS[0]), list(PORTS[1]))  # load its graph outside the timings

    def ours():
        clear_route_cache()  # a cold cache: every distinct lane is routed once
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            build_routes(od[:, 0], od[:, 1], od[:, 2], od[:, 3], mode="sea")

    def theirs():
        for a, b, c, d in od:
            searoute.searoute([a, b], [c, d], append_orig_dest=True)

    return f"sea, {n:,} flows / {lanes} lanes", _time(ours), _time(theirs)


_RAIL_MAP = """
import resource, sys, tempfile, pathlib
import geoflows as gf
import numpy as np
if sys.argv[1] == "scgraph":
    import json
    from scgraph import GeoGraph
    from geoflows.routes import _network
    def scgraph_graph():  # geoflows 0.1's loader: the network as a scgraph GeoGraph
        src = open(_network._rail_data_source(), encoding="utf-8").read()
        g_at, n_at = src.index("graph="), src.index("\\nnodes=")
        end = src.index("\\n", n_at + 1)
        graph_txt = (src[g_at + 6 : n_at].replace("{", '{"').replace(": ", '": ')
            .replace(", ", ', "').replace('}, "{', "}, {").replace('{"}', "{}"))
        graph = [{int(k): v for k, v in adj.items()} for adj in json.loads(graph_txt)]
        return GeoGraph(graph=graph, nodes=json.loads(src[n_at + 7 : end]))
    class Adapter:
        def __init__(self, geograph):
            self.geograph = geograph
        def shortest_path(self, o, d):
            out = self.geograph.get_shortest_path(
                origin_node={"latitude": o[1], "longitude": o[0]},
                destination_node={"latitude": d[1], "longitude": d[0]},
                output_coordinate_path="list_of_lists_long_first", silent=True)
            return np.asarray(out["coordinate_path"], dtype="float64")
    _network._RAIL_GRAPH = Adapter(scgraph_graph())
mode = "road" if sys.argv[1] == "none" else "rail"
flows = gf.read_flows([{"origin": "Vladivostok", "destination": "Khabarovsk", "mode": mode}])
flows.save_map(pathlib.Path(tempfile.mkdtemp()) / "m.html")
assert flows.to_geodataframe().route_kind[0] == ("geodesic" if mode == "road" else "rail")
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _peak_mb(which: str) -> float:
    """Peak RSS (MB) of a fresh process that builds the one-flow map; see ``_RAIL_MAP``."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    out = subprocess.run(
        [sys.executable, "-c", _RAIL_MAP, which], capture_output=True, text=True, env=env
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return float(out.stdout.split()[-1])


def bench_rail_memory(full: bool) -> None:
    """Print peak RSS of the one-rail-flow map and its RATIO lines."""
    try:
        import scgraph_data  # noqa: F401
        import scipy  # noqa: F401
    except ImportError:
        print("SKIP routes.rail_rss: the rail extra (scgraph-data, scipy) is not installed")
        return
    _peak_mb("rail")  # builds the prepared-graph cache once, outside the measurement
    ours, floor = _peak_mb("rail"), _peak_mb("none")
    print(f"peak RSS, map of one flow: rail {ours:.0f} MB, no rail {floor:.0f} MB")
    print(
        f"RATIO routes.rail_rss.norail: {floor / ours:.2f}x "
        "(peak RSS, map of one road flow / map of one rail flow; 1x is the floor)"
    )
    if not full:
        print("SKIP routes.rail_rss.scgraph: full run only (loading scgraph's GeoGraph takes ~5 s)")
        return
    theirs = _peak_mb("scgraph")
    print(f"peak RSS, map of one rail flow on scgraph's GeoGraph: {theirs:.0f} MB")
    print(
        f"RATIO routes.rail_rss.scgraph: {theirs / ours:.2f}x "
        "(peak RSS, one-rail-flow map, scgraph GeoGraph / geoflows compact graph)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    parser.add_argument(
        "--sizes", help="geodesic flows, sea flows and sea lanes, e.g. 1000,40,4 (the suite's run)"
    )
    args = parser.parse_args(argv)
    n_geo, n_sea, lanes = (10_000, 400, 20) if args.quick else (100_000, 2_000, 50)
    if args.sizes:
        n_geo, n_sea, lanes = (int(v) for v in args.sizes.split(","))
    rows = [bench_geodesic(n_geo), bench_sea(n_sea, lanes)]
    print(f"{'case':<32}{'geoflows (s)':>14}{'alternative (s)':>17}{'speed-up':>10}")
    for name, ours, theirs in rows:
        print(f"{name:<32}{ours:>14.3f}{theirs:>17.3f}{theirs / ours:>9.1f}x")
    (_, g_ours, g_theirs), (_, s_ours, s_theirs) = rows
    print(
        f"RATIO routes.geodesic.{n_geo // 1000}k: {g_theirs / g_ours:.1f}x "
        f"(time, Geod.npts + LineString loop / geoflows geodesic, {n_geo:,} flows)"
    )
    print(
        f"RATIO routes.sea.{n_sea}: {s_theirs / s_ours:.1f}x "
        f"(time, searoute per flow / geoflows build_routes, {n_sea:,} flows over {lanes} lanes)"
    )
    bench_rail_memory(full=not args.quick)


if __name__ == "__main__":
    main()
