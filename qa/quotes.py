"""Locating a cited quote in a document's lines.

A quote "occurs verbatim apart from whitespace": PDF extraction wraps sentences over
lines and mixes fullwidth and halfwidth forms, so matching is done on a squeezed,
NFKC-normalised form while positions are kept in source coordinates.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from typing import Sequence


_NFKC: dict[str, str] = {}


def _norm_char(ch: str) -> str:
    got = _NFKC.get(ch)
    if got is None:
        got = _NFKC[ch] = unicodedata.normalize("NFKC", ch)
    return got


@lru_cache(maxsize=65536)
def _norm_line(line: str) -> tuple[str, tuple[int, ...]]:
    """One line in comparison form (each character NFKC-normalised, fullwidth → halfwidth,
    whitespace dropped, so a quote matches "apart from whitespace") and, per character of
    that form, its column in the line."""
    buf: list[str] = []
    cols: list[int] = []
    for col, ch in enumerate(line):
        if ch.isspace():
            continue
        piece = _norm_char(ch)
        buf.append(piece)
        cols.extend([col] * len(piece))
    return "".join(buf), tuple(cols)


class _Flat:
    """Squeezed, normalised text of lines[first:last] and where each character came from."""

    def __init__(self, lines: Sequence[str], first: int, last: int) -> None:
        self.first = first
        self.rows = [_norm_line(lines[li]) for li in range(first, last)]
        self.starts: list[int] = []
        at = 0
        for text, _ in self.rows:
            self.starts.append(at)
            at += len(text)
        self.text = "".join(text for text, _ in self.rows)

    def line_of(self, i: int) -> int:
        """0-based source line of character i."""
        return bisect_right(self.starts, i) - 1 + self.first

    def source(self, i: int) -> tuple[int, int]:
        """(0-based source line, column) of character i."""
        k = bisect_right(self.starts, i) - 1
        while not self.rows[k][0]:  # (bisect lands on the last of several equal starts)
            k -= 1
        return k + self.first, self.rows[k][1][i - self.starts[k]]


def find_quote(lines: Sequence[str], quote: str, line: int, window: int = 80) -> list[tuple[int, int, int]] | None:
    """Locate a quote in a document, ignoring whitespace and fullwidth/halfwidth forms.

    Looks first in a window around the cited line, then anywhere in the document
    (choosing the occurrence nearest the cited line).

    Args:
        lines: the document's lines.
        quote: the cited text.
        line: 1-based cited line.
        window: how many lines from the cited one a multi-line quote may span.

    Returns:
        Per-line segments (1-based line, start column, end column exclusive) covering
        the quote, or None when it does not occur.
    """
    target = "".join(_norm_char(ch) for ch in quote if not ch.isspace())
    if not target or not lines:
        return None
    start_idx = min(max(line - 1, 0), len(lines) - 1)
    # A fact's line is where its value sits, so a sentence quote may start a few lines
    # earlier: look around the cited line before scanning the whole document.
    first = max(0, start_idx - window)
    flat = _Flat(lines, first, min(len(lines), start_idx + window))
    hits = [m.start() for m in re.finditer(re.escape(target), flat.text)]
    hit = min(hits, key=lambda h: abs(flat.line_of(h) - start_idx)) if hits else -1
    if hit < 0:
        flat = _Flat(lines, 0, len(lines))
        hits = [m.start() for m in re.finditer(re.escape(target), flat.text)]
        if not hits:
            return None
        hit = min(hits, key=lambda h: abs(flat.line_of(h) - start_idx))
    segments: dict[int, list[int]] = {}
    for i in range(hit, hit + len(target)):
        li, col = flat.source(i)
        seg = segments.setdefault(li, [col, col + 1])
        seg[0] = min(seg[0], col)
        seg[1] = max(seg[1], col + 1)
    return [(li + 1, a, b) for li, (a, b) in sorted(segments.items())]


def quote_start_line(lines: Sequence[str], quote: str, line: int) -> int:
    """The 1-based line where a quote starts (the cited line if the quote is not found).

    Args:
        lines: the document's lines.
        quote: the cited text.
        line: the line recorded with the fact (where its value sits).
    """
    segments = find_quote(lines, quote, line)
    return segments[0][0] if segments else line
