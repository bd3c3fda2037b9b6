"""Batch builds: many maps from one YAML build file.

A build file names flow inputs, the filters and map options of each map, and where the maps go.
:func:`load_build_file` reads and validates it (every problem at once, each naming its key path);
:func:`build` renders every map, each on its own: one failing map never stops the others. Each
output is written atomically (a private temporary folder beside it, ``fsync``, ``os.replace``; see
:func:`geoflows.io.atomic_output`) and left untouched when its content has not changed.

See ``docs/build.md`` for the file format, and ``geoflows schema`` for its JSON Schema.

Examples
--------
>>> import geoflows as gf
>>> from geoflows.build import BuildSpec
>>> spec = BuildSpec.from_dict(
...     {"inputs": {"a": "a.csv"}, "maps": [{"name": "m", "input": "a"}]}, base_dir="/data"
... )
>>> spec.maps[0].inputs, str(spec.inputs["a"].path)
(('a',), '/data/a.csv')
"""

from __future__ import annotations

from geoflows.build._errors import describe_error
from geoflows.build._run import (
    BuildReport,
    MapResult,
    build,
    build_maps,
    concat_flowsets,
    share_palettes,
    share_scales,
    text_table,
)
from geoflows.build._spec import (
    BuildSpec,
    InputSpec,
    MapSpec,
    build_schema,
    load_build_file,
    validate_build_data,
)

__all__ = [
    "BuildReport",
    "BuildSpec",
    "InputSpec",
    "MapResult",
    "MapSpec",
    "build",
    "build_maps",
    "build_schema",
    "concat_flowsets",
    "describe_error",
    "load_build_file",
    "share_palettes",
    "share_scales",
    "text_table",
    "validate_build_data",
]
