"""One definition of the map options (geoflows.mapoptions): what is generated from it agrees
with it (CLI flags, build-file JSON Schema, docs tables), and every entry point checks against it."""

from __future__ import annotations

import inspect
import json
import os
import re
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

import geoflows as gf
from geoflows import schema
from geoflows.build import BuildSpec, build_schema
from geoflows.build._spec import _schema_text
from geoflows.cli import cli, map_cmd
from geoflows.mapoptions import FILTER_VOCABULARIES, MAP_OPTIONS, vocabulary_table
from geoflows.render import build_payload, flow_map, plot_flows

ROOT = Path(__file__).resolve().parents[1]
UPDATE = os.environ.get("GEOFLOWS_UPDATE_GOLDEN") == "1"
FLOW_MAP_OWN = {"tiles", "assets", "height", "basemap"}


@pytest.fixture(scope="module")
def flows() -> gf.FlowSet:
    return gf.read_flows(
        [
            {"origin": "Rajin", "destination": "Vladivostok", "volume": 10, "kind": "shipment"},
            {"origin": "Nampo", "destination": "Vostochny", "volume": 5, "kind": "transfer"},
        ]
    )


# ------------------------------------------------------------------ the definition agrees


def _keywords(func) -> dict[str, object]:
    return {
        p.name: p.default
        for p in inspect.signature(func).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


def test_html_options_are_exactly_what_the_map_functions_take():
    payload = _keywords(build_payload)
    own = {k: v for k, v in _keywords(flow_map).items() if k != "m"}
    assert set(own) == FLOW_MAP_OWN
    taken = {**payload, **own}
    assert set(taken) == set(MAP_OPTIONS.names())
    for name, default in taken.items():  # the documented default is the one used
        assert MAP_OPTIONS[name].default == default, name


def test_static_options_are_exactly_what_plot_flows_takes():
    taken = {k: v for k, v in _keywords(plot_flows).items() if k != "ax"}
    assert set(taken) == set(MAP_OPTIONS.names(static=True))
    # Static-only options have the figure's default; shared ones may differ (points, not pixels).
    for name in ("figsize", "sources", "scale_bar", "scale", "color_by", "labels"):
        assert MAP_OPTIONS[name].default == taken[name], name


def test_build_schema_is_generated_from_the_options_and_committed_as_generated():
    options = build_schema()["$defs"]["options"]
    assert options["additionalProperties"] is False
    assert set(options["properties"]) == {*MAP_OPTIONS.names(), "share_scale"}
    for name in MAP_OPTIONS.names():
        prop, option = options["properties"][name], MAP_OPTIONS[name]
        assert prop["description"] == option.help
        if option.kind == "choice":
            assert prop["enum"] == list(option.choices)
        if option.kind == "bool":
            assert prop["type"] == "boolean"
        if option.minimum is not None:
            key = "exclusiveMinimum" if option.exclusive else "minimum"
            assert prop[key] == option.minimum
    # The committed file (for editors' YAML servers) is the generated schema, byte for byte.
    committed = ROOT / "geoflows" / "_data" / "build.schema.json"
    if UPDATE:
        committed.write_text(_schema_text(), encoding="utf-8")
    assert committed.read_text(encoding="utf-8") == _schema_text()
    result = CliRunner().invoke(cli, ["schema"])
    assert json.loads(result.output) == build_schema()


def test_filter_vocabularies_come_from_the_contract():
    assert FILTER_VOCABULARIES["kinds"] == schema.KINDS
    assert FILTER_VOCABULARIES["modes"] == schema.MODES
    assert FILTER_VOCABULARIES["confidence"] == (*schema.CONFIDENCES, "unknown")
    flt = build_schema()["$defs"]["filter"]["properties"]
    for name, values in FILTER_VOCABULARIES.items():
        one, many = flt[name]["anyOf"]
        assert one["enum"] == many["items"]["enum"] == list(values)


def test_cli_flags_are_generated_from_the_options():
    params = {p.name: p for p in map_cmd.params if isinstance(p, click.Option)}
    flagged = [o for o in MAP_OPTIONS.values() if o.flags]
    assert {o.name for o in flagged} == set(MAP_OPTIONS.names())  # every HTML option has a flag
    for option in flagged:
        param = params[option.name]
        spelled = [*param.opts, *param.secondary_opts]
        assert spelled == [f for flag in option.flags for f in flag.split("/")], option.name
        assert param.help == option.help
        if option.kind == "choice":
            words = ["none" if c is None else c for c in option.choices]
            assert list(param.type.choices) == words
        if option.kind == "bool":
            assert param.is_flag and param.secondary_opts
    assert "--colour-by" in params["color_by"].opts


def _generated_block(text: str, marker: str) -> str:
    match = re.search(rf"<!-- {marker}:start[^>]*-->\n(.*?)\n<!-- {marker}:end -->", text, re.S)
    assert match, marker
    return match.group(1)


@pytest.mark.parametrize(
    "page, marker, table",
    [
        ("build.md", "map-options", MAP_OPTIONS.markdown_table()),
        ("build.md", "filter-vocabularies", vocabulary_table()),
        ("cli.md", "map-options", MAP_OPTIONS.markdown_table(cli=True)),
    ],
)
def test_docs_tables_are_the_generated_ones(page, marker, table):
    path = ROOT / "docs" / page
    text = path.read_text(encoding="utf-8")
    if UPDATE:
        old = _generated_block(text, marker)
        path.write_text(text.replace(old, table), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
    assert _generated_block(text, marker) == table
    for name in MAP_OPTIONS.names() if marker == "map-options" and page == "build.md" else ():
        assert f"| `{name}` |" in table


# ------------------------------------------------------------------ checked at every door


@pytest.mark.parametrize("door", ["to_folium", "to_html", "save_map"])
def test_unknown_option_names_the_closest_and_the_valid_ones(flows, door, tmp_path):
    call = getattr(flows, door)
    args = (tmp_path / "m.html",) if door == "save_map" else ()
    with pytest.raises(
        gf.OptionError,
        match=r"^unknown option 'titel'; did you mean 'title'\? Valid options: title, tiles, "
        r"assets, height, basemap, scale, .*, filter_open; and the arguments of FlowLayer and "
        r"folium.Map: name, show, overlay, control, location, width, .*, zoom_control, .*$",
    ):
        call(*args, titel="Transfers")
    assert not (tmp_path / "m.html").exists()


def test_bad_values_name_option_value_valid_values_and_closest(flows):
    with pytest.raises(
        gf.OptionError,
        match=r"^bad value 'lg' for option 'scale'; did you mean 'log'\? Valid values: 'sqrt', "
        r"'linear', 'log', 'quantiles', 'natural_breaks'$",
    ):
        flows.to_html(scale="lg")
    with pytest.raises(gf.OptionError, match=r"'catgory' for option 'color_by'; did you mean 'cat"):
        flows.to_folium(color_by="catgory")
    with pytest.raises(gf.OptionError, match=r"bad value 'x' for option 'claims'; Valid values"):
        flows.to_folium(claims="x")  # nothing close: no guess
    with pytest.raises(
        gf.OptionError, match=r"option 'min_width' takes a number ≥ 0; got -1 \(too small\)"
    ):
        flow_map(flows, min_width=-1)
    with pytest.raises(gf.OptionError, match=r"option 'labels' takes true or false; got 'no'"):
        flows.to_html(labels="no")
    with pytest.raises(
        gf.OptionError,
        match=r"option 'at' takes a day YYYY-MM-DD, a month YYYY-MM or a year YYYY or None; got 'soon'",
    ):
        flows.to_html(at="soon")
    with pytest.raises(gf.OptionError, match=r"bad value 'sat' for option 'basemap'"):
        flows.to_html(basemap="sat")


def test_a_bare_string_is_a_list_of_one(flows):
    one = flows.to_html(palette="#ff0000", color_by="kind")
    assert one == flows.to_html(palette=["#ff0000"], color_by="kind")
    assert '"colors":["#ff0000","#ff0000"]' in one  # not '#', 'f', 'f', ... as before
    assert flows.to_html(focus="Rajin") == flows.to_html(focus=["Rajin"])
    with pytest.raises(gf.OptionError, match=r"unknown kinds value 'shipments'; did you mean"):
        flows.filter(kinds="shipments")
    assert len(flows.filter(kinds="shipment")) == 1


def test_flow_layer_checks_its_options(flows):
    with pytest.raises(
        gf.OptionError, match=r"^unknown option 'colour_by'; did you mean 'color_by'"
    ):
        gf.FlowLayer(flows, colour_by="kind")
    assert gf.FlowLayer(flows, color_by="kind", focus="Rajin").payload["focus"]


def test_widget_checks_its_options(flows):
    pytest.importorskip("anywidget")
    with pytest.raises(gf.OptionError, match=r"unknown option 'tittle'; did you mean 'title'"):
        gf.FlowWidget(flows, tittle="x")


def test_build_files_report_options_with_key_paths():
    data = {
        "inputs": {"a": "a.csv"},
        "defaults": {"colour_by": "kind"},
        "maps": [
            {"name": "m", "input": "a", "options": {"basemap": "sat", "palette": "#ff0000"}},
            {"name": "n", "input": "a", "filter": {"kinds": "shipments", "modes": ["sea", "Air"]}},
        ],
    }
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict(data, source="b.yaml")
    lines = [ln.strip().removeprefix("- ") for ln in str(exc.value).splitlines()[1:]]
    assert lines[0].startswith(
        "defaults.colour_by: unknown key (did you mean 'color_by'?) (allowed: arrow_limit, "
    )
    assert lines[1:] == [
        "maps[0].options.basemap: 'sat' is not one of 'auto', 'countries', None",
        "maps[1].filter.kinds: 'shipments' is not one of 'shipment', 'deployment', 'transfer', "
        "'visit', 'other' (did you mean 'shipment'?)",
        "maps[1].filter.modes[1]: 'Air' is not one of 'sea', 'rail', 'road', 'air', 'unknown' "
        "(did you mean 'air'?)",
    ]
    ok = {"inputs": {"a": "a.csv"}, "maps": [{"name": "m", "input": "a", "options": {
        "basemap": None, "palette": {"shipment": "#f00"}, "markers": False, "precision": 3}}]}  # fmt: skip
    assert BuildSpec.from_dict(ok).maps[0].options["precision"] == 3
    # What the schema cannot say (NaN passes "minimum: 0"), MAP_OPTIONS.check does, per key path.
    nan = {"inputs": {"a": "a.csv"}, "defaults": {"min_width": float("nan")},
           "maps": [{"name": "m", "input": "a", "options": {"max_width": float("nan")}}]}  # fmt: skip
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict(nan, source="b.yaml")
    assert str(exc.value).splitlines()[1:] == [
        "  - defaults.min_width: option 'min_width' takes a number ≥ 0; got nan (not a number)",
        "  - maps[0].options.max_width: option 'max_width' takes a number > 0; got nan (not a "
        "number)",
    ]


def test_cli_map_takes_every_option_and_refuses_bad_ones(tmp_path):
    out = tmp_path / "m.html"
    csv = str(ROOT / "data" / "dprk_russia_2023_2024.csv")
    args = ["map", csv, "-o", str(out), "--basemap", "none", "--colour-by", "kind"]
    args += ["--palette", "shipment=#ff0000,deployment=#00ff00", "--no-markers", "--precision", "3"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    expected = gf.read_flows(csv).to_html(
        basemap=None,
        color_by="kind",
        palette={"shipment": "#ff0000", "deployment": "#00ff00"},
        markers=False,
        precision=3,
    )
    assert page == expected
    bad = CliRunner().invoke(cli, ["map", csv, "-o", str(out), "--scale", "lg"])
    assert bad.exit_code == 2 and "'lg' is not one of 'sqrt', 'linear', 'log'" in bad.output
    bad = CliRunner().invoke(cli, ["map", csv, "-o", str(out), "--palette", "a=#f00,#0f0"])
    assert bad.exit_code == 2 and "give COLOUR,... or VALUE=COLOUR,..., not a mix" in bad.output


# ------------------------------------------------------------------ static figures


@pytest.mark.slow
def test_static_figures_take_the_options_that_make_sense(flows, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = flows.plot(title="Two", color_by="kind", labels=False, palette="#ff0000", basemap="auto")
    try:
        assert ax.get_title() == "Two"
        assert [t.get_text() for t in ax.texts if t.get_text() in ("Rajin", "Nampo")] == []
    finally:
        plt.close(ax.figure)
    with pytest.raises(
        gf.OptionError,
        match=r"^save_png does not take 'tiles' \(a static figure always draws the shipped "
        r"basemap\); it takes: title, basemap, scale, min_width, max_width, width_domain, "
        r"color_by, palette, labels, focus, figsize, sources, scale_bar, dpi$",
    ):
        flows.save_png(tmp_path / "m.png", tiles=None)
    with pytest.raises(gf.OptionError, match=r"^save_svg does not take 'at' \(a static figure"):
        flows.save_svg(tmp_path / "m.svg", at="2024-01-01")
    with pytest.raises(gf.OptionError, match=r"^unknown option 'titel'; did you mean 'title'"):
        flows.save_pdf(tmp_path / "m.pdf", titel="x")
    with pytest.raises(gf.OptionError, match=r"^to_html does not take 'figsize' \(static"):
        flows.to_html(figsize=(4, 3))
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_static_focus_shows_the_area_the_html_map_opens_on(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pyproj import Transformer

    flows = gf.read_flows(ROOT / "data" / "dprk_russia_2023_2024.csv")
    whole = flows.plot()
    near = flows.plot(focus=["Rajin", "Vladivostok"])
    box = flows.plot(focus=(125, 40, 135, 46))
    try:
        span = np.diff(whole.get_xlim())[0]
        assert np.diff(near.get_xlim())[0] < span / 10  # a regional view, not the whole story
        shown = {t.get_text() for t in near.texts}
        assert {"Rajin", "Vladivostok"} <= shown and "Kursk Oblast" not in shown
        # The view is the box, no margin: in its (azimuthal) projection the south corners, a
        # north corner and the middle of the south edge touch the edges of the view.
        to_map = Transformer.from_crs("EPSG:4326", _crs_of(box), always_xy=True)
        x, y = to_map.transform([125, 135, 135, 130], [40, 40, 46, 40])
        (x0, x1), (y0, y1) = box.get_xlim(), box.get_ylim()
        assert np.allclose([x[0], x[1], y[2], y[3]], [x0, x1, y1, y0], rtol=1e-9)
    finally:
        for ax in (whole, near, box):
            plt.close(ax.figure)
    with pytest.raises(gf.OptionError, match=r"focus: no place of this map is named 'Atlantis'"):
        flows.save_png(tmp_path / "m.png", focus="Atlantis")
    assert not (tmp_path / "m.png").exists()


def _crs_of(ax):
    from geoflows.render._static import projection_for

    # The figure's projection is the one chosen for the focus box's outline.
    lon = np.r_[
        np.linspace(125, 135, 25), np.full(25, 135), np.linspace(135, 125, 25), np.full(25, 125)
    ]
    lat = np.r_[np.full(25, 40), np.linspace(40, 46, 25), np.full(25, 46), np.linspace(46, 40, 25)]
    return projection_for(lon, lat)
