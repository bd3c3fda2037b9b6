"""The golden three-flow map, compared by its parts: our payload and our page parts, not folium's.

A hash of the whole page broke with every folium or branca upgrade that reworded their own
boilerplate. These goldens hold only what geoflows puts in the page:

- ``three_flows.payload.json``: the data the browser gets (compared as JSON values);
- ``three_flows.parts.json``: what the page adds to the page folium renders for a bare map —
  short parts verbatim (the drawing call, the map options we set), long ones (Leaflet, our
  script and style) as length, SHA-256 and first characters.

That the page is byte-identical in one process and across two is tested in test_render.py.
After an intended change of the output, regenerate the golden files and review their diff::

    GEOFLOWS_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from pathlib import Path

import folium
import pytest
from test_render import GOLDEN_OPTIONS, THREE_FLOWS

import geoflows as gf
from geoflows.render import map_html

GOLDEN = Path(__file__).resolve().parent / "data" / "golden"
PAYLOAD_FILE = GOLDEN / "three_flows.payload.json"
PARTS_FILE = GOLDEN / "three_flows.parts.json"
UPDATE = bool(os.environ.get("GEOFLOWS_UPDATE_GOLDEN"))
#: Parts longer than this are kept as length, digest and head rather than verbatim.
VERBATIM_CHARS = 400
#: branca's element ids: a counter in our pages (``map_0001``), random hex in folium's own.
ELEMENT_ID = re.compile(r"\b([a-z][a-z_]*)_(?:[0-9a-f]{32}|\d{4})\b")


def _normalise_ids(text: str) -> str:
    return ELEMENT_ID.sub(r"\1_ID", text)


def _added_lines(page: str, bare: str) -> list[list[str]]:
    """Return the runs of lines of ``page`` that ``bare`` does not have, in page order."""
    ours, theirs = _normalise_ids(page).splitlines(), _normalise_ids(bare).splitlines()
    matcher = difflib.SequenceMatcher(None, theirs, ours, autojunk=False)
    return [
        ours[j1:j2] for tag, _, _, j1, j2 in matcher.get_opcodes() if tag in ("insert", "replace")
    ]


def _part(text: str) -> str | dict[str, object]:
    """Keep a short part as text; a long one as its length, SHA-256 and first characters."""
    if len(text) <= VERBATIM_CHARS:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return {"chars": len(text), "sha256": digest, "starts": text[:80]}


def page_parts(page: str, bare: str, payload: str) -> list[str | dict[str, object]]:
    """Split what ``page`` adds to ``bare`` into parts, one per script or style block or run.

    The payload, golden on its own, is replaced by ``PAYLOAD`` where the page holds it whole.
    """
    parts: list[str | dict[str, object]] = []
    for run in _added_lines(page, bare):
        text = "\n".join(line.strip() for line in run).strip().replace(payload, "PAYLOAD")
        for piece in re.split(r"(?=<(?:script|style)\b)", text):
            if piece.strip():
                parts.append(_part(piece.strip()))
    return parts


@pytest.fixture(scope="module")
def three() -> gf.FlowSet:
    return gf.read_flows(THREE_FLOWS, route="geodesic")


def _golden(path: Path, text: str) -> object:
    """Return the golden JSON value of ``path``; first write ``text`` there when updating."""
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    assert path.exists(), f"{path} is missing; create it with GEOFLOWS_UPDATE_GOLDEN=1"
    return json.loads(path.read_text(encoding="utf-8"))


def test_golden_payload(three: gf.FlowSet) -> None:
    """The data the browser gets, compared as JSON values (order and spacing do not matter)."""
    options = {k: v for k, v in GOLDEN_OPTIONS.items() if k != "tiles"}
    payload = gf.FlowLayer(three, **options).payload_json()
    assert json.loads(payload)["title"] == "Golden map"
    # If intended, regenerate with GEOFLOWS_UPDATE_GOLDEN=1 and review the diff.
    assert json.loads(payload) == _golden(PAYLOAD_FILE, payload)


def test_golden_page_parts(three: gf.FlowSet) -> None:
    """Our parts of the page; folium's and branca's boilerplate is left out by comparison."""
    page = map_html(three, **GOLDEN_OPTIONS)
    bare = folium.Map(tiles=None).get_root().render()
    options = {k: v for k, v in GOLDEN_OPTIONS.items() if k != "tiles"}
    payload = gf.FlowLayer(three, basemap="countries", **options).payload_json()
    parts = page_parts(page, bare, payload)
    # No assertion on how the payload is embedded: a new embedding needs only a regenerated golden.
    assert parts, "the page adds nothing to folium's bare map"
    text = json.dumps(parts, indent=1, ensure_ascii=False)
    # If intended, regenerate with GEOFLOWS_UPDATE_GOLDEN=1 and review the diff.
    assert parts == _golden(PARTS_FILE, text)


def test_page_parts_leave_folium_out() -> None:
    # A page that adds nothing to folium's has no parts; one added block is one part.
    bare = folium.Map(tiles=None).get_root().render()
    again = folium.Map(tiles=None).get_root().render()  # other random ids, same boilerplate
    assert page_parts(again, bare, "{}") == []
    added = again.replace("</head>", "<script>ours({});</script>\n</head>")
    assert page_parts(added, bare, "{}") == ["<script>ours(PAYLOAD);</script>"]
    long_block = "<style>" + "x" * 500 + "</style>"
    (part,) = page_parts(again.replace("</head>", long_block + "\n</head>"), bare, "{}")
    assert part["chars"] == len(long_block) and part["starts"] == long_block[:80]
