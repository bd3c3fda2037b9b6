"""Reading and writing flow files: CSV, GeoJSON, GeoPackage, GeoParquet, flowmap.blue, kepler.gl.

The rules of the records live in :mod:`geoflows.schema`, the input checks and the atomic
writer in ``geoflows._files`` (re-exported here). :func:`read_flows` takes a CSV, GeoJSON, GeoPackage or
GeoParquet path, a DataFrame or a list of dicts, validates every row against the data contract
(reporting *all* problems at once, each naming file, row, field, value and rule), resolves the
places with the gazetteer, builds the routes and returns a :class:`~geoflows.flows.FlowSet`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows._files import (  # noqa: F401  (the file rules, re-exported: geoflows.io.X)
    MAX_INPUT_BYTES,
    _input_limit,
    atomic_output,
    check_input_file,
    read_input_bytes,
    remove_stale_temporaries,
    write_atomic,
    write_text_atomic,
)
from geoflows.errors import FlowValidationError, GeoflowsError, InputFileError

if TYPE_CHECKING:
    from geoflows.flows import FlowSet
    from geoflows.places import Gazetteer

from geoflows.schema import (  # noqa: F401  (the contract, re-exported for compatibility)
    CONFIDENCES,
    DATE_FIELDS,
    FLOW_FIELDS,
    KINDS,
    MODES,
    REQUIRED_FIELDS,
    RESOLVED_FIELDS,
    TEXT_FIELDS,
    VOLUME_FIELDS,
    Problem,
    split_list,
    validate_records,
)

# Own names only: the contract and file rules re-exported above stay importable from here
# (geoflows.io.FLOW_FIELDS) but are documented where they are defined.
__all__ = [
    "EXPORT_DATE",
    "FLOW_FILE_SUFFIXES",
    "FORMULA_TRIGGERS",
    "TABLE_FORMATS",
    "neutralize_formulas",
    "read_flows",
    "read_table",
    "restore_formulas",
    "validate_flows",
    "write_flows",
]

FLOW_FILE_SUFFIXES = {
    ".csv": "CSV",
    ".tsv": "CSV",
    ".txt": "CSV",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GPKG",
    ".parquet": "Parquet",
    ".geoparquet": "Parquet",
}


# --------------------------------------------------------------------------- reading tables
def _sniff_separator(first_line: str) -> str:
    if first_line.count(";") > first_line.count(",") and first_line.count(";") > 0:
        return ";"
    if first_line.count("\t") > first_line.count(","):
        return "\t"
    return ","


def read_table(path: str | os.PathLike, *, encoding: str | None = None) -> pd.DataFrame:
    """Read a flow file into a plain DataFrame of its rows, without validating.

    CSV files are read as text (UTF-8, with or without a byte-order mark; another encoding must
    be named with ``encoding=``); the separator (``,``, ``;`` or tab) is taken from the header
    line. GeoJSON, GeoPackage and GeoParquet are read with pyogrio/geopandas; their lines are
    kept in a ``geometry`` column (EPSG:4326) as the rows' own routes, other geometry is
    dropped (flows are built from the place columns).

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding : str, optional
        Text encoding of a CSV that is not UTF-8, e.g. ``"cp1251"`` or ``"latin-1"``.

    Returns
    -------
    pandas.DataFrame
        One row per record, the file's columns; CSV values are strings.

    Raises
    ------
    InputFileError
        The file does not exist, is a directory, is empty, or is not valid in its encoding.

    Examples
    --------
    >>> df = read_table("data/dprk_russia_2023_2024.csv")
    >>> {"origin", "destination"} <= set(df.columns)
    True
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{p}: no such file; check the path (relative to {Path.cwd()})")
    if p.is_dir():
        raise InputFileError(f"{p}: is a directory; give the path of a flow file inside it")
    check_input_file(p, what="flow file")
    if p.stat().st_size == 0:
        raise InputFileError(f"{p}: the file is empty; a flow file needs a header row and records")
    kind = FLOW_FILE_SUFFIXES.get(p.suffix.lower(), "CSV")
    return _read_csv(p, encoding) if kind == "CSV" else _read_gis(p, kind)


def _read_csv(p: Path, encoding: str | None) -> pd.DataFrame:
    """Read a CSV flow file as text: decoded, separator sniffed, header checked, formulas restored."""
    raw = read_input_bytes(p, what="flow file")
    enc = encoding or "utf-8-sig"
    try:
        text = raw.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{p}: not valid {enc.upper() if encoding else 'UTF-8'} (byte 0x{raw[exc.start]:02x} "
            f"at offset {exc.start}); re-save the file as UTF-8, or name its encoding, e.g. "
            f"read_flows(path, encoding='cp1251') or encoding='latin-1'"
        ) from None
    if text.strip() == "":
        raise InputFileError(f"{p}: the file holds only whitespace; it needs a header row")
    sep = _sniff_separator(text.lstrip("\ufeff").splitlines()[0])
    import io as _io

    try:
        df = pd.read_csv(
            _io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skipinitialspace=False
        )
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{p}: cannot be parsed as CSV ({exc}); check quoting") from None
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    _check_counts(p, "CSV", len(df), 0)  # columns: validate_records names the header
    _check_header(p, text, sep)
    if _MARKED_CELL_RE.search(text):  # one scan: most files hold no neutralised cell
        df = restore_formulas(df)
    return df


#: Most rows (features) geoflows reads from one input, checked from the file's metadata
#: before anything is allocated; the environment variable ``GEOFLOWS_MAX_ROWS`` raises it.
MAX_ROWS = 10_000_000


def max_rows() -> int:
    """Return the row limit: ``GEOFLOWS_MAX_ROWS`` if set, else :data:`MAX_ROWS`.

    Examples
    --------
    >>> max_rows() >= 1
    True
    """
    from geoflows.schema import limit_from_env

    return limit_from_env("GEOFLOWS_MAX_ROWS", MAX_ROWS, "rows", 20_000_000)


def _check_counts(p: Path, kind: str, rows: int, columns: int) -> None:
    """Refuse a file whose metadata declares more rows or columns than geoflows reads."""
    from geoflows.schema import max_columns

    if rows < 0 or rows > max_rows():
        raise InputFileError(
            f"{p}: the {kind} file declares {rows:,} rows, more than the {max_rows():,} geoflows "
            f"reads; split it, or raise GEOFLOWS_MAX_ROWS"
        )
    if columns > max_columns():
        raise InputFileError(
            f"{p}: the {kind} file declares {columns:,} columns, more than the "
            f"{max_columns():,} geoflows reads; drop the unused columns, or raise GEOFLOWS_MAX_COLUMNS"
        )


def _read_gis(p: Path, kind: str) -> pd.DataFrame:
    """Read a GeoJSON, GeoPackage or GeoParquet flow file; lines kept as the rows' own routes."""
    import geopandas as gpd

    try:
        if kind == "Parquet":
            import pyarrow.parquet as pq

            meta = pq.read_metadata(p)
            _check_counts(p, kind, meta.num_rows, meta.num_columns)
            gdf = gpd.read_parquet(p)
        else:
            import pyogrio

            # The flows are the first layer; a geoflows export adds a places layer after it.
            layer = str(pyogrio.list_layers(p)[0][0])
            info = pyogrio.read_info(p, layer=layer)
            _check_counts(p, kind, int(info["features"]), len(info["fields"]))
            gdf = gpd.read_file(p, layer=layer)
    except InputFileError:
        raise
    except Exception as exc:  # pyogrio/arrow raise many types; name the file either way
        raise InputFileError(f"{p}: cannot be read as {kind} ({exc})") from None
    from geoflows._layouts import frame_with_geometry

    return frame_with_geometry(gdf)


#: A cell (or header) that :func:`neutralize_formulas` marked: ``'`` then a formula character.
#: (Searched for as is, a literal first: a hit anywhere only means the exact restore pass runs.)
_MARKED_CELL_RE = re.compile(r"'[=+\-@\t\r]")


def _check_header(p: Path, text: str, sep: str) -> None:
    """Refuse a header naming one column twice (pandas would rename the second ``notes.1``)."""
    import io as _io

    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    header = pd.read_csv(
        _io.StringIO(text if '"' in first_line else first_line),
        sep=sep,
        header=None,
        nrows=1,
        dtype=str,
        keep_default_na=False,
    ).iloc[0]
    seen: dict[str, int] = {}
    for number, name in enumerate(header.tolist(), start=1):
        name = str(name).strip()
        key = name.lower() if name.lower() in FLOW_FIELDS else name
        if not name:  # trailing separators: pandas names these "Unnamed: n"
            continue
        if key in seen:
            raise FlowValidationError(
                [
                    Problem(
                        str(p),
                        1,
                        name,
                        name,
                        f"column appears twice in the header (columns {seen[key]} and {number}); "
                        "rename or remove one",
                    )
                ],
                str(p),
            )
        seen[key] = number


def _to_frame(data: object, encoding: str | None = None) -> tuple[pd.DataFrame, str, int]:
    """Return (records, source name, row offset for messages)."""
    if isinstance(data, (str, os.PathLike)):
        p = Path(data)
        df = read_table(p, encoding=encoding)
        offset = 2 if FLOW_FILE_SUFFIXES.get(p.suffix.lower(), "CSV") == "CSV" else 1
        return df, str(data), offset
    from geoflows._layouts import frame_with_geometry, is_trajectory_collection

    if is_trajectory_collection(data):
        from geoflows._layouts import trajectories_frame

        return trajectories_frame(data), "", 1
    if isinstance(data, pd.DataFrame) and hasattr(data, "_geometry_column_name"):
        return frame_with_geometry(data.reset_index(drop=True)), "", 1
    if isinstance(data, pd.DataFrame):
        df = pd.DataFrame(data.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
        return df, "", 1
    if isinstance(data, Mapping):
        return pd.DataFrame([dict(data)]), "", 1
    if isinstance(data, Iterable):
        rows = list(data)
        bad = [i for i, r in enumerate(rows) if not isinstance(r, Mapping)]
        if bad:
            raise GeoflowsError(
                f"read_flows takes a path, a DataFrame or a list of dicts; item {bad[0] + 1} is "
                f"{type(rows[bad[0]]).__name__}"
            )
        return pd.DataFrame([dict(r) for r in rows]), "", 1
    raise GeoflowsError(
        f"read_flows takes a path, a DataFrame or a list of dicts; got {type(data).__name__}"
    )


# --------------------------------------------------------------------------- validation
def validate_flows(
    data: object,
    *,
    source: str | None = None,
    encoding: str | None = None,
    columns: Mapping[str, str] | None = None,
    locations: object = None,
    units: Mapping[str, str] | None = None,
    extra_columns: Iterable[str] = (),
    location_columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Check flow records against the data contract and return them typed.

    Every problem in every row is collected; if there are any, one
    :class:`~geoflows.errors.FlowValidationError` lists them all.

    Parameters
    ----------
    data : path, DataFrame or list of dict
        Flow records with the contract's columns; only ``origin`` and ``destination`` are
        required. Other columns are kept as they are.
    source : str, optional
        Name used for the input in messages (default: the path, or none).
    encoding : str, optional
        Encoding of a CSV file that is not UTF-8 (see :func:`read_table`).
    columns : dict, optional
        Your column names mapped onto the contract's fields, e.g. ``{"OrigName": "origin"}``
        (see :func:`read_flows`).
    locations : path, DataFrame or list of dict, optional
        flowmap.blue's locations table (``id, name, lat, lon``); ``data`` is then its flows
        table (``origin, dest, count``).
    units : dict, optional
        Spellings of units mapped onto the unit they mean, e.g. ``{"droens": "drones"}``.
        Units that still differ only by case, a plural or one letter are one
        :class:`~geoflows.errors.UnitSpellingWarning` listing each spelling with its count
        and first row (they would be drawn with separate width scales).
    extra_columns : list of str, optional
        Columns of your own (after ``columns=``), kept as they are: a column a letter or two
        from a field the header lacks (``volumn``) is otherwise a problem, since the field
        would be left empty; name it here when it is not that field.
    location_columns : dict, optional
        The locations table's column names mapped onto ``id, name, lat, lon`` (see
        :func:`read_flows`).

    Returns
    -------
    pandas.DataFrame
        The records with volumes as floats (NaN = unknown), dates as ``datetime64``, kinds,
        modes and confidence words lower-cased, ``id`` filled (``"1"``, ``"2"``… by row when
        missing), and every other column unchanged.

    Raises
    ------
    FlowValidationError
        With ``.problems``: every broken rule, each naming file, row, field, value and rule.

    Examples
    --------
    >>> df = validate_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": "1,000"}])
    >>> float(df.loc[0, "volume"])
    1000.0
    """
    df, name, offset = _to_frame(data, encoding)
    name = source if source is not None else name
    df.columns = [str(c).strip() for c in df.columns]
    df, given = _apply_layout(df, name, offset, columns, locations, location_columns)
    if units and "unit" in df.columns:  # before validation: a group's units must agree
        df = df.assign(unit=_mapped_units(df["unit"], units, name))
    out = validate_records(df, name, first_row=offset, extra_columns=tuple(extra_columns or ()))
    _warn_unit_spellings(out, name)
    if given is not None:
        out["_given"] = given
    return out


def _mapped_units(unit: pd.Series, units: Mapping[str, str], name: str) -> pd.Series:
    """Replace the spellings ``units`` maps (after stripping, as units are read)."""
    if not isinstance(units, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in units.items()
    ):
        raise GeoflowsError(
            f"{name or 'units'}: units= must map each spelling to a unit, as text, e.g. "
            f"{{'droens': 'drones'}}; got {units!r}"
        )
    mapping = {k.strip(): v.strip() for k, v in units.items()}
    return unit.map(lambda u: mapping.get(u.strip(), u) if isinstance(u, str) else u)


def _warn_unit_spellings(out: pd.DataFrame, name: str) -> None:
    """Warn once about units that look like one unit written several ways."""
    from geoflows.errors import UnitSpellingWarning, warn
    from geoflows.schema import unit_spellings

    groups = unit_spellings(out["unit"])
    if not groups:
        return
    unit, rows = out["unit"].to_numpy(dtype=object), out["_row"].to_numpy()

    def first_row(spelling: str) -> int:
        return int(rows[np.flatnonzero(unit == spelling)[0]])

    described = "; ".join(
        ", ".join(f"{s!r} ({n} row{'s' if n != 1 else ''}, first row {first_row(s)})" for s, n in g)
        for g in groups
    )
    mapping = {s: g[0][0] for g in groups for s, _ in g[1:]}
    where = f"{name}: " if name else ""
    warn(
        f"{where}unit: these spellings look like one unit but would be drawn as separate units "
        f"with their own width scales: {described}. If they are one, map them with "
        f"units={mapping!r} (build file: the input's units:, CLI: --units "
        f"{','.join(f'{k}={v}' for k, v in mapping.items())})",
        UnitSpellingWarning,
        spellings=groups,
    )


def _apply_layout(
    df: pd.DataFrame,
    name: str,
    offset: int,
    columns: Any,
    locations: object,
    location_columns: Any = None,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Map other layouts onto the contract; return the rows and their own lines (or None)."""
    from geoflows import _layouts

    if columns:
        df = _layouts.apply_columns(df, columns, name)
    df = _layouts.kepler_coordinates(df)
    if locations is not None:
        df = _layouts.flowmap_blue_frame(df, locations, name, offset, location_columns)
    elif location_columns:
        raise GeoflowsError(
            "location_columns names the columns of a locations table, but no locations= "
            "(--locations FILE) was given"
        )
    given = _layouts.given_lines(df, name, offset)
    df = _layouts.fill_names_from_lines(df, given)
    return _layouts.fill_names_from_coordinates(df), given


# --------------------------------------------------------------------------- reading flows
def read_flows(
    data: object,
    *,
    gazetteer: Gazetteer | None = None,
    country: str | None = None,
    route: str = "auto",
    allow_unresolved: bool = False,
    encoding: str | None = None,
    columns: Mapping[str, str] | None = None,
    locations: object = None,
    location_columns: Mapping[str, str] | None = None,
    strict: bool = False,
    units: Mapping[str, str] | None = None,
    extra_columns: Iterable[str] = (),
) -> FlowSet:
    """Read, validate and resolve flows into a :class:`~geoflows.flows.FlowSet`.

    Parameters
    ----------
    data : path, pandas.DataFrame or list of dict
        A CSV, GeoJSON, GeoPackage or GeoParquet file, or records with the columns of the data
        contract (:data:`geoflows.schema.FLOW_FIELDS`; only ``origin`` and ``destination`` are
        required; ``via`` is ``;``-separated).
    gazetteer : Gazetteer, optional
        Where place names are looked up (default: the built-in offline gazetteer). Use
        ``Gazetteer.from_csv("my_sites.csv")`` to add your own places.
    country : str, optional
        Country hint applied to every name (ISO code or name).
    route : str
        Route builder for every flow: ``auto`` (by ``mode``: sea lanes for sea, rail lines for
        rail, geodesic otherwise), ``geodesic``, ``straight``, ``arc``, ``sea`` or ``rail``.
    allow_unresolved : bool
        If False (default) an unknown or ambiguous place is a validation problem. If True those
        flows are kept without geometry and listed in :attr:`FlowSet.unresolved`.
    encoding : str, optional
        Encoding of a CSV that is not UTF-8.
    columns : dict, optional
        Your column names mapped onto the contract's fields and ``origin_lat``, ``origin_lon``,
        ``destination_lat``, ``destination_lon`` (coordinates beside the names, used as given),
        e.g. ``{"OrigName": "origin", "OrigLat": "origin_lat", "FlowMag": "volume"}``.
    locations : path, DataFrame or list of dict, optional
        flowmap.blue's locations table (``id, name, lat, lon``; ``latitude``, ``longitude``
        and ``lng`` are taken as ``lat``/``lon``); ``data`` is then its flows table
        (``origin, dest, count[, time]``), ids resolved through the locations. The ids are
        kept (``origin_id``, ``destination_id``) and written again by every export.
    location_columns : dict, optional
        The locations table's column names mapped onto ``id, name, lat, lon`` (and ``kind``,
        ``country``), e.g. ``{"iata": "id", "latitude": "lat", "longitude": "lon"}``.
    strict : bool
        Coordinates given beside a name (``origin_lat``…, a flowmap.blue locations table, an
        export) are trusted: a name the gazetteer does not know only labels them, and one
        whose every place lies more than 50 km away is a warning naming both (default,
        False), or a problem with ``strict=True``.
    units : dict, optional
        Spellings of units mapped onto the unit they mean, e.g. ``{"droens": "drones"}``
        (see :func:`validate_flows`).
    extra_columns : list of str, optional
        Columns of your own whose names are a letter or two from a field the header lacks
        (``volumn`` beside no ``volume``), kept as they are instead of refused as a typo.

    Returns
    -------
    FlowSet

    Raises
    ------
    FlowValidationError
        Every broken rule and every unresolved place, all at once.

    Notes
    -----
    Rows that carry a LineString (a GeoDataFrame, GeoJSON, GeoPackage, GeoParquet) keep it as
    their route, with ``route_kind="given"``; a movingpandas ``TrajectoryCollection`` becomes
    one flow per trajectory (its track, its first and last fix and time).

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                         "volume": 1000, "unit": "containers", "mode": "sea"}])
    >>> len(flows), flows.to_geodataframe().crs.to_epsg()
    (1, 4326)
    """
    from geoflows.flows import FlowSet

    records = validate_flows(
        data,
        encoding=encoding,
        columns=columns,
        locations=locations,
        units=units,
        extra_columns=extra_columns,
        location_columns=location_columns,
    )
    source = str(data) if isinstance(data, (str, os.PathLike)) else ""
    return FlowSet._from_records(
        records,
        gazetteer=gazetteer,
        country=country,
        route=route,
        allow_unresolved=allow_unresolved,
        source=source,
        strict=strict,
    )


# --------------------------------------------------------------------------- spreadsheet formulas
#: A text cell starting with one of these is a formula to a spreadsheet ("CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^'*[=+\-@\t\r]"
_NEUTRALIZED_RE = r"^'+[=+\-@\t\r]"
# Plain numbers and "lat, lon" pairs may start with + or -; a spreadsheet computes nothing from them.
_NUMERIC_TEXT_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?(\s*,\s*[+-]?(\d+\.?\d*|\.\d+))?$"


def _matches(values: pd.Series, pattern: str) -> np.ndarray:
    """Which values are text matching ``pattern`` (numbers, None and lists never are)."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind != "string" and not kind.startswith("mixed"):
        return np.zeros(len(values), dtype=bool)
    return values.astype(object).str.match(pattern, na=False).to_numpy(dtype=bool)


def _formula_mask(values: pd.Series) -> np.ndarray:
    return _matches(values, _FORMULA_RE) & ~_matches(values, _NUMERIC_TEXT_RE)


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    As OWASP recommends against CSV injection, a text cell (or column name) that starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, which
    spreadsheets take as "this is text". So does a cell that already starts with ``'`` before
    one of those, so that :func:`restore_formulas` (applied when geoflows reads a CSV) gives
    back exactly the original text. Numbers are never changed: numeric columns are left alone,
    and so is text that is a plain number or a ``"lat, lon"`` pair (``-12.5``, ``-33.9, 18.4``).

    Examples
    --------
    >>> df = pd.DataFrame({"label": ["=SUM(A1:A9)", "-5", "@SUM(A1)", "ok"],
    ...                    "volume": [-1.5, 2, 3, 4]})
    >>> neutralize_formulas(df)["label"].tolist()
    ["'=SUM(A1:A9)", '-5', "'@SUM(A1)", 'ok']
    >>> restore_formulas(neutralize_formulas(df)).equals(df)
    True
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            risky = _formula_mask(column)
            if risky.any():
                text = column.astype(object)
                out[name] = text.where(~risky, "'" + text.astype(str)).astype(column.dtype)
    names = pd.Series([str(c) for c in out.columns], dtype=object)
    risky = _formula_mask(names)
    if risky.any():
        out.columns = [
            "'" + n if r else c for n, r, c in zip(names, risky, out.columns, strict=True)
        ]
    return out


def restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralize_formulas`: drop the one ``'`` it put before a formula character.

    Examples
    --------
    >>> restore_formulas(pd.DataFrame({"'=x": ["'+1 (555)", "''=y", "'plain"]})).to_dict("list")
    {'=x': ['+1 (555)', "'=y", "'plain"]}
    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            marked = _matches(column, _NEUTRALIZED_RE)
            if marked.any():
                text = column.astype(object)
                out[name] = text.where(~marked, text.str.slice(1)).astype(column.dtype)
    names = pd.Series([str(c) for c in out.columns], dtype=object)
    marked = names.str.match(_NEUTRALIZED_RE).to_numpy(dtype=bool)
    if marked.any():
        out.columns = [
            n[1:] if m else c for n, m, c in zip(names, marked, out.columns, strict=True)
        ]
    return out


def _export_frame(flows: FlowSet) -> Any:
    """Return the GeoDataFrame written to files: every field, dates as text."""
    gdf = flows.to_geodataframe()
    for field in DATE_FIELDS:
        gdf[field] = (
            gdf[field].dt.strftime("%Y-%m-%d").astype(object).where(gdf[field].notna(), None)
        )
    return gdf


#: The time GDAL writes into GeoPackages (``OGR_CURRENT_DATE``), so exports are byte-identical;
#: set the environment variable ``OGR_CURRENT_DATE`` to write another.
EXPORT_DATE = "2000-01-01T00:00:00.000Z"
#: Formats of :func:`write_flows` besides the GDAL/Arrow ones.
TABLE_FORMATS = ("flowmap.blue", "kepler.gl")


def _dated_frame(gdf: Any) -> Any:
    """``start``/``end`` as real date columns (Arrow ``date32``) for GeoPackage and GeoParquet."""
    import pyarrow as pa

    out = gdf.copy()
    for field in DATE_FIELDS:
        out[field] = out[field].astype("datetime64[s]").astype(pd.ArrowDtype(pa.date32()))
    return out


def _write_gis(flows: FlowSet, gdf: Any, tmp: Path, kind: str, layer: str) -> None:
    """GeoJSON / GeoPackage / GeoParquet with named layers and no timestamps."""
    import pyogrio

    from geoflows._layouts import places_frame

    if kind == "GeoJSON":
        gdf.to_file(
            tmp, driver="GeoJSON", engine="pyogrio", layer=layer, layer_options={"RFC7946": "YES"}
        )
        return
    dated = _dated_frame(flows.to_geodataframe())
    if kind == "Parquet":
        dated.to_parquet(tmp, index=False)
        return
    own = "OGR_CURRENT_DATE" not in os.environ
    if own:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": EXPORT_DATE})
    try:
        dated.to_file(tmp, driver="GPKG", engine="pyogrio", layer=layer, use_arrow=True)
        places_frame(flows).to_file(
            tmp, driver="GPKG", engine="pyogrio", layer=f"{layer}_places", append=True
        )
    finally:
        if own:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def write_flows(
    flows: FlowSet,
    path: str | os.PathLike,
    *,
    driver: str | None = None,
    format: str | None = None,
    layer: str | None = None,
) -> Path:
    """Write flows to GeoJSON, GeoPackage, GeoParquet, CSV, flowmap.blue or kepler.gl, atomically.

    GeoJSON follows RFC 7946 (lines across 180° split into MultiLineStrings). Every field of
    the contract is kept, plus the resolved coordinates, so reading the file back with
    :func:`read_flows` gives the same flows without the gazetteer; lines the user gave
    (``route_kind="given"``) come back as they were.

    The same flows give the same bytes: layers are named after the file (or ``layer``), and
    GeoPackages carry the fixed time :data:`EXPORT_DATE` instead of the current one. GeoPackage
    and GeoParquet hold real date columns, and a places layer beside the flows (one point per
    place with its flows in and out and its totals per unit): the GeoPackage layer
    ``<layer>_places``, or the file ``<name>.places.parquet`` beside a GeoParquet.

    Parameters
    ----------
    flows : FlowSet
    path : str or path-like
        ``.geojson``/``.json``, ``.gpkg``, ``.parquet`` or ``.csv`` (geometry as WKT); for
        ``flowmap.blue`` a folder that receives ``locations.csv`` and ``flows.csv``.
    driver : str, optional
        ``GeoJSON``, ``GPKG``, ``Parquet`` or ``CSV``; taken from the suffix when omitted.
    format : str, optional
        Same as ``driver``, and also ``flowmap.blue`` (its two tables) or ``kepler.gl`` (one
        CSV with ``source_lat, source_lng, target_lat, target_lng`` and every field).
    layer : str, optional
        Layer name in GeoJSON and GeoPackage files (default: the file name without suffix).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import geoflows as gf, tempfile, pathlib
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    >>> out = write_flows(flows, pathlib.Path(tempfile.mkdtemp()) / "flows.gpkg")
    >>> import pyogrio; pyogrio.list_layers(out)[:, 0].tolist()
    ['flows', 'flows_places']
    >>> fm = write_flows(flows, out.parent / "fm", format="flowmap.blue")
    >>> sorted(p.name for p in fm.iterdir())
    ['flows.csv', 'locations.csv']
    """
    p = Path(path)
    kind = _export_kind(p, driver, format)
    if kind == "flowmap.blue":
        from geoflows._layouts import write_flowmap_blue

        return write_flowmap_blue(flows, p)
    if kind == "kepler.gl":
        from geoflows._layouts import kepler_frame

        frame = neutralize_formulas(kepler_frame(flows))
        return write_text_atomic(p, frame.to_csv(index=False, lineterminator="\r\n"))
    gdf = _export_frame(flows)
    with atomic_output(p) as tmp:
        if kind == "CSV":
            frame = pd.DataFrame(gdf.drop(columns="geometry"))
            frame["geometry"] = gdf.geometry.to_wkt(rounding_precision=6)
            # CRLF (RFC 4180) makes the csv module quote any field holding \r or \n.
            frame = neutralize_formulas(frame)
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\r\n")
        else:
            _write_gis(flows, gdf, tmp, kind, layer or p.stem)
    if kind == "Parquet":
        from geoflows._layouts import places_frame

        write_atomic(p.with_name(f"{p.stem}.places.parquet"), _parquet_bytes(places_frame(flows)))
    return p


def _export_kind(p: Path, driver: str | None, format: str | None) -> str:
    """Return the format to write: ``format`` or ``driver`` (they must agree), else the suffix's."""
    if driver is not None and format is not None and driver != format:
        raise GeoflowsError(f"write_flows: driver={driver!r} and format={format!r} disagree")
    kind = format or driver or FLOW_FILE_SUFFIXES.get(p.suffix.lower())
    if kind not in ("GeoJSON", "GPKG", "Parquet", "CSV", *TABLE_FORMATS):
        raise GeoflowsError(
            f"{p}: cannot tell the format from the suffix '{p.suffix}'; use .geojson, .gpkg, "
            f".parquet or .csv, or pass format= (GeoJSON, GPKG, Parquet, CSV, "
            f"{', '.join(TABLE_FORMATS)})"
        )
    return str(kind)


def _parquet_bytes(gdf: Any) -> bytes:
    import io as _io

    buf = _io.BytesIO()
    gdf.to_parquet(buf, index=False)
    return buf.getvalue()
