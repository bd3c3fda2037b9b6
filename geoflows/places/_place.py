"""The :class:`Place` record and coordinate parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    """One resolved place: a point with a name, a country and where it came from.

    Parameters
    ----------
    name : str
        Display name.
    lat, lon : float
        WGS 84 (EPSG:4326) degrees.
    country : str or None
        ISO 3166-1 alpha-2 code, e.g. ``'KP'``.
    kind : str
        ``'city'``, ``'country'``, ``'region'``, a site kind (``'port'``, ``'rail_station'``, ...),
        ``'coordinates'`` or ``'custom'``.
    source : str
        ``'geonames:<id>'``, ``'sites.csv:<id>'``, the user's file, or ``'coordinates'``.
    population : int or None
        GeoNames population when known.
    id : str
        Stable id, e.g. ``'geonames:2039664'`` or ``'site:rajin_port'``.
    alternatives : tuple of Place
        The candidates this place was preferred to (not compared, not in ``to_dict``).

    Examples
    --------
    >>> from geoflows.places import Place
    >>> p = Place("Rajin", 42.25559, 130.28308, "KP", "city", "geonames:2039664")
    >>> p.latlon
    (42.25559, 130.28308)
    >>> p.to_dict()["country"]
    'KP'
    """

    name: str
    lat: float
    lon: float
    country: str | None
    kind: str
    source: str
    population: int | None = None
    id: str = ""
    alternatives: tuple[Place, ...] = field(default=(), compare=False, repr=False)

    def to_dict(self) -> dict:
        """Plain fields as a dict (without ``alternatives``).

        Examples
        --------
        >>> from geoflows.places import Place
        >>> sorted(Place("X", 1.0, 2.0, None, "custom", "me").to_dict())
        ['country', 'id', 'kind', 'lat', 'lon', 'name', 'population', 'source']
        """
        return {
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
            "kind": self.kind,
            "source": self.source,
            "population": self.population,
            "id": self.id,
        }

    @property
    def latlon(self) -> tuple[float, float]:
        """``(lat, lon)``.

        Examples
        --------
        >>> from geoflows.places import Place
        >>> Place("X", 1.5, 2.5, None, "custom", "me").latlon
        (1.5, 2.5)
        """
        return (self.lat, self.lon)

    def __str__(self) -> str:
        return f"{self.name} ({self.country})" if self.country else self.name


_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_COORDS = re.compile(rf"^\s*\(?\s*({_NUM})\s*(?:,|;|\s)\s*({_NUM})\s*\)?\s*$")


def parse_coordinates(text: str) -> Place | None:
    """Parse ``"lat, lon"`` or ``"lat lon"`` (decimal degrees) into a Place, else ``None``.

    Parameters
    ----------
    text : str
        E.g. ``"42.25, 130.28"``. Latitude must lie in [-90, 90], longitude in [-180, 180].

    Returns
    -------
    Place or None
        ``Place(kind='coordinates', source='coordinates')``, or ``None`` when ``text`` is not a
        coordinate pair in range.

    Examples
    --------
    >>> from geoflows.places import parse_coordinates
    >>> parse_coordinates("42.25, 130.28").latlon
    (42.25, 130.28)
    >>> parse_coordinates("Rajin") is None
    True
    >>> parse_coordinates("130.28, 42.25") is None  # latitude out of range
    True
    """
    if not isinstance(text, str):
        return None
    m = _COORDS.match(text)
    if not m:
        return None
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    name = f"{lat:g}, {lon:g}"
    return Place(name, lat, lon, None, "coordinates", "coordinates", None, f"coordinates:{name}")
