"""Flows: one record (:class:`Flow`) and the collection (:class:`FlowSet`).

A :class:`FlowSet` is a thin, named wrapper over a GeoDataFrame with one row per flow: the
fields of the data contract, the resolved places (``origin_lat``…), the route actually drawn
(``route_kind``, ``route_note``, ``length_km``) and a LineString geometry in EPSG:4326.
``to_geodataframe()`` and :meth:`FlowSet.from_geodataframe` cross that border without loss.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import FlowValidationError, GeoflowsWarning

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geoflows.places import Gazetteer

CRS = "EPSG:4326"


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
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def __eq__(self, other: object) -> bool:
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


def _country_hints(
    records: pd.DataFrame, country: str | None, n: int, n_via: int
) -> str | None | list[str | None]:
    """Country hint of every looked-up name: ``origin_country`` / ``destination_country``
    columns narrow their row's lookup; blank cells (and waypoints) use ``country``."""
    cols = [f"{f}_country" for f in ("origin", "destination")]
    if not any(c in records.columns for c in cols):
        return country
    out: list[str | None] = []
    for c in cols:
        if c not in records.columns:
            out += [country] * n
            continue
        out += [country if _is_blank_hint(v) else str(v).strip() for v in records[c].tolist()]
    return out + [country] * n_via


def _is_blank_hint(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or not str(value).strip()
        or (isinstance(value, float) and np.isnan(value))
    )


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
    ) -> FlowSet:
        """Resolve places and build routes for validated records (see :func:`read_flows`)."""
        import geopandas as gpd

        from geoflows.io import Problem, split_list
        from geoflows.places import geocode_all
        from geoflows.routes import build_routes

        n = len(records)
        vias = [split_list(v) for v in records["via"]]
        row_modes = records["mode"].tolist()
        # One lookup table for every name: origins, destinations, then waypoints, each with
        # its flow's mode (a sea flow to "Vladivostok" may mean the port).
        via_rows = np.repeat(np.arange(n), [len(v) for v in vias])
        names = (
            records["origin"].tolist()
            + records["destination"].tolist()
            + [name for vs in vias for name in vs]
        )
        modes = row_modes * 2 + [row_modes[i] for i in via_rows]
        rows_of = np.concatenate([np.arange(n), np.arange(n), via_rows]).astype(int)
        field_of = ["origin"] * n + ["destination"] * n + ["via"] * len(via_rows)
        table = geocode_all(
            names,
            country=_country_hints(records, country, n, len(via_rows)),
            mode=[m or None for m in modes],
            gazetteer=gazetteer,
        )
        place = np.empty(len(names), dtype=object)
        place[:] = table["place"].tolist()
        status = np.array(table["status"].tolist(), dtype=object)
        # Exported files carry the resolved places: use them instead of the names' lookups.
        for j, field_ in enumerate(("origin", "destination")):
            saved = _saved_places(records, field_)
            if saved is not None:
                has = np.array([p is not None for p in saved], dtype=bool)
                place[j * n + np.flatnonzero(has)] = saved[has]
                status[j * n + np.flatnonzero(has)] = "ok"
        problems: list[Problem] = []
        unresolved_rows: list[dict[str, object]] = []
        bad = np.zeros(n, dtype=bool)
        row_numbers = records["_row"].tolist()
        first_row: dict[tuple[str, str], int] = {}
        for k in np.flatnonzero(status != "ok"):
            i, field_ = int(rows_of[k]), field_of[k]
            bad[i] = True
            message = str(table["message"].iat[k])
            # The advice for a name is given once; later rows with the same name point back.
            seen_at = first_row.setdefault((str(names[k]), message), int(row_numbers[i]))
            said = message
            if seen_at != int(row_numbers[i]):
                said = f"same as {'row' if source else 'record'} {seen_at}"
            problems.append(Problem(source, int(row_numbers[i]), field_, names[k], said))
            unresolved_rows.append(
                {
                    "row": int(row_numbers[i]),
                    "field": field_,
                    "value": names[k],
                    "status": status[k],
                    "message": message,
                }
            )
        if problems and not allow_unresolved:
            raise FlowValidationError(problems, source or None)

        gdf = records.copy()
        for j, field_ in enumerate(("origin", "destination")):
            ends = place[j * n : (j + 1) * n]
            for attr, dtype in (("name", object), ("lat", float), ("lon", float),
                                ("country", object), ("kind", object)):  # fmt: skip
                values = [None if b else getattr(p, attr) for p, b in zip(ends, bad, strict=True)]
                gdf[f"{field_}_{attr}"] = pd.Series(values, dtype=dtype)
        via_pts: list[list[tuple[float, float]]] = [[] for _ in range(n)]
        for k in range(2 * n, len(names)):
            i = int(rows_of[k])
            if not bad[i]:
                via_pts[i].append((place[k].lon, place[k].lat))
        gdf["via_coords"] = [
            ";".join(f"{lat:.6f},{lon:.6f}" for lon, lat in pts) for pts in via_pts
        ]
        ok = ~bad
        geometry = np.full(n, None, dtype=object)
        kind = np.full(n, "", dtype=object)
        note = np.full(n, "unresolved place", dtype=object)
        length = np.full(n, np.nan)
        if ok.any():
            idx = np.flatnonzero(ok)
            routes = build_routes(
                gdf["origin_lon"].to_numpy()[idx],
                gdf["origin_lat"].to_numpy()[idx],
                gdf["destination_lon"].to_numpy()[idx],
                gdf["destination_lat"].to_numpy()[idx],
                via=[via_pts[i] for i in idx],
                mode=gdf["mode"].to_numpy()[idx],
                route=route,
                ids=gdf["id"].to_numpy()[idx],
            )
            geometry[idx] = routes.geometry
            kind[idx] = routes.route_kind
            note[idx] = routes.route_note
            length[idx] = routes.length_km
        gdf["route_kind"] = kind
        gdf["route_note"] = note
        gdf["length_km"] = length
        out = gpd.GeoDataFrame(gdf, geometry=list(geometry), crs=CRS)
        if unresolved_rows:
            warnings.warn(
                f"{int(bad.sum())} flow(s) have unresolved places and are not drawn: "
                + "; ".join(
                    f"row {u['row']} {u['field']} {u['value']!r}" for u in unresolved_rows[:5]
                ),
                GeoflowsWarning,
                stacklevel=3,
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

        from geoflows.io import FLOW_FIELDS, validate_flows
        from geoflows.routes import join_antimeridian

        if not isinstance(gdf, gpd.GeoDataFrame):
            raise TypeError(f"from_geodataframe needs a GeoDataFrame; got {type(gdf).__name__}")
        if gdf.crs is None:
            raise ValueError("the GeoDataFrame has no CRS; set one with gdf.set_crs('EPSG:4326')")
        g = gdf.to_crs(CRS) if gdf.crs.to_epsg() != 4326 else gdf
        records = validate_flows(pd.DataFrame(g.drop(columns=g.geometry.name)))
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
        return len(self._gdf)

    def __iter__(self) -> Iterator[Flow]:
        from geoflows.io import FLOW_FIELDS, split_list

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
                extra={k: v for k, v in rec.items() if k not in FLOW_FIELDS},
            )

    def __getitem__(self, key: Any) -> FlowSet:
        """Select flows with a boolean mask or positions, keeping a FlowSet.

        Examples
        --------
        >>> import geoflows as gf
        >>> flows = gf.read_flows("data/dprk_russia_2023_2024.csv")
        >>> len(flows[flows.to_geodataframe()["kind"] == "visit"]) >= 1
        True
        """
        if isinstance(key, (pd.Series, np.ndarray, list)) and np.asarray(key).dtype == bool:
            sub = self._gdf[np.asarray(key)]
        else:
            sub = self._gdf.iloc[key]
        return FlowSet(sub.reset_index(drop=True), unresolved=self.unresolved, source=self.source)

    def __repr__(self) -> str:
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
        return self._gdf.geometry

    def to_geodataframe(self, *, split_antimeridian: bool = True) -> gpd.GeoDataFrame:
        """One row per flow, every field, LineString geometry, CRS EPSG:4326.

        Parameters
        ----------
        split_antimeridian : bool
            If True (default) a line crossing 180° becomes a MultiLineString split at ±180°
            with all longitudes in [-180, 180] (RFC 7946); if False lines keep the continuous
            (unwrapped) longitudes used for drawing.

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
        if split_antimeridian:
            gdf = gdf.set_geometry(list(_split(gdf.geometry.to_numpy())), crs=CRS)
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
        from geoflows.style import confidence_level

        g = self._gdf
        keep = np.ones(len(g), dtype=bool)
        for column, allowed in (
            ("kind", kinds),
            ("category", categories),
            ("mode", modes),
            ("unit", units),
        ):
            if allowed is not None:
                keep &= g[column].isin(list(allowed)).to_numpy()
        if confidence is not None:
            levels = np.array([confidence_level(c) for c in g["confidence"]])
            keep &= np.isin(levels, list(confidence))
        fs, fe = g["start"], g["end"].fillna(g["start"])
        if start is not None:
            keep &= (fe.isna() | (fe >= pd.Timestamp(start))).to_numpy()
        if end is not None:
            keep &= (fs.isna() | (fs <= pd.Timestamp(end))).to_numpy()
        return self[keep]

    # ------------------------------------------------------------------ output
    def to_folium(self, m: folium.Map | None = None, **options: Any) -> folium.Map:
        """Draw the flows on a folium Map (a new one, or ``m``) and return it.

        Parameters
        ----------
        m : folium.Map, optional
            Draw onto this map instead of a new one.
        **options
            Map options, see :func:`geoflows.render.flow_map`: ``title``, ``tiles``, ``scale``,
            ``min_width``, ``max_width``, ``color_by``, ``palette``, ``time_slider``, ``at``,
            ``assets``, ``height``, ``markers``.

        Returns
        -------
        folium.Map

        Examples
        --------
        >>> import geoflows as gf
        >>> m = gf.read_flows("data/dprk_russia_2023_2024.csv").to_folium(tiles=None)
        >>> type(m).__name__
        'Map'
        """
        from geoflows.render import flow_map

        return flow_map(self, m=m, **options)

    def to_html(self, **options: Any) -> str:
        """The map as one self-contained HTML page (same flows and options → same bytes).

        Examples
        --------
        >>> import geoflows as gf
        >>> html = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}]).to_html(tiles=None)
        >>> html.startswith("<!DOCTYPE html>")
        True
        """
        from geoflows.render import map_html

        return map_html(self, **options)

    def save_map(self, path: str | os.PathLike, **options: Any) -> Path:
        """Save the map as a self-contained HTML file (written atomically).

        With the default ``assets="inline"`` the page needs no network but for map tiles.

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> out = gf.read_flows("data/dprk_russia_2023_2024.csv").save_map(
        ...     pathlib.Path(tempfile.mkdtemp()) / "map.html", tiles=None)
        >>> out.stat().st_size > 100_000
        True
        """
        from geoflows.io import write_text_atomic

        return write_text_atomic(path, self.to_html(**options))

    def _repr_html_(self) -> str:
        from geoflows.render import notebook_html

        return notebook_html(self)

    def to_file(self, path: str | os.PathLike, *, driver: str | None = None) -> Path:
        """Write the flows to GeoJSON, GeoPackage, GeoParquet or CSV (see :func:`write_flows`).

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
        >>> flows.to_file(pathlib.Path(tempfile.mkdtemp()) / "f.geojson").suffix
        '.geojson'
        """
        from geoflows.io import write_flows

        return write_flows(self, path, driver=driver)

    def plot(self, ax: Any = None, **options: Any) -> Any:
        """Draw the flows on a static matplotlib figure (widths, colours, legends).

        Examples
        --------
        >>> import matplotlib; matplotlib.use("Agg")
        >>> import geoflows as gf
        >>> ax = gf.read_flows("data/dprk_russia_2023_2024.csv").plot()
        >>> len(ax.lines) > 0
        True
        """
        from geoflows.render import plot_flows

        return plot_flows(self, ax=ax, **options)

    def save_png(self, path: str | os.PathLike, *, dpi: int = 150, **options: Any) -> Path:
        """Save :meth:`plot` as a PNG (for reports and slides).

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> p = gf.read_flows("data/dprk_russia_2023_2024.csv").save_png(pathlib.Path(tempfile.mkdtemp()) / "m.png")
        >>> p.read_bytes()[:4] == b"\\x89PNG"
        True
        """
        return self._save_figure(path, dpi=dpi, **options)

    def save_svg(self, path: str | os.PathLike, **options: Any) -> Path:
        """Save :meth:`plot` as an SVG.

        Examples
        --------
        >>> import geoflows as gf, tempfile, pathlib
        >>> p = gf.read_flows("data/dprk_russia_2023_2024.csv").save_svg(pathlib.Path(tempfile.mkdtemp()) / "m.svg")
        >>> b"<svg" in p.read_bytes()
        True
        """
        return self._save_figure(path, **options)

    def _save_figure(self, path: str | os.PathLike, dpi: int = 150, **options: Any) -> Path:
        import matplotlib.pyplot as plt

        ax = self.plot(**options)
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.name}.tmp{p.suffix}")
        try:
            # No creation date or version in the file: the same flows give the same bytes.
            metadata = {
                ".png": {"Software": None},
                ".svg": {"Date": None, "Creator": None},
                ".pdf": {"CreationDate": None, "Creator": None, "Producer": None},
            }.get(p.suffix.lower())
            with plt.rc_context({"svg.hashsalt": "geoflows"}):
                ax.figure.savefig(tmp, dpi=dpi, bbox_inches="tight", metadata=metadata)
            os.replace(tmp, p)
        finally:
            tmp.unlink(missing_ok=True)
            plt.close(ax.figure)
        return p


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
