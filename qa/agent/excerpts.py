"""Verbatim sentences from a document's source lines (for reasons, indicators, 空表
statements). PDF text wraps sentences across lines; we join non-empty lines, find the
sentence, and map it back to its first line, so the quote occurs in the document apart
from whitespace."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Excerpt:
    """A verbatim passage and the 1-based line it starts on."""

    quote: str
    line: int


def _joined(lines: list[str], start: int, max_lines: int) -> tuple[str, list[tuple[int, int]]]:
    """Join up to max_lines non-empty lines from index start; returns text and
    (offset, line_no) marks."""
    parts: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = 0
    taken = 0
    i = start
    while i < len(lines) and taken < max_lines:
        s = lines[i].strip()
        if s:
            marks.append((pos, i + 1))
            parts.append(s)
            pos += len(s)
            taken += 1
        i += 1
    return "".join(parts), marks


def _line_at(marks: list[tuple[int, int]], offset: int) -> int:
    line = marks[0][1] if marks else 1
    for off, ln in marks:
        if off <= offset:
            line = ln
        else:
            break
    return line


def sentence_matching(lines: list[str], line_no: int, pattern: str, max_lines: int = 10,
                      after: str | None = None) -> Excerpt | None:
    """The first sentence (ending in 。；or line block end) matching ``pattern`` in the
    text that starts at ``line_no``.

    Args:
        lines: the document's source lines.
        line_no: 1-based line to start from.
        pattern: regex the sentence must contain.
        max_lines: how many non-empty lines to look through.
        after: optional literal that must precede the match in the joined text (e.g. the
            figure the reason belongs to).
    """
    text, marks = _joined(lines, max(0, line_no - 1), max_lines)
    base = 0
    if after:
        k = text.find(after)
        if k >= 0:
            base = k
    m = re.search(pattern, text[base:])
    if not m:
        return None
    s = base + m.start()
    # extend to the end of the sentence
    end_m = re.search(r"[。；;]", text[s:])
    e = s + end_m.end() if end_m else len(text)
    quote = text[s:e].strip()
    if len(quote) > 400:
        quote = quote[:400]
    return Excerpt(quote=quote, line=_line_at(marks, s))


def sentence_around(lines: list[str], line_no: int, max_lines: int = 6) -> Excerpt | None:
    """The sentence that contains the start of line ``line_no`` (from the previous 。)."""
    start = max(0, line_no - 4)
    text, marks = _joined(lines, start, max_lines + 3)
    target = next((off for off, ln in marks if ln >= line_no), 0)
    s = max(text.rfind("。", 0, target), text.rfind("；", 0, target)) + 1
    e_m = re.search(r"[。；]", text[target:])
    e = target + e_m.end() if e_m else len(text)
    quote = text[s:e].strip()
    if not quote:
        return None
    return Excerpt(quote=quote[:400], line=_line_at(marks, s))


def lines_matching(lines: list[str], pattern: str, start: int = 1, end: int | None = None) -> list[Excerpt]:
    """Every non-empty line in [start, end] matching pattern, as excerpts."""
    out = []
    hi = len(lines) if end is None else min(end, len(lines))
    for i in range(max(1, start), hi + 1):
        s = lines[i - 1].strip()
        if s and re.search(pattern, s):
            out.append(Excerpt(s, i))
    return out
