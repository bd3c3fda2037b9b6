"""Magnitude separates the 5,366 flows between US airports (issue 24 item 1), seen in Chromium.

On vega-datasets' airports map (no category: one sequential ramp), zoomed to California at
zoom 5, the canvas is read along the lines the page itself drew (their projected vertices):
the largest flow (SFO → LAX, 13,788 flights; every flow confirmed, so drawn solid) is dark and opaque, a small flow a faint, light
hairline, and where a small flow crosses the largest, the largest lies on top. The legend
shows the ramp between the smallest and the largest count, and each width sample in its
ramp colour.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import geoflows as gf

from .conftest import JS_LAYER, JS_MAP, Probe

pytestmark = pytest.mark.browser

VEGA = Path(__file__).resolve().parents[1] / "data" / "vega"

#: Per flow i: the canvas pixels (RGBA) at `count` points along the middle of its line
#: (from 30 % to 70 % of its vertices: clear of the place circles at its ends).
JS_ALONG = """((layer, i, count) => {
  const c = document.querySelector('canvas.geoflows-canvas').getContext('2d');
  const q = layer._points(i), out = [];
  for (let s = 0; s < count; s++) {
    const t = 0.3 + 0.4 * s / (count - 1), at = q.from + t * (q.to - 1 - q.from);
    const k = Math.floor(at), f = at - k, k1 = Math.min(k + 1, q.to - 1);
    const x = q.pts[2 * k] * (1 - f) + q.pts[2 * k1] * f, y = q.pts[2 * k + 1] * (1 - f) + q.pts[2 * k1 + 1] * f;
    if (x < 0 || y < 0 || x >= c.canvas.width || y >= c.canvas.height) continue;
    out.push(Array.from(c.getImageData(Math.round(x), Math.round(y), 1, 1).data));
  }
  return out; })"""

#: Where segments of flow a and flow b cross on screen, away from place circles and arrows:
#: [x, y] points.
JS_CROSSINGS = """((layer, a, b) => {
  const p = layer._points(a), q = layer._points(b), out = [];
  for (let i = p.from + 1; i < p.to; i++) for (let j = q.from + 1; j < q.to; j++) {
    const ax = p.pts[2 * i - 2], ay = p.pts[2 * i - 1], bx = p.pts[2 * i], by = p.pts[2 * i + 1];
    const cx = q.pts[2 * j - 2], cy = q.pts[2 * j - 1], dx = q.pts[2 * j], dy = q.pts[2 * j + 1];
    const den = (bx - ax) * (dy - cy) - (by - ay) * (dx - cx);
    if (!den) continue;
    const t = ((cx - ax) * (dy - cy) - (cy - ay) * (dx - cx)) / den;
    const u = ((cx - ax) * (by - ay) - (cy - ay) * (bx - ax)) / den;
    if (!(t > 0 && t < 1 && u > 0 && u < 1)) continue;
    const x = ax + t * (bx - ax), y = ay + t * (by - ay);
    // not under a place circle (drawn over every line) nor an arrowhead (at a line's middle)
    if (layer.placePx.some(e => Math.hypot(x - e[1], y - e[2]) <= e[3] + 3)) continue;
    const ma = layer.pointOf(a), mb = layer.pointOf(b);
    if (Math.hypot(x - ma[0], y - ma[1]) < 30 || Math.hypot(x - mb[0], y - mb[1]) < 30) continue;
    out.push([x, y]);
  }
  return out; })"""


@pytest.fixture(scope="module")
def vega_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.GeoflowsWarning)  # far names: tested elsewhere
        # confirmed, so the lines are solid and the canvas reads the same colour all along them
        # (with no confidence column they are dotted: issue 24 item 2)
        table = pd.read_csv(VEGA / "flights-airport.csv").assign(confidence="confirmed")
        flows = gf.read_flows(table, locations=VEGA / "airports.csv")
    return flows.save_map(tmp_path_factory.mktemp("magnitude") / "airports.html", tiles=None)


def _hex(color: str) -> tuple[int, int, int]:
    return tuple(int(color[k : k + 2], 16) for k in (1, 3, 5))


def _far(rgba: list[int], color: str) -> int:
    return max(abs(a - b) for a, b in zip(rgba[:3], _hex(color), strict=True))


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def _along(page: Any, i: int) -> list[list[int]]:
    return page.evaluate(f"([i, n]) => {JS_ALONG}({JS_LAYER}, i, n)", [i, 25])


def test_the_largest_flow_is_dark_on_top_and_small_flows_faint(probe: Probe, vega_page: Path):
    page = probe.open(vega_page).page
    page.evaluate(f"void {JS_MAP}.setView([35.5, -119.5], 5, {{animate: false}})")
    page.wait_for_function(f"{JS_LAYER}.api.drawn()", timeout=60_000)
    info = page.evaluate(
        f"""(() => {{ const l = {JS_LAYER}, P = l.P; let top = 0;
        for (let i = 0; i < P.n; i++) if (P.vol[i] > P.vol[top]) top = i;
        const small = [];
        for (let i = 0; i < P.n; i++) if (l.inViewMask[i] && P.mag[i] >= 0 && P.mag[i] <= 1) small.push(i);
        return {{top: top, vol: P.vol[top], mag: P.mag[top], color: l.colorOf(top),
                 alpha: P.ramp.alpha, small: small, colors: small.map(i => l.colorOf(i)),
                 single: P.ramp.single}}; }})()"""
    )
    assert info["vol"] == 13788 and info["mag"] == 15 and info["single"] is True
    assert len(info["small"]) > 20
    # the largest flow: opaque and in its own (darkest) colour along its whole middle
    top = _along(page, info["top"])
    assert len(top) >= 20
    assert _median([p[3] for p in top]) >= 0.9 * 255
    assert _median([_far(p, info["color"]) for p in top]) <= 20, (info["color"], top)
    # small flows: the faintest of them (where nothing else is drawn over it) is a light,
    # faint line, drawn (not missing) and far lighter than the largest
    faint = []
    for i, color in zip(info["small"][:60], info["colors"], strict=False):
        px = [p for p in _along(page, i) if p[3] > 0]
        if len(px) >= 10:
            faint.append((_median([p[3] for p in px]), i, color, px))
    alpha, small, small_color, px = min(faint)
    assert 0.05 * 255 <= alpha <= 0.3 * 255
    assert _median([_far(p, small_color) for p in px]) <= 40  # its own light colour
    top_light, small_light = sum(_hex(info["color"])), sum(_hex(small_color))
    assert small_light - top_light > 300
    # where small flows cross the largest, the largest is on top: its colour, nearly opaque
    crossings = []
    for i in info["small"]:
        crossings += page.evaluate(
            f"([a, b]) => {JS_CROSSINGS}({JS_LAYER}, a, b)", [info["top"], i]
        )
        if len(crossings) >= 5:
            break
    assert crossings, "no small flow crosses the largest in this view"
    pixels = page.evaluate(
        """(pts) => { const c = document.querySelector('canvas.geoflows-canvas').getContext('2d');
        return pts.map(p => Array.from(c.getImageData(Math.round(p[0]), Math.round(p[1]), 1, 1).data)); }""",
        crossings,
    )
    for rgba in pixels:
        assert rgba[3] >= 0.9 * 255 and _far(rgba, info["color"]) <= 24, rgba
    # the legend: the ramp between the smallest and the largest count, samples in ramp colours
    legend = page.evaluate(
        """(() => { const r = document.querySelector('.gf-legend-ramp');
        const lines = Array.from(document.querySelectorAll('.gf-legend-sample line'));
        return {text: r ? r.textContent : null, rects: r ? r.querySelectorAll('rect').length : 0,
                strokes: lines.map(l => [l.getAttribute('stroke'), Number(l.getAttribute('stroke-opacity'))])}; })()"""
    )
    assert legend["text"] == "113.8kcolour and opacity by volume"
    assert legend["rects"] == 16
    opacities = [o for _, o in legend["strokes"]]
    assert opacities == sorted(opacities) and opacities[-1] >= 0.9 > opacities[0]
    assert legend["strokes"][-1][0] == info["color"]
    probe.assert_quiet()
