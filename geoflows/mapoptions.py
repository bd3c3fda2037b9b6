"""Map options, defined once: ``MAP_OPTIONS``.

Every option a map takes (``title``, ``scale``, ``color_by``, ...) is one :class:`MapOption`:
its name, kind, default, help text, allowed values, whether a list is expected, whether static
figures take it, its ``geoflows map`` flag and its build-file JSON Schema. The CLI flags, the
build-file schema (``geoflows schema``) and the options table of the docs are generated from
it, and :meth:`MapOptions.check` checks the options of every entry point against it
(:meth:`FlowSet.to_folium`, :meth:`FlowSet.save_map`, :meth:`FlowSet.save_png`, build files,
the CLI). The flow vocabularies used in filters come from :mod:`geoflows.schema` the same way
(:data:`FILTER_VOCABULARIES`).

This module imports only :mod:`geoflows.errors`, :mod:`geoflows.schema` and
:mod:`geoflows.style`, so every part may use it.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from geoflows.errors import OptionError
from geoflows.schema import KINDS, MODES
from geoflows.style import COLOR_FIELDS, CONFIDENCE_LEVELS, SCALES

__all__ = ["FILTER_VOCABULARIES", "MAP_OPTIONS", "MapOption", "MapOptions", "vocabulary_table"]

#: Allowed values of the filters that take a flow vocabulary (:meth:`FlowSet.filter`, the
#: ``filter:`` of build files): from the flow record contract, :mod:`geoflows.schema`.
FILTER_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "kinds": KINDS,
    "modes": MODES,
    "confidence": (*CONFIDENCE_LEVELS, "unknown"),
}

_PLAIN = ("text", "bool", "number", "integer", "date")
_KINDS = ("text", "choice", "bool", "number", "integer", "date", "value")


@dataclass(frozen=True)
class MapOption:
    """One map option: what it takes, its default, and where it may be given.

    Parameters
    ----------
    name : str
        The keyword argument (``color_by``).
    kind : {'text', 'choice', 'bool', 'number', 'integer', 'date', 'value'}
        What it takes; ``value`` is anything :attr:`check` accepts (described by :attr:`schema`).
    default : object
        The default of an HTML map.
    help : str
        One sentence for the docs table and ``geoflows map --help``.
    choices : tuple, optional
        The allowed values of a ``choice`` option (``None`` may be one).
    minimum : float, optional
        Smallest allowed number; with ``exclusive`` the number must be greater.
    exclusive : bool
        ``minimum`` itself is not allowed.
    nullable : bool
        ``None`` is allowed (it means "none" or "all", see the help).
    is_list : bool
        A list is expected; a bare string is taken as a list of one.
    static : True or str
        ``True`` when static figures (:meth:`FlowSet.plot`, ``save_png``...) take it, else the
        reason they do not, shown in the error.
    html : bool
        HTML maps take it (``False`` for options of static figures only).
    flags : tuple of str
        The ``geoflows map`` flags (``('--color-by', '--colour-by')``); empty: no flag.
    metavar : str, optional
        The flag's value in ``--help``.
    cli_parse : callable, optional
        Turns the flag's text into the option's value (raising ``ValueError`` with a reason).
    multiple : bool
        The flag may be repeated (its texts are passed to ``cli_parse`` as one tuple).
    schema : dict, optional
        The build-file JSON Schema of a ``value`` option (others derive it from their kind).
    check : callable, optional
        Returns the reason a value is not allowed, or None.

    Examples
    --------
    >>> from geoflows.mapoptions import MAP_OPTIONS
    >>> MAP_OPTIONS["scale"].choices
    ('sqrt', 'linear', 'log', 'quantiles', 'natural_breaks')
    >>> MAP_OPTIONS["scale"].json_schema()
    {'enum': ['sqrt', 'linear', 'log', 'quantiles', 'natural_breaks']}
    """

    name: str
    kind: str
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    exclusive: bool = False
    nullable: bool = False
    is_list: bool = False
    static: bool | str = True
    html: bool = True
    flags: tuple[str, ...] = ()
    metavar: str | None = None
    cli_parse: Callable[[Any], Any] | None = None
    multiple: bool = False
    schema: dict[str, Any] | None = None
    check: Callable[[Any], str | None] | None = None

    def json_schema(self) -> dict[str, Any]:
        """Return the JSON Schema (Draft 2020-12) fragment of the option's value.

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> MAP_OPTIONS["min_width"].json_schema()
        {'type': 'number', 'minimum': 0}
        """
        if self.schema is not None:
            return dict(self.schema)
        if self.kind == "choice":
            return {"enum": list(self.choices or ())}
        if self.kind == "date":
            return {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}]}
        word = {"text": "string", "bool": "boolean"}.get(self.kind, self.kind)
        out: dict[str, Any] = {"type": [word, "null"] if self.nullable else word}
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive else "minimum"] = self.minimum
        return out

    def allowed(self) -> str:
        """Return what the option takes, in words (for errors and the docs table).

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> MAP_OPTIONS["max_width"].allowed()
        'a number > 0'
        """
        if self.kind == "choice":
            return "one of " + ", ".join(_show(c) for c in self.choices or ())
        words = {
            "text": "text",
            "bool": "true or false",
            "number": "a number",
            "integer": "an integer",
            "date": "an ISO date YYYY-MM-DD",
            "value": (self.schema or {}).get("description", "a value"),
        }[self.kind]
        if self.minimum is not None:
            words += f" {'>' if self.exclusive else '≥'} {self.minimum:g}"
        return words + (" or None" if self.nullable and self.kind in _PLAIN else "")

    def cli_value(self) -> str:
        """Return the value of the option's ``geoflows map`` flag, as ``--help`` shows it.

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> MAP_OPTIONS["claims"].cli_value()
        'merge|separate'
        """
        if self.metavar:
            return self.metavar
        if self.kind == "choice":
            return "|".join("none" if c is None else str(c) for c in self.choices or ())
        return {"number": "NUMBER", "integer": "INTEGER", "bool": ""}.get(self.kind, "TEXT")

    def problem(self, value: Any) -> str | None:
        """Return why ``value`` is not allowed for this option, or None when it is.

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> MAP_OPTIONS["scale"].problem("lg")
        "bad value 'lg' for option 'scale'; did you mean 'log'? Valid values: 'sqrt', 'linear', 'log', 'quantiles', 'natural_breaks'"
        >>> MAP_OPTIONS["scale"].problem("log") is None
        True
        """
        if value is None and (self.nullable or None in (self.choices or ())):
            return None
        if self.kind == "choice":
            if any(value == c and type(value) is type(c) for c in self.choices or ()):
                return None
            valid = ", ".join(_show(c) for c in self.choices or ())
            near = _closest(value, [c for c in self.choices or () if isinstance(c, str)])
            return f"bad value {value!r} for option {self.name!r}{near} Valid values: {valid}"
        reason = _KIND_CHECKS[self.kind](self, value)
        if reason is None and self.check is not None:
            reason = self.check(value)
        if reason is None:
            return None
        return f"option {self.name!r} takes {self.allowed()}; got {value!r} ({reason})"


def _show(value: Any) -> str:
    return "None" if value is None else repr(value)


def _closest(word: Any, choices: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or ``";"`` when none is close."""
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.5)
    if not close:
        close = difflib.get_close_matches(str(word).lower(), choices, n=1, cutoff=0.5)
    return f"; did you mean {close[0]!r}?" if close else ";"


def _is_number(value: Any) -> bool:
    import numbers

    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _number_problem(option: MapOption, value: Any) -> str | None:
    if not _is_number(value) or value != value:
        return "not a number"
    if option.kind == "integer" and int(value) != value:
        return "not a whole number"
    low = option.minimum
    if low is not None and (value <= low if option.exclusive else value < low):
        return "too small"
    return None


def _bool_problem(option: MapOption, value: Any) -> str | None:
    import numpy as np

    return None if isinstance(value, bool | np.bool_) else "not true or false"


def _text_problem(option: MapOption, value: Any) -> str | None:
    return None if isinstance(value, str) else f"a {type(value).__name__}, not text"


def _date_problem(option: MapOption, value: Any) -> str | None:
    import pandas as pd

    if isinstance(value, str | _dt.date | pd.Timestamp):
        try:
            if not pd.isna(pd.Timestamp(value)):
                return None
        except (ValueError, TypeError):
            pass
    return "not a date"


_KIND_CHECKS: dict[str, Callable[[MapOption, Any], str | None]] = {
    "text": _text_problem,
    "bool": _bool_problem,
    "number": _number_problem,
    "integer": _number_problem,
    "date": _date_problem,
    "value": lambda option, value: None,
}


class MapOptions(Mapping[str, MapOption]):
    """The map options by name, and the checks every entry point makes with them.

    Use the one instance, :data:`MAP_OPTIONS`.

    Parameters
    ----------
    options : iterable of MapOption
        In the order of the docs table and ``--help``.

    Examples
    --------
    >>> from geoflows.mapoptions import MAP_OPTIONS
    >>> "title" in MAP_OPTIONS, MAP_OPTIONS["title"].static
    (True, True)
    >>> MAP_OPTIONS.check({"scale": "log", "focus": "Rajin"})
    {'scale': 'log', 'focus': ['Rajin']}
    """

    def __init__(self, options: Any) -> None:
        self._options = {o.name: o for o in options}
        unknown = {o.kind for o in self._options.values()} - set(_KINDS)
        if unknown:  # pragma: no cover (a mistake in this file)
            raise ValueError(f"unknown option kinds {unknown}")

    def __getitem__(self, name: str) -> MapOption:  # noqa: D105
        return self._options[name]

    def __iter__(self) -> Iterator[str]:  # noqa: D105
        return iter(self._options)

    def __len__(self) -> int:  # noqa: D105
        return len(self._options)

    def names(self, *, static: bool = False) -> list[str]:
        """Return the names HTML maps take, or (``static=True``) static figures take.

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> "tiles" in MAP_OPTIONS.names(), "tiles" in MAP_OPTIONS.names(static=True)
        (True, False)
        """
        if static:
            return [n for n, o in self._options.items() if o.static is True]
        return [n for n, o in self._options.items() if o.html]

    def check(
        self,
        options: Mapping[str, Any],
        *,
        door: str | None = None,
        static: bool = False,
        also: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Check option names and values; return them with bare strings made lists of one.

        Parameters
        ----------
        options : mapping
            Option name → value, as given by the user.
        door : str, optional
            The function called (``save_png``), named when it does not take an option.
        static : bool
            Check for a static figure (:meth:`FlowSet.plot`) instead of an HTML map.
        also : tuple of str
            The other arguments ``door`` takes (``dpi``), listed in the error.

        Returns
        -------
        dict
            The options, with a bare string given for a list option as a list of one.

        Raises
        ------
        OptionError
            Naming the unknown option or the bad value, the valid ones and the closest.

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> MAP_OPTIONS.check({"titel": "Transfers"})
        Traceback (most recent call last):
        ...
        geoflows.errors.OptionError: unknown option 'titel'; did you mean 'title'? Valid options: ...
        """
        valid = self.names(static=static)
        out: dict[str, Any] = {}
        for name, value in options.items():
            if name not in valid:
                raise OptionError(self._refusal(name, [*valid, *also], door=door, static=static))
            option = self._options[name]
            if option.is_list and isinstance(value, str):
                value = [value]
            problem = option.problem(value)
            if problem is not None:
                raise OptionError(problem)
            out[name] = value
        return out

    def _refusal(self, name: str, valid: list[str], *, door: str | None, static: bool) -> str:
        """Return the message for an option this entry point does not take."""
        option = self._options.get(name)
        takes = ", ".join(valid)
        if option is not None and static and option.static is not True:
            return f"{door or 'a static figure'} does not take {name!r} ({option.static}); it takes: {takes}"
        if option is not None:
            return f"{door or 'an HTML map'} does not take {name!r} (static figures only); it takes: {takes}"
        near = _closest(name, valid)
        return f"unknown option {name!r}{near} Valid options: {takes}"

    def markdown_table(self, *, cli: bool = False) -> str:
        """Return the docs table of the options (``cli=True``: of the ``geoflows map`` flags).

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> print(MAP_OPTIONS.markdown_table().splitlines()[2])
        | `title` | text or None | `None` | yes | Title over the map (and of the page). |
        """
        if cli:
            head = ["| flag | value | meaning |", "|---|---|---|"]
            rows = [
                f"| `{' / '.join(o.flags)}` | {_md(o.cli_value())} | {_md(o.help)} |"
                for o in self._options.values()
                if o.flags
            ]
            return "\n".join(head + rows)
        head = [
            "| option | takes | default | static figures | meaning |",
            "|---|---|---|---|---|",
        ]
        rows = [
            f"| `{o.name}` | {_md(o.allowed())} | {_md_default(o)} | "
            f"{'yes' if o.static is True else 'no: ' + o.static} | {_md(o.help)} |"
            for o in self._options.values()
        ]
        return "\n".join(head + rows)


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


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _md_default(option: MapOption) -> str:
    return f"`{option.default!r}`".replace("|", "\\|")


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
    return None if ok else "not a list of colours or a mapping of value to colour"


def _check_focus(value: Any) -> str | None:
    if isinstance(value, list | tuple) and len(value) > 0:
        return None  # names or a box: resolved (and named in errors) where the map is drawn
    return "not place names or a (west, south, east, north) box"


def _check_tiles(value: Any) -> str | None:
    if isinstance(value, str) or type(value).__name__ == "TileProvider":
        return None
    return "not a name, a URL or an xyzservices provider"


def _check_height(value: Any) -> str | None:
    return None if isinstance(value, str) or _is_number(value) else "not a CSS length"


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
            "Thinnest line, pixels (static figures: points, default 0.8).",
            minimum=0, flags=("--min-width",),
        ),
        MapOption(
            "max_width", "number", 14.0,
            "Thickest line, pixels (static figures: points, default 8).",
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
            "at", "date", None, "Show the flows active on this date first (None: all dates).",
            nullable=True, static=_NO_SLIDER, flags=("--at",), metavar="YYYY-MM-DD",
        ),
        MapOption(
            "time_window_days", "integer", 30, "Days the time slider's window spans.",
            minimum=1, static=_NO_SLIDER, flags=("--time-window-days",),
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
