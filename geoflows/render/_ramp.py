"""The magnitude ramp of a map with many flows: colour and opacity that grow with volume.

With a few dozen flows every line reads on its own, in its category's colour. With hundreds
or thousands they merge into one mass unless magnitude separates them (issue 24 item 1): each
flow gets a level, 0 for the smallest of its unit to ``LEVELS - 1`` for the largest, on the
same scale as its width (``scale=``, ``width_domain=``), and the page draws a level lighter
and fainter the lower it is, the smallest first, so small flows are faint hairlines and the
largest lie dark on top. The colours of each level are computed here, once, for the canvas
and the legend alike.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: A map with more flows than this is drawn with the magnitude ramp.
RAMP_MIN_FLOWS = 50
#: Number of levels of the ramp (the canvas strokes each level as its own batches).
LEVELS = 16
#: The one sequential ramp of a map with no colour field (no category): light to dark.
SINGLE_RAMP = ("#f6c9a0", "#e0603a", "#9e1a2b", "#3d0a26")
#: Opacity of the smallest and of the largest level; between them it grows with the square of
#: the level, so the many small and middling flows of a dense map stay faint.
ALPHA = (0.1, 0.95)
#: How much white is mixed into a category's colour at the smallest level (none at the top).
TINT = 0.7
#: The neutral ramp of the legend's width samples when flows have several colours.
NEUTRAL = "#444444"

_KEY_NONE = ""


def ramp_levels(
    width: np.ndarray, min_width: float, max_width: float, drawn: np.ndarray
) -> np.ndarray:
    """Give each flow's ramp level from its width: 0 at ``min_width`` to ``LEVELS - 1``.

    ``drawn`` marks the flows on a volume scale; the others (unknown volumes, events) get -1.

    Examples
    --------
    >>> ramp_levels(np.array([1.5, 7.75, 14.0, 1.0]), 1.5, 14.0, np.array([1, 1, 1, 0], bool))
    array([ 0,  8, 15, -1])
    """
    span = max(float(max_width) - float(min_width), 1e-9)
    t = np.clip((np.asarray(width, dtype=float) - min_width) / span, 0.0, 1.0)
    level = np.floor(t * (LEVELS - 1) + 0.5).astype(np.int64)
    return np.where(drawn, level, -1)


def _rgb(color: str) -> np.ndarray | None:
    """Red, green, blue (0-255) of a ``#rgb(a)`` or ``#rrggbb(aa)`` colour; None for other forms.

    Only hex colours are tinted (a named colour or a colour function keeps its colour at
    every level, :func:`_tinted`); matplotlib reads them.
    """
    from matplotlib.colors import to_rgb

    if not color.startswith("#"):
        return None
    try:
        return np.round(np.array(to_rgb(color)) * 255)
    except ValueError:
        return None


def _hex(rgb: np.ndarray) -> str:
    r, g, b = (int(v) for v in np.clip(np.round(rgb), 0, 255))
    return f"#{r:02x}{g:02x}{b:02x}"


def _along(stops: tuple[str, ...]) -> list[str]:
    """``LEVELS`` colours evenly along a ramp through ``stops`` (interpolated in sRGB)."""
    rgb = np.array([_rgb(s) for s in stops], dtype=float)
    t = np.linspace(0.0, len(stops) - 1, LEVELS)
    k = np.minimum(np.floor(t).astype(int), len(stops) - 2)
    f = (t - k)[:, None]
    return [_hex(c) for c in rgb[k] * (1 - f) + rgb[k + 1] * f]


def _tinted(color: str) -> list[str]:
    """``LEVELS`` colours from a light tint of ``color`` up to ``color`` itself.

    A palette colour given by name or function (``steelblue``, ``hsl(...)``) is kept as it is
    at every level: its opacity still grows with the level.
    """
    rgb, white = _rgb(color), np.full(3, 255.0)
    if rgb is None:
        return [color] * LEVELS
    mix = TINT * (1 - np.linspace(0.0, 1.0, LEVELS))[:, None]
    return [_hex(c) for c in white * mix + rgb * (1 - mix)]


def ramp(color_keys: list[str], colors: list[str]) -> dict[str, Any]:
    """Give the ramp of a map: per colour key, the colour of every level; each level's opacity.

    A map whose flows have no colour field value (one key, ``""``) takes the one sequential
    ramp (:data:`SINGLE_RAMP`); otherwise each category keeps its colour, tinted lighter at the
    low levels, so categories stay told apart. ``legend`` is the ramp of the legend's samples.

    Examples
    --------
    >>> r = ramp([""], ["#7f7f7f"])
    >>> len(r["colors"][0]) == len(r["alpha"]) == LEVELS, r["colors"][0][-1], r["single"]
    (True, '#3d0a26', True)
    >>> ramp(["shells"], ["#D55E00"])["colors"][0][-1]
    '#d55e00'
    """
    single = list(color_keys) == [_KEY_NONE]
    alpha = np.round(ALPHA[0] + (ALPHA[1] - ALPHA[0]) * np.linspace(0.0, 1.0, LEVELS) ** 2, 3)
    per_key = [_along(SINGLE_RAMP)] if single else [_tinted(c) for c in colors]
    return {
        "levels": LEVELS,
        "colors": per_key,
        "alpha": [float(a) for a in alpha],
        "single": single,
        "legend": per_key[0] if single else _tinted(NEUTRAL),
    }
