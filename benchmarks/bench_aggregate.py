"""Benchmark of ``gf.aggregate_flows`` on a 2-worker Dask LocalCluster against pandas.

Run: ``python benchmarks/bench_aggregate.py`` (20,000,000 records) or ``--quick`` (400,000).
Generates synthetic raw movement records (fixed seed) as Parquet files of 1,000,000 rows in a
temporary folder, then measures:

- geoflows: ``aggregate_flows(glob, period="M")`` on a ``LocalCluster`` of 2 workers, 1 thread
  each, with a memory limit of 1 GB per worker: records/s (wall time, including place
  resolution and routes of the groups) and the peak resident memory of each worker process;
- pandas: ``pd.read_parquet`` of every file into memory and one ``groupby`` sum, in a fresh
  process: records/s and its peak resident memory.

The totals of both are compared before any figure is printed.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

NAMES = ["Rajin", "Vladivostok", "Istanbul", "Port of Odesa", "Novorossiysk", "Tartus"]
CHUNK = 1_000_000

_PANDAS = """
import json, resource, sys, time
import pandas as pd
t = time.perf_counter()
df = pd.read_parquet(sys.argv[1])
month = df["start"].dt.to_period("M")
g = df.assign(period=month).groupby(["origin", "destination", "unit", "period"])
sums = g["volume"].sum()
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": peak, "total": float(sums.sum()),
                  "groups": int(len(sums)), "records": int(len(df))}))
"""


def generate(folder: Path, n: int, seed: int = 20) -> None:
    """``n`` records in Parquet files of at most 1,000,000 rows (written chunk by chunk)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    names = np.array(NAMES, dtype=object)
    sources = np.array(["AIS", "customs", "AIS ; press", "port calls"], dtype=object)
    for i, start in enumerate(range(0, n, CHUNK)):
        m = min(CHUNK, n - start)
        o = rng.integers(0, len(NAMES), m)
        d = (o + rng.integers(1, len(NAMES), m)) % len(NAMES)
        volume = rng.integers(1, 5000, m).astype(float)
        volume[rng.random(m) < 0.02] = np.nan
        pd.DataFrame(
            {
                "origin": names[o],
                "destination": names[d],
                "unit": np.where(rng.random(m) < 0.5, "tonnes", "containers").astype(object),
                "volume": volume,
                "start": pd.Timestamp("2023-01-01")
                + pd.to_timedelta(rng.integers(0, 730, m), unit="D"),
                "source": sources[rng.integers(0, len(sources), m)],
            }
        ).to_parquet(folder / f"records-{i:04d}.parquet", index=False)


def _worker_peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def bench_geoflows(folder: Path) -> dict:
    import warnings

    import distributed

    import geoflows as gf

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            memory_limit="1GB",
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            flows = gf.aggregate_flows(str(folder / "*.parquet"), period="M")
        seconds = time.perf_counter() - t
        peaks = sorted(client.run(_worker_peak).values())
    g = flows.to_geodataframe()
    known = np.where(g["n_volume_unknown"] > 0, g["volume_low"], g["volume"])
    return {
        "seconds": seconds,
        "peaks": peaks,
        "total": float(np.nansum(known)),
        "groups": len(g),
        "records": int(g["n_records"].sum()),
    }


def bench_pandas(folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PANDAS, str(folder)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="400,000 records")
    parser.add_argument("--records", type=int, help="number of records (default 20,000,000)")
    args = parser.parse_args(argv)
    # Measure this checkout's geoflows (the workers inherit sys.path), not another installed one.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    n = args.records or (400_000 if args.quick else 20_000_000)
    label = f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n // 1000}k"
    with tempfile.TemporaryDirectory(prefix="geoflows-bench-agg-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        generate(folder, n)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"generated {n:,} records in {time.perf_counter() - t:.1f} s ({_mb(size)} Parquet)",
              file=sys.stderr)  # fmt: skip
        ours = bench_geoflows(folder)
        theirs = bench_pandas(folder)
    assert ours["records"] == theirs["records"] == n, (ours, theirs)
    assert abs(ours["total"] - theirs["total"]) <= 1e-9 * theirs["total"], (ours, theirs)
    print(f"\naggregate {n:,} records by origin, destination, unit and month "
          f"({ours['groups']} groups)")  # fmt: skip
    print(f"{'contender':<44} {'seconds':>8} {'records/s':>12} {'peak memory':>22}")
    print(
        f"{'geoflows aggregate_flows, LocalCluster 2x1GB':<44} {ours['seconds']:>8.1f} "
        f"{n / ours['seconds']:>12,.0f} {' / '.join(_mb(p) for p in ours['peaks']):>22}"
    )
    print(
        f"{'pandas read_parquet + groupby (in memory)':<44} {theirs['seconds']:>8.1f} "
        f"{n / theirs['seconds']:>12,.0f} {_mb(theirs['peak']):>22}"
    )
    print(
        f"RATIO aggregate.memory.pandas.{label}: {theirs['peak'] / max(ours['peaks']):.2f}x "
        f"(peak memory, pandas in one process / the largest Dask worker, {n:,} records)"
    )
    print(
        f"RATIO aggregate.time.pandas.{label}: {theirs['seconds'] / ours['seconds']:.2f}x "
        f"(wall time, pandas / geoflows on 2 workers incl. places and routes, {n:,} records)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
