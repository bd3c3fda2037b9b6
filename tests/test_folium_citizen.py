"""geoflows as a good folium citizen (issue 22 item 11).

A FlowLayer is a named folium overlay that LayerControl lists; several FlowSets share one map;
folium.Map's own arguments pass through to_folium / to_html / save_map, an unknown one is a
TypeError naming the closest; a month or a year ``at`` means that whole period.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest

import geoflows as gf
from geoflows.render import FlowLayer, build_payload
from geoflows.render._encode import unpack

HOSTILE = '{{ 7*7 }} <img src=x onerror="alert(1)"> {% if 1 %}x{% endif %}'


@pytest.fixture(scope="module")
def dated() -> gf.FlowSet:
    return gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "start": "2024-09-20",
             "end": "2024-09-30", "volume": 1, "unit": "t"},
            {"origin": "Rajin", "destination": "Vladivostok", "start": "2024-10-31",
             "end": "2024-11-05", "volume": 2, "unit": "t"},
            {"origin": "Rajin", "destination": "Vladivostok", "start": "2024-12-01",
             "end": "2024-12-02", "volume": 3, "unit": "t"},
        ]
    )  # fmt: skip


@pytest.fixture(scope="module")
def grain() -> gf.FlowSet:
    return gf.read_flows(
        [{"origin": "Odesa", "destination": "Istanbul", "volume": 5, "unit": "ships"}]
    )


def _draw_calls(page: str) -> list[tuple[str, dict, dict]]:
    """Each ``var flow_layer_k = geoflowsDraw(map, payload, fit, options);`` of a page."""
    calls = re.findall(
        r"var (flow_layer_\d+) = geoflowsDraw\([^,]+, (\{.*\}), (?:true|false), (\{[^{}]*\})\);",
        page,
    )
    return [(name, json.loads(p), json.loads(o)) for name, p, o in calls]


def _overlay_keys(page: str) -> list[str]:
    """The JSON keys folium's LayerControl writes for its overlays, decoded."""
    block = re.search(r"overlays :\s*\{(.*?)\},\s*\};", page, re.S)[1]
    return [json.loads(k) for k in re.findall(r'^\s*(".*?") : flow_layer_\d+,$', block, re.M)]


# ------------------------------------------------------------------ the layer and its name


def test_the_layer_is_a_named_overlay(dated: gf.FlowSet) -> None:
    assert isinstance(FlowLayer(dated), folium.map.Layer)
    default = FlowLayer(dated)
    assert (default.name, default.layer_name) == ("Flows", "Flows")
    assert (default.overlay, default.control, default.show) == (True, True, True)
    assert FlowLayer(dated, title="DPRK & Russia").name == "DPRK & Russia"
    named = FlowLayer(dated, title="T", name="Arms", show=False, control=False)
    assert (named.name, named.show, named.control) == ("Arms", False, False)
    with pytest.raises(gf.GeoflowsError, match="FlowLayer name must be text; got 7"):
        FlowLayer(dated, name=7)


def test_layer_control_lists_the_name_as_text_never_as_template(
    dated: gf.FlowSet, grain: gf.FlowSet
) -> None:
    m = dated.to_folium(title="DPRK to Russia")
    grain.to_folium(m=m, name=HOSTILE)
    folium.LayerControl().add_to(m)
    page = m.get_root().render()
    # Leaflet sets an overlay's name as markup: the key is the name written as HTML text
    keys = _overlay_keys(page)
    assert keys == [
        "DPRK to Russia",
        "&#123;&#123; 7*7 &#125;&#125; &lt;img src=x onerror=&quot;alert(1)&quot;&gt; "
        "&#123;% if 1 %&#125;x&#123;% endif %&#125;",
    ]
    assert "49" not in keys[1] and "{{" not in page.split("overlays")[1][:2000]
    # the layer's own controls get the name through the escaped JSON, read as text
    options = [o for _, _, o in _draw_calls(page)]
    assert [o["label"] for o in options] == ["DPRK to Russia", HOSTILE]
    assert "<img" not in page.split("<script>")[-1].split("geoflowsDraw(")[2][:100_000]


def test_one_layer_keeps_its_page_as_before(dated: gf.FlowSet) -> None:
    page = dated.to_html(tiles=None)
    ((name, payload, options),) = _draw_calls(page)
    assert name == "flow_layer_0" and options == {"show": True}  # no label on a map of one
    assert payload["basemap"] is not None


def test_two_flowsets_share_one_basemap_and_one_view(dated: gf.FlowSet, grain: gf.FlowSet) -> None:
    m = dated.to_folium(name="Arms")
    grain.to_folium(m=m, name="Grain")
    page = m.get_root().render()
    (n0, p0, o0), (n1, p1, o1) = _draw_calls(page)
    assert (n0, n1) == ("flow_layer_0", "flow_layer_1")
    # one basemap, on the first layer, with detail at the places of both
    alone = build_payload(dated, basemap="countries")["basemap"]
    assert p1["basemap"] is None and p0["basemap"] != alone
    assert len(p0["basemap"]["cuts"]) > len(alone["cuts"])
    # the first view covers both layers' flows; the second layer does not refit
    assert o0["bounds"][0][0] <= min(p0["bounds"][0][0], p1["bounds"][0][0])
    assert o0["bounds"][1][1] >= max(p0["bounds"][1][1], p1["bounds"][1][1])
    assert (o0["label"], o1["label"]) == ("Arms", "Grain")
    assert "var flow_layer_1 = geoflowsDraw(" in page and ", false, {" in page
    # the same two FlowSets give the same bytes
    again = dated.to_folium(name="Arms")
    grain.to_folium(m=again, name="Grain")
    assert again.get_root().render() == page


# ------------------------------------------------------------------ folium.Map's arguments


def test_folium_map_arguments_pass_through(dated: gf.FlowSet, tmp_path: Path) -> None:
    m = dated.to_folium(
        zoom_control=False, prefer_canvas=True, min_zoom=3, max_zoom=9, max_bounds=True,
        width="80%", height="500px", control_scale=False, scroll_wheel_zoom=False,
    )  # fmt: skip
    page = m.get_root().render()
    for text in ('"zoomControl": false', '"preferCanvas": true', '"minZoom": 3', '"maxZoom": 9',
                 '"scrollWheelZoom": false', '"maxBounds": [', "width: 80.0%", "height: 500.0px"):  # fmt: skip
        assert text in page, text
    assert "L.control.scale()" not in page
    out = dated.save_map(tmp_path / "m.html", zoom_control=False, min_zoom=2)
    saved = out.read_text(encoding="utf-8")
    assert '"zoomControl": false' in saved and '"minZoom": 2' in saved
    assert '"zoomControl": false' in dated.to_html(zoom_control=False)
    # geoflows' own defaults stay unless overridden
    assert "L.control.scale()" in dated.to_html() and '"worldCopyJump": false' in dated.to_html()


def test_a_chosen_view_is_not_refitted(dated: gf.FlowSet) -> None:
    page = dated.to_folium(location=[40, 130], zoom_start=5).get_root().render()
    assert "center: [40.0, 130.0]" in page and '"zoom": 5' in page
    ((_, _, _),) = _draw_calls(page)
    assert re.search(r"geoflowsDraw\([^,]+, \{.*\}, false, \{", page)
    assert re.search(r"geoflowsDraw\([^,]+, \{.*\}, true, \{", dated.to_html())


@pytest.mark.parametrize("door", ["to_folium", "to_html", "save_map"])
def test_an_unknown_keyword_is_a_type_error_naming_the_closest(
    dated: gf.FlowSet, door: str, tmp_path: Path
) -> None:
    call = getattr(dated, door)
    args = (tmp_path / "m.html",) if door == "save_map" else ()
    with pytest.raises(
        TypeError, match=r"^unknown option 'zoom_contol'; did you mean 'zoom_control'\?"
    ):
        call(*args, zoom_contol=False)
    with pytest.raises(
        gf.UnknownOptionError, match=r"'prefer_canvass'; did you mean 'prefer_canvas'\?"
    ):
        call(*args, prefer_canvass=True)
    with pytest.raises(gf.OptionError, match=r"'titel'; did you mean 'title'\?"):
        call(*args, titel="x")
    assert not (tmp_path / "m.html").exists()


def test_folium_arguments_with_a_map_given_are_refused(dated: gf.FlowSet) -> None:
    m = folium.Map(tiles=None)
    with pytest.raises(TypeError, match=r"'zoom_control': folium.Map arguments make a new map"):
        dated.to_folium(m=m, zoom_control=False)


# ------------------------------------------------------------------ a month or a year `at`


def _day(text: str) -> int:
    import numpy as np

    return int(np.datetime64(text, "D").astype("int64"))


@pytest.mark.parametrize(
    ("at", "first", "last", "precision"),
    [
        ("2024-10", "2024-10-01", "2024-10-31", 1),
        ("2024-02", "2024-02-01", "2024-02-29", 1),
        ("2024", "2024-01-01", "2024-12-31", 2),
        (2024, "2024-01-01", "2024-12-31", 2),
        ("2024-10-20", "2024-10-20", "2024-10-20", 0),
    ],
)
def test_a_month_or_year_at_is_the_whole_period(
    dated: gf.FlowSet, at: object, first: str, last: str, precision: int
) -> None:
    payload = build_payload(dated, at=at)
    assert payload["at"] == _day(last)
    assert payload["atPeriod"] == [_day(first), _day(last), precision]
    # the window reaches back to the first day (a day keeps the default 30 days)
    assert payload["window"] == (30 if precision == 0 else _day(last) - _day(first))


def test_a_month_at_shows_the_flows_of_that_month(dated: gf.FlowSet) -> None:
    # as the page tests them: start <= at and end + window >= at
    payload = build_payload(dated, at="2024-10")
    t0, t1 = unpack(payload["t0"]), unpack(payload["t1"])
    shown = [
        a <= payload["at"] and b + payload["window"] >= payload["at"]
        for a, b in zip(t0, t1, strict=True)
    ]
    assert shown == [False, True, False]  # Sept ends before Oct 1st; Dec starts after the 31st
    # the first day with 30 days back (what "2024-10" read as before) shows September's flow
    # and not the one of October 31st
    day = build_payload(dated, at="2024-10-01")
    w = day["window"]
    assert [a <= day["at"] and b + w >= day["at"] for a, b in zip(t0, t1, strict=True)] == [
        True,
        False,
        False,
    ]


def test_a_window_given_wins_over_the_period(dated: gf.FlowSet) -> None:
    payload = build_payload(dated, at="2024-10", time_window_days=7)
    assert (payload["at"], payload["window"]) == (_day("2024-10-31"), 7)
    assert build_payload(dated)["window"] == 30 and build_payload(dated)["atPeriod"] is None


@pytest.mark.parametrize("bad", ["2024-13", "Oct 2024", "soon", "24-10", True, 12])
def test_an_unreadable_at_names_itself_and_the_forms(dated: gf.FlowSet, bad: object) -> None:
    with pytest.raises(
        gf.OptionError,
        match=rf"^option 'at' takes a day YYYY-MM-DD, a month YYYY-MM or a year YYYY or None; "
        rf"got {re.escape(repr(bad))} \(not a day, a month or a year\)$",
    ):
        dated.to_html(at=bad)


def test_build_files_take_a_month_or_a_year_at(tmp_path: Path) -> None:
    from geoflows.build import load_build_file

    csv = Path(__file__).parent / "data" / "build" / "flows_a.csv"
    (tmp_path / "a.csv").write_bytes(csv.read_bytes())
    text = (
        "inputs: {a: a.csv}\nmaps:\n"
        "  - {name: month, input: a, options: {at: 2024-10}}\n"
        "  - {name: year, input: a, options: {at: 2024}}\n"
    )
    (tmp_path / "b.yaml").write_text(text)
    spec = load_build_file(tmp_path / "b.yaml")
    assert [m.options["at"] for m in spec.maps] == ["2024-10", 2024]
    (tmp_path / "bad.yaml").write_text(text.replace("2024-10", "2024-1"))
    with pytest.raises(
        gf.BuildError,
        match=r"maps\[0\].options.at: expected a day YYYY-MM-DD, a month YYYY-MM or a year YYYY "
        r"or null, got '2024-1'",
    ):
        load_build_file(tmp_path / "bad.yaml")
    (tmp_path / "bad.yaml").write_text(text.replace("2024-10", "2024-13"))
    with pytest.raises(gf.BuildError, match=r"maps\[0\].options.at: .*'2024-13'"):
        load_build_file(tmp_path / "bad.yaml")


def test_a_second_layer_takes_colours_the_first_does_not_use() -> None:
    arms = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "category": "arms"}])
    grain = gf.read_flows([{"origin": "Odesa", "destination": "Istanbul", "category": "grain"}])
    m = arms.to_folium()
    grain.to_folium(m=m)
    (_, p0, _), (_, p1, _) = _draw_calls(m.get_root().render())
    assert p0["colors"] == [gf.style.PALETTE[0]] and p1["colors"] == [gf.style.PALETTE[1]]
    # alone, or with a palette given, a FlowSet keeps its own colours
    assert build_payload(grain)["colors"] == [gf.style.PALETTE[0]]
    grain.to_folium(m=m, palette=["#123456"])
    assert _draw_calls(m.get_root().render())[2][1]["colors"] == ["#123456"]
