"""Every map option, once (:data:`MAP_OPTIONS`), and the flow vocabularies of filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from geoflows.mapoptions._model import MapOption, MapOptions, _is_number
from geoflows.schema import KINDS, MODES
from geoflows.style import COLOR_FIELDS, CONFIDENCE_LEVELS, SCALES, color_problem

__all__ = ["FILTER_VOCABULARIES", "MAP_OPTIONS", "vocabulary_table"]

#: Allowed values of the filters that take a flow vocabulary (:meth:`FlowSet.filter`, the
#: ``filter:`` of build files): from the flow record contract, :mod:`geoflows.schema`.
FILTER_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "kinds": KINDS,
    "modes": MODES,
    "confidence": (*CONFIDENCE_LEVELS, "unknown"),
}


def vocabulary_table() -> str:
    """Return the docs table of the filters that take a flow vocabulary, and their values.

    Examples
    --------
    >>> from geoflows.mapoptions import vocabulary_table
    >>> print(vocabulary_table().splitlines()[3])
    | `modes` | `sea`, `rail`, `road`, `air`, `unknown` |
    """
    rows = [
        f"| `{name}` | {', '.join(f'`{v}`' for v in values)} |"
        for name, values in FILTER_VOCABULARIES.items()
    ]
    return "\n".join(["| filter | values |", "|---|---|", *rows])


# ------------------------------------------------------------------------- CLI value parsers


def _parse_none(text: str) -> Any:
    """``none``, ``null``, ``off`` or empty text mean None."""
    return None if text.strip().lower() in ("none", "null", "off", "") else text


def _parse_focus(text: str) -> Any:
    """``W,S,E,N`` is a box; anything else is place names separated by ``;``."""
    try:
        box = tuple(float(x) for x in text.split(","))
    except ValueError:
        box = ()
    if len(box) == 4:
        return box
    return [name.strip() for name in text.split(";") if name.strip()]


def _parse_width_domain(texts: tuple[str, ...]) -> Any:
    """``LOW,HIGH`` for every unit, or ``UNIT=LOW,HIGH`` (repeated)."""
    domains: dict[str, tuple[float, float]] = {}
    for text in texts:
        unit, _, pair = text.rpartition("=")
        try:
            low, high = (float(x) for x in pair.split(","))
        except ValueError:
            raise ValueError(
                f"{text!r}: give LOW,HIGH or UNIT=LOW,HIGH, e.g. 0,5000 or containers=0,5000"
            ) from None
        domains[unit] = (low, high)
    if not domains:
        return None
    return domains.get("") if list(domains) == [""] else domains


def _parse_palette(text: str) -> Any:
    """``COLOUR,COLOUR,...`` (cycled) or ``VALUE=COLOUR,...`` (one colour per value)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if parts and all("=" in p for p in parts):
        return {k.strip(): v.strip() for k, v in (p.split("=", 1) for p in parts)}
    if any("=" in p for p in parts):
        raise ValueError(f"{text!r}: give COLOUR,... or VALUE=COLOUR,..., not a mix")
    return parts


# ----------------------------------------------------------------------- value checks


def _check_domain_value(value: Any) -> str | None:
    def pair(v: Any) -> bool:
        return (
            isinstance(v, list | tuple) and len(v) == 2 and all(_is_number(x) and x >= 0 for x in v)
        )

    if pair(value) or (isinstance(value, Mapping) and all(pair(v) for v in value.values())):
        return None
    return "not a (low, high) pair of numbers ≥ 0 or a mapping of unit to one"


def _check_palette(value: Any) -> str | None:
    if isinstance(value, Mapping):
        ok = all(isinstance(v, str) for v in value.values())
    else:
        ok = isinstance(value, list | tuple) and len(value) > 0
        ok = ok and all(isinstance(v, str) for v in value)
    if not ok:
        return "not a list of colours or a mapping of value to colour"
    colors = value.values() if isinstance(value, Mapping) else value
    return next((r for r in map(color_problem, colors) if r), None)


def _check_focus(value: Any) -> str | None:
    if isinstance(value, list | tuple) and len(value) > 0:
        return None  # names or a box: resolved (and named in errors) where the map is drawn
    return "not place names or a (west, south, east, north) box"


def _check_tiles(value: Any) -> str | None:
    if isinstance(value, str) or type(value).__name__ == "TileProvider":
        return None
    return "not a name, a URL or an xyzservices provider"


#: A CSS height the map takes: pixels or a percentage, nothing after it.
_HEIGHT_RE = re.compile(r"\s*(\d{1,6}(\.\d{1,6})?)\s*(px|%)?\s*")


def _check_height(value: Any) -> str | None:
    if _is_number(value) and value > 0:
        return None
    if isinstance(value, str) and len(value) <= 20 and _HEIGHT_RE.fullmatch(value):
        return None
    return "not a CSS length: give pixels (600, '600px') or a percentage ('100%')"


def _check_figsize(value: Any) -> str | None:
    ok = isinstance(value, list | tuple) and len(value) == 2
    return None if ok and all(_is_number(v) and v > 0 for v in value) else "not (width, height)"


_DOMAIN = {
    "type": "array",
    "items": {"type": "number", "minimum": 0},
    "minItems": 2,
    "maxItems": 2,
}
_NO_SLIDER = "a static figure shows every flow at once; choose them with flows.filter()"
_PAGE_ONLY = "it concerns the interactive page"

#: Every map option, once. The order is that of the docs table and ``geoflows map --help``.
MAP_OPTIONS = MapOptions(
    [
        MapOption(
            "title", "text", None, "Title over the map (and of the page).",
            nullable=True, flags=("--title",), metavar="TEXT",
        ),
        MapOption(
            "tiles", "value", None,
            "Web tiles: an xyzservices name (`OpenStreetMap`), an XYZ URL, or None (default: "
            "no tiles, no tile requests, fully offline).",
            check=_check_tiles, nullable=True,
            static="a static figure always draws the shipped basemap",
            flags=("--tiles",), metavar="NAME|URL|none", cli_parse=_parse_none,
            schema={"type": ["string", "null"], "description": "a tile name or URL, or None"},
        ),
        MapOption(
            "assets", "choice", "inline",
            "Leaflet embedded in the page (`inline`, works offline) or from a pinned CDN (`cdn`).",
            choices=("inline", "cdn"), static=_PAGE_ONLY, flags=("--assets",),
        ),
        MapOption(
            "height", "value", "100%", "CSS height of the map (`100%`, `600px`) or pixels.",
            check=_check_height, static="a static figure takes figsize instead",
            flags=("--height",), metavar="CSS",
            schema={"type": ["string", "number"], "description": "a CSS length or pixels"},
        ),
        MapOption(
            "basemap", "choice", "auto",
            "Shipped land and borders under the flows (`auto` and `countries` draw them; None "
            "leaves them out).",
            choices=("auto", "countries", None), flags=("--basemap",), cli_parse=_parse_none,
        ),
        MapOption(
            "scale", "choice", "sqrt", "Volume to line-width scale.",
            choices=SCALES, flags=("--scale",),
        ),
        MapOption(
            "min_width", "number", 1.5,
            "Thinnest line, pixels, at every zoom (static figures: points, default 0.8).",
            minimum=0, flags=("--min-width",),
        ),
        MapOption(
            "max_width", "number", 14.0,
            "Thickest line, pixels, from zoom 5 in: zoomed out, widths above min_width narrow "
            "with the map, to a quarter at zoom 3 (static figures: points, default 8).",
            minimum=0, exclusive=True, flags=("--max-width",),
        ),
        MapOption(
            "width_domain", "value", None,
            "A fixed width scale: (low, high) for every unit or {unit: (low, high)}, so widths "
            "compare across maps.",
            check=_check_domain_value, nullable=True, flags=("--width-domain",),
            metavar="[UNIT=]LOW,HIGH", cli_parse=_parse_width_domain, multiple=True,
            schema={
                "description": "a (low, high) pair or a mapping of unit to one, or None",
                "anyOf": [
                    {"type": "null"},
                    {"$ref": "#/$defs/domain"},
                    {"type": "object", "additionalProperties": {"$ref": "#/$defs/domain"}},
                ],
            },
        ),
        MapOption(
            "color_by", "choice", "category", "Field whose values pick the line colours.",
            choices=COLOR_FIELDS, flags=("--color-by", "--colour-by"),
        ),
        MapOption(
            "palette", "value", None,
            "Colours cycled over the values of `color_by`, or {value: colour}.",
            check=_check_palette, nullable=True, is_list=True, flags=("--palette",),
            metavar="COLOUR,...|VALUE=COLOUR,...", cli_parse=_parse_palette,
            schema={
                "description": "a list of colours or a mapping of value to colour, or None",
                "anyOf": [
                    {"type": "null"},
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    {"type": "object", "additionalProperties": {"type": "string"}},
                ],
            },
        ),
        MapOption(
            "time_slider", "bool", True, "Add the time slider (when flows have dates).",
            static=_NO_SLIDER, flags=("--time-slider/--no-time-slider",),
        ),
        MapOption(
            "at", "date", None,
            "Show the flows active on this day first, or in this month (`2024-10`) or year "
            "(`2024`): the slider's window is then all its days (None: all dates).",
            nullable=True, static=_NO_SLIDER, flags=("--at",), metavar="YYYY[-MM[-DD]]",
        ),
        MapOption(
            "time_window_days", "integer", None,
            "Days the time slider's window spans (None: 30; with a month or a year `at`, all "
            "its days).",
            minimum=1, nullable=True, static=_NO_SLIDER, flags=("--time-window-days",),
        ),
        MapOption(
            "precision", "integer", 4, "Decimals of the coordinates in the page.",
            minimum=0, static=_PAGE_ONLY, flags=("--precision",),
        ),
        MapOption(
            "simplify", "number", 0.005,
            "Degrees: vertices of shipped lanes closer than this to the line are dropped.",
            minimum=0, static=_PAGE_ONLY, flags=("--simplify",),
        ),
        MapOption(
            "arrows", "bool", True, "Arrowheads showing the direction of flows.",
            static="a static figure always draws arrowheads", flags=("--arrows/--no-arrows",),
        ),
        MapOption(
            "arrow_limit", "integer", 5000, "No arrowheads when more flows than this are in view.",
            minimum=0, static="a static figure always draws arrowheads",
            flags=("--arrow-limit",),
        ),
        MapOption(
            "markers", "bool", True, "Circles on the places.",
            static="a static figure always marks the places", flags=("--markers/--no-markers",),
        ),
        MapOption(
            "marker_limit", "integer", 5000, "No place circles above this many places.",
            minimum=0, static="a static figure always marks the places",
            flags=("--marker-limit",),
        ),
        MapOption(
            "max_flows", "integer", 200_000,
            "Above this many flows the page keeps the largest by volume (the legend says so).",
            minimum=1, static=_PAGE_ONLY, flags=("--max-flows",),
        ),
        MapOption(
            "claims", "choice", "merge",
            "Claims about one movement drawn as one line with their spread (`merge`) or side "
            "by side (`separate`).",
            choices=("merge", "separate"), static="a static figure draws every claim",
            flags=("--claims",),
        ),
        MapOption(
            "labels", "bool", True, "Place names on the map.", flags=("--labels/--no-labels",),
        ),
        MapOption(
            "focus", "value", None,
            "The first view: place names, or a (west, south, east, north) box in degrees.",
            check=_check_focus, nullable=True, is_list=True, flags=("--focus",),
            metavar="PLACE[;PLACE]|W,S,E,N", cli_parse=_parse_focus,
            schema={
                "description": "place names or a (west, south, east, north) box, or None",
                "anyOf": [
                    {"type": "null"},
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                    {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                ],
            },
        ),
        MapOption(
            "filter_open", "bool", False, "Open the filter panel when the page loads.",
            static=_PAGE_ONLY, flags=("--filter-open/--no-filter-open",),
        ),
        MapOption(
            "figsize", "value", (10, 7), "Static figures: (width, height) in inches.",
            check=_check_figsize, html=False,
            schema={"description": "(width, height), inches"},
        ),
        MapOption(
            "sources", "value", "auto",
            "Static figures: the line of sources under the map (`auto`: from the flows; text: "
            "as given; None: none).",
            check=lambda v: None if isinstance(v, str) else "not text", nullable=True,
            html=False, schema={"description": "'auto', text or None"},
        ),
        MapOption(
            "scale_bar", "bool", True, "Static figures: draw a scale bar.", html=False,
        ),
    ]
)  # fmt: skip
