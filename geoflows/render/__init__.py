r"""Rendering: the FlowLayer, offline assets, deterministic HTML, notebook display, static plots.

All flows of a map travel to the browser as **one** JSON payload (numpy-built arrays, rounded
coordinates), drawn by our own small script (the modules of ``_data/js/``, joined in one scope).
Text from data is escaped in the payload (``<``, ``>``, ``&``, ``{``, ``}``, U+2028, U+2029 become
``\uXXXX``), the script element is added to the page as raw text (never parsed by Jinja2), and
the browser puts every string into the page with ``textContent``. See ``docs/safety.md``.
"""

from __future__ import annotations

from geoflows.render._assets import LEAFLET_VERSION
from geoflows.render._basemap import BASEMAPS, basemap
from geoflows.render._folium import (
    ASSETS,
    FOLIUM_MAP_ARGUMENTS,
    LAYER_ARGUMENTS,
    NOTEBOOK_WARN_BYTES,
    FlowLayer,
    flow_map,
    map_html,
    notebook_html,
)
from geoflows.render._payload import (
    CANVAS_THRESHOLD,
    build_payload,
    decode_coords,
    expand,
    flow_lines,
    payload_fields,
    safe_json,
)

__all__ = [
    "ASSETS",
    "BASEMAPS",
    "CANVAS_THRESHOLD",
    "FOLIUM_MAP_ARGUMENTS",
    "LAYER_ARGUMENTS",
    "LEAFLET_VERSION",
    "NOTEBOOK_WARN_BYTES",
    "FlowLayer",
    "basemap",
    "build_payload",
    "decode_coords",
    "expand",
    "flow_lines",
    "flow_map",
    "map_html",
    "notebook_html",
    "payload_fields",
    "plot_flows",
    "safe_json",
]


def __getattr__(name: str) -> object:
    # plot_flows loads on first use: a map page does not need the static figure's module
    if name == "plot_flows":
        from geoflows.render._static import plot_flows

        return plot_flows
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
