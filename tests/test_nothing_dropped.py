"""Issue 22 §4 and §8: nothing is dropped, merged or guessed without the user being told.

Each class on the test story (tests/data/iran_dprk_russia_2022_2025.csv) with one typo put in:
a column near a field, one unit in three spellings, a number that reads two ways; and the
summary counting places, not spellings.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import geoflows as gf
from geoflows.cli import cli
from geoflows.render._notebook import flows_summary

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "tests" / "data" / "iran_dprk_russia_2022_2025.csv"


def _story(tmp_path: Path, change) -> Path:
    table = pd.read_csv(STORY, dtype=str, keep_default_na=False)
    table = change(table)
    path = tmp_path / "story.csv"
    table.to_csv(path, index=False)
    return path


def test_a_column_one_letter_from_a_field_is_an_error_with_the_field(tmp_path):
    path = _story(tmp_path, lambda t: t.rename(columns={"volume": "volumn"}))
    with pytest.raises(gf.FlowValidationError) as err:
        gf.read_flows(path)
    (problem,) = err.value.problems
    assert (problem.row, problem.field, problem.value) == (1, "volumn", "volumn")
    assert "rename it to 'volume'" in problem.rule
    assert str(path) in str(err.value)
    # validate says the same and fails
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "volumn" in result.output and "'volume'" in result.output


def test_a_column_near_a_field_the_header_already_has_is_kept_as_ones_own(tmp_path):
    path = _story(tmp_path, lambda t: t.assign(volumn=t["volume"]))
    gdf = gf.read_flows(path).to_geodataframe()
    assert "volumn" in gdf.columns and gdf["volume"].notna().any()


def test_contract_columns_and_exported_columns_are_not_typos():
    from geoflows.schema import FLOW_FIELDS, column_typos

    exported = [f"{e}_{c}" for e in ("origin", "destination") for c in ("lat", "lon", "name")]
    assert column_typos([*FLOW_FIELDS, *exported, "length_km", "route_note"]) == {}
    assert column_typos(["origin", "destination", "Units", "sources", "orgin_country"]) == {
        "Units": "unit",
        "sources": "source",
        "orgin_country": "origin_country",
    }


def test_one_unit_in_three_spellings_is_one_warning_with_each_count(tmp_path):
    def respell(t):
        # a whole group (both claims) misspelled, and two ungrouped records besides
        t.loc[t["group"] == "shahed-caspian", "unit"] = "droens"
        extra = t[t["id"] == "ird_03"].assign(group="", id="x1")
        return pd.concat([t, extra, extra.assign(id="x2", unit="Drones")], ignore_index=True)

    path = _story(tmp_path, respell)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flows = gf.read_flows(path)
    spelled = [w for w in caught if issubclass(w.category, gf.UnitSpellingWarning)]
    assert len(spelled) == 1
    message = str(spelled[0].message)
    assert (
        "'drones' (3 rows, first row 4)" in message and "'Drones' (1 row, first row 36)" in message
    )
    assert "'droens' (2 rows, first row 6)" in message and str(path) in message
    assert spelled[0].message.spellings == [[("drones", 3), ("droens", 2), ("Drones", 1)]]
    assert {"Drones", "droens"} <= set(flows.to_geodataframe()["unit"])
    # units= maps them onto one unit, and the warning is gone
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mapped = gf.read_flows(path, units={"Drones": "drones", "droens": "drones"})
    assert not [w for w in caught if issubclass(w.category, gf.UnitSpellingWarning)]
    assert (mapped.to_geodataframe()["unit"] == "drones").sum() == 6


def test_validate_is_ok_only_when_nothing_was_guessed(tmp_path):
    # one group's "Drones" beside another's "drones"
    path = _story(
        tmp_path, lambda t: t.assign(unit=t["unit"].where(~t.index.isin([2, 3]), "Drones"))
    )
    runner = CliRunner()
    warned = runner.invoke(cli, ["validate", str(path)])
    assert warned.exit_code == 0
    assert warned.output.startswith(f"warn {path}: 33 flows, 1 warning")
    assert not any(line.startswith("ok") for line in warned.output.splitlines())
    assert "'Drones' (2 rows, first row 4)" in warned.output
    fixed = runner.invoke(cli, ["validate", str(path), "--units", "Drones=drones"])
    assert fixed.output.startswith(f"ok   {path}: 33 flows")
    build = tmp_path / "maps.yaml"
    build.write_text(
        f"inputs:\n  story: {{path: {path.name}, units: {{Drones: drones}}}}\n"
        "maps:\n  - {name: story, input: story}\n",
        encoding="utf-8",
    )
    assert runner.invoke(cli, ["validate", str(build)]).output.startswith(f"ok   {build}:")


@pytest.mark.parametrize("cell", ["1.500", "2.250", "1,5", "12,75"])
def test_a_number_that_reads_two_ways_is_a_problem_naming_the_cell(tmp_path, cell):
    path = _story(tmp_path, lambda t: t.assign(volume=t["volume"].where(t.index != 4, cell)))
    with pytest.raises(gf.FlowValidationError) as err:
        gf.read_flows(path)
    (problem,) = err.value.problems
    assert (problem.row, problem.field, problem.value) == (6, "volume", cell)
    assert "reads two ways" in problem.rule


@pytest.mark.parametrize("cell, value", [("1,500", 1500.0), ("1.5", 1.5), ("204.375", 204.375)])
def test_numbers_that_read_one_way_are_read(cell, value):
    got = gf.validate_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": cell}])
    assert got.loc[0, "volume"] == value


def test_the_summary_counts_places_not_spellings():
    flows = gf.read_flows(STORY)
    gdf = flows.to_geodataframe()
    spellings = set(gdf["origin"]) | set(gdf["destination"])
    text = flows_summary(gdf)
    # Москва and Moscow, Астрахань and Astrakhan, 청진 and Chongjin... are one place each
    assert len(spellings) == 31
    assert text.startswith("33 flows between 22 places;")


def test_a_column_of_ones_own_near_a_field_is_kept_when_declared(tmp_path):
    # "volumn" here is not the volume: a column of the analyst's own, declared so
    path = _story(tmp_path, lambda t: t.drop(columns="volume").assign(volumn="see notes"))
    with pytest.raises(gf.FlowValidationError, match=r"extra_columns=\['volumn'\]"):
        gf.validate_flows(path)
    gdf = gf.read_flows(path, extra_columns=["volumn"]).to_geodataframe()
    assert (gdf["volumn"] == "see notes").all() and gdf["volume"].isna().all()
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(path)]).exit_code == 1
    ok = runner.invoke(cli, ["validate", str(path), "--extra-columns", "volumn"])
    assert ok.exit_code == 0 and ok.output.startswith(f"ok   {path}: 33 flows")
    # a declared column the header lacks, or one that is a field, is a problem naming it
    with pytest.raises(gf.FlowValidationError) as err:
        gf.validate_flows(path, extra_columns=["volumen", "unit"])
    rules = [(p.field, p.rule.split(",")[0]) for p in err.value.problems]
    assert rules == [
        ("volumen", "extra_columns names 'volumen'"),
        ("unit", "extra_columns names 'unit'"),
    ]


def test_validate_reads_a_build_input_as_the_build_does(tmp_path):
    # the input's columns:, units: and extra_columns: all reach validate (columns: did not)
    path = _story(
        tmp_path,
        lambda t: t.rename(columns={"origin": "From"}).assign(
            Units="x", unit=t["unit"].replace("drones", "Drones")
        ),
    )
    build = tmp_path / "maps.yaml"
    build.write_text(
        f"inputs:\n  story:\n    path: {path.name}\n    columns: {{From: origin}}\n"
        "    units: {Drones: drones}\n    extra_columns: [Units]\n"
        "maps:\n  - {name: story, input: story}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", str(build)])
    assert result.output.startswith(f"ok   {build}: 1 maps, 1 inputs, 33 flows"), result.output
    flat = CliRunner().invoke(
        cli,
        ["validate", str(path), "--columns", "From=origin", "--units", "Drones=drones",
         "--extra-columns", "Units"],
    )  # fmt: skip
    assert flat.output.startswith(f"ok   {path}: 33 flows"), flat.output
