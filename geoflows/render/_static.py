"""Static figures for print: the same encoding as the HTML map, drawn with matplotlib.

A figure shows land, sea and country borders (the shipped basemap, clipped to the flows) in a
projection chosen from the extent (Lambert azimuthal equal-area around the flows, Equal Earth
for a near-global extent): no degree axes. Places are named by labels that never overlap (a
greedy placement, most-used places first; a label with no free spot is left out), with a scale
bar, the legend beside the map (not over it), a title and a line of sources.

The widths, colours and dashes come from :mod:`geoflows.style`, as on the HTML map. The
figure is deterministic: the same flows give the same PNG, SVG and PDF bytes (see
:meth:`FlowSet.save_png`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import GeoflowsError
from geoflows.render._annotations import (
    UNKNOWN_DASH,
    _draw_legend,
    _draw_scale_bar,
    _place_labels,
    _sources_line,
)
from geoflows.style import (
    COLOR_FIELDS,
    category_colors,
    confidence_dashes,
    confidence_level,
    is_event,
    widths_by_unit,
)

if TYPE_CHECKING:
    import geopandas as gpd

SEA = "#dbe7ef"
LAND = "#f3f0e8"
BORDER = "#9a9a9a"
_COORDS_RE = re.compile(r"^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$")


def plot_flows(
    gdf: gpd.GeoDataFrame,
    *,
    ax: Any = None,
    scale: str = "sqrt",
    min_width: float = 0.8,
    max_width: float = 8.0,
    color_by: str = "category",
    palette: Any = None,
    title: str | None = None,
    figsize: tuple[float, float] = (10, 7),
    width_domain: Any = None,
    labels: bool = True,
    sources: str | None = "auto",
    scale_bar: bool = True,
    basemap: str | None = "countries",
    focus: Any = None,
) -> Any:
    """Draw the flows as a print-ready map: basemap, projection, labels, scale bar, legend.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The flows, one row per flow (``FlowSet.to_geodataframe()``, as :meth:`FlowSet.plot`).
    ax : matplotlib.axes.Axes, optional
        Draw into these (empty) axes; by default a new figure of ``figsize`` inches.
    scale, min_width, max_width, width_domain : optional
        Line widths (in points), as for the HTML map (:func:`geoflows.style.widths_by_unit`).
    color_by : {'category', 'kind', 'mode', 'source', 'unit', 'confidence'}
    palette : sequence or dict, optional
        As for :func:`geoflows.style.category_colors`.
    title : str, optional
    labels : bool
        Name the places (origins, destinations, waypoints), without overlaps.
    sources : 'auto', str or None
        The line under the map: ``auto`` lists the publishers and sites cited by the flows
        (and the basemap's source); a string is written as given; None writes none.
    scale_bar : bool
        Draw a scale bar (true at the map's centre).
    basemap : {'countries', 'auto'} or None
        Land, sea and borders (Natural Earth; ``auto`` is ``countries``); None: the flows alone.
    focus : str, sequence of str, or sequence of 4 numbers, optional
        The area shown (default: every flow), as the HTML map opens on it: place names or a
        ``(west, south, east, north)`` box in degrees. The projection is centred on it.

    Returns
    -------
    matplotlib.axes.Axes
        The map's axes; ``ax.figure`` is the figure.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import geoflows as gf
    >>> gdf = gf.read_flows("data/dprk_russia_2023_2024.csv").to_geodataframe()
    >>> ax = plot_flows(gdf, title="Transfers")
    >>> ax.get_title(), ax.get_xticks().size, "Rajin" in [t.get_text() for t in ax.texts]
    ('Transfers', 0, True)
    """
    import matplotlib

    if color_by not in COLOR_FIELDS:
        raise GeoflowsError(f"color_by must be one of {', '.join(COLOR_FIELDS)}; got {color_by!r}")
    # Data text is plain text: "$5 to $7" or "$\\frac{1}$" in a name, unit or source is drawn
    # as written, never parsed as maths (which draws it wrong, or raises while saving).
    with matplotlib.rc_context(PLAIN_TEXT):
        ax = _plot(gdf, ax, scale, min_width, max_width, color_by, palette, title, figsize,
                   width_domain, labels, sources, scale_bar, basemap, focus)  # fmt: skip
        _plain_text(ax)
    return ax


#: matplotlib settings under which every text is drawn as given (no mathtext, no TeX).
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


def _plain_text(ax: Any) -> None:
    """Make every text of ``ax`` plain, also those made before (a given axes' title)."""
    from matplotlib.text import Text

    for text in ax.findobj(Text):
        text.set_usetex(False)
        text.set_parse_math(False)


def _plot(gdf, ax, scale, min_width, max_width, color_by, palette, title, figsize,
          width_domain, labels, sources, scale_bar, basemap, focus) -> Any:  # fmt: skip
    """Draw the figure (see :func:`plot_flows`), text settings already plain."""
    basemap = "countries" if basemap == "auto" else basemap
    g = _drawn(gdf)
    ax = _empty_axes(ax, figsize, title, sea=bool(basemap))
    if len(g) == 0:
        return ax
    frame = _frame(ax, g, focus)
    if basemap:
        _draw_basemap(ax, frame["to_map"], basemap, frame["extent"])
    enc = _encoding(g, scale, min_width, max_width, color_by, palette, width_domain)
    shown = _draw_flows(ax, frame["to_map"], g, frame["lines"], frame["part_of"], enc)
    _draw_places(ax, frame["to_map"], frame["places"])
    ax.apply_aspect()  # the final box (equal aspect shrinks it): labels measured where drawn
    obstacles = [_draw_scale_bar(ax)] if scale_bar else []
    if labels:
        _place_labels(ax, frame["to_map"], frame["places"], obstacles=obstacles)
    legend = _draw_legend(ax, _only(enc, shown), color_by)
    if sources:
        _draw_sources(ax, legend, _sources_line(g[shown]) if sources == "auto" else str(sources))
    return ax


def _drawn(gdf: Any) -> pd.DataFrame:
    """Keep the flows that have a line to draw (a FlowSet is taken as its GeoDataFrame)."""
    g = gdf.to_geodataframe() if hasattr(gdf, "to_geodataframe") else gdf
    keep = g.geometry.notna().to_numpy() & ~g.geometry.is_empty.to_numpy()
    return g[keep].reset_index(drop=True)


def _empty_axes(ax: Any, figsize: tuple[float, float], title: str | None, *, sea: bool) -> Any:
    """Prepare new (or the given) axes: sea behind, no ticks, a thin frame and the title."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.set_facecolor(SEA if sea else "white")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")
    for side in ax.spines.values():
        side.set_linewidth(0.6)
        side.set_color("#555")
    if title:
        ax.set_title(title, fontsize=12)
    return ax


def _frame(ax: Any, g: pd.DataFrame, focus: Any = None) -> dict[str, Any]:
    """Return the lines, places, projection and extent of the map; set the axes' limits."""
    import shapely
    from pyproj import Transformer

    lines = shapely.get_parts(g.geometry.to_numpy())
    part_of = np.repeat(np.arange(len(g)), shapely.get_num_geometries(g.geometry.to_numpy()))
    lonlat = shapely.get_coordinates(lines)
    places = _places(g)
    all_lon = np.r_[lonlat[:, 0], places["lon"].to_numpy(float)]
    all_lat = np.r_[lonlat[:, 1], places["lat"].to_numpy(float)]
    if focus is not None:  # the view is the focus box (its margin included), not the flows
        all_lon, all_lat = _focus_outline(focus, places)
    crs = projection_for(all_lon, all_lat)
    to_map = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    px, py = to_map.transform(all_lon, all_lat)
    x0, x1, y0, y1 = float(px.min()), float(px.max()), float(py.min()), float(py.max())
    pad = 0.0 if focus is not None else 0.08 * max(x1 - x0, y1 - y0, 50_000.0)
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    lon_c = _centre_lon(all_lon)
    west, east = lon_c + _wrap(all_lon - lon_c).min(), lon_c + _wrap(all_lon - lon_c).max()
    return {
        "lines": lines,
        "part_of": part_of,
        "places": places,
        "to_map": to_map,
        "extent": (west, all_lat.min(), east, all_lat.max()),
    }


def _focus_outline(focus: Any, places: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return points along the outline of the focus box (lon, lat), as the HTML map resolves it."""
    from geoflows.render._focus import resolve_focus

    (south, west), (north, east) = resolve_focus(
        focus, places["label"].tolist(), places["lat"].tolist(), places["lon"].tolist()
    )
    t = np.linspace(0.0, 1.0, 25)
    lon = np.r_[west + (east - west) * t, np.full(25, east), east - (east - west) * t]
    lat = np.r_[np.full(25, south), south + (north - south) * t, np.full(25, north)]
    return np.r_[lon, np.full(25, west)], np.r_[lat, north - (north - south) * t]


def _draw_sources(ax: Any, legend: Any, text: str) -> None:
    """Write the line of sources under the map and under the legend (clear of both)."""
    if not text:
        return
    renderer = ax.figure.canvas.get_renderer()
    box, key = ax.get_window_extent(renderer), legend.get_window_extent(renderer)
    ax.annotate(  # in axes fractions: the same at any saving dpi and 'tight' bounding box
        text,
        xy=(0.0, (min(box.y0, key.y0) - box.y0) / box.height),
        xycoords="axes fraction",
        xytext=(0, -6),
        textcoords="offset points",
        va="top",
        ha="left",
        fontsize=6.5,
        color="#444",
        wrap=False,
        annotation_clip=False,
    )


def _only(enc: dict, shown: np.ndarray) -> dict:
    """Keep the encoding of the flows in view: the legend lists only what is drawn."""
    keys = [k for k, v in enc.items() if isinstance(v, np.ndarray) and v.shape == shown.shape]
    out = {**enc, **{k: enc[k][shown] for k in keys}}
    out["color"] = [c for c, k in zip(enc["color"], shown, strict=True) if k]
    out["dash"] = [d for d, k in zip(enc["dash"], shown, strict=True) if k]
    values = {v for v, k in zip(enc["values"], shown, strict=True) if k}
    out["colors"] = {v: c for v, c in enc["colors"].items() if v in values}
    units = set(enc["units"][shown].tolist())
    out["legends"] = [lg for lg in enc["legends"] if (lg.unit or "") in units]
    return out


# --------------------------------------------------------------------------- projection


def projection_for(lon: Any, lat: Any) -> Any:
    """Choose a projection for a map of these points: equal-area, centred, no degree axes.

    Lambert azimuthal equal-area centred on the points (true areas, and shapes and distances
    close to true across a region or a continent); Equal Earth for an extent wider than 150°
    of longitude or 100° of latitude.

    Parameters
    ----------
    lon, lat : array-like of float
        Degrees (longitudes may be unwrapped past ±180).

    Returns
    -------
    pyproj.CRS

    Examples
    --------
    >>> projection_for([130.3, 131.9], [42.3, 43.1]).coordinate_operation.method_name
    'Lambert Azimuthal Equal Area'
    >>> projection_for([-170, 170, 0], [-60, 70, 0]).coordinate_operation.method_name
    'Equal Earth'
    """
    from pyproj import CRS

    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    lon_c = _centre_lon(lon)
    rel = _wrap(lon - lon_c)
    span_lon, span_lat = float(rel.max() - rel.min()), float(lat.max() - lat.min())
    lon_0 = round(float(_wrap(np.array([lon_c + (rel.max() + rel.min()) / 2]))[0]), 2)
    if span_lon > 150 or span_lat > 100:
        return CRS.from_proj4(f"+proj=eqearth +lon_0={lon_0} +datum=WGS84 +units=m +no_defs")
    lat_0 = round(float((lat.max() + lat.min()) / 2), 2)
    return CRS.from_proj4(
        f"+proj=laea +lat_0={lat_0} +lon_0={lon_0} +datum=WGS84 +units=m +no_defs"
    )


def _wrap(lon: np.ndarray) -> np.ndarray:
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


def _centre_lon(lon: np.ndarray) -> float:
    """Circular mean of longitudes (so flows across the antimeridian centre on it)."""
    r = np.radians(np.asarray(lon, dtype=float))
    return float(np.degrees(np.arctan2(np.sin(r).mean(), np.cos(r).mean())))


# --------------------------------------------------------------------------- layers


def _draw_basemap(ax: Any, to_map: Any, name: str, extent: tuple) -> None:
    from matplotlib.collections import LineCollection, PolyCollection

    from geoflows.render._basemap import basemap, stroked

    west, south, east, north = (float(v) for v in extent)
    bm = basemap(name, (west, south, east, north))
    if not bm or not bm["rings"]:
        return
    scale = 10.0 ** bm["precision"]
    # the land is filled (its pieces meet edge to edge), the coasts and borders stroked
    absolute = [
        np.cumsum(np.asarray(r, dtype=np.int64).reshape(-1, 2), axis=0) for r in bm["rings"]
    ]
    rings = [r for r in _projected(absolute, scale, to_map) if len(r) >= 3]
    lines = [r for r in _projected(stroked(bm["rings"], bm["cuts"]), scale, to_map) if len(r) >= 2]
    ax.add_collection(
        PolyCollection(
            rings, facecolors=LAND, edgecolors=LAND, linewidths=0.3, zorder=0.5, rasterized=False
        ),
        autolim=False,
    )
    ax.add_collection(
        LineCollection(lines, colors=BORDER, linewidths=0.4, zorder=0.51), autolim=False
    )


def _projected(paths: list[np.ndarray], scale: float, to_map: Any) -> list[np.ndarray]:
    """Project ``paths`` of absolute grid points (points off the map dropped)."""
    if not paths:
        return []
    counts = np.array([len(p) for p in paths])
    lonlat = np.concatenate(paths).astype(float) / scale
    x, y = to_map.transform(lonlat[:, 0], lonlat[:, 1])
    ok = np.isfinite(x) & np.isfinite(y)
    xy = np.column_stack([np.where(ok, x, np.nan), np.where(ok, y, np.nan)])
    return [r[np.isfinite(r[:, 0])] for r in np.split(xy, np.cumsum(counts)[:-1])]


def _encoding(
    g: pd.DataFrame,
    scale: str,
    min_width: float,
    max_width: float,
    color_by: str,
    palette: Any,
    width_domain: Any,
) -> dict[str, Any]:
    """Widths, bands, colours, dashes and event flags of each flow (as the HTML map)."""
    from geoflows.schema import best_volume

    vol, low, high = (g[c].to_numpy(float) for c in ("volume", "volume_low", "volume_high"))
    best = best_volume(vol, low, high)
    units = g["unit"].fillna("").astype(str).to_numpy(object)
    events = is_event(g["kind"].to_numpy(object), units)
    has_range = np.isfinite(low) & np.isfinite(high) & (low != high) & ~events
    n = len(g)
    widths, legends = widths_by_unit(
        np.concatenate([best, np.where(has_range, high, np.nan), np.where(has_range, low, np.nan)]),
        np.concatenate([units, units, units]),
        events=np.concatenate([events, events, events]),
        domain=width_domain,
        scale=scale,
        min_width=min_width,
        max_width=max_width,
    )
    unknown = ~np.isfinite(best) & ~events
    if color_by == "confidence":
        values = [confidence_level(c) for c in g["confidence"]]
    else:
        values = ["" if pd.isna(v) else str(v) for v in g[color_by]]
    colors = category_colors(values, palette)
    dashes, patterns = [], confidence_dashes(g["confidence"])
    for c, unk in zip(g["confidence"], unknown, strict=True):
        pattern = patterns[confidence_level(c)]
        dash = tuple(float(x) / 2 for x in pattern.split()) if pattern else None
        dashes.append(UNKNOWN_DASH if unk else dash)
    open_ended = (np.isfinite(low) ^ np.isfinite(high)) & ~np.isfinite(vol)
    return {
        "width": np.where(unknown, min(1.0, min_width), widths[:n]),
        "halo": np.where(has_range, widths[n : 2 * n], 0.0),
        "color": [colors[v] for v in values],
        "colors": colors,
        "values": values,
        "dash": dashes,
        # no record gives a confidence: "unknown" is solid and the legend says nothing of it
        "confidence_given": patterns["unknown"] != "",
        "event": events,
        "unknown": unknown,
        "open": open_ended,
        "core": np.where(has_range, widths[2 * n :], 0.0),
        "above": open_ended & np.isfinite(low),
        "below": open_ended & np.isfinite(high),
        "legends": legends,
        "units": units,
        "min_width": min_width,
        "max_width": max_width,
    }


def _draw_flows(
    ax: Any, to_map: Any, g: pd.DataFrame, lines: np.ndarray, part_of: np.ndarray, enc: dict
) -> np.ndarray:
    """Draw claim bands, lines, marks inside them and arrowheads; return which flows show."""
    from matplotlib.collections import LineCollection

    segs, flow = _projected_parts(to_map, lines, part_of)
    color = [enc["color"][i] for i in flow]
    _draw_bands(ax, segs, flow, color, enc)
    styles = [(0, d) if d else "solid" for d in (enc["dash"][i] for i in flow)]
    ax.add_collection(
        LineCollection(
            segs,
            colors=color,
            linewidths=enc["width"][flow],
            linestyles=styles,
            alpha=0.9,
            capstyle="butt",
            zorder=3,
        ),
        autolim=False,
    )
    _draw_over_lines(ax, segs, flow, enc)
    _draw_heads(ax, to_map, g, enc)
    return _shown(ax, segs, flow, len(g))


def _projected_parts(
    to_map: Any, lines: np.ndarray, part_of: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """Each line part in map coordinates, and the flow it belongs to."""
    import shapely

    xy, idx = shapely.get_coordinates(lines, return_index=True)
    x, y = to_map.transform(xy[:, 0], xy[:, 1])
    segs = np.split(np.column_stack([x, y]), np.flatnonzero(np.diff(idx)) + 1)
    return segs, part_of[np.unique(idx)]


def _shown(ax: Any, segs: list[np.ndarray], flow: np.ndarray, n: int) -> np.ndarray:
    """Tell which flows have a part inside the axes' limits (what the legend may speak of)."""
    import shapely

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    part = np.repeat(np.arange(len(segs)), [len(s) for s in segs])
    xy = np.concatenate(segs) if segs else np.zeros((0, 2))
    ok = np.isfinite(xy).all(axis=1)
    # a part with fewer than two projected points is not a line: it shows if its point does
    count = np.bincount(part[ok], minlength=len(segs))
    line = ok & (count[part] >= 2)
    hit = np.zeros(len(segs), dtype=bool)
    ids = np.unique(part[line])
    if ids.size:
        parts = shapely.linestrings(xy[line], indices=np.searchsorted(ids, part[line]))
        hit[ids] = shapely.intersects(parts, shapely.box(x0, y0, x1, y1))
    dot = ok & (count[part] == 1)
    inside = (x0 <= xy[:, 0]) & (xy[:, 0] <= x1) & (y0 <= xy[:, 1]) & (xy[:, 1] <= y1)
    hit[part[dot & inside]] = True
    return np.bincount(flow, weights=hit, minlength=n) > 0


def _striped(ax: Any, segs: list, keep: np.ndarray, colors: list, widths: np.ndarray, **kw) -> None:
    """Lines crossed by short stripes 1.2 pt apart (the static twin of the map's hatching)."""
    from matplotlib.collections import LineCollection

    if not keep.any():
        return
    w = widths[keep]
    ax.add_collection(
        LineCollection(
            [s for s, k in zip(segs, keep, strict=True) if k],
            colors=[c for c, k in zip(colors, keep, strict=True) if k],
            linewidths=w,
            linestyles=[(0, (1.2 / v, 1.2 / v)) for v in w],
            capstyle="butt",
            **kw,
        ),
        autolim=False,
    )


def _draw_bands(ax: Any, segs: list, flow: np.ndarray, color: list, enc: dict) -> None:
    """Under the lines: light up to the highest claim, striped beyond a 'more than' line."""
    from matplotlib.collections import LineCollection

    width = enc["width"][flow]
    above = enc["above"][flow] & ~enc["unknown"][flow]
    _striped(ax, segs, above, color, width + 2 * np.maximum(4.0, 0.5 * width), alpha=0.55, zorder=2)
    halo = enc["halo"][flow]
    banded = halo > 0
    if banded.any():
        ax.add_collection(
            LineCollection(
                [s for s, b in zip(segs, banded, strict=True) if b],
                colors=[c for c, b in zip(color, banded, strict=True) if b],
                linewidths=halo[banded],
                alpha=0.25,
                capstyle="butt",
                zorder=2,
            ),
            autolim=False,
        )


def _draw_over_lines(ax: Any, segs: list, flow: np.ndarray, enc: dict) -> None:
    """Over the lines: the lowest claim as a dark strip, white stripes on an 'up to' line."""
    from matplotlib.collections import LineCollection

    width, core = enc["width"][flow], enc["core"][flow]
    inside = (core > 0) & (core < width - 0.5)
    if inside.any():
        ax.add_collection(
            LineCollection(
                [s for s, k in zip(segs, inside, strict=True) if k],
                colors="#000",
                linewidths=core[inside],
                alpha=0.35,
                capstyle="butt",
                zorder=3.2,
            ),
            autolim=False,
        )
    below = enc["below"][flow] & ~enc["unknown"][flow]
    white = ["#ffffff"] * len(segs)
    _striped(ax, segs, below, white, np.maximum(1.0, width - 1.0), alpha=0.8, zorder=3.3)


def _draw_heads(ax: Any, to_map: Any, g: pd.DataFrame, enc: dict) -> None:
    """Arrowheads at the middle of each flow, and a diamond on events (a visit, a strike)."""
    import shapely
    from matplotlib.collections import PolyCollection

    geoms = g.geometry.to_numpy()
    mid = shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.5, normalized=True))
    ahead = shapely.get_coordinates(shapely.line_interpolate_point(geoms, 0.53, normalized=True))
    mx, my = to_map.transform(mid[:, 0], mid[:, 1])
    ax_, ay_ = to_map.transform(ahead[:, 0], ahead[:, 1])
    d = np.column_stack([np.asarray(ax_) - mx, np.asarray(ay_) - my])
    norm = np.hypot(d[:, 0], d[:, 1])
    ok = norm > 0
    span = float(np.diff(ax.get_xlim())[0])
    size = span * (0.008 + 0.0012 * enc["width"])
    u = np.where(ok[:, None], d / np.where(ok, norm, 1.0)[:, None], 0.0)
    v = np.column_stack([-u[:, 1], u[:, 0]])
    tip = np.column_stack([mx, my]) + u * size[:, None]
    left = np.column_stack([mx, my]) - u * size[:, None] * 0.6 + v * size[:, None] * 0.6
    right = np.column_stack([mx, my]) - u * size[:, None] * 0.6 - v * size[:, None] * 0.6
    heads = np.stack([tip, left, right], axis=1)[ok & ~enc["event"]]
    ax.add_collection(
        PolyCollection(
            list(heads),
            facecolors=[c for c, k in zip(enc["color"], ok & ~enc["event"], strict=True) if k],
            edgecolors="none",
            zorder=4,
        ),
        autolim=False,
    )
    if enc["event"].any():
        ev = enc["event"]
        ax.scatter(
            np.asarray(mx)[ev],
            np.asarray(my)[ev],
            s=28,
            marker="D",
            c=[c for c, k in zip(enc["color"], ev, strict=True) if k],
            edgecolors="white",
            linewidths=0.6,
            zorder=5,
        )


def _places(g: pd.DataFrame) -> pd.DataFrame:
    """Every origin, destination and waypoint once, with the number of movements through it.

    The claims about one movement (a ``group``) are each drawn, so a group whose sources name
    two ports has a line and a marker at each, but they count once at a place they share, as
    on the HTML map and in the places layer: a marker is not enlarged by repeated claims.
    """
    from geoflows.schema import split_list

    group = _texts(g, "group")
    movement = np.where(group != "", "g" + group, "r" + np.arange(len(g)).astype(str))
    rows = []
    for end in ("origin", "destination"):
        rows.append(
            pd.DataFrame(
                {
                    "movement": movement,
                    "name": g[f"{end}_name"].astype(str).to_numpy(),
                    "lat": g[f"{end}_lat"].to_numpy(float),
                    "lon": g[f"{end}_lon"].to_numpy(float),
                    "kind": g[f"{end}_kind"].fillna("").astype(str).to_numpy(),
                    "near": _texts(g, f"{end}_near"),
                    "former": _texts(g, f"{end}_former_name"),
                    "via": False,
                }
            )
        )
    vias = []
    for m, names, coords in zip(movement, g["via"], g["via_coords"], strict=True):
        pairs = [c for c in str(coords or "").split(";") if c.strip()]
        for name, pair in zip(split_list(names), pairs, strict=False):
            lat, lon = (float(v) for v in pair.split(","))
            vias.append((m, name, lat, lon, "", "", "", True))
    if vias:
        columns = ["movement", "name", "lat", "lon", "kind", "near", "former", "via"]
        rows.append(pd.DataFrame(vias, columns=columns))
    table = pd.concat(rows, ignore_index=True)
    table["key_lat"], table["key_lon"] = table["lat"].round(4), table["lon"].round(4)
    out = (
        table.groupby(["name", "key_lat", "key_lon"], sort=True)
        .agg(lat=("lat", "first"), lon=("lon", "first"), kind=("kind", "first"),
             near=("near", "max"), former=("former", "max"),
             via=("via", "all"), flows=("movement", "nunique"))
        .reset_index()
    )  # fmt: skip
    coords_only = (out["kind"] == "coordinates") | out["name"].str.match(_COORDS_RE)
    out["label"] = np.where(coords_only, "", out["name"])
    out = out.sort_values(["via", "flows", "name"], ascending=[True, False, True]).reset_index(
        drop=True
    )
    # One name, one label: a place resolved twice a few km apart (a port and its town, a
    # waypoint and a destination) is named once, at its most-used point.
    first = out.groupby("name", sort=False)[["lat", "lon"]].transform("first")
    km = 111.2 * np.hypot(
        out["lat"] - first["lat"], (out["lon"] - first["lon"]) * np.cos(np.radians(out["lat"]))
    )
    repeat = out.duplicated("name") & (km < 25)
    out.loc[repeat, "label"] = ""
    out["text"] = _label_texts(out, coords_only & ~repeat)
    out["italic"] = coords_only  # 'near …': where an unnamed place is, not its name
    return out


def _texts(g: pd.DataFrame, column: str) -> np.ndarray:
    """Return a resolved text column as strings ('' where blank or absent)."""
    if column not in g:
        return np.full(len(g), "", dtype=object)
    return g[column].map(lambda v: "" if v is None or pd.isna(v) else str(v)).to_numpy(object)


def _label_texts(places: pd.DataFrame, coords_only: np.ndarray) -> list[str]:
    """Write each label: 'Dunai (near Vladivostok)', 'Bakhmut (formerly Artemivsk)'.

    A coordinate-only place gets no made-up name, only where it is: 'near Rajin (KP), 1 km'.
    """
    out = []
    for label, near, former, bare in zip(
        places["label"], places["near"], places["former"], coords_only, strict=True
    ):
        notes = [f"near {near}" if near else "", f"formerly {former}" if former else ""]
        notes = "; ".join(n for n in notes if n)
        if bare:
            out.append(f"near {near}" if near else "")
        else:
            out.append(f"{label} ({notes})" if label and notes else label)
    return out


def _draw_places(ax: Any, to_map: Any, places: pd.DataFrame) -> None:
    x, y = to_map.transform(places["lon"].to_numpy(float), places["lat"].to_numpy(float))
    sizes = np.where(places["via"], 9.0, (2.2 + 1.2 * np.sqrt(places["flows"])) ** 2)
    ax.scatter(x, y, s=sizes, c="white", edgecolors="#222", linewidths=0.8, zorder=6, clip_on=True)
