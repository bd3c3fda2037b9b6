"""The map's panels keep clear of each other: the open filter never runs under the legend."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import geoflows as gf

EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "data" / "dprk_russia_2023_2024.csv"

pytestmark = pytest.mark.browser

BOXES = """(() => {
  const r = s => { const b = document.querySelector(s).getBoundingClientRect();
                   return [b.left, b.top, b.right, b.bottom]; };
  const body = document.querySelector('.gf-filter-body');
  return { filter: r('.gf-filter'), legend: r('.gf-legend'),
           legendOpen: document.querySelector('.gf-legend-main').open,
           filterOpen: document.querySelector('.gf-filter details').open,
           scrolls: body.scrollHeight > body.clientHeight,
           scrollable: getComputedStyle(body).overflowY };
})()"""


@pytest.fixture(scope="module")
def example_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.RouteFallbackWarning)
        flows = gf.read_flows(EXAMPLE_CSV)
    path = tmp_path_factory.mktemp("panels") / "example.html"
    return flows.save_map(path, title="DPRK–Russia transfers, 2023–2024")


#: True once the two panels are apart (a <details> toggle is handled in a later task).
APART = """(() => {
  const f = document.querySelector('.gf-filter').getBoundingClientRect();
  const l = document.querySelector('.gf-legend').getBoundingClientRect();
  return f.right <= l.left || l.right <= f.left || f.bottom <= l.top || l.bottom <= f.top;
})()"""


def _settled(page) -> dict:
    """The panels' boxes once the toggle handlers have run (at most 5 s under load)."""
    page.wait_for_function(APART, timeout=5_000)
    return page.evaluate(BOXES)


def _apart(a: list, b: list) -> bool:
    """True when two [left, top, right, bottom] rectangles do not intersect."""
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


@pytest.mark.slow
@pytest.mark.parametrize("width,height", [(1280, 800), (1024, 640)])
def test_open_filter_never_runs_under_the_legend(
    new_probe: Callable, example_map: Path, width: int, height: int
) -> None:
    probe = new_probe(viewport={"width": width, "height": height}).open(example_map)
    page = probe.page
    before = page.evaluate(BOXES)
    assert before["legendOpen"] and not before["filterOpen"]
    page.locator(".gf-filter summary").click()
    boxes = _settled(page)
    assert boxes["filterOpen"]
    assert _apart(boxes["filter"], boxes["legend"]), boxes
    # the filter's list scrolls inside its box rather than being cut off
    assert boxes["scrollable"] == "auto"
    assert boxes["filter"][3] <= height and boxes["legend"][3] <= height
    # every checkbox can still be reached: scrolled into view, it is clear of the legend too
    last = page.locator(".gf-filter input").last
    last.scroll_into_view_if_needed()
    b = last.bounding_box()
    assert _apart([b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]], boxes["legend"])
    last.click()  # a real click: nothing covers it
    # opening the legend again while the filter is open: still no overlap
    page.locator(".gf-legend summary.gf-summary").click()
    again = _settled(page)
    assert again["legendOpen"] or boxes["legendOpen"]
    assert _apart(again["filter"], again["legend"]), again
    # a smaller window with both open: the boxes stay apart
    page.set_viewport_size({"width": width, "height": height - 160})
    small = _settled(page)
    assert _apart(small["filter"], small["legend"]), small
    probe.assert_quiet()
