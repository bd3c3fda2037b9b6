"""Visual encoding of flows: volume → line width, category → colour, confidence → dash.

Pure functions over numpy/pandas; nothing here knows folium or the browser. The renderer
(:mod:`geoflows.render`) and the static plot both call these, so an HTML map and a PNG of the
same flows encode them the same way.

Volumes of different units are never put on one scale: :func:`width_scale` is applied per unit,
and each unit gets its own legend.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geoflows.errors import GeoflowsError, StyleError
from geoflows.schema import CONFIDENCES, is_blank

__all__ = [
    "COLOR_FIELDS",
    "CONFIDENCE_LEVELS",
    "DASHES",
    "EVENT_KINDS",
    "EVENT_UNITS",
    "EVENT_WIDTH",
    "MISSING_COLOR",
    "PALETTE",
    "SCALES",
    "WidthDomain",
    "WidthLegend",
    "category_colors",
    "color_problem",
    "confidence_dashes",
    "confidence_level",
    "format_spread",
    "format_volume",
    "is_event",
    "volume_domains",
    "width_scale",
    "widths_by_unit",
]

SCALES = ("sqrt", "linear", "log", "quantiles", "natural_breaks")
#: Fields a map can colour its flows by.
COLOR_FIELDS = ("category", "kind", "mode", "source", "unit", "confidence")

#: Okabe & Ito (2008) colour-blind-safe palette, then Paul Tol's "muted" for more categories;
#: Okabe-Ito's yellow comes last, as it is faint on light basemaps.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
    "#F0E442",
)
#: Colour of flows whose colour field is empty.
MISSING_COLOR = "#7f7f7f"

#: Dash pattern (SVG/Canvas ``dashArray``) per confidence level; ``""`` is solid.
DASHES = {"confirmed": "", "reported": "8 6", "claimed": "2 6", "unknown": "1 4"}
CONFIDENCE_LEVELS = CONFIDENCES  # the contract's words, from geoflows.schema

#: Kinds whose volume is a count of events, not a quantity moved: drawn at one fixed width with
#: a symbol, never on a volume scale (one visit is not "thin" beside 3,000,000 shells).
EVENT_KINDS = ("visit",)
#: Units that count events rather than measure a quantity (matched lower-case, trimmed).
EVENT_UNITS = ("visit", "visits", "visit(s)", "strike", "strikes", "strike(s)", "event", "events")
#: Pixel width of event flows (kinds in :data:`EVENT_KINDS` or units in :data:`EVENT_UNITS`).
EVENT_WIDTH = 2.5

#: A width domain: ``(low, high)`` for every unit, or ``{unit: (low, high)}``.
WidthDomain = tuple[float, float] | Mapping[str, tuple[float, float]]


@dataclass(frozen=True)
class WidthLegend:
    """The width legend of one unit: sample values and the pixel width each is drawn with.

    Examples
    --------
    >>> from geoflows.style import width_scale
    >>> widths, legend = width_scale([10, 1000], unit="containers")
    >>> legend.unit, legend.values[-1]
    ('containers', 1000.0)
    """

    unit: str
    scale: str
    values: tuple[float, ...]
    widths: tuple[float, ...]
    min_width: float
    max_width: float
    unknown_width: float = field(default=1.0)
    #: The fixed ``(low, high)`` volume domain of the scale, or None when it is the data's range.
    domain: tuple[float, float] | None = None


def confidence_level(value: object) -> str:
    """Map a confidence value (a word or a number in 0–1) to a level name.

    Numbers: ≥ 0.8 ``confirmed``, ≥ 0.5 ``reported``, otherwise ``claimed``.

    Parameters
    ----------
    value : str or float or None
        ``"confirmed"``, ``"reported"``, ``"claimed"``, a number in [0, 1], or missing.

    Returns
    -------
    str
        One of ``confirmed``, ``reported``, ``claimed``, ``unknown``.

    Examples
    --------
    >>> confidence_level("Reported"), confidence_level(0.9), confidence_level(None)
    ('reported', 'confirmed', 'unknown')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    text = str(value).strip().lower()
    if text in CONFIDENCE_LEVELS:
        return text
    if text == "":
        return "unknown"
    try:
        number = float(text)
    except ValueError:
        return "unknown"
    if number >= 0.8:
        return "confirmed"
    if number >= 0.5:
        return "reported"
    return "claimed"


def confidence_dashes(confidences: object) -> dict[str, str]:
    """Dash pattern per confidence level for one map: :data:`DASHES`, without false doubt.

    A record drawn dotted says "no one vouched for this". Where no record of the map gives a
    confidence at all (the data has no such column), that says nothing about any record:
    ``unknown`` is then drawn solid. Where some records give one, the others stay dotted.

    Parameters
    ----------
    confidences : iterable
        The ``confidence`` values of the map's records (words, numbers or missing).

    Returns
    -------
    dict
        Level → dash pattern (``""`` is solid).

    Examples
    --------
    >>> confidence_dashes([None, None])["unknown"], confidence_dashes(["reported", None])["unknown"]
    ('', '1 4')
    """
    given = any(confidence_level(c) != "unknown" for c in confidences)
    return dict(DASHES) if given else {**DASHES, "unknown": ""}


def _nice(value: float) -> float:
    """Round ``value`` to 1, 2 or 5 times a power of ten (for legend samples)."""
    if value <= 0 or not math.isfinite(value):
        return value
    exp = math.floor(math.log10(value))
    base = value / 10**exp
    nice = 1.0 if base < 1.5 else 2.0 if base < 3.5 else 5.0 if base < 7.5 else 10.0
    return nice * 10**exp


def width_scale(
    values: Sequence[float] | np.ndarray,
    *,
    scale: str = "sqrt",
    min_width: float = 1.5,
    max_width: float = 14.0,
    unknown_width: float = 1.0,
    unit: str = "",
    k: int = 5,
    domain: tuple[float, float] | None = None,
) -> tuple[np.ndarray, WidthLegend]:
    """Line widths in pixels for volumes of one unit, and their legend.

    Parameters
    ----------
    values : array-like of float
        Volumes; NaN means unknown and gets ``unknown_width`` (drawn dashed by the map).
    scale : {'sqrt', 'linear', 'log', 'quantiles', 'natural_breaks'}
        ``sqrt`` (default) makes line *area* proportional to volume. ``quantiles`` and
        ``natural_breaks`` are class breaks from mapclassify, drawn as ``k`` width steps.
    min_width, max_width : float
        Pixel widths of the smallest and largest known volume.
    unknown_width : float
        Width of flows with no volume.
    unit : str
        The unit these volumes are in; carried into the legend.
    k : int
        Number of classes for the class-break scales.
    domain : (float, float), optional
        Fix the scale to this ``(low, high)`` volume range instead of the data's range, so
        maps of different flows can be compared by eye (``sqrt``, ``linear`` and ``log``
        scales). ``high`` is drawn at ``max_width``; volumes beyond the domain are clipped.
        ``sqrt`` and ``linear`` stay zero-based (0 is drawn at ``min_width``), so ``low``
        matters only for ``log``.

    Returns
    -------
    widths : numpy.ndarray
        One width per value.
    legend : WidthLegend
        Sample values (rounded to 1-2-5 steps) and their widths.

    Raises
    ------
    StyleError
        If ``domain`` is not two numbers with 0 <= low < high, or is used with a class-break scale.

    Examples
    --------
    >>> widths, legend = width_scale([0, 250, 1000], min_width=1, max_width=9)
    >>> [round(float(w), 1) for w in widths]
    [1.0, 5.0, 9.0]
    >>> widths, legend = width_scale([250, 1000], min_width=1, max_width=9, domain=(0, 4000))
    >>> [round(float(w), 1) for w in widths], legend.domain
    ([3.0, 5.0], (0.0, 4000.0))
    """
    domain = _check_width_args(scale, min_width, max_width, domain, unit)
    v = np.asarray(values, dtype=float)
    known = np.isfinite(v)
    widths = np.full(v.shape, float(unknown_width))
    if not known.any():
        return widths, WidthLegend(unit, scale, (), (), min_width, max_width, unknown_width, domain)
    kv = v[known]
    if scale in ("quantiles", "natural_breaks"):
        known_widths, legend = _class_widths(
            kv, scale, k, unit, min_width, max_width, unknown_width
        )
    else:
        known_widths, legend = _continuous_widths(
            kv, scale, unit, min_width, max_width, unknown_width, domain
        )
    widths[known] = known_widths
    return widths, legend


def _check_width_args(
    scale: str,
    min_width: float,
    max_width: float,
    domain: tuple[float, float] | None,
    unit: str,
) -> tuple[float, float] | None:
    """Check the options of :func:`width_scale`; return the domain as floats (or None)."""
    if scale not in SCALES:
        raise GeoflowsError(f"scale must be one of {', '.join(SCALES)}; got {scale!r}")
    if not (0 < min_width <= max_width):
        raise GeoflowsError(
            f"need 0 < min_width <= max_width; got min_width={min_width}, max_width={max_width}"
        )
    if domain is None:
        return None
    checked = _check_domain(domain, unit)
    if scale in ("quantiles", "natural_breaks"):
        raise StyleError(
            f"width_domain works with the sqrt, linear and log scales, not scale={scale!r}; "
            f"drop width_domain or pick one of those scales"
        )
    return checked


def _class_bins(kv: np.ndarray, scale: str, k: int) -> np.ndarray:
    """Return the upper class breaks of the known volumes ``kv`` (mapclassify)."""
    import mapclassify

    n_classes = max(1, min(k, len(np.unique(kv))))
    if n_classes == 1:
        return np.array([float(kv.max())])
    if scale == "quantiles":
        return mapclassify.Quantiles(kv, k=n_classes).bins
    with warnings.catch_warnings():
        # mapclassify suggests numba for speed; the pure-Python path is exact.
        warnings.filterwarnings("ignore", message=".*[Nn]umba.*")
        return mapclassify.FisherJenks(kv, k=n_classes).bins


def _class_widths(
    kv: np.ndarray,
    scale: str,
    k: int,
    unit: str,
    min_width: float,
    max_width: float,
    unknown_width: float,
) -> tuple[np.ndarray, WidthLegend]:
    """Draw the known volumes ``kv`` as ``k`` width steps of class breaks, with their legend."""
    bins = _class_bins(kv, scale, k)
    steps = np.linspace(min_width, max_width, len(bins)) if len(bins) > 1 else np.array([max_width])
    cls = np.minimum(np.searchsorted(bins, kv, side="left"), len(bins) - 1)
    legend = WidthLegend(
        unit,
        scale,
        tuple(float(b) for b in bins),
        tuple(float(s) for s in steps),
        min_width,
        max_width,
        unknown_width,
    )
    return steps[cls], legend


def _transform(x: np.ndarray, scale: str) -> np.ndarray:
    """Apply the ``sqrt``, ``log`` (log10 of 1 + x) or ``linear`` transform to volumes >= 0."""
    x = np.maximum(x, 0.0)
    if scale == "sqrt":
        return np.sqrt(x)
    if scale == "log":
        return np.log10(1.0 + x)
    return x


def _legend_samples(vmin: float, vmax: float) -> list[float]:
    """Pick up to three round legend values (1-2-5 steps) in ``[vmin, vmax]``, ending at vmax."""
    samples = sorted({_nice(vmax), _nice(vmax / 4), _nice(vmax / 20)} - {0.0})
    samples = [s for s in samples if s <= vmax * 1.0001 and s >= max(vmin, vmax / 1000)] or [vmax]
    return sorted(set(samples) | {vmax})[-3:]


def _continuous_widths(
    kv: np.ndarray,
    scale: str,
    unit: str,
    min_width: float,
    max_width: float,
    unknown_width: float,
    domain: tuple[float, float] | None,
) -> tuple[np.ndarray, WidthLegend]:
    """Scale the known volumes ``kv`` between the pixel widths (sqrt/linear/log), with a legend."""
    vmin, vmax = domain if domain is not None else (float(kv.min()), float(kv.max()))
    lo = 0.0 if scale != "log" else float(_transform(np.array([max(vmin, 0.0)]), scale)[0])
    hi = float(_transform(np.array([vmax]), scale)[0])

    def to_px(x: np.ndarray) -> np.ndarray:
        t = _transform(x, scale)
        if hi - lo <= 0:
            return np.full(t.shape, float(max_width))
        return min_width + (max_width - min_width) * np.clip((t - lo) / (hi - lo), 0.0, 1.0)

    samples = _legend_samples(vmin, vmax)
    legend = WidthLegend(
        unit,
        scale,
        tuple(float(s) for s in samples),
        tuple(float(w) for w in to_px(np.array(samples))),
        min_width,
        max_width,
        unknown_width,
        domain,
    )
    return to_px(kv), legend


def _check_domain(domain: object, unit: str = "") -> tuple[float, float]:
    """``(low, high)`` as floats, or a :class:`StyleError` naming ``width_domain`` and the value."""
    where = f"width_domain[{unit!r}]" if unit else "width_domain"
    try:
        low, high = (float(x) for x in domain)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise StyleError(
            f"{where} must be two numbers (low, high) or a {{unit: (low, high)}} mapping; "
            f"got {domain!r}"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low < high):
        raise StyleError(
            f"{where} must have 0 <= low < high; got {domain!r}: give the smallest and the "
            f"largest volume the scale should span"
        )
    return low, high


def is_event(
    kinds: Sequence[object] | np.ndarray, units: Sequence[object] | np.ndarray
) -> np.ndarray:
    """Which flows count events (a visit, a strike) rather than a quantity moved.

    A flow is an event when its kind is in :data:`EVENT_KINDS` (``visit``) or its unit is in
    :data:`EVENT_UNITS` (``visit(s)``, ``strike(s)``, ``event(s)``). Such flows are drawn at
    :data:`EVENT_WIDTH` with a symbol, not on a volume scale.

    Parameters
    ----------
    kinds, units : array-like of str
        One kind and one unit per flow (missing values are allowed).

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> is_event(["visit", "shipment", "transfer"], ["visits", "shells", "Strikes"]).tolist()
    [True, False, True]
    """
    k = pd.Series(np.asarray(kinds, dtype=object)).fillna("").astype(str).str.strip().str.lower()
    u = pd.Series(np.asarray(units, dtype=object)).fillna("").astype(str).str.strip().str.lower()
    return (k.isin(EVENT_KINDS) | u.isin(EVENT_UNITS)).to_numpy()


def volume_domains(
    volumes: Sequence[float] | np.ndarray, units: Sequence[str] | np.ndarray
) -> dict[str, tuple[float, float]]:
    """Compute the ``{unit: (low, high)}`` width domain that spans these volumes, per unit.

    Build files use it with ``share_scale: true``: computed over every map's flows and passed
    to each map as ``width_domain``, it makes one width mean one volume across the batch.
    Units whose volumes are all unknown or zero get no domain.

    Parameters
    ----------
    volumes : array-like of float
        Volumes (NaN = unknown); pass the range tops too, so bands fit the domain.
    units : array-like of str

    Returns
    -------
    dict

    Examples
    --------
    >>> volume_domains([1000, 6700, float("nan"), 5], ["containers", "containers", "t", "t"])
    {'containers': (1000.0, 6700.0), 't': (0.0, 5.0)}
    """
    v = np.asarray(volumes, dtype=float)
    u = pd.Series(np.asarray(units, dtype=object)).fillna("").astype(str).to_numpy()
    out: dict[str, tuple[float, float]] = {}
    for unit in sorted(set(u[np.isfinite(v)].tolist())):
        kv = v[(u == unit) & np.isfinite(v)]
        low, high = float(kv.min()), float(kv.max())
        if high <= 0:
            continue
        out[unit] = (low if low < high else 0.0, high)
    return out


def widths_by_unit(
    volumes: Sequence[float] | np.ndarray,
    units: Sequence[str] | np.ndarray,
    *,
    domain: WidthDomain | None = None,
    events: Sequence[bool] | np.ndarray | None = None,
    **kwargs: object,
) -> tuple[np.ndarray, list[WidthLegend]]:
    """Apply :func:`width_scale` separately to each unit, so no two units share a scale.

    Parameters
    ----------
    volumes : array-like of float
        One volume per flow (NaN = unknown).
    units : array-like of str
        One unit per flow ('' for none).
    domain : (float, float) or dict, optional
        Fixed volume domain: ``(low, high)`` for every unit, or ``{unit: (low, high)}`` (units
        it does not name are scaled to their data). See :func:`width_scale`.
    events : array-like of bool, optional
        Flows that count events (see :func:`is_event`): drawn at :data:`EVENT_WIDTH`, kept off
        the unit's scale and legend. The caller flags them for a symbol.
    **kwargs
        Passed to :func:`width_scale` (``scale``, ``min_width``, ``max_width`` ...).

    Returns
    -------
    widths : numpy.ndarray
    legends : list of WidthLegend
        One per unit that has at least one known, non-event volume, in sorted unit order.

    Raises
    ------
    StyleError
        If a domain is not ``(low, high)`` with 0 <= low < high.

    Examples
    --------
    >>> w, legends = widths_by_unit([1000, 2000, 5], ["containers", "containers", "missiles"])
    >>> [lg.unit for lg in legends], float(w[2])
    (['containers', 'missiles'], 14.0)
    >>> w, legends = widths_by_unit([1000, 1], ["containers", "visits"], events=[False, True])
    >>> [lg.unit for lg in legends], float(w[1])
    (['containers'], 2.5)
    """
    v = np.asarray(volumes, dtype=float)
    u = pd.Series(np.asarray(units, dtype=object)).fillna("").astype(str).to_numpy()
    ev = np.zeros(v.shape, bool) if events is None else np.asarray(events, dtype=bool)
    domains: Mapping[str, tuple[float, float]] = {}
    if isinstance(domain, Mapping):
        domains = {str(k): _check_domain(d, str(k)) for k, d in domain.items()}
    elif domain is not None:
        shared = _check_domain(domain)
    widths = np.empty(v.shape)
    widths[ev] = EVENT_WIDTH
    legends: list[WidthLegend] = []
    for unit in sorted(set(u[~ev].tolist())):
        mask = (u == unit) & ~ev
        d = domains.get(unit) if isinstance(domain, Mapping) or domain is None else shared
        w, legend = width_scale(v[mask], unit=unit, domain=d, **kwargs)  # type: ignore[arg-type]
        widths[mask] = w
        if legend.values:
            legends.append(legend)
    return widths, legends


_NUM = r"[+-]?(?:\d{1,10}(?:\.\d{0,10})?|\.\d{1,10})"
_PCT = rf"{_NUM}%?"
_SEP = r"\s*,\s*"
_COLOR_RES = (
    re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"),
    # rgb(1, 2, 3), rgba(1, 2, 3, 0.5), rgb(1 2 3 / 50%): numbers (or percentages) only
    re.compile(rf"rgba?\(\s*{_PCT}{_SEP}{_PCT}{_SEP}{_PCT}(?:{_SEP}{_PCT})?\s*\)", re.I),
    re.compile(rf"rgba?\(\s*{_PCT}\s+{_PCT}\s+{_PCT}(?:\s*/\s*{_PCT})?\s*\)", re.I),
    re.compile(rf"hsla?\(\s*{_NUM}(?:deg)?{_SEP}{_PCT}{_SEP}{_PCT}(?:{_SEP}{_PCT})?\s*\)", re.I),
    re.compile(rf"hsla?\(\s*{_NUM}(?:deg)?\s+{_PCT}\s+{_PCT}(?:\s*/\s*{_PCT})?\s*\)", re.I),
)
#: The colour forms an option may give (the reason a colour is refused lists them).
COLOR_FORMS = (
    "#rgb, #rrggbb (or #rgba, #rrggbbaa), a CSS colour name (steelblue), rgb()/rgba() or "
    "hsl()/hsla() of numbers only"
)


def color_problem(value: object) -> str | None:
    """Return why ``value`` is not a colour a map may use, or None when it is one.

    A colour reaches the page's CSS and canvas, so only a strict grammar passes: hex, a CSS
    colour name, or ``rgb()``/``rgba()``/``hsl()``/``hsla()`` of numbers. Anything else
    (``url(...)``, ``var(...)``, ``;``, quotes) is refused, so an option cannot make the offline
    page fetch a URL or add CSS.

    Examples
    --------
    >>> color_problem("#0072B2") is None, color_problem("rgb(0, 114, 178)") is None
    (True, True)
    >>> color_problem("url(http://host/x)")
    "'url(http://host/x)' is not a colour: give #rgb, #rrggbb (or #rgba, #rrggbbaa), a CSS colour name (steelblue), rgb()/rgba() or hsl()/hsla() of numbers only"
    """
    if isinstance(value, str) and len(value) <= 64:
        text = value.strip()
        if any(r.fullmatch(text) for r in _COLOR_RES):
            return None
        from matplotlib.colors import CSS4_COLORS  # the CSS Color 4 names

        if text.lower() in CSS4_COLORS:
            return None
    shown = (
        repr(value) if not isinstance(value, str) or len(value) <= 64 else repr(value[:61] + "...")
    )
    return f"{shown} is not a colour: give {COLOR_FORMS}"


def _check_palette(palette: object) -> None:
    """Raise :class:`StyleError` naming the first colour of ``palette`` that is not one."""
    if isinstance(palette, Mapping):
        colors = list(palette.values())
    else:
        colors = [palette] if isinstance(palette, str) else list(palette)  # type: ignore[call-overload]
    for c in colors:
        reason = color_problem(c)
        if reason:
            raise StyleError(f"palette: {reason}")


def category_colors(
    values: Sequence[object] | np.ndarray,
    palette: Sequence[str] | dict[str, str] | None = None,
) -> dict[str, str]:
    """Assign a colour to each distinct value, deterministically (sorted order).

    Parameters
    ----------
    values : array-like
        The colour field of every flow (category, kind, mode or source). Empty values get
        :data:`MISSING_COLOR`.
    palette : sequence of str or dict, optional
        Colours to cycle through (default :data:`PALETTE`, colour-blind safe), or an explicit
        ``{value: colour}`` mapping; values it lacks take palette colours.

    Returns
    -------
    dict
        ``{value: "#rrggbb"}``.

    Examples
    --------
    >>> category_colors(["shells", "containers", "shells"])
    {'containers': '#0072B2', 'shells': '#D55E00'}
    """
    if palette is not None:
        _check_palette(palette)
    explicit = dict(palette) if isinstance(palette, dict) else {}
    cycle = (
        list(palette) if palette is not None and not isinstance(palette, dict) else list(PALETTE)
    )
    # Text is kept as given (renderers look colours up by str(value)); None, NA, NaN, NaT are
    # the missing category.
    distinct = sorted({str(v) if isinstance(v, str) or not is_blank(v) else "" for v in values})
    colors: dict[str, str] = {}
    i = 0
    for value in distinct:
        if value in explicit:
            colors[value] = explicit[value]
        elif value == "":
            colors[value] = MISSING_COLOR
        else:
            colors[value] = cycle[i % len(cycle)]
            i += 1
    return colors


def format_volume(
    value: float, low: float = math.nan, high: float = math.nan, unit: str = ""
) -> str:
    """Human text for a volume or a range, saying exactly what the source says.

    A range reads ``"1,000–2,000 containers"``; only a lower bound reads ``"more than 200
    missiles"``; only an upper bound reads ``"up to 500 missiles"``. A best estimate given
    beside a range or a bound is added in brackets.

    Parameters
    ----------
    value : float
        The volume (NaN if not given).
    low, high : float
        The bounds of the range (NaN if not given).
    unit : str
        Written after the number.

    Returns
    -------
    str

    Examples
    --------
    >>> format_volume(float("nan"), 1000, 2000, "containers")
    '1,000–2,000 containers'
    >>> format_volume(float("nan"), 200, unit="missiles")
    'more than 200 missiles'
    >>> format_volume(float("nan"), high=500, unit="missiles")
    'up to 500 missiles'
    >>> format_volume(float("nan"))
    'volume unknown'
    """

    def num(x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.3g}"

    unit = f" {unit}" if unit else ""
    has_low, has_high = math.isfinite(low), math.isfinite(high)
    mid = f" (best estimate {num(value)})" if math.isfinite(value) else ""
    if has_low and has_high and low != high:
        return f"{num(low)}–{num(high)}{unit}{mid}"
    if has_low and has_high:
        return f"{num(value if math.isfinite(value) else low)}{unit}"
    if has_low:
        return f"more than {num(low)}{unit}{mid if value != low else ''}"
    if has_high:
        return f"up to {num(high)}{unit}{mid if value != high else ''}"
    if math.isfinite(value):
        return f"{num(value)}{unit}"
    return "volume unknown"


def format_spread(claims: Sequence[Sequence[float]], unit: str = "") -> str:
    """Human text for the spread of several claims about one movement, open bounds kept.

    The spread runs from the lowest bound any claim gives to the highest. A bound that only a
    "more than" or an "up to" claim gives keeps its words, so ``more than 200`` beside
    ``2,000–2,400`` reads ``"more than 200 – 2,400"``, never ``"200–2,400"``; an exact bound
    wins a tie. The page writes the same text (``util.js: spreadText``).

    Parameters
    ----------
    claims : sequence of (volume, low, high)
        One triple per claim, NaN where a value is not given.
    unit : str
        Written after the numbers.

    Returns
    -------
    str

    Examples
    --------
    >>> nan = float("nan")
    >>> format_spread([(nan, 2000, 2400), (nan, 200, nan)], "rail cars")
    'more than 200 – 2,400 rail cars'
    >>> format_spread([(8000, nan, nan), (11000, nan, nan), (nan, 10000, 12000)], "troops")
    '8,000–12,000 troops'
    >>> format_spread([(200, nan, nan), (nan, nan, 250)], "missiles")
    '200 – up to 250 missiles'
    """
    lo, hi, lo_tag, hi_tag = math.inf, -math.inf, "", ""
    for value, low, high in claims:
        value, low, high = (float(x) if x is not None else math.nan for x in (value, low, high))
        if math.isfinite(low) and math.isfinite(high):
            bounds = ((low, ""), (high, ""))
        elif math.isfinite(value):
            bounds = ((value, ""), (value, ""))
        elif math.isfinite(low):
            bounds = ((low, "more than "), (low, "more than "))
        elif math.isfinite(high):
            bounds = ((high, "up to "), (high, "up to "))
        else:
            continue
        (a, a_tag), (b, b_tag) = bounds
        if a < lo or (a == lo and not a_tag):
            lo, lo_tag = a, a_tag
        if b > hi or (b == hi and not b_tag):
            hi, hi_tag = b, b_tag
    if lo == math.inf:
        return "volume unknown"

    def num(x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.3g}"

    unit = f" {unit}" if unit else ""
    if lo == hi and lo_tag == hi_tag:
        return f"{lo_tag}{num(lo)}{unit}"
    if not lo_tag and not hi_tag:
        return f"{num(lo)}–{num(hi)}{unit}"
    return f"{lo_tag}{num(lo)} – {hi_tag}{num(hi)}{unit}"
