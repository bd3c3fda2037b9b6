"""Notebook outputs in a real JupyterLab (started on a free local port), driven by Chromium.

A saved notebook is reopened the way a user reopens it: the kernel is not run again, JupyterLab
renders the stored outputs. Trusted, the map must fit its flows although its frame had no size
when it first drew; untrusted, the picture and the hint must show instead of nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "geoflows-test"
CELL = (
    "import geoflows as gf\n"
    f"flows = gf.read_flows({str(ROOT / 'data' / 'black_sea_grain_2023.csv')!r})\n"
    "flows"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A JupyterLab server of our own: its own config, data (trust database) and root folder."""
    pytest.importorskip("jupyterlab")
    base = tmp_path_factory.mktemp("jupyterlab")
    env = dict(os.environ)
    for name in ("config", "data", "runtime", "root"):
        (base / name).mkdir()
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    port = _free_port()
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}", "--ServerApp.allow_root=True",
        f"--ServerApp.root_dir={base / 'root'}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = open(base / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((base / "server.log").read_text()[-2000:]) from None
                time.sleep(0.5)
        yield {"url": url, "root": base / "root", "env": env}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _saved_notebook(server: dict[str, Any], name: str, *, trusted: bool) -> str:
    """Run the cell in a fresh kernel, store the notebook with its outputs, sign it if trusted."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.sign import NotebookNotary

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CELL)]
    NotebookClient(nb, timeout=180, kernel_name="python3").execute(cwd=str(ROOT))
    if trusted:
        NotebookNotary(data_dir=server["env"]["JUPYTER_DATA_DIR"]).sign(nb)
    nbformat.write(nb, server["root"] / name)
    return name


def _open_notebook(browser: Any, server: dict[str, Any], name: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.goto(f"{server['url']}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell")
    # the kernel is started and idle (status bar) before a cell is run
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=120_000)
    return page


def _open(browser: Any, server: dict[str, Any], name: str, size: tuple[int, int]) -> Any:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_default_timeout(60_000)
    page.goto(f"{server['url']}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
    return page


def test_untrusted_notebook_shows_picture_and_hint(browser: Any, jupyterlab: dict) -> None:
    name = _saved_notebook(jupyterlab, "untrusted.ipynb", trusted=False)
    page = _open(browser, jupyterlab, name, (1280, 900))
    try:
        output = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
        assert output.locator("iframe").count() == 0
        picture = output.locator("img")
        picture.wait_for(state="visible")
        assert picture.evaluate("img => img.naturalWidth") == 640
        assert "Trust Notebook" in output.inner_text()
    finally:
        page.close()


def test_reopened_trusted_notebook_fits_the_flows(browser: Any, jupyterlab: dict) -> None:
    name = _saved_notebook(jupyterlab, "trusted.ipynb", trusted=True)
    page = _open(browser, jupyterlab, name, (1280, 900))
    try:
        output = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
        output.locator("iframe").wait_for()
        frame = output.locator("iframe").element_handle().content_frame()
        frame.wait_for_function("document.querySelector('.folium-map') !== null")
        js_map = "window[document.querySelector('.folium-map').id]"
        frame.wait_for_function(f"{js_map} && {js_map}.getSize().x > 100")
        time.sleep(1.0)  # let a fit on resize, if any, run
        zoom = frame.evaluate(f"{js_map}.getZoom()")
        # The grain corridor (Odesa–Istanbul–Alexandria) fits at a regional zoom, never at 19.
        assert 3 <= zoom <= 7, zoom
        inside = frame.evaluate(
            f"{js_map}.getBounds().contains(L.latLngBounds([[31.2, 28.9], [46.5, 30.8]]))"
        )
        assert inside
        # The picture and the hint step aside once the live map has loaded.
        assert output.locator(".geoflows-fallback").is_hidden()
    finally:
        page.close()


# --------------------------------------------------------------------------- the live widget
WIDGET_CELLS = [
    "import geoflows as gf\n"
    f"flows = gf.read_flows({str(ROOT / 'data' / 'black_sea_grain_2023.csv')!r})\n"
    "w = gf.FlowWidget(flows, height=460)\n"
    "w",
    "print('SELECTED', sorted(w.selected.to_geodataframe()['id']), list(w.selected_ids))",
    "w.at = '2023-03-01'",
    "print('AT', w.at, list(w.time_window), len(w.visible_ids))",
]


def _run_cell(page: Any, k: int) -> None:
    """Run the k-th cell the way a user does: click into it, Shift+Enter."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(k)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def _cell_output(page: Any, k: int, startswith: str) -> str:
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(k)
    out = cell.locator(".jp-OutputArea-output").filter(has_text=startswith)
    out.wait_for()
    return out.inner_text()


def test_widget_round_trip_python_map_python(browser: Any, jupyterlab: dict) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in WIDGET_CELLS]
    nbformat.write(nb, jupyterlab["root"] / "widget.ipynb")
    page = _open_notebook(browser, jupyterlab, "widget.ipynb")
    shot = jupyterlab["root"].parent / "widget-failure.png"
    try:
        _run_cell(page, 0)
        output = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(0)
        iframe = output.locator(".geoflows-widget iframe")
        iframe.wait_for()
        frame = iframe.element_handle().content_frame()
        frame.wait_for_function("document.querySelector('[data-geoflows-visible]') !== null")
        # Map -> Python: a real click on a flow line of the map.
        layer = (
            "(() => { let f = null; window[document.querySelector('.folium-map').id]"
            ".eachLayer(l => { if (l.isGeoflows) f = l; }); return f; })()"
        )
        x, y = frame.evaluate(f"{layer}.api.pointOf(0)")
        box = iframe.bounding_box()
        inner = frame.evaluate(
            "(() => { const r = document.querySelector('.folium-map').getBoundingClientRect();"
            " return [r.left, r.top]; })()"
        )
        page.mouse.click(box["x"] + inner[0] + x, box["y"] + inner[1] + y)
        clicked = frame.evaluate("document.querySelector('.gf-popup') !== null")
        assert clicked, "the click did not open the flow's popup"
        _run_cell(page, 1)
        text = _cell_output(page, 1, "SELECTED")
        first_id = str(frame.evaluate(f"{layer}.api.flowId(0)"))
        assert f"SELECTED ['{first_id}'] ['{first_id}']" in text, text
        # Python -> map: move the slider from Python; the map follows and reports back.
        _run_cell(page, 2)
        frame.wait_for_function(
            "document.querySelector('.gf-date') && "
            "document.querySelector('.gf-date').textContent === '2023-03-01'"
        )
        assert frame.evaluate("document.querySelector('.gf-all-dates').checked") is False
        _run_cell(page, 3)
        text = _cell_output(page, 3, "AT")
        assert text.startswith("AT 2023-03-01 ['2023-01-30', '2023-03-01']"), text
    except Exception:
        page.screenshot(path=str(shot))
        print(f"screenshot of the failure: {shot}")
        raise
    finally:
        page.close()
