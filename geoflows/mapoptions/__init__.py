"""Map options, defined once: ``MAP_OPTIONS``.

Every option a map takes (``title``, ``scale``, ``color_by``, ...) is one :class:`MapOption`:
its name, kind, default, help text, allowed values, whether a list is expected, whether static
figures take it, its ``geoflows map`` flag and its build-file JSON Schema. The CLI flags, the
build-file schema (``geoflows schema``) and the options table of the docs are generated from
it, and :meth:`MapOptions.check` checks the options of every entry point against it
(:meth:`FlowSet.to_folium`, :meth:`FlowSet.save_map`, :meth:`FlowSet.save_png`, build files,
the CLI). The flow vocabularies used in filters come from :mod:`geoflows.schema` the same way
(:data:`FILTER_VOCABULARIES`).

This module imports only :mod:`geoflows.errors`, :mod:`geoflows.schema` and
:mod:`geoflows.style`, so every part may use it.
"""

from __future__ import annotations

from geoflows.mapoptions._model import MapOption, MapOptions
from geoflows.mapoptions._options import FILTER_VOCABULARIES, MAP_OPTIONS, vocabulary_table

__all__ = ["FILTER_VOCABULARIES", "MAP_OPTIONS", "MapOption", "MapOptions", "vocabulary_table"]
