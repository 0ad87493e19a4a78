"""Character- and number-level normalisation of text extracted from PDFs.

Pure functions. Quotes are always taken from the original lines; these helpers only
produce the forms that matching and number parsing work on.
"""

from __future__ import annotations

import re
import unicodedata

from qa.types import UNIT_TO_YUAN

# Fullwidth ASCII block (！..～) maps to ASCII by a fixed offset; the ideographic
# space and a few CJK punctuation marks that carry number syntax are mapped by hand.
_FULLWIDTH_OFFSET = 0xFEE0
_EXTRA = {
    "\u3000": " ",  # ideographic space
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200b": "",
    "\ufeff": "",
    "\u3002": "。",
    "\uff0e": ".",  # fullwidth full stop used as decimal point
    "\u2014": "—",
    "\u2212": "-",
}


# the same mapping as one str.translate table (built once): C speed, where a loop per
# character cost a fifth of parsing a document
_HALFWIDTH = {c: chr(c - _FULLWIDTH_OFFSET) for c in range(0xFF01, 0xFF5F)} | {ord(k): v for k, v in _EXTRA.items()}


def to_halfwidth(text: str) -> str:
    """Map fullwidth digits, Latin letters and ASCII punctuation to their halfwidth forms.

    Chinese punctuation that has no ASCII twin in use (，。；：（）“”) is kept except
    fullwidth forms in the FF01–FF5E block, which all map to ASCII (so （ becomes ( and ，
    becomes ,). Callers that need the Chinese form for display use the original line.
    """
    return text.translate(_HALFWIDTH)


# one character for one: what maps to nothing (a zero-width space) becomes a space
_HALFWIDTH_SAME_LENGTH = {c: (v if len(v) == 1 else " ") for c, v in _HALFWIDTH.items()}


def halfwidth_keeping_length(text: str) -> str:
    """to_halfwidth character by character, never changing the length (positions in the
    result are positions in the text)."""
    return text.translate(_HALFWIDTH_SAME_LENGTH)


def normalize_line(text: str) -> str:
    """Halfwidth, NFKC-light, collapse runs of spaces; keeps tabs as cell separators."""
    text = to_halfwidth(text)
    text = re.sub(r"[ \u3000]+", " ", text)
    return text.strip(" ")


_SPACES = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Remove all whitespace: the form in which quotes are compared with documents."""
    return _SPACES.sub("", text)


_NUM_RE = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
NUMBER_PATTERN = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"


def parse_number(token: str) -> float | None:
    """Parse one printed amount: '1,234.56', '１２３.４', '-0.35', '(0.35)'.

    Returns None for anything that is not a plain number (dashes for zero are handled
    by the table parser, which knows the cell is an amount).
    """
    t = to_halfwidth(token).strip().replace(" ", "")
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1]
    t = t.rstrip("%")
    if not _NUM_RE.match(t):
        return None
    try:
        v = float(t.replace(",", ""))
    except ValueError:
        return None
    return -v if neg else v


def normalize_unit(text: str) -> str | None:
    """Find the money unit named in a header such as '单位：万元' or '（单位:元）'."""
    t = to_halfwidth(text)
    m = re.search(r"(?:单位|金额单位)\s*[:：]?\s*(亿元|万元|千元|元)", t)
    if m:
        return m.group(1)
    return None


def money_unit(unit: str) -> str:
    """A money unit as written in full: speech drops 元 ("8万", "3亿") for the same amount."""
    return unit + "元" if unit in ("万", "亿") else unit


def to_yuan(value: float, unit: str) -> float:
    """Normalise a money value to 元; non-money units are returned unchanged."""
    return value * UNIT_TO_YUAN.get(unit, 1.0)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert between money units (元/千元/万元/亿元)."""
    if from_unit == to_unit or from_unit not in UNIT_TO_YUAN or to_unit not in UNIT_TO_YUAN:
        return value
    return value * UNIT_TO_YUAN[from_unit] / UNIT_TO_YUAN[to_unit]


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# ("30年多" is a span of years; "比23年多了多少" a year and a change)
_SHORT_YEAR_RE = re.compile(r"(?<![\d.第])([123]\d)(?=年(?!代|以|前|后|来|内|间|多(?![了少出花])|左右))")


def expand_short_years(text: str) -> str:
    """"24年的基本支出" as "2024年…": a two-digit year of this century (10–39: disclosures
    go back to 2010s budgets, "19年水费") before 年
    (not a span of years: 25年以上, 30年来)."""
    return _SHORT_YEAR_RE.sub(lambda m: "20" + m.group(1), text)
