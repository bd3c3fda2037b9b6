"""The folium side: FlowLayer, the map, deterministic HTML and the notebook display."""

from __future__ import annotations

import html
import re
import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd
from branca.element import MacroElement

from geoflows.errors import GeoflowsError, GeoflowsWarning
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
from geoflows.render._payload import build_payload, safe_json

if TYPE_CHECKING:
    import folium

ASSETS = ("inline", "cdn")
#: Payload size above which the notebook display warns.
NOTEBOOK_WARN_BYTES = 5_000_000


class FlowLayer(MacroElement):
    """Adds flows to a folium Map as one layer drawn from one escaped JSON payload.

    A folium ``MacroElement``: add it with :meth:`add_to` (which returns the layer) and find
    it among a map's children by type. Use :meth:`FlowSet.to_folium` unless you are
    assembling a map by hand. The layer's script is added to the page as raw text, never
    parsed as a Jinja2 template.

    Parameters
    ----------
    flows : geopandas.GeoDataFrame
        The flows, one row each with their resolved places and lines, as
        ``FlowSet.to_geodataframe(split_antimeridian=False, dense=False)`` gives them (a
        ``FlowSet`` itself is asked for that frame).
    assets : {'inline', 'cdn'}
        Where Leaflet comes from: vendored and inlined (works offline), or a pinned CDN URL with
        a subresource-integrity hash.
    fit : bool
        Fit the map to the flows when it opens (and when its container is resized, until the
        user moves the map).
    **options
        Passed to :func:`build_payload`.

    Examples
    --------
    >>> import folium, geoflows as gf
    >>> m = folium.Map(tiles=None)
    >>> layer = FlowLayer(gf.read_flows("data/dprk_russia_2023_2024.csv")).add_to(m)
    >>> [c for c in m._children.values() if isinstance(c, FlowLayer)] == [layer]
    True
    """

    def __init__(
        self, flows: pd.DataFrame, *, assets: str = "inline", fit: bool = True, **options: Any
    ) -> None:
        super().__init__()
        if assets not in ASSETS:
            raise GeoflowsError(f"assets must be 'inline' or 'cdn'; got {assets!r}")
        self._name = "FlowLayer"
        self.payload = build_payload(flows, **MAP_OPTIONS.check(options, door="FlowLayer"))
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

    def render(self, **kwargs: Any) -> None:
        """Put Leaflet, our script and style in the page head, and the one drawing call."""
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
        script = (
            f"geoflowsDraw({self._parent.get_name()}, {self.payload_json()}, "
            f"{'true' if self.fit else 'false'});"
        )
        figure.script.add_child(_raw_element(script), name=self.get_name())


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
        Map to draw onto; by default a new one fitted to the flows.
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

    Returns
    -------
    folium.Map

    Raises
    ------
    OptionError
        For an unknown option or a bad value, naming it, the valid ones and the closest.

    Examples
    --------
    >>> import geoflows as gf
    >>> m = flow_map(gf.read_flows("data/dprk_russia_2023_2024.csv"), tiles=None, title="Transfers")
    >>> m.get_root().render().count("geoflowsDraw(") == 1
    True
    """
    given = {"tiles": tiles, "assets": assets, "height": height, "basemap": basemap, **options}
    options = MAP_OPTIONS.check(given)
    tiles, assets, height, basemap = (
        options.pop(k) for k in ("tiles", "assets", "height", "basemap")
    )
    created = m is None
    if m is None:
        m = _new_map(tiles, height)
    if basemap == "auto":
        basemap = "countries"
    FlowLayer(flows, assets=assets, fit=created, basemap=basemap, **options).add_to(m)
    # Ids from a counter, also on a user's own map: the same input gives the same bytes.
    _stable_ids(m.get_root())
    return m


def _new_map(tiles: Any, height: str) -> folium.Map:
    """Make the map geoflows draws on: no folium CDN assets, the tiles only when asked for."""
    import folium

    m = folium.Map(
        location=[0, 0],
        zoom_start=2,
        tiles=None,
        height=height,
        control_scale=True,
        world_copy_jump=False,
    )
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
