"""Document-level metadata: publishing department, budget year, kind and default unit.

Pure functions over the text lines. The genre prints the department on every table's
编制部门 line and in the title / 第一部分 heading; the year in headings such as
"2024 年部门预算公开表"; the unit in "单位：万元" lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from qa.text.normalize import normalize_unit, to_halfwidth

_DEPT_LINE = re.compile(r"编制(?:部门|单位)(?:\s*[（(]\s*单位\s*[)）])?\s*[:：]\s*(.+)")
_UNIT_TAIL = re.compile(r"\s*(?:金额)?单位\s*[:：].*$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
_TITLE_DEPT_PATTERNS = [
    # "2024年度安阳市住房公积金管理中心部门预算公开说明"
    re.compile(r"(?:19|20)\d{2}\s*年度?\s*(.+?)(?:部门|单位)(?:（单位）)?(?:预算|决算)"),
    # "第一部分 昌吉回族自治州住房公积金管理中心部门概况" / "... 2024 年 XX 部门概况"
    re.compile(r"第[一二三四五六七八九十]+部分\s*(?:(?:19|20)\d{2}\s*年度?)?\s*(.+?)(?:部门|单位)?概况"),
    re.compile(r"^\s*(?:(?:19|20)\d{2}\s*年度?)?\s*(.+?)(?:部门|单位)(?:（单位）)?(?:预算|决算)"),
]
# A place at the head of a title ("南川市2024年市级部门预算集中公开"): the publisher of a
# news report or a government-wide release that has no 编制部门.
_REGION_HEAD = re.compile(
    r"^(?:(?:19|20)\d{2}年度?)?([\u4e00-\u9fff]{1,15}?(?:特别行政区|自治区|自治州|自治县|省|市|州|地区|盟|县|旗|区|镇|乡))"
    r"(?=(?:19|20)\d{2}年|(?:省|市|州|县|区|乡|镇)?(?:本级|级)|部门|预算|决算)")
_ORG_SUFFIX = re.compile(r"(局|委员会|委|中心|办公室|办|厅|院|所|站|馆|队|处|部|会|社|校|园|协会|公司|集团|总站|分局)$")


@dataclass(frozen=True)
class Meta:
    """What read_metadata finds.

    Attributes:
        department: publishing department, full name ("" when not found).
        year: budget year covered (None when not found).
        kind: "预算", "决算" or "其他".
        unit: default money unit of the tables ("万元" unless the tables say otherwise).
        title: the document's title line ("" when none stands out).
    """

    department: str
    year: int | None
    kind: str
    unit: str
    title: str


def _clean_dept(text: str) -> str:
    t = to_halfwidth(text).replace("\t", " ")
    t = _UNIT_TAIL.sub("", t)
    t = re.sub(r"\s+", "", t)
    return t.strip(":：,，。 ")


def _departments_from_table_lines(lines: list[str]) -> list[str]:
    found = []
    for line in lines:
        m = _DEPT_LINE.search(line)
        if m:
            d = _clean_dept(m.group(1))
            if 2 <= len(d) <= 40:
                found.append(d)
    return found


def _department_from_headings(lines: list[str]) -> str:
    for line in lines[:80]:
        t = re.sub(r"\s+", "", to_halfwidth(line))
        if not t or len(t) > 60:
            continue
        for pat in _TITLE_DEPT_PATTERNS:
            m = pat.search(t)
            if m:
                cand = re.sub(r"^(?:19|20)\d{2}年度?", "", m.group(1)).strip()
                if 2 <= len(cand) <= 40 and _ORG_SUFFIX.search(cand):
                    return cand
    return ""


def _region_from_title(lines: list[str]) -> str:
    """The place a title starts with, for documents that name no department."""
    for line in lines[:20]:
        t = re.sub(r"\s+", "", to_halfwidth(line))
        if not t or len(t) > 60 or not re.search(r"(预算|决算)", t):
            continue
        m = _REGION_HEAD.match(t)
        if m:
            return m.group(1)
    return ""


def _title(lines: list[str]) -> str:
    for line in lines[:60]:
        t = line.strip()
        if not t:
            continue
        s = re.sub(r"\s+", "", t)
        if re.search(r"(预算|决算)", s) and re.search(r"(公开|说明|报告|情况)", s) and len(s) <= 60:
            return re.sub(r"\s+", " ", t)
    for line in lines[:5]:
        if line.strip():
            return re.sub(r"\s+", " ", line.strip())
    return ""


def _year(lines: list[str]) -> int | None:
    counts: Counter[int] = Counter()
    for i, line in enumerate(lines):
        t = re.sub(r"\s+", "", to_halfwidth(line))
        if not re.search(r"(预算|决算)", t):
            continue
        # Headings and titles carry the covered year; body sentences also cite "截至2023年底".
        weight = 3 if (len(t) <= 40 or re.search(r"(部分|公开表|公开说明|预算表|决算表)", t)) else 1
        for m in re.finditer(r"((?:19|20)\d{2})年度?(?:部门|单位|预算|决算|（单位）|年初|收支|一般公共)", t):
            counts[int(m.group(1))] += weight
        if i > 400 and counts:
            break
    if not counts:
        for line in lines[:50]:
            m = _YEAR.search(to_halfwidth(line))
            if m:
                return int(m.group(1))
        return None
    return counts.most_common(1)[0][0]


def _kind(lines: list[str]) -> str:
    # The title names the kind; 决算 documents also say 预算 a lot (年初预算数, 调整预算).
    for line in lines[:10]:
        t = re.sub(r"\s+", "", line)
        if "决算" in t and ("公开" in t or "报告" in t or len(t) <= 40):
            return "决算"
        if "预算" in t and ("公开" in t or len(t) <= 40) and "决算" not in t:
            return "预算"
    head = re.sub(r"\s+", "", "".join(lines[:120]))
    n_budget = head.count("预算")
    n_final = head.count("决算")
    if n_final > n_budget and n_final > 0:
        return "决算"
    if n_budget > 0:
        return "预算"
    return "其他"


def _unit(lines: list[str]) -> str:
    counts: Counter[str] = Counter()
    for line in lines:
        if "单位" in line:
            u = normalize_unit(line)
            if u:
                counts[u] += 1
    if counts:
        return counts.most_common(1)[0][0]
    # No table unit printed (a news item, a letter): the unit the amounts are written in.
    for line in lines:
        for m in re.finditer(r"\d\s*(亿元|万元|千元|元)", to_halfwidth(line)):
            counts[m.group(1)] += 1
    return counts.most_common(1)[0][0] if counts else "万元"


def read_metadata(name: str, lines: list[str]) -> Meta:
    """Read department, year, kind, unit and title from a document's lines.

    Args:
        name: file name (only used as a last-resort title).
        lines: the document's text lines.

    Returns:
        Meta with the most frequent 编制部门 (else the heading's department, else the
        region a title starts with, e.g. "南川市" for a city-wide release), the year
        named by the title/headings, "预算"/"决算"/"其他", the most common table unit.
    """
    depts = _departments_from_table_lines(lines)
    department = Counter(depts).most_common(1)[0][0] if depts else _department_from_headings(lines)
    if not department:
        # No 编制部门 and no department heading (a news report, a government-wide release):
        # the region the title names is the publisher.
        department = _region_from_title(lines)
    return Meta(
        department=department,
        year=_year(lines),
        kind=_kind(lines),
        unit=_unit(lines),
        title=_title(lines) or name,
    )
