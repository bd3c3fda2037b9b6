"""Time ``validate_flows`` on 100,000 random Eurasian flows (issue 12: vectorised validation).

Two tables of the same flows: as ``bench_render`` makes them (a DataFrame with ``"lat, lon"``
places and numeric volumes) and as a CSV gives them (every cell text, with dates, modes and
confidence words). Prints the best of ``--repeat`` runs for each.

    python benchmarks/bench_validate.py [--n 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_render import random_flows  # noqa: E402

import geoflows as gf  # noqa: E402


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


def best_of(repeat: int, table: object) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        gf.validate_flows(table)
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for label, table in (("DataFrame", random_flows(args.n)), ("all text", text_table(args.n))):
        seconds = best_of(args.repeat, table)
        print(f"validate_flows, {args.n:,} rows, {label}: {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
