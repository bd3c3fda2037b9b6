"""Network routes: sea lanes (searoute) and railways (scgraph-data), cached per process.

Both work leg by leg on distinct (origin, destination) pairs: the network is asked once per
pair and the answer kept in ``_ROUTE_CACHE`` (cleared by :func:`clear_route_cache`), so many
maps over the same lanes route each lane once. A leg that cannot be routed comes back as
``None`` with a note saying why; the caller draws a geodesic instead.
"""

from __future__ import annotations

import importlib.util
import threading
import warnings

import numpy as np

from geoflows.routes._coastal import coastal_leg
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
    coords, note = _attach_endpoints(path[:, :2], o, d, SEA_SNAP_KM, "sea route")
    return coastal_leg(o, d, coords, note)  # lanes far from a small port: a path at sea instead


def _rail_data_source() -> str:
    spec = importlib.util.find_spec("scgraph_data.world_railways")
    if spec is None or spec.origin is None:
        raise ImportError("scgraph_data is not installed")
    return spec.origin


#: Version of the prepared rail graph cache file; bump it when its arrays change.
_RAIL_CACHE_FORMAT = 1


class _RailGraph:
    """The world railway network as compact arrays: node coordinates and a CSR adjacency.

    scgraph's GeoGraph keeps the network as Python dicts and lists (about 450 MB for the
    world's railways); these arrays hold the same graph in about 20 MB. A query joins the
    network near each endpoint (see :meth:`_endpoints`) and takes the shortest path by track
    length.
    """

    def __init__(
        self, lat: np.ndarray, lon: np.ndarray, indptr: np.ndarray, indices: np.ndarray, km
    ):
        self.lat, self.lon = lat, lon
        self.indptr, self.indices, self.km = indptr, indices, km
        self._matrix = None
        self._components = None

    def __len__(self) -> int:
        return int(self.lat.size)

    #: How many nearest nodes of each endpoint are searched for a network the other one is on.
    _NEAR_NODES = 2000

    def _matrix_and_components(self):
        if self._matrix is None:
            from scipy.sparse import csr_matrix
            from scipy.sparse.csgraph import connected_components

            n = len(self)
            self._matrix = csr_matrix((self.km, self.indices, self.indptr), shape=(n, n))
            self._components = connected_components(self._matrix, connection="weak")[1]
        return self._matrix, self._components

    def _endpoints(self, o: tuple[float, float], d: tuple[float, float]) -> tuple[int, int]:
        """Find the nodes where the route joins and leaves the network.

        The node closest to each endpoint (by plain distance in degrees, as scgraph's
        ``kdclosest``), unless those two lie on networks that are not connected (the data has
        hundreds of fragments: a port spur 41 km from Dunai that never meets the main line 47 km
        away); then, among each endpoint's nearest nodes, the closest pair on one network.
        """
        _, comp = self._matrix_and_components()
        d2o = (self.lat - o[1]) ** 2 + (self.lon - o[0]) ** 2
        d2d = (self.lat - d[1]) ** 2 + (self.lon - d[0]) ** 2
        start, goal = int(np.argmin(d2o)), int(np.argmin(d2d))
        if comp[start] == comp[goal]:
            return start, goal
        k = min(self._NEAR_NODES, len(self) - 1)
        best: list[tuple[float, int, int]] = []
        near = []
        for dist2 in (d2o, d2d):
            idx = np.argpartition(dist2, k)[: k + 1]
            idx = idx[np.argsort(dist2[idx], kind="stable")]
            labels, first = np.unique(comp[idx], return_index=True)
            near.append(dict(zip(labels.tolist(), idx[first].tolist(), strict=True)))
        for label in near[0].keys() & near[1].keys():
            a, b = near[0][label], near[1][label]
            best.append((float(np.sqrt(d2o[a]) + np.sqrt(d2d[b])), a, b))
        if not best:
            return start, goal
        _, start, goal = min(best)
        return start, goal

    def shortest_path(self, o: tuple[float, float], d: tuple[float, float]) -> np.ndarray:
        """(lon, lat) vertices: ``o``, the network nodes of the shortest path, ``d``."""
        from scipy.sparse.csgraph import dijkstra

        matrix, _ = self._matrix_and_components()
        start, goal = self._endpoints(o, d)
        dist, pred = dijkstra(matrix, indices=start, return_predecessors=True)
        if not np.isfinite(dist[goal]):
            raise ValueError("the two points lie on railway networks that are not connected")
        nodes = [goal]
        while nodes[-1] != start:
            nodes.append(int(pred[nodes[-1]]))
        idx = np.asarray(nodes[::-1])
        return np.vstack([[o], np.column_stack([self.lon[idx], self.lat[idx]]), [d]])


def _numbers(text: np.ndarray, separators: bytes) -> np.ndarray:
    """Every number in a byte array of Python literals, in order (separators become spaces)."""
    text = text.copy()
    for ch in separators:
        text[text == ch] = ord(" ")
    return np.fromstring(text.tobytes(), dtype=np.float64, sep=" ")


def _prepare_rail_arrays(path: str) -> dict[str, np.ndarray]:
    """Read scgraph-data's railway module as arrays, without executing or compiling it.

    The module holds two literals, ``graph=[{node: km, ...}, ...]`` (one dict per node) and
    ``nodes=[[lat, lon], ...]``. Its punctuation is blanked out and the numbers read in one
    pass; the number of ``:`` between each ``{`` and ``}`` gives each node's edge count.
    """
    with open(path, "rb") as fh:
        data = fh.read()
    raw = np.frombuffer(data, dtype=np.uint8)  # a view of the bytes, no copy
    g_at, n_at = data.index(b"graph=") + len(b"graph="), data.index(b"\nnodes=")
    end = data.find(b"\n", n_at + 1)
    end = len(data) if end < 0 else end
    graph = raw[g_at:n_at]
    colons = np.flatnonzero(graph == ord(":"))
    counts = np.searchsorted(colons, np.flatnonzero(graph == ord("}"))) - np.searchsorted(
        colons, np.flatnonzero(graph == ord("{"))
    )
    pairs = _numbers(graph, b"[]{}:,")
    nodes = _numbers(raw[n_at + len(b"\nnodes=") : end], b"[],").reshape(-1, 2)
    km = pairs[1::2]
    # scipy drops zero-weight entries as "no edge"; a zero-length link is still a link
    km[km <= 0] = 1e-9
    return {
        "lat": nodes[:, 0].copy(),
        "lon": nodes[:, 1].copy(),
        "indptr": np.r_[0, np.cumsum(counts)].astype(np.int64),
        "indices": pairs[0::2].astype(np.int32),
        "km": km.copy(),
    }


def _rail_cache_path(source: str):
    import hashlib
    import os
    from pathlib import Path

    h = hashlib.sha256(f"f{_RAIL_CACHE_FORMAT}".encode())
    with open(source, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    env = os.environ.get("GEOFLOWS_CACHE_DIR")
    folder = Path(env) if env else Path.home() / ".cache" / "geoflows"
    return folder / f"rail-graph-{h.hexdigest()[:16]}.npz"


def _read_rail_cache(cache) -> dict[str, np.ndarray] | None:
    """Read the cached arrays, or None when the file is missing, damaged or inconsistent."""
    import io
    import zipfile

    try:
        with np.load(io.BytesIO(cache.read_bytes()), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in ("lat", "lon", "indptr", "indices", "km")}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    n, ptr = arrays["lat"].size, arrays["indptr"]
    consistent = (
        arrays["lon"].size == n
        and ptr.size == n + 1
        and ptr[-1] == arrays["indices"].size == arrays["km"].size
        and (
            arrays["indices"].size == 0
            or 0 <= arrays["indices"].min() <= arrays["indices"].max() < n
        )
    )
    return arrays if consistent else None


def _load_rail_graph() -> _RailGraph:
    """Load the world railway network (scgraph-data), offline, from a prepared cache.

    The first call reads scgraph-data's module as text (see :func:`_prepare_rail_arrays`,
    ~2 s) and stores the arrays as a plain ``.npz`` (no pickle) in the geoflows cache folder
    (``$GEOFLOWS_CACHE_DIR`` or ``~/.cache/geoflows``), named by a hash of the data file;
    later processes load that file in milliseconds. A cache that cannot be read is rebuilt; one
    that cannot be written only costs the next process the same 2 s.
    """
    import io

    import scipy.sparse.csgraph  # noqa: F401  (ImportError here: the rail extra is missing)

    source = _rail_data_source()
    cache = _rail_cache_path(source)
    arrays = _read_rail_cache(cache)
    if arrays is None:
        arrays = _prepare_rail_arrays(source)
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        try:
            from geoflows._files import write_atomic

            write_atomic(cache, buf.getvalue())
        except OSError:
            pass
    return _RailGraph(**arrays)


def _rail_graph():
    global _RAIL_GRAPH
    with _RAIL_LOCK:
        if _RAIL_GRAPH is None:
            _RAIL_GRAPH = _load_rail_graph()
        return _RAIL_GRAPH


def _rail_leg(o: tuple[float, float], d: tuple[float, float]):
    try:
        graph = _rail_graph()
    except ImportError:
        return None, RAIL_MISSING_NOTE
    try:
        path = graph.shortest_path(o, d)
    except ValueError as exc:
        return None, f"rail route not found ({exc}); drawn geodesic"
    if path.ndim != 2 or path.shape[0] < 2:
        return None, "rail route not found (no path between the two points); drawn geodesic"
    # the path starts and ends with the query points; measure from them to the network nodes
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
