"""Vectorised line builders: geodesic, straight (rhumb in Web Mercator), arc; lon unwrapping.

Every builder takes four float arrays of length n and returns an object array of n shapely
LineStrings in EPSG:4326 with *unwrapped* longitudes: consecutive vertices never differ by more
than 180 degrees, so a line crossing the antimeridian runs e.g. 131.9 -> 210.1.
"""

from __future__ import annotations

import numpy as np
import pyproj
import shapely

_GEOD = pyproj.Geod(ellps="WGS84")
# Web Mercator (the map's projection) only matters for its y axis: x is linear in longitude,
# which lets unwrapped longitudes (outside [-180, 180]) pass through untouched.
_TO_MERC = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_FROM_MERC = pyproj.Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
_MERC_MAX_LAT = 89.5


def _as_float_array(values, name: str, n: int | None = None) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(values, dtype="float64"))
    if arr.ndim != 1:
        raise ValueError(f"`{name}` must be one-dimensional; got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(
            f"`{name}` has {arr.shape[0]} values but `olon` has {n}; give one per flow"
        )
    return arr


def _check_coords(olon, olat, dlon, dlat):
    """Return the four coordinates as equal-length float arrays; raise on NaN or out of range."""
    olon = _as_float_array(olon, "olon")
    n = olon.shape[0]
    arrays = [olon] + [
        _as_float_array(v, k, n) for v, k in ((olat, "olat"), (dlon, "dlon"), (dlat, "dlat"))
    ]
    for name, arr in zip(("olon", "olat", "dlon", "dlat"), arrays, strict=True):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise ValueError(
                f"`{name}` is not a finite number at index {int(bad[0])} "
                f"({bad.size} such value(s) in all); every flow needs both endpoints resolved"
            )
    for name, arr in (("olat", arrays[1]), ("dlat", arrays[3])):
        bad = np.flatnonzero(np.abs(arr) > 90)
        if bad.size:
            raise ValueError(
                f"`{name}` is {arr[bad[0]]} at index {int(bad[0])}; latitudes must be within "
                "[-90, 90] (were longitude and latitude swapped?)"
            )
    return tuple(arrays)


def _wrap_near(lon: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Shift ``lon`` by multiples of 360 so it is within 180 degrees of ``ref``."""
    # add whole turns rather than re-deriving lon from ref, so an unshifted value stays bit-exact
    return lon + 360.0 * np.round((ref - lon) / 360.0)


def _unwrap_runs(lon: np.ndarray, line_index: np.ndarray) -> np.ndarray:
    """Unwrap longitudes within each run of equal ``line_index``; each run keeps its first value."""
    if lon.size < 2:
        return lon.copy()
    step = np.diff(lon)
    fix = -360.0 * np.round(step / 360.0)
    fix[line_index[1:] != line_index[:-1]] = 0.0
    shift = np.concatenate([[0.0], np.cumsum(fix)])
    # cumulative fixes must restart at each line's first vertex
    starts = np.flatnonzero(np.r_[True, line_index[1:] != line_index[:-1]])
    run_len = np.diff(np.r_[starts, lon.size])
    shift -= np.repeat(shift[starts], run_len)
    return lon + shift


def unwrap_lon(lon) -> np.ndarray:
    """Make a sequence of longitudes continuous (no step larger than 180 degrees).

    The first value is kept; each later value is shifted by a multiple of 360 so that it is
    within 180 degrees of the previous one.

    Parameters
    ----------
    lon : array-like of float
        Longitudes in degrees, in drawing order.

    Returns
    -------
    numpy.ndarray
        Continuous longitudes, possibly outside [-180, 180].

    Examples
    --------
    >>> from geoflows.routes import unwrap_lon
    >>> unwrap_lon([170.0, 179.0, -179.0, -170.0]).tolist()
    [170.0, 179.0, 181.0, 190.0]
    """
    arr = np.asarray(lon, dtype="float64")
    if arr.size < 2:
        return arr.copy()
    return np.unwrap(arr, period=360.0)


def _point_counts(dist_m: np.ndarray, spacing_km: float) -> np.ndarray:
    if not spacing_km > 0:
        raise ValueError(
            f"`spacing_km` must be a positive number of kilometres; got {spacing_km!r}"
        )
    return np.maximum(2, np.ceil(dist_m / (spacing_km * 1000.0)).astype("int64") + 1)


def _fractions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line index and position in [0, 1] of every vertex, for lines of ``counts`` vertices."""
    line_index = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    pos = np.arange(line_index.size) - np.repeat(starts, counts)
    return line_index, pos / np.repeat(counts - 1, counts)


def _lines(lon: np.ndarray, lat: np.ndarray, line_index: np.ndarray, n: int) -> np.ndarray:
    coords = np.column_stack([lon, lat])
    out = np.empty(n, dtype=object)
    out[:] = shapely.linestrings(coords, indices=line_index)
    return out


def geodesic(olon, olat, dlon, dlat, *, spacing_km: float = 50.0) -> np.ndarray:
    """Great-circle (WGS84 geodesic) lines, densified by distance, longitudes unwrapped.

    One vertex every ``spacing_km`` along the line (at least 2 vertices), so a long flow is
    smooth and a short one stays light. All flows are computed together with ``pyproj.Geod``
    and ``shapely.linestrings``: no per-flow Python loop.

    Parameters
    ----------
    olon, olat, dlon, dlat : array-like of float
        Origin and destination longitudes and latitudes (degrees, EPSG:4326), one per flow.
    spacing_km : float, default 50.0
        Largest distance between consecutive vertices.

    Returns
    -------
    numpy.ndarray
        Object array of shapely LineStrings, one per flow.

    Raises
    ------
    ValueError
        If a coordinate is NaN or infinite (the message names the index), or a latitude is
        outside [-90, 90].

    See Also
    --------
    straight, arc, build_routes

    Examples
    --------
    >>> from geoflows.routes import geodesic
    >>> line = geodesic([131.87], [43.11], [-149.90], [61.22])[0]
    >>> line.coords[0], line.coords[-1]
    ((131.87, 43.11), (210.1, 61.22))
    """
    olon, olat, dlon, dlat = _check_coords(olon, olat, dlon, dlat)
    n = olon.size
    if n == 0:
        return np.empty(0, dtype=object)
    az, _, dist = _GEOD.inv(olon, olat, dlon, dlat)
    counts = _point_counts(dist, spacing_km)
    line_index, frac = _fractions(counts)
    lon, lat, _ = _GEOD.fwd(
        olon[line_index], olat[line_index], az[line_index], dist[line_index] * frac
    )
    first = np.cumsum(counts) - counts
    last = first + counts - 1
    # pin the endpoints to the inputs exactly (fwd is accurate to ~1e-9 degrees)
    lon[first], lat[first] = olon, olat
    lon[last], lat[last] = dlon, dlat
    lon = _unwrap_runs(lon, line_index)
    return _lines(lon, lat, line_index, n)


def endpoint_lines(olon, olat, dlon, dlat) -> np.ndarray:
    """Two-point lines from origin to destination, the destination's longitude unwrapped.

    The first and last vertex of the :func:`geodesic` line between the same points, and
    nothing between: what a map needs to draw a geodesic (the browser rebuilds it), at a
    fraction of the cost. :func:`densify_geodesics` turns them into the dense lines.

    Parameters
    ----------
    olon, olat, dlon, dlat : array-like of float
        Origin and destination longitudes and latitudes (degrees, EPSG:4326), one per flow.

    Returns
    -------
    numpy.ndarray
        Object array of 2-point shapely LineStrings, one per flow.

    Examples
    --------
    >>> from geoflows.routes import endpoint_lines
    >>> endpoint_lines([131.87], [43.11], [-149.90], [61.22])[0].coords[:]
    [(131.87, 43.11), (210.1, 61.22)]
    """
    olon, olat, dlon, dlat = _endpoints_unwrapped(olon, olat, dlon, dlat)
    coords = np.stack([np.column_stack([olon, olat]), np.column_stack([dlon, dlat])], axis=1)
    out = np.empty(olon.size, dtype=object)
    if olon.size:
        out[:] = shapely.linestrings(coords)
    return out


def densify_geodesics(geometry, route_kind, *, spacing_km: float = 50.0) -> np.ndarray:
    """Rebuild the dense geodesic of every 2-point 'geodesic' line that needs more vertices.

    Lines from :func:`endpoint_lines` (``build_routes(..., dense=False)``) become the lines
    :func:`geodesic` draws between the same endpoints, all in one vectorised call; every
    other line (other route kinds, lines with vertices, geodesics shorter than
    ``spacing_km``, None) is returned as it is.

    Parameters
    ----------
    geometry : array-like of shapely geometry or None
    route_kind : array-like of str
        The route kind of each line; only 'geodesic' lines are densified.
    spacing_km : float, default 50.0
        Largest distance between consecutive vertices, as in :func:`geodesic`.

    Returns
    -------
    numpy.ndarray
        Object array of the same length.

    Examples
    --------
    >>> from geoflows.routes import densify_geodesics, endpoint_lines
    >>> lines = endpoint_lines([131.87, 0.0], [43.11, 0.0], [-149.90, 0.1], [61.22, 0.0])
    >>> dense = densify_geodesics(lines, ["geodesic", "geodesic"])
    >>> [len(line.coords) for line in dense], dense[0].coords[-1]
    ([108, 2], (210.1, 61.22))
    """
    geoms = np.asarray(geometry, dtype=object)
    out = geoms.copy()
    kinds = np.asarray(route_kind, dtype=object)
    cand = np.flatnonzero(
        (kinds == "geodesic") & (shapely.get_num_coordinates(geoms) == 2)
        & (shapely.get_type_id(geoms) == 1)
    )  # fmt: skip
    if cand.size == 0:
        return out
    xy = shapely.get_coordinates(geoms[cand]).reshape(-1, 4)
    _, _, dist = _GEOD.inv(xy[:, 0], xy[:, 1], xy[:, 2], xy[:, 3])
    long_ = _point_counts(dist, spacing_km) > 2
    idx = cand[long_]
    if idx.size:
        out[idx] = geodesic(*xy[long_].T, spacing_km=spacing_km)
    return out


def _merc_y(lat: np.ndarray) -> np.ndarray:
    lat = np.clip(lat, -_MERC_MAX_LAT, _MERC_MAX_LAT)
    return _TO_MERC.transform(np.zeros_like(lat), lat)[1]


def _merc_lat(y: np.ndarray) -> np.ndarray:
    return _FROM_MERC.transform(np.zeros_like(y), y)[1]


def _deg_to_merc_x(lon: np.ndarray) -> np.ndarray:
    return np.radians(lon) * 6378137.0


def _endpoints_unwrapped(olon, olat, dlon, dlat):
    olon, olat, dlon, dlat = _check_coords(olon, olat, dlon, dlat)
    return olon, olat, _wrap_near(dlon, olon), dlat


def straight(olon, olat, dlon, dlat, *, spacing_km: float = 50.0) -> np.ndarray:
    """Lines straight on the map: rhumb lines, straight in Web Mercator (EPSG:3857).

    The line takes the shorter way round in longitude (so it may cross the antimeridian, with
    longitudes unwrapped) and is densified by the geodesic distance between its endpoints.

    Parameters
    ----------
    olon, olat, dlon, dlat : array-like of float
        Origin and destination longitudes and latitudes (degrees, EPSG:4326), one per flow.
    spacing_km : float, default 50.0
        Approximate distance between consecutive vertices.

    Returns
    -------
    numpy.ndarray
        Object array of shapely LineStrings, one per flow.

    See Also
    --------
    geodesic, arc

    Examples
    --------
    >>> from geoflows.routes import straight
    >>> line = straight([170.0], [0.0], [-170.0], [0.0])[0]
    >>> [round(x, 6) for x, _ in line.coords][:: len(line.coords) - 1]
    [170.0, 190.0]
    """
    olon, olat, dlon, dlat = _endpoints_unwrapped(olon, olat, dlon, dlat)
    n = olon.size
    if n == 0:
        return np.empty(0, dtype=object)
    _, _, dist = _GEOD.inv(olon, olat, dlon, dlat)
    line_index, frac = _fractions(_point_counts(dist, spacing_km))
    oy, dy = _merc_y(olat), _merc_y(dlat)
    lon = olon[line_index] + (dlon - olon)[line_index] * frac
    y = oy[line_index] + (dy - oy)[line_index] * frac
    lat = _merc_lat(y)
    counts = np.bincount(line_index, minlength=n)
    first = np.cumsum(counts) - counts
    last = first + counts - 1
    lat[first], lat[last] = olat, dlat
    return _lines(lon, lat, line_index, n)


def arc(olon, olat, dlon, dlat, *, spacing_km: float = 50.0, arc_bend: float = 0.2) -> np.ndarray:
    """Curved lines bowed to the right of the direction of travel.

    A quadratic Bézier curve in Web Mercator (so it looks symmetric on the map) whose middle
    stands ``arc_bend`` × the straight length to the right of the straight line. A->B and B->A
    therefore bow to opposite sides and stay two visible lines.

    Parameters
    ----------
    olon, olat, dlon, dlat : array-like of float
        Origin and destination longitudes and latitudes (degrees, EPSG:4326), one per flow.
    spacing_km : float, default 50.0
        Approximate distance between consecutive vertices.
    arc_bend : float, default 0.2
        Offset of the curve's middle from the straight line, as a fraction of its length;
        negative values bow to the left.

    Returns
    -------
    numpy.ndarray
        Object array of shapely LineStrings, one per flow.

    See Also
    --------
    straight, build_routes

    Examples
    --------
    >>> from geoflows.routes import arc
    >>> east = arc([0.0], [0.0], [10.0], [0.0])[0]
    >>> west = arc([10.0], [0.0], [0.0], [0.0])[0]
    >>> mid = len(east.coords) // 2
    >>> east.coords[mid][1] < 0 < west.coords[mid][1]   # right of travel: south going east
    True
    """
    olon, olat, dlon, dlat = _endpoints_unwrapped(olon, olat, dlon, dlat)
    n = olon.size
    if n == 0:
        return np.empty(0, dtype=object)
    _, _, dist = _GEOD.inv(olon, olat, dlon, dlat)
    # the curve is longer than its chord: add a few vertices so spacing stays about right
    line_index, t = _fractions(_point_counts(dist * (1.0 + abs(arc_bend)), spacing_km))
    ox, oy = _deg_to_merc_x(olon), _merc_y(olat)
    dx, dy = _deg_to_merc_x(dlon), _merc_y(dlat)
    vx, vy = dx - ox, dy - oy
    # control point 2*bend*chord to the right of the midpoint puts the curve's middle at bend*chord
    cx = (ox + dx) / 2.0 + 2.0 * arc_bend * vy
    cy = (oy + dy) / 2.0 - 2.0 * arc_bend * vx
    a, b, c = (1.0 - t) ** 2, 2.0 * (1.0 - t) * t, t**2
    i = line_index
    x = a * ox[i] + b * cx[i] + c * dx[i]
    y = a * oy[i] + b * cy[i] + c * dy[i]
    lon = np.degrees(x / 6378137.0)
    lat = _merc_lat(y)
    counts = np.bincount(line_index, minlength=n)
    first = np.cumsum(counts) - counts
    last = first + counts - 1
    lon[first], lat[first] = olon, olat
    lon[last], lat[last] = dlon, dlat
    return _lines(lon, lat, line_index, n)


def line_lengths_km(geometry) -> np.ndarray:
    """Geodesic length (km) along each line's vertices, all lines in one ``Geod.inv`` call."""
    geometry = np.asarray(geometry, dtype=object)
    n = geometry.size
    if n == 0:
        return np.zeros(0)
    coords, index = shapely.get_coordinates(geometry, return_index=True)
    if coords.shape[0] < 2:
        return np.zeros(n)
    same = index[1:] == index[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    _, _, seg = _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.bincount(index[1:][same], weights=seg, minlength=n) / 1000.0


def distance_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Geodesic distance in km between paired points (vectorised)."""
    return (
        _GEOD.inv(
            np.asarray(lon1, float),
            np.asarray(lat1, float),
            np.asarray(lon2, float),
            np.asarray(lat2, float),
        )[2]
        / 1000.0
    )


def split_antimeridian(geometry) -> np.ndarray:
    """Wrap unwrapped lines back into [-180, 180], split where they cross the antimeridian.

    For export to formats that want longitudes in range (GeoJSON, RFC 7946 section 3.1.9): a
    line with any longitude outside [-180, 180] becomes a MultiLineString whose parts each lie
    in [-180, 180], cut exactly at ±180 (a line wholly outside is only shifted back). Lines in
    range are returned unchanged.

    Parameters
    ----------
    geometry : array-like of shapely LineString
        Lines as produced by the builders of this module (unwrapped longitudes).

    Returns
    -------
    numpy.ndarray
        Object array of the same length of LineStrings or MultiLineStrings.

    Examples
    --------
    >>> from geoflows.routes import geodesic, split_antimeridian
    >>> out = split_antimeridian(geodesic([131.87], [43.11], [-149.90], [61.22]))[0]
    >>> out.geom_type, len(out.geoms)
    ('MultiLineString', 2)
    >>> [round(p.coords[-1][0]) for p in out.geoms]
    [180, -150]
    """
    geoms = np.asarray(geometry, dtype=object)
    out = geoms.copy()
    if geoms.size == 0:
        return out
    bounds = shapely.bounds(geoms)
    needs = np.flatnonzero((bounds[:, 0] < -180.0) | (bounds[:, 2] > 180.0))
    for i in needs:
        out[i] = _split_one(np.asarray(shapely.get_coordinates(geoms[i])))
    return out


def join_antimeridian(geometry) -> np.ndarray:
    """Inverse of :func:`split_antimeridian`: one continuous LineString per flow.

    Parts of a MultiLineString are joined in order, the duplicate vertex at each ±180° cut is
    dropped, and longitudes are unwrapped so the line does not jump by 360°. Used when flows
    are read back from a GeoJSON/GeoPackage export.

    Parameters
    ----------
    geometry : array-like of shapely LineString or MultiLineString

    Returns
    -------
    numpy.ndarray
        Object array of LineStrings (None stays None).

    Examples
    --------
    >>> from geoflows.routes import geodesic, split_antimeridian, join_antimeridian
    >>> line = geodesic([131.87], [43.11], [-149.90], [61.22])
    >>> back = join_antimeridian(split_antimeridian(line))[0]
    >>> back.geom_type, round(back.coords[-1][0], 2)
    ('LineString', 210.1)
    """
    geoms = np.asarray(geometry, dtype=object)
    out = np.full(geoms.shape, None, dtype=object)
    present = np.flatnonzero([g is not None and not g.is_empty for g in geoms])
    if present.size == 0:
        return out
    coords, index = shapely.get_coordinates(geoms[present], return_index=True)
    lon = _unwrap_runs(coords[:, 0], index)
    xy = np.column_stack([lon, coords[:, 1]])
    keep = np.r_[
        True, (index[1:] != index[:-1]) | np.any(np.abs(np.diff(xy, axis=0)) > 1e-9, axis=1)
    ]
    xy, index = xy[keep], index[keep]
    counts = np.bincount(index, minlength=present.size)
    single = counts < 2
    if single.any():  # a degenerate line keeps two (equal) vertices
        rep = np.where(single[index], 2, 1)
        xy, index = np.repeat(xy, rep, axis=0), np.repeat(index, rep)
    out[present] = shapely.linestrings(xy, indices=index)
    return out


def _split_one(coords: np.ndarray):
    lon, lat = coords[:, 0], coords[:, 1]
    sheet = np.floor((lon + 180.0) / 360.0)
    # a vertex exactly on +180 belongs to the sheet it is reached from, not the next one
    on_edge = np.isclose((lon + 180.0) % 360.0, 0.0) & (lon > -180.0)
    for j in np.flatnonzero(on_edge):
        if j > 0 and lon[j - 1] < lon[j]:
            sheet[j] -= 1
    parts: list[list[tuple[float, float]]] = [[(lon[0], lat[0], sheet[0])]]
    for j in range(1, lon.size):
        s0, s1 = sheet[j - 1], sheet[j]
        step = 1.0 if s1 > s0 else -1.0
        s = s0
        while s != s1:
            edge = 360.0 * (s + (1.0 if step > 0 else 0.0)) - 180.0
            dlon = lon[j] - lon[j - 1]
            # A segment lying on the meridian itself has no single crossing point: cut at its end.
            f = (edge - lon[j - 1]) / dlon if dlon != 0 else 1.0
            y = lat[j - 1] + f * (lat[j] - lat[j - 1])
            parts[-1].append((edge, y, s))
            s += step
            parts.append([(edge, y, s)])
        parts[-1].append((lon[j], lat[j], s1))
    lines = []
    for part in parts:
        pts = np.array([(x - 360.0 * s, y) for x, y, s in part])
        pts = pts[np.r_[True, np.any(np.diff(pts, axis=0) != 0, axis=1)]]
        if pts.shape[0] >= 2:
            lines.append(shapely.LineString(pts))
    if len(lines) == 1:
        return lines[0]
    return shapely.MultiLineString(lines)
