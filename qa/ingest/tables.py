"""Tables of a budget disclosure -> table descriptions and one Fact per numeric cell.

Pure functions over the text lines. Regions come from table_layout, logical rows from
table_rows, column names and number placement from table_columns; this module ties
them together, resolves ambiguous placements so that parent and child 科目编码 add up,
and builds the Facts with verbatim quotes.

Audit a parse with: python -m qa.ingest.tables corpus/000_….txt [--table N]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Callable

from qa.text.normalize import squeeze as squeeze_text
from qa.text.normalize import to_halfwidth, to_yuan
from qa.ingest.table_columns import (
    KNOWN_COLUMNS,
    Schema,
    header_names,
    is_code_column,
    is_label_column,
    placements,
    short_name,
    standard_schema,
    table_kind,
    vocabulary_columns,
)
from qa.ingest.table_blanks import zero_facts
from qa.ingest.table_layout import Region, find_regions
from qa.ingest.table_rows import DASHES, RawRow, RegionRows, Value, amount, region_rows
from qa.types import Document, Fact

log = logging.getLogger(__name__)

_ENUM_PREFIX = re.compile(
    r"^(?:[(（]?[一二三四五六七八九十]+[)）、.]|[(（]\d+[)）]|\d+[、.．](?!\d)|其中[:：]|[-—])+"
)
_TOTAL_LABEL = re.compile(r"^(总计|合计|收入总计|支出总计|本年收入合计|本年支出合计|收入合计|支出合计)$")
_THREE_ITEMS = ["因公出国(境)费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费", "公务接待费"]


@dataclass
class Placed:
    """A row after its numbers were given columns."""

    row: RawRow
    code: str
    label: str
    cells: list[tuple[str, Value]]  # (column, value)
    alternatives: list[list[tuple[str, Value]]]
    schema_key: str = ""


def normalize_label(text: str) -> str:
    """Halfwidth, no internal spaces, no enumerator prefix ('一、', '1.', '其中：')."""
    t = re.sub(r"\s+", "", to_halfwidth(text))
    t = t.replace("“", "").replace("”", "").replace('"', "")
    t = _ENUM_PREFIX.sub("", t)
    t = re.sub(r"[(（]小计[)）]$", "", t)
    # "货物A / 工程B / 服务C": the 政府采购 category's code letter, not part of its name
    t = re.sub(r"(?<=[\u4e00-\u9fff]{2})[A-Z]$", "", t)
    return t


def _value_name(doc: Document, header: str) -> str:
    h = re.sub(r"\s+", "", header)
    if "决算数" in h or doc.kind == "决算":
        return "决算数"
    return "预算数"


# ------------------------------------------------------------------ placement


def _place_row(vals: list[Value], schema: Schema, weight: list[float] | None) -> list[list[tuple[str, Value]]]:
    alts = placements([v.value for v in vals], schema, weight)
    return [[(schema.columns[c], v) for c, v in zip(p, vals)] for p in alts]


def _place_with_dashes(vals: list[Value], schema: Schema, weight: list[float] | None) -> list[list[tuple[str, Value]]]:
    """Place a row whose dashes ("—" = zero) hold places: a full row maps one to one; the
    dashes themselves yield no fact."""
    real = [v for v in vals if v.text not in DASHES]
    if not real:
        return []
    if len(real) < len(vals) and len(vals) == len(schema.columns):
        return [[(schema.columns[k], v) for k, v in enumerate(vals) if v.text not in DASHES]]
    return _place_row(real, schema, weight)


def _evidence_weights(schema: Schema, evidence: dict[str, float | None]) -> list[float]:
    w = []
    for c in schema.columns:
        if c in evidence:
            w.append(1.0 if evidence[c] else -1.0)
        else:
            w.append(0.0)
    return w


def _code_parent(code: str) -> str | None:
    if len(code) in (5, 7):
        return code[:-2]
    return None


def _table_error(placed: list[Placed], bad: set[str] | None = None) -> float:
    """How far parent 科目 amounts are from the sum of their children (all columns).

    Args:
        placed: the table's rows.
        bad: if given, receives the parent codes (and "" for the total row) that do not add up.
    """
    by_code: dict[str, dict[str, float]] = {}
    kids: dict[str, list[str]] = {}
    for p in placed:
        if not p.code:
            continue
        row = by_code.setdefault(p.code, {})
        for col, v in p.cells:
            # Several rows may share a code (one per project): they add up.
            row[col] = row.get(col, 0.0) + v.value
        par = _code_parent(p.code)
        if par:
            ks = kids.setdefault(par, [])
            if p.code not in ks:
                ks.append(p.code)
    err = 0.0
    for par, ks in kids.items():
        for d in _parent_differences(par, ks, by_code):
            err += d
            if bad is not None:
                bad.add(par)
    totals = [p for p in placed if not p.code and _TOTAL_LABEL.match(p.label)]
    tops = [p for p in placed if len(p.code) == 3]
    return _with_total_row(err, placed, totals, tops, any(p.code for p in placed), lambda p: p.cells, bad)


def _parent_differences(par: str, ks: list[str], by_code: dict[str, dict[str, float]],
                        changed: dict[str, dict[str, float]] | None = None) -> list[float]:
    """The differences (above rounding) between a parent 科目's amounts and the sum of its
    children's, column by column.

    Args:
        par: the parent code.
        ks: its children's codes.
        by_code: each code's amounts by column.
        changed: amounts that stand instead of by_code's for their codes (a trial move's),
            looked up here rather than through a merged mapping: a parent may have dozens
            of children and a trial reads them all.
    """
    if changed:
        prow = changed[par] if par in changed else by_code.get(par)
    else:
        changed = {}
        prow = by_code.get(par)
    if prow is None:
        return []
    cols = set(prow)
    # the children's sums column by column, added child by child in order: one pass over
    # their amounts (a parent may have dozens of children) gives each column the same sum
    # as adding every child's amount or 0.0 would
    sums: dict[str, float] = {}
    for k in ks:
        row = changed[k] if k in changed else by_code[k]
        cols.update(row)
        for c, v in row.items():
            sums[c] = sums.get(c, 0.0) + v
    tol = 0.01 * (len(ks) + 1) + 1e-9
    out = []
    for c in cols:
        d = abs(prow.get(c, 0.0) - sums.get(c, 0.0))
        # Rounding differences (0.01 per added figure) are not placement errors.
        if d > tol:
            out.append(d)
    return out


def _with_total_row(err: float, placed: list[Placed], totals: list[Placed], tops: list[Placed], coded: bool,
                    cells: Callable[[Placed], list], bad: set[str] | None) -> float:
    """err plus the differences (above rounding) between the total row and the sum of the
    top-level rows, added one by one.

    Args:
        err: the error so far.
        placed: the table's rows.
        totals: its total rows; tops: its rows of 3-digit codes.
        coded: whether any row has a code.
        cells: a row's cells, cells(row).
        bad: if given, receives "" when the total row does not add up.
    """
    for d in _total_differences(placed, totals, tops, coded, cells):
        err += d
        if bad is not None:
            bad.add("")
    return err


def _total_differences(placed: list[Placed], totals: list[Placed], tops: list[Placed], coded: bool,
                       cells: Callable[[Placed], list]) -> list[float]:
    """The differences (above rounding) between the total row and the sum of the top-level
    rows, column by column in the order _with_total_row adds them (arguments as there)."""
    if totals and not tops and not coded:
        # No codes (e.g. 上年结转结余明细表): the item rows add up to the total, except a
        # unit row repeating the total.
        tvals = sorted(round(v.value, 2) for _, v in cells(totals[0]))
        tops = [p for p in placed if p not in totals
                and sorted(round(v.value, 2) for _, v in cells(p)) != tvals]
    out: list[float] = []
    if totals and tops:
        t = {c: v.value for c, v in cells(totals[0])}
        sums: dict[str, float] = {}
        for p in tops:
            for c, v in cells(p):
                sums[c] = sums.get(c, 0.0) + v.value
        tol = 0.01 * (len(tops) + 1) + 1e-9
        for c in set(t) | set(sums):
            d = abs(t.get(c, 0.0) - sums.get(c, 0.0))
            if d > tol:
                out.append(d)
    return out


class _TableSums:
    """``_table_error`` of one table, kept as the parts it adds up (each parent 科目's
    differences, then the total row's), so trying a move recomputes only the parents whose
    rows it moves. The differences are computed and added in the same order as
    ``_table_error`` computes them, so every trial scores exactly as it would there.

    Args:
        placed: the table's rows (their ``cells`` are the current placement).
    """

    def __init__(self, placed: list[Placed]) -> None:
        self.placed = placed
        self.rows_by_code: dict[str, list[Placed]] = {}
        self.kids: dict[str, list[str]] = {}
        self.descendants: dict[str, list[Placed]] = {}
        for p in placed:
            if not p.code:
                continue
            self.rows_by_code.setdefault(p.code, []).append(p)
            par = _code_parent(p.code)
            if par:
                ks = self.kids.setdefault(par, [])
                if p.code not in ks:
                    ks.append(p.code)
        self.totals = [p for p in placed if not p.code and _TOTAL_LABEL.match(p.label)]
        self.tops = [p for p in placed if len(p.code) == 3]
        self.coded = any(p.code for p in placed)
        self.by_code = {c: self._code_row(c, {}) for c in self.rows_by_code}
        self.terms = {par: self._term(par, self.by_code) for par in self.kids}
        self.position = {par: i for i, par in enumerate(self.kids)}
        self.order = list(self.kids)
        # the rows the total row's check reads, when they are fixed (a coded table's total
        # and 3-digit rows); a trial moving none of them adds the table's own differences
        self.total_rows = {id(p) for p in self.totals + self.tops} if self.coded else None
        self._runs()
        self._total_state()

    def _total_state(self) -> None:
        """The total row's differences with the rows' current cells."""
        self.total_diffs = _total_differences(self.placed, self.totals, self.tops, self.coded, lambda p: p.cells)

    def _runs(self) -> None:
        """The parents whose children do not add up, in order, and the error added up to and
        including each (the running sum _table_error has there)."""
        self.uneven: list[int] = []
        self.after: list[float] = []
        err = 0.0
        for i, par in enumerate(self.order):
            ds = self.terms[par]
            if ds:
                for d in ds:
                    err += d
                self.uneven.append(i)
                self.after.append(err)

    def below(self, p: Placed) -> list[Placed]:
        """Rows whose code extends p's (its subtree), in table order."""
        got = self.descendants.get(p.code)
        if got is None:
            got = self.descendants[p.code] = [q for q in self.placed
                                              if q.code.startswith(p.code) and len(q.code) > len(p.code)]
        return got

    def _code_row(self, code: str, moved: dict[int, list]) -> dict[str, float]:
        row: dict[str, float] = {}
        for p in self.rows_by_code[code]:
            for col, v in moved.get(id(p), p.cells):
                # Several rows may share a code (one per project): they add up.
                row[col] = row.get(col, 0.0) + v.value
        return row

    def _term(self, par: str, by_code: dict[str, dict[str, float]],
              changed: dict[str, dict[str, float]] | None = None) -> list[float]:
        """The differences (above rounding) between a parent and the sum of its children
        (with changed's amounts for the codes it holds)."""
        return _parent_differences(par, self.kids[par], by_code, changed)

    def _state(self, moves: list[tuple[Placed, list]]) -> tuple[dict[int, list], dict, dict]:
        """The moved rows' cells, and the code sums and parent differences the moves change
        (only those: the rest are the table's own)."""
        moved = {id(q): cells for q, cells in moves}
        codes = {q.code for q, _ in moves if q.code}
        if not codes:
            return moved, {}, {}
        by_code = {c: self._code_row(c, moved) for c in codes}
        parents = {par for c in codes for par in (c, _code_parent(c)) if par in self.kids}
        return moved, by_code, {par: self._term(par, self.by_code, by_code) for par in parents}

    def error(self, moves: list[tuple[Placed, list]] = (), bad: set[str] | None = None) -> float:
        """_table_error with the moves applied (rows keep their cells).

        Args:
            moves: (row, cells) to try.
            bad: if given, receives the parent codes (and "" for the total row) that do not add up.
        """
        moved, _, changed = self._state(list(moves))
        terms = self.terms
        if bad is not None:
            err = 0.0
            for par in self.kids:
                ds = changed[par] if par in changed else terms[par]
                for d in ds:
                    err += d
                if ds:
                    bad.add(par)
        else:
            # the running sum up to the first parent the moves change is the table's own;
            # from there on only the uneven parents and the changed ones add anything
            first = min((self.position[par] for par in changed), default=len(self.order))
            k = bisect_left(self.uneven, first)
            err = self.after[k - 1] if k else 0.0
            for i in sorted(set(self.uneven[k:]) | {self.position[par] for par in changed}):
                par = self.order[i]
                for d in (changed[par] if par in changed else terms[par]):
                    err += d

        if bad is None and self.total_rows is not None and self.total_rows.isdisjoint(moved):
            for d in self.total_diffs:
                err += d
            return err

        def cells(p: Placed) -> list:
            return moved.get(id(p), p.cells)

        return _with_total_row(err, self.placed, self.totals, self.tops, self.coded, cells, bad)

    def apply(self, moves: list[tuple[Placed, list]]) -> None:
        """Make the moves (the rows take their new cells)."""
        _, by_code, terms = self._state(moves)
        self.by_code.update(by_code)
        self.terms.update(terms)
        self._runs()
        for q, cells in moves:
            q.cells = cells
        self._total_state()


def _relevant(p: Placed, bad: set[str]) -> bool:
    """Could moving this row change a sum that is currently wrong?"""
    if p.code:
        par = _code_parent(p.code)
        return p.code in bad or (par in bad) or (len(p.code) == 3 and "" in bad)
    return "" in bad


def _cols(cells: list[tuple[str, Value]]) -> list[str]:
    return [c for c, _ in cells]


def _subtree_move(sums: _TableSums, p: Placed, alt: list[tuple[str, Value]]) -> list[tuple[Placed, list]] | None:
    """Apply the column change p -> alt to p's descendants too (a parent and its children
    usually sit in the same columns). Returns the (row, new cells) list, None if impossible."""
    old, new = _cols(p.cells), _cols(alt)
    mapping = {o: n for o, n in zip(old, new) if o != n}
    moves: list[tuple[Placed, list]] = [(p, alt)]
    if not p.code or not mapping:
        return moves
    for q in sums.below(p):
        if q is p:
            continue
        target = [mapping.get(c, c) for c in _cols(q.cells)]
        if target == _cols(q.cells):
            continue
        hit = next((a for a in q.alternatives if _cols(a) == target), None)
        if hit is None:
            return None
        moves.append((q, hit))
    return moves


def _move_options(sums: _TableSums, p: Placed, alt: list[tuple[str, Value]]) -> list[list[tuple[Placed, list]]]:
    """The moves to try for p -> alt: with its subtree, then alone. A subtree move that
    moves p only is the move alone, tried once: a second trial scores the same and, the best
    being kept only when strictly better, could never win."""
    whole = _subtree_move(sums, p, alt)
    alone = [(p, alt)]
    if not whole:
        return [alone]
    return [whole] if len(whole) == 1 else [whole, alone]


def _resolve(placed: list[Placed]) -> None:
    """Pick among equally plausible placements the ones that make codes add up.

    Steepest descent over single-row (and whole-subtree) moves, then over pairs of
    sibling rows when no single move helps (two children may have to swap columns).
    """
    ambiguous = [p for p in placed if len(p.alternatives) > 1]
    if not ambiguous:
        return
    sums = _TableSums(placed)
    bad: set[str] = set()
    err = sums.error(bad=bad)
    for _ in range(30):
        if err < 1e-6:
            break
        candidates = [p for p in ambiguous if _relevant(p, bad)]
        # each row's moves, made once per round (the pair search tries them many times)
        options = {id(p): [_move_options(sums, p, alt) for alt in p.alternatives] for p in candidates}
        best: tuple[float, list] | None = None
        for p in candidates:
            for alt, tries in zip(p.alternatives, options[id(p)]):
                if _cols(alt) == _cols(p.cells):
                    continue
                for moves in tries:
                    e = sums.error(moves)
                    if e < err - 1e-6 and (best is None or e < best[0]):
                        best = (e, moves)
        if best is None:
            for i, p in enumerate(candidates):
                for q in candidates[i + 1:]:
                    if _code_parent(p.code) != _code_parent(q.code):
                        continue
                    for tries_p in options[id(p)]:
                        for tries_q in options[id(q)]:
                            for mp in tries_p:
                                for mq in tries_q:
                                    moves = mp + mq
                                    e = sums.error(moves)
                                    if e < err - 1e-6 and (best is None or e < best[0]):
                                        best = (e, moves)
        if best is None:
            break
        sums.apply(best[1])
        bad = set()
        err = sums.error(bad=bad)


# ------------------------------------------------------------ per layout


def _space_placed(rr: RegionRows, kind: str, doc: Document, evidence: dict[str, float | None]) -> tuple[list[Placed], list[str]]:
    header = " ".join(rr.header_lines)
    if re.search(r"行\s*次", header):
        # 决算 tables number their rows (行次): that integer is not an amount.
        for r in rr.rows:
            if r.values and re.fullmatch(r"\d{1,3}", r.values[0].text):
                r.values = r.values[1:]
    if kind in ("summary", "fiscal_summary"):
        return _two_sided_placed(rr, kind, doc, header)
    if kind == "three" and _items_across(header):
        return _three_across_placed(rr, header)
    schema = standard_schema(kind, rr.numbering, header)
    explicit = _explicit_columns(rr)
    if explicit and (schema is None or set(explicit) != set(schema.columns)):
        # The header prints one name per value column (e.g. "项目 2024年预算数 2025年预算数
        # 比上年增减") and every row fills them all: take them as printed.
        schema = Schema(kind, explicit)
    if schema is None:
        n = rr.numbering or max((len(r.values) for r in rr.rows), default=0)
        vocab = vocabulary_columns(header, n)
        schema = Schema(kind, vocab if vocab else _generic_columns(header, n, doc))
    weight = _evidence_weights(schema, evidence) if kind == "income" else None
    placed: list[Placed] = []
    for r in rr.rows:
        if not r.values:
            continue
        label = _row_label(r.cells, kind, r.code)
        if not label:
            continue
        alts = _place_with_dashes(r.values, schema, _genre_weight(schema, r.code, weight))
        if not alts:
            log.debug("row does not fit %s: %s %s", schema.columns, label, [v.text for v in r.values])
            continue
        placed.append(Placed(r, r.code, label, alts[0], alts))
    _apply_total_weights(placed, schema, weight)
    _resolve(placed)
    return placed, schema.columns


_THREE_ACROSS = Schema("three", ["合计", "因公出国(境)费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费",
                                  "公务接待费"], [(0, [1, 2, 5]), (2, [3, 4])], [1.0, 0.3, 0.9, 0.2, 0.6, 0.8])


_THREE_WITH_MEETINGS = Schema(
    "three", ["合计", "三公经费", "因公出国(境)费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费",
              "公务接待费", "会议费", "培训费"],
    [(0, [1, 7, 8]), (1, [2, 3, 6]), (3, [4, 5])], [1.0, 0.9, 0.5, 0.8, 0.2, 0.6, 0.7, 0.6, 0.6])


def _item_above(header_cells: list[list[str]], pos: int) -> str:
    """The 三公 item heading a value column: a header cell naming an item, in that column
    or to its left when it spans to it (no cell of its row or a row above starts between)."""
    from qa.ingest.table_blanks import three_role

    rows = [r for r in header_cells if any(r)]
    for k in range(len(rows) - 1, -1, -1):
        row = rows[k]
        c = next((c for c in range(min(pos, len(row) - 1), -1, -1) if row[c]), None)
        if c is None:
            continue
        blocked = any(c < cc <= pos and cc < len(rows[j]) and rows[j][cc] for j in range(k) for cc in range(c + 1, pos + 1))
        if blocked:
            continue
        name = re.sub(r"[\s“”\"]", "", row[c])
        if three_role(row[c]) and name not in ("小计",):
            return row[c]
    return ""


def _three_consistent(cells: list[tuple[str, Value]]) -> bool:
    """Do the amounts of a 三公 row add up under the names they were given?"""
    from qa.ingest.table_blanks import three_role

    by: dict[str, float] = {}
    for c, v in cells:
        name = re.sub(r"[\s“”\"]", "", c)
        role = "subtotal" if name in ("小计", "三公经费", "三公经费小计") else three_role(c)
        if not role:
            return False
        if role in by:
            return False
        by[role] = v.value
    parts = sum(by.get(r, 0.0) for r in ("abroad", "vehicle", "reception"))
    top = by.get("subtotal", by.get("total"))
    if top is not None and any(r in by for r in ("abroad", "vehicle", "reception")) and abs(top - parts) > 0.011:
        return False
    if "vehicle" in by and ("purchase" in by or "operation" in by):
        if abs(by["vehicle"] - by.get("purchase", 0.0) - by.get("operation", 0.0)) > 0.011:
            return False
    return True


def _three_by_arithmetic(cells: list[tuple[str, Value]], header: str) -> list[tuple[str, Value]] | None:
    """A 三公 row of amounts whose printed header could not be read column by column (a
    Word grid scatters its names over sub-rows): when the names read do not add up, place
    the amounts by the table's arithmetic (合计 = 三公 + 会议费 + 培训费, 三公 = 出国 + 车辆 +
    接待, 车辆 = 购置 + 运行); None when the names read already add up or nothing fits."""
    if _three_consistent(cells):
        return None
    from qa.ingest.table_blanks import three_role

    named = [c for c, _ in cells if three_role(c) or c in ("小计", "会议费", "培训费")]
    if len(named) * 2 < len(cells):
        return None  # the header names something else (预算数 / 决算数 …): not a garbled 三公 header
    h = re.sub(r"\s+", "", header)
    schema = _THREE_WITH_MEETINGS if ("会议" in h and "培训" in h) else _THREE_ACROSS
    vals = [v for _, v in cells]
    alts = placements([v.value for v in vals], schema)
    if not alts:
        return None
    placed = [(schema.columns[c], v) for c, v in zip(alts[0], vals)]
    return placed if _three_consistent([(c, v) for c, v in placed if c not in ("会议费", "培训费")]) else None


def _items_across(header: str) -> bool:
    h = re.sub(r"\s+", "", header)
    return "因公出国" in h and "公务接待" in h


def _three_across_placed(rr: RegionRows, header: str) -> tuple[list[Placed], list[str]]:
    """三公 items printed across the header, one row of amounts below (blank cells lost):
    place the amounts by the table's arithmetic (合计 = 出国 + 车辆 + 接待, 车辆 = 购置 + 运行)."""
    explicit = _explicit_columns(rr)
    placed: list[Placed] = []
    for r in rr.rows:
        if not r.values:
            continue
        label = normalize_label("".join(r.cells))
        if explicit:
            alts = [[(c, v) for c, v in zip(explicit, r.values)]] if len(explicit) == len(r.values) else []
        else:
            alts = _place_with_dashes(r.values, _THREE_ACROSS, None)
        if alts:
            placed.append(Placed(r, "", label, alts[0], alts))
    return placed, explicit or list(_THREE_ACROSS.columns)


def _explicit_columns(rr: RegionRows) -> list[str] | None:
    """Column names from a one-line header whose names match every row's value count."""
    counts = {len(r.values) for r in rr.rows if r.values}
    if len(counts) != 1:
        return None
    n = counts.pop()
    if n < 2 or (rr.numbering and rr.numbering != n):
        return None
    for line in rr.header_lines:
        toks = line.split()
        if len(toks) < n + 1 or len(toks) > n + 3:
            continue
        lead = [short_name(t) for t in toks[:-n]]
        names = [short_name(t) for t in toks[-n:]]
        if not all(is_code_column(x) or is_label_column(x) or x in ("项目", "科目") or "内容" in x for x in lead):
            continue
        if all(re.search(r"[\u4e00-\u9fff]", x) for x in names) and len(set(names)) == n:
            return names
    return None


def _genre_weight(schema: Schema, code: str, weight: list[float] | None) -> list[float] | None:
    """Economic classes say which 基本支出 column they belong to: 301/303 are 人员经费,
    302/310 are 公用经费 (the genre's definition)."""
    if "人员经费" not in schema.columns or "公用经费" not in schema.columns or len(code) < 3:
        return weight
    w = list(weight) if weight else [0.0] * len(schema.columns)
    if code[:3] in ("301", "303", "501", "509"):
        w[schema.columns.index("人员经费")] += 1.0
    elif code[:3] in ("302", "310", "502", "506"):
        w[schema.columns.index("公用经费")] += 1.0
    return w


def _apply_total_weights(placed: list[Placed], schema: Schema, weight: list[float] | None) -> None:
    """Columns empty in the total row are empty in every row: re-place the others."""
    totals = [p for p in placed if not p.code and _TOTAL_LABEL.match(p.label)]
    if not totals or len(totals[0].cells) == len(schema.columns):
        return
    present = {c for c, _ in totals[0].cells}
    w = [(weight[i] if weight else 0.0) + (0.5 if c in present else -2.0) for i, c in enumerate(schema.columns)]
    for p in placed:
        if p is totals[0]:
            continue
        alts = _place_row([v for _, v in p.cells], schema, _genre_weight(schema, p.code, w))
        if alts:
            p.cells, p.alternatives = alts[0], alts


def _generic_columns(header: str, n: int, doc: Document) -> list[str]:
    if n <= 1:
        return [_value_name(doc, header)]
    return [f"第{i}列" for i in range(1, n + 1)]


def _row_label(cells: list[str], kind: str, code: str) -> str:
    if not cells:
        return ""
    if code and cells:
        # "住房公积金 50103 住房公积金": a second classification's code and name follow.
        cells = [re.split(r"\s(?:\d{3}|\d{5}|\d{7})\s", cells[0], maxsplit=1)[0]] + cells[1:]
    if kind == "project" and len(code) == 7:
        first = cells[0].split(" ", 1)
        rest = (first[1] if len(first) > 1 else "") + "".join(cells[1:])
        if rest.strip():
            return normalize_label(rest)
        return normalize_label(first[0])
    return normalize_label("".join(cells))


def _two_sided_placed(rr: RegionRows, kind: str, doc: Document, header: str) -> tuple[list[Placed], list[str]]:
    vname = _value_name(doc, header)
    if kind == "summary":
        left = Schema(kind, [vname])
        right = Schema(kind, [vname])
    else:
        left = Schema(kind, ["合计"])
        right = standard_schema("fiscal_summary", None) or Schema(kind, ["合计"])
    placed: list[Placed] = []
    for r in rr.rows:
        if not r.values:
            continue
        label = normalize_label("".join(r.cells))
        if not label and not r.code:
            continue
        schema = left if r.side == "left" else right
        alts = _place_with_dashes(r.values, schema, None)
        if not alts:
            continue
        placed.append(Placed(r, r.code, label or r.code, alts[0], alts, r.side))
    cols = list(dict.fromkeys(left.columns + right.columns))
    return placed, cols


def _positional_placed(rr: RegionRows, kind: str, doc: Document, region: Region,
                       lines: list[str] | None = None) -> tuple[list[Placed], list[str]]:
    width = max((r.n_cells or 0 for r in rr.rows), default=0)
    width = max([width] + [len(h) for h in rr.header_cells])
    numeric, text = _column_types(rr, width)
    names = header_names(rr.header_cells, width, numeric, text) if rr.header_cells else [""] * width
    two_sided = kind in ("summary", "fiscal_summary")
    placed: list[Placed] = []
    columns: list[str] = []
    std = standard_schema(kind, None)
    clean = _clean_cell_header(rr.header_cells) if region.layout == "cell" and not two_sided else None
    counts = [r.n_cells or 0 for r in rr.rows]
    usual = max(set(counts), key=counts.count) if counts else 0
    blocks = _side_by_side(rr, width) if region.layout == "tab" else []
    # No row has a label (支出预算总表: "合计 基本支出 项目支出 …" over one row of amounts):
    # the column names are the items.
    across = (kind != "three" and region.layout == "tab" and bool(rr.header_cells)
              and not any(x and x not in DASHES and amount(x.replace(" ", "")) is None
                          for r in rr.rows for x in r.cells))
    for r in rr.rows:
        n = r.n_cells or 0
        cells = r.cells
        if blocks:
            sides = [(("left" if k == 0 else "right") if two_sided else "", a, min(b, n))
                     for k, (a, b) in enumerate(blocks)]
        elif two_sided:
            sides = [("left", 0, min(2, n)), ("right", 2, n)]
        else:
            sides = [("", 0, n)]
        spanning = ""
        for side, a, b in sides:
            part = cells[a:b]
            if not part:
                continue
            vcols = _value_columns(part, a, names, kind, side, std, doc, region, width, clean, text)
            # Cell-per-line headers are flattened beyond use for labels; tab headers are not.
            code, label = _positional_label(part, a, names if region.layout == "tab" else [], vcols, kind)
            vals = [v for v in r.values if a <= (v.pos or 0) < b and (v.pos or 0) in vcols]
            if kind == "three" and not code and r.values and all(
                    not x or x in DASHES or amount(x.replace(" ", "")) is not None for x in part):
                # A row of amounts under the 三公 items: every amount is one, whatever the
                # header above it was read as.
                label, vals = "", [v for v in r.values if a <= (v.pos or 0) < b]
                vcols = {**{v.pos: "" for v in vals}, **vcols}
            if blocks and not vals and label and not code:
                # A label cell merged across the next block ("当年支出小计" over the 科目 and
                # 支出用途 blocks): its amount is printed in that block.
                spanning = label
                continue
            if blocks and vals and not label and not code and spanning:
                label = spanning
            spanning = ""
            if across and vals and not label and not code:
                start = _header_line(lines or [], region, r.first_line, [vcols[v.pos] for v in vals])
                row = RawRow(code="", cells=[], values=r.values, first_line=start, n_cells=r.n_cells)
                vname = _value_name(doc, " ".join(names))
                for v in vals:
                    item = re.sub(r"\(续\)$", "", vcols[v.pos])
                    placed.append(Placed(row, "", normalize_label(item), [(vname, v)], [[(vname, v)]], side))
                if vname not in columns:
                    columns.append(vname)
                continue
            if not vals or not (label or code or kind == "three"):
                continue
            row_cells = [(vcols[v.pos], v) for v in vals]
            if kind == "three" and not label and not code:
                items = {v.pos: _item_above(rr.header_cells, v.pos) for v in vals}
                if all(items.values()) and all(_is_known_column(vcols[v.pos]) for v in vals):
                    # Items across, each split in 预算数 / 决算数 under it: the item is the
                    # heading above the column, the leaf names the column.
                    for v in vals:
                        placed.append(Placed(r, "", normalize_label(items[v.pos]), [(_canon(vcols[v.pos]), v)],
                                             [[(_canon(vcols[v.pos]), v)]], side))
                        if _canon(vcols[v.pos]) not in columns:
                            columns.append(_canon(vcols[v.pos]))
                    continue
                row_cells = _three_by_arithmetic(row_cells, " ".join(names)) or row_cells
            if (region.layout == "tab" and not two_sided and n < usual and std is not None
                    and set(vcols.values()) <= set(std.columns)):
                # A row that lost empty cells (page break): positions are unreliable,
                # place its numbers by the table's arithmetic instead.
                alts = _place_row(vals, std, _genre_weight(std, code, None))
                if alts:
                    row_cells = alts[0]
            for c, _ in row_cells:
                if c not in columns:
                    columns.append(c)
            placed.append(Placed(r, code, label or code, row_cells, [row_cells], side))
    return placed, columns


def _header_line(lines: list[str], region: Region, row_line: int, names: list[str]) -> int:
    """The header line above a row that prints the most of the column names (0-based)."""
    best, best_n = row_line, 0
    for j in range(row_line - 1, max(region.body_start, row_line - 6) - 1, -1):
        text = squeeze_text(to_halfwidth(lines[j])) if j < len(lines) else ""
        n = sum(1 for x in names if x and squeeze_text(x) in text)
        if n > best_n:
            best, best_n = j, n
    return best


_CODE_CELL = re.compile(r"\d{2,7}")
_AMOUNT_CELL = re.compile(r"[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|0)")


def _side_by_side(rr: RegionRows, width: int) -> list[tuple[int, int]]:
    """Cell ranges of tables printed in blocks side by side, each its own labels and amounts
    ("301 | 工资福利支出 | 2,082.85 | 302 | 商品和服务支出 | 171.07"; "收入项目 | 金额 | 支出
    科目 | 金额 | 支出用途 | 金额"). A block is a run of label or code columns followed by
    a run of amount columns; [] when the table is one block.
    """
    kinds = []
    for p in range(width):
        amounts = codes = words = 0
        for r in rr.rows:
            x = r.cells[p].replace(" ", "") if p < len(r.cells) else ""
            if not x or x in DASHES:
                continue
            if _AMOUNT_CELL.fullmatch(x):
                amounts += 1
            elif _CODE_CELL.fullmatch(x):
                codes += 1
            else:
                words += 1
        if not amounts + codes + words:
            kinds.append("")
        elif amounts >= codes + words:
            kinds.append("amount")
        else:
            kinds.append("label")
    blocks: list[tuple[int, int]] = []
    start = None
    for p, k in enumerate(kinds + ["label"]):
        if k == "label" and start is not None and any(kinds[q] == "amount" for q in range(start, p)) \
                and kinds[p - 1] in ("amount", ""):
            blocks.append((start, p))
            start = p
        elif k == "label" and start is None:
            start = p
    if start is not None and start < width and blocks and blocks[-1][1] < width:
        blocks.append((start, width))  # a trailing block of labels: no amounts, kept for its width
    labelled = [b for b in blocks if any(kinds[q] == "label" for q in range(*b))
                and any(kinds[q] == "amount" for q in range(*b))]
    if len(labelled) < 2:
        return []
    # Cells before the first block (an empty leading column) belong to it.
    return [(0 if k == 0 else a, b) for k, (a, b) in enumerate(labelled)]


def _column_types(rr: RegionRows, width: int) -> tuple[set[int], set[int]]:
    """Which cell indexes hold mostly numbers / mostly words in the data rows."""
    num = [0] * width
    txt = [0] * width
    for r in rr.rows:
        for p, x in enumerate(r.cells[:width]):
            if not x:
                continue
            if re.fullmatch(r"[-\d,.]+%?", x.replace(" ", "")):  # (a rate is a number too: 22%)
                num[p] += 1
            else:
                txt[p] += 1
    numeric = {p for p in range(width) if num[p] > txt[p]}
    text = {p for p in range(width) if txt[p] > num[p]}
    return numeric, text


def _value_columns(part: list[str], offset: int, names: list[str], kind: str, side: str, std: Schema | None,
                   doc: Document, region: Region, width: int,
                   clean: list[str] | None = None, text: set[int] | None = None) -> dict[int, str]:
    """Map absolute cell index -> column name for the value cells of one row part.

    clean: value-column names of a clean cell-per-line header (_clean_cell_header), which
    win over the standard schema.
    text: cell indexes that hold words in most data rows (采购品目, 采购组织形式): never
        value columns, whatever their header says.
    """
    text = text or set()
    n = len(part)
    out: dict[int, str] = {}
    hdr = [names[offset + i] if offset + i < len(names) else "" for i in range(n)]
    if kind in ("summary", "fiscal_summary"):
        if side == "left":
            out[offset + 1] = "合计" if kind == "fiscal_summary" else _value_name(doc, "")
            return out
        named = [short_name(h) for h in hdr[1:]]
        if kind == "fiscal_summary":
            if any(named) and region.layout == "tab":
                for i, h in enumerate(named, start=1):
                    out[offset + i] = _canon(h) or f"第{i}列"
            else:
                cols = (std.columns if std else ["合计"])
                for i in range(1, n):
                    out[offset + i] = cols[i - 1] if i - 1 < len(cols) else f"第{i}列"
        else:
            for i in range(1, n):
                out[offset + i] = _value_name(doc, "")
        return out
    if region.layout == "tab" and any(hdr):
        for i, h in enumerate(hdr):
            if h and (is_code_column(h) or is_label_column(h) or offset + i in text):
                continue
            if not h:
                # Unnamed cell right of a named one: part of a spanning group heading.
                left = next((hdr[j] for j in range(i - 1, -1, -1) if hdr[j]), "")
                if not left or is_code_column(left) or is_label_column(left):
                    continue
                h = left + "(续)"
            out[offset + i] = _canon(h)
        return out
    if clean and n > len(clean):
        # A single cell-per-line header row of known column names: the value cells are
        # the rightmost ones, in the header's order.
        first = n - len(clean)
        for i, c in enumerate(clean):
            out[offset + first + i] = c
        return out
    if std is not None and n > len(std.columns):
        first = n - len(std.columns)
        for i, c in enumerate(std.columns):
            out[offset + first + i] = c
        return out
    return out


def _is_known_column(name: str) -> bool:
    """A value-column name the genre prints (预算数, 决算数, 基本支出, 2025年预算数 …)."""
    n = _canon(name).replace("（", "(").replace("）", ")")
    n = re.sub(r"^(?:(?:19|20)\d{2}年度?|本年度?|上年度?)", "", n)
    return n in KNOWN_COLUMNS or n + "数" in KNOWN_COLUMNS


def _clean_cell_header(header_cells: list[list[str]]) -> list[str] | None:
    """Value-column names of a cell-per-line table whose header is one clean row.

    Clean: a single header block, its leading cells name the code/label columns and every
    other cell is a distinct known column name. Multi-level headers (spanning groups)
    flatten beyond use in this layout and give None, as do unknown names.
    """
    rows = [r for r in header_cells if any(r)]
    if len(rows) != 1:
        return None
    cells = [short_name(x) for x in rows[0] if x]
    lead = 0
    while lead < len(cells) and (is_code_column(cells[lead]) or is_label_column(cells[lead])
                                 or cells[lead] in ("项目", "科目")):
        lead += 1
    names = cells[lead:]
    if not lead or not names or len(set(names)) != len(names) or not all(_is_known_column(x) for x in names):
        return None
    return [_canon(x) for x in names]


def _canon(name: str) -> str:
    n = short_name(name)
    n = re.sub(r"\((?:亿元|万元|千元|元|%)\)$", "", n)
    n = re.sub(r"^[“\"]?三公[”\"]?经费合计$", "合计", n)
    n = {"金额": "预算数", "本年收入": "本年收入合计"}.get(n, n)
    n = n.replace("公务用车购置", "公务用车购置费") if n == "公务用车购置" else n
    n = n.replace("公务用车运行", "公务用车运行费") if n == "公务用车运行" else n
    return n


def _positional_label(part: list[str], offset: int, names: list[str], vcols: dict[int, str], kind: str) -> tuple[str, str]:
    code_digits = []
    labels: list[tuple[str, str]] = []
    for i, x in enumerate(part):
        idx = offset + i
        if idx in vcols or not x:
            continue
        h = names[idx] if idx < len(names) else ""
        if re.fullmatch(r"\d{2,7}", x) and (not h or is_code_column(h)):
            # Only the first run of code cells: a second classification (政府预算经济分类)
            # printed after the name is not part of the row's code.
            if labels and code_digits:
                continue
            if not code_digits or (h and h in ("款", "项")) or (not h and len("".join(code_digits)) < 7):
                code_digits.append(x)
            continue
        if re.fullmatch(r"\d+", x):
            continue
        labels.append((h, x))
    code = "".join(code_digits)
    if not re.fullmatch(r"\d{3}|\d{5}|\d{7}", code):
        code = ""
    if not code and labels:
        # "212 城乡社区支出" / "210卫生健康支出": a code printed inside the label cell.
        m = re.match(r"^(\d{3}(?:\s*\d{2}){0,2})\s*(?=[\u4e00-\u9fff])", labels[0][1])
        if m:
            code = re.sub(r"\s+", "", m.group(1))
            labels[0] = (labels[0][0], labels[0][1][m.end():])
    label = ""
    for k, (h, x) in enumerate(labels):
        if "项目名称" in h or h == "项目":
            label = x
            # One 项目名称 over a group column and an item column ("一般公共预算资金 | 公共
            # 财政拨款(补助)资金"): the item names the row, unless it is the group's 小计.
            spanned = [y for hh, y in labels[k + 1:] if not hh]
            if spanned and normalize_label(spanned[-1]) not in ("小计", "合计"):
                label = spanned[-1]
            break
    if not label and labels:
        named = [x for h, x in labels if "名称" in h]
        if kind == "project" and not any("名称" in h for h, _ in labels):
            label = labels[-1][1]
        elif named:
            label = named[0]
        else:
            label = labels[-1][1] if kind == "project" else labels[0][1]
    return code, normalize_label(label)


# ------------------------------------------------------------------- facts


def _quote(lines: list[str], p: Placed, v: Value) -> str:
    r = p.row
    if r.quote_span is not None and v.line == r.first_line:
        seg = to_halfwidth(lines[v.line])[r.quote_span[0]:r.quote_span[1]]
        raw = lines[v.line]
        # to_halfwidth keeps offsets (one char each) unless zero-width chars were dropped.
        if len(to_halfwidth(raw)) == len(raw):
            return raw[r.quote_span[0]:r.quote_span[1]].strip()
        return seg.strip()
    start = min(r.first_line, v.line)
    return "\n".join(x.strip() for x in lines[start:v.line + 1] if x.strip())


_EVIDENCE_KEYS = [
    ("上级一般公共预算安排", "上级一般公共预算安排的转移支付"),
    ("上级政府性基金安排", "上级政府性基金安排的转移支付"),
    ("上级国有资本经营预算安排", "上级国有资本经营预算安排的转移支付"),
    ("非财政拨款结转", "非财政拨款结转结余"),
    ("财政拨款结转", "财政拨款结转"),
    ("财政专户", "财政专户"),
    ("单位资金", "单位资金"),
    ("基金预算拨款", "政府性基金预算"),
    ("国有资本经营预算拨款", "国有资本经营预算"),
]


def _summary_evidence(rr: RegionRows) -> dict[str, float | None]:
    """Which income sources the 收支总表 shows non-zero (guides the 收入表 placement).

    The first row naming a source counts: "单位资金" also appears later as a 其中 line
    under 非财政拨款结转结余."""
    ev: dict[str, float | None] = {}
    for r in rr.rows:
        if r.side != "left":
            continue
        label = normalize_label("".join(r.cells))
        for needle, col in _EVIDENCE_KEYS:
            if needle in label:
                if col not in ev:
                    ev[col] = sum(v.value for v in r.values) or None
                break
    return ev


def extract_tables(lines: list[str], doc: Document, sections: list[str]) -> tuple[list[dict[str, Any]], list[Fact]]:
    """Find every table and turn its numeric cells into Facts.

    Args:
        lines: the document's text lines (1-based line numbers are index + 1).
        doc: the document's metadata (department, year, default unit).
        sections: section path per line (same length as lines; "" allowed).

    Returns:
        (tables, facts): table dicts {"no","title","unit","line_start","line_end",
        "empty","columns","kind","department"} and one Fact per numeric cell.
    """
    tables: list[dict[str, Any]] = []
    facts: list[Fact] = []
    evidence: dict[str, float | None] = {}
    for region in find_regions(lines):
        kind = table_kind(region.title)
        unit = region.unit or doc.unit
        entry: dict[str, Any] = {
            "no": region.no, "title": region.title, "unit": unit,
            "line_start": region.start + 1, "line_end": region.end,
            "empty": False, "columns": [], "kind": kind,
            "department": region.department or doc.department,
        }
        tables.append(entry)
        if kind == "performance":
            subject = _performance_subject(lines, region)
            if subject:
                entry["subject"] = subject
            continue
        try:
            rr = region_rows(lines, region, two_sided=kind in ("summary", "fiscal_summary"))
            if region.layout == "space":
                placed, columns = _space_placed(rr, kind, doc, evidence)
            else:
                placed, columns = _positional_placed(rr, kind, doc, region, lines)
        except Exception:  # noqa: BLE001 - one odd table must not sink the document
            log.exception("table %s (%s) of %s could not be parsed", region.no, region.title, doc.name)
            continue
        if kind == "summary" and not evidence:
            evidence = _summary_evidence(rr)
        if kind == "three":
            placed = _three_transposed(placed, lines)
        if kind in ("summary", "fiscal_summary"):
            _disambiguate_income_labels(placed, rr)
            _add_class_codes(placed)
        entry["columns"] = list(dict.fromkeys(_year_column(c, doc) for c in columns))
        table_facts = []
        for p in placed:
            for col, v in p.cells:
                col = _year_column(col, doc)
                # Rates and shares are percentages whatever the table's money unit.
                f_unit = "%" if (v.text.endswith(("%", "％")) or re.search(r"(率|占比|比重|%)", col)) else unit
                label = p.label
                counted = _COUNTED_LABEL.fullmatch(label) if f_unit != "%" else None
                if counted:
                    # "公务用车保有量(辆)  1": a count in its own measure word, not the table's money unit
                    label, f_unit = counted.group(1), counted.group(2)
                table_facts.append(Fact(
                    doc=doc.name, department=doc.department, year=doc.year,
                    table_no=region.no, table_title=region.title,
                    section=sections[v.line] if v.line < len(sections) else "",
                    code=p.code, label=label, column=col, value=v.value, unit=f_unit,
                    norm_value=to_yuan(v.value, f_unit), line=v.line + 1,
                    quote=_quote(lines, p, v), source="table",
                ))
        if kind == "three" and table_facts:
            # Blank items (因公出国（境）费 with no amount) are 0 when the total confirms it.
            table_facts += zero_facts(lines, region, table_facts, sections)
        entry["empty"] = not table_facts
        if rr.statement and rr.statement_line is not None:
            # Verbatim, so it can be cited: "…没有使用政府性基金预算拨款安排的支出…为空表。"
            end = rr.statement_end if rr.statement_end is not None else rr.statement_line
            entry["statement"] = "\n".join(x.strip() for x in lines[rr.statement_line:end + 1] if x.strip())
            entry["statement_line"] = rr.statement_line + 1
        facts.extend(table_facts)
    return tables, facts


_COUNTED_LABEL = re.compile(r"(.{2,}?)\s*[(（]\s*(辆|个|人次|人|批次|批|台|套|家|所|处)\s*[)）]")

# 支出功能分类 classes (类), for 收支 tables that print the names without codes.
_CLASSES = {
    "一般公共服务": "201", "外交": "202", "国防": "203", "公共安全": "204", "教育": "205",
    "科学技术": "206", "文化旅游体育与传媒": "207", "社会保障和就业": "208", "社会保险基金": "209",
    "卫生健康": "210", "节能环保": "211", "城乡社区": "212", "农林水": "213", "交通运输": "214",
    "资源勘探工业信息等": "215", "商业服务业等": "216", "金融": "217", "援助其他地区": "219",
    "自然资源海洋气象等": "220", "住房保障": "221", "粮油物资储备": "222", "灾害防治及应急管理": "224",
    "预备费": "227", "其他": "229", "转移性": "230", "债务还本": "231", "债务付息": "232",
    "债务发行费用": "233", "抗疫特别国债安排的": "234",
}


def _class_code(label: str) -> str:
    core = re.sub(r"(支出|事务)$", "", label)
    core = re.sub(r"事务$", "", core)
    return _CLASSES.get(core, "")


def _add_class_codes(placed: list[Placed]) -> None:
    """Give the expenditure side of a 收支 table its class codes when only names are printed."""
    for p in placed:
        if not p.code and p.schema_key in ("right", "left"):
            code = _class_code(p.label)
            # A class name on a line of its own was read as the left half: it is the right.
            if code and (p.schema_key == "right" or not re.search(r"(收入|拨款|结转|结余|资金)", p.label)):
                p.code, p.schema_key = code, "right"


def _disambiguate_income_labels(placed: list[Placed], rr: RegionRows) -> None:
    """A 收支 table's income side repeats labels under 上年结转结余 ("其中：一般公共预算拨款",
    "单位资金"): prefix the repeats with their section so each label names one figure.
    Rows without amounts count too: "5.单位资金" left blank is still the income line."""
    section = ""
    seen: set[str] = set()
    rename: dict[int, str] = {}
    for r in rr.rows:
        if r.n_cells is None:
            if r.side != "left":
                continue
            raw = "".join(r.cells)
        else:
            raw = r.cells[0] if r.cells else ""
        raw = re.sub(r"\s+", "", to_halfwidth(raw))
        label = normalize_label(raw)
        if not label:
            continue
        if re.match(r"^[一二三四五六七八九十]+、", raw):
            section = label
        if label in seen and section and section != label:
            rename[id(r)] = f"{section}:{label}"
        seen.add(label)
    for p in placed:
        if p.schema_key == "left" and id(p.row) in rename:
            p.label = rename[id(p.row)]


def _year_column(name: str, doc: Document) -> str:
    """'2025年预算数' in a 2025 document is its 预算数; '2024年预算数' is the 上年预算数;
    '本年预算数' / '本年度预算' is the 预算数 whatever the year."""
    m = re.fullmatch(r"本年度?(预算数|决算数|预算|决算|执行数)", name)
    if m:
        return m.group(1) if m.group(1).endswith("数") else m.group(1) + "数"
    m = re.fullmatch(r"((?:19|20)\d{2})年度?(预算数|决算数|预算|决算|执行数)", name)
    if not m or doc.year is None:
        return name
    y, what = int(m.group(1)), m.group(2)
    what = what if what.endswith("数") else what + "数"
    if y == doc.year:
        return what
    if y == doc.year - 1:
        return "上年" + what
    return name


def _performance_subject(lines: list[str], region: Region) -> str:
    """The project a 项目支出绩效目标表 is about ("项目名称 信息化建设 项目负责人 …")."""
    texts = [re.sub(r"\s+", " ", to_halfwidth(x).replace("\t", " ")).strip()
             for x in lines[region.body_start:min(region.end, region.body_start + 16)]]
    texts = [t for t in texts if t]
    for k, t in enumerate(texts):
        m = re.match(r"^项目名称\s*[:：]?\s*(.*?)(?:\s*项目负责人.*)?$", t)
        if m:
            name = m.group(1) or (texts[k + 1] if k + 1 < len(texts) else "")
            return re.sub(r"\s+", "", re.sub(r"项目负责人.*$", "", name))
    return ""


def _three_transposed(placed: list[Placed], lines: list[str]) -> list[Placed]:
    """In a 三公 table printed as one row under item headers, make items the labels.

    The quote then runs from the item headings down to the numbers, so it holds both."""
    out = []
    for p in placed:
        cols = [c for c, _ in p.cells]
        is_item = [c in _THREE_ITEMS or (c.endswith("费") and "公务" in c or "出国" in c) for c in cols]
        row_is_item = p.label in _THREE_ITEMS or p.label.endswith("费")
        if sum(is_item) >= 2 and p.label and not row_is_item:
            # Items across, years / sources down ("本年预算数 12.00 0.00 8.00 4.00").
            for c, v in p.cells:
                label = "合计" if c in ("合计", "三公经费合计", "小计") else c
                out.append(Placed(p.row, "", label, [(p.label, v)], [], p.schema_key))
            continue
        if any(c in _THREE_ITEMS or c.endswith("费") for c in cols) and (not p.label or p.label == p.code):
            start = p.row.first_line
            j = start - 1
            while j >= 0 and lines[j].strip() and "单位" not in lines[j] and j > start - 8:
                if any(k in squeeze_text(lines[j]) for k in ("公务接待", "因公出国", "公务用车")):
                    start = j
                j -= 1
            row = RawRow(code="", cells=[], values=p.row.values, first_line=start)
            for c, v in p.cells:
                out.append(Placed(row, "", "合计" if c in ("合计", "三公经费合计") else c, [("预算数", v)], [], p.schema_key))
        else:
            out.append(p)
    return out


# ------------------------------------------------------------------- audit


def _main(argv: list[str] | None = None) -> int:
    from qa.ingest.meta import read_metadata

    ap = argparse.ArgumentParser(description="Dump the table facts of one document for auditing.")
    ap.add_argument("path")
    ap.add_argument("--table", default=None)
    args = ap.parse_args(argv)
    text = open(args.path, encoding="utf-8-sig").read()
    lines = text.splitlines()
    meta = read_metadata(args.path, lines)
    doc = Document(name=args.path.split("/")[-1], department=meta.department, year=meta.year, kind=meta.kind,
                   unit=meta.unit, content_hash="", title=meta.title)
    tables, facts = extract_tables(lines, doc, [""] * len(lines))
    for t in tables:
        if args.table and t["no"] != args.table:
            continue
        print(f"== 表{t['no']} {t['title']} [{t['kind']}] lines {t['line_start']}-{t['line_end']} "
              f"unit={t['unit']} empty={t['empty']} columns={t['columns']}")
        for f in facts:
            if f.table_no == t["no"] and f.table_title == t["title"]:
                print(f"  L{f.line:<5} {f.code:<8} {f.label[:30]:<30} {f.column:<14} {f.value:>12,.2f}")
    from qa.ingest.integrity import check_integrity

    for issue in check_integrity(doc, facts, tables):
        print("ISSUE", issue.table_no, issue.kind, issue.message)
    print(f"{len(facts)} facts in {len(tables)} tables", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
