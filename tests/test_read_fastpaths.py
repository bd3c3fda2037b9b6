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
