"""resolve_focus: place names and boxes to the bounds a map opens on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import geoflows as gf
from geoflows.render._focus import FOCUS_MARGIN, resolve_focus

NAMES = ["Rajin", "Vladivostok", "Dunai", "Tumangang", None, "", "Anadyr", "Nome", "Zürich"]
LATS = [42.245, 43.1056, 42.8803, 42.4167, 40.0, 41.0, 64.7333, 64.5011, 47.3769]
LONS = [130.3, 131.8736, 132.3375, 130.6333, 120.0, 121.0, 177.5, -165.4064, 8.5417]


def test_one_place_gives_a_regional_box_around_it():
    assert resolve_focus("Rajin", NAMES, LATS, LONS) == [
        [42.245 - FOCUS_MARGIN, 130.3 - FOCUS_MARGIN],
        [42.245 + FOCUS_MARGIN, 130.3 + FOCUS_MARGIN],
    ]


@pytest.mark.parametrize("name", ["rajin", "RAJIN", "  Rajin ", "zurich", "ZÜRICH"])
def test_names_match_ignoring_case_accents_and_spaces(name):
    (south, west), (north, east) = resolve_focus(name, NAMES, LATS, LONS)
    i = 0 if "aj" in name.lower() else 8
    assert south < LATS[i] < north and west < LONS[i] < east
    assert north - south == pytest.approx(2 * FOCUS_MARGIN)


def test_several_places_give_the_box_around_all_with_a_margin():
    (south, west), (north, east) = resolve_focus(
        ["Rajin", "Vladivostok", "Dunai"], NAMES, LATS, LONS
    )
    # Span 0.8604° lat, 2.0375° lon: the margin is the 0.5° minimum on both axes.
    assert south == pytest.approx(42.245 - 0.5)
    assert north == pytest.approx(43.1056 + 0.5)
    assert west == pytest.approx(130.3 - 0.5)
    assert east == pytest.approx(132.3375 + 0.5)


def test_a_tuple_and_an_array_of_names_work_like_a_list():
    as_list = resolve_focus(["Rajin", "Dunai"], NAMES, LATS, LONS)
    assert resolve_focus(("Rajin", "Dunai"), NAMES, LATS, LONS) == as_list
    assert resolve_focus(np.array(["Rajin", "Dunai"]), NAMES, LATS, LONS) == as_list


def test_places_either_side_of_the_antimeridian_give_the_short_box():
    (south, west), (north, east) = resolve_focus(["Anadyr", "Nome"], NAMES, LATS, LONS)
    # 177.5°E to 165.4°W is 17.1° across the dateline, not 342.9° across the world.
    assert west == pytest.approx(177.5 - 1.7094, abs=1e-3)
    assert east == pytest.approx(360 - 165.4064 + 1.7094, abs=1e-3)
    assert east > 180 and east - west < 25
    assert south < 64.5011 and north > 64.7333


def test_a_box_is_returned_as_leaflet_bounds():
    assert resolve_focus((129, 41, 133.5, 44), NAMES, LATS, LONS) == [[41.0, 129.0], [44.0, 133.5]]
    assert resolve_focus([129, 41, 133, 44], [], [], []) == [[41.0, 129.0], [44.0, 133.0]]
    assert resolve_focus(np.array([129.0, 41, 133, 44]), [], [], []) == [
        [41.0, 129.0],
        [44.0, 133.0],
    ]


def test_a_box_across_the_antimeridian_stays_one_piece():
    assert resolve_focus((170, -50, -170, -30), [], [], []) == [[-50.0, 170.0], [-30.0, 190.0]]


def test_a_box_to_the_poles_is_clipped_to_what_mercator_shows():
    assert resolve_focus((-180, -90, 180, 90), [], [], []) == [[-85.0, -180.0], [85.0, 180.0]]


def test_an_unknown_name_lists_close_matches():
    with pytest.raises(gf.OptionError, match=r"focus: .*'Vladivostk'.*did you mean 'Vladivostok'"):
        resolve_focus(["Rajin", "Vladivostk"], NAMES, LATS, LONS)


def test_an_unknown_name_with_no_close_match_lists_the_places():
    with pytest.raises(ValueError, match=r"focus: .*'Paris'.*places are 'Anadyr', 'Dunai'"):
        resolve_focus("Paris", NAMES, LATS, LONS)


def test_coordinate_only_places_have_no_name_to_match():
    with pytest.raises(gf.OptionError, match=r"no place of this map is named ''"):
        resolve_focus("", NAMES, LATS, LONS)


@pytest.mark.parametrize(
    ("box", "message"),
    [
        ((129, 41, 133), r"a box has 4 numbers .* got 3"),
        ((129, 41, 133, 44, 1), r"got 5"),
        ((129, 44, 133, 41), r"south=44 is not below north=41"),
        ((129, 41, 129, 44), r"west and east are both 129"),
        ((190, 41, 200, 44), r"west=190 .* outside -180\.\.180"),
        ((129, -95, 133, 44), r"south=-95 .* outside -90\.\.90"),
        ((41, 129, 44, 133), r"south=129 .* outside -90\.\.90; the order is \(west, south"),
        ((129, float("nan"), 133, 44), r"not a finite number"),
    ],
)
def test_a_bad_box_is_a_clear_error(box, message):
    with pytest.raises(gf.OptionError, match=f"focus: .*{message}"):
        resolve_focus(box, NAMES, LATS, LONS)


@pytest.mark.parametrize("value", [None, 3, [], ["Rajin", 3], [True, False, True, False], {}])
def test_a_value_of_the_wrong_kind_is_a_clear_error(value):
    with pytest.raises(gf.OptionError, match=r"focus: .* is neither a place name"):
        resolve_focus(value, NAMES, LATS, LONS)


def test_the_same_focus_gives_the_same_bounds_every_time():
    first = resolve_focus(["Rajin", "Vladivostok"], NAMES, LATS, LONS)
    assert all(
        resolve_focus(["Rajin", "Vladivostok"], NAMES, LATS, LONS) == first for _ in range(3)
    )
    assert all(isinstance(v, float) for pair in first for v in pair)


def test_numpy_columns_work_like_lists():
    names = np.array(NAMES, dtype=object)
    as_lists = resolve_focus(["Rajin", "Dunai"], NAMES, LATS, LONS)
    assert resolve_focus(["Rajin", "Dunai"], names, np.array(LATS), np.array(LONS)) == as_lists


def test_focus_takes_every_spelling_the_data_uses():
    """Issue 22 §8: the story writes Moscow as 'Москва' and 'Moscow', Bandar-e Anzali as
    'Bandar Anzali' and 'بندر انزلی': each spelling focuses the map on the same place as the
    gazetteer's name does (its flows go by sea: the port, 'Anzali port', issue 22 §10)."""
    from geoflows.render._payload import build_payload, expand

    story = (
        Path(__file__).resolve().parents[1] / "tests" / "data" / "iran_dprk_russia_2022_2025.csv"
    )
    gdf = gf.read_flows(story).to_geodataframe()

    def view(focus):
        return expand(build_payload(gdf, focus=focus))["focus"]

    assert view("Москва") == view("Moscow") == view("moscow")
    assert view("Bandar Anzali") == view("بندر انزلی") == view("Anzali port")
    assert view(["나진", "Москва"]) == view(["Rajin", "Moscow"])
    with pytest.raises(gf.OptionError, match="no place of this map is named 'Atlantis'"):
        view("Atlantis")


STORY = Path(__file__).resolve().parent / "data" / "iran_dprk_russia_2022_2025.csv"


def test_focus_takes_a_waypoint_as_the_data_writes_it():
    from geoflows.render._payload import build_payload, expand

    gdf = gf.read_flows(STORY).to_geodataframe()
    view = expand(build_payload(gdf, focus="Khasan"))["focus"]
    assert view == [[42.4283 - 1.5, 130.6456 - 1.5], [42.4283 + 1.5, 130.6456 + 1.5]]


def test_focus_by_the_datas_spelling_from_the_cli_and_a_build_file(tmp_path):
    """The CLI's --focus and a build file's focus: take the spellings of the records too."""
    import json
    import re

    from click.testing import CliRunner

    from geoflows.build import build
    from geoflows.cli import cli

    def view(page):
        payload = re.search(
            r"geoflowsDraw\([^,]+, (\{.*\}), (?:true|false), \{[^{}]*\}\);", page.read_text()
        )
        return json.loads(payload.group(1))["focus"]

    out = tmp_path / "cli.html"
    result = CliRunner().invoke(
        cli, ["map", str(STORY), "-o", str(out), "--focus", "나진", "--tiles", "none"]
    )
    assert result.exit_code == 0, result.output
    (tmp_path / "b.yaml").write_text(
        f"inputs: {{story: {STORY}}}\n"
        "maps: [{name: b, input: story, options: {focus: Владивосток, tiles: null}}]\n",
        encoding="utf-8",
    )
    build(tmp_path / "b.yaml", quiet=True)
    rajin, vladivostok = view(out), view(tmp_path / "b.html")
    assert rajin[0][0] < 42.25 < rajin[1][0] and vladivostok[0][0] < 43.1 < vladivostok[1][0]
