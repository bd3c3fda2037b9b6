"""Python-level tests of the renderer: payload, escaping, determinism, assets, tiles, notebook.

The fixed 3-flow map of the determinism tests here is also the golden map of
tests/test_golden.py (its payload and our parts of its page, in ``tests/data/golden/``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import subprocess
import sys
import warnings
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geoflows as gf
from geoflows import render
from geoflows.render import build_payload, map_html, notebook_html, safe_json
from geoflows.render._payload import expand

ROOT = Path(__file__).resolve().parents[1]

#: The fixed input of the golden and cross-process determinism tests (coordinates only, so the
#: output does not depend on the gazetteer's data).
THREE_FLOWS = [
    {
        "id": "g1",
        "origin": "42.24, 130.30",
        "destination": "43.12, 131.89",
        "volume": 1000,
        "unit": "containers",
        "kind": "shipment",
        "category": "munitions",
        "mode": "sea",
        "start": "2023-09-07",
        "end": "2023-10-01",
        "confidence": "confirmed",
        "source": "https://example.org/a; Ministry briefing",
        "label": "Containers by sea",
    },
    {
        "id": "g2",
        "origin": "39.03, 125.75",
        "destination": "55.75, 37.62",
        "volume_low": 2,
        "volume_high": 10,
        "unit": "missiles",
        "kind": "transfer",
        "category": "missiles",
        "mode": "air",
        "start": "2024-01-02",
        "confidence": "reported",
        "notes": "range <2–10>",
    },
    {
        "id": "g3",
        "origin": "50.45, 30.52",
        "destination": "49.99, 36.23",
        "unit": "troops",
        "kind": "deployment",
        "category": "troops",
        "mode": "road",
        "confidence": "claimed",
        "label": "Unknown size {{7*7}}",
    },
]
GOLDEN_OPTIONS = {"tiles": None, "title": "Golden map", "at": "2023-10-01"}
GOLDEN_SCRIPT = f"""
import hashlib, sys, warnings
warnings.simplefilter("ignore")
import geoflows as gf
flows = gf.read_flows({THREE_FLOWS!r}, route="geodesic")
page = flows.to_html(**{GOLDEN_OPTIONS!r})
sys.stdout.write(hashlib.sha256(page.encode("utf-8")).hexdigest())
"""


@pytest.fixture(scope="module")
def three() -> gf.FlowSet:
    return gf.read_flows(THREE_FLOWS, route="geodesic")


@pytest.fixture(scope="module")
def page(three: gf.FlowSet) -> str:
    return map_html(three, **GOLDEN_OPTIONS)


# --------------------------------------------------------------------------- payload
def test_payload_shape(three: gf.FlowSet) -> None:
    sent = build_payload(three, at="2023-10-01")
    assert sent["route"] == {"c": -1}  # geodesics ship no vertices; one value for all flows
    assert json.loads(safe_json(sent)) == sent
    p = render.expand(sent)
    n = p["n"]
    assert n == 3 and p["v"] == 2 and p["total"] == 3
    for key in ("o", "d", "route", "width", "halo", "unknown", "color", "conf", "unit", "t0"):
        assert len(p[key]) == n, key
    for key in ("t1", "vol", "low", "high", "offset", "length"):
        assert len(p[key]) == n, key
    for name, values in render.payload_fields(p).items():
        assert len(values) == n, name
    assert render.payload_fields(p)["volume"][1] == "2–10 missiles"  # built from vol/low/high
    assert p["vol"] == [1000, -1, -1] and p["low"] == [-1, 2, -1] and p["high"] == [-1, 10, -1]
    assert render._payload._decode(p["label"]) == ["Containers by sea", "", "Unknown size {{7*7}}"]
    assert render._payload._decode(p["sources"])[0] == [
        "https://example.org/a",
        "Ministry briefing",
    ]
    assert p["unknown"] == [0, 0, 1]
    assert p["halo"][1] > p["width"][1] > 0 and p["halo"][0] == 0
    assert sorted(p["colorKeys"]) == ["missiles", "munitions", "troops"]
    assert len(p["colors"]) == 3 and all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in p["colors"])
    assert p["units"] == sorted(p["units"])
    # 2023-10-01 as days since 1970-01-01; undated flow has None
    assert p["at"] == 19631
    assert p["t0"][2] is None and p["t1"][2] is None
    assert p["dayMin"] <= p["at"] <= p["dayMax"]
    places = p["places"]
    # each place once (six distinct ends), flows refer to them by index
    assert places["name"] == [""] * 6  # coordinates only: no name of their own
    assert sorted(p["o"] + p["d"]) == list(range(6))
    assert places["lat"][p["o"][0]] == 422400 and places["lon"][p["o"][0]] == 1303000
    # geodesics ship no vertices: the browser rebuilds them from their ends
    assert p["route"] == [-1, -1, -1] and p["lanes"]["coords"] == []
    (south, west), (north, east) = p["bounds"]
    assert south < north and west < east


@pytest.mark.parametrize(
    "ends",
    [
        [((37.62, 55.75), (129.73, 62.03))],  # Moscow -> Yakutsk: bulges north of both ends
        [((37.62, 55.75), (-149.90, 61.22)), ((30.52, 50.45), (37.62, 55.75))],  # over the pole
        [((-58.38, -34.60), (151.21, -33.87))],  # Buenos Aires -> Sydney: bulges south
    ],
)
def test_bounds_hold_the_whole_geodesic(ends: list) -> None:
    """The fitted view holds each arc the browser draws, not only its two ends."""
    import pyproj

    flows = gf.read_flows(
        [{"origin": f"{o[1]}, {o[0]}", "destination": f"{d[1]}, {d[0]}"} for o, d in ends]
    )
    (south, _), (north, _) = build_payload(flows)["bounds"]
    geod = pyproj.Geod(ellps="WGS84")
    lats = [lat for o, d in ends for _, lat in geod.npts(*o, *d, 1000)]
    ends_lat = [p[1] for pair in ends for p in pair]
    assert max(lats) > max(ends_lat) + 1 or min(lats) < min(ends_lat) - 1  # a real bulge
    assert north >= max(lats) - 0.1 and abs(north - max(max(lats), *ends_lat)) < 0.1
    assert south <= min(lats) + 0.1 and abs(south - min(min(lats), *ends_lat)) < 0.1


def test_bounds_skip_a_vertex_outside_the_arc() -> None:
    """A short arc whose great circle peaks elsewhere keeps the latitudes of its ends."""
    flows = gf.read_flows([{"origin": "50.0, 10.0", "destination": "48.0, 20.0"}])
    (south, _), (north, _) = build_payload(flows)["bounds"]
    assert (south, north) == (48.0, 50.0)


def test_lanes_ship_once() -> None:
    """Non-geodesic routes ship their vertices; flows on the same lane share one copy."""
    flows = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "mode": "sea", "volume": v}
            for v in (1, 2, 3)
        ]
        + [{"origin": "Moscow", "destination": "Kyiv", "volume": 4}]
    )
    p = expand(build_payload(flows))
    assert p["route"] == [0, 0, 0, -1]
    assert len(p["lanes"]["offsets"]) == 2  # one lane
    xy = render.decode_coords(p)
    assert len(xy) == p["lanes"]["offsets"][1] >= 3
    assert abs(xy[0, 0] - 130.3) < 0.1 and abs(xy[-1, 1] - 43.1) < 0.1  # Rajin ... Vladivostok
    assert len(p["places"]["name"]) == 4 and all(p["places"]["name"])


def test_payload_options(three: gf.FlowSet) -> None:
    assert build_payload(three, markers=False)["markers"] is False
    assert build_payload(three, marker_limit=1)["markers"] is False
    assert build_payload(three, title="T")["title"] == "T"
    assert build_payload(three, labels=False)["labels"] is False
    assert build_payload(three)["at"] is None
    sea = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "mode": "sea"}])
    coarse = build_payload(sea, precision=1, simplify=0)
    fine = build_payload(sea, precision=4, simplify=0)
    assert set(coarse["lanes"]["coords"]) >= {"z", "n"}  # packed integers
    assert all(isinstance(c, int) for c in render.expand(coarse)["lanes"]["coords"])
    xy_coarse, xy_fine = render.decode_coords(coarse), render.decode_coords(fine)
    assert np.allclose(xy_coarse, np.round(xy_coarse, 1))
    assert np.abs(xy_coarse - xy_fine).max() <= 0.05 + 1e-9
    by_mode = build_payload(three, color_by="mode")
    assert sorted(by_mode["colorKeys"]) == ["air", "road", "sea"]
    with pytest.raises(gf.GeoflowsError, match="color_by"):
        build_payload(three, color_by="nope")
    assert build_payload(three, focus=(120, 40, 135, 45))["focus"] == [[40, 120], [45, 135]]


def test_max_flows_keeps_the_largest(three: gf.FlowSet) -> None:
    """Above max_flows the page keeps the largest flows by volume, in input order."""
    p = build_payload(three, max_flows=2)
    assert p["n"] == 2 and p["total"] == 3
    assert render._payload._decode(p["fields"][0][1]) == ["g1", "g2"]  # g3 has no volume


def test_a_flow_without_a_line_is_left_out_of_the_payload() -> None:
    records = [
        {"id": "ok", "origin": "Rajin", "destination": "Vladivostok", "volume": 5},
        {"id": "lost", "origin": "Rajin", "destination": "Xqzzyville", "volume": 9},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flows = gf.read_flows(records, allow_unresolved=True)
    p = build_payload(flows)
    assert p["n"] == 1 and p["total"] == 1
    assert render._payload._decode(p["fields"][0][1]) == ["ok"]


# --------------------------------------------------------------------------- safe_json
UNSAFE = "<>&{}\u2028\u2029"


def test_safe_json_escapes() -> None:
    text = safe_json({"t": "</script><script>alert(1)</script>{{7*7}}{% x %}\u2028\u2029&amp;"})
    for ch in UNSAFE:
        assert ch not in text.replace('{"', "").replace('"}', "")
    assert "\\u003c/script\\u003e" in text and "\\u007b\\u007b7*7\\u007d\\u007d" in text
    assert "\\u2028" in text and "\\u2029" in text and "\\u0026amp;" in text
    assert json.loads(text)["t"].startswith("</script>")
    # keys are escaped too, structure is kept
    assert safe_json({"<k>": [1, 2.5, None, True]}) == '{"\\u003ck\\u003e":[1,2.5,null,true]}'
    with pytest.raises(ValueError, match="not JSON compliant"):
        safe_json({"x": float("nan")})


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(), max_size=30),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_safe_json_roundtrip(obj: object) -> None:
    text = safe_json(obj)
    assert json.loads(text) == obj
    # no unsafe character inside any string literal, and "</" can never appear
    for literal in re.findall(r'"(?:[^"\\]|\\.)*"', text):
        assert not any(ch in literal for ch in UNSAFE), literal
    assert "</" not in text and "{{" not in text and "{%" not in text and "{#" not in text


# --------------------------------------------------------------------------- determinism
def test_same_bytes_in_process(three: gf.FlowSet, page: str) -> None:
    assert map_html(three, **GOLDEN_OPTIONS) == page
    assert page.count("geoflowsDraw(") == 1  # the one call that draws the layer


@pytest.mark.slow
def test_same_bytes_across_processes(page: str) -> None:
    """Two fresh interpreters with different hash seeds write byte-identical HTML."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GOLDEN_SCRIPT],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed in ("1", "2")
    ]
    digests = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        digests.append(out.strip())
    assert digests[0] == digests[1] == hashlib.sha256(page.encode("utf-8")).hexdigest()


def test_no_random_ids_or_timestamps(page: str) -> None:
    # packed numbers ("z": varints in 0-9A-Za-z-_) may spell anything: look outside them
    text = re.sub(r'"z":"[0-9A-Za-z_-]*"', '"z":""', page)
    assert '"z":""' in text
    assert not re.search(r"[0-9a-f]{32}", text), "a uuid-like (random) id is in the page"
    assert not re.search(r"20[2-9]\d-\d\d-\d\dT\d\d:\d\d", page), "a timestamp is in the page"


# --------------------------------------------------------------------------- assets
URL_RE = re.compile(r"""https?://[^\s"'<>)\\]+""")
#: URLs that are not fetched: XML namespaces, and links in Leaflet's comments/attribution.
NOT_FETCHED = (
    "http://www.w3.org/",
    "https://leafletjs.com",
    "https://bugs.chromium.org/",
    "https://bugzilla.mozilla.org/",
)


def test_inline_page_fetches_nothing(page: str) -> None:
    urls = set(URL_RE.findall(page))
    data_urls = {"https://example.org/a"}
    assert urls - data_urls, "expected Leaflet's own URLs at least"
    strange = [u for u in urls - data_urls if not u.startswith(NOT_FETCHED)]
    assert strange == []
    assert not re.search(r"<(script|img|iframe)[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "@import" not in page
    assert not re.search(r"url\((?!data:|#default#VML)", page), (
        "a CSS url() that is not a data: URI"
    )


def test_cdn_assets_have_integrity(three: gf.FlowSet) -> None:
    page = map_html(three, tiles=None, basemap=None, assets="cdn")
    tags = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"https://[^>]+>", page)
    assert len(tags) == 2
    for tag, name in zip(sorted(tags), ("leaflet.css", "leaflet.js"), strict=True):
        data = resources.files("geoflows").joinpath("_data", "leaflet", name).read_bytes()
        sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
        assert f"leaflet@{render.LEAFLET_VERSION}/dist/{name}" in tag
        assert f'integrity="{sri}"' in tag and 'crossorigin="anonymous"' in tag
    assert (
        "L.Map=" not in page
        and "leaflet-container" not in page.split("</head>")[0].split("<style>")[0]
    )  # no inlined Leaflet
    assert len(page) < len(map_html(three, tiles=None, basemap=None)) / 3


def test_vendored_leaflet_is_the_release() -> None:
    """The CDN integrity hashes are made from the vendored files: they must be Leaflet 1.9.4's."""
    upstream = {
        "leaflet.js": "sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo=",
        "leaflet.css": "sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY=",
    }
    assert render.LEAFLET_VERSION == "1.9.4"
    for name, sri in upstream.items():
        data = resources.files("geoflows").joinpath("_data", "leaflet", name).read_bytes()
        assert "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode() == sri


def test_bad_assets_option(three: gf.FlowSet) -> None:
    with pytest.raises(gf.GeoflowsError, match="assets"):
        map_html(three, tiles=None, assets="local")


# --------------------------------------------------------------------------- tiles
def test_tiles_none(page: str) -> None:
    assert "L.tileLayer" not in page


def test_tiles_url(three: gf.FlowSet) -> None:
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    out = map_html(three, tiles=url)
    assert out.count("L.tileLayer(") == 1 and url in out
    assert "tiles.example.org" in out.split("L.tileLayer(")[1]
    local = map_html(three, tiles="file:///srv/tiles/{z}/{x}/{y}.png")
    assert "file:///srv/tiles/{z}/{x}/{y}.png" in local


def test_tiles_provider_name(three: gf.FlowSet) -> None:
    out = map_html(three, tiles="OpenTopoMap")
    assert "tile.opentopomap.org/{z}/{x}/{y}.png" in out
    assert "opentopomap.org" in out.split("L.tileLayer(")[1]  # attribution
    import xyzservices

    out2 = map_html(three, tiles=xyzservices.providers.OpenTopoMap)
    assert out2 == out
    with pytest.raises(gf.GeoflowsError, match="tiles"):
        map_html(three, tiles="No.Such.Provider")


def test_default_is_offline(three: gf.FlowSet) -> None:
    """No tiles unless asked for: the default page makes no tile request (issue 11 item 9)."""
    out = three.to_html()
    assert "L.tileLayer" not in out and "openstreetmap" not in out.lower()
    osm = three.to_html(tiles="OpenStreetMap")
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in osm
    assert "openstreetmap.org/copyright" in osm


# --------------------------------------------------------------------------- notebook
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_notebook_iframe_sandbox(three: gf.FlowSet) -> None:
    out = notebook_html(three, tiles=None, height=400)
    parser = _Tags()
    parser.feed(out)
    assert [t for t, _ in parser.tags] == ["iframe"]
    attrs = parser.tags[0][1]
    assert attrs["sandbox"] == "allow-scripts allow-popups allow-popups-to-escape-sandbox"
    assert "height:400px" in attrs["style"]
    assert attrs["srcdoc"] == map_html(three, tiles=None)
    assert html.escape(attrs["srcdoc"], quote=True) in out


def test_repr_html(three: gf.FlowSet) -> None:
    out = three._repr_html_()
    assert out.startswith("<iframe")
    assert 'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"' in out
    assert "allow-same-origin" not in out


def test_notebook_warns_when_large(monkeypatch: pytest.MonkeyPatch, three: gf.FlowSet) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", gf.GeoflowsWarning)
        notebook_html(three, tiles=None)  # small: no warning
    monkeypatch.setattr(render._folium, "NOTEBOOK_WARN_BYTES", 1000)
    with pytest.warns(gf.GeoflowsWarning, match="MB"):
        notebook_html(three, tiles=None)


def test_save_map_writes_the_page(tmp_path: Path, three: gf.FlowSet, page: str) -> None:
    out = three.save_map(tmp_path / "sub" / "map.html", **GOLDEN_OPTIONS)
    assert out.read_text(encoding="utf-8") == page
    assert [p.name for p in out.parent.iterdir()] == ["map.html"]  # no temp file left


def test_corridor_offsets_stack_shared_lanes() -> None:
    """Flows sharing a lane (either direction) get pixel offsets; a flow alone gets none."""
    flows = gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "mode": "sea", "volume": 10},
            {"origin": "Rajin", "destination": "Vladivostok", "mode": "sea", "volume": 40},
            {"origin": "Vladivostok", "destination": "Rajin", "mode": "sea", "volume": 10},
            {"origin": "Moscow", "destination": "Kyiv", "volume": 10},
        ]
    )
    p = expand(build_payload(flows))
    off, width = p["offset"], p["width"]
    assert off[3] == 0
    # Same direction: stacked, the second beyond the first; the reverse flow on its own right.
    assert 0 < off[0] < off[1]
    assert off[1] - off[0] >= (width[0] + width[1]) / 2
    assert off[2] > 0


def test_static_figures_are_reproducible(tmp_path) -> None:
    """save_png/save_svg: real images, and the same flows give the same bytes."""
    import matplotlib

    matplotlib.use("Agg")
    flows = gf.read_flows(
        [{"origin": "Rajin", "destination": "Vladivostok", "volume": 5, "category": "shells"}]
    )
    a, b = flows.save_png(tmp_path / "a.png"), flows.save_png(tmp_path / "b.png")
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert a.read_bytes() == b.read_bytes()
    s1, s2 = flows.save_svg(tmp_path / "a.svg"), flows.save_svg(tmp_path / "b.svg")
    assert b"<svg" in s1.read_bytes() and s1.read_bytes() == s2.read_bytes()
    # The flow's colour (first palette colour, #0072B2) is drawn.
    assert b"#0072b2" in s1.read_bytes().lower()


def test_payload_is_compact(three: gf.FlowSet) -> None:
    """Repeated text is dictionary-encoded; a place shared by many flows is listed once."""
    many = gf.read_flows(
        [{"origin": "Rajin", "destination": "Vladivostok", "category": "shells"}] * 10
    )
    p = build_payload(many)
    column = dict(p["fields"])["category"]
    assert column == {"k": ["shells"]}  # one value for every flow: no codes
    assert render.payload_fields(p)["category"] == ["shells"] * 10
    assert p["places"]["name"] == ["Rajin", "Vladivostok"]
    assert p["o"] == {"c": 0} and p["d"] == {"c": 1}  # constant columns are sent once


def test_offline_basemap_always_under_tiles(three: gf.FlowSet) -> None:
    """The shipped basemap is in every page (drawn under tiles); basemap=None leaves it out."""
    offline = three.to_html(tiles=None)
    tiled = three.to_html(tiles="OpenStreetMap")
    p = build_payload(three, basemap="countries")
    assert p["basemap"]["precision"] >= 1 and p["basemap"]["sizes"]["n"] > 200
    assert build_payload(three)["basemap"] is None
    assert '"basemap":null' not in tiled and '"basemap":null' not in offline
    assert '"basemap":null' in three.to_html(basemap=None)
    with pytest.raises(gf.GeoflowsError, match="basemap"):
        build_payload(three, basemap="moon")


# --------------------------------------------------------------------------- new map options
def test_claims_merge_groups_overlapping_records() -> None:
    """Same lane, unit and category with overlapping dates: one movement, most confident first."""
    base = {"origin": "Rajin", "destination": "Vladivostok", "unit": "containers"}
    flows = gf.read_flows(
        [
            {
                **base,
                "volume": 2000,
                "confidence": "reported",
                "start": "2023-09-01",
                "end": "2023-12-31",
            },
            {
                **base,
                "volume": 1000,
                "confidence": "confirmed",
                "start": "2023-09-05",
                "end": "2023-10-01",
            },
            {**base, "volume": 9, "confidence": "confirmed", "start": "2024-06-01"},  # later
            {**base, "volume": 3, "unit": "ships", "start": "2023-09-01"},  # other unit
            {**base, "volume": 7, "group": "g", "start": "2025-01-01"},
            {**base, "volume": 8, "group": "g", "start": "2026-01-01"},  # same group, no overlap
        ]
    )
    p = build_payload(flows)
    assert p["claims"] == [[1, 0], [4, 5]]
    assert render.expand(p)["claim"] == [0, 0, -1, -1, 1, 1]
    assert build_payload(flows, claims="separate")["claims"] == []
    with pytest.raises(gf.GeoflowsError, match="claims must be 'merge' or 'separate'"):
        build_payload(flows, claims="both")


def test_group_mixing_units_is_refused() -> None:
    rows = [
        {"origin": "Rajin", "destination": "Vladivostok", "unit": "containers", "group": "m1"},
        {"origin": "Rajin", "destination": "Vladivostok", "unit": "shells", "group": "m1"},
    ]
    with pytest.raises(gf.FlowValidationError, match=r"record 2: field 'group' value 'm1': mixes"):
        gf.read_flows(rows)
    assert issubclass(gf.FlowValidationError, ValueError)


def test_focus_by_place_names(three: gf.FlowSet) -> None:
    flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    (south, west), (north, east) = build_payload(flows, focus=["Rajin"])["focus"]
    assert south < 42.245 < north and west < 130.3 < east
    with pytest.raises(gf.GeoflowsError, match="no place of this map is named 'Atlantis'"):
        build_payload(flows, focus=["Atlantis"])


def test_cli_map_view_options(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from geoflows.cli import cli

    out = tmp_path / "m.html"
    result = CliRunner().invoke(
        cli,
        [
            "map",
            str(ROOT / "data" / "dprk_russia_2023_2024.csv"),
            "-o",
            str(out),
            "--no-labels",
            "--claims",
            "separate",
            "--focus",
            "125,40,135,46",
        ],
    )
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '"labels":false' in page and '"claim":{"c":-1}' in page
    assert '"focus":[[40.0,125.0],[46.0,135.0]]' in page
    assert "L.tileLayer" not in page  # offline unless tiles are asked for
    bad = CliRunner().invoke(
        cli,
        [
            "map",
            str(ROOT / "data" / "dprk_russia_2023_2024.csv"),
            "-o",
            str(out),
            "--width-domain",
            "lots",
        ],
    )
    assert bad.exit_code != 0 and "UNIT=LOW,HIGH" in bad.output


def test_build_schema_knows_the_new_options() -> None:
    schema = json.loads(
        resources.files("geoflows").joinpath("_data", "build.schema.json").read_text()
    )
    options = schema["$defs"]["options"]["properties"]
    for key in ("labels", "claims", "focus", "width_domain", "max_flows"):
        assert key in options, key


USER_MAP_SCRIPT = """
import hashlib, sys, warnings
warnings.simplefilter("ignore")
import folium
import geoflows as gf
m = folium.Map(location=[45, 100], zoom_start=3, tiles=None)
folium.Marker([43.1, 131.9], tooltip="Vladivostok").add_to(m)
gf.read_flows([{"origin": "42.24, 130.30", "destination": "43.12, 131.89"}]).to_folium(m=m)
sys.stdout.write(hashlib.sha256(m.get_root().render().encode()).hexdigest())
"""


@pytest.mark.slow
def test_user_map_same_bytes_across_processes() -> None:
    """to_folium(m=user_map): the same bytes in two processes with different hash seeds."""
    digests = []
    for seed in ("3", "4"):
        proc = subprocess.run(
            [sys.executable, "-c", USER_MAP_SCRIPT],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert proc.returncode == 0, proc.stderr
        digests.append(proc.stdout.strip())
    assert digests[0] == digests[1] and len(digests[0]) == 64


def test_flow_layer_is_a_macro_element(three: gf.FlowSet) -> None:
    import folium
    from branca.element import MacroElement

    m = folium.Map(tiles=None)
    layer = render.FlowLayer(three).add_to(m)
    assert isinstance(layer, MacroElement)
    assert [c for c in m._children.values() if isinstance(c, render.FlowLayer)] == [layer]
    second = render.FlowLayer(three).add_to(m)
    assert (layer.get_name(), second.get_name()) == ("flow_layer_0", "flow_layer_1")


def test_events_are_one_width_off_the_scale_and_named_in_the_legend() -> None:
    from geoflows.style import EVENT_WIDTH

    flows = gf.read_flows(
        [
            {"origin": "Moscow", "destination": "Pyongyang", "kind": "visit", "volume": 1,
             "unit": "visits"},
            {"origin": "Rajin", "destination": "Vladivostok", "kind": "shipment",
             "volume": 3_000_000, "unit": "shells"},
            {"origin": "Pyongyang", "destination": "Kharkiv", "kind": "transfer", "volume": 2,
             "unit": "strikes"},
        ],
        route="geodesic",
    )  # fmt: skip
    p = expand(build_payload(flows, width_domain={"shells": (0, 5_000_000)}))
    assert p["event"] == [1, 0, 1]
    assert p["width"][0] == p["width"][2] == EVENT_WIDTH < p["width"][1]
    assert [w["unit"] for w in p["legend"]["widths"]] == ["shells"]
    assert p["legend"]["widths"][0]["domain"] == ["0", "5M"]
    assert p["legend"]["events"] == ["strikes", "visits"]


@pytest.mark.parametrize(
    "values",
    [
        [],
        [0],
        [-1, 0, 1, 31, 32, -33, 1023, 1024, -(2**40), 2**40],
        [1.5, -1.0, 2.25, 1203.4],
        [0.000001, 3.141592],
        list(range(1000, 1100)),  # sent as differences
    ],
)
def test_pack_round_trip(values: list[float]) -> None:
    """Packed numbers come back exactly, as the browser decodes them (util.js: unpack)."""
    from geoflows.render._encode import ALPHABET, pack, unpack

    packed = pack(values)
    assert unpack(packed) == values
    assert set(packed["z"]) <= set(ALPHABET)  # nothing JSON, HTML or Jinja2 would read
    assert packed["n"] == len(values)


def test_pack_keeps_what_it_cannot_write_exactly() -> None:
    from geoflows.render._encode import pack

    assert pack([0.1234567, 2.0]) == [0.1234567, 2]  # more than 6 decimals: a plain list
    assert pack([1e300]) == [1e300]
    assert pack(list(range(1000, 1100)))["d"] == 1
    assert "d" not in pack([5, -3, 7])


def test_payload_from_the_geodataframe_is_the_flowsets(three: gf.FlowSet) -> None:
    # The frame a FlowSet gives for maps (geodesics as their endpoints) is what its map carries.
    gdf = three.to_geodataframe(split_antimeridian=False, dense=False)
    sent = safe_json(build_payload(gdf, title="T", basemap="countries"))
    assert sent == safe_json(build_payload(three, title="T", basemap="countries"))
    # var flow_layer_0 = geoflowsDraw(map, payload, fit, layer options);
    assert f", {sent}, true, " in three.to_html(title="T")
    # Dense geodesics draw the same flows between the same places.
    dense = expand(build_payload(three.to_geodataframe(split_antimeridian=False)))
    assert dense["o"] == expand(build_payload(gdf))["o"]


def test_payload_of_many_flows_is_packed() -> None:
    """Place coordinates, ends, widths and volumes travel as packed strings, not lists."""
    rng = np.random.default_rng(7)
    records = [
        {
            "origin": f"{a:.4f}, {b:.4f}",
            "destination": f"{c:.4f}, {d:.4f}",
            "volume": round(float(v), 1),
            "unit": "t",
        }
        for a, b, c, d, v in rng.uniform(10, 60, (300, 5))
    ]
    p = build_payload(gf.read_flows(records, route="geodesic"))
    for column in (p["o"], p["d"], p["width"], p["vol"], p["places"]["lat"], p["places"]["lon"]):
        assert set(column) >= {"z", "n"}
    assert p["places"]["name"] == {"k": [""]}  # coordinate-only places: no names, sent once
    e = expand(p)
    assert e["vol"] == [r["volume"] for r in records]
    lat = np.asarray(e["places"]["lat"]) / 10**4
    assert np.allclose(lat[e["o"]], [float(r["origin"].split(",")[0]) for r in records])
    assert e["places"]["name"] == [""] * len(lat)
    assert p["fields"][0][0] == "id" and set(p["fields"][0][1]) == {"t"}  # "1", "2", ... packed
    assert render.payload_fields(p)["id"] == [str(k) for k in range(1, 301)]


STORY = Path(__file__).resolve().parent / "data" / "iran_dprk_russia_2022_2025.csv"


@pytest.fixture(scope="module")
def story_payload() -> dict:
    flows = gf.read_flows(STORY)
    return build_payload(flows.to_geodataframe(split_antimeridian=False, dense=False))


def test_months_reach_the_page_as_months(story_payload: dict) -> None:
    """Issue 22 §7: the popup's dates are what the source gave ('Sep 2024'), not days."""
    from geoflows.render._encode import expand, payload_fields

    fields = payload_fields(story_payload)
    ids = fields["id"]
    k = ids.index("ird_12")
    assert (fields["start"][k], fields["end"][k]) == ("Sep 2024", "Sep 2024")
    assert expand(story_payload)["p0"] == [1] * story_payload["n"]
    day = build_payload(
        gf.read_flows([{"origin": "Rajin", "destination": "Dunai", "start": "2024-10-20"}])
    )
    assert payload_fields(day)["start"] == ["2024-10-20"]


def test_merged_claims_keep_their_open_bounds(story_payload: dict) -> None:
    from geoflows.render._encode import claim_texts

    texts = claim_texts(story_payload)
    assert "more than 200 – 2,400 rail cars (2 claims)" in texts
    assert "300 – up to 400 drones (2 claims)" in texts
    assert "8,000–12,000 troops (3 claims)" in texts
    assert not any("200–2,400" in t for t in texts)


def test_waypoints_are_named_places_of_the_page(story_payload: dict) -> None:
    """Issue 22 §8: the rail claims' waypoint (via Khasan) is listed once, with its flows."""
    from geoflows.render._encode import expand

    w = expand(story_payload)["waypoints"]
    assert w["name"] == ["Khasan"]
    assert (w["lat"][0], w["lon"][0]) == (424283, 1306456)
    fields = render._encode.payload_fields(story_payload)
    assert sorted(fields["id"][i] for i in w["of"][0]) == ["ird_17", "ird_18"]


# --------------------------------------------------------------------------- disagreeing groups
def _story_rows(payload: dict, *ids: str) -> list[int]:
    fields = render.payload_fields(payload)
    return [fields["id"].index(i) for i in ids]


def test_a_group_naming_two_origins_is_one_line_per_origin(story_payload: dict) -> None:
    """Issue 22 §3: shahed-first's sources name Bandar Anzali (ird_01) and Nowshahr (ird_02)
    as the port of loading: two lines of one movement, each with its own place and corridor."""
    e = expand(story_payload)
    a, b = _story_rows(story_payload, "ird_01", "ird_02")
    g = e["claim"][a]
    assert g >= 0 and e["claim"][b] == g and e["claims"][g] == [a, b]  # reported first
    assert (e["claimPart"][a], e["claimPart"][b]) == (0, 1)
    names = e["places"]["name"]
    assert (names[e["o"][a]], names[e["o"][b]]) == ("Anzali port", "Nowshahr")
    assert names[e["d"][a]] == names[e["d"][b]] == "Astrakhan"
    assert e["color"][a] == e["color"][b]
    # each line in its own corridor: Anzali's shares it with ird_09 (set apart), Nowshahr's
    # is alone (not shifted by Anzali's corridor, as the group's one line was)
    (c,) = _story_rows(story_payload, "ird_09")
    assert e["offset"][a] != 0 and e["offset"][c] != 0 and e["offset"][b] == 0
    # groups whose claims agree on both places stay one line
    agree = [j for m in e["claims"] if g != e["claim"][m[0]] for j in m]
    assert len(agree) == 13 and {e["claimPart"][j] for j in agree} == {0}


def test_the_popup_says_which_source_named_which_origin(story_payload: dict) -> None:
    from geoflows.render._encode import claim_place_texts

    texts = claim_place_texts(story_payload)
    (a,) = _story_rows(story_payload, "ird_01")
    g = expand(story_payload)["claim"][a]
    assert texts[g] == [
        "Origin: Anzali port (Ukrainian intelligence statement (as reported in the press))"
        " · Nowshahr (Iranian opposition outlet)"
    ]
    assert [t for k, t in enumerate(texts) if k != g] == [[]] * (len(texts) - 1)


def test_claims_naming_other_origins_and_destinations_are_lines_of_one_movement() -> None:
    """Four claims, two origins and two destinations: four pairs, four lines; sources are
    listed per place without repeats, a claim without a source names its place alone."""
    base = {"unit": "ships", "group": "g", "kind": "shipment", "mode": "sea"}
    rows = [
        {**base, "origin": "Rajin", "destination": "Vladivostok", "volume": 5,
         "confidence": "confirmed", "source": "Source A ; Source B"},
        {**base, "origin": "Chongjin", "destination": "Vladivostok", "volume": 3,
         "confidence": "reported", "source": "Source C"},
        {**base, "origin": "Rajin", "destination": "Vostochny", "volume": 4,
         "confidence": "claimed", "source": "Source A"},
        {**base, "origin": "Chongjin", "destination": "Vostochny", "confidence": "claimed"},
        {**base, "origin": "Rajin", "destination": "Vladivostok", "volume": 6,
         "confidence": "claimed", "source": "Source B", "group": ""},  # not of the group
    ]  # fmt: skip
    flows = gf.read_flows(rows)
    p = build_payload(flows, color_by="source")
    e = expand(p)
    assert e["claims"] == [[0, 1, 2, 3]] and e["claim"] == [0, 0, 0, 0, -1]
    assert e["claimPart"] == [0, 1, 2, 3, 0]
    # coloured by source, each claim has its own colour in the payload; the page draws every
    # line of the movement in its lead's (canvas.js lineColors, tests/browser/test_claim_bands.py)
    assert len(set(e["color"][:4])) == 4
    from geoflows.render._encode import claim_place_texts

    assert claim_place_texts(p) == [
        [
            "Origin: Rajin (Source A, Source B) · Chongjin Port (Source C)",
            "Destination: Vladivostok (Source A, Source B, Source C) · Port Vostochny (Source A)",
        ]
    ]
    assert build_payload(flows, claims="separate")["claimPart"] == {"c": 0}
