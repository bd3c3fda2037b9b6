"""Static figures: the same encoding as the HTML map, drawn with matplotlib."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from geoflows.render._payload import build_payload, expand, flow_lines

if TYPE_CHECKING:
    from geoflows.flows import FlowSet


def plot_flows(
    flows: FlowSet,
    *,
    ax: Any = None,
    scale: str = "sqrt",
    min_width: float = 0.8,
    max_width: float = 8.0,
    color_by: str = "category",
    palette: Any = None,
    title: str | None = None,
    figsize: tuple[float, float] = (10, 7),
) -> Any:
    """Draw the flows with matplotlib: same widths, colours and dashes as the HTML map.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import geoflows as gf
    >>> ax = plot_flows(gf.read_flows("data/dprk_russia_2023_2024.csv"), title="Transfers")
    >>> ax.get_title()
    'Transfers'
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    payload = build_payload(
        flows,
        scale=scale,
        min_width=min_width,
        max_width=max_width,
        color_by=color_by,
        palette=palette,
        markers=True,
    )
    payload = expand(payload)
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    lines, mids = flow_lines(flows, max_flows=payload["n"])
    coords = np.concatenate(lines) if lines else np.zeros((0, 2))
    for i in range(payload["n"]):
        xy = lines[i]
        dash = (
            payload["unknownDash"]
            if payload["unknown"][i]
            else payload["dashes"][payload["conf"][i]]
        )
        style: Any = (0, tuple(float(x) / 2 for x in dash.split())) if dash else "solid"
        color = payload["colors"][payload["color"][i]]
        if payload["halo"][i]:
            ax.plot(
                xy[:, 0],
                xy[:, 1],
                color=color,
                alpha=0.25,
                linewidth=payload["halo"][i],
                solid_capstyle="butt",
            )
        ax.plot(
            xy[:, 0],
            xy[:, 1],
            color=color,
            linewidth=payload["width"][i],
            linestyle=style,
            alpha=0.9,
        )
        m = mids[i]
        ax.annotate(
            "",
            xy=(m[2], m[3]),
            xytext=(m[0], m[1]),
            arrowprops={
                "arrowstyle": "-|>",
                "color": color,
                "lw": 0,
                "mutation_scale": 8 + payload["width"][i],
            },
        )
    pl = payload["places"]
    scale = 10.0 ** payload["precision"]
    pl = {
        "name": pl["name"],
        "lon": np.asarray(pl["lon"]) / scale,
        "lat": np.asarray(pl["lat"]) / scale,
    }
    counts = np.bincount(
        np.concatenate([payload["o"], payload["d"]]).astype(int), minlength=len(pl["name"])
    )
    ax.scatter(
        pl["lon"],
        pl["lat"],
        s=(3 + 2 * np.sqrt(counts)) ** 2,
        c="white",
        edgecolors="#222",
        zorder=3,
    )
    for name, x, y in zip(pl["name"], pl["lon"], pl["lat"], strict=True):
        ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8)
    handles = [
        Line2D([], [], color=c, lw=3, label=k or "(none)")
        for k, c in zip(payload["colorKeys"], payload["colors"], strict=True)
    ]
    for lw in payload["legend"]["widths"]:
        handles += [
            Line2D([], [], color="#555", lw=w, label=f"{t} ({lw['scale']})")
            for t, w, _ in lw["samples"]
        ]
    ax.legend(handles=handles, loc="best", fontsize=7, frameon=True)
    ax.set_aspect(
        1
        / math.cos(
            math.radians(float(np.clip(np.mean(coords[:, 1]) if len(coords) else 0, -80, 80)))
        )
    )
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    if title:
        ax.set_title(title)
    return ax
