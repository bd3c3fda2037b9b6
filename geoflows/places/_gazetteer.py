"""The :class:`Gazetteer`: names to :class:`Place` objects, offline, with ranked misses and ties."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geoflows.errors import AmbiguousPlace, GeocodeError, GeoflowsError, PlaceNotFound
from geoflows.places._normalize import fold_name, normalize_name
from geoflows.places._place import Place, parse_coordinates

if TYPE_CHECKING:
    from geoflows.places._index import Index
    from geoflows.places._online import OnlineGeocoder

#: A city wins outright when its weight (population, x10 for a national capital) is at least this
#: many times the runner-up's. See docs/gazetteer.md.
DOMINANCE_RATIO = 5.0
#: Weight multiplier of a national capital.
CAPITAL_BONUS = 10.0
#: A curated site lying this close to a same-named city is "the same place" as the city.
SAME_PLACE_KM = 50.0
#: A city of fewer people is a *small place*: under a country hint, its primary name alone does
#: not make it the answer over a comparable namesake far away (rule 5, docs/gazetteer.md).
SMALL_PLACE_POP = 10_000
#: Site kinds that fit a flow's mode.
MODE_KINDS: dict[str, frozenset[str]] = {
    "sea": frozenset({"port"}),
    "rail": frozenset({"rail_station", "rail_crossing"}),
    "air": frozenset({"airfield"}),
    "road": frozenset({"depot", "base"}),
}
#: Order among curated rows that beat cities (lower first).
_CURATED_ORDER = {"country": 0, "region": 1}
_TIER_SCORE = {0: 100.0, 1: 95.0, 2: 85.0}
#: Latin-script names of this many characters or fewer resolve only by a main name, a curated
#: alias or a code (never by a GeoNames alternate name or folding); see docs/gazetteer.md.
SHORT_NAME_MAX = 4
#: Kinds a query's type word asks for ("X Oblast", "X air base", "Port of X").
_FORM_KINDS = {
    "region": frozenset({"region"}),
    "airfield": frozenset({"airfield", "base"}),
    "port": frozenset({"port"}),
}
#: Where a name in Chinese characters may be looked up by its pinyin.
_CHINESE_COUNTRIES = frozenset({"CN", "TW", "HK", "MO"})
#: A gazetteer CSV larger than this is refused unless ``max_bytes`` says otherwise.
GAZETTEER_MAX_BYTES = 50_000_000
_MAX_ALTERNATIVES = 10
_MAX_CANDIDATES = 10


class GazetteerFileError(GeoflowsError, ValueError):
    """Rows of an analyst's gazetteer file broke the rules; ``problems`` lists every one.

    Examples
    --------
    >>> from geoflows.places import GazetteerFileError
    >>> issubclass(GazetteerFileError, ValueError)
    True
    """

    def __init__(self, problems: list[str], source: str):
        self.problems = list(problems)
        self.source = source
        lines = [f"{len(self.problems)} problem(s) in gazetteer {source}:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


def _read_gazetteer_rows(path: Path, max_bytes: int | None) -> list[tuple[str, dict]]:
    """Read a gazetteer CSV into ``(where, row)`` pairs, every bad line reported at once.

    The file passes :func:`geoflows._files.read_input_bytes` first (a regular file, within the
    size limit: ``max_bytes``, or geoflows' input limit when it is None).
    """
    from geoflows._files import read_input_bytes
    from geoflows.errors import InputFileError

    try:
        raw = read_input_bytes(path, what="gazetteer", max_bytes=max_bytes)
        text = raw.decode("utf-8-sig")
    except InputFileError as exc:
        raise GazetteerFileError([str(exc)], str(path)) from None
    except UnicodeDecodeError as exc:
        raise GazetteerFileError(
            [f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start}); re-save it as UTF-8"],
            str(path),
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise _csv_error(path, 1, exc) from None
    fields = [c.strip() for c in (header or [])]
    missing = [c for c in ("name", "lat", "lon") if c not in fields]
    if missing:
        raise GazetteerFileError(
            [f"{path}:1: missing required column(s) {missing}; found {fields}"], str(path)
        )
    return _gazetteer_rows(reader, fields, path)


def _csv_error(path: Path, line: int, exc: csv.Error) -> GazetteerFileError:
    return GazetteerFileError(
        [
            f"{path}:{line}: cannot be read as CSV ({exc}); check quoting (a field that opens "
            "a quote must close it)"
        ],
        str(path),
    )


def _gazetteer_rows(reader: Any, fields: list[str], path: Path) -> list[tuple[str, dict]]:
    """Return the data rows after the header; a row with too many fields is a problem."""
    problems: list[str] = []
    rows = []
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader, None)
        except csv.Error as exc:
            raise _csv_error(path, start, exc) from None
        if values is None:
            break
        where, start = f"{path}:{start}", reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(fields):
            problems.append(
                f"{where}: {len(values)} fields but the header has {len(fields)} "
                f"(extra: {values[len(fields) :]!r}); quote a value that holds a comma"
            )
            continue
        rows.append((where, dict(zip(fields, values, strict=False))))
    if problems:
        raise GazetteerFileError(problems, str(path))
    return rows


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


class _Cand:
    """A candidate during ranking: a Place plus how it matched."""

    __slots__ = ("place", "tier", "weight", "user", "capital", "bulk")

    def __init__(
        self, place: Place, tier: int, weight: float, user: bool, capital: bool, bulk=False
    ):
        self.place, self.tier, self.weight, self.user, self.capital, self.bulk = (
            place,
            tier,
            weight,
            user,
            capital,
            bulk,
        )


_DEFAULT: Gazetteer | None = None
_DEFAULT_LOCK = threading.Lock()


def _as_list(value: Any, n: int, what: str) -> list:
    if value is None or isinstance(value, str):
        return [value] * n
    out = list(value)
    if len(out) != n:
        raise ValueError(f"{what} has {len(out)} values but names has {n}; give one or {n}")
    return out


_RESULT_COLUMNS = (
    "query", "status", "place", "name", "lat", "lon", "country", "kind", "score",
    "runner_up", "suggestions", "candidates", "message",
)  # fmt: skip


def _fresh_lists(lists: list[list]) -> np.ndarray:
    """Wrap ``lists`` in a 1-D object array (numpy would make a 2-D array of them)."""
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def _distinct_queries(names: list, country: Any, mode: Any) -> tuple[np.ndarray, list[tuple]]:
    """Return each (name, country, mode) once, and each row's index into that list."""
    n = len(names)
    countries = _as_list(country, n, "country")
    modes = _as_list(mode, n, "mode")
    scalar = (
        False,
        country is None or isinstance(country, str),
        mode is None or isinstance(mode, str),
    )
    try:  # hash passes in C instead of a Python loop; a scalar needs none
        parts = [
            (np.zeros(n, dtype=np.int64), 1) if one else _factorize(v, n)
            for v, one in zip((names, countries, modes), scalar, strict=True)
        ]
    except (TypeError, ValueError):  # unhashable, nested or NaN input: the loop below
        return _distinct_loop(names, countries, modes)
    key = np.zeros(n, dtype=np.int64)
    for codes, size in parts:
        key = key * max(size, 1) + codes
    codes = np.asarray(pd.factorize(key)[0], dtype=np.int64)
    first = np.unique(codes, return_index=True)[1] if n else codes
    return codes, [(names[i], countries[i], modes[i]) for i in first.tolist()]


def _factorize(values: list, n: int) -> tuple[np.ndarray, int]:
    """Return codes and the number of distinct values; ValueError where a dict would differ."""
    import pyarrow as pa

    try:  # text and None only (the common case): Arrow's hash table, about twice as fast
        text = pa.array(values, type=pa.string())
    except (pa.ArrowException, TypeError, ValueError):  # other values, or a lone surrogate
        text = None
    if text is not None:
        encoded = text.dictionary_encode()
        k = len(encoded.dictionary)  # None gets code k
        return encoded.indices.fill_null(k).to_numpy().astype(np.int64), k + 1
    arr = np.asarray(values, dtype=object).reshape(n)
    missing = pd.isna(arr)
    if missing.any() and any(v is not None for v in arr[missing]):
        raise ValueError("NaN is not None: a dict keeps them apart, factorize does not")
    codes, uniques = pd.factorize(arr, use_na_sentinel=False)
    return codes, len(uniques)


def _distinct_loop(names: list, countries: list, modes: list) -> tuple[np.ndarray, list[tuple]]:
    codes = np.empty(len(names), dtype=np.int64)
    seen: dict[tuple, int] = {}
    distinct: list[tuple] = []
    for i, trip in enumerate(zip(names, countries, modes, strict=True)):
        try:
            j = seen.get(trip)
        except TypeError:  # unhashable input: resolve it on its own
            j = None
            trip = (str(trip[0]), trip[1], trip[2])
        if j is None:
            j = len(distinct)
            try:
                seen[trip] = j
            except TypeError:
                pass
            distinct.append(trip)
        codes[i] = j
    return codes, distinct


def _at_most_distinct(values: np.ndarray, limit: int) -> bool:
    """Whether ``values`` hold at most ``limit`` distinct values, hashed a chunk at a time.

    Stops at the first chunk that passes the limit: a million distinct names are not all
    hashed to learn that there are more than a few thousand.
    """
    seen: set = set()
    chunk = 4 * max(limit, 1)
    for start in range(0, len(values), chunk):
        seen.update(pd.unique(values[start : start + chunk]).tolist())
        if len(seen) > limit:
            return False
    return True


def _results_frame(columns: dict[str, np.ndarray], codes: np.ndarray, n: int) -> pd.DataFrame:
    """Build one row per name (index 0..n-1) from the distinct results and each row's code."""
    index = pd.RangeIndex(n)
    # object dtype keeps None (not NaN) for missing text under pandas' string inference
    df = pd.DataFrame(
        {
            c: pd.Series(v[codes] if n else v[:0], index=index, dtype=object)
            for c, v in columns.items()
        }
    )
    for c in ("lat", "lon", "score"):
        df[c] = df[c].astype("float64")
    return df


class Gazetteer:
    """Offline gazetteer: GeoNames cities (cities500), countries, curated sites, your own rows.

    Use :meth:`default` for the shared, lazily loaded instance, :meth:`from_csv` /
    :meth:`from_records` to layer your own places over it, and :meth:`with_online` to fall back
    on an explicit :class:`OnlineGeocoder`.

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.places import Gazetteer
    >>> g = Gazetteer.default()
    >>> g.geocode("Vladivostok").country
    'RU'
    >>> g.geocode("Nampo", mode="sea").kind
    'port'
    """

    def __init__(
        self,
        index: Index | None = None,
        *,
        user: dict[str, list[Place]] | None = None,
        user_folded: dict[str, list[Place]] | None = None,
        online: OnlineGeocoder | None = None,
    ):
        self._index = index
        self._user: dict[str, list[Place]] = dict(user or {})
        self._user_folded: dict[str, list[Place]] = dict(user_folded or {})
        self._online = online
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ construction
    @property
    def index(self) -> Index:
        """The loaded place index (loaded from the disk cache on first use).

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> len(Gazetteer.default().index.names) > 200_000
        True
        """
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from geoflows.places._index import Index, load_or_build

                    self._index = Index(load_or_build())
        return self._index

    @classmethod
    def default(cls) -> Gazetteer:
        """Return the process-wide gazetteer built from the disk cache (loaded lazily).

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> Gazetteer.default() is Gazetteer.default()
        True
        """
        global _DEFAULT
        if _DEFAULT is None:
            with _DEFAULT_LOCK:
                if _DEFAULT is None:
                    _DEFAULT = cls()
        return _DEFAULT

    @classmethod
    def clear_default(cls) -> None:
        """Forget the shared instance (the next :meth:`default` reloads the cache).

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> Gazetteer.clear_default()
        """
        global _DEFAULT
        with _DEFAULT_LOCK:
            _DEFAULT = None

    def _layer(self, places: list[tuple[Place, list[str]]], *, base: Gazetteer | None) -> Gazetteer:
        base = base if base is not None else Gazetteer.default()
        new: dict[str, list[Place]] = {}
        new_folded: dict[str, list[Place]] = {}
        for p, names in places:
            for n in names:
                k = normalize_name(n)
                if k:
                    lst = new.setdefault(k, [])
                    if p not in lst:
                        lst.append(p)
                    fl = new_folded.setdefault(fold_name(k), [])
                    if p not in fl:
                        fl.append(p)
        user = {**base._user, **new}
        folded = {**base._user_folded, **new_folded}
        return Gazetteer(base._index_or_none(), user=user, user_folded=folded, online=base._online)

    def _index_or_none(self) -> Index | None:
        # Share the loaded index, or keep it lazy by sharing the default's loader.
        if self._index is not None:
            return self._index
        return Gazetteer.default().index if self is not Gazetteer.default() else self.index

    @classmethod
    def from_records(
        cls,
        records: list[dict],
        *,
        base: Gazetteer | None = None,
        source: str = "records",
    ) -> Gazetteer:
        """Layer your own places (dicts with ``name, lat, lon`` and optional fields) over ``base``.

        Optional keys: ``aliases`` (``;``-separated text or a list), ``country`` (ISO2),
        ``kind`` (default ``'custom'``), ``source``, ``notes``, ``id``. Your rows take precedence
        over every other place with the same normalised name.

        Parameters
        ----------
        records : list of dict
        base : Gazetteer, optional
            Defaults to :meth:`default`.
        source : str
            Name used in error messages and as the default ``source`` of the places.

        Returns
        -------
        Gazetteer

        Raises
        ------
        GazetteerFileError
            Listing every bad row (``source:row N: field 'lat' value ...: rule``).

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> g = Gazetteer.from_records([{"name": "Depot 7", "lat": 47.1, "lon": 37.5}])
        >>> g.geocode("depot 7").latlon
        (47.1, 37.5)
        """
        rows = [(f"{source}:row {i + 1}", rec) for i, rec in enumerate(records)]
        return cls._from_rows(rows, base=base, source=source)

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        base: Gazetteer | None = None,
        max_bytes: int | None = GAZETTEER_MAX_BYTES,
    ) -> Gazetteer:
        r"""Layer the places of your CSV file over ``base`` (default :meth:`default`).

        Columns ``name, lat, lon`` are required; ``aliases`` (``;``-separated), ``country``
        (ISO2), ``kind``, ``source``, ``notes`` and ``id`` are optional. Your rows win over every
        other place with the same normalised name.

        Parameters
        ----------
        path : str or Path
            A regular file (not a directory, device or pipe).
        base : Gazetteer, optional
        max_bytes : int or None
            Refuse larger files (default ``GAZETTEER_MAX_BYTES``, 50 MB); ``None`` for geoflows'
            limit on every input file (``GEOFLOWS_MAX_INPUT_MB``, default 2 GiB).

        Returns
        -------
        Gazetteer

        Raises
        ------
        GazetteerFileError
            One error listing every bad row as ``file:line: field 'lat' value 'abc': must be a
            number between -90 and 90``; also for a row with more fields than the header (an
            unquoted comma), a field longer than the csv module allows, a file that is not a
            regular file or is larger than ``max_bytes``.

        Examples
        --------
        >>> import tempfile, os
        >>> from geoflows.places import Gazetteer
        >>> d = tempfile.mkdtemp(); f = os.path.join(d, "mine.csv")
        >>> _ = open(f, "w").write("name,lat,lon,aliases\nDepot 7,47.1,37.5,D7;Depot Seven\n")
        >>> Gazetteer.from_csv(f).geocode("Depot Seven").lat
        47.1
        """
        rows = _read_gazetteer_rows(Path(path), max_bytes)
        return cls._from_rows(rows, base=base, source=str(path))

    @classmethod
    def _from_rows(
        cls, rows: list[tuple[str, dict]], *, base: Gazetteer | None, source: str
    ) -> Gazetteer:
        problems: list[str] = []
        places = []
        for where, rec in rows:
            name = str(rec.get("name") or "").strip()
            bad = False
            if not name:
                problems.append(
                    f"{where}: field 'name' value {rec.get('name')!r}: must not be empty"
                )
                bad = True
            coords = {}
            for fld, lim in (("lat", 90), ("lon", 180)):
                raw = rec.get(fld)
                try:
                    val = float(raw)
                    ok = math.isfinite(val) and -lim <= val <= lim
                except (TypeError, ValueError):
                    ok = False
                if not ok:
                    problems.append(
                        f"{where}: field '{fld}' value {str(raw if raw is not None else '')!r}: "
                        f"must be a number between -{lim} and {lim}"
                    )
                    bad = True
                else:
                    coords[fld] = val
            country = str(rec.get("country") or "").strip().upper() or None
            if country is not None and (len(country) != 2 or not country.isalpha()):
                problems.append(
                    f"{where}: field 'country' value {rec.get('country')!r}: "
                    "must be an ISO 3166-1 alpha-2 code such as 'KP'"
                )
                bad = True
            if bad:
                continue
            aliases = rec.get("aliases") or []
            if isinstance(aliases, str):
                aliases = aliases.split(";")
            kind = str(rec.get("kind") or "").strip() or "custom"
            pid = str(rec.get("id") or "").strip() or where
            place = Place(
                name,
                coords["lat"],
                coords["lon"],
                country,
                kind,
                str(rec.get("source") or "").strip() or source,
                None,
                pid,
            )
            places.append((place, [name, *[a for a in aliases if str(a).strip()]]))
        if problems:
            raise GazetteerFileError(problems, source)
        g = base if base is not None else Gazetteer.default()
        return g._layer(places, base=g)

    def with_online(self, online: OnlineGeocoder) -> Gazetteer:
        """Return a copy of this gazetteer that asks ``online`` when a name is not found offline.

        Examples
        --------
        >>> from geoflows.places import Gazetteer, OnlineGeocoder
        >>> class Fake:
        ...     def geocode(self, query, **kw):
        ...         return None
        >>> g = Gazetteer.default().with_online(OnlineGeocoder(user_agent="doc", geocoder=Fake(),
        ...     cache_path=":memory:"))
        >>> g.geocode("Rajin").country
        'KP'
        """
        return Gazetteer(
            self._index_or_none(), user=self._user, user_folded=self._user_folded, online=online
        )

    # ------------------------------------------------------------------ lookups
    def country_code(self, hint: str | None) -> str | None:
        """ISO2 code of a country hint (ISO2, ISO3 or a name/variant), or ``None`` for no hint.

        Raises
        ------
        GeocodeError
            When the hint names no country.

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> g = Gazetteer.default()
        >>> [g.country_code(h) for h in ("UA", "UKR", "Ukraine", "DPRK", "Türkiye")]
        ['UA', 'UA', 'UA', 'KP', 'TR']
        """
        if hint is None or (isinstance(hint, float) and math.isnan(hint)):
            return None
        text = str(hint).strip()
        if not text:
            return None
        ix = self.index
        for r, _t in ix.exact(normalize_name(text)):
            if ix.kind[r] == 1:
                return str(ix.country[r])
        if len(text) == 2 and text.isalpha():
            return text.upper()
        raise GeocodeError(
            f"Unknown country hint {hint!r}: give an ISO 3166-1 code ('KP', 'PRK') or a country "
            "name ('North Korea')."
        )

    def near_labels(self, lat, lon) -> list[str]:
        """Labels ``"Rajin (KP), 3 km"`` naming the nearest place to each point (vectorised).

        Each distinct point is looked up once, in one KD-tree query, and each distinct
        (place, distance) label written once, however many times the points repeat.

        Parameters
        ----------
        lat, lon : float or array-like
            WGS 84 degrees.

        Returns
        -------
        list of str

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> Gazetteer.default().near_labels([42.24], [130.3])
        ['Rajin (KP), 1 km']
        """
        from geoflows.places._coords import distinct_pairs

        lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        # One KD-tree query over the distinct points, one label per distinct (place, km).
        point, first = distinct_pairs(lat, lon)
        ix = self.index
        rows, km = ix.nearest(lat[first], lon[first])
        whole = np.where(km < 0.5, -1.0, np.rint(km))  # rint rounds half to even, as :.0f
        label, once = distinct_pairs(rows, whole)
        texts = np.empty(len(once), dtype=object)
        for j, i in enumerate(once.tolist()):
            r, d = int(rows[i]), float(whole[i])
            cc = str(ix.country[r])
            dist = "<1 km" if d < 0 else f"{d:.0f} km"
            texts[j] = f"{ix.names[r]} ({cc}), {dist}" if cc else f"{ix.names[r]}, {dist}"
        return texts[label][point].tolist()

    def _with_near(self, place: Place) -> Place:
        if place.kind != "coordinates" or place.near is not None:
            return place
        return dataclasses.replace(place, near=self.near_labels(place.lat, place.lon)[0])

    def _row_place(self, r: int) -> Place:
        ix = self.index
        kind = _kind_name(int(ix.kind[r]))
        pop = int(ix.pop[r])
        return Place(
            ix.names[r],
            float(ix.lat[r]),
            float(ix.lon[r]),
            str(ix.country[r]) or None,
            kind,
            ix.source(r),
            pop if (pop or kind in ("city", "country")) else None,
            ix.idents[r],
        )

    def _candidates(self, key: str, cc: str | None, query: str = "") -> list[_Cand]:
        ix = self.index
        users = [p for p in self._user.get(key, []) if cc is None or p.country in (cc, None)]
        if users:
            return [_Cand(p, 0, 0.0, True, False) for p in users]
        short = _is_short(key)
        hits = ix.exact(key)
        if short:
            hits = [(r, t) for r, t in hits if t == 0]
        if not hits and _has_cjk(key):
            hits = [h for k in _chinese_variants(key) for h in ix.exact(k)]
            if not hits:
                hits = self._pinyin_hits(key)
        if not hits and not short:
            hits = [(r, 2) for r in ix.folded(fold_name(key))]
            users = [
                p
                for p in self._user_folded.get(fold_name(key), [])
                if cc is None or p.country in (cc, None)
            ]
            if users:
                return [_Cand(p, 2, 0.0, True, False) for p in users]
        out = []
        for r, tier in hits:
            if cc is not None and ix.country[r] != cc:
                continue
            cap = bool(ix.capital[r])
            w = float(ix.pop[r]) * (CAPITAL_BONUS if cap else 1.0)
            out.append(_Cand(self._row_place(r), tier, w, False, cap, bool(ix.bulk[r])))
        if short and query and not query.isascii() and out:
            # Accent twins: "Wé" (New Caledonia) is not "Hue"; for a short name, a main name
            # written with the same accents beats one that only matches once they are stripped.
            raw = _accent_key(query)
            same = [c for c in out if _accent_key(c.place.name) == raw]
            if same:
                out = same
        return out

    def _suggestions(self, key: str, cc: str | None, limit: int = 5) -> list[tuple[str, float]]:
        from rapidfuzz import fuzz, process

        keys, rows, ctry = self.index.suggest_pool()
        user_keys = [
            k for k, ps in self._user.items() if cc is None or any(p.country == cc for p in ps)
        ]
        if cc is not None:
            import numpy as np

            sel = np.flatnonzero(ctry == cc)
            pool_keys = [keys[i] for i in sel]
            pool_rows = rows[sel]
        else:
            pool_keys, pool_rows = keys, rows
        choices = user_keys + pool_keys
        res = process.extract(
            key, choices, scorer=fuzz.ratio, limit=limit * 8, score_cutoff=60, processor=None
        )
        scored = []
        for _k, score, i in res:
            if i < len(user_keys):
                p = self._user[user_keys[i]][0]
                scored.append((score, 1e12, p.name))
            else:
                r = int(pool_rows[i - len(user_keys)])
                exact = fuzz.ratio(key, _k)
                scored.append(
                    (score + exact / 100.0, float(self.index.pop[r]), str(self._row_place(r)))
                )
        scored.sort(key=lambda t: (-round(t[0]), -t[1]))
        out: list[tuple[str, float]] = []
        seen = set()
        for score, _pop, label in scored:
            if label not in seen:
                seen.add(label)
                out.append((label, score))
            if len(out) == limit:
                break
        return out

    def _resolve(self, name: str, cc: str | None, mode: str | None) -> tuple[Place, float]:
        key = normalize_name(name)
        cands = self._candidates(key, cc, name) if key else []
        if not cands and key:
            cands = self._form_candidates(key, cc)
        if not cands:
            if key and _is_short(key):
                self._short_miss(name, key, cc)
            return self._miss(name, key, cc)
        # A user-given country hint that names a country means "something in it".
        if cc is not None and any(c.place.kind != "country" for c in cands):
            cands = [c for c in cands if c.place.kind != "country"]
        try:
            place, score = _rank(name, cands, cc, mode, hinted=cc is not None)
        except _Unsure as unsure:
            place, score = self._hinted_small_place(name, key, cc, mode, unsure, cands)
        return _with_former_name(place, key), score

    def _hinted_small_place(
        self, name: str, key: str, cc: str | None, mode: str | None, unsure: _Unsure, cands: list
    ) -> tuple[Place, float]:
        """Keep a hinted small-place answer only if the name alone gives it (rule 5).

        Inside the hinted country, rule 5 would pick a small place (a primary-name match
        beside comparable alternate-name matches far away). Without the hint the name must
        resolve to that same place (within :data:`SAME_PLACE_KM`); if it is ambiguous or
        names a place elsewhere, the hinted answer is a guess: a tie, with the candidates.
        """
        p = unsure.winner.place
        try:
            alone, _ = _rank(name, self._candidates(key, None, name), None, mode)
        except AmbiguousPlace:
            alone = None
        if alone is not None and _haversine_km(p.lat, p.lon, alone.lat, alone.lon) <= SAME_PLACE_KM:
            return _win(unsure.winner, cands)
        return _ambiguous(name, unsure.contenders, cands, cc)

    def _pinyin_hits(self, key: str) -> list[tuple[int, int]]:
        """Places in China, Taiwan, Hong Kong or Macau listed only in pinyin: 常熟 -> Changshu.

        A transliteration match, so it ranks as a folded one (tier 2).
        """
        try:
            from pypinyin import lazy_pinyin
        except ImportError:  # pragma: no cover - pypinyin is a core dependency
            return []
        ix = self.index
        latin = "".join(lazy_pinyin(key))
        if not latin.isascii() or not latin.isalpha():
            return []
        rows = [r for r, _t in ix.exact(latin)] or ix.folded(fold_name(latin))
        return [(r, 2) for r in rows if str(ix.country[r]) in _CHINESE_COUNTRIES]

    def _form_candidates(self, key: str, cc: str | None) -> list[_Cand]:
        """Candidates of "X Oblast", "X air base", "Port of X": X among places of that kind."""
        from geoflows.places._index import AIRFIELD_WORDS, PORT_WORDS, REGION_WORDS, strip_words

        for form, words in (
            ("airfield", AIRFIELD_WORDS),
            ("port", PORT_WORDS),
            ("region", REGION_WORDS),
        ):
            stem = strip_words(key, words, leading=form != "airfield")
            if stem and len(stem) > 1:
                kinds = _FORM_KINDS[form]
                cands = [c for c in self._candidates(stem, cc) if c.place.kind in kinds]
                if cands:
                    return cands
        return []

    def _short_miss(self, name: str, key: str, cc: str | None) -> None:
        """Raise a miss naming the alternates for a short name found only among alternate names."""
        ix = self.index
        alts = [
            self._row_place(r)
            for r, t in ix.exact(key)
            if t != 0 and (cc is None or ix.country[r] == cc)
        ]
        if not alts:
            return
        alts.sort(key=lambda p: -(p.population or 0))
        labels = list(dict.fromkeys(str(p) for p in alts))[:5]
        raise PlaceNotFound(
            f"No place has {name!r} as its main name or code (country={cc!r}); names of "
            f"{SHORT_NAME_MAX} characters or fewer are not resolved through alternate names, "
            f"which match: {', '.join(labels)}. Write the full name, add a country hint, or "
            "give coordinates.",
            query=name,
            suggestions=[_strip_cc(x) for x in labels],
        )

    def _miss(self, name: str, key: str, cc: str | None) -> tuple[Place, float]:
        online_note = ""
        if self._online is not None and key:
            place = self._online.geocode(name, cc)
            if place is not None:
                return place, 80.0
            online_note = f" The online geocoder ({self._online.provider}) found nothing either."
        sugg = self._suggestions(key, cc) if key and getattr(self, "_suggest", True) else []
        labels = [s for s, _ in sugg]
        did = f" Did you mean: {', '.join(labels)}?" if labels else ""
        msg = (
            f"No place named {name!r} (country={cc!r}).{did}{online_note} Give coordinates as "
            "'lat, lon' or add the place to your own gazetteer (Gazetteer.from_csv)."
        )
        raise PlaceNotFound(msg, query=name, suggestions=[_strip_cc(s) for s in labels])

    def geocode(
        self, name: str | Place, country: str | None = None, *, mode: str | None = None
    ) -> Place:
        """Resolve one name (or ``"lat, lon"``, or a Place) to a :class:`Place`.

        Parameters
        ----------
        name : str or Place
            A place name in any script, ``"lat, lon"``, or a Place (returned as is).
        country : str, optional
            Country hint: ISO2, ISO3 or a name ("UA", "UKR", "Ukraine", "DPRK").
        mode : str, optional
            The flow's mode (``sea``, ``rail``, ``air``, ``road``): a curated site whose kind
            fits it (port for sea, rail station/crossing for rail) beats a same-named city.

        Returns
        -------
        Place
            With ``alternatives`` holding the candidates it beat.

        Raises
        ------
        PlaceNotFound
            With up to 5 ``suggestions``.
        AmbiguousPlace
            With the tied ``candidates``; add ``country=``.

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> g = Gazetteer.default()
        >>> g.geocode("Donetsk").country, g.geocode("Donetsk", country="RU").country
        ('UA', 'RU')
        >>> g.geocode("Moscow").alternatives[0].country
        'US'
        """
        if isinstance(name, Place):
            return name
        if not isinstance(name, str):
            raise PlaceNotFound(
                f"Place name must be text, got {type(name).__name__} {name!r}.", query=str(name)
            )
        coords = parse_coordinates(name)
        if coords is not None:
            return self._with_near(coords)
        cc = self.country_code(country)
        return self._resolve(name, cc, _mode(mode))[0]

    def geocode_all(
        self,
        names: Iterable[str | Place],
        country: str | Sequence[str | None] | None = None,
        *,
        mode: str | Sequence[str | None] | None = None,
    ) -> pd.DataFrame:
        """Resolve many names at once; each distinct (name, country, mode) is resolved once.

        Never raises for a bad name: the row says ``not_found`` or ``ambiguous`` and why.

        Parameters
        ----------
        names : sequence of str or Place
        country, mode : str or sequence, optional
            A scalar for every name or a sequence aligned with ``names``.

        Returns
        -------
        pandas.DataFrame
            One row per name (same order, index 0..n-1): ``query, status, place, name, lat,
            lon, country, kind, score, runner_up, suggestions, candidates, message``.

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> df = Gazetteer.default().geocode_all(["Rajin", "Vladivostk", "Springfield"])
        >>> list(df.status)
        ['ok', 'not_found', 'ambiguous']
        """
        return self._geocode_table(names, country, mode)

    def _geocode_table(
        self,
        names: Iterable[Any],
        country: Any = None,
        mode: Any = None,
        *,
        places: bool = True,
        suggest: bool = True,
        notes: int | None = None,
    ) -> pd.DataFrame:
        """Resolve names as :meth:`geocode_all` does.

        With ``places=False`` names given as decimal coordinates get no Place (``place``,
        ``candidates`` and ``suggestions`` are None, no near label): read_flows needs only
        their columns. With ``suggest=False`` a name not found gets no suggestions (they are
        never shown). With ``notes`` the table also has ``near`` and ``former_name`` (see
        :meth:`_notes`). Every distinct (name, country, mode) is resolved and noted once.
        """
        names = list(names)
        codes, distinct = _distinct_queries(names, country, mode)
        self._suggest = suggest
        try:
            columns = self._resolve_distinct(distinct, places)
        finally:
            self._suggest = True
        if notes is not None:
            columns["near"], columns["former_name"] = self._notes(columns, notes)
        return _results_frame(columns, codes, len(names))

    def _notes(self, columns: dict[str, np.ndarray], near_limit: int) -> tuple[np.ndarray, ...]:
        """Return ``near`` and ``former_name`` of each distinct result (columns of one row each).

        A Place carries its own; coordinates resolved without a Place (``places=False``) get
        their near label here, in one query, when they are at most ``near_limit`` distinct
        names.
        """
        place = columns["place"]
        near = np.full(len(place), None, dtype=object)
        former = np.full(len(place), None, dtype=object)
        has = np.flatnonzero(~pd.isna(place))
        near[has] = [getattr(place[i], "near", None) for i in has.tolist()]
        former[has] = [getattr(place[i], "former_name", None) for i in has.tolist()]
        bare = np.flatnonzero(
            (columns["status"] == "ok") & (columns["kind"] == "coordinates") & pd.isna(place)
        )
        if bare.size and _at_most_distinct(columns["name"][bare], near_limit):
            lat, lon = columns["lat"][bare].astype(float), columns["lon"][bare].astype(float)
            # the built-in gazetteer names bare coordinates, as read_flows always has
            near[bare] = Gazetteer.default().near_labels(lat, lon)
        return near, former

    def _resolve_distinct(self, distinct: list[tuple], places: bool) -> dict[str, np.ndarray]:
        """Resolve each distinct (name, country, mode) once; one object array per column.

        Names in the common ``"lat, lon"`` form are parsed column-wise and labelled with
        their nearest place in one query; every other name is resolved on its own.
        """
        from geoflows.places._coords import _decimal_pairs

        k = len(distinct)
        lat, lon, fast = _decimal_pairs([t[0] for t in distinct])
        columns = {c: np.empty(k, dtype=object) for c in _RESULT_COLUMNS}
        at = np.flatnonzero(fast)
        if at.size:
            queries = [distinct[i][0] for i in at]
            rows = self._coordinate_rows(queries, lat[at], lon[at], places)
            for c in _RESULT_COLUMNS:
                columns[c][at] = rows[c]
        slow = np.flatnonzero(~fast)
        if slow.size:
            results = self._add_near([self._resolve_row(*distinct[i]) for i in slow])
            for ci, c in enumerate(_RESULT_COLUMNS):
                columns[c][slow] = [r[ci] for r in results]
        return columns

    def _coordinate_rows(
        self, queries: list, lat: np.ndarray, lon: np.ndarray, with_places: bool = True
    ) -> dict:
        """Build the result columns of names that are decimal coordinates (parsed, checked)."""
        m = len(queries)
        # one name per distinct query; printf-style is the quickest of Python's formats here
        names = ["%g, %g" % yx for yx in zip(lat.tolist(), lon.tolist(), strict=True)]  # noqa: UP031
        places = np.full(m, None, dtype=object)
        if with_places:
            near = self.near_labels(lat, lon)
            places[:] = [
                Place(name, y, x, None, "coordinates", "coordinates", None, f"coordinates:{name}",
                      near=label)
                for name, y, x, label in zip(
                    names, lat.tolist(), lon.tolist(), near, strict=True
                )
            ]  # fmt: skip
        return {
            "query": queries,
            "status": "ok",
            "place": places,
            "name": names,
            "lat": lat,
            "lon": lon,
            "country": None,
            "kind": "coordinates",
            "score": 100.0,
            "runner_up": None,
            # without places, nothing reads them (a list each would cost more than the rest)
            "suggestions": _fresh_lists([[] for _ in range(m)]) if with_places else None,
            "candidates": _fresh_lists([[p] for p in places]) if with_places else None,
            "message": "",
        }

    def _add_near(self, results: list[tuple]) -> list[tuple]:
        """Give every coordinate-only result its ``near`` label, in one nearest-place query."""
        at = [i for i, r in enumerate(results) if r[1] == "ok" and r[2].kind == "coordinates"]
        if not at:
            return results
        labels = self.near_labels([results[i][4] for i in at], [results[i][5] for i in at])
        out = list(results)
        for i, label in zip(at, labels, strict=True):
            place = dataclasses.replace(out[i][2], near=label)
            row = list(out[i])
            row[2] = place
            row[11] = [place]
            out[i] = tuple(row)
        return out

    def _resolve_row(self, name: Any, country: Any, mode: Any) -> tuple:
        query = name if isinstance(name, str) else str(name)
        try:
            if isinstance(name, Place):
                place, score = name, 100.0
            elif not isinstance(name, str) or not name.strip():
                raise PlaceNotFound(f"Empty or missing place name {name!r}.", query=query)
            else:
                coords = parse_coordinates(name)
                if coords is not None:
                    place, score = coords, 100.0
                else:
                    place, score = self._resolve(name, self.country_code(country), _mode(mode))
        except AmbiguousPlace as e:
            c = e.candidates
            return (
                query, "ambiguous", None, None, math.nan, math.nan, None, None,
                e.score if hasattr(e, "score") else 0.0,
                str(c[1]) if len(c) > 1 else None,
                [str(p) for p in c], list(c), str(e),
            )  # fmt: skip
        except GeocodeError as e:
            sugg = list(getattr(e, "suggestions", []))
            return (
                query, "not_found", None, None, math.nan, math.nan, None, None, 0.0,
                None, sugg, [], str(e),
            )  # fmt: skip
        alts = place.alternatives
        return (
            query, "ok", place, place.name, place.lat, place.lon, place.country, place.kind,
            score, _runner_up(alts[0]) if alts else None, [], [place, *alts], "",
        )  # fmt: skip

    def search(self, text: str, limit: int = 10, country: str | None = None) -> list[Place]:
        """Places whose names are closest to ``text`` (exact matches first, then fuzzy).

        Parameters
        ----------
        text : str
        limit : int
        country : str, optional
            Country hint restricting the search.

        Returns
        -------
        list of Place

        Examples
        --------
        >>> from geoflows.places import Gazetteer
        >>> [p.name for p in Gazetteer.default().search("Vladivostok", limit=1)]
        ['Vladivostok']
        """
        from rapidfuzz import fuzz, process

        cc = self.country_code(country)
        key = normalize_name(text)
        out: list[Place] = []
        seen: set[str] = set()

        def add(p: Place) -> None:
            if p.id not in seen and (cc is None or p.country == cc):
                seen.add(p.id)
                out.append(p)

        for c in sorted(self._candidates(key, cc), key=lambda c: (c.tier, -c.weight)):
            add(c.place)
        if len(out) < limit:
            keys, rows, ctry = self.index.suggest_pool()
            if cc is not None:
                import numpy as np

                sel = np.flatnonzero(ctry == cc)
                keys = [keys[i] for i in sel]
                rows = rows[sel]
            res = process.extract(
                key, keys, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=50, processor=None
            )
            res.sort(key=lambda t: (-round(t[1]), -int(self.index.pop[rows[t[2]]])))
            for _k, _s, i in res:
                add(self._row_place(int(rows[i])))
        return out[:limit]


def _is_short(key: str) -> bool:
    """Tell whether ``key`` is a short Latin-script name (a code, an initialism, a village).

    Short means ``SHORT_NAME_MAX`` characters or fewer. Names in other scripts are not short in
    this sense: 평양 is Pyongyang.
    """
    return len(key) <= SHORT_NAME_MAX and key.isascii()


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _chinese_variants(key: str) -> list[str]:
    """Simplified and traditional forms of a Chinese name (OpenCC), other than ``key``."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a core dependency
        return []
    out = []
    for config in ("t2s", "s2t"):
        conv = _OPENCC.get(config)
        if conv is None:
            conv = _OPENCC[config] = opencc.OpenCC(config)
        k = conv.convert(key)
        if k != key and k not in out:
            out.append(k)
    return out


_OPENCC: dict[str, Any] = {}


def _accent_key(text: str) -> str:
    """Casefolded NFC text with separators unified, accents kept."""
    import unicodedata

    from geoflows.places._normalize import _SPACES, _TRANSLATE

    s = unicodedata.normalize("NFC", text).casefold().translate(_TRANSLATE)
    return _SPACES.sub(" ", s).strip()


def _with_former_name(place: Place, key: str) -> Place:
    """Record the old name when ``key`` is a renamed place's former name."""
    from geoflows.places._index import renamings

    ren = renamings().get(key)
    if ren is None or normalize_name(place.name) != normalize_name(ren[1]):
        return place
    return dataclasses.replace(place, former_name=ren[0])


def _kind_name(code: int) -> str:
    from geoflows.places._index import PLACE_KINDS

    return PLACE_KINDS[code]


def _strip_cc(label: str) -> str:
    return label.rsplit(" (", 1)[0] if label.endswith(")") else label


def _mode(mode: Any) -> str | None:
    if mode is None or (isinstance(mode, float) and math.isnan(mode)):
        return None
    return str(mode).strip().lower() or None


def _runner_up(p: Place) -> str:
    """'Rajin (KP, port)': the name, country and kind of the candidate that came second."""
    return f"{p.name} ({p.country or '?'}, {p.kind})"


def _describe(p: Place) -> str:
    pop = f", pop {p.population:,}" if p.population else ""
    return f"{p.name} ({p.country or '?'}, {p.kind}{pop})"


def _rank(
    name: str, cands: list[_Cand], cc: str | None, mode: str | None, *, hinted: bool = False
) -> tuple[Place, float]:
    """Pick the winner among candidates (rules in docs/gazetteer.md).

    ``hinted``: the candidates were narrowed by a country hint; rule 5 then raises
    :class:`_Unsure` instead of picking a small place far from its namesakes.
    """
    # Rule 0: bulk rows (regions, airfields and ports from the world lists) are candidates
    # only when nothing else has the name: a bare "Donetsk" is the city, not the oblast.
    if any(c.bulk for c in cands) and not all(c.bulk for c in cands):
        cands = [c for c in cands if not c.bulk]
    fits = MODE_KINDS.get(mode or "", frozenset())
    cities = [c for c in cands if c.place.kind == "city" and not c.user]
    curated = [c for c in cands if c.place.kind != "city" or c.user]
    # Rule 1: the analyst's own rows win.
    pool = [c for c in cands if c.user]
    if not pool:
        # Rule 2: a curated site whose kind fits the mode.
        pool = [c for c in curated if c.place.kind in fits]
    if not pool:
        # Rule 3: countries, regions, and sites that are not just a same-named nearby city.
        keep = []
        for c in curated:
            if c.place.kind in _CURATED_ORDER:
                keep.append(c)
                continue
            near = [
                x
                for x in cities
                if _haversine_km(c.place.lat, c.place.lon, x.place.lat, x.place.lon)
                <= SAME_PLACE_KM
            ]
            # A site and a same-named city within SAME_PLACE_KM are one place: the city stands
            # for it (without a fitting mode), and a far-away namesake city never wins instead.
            for x in near or [c]:
                if all(x is not k for k in keep):
                    keep.append(x)
        if keep:
            best = min(_CURATED_ORDER.get(c.place.kind, 2) for c in keep)
            pool = [c for c in keep if _CURATED_ORDER.get(c.place.kind, 2) == best]
    if pool:
        best_tier = min(c.tier for c in pool)
        pool = [c for c in pool if c.tier == best_tier]
        if len(pool) == 1:
            return _win(pool[0], cands)
        return _ambiguous(name, pool, cands, cc)
    # Rule 4: cities by weight (population, x10 for a national capital).
    cities.sort(key=lambda c: (-c.weight, c.tier))
    top = cities[0]
    if len(cities) == 1:
        return _win(top, cands)
    contenders = [c for c in cities if c.weight * DOMINANCE_RATIO > top.weight or c is top]
    if top.weight == 0:
        contenders = cities
    if len(contenders) == 1:
        return _win(top, cands)
    # Rule 5: among comparable cities, a unique best match tier (primary name) wins, unless
    # it is a small place far from a comparable namesake: that is a guess, so a tie.
    best_tier = min(c.tier for c in contenders)
    best = [c for c in contenders if c.tier == best_tier]
    if len(best) == 1 and (not hinted or _sure_of(best[0], contenders)):
        return _win(best[0], cands)
    if len(best) == 1:  # the hint left a small place and far namesakes: the caller decides
        raise _Unsure(best[0], contenders)
    return _ambiguous(name, best, cands, cc)


class _Unsure(Exception):
    """Rule 5 under a country hint would pick a small place far from comparable namesakes."""

    def __init__(self, winner: _Cand, contenders: list[_Cand]):
        super().__init__(winner.place.name)
        self.winner, self.contenders = winner, contenders


def _sure_of(winner: _Cand, contenders: list[_Cand]) -> bool:
    """Whether a primary-name match may beat comparable alternate-name matches under a hint.

    It may when it is not a small place (:data:`SMALL_PLACE_POP`), or when every other
    contender lies within :data:`SAME_PLACE_KM` of it (one place listed twice). A village's
    main name beating another village's alternate name hundreds of km away is not knowledge.
    """
    if (winner.place.population or 0) >= SMALL_PLACE_POP:
        return True
    p = winner.place
    return all(
        _haversine_km(p.lat, p.lon, c.place.lat, c.place.lon) <= SAME_PLACE_KM
        for c in contenders
        if c is not winner
    )


def _order_key(c: _Cand) -> tuple:
    return (not c.user, c.place.kind == "city", c.tier, -c.weight)


def _win(winner: _Cand, cands: list[_Cand]) -> tuple[Place, float]:
    others = sorted((c for c in cands if c is not winner), key=_order_key)
    alts = tuple(c.place for c in others[:_MAX_ALTERNATIVES])
    p = winner.place
    place = Place(p.name, p.lat, p.lon, p.country, p.kind, p.source, p.population, p.id, alts)
    return place, _TIER_SCORE[winner.tier]


def _ambiguous(name: str, tied: list[_Cand], cands: list[_Cand], cc: str | None):
    tied = sorted(tied, key=_order_key)
    places = [c.place for c in tied[:_MAX_CANDIDATES]]
    listing = "; ".join(_describe(p) for p in places)
    more = f" (and {len(tied) - len(places)} more)" if len(tied) > len(places) else ""
    countries = sorted({p.country for p in places if p.country})
    example = f"country={countries[0]!r}" if countries else "country='XX'"
    hint = (
        f"Add a country hint (e.g. {example}; in a flow file, an origin_country or "
        "destination_country column), give"
        if cc is None
        else "None of them is the clear answer inside that country: give"
    )
    msg = (
        f"{name!r} (country={cc!r}) matches {len(tied)} places equally well: {listing}{more}. "
        f"{hint} coordinates as 'lat, lon', or add the place to your own gazetteer "
        "(Gazetteer.from_csv)."
    )
    err = AmbiguousPlace(msg, query=name, candidates=places)
    err.score = _TIER_SCORE[tied[0].tier]  # type: ignore[attr-defined]
    raise err


def geocode(
    name: str | Place,
    country: str | None = None,
    *,
    mode: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> Place:
    """Resolve a place name, ``"lat, lon"`` or Place with the default (or given) gazetteer.

    See :meth:`Gazetteer.geocode`.

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.places import geocode
    >>> geocode("Rajin").country
    'KP'
    >>> geocode("Khasan").kind
    'rail_station'
    >>> geocode("42.25, 130.28").kind
    'coordinates'
    """
    return (gazetteer or Gazetteer.default()).geocode(name, country, mode=mode)


def geocode_all(
    names: Iterable[str | Place],
    country: str | Sequence[str | None] | None = None,
    *,
    mode: str | Sequence[str | None] | None = None,
    gazetteer: Gazetteer | None = None,
) -> pd.DataFrame:
    """Resolve many names into a DataFrame; see :meth:`Gazetteer.geocode_all`.

    Examples
    --------
    >>> from geoflows.places import geocode_all
    >>> geocode_all(["Kyiv", "Kiev"]).country.tolist()
    ['UA', 'UA']
    """
    return (gazetteer or Gazetteer.default()).geocode_all(names, country, mode=mode)
