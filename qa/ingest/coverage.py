"""How much of what a file's table reader sees becomes facts: the coverage report.

For a PDF the reference is pdfplumber: every row of ``page.find_tables()`` that carries at
least one amount-like cell (a number with a decimal point or thousands separators; bare
integers are 科目编码, 行次 or ordinals far more often than amounts) is a seen row. An
amount cell is covered when a table fact on the same page holds its value and that fact's
label or 科目编码 is printed in the cells that label the amount: those between the amount
columns before it and its own run of amount columns (so in "收入项目 | 金额 | 支出科目 |
金额 | 支出用途 | 金额" the last amount must be read under the 支出用途 label, not the
科目). An amount with no text there (a 三公 amount row under item headers) needs only the
value. Each fact is used once. A seen row is covered when one of its amounts is; the
amounts ratio counts the cells themselves, so a row read only in part shows there.

Usage: ``qa coverage DIR_OR_FILES [--missed N] [--workers N] [--json]``.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from qa.ingest.loaders import SeenTable
from qa.text.normalize import to_halfwidth
from qa.types import Fact

log = logging.getLogger(__name__)

# 1,234.56 / 1,234 / 12.5 / -3.00 ; not 201, 20101, 07 (codes) or 1 2 3 (ordinals)
_AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)$")
_ENUM = re.compile(r"^(?:[(（]?[一二三四五六七八九十]+[)）、.]|[(（]\d+[)）]|\d+[、.．](?!\d)|其中[:：])+")


def cell_amounts(cell: str) -> list[float]:
    """The amounts of an amount-like cell: every token an amount (a merged cell may hold
    several, one per line); [] for a cell with any other text."""
    toks = to_halfwidth(cell).split()
    if not toks or not all(_AMOUNT.match(t) for t in toks):
        return []
    return [round(float(t.replace(",", "").replace("−", "-")), 2) for t in toks]


def _norm(text: str) -> str:
    t = re.sub(r"\s+", "", to_halfwidth(text))
    t = re.sub(r"[“”\"'‘’]", "", t)
    return _ENUM.sub("", t)


@dataclass(frozen=True)
class RowCheck:
    """One seen row and whether it became facts.

    Attributes:
        where: page ("p3") or sheet of the row.
        cells: the row's cell texts.
        amounts: its amount-like numbers.
        covered: True when a fact was read from it.
        unread: the amounts no fact was read from.
    """

    where: str
    cells: tuple[str, ...]
    amounts: tuple[float, ...]
    covered: bool
    unread: tuple[float, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """Coverage of one file.

    Attributes:
        name: file name.
        rows_seen, rows_covered: seen rows (with an amount-like cell) and those covered.
        amounts_seen, amounts_covered: the same counted per amount cell.
        tables_seen: tables the reader found; tables, facts: what parsing produced.
        seconds_load, seconds_parse: time in the loader and in parsing.
        missed: the seen rows with an amount no fact was read from (covered or not).
        note: why the file has no count (not a PDF or workbook, an error).
    """

    name: str
    rows_seen: int = 0
    rows_covered: int = 0
    amounts_seen: int = 0
    amounts_covered: int = 0
    tables_seen: int = 0
    tables: int = 0
    facts: int = 0
    seconds_load: float = 0.0
    seconds_parse: float = 0.0
    missed: tuple[RowCheck, ...] = field(default_factory=tuple)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """rows_covered / rows_seen (None when nothing was seen)."""
        return self.rows_covered / self.rows_seen if self.rows_seen else None

    @property
    def amount_ratio(self) -> float | None:
        """amounts_covered / amounts_seen (None when nothing was seen)."""
        return self.amounts_covered / self.amounts_seen if self.amounts_seen else None


def _fact_where(f: Fact) -> str | None:
    if f.page is not None:
        return f"p{f.page}"
    if f.cell:
        return f.cell.rsplit("!", 1)[0]
    return None


def _label_in_row(f: Fact, texts: list[str]) -> bool:
    digits = "".join(x for x in texts if re.fullmatch(r"\d{1,7}", x))
    if f.code and (f.code in texts or f.code == digits):
        return True
    label = _norm(f.label.rsplit(":", 1)[-1])
    if len(label) < 2:
        return False
    joined = "".join(texts)
    return label in joined or any(len(t) >= 2 and t in label for t in texts)


def _label_cells(row: Sequence[str], j: int, amount_cols: set[int]) -> list[str]:
    """The cells that label the amount in column j: the text between the run of amount
    columns holding j and the amount column before that run."""
    s = j
    while s - 1 in amount_cols:
        s -= 1
    p = max((c for c in amount_cols if c < s), default=-1)
    cells = [_norm(row[c]) for c in range(p + 1, s) if row[c].strip() and not cell_amounts(row[c])]
    # Digits alone are a 科目编码 (or an amount printed without decimals): they help a
    # fact's code match, but an amount with no words to its left needs only its value.
    return cells if any(re.search(r"[^\d.,%\-]", c) for c in cells) else []


def check_rows(seen: Sequence[SeenTable], facts: Iterable[Fact]) -> tuple[list[RowCheck], int, int]:
    """Which seen rows became facts (see the module docstring for the rule).

    Every amount cell looks for a table fact on the same page with its value whose label
    or 科目编码 is printed in the cells that label that amount (between the amount columns
    before it and its own run of amount columns); a cell with no such text needs only the
    value. Each fact is used once. A row is covered when one of its amounts is.

    Args:
        seen: the tables the reader saw.
        facts: the document's facts (only table facts count).

    Returns:
        (the rows with amounts, amount cells seen, amount cells covered).
    """
    pool: dict[tuple[str, float], list[Fact]] = defaultdict(list)
    for f in facts:
        where = _fact_where(f)
        if f.source == "table" and where is not None:
            pool[(where, round(f.value, 2))].append(f)
    todo: list[tuple[int, str, float, list[str]]] = []  # (row number, where, value, label cells)
    rows: list[tuple[str, tuple[str, ...], list[float]]] = []
    for t in seen:
        amount_cols = {j for r in t.rows for j, c in enumerate(r) if cell_amounts(c)}
        for r in t.rows:
            vals: list[float] = []
            for j, c in enumerate(r):
                got = cell_amounts(c)
                if got:
                    labels = _label_cells(r, j, amount_cols)
                    todo.extend((len(rows), t.where, v, labels) for v in got)
                    vals.extend(got)
            if vals:
                rows.append((t.where, tuple(r), vals))
    covered = [False] * len(rows)
    unread: list[list[float]] = [[] for _ in rows]
    hits = 0
    # Labelled amounts first: a bare amount must not take a labelled one's fact.
    for k, where, v, labels in sorted(todo, key=lambda x: not x[3]):
        cands = pool.get((where, v), [])
        hit = next((i for i, f in enumerate(cands) if not labels or _label_in_row(f, labels)), None)
        if hit is not None:
            cands.pop(hit)
            covered[k] = True
            hits += 1
        else:
            unread[k].append(v)
    checks = [RowCheck(w, cells, tuple(vals), c, tuple(u)) for (w, cells, vals), c, u in zip(rows, covered, unread)]
    return checks, len(todo), hits


def measure(name: str, seen: Sequence[SeenTable], facts: Sequence[Fact], **extra) -> Coverage:
    """The Coverage of one parsed file (pure).

    Args:
        name: file name.
        seen: the tables its reader saw.
        facts: its facts.
        extra: further Coverage fields (tables, seconds_load, ...).
    """
    checks, n, hit = check_rows(seen, facts)
    return Coverage(name=name, rows_seen=len(checks), rows_covered=sum(c.covered for c in checks),
                    amounts_seen=n, amounts_covered=hit, tables_seen=len(seen), facts=len(facts),
                    missed=tuple(c for c in checks if c.unread), **extra)


def file_coverage(path: str | Path) -> Coverage:
    """Load and parse one file as ingest does (no index, no embedding) and measure it."""
    from qa.ingest.layout import parse_loaded
    from qa.ingest.loaders import LoadError, load

    p = Path(path)
    t0 = time.perf_counter()
    try:
        loaded = load(p)
    except LoadError as exc:
        return Coverage(name=p.name, note=str(exc))
    t1 = time.perf_counter()
    parsed = parse_loaded(loaded)
    t2 = time.perf_counter()
    extra = {"tables": len(parsed.tables), "seconds_load": t1 - t0, "seconds_parse": t2 - t1}
    if loaded.seen_tables is None:
        return Coverage(name=p.name, facts=len(parsed.facts), note="no table reader to compare with",
                        **extra)
    return measure(p.name, loaded.seen_tables, parsed.facts, **extra)


def folder_coverage(paths: Iterable[str | Path], workers: int = 1) -> list[Coverage]:
    """file_coverage of every file ingest would read from the paths given, in name order.

    Args:
        paths: files or folders.
        workers: processes to load files in (PDF loading is the slow part).
    """
    from qa.ingest.loaders import find_files

    files = list(find_files(paths).files)
    if workers <= 1 or len(files) <= 1:
        results = [file_coverage(f) for f in files]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        order = sorted(files, key=lambda f: -f.stat().st_size)
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(file_coverage, [str(f) for f in order]))
    return sorted(results, key=lambda c: c.name)


def overall(results: Sequence[Coverage]) -> Coverage:
    """The sums over files, as one Coverage named "overall"."""
    return Coverage(
        name="overall", rows_seen=sum(c.rows_seen for c in results), rows_covered=sum(c.rows_covered for c in results),
        amounts_seen=sum(c.amounts_seen for c in results), amounts_covered=sum(c.amounts_covered for c in results),
        tables_seen=sum(c.tables_seen for c in results), tables=sum(c.tables for c in results),
        facts=sum(c.facts for c in results), seconds_load=sum(c.seconds_load for c in results),
        seconds_parse=sum(c.seconds_parse for c in results))
