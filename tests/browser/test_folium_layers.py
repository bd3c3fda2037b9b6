"""Two FlowSets on one folium map with a LayerControl, one of them named with hostile text.

One page load: both layers draw their lines; the LayerControl lists both by name, the hostile
one as its own characters (no template evaluated, no markup made, no script run); unticking a
layer hides its lines, names and controls and nothing of the other's; ticking it back shows
them again; a third layer with show=False is listed unticked and drawn once ticked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import pytest

import geoflows as gf

pytestmark = pytest.mark.browser

HOSTILE = '{{ 7*7 }} <img src=x onerror="alert(1)"> </script><b>x</b>'

#: RGBA of layer k's flow canvas at its flow i's point (container pixels).
JS_PIXEL = """(([k, i]) => {
  const l = window['flow_layer_' + k], c = l.parts.canvas._canvas;
  if (!c || !c.parentNode) return null;  // off the map
  const p = l.api.pointOf(i);
  return Array.from(c.getContext('2d').getImageData(Math.round(p[0]), Math.round(p[1]), 1, 1).data);
})"""

#: RGBA of every flow canvas on the page at container point p, added up channel by channel.
JS_ANY_PIXEL = """(p => Array.from(document.querySelectorAll('canvas.geoflows-canvas')).map(c =>
  Array.from(c.getContext('2d').getImageData(Math.round(p[0]), Math.round(p[1]), 1, 1).data))
  .reduce((a, b) => a.map((v, j) => v + b[j]), [0, 0, 0, 0]))"""

#: What the page shows of each layer now.
JS_STATE = """(() => [0, 1].map(k => {
  const l = window['flow_layer_' + k];
  const shown = n => n && n.offsetParent !== null;
  return {
    shown: l.shown,
    canvas: !!l.parts.canvas._canvas.parentNode,
    legend: shown(l.parts.controls[0].getContainer()),
    labels: l.parts.labels.placed().map(o => o.text),
  };
}))()"""


@pytest.fixture(scope="module")
def two_layers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    arms = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "volume": 100, "unit": "t",
             "category": "arms", "start": "2024-10-05"},
            {"origin": "Pyongyang", "destination": "Khabarovsk", "volume": 50, "unit": "t",
             "category": "arms", "start": "2024-10-01", "end": "2024-10-12"},
        ]
    )  # fmt: skip
    grain = gf.read_flows(
        [
            {"origin": "Odesa", "destination": "Istanbul", "volume": 5, "unit": "ships",
             "category": "grain"},
        ]
    )  # fmt: skip
    m = arms.to_folium(title="Arms", zoom_control=False, at="2024-10")
    grain.to_folium(m=m, name=HOSTILE)
    later = gf.read_flows([{"origin": "Tartus", "destination": "Novorossiysk", "volume": 1}])
    later.to_folium(m=m, name="Later", show=False)
    folium.LayerControl(collapsed=False).add_to(m)
    out = tmp_path_factory.mktemp("layers") / "two.html"
    m.save(str(out))
    return out


def test_two_layers_share_a_map_and_a_layer_control(probe: Any, two_layers: Path) -> None:
    page = probe.open(two_layers).page
    page.wait_for_function(
        "window.flow_layer_1 && flow_layer_1.api.drawn() && flow_layer_0.api.drawn()"
    )
    # the control lists both layers by name, the hostile one as typed: no 49, no <img>, no <b>
    names = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))"
        ".map(l => l.textContent.trim())"
    )
    assert names == ["Arms", HOSTILE, "Later"]
    ticks = "[...document.querySelectorAll('.leaflet-control-layers-selector')].map(i => i.checked)"
    assert page.evaluate(ticks) == [True, True, False]  # show=False: listed, not drawn
    assert (
        page.evaluate("flow_layer_2.shown || !!flow_layer_2.parts.canvas._canvas.parentNode")
        is False
    )
    assert (
        page.evaluate(
            "document.querySelectorAll('.leaflet-control-layers img, .leaflet-control-layers b').length"
        )
        == 0
    )
    # each layer's controls are headed by its name (text, isolated)
    heads = page.evaluate(
        "Array.from(document.querySelectorAll('.gf-legend summary.gf-summary')).map(s => s.textContent)"
    )
    assert sorted(heads) == sorted(["Legend: Arms", "Legend: " + HOSTILE, "Legend: Later"])
    zoom = page.evaluate("document.querySelector('.leaflet-control-zoom')")
    assert zoom is None  # zoom_control=False
    # at="2024-10": the slider (the only one: grain is undated) on the 31st, all of October
    slider = page.evaluate(
        "[...document.querySelectorAll('.gf-slider-name, .gf-date, .gf-window')]"
        ".map(n => n.textContent)"
    )
    assert slider == ["Arms", "2024-10-31", "all of Oct 2024"]
    # both layers' lines are drawn, on a view that holds both
    for k, i in ((0, 0), (0, 1), (1, 0)):
        assert page.evaluate(JS_PIXEL, [k, i])[3] > 0, (k, i)
    state = page.evaluate(JS_STATE)
    assert [s["canvas"] for s in state] == [True, True] and [s["legend"] for s in state] == [
        True,
        True,
    ]
    assert "Vladivostok" in state[0]["labels"] and "Istanbul" in state[1]["labels"]

    rajin = page.evaluate("flow_layer_0.api.pointOf(0)")
    assert page.evaluate(JS_ANY_PIXEL, rajin)[3] > 0
    # untick the first layer: its lines, names and legend go; the second's stay
    page.click(".leaflet-control-layers-overlays label:nth-of-type(1) input")
    state = page.evaluate(JS_STATE)
    assert [s["shown"] for s in state] == [False, True]
    assert [s["canvas"] for s in state] == [False, True]
    assert [s["legend"] for s in state] == [False, True]
    assert state[0]["labels"] == [] and "Istanbul" in state[1]["labels"]
    assert page.evaluate(JS_PIXEL, [0, 0]) is None
    assert page.evaluate(JS_ANY_PIXEL, rajin) == [0, 0, 0, 0]  # nothing drawn where it was
    assert page.evaluate(JS_PIXEL, [1, 0])[3] > 0
    assert page.get_attribute(".folium-map", "data-geoflows-layers-shown") == "1"
    assert page.evaluate("document.querySelectorAll('canvas.geoflows-canvas').length") == 1

    # tick it back: all of it returns
    page.click(".leaflet-control-layers-overlays label:nth-of-type(1) input")
    page.wait_for_function("flow_layer_0.api.drawn()")
    state = page.evaluate(JS_STATE)
    assert [s["canvas"] for s in state] == [True, True] and [s["legend"] for s in state] == [
        True,
        True,
    ]
    assert page.evaluate(JS_PIXEL, [0, 0])[3] > 0
    assert "Vladivostok" in state[0]["labels"]
    assert page.get_attribute(".folium-map", "data-geoflows-layers-shown") == "2"
    # the layer hidden at first is drawn when ticked
    page.click(".leaflet-control-layers-overlays label:nth-of-type(3) input")
    page.wait_for_function("flow_layer_2.shown && flow_layer_2.api.drawn()")
    assert page.evaluate(JS_PIXEL, [2, 0])[3] > 0
    assert page.get_attribute(".folium-map", "data-geoflows-layers-shown") == "3"
    probe.assert_quiet()
