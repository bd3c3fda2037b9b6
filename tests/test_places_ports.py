"""Issue 22 §10: ports are places, and a country hint never makes a guess confident.

On the real index (built once per session by the conftest fixture): the four Caspian and
Korean ports the test story names, ``Amirabad --country IR`` (which answered a village of
1,766 people 328 km from the port), and the rule behind it on other names.
"""

from __future__ import annotations

import math

import pytest
from click.testing import CliRunner

import geoflows as gf
from geoflows.cli import cli
from geoflows.places import SMALL_PLACE_POP, geocode


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(
    "name, country, site, point",
    [
        ("Amirabad", None, "amirabad_port", (36.86, 53.38)),
        ("Amirabad", "IR", "amirabad_port", (36.86, 53.38)),
        ("Port of Amirabad", None, "amirabad_port", (36.86, 53.38)),
        ("بندر امیرآباد", None, "amirabad_port", (36.86, 53.38)),
        ("Anzali", None, "anzali_port", (37.47, 49.46)),
        ("Anzali", "IR", "anzali_port", (37.47, 49.46)),
        ("Anzali port", None, "anzali_port", (37.47, 49.46)),
        ("Port Olya", None, "olya_port", (45.77, 47.55)),
        ("Olya", "RU", "olya_port", (45.77, 47.55)),
        ("Wonsan Port", None, "wonsan_port", (39.16, 127.45)),
        ("원산항", None, "wonsan_port", (39.16, 127.45)),
    ],
)
def test_a_named_port_resolves_to_the_port(name, country, site, point):
    place = geocode(name, country)
    assert (place.id, place.kind) == (f"site:{site}", "port")
    assert _km(place.latlon, point) < 3


def test_a_port_city_by_sea_is_its_port_and_otherwise_the_city():
    # Bandar Anzali is a city of 118,564 with the port at its lagoon mouth, 0.6 km away
    city = geocode("Bandar Anzali")
    assert (city.kind, city.population) == ("city", 118564)
    assert "site:anzali_port" in [p.id for p in city.alternatives]
    assert geocode("بندر انزلی", mode="sea").id == "site:anzali_port"


def test_amirabad_in_iran_is_the_port_not_the_far_village():
    place = geocode("Amirabad", "IR")
    village = next(p for p in place.alternatives if p.name == "Amīrābād")
    assert village.population == 1766 and _km(place.latlon, village.latlon) > 300
    result = CliRunner().invoke(cli, ["geocode", "Amirabad", "--country", "IR"])
    assert result.exit_code == 0
    row = result.output.splitlines()[1]
    assert row.split()[:4] == ["Amirabad", "ok", "Amirabad", "port"]


def test_a_hint_never_makes_a_small_place_far_from_its_namesake_the_answer():
    # Alone, "Prague" is the Czech capital; inside the US it is Prague, Oklahoma (2,453 people)
    # by its main name or New Prague, Minnesota (7,582) by an alternate one, 1,100 km apart.
    assert geocode("Prague").country == "CZ"
    with pytest.raises(gf.AmbiguousPlace, match="None of them is the clear answer") as err:
        geocode("Prague", "US")
    names = [p.name for p in err.value.candidates]
    assert names[:2] == ["Prague", "New Prague"]
    assert all(p.population < SMALL_PLACE_POP for p in err.value.candidates)
    assert "Add a country hint" not in str(err.value)  # the hint was given


def test_a_hint_keeps_the_answer_the_name_gives_alone():
    # Vitrac (FR) wins by its main name with or without the hint: the hint adds no guess
    alone = geocode("Vitrac")
    assert geocode("Vitrac", "FR").id == alone.id and alone.country == "FR"


def test_a_hinted_guess_in_a_flow_file_is_a_problem_naming_row_and_field():
    rows = [
        {"origin": "Amirabad", "origin_country": "IR", "destination": "Olya", "mode": "sea"},
        {"origin": "Prague", "origin_country": "US", "destination": "Olya", "mode": "air"},
    ]
    with pytest.raises(gf.FlowValidationError) as err:
        gf.read_flows(rows)
    (problem,) = err.value.problems
    assert (problem.row, problem.field, problem.value) == (2, "origin", "Prague")
    flows = gf.read_flows(rows[:1]).to_geodataframe()
    assert flows.loc[0, "origin_name"] == "Amirabad port"
