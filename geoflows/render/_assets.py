"""Offline assets of a map page: vendored Leaflet, our script and style, raw elements."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources
from typing import Any

from branca.element import Element

LEAFLET_VERSION = "1.9.4"


@cache
def _asset(name: str) -> str:
    return resources.files("geoflows").joinpath("_data", name).read_text(encoding="utf-8")


@cache
def _asset_bytes(name: str) -> bytes:
    return resources.files("geoflows").joinpath("_data", name).read_bytes()


@cache
def _leaflet_css_inline() -> str:
    css = _asset("leaflet/leaflet.css")

    def data_uri(match: re.Match[str]) -> str:
        png = base64.b64encode(_asset_bytes("leaflet/" + match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{png})"

    import rcssmin

    return rcssmin.cssmin(re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css))


@cache
def _script() -> str:
    """Join and minify our script.

    Every module of ``_data/js/`` in sorted order, then ``main.js``, inside one function
    scope, so modules share names without putting any on ``window`` but ``geoflowsDraw``.

    The repository keeps the readable sources; the page gets them through ``rjsmin``
    (comments and spaces removed, names kept), which is deterministic: the same sources give
    the same bytes.
    """
    import rjsmin

    folder = resources.files("geoflows").joinpath("_data", "js")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".js"))
    names = [n for n in names if n != "main.js"] + ["main.js"]
    parts = [_asset(f"js/{name}") for name in names]
    joined = (
        '(function () {\n"use strict";\n'
        + "\n".join(parts)
        + "\nwindow.geoflowsDraw = draw;\n})();\n"
    )
    return rjsmin.jsmin(joined) + "\n"


@cache
def _style() -> str:
    """Join and minify our style sheets (``geoflows.css``, ``labels.css``) with ``rcssmin``."""
    import rcssmin

    return rcssmin.cssmin(_asset("geoflows.css") + "\n" + _asset("labels.css"))


def _png_uri(name: str) -> str:
    return "data:image/png;base64," + base64.b64encode(
        _asset_bytes("leaflet/images/" + name)
    ).decode("ascii")


@cache
def _leaflet_inline_js() -> str:
    """Leaflet, plus its default marker icons as data URIs.

    Leaflet finds its icon images next to its CSS file; inlined there is no such file, so a
    folium Marker a user adds to the map would ask for ``marker-icon.png`` and fail offline.
    """
    icons = (
        'L.Icon.Default.imagePath = "";'
        "L.Icon.Default.mergeOptions({"
        f'iconUrl: "{_png_uri("marker-icon.png")}", '
        f'iconRetinaUrl: "{_png_uri("marker-icon-2x.png")}", '
        f'shadowUrl: "{_png_uri("marker-shadow.png")}"}});'
    )
    return _inline_script(_asset("leaflet/leaflet.js")) + _inline_script(icons)


def _sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


class _Raw(Element):
    """A branca Element that renders its text verbatim, never as a Jinja2 template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text as it is."""
        return self.text


def _raw_element(text: str) -> Any:
    """Wrap ``text`` in a branca Element that renders it verbatim, never as a Jinja2 template."""
    return _Raw(text)


def _inline_script(js: str) -> str:
    # "</" cannot end our own vendored scripts early: escape the sequence inside them.
    return "<script>" + js.replace("</script", "<\\/script") + "</script>"
