"""Benchmark the geoflows map against the obvious folium ways of drawing the same flows.

Run with ``python benchmarks/bench_render.py`` (1,000, 10,000 and 100,000 flows), ``--quick``
(1,000 and 10,000 flows: what ``make bench`` runs), ``--sizes 1000,10000`` or ``--no-browser``.

For each size, random Eurasian flows (fixed seed; lat 20–65, lon 20–150; lognormal volumes;
6 categories; geodesic routes) are read **once**, outside every timed section, so geometry is
never timed. Each contender then builds a map of those flows and renders it to one HTML page:

* ``geoflows``: ``read_flows(table)`` + ``flows.to_html()``: the table to the page, timed whole
  (geodesics, arrows, legend, place markers, popups; one payload, one canvas);
* ``render``: ``flows.to_html()`` alone, from flows read beforehand (the page only);
* ``folium PolyLine``: one ``folium.PolyLine`` per flow with a tooltip (the obvious folium way);
* ``folium GeoJson``: the table's ``"lat, lon"`` strings parsed (pandas) into 2-point straight
  lines, one ``folium.GeoJson`` with a ``style_function`` (width from volume, colour from
  category) and a ``GeoJsonTooltip`` (issue 12's comparison, table to page, timed whole);
* ``explore``: ``GeoDataFrame.explore(column="category", tiles=None)`` on the geodesic lines;
* ``floor``: the simplest possible page, written by hand: inline Leaflet, one canvas renderer,
  one 2-point ``L.polyline`` per flow, nothing else.

Measured per contender: build + render time (``m.get_root().render()`` for folium), HTML size,
the time headless Chromium takes from navigation start to the second frame after the map's
vector layers exist, and how fluid zooming and panning are: the map is zoomed in twice, panned
four ways and zoomed out twice, each step without animation and each started once the last
view is complete. Over every step, from the call until the frame after the view is complete,
the intervals between animation frames are recorded (a page that redraws everything in one
task shows one long frame; geoflows, drawing a large view in chunks, many short ones): their
median, 90th percentile and maximum (ms), and the median step time until the view is
complete (the last chunk on screen). Every
figure is also printed as a ratio, theirs / ours (above 1: geoflows is faster or smaller), on a
``RATIO`` line (see ``benchmarks/README.md``) and in one table of every size at the end; against
the floor the ratio is below 1 and issue 12's goal is that it stays above 0.5 (geoflows within
twice the floor).

A contender whose build time, grown in proportion to the next size, exceeds ``--budget``
seconds is skipped at the larger sizes (``polyline`` and ``explore`` at 10,000 flows in quick
mode; geoflows never is), and so is a page that took longer than the budget to open; the
table says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SEED = 20240501
CATEGORIES = ("crude oil", "coal", "grain", "munitions", "containers", "vehicles")
PALETTE = dict(
    zip(CATEGORIES, ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"), strict=True)
)
MIN_WIDTH, MAX_WIDTH = 1.5, 14.0


def _chromium_settings() -> tuple[str, list[str]]:
    """Binary and flags from scripts/screenshot.py, the project's one Chromium launcher."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "screenshot.py"
    spec = importlib.util.spec_from_file_location("geoflows_screenshot", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module.default_chromium(), list(module.CHROMIUM_ARGS)


CHROMIUM, CHROMIUM_ARGS = _chromium_settings()
#: Until the map's vector layers exist: SVG paths (folium, small geoflows maps) or a canvas.
DRAWN = ".leaflet-overlay-pane path.leaflet-interactive, .leaflet-overlay-pane canvas"
LEAFLET_DIR = Path(__file__).resolve().parents[1] / "geoflows" / "_data" / "leaflet"
# Measure this checkout's geoflows, not another installed one.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


# --------------------------------------------------------------------------- data
def random_flows(n: int, seed: int = SEED) -> pd.DataFrame:
    """``n`` random Eurasian flow records with ``"lat, lon"`` places (no gazetteer needed)."""
    rng = np.random.default_rng(seed)
    olat, dlat = rng.uniform(20, 65, n), rng.uniform(20, 65, n)
    olon, dlon = rng.uniform(20, 150, n), rng.uniform(20, 150, n)
    return pd.DataFrame(
        {
            "origin": [f"{a:.4f}, {b:.4f}" for a, b in zip(olat, olon, strict=True)],
            "destination": [f"{a:.4f}, {b:.4f}" for a, b in zip(dlat, dlon, strict=True)],
            "volume": np.round(rng.lognormal(mean=6.0, sigma=1.5, size=n), 1),
            "unit": "tonnes",
            "category": np.asarray(CATEGORIES, dtype=object)[rng.integers(0, 6, n)],
            "kind": "shipment",
        }
    )


def _width(volume: float, vmax: float) -> float:
    # The same square-root scale geoflows uses by default.
    if not (volume > 0 and vmax > 0):
        return MIN_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(volume / vmax)


# --------------------------------------------------------------------------- contenders
def build_geoflows(table: Any, flows: Any, gdf: Any, latlngs: list) -> str:
    import geoflows as gf

    return gf.read_flows(table, route="geodesic").to_html(tiles=None)


def build_geoflows_render(table: Any, flows: Any, gdf: Any, latlngs: list) -> str:
    return flows.to_html(tiles=None)


def build_polyline(table: Any, flows: Any, gdf: Any, latlngs: list) -> str:
    import folium

    m = folium.Map(tiles=None)
    vmax = float(np.nanmax(gdf["volume"].to_numpy(float)))
    for pts, origin, dest, vol, cat in zip(
        latlngs, gdf["origin"], gdf["destination"], gdf["volume"], gdf["category"], strict=True
    ):
        folium.PolyLine(
            pts,
            color=PALETTE[cat],
            weight=_width(vol, vmax),
            opacity=0.85,
            tooltip=f"{origin} → {dest}: {vol:,.0f} tonnes ({cat})",
        ).add_to(m)
    return m.get_root().render()


def _two_point_lines(table: pd.DataFrame) -> Any:
    """The table's flows as 2-point straight lines, parsed with pandas string ops."""
    import geopandas
    import shapely

    o = table["origin"].str.split(",", expand=True).astype(float).to_numpy()
    d = table["destination"].str.split(",", expand=True).astype(float).to_numpy()
    coords = np.stack([o[:, ::-1], d[:, ::-1]], axis=1)
    lines = shapely.linestrings(coords)
    return geopandas.GeoDataFrame(table.copy(), geometry=lines, crs="EPSG:4326")


def build_geojson(table: Any, flows: Any, gdf: Any, latlngs: list) -> str:
    import folium

    lines = _two_point_lines(table)
    m = folium.Map(tiles=None)
    vmax = float(np.nanmax(lines["volume"].to_numpy(float)))

    def style(feature: dict) -> dict:
        p = feature["properties"]
        return {
            "color": PALETTE[p["category"]],
            "weight": _width(p["volume"], vmax),
            "opacity": 0.85,
        }

    folium.GeoJson(
        lines,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(["origin", "destination", "volume", "unit", "category"]),
    ).add_to(m)
    return m.get_root().render()


FLOOR_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<style>{css}</style><script>{js}</script>
<style>html,body,#map{{height:100%;margin:0}}</style></head><body>
<div id="map" class="folium-map"></div><script>
var map = L.map("map", {{preferCanvas: true}}).setView([45, 85], 3);
var r = L.canvas(), c = {coords}, w = {widths};
for (var i = 0; i < w.length; i++) {{
  L.polyline([[c[4 * i], c[4 * i + 1]], [c[4 * i + 2], c[4 * i + 3]]],
    {{renderer: r, weight: w[i], color: "#1b9e77"}}).addTo(map);
}}
</script></body></html>"""


def build_floor(table: Any, flows: Any, gdf: Any, latlngs: list) -> str:
    """The floor: the smallest hand-written Leaflet page that draws every flow."""
    lines = _two_point_lines(table)
    import shapely

    xy = np.round(shapely.get_coordinates(lines.geometry.to_numpy())[:, ::-1], 4)
    vmax = float(np.nanmax(lines["volume"].to_numpy(float)))
    widths = np.round(
        MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * np.sqrt(lines["volume"].to_numpy(float) / vmax), 1
    )
    return FLOOR_PAGE.format(
        css=(LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8"),
        js=(LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8"),
        coords="[" + ",".join(map(str, xy.ravel().tolist())) + "]",
        widths="[" + ",".join(map(str, widths.tolist())) + "]",
    )


def build_explore(table: Any, flows: Any, gdf: Any, latlngs: list) -> str:
    return gdf.explore(column="category", tiles=None).get_root().render()


#: Rows that are geoflows itself: shown in the table, never printed as RATIO lines.
OURS = ("geoflows", "render")
#: Rows opened in Chromium (the render-only page is the geoflows page).
OPENED = ("geoflows", "polyline", "geojson", "explore", "floor")
#: Rows whose zoom/pan steps are timed (issue 12's four), while a page opens within this many s.
ZOOMED, ZOOM_MAX_LOAD = ("geoflows", "polyline", "geojson", "floor"), 30.0
CONTENDERS: list[tuple[str, str, Callable[[Any, Any, Any, list], str]]] = [
    ("geoflows", "geoflows read_flows+to_html", build_geoflows),
    ("render", "geoflows to_html only", build_geoflows_render),
    ("polyline", "folium PolyLine per flow", build_polyline),
    ("geojson", "folium GeoJson + style_function", build_geojson),
    ("explore", "GeoDataFrame.explore", build_explore),
    ("floor", "floor: hand-written Leaflet canvas", build_floor),
]


def prepare(n: int) -> tuple[Any, Any, Any, list]:
    """The table, its flows, their GeoDataFrame and per-flow (lat, lon) lists (untimed)."""
    import shapely

    import geoflows as gf

    table = random_flows(n)
    t0 = time.perf_counter()
    flows = gf.read_flows(table, route="geodesic")
    _log(f"  read_flows: {time.perf_counter() - t0:.2f} s")
    gdf = flows.to_geodataframe()
    coords, index = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    cuts = np.flatnonzero(np.diff(index)) + 1
    latlngs = [part[:, ::-1].tolist() for part in np.split(coords, cuts)]
    return table, flows, gdf, latlngs


# --------------------------------------------------------------------------- browser
class Browser:
    """One headless Debian Chromium; every page is loaded from a file with the network blocked.

    folium's pages name Leaflet (and jQuery, Bootstrap, Font Awesome, awesome-markers) by CDN
    URL. Those requests are answered here: Leaflet's JS and CSS with geoflows' vendored copies,
    everything else with an empty file, so folium pays no network and no parsing for the extras.
    """

    def __init__(self) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self._leaflet = {
            "leaflet.js": (LEAFLET_DIR / "leaflet.js").read_bytes(),
            "leaflet.css": (LEAFLET_DIR / "leaflet.css").read_bytes(),
        }

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
            return
        name = url.split("?")[0].rsplit("/", 1)[-1]
        if name in self._leaflet:
            kind = "text/css" if name.endswith(".css") else "application/javascript"
            route.fulfill(status=200, body=self._leaflet[name], content_type=kind)
        else:
            kind = "text/css" if name.endswith(".css") else "application/javascript"
            route.fulfill(status=200, body=b"", content_type=kind)

    def load_time(self, path: Path, timeout_s: float, repeat: int = 1) -> float:
        """Best of ``repeat`` loads, each in a fresh context: seconds from navigation start to
        the first frame after the vector layers exist."""
        return min(self._load_once(path, timeout_s) for _ in range(repeat))

    @contextmanager
    def _page(self, path: Path, timeout_s: float) -> Iterator[Any]:
        """Open ``path`` in a new 1280×800 context (offline routing) once its lines exist."""
        context = self._browser.new_context(viewport={"width": 1280, "height": 800})
        try:
            page = context.new_page()
            page.route("**/*", self._route)
            page.goto(path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
            page.wait_for_selector(DRAWN, state="attached", timeout=timeout_s * 1000)
            yield page
        finally:
            context.close()

    def _load_once(self, path: Path, timeout_s: float) -> float:
        with self._page(path, timeout_s) as page:
            ms = page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => "
                "requestAnimationFrame(() => r(performance.now()))))"
            )
            return float(ms) / 1000.0

    def zoom_frame_ms(self, path: Path, timeout_s: float) -> dict[str, float]:
        """Frame intervals (median, p90, max) and median time to a complete view of :data:`ZOOM_JS`."""
        with self._page(path, timeout_s) as page:
            page.set_default_timeout(timeout_s * 1000)
            got = page.evaluate(ZOOM_JS)
            frames, done = np.asarray(got["frames"], float), np.asarray(got["done"], float)
            return {
                "frame": float(np.median(frames)),
                "frame90": float(np.percentile(frames, 90)),
                "frame_max": float(frames.max()),
                "done": float(np.median(done)),
                "frames": float(len(frames)),
            }

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


#: Zoom in twice, pan right, down, left, up (a third of the view), zoom out twice, each step
#: without animation and started once the last view is complete (geoflows' ``layer.complete``;
#: other pages draw in the task of the call). From each call, every animation frame's interval
#: is recorded until the frame after the view is complete; ``done`` is the call to that frame.
ZOOM_JS = """async () => {
    const m = window[document.querySelector('.folium-map').id];
    let layer = null;
    m.eachLayer(l => { if (l.isGeoflows) layer = l; });
    const frame = () => new Promise(r => requestAnimationFrame(() => r(performance.now())));
    const complete = () => !layer || layer.complete !== false;
    const settle = async () => { while (!complete()) await frame(); await frame(); await frame(); };
    const s = m.getSize(), dx = Math.round(s.x / 3), dy = Math.round(s.y / 3), no = {animate: false};
    const steps = [() => m.zoomIn(1, no), () => m.zoomIn(1, no), () => m.panBy([dx, 0], no),
        () => m.panBy([0, dy], no), () => m.panBy([-dx, 0], no), () => m.panBy([0, -dy], no),
        () => m.zoomOut(1, no), () => m.zoomOut(1, no)];
    await settle();
    const frames = [], done = [];
    for (const step of steps) {
        const t0 = performance.now();
        step();
        let last = t0, k = 0;
        for (;;) {
            const t = await frame();
            frames.push(t - last); last = t; k++;
            if (k >= 2 && complete()) break;
        }
        const t = await frame();
        frames.push(t - last);
        done.push(t - t0);
        await settle();
    }
    return {frames: frames, done: done};
}"""


# --------------------------------------------------------------------------- running
def _best_time(fn: Callable[..., str], data: tuple) -> tuple[str, float]:
    """The page and the best of up to 3 timings, repeating only while a run takes < 1 s."""
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        page = fn(*data)
        best = min(best, time.perf_counter() - t0)
        if best >= 1.0:
            break
    return page, best


def _label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _measure_page(
    chromium: Browser, key: str, path: Path, n: int, row: dict[str, Any], load_timeout: float
) -> None:
    """Open the page (best of 3 up to 1,000 flows) and time its zoom/pan steps into ``row``."""
    row["load"] = chromium.load_time(path, load_timeout, repeat=3 if n <= 1000 else 1)
    _log(f"  {key}: opened in {row['load']:.2f} s")
    if key not in ZOOMED:
        return
    if row["load"] > ZOOM_MAX_LOAD:
        row["zoom_skip"] = f"not timed (opens in >{ZOOM_MAX_LOAD:.0f} s)"
        return
    row.update(chromium.zoom_frame_ms(path, load_timeout))
    _log(
        f"  {key}: zoom/pan frames ({row['frames']:.0f}) median {row['frame']:.0f} ms, "
        f"p90 {row['frame90']:.0f} ms, max {row['frame_max']:.0f} ms; "
        f"view complete after {row['done']:.0f} ms (median step)"
    )


def _run_size(
    n: int, tmp: str, chromium: Browser | None, state: dict[str, dict[str, str]], opts: dict
) -> dict[str, dict[str, Any]]:
    """Every contender at ``n`` flows: one row of figures each."""
    too_slow, too_slow_load = state["build"], state["load"]
    _log(f"n = {n:,}: reading flows (untimed) ...")
    t0 = time.perf_counter()
    data = prepare(n)
    _log(f"  read_flows + geodataframe: {time.perf_counter() - t0:.1f} s (untimed)")
    rows: dict[str, dict[str, Any]] = {}
    for key, _, fn in CONTENDERS:
        row: dict[str, Any] = rows.setdefault(key, {})
        if key in too_slow:
            row["skip"] = too_slow[key]
            _log(f"  {key}: {too_slow[key]}")
            continue
        _log(f"  {key}: building ...")
        page, row["time"] = _best_time(fn, data)
        row["size"] = len(page.encode("utf-8"))
        path = Path(tmp) / f"{key}_{n}.html"
        path.write_text(page, encoding="utf-8")
        del page
        _log(f"  {key}: {row['time']:.2f} s, {row['size'] / 1e6:.1f} MB")
        if key not in OURS and row["time"] * opts["growth"] > opts["budget"]:
            # build time grows with the flows: expected over budget at the next size
            too_slow[key] = f"skipped (>{opts['budget']:.0f} s expected from {_label(n)})"
        if chromium is None or key not in OPENED:
            continue
        if key in too_slow_load:
            row["load_skip"] = too_slow_load[key]
            continue
        try:
            _measure_page(chromium, key, path, n, row, opts["load_timeout"])
            if key not in OURS and row["load"] > opts["budget"]:
                too_slow_load[key] = f"skipped (>{opts['budget']:.0f} s at {_label(n)})"
        except Exception as exc:  # noqa: BLE001 - a timeout or a crashed tab
            row["load_skip"] = f"failed ({type(exc).__name__})"
            too_slow_load[key] = f"skipped (failed at {_label(n)})"
            _log(f"  {key}: load failed: {exc}")
        path.unlink()
    return rows


def run(sizes: list[int], *, browser: bool, budget: float, load_timeout: float) -> list[str]:
    """Run every contender at every size; print one table per size, then one of all sizes."""
    # Warm up: first-use imports (mapclassify, matplotlib colormaps, branca) are not timed.
    _log("warming up (imports, first render) ...")
    small = prepare(20)
    warm_pages = [fn(*small) for _, _, fn in CONTENDERS]
    chromium = Browser() if browser else None
    state: dict[str, dict[str, str]] = {"build": {}, "load": {}}
    opts = {"budget": budget, "load_timeout": load_timeout}
    ratio_lines: list[str] = []
    every: dict[int, dict[str, dict[str, Any]]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="geoflows-bench-") as tmp:
            if chromium is not None:
                for i, page in enumerate(warm_pages):
                    path = Path(tmp) / f"warm_{i}.html"
                    path.write_text(page, encoding="utf-8")
                    chromium.load_time(path, load_timeout)
            for k, n in enumerate(sizes):
                opts["growth"] = sizes[k + 1] / n if k + 1 < len(sizes) else 1.0
                every[n] = _run_size(n, tmp, chromium, state, opts)
                ratio_lines += print_table(n, every[n], browser=chromium is not None)
    finally:
        if chromium is not None:
            chromium.close()
    print_summary(every, browser=chromium is not None)
    return ratio_lines


#: metric, column title, format, the key that says why it is missing, what a RATIO line says
METRICS = [
    ("time", "build s", ".3f", "skip", "build+render time"),
    ("size", "HTML MB", ".2f", "skip", "HTML size"),
    ("load", "open s", ".2f", "load_skip", "Chromium open time"),
    ("frame", "zoom frame med ms", ".0f", "zoom_skip", "median frame time while zooming/panning"),
    (
        "frame90",
        "zoom frame p90 ms",
        ".0f",
        "zoom_skip",
        "90th percentile frame time while zooming",
    ),
    ("frame_max", "zoom frame max ms", ".0f", "zoom_skip", "longest frame while zooming/panning"),
    ("done", "view done ms", ".0f", "zoom_skip", "median zoom/pan step time to a complete view"),
]


def _metrics(browser: bool) -> list[tuple[str, str, str, str, str]]:
    return METRICS if browser else METRICS[:2]


def _cell(rows: dict[str, dict[str, Any]], key: str, metric: str, fmt: str, why: str) -> tuple:
    """(value text, ratio text, ratio or None) of one figure; ratio = theirs / geoflows."""
    row, ours = rows[key], rows["geoflows"]
    value = row.get(metric)
    if value is None:
        return (row.get(why) or row.get("load_skip") or row.get("skip") or "—"), "", None
    shown = value / 1e6 if metric == "size" else value
    if ours.get(metric) is None or ours[metric] <= 0:
        return format(shown, fmt), "", None
    ratio = value / ours[metric]
    # below 1 (the floor) three decimals, so a small ratio never prints as 0.0
    text = f"{ratio:.1f}" if ratio >= 1 else f"{ratio:.3f}"
    return format(shown, fmt), f"{text}x", text


def print_table(n: int, rows: dict[str, dict[str, Any]], *, browser: bool) -> list[str]:
    """The table of one size, and its RATIO and SKIP lines (printed and returned)."""
    metrics = _metrics(browser)
    print(f"\n{n:,} flows (geodesic, 6 categories); ratio = theirs / geoflows")
    head = f"{'contender':<36}" + "".join(f" | {t:>16} {'ratio':>8}" for _, t, *_ in metrics)
    print(head)
    print("-" * len(head))
    ratios: list[str] = []
    for key, name, _ in CONTENDERS:
        line = f"{name:<36}"
        for metric, _title, fmt, why, what in metrics:
            value, ratio_text, ratio = _cell(rows, key, metric, fmt, why)
            line += f" | {value:>16} {ratio_text:>8}"
            if key in OURS:
                continue
            if ratio is not None:
                ratios.append(
                    f"RATIO render.{metric}.{key}.{_label(n)}: {ratio}x "
                    f"({what}, {name} / geoflows, {n:,} flows)"
                )
            elif value != "—" and not ratio_text:
                ratios.append(f"SKIP render.{metric}.{key}.{_label(n)}: {value}")
        print(line)
    print()
    for line in ratios:
        print(line)
    sys.stdout.flush()
    return ratios


def print_summary(every: dict[int, dict[str, dict[str, Any]]], *, browser: bool) -> None:
    """One Markdown table of every size and contender: figures, and ratios to geoflows."""
    metrics = _metrics(browser)
    head = ["flows", "contender"] + [t for _, t, *_ in metrics]
    print("\nAll sizes; (×) = theirs / geoflows, above 1: geoflows is faster or smaller\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * len(metrics)) + "|")
    for n, rows in every.items():
        for key, name, _ in CONTENDERS:
            cells = [_label(n), name]
            for metric, _title, fmt, why, _what in metrics:
                value, ratio_text, _ = _cell(rows, key, metric, fmt, why)
                shown = ratio_text.replace("x", "×")
                cells.append(f"{value} ({shown})" if shown and key != "geoflows" else value)
            print("| " + " | ".join(cells) + " |")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 flows only")
    parser.add_argument("--sizes", help="comma-separated flow counts, e.g. 1000,10000")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium load times")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="skip a contender (never geoflows) at the next size when its build time, grown in "
        "proportion, would pass this (s); default 60, 5 with --quick",
    )
    parser.add_argument(
        "--contenders",
        help="comma-separated subset of " + ",".join(k for k, _, _ in CONTENDERS),
    )
    parser.add_argument("--load-timeout", type=float, default=300.0, help="per page (s)")
    args = parser.parse_args(argv)
    if args.sizes:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    elif args.quick:
        sizes = [1000, 10000]
    else:
        sizes = [1000, 10000, 100000]
    keys = [k for k, _, _ in CONTENDERS]
    chosen = args.contenders.split(",") if args.contenders else keys
    if unknown := set(chosen) - set(keys):
        parser.error(f"unknown contenders {sorted(unknown)}; choose from {','.join(keys)}")
    if "geoflows" not in chosen:
        chosen.insert(0, "geoflows")  # the ratios need it
    CONTENDERS[:] = [c for c in CONTENDERS if c[0] in chosen]
    budget = args.budget if args.budget is not None else (5.0 if args.quick else 60.0)
    browser = not args.no_browser
    if browser and not Path(CHROMIUM).exists():
        _log(f"{CHROMIUM} not found (apt-get install chromium): browser load times skipped")
        browser = False
    print(
        f"geoflows render benchmark: sizes {', '.join(f'{s:,}' for s in sizes)}; "
        f"budget {budget:.0f} s; browser {'on' if browser else 'off'}"
    )
    run(sorted(sizes), browser=browser, budget=budget, load_timeout=args.load_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
