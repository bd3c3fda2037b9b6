"""The vectorised index build gives the arrays (and so the answers) of the per-name build.

The per-name builder below is the builder geoflows had before issue 26 (one
``normalize_name`` call and one dict update per name), kept here as the specification: both
run over the same real data (GeoNames cities of a few countries, every curated CSV, the world
airfields and ports) and must give equal arrays, and equal lookups for names in several
scripts.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from geoflows.places import _index
from geoflows.places._normalize import fold_name, fold_names, normalize_name, normalize_names

SAMPLE = ("Rajin", "Rason", "Najin", "Раджин", "Kyiv", "Kiev", "Київ", "Vladivostok",
          "Donetsk region", "청진", "Ch'ŏngjin", "Chongjin", "Artemivsk", "Bakhmut", "Odessa",
          "Одеса", "Pyongyang", "평양", "Khasan", "Tumangang", "KPRJN", "UUWW", "VVO",
          "Primorsky Krai", "Zaporizhzhia", "Vostochny", "Port of Nakhodka", "Seoul")  # fmt: skip
COUNTRIES = {"KP", "KR", "UA", "RU", "CN"}
VECTORISED = _index._Builder


class PerNameBuilder:
    """geoflows' builder before issue 26: every name normalised and posted on its own."""

    def __init__(self) -> None:
        for col in ("name", "lat", "lon", "country", "kind", "pop", "ident", "source"):
            setattr(self, col, [])
        self.capital, self.bulk = [], []
        self.keys: dict[str, dict[int, int]] = {}
        self.folded: dict[str, set[int]] = {}

    add_row = VECTORISED.add_row

    def add_key(self, text, row, tier):
        key = normalize_name(text)
        if not key:
            return
        postings = self.keys.setdefault(key, {})
        if postings.get(row, 9) > tier:
            postings[row] = tier
        fkey = fold_name(key)
        if fkey:
            self.folded.setdefault(fkey, set()).add(row)

    def add_keys(self, texts, rows, tier):
        for text, row in zip(texts, rows, strict=True):
            self.add_key(text, row, tier)

    def rows_named(self, keys):
        # the old readers iterated ``self.keys[key]``: rows in the order first posted
        return {k: list(self.keys[k]) for k in keys if k in self.keys}

    def finish(self):
        keys = sorted(self.keys)
        ptr, post = [0], []
        for k in keys:
            post.extend(r * 2 + t for r, t in sorted(self.keys[k].items()))
            ptr.append(len(post))
        fkeys = sorted(self.folded)
        fptr, fpost = [0], []
        for k in fkeys:
            fpost.extend(sorted(self.folded[k]))
            fptr.append(len(fpost))
        out = VECTORISED().finish()  # the layout, then the content
        out.update(
            name=_index._pack(self.name), ident=_index._pack(self.ident),
            source=_index._pack(self.source), lat=np.asarray(self.lat, dtype=np.float64),
            lon=np.asarray(self.lon, dtype=np.float64),
            country=np.asarray(self.country, dtype="U2"),
            kind=np.asarray(self.kind, dtype=np.int8), pop=np.asarray(self.pop, dtype=np.int64),
            capital=np.asarray(self.capital, dtype=bool), bulk=np.asarray(self.bulk, dtype=bool),
            keys=_index._pack(keys), ptr=np.asarray(ptr, dtype=np.int32),
            post=np.asarray(post, dtype=np.int32), fkeys=_index._pack(fkeys),
            fptr=np.asarray(fptr, dtype=np.int32), fpost=np.asarray(fpost, dtype=np.int32),
        )  # fmt: skip
        return out


def per_city_reader(b, cities):
    for c in cities.values():
        row = b.add_row(
            c["name"], c["latitude"], c["longitude"], c.get("countrycode", ""), "city",
            c.get("population") or 0, f"geonames:{c['geonameid']}", f"geonames:{c['geonameid']}",
        )  # fmt: skip
        b.add_key(c["name"], row, _index.TIER_PRIMARY)
        for alt in c.get("alternatenames") or ():
            b.add_key(alt, row, _index.TIER_ALTERNATE)


@pytest.fixture(scope="module")
def real_names():
    with open(_index._geonames_dir() / "cities15000.json", encoding="utf-8") as f:
        cities = json.load(f)
    names = [n for c in cities.values() for n in (c["name"], *(c.get("alternatenames") or ()))]
    return cities, names


@pytest.mark.slow
def test_normalize_names_gives_normalize_name_of_each(real_names):
    _cities, names = real_names
    tricky = ["", "  ", " - ", "a\tb", "\u3000x\u3000", "ǅ", "\u0301x", "x\u0301", "ΣΑΣ",
              "İstanbul", "ﬁ", "𠀋x\u0301", "\U0001d400", "a\x00B", "P’yŏngyang", "(Rason)"]  # fmt: skip
    texts = names + tricky
    assert normalize_names(texts) == [normalize_name(t) for t in texts]
    assert normalize_names([]) == []


@pytest.mark.slow
def test_fold_names_gives_fold_name_of_each(real_names):
    _cities, names = real_names
    keys = sorted({normalize_name(n) for n in names}) + ["", "'", "a a", "oo", "zaporizhzhya"]
    assert fold_names(keys) == [fold_name(k) for k in keys]


@pytest.mark.slow
def test_vectorised_build_equals_per_name_build(real_names, tmp_path, monkeypatch):
    cities, _names = real_names
    data = tmp_path / "gn"
    data.mkdir()
    some = {k: c for k, c in cities.items() if c.get("countrycode") in COUNTRIES}
    (data / "cities500.json").write_text(json.dumps(some), encoding="utf-8")
    (data / "countries.json").write_bytes((_index._geonames_dir() / "countries.json").read_bytes())
    monkeypatch.setattr(_index, "_geonames_dir", lambda: data)
    new = _index.build_index()
    monkeypatch.setattr(_index, "_Builder", PerNameBuilder)
    monkeypatch.setattr(_index, "_read_cities", per_city_reader)
    old = _index.build_index()
    new_flat, old_flat = _index._flatten(new), _index._flatten(old)
    assert sorted(new_flat) == sorted(old_flat)
    for k in old_flat:
        assert new_flat[k].dtype == old_flat[k].dtype, k
        np.testing.assert_array_equal(new_flat[k], old_flat[k], err_msg=k)
    assert _index.content_hash(new_flat) == _index.content_hash(old_flat)
    a, b = _index.Index(new), _index.Index(old)
    for name in SAMPLE:
        key = normalize_name(name)
        assert a.exact(key) == b.exact(key), name
        assert a.folded(fold_name(key)) == b.folded(fold_name(key)), name
    assert a.exact(normalize_name("Vladivostok")), "the sample reaches real rows"
