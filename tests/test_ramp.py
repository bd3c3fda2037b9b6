"""The magnitude ramp of a map with many flows (issue 24 item 1): each flow's level in the
payload (``mag``), the ramp's colours and opacities, the legend's real values, and small maps
left as they were."""

from __future__ import annotations

import numpy as np
import pytest

import geoflows as gf
from geoflows.render import build_payload
from geoflows.render._payload import expand
from geoflows.render._ramp import LEVELS, RAMP_MIN_FLOWS, SINGLE_RAMP, ramp, ramp_levels


def _flows(n: int, category: bool = False) -> gf.FlowSet:
    """``n`` flows between points, volumes 1, 2, ... n (the last the largest), one unknown."""
    records = [
        {
            "origin": f"{40 + (i % 7) * 0.5:.2f}, {10 + (i % 11) * 0.5:.2f}",
            "destination": f"{45 + (i % 5) * 0.5:.2f}, {20 + (i % 13) * 0.5:.2f}",
            "volume": None if i == 0 else float(i),
            "unit": "t",
            **({"category": "ore" if i % 2 else "grain"} if category else {}),
        }
        for i in range(n)
    ]
    return gf.read_flows(records, route="geodesic")


@pytest.fixture(scope="module")
def many() -> dict:
    return expand(build_payload(_flows(200)))


def test_each_flow_has_a_level_growing_with_its_volume(many):
    mag = np.asarray(many["mag"])
    vol = np.asarray(many["vol"], dtype=float)
    assert mag.shape == (200,) and mag[0] == -1  # the unknown volume is off the ramp
    known = vol > 0
    order = np.argsort(vol[known], kind="stable")
    assert (np.diff(mag[known][order]) >= 0).all()  # never lower for a larger volume
    # the sqrt scale starts at 0: volume 1 of 199 is a little above the lowest level
    assert mag[known].min() <= 1 and mag[known].max() == LEVELS - 1
    assert mag[np.argmax(vol)] == LEVELS - 1
    # on the width scale: the level is the width's place between min_width and max_width
    width = np.asarray(many["width"], dtype=float)
    expect = np.floor((width[known] - 1.5) / (14.0 - 1.5) * (LEVELS - 1) + 0.5)
    assert np.abs(mag[known] - expect).max() <= 1  # widths are rounded to 0.01 in the payload


def test_the_ramp_goes_light_and_faint_to_dark_and_opaque(many):
    r = many["ramp"]
    assert r["single"] is True and r["levels"] == LEVELS
    colors, alpha = r["colors"][0], r["alpha"]
    assert len(colors) == len(alpha) == LEVELS
    assert colors[0] == SINGLE_RAMP[0] and colors[-1] == SINGLE_RAMP[-1]
    assert alpha[0] < 0.2 and alpha[-1] > 0.9 and (np.diff(alpha) > 0).all()

    def lightness(c: str) -> int:
        return sum(int(c[k : k + 2], 16) for k in (1, 3, 5))

    assert all(lightness(a) > lightness(b) for a, b in zip(colors[:-1], colors[1:], strict=True))


def test_the_legend_gives_the_ramp_real_values(many):
    (unit,) = many["legend"]["widths"]
    assert unit["ramp"] == ["1", "199"]  # the smallest and the largest volume drawn
    levels = [s[3] for s in unit["samples"]]
    assert levels == sorted(levels) and levels[-1] == LEVELS - 1


def test_categories_keep_their_colours_at_the_top_of_the_ramp():
    p = expand(build_payload(_flows(120, category=True)))
    r = p["ramp"]
    assert r["single"] is False and len(r["colors"]) == len(p["colors"]) == 2
    for base, levels in zip(p["colors"], r["colors"], strict=True):
        assert levels[-1] == base.lower() and levels[0] != base.lower()


def test_a_small_map_has_no_ramp():
    p = build_payload(_flows(RAMP_MIN_FLOWS))
    assert p["mag"] is None and p["ramp"] is None
    assert all(len(s) == 3 for s in p["legend"]["widths"][0]["samples"])
    assert "ramp" not in p["legend"]["widths"][0]
    assert build_payload(_flows(RAMP_MIN_FLOWS + 1))["ramp"] is not None


def test_levels_and_ramp_of_arrays():
    drawn = np.array([True, True, True, False])
    assert ramp_levels(np.array([1.5, 7.75, 14.0, 3.0]), 1.5, 14.0, drawn).tolist() == [
        0,
        8,
        15,
        -1,
    ]
    # widths outside the scale (a fixed width_domain) are clipped to its ends
    assert ramp_levels(np.array([0.5, 20.0]), 1.5, 14.0, np.ones(2, bool)).tolist() == [0, 15]
    assert ramp(["a", "b"], ["#000000", "#ffffff"])["colors"][1] == ["#ffffff"] * LEVELS
    # a palette colour by name is kept at every level (only its opacity ramps); #rgba is tinted
    named = ramp(["a", "b"], ["steelblue", "#f008"])["colors"]
    assert named[0] == ["steelblue"] * LEVELS and named[1][-1] == "#ff0000"


def test_a_palette_of_colour_names_draws_with_the_ramp():
    flows = _flows(60, category=True)
    p = build_payload(flows, palette={"ore": "steelblue", "grain": "rgb(10, 20, 30)"})
    assert [c[0] for c in p["ramp"]["colors"]] == [
        p["colors"][0],
        p["colors"][1],
    ] and set(p["colors"]) == {"steelblue", "rgb(10, 20, 30)"}


def test_the_payload_is_the_same_for_the_same_flows():
    assert build_payload(_flows(80)) == build_payload(_flows(80))
