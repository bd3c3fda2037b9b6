"""The notes of a static figure: place labels without overlaps, scale bar, legend, sources."""

from __future__ import annotations

import math
import re
import textwrap
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from geoflows.style import DASHES, format_volume

#: Dash of flows with no volume (drawn thin), in line widths.
UNKNOWN_DASH = (2.0, 2.5)
#: At most this many places are named on one figure (the most-used first).
MAX_LABELS = 300
#: Candidate label spots around a place, in points, tried in this order.
_SPOTS = (
    ((5, 0), "left", "center"),
    ((4, 4), "left", "bottom"),
    ((4, -4), "left", "top"),
    ((-5, 0), "right", "center"),
    ((0, 6), "center", "bottom"),
    ((0, -6), "center", "top"),
    ((-4, 4), "right", "bottom"),
    ((-4, -4), "right", "top"),
)


def _place_labels(
    ax: Any, to_map: Any, places: pd.DataFrame, *, obstacles: list | None = None
) -> list[Any]:
    """Name places without overlaps: most-used first, each at the first free spot around it.

    Tried spots: right, upper right, lower right, left, above, below, upper left, lower left.
    A label that overlaps a label already placed, a place marker or an obstacle (the scale
    bar), or leaves the axes, tries the next spot; with none free it is left out. At most
    :data:`MAX_LABELS` labels are drawn.

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels drawn.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    x, y = to_map.transform(places["lon"].to_numpy(float), places["lat"].to_numpy(float))
    frame = ax.get_window_extent(renderer)
    cx, cy = ax.transData.transform(np.column_stack([x, y])).T
    r = np.where(places["via"], 1.5, (2.2 + 1.2 * np.sqrt(places["flows"])) / 2) * fig.dpi / 72
    markers = np.column_stack([cx - r, cy - r, cx + r, cy + r])
    taken = np.array(
        [(b.x0, b.y0, b.x1, b.y1) for b in obstacles or [] if b is not None], dtype=float
    ).reshape(-1, 4)
    visible = (frame.x0 <= cx) & (cx <= frame.x1) & (frame.y0 <= cy) & (cy <= frame.y1)
    drawn = []
    texts = places["text"] if "text" in places else places["label"]
    italic = places["italic"].to_numpy(bool) if "italic" in places else np.zeros(len(texts), bool)
    for i, name in enumerate(texts):
        if not name or not visible[i] or len(drawn) >= MAX_LABELS:
            continue
        others = np.vstack([taken, np.delete(markers, i, axis=0)])
        for offset, ha, va in _SPOTS:
            text = ax.annotate(
                name,
                (x[i], y[i]),
                xytext=offset,
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=7.5,
                fontstyle="italic" if italic[i] else "normal",
                color="#111",
                zorder=7,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6},
            )
            b = text.get_window_extent(renderer)
            inside = frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
            hits = (
                (others[:, 0] < b.x1)
                & (b.x0 < others[:, 2])
                & (others[:, 1] < b.y1)
                & (b.y0 < others[:, 3])
            )
            if inside and not hits.any():
                taken = np.vstack([taken, [(b.x0, b.y0, b.x1, b.y1)]])
                drawn.append(text)
                break
            text.remove()
    return drawn


def _draw_scale_bar(ax: Any) -> Any:
    """Draw a two-segment scale bar at the lower left; return its window extent."""
    from matplotlib.patches import Rectangle

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    target = (x1 - x0) / 5
    exp = 10 ** math.floor(math.log10(target))
    length = max(m * exp for m in (1, 2, 5) if m * exp <= target)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    h = 0.008 * (y1 - y0)
    artists = []
    for k, color in enumerate(("#222", "white")):
        artists.append(
            ax.add_patch(
                Rectangle(
                    (bx + k * length / 2, by), length / 2, h, fc=color, ec="#222", lw=0.6, zorder=8
                )
            )
        )
    km = length / 1000
    label = f"{km:,.0f} km" if km >= 1 else f"{length:,.0f} m"
    for xv, text in ((bx, "0"), (bx + length, label)):
        artists.append(
            ax.text(xv, by + 1.8 * h, text, ha="center", va="bottom", fontsize=6.5, zorder=8)
        )
    renderer = ax.figure.canvas.get_renderer()
    from matplotlib.transforms import Bbox

    return Bbox.union([a.get_window_extent(renderer) for a in artists]).padded(3)


def _draw_legend(ax: Any, enc: dict, color_by: str) -> Any:
    from matplotlib.lines import Line2D

    heads: list[Any] = []

    def head(text: str) -> Any:
        heads.append(Line2D([], [], linestyle="none", label=text))
        return heads[-1]

    handles = [head(color_by.capitalize())]
    handles += [
        Line2D([], [], color=c, lw=3, label=k or "(none)") for k, c in enc["colors"].items()
    ]
    for lg in enc["legends"]:
        scope = (
            f" (scale fixed to {format_volume(math.nan, *lg.domain)})"
            if lg.domain is not None
            else ""
        )
        handles.append(head(f"Volume: {lg.unit or 'no unit'}{scope}"))
        handles += [
            Line2D([], [], color="#555", lw=w, label=format_volume(v, unit=lg.unit))
            for v, w in zip(lg.values, lg.widths, strict=True)
        ]
    extra = []
    if enc["event"].any():
        extra.append(
            Line2D(
                [],
                [],
                color="#555",
                lw=1.2,
                marker="D",
                markersize=5,
                label="one event (visit, strike)",
            )
        )
    extra += _claim_rows(enc)
    if enc["unknown"].any():
        extra.append(
            Line2D([], [], color="#555", lw=1, dashes=UNKNOWN_DASH, label="volume unknown")
        )
    names = {
        None: "confirmed",
        tuple(float(x) / 2 for x in DASHES["reported"].split()): "reported",
        tuple(float(x) / 2 for x in DASHES["claimed"].split()): "claimed",
        tuple(float(x) / 2 for x in DASHES["unknown"].split()): "confidence unknown",
    }
    used = [d for d in names if d in enc["dash"]] if enc.get("confidence_given", True) else []
    if used:
        extra.append(head("Confidence"))
        extra += [
            Line2D([], [], color="#555", lw=1.5, dashes=d or (None, None), label=names[d])
            if d
            else Line2D([], [], color="#555", lw=1.5, label=names[None])
            for d in used
        ]
    # Beside a map that is tall enough, under a wide one (in columns): never over the data.
    box = ax.get_position()
    fw, fh = ax.figure.get_size_inches()
    below = (box.width * fw) / (box.height * fh) > 1.6
    legend = ax.legend(
        handles=handles + extra,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.02) if below else (1.02, 1.0),
        borderaxespad=0.0,
        fontsize=7,
        frameon=False,
        handlelength=2.6,
        ncols=3 if below else 1,
    )
    for text, handle in zip(legend.get_texts(), handles + extra, strict=True):
        if any(handle is h for h in heads):
            text.set_fontweight("bold")
    return legend


def _claim_rows(enc: dict) -> list[Any]:
    """Legend rows for the claim marks that are drawn: band, lowest claim, open ends."""
    from matplotlib.lines import Line2D

    rows = []
    if (enc["halo"] > 0).any():
        rows.append(
            Line2D(
                [], [], color="#555", lw=7, alpha=0.25, label="light band: up to the highest claim"
            )
        )
    if (enc["core"] > 0).any():
        rows.append(
            Line2D(
                [], [], color="#000", lw=2, alpha=0.35, label="dark strip in the line: lowest claim"
            )
        )
    if (enc["above"] & ~enc["unknown"]).any():
        rows.append(
            Line2D([], [], color="#555", lw=7, alpha=0.55, dashes=(0.17, 0.17),
                   label="striped beside the line: open ended, more than")
        )  # fmt: skip
    if (enc["below"] & ~enc["unknown"]).any():
        rows.append(
            Line2D(
                [],
                [],
                color="#bbb",
                lw=4,
                dashes=(0.3, 0.3),
                label="striped line: open ended, up to",
            )
        )
    return rows


def _sources_line(g: pd.DataFrame) -> str:
    """Write 'Sources: publisher; site; …. Basemap: Natural Earth.' from the ``source`` column."""
    from geoflows.schema import split_list

    seen: dict[str, None] = {}
    for value in g["source"]:
        for item in split_list(value):
            if re.match(r"^[a-z]+://", item, re.I):
                name = urlsplit(item).netloc.removeprefix("www.")
            else:
                # the publisher: the citation up to its first comma or "reporting of ..."
                name = re.split(r",| reporting | report on | press ", item)[0].strip()
            if name:
                seen.setdefault(name, None)
    names = list(seen)
    shown = names[:24]
    more = f"; and {len(names) - len(shown)} more" if len(names) > len(shown) else ""
    cited = f"Sources: {'; '.join(shown)}{more}. " if names else ""
    return textwrap.fill(cited + "Basemap: Natural Earth.", width=150)
