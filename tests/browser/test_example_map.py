"""The example map as a reader meets it (issue 11's "done when"): names, claims, legend, offline land."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import geoflows as gf
from geoflows.render._payload import build_payload

EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "data" / "dprk_russia_2023_2024.csv"
JS_MAP = "window[document.querySelector('.folium-map').id]"
JS_LAYER = f"(() => {{ let f = null; {JS_MAP}.eachLayer(l => {{ if (l.isGeoflows) f = l; }}); return f; }})()"

pytestmark = pytest.mark.browser

VISIBLE_LABELS = """(() => Array.from(document.querySelectorAll('.gf-label'))
  .filter(e => getComputedStyle(e).display !== 'none')
  .map(e => { const r = e.getBoundingClientRect();
              return [e.textContent, r.left, r.top, r.right, r.bottom]; }))()"""


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[gf.FlowSet, Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.RouteFallbackWarning)
        flows = gf.read_flows(EXAMPLE_CSV)
    path = tmp_path_factory.mktemp("example") / "example.html"
    return flows, flows.save_map(path, title="DPRK–Russia transfers, 2023–2024")


def _overlaps(boxes: list) -> list:
    out = []
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            _, l1, t1, r1, b1 = boxes[a]
            _, l2, t2, r2, b2 = boxes[b]
            if l1 < r2 - 0.5 and l2 < r1 - 0.5 and t1 < b2 - 0.5 and t2 < b1 - 0.5:
                out.append((boxes[a][0], boxes[b][0]))
    return out


@pytest.mark.slow
def test_every_place_is_named_at_some_zoom_and_labels_never_overlap(
    new_probe: Callable, example: tuple
) -> None:
    flows, path = example
    names = {n for n in build_payload(flows)["places"]["name"] if n}
    probe = new_probe(viewport={"width": 1280, "height": 800}).open(path)
    page = probe.page
    page.wait_for_function(f"!{JS_MAP}._animatingZoom")
    seen: set[str] = set()
    centers = page.evaluate(
        f"""(() => {{ const P = {JS_LAYER}.P, s = Math.pow(10, P.precision);
        return P.places.name.map((n, i) => [n, P.places.lat[i] / s, P.places.lon[i] / s])
          .filter(x => x[0]); }})()"""
    )
    # The whole story, then each place at a region's zoom and a city's; places still unnamed
    # (a border crossing: Tumangang, Khasan and Friendship Bridge lie 3 km apart) at zoom 11.
    views = [(None, None)] + [((lat, lon), z) for _, lat, lon in centers for z in (6, 9)]
    views.append("closer")
    for view in views:
        if view == "closer":
            views += [((lat, lon), 11) for n, lat, lon in centers if n not in seen]
            continue
        center, zoom = view
        if center is not None:
            # `void`: setView returns the map, which Playwright would serialise (seconds)
            page.evaluate(
                f"void {JS_MAP}.setView([{center[0]}, {center[1]}], {zoom}, {{animate: false}})"
            )
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        boxes = page.evaluate(VISIBLE_LABELS)
        assert _overlaps(boxes) == [], (center, zoom)
        seen |= {b[0] for b in boxes}
    assert names - seen == set(), f"never labelled: {sorted(names - seen)}"
    probe.assert_quiet()


def test_rajin_vladivostok_is_one_line_listing_each_claim_and_source(
    new_probe: Callable, example: tuple
) -> None:
    flows, path = example
    p = build_payload(flows)
    g = flows.to_geodataframe()
    ids = list(g["id"])
    group = next(c for c in p["claims"] if "dprk_ru_026" in [ids[i] for i in c])
    members = sorted(ids[i] for i in group)
    assert {"dprk_ru_026", "dprk_ru_027"} <= set(members)
    page = new_probe(viewport={"width": 1280, "height": 800}).open(path).page
    page.evaluate(f"{JS_LAYER}.api.openPopup({group[0]})")
    items = page.locator(".gf-popup-wrap ol.gf-claims > li")
    assert items.count() == len(group)
    text = " ".join(items.all_text_contents())
    assert "Defence Security Asia" in text and "more than 1,000 containers" in text
    assert "about" not in text or "2,000 containers" in text


def test_legend_fits_a_1024_by_640_window(new_probe: Callable, example: tuple) -> None:
    _, path = example
    page = new_probe(viewport={"width": 1024, "height": 640}).open(path).page
    legend = page.locator(".gf-legend")
    box = legend.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= 1024 and box["y"] + box["height"] <= 640
    # every section shows without scrolling inside the legend
    assert page.evaluate(
        "Array.from(document.querySelectorAll('.gf-legend, .gf-legend *'))"
        ".every(e => e.scrollHeight <= e.clientHeight + 1 || getComputedStyle(e).overflowY === 'visible')"
    )


def test_legend_names_the_rule_that_sizes_place_circles_and_follows_the_filter(
    new_probe: Callable, example: tuple
) -> None:
    _, path = example
    probe = new_probe(viewport={"width": 1280, "height": 800}).open(path)
    page = probe.page
    rule = page.locator(".gf-legend .gf-place-rule")
    # every unit shown: volumes of different units are not added, circles count flows
    assert rule.text_content() == "circle size: number of flows (units differ)"
    radius = f"Array.from({JS_LAYER}.state.radius)"
    by_count = page.evaluate(radius)
    page.locator(".gf-filter summary").click()
    units = page.locator(".gf-filter input[data-kind='unit']")
    assert units.count() > 2
    # clicked by script: at 1280x800 the open filter runs under the legend
    for k in range(units.count()):
        label = units.nth(k).locator("xpath=..").inner_text().strip()
        if label != "containers":
            units.nth(k).evaluate("e => e.click()")
    assert rule.text_content() == "circle size: in + out containers of the flows shown"
    assert page.evaluate(radius) != by_count
    # one other unit back: the rule is the flow count again
    units.nth(0).evaluate("e => e.click()")
    assert rule.text_content() == "circle size: number of flows (units differ)"
    probe.assert_quiet()
