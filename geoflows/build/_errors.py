"""Errors as one line plus a hint, shared by batch builds and the command line."""

from __future__ import annotations

from typing import Any

import yaml

from geoflows.errors import (
    AmbiguousPlace,
    BuildError,
    FlowValidationError,
    GeoflowsError,
    InputFileError,
    PlaceNotFound,
)

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
    """Tell whether ``p`` is a named place that did not resolve (not a missing or bad field)."""
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
