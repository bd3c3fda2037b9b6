"""The folium side: FlowLayer, the map, deterministic HTML and the notebook display."""

from __future__ import annotations

import html
import re
import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd
from folium.map import Layer

from geoflows.errors import GeoflowsError, GeoflowsWarning, UnknownOptionError
from geoflows.mapoptions import MAP_OPTIONS
from geoflows.render._assets import (
    LEAFLET_VERSION,
    _asset_bytes,
    _inline_script,
    _leaflet_css_inline,
    _leaflet_inline_js,
    _raw_element,
    _script,
    _sri,
    _style,
)
from geoflows.render._payload import _union, build_payload, safe_json, shared_basemap
from geoflows.style import PALETTE

if TYPE_CHECKING:
    import folium

ASSETS = ("inline", "cdn")
#: Payload size above which the notebook display warns.
NOTEBOOK_WARN_BYTES = 5_000_000


class FlowLayer(Layer):
    """Adds flows to a folium Map as one overlay layer drawn from one escaped JSON payload.

    A folium ``Layer`` (an overlay, like a ``FeatureGroup``): ``folium.LayerControl()`` lists
    it by its ``name``, and unticking it there hides its flows, place circles, waypoints,
    place names, legend, filter, slider and search box (the basemap, which is geography,
    stays). Add it with :meth:`add_to` (which returns the layer) and find it among a map's
    children by type. Use :meth:`FlowSet.to_folium` unless you are assembling a map by hand.
    The layer's script is added to the page as raw text, never parsed as a Jinja2 template.

    Several layers on one map share it: one basemap covering them all, the first view fitted
    to all of them, names that avoid each other; each has its own legend, filter and slider,
    headed by its name.

    Parameters
    ----------
    flows : geopandas.GeoDataFrame
        The flows, one row each with their resolved places and lines, as
        ``FlowSet.to_geodataframe(split_antimeridian=False, dense=False)`` gives them (a
        ``FlowSet`` itself is asked for that frame).
    name : str, optional
        The layer's name in a layer control and on its controls when several layers share
        the map; by default the ``title`` option, else ``"Flows"``. It is text: shown as
        written, never read as markup or as a template.
    overlay, control, show : bool
        As for ``folium.FeatureGroup``: an overlay (ticked on and off, not a base layer),
        listed in a layer control, shown when the page opens.
    assets : {'inline', 'cdn'}
        Where Leaflet comes from: vendored and inlined (works offline), or a pinned CDN URL with
        a subresource-integrity hash.
    fit : bool
        Fit the map to the flows when it opens (and when its container is resized, until the
        user moves the map).
    **options
        Passed to :func:`build_payload`.

    Attributes
    ----------
    name : str
        The name as given.
    layer_name : str
        The name as folium's ``LayerControl`` writes it into the page (Leaflet's control sets
        it as markup): the name with ``<``, ``>``, ``&``, quotes and braces as character
        references, so the control shows the name's own characters.

    Examples
    --------
    >>> import folium, geoflows as gf
    >>> m = folium.Map(tiles=None)
    >>> layer = FlowLayer(gf.read_flows("data/dprk_russia_2023_2024.csv"), name="Arms").add_to(m)
    >>> [c for c in m._children.values() if isinstance(c, FlowLayer)] == [layer]
    True
    >>> layer.name, layer.overlay, layer.control, layer.show
    ('Arms', True, True, True)
    >>> FlowLayer(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])).name
    'Flows'
    >>> FlowLayer(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]),
    ...           name="{{ 7*7 }} <b>").layer_name
    '&#123;&#123; 7*7 &#125;&#125; &lt;b&gt;'
    """

    def __init__(
        self,
        flows: pd.DataFrame,
        *,
        name: str | None = None,
        overlay: bool = True,
        control: bool = True,
        show: bool = True,
        assets: str = "inline",
        fit: bool = True,
        **options: Any,
    ) -> None:
        if assets not in ASSETS:
            raise GeoflowsError(f"assets must be 'inline' or 'cdn'; got {assets!r}")
        checked = MAP_OPTIONS.check(options, door="FlowLayer")
        if name is not None and not isinstance(name, str):
            raise GeoflowsError(f"FlowLayer name must be text; got {name!r}")
        super().__init__(name=None, overlay=overlay, control=control, show=show)
        self._name = "FlowLayer"
        self.name = name if name is not None else (checked.get("title") or "Flows")
        self.layer_name = _html_text(self.name)
        self.payload = build_payload(flows, **checked)
        self.assets = assets
        self.fit = fit

    def payload_json(self) -> str:
        """Return the payload as safe JSON text (see :func:`safe_json`).

        Examples
        --------
        >>> import geoflows as gf
        >>> layer = FlowLayer(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]))
        >>> layer.payload_json().startswith('{"v":2')
        True
        """
        return safe_json(self.payload)

    def add_to(self, m: Any, name: str | None = None, index: int | None = None) -> FlowLayer:
        """Add the layer to ``m`` and return the layer.

        Examples
        --------
        >>> import folium, geoflows as gf
        >>> m = folium.Map(tiles=None)
        >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
        >>> layer = FlowLayer(flows).add_to(m)
        >>> isinstance(layer, FlowLayer) and "geoflowsDraw" in m.get_root().render()
        True
        """
        count = sum(1 for c in m._children.values() if isinstance(c, FlowLayer))
        self._id = str(count)  # get_name() is then "flow_layer_<count>": no random id
        m.add_child(self, name=name or self.get_name(), index=index)
        return self

    def _siblings(self) -> list[FlowLayer]:
        """Give the flow layers of this layer's map, in the order they were added (this one too)."""
        return [c for c in self._parent._children.values() if isinstance(c, FlowLayer)]

    def _page_payload(self, siblings: list[FlowLayer]) -> dict[str, Any]:
        """Give the payload as this page sends it: with several layers, one basemap for all."""
        carriers = [c for c in siblings if c.payload.get("basemap")]
        if len(siblings) < 2 or not carriers:
            return self.payload
        if self is not carriers[0]:
            return {**self.payload, "basemap": None}
        return {**self.payload, "basemap": shared_basemap([c.payload for c in siblings])}

    def _draw_options(self, siblings: list[FlowLayer]) -> dict[str, Any]:
        """Give the layer's own settings for ``geoflowsDraw``: shown, its name, the view."""
        out: dict[str, Any] = {"show": bool(self.show)}
        if len(siblings) > 1:
            out["label"] = self.name
            if self.fit:
                box = None
                for c in siblings:
                    box = _union(box, c.payload["focus"] or c.payload["bounds"])
                out["bounds"] = box
        return out

    def render(self, **kwargs: Any) -> None:
        """Put Leaflet, our script and style in the page head, and the one drawing call.

        The call, ``var flow_layer_<k> = geoflowsDraw(map, payload, fit, options);``, makes
        the Leaflet layer a layer control finds under this layer's ``get_name()``.
        """
        figure = self.get_root()
        header = figure.header
        if self.assets == "inline":
            header.add_child(_raw_element(_leaflet_inline_js()), name="leaflet")
            header.add_child(
                _raw_element(f"<style>{_leaflet_css_inline()}</style>"), name="leaflet_css"
            )
        else:
            base = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"
            header.add_child(
                _raw_element(
                    f'<script src="{base}/leaflet.js" integrity="{_sri(_asset_bytes("leaflet/leaflet.js"))}" '
                    'crossorigin="anonymous"></script>'
                ),
                name="leaflet",
            )
            header.add_child(
                _raw_element(
                    f'<link rel="stylesheet" href="{base}/leaflet.css" integrity="{_sri(_asset_bytes("leaflet/leaflet.css"))}" '
                    'crossorigin="anonymous"/>'
                ),
                name="leaflet_css",
            )
        header.add_child(_raw_element(_inline_script(_script())), name="geoflows_js")
        header.add_child(
            _raw_element(f"<style>{_style()}</style>"),
            name="geoflows_css",
        )
        siblings = self._siblings()
        script = (
            f"var {self.get_name()} = geoflowsDraw({self._parent.get_name()}, "
            f"{safe_json(self._page_payload(siblings))}, {'true' if self.fit else 'false'}, "
            f"{safe_json(self._draw_options(siblings))});"
        )
        figure.script.add_child(_raw_element(script), name=self.get_name())


def _html_text(text: str) -> str:
    """Write ``text`` as HTML that shows it as it is, with no template delimiter in it.

    Examples
    --------
    >>> _html_text('{% if %} <img src=x onerror="alert(1)"> & \u2028')
    '&#123;% if %&#125; &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#8232;'
    """
    return html.escape(str(text), quote=True).translate(_TITLE_REFS)


def _tile_layer(tiles: Any) -> Any:
    import folium
    import xyzservices

    if tiles is None or (isinstance(tiles, str) and tiles.lower() == "none"):
        return None
    if isinstance(tiles, xyzservices.TileProvider):
        return folium.TileLayer(
            tiles.build_url(),
            attr=tiles.html_attribution,
            name=tiles.name,
            max_zoom=tiles.get("max_zoom", 18),
        )
    if isinstance(tiles, str) and re.search(r"\{\{|\{%|\{#", tiles):
        raise GeoflowsError(
            f"tiles URL {tiles!r} contains '{{{{', '{{%' or '{{#'; an XYZ URL uses {{z}}/{{x}}/{{y}}"
        )
    if isinstance(tiles, str) and (
        "{z}" in tiles or tiles.startswith(("http://", "https://", "file:", "/"))
    ):
        return folium.TileLayer(
            tiles,
            attr="Map tiles: " + html.escape(tiles.split("/")[2] if "//" in tiles else "local"),
        )
    if isinstance(tiles, str):
        try:
            provider = xyzservices.providers.query_name(tiles)
        except ValueError:
            # A group name ("OpenStreetMap", "CartoDB") means its first style, as in folium.
            group = xyzservices.providers.get(tiles)
            if (
                isinstance(group, xyzservices.Bunch)
                and not isinstance(group, xyzservices.TileProvider)
                and group
            ):
                return _tile_layer(next(iter(group.values())))
            provider = None
        if provider is None:
            raise GeoflowsError(
                f"tiles={tiles!r} is not an xyzservices provider name or an XYZ URL; try "
                "'OpenStreetMap', 'OpenTopoMap', an 'https://…/{z}/{x}/{y}.png' URL, or None"
            ) from None
        return _tile_layer(provider)
    raise GeoflowsError(
        f"tiles must be a name, a URL, an xyzservices provider or None; got {tiles!r}"
    )


#: folium.Map's own arguments that ``to_folium``, ``to_html`` and ``save_map`` pass to the new
#: map (``height`` and ``tiles`` are geoflows options of the same name, passed on too). The
#: Leaflet map options after ``font_size`` reach Leaflet through folium.Map's ``**kwargs``.
FOLIUM_MAP_ARGUMENTS = (
    "location", "width", "left", "top", "position", "min_zoom", "max_zoom", "zoom_start",
    "min_lat", "max_lat", "min_lon", "max_lon", "max_bounds", "crs", "control_scale",
    "prefer_canvas", "no_touch", "disable_3d", "png_enabled", "zoom_control", "font_size",
    "attribution_control", "close_popup_on_click", "box_zoom", "double_click_zoom",
    "dragging", "keyboard", "scroll_wheel_zoom", "touch_zoom", "tap", "inertia",
    "world_copy_jump", "max_bounds_viscosity", "zoom_snap", "zoom_delta", "zoom_animation",
    "fade_animation", "marker_zoom_animation", "bounce_at_zoom_limits",
)  # fmt: skip

#: FlowLayer's own arguments, which the map-making functions take too.
LAYER_ARGUMENTS = ("name", "show", "overlay", "control")

#: What geoflows gives a new map unless told otherwise (folium's own defaults for the rest).
_MAP_DEFAULTS: dict[str, Any] = {
    "location": [0, 0],
    "zoom_start": 2,
    "control_scale": True,
    "world_copy_jump": False,
}


def flow_map(
    flows: pd.DataFrame,
    *,
    m: folium.Map | None = None,
    tiles: Any = None,
    assets: str = "inline",
    height: str = "100%",
    basemap: str | None = "auto",
    **options: Any,
) -> folium.Map:
    """Make a folium Map showing the flows (or add the flows to ``m``).

    Parameters
    ----------
    flows : geopandas.GeoDataFrame
        The flows, as for :class:`FlowLayer` (a ``FlowSet`` is asked for its frame).
    m : folium.Map, optional
        Map to draw onto; by default a new one fitted to the flows (and to the other flow
        layers already on ``m``, when the flows are fitted).
    tiles : str, xyzservices.TileProvider or None
        None (default): no tiles, no tile requests, the map is fully offline. Tiles only when
        asked for: ``"OpenStreetMap"``, any xyzservices provider name (``"CartoDB.Positron"``)
        or an XYZ URL template; a tile request tells the tile server which area is looked at.
    assets : {'inline', 'cdn'}
        ``inline`` (default) embeds the vendored Leaflet: the page needs no network but for
        tiles. ``cdn`` links pinned Leaflet files with integrity hashes.
    height : str
        CSS height of the map.
    basemap : {'auto', 'countries', None}
        Offline land and borders shipped with geoflows, drawn under the tiles and the flows,
        so the land shows without tiles or when tiles fail to load. ``auto`` (default) and
        ``countries`` draw them; None leaves them out.
    **options
        The other map options (``title``, ``scale``, ``color_by``, ``focus``, ...): each is
        listed once, with what it takes and its default, in
        :data:`geoflows.mapoptions.MAP_OPTIONS` (and the table in docs/build.md).
        :class:`FlowLayer`'s ``name``, ``show``, ``overlay`` and ``control``. And, for a new
        map, folium.Map's own arguments (:data:`FOLIUM_MAP_ARGUMENTS`: ``zoom_control``,
        ``prefer_canvas``, ``min_zoom``, ``max_bounds``, ``width``, ``control_scale``, ...);
        ``location`` or ``zoom_start`` set the first view, so the map is not fitted to the
        flows.

    Returns
    -------
    folium.Map

    Raises
    ------
    OptionError
        For a bad value, naming it and the valid ones.
    UnknownOptionError
        For an unknown name (a ``TypeError`` too), naming it, the closest and the valid ones;
        also for folium.Map's arguments given with ``m`` (they make a new map).

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
    >>> m = flow_map(flows, tiles=None, title="Transfers")
    >>> m.get_root().render().count("geoflowsDraw(") == 1
    True
    >>> m = flow_map(flows, zoom_control=False, min_zoom=3, name="Arms")
    >>> page = m.get_root().render()
    >>> '"zoomControl": false' in page, '"minZoom": 3' in page
    (True, True)
    >>> m._children["flow_layer_0"].name
    'Arms'
    """
    folium_args = {k: options.pop(k) for k in FOLIUM_MAP_ARGUMENTS if k in options}
    layer_args = {k: options.pop(k) for k in LAYER_ARGUMENTS if k in options}
    given = {"tiles": tiles, "assets": assets, "height": height, "basemap": basemap, **options}
    options = MAP_OPTIONS.check(given, keep=LAYER_ARGUMENTS + FOLIUM_MAP_ARGUMENTS)
    tiles, assets, height, basemap = (
        options.pop(k) for k in ("tiles", "assets", "height", "basemap")
    )
    created = m is None
    if m is None:
        m = _new_map(tiles, height, folium_args)
    elif folium_args:
        raise UnknownOptionError(
            f"{', '.join(map(repr, folium_args))}: folium.Map arguments make a new map, and m= "
            "is given; set them on your folium.Map, or leave m out"
        )
    if basemap == "auto":
        basemap = "countries"
    if not created and options.get("palette") is None:
        options["palette"] = _palette_after(m)
    fit = created and not {"location", "zoom_start"} & set(folium_args)
    FlowLayer(flows, assets=assets, fit=fit, basemap=basemap, **layer_args, **options).add_to(m)
    # Ids from a counter, also on a user's own map: the same input gives the same bytes.
    _stable_ids(m.get_root())
    return m


def _palette_after(m: Any) -> list[str] | None:
    """Give the default palette with the colours of the flow layers already on ``m`` last.

    A second FlowSet on a map takes colours the first does not use, so two layers' lines are
    told apart (None: no layer there yet, the default palette as it is).

    Examples
    --------
    >>> import folium, geoflows as gf
    >>> m = folium.Map(tiles=None)
    >>> _palette_after(m) is None
    True
    >>> arms = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "category": "x"}])
    >>> _ = FlowLayer(arms).add_to(m)
    >>> _palette_after(m)[0] == PALETTE[1] and _palette_after(m)[-1] == PALETTE[0]
    True
    """
    used = {c for layer in m._children.values() if isinstance(layer, FlowLayer)
            for c in layer.payload["colors"]}  # fmt: skip
    if not used:
        return None
    return [c for c in PALETTE if c not in used] + [c for c in PALETTE if c in used]


def _new_map(tiles: Any, height: str, folium_args: dict[str, Any] | None = None) -> folium.Map:
    """Make the map geoflows draws on: no folium CDN assets, the tiles only when asked for."""
    import folium

    args = {**_MAP_DEFAULTS, **(folium_args or {})}
    m = folium.Map(tiles=None, height=height, **args)
    # folium gives min_zoom and max_zoom to the tiles it makes; there are none, so the map
    # itself takes them (Leaflet's minZoom and maxZoom), with or without tiles added later.
    for key in ("min_zoom", "max_zoom"):
        if args.get(key) is not None:
            m.options[key] = args[key]
    # Leaflet comes from FlowLayer (inline or pinned CDN); folium's CDN defaults are not needed.
    m.default_js = []
    m.default_css = []
    layer = _tile_layer(tiles)
    if layer is not None:
        layer.add_to(m)
    return m


def _stable_ids(root: Any) -> None:
    """Replace branca's random element ids with a counter, so the HTML is reproducible."""
    counter = 0

    def walk(element: Any) -> None:
        nonlocal counter
        if not isinstance(element, FlowLayer):
            element._id = f"{counter:04d}"
            counter += 1
        children = list(element._children.values())
        element._children.clear()
        for child in children:
            walk(child)
            element._children[child.get_name()] = child

    walk(root)


def map_html(flows: pd.DataFrame, **options: Any) -> str:
    """Return the map as one HTML page; the same input and options give the same bytes.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
    >>> map_html(flows, tiles=None) == map_html(flows, tiles=None)
    True
    >>> "<title>A &lt;b&gt; map</title>" in map_html(flows, tiles=None, title="A <b> map")
    True
    """
    root = flow_map(flows, **options).get_root()
    if options.get("title"):
        # The saved page's own title; a map added to the user's own page sets none.
        root.header.add_child(_raw_element(_title_tag(options["title"])), name="title")
    return root.render()


#: Characters of a title written as character references besides html.escape's: braces (no
#: template delimiters in the page, as in the payload) and the JavaScript line separators.
_TITLE_REFS = str.maketrans(
    {"{": "&#123;", "}": "&#125;", "\u2028": "&#8232;", "\u2029": "&#8233;"}
)


def _title_tag(title: str) -> str:
    """Write the page's ``<title>``: data text escaped, shown literally by the browser.

    Examples
    --------
    >>> _title_tag("{{7*7}} <b>")
    '<title>&#123;&#123;7*7&#125;&#125; &lt;b&gt;</title>'
    """
    return f"<title>{html.escape(str(title)).translate(_TITLE_REFS)}</title>"


#: The notebook frame's sandbox: scripts, and links opened in a new tab outside the sandbox
#: (the page's links carry ``rel="noopener noreferrer"``); never ``allow-same-origin``.
NOTEBOOK_SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"


#: Added to the notebook output's page: tells the notebook, when asked, whether the map drew
#: (Leaflet there and the map made), so a frame left empty shows the picture instead.
_SHOWN_ANSWER = (
    "<script>window.addEventListener('message',function(e){var d=e.data;"
    "if(e.source!==window.parent||!d||d.type!=='geoflows:shown?')return;"
    "window.parent.postMessage({type:'geoflows:shown',shown:typeof L==='object'&&"
    "!!document.querySelector('.leaflet-container')},'*');});</script>"
)


def notebook_html(
    flows: pd.DataFrame, height: int = 520, *, answer_shown: bool = False, **options: Any
) -> str:
    """Return the map for Jupyter: the page in a sandboxed iframe (scripts, no same origin).

    With ``answer_shown`` the page answers a ``geoflows:shown?`` message from the notebook
    with whether the map drew (the notebook output uses it to show its picture instead of a
    frame left empty, e.g. when Leaflet could not come from the CDN).

    Warns (:class:`GeoflowsWarning`) when the payload passes a few MB, since notebooks carry
    it in every saved copy.

    Examples
    --------
    >>> import geoflows as gf
    >>> out = notebook_html(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]))
    >>> f'sandbox="{NOTEBOOK_SANDBOX}"' in out and "allow-same-origin" not in out
    True
    """
    page = map_html(flows, **options)
    if answer_shown:
        page += _SHOWN_ANSWER
    if len(page) > NOTEBOOK_WARN_BYTES:
        warnings.warn(
            f"the map is {len(page) / 1e6:.1f} MB; notebooks store it in every saved copy. "
            "Consider flows.save_map('map.html') and opening the file, or fewer flows.",
            GeoflowsWarning,
            stacklevel=3,
        )
    return (
        f'<iframe sandbox="{NOTEBOOK_SANDBOX}" title="geoflows map" '
        f'srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{int(height)}px;border:none"></iframe>'
    )
