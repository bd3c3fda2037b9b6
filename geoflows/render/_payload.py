"""The payload: every flow of a map as one dict of arrays, and JSON text safe to embed."""

from __future__ import annotations

import json
import math
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
    widths_by_unit,
)

if TYPE_CHECKING:
    from geoflows.flows import FlowSet

#: Above this many flows the browser draws on one canvas instead of one SVG path per flow.
CANVAS_THRESHOLD = 2000
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


def _mark_braces(obj: Any) -> Any:
    """Copy of ``obj`` with braces inside strings (values and keys) replaced by sentinels."""
    if isinstance(obj, str):
        if _OPEN in obj or _CLOSE in obj:
            raise _SentinelFound
        return obj.translate(_BRACES) if ("{" in obj or "}" in obj) else obj
    if isinstance(obj, dict):
        return {_mark_braces(k): _mark_braces(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if (
            obj
            and not isinstance(obj[0], (str, list, tuple, dict))
            and all(not isinstance(x, (str, list, tuple, dict)) for x in obj)
        ):
            return obj  # numbers, booleans, None: nothing to mark
        return [_mark_braces(x) for x in obj]
    return obj


def _text(values: Any) -> list[str]:
    return [
        "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT else str(v)
        for v in values
    ]


def _column(values: list[str]) -> list[str] | dict[str, list[Any]]:
    """A text column as is, or dictionary-encoded (``{"k": keys, "i": codes}``) when its
    values repeat: categories, kinds, units and routes are few, and 100k copies are not."""
    codes, keys = pd.factorize(pd.Series(values, dtype=object), sort=False)
    if len(keys) * 2 > len(values):
        return values
    return {"k": [str(k) for k in keys], "i": codes.tolist()}


def payload_fields(payload: dict[str, Any]) -> dict[str, list[Any]]:
    """The popup fields of a payload as ``{name: values}``, dictionary-encoded columns decoded.

    Examples
    --------
    >>> import geoflows as gf
    >>> p = build_payload(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                                    "kind": "shipment"}]))
    >>> payload_fields(p)["kind"]
    ['shipment']
    """
    out = {}
    for name, column in payload["fields"]:
        if isinstance(column, dict):
            column = [column["k"][i] for i in column["i"]]
        out[name] = column
    return out


def _date_text(series: pd.Series) -> list[str]:
    return [d.strftime("%Y-%m-%d") if not pd.isna(d) else "" for d in series]


def _day_numbers(series: pd.Series) -> list[int | None]:
    days = series.to_numpy(dtype="datetime64[D]").astype("int64")
    return [None if pd.isna(d) else int(x) for d, x in zip(series, days, strict=True)]


def _flat_coords(geoms: np.ndarray, precision: int) -> tuple[np.ndarray, list[int], list[int]]:
    """Vertices of all lines, rounded; and the same as delta-encoded integers for the payload.

    The payload stores ``round(value * 10**precision)`` as differences from the previous
    vertex (lon and lat interleaved): neighbouring vertices are close, so most numbers have
    three or four digits instead of ten, which roughly halves the page for large maps.
    """
    import shapely

    coords, index = shapely.get_coordinates(geoms, return_index=True)
    counts = np.bincount(index, minlength=len(geoms))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(int)
    q = np.round(coords * 10**precision).astype(np.int64)
    delta = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return q / 10**precision, delta.ravel().tolist(), offsets.tolist()


def _corridor_offsets(
    xy: np.ndarray,
    offsets: list[int],
    widths: np.ndarray,
    kinds: list[str],
    vias: list[str],
    gap: float = 1.5,
) -> np.ndarray:
    """Pixel offsets that keep flows sharing a corridor side by side instead of on top.

    Flows with the same two ends (either direction), waypoints and route kind share a
    corridor. Each is drawn shifted to its own right by the widths of the flows listed before
    it in the same direction, so A→B and B→A sit on either side of the lane and several claims
    about one movement stack up visibly. A flow alone in its corridor is not shifted.
    """
    n = len(widths)
    out = np.zeros(n)
    if n == 0:
        return out
    starts = np.asarray(offsets[:-1])
    ends = np.asarray(offsets[1:]) - 1
    a = np.round(xy[starts], 3)
    b = np.round(xy[ends], 3)
    corridors: dict[tuple[Any, ...], list[int]] = {}
    forward: list[bool] = []
    for i in range(n):
        pa, pb = (float(a[i, 0]), float(a[i, 1])), (float(b[i, 0]), float(b[i, 1]))
        first = bool(pa <= pb)
        forward.append(first)
        key = (
            min(pa, pb),
            max(pa, pb),
            kinds[i],
            vias[i] if first else ";".join(reversed(vias[i].split(";"))),
        )
        corridors.setdefault(key, []).append(i)
    for members in corridors.values():
        if len(members) < 2:
            continue
        for direction in (True, False):
            used = gap / 2
            for i in (m for m in members if forward[m] == direction):
                out[i] = used + widths[i] / 2
                used += widths[i] + gap
    return out


def decode_coords(payload: dict[str, Any]) -> np.ndarray:
    """The (lon, lat) vertices of a payload, decoded from its delta-encoded integers.

    Examples
    --------
    >>> import geoflows as gf
    >>> p = build_payload(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]))
    >>> xy = decode_coords(p)
    >>> xy.shape[1], round(float(xy[0, 0]), 2)
    (2, 130.28)
    """
    delta = np.asarray(payload["coords"], dtype=np.int64).reshape(-1, 2)
    return np.cumsum(delta, axis=0) / 10 ** payload["precision"]


def build_payload(
    flows: FlowSet,
    *,
    title: str | None = None,
    scale: str = "sqrt",
    min_width: float = 1.5,
    max_width: float = 14.0,
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
    renderer: str | None = None,
    filter_open: bool = False,
    basemap: str | None = None,
) -> dict[str, Any]:
    """The data the browser draws: one dict of arrays for all flows (see :func:`flow_map`).

    Examples
    --------
    >>> import geoflows as gf
    >>> p = build_payload(gf.read_flows("data/dprk_russia_2023_2024.csv"))
    >>> p["n"] == len(p["width"]) == len(p["offsets"]) - 1
    True
    """
    import shapely

    from geoflows.flows import best_volume
    from geoflows.io import split_list

    if color_by not in COLOR_FIELDS:
        raise GeoflowsError(f"color_by must be one of {', '.join(COLOR_FIELDS)}; got {color_by!r}")
    g = flows._gdf
    drawn = g.geometry.notna().to_numpy() & ~g.geometry.is_empty.to_numpy()
    g = g[drawn].reset_index(drop=True)
    n = len(g)
    geoms = g.geometry.to_numpy()
    # Vertices closer than ``simplify`` degrees (~500 m) to the line add nothing a reader can
    # see at flow-map zooms; dropping them shrinks the page and the browser's work.
    drawn_geoms = shapely.simplify(geoms, simplify) if simplify > 0 else geoms
    xy, coords, offsets = _flat_coords(drawn_geoms, precision)

    vol = g["volume"].to_numpy(float)
    low = g["volume_low"].to_numpy(float)
    high = g["volume_high"].to_numpy(float)
    best = best_volume(vol, low, high)
    units = np.asarray(_text(g["unit"]), dtype=object)
    has_range = np.isfinite(low) & np.isfinite(high) & (low != high)
    all_w, legends = widths_by_unit(
        np.concatenate([best, np.where(has_range, high, np.nan)]),
        np.concatenate([units, units]),
        scale=scale,
        min_width=min_width,
        max_width=max_width,
    )
    width, halo = all_w[:n], np.where(has_range, all_w[n:], 0.0)
    unknown = ~np.isfinite(best)

    color_values = (
        _text(g[color_by])
        if color_by != "confidence"
        else [confidence_level(c) for c in g["confidence"]]
    )
    colors = category_colors(color_values, palette)
    color_keys = list(colors)
    color_pos = {k: i for i, k in enumerate(color_keys)}
    color_idx = [color_pos[v] for v in color_values]
    conf = [_CONF_ORDER.index(confidence_level(c)) for c in g["confidence"]]
    unit_keys = sorted(set(units.tolist()))
    unit_pos = {k: i for i, k in enumerate(unit_keys)}
    unit_idx = [unit_pos[u] for u in units]

    mid = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    ahead = shapely.line_interpolate_point(geoms, 0.52, normalized=True)
    mids = np.round(
        np.column_stack([shapely.get_coordinates(mid), shapely.get_coordinates(ahead)]), 5
    )

    labels = []
    for lab, o, d in zip(_text(g["label"]), g["origin_name"], g["destination_name"], strict=True):
        labels.append(lab or f"{o} → {d}")
    volume_text = [
        format_volume(v, lo, hi, u) for v, lo, hi, u in zip(vol, low, high, units, strict=True)
    ]
    starts, ends = _date_text(g["start"]), _date_text(g["end"])

    def place_text(prefix: str) -> list[str]:
        out = []
        for given, name, country in zip(
            g[prefix], g[f"{prefix}_name"], g[f"{prefix}_country"], strict=True
        ):
            if str(name) == given:
                out.append(f"{given} ({country})" if country else given)
            else:
                out.append(f"{given} ({name}, {country})" if country else f"{given} ({name})")
        return out

    from geoflows.io import FLOW_FIELDS, RESOLVED_FIELDS

    fields: list[list[Any]] = [
        ["id", _text(g["id"])],
        ["origin", place_text("origin")],
        ["destination", place_text("destination")],
        ["via", _text(g["via"])],
        ["volume", volume_text],
        ["unit", _text(g["unit"])],
        ["kind", _text(g["kind"])],
        ["category", _text(g["category"])],
        ["mode", _text(g["mode"])],
        ["start", starts],
        ["end", ends],
        ["confidence", _text(g["confidence"])],
        ["length", [f"{x:,.0f} km" if math.isfinite(x) else "" for x in g["length_km"]]],
        [
            "route",
            [
                k + (f" ({nt})" if nt else "")
                for k, nt in zip(_text(g["route_kind"]), _text(g["route_note"]), strict=True)
            ],
        ],
        ["notes", _text(g["notes"])],
    ]
    extras = [
        c
        for c in g.columns
        if c not in FLOW_FIELDS and c not in RESOLVED_FIELDS and c not in ("geometry", "_row")
    ]
    fields += [[str(c), _text(g[c])] for c in extras]

    offset = _corridor_offsets(
        xy, offsets, np.maximum(width, halo), _text(g["route_kind"]), _text(g["via_coords"])
    )

    # Places: every resolved origin and destination, sized by the number of flows through it
    # (volumes of different units cannot be summed). A marker sits at its line's end, so with
    # unwrapped longitudes it is on the same copy of the world as the line.
    ends = {"origin": np.asarray(offsets[:-1]), "destination": np.asarray(offsets[1:]) - 1}
    keys: dict[tuple[str, float, float], int] = {}
    where: list[tuple[float, float]] = []
    p_in: list[list[int]] = []
    p_out: list[list[int]] = []
    if markers and n:
        # Beyond marker_limit places, markers hide the flows instead of labelling them.
        markers = len(set(g["origin_name"]) | set(g["destination_name"])) <= marker_limit
    if markers and n:
        for end, bucket in (("origin", p_out), ("destination", p_in)):
            at_end = xy[ends[end]]
            for i, (name, lat, lon) in enumerate(
                zip(g[f"{end}_name"], g[f"{end}_lat"], g[f"{end}_lon"], strict=True)
            ):
                key = (str(name), round(float(lat), precision), round(float(lon), precision))
                if key not in keys:
                    keys[key] = len(keys)
                    where.append((float(at_end[i, 1]), float(at_end[i, 0])))
                    p_in.append([])
                    p_out.append([])
                bucket[keys[key]].append(i)
    place_names = [k[0] for k in keys]
    radius = [
        round(3 + 2 * math.sqrt(len(a) + len(b)), 1) for a, b in zip(p_in, p_out, strict=True)
    ]

    t0, t1 = _day_numbers(g["start"]), _day_numbers(g["end"])
    dated = [d for d in t0 + t1 if d is not None]
    day_at = None
    if at is not None:
        day_at = int(pd.Timestamp(at).to_datetime64().astype("datetime64[D]").astype("int64"))

    bounds = None
    if n:
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        bounds = [
            [round(float(ymin), 4), round(float(xmin), 4)],
            [round(float(ymax), 4), round(float(xmax), 4)],
        ]

    return {
        "v": 1,
        "title": title,
        "n": n,
        "renderer": renderer or ("canvas" if n > CANVAS_THRESHOLD else "svg"),
        "offsets": offsets,
        "precision": int(precision),
        "coords": coords,
        "width": np.round(width, 2).tolist(),
        "halo": np.round(halo, 2).tolist(),
        "offset": np.round(offset, 2).tolist(),
        "unknown": unknown.astype(int).tolist(),
        "unknownWidth": 1.0,
        "unknownDash": "4 5",
        "color": color_idx,
        "colors": [colors[k] for k in color_keys],
        "colorKeys": color_keys,
        "conf": conf,
        "confLevels": list(_CONF_ORDER),
        "dashes": [DASHES[c] for c in _CONF_ORDER],
        "unit": unit_idx,
        "units": unit_keys,
        "mid": mids.ravel().tolist(),
        "arrows": bool(arrows),
        "arrowLimit": int(arrow_limit),
        "t0": t0,
        "t1": t1,
        "dayMin": min(dated) if dated else None,
        "dayMax": max(dated) if dated else None,
        "window": int(time_window_days),
        "slider": bool(time_slider),
        "at": day_at,
        "label": labels,
        "fields": [[name, _column(values)] for name, values in fields],
        "sources": [split_list(s) for s in g["source"]],
        "places": {
            "name": place_names,
            "lat": [w[0] for w in where],
            "lon": [w[1] for w in where],
            "radius": radius,
            "in": p_in,
            "out": p_out,
        },
        "legend": {
            "widths": [
                {
                    "unit": lg.unit or "no unit",
                    "scale": lg.scale,
                    "samples": [
                        [format_volume(v, unit=lg.unit), round(w, 2), _short_number(v)]
                        for v, w in zip(lg.values, lg.widths, strict=True)
                    ],
                }
                for lg in legends
            ],
            "unknown": bool(unknown.any()),
            "range": bool(has_range.any()),
            "colorTitle": color_by.capitalize(),
            "confUsed": [c in conf for c in range(len(_CONF_ORDER))],
        },
        "bounds": bounds,
        "filterOpen": bool(filter_open),
        "basemap": _basemap(basemap),
    }


def _short_number(x: float) -> str:
    """1,200,000 → '1.2M' (legend samples, where the unit is written once per row)."""
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"
