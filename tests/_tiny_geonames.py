"""A tiny GeoNames data set for index-building tests (shared by the places test modules)."""

from __future__ import annotations

import json
from pathlib import Path

from geoflows.places import _index

ALPHAVILLE = {"geonameid": 1, "name": "Alphaville", "latitude": 10.0, "longitude": 20.0,
              "countrycode": "KP", "population": 5000, "alternatenames": ["Alfavil"]}  # fmt: skip
PYONGYANG = {"geonameid": 2, "name": "Pyongyang", "latitude": 39.03, "longitude": 125.75,
             "countrycode": "KP", "population": 3000000, "alternatenames": []}  # fmt: skip


def use_tiny_geonames(tmp_path: Path, monkeypatch, cities: list[dict], capital: str) -> Path:
    """Point the index builder at ``cities`` (and North Korea with ``capital``); returns the
    cache folder, ``tmp_path / "cache"``."""
    data = tmp_path / "gn"
    data.mkdir()
    (data / "cities500.json").write_text(json.dumps({str(c["geonameid"]): c for c in cities}))
    country = {"geonameid": 9, "name": "North Korea", "iso": "KP", "iso3": "PRK",
               "capital": capital, "population": 25000000}  # fmt: skip
    (data / "countries.json").write_text(json.dumps({"KP": country}))
    monkeypatch.setattr(_index, "_geonames_dir", lambda: data)
    # the world airfield and port lists are tested on the real index; keep tiny builds tiny
    monkeypatch.setattr(_index, "_read_airports", lambda b: None)
    monkeypatch.setattr(_index, "_read_ports", lambda b: None)
    monkeypatch.setenv("GEOFLOWS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def count_index_builds(monkeypatch) -> list[int]:
    """Count the index builds from now on: returns a one-item list holding the count."""
    builds = [0]
    real = _index.build_index

    def counted() -> dict:
        builds[0] += 1
        return real()

    monkeypatch.setattr(_index, "build_index", counted)
    return builds
