"""Report text → candidate flow records, each field with its evidence in the text.

Rules, not a model: places come from the gazetteer's exact names, amounts, dates, hedges, modes
and attributions from the patterns in ``_rules``. Precision first: a field the text does not
state stays empty, and anything uncertain is said in ``notes``. See ``docs/extract.md``.

Examples
--------
>>> import geoflows as gf
>>> flows = gf.extract_flows(
...     "Officials confirmed that 300 containers were shipped from Rajin to Vladivostok.",
...     published="2024-06-27",
... )
>>> flows.records[["origin", "destination", "volume", "unit", "confidence"]].values.tolist()
[['Rajin', 'Vladivostok', 300.0, 'containers', 'confirmed']]
"""

from __future__ import annotations

import html
import json
from datetime import date
from typing import Any

import pandas as pd

from geoflows.errors import ExtractError
from geoflows.flows import FlowSet

__all__ = ["MAX_TEXT_BYTES", "ExtractedFlows", "extract_flows"]

#: The largest report text read (bytes of UTF-8).
MAX_TEXT_BYTES = 100 * 1024 * 1024
_COLUMNS = [
    "id", "origin", "destination", "via", "volume", "volume_low", "volume_high", "unit",
    "kind", "category", "mode", "start", "end", "confidence", "source", "notes", "group",
    "evidence",
]  # fmt: skip


class ExtractedFlows(FlowSet):
    """A FlowSet made by :func:`extract_flows`: records, evidence and a reviewing display.

    ``records`` holds the candidate records as text (dates keep their month or year
    precision; ``evidence`` is JSON text); ``reason`` says why the result is empty when it is.

    Examples
    --------
    >>> import geoflows as gf
    >>> flows = gf.extract_flows("Ties between Moscow and Pyongyang grew.")
    >>> len(flows), flows.reason
    (0, 'no sentence states a movement between two places')
    """

    records: pd.DataFrame
    reason: str = ""

    def review_html(self) -> str:
        """Show the records as an HTML table, each field's evidence highlighted in its sentence.

        All text from the report is escaped: nothing in it becomes markup.

        Examples
        --------
        >>> import geoflows as gf
        >>> f = gf.extract_flows("<b>Officials</b> said 5 trucks moved from Kyiv to Lviv.")
        >>> "<b>" in f.review_html(), "&lt;b&gt;" in f.review_html()
        (False, True)
        """
        return review_html(self.records, self.reason)

    def _repr_html_(self) -> str:
        if not len(self):
            return self.review_html()
        return self.review_html() + super()._repr_html_()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        out = super()._repr_mimebundle_(include, exclude) if len(self) else {}
        out["text/html"] = self._repr_html_()
        out.setdefault("text/plain", f"{len(self)} extracted record(s). {self.reason}".strip())
        return out


def _marked(text: str, spans: dict[str, list[list[int]]]) -> str:
    """Escape the sentence and put each field's spans in ``<mark>`` (innermost wins)."""
    owner: list[str] = [""] * len(text)
    for name, ss in sorted(spans.items()):
        for s, e in ss:
            for k in range(max(s, 0), min(e, len(text))):
                owner[k] = owner[k] or name
    out, k = [], 0
    while k < len(text):
        j = k
        while j < len(text) and owner[j] == owner[k]:
            j += 1
        chunk = html.escape(text[k:j])
        if owner[k]:
            out.append(f'<mark title="{html.escape(owner[k])}">{chunk}</mark>')
        else:
            out.append(chunk)
        k = j
    return "".join(out)


def review_html(records: pd.DataFrame, reason: str = "") -> str:
    """Build an HTML table of extracted records with the evidence of each field highlighted."""
    if records.empty:
        return f"<p>No records extracted: {html.escape(reason)}</p>"
    shown = [c for c in _COLUMNS if c not in ("evidence",) and c in records.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in shown) + "<th>evidence</th>"
    rows = []
    for rec in records.to_dict("records"):
        ev = json.loads(rec["evidence"])
        cells = "".join(
            f"<td>{html.escape('' if pd.isna(rec.get(c)) else str(rec.get(c)))}</td>" for c in shown
        )
        rows.append(f"<tr>{cells}<td>{_marked(ev['text'], ev['spans'])}</td></tr>")
    return (
        '<table class="geoflows-extract"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _published(value: str | date | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ExtractError(
            f"published={value!r} is not a date: give the report's date as YYYY-MM-DD, "
            "e.g. published='2024-06-27'"
        ) from None


def _check_text(text: object) -> str:
    if isinstance(text, bytes):
        if b"\x00" in text[:65536]:
            raise ExtractError("the report is binary (it holds NUL bytes): give its text")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ExtractError(f"the report is not UTF-8 text ({e}): convert it first") from None
    if not isinstance(text, str):
        raise ExtractError(f"text must be str, got {type(text).__name__}: pass the report text")
    if len(text) > MAX_TEXT_BYTES // 4 and len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ExtractError(
            f"the report is larger than {MAX_TEXT_BYTES // 2**20} MB: split it into reports"
        )
    if "\x00" in text:
        raise ExtractError("the report is binary (it holds NUL characters): give its text")
    head = text.lstrip()[:2000].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head):
        raise ExtractError(
            "the report is HTML: save the page as plain text (or copy its text) and extract that"
        )
    return text


def extract_flows(
    text: str | bytes,
    *,
    published: str | date | None = None,
    source: str | None = None,
    gazetteer: Any = None,
    lang: str | None = None,
) -> ExtractedFlows:
    """Candidate flow records from a report's text, each field with its evidence.

    Parameters
    ----------
    text : str or bytes
        The report as plain text (UTF-8 when bytes). Not HTML, not binary, at most
        :data:`MAX_TEXT_BYTES`.
    published : str or datetime.date, optional
        The report's date (``YYYY-MM-DD``); relative dates ("last year", "next month",
        "on Monday") are resolved against it and left empty, with a note, without it.
    source : str, optional
        The report itself; put first in every record's ``source``, before whom the
        text attributes the facts to.
    gazetteer : Gazetteer, optional
        Where place names are looked up (default: the built-in offline gazetteer).
    lang : str, optional
        ``"en"`` (or None). Other languages: place names in any script resolve, but the
        amount, date and hedge rules are English.

    Returns
    -------
    ExtractedFlows
        A FlowSet of the records (places resolved), with ``records`` (text, one row per
        record, an ``evidence`` JSON column) and ``reason`` when empty.

    Raises
    ------
    ExtractError
        For empty, binary, HTML or too large text, or a ``published`` that is not a date.

    Examples
    --------
    >>> import geoflows as gf
    >>> f = gf.extract_flows(
    ...     "Last year, North Korea reportedly supplied Russia with more than 200,000 shells.",
    ...     published="2024-06-27",
    ... )
    >>> r = f.records.iloc[0]
    >>> r.origin, r.destination, float(r.volume_low), r.unit, r.start, r.confidence
    ('North Korea', 'Russia', 200000.0, 'shells', '2023', 'reported')
    """
    from geoflows.extract._reader import Context, PlaceFinder, read_sentence, records, sentences
    from geoflows.places import Gazetteer

    text = _check_text(text)
    if lang not in (None, "en"):
        raise ExtractError(f"lang={lang!r} is not supported: use 'en' (or leave it out)")
    pub = _published(published)
    if not text.strip():
        raise ExtractError("the report text is empty: give the text of a report")
    gaz = gazetteer or Gazetteer.default()
    finder = PlaceFinder(gaz)
    ctx = Context(published=pub, source=source or "")
    for i, (offset, sent) in enumerate(sentences(text)):
        read_sentence(i, offset, sent, ctx, finder)
    recs = records(ctx.drafts)
    frame = pd.DataFrame(recs, columns=_COLUMNS)
    return _flowset(frame, gaz)


def _flowset(frame: pd.DataFrame, gaz: Any) -> ExtractedFlows:
    import geopandas as gpd

    from geoflows.io import read_flows

    if frame.empty:
        out = ExtractedFlows(gpd.GeoDataFrame(frame, geometry=[], crs="EPSG:4326"))
        out.records, out.reason = frame, "no sentence states a movement between two places"
        return out
    fs = read_flows(frame, gazetteer=gaz, allow_unresolved=True)
    out = ExtractedFlows(fs._gdf, unresolved=fs.unresolved, source=fs.source)
    out.records = frame
    return out
