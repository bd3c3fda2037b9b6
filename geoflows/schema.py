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
    "CONFIDENCES",
    "DATE_FIELDS",
    "FIELDS",
    "FIELDS_BY_NAME",
    "FIELD_TYPES",
    "FLOW_FIELDS",
    "FLOW_KINDS",
    "KINDS",
    "MODES",
    "REQUIRED_FIELDS",
    "RESOLVED_FIELDS",
    "TEXT_FIELDS",
    "VOLUME_FIELDS",
    "Field",
    "Problem",
    "best_volume",
    "fields_markdown",
    "is_blank",
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
        "line with the spread of their volumes; one unit per group",
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


#: Columns geoflows adds when it resolves places and builds routes.
RESOLVED_FIELDS = (
    "origin_name",
    "origin_lat",
    "origin_lon",
    "origin_country",
    "origin_kind",
    "destination_name",
    "destination_lat",
    "destination_lon",
    "destination_country",
    "destination_kind",
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
    frame = frame[~frame["g"].map(is_blank)]
    mixed = frame.groupby("g", sort=False)["u"].transform("nunique") > 1
    first_unit = frame.groupby("g", sort=False)["u"].transform("first")
    return [
        Problem(
            name,
            int(rows[i]),
            "group",
            str(frame.at[i, "g"]),
            f"mixes units ({frame.at[i, 'u']!r} here, {first_unit[i]!r} in an earlier row); "
            "a group is one movement in one unit: give the other unit its own group",
        )
        for i in frame.index[mixed & (frame["u"] != first_unit)]
    ]


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
