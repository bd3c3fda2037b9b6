"""Save a PNG of a geoflows HTML map, rendered offline in Debian's Chromium.

Every request that is not ``file:`` or ``data:`` is blocked (so a map saved with ``tiles=None``
renders completely, and one with web tiles shows its flows on a blank background). Blocked
requests, console errors and page errors are reported on stderr.

Usage::

    python scripts/screenshot.py MAP.html OUT.png [--width 1280 --height 800]

For example, the README picture (``docs/img/example_map.png``)::

    python -c "import geoflows as gf; gf.read_flows('data/dprk_russia_2023_2024.csv').save_map(
        '/tmp/example_map.html', tiles=None, title='North Korea – Russia transfers, 2023–2024')"
    python scripts/screenshot.py /tmp/example_map.html docs/img/example_map.png

Needs Playwright's Python package (``pip install playwright``) and a Chromium binary
(``/usr/bin/chromium`` by default, or ``--chromium PATH`` / ``$GEOFLOWS_CHROMIUM``); it never
downloads a browser.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Shot:
    """What happened while taking a screenshot."""

    path: Path
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def default_chromium() -> str:
    """The Chromium binary: ``$GEOFLOWS_CHROMIUM``, ``chromium`` on the PATH, or /usr/bin/chromium."""
    return os.environ.get("GEOFLOWS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def screenshot(
    html: str | os.PathLike,
    out: str | os.PathLike,
    *,
    width: int = 1280,
    height: int = 800,
    wait_ms: int = 300,
    chromium: str | None = None,
    browser: Any = None,
) -> Shot:
    """Render ``html`` offline and save a ``width`` x ``height`` PNG to ``out``.

    Parameters
    ----------
    html : path
        The HTML file (for example from ``FlowSet.save_map``).
    out : path
        Where to write the PNG (parent folders are created).
    width, height : int
        Viewport size in CSS pixels (device scale factor 1).
    wait_ms : int
        Extra time after the map has drawn and its fit animation has ended.
    chromium : str, optional
        Path of the Chromium binary (default :func:`default_chromium`).
    browser : playwright Browser, optional
        Reuse an already launched browser (the tests do) instead of launching one.

    Returns
    -------
    Shot
        The output path, the blocked URLs and the console/page errors.

    Examples
    --------
    >>> shot = screenshot("map.html", "map.png")  # doctest: +SKIP
    >>> shot.blocked
    []
    """
    from playwright.sync_api import sync_playwright

    html, out = Path(html).resolve(), Path(out)
    if not html.is_file():
        raise FileNotFoundError(f"no such HTML file: {html}")
    out.parent.mkdir(parents=True, exist_ok=True)
    shot = Shot(out)

    if browser is not None:
        _take(browser, html, shot, width, height, wait_ms)
    else:
        executable = chromium or default_chromium()
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                _take(b, html, shot, width, height, wait_ms)
            finally:
                b.close()
    return shot


def _take(browser: Any, html: Path, shot: Shot, width: int, height: int, wait_ms: int) -> None:
    """Open ``html`` offline in a new context of ``browser`` and save the picture to shot.path."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1
    )
    try:
        page = context.new_page()

        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                shot.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: shot.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: shot.errors.append(str(e)))
        page.on("dialog", lambda d: (shot.errors.append(f"dialog: {d.message}"), d.dismiss()))
        page.goto(html.as_uri(), wait_until="load")
        _wait_for_map(page, shot)
        page.wait_for_timeout(wait_ms)
        page.screenshot(path=str(shot.path))
    finally:
        context.close()


def _wait_for_map(page: Any, shot: Shot) -> None:
    """Wait until the flows are drawn and the fit animation has ended (or note why not)."""
    try:
        page.wait_for_function(
            "document.querySelector('[data-geoflows-visible]') !== null", timeout=30_000
        )
        page.wait_for_function(
            "(() => { const e = document.querySelector('.folium-map');"
            " const m = e && window[e.id]; return !m || !m._animatingZoom; })()",
            timeout=10_000,
        )
        # a view of thousands of flows is drawn in chunks: wait for the last one
        page.wait_for_function(
            "(() => { const e = document.querySelector('.folium-map'), m = e && window[e.id];"
            " let done = true; if (m) m.eachLayer(l => { if (l.isGeoflows) done = l.complete; });"
            " return done !== false; })()",
            timeout=120_000,
        )
    except Exception as exc:  # not a geoflows map, or it failed: still take the picture
        shot.errors.append(f"the map did not finish drawing: {exc}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", help="the map's HTML file")
    parser.add_argument("out", help="the PNG to write")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument(
        "--wait-ms", type=int, default=300, help="extra wait after the map has drawn (default 300)"
    )
    parser.add_argument(
        "--chromium", default=None, help="Chromium binary (default: /usr/bin/chromium)"
    )
    args = parser.parse_args(argv)
    try:
        shot = screenshot(
            args.html,
            args.out,
            width=args.width,
            height=args.height,
            wait_ms=args.wait_ms,
            chromium=args.chromium,
        )
    except FileNotFoundError as exc:
        print(f"screenshot: {exc}", file=sys.stderr)
        return 2
    for url in shot.blocked:
        print(f"screenshot: blocked (offline): {url}", file=sys.stderr)
    for error in shot.errors:
        print(f"screenshot: page error: {error}", file=sys.stderr)
    print(f"wrote {shot.path} ({args.width}x{args.height})")
    return 1 if shot.errors else 0


if __name__ == "__main__":
    sys.exit(main())
