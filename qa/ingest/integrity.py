"""Do a document's own table figures add up?

Checks, per table, on the parsed table facts:
- "code": a parent 科目编码 equals the sum of its children, per column (functional
  3 -> 5 -> 7 digits, economic 3 -> 5 digits);
- "total": a 总计/合计 row equals the sum of the top-level (3-digit) rows, per column;
  in the 三公 table the 合计 equals its three items and 公务用车购置及运行费 equals
  购置费 + 运行费;
- "row": within a row, 合计 = 基本支出 + 项目支出, 合计 = 人员经费 + 公用经费, and the
  收入表's 总计 / 财政拨款小计 equal their parts;
- "balance": in 收支总表s, 收入总计 = 支出总计, and the expenditure side adds up.
Tolerance: 0.01 of the table unit per added figure (rounding).
"""

from __future__ import annotations

from collections import defaultdict

from qa.types import Document, Fact, IntegrityIssue

_ROW_SUMS = [
    ("合计", ["基本支出", "项目支出"]),
    ("合计", ["人员经费", "公用经费", "项目支出"]),
    ("合计", ["一般公共预算", "政府性基金预算", "国有资本经营预算"]),
    ("总计", ["财政拨款小计", "财政专户", "单位资金", "财政拨款结转", "非财政拨款结转结余"]),
    ("财政拨款小计", ["一般公共预算", "上级一般公共预算安排的转移支付", "政府性基金预算",
                "上级政府性基金安排的转移支付", "国有资本经营预算", "上级国有资本经营预算安排的转移支付"]),
    ("总计", ["财政拨款合计", "非财政拨款合计"]),
    ("财政拨款合计", ["财政拨款人员经费", "财政拨款公用经费", "财政拨款项目支出"]),
    ("非财政拨款合计", ["非财政拨款人员经费", "非财政拨款公用经费", "非财政拨款项目支出"]),
]
_PROJECT_PARTS = ["工资福利支出", "商品和服务支出", "对个人和家庭的补助", "债务利息及费用支出",
                  "资本性支出(基本建设)", "资本性支出", "对企业补助(基本建设)", "对企业补助",
                  "对社会保障基金补助", "其他支出"]
_TOTALS = ("总计", "合计")
# Columns that split one of a family's parts (人员经费 within 基本支出 …): they may sit in
# the same row without being part of the family's sum.
_SUB_COLUMNS = {
    "人员经费", "公用经费", "工资福利支出", "对个人和家庭的补助", "对个人和家庭补助", "商品和服务支出",
    "资本性支出", "其他运转类", "特定目标类", "财政拨款", "一般公共预算", "上级一般公共预算安排的转移支付",
    "政府性基金预算", "上级政府性基金安排的转移支付", "国有资本经营预算", "上级国有资本经营预算安排的转移支付",
    "财政拨款小计", "财政拨款合计", "非财政拨款合计",
} | set(_PROJECT_PARTS)


def _fmt(v: float) -> str:
    return f"{v:,.2f}"


def _tol(n: int) -> float:
    return 0.01 * max(1, n) + 1e-9


def _table_key(f: Fact) -> tuple[str, str]:
    return (f.table_no, f.table_title)


def check_integrity(doc: Document, facts: list[Fact], tables: list[dict]) -> list[IntegrityIssue]:
    """Report places where a document's table figures do not add up.

    Args:
        doc: the document.
        facts: all facts of the document (prose facts are ignored).
        tables: the table dicts from extract_tables (titles and units for messages).

    Returns:
        One IntegrityIssue per mismatch, in table order.
    """
    by_table: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        # Rates and shares do not add up across rows.
        if f.source == "table" and f.unit != "%":
            by_table[_table_key(f)].append(f)
    issues: list[IntegrityIssue] = []
    for t in tables:
        tf = by_table.get((t["no"], t["title"]), [])
        if not tf:
            continue
        kind = t.get("kind", "")
        issues += _check_codes(doc, t, tf)
        issues += _check_totals(doc, t, tf)
        issues += _check_rows(doc, t, tf, kind)
        if kind in ("summary", "fiscal_summary"):
            issues += _check_balance(doc, t, tf)
        if kind == "three":
            issues += _check_three(doc, t, tf)
    return issues


def _name(t: dict) -> str:
    return f"表{t['no']} {t['title']}" if t["no"] else t["title"]


def _issue(doc: Document, t: dict, kind: str, msg: str, line: int, expected: float, stated: float) -> IntegrityIssue:
    return IntegrityIssue(doc=doc.name, table_no=t["no"], kind=kind, message=f"{_name(t)}: {msg}",
                          line=line, expected=round(expected, 2), stated=round(stated, 2))


def _check_codes(doc: Document, t: dict, tf: list[Fact]) -> list[IntegrityIssue]:
    # Value per (code, column), summed over rows sharing a code (one row per project).
    vals: dict[tuple[str, str], float] = defaultdict(float)
    line: dict[str, int] = {}
    labels: dict[str, str] = {}
    for f in tf:
        if not f.code or f.column.endswith("(续)"):
            continue
        vals[(f.code, f.column)] += f.value
        line.setdefault(f.code, f.line)
        labels.setdefault(f.code, f.label)
    codes = sorted(line)
    columns = sorted({c for _, c in vals})
    out = []
    for parent in codes:
        kids = [c for c in codes if len(c) == len(parent) + 2 and c.startswith(parent)]
        if not kids:
            continue
        for col in columns:
            if (parent, col) not in vals and not any((k, col) in vals for k in kids):
                continue
            stated = vals.get((parent, col), 0.0)
            s = sum(vals.get((k, col), 0.0) for k in kids)
            if abs(stated - s) > _tol(len(kids)):
                parts = " + ".join(f"{k} {_fmt(vals.get((k, col), 0.0))}" for k in kids)
                out.append(_issue(doc, t, "code",
                                  f"{parent} {labels[parent]} {col} is {_fmt(stated)} but its sub-items add up to "
                                  f"{_fmt(s)} ({parts})", line[parent], s, stated))
    return out


def _check_totals(doc: Document, t: dict, tf: list[Fact]) -> list[IntegrityIssue]:
    totals = [f for f in tf if not f.code and f.label in _TOTALS]
    tops = [f for f in tf if len(f.code) == 3]
    if not totals or not tops:
        return []
    first_line = min(f.line for f in totals)
    total_row = [f for f in totals if f.line == first_line or f.label == totals[0].label]
    seen: set[str] = set()
    out = []
    for f in total_row:
        if f.column in seen:
            continue
        seen.add(f.column)
        kids = [x for x in tops if x.column == f.column]
        all_top_codes = {x.code for x in tops}
        s = sum(x.value for x in kids)
        if abs(f.value - s) > _tol(len(all_top_codes)):
            out.append(_issue(doc, t, "total",
                              f"{f.label} {f.column} is {_fmt(f.value)} but the classes add up to {_fmt(s)} "
                              f"({' + '.join(f'{x.code} {_fmt(x.value)}' for x in kids) or 'none'})",
                              f.line, s, f.value))
    # Columns printed in the classes but left blank in the total row: one issue per row.
    missing = []
    for col in sorted({x.column for x in tops} - seen, key=lambda c: t.get("columns", []).index(c)
                      if c in t.get("columns", []) else 99):
        s = sum(x.value for x in tops if x.column == col)
        if abs(s) > _tol(1):
            missing.append((col, s))
    if missing:
        out.append(_issue(doc, t, "total",
                          f"{total_row[0].label} row leaves {', '.join(c for c, _ in missing)} blank but the classes "
                          f"add up to {', '.join(_fmt(s) for _, s in missing)}",
                          total_row[0].line, missing[0][1], 0.0))
    return out


def _rows(tf: list[Fact]) -> dict[tuple[int, str, str], dict[str, Fact]]:
    """Group a table's facts into rows: extract_tables emits a row's cells one after
    another, so a row is a run of facts with the same code and label and no repeated column."""
    rows: dict[tuple[int, str, str], dict[str, Fact]] = {}
    n = 0
    prev: tuple[str, str] | None = None
    for f in tf:
        key = (f.code, f.label)
        if key != prev or f.column in rows[(n, f.code, f.label)]:
            n += 1
            rows[(n, f.code, f.label)] = {}
        rows[(n, f.code, f.label)][f.column] = f
        prev = key
    return rows


def _check_rows(doc: Document, t: dict, tf: list[Fact], kind: str) -> list[IntegrityIssue]:
    out = []
    sums = list(_ROW_SUMS)
    if kind == "project":
        sums.append(("合计", _PROJECT_PARTS))
    for (_, code, label), cols in _rows(tf).items():
        for parent in dict.fromkeys(p for p, _ in sums):
            if parent not in cols:
                continue
            # Several definitions share a parent name (合计 = 基本支出 + 项目支出, or
            # 人员经费 + 公用经费 + 项目支出): check the one this row's columns speak to.
            fams = sorted(((sum(k in cols for k in kids), kids) for p, kids in sums if p == parent),
                          key=lambda x: -x[0])
            if not fams or fams[0][0] == 0 or (len(fams) > 1 and fams[1][0] == fams[0][0]):
                continue
            known = {p for p, _ in sums} | {k for _, kids in sums for k in kids} | _SUB_COLUMNS
            if any(c not in known for c in cols):
                # A column this definition does not know (e.g. 上缴上级支出) may be part of the sum.
                continue
            present = [k for k in fams[0][1] if k in cols]
            s = sum(cols[k].value for k in present)
            stated = cols[parent].value
            if abs(stated - s) > _tol(len(present)):
                out.append(_issue(doc, t, "row",
                                  f"{(code + ' ') if code else ''}{label} {parent} is {_fmt(stated)} but "
                                  f"{' + '.join(f'{k} {_fmt(cols[k].value)}' for k in present)} = {_fmt(s)}",
                                  cols[parent].line, s, stated))
    return out


def _check_balance(doc: Document, t: dict, tf: list[Fact]) -> list[IntegrityIssue]:
    out = []
    inc = [f for f in tf if f.label in ("收入总计",)]
    exp = [f for f in tf if f.label in ("支出总计",)]
    first_col = t["columns"][0] if t.get("columns") else None
    inc_v = next((f for f in inc if f.column == first_col), inc[0] if inc else None)
    exp_v = next((f for f in exp if f.column == first_col), exp[0] if exp else None)
    if inc_v and exp_v and abs(inc_v.value - exp_v.value) > _tol(1):
        out.append(_issue(doc, t, "balance",
                          f"收入总计 {_fmt(inc_v.value)} differs from 支出总计 {_fmt(exp_v.value)}",
                          exp_v.line, inc_v.value, exp_v.value))
    if exp_v:
        classes = [f for f in tf if len(f.code) == 3 and f.column == exp_v.column]
        if classes:
            s = sum(f.value for f in classes)
            if abs(s - exp_v.value) > _tol(len(classes)):
                out.append(_issue(doc, t, "balance",
                                  f"支出总计 {_fmt(exp_v.value)} but the expenditure classes add up to {_fmt(s)}",
                                  exp_v.line, s, exp_v.value))
    return out


def _check_three(doc: Document, t: dict, tf: list[Fact]) -> list[IntegrityIssue]:
    out = []
    cols = sorted({f.column for f in tf})
    for col in cols:
        v = {f.label: f for f in tf if f.column == col}
        checks = [
            ("合计", ["因公出国(境)费", "公务用车购置及运行费", "公务接待费"]),
            ("公务用车购置及运行费", ["公务用车购置费", "公务用车运行费"]),
        ]
        for parent, kids in checks:
            if parent not in v:
                continue
            present = [k for k in kids if k in v]
            if not present:
                continue
            s = sum(v[k].value for k in present)
            if abs(v[parent].value - s) > _tol(len(present)):
                out.append(_issue(doc, t, "total",
                                  f"{parent} {col} is {_fmt(v[parent].value)} but "
                                  f"{' + '.join(f'{k} {_fmt(v[k].value)}' for k in present)} = {_fmt(s)}",
                                  v[parent].line, s, v[parent].value))
    return out
