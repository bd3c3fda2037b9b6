"""Hostile strings through every text field: shown literally, never run, never templated.

Each string goes into a place name (through a user gazetteer), id, category, unit, label,
notes, source, an extra column and the map title. In Chromium we check that it shows exactly as
written (tooltip, popup, legend, filter, title, place popups), that no dialog opens, that there
are no more ``<script>``/``<img>``/``<svg>`` elements than in the same map built from harmless
strings, and that the page stays quiet. Enumerated fields (kind, mode, confidence) must reject
hostile values with a :class:`FlowValidationError`.
"""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path
from typing import Any

import pytest

import geoflows as gf
from geoflows.io import split_list
from geoflows.places import Gazetteer
from geoflows.render import notebook_html

pytestmark = pytest.mark.browser

Probe = Any  # conftest.Probe
JS_MAP = "window[document.querySelector('.folium-map').id]"

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "${alert(1)}",
    "</script><script>alert(1)</script>",
    "{{7*7}}",
    "{% for x in range(3) %}x{% endfor %}",
    "{# c #}",
    "javascript:alert(1)",
    "\"'><svg onload=alert(1)>",
    "line\u2028separator\u2029paragraph",
    "</textarea><iframe srcdoc='<script>parent.alert(1)</script>'>",
    "&lt;b&gt;entity&amp;",
]
HARMLESS = [f"plain text {k}" for k in range(len(HOSTILE))]
TITLE_PARTS = HOSTILE[:10]


def _records(strings: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One flow per string, the string in every free-text field; and the places it needs."""
    places, flows = [], []
    for k, s in enumerate(strings):
        origin, destination = f"Origin {k} {s}", f"Dest {k} {s}"
        places.append({"name": origin, "lat": 50 + k * 0.5, "lon": 30 + k})
        places.append({"name": destination, "lat": 40 + k * 0.5, "lon": 60 + k})
        flows.append(
            {
                "id": f"id {k} {s}",
                "origin": origin,
                "destination": destination,
                "volume": 10 * (k + 1),
                "unit": f"unit {k} {s}",
                "kind": "shipment",
                "category": f"cat {k} {s}",
                "mode": "road",
                "start": "2023-01-0" + str(1 + k % 9),
                "confidence": "reported",
                "label": f"label {k} {s}",
                "notes": f"notes {k} {s}",
                "source": s,
                "remark": f"remark {k} {s}",
            }
        )
    return flows, places


def _flowset(strings: list[str]) -> gf.FlowSet:
    flows, places = _records(strings)
    return gf.read_flows(flows, gazetteer=Gazetteer.from_records(places), route="geodesic")


def _title(strings: list[str]) -> str:
    return "Map " + " | ".join(strings)


@pytest.fixture(scope="module")
def hostile_flows() -> gf.FlowSet:
    return _flowset(HOSTILE)


@pytest.fixture(scope="module")
def maps(hostile_flows: gf.FlowSet, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("safety")
    out = {}
    for name, flows, title in (
        ("hostile", hostile_flows, _title(TITLE_PARTS)),
        ("harmless", _flowset(HARMLESS), _title(HARMLESS[:10])),
    ):
        out[name] = flows.save_map(directory / f"{name}.html", tiles=None, title=title)
    return out


COUNT_JS = """() => ({
    script: document.querySelectorAll('script').length,
    img: document.querySelectorAll('img').length,
    svg: document.querySelectorAll('svg').length,
    iframe: document.querySelectorAll('iframe').length,
    a: document.querySelectorAll('a').length,
    jsLinks: document.querySelectorAll('a[href^="javascript" i]').length,
    handlers: [...document.querySelectorAll('*')].filter(
        e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
})"""


# --------------------------------------------------------------------------- python level
def test_enum_fields_reject_hostile_values() -> None:
    for field in ("kind", "mode", "confidence"):
        for s in HOSTILE:
            record = {"origin": "50.45, 30.52", "destination": "55.75, 37.62", field: s}
            with pytest.raises(gf.FlowValidationError) as info:
                gf.validate_flows([record])
            assert field in str(info.value)


def test_hostile_option_values_are_rejected(hostile_flows: gf.FlowSet) -> None:
    # The error names the option and the value given, in whatever order its wording puts them.
    with pytest.raises(gf.GeoflowsError, match=r"(?s)^(?=.*color_by)(?=.*<script>alert\(1\))"):
        hostile_flows.to_html(tiles=None, color_by="<script>alert(1)</script>")
    with pytest.raises(gf.GeoflowsError, match=r"(?s)^(?=.*tiles)(?=.*<script>alert\(1\))"):
        hostile_flows.to_html(tiles="<script>alert(1)</script>")
    with pytest.raises(gf.GeoflowsError, match=r"(?s)^(?=.*assets)(?=.*'<script>')"):
        hostile_flows.to_html(tiles=None, assets="<script>")


def test_html_has_no_raw_hostile_text(maps: dict[str, Path]) -> None:
    page = maps["hostile"].read_text(encoding="utf-8")
    harmless = maps["harmless"].read_text(encoding="utf-8")
    for raw in (
        "<script>alert",
        "<img src=x",
        "{{7*7}}",
        "{% for x",
        "{# c #}",
        "<svg onload",
        "</script><script>alert",
        "<iframe srcdoc",
        "\u2028",
        "\u2029",
        "&lt;b&gt;entity",
    ):
        assert raw not in page, raw
    # as many script tags as the harmless map: nothing closed our script or opened another
    assert page.count("<script") == harmless.count("<script")
    assert page.count("</script>") == harmless.count("</script>")


# --------------------------------------------------------------------------- browser
# For every flow: open its popup and tooltip like a user would and read what they show.
JS_LAYER = f"(() => {{ let f = null; {JS_MAP}.eachLayer(l => {{ if (l.isGeoflows) f = l; }}); return f; }})()"
READ_FLOWS_JS = f"""() => {{ const layer = {JS_LAYER}, out = [];
    for (let i = 0; i < layer.P.n; i++) {{
        layer.api.openPopup(i);
        const box = [...document.querySelectorAll('.gf-popup-wrap')].pop();
        const rows = [...box.querySelectorAll('table.gf-fields tr')]
            .map(tr => [tr.cells[0].textContent, tr.cells[1].textContent]);
        out.push({{rows: rows, title: box.querySelector('.gf-popup-title').textContent,
                  sources: [...box.querySelectorAll('ol.gf-sources li')].map(li => li.textContent),
                  tip: layer.api.tooltipText(i)}});
        {JS_MAP}.closePopup();
    }}
    return out; }}"""
READ_PLACES_JS = f"""() => {{ const layer = {JS_LAYER}, out = [];
    for (let p = 0; p < layer.P.places.name.length; p++) {{
        layer.api.openPlace(p);
        out.push([[...document.querySelectorAll('.gf-popup-wrap .gf-popup-title')].pop().textContent,
                  layer.api.placeTooltipText(p)]);
        {JS_MAP}.closePopup();
    }}
    return out; }}"""


@pytest.mark.slow
def test_hostile_strings_show_literally(new_probe: Any, maps: dict[str, Path]) -> None:
    harmless = new_probe().open(maps["harmless"])
    harmless_counts = harmless.page.evaluate(COUNT_JS)
    harmless.assert_quiet()

    probe = new_probe().open(maps["hostile"])
    page = probe.page
    title = _title(TITLE_PARTS)
    assert page.title() == title
    assert page.locator(".gf-title").text_content() == title
    assert "49" not in page.locator(".gf-title").text_content()
    assert page.evaluate(COUNT_JS) == harmless_counts
    assert page.evaluate(COUNT_JS)["handlers"] == 0

    legend = page.locator(".gf-legend").text_content()
    page.locator(".gf-filter summary").click()
    filters = page.locator(".gf-filter").text_content()
    shown = page.evaluate(READ_FLOWS_JS)
    assert len(shown) == len(HOSTILE)
    for flow in shown:
        rows = dict(flow["rows"])
        k = int(rows["id"].split(" ", 2)[1])
        s = HOSTILE[k]
        assert rows["id"] == f"id {k} {s}"
        assert rows["origin"] == f"Origin {k} {s}"
        assert rows["destination"] == f"Dest {k} {s}"
        assert rows["unit"] == f"unit {k} {s}"
        assert rows["category"] == f"cat {k} {s}"
        assert rows["notes"] == f"notes {k} {s}"
        assert rows["remark"] == f"remark {k} {s}"
        assert flow["title"] == f"label {k} {s}"
        # source is a ';'-separated list by contract; each item is literal
        assert flow["sources"] == split_list(s)
        assert f"label {k} {s}" in flow["tip"]
        assert f"{10 * (k + 1)} unit {k} {s}" in flow["tip"]
        assert f"cat {k} {s}" in flow["tip"]
        assert f"cat {k} {s}" in legend
        assert f"unit {k} {s}" in legend
        assert f"cat {k} {s}" in filters
        assert f"unit {k} {s}" in filters
    # place markers: popup title and tooltip show each name literally
    names = page.evaluate(READ_PLACES_JS)
    expected = sorted(
        [f"Origin {k} {s}" for k, s in enumerate(HOSTILE)]
        + [f"Dest {k} {s}" for k, s in enumerate(HOSTILE)]
    )
    assert sorted(title for title, _ in names) == expected
    for title, tip in names:
        assert tip.startswith(title + " — ")  # "Name — out: 10 unit …"
    assert "49" not in page.locator(".gf-filter").text_content()
    assert page.evaluate(COUNT_JS)["jsLinks"] == 0
    probe.assert_quiet()


def test_hostile_title_leaves_the_users_page_title(probe: Probe, hostile_flows: gf.FlowSet) -> None:
    # On a map the user built, the title is the map's control only; the host page keeps its own.
    import folium

    m = folium.Map(tiles=None)
    m.default_js, m.default_css = [], []
    m.get_root().title = "My page"
    hostile_flows.to_folium(m=m, title=_title(TITLE_PARTS))
    page = probe.page
    page.set_content(m.get_root().render())
    page.locator("[data-geoflows-visible]").wait_for()
    assert page.locator(".gf-title").text_content() == _title(TITLE_PARTS)
    assert page.title() == "My page"
    assert page.evaluate(COUNT_JS)["handlers"] == 0
    probe.assert_quiet()


def test_hostile_notebook_iframe(probe: Probe, hostile_flows: gf.FlowSet) -> None:
    markup = notebook_html(hostile_flows, tiles=None, title=_title(TITLE_PARTS))
    # one iframe element and nothing else: the whole page is inside an escaped attribute
    assert re.fullmatch(r"<iframe [^<>]*></iframe>", markup)
    srcdoc = re.search(r'srcdoc="([^"]*)"', markup).group(1)
    assert "<script>alert" not in html_module.unescape(srcdoc)
    page = probe.page
    page.set_content(markup)
    frame = page.frame_locator("iframe")
    frame.locator("[data-geoflows-visible]").wait_for()
    visible = frame.locator("[data-geoflows-visible]").get_attribute("data-geoflows-visible")
    assert visible == str(len(HOSTILE))
    assert frame.locator(".gf-title").text_content() == _title(TITLE_PARTS)
    inner = page.frames[1]
    counts = inner.evaluate(COUNT_JS)
    assert counts["img"] == 0 and counts["iframe"] == 0 and counts["handlers"] == 0
    assert page.locator("script").count() == 0
    probe.assert_quiet()


def test_hostile_tile_url(probe: Probe, tmp_path: Path) -> None:
    """A tile URL is user text too: it must not break out of folium's template."""
    flows = gf.read_flows(
        [{"origin": "50.45, 30.52", "destination": "55.75, 37.62"}], route="geodesic"
    )
    url = 'https://tiles.invalid/{z}/{x}/{y}.png?q="</script><script>alert(1)</script>'
    path = flows.save_map(tmp_path / "tiles.html", tiles=url)
    assert "<script>alert(1)" not in path.read_text(encoding="utf-8")
    page = probe.open(path).page
    page.wait_for_timeout(200)
    assert probe.visible() == 1
    assert probe.dialogs == [] and probe.page_errors == []
    # the blocked tiles log "Failed to load resource"; nothing else may
    assert [e for e in probe.console_errors if "Failed to load resource" not in e] == []
    assert probe.blocked, "the tile layer should have asked for tiles"
    assert all(u.startswith("https://tiles.invalid/") for u in probe.blocked)
