"""Run every notebook top to bottom in a fresh kernel, offline, and check real output values.

Notebooks are stored without outputs; they run here with the repository root as the working
directory and write only under ``build/notebooks/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _text(output: dict) -> str:
    """The plain text of one cell output (a stream, or a result's ``text/plain``)."""
    if output["output_type"] == "stream":
        return output["text"]
    data = output.get("data", {})
    return data.get("text/plain", "")


def _output_of(nb: nbformat.NotebookNode, source: str) -> str:
    """All text output of the first code cell whose last line is ``source``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.strip().splitlines()[-1] == source:
            return "".join(_text(o) for o in cell.outputs)
    raise AssertionError(f"no cell with source {source!r}")


def _has_html(nb: nbformat.NotebookNode) -> bool:
    return any(
        "text/html" in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )


def _check_01(nb: nbformat.NotebookNode) -> None:
    assert _output_of(nb, "len(flows)").strip() == "3"
    assert "Rajin" in _output_of(nb, 'gf.geocode("Rajin")')
    assert (ROOT / "build/notebooks/01_quickstart/first_flows.gpkg").exists()
    assert (ROOT / "build/notebooks/01_quickstart/first_map.html").stat().st_size > 100_000


def _check_02(nb: nbformat.NotebookNode) -> None:
    # The container shipments Rajin → Dunai: more than one claim, kept as separate records.
    assert int(_output_of(nb, "len(claims)").strip()) >= 2
    png = ROOT / "build/notebooks/02_dprk_russia_transfers/dprk_russia_shipments.png"
    assert png.read_bytes()[:4] == b"\x89PNG"


def _check_03(nb: nbformat.NotebookNode) -> None:
    assert _output_of(nb, "len(mine)").strip() == "5"
    assert _output_of(nb, "report.ok").strip() == "True"
    names = _output_of(nb, 'sorted(p.name for p in (OUT / "maps").glob("*.html"))')
    assert "my_flows.html" in names and "mine_and_dprk.html" in names


CHECKS = {
    "01_quickstart": _check_01,
    "02_dprk_russia_transfers": _check_02,
    "03_your_own_data": _check_03,
}


def test_every_notebook_is_checked() -> None:
    assert sorted(p.stem for p in NOTEBOOKS) == sorted(CHECKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["source"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    assert _has_html(nb), "the notebook should display at least one map"
    CHECKS[path.stem](nb)
