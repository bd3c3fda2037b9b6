"""What a person sees: saved maps opened offline in Debian's Chromium.

Every test asserts on the DOM, on pixels or on files, so each can fail. Run with
``pytest -m browser tests/browser``.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import geoflows as gf
from geoflows.render import build_payload, expand, notebook_html

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CSV = ROOT / "data" / "dprk_russia_2023_2024.csv"
JS_MAP = "window[document.querySelector('.folium-map').id]"  # the folium map object
#: the geoflows canvas layer of the page (found by type, like any Leaflet layer)
JS_LAYER = f"(() => {{ let f = null; {JS_MAP}.eachLayer(l => {{ if (l.isGeoflows) f = l; }}); return f; }})()"
Probe = Any  # conftest.Probe: page, blocked, requests, console_errors, page_errors, dialogs
TITLE = "North Korea – Russia transfers, 2023–2024"


def _save(flows: gf.FlowSet, directory: Path, name: str, **options) -> Path:
    options.setdefault("tiles", None)
    return flows.save_map(directory / name, **options)


def _center_point(probe: Probe, i: int) -> tuple[float, float]:
    """Viewport coordinates of the middle of flow ``i`` (where its arrowhead sits)."""
    x, y = probe.page.evaluate(
        f"""(i) => {{ const m = {JS_MAP}; const p = {JS_LAYER}.api.pointOf(i);
        const r = m.getContainer().getBoundingClientRect(); return [p[0] + r.left, p[1] + r.top]; }}""",
        i,
    )
    return float(x), float(y)


def _filter_box(page: Any, text: str) -> Any:
    """The filter checkbox labelled ``text`` (opening the collapsed filter panel like a user)."""
    details = page.locator(".gf-filter details")
    if not details.evaluate("d => d.open"):
        page.locator(".gf-filter summary").click()
    exact = re.compile(rf"^\s*{re.escape(text)}\s*$")
    return page.locator(".gf-filter label.gf-check", has_text=exact).locator("input")


def _settle(probe: Probe) -> None:
    """Wait until Leaflet's fit-to-bounds animation has ended and a frame has been painted."""
    probe.page.wait_for_function(f"!{JS_MAP}._animatingZoom")
    probe.page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def example_flows() -> gf.FlowSet:
    if EXAMPLE_CSV.exists():
        with warnings.catch_warnings():
            # a schematic rail leg may fall back to a geodesic: not what these tests check
            warnings.simplefilter("ignore", gf.RouteFallbackWarning)
            return gf.read_flows(EXAMPLE_CSV)
    return gf.read_flows(
        [  # fallback until the example data exists
            {
                "origin": "Rajin",
                "destination": "Vladivostok",
                "volume": 1000,
                "unit": "containers",
                "category": "munitions",
                "mode": "sea",
            },
            {
                "origin": "Pyongyang",
                "destination": "Moscow",
                "volume": 2,
                "unit": "visits",
                "category": "visit",
            },
        ]
    )


@pytest.fixture(scope="module")
def example_map(example_flows: gf.FlowSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _save(example_flows, tmp_path_factory.mktemp("example"), "example.html", title=TITLE)


POPUP_FLOWS = [
    {
        "id": "rv-1",
        "origin": "Rajin",
        "destination": "Vladivostok",
        "volume": 1500,
        "unit": "containers",
        "kind": "shipment",
        "category": "munitions",
        "mode": "sea",
        "start": "2023-09-07",
        "end": "2023-10-01",
        "confidence": "reported",
        "label": "Containers, Rajin to Vladivostok",
        "source": "javascript:alert(1); https://example.org/report?id=7; Ministry briefing",
        "notes": "satellite imagery",
        "analyst": "desk A",
    },
    {
        "id": "kk-1",
        "origin": "Kyiv",
        "destination": "Kharkiv",
        "volume": 300,
        "unit": "tonnes",
        "kind": "transfer",
        "category": "fuel",
        "mode": "road",
        "confidence": "confirmed",
        "label": "Fuel, Kyiv to Kharkiv",
        "source": "https://example.org/fuel",
    },
]


@pytest.fixture(scope="module")
def popup_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    flows = gf.read_flows(POPUP_FLOWS, route="geodesic")
    return _save(flows, tmp_path_factory.mktemp("popup"), "popup.html")


# Dated flows for the time slider (at 2023-10-01 with the default 30-day window):
#   a, b active; c, e dated 2024 (hidden); d undated (always shown).
TIME_FLOWS = [
    {
        "id": "a",
        "origin": "50.45, 30.52",
        "destination": "55.75, 37.62",
        "start": "2023-09-15",
        "end": "2023-10-15",
        "volume": 10,
        "category": "x",
    },
    {
        "id": "b",
        "origin": "49.99, 36.23",
        "destination": "55.75, 37.62",
        "start": "2023-01-01",
        "end": "2023-12-31",
        "volume": 20,
        "category": "x",
    },
    {
        "id": "c",
        "origin": "42.34, 130.38",
        "destination": "43.12, 131.89",
        "start": "2024-03-01",
        "end": "2024-04-01",
        "volume": 30,
        "category": "y",
    },
    {
        "id": "d",
        "origin": "39.03, 125.75",
        "destination": "43.12, 131.89",
        "volume": 40,
        "category": "y",
    },
    {
        "id": "e",
        "origin": "61.22, -149.9",
        "destination": "43.12, 131.89",
        "start": "2024-06-01",
        "volume": 50,
        "category": "z",
    },
]


@pytest.fixture(scope="module")
def time_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    flows = gf.read_flows(TIME_FLOWS, route="geodesic")
    return _save(flows, tmp_path_factory.mktemp("time"), "time.html", at="2023-10-01")


# --------------------------------------------------------------------------- 1. example map
def test_example_map_offline(probe: Probe, example_map: Path, example_flows: gf.FlowSet) -> None:
    page = probe.open(example_map).page
    n = len(example_flows)
    payload = build_payload(example_flows)
    assert page.evaluate("typeof L") == "object"
    assert page.locator("canvas.geoflows-canvas").count() == 1  # one canvas draws every flow
    assert page.locator("path.geoflows-flow").count() == 0
    assert probe.visible() == n
    # claims about one movement are drawn as one line
    merged = sum(len(members) - 1 for members in payload["claims"])
    assert page.evaluate(f"{JS_LAYER}.inView") == n - merged
    assert page.evaluate(f"{JS_LAYER}.dashScale") == 1  # a few lines: dashes as the legend shows
    assert page.evaluate(f"{JS_LAYER}.drawnPlaces") == len(payload["places"]["name"])
    legend = page.locator(".gf-legend").text_content()
    filters = page.locator(".gf-filter").text_content()
    categories = sorted(set(example_flows._gdf["category"]))
    assert len(categories) >= 2
    for category in categories:
        assert category in legend, category
        assert category in filters, category
    assert page.locator(".gf-title").text_content() == TITLE
    assert page.title() == TITLE
    assert page.locator(".gf-slider").count() == 1
    probe.assert_quiet()
    assert probe.requests == [example_map.resolve().as_uri()]


def test_short_flows_keep_their_arrowheads(
    probe: Probe, example_map: Path, example_flows: gf.FlowSet
) -> None:
    """Every visible flow shows its direction at the opening view, short ones included.

    Rajin -> Dunai is about 15 px long at the fitted zoom; its arrowhead must not vanish.
    """
    page = probe.open(example_map).page
    _settle(probe)
    merged = sum(len(m) - 1 for m in build_payload(example_flows)["claims"])
    assert page.evaluate(f"{JS_LAYER}.drawnArrows") == len(example_flows) - merged


def test_tiles_are_the_only_network_requests(probe: Probe, tmp_path: Path) -> None:
    flows = gf.read_flows(POPUP_FLOWS[1:], route="geodesic")
    path = _save(flows, tmp_path, "osm.html", tiles="OpenStreetMap.Mapnik")
    page = probe.open(path).page
    page.wait_for_timeout(300)
    assert page.evaluate(f"{JS_LAYER}.inView") == 1
    assert probe.blocked, "an OpenStreetMap page should have asked for tiles (and been blocked)"
    assert all("tile.openstreetmap.org" in url for url in probe.blocked), probe.blocked


# --------------------------------------------------------------------------- 2. tooltip + popup
def test_tooltip_on_hover(probe: Probe, popup_map: Path) -> None:
    page = probe.open(popup_map).page
    # zoomed in on Rajin - Vladivostok: in the whole view the two place circles, which win
    # over the lines under them, cover that short line
    page.evaluate(f"void {JS_MAP}.fitBounds([[42.2, 130.3], [43.1, 131.9]], {{animate: false}})")
    _settle(probe)
    page.wait_for_function(f"{JS_LAYER}.api.drawn()")
    x, y = _center_point(probe, 0)
    page.mouse.move(x - 2, y)
    page.mouse.move(x, y)
    tip = page.locator(".leaflet-tooltip.gf-tooltip")
    tip.wait_for(state="visible")
    text = tip.text_content()
    assert "Containers, Rajin to Vladivostok" in text
    assert "1,500 containers" in text
    assert "2023-09-07 – 2023-10-01" in text
    probe.assert_quiet()


def test_popup_fields_and_sources(probe: Probe, popup_map: Path) -> None:
    page = probe.open(popup_map).page
    page.evaluate(f"{JS_LAYER}.api.openPopup(0)")
    popup = page.locator(".gf-popup-wrap")
    popup.wait_for(state="visible")
    rows = dict(
        page.evaluate(
            "[...document.querySelectorAll('.gf-popup-wrap table.gf-fields tr')]"
            ".map(tr => [tr.cells[0].textContent, tr.cells[1].textContent])"
        )
    )
    assert rows["id"] == "rv-1"
    assert rows["volume"] == "1,500 containers"
    assert rows["unit"] == "containers"
    assert rows["category"] == "munitions"
    assert rows["confidence"] == "reported"
    assert rows["notes"] == "satellite imagery"
    assert rows["analyst"] == "desk A"
    assert rows["origin"].startswith("Rajin")
    assert rows["destination"].startswith("Vladivostok")
    items = page.locator(".gf-popup-wrap ol.gf-sources li")
    assert items.all_text_contents() == [
        "javascript:alert(1)",
        "https://example.org/report?id=7",
        "Ministry briefing",
    ]
    # javascript: is text, never a link; https: is a safe link
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert items.nth(0).locator("a").count() == 0
    assert items.nth(2).locator("a").count() == 0
    link = items.nth(1).locator("a")
    assert link.get_attribute("href") == "https://example.org/report?id=7"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("target") == "_blank"
    probe.assert_quiet()


def test_click_opens_popup(probe: Probe, popup_map: Path) -> None:
    page = probe.open(popup_map).page
    _settle(probe)
    x, y = _center_point(probe, 1)
    page.mouse.click(x, y)
    popup = page.locator(".gf-popup-wrap")
    popup.wait_for(state="visible")
    assert popup.locator(".gf-popup-title").text_content() == "Fuel, Kyiv to Kharkiv"
    probe.assert_quiet()


# --------------------------------------------------------------------------- 4. time slider
def test_time_slider(probe: Probe, time_map: Path) -> None:
    page = probe.open(time_map).page
    assert probe.visible() == 3  # a, b and the undated d
    assert page.evaluate(f"{JS_LAYER}.inView") == 3
    assert page.locator(".gf-date").text_content() == "2023-10-01"
    assert not page.locator(".gf-all-dates").is_checked()
    day = page.evaluate("Date.UTC(2024, 2, 15) / 86400000")  # 2024-03-15
    page.evaluate(
        """(day) => { const r = document.querySelector('.gf-range');
        r.value = String(day); r.dispatchEvent(new Event('input', {bubbles: true})); }""",
        day,
    )
    assert page.locator(".gf-date").text_content() == "2024-03-15"
    assert probe.visible() == 2  # c and d
    assert page.evaluate(f"{JS_LAYER}.inView") == 2
    # the keyboard moves the slider too: End = last day (2024-06-01): e and d
    page.locator(".gf-range").focus()
    page.keyboard.press("End")
    assert page.locator(".gf-date").text_content() == "2024-06-01"
    assert probe.visible() == 2
    page.locator(".gf-all-dates").check()
    assert probe.visible() == 5
    assert page.locator(".gf-range").is_disabled()
    page.locator(".gf-all-dates").uncheck()
    assert probe.visible() == 2
    probe.assert_quiet()


# --------------------------------------------------------------------------- 5. filters
def test_filter_checkboxes(probe: Probe, time_map: Path) -> None:
    page = probe.open(time_map).page
    page.locator(".gf-all-dates").check()
    assert probe.visible() == 5
    box = _filter_box(page, "x")
    box.uncheck()  # category x: flows a and b
    assert probe.visible() == 3
    _filter_box(page, "z").uncheck()
    assert probe.visible() == 2
    box.check()
    assert probe.visible() == 4
    probe.assert_quiet()


# --------------------------------------------------------------------------- 6. notebook
def test_notebook_iframe_draws(probe: Probe) -> None:
    flows = gf.read_flows(POPUP_FLOWS, route="geodesic")
    markup = notebook_html(flows, tiles=None)
    assert markup.startswith("<iframe")
    assert 'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"' in markup
    assert "allow-same-origin" not in markup
    page = probe.page
    page.set_content(markup)
    frame = page.frame_locator("iframe")
    frame.locator("[data-geoflows-visible]").wait_for()
    assert frame.locator("[data-geoflows-visible]").get_attribute("data-geoflows-visible") == str(
        len(flows)
    )
    assert frame.locator("canvas.geoflows-canvas").count() == 1
    assert frame.locator(".gf-legend").count() == 1
    # the sandbox gives the map its own opaque origin: no access to the notebook's page
    inner = page.frames[1]
    assert inner.evaluate("self.origin") == "null"
    assert (
        inner.evaluate(
            "(() => { try { return parent.document.title; } catch (e) { return 'blocked'; } })()"
        )
        == "blocked"
    )
    probe.assert_quiet()


def test_repr_html_is_sandboxed_iframe() -> None:
    flows = gf.read_flows(POPUP_FLOWS[1:], route="geodesic")
    markup = flows._repr_html_()
    assert markup.startswith("<iframe")
    assert 'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"' in markup
    assert "allow-same-origin" not in markup


# --------------------------------------------------------------------------- 7. pixels
def _rgb(png: bytes) -> np.ndarray:
    try:
        from PIL import Image

        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    except ImportError:  # pragma: no cover - matplotlib fallback
        import matplotlib.image as mpimg

        return (mpimg.imread(io.BytesIO(png), format="png")[..., :3] * 255).astype(int)


def _red_pixels(rgb: np.ndarray) -> int:
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 200) & (g < 90) & (b < 90)).sum())


def test_pixels_of_a_thick_red_flow(probe: Probe, tmp_path: Path) -> None:
    flows = gf.read_flows(
        [
            {
                "origin": "50.45, 30.52",
                "destination": "55.75, 37.62",
                "volume": 100,
                "category": "red cargo",
            },
            {
                "origin": "42.34, 130.38",
                "destination": "43.12, 131.89",
                "volume": 100,
                "category": "blue cargo",
            },
        ],
        route="geodesic",
    )
    path = _save(
        flows,
        tmp_path,
        "red.html",
        markers=False,
        min_width=12,
        max_width=12,
        palette={"red cargo": "#ff0000", "blue cargo": "#0000ff"},
    )
    page = probe.open(path).page
    _settle(probe)
    x, y = _center_point(
        probe,
        page.evaluate(
            f"(() => {{ const P = {JS_LAYER}.P; "
            "return P.color.findIndex(c => P.colors[c] === '#ff0000'); })()"
        ),
    )
    clip = {"x": x - 10, "y": y - 10, "width": 21, "height": 21}
    assert _red_pixels(_rgb(page.screenshot(clip=clip))) > 100
    _filter_box(page, "red cargo").uncheck()
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert probe.visible() == 1
    assert _red_pixels(_rgb(page.screenshot(clip=clip))) == 0
    probe.assert_quiet()


# --------------------------------------------------------------------------- 8. large
#: Flows of the large map: enough for the canvas, the packed ids and the dash budget (the
#: 100,000-flow page is timed in benchmarks/bench_render.py, not here).
LARGE = 5_000


@pytest.fixture(scope="module")
def large_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(20240101)
    n = LARGE
    lat = rng.uniform(-60, 70, (n, 2))
    lon = rng.uniform(-170, 170, (n, 2))
    records = [
        {
            "origin": f"{lat[i, 0]:.3f}, {lon[i, 0]:.3f}",
            "destination": f"{lat[i, 1]:.3f}, {lon[i, 1]:.3f}",
            "volume": float(i % 97 + 1),
            "unit": "t",
            "category": f"c{i % 5}",
            # claimed: drawn dotted (data without confidence is drawn solid: no false doubt)
            "confidence": "claimed",
        }
        for i in range(n)
    ]
    flows = gf.read_flows(records, route="geodesic")
    assert len(flows) == n
    return _save(flows, tmp_path_factory.mktemp("large"), "large.html")


@pytest.mark.slow
def test_large_map_uses_canvas(probe: Probe, large_map: Path) -> None:
    page = probe.open(large_map).page
    assert page.locator(".leaflet-overlay-pane canvas.geoflows-canvas").count() == 1
    assert page.locator("path.geoflows-flow").count() == 0
    assert probe.visible() == LARGE
    # ids "1" ... "5000" travel as packed numbers and come back as the same text
    last = LARGE - 1
    assert page.evaluate(f"[{JS_LAYER}.api.flowId(0), {JS_LAYER}.api.flowId({last})]") == [
        "1",
        str(LARGE),
    ]
    # the spatial grid finds a flow under its own middle
    x, y = page.evaluate(f"{JS_LAYER}.api.pointOf(123)")
    assert page.evaluate(f"{JS_LAYER}.flowAt({x}, {y})") >= 0
    _settle(probe)
    # 5,000 dotted lines (claimed): dashes and gaps are drawn k times longer when
    # the lines in view would make k * 250,000 dots (the budget; a small map keeps k = 1)
    state = f"(() => {{ const l = {JS_LAYER}; return [l.inView, l.dashes, l.dashScale]; }})()"
    in_view, dashes, scale = page.evaluate(state)
    assert in_view > LARGE // 2 and dashes > 50_000
    assert scale == max(1, min(16, -(-dashes // 250_000)))
    page.evaluate(f"void {JS_MAP}.setView([10, 0], 5, {{animate: false}})")  # long lines across
    in_view, dashes, scale = page.evaluate(state)
    assert scale == max(1, min(16, -(-dashes // 250_000))) and scale > 1
    before = page.evaluate(f"{JS_MAP}.getCenter()")
    page.mouse.move(150, 550)
    page.mouse.down()
    page.mouse.move(250, 450, steps=5)
    page.mouse.up()
    page.evaluate("new Promise(r => requestAnimationFrame(r))")
    after = page.evaluate(f"{JS_MAP}.getCenter()")
    assert after != before, "dragging the map did not pan it"
    probe.assert_quiet()


# --------------------------------------------------------------------------- screenshot script
def _load_screenshot_script():
    spec = importlib.util.spec_from_file_location(
        "geoflows_screenshot", ROOT / "scripts" / "screenshot.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_screenshot_script(browser, popup_map: Path, tmp_path: Path) -> None:
    script = _load_screenshot_script()
    out = tmp_path / "shot.png"
    result = script.screenshot(popup_map, out, width=640, height=400, browser=browser)
    assert result.blocked == [] and result.errors == []
    rgb = _rgb(out.read_bytes())
    assert rgb.shape == (400, 640, 3)
    # not a blank page: the flows' colours are there
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 20


def test_two_way_flows_are_drawn_apart(probe: Probe, tmp_path: Path) -> None:
    """A→B and B→A along the same sea lane are two visible lines, one on each side."""
    flows = gf.read_flows(
        [
            {
                "id": "ab",
                "origin": "Rajin",
                "destination": "Vladivostok",
                "mode": "sea",
                "volume": 100,
                "unit": "t",
            },
            {
                "id": "ba",
                "origin": "Vladivostok",
                "destination": "Rajin",
                "mode": "sea",
                "volume": 100,
                "unit": "t",
            },
        ]
    )
    assert flows.to_geodataframe()["route_kind"].tolist() == ["sea", "sea"]
    probe.open(_save(flows, tmp_path, "two_way.html"))
    _settle(probe)
    (x0, y0), (x1, y1) = _center_point(probe, 0), _center_point(probe, 1)
    width = expand(build_payload(flows))["width"][0]
    # The two centre lines are at least one line width apart on screen: they do not overlap.
    assert ((x0 - x1) ** 2 + (y0 - y1) ** 2) ** 0.5 >= width
    probe.assert_quiet()


def test_offline_basemap_is_drawn_under_the_flows(probe: Probe, tmp_path: Path) -> None:
    """With no tiles, land is drawn from the shipped outlines, below the flows, offline."""
    flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": 5}])
    probe.open(_save(flows, tmp_path, "basemap.html"))
    _settle(probe)
    assert probe.page.locator("path.geoflows-basemap").count() >= 1
    z_base = probe.page.evaluate(f"Number({JS_MAP}.getPane('geoflows-basemap').style.zIndex)")
    z_flows = probe.page.evaluate(
        f"Number(getComputedStyle({JS_MAP}.getPane('overlayPane')).zIndex)"
    )
    assert z_base < z_flows
    probe.assert_quiet()


def test_flows_on_the_users_own_folium_map(probe: Probe, tmp_path: Path) -> None:
    """to_folium(m=...) draws onto a map the user built, and folium's own Marker still shows
    its icon offline (Leaflet's icons are inlined with Leaflet). The map's title is a control
    on the map: the user's page keeps its own title."""
    import folium

    m = folium.Map(location=[45, 100], zoom_start=3, tiles=None)
    m.default_js, m.default_css = [], []  # a map that needs no CDN, like geoflows' own
    m.get_root().title = "Analyst's notebook page"
    folium.Marker([43.1, 131.9], tooltip="Vladivostok").add_to(m)
    flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": 5}])
    assert flows.to_folium(m=m, title=TITLE) is m
    path = tmp_path / "user_map.html"
    path.write_text(m.get_root().render(), encoding="utf-8")
    probe.open(path)
    _settle(probe)
    assert probe.page.locator(".gf-title").text_content() == TITLE
    assert probe.page.title() == "Analyst's notebook page"
    assert probe.page.evaluate(f"{JS_LAYER}.inView") == 1
    icon = probe.page.locator("img.leaflet-marker-icon")
    assert icon.count() == 1
    assert icon.evaluate("img => img.complete && img.naturalWidth") > 0
    probe.assert_quiet()


# --------------------------------------------------------------------------- claims, places, bidi
CLAIMS = [
    {
        "id": f"c{k}",
        "origin": "Rajin",
        "destination": "Vladivostok",
        "mode": "sea",
        "unit": "containers",
        "category": "munitions",
        "start": "2023-09-01",
        "end": "2023-12-31",
        **fields,
    }
    for k, fields in enumerate(
        [
            {"volume": 1000, "confidence": "confirmed", "source": "US satellite imagery"},
            {"volume": 2000, "confidence": "reported", "source": "ROK intelligence"},
            {
                "volume_low": 5000,
                "volume_high": 13000,
                "confidence": "claimed",
                "source": "Claim C",
            },
        ]
    )
] + [
    {
        "id": "other-unit",
        "origin": "Rajin",
        "destination": "Vladivostok",
        "mode": "sea",
        "unit": "ship round trips",
        "category": "munitions",
        "start": "2023-09-01",
        "volume": 4,
    },
    {"id": "k", "origin": "Moscow", "destination": "Kyiv", "volume": 5, "unit": "t"},
]


def test_claims_are_one_line_with_every_claim_in_its_popup(probe: Probe, tmp_path: Path) -> None:
    """Three claims about one movement: one line, its tooltip spans them, its popup lists all."""
    flows = gf.read_flows(CLAIMS)
    payload = build_payload(flows)
    assert payload["claims"] == [[0, 1, 2]]  # most confident first; other unit stays apart
    page = probe.open(_save(flows, tmp_path, "claims.html")).page
    _settle(probe)
    assert probe.visible() == 5
    assert page.evaluate(f"{JS_LAYER}.inView") == 3  # merged line, other unit, Moscow-Kyiv
    assert page.evaluate(f"{JS_LAYER}.api.tooltipText(0)").count(
        "1,000–13,000 containers (3 claims)"
    )
    page.evaluate(f"{JS_LAYER}.api.openPopup(0)")
    items = page.locator(".gf-popup-wrap ol.gf-claims > li")
    assert items.count() == 3
    texts = items.all_text_contents()
    assert "1,000 containers" in texts[0] and "confirmed" in texts[0]
    assert "US satellite imagery" in texts[0] and "ROK intelligence" in texts[1]
    assert "5,000–13,000 containers" in texts[2] and "claimed" in texts[2]
    # the other unit on the same lane is its own line, offset beside the merged one
    p = expand(payload)
    assert p["offset"][3] != p["offset"][0]
    # claims="separate": every record its own line, side by side
    page2 = probe.page
    page2.goto(_save(flows, tmp_path, "separate.html", claims="separate").as_uri())
    page2.wait_for_function("document.querySelector('[data-geoflows-visible]') !== null")
    assert page2.evaluate(f"{JS_LAYER}.inView") == 5
    probe.assert_quiet()


def test_place_click_highlights_its_flows(probe: Probe, tmp_path: Path) -> None:
    flows = gf.read_flows(CLAIMS)
    page = probe.open(_save(flows, tmp_path, "places.html")).page
    _settle(probe)
    names = build_payload(flows)["places"]["name"]
    rajin = names.index("Rajin")
    text = page.evaluate(f"{JS_LAYER}.api.placeTooltipText({rajin})")
    # the merged claims count once, by their spread (1,000 to 13,000), never added up
    assert text.startswith("Rajin — out: ") and "1,000–13,000 containers" in text
    page.evaluate(f"{JS_LAYER}.api.openPlace({rajin})")
    focus = page.evaluate(f"Array.from({JS_LAYER}.state.focus)")
    assert focus == [1, 1, 1, 1, 0]  # Rajin's four records lit, Moscow-Kyiv dimmed
    assert page.locator("[data-geoflows-focus]").get_attribute("data-geoflows-focus") == str(rajin)
    # a click beside any line and place clears the highlight
    page.evaluate(f"{JS_LAYER}.api.focusPlace(-1)")
    assert page.evaluate(f"{JS_LAYER}.state.focus") is None
    probe.assert_quiet()


def test_right_to_left_override_stays_inside_its_text(probe: Probe, tmp_path: Path) -> None:
    """A label ending in U+202E must not reverse the volume printed after it (issue 16 item 9)."""
    from geoflows.places import Gazetteer

    evil = "Depot \u202e"
    gaz = Gazetteer.from_records(
        [{"name": evil, "lat": 50.0, "lon": 30.0}, {"name": "Store", "lat": 52.0, "lon": 36.0}]
    )
    flows = gf.read_flows(
        [
            {
                "origin": evil,
                "destination": "Store",
                "volume": 1200,
                "unit": "tonnes",
                "label": "Fuel \u202e",
            }
        ],
        gazetteer=gaz,
        route="geodesic",
    )
    page = probe.open(_save(flows, tmp_path, "bidi.html")).page
    _settle(probe)
    page.evaluate(f"{JS_LAYER}.api.openPlace(0)")
    item = page.locator(".gf-popup-wrap .gf-place-flows li").first
    # the data text is isolated: its override cannot reach the volume after it
    assert item.locator("bdi").count() >= 2
    assert item.evaluate("li => getComputedStyle(li.querySelector('bdi')).unicodeBidi") == "isolate"
    # rendered order: the volume's glyphs left to right, as written (not "sennot 002,1")
    box = item.locator("bdi").nth(1)
    assert box.text_content() == "1,200 tonnes"
    rects = box.evaluate(
        """b => { const r = document.createRange(); const t = b.firstChild; const out = [];
        for (const k of [0, t.length - 1]) { r.setStart(t, k); r.setEnd(t, k + 1);
        out.push(r.getBoundingClientRect().left); } return out; }"""
    )
    assert rects[0] < rects[1]  # "1" is drawn left of "s"
    probe.assert_quiet()


def test_basemap_shows_when_tiles_fail(probe: Probe, tmp_path: Path) -> None:
    """Tiles asked for but unreachable: the shipped land is drawn under them, not grey."""
    flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": 5}])
    page = probe.open(_save(flows, tmp_path, "tiles_fail.html", tiles="OpenStreetMap")).page
    _settle(probe)
    assert probe.blocked  # every tile request failed
    assert page.locator("path.geoflows-basemap").count() >= 1
    z_base = page.evaluate(f"Number({JS_MAP}.getPane('geoflows-basemap').style.zIndex)")
    z_tiles = page.evaluate(f"Number(getComputedStyle({JS_MAP}.getPane('tilePane')).zIndex)")
    assert z_base < z_tiles


@pytest.mark.slow
def test_small_output_starts_with_the_legend_collapsed(new_probe, tmp_path: Path) -> None:
    """Under ~1000x600 px the legend starts as one line; the popup pane is above controls."""
    flows = gf.read_flows(CLAIMS)
    path = _save(flows, tmp_path, "small.html")
    small = new_probe(viewport={"width": 900, "height": 500}).open(path).page
    assert not small.locator(".gf-legend-main").evaluate("d => d.open")
    assert small.locator(".gf-legend").bounding_box()["height"] < 40
    z_popup = small.evaluate(
        "Number(getComputedStyle(document.querySelector('.gf-popup-pane')).zIndex)"
    )
    z_controls = small.evaluate(
        "Number(getComputedStyle(document.querySelector('.leaflet-bottom')).zIndex)"
    )
    assert z_popup > z_controls
    big = (
        new_probe(viewport={"width": 1280, "height": 800})
        .open(
            _save(
                gf.read_flows(str(EXAMPLE_CSV)) if EXAMPLE_CSV.exists() else flows,
                tmp_path,
                "big.html",
            )
        )
        .page
    )
    assert big.locator(".gf-legend-main").evaluate("d => d.open")
    body = big.locator(".gf-legend-body")
    # every section shows without scrolling at 1280x800
    assert body.evaluate("b => b.scrollHeight <= b.clientHeight + 1")


def test_map_hidden_at_first_fits_when_shown(probe: Probe) -> None:
    """A map drawn while its container has no size (a reopened notebook) fits its flows as
    soon as the container gets a size (issue 17 item 1)."""
    flows = gf.read_flows(POPUP_FLOWS, route="geodesic")
    markup = notebook_html(flows, tiles=None)
    page = probe.page
    page.set_content(f'<div id="box" style="display:none">{markup}</div>')
    frame = page.frame_locator("iframe")
    frame.locator("[data-geoflows-visible]").wait_for(state="attached")
    page.wait_for_timeout(300)
    page.evaluate("document.getElementById('box').style.display = 'block'")
    inner = page.frames[1]
    inner.wait_for_function(
        f"(() => {{ const m = {JS_MAP}; return m.getSize().x > 0 && m.getZoom() >= 3; }})()"
    )
    inside = inner.evaluate(
        f"""(() => {{ const m = {JS_MAP}, b = m.getBounds();
        return [[47.0, 125.0], [42.2, 130.3], [43.1, 131.9], [50.45, 30.52], [49.99, 36.23]]
            .every(p => b.contains(p)); }})()"""
    )
    assert inside, "the flows are not all in view after the map was shown"
    probe.assert_quiet()


def test_legend_says_when_only_the_largest_flows_are_drawn(probe: Probe, tmp_path: Path) -> None:
    flows = gf.read_flows(TIME_FLOWS, route="geodesic")
    page = probe.open(_save(flows, tmp_path, "limited.html", max_flows=3)).page
    assert probe.visible() <= 3
    assert (
        "Showing the 3 largest of 5 flows (by volume)" in page.locator(".gf-legend").text_content()
    )
    probe.assert_quiet()


def test_no_focus_rectangle_when_a_line_is_clicked(probe: Probe, popup_map: Path) -> None:
    page = probe.open(popup_map).page
    _settle(probe)
    x, y = _center_point(probe, 1)
    page.mouse.click(x, y)
    page.locator(".gf-popup-wrap").wait_for(state="visible")
    outline = page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return s.outlineStyle === 'none' || s.outlineWidth === '0px'; })()"
    )
    assert outline, "a click drew a focus outline"
    # tooltip and popup never overlap: no tooltip while the popup is open
    page.mouse.move(x + 1, y)
    page.wait_for_timeout(300)  # a closed tooltip fades out for 200 ms before it is removed
    assert page.locator(".leaflet-tooltip.gf-tooltip").count() == 0
    probe.assert_quiet()


def test_place_circles_show_the_volume_of_the_unit_in_view(probe: Probe, tmp_path: Path) -> None:
    """One unit shown: circles by in + out volume of it; several units: by number of flows."""
    rows = [
        {"id": "a", "origin": "Rajin", "destination": "Vladivostok", "volume": 9000,
         "unit": "containers"},
        {"id": "b", "origin": "Chongjin", "destination": "Vladivostok", "volume": 1000,
         "unit": "containers"},
        {"id": "c", "origin": "Chongjin", "destination": "Khabarovsk", "volume": 5,
         "unit": "trains"},
    ]  # fmt: skip
    flows = gf.read_flows(rows, route="geodesic")
    page = probe.open(_save(flows, tmp_path, "circles.html", filter_open=True)).page
    _settle(probe)
    names = build_payload(flows)["places"]["name"]
    radius = f"Array.from({JS_LAYER}.state.radius)"
    both = dict(zip(names, page.evaluate(radius), strict=True))
    # two units shown: Chongjin (2 flows) is larger than Rajin (1 flow)
    assert both["Chongjin"] > both["Rajin"]
    assert page.evaluate(f"{JS_LAYER}.state.radiusUnit") is None
    page.locator("label.gf-check", has_text="trains").locator("input").uncheck()
    one = dict(zip(names, page.evaluate(radius), strict=True))
    assert page.evaluate(f"{JS_LAYER}.state.radiusUnit") == "containers"
    # containers only: Rajin (9,000 out) outweighs Chongjin (1,000 out); Vladivostok has both
    assert one["Vladivostok"] > one["Rajin"] > one["Chongjin"] > 0
    assert one["Khabarovsk"] == 0
    probe.assert_quiet()
