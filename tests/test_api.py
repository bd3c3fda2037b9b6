"""The public API: every public module says what it exports, and the docs' names are exported.

STYLE.md rule 2: public names are re-exported from ``geoflows/__init__.py`` and listed in
``__all__``; each module declares its ``__all__`` (shapely's habit), sorted the way ruff's
RUF022 sorts it (CONSTANTS, then Classes, then functions).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
from pathlib import Path

import pytest

import geoflows as gf

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Every module of the package, imported (``__main__`` would run the CLI).
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(gf.__path__, "geoflows.")
    if not m.name.endswith("__main__")
)
#: Modules a user imports: no part of the dotted name starts with an underscore.
PUBLIC = ["geoflows"] + [m for m in MODULES if not any(p.startswith("_") for p in m.split("."))]


def _ruff_order(name: str) -> tuple[int, str]:
    """Sort key of ruff's RUF022: SCREAMING_CASE, then CamelCase, then everything else."""
    if len(name) > 1 and name.isupper():
        return 0, name
    if name[:1].isupper():
        return 1, name
    return 2, name


def _documented_names() -> set[str]:
    """Every ``gf.<name>`` the docs and the README show users."""
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))
    text += (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"\bgf\.([A-Za-z_][A-Za-z0-9_]*)", text))


def test_module_list_is_the_package() -> None:
    # Guards the parametrisations below against an empty or partial walk.
    assert {"geoflows.style", "geoflows.places", "geoflows.places._place", "geoflows.cli"} <= set(
        MODULES
    )
    assert "geoflows.places._place" not in PUBLIC and "geoflows.style" in PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_public_module_declares_a_sorted_all(name: str) -> None:
    module = importlib.import_module(name)
    exported = module.__dict__.get("__all__")
    assert isinstance(exported, list) and exported, f"{name} has no __all__"
    assert all(isinstance(n, str) for n in exported)
    assert len(set(exported)) == len(exported), f"{name}.__all__ repeats a name"
    assert exported == sorted(exported, key=_ruff_order), f"{name}.__all__ is not sorted"


@pytest.mark.parametrize("name", MODULES + ["geoflows"])
def test_every_exported_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    missing = [n for n in getattr(module, "__all__", ()) if not hasattr(module, n)]
    assert missing == []


def test_private_names_are_not_exported() -> None:
    for name in MODULES + ["geoflows"]:
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", ())
        assert [n for n in exported if n.startswith("_") and n != "__version__"] == [], name


def test_top_level_all_covers_the_documented_api() -> None:
    documented = _documented_names()
    # The names docs/api.md lists in its introduction must be among those found.
    assert {"read_flows", "FlowSet", "geocode", "FlowLayer", "Gazetteer"} <= documented
    assert sorted(documented - set(gf.__all__)) == []


def test_top_level_all_matches_what_geoflows_offers() -> None:
    offered = {
        n
        for n in dir(gf)
        if not n.startswith("_")
        and n != "annotations"  # from __future__ import annotations
        and not isinstance(getattr(gf, n), types.ModuleType)
    }
    assert offered | {"__version__"} == set(gf.__all__)


def test_api_page_documents_public_modules() -> None:
    sections = re.findall(r"^::: (geoflows[\w.]*)$", (DOCS / "api.md").read_text(), re.M)
    assert "geoflows.style" in sections and "geoflows.aggregate" in sections
    assert sorted(set(sections) - set(PUBLIC)) == []
