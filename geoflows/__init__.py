"""geoflows: map logistics flows between named places as offline, interactive Folium maps.

Examples
--------
>>> import geoflows as gf
>>> gf.geocode("Rajin").country
'KP'
"""

from __future__ import annotations

__version__ = "0.1.0"

from geoflows.errors import (
    AmbiguousPlace,
    BuildError,
    CacheWarning,
    FlowValidationError,
    GeocodeError,
    GeoflowsError,
    GeoflowsWarning,
    PlaceNotFound,
    RouteFallbackWarning,
)
from geoflows.flows import Flow, FlowSet
from geoflows.io import read_flows, validate_flows, write_flows
from geoflows.places import Gazetteer, OnlineGeocoder, Place, geocode, geocode_all
from geoflows.render import FlowLayer

__all__ = [
    "__version__",
    "Flow",
    "FlowLayer",
    "FlowSet",
    "Gazetteer",
    "OnlineGeocoder",
    "Place",
    "geocode",
    "geocode_all",
    "read_flows",
    "validate_flows",
    "write_flows",
    "AmbiguousPlace",
    "BuildError",
    "CacheWarning",
    "FlowValidationError",
    "GeocodeError",
    "GeoflowsError",
    "GeoflowsWarning",
    "PlaceNotFound",
    "RouteFallbackWarning",
]
