"""Name normalisation and transliteration folding (no heavy imports)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold_name", "normalize_name"]

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
