"""What render draws from: plain frames, never a FlowSet's insides.

Render functions take the flows as a GeoDataFrame: one row per flow, the contract's fields, the
resolved places and a line each (EPSG:4326). ``FlowSet`` methods hand over their frame. An
object that is not a DataFrame (a ``FlowSet`` given to :class:`~geoflows.render.FlowLayer` or
:func:`~geoflows.render.flow_map` directly) is asked for its frame through its public
``to_geodataframe``, so render imports neither ``geoflows.flows`` nor ``geoflows.io``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def flow_frame(flows: Any) -> pd.DataFrame:
    """Return the frame of ``flows``: a DataFrame as it is, else the one it gives.

    Lines are asked for as the map draws them: continuous longitudes, and geodesics as their
    two endpoints (the browser rebuilds the curve), as ``read_flows`` keeps them.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Vladivostok"}])
    >>> frame = flow_frame(flows)
    >>> flow_frame(frame) is frame, len(frame.geometry.iloc[0].coords)
    (True, 2)
    """
    if isinstance(flows, pd.DataFrame):
        return flows
    return flows.to_geodataframe(split_antimeridian=False, dense=False)


def unresolved_table(flows: Any, unresolved: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the rows left off the map: ``unresolved`` if given, else ``flows.unresolved``.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.read_flows([{"origin": "Rajin", "destination": "Xqzzyville"}],
    ...                       allow_unresolved=True)
    >>> len(unresolved_table(flows)), len(unresolved_table(flow_frame(flows)))
    (1, 0)
    """
    if unresolved is None:
        unresolved = getattr(flows, "unresolved", None)
    return pd.DataFrame() if unresolved is None else unresolved
