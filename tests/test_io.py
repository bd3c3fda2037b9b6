"""Bad input never loses data and never surprises (issue 8 §1): validation and file reading.

Every error is a :class:`geoflows.GeoflowsError`; a validation error lists *all* problems, each
naming file, row (1-based as a spreadsheet shows it), field, value and rule.
"""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import geoflows as gf
from geoflows.io import CONFIDENCES, KINDS, MODES, Problem, read_table, validate_flows

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parents[1]
BASE = {"origin": "Rajin", "destination": "Vladivostok"}


def problems(data: object, **kwargs: object) -> tuple[gf.FlowValidationError, list[Problem]]:
    with pytest.raises(gf.FlowValidationError) as info:
        gf.read_flows(data, **kwargs)
    return info.value, info.value.problems


# --------------------------------------------------------------------------- one rule each
CASES = [
    # (extra fields of record 1, field, value, words the rule must contain)
    ({"volume": "-5"}, "volume", "-5", [">= 0"]),
    ({"volume": "about 2000"}, "volume", "about 2000", ["number"]),
    ({"volume_low": "500", "volume_high": "100"}, "volume_low", "500", ["greater", "volume_high"]),
    ({"start": "2024-10-13", "end": "2024-10-08"}, "end", "2024-10-08", ["before start"]),
    ({"kind": "smuggling"}, "kind", "smuggling", list(KINDS)),
    ({"mode": "teleport"}, "mode", "teleport", list(MODES)),
    ({"confidence": "maybe"}, "confidence", "maybe", list(CONFIDENCES)),
    ({"origin": ""}, "origin", "", ["required"]),
    ({"start": "30/12/2023"}, "start", "30/12/2023", ["ISO", "YYYY-MM-DD"]),
]


@pytest.mark.parametrize(
    ("extra", "field", "value", "words"), CASES, ids=[c[1] + ":" + str(c[2]) for c in CASES]
)
def test_each_rule_names_row_field_value_and_rule(extra, field, value, words):
    records = [dict(BASE, id="good"), dict(BASE, id="bad", **extra)]
    err, found = problems(records)
    assert len(found) == 1, err
    p = found[0]
    assert (p.row, p.field, str(p.value)) == (2, field, str(value))
    for word in words:
        assert word in p.rule
    text = str(err)
    assert f"record 2: field '{field}'" in text and repr(str(value)) in text
    assert isinstance(err, gf.GeoflowsError) and isinstance(err, ValueError)


def test_duplicate_ids_name_both_rows():
    err, found = problems([dict(BASE, id="a"), dict(BASE, id="b"), dict(BASE, id="a")])
    assert [(p.row, p.field, p.value) for p in found] == [(3, "id", "a")]
    assert "also row 1" in found[0].rule


def test_missing_ids_are_numbered_not_duplicates():
    df = validate_flows([BASE, dict(BASE, id="x"), BASE])
    assert df["id"].tolist() == ["1", "x", "3"]


def test_all_problems_of_a_file_at_once_with_spreadsheet_rows():
    path = DATA / "flows_many_problems.csv"
    err, found = problems(path)
    got = sorted((p.row, p.field) for p in found)
    # header = row 1, first record (valid) = row 2
    assert got == [
        (3, "volume"),
        (4, "volume"),
        (5, "end"),
        (6, "kind"),
        (7, "origin"),
        (8, "start"),
        (9, "id"),
    ]
    assert all(p.file == str(path) for p in found)
    assert str(path) in str(err) and "7 problem(s)" in str(err)
    values = {p.field: str(p.value) for p in found}
    assert values["volume"] in ("-5", "about 2000") and values["start"] == "30/12/2023"


def test_dataframe_rows_are_record_numbers():
    df = pd.DataFrame([BASE, dict(BASE, volume=-1)], index=[10, 20])
    _, found = problems(df)
    assert [(p.file, p.row) for p in found] == [("", 2)]


@pytest.mark.parametrize("text", ["2,000", "2 000", "2\u00a0000", "2000", "2000.0", "2e3"])
def test_thousands_separators_are_accepted(text):
    assert validate_flows([dict(BASE, volume=text)])["volume"].tolist() == [2000.0]


@pytest.mark.parametrize("text", ["1,00", "2.000,5", "NaN", "inf", "2000 t", "~2000", "-0x10"])
def test_ambiguous_numbers_are_refused_not_guessed(text):
    with pytest.raises(
        gf.FlowValidationError,
        match=f"record 1: field 'volume' value '{re.escape(text)}': (must be a|reads two ways)",
    ):
        validate_flows([dict(BASE, volume=text)])


def test_volume_outside_its_own_range_is_reported():
    _, found = problems([dict(BASE, volume=50, volume_low=100, volume_high=200)])
    assert [p.field for p in found] == ["volume"] and "outside" in found[0].rule


@pytest.mark.parametrize(
    ("bounds", "rule"),
    [
        ({"volume_low": 100}, "lies outside the range 100–; fix the volume or its bounds"),
        ({"volume_high": 20}, "lies outside the range –20; fix the volume or its bounds"),
    ],
)
def test_volume_outside_an_open_ended_range_is_reported(bounds, rule):
    _, found = problems([dict(BASE, volume=50, **bounds)])
    assert [(p.row, p.field, p.value, p.rule) for p in found] == [(1, "volume", 50, rule)]


def test_volume_on_or_inside_open_ended_bounds_is_accepted():
    df = validate_flows(
        [dict(BASE, volume=100, volume_low=100), dict(BASE, volume=5, volume_high=20)]
    )
    assert df["volume"].tolist() == [100.0, 5.0]


@pytest.mark.parametrize(
    ("start", "end", "want"),
    [
        ("2023-12", "2023-12", ("2023-12-01", "2023-12-31")),
        ("2024-02", "2024-02", ("2024-02-01", "2024-02-29")),
        ("2023", "2023", ("2023-01-01", "2023-12-31")),
        ("2023-12-05", "2024", ("2023-12-05", "2024-12-31")),
        ("2023", "2023-03-04", ("2023-01-01", "2023-03-04")),
    ],
)
def test_month_or_year_dates_mean_the_whole_period(start, end, want):
    df = validate_flows([dict(BASE, start=start, end=end)])
    got = (df.loc[0, "start"].strftime("%Y-%m-%d"), df.loc[0, "end"].strftime("%Y-%m-%d"))
    assert got == want


def test_whole_period_end_is_kept_in_exports(tmp_path):
    flows = gf.read_flows([dict(BASE, start="2023-12", end="2023-12")], route="geodesic")
    out = gf.write_flows(flows, tmp_path / "f.csv")
    row = pd.read_csv(out).iloc[0]
    assert (row["start"], row["end"]) == ("2023-12-01", "2023-12-31")


@pytest.mark.parametrize("text", ["23", "2023-1", "12/2023", "2023-13", "1000", "9999-12"])
def test_partial_dates_that_are_not_iso_are_refused(text):
    _, found = problems([dict(BASE, end=text)])
    assert [(p.field, p.rule) for p in found] == [
        ("end", "must be an ISO date, YYYY-MM-DD (or YYYY-MM, YYYY)")
    ]


def test_confidence_number_in_unit_interval_is_accepted():
    assert validate_flows([dict(BASE, confidence="0.7")])["confidence"].tolist() == ["0.7"]
    with pytest.raises(gf.FlowValidationError, match=r"field 'confidence' value '1\.5': allowed"):
        validate_flows([dict(BASE, confidence="1.5")])


def test_words_are_case_insensitive_and_lowered():
    df = validate_flows([dict(BASE, kind="Shipment", mode="SEA", confidence="Reported")])
    assert df.loc[0, ["kind", "mode", "confidence"]].tolist() == ["shipment", "sea", "reported"]


def test_bad_flows_example_gives_one_error_listing_every_bad_row():
    path = ROOT / "data" / "bad_flows.csv"
    if not path.exists():
        pytest.skip("data/bad_flows.csv (written by another engineer) is not there yet")
    table = read_table(path)
    bad_rows = {i + 2 for i, note in enumerate(table["notes"]) if note.startswith("DEFECT")}
    good_rows = {i + 2 for i, note in enumerate(table["notes"]) if note.startswith("VALID")}
    err, found = problems(path)
    rows = {p.row for p in found}
    assert rows == bad_rows and not rows & good_rows
    assert all(f"row {r}:" in str(err) for r in bad_rows)
    # the last row breaks three rules: all three are reported
    last = max(bad_rows)
    assert {p.field for p in found if p.row == last} >= {"volume", "kind", "confidence"}


# --------------------------------------------------------------------------- files
def test_utf8_with_bom_is_accepted():
    flows = gf.read_flows(DATA / "flows_utf8_bom.csv")
    gdf = flows.to_geodataframe()
    assert gdf.columns[0] == "id" and gdf["id"].tolist() == ["bom_1", "bom_2"]
    assert gdf["volume"].tolist() == [2000.0, 2000.0]
    assert gdf["destination"].tolist() == ["Vladivostok", "Владивосток"]
    assert gdf.geometry.notna().all()


@pytest.mark.parametrize("name", ["flows_cp1251.csv", "flows_latin1.csv"])
def test_non_utf8_file_is_a_clear_error(name):
    path = DATA / name
    with pytest.raises(gf.GeoflowsError) as info:
        gf.read_flows(path)
    text = str(info.value)
    assert str(path) in text and "UTF-8" in text and "encoding=" in text
    assert not isinstance(info.value, UnicodeDecodeError)


def test_cp1251_with_encoding_reads_cyrillic():
    gdf = gf.read_flows(DATA / "flows_cp1251.csv", encoding="cp1251").to_geodataframe()
    assert gdf["origin"].tolist() == ["Раджин", "Хасан"]
    assert gdf["destination"].tolist() == ["Владивосток", "Уссурийск"]
    assert gdf["unit"].tolist() == ["контейнеры", "вагоны"]
    assert gdf["origin_name"].tolist()[0] == "Rajin"
    assert gdf["notes"].iloc[0] == "Кириллица в cp1251"


def test_latin1_with_encoding_reads_accents():
    gdf = gf.read_flows(DATA / "flows_latin1.csv", encoding="latin-1").to_geodataframe()
    assert gdf["unit"].tolist() == ["caisses à munitions"]
    assert gdf["notes"].tolist() == ["déchargement à Vladivostok"]


def test_rows_are_spreadsheet_rows_with_encoding_too(tmp_path):
    """Regression: with ``encoding=`` problems were once reported one row too early."""
    path = tmp_path / "bad_cp1251.csv"
    path.write_bytes("origin,destination,volume\nРаджин,Владивосток,-2\n".encode("cp1251"))
    _, found = problems(path, encoding="cp1251")
    assert [(p.file, p.row, p.field) for p in found] == [(str(path), 2, "volume")]


def test_wrong_encoding_name_is_a_clear_error():
    path = DATA / "flows_utf8_bom.csv"
    with pytest.raises(gf.GeoflowsError) as info:
        gf.read_flows(path, encoding="ascii")
    assert str(path) in str(info.value)


def test_semicolon_separated_is_accepted():
    gdf = gf.read_flows(DATA / "flows_semicolon.csv").to_geodataframe()
    assert gdf["id"].tolist() == ["semi_1", "semi_2"]
    assert gdf["volume"].tolist() == [2000.0, 1500.0]
    assert gdf["notes"].tolist() == ["comma, inside a field", ""]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp: tmp / "missing.csv", ["no such file"]),
        (lambda tmp: tmp, ["directory"]),
        (lambda tmp: DATA / "empty.csv", ["empty"]),
        (lambda tmp: DATA / "header_only.csv", ["no records"]),
        (lambda tmp: DATA / "flows_no_destination.csv", ["destination", "missing"]),
    ],
    ids=["missing", "directory", "empty", "header-only", "no-destination-column"],
)
def test_unreadable_files_are_clear_errors_naming_the_file(tmp_path, make, words):
    path = make(tmp_path)
    with pytest.raises(gf.GeoflowsError) as info:
        gf.read_flows(path)
    text = str(info.value)
    assert str(path) in text
    for word in words:
        assert word in text


def test_whitespace_only_file_is_a_clear_error(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("\n \n\t\n")
    with pytest.raises(gf.GeoflowsError, match="whitespace"):
        gf.read_flows(path)


def test_broken_geojson_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(gf.GeoflowsError) as info:
        gf.read_flows(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("data", [42, None, ["not a dict"]])
def test_wrong_input_type_is_a_clear_error(data):
    with pytest.raises(gf.GeoflowsError, match="read_flows takes"):
        gf.read_flows(data)


def test_duplicate_header_is_reported(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("origin,destination,Origin\nRajin,Vladivostok,Nampo\n")
    with pytest.raises(gf.FlowValidationError, match="twice"):
        gf.read_flows(path)


def test_write_to_unknown_suffix_is_a_clear_error(tmp_path):
    flows = gf.read_flows([BASE])
    with pytest.raises(gf.GeoflowsError, match=r"\.xlsx"):
        flows.to_file(tmp_path / "flows.xlsx")


# --------------------------------------------------------------------------- places
def test_unknown_place_names_row_field_value_and_suggestions():
    path = DATA / "flows_unknown_place.csv"
    err, found = problems(path)
    assert [(p.file, p.row, p.field, p.value) for p in found] == [
        (str(path), 2, "destination", "Vladivostk")
    ]
    assert "Vladivostok" in found[0].rule
    assert "row 2" in str(err) and "Vladivostk" in str(err)


def test_unknown_place_and_bad_value_are_reported_separately_not_silently():
    # a validation problem stops the read before places are looked up; nothing is guessed
    _, found = problems([dict(BASE, destination="Vladivostk", volume=-1)])
    assert [p.field for p in found] == ["volume"]


def test_allow_unresolved_keeps_the_flow_and_lists_it():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        flows = gf.read_flows(DATA / "flows_unknown_place.csv", allow_unresolved=True)
    assert any(issubclass(w.category, gf.GeoflowsWarning) for w in caught)
    gdf = flows.to_geodataframe()
    assert len(flows) == len(gdf) == 2
    assert gdf["id"].tolist() == ["u_1", "u_2"]
    geom = gdf.geometry.iloc[0]
    assert geom is None or geom.is_empty
    assert gdf.geometry.iloc[1] is not None and not gdf.geometry.iloc[1].is_empty
    u = flows.unresolved
    assert u[["row", "field", "value"]].values.tolist() == [[2, "destination", "Vladivostk"]]
    assert "Vladivostok" in u["message"].iloc[0]
    html = flows.to_html(tiles=None)  # the map still builds; the unresolved flow is not drawn
    assert "geoflowsDraw" in html


def test_coordinates_need_no_gazetteer():
    gdf = gf.read_flows([{"origin": "42.0, 130.0", "destination": "43.1, 131.9"}]).to_geodataframe()
    assert gdf[["origin_lat", "origin_lon"]].values.tolist() == [[42.0, 130.0]]


def test_read_table_keeps_text_as_text(tmp_path):
    shutil.copy(DATA / "flows_small.csv", tmp_path / "f.csv")
    df = read_table(tmp_path / "f.csv")
    assert df.loc[0, "volume"] == "1,000" and df.loc[1, "volume"] == ""
