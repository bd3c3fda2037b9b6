"""Reading and writing flows: the flow schema, validation, and file formats.

The one place that touches flow files. :func:`read_flows` takes a CSV, GeoJSON, GeoPackage or
GeoParquet path, a DataFrame or a list of dicts, validates every row against the data contract
(reporting *all* problems at once, each naming file, row, field, value and rule), resolves the
places with the gazetteer, builds the routes and returns a :class:`~geoflows.flows.FlowSet`.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import FlowValidationError, GeoflowsError, InputFileError

if TYPE_CHECKING:
    from geoflows.flows import FlowSet
    from geoflows.places import Gazetteer

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


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


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
    line. GeoJSON, GeoPackage and GeoParquet are read with pyogrio/geopandas; their geometry is
    dropped here (flows are rebuilt from the place columns).

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
    if p.stat().st_size == 0:
        raise InputFileError(f"{p}: the file is empty; a flow file needs a header row and records")
    kind = FLOW_FILE_SUFFIXES.get(p.suffix.lower(), "CSV")
    if kind == "CSV":
        raw = p.read_bytes()
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
        first = text.lstrip("\ufeff").splitlines()[0]
        import io as _io

        try:
            df = pd.read_csv(
                _io.StringIO(text),
                sep=_sniff_separator(first),
                dtype=str,
                keep_default_na=False,
                skipinitialspace=False,
            )
        except pd.errors.ParserError as exc:
            raise InputFileError(f"{p}: cannot be parsed as CSV ({exc}); check quoting") from None
        df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
        return df
    import geopandas as gpd

    try:
        if kind == "Parquet":
            gdf = gpd.read_parquet(p)
        else:
            gdf = gpd.read_file(p)
    except Exception as exc:  # pyogrio/arrow raise many types; name the file either way
        raise InputFileError(f"{p}: cannot be read as {kind} ({exc})") from None
    return pd.DataFrame(gdf.drop(columns=gdf.geometry.name, errors="ignore"))


def _to_frame(data: object, encoding: str | None = None) -> tuple[pd.DataFrame, str, int]:
    """Return (records, source name, row offset for messages)."""
    if isinstance(data, (str, os.PathLike)):
        p = Path(data)
        df = read_table(p, encoding=encoding)
        offset = 2 if FLOW_FILE_SUFFIXES.get(p.suffix.lower(), "CSV") == "CSV" else 1
        return df, str(data), offset
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


def _parse_date(value: object) -> pd.Timestamp | None:
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    if hasattr(value, "isoformat") and not isinstance(value, str):
        try:
            return pd.Timestamp(value).normalize()
        except (ValueError, TypeError):
            return None
    text = str(value).strip()
    if not re.match(r"^\d{4}-\d{2}(-\d{2})?([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$", text):
        return None
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.normalize()


def split_list(value: object) -> list[str]:
    """Split a ``;``-separated field (``via``, ``source``) into its stripped, non-empty items.

    Examples
    --------
    >>> split_list("Ussuriysk; Khabarovsk ;")
    ['Ussuriysk', 'Khabarovsk']
    """
    if _is_blank(value):
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if not _is_blank(v)]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def _group_problems(name: str, rows: Any, group: pd.Series, unit: pd.Series) -> list[Problem]:
    """A ``group`` (several claims about one movement) must not mix units."""
    frame = pd.DataFrame({"g": group.to_numpy(dtype=object), "u": unit.to_numpy(dtype=object)})
    frame = frame[~frame["g"].map(_is_blank)]
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


def validate_flows(
    data: object, *, source: str | None = None, encoding: str | None = None
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
    problems: list[Problem] = []
    df.columns = [str(c).strip() for c in df.columns]
    lower = {c: c.lower() for c in df.columns if c.lower() in FLOW_FIELDS and c != c.lower()}
    df = df.rename(columns=lower)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()].tolist()
        raise FlowValidationError(
            [Problem(name, 1, str(dup[0]), dup[0], "column appears twice in the header")], name
        )
    missing = [f for f in REQUIRED_FIELDS if f not in df.columns]
    if missing:
        raise FlowValidationError(
            [
                Problem(
                    name,
                    1,
                    f,
                    "",
                    f"required column '{f}' is missing; the header has: "
                    f"{', '.join(map(str, df.columns)) or '(nothing)'}",
                )
                for f in missing
            ],
            name,
        )
    n = len(df)
    if n == 0:
        raise FlowValidationError(
            [Problem(name, 1, "origin", "", "no records: the input has a header but no rows")], name
        )
    out = pd.DataFrame(index=pd.RangeIndex(n))
    rows = np.arange(n) + offset

    def col(field: str) -> list[object]:
        return df[field].tolist() if field in df.columns else [None] * n

    for field in TEXT_FIELDS:
        values = col(field)
        out[field] = pd.Series(
            ["" if _is_blank(v) else str(v).strip() for v in values], dtype=object
        )
    for field in [c for c in df.columns if c not in VOLUME_FIELDS + DATE_FIELDS]:
        for i, v in enumerate(df[field].tolist()):
            if isinstance(v, str) and "\x00" in v:
                problems.append(
                    Problem(
                        name,
                        int(rows[i]),
                        str(field),
                        v,
                        "contains a NUL character (\\x00), which GeoJSON and "
                        "GeoPackage cannot store; remove it",
                    )
                )
    for field in REQUIRED_FIELDS:
        for i in np.flatnonzero(out[field].to_numpy() == ""):
            problems.append(
                Problem(name, int(rows[i]), field, "", "required; name a place or give 'lat, lon'")
            )

    for field in VOLUME_FIELDS:
        parsed = np.full(n, np.nan)
        for i, v in enumerate(col(field)):
            if _is_blank(v):
                continue
            number = _parse_number(v)
            if number is None or not math.isfinite(number):
                problems.append(
                    Problem(
                        name, int(rows[i]), field, v, "must be a number >= 0 (or empty if unknown)"
                    )
                )
            elif number < 0:
                problems.append(Problem(name, int(rows[i]), field, v, "must be >= 0"))
            else:
                parsed[i] = number
        out[field] = parsed
    low, high = out["volume_low"].to_numpy(), out["volume_high"].to_numpy()
    for i in np.flatnonzero(low > high):
        problems.append(
            Problem(
                name,
                int(rows[i]),
                "volume_low",
                col("volume_low")[i],
                f"volume_low is greater than volume_high ({col('volume_high')[i]}); swap them",
            )
        )
    vol = out["volume"].to_numpy()
    outside = np.isfinite(vol) & np.isfinite(low) & np.isfinite(high) & ((vol < low) | (vol > high))
    for i in np.flatnonzero(outside):
        problems.append(
            Problem(
                name,
                int(rows[i]),
                "volume",
                col("volume")[i],
                f"lies outside the range {col('volume_low')[i]}–{col('volume_high')[i]}",
            )
        )

    for field, allowed in (("kind", KINDS), ("mode", MODES)):
        values = out[field].str.lower()
        for i, v in enumerate(values.tolist()):
            if v and v not in allowed:
                problems.append(
                    Problem(
                        name,
                        int(rows[i]),
                        field,
                        out[field][i],
                        f"unknown {field}; allowed: {', '.join(allowed)}",
                    )
                )
        out[field] = values
    conf = out["confidence"].str.lower()
    for i, v in enumerate(conf.tolist()):
        if v and v not in CONFIDENCES:
            number = _parse_number(v)
            if number is None or not 0 <= number <= 1:
                problems.append(
                    Problem(
                        name,
                        int(rows[i]),
                        "confidence",
                        out["confidence"][i],
                        f"allowed: {', '.join(CONFIDENCES)}, or a number from 0 to 1",
                    )
                )
    out["confidence"] = conf

    for field in DATE_FIELDS:
        parsed_dates: list[pd.Timestamp | None] = []
        for i, v in enumerate(col(field)):
            if _is_blank(v):
                parsed_dates.append(None)
                continue
            d = _parse_date(v)
            if d is None:
                problems.append(
                    Problem(name, int(rows[i]), field, v, "must be an ISO date, YYYY-MM-DD")
                )
            parsed_dates.append(d)
        out[field] = pd.to_datetime(pd.Series(parsed_dates, dtype=object)).astype("datetime64[ns]")
    s, e = out["start"], out["end"]
    for i in np.flatnonzero((e < s).to_numpy()):
        problems.append(
            Problem(
                name, int(rows[i]), "end", col("end")[i], f"is before start ({col('start')[i]})"
            )
        )

    ids = out["id"].to_numpy()
    blank = ids == ""
    out.loc[blank, "id"] = [str(i + 1) for i in np.flatnonzero(blank)]
    seen: dict[str, int] = {}
    for i, v in enumerate(out["id"].tolist()):
        if v in seen and not blank[i]:
            problems.append(
                Problem(name, int(rows[i]), "id", v, f"duplicate id (also row {seen[v]})")
            )
        seen.setdefault(v, int(rows[i]))
    if "group" in df.columns:  # optional: records that are claims about one movement
        problems += _group_problems(name, rows, df["group"], out["unit"])

    if problems:
        raise FlowValidationError(problems, name or None)
    out = out[list(FLOW_FIELDS)]
    extras = [c for c in df.columns if c not in FLOW_FIELDS and c != "geometry"]
    for c in extras:
        out[c] = df[c].to_numpy()
    out["_row"] = rows
    return out


# --------------------------------------------------------------------------- reading flows
def read_flows(
    data: object,
    *,
    gazetteer: Gazetteer | None = None,
    country: str | None = None,
    route: str = "auto",
    allow_unresolved: bool = False,
    encoding: str | None = None,
) -> FlowSet:
    """Read, validate and resolve flows into a :class:`~geoflows.flows.FlowSet`.

    Parameters
    ----------
    data : path, pandas.DataFrame or list of dict
        A CSV, GeoJSON, GeoPackage or GeoParquet file, or records with the columns of the data
        contract (``id, origin, destination, via, volume, volume_low, volume_high, unit, kind,
        category, mode, start, end, confidence, source, label, notes``; only ``origin`` and
        ``destination`` are required; ``via`` is ``;``-separated).
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

    Returns
    -------
    FlowSet

    Raises
    ------
    FlowValidationError
        Every broken rule and every unresolved place, all at once.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                         "volume": 1000, "unit": "containers", "mode": "sea"}])
    >>> len(flows), flows.to_geodataframe().crs.to_epsg()
    (1, 4326)
    """
    from geoflows.flows import FlowSet

    records = validate_flows(data, encoding=encoding)
    source = str(data) if isinstance(data, (str, os.PathLike)) else ""
    return FlowSet._from_records(
        records,
        gazetteer=gazetteer,
        country=country,
        route=route,
        allow_unresolved=allow_unresolved,
        source=source,
    )


# --------------------------------------------------------------------------- writing
def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the temporary
    file is renamed over ``path`` (keeping an existing file's permissions); the folder entry is
    flushed too. On any error or interruption the temporary file is removed.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = write_atomic(pathlib.Path(tempfile.mkdtemp()) / "x.html", b"<html></html>")
    >>> p.read_bytes()
    b'<html></html>'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`write_atomic`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_text_atomic(pathlib.Path(tempfile.mkdtemp()) / "a.txt", "hi")
    >>> p.read_text()
    'hi'
    """
    return write_atomic(path, text.encode("utf-8"))


def _export_frame(flows: FlowSet) -> Any:
    """The GeoDataFrame written to files: contract fields, resolved fields, dates as text."""
    gdf = flows.to_geodataframe()
    for field in DATE_FIELDS:
        gdf[field] = (
            gdf[field].dt.strftime("%Y-%m-%d").astype(object).where(gdf[field].notna(), None)
        )
    return gdf


def write_flows(flows: FlowSet, path: str | os.PathLike, *, driver: str | None = None) -> Path:
    """Write flows to GeoJSON, GeoPackage, GeoParquet or CSV, atomically.

    GeoJSON follows RFC 7946 (lines across 180° split into MultiLineStrings). Every field of
    the contract is kept, plus the resolved coordinates, so reading the file back with
    :func:`read_flows` gives the same flows without the gazetteer.

    Parameters
    ----------
    flows : FlowSet
    path : str or path-like
        ``.geojson``/``.json``, ``.gpkg``, ``.parquet`` or ``.csv`` (geometry as WKT).
    driver : str, optional
        ``GeoJSON``, ``GPKG``, ``Parquet`` or ``CSV``; taken from the suffix when omitted.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import geoflows as gf, tempfile, pathlib
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    >>> out = write_flows(flows, pathlib.Path(tempfile.mkdtemp()) / "flows.gpkg")
    >>> import pyogrio; pyogrio.read_info(out)["features"]
    1
    """
    p = Path(path)
    kind = driver or FLOW_FILE_SUFFIXES.get(p.suffix.lower())
    if kind not in ("GeoJSON", "GPKG", "Parquet", "CSV"):
        raise GeoflowsError(
            f"{p}: cannot tell the format from the suffix '{p.suffix}'; use .geojson, .gpkg, "
            f".parquet or .csv, or pass driver="
        )
    gdf = _export_frame(flows)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp{p.suffix}")
    try:
        if kind == "CSV":
            frame = pd.DataFrame(gdf.drop(columns="geometry"))
            frame["geometry"] = gdf.geometry.to_wkt(rounding_precision=6)
            # CRLF (RFC 4180) makes the csv module quote any field holding \r or \n.
            frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\r\n")
        elif kind == "Parquet":
            gdf.to_parquet(tmp, index=False)
        elif kind == "GeoJSON":
            gdf.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "YES"})
        else:
            gdf.to_file(tmp, driver="GPKG", engine="pyogrio", layer="flows")
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return p
