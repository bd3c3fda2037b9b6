"""Column-wise shortcuts of reading: each must agree with the general path it skips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoflows import schema
from geoflows.places._coords import _decimal_pairs
from geoflows.schema import is_blank

CELLS = [
    "1575", " 12 ", "1,000", "", None, "1e3", "-5", "abc", "00012.50", ".5", "1 000",
    "\u0661\u0662", "12.", "9" * 16, "1" * 15 + "." + "1" * 15, "0", "+3", "1_000", "\t7\n",
    "nan", "inf", "204.4",
]  # fmt: skip


@pytest.mark.parametrize("dtype", [object, "str"])
def test_plain_volumes_parse_as_the_regex_path(dtype) -> None:
    cells = pd.Series(CELLS * 3, dtype=dtype)
    numbers, bad = schema._parse_numbers(cells)
    slow, blank, parsed = schema._parse_text(cells.astype(object))
    expected_bad = ~blank & ~(parsed & np.isfinite(slow))
    assert np.array_equal(bad, expected_bad)
    assert np.array_equal(numbers, np.where(expected_bad, np.nan, slow), equal_nan=True)
    # the Arrow pass took the plain cells, and only those
    _, plain = schema._parse_plain(cells)
    plain_cells = {"1575", "0", "204.4", "00012.50", "1" * 15 + "." + "1" * 15}
    assert plain.tolist() == [c in plain_cells for c in CELLS * 3]


def test_decimal_pairs_of_mixed_values_agree_with_text_only() -> None:
    text = ["42.1, 130.2", " 1 2 ", "Rajin", "\u00e9 1, 2", "91, 0", "-1.5;2", "1.1234567, 2"]
    mixed = [*text, None, 3.5, "\ud800"]
    lat, lon, ok = _decimal_pairs(mixed)
    lat2, lon2, ok2 = _decimal_pairs(text)
    assert ok.tolist() == [*ok2.tolist(), False, False, False]
    assert ok2.tolist() == [True, True, False, False, False, True, False]
    assert np.array_equal(lat[: len(text)], lat2, equal_nan=True)
    assert np.array_equal(lon[: len(text)], lon2, equal_nan=True)
    assert (lat2[0], lon2[0], lat2[5], lon2[5]) == (42.1, 130.2, -1.5, 2.0)


def test_is_blank_cells() -> None:
    blank = ["", " \t", "\u3000", float("nan"), np.float64("nan"), None, pd.NA, pd.NaT]
    assert all(is_blank(v) for v in blank)
    assert not any(is_blank(v) for v in ["a", " a ", 0, 1.0, 0.0, np.str_("x"), False])


@pytest.mark.parametrize("dtype", [object, "str"])
def test_nul_found_by_arrow_as_by_pandas(dtype) -> None:
    cells = pd.Series(["a\x00b", "ok", None, "", "\x00", "caf\u00e9\x00"] * 2, dtype=dtype)
    found = schema._text_mask(cells, "\x00", full=False)
    assert found.tolist() == [True, False, False, False, True, True] * 2
    assert schema._arrow_contains(cells, "\x00").tolist() == found.tolist()
    surrogate = pd.Series(["\ud800", "a\x00"], dtype=object)  # Arrow refuses: pandas decides
    assert schema._text_mask(surrogate, "\x00", full=False).tolist() == [False, True]


def test_distinct_pairs_number_pairs_in_order_of_first_appearance() -> None:
    from geoflows.places._coords import distinct_pairs

    a = np.array([1.0, 2.0, 1.0, np.nan, 0.0, np.nan, 2.0, -0.0])
    b = np.array([5.0, 5.0, 5.0, 1.0, 3.0, 1.0, 6.0, 3.0])
    codes, first = distinct_pairs(a, b)
    assert codes.tolist() == [0, 1, 0, 2, 3, 2, 4, 3]  # NaN one value, 0.0 and -0.0 one
    assert first.tolist() == [0, 1, 3, 4, 6]
    empty = distinct_pairs(np.zeros(0), np.zeros(0))
    assert [len(x) for x in empty] == [0, 0]


class _Counted:
    """Wraps ``Index.nearest`` and ``Strings.__getitem__`` to count the work done per point."""

    def __init__(self, monkeypatch) -> None:
        from geoflows.places import Gazetteer
        from geoflows.places._index import Index

        self.queried: list[int] = []
        self.names_read = 0
        nearest, names = Index.nearest, Gazetteer.default().index.names
        strings = type(names)
        getitem = strings.__getitem__

        def counted_nearest(ix, lat, lon):
            self.queried.append(len(np.atleast_1d(lat)))
            return nearest(ix, lat, lon)

        def counted_getitem(s, i):
            if s is names:
                self.names_read += 1
            return getitem(s, i)

        monkeypatch.setattr(Index, "nearest", counted_nearest)
        monkeypatch.setattr(strings, "__getitem__", counted_getitem)


def _repeated_points(n: int = 4000) -> tuple[pd.DataFrame, int]:
    """``n`` flows between 30 points, each written two ways ("42.24, 130.3", "42.240, 130.30")."""
    rng = np.random.default_rng(7)
    lat, lon = np.round(rng.uniform(30, 60, 30), 3), np.round(rng.uniform(30, 140, 30), 3)
    lat[0], lon[0] = 42.24, 130.3  # Rajin, 1 km off
    plain = [f"{a:g}, {b:g}" for a, b in zip(lat, lon, strict=True)]
    padded = [f"{a:.4f}, {b:.4f}" for a, b in zip(lat, lon, strict=True)]
    pick = rng.integers(0, 30, (2, n))
    texts = np.array(plain + padded, dtype=object)
    frame = pd.DataFrame({
        "origin": texts[pick[0] + 30 * rng.integers(0, 2, n)],
        "destination": texts[(pick[0] + 1 + pick[1] % 29) % 30],
        "volume": rng.integers(1, 100, n),
    })  # fmt: skip
    return frame, 30


@pytest.mark.parametrize("beside", [False, True], ids=["lat-lon-text", "coordinates-beside"])
def test_near_labels_are_made_once_per_distinct_point(monkeypatch, beside) -> None:
    import geoflows as gf
    from geoflows.places import Gazetteer

    frame, distinct = _repeated_points()
    if beside:  # coordinates given beside the names: the path that builds a Place per name
        lat_lon = frame["destination"].str.split(",", expand=True).astype(float)
        frame["destination_lat"], frame["destination_lon"] = lat_lon[0], lat_lon[1]
    expected = {}  # each point's label, asked one point at a time before counting
    gaz = Gazetteer.default()
    for text in pd.unique(frame[["origin", "destination"]].to_numpy().ravel()):
        a, b = (float(x) for x in text.split(","))
        expected[text] = gaz.near_labels([a], [b])[0]
    counted = _Counted(monkeypatch)
    g = gf.read_flows(frame).to_geodataframe()
    # 8,000 ends in 60 spellings of 30 points: one KD-tree query of 30 points, 30 labels
    assert sum(counted.queried) == distinct
    assert len(counted.queried) == 1
    assert 0 < counted.names_read <= distinct
    assert g["origin_near"].tolist() == [expected[t] for t in frame["origin"]]
    if beside:  # the given coordinates are drawn as given, without a label
        assert g["destination_near"].isna().all()
    else:
        assert g["destination_near"].tolist() == [expected[t] for t in frame["destination"]]
    assert expected["42.24, 130.3"] == expected["42.2400, 130.3000"] == "Rajin (KP), 1 km"


#: Every character Python strips, at either end, and text with spaces inside.
WHITESPACE = [chr(c) for c in range(0x3001) if chr(c).isspace()]
SPACES = [" a ", None, "", "a b", "\u200bx", *(f"{c}x{c}y{c}" for c in WHITESPACE)]


@pytest.mark.parametrize("dtype", [object, "str"])
def test_arrow_stripping_agrees_with_str_strip(dtype) -> None:
    assert len(WHITESPACE) == 29  # all of them (none lies above U+3000)
    cells = pd.Series(SPACES * 3, dtype=dtype, index=np.arange(3 * len(SPACES)) * 2)
    found = schema._stripped_text(cells)
    expected = ["" if c is None else c.strip() for c in SPACES * 3]
    assert found.tolist() == expected
    assert found.dtype == object and found.index.tolist() == cells.index.tolist()
    assert all(type(c) is str for c in found)


def test_vocabulary_words_are_lowered_once_per_distinct_word() -> None:
    from geoflows.errors import FlowValidationError

    words = pd.Series(["Sea", "RAIL", "sea", "", "Sea", "ÉTÉ", "ǅ"] * 50, dtype=object)
    codes, distinct = schema._lowered(words)
    assert distinct[codes].tolist() == words.str.lower().tolist()
    assert len(distinct) == 7  # six distinct spellings and the empty text of code -1
    frame = pd.DataFrame({
        "origin": ["A", "B", "C"], "destination": ["B", "A", "A"], "mode": ["SEA", "Ox", "rail"],
        "start": ["2022", "2022-09", ""], "start_precision": ["", "Week", ""],
        "id": ["x", "y", "x"],
    })  # fmt: skip
    with pytest.raises(FlowValidationError) as err:
        schema.validate_records(frame, "f.csv", first_row=2)
    found = [(p.row, p.field, p.value, p.rule.split(";")[0]) for p in err.value.problems]
    assert found == [
        (3, "mode", "Ox", "unknown mode"),
        (3, "start_precision", "Week", "unknown precision"),
        (4, "id", "x", "duplicate id (also row 2)"),
    ]
    frame = frame.assign(mode=["SEA", "Rail", "rail"], start_precision=["", "Month", ""])
    out = schema.validate_records(frame.assign(id=["x", "y", "z"]), "f.csv", first_row=2)
    assert out["mode"].tolist() == ["sea", "rail", "rail"]
    assert out["start_precision"].tolist() == ["year", "month", ""]


def test_country_hints_are_read_column_wise_as_cell_by_cell(monkeypatch) -> None:
    import geoflows as gf
    from geoflows import flows

    cells = ["KP", " RU ", "", "  ", None, np.nan, pd.NA, 7, "\tcn\n"] * 300
    records = pd.DataFrame({"origin_country": pd.Series(cells, dtype=object)})
    n = len(cells)
    expected = ["XX" if is_blank(v) else str(v).strip() for v in cells]
    assert flows._country_hints(records, "XX", n, 2) == expected + ["XX"] * n + ["XX"] * 2
    text = records.astype({"origin_country": "str"})  # Arrow text, as a CSV is read
    assert flows._country_hints(text, None, n, 0)[:n] == [
        None if e == "XX" else e for e in expected
    ]
    calls = []
    monkeypatch.setattr(flows, "is_blank", lambda v: calls.append(v) or is_blank(v))
    frame = pd.DataFrame({
        "origin": ["Rajin", "Vladivostok"] * 1000, "destination": ["Nampo", "Rajin"] * 1000,
        "origin_country": ["KP", ""] * 1000,
    })  # fmt: skip
    g = gf.read_flows(frame).to_geodataframe()
    assert g["origin_country"].tolist() == ["KP", "RU"] * 1000
    assert len(calls) < 10  # not once per row


def test_waypoints_are_kept_per_flow_that_has_them() -> None:
    import geoflows as gf

    frame = pd.DataFrame({
        "origin": ["42.24, 130.3", "42.24, 130.3", "43.1, 131.9", "42.24, 130.3"],
        "destination": ["35.1, 129.0", "35.1, 129.0", "35.1, 129.0", "35.1, 129.0"],
        "via": ["", "38.0, 128.0", "", "38.0, 128.0; 36.0, 129.5"],
        "mode": "road",
    })  # fmt: skip
    g = gf.read_flows(frame, route="straight").to_geodataframe()
    assert g["via_coords"].tolist() == [
        "", "38.000000,128.000000", "", "38.000000,128.000000;36.000000,129.500000",
    ]  # fmt: skip
    # a waypoint bends the line through it (in order); flows without one pass none
    points = [set(line.coords) for line in g.geometry]
    assert [(128.0, 38.0) in p for p in points] == [False, True, False, True]
    assert [(129.5, 36.0) in p for p in points] == [False, False, False, True]
    coords = list(g.geometry[3].coords)
    assert coords.index((128.0, 38.0)) < coords.index((129.5, 36.0))


def test_near_labels_of_repeated_points_match_the_per_point_formula() -> None:
    from geoflows.places import Gazetteer

    gaz = Gazetteer.default()
    ix = gaz.index
    rng = np.random.default_rng(3)
    towns = rng.integers(0, len(ix.names), 400)
    # points on and a little off indexed places (<1 km, whole km, halves), each three times
    lat = np.repeat(ix.lat[towns] + rng.choice([0, 0.004, 0.02, 0.1, 0.4], 400), 3)
    lon = np.repeat(ix.lon[towns] + rng.choice([0, 0.003, 0.05], 400), 3)
    order = rng.permutation(len(lat))
    lat, lon = lat[order], lon[order]
    rows, km = ix.nearest(lat, lon)
    expected = []
    for r, d in zip(rows.tolist(), km.tolist(), strict=True):  # the per-point rule of 0.1
        cc = str(ix.country[r])
        dist = "<1 km" if d < 0.5 else f"{d:.0f} km"
        expected.append(f"{ix.names[r]} ({cc}), {dist}" if cc else f"{ix.names[r]}, {dist}")
    assert gaz.near_labels(lat, lon) == expected
    assert len(set(expected)) > 300  # many different labels, not one repeated


def test_at_most_distinct_counts_exactly_across_chunks() -> None:
    from geoflows.places._gazetteer import _at_most_distinct

    names = np.array([f"p{i % 7}" for i in range(100)] + ["late"], dtype=object)
    assert _at_most_distinct(names, 8) and not _at_most_distinct(names, 7)
    # with a limit of 2 the chunks are 8 long: repeats across chunks count once
    assert _at_most_distinct(np.array(["a", "b"] * 40, dtype=object), 2)
    assert not _at_most_distinct(np.array(["a", "b"] * 40 + ["c"], dtype=object), 2)
    assert _at_most_distinct(np.array([], dtype=object), 0)


def test_coordinates_past_the_near_label_limit_get_no_label(monkeypatch) -> None:
    import geoflows as gf
    from geoflows import flows

    frame, _ = _repeated_points(200)
    monkeypatch.setattr(flows, "NEAR_LABEL_LIMIT", 29)  # 30 points: past the limit
    assert gf.read_flows(frame).to_geodataframe()["origin_near"].isna().all()
    monkeypatch.setattr(flows, "NEAR_LABEL_LIMIT", 30)
    assert gf.read_flows(frame).to_geodataframe()["origin_near"].notna().all()
