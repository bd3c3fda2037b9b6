"""Name normalisation and transliteration folding (no heavy imports)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["fold_name", "fold_names", "normalize_name", "normalize_names"]

# Apostrophes, quotes and modifier letters that different romanisations use for the same thing.
_APOSTROPHES = "'’ʼʻ`´‘ʹʽ′"
# Hyphens, dashes and other separators that only join words.
_DASHES = "-‐‑‒–—―−_/.,"
_TRANSLATE = {ord(c): "'" for c in _APOSTROPHES}
_TRANSLATE.update({ord(c): " " for c in _DASHES})
_TRANSLATE.update({ord(c): " " for c in '()[]"“”«»'})
_SPACES = re.compile(r"\s+")

# Folding rules, applied in order to an already normalised name with apostrophes and spaces
# removed. Each maps a romanisation variant to one spelling; see docs/gazetteer.md.
_FOLD_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"eo", "o"),  # Revised Romanization ŏ: Pyeongyang / P'yŏngyang -> pyongyang
        (r"eu", "u"),  # Revised Romanization ŭ: Hamheung -> hamhung
        (r"ph", "p"),  # aspirated p in McCune-Reischauer: Nampho -> nampo
        (r"th", "t"),
        (r"iya$|ija$|ia$|ya$|ye$|ie$|ije$", "ia"),  # -ia/-ya/-ye endings: Zaporizhzhya, Primorye
        (r"yy|iy|yi|ij", "y"),  # -yy/-iy adjective endings: Vostochnyy -> vostochny
        (r"(.)\1", r"\1"),  # doubled letters: Odessa -> odesa, Zaporizhzhia -> zaporizhia
    )
)


def normalize_name(text: str) -> str:
    """Return the lookup key of a place name.

    Casefolds, decomposes (NFKD) and drops diacritics, recomposes (NFC, so Hangul stays whole),
    unifies apostrophes and quotes to ``'``, turns hyphens, dashes, slashes, dots and commas into
    spaces and collapses whitespace.

    Parameters
    ----------
    text : str
        A place name in any script.

    Returns
    -------
    str
        The normalised key.

    Examples
    --------
    >>> from geoflows.places import normalize_name
    >>> normalize_name("  P’yŏngyang ")
    "p'yongyang"
    >>> normalize_name("Rostov-on-Don")
    'rostov on don'
    """
    if not isinstance(text, str):
        text = str(text)
    if text.isascii():
        s = text.lower()
    else:
        s = unicodedata.normalize("NFKD", text)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
        s = unicodedata.normalize("NFC", s).casefold()
    s = s.translate(_TRANSLATE)
    return _SPACES.sub(" ", s).strip()


def fold_name(key: str) -> str:
    """Return the folded key of a normalised name (transliteration variants collapse).

    Parameters
    ----------
    key : str
        Output of :func:`normalize_name`.

    Returns
    -------
    str
        The folded key: apostrophes and spaces removed, then the rules of ``_FOLD_RULES``.

    Examples
    --------
    >>> from geoflows.places import fold_name, normalize_name
    >>> fold_name(normalize_name("Ch'ŏngjin")) == fold_name(normalize_name("Cheongjin"))
    True
    """
    s = key.replace("'", "").replace(" ", "")
    if not s.isascii():
        return s
    for pattern, repl in _FOLD_RULES:
        s = pattern.sub(repl, s)
    return s


#: Joins many names into one string for the bulk forms below: a starter (never composed with a
#: neighbour by NFC/NFKD), not whitespace, not changed by casefolding or translation.
_SEP = "\x00"
_COMBINING: re.Pattern[str] | None = None
#: :data:`_TRANSLATE` and :data:`_SPACES` as two regular expressions (faster on long text): a
#: run of whitespace, dashes and brackets is one space.
_APOSTROPHE_RUN = re.compile("[" + re.escape(_APOSTROPHES) + "]")
_SEPARATOR_RUN = re.compile(r"[\s" + re.escape(_DASHES + '()[]"“”«»') + "]+")


def _combining() -> re.Pattern[str]:
    """Return a character class of the BMP code points with a non-zero combining class.

    Built from this Python's ``unicodedata`` (so it agrees with :func:`normalize_name`), as
    ranges; names with characters beyond the BMP are normalised one by one instead (a class
    holding astral ranges makes ``re`` several times slower on every character).
    """
    global _COMBINING
    if _COMBINING is None:
        parts, start, prev = [], None, None
        for c in range(0x10000):
            if unicodedata.combining(chr(c)):
                if start is None:
                    start = c
                elif c != prev + 1:
                    parts.append((start, prev))
                    start = c
                prev = c
        parts.append((start, prev))
        cls = "".join(
            re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in parts
        )
        _COMBINING = re.compile("[" + cls + "]+")
    return _COMBINING


def _normalize_joined(blob: str, plain: bool) -> str:
    if plain:
        blob = blob.lower()
    else:
        blob = unicodedata.normalize("NFKD", blob)
        blob = _combining().sub("", blob)
        blob = unicodedata.normalize("NFC", blob).casefold()
    blob = _SEPARATOR_RUN.sub(" ", _APOSTROPHE_RUN.sub("'", blob))
    return blob.replace(" " + _SEP, _SEP).replace(_SEP + " ", _SEP).strip(" ")


def normalize_names(texts: Sequence[str]) -> list[str]:
    """Return :func:`normalize_name` of many names at once (the same keys, in a few passes).

    The ASCII names, and the names within the Basic Multilingual Plane, are each joined into
    one string and normalised together: every step of :func:`normalize_name` works character
    by character (or, for NFC/NFKD, between starters, and the separator is one), so the joined
    text splits back into the key of each name. The rest (and any name holding the separator)
    are normalised one by one.

    Parameters
    ----------
    texts : sequence of str
        Place names in any script.

    Returns
    -------
    list of str
        One key per name, in order.

    Examples
    --------
    >>> normalize_names(["  P’yŏngyang ", "Rostov-on-Don", "Київ"])
    ["p'yongyang", 'rostov on don', 'киів']
    >>> normalize_names([])
    []
    """
    out = [t if isinstance(t, str) else str(t) for t in texts]
    if _SEP.join(out).count(_SEP) != max(len(out) - 1, 0):
        return [normalize_name(t) for t in out]
    plain = [i for i, t in enumerate(out) if t.isascii()]
    rest = [i for i, t in enumerate(out) if not t.isascii()]
    bmp = [i for i in rest if max(out[i]) <= "\uffff"]
    if len(bmp) < len(rest):
        for i in set(rest).difference(bmp):
            out[i] = normalize_name(out[i])
    for rows, is_plain in ((plain, True), (bmp, False)):
        if rows:
            keys = _normalize_joined(_SEP.join([out[i] for i in rows]), is_plain).split(_SEP)
            for i, k in zip(rows, keys, strict=True):
                out[i] = k
    return out


#: :data:`_FOLD_RULES` for names joined by ``_SEP``: an end of name is a separator ahead, and
#: a doubled letter is never the separator (no rule matches across one).
_FOLD_RULES_JOINED = tuple(
    (re.compile(p.pattern.replace("$", "(?=\\x00)").replace("(.)", "([^\\x00])")), r)
    for p, r in _FOLD_RULES
)


def fold_names(keys: Sequence[str]) -> list[str]:
    """Return :func:`fold_name` of many normalised names at once (the same keys).

    Examples
    --------
    >>> fold_names(["ch'ongjin", "cheongjin", "київ", ""])
    ['chongjin', 'chongjin', 'київ', '']
    """
    if not keys:
        return []
    blob = _SEP.join(keys)
    if blob.count(_SEP) != len(keys) - 1:
        return [fold_name(k) for k in keys]
    parts = blob.replace("'", "").replace(" ", "").split(_SEP)
    ascii_at = [i for i, p in enumerate(parts) if p.isascii()]
    joined = _SEP.join(parts[i] for i in ascii_at) + _SEP
    for pattern, repl in _FOLD_RULES_JOINED:
        joined = pattern.sub(repl, joined)
    for i, folded in zip(ascii_at, joined[:-1].split(_SEP), strict=True):
        parts[i] = folded
    return parts
