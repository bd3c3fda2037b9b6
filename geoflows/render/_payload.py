"""The payload: every flow of a map as one dict of arrays, and JSON text safe to embed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from geoflows.errors import GeoflowsError
from geoflows.render._basemap import payload_basemap as _basemap
from geoflows.render._claims import CORRIDOR_GAP, _claims_and_offsets
from geoflows.render._encode import column as _column
from geoflows.render._encode import decode as _decode
from geoflows.render._encode import (  # noqa: F401 (re-exported)
    decode_coords,
    expand,
    ints,
    pack,
    payload_fields,
    safe_json,
    unpack,
)
from geoflows.render._encode import text as _text
from geoflows.render._frames import flow_frame
from geoflows.render._ramp import RAMP_MIN_FLOWS, ramp_levels
from geoflows.render._ramp import ramp as _ramp
from geoflows.schema import AT_FORMS, at_period
from geoflows.style import (
    COLOR_FIELDS,
    CONFIDENCE_LEVELS,
    category_colors,
    confidence_dashes,
    confidence_level,
    format_volume,
    is_event,
    widths_by_unit,
)

#: Kept for compatibility: every map is now drawn on one canvas, whatever its size.
CANVAS_THRESHOLD = 0
#: Above this many flows a page keeps only the largest by volume (the legend says so).
MAX_FLOWS = 200_000
_CONF_ORDER = (*CONFIDENCE_LEVELS, "unknown")


def _days(series: pd.Series) -> Any:
    """Dates as days since 1970-01-01 (None when missing); ``{"c": None}`` when none is given."""
    if len(series) > 1 and series.isna().all():
        return {"c": None}
    days = pd.Series(series.to_numpy(dtype="datetime64[D]").astype("int64"), dtype=object)
    return days.where(series.notna().to_numpy(), None).tolist()


def _numbers(x: np.ndarray, digits: int | None = None) -> Any:
    """Finite numbers as they are (rounded), missing ones as -1 (volumes are never negative).

    An array with one value throughout is sent as ``{"c": value}`` (the browser expands it).
    """
    x = np.where(np.isfinite(x), x, -1.0)
    if digits is not None:
        x = np.round(x, digits)
    if len(x) > 1 and np.all(x == x[0]):
        whole = bool(x[0] == np.round(x[0]) and abs(x[0]) < 2**53)
        return {"c": int(x[0]) if whole else float(x[0])}
    return pack(x)


def _ints(x: np.ndarray) -> Any:
    """Integer codes, or ``{"c": value}`` when every flow has the same one."""
    if len(x) > 1 and np.all(x == x[0]):
        return {"c": int(x[0])}
    return pack(np.asarray(x, dtype=np.int64))


def _places_table(g: pd.DataFrame, precision: int) -> tuple[dict[str, Any], np.ndarray]:
    """Each origin/destination once, and every flow's two ends as indices into the table."""
    n = len(g)
    scale = 10**precision
    name = np.asarray(_text(g["origin_name"]) + _text(g["destination_name"]), dtype=object)
    kind = np.asarray(_text(g["origin_kind"]) + _text(g["destination_kind"]), dtype=object)
    # a coordinate-only place has no name of its own (its "name" is its "lat, lon" text): the
    # browser writes its coordinates; a place the user named and located keeps its name
    as_text = pd.Series(name, dtype=object).str.fullmatch(r"-?\d+(\.\d+)?, -?\d+(\.\d+)?")
    name[(kind == "coordinates") & as_text.fillna(False).to_numpy(bool)] = ""
    lat = np.round(np.concatenate([g["origin_lat"], g["destination_lat"]]).astype(float) * scale)
    lon = np.round(np.concatenate([g["origin_lon"], g["destination_lon"]]).astype(float) * scale)
    name_code = pd.factorize(name, sort=False)[0]
    # one integer per (name, lat, lon): hashed once, places in order of first appearance
    where = pd.factorize(lat.astype(np.int64) * 3_600_001 + lon.astype(np.int64), sort=False)[0]
    codes, _ = pd.factorize(name_code.astype(np.int64) * (int(where.max(initial=0)) + 1) + where)
    keep = (
        np.flatnonzero(np.r_[True, np.diff(np.maximum.accumulate(codes)) > 0])
        if len(codes)
        else codes
    )
    country = np.asarray(_text(g["origin_country"]) + _text(g["destination_country"]), dtype=object)
    first = pd.DataFrame(
        {
            "name": name[keep],
            "lat": lat[keep].astype(np.int64),
            "lon": lon[keep].astype(np.int64),
            "country": country[keep],
        }
    )
    table = {
        "name": _column(first["name"].tolist()),
        "lat": pack(first["lat"].to_numpy()),
        "lon": pack(first["lon"].to_numpy()),
        "country": _column(first["country"].tolist()),
    }
    for key, column in (("near", "near"), ("former", "former_name")):
        if f"origin_{column}" in g.columns:  # the gazetteer's notes (Place.near, .former_name)
            both = _text(g[f"origin_{column}"]) + _text(g[f"destination_{column}"])
            table[key] = _column(np.asarray(both, dtype=object)[keep].tolist())
    return table, codes.reshape(2, n) if n else np.zeros((2, 0), dtype=np.int64)


def _waypoints(g: pd.DataFrame, places: dict[str, Any], precision: int) -> dict[str, Any] | None:
    """Each waypoint (``via``) once: its name as the data writes it, its point, its spellings.

    Waypoints are named on the map and found by the search box like the ends. A waypoint at
    the point of a place of the table is that place: its spellings join the place's
    (``placeAlso``), and it is not listed again. ``None`` when no flow has a named waypoint.
    """
    from geoflows.schema import split_list

    scale = 10**precision
    seen: dict[tuple[int, int], list[Any]] = {}  # point -> [spellings, flows through it]
    for i, (via, coords) in enumerate(zip(_text(g["via"]), _text(g["via_coords"]), strict=True)):
        names, points = split_list(via), [c for c in coords.split(";") if c]
        if not points or len(names) != len(points):
            continue  # waypoints given as coordinates only, or not resolved: nothing to name
        for name, point in zip(names, points, strict=True):
            lat, lon = (float(x) for x in point.split(","))
            key = (round(lat * scale), round(lon * scale))
            entry = seen.setdefault(key, [[], []])
            if name not in entry[0]:
                entry[0].append(name)
            if i not in entry[1]:
                entry[1].append(i)
    ends = {
        (int(a), int(b)): k
        for k, (a, b) in enumerate(zip(unpack(places["lat"]), unpack(places["lon"]), strict=True))
    }
    if not seen:
        return None
    own = [(key, v) for key, v in seen.items() if key not in ends]
    also = {ends[key]: v[0] for key, v in seen.items() if key in ends}
    return {
        "name": [v[0][0] for _, v in own],
        "also": [v[0][1:] for _, v in own],
        "lat": pack([key[0] for key, _ in own]),
        "lon": pack([key[1] for key, _ in own]),
        "of": [v[1] for _, v in own],
        "placeAlso": [[k, names] for k, names in sorted(also.items())],
    }


def _lanes(
    geoms: np.ndarray, route_kind: np.ndarray, precision: int, simplify: float
) -> tuple[np.ndarray, dict[str, Any]]:
    """Vertices of the routes the browser cannot rebuild, each distinct route once.

    Geodesics are rebuilt in the browser from their endpoints (route ``-1``); sea lanes, rail,
    waypoints, arcs and the user's own tracks ship their vertices, shared by every flow on the
    same lane.
    """
    import shapely

    route = np.full(len(geoms), -1, dtype=np.int64)
    shipped = route_kind != "geodesic"
    if not shipped.any():
        return route, {"offsets": pack([0]), "coords": pack([])}
    wkb = shapely.to_wkb(geoms[shipped], output_dimension=2)
    codes, uniques = pd.factorize(pd.Series(wkb, dtype=object), sort=False)
    route[shipped] = codes
    parts = _lane_vertices(list(uniques), precision, simplify)
    offsets = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
    return route, {"offsets": pack(offsets), "coords": pack(np.concatenate(parts).ravel())}


#: Simplified lane vertices (integers, as the payload stores them) by (WKB, precision,
#: tolerance): a lane depends only on its geometry, so a rebuilt map does not simplify again.
_LANE_CACHE: dict[tuple[bytes, int, float], np.ndarray] = {}
_LANE_CACHE_MAX = 4096


def _lane_vertices(wkbs: list[bytes], precision: int, simplify: float) -> list[np.ndarray]:
    """Give each lane's ``(k, 2)`` integer vertices, simplified; cached per geometry."""
    import shapely

    # this call's lanes are gathered locally first: the cache may be cleared below to admit the
    # new ones, and lanes found in it before then must still be returned (issue 29's KeyError)
    found: dict[bytes, np.ndarray] = {}
    missing = []
    for w in dict.fromkeys(wkbs):
        hit = _LANE_CACHE.get((w, precision, simplify))
        if hit is None:
            missing.append(w)
        else:
            found[w] = hit
    if missing:
        lanes = shapely.from_wkb(np.asarray(missing, dtype=object))
        if simplify > 0:
            # only the few distinct lanes: no simplification pass over every flow
            lanes = shapely.simplify(lanes, simplify, preserve_topology=False)
        coords, index = shapely.get_coordinates(lanes, return_index=True)
        q = np.round(coords * 10**precision).astype(np.int64)
        q.flags.writeable = False
        cuts = np.cumsum(np.bincount(index, minlength=len(missing)))[:-1]
        if len(_LANE_CACHE) + len(missing) > _LANE_CACHE_MAX:
            _LANE_CACHE.clear()
        for w, part in zip(missing, np.split(q, cuts), strict=True):
            found[w] = part
            if len(_LANE_CACHE) < _LANE_CACHE_MAX:
                _LANE_CACHE[(w, precision, simplify)] = part
    return [found[w] for w in wkbs]


def flow_lines(
    gdf: pd.DataFrame, max_flows: int = MAX_FLOWS
) -> tuple[list[np.ndarray], np.ndarray]:
    """Give the (lon, lat) vertices of every drawn flow, in payload order, and each middle.

    For static figures, which draw the lines the browser rebuilds from the payload.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The flows, as for :func:`build_payload` (a ``FlowSet`` is asked for its frame).
    max_flows : int
        As for :func:`build_payload`.

    Returns
    -------
    lines : list of numpy.ndarray
        One ``(k, 2)`` array per flow.
    mids : numpy.ndarray
        ``(n, 4)``: the middle of each line and a point just after it (arrow direction).

    Examples
    --------
    >>> import geoflows as gf
    >>> lines, mids = flow_lines(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]))
    >>> len(lines), mids.shape
    (1, (1, 4))
    """
    import shapely

    geoms = _rows_drawn(flow_frame(gdf), max_flows)[0].geometry.to_numpy()
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    cuts = np.cumsum(np.bincount(index, minlength=len(geoms)))[:-1]
    mid = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    ahead = shapely.line_interpolate_point(geoms, 0.52, normalized=True)
    mids = np.column_stack([shapely.get_coordinates(mid), shapely.get_coordinates(ahead)])
    return np.split(coords, cuts) if len(geoms) else [], mids.reshape(-1, 4)


def _limit(g: pd.DataFrame, best: np.ndarray, max_flows: int) -> np.ndarray:
    """Rows kept when there are more than ``max_flows``: the largest volumes, in input order."""
    if len(g) <= max_flows:
        return np.arange(len(g))
    key = np.where(np.isfinite(best), best, -np.inf)
    keep = np.argsort(-key, kind="stable")[:max_flows]
    return np.sort(keep)


def _confidence_codes(values: pd.Series) -> np.ndarray:
    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), sort=False)
    levels = np.array([_CONF_ORDER.index(confidence_level(u)) for u in uniques], dtype=np.int64)
    return levels[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def _widths(
    best: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    units: np.ndarray,
    width_domain: Any,
    events: np.ndarray,
    **scale: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any], np.ndarray]:
    """Compute line widths, band widths at the high and low claim, legends, and ranges.

    ``best`` is each flow's volume as drawn (:func:`geoflows.schema.best_volume`). Band widths
    are 0 for flows without a range.

    Events (a visit, a strike: :func:`geoflows.style.is_event`) are drawn at one fixed width,
    off their unit's scale and legend.
    """
    n = len(best)
    has_range = np.isfinite(low) & np.isfinite(high) & (low != high) & ~events
    # the scale spans every value drawn: each line, and both edges of each claim band
    all_w, legends = widths_by_unit(
        np.concatenate([best, np.where(has_range, high, np.nan), np.where(has_range, low, np.nan)]),
        np.concatenate([units, units, units]),
        domain=width_domain,
        events=np.concatenate([events, events, events]),
        **scale,
    )
    halo, core = (np.where(has_range, all_w[k * n : (k + 1) * n], 0.0) for k in (1, 2))
    return all_w[:n], halo, core, legends, has_range


def _open_ends(vol: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Mark 1 where only a lower bound is known ("more than"), 2 where only an upper ("up to")."""
    known = np.isfinite(vol)
    return np.where(
        ~known & np.isfinite(low) & ~np.isfinite(high),
        1,
        np.where(~known & ~np.isfinite(low) & np.isfinite(high), 2, 0),
    )


def _popup_fields(g: pd.DataFrame) -> list[list[Any]]:
    """Popup rows in order; ``None`` marks the rows the browser builds from other arrays."""
    from geoflows.schema import FLOW_FIELDS, RESOLVED_FIELDS

    route = pd.Series(_text(g["route_kind"]), dtype=object)
    note = pd.Series(_text(g["route_note"]), dtype=object)
    route = route.where(note == "", route + " (" + note + ")")
    fields: list[list[Any]] = [
        ["id", _column(_text(g["id"]))],
        ["origin", None],
        ["destination", None],
        ["via", _column(_text(g["via"]))],
        ["volume", None],
        ["unit", _column(_text(g["unit"]))],
        ["kind", _column(_text(g["kind"]))],
        ["category", _column(_text(g["category"]))],
        ["mode", _column(_text(g["mode"]))],
        ["start", None],
        ["end", None],
        ["confidence", _column(_text(g["confidence"]))],
        ["length", None],
        ["route", _column(route.tolist())],
        ["notes", _column(_text(g["notes"]))],
    ]
    extras = [
        c
        for c in g.columns
        if c not in FLOW_FIELDS and c not in RESOLVED_FIELDS and c not in ("geometry", "_row")
    ]
    if "group" in g.columns and any(_text(g["group"])):  # a contract field since issue 14
        extras.insert(0, "group")
    return fields + [[str(c), _column(_text(g[c]))] for c in extras]


def _given(g: pd.DataFrame, end: str) -> Any:
    """Give the place text as the user gave it, where it differs from the resolved name."""
    given = np.asarray(_text(g[end]), dtype=object)
    name = np.asarray(_text(g[f"{end}_name"]), dtype=object)
    same = (given == name) | (np.asarray(_text(g[f"{end}_kind"]), dtype=object) == "coordinates")
    return _column(np.where(same, "", given).tolist())


def _sources(values: pd.Series) -> dict[str, Any]:
    from geoflows.schema import split_list

    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), sort=False)
    if len(uniques) == 1:
        return {"k": [split_list(uniques[0])]}  # the same sources for every flow
    return {"k": [split_list(u) for u in uniques], "i": pack(codes)}


def _legend(
    legends: list[Any],
    unknown: np.ndarray,
    has_range: np.ndarray,
    color_by: str,
    conf: np.ndarray,
    event_units: list[str],
    ramped: dict[str, tuple[float, float]] | None = None,
) -> dict[str, Any]:
    used = np.bincount(conf, minlength=len(_CONF_ORDER)) > 0 if len(conf) else []
    return {
        "widths": [
            {
                "unit": lg.unit or "no unit",
                "scale": lg.scale,
                "samples": [
                    [format_volume(v, unit=lg.unit), round(w, 2), _short_number(v)]
                    # with the magnitude ramp, each sample's level (drawn in its colour)
                    + ([_sample_level(w, lg)] if ramped is not None else [])
                    for v, w in zip(lg.values, lg.widths, strict=True)
                ],
                # the ramp's real ends: the smallest and the largest volume of the unit
                **(
                    {"ramp": [_short_number(x) for x in ramped[lg.unit]]}
                    if ramped is not None and lg.unit in ramped
                    else {}
                ),
                # a fixed scale (width_domain, share_scale) is stated: maps can be compared
                "domain": None
                if lg.domain is None
                else [_short_number(lg.domain[0]), _short_number(lg.domain[1])],
            }
            for lg in legends
        ],
        "events": event_units,
        "unknown": bool(unknown.any()),
        "range": bool(has_range.any()),
        "colorTitle": color_by.capitalize(),
        "confUsed": [bool(u) for u in used] or [False] * len(_CONF_ORDER),
    }


def _union(a: Any, b: Any) -> Any:
    """Cover two ``[[south, west], [north, east]]`` boxes with one (either may be None)."""
    if a is None or b is None:
        return a if b is None else b
    return [
        [min(a[0][0], b[0][0]), min(a[0][1], b[0][1])],
        [max(a[1][0], b[1][0]), max(a[1][1], b[1][1])],
    ]


def _unit_vectors(lonlat: np.ndarray) -> np.ndarray:
    """Points on the unit sphere of ``(n, 2)`` longitudes and latitudes in degrees."""
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _geodesic_lat_range(geoms: np.ndarray) -> tuple[float, float] | None:
    """Give the lowest and highest latitude the great circles between the lines' ends reach.

    The browser draws a geodesic from its two ends, so a line such as Moscow → Yakutsk bulges
    poleward beyond both: the vertex of its great circle (the point nearest a pole) counts
    when it lies on the arc between the ends. ``None`` when no vertex does.
    """
    import shapely

    a = _unit_vectors(shapely.get_coordinates(shapely.get_point(geoms, 0)))
    b = _unit_vectors(shapely.get_coordinates(shapely.get_point(geoms, -1)))
    normal = np.cross(a, b)
    length = np.linalg.norm(normal, axis=1)
    ok = length > 1e-12  # not the same or opposite points
    normal = normal[ok] / length[ok, None]
    a, b = a[ok], b[ok]
    # the northern vertex: the pole's direction with its part along the normal removed
    vertex = np.array([0.0, 0.0, 1.0]) - normal[:, 2:3] * normal
    size = np.linalg.norm(vertex, axis=1)
    lats = []
    for v in (vertex, -vertex):  # northern and southern vertex
        on_arc = (np.einsum("ij,ij->i", np.cross(a, v), normal) > 0) & (
            np.einsum("ij,ij->i", np.cross(v, b), normal) > 0
        )
        on_arc &= size > 1e-12  # an equator has no vertex
        z = v[on_arc, 2] / size[on_arc]
        lats.append(np.degrees(np.arcsin(np.clip(z, -1.0, 1.0))))
    found = np.concatenate(lats)
    return (float(found.min()), float(found.max())) if len(found) else None


def _bounds(geoms: np.ndarray, kinds: np.ndarray | None = None) -> list[list[float]] | None:
    """Give ``[[south, west], [north, east]]`` of the lines, geodesics' true latitude included.

    ``kinds`` (the route kind of each line) marks the geodesics the browser draws from their
    ends: their great circle's vertex widens the latitude range (:func:`_geodesic_lat_range`).
    """
    import shapely

    if not len(geoms):
        return None
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    if kinds is not None and (kinds == "geodesic").any():
        extent = _geodesic_lat_range(geoms[kinds == "geodesic"])
        if extent is not None:
            ymin, ymax = min(ymin, extent[0]), max(ymax, extent[1])
    return [
        [round(float(ymin), 4), round(float(xmin), 4)],
        [round(float(ymax), 4), round(float(xmax), 4)],
    ]


def _focus(
    focus: Any, places: dict[str, Any], precision: int, g: pd.DataFrame, waypoints: Any = None
) -> Any:
    """Resolve the initial view for ``focus=`` (a bbox, or names of this map's places), or None.

    A place is found by the gazetteer's name or by any spelling the data gives it
    (``Москва``, ``Bandar Anzali``): the records' own ``origin`` and ``destination``, and the
    waypoints of ``via`` (``Khasan``).
    """
    if focus is None:
        return None
    from geoflows.render._focus import resolve_focus

    lat = np.asarray(unpack(places["lat"]), dtype=float) / 10**precision
    lon = np.asarray(unpack(places["lon"]), dtype=float) / 10**precision
    names = list(_decode(places["name"], len(lat)))
    lats, lons = [lat], [lon]
    for end in ("origin", "destination"):
        names += _text(g[end])
        # rounded as the places table is, so a place and its spellings are one point
        lats.append(np.round(g[f"{end}_lat"].to_numpy(dtype=float) * 10**precision) / 10**precision)
        lons.append(np.round(g[f"{end}_lon"].to_numpy(dtype=float) * 10**precision) / 10**precision)
    if waypoints:
        spellings = [
            [n, *also] for n, also in zip(waypoints["name"], waypoints["also"], strict=True)
        ]
        for k, (la, lo) in enumerate(
            zip(unpack(waypoints["lat"]), unpack(waypoints["lon"]), strict=True)
        ):
            names += spellings[k]
            lats.append(np.full(len(spellings[k]), la / 10**precision))
            lons.append(np.full(len(spellings[k]), lo / 10**precision))
    return resolve_focus(focus, names, np.concatenate(lats), np.concatenate(lons))


def _check_choices(color_by: str, claims: str) -> None:
    if color_by not in COLOR_FIELDS:
        raise GeoflowsError(f"color_by must be one of {', '.join(COLOR_FIELDS)}; got {color_by!r}")
    if claims not in ("merge", "separate"):
        raise GeoflowsError(f"claims must be 'merge' or 'separate'; got {claims!r}")


def _rows_drawn(gdf: pd.DataFrame, max_flows: int) -> tuple[pd.DataFrame, int]:
    """Keep the rows with a line to draw (the ``max_flows`` largest); count those with one."""
    import shapely

    from geoflows.schema import best_volume

    geoms = np.asarray(gdf.geometry.array)
    drawn = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    g = (gdf if drawn.all() else gdf[drawn]).reset_index(drop=True)
    best = best_volume(*(g[c].to_numpy(float) for c in ("volume", "volume_low", "volume_high")))
    keep = _limit(g, best, max_flows)
    return (g if len(keep) == len(g) else g.iloc[keep].reset_index(drop=True)), len(g)


def _styles(g: pd.DataFrame, color_by: str, palette: Any, width_domain: Any, **scale: Any) -> dict:
    """Compute widths, bands, colours, confidence and units of every flow, and their legends."""
    from geoflows.schema import best_volume

    vol, low, high = (g[c].to_numpy(float) for c in ("volume", "volume_low", "volume_high"))
    units = np.asarray(_text(g["unit"]), dtype=object)
    events = is_event(_text(g["kind"]), units)
    best = best_volume(vol, low, high)
    width, halo, core, legends, has_range = _widths(
        best, low, high, units, width_domain, events, **scale
    )
    conf = _confidence_codes(g["confidence"])
    color_values = (
        _text(g[color_by]) if color_by != "confidence" else [_CONF_ORDER[c] for c in conf]
    )
    colors = category_colors(list(dict.fromkeys(color_values)), palette)
    return {
        "vol": vol, "low": low, "high": high, "units": units, "events": events, "best": best,
        "width": width, "halo": halo, "core": core, "legends": legends, "has_range": has_range, "conf": conf,
        "unknown": ~np.isfinite(best) & ~events, "color_values": color_values, "colors": colors,
        "dashes": confidence_dashes(g["confidence"]),
    }  # fmt: skip


def _style_columns(s: dict, offset: np.ndarray, slot: np.ndarray) -> dict[str, Any]:
    """Write the drawing columns: widths, bands, offsets, volumes, colours, dashes, units."""
    color_keys = list(s["colors"])
    unit_keys = sorted(set(s["units"].tolist()))
    return {
        "width": _numbers(s["width"], 2),
        "halo": _numbers(s["halo"], 2),
        "core": _numbers(s["core"], 2),
        "open": _ints(_open_ends(s["vol"], s["low"], s["high"])),
        "offset": _numbers(offset, 2),
        # with the slot (flows before it in its corridor) the page narrows an offset with the
        # widths when zoomed out (widths.js)
        "slot": _ints(slot),
        "corridorGap": CORRIDOR_GAP,
        "vol": _numbers(s["vol"]),
        "low": _numbers(s["low"]),
        "high": _numbers(s["high"]),
        "unknown": _ints(s["unknown"].astype(int)),
        "unknownWidth": 1.0,
        "unknownDash": "4 5",
        "color": _ints(pd.Index(color_keys).get_indexer(s["color_values"])),
        "colors": [s["colors"][k] for k in color_keys],
        "colorKeys": color_keys,
        "conf": _ints(s["conf"]),
        "confLevels": list(_CONF_ORDER),
        "dashes": [s["dashes"][c] for c in _CONF_ORDER],
        "unit": _ints(pd.Index(unit_keys).get_indexer(s["units"])),
        "units": unit_keys,
    }


def _time_columns(g: pd.DataFrame, at: Any, window: int | None, slider: bool) -> dict[str, Any]:
    """Write start and end days of every flow, the span of all dates, the slider's settings.

    The slider stands at ``at``'s last day; a month or a year ``at`` makes the window (by
    default) all its days: a flow shows when it starts by the last day and ends on the first
    day or after.
    """
    day_at, at_days = None, None
    if at is not None:
        period = at_period(at)
        if period is None:
            raise GeoflowsError(f"at={at!r} is not {AT_FORMS}")
        first, last = (int(np.datetime64(d.date(), "D").astype("int64")) for d in period)
        day_at = last
        if window is None and last > first:
            window = last - first
        # first and last day, and 0 a day, 1 a month, 2 a year: the slider names the period
        at_days = [
            first,
            last,
            0 if first == last else 1 if period[0].month == period[1].month else 2,
        ]
    if window is None:
        window = 30
    days = pd.concat([g["start"], g["end"]]).dropna()
    span = (
        None
        if days.empty
        else [int(np.datetime64(d, "D").astype("int64")) for d in (days.min(), days.max())]
    )
    return {
        "t0": _days(g["start"]),
        "t1": _days(g["end"]),
        # how precise each date is (0 day, 1 month, 2 year): "Sep 2022" stays a month
        "p0": _ints(_precision_codes(g, "start")),
        "p1": _ints(_precision_codes(g, "end")),
        "dayMin": span[0] if span else None,
        "dayMax": span[1] if span else None,
        "window": int(window),
        "slider": bool(slider),
        "at": day_at,
        "atPeriod": at_days,
    }


def _precision_codes(g: pd.DataFrame, field: str) -> np.ndarray:
    """Codes of each date's precision (``DATE_PRECISIONS`` order; a day where none is given)."""
    from geoflows.schema import DATE_PRECISIONS

    column = f"{field}_precision"
    if column not in g.columns:  # aggregated flows, frames of older exports: days
        return np.zeros(len(g), dtype=np.int64)
    codes = pd.Index(DATE_PRECISIONS).get_indexer(pd.Series(_text(g[column]), dtype=object))
    return np.maximum(codes, 0).astype(np.int64)


def _text_columns(g: pd.DataFrame) -> dict[str, Any]:
    """Write labels, the place text as given, lengths, popup fields and sources."""
    return {
        "label": _column(_text(g["label"])),
        "given": [_given(g, "origin"), _given(g, "destination")],
        "length": _numbers(np.round(g["length_km"].to_numpy(float))),
        "fields": _popup_fields(g),
        "sources": _sources(g["source"]),
    }


def _legend_of(g: pd.DataFrame, s: dict, color_by: str, ramped: bool) -> dict[str, Any]:
    events = s["events"]
    kinds = np.asarray(_text(g["kind"]))[events]
    event_units = sorted({u or k for u, k in zip(s["units"][events], kinds, strict=True)})
    ends = _unit_ends(s) if ramped else None
    return _legend(
        s["legends"], s["unknown"], s["has_range"], color_by, s["conf"], event_units, ends
    )


def _unit_ends(s: dict) -> dict[str, tuple[float, float]]:
    """Give the smallest and largest volume drawn on a scale, per unit (the ramp's ends)."""
    on_scale = np.isfinite(s["best"]) & ~s["events"]
    best, units = s["best"][on_scale], s["units"][on_scale]
    return {
        u: (float(best[units == u].min()), float(best[units == u].max()))
        for u in sorted(set(units.tolist()))
    }


def _sample_level(width: float, lg: Any) -> int:
    """Give the ramp level of a legend sample drawn ``width`` wide on its unit's scale."""
    return int(ramp_levels(np.array([width]), lg.min_width, lg.max_width, np.array([True]))[0])


def _ramp_columns(s: dict, n: int, min_width: float, max_width: float) -> dict[str, Any]:
    """Write each flow's ramp level (``mag``) and the ramp, or ``None`` for a small map.

    A map of more than :data:`~geoflows.render._ramp.RAMP_MIN_FLOWS` flows is drawn with the
    magnitude ramp (:mod:`geoflows.render._ramp`); a smaller one in its plain colours.
    """
    if n <= RAMP_MIN_FLOWS:
        return {"mag": None, "ramp": None}
    level = ramp_levels(s["width"], min_width, max_width, ~s["unknown"] & ~s["events"])
    keys = list(s["colors"])
    return {"mag": _ints(level), "ramp": _ramp(keys, [s["colors"][k] for k in keys])}


# Over 80 lines, one of the three issue 14 allows: 24 are the map options' signature, and the
# returned dict lists every key the browser reads in one place (the contract with main.js).
def build_payload(
    gdf: pd.DataFrame,
    *,
    title: str | None = None,
    scale: str = "sqrt",
    min_width: float = 1.5,
    max_width: float = 14.0,
    width_domain: Any = None,
    color_by: str = "category",
    palette: Any = None,
    time_slider: bool = True,
    at: str | None = None,
    time_window_days: int | None = None,
    precision: int = 4,
    simplify: float = 0.005,
    arrows: bool = True,
    arrow_limit: int = 5000,
    markers: bool = True,
    marker_limit: int = 5000,
    max_flows: int = MAX_FLOWS,
    claims: str = "merge",
    labels: bool = True,
    focus: Any = None,
    filter_open: bool = False,
    basemap: str | None = None,
) -> dict[str, Any]:
    """Build the data the browser draws: one dict of arrays for all flows (see :func:`flow_map`).

    Places are listed once (``places``) and flows refer to them by index (``o``, ``d``).
    Geodesic flows carry no vertices (the browser rebuilds them from their ends); other routes
    refer to a shared lane in ``lanes`` (``route``, ``-1`` for a geodesic). Above
    ``max_flows`` flows only the largest by volume are kept, and the legend says so. Numeric
    columns are packed (:func:`geoflows.render._encode.pack`); :func:`expand` unpacks them.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The flows with their resolved places and lines, as
        ``FlowSet.to_geodataframe(split_antimeridian=False, dense=False)`` gives them (a
        ``FlowSet`` itself is asked for that frame).
        The keyword arguments are the map options of :func:`flow_map`.

    Returns
    -------
    dict

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
    >>> p = expand(build_payload(flows.to_geodataframe(split_antimeridian=False)))
    >>> p["n"] == len(p["width"]) == len(p["o"]) == len(p["route"])
    True
    """
    _check_choices(color_by, claims)
    g, total = _rows_drawn(flow_frame(gdf), max_flows)
    geoms = g.geometry.to_numpy()
    places, ends = _places_table(g, precision)
    kinds = np.asarray(_text(g["route_kind"]), dtype=object)
    route, lanes = _lanes(geoms, kinds, precision, simplify)
    s = _styles(
        g, color_by, palette, width_domain, scale=scale, min_width=min_width, max_width=max_width
    )
    claim, groups, part, offset, slot = _claims_and_offsets(g, ends, s, route, kinds, claims)
    ramp = _ramp_columns(s, len(g), min_width, max_width)
    waypoints = _waypoints(g, places, precision)
    bounds, view = _bounds(geoms, kinds), _focus(focus, places, precision, g, waypoints)
    # beyond marker_limit places, markers hide the flows
    markers = bool(markers) and _place_count(places) <= marker_limit
    if not markers:  # place notes are for place tooltips: not sent for thousands of places
        places.pop("near", None)
        places.pop("former", None)
    return {
        "v": 2,
        "title": title,
        "n": len(g),
        "total": total,
        "precision": int(precision),
        "places": places,
        "waypoints": waypoints,
        "o": _ints(ends[0]),
        "d": _ints(ends[1]),
        "route": _ints(route),
        "lanes": lanes,
        **_style_columns(s, offset, slot),
        **ramp,
        # zoomed out, the page draws the widths above min_width narrower (widths.js)
        "minWidth": float(min_width),
        "claim": _ints(claim),
        "claims": groups,
        # the line of its movement each claim is drawn on: one per pair of places named
        "claimPart": _ints(part),
        "arrows": bool(arrows),
        "arrowLimit": int(arrow_limit),
        "markers": markers,
        "labels": bool(labels),
        **_time_columns(g, at, time_window_days, time_slider),
        **_text_columns(g),
        "legend": _legend_of(g, s, color_by, ramp["ramp"] is not None),
        "event": _ints(s["events"].astype(int)),
        "bounds": bounds,
        "focus": view,
        "filterOpen": bool(filter_open),
        # Clipped to what the map shows (the flows and the focus), at its resolution.
        "basemap": _basemap(
            basemap, _union(bounds, view), _busiest_places(places, ends, waypoints, precision)
        )
        if basemap
        else None,
    }


def shared_basemap(
    payloads: list[dict[str, Any]], name: str = "countries"
) -> dict[str, Any] | None:
    """Give one basemap for several layers on one map, as :func:`build_payload` gives one.

    Clipped to what every layer shows (its flows and its focus), with the detail at the
    busiest places of each in turn (the first of each layer, then the second, ...), so every
    layer's ports sit on their coasts, not only the first layer's.

    Examples
    --------
    >>> import geoflows as gf
    >>> a = build_payload(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]))
    >>> b = build_payload(gf.read_flows([{"origin": "Tartus", "destination": "Novorossiysk"}]))
    >>> len(shared_basemap([a, b])["cuts"]) > len(shared_basemap([a])["cuts"])
    True
    """
    box, lists = None, []
    for P in payloads:
        box = _union(box, _union(P["bounds"], P["focus"]))
        ends = np.array([ints(P["o"], P["n"]), ints(P["d"], P["n"])], dtype=np.int64)
        lists.append(_busiest_places(P["places"], ends, P["waypoints"], P["precision"]))
    longest = max((len(x) for x in lists), default=0)
    turns = [x[k : k + 1] for k in range(longest) for x in lists if k < len(x)]
    return _basemap(name, box, np.concatenate(turns) if turns else None)


def _busiest_places(
    places: dict[str, Any], ends: np.ndarray, waypoints: dict[str, Any] | None, precision: int
) -> np.ndarray:
    """Every place and waypoint as (lon, lat), the most flows first (the basemap's detail)."""
    lat, lon = np.asarray(unpack(places["lat"]), float), np.asarray(unpack(places["lon"]), float)
    count = np.bincount(np.asarray(ends, dtype=np.int64).ravel(), minlength=len(lat))
    order = np.argsort(-count[: len(lat)], kind="stable")
    xy = np.column_stack([lon[order], lat[order]])
    if waypoints:
        w = np.column_stack(
            [
                np.asarray(unpack(waypoints["lon"]), float),
                np.asarray(unpack(waypoints["lat"]), float),
            ]
        )
        xy = np.concatenate([xy, w])
    return xy / 10.0**precision


def _place_count(places: dict[str, Any]) -> int:
    lat = places["lat"]
    return lat["n"] if isinstance(lat, dict) else len(lat)


def _short_number(x: float) -> str:
    """1,200,000 → '1.2M' (legend samples, where the unit is written once per row)."""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"
