"""``FlowWidget``: the map as a live Jupyter widget whose state Python can read and set.

The widget shows the same page as :meth:`FlowSet.save_map` in a sandboxed frame (anywidget), and
mirrors the map's state into Python: the flows the user clicked or left visible through the
filter and time slider (:attr:`FlowWidget.selected`, a :class:`FlowSet` with every field and
source), the slider's day and window, and the view bounds. Setting :attr:`FlowWidget.at` or
:attr:`FlowWidget.flows` from Python redraws the map. Needs the ``widget`` extra
(``pip install "geoflows[widget]"``).
"""

from __future__ import annotations

import datetime as _dt
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

try:
    import anywidget
    import traitlets
except ImportError as _err:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "gf.FlowWidget needs the 'widget' extra: pip install \"geoflows[widget]\" "
        f"(anywidget is missing: {_err})"
    ) from _err

from geoflows.errors import OptionError

if TYPE_CHECKING:
    from geoflows.flows import FlowSet

__all__ = ["FlowWidget"]


@cache
def _asset(name: str) -> str:
    return resources.files("geoflows").joinpath("_data", name).read_text(encoding="utf-8")


def _day(value: Any) -> str | None:
    """Return the ISO day of a date, datetime, Timestamp or ISO text; ``None`` means all dates."""
    if value is None:
        return None
    import pandas as pd

    try:
        if isinstance(value, str | _dt.date | pd.Timestamp):
            stamp = pd.Timestamp(value)
            if not pd.isna(stamp):
                return stamp.strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        pass
    raise OptionError(f"at must be a date like '2023-11-01' or None (all dates); got {value!r}")


class FlowWidget(anywidget.AnyWidget):
    """A live flow map in a notebook, with its selection, time and view readable from Python.

    Parameters
    ----------
    flows : FlowSet
        The flows to draw.
    height : int
        Height of the map in pixels.
    **options
        Map options, as for :meth:`FlowSet.save_map` (``title``, ``tiles``, ``color_by``, ...).

    Attributes
    ----------
    selected : FlowSet
        The flows the user clicked, or, when none is clicked, those left visible by the filter
        and the time slider.
    at : str or None
        The slider's day (``None``: all dates). Set it to move the slider.
    time_window : tuple of str
        First and last day of the flows the slider shows now; empty when all dates show.
    bounds : tuple of float
        The view: south, west, north, east.

    Examples
    --------
    >>> import geoflows as gf
    >>> w = gf.FlowWidget(gf.read_flows("data/black_sea_grain_2023.csv"))
    >>> w.at = "2023-03-01"
    >>> w.at, len(w.selected)
    ('2023-03-01', 5)
    """

    _esm = _asset("widget.js")
    _css = ".geoflows-widget-frame{width:100%;border:none;display:block}"

    page = traitlets.Unicode("").tag(sync=True)
    height = traitlets.Int(520).tag(sync=True)
    at = traitlets.Any(None, allow_none=True).tag(sync=True)
    selected_ids = traitlets.List(traitlets.Unicode()).tag(sync=True)
    visible_ids = traitlets.List(traitlets.Unicode()).tag(sync=True)
    time_window = traitlets.List(traitlets.Unicode()).tag(sync=True)
    bounds = traitlets.List(traitlets.Float()).tag(sync=True)

    def __init__(self, flows: FlowSet, *, height: int = 520, **options: Any) -> None:
        super().__init__(height=int(height))
        self._options = options
        self.flows = flows

    @property
    def flows(self) -> FlowSet:
        """The flows on the map; setting it redraws the map with the same options."""
        return self._flows

    @flows.setter
    def flows(self, flows: FlowSet) -> None:
        self._flows = flows
        page = flows.to_html(**self._options)
        bridge = "<script>" + _asset("widget_bridge.js") + "</script>"
        head, sep, tail = page.rpartition("</body>")
        self.selected_ids, self.visible_ids, self.time_window = [], [], []
        self.page = head + bridge + sep + tail if sep else page + bridge

    @traitlets.validate("at")
    def _check_at(self, proposal: dict[str, Any]) -> str | None:
        return _day(proposal["value"])

    def _subset(self, ids: list[str]) -> FlowSet:
        wanted = set(ids)
        mask = self._flows.to_geodataframe(split_antimeridian=False)["id"].astype(str).isin(wanted)
        return self._flows[mask.to_numpy()]

    @property
    def selected(self) -> FlowSet:
        """The clicked flows, or else the flows visible now (filter and time slider)."""
        if self.selected_ids:
            return self._subset(list(self.selected_ids))
        if self.visible_ids or self.time_window:
            return self._subset(list(self.visible_ids))
        return self._flows
