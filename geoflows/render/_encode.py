"""How the payload's values are written: packed integer columns, text columns, safe JSON.

Numbers per flow (place indices, widths, volumes, codes) are sent as one string of
variable-length integers (:func:`pack`); text columns that repeat are sent as keys and codes
(:func:`column`); columns with one value throughout as ``{"c": value}``. :func:`expand`
undoes all three, as the browser does (``util.js: expandConstants``).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import numpy as np
import pandas as pd

from geoflows.style import format_spread, format_volume

__all__ = [
    "claim_place_texts",
    "claim_texts",
    "decode_coords",
    "expand",
    "pack",
    "payload_fields",
    "period_text",
    "safe_json",
    "unpack",
]

_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "{": "\\u007b",
    "}": "\\u007d",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_UNSAFE_RE = re.compile("[<>&{}\u2028\u2029]")


def safe_json(obj: Any) -> str:
    r"""Write ``obj`` as JSON text safe to embed in a ``<script>`` and in any Jinja2 template.

    Inside strings, ``<``, ``>``, ``&``, ``{``, ``}``, U+2028 and U+2029 become ``\uXXXX``
    escapes, so no data can close the script, open a tag, or form ``{{``/``{%`` for Jinja2.
    Output is deterministic (no sets; floats as Python prints them).

    Parameters
    ----------
    obj : JSON-serialisable object

    Returns
    -------
    str

    Examples
    --------
    >>> safe_json({"t": "</script>{{7*7}}"})
    '{"t":"\\u003c/script\\u003e\\u007b\\u007b7*7\\u007d\\u007d"}'
    """
    # Braces can be structural, so in strings they first become two noncharacters (which
    # never occur in real text; if they do, the slower regex path below is taken), then
    # every unsafe character is replaced in one C-level pass over the JSON text.
    try:
        marked = _mark_braces(obj)
    except _SentinelFound:
        marked = None
    if marked is not None:
        text = json.dumps(marked, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.translate(_TRANSLATE)
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def fix(match: re.Match[str]) -> str:
        s = match.group(0)
        return _UNSAFE_RE.sub(lambda m: _ESCAPES[m.group(0)], s) if _UNSAFE_RE.search(s) else s

    return _STRING_RE.sub(fix, text)


_OPEN, _CLOSE = "\ufdd0", "\ufdd1"
_BRACES = str.maketrans({"{": _OPEN, "}": _CLOSE})
_TRANSLATE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
        _OPEN: "\\u007b",
        _CLOSE: "\\u007d",
    }
)


class _SentinelFound(Exception):
    pass


class _Numbers(list):
    """A list of numbers (or None) only: safe_json passes it through without looking inside."""


def _mark_braces(obj: Any) -> Any:
    """Copy of ``obj`` with braces inside strings (values and keys) replaced by sentinels."""
    if isinstance(obj, str):
        if _OPEN in obj or _CLOSE in obj:
            raise _SentinelFound
        return obj.translate(_BRACES) if ("{" in obj or "}" in obj) else obj
    if isinstance(obj, dict):
        return {_mark_braces(k): _mark_braces(v) for k, v in obj.items()}
    if type(obj) is _Numbers:
        return obj
    if isinstance(obj, (list, tuple)):
        if obj and all(type(x) is str for x in obj):
            # A column of text: one C-level scan finds whether any item needs marking.
            joined = "\x1f".join(obj)
            if _OPEN in joined or _CLOSE in joined:
                raise _SentinelFound
            if "{" not in joined and "}" not in joined:
                return obj
            return [x.translate(_BRACES) for x in obj]
        if (
            obj
            and not isinstance(obj[0], (str, list, tuple, dict))
            and all(not isinstance(x, (str, list, tuple, dict)) for x in obj)
        ):
            return obj  # numbers, booleans, None: nothing to mark
        return [_mark_braces(x) for x in obj]
    return obj


#: 64 characters that need no escaping in JSON, HTML or Jinja2: 5 bits of a number each, and
#: a sixth that says another character follows.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_CHARS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_VALUE = {c: k for k, c in enumerate(ALPHABET)}
#: Largest magnitude packed (the browser's numbers are exact below 2**53).
_PACK_LIMIT = 2**50


def _varints(values: np.ndarray) -> str:
    """Zigzag variable-length integers, low 5 bits first, in :data:`ALPHABET` (vectorised)."""
    z = ((values << 1) ^ (values >> 63)).astype(np.uint64)
    width = np.ones(len(z), dtype=np.int64)
    rest = z >> np.uint64(5)
    while rest.any():
        width += rest > 0
        rest >>= np.uint64(5)
    last = np.cumsum(width)
    digit = np.arange(int(last[-1]) if len(last) else 0) - np.repeat(last - width, width)
    chunk = (np.repeat(z, width) >> (5 * digit).astype(np.uint64)) & np.uint64(31)
    more = digit < np.repeat(width - 1, width)
    return _CHARS[chunk.astype(np.int64) + 32 * more].tobytes().decode("ascii")


def _scale_of(x: np.ndarray) -> int | None:
    """Find the fewest decimals (0-6) that write every value of ``x`` exactly, or None."""
    for digits in range(7):
        q = np.rint(x * 10.0**digits)
        if np.all(np.abs(q) < _PACK_LIMIT) and np.array_equal(q / 10.0**digits, x):
            return digits
        if not np.all(np.abs(q) < _PACK_LIMIT):
            return None
    return None


def pack(values: Any) -> Any:
    """Numbers as one string of variable-length integers: ``{"z": text, "n": count}``.

    Values are scaled to integers by the fewest decimals that keep them exact (``"s"``) and
    sent as differences from the previous value when that is shorter (``"d": 1``). Values that
    cannot be packed exactly (NaN, more than 6 decimals, too large) stay a plain list.

    Parameters
    ----------
    values : array-like of numbers

    Returns
    -------
    dict or list

    Examples
    --------
    >>> pack([7, 3, 12])
    {'z': 'E6O', 'n': 3}
    >>> pack([100, 101, 102, 103, 104])  # differences are shorter
    {'z': 'e62222', 'n': 5, 'd': 1}
    >>> pack([1.5, 2.25])  # hundredths
    {'z': 'i9YE', 'n': 2, 's': 2}
    >>> unpack(pack([1.5, 2.25, -1]))
    [1.5, 2.25, -1.0]
    """
    x = np.asarray(values, dtype=float)
    digits = _scale_of(x) if np.all(np.isfinite(x)) else None
    if digits is None:
        return [int(v) if v == int(v) else float(v) for v in x.tolist()]
    q = np.rint(x * 10.0**digits).astype(np.int64)
    plain = _varints(q)
    delta = _varints(np.diff(q, prepend=np.int64(0)))
    out: dict[str, Any] = {"z": plain, "n": len(q)}
    if len(delta) < len(plain):
        out = {"z": delta, "n": len(q), "d": 1}
    if digits:
        out["s"] = digits
    return out


def unpack(column: Any) -> list[Any]:
    """Unpack the numbers of a :func:`pack` ed column (a plain list is returned as a list).

    Examples
    --------
    >>> unpack(pack([10, 11, 12, 9]))
    [10, 11, 12, 9]
    """
    if not isinstance(column, dict):
        return list(column)
    values, z, k = [], 0, 1
    for ch in column["z"]:
        c = _VALUE[ch]
        z += (c & 31) * k
        k *= 32
        if c & 32:
            continue
        values.append(z // 2 if z % 2 == 0 else -(z + 1) // 2)
        z, k = 0, 1
    q = np.cumsum(values, dtype=np.int64) if column.get("d") else np.asarray(values, np.int64)
    if column.get("s"):
        return (q / 10.0 ** column["s"]).tolist()
    return q.tolist()


def ints(column: Any, n: int) -> list[Any]:
    """Give the ``n`` numbers of a number column, written in any of its forms.

    Packed, a plain list, or ``{"c": value}``: one value for every flow, as the payload
    writes a constant column.

    Examples
    --------
    >>> ints({"c": 7}, 3), ints(pack([1, 2, 3]), 3)
    ([7, 7, 7], [1, 2, 3])
    """
    if isinstance(column, dict) and set(column) == {"c"}:
        return [column["c"]] * n
    return unpack(column)


def _is_packed(value: Any) -> bool:
    return isinstance(value, dict) and "z" in value


def text(values: Any) -> list[str]:
    """Write each value as text, ``""`` for missing ones (vectorised)."""
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    arr = np.asarray(arr, dtype=object)
    missing = pd.isna(arr)
    if missing.any():
        arr = arr.copy()
        arr[missing] = ""
    return arr.astype(str).tolist()


#: Text that is an integer written the one way ``str(int)`` writes it (no sign "+", no leading 0).
_WHOLE = r"0|-?[1-9][0-9]{0,14}"


def column(values: list[str]) -> list[str] | dict[str, Any]:
    """Encode a text column: as is, or as keys and codes when its values repeat.

    Dictionary-encoded (``{"k": keys, "i": codes}``): categories, kinds, units and routes
    are few, and 100k copies are not. One value throughout: ``{"k": [value]}``. Distinct
    whole numbers written as text (ids): ``{"t": packed numbers}``.

    Examples
    --------
    >>> column(["a", "b", "a", "a"])
    {'k': ['a', 'b'], 'i': {'z': '0200', 'n': 4}}
    >>> column(["17", "18", "19"])
    {'t': {'z': 'Y122', 'n': 3, 'd': 1}}
    >>> decode(column(["17", "18", "19"]))
    ['17', '18', '19']
    """
    codes, keys = _factorize_text(values)
    if len(keys) == 1:
        return {"k": [str(keys[0])]}  # one value for every flow: no codes needed
    if len(keys) * 2 > len(values):
        if len(values) > 1 and _all_whole(values):
            return {"t": pack(np.asarray(values, dtype=np.int64))}  # ids such as "1", "2", ...
        return values
    return {"k": [str(k) for k in keys], "i": pack(codes)}


#: Below this many values a dict beats pandas' fixed costs (a small map's columns).
_SMALL = 2000
_WHOLE_RE = re.compile(_WHOLE)


def _factorize_text(values: list[str]) -> tuple[Any, Any]:
    """Give codes in order of first appearance and the distinct values, as pd.factorize."""
    if len(values) <= _SMALL and all(type(v) is str for v in values):
        index: dict[str, int] = {}
        codes = [index.setdefault(v, len(index)) for v in values]
        return np.asarray(codes, dtype=np.int64), list(index)
    return pd.factorize(pd.Series(values, dtype=object), sort=False)


def _all_whole(values: list[str]) -> bool:
    """Tell whether every value is an integer as ``str(int)`` writes it."""
    if len(values) <= _SMALL and all(type(v) is str for v in values):
        return all(_WHOLE_RE.fullmatch(v) for v in values)
    return bool(pd.Series(values, dtype=object).str.fullmatch(_WHOLE).all())


def decode(column: Any, n: int | None = None) -> list[Any]:
    """Decode a text column (see :func:`column`)."""
    if isinstance(column, dict):
        if "t" in column:
            return [str(int(v)) for v in unpack(column["t"])]
        if "i" not in column:
            return column["k"] * (n if n is not None else 1)
        return [column["k"][i] for i in unpack(column["i"])]
    return list(column)


def _unpack_all(value: Any) -> Any:
    """Copy ``value`` with every packed column inside it unpacked."""
    if _is_packed(value):
        return unpack(value)
    if isinstance(value, dict):
        return {k: _unpack_all(v) for k, v in value.items()}
    nested = (dict, list)
    if (
        isinstance(value, list)
        and value
        and (isinstance(value[0], nested) or isinstance(value[-1], nested))
    ):
        return [_unpack_all(v) for v in value]
    return value


def expand(payload: dict[str, Any]) -> dict[str, Any]:
    """Unpack every packed column of a payload and write out every constant one.

    Constant columns (``{"c": value}``) become one value per flow; place names a list.

    Examples
    --------
    >>> expand({"n": 3, "halo": {"c": 0}, "width": pack([1, 2, 3])})["halo"]
    [0, 0, 0]
    >>> expand({"n": 3, "width": pack([1, 2, 3])})["width"]
    [1, 2, 3]
    """
    out = _unpack_all(payload)
    for key, value in payload.items():
        if isinstance(value, dict) and set(value) == {"c"}:
            out[key] = ints(value, payload["n"])
    places = out.get("places")
    if isinstance(places, dict) and isinstance(places.get("name"), dict):
        places["name"] = decode(places["name"], len(places["lat"]))
    return out


def payload_fields(payload: dict[str, Any]) -> dict[str, list[Any]]:
    """Give the popup fields of a payload as ``{name: texts}``, as the browser shows them.

    Stored columns are decoded; the fields the browser builds from other arrays (origin,
    destination, volume, start, end, length) are built here the same way.

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.render import build_payload
    >>> p = build_payload(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                                    "kind": "shipment", "volume": 1200, "unit": "t"}]))
    >>> fields = payload_fields(p)
    >>> fields["kind"], fields["volume"], fields["destination"]
    (['shipment'], ['1,200 t'], ['Vladivostok (RU)'])
    """
    built = _built_fields(payload)
    n = payload["n"]
    return {name: built[name] if col is None else decode(col, n) for name, col in payload["fields"]}


def _place_names(p: dict[str, Any]) -> list[str]:
    """Place names, coordinate-only places written as ``"lat, lon"`` (as the browser does)."""
    places, digits = p["places"], p["precision"]

    def text(q: int) -> str:
        x = q / 10.0**digits
        return f"{x if x != 0 else 0.0:.{digits}f}".rstrip("0").rstrip(".")

    return [
        name or f"{text(lat)}, {text(lon)}"
        for name, lat, lon in zip(places["name"], places["lat"], places["lon"], strict=True)
    ]


def _built_fields(p: dict[str, Any]) -> dict[str, list[str]]:
    p = expand(p)
    n = p["n"]
    country = decode(p["places"]["country"], len(p["places"]["name"]))
    names = _place_names(p)

    def place(end: int, index: list[int]) -> list[str]:
        out = []
        for given, k in zip(decode(p["given"][end], n), index, strict=True):
            name, c = names[k], country[k]
            if not given:
                out.append(f"{name} ({c})" if c else name)
            else:
                out.append(f"{given} ({name}, {c})" if c else f"{given} ({name})")
        return out

    def nan(x: list[float]) -> np.ndarray:
        a = np.asarray(x, dtype=float)
        return np.where(a < 0, np.nan, a)

    vol, low, high = nan(p["vol"]), nan(p["low"]), nan(p["high"])
    units = [p["units"][u] for u in p["unit"]]

    def day(values: list[int | None], precision: list[int]) -> list[str]:
        return [
            "" if d is None else period_text(d, k) for d, k in zip(values, precision, strict=True)
        ]

    return {
        "origin": place(0, p["o"]),
        "destination": place(1, p["d"]),
        "volume": [
            format_volume(v, lo, hi, u) for v, lo, hi, u in zip(vol, low, high, units, strict=True)
        ],
        "start": day(p["t0"], p.get("p0", [0] * n)),
        "end": day(p["t1"], p.get("p1", [0] * n)),
        "length": [f"{x:,} km" if x >= 0 else "" for x in p["length"]],
    }


def claim_texts(payload: dict[str, Any]) -> list[str]:
    """Give the "Claims:" line of each merged movement's popup, as the browser writes it.

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.render import build_payload
    >>> p = build_payload(gf.read_flows([
    ...     {"origin": "Rajin", "destination": "Vladivostok", "unit": "rail cars",
    ...      "volume_low": 2000, "volume_high": 2400, "group": "g"},
    ...     {"origin": "Rajin", "destination": "Vladivostok", "unit": "rail cars",
    ...      "volume_low": 200, "group": "g"}]))
    >>> claim_texts(p)
    ['more than 200 – 2,400 rail cars (2 claims)']
    """
    p = expand(payload)

    def given(x: float) -> float:
        return math.nan if x < 0 else x

    out = []
    for members in p["claims"]:
        claims = [(given(p["vol"][j]), given(p["low"][j]), given(p["high"][j])) for j in members]
        unit = p["units"][p["unit"][members[0]]]
        out.append(f"{format_spread(claims, unit)} ({len(members)} claims)")
    return out


def claim_place_texts(payload: dict[str, Any]) -> list[list[str]]:
    """Give the lines of each merged movement's popup that say which source named which place.

    A movement whose claims name different origins (or destinations) is drawn as one line per
    pair of places, and its popup says who named each: ``"Origin: Anzali port (Source A) ·
    Nowshahr (Source B)"``, places in the order of their most confident claim, each with the
    sources of the claims naming it. An empty list for a movement whose claims agree; all
    claims are taken as shown (the browser takes those its filters and slider show).

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.render import build_payload
    >>> p = build_payload(gf.read_flows([
    ...     {"origin": "Rajin", "destination": "Vladivostok", "unit": "ships", "volume": 5,
    ...      "group": "g", "source": "Source A ; Source B", "confidence": "reported"},
    ...     {"origin": "Chongjin", "destination": "Vladivostok", "unit": "ships", "volume": 3,
    ...      "group": "g", "source": "Source C", "confidence": "claimed"}]))
    >>> claim_place_texts(p)
    [['Origin: Rajin (Source A, Source B) · Chongjin (Source C)']]
    """
    p = expand(payload)
    n = p["n"]
    names = _place_names(p)
    sources = decode(p["sources"], n)
    out = []
    for members in p["claims"]:
        lines = []
        for word, ends in (("Origin", p["o"]), ("Destination", p["d"])):
            named: dict[int, list[str]] = {}
            for j in members:
                srcs = named.setdefault(ends[j], [])
                srcs += [s for s in sources[j] if s not in srcs]
            if len(named) > 1:
                places = [
                    f"{names[k]} ({', '.join(srcs)})" if srcs else names[k]
                    for k, srcs in named.items()
                ]
                lines.append(f"{word}: " + " · ".join(places))
        out.append(lines)
    return out


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_text(day: int, precision: int = 0) -> str:
    """Write a day (days since 1970) at its precision, as the page does (``util.js: periodText``).

    ``precision`` 0 is a day (ISO ``2022-09-14``), 1 a month (``Sep 2022``), 2 a year (``2022``).

    Examples
    --------
    >>> period_text(19249), period_text(19265, 1), period_text(19265, 2)
    ('2022-09-14', 'Sep 2022', '2022')
    """
    text = str(np.datetime64(int(day), "D"))
    if precision == 1:
        return f"{_MONTHS[int(text[5:7]) - 1]} {text[:4]}"
    return text[:4] if precision == 2 else text


def decode_coords(payload: dict[str, Any]) -> np.ndarray:
    """Decode the (lon, lat) vertices of a payload's shipped lanes.

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.render import build_payload
    >>> p = build_payload(gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok",
    ...                                    "mode": "sea"}]))
    >>> xy = decode_coords(p)
    >>> xy.shape[1], round(float(xy[0, 0]), 2)
    (2, 130.3)
    """
    q = np.asarray(unpack(payload["lanes"]["coords"]), dtype=np.int64).reshape(-1, 2)
    return q / 10 ** payload["precision"]
