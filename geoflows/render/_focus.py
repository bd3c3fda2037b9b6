"""The initial view of a map: ``focus=`` as place names or a bounding box, resolved to bounds.

``focus`` names places of the map (matched case- and accent-insensitively, as the gazetteer
normalises names) or gives a box ``(west, south, east, north)`` in degrees. Either way the result
is Leaflet's ``[[south, west], [north, east]]``; a view across the antimeridian has ``east > 180``,
as the payload's own ``bounds`` do, so Leaflet fits it without a jump across the world.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np

from geoflows.errors import OptionError
from geoflows.places import normalize_name

__all__ = ["FOCUS_MARGIN", "resolve_focus"]

#: Degrees added around a single focused place (about 330 km north–south): a regional view.
FOCUS_MARGIN = 1.5

# Leaflet's Web Mercator stops at 85.0511°; a box past it cannot be fitted.
_MAX_LAT = 85.0


def resolve_focus(
    focus: str | Sequence[str] | Sequence[float],
    place_names: Sequence[str | None],
    place_lats: Sequence[float],
    place_lons: Sequence[float],
) -> list[list[float]]:
    """Return the bounds ``[[south, west], [north, east]]`` a map opens on.

    Parameters
    ----------
    focus : str, sequence of str, or sequence of 4 numbers
        A place name, several place names, or a box ``(west, south, east, north)`` in degrees.
        Names are matched against ``place_names`` ignoring case, accents and punctuation. One
        place gives a regional view (``FOCUS_MARGIN`` degrees around it); several give the box
        around all of them with a margin of a tenth of its size (at least half a degree). A box
        whose ``west`` is greater than its ``east`` crosses the antimeridian.
    place_names : sequence of str or None
        Names of the map's places (``None`` or ``""`` for coordinate-only places).
    place_lats, place_lons : sequence of float
        Their coordinates in degrees (EPSG:4326), one per name.

    Returns
    -------
    list of list of float
        ``[[south, west], [north, east]]``; ``east`` exceeds 180 when the view crosses the
        antimeridian.

    Raises
    ------
    OptionError
        (also a ``ValueError``) naming the field ``focus`` and the value: an unknown place (with
        close matches), a box out of range or empty, or a value of the wrong type.

    Examples
    --------
    >>> from geoflows.render._focus import resolve_focus
    >>> names, lats, lons = ["Rajin", "Vladivostok"], [42.245, 43.1056], [130.3, 131.8736]
    >>> resolve_focus("rajin", names, lats, lons)
    [[40.745, 128.8], [43.745, 131.8]]
    >>> resolve_focus(["Rajin", "Vladivostok"], names, lats, lons)
    [[41.745, 129.8], [43.6056, 132.3736]]
    >>> resolve_focus((170, -50, -170, -30), [], [], [])
    [[-50.0, 170.0], [-30.0, 190.0]]
    >>> resolve_focus("Vladivostk", names, lats, lons)
    Traceback (most recent call last):
    ...
    geoflows.errors.OptionError: focus: no place of this map is named 'Vladivostk'; did you mean 'Vladivostok'? Give one of the map's place names or a box (west, south, east, north).
    """
    if isinstance(focus, str):
        return _around(_find_places([focus], place_names), place_lats, place_lons)
    if isinstance(focus, Sequence) or isinstance(focus, np.ndarray):
        items = list(focus)
        if items and all(isinstance(v, str) for v in items):
            return _around(_find_places(items, place_names), place_lats, place_lons)
        if items and all(_is_number(v) for v in items):
            return _box(items)
    raise OptionError(
        f"focus: {focus!r} is neither a place name, a list of place names nor a box "
        "(west, south, east, north); give for example focus='Rajin' or focus=(129, 41, 133, 44)."
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, Real | np.number) and not isinstance(value, bool)


def _find_places(names: list[str], place_names: Sequence[str | None]) -> list[int]:
    """Return the indices of every place carrying each name (a name may label several places)."""
    keys: dict[str, list[int]] = {}
    for i, name in enumerate(place_names):
        if name:
            keys.setdefault(normalize_name(name), []).append(i)
    found: list[int] = []
    for name in names:
        hits = keys.get(normalize_name(name))
        if not hits:
            raise OptionError(_unknown_message(name, place_names))
        found.extend(hits)
    return found


def _unknown_message(name: str, place_names: Sequence[str | None]) -> str:
    import difflib  # only for a suggestion in an error

    known = sorted({n for n in place_names if n})
    by_key = {normalize_name(n): n for n in known}
    close = difflib.get_close_matches(normalize_name(name), list(by_key), n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + " or ".join(repr(by_key[k]) for k in close) + "?"
    elif known:
        shown = ", ".join(repr(n) for n in known[:8]) + (", …" if len(known) > 8 else "")
        hint = f"the map's places are {shown}."
    else:
        hint = "the map has no named places."
    return (
        f"focus: no place of this map is named {name!r}; {hint} "
        "Give one of the map's place names or a box (west, south, east, north)."
    )


def _around(indices: list[int], lats: Sequence[float], lons: Sequence[float]) -> list[list[float]]:
    """Return the box around some places, across the antimeridian when that is shorter."""
    lat = np.asarray(lats, dtype=float)[indices]
    lon = (np.asarray(lons, dtype=float)[indices] + 180.0) % 360.0 - 180.0
    xs = np.unique(lon)
    if len(xs) > 1:
        # The widest gap between neighbouring longitudes (the wrap-around gap included) is
        # the part of the world outside the box.
        gaps = np.diff(np.append(xs, xs[0] + 360.0))
        k = int(np.argmax(gaps))
        west, east = float(xs[(k + 1) % len(xs)]), float(xs[k])
        if east < west:
            east += 360.0
    else:
        west = east = float(xs[0])
    south, north = float(lat.min()), float(lat.max())
    if len(indices) == 1 or (west == east and south == north):
        pad_x = pad_y = FOCUS_MARGIN
    else:
        pad_x = max(0.1 * (east - west), 0.5)
        pad_y = max(0.1 * (north - south), 0.5)
    return [
        [_r(max(south - pad_y, -_MAX_LAT)), _r(west - pad_x)],
        [_r(min(north + pad_y, _MAX_LAT)), _r(east + pad_x)],
    ]


def _box(values: list[Any]) -> list[list[float]]:
    """Validate ``(west, south, east, north)`` and turn it into Leaflet bounds."""
    if len(values) != 4:
        raise OptionError(
            f"focus: a box has 4 numbers (west, south, east, north); got {len(values)}: {values!r}."
        )
    west, south, east, north = (float(v) for v in values)
    given = f"({west:g}, {south:g}, {east:g}, {north:g})"
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise OptionError(f"focus: the box {given} has a value that is not a finite number.")
    for name, v in (("west", west), ("east", east)):
        if not -180.0 <= v <= 180.0:
            raise OptionError(
                f"focus: {name}={v:g} in the box {given} is outside -180..180; "
                "give longitudes in degrees (west > east crosses the antimeridian)."
            )
    for name, v in (("south", south), ("north", north)):
        if not -90.0 <= v <= 90.0:
            raise OptionError(
                f"focus: {name}={v:g} in the box {given} is outside -90..90; "
                "the order is (west, south, east, north)."
            )
    if south >= north:
        raise OptionError(
            f"focus: south={south:g} is not below north={north:g} in the box {given}; "
            "the order is (west, south, east, north)."
        )
    if west == east:
        raise OptionError(
            f"focus: west and east are both {west:g} in the box {given}; the box has no width."
        )
    if west > east:  # across the antimeridian: keep it one piece east of the dateline
        east += 360.0
    return [
        [_r(max(south, -_MAX_LAT)), _r(west)],
        [_r(min(north, _MAX_LAT)), _r(east)],
    ]


def _r(value: float) -> float:
    # Rounded so that the same focus gives byte-identical HTML everywhere (no float noise).
    return round(float(value), 6) + 0.0
