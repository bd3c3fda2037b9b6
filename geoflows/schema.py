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

#: The columns of the flow data contract, in order.
FLOW_FIELDS = (
    "id",
    "origin",
    "destination",
    "via",
    "volume",
    "volume_low",
    "volume_high",
    "unit",
    "kind",
    "category",
    "mode",
    "start",
    "end",
    "confidence",
    "source",
    "label",
    "notes",
)
REQUIRED_FIELDS = ("origin", "destination")
KINDS = ("shipment", "deployment", "transfer", "visit", "other")
MODES = ("sea", "rail", "road", "air", "unknown")
CONFIDENCES = ("confirmed", "reported", "claimed")
TEXT_FIELDS = (
    "id",
    "origin",
    "destination",
    "via",
    "unit",
    "kind",
    "category",
    "mode",
    "confidence",
    "source",
    "label",
    "notes",
)
VOLUME_FIELDS = ("volume", "volume_low", "volume_high")
DATE_FIELDS = ("start", "end")
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
    """Parse an ISO date; a month (``2023-12``) or a year (``2023``) means the whole period, so
    as an ``end`` it is the period's last day, as a start its first day."""
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
    """A ``group`` (several claims about one movement) must not mix units."""
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
