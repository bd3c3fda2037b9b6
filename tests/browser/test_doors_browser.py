"""Issue 25 items 8 and 9 in Chromium: the widget hears only its own document, links open in a
new tab, and a notebook map whose Leaflet cannot come from the CDN shows its picture instead."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

import geoflows as gf

from .conftest import JS_LAYER, JS_MAP

pytestmark = pytest.mark.browser
pytest.importorskip("anywidget")

FOREIGN = "https://foreign.example/"
#: What a page the frame was navigated to says to the notebook: the widget's own messages, a
#: guessed token, then a word for the test that it is done (messages from one window arrive
#: in order).
FOREIGN_PAGE = """<html><body><script>
var evil = {type: "geoflows:state", selected: ["evil"], visible: ["evil"], at: "1999-01-01",
            window: ["1999-01-01", "1999-01-02"], bounds: [1, 2, 3, 4]};
parent.postMessage(evil, "*");
parent.postMessage(Object.assign({token: "{geoflows-widget-token}"}, evil), "*");
parent.postMessage({type: "geoflows:ready"}, "*");
window.heard = [];
addEventListener("message", function (e) { window.heard.push(e.data); });
parent.postMessage({type: "test:done"}, "*");
</script></body></html>"""


def _harness(tmp_path: Path, page: str) -> Path:
    """A page running widget.js with a small stand-in for the anywidget model."""
    widget_js = resources.files("geoflows").joinpath("_data", "widget.js").read_text("utf-8")
    state = {"page": page, "height": 400, "at": None, "selected_ids": [], "visible_ids": [],
             "time_window": [], "bounds": []}  # fmt: skip
    state_js = json.dumps(state).replace("</", "<\\/")  # the page holds </script>
    harness = f"""<html><body><div id="w"></div><script type="module">
{widget_js}
const state = {state_js};
const handlers = {{}}, changes = [];
const model = {{
  get: (k) => state[k],
  set: (k, v) => {{ const old = state[k]; state[k] = v; changes.push([k, v]);
    if (JSON.stringify(old) !== JSON.stringify(v)) (handlers["change:" + k] || []).forEach((f) => f()); }},
  on: (ev, f) => {{ (handlers[ev] = handlers[ev] || []).push(f); }},
  save_changes: () => {{}},
}};
window.state = state; window.changes = changes; window.model = model; window.done = 0;
addEventListener("message", (e) => {{ if (e.data && e.data.type === "test:done") window.done++; }});
render({{ model, el: document.getElementById("w") }});
</script></body></html>"""
    path = tmp_path / "harness.html"
    path.write_text(harness, encoding="utf-8")
    return path


def _settle(probe, frame, n: int) -> None:
    """Post a marker from the frame after what it sent, and wait until the widget side has it."""
    frame.evaluate("parent.postMessage({type: 'test:done'}, '*')")
    probe.page.wait_for_function(f"window.done >= {n}")


def test_the_widget_hears_only_its_own_document_and_links_open_a_new_tab(
    new_probe: Callable, tmp_path: Path
) -> None:
    widget = gf.FlowWidget(gf.read_flows("data/black_sea_grain_2023.csv"), tiles=None)
    assert "{geoflows-widget-token}" in widget.page  # a placeholder: no token in the HTML
    probe = new_probe()
    probe.page.goto(_harness(tmp_path, widget.page).as_uri())
    frame = probe.page.frames[1]
    frame.wait_for_function("document.querySelector('[data-geoflows-visible]') !== null")
    assert probe.page.evaluate("document.querySelector('iframe').sandbox.value") == (
        "allow-scripts allow-popups allow-popups-to-escape-sandbox"
    )
    # the frame's own page, without the token or with a wrong one: ignored
    frame.evaluate("""() => {
        const evil = {type: "geoflows:state", selected: ["spoof"], at: "1999-01-01",
                      bounds: [1, 2, 3, 4]};
        parent.postMessage(evil, "*");
        parent.postMessage(Object.assign({token: "0123456789abcdef"}, evil), "*");
    }""")
    _settle(probe, frame, 1)
    # the bridge's own messages (with the token) still set the model
    frame.evaluate("""document.querySelector('.folium-map').dispatchEvent(
        new CustomEvent('geoflows:set-at', {detail: '2023-03-01'}))""")
    probe.page.wait_for_function("window.state.at === '2023-03-01'")
    changes = json.dumps(probe.page.evaluate("window.changes"))
    assert "spoof" not in changes and "1999" not in changes
    # links: Leaflet's attribution and a popup's source, in a new tab without a way back
    links = frame.evaluate(f"""() => {{
        {JS_LAYER}.api.openPopup(0);
        return [...document.querySelectorAll('.leaflet-control-attribution a, .leaflet-popup a[href^=http]')]
            .map(a => [a.className || a.textContent.trim(), a.target, a.rel]);
    }}""")
    assert len(links) >= 2, links
    assert all(t == "_blank" and "noopener" in rel for _, t, rel in links), links
    frame.evaluate(f"void {JS_MAP}.closePopup()")
    context = probe.page.context
    # the tab the link opens gets a stand-in page here (no network)
    context.route("**/*", lambda r: r.fulfill(body="<p>opened</p>", content_type="text/html"))
    with context.expect_page() as opened:
        frame.click(".leaflet-control-attribution a")
    opened.value.wait_for_load_state()
    assert opened.value.url == "https://leafletjs.com/"
    assert opened.value.evaluate("window.opener === null")  # noopener: it cannot reach back
    assert frame.url == "about:srcdoc"  # the map stayed
    # the frame navigated away (a link without a target): the page there cannot set the model
    probe.page.route(FOREIGN, lambda r: r.fulfill(body=FOREIGN_PAGE, content_type="text/html"))
    before = probe.page.evaluate("window.changes.length")
    frame.evaluate(f"location.href = {FOREIGN!r}")
    probe.page.wait_for_function("window.done >= 2")
    assert probe.page.evaluate("window.changes.length") == before
    probe.page.evaluate("window.model.set('at', '2023-04-01')")  # and hears nothing from us
    _settle(probe, frame, 3)
    assert frame.url == FOREIGN and frame.evaluate("window.heard") == []


def test_a_notebook_map_without_its_cdn_shows_the_picture(new_probe: Callable) -> None:
    flows = gf.read_flows("data/black_sea_grain_2023.csv")
    gf.options.notebook_assets = "cdn"
    try:
        output = flows._repr_mimebundle_()["text/html"]
    finally:
        gf.options.reset()
    assert "cdn.jsdelivr.net" in output
    # The CDN is out of reach here (no network; Playwright's routes do not see the requests
    # of a sandboxed srcdoc frame, so the frame's own state says it): Leaflet never comes.
    probe = new_probe()
    probe.page.set_content(f"<html><body>{output}</body></html>", wait_until="load")
    probe.page.locator("iframe").wait_for(state="hidden")  # the empty frame goes
    assert probe.page.frames[1].evaluate("typeof L") == "undefined"
    assert probe.page.locator(".geoflows-fallback img").is_visible()
    hint = probe.page.locator(".geoflows-hint").inner_text()
    assert "Leaflet did not load" in hint and "notebook_assets" in hint
    # the same output with the map drawn (inline Leaflet) hides the picture instead
    probe = new_probe()
    output = flows._repr_mimebundle_()["text/html"]
    probe.page.set_content(f"<html><body>{output}</body></html>", wait_until="load")
    probe.page.locator(".geoflows-fallback").wait_for(state="hidden")
    assert probe.page.locator("iframe").is_visible()
