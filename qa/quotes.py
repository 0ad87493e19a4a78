"""Locating a cited quote in a document's lines.

A quote "occurs verbatim apart from whitespace": PDF extraction wraps sentences over
lines and mixes fullwidth and halfwidth forms, so matching is done on a squeezed,
NFKC-normalised form while positions are kept in source coordinates.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence


def _norm_chars(text: str) -> list[str]:
    """One comparison form per source character: NFKC (fullwidth → halfwidth) and
    whitespace dropped, so a quote matches "apart from whitespace"."""
    out = []
    for ch in text:
        if ch.isspace():
            out.append("")
        else:
            out.append(unicodedata.normalize("NFKC", ch))
    return out


def _flatten(lines: Sequence[str], first: int, last: int) -> tuple[str, list[tuple[int, int]]]:
    """Squeezed, normalised text of lines[first:last] and, per character, its
    (line index, column) in the source."""
    buf: list[str] = []
    pos: list[tuple[int, int]] = []
    for li in range(first, last):
        for col, piece in enumerate(_norm_chars(lines[li])):
            for ch in piece:
                buf.append(ch)
                pos.append((li, col))
    return "".join(buf), pos


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
    target = "".join(_norm_chars(quote))
    if not target or not lines:
        return None
    start_idx = min(max(line - 1, 0), len(lines) - 1)
    # A fact's line is where its value sits, so a sentence quote may start a few lines
    # earlier: look around the cited line before scanning the whole document.
    first = max(0, start_idx - window)
    text, pos = _flatten(lines, first, min(len(lines), start_idx + window))
    hits = [m.start() for m in re.finditer(re.escape(target), text)]
    hit = min(hits, key=lambda h: abs(pos[h][0] - start_idx)) if hits else -1
    if hit < 0:
        text, pos = _flatten(lines, 0, len(lines))
        hits = [m.start() for m in re.finditer(re.escape(target), text)]
        if not hits:
            return None
        hit = min(hits, key=lambda h: abs(pos[h][0] - start_idx))
    segments: dict[int, list[int]] = {}
    for li, col in pos[hit : hit + len(target)]:
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
