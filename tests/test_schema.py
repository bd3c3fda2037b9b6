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
    assert [f.name for f in schema.FIELDS if f.vocabulary] == ["kind", "mode", "confidence"]


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
