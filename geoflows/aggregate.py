"""Aggregation: many records of one lane become one flow per lane, unit and period.

:meth:`FlowSet.aggregate <geoflows.FlowSet.aggregate>` combines the flows of a FlowSet in
memory; :func:`aggregate_flows` combines raw records on Dask (a pandas or Dask DataFrame, or
Parquet/CSV files), on the active ``distributed.Client`` when there is one, and returns a
FlowSet of the aggregated flows. Both follow the same rules, in one place (:func:`_prepare`
per record, one grouped sum, :func:`_finish` per group):

- volumes are summed only within one unit (``unit`` is always part of the key);
- one movement counts once: records sharing a ``group`` are competing claims about one
  movement, and it adds its spread (the lowest claim to the highest, an open bound kept open)
  to its lane, never the sum of its claims; ``n_records`` says how many claims a total rests
  on and ``n_movements`` how many movements were added;
- a lane is keyed by the resolved places, not by their spelling (``Rajin`` and ``나진`` are
  one lane, named by the gazetteer's name; on Dask the summed rows of spellings of one place
  are merged before each movement's claims meet);
- ranges are summed as low and high (a missing low bound counts as 0, a missing high bound
  leaves the high sum open);
- records without a volume are counted (``n_volume_unknown``), never treated as zero: a group
  with any of them has only a lower bound (``volume_low``, open above);
- sources are merged without duplicates, ``n_records`` is kept, confidence is the weakest of the
  group, dates span the group, and ids are a hash of the group's key;
- a flow whose records are all claims of one ``group`` keeps that ``group``: a group whose
  claims name different places (two ports of loading) is one flow on each lane its claims
  name, each counting the movement once (``n_movements`` 1, the spread of the claims naming
  that lane), and the kept ``group`` tells the map, the places layer and a later aggregation
  that they are one movement, counted once at the place they share.
"""

from __future__ import annotations

import glob
import hashlib
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import AggregationError, GeoflowsError, GeoflowsWarning

if TYPE_CHECKING:
    from geoflows.flows import FlowSet
    from geoflows.places import Gazetteer

__all__ = ["PERIODS", "aggregate_flows"]

#: Periods of aggregation: week (from Monday), month, quarter, year.
PERIODS = ("W", "M", "Q", "Y")
#: Always part of the key: a flow joins two places, and volumes of different units never add.
KEY_FIELDS = ("origin", "destination", "unit")
#: Text fields kept when every record of a group agrees on them (else left empty).
SHARED_FIELDS = ("kind", "category", "mode")
_CONFIDENCE_RANK = {"claimed": 0, "reported": 1, "confirmed": 2}
_RANK_WORD = {-1: "", 0: "claimed", 1: "reported", 2: "confirmed"}
_UNDATED = np.iinfo(np.int64).min
_SUMS = ("n_records", "n_volume_unknown", "n_exact", "n_ranged", "n_high_open", "n_invalid")
_FLOATS = ("volume_sum", "low_sum", "high_sum")
#: Per claim, for one movement's spread: its lowest and highest claim (min/max, associative,
#: so Dask partitions combine them like the sums).
_SPREAD = {"claim_low": "min", "claim_high": "max", "claim_vmin": "min", "claim_vmax": "max"}


# --------------------------------------------------------------------------- the rules
def _keys(by: Sequence[str] | str | None, columns: Sequence[str], where: str) -> list[str]:
    """Return the checked grouping columns: origin, destination, unit, then the rest of ``by``."""
    if by is not None and not isinstance(by, str | Sequence):
        raise AggregationError(
            f"by must be a column name or a list of column names; got {by!r} ({type(by).__name__})"
        )
    asked = [by] if isinstance(by, str) else list(by or ())
    odd = [b for b in asked if not isinstance(b, str)]
    if odd:
        raise AggregationError(
            f"by holds {', '.join(map(repr, odd))}, which {'is' if len(odd) == 1 else 'are'} "
            "not a column name; give names as text, e.g. by=['category']"
        )
    keys = list(KEY_FIELDS) + [b for b in asked if b not in KEY_FIELDS]
    numeric = ("volume", "volume_low", "volume_high", "start", "end", "source", "id")
    bad = [b for b in keys if b in numeric]
    if bad:
        raise AggregationError(
            f"by cannot hold {', '.join(map(repr, bad))}: volumes are summed, dates spanned, "
            "sources merged and ids made per group; group by text fields such as "
            "'kind', 'category', 'mode' or a column of yours"
        )
    missing = [k for k in keys if k not in columns and k != "unit"]
    if missing:
        raise AggregationError(
            f"{where} has no column {', '.join(map(repr, missing))} to group by; its columns "
            f"are: {', '.join(map(str, columns))}"
        )
    return keys


def _check_period(period: str | None) -> str | None:
    if period is None:
        return None
    if period not in PERIODS:
        raise AggregationError(
            f"period {period!r} is not a valid option, must be one of None, "
            + ", ".join(repr(p) for p in PERIODS)
        )
    return period


def _period_start(dates: pd.Series, period: str | None) -> np.ndarray:
    """Days since 1970-01-01 of the first day of each record's period (undated: a sentinel)."""
    d = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    ok = ~np.isnat(d)
    if period is None:
        return np.full(d.shape, 0, dtype=np.int64)
    if period == "W":
        days = d.astype(np.int64)
        start = days - (days + 3) % 7  # 1970-01-01 was a Thursday; weeks start on Monday
    elif period == "M":
        start = d.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    elif period == "Q":
        months = d.astype("datetime64[M]").astype(np.int64)
        start = (months - months % 3).astype("datetime64[M]").astype("datetime64[D]")
        start = start.astype(np.int64)
    else:
        start = d.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    return np.where(ok, start, _UNDATED)


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(volumes as floats, True where a value was given but is not a number >= 0)."""
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        text = values.astype("string").str.strip()
        blank = (text.isna() | (text == "")).to_numpy()
        number = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    else:
        blank = values.isna().to_numpy()
        number = pd.to_numeric(values, errors="coerce")
    out = number.to_numpy(dtype=float, na_value=np.nan)
    bad = ~blank & ~(np.isfinite(out) & (out >= 0))
    return np.where(bad, np.nan, out), bad


def _dates(values: pd.Series, field: str = "start") -> pd.Series:
    """Read a date column as :func:`geoflows.read_flows` does (one normalisation for both paths).

    Offsets are converted to UTC, naive and offset dates may be mixed, a month or year ``end``
    is its last day. A cell that is not a date in 1678-2262 raises :class:`AggregationError`.
    """
    from geoflows.schema import _parse_dates

    dates, bad = _parse_dates(values, end=field == "end")
    if bad.any():
        first = values.iloc[int(np.flatnonzero(bad)[0])]
        raise AggregationError(
            f"{field}: {int(bad.sum())} value(s) are not dates geoflows can read, e.g. {first!r} "
            f"(record {values.index[int(np.flatnonzero(bad)[0])]!r}); write ISO dates "
            "(YYYY-MM-DD, YYYY-MM or YYYY, optionally with a time and offset) between the years "
            "1678 and 2262, or leave the cell empty"
        )
    return pd.Series(dates.to_numpy(dtype="datetime64[ns]"), index=values.index)


def _prepare(df: pd.DataFrame, keys: list[str], period: str | None) -> pd.DataFrame:
    """Per record: the key, the period and the numbers whose sums make the group's values."""
    n = len(df)
    out = pd.DataFrame(index=df.index)
    for k in keys:
        col = df[k] if k in df.columns else pd.Series("", index=df.index)
        out[k] = col.astype("string").fillna("").str.strip()
    none = pd.Series(np.full(n, np.nan), index=df.index)
    v, bad_v = _numbers(df["volume"] if "volume" in df.columns else none)
    lo, bad_lo = _numbers(df["volume_low"] if "volume_low" in df.columns else none)
    hi, bad_hi = _numbers(df["volume_high"] if "volume_high" in df.columns else none)
    fv, flo, fhi = np.isfinite(v), np.isfinite(lo), np.isfinite(hi)
    info = fv | flo | fhi
    none_dates = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    start = _dates(df["start"], "start") if "start" in df.columns else none_dates
    end = _dates(df["end"], "end") if "end" in df.columns else none_dates
    end = end.fillna(start)
    start = start.fillna(end)
    out["period"] = _period_start(start, period)
    out["n_records"] = np.ones(n, dtype=np.int64)
    out["n_volume_unknown"] = (~info).astype(np.int64)
    out["n_exact"] = fv.astype(np.int64)
    out["n_ranged"] = (flo | fhi).astype(np.int64)
    high = np.where(fhi, hi, v)
    out["n_high_open"] = (info & ~np.isfinite(high)).astype(np.int64)
    out["n_invalid"] = (bad_v | bad_lo | bad_hi).astype(np.int64)
    out["volume_sum"] = np.where(fv, v, 0.0)
    out["low_sum"] = np.where(flo, lo, np.where(fv, v, 0.0))
    out["high_sum"] = np.where(np.isfinite(high), high, 0.0)
    out["claim_low"] = np.where(info, out["low_sum"].to_numpy(), np.inf)
    out["claim_high"] = np.where(info & np.isfinite(high), high, -np.inf)
    out["claim_vmin"] = np.where(fv, v, np.inf)
    out["claim_vmax"] = np.where(fv, v, -np.inf)
    grp = df["group"] if "group" in df.columns else pd.Series("", index=df.index)
    out["group"] = grp.astype("string").fillna("").str.strip()
    # kept on a flow only when all its records are claims of one group (min == max, not "")
    out["group_min"] = out["group"]
    out["group_max"] = out["group"]
    if "confidence" in df.columns:
        out["confidence_rank"] = _confidence_rank(df["confidence"])
    else:
        out["confidence_rank"] = np.full(n, -1, dtype=np.int64)
    out["start"] = start
    out["end"] = end
    src = df["source"] if "source" in df.columns else pd.Series("", index=df.index)
    out["source"] = src.astype("string").fillna("")
    for f in SHARED_FIELDS:
        if f not in keys and f in df.columns:
            text = df[f].astype("string").fillna("").str.strip().str.lower()
            out[f"{f}_min"] = text
            out[f"{f}_max"] = text
    return out


def _confidence_rank(values: pd.Series) -> np.ndarray:
    """Rank confidences: claimed 0 < reported 1 < confirmed 2; unknown or missing -1 (weakest)."""
    from geoflows.style import confidence_level

    text = values.astype("string").fillna("").str.strip().str.lower()
    words = text.map(_CONFIDENCE_RANK)
    out = words.to_numpy(dtype=float, na_value=np.nan)
    rest = np.flatnonzero(np.isnan(out))
    if rest.size:
        uniq, inv = np.unique(text.to_numpy(dtype=object)[rest].astype(str), return_inverse=True)
        ranks = np.array([_CONFIDENCE_RANK.get(confidence_level(u), -1) for u in uniq])
        out[rest] = ranks[inv]
    return out.astype(np.int64)


def _partial_sums(df: pd.DataFrame, keys: list[str], period: str | None) -> pd.DataFrame:
    """One partition's sums per group and source: the records never leave their partition."""
    prep = _prepare(df, keys, period)
    cols = keys + ["period", "group", "source"]
    return prep.groupby(cols, sort=False, dropna=False).agg(_agg_spec(prep.columns)).reset_index()


def _agg_spec(prepared_columns: Sequence[str]) -> dict[str, str]:
    spec = {c: "sum" for c in _SUMS + _FLOATS}
    spec.update(_SPREAD)
    spec.update({"confidence_rank": "min", "start": "min", "end": "max"})
    if "group_min" in prepared_columns:
        spec.update({"group_min": "min", "group_max": "max"})
    for c in prepared_columns:
        if c.endswith("_min") and c[:-4] in SHARED_FIELDS:
            spec[c] = "min"
        elif c.endswith("_max") and c[:-4] in SHARED_FIELDS:
            spec[c] = "max"
    return spec


def _movements(by_group: pd.DataFrame, group_cols: list[str]) -> pd.DataFrame:
    """Sum per lane, unit and period, each movement (a ``group``'s claims) counted once.

    ``by_group`` holds the sums per ``group_cols`` and ``group`` (``""``: records of no group,
    each its own movement). A group's claims become one movement whose low is its lowest claim
    and whose high its highest (open when one claim is open above); the movements are then
    added up.
    """
    spec = {c: a for c, a in _agg_spec(by_group.columns).items() if c in by_group.columns}
    per = by_group.groupby(group_cols + ["group"], sort=True, dropna=False).agg(spec)
    per = per.reset_index()
    named = (per["group"] != "").to_numpy()
    known = (per["n_records"] - per["n_volume_unknown"]).to_numpy()
    per["n_movements"] = np.where(named, 1, per["n_records"].to_numpy()).astype(np.int64)
    if named.any():
        vmin, vmax = per["claim_vmin"].to_numpy(), per["claim_vmax"].to_numpy()
        exact = (per["n_exact"].to_numpy() == known) & (known > 0) & (vmin == vmax)
        high = per["claim_high"].to_numpy()
        moved = {
            "n_volume_unknown": (known == 0).astype(np.int64),
            "n_exact": exact.astype(np.int64),
            "n_ranged": ((known > 0) & ~exact).astype(np.int64),
            "n_high_open": (per["n_high_open"].to_numpy() > 0).astype(np.int64),
            "volume_sum": np.where(exact, vmin, 0.0),
            "low_sum": np.where(known > 0, per["claim_low"].to_numpy(), 0.0),
            "high_sum": np.where(np.isfinite(high), high, 0.0),
        }
        for c, values in moved.items():
            per[c] = np.where(named, values, per[c].to_numpy())
    spec["n_movements"] = "sum"
    sums = per.groupby(group_cols, sort=True, dropna=False).agg(spec).reset_index()
    return sums


def _period_label(days: np.ndarray, period: str | None) -> list[str]:
    if period is None:
        return [""] * len(days)
    labels = []
    for d in days:
        if d == _UNDATED:
            labels.append("")
        else:
            ts = pd.Timestamp(int(d), unit="D")
            labels.append(str(pd.Period(ts, freq=period)))
    return labels


def _group_id(row: Sequence[Any]) -> str:
    text = "\x1f".join(str(x) for x in row)
    return "agg-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _finish(
    sums: pd.DataFrame,
    keys: list[str],
    period: str | None,
    sources: list[str],
    hidden: Sequence[str] = (),
) -> pd.DataFrame:
    """Contract records from the grouped sums (one row per group, keys as columns).

    ``hidden`` keys split groups but are not columns; an id hashes them only when two groups
    would share it, so a lane's id does not depend on whether its places were resolved.
    """
    n_rec = sums["n_records"].to_numpy()
    unknown = sums["n_volume_unknown"].to_numpy()
    known = sums["n_movements"].to_numpy() - unknown
    exact_all = (sums["n_exact"].to_numpy() == known) & (known > 0)
    ranged = sums["n_ranged"].to_numpy() > 0
    open_high = (sums["n_high_open"].to_numpy() > 0) | (unknown > 0)
    bounded = (known > 0) & (ranged | (unknown > 0))
    lane = list(zip(*(sums[k] for k in keys), sums["period"], strict=True))
    ids = pd.Series([_group_id(r) for r in lane])
    clash = ids.duplicated(keep=False).to_numpy()
    if clash.any() and hidden:  # one name for two places: their countries tell them apart
        extra = list(zip(*(sums[h] for h in hidden), strict=True))
        ids[clash] = [_group_id(lane[i] + extra[i]) for i in np.flatnonzero(clash)]
    out = pd.DataFrame({"id": ids.to_numpy()})
    for k in keys:
        out[k] = sums[k].to_numpy()
    out["volume"] = np.where(exact_all & (unknown == 0), sums["volume_sum"].to_numpy(), np.nan)
    out["volume_low"] = np.where(bounded, sums["low_sum"].to_numpy(), np.nan)
    out["volume_high"] = np.where(bounded & ~open_high, sums["high_sum"].to_numpy(), np.nan)
    for f in SHARED_FIELDS:
        if f not in keys and f"{f}_min" in sums.columns:
            lo, hi = sums[f"{f}_min"].to_numpy(), sums[f"{f}_max"].to_numpy()
            out[f] = np.where(lo == hi, lo, "")
    if "group_min" in sums.columns:
        lo, hi = sums["group_min"].to_numpy(), sums["group_max"].to_numpy()
        out["group"] = np.where(lo == hi, lo, "")
    out["start"] = sums["start"].to_numpy()
    out["end"] = sums["end"].to_numpy()
    out["confidence"] = [_RANK_WORD[int(r)] for r in sums["confidence_rank"]]
    out["source"] = sources
    out["n_records"] = n_rec.astype(np.int64)
    out["n_movements"] = sums["n_movements"].to_numpy().astype(np.int64)
    out["n_volume_unknown"] = unknown.astype(np.int64)
    if period is not None:
        out["period"] = _period_label(sums["period"].to_numpy(), period)
    return out


def _merged_sources(pairs: pd.DataFrame, sums: pd.DataFrame, group_cols: list[str]) -> list[str]:
    """Each group's sources, split at ';', without duplicates, sorted: one text per group."""
    from geoflows.schema import split_list

    found: dict[tuple, set[str]] = {}
    for row in pairs.itertuples(index=False):
        found.setdefault(tuple(row[:-1]), set()).update(split_list(row[-1]))
    return [
        " ; ".join(sorted(found.get(tuple(r), ())))
        for r in sums[group_cols].itertuples(index=False)
    ]


def _warn_invalid(sums: pd.DataFrame, where: str) -> None:
    bad = int(sums["n_invalid"].sum())
    if bad:
        warnings.warn(
            f"{where}: {bad} record(s) have a volume that is not a number >= 0; they are "
            "counted as records without a volume (n_volume_unknown)",
            GeoflowsWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------- in memory
def _resolved_lanes(g: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Key each end by its resolved place: the gazetteer's name, and its country.

    ``Rajin`` and ``나진`` resolve to one place and so make one lane, named ``Rajin``; two
    places of one name in two countries stay apart (the hidden ``_at`` keys). Coordinates are
    not the key: one town resolves to its port for a sea route and to its centre by road.
    """
    out = g.copy()
    at = []
    for end in ("origin", "destination"):
        name, country = f"{end}_name", f"{end}_country"
        if name not in g.columns:
            continue
        resolved = g[name].astype("string").fillna("").str.strip()
        given = g[end].astype("string").fillna("").str.strip()
        out[end] = resolved.where(resolved != "", given)
        if country in g.columns:
            out[f"_{end}_at"] = g[country].astype("string").fillna("")
            at.append(f"_{end}_at")
    return out, at


def aggregate_flowset(
    flows: FlowSet, by: Sequence[str] | str | None = None, period: str | None = None
) -> FlowSet:
    """Implement :meth:`FlowSet.aggregate <geoflows.FlowSet.aggregate>`.

    Examples
    --------
    >>> import geoflows as gf
    >>> rows = [{"origin": "Rajin", "destination": "Vladivostok", "volume": v, "unit": "t"}
    ...         for v in (1, 2)]
    >>> agg = aggregate_flowset(gf.read_flows(rows))
    >>> agg.to_geodataframe()[["volume", "n_records"]].values.tolist()
    [[3.0, 2.0]]
    """
    import geopandas as gpd

    from geoflows.flows import CRS, FlowSet
    from geoflows.schema import RESOLVED_FIELDS

    period = _check_period(period)
    g = flows._gdf
    keys = _keys(by, list(g.columns), "the FlowSet")
    lanes, at = _resolved_lanes(g.reset_index(drop=True))
    prep = _prepare(lanes, keys + at, period)
    group_cols = keys + at + ["period"]
    grouped = prep.groupby(group_cols, sort=True, dropna=False)
    sums = _movements(prep, group_cols)
    gid = grouped.ngroup().to_numpy()
    _, first = np.unique(gid, return_index=True)
    pairs = prep[group_cols + ["source"]].drop_duplicates()
    out = _finish(sums, keys, period, _merged_sources(pairs, sums, group_cols), hidden=at)
    firsts = g.iloc[first].reset_index(drop=True)
    for c in RESOLVED_FIELDS:
        if c in firsts.columns and c not in out.columns:
            out[c] = firsts[c].to_numpy()
    for c in ("via", "label", "notes"):
        out[c] = ""
    _warn_invalid(sums, "aggregate")
    gdf = gpd.GeoDataFrame(out, geometry=list(firsts.geometry.to_numpy()), crs=CRS)
    from geoflows.schema import FLOW_FIELDS

    order = [c for c in FLOW_FIELDS if c in gdf.columns]
    gdf = gdf[order + [c for c in gdf.columns if c not in order]]
    return FlowSet(gdf, unresolved=flows.unresolved, source=flows.source)


# --------------------------------------------------------------------------- on Dask
def _import_dask() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        raise ImportError(
            f"aggregate_flows needs Dask: pip install 'geoflows[dask]' ({exc})"
        ) from exc
    return dd


def _read_source(source: object, dd: Any) -> tuple[Any, str, list[str]]:
    """Return a Dask DataFrame of the records, a name for messages and its Parquet parts.

    Nothing is computed; the parts (the files of a Parquet folder or glob) are listed so that
    their schemas can be compared before any is read.
    """
    if isinstance(source, pd.DataFrame):
        parts = max(1, min(64, len(source) // 250_000))
        frame = dd.from_pandas(source.reset_index(drop=True), npartitions=parts)
        return frame, "the DataFrame", []
    if isinstance(source, dd.DataFrame):
        return source, "the Dask DataFrame", []
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        matches = sorted(glob.glob(text)) if any(ch in text for ch in "*?[") else [text]
        if not matches or not all(os.path.exists(m) for m in matches):
            raise GeoflowsError(
                f"{text}: no such file{' matches' if matches == [] else ''}; give a Parquet or "
                "CSV file, a folder of Parquet files or a glob such as 'records/*.parquet'"
            )
        first = matches[0]
        if first.lower().endswith((".csv", ".tsv", ".txt")):
            sep = "\t" if first.lower().endswith(".tsv") else ","
            return dd.read_csv(text, sep=sep, dtype=str, keep_default_na=False), text, []
        return _read_parquet(dd, text, matches)
    raise GeoflowsError(
        "aggregate_flows takes a pandas DataFrame, a dask DataFrame, or a path or glob of "
        f"Parquet/CSV files; got {type(source).__name__}"
    )


def _read_parquet(dd: Any, text: str, matches: list[str]) -> tuple[Any, str, list[str]]:
    """Open Parquet parts with Dask; an unreadable part is an error naming it."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        # a glob is listed (matches), even when it matches one file; a folder or file as given
        globbed = len(matches) > 1 or matches != [text]
        files = ds.dataset(matches if globbed else text, format="parquet").files
        return dd.read_parquet(text), text, list(files)
    except (pa.ArrowException, OSError) as exc:
        raise AggregationError(
            f"{text}: cannot be read as Parquet ({exc}); give a Parquet file, a folder of "
            "Parquet files or a glob of them"
        ) from None


def _type_family(t: Any) -> str:
    """Name the kind of values an Arrow type holds, as far as aggregation tells them apart."""
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        return _type_family(t.value_type)
    if pa.types.is_null(t):
        return "empty"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "numbers"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "text"
    if pa.types.is_timestamp(t):
        return f"timestamps in {t.tz}" if t.tz else "timestamps without a time zone"
    return str(t)


def _check_parts(files: Sequence[str], needed: Sequence[str], where: str) -> None:
    """Check that every Parquet part has the columns read, each with one kind of values.

    Dask takes the schema of one part; a part without a column, or with a column of another
    type (numbers in one, text in another; timestamps with and without a time zone), fails
    deep in the computation with a raw KeyError or Arrow error. Only the footers are read.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    seen: dict[str, tuple[str, str]] = {}
    for f in files:
        try:
            schema = pq.read_schema(f)
        except (pa.ArrowException, OSError) as exc:
            raise AggregationError(
                f"{f}: cannot be read as Parquet ({exc}); part of {where}: repair or remove it"
            ) from None
        for col in needed:
            if col not in schema.names:
                raise AggregationError(
                    f"{f}: has no column {col!r}, which aggregation reads; every part of {where} "
                    f"needs the columns {', '.join(map(repr, needed))}: add the column (it may "
                    "be empty) or leave the file out"
                )
            family = _type_family(schema.field(col).type)
            if family == "empty":
                continue
            other_file, other = seen.setdefault(col, (f, family))
            if other != family:
                raise AggregationError(
                    f"{f}: column {col!r} holds {family}, but {other} in {other_file}; the "
                    f"parts of {where} must share one schema: write them again with one type "
                    f"for {col!r}, or read them with pandas and pass "
                    "one DataFrame"
                )


def _select_columns(
    ddf: Any, by: Sequence[str] | str | None, columns: Mapping[str, str] | None, where: str
) -> tuple[Any, list[str]]:
    """Rename the user's columns, check the keys and keep only the columns aggregation reads."""
    from geoflows import _layouts

    if columns:
        _layouts.apply_columns(ddf._meta, columns, where)
        ddf = ddf.rename(columns=dict(columns))
    keys = _keys(by, list(ddf.columns), where)
    wanted = set(keys) | {"volume", "volume_low", "volume_high", "start", "end", "confidence"}
    wanted |= {"source", "group", *SHARED_FIELDS}
    return ddf[[c for c in ddf.columns if c in wanted]], keys


def _source_names(kept: Sequence[str], columns: Mapping[str, str] | None) -> list[str]:
    """Return the names the kept columns have in the source, before ``columns=`` renamed them."""
    back = {new: old for old, new in (columns or {}).items()}
    return [back.get(c, c) for c in kept]


def _sum_on_dask(
    ddf: Any, keys: list[str], period: str | None, where: str = "the records", rekey: Any = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sum the records per group on Dask; return the group sums and the (group, source) pairs.

    ``rekey`` (see :func:`_by_place`) merges the summed rows of spellings of one place.
    """
    group_cols = keys + ["period"]
    meta = _partial_sums(ddf._meta, keys, period)
    partial = ddf.map_partitions(_partial_sums, keys, period, meta=meta)
    # One row per lane, unit, period and source comes back: small enough for one piece, so
    # Dask's tree reduction needs no shuffle.
    spec = _agg_spec(meta.columns)
    by_source = partial.groupby(group_cols + ["group", "source"], dropna=False)
    try:
        by_source = by_source.agg(spec, split_out=1).compute().reset_index()
    except GeoflowsError:
        raise
    except (KeyError, TypeError, ValueError) as exc:  # a part that differs from the others
        raise AggregationError(
            f"{where}: the records could not be summed ({type(exc).__name__}: {exc}); its "
            "parts probably differ in columns or types: give every part the same schema, or "
            "read them with pandas and pass one DataFrame"
        ) from exc
    if rekey is not None:
        by_source = rekey(by_source, group_cols + ["group", "source"], spec)
    sums = _movements(by_source, group_cols)
    return sums, by_source[group_cols + ["source"]].drop_duplicates()


_ENDS = ("origin", "destination")


def _by_place(gazetteer: Gazetteer | None, country: str | None) -> Any:
    """Return a function keying summed rows by resolved place, not by spelling.

    Dask sums per spelling (``Rajin`` and ``나진`` apart); this merges, in the few summed rows,
    the spellings that resolve to one place under one spelling of theirs (the first in
    sorted order, which resolves to that place again when the flows are read), so a lane is
    keyed by its place and one movement's claims meet on it. Names that do not resolve keep
    their spelling (they are reported when the flows are read).
    """
    from geoflows.places import Gazetteer

    gaz = gazetteer if gazetteer is not None else Gazetteer.default()

    def rekey(rows: pd.DataFrame, cols: list[str], spec: Mapping[str, str]) -> pd.DataFrame:
        ends = {e: rows[e].astype("string").fillna("").to_numpy(dtype=object) for e in _ENDS}
        distinct = sorted({n for names in ends.values() for n in names if n})
        table = gaz.geocode_all(distinct, country=country)
        # the key of FlowSet.aggregate's lanes (_resolved_lanes): resolved name and country
        first: dict[tuple, str] = {}
        spelling = {
            name: first.setdefault(tuple(place), name)
            for name, status, *place in zip(
                distinct, table["status"], table["name"], table["country"], strict=True
            )
            if status == "ok"
        }
        if all(k == v for k, v in spelling.items()):
            return rows
        rows = rows.assign(**{e: [spelling.get(n, n) for n in names] for e, names in ends.items()})
        given = {c: a for c, a in spec.items() if c in rows.columns}
        return rows.groupby(cols, sort=True, dropna=False).agg(given).reset_index()

    return rekey


def aggregate_flows(
    source: object,
    *,
    by: Sequence[str] | str | None = None,
    period: str | None = None,
    columns: Mapping[str, str] | None = None,
    gazetteer: Gazetteer | None = None,
    country: str | None = None,
    route: str = "auto",
    allow_unresolved: bool = False,
) -> FlowSet:
    """Aggregate raw movement records on Dask into a FlowSet of flows ready to map.

    The records are read and summed on Dask: on the active ``distributed.Client`` when there
    is one (connected to any cluster), otherwise on Dask's default scheduler. Only the groups
    (one per lane, unit and period) come back to this process, where each distinct place name
    is resolved once and the routes are built. The rules are those of
    :meth:`FlowSet.aggregate <geoflows.FlowSet.aggregate>`.

    Parameters
    ----------
    source : pandas.DataFrame, dask.dataframe.DataFrame, str or path-like
        The records (the contract's columns, or yours with ``columns=``), or a Parquet/CSV file,
        folder or glob read with Dask.
    by : sequence of str, optional
        Extra grouping columns; ``origin``, ``destination`` and ``unit`` are always used.
    period : {None, "W", "M", "Q", "Y"}
        Also group by week, month, quarter or year of ``start`` (or ``end``).
    columns : dict, optional
        Your column names mapped onto the contract's fields, e.g. ``{"port_from": "origin"}``.
    gazetteer, country, route, allow_unresolved
        As in :func:`geoflows.read_flows`.

    Returns
    -------
    FlowSet
        One flow per group with ``n_records``, ``n_movements``, ``n_volume_unknown`` (and
        ``period``).

    Raises
    ------
    AggregationError
        A column to group by or the origin/destination is missing, ``by`` is not column
        names, the period is unknown, or the Parquet parts differ in the columns read or their
        types (naming the file and the column); raised before anything is computed.

    Examples
    --------
    >>> import pandas as pd, geoflows as gf
    >>> records = pd.DataFrame({"origin": ["Rajin"] * 3, "destination": ["Vladivostok"] * 3,
    ...                         "volume": [1, 2, None], "unit": "containers",
    ...                         "start": ["2024-01-05", "2024-01-20", "2024-02-02"]})
    >>> flows = gf.aggregate_flows(records, period="M")
    >>> flows.to_geodataframe()[["period", "volume", "volume_low", "n_records"]].values.tolist()
    [['2024-01', 3.0, nan, 2], ['2024-02', nan, nan, 1]]
    """
    from geoflows.flows import FlowSet
    from geoflows.io import validate_flows

    dd = _import_dask()
    period = _check_period(period)
    ddf, where, parts = _read_source(source, dd)
    ddf, keys = _select_columns(ddf, by, columns, where)
    _check_parts(parts, _source_names(list(ddf.columns), columns), where)
    sums, pairs = _sum_on_dask(ddf, keys, period, where, _by_place(gazetteer, country))
    out = _finish(sums, keys, period, _merged_sources(pairs, sums, keys + ["period"]))
    _warn_invalid(sums, where)
    records = validate_flows(out, source=where)
    return FlowSet._from_records(
        records,
        gazetteer=gazetteer,
        country=country,
        route=route,
        allow_unresolved=allow_unresolved,
        source=where,
    )
