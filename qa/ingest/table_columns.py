"""Column schemas of the genre's standard tables and placing a row's numbers in them.

PDF extraction garbles multi-level headers and drops empty cells, so a row of the
部门收入总体情况表 may print 5 numbers for 12 columns. The standard schemas below give
the column order (confirmed by the "※ 1 2 … N" numbering row when printed) and the
arithmetic that links the columns (合计 = 基本支出 + 项目支出, 小计 = its parts); the
placement solver tries every order-preserving placement and keeps the one that
satisfies the arithmetic, then prefers columns that are non-zero elsewhere in the
document, then the leftmost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations


@dataclass
class Schema:
    """Value columns of one table kind.

    Attributes:
        kind: table kind ("income", "expenditure", ...).
        columns: short column names in printed order.
        sums: (parent index, child indices): parent = sum(children) in every row.
        prior: per column, how likely a value sits there when placement is ambiguous.
    """

    kind: str
    columns: list[str]
    sums: list[tuple[int, list[int]]] = field(default_factory=list)
    prior: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.prior:
            self.prior = [0.5] * len(self.columns)


INCOME_12 = [
    "总计", "财政拨款小计", "一般公共预算", "上级一般公共预算安排的转移支付", "政府性基金预算",
    "上级政府性基金安排的转移支付", "国有资本经营预算", "上级国有资本经营预算安排的转移支付",
    "财政专户", "单位资金", "财政拨款结转", "非财政拨款结转结余",
]
PROJECT_11 = [
    "合计", "工资福利支出", "商品和服务支出", "对个人和家庭的补助", "债务利息及费用支出",
    "资本性支出(基本建设)", "资本性支出", "对企业补助(基本建设)", "对企业补助", "对社会保障基金补助", "其他支出",
]
CARRY_9 = [
    "总计", "财政拨款合计", "财政拨款人员经费", "财政拨款公用经费", "财政拨款项目支出",
    "非财政拨款合计", "非财政拨款人员经费", "非财政拨款公用经费", "非财政拨款项目支出",
]


def table_kind(title: str) -> str:
    """Classify a table by its title (the genre's standard tables)."""
    t = re.sub(r"\s+", "", title)
    if "绩效" in t:
        return "performance"
    if "三公" in t:
        return "three"
    if "收支" in t or "收入支出" in t:
        return "fiscal_summary" if "财政拨款" in t else "summary"
    if "采购" in t:
        return "procurement"
    if "结转" in t:
        return "carryover"
    if "收入" in t:
        return "income"
    if "基本支出" in t:
        return "basic"
    if "项目支出" in t:
        return "project"
    if "经济分类" in t:
        return "econ_summary"
    if "政府性基金" in t or "国有资本" in t:
        return "fund"
    if "支出" in t:
        return "expenditure"
    return "other"


def standard_schema(kind: str, n: int | None, header_text: str = "") -> Schema | None:
    """The standard value columns for a table kind with n value columns (None: default)."""
    h = re.sub(r"\s+", "", header_text)
    if kind == "expenditure" and n in (None, 3):
        return Schema(kind, ["合计", "基本支出", "项目支出"], [(0, [1, 2])], [1.0, 0.6, 0.5])
    if kind == "basic" and n in (None, 3):
        return Schema(kind, ["合计", "人员经费", "公用经费"], [(0, [1, 2])], [1.0, 0.6, 0.5])
    if kind == "fund":
        if n == 4 or (n is None and "人员经费" in h):
            return Schema(kind, ["合计", "人员经费", "公用经费", "项目支出"], [(0, [1, 2, 3])], [1.0, 0.6, 0.5, 0.5])
        if n in (None, 3):
            return Schema(kind, ["合计", "基本支出", "项目支出"], [(0, [1, 2])], [1.0, 0.6, 0.5])
    if kind == "income" and n in (None, 12):
        prior = [1.0, 0.9, 0.8, 0.3, 0.3, 0.1, 0.2, 0.1, 0.1, 0.5, 0.5, 0.4]
        return Schema(kind, list(INCOME_12), [(0, [1, 8, 9, 10, 11]), (1, [2, 3, 4, 5, 6, 7])], prior)
    if kind == "project" and n in (None, 11):
        prior = [1.0, 0.2, 0.9, 0.3, 0.05, 0.2, 0.6, 0.05, 0.1, 0.05, 0.3]
        return Schema(kind, list(PROJECT_11), [(0, list(range(1, 11)))], prior)
    if kind == "carryover" and n in (None, 9):
        prior = [1.0, 0.9, 0.3, 0.3, 0.6, 0.8, 0.3, 0.3, 0.6]
        return Schema(kind, list(CARRY_9), [(0, [1, 5]), (1, [2, 3, 4]), (5, [6, 7, 8])], prior)
    if kind == "three" and n in (None, 4):
        return Schema(kind, ["合计", "一般公共预算", "政府性基金", "国有资本经营预算"], [(0, [1, 2, 3])],
                      [1.0, 0.9, 0.2, 0.2])
    if kind == "fiscal_summary" and n in (None, 4):
        return Schema(kind, ["合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"], [(0, [1, 2, 3])],
                      [1.0, 0.9, 0.2, 0.2])
    return None


def placements(vals: list[float], schema: Schema, weight: list[float] | None = None,
               tol: float = 0.01, keep: int = 6) -> list[tuple[int, ...]]:
    """Order-preserving placements of vals into schema columns, best first.

    Args:
        vals: the row's numbers in printed order.
        schema: the columns and their arithmetic.
        weight: optional per-column preference (e.g. columns that are non-zero elsewhere).
        tol: rounding tolerance in the table unit.
        keep: how many alternatives to return (the caller may pick another to make
            parent/child codes add up).

    Returns:
        Column index tuples (one index per value); empty when vals do not fit.
    """
    w = tuple(weight) if weight else (0.0,) * len(schema.columns)
    sums = tuple((p, tuple(k)) for p, k in schema.sums)
    return list(_placements(tuple(vals), len(schema.columns), sums, tuple(schema.prior), w, tol, keep))


@lru_cache(maxsize=4096)
def _placements(vals: tuple[float, ...], n: int, sums: tuple, prior: tuple, w: tuple, tol: float,
                keep: int) -> tuple[tuple[int, ...], ...]:
    k = len(vals)
    if k == 0 or k > n:
        return ()
    if k == n:
        return (tuple(range(n)),)
    scored = []
    for comb, checks, neg_pref in _shapes(n, k, sums, prior, w, tol):
        err = 0.0
        for parent, kids, limit in checks:
            s = 0.0
            for i in kids:
                s += vals[i]
            d = abs((vals[parent] if parent is not None else 0.0) - s)
            if d > limit:
                err += d
        scored.append((err > 0, err, neg_pref, comb))
    scored.sort()
    ok = [x for x in scored if not x[0]]
    pool = ok if ok else scored
    return tuple(x[3] for x in pool[:keep])


@lru_cache(maxsize=512)
def _shapes(n: int, k: int, sums: tuple, prior: tuple, w: tuple, tol: float) -> tuple:
    """What scoring each placement of k values into n columns needs that does not depend on
    the values, worked out once per schema and row length instead of once per row (rows
    with new amounts hit _placements' cache rarely, and the combinations are many).

    Returns:
        Per order-preserving placement (combination of columns, in order): (the columns,
        per sum with at least one child placed (a parent printed without any child is fine:
        children left blank in the PDF) the value index of the parent or None, the value
        indices of the placed children in the sum's order, and the rounding allowance;
        minus the preference of the columns, added up in column order).
    """
    out = []
    for comb in combinations(range(n), k):
        at: list[int | None] = [None] * n
        for i, c in enumerate(comb):
            at[c] = i
        checks = []
        for parent, kids in sums:
            placed = tuple(at[kk] for kk in kids if at[kk] is not None)
            if placed:
                checks.append((at[parent], placed, tol * (len(kids) + 1)))
        pref = 0.0
        for c in comb:
            pref += prior[c] + w[c]
        out.append((comb, tuple(checks), -pref))
    return tuple(out)


# Column names the genre prints, longest first where one contains another.
_VOCAB = sorted({
    "总计", "合计", "小计", "财政拨款(补助)小计", "财政拨款小计", "一般公共预算拨款收入", "一般公共预算拨款",
    "一般公共预算", "上级一般公共预算安排的转移支付", "政府性基金预算拨款收入", "政府性基金预算", "政府性基金",
    "国有资本经营预算拨款收入", "国有资本经营预算", "财政专户管理资金收入", "财政专户管理资金", "财政专户",
    "单位资金", "事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入", "用事业基金弥补收支差额",
    "上年结转结余", "上年结转", "财政拨款结转", "非财政拨款结转结余", "基本支出", "人员经费", "公用经费", "项目支出",
    "上缴上级支出", "事业单位经营支出", "对附属单位补助支出", "工资福利支出", "商品和服务支出", "对个人和家庭的补助",
    "资本性支出", "其他支出", "预算数", "本年预算数", "上年预算数", "决算数", "年初预算数", "调整预算数",
    "全年预算数", "比上年增减", "增减额", "增长率", "货物", "工程", "服务",
}, key=len, reverse=True)


# The same names as a set, for checking a printed header cell.
KNOWN_COLUMNS = frozenset(_VOCAB)


def vocabulary_columns(header_text: str, n: int) -> list[str] | None:
    """Known column names in the order the header prints them, when there are exactly n.

    A fallback for tables outside the standard schemas: a header of single-level column
    names survives PDF extraction in reading order even when its lines are broken."""
    h = re.sub(r"\s+", "", header_text).replace("（", "(").replace("）", ")")
    found: list[str] = []
    i = 0
    while i < len(h):
        for term in _VOCAB:
            if h.startswith(term, i):
                found.append("合计" if term == "小计" and not found else term)
                i += len(term)
                break
        else:
            i += 1
    return found if len(found) == n and len(set(found)) == n else None


# ------------------------------------------------------------ header-derived


_CODE_COL = re.compile(r"^(类|款|项|科目编码|功能分类编码|经济分类编码|.*编码|.*代码|行次|栏次|序号)$")
_LABEL_COL = re.compile(r"(名称|项目$|^项\s*目$|科目$|类型|单位$|性质|内容|支出功能分类|功能分类$)")
_GROUP_TOTAL = {"小计", "合计"}


_WHITE = re.compile(r"\s+")
_UNIT_SUFFIX = re.compile(r"[（(](?:亿元|万元|千元|元)[)）]$")
_OF_WHICH = re.compile(r"^其中[:：]")


@lru_cache(maxsize=65536)
def short_name(name: str) -> str:
    n = _WHITE.sub("", name)
    n = _UNIT_SUFFIX.sub("", n)
    n = _OF_WHICH.sub("", n)
    n = n.replace("（", "(").replace("）", ")").replace("“", "").replace("”", "").replace('"', "")
    return n


def _is_value_name(name: str) -> bool:
    return bool(name) and not is_code_column(name) and not is_label_column(name)


def _fix_subtotal_alignment(rows: list[list[str]]) -> None:
    """A group heading printed one cell left of its 小计 (dropped empty cell): move it over."""
    for r in range(len(rows) - 1):
        up, down = rows[r], rows[r + 1]
        for c in range(1, len(down)):
            if short_name(down[c]) in _GROUP_TOTAL and not up[c] and up[c - 1] and not down[c - 1]:
                up[c], up[c - 1] = up[c - 1], ""


def _fill_spanned(rows: list[list[str]]) -> None:
    """A lower header row a page printed left-packed (its cells under a spanning heading,
    the cells above them spanning both rows left out: "增、减金额 | 增、减幅度 | | |" under
    "… | 比上年增、减情况 | |"): its cells moved under the spanned columns, when they fit
    them one for one."""
    for r in range(1, len(rows)):
        up, down = rows[r - 1], rows[r]
        k = next((c for c, x in enumerate(down) if not x), len(down))
        if k == 0 or any(down[k:]):
            continue
        spanned: list[int] = []
        c = 0
        while c < len(up):
            if up[c] and c + 1 < len(up) and not up[c + 1]:
                d = c + 1
                while d < len(up) and not up[d]:
                    d += 1
                spanned += list(range(c, d))
                c = d
                continue
            c += 1
        if len(spanned) == k and spanned[0] > 0 and all(up[c] for c in range(spanned[0])):
            cells = down[:k]
            down[:] = [""] * len(down)
            for c, x in zip(spanned, cells):
                down[c] = x


def _shift_row(row: list[str], numeric: set[int], text: set[int]) -> list[str]:
    """Re-align a header row whose cells after some point slipped by one or two places.

    A label/code name above a column of numbers, or an amount name above a column of
    text, is a conflict; the suffix shift with the fewest conflicts wins (ties: none)."""
    width = len(row)

    def conflicts(cand: list[str]) -> int:
        n = 0
        for c, x in enumerate(cand):
            x = short_name(x)
            if not x:
                continue
            if is_label_column(x) and c in numeric:
                n += 1
            elif _is_value_name(x) and x not in _GROUP_TOTAL and c in text:
                n += 1
        return n

    best, best_n = row, conflicts(row)
    if best_n == 0:
        return row
    for k in range(width):
        for sft in (1, -1, 2, -2):
            cand = row[:k] + [""] * width
            cand = cand[:width]
            ok = True
            for c in range(k, width):
                if not row[c]:
                    continue
                d = c + sft
                if d < k or d >= width or cand[d]:
                    ok = False
                    break
                cand[d] = row[c]
            if not ok:
                continue
            n = conflicts(cand)
            if n < best_n:
                best, best_n = cand, n
    return best


def header_names(header_cells: list[list[str]], width: int, numeric: set[int] | None = None,
                 text: set[int] | None = None) -> list[str]:
    """Column names per cell index from positional header rows.

    Takes the deepest header cell printed exactly above each column; a 小计/合计 under a
    group heading takes the group's name ("一般公共预算" / "小计" -> "一般公共预算").
    Rows that slipped against the data (numeric / text: which columns hold numbers or
    words in the data rows) are re-aligned; a "类 款 项 …" row that also carries the
    sub-headings of spanning groups (工资福利支出, 商品和服务支出 …) gives those names to
    the group's columns in order.
    """
    numeric = numeric or set()
    text = text or set()
    rows = [[short_name(x) for x in r] + [""] * (width - len(r)) for r in header_cells if any(r)]
    rows = [r[:width] for r in rows]
    extras: list[str] = []
    for r in rows:
        if len(r) >= 2 and r[0] == "类" and r[1] == "款":
            start = 3 if len(r) > 2 and r[2] == "项" else 2
            extra = [x for x in r[start:] if x]
            if extra and any(x not in _GROUP_TOTAL for x in extra) and all(_is_value_name(x) for x in extra):
                extras = [x for x in extra if x not in _GROUP_TOTAL]
                for c in range(start, width):
                    r[c] = ""
    _fix_subtotal_alignment(rows)
    _fill_spanned(rows)
    rows = [_shift_row(r, numeric, text) for r in rows]
    names = []
    for c in range(width):
        exact = ""
        group = ""
        for r in rows:
            x = r[c]
            if x:
                if exact and x in _GROUP_TOTAL:
                    group = exact
                exact = x
        if exact in _GROUP_TOTAL and not group:
            # A 小计 below an unnamed cell belongs to the nearest named group on its left.
            for r in rows[:-1]:
                for cc in range(c, -1, -1):
                    x = r[cc]
                    if x:
                        if x not in _GROUP_TOTAL and not is_code_column(x):
                            group = x
                        break
        if exact == "小计" and group:
            exact = group
        elif exact == "合计" and group:
            exact = group + "合计" if any(n in ("合计", "总计") for n in names) else "合计"
        names.append(exact)
    if extras:
        slots = []
        c = 0
        while c < width:
            if names[c] and _is_value_name(names[c]) and names[c] not in ("合计", "总计") and c + 1 < width and not names[c + 1]:
                slots.append(c)
                d = c + 1
                while d < width and not names[d]:
                    slots.append(d)
                    d += 1
                c = d
                continue
            c += 1
        if len(slots) == len(extras):
            for c, x in zip(slots, extras):
                names[c] = x
    return names


def is_code_column(name: str) -> bool:
    return bool(_CODE_COL.match(name))


def is_label_column(name: str) -> bool:
    return bool(_LABEL_COL.search(name)) and not is_code_column(name)
