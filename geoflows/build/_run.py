"""Running a build: every map on its own, atomic unchanged-aware writes, a summary."""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import os
import signal
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from geoflows._files import check_output_is_not_an_input, remove_stale_temporaries, write_atomic
from geoflows.build._errors import describe_error
from geoflows.build._spec import (
    BuildSpec,
    InputSpec,
    MapSpec,
    load_build_file,
)
from geoflows.errors import (
    BuildError,
    BuildProblem,
    GeoflowsWarning,
    terminal_text,
)

# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


class MapResult(NamedTuple):
    """The outcome of one map of a build.

    Examples
    --------
    >>> from geoflows.build import MapResult
    >>> MapResult("m", None, "failed", "x", 0, 0.1).status
    'failed'
    """

    name: str
    path: Path | None
    status: str  # built | unchanged | failed
    reason: str
    n_flows: int | None
    seconds: float


@dataclass
class BuildReport:
    """What :func:`build` did: one :class:`MapResult` per map, in build-file order.

    Examples
    --------
    >>> from geoflows.build import BuildReport, MapResult
    >>> r = BuildReport([MapResult("a", None, "built", "", 3, 0.5),
    ...                  MapResult("b", None, "failed", "bad.csv: no such file", None, 0.0)])
    >>> r.ok, r.counts()
    (False, {'built': 1, 'unchanged': 0, 'failed': 1})
    >>> print(r.table().splitlines()[0])
    map  status  flows  seconds  notes
    """

    results: list[MapResult]
    output_dir: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every map was built or unchanged.

        Examples
        --------
        >>> from geoflows.build import BuildReport, MapResult
        >>> r = BuildReport([MapResult("a", None, "built", "", 3, 0.1),
        ...                  MapResult("b", None, "failed", "bad.csv: no such file", None, 0.0)])
        >>> r.ok
        False
        """
        return all(r.status in ("built", "unchanged") for r in self.results)

    @property
    def failed(self) -> list[MapResult]:
        """The results of the maps that failed.

        Examples
        --------
        >>> from geoflows.build import BuildReport, MapResult
        >>> r = BuildReport([MapResult("a", None, "built", "", 3, 0.1),
        ...                  MapResult("b", None, "failed", "bad.csv: no such file", None, 0.0)])
        >>> [m.name for m in r.failed]
        ['b']
        """
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        """Return the number of maps per status.

        Examples
        --------
        >>> from geoflows.build import BuildReport, MapResult
        >>> r = BuildReport([MapResult("a", None, "built", "", 3, 0.1),
        ...                  MapResult("b", None, "failed", "bad.csv: no such file", None, 0.0)])
        >>> r.counts()
        {'built': 1, 'unchanged': 0, 'failed': 1}
        """
        out = {"built": 0, "unchanged": 0, "failed": 0}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def table(self) -> str:
        """Return a plain-text summary table, one line per map and a total line.

        Examples
        --------
        >>> from geoflows.build import BuildReport, MapResult
        >>> r = BuildReport([MapResult("a", None, "built", "", 3, 0.1),
        ...                  MapResult("b", None, "failed", "bad.csv: no such file", None, 0.0)])
        >>> r.table().splitlines()[-1]
        '2 maps: 1 built, 0 unchanged, 1 failed'
        """
        rows = [
            [
                r.name,
                r.status,
                "-" if r.n_flows is None else str(r.n_flows),
                f"{r.seconds:.2f}",
                r.reason,
            ]
            for r in self.results
        ]
        table = text_table(["map", "status", "flows", "seconds", "notes"], rows, right={2, 3})
        c = self.counts()
        where = f" in {self.output_dir}" if self.output_dir is not None else ""
        total = (
            f"{len(self.results)} map{'s' if len(self.results) != 1 else ''}{where}: "
            f"{c['built']} built, {c['unchanged']} unchanged, {c['failed']} failed"
        )
        return f"{table}\n{total}"

    def __str__(self) -> str:
        return self.table()


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] = frozenset()
) -> str:
    """Format rows as a plain-text table with two spaces between columns.

    Each cell is one line with its control characters escaped (:func:`terminal_text`): the
    table is printed on terminals, and its cells hold data text (place names, notes).

    Examples
    --------
    >>> from geoflows.build import text_table
    >>> print(text_table(["a", "bb"], [["x", "1"]], right={1}))
    a  bb
    x   1
    """
    cells = [[str(h) for h in headers]] + [
        [terminal_text(c, newlines=False) for c in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [
            c.rjust(w) if i in right else (c if i == len(row) - 1 else c.ljust(w))
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def build(
    spec_or_path: BuildSpec | str | os.PathLike[str],
    *,
    jobs: int = 1,
    quiet: bool = False,
    allow_unresolved: bool = False,
    force: bool = False,
) -> BuildReport:
    r"""Build every map of a build file.

    Each map is built on its own: a map that fails (unreadable input, invalid rows, unknown
    places) is reported and the others are still built. Outputs are written atomically and left
    untouched when their content is unchanged.

    Parameters
    ----------
    spec_or_path : BuildSpec or path-like
        A :class:`BuildSpec`, or the path of a YAML build file.
    jobs : int
        Number of maps built in parallel (processes); 1 builds them in this process.
    quiet : bool
        Hide the progress bar (it is also hidden when stderr is not a terminal).
    allow_unresolved : bool
        Build maps whose inputs name unknown places, leaving those flows out; the names are
        listed in the map's notes. By default such a map fails.
    force : bool
        Rewrite outputs even when their content is unchanged.

    Returns
    -------
    BuildReport

    Raises
    ------
    BuildError
        If the build file is invalid or its gazetteer cannot be read (nothing is built).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from geoflows.build import build
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "f.csv").write_text("origin,destination,volume\nRajin,Vladivostok,5\n")
    >>> _ = (d / "b.yaml").write_text(
    ...     "inputs: {f: f.csv}\nmaps: [{name: m, input: f, options: {tiles: null}}]\n")
    >>> report = build(d / "b.yaml", quiet=True)
    >>> report.results[0].status, (d / "m.html").exists()
    ('built', True)
    >>> build(d / "b.yaml", quiet=True).results[0].status
    'unchanged'
    """
    spec = spec_or_path if isinstance(spec_or_path, BuildSpec) else load_build_file(spec_or_path)
    _check_before_building(spec, jobs)
    cache: dict[Any, Any] = {}
    spec = share_scales(spec, allow_unresolved=allow_unresolved, _cache=cache)
    spec = share_palettes(spec, allow_unresolved=allow_unresolved, _cache=cache)
    try:
        spec.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(f"cannot create the output folder {spec.output_dir}: {e}") from e
    n = len(spec.maps)
    bar = _progress_bar(n, quiet)
    try:
        if jobs == 1 or n <= 1:
            results = _build_in_turn(spec, allow_unresolved, force, bar)
        else:
            results = _build_in_parallel(spec, jobs, allow_unresolved, force, bar)
    except BaseException:
        _sweep_temp_files(spec)
        raise
    finally:
        bar.close()
    return BuildReport([results[i] for i in range(n)], output_dir=spec.output_dir)


def _progress_bar(n: int, quiet: bool) -> Any:
    """Make the tqdm bar of ``n`` maps on stderr; disabled when quiet or not on a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=n,
        unit="map",
        desc="geoflows build",
        file=sys.stderr,
        disable=quiet or not _isatty(sys.stderr),
        leave=False,
    )


def _check_before_building(spec: BuildSpec, jobs: int) -> None:
    """Refuse a build that cannot start: ``jobs`` below 1, or a gazetteer that cannot be read.

    The gazetteer fails once, up front, rather than once per map.
    """
    if jobs < 1:
        raise BuildError(f"jobs must be at least 1, got {jobs}")
    if spec.gazetteer is None:
        return
    try:
        _load_gazetteer(spec.gazetteer, {})
    except Exception as e:
        msg, hint = describe_error(e)
        problem = BuildProblem(msg, field="gazetteer", value=str(spec.gazetteer), hint=hint)
        raise BuildError(
            f"cannot load the gazetteer {spec.gazetteer}: {msg} ({hint})", [problem], hint=hint
        ) from e


def _build_in_turn(
    spec: BuildSpec, allow_unresolved: bool, force: bool, bar: Any
) -> dict[int, MapResult]:
    """Build the maps one after another in this process (inputs read once, shared)."""
    results: dict[int, MapResult] = {}
    cache: dict[Any, Any] = {}
    for i, m in enumerate(spec.maps):
        bar.set_postfix_str(terminal_text(m.name, newlines=False))
        results[i] = _build_one(spec, m, allow_unresolved, force, cache)
        bar.update(1)
    return results


def _build_in_parallel(
    spec: BuildSpec, jobs: int, allow_unresolved: bool, force: bool, bar: Any
) -> dict[int, MapResult]:
    """Build the maps in ``jobs`` processes; a worker that dies fails its map only."""
    results: dict[int, MapResult] = {}
    n = len(spec.maps)
    with cf.ProcessPoolExecutor(max_workers=min(jobs, n), initializer=_init_worker) as pool:
        try:
            futures = {
                pool.submit(_worker_build, spec, m, allow_unresolved, force): i
                for i, m in enumerate(spec.maps)
            }
            for fut in cf.as_completed(futures):
                i = futures[fut]
                try:
                    results[i] = fut.result()
                except Exception as e:  # the worker itself died
                    msg, hint = describe_error(e)
                    m = spec.maps[i]
                    reason = f"{msg} — hint: {hint}"
                    results[i] = MapResult(m.name, spec.output_path(m), "failed", reason, None, 0.0)
                bar.update(1)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def share_scales(
    spec: BuildSpec, *, allow_unresolved: bool = False, _cache: dict[Any, Any] | None = None
) -> BuildSpec:
    r"""Give every map with ``share_scale`` one width domain per unit, spanning all their flows.

    The domain (:func:`geoflows.style.volume_domains`) covers the drawn volumes and the range
    tops of every sharing map's filtered flows; each such map gets it as its ``width_domain``
    option (a map that sets its own ``width_domain`` keeps it). Maps whose inputs cannot be read
    are left out here; they fail on their own when built.

    Parameters
    ----------
    spec : BuildSpec
    allow_unresolved : bool
        As for :func:`build`.

    Returns
    -------
    BuildSpec
        The same spec, with ``width_domain`` set on the sharing maps (unchanged if none share).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from geoflows.build import BuildSpec, share_scales
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "f.csv").write_text(
    ...     "origin,destination,volume,unit\nRajin,Vladivostok,5,t\nRajin,Dunai,50,t\n")
    >>> spec = BuildSpec.from_dict({"share_scale": True, "inputs": {"f": "f.csv"}, "maps": [
    ...     {"name": "a", "input": "f", "filter": {"units": "t"}}, {"name": "b", "input": "f"}]},
    ...     base_dir=d)
    >>> [m.options["width_domain"] for m in share_scales(spec).maps]
    [{'t': (5.0, 50.0)}, {'t': (5.0, 50.0)}]
    """
    import dataclasses

    import numpy as np

    from geoflows.schema import best_volume
    from geoflows.style import volume_domains

    sharing = [m for m in spec.maps if m.share_scale]
    if not sharing:
        return spec
    volumes: list[Any] = []
    units: list[Any] = []
    for _, g in _map_frames(spec, sharing, allow_unresolved, {} if _cache is None else _cache):
        vol, low, high = (g[c].to_numpy(float) for c in ("volume", "volume_low", "volume_high"))
        unit = g["unit"].fillna("").astype(str).to_numpy(object)
        volumes += [best_volume(vol, low, high), high]
        units += [unit, unit]
    domains = volume_domains(np.concatenate(volumes), np.concatenate(units)) if volumes else {}
    maps = [
        dataclasses.replace(m, options={"width_domain": domains, **m.options})
        if m.share_scale
        else m
        for m in spec.maps
    ]
    return dataclasses.replace(spec, maps=maps)


def _map_frames(
    spec: BuildSpec, maps: Sequence[MapSpec], allow_unresolved: bool, cache: dict[Any, Any]
) -> Any:
    """Yield each map's flows as a frame (inputs read once, filter applied).

    Maps whose inputs cannot be read are left out; they fail on their own when built.
    """
    for m in maps:
        try:
            parts = [
                _read_input(spec, spec.inputs[name], allow_unresolved, cache, [])
                for name in m.inputs
            ]
            flows = concat_flowsets(parts)
            if m.filter:
                flows = flows.filter(**m.filter)
        except Exception:  # reported when the map itself is built
            continue
        yield m, flows.to_geodataframe()


def share_palettes(
    spec: BuildSpec, *, allow_unresolved: bool = False, _cache: dict[Any, Any] | None = None
) -> BuildSpec:
    r"""Give the maps of a build one palette: a category has one colour on every map.

    Each map colours its flows by the sorted values it holds, so a category missing from one
    map would shift every colour after it. Here the values of every map that colours by the
    same field with the same ``palette`` are gathered, coloured once
    (:func:`geoflows.style.category_colors`), and each of those maps gets the whole mapping as
    its ``palette`` (a palette of ``{value: colour}`` a map sets keeps its colours: it is
    part of what is shared). Maps whose inputs cannot be read are left out here.

    Parameters
    ----------
    spec : BuildSpec
    allow_unresolved : bool
        As for :func:`build`.

    Returns
    -------
    BuildSpec
        The same spec, with ``palette`` set to a ``{value: colour}`` mapping on every map read.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from geoflows.build import BuildSpec, share_palettes
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "f.csv").write_text(
    ...     "origin,destination,category\nRajin,Vladivostok,shells\nRajin,Dunai,containers\n")
    >>> spec = BuildSpec.from_dict({"inputs": {"f": "f.csv"}, "maps": [
    ...     {"name": "a", "input": "f", "filter": {"categories": "shells"}},
    ...     {"name": "b", "input": "f"}]}, base_dir=d)
    >>> [m.options["palette"]["shells"] for m in share_palettes(spec).maps]
    ['#D55E00', '#D55E00']
    """
    import dataclasses
    import json

    from geoflows.style import category_colors, confidence_level

    values: dict[str, list[Any]] = {}  # one list per (colour field, palette given)
    keys: dict[str, str] = {}  # map name -> its key
    for m, g in _map_frames(spec, spec.maps, allow_unresolved, {} if _cache is None else _cache):
        color_by = m.options.get("color_by", "category")
        if color_by not in g.columns:
            continue
        key = json.dumps([color_by, m.options.get("palette")], sort_keys=True, default=str)
        texts = g[color_by].fillna("").astype(str)
        if color_by == "confidence":
            texts = texts.map(confidence_level)
        values.setdefault(key, []).extend(texts.tolist())
        keys[m.name] = key
    if not keys:
        return spec
    palettes = {
        key: category_colors(found, json.loads(key)[1]) for key, found in values.items()
    }
    maps = [
        dataclasses.replace(m, options={**m.options, "palette": palettes[keys[m.name]]})
        if m.name in keys
        else m
        for m in spec.maps
    ]
    return dataclasses.replace(spec, maps=maps)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


_WORKER_CACHE: dict[Any, Any] = {}


def _init_worker() -> None:
    # Ctrl-C is the parent's to handle: it cancels the maps not started and waits for the ones
    # being written, so workers never die half-way through a write or print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_CACHE.clear()


def _worker_build(spec: BuildSpec, m: MapSpec, allow_unresolved: bool, force: bool) -> MapResult:
    return _build_one(spec, m, allow_unresolved, force, _WORKER_CACHE)


def _load_gazetteer(path: Path, cache: dict[Any, Any]) -> Any:
    key = ("gazetteer", str(path))
    if key not in cache:
        from geoflows.io import check_input_file
        from geoflows.places import Gazetteer

        cache[key] = Gazetteer.from_csv(check_input_file(path, what="gazetteer"))
    return cache[key]


def _read_input(
    spec: BuildSpec, inp: InputSpec, allow_unresolved: bool, cache: dict, notes: list[str]
) -> Any:
    """Read one input once per process; failures and warnings are cached with it."""
    key = ("input", str(inp.path), inp.route, inp.country, allow_unresolved)
    if key not in cache:
        from geoflows import read_flows

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GeoflowsWarning)
            try:
                gaz = _load_gazetteer(spec.gazetteer, cache) if spec.gazetteer else None
                flows = read_flows(
                    inp.path, gazetteer=gaz, allow_unresolved=allow_unresolved, **inp.read_options()
                )
                result: tuple[bool, Any] = (True, flows)
            except Exception as e:
                result = (False, e)
        cache[key] = (*result, _warning_notes(caught))
    ok, value, input_notes = cache[key]
    if not ok:
        raise value
    notes.extend(n for n in input_notes if n not in notes)
    return value


def _warning_notes(caught: Sequence[warnings.WarningMessage]) -> list[str]:
    out: list[str] = []
    for w in caught:
        if not issubclass(w.category, GeoflowsWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            continue
        text = str(w.message).splitlines()[0]
        # Unresolved places get their own note, listing the names (told by the warning's
        # reason code, not by its wording).
        if getattr(w.message, "reason", None) != "unresolved" and text not in out:
            out.append(text)
    return out


def concat_flowsets(flowsets: Sequence[Any]) -> Any:
    """Concatenate FlowSets, in order, into one.

    Examples
    --------
    >>> import geoflows as gf
    >>> from geoflows.build import concat_flowsets
    >>> a = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok", "volume": 1}])
    >>> len(concat_flowsets([a, a]))
    2
    """
    from geoflows.flows import FlowSet

    if len(flowsets) == 1:
        return flowsets[0]
    return FlowSet.concat(list(flowsets))


def _unresolved_note(flowsets: Sequence[Any]) -> str:
    names: list[str] = []
    for fs in flowsets:
        table = getattr(fs, "unresolved", None)
        if table is None or len(table) == 0:
            continue
        for value, status in zip(table["value"], table["status"], strict=False):
            item = f"{value} ({status})"
            if item not in names:
                names.append(item)
    if not names:
        return ""
    shown = ", ".join(names[:8]) + (f", +{len(names) - 8} more" if len(names) > 8 else "")
    return f"unresolved, left out: {shown}"


def _build_one(
    spec: BuildSpec, m: MapSpec, allow_unresolved: bool, force: bool, cache: dict[Any, Any]
) -> MapResult:
    t0 = time.perf_counter()
    out = spec.output_path(m)
    n_flows: int | None = None
    notes: list[str] = []
    phase = "read"
    try:
        given = [spec.inputs[name].path for name in m.inputs if name in spec.inputs]
        check_output_is_not_an_input(
            out, [*given, spec.gazetteer, spec.source], what=f"map {m.name!r}"
        )
        parts = [
            _read_input(spec, spec.inputs[name], allow_unresolved, cache, notes)
            for name in m.inputs
        ]
        flows = concat_flowsets(parts)
        if m.filter:
            flows = flows.filter(**m.filter)
        n_flows = len(flows)
        phase = "render"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GeoflowsWarning)
            html = flows.to_html(**m.options)
        phase = "write"
        written = _write_if_changed(out, html.encode("utf-8"), force=force)
        status = "built" if written else "unchanged"
        notes = [_unresolved_note(parts), *notes, *_warning_notes(caught)]
        if n_flows == 0:
            notes.append("no flows match the filter" if m.filter else "no flows")
        reason = "; ".join(x for x in notes if x)
    except Exception as e:
        msg, hint = describe_error(e)
        if phase == "render" and getattr(e, "hint", None) is None:
            hint = "check this map's `options` and the file's `defaults` (see docs/build.md)"
        status, reason = "failed", f"{msg} — hint: {hint}"
    return MapResult(m.name, out, status, reason, n_flows, time.perf_counter() - t0)


def _write_if_changed(path: Path, data: bytes, *, force: bool = False) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds the same bytes.

    Returns True when the file was written.
    """
    if not force and path.is_file():
        digest = hashlib.sha256(data).digest()
        if hashlib.sha256(path.read_bytes()).digest() == digest:
            return False
    write_atomic(path, data)
    return True


def _sweep_temp_files(spec: BuildSpec) -> None:
    """After an interruption, remove temporary files this build's workers may have left.

    The workers are gone by now, so their folders go whatever their age; a live process's
    (another build writing into the same folder) are kept.
    """
    for m in spec.maps:
        remove_stale_temporaries(spec.output_dir / f"{m.name}.html", min_age=0)


#: ``gf.build_maps`` — the name :func:`build` has at the package level.
build_maps = build
