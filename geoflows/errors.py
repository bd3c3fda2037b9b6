"""Error and warning classes of geoflows.

Every error geoflows raises on purpose is a :class:`GeoflowsError`, and also the built-in
exception that fits (``ValueError``, ``LookupError``, ``OSError``), so callers can catch either.
Warnings use :class:`GeoflowsWarning` subclasses so they can be filtered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AggregationError",
    "AmbiguousPlace",
    "BuildError",
    "BuildProblem",
    "CacheWarning",
    "ExtractError",
    "FlowValidationError",
    "GeocodeError",
    "GeoflowsError",
    "GeoflowsWarning",
    "InputFileError",
    "OptionError",
    "PlaceNotFound",
    "RouteFallbackWarning",
    "StyleError",
    "UnknownOptionError",
    "terminal_text",
    "warn",
]


class GeoflowsError(Exception):
    """Base class of every error geoflows raises on purpose.

    Examples
    --------
    >>> import geoflows as gf
    >>> issubclass(gf.PlaceNotFound, gf.GeoflowsError)
    True
    """


class GeocodeError(GeoflowsError, LookupError):
    """A place name could not be resolved to one place.

    Examples
    --------
    >>> import geoflows as gf
    >>> try:
    ...     gf.geocode("Xqzzyville")
    ... except gf.GeocodeError as e:
    ...     print(type(e).__name__)
    PlaceNotFound
    """


class PlaceNotFound(GeocodeError):
    """No place matches the name; ``suggestions`` lists the closest names.

    Examples
    --------
    >>> import geoflows as gf
    >>> try:
    ...     gf.geocode("Vladivostk")
    ... except gf.PlaceNotFound as e:
    ...     "Vladivostok" in e.suggestions
    True
    """

    def __init__(self, message: str, *, query: str = "", suggestions: list[str] | None = None):
        super().__init__(message)
        self.query = query
        self.suggestions = list(suggestions or [])


class AmbiguousPlace(GeocodeError):
    """Several places match the name equally well; ``candidates`` lists them.

    Examples
    --------
    >>> import geoflows as gf
    >>> try:
    ...     gf.geocode("Springfield")
    ... except gf.AmbiguousPlace as e:
    ...     len(e.candidates) > 1
    True
    """

    def __init__(self, message: str, *, query: str = "", candidates: list | None = None):
        super().__init__(message)
        self.query = query
        self.candidates = list(candidates or [])


class FlowValidationError(GeoflowsError, ValueError):
    """Flow records broke the data contract; ``problems`` lists every one.

    Each problem is a :class:`Problem` naming the file, the 1-based row (as a spreadsheet shows
    it: the header is row 1), the field, the value and the rule broken.

    Examples
    --------
    >>> import geoflows as gf
    >>> try:
    ...     gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": -5}])
    ... except gf.FlowValidationError as e:
    ...     print(e.problems[0].field)
    volume
    """

    def __init__(self, problems: list, source: str | None = None):
        self.problems = list(problems)
        self.source = source
        head = f"{len(self.problems)} problem(s) in {source or 'the flow records'}:"
        lines = [head] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class InputFileError(GeoflowsError, OSError):
    """An input file is missing, a directory, empty, or not readable in its encoding.

    Examples
    --------
    >>> import geoflows as gf
    >>> try:
    ...     gf.read_flows("no/such/file.csv")
    ... except gf.InputFileError as e:
    ...     print("no such file" in str(e))
    True
    """


@dataclass(frozen=True)
class BuildProblem:
    """One thing wrong in a build: where it is (map, input, field), the value, what, the fix.

    Examples
    --------
    >>> str(BuildProblem("no such file", input="flows", field="path", value="x.csv"))
    "input 'flows', path 'x.csv': no such file"
    """

    message: str
    map: str = ""
    input: str = ""
    field: str = ""
    value: object = None
    hint: str = ""

    def __str__(self) -> str:
        """Name where the problem is, the value and the message on one line."""
        field = f"{self.field} {self.value!r}" if self.value is not None else self.field
        where = [
            f"map {self.map!r}" if self.map else "",
            f"input {self.input!r}" if self.input else "",
        ]
        at = ", ".join(x for x in (*where, field) if x)
        return f"{at}: {self.message}" if at else self.message


class BuildError(GeoflowsError, ValueError):
    """A build file is invalid or a map in it could not be built.

    ``problems`` lists what is wrong as :class:`BuildProblem` items (map, input, field, value,
    message, hint), so a program (or the command line) need not read the message apart.

    Examples
    --------
    >>> import geoflows as gf
    >>> issubclass(gf.BuildError, ValueError)
    True
    >>> err = gf.BuildError.listing("maps.yaml", [BuildProblem("unknown input 'x'", map="a")])
    >>> print(err)
    1 problem in maps.yaml:
      - map 'a': unknown input 'x'
    >>> err.problems[0].map
    'a'
    """

    def __init__(
        self, message: str, problems: Sequence[BuildProblem] = (), *, hint: str | None = None
    ) -> None:
        self.problems = list(problems)
        if hint is not None:
            self.hint = hint
        super().__init__(message)

    @classmethod
    def listing(cls, where: str, problems: Sequence[BuildProblem | str]) -> BuildError:
        """Make the error for several problems in ``where``: a count, then one line each."""
        items = [p if isinstance(p, BuildProblem) else BuildProblem(str(p)) for p in problems]
        head = f"{len(items)} problem{'s' if len(items) != 1 else ''} in {where}:"
        return cls("\n".join([head] + [f"  - {p}" for p in items]), items)


class OptionError(GeoflowsError, ValueError):
    """An option or argument has a value geoflows does not know; the message lists the valid ones.

    Examples
    --------
    >>> import geoflows as gf
    >>> issubclass(gf.OptionError, ValueError)
    True
    """


class UnknownOptionError(OptionError, TypeError):
    """A function was given a keyword argument it does not take; the message suggests the closest.

    A ``TypeError`` as Python's own for an unexpected keyword, and an :class:`OptionError`.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    >>> try:
    ...     flows.to_folium(zoom_contrl=False)
    ... except TypeError as e:
    ...     print(str(e).split("?")[0])
    unknown option 'zoom_contrl'; did you mean 'zoom_control'
    """


class StyleError(OptionError):
    """A style option (a width domain, a scale) is invalid; the message names it and its value.

    Examples
    --------
    >>> import geoflows as gf
    >>> issubclass(gf.StyleError, ValueError)
    True
    """


class AggregationError(GeoflowsError, ValueError):
    """An aggregation was asked for something the records cannot give (a column, a period).

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    >>> try:
    ...     flows.aggregate(period="D")
    ... except gf.AggregationError as e:
    ...     print(e)
    period 'D' is not a valid option, must be one of None, 'W', 'M', 'Q', 'Y'
    """


class GeoflowsWarning(UserWarning):
    """Base class of geoflows warnings.

    Examples
    --------
    >>> import warnings, geoflows as gf
    >>> warnings.simplefilter("ignore", gf.GeoflowsWarning)
    """


class RouteFallbackWarning(GeoflowsWarning):
    """A sea or rail route could not be found and a geodesic was drawn instead.

    Examples
    --------
    >>> import geoflows as gf
    >>> issubclass(gf.RouteFallbackWarning, gf.GeoflowsWarning)
    True
    """


class UnitSpellingWarning(GeoflowsWarning):
    """Units that differ only by case, a plural or one letter (``drones``, ``Drones``, ``droens``).

    Its ``spellings`` attribute lists each group as ``[(spelling, count), ...]``, most used
    first; ``units=`` of :func:`geoflows.read_flows` maps them onto one unit.

    Examples
    --------
    >>> import geoflows as gf
    >>> issubclass(gf.UnitSpellingWarning, gf.GeoflowsWarning)
    True
    """


class CacheWarning(GeoflowsWarning):
    """A disk cache could not be read or written; geoflows went on without it.

    Examples
    --------
    >>> import geoflows as gf
    >>> issubclass(gf.CacheWarning, gf.GeoflowsWarning)
    True
    """


def _user_stacklevel() -> int:
    """Return the ``stacklevel`` that makes a warning point at the first frame outside geoflows.

    Like pandas' ``find_stack_level``: a warning raised deep inside ``read_flows`` then names the
    user's own line (a notebook cell, a script), not a line of geoflows.
    """
    import inspect
    import os

    package = os.path.dirname(os.path.abspath(__file__))
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None:
            filename = os.path.abspath(frame.f_code.co_filename)
            if not filename.startswith(package + os.sep):
                break
            frame = frame.f_back
            level += 1
    finally:
        del frame
    # level counts the frames inside geoflows, this helper included; warnings.warn is called one
    # frame below its caller, which the helper's own frame stands in for.
    return max(level, 1)


def warn(message: str, category: type[Warning], **attributes: object) -> None:
    """Issue ``category(message)`` at the user's line, with structured ``attributes``.

    Attributes (for example ``reason`` and ``flows``) are set on the warning object, so code that
    catches warnings reads them instead of parsing the message.

    Examples
    --------
    >>> import warnings
    >>> from geoflows.errors import GeoflowsWarning, warn
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("something to know", GeoflowsWarning, reason="example")
    >>> caught[0].message.reason, caught[0].filename.endswith("errors.py")
    ('example', False)
    """
    import warnings

    w = category(message)
    for key, value in attributes.items():
        setattr(w, key, value)
    warnings.warn(w, stacklevel=_user_stacklevel())


# Control characters: C0 (but the newline), DEL and C1; the second also takes the newline.
_CONTROL_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE_RE = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def terminal_text(text: object, *, newlines: bool = True) -> str:
    r"""Return ``text`` safe to print on a terminal: every control character written as an escape.

    C0 controls (ESC, BEL, CR, …), DEL and C1 controls (U+0080–U+009F, e.g. the one-byte CSI
    U+009B) become ``\r``, ``\x1b``, ``\x9b``…, so data text (a place name, a note) cannot move
    the cursor, erase the screen, set the window title or write the clipboard (OSC 52).
    ``newlines=False`` also escapes ``\n`` (a cell of one line).

    Examples
    --------
    >>> print(terminal_text("Rajin\x1b]52;c;aGk=\x07\r\x9b2J"))
    Rajin\x1b]52;c;aGk=\x07\r\x9b2J
    >>> terminal_text("two\nlines"), terminal_text("two\nlines", newlines=False)
    ('two\nlines', 'two\\nlines')
    """
    pattern = _CONTROL_RE if newlines else _CONTROL_OR_NEWLINE_RE
    return pattern.sub(
        lambda m: _NAMED_ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), str(text)
    )


class ExtractError(GeoflowsError, ValueError):
    """A report cannot be read for flows: empty, binary, HTML, too large, or a bad date.

    Examples
    --------
    >>> import geoflows as gf
    >>> try:
    ...     gf.extract_flows("", published="2024-06-27")
    ... except gf.ExtractError as e:
    ...     print("empty" in str(e))
    True
    """
