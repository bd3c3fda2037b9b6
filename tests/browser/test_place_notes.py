"""Place.near and Place.former_name on the map: the place tooltip, popup and flow popup say them.

A coordinate-only place gets no name of its own, but its tooltip says which named place it is
near ("near Rajin (KP), 1 km"); a place found by an old name says it ("formerly Artemivsk").
The notes are data text: a hostile one shows literally and creates no element.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import geoflows as gf

pytestmark = pytest.mark.browser

JS_LAYER = (
    "(() => { let f = null; window[document.querySelector('.folium-map').id]"
    ".eachLayer(l => { if (l.isGeoflows) f = l; }); return f; })()"
)
HOSTILE = "<img src=x onerror=alert(1)>{{7*7}}"


def _place_index(page, name: str) -> int:
    return page.evaluate(f"{JS_LAYER}.P.places.name.indexOf({name!r})")


@pytest.fixture(scope="module")
def notes_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    flows = gf.read_flows(
        [
            {"origin": "42.25, 130.3", "destination": "Vladivostok", "volume": 5},
            {"origin": "Artemivsk", "destination": "Donetsk", "volume": 3},
            {"origin": "Pyongyang", "destination": "Vladivostok", "volume": 1},
        ]
    )
    # a hostile note, as a user's own table of resolved places could carry it
    gdf = flows.to_geodataframe()
    gdf.loc[2, "origin_near"] = HOSTILE
    flows = gf.FlowSet.from_geodataframe(gdf)
    path = tmp_path_factory.mktemp("notes") / "notes.html"
    return flows.save_map(path, tiles=None, time_slider=False)


def test_tooltips_and_popups_say_near_and_former_names(
    new_probe: Callable, notes_map: Path
) -> None:
    probe = new_probe(viewport={"width": 1280, "height": 800}).open(notes_map)
    page = probe.page
    coords = page.evaluate(f"{JS_LAYER}.P.places.name.indexOf('')")
    assert coords >= 0  # the coordinate-only place has no name of its own
    tip = page.evaluate(f"{JS_LAYER}.api.placeTooltipText({coords})")
    assert "near Rajin (KP), 1 km" in tip
    bakhmut = _place_index(page, "Bakhmut")
    assert "formerly Artemivsk" in page.evaluate(f"{JS_LAYER}.api.placeTooltipText({bakhmut})")
    page.evaluate(f"{JS_LAYER}.api.openPlace({bakhmut})")
    assert page.locator(".gf-popup .gf-popup-note").last.inner_text() == "formerly Artemivsk"
    # the flow popup names the place with its note (the old name only when not given)
    page.evaluate(f"{JS_LAYER}.api.openPopup(1)")
    text = page.locator(".gf-popup-wrap").last.inner_text()
    assert "Artemivsk (Bakhmut, UA)" in text and "formerly" not in text
    page.evaluate(f"{JS_LAYER}.api.openPopup(0)")
    assert "— near Rajin (KP), 1 km" in page.locator(".gf-popup-wrap").last.inner_text()
    # a hostile note is text: shown literally, no element made from it
    pyongyang = _place_index(page, "Pyongyang")
    page.evaluate(f"{JS_LAYER}.api.openPlace({pyongyang})")
    note = page.locator(".gf-popup .gf-popup-note").last
    assert note.inner_text() == "near " + HOSTILE
    assert page.locator(".gf-popup img").count() == 0
    assert page.locator("img[src=x]").count() == 0
    probe.assert_quiet()
