"""The layers of geoflows hold: import-linter's contracts (.importlinter) and the docs page."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 4 kept, 0 broken." in done.stdout


def test_architecture_page_names_every_layer() -> None:
    config = (ROOT / ".importlinter").read_text(encoding="utf-8")
    block = config.split("layers =", 1)[1].split("ignore_imports", 1)[0]
    layers = re.findall(r"geoflows\.[\w.]+", block)
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert sorted(n.split(".")[1] for n in layers) == sorted(PARTS)
    for name in layers:
        assert f"`{name}`" in page, name
    ignored = re.findall(r"(geoflows\.\w+) -> (geoflows\.\w+)", config)
    for source, target in ignored:
        assert f"`{source}` → `{target}`" in page, (source, target)


PARTS = ("cli", "build", "widget", "aggregate", "extract", "io", "_layouts", "flows", "render", "routes",
         "places", "mapoptions", "style", "schema", "options", "_files", "_land", "errors")  # fmt: skip


def test_architecture_page_lists_each_parts_imports() -> None:
    import grimp

    graph = grimp.build_graph("geoflows", exclude_type_checking_imports=True, cache_dir=None)

    def part(module: str) -> str | None:
        bits = module.split(".")
        return bits[1] if len(bits) > 1 and bits[1] in PARTS else None

    imports: dict[str, set[str]] = {p: set() for p in PARTS}
    for module in graph.modules:
        source = part(module)
        if source is None:
            continue
        for target in graph.find_modules_directly_imported_by(module):
            if part(target) not in (None, source):
                imports[source].add(str(part(target)))
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for source in PARTS:
        cell = ", ".join(f"`{t}`" for t in PARTS if t in imports[source]) or "—"
        assert f"| `{source}` | {cell} |" in page, (source, cell)
