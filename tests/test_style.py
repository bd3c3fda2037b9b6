"""geoflows.style: widths, colours, volume text, confidence levels (pure functions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import geoflows as gf
from geoflows.style import (
    DASHES,
    MISSING_COLOR,
    PALETTE,
    SCALES,
    category_colors,
    confidence_level,
    format_volume,
    width_scale,
    widths_by_unit,
)

NAN = math.nan


@pytest.mark.filterwarnings("ignore:Numba not installed")
@pytest.mark.parametrize("scale", SCALES)
def test_widths_are_monotonic_and_bounded(scale):
    values = np.array([0, 1, 10, 100, 1000, 5000, 1e6])
    widths, legend = width_scale(values, scale=scale, min_width=2, max_width=12)
    assert np.all(np.diff(widths) >= 0)
    assert widths.min() >= 2 and widths.max() == pytest.approx(12)
    assert legend.scale == scale and len(legend.values) == len(legend.widths) >= 1
    assert all(2 <= w <= 12 + 1e-9 for w in legend.widths)


def test_sqrt_makes_area_proportional():
    widths, _ = width_scale([0, 250, 1000], min_width=1, max_width=9)
    assert widths.tolist() == pytest.approx([1, 5, 9])


def test_unknown_volumes_get_unknown_width():
    widths, legend = width_scale([NAN, 10, NAN], unknown_width=0.5)
    assert widths[0] == widths[2] == 0.5 and widths[1] == 14.0
    widths, legend = width_scale([NAN, NAN])
    assert widths.tolist() == [1.0, 1.0] and legend.values == ()


@pytest.mark.filterwarnings("ignore:Numba not installed")
@pytest.mark.parametrize("values", [[5], [7, 7, 7], [0], [0, 0], [1e-9, 1e15], [1e15]])
def test_degenerate_values_give_finite_widths(values):
    for scale in SCALES:
        widths, legend = width_scale(values, scale=scale)
        assert np.isfinite(widths).all() and (widths > 0).all(), (scale, values, widths)
        assert all(math.isfinite(v) for v in legend.values)


def test_empty_input():
    widths, legend = width_scale([])
    assert widths.shape == (0,) and legend.values == ()


def test_bad_options_are_clear_errors():
    with pytest.raises(gf.GeoflowsError, match="scale must be one of"):
        width_scale([1], scale="cubic")
    with pytest.raises(gf.GeoflowsError, match="min_width"):
        width_scale([1], min_width=5, max_width=2)
    with pytest.raises(gf.GeoflowsError, match="min_width"):
        width_scale([1], min_width=0)


def test_units_never_share_a_scale():
    widths, legends = widths_by_unit(
        [1000, 2000, 5, NAN], ["containers", "containers", "missiles", "missiles"]
    )
    assert [lg.unit for lg in legends] == ["containers", "missiles"]
    assert widths[1] == widths[2] == 14.0 and widths[3] == 1.0
    widths, legends = widths_by_unit([1, 2], [None, None])
    assert [lg.unit for lg in legends] == [""]


def test_category_colors_are_deterministic_and_safe():
    a = category_colors(["shells", "containers", "", None, float("nan"), "shells"])
    assert a == category_colors(["containers", "shells", ""])
    assert a == {"": MISSING_COLOR, "containers": PALETTE[0], "shells": PALETTE[1]}
    many = category_colors([f"c{i:02d}" for i in range(len(PALETTE) + 3)])
    assert list(many.values())[len(PALETTE)] == PALETTE[0]  # cycles, never fails


def test_category_colors_palettes():
    assert category_colors(["a", "b"], ["#111111"]) == {"a": "#111111", "b": "#111111"}
    assert category_colors(["a", "b"], {"b": "#123456"}) == {"a": PALETTE[0], "b": "#123456"}


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((1000,), "1,000"),
        ((1000, NAN, NAN, "containers"), "1,000 containers"),
        ((NAN, 1000, 2000, "containers"), "1,000–2,000 containers"),
        ((1500, 1000, 2000, "t"), "1,000–2,000 t (best estimate 1,500)"),
        ((NAN, 5, 5, "t"), "5 t"),
        ((NAN, 7, NAN, ""), "more than 7"),
        ((NAN, 200, NAN, "missiles"), "more than 200 missiles"),
        ((NAN, NAN, 500, "missiles"), "up to 500 missiles"),
        ((300, 200, NAN, "missiles"), "more than 200 missiles (best estimate 300)"),
        ((500, NAN, 500, "t"), "up to 500 t"),
        ((NAN,), "volume unknown"),
        ((0,), "0"),
        ((0.25,), "0.25"),
        ((1e15,), "1,000,000,000,000,000"),
        ((1e-9,), "1e-09"),
        ((2.5, NAN, NAN, "<b>"), "2.5 <b>"),  # plain text: escaping is render's job
    ],
)
def test_format_volume(args, text):
    assert format_volume(*args) == text


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("confirmed", "confirmed"),
        (" Reported ", "reported"),
        ("CLAIMED", "claimed"),
        (0.8, "confirmed"),
        (1, "confirmed"),
        ("0.5", "reported"),
        (0.79, "reported"),
        (0.49, "claimed"),
        (0, "claimed"),
        (None, "unknown"),
        (NAN, "unknown"),
        ("", "unknown"),
        ("maybe", "unknown"),
    ],
)
def test_confidence_level(value, level):
    assert confidence_level(value) == level


def test_every_level_has_a_dash():
    assert set(DASHES) == {"confirmed", "reported", "claimed", "unknown"}
    assert DASHES["confirmed"] == ""
