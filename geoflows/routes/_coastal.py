"""Short sea hops that stay at sea: a shortest path on a raster of the shipped 1:10m land.

searoute's lane network is coarse near many small ports: the nearest lane node to Rajin is
140 km offshore, so Rajin → Vladivostok by its lanes is an L shape twice as long as the
voyage. For such a leg (the lane route much longer than the direct distance, or an endpoint
attached far from the lanes), :func:`coastal_leg` draws instead the shortest path at sea
over a grid of the local box (cells of :data:`CELL_DEG` to :data:`MAX_CELL_DEG` degrees, a
cell is sea when no land of the shipped Natural Earth 1:10m outlines lies within half a
cell), found with Dijkstra (``scipy.sparse.csgraph``), then pulled tight: each vertex joins
the farthest later one it can reach without crossing land. The ports themselves may lie on
land at 1:10m; the path leaves and reaches them straight, from the nearest sea cell.

Everything is offline and deterministic; the grid, the graph and the line-of-sight tests
are vectorised (numpy, scipy, shapely). :mod:`geoflows.routes._network` keeps the answer in
its per-leg cache, like any other sea leg.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from geoflows.routes._geometry import distance_km, line_lengths_km

#: A lane route longer than this many times the direct distance is redrawn at sea if shorter.
DETOUR_RATIO = 1.3
#: An endpoint joined to the lane network by a straight segment longer than this (km) too.
FAR_ATTACH_KM = 50.0
#: Only legs shorter than this (km) are searched on a grid (a short hop, not an ocean voyage).
MAX_DIRECT_KM = 1500.0
#: Grid cell size (degrees): the finest, and the coarsest used to keep the grid small.
CELL_DEG, MAX_CELL_DEG = 0.02, 0.05
#: At most this many cells per grid; a longer leg uses coarser cells, up to MAX_CELL_DEG.
MAX_CELLS = 250_000
#: A port farther than this (km) from the nearest sea cell is not routed along the coast.
PORT_SNAP_KM = 30.0
#: Around each port, land within this many cells is tolerated (a port on the 1:10m coast).
PORT_CELLS = 2.5
#: The note of a sea leg redrawn along the coast: information, not a fallback (the leg has a
#: geometry, so :mod:`geoflows.routes._build` keeps its route kind 'sea' and does not warn).
COASTAL_NOTE = "sea route along the coast (lane network too coarse here)"


def coastal_leg(
    o: tuple[float, float], d: tuple[float, float], lane: np.ndarray | None, note: str
) -> tuple[np.ndarray | None, str]:
    """Return a shorter path at sea for a lane route that detours, else the lane route as given.

    Parameters
    ----------
    o, d : tuple of float
        The leg's origin and destination, ``(lon, lat)`` in degrees.
    lane : numpy.ndarray or None
        The lane route (n × 2, lon/lat, endpoints included), or None when it failed.
    note : str
        The lane route's note (empty when it was found).

    Returns
    -------
    tuple
        ``(coords, note)``: the coastal path and :data:`COASTAL_NOTE` (a sea route, not a
        fallback), or ``lane`` and ``note`` unchanged when the lane route is direct enough, failed, or
        no shorter path at sea exists.

    Examples
    --------
    >>> import numpy as np
    >>> rajin, vladivostok = (130.29, 42.25), (131.89, 43.10)
    >>> lane = np.array([rajin, (131.9, 42.2), (131.95, 42.9), vladivostok])
    >>> coords, note = coastal_leg(rajin, vladivostok, lane, "")
    >>> coords[0].tolist() == list(rajin), coords[-1].tolist() == list(vladivostok), note
    (True, True, 'sea route along the coast (lane network too coarse here)')
    >>> bool(line_lengths_km([_line(coords)])[0] < line_lengths_km([_line(lane)])[0])
    True
    """
    if lane is None or note or not _detours(o, d, lane):
        return lane, note
    path = coastal_path(o, d)
    if path is None:
        return lane, note
    if line_lengths_km([_line(path)])[0] >= line_lengths_km([_line(lane)])[0]:
        return lane, note
    return path, COASTAL_NOTE


def _line(coords: np.ndarray) -> Any:
    import shapely

    return shapely.linestrings(np.asarray(coords, dtype=float))


def _detours(o: tuple[float, float], d: tuple[float, float], lane: np.ndarray) -> bool:
    """Tell whether the lane route is much longer than the direct distance or attaches far."""
    direct = float(distance_km(o[0], o[1], d[0], d[1]))
    if direct > MAX_DIRECT_KM or direct < 1.0 or len(lane) < 3:
        return False
    along = float(line_lengths_km([_line(lane)])[0])
    attach = distance_km(lane[[0, -2], 0], lane[[0, -2], 1], lane[[1, -1], 0], lane[[1, -1], 1])
    return along > DETOUR_RATIO * direct or float(np.max(attach)) > FAR_ATTACH_KM


def coastal_path(o: tuple[float, float], d: tuple[float, float]) -> np.ndarray | None:
    """Return the shortest path at sea from ``o`` to ``d`` (lon, lat), or None if there is none.

    Examples
    --------
    >>> path = coastal_path((130.29, 42.25), (131.89, 43.10))  # Rajin -> Vladivostok
    >>> path[0].tolist(), path[-1].tolist(), 3 <= len(path) < 40
    ([130.29, 42.25], [131.89, 43.1], True)
    """
    o, d = (float(o[0]), float(o[1])), (float(d[0]), float(d[1]))
    if o > d:  # one path for both ways (searched once): A -> B is B -> A reversed
        back = _one_way(d, o)
        return None if back is None else back[::-1].copy()
    path = _one_way(o, d)
    return None if path is None else path.copy()


@lru_cache(maxsize=512)
def _one_way(o: tuple[float, float], d: tuple[float, float]) -> np.ndarray | None:
    """Search the path at sea from ``o`` to ``d`` (cached: the shipped land never changes)."""
    grid = _grid(o, d)
    if grid is None:
        return None
    start, end = _port_cell(grid, o), _port_cell(grid, d)
    if start is None or end is None:
        return None
    cells = _shortest(grid, start, end)
    if cells is None:
        return None
    xy = np.vstack([o, grid["xy"][cells], d])
    return _pulled_tight(xy, grid["land"], o, d, grid["step"])


def _grid(o: tuple[float, float], d: tuple[float, float]) -> dict[str, Any] | None:
    """Rasterise the sea of the box around the leg (with a margin to go round a cape)."""
    import shapely

    from geoflows._land import _clip, _rings_near

    west, east = min(o[0], d[0]), max(o[0], d[0])
    south, north = min(o[1], d[1]), max(o[1], d[1])
    margin = max(0.5, 0.4 * max(east - west, north - south))
    box = (west - margin, south - margin, east + margin, north + margin)
    area = (box[2] - box[0]) * (box[3] - box[1])
    step = max(CELL_DEG, float(np.sqrt(area / MAX_CELLS)))
    if step > MAX_CELL_DEG:
        return None
    polys = _clip(_rings_near(box), box)
    polys = shapely.make_valid(polys[~shapely.is_empty(polys)]) if len(polys) else polys
    land = shapely.union_all(polys) if len(polys) else None
    lon = np.arange(box[0] + step / 2, box[2], step)
    lat = np.arange(box[1] + step / 2, box[3], step)
    gx, gy = np.meshgrid(lon, lat)
    if land is None or land.is_empty:
        sea = np.ones(gx.shape, dtype=bool)
        land = shapely.GeometryCollection()
    else:
        shapely.prepare(land)
        sea = _farther_than(land, gx, gy, step / 2)
    return {"lon": lon, "lat": lat, "sea": sea, "land": land, "step": step,
            "xy": np.column_stack([gx.ravel(), gy.ravel()])}  # fmt: skip


def _farther_than(land: Any, gx: np.ndarray, gy: np.ndarray, r: float) -> np.ndarray:
    """Tell which points lie farther than ``r`` from ``land``: ``~shapely.dwithin``, exactly.

    GEOS measures each point's distance to the whole land (every vertex of a 1:10m coast:
    28 s for the 250,000 cells between London and Venice); here a point inside is found by
    ``contains_xy`` and one outside is near when a coast *segment* lies within ``r``, found
    through an STRtree of the segments (0.4 s, the same cells).
    """
    import shapely

    inside = shapely.contains_xy(land, gx, gy)
    parts = shapely.get_parts(land)
    kind = shapely.get_type_id(parts)
    polygon = np.isin(kind, (3, 6))
    linework = np.concatenate(
        [shapely.get_parts(shapely.boundary(parts[polygon])), parts[~polygon & (kind != 0)]]
    )
    coords, which = shapely.get_coordinates(linework, return_index=True)
    same = which[1:] == which[:-1]
    segments = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    outside = ~inside
    points = shapely.points(gx[outside], gy[outside])
    near = np.zeros(len(points), dtype=bool)
    near[shapely.STRtree(segments).query(points, predicate="dwithin", distance=r)[0]] = True
    if (kind == 0).any():  # a point of land (make_valid may leave one)
        near |= shapely.dwithin(shapely.union_all(parts[kind == 0]), points, r)
    far = np.zeros(gx.shape, dtype=bool)
    far[outside] = ~near
    return far


def _port_cell(grid: dict[str, Any], p: tuple[float, float]) -> int | None:
    """Find the sea cell nearest a port (flat index), or None beyond :data:`PORT_SNAP_KM`."""
    sea = np.flatnonzero(grid["sea"].ravel())
    if sea.size == 0:
        return None
    xy = grid["xy"][sea]
    km = distance_km(np.full(sea.size, p[0]), np.full(sea.size, p[1]), xy[:, 0], xy[:, 1])
    best = int(np.argmin(km))
    return int(sea[best]) if km[best] <= PORT_SNAP_KM else None


def _shortest(grid: dict[str, Any], start: int, end: int) -> np.ndarray | None:
    """Cells of the shortest 8-neighbour path between two sea cells (Dijkstra), or None."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    sea = grid["sea"]
    rows, cols = sea.shape
    ids = np.arange(rows * cols).reshape(rows, cols)
    coslat = np.cos(np.radians(grid["lat"]))[:, None] * np.ones((1, cols))
    src, dst, cost = [], [], []
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        a = (slice(0, rows - dr), slice(max(0, -dc), cols - max(0, dc)))
        b = (slice(dr, rows), slice(max(0, dc), cols - max(0, -dc)))
        both = sea[a] & sea[b]
        step = np.hypot(dc * coslat[a], dr)[both] * grid["step"] * 111.2
        src.append(ids[a][both])
        dst.append(ids[b][both])
        cost.append(step)
    src, dst, cost = np.concatenate(src), np.concatenate(dst), np.concatenate(cost)
    n = rows * cols
    graph = coo_matrix((np.r_[cost, cost], (np.r_[src, dst], np.r_[dst, src])), shape=(n, n))
    dist, pred = dijkstra(graph.tocsr(), indices=start, return_predecessors=True)
    if not np.isfinite(dist[end]):
        return None
    path = [end]
    while path[-1] != start:
        path.append(int(pred[path[-1]]))
    return np.array(path[::-1])


def _pulled_tight(
    xy: np.ndarray, land: Any, o: tuple[float, float], d: tuple[float, float], step: float
) -> np.ndarray:
    """Keep the vertices needed to stay off land: each joins the farthest one it can see."""
    import shapely

    near_ports = shapely.union_all(shapely.buffer(shapely.points([o, d]), PORT_CELLS * step))
    obstacle = shapely.difference(land, near_ports)
    shapely.prepare(obstacle)
    keep, i = [0], 0
    while i < len(xy) - 1:
        later = np.arange(i + 1, len(xy))
        segments = shapely.linestrings(
            np.stack([np.repeat(xy[i][None, :], later.size, axis=0), xy[later]], axis=1)
        )
        clear = ~shapely.intersects(obstacle, segments)
        clear[0] = True  # neighbouring cells always join (both at sea)
        i = int(later[np.flatnonzero(clear)[-1]])
        keep.append(i)
    out = xy[keep]
    out[0], out[-1] = o, d
    return out
