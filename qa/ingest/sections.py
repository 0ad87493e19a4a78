"""Section structure of a budget disclosure: 第X部分 / 一、 / （一） / 项目名称：.

Pure functions over the list of text lines. Headings in PDF extracts wrap over
several lines ("一、 关于…总" + "体说明"), sometimes with a page's worth of text between
the head and its tail; the scanner joins both cases. Numbered lines inside tables
("一、本年收入 3,394.10 …") and list items that are really sentences
("（二）承担推进住房制度改革的责任。拟订…") are rejected as headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.text.normalize import to_halfwidth

_CN_NUM = "一二三四五六七八九十百零〇"
_L1_RE = re.compile(rf"^第([{_CN_NUM}]+)部分\s*(.*)$")
_L2_RE = re.compile(rf"^([{_CN_NUM}]+)\s*、\s*(.+)$")
_L3_RE = re.compile(rf"^[（(]\s*([{_CN_NUM}]+)\s*[)）]\s*(.+)$")
_PROJECT_RE = re.compile(r"^(?:\d+\s*[、.．]\s*)?项目名称\s*[：:]\s*(\S.*)$")
_TOC_RE = re.compile(r"^目\s*录$")
_ANNEX_RE = re.compile(r"^附件\s*[：:]?\s*(.*)$")
# An amount (decimal or thousands-separated) marks a table row, not a heading.
_AMOUNT_RE = re.compile(r"\d[\d,，]*[.．]\d|\d{1,3}[,，]\d{3}")
_SENTENCE_PUNCT_RE = re.compile(r"[，,；;。]")
_KEY_START_RE = re.compile(r"^[\u4e00-\u9fff（）()“”]{2,12}[：:]")
# Definitions in 名词解释 ("一、财政拨款:指由…") cut the heading at the colon.
_DEFINITION_RE = re.compile(r"^([^，,；;。：:\d]{1,15})\s*[：:]")
_COMPLETE_TAIL_RE = re.compile(r"(说明|情况|概况|职能|职责|构成|解释|事项|情况表|目标|设置)$")

SEPARATOR = " / "


@dataclass
class SectionScan:
    """Result of scanning a document's headings.

    Attributes:
        paths: one section path per line (index 0 = line 1).
        heading_lines: 0-based indices of lines that are (parts of) headings.
        headings: 0-based index of the line a section starts at -> (level, title).
        content_lines: heading lines that also carry text ("一、财政拨款:指由…").
    """

    paths: list[str]
    heading_lines: set[int] = field(default_factory=set)
    headings: dict[int, tuple[int, str]] = field(default_factory=dict)
    content_lines: set[int] = field(default_factory=set)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def _join(a: str, b: str) -> str:
    """Join two pieces of a wrapped heading: no space between CJK characters."""
    a, b = a.rstrip(), b.strip()
    if a and b and (ord(a[-1]) > 0x2E80 or ord(b[0]) > 0x2E80):
        return a + b
    return f"{a} {b}" if a and b else a + b


def _title_from(marker: str, rest: str) -> str:
    rest = _clean(rest).rstrip("。.")
    m = _DEFINITION_RE.match(rest)
    if m and not rest.startswith("项目名称"):
        rest = m.group(1)
    return f"{marker}{rest}"


def _plausible_title(rest: str, *, project: bool = False) -> bool:
    """Whether the text after a list marker reads as a heading rather than a sentence."""
    rest = rest.strip()
    if not rest:
        return False
    m = _DEFINITION_RE.match(rest)
    if m:
        return True
    if _AMOUNT_RE.search(rest):
        return False
    body = rest[:-1] if rest.endswith(("。", ".")) else rest
    if _SENTENCE_PUNCT_RE.search(body):
        return False
    if body != rest and len(body) > 16:
        return False
    limit = 90 if project else 60
    return len(body) <= limit


def _candidate(raw: str) -> tuple[int, str, str] | None:
    """Classify one line as a heading candidate: (level, marker, rest) or None."""
    if "\t" in raw:
        return None
    s = raw.strip()
    if not s:
        return None
    m = _L1_RE.match(s)
    if m:
        rest = m.group(2)
        if _AMOUNT_RE.search(rest) or _SENTENCE_PUNCT_RE.search(rest):
            return None
        return 1, f"第{m.group(1)}部分", rest
    m = _PROJECT_RE.match(s)
    if m and _plausible_title(m.group(1), project=True):
        return 4, "项目名称：", m.group(1)
    m = _L2_RE.match(s)
    if m and _plausible_title(m.group(2)):
        return 2, f"{m.group(1)}、", m.group(2)
    m = _L3_RE.match(s)
    if m:
        rest = m.group(2)
        pm = _PROJECT_RE.match(rest)
        if pm and _plausible_title(pm.group(1), project=True):
            return 3, f"（{m.group(1)}）", rest
        if _plausible_title(rest):
            return 3, f"（{m.group(1)}）", rest
    return None


def _next_nonempty(lines: list[str], i: int, limit: int = 4) -> int | None:
    j = i + 1
    while j < len(lines) and j <= i + limit:
        if lines[j].strip():
            return j
        j += 1
    return None


def _is_tail(text: str, *, project: bool) -> bool:
    """Whether a line can be the wrapped remainder of the heading above it."""
    s = text.strip()
    if not s or "\t" in text or _candidate(text) or re.match(r"^表\s*\d+", s):
        return False
    if _SENTENCE_PUNCT_RE.search(s) or _AMOUNT_RE.search(s) or _KEY_START_RE.match(s):
        return False
    return len(s) <= (60 if project else 20)


def _find_displaced_tail(lines: list[str], i: int, window: int = 60) -> tuple[int, int] | None:
    """A heading whose tail was pushed below a page's text ("…结余预算" … "情" "况说明").

    Returns (first, last) 0-based indices of the tail lines, or None.
    """
    run: list[int] = []
    for j in range(i + 1, min(len(lines), i + window)):
        s = lines[j].strip()
        if not s:
            continue
        if len(s) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", s):
            run.append(j)
            joined = "".join(lines[k].strip() for k in run)
            if joined.endswith("说明") or joined.endswith("情况"):
                return run[0], run[-1]
            continue
        if _candidate(lines[j]):
            return None
        run = []
    return None


def _toc_range(lines: list[str]) -> tuple[int, int] | None:
    """Lines of a table of contents: from 目录 to just before the 2nd 第一部分."""
    first_parts = [i for i, ln in enumerate(lines) if (c := _candidate(ln)) and c[0] == 1 and c[1] == "第一部分"]
    if len(first_parts) < 2:
        return None
    start = first_parts[0]
    for i in range(first_parts[0], -1, -1):
        if _TOC_RE.match(lines[i].strip()):
            start = i
            break
    return start, first_parts[1] - 1


_CACHE: dict[int, tuple[tuple[str, ...], SectionScan]] = {}


def scan_sections(lines: list[str]) -> SectionScan:
    """Find headings and give every line its section path (cached: parsing one document
    asks for the same scan several times).

    Args:
        lines: the document's text lines (as from str.splitlines()).

    Returns:
        A SectionScan; treat it as read-only.
    """
    key_lines = tuple(lines)
    key = hash(key_lines)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == key_lines:
        return hit[1]
    scan = _scan_sections(lines)
    if len(_CACHE) >= 8:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (key_lines, scan)
    return scan


def _scan_sections(lines: list[str]) -> SectionScan:
    """Find headings and give every line its section path.

    Args:
        lines: the document's text lines (as from str.splitlines()).

    Returns:
        A SectionScan with one path per line and the heading line indices.
    """
    n = len(lines)
    paths = [""] * n
    scan = SectionScan(paths=paths)
    stack: dict[int, str] = {}
    toc = _toc_range(lines)
    pending: dict[int, tuple[int, str]] = {}  # line index -> heading that starts there
    deferred: dict[int, int] = {}  # heading head line -> line where its tail completes it
    i = 0
    current = ""
    while i < n:
        if toc and toc[0] <= i <= toc[1]:
            paths[i] = "目录"
            i += 1
            continue
        if i in pending:
            level, title = pending.pop(i)
            current = _push(stack, level, title)
            scan.headings[i] = (level, title)
        raw = lines[i]
        cand = _candidate(raw)
        annex = None if cand else _ANNEX_RE.match(raw.strip())
        if annex and len(raw.strip()) <= 40:
            cand = (1, "附件", annex.group(1))
        if not cand:
            paths[i] = current
            i += 1
            continue
        level, marker, rest = cand
        if level == 3 and re.search(r"职能|职责", stack.get(2, "")) and "项目名称" not in rest:
            # Numbered duties under 主要职能 are list items, not sub-sections.
            paths[i] = current
            i += 1
            continue
        heading_idx = [i]
        project = level == 4 or "项目名称" in rest
        rest = _clean(rest)
        j = i
        if level == 1 and not rest:
            k = _next_nonempty(lines, i)
            if k is not None and _is_tail(lines[k], project=True):
                rest = _clean(lines[k])
                heading_idx.append(k)
                j = k
        elif level != 1 and not _COMPLETE_TAIL_RE.search(rest) and (project or not _DEFINITION_RE.match(rest)):
            # "项目名称：…" reads like a "key：value" definition but its value (the project's
            # name) may wrap onto the next line like any heading.
            k = _next_nonempty(lines, j)
            # An "关于…说明" heading is complete only at its 说明/情况: a PDF page break can
            # cut it into several pieces, each a tail up to that end.
            long_tail = project or rest.startswith("关于")
            if k is not None and _is_tail(lines[k], project=long_tail):
                rest = _join(rest, lines[k])
                heading_idx.append(k)
                j = k
                while rest.startswith("关于") and not _COMPLETE_TAIL_RE.search(rest) and len(heading_idx) < 4:
                    k = _next_nonempty(lines, j)
                    if k is None or not _is_tail(lines[k], project=True):
                        break
                    rest = _join(rest, lines[k])
                    heading_idx.append(k)
                    j = k
            elif level == 2 and rest.startswith("关于"):
                tail = _find_displaced_tail(lines, i)
                if tail:
                    tail_lines = [t for t in range(tail[0], tail[1] + 1) if lines[t].strip()]
                    full = rest + "".join(lines[t].strip() for t in tail_lines)
                    title = _title_from(marker if level != 1 else marker + " ", full)
                    # The text between head and tail still belongs to the previous section.
                    scan.heading_lines.add(i)
                    scan.heading_lines.update(tail_lines)
                    pending[tail[0]] = (level, title)
                    deferred[i] = tail[0]
                    paths[i] = current
                    i += 1
                    continue
        if level == 1:
            title = f"{marker} {_clean(rest)}".strip()
        elif level == 4:
            title = f"{marker}{_clean(rest)}"
        else:
            title = _title_from(marker, rest)
        current = _push(stack, level, title)
        scan.headings[i] = (level, title)
        if level in (2, 3) and _DEFINITION_RE.match(rest) and len(_clean(rest)) > len(title) - len(marker) + 2:
            scan.content_lines.add(i)
        for k in heading_idx:
            scan.heading_lines.add(k)
        for k in range(i, j + 1):
            paths[k] = current
        i = j + 1
    for head, tail_start in deferred.items():
        paths[head] = paths[tail_start]
    return scan


def _push(stack: dict[int, str], level: int, title: str) -> str:
    for lv in list(stack):
        if lv >= level:
            del stack[lv]
    stack[level] = title
    return SEPARATOR.join(stack[lv] for lv in sorted(stack))


def section_paths(lines: list[str]) -> list[str]:
    """One section path per line, e.g. "第三部分 2024 年部门预算情况说明 / 三、关于…说明".

    Args:
        lines: the document's text lines.

    Returns:
        A list as long as lines; "" before the first heading, "目录" inside a table of contents.
    """
    return list(scan_sections(lines).paths)


def leaf_title(path: str) -> str:
    """Last component of a section path."""
    return path.rsplit(SEPARATOR, 1)[-1] if path else ""


def halfwidth_title(path: str) -> str:
    """Section path in halfwidth form, for matching."""
    return to_halfwidth(path)
