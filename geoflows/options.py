"""Session-wide display options: ``gf.options``.

Only how maps are *shown in notebooks* is set here; everything about a map itself is an argument
of :meth:`FlowSet.to_folium` / :meth:`FlowSet.save_map`, so saved files never depend on this state.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Options", "options"]

_CHOICES: dict[str, tuple[Any, ...]] = {
    # "inline": every map in a notebook carries Leaflet and our script (about 200 KB a map) and
    # shows with no network. "cdn": maps load Leaflet from a pinned CDN URL with an integrity
    # hash: a notebook with ten maps stays small, but its maps need the network to show.
    "notebook_assets": ("inline", "cdn"),
    # A PNG of the static figure in every notebook output, shown by untrusted notebooks and
    # static viewers (GitHub, nbviewer) that cannot run the live map.
    "notebook_png": (True, False),
}


class Options:
    """Display options for notebooks, checked when set.

    Attributes
    ----------
    notebook_assets : {'inline', 'cdn'}
        Where a notebook map takes Leaflet and our script from. ``'inline'`` (default) works with
        no network; ``'cdn'`` keeps notebooks small (a few KB a map instead of ~200 KB) but
        needs the network to show the map.
    notebook_png : bool
        Add a PNG picture of the flows to each notebook output (default ``True``), for untrusted
        notebooks and static viewers.

    Examples
    --------
    >>> import geoflows as gf
    >>> gf.options.notebook_assets
    'inline'
    >>> gf.options.notebook_assets = "cdn"
    >>> gf.options.reset()
    >>> gf.options.notebook_assets = "web"
    Traceback (most recent call last):
    ...
    geoflows.errors.OptionError: notebook_assets must be one of 'inline', 'cdn'; got 'web'
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Set every option back to its default.

        Examples
        --------
        >>> import geoflows as gf
        >>> gf.options.reset()
        """
        for name, choices in _CHOICES.items():
            object.__setattr__(self, name, choices[0])

    def __setattr__(self, name: str, value: Any) -> None:
        """Set an option, refusing unknown names and values outside its choices."""
        from geoflows.errors import OptionError

        if name not in _CHOICES:
            raise OptionError(f"unknown option {name!r}; the options are {', '.join(_CHOICES)}")
        if value not in _CHOICES[name] or type(value) is not type(_CHOICES[name][0]):
            allowed = ", ".join(repr(c) for c in _CHOICES[name])
            raise OptionError(f"{name} must be one of {allowed}; got {value!r}")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        """Show every option and its value."""
        return "Options(" + ", ".join(f"{k}={getattr(self, k)!r}" for k in _CHOICES) + ")"


#: The session's options (``gf.options``).
options = Options()
