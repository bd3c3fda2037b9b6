"""The ``geoflows`` command: maps, batch builds, geocoding, validation and export from a shell.

Errors of geoflows (and unreadable files, bad YAML) are printed as ``error: ...`` and
``hint: ...`` lines on stderr, without a traceback unless ``geoflows --debug`` is given.
Exit codes: 0 success, 1 a check or build found problems (``validate``, ``geocode``, ``build``),
2 a usage or input error, 130 interrupted.

Examples
--------
>>> from click.testing import CliRunner
>>> from geoflows.cli import cli
>>> result = CliRunner().invoke(cli, ["schema"])
>>> result.exit_code, '"maps"' in result.output
(0, True)
"""

from __future__ import annotations

import re
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

import geoflows
from geoflows._files import check_output_is_not_an_input
from geoflows.build import (
    build,
    concat_flowsets,
    describe_error,
    load_build_file,
    text_table,
)
from geoflows.build._spec import _schema_text
from geoflows.errors import (
    BuildError,
    FlowValidationError,
    GeoflowsError,
    GeoflowsWarning,
    terminal_text,
)
from geoflows.mapoptions import MAP_OPTIONS, MapOption
from geoflows.routes import ROUTE_KINDS
from geoflows.schema import is_blank

__all__ = ["cli", "main"]

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

_ROUTES = list(ROUTE_KINDS)
_BUILD_SUFFIXES = {".yaml", ".yml"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _echo(message: Any = "", **kwargs: Any) -> None:
    """Print ``message`` as :func:`click.echo` does, its control characters escaped.

    Everything the command prints may hold data text (place names, values, notes): no ESC
    sequence, carriage return or C1 control from a file reaches the terminal as such.
    """
    click.echo(terminal_text(message), **kwargs)


def _print_error(exc: BaseException) -> None:
    """Print an error as ``error:`` (plus any listed problems) and ``hint:`` on stderr."""
    msg, hint = describe_error(exc)
    problems = exc.problems if isinstance(exc, FlowValidationError | BuildError) else []
    lines = str(exc).splitlines()
    if problems and len(lines) > 1:  # a listing: its count line, then one line per problem
        _echo(f"error: {lines[0]}", err=True)
        for p in problems:
            _echo(f"  - {p}", err=True)
    else:
        _echo(f"error: {msg}", err=True)
    _echo(f"hint: {hint}", err=True)


class _Group(click.Group):
    """A group that turns geoflows errors into ``error:``/``hint:`` lines and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            _echo("error: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            if ctx.params.get("debug"):
                traceback.print_exc()
            _print_error(exc)
            ctx.exit(EXIT_USAGE)


def _quiet(ctx: click.Context) -> bool:
    return bool((ctx.find_root().params or {}).get("quiet"))


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _DATE.match(value):
        raise click.BadParameter(f"{value!r} is not an ISO date YYYY-MM-DD")
    return value


def _check_at(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check a map's ``--at``: a day, a month or a year (:func:`geoflows.schema.at_period`)."""
    from geoflows.schema import AT_FORMS, at_period

    if value is not None and at_period(value) is None:
        raise click.BadParameter(f"{value!r} is not {AT_FORMS} (e.g. 2024-10-05, 2024-10, 2024)")
    return value


def _gazetteer(path: str | None) -> Any:
    if path is None:
        return None
    from geoflows.io import check_input_file
    from geoflows.places import Gazetteer

    return Gazetteer.from_csv(check_input_file(path, what="gazetteer"))


def _read_options(
    columns: str | None = None,
    units: str | None = None,
    extra_columns: str | None = None,
    location_columns: str | None = None,
    strict: bool = False,
) -> dict[str, Any]:
    """Turn the reading flags' text into keyword arguments of :func:`geoflows.read_flows`."""
    from geoflows._layouts import parse_columns, parse_location_columns

    return {
        "location_columns": parse_location_columns(location_columns) if location_columns else None,
        "strict": bool(strict),
        "columns": parse_columns(columns) if columns else None,
        "units": (
            parse_columns(units, "units", "'droens=drones,Drones=drones'", "SPELLING=unit")
            if units
            else None
        ),
        "extra_columns": tuple(c.strip() for c in (extra_columns or "").split(",") if c.strip()),
    }


def _read(
    inputs: Sequence[str],
    *,
    gazetteer: Any = None,
    country: str | None = None,
    route: str = "auto",
    allow_unresolved: bool = False,
    columns: str | None = None,
    units: str | None = None,
    locations: str | None = None,
    extra_columns: str | None = None,
    location_columns: str | None = None,
    strict: bool = False,
) -> Any:
    from geoflows import read_flows
    from geoflows.io import check_input_file

    options = _read_options(columns, units, extra_columns, location_columns, strict)
    parts = [
        read_flows(
            p,
            gazetteer=gazetteer,
            country=country,
            route=route,
            allow_unresolved=allow_unresolved,
            locations=check_input_file(locations, what="locations table") if locations else None,
            **options,
        )
        for p in inputs
    ]
    return concat_flowsets(parts)


#: Each reading flag once; ``map``/``export`` take them all, ``validate`` those that change
#: how a file's columns and units are read (so it checks a file as ``map`` would read it).
_READ_FLAGS = {
    "route": click.option(
        "--route",
        type=click.Choice(_ROUTES),
        default="auto",
        show_default=True,
        help="How lines are drawn: by mode (auto), or one builder for every flow.",
    ),
    "gazetteer": click.option(
        "--gazetteer",
        type=click.Path(dir_okay=False),
        metavar="PLACES.csv",
        help="CSV of your own places, layered over the built-in gazetteer.",
    ),
    "country": click.option("--country", metavar="CC", help="Country hint for every place name."),
    "allow_unresolved": click.option(
        "--allow-unresolved",
        is_flag=True,
        help="Keep going when a place is unknown: leave those flows off and warn.",
    ),
    "columns": click.option(
        "--columns",
        metavar="THEIRS=field,...",
        help="Map your column names onto the contract, e.g. OrigName=origin,FlowMag=volume.",
    ),
    "units": click.option(
        "--units",
        metavar="SPELLING=unit,...",
        help="Map spellings of a unit onto one unit, e.g. droens=drones,Drones=drones.",
    ),
    "extra_columns": click.option(
        "--extra-columns",
        metavar="COL,...",
        help="Columns of your own whose names look like a field (volumn): keep them as they are.",
    ),
    "locations": click.option(
        "--locations",
        type=click.Path(dir_okay=False),
        metavar="LOCATIONS.csv",
        help="flowmap.blue's locations table (id, name, lat, lon): the inputs are then its "
        "flows tables (origin, dest, count), places taken as given.",
    ),
    "location_columns": click.option(
        "--location-columns",
        metavar="THEIRS=field,...",
        help="Map the locations table's column names onto id, name, lat, lon, e.g. "
        "iata=id,latitude=lat,longitude=lon.",
    ),
    "strict": click.option(
        "--strict",
        is_flag=True,
        help="A name more than 50 km from the coordinates given beside it is a problem, "
        "not a warning (the coordinates are drawn either way).",
    ),
}
_input_options = list(_READ_FLAGS.values())
_validate_read_flags = [_READ_FLAGS[k] for k in ("columns", "units", "extra_columns")]


def _with_input_options(f: Any) -> Any:
    for opt in reversed(_input_options):
        f = opt(f)
    return f


def _map_option(option: MapOption) -> Any:
    """Return the click option of one map option (flag, type, help from :data:`MAP_OPTIONS`)."""
    kw: dict[str, Any] = {"default": None, "help": option.help}
    if option.kind == "choice":
        kw["type"] = click.Choice(["none" if c is None else str(c) for c in option.choices or ()])
    elif option.kind in ("number", "integer"):
        rng = click.FloatRange if option.kind == "number" else click.IntRange
        kw["type"] = rng(min=option.minimum, min_open=option.exclusive)
    if option.kind != "bool":
        kw["metavar"] = option.cli_value()
    if option.multiple:
        kw.update(multiple=True, default=())
    if option.cli_parse is not None or option.kind == "date":
        kw["callback"] = _option_parser(option)
    return click.option(*option.flags, option.name, **kw)


def _option_parser(option: MapOption) -> Any:
    """Return a click callback turning the flag's text into the option's value."""

    def parse(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or value == ():
            return None
        if option.kind == "date":
            return _check_at(ctx, param, value)
        try:
            return option.cli_parse(value) if option.cli_parse else value
        except ValueError as e:
            raise click.BadParameter(str(e)) from None

    return parse


def _with_map_options(f: Any) -> Any:
    """Add a flag for every map option that has one, in the order of :data:`MAP_OPTIONS`."""
    for option in reversed([o for o in MAP_OPTIONS.values() if o.flags]):
        f = _map_option(option)(f)
    return f


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(geoflows.__version__, "--version", prog_name="geoflows")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.option("-q", "--quiet", is_flag=True, help="Print only results and errors.")
def cli(debug: bool, quiet: bool) -> None:
    """Map logistics flows between named places as offline, interactive maps.

    \b
    Examples:
      geoflows map data/dprk_russia_2023_2024.csv -o dprk.html --title "DPRK-Russia"
      geoflows build data/maps.yaml --jobs 2
      geoflows geocode Rajin Kiev "Tartus"
      geoflows validate data/bad_flows.csv
    """


@cli.command("map")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="OUT.html",
    help="HTML file to write (atomically), or - for standard output.",
)
@_with_map_options
@_with_input_options
@click.pass_context
def map_cmd(
    ctx: click.Context,
    inputs: tuple[str, ...],
    output: str,
    route: str,
    gazetteer: str | None,
    country: str | None,
    allow_unresolved: bool,
    columns: str | None,
    units: str | None,
    extra_columns: str | None,
    locations: str | None,
    location_columns: str | None,
    strict: bool,
    **map_options: Any,
) -> None:
    """Draw flows from one or more files on an interactive HTML map.

    Several inputs are drawn on one map. The map options are those of `FlowSet.save_map`
    (docs/build.md lists them). With `-o -` the page goes to standard output and nothing
    else does (warnings and errors go to standard error).

    \b
    Examples:
      geoflows map data/dprk_russia_2023_2024.csv -o dprk.html
      geoflows map a.csv b.geojson -o both.html --title "Transfers" --scale log
      geoflows map flows.csv -o offline.html --tiles none --at 2023-11-01
      geoflows map flows.csv -o - --at 2024-10 > october.html
      geoflows map grain.csv -o grain.html --route sea --gazetteer my_ports.csv
    """
    to_stdout = output == "-"
    if not to_stdout:
        check_output_is_not_an_input(output, [*inputs, gazetteer], what="map")
    flows = _read(
        inputs,
        gazetteer=_gazetteer(gazetteer),
        country=country,
        route=route,
        allow_unresolved=allow_unresolved,
        columns=columns,
        units=units,
        extra_columns=extra_columns,
        locations=locations,
        location_columns=location_columns,
        strict=strict,
    )
    given = click.core.ParameterSource.COMMANDLINE
    options = {k: v for k, v in map_options.items() if ctx.get_parameter_source(k) == given}
    if to_stdout:
        # the page's bytes as save_map writes them; no message on stdout, nor any on stderr
        # but warnings and errors (a pipe's reader takes stdout as the page)
        page = flows.to_html(**options).encode("utf-8")
        sys.stdout.flush()
        sys.stdout.buffer.write(page)
        sys.stdout.buffer.flush()
        return
    out = flows.save_map(output, **options)
    if not _quiet(ctx):
        _echo(f"wrote {out} ({len(flows)} flows)")


@cli.command("build")
@click.argument("build_file", type=click.Path(), metavar="BUILD.yaml")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Maps built in parallel (processes).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--allow-unresolved",
    is_flag=True,
    help="Build maps with unknown places, leaving those flows off (listed in notes).",
)
@click.option("--force", is_flag=True, help="Rewrite maps even when their content is unchanged.")
@click.pass_context
def build_cmd(
    ctx: click.Context, build_file: str, jobs: int, quiet: bool, allow_unresolved: bool, force: bool
) -> None:
    """Build every map named in a YAML build file and print a summary.

    Each map is built on its own: one failing map does not stop the others. Maps whose content
    did not change are left untouched. Exits 0 only if every map was built or unchanged.
    See docs/build.md for the file format (`geoflows schema` prints its JSON Schema).

    \b
    Examples:
      geoflows build data/maps.yaml
      geoflows build data/maps.yaml --jobs 2 --quiet
      geoflows build maps.yaml --force --allow-unresolved
    """
    report = build(
        build_file,
        jobs=jobs,
        quiet=quiet or _quiet(ctx),
        allow_unresolved=allow_unresolved,
        force=force,
    )
    _echo(report.table())
    if not report.ok:
        ctx.exit(EXIT_PROBLEMS)


def _place_text(p: Any) -> str:
    """Write a place as one short phrase: ``Springfield (US, city, 37.22, -93.30)``."""
    if not hasattr(p, "lat"):
        return str(p)
    return f"{p.name} ({p.country}, {p.kind}, {p.lat:.2f}, {p.lon:.2f})"


def _alternatives(row: dict[str, Any]) -> str:
    """Suggestions for a miss, candidates for an ambiguous name, nothing for a match."""
    if row.get("status") == "ok":
        return ""
    for key in ("candidates", "suggestions"):
        value = row.get(key)
        if isinstance(value, list | tuple) and value:
            return "; ".join(_place_text(v) for v in value)
        if isinstance(value, str) and value:
            return value
    return ""


def _plain_geocode_frame(df: Any, *, as_lists: bool) -> Any:
    """Geocode results with Place objects turned into text (CSV) or plain dicts (JSON)."""
    out = df.drop(columns=["place"], errors="ignore").copy()
    for key in ("suggestions", "candidates"):
        if key not in out.columns:
            continue
        if as_lists:
            out[key] = [
                [_place_dict(v) for v in (xs or [])] if key == "candidates" else list(xs or [])
                for xs in out[key]
            ]
        else:
            out[key] = ["; ".join(_place_text(v) for v in (xs or [])) for xs in out[key]]
    return out


def _place_dict(p: Any) -> Any:
    fields = ("name", "lat", "lon", "country", "kind", "source", "population", "id")
    if all(hasattr(p, f) for f in fields):
        return {f: getattr(p, f) for f in fields}
    return str(p)


def _fmt_coord(value: Any) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return ""
    return "" if f != f else f"{f:.4f}"


def _cell_text(value: Any) -> str:
    """Write a cell as text: empty for a blank one (None, NA, NaN, only whitespace)."""
    return "" if is_blank(value) else str(value)


def _geocode_queries(names: Sequence[str], csv_file: str | None, column: str | None) -> list[str]:
    """Return the names to look up: the arguments, then the names in ``column`` of ``csv_file``."""
    queries = list(names)
    if csv_file is not None:
        if not column:
            raise click.UsageError("--csv needs --column COL (the column holding the names)")
        from geoflows.io import read_table

        table = read_table(csv_file)
        if column not in table.columns:
            raise click.BadParameter(
                f"{csv_file} has no column {column!r}; columns: {', '.join(map(str, table.columns))}",
                param_hint="--column",
            )
        queries += [str(v).strip() for v in table[column] if not is_blank(v)]
    elif column:
        raise click.UsageError("--column needs --csv FILE")
    queries = list(dict.fromkeys(queries))
    if not queries:
        raise click.UsageError("give at least one NAME, or --csv FILE --column COL")
    return queries


def _geocode_output(df: Any, fmt: str) -> str:
    """Return the geocode results as CSV, JSON or an aligned text table."""
    if fmt == "csv":
        from geoflows.io import neutralize_formulas

        plain = neutralize_formulas(_plain_geocode_frame(df, as_lists=False))
        return plain.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        plain = _plain_geocode_frame(df, as_lists=True)
        return plain.to_json(orient="records", force_ascii=False, indent=2)
    keys = ("query", "status", "name", "country", "lat", "lon", "kind", "runner_up")
    rows = [
        [_fmt_coord(r.get(k)) if k in ("lat", "lon") else _cell_text(r.get(k)) for k in keys]
        + [_alternatives(r)]
        for r in df.to_dict(orient="records")
    ]
    head = [*keys[:-1], "runner-up", "suggestions/candidates"]
    return text_table(head, rows, right={4, 5})


@cli.command("geocode")
@click.argument("names", nargs=-1, metavar="NAME...")
@click.option("--country", metavar="CC", help="Country hint (ISO code or name).")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Also geocode the names in a column of this CSV.",
)
@click.option("--column", metavar="COL", help="The column of --csv holding the names.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.pass_context
def geocode_cmd(
    ctx: click.Context,
    names: tuple[str, ...],
    country: str | None,
    csv_file: str | None,
    column: str | None,
    fmt: str,
) -> None:
    """Look place names up in the offline gazetteer.

    Prints, per name, its status (ok, not found, ambiguous), the place chosen (name, country,
    lat, lon, kind), the runner-up, and suggestions or candidates. Exits 1 if any name is not ok.

    \b
    Examples:
      geoflows geocode Rajin Kiev
      geoflows geocode Tartus --country SY
      geoflows geocode --csv flows.csv --column origin --format csv > origins.csv
    """
    from geoflows import geocode_all

    queries = _geocode_queries(names, csv_file, column)
    df = geocode_all(queries, country=country)
    _echo(_geocode_output(df, fmt), nl=fmt != "csv")
    if not (df["status"].astype(str) == "ok").all():
        ctx.exit(EXIT_PROBLEMS)


def _validate_flows_file(
    path: str,
    gazetteer: Any = None,
    warned: list[str] | None = None,
    **read_options: Any,
) -> tuple[list[str], int | None]:
    """Problems of one flow file and its flow count; its warnings are added to ``warned``."""
    import warnings

    from geoflows import read_flows

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GeoflowsWarning)
        try:
            flows = read_flows(path, gazetteer=gazetteer, **read_options)
        except FlowValidationError as e:
            # Row order reads like the file; within a row, the contract's field order.
            problems = sorted(e.problems, key=lambda p: getattr(p, "row", 0) or 0)
            return [str(p) for p in problems] or [str(e)], None
        except (GeoflowsError, OSError) as e:
            msg, _ = describe_error(e)
            return [msg if msg.startswith(str(path)) else f"{path}: {msg}"], None
    if warned is not None:
        for w in caught:
            if issubclass(w.category, GeoflowsWarning) and str(w.message) not in warned:
                warned.append(str(w.message))
    return [], len(flows)


@cli.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(), metavar="FILE...")
@click.option(
    "--gazetteer",
    type=click.Path(dir_okay=False),
    metavar="PLACES.csv",
    help="CSV of your own places, for flow files.",
)
@click.option("--country", metavar="CC", help="Country hint for every place name.")
@_validate_read_flags[0]
@_validate_read_flags[1]
@_validate_read_flags[2]
@click.pass_context
def validate_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    gazetteer: str | None,
    country: str | None,
    columns: str | None,
    units: str | None,
    extra_columns: str | None,
) -> None:
    """Check flow files and build files without drawing any map.

    Flow files (CSV, GeoJSON, GeoPackage, GeoParquet) are checked against the flow record
    contract and every place name is looked up. Build files (.yaml, .yml) are checked against
    the build-file schema, and each of their inputs is checked as a flow file. Every problem is
    printed (file, row, field, value, rule); exits 1 if there is any. A file is "ok" only
    when nothing was dropped or guessed: its warnings (units spelled several ways, a route
    drawn as a geodesic instead, ...) are printed under "warn" (exit status 0).

    \b
    Examples:
      geoflows validate data/dprk_russia_2023_2024.csv
      geoflows validate data/bad_flows.csv data/maps.yaml
      geoflows validate my_flows.csv --gazetteer my_places.csv
    """
    gaz = _gazetteer(gazetteer)
    n_bad = n_problems = 0
    for f in files:
        problems: list[str] = []
        warned: list[str] = []
        summary = ""
        if Path(f).suffix.lower() in _BUILD_SUFFIXES:
            try:
                spec = load_build_file(f)
            except BuildError as e:
                # a build file that cannot be read at all is one problem: the error itself
                problems = [str(p) for p in e.problems] or [str(e)]
            else:
                spec_gaz = gaz
                if spec.gazetteer is not None:
                    spec_gaz = _gazetteer(str(spec.gazetteer))
                total = 0
                for inp in spec.inputs.values():
                    used = any(inp.name in m.inputs for m in spec.maps)
                    p, n = _validate_flows_file(
                        str(inp.path), spec_gaz, warned, **inp.read_options()
                    )
                    problems += [f"inputs.{inp.name}: {x}" for x in p]
                    total += n or 0
                    if not used:
                        _echo(f"note: {f}: input {inp.name!r} is not used by any map", err=True)
                summary = f"{len(spec.maps)} maps, {len(spec.inputs)} inputs, {total} flows"
        else:
            options = _read_options(columns, units, extra_columns)
            problems, n = _validate_flows_file(f, gaz, warned, country=country, **options)
            summary = f"{n} flows"
        if problems:
            n_bad += 1
            n_problems += len(problems)
            _echo(f"FAIL {f}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
            for p in problems:
                _echo(f"  {p}")
        elif warned:
            # Not "ok": something was guessed or would be drawn other than the data says.
            s = "s" if len(warned) != 1 else ""
            _echo(f"warn {f}: {summary}, {len(warned)} warning{s}")
            for w in warned:
                _echo(f"  {w}")
        elif not _quiet(ctx):
            _echo(f"ok   {f}: {summary}")
    if n_bad:
        _echo(f"{n_bad} of {len(files)} file(s) with problems ({n_problems} in all)", err=True)
        ctx.exit(EXIT_PROBLEMS)


@cli.command("export")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="INPUT...")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="OUT",
    help="File to write: .geojson, .gpkg, .parquet or .csv.",
)
@click.option(
    "--driver",
    type=click.Choice(["GeoJSON", "GPKG", "Parquet", "CSV", "flowmap.blue", "kepler.gl"]),
    help="Format, when the suffix does not say (flowmap.blue: OUT is a folder).",
)
@_with_input_options
@click.pass_context
def export_cmd(
    ctx: click.Context,
    inputs: tuple[str, ...],
    output: str,
    driver: str | None,
    route: str,
    gazetteer: str | None,
    country: str | None,
    allow_unresolved: bool,
    columns: str | None,
    units: str | None,
    extra_columns: str | None,
    locations: str | None,
    location_columns: str | None,
    strict: bool,
) -> None:
    """Resolve places, build the lines, and write the flows as a GIS file.

    Every field of the flow record is kept, with the resolved coordinates; GeoJSON follows
    RFC 7946. Open the result in QGIS, or read it back with `geoflows map`.

    \b
    Examples:
      geoflows export data/dprk_russia_2023_2024.csv -o dprk.geojson
      geoflows export data/black_sea_grain_2023.csv -o grain.gpkg --route sea
      geoflows export a.csv b.csv -o both.parquet
    """
    check_output_is_not_an_input(output, [*inputs, gazetteer], what="export")
    flows = _read(
        inputs,
        gazetteer=_gazetteer(gazetteer),
        country=country,
        route=route,
        allow_unresolved=allow_unresolved,
        columns=columns,
        units=units,
        extra_columns=extra_columns,
        locations=locations,
        location_columns=location_columns,
        strict=strict,
    )
    out = flows.to_file(output, driver=driver)
    if not _quiet(ctx):
        _echo(f"wrote {out} ({len(flows)} flows)")


@cli.command("places")
@click.argument("text")
@click.option("--country", metavar="CC", help="Only places in this country.")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Most places to list.",
)
@click.option(
    "--gazetteer",
    type=click.Path(dir_okay=False),
    metavar="PLACES.csv",
    help="Also search your own places.",
)
def places_cmd(text: str, country: str | None, limit: int, gazetteer: str | None) -> None:
    """Search the gazetteer for places whose names match TEXT.

    \b
    Examples:
      geoflows places vostok
      geoflows places "Tartus" --country SY
      geoflows places port --limit 25 --gazetteer my_sites.csv
    """
    from geoflows.places import Gazetteer

    gaz = _gazetteer(gazetteer) or Gazetteer.default()
    found = gaz.search(text, limit=limit, country=country)
    if not found:
        _echo(f"no places match {text!r}", err=True)
        return
    rows = [
        [
            p.name,
            _cell_text(p.country),
            _fmt_coord(p.lat),
            _fmt_coord(p.lon),
            _cell_text(p.kind),
            _cell_text(getattr(p, "population", None)),
            _cell_text(getattr(p, "source", None)),
            _cell_text(getattr(p, "id", None)),
        ]
        for p in found
    ]
    _echo(
        text_table(
            ["name", "country", "lat", "lon", "kind", "population", "source", "id"],
            rows,
            right={2, 3, 5},
        )
    )


@cli.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema (Draft 2020-12) of build files.

    \b
    Examples:
      geoflows schema > build.schema.json
      geoflows schema | python -m json.tool
    """
    _echo(_schema_text().rstrip("\n"))


def _show_warning(
    message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    _echo(f"warning: {message}", err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``geoflows`` command (the console-script entry point).

    Examples
    --------
    >>> from geoflows.cli import main
    >>> try:
    ...     main(["--version"])
    ... except SystemExit as e:
    ...     e.code
    geoflows, version ...
    0
    """
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        cli.main(args=list(argv) if argv is not None else None, prog_name="geoflows")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])


def _report_paths(inputs: Sequence[str]) -> list[Path]:
    """List the report files named, a folder standing for its ``.txt`` and ``.md`` files (sorted)."""
    from geoflows.errors import InputFileError

    out: list[Path] = []
    for name in inputs:
        p = Path(name)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.suffix.lower() in (".txt", ".md"))
            if not found:
                raise InputFileError(f"{p}: the folder holds no .txt or .md report")
            out.extend(found)
        elif not p.is_file():
            raise InputFileError(f"{p}: no such report file; give a .txt file or a folder")
        else:
            out.append(p)
    return out


@cli.command("extract")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(), metavar="REPORT...")
@click.option(
    "--published",
    callback=_check_date,
    help="The reports' date (YYYY-MM-DD): relative dates are resolved against it.",
)
@click.option(
    "--source", help="The report, put first in every record's source (default: file name)."
)
@click.option("-o", "--output", type=click.Path(), required=True, help="The draft CSV to write.")
@click.pass_context
def extract_cmd(
    ctx: click.Context, inputs: tuple[str, ...], published: str | None, source: str | None,
    output: str,
) -> None:  # fmt: skip
    """Extract candidate flow records, with their evidence, from report texts into a CSV.

    Review the draft (the evidence column says where each value was read), then map it.

    \b
    Examples:
      geoflows extract report.txt --published 2024-06-27 --source "DSA" -o draft.csv
      geoflows extract reports/ --published 2024-06-27 -o draft.csv
      geoflows map draft.csv -o draft.html
    """
    import pandas as pd

    from geoflows._files import write_text_atomic
    from geoflows.errors import ExtractError
    from geoflows.extract import MAX_TEXT_BYTES, extract_flows

    frames = []
    reports = _report_paths(inputs)
    check_output_is_not_an_input(output, reports, what="draft CSV")
    for path in reports:
        if path.stat().st_size > MAX_TEXT_BYTES:
            raise ExtractError(
                f"{path}: larger than {MAX_TEXT_BYTES // 2**20} MB; split the report into files"
            )
        try:
            flows = extract_flows(
                path.read_bytes(), published=published, source=source or path.name
            )
        except ExtractError as exc:
            raise ExtractError(f"{path}: {exc}") from None
        recs = flows.records.copy()
        recs["id"] = [f"{path.stem}_{i}" for i in recs["id"]]
        frames.append(recs)
        if not _quiet(ctx):
            click.echo(
                f"{path}: {len(recs)} record(s){'; ' + flows.reason if flows.reason else ''}"
            )
    table = pd.concat(frames, ignore_index=True)
    out = write_text_atomic(output, table.to_csv(index=False))
    click.echo(f"wrote {out} ({len(table)} record(s) to review)")
