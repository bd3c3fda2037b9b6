"""Run every ``benchmarks/bench_*.py`` and print one summary table of their ratios.

Each benchmark runs in its own subprocess, with ``--quick`` unless ``--full`` is given; its
output is shown as it comes, and its ``RATIO`` and ``SKIP`` lines (see ``benchmarks/README.md``)
are collected for the summary at the end. ``make bench`` runs this script.

Exit status: 0 when every benchmark exited 0, else 1.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: ``RATIO <name>: <value>x (<what>)`` — value is theirs / ours (above 1: geoflows wins).
RATIO_RE = re.compile(r"^RATIO (?P<name>\S+): (?P<value>[0-9]+(?:\.[0-9]+)?)x \((?P<what>.*)\)\s*$")
#: ``SKIP <name>: <why>`` — a comparison that was not measured, and why.
SKIP_RE = re.compile(r"^SKIP (?P<name>\S+): (?P<why>.*?)\s*$")


@dataclass
class Result:
    """What one benchmark script printed and how it ended."""

    script: str
    returncode: int = 0
    seconds: float = 0.0
    ratios: list[tuple[str, float, str]] = field(default_factory=list)
    skips: list[tuple[str, str]] = field(default_factory=list)


def discover(directory: Path = HERE, only: str | None = None) -> list[Path]:
    """The benchmark scripts, ``bench_*.py``, in name order (``only``: a name substring)."""
    scripts = sorted(directory.glob("bench_*.py"))
    return [s for s in scripts if only is None or only in s.stem]


def parse(lines: list[str]) -> tuple[list[tuple[str, float, str]], list[tuple[str, str]]]:
    """The RATIO and SKIP lines among ``lines``.

    >>> parse(["RATIO routes.geodesic.10k: 41.5x (time, loop / ours)", "SKIP a.b: too slow", "x"])
    ([('routes.geodesic.10k', 41.5, 'time, loop / ours')], [('a.b', 'too slow')])
    """
    ratios, skips = [], []
    for line in lines:
        if m := RATIO_RE.match(line):
            ratios.append((m["name"], float(m["value"]), m["what"]))
        elif m := SKIP_RE.match(line):
            skips.append((m["name"], m["why"]))
    return ratios, skips


def run_one(script: Path, args: list[str], timeout: float | None) -> Result:
    """Run ``script`` with ``args``, echo its output, and collect its RATIO/SKIP lines."""
    result = Result(script.name)
    print(f"\n=== {script.name} {' '.join(args)}".rstrip(), flush=True)
    t0 = time.perf_counter()
    lines: list[str] = []
    with subprocess.Popen(
        [sys.executable, str(script), *args],
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            lines.append(line.rstrip("\n"))
            if timeout is not None and time.perf_counter() - t0 > timeout:
                proc.kill()
                print(f"--- {script.name}: stopped after {timeout:.0f} s", flush=True)
                break
        result.returncode = proc.wait()
    result.seconds = time.perf_counter() - t0
    result.ratios, result.skips = parse(lines)
    return result


def summary(results: list[Result]) -> str:
    """One table of every ratio (and skip) of every benchmark."""
    rows = [("benchmark", "ratio", "name", "what")]
    for r in results:
        for name, value, what in r.ratios:
            rows.append((r.script, f"{value:g}x", name, what))
        for name, why in r.skips:
            rows.append((r.script, "—", name, why))
        if r.returncode != 0:
            rows.append((r.script, "—", "(failed)", f"exit status {r.returncode}"))
        elif not r.ratios and not r.skips:
            rows.append((r.script, "—", "(none)", "printed no RATIO lines"))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    out = []
    for i, row in enumerate(rows):
        out.append(
            "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
        )
        if i == 0:
            out.append("-" * (sum(widths) + 6 + max(len(row[3]) for row in rows)))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run without --quick (slow)")
    parser.add_argument("--only", help="run only benchmarks whose name contains this")
    parser.add_argument("--timeout", type=float, help="stop a benchmark after this many seconds")
    parser.add_argument(
        "extra", nargs=argparse.REMAINDER, help="after --: arguments passed to every benchmark"
    )
    args = parser.parse_args(argv)
    extra = [a for a in args.extra if a != "--"]
    scripts = discover(only=args.only)
    if not scripts:
        print("no benchmarks/bench_*.py found", file=sys.stderr)
        return 1
    bench_args = ([] if args.full else ["--quick"]) + extra
    results = [run_one(s, bench_args, args.timeout) for s in scripts]
    print("\n=== summary: ratio = theirs / geoflows (above 1: geoflows is faster or smaller)")
    print(summary(results))
    for r in results:
        print(f"{r.script}: {'ok' if r.returncode == 0 else 'FAILED'} in {r.seconds:.0f} s")
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
