"""Network routes: sea lanes (searoute) and railways (scgraph), cached per process.

Both work leg by leg on distinct (origin, destination) pairs: the network is asked once per
pair and the answer kept in ``_ROUTE_CACHE`` (cleared by :func:`clear_route_cache`), so many
maps over the same lanes route each lane once. A leg that cannot be routed comes back as
``None`` with a note saying why; the caller draws a geodesic instead.
"""

from __future__ import annotations

import importlib.util
import json
import threading
import warnings
from collections.abc import Callable

import numpy as np

from geoflows.routes._geometry import distance_km, unwrap_lon

#: An endpoint farther than this from the first/last sea-lane node is treated as inland: searoute
#: would otherwise draw a long straight leg over land (Moscow snaps to St Petersburg, 630 km away).
#: 300 km still accepts ports on estuaries and bays that the lane network only approaches
#: (Rajin snaps to a node 140 km offshore).
SEA_SNAP_KM = 300.0
#: An endpoint farther than this from the nearest railway node is "off the network".
RAIL_SNAP_KM = 100.0
#: Coordinates are rounded to this many decimals (about 1 m) in cache keys.
_KEY_DECIMALS = 5

RAIL_MISSING_NOTE = "rail extra not installed: pip install geoflows[rail]; drawn geodesic"

_ROUTE_CACHE: dict[tuple, tuple[np.ndarray | None, str]] = {}
_RAIL_GRAPH = None
_RAIL_LOCK = threading.Lock()


def clear_route_cache() -> None:
    """Forget every sea and rail route computed so far in this process.

    Examples
    --------
    >>> from geoflows.routes import clear_route_cache
    >>> clear_route_cache()
    """
    _ROUTE_CACHE.clear()


def _key(kind: str, o: tuple[float, float], d: tuple[float, float]) -> tuple:
    return (kind,) + tuple(round(float(v), _KEY_DECIMALS) for v in (*o, *d))


def _call_searoute(origin: list[float], destination: list[float]):
    """One searoute query; separate so tests can count calls."""
    import searoute

    with warnings.catch_warnings():
        # searoute warns when restricted passages leave no path; we report that ourselves
        warnings.simplefilter("ignore")
        # append_orig_dest=False: we attach the endpoints ourselves after measuring how far
        # they are from the lane network (searoute compares tuples to lists there, so its own
        # appending silently does nothing when given tuples)
        return searoute.searoute(origin, destination, append_orig_dest=False)


def _attach_endpoints(path: np.ndarray, o, d, limit_km: float, what: str):
    """Check the snap distances, add the true endpoints, unwrap. Returns (coords|None, note)."""
    start_km = float(distance_km(o[0], o[1], path[0, 0], path[0, 1]))
    end_km = float(distance_km(d[0], d[1], path[-1, 0], path[-1, 1]))
    if max(start_km, end_km) > limit_km:
        side, km = ("origin", start_km) if start_km >= end_km else ("destination", end_km)
        return None, (
            f"{what} not found ({side} {km:,.0f} km from the {what.split()[0]} network, "
            f"limit {limit_km:,.0f} km); drawn geodesic"
        )
    coords = np.vstack([np.asarray(o, float)[None, :], path, np.asarray(d, float)[None, :]])
    keep = np.r_[True, np.any(np.abs(np.diff(coords, axis=0)) > 1e-9, axis=1)]
    coords = coords[keep]
    if coords.shape[0] < 2:
        coords = np.vstack([coords, coords])
    coords[:, 0] = unwrap_lon(coords[:, 0])
    return coords, ""


def _sea_leg(o: tuple[float, float], d: tuple[float, float]):
    try:
        feature = _call_searoute([o[0], o[1]], [d[0], d[1]])
        path = np.asarray(feature["geometry"]["coordinates"], dtype="float64")
    except ImportError:
        return None, "searoute is not installed: pip install searoute; drawn geodesic"
    except Exception as exc:  # searoute raises bare Exceptions on bad graphs/inputs
        return None, f"sea route not found (searoute failed: {exc}); drawn geodesic"
    if path.ndim != 2 or path.shape[0] < 1 or path.shape[1] < 2:
        return None, "sea route not found (no path between the two points); drawn geodesic"
    return _attach_endpoints(path[:, :2], o, d, SEA_SNAP_KM, "sea route")


def _rail_data_source() -> str:
    spec = importlib.util.find_spec("scgraph_data.world_railways")
    if spec is None or spec.origin is None:
        raise ImportError("scgraph_data is not installed")
    return spec.origin


def _load_rail_graph():
    """Load the world railway GeoGraph (scgraph + scgraph-data), offline.

    scgraph-data 2.0.0 ships the graph as a Python module that imports ``scgraph.core``, which
    scgraph 3.x no longer has; compiling its 17 MB of literals also takes ~6 s. We read the two
    literals as JSON instead (~1.5 s) and build the GeoGraph with the installed scgraph.
    """
    from scgraph import GeoGraph

    path = _rail_data_source()
    with open(path, encoding="utf-8") as fh:
        src = fh.read()
    g_at, n_at = src.index("graph="), src.index("\nnodes=")
    end = src.index("\n", n_at + 1)
    # quote the integer keys so the text is JSON: {1: 2.0, 3: 0.5} -> {"1": 2.0, "3": 0.5}
    # (plain str.replace: a regex substitution here takes 2-3 s)
    graph_txt = (
        src[g_at + len("graph=") : n_at]
        .replace("{", '{"')
        .replace(": ", '": ')
        .replace(", ", ', "')
        .replace('}, "{', "}, {")
        .replace('{"}', "{}")
    )
    graph = [{int(k): v for k, v in adj.items()} for adj in json.loads(graph_txt)]
    nodes = json.loads(src[n_at + len("\nnodes=") : end])
    return GeoGraph(graph=graph, nodes=nodes)


def _rail_graph(loader: Callable | None = None):
    global _RAIL_GRAPH
    with _RAIL_LOCK:
        if _RAIL_GRAPH is None:
            _RAIL_GRAPH = (loader or _load_rail_graph)()
        return _RAIL_GRAPH


def _reset_rail_graph() -> None:
    global _RAIL_GRAPH
    _RAIL_GRAPH = None


def _rail_leg(o: tuple[float, float], d: tuple[float, float]):
    try:
        graph = _rail_graph()
    except ImportError:
        return None, RAIL_MISSING_NOTE
    try:
        out = graph.get_shortest_path(
            origin_node={"latitude": o[1], "longitude": o[0]},
            destination_node={"latitude": d[1], "longitude": d[0]},
            output_coordinate_path="list_of_lists_long_first",
            silent=True,
        )
        path = np.asarray(out["coordinate_path"], dtype="float64")
    except Exception as exc:  # scgraph raises plain Exceptions when no path exists
        return None, f"rail route not found ({exc}); drawn geodesic"
    if path.ndim != 2 or path.shape[0] < 2:
        return None, "rail route not found (no path between the two points); drawn geodesic"
    # scgraph puts the query points first and last; measure from them to the network nodes
    inner = path[1:-1] if path.shape[0] > 2 else path
    if inner.shape[0] == 0:
        inner = path
    out_coords, note = _attach_endpoints(inner, o, d, RAIL_SNAP_KM, "rail route")
    if note:
        note = note.replace("from the rail network", "from the nearest rail line")
    return out_coords, note


_LEG_BUILDERS = {"sea": _sea_leg, "rail": _rail_leg}


def network_legs(kind: str, olon, olat, dlon, dlat) -> tuple[list, list[str]]:
    """Route every leg of ``kind`` ('sea' or 'rail'); one network query per distinct pair.

    Returns a list of coordinate arrays (or None where the leg failed) and a list of notes.
    """
    build = _LEG_BUILDERS[kind]
    coords: list = []
    notes: list[str] = []
    for o_lon, o_lat, d_lon, d_lat in zip(olon, olat, dlon, dlat, strict=True):
        o, d = (float(o_lon), float(o_lat)), (float(d_lon), float(d_lat))
        key = _key(kind, o, d)
        hit = _ROUTE_CACHE.get(key)
        if hit is None:
            hit = build(o, d)
            if hit[1] != RAIL_MISSING_NOTE:  # the extra may be installed later in the session
                _ROUTE_CACHE[key] = hit
        coords.append(hit[0])
        notes.append(hit[1])
    return coords, notes
