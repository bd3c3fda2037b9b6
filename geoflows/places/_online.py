"""Opt-in online geocoding through geopy, cached on disk and rate-limited."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geoflows.errors import CacheWarning, GeocodeError, warn
from geoflows.places._normalize import normalize_name
from geoflows.places._place import Place

__all__ = ["OnlineGeocodeError", "OnlineGeocoder"]


class OnlineGeocodeError(GeocodeError):
    """The online geocoder failed (network, quota, bad answer); ``reason`` says why.

    Examples
    --------
    >>> from geoflows.places import OnlineGeocodeError
    >>> import geoflows as gf
    >>> issubclass(OnlineGeocodeError, gf.GeocodeError)
    True
    """

    def __init__(self, message: str, *, query: str = "", reason: str = ""):
        super().__init__(message)
        self.query = query
        self.reason = reason


class OnlineGeocoder:
    """A geopy geocoder (Nominatim by default) with a SQLite cache and a one-request-a-second limit.

    Only used when you build one and pass it (``Gazetteer.default().with_online(...)``); geoflows
    never goes online by itself. Needs ``pip install geoflows[online]``.

    Parameters
    ----------
    user_agent : str
        Identifies your application to the provider (required by Nominatim's usage policy).
    geocoder : object, optional
        Any object with geopy's ``geocode(query, **kwargs)``; default
        ``geopy.geocoders.Nominatim(user_agent=user_agent)``.
    cache_path : str or Path, optional
        SQLite file; default ``<cache dir>/online-geocode.sqlite``. ``":memory:"`` keeps it in
        memory.
    min_interval : float
        Seconds between two requests (default 1.0).
    clock, sleep : callable
        Injectable for tests (default ``time.monotonic`` and ``time.sleep``).
    provider : str, optional
        Name used in the cache key; default the geocoder's class name.
    country_kwarg : str or None
        Keyword through which the country hint is passed (Nominatim: ``country_codes``).

    Examples
    --------
    >>> from geoflows.places import OnlineGeocoder
    >>> class Fake:
    ...     def geocode(self, query, **kw):
    ...         return None
    >>> og = OnlineGeocoder(user_agent="my-team-map", geocoder=Fake(), cache_path=":memory:")
    >>> og.geocode("Nowhere") is None
    True
    """

    def __init__(
        self,
        user_agent: str,
        *,
        geocoder: Any = None,
        cache_path: str | Path | None = None,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        provider: str | None = None,
        country_kwarg: str | None = "country_codes",
    ):
        if not isinstance(user_agent, str) or not user_agent.strip():
            raise ValueError(
                "OnlineGeocoder needs a user_agent naming your application, e.g. "
                "OnlineGeocoder(user_agent='my-team-map'); providers refuse anonymous requests."
            )
        if geocoder is None:
            try:
                from geopy.geocoders import Nominatim
            except ImportError as exc:  # pragma: no cover - depends on the extra
                raise ImportError(
                    "Online geocoding needs geopy: pip install 'geoflows[online]'"
                ) from exc
            geocoder = Nominatim(user_agent=user_agent)
        self.user_agent = user_agent
        self.geocoder = geocoder
        self.provider = provider or type(geocoder).__name__
        self.min_interval = float(min_interval)
        self._clock, self._sleep = clock, sleep
        self._last: float | None = None
        self.country_kwarg = country_kwarg
        self.requests = 0
        self.failures: list[OnlineGeocodeError] = []
        self._lock = threading.Lock()
        if cache_path is None:
            from geoflows._files import cache_dir

            cache_path = cache_dir() / "online-geocode.sqlite"
        if str(cache_path) != ":memory:":
            Path(cache_path).parent.mkdir(parents=True, exist_ok=True)
        self.cache_path = str(cache_path)
        import sqlite3  # here: the offline default path never opens an online cache

        self._db = sqlite3.connect(self.cache_path, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS geocode (provider TEXT, query TEXT, country TEXT, "
            "result TEXT, PRIMARY KEY (provider, query, country))"
        )
        self._db.commit()

    def _wait(self) -> None:
        now = self._clock()
        if self._last is not None:
            delay = self._last + self.min_interval - now
            if delay > 0:
                self._sleep(delay)
                now = self._clock()
        self._last = now

    def geocode(self, query: str, country: str | None = None) -> Place | None:
        """One place for ``query`` (cached), ``None`` when the provider knows none.

        Raises
        ------
        OnlineGeocodeError
            When the request fails; the failure is also kept in ``failures``.

        Examples
        --------
        >>> from geoflows.places import OnlineGeocoder
        >>> class Loc:
        ...     latitude, longitude, address, raw = 1.0, 2.0, "Somewhere", {"place_id": 7}
        >>> class Fake:
        ...     def geocode(self, query, **kw):
        ...         return Loc()
        >>> OnlineGeocoder(user_agent="doc", geocoder=Fake(), cache_path=":memory:").geocode("x").lat
        1.0
        """
        key = normalize_name(query)
        cc = (country or "").upper()
        with self._lock:
            row = self._db.execute(
                "SELECT result FROM geocode WHERE provider=? AND query=? AND country=?",
                (self.provider, key, cc),
            ).fetchone()
            if row is not None:
                try:
                    return _from_json(row[0])
                except ValueError as exc:  # a poisoned or damaged row: asked again, replaced
                    warn(
                        f"geoflows: the online-geocoder cache {self.cache_path} holds a bad row "
                        f"for {query!r} ({exc}); asking {self.provider} again and replacing it",
                        CacheWarning,
                    )
            self._wait()
            kwargs: dict[str, Any] = {"exactly_one": True}
            if cc and self.country_kwarg:
                kwargs[self.country_kwarg] = cc.lower()
            self.requests += 1
            try:
                loc = self.geocoder.geocode(query, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every provider failure is reported
                err = OnlineGeocodeError(
                    f"Online geocoding of {query!r} (country={country!r}) with {self.provider} "
                    f"failed: {type(exc).__name__}: {exc}",
                    query=query,
                    reason=f"{type(exc).__name__}: {exc}",
                )
                self.failures.append(err)
                raise err from exc
            if isinstance(loc, list):
                loc = loc[0] if loc else None
            place = None if loc is None else self._place(query, loc, key, cc, country)
            self._db.execute(
                "INSERT OR REPLACE INTO geocode VALUES (?, ?, ?, ?)",
                (self.provider, key, cc, _to_json(place)),
            )
            self._db.commit()
            return place

    def _place(self, query: str, loc: Any, key: str, cc: str, country: str | None) -> Place:
        """Make the provider's answer a Place; coordinates not on the globe are a failure."""
        lat, lon = (
            _coordinate(getattr(loc, "latitude", None)),
            _coordinate(getattr(loc, "longitude", None)),
        )
        if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
            shown = f"{getattr(loc, 'latitude', None)!r}, {getattr(loc, 'longitude', None)!r}"
            err = OnlineGeocodeError(
                f"Online geocoding of {query!r} (country={country!r}) with {self.provider} "
                f"returned coordinates off the globe ({shown}); latitude must be -90..90 and "
                "longitude -180..180. Nothing was cached; give the place's coordinates as "
                "'lat, lon' or add it to your own gazetteer",
                query=query,
                reason=f"bad coordinates ({shown})",
            )
            self.failures.append(err)
            raise err
        raw = getattr(loc, "raw", {}) or {}
        pid = (raw.get("place_id") or raw.get("osm_id") or key) if isinstance(raw, dict) else key
        return Place(
            str(getattr(loc, "address", "") or query),
            lat,
            lon,
            cc or None,
            "custom",
            f"online:{self.provider}",
            None,
            f"online:{self.provider}:{pid}",
        )


def _coordinate(value: Any) -> float | None:
    """Return a finite float from a provider's or the cache's number (or numeric text), or None."""
    if isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


#: The fields of a cached place and the types each may hold.
_ROW_FIELDS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "lat": (int, float),
    "lon": (int, float),
    "country": (str, type(None)),
    "kind": (str,),
    "source": (str,),
    "population": (int, type(None)),
    "id": (str,),
}


def _to_json(place: Place | None) -> str:
    return json.dumps(None if place is None else place.to_dict())


def _from_json(text: Any) -> Place | None:
    """Read one cached answer; raise ValueError naming what is wrong with a bad row."""
    if not isinstance(text, str):
        raise ValueError(f"not text but {type(text).__name__}")
    try:
        d = json.loads(text)
    except ValueError:
        raise ValueError("not JSON") from None
    if d is None:
        return None
    if not isinstance(d, dict) or set(d) != set(_ROW_FIELDS):
        raise ValueError(f"not a place's fields ({', '.join(_ROW_FIELDS)})")
    bad = [k for k, types in _ROW_FIELDS.items() if not isinstance(d[k], types)]
    bad += [k for k in ("lat", "lon") if isinstance(d[k], bool) or _coordinate(d[k]) is None]
    if bad or abs(d["lat"]) > 90 or abs(d["lon"]) > 180:
        raise ValueError(f"bad {', '.join(dict.fromkeys(bad)) or 'coordinates'}")
    return Place(**d)
