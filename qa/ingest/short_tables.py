"""Small tables the table parser does not take up: a few tab rows under no 表N title.

Pages that publish one 三公 table, a count table (团组数, 保有量, 接待人次) or a
year-by-year comparison print it bare: a header row, a handful of rows of a label and
amounts, sometimes a unit line, rarely a title. qa.ingest.tables reads tables it finds
by their titles; this module reads the tab-row stretches left over, so their figures
become facts too.

Rules, all about the genre, none about a page:
    * a stretch is two or more rows with amounts under a header row of names;
    * a header naming the document's year ("2020年度支出") is that year's figure, the year
      before is 上年…, 增减 columns are changes and 率 / % columns are rates;
    * rows labelled by years (2015年, 2016年) turn the table round: the header names the
      items and each row is one year's column;
    * the unit comes from the header ("(万元)"), a 单位 line just above, or the document;
      counts (人次, 辆, 批次, 团组) carry their own unit.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from qa.ingest.cell_streams import is_amount
from qa.ingest.tables import normalize_label
from qa.text.normalize import normalize_unit, parse_number, to_halfwidth, to_yuan
from qa.types import Document, Fact

log = logging.getLogger(__name__)

_YEAR_LABEL = re.compile(r"^((?:19|20)\d{2})\s*年度?$")
_YEAR_HEAD = re.compile(r"^((?:19|20)\d{2})\s*年度?")
_UNIT_IN_CELL = re.compile(r"[(（]\s*(亿元|万元|千元|元|百万元)\s*[)）]")
_CHANGE_HEAD = re.compile(r"增减(?!原因)|增加(?:情况|额)|减少(?:情况|额)|变动")
_RATE_HEAD = re.compile(r"率|%|％|比例|占比|比重")
_COUNT_HEAD = re.compile(r"数量|人次|个数|人数|批次|辆")
_TEXT_HEAD = re.compile(r"原因|说明|备注")
_COUNT_UNITS = ((re.compile(r"人次|人数"), "人"), (re.compile(r"保有量|购置数|车辆数|辆"), "辆"),
                (re.compile(r"批次|团组|个数|次数"), "个"))
_MAX_TITLE = 60


def _amount(cell: str) -> float | None:
    c = re.sub(r"[_＿\s]+", "", to_halfwidth(cell)).rstrip("%")
    return parse_number(c)


def _runs(lines: list[str], covered: set[int]) -> list[tuple[int, int]]:
    """(start, end) 0-based half-open stretches of tab rows outside the parsed tables."""
    out, i, n = [], 0, len(lines)
    while i < n:
        if "\t" not in lines[i] or i in covered:
            i += 1
            continue
        j = i
        while j < n and "\t" in lines[j] and j not in covered:
            j += 1
        out.append((i, j))
        i = j
    return out


def _base_column(doc: Document) -> str:
    return "决算数" if "决算" in (doc.kind or "") else "预算数"


def _year_column(year: int, doc: Document, base: str) -> str:
    if doc.year is None or year == doc.year:
        return base
    if year == doc.year - 1:
        return "上年" + base
    return f"{year}年{base}"


def column_name(header: str, doc: Document) -> str:
    """The column a header cell names, in the project's column vocabulary.

    Args:
        header: the header cell as printed ("2020年度支出 (万元)", "2023年预算数增减").
        doc: the document (its year and kind decide 预算数 / 决算数 / 上年…).
    """
    h = re.sub(r"\s+", "", _UNIT_IN_CELL.sub("", to_halfwidth(header)))
    if _CHANGE_HEAD.search(h):
        return "比上年增减"
    if _RATE_HEAD.search(h):
        return "增长率"
    base = "决算数" if "决算" in h else "预算数" if "预算" in h else _base_column(doc)
    if _COUNT_HEAD.search(h):
        base = "数量"
    m = _YEAR_HEAD.match(h)
    if m:
        return _year_column(int(m.group(1)), doc, base)
    h = re.sub(r"^本年度?", "", h)
    if h in ("预算数", "决算数", "预算", "决算", "执行数", "金额", "合计", "数量"):
        return h if h.endswith(("数", "额", "计", "量")) else h + "数"
    return h or base


def _unit_of(lines: list[str], start: int, header: list[str], doc: Document) -> str:
    for cell in header:
        m = _UNIT_IN_CELL.search(to_halfwidth(cell))
        if m:
            return m.group(1)
    for k in range(start - 1, max(-1, start - 4), -1):
        u = normalize_unit(lines[k])
        if u:
            return u
    return doc.unit or "万元"


def _title_of(lines: list[str], start: int, doc: Document) -> str:
    for k in range(start - 1, max(-1, start - 4), -1):
        t = lines[k].strip()
        if not t or normalize_unit(t):
            continue
        if "\t" in t or len(t) > _MAX_TITLE or re.search(r"[。；;]", t):
            break
        return re.sub(r"\s+", "", t)
    return doc.title or ""


def _count_unit(label: str, column: str) -> str | None:
    """The unit of a count cell ("公务用车保有量" 辆, "接待人次" 人), None for money."""
    text = label + column
    if column != "数量" and not re.search(r"人次|批次|团组|保有量|购置数", label):
        return None
    for rx, unit in _COUNT_UNITS:
        if rx.search(text):
            return unit
    return "个"


def _label(cell: str) -> str:
    lab = re.sub(r"公车(?!务)", "公务用车", normalize_label(cell))  # 公车购置及运行维护费
    lab = re.sub(r"^(?:总|合计[:：]?)(?=[\u4e00-\u9fff])", "", lab) if "三公" in lab else lab
    return "三公经费" if "三公" in lab and re.search(r"经费", lab) else lab


def _is_header(cells: list[str]) -> bool:
    names = [c for c in cells if c.strip()]
    return len(names) >= 2 and not any(is_amount(c) for c in names[1:])


def read_short_tables(lines: list[str], doc: Document, sections: list[str],
                      tables: list[dict[str, Any]], first_no: int | None = None
                      ) -> tuple[list[dict[str, Any]], list[Fact]]:
    """Facts of the small tab-row tables no parsed table covers.

    Args:
        lines: the prepared lines the table parser read.
        doc: the document's metadata.
        sections: section path per line.
        tables: the tables already found (1-based "line_start"/"line_end").
        first_no: the number to give the first table found (after the parsed ones).

    Returns:
        (table dicts in the shape qa.ingest.tables.extract_tables returns, facts).
    """
    covered: set[int] = set()
    for t in tables:
        try:
            covered.update(range(int(t["line_start"]) - 1, int(t["line_end"])))
        except (KeyError, TypeError, ValueError):
            continue
    no = first_no if first_no is not None else len(tables) + 1
    out_tables: list[dict[str, Any]] = []
    facts: list[Fact] = []
    for a, b in _runs(lines, covered):
        try:
            got = _read(lines, a, b, doc, sections, str(no))
        except Exception:  # one odd stretch must not lose the document
            log.exception("short table at line %d of %s could not be read", a + 1, doc.name)
            continue
        if got is None:
            continue
        entry, table_facts = got
        out_tables.append(entry)
        facts.extend(table_facts)
        no += 1
    return out_tables, facts


def _read(lines: list[str], a: int, b: int, doc: Document, sections: list[str],
          no: str) -> tuple[dict[str, Any], list[Fact]] | None:
    rows = [[c.strip() for c in lines[k].split("\t")] for k in range(a, b)]
    h = next((k for k, r in enumerate(rows) if _is_header(r)), None)
    if h is None or h > 1:
        return None
    header = rows[h]
    body = [(a + h + 1 + k, r) for k, r in enumerate(rows[h + 1:])]
    numeric = [(i, r) for i, r in body if r and r[0] and not is_amount(r[0]) and any(_amount(c) is not None for c in r[1:])]
    if len(numeric) < 2 and not (numeric and len(header) >= 3):
        return None
    unit = _unit_of(lines, a, header, doc)
    title = _title_of(lines, a, doc)
    base = _base_column(doc)
    transposed = sum(1 for _, r in numeric if _YEAR_LABEL.match(re.sub(r"\s+", "", r[0]))) >= 2
    facts: list[Fact] = []
    columns: list[str] = []
    for i, r in numeric:
        quote = lines[i].replace("\t", " ").strip()
        row_label = re.sub(r"\s+", "", to_halfwidth(r[0]))
        for j, cell in enumerate(r[1:], start=1):
            v = _amount(cell)
            if v is None or j >= len(header):
                continue
            if transposed:
                label = _label(header[j])
                ym = _YEAR_LABEL.match(row_label)
                if ym:
                    column = _year_column(int(ym.group(1)), doc, base)
                elif _CHANGE_HEAD.search(row_label) and re.search(r"%|％|率", row_label):
                    column = "增长率"
                else:
                    column = column_name(row_label, doc)
            else:
                if _TEXT_HEAD.search(header[j]):
                    continue
                label = _label(r[0])
                column = column_name(header[j], doc)
            f_unit = "%" if (cell.strip().endswith(("%", "％")) or column in ("增长率",)) else unit
            count = _count_unit(label, column) if f_unit != "%" else None
            if count:
                f_unit, column = count, ("数量" if column in (base, "数量") else column)
            if not label or len(re.findall(r"[\u4e00-\u9fff]", label)) < 2:
                continue
            if column == "比上年增减" and not transposed and re.search(r"减少", header[j]) and "增" not in header[j]:
                v = -v  # "支出减少情况": a decrease printed as a positive amount
            columns.append(column)
            facts.append(Fact(
                doc=doc.name, department=doc.department, year=doc.year, table_no=no, table_title=title,
                section=sections[i] if i < len(sections) else "", code="", label=label, column=column,
                value=v, unit=f_unit, norm_value=to_yuan(v, f_unit), line=i + 1, quote=quote, source="table",
            ))
    if not facts:
        return None
    entry = {
        "no": no, "title": title, "unit": unit, "line_start": a + 1, "line_end": b,
        "empty": False, "columns": list(dict.fromkeys(columns)), "kind": "short",
        "department": doc.department,
    }
    return entry, facts
