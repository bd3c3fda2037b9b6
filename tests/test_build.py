"""Tests of geoflows.build: build files, their validation, and batch builds."""

from __future__ import annotations

import os
import shutil
import stat
import textwrap
from pathlib import Path

import pytest

import geoflows as gf
from geoflows.build import (
    BuildReport,
    BuildSpec,
    MapResult,
    build,
    build_schema,
    describe_error,
    load_build_file,
    share_scales,
)
from geoflows.io import write_atomic

DATA = Path(__file__).parent / "data" / "build"


def _problems(exc: pytest.ExceptionInfo) -> list[str]:
    # The structured problems, checked against the lines of the message that lists them.
    problems = [str(p) for p in exc.value.problems]
    assert all(isinstance(p, gf.BuildProblem) for p in exc.value.problems)
    assert problems == [ln.strip().removeprefix("- ") for ln in str(exc.value).splitlines()[1:]]
    return problems


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the build file


def test_schema_errors_name_key_paths_all_at_once():
    with pytest.raises(gf.BuildError) as exc:
        load_build_file(DATA / "bad_schema.yaml")
    assert str(exc.value).startswith(f"2 problems in {DATA / 'bad_schema.yaml'}:")
    assert _problems(exc) == [
        "maps[0].options.scale: 'cubic' is not one of 'sqrt', 'linear', 'log', 'quantiles', "
        "'natural_breaks'",
        "maps[1].input: required key is missing",
    ]


def test_missing_maps_and_unknown_keys():
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict({"version": 2, "inputs": {"a": "a.csv"}, "outptu_dir": "x"})
    assert _problems(exc) == [
        "maps: required key is missing",
        "outptu_dir: unknown key (did you mean 'output_dir'?) (allowed: defaults, gazetteer, "
        "inputs, maps, output_dir, share_scale, version)",
        "version: must be 1, got 2",
    ]


def test_nested_errors_inside_inputs_and_filters():
    data = {
        "inputs": {"g": {"path": "g.csv", "route": "boat"}, "h": 3},
        "maps": [
            {"name": "bad name", "input": 5, "filter": {"start": "2023", "kinds": 7}},
            {"name": "m", "input": "g", "options": {"min_width": -1, "time_slider": "yes"}},
        ],
    }
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict(data, source="b.yaml")
    probs = _problems(exc)
    assert (
        "inputs.g.route: 'boat' is not one of 'auto', 'geodesic', 'arc', 'sea', 'rail', "
        "'straight'" in probs
    )
    assert "inputs.h: expected text or a mapping, got 3 (int)" in probs
    assert "maps[0].input: expected text or a list of text, got 5 (int)" in probs
    assert "maps[0].filter.start: '2023' is not an ISO date YYYY-MM-DD" in probs
    assert (
        "maps[0].filter.kinds: expected one of 'shipment', 'deployment', 'transfer', 'visit', "
        "'other', or a list of them, got 7 (int)" in probs
    )
    assert "maps[1].options.min_width: -1 must be ≥ 0" in probs
    assert "maps[1].options.time_slider: expected true or false, got 'yes' (str)" in probs
    assert any(p.startswith("maps[0].name: 'bad name' is not a name of letters") for p in probs)
    assert "in b.yaml" in str(exc.value).splitlines()[0]


def test_unknown_input_names_and_duplicate_maps():
    data = {
        "inputs": {"dprk": "d.csv"},
        "maps": [
            {"name": "m", "input": ["dprk", "dprkk"]},
            {"name": "m", "input": "grain"},
        ],
    }
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict(data)
    assert _problems(exc) == [
        "maps[0].input[1]: 'dprkk' is not a named input (inputs: dprk) (did you mean 'dprk'?)",
        "maps[1].input: 'grain' is not a named input (inputs: dprk)",
        "maps[1].name: 'm' is already used by maps[0]; map names must be unique (they name the "
        "output files)",
    ]


def test_build_file_problems_are_structured():
    # Schema, option, input and name problems each carry their key path as the field.
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict({"maps": [{"name": "m"}]})
    assert [(p.field, p.message) for p in exc.value.problems] == [
        ("maps[0].input", "required key is missing")
    ]
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict(
            {
                "inputs": {"a": "a.csv"},
                "maps": [{"name": "m", "input": "b"}, {"name": "m", "input": "a"}],
            }
        )
    assert [p.field for p in exc.value.problems] == ["maps[0].input", "maps[1].name"]
    assert exc.value.problems[0].message == "'b' is not a named input (inputs: a)"
    with pytest.raises(gf.BuildError) as exc:
        BuildSpec.from_dict(
            {
                "inputs": {"a": "a.csv"},
                "maps": [
                    {
                        "name": "m",
                        "input": "a",
                        "options": {"width_domain": {"t": [float("nan"), 1]}},
                    }
                ],
            }
        )
    (problem,) = exc.value.problems
    assert problem.field == "maps[0].options.width_domain" and problem.message
    assert str(exc.value).startswith("1 problem in the build file:")


def test_yaml_syntax_error_names_the_line(tmp_path):
    p = _write(tmp_path / "b.yaml", "maps:\n  - name: [unclosed\n")
    with pytest.raises(gf.BuildError, match=r"b\.yaml: invalid YAML \(line 3"):
        load_build_file(p)
    with pytest.raises(gf.BuildError, match="build file not found"):
        load_build_file(tmp_path / "nope.yaml")
    with pytest.raises(gf.BuildError, match="is empty"):
        load_build_file(_write(tmp_path / "e.yaml", ""))
    with pytest.raises(gf.BuildError, match="not a list"):
        load_build_file(_write(tmp_path / "l.yaml", "- 1\n"))


def test_paths_relative_to_the_build_file_and_options_merged(tmp_path):
    (tmp_path / "sub").mkdir()
    p = _write(
        tmp_path / "sub" / "maps.yaml",
        """\
        version: 1
        gazetteer: places.csv
        output_dir: ../out
        defaults: {tiles: null, scale: sqrt, time_slider: true}
        inputs:
          dprk: dprk.csv
          grain: {path: ../grain.csv, route: sea, country: UA}
        maps:
          - name: all
            input: [dprk, grain]
            title: All
            filter: {start: 2023-01-01, end: 2024-12-31, kinds: shipment, confidence: [reported]}
            options: {scale: log}
        """,
    )
    spec = load_build_file(p)
    sub = tmp_path / "sub"
    assert spec.output_dir == tmp_path / "out"
    assert spec.gazetteer == sub / "places.csv"
    assert spec.inputs["dprk"].path == sub / "dprk.csv"
    assert spec.inputs["grain"].path == tmp_path / "grain.csv"
    assert (spec.inputs["grain"].route, spec.inputs["grain"].country) == ("sea", "UA")
    m = spec.maps[0]
    assert m.inputs == ("dprk", "grain")
    # YAML dates become ISO text; a single kind becomes a list.
    assert m.filter == {
        "start": "2023-01-01",
        "end": "2024-12-31",
        "kinds": ["shipment"],
        "confidence": ["reported"],
    }
    assert m.options == {
        "assets": "inline",
        "tiles": None,
        "scale": "log",
        "time_slider": True,
        "title": "All",
    }
    assert spec.output_path(m) == tmp_path / "out" / "all.html"


def test_schema_is_draft_2020_12_and_documents_every_map_option():
    schema = build_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    options = schema["$defs"]["options"]["properties"]
    # Generated from the one definition (tests/test_mapoptions.py checks they agree).
    from geoflows.mapoptions import MAP_OPTIONS

    assert set(options) == {*MAP_OPTIONS.names(), "share_scale"}
    assert {"basemap", "markers", "palette"} <= set(options)  # accepted by flow_map, so here


def test_share_scale_at_top_level_in_defaults_and_opted_out_per_map(tmp_path):
    spec = BuildSpec.from_dict(
        {
            "share_scale": True,
            "inputs": {"a": "a.csv"},
            "maps": [
                {"name": "m1", "input": "a"},
                {"name": "m2", "input": "a", "options": {"share_scale": False}},
            ],
        }
    )
    assert [(m.share_scale, "share_scale" in m.options) for m in spec.maps] == [
        (True, False),
        (False, False),
    ]
    spec = BuildSpec.from_dict(
        {"defaults": {"share_scale": True}, "inputs": {"a": "a.csv"}, "maps": [
            {"name": "m1", "input": "a"}]}
    )  # fmt: skip
    assert spec.maps[0].share_scale is True
    assert (
        BuildSpec.from_dict({"inputs": {"a": "a.csv"}, "maps": [{"name": "m", "input": "a"}]})
        .maps[0]
        .share_scale
        is False
    )


def test_share_scale_must_be_true_or_false():
    with pytest.raises(gf.BuildError) as info:
        BuildSpec.from_dict(
            {"share_scale": "yes", "inputs": {"a": "a.csv"}, "maps": [{"name": "m", "input": "a"}]}
        )
    assert _problems(info) == ["share_scale: expected true or false, got 'yes' (str)"]


@pytest.mark.slow
def test_shared_scale_spans_every_sharing_maps_flows(tmp_path):
    src = Path(__file__).parents[1] / "data" / "dprk_russia_2023_2024.csv"
    shutil.copy(src, tmp_path / "dprk.csv")
    spec = BuildSpec.from_dict(
        {
            "share_scale": True,
            "inputs": {"dprk": "dprk.csv"},
            "maps": [
                {"name": "early", "input": "dprk", "filter": {"end": "2023-10-31"}},
                {"name": "late", "input": "dprk", "filter": {"start": "2024-06-01"}},
                {"name": "own", "input": "dprk", "options": {"share_scale": False}},
            ],
        },
        base_dir=tmp_path,
    )
    early, late, own = share_scales(spec).maps
    flows = gf.read_flows(tmp_path / "dprk.csv", route="geodesic")
    tops = {}
    for part in (flows.filter(end="2023-10-31"), flows.filter(start="2024-06-01")):
        g = part.to_geodataframe()
        for unit, top in g[["volume", "volume_low", "volume_high"]].max(axis=1).groupby(g["unit"]):
            tops[unit] = max(tops.get(unit, 0.0), float(top.max()))
    want_troops, want_containers = tops["troops"], tops["containers"]
    assert early.options["width_domain"] is late.options["width_domain"]
    domain = early.options["width_domain"]
    assert domain["troops"][1] == want_troops == 10000.0
    assert domain["containers"][1] == want_containers == 13000.0
    assert domain["shells"] == (200000.0, 3000000.0)
    assert "width_domain" not in own.options


def test_no_sharing_map_leaves_the_spec_as_it_is():
    spec = BuildSpec.from_dict(
        {"inputs": {"a": "missing.csv"}, "maps": [{"name": "m", "input": "a"}]}
    )
    assert share_scales(spec) is spec


def test_example_build_file_is_valid():
    spec = load_build_file(Path(__file__).parents[1] / "data" / "maps.yaml")
    names = [m.name for m in spec.maps]
    assert {
        "dprk_russia_2023_2024",
        "dprk_russia_shipments",
        "dprk_russia_troops",
        "black_sea_grain_2023",
    } <= set(names)
    assert spec.output_dir.resolve() == (Path(__file__).parents[1] / "build" / "maps").resolve()


# --------------------------------------------------------------------------- errors and reports


def test_describe_error_gives_one_line_and_a_hint():
    from geoflows.io import Problem

    e = gf.FlowValidationError(
        [Problem("bad.csv", 2, "volume", "-5", "must be a number >= 0")] * 3, "bad.csv"
    )
    msg, hint = describe_error(e)
    assert msg == "3 problem(s) in bad.csv: row 2, volume: '-5': must be a number >= 0 (+2 more)"
    assert hint == "run `geoflows validate bad.csv` to list every problem"
    msg, hint = describe_error(FileNotFoundError(2, "No such file", "x.csv"))
    assert (msg, "relative to its folder" in hint) == ("file not found: x.csv", True)
    assert describe_error(RuntimeError("boom"))[0] == "RuntimeError: boom"


def test_report_table_and_ok():
    r = BuildReport(
        [
            MapResult("alpha", None, "built", "", 12, 0.5),
            MapResult("b", None, "unchanged", "", 3, 0.01),
        ],
        output_dir=Path("out"),
    )
    assert r.ok
    assert r.table() == (
        "map    status     flows  seconds  notes\n"
        "alpha  built         12     0.50\n"
        "b      unchanged      3     0.01\n"
        "2 maps in out: 1 built, 1 unchanged, 0 failed"
    )
    r.results.append(MapResult("c", None, "failed", "file not found: c.csv", None, 0.0))
    assert not r.ok and [x.name for x in r.failed] == ["c"]


def test_write_atomic_gives_umask_mode_and_leaves_no_temp(tmp_path):
    p = tmp_path / "m.html"
    p.write_bytes(b"old")
    os.chmod(p, 0o4751)  # no mode, and no special bit, is carried over from the old file
    write_atomic(p, b"new")
    assert p.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask
    assert sorted(x.name for x in tmp_path.iterdir()) == ["m.html"]


def test_write_atomic_interrupted_leaves_old_file(tmp_path, monkeypatch):
    p = tmp_path / "m.html"
    p.write_bytes(b"old")

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, b"new content")
    assert p.read_bytes() == b"old"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["m.html"]


# --------------------------------------------------------------------------- building


def _three_map_build(folder: Path) -> Path:
    for name in ("flows_a.csv", "flows_b.csv", "bad_volume.csv"):
        shutil.copy(DATA / name, folder / name)
    return _write(
        folder / "maps.yaml",
        """\
        version: 1
        output_dir: out
        defaults: {tiles: null}
        inputs:
          a: flows_a.csv
          b: flows_b.csv
          bad: bad_volume.csv
        maps:
          - {name: first, input: a, title: First}
          - {name: broken, input: bad}
          - {name: both, input: [a, b], filter: {kinds: [shipment]}, options: {scale: log}}
        """,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build of three maps (one broken), shared by the tests that only read it."""
    folder = tmp_path_factory.mktemp("build")
    path = _three_map_build(folder)
    return path, build(path, quiet=True)


def test_one_bad_map_does_not_stop_the_others(built):
    path, report = built
    out = path.parent / "out"
    assert [(r.name, r.status) for r in report.results] == [
        ("first", "built"),
        ("broken", "failed"),
        ("both", "built"),
    ]
    assert not report.ok
    assert sorted(p.name for p in out.iterdir()) == ["both.html", "first.html"]
    broken = report.results[1]
    assert "bad_volume.csv" in broken.reason and "volume" in broken.reason
    assert "hint: run `geoflows validate" in broken.reason
    assert "\n" not in broken.reason
    assert report.results[0].n_flows == 3
    assert report.results[2].n_flows == 3  # two shipments of a, one of b
    assert "3 maps in" in report.table() and "2 built, 0 unchanged, 1 failed" in report.table()
    html = (out / "first.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "First" in html


def test_second_build_is_unchanged_and_force_rebuilds(tmp_path):
    path = _three_map_build(tmp_path)
    spec = load_build_file(path)
    spec = BuildSpec(
        inputs=spec.inputs,
        maps=[m for m in spec.maps if m.name != "broken"],
        output_dir=spec.output_dir,
        source=spec.source,
    )
    first = build(spec, quiet=True)
    assert first.ok and [r.status for r in first.results] == ["built", "built"]
    out = tmp_path / "out" / "first.html"
    old = 1_000_000_000
    os.utime(out, (old, old))
    again = build(spec, quiet=True)
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    assert out.stat().st_mtime == old
    forced = build(spec, quiet=True, force=True)
    assert [r.status for r in forced.results] == ["built", "built"]
    assert out.stat().st_mtime != old


def test_parallel_build_matches_sequential(built, tmp_path):
    path, _ = built
    spec = load_build_file(path)
    par = BuildSpec(spec.inputs, spec.maps, tmp_path / "par", source=spec.source)
    report = build(par, jobs=2, quiet=True)
    assert [(r.name, r.status) for r in report.results] == [
        ("first", "built"),
        ("broken", "failed"),
        ("both", "built"),
    ]
    for name in ("first.html", "both.html"):
        assert (tmp_path / "par" / name).read_bytes() == (path.parent / "out" / name).read_bytes()


def test_unknown_place_fails_unless_allowed(tmp_path):
    shutil.copy(DATA / "unknown_place.csv", tmp_path / "u.csv")
    path = _write(
        tmp_path / "b.yaml",
        "inputs: {u: u.csv}\nmaps: [{name: u, input: u, options: {tiles: null}}]\n",
    )
    failed = build(path, quiet=True).results[0]
    assert failed.status == "failed" and "Xqzzyville" in failed.reason
    assert not (tmp_path / "u.html").exists()
    ok = build(path, quiet=True, allow_unresolved=True).results[0]
    assert ok.status == "built"
    assert "unresolved, left out: Xqzzyville" in ok.reason
    # the read_flows warning itself is not repeated as a second note
    assert "have unresolved places" not in ok.reason
    assert (tmp_path / "u.html").exists()


def test_missing_input_file_fails_only_that_map(tmp_path):
    shutil.copy(DATA / "flows_a.csv", tmp_path / "a.csv")
    path = _write(
        tmp_path / "b.yaml",
        """\
        defaults: {tiles: null}
        inputs: {a: a.csv, gone: gone.csv}
        maps: [{name: gone, input: gone}, {name: a, input: a}]
        """,
    )
    report = build(path, quiet=True)
    assert [r.status for r in report.results] == ["failed", "built"]
    assert "gone.csv" in report.results[0].reason


def test_interrupted_build_leaves_no_partial_output(tmp_path, monkeypatch):
    path = _three_map_build(tmp_path)
    from geoflows.flows import FlowSet

    real = FlowSet.to_html
    calls = []

    def to_html(self, **options):
        calls.append(options.get("title"))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, **options)

    monkeypatch.setattr(FlowSet, "to_html", to_html)
    with pytest.raises(KeyboardInterrupt):
        build(path, quiet=True)
    # broken fails before rendering, so the second render is the third map's.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["first.html"]

    def interrupt_fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(FlowSet, "to_html", real)
    monkeypatch.setattr(os, "fsync", interrupt_fsync)
    with pytest.raises(KeyboardInterrupt):
        build(path, quiet=True, force=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["first.html"]


def test_build_error_lists_structured_problems(tmp_path):
    from geoflows.build import build

    (tmp_path / "f.csv").write_text("origin,destination\nRajin,Vladivostok\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(
        "gazetteer: missing.csv\ninputs: {f: f.csv}\nmaps: [{name: m, input: f}]\n",
        encoding="utf-8",
    )
    with pytest.raises(gf.BuildError, match="cannot load the gazetteer") as info:
        build(tmp_path / "b.yaml", quiet=True)
    (problem,) = info.value.problems
    assert isinstance(problem, gf.BuildProblem)
    assert problem.field == "gazetteer" and problem.value.endswith("missing.csv")
    assert "no such file" in problem.message and problem.hint
    assert info.value.hint == problem.hint


def test_a_category_keeps_its_colour_on_every_map_of_a_build(tmp_path):
    """Issue 22 §9: one palette per build. Alone, each map would colour its own sorted
    categories: 'shells' first (blue) on a map without 'containers', second (orange) beside it."""
    import json
    import re

    _write(
        tmp_path / "f.csv",
        """\
        origin,destination,category,volume
        Rajin,Vladivostok,shells,5
        Rajin,Dunai,containers,7
        Nampo,Vladivostok,troops,9
        """,
    )
    _write(
        tmp_path / "b.yaml",
        """\
        inputs: {f: f.csv}
        defaults: {tiles: null}
        maps:
          - {name: few, input: f, filter: {categories: [shells, troops]}}
          - {name: all, input: f}
          - {name: own, input: f, options: {palette: {shells: "#000000"}}}
        """,
    )
    build(tmp_path / "b.yaml", quiet=True)

    def colours(name):
        page = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        payload = json.loads(
            re.search(r"geoflowsDraw\([^,]+, (\{.*\}), (?:true|false), \{[^{}]*\}\);", page)[1]
        )
        return dict(zip(payload["colorKeys"], payload["colors"], strict=True))

    few, every = colours("few"), colours("all")
    assert set(few) == {"shells", "troops"} and len(set(every.values())) == 3
    assert few == {k: every[k] for k in few}
    # a map's own {value: colour} stays its own
    assert colours("own")["shells"] == "#000000"
