"""FlowWidget from the Python side: page, traits, selection as records (the browser side is in tests/browser/test_jupyterlab.py)."""

from __future__ import annotations

import datetime as dt

import pytest

import geoflows as gf

pytest.importorskip("anywidget")


@pytest.fixture
def widget() -> gf.FlowWidget:
    return gf.FlowWidget(gf.read_flows("data/black_sea_grain_2023.csv"), tiles=None)


def test_page_is_the_saved_map_plus_the_bridge(widget: gf.FlowWidget) -> None:
    flows = gf.read_flows("data/black_sea_grain_2023.csv")
    page = flows.to_html(tiles=None)
    assert widget.page.startswith(page.rpartition("</body>")[0])
    assert widget.page.count('type: "geoflows:ready"') == 1
    assert widget.page.endswith("</html>")


def test_selected_follows_clicks_then_visible_flows(widget: gf.FlowWidget) -> None:
    ids = list(widget.flows.to_geodataframe()["id"])
    assert len(widget.selected) == len(ids) == 5
    widget.visible_ids = ids[:3]
    widget.time_window = ["2023-01-01", "2023-03-01"]
    assert list(widget.selected.to_geodataframe()["id"]) == ids[:3]
    widget.selected_ids = [ids[4]]
    chosen = widget.selected.to_geodataframe()
    assert list(chosen["id"]) == [ids[4]] and chosen["source"].iloc[0]


def test_at_accepts_dates_and_refuses_text(widget: gf.FlowWidget) -> None:
    widget.at = dt.date(2023, 11, 1)
    assert widget.at == "2023-11-01"
    widget.at = None
    assert widget.at is None
    with pytest.raises(gf.OptionError, match="at must be a date like '2023-11-01'"):
        widget.at = "<script>"


def test_setting_flows_redraws_and_clears_state(widget: gf.FlowWidget) -> None:
    widget.selected_ids = ["x"]
    other = gf.read_flows([{"id": "one", "origin": "Rajin", "destination": "Vladivostok"}])
    before = widget.page
    widget.flows = other
    assert widget.page != before and widget.selected_ids == []
    assert len(widget.selected) == 1
