"""The geography stays readable on a story nobody here drew (issue 22 item 5).

The Iran–North Korea–Russia story (``tests/data/iran_dprk_russia_2022_2025.csv``) crosses the
Caspian with seven claim bands. Seen in Chromium, with the network cut and no tiles, so what
shows is geoflows' own basemap:

- at zoom 5 the Caspian still reads as water under the bands (at the first view, zoom 3 in
  1000×700, the bands cover most of it: a limit of the flows' widths, not of the basemap);
- zoomed out to the world, there is land beyond the clip (Brazil, the United States,
  Australia), not the edge of a rectangle;
- zoomed in to a port (Anzali, zoom 8), the coast is drawn at that zoom's detail and the port
  sits on it.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

import geoflows as gf

from .conftest import JS_MAP, Probe

STORY = Path(__file__).resolve().parents[2] / "tests" / "data" / "iran_dprk_russia_2022_2025.csv"
WATER = np.array([0xDF, 0xE8, 0xEF])
LAND = np.array([0xF7, 0xF5, 0xF0])
#: Points well inside the Caspian (lat, lon): middle and south basins.
CASPIAN = [(42.0, 50.5), (40.5, 51.5), (39.0, 51.5), (38.0, 51.0)]


@pytest.fixture(scope="module")
def story_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("geography") / "story.html"
    gf.read_flows(STORY).save_map(path, tiles=None)
    return path


def _rgb(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _points(probe: Probe, latlons: list[tuple[float, float]]) -> list[tuple[int, int]]:
    xy = probe.page.evaluate(
        f"(ll) => ll.map(p => {{ const q = {JS_MAP}.latLngToContainerPoint(p);"
        " return [Math.round(q.x), Math.round(q.y)]; })",
        [list(p) for p in latlons],
    )
    return [tuple(p) for p in xy]


def _near(rgb: np.ndarray, colour: np.ndarray, tol: int = 6) -> np.ndarray:
    return (np.abs(rgb - colour) <= tol).all(axis=-1)


def _disc(rgb: np.ndarray, x: int, y: int, r: int = 3) -> np.ndarray:
    return rgb[max(y - r, 0) : y + r + 1, max(x - r, 0) : x + r + 1].reshape(-1, 3)


def _only_basemap(probe: Probe, only: bool) -> None:
    """Hide every pane but the basemap's, and the controls (or show them all again)."""
    probe.page.evaluate(
        "(only) => document.querySelectorAll('.leaflet-pane, .leaflet-control-container')"
        ".forEach(p => {"
        " if (p.classList.contains('leaflet-map-pane')) return;"
        " p.style.visibility = only && !p.classList.contains('leaflet-geoflows-basemap-pane')"
        " ? 'hidden' : ''; })",
        only,
    )


def test_the_caspian_reads_as_water_under_its_claim_bands(probe: Probe, story_page: Path) -> None:
    probe.open(story_page)
    probe.page.evaluate(f"{JS_MAP}.setView([41.5, 50.5], 5, {{animate: false}})")
    probe.page.wait_for_timeout(300)
    _only_basemap(probe, True)
    bare = _rgb(probe.page.screenshot())
    _only_basemap(probe, False)
    shown = _rgb(probe.page.screenshot())
    # the Caspian's outline as drawn: the water pixels of its bounding box on the bare basemap
    (x0, y0), (x1, y1) = _points(probe, [(47.2, 46.6), (36.6, 54.2)])
    box = (slice(max(y0, 0), y1), slice(max(x0, 0), x1))
    water = _near(bare[box], WATER)
    assert water.sum() > 400, "the Caspian is not drawn as water on the bare basemap"
    assert all(_near(_disc(bare, x, y), WATER).all() for x, y in _points(probe, CASPIAN))
    # the bands cross it (they change many of its pixels) ...
    changed = (np.abs(shown[box] - bare[box]).sum(axis=-1) > 30) & water
    assert changed.sum() > 0.1 * water.sum()
    # ... yet most of it still reads as water: untouched, or the band's colour over a
    # visibly blue-grey sea (a band painted on an opaque fill keeps no water pixel at all)
    kept = _near(shown[box], WATER, tol=10) & water
    assert kept.sum() >= 0.45 * water.sum(), (int(kept.sum()), int(water.sum()))
    probe.assert_quiet()


@pytest.mark.parametrize(
    "name, latlon",
    [("Brazil", (-12.0, -50.0)), ("United States", (40.0, -100.0)), ("Australia", (-25.0, 134.0))],
)
def test_zoomed_out_there_is_land_beyond_the_clip(
    probe: Probe, story_page: Path, name: str, latlon: tuple[float, float]
) -> None:
    probe.open(story_page)
    probe.page.evaluate(f"{JS_MAP}.setView([0, 60], 2, {{animate: false}})")
    probe.page.wait_for_timeout(300)
    _only_basemap(probe, True)
    rgb = _rgb(probe.page.screenshot())
    (x, y), (sx, sy) = _points(probe, [latlon, (-40.0, -20.0)])  # and the South Atlantic
    assert 0 <= x < rgb.shape[1] and 0 <= y < rgb.shape[0], f"{name} is not in the view"
    assert _near(_disc(rgb, x, y), LAND).all(), f"{name} is not land at zoom 2"
    assert _near(_disc(rgb, sx, sy), WATER).all()
    probe.assert_quiet()


def test_a_port_sits_on_a_coast_drawn_at_its_zoom(probe: Probe, story_page: Path) -> None:
    port = gf.geocode("Anzali")
    probe.open(story_page)
    probe.page.evaluate(f"{JS_MAP}.setView([{port.lat}, {port.lon}], 8, {{animate: false}})")
    probe.page.wait_for_timeout(300)
    _only_basemap(probe, True)
    rgb = _rgb(probe.page.screenshot())
    ((x, y),) = _points(probe, [(port.lat, port.lon)])
    # within 8 px (3.5 km) of the port there is land and there is water: it is on the coast
    around = _disc(rgb, x, y, r=8)
    assert _near(around, LAND).any() and _near(around, WATER).any()
    # the coast is drawn at zoom 8: many short strokes, not the straight chords of zoom 3
    coast = probe.page.evaluate(
        "() => { let n = 0;"
        " document.querySelectorAll('.geoflows-basemap-lines').forEach(p => {"
        " n += (p.getAttribute('d').match(/L/g) || []).length; }); return n; }"
    )
    assert coast > 300
    probe.assert_quiet()
