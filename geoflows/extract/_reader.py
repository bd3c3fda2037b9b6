"""From text to candidate records: sentences, places with their roles, and one record per amount.

The place finder takes every run of capitalised words (and a following "region", "province" or
"oblast"), tries its n-grams longest first against the gazetteer's exact keys (a ``bisect``
each) and keeps the hits that resolve to a country, region, city or curated site. A place's
role comes from the word before it ("from", "to", "via", a movement verb); a place right after
another one ("Rajin, North Hamgyong Province", "Vladivostok in Russia's Far East") only
qualifies it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from geoflows.errors import AmbiguousPlace, GeocodeError
from geoflows.extract import _rules

__all__: list[str] = []

_SENTENCE = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“(]?[A-Z0-9])|\n+")
_RUN = re.compile(
    r"(?:[A-Z][\w’'.-]*|[^\W\d_a-zA-Z][\w’'.-]*)(?:\s+(?:of\s+|de\s+)?(?:[A-Z][\w’'.-]*))*"
    r"(?:\s+(?:region|province|oblast|krai|district|port))?"
)
_STOP = {
    "the", "he", "she", "it", "they", "we", "a", "an", "in", "on", "at", "as", "last", "next",
    "this", "during", "previously", "furthermore", "however", "meanwhile", "one", "two", "us",
    "president", "minister", "international", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "may", "march", "june", "july", "august", "of", "and",
    "washington", "spokesperson", "kim", "dsa", "but", "also", "after", "before", "since",
    "south", "north", "east", "west", "earlier", "later", "officials", "according", "there",
}  # fmt: skip
_KINDS_OK = {
    "country", "region", "city", "port", "rail_crossing", "rail_station", "depot", "base",
    "airfield", "site",
}  # fmt: skip
_ORIGIN = re.compile(r"(?:\bfrom|\bout of|\bleft|\bdeparted|\bby)\s+(?:the\s+)?$", re.I)
_DEST = re.compile(
    r"(?:\bto|\binto|\btowards?|\bfor|\barriv\w*\s+in|\barriv\w*\s+at|\breach\w*|\blanded\s+in|"
    r"\bvisit\w*|\bin|\bat|\bsuppl\w*|\bstrike|\bstruck|\bhit|\btrip\s+to)\s+(?:the\s+)?(?:\w+[’']s\s+)?$",  # noqa: E501
    re.I,
)
_NOT_ORIGIN = re.compile(
    r"\b(?:threats?|warnings?|criticism|condemnation|responses?|statements?|pressure|calls?|"
    r"support|officials?|reports?|sanctions)\s+from\s+(?:the\s+)?$",
    re.I,
)
_VIA = re.compile(r"(?:\bvia|\bthrough|\bacross)\s+(?:the\s+)?$", re.I)
_SUBJECT_VERB = re.compile(
    r"^\s+(?:\w+ly\s+|has\s+|have\s+|had\s+)*(?:ship\w*|suppl\w*|sent|sends|deliver\w*|"
    r"export\w*|deploy\w*|transferr?\w*|fired|launched|dispatch\w*|moved|transported)\b",
    re.I,
)
_DEMONYMS = {
    "north korean": "North Korea", "south korean": "South Korea", "russian": "Russia",
    "ukrainian": "Ukraine", "chinese": "China", "iranian": "Iran", "belarusian": "Belarus",
    "american": "United States", "turkish": "Turkey", "syrian": "Syria",
}  # fmt: skip
_DEMONYM = re.compile(
    r"\b(?P<d>North Korean|South Korean|Russian|Ukrainian|Chinese|Iranian|Belarusian)(?:-made)?\s+"
    r"(?P<w>(?:[\w-]+\s+){0,3}?(?:troops|soldiers|units?|forces|workers|President|leader|delegation|"
    r"Defen[cs]e Minister|Foreign Minister|ships?|vessels?|tankers?|aircraft))\b"
)


@dataclass
class Found:
    """A place found in a sentence: the words, the place, its role and its span."""

    text: str
    name: str
    span: tuple[int, int]
    role: str = ""
    note: str = ""
    country: str = ""
    kind: str = ""


@dataclass
class Draft:
    """A candidate record in the making, with the span of each field in its sentence."""

    sentence: int
    text: str
    offset: int
    values: dict[str, Any] = field(default_factory=dict)
    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    key: tuple = ()

    def set(self, name: str, value: Any, span: tuple[int, int] | None) -> None:
        """Set a field and remember where the sentence states it."""
        if value in ("", None):
            return
        self.values[name] = value
        if span is not None:
            self.spans.setdefault(name, []).append(span)

    def evidence(self) -> str:
        """Return the evidence as JSON text: the sentence, its offset and every field's spans."""
        return json.dumps(
            {
                "sentence": self.sentence,
                "offset": self.offset,
                "text": self.text,
                "spans": {k: [list(s) for s in v] for k, v in sorted(self.spans.items())},
            },
            ensure_ascii=False,
            sort_keys=True,
        )


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; a line break ends a sentence too."""
    out, pos = [], 0
    for m in _SENTENCE.finditer(text):
        chunk = text[pos : m.start()]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append((pos + lead, chunk.strip()))
        pos = m.end()
    chunk = text[pos:]
    if chunk.strip():
        out.append((pos + len(chunk) - len(chunk.lstrip()), chunk.strip()))
    return out


class PlaceFinder:
    """Find gazetteer places in a sentence (exact keys only; results cached per n-gram)."""

    def __init__(self, gazetteer: Any) -> None:
        from geoflows.places import normalize_name

        self._gaz = gazetteer
        self._norm = normalize_name
        self._cache: dict[str, Found | None] = {}

    def _lookup(self, words: str) -> Found | None:
        if words in self._cache:
            return self._cache[words]
        key = self._norm(words)
        hit = None
        if key and key not in _STOP and len(key) > 2 and self._gaz.index.exact(key):
            try:
                p = self._gaz.geocode(words)
                if p.kind in _KINDS_OK:
                    hit = Found(words, p.name, (0, 0), country=p.country or "", kind=p.kind)
            except AmbiguousPlace as e:
                hit = Found(words, words, (0, 0), note=f"'{words}' is ambiguous: {e}")
            except GeocodeError:
                hit = None
        self._cache[words] = hit
        return hit

    @staticmethod
    def _personal(words: list, i: int, j: int, run: str, hit: Found) -> bool:
        """Tell whether a town hit inside a longer capitalised run is a person's name ("Vladimir Putin")."""
        if hit.kind in ("country", "region"):
            return False
        before = run[words[i - 1][0] : words[i - 1][1]] if i > 0 else ""
        after = run[words[j][0] : words[j][1]] if j < len(words) else ""
        if run[words[j - 1][0] : words[j - 1][1]].endswith(("’s", "'s")):
            after = ""
        return bool(before or after) and before.lower() not in ("of", "port", "the")

    def find(self, sentence: str) -> list[Found]:
        """Places named in the sentence, left to right, longest names first."""
        out: list[Found] = []
        for m in _RUN.finditer(sentence):
            run = m.group(0)
            words = [(w.start(), w.end()) for w in re.finditer(r"\S+", run)]
            i = 0
            while i < len(words):
                for j in range(min(len(words), i + 5), i, -1):
                    s, e = m.start() + words[i][0], m.start() + words[j - 1][1]
                    text = re.sub(r"[’']s$|[.,;:]$", "", sentence[s:e])
                    hit = self._lookup(text)
                    if hit is not None and self._personal(words, i, j, run, hit):
                        hit = None
                    if hit is not None:
                        found = Found(**{**hit.__dict__, "span": (s, s + len(text))})
                        if not re.search(
                            r"\s(?:region|province|oblast|krai|district)$", text, re.I
                        ):
                            found.name = text  # as the text names it; the gazetteer resolves it

                        out.append(found)
                        i = j
                        break
                else:
                    i += 1
        return out


def _roles(sentence: str, places: list[Found]) -> None:
    """Give each place its role from the words before it; qualifiers get ``qualifier``."""
    prev_end = None
    for p in places:
        before = sentence[: p.span[0]]
        gap = sentence[prev_end : p.span[0]] if prev_end is not None else None
        if gap is not None and re.fullmatch(r",\s*|\s+in\s+(?:the\s+)?|\s*\(", gap):
            p.role = "qualifier"
        elif _ORIGIN.search(before[-25:]) and not _NOT_ORIGIN.search(before[-40:]):
            p.role = "origin"
        elif _VIA.search(before[-25:]):
            p.role = "via"
        elif _DEST.search(before[-40:]):
            p.role = "destination"
        elif _SUBJECT_VERB.match(sentence[p.span[1] :]):
            p.role = "origin"
        prev_end = p.span[1]


def _demonym_origin(sentence: str, verb: Any) -> tuple[str, tuple[int, int]] | None:
    """Return the country of the people or ships that move ("North Korean troops"), before the verb."""
    m = _DEMONYM.search(sentence)
    if not m or (verb is not None and m.start() > verb[0]):
        return None
    return _DEMONYMS[m.group("d").lower()], (m.start("d"), m.end("d"))


def _headline(sentence: str) -> bool:
    """Tell a title ("North Korea Begins Sending Troops …": no full stop, Title Case) apart."""
    if re.search(r"[.!?…][\"”’)]*$", sentence):
        return False
    words = re.findall(r"[^\W\d_][\w’'-]*", sentence)
    caps = sum(w[0].isupper() for w in words if len(w) > 3)
    return len(words) >= 4 and caps >= 0.6 * sum(len(w) > 3 for w in words)


@dataclass
class Context:
    """What the reader carries from one sentence to the next."""

    published: date | None
    source: str
    anchor: date | None = None
    drafts: list[Draft] = field(default_factory=list)
    groups: int = 0
    skipped: list[str] = field(default_factory=list)


def _referent(ctx: Context, q: _rules.Quantity) -> Draft | None:
    """Find an earlier record this amount repeats ("these 2,000 containers")."""
    if q.volume is None and q.low is None:
        return None
    for d in reversed(ctx.drafts):
        if d.key == q.key():
            return d
    return None


def _fill_common(d: Draft, sentence: str, ctx: Context, when: _rules.When) -> None:
    conf, span = _rules.confidence(sentence)
    d.set("confidence", conf, span)
    who, wspan = _rules.attribution(sentence)
    srcs = [s for s in (ctx.source, who) if s]
    d.set("source", " ; ".join(srcs), wspan)
    m, mspan = _rules.mode(sentence)
    d.set("mode", m, mspan)
    d.set("start", when.start, when.spans[0] if when.spans else None)
    d.set("end", when.end, when.spans[-1] if when.spans else None)
    if when.note:
        d.notes.append(when.note)


def read_sentence(i: int, offset: int, sentence: str, ctx: Context, finder: PlaceFinder) -> None:
    """Add the records one sentence states to ``ctx.drafts``."""
    if _headline(sentence):
        return  # a title restates the report's sentences; reading it would count them twice
    amounts = _rules.quantities(sentence)
    refs = [(q, _referent(ctx, q)) for q in amounts]
    ref = next((r for _q, r in refs if r is not None), None)
    places = finder.find(sentence)
    _roles(sentence, places)
    when = _rules.dates(sentence, ctx.published, ctx.anchor)
    ctx.anchor = when.last_day
    unit0 = amounts[0].unit if amounts else ""
    k, kspan = _rules.kind(sentence, unit0)
    if ref is None and not k:
        return
    new = [q for q, r in refs if r is None]
    if ref is None:
        origin = next((p for p in places if p.role == "origin"), None)
        dest = next((p for p in places if p.role == "destination"), None)
        vias = [p for p in places if p.role == "via"]
        if kspan is not None:
            # The subject: a place named before the verb, with no role of its own; it sends,
            # unless the verb is one of receiving ("Turkey imported … from Russia").
            # The nearest such place: "After Russia and North Korea signed a pact, Pyongyang
            # announced it would deploy …" sends from Pyongyang.
            subject = next(
                (
                    p
                    for p in reversed(places)
                    if not p.role and p.span[1] <= kspan[0] and p is not dest
                ),
                None,
            )
            receives = re.match(
                r"import|receiv|bought|purchas", sentence[kspan[0] : kspan[1]], re.I
            )
            if subject is not None and receives and dest is None:
                dest = subject
            elif subject is not None and origin is None and not receives:
                origin = subject
        demonym = _demonym_origin(sentence, kspan) if origin is None else None
        if dest is None or (origin is None and demonym is None):
            if places:
                ctx.skipped.append(f"sentence {i + 1}: places but no origin and destination")
            return
        if origin is not None and origin.name == dest.name:
            return
    for q in new or [None]:
        d = Draft(i, sentence, offset)
        if ref is not None:
            for f in ("origin", "destination", "via", "kind", "category", "mode"):
                if f in ref.values:
                    d.values[f] = ref.values[f]
            d.notes.append(
                f"places and kind from sentence {ref.sentence + 1}, which first states "
                f"the {ref.key[0]:,.0f} {ref.key[1]}"
            )
        else:
            if origin is not None:
                d.set("origin", origin.name, origin.span)
            else:
                d.set("origin", demonym[0], demonym[1])
                d.notes.append(f"origin is the country of '{sentence[slice(*demonym[1])]}'")
            d.set("destination", dest.name, dest.span)
            if vias:
                d.set("via", ";".join(v.name for v in vias), vias[0].span)
            d.set("kind", "shipment" if k == "arrive" else k, kspan)
            for p in (origin, dest):
                if p is not None and p.note:
                    d.notes.append(p.note)
        if q is not None:
            d.set("unit", q.unit, q.span)
            d.set("volume", q.volume, q.span)
            d.set("volume_low", q.low, q.span)
            d.set("volume_high", q.high, q.span)
            if q.note:
                d.notes.append(q.note)
            d.key = q.key()
            d.set("category", q.category, q.span)
        elif ref is None:
            u, uspan = _rules.bare_unit(sentence)
            d.set("unit", u, uspan)
        if "category" not in d.values or (q is not None and not q.category and ref is None):
            cat, cspan = _rules.category(sentence)
            d.set("category", cat, cspan)
        _fill_common(d, sentence, ctx, when)
        if "mode" not in d.values and d.values.get("unit"):
            d.set("mode", _rules.unit_mode(d.values["unit"]), None)
        if ref is not None and q is not None and q.unit == ref.key[1]:
            # The same movement counted again with another figure: one group, never summed.
            if "group" not in ref.values:
                ctx.groups += 1
                ref.values["group"] = f"g{ctx.groups}"
            d.values["group"] = ref.values["group"]
        ctx.drafts.append(d)


def records(drafts: list[Draft]) -> list[dict[str, Any]]:
    """Turn the drafts into contract records (text values, precision of dates kept) with evidence."""
    out = []
    for n, d in enumerate(drafts, start=1):
        rec = {"id": f"x{n:03d}", **d.values}
        rec["notes"] = "; ".join(dict.fromkeys(d.notes))
        rec["evidence"] = d.evidence()
        out.append(rec)
    return out
