"""The flow contract as data: geoflows.schema's field table and what is derived from it."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pandas as pd
import pytest

import geoflows as gf
from geoflows import schema

ROOT = Path(__file__).resolve().parents[1]


def test_field_table_derives_the_field_lists() -> None:
    names = [f.name for f in schema.FIELDS]
    assert schema.FLOW_FIELDS == tuple(names)
    assert len(set(names)) == len(names)
    assert schema.REQUIRED_FIELDS == ("origin", "destination")
    assert schema.VOLUME_FIELDS == ("volume", "volume_low", "volume_high")
    assert schema.DATE_FIELDS == ("start", "end")
    assert set(schema.TEXT_FIELDS) | set(schema.VOLUME_FIELDS) | set(schema.DATE_FIELDS) == set(
        names
    )
    assert {"group", "origin_country", "destination_country"} <= set(schema.TEXT_FIELDS)
    assert all(f.dtype in schema.FIELD_TYPES and f.help.strip() for f in schema.FIELDS)
    assert [f.name for f in schema.FIELDS if f.vocabulary] == [
        "kind",
        "mode",
        "confidence",
        "start_precision",
        "end_precision",
    ]


def test_defaults_by_type() -> None:
    by = schema.FIELDS_BY_NAME
    assert by["unit"].default == ""
    assert math.isnan(by["volume_low"].default)
    assert by["end"].default is pd.NaT


def test_one_home_per_vocabulary() -> None:
    from geoflows import places, routes, style
    from geoflows.io import KINDS, MODES

    assert schema.FLOW_KINDS == ("shipment", "deployment", "transfer", "visit", "other")
    assert schema.KINDS is schema.FLOW_KINDS is KINDS
    assert routes.MODES is schema.MODES is MODES
    assert style.CONFIDENCE_LEVELS is schema.CONFIDENCES
    assert places.PLACE_KINDS[:3] == ("city", "country", "region")
    assert not set(places.PLACE_KINDS) & set(schema.FLOW_KINDS)


def test_docs_table_is_the_schema() -> None:
    text = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    table = schema.fields_markdown()
    assert table in text, (
        "docs/data-contract.md's field table differs from geoflows.schema.FIELDS; paste "
        "geoflows.schema.fields_markdown() into it"
    )
    rows = [line for line in table.splitlines()[2:]]
    assert [r.split("`")[1] for r in rows] == list(schema.FLOW_FIELDS)
    assert "| `mode` | `sea`, `rail`, `road`, `air`, `unknown` |" in text


def test_new_fields_are_typed_text() -> None:
    df = gf.validate_flows(
        [
            {
                "origin": "Rajin",
                "destination": "Vladivostok",
                "group": "g7",
                "origin_country": " KP ",
            },
            {"origin": "Rajin", "destination": "Vladivostok"},
        ]
    )
    assert df["group"].tolist() == ["g7", ""]
    assert df["origin_country"].tolist() == ["KP", ""]
    assert df["destination_country"].tolist() == ["", ""]
    assert list(df.columns[: len(schema.FLOW_FIELDS)]) == list(schema.FLOW_FIELDS)


@pytest.mark.parametrize("suffix", [".csv", ".gpkg", ".geojson", ".parquet"])
def test_new_fields_round_trip(tmp_path: Path, suffix: str) -> None:
    records = [
        {"origin": "Rajin", "destination": "Vladivostok", "group": "g1", "origin_country": "KP"},
        {"origin": "Rajin", "destination": "Vladivostok", "group": "", "note2": "x"},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flows = gf.read_flows(records)
        out = gf.write_flows(flows, tmp_path / f"f{suffix}")
        back = gf.read_flows(out).to_geodataframe()
    first = flows.to_geodataframe()
    for c in ("group", "origin_country", "destination_country", "note2"):
        assert back[c].fillna("").tolist() == first[c].fillna("").tolist(), c
    assert first["group"].tolist() == ["g1", ""]
    assert first["destination_country"].tolist() == ["RU", "RU"]
    # the record's own fields come first, in the contract's order, then the user's columns
    n = len(schema.FLOW_FIELDS)
    assert list(back.columns[:n]) == list(schema.FLOW_FIELDS)
    assert back.columns[n] == "note2"


def test_flow_extra_keeps_group_and_countries() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "group": "g"}])
    extra = flows[0].extra
    assert extra["group"] == "g"
    assert extra["destination_country"] == "RU"


# --------------------------------------------------------------------------- validate_records
def _problems(records: object) -> list[str]:
    with pytest.raises(gf.FlowValidationError) as info:
        schema.validate_records(pd.DataFrame(records))
    return [f"{p.row} {p.field} {p.rule}" for p in info.value.problems]


def test_dates_by_period_and_edge_years() -> None:
    frame = pd.DataFrame(
        {
            "origin": ["A"] * 5,
            "destination": ["B"] * 5,
            "start": ["2023", "2023-12", "2024-02-29", "2023-05-06T23:00:00-02:00", "1678-02"],
            "end": ["2023", "2023-12", "2024-03-01", "", "2262-03"],
        }
    )
    out = schema.validate_records(frame)
    assert out["start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2023-01-01",
        "2023-12-01",
        "2024-02-29",
        "2023-05-07",
        "1678-02-01",
    ]
    assert out["end"].dt.strftime("%Y-%m-%d").fillna("").tolist() == [
        "2023-12-31",
        "2023-12-31",
        "2024-03-01",
        "",
        "2262-03-31",
    ]
    assert str(out["start"].dtype) == "datetime64[ns]"


def test_bad_dates_each_named() -> None:
    found = _problems(
        {
            "origin": ["A"] * 4,
            "destination": ["B"] * 4,
            "start": ["2023-02-30", "1677-12-01", "2262-05", "13/10/2023"],
        }
    )
    assert found == [
        f"{r} start must be an ISO date, YYYY-MM-DD (or YYYY-MM, YYYY)" for r in (1, 2, 3, 4)
    ]


def test_numbers_text_and_mixed_cells_agree() -> None:
    text = ["1,000", " 2 000 ", "3_000.5", "", "1e3"]
    mixed = [1000, "2 000", 3000.5, None, "1e3"]
    for volumes in (text, mixed):
        out = schema.validate_records(
            pd.DataFrame({"origin": ["A"] * 5, "destination": ["B"] * 5, "volume": volumes})
        )
        assert out["volume"].fillna(-1).tolist() == [1000.0, 2000.0, 3000.5, -1, 1000.0]
    found = _problems(
        {"origin": ["A"] * 4, "destination": ["B"] * 4, "volume": ["x", "-1", "inf", "nan"]}
    )
    assert found == [
        "1 volume must be a number >= 0 (or empty if unknown)",
        "2 volume must be >= 0",
        "3 volume must be a number >= 0 (or empty if unknown)",
        "4 volume must be a number >= 0 (or empty if unknown)",
    ]


def test_confidence_words_and_numbers() -> None:
    out = schema.validate_records(
        pd.DataFrame(
            {"origin": ["A"] * 3, "destination": ["B"] * 3, "confidence": ["Claimed", "0.4", ""]}
        )
    )
    assert out["confidence"].tolist() == ["claimed", "0.4", ""]
    found = _problems(
        {"origin": ["A"] * 2, "destination": ["B"] * 2, "confidence": ["1.5", "maybe"]}
    )
    rule = "confidence allowed: confirmed, reported, claimed, or a number from 0 to 1"
    assert found == [f"1 {rule}", f"2 {rule}"]


def test_ids_filled_then_checked_for_duplicates() -> None:
    found = _problems({"origin": ["A"] * 4, "destination": ["B"] * 4, "id": ["", "x", "1", "x"]})
    assert found == ["3 id duplicate id (also row 1)", "4 id duplicate id (also row 2)"]
    out = schema.validate_records(
        pd.DataFrame({"origin": ["A"] * 2, "destination": ["B"] * 2, "id": ["", "k"]})
    )
    assert out["id"].tolist() == ["1", "k"]


def test_text_columns_are_checked_without_a_loop_over_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The happy path of a text table never parses a cell on its own."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cell was parsed on its own")

    monkeypatch.setattr(schema, "_parse_number", refuse)
    monkeypatch.setattr(schema, "_parse_date", refuse)
    monkeypatch.setattr(schema, "is_blank", refuse)
    n = 1000
    frame = pd.DataFrame(
        {
            "origin": ["55.75, 37.62"] * n,
            "destination": ["Rajin"] * n,
            "volume": ["1,250.5"] * n,
            "volume_low": [""] * n,
            "start": ["2023-10-01"] * n,
            "end": ["2023-11"] * n,
            "mode": ["Sea"] * n,
            "confidence": ["0.5"] * n,
            "group": ["g"] * n,
            "unit": ["containers"] * n,
        }
    )
    out = schema.validate_records(frame, "flows.csv", first_row=2)
    assert out["volume"].iloc[-1] == 1250.5
    assert out["end"].iloc[0] == pd.Timestamp("2023-11-30")
    assert out["_row"].tolist() == list(range(2, n + 2))


def test_group_still_shows_in_the_popup_only_when_given() -> None:
    from geoflows.render import build_payload

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grouped = gf.read_flows(
            [{"origin": "Rajin", "destination": "Vladivostok", "group": "g1", "note2": "x"}]
        )
        plain = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    names = [name for name, _ in build_payload(grouped)["fields"]]
    assert names[-2:] == ["group", "note2"]
    assert "group" not in [name for name, _ in build_payload(plain)["fields"]]


def test_nul_is_found_in_every_column_of_every_type_with_its_field_and_row():
    df = pd.DataFrame(
        {
            "origin": pd.Series(["A", "B\x00", "C"], dtype="str"),
            "destination": pd.Series(["D", "E", "F"], dtype=object),
            "via": pd.Series([["x"], "y\x00", None], dtype=object),  # mixed cells
            "id": [1, 2, 3],  # numbers hold no text
            "ref": pd.Series([1, 2.5, "z\x00"], dtype=object),  # an extra column
            "count": pd.Series([1, 2.5, 3], dtype=object),  # ints and floats only
        }
    )
    with pytest.raises(gf.FlowValidationError) as info:
        schema.validate_records(df, "t.csv", first_row=2)
    found = [(p.row, p.field, p.value) for p in info.value.problems]
    assert found == [(3, "origin", "B\x00"), (3, "via", "y\x00"), (4, "ref", "z\x00")]


def test_an_object_column_of_ints_and_floats_is_kept_not_refused():
    df = pd.DataFrame(
        {"origin": ["A", "B"], "destination": ["C", "D"], "n": pd.Series([1, 2.5], dtype=object)}
    )
    out = schema.validate_records(df)
    assert out["n"].tolist() == [1, 2.5] and out["origin"].tolist() == ["A", "B"]


def test_text_fields_of_mixed_types_are_stripped_as_before():
    df = pd.DataFrame(
        {
            "origin": pd.Series([" A ", "\tB"], dtype="str"),
            "destination": pd.Series(["C", None], dtype=object),
            "id": [7, 8],
            "unit": pd.Series([1.5, None], dtype="float64"),
            "label": pd.Categorical([" x", None]),
        }
    )
    df.loc[1, "destination"] = " D "
    out = schema.validate_records(df)
    assert out["origin"].tolist() == ["A", "B"] and out["destination"].tolist() == ["C", "D"]
    assert out["id"].tolist() == ["7", "8"] and out["unit"].tolist() == ["1.5", ""]
    assert out["label"].tolist() == ["x", ""] and out["notes"].tolist() == ["", ""]
    assert all(out[f].dtype == object for f in ("origin", "id", "unit", "label", "notes"))


def test_columns_of_different_types_parse_as_each_alone():
    df = pd.DataFrame(
        {
            "origin": ["A", "B"],
            "destination": ["C", "D"],
            "start": pd.to_datetime(["2024-01-15 10:00", None]),
            "end": ["2024-02", "2025"],
            "volume": [1500.0, None],
            "volume_low": ["1 000", ""],
            "volume_high": pd.Series([2000, "3,000"], dtype=object),
        }
    )
    out = schema.validate_records(df)
    assert out["start"][0] == pd.Timestamp("2024-01-15") and pd.isna(out["start"][1])
    assert out["end"].tolist() == [pd.Timestamp("2024-02-29"), pd.Timestamp("2025-12-31")]
    assert out["volume"].tolist()[0] == 1500.0 and math.isnan(out["volume"].tolist()[1])
    assert out["volume_low"].tolist()[0] == 1000.0 and out["volume_high"].tolist() == [2000, 3000]
    assert str(out["start"].dtype) == str(out["end"].dtype) == "datetime64[ns]"


def test_a_month_or_a_year_keeps_its_precision_as_data() -> None:
    """Issue 22 §7: the precision the source gave is a field, read from the date's text."""
    df = pd.DataFrame(
        {
            "origin": ["A"] * 4,
            "destination": ["B"] * 4,
            "start": ["2022-09", "2023", "2024-10-20", ""],
            "end": ["2022-09", "2023", "2024-10-21", ""],
        }
    )
    out = schema.validate_records(df)
    assert out["start_precision"].tolist() == ["month", "year", "day", ""]
    assert out["end_precision"].tolist() == ["month", "year", "day", ""]
    assert out["end"].dt.strftime("%Y-%m-%d").tolist()[:3] == [
        "2022-09-30",
        "2023-12-31",
        "2024-10-21",
    ]


def test_a_precision_column_read_back_widens_the_days_to_their_period() -> None:
    # an export writes days and says "month": read back, the month is whole again
    df = pd.DataFrame(
        {
            "origin": ["A", "A"],
            "destination": ["B", "B"],
            "start": ["2022-09-14", "2022-09-01"],
            "start_precision": ["Month", ""],
            "end": ["2023-05-02", "2022-09-30"],
            "end_precision": ["year", "month"],
        }
    )
    out = schema.validate_records(df)
    assert out["start"].dt.strftime("%Y-%m-%d").tolist() == ["2022-09-01", "2022-09-01"]
    assert out["start_precision"].tolist() == ["month", "day"]
    assert out["end"].dt.strftime("%Y-%m-%d").tolist() == ["2023-12-31", "2022-09-30"]
    assert schema.iso_period(out["end"], out["end_precision"]).tolist() == ["2023", "2022-09"]


def test_an_unknown_precision_is_a_problem_naming_the_cell() -> None:
    df = pd.DataFrame(
        {"origin": ["A"], "destination": ["B"], "start": ["2022-09"], "start_precision": ["week"]}
    )
    with pytest.raises(gf.FlowValidationError) as exc:
        schema.validate_records(df, "story.csv", first_row=2)
    assert str(exc.value.problems[0]) == (
        "story.csv: row 2: field 'start_precision' value 'week': unknown precision; allowed: "
        "day, month, year (or empty: read from start)"
    )
