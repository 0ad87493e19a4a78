"""Turn a table region's lines into logical rows, whatever the extraction layout.

A logical row is a 科目编码 (maybe empty), label text fragments and a list of values,
each value with the source line it sits on and, when the layout keeps cell positions
(tab and cell layouts), its cell index. Header lines (before the first data row, and
repeated header blocks after page breaks) are collected separately so column names can
be derived from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.text.normalize import parse_number, to_halfwidth
from qa.ingest.table_layout import DEPT_LABEL, TABLE_MARK, Region

_CODE_LEAD = re.compile(r"^(\d{3})((?:\s+\d{2}){0,2})(?=\s|$)|^(\d{5}|\d{7})(?=\s|$)")
_SPACED_CJK = re.compile(r"(?<!\S)[\u4e00-\u9fff](?: [\u4e00-\u9fff])+(?!\S)")
_DEPT = re.compile(r"编制(?:部门|单位)|" + DEPT_LABEL.pattern)
_RIGHT_TOTAL = re.compile(r"支\s*出\s*(?:总\s*计|合\s*计)|本\s*年\s*支\s*出\s*合\s*计|年\s*终\s*结\s*转")
DASHES = {"-", "—", "－", "--", "——", "/", "–"}
_DASHES = DASHES


@dataclass
class Value:
    value: float
    line: int  # 0-based line index
    pos: int | None = None  # cell index within the row (positional layouts)
    text: str = ""


@dataclass
class RawRow:
    """One logical table row.

    Attributes:
        code: 科目编码 digits joined ("2080505"), "" if none.
        cells: label cells / fragments in order (positional layouts keep one per cell).
        values: numbers in reading order.
        first_line: 0-based index of the row's first source line.
        side: "" for ordinary rows, "left"/"right" for the two halves of a 收支 table line.
        n_cells: total cell count for positional rows (None for space layout).
        quote_span: for single-line two-sided rows, the character span of this side.
    """

    code: str = ""
    cells: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    first_line: int = 0
    side: str = ""
    n_cells: int | None = None
    label_pos: list[int] = field(default_factory=list)
    quote_span: tuple[int, int] | None = None


@dataclass
class RegionRows:
    rows: list[RawRow]
    header_lines: list[str]  # normalised header text lines (space layout)
    header_cells: list[list[str]]  # header rows as cell lists (positional layouts)
    numbering: int | None  # column count from a "※ 1 2 3" numbering row
    statement: str  # an emptiness statement such as "…为空表"
    statement_line: int | None = None  # 0-based line where the statement starts
    statement_end: int | None = None  # 0-based line where it ends


def collapse_spaced_cjk(text: str) -> str:
    """'收 入 总 计' -> '收入总计' (PDF letter-spacing), leaving multi-character words apart."""
    return _SPACED_CJK.sub(lambda m: m.group(0).replace(" ", ""), text)


def clean_cell(text: str) -> str:
    return collapse_spaced_cjk(to_halfwidth(text).replace("\t", " ").strip())


# An identifier, not an amount (compiled once: amount() reads every cell).
_LEADING_ZERO = re.compile(r"0\d+")


def amount(token: str) -> float | None:
    """Parse a table amount; identifiers with leading zeros ('07100762') are not amounts."""
    t = token.strip()
    if _LEADING_ZERO.fullmatch(t):
        return None
    return parse_number(t)


def numbering_count(cells: list[str]) -> int | None:
    """Column count of a numbering row such as '※ ※ ※ ※ 1 2 3' or '栏次 1 2 3'."""
    toks = [c for c in cells if c and c not in ("※", "栏次", "*")]
    if len(toks) < 2:
        return None
    if not all(re.fullmatch(r"\d{1,2}", t) for t in toks):
        return None
    nums = [int(t) for t in toks]
    if nums == list(range(1, len(nums) + 1)):
        return len(nums)
    return None


def _is_statement(text: str) -> bool:
    return "空表" in text or bool(re.search(r"没有使用.{0,20}安排的支出", text))


# ---------------------------------------------------------------- space layout


def _is_prose(text: str) -> bool:
    return bool(re.search(r"[。；;]", text)) or len(re.sub(r"\s+", "", text)) > 60


def _split_code(text: str) -> tuple[str, str]:
    m = _CODE_LEAD.match(text)
    if not m:
        return "", text
    if m.group(3):
        return m.group(3), text[m.end():].strip()
    code = m.group(1) + re.sub(r"\s+", "", m.group(2) or "")
    return code, text[m.end():].strip()


def _split_values(text: str) -> tuple[str, list[str]]:
    toks = text.split()
    vals: list[str] = []
    while toks and (amount(toks[-1]) is not None or toks[-1] in _DASHES):
        vals.insert(0, toks.pop())
    return " ".join(toks), vals


def _two_sided_split(line: str) -> int | None:
    """Character offset where the right (支出) half of a 收支 line starts, if any."""
    t = to_halfwidth(line)
    m = _RIGHT_TOTAL.search(t)
    if m and m.start() > 0 and t[: m.start()].strip():
        return m.start()
    for m in re.finditer(r"(?<=\s)([2-5]\d{2})(?=\s*[^\d\s.,])", t):
        left = t[: m.start()].strip()
        if left and re.search(r"[\u4e00-\u9fff]", left):
            return m.start()
    # "二、政府性基金预算拨款收入 三、国防": two enumerated labels, the right one blank.
    m = re.match(r"^\s*[（(]?[一二三四五六七八九十]+[、)）]\S*?\s+(?=[（(]?[一二三四五六七八九十]+[、)）])", t)
    if m:
        return m.end()
    # "…收入 1 100.00 一、一般公共服务支出 28 100.00": an enumerated label after an amount.
    m = re.search(r"(?<=\d)\s+(?=[（(]?[一二三四五六七八九十]+[、)）]|[\u4e00-\u9fff])", t)
    if m and re.search(r"[\u4e00-\u9fff]", t[: m.start()]):
        return m.end()
    return None


def _space_rows(lines: list[str], region: Region, two_sided: bool) -> RegionRows:
    rows: list[RawRow] = []
    header: list[str] = []
    numbering: int | None = None
    statement = ""
    pending: RawRow | None = None
    data_started = False
    in_header = True
    last_row: RawRow | None = None

    def flush_pending_to_prev() -> None:
        nonlocal pending
        if pending is None:
            return
        if pending.code or not last_row:
            if pending.code:
                rows.append(pending)
        else:
            last_row.cells.extend(pending.cells)
        pending = None

    def emit(row: RawRow) -> None:
        nonlocal last_row
        rows.append(row)
        last_row = row

    header_text: tuple[int, str] | None = None
    open_row: RawRow | None = None

    def last_line_of(row: RawRow) -> int:
        return max(v.line for v in row.values) if row.values else row.first_line

    statement_line: int | None = None
    last_statement = -2
    prev_line = -1
    cur_line = -1
    for i in range(region.body_start, region.end):
        if i in region.continuation_starts:
            in_header = True
            continue
        raw = lines[i]
        if not raw.strip():
            continue
        prev_line, cur_line = cur_line, i
        t = clean_cell(raw)
        if _is_statement(t) or (statement and not statement.endswith("。") and not re.search(r"\d", t)
                                and len(t) < 60 and last_statement == prev_line):
            # "…政府性基金预算" / "支出情况表为空表。": a statement wrapped over two lines.
            if statement_line is None:
                statement_line = i
            statement += t
            last_statement = i
            continue
        if _DEPT.search(t) or re.fullmatch(r"(?:金额)?单位[:：].*", t):
            in_header = True
            continue
        cnt = numbering_count(t.split())
        if cnt:
            numbering = numbering or cnt
            in_header = False
            continue
        if t.startswith(("（表", "(表", "注：", "注:", "备注", "说明：")) or TABLE_MARK.match(t):
            continue
        halves: list[tuple[str, str, tuple[int, int] | None]] = [("", t, None)]
        if two_sided:
            cut = _two_sided_split(raw)
            if cut is not None:
                left, right = to_halfwidth(raw)[:cut], to_halfwidth(raw)[cut:]
                halves = [("left", clean_cell(left), (0, cut)), ("right", clean_cell(right), (cut, len(raw)))]
            else:
                code0, _ = _split_code(t)
                halves = [("right" if code0 else "left", t, None)]
        for side, text, span in halves:
            if (not two_sided and pending is not None and pending.code and not pending.cells
                    and len(pending.code) in (3, 5) and re.fullmatch(r"\d{2}", text)):
                # One cell per line without separators: "208" / "05" / "01" build one code.
                pending.code += text
                continue
            code, rest = _split_code(text)
            label, vals = _split_values(rest)
            if _is_prose(label) or re.search(r"[,，。]|\d\s*(?:万元|亿元|元)", label):
                # A sentence that happens to end in a number ("…占 70.53%") is not a row.
                pending = None
                continue
            # Dashes print a zero: kept as place holders so the other amounts keep their columns.
            values = [Value(amount(v) or 0.0, i, None, v) for v in vals]
            if all(v.text in DASHES for v in values):
                values = []
            has_text = bool(re.search(r"[\u4e00-\u9fffA-Za-z]", label))
            if (not data_started or in_header) and not code and not values:
                header.append(text)
                header_text = (i, label)
                continue
            in_header = False
            data_started = True
            if two_sided:
                if values and not label and not code:
                    # One cell per line without tabs: the amount follows its label's line.
                    if last_row is not None and not last_row.values and last_row.first_line == prev_line:
                        last_row.values = values
                        continue
                    if header_text is not None and header_text[0] == prev_line:
                        header.pop()
                        emit(RawRow(cells=[header_text[1]], values=values, first_line=header_text[0], side="left"))
                        continue
                if values or label or code:
                    emit(RawRow(code=code, cells=[label] if label else [], values=values, first_line=i,
                                side=side, quote_span=span))
                continue
            if code and values:
                flush_pending_to_prev()
                emit(RawRow(code=code, cells=[label] if label else [], values=values, first_line=i))
            elif code:
                flush_pending_to_prev()
                pending = RawRow(code=code, cells=[label] if label else [], first_line=i)
            elif values:
                if pending is not None and not pending.code and has_text:
                    # Text lines without numbers followed by a labelled row: those were
                    # rows left blank (e.g. 因公出国（境）费 with no amount), not a wrapped label.
                    pending = None
                if pending is not None:
                    if label:
                        pending.cells.append(label)
                    pending.values = values
                    emit(pending)
                    pending = None
                    open_row = last_row if (len(values) == 1 and not label) else None
                    continue
                elif (open_row is not None and not has_text and len(values) == 1
                      and open_row is last_row and last_line_of(open_row) == prev_line):
                    # Further amounts of a row printed one cell per line.
                    open_row.values.extend(values)
                    continue
                elif has_text:
                    emit(RawRow(cells=[label], values=values, first_line=i))
                else:
                    # Amounts without a label: kept for tables whose items run across the
                    # header (三公); other tables skip label-less rows.
                    rows.append(RawRow(cells=[], values=values, first_line=i))
            elif has_text and _is_prose(label):
                # A sentence after (or inside) the table is not part of any row label.
                pending = None
            elif has_text:
                if pending is None:
                    pending = RawRow(cells=[label], first_line=i)
                else:
                    pending.cells.append(label)
    if pending is not None and last_row is not None and not pending.code:
        last_row.cells.extend(pending.cells)
    return RegionRows(rows, header, [], numbering, statement, statement_line,
                      last_statement if statement_line is not None else None)


# ---------------------------------------------------------- positional layouts


def _cells_tab(lines: list[str], region: Region) -> list[tuple[int, list[str], list[int]]]:
    out = []
    for i in range(region.body_start, region.end):
        raw = lines[i]
        if not raw.strip():
            continue
        cells = [clean_cell(c) for c in raw.split("\t")]
        out.append((i, cells, [i] * len(cells)))
    return out


def _cells_blocks(lines: list[str], region: Region) -> list[tuple[int, list[str], list[int]]]:
    """Cell-per-line text: each tab-led line is a cell, blank lines end a row."""
    out: list[tuple[int, list[str], list[int]]] = []
    cells: list[str] = []
    where: list[int] = []
    start = None
    for i in range(region.body_start, region.end + 1):
        raw = lines[i] if i < region.end else ""
        if raw == "" or (not raw.strip() and "\t" not in raw):
            if cells:
                out.append((start, cells, where))
            cells, where, start = [], [], None
            continue
        if start is None:
            start = i
        if raw.startswith("\t") or not cells:
            for k, part in enumerate(raw.split("\t")):
                if k == 0 and raw.startswith("\t"):
                    continue
                cells.append(clean_cell(part))
                where.append(i)
        else:
            # A wrapped cell: text continuing the previous cell on a line of its own.
            cells[-1] = cells[-1] + clean_cell(raw)
    return out


def _positional_rows(lines: list[str], region: Region, two_sided: bool) -> RegionRows:
    raw_rows = _cells_tab(lines, region) if region.layout == "tab" else _cells_blocks(lines, region)
    header_cells: list[list[str]] = []
    numbering = None
    statement = ""
    rows: list[RawRow] = []
    data_started = False
    # Rows split by a stray blank line: merge a short block with the next one when the
    # pair makes up the usual row width.
    widths = [len(c) for _, c, _ in raw_rows]
    common = max(set(widths), key=widths.count) if widths else 0
    merged: list[tuple[int, list[str], list[int]]] = []
    k = 0
    while k < len(raw_rows):
        i, c, w = raw_rows[k]
        if region.layout == "cell" and len(c) < common and k + 1 < len(raw_rows):
            j, c2, w2 = raw_rows[k + 1]
            if len(c) + len(c2) == common:
                merged.append((i, c + c2, w + w2))
                k += 2
                continue
            if len(c) + len(c2) - 1 == common and not lines[j].startswith("\t"):
                # The next block opens with the wrapped end of this block's last cell.
                merged.append((i, c[:-1] + [c[-1] + c2[0]] + c2[1:], w + w2[1:]))
                k += 2
                continue
        merged.append((i, c, w))
        k += 1
    in_header = True
    statement_line: int | None = None
    statement_end: int | None = None
    for i, cells, where in merged:
        joined = " ".join(x for x in cells if x)
        if not joined:
            continue
        if _is_statement(joined):
            statement += joined
            if statement_line is None:
                statement_line = i
                statement_end = max(where)
            continue
        if any(_DEPT.search(x) for x in cells) or re.fullmatch(r"(?:金额)?单位[:：].*", joined):
            in_header = True
            # The dept cell may share a block with the first header cells (002): keep the rest.
            rest = [x for x in cells if not _DEPT.search(x) and not re.match(r"(?:金额)?单位[:：]", x)]
            if rest and not data_started:
                header_cells.append(rest)
            continue
        if i in region.continuation_starts or (cells and cells[0] == region.title):
            in_header = True
            continue
        cnt = numbering_count(joined.split())
        if cnt:
            numbering = numbering or cnt
            continue
        if (joined.startswith(("（表", "(表", "注：", "注:", "备注", "说明：")) or set(joined) <= set("-— ")
                or TABLE_MARK.match(joined)):
            continue
        vals = []
        for p, x in enumerate(cells):
            v = amount(x.replace(" ", "")) if x else None
            if v is not None:
                vals.append(Value(v, where[p], p, x))
        if in_header and (not vals or not data_started and _looks_header(cells)):
            # Repeated header blocks after a page break are skipped, not re-read.
            if not data_started:
                header_cells.append(cells)
            continue
        in_header = False
        data_started = True
        rows.append(RawRow(code="", cells=list(cells), values=vals, first_line=i, n_cells=len(cells),
                           label_pos=[p for p, x in enumerate(cells) if x and amount(x.replace(" ", "")) is None]))
    return RegionRows(rows, [], header_cells, numbering, statement, statement_line, statement_end)


def _looks_header(cells: list[str]) -> bool:
    """A header row carries column names and at most ordinal numbers."""
    nums = [x for x in cells if x and amount(x) is not None]
    words = [x for x in cells if x and amount(x) is None]
    return len(words) >= 2 and all(re.fullmatch(r"\d{1,2}", n) for n in nums) and len(words) > len(nums)


def region_rows(lines: list[str], region: Region, two_sided: bool = False) -> RegionRows:
    """Read a region's logical rows.

    Args:
        lines: the document's lines.
        region: the table region.
        two_sided: True for 收支 tables whose lines hold an income and an expenditure cell.
    """
    if region.layout == "space":
        return _space_rows(lines, region, two_sided)
    return _positional_rows(lines, region, two_sided)
