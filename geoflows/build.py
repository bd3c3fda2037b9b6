"""Batch builds: many maps from one YAML build file.

A build file names flow inputs, the filters and map options of each map, and where the maps go.
:func:`load_build_file` reads and validates it (every problem at once, each naming its key path);
:func:`build` renders every map, each on its own: one failing map never stops the others. Each
output is written atomically (temporary file in the same folder, ``fsync``, ``os.replace``) and
left untouched when its content has not changed.

See ``docs/build.md`` for the file format, and ``geoflows schema`` for its JSON Schema.

Examples
--------
>>> import geoflows as gf
>>> from geoflows.build import BuildSpec
>>> spec = BuildSpec.from_dict(
...     {"inputs": {"a": "a.csv"}, "maps": [{"name": "m", "input": "a"}]}, base_dir="/data"
... )
>>> spec.maps[0].inputs, str(spec.inputs["a"].path)
(('a',), '/data/a.csv')
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as _dt
import difflib
import hashlib
import json
import os
import re
import signal
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from geoflows.errors import (
    AmbiguousPlace,
    BuildError,
    FlowValidationError,
    GeoflowsError,
    GeoflowsWarning,
    InputFileError,
    PlaceNotFound,
)
from geoflows.io import write_atomic

__all__ = [
    "BuildReport",
    "build_maps",
    "BuildSpec",
    "InputSpec",
    "MapResult",
    "MapSpec",
    "build",
    "build_schema",
    "load_build_file",
]

#: Options :func:`build` sets unless the build file says otherwise: saved maps work offline.
_BUILD_OPTION_DEFAULTS: dict[str, Any] = {"assets": "inline"}


# --------------------------------------------------------------------------------------------
# The build file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputSpec:
    """One named flow input of a build file.

    Parameters
    ----------
    name : str
        The name maps refer to it by.
    path : pathlib.Path
        The flow file, already resolved against the build file's folder.
    route : str
        Route builder passed to :func:`geoflows.read_flows` (``auto``, ``sea``, ...).
    country : str or None
        ISO country code that biases place-name resolution.

    Examples
    --------
    >>> from pathlib import Path
    >>> from geoflows.build import InputSpec
    >>> InputSpec("grain", Path("grain.csv"), route="sea").route
    'sea'
    """

    name: str
    path: Path
    route: str = "auto"
    country: str | None = None


@dataclass(frozen=True)
class MapSpec:
    """One map of a build file.

    Parameters
    ----------
    name : str
        Output file stem: the map is written to ``<output_dir>/<name>.html``.
    inputs : tuple of str
        Names of the inputs whose flows are drawn (concatenated in this order).
    filter : dict
        Keyword arguments for :meth:`FlowSet.filter` (``start``, ``end``, ``kinds``, ...).
    options : dict
        Map options for :meth:`FlowSet.to_html`: the build file's ``defaults`` overridden by the
        map's ``options`` and ``title``.

    Examples
    --------
    >>> from geoflows.build import MapSpec
    >>> MapSpec("m", ("a",), options={"scale": "log"}).options["scale"]
    'log'
    """

    name: str
    inputs: tuple[str, ...]
    filter: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildSpec:
    """A validated build file: inputs, maps, output folder.

    Build one with :func:`load_build_file` (from YAML) or :meth:`from_dict` (from plain data).

    Parameters
    ----------
    inputs : dict of str to InputSpec
        Named inputs.
    maps : list of MapSpec
        Maps to build, in file order.
    output_dir : pathlib.Path
        Folder the maps are written to.
    gazetteer : pathlib.Path or None
        Optional CSV of the analyst's own places (:meth:`Gazetteer.from_csv`).
    source : pathlib.Path or None
        The build file this came from, if any.
    version : int
        Build-file format version.

    Examples
    --------
    >>> from geoflows.build import BuildSpec
    >>> spec = BuildSpec.from_dict(
    ...     {"output_dir": "out", "inputs": {"a": "a.csv"}, "maps": [{"name": "m", "input": "a"}]},
    ...     base_dir="/data",
    ... )
    >>> str(spec.output_path(spec.maps[0]))
    '/data/out/m.html'
    """

    inputs: dict[str, InputSpec]
    maps: list[MapSpec]
    output_dir: Path
    gazetteer: Path | None = None
    source: Path | None = None
    version: int = 1

    def output_path(self, map_spec: MapSpec) -> Path:
        """Return the HTML path of ``map_spec``.

        Examples
        --------
        >>> from pathlib import Path
        >>> from geoflows.build import BuildSpec, MapSpec
        >>> m = MapSpec("m", ("a",))
        >>> BuildSpec({}, [m], Path("out")).output_path(m).as_posix()
        'out/m.html'
        """
        return self.output_dir / f"{map_spec.name}.html"

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        base_dir: str | os.PathLike[str] = ".",
        source: str | os.PathLike[str] | None = None,
    ) -> BuildSpec:
        """Validate plain data (as parsed from YAML) and return a :class:`BuildSpec`.

        Parameters
        ----------
        data : mapping
            The build file's content.
        base_dir : path-like
            Folder relative paths are resolved against (the build file's folder).
        source : path-like, optional
            Name of the file the data came from, used in error messages.

        Returns
        -------
        BuildSpec

        Raises
        ------
        BuildError
            Listing every problem, each with its key path (``maps[2].options.scale``).

        Examples
        --------
        >>> import geoflows as gf
        >>> from geoflows.build import BuildSpec
        >>> try:
        ...     BuildSpec.from_dict({"maps": [{"name": "m"}]})
        ... except gf.BuildError as e:
        ...     print(str(e).splitlines()[1])
          - maps[0].input: required key is missing
        """
        where = str(source) if source is not None else "the build file"
        data = _plain(data)
        problems = validate_build_data(data)
        if problems:
            raise _build_error(where, problems)
        base = Path(base_dir)

        def at(relative: str) -> Path:
            return Path(os.path.normpath(base / relative))

        inputs: dict[str, InputSpec] = {}
        for name, value in (data.get("inputs") or {}).items():
            if isinstance(value, str):
                value = {"path": value}
            inputs[name] = InputSpec(
                name=name,
                path=at(value["path"]),
                route=value.get("route", "auto"),
                country=value.get("country"),
            )
        defaults = dict(data.get("defaults") or {})
        maps: list[MapSpec] = []
        seen: dict[str, int] = {}
        for i, m in enumerate(data["maps"]):
            names = (m["input"],) if isinstance(m["input"], str) else tuple(m["input"])
            for j, n in enumerate(names):
                if n not in inputs:
                    key = f"maps[{i}].input" + ("" if isinstance(m["input"], str) else f"[{j}]")
                    known = ", ".join(sorted(inputs)) or "none are defined"
                    problems.append(
                        f"{key}: {n!r} is not a named input (inputs: {known}){_did_you_mean(n, inputs)}"
                    )
            if m["name"] in seen:
                problems.append(
                    f"maps[{i}].name: {m['name']!r} is already used by maps[{seen[m['name']]}]; "
                    "map names must be unique (they name the output files)"
                )
            seen.setdefault(m["name"], i)
            options = {**_BUILD_OPTION_DEFAULTS, **defaults, **(m.get("options") or {})}
            if "title" in m:
                options["title"] = m["title"]
            flt = {
                k: ([v] if isinstance(v, str) and k not in ("start", "end") else v)
                for k, v in (m.get("filter") or {}).items()
            }
            maps.append(MapSpec(name=m["name"], inputs=names, filter=flt, options=options))
        if problems:
            raise _build_error(where, problems)
        return cls(
            inputs=inputs,
            maps=maps,
            output_dir=at(data.get("output_dir", ".")),
            gazetteer=at(data["gazetteer"]) if data.get("gazetteer") else None,
            source=Path(source) if source is not None else None,
            version=data.get("version", 1),
        )


def build_schema() -> dict[str, Any]:
    """Return the JSON Schema (Draft 2020-12) of build files.

    Examples
    --------
    >>> from geoflows.build import build_schema
    >>> build_schema()["required"]
    ['maps']
    """
    return json.loads(_schema_text())


@cache
def _schema_text() -> str:
    return resources.files("geoflows").joinpath("_data/build.schema.json").read_text("utf-8")


def load_build_file(path: str | os.PathLike[str]) -> BuildSpec:
    """Read and validate a YAML build file.

    Paths inside the file are relative to the file's folder.

    Parameters
    ----------
    path : path-like
        The ``.yaml`` build file.

    Returns
    -------
    BuildSpec

    Raises
    ------
    BuildError
        If the file cannot be read, is not valid YAML, or breaks the schema; the message names the
        file and lists every problem with its key path.

    Examples
    --------
    >>> import tempfile, pathlib, geoflows as gf
    >>> from geoflows.build import load_build_file
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "b.yaml").write_text("maps:\\n  - {name: m, input: a, options: {scale: cubic}}\\n")
    >>> try:
    ...     load_build_file(d / "b.yaml")
    ... except gf.BuildError as e:
    ...     print(str(e).splitlines()[1])
      - maps[0].options.scale: 'cubic' is not one of 'sqrt', 'linear', 'log', 'quantiles', 'natural_breaks'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"build file not found: {path}") from None
    except IsADirectoryError:
        raise BuildError(f"build file {path} is a directory, not a YAML file") from None
    except UnicodeDecodeError as e:
        raise BuildError(f"build file {path} is not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise BuildError(f"cannot read build file {path}: {e.strerror or e}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise BuildError(f"{path}: invalid YAML{at}: {problem}") from None
    if data is None:
        raise BuildError(f"{path}: the build file is empty; it needs at least a `maps:` list")
    if not isinstance(data, dict):
        raise BuildError(
            f"{path}: a build file is a mapping with `inputs:` and `maps:`, "
            f"not a {type(data).__name__}"
        )
    return BuildSpec.from_dict(data, base_dir=path.parent, source=path)


def validate_build_data(data: Any) -> list[str]:
    """Return every schema problem of build-file data, one line each (empty when valid).

    Examples
    --------
    >>> from geoflows.build import validate_build_data
    >>> validate_build_data({"version": 1})
    ['maps: required key is missing']
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(build_schema())
    errors = sorted(validator.iter_errors(_plain(data)), key=lambda e: _sort_key(e.absolute_path))
    lines: list[str] = []
    for err in errors:
        for line in _describe(err):
            if line not in lines:
                lines.append(line)
    return lines


def _build_error(where: str, problems: list[str]) -> BuildError:
    head = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {where}:"
    return BuildError("\n".join([head] + [f"  - {p}" for p in problems]))


def _plain(value: Any) -> Any:
    """YAML turns ``2023-01-01`` into a date; the schema (and filters) want ISO text."""
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _sort_key(path: Sequence[Any]) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in path)


def _key_path(path: Sequence[Any], *extra: Any) -> str:
    out = ""
    for p in (*path, *extra):
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


def _expected(schema: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        schema = _resolve(schema["$ref"])
    if "description" in schema and "pattern" in schema:
        return str(schema["description"])
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_expected(s) for s in schema["anyOf"])
    t = schema.get("type")
    if isinstance(t, list):
        return " or ".join(_TYPE_WORDS.get(x, x) for x in t)
    if t == "array" and isinstance(schema.get("items"), Mapping):
        return f"a list of {_expected(schema['items']).removeprefix('a ')}"
    return _TYPE_WORDS.get(t, "a valid value") if t else "a valid value"


def _resolve(ref: str) -> dict[str, Any]:
    node: Any = build_schema()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _describe(err: Any) -> list[str]:
    """Turn one jsonschema error into lines that name the key path and what was expected."""
    path = list(err.absolute_path)
    where = _key_path(path)
    v, inst, sch = err.validator, err.instance, err.schema
    if v == "required":
        present = inst if isinstance(inst, Mapping) else {}
        return [
            f"{_key_path(path, k)}: required key is missing"
            for k in sch["required"]
            if k not in present
        ]
    if v == "additionalProperties":
        allowed = sorted(sch.get("properties", {}))
        return [
            f"{_key_path(path, k)}: unknown key{_did_you_mean(k, allowed)} "
            f"(allowed: {', '.join(allowed)})"
            for k in inst
            if k not in allowed
        ]
    if v == "enum":
        return [f"{where}: {inst!r} is not one of {', '.join(repr(x) for x in sch['enum'])}"]
    if v == "const":
        return [f"{where}: must be {sch['const']!r}, got {inst!r}"]
    if v in ("anyOf", "oneOf"):
        # An error deeper inside one branch (a bad key of an input object) says more.
        deep = [e for e in err.context if len(e.relative_path) > 0]
        if deep:
            best = min(deep, key=lambda e: -len(e.relative_path))
            return _describe(best)
        return [f"{where}: expected {_expected(sch)}, got {_show(inst)}"]
    if v == "type":
        return [f"{where}: expected {_expected(sch)}, got {_show(inst)}"]
    if v == "pattern":
        return [f"{where}: {inst!r} is not {sch.get('description', 'valid')}"]
    if v == "propertyNames":
        return [f"{where}: key {inst!r} is not a valid name ({_expected(sch)})"]
    if v == "minItems":
        return [f"{where}: needs at least {sch['minItems']} item(s)"]
    if v == "minLength":
        return [f"{where}: must not be empty"]
    if v in ("minimum", "exclusiveMinimum"):
        op = "≥" if v == "minimum" else ">"
        return [f"{where}: {inst!r} must be {op} {sch[v]}"]
    return [f"{where}: {err.message}"]


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return f"{value!r} ({_TYPE_WORDS.get(type(value).__name__, type(value).__name__)})"


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------------------------
# Errors as one line plus a hint (shared with the CLI)
# --------------------------------------------------------------------------------------------


def describe_error(exc: BaseException) -> tuple[str, str]:
    """Return ``(message, hint)``: an error's first line (made self-contained) and a fix.

    Examples
    --------
    >>> from geoflows.build import describe_error
    >>> describe_error(FileNotFoundError(2, "No such file or directory", "x.csv"))[0]
    'file not found: x.csv'
    """
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    hint = getattr(exc, "hint", None)
    if isinstance(exc, FlowValidationError):
        probs = exc.problems
        where = exc.source or "the flow records"
        if probs:
            more = f" (+{len(probs) - 1} more)" if len(probs) > 1 else ""
            first = f"{len(probs)} problem(s) in {where}: {_problem_text(probs[0])}{more}"
        src = f" {exc.source}" if exc.source else ""
        if probs and all(_is_place_problem(p) for p in probs):
            hint = hint or (
                "add the places to a gazetteer CSV (`gazetteer:` in a build file, --gazetteer), "
                "write them as 'lat, lon', or pass --allow-unresolved to leave those flows out"
            )
        hint = hint or f"run `geoflows validate{src}` to list every problem"
    elif isinstance(exc, PlaceNotFound):
        hint = hint or (
            "add the place to a gazetteer CSV (`gazetteer:` in a build file, --gazetteer on the "
            "command line), or pass --allow-unresolved"
        )
    elif isinstance(exc, AmbiguousPlace):
        hint = hint or "narrow it with a country (--country), or give coordinates as 'lat, lon'"
    elif isinstance(exc, InputFileError):
        hint = hint or "check the path (paths in a build file are relative to its folder)"
    elif isinstance(exc, BuildError):
        hint = hint or "see docs/build.md, or `geoflows schema` for the build-file schema"
    elif isinstance(exc, FileNotFoundError):
        first = f"file not found: {exc.filename}" if exc.filename else first
        hint = hint or "check the path; paths in a build file are relative to its folder"
    elif isinstance(exc, IsADirectoryError):
        first = f"{exc.filename} is a directory, not a file" if exc.filename else first
        hint = hint or "give the path of a flow file (CSV, GeoJSON, GeoPackage, GeoParquet)"
    elif isinstance(exc, OSError):
        hint = hint or "check the path and its permissions"
    elif isinstance(exc, yaml.YAMLError):
        hint = hint or "check indentation and quoting near the line shown"
    elif isinstance(exc, GeoflowsError):
        hint = hint or "`geoflows validate FILE` checks a flow file without drawing it"
    else:
        first = f"{type(exc).__name__}: {first}"
        hint = hint or "this may be a bug in geoflows; rerun with --debug for the traceback"
    return first, str(hint)


def _is_place_problem(p: Any) -> bool:
    """A named place that did not resolve (not a missing or malformed field)."""
    value = getattr(p, "value", None)
    return getattr(p, "field", None) in ("origin", "destination", "via") and bool(
        str(value or "").strip()
    )


def _problem_text(p: Any) -> str:
    row, fld = getattr(p, "row", None), getattr(p, "field", None)
    value, rule = getattr(p, "value", None), getattr(p, "rule", None)
    if rule is None:
        return str(p)
    at = ", ".join(x for x in (f"row {row}" if row is not None else "", str(fld or "")) if x)
    return f"{at}: {value!r}: {rule}" if at else f"{value!r}: {rule}"


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


class MapResult(NamedTuple):
    """The outcome of one map of a build.

    Examples
    --------
    >>> from geoflows.build import MapResult
    >>> MapResult("m", None, "failed", "x", 0, 0.1).status
    'failed'
    """

    name: str
    path: Path | None
    status: str  # built | unchanged | failed
    reason: str
    n_flows: int | None
    seconds: float


@dataclass
class BuildReport:
    """What :func:`build` did: one :class:`MapResult` per map, in build-file order.

    Examples
    --------
    >>> from geoflows.build import BuildReport, MapResult
    >>> r = BuildReport([MapResult("a", None, "built", "", 3, 0.5),
    ...                  MapResult("b", None, "failed", "bad.csv: no such file", None, 0.0)])
    >>> r.ok, r.counts()
    (False, {'built': 1, 'unchanged': 0, 'failed': 1})
    >>> print(r.table().splitlines()[0])
    map  status  flows  seconds  notes
    """

    results: list[MapResult]
    output_dir: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every map was built or unchanged."""
        return all(r.status in ("built", "unchanged") for r in self.results)

    @property
    def failed(self) -> list[MapResult]:
        """The results of the maps that failed."""
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        """Return the number of maps per status."""
        out = {"built": 0, "unchanged": 0, "failed": 0}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def table(self) -> str:
        """Return a plain-text summary table, one line per map and a total line."""
        rows = [
            [
                r.name,
                r.status,
                "-" if r.n_flows is None else str(r.n_flows),
                f"{r.seconds:.2f}",
                r.reason,
            ]
            for r in self.results
        ]
        table = text_table(["map", "status", "flows", "seconds", "notes"], rows, right={2, 3})
        c = self.counts()
        where = f" in {self.output_dir}" if self.output_dir is not None else ""
        total = (
            f"{len(self.results)} map{'s' if len(self.results) != 1 else ''}{where}: "
            f"{c['built']} built, {c['unchanged']} unchanged, {c['failed']} failed"
        )
        return f"{table}\n{total}"

    def __str__(self) -> str:
        return self.table()


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] = frozenset()
) -> str:
    """Format rows as a plain-text table with two spaces between columns.

    Examples
    --------
    >>> from geoflows.build import text_table
    >>> print(text_table(["a", "bb"], [["x", "1"]], right={1}))
    a  bb
    x   1
    """
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [
            c.rjust(w) if i in right else (c if i == len(row) - 1 else c.ljust(w))
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def build(
    spec_or_path: BuildSpec | str | os.PathLike[str],
    *,
    jobs: int = 1,
    quiet: bool = False,
    allow_unresolved: bool = False,
    force: bool = False,
) -> BuildReport:
    """Build every map of a build file.

    Each map is built on its own: a map that fails (unreadable input, invalid rows, unknown
    places) is reported and the others are still built. Outputs are written atomically and left
    untouched when their content is unchanged.

    Parameters
    ----------
    spec_or_path : BuildSpec or path-like
        A :class:`BuildSpec`, or the path of a YAML build file.
    jobs : int
        Number of maps built in parallel (processes); 1 builds them in this process.
    quiet : bool
        Hide the progress bar (it is also hidden when stderr is not a terminal).
    allow_unresolved : bool
        Build maps whose inputs name unknown places, leaving those flows out; the names are
        listed in the map's notes. By default such a map fails.
    force : bool
        Rewrite outputs even when their content is unchanged.

    Returns
    -------
    BuildReport

    Raises
    ------
    BuildError
        If the build file is invalid or its gazetteer cannot be read (nothing is built).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from geoflows.build import build
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "f.csv").write_text("origin,destination,volume\\nRajin,Vladivostok,5\\n")
    >>> _ = (d / "b.yaml").write_text(
    ...     "inputs: {f: f.csv}\\nmaps: [{name: m, input: f, options: {tiles: null}}]\\n")
    >>> report = build(d / "b.yaml", quiet=True)
    >>> report.results[0].status, (d / "m.html").exists()
    ('built', True)
    >>> build(d / "b.yaml", quiet=True).results[0].status
    'unchanged'
    """
    spec = spec_or_path if isinstance(spec_or_path, BuildSpec) else load_build_file(spec_or_path)
    if jobs < 1:
        raise BuildError(f"jobs must be at least 1, got {jobs}")
    if spec.gazetteer is not None:
        # Fail once, up front, rather than once per map.
        try:
            _load_gazetteer(spec.gazetteer, {})
        except Exception as e:
            msg, hint = describe_error(e)
            raise BuildError(f"cannot load the gazetteer {spec.gazetteer}: {msg} ({hint})") from e
    try:
        spec.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(f"cannot create the output folder {spec.output_dir}: {e}") from e

    from tqdm import tqdm

    n = len(spec.maps)
    bar = tqdm(
        total=n,
        unit="map",
        desc="geoflows build",
        file=sys.stderr,
        disable=quiet or not _isatty(sys.stderr),
        leave=False,
    )
    results: dict[int, MapResult] = {}
    try:
        if jobs == 1 or n <= 1:
            cache: dict[Any, Any] = {}
            for i, m in enumerate(spec.maps):
                bar.set_postfix_str(m.name)
                results[i] = _build_one(spec, m, allow_unresolved, force, cache)
                bar.update(1)
        else:
            with cf.ProcessPoolExecutor(max_workers=min(jobs, n), initializer=_init_worker) as pool:
                try:
                    futures = {
                        pool.submit(_worker_build, spec, m, allow_unresolved, force): i
                        for i, m in enumerate(spec.maps)
                    }
                    for fut in cf.as_completed(futures):
                        i = futures[fut]
                        try:
                            results[i] = fut.result()
                        except Exception as e:  # the worker itself died
                            msg, hint = describe_error(e)
                            m = spec.maps[i]
                            results[i] = MapResult(
                                m.name,
                                spec.output_path(m),
                                "failed",
                                f"{msg} — hint: {hint}",
                                None,
                                0.0,
                            )
                        bar.update(1)
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
    except BaseException:
        _sweep_temp_files(spec)
        raise
    finally:
        bar.close()
    return BuildReport([results[i] for i in range(n)], output_dir=spec.output_dir)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_WORKER_CACHE: dict[Any, Any] = {}


def _init_worker() -> None:
    # Ctrl-C is the parent's to handle: it cancels the maps not started and waits for the ones
    # being written, so workers never die half-way through a write or print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_CACHE.clear()


def _worker_build(spec: BuildSpec, m: MapSpec, allow_unresolved: bool, force: bool) -> MapResult:
    return _build_one(spec, m, allow_unresolved, force, _WORKER_CACHE)


def _load_gazetteer(path: Path, cache: dict[Any, Any]) -> Any:
    key = ("gazetteer", str(path))
    if key not in cache:
        from geoflows.places import Gazetteer

        cache[key] = Gazetteer.from_csv(path)
    return cache[key]


def _read_input(
    spec: BuildSpec, inp: InputSpec, allow_unresolved: bool, cache: dict, notes: list[str]
) -> Any:
    """Read one input once per process; failures and warnings are cached with it."""
    key = ("input", str(inp.path), inp.route, inp.country, allow_unresolved)
    if key not in cache:
        from geoflows import read_flows

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GeoflowsWarning)
            try:
                gaz = _load_gazetteer(spec.gazetteer, cache) if spec.gazetteer else None
                flows = read_flows(
                    inp.path,
                    gazetteer=gaz,
                    country=inp.country,
                    route=inp.route,
                    allow_unresolved=allow_unresolved,
                )
                result: tuple[bool, Any] = (True, flows)
            except Exception as e:
                result = (False, e)
        cache[key] = (*result, _warning_notes(caught))
    ok, value, input_notes = cache[key]
    if not ok:
        raise value
    notes.extend(n for n in input_notes if n not in notes)
    return value


def _warning_notes(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    out: list[str] = []
    for w in caught:
        if not issubclass(w.category, GeoflowsWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            continue
        text = str(w.message).splitlines()[0]
        # Unresolved places get their own note, listing the names.
        if "unresolved" not in text and text not in out:
            out.append(text)
    return out


def concat_flowsets(flowsets: Sequence[Any]) -> Any:
    """Concatenate FlowSets, in order, into one.

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.build import concat_flowsets
    >>> a = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": 1}])
    >>> len(concat_flowsets([a, a]))
    2
    """
    from geoflows.flows import FlowSet

    if len(flowsets) == 1:
        return flowsets[0]
    return FlowSet.concat(list(flowsets))


def _unresolved_note(flowsets: Sequence[Any]) -> str:
    names: list[str] = []
    for fs in flowsets:
        table = getattr(fs, "unresolved", None)
        if table is None or len(table) == 0:
            continue
        for value, status in zip(table["value"], table["status"], strict=False):
            item = f"{value} ({status})"
            if item not in names:
                names.append(item)
    if not names:
        return ""
    shown = ", ".join(names[:8]) + (f", +{len(names) - 8} more" if len(names) > 8 else "")
    return f"unresolved, left out: {shown}"


def _build_one(
    spec: BuildSpec, m: MapSpec, allow_unresolved: bool, force: bool, cache: dict[Any, Any]
) -> MapResult:
    t0 = time.perf_counter()
    out = spec.output_path(m)
    n_flows: int | None = None
    notes: list[str] = []
    phase = "read"
    try:
        parts = [
            _read_input(spec, spec.inputs[name], allow_unresolved, cache, notes)
            for name in m.inputs
        ]
        flows = concat_flowsets(parts)
        if m.filter:
            flows = flows.filter(**m.filter)
        n_flows = len(flows)
        phase = "render"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GeoflowsWarning)
            html = flows.to_html(**m.options)
        phase = "write"
        written = _write_if_changed(out, html.encode("utf-8"), force=force)
        status = "built" if written else "unchanged"
        notes = [_unresolved_note(parts), *notes, *_warning_notes(caught)]
        if n_flows == 0:
            notes.append("no flows match the filter" if m.filter else "no flows")
        reason = "; ".join(x for x in notes if x)
    except Exception as e:
        msg, hint = describe_error(e)
        if phase == "render" and getattr(e, "hint", None) is None:
            hint = "check this map's `options` and the file's `defaults` (see docs/build.md)"
        status, reason = "failed", f"{msg} — hint: {hint}"
    return MapResult(m.name, out, status, reason, n_flows, time.perf_counter() - t0)


def _write_if_changed(path: Path, data: bytes, *, force: bool = False) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds the same bytes.

    Returns True when the file was written.
    """
    if not force and path.is_file():
        digest = hashlib.sha256(data).digest()
        if hashlib.sha256(path.read_bytes()).digest() == digest:
            return False
    write_atomic(path, data)
    return True


_TEMP_RE = re.compile(r"^\..+\.html\..+\.tmp$")


def _sweep_temp_files(spec: BuildSpec) -> None:
    """After an interruption, remove temporary files this build's maps may have left."""
    for m in spec.maps:
        for p in spec.output_dir.glob(f".{m.name}.html.*.tmp"):
            if _TEMP_RE.match(p.name):
                try:
                    p.unlink()
                except OSError:
                    pass


#: ``gf.build_maps`` — the name :func:`build` has at the package level.
build_maps = build
