"""Popups and clicks in Chromium (issue 22 item 6).

A popup lies wholly inside the map, clear of the legend, at 1280x800, 1024x640 and in a
900x450 notebook output; a popup taller than the room scrolls in its own box; a click on a
place marker selects the place, not a line that starts under it. On the example
(``data/dprk_russia_2023_2024.csv``) and on the test story
(``tests/data/iran_dprk_russia_2022_2025.csv``), whose groups of claims have long popups.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import geoflows as gf
from geoflows.render import notebook_html

from .conftest import JS_LAYER, JS_MAP

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # two real maps

ROOT = Path(__file__).resolve().parents[2]
DATA = {
    "example": ROOT / "data" / "dprk_russia_2023_2024.csv",
    "story": ROOT / "tests" / "data" / "iran_dprk_russia_2022_2025.csv",
}
SIZES = [(1280, 800), (1024, 640)]

#: A point on drawn flow i (the frame's viewport pixels) where a click reaches it: on its
#: line, off every place circle, label and control, with no other line nearer; or null.
CLICK_POINT = """(i) => {
  const l = LAYER, m = MAP, r0 = m.getContainer().getBoundingClientRect(), s = m.getSize();
  const q = l._points(i), pts = q.pts;
  for (let k = q.from + 1; k < q.to; k++) for (const t of [0.5, 0.25, 0.75]) {
    // whole pixels, 3 px clear of any circle: a click's position is rounded
    const x = Math.round(pts[2 * k - 2] + t * (pts[2 * k] - pts[2 * k - 2]));
    const y = Math.round(pts[2 * k - 1] + t * (pts[2 * k + 1] - pts[2 * k - 1]));
    if (x < 20 || y < 20 || x > s.x - 20 || y > s.y - 20 || l.flowAt(x, y) !== i) continue;
    if ([-3, 0, 3].some(dx => [-3, 0, 3].some(dy => l.placeAt(x + dx, y + dy) >= 0))) continue;
    const e = document.elementFromPoint(x + r0.left, y + r0.top);
    if (e && !e.closest('.leaflet-control, .gf-label')) return [x + r0.left, y + r0.top];
  }
  return null;
}""".replace("LAYER", JS_LAYER).replace("MAP", JS_MAP)

#: The drawn flows, longest popup first: [flow, popup title, the content's full height].
BY_LENGTH = """() => {
  const l = LAYER, m = MAP, out = [];
  for (let i = 0; i < l.P.n; i++) {
    if (!l.state.drawn[i]) continue;
    l.api.openPopup(i);
    const box = m._popup.getElement().querySelector('.leaflet-popup-content');
    out.push([i, box.querySelector('.gf-popup-title').textContent, box.scrollHeight]);
    m.closePopup();
  }
  return out.sort((a, b) => b[2] - a[2]);
}""".replace("LAYER", JS_LAYER).replace("MAP", JS_MAP)

#: Zoom in on flow i's line, as a reader does to reach a short line among markers.
ZOOM_TO = """(i) => {
  const l = LAYER, m = MAP, P = l.P, s = Math.pow(10, P.precision), pl = P.places;
  const ends = [P.o[i], P.d[i]].map(p => [pl.lat[p] / s, pl.lon[p] / s]);
  m.fitBounds(ends, { animate: false, padding: [120, 120] });
}""".replace("LAYER", JS_LAYER).replace("MAP", JS_MAP)


#: The open popup's box, the map's and the legend's (container pixels), and its content's
#: scroll and client heights and title.
POPUP = """() => {
  const c = MAP.getContainer(), r0 = c.getBoundingClientRect();
  const rel = (e) => { const r = e.getBoundingClientRect();
    return [r.left - r0.left, r.top - r0.top, r.right - r0.left, r.bottom - r0.top]; };
  // the map's open popup (a closed one fades out for 200 ms before it is removed)
  const w = MAP._popup && MAP.hasLayer(MAP._popup) ? MAP._popup.getElement() : null;
  if (!w) return null;
  const box = w.querySelector('.leaflet-popup-content');
  return { box: rel(w.querySelector('.leaflet-popup-content-wrapper')), map: [0, 0, r0.width, r0.height],
    legend: rel(c.querySelector('.gf-legend')), scroll: box.scrollHeight, client: box.clientHeight,
    title: w.querySelector('.gf-popup-title').textContent, side: w.getAttribute('data-gf-side') };
}""".replace("MAP", JS_MAP)


def _overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(scope="module")
def flows() -> dict[str, gf.FlowSet]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.RouteFallbackWarning)
        return {name: gf.read_flows(path) for name, path in DATA.items()}


@pytest.fixture(scope="module")
def pages(
    flows: dict[str, gf.FlowSet], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("popups")
    return {name: f.save_map(folder / f"{name}.html", tiles=None) for name, f in flows.items()}


def _settle(frame: Any) -> None:
    frame.wait_for_function("document.querySelector('[data-geoflows-visible]') !== null")
    frame.wait_for_function(f"!{JS_MAP}._animatingZoom && {JS_LAYER}.api.drawn()")


def _click_flows(page: Any, frame: Any, origin: tuple[float, float], count: int = 3) -> list[dict]:
    """Click the line of the flow with the longest popup (zoomed in on when no click reaches
    it) and of ``count - 1`` others, as a reader does; for each, the open popup (checked to
    be that flow's)."""
    flows = frame.evaluate(BY_LENGTH)
    frame.wait_for_function("document.querySelector('.gf-popup-wrap') === null")
    clicked: list[dict] = []
    for i, title, full in flows:
        at = frame.evaluate(CLICK_POINT, i)
        if at is None and not clicked:
            frame.evaluate(ZOOM_TO, i)
            _settle(frame)
            at = frame.evaluate(CLICK_POINT, i)
            assert at is not None, f"no click reaches the longest popup's flow {i} ({title})"
        if at is None:
            continue
        page.mouse.click(origin[0] + at[0], origin[1] + at[1])
        popup = frame.evaluate(POPUP)
        assert popup is not None, f"flow {i}: no popup"
        assert popup["title"] == title, f"flow {i}: the click opened another popup"
        # nothing cut: the content keeps its whole height (taller when a scroll bar narrows it)
        assert popup["scroll"] >= full - 1
        clicked.append(popup | {"flow": i, "at": at})
        _close(frame)
        if len(clicked) == count:
            break
    assert len(clicked) == count, clicked
    return clicked


def _close(frame: Any) -> None:
    """Close the popup and wait until it has faded out (until then it takes the clicks)."""
    frame.evaluate(f"void {JS_MAP}.closePopup()")
    frame.wait_for_function("document.querySelector('.gf-popup-wrap') === null")


def _assert_placed(popups: list[dict]) -> None:
    for p in popups:
        x0, y0, x1, y1 = p["box"]
        assert 0 <= x0 and 0 <= y0 and x1 <= p["map"][2] and y1 <= p["map"][3], p
        assert not _overlaps(p["box"], p["legend"]), p
        if p["scroll"] > p["client"] + 1:
            # taller than the room: it scrolls, and only as much as the map cannot show
            assert y1 - y0 >= min(p["map"][3] - 40, 300), p


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(DATA))
def test_popups_lie_inside_the_map_clear_of_the_legend(
    new_probe: Callable, pages: dict[str, Path], name: str, size: tuple[int, int]
) -> None:
    """Clicked lines' popups lie inside the map; at 1280x800 a marker click selects its place
    (one page load per size and data file: the story's page takes seconds to build and open)."""
    probe = new_probe(viewport={"width": size[0], "height": size[1]}).open(pages[name])
    page = probe.page
    _settle(page)
    if size == (1280, 800):  # on the first view, before any click moves it
        _markers_select_their_place(page)
    popups = _click_flows(page, page, (0, 0))
    _assert_placed(popups)
    longest = popups[0]
    if name == "example":
        # the munitions group's popup (three claims, eight sources) is taller than the map
        assert longest["title"].startswith("Munitions containers, Rajin")
        assert longest["scroll"] > longest["client"]
    # the longest popup scrolls in its own box: open it again and scroll it to its end
    page.mouse.click(*longest["at"])
    scrolled = page.evaluate(
        f"(() => {{ const b = {JS_MAP}._popup.getElement().querySelector('.leaflet-popup-content');"
        " b.scrollTop = 1e6; return [b.scrollTop, b.scrollHeight - b.clientHeight]; })()"
    )
    assert scrolled[0] == pytest.approx(scrolled[1], abs=1)
    if longest["scroll"] > longest["client"] + 1:
        assert scrolled[0] > 0
    probe.assert_quiet()


@pytest.mark.parametrize("name", list(DATA))
def test_popups_fit_a_notebook_output(
    new_probe: Callable, flows: dict[str, gf.FlowSet], name: str
) -> None:
    """In a 900x450 output cell (the iframe a notebook shows) the popups fit as well."""
    probe = new_probe(viewport={"width": 1100, "height": 700})
    markup = notebook_html(flows[name], height=450, tiles=None)
    probe.page.set_content(f'<div style="width:900px;margin:30px">{markup}</div>')
    frame = probe.page.frames[1]
    _settle(frame)
    box = probe.page.locator("iframe").bounding_box()
    assert (box["width"], box["height"]) == (900, 450)
    popups = _click_flows(probe.page, frame, (box["x"], box["y"]))
    _assert_placed(popups)
    assert any(p["scroll"] > p["client"] for p in popups)  # 450 px: the longest one scrolls
    probe.assert_quiet()


#: Places whose marker has a line under its centre that starts or ends there, with that
#: line: [place, marker centre, flow under it].
MARKERS_OVER_LINES = """() => {
  const l = LAYER, out = [];
  for (const [p, x, y] of l.placePx) {
    const f = l.flowAt(x, y);
    if (l.placeAt(x, y) === p && f >= 0 && (l.P.o[f] === p || l.P.d[f] === p)) out.push([p, [x, y], f]);
  }
  return out;
}""".replace("LAYER", JS_LAYER)


def _markers_select_their_place(page: Any) -> None:
    """A click on a marker with one of its own lines under its centre selects the place."""
    found = page.evaluate(MARKERS_OVER_LINES)
    assert found, "no marker with a line under it"
    names = page.evaluate(f"{JS_LAYER}.P.places.name")
    for p, (x, y), f in found[:3]:
        flow_title = page.evaluate(
            f"(() => {{ {JS_LAYER}.api.openPopup({f}); const t = document.querySelector("
            "'.gf-popup-wrap .gf-popup-title').textContent; "
            f"{JS_MAP}.closePopup(); return t; }})()"
        )
        page.wait_for_function("document.querySelector('.gf-popup-wrap') === null")
        page.mouse.click(x, y)
        popup = page.evaluate(POPUP)
        assert popup["title"] == names[p] != flow_title
        assert page.locator(".folium-map").get_attribute("data-geoflows-focus") == str(p)
        _assert_placed([popup])
        _close(page)
        page.mouse.click(x, y)  # a second click clears the selection
        assert page.locator(".folium-map").get_attribute("data-geoflows-focus") == "-1"
        _close(page)
