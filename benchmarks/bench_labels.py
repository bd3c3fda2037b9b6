"""Place-label layout in Chromium: geoflows' grid layout against the obvious all-pairs one.

``gfLabels`` (``geoflows/_data/js/labels.js``) places labels greedily, heaviest place first, and
finds collisions through a uniform grid of buckets. The obvious alternative runs the same greedy
rule but tests each candidate box against every box placed so far (O(n^2) at worst). Places are
spread uniformly over Europe (numpy seed fixed) with skewed weights; the map is 1280x800 at five
zooms (4 to 8) around its centre.

Printed per place count:

- **first layout**: ``gfLabels(map, places)``: creating, measuring and laying out every label;
- **zoom step**: one ``map.setView`` at a new zoom as a reader sees it: Leaflet's move, the
  layout it triggers on ``moveend``, the DOM writes and the browser's reflow (median of 5);
- **layout only**: ``update()`` on a view already laid out: projections and collision tests,
  no DOM writes (median of 5);
- **all-pairs**: the same layout with all-pairs collision tests, same label sizes (median of 5);
- the number of labels shown at each zoom.

``RATIO labels.layout.allpairs.<n>`` is all-pairs time / geoflows time.

Usage::

    python benchmarks/bench_labels.py [--quick] [--counts 1000 2000 5000 10000]
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
    """scripts/screenshot.py: the one place that says which Chromium runs and how."""
    path = ROOT / "scripts" / "screenshot.py"
    spec = importlib.util.spec_from_file_location("geoflows_screenshot", path)
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
            "lat": float(lats[k]),
            "lon": float(lons[k]),
            "weight": float(weights[k]),
        }
        for k in range(n)
    ]


TIME_JS = """(places) => {
  document.getElementById('map').innerHTML = '';
  const map = L.map('map', { zoomAnimation: false, fadeAnimation: false }).setView([50, 15], 4);
  let t = performance.now();
  const labels = gfLabels(map, places, {});
  const first = performance.now() - t;

  // The all-pairs alternative: the same greedy rule (markers reserved first, four spots per
  // label, heaviest first), the same label sizes, every test against every placed box.
  const nodes = Array.from(document.querySelectorAll('.gf-label'));
  const size = new Map(), pad = 2, r = 4, gap = 3;
  nodes.forEach(n => { const d = n.style.display; n.style.display = '';
    size.set(n.textContent, [n.offsetWidth, n.offsetHeight]); n.style.display = d; });
  const order = places.map((p, i) => i).sort((a, b) =>
    (places[b].weight - places[a].weight) || (a - b));
  function allPairs() {
    const W = map.getSize().x, H = map.getSize().y, boxes = [];
    const pts = places.map(p => map.latLngToContainerPoint([p.lat, p.lon]));
    for (const q of pts) boxes.push([q.x - r, q.y - r, q.x + r, q.y + r]);
    let shown = 0;
    for (const i of order) {
      const q = pts[i], [w, h] = size.get(places[i].name);
      const spots = [[q.x + r + gap, q.y - h / 2], [q.x - r - gap - w, q.y - h / 2],
                     [q.x - w / 2, q.y - r - gap - h], [q.x - w / 2, q.y + r + gap]];
      for (const [x0, y0] of spots) {
        const x1 = x0 + w, y1 = y0 + h;
        if (x0 < 0 || y0 < 0 || x1 > W || y1 > H) continue;
        let free = true;
        for (const b of boxes) {
          if (x0 - pad < b[2] && x1 + pad > b[0] && y0 - pad < b[3] && y1 + pad > b[1]) {
            free = false; break;
          }
        }
        if (free) { boxes.push([x0, y0, x1, y1]); shown++; break; }
      }
    }
    return shown;
  }

  const runs = [], steps = [], naive = [], shown = [];
  for (const z of [4, 5, 6, 7, 8]) {
    t = performance.now();
    map.setView([50, 15], z, { animate: false });
    document.body.offsetHeight;
    steps.push(performance.now() - t);
    t = performance.now(); labels.update(); runs.push(performance.now() - t);
    t = performance.now(); allPairs(); naive.push(performance.now() - t);
    shown.push(Number(document.querySelector('.gf-labels').getAttribute('data-gf-labels-shown')));
  }
  const median = a => a.slice().sort((x, y) => x - y)[2];
  map.remove();
  return { first, step: median(steps), layout: median(runs), naive: median(naive), shown };
}"""


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 and 2,000 places only")
    parser.add_argument("--counts", type=int, nargs="+", default=None)
    args = parser.parse_args()
    counts = args.counts or ([500, 2000] if args.quick else [1000, 2000, 5000, 10000])
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        for n in counts:
            print(f"SKIP labels.layout.allpairs.{_label(n)}: playwright is not installed ({e})")
        return 0
    shot = _screenshot_script()
    chromium = shot.default_chromium()
    if not Path(chromium).exists():
        for n in counts:
            print(f"SKIP labels.layout.allpairs.{_label(n)}: no Chromium at {chromium}")
        return 0

    ratios = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=shot.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        print(
            f"{'places':>7} {'first layout ms':>16} {'zoom step ms':>13} {'layout only ms':>15}"
            f" {'all-pairs ms':>13}  labels shown at z4..z8"
        )
        for n in counts:
            page.set_content(page_html())
            r = page.evaluate(TIME_JS, places(n))
            print(
                f"{n:>7} {r['first']:>16.1f} {r['step']:>13.1f} {r['layout']:>15.1f}"
                f" {r['naive']:>13.1f}  {r['shown']}"
            )
            ratio = r["naive"] / max(r["layout"], 0.1)  # timer resolution is 0.1 ms
            ratios.append(
                f"RATIO labels.layout.allpairs.{_label(n)}: {ratio:.1f}x "
                f"(layout time, all-pairs collision tests / geoflows grid, {n:,} places)"
            )
        browser.close()
    print("\n".join(ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
