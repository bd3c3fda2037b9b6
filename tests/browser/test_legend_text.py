"""Issue 22 §9 in Chromium, on the test story: legend names cut with an ellipsis show in
full on hover, and source citations wrap between words, never inside one."""

from __future__ import annotations

from pathlib import Path

import pytest

import geoflows as gf
from tests.browser.conftest import JS_LAYER, Probe

pytestmark = pytest.mark.browser

STORY = Path(__file__).resolve().parents[2] / "tests" / "data" / "iran_dprk_russia_2022_2025.csv"


@pytest.fixture(scope="module")
def story_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    flows = gf.read_flows(STORY)
    return flows.save_map(tmp_path_factory.mktemp("story") / "story.html", tiles=None)


def test_every_cut_legend_name_shows_whole_on_hover(probe: Probe, story_map: Path) -> None:
    page = probe.open(story_map).page
    page.wait_for_selector(".gf-legend-row bdi")
    names = page.evaluate(
        "[...document.querySelectorAll('.gf-legend-row bdi, .gf-legend-unitname, "
        "label bdi')].map(b => ({text: b.textContent, title: b.title, "
        "cut: b.scrollWidth > b.clientWidth}))"
    )
    assert len(names) >= 10
    assert all(n["title"] == n["text"] for n in names), [
        n for n in names if n["title"] != n["text"]
    ]
    assert any(n["cut"] for n in names)  # the story's long category names are cut...
    assert all(n["title"] for n in names if n["cut"])  # ...and each says its whole name
    probe.assert_quiet()


def test_citations_wrap_between_words(probe: Probe, story_map: Path) -> None:
    page = probe.open(story_map).page
    split, heights = [], []
    for i in range(6):
        page.evaluate(f"{JS_LAYER}.api.openPopup({i})")
        page.locator(".gf-popup-wrap ol.gf-sources li").first.wait_for(state="visible")
        # as narrow as a phone's popup: the citations must wrap, and only between words
        page.evaluate("document.querySelector('.gf-popup-wrap ol.gf-sources').style.width='150px'")
        # a word laid out on two lines has two client rectangles
        split += page.evaluate(
            """() => {
              const out = [];
              for (const li of document.querySelectorAll('.gf-popup-wrap ol.gf-sources li')) {
                const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                  const re = /\\S+/g; let m;
                  while ((m = re.exec(n.data))) {
                    const r = document.createRange();
                    r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
                    if (r.getClientRects().length > 1) out.push(m[0]);
                  }
                }
              }
              return out;
            }"""
        )
        heights += page.evaluate(
            "[...document.querySelectorAll('.gf-popup-wrap ol.gf-sources li')]"
            ".map(li => Math.round(li.getBoundingClientRect().height))"
        )
    assert split == []
    assert max(heights) > 1.5 * min(heights)  # some citation wraps onto a second line
    probe.assert_quiet()
