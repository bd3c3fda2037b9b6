"""The notebook output in Chromium: the hint hides once the map's frame loads, stays where frames are stripped."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

import geoflows as gf

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def output_html() -> str:
    flows = gf.read_flows("data/black_sea_grain_2023.csv")
    return flows._repr_mimebundle_()["text/html"]


def test_hint_hidden_when_the_map_shows(new_probe: Callable, output_html: str) -> None:
    probe = new_probe()
    probe.page.set_content(f"<html><body>{output_html}</body></html>", wait_until="load")
    frame = probe.page.frames[1]
    frame.wait_for_function("document.querySelector('[data-geoflows-visible]') !== null")
    assert probe.page.locator(".geoflows-fallback").is_hidden()
    assert probe.page_errors == [] and probe.dialogs == []


def test_hint_shown_where_frames_are_stripped(new_probe: Callable, output_html: str) -> None:
    # What an untrusted JupyterLab notebook or a static viewer does: drop the iframe and its
    # event handlers, keep the text.
    stripped = re.sub(r"<iframe .*?</iframe>", "", output_html, flags=re.S)
    probe = new_probe()
    probe.page.set_content(f"<html><body>{stripped}</body></html>", wait_until="load")
    hint = probe.page.locator(".geoflows-hint")
    assert hint.is_visible()
    assert "Trust Notebook" in hint.inner_text()
    picture = probe.page.locator(".geoflows-fallback img")
    assert picture.is_visible()
    assert picture.evaluate("img => img.naturalWidth") == 640
