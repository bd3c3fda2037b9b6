"""A group whose sources disagree about a place, in Chromium (issue 22 §3).

One movement of ships (``group`` g) from a CSV: Sources A and B say it left Alpha Quay (5 ships),
Source C says Beta Quay (3 ships); all agree it reached Omega Quay. Alpha and Beta are far apart
(latitudes 10 and -10), so each line can be read on the canvas alone. Coloured by source, the
two claims have two colours in the payload; the page draws the movement in one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import geoflows as gf

from .conftest import JS_LAYER

pytestmark = pytest.mark.browser

CSV = """\
id,origin,origin_lat,origin_lon,destination,destination_lat,destination_lon,volume,unit,mode,confidence,source,group
a,Alpha Quay,10,0,Omega Quay,0,30,5,ships,air,confirmed,Source A; Source B,g
b,Beta Quay,-10,0,Omega Quay,0,30,3,ships,air,confirmed,Source C,g
c,Gamma Quay,-30,0,Delta Quay,-30,30,4,ships,air,confirmed,Source D,
"""

#: The colours painted (opaque enough to be a line) down a column of canvas pixels 40 px long,
#: centred on flow i's point (the point its popup opens at), as [r, g, b].
COLOURS_AT = """(i) => {
  const layer = LAYER, pt = layer.api.pointOf(i);
  const c = document.querySelector('canvas.geoflows-canvas');
  const d = c.getContext('2d').getImageData(Math.round(pt[0]), Math.round(pt[1]) - 20, 1, 40).data;
  const out = [];
  for (let k = 0; k < d.length; k += 4) if (d[k + 3] > 200) out.push([d[k], d[k + 1], d[k + 2]]);
  return out;
}""".replace("LAYER", JS_LAYER)

#: Each place's name, marker radius and tooltip text, by name.
PLACES = """() => {
  const layer = LAYER, names = layer.P.places.name, out = {};
  for (let p = 0; p < names.length; p++)
    out[names[p]] = [layer.state.radius[p], layer.api.placeTooltipText(p)];
  return out;
}""".replace("LAYER", JS_LAYER)


def _shows(colour: str, painted: list[list[int]], within: int = 3) -> bool:
    """Whether a pixel painted is ``colour`` ("#rrggbb"), give or take canvas rounding."""
    rgb = [int(colour[k : k + 2], 16) for k in (1, 3, 5)]
    return any(max(abs(a - b) for a, b in zip(rgb, p, strict=True)) <= within for p in painted)


@pytest.fixture(scope="module")
def claims_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("claim_places")
    (folder / "claims.csv").write_text(CSV, encoding="utf-8")
    flows = gf.read_flows(folder / "claims.csv")
    return flows.save_map(
        folder / "claims.html",
        color_by="source",
        tiles=None,
        basemap=None,
        arrows=False,
        labels=False,
        time_slider=False,
    )


def test_each_origin_a_source_names_has_its_line_in_the_movements_colour(
    new_probe: Callable, claims_map: Path
) -> None:
    probe = new_probe().open(claims_map)
    page = probe.page
    page.wait_for_function(f"{JS_LAYER}.api.drawn()")
    ids = page.evaluate(f"[0, 1, 2].map(i => {JS_LAYER}.api.flowId(i))")
    assert ids == ["a", "b", "c"]
    own = page.evaluate(
        f"(() => {{ const P = {JS_LAYER}.P; return [0, 1, 2].map(i => P.colors[P.color[i]]); }})()"
    )
    assert len(set(own)) == 3  # coloured by source: each claim its own colour in the payload
    painted = [page.evaluate(COLOURS_AT, i) for i in range(3)]
    # both lines of the movement are drawn, in the colour of its lead claim (Sources A and B;
    # the dark strip of the lowest claim inside the line is a darker shade of it): never in
    # Source C's own colour; the other flow in its own
    assert _shows(own[0], painted[0]) and _shows(own[0], painted[1]), (painted, own)
    assert not _shows(own[1], painted[0] + painted[1], within=40)
    assert _shows(own[2], painted[2])
    # the two lines are apart: nothing painted half-way between them
    between = page.evaluate(
        """([lat, lon]) => { const map = window[document.querySelector('.folium-map').id];
          const pt = map.latLngToContainerPoint([lat, lon]);
          const c = document.querySelector('canvas.geoflows-canvas');
          return c.getContext('2d').getImageData(Math.round(pt.x), Math.round(pt.y), 1, 1).data[3]; }""",
        [0, 10],
    )
    assert between == 0
    probe.assert_quiet()


def test_each_named_origin_keeps_its_marker_and_the_movement_counts_once(
    new_probe: Callable, claims_map: Path
) -> None:
    page = new_probe().open(claims_map).page
    at = page.evaluate(PLACES)
    radius = {name: r for name, (r, _) in at.items()}
    # markers are sized by ships: Alpha has the claim of 5, Beta that of 3, Omega the movement
    # once, by its lead claim (5): as large as Alpha's, not 8 ships' worth
    assert radius["Beta Quay"] > 0 and radius["Alpha Quay"] > radius["Beta Quay"]
    assert radius["Omega Quay"] == radius["Alpha Quay"] == 14.0
    assert at["Alpha Quay"][1] == "Alpha Quay — out: 5 ships"
    assert at["Beta Quay"][1] == "Beta Quay — out: 3 ships"
    # where the claims agree, the movement is one, with the spread of the claims naming it
    assert at["Omega Quay"][1] == "Omega Quay — in: 3–5 ships"


def test_the_popup_of_each_line_says_which_source_named_which_origin(
    new_probe: Callable, claims_map: Path
) -> None:
    probe = new_probe().open(claims_map)
    page = probe.page
    for i in (0, 1):
        page.evaluate(f"{JS_LAYER}.api.openPopup({i})")
        # the popup just opened (the one before may still be fading out): its line's title
        title = ("Alpha Quay", "Beta Quay")[i] + " → Omega Quay"
        popup = page.locator(".gf-popup-wrap", has_text=title)
        popup.wait_for()
        named = popup.locator(".gf-claim-places")
        assert named.count() == 1  # the destination is agreed: no line for it
        text = named.evaluate("n => n.textContent")
        assert text == "Origin: Alpha Quay (Source A, Source B) · Beta Quay (Source C)"
        # the names and sources are data: each its own isolated text element, no markup
        parts = named.evaluate("n => Array.from(n.children).map(c => [c.tagName, c.textContent])")
        assert parts == [
            ["BDI", t] for t in ("Alpha Quay", "Source A", "Source B", "Beta Quay", "Source C")
        ]
    page.evaluate(f"{JS_LAYER}.api.openPopup(2)")
    other = page.locator(".gf-popup-wrap", has_text="Gamma Quay → Delta Quay")
    other.wait_for()
    assert other.locator(".gf-claim-places").count() == 0  # a flow of no movement
    probe.assert_quiet()


STORY = Path(__file__).resolve().parents[2] / "tests" / "data" / "iran_dprk_russia_2022_2025.csv"


@pytest.mark.slow  # the story's map: about 15 s to build and draw
def test_the_story_draws_both_ports_of_shahed_first_and_names_their_sources(
    new_probe: Callable, tmp_path: Path
) -> None:
    """The test story's shahed-first: one source names Bandar Anzali (in Persian), another
    Nowshahr, as the port of loading of one consignment to Astrakhan. The popup names each
    port by the gazetteer's name, as the Python side does (render/_encode.py claim_place_texts)."""
    path = gf.read_flows(STORY).save_map(tmp_path / "story.html", tiles=None, time_slider=False)
    probe = new_probe().open(path)
    page = probe.page
    index = page.evaluate(
        f"(() => {{ const l = {JS_LAYER}, out = {{}}; for (let i = 0; i < l.P.n; i++) "
        "out[l.api.flowId(i)] = i; return out; })()"
    )
    a, b = index["ird_01"], index["ird_02"]
    drawn = page.evaluate(f"[{a}, {b}].map(i => {JS_LAYER}.state.drawn[i])")
    assert drawn == [1, 1]
    page.evaluate(f"{JS_LAYER}.api.openPopup({b})")
    named = page.locator(".gf-popup-wrap .gf-claim-places")
    named.wait_for()
    assert named.evaluate("n => n.textContent") == (
        "Origin: Anzali port (Ukrainian intelligence statement (as reported in the press))"
        " · Nowshahr (Iranian opposition outlet)"
    )
    probe.assert_quiet()


def test_sources_and_places_naming_the_origins_stay_text(
    new_probe: Callable, tmp_path: Path
) -> None:
    """Hostile text in a source or a place name of a disagreeing group is shown, never run."""
    hostile = "<img src=x onerror=alert(1)>{{7*7}}"
    rows = [
        {"origin": hostile, "origin_lat": 10, "origin_lon": 0, "destination": "Omega Quay",
         "destination_lat": 0, "destination_lon": 30, "volume": 5, "unit": "ships",
         "mode": "air", "source": hostile, "group": "g"},
        {"origin": "Beta Quay", "origin_lat": -10, "origin_lon": 0, "destination": "Omega Quay",
         "destination_lat": 0, "destination_lon": 30, "volume": 3, "unit": "ships",
         "mode": "air", "source": "</script><script>alert(2)</script>", "group": "g"},
    ]  # fmt: skip
    path = gf.read_flows(rows).save_map(tmp_path / "hostile.html", tiles=None, basemap=None)
    probe = new_probe().open(path)
    probe.page.evaluate(f"{JS_LAYER}.api.openPopup(1)")
    named = probe.page.locator(".gf-popup-wrap .gf-claim-places")
    named.wait_for()
    assert named.evaluate("n => n.textContent") == (
        f"Origin: {hostile} ({hostile}) · Beta Quay (</script><script>alert(2)</script>)"
    )
    assert probe.page.locator(".gf-popup-wrap img, .gf-popup-wrap script").count() == 0
    probe.assert_quiet()
