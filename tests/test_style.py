"""geoflows.style: widths, colours, volume text, confidence levels (pure functions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import geoflows as gf
from geoflows.style import (
    DASHES,
    EVENT_WIDTH,
    MISSING_COLOR,
    PALETTE,
    SCALES,
    category_colors,
    confidence_level,
    format_volume,
    is_event,
    volume_domains,
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
    # every blank that is not text (None, NA, NaN, NaT) is the one missing category
    assert category_colors([None, pd.NA, float("nan"), pd.NaT, ""]) == {"": MISSING_COLOR}
    # text is a category as given: renderers look colours up by str(value)
    assert set(category_colors([" ", "a"])) == {" ", "a"}
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


# --------------------------------------------------------------------------- width domains


def test_a_fixed_domain_makes_one_width_mean_one_volume_across_maps():
    march, _ = width_scale([1000], min_width=1, max_width=9, domain=(0, 4000))
    august, lg = width_scale([250, 4000], min_width=1, max_width=9, domain=(0, 4000))
    assert march.tolist() == pytest.approx([5.0]) and august.tolist() == pytest.approx([3.0, 9.0])
    assert lg.domain == (0.0, 4000.0) and lg.values[-1] == 4000.0


def test_volumes_beyond_the_domain_are_clipped():
    # sqrt and linear stay zero-based (width in proportion to volume); only the top is fixed
    w, _ = width_scale([10, 50_000], min_width=2, max_width=10, scale="linear", domain=(100, 1000))
    assert w.tolist() == pytest.approx([2.08, 10.0])


def test_log_scale_starts_at_the_domain_low():
    w, _ = width_scale([9, 99, 999], min_width=1, max_width=3, scale="log", domain=(9, 999))
    assert w.tolist() == pytest.approx([1.0, 2.0, 3.0])


def test_no_domain_keeps_todays_widths_exactly():
    values = [3, 40, 512, 9000]
    assert width_scale(values)[0].tolist() == width_scale(values, domain=None)[0].tolist()
    w, legends = widths_by_unit(values, ["t", "t", "t", "c"])
    assert w.tolist() == [
        *width_scale([3, 40, 512], unit="t")[0].tolist(),
        14.0,
    ] and all(lg.domain is None for lg in legends)


def test_domain_per_unit_leaves_other_units_on_their_data():
    w, legends = widths_by_unit(
        [1000, 2000, 5], ["containers", "containers", "missiles"], domain={"containers": (0, 8000)}
    )
    assert w.tolist() == pytest.approx([1.5 + 12.5 * math.sqrt(1 / 8), 1.5 + 12.5 * 0.5, 14.0])
    assert [lg.domain for lg in legends] == [(0.0, 8000.0), None]


def test_one_domain_for_all_units():
    w, legends = widths_by_unit([100, 100], ["a", "b"], domain=(0, 400), min_width=1, max_width=9)
    assert w.tolist() == pytest.approx([5.0, 5.0])
    assert [lg.domain for lg in legends] == [(0.0, 400.0), (0.0, 400.0)]


@pytest.mark.parametrize(
    ("domain", "match"),
    [
        ((5, 5), r"width_domain must have 0 <= low < high; got \(5, 5\)"),
        ((10, 2), r"width_domain must have 0 <= low < high; got \(10, 2\)"),
        ((-1, 2), r"width_domain must have 0 <= low < high; got \(-1, 2\)"),
        ((0, math.inf), r"width_domain must have 0 <= low < high"),
        ("big", r"width_domain must be two numbers \(low, high\).*got 'big'"),
        ((1, 2, 3), r"width_domain must be two numbers"),
        ({"shells": (9, 1)}, r"width_domain\['shells'\] must have 0 <= low < high; got \(9, 1\)"),
    ],
)
def test_bad_domains_name_width_domain_and_the_value(domain, match):
    with pytest.raises(gf.StyleError, match=match) as info:
        widths_by_unit([1, 2], ["shells", "shells"], domain=domain)
    assert isinstance(info.value, ValueError)


def test_domain_with_class_breaks_is_refused():
    with pytest.raises(gf.StyleError, match="width_domain works with the sqrt, linear and log"):
        width_scale([1, 2, 3], scale="quantiles", domain=(0, 5))


def test_volume_domains_span_values_and_range_tops_per_unit():
    got = volume_domains(
        [1000, 13000, NAN, 0, 0, 7, 7], ["c", "c", "c", "z", "z", "visits", "visits"]
    )
    assert got == {"c": (1000.0, 13000.0), "visits": (0.0, 7.0)}


# --------------------------------------------------------------------------- events


def test_events_are_visits_and_strikes_by_kind_or_unit():
    kinds = ["visit", "Visit ", "transfer", "transfer", "shipment", None]
    units = ["", "trips", "strike(s)", "missiles", "visits", None]
    assert is_event(kinds, units).tolist() == [True, True, True, False, True, False]


def test_events_get_one_fixed_width_off_the_scale_and_legend():
    volumes = [1, 3_000_000, 1_000_000, 2]
    units = ["visits", "shells", "shells", "visits"]
    ev = is_event(["visit", "shipment", "shipment", "visit"], units)
    w, legends = widths_by_unit(volumes, units, events=ev)
    assert w[[0, 3]].tolist() == [EVENT_WIDTH, EVENT_WIDTH]
    assert w[1] == 14.0 and w[2] == pytest.approx(1.5 + 12.5 * math.sqrt(1 / 3))
    assert [lg.unit for lg in legends] == ["shells"]


def test_no_confidence_column_is_drawn_solid_not_doubted(tmp_path):
    """Issue 24 §2: data with no confidence column says nothing about doubt: solid lines on
    the page and in the figure, and no "confirmed" or "unknown" confidence in the legend;
    where some records give a confidence, the others stay dotted."""
    import matplotlib

    matplotlib.use("Agg")
    import geoflows as gf
    from geoflows.render._payload import build_payload, expand

    plain = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": 5}])
    mixed = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "volume": 5},
            {
                "origin": "Nampo",
                "destination": "Vladivostok",
                "volume": 3,
                "confidence": "reported",
            },
        ]
    )
    p = expand(build_payload(plain.to_geodataframe()))
    assert p["dashes"][p["confLevels"].index("unknown")] == ""
    q = expand(build_payload(mixed.to_geodataframe()))
    assert q["dashes"][q["confLevels"].index("unknown")] == "1 4"
    ax = plain.plot()
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()] if legend else []
    assert "confirmed" not in labels and "confidence unknown" not in labels
    ax_mixed = mixed.plot()
    mixed_labels = [t.get_text() for t in ax_mixed.get_legend().get_texts()]
    assert "reported" in mixed_labels and "confidence unknown" in mixed_labels
