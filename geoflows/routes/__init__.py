"""Route geometry: one line per flow from coordinate arrays, antimeridian-safe and vectorised.

This package knows nothing of maps, files or place names. It turns origin/destination
coordinates (and optional waypoints) into shapely LineStrings in EPSG:4326 whose longitudes are
*unwrapped* (continuous across ±180), using one of the builders in :data:`ROUTE_KINDS`.

Examples
--------
>>> from geoflows.routes import build_routes
>>> r = build_routes([131.87], [43.11], [-149.90], [61.22])   # Vladivostok -> Anchorage
>>> str(r.route_kind[0]), round(float(r.length_km[0]) / 100) * 100
('geodesic', 5300)
"""

from __future__ import annotations

from geoflows.routes._build import MODES, ROUTE_KINDS, Routes, build_routes, rail, sea
from geoflows.routes._geometry import (
    arc,
    densify_geodesics,
    endpoint_lines,
    geodesic,
    join_antimeridian,
    split_antimeridian,
    straight,
    unwrap_lon,
)
from geoflows.routes._network import RAIL_SNAP_KM, SEA_SNAP_KM, clear_route_cache

__all__ = [
    "MODES",
    "RAIL_SNAP_KM",
    "ROUTE_KINDS",
    "SEA_SNAP_KM",
    "Routes",
    "arc",
    "build_routes",
    "clear_route_cache",
    "densify_geodesics",
    "endpoint_lines",
    "geodesic",
    "join_antimeridian",
    "rail",
    "sea",
    "split_antimeridian",
    "straight",
    "unwrap_lon",
]
