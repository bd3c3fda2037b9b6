"""How flows show themselves in a notebook: live map, plain summary and a picture.

Jupyter picks the richest part of the bundle it may show: a trusted notebook runs the live map
(``text/html``); an untrusted JupyterLab notebook, which strips the map's iframe, and static
viewers show the picture (``image/png``) or the summary (``text/plain``) instead of nothing.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pandas as pd

from geoflows.render._frames import flow_frame, unresolved_table

__all__ = ["flows_summary", "notebook_bundle"]

#: The frame's ``onload``: ask the page whether the map is there; on the answer, hide the
#: picture and the hint (the map shows) or the empty frame (the picture shows, with why).
#: ``window.`` is written out: inside a handler attribute a bare name is the element's first.
_SHOWN_CHECK = (
    "var f=this,s=f.nextElementSibling;"
    "function a(e){var d=e.data;if(e.source!==f.contentWindow||!d||d.type!=='geoflows:shown')"
    "return;window.removeEventListener('message',a);if(d.shown){s.style.display='none';return;}"
    "f.style.display='none';s.style.display='';"
    "var h=s.querySelector('.geoflows-hint');if(h)h.textContent=s.getAttribute('data-empty');}"
    "window.addEventListener('message',a);f.contentWindow.postMessage({type:'geoflows:shown?'},'*');"
)
#: Said under the picture when the frame loaded but the map did not draw.
EMPTY_HINT = (
    "The live map could not start: Leaflet did not load (with gf.options.notebook_assets = "
    "\u201ccdn\u201d it comes from cdn.jsdelivr.net, which may be unreachable). Set "
    "gf.options.notebook_assets = \u201cinline\u201d and run the cell again, or save the map "
    "with flows.save_map(\u201cmap.html\u201d)."
)

#: Shown under the map, and hidden by the map's frame once it loads: what to do when the map
#: cannot show. JupyterLab 4 has no "Trust" menu item: the command is in the command palette.
TRUST_HINT = (
    "No map above? The notebook is probably not trusted, so its maps cannot run: in JupyterLab "
    "open the command palette (Ctrl+Shift+C), run \u201cTrust Notebook\u201d and run the cell "
    "again; in VS Code or Classic Notebook use \u201cTrust\u201d. Or save the map with "
    "flows.save_map(\u201cmap.html\u201d) and open the file."
)


def _place_names(gdf: Any) -> list[str]:
    """One name per distinct place the flows join, found by resolved coordinates.

    Two spellings of one place (``Chongjin`` and ``청진``) count once; the first spelling in
    name order stands for it.
    """
    ends = [(e, f"{e}_lat", f"{e}_lon") for e in ("origin", "destination")]
    if not all(c in gdf.columns for end in ends for c in end):
        return sorted(set(gdf["origin"].dropna()) | set(gdf["destination"].dropna()))
    table = pd.concat(
        [pd.DataFrame({"name": gdf[e], "lat": gdf[y], "lon": gdf[x]}) for e, y, x in ends]
    ).dropna()
    table[["lat", "lon"]] = np.round(table[["lat", "lon"]].to_numpy(dtype=float), 5)
    table = table.sort_values("name", kind="stable").drop_duplicates(["lat", "lon"])
    return sorted(table["name"].astype(str))


def flows_summary(gdf: Any, unresolved: pd.DataFrame | None = None) -> str:
    """Say in one paragraph what the flows hold: flows, places, units, dates, sources.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The flows, one row each (a ``FlowSet`` is asked for its frame).
    unresolved : pandas.DataFrame, optional
        The rows left off the map for unknown places (a ``FlowSet``'s own by default).

    Returns
    -------
    str

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows("data/black_sea_grain_2023.csv")
    >>> print(flows_summary(flows.to_geodataframe()))  # doctest: +ELLIPSIS
    5 flows between 5 places; units: tonnes (4 flows), ships (1 flow); dates 2022-08-01 to ...
    """
    missing = len(unresolved_table(gdf, unresolved))
    gdf = flow_frame(gdf)
    n = len(gdf)
    names = _place_names(gdf)
    parts = [f"{n} flow{'s' if n != 1 else ''} between {len(names)} places"]
    if missing:
        parts[0] += f" ({missing} with unresolved places, not drawn)"
    counts = gdf["unit"].fillna("").replace("", "(no unit)").value_counts()
    units = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    parts.append(
        "units: "
        + ", ".join(f"{u} ({c} flow{'s' if c != 1 else ''})" for u, c in units[:6])
        + (f" and {len(units) - 6} more" if len(units) > 6 else "")
    )
    starts, ends = gdf["start"].dropna(), gdf["end"].fillna(gdf["start"]).dropna()
    if len(starts):
        parts.append(f"dates {starts.min():%Y-%m-%d} to {max(ends.max(), starts.max()):%Y-%m-%d}")
    else:
        parts.append("undated")
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    parts.append(f"places: {shown}")
    return "; ".join(parts) + "."


def _png(lines: Any) -> bytes | None:
    """Draw the static figure of ``lines`` as PNG bytes for a notebook.

    ``lines`` is a frame of flows with the lines the figure draws; another object (a
    ``FlowSet``) is asked for its ``to_geodataframe()``, as ``FlowSet.plot`` draws it.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from geoflows.render._static import plot_flows

    if not isinstance(lines, pd.DataFrame):
        lines = lines.to_geodataframe()
    if not len(lines):
        return None
    # The print figure's own layout (legend and sources below the map), at screen size.
    ax = plot_flows(lines, figsize=(8, 5.6))
    fig = ax.figure
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80, metadata={"Software": None})
        return buf.getvalue()
    finally:
        plt.close(fig)


def notebook_bundle(
    gdf: Any,
    *,
    unresolved: pd.DataFrame | None = None,
    lines: Any = None,
    **options: Any,
) -> dict[str, Any]:
    r"""Make the notebook display of the flows: ``text/html``, ``text/plain`` and ``image/png``.

    ``gf.options.notebook_assets`` chooses where the live map takes Leaflet from and
    ``gf.options.notebook_png`` whether the picture is added.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The flows as the map takes them (a ``FlowSet`` is asked for its frame).
    unresolved : pandas.DataFrame, optional
        The rows left off the map, counted in the summary (a ``FlowSet``'s own by default).
    lines : geopandas.GeoDataFrame, optional
        The flows as the picture draws them (``FlowSet.to_geodataframe()``: geodesics dense,
        lines split at 180°); ``gdf`` by default.
    **options
        Map options, as for :func:`~geoflows.render.flow_map`.

    Returns
    -------
    dict
        MIME type → content.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows("data/black_sea_grain_2023.csv")
    >>> frame = flows.to_geodataframe(split_antimeridian=False, dense=False)
    >>> bundle = notebook_bundle(frame, lines=flows.to_geodataframe())
    >>> sorted(bundle)
    ['image/png', 'text/html', 'text/plain']
    >>> bundle["image/png"][:4]
    b'PNG'
    """
    import html

    from geoflows.options import options as session
    from geoflows.render._folium import notebook_html

    options.setdefault("assets", session.notebook_assets)
    frame = notebook_html(gdf, answer_shown=True, **options)
    # Once the frame has loaded, it is asked whether the map is there (Leaflet from a CDN may
    # not have come): only then are the picture and the hint hidden; a frame left empty is
    # hidden instead, the picture shown in its place with a word on why. Where frames are
    # stripped (untrusted notebooks, static viewers) no handler runs and the picture stays.
    frame = frame.replace("<iframe ", f'<iframe onload="{html.escape(_SHOWN_CHECK)}" ', 1)
    summary = flows_summary(gdf, unresolved)
    png = _png(gdf if lines is None else lines) if session.notebook_png else None
    picture = ""
    if png is not None:
        # The same picture inside the HTML, for viewers that show sanitised HTML (untrusted
        # JupyterLab notebooks) rather than the image part of the bundle.
        data = base64.b64encode(png).decode("ascii")
        picture = (
            f'<img src="data:image/png;base64,{data}" alt="{html.escape(summary)}" '
            'style="max-width:100%;display:block">'
        )
    fallback = (
        f'<div class="geoflows-fallback" data-empty="{html.escape(EMPTY_HINT)}">{picture}'
        '<p class="geoflows-hint" style="font:12px/1.4 sans-serif;color:#555;margin:4px 0">'
        + html.escape(TRUST_HINT)
        + "</p></div>"
    )
    bundle: dict[str, Any] = {
        "text/html": f'<div class="geoflows-output">{frame}{fallback}</div>',
        "text/plain": summary,
    }
    if png is not None:
        bundle["image/png"] = png
    return bundle
