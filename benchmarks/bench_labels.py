"""Time of one label layout (``gfLabels(...).update()``) in Chromium, for growing place counts.

Places are spread uniformly over Europe with skewed weights; the map is 1280x800. For each count
the script times the first layout (which also creates and measures every label once), the
median zoom step over five zooms (Leaflet's move, the layout it triggers, DOM writes and reflow)
and the median layout alone, and prints how many labels each zoom shows. A layout that grew as n^2 would
take 25 times longer at 5,000 places than at 1,000; a linear one about 5 times.

Usage::

    python benchmarks/bench_labels.py [--counts 1000 2000 5000 10000] [--shot OUT.png]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "geoflows" / "_data"


def _screenshot_script():
    spec = importlib.util.spec_from_file_location(
        "geoflows_screenshot", ROOT / "scripts" / "screenshot.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def page_html() -> str:
    scripts = "\n".join(p.read_text(encoding="utf-8") for p in sorted((DATA / "js").glob("*.js")))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<style>{(DATA / "leaflet" / "leaflet.css").read_text(encoding="utf-8")}</style>
<style>{(DATA / "labels.css").read_text(encoding="utf-8")}</style>
<style>html, body, #map {{ margin: 0; width: 100%; height: 100%; }}</style>
</head><body><div id="map"></div>
<script>{(DATA / "leaflet" / "leaflet.js").read_text(encoding="utf-8")}</script>
<script>(function () {{ "use strict";
{scripts}
window.gfLabels = gfLabels; }})();</script></body></html>"""


def places(n: int) -> list[dict]:
    rng = np.random.default_rng(5)
    lats, lons = rng.uniform(40, 60, n), rng.uniform(-5, 35, n)
    weights = np.floor(rng.pareto(1.5, n) * 10)
    return [
        {
            "name": f"Place {k} {'abcdefgh'[: k % 8 + 1]}",
            "lat": lats[k],
            "lon": lons[k],
            "weight": weights[k],
        }
        for k in range(n)
    ]


TIME_JS = """(places) => {
  document.getElementById('map').innerHTML = '';
  const map = L.map('map', { zoomAnimation: false, fadeAnimation: false }).setView([50, 15], 4);
  const t0 = performance.now();
  const labels = gfLabels(map, places, {});
  const first = performance.now() - t0;
  const runs = [], steps = [], shown = [];
  for (const z of [4, 5, 6, 7, 8]) {
    // A zoom step as the reader sees it: Leaflet's move, the layout it triggers (zoomend and
    // moveend), the DOM writes and the browser's reflow.
    let t = performance.now();
    map.setView([50, 15], z, { animate: false });
    document.body.offsetHeight;
    steps.push(performance.now() - t);
    // The layout alone, on a view it has already laid out (reads and collision tests only).
    t = performance.now(); labels.update(); runs.push(performance.now() - t);
    shown.push(Number(document.querySelector('.gf-labels').getAttribute('data-gf-labels-shown')));
  }
  runs.sort((a, b) => a - b); steps.sort((a, b) => a - b);
  map.remove();
  return { first, median: runs[2], step: steps[2], shown };
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    shot = _screenshot_script()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shot.default_chromium(), args=shot.CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        print(
            f"{'places':>7} {'first layout ms':>16} {'zoom step ms':>13} {'layout only ms':>15}"
            "  labels shown at z4..z8 (medians of 5 zooms)"
        )
        for n in args.counts:
            page.set_content(page_html())
            r = page.evaluate(TIME_JS, places(n))
            print(
                f"{n:>7} {r['first']:>16.1f} {r['step']:>13.1f} {r['median']:>15.1f}  {r['shown']}"
            )
        browser.close()


if __name__ == "__main__":
    main()
