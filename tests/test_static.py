"""Static figures: basemap, projection, labels without overlaps, scale bar, legend, sources."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from pyproj import Transformer  # noqa: E402

import geoflows as gf  # noqa: E402
from geoflows.render import plot_flows  # noqa: E402
from geoflows.render._static import LAND, SEA, projection_for  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "dprk_russia_2023_2024.csv"


@pytest.fixture(scope="module")
def dprk() -> gf.FlowSet:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gf.RouteFallbackWarning)
        return gf.read_flows(EXAMPLE)


@pytest.fixture(scope="module")
def shipments_ax(dprk):
    ax = plot_flows(dprk.filter(kinds=["shipment"]), title="Shipments")
    ax.figure.canvas.draw()
    yield ax
    plt.close(ax.figure)


def label_texts(ax) -> list:
    """The place labels: every text on the map but the scale bar's and the sources line."""
    return [
        t
        for t in ax.texts
        if not re.match(r"^(0|[\d,]+ k?m)$", t.get_text())
        and not t.get_text().startswith(("Sources", "Basemap"))
    ]


def test_no_degree_axes_and_an_equal_area_projection(shipments_ax):
    ax = shipments_ax
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0
    assert ax.get_xlabel() == "" and ax.get_ylabel() == ""
    # projected metres around the Rajin–Vladivostok coast, not degrees
    span = np.diff(ax.get_xlim())[0]
    assert 250_000 < span < 600_000
    crs = projection_for([129.8, 133.7], [41.8, 43.1])
    assert crs.coordinate_operation.method_name == "Lambert Azimuthal Equal Area"


def test_land_and_sea_are_drawn_where_they_are(shipments_ax, dprk):
    ax = shipments_ax
    land = [
        c
        for c in ax.collections
        if isinstance(c, PolyCollection) and np.allclose(c.get_facecolor()[0][:3], to_rgb(LAND))
    ]
    assert len(land) == 1 and len(land[0].get_paths()) >= 3
    # pixels: open sea south of Vladivostok, and inland China/Russia
    ax.figure.canvas.draw()
    img = np.asarray(ax.figure.canvas.buffer_rgba())[:, :, :3] / 255
    crs = projection_for([129.82, 133.7], [41.76, 43.1056])
    proj = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    h = img.shape[0]

    def pixel(lon: float, lat: float) -> np.ndarray:
        x, y = ax.transData.transform(proj.transform(lon, lat))
        return img[int(round(h - y)), int(round(x))]

    assert np.allclose(pixel(131.0, 41.9), to_rgb(SEA), atol=0.02)
    assert np.allclose(pixel(130.9, 43.05), to_rgb(LAND), atol=0.02)


def test_every_label_is_clear_of_every_other_and_inside_the_map(shipments_ax):
    ax = shipments_ax
    r = ax.figure.canvas.get_renderer()
    texts = label_texts(ax)
    names = [t.get_text() for t in texts]
    assert {"Rajin", "Vladivostok", "Dunai", "Khasan"} <= set(names)
    assert len(names) == len(set(names)), "a place is named twice"
    boxes = [t.get_window_extent(r) for t in texts]
    frame = ax.get_window_extent(r)
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (names[i], a, b)


def test_coordinate_only_places_get_no_made_up_name():
    flows = gf.read_flows(
        [{"origin": "39.03, 125.75", "destination": "Vladivostok", "volume": 3, "mode": "air"}]
    )
    ax = plot_flows(flows)
    texts = label_texts(ax)
    # no name for the coordinates: at most where they are, in italics (Place.near)
    names = [t.get_text() for t in texts]
    assert "Vladivostok" in names and set(names) <= {"near Pyongyang (KP), 1 km", "Vladivostok"}
    assert all((t.get_fontstyle() == "italic") == t.get_text().startswith("near ") for t in texts)
    plt.close(ax.figure)


def test_labels_say_near_and_formerly_without_overlaps():
    flows = gf.read_flows(
        [{"origin": "42.25, 130.3", "destination": "Artemivsk", "volume": 3},
         {"origin": "Khabarovsk", "destination": "Vladivostok", "volume": 5}],
        route="geodesic",
    )  # fmt: skip
    ax = plot_flows(flows)
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    texts = label_texts(ax)
    names = [t.get_text() for t in texts]
    assert "Bakhmut (formerly Artemivsk)" in names and "near Rajin (KP), 1 km" in names
    assert "Artemivsk" not in names and "Bakhmut" not in names
    boxes = [t.get_window_extent(r) for t in texts]
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    plt.close(ax.figure)


def _claim_collections(ax) -> dict:
    """The flows' line collections by role: band, striped band, line, dark strip, stripes."""
    out: dict = {}
    for c in ax.collections:
        if not isinstance(c, LineCollection):
            continue
        dashed = c.get_linestyles()[0][1] is not None
        z = c.get_zorder()
        if z < 1:  # the basemap's coasts and borders
            continue
        role = {2: "open band" if dashed else "band", 3: "line", 3.2: "lowest", 3.3: "up to"}[z]
        out.setdefault(role, []).append(c)
    return out


def test_claim_bands_show_the_lowest_claim_and_open_ends():
    flows = gf.read_flows(
        [{"origin": "Rajin", "destination": "Vladivostok", "volume_low": 1000,
          "volume_high": 13000, "unit": "containers"},
         {"origin": "Pyongyang", "destination": "Vladivostok", "volume_low": 200,
          "unit": "missiles"},
         {"origin": "Chongjin", "destination": "Vladivostok", "volume_high": 500,
          "unit": "shells"}],
        route="geodesic",
    )  # fmt: skip
    ax = plot_flows(flows, min_width=1, max_width=9)
    roles = _claim_collections(ax)
    line = roles["line"][0].get_linewidths()
    # the range: light band at the highest claim, a dark strip at the lowest inside the line
    (band,) = roles["band"][0].get_linewidths()
    (lowest,) = roles["lowest"][0].get_linewidths()
    assert band == pytest.approx(9.0) and lowest < line[0] < band
    assert roles["lowest"][0].get_alpha() == pytest.approx(0.35)
    # 'more than 200': a striped band wider than its line; 'up to 500': white stripes on it
    (open_band,) = roles["open band"][0].get_linewidths()
    assert open_band == pytest.approx(line[1] + 2 * max(4.0, line[1] / 2))
    (up_to,) = roles["up to"][0].get_linewidths()
    assert up_to == pytest.approx(max(1.0, line[2] - 1.0))
    assert tuple(roles["up to"][0].get_colors()[0][:3]) == (1.0, 1.0, 1.0)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for row in ("light band: up to the highest claim", "dark strip in the line: lowest claim",
                "striped beside the line: open ended, more than", "striped line: open ended, up to"):  # fmt: skip
        assert row in legend
    plt.close(ax.figure)
    plain = plot_flows(flows.filter(units=["shells"]))
    legend = [t.get_text() for t in plain.get_legend().get_texts()]
    assert (
        "striped line: open ended, up to" in legend
        and "dark strip in the line: lowest claim" not in legend
    )
    assert not any(r.startswith(("range", "'more")) for r in legend)
    plt.close(plain.figure)


def test_focus_lists_only_what_is_drawn_and_keeps_the_sources_clear(dprk, tmp_path):
    ax = plot_flows(dprk, focus=["Rajin", "Vladivostok"])
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    legend = ax.get_legend()
    rows = [t.get_text() for t in legend.get_texts()]
    assert "152mm artillery shells" in rows and "Volume: containers" in rows
    # the missiles to Kharkiv and Putin's visits are far outside the view: not in its legend
    assert "KN-23/Hwasong-11 ballistic missiles" not in rows
    assert "leader visit (Vladimir Putin)" not in rows and "Volume: missiles" not in rows
    (line,) = [t for t in ax.texts if t.get_text().startswith("Sources: ")]
    box = line.get_window_extent(r)
    assert not box.overlaps(legend.get_window_extent(r))
    assert not box.overlaps(ax.get_window_extent(r))
    assert "Kremlin" not in line.get_text()  # cited only by flows outside the view
    plt.close(ax.figure)


def test_scale_bar_length_matches_its_label(shipments_ax):
    ax = shipments_ax
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    km = [t.get_text() for t in ax.texts if t.get_text().endswith(" km")]
    assert len(bars) == 2 and len(km) == 1
    assert sum(b.get_width() for b in bars) / 1000 == float(km[0].split()[0].replace(",", ""))


@pytest.mark.slow
def test_legend_sits_outside_the_data(shipments_ax, dprk):
    ax = shipments_ax
    r = ax.figure.canvas.get_renderer()
    assert not ax.get_legend().get_window_extent(r).overlaps(ax.get_window_extent(r))
    wide = plot_flows(dprk)
    wide.figure.canvas.draw()
    r = wide.figure.canvas.get_renderer()
    assert not wide.get_legend().get_window_extent(r).overlaps(wide.get_window_extent(r))
    plt.close(wide.figure)


def test_title_sources_and_legend_say_what_is_drawn(shipments_ax):
    ax = shipments_ax
    texts = [t.get_text() for t in ax.texts]
    line = next(t for t in texts if t.startswith("Sources: "))
    assert "Defence Security Asia" in line and line.endswith("Basemap: Natural Earth.")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Volume: containers" in legend and "13,000 containers" in legend
    assert "striped beside the line: open ended, more than" in legend
    assert ax.get_title() == "Shipments"


def test_events_are_drawn_at_one_width_with_a_symbol():
    flows = gf.read_flows(
        [
            {"origin": "Moscow", "destination": "Pyongyang", "volume": 1, "unit": "visits",
             "kind": "visit", "mode": "air"},
            {"origin": "Rajin", "destination": "Dunai", "volume": 3_000_000, "unit": "shells",
             "mode": "sea", "route": "geodesic"},
        ],
        route="geodesic",
    )  # fmt: skip
    ax = plot_flows(flows, max_width=8)
    main = [c for c in ax.collections if isinstance(c, LineCollection)][-1]
    assert sorted(main.get_linewidths()) == [2.5, 8.0]
    assert any(c.get_paths() and c.get_offsets().shape == (1, 2) for c in ax.collections)
    assert "one event (visit, strike)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)


def test_width_domain_fixes_the_static_widths_too():
    flows = gf.read_flows(
        [{"origin": "Rajin", "destination": "Dunai", "volume": 1000, "unit": "containers"}],
        route="geodesic",
    )
    ax = plot_flows(flows, min_width=1, max_width=9, width_domain=(0, 4000))
    main = [c for c in ax.collections if isinstance(c, LineCollection)][-1]
    assert main.get_linewidths().tolist() == pytest.approx([5.0])
    assert "Volume: containers (scale fixed to 0–4,000)" in [
        t.get_text() for t in ax.get_legend().get_texts()
    ]
    plt.close(ax.figure)


@pytest.mark.slow
def test_png_svg_pdf_are_byte_identical_on_repeat(dprk, tmp_path):
    ships = dprk.filter(kinds=["shipment"])
    for save in (ships.save_png, ships.save_svg, ships.save_pdf):
        suffix = save.__name__.removeprefix("save_")
        a = save(tmp_path / f"a.{suffix}", title="Shipments").read_bytes()
        b = save(tmp_path / f"b.{suffix}", title="Shipments").read_bytes()
        assert a == b and len(a) > 10_000
    pdf = (tmp_path / "a.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"CreationDate" not in pdf and b"Matplotlib" not in pdf
    svg = (tmp_path / "a.svg").read_text()
    assert "<dc:date>" not in svg and svg.count("<path") > 10


@pytest.mark.slow
def test_pdf_is_byte_identical_across_processes(tmp_path):
    (tmp_path / "f.csv").write_text(
        "origin,destination,volume_low,unit,source\n"
        "Rajin,Vladivostok,2000,containers,Defence Security Asia\n",
        encoding="utf-8",
    )
    code = (
        "import sys, geoflows as gf; "
        "gf.read_flows(sys.argv[1], route='geodesic').save_pdf(sys.argv[2], title='Rajin')"
    )
    for name in ("one.pdf", "two.pdf"):
        subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "f.csv"), str(tmp_path / name)],
            check=True,
            cwd=ROOT,
        )
    one = (tmp_path / "one.pdf").read_bytes()
    assert one.startswith(b"%PDF-") and one == (tmp_path / "two.pdf").read_bytes()


def test_crowded_places_keep_clear_labels_and_hide_the_rest():
    cities = ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Zaporizhzhia", "Mykolaiv", "Kherson",
              "Poltava", "Chernihiv", "Sumy", "Vinnytsia", "Zhytomyr", "Cherkasy", "Kropyvnytskyi"]  # fmt: skip
    flows = gf.read_flows(
        [{"origin": "Moscow", "destination": c, "volume": i + 1} for i, c in enumerate(cities)],
        route="geodesic",
    )
    ax = plot_flows(flows, figsize=(4, 3))
    ax.figure.canvas.draw()
    r = ax.figure.canvas.get_renderer()
    texts = label_texts(ax)
    boxes = [t.get_window_extent(r) for t in texts]
    assert 3 <= len(texts) < len(cities) + 1  # a small figure cannot name all 16 places
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    assert "Moscow" in [t.get_text() for t in texts]  # the most-used place is named first
    plt.close(ax.figure)


def test_a_group_naming_two_origins_draws_both_and_counts_once_where_they_meet():
    """Issue 22 §3: the figure draws every claim, so a group whose sources name two origins has
    a line, a marker and a label at each; at the destination they share, the movement is one
    (its marker is no larger than that of a place one movement passes through)."""
    base = {"destination": "Vladivostok", "unit": "ships", "mode": "air", "group": "g"}
    flows = gf.read_flows(
        [{**base, "origin": "Rajin", "volume": 5, "source": "Source A"},
         {**base, "origin": "Nampo", "volume": 3, "source": "Source C"}]
    )  # fmt: skip
    ax = plot_flows(flows, color_by="source")
    (line,) = _claim_collections(ax)["line"]
    assert len(line.get_segments()) == 2
    names = {t.get_text() for t in label_texts(ax)}
    assert {"Rajin", "Vladivostok"} <= names and any(n.startswith("Nam") for n in names), names
    (markers,) = [c for c in ax.collections if c.get_zorder() == 6]
    assert len(markers.get_offsets()) == 3 and len(set(markers.get_sizes())) == 1
    plt.close(ax.figure)
