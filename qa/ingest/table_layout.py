"""Where the tables are and how their text is laid out.

Finds table regions (表N headings, or a title line ending in 表 followed by an
编制部门/单位 line), reads each region's 编制部门 and 单位, and decides the layout
its text extraction produced:

- "space": one table row per line, cells separated by spaces, rows may wrap (000/001/004);
- "tab": one row per line, cells separated by tabs, empty cells kept (003);
- "cell": one cell per line (each starting with a tab), rows separated by blank lines (002).
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from qa.text.normalize import normalize_unit, to_halfwidth

_TABLE_NO = re.compile(r"^附?表\s*(\d{1,2}|[一二三四五六七八九十]{1,3})(?:\s+|[:：.、]\s*|(?=[\u4e00-\u9fff]))?(.*)$")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _table_number(text: str) -> str:
    """'12' -> '12'; '十二' -> '12'."""
    if text.isdigit():
        return text
    if text == "十":
        return "10"
    if text.startswith("十"):
        return str(10 + _CN_DIGITS.get(text[1:], 0))
    if "十" in text:
        a, _, b = text.partition("十")
        return str(_CN_DIGITS.get(a, 0) * 10 + _CN_DIGITS.get(b, 0))
    return str(_CN_DIGITS.get(text, 0))
_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
# A table's number printed on a line of its own next to its title: "公开03表", "公开表七".
TABLE_MARK = re.compile(r"^\s*公开\s*(?:\d{1,2}\s*表|表\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3}))\s*$")
# The line naming the body a table is for: "编制部门：…", or at the start of a line
# "部门：…" / "部门名称：…" / "单位名称：…" / "预算单位：…" (tables printed inside a frame).
DEPT_LABEL = re.compile(r"(?:编制(?:部门|单位)(?:\s*[（(]\s*单位\s*[)）])?"
                        r"|^\s*(?:部门|部门名称|单位名称|预算单位|(?:预算)?主管部门))\s*[:：]")
_DEPT = DEPT_LABEL
# An explanation heading after the tables ("一、关于…情况说明") ends a table.
_EXPLAIN = re.compile(r"^[（(]?[一二三四五六七八九十]+[、)）]\s*(?:关于|.*(?:情况说明|的说明)$)")
# An unnumbered explanation heading ("关于2025年“三公”经费预算情况说明") or a Markdown
# heading also ends one.
_EXPLAIN_BARE = re.compile(r"^关于.{2,40}说明$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s")
# Lines that belong to a table although they read as sentences: notes under it and the
# statement that it is empty.
_TABLE_NOTE = re.compile(r"^(?:注|说明|备注)\s*\d*\s*[:：]|空表|没有使用|未安排|无此项|不涉及")
# Two numbers separated by blanks: cells of a row, not a sentence.
_CELL_RUN = re.compile(r"\d[\d,.]*%?\s+[-—]?\d")
_UNIT_ONLY = re.compile(r"^(?:金额)?单位\s*[:：]\s*(?:亿元|万元|千元|元)\s*$")
# What the first line of a wrapped table title holds: a table number or the name of a
# standard table's subject ("公开 09 表：一般公共预算“三公”经费、会议费、培训费" / "支出预算表").
_TITLE_START = re.compile(r"表\s*[:：]|预算|决算|收支|收入|支出|经费|采购|结转")
_TITLE_END = re.compile(r"(表|表（[^）]*）|表\([^)]*\))$")


@dataclass
class Region:
    """One table's stretch of lines (0-based, end exclusive).

    Attributes:
        no: table number as printed ("1" for 表1), or sequential when unnumbered.
        title: table title, whitespace removed.
        start: index of the heading line.
        end: index after the last line.
        body_start: first line after the title (where 编制部门 and the header start).
        department: the region's 编制部门 ("" when not printed).
        unit: the region's 单位 (None when not printed).
        layout: "space", "tab" or "cell".
        numbered: True when the document printed 表N.
    """

    no: str
    title: str
    start: int
    end: int
    body_start: int
    department: str = ""
    unit: str | None = None
    layout: str = "space"
    numbered: bool = True
    continuation_starts: list[int] = field(default_factory=list)


# The line predicates below are pure and asked several times of each line (and of the
# lines every document of a genre shares): their answers are kept.
_HEADING_MARK = re.compile(r"^#{1,6}\s*")
_WHITE = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_CLAUSE_MARKS = re.compile(r"[，；]")
_UNIT_TAIL = re.compile(r"\s*[（(]?(?:金额)?单位\s*[:：]\s*(?:亿元|万元|千元|元)[)）]?\s*$")
_SENTENCE_MARK = re.compile(r"[。；，,]")


@lru_cache(maxsize=65536)
def cell_text(line: str) -> str:
    """A line without tabs, ideographic spaces, surrounding blanks and Markdown heading marks."""
    t = to_halfwidth(line).replace("\t", " ").strip()
    return _HEADING_MARK.sub("", t)


@lru_cache(maxsize=65536)
def is_prose_resumption(raw: str) -> bool:
    """True for a line that reads as running text, not a table row: a sentence with
    Chinese punctuation, no cell structure (tabs, blank-separated numbers), and not a note
    or empty-table statement (those belong to the table).

    Args:
        raw: one line as extracted.
    """
    if "\t" in raw:
        return False
    t = cell_text(raw)
    s = _WHITE.sub("", t)
    if len(s) < 20 or _TABLE_NOTE.search(s):
        return False
    if "。" not in s and len(_CLAUSE_MARKS.findall(s)) < 2:
        return False
    return not _CELL_RUN.search(t)


def _has_number(raw: str) -> bool:
    return bool(_DIGIT.search(cell_text(raw)))


def _is_form(title: str) -> bool:
    """Forms with text cells (绩效目标表, 绩效自评表): sentences are their content."""
    return "绩效" in title


def _next_nonblank(lines: list[str], i: int, limit: int = 12) -> list[int]:
    out = []
    j = i + 1
    while j < len(lines) and len(out) < limit:
        if lines[j].strip():
            out.append(j)
        j += 1
    return out


def _strip_unit(text: str) -> str:
    """'部门收支总体情况表 单位：万元' -> '部门收支总体情况表'."""
    return _UNIT_TAIL.sub("", text)


@lru_cache(maxsize=65536)
def _is_title_candidate(text: str) -> bool:
    s = _WHITE.sub("", _strip_unit(text))
    if not s or len(s) > 45 or len(s) < 4:
        return False
    if _SENTENCE_MARK.search(s) or s.startswith("-") or "见下表" in s:
        return False
    return bool(_TITLE_END.search(s))


@lru_cache(maxsize=65536)
def _is_dept_or_unit(text: str) -> bool:
    return bool(_DEPT.search(text) or _UNIT_ONLY.match(_WHITE.sub("", text)))


def find_regions(lines: list[str]) -> list[Region]:
    """Locate the tables of a document.

    Args:
        lines: the document's text lines.

    Returns:
        Regions in document order; unnumbered tables get sequential numbers unless the
        document numbers its tables, in which case they get no number ("").
    """
    texts = [cell_text(x) for x in lines]
    starts: list[tuple[int, str, str, int, bool]] = []  # (line, no, title, body_start, numbered)
    title_lines: set[int] = set()
    for i, t in enumerate(texts):
        m = _TABLE_NO.match(t)
        if not m:
            continue
        rest = m.group(2).strip()
        if rest and not _is_title_candidate(rest):
            continue
        no = _table_number(m.group(1))
        if rest:
            starts.append((i, no, re.sub(r"\s+", "", _strip_unit(rest)), i + 1, True))
            continue
        nxt = _next_nonblank(lines, i, 3)
        title, body = "", i + 1
        for j in nxt:
            if _is_title_candidate(texts[j]):
                title, body = re.sub(r"\s+", "", _strip_unit(texts[j])), j + 1
                title_lines.add(j)
                break
            if _is_dept_or_unit(texts[j]):
                break
        starts.append((i, no, title, body, True))
    numbered_doc = bool(starts)
    for i, t in enumerate(texts):
        if i in title_lines or _TABLE_NO.match(t):
            continue
        body = i + 1
        if not _is_title_candidate(t):
            # A title wrapped before its last characters ("…支出预" / "算表").
            if not t or len(t) > 45 or not _TITLE_START.search(t) or re.search(r"[。；，,：:]$", t):
                continue
            nxt = _next_nonblank(lines, i, 4)
            j = nxt[0] if nxt else None
            if (j is None or len(texts[j]) > 6 or _is_dept_or_unit(texts[j])
                    or not _is_title_candidate(t + texts[j])):
                continue
            t = t + texts[j]
            title_lines.add(j)
            nxt, body = nxt[1:], j + 1
        else:
            nxt = _next_nonblank(lines, i, 3)
        s = re.sub(r"\s+", "", _strip_unit(t))
        is_perf = "绩效目标表" in s or "绩效自评表" in s
        ok = False
        for j in nxt[:2]:
            if _is_title_candidate(texts[j]) and not _is_dept_or_unit(texts[j]):
                break
            if _is_dept_or_unit(texts[j]):
                ok = True
                break
        if ok or is_perf:
            starts.append((i, "", s, body, False))
    starts.sort()
    regions: list[Region] = []
    seq = 0
    for k, (i, no, title, body, numbered) in enumerate(starts):
        # A repeated title right after its own table is a page-break continuation, unless
        # it opens a new form of the same kind (one 项目支出绩效目标表 per project).
        if regions and not numbered and title == regions[-1].title and not regions[-1].numbered:
            head = "".join(texts[j] for j in _next_nonblank(lines, i, 4))
            if not re.search(r"(项目名称|预算单位|部门名称|单位名称)", re.sub(r"\s+", "", head)):
                regions[-1].continuation_starts.append(i)
                continue
        if not numbered and not numbered_doc:
            seq += 1
            no = str(seq)
        regions.append(Region(no=no, title=title, start=i, end=len(lines), body_start=body, numbered=numbered))
    for k, r in enumerate(regions):
        nxt_start = regions[k + 1].start if k + 1 < len(regions) else len(lines)
        end = nxt_start
        seen_row = False
        lead = _next_nonblank(lines, r.start, 2)
        for j in range(r.body_start, nxt_start):
            if j <= r.start:
                continue
            if (_PART.match(texts[j]) or _EXPLAIN.match(texts[j]) or _EXPLAIN_BARE.match(texts[j])
                    or _MD_HEADING.match(lines[j]) or (TABLE_MARK.match(texts[j]) and j not in lead)):
                # (the number of the next table, printed above its title, ends this one)
                end = j
                break
            # Prose after the rows means the table is over (a closing paragraph, with no
            # heading before it, must not be read as a wrapped row).
            if seen_row and not _is_form(r.title) and is_prose_resumption(lines[j]):
                end = j
                break
            if j >= r.body_start and _has_number(lines[j]) and not _is_dept_or_unit(texts[j]):
                seen_row = True
        r.end = end
        _read_region_header(lines, texts, r)
    # A table of contents lists "表1 部门收支总体情况表" lines: a numbered region with
    # (almost) no body that shares its number with a real table is not a table.
    out = []
    for r in regions:
        body = [j for j in range(r.body_start, r.end) if texts[j]]
        twin = any(o is not r and o.no == r.no and o.numbered for o in regions)
        if r.numbered and twin and len(body) < 3:
            continue
        out.append(r)
    return out


def _read_region_header(lines: list[str], texts: list[str], r: Region) -> None:
    for j in range(r.start, min(r.end, r.body_start + 12)):
        t = texts[j]
        m = _DEPT.search(t)
        if m and not r.department:
            d = t[m.end():]
            d = re.split(r"(?:金额)?单位\s*[:：]", d)[0]
            r.department = re.sub(r"\s+", "", d).strip(":：")
        if r.unit is None and "单位" in t:
            r.unit = normalize_unit(t)
    body = [x for x in lines[r.body_start:r.end] if x.strip()]
    if not body:
        return
    tabbed = [x for x in body if "\t" in x]
    if len(tabbed) >= 0.3 * len(body):
        # Cell-per-line text has exactly one leading tab per line; tab tables have several.
        multi = sum(1 for x in tabbed if x.count("\t") >= 2 or not x.startswith("\t"))
        r.layout = "tab" if multi >= 0.5 * len(tabbed) else "cell"
    else:
        r.layout = "space"
