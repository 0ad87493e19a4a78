"""Running text of a document as paragraphs ("blocks") with a char-to-line map.

PDF extracts wrap sentences over lines (often with blank lines between every line),
so prose has to be re-joined before sentences can be read. A block is a run of prose
lines in one section, joined without separators; `norm` is a same-length halfwidth
form for pattern matching, so any span found in `norm` slices the verbatim `raw`.
Table regions, headings, tables of contents and tab-separated rows are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qa.text.normalize import halfwidth_keeping_length, to_halfwidth
from qa.ingest.sections import SectionScan, scan_sections
from qa.ingest.table_layout import is_prose_resumption

_LIST_START_RE = re.compile(
    r"^(?:\d+\s*(?:、|[.．](?!\d))|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|[一二三四五六七八九十]+、|[①-⑳])"
)
# A short line of words with no sentence punctuation and no figure: a heading, not the start
# of a wrapped sentence.
_HEADING_LIKE_RE = re.compile(
    r"^(?:\d+\s*[.．、]|[一二三四五六七八九十]+\s*、|[（(]\s*[一二三四五六七八九十\d]+\s*[)）])?\s*"
    r"[\u4e00-\u9fff“”\"（）()]{2,30}$")
# ... when the next line opens a sentence with its year ("2021年全区…"), not a wrapped word
_SENTENCE_START_RE = re.compile(r"^(?:19|20)\d{2}\s*(?:[/／]\s*\d{2,4}\s*)?年")
_LEVEL_MARK_RE = re.compile(r"[（(](?:类|款|项)[)）]")
# a short line opened by its number ("1.一般公共预算执行情况") heads what follows, whatever
# the next line opens with
_NUMBERED_RE = re.compile(r"^(?:\d+\s*[.．、]|[一二三四五六七八九十]+\s*、|[（(]\s*[一二三四五六七八九十\d]+\s*[)）])")
_KEY_START_RE = re.compile(r"^(?!其中|包括)[\u4e00-\u9fff“”]{2,12}[：:]")
_TABLE_NO_RE = re.compile(r"^表\s*\d+")
_TABLE_TITLE_RE = re.compile(r"^[\u4e00-\u9fff\d“”（）()\s]{2,40}表(?:[（(]续[)）])?$")
_EMPTY_TABLE_RE = re.compile(r"空表|没有使用|未安排")


@dataclass
class Block:
    """A paragraph of prose.

    Attributes:
        section: section path of its first line.
        raw: the verbatim text (stripped lines joined without separators).
        norm: halfwidth form of raw, same length, for matching.
        line_of: 1-based source line for each character of raw.
    """

    section: str
    raw: str
    norm: str
    line_of: list[int]

    @property
    def line_start(self) -> int:
        return self.line_of[0]

    @property
    def line_end(self) -> int:
        return self.line_of[-1]


_WHITE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def halfwidth_same_length(text: str) -> str:
    """to_halfwidth applied per character, never changing the length."""
    return halfwidth_keeping_length(text)


def clip_tables(tables: list[dict[str, Any]] | None, scan: SectionScan) -> list[dict[str, Any]]:
    """Table dicts whose range is cut before the first heading inside it (a heading never
    sits inside a table, so a range running past one overshoots)."""
    starts = sorted(scan.headings)
    out = []
    for t in tables or []:
        try:
            a, b = int(t.get("line_start") or 0), int(t.get("line_end") or 0)
        except (TypeError, ValueError):
            continue
        after = [h + 1 for h in starts if a < h + 1 <= b]
        if after:
            b = after[0] - 1
        if a and b >= a:
            out.append({**t, "line_start": a, "line_end": b})
    return out


def table_line_set(lines: list[str], scan: SectionScan, tables: list[dict[str, Any]] | None) -> set[int]:
    """0-based indices of lines inside tables.

    Uses the table parser's ranges when given, plus a fallback of our own: from a
    "表N" line or a table-title line ("…绩效目标表") to the next heading.
    """
    inside: set[int] = set()
    for t in clip_tables(tables, scan):
        inside.update(range(int(t["line_start"]) - 1, int(t["line_end"])))
    inside.update(_titled_table_lines(lines, scan))
    return inside


def _titled_table_lines(lines: list[str], scan: SectionScan) -> frozenset[int]:
    """The fallback of table_line_set, kept for the last few documents: parsing one asks for
    it several times over the same lines (with and without the parser's tables)."""
    key = (tuple(lines), tuple(scan.headings))
    hit = _TITLED_CACHE.get(key)
    if hit is None:
        hit = frozenset(_scan_titled_tables(lines, scan))
        if len(_TITLED_CACHE) >= 8:
            _TITLED_CACHE.pop(next(iter(_TITLED_CACHE)))
        _TITLED_CACHE[key] = hit
    return hit


_TITLED_CACHE: dict[tuple, frozenset[int]] = {}


def _scan_titled_tables(lines: list[str], scan: SectionScan) -> set[int]:
    """0-based indices of lines from a "表N" line or a table-title line to the next heading."""
    inside: set[int] = set()
    in_table = False
    form = seen_row = False
    for i, raw in enumerate(lines):
        if i in scan.headings:
            in_table = False
        s = _WHITE.sub("", raw)
        if not in_table and s and i not in scan.headings and (_TABLE_NO_RE.match(s) or _TABLE_TITLE_RE.match(s)):
            in_table, seen_row = True, False
            form = "绩效" in s
        elif in_table and not form and "绩效" in s and _TABLE_TITLE_RE.match(s):
            form = True
        if in_table and seen_row and not form and is_prose_resumption(raw):
            # Running text after the rows: the table is over even without a heading.
            in_table = False
        if in_table:
            inside.add(i)
            if _DIGIT.search(s) and not _TABLE_NO_RE.match(s) and "编制" not in s and "单位" not in s:
                seen_row = True
    return inside


_WIDE = re.compile("[\u2e81-\U0010ffff]")


def display_width(text: str) -> int:
    """Width in half-width cells (CJK counts 2), the measure PDF line wrapping uses."""
    t = text.strip()
    return len(t) + len(_WIDE.findall(t))


def wrap_width(lines: list[str]) -> int:
    """The width at which the document's text wraps (0 when it does not wrap).

    Kept for the last few documents, like _titled_table_lines: parsing one splits its
    paragraphs more than once (with and without the parser's tables) over the same lines."""
    key = tuple(lines)
    hit = _WRAP_CACHE.get(key)
    if hit is None:
        widths = sorted(display_width(ln) for ln in lines if ln.strip() and "\t" not in ln)
        hit = 0 if len(widths) < 10 else widths[int(len(widths) * 0.9)]
        if len(_WRAP_CACHE) >= 8:
            _WRAP_CACHE.pop(next(iter(_WRAP_CACHE)))
        _WRAP_CACHE[key] = hit
    return hit


_WRAP_CACHE: dict[tuple, int] = {}


def _is_prose_line(raw: str) -> bool:
    if "\t" in raw:
        return False
    s = raw.strip()
    if not s:
        return False
    # Rows of a table that escaped detection: numbers, no sentence punctuation.
    if not re.search(r"[，,。；;：:、]", s):
        numbers = re.findall(r"\d+(?:\.\d+)?(?![\d.]|\s*[年月日号])", s)
        decimals = [n for n in numbers if "." in n]
        if len(decimals) >= 2 or len(numbers) >= 3:
            return False
    return True


def prose_blocks(
    lines: list[str],
    sections: list[str] | None = None,
    tables: list[dict[str, Any]] | None = None,
    scan: SectionScan | None = None,
) -> list[Block]:
    """Split the document's running text into paragraphs.

    Args:
        lines: the document's text lines.
        sections: section path per line (computed when None).
        tables: table dicts with 1-based "line_start"/"line_end" (may be empty).
        scan: a precomputed SectionScan (computed when None).

    Returns:
        Blocks in document order; none spans two sections or a table.
    """
    scan = scan or scan_sections(lines)
    sections = sections or scan.paths
    key = (hash(tuple(lines)), hash(tuple(sections)),
           tuple((t.get("line_start"), t.get("line_end")) for t in tables or []))
    hit = _BLOCK_CACHE.get(key)
    if hit is not None:
        return list(hit)
    blocks = _prose_blocks(lines, sections, tables, scan)
    if len(_BLOCK_CACHE) >= 8:
        _BLOCK_CACHE.pop(next(iter(_BLOCK_CACHE)))
    _BLOCK_CACHE[key] = tuple(blocks)
    return blocks


_BLOCK_CACHE: dict[tuple, tuple[Block, ...]] = {}


def _prose_blocks(lines: list[str], sections: list[str], tables: list[dict[str, Any]] | None,
                  scan: SectionScan) -> list[Block]:
    in_table = table_line_set(lines, scan, tables)
    full = int(wrap_width(lines) * 0.85)
    blocks: list[Block] = []
    cur_raw: list[str] = []
    cur_lines: list[int] = []
    cur_section: str | None = None

    def flush() -> None:
        nonlocal cur_raw, cur_lines, cur_section
        if cur_raw:
            raw = "".join(cur_raw)
            blocks.append(Block(section=cur_section or "", raw=raw, norm=halfwidth_same_length(raw), line_of=cur_lines))
        cur_raw, cur_lines, cur_section = [], [], None

    for i, line in enumerate(lines):
        if not line.strip():
            continue
        path = sections[i] if i < len(sections) else ""
        is_heading = i in scan.heading_lines and i not in scan.content_lines
        if is_heading or i in in_table or path == "目录" or not _is_prose_line(line):
            flush()
            continue
        s = line.strip()
        prev_full = bool(cur_raw) and full > 0 and display_width(cur_raw[-1]) >= full
        key_start = bool(_KEY_START_RE.match(s)) and not prev_full
        if i in scan.content_lines:
            flush()
        if cur_raw and (path != cur_section or _LIST_START_RE.match(s) or key_start or cur_raw[-1].endswith(("。", "！", "？"))):
            flush()
        elif len(cur_raw) == 1 and _HEADING_LIKE_RE.match(cur_raw[0]) \
                and (_SENTENCE_START_RE.match(s) or _NUMBERED_RE.match(cur_raw[0])) \
                and not _LEVEL_MARK_RE.search(cur_raw[0]) and (full <= 0 or display_width(cur_raw[0]) < full * 0.8):
            flush()  # "1. 一般公共预算执行情况" is the heading of the sentences after it
        if not cur_raw:
            cur_section = path
        cur_raw.append(s)
        cur_lines.extend([i + 1] * len(s))
    flush()
    return blocks


def sentence_spans(norm: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences in a block, each ending after its 。 (or at the end)."""
    spans = []
    start = 0
    for m in re.finditer(r"[。！？!?]+", norm):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(norm) and norm[start:].strip():
        spans.append((start, len(norm)))
    return spans


def is_empty_table_statement(text: str) -> bool:
    """Whether a sentence says a table is empty ("…情况表为空表")."""
    return bool(_EMPTY_TABLE_RE.search(text))
