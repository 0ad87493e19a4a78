"""Verbatim sentences from a document's source lines (for reasons, indicators, 空表
statements). PDF text wraps sentences across lines; we join non-empty lines, find the
sentence, and map it back to its first line, so the quote occurs in the document apart
from whitespace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from qa.text.lexicon import load as load_lexicon
from qa.tools.facts import remembered


@dataclass(frozen=True)
class Excerpt:
    """A verbatim passage and the 1-based line it starts on."""

    quote: str
    line: int


# A line that starts the next item of a list: the reason of one item never runs into it.
ITEM_START = r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|[一二三四五六七八九十]+、|项目名称)"
# A "预算安排规模：" line starts another field of the same item: a sentence ends before it.
FIELD_START = r"^\s*[\u4e00-\u9fff]{2,8}[：:]"


def _joined(lines: list[str], start: int, max_lines: int, stop: str | None = None) -> tuple[str, list[tuple[int, int]]]:
    """Join up to max_lines non-empty lines from index start (stopping before a later
    line matching ``stop``); returns text and (offset, line_no) marks."""
    parts: list[str] = []
    marks: list[tuple[int, int]] = []
    pos = 0
    taken = 0
    i = start
    while i < len(lines) and taken < max_lines:
        s = lines[i].strip()
        if s and taken and stop and re.search(stop, s):
            break
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


def enumeration_end(text: str, start: int, end: int) -> int:
    """Where a reason given in counted parts ends ("主要原因一是…。二是…。"): after the last
    part that follows the sentence end, within the quote's length."""
    words = load_lexicon().cue_words
    first, more = words.get("reason_enumerates"), words.get("reason_continues")
    if first is None or more is None or not first.search(text, start, end):
        return end
    while (nxt := more.match(text, end)) is not None:
        stop = text.find("。", nxt.end())
        if stop < 0 or stop + 1 - start > 400:
            break
        end = stop + 1
    return end


def sentence_matching(lines: list[str], line_no: int, pattern: str, max_lines: int = 10,
                      after: str | None = None, stop: str | None = None, whole: bool = False) -> Excerpt | None:
    """The first sentence (ending in 。；or line block end) matching ``pattern`` in the
    text that starts at ``line_no``.

    Args:
        lines: the document's source lines.
        line_no: 1-based line to start from.
        pattern: regex the sentence must contain.
        max_lines: how many non-empty lines to look through.
        after: optional literal that must precede the match in the joined text (e.g. the
            figure the reason belongs to).
        whole: keep a long sentence whole (a reason listing several causes, each closed by
            ；) instead of ending at its first clause.
    """
    text, marks = _joined(lines, max(0, line_no - 1), max_lines, stop)
    base = 0
    if after:
        k = text.find(after)
        if k >= 0:
            base = k
    m = re.search(pattern, text[base:])
    if not m:
        return None
    s = base + m.start()
    # back to the start of the clause the cue sits in (after the previous ，。；)
    prev = max(text.rfind(ch, base, s) for ch in "。；，,")
    line_start = max((off for off, _ in marks if off <= s), default=0)
    if prev >= base and s - prev <= 40 and prev + 1 >= line_start:
        s = prev + 1
    elif 0 < s - line_start <= 12:
        s = line_start  # "设立的政策依据：…" quoted from its field name
    # extend to the end of the sentence
    end_m = re.search(r"。", text[s:])
    e = s + end_m.end() if end_m else len(text)
    for off, ln in marks:
        if s < off < e and re.search(FIELD_START, lines[ln - 1]):
            e = off
            break
    if e - s > 200 and not whole:  # a long run-on paragraph: the item's own clause ends at its ；
        semi = re.search(r"[；;]", text[s:e])
        if semi:
            e = s + semi.end()
    e = enumeration_end(text, s, e)
    quote = text[s:e].strip()
    if len(quote) > 400:
        quote = quote[:400]
    return Excerpt(quote=quote, line=_line_at(marks, s))


def _is_heading(s: str) -> bool:
    return bool(re.search(ITEM_START, s)) and len(s) < 40 and "，" not in s and "。" not in s


def _prose_like(s: str) -> bool:
    cjk = len(re.findall(r"[\u4e00-\u9fff]", s))
    return cjk >= 6 and cjk >= len(s) * 0.5 and not _is_heading(s)


def sentence_around(lines: list[str], line_no: int, max_lines: int = 6) -> Excerpt | None:
    """The sentence that contains line ``line_no``: back over wrapped prose lines to the
    previous 。 (never into a heading or a table row), forward to the next 。."""
    i = line_no - 1
    start = i
    back = 0
    while back < 4:
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j < 0:
            break
        prev = lines[j].strip()
        if re.search(r"[。；;：:]$", prev) or not _prose_like(prev):
            break
        start = j
        back += 1
    text, marks = _joined(lines, start, max_lines + back)
    target = next((off for off, ln in marks if ln >= line_no), 0)
    s = max(text.rfind("。", 0, target), text.rfind("；", 0, target)) + 1
    e_m = re.search(r"[。；]", text[target:])
    e = target + e_m.end() if e_m else len(text)
    quote = text[s:e].strip()
    if not quote:
        return None
    return Excerpt(quote=quote[:400], line=_line_at(marks, s))


class LineList(list):
    """A document's lines as the agent holds them while the document is loaded, keeping the
    lines each pattern matched (a cue such as 空表 is looked for in every document a
    question spans). Never changed once made."""

    __slots__ = ("found",)

    def __init__(self, lines: Iterable[str] = ()) -> None:
        super().__init__(lines)
        self.found: dict[tuple, list[Excerpt]] = {}


def lines_matching(lines: list[str], pattern: str, start: int = 1, end: int | None = None) -> list[Excerpt]:
    """Every non-empty line in [start, end] matching pattern, as excerpts."""
    def match() -> list[Excerpt]:
        rx = re.compile(pattern)
        out = []
        hi = len(lines) if end is None else min(end, len(lines))
        for i in range(max(1, start), hi + 1):
            s = lines[i - 1].strip()
            if s and rx.search(s):
                out.append(Excerpt(s, i))
        return out

    return remembered(lines.found if isinstance(lines, LineList) else None, (pattern, start, end), match)


def block(lines: list[str], start: int, end: int, max_lines: int = 40, max_chars: int = 1500) -> Excerpt | None:
    """Non-empty lines start..end joined by newlines (a multi-line verbatim quote)."""
    out, first = [], None
    for i in range(max(1, start), min(end, len(lines)) + 1):
        s = lines[i - 1].strip()
        if s:
            first = first or i
            out.append(s)
            if len(out) >= max_lines or sum(map(len, out)) >= max_chars:
                break
    if not out:
        return None
    return Excerpt("\n".join(out), first)
