"""The payload: every flow of a map as one dict of arrays, and JSON text safe to embed."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import GeoflowsError
from geoflows.render._basemap import basemap as _basemap
from geoflows.style import (
    COLOR_FIELDS,
    CONFIDENCE_LEVELS,
    DASHES,
    category_colors,
    confidence_level,
    format_volume,
    is_event,
    widths_by_unit,
)

if TYPE_CHECKING:
    from geoflows.flows import FlowSet

#: Kept for compatibility: every map is now drawn on one canvas, whatever its size.
CANVAS_THRESHOLD = 0
#: Above this many flows a page keeps only the largest by volume (the legend says so).
MAX_FLOWS = 200_000
_CONF_ORDER = (*CONFIDENCE_LEVELS, "unknown")

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "{": "\\u007b",
    "}": "\\u007d",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_UNSAFE_RE = re.compile("[<>&{}\u2028\u2029]")


def safe_json(obj: Any) -> str:
    """JSON text safe to embed in a ``<script>`` and in any Jinja2 template.

    Inside strings, ``<``, ``>``, ``&``, ``{``, ``}``, U+2028 and U+2029 become ``\\uXXXX``
    escapes, so no data can close the script, open a tag, or form ``{{``/``{%`` for Jinja2.
    Output is deterministic (no sets; floats as Python prints them).

    Parameters
    ----------
    obj : JSON-serialisable object

    Returns
    -------
    str

    Examples
    --------
    >>> safe_json({"t": "</script>{{7*7}}"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u007b\\\\u007b7*7\\\\u007d\\\\u007d"}'
    """
    # Braces can be structural, so in strings they first become two noncharacters (which
    # never occur in real text; if they do, the slower regex path below is taken), then
    # every unsafe character is replaced in one C-level pass over the JSON text.
    try:
        marked = _mark_braces(obj)
    except _SentinelFound:
        marked = None
    if marked is not None:
        text = json.dumps(marked, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.translate(_TRANSLATE)
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def fix(match: re.Match[str]) -> str:
        s = match.group(0)
        return _UNSAFE_RE.sub(lambda m: _ESCAPES[m.group(0)], s) if _UNSAFE_RE.search(s) else s

    return _STRING_RE.sub(fix, text)


_OPEN, _CLOSE = "\ufdd0", "\ufdd1"
_BRACES = str.maketrans({"{": _OPEN, "}": _CLOSE})
_TRANSLATE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
        _OPEN: "\\u007b",
        _CLOSE: "\\u007d",
    }
)


class _SentinelFound(Exception):
    pass


class _Numbers(list):
    """A list of numbers (or None) only: safe_json passes it through without looking inside."""


def _mark_braces(obj: Any) -> Any:
    """Copy of ``obj`` with braces inside strings (values and keys) replaced by sentinels."""
    if isinstance(obj, str):
        if _OPEN in obj or _CLOSE in obj:
            raise _SentinelFound
        return obj.translate(_BRACES) if ("{" in obj or "}" in obj) else obj
    if isinstance(obj, _Numbers):
        return obj
    if isinstance(obj, dict):
        return {_mark_braces(k): _mark_braces(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and all(type(x) is str for x in obj):
            # A column of text: one C-level scan finds whether any item needs marking.
            joined = "\x1f".join(obj)
            if _OPEN in joined or _CLOSE in joined:
                raise _SentinelFound
            if "{" not in joined and "}" not in joined:
                return obj
            return [x.translate(_BRACES) for x in obj]
        if (
            obj
            and not isinstance(obj[0], (str, list, tuple, dict))
            and all(not isinstance(x, (str, list, tuple, dict)) for x in obj)
        ):
            return obj  # numbers, booleans, None: nothing to mark
        return [_mark_braces(x) for x in obj]
    return obj


def _text(values: Any) -> list[str]:
    """Text of each value, ``""`` for missing ones (vectorised)."""
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    arr = np.asarray(arr, dtype=object)
    missing = pd.isna(arr)
    if missing.any():
        arr = arr.copy()
        arr[missing] = ""
    return arr.astype(str).tolist()


def _column(values: list[str]) -> list[str] | dict[str, list[Any]]:
    """A text column as is, or dictionary-encoded (``{"k": keys, "i": codes}``) when its
    values repeat: categories, kinds, units and routes are few, and 100k copies are not."""
    codes, keys = pd.factorize(pd.Series(values, dtype=object), sort=False)
    if len(keys) == 1:
        return {"k": [str(keys[0])]}  # one value for every flow: no codes needed
    if len(keys) * 2 > len(values):
        return values
    return {"k": [str(k) for k in keys], "i": _Numbers(codes.tolist())}


def _decode(column: Any, n: int | None = None) -> list[Any]:
    if isinstance(column, dict):
        if "i" not in column:
            return column["k"] * (n if n is not None else 1)
        return [column["k"][i] for i in column["i"]]
    return list(column)


def payload_fields(payload: dict[str, Any]) -> dict[str, list[Any]]:
    """The popup fields of a payload as ``{name: texts}``, as the browser shows them.

    Stored columns are decoded; the fields the browser builds from other arrays (origin,
    destination, volume, start, end, length) are built here the same way.

    Examples
    --------
    >>> import geoflows as gf
    >>> p = build_payload(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                                    "kind": "shipment", "volume": 1200, "unit": "t"}]))
    >>> fields = payload_fields(p)
    >>> fields["kind"], fields["volume"], fields["destination"]
    (['shipment'], ['1,200 t'], ['Vladivostok (RU)'])
    """
    built = _built_fields(payload)
    n = payload["n"]
    return {
        name: built[name] if col is None else _decode(col, n) for name, col in payload["fields"]
    }


def _place_names(p: dict[str, Any]) -> list[str]:
    """Place names, coordinate-only places written as ``"lat, lon"`` (as the browser does)."""
    places, digits = p["places"], p["precision"]

    def text(q: int) -> str:
        x = q / 10.0**digits
        return f"{x if x != 0 else 0.0:.{digits}f}".rstrip("0").rstrip(".")

    return [
        name or f"{text(lat)}, {text(lon)}"
        for name, lat, lon in zip(places["name"], places["lat"], places["lon"], strict=True)
    ]


def _built_fields(p: dict[str, Any]) -> dict[str, list[str]]:
    p = expand(p)
    n = p["n"]
    country = _decode(p["places"]["country"], len(p["places"]["name"]))
    names = _place_names(p)

    def place(end: int, index: list[int]) -> list[str]:
        out = []
        for given, k in zip(_decode(p["given"][end], n), index, strict=True):
            name, c = names[k], country[k]
            if not given:
                out.append(f"{name} ({c})" if c else name)
            else:
                out.append(f"{given} ({name}, {c})" if c else f"{given} ({name})")
        return out

    def nan(x: list[float]) -> np.ndarray:
        a = np.asarray(x, dtype=float)
        return np.where(a < 0, np.nan, a)

    vol, low, high = nan(p["vol"]), nan(p["low"]), nan(p["high"])
    units = [p["units"][u] for u in p["unit"]]

    def day(values: list[int | None]) -> list[str]:
        return ["" if d is None else str(np.datetime64(d, "D")) for d in values]

    return {
        "origin": place(0, p["o"]),
        "destination": place(1, p["d"]),
        "volume": [
            format_volume(v, lo, hi, u) for v, lo, hi, u in zip(vol, low, high, units, strict=True)
        ],
        "start": day(p["t0"]),
        "end": day(p["t1"]),
        "length": [f"{x:,} km" if x >= 0 else "" for x in p["length"]],
    }


def _days(series: pd.Series) -> Any:
    """Dates as days since 1970-01-01 (None when missing); ``{"c": None}`` when none is given."""
    if len(series) > 1 and series.isna().all():
        return {"c": None}
    days = pd.Series(series.to_numpy(dtype="datetime64[D]").astype("int64"), dtype=object)
    return _Numbers(days.where(series.notna().to_numpy(), None).tolist())


def _numbers(x: np.ndarray, digits: int | None = None) -> Any:
    """Finite numbers as they are (rounded), missing ones as -1 (volumes are never negative).

    An array with one value throughout is sent as ``{"c": value}`` (the browser expands it).
    """
    x = np.where(np.isfinite(x), x, -1.0)
    if digits is not None:
        x = np.round(x, digits)
    whole = bool(np.all(x == np.round(x)) and np.all(np.abs(x) < 2**53))
    if len(x) > 1 and np.all(x == x[0]):
        return {"c": int(x[0]) if whole else float(x[0])}
    if whole:
        return _Numbers(x.astype(np.int64).tolist())
    return _Numbers(x.tolist())


def _ints(x: np.ndarray) -> Any:
    """Integer codes, or ``{"c": value}`` when every flow has the same one."""
    if len(x) > 1 and np.all(x == x[0]):
        return {"c": int(x[0])}
    return _Numbers(np.asarray(x, dtype=np.int64).tolist())


def expand(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with every constant column (``{"c": value}``) written out per flow.

    Examples
    --------
    >>> expand({"n": 3, "halo": {"c": 0}, "width": [1, 2, 3]})["halo"]
    [0, 0, 0]
    """
    out = dict(payload)
    for key, value in payload.items():
        if isinstance(value, dict) and set(value) == {"c"}:
            out[key] = [value["c"]] * payload["n"]
    return out


def _delta_coords(geoms: np.ndarray, precision: int) -> tuple[list[int], list[int]]:
    """Vertices of lines as delta-encoded integers and the offsets of each line.

    The payload stores ``round(value * 10**precision)`` as differences from the previous
    vertex (lon and lat interleaved): neighbouring vertices are close, so most numbers have
    three or four digits instead of ten.
    """
    import shapely

    coords, index = shapely.get_coordinates(geoms, return_index=True)
    counts = np.bincount(index, minlength=len(geoms))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    q = np.round(coords * 10**precision).astype(np.int64)
    delta = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return _Numbers(delta.ravel().tolist()), _Numbers(offsets.tolist())


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
        "name": first["name"].tolist(),
        "lat": _Numbers(first["lat"].tolist()),
        "lon": _Numbers(first["lon"].tolist()),
        "country": _column(first["country"].tolist()),
    }
    for key, column in (("near", "near"), ("former", "former_name")):
        if f"origin_{column}" in g.columns:  # the gazetteer's notes (Place.near, .former_name)
            both = _text(g[f"origin_{column}"]) + _text(g[f"destination_{column}"])
            table[key] = _column(np.asarray(both, dtype=object)[keep].tolist())
    return table, codes.reshape(2, n) if n else np.zeros((2, 0), dtype=np.int64)


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
        return route, {"offsets": _Numbers([0]), "coords": _Numbers([])}
    wkb = shapely.to_wkb(geoms[shipped], output_dimension=2)
    codes, uniques = pd.factorize(pd.Series(wkb, dtype=object), sort=False)
    route[shipped] = codes
    lanes = shapely.from_wkb(np.asarray(uniques, dtype=object))
    if simplify > 0:
        # only the few distinct lanes: no simplification pass over every flow
        lanes = shapely.simplify(lanes, simplify)
    coords, offsets = _delta_coords(lanes, precision)
    return route, {"offsets": offsets, "coords": coords}


def _corridor_offsets(
    o: np.ndarray,
    d: np.ndarray,
    widths: np.ndarray,
    kinds: np.ndarray,
    vias: np.ndarray,
    gap: float = 1.5,
) -> np.ndarray:
    """Pixel offsets that keep flows sharing a corridor side by side instead of on top.

    Flows with the same two ends (either direction), waypoints and route kind share a
    corridor. Each is drawn shifted to its own right by the widths of the flows listed before
    it in the same direction, so A→B and B→A sit on either side of the lane and several claims
    about one movement stack up visibly. A flow alone in its corridor is not shifted.
    """
    n = len(widths)
    if n == 0:
        return np.zeros(0)
    forward = o <= d
    via = pd.Series(vias, dtype=object)
    has_via = (via != "").to_numpy() & ~forward
    if has_via.any():  # the same waypoints listed the other way round
        via[has_via] = [";".join(reversed(v.split(";"))) for v in via[has_via]]
    frame = pd.DataFrame(
        {
            "a": np.minimum(o, d),
            "b": np.maximum(o, d),
            "k": kinds,
            "v": via.to_numpy(),
            "f": forward,
            "w": widths + gap,
        }
    )
    size = frame.groupby(["a", "b", "k", "v"], sort=False)["w"].transform("size").to_numpy()
    used = frame.groupby(["a", "b", "k", "v", "f"], sort=False)["w"].cumsum().to_numpy()
    out = gap / 2 + used - (widths + gap) + widths / 2
    return np.where(size > 1, out, 0.0)


def decode_coords(payload: dict[str, Any]) -> np.ndarray:
    """The (lon, lat) vertices of a payload's shipped lanes, decoded from delta integers.

    Examples
    --------
    >>> import geoflows as gf
    >>> p = build_payload(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                                    "mode": "sea"}]))
    >>> xy = decode_coords(p)
    >>> xy.shape[1], round(float(xy[0, 0]), 2)
    (2, 130.3)
    """
    delta = np.asarray(payload["lanes"]["coords"], dtype=np.int64).reshape(-1, 2)
    return np.cumsum(delta, axis=0) / 10 ** payload["precision"]


def flow_lines(flows: FlowSet, max_flows: int = MAX_FLOWS) -> tuple[list[np.ndarray], np.ndarray]:
    """The (lon, lat) vertices of every drawn flow, in payload order, and each line's middle.

    For static figures, which draw the lines the browser rebuilds from the payload.

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

    from geoflows.schema import best_volume

    g = flows._gdf
    g = g[g.geometry.notna().to_numpy() & ~g.geometry.is_empty.to_numpy()].reset_index(drop=True)
    best = best_volume(*(g[c].to_numpy(float) for c in ("volume", "volume_low", "volume_high")))
    geoms = g.geometry.to_numpy()[_limit(g, best, max_flows)]
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    cuts = np.cumsum(np.bincount(index, minlength=len(geoms)))[:-1]
    mid = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    ahead = shapely.line_interpolate_point(geoms, 0.52, normalized=True)
    mids = np.column_stack([shapely.get_coordinates(mid), shapely.get_coordinates(ahead)])
    return np.split(coords, cuts) if len(geoms) else [], mids.reshape(-1, 4)


def _claims(
    g: pd.DataFrame, ends: np.ndarray, units: np.ndarray, route: np.ndarray, order_key: np.ndarray
) -> tuple[np.ndarray, list[list[int]]]:
    """Records that are claims about one movement, and each group's members, best first.

    One movement: the same origin, destination, unit, category and route, with overlapping
    dates (an
    undated record overlaps nothing), or the same non-empty ``group``. Members are listed
    most confident first (``order_key`` ascending); the first one shown is drawn.
    """
    n = len(g)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    unit_code = pd.factorize(units)[0]
    lane = pd.factorize(
        pd.Series(ends[0]).astype(str)
        + "|"
        + pd.Series(ends[1]).astype(str)
        + "|"
        + pd.Series(unit_code).astype(str)
        + "|"
        + pd.Series(route).astype(str)
        # what moves: 122 mm and 152 mm shells on one ship are two movements, not two claims
        + "|"
        + pd.Series(_text(g["category"])).astype(str)
    )[0]
    start = g["start"].to_numpy("datetime64[D]").astype("float64")
    end = g["end"].to_numpy("datetime64[D]").astype("float64")
    start[g["start"].isna().to_numpy()] = np.nan
    end[g["end"].isna().to_numpy()] = np.nan
    start = np.where(np.isnan(start), end, start)
    end = np.where(np.isnan(end), start, end)
    frame = pd.DataFrame({"lane": lane, "s": start, "e": end, "i": np.arange(n)})
    frame = frame.sort_values(["lane", "s"], kind="stable")
    reach = frame.groupby("lane", sort=False)["e"].cummax()
    before = reach.groupby(frame["lane"], sort=False).shift()
    dated = frame["s"].notna() & before.notna()
    new = ~(dated & (frame["s"] <= before))
    interval = np.empty(n, dtype=np.int64)
    interval[frame["i"].to_numpy()] = np.cumsum(new.to_numpy())
    key = pd.Series(interval.astype(str), dtype=object)
    if "group" in g.columns:
        named = np.asarray(_text(g["group"]), dtype=object)
        has = named != ""
        key[has] = "group:" + pd.Series(named[has]).astype(str).to_numpy()
    codes = pd.factorize(key)[0]
    size = np.bincount(codes)
    claim = np.where(size[codes] > 1, codes, -1)
    members: dict[int, list[int]] = {}
    for i in np.lexsort((order_key, claim)):  # grouped, best claim first
        if claim[i] >= 0:
            members.setdefault(int(claim[i]), []).append(int(i))
    groups = list(members.values())
    if not groups:
        return np.full(n, -1, dtype=np.int64), []
    renumber = np.full(int(claim.max()) + 1, -1, dtype=np.int64)
    for k, (c, _) in enumerate(members.items()):
        renumber[c] = k
    return np.where(claim >= 0, renumber[np.maximum(claim, 0)], -1), groups


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
    vol: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    units: np.ndarray,
    width_domain: Any,
    events: np.ndarray,
    **scale: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Any], np.ndarray]:
    """Line widths, band widths at the high and at the low claim (0 when no range), legends,
    and which flows have a range.

    Events (a visit, a strike: :func:`geoflows.style.is_event`) are drawn at one fixed width,
    off their unit's scale and legend.
    """
    from geoflows.schema import best_volume

    best = best_volume(vol, low, high)
    n = len(vol)
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
    """1 where only a lower bound is known ("more than"), 2 where only an upper ("up to")."""
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
    """The place text as the user gave it, where it differs from the resolved name."""
    given = np.asarray(_text(g[end]), dtype=object)
    name = np.asarray(_text(g[f"{end}_name"]), dtype=object)
    same = (given == name) | (np.asarray(_text(g[f"{end}_kind"]), dtype=object) == "coordinates")
    return _column(np.where(same, "", given).tolist())


def _sources(values: pd.Series) -> dict[str, Any]:
    from geoflows.schema import split_list

    codes, uniques = pd.factorize(values.astype(object).where(values.notna(), ""), sort=False)
    return {"k": [split_list(u) for u in uniques], "i": _Numbers(codes.tolist())}


def _legend(
    legends: list[Any],
    unknown: np.ndarray,
    has_range: np.ndarray,
    color_by: str,
    conf: np.ndarray,
    event_units: list[str],
) -> dict[str, Any]:
    used = np.bincount(conf, minlength=len(_CONF_ORDER)) > 0 if len(conf) else []
    return {
        "widths": [
            {
                "unit": lg.unit or "no unit",
                "scale": lg.scale,
                "samples": [
                    [format_volume(v, unit=lg.unit), round(w, 2), _short_number(v)]
                    for v, w in zip(lg.values, lg.widths, strict=True)
                ],
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
    """The box covering two ``[[south, west], [north, east]]`` boxes (either may be None)."""
    if a is None or b is None:
        return a if b is None else b
    return [
        [min(a[0][0], b[0][0]), min(a[0][1], b[0][1])],
        [max(a[1][0], b[1][0]), max(a[1][1], b[1][1])],
    ]


def _bounds(geoms: np.ndarray) -> list[list[float]] | None:
    import shapely

    if not len(geoms):
        return None
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    return [
        [round(float(ymin), 4), round(float(xmin), 4)],
        [round(float(ymax), 4), round(float(xmax), 4)],
    ]


def _focus(focus: Any, places: dict[str, Any], precision: int) -> Any:
    """The initial view for ``focus=`` (place names of this map, or a bbox), or None."""
    if focus is None:
        return None
    from geoflows.render._focus import resolve_focus

    lat = np.asarray(places["lat"], dtype=float) / 10**precision
    lon = np.asarray(places["lon"], dtype=float) / 10**precision
    return resolve_focus(focus, places["name"], lat, lon)


def build_payload(
    flows: FlowSet,
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
    time_window_days: int = 30,
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
    """The data the browser draws: one dict of arrays for all flows (see :func:`flow_map`).

    Places are listed once (``places``) and flows refer to them by index (``o``, ``d``).
    Geodesic flows carry no vertices (the browser rebuilds them from their ends); other routes
    refer to a shared lane in ``lanes`` (``route``, ``-1`` for a geodesic). Above
    ``max_flows`` flows only the largest by volume are kept, and the legend says so.

    Examples
    --------
    >>> import geoflows as gf
    >>> p = build_payload(gf.read_flows("data/dprk_russia_2023_2024.csv"))
    >>> p = expand(p)  # columns with one value throughout are sent once, as {"c": value}
    >>> p["n"] == len(p["width"]) == len(p["o"]) == len(p["route"])
    True
    """
    if color_by not in COLOR_FIELDS:
        raise GeoflowsError(f"color_by must be one of {', '.join(COLOR_FIELDS)}; got {color_by!r}")
    if claims not in ("merge", "separate"):
        raise GeoflowsError(f"claims must be 'merge' or 'separate'; got {claims!r}")
    g = flows._gdf
    drawn = g.geometry.notna().to_numpy() & ~g.geometry.is_empty.to_numpy()
    g = g[drawn].reset_index(drop=True)
    total = len(g)
    from geoflows.schema import best_volume

    best_all = best_volume(
        g["volume"].to_numpy(float),
        g["volume_low"].to_numpy(float),
        g["volume_high"].to_numpy(float),
    )
    g = g.iloc[_limit(g, best_all, max_flows)].reset_index(drop=True)
    n = len(g)
    geoms = g.geometry.to_numpy()
    places, ends = _places_table(g, precision)
    route, lanes = _lanes(
        geoms, np.asarray(_text(g["route_kind"]), dtype=object), precision, simplify
    )

    vol, low, high = (g[c].to_numpy(float) for c in ("volume", "volume_low", "volume_high"))
    units = np.asarray(_text(g["unit"]), dtype=object)
    events = is_event(_text(g["kind"]), units)
    width, halo, core, legends, has_range = _widths(
        vol,
        low,
        high,
        units,
        width_domain,
        events,
        scale=scale,
        min_width=min_width,
        max_width=max_width,
    )
    unknown = ~np.isfinite(best_volume(vol, low, high)) & ~events
    conf = _confidence_codes(g["confidence"])
    color_values = (
        _text(g[color_by]) if color_by != "confidence" else [_CONF_ORDER[c] for c in conf]
    )
    colors = category_colors(list(dict.fromkeys(color_values)), palette)
    color_keys = list(colors)
    unit_keys = sorted(set(units.tolist()))
    claim, groups = (
        _claims(
            g, ends, units, route, conf * 1e16 - np.nan_to_num(best_volume(vol, low, high), nan=-1)
        )
        if claims == "merge"
        else (np.full(n, -1, dtype=np.int64), [])
    )
    # a merged movement takes one place in its corridor: as wide as its widest claim
    lead = np.ones(n, dtype=bool)
    band = np.maximum(width, halo)
    for members in groups:
        lead[members[1:]] = False
        band[members[0]] = band[members].max()
    offset = np.zeros(n)
    offset[lead] = _corridor_offsets(
        ends[0][lead],
        ends[1][lead],
        band[lead],
        np.asarray(_text(g["route_kind"]), dtype=object)[lead],
        np.asarray(_text(g["via_coords"]), dtype=object)[lead],
    )
    for members in groups:
        offset[members] = offset[members[0]]
    if markers and len(places["name"]) > marker_limit:
        markers = False  # beyond marker_limit places, markers hide the flows
    if not markers:  # place notes are for place tooltips: not sent for thousands of places
        places.pop("near", None)
        places.pop("former", None)
    day_at = None
    if at is not None:
        day_at = int(pd.Timestamp(at).to_datetime64().astype("datetime64[D]").astype("int64"))
    t0, t1 = _days(g["start"]), _days(g["end"])
    days = pd.concat([g["start"], g["end"]]).dropna()
    dated = (
        []
        if days.empty
        else [
            int(np.datetime64(days.min(), "D").astype("int64")),
            int(np.datetime64(days.max(), "D").astype("int64")),
        ]
    )
    bounds, view = _bounds(geoms), _focus(focus, places, precision)
    return {
        "v": 2,
        "title": title,
        "n": n,
        "total": total,
        "precision": int(precision),
        "places": places,
        "o": _ints(ends[0]),
        "d": _ints(ends[1]),
        "route": _ints(route),
        "lanes": lanes,
        "width": _numbers(width, 2),
        "halo": _numbers(halo, 2),
        "core": _numbers(core, 2),
        "open": _ints(_open_ends(vol, low, high)),
        "offset": _numbers(offset, 2),
        "vol": _numbers(vol),
        "low": _numbers(low),
        "high": _numbers(high),
        "unknown": _ints(unknown.astype(int)),
        "unknownWidth": 1.0,
        "unknownDash": "4 5",
        "color": _ints(pd.Index(color_keys).get_indexer(color_values)),
        "colors": [colors[k] for k in color_keys],
        "colorKeys": color_keys,
        "conf": _ints(conf),
        "confLevels": list(_CONF_ORDER),
        "dashes": [DASHES[c] for c in _CONF_ORDER],
        "unit": _ints(pd.Index(unit_keys).get_indexer(units)),
        "units": unit_keys,
        "claim": _ints(claim),
        "claims": groups,
        "arrows": bool(arrows),
        "arrowLimit": int(arrow_limit),
        "markers": bool(markers),
        "labels": bool(labels),
        "t0": t0,
        "t1": t1,
        "dayMin": min(dated) if dated else None,
        "dayMax": max(dated) if dated else None,
        "window": int(time_window_days),
        "slider": bool(time_slider),
        "at": day_at,
        "label": _column(_text(g["label"])),
        "given": [_given(g, "origin"), _given(g, "destination")],
        "length": _numbers(np.round(g["length_km"].to_numpy(float))),
        "fields": _popup_fields(g),
        "sources": _sources(g["source"]),
        "legend": _legend(
            legends,
            unknown,
            has_range,
            color_by,
            conf,
            sorted(
                {
                    u or k
                    for u, k in zip(
                        units[events], np.asarray(_text(g["kind"]))[events], strict=True
                    )
                }
            ),
        ),
        "event": _ints(events.astype(int)),
        "bounds": bounds,
        "focus": view,
        "filterOpen": bool(filter_open),
        # Clipped to what the map shows (the flows and the focus), at its resolution.
        "basemap": _basemap(basemap, _union(bounds, view)),
    }


def _short_number(x: float) -> str:
    """1,200,000 → '1.2M' (legend samples, where the unit is written once per row)."""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"
