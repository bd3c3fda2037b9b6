"""Time ``validate_flows`` on 100,000 random Eurasian flows (issue 12: vectorised validation).

Two tables of the same flows: as ``bench_render`` makes them (a DataFrame with ``"lat, lon"``
places and numeric volumes) and as a CSV gives them (every cell text, with dates, modes and
confidence words). Prints the best of ``--repeat`` runs for each, and a ``RATIO`` line: the
volumes and dates of the text table parsed cell by cell (as validation did before it was
vectorised, with the same parsers) against the column-wise parsing ``validate_flows`` does now.

    python benchmarks/bench_validate.py [--n 100000] [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

# This checkout's geoflows (not another installed one), and bench_render beside this file.
sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)]
from bench_render import random_flows  # noqa: E402

import geoflows as gf  # noqa: E402
from geoflows import schema  # noqa: E402


def text_table(n: int) -> object:
    """The same flows as a CSV gives them: every cell text, with dates, modes and confidence."""
    table = random_flows(n)
    rng = np.random.default_rng(7)
    days = rng.integers(0, 700, n)
    start = np.datetime64("2023-01-01") + days
    table["volume"] = table["volume"].map("{:,.1f}".format)
    table["start"] = np.datetime_as_string(start, unit="D")
    table["end"] = np.datetime_as_string(start + rng.integers(0, 30, n), unit="D")
    table["mode"] = np.asarray(["sea", "Rail", "road", "air", ""], dtype=object)[
        rng.integers(0, 5, n)
    ]
    table["confidence"] = np.asarray(["confirmed", "Reported", "0.4", ""], dtype=object)[
        rng.integers(0, 4, n)
    ]
    table["source"] = "https://example.org/report"
    return table.astype(str)


def parse_cells(table: object) -> None:
    """Volumes and dates parsed one cell at a time (the path before vectorising)."""
    for v in table["volume"]:
        schema._parse_number(v)
    for field in ("start", "end"):
        for v in table[field]:
            schema._parse_date(v, end=field == "end")


def parse_columns(table: object) -> None:
    """Volumes and dates parsed column-wise, as ``validate_flows`` does now."""
    schema._parse_numbers(table["volume"])
    for field in ("start", "end"):
        schema._parse_dates(table[field], end=field == "end")


def timed(repeat: int, fn: object, *args: object) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 rows, one run (smoke test)")
    args = parser.parse_args(argv)
    n, repeat = (2_000, 1) if args.quick else (args.n, args.repeat)
    text = text_table(n)
    for label, table in (("DataFrame", random_flows(n)), ("all text", text)):
        seconds = timed(repeat, gf.validate_flows, table)
        print(f"validate_flows, {n:,} rows, {label}: {seconds:.2f} s")
    cells, columns = timed(repeat, parse_cells, text), timed(repeat, parse_columns, text)
    print(f"volumes and dates, {n:,} rows: cell by cell {cells:.2f} s, column-wise {columns:.2f} s")
    label = f"{n // 1000}k"
    print(
        f"RATIO validate.parse.{label}: {cells / columns:.2f}x (time, cell by cell / column-wise)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
