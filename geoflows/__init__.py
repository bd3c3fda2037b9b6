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
    AggregationError,
    AmbiguousPlace,
    BuildError,
    BuildProblem,
    CacheWarning,
    ExtractError,
    FlowValidationError,
    GeocodeError,
    GeoflowsError,
    GeoflowsWarning,
    InputFileError,
    OptionError,
    PlaceNotFound,
    RouteFallbackWarning,
    StyleError,
    UnitSpellingWarning,
    UnknownOptionError,
)
from geoflows.options import options

# Heavy modules (pandas, geopandas, folium) load on first use, so `import geoflows` and a first
# `gf.geocode()` stay fast in a new process (PEP 562 module __getattr__).
_LAZY = {
    "Flow": "geoflows.flows",
    "extract_flows": "geoflows.extract",
    "ExtractedFlows": "geoflows.extract",
    "FlowSet": "geoflows.flows",
    "read_flows": "geoflows.io",
    "validate_flows": "geoflows.io",
    "write_flows": "geoflows.io",
    "Gazetteer": "geoflows.places",
    "OnlineGeocoder": "geoflows.places",
    "Place": "geoflows.places",
    "geocode": "geoflows.places",
    "geocode_all": "geoflows.places",
    "normalize_name": "geoflows.places",
    "parse_coordinates": "geoflows.places",
    "OnlineGeocodeError": "geoflows.places",
    "GazetteerFileError": "geoflows.places",
    "Routes": "geoflows.routes",
    "build_routes": "geoflows.routes",
    "ROUTE_KINDS": "geoflows.routes",
    "split_antimeridian": "geoflows.routes",
    "join_antimeridian": "geoflows.routes",
    "clear_route_cache": "geoflows.routes",
    "FlowLayer": "geoflows.render",
    "FlowWidget": "geoflows.widget",
    "concat": "geoflows.flows",
    "build_maps": "geoflows.build",
    "aggregate_flows": "geoflows.aggregate",
    "load_build_file": "geoflows.build",
    "MAP_OPTIONS": "geoflows.mapoptions",
    "MapOptions": "geoflows.mapoptions",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geoflows' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "MAP_OPTIONS",
    "ROUTE_KINDS",
    "AggregationError",
    "AmbiguousPlace",
    "BuildError",
    "BuildProblem",
    "CacheWarning",
    "ExtractError",
    "ExtractedFlows",
    "Flow",
    "FlowLayer",
    "FlowSet",
    "FlowValidationError",
    "FlowWidget",
    "Gazetteer",
    "GazetteerFileError",
    "GeocodeError",
    "GeoflowsError",
    "GeoflowsWarning",
    "InputFileError",
    "MapOptions",
    "OnlineGeocodeError",
    "OnlineGeocoder",
    "OptionError",
    "Place",
    "PlaceNotFound",
    "RouteFallbackWarning",
    "Routes",
    "StyleError",
    "UnitSpellingWarning",
    "UnknownOptionError",
    "__version__",
    "aggregate_flows",
    "build_maps",
    "build_routes",
    "clear_route_cache",
    "concat",
    "extract_flows",
    "geocode",
    "geocode_all",
    "join_antimeridian",
    "load_build_file",
    "normalize_name",
    "options",
    "parse_coordinates",
    "read_flows",
    "split_antimeridian",
    "validate_flows",
    "write_flows",
]
