"""Place labels and place search in Chromium, on a page of their own.

The page holds the vendored Leaflet, ``_data/labels.css`` and the scripts of ``_data/js/``
concatenated in sorted order inside one IIFE (as the map page includes them), a map without tiles,
the places as circle markers and the flows as straight lines. Two place sets: the endpoints and
waypoints of the example data (``data/dprk_russia_2023_2024.csv``) plus coordinate-only and
hostile places, and a dense synthetic set of 2,000 places in Europe.
"""

from __future__ import annotations

import unicodedata
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import geoflows as gf

pytestmark = pytest.mark.browser

DATA = Path(gf.__file__).resolve().parent / "_data"
EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "data" / "dprk_russia_2023_2024.csv"
HOSTILE_NAMES = ["<img src=x onerror=alert(1)>", "\u202eevil.exe\u202c txt", "{{7*7}} ${alert(1)}"]


def _page_html() -> str:
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in sorted((DATA / "js").glob("*.js")))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<style>{(DATA / "leaflet" / "leaflet.css").read_text(encoding="utf-8")}</style>
<style>{(DATA / "labels.css").read_text(encoding="utf-8")}</style>
<style>html, body, #map {{ margin: 0; width: 100%; height: 100%; }}
#map {{ background: #dfe8ef; }}</style>
</head><body><div id="map"></div>
<script>{(DATA / "leaflet" / "leaflet.js").read_text(encoding="utf-8")}</script>
<script>(function () {{
"use strict";
{scripts}
window.gfLabels = gfLabels;
window.gfSearch = gfSearch;
}})();</script>
</body></html>"""


# Builds the map from data handed over by Playwright (never spliced into the page's source).
SETUP_JS = """([places, flows, animate]) => {
  const map = L.map('map', { zoomAnimation: !!animate, fadeAnimation: false, zoomSnap: 1 });
  const renderer = L.canvas();
  for (const [a, b] of flows) {
    L.polyline([[places[a].lat, places[a].lon], [places[b].lat, places[b].lon]],
      { renderer, color: '#c0392b', weight: 3, opacity: 0.7 }).addTo(map);
  }
  for (const p of places) {
    L.circleMarker([p.lat, p.lon], { renderer, radius: 4, color: '#222', weight: 1,
      fillColor: '#fff', fillOpacity: 0.9 }).addTo(map);
  }
  map.fitBounds(L.latLngBounds(places.map(p => [p.lat, p.lon])), { animate: false, padding: [20, 20] });
  const selected = [];
  window.T = { map, selected,
    labels: gfLabels(map, places, {}),
    search: gfSearch(map, places, i => selected.push(i)) };
  return map.getZoom();
}"""

# Every shown label: its text, its place index, and its box on screen.
SHOWN_JS = """() => Array.from(document.querySelectorAll('.gf-label'))
  .filter(n => getComputedStyle(n).display !== 'none')
  .map(n => { const r = n.getBoundingClientRect();
              return [n.textContent, r.left, r.top, r.right, r.bottom]; })"""


def _example_places() -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    """Endpoints and waypoints of the example data, weighted by the flows through them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.GeoflowsWarning)
        g = gf.read_flows(EXAMPLE_CSV).to_geodataframe()
    index: dict[str, int] = {}
    places: list[dict[str, Any]] = []

    def add(name: str, lat: float, lon: float) -> int:
        if name not in index:
            index[name] = len(places)
            places.append({"name": name, "lat": float(lat), "lon": float(lon), "weight": 0})
        places[index[name]]["weight"] += 1
        return index[name]

    flows = []
    for row in g.itertuples():
        a = add(row.origin_name, row.origin_lat, row.origin_lon)
        b = add(row.destination_name, row.destination_lat, row.destination_lon)
        flows.append((a, b))
        if isinstance(row.via, str) and row.via:
            for name, coords in zip(row.via.split(";"), row.via_coords.split(";"), strict=True):
                lat, lon = coords.split(",")
                add(name.strip(), lat, lon)
    return places, flows


def _with_extras(places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The example places plus coordinate-only places (no name) and hostile names, far apart."""
    extra = [
        {"name": None, "lat": 47.0, "lon": 100.0, "weight": 50},
        {"name": "", "lat": 47.5, "lon": 104.0, "weight": 50},
        {"name": "   ", "lat": 48.0, "lon": 108.0, "weight": 50},
    ]
    extra += [
        {"name": name, "lat": 30.0 + 4 * k, "lon": 95.0 + 6 * k, "weight": 40}
        for k, name in enumerate(HOSTILE_NAMES)
    ]
    return places + extra


def _dense_places(n: int = 2000) -> list[dict[str, Any]]:
    """n places over Europe with names of varied length and accents, skewed weights."""
    rng = np.random.default_rng(11)
    stems = ["Ústí", "Zürich", "Łódź", "Brno", "Nové Město", "Saint-Étienne", "Aa", "Kharkiv"]
    lats = rng.uniform(40.0, 60.0, n)
    lons = rng.uniform(-5.0, 35.0, n)
    weights = np.floor(rng.pareto(1.5, n) * 10)
    return [
        {
            "name": f"{stems[k % len(stems)]} {k}" + (" na Moravě" if k % 5 == 0 else ""),
            "lat": float(lats[k]),
            "lon": float(lons[k]),
            "weight": float(weights[k]),
        }
        for k in range(n)
    ]


def _open(
    probe: Any, places: list[dict[str, Any]], flows: list[tuple[int, int]], animate: bool = False
) -> int:
    probe.page.set_content(_page_html())
    return int(probe.page.evaluate(SETUP_JS, [places, flows, animate]))


def _set_view(probe: Any, lat: float, lon: float, zoom: int) -> None:
    probe.page.evaluate(
        "([lat, lon, z]) => { T.map.setView([lat, lon], z, { animate: false }); T.labels.update(); }",
        [lat, lon, zoom],
    )


def _assert_no_overlap(shown: list[list[Any]], width: int = 1000, height: int = 700) -> None:
    boxes = np.array([s[1:] for s in shown], dtype=float)
    if len(boxes) == 0:
        return
    assert (boxes[:, 0] >= 0).all() and (boxes[:, 1] >= 0).all(), "a label is off screen"
    assert (boxes[:, 2] <= width).all() and (boxes[:, 3] <= height).all(), "a label is off screen"
    x0, y0, x1, y1 = (boxes[:, k][:, None] for k in range(4))
    overlap = (x0 < x1.T) & (x1 > x0.T) & (y0 < y1.T) & (y1 > y0.T)
    np.fill_diagonal(overlap, False)
    pairs = np.argwhere(np.triu(overlap))
    assert len(pairs) == 0, (
        f"overlapping labels: {[(shown[i][0], shown[j][0]) for i, j in pairs[:5]]}"
    )


def _assert_clear_of_controls(probe: Any, shown: list) -> None:
    """No shown label lies under a map control (zoom buttons, search box)."""
    controls = probe.page.evaluate(
        """() => Array.from(document.querySelectorAll('.leaflet-control')).map(c => {
             const r = c.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )
    assert len(controls) >= 3  # zoom, search, attribution
    for name, x0, y0, x1, y1 in shown:
        for c0, d0, c1, d1 in controls:
            assert not (x0 < c1 and x1 > c0 and y0 < d1 and y1 > d0), f"{name!r} is under a control"


def _assert_clear_of_heavier_markers(probe: Any, places: list[dict[str, Any]], shown: list) -> None:
    """No label covers the marker (radius 4) of a place that weighs more than its own."""
    points = probe.page.evaluate(
        """(places) => places.map(p => { const q = T.map.latLngToContainerPoint([p.lat, p.lon]);
             return [q.x, q.y]; })""",
        places,
    )
    weight = {p["name"]: p["weight"] for p in places if p["name"]}
    for name, x0, y0, x1, y1 in shown:
        for p, (x, y) in zip(places, points, strict=True):
            if p["weight"] > weight[name]:
                covered = x0 < x + 4 and x1 > x - 4 and y0 < y + 4 and y1 > y - 4
                assert not covered, f"the label {name!r} covers the marker of {p['name']!r}"


@pytest.mark.slow
def test_every_example_place_is_labelled_at_some_zoom(probe):
    places, flows = _example_places()
    assert len(places) >= 20 and {"Rajin", "Vladivostok", "Friendship Bridge"} <= {
        p["name"] for p in places
    }
    fit = _open(probe, places, flows)
    shown_at_fit = {s[0] for s in probe.page.evaluate(SHOWN_JS)}
    heaviest = max(places, key=lambda p: p["weight"])["name"]
    assert heaviest in shown_at_fit
    # Zoom in on each place until its own label shows.
    first_zoom = probe.page.evaluate(
        """([places, fit]) => places.map(p => {
             for (let z = fit; z <= 16; z++) {
               T.map.setView([p.lat, p.lon], z, { animate: false }); T.labels.update();
               const shown = Array.from(document.querySelectorAll('.gf-label')).some(
                 n => n.textContent === p.name && n.style.display !== 'none');
               if (shown) return z;
             }
             return null; })""",
        [places, fit],
    )
    missing = [p["name"] for p, z in zip(places, first_zoom, strict=True) if z is None]
    assert missing == []
    assert min(first_zoom) == fit
    probe.assert_quiet()


def test_visible_example_labels_never_overlap_at_any_zoom(probe):
    places, flows = _example_places()
    places = _with_extras(places)
    fit = _open(probe, places, flows)
    rajin = next(p for p in places if p["name"] == "Rajin")
    seen = set()
    views = [(None, fit)] + [((rajin["lat"], rajin["lon"]), z) for z in range(fit + 1, fit + 9)]
    for center, zoom in views:
        if center:
            _set_view(probe, *center, zoom)
        shown = probe.page.evaluate(SHOWN_JS)
        assert shown, f"no label at zoom {zoom}"
        _assert_no_overlap(shown)
        _assert_clear_of_heavier_markers(probe, places, shown)
        seen |= {s[0] for s in shown}
    # The regional views around Rajin name the border crossing's places one by one.
    assert {"Rajin", "Tumangang", "Khasan", "Friendship Bridge", "Vladivostok"} <= seen
    count = probe.page.evaluate(
        """() => [document.querySelectorAll('.gf-label').length,
                  Number(document.querySelector('.gf-labels').getAttribute('data-gf-labels-shown')),
                  Array.from(document.querySelectorAll('.gf-label'))
                    .filter(n => getComputedStyle(n).display !== 'none').length]"""
    )
    # Coordinate-only places (None, "", blanks) get no label; the pane reports what it shows.
    assert count[0] == len(places) - 3
    assert count[1] == count[2]
    probe.assert_quiet()


@pytest.mark.slow
def test_dense_labels_never_overlap_and_fill_in_as_the_map_zooms(probe):
    places = _dense_places()
    fit = _open(probe, places, [])
    counts = []
    for zoom in range(fit, fit + 5):
        _set_view(probe, 50.0, 15.0, zoom)
        shown = probe.page.evaluate(SHOWN_JS)
        _assert_no_overlap(shown)
        _assert_clear_of_controls(probe, shown)
        counts.append(len(shown))
        names = {s[0] for s in shown}
        in_view = probe.page.evaluate(
            """(places) => { const b = T.map.getBounds();
                 return places.filter(p => b.contains([p.lat, p.lon])); }""",
            places,
        )
        # Among places in view, the heaviest always wins its spot.
        top = max(in_view, key=lambda p: p["weight"])
        assert top["name"] in names
    # A dense map shows a readable subset, and zooming in shows more names per place in view.
    assert 20 < counts[0] < len(places)
    assert counts[-1] > 0
    share = probe.page.evaluate(
        "() => Number(document.querySelector('.gf-labels').getAttribute('data-gf-labels-shown'))"
    )
    assert share == counts[-1]
    probe.assert_quiet()


def test_labels_follow_pans_and_can_be_hidden(probe):
    places, flows = _example_places()
    fit = _open(probe, places, flows)
    vlad = next(p for p in places if p["name"] == "Vladivostok")
    _set_view(probe, vlad["lat"], vlad["lon"], fit + 3)
    where = """([name, lat, lon]) => {
      const n = Array.from(document.querySelectorAll('.gf-label')).find(n => n.textContent === name);
      const r = n.getBoundingClientRect();
      const m = T.map.latLngToContainerPoint([lat, lon]);
      return [r.left - m.x, r.top - m.y, r.width, r.height, m.x]; }"""
    dx, dy, w, h, x = probe.page.evaluate(where, ["Vladivostok", vlad["lat"], vlad["lon"]])
    # Beside its marker (radius 4, gap 3): right, left, above or below it.
    spots = [(7, -h / 2), (-7 - w, -h / 2), (-w / 2, -7 - h), (-w / 2, 7)]
    assert min(abs(dx - sx) + abs(dy - sy) for sx, sy in spots) <= 1.5
    probe.page.evaluate("() => { T.map.panBy([-150, 80], { animate: false }); }")
    dx2, dy2, _, _, x2 = probe.page.evaluate(where, ["Vladivostok", vlad["lat"], vlad["lon"]])
    assert x2 - x == pytest.approx(150, abs=1)
    assert (dx2, dy2) == pytest.approx((dx, dy), abs=1)
    probe.page.evaluate("() => T.labels.setVisible(false)")
    assert (
        probe.page.evaluate("() => getComputedStyle(document.querySelector('.gf-labels')).display")
        == "none"
    )
    probe.page.evaluate("() => T.labels.setVisible(true)")
    assert probe.page.evaluate(SHOWN_JS)
    probe.assert_quiet()


def test_labels_hide_during_an_animated_zoom_and_come_back_laid_out(probe):
    places, flows = _example_places()
    fit = _open(probe, places, flows, animate=True)
    probe.page.evaluate(
        """() => { T.map.setView([42.8, 131.5], T.map.getZoom() + 2, { animate: false });
                   window.__ends = 0; T.map.on('zoomend', () => { window.__ends += 1; });
                   T.map.setZoom(T.map.getZoom() + 2); }"""
    )
    probe.page.wait_for_function("() => window.__ends > 0")
    assert probe.page.evaluate("() => T.map.getZoom()") == fit + 4
    shown = probe.page.evaluate(SHOWN_JS)
    assert len(shown) > 3
    _assert_no_overlap(shown)
    # Each shown label sits beside its place at the new zoom.
    gaps = probe.page.evaluate(
        """(places) => Array.from(document.querySelectorAll('.gf-label'))
             .filter(n => n.style.display !== 'none').map(n => {
               const p = places.find(p => p.name === n.textContent);
               const q = T.map.latLngToContainerPoint([p.lat, p.lon]);
               const r = n.getBoundingClientRect();
               return Math.max(r.left - q.x, q.x - r.right, r.top - q.y, q.y - r.bottom); })""",
        places,
    )
    assert all(6 <= g <= 8 for g in gaps), gaps
    assert "leaflet-zoom-hide" in probe.page.get_attribute(".gf-labels", "class")
    probe.assert_quiet()


def test_labels_made_before_the_map_has_a_view_show_once_it_has_one(probe):
    probe.page.set_content(_page_html())
    shown = probe.page.evaluate(
        """() => {
          const map = L.map('map');
          const labels = gfLabels(map, [
            { name: 'Rajin', lat: 42.245, lon: 130.3, weight: 2 },
            { name: 'No coordinates', lat: null, lon: null, weight: 9 },
            { name: 'Half', lat: 42.0, lon: '', weight: 9 },
            { name: 'Vladivostok', lat: 43.1056, lon: 131.8736, weight: 1 }], {});
          const before = document.querySelectorAll('.gf-label').length;
          map.fitBounds([[42, 130], [43.5, 132]], { animate: false });
          return [before, Array.from(document.querySelectorAll('.gf-label'))
            .filter(n => n.style.display !== 'none').map(n => n.textContent)];
        }"""
    )
    assert shown == [2, ["Rajin", "Vladivostok"]]
    probe.assert_quiet()


def test_a_name_shows_once_for_places_of_that_name_close_together(probe):
    probe.page.set_content(_page_html())
    probe.page.evaluate(
        SETUP_JS,
        [
            [
                {"name": "Rajin", "lat": 42.245, "lon": 130.3, "weight": 5},
                {"name": "Rajin", "lat": 42.26, "lon": 130.28, "weight": 3},
                {"name": "__proto__", "lat": 42.5, "lon": 131.5, "weight": 1},
                {"name": "constructor", "lat": 42.0, "lon": 131.0, "weight": 1},
                {"name": "Vladivostok", "lat": 43.1056, "lon": 131.8736, "weight": 4},
            ],
            [],
            False,
        ],
    )
    _set_view(probe, 42.6, 131.0, 8)
    texts = sorted(s[0] for s in probe.page.evaluate(SHOWN_JS))
    assert texts == ["Rajin", "Vladivostok", "__proto__", "constructor"]
    # Far enough apart at a closer zoom, each place has its own label.
    _set_view(probe, 42.25, 130.29, 13)
    assert [s[0] for s in probe.page.evaluate(SHOWN_JS)] == ["Rajin", "Rajin"]
    probe.assert_quiet()


def test_labels_are_laid_out_again_when_the_window_shrinks(probe):
    places = _dense_places(600)
    _open(probe, places, [])
    before = len(probe.page.evaluate(SHOWN_JS))
    probe.page.set_viewport_size({"width": 500, "height": 350})
    # Leaflet follows the window on its own (invalidateSize, then a debounced moveend).
    probe.page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.gf-label'))
             .filter(n => n.style.display !== 'none')
             .every(n => n.getBoundingClientRect().right <= 500
                         && n.getBoundingClientRect().bottom <= 350)"""
    )
    shown = probe.page.evaluate(SHOWN_JS)
    _assert_no_overlap(shown, 500, 350)
    assert 0 < len(shown) < before
    probe.assert_quiet()


def test_a_label_is_text_a_reader_can_select_and_drag_the_map_by(probe):
    places, flows = _example_places()
    fit = _open(probe, places, flows)
    vlad = next(p for p in places if p["name"] == "Vladivostok")
    _set_view(probe, vlad["lat"], vlad["lon"], fit + 3)
    label = probe.page.locator(".gf-label", has_text="Vladivostok")
    # Dragging on a label pans the map like dragging anywhere else.
    box = label.bounding_box()
    before = probe.page.evaluate("() => T.map.getCenter()")
    probe.page.mouse.move(box["x"] + 5, box["y"] + box["height"] / 2)
    probe.page.mouse.down()
    probe.page.mouse.move(box["x"] - 120, box["y"] + 60, steps=6)
    probe.page.mouse.up()
    after = probe.page.evaluate("() => T.map.getCenter()")
    assert after["lng"] > before["lng"] and after["lat"] > before["lat"]
    # A double click selects the name and does not zoom.
    label.dblclick()
    assert probe.page.evaluate("() => String(window.getSelection())").strip() == "Vladivostok"
    assert probe.page.evaluate("() => T.map.getZoom()") == fit + 3
    style = probe.page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector('.gf-label'));
             return [s.unicodeBidi, s.textShadow !== 'none', s.userSelect || s.webkitUserSelect]; }"""
    )
    assert style == ["isolate", True, "text"]
    probe.assert_quiet()


def test_hostile_names_show_literally_and_create_no_element(probe):
    places, flows = _example_places()
    places = _with_extras(places)
    _open(probe, places, flows)
    before = probe.page.evaluate("() => document.querySelectorAll('*').length")
    _set_view(probe, 34.0, 101.0, 5)
    texts = probe.page.evaluate(
        """() => Array.from(document.querySelectorAll('.gf-label'))
             .filter(n => n.style.display !== 'none').map(n => [n.textContent, n.children.length])"""
    )
    for name in HOSTILE_NAMES:
        assert [name, 0] in texts
    search = probe.page.locator(".gf-search-input")
    search.fill("img src")
    result = probe.page.locator(".gf-search-result")
    assert result.all_text_contents() == [HOSTILE_NAMES[0]]
    search.fill("evil")
    assert result.all_text_contents() == [HOSTILE_NAMES[1]]
    assert unicodedata.name(result.all_text_contents()[0][0]) == "RIGHT-TO-LEFT OVERRIDE"
    counts = probe.page.evaluate(
        """() => [document.querySelectorAll('img, iframe, .gf-labels svg, .gf-search svg').length,
                  document.querySelectorAll('.gf-label *, .gf-search-results li *').length,
                  document.querySelectorAll('*').length]"""
    )
    assert counts[0] == 0 and counts[1] == 0
    assert counts[2] == before + 1  # the one result item
    assert probe.dialogs == []
    probe.assert_quiet()


def _hostile_suite() -> list[str]:
    """The hostile strings of test_safety.py, the project's one list of them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "geoflows_test_safety", Path(__file__).with_name("test_safety.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.HOSTILE)


def test_every_hostile_string_is_a_plain_label_and_search_result(probe):
    hostile = _hostile_suite() + HOSTILE_NAMES
    assert len(hostile) >= 15
    places = [
        {
            "name": f"{k:02d} {name}",
            "lat": 30.0 + 3 * (k % 5),
            "lon": 60.0 + 12 * (k // 5),
            "weight": k,
        }
        for k, name in enumerate(hostile)
    ]
    _open(probe, places, [])
    # Every label holds exactly its name as one text node, shown or not.
    labels = probe.page.evaluate(
        """() => Array.from(document.querySelectorAll('.gf-label')).map(
             n => [n.textContent, n.childNodes.length, n.firstChild.nodeType])"""
    )
    assert sorted(labels) == sorted([p["name"], 1, 3] for p in places)
    assert probe.page.evaluate(SHOWN_JS), "no label is shown"
    # Searching by its number finds each one, shown as text.
    search = probe.page.locator(".gf-search-input")
    results = probe.page.locator(".gf-search-result")
    for k, p in enumerate(places):
        search.fill(f"{k:02d} ")
        assert results.all_text_contents() == [p["name"]]
        assert probe.page.evaluate(
            "() => Array.from(document.querySelectorAll('.gf-search-result'))"
            ".every(li => li.childNodes.length === 1 && li.firstChild.nodeType === 3)"
        )
    counts = probe.page.evaluate(
        """() => [document.querySelectorAll('script').length,
                  document.querySelectorAll('img, iframe, textarea, b').length,
                  document.querySelectorAll('svg').length]"""
    )
    # The page's own two scripts, no element from any string, only Leaflet's attribution flag.
    assert counts == [2, 0, 1]
    assert probe.dialogs == []
    probe.assert_quiet()


def test_search_finds_a_place_by_prefix_and_zooms_to_it(probe):
    places, flows = _example_places()
    fit = _open(probe, places, flows)
    vlad = next(i for i, p in enumerate(places) if p["name"] == "Vladivostok")
    search = probe.page.locator(".gf-search-input")
    search.click()
    search.type("vlad")
    results = probe.page.locator(".gf-search-result")
    assert results.all_text_contents() == ["Vladivostok"]
    assert search.get_attribute("aria-expanded") == "true"
    assert probe.page.locator(".gf-search-status").text_content() == "1 place found"
    search.press("Enter")
    assert probe.page.evaluate("() => T.selected") == [vlad]
    center, zoom = probe.page.evaluate("() => [T.map.getCenter(), T.map.getZoom()]")
    assert center["lat"] == pytest.approx(places[vlad]["lat"], abs=1e-6)
    assert center["lng"] == pytest.approx(places[vlad]["lon"], abs=1e-6)
    assert zoom == max(fit, 8)
    assert search.input_value() == "Vladivostok"
    assert probe.page.locator(".gf-search-results").is_hidden()
    # At the place, its label shows.
    assert "Vladivostok" in {s[0] for s in probe.page.evaluate(SHOWN_JS)}
    probe.assert_quiet()


def test_search_ignores_case_and_accents_and_ranks_prefixes_first(probe):
    places = _dense_places(200) + [
        {"name": "Pyongyang", "lat": 39.0, "lon": 125.75, "weight": 1},
        {"name": "Port Vostochny", "lat": 42.75, "lon": 133.08, "weight": 1},
        {"name": "Vostochny Cosmodrome", "lat": 51.88, "lon": 128.33, "weight": 0},
        {"name": "VOSTOK", "lat": 44.0, "lon": 135.0, "weight": 0},
        {"name": "Rostov-on-Don", "lat": 47.23, "lon": 39.72, "weight": 0},
    ]
    _open(probe, places, [])
    find = "(q) => T.search.find(q).map(i => window.__places[i].name)"
    probe.page.evaluate("(places) => { window.__places = places; }", places)
    assert probe.page.evaluate(find, "vosto") == [
        "Vostochny Cosmodrome",
        "VOSTOK",
        "Port Vostochny",
    ]
    assert probe.page.evaluate(find, "pyongyang") == ["Pyongyang"]
    assert probe.page.evaluate(find, "rostov on don") == ["Rostov-on-Don"]
    usti = probe.page.evaluate(find, "USTI")
    assert len(usti) == 8 and all(n.startswith("Ústí ") for n in usti)
    weights = probe.page.evaluate(
        "(q) => T.search.find(q).map(i => window.__places[i].weight)", "usti"
    )
    assert weights == sorted(weights, reverse=True)
    assert probe.page.evaluate(find, "zurich 8") == probe.page.evaluate(find, "Zürich 8")
    assert probe.page.evaluate(find, "") == []
    assert probe.page.evaluate(find, "no such place") == []
    probe.page.locator(".gf-search-input").fill("no such place")
    assert probe.page.locator(".gf-search-status").text_content() == "No places found"
    probe.page.locator(".gf-search-input").fill("usti")
    assert probe.page.locator(".gf-search-status").text_content() == "8 places found"
    probe.assert_quiet()


def test_search_works_from_the_keyboard_and_by_click(probe):
    places, flows = _example_places()
    _open(probe, places, flows)
    names = [p["name"] for p in places]
    search = probe.page.locator(".gf-search-input")
    search.focus()
    probe.page.keyboard.type("o")  # many places contain an "o"
    results = probe.page.locator(".gf-search-result")
    shown = results.all_text_contents()
    assert 2 <= len(shown) <= 8
    probe.page.keyboard.press("ArrowDown")
    probe.page.keyboard.press("ArrowDown")
    assert results.nth(1).get_attribute("aria-selected") == "true"
    assert search.get_attribute("aria-activedescendant") == results.nth(1).get_attribute("id")
    probe.page.keyboard.press("ArrowUp")
    probe.page.keyboard.press("ArrowUp")  # wraps round to the last result
    assert results.nth(len(shown) - 1).get_attribute("aria-selected") == "true"
    probe.page.keyboard.press("Enter")
    assert probe.page.evaluate("() => T.selected") == [names.index(shown[-1])]
    # Esc closes the list, a second Esc empties the box.
    search.fill("")
    probe.page.keyboard.type("kh")
    assert results.count() > 0
    probe.page.keyboard.press("Escape")
    assert probe.page.locator(".gf-search-results").is_hidden()
    assert search.input_value() == "kh"
    probe.page.keyboard.press("Escape")
    assert search.input_value() == ""
    # A click picks too.
    probe.page.keyboard.type("raj")
    assert results.all_text_contents() == ["Rajin"]
    results.first.click()
    assert probe.page.evaluate("() => T.selected") == [names.index(shown[-1]), names.index("Rajin")]
    probe.assert_quiet()


@pytest.mark.slow
def test_layout_is_the_same_after_a_round_trip_and_on_a_new_page(probe, new_probe):
    places = _dense_places(600)
    _open(probe, places, [])
    _set_view(probe, 50.0, 15.0, 6)
    first = probe.page.evaluate(SHOWN_JS)
    assert len(first) > 20
    _set_view(probe, 45.0, 5.0, 8)
    _set_view(probe, 50.0, 15.0, 6)
    assert probe.page.evaluate(SHOWN_JS) == first
    other = new_probe()
    _open(other, places, [])
    _set_view(other, 50.0, 15.0, 6)
    assert other.page.evaluate(SHOWN_JS) == first
    probe.assert_quiet()
