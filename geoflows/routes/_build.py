"""``build_routes``: pick a builder per flow, route leg by leg through waypoints, report fallbacks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from geoflows.errors import RouteFallbackWarning, warn
from geoflows.routes._geometry import (
    _check_coords,
    _wrap_near,
    arc,
    distance_km,
    geodesic,
    line_lengths_km,
    straight,
    unwrap_lon,
)
from geoflows.routes._network import network_legs

ROUTE_KINDS = ("auto", "geodesic", "straight", "arc", "sea", "rail")
MODES = ("sea", "rail", "road", "air", "unknown")
_VECTOR_BUILDERS = {"geodesic": geodesic, "straight": straight, "arc": arc}
_MAX_NAMED = 5


@dataclass
class Routes:
    """The geometry of n flows and how each was drawn.

    Attributes
    ----------
    geometry : numpy.ndarray
        Object array of shapely LineStrings (EPSG:4326, longitudes unwrapped: continuous
        across the antimeridian, so they may lie outside [-180, 180]; see
        :func:`split_antimeridian` for export).
    route_kind : numpy.ndarray
        The builder actually used per flow: 'geodesic', 'straight', 'arc', 'sea' or 'rail'.
    route_note : numpy.ndarray
        '' or why a fallback happened, per flow.
    length_km : numpy.ndarray
        Geodesic length along the drawn line, per flow.

    Examples
    --------
    >>> from geoflows.routes import build_routes
    >>> r = build_routes([131.87], [43.11], [37.62], [55.75])
    >>> len(r), r.route_kind.tolist(), round(float(r.length_km[0]))
    (1, ['geodesic'], 6434)
    """

    geometry: np.ndarray
    route_kind: np.ndarray
    route_note: np.ndarray
    length_km: np.ndarray

    def __len__(self) -> int:
        return int(self.geometry.shape[0])


def _label(ids, i: int) -> str:
    if ids is None:
        return f"#{i}"
    return repr(str(ids[i]))


def _warn_fallbacks(notes: np.ndarray, ids) -> None:
    bad = np.flatnonzero(notes != "")
    if bad.size == 0:
        return
    # One line per distinct reason, naming its flows: short enough for a build summary.
    by_reason: dict[str, list[int]] = {}
    for i in bad:
        by_reason.setdefault(str(notes[i]), []).append(int(i))
    parts = []
    for reason, idx in by_reason.items():
        named = ", ".join(_label(ids, i) for i in idx[:_MAX_NAMED])
        more = f" and {len(idx) - _MAX_NAMED} more" if len(idx) > _MAX_NAMED else ""
        parts.append(f"{reason} ({named}{more})")
    warn(
        f"{bad.size} of {notes.size} flow(s) drawn another way than asked: " + "; ".join(parts),
        RouteFallbackWarning,
        reasons=tuple(by_reason),
        flows=tuple(_label(ids, i).strip("'") for i in bad),
    )


def _text_per_flow(values, n: int, name: str, allowed: Sequence[str], default: str) -> np.ndarray:
    if values is None or isinstance(values, str):
        arr = np.full(n, default if values is None else values, dtype=object)
    else:
        arr = np.asarray(list(values), dtype=object)
        if arr.shape != (n,):
            raise ValueError(
                f"`{name}` has {arr.size} values for {n} flows; give one per flow or a single value"
            )
    out = np.empty(n, dtype=object)
    for i, v in enumerate(arr):
        text = v.strip().lower() if isinstance(v, str) else ""  # None, NaN, pd.NA -> default
        text = text or default
        if text not in allowed:
            raise ValueError(
                f"`{name}` is {v!r} at index {i}; expected one of "
                f"{', '.join(repr(a) for a in allowed)}"
            )
        out[i] = text
    return out


def _resolve_kinds(route, mode, olon, olat, dlon, dlat, has_via) -> np.ndarray:
    n = olon.size
    kinds = _text_per_flow(route, n, "route", ROUTE_KINDS, "auto")
    modes = _text_per_flow(mode, n, "mode", MODES, "unknown")
    auto = kinds == "auto"
    kinds[auto & (modes == "sea")] = "sea"
    kinds[auto & (modes == "rail")] = "rail"
    kinds[kinds == "auto"] = "geodesic"
    # A->B and B->A drawn as geodesics would lie on top of each other: bow both to their right
    cand = np.flatnonzero(auto & (kinds == "geodesic") & ~has_via)
    if cand.size:
        k = np.round(np.column_stack([olon, olat, dlon, dlat])[cand], 5)
        k[:, 2] = np.round(_wrap_near(k[:, 2], k[:, 0]), 5)
        fwd = list(map(tuple, k.tolist()))
        back = [(c, d, a, b) for a, b, c, d in fwd]
        present = set(fwd)
        is_pair = np.fromiter(
            ((b in present) and (b != f) for f, b in zip(fwd, back, strict=True)),
            dtype=bool,
            count=cand.size,
        )
        kinds[cand[is_pair]] = "arc"
    return kinds


def _normalise_via(via, n: int) -> list[np.ndarray] | None:
    if via is None:
        return None
    via = list(via)
    if len(via) != n:
        raise ValueError(f"`via` has {len(via)} entries for {n} flows; give one (or None) per flow")
    out = []
    for i, w in enumerate(via):
        if w is None or (not isinstance(w, str) and len(w) == 0):
            out.append(np.empty((0, 2)))
            continue
        try:
            pts = np.asarray(w, dtype="float64").reshape(-1, 2)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"`via` at index {i} must be a list of (lon, lat) pairs; got {w!r}"
            ) from exc
        if not np.all(np.isfinite(pts)):
            raise ValueError(f"`via` at index {i} has a NaN or infinite coordinate: {w!r}")
        out.append(pts)
    return out


def _line_coords(coords: np.ndarray, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Copy a cached network path with its endpoints pinned to the exact inputs, unwrapped."""
    c = np.array(coords, dtype="float64")
    c[0], c[-1] = o, d
    c[:, 0] = unwrap_lon(c[:, 0])
    return c


def build_routes(
    olon,
    olat,
    dlon,
    dlat,
    *,
    via=None,
    mode=None,
    route="auto",
    ids=None,
    spacing_km: float = 50.0,
    arc_bend: float = 0.2,
) -> Routes:
    """Draw one line per flow with the builder its route kind or transport mode asks for.

    With ``route='auto'`` a flow by sea follows sea lanes, one by rail follows railways, and
    every other flow is a geodesic, except that two flows in opposite directions between the
    same two points become arcs bowed to their own right, so both stay visible. A route that
    cannot be found (inland port, no railway nearby, rail extra missing) falls back to a
    geodesic with a note; one :class:`~geoflows.errors.RouteFallbackWarning` names every such
    flow. No flow is ever dropped.

    Parameters
    ----------
    olon, olat, dlon, dlat : array-like of float
        Origin and destination longitudes and latitudes (degrees, EPSG:4326), one per flow.
    via : sequence, optional
        One entry per flow: None/empty, or a list of (lon, lat) waypoints passed in order;
        each leg is drawn with the flow's builder and the legs are joined into one line.
    mode : str or sequence of str, optional
        Transport mode per flow: 'sea', 'rail', 'road', 'air', 'unknown' (None or '' mean
        unknown). Used when the route kind is 'auto'.
    route : str or sequence of str, default 'auto'
        One of :data:`ROUTE_KINDS` for all flows, or one per flow.
    ids : sequence, optional
        Flow labels, used only to name flows in warnings (indices otherwise).
    spacing_km : float, default 50.0
        Vertex spacing of geodesic, straight and arc lines.
    arc_bend : float, default 0.2
        Bow of arcs as a fraction of their length.

    Returns
    -------
    Routes
        Geometry, route kind, note and length per flow, in input order.

    Raises
    ------
    ValueError
        If a coordinate is NaN (naming the index), or a mode/route value is unknown.

    See Also
    --------
    geodesic, arc, sea, rail, split_antimeridian

    Examples
    --------
    >>> from geoflows.routes import build_routes
    >>> r = build_routes([130.28, 131.87], [42.26, 43.11], [131.87, 130.28], [43.11, 42.26])
    >>> r.route_kind.tolist()          # Rajin -> Vladivostok and back: two arcs
    ['arc', 'arc']
    >>> r = build_routes([130.28], [42.26], [131.87], [43.11], mode=["sea"])
    >>> r.route_kind.tolist(), bool(r.length_km[0] > 150)
    (['sea'], True)
    """
    olon, olat, dlon, dlat = _check_coords(olon, olat, dlon, dlat)
    n = olon.size
    if ids is not None:
        ids = list(ids)  # positional, whatever index a pandas Series carries
    if ids is not None and len(ids) != n:
        raise ValueError(f"`ids` has {len(ids)} labels for {n} flows")
    vias = _normalise_via(via, n)
    has_via = (
        np.array([v.shape[0] > 0 for v in vias], dtype=bool)
        if vias is not None
        else np.zeros(n, dtype=bool)
    )
    kinds = _resolve_kinds(route, mode, olon, olat, dlon, dlat, has_via)

    # legs: a flow without waypoints is one leg; leg_flow maps legs back to flows
    if has_via.any():
        pts = [np.vstack([[olon[i], olat[i]], vias[i], [dlon[i], dlat[i]]]) for i in range(n)]
        n_legs = np.array([p.shape[0] - 1 for p in pts])
        starts = np.vstack([p[:-1] for p in pts])
        ends = np.vstack([p[1:] for p in pts])
        leg_flow = np.repeat(np.arange(n), n_legs)
        lo_lon, lo_lat, ld_lon, ld_lat = starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1]
    else:
        n_legs = np.ones(n, dtype="int64")
        leg_flow = np.arange(n)
        lo_lon, lo_lat, ld_lon, ld_lat = olon, olat, dlon, dlat
    leg_kind = kinds[leg_flow]
    leg_geom = np.empty(leg_flow.size, dtype=object)
    leg_note = np.full(leg_flow.size, "", dtype=object)

    for kind in ("sea", "rail"):
        idx = np.flatnonzero(leg_kind == kind)
        if idx.size == 0:
            continue
        degenerate = (lo_lon[idx] == ld_lon[idx]) & (lo_lat[idx] == ld_lat[idx])
        for j in idx[degenerate]:
            leg_geom[j] = shapely.LineString([(lo_lon[j], lo_lat[j])] * 2)
        idx = idx[~degenerate]
        coords, notes = network_legs(kind, lo_lon[idx], lo_lat[idx], ld_lon[idx], ld_lat[idx])
        found = [j for j, c in zip(idx, coords, strict=True) if c is not None]
        if found:
            lines = [
                _line_coords(c, (lo_lon[j], lo_lat[j]), (ld_lon[j], ld_lat[j]))
                for j, c in zip(idx, coords, strict=True)
                if c is not None
            ]
            sizes = np.array([c.shape[0] for c in lines])
            leg_geom[found] = shapely.linestrings(
                np.vstack(lines), indices=np.repeat(np.arange(len(lines)), sizes)
            )
        leg_note[idx] = notes
        failed = idx[np.array([c is None for c in coords], dtype=bool)]
        leg_kind[failed] = "geodesic"

    missing = np.fromiter((g is None for g in leg_geom), dtype=bool, count=leg_geom.size)
    for kind, builder in _VECTOR_BUILDERS.items():
        idx = np.flatnonzero((leg_kind == kind) & missing)
        if idx.size == 0:
            continue
        extra = {"arc_bend": arc_bend} if kind == "arc" else {}
        leg_geom[idx] = builder(
            lo_lon[idx], lo_lat[idx], ld_lon[idx], ld_lat[idx], spacing_km=spacing_km, **extra
        )

    notes = np.full(n, "", dtype=object)
    route_kind = kinds.copy()
    if not has_via.any():
        geometry = leg_geom
        notes[:] = leg_note
        route_kind[leg_note != ""] = "geodesic"
    else:
        geometry = np.empty(n, dtype=object)
        first = np.cumsum(n_legs) - n_legs
        for i in range(n):
            sl = slice(first[i], first[i] + n_legs[i])
            geometry[i] = _join_legs(leg_geom[sl])
            leg_notes = leg_note[sl]
            failed = np.flatnonzero(leg_notes != "")
            if failed.size == n_legs[i]:
                route_kind[i] = "geodesic"
                notes[i] = (
                    leg_notes[0]
                    if n_legs[i] == 1
                    else "; ".join(dict.fromkeys(f"{t}" for t in leg_notes))
                )
            elif failed.size:
                notes[i] = "; ".join(f"leg {k + 1} of {n_legs[i]}: {leg_notes[k]}" for k in failed)
    _warn_fallbacks(notes, ids)
    # A geodesic leg's length is its endpoints' geodesic distance (one Geod.inv per leg, not
    # one per vertex); other legs are measured along their vertices.
    leg_len = np.empty(leg_geom.size)
    geo = leg_kind == "geodesic"
    leg_len[geo] = distance_km(lo_lon[geo], lo_lat[geo], ld_lon[geo], ld_lat[geo])
    leg_len[~geo] = line_lengths_km(leg_geom[~geo])
    return Routes(
        geometry=geometry,
        route_kind=route_kind.astype(str),
        route_note=notes.astype(str),
        length_km=np.bincount(leg_flow, weights=leg_len, minlength=n),
    )


def _join_legs(legs: np.ndarray):
    """Join legs end to start into one continuous LineString (waypoints kept once)."""
    if legs.size == 1:
        return legs[0]
    parts = []
    prev_end = None
    for leg in legs:
        c = np.array(shapely.get_coordinates(leg))
        if prev_end is not None:
            c[:, 0] += 360.0 * np.round((prev_end - c[0, 0]) / 360.0)
            c = c[1:]
        parts.append(c)
        prev_end = c[-1, 0] if c.shape[0] else prev_end
    return shapely.LineString(np.vstack(parts))


def _network_routes(kind: str, olon, olat, dlon, dlat, via, ids, spacing_km) -> Routes:
    return build_routes(olon, olat, dlon, dlat, via=via, route=kind, ids=ids, spacing_km=spacing_km)


def sea(olon, olat, dlon, dlat, *, via=None, ids=None, spacing_km: float = 50.0) -> Routes:
    """Sea-lane routes (searoute, offline), with geodesic fallbacks noted.

    Each distinct (origin, destination) pair is routed once per process and cached. An
    endpoint more than :data:`SEA_SNAP_KM` (300 km) from the sea-lane network counts as inland:
    that flow is drawn as a geodesic, with a note and a RouteFallbackWarning.

    Parameters
    ----------
    olon, olat, dlon, dlat : array-like of float
        Origin and destination longitudes and latitudes (degrees, EPSG:4326), one per flow.
    via : sequence, optional
        Waypoints per flow, as in :func:`build_routes`.
    ids : sequence, optional
        Flow labels for warnings.
    spacing_km : float, default 50.0
        Vertex spacing of fallback geodesics.

    Returns
    -------
    Routes

    Examples
    --------
    >>> from geoflows.routes import sea
    >>> r = sea([130.28], [42.26], [131.87], [43.11])      # Rajin -> Vladivostok
    >>> r.route_kind.tolist(), r.geometry[0].coords[0]
    (['sea'], (130.28, 42.26))
    """
    return _network_routes("sea", olon, olat, dlon, dlat, via, ids, spacing_km)


def rail(olon, olat, dlon, dlat, *, via=None, ids=None, spacing_km: float = 50.0) -> Routes:
    """Railway routes (scgraph-data world railway network, the ``geoflows[rail]`` extra).

    The network is loaded once per process on first use (prepared once, then cached as data).
    Without the extra, or when an endpoint is more than :data:`RAIL_SNAP_KM` (100 km) from a
    railway, the flow is drawn as a geodesic with a note and a RouteFallbackWarning.

    Parameters
    ----------
    olon, olat, dlon, dlat : array-like of float
        Origin and destination longitudes and latitudes (degrees, EPSG:4326), one per flow.
    via : sequence, optional
        Waypoints per flow, as in :func:`build_routes`.
    ids : sequence, optional
        Flow labels for warnings.
    spacing_km : float, default 50.0
        Vertex spacing of fallback geodesics.

    Returns
    -------
    Routes

    Examples
    --------
    >>> import warnings
    >>> from geoflows.routes import rail
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     r = rail([131.87], [43.11], [135.08], [48.48])  # Vladivostok -> Khabarovsk
    >>> r.route_kind[0] in ("rail", "geodesic")           # 'geodesic' without the extra
    True
    """
    return _network_routes("rail", olon, olat, dlon, dlat, via, ids, spacing_km)
