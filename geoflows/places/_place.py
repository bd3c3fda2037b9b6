"""The :class:`Place` record and coordinate parsing."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Place", "parse_coordinates"]


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
    near : str or None
        For a place given only as coordinates: the nearest named place and its distance,
        e.g. ``'Rajin (KP), 3 km'`` (a label for popups and figures, never the place's name).
    former_name : str or None
        The old name the place was looked up by, when it has been renamed
        (``'Artemivsk'`` for Bakhmut).

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
    near: str | None = field(default=None, compare=False)
    former_name: str | None = field(default=None, compare=False)

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


def parse_coordinates(text: str) -> Place | None:
    """Parse a coordinate string into a Place, else ``None`` (see :func:`parse_latlon`).

    Decimal degrees (``"42.25, 130.28"``, ``"42.25 130.28"``), hemisphere letters before or
    after (``"47.1N 37.55E"``, ``"E37.55 N47.1"``, ``"47.0951° N, 37.5413° E"``), DMS with
    ``°′″``, ``'"`` or spaces (``"47°05′N 37°33′E"``) and MGRS references.

    Parameters
    ----------
    text : str
        Latitude first unless hemisphere letters say otherwise.

    Returns
    -------
    Place or None
        ``Place(kind='coordinates', source='coordinates')``, or ``None`` when ``text`` does not
        look like coordinates (a place name).

    Raises
    ------
    CoordinateError
        When ``text`` looks like coordinates but is not a valid pair: out of range, a pair that
        only makes sense swapped (never swapped silently), minutes of 60 or more, ...

    Examples
    --------
    >>> from geoflows.places import parse_coordinates
    >>> parse_coordinates("42.25, 130.28").latlon
    (42.25, 130.28)
    >>> parse_coordinates("47°05′N 37°33′E").latlon
    (47.083333, 37.55)
    >>> parse_coordinates("Rajin") is None
    True
    """
    from geoflows.places._coords import parse_latlon

    parsed = parse_latlon(text)
    if parsed is None:
        return None
    lat, lon = parsed[0], parsed[1]
    name = f"{lat:g}, {lon:g}"
    return Place(name, lat, lon, None, "coordinates", "coordinates", None, f"coordinates:{name}")
