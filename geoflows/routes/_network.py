"""Network routes: sea lanes (searoute) and railways (scgraph-data), cached per process.

Both work leg by leg on distinct (origin, destination) pairs: the network is asked once per
pair and the answer kept in ``_ROUTE_CACHE`` (cleared by :func:`clear_route_cache`), so many
maps over the same lanes route each lane once. A leg that cannot be routed comes back as
``None`` with a note saying why; the caller draws a geodesic instead.

Routed legs are also remembered across processes in one file, ``routes.npz`` in the geoflows
cache folder (``$GEOFLOWS_CACHE_DIR`` or ``~/.cache/geoflows``, beside the gazetteer index):
each entry is keyed by the leg (kind, endpoints to 1e-6°) and by a version of everything the
answer depends on (:data:`_DISK_FORMAT`, searoute's version and the shipped 1:10m land for sea
legs, the railway data for rail legs), and holds the float64 coordinates and the note, so a
cached leg is the same bytes as a computed one. The file is read once per process, on first
use; new legs are merged into what is on disk then and written atomically (a race between two
processes may lose an entry, never the file), the most recent :data:`DISK_MAX_LEGS` kept.
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from geoflows._files import CacheWarner
from geoflows.routes._coastal import coastal_leg
from geoflows.routes._geometry import distance_km, unwrap_lon

#: An endpoint farther than this from the first/last sea-lane node is treated as inland: searoute
#: would otherwise draw a long straight leg over land (Moscow snaps to St Petersburg, 630 km away).
#: 300 km still accepts ports on estuaries and bays that the lane network only approaches
#: (Rajin snaps to a node 140 km offshore).
SEA_SNAP_KM = 300.0
#: An endpoint farther than this from the nearest railway node is "off the network".
RAIL_SNAP_KM = 100.0
#: Coordinates are rounded to this many decimals (about 0.1 m) in cache keys.
_KEY_DECIMALS = 6
#: Version of the routing code and of the disk cache's layout: bump it when an answer changes.
_DISK_FORMAT = 1
#: The disk cache keeps at most this many legs (the most recently routed).
DISK_MAX_LEGS = 4000
#: A route cache file larger than this (stored or once decompressed) is not read: it was not
#: written by geoflows (4,000 legs of sea lanes take a few megabytes).
DISK_MAX_BYTES = 128 << 20
_LEG_KINDS = ("sea", "rail")

RAIL_MISSING_NOTE = "rail extra not installed: pip install geoflows[rail]; drawn geodesic"

_ROUTE_CACHE: dict[tuple, tuple[np.ndarray | None, str]] = {}
_RAIL_GRAPH = None
_RAIL_LOCK = threading.Lock()
#: The disk cache as read by this process (None: not read yet).
_DISK: dict[tuple, tuple[str, np.ndarray, str]] | None = None


def clear_route_cache(disk: bool = True) -> None:
    """Forget every sea and rail route computed so far, in this process and on disk.

    Parameters
    ----------
    disk : bool, default True
        Also delete the route cache file (``routes.npz`` in the cache folder), so the next
        map routes every leg anew. With False only this process forgets: the next leg is read
        back from the file. The file never serves a stale answer (its entries carry the
        version of the code and data that computed them), so False suits a long session that
        only wants to free memory.

    Examples
    --------
    >>> from geoflows.routes import clear_route_cache
    >>> clear_route_cache(disk=False)
    """
    global _DISK
    _ROUTE_CACHE.clear()
    _DISK = None
    if disk:
        try:
            route_cache_path().unlink(missing_ok=True)
        except OSError as exc:
            _warn_once(f"cannot delete the route cache ({exc})")


def route_cache_path() -> Path:
    """Return the route cache file: ``routes.npz`` in the geoflows cache folder.

    The folder is every geoflows cache's (``$GEOFLOWS_CACHE_DIR`` or ``~/.cache/geoflows``,
    :func:`geoflows._files.cache_dir`).
    """
    from geoflows._files import cache_dir

    return cache_dir() / "routes.npz"


#: Warns once per process when the route cache cannot be read or written.
_warn_once = CacheWarner("routes")


@lru_cache(maxsize=2)
def _version(kind: str) -> str:
    """Everything a leg of ``kind`` depends on, hashed (ImportError: no network to route on).

    Data files enter by their :func:`~geoflows._files.file_stamp` (name, size, mtime), not by
    their content: hashing the 17 MB railway file cost every new process a read of it.
    """
    from geoflows._files import file_stamp
    from geoflows.routes import _coastal

    parts = [f"format {_DISK_FORMAT}", f"key {_KEY_DECIMALS}"]
    if kind == "sea":
        from importlib.metadata import version

        from geoflows._land import FINE_FILE, _asset_path

        parts += [f"searoute {version('searoute')}", f"snap {SEA_SNAP_KM}"]
        parts += [file_stamp([_asset_path(f"basemap/{FINE_FILE}")])]
        consts = ("DETOUR_RATIO", "FAR_ATTACH_KM", "MAX_DIRECT_KM", "CELL_DEG", "MAX_CELL_DEG",
                  "MAX_CELLS", "PORT_SNAP_KM", "PORT_CELLS")  # fmt: skip
        parts += [f"{c} {getattr(_coastal, c)!r}" for c in consts]
    else:
        parts += [file_stamp([_rail_data_source()]), f"snap {RAIL_SNAP_KM}"]
        parts += [f"near {_RailGraph._NEAR_NODES}"]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _read_disk(path: Path) -> dict[tuple, tuple[str, np.ndarray, str]]:
    """Read the route cache file (an empty cache when missing; a bad one warns once)."""
    from geoflows._files import read_cache_file

    return read_cache_file(path, _checked_disk, _warn_once, "route cache") or {}


def _checked_disk(path: Path) -> dict[tuple, tuple[str, np.ndarray, str]]:
    """Read the route cache by value: sizes bounded, numbers finite and on the globe."""
    from geoflows._files import check_cache_array, check_cache_lonlat, read_cache_arrays

    names = ("kind", "ver", "ends", "sizes", "coords", "notes")
    arrays = read_cache_arrays(path, names, max_bytes=DISK_MAX_BYTES)
    kind, ver, notes = (check_cache_array(arrays, k, "U") for k in ("kind", "ver", "notes"))
    ends = check_cache_array(arrays, "ends", "f", ndim=2)
    coords = check_cache_array(arrays, "coords", "f", ndim=2)
    sizes = check_cache_array(arrays, "sizes", "i", low=2)
    bounds = np.r_[0, np.cumsum(sizes, dtype=np.int64)]
    if not (kind.size == ver.size == ends.shape[0] == sizes.size == notes.size):
        raise ValueError("arrays of different lengths")
    if ends.shape[1:] != (4,) or coords.shape != (int(bounds[-1]), 2):
        raise ValueError("arrays of the wrong shape")
    if not set(kind.tolist()) <= set(_LEG_KINDS):
        raise ValueError(f"leg kinds other than {', '.join(_LEG_KINDS)}")
    check_cache_lonlat(ends[:, 0::2], ends[:, 1::2], "leg end")
    check_cache_lonlat(coords[:, 0], coords[:, 1], "route")
    out = {}
    for i, (k, v, n) in enumerate(zip(kind.tolist(), ver.tolist(), notes.tolist(), strict=True)):
        key = (k, *ends[i].tolist())
        out[key] = (v, coords[bounds[i] : bounds[i + 1]], n)
    return out


def _write_disk(path: Path, new: dict[tuple, tuple[str, np.ndarray, str]]) -> None:
    """Merge ``new`` into the file as it is now and replace it atomically (the newest kept)."""
    import io

    from geoflows._files import write_atomic

    merged = _read_disk(path)
    for key in new:
        merged.pop(key, None)
    merged.update(new)
    items = list(merged.items())[-DISK_MAX_LEGS:]
    buf = io.BytesIO()
    np.savez(
        buf,
        kind=np.array([k[0] for k, _ in items], dtype=str),
        ver=np.array([v[0] for _, v in items], dtype=str),
        ends=np.array([k[1:] for k, _ in items], dtype="float64").reshape(-1, 4),
        sizes=np.array([v[1].shape[0] for _, v in items], dtype="int64"),
        coords=np.vstack([v[1] for _, v in items] or [np.empty((0, 2))]).astype("float64"),
        notes=np.array([v[2] for _, v in items], dtype=str),
    )
    try:
        write_atomic(path, buf.getvalue())
    except OSError as exc:
        _warn_once(f"cannot write the route cache to {path} ({exc})")


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


#: A rail graph cache file larger than this (stored or decompressed) is not read (the world
#: network takes about 16 MB).
RAIL_CACHE_MAX_BYTES = 512 << 20


def _read_rail_cache(cache) -> dict[str, np.ndarray] | None:
    """Read the cached arrays, or None when the file is missing or fails its check."""
    from geoflows._files import read_cache_file

    return read_cache_file(cache, _checked_rail_arrays, _warn_once, "rail graph cache")


def _checked_rail_arrays(cache) -> dict[str, np.ndarray]:
    """Read the rail graph's arrays by value: finite, on the globe, indices in range."""
    from geoflows._files import check_cache_array, check_cache_lonlat, read_cache_arrays

    arrays = read_cache_arrays(
        cache, ("lat", "lon", "indptr", "indices", "km"), max_bytes=RAIL_CACHE_MAX_BYTES
    )
    lat, lon, km = (check_cache_array(arrays, k, "f") for k in ("lat", "lon", "km"))
    n = lat.size
    ptr = check_cache_array(arrays, "indptr", "i", low=0)
    indices = check_cache_array(arrays, "indices", "i", low=0, high=max(n - 1, 0))
    check_cache_lonlat(lon, lat, "rail node", lon_limit=180.0)
    if km.size and km.min() < 0:
        raise ValueError("negative distances")
    consistent = (
        lon.size == n
        and ptr.size == n + 1
        and ptr[-1] == indices.size == km.size
        and bool((np.diff(ptr) >= 0).all())
    )
    if not consistent:
        raise ValueError("arrays that do not make a graph")
    return arrays


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


def _disk_cache(kind: str) -> tuple[dict, str | None]:
    """Return the disk cache (read once per process) and the version of ``kind`` (None: none)."""
    global _DISK
    try:
        version = _version(kind)
    except ImportError:
        return {}, None
    if _DISK is None:
        try:
            path = route_cache_path()
        except Exception as exc:  # noqa: BLE001 - no cache folder must not stop routing
            _warn_once(f"cannot locate the route cache ({exc})")
            _DISK = {}
        else:
            _DISK = _read_disk(path)
    return _DISK, version


def network_legs(kind: str, olon, olat, dlon, dlat) -> tuple[list, list[str]]:
    """Route every leg of ``kind`` ('sea' or 'rail'); one network query per distinct pair.

    Returns a list of coordinate arrays (or None where the leg failed) and a list of notes.
    Legs are looked up in the process cache, then in the disk cache; legs routed here are
    added to both (a leg that failed only to the process cache).
    """
    build = _LEG_BUILDERS[kind]
    disk, version = _disk_cache(kind)
    new: dict[tuple, tuple[str, np.ndarray, str]] = {}
    coords: list = []
    notes: list[str] = []
    for o_lon, o_lat, d_lon, d_lat in zip(olon, olat, dlon, dlat, strict=True):
        o, d = (float(o_lon), float(o_lat)), (float(d_lon), float(d_lat))
        key = _key(kind, o, d)
        hit = _ROUTE_CACHE.get(key)
        if hit is None:
            stored = disk.get(key)
            if stored is not None and stored[0] == version:
                hit = (stored[1], stored[2])
            else:
                hit = build(o, d)
                if hit[0] is not None and version is not None:
                    new[key] = (version, hit[0], hit[1])
            if hit[1] != RAIL_MISSING_NOTE:  # the extra may be installed later in the session
                _ROUTE_CACHE[key] = hit
        coords.append(hit[0])
        notes.append(hit[1])
    if new and _DISK is not None:
        _DISK.update(new)
        _save(new)
    return coords, notes


def _save(new: dict[tuple, tuple[str, np.ndarray, str]]) -> None:
    try:
        path = route_cache_path()
    except Exception:  # noqa: BLE001 - warned when it was read
        return
    _write_disk(path, new)
