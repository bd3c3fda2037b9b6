"""The build file: its JSON Schema, validation naming key paths, and the typed spec."""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from geoflows._layouts import FLOWMAP_BLUE_LOCATIONS, LOCATION_EXTRAS
from geoflows.errors import (
    BuildError,
    BuildProblem,
    GeoflowsError,
    OptionError,
)

#: Largest build file read, in bytes (a build file is a page of YAML); the environment variable
#: ``GEOFLOWS_MAX_INPUT_MB`` raises it, as for every input file.
MAX_BUILD_FILE_BYTES = 1 << 20
#: Deepest nesting of lists and mappings in a build file (its schema needs five or six levels);
#: deeper YAML is refused as it is read, before Python's recursion limit is met.
MAX_BUILD_FILE_DEPTH = 64

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
    columns : tuple of (str, str)
        The file's column names mapped onto the contract's fields, as pairs (``columns=`` of
        :func:`geoflows.read_flows`); empty when the file uses the contract's names.
    units : tuple of (str, str)
        Spellings of units mapped onto the unit they mean (``units=`` of
        :func:`geoflows.read_flows`), as pairs.
    extra_columns : tuple of str
        Columns of the user's own kept as they are (``extra_columns=`` of
        :func:`geoflows.read_flows`).
    locations : pathlib.Path or None
        A flowmap.blue locations table (``locations=`` of :func:`geoflows.read_flows`),
        resolved against the build file's folder; the input is then its flows table.
    location_columns : tuple of (str, str)
        The locations table's column names mapped onto ``id, name, lat, lon``, as pairs.
    strict : bool
        A name far from the coordinates given beside it is a problem, not a warning.

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
    columns: tuple[tuple[str, str], ...] = ()
    units: tuple[tuple[str, str], ...] = ()
    extra_columns: tuple[str, ...] = ()
    locations: Path | None = None
    location_columns: tuple[tuple[str, str], ...] = ()
    strict: bool = False

    def read_options(self) -> dict[str, Any]:
        """Return the keyword arguments of :func:`geoflows.read_flows` this input gives.

        The one translation of an input's reading options, used by builds and by
        ``geoflows validate`` alike (so the two never read a file differently).

        Examples
        --------
        >>> from pathlib import Path
        >>> InputSpec("g", Path("g.csv"), units=(("droens", "drones"),)).read_options()["units"]
        {'droens': 'drones'}
        """
        return {
            "route": self.route,
            "country": self.country,
            "columns": dict(self.columns) or None,
            "units": dict(self.units) or None,
            "extra_columns": self.extra_columns,
            "locations": self.locations,
            "location_columns": dict(self.location_columns) or None,
            "strict": self.strict,
        }


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
    share_scale : bool
        Use the batch's shared width scale (``share_scale: true`` at the top level, in
        ``defaults`` or in the map's ``options``); see :func:`share_scales`.

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
    share_scale: bool = False


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
        problems = _schema_problems(data) or _option_problems(data)
        if problems:
            raise BuildError.listing(where, problems)
        base = Path(base_dir)
        inputs = _input_specs(data.get("inputs") or {}, base)
        maps = _map_specs(data, inputs, problems)
        if problems:
            raise BuildError.listing(where, problems)
        return cls(
            inputs=inputs,
            maps=maps,
            output_dir=_at(base, data.get("output_dir", ".")),
            gazetteer=_at(base, data["gazetteer"]) if data.get("gazetteer") else None,
            source=Path(source) if source is not None else None,
            version=data.get("version", 1),
        )


def _at(base: Path, relative: str) -> Path:
    """Resolve a path of the build file against its folder."""
    return Path(os.path.normpath(base / relative))


def _option_problems(data: Mapping[str, Any]) -> list[BuildProblem]:
    """Check ``defaults`` and each map's ``options`` against :data:`MAP_OPTIONS` (key paths)."""
    from geoflows.mapoptions import MAP_OPTIONS

    given = [("defaults", data.get("defaults"))] + [
        (f"maps[{i}].options", m.get("options")) for i, m in enumerate(data["maps"])
    ]
    problems: list[BuildProblem] = []
    for where, options in given:
        for key, value in (options or {}).items():
            try:
                MAP_OPTIONS.check({} if key == "share_scale" else {key: value})
            except OptionError as e:
                problems.append(BuildProblem(str(e), field=f"{where}.{key}"))
    return problems


def _input_specs(given: Mapping[str, Any], base: Path) -> dict[str, InputSpec]:
    """Return the named inputs (a path, or a mapping with a path and reading options)."""
    inputs: dict[str, InputSpec] = {}
    for name, value in given.items():
        if isinstance(value, str):
            value = {"path": value}
        inputs[name] = InputSpec(
            name=name,
            path=_at(base, value["path"]),
            route=value.get("route", "auto"),
            country=value.get("country"),
            columns=tuple((value.get("columns") or {}).items()),
            units=tuple((value.get("units") or {}).items()),
            extra_columns=tuple(value.get("extra_columns") or ()),
            locations=_at(base, value["locations"]) if value.get("locations") else None,
            location_columns=tuple((value.get("location_columns") or {}).items()),
            strict=bool(value.get("strict", False)),
        )
    return inputs


def _map_specs(
    data: Mapping[str, Any], inputs: Mapping[str, InputSpec], problems: list[BuildProblem]
) -> list[MapSpec]:
    """Return the maps in file order; add unknown inputs and repeated names to ``problems``."""
    defaults = dict(data.get("defaults") or {})
    maps: list[MapSpec] = []
    seen: dict[str, int] = {}
    for i, m in enumerate(data["maps"]):
        names = (m["input"],) if isinstance(m["input"], str) else tuple(m["input"])
        problems += _unknown_inputs(i, m["input"], names, inputs)
        if m["name"] in seen:
            problems.append(
                BuildProblem(
                    f"{m['name']!r} is already used by maps[{seen[m['name']]}]; "
                    "map names must be unique (they name the output files)",
                    field=f"maps[{i}].name",
                )
            )
        seen.setdefault(m["name"], i)
        options = {**_BUILD_OPTION_DEFAULTS, **defaults, **(m.get("options") or {})}
        share = bool(options.pop("share_scale", data.get("share_scale", False)))
        if "title" in m:
            options["title"] = m["title"]
        flt = {
            k: ([v] if isinstance(v, str) and k not in ("start", "end") else v)
            for k, v in (m.get("filter") or {}).items()
        }
        maps.append(
            MapSpec(name=m["name"], inputs=names, filter=flt, options=options, share_scale=share)
        )
    return maps


def _unknown_inputs(
    i: int, given: Any, names: tuple[str, ...], inputs: Mapping[str, InputSpec]
) -> list[BuildProblem]:
    """Return a problem for each input name of ``maps[i]`` that is not a named input."""
    problems = []
    for j, n in enumerate(names):
        if n not in inputs:
            key = f"maps[{i}].input" + ("" if isinstance(given, str) else f"[{j}]")
            known = ", ".join(sorted(inputs)) or "none are defined"
            problems.append(
                BuildProblem(
                    f"{n!r} is not a named input (inputs: {known}){_did_you_mean(n, inputs)}",
                    field=key,
                )
            )
    return problems


def build_schema() -> dict[str, Any]:
    """Return the JSON Schema (Draft 2020-12) of build files.

    Its map options (``$defs.options``) and filter vocabularies (``$defs.filter``) are generated
    from :data:`geoflows.mapoptions.MAP_OPTIONS` and :data:`~geoflows.mapoptions.FILTER_VOCABULARIES`;
    the rest is ``geoflows/_data/build.schema.json`` (which a test keeps equal to the whole).

    Examples
    --------
    >>> from geoflows.build import build_schema
    >>> build_schema()["required"]
    ['maps']
    >>> build_schema()["$defs"]["options"]["properties"]["scale"]["enum"][:2]
    ['sqrt', 'linear']
    """
    return json.loads(_schema_text())


@cache
def _schema_text() -> str:
    """Return the generated build-file schema as JSON text (what ``geoflows schema`` prints)."""
    schema = json.loads(
        resources.files("geoflows").joinpath("_data/build.schema.json").read_text("utf-8")
    )
    schema["$defs"]["options"] = _options_schema()
    schema["$defs"]["filter"]["properties"].update(_vocabulary_schemas())
    fields = schema["$defs"]["input"]["properties"]["location_columns"]["additionalProperties"]
    fields["enum"] = list(FLOWMAP_BLUE_LOCATIONS + LOCATION_EXTRAS)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _options_schema() -> dict[str, Any]:
    """Return ``$defs.options``: every map option of HTML maps, and ``share_scale``."""
    from geoflows.mapoptions import MAP_OPTIONS

    properties = {
        name: {**MAP_OPTIONS[name].json_schema(), "description": MAP_OPTIONS[name].help}
        for name in MAP_OPTIONS.names()
    }
    properties["share_scale"] = {
        "description": "Use the batch's shared width scale (false: this map's own).",
        "type": "boolean",
    }
    return {"type": "object", "additionalProperties": False, "properties": properties}


def _vocabulary_schemas() -> dict[str, Any]:
    """Return the schemas of the filters that take a flow vocabulary (a value or a list)."""
    from geoflows.mapoptions import FILTER_VOCABULARIES

    return {
        name: {
            "anyOf": [
                {"enum": list(values)},
                {"type": "array", "items": {"enum": list(values)}, "minItems": 1},
            ]
        }
        for name, values in FILTER_VOCABULARIES.items()
    }


def load_build_file(path: str | os.PathLike[str]) -> BuildSpec:
    r"""Read and validate a YAML build file.

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
    >>> _ = (d / "b.yaml").write_text("maps:\n  - {name: m, input: a, options: {scale: cubic}}\n")
    >>> try:
    ...     load_build_file(d / "b.yaml")
    ... except gf.BuildError as e:
    ...     print(str(e).splitlines()[1])
      - maps[0].options.scale: 'cubic' is not one of 'sqrt', 'linear', 'log', 'quantiles', 'natural_breaks'
    """
    from geoflows.io import _input_limit, read_input_bytes

    path = Path(path)
    if not path.exists():
        raise BuildError(f"build file not found: {path}")
    if path.is_dir():
        raise BuildError(f"build file {path} is a directory, not a YAML file")
    try:
        raw = read_input_bytes(
            path, what="build file", max_bytes=_input_limit(None, MAX_BUILD_FILE_BYTES)
        )
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BuildError(f"build file {path} is not UTF-8 text ({e.reason})") from None
    except OSError as e:  # InputFileError: not a regular file, or over the size limit
        raise BuildError(
            str(e)
            if isinstance(e, GeoflowsError)
            else f"cannot read build file {path}: {e.strerror or e}"
        ) from None
    try:
        data = yaml.load(text, Loader=_BuildFileLoader)  # noqa: S506 (a SafeLoader, stricter)
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


class _BuildFileLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` made strict for build files.

    - Aliases (``*name``) are refused where the parser meets them, before anything is expanded:
      a few hundred bytes of nested aliases ("billion laughs") would otherwise expand to
      gigabytes. A build file is short; it can write each value out.
    - A key given twice in one mapping is an error (plain YAML keeps the last one silently).
    - Dates stay text (``2023-02-30`` is then reported by the schema as not a real date,
      instead of aborting the parser with a ``ValueError``).
    - Nesting deeper than :data:`MAX_BUILD_FILE_DEPTH` is an error where it starts (200,000
      ``[`` would otherwise end in a ``RecursionError``).
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= MAX_BUILD_FILE_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"lists and mappings are nested more than {MAX_BUILD_FILE_DEPTH} levels deep; "
                "a build file needs a few levels (see docs/build.md)",
                self.peek_event().start_mark,
            )
        self._depth += 1
        try:
            return self._compose_one(parent, index)
        finally:
            self._depth -= 1

    def _compose_one(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"alias *{event.anchor} is not allowed in a build file (aliases can expand "
                "without bound); write the value out instead",
                event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the base class reports it
                break
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in this mapping (first on line "
                    f"{first.line + 1}); remove or rename one",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_BuildFileLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validate_build_data(data: Any) -> list[str]:
    """Return every schema problem of build-file data, one line each (empty when valid).

    Examples
    --------
    >>> from geoflows.build import validate_build_data
    >>> validate_build_data({"version": 1})
    ['maps: required key is missing']
    """
    return [str(p) for p in _schema_problems(data)]


def _schema_problems(data: Any) -> list[BuildProblem]:
    """Return every schema problem of build-file data, each naming its key path, in key order."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        build_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(_plain(data)), key=lambda e: _sort_key(e.absolute_path))
    problems: list[BuildProblem] = []
    for err in errors:
        for problem in _describe(err):
            if problem not in problems:
                problems.append(problem)
    return problems


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
        one, *more = schema["anyOf"]
        if "enum" in one and more == [{"type": "array", "items": one, "minItems": 1}]:
            return f"{_expected(one)}, or a list of them"  # a vocabulary (filter: kinds)
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


def _describe(err: Any) -> list[BuildProblem]:
    """Turn one jsonschema error into problems that name the key path and what was expected."""
    path = list(err.absolute_path)
    where = _key_path(path)
    v, inst, sch = err.validator, err.instance, err.schema
    if v == "required":
        present = inst if isinstance(inst, Mapping) else {}
        return [
            BuildProblem("required key is missing", field=_key_path(path, k))
            for k in sch["required"]
            if k not in present
        ]
    if v == "additionalProperties":
        allowed = sorted(sch.get("properties", {}))
        return [
            BuildProblem(
                f"unknown key{_did_you_mean(k, allowed)} (allowed: {', '.join(allowed)})",
                field=_key_path(path, k),
            )
            for k in inst
            if k not in allowed
        ]
    if v == "enum":
        near = _did_you_mean(inst, [x for x in sch["enum"] if isinstance(x, str)])
        return [
            BuildProblem(
                f"{inst!r} is not one of {', '.join(repr(x) for x in sch['enum'])}{near}",
                field=where,
            )
        ]
    if v == "const":
        return [BuildProblem(f"must be {sch['const']!r}, got {inst!r}", field=where)]
    if v in ("anyOf", "oneOf"):
        # An error deeper inside one branch (a bad key of an input object) says more.
        deep = [e for e in err.context if len(e.relative_path) > 0]
        if deep:
            best = min(deep, key=lambda e: -len(e.relative_path))
            return _describe(best)
        enums = [e for e in err.context if e.validator == "enum"]
        if isinstance(inst, str) and enums:  # one value of a vocabulary, or a list of them
            return _describe(enums[0])
        return [BuildProblem(f"expected {_expected(sch)}, got {_show(inst)}", field=where)]
    if v == "type":
        return [BuildProblem(f"expected {_expected(sch)}, got {_show(inst)}", field=where)]
    if v == "pattern":
        return [BuildProblem(f"{inst!r} is not {sch.get('description', 'valid')}", field=where)]
    if v == "format" and sch.get("format") == "date":
        return [
            BuildProblem(
                f"{inst!r} is not a real date (YYYY-MM-DD; check the month and day)", field=where
            )
        ]
    if v == "propertyNames":
        return [BuildProblem(f"key {inst!r} is not a valid name ({_expected(sch)})", field=where)]
    if v == "minItems":
        return [BuildProblem(f"needs at least {sch['minItems']} item(s)", field=where)]
    if v == "minLength":
        return [BuildProblem("must not be empty", field=where)]
    if v in ("minimum", "exclusiveMinimum"):
        op = "≥" if v == "minimum" else ">"
        return [BuildProblem(f"{inst!r} must be {op} {sch[v]}", field=where)]
    return [BuildProblem(str(err.message), field=where)]


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
