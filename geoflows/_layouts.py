"""Flow tables as other tools lay them out, both ways (the layout half of :mod:`geoflows.io`).

Reading: the user's column names mapped onto the contract (``columns=``), flowmap.blue's two
tables (``locations=``), LineStrings the user already has (kept as ``route_kind="given"``) and
movingpandas trajectories. Writing: flowmap.blue's two CSVs, a kepler.gl CSV and the places
table of the GIS exports. Nothing here reads or writes a file but through :mod:`geoflows.io`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import FlowValidationError, GeoflowsError, GeoflowsWarning
from geoflows.schema import (
    FLOW_FIELDS,
    GIVEN_ROUTE,
    Problem,
    is_blank,
    iso_period,
    line_problems,
)

if TYPE_CHECKING:
    from geoflows.flows import FlowSet

#: Coordinates a row may give beside its place names.
COORDINATE_FIELDS = ("origin_lat", "origin_lon", "destination_lat", "destination_lon")
#: flowmap.blue's flow columns and the contract's names for them.
FLOWMAP_BLUE_FLOWS = {"origin": "origin", "dest": "destination", "count": "volume", "time": "start"}
#: flowmap.blue's locations columns.
FLOWMAP_BLUE_LOCATIONS = ("id", "name", "lat", "lon")
#: Other common names of the locations columns, taken when the table lacks flowmap.blue's own
#: (a stated, forgiving rule: never a guess); ``location_columns=`` maps any other name.
LOCATION_ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "long": "lon"}
#: Columns a locations table may add: the place's ``kind`` (a place with a kind was resolved
#: before, as geoflows writes it, and its name is not looked up again) and ``country``.
LOCATION_EXTRAS = ("kind", "country")
#: Where each flow's location ids are kept (the ids of the locations table, e.g. IATA codes),
#: so that exports write them again.
LOCATION_ID_FIELDS = ("origin_id", "destination_id")
#: kepler.gl's arc-layer columns and the contract's names for them.
KEPLER_COORDINATES = {
    "source_lat": "origin_lat",
    "source_lng": "origin_lon",
    "target_lat": "destination_lat",
    "target_lng": "destination_lon",
}
#: The ``route_kind`` of a line the user gave (kept as it is, never rebuilt).
GIVEN = GIVEN_ROUTE


def mappable_fields() -> tuple[str, ...]:
    """Return the names a column may be mapped onto: the contract's fields and coordinates.

    Examples
    --------
    >>> "origin_lat" in mappable_fields() and "volume" in mappable_fields()
    True
    """
    return tuple(FLOW_FIELDS) + COORDINATE_FIELDS


def parse_columns(
    text: str,
    what: str = "columns",
    example: str = "'OrigName=origin,DestName=destination,FlowMag=volume'",
    form: str = "YOUR_COLUMN=field",
) -> dict[str, str]:
    """Parse ``"OrigName=origin,FlowMag=volume"`` (the CLI's ``--columns``) into a mapping.

    ``what``, ``example`` and ``form`` describe the flag in the error (``--units`` uses the
    same form).

    Examples
    --------
    >>> parse_columns("OrigName=origin, DestName=destination")
    {'OrigName': 'origin', 'DestName': 'destination'}
    >>> parse_columns("droens=drones", "units", "'droens=drones'", "SPELLING=unit")
    {'droens': 'drones'}
    """
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        theirs, sep, ours = part.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise GeoflowsError(f"{what}: {part!r} is not {form}; write e.g. {example}")
        out[theirs.strip()] = ours.strip()
    return out


def apply_columns(df: pd.DataFrame, columns: Mapping[str, str], name: str) -> pd.DataFrame:
    """Rename the user's columns onto the contract; every wrong entry is a problem.

    Examples
    --------
    >>> df = pd.DataFrame({"OrigName": ["Rajin"], "DestName": ["Vladivostok"]})
    >>> list(apply_columns(df, {"OrigName": "origin", "DestName": "destination"}, ""))
    ['origin', 'destination']
    """
    if not isinstance(columns, Mapping):
        raise GeoflowsError(
            f"columns must map your column names to fields, e.g. {{'OrigName': 'origin'}}; "
            f"got {type(columns).__name__}"
        )
    allowed = mappable_fields()
    problems = []
    for theirs, ours in columns.items():
        if ours not in allowed:
            problems.append(
                Problem(name, 1, str(ours), theirs,
                        f"columns maps {theirs!r} to unknown field {ours!r}; the contract's "
                        f"fields are: {', '.join(allowed)}")
            )  # fmt: skip
        elif theirs not in df.columns:
            problems.append(
                Problem(name, 1, str(ours), theirs,
                        f"columns names {theirs!r}, which is not a column; the header has: "
                        f"{', '.join(map(str, df.columns)) or '(nothing)'}")
            )  # fmt: skip
    targets = list(columns.values())
    for ours in sorted({t for t in targets if targets.count(t) > 1}):
        problems.append(
            Problem(name, 1, ours, ours, "columns maps several columns onto this field; keep one")
        )
    if problems:
        raise FlowValidationError(problems, name or None)
    clashes = [c for c in df.columns if c in targets and c not in columns]
    return df.drop(columns=clashes).rename(columns=dict(columns))


def fill_names_from_coordinates(df: pd.DataFrame) -> pd.DataFrame:
    """Give ``origin``/``destination`` as ``"lat, lon"`` where only coordinates are given.

    Examples
    --------
    >>> df = pd.DataFrame({"origin_lat": [42.3], "origin_lon": [130.4], "destination": ["B"]})
    >>> fill_names_from_coordinates(df)["origin"].tolist()
    ['42.3, 130.4']
    """
    for end in ("origin", "destination"):
        lat, lon = f"{end}_lat", f"{end}_lon"
        if end not in df.columns and lat in df.columns and lon in df.columns:
            df = df.copy()
            df[end] = [
                "" if pd.isna(a) or pd.isna(b) else f"{a}, {b}"
                for a, b in zip(df[lat], df[lon], strict=True)
            ]
    return df


# --------------------------------------------------------------------------- flowmap.blue
def kepler_coordinates(df: pd.DataFrame) -> pd.DataFrame:
    """Read kepler.gl's ``source_lat, source_lng, target_lat, target_lng`` as the ends' coordinates.

    Taken only when the table has all four and none of the contract's coordinate columns.

    Examples
    --------
    >>> df = pd.DataFrame({"origin": ["A"], "source_lat": [1.0], "source_lng": [2.0],
    ...                    "target_lat": [3.0], "target_lng": [4.0]})
    >>> list(kepler_coordinates(df).columns)
    ['origin', 'origin_lat', 'origin_lon', 'destination_lat', 'destination_lon']
    """
    if all(c in df.columns for c in KEPLER_COORDINATES) and not any(
        c in df.columns for c in COORDINATE_FIELDS
    ):
        return df.rename(columns=KEPLER_COORDINATES)
    return df


def parse_location_columns(text: str) -> dict[str, str]:
    """Parse ``"iata=id,latitude=lat"`` (the CLI's ``--location-columns``) into a mapping.

    Examples
    --------
    >>> parse_location_columns("iata=id, latitude=lat, longitude=lon")
    {'iata': 'id', 'latitude': 'lat', 'longitude': 'lon'}
    """
    return parse_columns(text, what="location-columns", example="iata=id,latitude=lat")


def _map_location_columns(
    locs: pd.DataFrame, mapping: Mapping[str, str] | None, loc_name: str
) -> pd.DataFrame:
    """Rename the locations table's columns onto ``id, name, lat, lon`` (and its extras)."""
    allowed = FLOWMAP_BLUE_LOCATIONS + LOCATION_EXTRAS
    if mapping:
        if not isinstance(mapping, Mapping):
            raise GeoflowsError(
                "location_columns must map your column names to id, name, lat, lon, e.g. "
                f"{{'iata': 'id'}}; got {type(mapping).__name__}"
            )
        problems = []
        for theirs, ours in mapping.items():
            if ours not in allowed:
                problems.append(Problem(loc_name, 1, str(ours), theirs,
                                        f"location_columns maps {theirs!r} to {ours!r}; a "
                                        f"locations column is one of: {', '.join(allowed)}"))  # fmt: skip
            elif theirs not in locs.columns:
                problems.append(Problem(loc_name, 1, str(ours), theirs,
                                        f"location_columns names {theirs!r}, which is not a "
                                        f"column; the header has: {', '.join(locs.columns)}"))  # fmt: skip
        if problems:
            raise FlowValidationError(problems, loc_name)
        locs = locs.drop(columns=[c for c in mapping.values() if c in locs.columns
                                  and c not in mapping]).rename(columns=dict(mapping))  # fmt: skip
    aliases = {k: v for k, v in LOCATION_ALIASES.items() if k in locs.columns}
    aliases = {k: v for k, v in aliases.items() if v not in locs.columns}
    return locs.rename(columns=dict(sorted(aliases.items()))) if aliases else locs


def _locations_frame(locations: object) -> tuple[pd.DataFrame, str]:
    from geoflows.io import read_table

    if isinstance(locations, (str, os.PathLike)):
        return read_table(locations), str(locations)
    if isinstance(locations, pd.DataFrame):
        return pd.DataFrame(locations).reset_index(drop=True), "locations"
    if isinstance(locations, list):
        return pd.DataFrame([dict(r) for r in locations]), "locations"
    raise GeoflowsError(
        f"locations takes a path, a DataFrame or a list of dicts (id, name, lat, lon); got "
        f"{type(locations).__name__}"
    )


#: Other names of the locations table's columns, as other tables write them (the vega
#: airports table: ``iata, name, …, latitude, longitude``), used when ``id``/``lat``/``lon``
#: are absent.
LOCATION_ALIASES = {
    "iata": "id", "code": "id", "latitude": "lat", "longitude": "lon", "lng": "lon",
}  # fmt: skip


def flowmap_blue_frame(
    df: pd.DataFrame,
    locations: object,
    name: str,
    offset: int,
    location_columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Turn flowmap.blue's flows (``origin, dest, count``) and locations into contract rows.

    Origin and destination ids are looked up in the locations table (``id, name, lat, lon``;
    ``latitude``/``longitude``/``lng`` are taken for ``lat``/``lon``, and ``location_columns``
    maps other names, e.g. ``{"iata": "id"}``): each row gets the location's name, its
    coordinates (trusted: the name need not be in the gazetteer) and its id
    (``origin_id``/``destination_id``, which exports write again). A ``kind`` or ``country``
    column of the locations is kept as the place's. Unknown ids, and locations without valid
    coordinates, are problems naming their rows.

    Examples
    --------
    >>> flows = pd.DataFrame({"origin": ["1"], "dest": ["2"], "count": ["40"]})
    >>> locs = pd.DataFrame({"id": [1, 2], "name": ["Rajin", "Vladivostok"],
    ...                      "lat": [42.25, 43.12], "lon": [130.3, 131.9]})
    >>> flowmap_blue_frame(flows, locs, "", 1)[["origin", "destination", "volume"]].values.tolist()
    [['Rajin', 'Vladivostok', '40']]
    """
    locs, loc_name = _locations_frame(locations)
    locs.columns = [str(c).strip() for c in locs.columns]
    locs = _map_location_columns(locs, location_columns, loc_name)
    locs.columns = [str(c).lower() for c in locs.columns]
    locs = locs.rename(
        columns={k: v for k, v in LOCATION_ALIASES.items()
                 if k in locs.columns and v not in locs.columns}
    )  # fmt: skip
    missing = [c for c in FLOWMAP_BLUE_LOCATIONS if c not in locs.columns and c != "name"]
    if missing:
        raise FlowValidationError(
            [Problem(loc_name, 1, c, "", f"the locations table needs columns id, name, lat, lon; "
                     f"'{c}' is missing (the header has: {', '.join(locs.columns)}); name "
                     "yours with location_columns, e.g. {'iata': 'id'} (--location-columns "
                     "iata=id)")
             for c in missing],
            loc_name,
        )  # fmt: skip
    loc_offset = 2 if isinstance(locations, (str, os.PathLike)) else 1
    lat = pd.to_numeric(locs["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(locs["lon"], errors="coerce").to_numpy(dtype=float)
    ids = [str(v).strip() for v in locs["id"]]
    given_names = locs["name"].tolist() if "name" in locs.columns else ids
    names = [i if pd.isna(v) or not str(v).strip() else str(v).strip()
             for v, i in zip(given_names, ids, strict=True)]  # fmt: skip
    extras = {c: [None if pd.isna(v) or not str(v).strip() else str(v).strip() for v in locs[c]]
              for c in LOCATION_EXTRAS if c in locs.columns}  # fmt: skip
    problems: list[Problem] = []
    table: dict[str, int] = {}
    for k, i in enumerate(ids):
        if (
            not (np.isfinite(lat[k]) and np.isfinite(lon[k]))
            or abs(lat[k]) > 90
            or abs(lon[k]) > 180
        ):
            problems.append(Problem(loc_name, k + loc_offset, "lat", f"{locs['lat'][k]}, {locs['lon'][k]}",
                                    "a location needs lat in [-90, 90] and lon in [-180, 180]"))  # fmt: skip
        elif i in table:
            problems.append(Problem(loc_name, k + loc_offset, "id", i, "duplicate location id"))
        else:
            table[i] = k
    out = df.rename(
        columns={k: v for k, v in FLOWMAP_BLUE_FLOWS.items()
                 if k in df.columns and k != v and v not in df.columns}
    )  # fmt: skip
    for end in ("origin", "destination"):
        if end not in out.columns:
            problems.append(Problem(name, 1, end, "", f"flowmap.blue flows need columns origin, "
                                    f"dest, count; the header has: {', '.join(df.columns)}"))  # fmt: skip
            continue
        given = [str(v).strip() for v in out[end]]
        hits = np.array([table.get(v, -1) for v in given], dtype=np.int64)
        for r in np.flatnonzero(hits < 0):
            problems.append(Problem(name, int(r) + offset, end, given[r],
                                    f"no location with this id in {loc_name}"))  # fmt: skip
        found = hits >= 0
        out[end] = [names[h] if h >= 0 else v for h, v in zip(hits, given, strict=True)]
        out[f"{end}_id"] = given
        out[f"{end}_name"] = out[end]
        out[f"{end}_lat"] = np.where(found, lat[hits], np.nan)
        out[f"{end}_lon"] = np.where(found, lon[hits], np.nan)
        for c, values in extras.items():
            if f"{end}_{c}" not in out.columns:
                out[f"{end}_{c}"] = [values[h] if h >= 0 else None for h in hits]
    if problems:
        raise FlowValidationError(problems, name or None)
    return out


# --------------------------------------------------------------------------- claims
def movements(g: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Collapse each movement's claims into one row: its spread, never their sum.

    Records sharing a non-empty ``group`` and the same ``keys`` are claims about one movement
    (the rule of :meth:`FlowSet.aggregate <geoflows.FlowSet.aggregate>`): they become the first
    claim's row with ``volume`` set only when every claim gives the same number,
    ``volume_low`` the lowest claim and ``volume_high`` the highest (left open, NaN, when a
    claim is open on that side), ``source`` the claims' sources and ``id`` their ids (``;``
    between), and ``claims`` their number. Records of no group are movements of one claim.

    Examples
    --------
    >>> rows = pd.DataFrame({"id": ["a", "b", "c"], "lane": ["x", "x", "x"],
    ...                      "volume": [8000, 11000, 500], "volume_low": np.nan,
    ...                      "volume_high": np.nan, "source": ["US", "UA", ""],
    ...                      "group": ["g", "g", ""]})
    >>> movements(rows, ["lane"])[["id", "volume_low", "volume_high", "claims"]].values.tolist()
    [['a ; b', 8000.0, 11000.0, 2], ['c', nan, nan, 1]]
    """
    from geoflows.schema import split_list

    out = g.reset_index(drop=True)
    group = (
        out["group"].astype("string").fillna("").str.strip()
        if "group" in out.columns
        else pd.Series("", index=out.index, dtype="string")
    )
    named = (group != "").to_numpy()
    if not named.any():
        return out.assign(claims=np.ones(len(out), dtype=np.int64))
    v = pd.to_numeric(out["volume"], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(out["volume_low"], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(out["volume_high"], errors="coerce").to_numpy(dtype=float)
    info = np.isfinite(v) | np.isfinite(lo) | np.isfinite(hi)
    low = np.where(np.isfinite(lo), lo, v)  # NaN: open below ("up to")
    high = np.where(np.isfinite(hi), hi, v)  # NaN: open above ("more than")
    key = [group.rename("_group")] + [out[k].astype("string").fillna("") for k in keys]
    movement = np.where(named, pd.MultiIndex.from_arrays(key).factorize()[0], -1)
    movement = np.where(named, movement, -1 - np.arange(len(out)))
    frame = pd.DataFrame(
        {
            "m": movement,
            "info": info,
            "low": np.where(info, low, np.nan),
            "high": np.where(info, high, np.nan),
            "lo_open": info & ~np.isfinite(low),
            "hi_open": info & ~np.isfinite(high),
            "exact": np.where(np.isfinite(v), v, np.nan),
            "inexact": info & ~np.isfinite(v),
        }
    )
    per = frame.groupby("m", sort=False).agg(
        n=("m", "size"),
        info=("info", "sum"),
        low=("low", "min"),
        high=("high", "max"),
        lo_open=("lo_open", "any"),
        hi_open=("hi_open", "any"),
        vmin=("exact", "min"),
        vmax=("exact", "max"),
        inexact=("inexact", "any"),
    )
    first = ~pd.Series(movement).duplicated().to_numpy()
    lead = out[first].reset_index(drop=True)
    per = per.loc[movement[first]]
    several = (per["n"] > 1).to_numpy()
    same = (~per["inexact"] & (per["vmin"] == per["vmax"])).to_numpy()
    lead["volume"] = np.where(several, np.where(same, per["vmin"], np.nan), lead["volume"])
    low_m = np.where(per["lo_open"] | same, np.nan, per["low"])
    high_m = np.where(per["hi_open"] | same, np.nan, per["high"])
    lead["volume_low"] = np.where(several, low_m, lead["volume_low"])
    lead["volume_high"] = np.where(several, high_m, lead["volume_high"])
    for col in ("id", "source"):
        if col in out.columns:
            texts = out[col].astype("string").fillna("").to_numpy(dtype=object)
            joined: dict[int, list[str]] = {}
            for m, t in zip(movement, texts, strict=True):
                items = joined.setdefault(int(m), [])
                items += [x for x in split_list(t) if x not in items]
            lead[col] = [" ; ".join(joined[int(m)]) for m in movement[first]]
    lead["claims"] = per["n"].to_numpy().astype(np.int64)
    return lead


def flowmap_blue_tables(flows: FlowSet) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make flowmap.blue's two tables (locations and flows) for a FlowSet.

    Locations have ``id, name, lat, lon`` (and the ``kind`` and ``country`` geoflows resolved,
    so that reading the tables back takes the places as they are); flows
    ``origin, dest, count[, time, claims]``. A place keeps the location id it was read with
    (``origin_id``/``destination_id``: an IATA code stays one); other places are numbered in
    order of appearance (see :func:`_location_ids`). flowmap.blue adds counts up, so the
    claims about one movement (a ``group``) are one row, counted by its spread (see
    :func:`movements`), with ``claims`` saying how many it rests on.

    Examples
    --------
    >>> import geoflows as gf
    >>> locs, rows = flowmap_blue_tables(gf.read_flows(
    ...     [{"origin": "Rajin", "destination": "Vladivostok", "volume": 5}]))
    >>> locs["name"].tolist(), rows.values.tolist()
    (['Rajin', 'Vladivostok'], [['1', '2', 5.0]])
    """
    from geoflows.schema import best_volume

    g = flows.to_geodataframe()
    g = g[g["origin_lat"].notna() & g["destination_lat"].notna()]
    ends_at = [f"{e}_{c}" for e in ("origin", "destination") for c in ("name", "lat", "lon")]
    g = movements(g, ends_at + ["unit"])
    _warn_groups_on_several_lanes(g)
    units = sorted({u for u in g["unit"] if u})
    if len(units) > 1:
        warnings.warn(
            f"flowmap.blue has no units and sums the counts it shows; these flows have "
            f"{len(units)} units ({', '.join(units)}): write one file per unit with "
            "flows.filter(units=[...])",
            GeoflowsWarning,
            stacklevel=4,
        )
    locs, ends = _location_ids(g)
    rows = pd.DataFrame(
        {
            "origin": ends["origin"],
            "dest": ends["destination"],
            "count": best_volume(g["volume"], g["volume_low"], g["volume_high"]),
        }
    )
    if g["start"].notna().any():
        # a month stays a month (flowmap.blue reads ISO periods such as 2022-09)
        rows["time"] = iso_period(g["start"], g.get("start_precision"))
    if (g["claims"] > 1).any():  # flowmap.blue adds counts up: one row per movement, and why
        rows["claims"] = g["claims"].to_numpy()
    return locs, rows


def _warn_groups_on_several_lanes(g: pd.DataFrame) -> None:
    """Warn that flowmap.blue will add up a movement whose claims name different lanes.

    A ``group`` whose sources name two ports is one row per lane (each its own claims); the
    format cannot say the rows are alternatives, so flowmap.blue counts the movement on each.
    """
    group = g["group"].astype("string").fillna("").str.strip() if "group" in g else None
    if group is None or not (group != "").any():
        return
    named = g[(group != "").to_numpy()]
    lanes = named["origin_name"].astype(str) + " → " + named["destination_name"].astype(str)
    per = lanes.groupby(group[group != ""].to_numpy(), sort=True).unique()
    several = {k: list(v) for k, v in per.items() if len(v) > 1}
    if not several:
        return
    listed = "; ".join(f"{k!r}: {', '.join(v)}" for k, v in list(several.items())[:5])
    warnings.warn(
        f"flowmap.blue sums the counts it shows; {len(several)} group(s) name different places "
        f"for one movement and are one row per lane ({listed}), so flowmap.blue counts each "
        "once on every lane and more than once where the lanes meet: read place totals from "
        "the places layer (to_file(...gpkg) or .parquet), which counts a movement once, or "
        "keep one lane per group",
        GeoflowsWarning,
        stacklevel=5,
    )


def _location_ids(g: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Give each place (name, lat, lon) one location id; return the table and each end's ids.

    A place keeps the id it was read with (``origin_id``/``destination_id``, e.g. an IATA
    code); other places, and a second place given the same id, are numbered ``1``, ``2``…
    in order of appearance (origins first, then destinations), skipping the ids kept.
    """
    seen: dict[tuple[str, float, float], int] = {}
    wanted: list[str | None] = []
    first: list[tuple[Any, float, float, Any, Any]] = []
    rows: dict[str, list[int]] = {}
    for end in ("origin", "destination"):
        ids = (
            g[f"{end}_id"].astype(object).where(g[f"{end}_id"].notna(), None).tolist()
            if f"{end}_id" in g.columns
            else [None] * len(g)
        )
        kinds = g[f"{end}_kind"].tolist() if f"{end}_kind" in g.columns else [None] * len(g)
        ctry = g[f"{end}_country"].tolist() if f"{end}_country" in g.columns else [None] * len(g)
        at = []
        for nm, la, lo, i, k, c in zip(
            g[f"{end}_name"], g[f"{end}_lat"], g[f"{end}_lon"], ids, kinds, ctry, strict=True
        ):
            key = (str(nm), round(float(la), 6), round(float(lo), 6))
            if key not in seen:
                seen[key] = len(first)
                wanted.append(None if i is None or not str(i).strip() else str(i).strip())
                first.append((nm, float(la), float(lo), k, c))
            at.append(seen[key])
        rows[end] = at
    kept: dict[str, int] = {}
    for j, w in enumerate(wanted):
        if w is not None and w not in kept:
            kept[w] = j
    out: list[str] = []
    number = 0
    for j, w in enumerate(wanted):
        if w is not None and kept[w] == j:
            out.append(w)
            continue
        number += 1
        while str(number) in kept:
            number += 1
        out.append(str(number))
    locs = pd.DataFrame(
        {
            "id": out,
            "name": [f[0] for f in first],
            "lat": [f[1] for f in first],
            "lon": [f[2] for f in first],
            # the place as geoflows resolved it: read back, it is not looked up again
            "kind": ["" if is_blank(f[3]) else str(f[3]) for f in first],
            "country": ["" if is_blank(f[4]) else str(f[4]) for f in first],
        }
    )
    return locs, {end: [out[j] for j in at] for end, at in rows.items()}


def kepler_frame(flows: FlowSet) -> pd.DataFrame:
    """Make a kepler.gl-ready table of a FlowSet.

    The columns ``source_lat, source_lng, target_lat, target_lng`` come first, then the
    contract's fields (dates as ``YYYY-MM-DD``), then each end's resolved ``_name`` and
    ``_kind`` (and location ``_id``), so that :func:`geoflows.read_flows` reads the file back
    as the same flows. kepler.gl sums what it aggregates, so the
    claims about one movement (a ``group``) are one row with their spread, their ids and
    sources, and a ``claims`` count (see :func:`movements`).

    Examples
    --------
    >>> import geoflows as gf
    >>> df = kepler_frame(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]))
    >>> list(df.columns[:4])
    ['source_lat', 'source_lng', 'target_lat', 'target_lng']
    """
    g = flows.to_geodataframe()
    ends_at = [f"{e}_{c}" for e in ("origin", "destination") for c in ("name", "lat", "lon")]
    g = movements(g, ends_at + ["unit"])
    out = pd.DataFrame(
        {
            "source_lat": g["origin_lat"].to_numpy(),
            "source_lng": g["origin_lon"].to_numpy(),
            "target_lat": g["destination_lat"].to_numpy(),
            "target_lng": g["destination_lon"].to_numpy(),
        }
    )
    for c in FLOW_FIELDS:
        values = g[c]
        if c in ("start", "end"):
            values = values.dt.strftime("%Y-%m-%d").where(values.notna(), "")
        out[c] = values.to_numpy()
    # The places as resolved (and their location ids): read back, they are taken as they are.
    for c in [f"{e}_{a}" for e in ("origin", "destination") for a in ("name", "kind", "id")]:
        if c in g.columns:
            out[c] = g[c].to_numpy()
    if (g["claims"] > 1).any():
        out["claims"] = g["claims"].to_numpy()
    return out


# --------------------------------------------------------------------------- given lines
def frame_with_geometry(gdf: Any) -> pd.DataFrame:
    """Turn a GeoDataFrame into a plain frame whose ``geometry`` holds its shapes in EPSG:4326.

    Without any line there is nothing to keep, and the geometry is dropped (flows are built
    from the place columns). Lines without a CRS are an error: their coordinates cannot be
    read as longitude and latitude without knowing it.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"origin": ["A"]}, geometry=[shapely.LineString([(0, 0), (1, 1)])],
    ...                      crs="EPSG:4326")
    >>> frame_with_geometry(g)["geometry"].iloc[0].geom_type
    'LineString'
    """
    name = gdf.geometry.name
    types = gdf.geometry.geom_type
    if not types.isin(["LineString", "MultiLineString"]).any():
        return pd.DataFrame(gdf.drop(columns=name))
    if gdf.crs is None:
        raise GeoflowsError(
            "the GeoDataFrame's lines have no CRS, so their coordinates cannot be read as "
            "longitude/latitude; set one, e.g. gdf.set_crs('EPSG:4326')"
        )
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    out = pd.DataFrame(gdf.drop(columns=name))
    out["geometry"] = gdf.geometry.to_numpy()
    return out


def given_lines(df: pd.DataFrame, source: str = "", first_row: int = 1) -> np.ndarray | None:
    """Return the user's own lines per row (None where a row has none), or None if none has.

    A file geoflows exported carries the lines geoflows drew; they are rebuilt, not kept,
    unless their ``route_kind`` is ``given``. A ``geometry`` column of text (a CSV) is read as
    WKT. Every kept line is checked by :func:`geoflows.schema.line_problems` (a vertex off the
    globe raises :class:`FlowValidationError` naming ``source`` and the row, counted from
    ``first_row``).

    Examples
    --------
    >>> import shapely
    >>> df = pd.DataFrame({"geometry": [shapely.LineString([(0, 0), (1, 1)]), None]})
    >>> [g is not None for g in given_lines(df)]
    [True, False]
    """
    import shapely

    if "geometry" not in df.columns:
        return None
    geoms = df["geometry"].to_numpy(dtype=object)
    kinds = df["route_kind"].astype(str).to_numpy() if "route_kind" in df.columns else None
    keep = np.ones(len(df), dtype=bool) if kinds is None else kinds == GIVEN
    if geoms.size and any(isinstance(g, str) for g in geoms[keep]):
        text = [t if k and isinstance(t, str) and t.strip() else None
                for t, k in zip(geoms, keep, strict=True)]  # fmt: skip
        geoms = shapely.from_wkt(np.array(text, dtype=object), on_invalid="ignore")
    is_geom = np.array([isinstance(g, shapely.Geometry) for g in geoms], dtype=bool)
    if not is_geom.any():
        return None
    types = shapely.get_type_id(np.where(is_geom, geoms, None))
    lines = (
        keep & is_geom & np.isin(types, [1, 5]) & ~shapely.is_empty(np.where(is_geom, geoms, None))
    )
    if not lines.any():
        return None
    problems = line_problems(geoms[lines], np.flatnonzero(lines) + first_row, source)
    if problems:
        raise FlowValidationError(problems, source or None)
    from geoflows.routes import join_antimeridian

    out = np.full(len(df), None, dtype=object)
    out[lines] = join_antimeridian(geoms[lines])
    return out


def fill_names_from_lines(df: pd.DataFrame, lines: np.ndarray | None) -> pd.DataFrame:
    """Fill missing origin and destination names from each row's line.

    Without ``origin``/``destination`` columns, a row with a line starts and ends at its
    first and last vertex (given as ``"lat, lon"``).

    Examples
    --------
    >>> import shapely
    >>> line = shapely.LineString([(130.5, 42.25), (131.9, 43.1)])
    >>> fill_names_from_lines(pd.DataFrame({"x": [1]}), np.array([line]))["origin"].tolist()
    ['42.25, 130.5']
    """
    import shapely

    if lines is None:
        return df
    for end, at in (("origin", 0), ("destination", -1)):
        if end in df.columns:
            continue
        df = df.copy()
        names = []
        for g in lines:
            if g is None:
                names.append("")
                continue
            x, y = shapely.get_coordinates(g)[at]
            x = (x + 180) % 360 - 180
            names.append(f"{round(float(y), 6)}, {round(float(x), 6)}")
        df[end] = names
    return df


# --------------------------------------------------------------------------- movingpandas
def is_trajectory_collection(data: object) -> bool:
    """Tell whether ``data`` is a movingpandas ``TrajectoryCollection`` (or one ``Trajectory``).

    Examples
    --------
    >>> is_trajectory_collection(pd.DataFrame())
    False
    """
    return type(data).__name__ in ("TrajectoryCollection", "Trajectory") and any(
        c.__module__.startswith("movingpandas") for c in type(data).__mro__
    )


def trajectories_frame(data: Any) -> pd.DataFrame:
    """Make one flow per trajectory of a movingpandas collection.

    Each trajectory's track is the line, its first and last fix are origin and destination
    (``"lat, lon"``), its first and last time are ``start`` and ``end``.

    Needs the ``movingpandas`` extra (``pip install geoflows[movingpandas]``).

    Examples
    --------
    >>> import movingpandas as mpd, geopandas as gpd, shapely
    >>> t = pd.date_range("2024-01-01", periods=3, freq="D")
    >>> pts = gpd.GeoDataFrame({"t": t, "ship": "A"}, crs="EPSG:4326",
    ...     geometry=[shapely.Point(130.5, 42.2), shapely.Point(131, 42.6), shapely.Point(131.9, 43.1)])
    >>> tc = mpd.TrajectoryCollection(pts, "ship", t="t")
    >>> trajectories_frame(tc)[["id", "origin", "destination", "end"]].values.tolist()
    [['A', '42.2, 130.5', '43.1, 131.9', '2024-01-03']]
    """
    try:
        import movingpandas  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"reading trajectories needs movingpandas: pip install 'geoflows[movingpandas]' ({exc})"
        ) from exc
    import shapely

    trajectories = data.trajectories if hasattr(data, "trajectories") else [data]
    rows = []
    for tr in trajectories:
        df = tr.df
        crs = df.crs
        geom = tr.to_linestring()
        if crs is not None and crs.to_epsg() != 4326:
            import geopandas as gpd

            geom = gpd.GeoSeries([geom], crs=crs).to_crs("EPSG:4326").iloc[0]
        (x0, y0), (x1, y1) = shapely.get_coordinates(geom)[[0, -1]]
        times = df.index
        rows.append(
            {
                "id": str(tr.id),
                "origin": f"{round(float(y0), 6)}, {round(float(x0), 6)}",
                "destination": f"{round(float(y1), 6)}, {round(float(x1), 6)}",
                "start": pd.Timestamp(times.min()).strftime("%Y-%m-%d"),
                "end": pd.Timestamp(times.max()).strftime("%Y-%m-%d"),
                "geometry": geom,
            }
        )
    if not rows:
        raise GeoflowsError("the TrajectoryCollection holds no trajectories")
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- places table
def field_word(unit: str) -> str:
    """Make a unit a GIS field name part: letters, digits and ``_`` only (``rail cars`` → ``rail_cars``).

    Examples
    --------
    >>> field_word("rail cars"), field_word("t/day"), field_word("%")
    ('rail_cars', 't_day', 'unit')
    """
    import re

    return re.sub(r"\W+", "_", str(unit)).strip("_") or "unit"


def places_frame(flows: FlowSet) -> Any:
    """One point per place with its flows in and out and its totals per unit.

    Totals are ``volume_out`` / ``volume_in`` columns per unit (``volume_out_tonnes``,
    ``volume_out_rail_cars``: the unit as letters, digits and ``_``, see :func:`field_word`; a
    flow without a unit counts in ``volume_out`` / ``volume_in``); volumes of different units
    are never added together. Places read with a location id (``origin_id``…) keep it in
    ``id``. Flows without a volume count in ``flows_out``/``flows_in`` only.
    The claims about one movement (a ``group``) count once at each place they name, by their
    spread (see :func:`movements`); ``claims_out``/``claims_in`` count the records the flows
    rest on, ``flows_out``/``flows_in`` the movements.

    Examples
    --------
    >>> import geoflows as gf
    >>> p = places_frame(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                                  "volume": 5, "unit": "containers"}]))
    >>> p[["name", "flows_out", "volume_out_containers", "volume_in_containers"]].values.tolist()
    [['Rajin', 1, 5.0, 0.0], ['Vladivostok', 0, 0.0, 5.0]]
    """
    import geopandas as gpd

    from geoflows.schema import best_volume

    g = flows.to_geodataframe()
    g = g[g["origin_lat"].notna() & g["destination_lat"].notna()]
    parts = []
    for end, way in (("origin", "out"), ("destination", "in")):
        # a movement counts once at each place its claims name, however many claims name it
        at = movements(g, [f"{end}_name", f"{end}_lat", f"{end}_lon", "unit"])
        vol = best_volume(at["volume"], at["volume_low"], at["volume_high"])
        g_end = at
        parts.append(
            pd.DataFrame(
                {
                    "name": g_end[f"{end}_name"].astype(str).to_numpy(),
                    "country": g_end[f"{end}_country"].fillna("").astype(str).to_numpy(),
                    "kind": g_end[f"{end}_kind"].fillna("").astype(str).to_numpy(),
                    "lat": g_end[f"{end}_lat"].round(6).to_numpy(),
                    "lon": g_end[f"{end}_lon"].round(6).to_numpy(),
                    "way": way,
                    "unit": g_end["unit"].astype(str).to_numpy(),
                    "volume": vol,
                    "claims": g_end["claims"].to_numpy(),
                    "id": (
                        g_end[f"{end}_id"].astype(object).to_numpy()
                        if f"{end}_id" in g_end.columns
                        else None
                    ),
                }
            )
        )
    long = pd.concat(parts, ignore_index=True)
    key = ["name", "lat", "lon"]
    has_ids = long["id"].notna().any()
    first = long.groupby(key, sort=True)[["country", "kind", *(["id"] if has_ids else [])]].first()
    counts = long.pivot_table(index=key, columns="way", values="unit", aggfunc="size", fill_value=0)
    table = first.join(counts.reindex(columns=["out", "in"], fill_value=0).rename(
        columns={"out": "flows_out", "in": "flows_in"}))  # fmt: skip
    if (long["claims"] > 1).any():
        claims = long.pivot_table(index=key, columns="way", values="claims", aggfunc="sum")
        claims = claims.reindex(columns=["out", "in"]).fillna(0).astype("int64")
        table = table.join(claims.rename(columns={"out": "claims_out", "in": "claims_in"}))
    known = long[np.isfinite(long["volume"])]
    taken = {c.lower() for c in table.columns} | {"name", "lat", "lon", "geometry", "fid"}
    for unit in sorted(set(long["unit"])):
        word = field_word(unit)
        suffix = f"_{word}" if unit else ""
        # GIS column names ignore case: "Tonnes" and "tonnes" must not collide.
        k = 2
        while f"volume_out{suffix}".lower() in taken:
            suffix, k = f"_{word}_{k}", k + 1
        taken |= {f"volume_out{suffix}".lower(), f"volume_in{suffix}".lower()}
        for way in ("out", "in"):
            sel = known[(known["unit"] == unit) & (known["way"] == way)]
            table[f"volume_{way}{suffix}"] = sel.groupby(key)["volume"].sum()
            table[f"volume_{way}{suffix}"] = table[f"volume_{way}{suffix}"].fillna(0.0)
    table = table.reset_index()
    table[["flows_out", "flows_in"]] = table[["flows_out", "flows_in"]].astype("int64")
    for c in ("claims_out", "claims_in"):
        if c in table.columns:
            table[c] = table[c].fillna(0).astype("int64")
    return gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
    )


def write_flowmap_blue(flows: FlowSet, folder: Path) -> Path:
    """Write ``locations.csv`` and ``flows.csv`` into ``folder`` (see :func:`flowmap_blue_tables`).

    Examples
    --------
    >>> import geoflows as gf, tempfile, pathlib
    >>> out = write_flowmap_blue(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]),
    ...                          pathlib.Path(tempfile.mkdtemp()) / "fm")
    >>> sorted(p.name for p in out.iterdir())
    ['flows.csv', 'locations.csv']
    """
    from geoflows.io import neutralize_formulas, write_text_atomic

    locs, rows = (neutralize_formulas(t) for t in flowmap_blue_tables(flows))
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise GeoflowsError(
            f"{folder}: flowmap.blue needs a folder for its two tables (locations.csv, "
            "flows.csv); give a folder path"
        )
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / "locations.csv", locs.to_csv(index=False, lineterminator="\r\n"))
    write_text_atomic(folder / "flows.csv", rows.to_csv(index=False, lineterminator="\r\n"))
    return folder
