"""The model: one map option (:class:`MapOption`), the set of them (:class:`MapOptions`).

Values are checked by kind here; the options themselves are in :mod:`geoflows.mapoptions._options`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from geoflows.errors import OptionError, UnknownOptionError
from geoflows.schema import AT_FORMS, at_period

__all__ = ["MapOption", "MapOptions"]

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
            return {"anyOf": [{"$ref": "#/$defs/period"}, {"type": "null"}]}
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
            "date": AT_FORMS,
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
    import difflib  # only for a suggestion in an error

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
    return None if at_period(value) is not None else "not a day, a month or a year"


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
        keep: tuple[str, ...] = (),
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
        keep : tuple of str
            Names ``door`` takes besides the options (folium.Map's own arguments), returned
            unchecked: ``door`` checks them.

        Returns
        -------
        dict
            The options, with a bare string given for a list option as a list of one.

        Raises
        ------
        OptionError
            Naming the bad value and the valid ones; for an unknown name,
            :class:`~geoflows.errors.UnknownOptionError` (also a ``TypeError``), naming it, the
            closest valid one and all of them.

        Examples
        --------
        >>> from geoflows.mapoptions import MAP_OPTIONS
        >>> MAP_OPTIONS.check({"titel": "Transfers"})
        Traceback (most recent call last):
        ...
        geoflows.errors.UnknownOptionError: unknown option 'titel'; did you mean 'title'? Valid options: ...
        """
        valid = self.names(static=static)
        out: dict[str, Any] = {}
        for name, value in options.items():
            if name in keep:
                out[name] = value
                continue
            if name not in valid:
                error = OptionError if name in self._options else UnknownOptionError
                refusal = self._refusal(name, [*valid, *also], door=door, static=static, keep=keep)
                raise error(refusal)
            option = self._options[name]
            if option.is_list and isinstance(value, str):
                value = [value]
            problem = option.problem(value)
            if problem is not None:
                raise OptionError(problem)
            out[name] = value
        return out

    def _refusal(
        self, name: str, valid: list[str], *, door: str | None, static: bool, keep: tuple = ()
    ) -> str:
        """Return the message for an option this entry point does not take."""
        option = self._options.get(name)
        takes = ", ".join(valid)
        if keep:
            takes += "; and the arguments of FlowLayer and folium.Map: " + ", ".join(keep)
        if option is not None and static and option.static is not True:
            return f"{door or 'a static figure'} does not take {name!r} ({option.static}); it takes: {takes}"
        if option is not None:
            return f"{door or 'an HTML map'} does not take {name!r} (static figures only); it takes: {takes}"
        near = _closest(name, [*valid, *keep])
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


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _md_default(option: MapOption) -> str:
    return f"`{option.default!r}`".replace("|", "\\|")
