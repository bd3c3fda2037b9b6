"""Flows: one record (:class:`Flow`) and the collection (:class:`FlowSet`).

A :class:`FlowSet` is a thin, named wrapper over a GeoDataFrame with one row per flow: the
fields of the data contract, the resolved places (``origin_lat``…), the route actually drawn
(``route_kind``, ``route_note``, ``length_km``) and a LineString geometry in EPSG:4326.
``to_geodataframe()`` and :meth:`FlowSet.from_geodataframe` cross that border without loss.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import FlowValidationError, GeoflowsWarning, warn
from geoflows.schema import (  # best_volume: public here since 0.1
    FLOW_FIELDS,
    GIVEN_ROUTE,
    Problem,
    _stripped_text,
    best_volume,  # noqa: F401
    is_blank,
    line_problems,
    split_list,
)

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geoflows.places import Gazetteer

__all__ = [
    "CRS",
    "GIVEN_END_TOLERANCE_KM",
    "NAME_COORDINATE_TOLERANCE_KM",
    "NEAR_LABEL_LIMIT",
    "Flow",
    "FlowSet",
    "best_volume",
    "concat",
]

CRS = "EPSG:4326"
#: Contract fields a :class:`Flow` holds as attributes; every other column goes to ``extra``.
_FLOW_ATTRIBUTES = frozenset(FLOW_FIELDS) - {
    "group",
    "origin_country",
    "destination_country",
    "start_precision",
    "end_precision",
}


@dataclass(frozen=True, eq=False)
class Flow:
    """One movement: origin → destination, with volume, unit, dates, confidence and sources.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": 1000,
    ...                         "unit": "containers"}])
    >>> f = next(iter(flows))
    >>> f.origin, f.volume, f.unit
    ('Rajin', 1000.0, 'containers')
    """

    id: str
    origin: str
    destination: str
    via: tuple[str, ...] = ()
    volume: float = math.nan
    volume_low: float = math.nan
    volume_high: float = math.nan
    unit: str = ""
    kind: str = ""
    category: str = ""
    mode: str = ""
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    confidence: str = ""
    sources: tuple[str, ...] = ()
    label: str = ""
    notes: str = ""
    length_km: float = math.nan
    route_kind: str = ""
    route_note: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __eq__(self, other: object) -> bool:
        """Compare two flows field by field; two unknown (NaN) volumes are equal."""
        # Unknown volumes are NaN; two unknown volumes are the same record, not different ones.
        if not isinstance(other, Flow):
            return NotImplemented
        mine, theirs = self._key(), other._key()
        return all(
            a == b
            or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
            for a, b in zip(mine, theirs, strict=True)
        )

    def __hash__(self) -> int:
        """Hash the flow by its id."""
        return hash(self.id)

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare)

    @property
    def best_volume(self) -> float:
        """The volume to draw: ``volume``, else the middle of ``volume_low``–``volume_high``.

        Examples
        --------
        >>> Flow("1", "A", "B", volume_low=1000, volume_high=2000).best_volume
        1500.0
        """
        return float(best_volume([self.volume], [self.volume_low], [self.volume_high])[0])


def _saved_places(records: pd.DataFrame, field_: str) -> np.ndarray | None:
    """Places stored in an export's ``<field>_lat/_lon/_name/_country/_kind`` columns."""
    from geoflows.places import Place

    lat_c, lon_c = f"{field_}_lat", f"{field_}_lon"
    if lat_c not in records.columns or lon_c not in records.columns:
        return None
    lat = pd.to_numeric(records[lat_c], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(records[lon_c], errors="coerce").to_numpy(dtype=float)
    valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)

    def column(suffix: str) -> list[Any]:
        c = f"{field_}_{suffix}"
        if c not in records.columns:
            return [None] * len(records)
        return [None if pd.isna(v) or v == "" else str(v) for v in records[c]]

    names, countries, kinds = column("name"), column("country"), column("kind")
    given = records[field_].tolist()
    out = np.empty(len(records), dtype=object)
    for i in np.flatnonzero(valid):
        out[i] = Place(
            names[i] or given[i], float(lat[i]), float(lon[i]), countries[i],
            kinds[i] or "coordinates", "file",
        )  # fmt: skip
    return out


#: A given line whose end lies farther than this from its named place gets a note and a warning.
GIVEN_END_TOLERANCE_KM = 50.0


def _keep_given_lines(given, ok, geometry, kind, note, length, gdf) -> None:
    """Rows whose user gave their own line keep it, as ``route_kind="given"`` (in place).

    The line is the user's evidence and is drawn as it is; where it starts or ends far from the
    place its row names, the row's ``route_note`` says so and one warning lists those rows.
    """
    import shapely

    from geoflows.routes._geometry import distance_km, line_lengths_km

    idx = np.flatnonzero(ok & np.array([g is not None for g in given], dtype=bool))
    if idx.size == 0:
        return
    geometry[idx] = given[idx]
    kind[idx] = GIVEN_ROUTE
    note[idx] = ""
    length[idx] = line_lengths_km(given[idx])
    first = shapely.get_coordinates(shapely.get_point(given[idx], 0))
    last = shapely.get_coordinates(shapely.get_point(given[idx], -1))
    far: list[str] = []
    for end, xy in (("origin", first), ("destination", last)):
        km = distance_km(
            xy[:, 0], xy[:, 1], gdf[f"{end}_lon"].to_numpy()[idx], gdf[f"{end}_lat"].to_numpy()[idx]
        )
        for j in np.flatnonzero(km > GIVEN_END_TOLERANCE_KM):
            i = idx[j]
            text = f"line {'starts' if end == 'origin' else 'ends'} {km[j]:,.0f} km from the {end}"
            note[i] = f"{note[i]}; {text}" if note[i] else text
            far.append(f"{gdf['id'].iat[i]!r} ({text})")
    if far:
        warn(
            f"{len(far)} given line end(s) lie more than {GIVEN_END_TOLERANCE_KM:g} km from the "
            f"place named in their row; the lines are drawn as given: {'; '.join(far[:5])}",
            GeoflowsWarning,
            reason="given_end_far",
        )


#: A place name and coordinates given beside it that lie farther apart than this (km) from
#: every place of that name are reported (a problem, or a warning with ``strict=False``).
NAME_COORDINATE_TOLERANCE_KM = 50.0


def _coordinate_column_problems(records: pd.DataFrame, field_: str, source: str) -> list[Any]:
    """Problems for ``<field>_lat/_lon`` values given but not finite or outside the globe."""
    lat_c, lon_c = f"{field_}_lat", f"{field_}_lon"
    if lat_c not in records.columns and lon_c not in records.columns:
        return []
    n = len(records)
    raw_lat = records[lat_c] if lat_c in records.columns else pd.Series([None] * n)
    raw_lon = records[lon_c] if lon_c in records.columns else pd.Series([None] * n)
    lat = pd.to_numeric(raw_lat, errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(raw_lon, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    given = ~(raw_lat.isna().to_numpy() & raw_lon.isna().to_numpy())
    problems = []
    for i in np.flatnonzero(given & ~valid):
        a, b = raw_lat.iat[i], raw_lon.iat[i]
        if is_blank(a) and is_blank(b):
            continue
        problems.append(
            Problem(
                source,
                int(records["_row"].iat[i]),
                f"{field_}_lat/{field_}_lon",
                f"{a}, {b}",
                "coordinates must be numbers with latitude -90..90 and longitude -180..180 "
                "(both given, or both empty)",
            )
        )
    return problems


def _name_coordinate_mismatches(
    records: pd.DataFrame,
    field_: str,
    saved: np.ndarray,
    looked_up: np.ndarray,
    candidates: list[Any],
    source: str,
) -> list[Any]:
    """Problems for rows whose coordinates lie far from every place the name can mean.

    ``saved`` holds the places from the ``<field>_lat/_lon`` columns, ``looked_up`` the
    gazetteer's best place for the name (or None), ``candidates`` its tied places when the
    name was ambiguous. A name the gazetteer does not know is not compared, nor one an export
    marks as labelling coordinates given (``<field>_kind == "coordinates"``): it was compared,
    and warned about, when first read.
    """
    from geoflows.routes._geometry import distance_km

    both = np.array(
        [
            a is not None and (b is not None or bool(c))
            for a, b, c in zip(saved, looked_up, candidates, strict=True)
        ],
        dtype=bool,
    )
    kind = f"{field_}_kind"
    if kind in records.columns:  # geoflows' own export: "coordinates" were the user's, as given
        both &= records[kind].astype(object).to_numpy() != "coordinates"
    rows = np.flatnonzero(both)
    if rows.size == 0:
        return []
    # The best match first, vectorised; only rows far from it look at the other meanings.
    best = [looked_up[i] if looked_up[i] is not None else candidates[i][0] for i in rows]
    km = distance_km(
        [saved[i].lon for i in rows],
        [saved[i].lat for i in rows],
        [p.lon for p in best],
        [p.lat for p in best],
    )
    problems = []
    for i, d, near in zip(rows, km, best, strict=True):
        if d <= NAME_COORDINATE_TOLERANCE_KM:
            continue
        meanings = [near, *getattr(near, "alternatives", ()), *(candidates[i] or [])]
        dists = distance_km(
            [saved[i].lon] * len(meanings),
            [saved[i].lat] * len(meanings),
            [p.lon for p in meanings],
            [p.lat for p in meanings],
        )
        k = int(np.argmin(dists))
        if dists[k] <= NAME_COORDINATE_TOLERANCE_KM:
            continue
        place = meanings[k]
        problems.append(
            Problem(
                source,
                int(records["_row"].iat[i]),
                field_,
                records[field_].iat[i],
                f"the coordinates given beside it ({saved[i].lat:.4f}, {saved[i].lon:.4f}) are "
                f"{dists[k]:,.0f} km from {place.name}"
                f"{f' ({place.country})' if place.country else ''} at "
                f"({place.lat:.4f}, {place.lon:.4f}), the nearest place of that name (more than "
                f"{NAME_COORDINATE_TOLERANCE_KM:,.0f} km): the coordinates are drawn, labelled "
                "with the name; if they are not the same place, correct the name or the "
                "coordinates",
            )
        )
    return problems


def _check_geometry_range(geoms: np.ndarray, records: pd.DataFrame) -> None:
    """Refuse geometry with non-finite or off-globe vertices (and bad ``*_lat/*_lon`` columns).

    Such numbers hang line simplification (1e308) or overflow integer maths (1e20) later;
    :func:`geoflows.schema.line_problems` is the one check, shared with :func:`read_flows`.
    """
    problems = line_problems(geoms, records["_row"].to_numpy())
    for field_ in ("origin", "destination"):
        problems += _coordinate_column_problems(records, field_, "")
    if problems:
        raise FlowValidationError(problems, "the GeoDataFrame")


def _country_hints(
    records: pd.DataFrame, country: str | None, n: int, n_via: int
) -> str | None | list[str | None]:
    """Give the country hint of every looked-up name.

    ``origin_country`` / ``destination_country`` columns narrow their row's lookup; blank cells
    (and waypoints) use ``country``.
    """
    cols = [f"{f}_country" for f in ("origin", "destination")]
    if not any(c in records.columns for c in cols):
        return country
    out: list[str | None] = []
    for c in cols:
        if c not in records.columns:
            out += [country] * n
            continue
        # whole-column: each cell stripped, a blank one (see is_blank) takes ``country``
        hints = _stripped_text(records[c]).to_numpy(dtype=object, copy=True)
        hints[hints == ""] = country
        out += hints.tolist()
    return out + [country] * n_via


@dataclass
class _Lookups:
    """Every name to look up: origins, destinations, then waypoints.

    Each with its flow's mode (a sea flow to "Vladivostok" may mean the port), row and field.
    """

    n: int
    names: list[Any]
    modes: list[Any]
    via_rows: np.ndarray
    rows_of: np.ndarray
    field_of: np.ndarray

    @classmethod
    def of(cls, records: pd.DataFrame) -> _Lookups:
        from geoflows.schema import split_list

        n = len(records)
        via = records["via"].to_numpy(dtype=object)
        given = np.flatnonzero(pd.notna(via) & (via != ""))
        vias = [split_list(via[i]) for i in given]  # only rows with waypoints
        via_rows = np.repeat(given, [len(v) for v in vias]).astype(int)
        modes = records["mode"].to_numpy(dtype=object).copy()
        modes[modes == ""] = None  # no mode given: the lookup's default
        return cls(
            n,
            records["origin"].tolist() + records["destination"].tolist()
            + [name for vs in vias for name in vs],
            modes.tolist() * 2 + modes[via_rows].tolist(),
            via_rows,
            np.concatenate([np.arange(n), np.arange(n), via_rows]).astype(int),
            np.array(["origin"] * n + ["destination"] * n + ["via"] * len(via_rows), dtype=object),
        )  # fmt: skip


#: The columns of each looked-up name that a flow keeps, with their dtypes.
_PLACE_ATTRS = (("name", object), ("lat", float), ("lon", float), ("country", object),
                ("kind", object), ("near", object), ("former_name", object))  # fmt: skip
#: Coordinate-only places get their "near" label (nearest named place) only up to this many:
#: the label shows on place markers, which a map draws for at most as many places
#: (``marker_limit`` of the renderer), and labelling 100k coordinates would cost more than
#: reading them.
NEAR_LABEL_LIMIT = 5000


def _all_located(records: pd.DataFrame, lookups: Any) -> bool:
    """Whether every place looked up has coordinates given beside it (no waypoints).

    Then a name the gazetteer does not know only labels its coordinates: no suggestion
    (fuzzy matching, most of the time of reading 5,000 located flows) would be used.
    """
    columns = [f"{e}_{c}" for e in ("origin", "destination") for c in ("lat", "lon")]
    if len(lookups.via_rows) or not all(c in records.columns for c in columns):
        return False
    return bool(records[columns].notna().all(axis=None))


def _resolved_ends(
    records: pd.DataFrame, table: pd.DataFrame, n: int, source: str, strict: bool
) -> pd.DataFrame:
    """Put the places an export saved beside the names into the lookup table.

    Exported files carry the resolved places: they are used instead of the names' lookups,
    after checking that they are coordinates at all and agree with the names.
    """
    place, status = table["place"].to_numpy(), table["status"].to_numpy()
    ends = table[["query", "status", "message", *(a for a, _ in _PLACE_ATTRS[:5])]].copy()
    # The notes as the lookup made them, once per distinct name; set as arrays, so that a
    # column of text takes pandas' text dtype (a missing note is NaN) as it always has.
    for attr in ("near", "former_name"):
        ends[attr] = table[attr].to_numpy()
    coordinate_problems: list[Problem] = []
    mismatches: list[Problem] = []
    for j, field_ in enumerate(("origin", "destination")):
        coordinate_problems += _coordinate_column_problems(records, field_, source)
        saved = _saved_places(records, field_)
        if saved is None:
            continue
        part = slice(j * n, (j + 1) * n)
        mismatches += _name_coordinate_mismatches(
            records, field_, saved, np.where(status[part] == "ok", place[part], None),
            table["candidates"].iloc[part].tolist(), source,
        )  # fmt: skip
        has = np.flatnonzero([p is not None for p in saved])
        for attr, _ in _PLACE_ATTRS:
            ends.iloc[j * n + has, ends.columns.get_loc(attr)] = [
                getattr(saved[i], attr) for i in has
            ]
        ends.iloc[j * n + has, ends.columns.get_loc("status")] = "ok"
    if coordinate_problems or (mismatches and strict):
        raise FlowValidationError(
            coordinate_problems + (mismatches if strict else []), source or None
        )
    if mismatches:
        distinct = list({(p.field, p.value): p for p in reversed(mismatches)}.values())[::-1]
        more = f"; and {len(distinct) - 5} more names" if len(distinct) > 5 else ""
        warn(
            f"{len(mismatches)} place name(s) in {len(distinct)} spelling(s) disagree with the "
            "coordinates given beside them; the coordinates are drawn, labelled with the names "
            "(read_flows(..., strict=True), the CLI's --strict or a build input's "
            "strict: true makes this an error): " + "; ".join(str(p) for p in distinct[:5]) + more,
            GeoflowsWarning,
            reason="name_coordinates_disagree",
        )
    return ends


def _unresolved(
    records: pd.DataFrame, lookups: _Lookups, ends: pd.DataFrame, source: str, allow: bool
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Flows with a place that did not resolve, and one row per such name.

    Raises FlowValidationError naming them unless ``allow`` (``allow_unresolved``).
    """
    from geoflows.schema import Problem

    problems: list[Problem] = []
    unresolved_rows: list[dict[str, object]] = []
    bad = np.zeros(lookups.n, dtype=bool)
    row_numbers = records["_row"].to_numpy()
    status, names = ends["status"].to_numpy(), lookups.names
    first_row: dict[tuple[str, str], int] = {}
    for k in np.flatnonzero(status != "ok"):
        i, field_ = int(lookups.rows_of[k]), str(lookups.field_of[k])
        bad[i] = True
        message = str(ends["message"].iat[k])
        # The advice for a name is given once; later rows with the same name point back.
        seen_at = first_row.setdefault((str(names[k]), message), int(row_numbers[i]))
        said = message
        if seen_at != int(row_numbers[i]):
            said = f"same as {'row' if source else 'record'} {seen_at}"
        problems.append(Problem(source, int(row_numbers[i]), field_, names[k], said))
        unresolved_rows.append(
            {"row": int(row_numbers[i]), "field": field_, "value": names[k],
             "status": status[k], "message": message}
        )  # fmt: skip
    if problems and not allow:
        raise FlowValidationError(problems, source or None)
    return bad, unresolved_rows


def _with_places(records: pd.DataFrame, ends: pd.DataFrame, bad: np.ndarray, n: int):
    """Add ``origin_name`` … ``destination_kind`` to the records (empty where unresolved)."""
    gdf = records.drop(columns=["_given"], errors="ignore")
    new = {}
    for j, field_ in enumerate(("origin", "destination")):
        for attr, dtype in _PLACE_ATTRS:
            values = ends[attr].to_numpy()[j * n : (j + 1) * n].astype(dtype)
            if bad.any():
                values = values.copy()
                values[bad] = None if dtype is object else np.nan
            new[f"{field_}_{attr}"] = pd.Series(values, index=gdf.index, dtype=dtype)
    for name in [c for c in new if c in gdf.columns]:  # a column the records have: replaced
        gdf[name] = new.pop(name)
    # The others appended in one step (one insert per column costs more than the values).
    return pd.concat([gdf, pd.DataFrame(new, index=gdf.index)], axis=1)


def _via_points(
    lookups: _Lookups, ends: pd.DataFrame, bad: np.ndarray
) -> dict[int, list[tuple[float, float]]]:
    """Return the waypoints of each flow that has some: ``{row: [(lon, lat), ...]}``.

    Only flows with waypoints have an entry (unresolved flows none): the work is per
    waypoint, not per flow.
    """
    via_pts: dict[int, list[tuple[float, float]]] = {}
    lon, lat = ends["lon"].to_numpy(float), ends["lat"].to_numpy(float)
    for k in range(2 * lookups.n, len(lookups.names)):
        i = int(lookups.rows_of[k])
        if not bad[i]:
            via_pts.setdefault(i, []).append((float(lon[k]), float(lat[k])))
    return via_pts


def _via_text(via_pts: dict[int, list], n: int) -> list[str]:
    """``via_coords``: "lat,lon;lat,lon" per flow ("" without waypoints)."""
    out = [""] * n
    for i, pts in via_pts.items():
        out[i] = ";".join(f"{lat:.6f},{lon:.6f}" for lon, lat in pts)
    return out


#: Routes built by :func:`_lane_routes` in this process (one per distinct lane), for tests
#: and benchmarks that check routes are built per lane, not per row.
ROUTES_BUILT = [0]


def _lane_routes(gdf, idx: np.ndarray, via_pts: dict, via_text: list, route: str):
    """Build one route per distinct lane of the rows ``idx``; return it and each row's lane.

    A lane is (origin, destination, waypoints, mode): rows sharing one get the same geometry
    object, kind, note and length, built and measured once. The fallback warning still names
    every row drawn another way than asked, as if the rows were routed one by one.
    """
    import warnings

    from geoflows.errors import RouteFallbackWarning
    from geoflows.routes import build_routes
    from geoflows.routes._build import _warn_fallbacks

    cols = ["origin_lon", "origin_lat", "destination_lon", "destination_lat"]
    keys = pd.DataFrame({c: gdf[c].to_numpy(float)[idx] for c in cols})
    keys["mode"] = gdf["mode"].to_numpy()[idx]
    keys["via"] = np.asarray(via_text, dtype=object)[idx]
    lane = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = np.unique(lane, return_index=True)[1]  # ngroup numbers lanes in order of first row
    rows = idx[first]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        routes = build_routes(
            keys[cols[0]].to_numpy()[first],
            keys[cols[1]].to_numpy()[first],
            keys[cols[2]].to_numpy()[first],
            keys[cols[3]].to_numpy()[first],
            via=[via_pts.get(i, []) for i in rows.tolist()] if via_pts else None,
            mode=keys["mode"].to_numpy()[first],
            route=route,
            ids=np.arange(len(first)).astype(str),
            dense=False,  # the map needs the endpoints only; to_geodataframe densifies
        )
    ROUTES_BUILT[0] += len(first)
    for w in caught:
        if isinstance(w.message, RouteFallbackWarning):
            failed = np.zeros(len(first), dtype=bool)
            failed[[int(f) for f in getattr(w.message, "flows", ())]] = True
            _warn_fallbacks(routes.route_note[lane], gdf["id"].to_numpy()[idx], failed[lane])
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return routes, lane


def _add_routes(
    gdf, records: pd.DataFrame, via_pts: dict, via_text: list, bad: np.ndarray, route: str
) -> None:
    """Add ``route_kind``, ``route_note``, ``length_km`` and ``geometry`` to ``gdf`` (in place).

    A given line is kept; every other resolved flow is drawn by :func:`build_routes`, its
    geodesics as endpoints only (:meth:`FlowSet._lines` densifies them on demand).
    """
    n = len(gdf)
    given = records["_given"].to_numpy() if "_given" in records.columns else np.full(n, None)
    ok = ~bad
    geometry = np.full(n, None, dtype=object)
    kind = np.full(n, "", dtype=object)
    note = np.full(n, "unresolved place", dtype=object)
    length = np.full(n, np.nan)
    _keep_given_lines(given, ok, geometry, kind, note, length, gdf)
    ok = ok & pd.isna(given)  # given lines are kept as they are
    if ok.any():
        idx = np.flatnonzero(ok)
        routes, lane = _lane_routes(gdf, idx, via_pts, via_text, route)
        # Each row points at its lane's route: one geometry object per distinct lane.
        geometry[idx] = routes.geometry[lane]
        kind[idx] = routes.route_kind[lane]
        note[idx] = routes.route_note[lane]
        length[idx] = routes.length_km[lane]
    gdf["route_kind"] = kind
    gdf["route_note"] = note
    gdf["length_km"] = length
    gdf["geometry"] = geometry


class FlowSet:
    """A collection of flows: a GeoDataFrame with one row per flow, plus the map.

    Build one with :func:`geoflows.read_flows` (a CSV, a DataFrame or a list of dicts) or
    :meth:`from_geodataframe`. In Jupyter it displays as its map.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
    >>> len(flows) > 10
    True
    >>> gdf = flows.to_geodataframe()
    >>> bool(gdf.geometry.geom_type.isin(["LineString", "MultiLineString"]).all())
    True
    """

    def __init__(
        self, gdf: gpd.GeoDataFrame, *, unresolved: pd.DataFrame | None = None, source: str = ""
    ) -> None:
        self._gdf = gdf
        self._dense_lines: np.ndarray | None = None
        self.source = source
        self.unresolved = (
            unresolved
            if unresolved is not None
            else pd.DataFrame(columns=["row", "field", "value", "status", "message"])
        )

    # ------------------------------------------------------------------ construction
    @classmethod
    def _from_records(
        cls,
        records: pd.DataFrame,
        *,
        gazetteer: Gazetteer | None = None,
        country: str | None = None,
        route: str = "auto",
        allow_unresolved: bool = False,
        source: str = "",
        strict: bool = False,
    ) -> FlowSet:
        """Resolve places and build routes for validated records (see :func:`read_flows`)."""
        import geopandas as gpd

        from geoflows.places import Gazetteer

        gaz = gazetteer or Gazetteer.default()
        lookups = _Lookups.of(records)
        # Places (with near labels) only where a name is compared with saved coordinates.
        places = any(f"{f}_lat" in records.columns for f in ("origin", "destination"))
        table = gaz._geocode_table(
            lookups.names,
            _country_hints(records, country, lookups.n, len(lookups.via_rows)),
            mode=lookups.modes,
            places=places,
            suggest=not _all_located(records, lookups),
            notes=NEAR_LABEL_LIMIT,
        )
        ends = _resolved_ends(records, table, lookups.n, source, strict)
        bad, unresolved_rows = _unresolved(records, lookups, ends, source, allow_unresolved)
        gdf = _with_places(records, ends, bad, lookups.n)
        via_pts = _via_points(lookups, ends, bad)
        gdf["via_coords"] = via_text = _via_text(via_pts, lookups.n)
        _add_routes(gdf, records, via_pts, via_text, bad, route)
        out = gpd.GeoDataFrame(gdf, geometry=gdf.pop("geometry").to_numpy(), crs=CRS)
        if unresolved_rows:
            warn(
                f"{int(bad.sum())} flow(s) have unresolved places and are not drawn: "
                + "; ".join(
                    f"row {u['row']} {u['field']} {u['value']!r}" for u in unresolved_rows[:5]
                ),
                GeoflowsWarning,
                reason="unresolved",
            )
        return cls(out, unresolved=pd.DataFrame(unresolved_rows), source=source)

    @classmethod
    def from_geodataframe(cls, gdf: gpd.GeoDataFrame) -> FlowSet:
        """Wrap a GeoDataFrame made by :meth:`to_geodataframe` (or one with the same columns).

        Geometry is kept as given (lines may cross 180° as MultiLineStrings). Columns the
        contract lacks are kept.

        Examples
        --------
        >>> import geoflows as gf
        >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
        >>> len(gf.FlowSet.from_geodataframe(flows.to_geodataframe()))
        1
        """
        import geopandas as gpd

        from geoflows.io import validate_flows
        from geoflows.routes import join_antimeridian

        if not isinstance(gdf, gpd.GeoDataFrame):
            raise TypeError(f"from_geodataframe needs a GeoDataFrame; got {type(gdf).__name__}")
        if gdf.crs is None:
            raise ValueError("the GeoDataFrame has no CRS; set one with gdf.set_crs('EPSG:4326')")
        g = gdf.to_crs(CRS) if gdf.crs.to_epsg() != 4326 else gdf
        records = validate_flows(pd.DataFrame(g.drop(columns=g.geometry.name)))
        _check_geometry_range(g.geometry.to_numpy(), records)
        for c in g.columns:
            if c not in records.columns and c not in FLOW_FIELDS and c != g.geometry.name:
                records[c] = g[c].to_numpy()
        geoms = join_antimeridian(g.geometry.to_numpy())
        return cls(gpd.GeoDataFrame(records, geometry=list(geoms), crs=CRS))

    @classmethod
    def concat(cls, flowsets: Sequence[FlowSet]) -> FlowSet:
        """Join several FlowSets into one (rows in order; unresolved lists joined).

        Examples
        --------
        >>> import geoflows as gf
        >>> a = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
        >>> len(gf.FlowSet.concat([a, a]))
        2
        """
        import geopandas as gpd

        sets = list(flowsets)
        if not sets:
            raise ValueError("concat needs at least one FlowSet")
        gdf = gpd.GeoDataFrame(pd.concat([f._gdf for f in sets], ignore_index=True), crs=CRS)
        unresolved = pd.concat(
            [f.unresolved for f in sets if len(f.unresolved)] or [sets[0].unresolved],
            ignore_index=True,
        )
        sources = [f.source for f in sets if f.source]
        return cls(gdf, unresolved=unresolved, source=", ".join(dict.fromkeys(sources)))

    # ------------------------------------------------------------------ collection
    def __len__(self) -> int:
        """Return the number of flows."""
        return len(self._gdf)

    def __iter__(self) -> Iterator[Flow]:
        """Iterate over the flows as :class:`Flow` records, in order."""
        g = self._gdf
        for rec in g.drop(columns=g.geometry.name).to_dict("records"):
            yield Flow(
                id=str(rec["id"]),
                origin=rec["origin"],
                destination=rec["destination"],
                via=tuple(split_list(rec["via"])),
                volume=rec["volume"],
                volume_low=rec["volume_low"],
                volume_high=rec["volume_high"],
                unit=rec["unit"],
                kind=rec["kind"],
                category=rec["category"],
                mode=rec["mode"],
                start=None if pd.isna(rec["start"]) else rec["start"],
                end=None if pd.isna(rec["end"]) else rec["end"],
                confidence=rec["confidence"],
                sources=tuple(split_list(rec["source"])),
                label=rec["label"],
                notes=rec["notes"],
                length_km=rec["length_km"],
                route_kind=rec["route_kind"],
                route_note=rec.get("route_note") or "",
                extra={k: v for k, v in rec.items() if k not in _FLOW_ATTRIBUTES},
            )

    def __getitem__(self, key: Any) -> Any:
        """One flow by position (a :class:`Flow`), or a FlowSet by mask, positions or slice.

        Examples
        --------
        >>> import geoflows as gf
        >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
        >>> len(flows[flows.to_geodataframe()["kind"] == "visit"]) >= 1
        True
        >>> flows[0].id, flows[-1].id == list(flows)[-1].id, len(flows[:3])
        ('dprk_ru_001', True, 3)
        """
        if isinstance(key, int | np.integer):
            n = len(self._gdf)
            if not -n <= key < n:
                raise IndexError(f"flow position {key} is out of range for {n} flows")
            return next(iter(self[[int(key) % n]]))
        if isinstance(key, (pd.Series, np.ndarray, list)) and np.asarray(key).dtype == bool:
            sub = self._gdf[np.asarray(key)]
        else:
            sub = self._gdf.iloc[key]
        return FlowSet(sub.reset_index(drop=True), unresolved=self.unresolved, source=self.source)

    def __repr__(self) -> str:
        """Show the number of flows and their units."""
        units = sorted(u for u in set(self._gdf["unit"]) if u)
        return f"<FlowSet: {len(self)} flows, units: {', '.join(units) or 'none'}>"

    @property
    def geometry(self) -> gpd.GeoSeries:
        """The drawn lines (longitudes unwrapped: continuous across 180°).

        Examples
        --------
        >>> import geoflows as gf
        >>> gf.read_flows([{"origin": "Vladivostok", "destination": "Anchorage"}]).geometry.iloc[0].bounds[2] > 180
        True
        """
        import geopandas as gpd

        g = self._gdf
        return gpd.GeoSeries(self._lines(), index=g.index, crs=CRS, name=g.geometry.name)

    def _lines(self) -> np.ndarray:
        """Each flow's line, geodesics densified (read_flows keeps only their endpoints).

        Computed once per FlowSet: its frame is not changed after construction.
        """
        if self._dense_lines is None:
            from geoflows.routes import densify_geodesics

            g = self._gdf
            geoms = g.geometry.to_numpy()
            kinds = g["route_kind"].to_numpy() if "route_kind" in g.columns else None
            self._dense_lines = geoms if kinds is None else densify_geodesics(geoms, kinds)
        return self._dense_lines

    def to_geodataframe(
        self, *, split_antimeridian: bool = True, dense: bool = True
    ) -> gpd.GeoDataFrame:
        """One row per flow, every field, LineString geometry, CRS EPSG:4326.

        Parameters
        ----------
        split_antimeridian : bool
            If True (default) a line crossing 180° becomes a MultiLineString split at ±180°
            with all longitudes in [-180, 180] (RFC 7946); if False lines keep the continuous
            (unwrapped) longitudes used for drawing.
        dense : bool
            If True (default) a geodesic has a vertex every 50 km; if False it keeps its two
            endpoints, as :func:`~geoflows.read_flows` stores it and the HTML map takes it (the
            browser draws the curve from its ends).

        Returns
        -------
        geopandas.GeoDataFrame
            A copy; changing it does not change the FlowSet.

        Examples
        --------
        >>> import geoflows as gf
        >>> gdf = gf.read_flows([{"origin": "Vladivostok", "destination": "Anchorage"}]).to_geodataframe()
        >>> gdf.geometry.iloc[0].geom_type, gdf.crs.to_string()
        ('MultiLineString', 'EPSG:4326')
        """
        from geoflows.routes import split_antimeridian as _split

        gdf = self._gdf.drop(columns=["_row"], errors="ignore").copy()
        lines = self._lines() if dense else self._gdf.geometry.to_numpy()
        if split_antimeridian:
            gdf = gdf.set_geometry(list(_split(lines)), crs=CRS)
        elif lines is not self._gdf.geometry.to_numpy():
            gdf = gdf.set_geometry(list(lines), crs=CRS)
        return gdf

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """GeoJSON FeatureCollection of the flows (RFC 7946 geometry).

        Examples
        --------
        >>> import geoflows as gf
        >>> gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]).__geo_interface__["type"]
        'FeatureCollection'
        """
        gdf = self.to_geodataframe()
        for c in ("start", "end"):
            gdf[c] = gdf[c].dt.strftime("%Y-%m-%d").astype(object).where(gdf[c].notna(), None)
        return gdf.__geo_interface__

    # ------------------------------------------------------------------ selection
    def filter(
        self,
        *,
        start: str | None = None,
        end: str | None = None,
        kinds: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        confidence: Sequence[str] | None = None,
        modes: Sequence[str] | None = None,
        units: Sequence[str] | None = None,
    ) -> FlowSet:
        """Keep the flows that match every given condition.

        Parameters
        ----------
        start, end : str, optional
            ISO dates: keep flows active at some time in [start, end]. Undated flows are kept.
        kinds, categories, confidence, modes, units : sequence of str, optional
            Keep flows whose field is one of these values.

        Examples
        --------
        >>> import geoflows as gf
        >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
        >>> set(flows.filter(kinds=["shipment"]).to_geodataframe()["kind"])
        {'shipment'}
        """
        from geoflows.mapoptions import FILTER_VOCABULARIES as VOCABULARIES
        from geoflows.style import confidence_level

        kinds = _choices("kinds", kinds, VOCABULARIES["kinds"])
        modes = _choices("modes", modes, VOCABULARIES["modes"])
        confidence = _choices("confidence", confidence, VOCABULARIES["confidence"])
        g = self._gdf
        keep = np.ones(len(g), dtype=bool)
        for column, allowed in (
            ("kind", kinds),
            ("category", _choices("categories", categories)),
            ("mode", modes),
            ("unit", _choices("units", units)),
        ):
            if allowed is not None:
                keep &= g[column].isin(allowed).to_numpy()
        if confidence is not None:
            levels = np.array([confidence_level(c) for c in g["confidence"]])
            keep &= np.isin(levels, confidence)
        fs, fe = g["start"], g["end"].fillna(g["start"])
        if start is not None:
            keep &= (fe.isna() | (fe >= pd.Timestamp(start))).to_numpy()
        if end is not None:
            keep &= (fs.isna() | (fs <= pd.Timestamp(end))).to_numpy()
        return self[keep]

    def aggregate(
        self, by: Sequence[str] | str | None = None, *, period: str | None = None
    ) -> FlowSet:
        """Combine the flows of each lane, unit (and period) into one flow.

        Rules: volumes are summed only within one unit (``unit`` is always part of the key,
        with ``origin`` and ``destination``); records sharing a ``group`` are claims about one
        movement, which counts once, as its spread (lowest claim to highest claim, an open
        bound kept open), never as the sum of its claims; movements are summed as low and high;
        movements without a volume are counted in ``n_volume_unknown``, not taken as zero (a
        group with any has only a lower bound, ``volume_low``); sources are merged without
        duplicates; ``n_records`` counts the records (the claims a total rests on) and
        ``n_movements`` the movements added; confidence is the weakest of the group; ``start``
        and ``end`` span the group; ids are a hash of the group's key. A lane is keyed by the
        resolved places (their gazetteer names), not by the spelling. Each group keeps the
        places and the line of its first flow. A flow whose records are all claims of one
        ``group`` keeps that ``group``: a group whose claims name two ports of loading is one
        flow per lane, each one movement, and the kept ``group`` lets the map draw them as
        lines of one movement and the places layer count it once where they meet.

        Parameters
        ----------
        by : sequence of str, optional
            More fields to group by (``kind``, ``category``, ``mode`` or your own columns).
        period : {None, "W", "M", "Q", "Y"}
            Also group by week (from Monday), month, quarter or year of ``start``.

        Returns
        -------
        FlowSet
            One flow per group, with ``n_records``, ``n_movements``, ``n_volume_unknown``
            (and ``period``).

        See Also
        --------
        geoflows.aggregate_flows : the same on Dask, for records that do not fit in memory.

        Examples
        --------
        >>> import geoflows as gf
        >>> flows = gf.read_flows([
        ...     {"origin": "Rajin", "destination": "Vladivostok", "volume": 10, "unit": "t"},
        ...     {"origin": "Rajin", "destination": "Vladivostok", "volume": 5, "unit": "t"},
        ...     {"origin": "Rajin", "destination": "Vladivostok", "volume": 2, "unit": "ships"}])
        >>> flows.aggregate().to_geodataframe()[["unit", "volume", "n_records"]].values.tolist()
        [['ships', 2.0, 1], ['t', 15.0, 2]]
        >>> claims = gf.read_flows([
        ...     {"origin": "Rajin", "destination": "Vladivostok", "volume": v, "unit": "troops",
        ...      "group": "one movement"} for v in (8000, 11000)])
        >>> row = claims.aggregate().to_geodataframe().iloc[0]
        >>> float(row["volume_low"]), float(row["volume_high"])
        (8000.0, 11000.0)
        >>> int(row["n_records"]), int(row["n_movements"])
        (2, 1)
        """
        from geoflows.aggregate import aggregate_flowset

        return aggregate_flowset(self, by, period)

    # ------------------------------------------------------------------ output
    def to_folium(self, m: folium.Map | None = None, **options: Any) -> folium.Map:
        """Draw the flows on a folium Map (a new one, or ``m``) and return it.

        The flows are one overlay layer (:class:`~geoflows.render.FlowLayer`):
        ``folium.LayerControl()`` lists it by its ``name`` and ticks it on and off. Several
        FlowSets drawn on one map (``m=``) share one basemap and one first view; each has its
        own legend, filter and slider, headed by its name.

        Parameters
        ----------
        m : folium.Map, optional
            Draw onto this map instead of a new one.
        **options
            Map options (``title``, ``tiles``, ``scale``, ``color_by``, ...), each listed once in
            :data:`geoflows.mapoptions.MAP_OPTIONS`; the layer's ``name`` (default: the
            ``title``, else ``"Flows"``), ``show``, ``overlay`` and ``control``; and, for a new
            map, folium.Map's own arguments (``zoom_control``, ``prefer_canvas``,
            ``min_zoom``, ``max_bounds``, ``width``, ``control_scale``, ...: the list is
            :data:`geoflows.render.FOLIUM_MAP_ARGUMENTS`). ``location`` or ``zoom_start``
            set the first view instead of fitting it to the flows.

        Returns
        -------
        folium.Map

        Raises
        ------
        OptionError
            For a bad value of an option.
        UnknownOptionError
            A ``TypeError`` too: for a name none of these is, suggesting the closest.

        Examples
        --------
        >>> import folium, geoflows as gf
        >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
        >>> m = flows.to_folium(tiles=None, zoom_control=False, prefer_canvas=True)
        >>> page = m.get_root().render()
        >>> type(m).__name__, '"zoomControl": false' in page, '"preferCanvas": true' in page
        ('Map', True, True)
        >>> grain = gf.read_flows([{"origin": "Odesa", "destination": "Istanbul"}])
        >>> _ = grain.to_folium(m=m, name="Grain")
        >>> _ = folium.LayerControl().add_to(m)
        >>> '"Grain" : flow_layer_1' in m.get_root().render()
        True
        """
        from geoflows.render import flow_map

        return flow_map(self._gdf, m=m, **_map_options(options, "to_folium", folium=True))

    def to_html(self, **options: Any) -> str:
        """Return the map as one self-contained HTML page (same flows and options → same bytes).

        Takes what :meth:`to_folium` takes for a new map.

        Examples
        --------
        >>> import geoflows as gf
        >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
        >>> html = flows.to_html(tiles=None)
        >>> html.startswith("<!DOCTYPE html>")
        True
        >>> '"scrollWheelZoom": false' in flows.to_html(scroll_wheel_zoom=False)
        True
        """
        from geoflows.render import map_html

        return map_html(self._gdf, **_map_options(options, "to_html", folium=True))

    def save_map(self, path: str | os.PathLike, **options: Any) -> Path:
        """Save the map as a self-contained HTML file (written atomically).

        With the default ``assets="inline"`` the page needs no network but for map tiles.
        Takes what :meth:`to_folium` takes for a new map: the map options and folium.Map's
        own arguments.

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> out = gf.read_flows("data/dprk_russia_2023_2024.csv").save_map(
        ...     pathlib.Path(tempfile.mkdtemp()) / "map.html", tiles=None, min_zoom=2)
        >>> out.stat().st_size > 100_000, '"minZoom": 2' in out.read_text()
        (True, True)
        """
        from geoflows._files import write_text_atomic

        html = self.to_html(**_map_options(options, "save_map", folium=True))
        return write_text_atomic(path, html)

    def _repr_html_(self) -> str:
        from geoflows.render import notebook_html

        return notebook_html(self._gdf)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Return the notebook display: live map, a plain summary and a picture of the flows.

        Viewers that cannot run the map (untrusted notebooks, static viewers) show the picture
        or the summary instead of nothing; see :data:`geoflows.options`.

        Examples
        --------
        >>> import geoflows as gf
        >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
        >>> print(flows._repr_mimebundle_()["text/plain"])
        1 flow between 2 places; units: (no unit) (1 flow); undated; places: Rajin, Vladivostok.
        """
        from geoflows.render._notebook import notebook_bundle

        # The map takes the frame as stored, the picture the lines as plot() draws them.
        return notebook_bundle(self._gdf, unresolved=self.unresolved, lines=self.to_geodataframe())

    def to_file(
        self,
        path: str | os.PathLike,
        *,
        driver: str | None = None,
        format: str | None = None,
        layer: str | None = None,
    ) -> Path:
        """Write the flows to GeoJSON, GeoPackage, GeoParquet, CSV, flowmap.blue or kepler.gl.

        See :func:`geoflows.write_flows` for ``format`` and ``layer``.

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
        >>> flows.to_file(pathlib.Path(tempfile.mkdtemp()) / "f.geojson").suffix
        '.geojson'
        """
        from geoflows.io import write_flows

        return write_flows(self, path, driver=driver, format=format, layer=layer)

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw the flows as a print-ready matplotlib map (see :func:`geoflows.render.plot_flows`).

        Land, sea and borders in a projection chosen from the extent, places named without
        overlaps, a scale bar, the legend beside or under the map, a title and a sources line.

        Examples
        --------
        >>> import matplotlib; matplotlib.use("Agg")
        >>> import geoflows as gf
        >>> ax = gf.read_flows("data/dprk_russia_2023_2024.csv").plot()
        >>> len(ax.collections) > 0, ax.get_xticks().size
        (True, 0)
        """
        from geoflows.render import plot_flows

        options = _map_options(options, "plot", static=True, also=("ax",))
        return plot_flows(self.to_geodataframe(), ax=ax, **options)

    def save_png(self, path: str | os.PathLike, *, dpi: int = 150, **options: Any) -> Path:
        r"""Save :meth:`plot` as a PNG (for reports and slides).

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> p = gf.read_flows("data/dprk_russia_2023_2024.csv").save_png(pathlib.Path(tempfile.mkdtemp()) / "m.png")
        >>> p.read_bytes()[:4] == b"\x89PNG"
        True
        """
        return self._save_figure(path, dpi=dpi, **_map_options(options, "save_png", static=True))

    def save_svg(self, path: str | os.PathLike, **options: Any) -> Path:
        """Save :meth:`plot` as an SVG.

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> p = gf.read_flows("data/dprk_russia_2023_2024.csv").save_svg(pathlib.Path(tempfile.mkdtemp()) / "m.svg")
        >>> b"<svg" in p.read_bytes()
        True
        """
        return self._save_figure(path, **_map_options(options, "save_svg", static=True))

    def save_pdf(self, path: str | os.PathLike, **options: Any) -> Path:
        """Save :meth:`plot` as a PDF for print (vector; no dates in the file).

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> p = gf.read_flows("data/dprk_russia_2023_2024.csv").save_pdf(pathlib.Path(tempfile.mkdtemp()) / "m.pdf")
        >>> p.read_bytes()[:5]
        b'%PDF-'
        """
        return self._save_figure(path, **_map_options(options, "save_pdf", static=True))

    def _save_figure(self, path: str | os.PathLike, dpi: int = 150, **options: Any) -> Path:
        import matplotlib.pyplot as plt

        ax = self.plot(**options)
        from geoflows._files import atomic_output

        p = Path(path)
        try:
            # No creation date or version in the file: the same flows give the same bytes.
            metadata = {
                ".png": {"Software": None},
                ".svg": {"Date": None, "Creator": None},
                ".pdf": {"CreationDate": None, "Creator": None, "Producer": None},
            }.get(p.suffix.lower())
            with atomic_output(p) as tmp, plt.rc_context({"svg.hashsalt": "geoflows"}):
                ax.figure.savefig(tmp, dpi=dpi, bbox_inches="tight", metadata=metadata)
        finally:
            plt.close(ax.figure)
        return p


def _map_options(
    options: dict[str, Any],
    door: str,
    *,
    static: bool = False,
    also: tuple[str, ...] = (),
    folium: bool = False,
) -> dict[str, Any]:
    """Check ``options`` against :data:`MAP_OPTIONS` for the method ``door``.

    With ``folium``, folium.Map's own arguments and FlowLayer's are kept for the map maker.
    """
    from geoflows.mapoptions import MAP_OPTIONS

    if static and door.startswith("save_png"):
        also = (*also, "dpi")
    keep: tuple[str, ...] = ()
    if folium:
        from geoflows.render import FOLIUM_MAP_ARGUMENTS, LAYER_ARGUMENTS

        keep = LAYER_ARGUMENTS + FOLIUM_MAP_ARGUMENTS
    return MAP_OPTIONS.check(options, door=door, static=static, also=also, keep=keep)


def _choices(
    name: str, values: str | Sequence[str] | None, allowed: Sequence[str] | None = None
) -> list[str] | None:
    """``values`` as a list (a bare string is a list of one), checked against ``allowed``."""
    import difflib

    from geoflows.errors import OptionError

    if values is None:
        return None
    out = [values] if isinstance(values, str) else list(values)
    for value in out if allowed is not None else ():
        if value not in allowed:
            close = difflib.get_close_matches(str(value).lower(), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            valid = ", ".join(repr(a) for a in allowed)
            raise OptionError(f"unknown {name} value {value!r}{hint} (valid: {valid})")
    return out


def concat(flowsets: Sequence[FlowSet]) -> FlowSet:
    """Join several FlowSets into one; see :meth:`FlowSet.concat`.

    Examples
    --------
    >>> import geoflows as gf
    >>> a = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    >>> len(gf.concat([a, a]))
    2
    """
    return FlowSet.concat(flowsets)
