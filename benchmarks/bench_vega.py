"""Time reading vega-datasets' 5,366 US airport flows in a new process (issue 22, "done when").

The flows (``tests/data/vega/flights-airport.csv``, origin and destination as IATA codes) and
their airports table (``airports.csv``: iata, name, latitude, longitude) are read by
``gf.read_flows(flights, locations=airports)`` in a fresh interpreter with a warm place index,
as a user's script would (import included). The obvious alternative, measured in the same run
the same way: pandas reads both tables, joins the coordinates and shapely makes the lines into
a GeoDataFrame (no validation, no names checked against their coordinates). Prints the median of
``--repeat`` interleaved runs of each and a ``RATIO`` line (alternative / geoflows: below 1, geoflows is
slower by the work it does that the join does not).

    python benchmarks/bench_vega.py [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VEGA = ROOT / "tests" / "data" / "vega"

GEOFLOWS = """
import warnings, time
t0 = time.perf_counter()
import geoflows as gf
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    flows = gf.read_flows({flights!r}, locations={airports!r})
n = len(flows)
"""

JOIN = """
import time
t0 = time.perf_counter()
import geopandas as gpd, pandas as pd, shapely
flights = pd.read_csv({flights!r})
airports = pd.read_csv({airports!r}).set_index("iata")[["latitude", "longitude"]]
o = airports.reindex(flights["origin"]).to_numpy()
d = airports.reindex(flights["destination"]).to_numpy()
xy = [[(a[1], a[0]), (b[1], b[0])] for a, b in zip(o, d)]
gdf = gpd.GeoDataFrame(flights, geometry=shapely.linestrings(xy), crs="EPSG:4326")
n = len(gdf)
"""

TAIL = """
import json
print(json.dumps({{"seconds": time.perf_counter() - t0, "n": n}}))
"""


def in_new_process(code: str) -> tuple[float, int]:
    """Run ``code`` in a fresh interpreter; return its own timing (import included) and n."""
    script = textwrap.dedent(code + TAIL).format(
        flights=str(VEGA / "flights-airport.csv"), airports=str(VEGA / "airports.csv")
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result["seconds"], result["n"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run each (smoke test)")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    in_new_process(GEOFLOWS)  # warm the place index (a first run on a fresh cache builds it)
    ours, theirs = [], []
    for _ in range(repeat):  # interleaved, so both see the same machine
        ours.append(in_new_process(GEOFLOWS))
        theirs.append(in_new_process(JOIN))
    assert {n for _, n in ours + theirs} == {5366}, (ours, theirs)
    t_ours = statistics.median(t for t, _ in ours)
    t_join = statistics.median(t for t, _ in theirs)
    print(f"vega airports, 5,366 flows, new process, import included (median of {repeat}):")
    print(f"  geoflows read_flows(flights, locations=airports)  {t_ours:6.2f} s")
    print(f"  pandas join + shapely lines                       {t_join:6.2f} s")
    print(f"RATIO vega.read.new_process: {t_join / t_ours:.2f}x (time, pandas join / read_flows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
