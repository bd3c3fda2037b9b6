"""Coordinates as analysts copy them: decimal, DMS, hemisphere letters, MGRS.

A string that looks like a coordinate pair but cannot be one (a latitude of 130, minutes of 75,
two latitudes) is refused with :class:`CoordinateError` saying which notation it looked like
and what was wrong; a pair that only makes sense swapped is never swapped silently.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from geoflows.errors import GeocodeError

__all__ = ["CoordinateError", "parse_latlon"]


class CoordinateError(GeocodeError, ValueError):
    """A string that looks like coordinates is not a valid coordinate pair.

    Examples
    --------
    >>> from geoflows.places import CoordinateError, parse_coordinates
    >>> try:
    ...     parse_coordinates("130.28, 42.25")
    ... except CoordinateError as e:
    ...     print(str(e).split(":")[0])
    Latitude 130.28 is out of range [-90, 90] in '130.28, 42.25'
    """

    def __init__(self, message: str, *, query: str = "", notation: str = ""):
        super().__init__(message)
        self.query = query
        self.notation = notation
        self.suggestions: list[str] = []


_PRIMES = str.maketrans(
    {"′": "'", "’": "'", "‘": "'", "´": "'", "″": '"', "”": '"', "“": '"', "º": "°", "˚": "°"}
)
_NUM = r"\d+(?:\.\d*)?|\.\d+"
# Everything a coordinate string may hold; anything else makes it a place name.
_ALLOWED = re.compile(r"^[\s\d.,;:+\-°'\"()NSEWnsew]*$")
_TOKEN = re.compile(rf"([NSEWnsew])|([+-]?)({_NUM})\s*(°|''|'|\")?|([,;])|(\s+)|([()])")
_MGRS = re.compile(
    r"^\s*(\d{1,2})\s*([C-HJ-NP-X])\s*([A-HJ-NP-Z]{2})\s*(\d+)\s*(\d*)\s*$", re.IGNORECASE
)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _mgrs(text: str, m: re.Match) -> tuple[float, float]:
    digits = m.group(4) + m.group(5)
    if m.group(5) and len(m.group(4)) != len(m.group(5)):
        raise CoordinateError(
            f"MGRS reference {text!r}: easting {m.group(4)!r} and northing {m.group(5)!r} must "
            "have the same number of digits (e.g. '37U CQ 12345 67890').",
            query=text,
            notation="MGRS",
        )
    if len(digits) % 2 or len(digits) > 10:
        raise CoordinateError(
            f"MGRS reference {text!r}: {len(digits)} digits after the 100 km square; give an "
            "even number, at most 10 (e.g. '37U CQ 12345 67890').",
            query=text,
            notation="MGRS",
        )
    try:
        import mgrs
    except ImportError as exc:  # pragma: no cover - mgrs is a core dependency
        raise ImportError(
            "MGRS references need the 'mgrs' package: pip install mgrs", name="mgrs"
        ) from exc
    ref = (m.group(1) + m.group(2) + m.group(3) + digits).upper()
    try:
        lat, lon = mgrs.MGRS().toLatLon(ref)
    except Exception as exc:  # noqa: BLE001 - the library raises bare Exceptions
        raise CoordinateError(
            f"MGRS reference {text!r} is not a valid grid reference ({exc}).",
            query=text,
            notation="MGRS",
        ) from exc
    return round(float(lat), 6), round(float(lon), 6)


def _component(
    text: str, parts: list[tuple[str, float, str]], notation: str
) -> tuple[float, list[str]]:
    """Degrees from [(sign, number, mark), ...] of one axis: D, D M or D M S."""
    if not parts or len(parts) > 3:
        raise CoordinateError(
            f"{notation.capitalize()} {text!r}: expected degrees, minutes and seconds (at most three numbers "
            "per axis), found " + (str(len(parts)) if parts else "none") + ".",
            query=text,
            notation=notation,
        )
    marks = [mk for _s, _v, mk in parts]
    order = {"°": 0, "'": 1, '"': 2}
    pos = [order.get(mk, i) for i, mk in enumerate(marks)]
    if pos != sorted(set(pos)) or pos[0] != 0:
        raise CoordinateError(
            f"{notation.capitalize()} {text!r}: degrees, minutes and seconds are out of order.",
            query=text,
            notation=notation,
        )
    values = [0.0, 0.0, 0.0]
    for p, (_s, v, _mk) in zip(pos, parts, strict=True):
        values[p] = v
    for p, name in ((1, "minutes"), (2, "seconds")):
        if values[p] >= 60:
            raise CoordinateError(
                f"{notation.capitalize()} {text!r}: {name} {_fmt(values[p])} must be below 60.",
                query=text,
                notation=notation,
            )
    if len(parts) > 1 and parts[0][1] != int(parts[0][1]):
        raise CoordinateError(
            f"{notation.capitalize()} {text!r}: degrees {_fmt(parts[0][1])} carry decimals and minutes too; "
            "give either decimal degrees or whole degrees with minutes.",
            query=text,
            notation=notation,
        )
    deg = values[0] + values[1] / 60 + values[2] / 3600
    return (-deg if parts[0][0] == "-" else deg), [s for s, _v, _m in parts]


def _tokens(text: str) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return []
        if m.group(1):
            out.append(("hemi", m.group(1).upper()))
        elif m.group(3) is not None:
            mark = m.group(4) or ""
            mark = '"' if mark == "''" else mark
            out.append(("num", (m.group(2), float(m.group(3)), mark)))
        elif m.group(5):
            out.append(("sep", m.group(5)))
        pos = m.end()
    return out


def _split_unlabelled(nums: list[tuple[str, float, str]], has_sep: bool, seps: list[int]):
    """Two axes from numbers without hemisphere letters."""
    if has_sep:
        return [nums[: seps[0]], nums[seps[0] :]]
    if any(mk for _s, _v, mk in nums):
        groups: list[list] = []
        for t in nums:
            if not groups or t[2] == "°" or (groups[-1] and groups[-1][-1][2] == '"'):
                groups.append([])
            groups[-1].append(t)
        return groups
    if len(nums) in (2, 4, 6):
        half = len(nums) // 2
        return [nums[:half], nums[half:]]
    return [nums]


def parse_latlon(text: str) -> tuple[float, float, str] | None:
    """``(lat, lon, notation)`` from a coordinate string, ``None`` when it is not one.

    Understands decimal degrees (``"42.25, 130.28"``, ``"42.25 130.28"``), degrees with
    hemisphere letters before or after (``"47.1N 37.55E"``, ``"E37.55 N47.1"``,
    ``"47.0951° N, 37.5413° E"``), degrees-minutes(-seconds) with ``°′″``, ``'"`` or spaces
    (``"47°05′N 37°33′E"``, ``"47 05 30 N 37 33 10 E"``) and MGRS (``"37U CQ 12345 67890"``).

    Raises
    ------
    CoordinateError
        When the text looks like coordinates but is not a valid pair.

    Examples
    --------
    >>> from geoflows.places._coords import parse_latlon
    >>> parse_latlon("47°05′N 37°33′E")[:2]
    (47.083333, 37.55)
    >>> parse_latlon("E37.55 N47.1")
    (47.1, 37.55, 'decimal degrees with hemisphere letters')
    >>> parse_latlon("Rajin") is None
    True
    """
    if not isinstance(text, str):
        return None
    m = _MGRS.match(text)
    if m:
        lat, lon = _mgrs(text, m)
        return lat, lon, "MGRS"
    t = text.translate(_PRIMES)
    if not _ALLOWED.match(t) or not any(ch.isdigit() for ch in t):
        return None
    toks = _tokens(t.strip().strip("()").strip())
    nums = [v for k, v in toks if k == "num"]
    if len(nums) < 2:
        return None  # one number ("N1", "E40") is a road or a name, not a pair
    hemis = [(i, v) for i, (k, v) in enumerate(toks) if k == "hemi"]
    if hemis:
        return _parse_labelled(text, toks, nums, hemis)
    return _parse_unlabelled(text, toks, nums)


def _labelled_notation(nums: list) -> str:
    """Name the notation of a pair with hemisphere letters: decimal degrees or D M S."""
    has_marks = any(mk for _s, _v, mk in nums)
    if has_marks and any(mk in ("'", '"') for _s, _v, mk in nums):
        return "degrees-minutes-seconds with hemisphere letters"
    if len(nums) > 2 and not has_marks and nums[0][1] == int(nums[0][1]):
        return "degrees-minutes-seconds with hemisphere letters"
    return "decimal degrees with hemisphere letters"


def _labelled_axes(text: str, toks: list, hemis: list, notation: str) -> list[tuple[str, list]]:
    """``[(letter, numbers), ...]``: the numbers each hemisphere letter labels."""
    leading = hemis[0][0] == 0 or not any(k == "num" for k, _v in toks[: hemis[0][0]])
    axes: list[tuple[str, list]] = []
    if leading:
        for j, (i, h) in enumerate(hemis):
            end = hemis[j + 1][0] if j + 1 < len(hemis) else len(toks)
            axes.append((h, [v for k, v in toks[i + 1 : end] if k == "num"]))
        return axes
    start = 0
    for i, h in hemis:
        axes.append((h, [v for k, v in toks[start:i] if k == "num"]))
        start = i + 1
    if any(k == "num" for k, _v in toks[start:]):
        raise CoordinateError(
            f"{notation.capitalize()} {text!r}: numbers after the last hemisphere letter.",
            query=text,
            notation=notation,
        )
    return axes


def _parse_labelled(text: str, toks: list, nums: list, hemis: list) -> tuple[float, float, str]:
    """Parse a pair whose axes are named by hemisphere letters (N/S, E/W), in either order."""
    notation = _labelled_notation(nums)
    if len(hemis) != 2:
        raise CoordinateError(
            f"{notation.capitalize()} {text!r}: found {len(hemis)} hemisphere letter(s); "
            "give one N/S and one E/W (e.g. '47°05′N 37°33′E').",
            query=text,
            notation=notation,
        )
    lat = lon = None
    for h, parts in _labelled_axes(text, toks, hemis, notation):
        if any(s for s, _v, _m in parts):
            raise CoordinateError(
                f"{notation.capitalize()} {text!r}: a sign and a hemisphere letter together; "
                "use one of them.",
                query=text,
                notation=notation,
            )
        val, _ = _component(text, parts, notation)
        val = -val if h in "SW" else val
        if (lat if h in "NS" else lon) is not None:
            twice = (
                "two latitudes (N/S) and no longitude"
                if h in "NS"
                else "two longitudes (E/W) and no latitude"
            )
            raise CoordinateError(
                f"{notation.capitalize()} {text!r}: {twice}.", query=text, notation=notation
            )
        if h in "NS":
            lat = val
        else:
            lon = val
    assert lat is not None and lon is not None
    _check_range(text, lat, lon, notation, swappable=False, labelled=True)
    return round(lat, 6), round(lon, 6), notation


def _parse_unlabelled(text: str, toks: list, nums: list) -> tuple[float, float, str]:
    """Parse a pair without hemisphere letters: latitude first, split at the separator."""
    seps = [sum(1 for k2, _ in toks[:i] if k2 == "num") for i, (k, _v) in enumerate(toks)
            if k == "sep"]  # fmt: skip
    has_marks = any(mk for _s, _v, mk in nums)
    notation = "degrees-minutes-seconds" if has_marks or len(nums) > 2 else "decimal degrees"
    if len(seps) > 1:
        raise CoordinateError(
            f"{notation.capitalize()} {text!r}: more than one separator; write 'lat, lon' "
            "with a decimal point, not a decimal comma (e.g. '42.25, 130.28').",
            query=text,
            notation=notation,
        )
    groups = _split_unlabelled(nums, bool(seps), seps)
    if len(groups) != 2:
        raise CoordinateError(
            f"{notation.capitalize()} {text!r}: cannot tell latitude from longitude "
            f"({len(nums)} numbers); write 'lat, lon' (e.g. '47.0951, 37.5413' or "
            "'47°05′N 37°33′E').",
            query=text,
            notation=notation,
        )
    lat, _ = _component(text, groups[0], notation)
    lon, _ = _component(text, groups[1], notation)
    _check_range(text, lat, lon, notation, swappable=True)
    return round(lat, 6), round(lon, 6), notation


#: The common form, parsed column-wise: "lat, lon" / "lat lon" / "lat; lon" in decimal degrees
#: with at most 6 decimals (so ``round(x, 6)`` is ``x`` itself); ASCII only. Everything else
#: (and anything out of range, to get its error) goes through :func:`parse_latlon` one by one
#: (see ``Gazetteer.geocode_all``).
_DECIMAL = r"[+-]?(?:[0-9]+(?:\.[0-9]{0,6})?|\.[0-9]{1,6})"
_DECIMAL_PAIR = rf"^\s*(?P<lat>{_DECIMAL})\s*(?:[,;]\s*|\s+)(?P<lon>{_DECIMAL})\s*$"


def _decimal_pairs(values: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lat, lon, ok)`` of the strings in the common decimal form, in range (vectorised)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(values)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    text = _ascii_text(values)
    found = pc.extract_regex(text, _DECIMAL_PAIR)
    valid = found.is_valid()
    ok = np.array(valid.to_numpy(zero_copy_only=False), dtype=bool)
    if ok.any():
        hits = found.filter(valid)
        lat[ok] = pc.cast(hits.field("lat"), pa.float64()).to_numpy()
        lon[ok] = pc.cast(hits.field("lon"), pa.float64()).to_numpy()
    with np.errstate(invalid="ignore"):
        ok &= (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    return lat, lon, ok


def _ascii_text(values: list) -> Any:
    """Give the ASCII strings of ``values`` as an Arrow array, null for anything else.

    The pattern is ASCII: other text (lone surrogates too) is left to ``parse_latlon``. Text
    only (the common case) is checked in C; other values go through a Python pass.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        text = pa.array(values, type=pa.string())
    except (pa.ArrowException, TypeError, ValueError):  # not text, or a lone surrogate
        ascii_ = [v if isinstance(v, str) and v.isascii() else None for v in values]
        return pa.array(ascii_, type=pa.string())
    return pc.if_else(pc.string_is_ascii(text), text, pa.scalar(None, pa.string()))


def _check_range(
    text: str, lat: float, lon: float, notation: str, *, swappable: bool, labelled: bool = False
) -> None:
    bad_lat, bad_lon = not -90 <= lat <= 90, not -180 <= lon <= 180
    if not (bad_lat or bad_lon):
        return
    what = (
        f"Latitude {_fmt(lat)} is out of range [-90, 90]"
        if bad_lat
        else f"Longitude {_fmt(lon)} is out of range [-180, 180]"
    )
    hint = ""
    if swappable and bad_lat and -90 <= lon <= 90 and -180 <= lat <= 180:
        hint = (
            f" The pair only makes sense swapped ({_fmt(lon)}, {_fmt(lat)}): geoflows reads "
            "'lat, lon' and never swaps silently; write the latitude first."
        )
    raise CoordinateError(
        f"{what} in {text!r}: read as {notation}{'' if labelled else ' (latitude first)'}.{hint}",
        query=text,
        notation=notation,
    )


def distinct_pairs(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    """Give each distinct ``(a[i], b[i])`` pair a number, in order of first appearance.

    The pairs are hashed in C (pandas' factorize), not sorted. Returns ``(codes, first)``:
    each pair's number, and the position where each number first
    appears, so work done on ``a[first], b[first]`` is done once per distinct pair and
    ``result[codes]`` hands it back to every pair. NaN is one value, as in a dict; ``0.0``
    and ``-0.0`` are one value.
    """
    import pandas as pd

    ca, na = pd.factorize(np.asarray(a), use_na_sentinel=False)
    cb, nb = pd.factorize(np.asarray(b), use_na_sentinel=False)
    codes, _ = pd.factorize(ca.astype(np.int64) * max(len(nb), 1) + cb, use_na_sentinel=False)
    codes = np.asarray(codes, dtype=np.int64)
    if not len(codes):
        return codes, codes
    # Numbers are given in order of first appearance: a number is new where it tops the ones
    # before it.
    seen = np.maximum.accumulate(np.concatenate(([-1], codes[:-1])))
    return codes, np.flatnonzero(codes > seen)
