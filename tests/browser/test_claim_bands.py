"""Claim bands in Chromium: the lowest and highest claim, and open-ended claims drawn open.

Three east–west flows on the equator, far apart, each alone on its lane: a range (1,000–9,000,
line at 2,000), "more than 4,000" (only ``volume_low``) and "up to 4,000" (only
``volume_high``). The canvas is read across each line (a column of pixels at its middle).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import geoflows as gf

pytestmark = pytest.mark.browser

JS_MAP = "window[document.querySelector('.folium-map').id]"
#: The canvas's pixels down the column at longitude ``lon``, from ``lat0`` to ``lat1``:
#: [[y, r, g, b, a], ...] in container pixels (device pixel ratio 1).
COLUMN = """([lon, lat0, lat1]) => {
  const map = MAP, c = document.querySelector('canvas.geoflows-canvas');
  const p0 = map.latLngToContainerPoint([lat0, lon]), p1 = map.latLngToContainerPoint([lat1, lon]);
  const x = Math.round(p0.x), y0 = Math.round(Math.min(p0.y, p1.y)), y1 = Math.round(Math.max(p0.y, p1.y));
  const d = c.getContext('2d').getImageData(x, y0, 1, y1 - y0).data, out = [];
  for (let k = 0; k < y1 - y0; k++) out.push([y0 + k, d[4 * k], d[4 * k + 1], d[4 * k + 2], d[4 * k + 3]]);
  return out;
}""".replace("MAP", JS_MAP)

ROWS = [
    # lat 10: a range with its line at 2,000
    {"origin": "10, 0", "destination": "10, 30", "volume": 2000, "volume_low": 1000,
     "volume_high": 9000, "unit": "t", "category": "a", "confidence": "confirmed"},
    # lat 0: more than 4,000
    {"origin": "0, 0", "destination": "0, 30", "volume_low": 4000, "unit": "t",
     "category": "a", "confidence": "confirmed"},
    # lat -10: up to 4,000
    {"origin": "-10, 0", "destination": "-10, 30", "volume_high": 4000, "unit": "t",
     "category": "a", "confidence": "confirmed"},
    # the smallest and largest of the scale, far away
    {"origin": "-20, 0", "destination": "-20, 30", "volume": 500, "unit": "t", "category": "a",
     "confidence": "confirmed"},
]  # fmt: skip


@pytest.fixture(scope="module")
def bands_map(tmp_path_factory: pytest.TempPathFactory) -> Path:
    flows = gf.read_flows(ROWS)
    path = tmp_path_factory.mktemp("bands") / "bands.html"
    return flows.save_map(
        path, tiles=None, basemap=None, markers=False, arrows=False, labels=False, time_slider=False
    )


def _runs(column: list) -> list[tuple[int, int, float]]:
    """Runs of painted pixels down a column: (first y, last y, mean alpha)."""
    runs, start, alphas = [], None, []
    for y, _, _, _, a in column + [[None, 0, 0, 0, 0]]:
        if a > 0 and start is None:
            start, alphas = y, [a]
        elif a > 0:
            alphas.append(a)
        elif start is not None:
            runs.append((start, start + len(alphas) - 1, sum(alphas) / len(alphas)))
            start = None
    return runs


def test_a_range_shows_a_light_band_to_the_highest_and_a_dark_strip_at_the_lowest_claim(
    new_probe: Callable, bands_map: Path
) -> None:
    page = new_probe(viewport={"width": 1280, "height": 800}).open(bands_map).page
    col = page.evaluate(COLUMN, [15, 13, 7])
    plain = [p for p in page.evaluate(COLUMN, [15, -17, -23]) if p[4] > 0]
    assert len(_runs(col)) == 1
    painted = [p for p in col if p[4] > 0]
    light = [p for p in painted if p[4] < 100]  # the band: 0.3 opacity
    line = [p for p in painted if p[4] >= 200]  # the line: 0.85
    # the strip of the lowest claim: darker than the line's own colour (the plain line's)
    dark = [p for p in line if sum(p[1:4]) < sum(plain[len(plain) // 2][1:4]) - 60]
    assert light and line and dark, sorted({tuple(p[1:]) for p in painted})

    def span(ps: list) -> int:
        return max(p[0] for p in ps) - min(p[0] for p in ps) + 1

    assert 0 < span(dark) < span(line) < span(painted)
    # the strip is centred in the line, the band beyond it on both sides
    assert min(p[0] for p in painted) < min(p[0] for p in line) < min(p[0] for p in dark)
    assert max(p[0] for p in dark) < max(p[0] for p in line) < max(p[0] for p in painted)


def test_more_than_is_hatched_beside_the_line_and_up_to_is_hatched_on_it(
    new_probe: Callable, bands_map: Path
) -> None:
    page = new_probe(viewport={"width": 1280, "height": 800}).open(bands_map).page
    # "more than 4,000" (lat 0) and "up to 4,000" (lat -10) have lines of the same width; only
    # "more than" paints beyond its line, on both sides. Hatch stripes are diagonal, so a few
    # columns are read and their painted rows pooled (one column may fall between stripes).
    y_of = "([lat, lon]) => MAP.latLngToContainerPoint([lat, lon]).y".replace("MAP", JS_MAP)

    def reach(lat: float) -> tuple[float, float]:
        """How far paint reaches above and below the line's centre, over five columns."""
        centre = page.evaluate(y_of, [lat, 15])
        ys = [
            p[0]
            for lon in (14, 14.5, 15, 15.5, 16)
            for p in page.evaluate(COLUMN, [lon, lat + 4.5, lat - 4.5])
            if p[4] > 0
        ]
        return centre - min(ys), max(ys) - centre

    upto = page.evaluate(COLUMN, [15, -7, -13])
    plain = page.evaluate(COLUMN, [15, -17, -23])
    assert len(_runs(plain)) == 1  # a plain line is one solid run
    more_up, more_down = reach(0)  # the equator is its own geodesic: its centre is exact
    half_line = sum(reach(-10)) / 2  # "up to" paints only its line (checked below)
    assert more_up > half_line + 2 and more_down > half_line + 2, (reach(0), reach(-10))
    # "up to": one run (nothing outside the line), with white hatch pixels inside the line
    up_runs = _runs(upto)
    assert len(up_runs) == 1
    inside = [p for p in upto if p[4] > 0]
    solid = [p for p in plain if p[4] > 0]
    base = sum(solid[len(solid) // 2][1:4])  # the line's own colour, unhatched
    whitish = [p for p in inside if sum(p[1:4]) > base + 250]
    coloured = [p for p in inside if abs(sum(p[1:4]) - base) < 40]
    assert whitish and coloured
    # the legend names both kinds of open end
    legend = page.locator(".gf-legend").inner_text()
    assert "open ended, more than" in legend and "open ended, up to" in legend
    assert "band: highest claim; dark strip in the line: lowest" in legend
