"""Fixtures for the Chromium tests: one offline browser per session, one fresh page per test.

The browser is Debian's Chromium (``/usr/bin/chromium``, or ``$GEOFLOWS_CHROMIUM``) driven by
Playwright's sync API; ``playwright install`` is never needed. Every page blocks each request
that is not ``file:`` or ``data:`` and records it, collects console errors and page errors, and
records (and dismisses) any dialog, so a test can assert that a map works offline, quietly, and
that no injected ``alert`` ever ran.

Run only these tests with ``pytest -m browser``; skip them with ``pytest -m "not browser"``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


def _screenshot_script() -> Any:
    """scripts/screenshot.py: the one place that says which Chromium runs and how."""
    path = Path(__file__).resolve().parents[2] / "scripts" / "screenshot.py"
    spec = importlib.util.spec_from_file_location("geoflows_screenshot", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_SCRIPT = _screenshot_script()
CHROMIUM = _SCRIPT.default_chromium()
CHROMIUM_ARGS = _SCRIPT.CHROMIUM_ARGS
VIEWPORT = {"width": 1000, "height": 700}
EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "data" / "dprk_russia_2023_2024.csv"

# JavaScript helpers the tests evaluate in the page.
#: The folium map object (folium names the global after the map div's id).
JS_MAP = "window[document.querySelector('.folium-map').id]"
#: The geoflows layer of the page (its ``api`` gives counts, points, popups and tooltips).
JS_LAYER = (
    "(() => { let f = null; window[document.querySelector('.folium-map').id]"
    ".eachLayer(l => { if (l.isGeoflows) f = l; }); return f; })()"
)
#: Number of flows the layer shows now.
JS_VISIBLE = "Number(document.querySelector('.folium-map').getAttribute('data-geoflows-visible'))"


@dataclass
class Probe:
    """A page plus everything it did that a test may want to assert on."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def open(self, path: str | os.PathLike) -> Probe:
        """Load a local HTML file and wait until the map layer has drawn."""
        self.page.goto(Path(path).resolve().as_uri(), wait_until="load")
        self.page.wait_for_function(
            "document.querySelector('[data-geoflows-visible]') !== null", timeout=20_000
        )
        return self

    def visible(self) -> int:
        return int(self.page.evaluate(JS_VISIBLE))

    def assert_quiet(self) -> None:
        """No console error, no page error, no dialog, no blocked request."""
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.page_errors == [], f"page errors: {self.page_errors}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.blocked == [], f"the page asked the network for: {self.blocked[:5]}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, launched once per test session (skips if it is not installed)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set GEOFLOWS_CHROMIUM)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_probe(browser: Any) -> Iterator[Callable[..., Probe]]:
    """Factory: a fresh offline context and page (closed after the test)."""
    contexts: list[Any] = []

    def make(**context_options: Any) -> Probe:
        options = {"viewport": VIEWPORT, "device_scale_factor": 1, **context_options}
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        probe = Probe(page)

        def route(r: Any) -> None:
            url = r.request.url
            probe.requests.append(url)
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                probe.blocked.append(url)
                r.abort()

        def on_dialog(d: Any) -> None:
            probe.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.route("**/*", route)
        page.on(
            "console", lambda m: probe.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda e: probe.page_errors.append(str(e)))
        page.on("dialog", on_dialog)
        return probe

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def probe(new_probe: Callable[..., Probe]) -> Probe:
    """One fresh offline page for this test."""
    return new_probe()
