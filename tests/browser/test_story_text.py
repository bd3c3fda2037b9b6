"""Issue 22 items 7 and 8 in Chromium, on the test story: dates and names as the data gives them.

The story (``tests/data/iran_dprk_russia_2022_2025.csv``) writes places in Latin, Cyrillic,
Persian and Korean script, gives months rather than days, routes two rail claims through a
``via`` waypoint (Khasan) and has claims with open bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import geoflows as gf
from tests.browser.conftest import JS_LAYER, Probe

pytestmark = pytest.mark.browser

STORY = Path(__file__).resolve().parents[2] / "tests" / "data" / "iran_dprk_russia_2022_2025.csv"
SHOTS = Path("/tmp/h22text")


@pytest.fixture(scope="module")
def story_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    flows = gf.read_flows(STORY)
    return flows.save_map(tmp_path_factory.mktemp("story") / "story.html", tiles=None)


def _search(page: Any, text: str) -> list[str]:
    box = page.locator(".gf-search-input")
    box.fill("")
    box.fill(text)
    return page.eval_on_selector_all(".gf-search-result", "els => els.map(e => e.textContent)")


def _flow(page: Any, flow_id: str) -> int:
    return page.evaluate(
        f"(() => {{ const l = {JS_LAYER}; for (let i = 0; i < l.P.n; i++) "
        f"if (l.api.flowId(i) === {flow_id!r}) return i; return -1; }})()"
    )


def _labels(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        ".gf-label", "els => els.filter(e => e.style.display !== 'none').map(e => e.textContent)"
    )


def test_search_finds_the_spellings_of_the_data_and_its_waypoints(
    probe: Probe, story_map: Path
) -> None:
    page = probe.open(story_map).page
    assert _search(page, "Владивосток") == ["Владивосток (Vladivostok)"]
    assert _search(page, "나진") == ["나진 (Rajin)"]
    assert _search(page, "بندر انزلی") == ["بندر انزلی (Anzali port)"]
    assert _search(page, "Khasan") == ["Khasan"]
    # a place found by two spellings (its name and the data's "Wonsan") is listed once
    found = _search(page, "Wonsan")
    assert len(found) == 1 and "Wonsan Port" in found[0]
    _search(page, "원산")
    page.locator(".gf-search-input").press("Enter")
    focus = page.evaluate(
        "document.querySelector('.folium-map').getAttribute('data-geoflows-focus')"
    )
    names = page.evaluate(f"{JS_LAYER}.P.places.name")
    assert names[int(focus)] == "Wonsan Port"
    _search(page, "Khasan")
    page.locator(".gf-search-input").press("Enter")
    centre = page.evaluate(
        "(() => { const c = " + JS_LAYER + "._map.getCenter(); return [c.lat, c.lng]; })()"
    )
    assert centre == pytest.approx([42.4283, 130.6456], abs=0.01)
    assert "Khasan" in _labels(page)
    probe.assert_quiet()


def test_months_stay_months_and_open_bounds_stay_open(probe: Probe, story_map: Path) -> None:
    page = probe.open(story_map).page
    layer = JS_LAYER
    fath = _flow(page, "ird_12")
    tip = page.evaluate(f"{layer}.api.tooltipText({fath})")
    assert "Sep 2024" in tip and "2024-09" not in tip
    rail = _flow(page, "ird_17")
    page.evaluate(f"{layer}.api.openPopup({rail})")
    popup = page.locator(".gf-popup").inner_text()
    assert "Claims: more than 200 – 2,400 rail cars (2 claims)" in popup
    assert "Mar 2024 – Jun 2024" in popup
    assert "200–2,400" not in popup
    tehran = page.evaluate(f"{layer}.P.places.name.indexOf('Tehran')")
    # an "up to 400" claim counts by its bound: 300 and up to 400 on one movement
    assert "out: 300–400 drones" in page.evaluate(f"{layer}.api.placeTooltipText({tehran})")
    probe.assert_quiet()


def test_slider_states_its_window_and_active_places_keep_their_names(
    new_probe: Callable[..., Probe], story_map: Path
) -> None:
    # at 1280x800 the legend leaves Vladivostok's label room (at 1000x700 it covers the port)
    probe = new_probe(viewport={"width": 1280, "height": 800})
    page = probe.open(story_map).page
    assert page.locator(".gf-window").inner_text() == "all dates shown"
    before = _labels(page)
    page.locator(".gf-all-dates").uncheck()
    day = page.evaluate("Math.round(Date.parse('2024-10-20') / 86400000)")
    page.evaluate(
        "d => { const r = document.querySelector('.gf-range'); r.value = String(d); "
        "r.dispatchEvent(new Event('input')); }",
        day,
    )
    assert page.locator(".gf-window").inner_text() == "30 days to 20 Oct 2024"
    shown = _labels(page)
    # the troops move from Wonsan to Vladivostok (Oct–Nov 2024) is on: both ends are named
    assert {"Wonsan Port", "Vladivostok"} <= set(shown), shown
    # places with no flow in the window give up their names (Tehran's flows ended in 2023)
    assert "Tehran" in before and "Tehran" not in shown
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "slider_one_day.png"))
    probe.assert_quiet()
