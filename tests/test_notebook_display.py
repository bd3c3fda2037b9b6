"""The notebook display of a FlowSet: three parts, the trust hint, options, warnings at the user's line."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest
from PIL import Image

import geoflows as gf
from geoflows.render._notebook import TRUST_HINT

EXAMPLE = "data/dprk_russia_2023_2024.csv"


@pytest.fixture(scope="module")
def grain() -> gf.FlowSet:
    return gf.read_flows("data/black_sea_grain_2023.csv")


def test_mimebundle_has_map_summary_and_picture(grain: gf.FlowSet) -> None:
    bundle = grain._repr_mimebundle_()
    assert sorted(bundle) == ["image/png", "text/html", "text/plain"]
    html = bundle["text/html"]
    assert html.count("<iframe ") == 1
    assert 'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"' in html
    # The hint sits outside the frame, as plain escaped text.
    assert html.index("</iframe>") < html.index('class="geoflows-hint"')
    assert "Trust Notebook" in html and "command palette" in html
    text = bundle["text/plain"]
    assert text.startswith("5 flows between 5 places; units: tonnes (4 flows), ships (1 flow)")
    assert "dates 2022-08-01 to 2023-" in text and "Port of Odesa" in text
    png = Image.open(io.BytesIO(bundle["image/png"]))
    assert png.format == "PNG" and png.size == (640, 448)
    # A real picture of flows, not a blank canvas: many distinct colours.
    assert len(png.convert("RGB").getcolors(maxcolors=100_000)) > 20


def test_bundle_from_plain_frames_is_the_flowsets(grain: gf.FlowSet) -> None:
    # render takes frames: the FlowSet hands over its frame, its unresolved rows and its lines.
    from geoflows.render._notebook import flows_summary, notebook_bundle

    frame = grain.to_geodataframe(split_antimeridian=False, dense=False)
    bundle = notebook_bundle(frame, unresolved=grain.unresolved, lines=grain.to_geodataframe())
    assert bundle == grain._repr_mimebundle_()
    rows = pd.DataFrame({"origin": ["Xqzzyville"], "destination": ["Odesa"]})
    assert "(1 with unresolved places, not drawn)" in flows_summary(frame, rows)


def test_summary_counts_unresolved_and_many_units() -> None:
    flows = gf.read_flows(EXAMPLE)
    text = flows._repr_mimebundle_()["text/plain"]
    assert text.startswith("30 flows between 19 places; units: containers (7 flows), troops (7")
    assert "and 3 more" in text and "dates 2022-07-01 to 2024-11-22" in text
    missing = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "unit": "containers", "volume": 5},
            {"origin": "Xqzzyville", "destination": "Vladivostok"},
        ],
        allow_unresolved=True,
    )
    assert "(1 with unresolved places, not drawn)" in missing._repr_mimebundle_()["text/plain"]


def test_options_choose_assets_and_picture(grain: gf.FlowSet) -> None:
    try:
        gf.options.notebook_assets = "cdn"
        gf.options.notebook_png = False
        bundle = grain._repr_mimebundle_()
        assert "image/png" not in bundle
        small = len(bundle["text/html"])
        gf.options.reset()
        full = len(grain._repr_mimebundle_()["text/html"])
        # Leaflet and our script stay out of the notebook with "cdn".
        assert small < full - 100_000
        assert "cdn.jsdelivr.net/npm/leaflet@" in bundle["text/html"]
    finally:
        gf.options.reset()


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("notebook_assets", "web", "notebook_assets must be one of 'inline', 'cdn'; got 'web'"),
        ("notebook_png", "yes", "notebook_png must be one of True, False; got 'yes'"),
        ("notebook_asets", "cdn", "unknown option 'notebook_asets'"),
    ],
)
def test_options_refuse_unknown_values(name: str, value: object, match: str) -> None:
    with pytest.raises(gf.OptionError, match=match) as err:
        setattr(gf.options, name, value)
    assert isinstance(err.value, ValueError) and isinstance(err.value, gf.GeoflowsError)
    assert gf.options.notebook_assets == "inline"


def test_hint_text_is_escaped() -> None:
    assert "<" not in TRUST_HINT and "Trust Notebook" in TRUST_HINT


def test_route_fallback_warning_points_at_the_users_line() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gf.read_flows(
            [{"id": "inland", "origin": "Moscow", "destination": "Vladivostok", "mode": "sea"}]
        )
    fallbacks = [w for w in caught if issubclass(w.category, gf.RouteFallbackWarning)]
    assert len(fallbacks) == 1
    assert fallbacks[0].filename == __file__
    assert fallbacks[0].message.flows == ("inland",)
    assert fallbacks[0].message.reasons[0].startswith("sea route not found")


def test_unresolved_warning_points_at_the_users_line_and_can_be_silenced() -> None:
    rows = [{"origin": "Xqzzyville", "destination": "Vladivostok"}]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gf.read_flows(rows, allow_unresolved=True)
    ours = [w for w in caught if issubclass(w.category, gf.GeoflowsWarning)]
    assert [w.filename for w in ours] == [__file__]
    assert ours[0].message.reason == "unresolved"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", gf.GeoflowsWarning)
        gf.read_flows(rows, allow_unresolved=True)
    assert not [w for w in caught if issubclass(w.category, gf.GeoflowsWarning)]


# Small doors of FlowSet a notebook user meets first (issue 14's bug list).
def test_a_flow_by_position_and_its_route_note() -> None:
    flows = gf.read_flows(EXAMPLE)
    first, last = flows[0], flows[-1]
    assert isinstance(first, gf.Flow) and first.id == "dprk_ru_001" and first.unit == "containers"
    assert last == list(flows)[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.RouteFallbackWarning)
        inland = gf.read_flows(
            [{"id": "inland", "origin": "Moscow", "destination": "Vladivostok", "mode": "sea"}]
        )
    assert inland[0].route_note.startswith("sea route not found")
    with pytest.raises(IndexError, match="flow position 30 is out of range for 30 flows"):
        flows[30]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"kinds": ["shipments"]}, "unknown kinds value 'shipments'; did you mean 'shipment'?"),
        ({"confidence": ["Confirmed"]}, "unknown confidence value 'Confirmed'; did you mean"),
        ({"modes": ["ship"]}, r"unknown modes value 'ship' \(valid: 'sea', 'rail'"),
    ],
)
def test_filter_refuses_unknown_vocabulary(options: dict, match: str) -> None:
    flows = gf.read_flows("data/black_sea_grain_2023.csv")
    with pytest.raises(gf.OptionError, match=match):
        flows.filter(**options)


def test_filter_takes_a_bare_string_as_a_list_of_one() -> None:
    flows = gf.read_flows(EXAMPLE)
    assert len(flows.filter(modes="sea")) == len(flows.filter(modes=["sea"])) > 0
    assert len(flows.filter(confidence="unknown")) == len(flows.filter(confidence=["unknown"]))
