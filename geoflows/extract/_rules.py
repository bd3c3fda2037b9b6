"""The rules that read one sentence: quantities, dates, hedges, modes, kinds and attributions.

Each reader returns values with the character span (in the sentence) of the words it read, so
the record can show its evidence. A reader that is not sure returns nothing, or a note.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__: list[str] = []

_SMALL = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "hundred": 100, "half": 0.5,
}  # fmt: skip
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_UNITS = {
    "containers": "containers", "container": "containers", "shells": "shells",
    "shell": "shells", "rounds": "shells", "troops": "troops", "soldiers": "troops",
    "personnel": "troops", "servicemen": "troops", "workers": "workers",
    "missiles": "missiles", "missile": "missiles", "drones": "drones", "drone": "drones",
    "tonnes": "tonnes", "tons": "tonnes", "tonne": "tonnes", "ton": "tonnes",
    "barrels": "barrels", "barrel": "barrels", "rail cars": "rail cars",
    "railcars": "rail cars", "wagons": "rail cars", "freight cars": "rail cars",
    "ships": "ships", "vessels": "ships", "tankers": "ships", "trucks": "trucks",
    "tanks": "tanks", "flights": "flights", "visits": "visits", "rockets": "rockets",
    "launchers": "launchers", "howitzers": "howitzers", "vehicles": "vehicles",
}  # fmt: skip
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_WORDNUM = r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|half(?: a)?)"  # noqa: E501
_SCALE = r"(?:dozen|hundred|thousand|million|billion)"
_BARE = r"(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"  # noqa: E501
_AMOUNT = rf"(?:{_NUM}(?:\s+{_SCALE})?|{_WORDNUM}\s+{_SCALE}(?:\s+{_SCALE})?|{_BARE})"
_LOW = r"more than|over|at least|upwards of|in excess of|no fewer than|no less than"
_HIGH = r"up to|as many as|at most|fewer than|less than|under|no more than"
_ABOUT = r"approximately|about|around|some|roughly|nearly|almost|an estimated|close to"
_UNIT_WORDS = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
# Words between a number and its unit: a calibre, a few adjectives ("122mm artillery shells").
_FILLER = r"(?:(?:\d+\s?mm|[A-Za-z][\w-]*)\s+){0,3}?"
_QUANTITY = re.compile(
    rf"\b(?:(?P<between>between)\s+(?P<a>{_AMOUNT})\s+and\s+(?P<b>{_AMOUNT})"
    rf"|(?:(?P<q>{_LOW}|{_HIGH}|{_ABOUT})\s+)?(?P<n>{_AMOUNT})(?:\s*(?:-|to|–)\s*(?P<n2>{_AMOUNT}))?)"
    rf"\s+(?:of\s+(?:the\s+)?)?(?P<fill>{_FILLER})(?P<unit>{_UNIT_WORDS})\b",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    rf"\b(?P<w>hundreds|thousands|dozens|tens of thousands|several|a few|many|numerous)"
    rf"\s+(?:of\s+)?(?P<fill>{_FILLER})(?P<unit>{_UNIT_WORDS})\b",
    re.IGNORECASE,
)


@dataclass
class Quantity:
    """One stated amount of a unit, with its span in the sentence."""

    span: tuple[int, int]
    unit: str
    volume: float | None = None
    low: float | None = None
    high: float | None = None
    category: str = ""
    note: str = ""

    def key(self) -> tuple[float | None, str]:
        """Return the figure and unit a later sentence may repeat to refer to this movement."""
        return (self.volume if self.volume is not None else self.low or self.high, self.unit)


def parse_amount(text: str) -> float | None:
    """``"2,000"`` → 2000, ``"1.2 million"`` → 1.2e6, ``"two dozen"`` → 24, else None."""
    words = text.lower().replace(",", "").split()
    if not words:
        return None
    head, rest = words[0], words[1:]
    if head == "half" and rest[:1] == ["a"]:
        rest = rest[1:]
    try:
        value = float(head)
    except ValueError:
        if head not in _SMALL:
            return None
        value = float(_SMALL[head])
    for w in rest:
        if w not in _SCALES:
            return None
        value *= _SCALES[w]
    return value


def quantities(sentence: str) -> list[Quantity]:
    """Every amount of a known unit the sentence states, and the vague ones as notes."""
    out = []
    for m in _QUANTITY.finditer(sentence):
        fill = (m.group("fill") or "").strip()
        if fill.split()[:1] and fill.split()[0].lower() in ("years", "days", "km", "percent"):
            continue
        unit = _UNITS[m.group("unit").lower()]
        q = Quantity((m.start(), m.end()), unit)
        if fill and re.match(r"\d+\s?mm", fill, re.IGNORECASE):
            q.category = f"{fill.replace(' mm', 'mm')} {m.group('unit')}".lower()
        if m.group("between"):
            q.low, q.high = parse_amount(m.group("a")), parse_amount(m.group("b"))
        elif m.group("n2"):
            q.low, q.high = parse_amount(m.group("n")), parse_amount(m.group("n2"))
        else:
            value = parse_amount(m.group("n"))
            qual = (m.group("q") or "").lower()
            if value is None or (value >= 1900 and value <= 2100 and "," not in m.group("n")):
                continue
            if re.fullmatch(_LOW, qual):
                q.low = value
            elif re.fullmatch(_HIGH, qual):
                q.high = value
            else:
                q.volume = value
        out.append(q)
    for m in _VAGUE.finditer(sentence):
        if any(q.span[0] <= m.start() < q.span[1] for q in out):
            continue
        word = m.group("w")
        out.append(
            Quantity(
                (m.start(), m.end()),
                _UNITS[m.group("unit").lower()],
                note=f"'{word} of {m.group('unit')}' states no number: volume left empty",
            )
        )
    return sorted(out, key=lambda q: q.span)


# ---------------------------------------------------------------- dates
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"  # noqa: E501
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_COUNT = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|\d+)"
_DATE = re.compile(
    rf"\b(?:(?P<md>{_MONTH})\s+(?P<mdd>\d{{1,2}}),?\s+(?P<mdy>\d{{4}})"
    rf"|(?P<dmd>\d{{1,2}})\s+(?P<dmm>{_MONTH})\s+(?P<dmy>\d{{4}})"
    rf"|(?P<mid>mid-?)?(?P<my>{_MONTH})\s+(?P<myy>\d{{4}})"
    rf"|(?:in|since|by|from|until)\s+(?:early\s+|late\s+|mid-)?(?P<mo>{_MONTH})(?!\s+\d)"
    rf"|(?P<rel>(?:mid-)?(?:last|next|this|previous|past)\s+(?:year|month|week))"
    rf"|(?:on|last|this|next)\s+(?P<dow>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    rf"|(?P<later>{_COUNT})\s+(?P<lunit>days|weeks|months)\s+(?P<dir>later|earlier|ago)"
    rf"|(?:in|since|by)\s+(?P<year>(?:19|20)\d\d)\b)",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|expected|set to|plans?|planned|due to|is to|are to|would)\b", re.IGNORECASE
)


@dataclass
class When:
    """A start and end (ISO text, precision kept) with the span read and a note."""

    start: str = ""
    end: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    note: str = ""
    last_day: date | None = None


def _month_text(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + m - 1 + k
    return i // 12, i % 12 + 1


def _one_date(m: re.Match, published: date | None, anchor: date | None, future: bool) -> tuple:
    """(start, end, note, day) for one date phrase; empty start when it cannot be resolved."""
    g = m.groupdict()
    if g["md"] or g["dmd"]:
        y = int(g["mdy"] or g["dmy"])
        mon = _MONTHS[(g["md"] or g["dmm"]).lower()]
        d = date(y, mon, int(g["mdd"] or g["dmd"]))
        return d.isoformat(), d.isoformat(), "", d
    if g["my"]:
        return _month_text(int(g["myy"]), _MONTHS[g["my"].lower()]), "", "", None
    if g["year"]:
        return g["year"], "", "", None
    if g["later"]:
        base = anchor
        if base is None:
            return "", "", f"'{m.group(0)}' has no earlier day in the text to count from", None
        n = parse_amount(g["later"]) or 0
        days = {"days": 1, "weeks": 7}.get(g["lunit"].lower())
        if days is None:
            return "", "", f"'{m.group(0)}' is left for review", None
        sign = 1 if g["dir"].lower() == "later" else -1
        if g["dir"].lower() == "ago":
            base = published
            if base is None:
                return "", "", f"'{m.group(0)}' needs the report's date (published=)", None
        d = base + timedelta(days=sign * n * days)
        return d.isoformat(), d.isoformat(), "", d
    if published is None:
        return "", "", f"'{m.group(0)}' needs the report's date (published=)", None
    py, pm = published.year, published.month
    if g["mo"]:
        mon = _MONTHS[g["mo"].lower()]
        y = py + 1 if future and mon > pm else (py if mon <= pm else py - 1)
        if future and mon <= pm:
            y = py + 1 if mon < pm else py
        note = f"the year of '{g['mo']}' is taken from the report's date ({y})"
        return _month_text(y, mon), "", note, None
    if g["rel"]:
        rel = g["rel"].lower()
        k = -1 if re.search(r"last|previous|past", rel) else (1 if "next" in rel else 0)
        if rel.endswith("year"):
            if rel.startswith("mid-"):
                return f"{py + k:04d}", "", f"'{g['rel']}' is mid-{py + k}", None
            return f"{py + k:04d}", "", "", None
        if rel.endswith("month"):
            return _month_text(*_shift_month(py, pm, k)), "", "", None
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=k)
        return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), "", None
    if g["dow"]:
        wd = _DAYS.index(g["dow"].lower())
        delta = (published.weekday() - wd) % 7
        if future:
            d = published + timedelta(days=(wd - published.weekday()) % 7 or 7)
        else:
            d = published - timedelta(days=delta or 7)
        return d.isoformat(), d.isoformat(), "", d
    return "", "", "", None


def dates(sentence: str, published: date | None, anchor: date | None) -> When:
    """Read the start and end the sentence states, resolved against ``published``."""
    out = When(last_day=anchor)
    future = bool(_FUTURE.search(sentence))
    found = []
    for m in _DATE.finditer(sentence):
        start, end, note, day = _one_date(m, published, out.last_day, future)
        if note:
            out.note = "; ".join(filter(None, [out.note, note]))
        if not start:
            continue
        since = bool(re.search(r"\bsince\s+$", sentence[: m.start()])) or m.group(
            0
        ).lower().startswith("since")
        found.append((start, end or start, since, (m.start(), m.end())))
        if day is not None:
            out.last_day = day
    if not found:
        return out
    out.start = found[0][0]
    out.end = found[-1][1]
    out.spans = [f[3] for f in found]
    if found[0][2] and len(found) == 1:
        out.end = published.isoformat() if published else ""
        if published:
            out.note = "; ".join(filter(None, [out.note, "'since': the end is the report's date"]))
    if len(found) > 1:
        out.note = "; ".join(
            filter(None, [out.note, "dates stated: " + ", ".join(f[0] for f in found)])
        )
    return out


# ---------------------------------------------------------------- hedges, modes, kinds, sources
_HEDGES = (
    ("claimed", r"suspects?|suspected|claims?|claimed|alleged(?:ly)?|may have|might have|could|possibly|rumou?red"),  # noqa: E501
    ("reported", r"reportedly|reported|is expected to|are expected to|expected to|is believed|are believed|believed|according to|said|says|stated|noted|set to|is likely|likely"),  # noqa: E501
    ("confirmed", r"revealed|confirmed|verified|announced|showed|shows|satellite imagery"),
)  # fmt: skip
_HEDGE_RES = [(c, re.compile(rf"\b(?:{p})\b", re.IGNORECASE)) for c, p in _HEDGES]


def _first_match(
    sentence: str, table: list[tuple[str, re.Pattern[str]]]
) -> tuple[str, tuple[int, int] | None]:
    """Return the name of the first pattern of ``table`` found in the sentence, with its span."""
    for name, rx in table:
        m = rx.search(sentence)
        if m:
            return name, (m.start(), m.end())
    return "", None


def confidence(sentence: str) -> tuple[str, tuple[int, int] | None]:
    """Return the weakest hedge the sentence uses (claimed < reported < confirmed), with its span."""
    return _first_match(sentence, _HEDGE_RES)


_MODES = (
    ("rail", r"by rail|by train|trains|rail(?:way)? cars?|freight trains?|on trains?|railcars|armou?red train"),  # noqa: E501
    ("sea", r"by sea|sailed|a ship\b|by ship|aboard (?:\w+ )?(?:ships?|vessels?|tankers?)|on ships|by vessel|cargo ships?|tankers?|landing ships?|by ferry"),  # noqa: E501
    ("air", r"\bflew\b|\bflown\b|by air|by plane|airlift(?:ed)?|cargo planes?|aircraft|flights?"),
    ("road", r"by road|by truck|trucks|convoys?|by lorry"),
)  # fmt: skip
_MODE_RES = [(c, re.compile(rf"\b(?:{p})", re.IGNORECASE)) for c, p in _MODES]


_UNIT_MODES = {"ships": "sea", "trucks": "road", "rail cars": "rail"}
_BARE_UNIT = re.compile(rf"\b(?P<unit>{_UNIT_WORDS})\b", re.IGNORECASE)


def bare_unit(sentence: str) -> tuple[str, tuple[int, int] | None]:
    """Return the unit a sentence counts in without a number ("launched missiles at Kharkiv")."""
    m = _BARE_UNIT.search(sentence)
    if not m:
        return "", None
    return _UNITS[m.group("unit").lower()], (m.start(), m.end())


def unit_mode(unit: str) -> str:
    """Return the mode a counted unit implies: ships sail, trucks drive, rail cars roll."""
    return _UNIT_MODES.get(unit, "")


def mode(sentence: str) -> tuple[str, tuple[int, int] | None]:
    """Return the mode the sentence states ("by rail", "aboard ships", "flew"), else empty."""
    return _first_match(sentence, _MODE_RES)


_VERBS = (
    ("visit", r"visit(?:ed|s|ing)?|travel(?:l)?ed|trip to|flew|flown|arrived for talks"),
    ("deployment", r"deploy(?:ed|s|ing|ment)?|dispatch(?:ed|es)?|station(?:ed)?|redeploy(?:ed)?"),
    ("transfer", r"transferr?(?:ed|s)?|fired|launched|struck|strikes?|to strike|hit|handed over"),
    ("shipment", r"ship(?:ped|s|ping|ments?)|suppl(?:ied|ies|y|ying)|deliver(?:ed|s|y|ies|ing)?|export(?:ed|s)?|import(?:ed|s)?|transport(?:ed|s)?|carried|carrying|moved|mov(?:e|es|ing)|left|departed|sailed|crossed|sent|sends?|sending|smuggled|unloaded|loaded"),  # noqa: E501
    ("arrive", r"arriv(?:e|ed|es|ing)|reach(?:ed)?|landed|crossed into"),
)  # fmt: skip
_VERB_RES = [(k, re.compile(rf"\b(?:{p})\b", re.IGNORECASE)) for k, p in _VERBS]
_PEOPLE_UNITS = {"troops", "workers"}
_UNITS_WORD = re.compile(r"\b(?:units?|troops|soldiers|forces|battalions?|brigades?)\b", re.I)


def kind(sentence: str, unit: str) -> tuple[str, tuple[int, int] | None]:
    """Return the kind of movement the sentence's verb states, or empty when it states none."""
    hits = [(m.start(), k, m) for k, rx in _VERB_RES for m in [rx.search(sentence)] if m]
    for _pos, k, m in sorted(hits, key=lambda h: h[0])[:1]:
        people = unit in _PEOPLE_UNITS or bool(_UNITS_WORD.search(sentence))
        if k == "visit" and unit and unit not in _PEOPLE_UNITS:
            k = "shipment"  # "fifty tonnes were flown": cargo, not a visit
        if k == "arrive" or (k == "shipment" and people):
            k = "deployment" if people else "shipment"
        return k, (m.start(), m.end())
    return "", None


_ATTRIB = re.compile(
    r"(?:according to|reported by|cited by|citing|said by)\s+(?P<a>(?:the\s+)?(?:[A-Z][\w.'’-]*\s*)+"
    r"(?:intelligence|military|officials?|government|ministry|navy|army)?)"
    r"|(?P<b>(?:[A-Z][\w.'’-]*\s+)+(?:intelligence|military|officials?|government|ministry|"
    r"Ministry of \w+|[A-Z][\w-]*))\s+(?:has\s+|have\s+)?(?:revealed|said|says|stated|noted|"
    r"reported|suspects?|claimed|claims|confirmed|announced|told|estimated)\b"
)


def attribution(sentence: str) -> tuple[str, tuple[int, int] | None]:
    """Who the sentence attributes its facts to ("South Korean intelligence revealed …")."""
    m = _ATTRIB.search(sentence)
    if not m:
        return "", None
    name = (m.group("a") or m.group("b")).strip().rstrip(",")
    if name.endswith(".") and name.rsplit(" ", 1)[-1].count(".") == 1:
        name = name[:-1]  # the sentence's full stop, not an abbreviation such as "U.S."
    start = m.start("a") if m.group("a") else m.start("b")
    if name.lower().startswith(("there ", "it ")):
        return "", None
    return name, (start, start + len(name))


_CATEGORY = re.compile(
    r"\b(?:containers?|shipments?|cargo|consignments?|tonnes|tons|barrels|wagons|rail cars|"
    r"tankers|ships|trains|trucks)"
    r"\s+of\s+(?P<c>[^.;]+?)(?=\s+(?:were|was|had|have|has|from|to|into|via|by|which|that|"
    r"arrived|left|in|on|through)\b|[.;]|$)"
    r"|\bsuppl(?:ied|ies|y|ying)\s+[A-Z][\w ]*?\s+with\s+(?P<s>[^.;,]+?)(?=\s+(?:for|to|from|via|by|in)\b|[.;,]|$)",  # noqa: E501
)
_UNIT_CATEGORY = re.compile(
    r"\b(?P<c>(?:engineering|special operations|infantry|construction|"
    r"artillery|air[- ]defen[cs]e|military)(?:\s+[a-z][\w-]*){0,2}\s+(?:units?|forces|troops|battalions?|brigades?))\b"  # noqa: E501
)


def category(sentence: str) -> tuple[str, tuple[int, int] | None]:
    """Return what is carried, as the sentence words it ("SRBMs, anti-tank guided missiles and …")."""
    m = _CATEGORY.search(sentence)
    if m:
        g = "c" if m.group("c") else "s"
        return m.group(g).strip(), (m.start(g), m.end(g))
    m = _UNIT_CATEGORY.search(sentence)
    if m:
        text = re.sub(r"^(?:the|its|their|a|an)\s+", "", m.group("c"))
        return text, (m.end("c") - len(text), m.end("c"))
    return "", None
