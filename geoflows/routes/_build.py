"""``build_routes``: pick a builder per flow, route leg by leg through waypoints, report fallbacks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geoflows.errors import RouteFallbackWarning, warn
from geoflows.routes._geometry import (
    _check_coords,
    _wrap_near,
    arc,
    distance_km,
    endpoint_lines,
    geodesic,
    line_lengths_km,
    straight,
    unwrap_lon,
)
from geoflows.routes._network import network_legs
from geoflows.schema import MODES

ROUTE_KINDS = ("auto", "geodesic", "straight", "arc", "sea", "rail")
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


def _warn_fallbacks(notes: np.ndarray, ids, failed: np.ndarray) -> None:
    bad = np.flatnonzero(failed)
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
        arr = np.empty(n, dtype=object)
        given = list(values)
        if len(given) != n:
            raise ValueError(
                f"`{name}` has {len(given)} values for {n} flows; give one per flow or a single value"
            )
        arr[:] = given
    # each distinct value is checked once, in order of first appearance (so the error names
    # the first bad index)
    try:
        codes, _ = pd.factorize(arr, use_na_sentinel=False)
    except TypeError:  # unhashable values: each on its own
        codes = np.arange(n)
    first = np.unique(codes, return_index=True)[1]
    texts = np.empty(first.size, dtype=object)
    for j, i in enumerate(first.tolist()):
        v = arr[i]
        text = v.strip().lower() if isinstance(v, str) else ""  # None, NaN, pd.NA -> default
        text = text or default
        if text not in allowed:
            raise ValueError(
                f"`{name}` is {v!r} at index {i}; expected one of "
                f"{', '.join(repr(a) for a in allowed)}"
            )
        texts[j] = text
    return texts[codes] if n else np.empty(0, dtype=object)


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
        k += 0.0  # -0.0 and 0.0 are one key, as they are for tuples
        back = k[:, [2, 3, 0, 1]]
        present = pd.MultiIndex.from_arrays(list(k.T))
        is_pair = pd.MultiIndex.from_arrays(list(back.T)).isin(present)
        is_pair &= ~(back == k).all(axis=1)
        kinds[cand[is_pair]] = "arc"
    return kinds


def _normalise_via(via, n: int) -> dict[int, np.ndarray]:
    """Return the waypoints of each flow that has some, as ``{flow index: (k, 2) array}``."""
    if via is None:
        return {}
    via = list(via)
    if len(via) != n:
        raise ValueError(f"`via` has {len(via)} entries for {n} flows; give one (or None) per flow")
    out = {}
    for i, w in enumerate(via):
        if w is None or (not isinstance(w, str) and len(w) == 0):
            continue
        try:
            pts = np.asarray(w, dtype="float64").reshape(-1, 2)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"`via` at index {i} must be a list of (lon, lat) pairs; got {w!r}"
            ) from exc
        if not np.all(np.isfinite(pts)):
            raise ValueError(f"`via` at index {i} has a NaN or infinite coordinate: {w!r}")
        if pts.shape[0]:
            out[i] = pts
    return out


@dataclass
class _Legs:
    """The legs of n flows: a flow without waypoints is one leg, ``flow`` maps legs to flows."""

    flow: np.ndarray
    n_legs: np.ndarray
    olon: np.ndarray
    olat: np.ndarray
    dlon: np.ndarray
    dlat: np.ndarray
    kind: np.ndarray
    geom: np.ndarray
    note: np.ndarray

    @classmethod
    def of(cls, olon, olat, dlon, dlat, vias: dict[int, np.ndarray], kinds) -> _Legs:
        """Split flows at their waypoints (vectorised: the points of all flows in one array)."""
        n = olon.size
        n_legs = np.ones(n, dtype="int64")
        for i, pts in vias.items():
            n_legs[i] += pts.shape[0]
        first = np.cumsum(n_legs + 1) - (n_legs + 1)  # each flow's first point
        xy = np.empty((int(n_legs.sum()) + n, 2))
        xy[first] = np.column_stack([olon, olat])
        xy[first + n_legs] = np.column_stack([dlon, dlat])
        for i, pts in vias.items():
            xy[first[i] + 1 : first[i] + 1 + pts.shape[0]] = pts
        is_end = np.zeros(xy.shape[0], dtype=bool)
        is_end[first + n_legs] = True
        starts, ends = xy[~is_end], xy[np.r_[False, ~is_end[:-1]]]
        flow = np.repeat(np.arange(n), n_legs)
        m = flow.size
        return cls(
            flow, n_legs, starts[:, 0], starts[:, 1], ends[:, 0], ends[:, 1], kinds[flow],
            np.empty(m, dtype=object), np.full(m, "", dtype=object),
        )  # fmt: skip


def _line_coords(coords: np.ndarray, o: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Copy a cached network path with its endpoints pinned to the exact inputs, unwrapped."""
    c = np.array(coords, dtype="float64")
    c[0], c[-1] = o, d
    c[:, 0] = unwrap_lon(c[:, 0])
    return c


# Over 80 lines, one of the three issue 14 allows: its numpydoc (eleven parameters, three
# examples) is 67 of the 96; the body is two dozen lines of named steps.
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
    dense: bool = True,
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
    dense : bool, default True
        If False, a geodesic flow without waypoints gets a 2-point line (its endpoints, the
        destination's longitude unwrapped) instead of one vertex every ``spacing_km``: all a
        map needs, as the browser draws geodesics from their endpoints.
        :func:`densify_geodesics` turns such lines into the dense ones on demand.

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
    >>> r = build_routes([131.87], [43.11], [-149.90], [61.22], dense=False)
    >>> r.geometry[0].coords[:], round(float(r.length_km[0]))    # Vladivostok -> Anchorage
    ([(131.87, 43.11), (210.1, 61.22)], 5339)
    """
    olon, olat, dlon, dlat = _check_coords(olon, olat, dlon, dlat)
    n = olon.size
    if ids is not None:
        ids = list(ids)  # positional, whatever index a pandas Series carries
    if ids is not None and len(ids) != n:
        raise ValueError(f"`ids` has {len(ids)} labels for {n} flows")
    vias = _normalise_via(via, n)
    has_via = np.zeros(n, dtype=bool)
    has_via[list(vias)] = True
    kinds = _resolve_kinds(route, mode, olon, olat, dlon, dlat, has_via)
    legs = _Legs.of(olon, olat, dlon, dlat, vias, kinds)
    for kind in ("sea", "rail"):
        _route_network_legs(legs, kind)
    _draw_vector_legs(legs, spacing_km, arc_bend, endpoints_only=~has_via[legs.flow] & (not dense))
    geometry, route_kind, notes = _join_flows(legs, kinds)
    _warn_fallbacks(notes, ids, np.bincount(legs.flow, _failed(legs, kinds), minlength=n) > 0)
    return Routes(
        geometry=geometry,
        route_kind=route_kind.astype(str),
        route_note=notes.astype(str),
        length_km=_lengths_km(legs, n),
    )


def _route_network_legs(legs: _Legs, kind: str) -> None:
    """Route the legs of ``kind`` ('sea' or 'rail') on their network (each lane once), in place.

    A leg that cannot be routed keeps no geometry, gets a note and becomes 'geodesic'.
    """
    idx = np.flatnonzero(legs.kind == kind)
    if idx.size == 0:
        return
    degenerate = (legs.olon[idx] == legs.dlon[idx]) & (legs.olat[idx] == legs.dlat[idx])
    for j in idx[degenerate]:
        legs.geom[j] = shapely.LineString([(legs.olon[j], legs.olat[j])] * 2)
    idx = idx[~degenerate]
    o = np.column_stack([legs.olon[idx], legs.olat[idx]])
    d = np.column_stack([legs.dlon[idx], legs.dlat[idx]])
    coords, notes = network_legs(kind, o[:, 0], o[:, 1], d[:, 0], d[:, 1])
    found = np.array([c is not None for c in coords], dtype=bool)
    if found.any():
        lines = [_line_coords(c, o[k], d[k]) for k, c in enumerate(coords) if c is not None]
        sizes = np.array([c.shape[0] for c in lines])
        legs.geom[idx[found]] = shapely.linestrings(
            np.vstack(lines), indices=np.repeat(np.arange(len(lines)), sizes)
        )
    legs.note[idx] = notes
    legs.kind[idx[~found]] = "geodesic"


def _draw_vector_legs(
    legs: _Legs, spacing_km: float, arc_bend: float, endpoints_only: np.ndarray
) -> None:
    """Draw every leg still without geometry with its vectorised builder, in place.

    Geodesic legs marked ``endpoints_only`` get their two endpoints only (the destination's
    longitude unwrapped next to the origin's): :func:`densify_geodesics` rebuilds the same
    dense line when it is needed.
    """
    missing = np.fromiter((g is None for g in legs.geom), dtype=bool, count=legs.geom.size)
    for kind, builder in _VECTOR_BUILDERS.items():
        todo = (legs.kind == kind) & missing
        if kind == "geodesic":
            short = np.flatnonzero(todo & endpoints_only)
            legs.geom[short] = endpoint_lines(
                legs.olon[short], legs.olat[short], legs.dlon[short], legs.dlat[short]
            )
            todo &= ~endpoints_only
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            continue
        extra = {"arc_bend": arc_bend} if kind == "arc" else {}
        legs.geom[idx] = builder(
            legs.olon[idx], legs.olat[idx], legs.dlon[idx], legs.dlat[idx],
            spacing_km=spacing_km, **extra,
        )  # fmt: skip


def _failed(legs: _Legs, kinds: np.ndarray) -> np.ndarray:
    """Tell the legs that fell back (a network leg drawn geodesic) from those with a mere note.

    A note on a leg that kept its kind is information (a sea leg drawn along the coast), not
    a failure: the flow keeps its route kind and no warning is given.
    """
    return legs.kind != kinds[legs.flow]


def _join_flows(legs: _Legs, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One line, route kind and note per flow from its legs (a loop over waypoint flows only)."""
    first = np.cumsum(legs.n_legs) - legs.n_legs
    geometry = legs.geom[first]
    notes = legs.note[first].copy()
    route_kind = kinds.copy()
    failed = _failed(legs, kinds)
    route_kind[(legs.n_legs == 1) & failed[first]] = "geodesic"
    for i in np.flatnonzero(legs.n_legs > 1):
        k = int(legs.n_legs[i])
        sl = slice(first[i], first[i] + k)
        geometry[i] = _join_legs(legs.geom[sl])
        leg_notes = legs.note[sl]
        noted = np.flatnonzero(leg_notes != "")
        notes[i] = ""
        if failed[sl].all():
            route_kind[i] = "geodesic"
            notes[i] = "; ".join(dict.fromkeys(f"{t}" for t in leg_notes))
        elif noted.size:
            notes[i] = "; ".join(f"leg {j + 1} of {k}: {leg_notes[j]}" for j in noted)
    return geometry, route_kind, notes


def _lengths_km(legs: _Legs, n: int) -> np.ndarray:
    """Length of each flow: the sum of its legs' lengths.

    A geodesic leg's length is its endpoints' geodesic distance (one Geod.inv per leg, not one
    per vertex); other legs are measured along their vertices.
    """
    leg_len = np.empty(legs.geom.size)
    geo = legs.kind == "geodesic"
    leg_len[geo] = distance_km(legs.olon[geo], legs.olat[geo], legs.dlon[geo], legs.dlat[geo])
    leg_len[~geo] = line_lengths_km(legs.geom[~geo])
    return np.bincount(legs.flow, weights=leg_len, minlength=n)


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
