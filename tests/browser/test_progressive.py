"""A large view is drawn in chunks, smallest lines first, while the map stays responsive.

A 20,000-flow map is zoomed without animation: the call returns after the first chunk (some
of the smallest lines on the canvas, the widest not yet), later animation frames draw the
rest, and the pass ends with every flow in view stroked once, the widest on top of the small
ones they cross (issue 24 item 1), and a ``geoflows:drawn`` event. The
pointer finds flows while the pass runs and after it. Frame counts and counters are asserted,
never wall-clock times.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import geoflows as gf

pytestmark = [pytest.mark.browser, pytest.mark.slow]

N, BIG = 20_000, 12
JS_MAP = "window[document.querySelector('.folium-map').id]"
JS_LAYER = f"(() => {{ let f = null; {JS_MAP}.eachLayer(l => {{ if (l.isGeoflows) f = l; }}); return f; }})()"
#: RGBA of the flow canvas at container point p.
JS_PIXEL = """(p => Array.from(document.querySelector('canvas.geoflows-canvas').getContext('2d')
  .getImageData(Math.round(p[0]), Math.round(p[1]), 1, 1).data))"""


@pytest.fixture(scope="module")
def big_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20,000 thin random flows and BIG very wide ones (a category of their own) near the middle."""
    rng = np.random.default_rng(7)
    lat, lon = rng.uniform(25, 60, (N, 2)), rng.uniform(30, 120, (N, 2))
    lat[:BIG] = rng.uniform(40, 45, (BIG, 2))
    lon[:BIG, 0], lon[:BIG, 1] = rng.uniform(60, 70, BIG), rng.uniform(80, 90, BIG)
    volume = np.where(np.arange(N) < BIG, 1e6, rng.uniform(1, 100, N))
    records = [
        {
            "origin": f"{lat[i, 0]:.3f}, {lon[i, 0]:.3f}",
            "destination": f"{lat[i, 1]:.3f}, {lon[i, 1]:.3f}",
            "volume": float(volume[i]),
            "unit": "t",
            "category": "big" if i < BIG else f"c{i % 5}",
        }
        for i in range(N)
    ]
    flows = gf.read_flows(records, route="geodesic")
    out = tmp_path_factory.mktemp("progressive") / "big.html"
    return flows.save_map(out, tiles=None)


def _hex_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[k : k + 2], 16) for k in (0, 2, 4))


def test_zoom_draws_in_chunks_smallest_first(probe: Any, big_map: Path) -> None:
    page = probe.open(big_map).page
    page.wait_for_function(f"{JS_LAYER}.complete && !{JS_MAP}._animatingZoom", timeout=60_000)
    assert probe.visible() == N
    page.evaluate(
        """() => { window.gfDrawn = [];
        document.querySelector('.folium-map').addEventListener('geoflows:drawn',
          e => window.gfDrawn.push(e.detail)); }"""
    )
    # zoom in on the wide flows: the call returns after the first chunk
    first = page.evaluate(
        f"""() => {{ const m = {JS_MAP}, l = {JS_LAYER};
        l.chunkSize = {BIG};  // the first chunk: as many lines as there are wide ones
        m.setView([42.5, 75], m.getZoom() + 1, {{animate: false}});
        const p = l.api.pointOf(0), rgba = {JS_PIXEL}(p);
        return {{rgba: rgba, strokes: l.strokes, chunks: l.chunks, inView: l.inView, complete: l.api.drawn(),
                 point: p, hit: l.flowAt(p[0], p[1]), color: l.colorOf(0)}}; }}"""
    )
    assert first["inView"] > 4000  # more than one pass can draw: progressive
    assert first["complete"] is False and first["chunks"] == 1
    assert first["strokes"] == BIG
    # the smallest lines come first: the first chunk has not drawn a wide flow's colour yet
    far = max(abs(a - b) for a, b in zip(first["rgba"][:3], _hex_rgb(first["color"]), strict=True))
    assert first["rgba"][3] == 0 or far > 40
    # hit-testing works while the pass is unfinished
    assert 0 <= first["hit"] < BIG
    page.wait_for_function(f"{JS_LAYER}.api.drawn()", timeout=120_000)
    done = page.evaluate(
        f"(() => {{ const l = {JS_LAYER}; return [l.strokes, l.chunks, l.inView]; }})()"
    )
    strokes, chunks, in_view = done
    assert chunks > 1, "a view of thousands of lines was drawn in one frame"
    assert strokes == in_view == first["inView"], "every flow in view is stroked exactly once"
    # the widest lines came last: a wide flow's middle shows its own colour, on top of every
    # thin line (drawn at its ramp level's opacity, 0.95, over whatever lies beneath)
    rgba = page.evaluate(f"{JS_PIXEL}({JS_LAYER}.api.pointOf(0))")
    assert rgba[3] > 0
    assert max(abs(a - b) for a, b in zip(rgba[:3], _hex_rgb(first["color"]), strict=True)) <= 16
    drawn = page.evaluate("window.gfDrawn")
    assert drawn == [{"strokes": strokes, "chunks": chunks, "inView": in_view}]
    # hover after the pass: the pointer on a wide flow's middle opens its tooltip
    box = page.evaluate(
        "(() => { const r = document.querySelector('.folium-map').getBoundingClientRect();"
        " return [r.left, r.top]; })()"
    )
    x, y = first["point"]
    page.mouse.move(box[0] + x, box[1] + y)
    tip = page.locator(".gf-tooltip")
    tip.wait_for(state="visible")
    assert "big" in tip.inner_text()
    probe.assert_quiet()


def test_new_view_cancels_unfinished_pass(probe: Any, big_map: Path) -> None:
    page = probe.open(big_map).page
    page.wait_for_function(f"{JS_LAYER}.complete && !{JS_MAP}._animatingZoom", timeout=60_000)
    page.evaluate(
        """() => { window.gfDrawn = [];
        document.querySelector('.folium-map').addEventListener('geoflows:drawn',
          e => window.gfDrawn.push(e.detail)); }"""
    )
    # two view changes in one task: the first pass is dropped after its first chunk
    in_view = page.evaluate(
        f"""() => {{ const m = {JS_MAP}, l = {JS_LAYER};
        m.setView([42.5, 75], m.getZoom() + 1, {{animate: false}});
        m.panBy([120, 0], {{animate: false}});
        return l.inView; }}"""
    )
    page.wait_for_function(f"{JS_LAYER}.api.drawn()", timeout=120_000)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    drawn = page.evaluate("window.gfDrawn")
    assert len(drawn) == 1 and drawn[0]["strokes"] == drawn[0]["inView"] == in_view
    probe.assert_quiet()


def test_zoom_animation_scales_the_last_drawing(probe: Any, big_map: Path) -> None:
    page = probe.open(big_map).page
    page.wait_for_function(f"{JS_LAYER}.api.drawn() && !{JS_MAP}._animatingZoom", timeout=60_000)
    # during Leaflet's zoom animation the drawing stays visible, scaled twice for one level
    during = page.evaluate(
        f"""() => new Promise(r => {{
        const m = {JS_MAP}, c = document.querySelector('canvas.geoflows-canvas');
        m.once('zoomanim', () => r([m._animatingZoom, c.style.transform,
          getComputedStyle(c).visibility]));
        m.zoomIn(1); }})"""
    )
    assert during[0] is True
    assert "scale(2)" in during[1] and during[2] == "visible"
    page.wait_for_function(f"!{JS_MAP}._animatingZoom && {JS_LAYER}.api.drawn()", timeout=120_000)
    transform = page.evaluate("document.querySelector('canvas.geoflows-canvas').style.transform")
    assert "scale" not in transform  # redrawn at the new zoom, placed without scaling
    probe.assert_quiet()
