"""How much of what a file's table reader sees becomes facts: the coverage report.

For a PDF the reference is pdfplumber: every row of ``page.find_tables()`` that carries at
least one amount-like cell (a number with a decimal point or thousands separators; bare
integers are 科目编码, 行次 or ordinals far more often than amounts) is a seen row. A seen
row is covered when a table fact on the same page holds one of its amounts and that fact's
label or 科目编码 is printed in the row (rows without any text, such as a 三公 amount row
under item headers, need only the amount). Each fact covers one row at most. Workbooks are
counted the same way over their sheets' rows.

The amounts ratio counts amount cells instead of rows (a fact of the same value on the same
page, each fact used once): a row read only in part shows there.

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
    """

    where: str
    cells: tuple[str, ...]
    amounts: tuple[float, ...]
    covered: bool


@dataclass(frozen=True)
class Coverage:
    """Coverage of one file.

    Attributes:
        name: file name.
        rows_seen, rows_covered: seen rows (with an amount-like cell) and those covered.
        amounts_seen, amounts_covered: the same counted per amount cell.
        tables_seen: tables the reader found; tables, facts: what parsing produced.
        seconds_load, seconds_parse: time in the loader and in parsing.
        missed: the seen rows that are not covered.
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


def _label_in_row(f: Fact, texts: list[str], digits: str) -> bool:
    if f.code and (f.code in texts or f.code == digits):
        return True
    label = _norm(f.label.rsplit(":", 1)[-1])
    if len(label) < 2:
        return False
    joined = "".join(texts)
    return label in joined or any(len(t) >= 2 and t in label for t in texts)


def check_rows(seen: Sequence[SeenTable], facts: Iterable[Fact]) -> list[RowCheck]:
    """Which seen rows became facts (see the module docstring for the rule).

    Args:
        seen: the tables the reader saw.
        facts: the document's facts (only table facts count).
    """
    pool: dict[tuple[str, float], list[Fact]] = defaultdict(list)
    for f in facts:
        where = _fact_where(f)
        if f.source == "table" and where is not None:
            pool[(where, round(f.value, 2))].append(f)
    rows: list[tuple[str, tuple[str, ...], list[float], list[str], str]] = []
    for t in seen:
        for r in t.rows:
            vals = [v for c in r for v in cell_amounts(c)]
            if not vals:
                continue
            texts = [_norm(c) for c in r if c.strip() and not cell_amounts(c)]
            texts = [x for x in texts if x]
            digits = "".join(x for x in texts if re.fullmatch(r"\d{1,7}", x))
            words = [x for x in texts if re.search(r"[^\d.,%\-]", x)]
            rows.append((t.where, tuple(r), vals, words + ([x for x in texts if x not in words]), digits))
    covered = [False] * len(rows)
    # Rows with words first: a row of bare amounts must not take a labelled row's fact.
    order = sorted(range(len(rows)), key=lambda k: (not rows[k][3], k))
    for k in order:
        where, _, vals, texts, digits = rows[k]
        has_text = any(re.search(r"[^\d.,%\-]", x) for x in texts)
        for v in dict.fromkeys(vals):
            cands = pool.get((where, v), [])
            hit = next((i for i, f in enumerate(cands) if not has_text or _label_in_row(f, texts, digits)), None)
            if hit is not None:
                cands.pop(hit)
                covered[k] = True
                break
    return [RowCheck(w, cells, tuple(vals), c) for (w, cells, vals, _, _), c in zip(rows, covered)]


def count_amounts(seen: Sequence[SeenTable], facts: Iterable[Fact]) -> tuple[int, int]:
    """(amount cells seen, those with a table fact of that value on the same page)."""
    pool: dict[tuple[str, float], int] = defaultdict(int)
    for f in facts:
        where = _fact_where(f)
        if f.source == "table" and where is not None:
            pool[(where, round(f.value, 2))] += 1
    n = hit = 0
    for t in seen:
        for r in t.rows:
            for c in r:
                for v in cell_amounts(c):
                    n += 1
                    if pool[(t.where, v)] > 0:
                        pool[(t.where, v)] -= 1
                        hit += 1
    return n, hit


def measure(name: str, seen: Sequence[SeenTable], facts: Sequence[Fact], **extra) -> Coverage:
    """The Coverage of one parsed file (pure).

    Args:
        name: file name.
        seen: the tables its reader saw.
        facts: its facts.
        extra: further Coverage fields (tables, seconds_load, ...).
    """
    checks = check_rows(seen, facts)
    n, hit = count_amounts(seen, facts)
    return Coverage(name=name, rows_seen=len(checks), rows_covered=sum(c.covered for c in checks),
                    amounts_seen=n, amounts_covered=hit, tables_seen=len(seen), facts=len(facts),
                    missed=tuple(c for c in checks if not c.covered), **extra)


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
