"""The flow data contract: its fields, vocabularies, problems and the small helpers on them.

This module is the contract as code. It imports no other part of geoflows except
:mod:`geoflows.errors`, so every part (reading, flows, rendering, builds) can depend on it
without depending on each other.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "AT_FORMS",
    "CONFIDENCES",
    "DATE_FIELDS",
    "FIELDS",
    "FIELDS_BY_NAME",
    "FIELD_TYPES",
    "FLOW_FIELDS",
    "FLOW_KINDS",
    "GIVEN_ROUTE",
    "KINDS",
    "MODES",
    "REQUIRED_FIELDS",
    "RESOLVED_FIELDS",
    "TEXT_FIELDS",
    "VOLUME_FIELDS",
    "Field",
    "Problem",
    "at_period",
    "best_volume",
    "fields_markdown",
    "is_blank",
    "line_problems",
    "split_list",
]


@dataclass(frozen=True)
class Field:
    """One field of the flow record: its name, type, vocabulary, default, help and whether required.

    ``dtype`` is one of :data:`FIELD_TYPES`: ``place`` (a name, ``"lat, lon"`` or a Place),
    ``places`` and ``texts`` (``;``-separated lists), ``text``, ``word`` (one of
    ``vocabulary``, stored lower-case), ``number`` (a float >= 0, NaN when unknown) and
    ``date`` (a day, NaT when unknown).

    Examples
    --------
    >>> FIELDS_BY_NAME["mode"].vocabulary
    ('sea', 'rail', 'road', 'air', 'unknown')
    >>> FIELDS_BY_NAME["origin"].required, FIELDS_BY_NAME["volume"].default
    (True, nan)
    """

    name: str
    dtype: str
    help: str
    vocabulary: tuple[str, ...] = ()
    required: bool = False

    @property
    def default(self) -> object:
        """The value of an empty cell once typed: ``""``, NaN or NaT."""
        return {"number": math.nan, "date": pd.NaT}.get(self.dtype, "")


#: The types a field may have (see :class:`Field`).
FIELD_TYPES = ("place", "places", "text", "texts", "word", "number", "date")

#: The flow data contract: every field, in the order of typed records and exports.
FIELDS = (
    Field("id", "text", 'unique; filled with the row number (`"1"`, `"2"`, …) when empty'),
    Field(
        "origin",
        "place",
        "where the flow starts; resolved by the gazetteer ([rules](gazetteer.md))",
        required=True,
    ),
    Field("destination", "place", "where the flow ends; resolved like `origin`", required=True),
    Field("via", "places", "optional waypoints; the route passes through them in order"),
    Field(
        "volume",
        "number",
        "empty means *unknown* (drawn thin and dashed); `1,000`, `1 000` and `1000` are all "
        "read as 1000",
    ),
    Field(
        "volume_low",
        "number",
        "low end of a range, kept as a range; `volume_low` ≤ `volume_high`; a `volume` given "
        "with a range (or one bound) must lie inside it. Alone it is an open-ended claim: "
        '"more than 200 missiles"',
    ),
    Field(
        "volume_high",
        "number",
        'high end of a range; alone it reads "up to 500 missiles"',
    ),
    Field(
        "unit",
        "text",
        "`containers`, `shells`, `troops`, `tonnes`, … Volumes of different units are never "
        "summed or put on one scale",
    ),
    Field(
        "kind",
        "word",
        "what the movement is; case does not matter (stored lower-case)",
        ("shipment", "deployment", "transfer", "visit", "other"),
    ),
    Field("category", "text", "what moves (commodity, unit type); drives the colour by default"),
    Field(
        "mode",
        "word",
        "picks the route builder ([routing modes](routes.md))",
        ("sea", "rail", "road", "air", "unknown"),
    ),
    Field(
        "start",
        "date",
        "optional; drives the time slider. A month or a year means the whole period: as a "
        "`start` its first day",
    ),
    Field(
        "end",
        "date",
        "optional; not before `start`. A month or a year as an `end` means its last day "
        "(`end=2023-12` is 31 Dec 2023), in reading, exports and the slider",
    ),
    Field(
        "confidence",
        "word",
        "drives the line's dash pattern; a number from 0 to 1 is also allowed",
        ("confirmed", "reported", "claimed"),
    ),
    Field("source", "texts", "kept through every export and listed in the popup"),
    Field("label", "text", "optional; titles the popup"),
    Field("notes", "text", "optional; shown in the popup"),
    Field(
        "group",
        "text",
        "optional: records that describe the same movement (several claims), drawn as one "
        "line with the spread of their volumes, or one line per origin and destination pair "
        "when they name different places, each in the movement's colour with its popup; "
        "counted once, never summed; one unit per group",
    ),
    Field(
        "origin_country",
        "text",
        "optional country hint (ISO code or name) for looking up `origin`; once resolved, "
        "the country of the place found",
    ),
    Field(
        "destination_country",
        "text",
        "optional country hint for `destination`, like `origin_country`",
    ),
    Field(
        "start_precision",
        "word",
        "optional: how precise `start` is, as the source gave it; read from `start` when empty "
        "(`2022-09` is a month, `2022` a year); kept in exports, so a month stays a month",
        ("day", "month", "year"),
    ),
    Field(
        "end_precision",
        "word",
        "optional: how precise `end` is, like `start_precision`",
        ("day", "month", "year"),
    ),
)
FIELDS_BY_NAME = {f.name: f for f in FIELDS}

#: The columns of the flow data contract, in order.
FLOW_FIELDS = tuple(f.name for f in FIELDS)
REQUIRED_FIELDS = tuple(f.name for f in FIELDS if f.required)
TEXT_FIELDS = tuple(f.name for f in FIELDS if f.dtype not in ("number", "date"))
VOLUME_FIELDS = tuple(f.name for f in FIELDS if f.dtype == "number")
DATE_FIELDS = tuple(f.name for f in FIELDS if f.dtype == "date")
#: Flow kinds (``kind``), modes of transport (``mode``) and confidence words (``confidence``).
FLOW_KINDS = FIELDS_BY_NAME["kind"].vocabulary
MODES = FIELDS_BY_NAME["mode"].vocabulary
CONFIDENCES = FIELDS_BY_NAME["confidence"].vocabulary
#: Old name of :data:`FLOW_KINDS` (places have their own kinds: ``places.PLACE_KINDS``).
KINDS = FLOW_KINDS

_TYPE_TEXT = {
    "place": 'place name, `"lat, lon"`, or `Place`',
    "places": "places, `;`-separated (or a list)",
    "text": "text",
    "texts": "text or URL; several separated by `;`",
    "number": "number ≥ 0",
    "date": "ISO date, `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`)",
}


def fields_markdown() -> str:
    """Write the contract as the Markdown table of the docs (one row per field).

    Returns
    -------
    str
        The table, header first, one line per field of :data:`FIELDS`.

    Examples
    --------
    >>> print(fields_markdown().splitlines()[3])
    | `origin` | place name, `"lat, lon"`, or `Place` | **required** | where the flow starts; resolved by the gazetteer ([rules](gazetteer.md)) |
    """
    lines = ["| field | type | required | rule |", "|---|---|---|---|"]
    for f in FIELDS:
        kind = _TYPE_TEXT.get(f.dtype) or ", ".join(f"`{v}`" for v in f.vocabulary)
        required = "**required**" if f.required else ""
        lines.append(f"| `{f.name}` | {kind} | {required} | {f.help} |")
    return "\n".join(lines)


#: ``route_kind`` of a line the user gave (a GeoJSON/GeoPackage row's own geometry): drawn as is.
GIVEN_ROUTE = "given"
#: Columns geoflows adds when it resolves places and builds routes.
RESOLVED_FIELDS = (
    "origin_name",
    "origin_lat",
    "origin_lon",
    "origin_country",
    "origin_kind",
    "origin_near",
    "origin_former_name",
    "destination_name",
    "destination_lat",
    "destination_lon",
    "destination_country",
    "destination_kind",
    "destination_near",
    "destination_former_name",
    "via_coords",
    "route_kind",
    "route_note",
    "length_km",
)


@dataclass(frozen=True)
class Problem:
    """One broken rule in one row of flow input.

    ``row`` is 1-based as a spreadsheet shows it: in a CSV the header is row 1, so the first
    record is row 2; for a DataFrame or a list of dicts it is the record number (1 = first).

    Examples
    --------
    >>> str(Problem("flows.csv", 3, "volume", "-5", "must be a number >= 0"))
    "flows.csv: row 3: field 'volume' value '-5': must be a number >= 0"
    """

    file: str
    row: int
    field: str
    value: object
    rule: str

    def __str__(self) -> str:
        """Name the place, field, value and rule on one line."""
        where = f"{self.file}: row {self.row}" if self.file else f"record {self.row}"
        return f"{where}: field '{self.field}' value {_show(self.value)}: {self.rule}"


#: The range a line's vertices must lie in (EPSG:4326 degrees). Longitudes reach ±360, not
#: ±180: a line crossing 180° is kept unwrapped (131.9 -> 210.1) by geoflows' own exports.
LINE_LON_RANGE = 360.0
LINE_LAT_RANGE = 90.0


def line_problems(geoms: Any, rows: Any, source: str = "") -> list[Problem]:
    """Name every line with a vertex off the globe: not finite, latitude or longitude out of range.

    The one coordinate check for lines brought in (a GeoJSON, GeoPackage, GeoParquet or CSV
    ``geometry``, a GeoDataFrame, trajectories, :meth:`FlowSet.from_geodataframe`): latitude
    -90..90 and longitude -360..360, both finite. One problem per line, for its first bad vertex.

    Parameters
    ----------
    geoms : array-like of shapely geometry or None
    rows : array-like of int
        The row number each geometry is reported as (as :class:`Problem` counts rows).
    source : str
        The file (or "" for data in memory).

    Examples
    --------
    >>> import shapely
    >>> lines = [shapely.LineString([(0, 0), (1, 95)]), None, shapely.LineString([(0, 0), (1, 1)])]
    >>> [p.row for p in line_problems(lines, [2, 3, 4], "flows.geojson")]
    [2]
    >>> line_problems([None], [1])
    []
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    rows = np.asarray(rows)
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    if coords.size == 0:
        return []
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(coords).all(axis=1)
            & (np.abs(coords[:, 1]) <= LINE_LAT_RANGE)
            & (np.abs(coords[:, 0]) <= LINE_LON_RANGE)
        )
    bad = np.flatnonzero(~ok)
    if bad.size == 0:
        return []
    _, first = np.unique(index[bad], return_index=True)  # each line's first bad vertex
    return [
        Problem(
            source,
            int(rows[index[k]]),
            "geometry",
            f"(lon {float(coords[k, 0])!r}, lat {float(coords[k, 1])!r})",
            "a vertex lies off the globe: longitude must be -360..360 and latitude -90..90, "
            "both finite (EPSG:4326 degrees); fix or drop this row's line (a line in another "
            "CRS needs that CRS set on the file or the GeoDataFrame)",
        )
        for k in bad[first]
    ]


def _show(value: object) -> str:
    text = "" if value is None else str(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return repr(text)


def is_blank(value: object) -> bool:
    """Whether a cell is empty: ``None``, NA, NaN or only whitespace.

    Examples
    --------
    >>> is_blank("  "), is_blank(0)
    (True, False)
    """
    kind = type(value)
    if kind is str:  # the common cells first: called once per cell by per-value callers
        return not value.strip()
    if kind is float:
        return value != value
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


# --------------------------------------------------------------------------- values
_NUMBER_RE = re.compile(r"^[+-]?(\d{1,3}([,\u202f\u00a0 _]\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$")


def _parse_number(value: object) -> float | None:
    """Parse a volume; ``None`` if not a number. Thousands separators (1,000 / 1 000) are allowed."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    if text.lower() in ("nan", "inf", "-inf", "infinity"):
        return None
    if _NUMBER_RE.match(text) or re.match(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", text):
        return float(re.sub(r"[,\u202f\u00a0 _]", "", text))
    return None


def _parse_date(value: object, *, end: bool = False) -> pd.Timestamp | None:
    """Parse an ISO date; ``None`` if it is not one.

    A month (``2023-12``) or a year (``2023``) means the whole period, so as an ``end`` it is
    the period's last day, as a start its first day.
    """
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    if hasattr(value, "isoformat") and not isinstance(value, str):
        try:
            return pd.Timestamp(value).normalize()
        except (ValueError, TypeError):
            return None
    text = str(value).strip()
    if not re.match(r"^\d{4}(-\d{2}(-\d{2})?([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?$", text):
        return None
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    if end and len(text) == 4:
        ts = pd.Timestamp(year=ts.year, month=12, day=31)
    elif end and len(text) == 7:
        ts = ts + pd.offsets.MonthEnd(0)
    if not pd.Timestamp("1678-01-01") <= ts <= pd.Timestamp("2262-04-01"):
        return None  # outside what datetime64[ns] holds
    return ts.normalize()


#: The forms a map's ``at`` takes, in words (errors, docs, the build-file schema).
AT_FORMS = "a day YYYY-MM-DD, a month YYYY-MM or a year YYYY"


def at_period(value: object) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Read a map's ``at`` as the first and last day it means; None if it is not one.

    A day is itself; a month (``"2024-10"``) or a year (``"2024"``, or the number 2024 as a
    YAML build file gives it) means all its days, as a month or a year does in the records.

    Examples
    --------
    >>> [str(d.date()) for d in at_period("2024-10")]
    ['2024-10-01', '2024-10-31']
    >>> [str(d.date()) for d in at_period(2024)]
    ['2024-01-01', '2024-12-31']
    >>> [str(d.date()) for d in at_period("2024-02-29")]
    ['2024-02-29', '2024-02-29']
    >>> at_period("2024-13") is None, at_period("Oct 2024") is None, at_period(True) is None
    (True, True, True)
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and not 1000 <= value <= 9999:
        return None
    first, last = _parse_date(value), _parse_date(value, end=True)
    if first is None or last is None:
        return None
    return first, last


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated field (``via``, ``source``) into its stripped, non-empty items.

    Examples
    --------
    >>> split_list("Ussuriysk; Khabarovsk ;")
    ['Ussuriysk', 'Khabarovsk']
    """
    if is_blank(value):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if not is_blank(v)]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _group_problems(name: str, rows: Any, group: pd.Series, unit: pd.Series) -> list[Problem]:
    """List the rows whose ``group`` mixes units (a group is one movement in one unit)."""
    frame = pd.DataFrame({"g": group.to_numpy(dtype=object), "u": unit.to_numpy(dtype=object)})
    frame = frame[(_stripped_text(frame["g"]) != "").to_numpy()]
    if frame.empty:  # no groups given: nothing to compare
        return []
    mixed = frame.groupby("g", sort=False)["u"].transform("nunique") > 1
    first_unit = frame.groupby("g", sort=False)["u"].transform("first")

    def rule(here: Any, first: Any) -> str:
        text = (
            f"mixes units ({here!r} here, {first!r} in an earlier row); a group is one "
            "movement in one unit: give the other unit its own group"
        )
        if isinstance(here, str) and isinstance(first, str) and unit_spellings([here, first]):
            text += (
                f", or if they are one unit spelled two ways, map it: units={{{here!r}: {first!r}}}"
            )
        return text

    return [
        Problem(name, int(rows[i]), "group", str(frame.at[i, "g"]), rule(frame.at[i, "u"], first_unit[i]))
        for i in frame.index[mixed & (frame["u"] != first_unit)]
    ]  # fmt: skip


def best_volume(volume: Any, low: Any, high: Any) -> np.ndarray:
    """Volume used for widths: ``volume`` if given, else the middle of the range, else one bound.

    Examples
    --------
    >>> best_volume([np.nan, 5.0], [1000, np.nan], [2000, np.nan]).tolist()
    [1500.0, 5.0]
    """
    v = np.asarray(volume, dtype=float).copy()
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    mid = np.where(
        np.isfinite(lo) & np.isfinite(hi), (lo + hi) / 2, np.where(np.isfinite(hi), hi, lo)
    )
    return np.where(np.isfinite(v), v, mid)


# --------------------------------------------------------------------------- validation
#: Characters allowed between thousands in a volume: ``1,000``, ``1 000``, ``1_000``.
_THOUSANDS = r"[,\u202f\u00a0 _]"
_SIMPLE_NUMBER_RE = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
_DATE_RE = r"\d{4}(-\d{2}(-\d{2})?([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?"
_NUMBER_RULE = "must be a number >= 0 (or empty if unknown)"
#: Cells that read two ways: "1.500" (1.5, or 1,500 with a point between thousands; three
#: decimals ending in 0, which no program writes) and "1,5" (1.5 with a decimal comma, or 15).
_TWO_WAYS_RE = r"\s*[+-]?\d{1,3}\.\d\d0\s*|\s*[+-]?\d+,\d{1,2}\s*"
_TWO_WAYS_RULE = (
    "reads two ways: a decimal point or comma, or one between thousands; write the number "
    "with a point for decimals and no thousands separator (e.g. 1.5 or 1500)"
)
_DATE_RULE = "must be an ISO date, YYYY-MM-DD (or YYYY-MM, YYYY)"
#: Dates ``datetime64[ns]`` holds, with a margin (later ones are refused, not wrapped).
_DATE_RANGE = (pd.Timestamp("1678-01-01"), pd.Timestamp("2262-04-01"))


def validate_records(
    frame: pd.DataFrame,
    name: str = "",
    *,
    first_row: int = 1,
    extra_columns: Any = (),
) -> pd.DataFrame:
    """Check flow records against the contract and return them typed.

    Every rule is checked column by column (no loop over the rows unless a row is bad) and
    every problem of every row is collected before one error is raised.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per record, columns named as the contract's fields (any case); other columns
        are kept as they are.
    name : str
        The input's name for messages (a file path), or ``""``.
    first_row : int
        Row number of the first record in messages: 2 for a CSV (its header is row 1), else 1.
    extra_columns : sequence of str
        Columns of your own, kept as they are even where the name is a letter or two from a
        field the header lacks (which is otherwise a problem: see :func:`column_typos`).

    Returns
    -------
    pandas.DataFrame
        The contract's fields in order (text stripped, words lower-cased, volumes as floats,
        dates as ``datetime64[ns]``, ids filled), the other columns, and ``_row``.

    Raises
    ------
    FlowValidationError
        With ``.problems``: every broken rule as a :class:`Problem`.

    Examples
    --------
    >>> df = pd.DataFrame({"Origin": ["Rajin"], "destination": ["Vladivostok"], "volume": ["1 000"]})
    >>> validate_records(df)[["origin", "volume", "id", "_row"]].to_dict("records")
    [{'origin': 'Rajin', 'volume': 1000.0, 'id': '1', '_row': 1}]
    >>> try:
    ...     validate_records(pd.DataFrame({"origin": ["A"], "destination": ["B"], "mode": ["ox"]}))
    ... except ValueError as err:
    ...     print(err.problems[0].rule)
    unknown mode; allowed: sea, rail, road, air, unknown
    """
    df = _contract_columns(frame, name, extra_columns)
    rows = np.arange(len(df)) + first_row
    problems = _nul_problems(df, name, rows)
    texts = dict(zip(TEXT_FIELDS, _stripped_texts(df, TEXT_FIELDS), strict=True))
    out = pd.DataFrame(texts, index=pd.RangeIndex(len(df)), dtype=object)
    problems += _required_problems(out, name, rows)
    problems += _volume_problems(df, out, name, rows)
    problems += _word_problems(out, name, rows)
    problems += _date_problems(df, out, name, rows)
    problems += _id_problems(out, name, rows)
    problems += _group_problems(name, rows, out["group"], out["unit"])
    if problems:
        from geoflows.errors import FlowValidationError

        raise FlowValidationError(problems, name or None)
    out = out[list(FLOW_FIELDS)]
    extra = [c for c in df.columns if c not in FLOW_FIELDS and c != "geometry"]
    # One concat, not a column inserted at a time (quadratic: 10,000 columns took minutes).
    tail = pd.DataFrame({c: df[c].to_numpy() for c in extra}, index=out.index)
    tail["_row"] = rows
    return pd.concat([out, tail], axis=1)


#: Most columns an input may have (a header of 10,000 columns is a typo or an attack, not a
#: flow table); the environment variable ``GEOFLOWS_MAX_COLUMNS`` raises it.
MAX_COLUMNS = 1000


def limit_from_env(variable: str, default: int, unit: str, example: int) -> int:
    """Return the whole-number limit set by environment variable ``variable``, else ``default``.

    One reader for geoflows' count limits (``GEOFLOWS_MAX_COLUMNS`` here,
    ``GEOFLOWS_MAX_ROWS`` in :mod:`geoflows.io`): a value that is not a whole number above
    zero is an :class:`~geoflows.errors.InputFileError` naming it and giving ``example``.

    Examples
    --------
    >>> limit_from_env("GEOFLOWS_NO_SUCH_LIMIT", 7, "rows", 20)
    7
    """
    import os

    env = os.environ.get(variable, "").strip()
    if not env:
        return default
    try:
        value = int(env)
    except ValueError:
        value = 0
    if value < 1:
        from geoflows.errors import InputFileError

        raise InputFileError(f"{variable}={env!r} is not a whole number of {unit}; e.g. {example}")
    return value


def max_columns() -> int:
    """Return the column limit: ``GEOFLOWS_MAX_COLUMNS`` if set, else :data:`MAX_COLUMNS`.

    Examples
    --------
    >>> max_columns() >= 1
    True
    """
    return limit_from_env("GEOFLOWS_MAX_COLUMNS", MAX_COLUMNS, "columns", 5000)


def _contract_columns(frame: pd.DataFrame, name: str, extra_columns: Any = ()) -> pd.DataFrame:
    """Name the contract's columns in lower case; refuse a repeated, missing or misspelled one.

    ``extra_columns`` are the user's own columns: never read as a misspelled field.
    """
    from geoflows.errors import FlowValidationError

    limit = max_columns()
    if len(frame.columns) > limit:
        raise FlowValidationError(
            [
                Problem(
                    name,
                    1,
                    "(header)",
                    f"{len(frame.columns):,} columns",
                    f"more than the {limit:,} columns geoflows reads; drop the unused columns "
                    "or raise GEOFLOWS_MAX_COLUMNS",
                )
            ],
            name,
        )

    lower = {c: c.lower() for c in frame.columns if c.lower() in FLOW_FIELDS and c != c.lower()}
    df = frame.rename(columns=lower).reset_index(drop=True)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()].tolist()
        raise FlowValidationError(
            [Problem(name, 1, str(dup[0]), dup[0], "column appears twice in the header")], name
        )
    header = ", ".join(map(str, df.columns)) or "(nothing)"
    missing = [
        Problem(name, 1, f, "", f"required column '{f}' is missing; the header has: {header}")
        for f in REQUIRED_FIELDS
        if f not in df.columns
    ]
    if missing:
        raise FlowValidationError(missing, name)
    own = _extra_columns(extra_columns, df.columns, name)
    near = {c: f for c, f in column_typos(df.columns).items() if c not in own}
    if near:
        raise FlowValidationError(
            [
                Problem(
                    name,
                    1,
                    str(col),
                    str(col),
                    f"column '{col}' is not a field of the contract but is one letter or two from "
                    f"'{field}', which the header lacks, so every '{field}' would be left empty; "
                    f"rename it to '{field}' (or map it: columns={{{col!r}: {field!r}}}), or, if "
                    f"it is a column of your own, keep it with extra_columns=[{col!r}] (CLI: "
                    f"--extra-columns {col}; build file: the input's extra_columns:)",
                )
                for col, field in near.items()
            ],
            name,
        )
    if len(df) == 0:
        raise FlowValidationError(
            [Problem(name, 1, "origin", "", "no records: the input has a header but no rows")], name
        )
    return df


def _extra_columns(extra: Any, header: Any, name: str) -> set[str]:
    """Return the declared own columns, each checked: text, in the header, not a contract field."""
    from geoflows.errors import FlowValidationError, GeoflowsError

    if isinstance(extra, str) or not all(isinstance(c, str) for c in extra):
        raise GeoflowsError(
            f"{name or 'extra_columns'}: extra_columns= is a list of column names, e.g. "
            f"['volumn']; got {extra!r}"
        )
    given = {str(c) for c in header}
    shown = ", ".join(map(str, header)) or "(nothing)"
    problems = [
        Problem(name, 1, col, col, f"extra_columns names {col!r}, which is not a column; "
                f"the header has: {shown}")
        if col not in given
        else Problem(name, 1, col, col, f"extra_columns names {col!r}, which is a field of "
                     "the contract, read as such; leave it out of extra_columns")
        for col in extra
        if col not in given or col.lower() in FLOW_FIELDS
    ]  # fmt: skip
    if problems:
        raise FlowValidationError(problems, name or None)
    return set(extra)


def column_typos(columns: Any) -> dict[str, str]:
    """Columns that look like a misspelled field the header lacks: ``{column: field}``.

    A column matches a field when the optimal-string-alignment distance of the lower-cased
    names (a letter added, dropped, changed, or two swapped) is at most 1, or at most 2 for
    fields longer than five letters, and less than half the field's length. Columns that are
    contract fields, hold a digit (``note2``), or that geoflows itself writes beside them
    (``origin_lat``…), never match.

    Examples
    --------
    >>> column_typos(["origin", "destination", "volumn", "Units", "origin_lat", "my_notes"])
    {'volumn': 'volume', 'Units': 'unit'}
    >>> column_typos(["origin", "destination", "volume", "volumn"])  # volume is there
    {}
    """
    from rapidfuzz.distance import OSA

    names = [str(c) for c in columns]
    present = {n.strip().lower() for n in names}
    absent = [f for f in FLOW_FIELDS if f not in present]
    out: dict[str, str] = {}
    for col in names:
        low = col.strip().lower()
        if low in FLOW_FIELDS or low.startswith("_") or any(ch.isdigit() for ch in low):
            continue  # a digit is chosen, not mistyped (note2, volume_2024)
        for field in absent:
            limit = 1 if len(field) <= 5 else 2
            d = OSA.distance(low, field, score_cutoff=limit)
            if d <= limit and d < len(field) / 2:
                out[col] = field
                break
    return out


def unit_spellings(units: Any) -> list[list[tuple[str, int]]]:
    """Spellings of one unit that differ by case, a plural or one letter: each with its count.

    Each group (two spellings or more) is listed most used first; spellings with nothing alike
    are left out. Names of five letters or more (without a plural ``s``) may differ by one
    edit (``droens``, ``drones``); shorter ones only by case and plural (``ton``, ``tons``,
    but not ``ton`` and ``tonne``).

    Examples
    --------
    >>> unit_spellings(["drones", "drones", "Drones", "droens", "tonnes", "troops"])
    [[('drones', 2), ('Drones', 1), ('droens', 1)]]
    """
    from rapidfuzz.distance import OSA

    counts = pd.Series(units, dtype=object).dropna().astype(str).str.strip()
    counts = counts[counts != ""].value_counts(sort=False)
    spellings = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def alike(a: str, b: str) -> bool:
        a, b = a.casefold(), b.casefold()
        if {a.removesuffix("s"), a.removesuffix("es")} & {
            b.removesuffix("s"),
            b.removesuffix("es"),
        }:
            return True
        a, b = a.removesuffix("s"), b.removesuffix("s")
        return min(len(a), len(b)) >= 5 and OSA.distance(a, b) <= 1

    groups: list[list[tuple[str, int]]] = []
    for spelling, n in spellings:
        for group in groups:
            if alike(spelling, group[0][0]):
                group.append((spelling, int(n)))
                break
        else:
            groups.append([(spelling, int(n))])
    return [g for g in groups if len(g) > 1]


def _column(df: pd.DataFrame, field: str) -> pd.Series:
    """Return the field's column, or an empty one (all ``None``) when the input lacks it."""
    if field in df.columns:
        return df[field]
    return pd.Series([None] * len(df), dtype=object)


def _stripped_text(values: pd.Series) -> pd.Series:
    """Each cell as stripped text; empty for a blank cell (see :func:`is_blank`).

    A column of text (Arrow strings, as pandas reads a CSV) is stripped by Arrow and turned
    into Python strings once; other columns go through ``str`` cell by cell.
    """
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return _arrow_stripped(values)
    given = values.notna()
    if not given.any():  # a column the input lacks
        return pd.Series([""] * len(values), index=values.index, dtype=object)
    text = values.astype(object).where(given, "")
    return text.astype(str).str.strip().astype(object)


def _arrow_stripped(values: pd.Series) -> pd.Series:
    """:func:`_stripped_text` of Arrow text: trimmed in Arrow, nulls empty, one conversion."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.array)  # the column's own Arrow data, not a copy of its cells
    # Arrow's Unicode whitespace is Python's str.isspace(), every character of it (tested)
    text = pc.utf8_trim_whitespace(arr.fill_null(""))
    cells = np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)
    return pd.Series(cells, index=values.index, dtype=object)


def _stacked(df: pd.DataFrame, fields: Any) -> pd.Series:
    """Return the columns ``fields`` one after another as one column (of their common dtype).

    Each pandas or Arrow operation costs a fixed overhead besides its work per cell; a rule
    applied to the stacked column pays it once instead of once per field, with the same code
    for 30 rows as for 100,000 (the result is split back with ``reshape(len(fields), -1)``).
    Columns of one dtype keep it (text stays Arrow text); others are stacked as objects.
    """
    if not fields:
        return pd.Series([], dtype=object)
    return pd.concat([df[f] for f in fields], ignore_index=True)


def _stripped_texts(df: pd.DataFrame, fields: tuple[str, ...]) -> list[np.ndarray]:
    """Each field's cells as stripped text (:func:`_stripped_text`), a missing field all empty."""
    given = [f for f in fields if f in df.columns]
    text = _stripped_text(_stacked(df, given)).to_numpy(dtype=object).reshape(len(given), -1)
    rows = dict(zip(given, text, strict=True))
    blank = np.full(len(df), "", dtype=object)
    return [rows[f] if f in rows else blank.copy() for f in fields]


def _parsed_by_dtype(
    df: pd.DataFrame, fields: tuple[str, ...], parse: Any, blank: Any
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Apply ``parse(stacked, fields)`` to the given fields, stacked where they share a dtype.

    Columns of one dtype (all text from a CSV, all floats) are parsed in one call; an object
    column, whose cells may be of any type, is parsed alone so that it cannot move the
    others off their typed path. ``parse`` returns (values, which cells are bad), stacked;
    a field the input lacks gets ``blank`` and no bad cells.
    """
    groups: dict[object, list[str]] = {}
    for field in (f for f in fields if f in df.columns):
        dtype = df[field].dtype
        groups.setdefault(field if pd.api.types.is_object_dtype(dtype) else dtype, []).append(field)
    found = {}
    for group in groups.values():
        values, bad = parse(_stacked(df, group), group)
        values, bad = np.asarray(values), np.asarray(bad, dtype=bool)
        for j, field in enumerate(group):
            part = slice(j * len(df), (j + 1) * len(df))
            found[field] = values[part], bad[part]
    for field in (f for f in fields if f not in found):
        found[field] = np.full(len(df), blank), np.zeros(len(df), dtype=bool)
    return found


def _is_text(values: pd.Series) -> bool:
    """Whether the column holds text only (the vectorised string paths apply)."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _text_mask(values: pd.Series, pattern: str, *, full: bool = True) -> np.ndarray:
    """Which cells are text that (fully) match ``pattern``; other cells never do."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind not in ("string", "mixed", "mixed-integer"):  # no text cells (ints and floats)
        return np.zeros(len(values), dtype=bool)
    if not full and kind == "string":
        found = _arrow_contains(values, pattern)
        if found is not None:
            return found
    text = values.astype(object).str
    hit = (
        text.fullmatch(pattern, na=False)
        if full
        else text.contains(pattern, False, regex=False, na=False)
    )
    return hit.to_numpy(dtype=bool)


def _arrow_contains(values: pd.Series, literal: str) -> np.ndarray | None:
    """Which text cells contain ``literal``, in one Arrow pass; None if Arrow cannot hold them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # e.g. a lone surrogate
        return None
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    found = pc.match_substring(arr, literal).fill_null(False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _raw(values: pd.Series, index: Any) -> list[object]:
    """Return the cells at ``index`` as the user gave them (Python objects, for messages)."""
    if len(index) == 0:  # the common case, without a pandas call
        return []
    return values.iloc[np.asarray(index, dtype=int)].tolist()


def _problems(
    name: str, rows: Any, field: str, index: Any, values: Any, rule: Any
) -> list[Problem]:
    """One :class:`Problem` per bad row (``rule`` a text or one text per row)."""
    rules = [rule] * len(index) if isinstance(rule, str) else rule
    return [
        Problem(name, int(rows[i]), field, v, r)
        for i, v, r in zip(index, values, rules, strict=True)
    ]


def _nul_problems(df: pd.DataFrame, name: str, rows: Any) -> list[Problem]:
    """Text holding NUL, which GeoJSON and GeoPackage cannot store."""
    problems: list[Problem] = []
    rule = "contains a NUL character (\\x00), which GeoJSON and GeoPackage cannot store; remove it"
    # Only object and string columns hold text cells (numbers, dates, categories never do).
    fields = [
        c
        for c in df.columns
        if c not in VOLUME_FIELDS + DATE_FIELDS
        and (pd.api.types.is_object_dtype(df[c].dtype) or isinstance(df[c].dtype, pd.StringDtype))
    ]
    found = _text_mask(_stacked(df, fields), "\x00", full=False).reshape(len(fields), -1)
    for field, hits in zip(fields, found, strict=True):
        bad = np.flatnonzero(hits)
        problems += _problems(name, rows, str(field), bad, _raw(df[field], bad), rule)
    return problems


def _required_problems(out: pd.DataFrame, name: str, rows: Any) -> list[Problem]:
    """Report required fields left empty."""
    problems: list[Problem] = []
    for field in REQUIRED_FIELDS:
        bad = np.flatnonzero(out[field].to_numpy() == "")
        rule = "required; name a place or give 'lat, lon'"
        problems += _problems(name, rows, field, bad, [""] * len(bad), rule)
    return problems


def _parse_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Volumes of a column: (numbers with NaN where blank or bad, which cells are bad)."""
    v = values.astype(object)
    kind = pd.api.types.infer_dtype(v, skipna=True)
    if kind in ("integer", "floating", "mixed-integer-float", "empty"):
        numbers = pd.to_numeric(v, errors="coerce").to_numpy(dtype=float)
        blank = v.isna().to_numpy()
        parsed = ~blank
    elif kind == "string":
        numbers, parsed = _parse_plain(values)
        blank = np.zeros(len(v), dtype=bool)
        rest = np.flatnonzero(~parsed)
        blank[rest] = (v.iloc[rest] == "").to_numpy(dtype=bool)  # empty: no regex needed
        rest = rest[~blank[rest]]
        if rest.size:  # anything but plain digits: spaces, signs, separators, exponents
            numbers[rest], blank[rest], parsed[rest] = _parse_text(v.iloc[rest])
    else:  # mixed types (a list of dicts): cell by cell
        blank = np.array([is_blank(x) for x in v], dtype=bool)
        found = [None if b else _parse_number(x) for x, b in zip(v, blank, strict=True)]
        parsed = np.array([x is not None for x in found], dtype=bool)
        numbers = np.array([np.nan if x is None else x for x in found], dtype=float)
    bad = ~blank & ~(parsed & np.isfinite(numbers))
    return np.where(bad, np.nan, numbers), bad


#: Cells such as "1575" or "204.4": parsed in one C-level pass (every other cell by regex).
_PLAIN_NUMBER = r"^[0-9]{1,15}(\.[0-9]{1,15})?$"


def _parse_plain(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse the cells written as plain digits with Arrow: (numbers, which cells were)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numbers, plain = np.full(len(values), np.nan), np.zeros(len(values), dtype=bool)
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # e.g. a lone surrogate
        return numbers, plain
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return numbers, plain
    found = pc.match_substring_regex(arr, _PLAIN_NUMBER).fill_null(False)
    plain = np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    if plain.any():
        numbers[plain] = pc.cast(arr.filter(found), pa.float64()).to_numpy()
    return numbers, plain


def _parse_text(v: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse text cells by regex: (numbers, which cells are blank, which are numbers)."""
    text = _stripped_text(v)
    blank = (text == "").to_numpy()
    parsed = (
        text.str.fullmatch(_NUMBER_RE.pattern) | text.str.fullmatch(_SIMPLE_NUMBER_RE)
    ).to_numpy(dtype=bool)
    numbers = np.full(len(v), np.nan)
    numbers[parsed] = text[parsed].str.replace(_THOUSANDS, "", regex=True).astype(float)
    return numbers, blank, parsed


def _volume_problems(df: pd.DataFrame, out: pd.DataFrame, name: str, rows: Any) -> list[Problem]:
    """Volumes and ranges: numbers >= 0, ``volume_low`` <= ``volume_high``, volume inside."""
    problems: list[Problem] = []
    parsed = _parsed_by_dtype(df, VOLUME_FIELDS, lambda v, _: _parse_numbers(v), np.nan)
    for field in VOLUME_FIELDS:
        raw = _column(df, field)
        numbers, bad = parsed[field]
        two_ways = _text_mask(raw, _TWO_WAYS_RE)
        bad = bad | two_ways
        negative = ~bad & (numbers < 0)
        index = np.flatnonzero(bad | negative)
        rules = [
            _TWO_WAYS_RULE if two_ways[i] else _NUMBER_RULE if bad[i] else "must be >= 0"
            for i in index
        ]
        problems += _problems(name, rows, field, index, _raw(raw, index), rules)
        out[field] = np.where(negative | two_ways, np.nan, numbers)
    low, high = out["volume_low"].to_numpy(), out["volume_high"].to_numpy()
    raw_low, raw_high = _column(df, "volume_low"), _column(df, "volume_high")
    index = np.flatnonzero(low > high)
    rules = [
        f"volume_low is greater than volume_high ({v}); swap them" for v in _raw(raw_high, index)
    ]
    problems += _problems(name, rows, "volume_low", index, _raw(raw_low, index), rules)
    volume = out["volume"].to_numpy()
    # NaN compares False, so an open-ended range (one bound only) is checked against that bound.
    index = np.flatnonzero((volume < low) | (volume > high))
    rules = [
        f"lies outside the range {'' if is_blank(lo) else lo}–{'' if is_blank(hi) else hi}; "
        "fix the volume or its bounds"
        for lo, hi in zip(_raw(raw_low, index), _raw(raw_high, index), strict=True)
    ]
    problems += _problems(name, rows, "volume", index, _raw(_column(df, "volume"), index), rules)
    return problems


def _word_problems(out: pd.DataFrame, name: str, rows: Any) -> list[Problem]:
    """Kinds, modes and confidence words from their vocabularies (stored lower-case)."""
    problems: list[Problem] = []
    for field in ("kind", "mode", "confidence"):
        given = out[field]
        codes, distinct = _lowered(given)
        words = pd.Series(distinct[codes], index=given.index, dtype=object)
        vocabulary = FIELDS_BY_NAME[field].vocabulary
        unknown = np.array([w != "" and w not in vocabulary for w in distinct], dtype=bool)[codes]
        rule = f"unknown {field}; allowed: {', '.join(vocabulary)}"
        if field == "confidence":
            rule = f"allowed: {', '.join(vocabulary)}, or a number from 0 to 1"
        if field == "confidence" and unknown.any():  # or a number from 0 to 1
            numbers, bad = _parse_numbers(words[unknown])
            unknown[unknown] = bad | ~((numbers >= 0) & (numbers <= 1))
        index = np.flatnonzero(unknown)
        problems += _problems(name, rows, field, index, _raw(given, index), rule)
        out[field] = words
    return problems


def _lowered(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``text.str.lower()`` of a column of stripped text, once per distinct cell.

    Vocabulary fields hold a few distinct words over many rows: they are hashed in C
    (pandas' factorize) and only the distinct ones pass through Python's ``str.lower``.
    Returns ``(codes, words)``: ``words[codes]`` is the lowered column, and a rule checked
    on ``words`` is checked on every cell by ``result[codes]`` (code -1, no text, is ``""``).
    """
    codes, distinct = pd.factorize(text.to_numpy(dtype=object))
    return codes, np.array([w.lower() for w in distinct.tolist()] + [""], dtype=object)


def _parse_stacked_dates(values: pd.Series, fields: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Dates of the stacked ``fields`` (:func:`_parse_dates`; the ``end`` ones as ends)."""
    end = np.repeat([f == "end" for f in fields], len(values) // max(len(fields), 1))
    dates, bad = _parse_dates(values, end=end)
    return dates.to_numpy(dtype="datetime64[ns]"), bad


def _parse_dates(values: pd.Series, *, end: bool | np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """Dates of a column: (``datetime64[ns]``, NaT where blank or bad; which cells are bad).

    ``end`` (for every cell, or per cell) reads a month or a year as its last day.
    """
    if pd.api.types.is_datetime64_dtype(values.dtype):  # already dates (and naive)
        return values.dt.normalize().astype("datetime64[ns]").reset_index(drop=True), np.zeros(
            len(values), dtype=bool
        )
    if not _is_text(values):  # dates, datetimes or mixed cells: one by one
        return _parse_dates_one_by_one(values, end=end)
    text = _stripped_text(values).reset_index(drop=True)
    dates = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if not (text != "").any():  # no dates given
        return dates, np.zeros(len(text), dtype=bool)
    bad = np.array((text != "") & ~text.str.fullmatch(_DATE_RE), dtype=bool)
    year = pd.to_numeric(text.str.slice(0, 4), errors="coerce").to_numpy()
    # Years datetime64[ns] holds whole; the two edge years are checked one by one below.
    inside = ~bad & (year > 1678) & (year < 2262)
    bad |= (text != "").to_numpy() & ~np.isnan(year) & ((year < 1678) | (year > 2262))
    # Text matching _DATE_RE is a day when 10 long, a month when 7, a year when 4 (a time
    # needs more): lengths pick the format without three more regex passes.
    length = text.str.len().to_numpy()
    ends = np.broadcast_to(np.asarray(end, dtype=bool), len(text))
    for size, fmt, shift in (
        (10, "%Y-%m-%d", None),
        (7, "%Y-%m", pd.offsets.MonthEnd(0)),
        (4, "%Y", pd.offsets.YearEnd(0)),
    ):
        chosen = inside & (length == size)
        if not chosen.any():  # no cell of this form: skip the pass
            continue
        parsed = pd.to_datetime(text[chosen], format=fmt, errors="coerce")
        late = ends[chosen]
        if shift is not None and late.any():
            parsed = parsed.where(~late, parsed + shift)
        dates[chosen] = parsed.to_numpy()
        bad[chosen] |= parsed.isna().to_numpy()
        inside &= ~chosen
    rest = np.flatnonzero(inside | ((text != "").to_numpy() & ~bad & np.isin(year, (1678, 2262))))
    if rest.size:
        one, wrong = _parse_dates_one_by_one(text.iloc[rest], end=ends[rest])
        dates.iloc[rest] = one.to_numpy()
        bad[rest] = wrong
    return dates, bad


def _parse_dates_one_by_one(
    values: pd.Series, *, end: bool | np.ndarray
) -> tuple[pd.Series, np.ndarray]:
    """Parse dates cell by cell (:func:`_parse_dates` for cells that are not plain text)."""
    cells = values.tolist()
    blank = [is_blank(v) for v in cells]
    ends = np.broadcast_to(np.asarray(end, dtype=bool), len(cells)).tolist()
    found = [
        None if b else _parse_date(v, end=e) for v, b, e in zip(cells, blank, ends, strict=True)
    ]
    bad = np.array([d is None and not b for d, b in zip(found, blank, strict=True)], dtype=bool)
    dates = pd.to_datetime(pd.Series(found, dtype=object)).astype("datetime64[ns]")
    return dates, bad


def _date_problems(df: pd.DataFrame, out: pd.DataFrame, name: str, rows: Any) -> list[Problem]:
    """Dates in ISO form, ``end`` not before ``start``."""
    problems: list[Problem] = []
    parsed = _parsed_by_dtype(df, DATE_FIELDS, _parse_stacked_dates, np.datetime64("NaT", "ns"))
    for field in DATE_FIELDS:
        raw = _column(df, field)
        dates, bad = parsed[field]
        index = np.flatnonzero(bad)
        problems += _problems(name, rows, field, index, _raw(raw, index), _DATE_RULE)
        out[field] = dates.astype("datetime64[ns]")
    problems += _precision_problems(df, out, name, rows)
    index = np.flatnonzero((out["end"] < out["start"]).to_numpy())
    starts = _raw(_column(df, "start"), index)
    rules = [f"is before start ({s})" for s in starts]
    problems += _problems(name, rows, "end", index, _raw(_column(df, "end"), index), rules)
    return problems


#: How precise a date is (``start_precision``, ``end_precision``): finest first.
DATE_PRECISIONS = FIELDS_BY_NAME["start_precision"].vocabulary


def _precision_problems(df: pd.DataFrame, out: pd.DataFrame, name: str, rows: Any) -> list[Problem]:
    """Each date's precision: as given in ``<field>_precision``, else read from the date's text.

    ``2022-09`` is a month and ``2022`` a year (a date value, or a day, is a day). A date given
    with a coarser precision than its text (read back from an export, where dates are days)
    spans its period: a start its first day, an end its last.
    """
    problems: list[Problem] = []
    for field in DATE_FIELDS:
        key = f"{field}_precision"
        codes, distinct = _lowered(out[key])
        given = distinct[codes]
        if field in df.columns:
            length = _stripped_text(df[field]).str.len().to_numpy()
        else:  # no dates given: every length 0, read as a day (and no date to read)
            length = np.zeros(len(df), dtype=int)
        read = np.select([length == 4, length == 7], ["year", "month"], "day").astype(object)
        valid = np.isin(distinct, DATE_PRECISIONS)[codes]
        index = np.flatnonzero((distinct != "")[codes] & ~valid)
        rule = f"unknown precision; allowed: {', '.join(DATE_PRECISIONS)} (or empty: read from {field})"
        problems += _problems(name, rows, key, index, _raw(out[key], index), rule)
        dated = out[field].notna().to_numpy()
        precision = np.where(valid, given, read)
        out[key] = np.where(dated, precision, "").astype(object)
        for code, word in (("M", "month"), ("Y", "year")):
            wide = dated & (precision == word)
            if wide.any():
                period = out.loc[wide, field].dt.to_period(code)
                edge = period.dt.end_time.dt.normalize() if field == "end" else period.dt.start_time
                out.loc[wide, field] = edge.astype("datetime64[ns]").to_numpy()
    return problems


def iso_period(dates: Any, precision: Any) -> np.ndarray:
    """Write each date as ISO text at its precision: a month ``2022-09``, a year ``2022``.

    Parameters
    ----------
    dates : pandas.Series of datetime64
        The dates (NaT gives ``""``).
    precision : sequence of str, or None
        ``day``, ``month`` or ``year`` per date (``""`` or None: a day).

    Returns
    -------
    numpy.ndarray of str

    Examples
    --------
    >>> iso_period(pd.Series(pd.to_datetime(["2022-09-30", "2023-12-31", None])),
    ...            ["month", "year", ""]).tolist()
    ['2022-09', '2023', '']
    """
    dates = pd.Series(dates).reset_index(drop=True)
    words = np.asarray(["day"] * len(dates) if precision is None else precision, dtype=object)
    out = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), "").to_numpy(dtype=object)
    for word, size in (("month", 7), ("year", 4)):
        wide = words == word
        out[wide] = [t[:size] for t in out[wide]]
    return out


def _id_problems(out: pd.DataFrame, name: str, rows: Any) -> list[Problem]:
    """Fill empty ids with the record number; a given id must be unique."""
    blank = (out["id"] == "").to_numpy()
    out.loc[blank, "id"] = (np.flatnonzero(blank) + 1).astype(str).astype(object)
    ids = out["id"]
    codes, _ = pd.factorize(ids.to_numpy(dtype=object))  # ids are text: no code -1
    index = np.flatnonzero(pd.Series(codes).duplicated(keep="first").to_numpy() & ~blank)
    if not index.size:  # the common case: no group-by
        return []
    first_at = np.full(codes.max() + 1, np.iinfo(np.int64).max)  # the row each id is first in
    np.minimum.at(first_at, codes, np.asarray(rows, dtype=np.int64))
    rules = [f"duplicate id (also row {first_at[codes[i]]})" for i in index]
    return _problems(name, rows, "id", index, _raw(ids, index), rules)
