"""A ruled table's cells, as pdfplumber extracts them, made into rows the parser reads.

Pure functions over a grid (rows of cell texts, None for an empty or merged-away cell):

- cell text: line breaks inside a cell are wrapping; between two Chinese characters they
  join without a space ("因公出国" + "（境）费"), elsewhere with one;
- caption rows: many tables carry their title, "公开表N", "部门：…" and "单位：万元" inside
  the frame, in a row of one wide cell; those become text lines before the table, where
  the table finder looks for a title (a line repeating a later row is dropped);
- fragmented grids (Word exports draw every cell border as its own rectangles, so a table
  of 3 columns comes out with 19): columns empty everywhere are dropped, and neighbouring
  columns that never both hold text in one row (nor in a header) are one column printed
  with a drift; a row holding only the wrapped end of label cells ("算", "费") is joined to
  the row above that holds the start of each of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’]")
_AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
# A caption row names the table, its number, the body and the unit; it holds no amount.
_CAPTION_WORDS = re.compile(r"(?:部门|单位|编制|名称)\s*[:：]|单位\s*[:：]?\s*(?:亿元|万元|千元|元)|^公开\s*\d*\s*表|表\s*$",
                            re.M)
_DECIMAL = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)\.\d+$")
_CAPTION_LABEL = re.compile(r"(?:部门|单位|编制)\S{0,4}\s*[:：]")
_ENUMERATED = re.compile(r"^(?:[(（]?[一二三四五六七八九十]+[、)）.]|[(（]?\d+[)）、.．])")


@dataclass(frozen=True)
class Grid:
    """A table ready to print: text lines above it and its rows of cells.

    Attributes:
        caption: lines printed inside the frame above the header (title, 部门, 单位).
        rows: cell texts per row, "" for an empty cell.
        columns: for each printed column, the columns of the extracted table it joins.
    """

    caption: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[tuple[int, ...], ...] = ()


def cell_text(text: str | None) -> str:
    """One cell's text on one line: wrapped Chinese joins directly, other breaks become a space."""
    parts = [p.strip() for p in (text or "").splitlines()]
    out = ""
    for p in parts:
        if not p:
            continue
        if out and not (_CJK.match(out[-1]) and _CJK.match(p[0])):
            out += " "
        out += " ".join(p.split())
    return out


def is_amount(text: str) -> bool:
    """A cell that holds a number (amounts, codes and ordinals alike)."""
    return bool(_AMOUNT.match(text.replace(" ", "")))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _caption_row(cells: list[str], width: int) -> bool:
    filled = [c for c in cells if c]
    if not filled or any(is_amount(c) for c in filled):
        return False
    if len(filled) == 1:
        # one wide cell: a title or a 部门/单位 line (a lone header name is not)
        return width >= 2 and bool(_CAPTION_WORDS.search(filled[0]))
    # "部门： | 某某厅 | 单位：万元"
    return len(filled) <= 3 and bool(_CAPTION_LABEL.search(" ".join(filled)))


def split_caption(rows: list[list[str | None]]) -> tuple[list[str], list[list[str | None]]]:
    """Caption lines from the top rows of a table, and the rows left.

    Args:
        rows: the table as extracted (None for empty cells).
    """
    width = max((len(r) for r in rows), default=0)
    caption: list[str] = []
    k = 0
    while k < len(rows):
        cells = [(c or "").strip() for c in rows[k]]
        if not any(cells):
            k += 1
            continue
        if not _caption_row(cells, width):
            break
        filled = [c for c in cells if c]
        if len(filled) == 1:
            caption.extend(cell_text(x) for x in filled[0].splitlines() if x.strip())
        else:
            caption.append(" ".join(cell_text(c) for c in filled))
        k += 1
    if not caption:
        return [], rows
    rest = rows[k:]
    # A caption cell may also hold text of the rows below it (a header and a total printed
    # again inside the frame): those lines are the rows', not the caption's.
    later = {_squeeze("".join(cell_text(c) for c in r)) for r in rest[:4]}
    caption = [caption[0]] + [c for c in caption[1:] if _squeeze(c) not in later]
    return caption, rest


def _disjoint(rows: list[list[str]], a: int, b: int) -> bool:
    return not any(r[a] and r[b] for r in rows)


def _kind(rows: list[list[str]], c: int) -> set[str]:
    """What a column holds in the data rows (those with a decimal amount): header names
    above a column of numbers do not make it a text column."""
    data = [r for r in rows if any(_DECIMAL.match(x.replace(" ", "")) for x in r if x)]
    return {"number" if is_amount(r[c]) else "text" for r in data if r[c]}


def compact(rows: list[list[str]]) -> tuple[list[list[str]], list[list[int]]]:
    """Drop empty columns and merge neighbouring columns that never both hold something
    in one row and hold the same kind of cell in the data rows (numbers or words), or
    a column of 科目编码 and the column where the code header and 合计 are printed.

    Returns:
        (rows, for each column left the input columns it joins).
    """
    if not rows:
        return rows, []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep = [c for c in range(width) if any(r[c] for r in rows)]
    rows = [[r[c] for c in keep] for r in rows]
    groups = [[c] for c in keep]
    c = 0
    while c + 1 < len(groups):
        if _disjoint(rows, c, c + 1) and (len(_kind(rows, c) | _kind(rows, c + 1)) <= 1 or _codes_and_words(rows, c)):
            rows = [r[:c] + [r[c] or r[c + 1]] + r[c + 2:] for r in rows]
            groups[c:c + 2] = [groups[c] + groups[c + 1]]
            continue
        c += 1
    return rows, groups


def _codes_and_words(rows: list[list[str]], c: int) -> bool:
    """Column c holds 科目编码 and column c+1 the 合计 / header word of the code column."""
    left = [r[c] for r in rows if r[c]]
    right = [r[c + 1] for r in rows if r[c + 1]]
    return (bool(left) and all(re.fullmatch(r"\d{3,7}", x) for x in left)
            and all(not re.search(r"\d", x) and len(_squeeze(x)) <= 8 for x in right))


def join_fragments(rows: list[list[str]], full: Callable[[int, int], bool]) -> list[list[str]]:
    """Rows that only hold the wrapped ends of label cells go back to the row above.

    A fragment row has no number and no cell that starts a label (an enumerator such as
    "三、"); each of its cells continues the nearest row above (within three) with text in
    that column, and only when that text fills its cell to the right edge (it wrapped).

    Args:
        rows: printed rows.
        full: full(row, column) tells whether the text of that cell reaches its right edge.
    """
    out: list[list[str]] = []
    where: list[int] = []
    for i, r in enumerate(rows):
        cells = [x for x in r if x]
        frag = (out and cells and not any(is_amount(x) for x in cells)
                and all(len(_squeeze(x)) <= 8 and not _ENUMERATED.match(x) for x in cells))
        if frag:
            targets = []
            for c, x in enumerate(r):
                if not x:
                    continue
                up = next((k for k in range(len(out) - 1, max(-1, len(out) - 4), -1) if out[k][c]), None)
                if up is None or is_amount(out[up][c]) or not full(where[up], c):
                    targets = []
                    break
                targets.append((up, c, x))
            if targets:
                for up, c, x in targets:
                    out[up][c] = out[up][c] + x
                continue
        out.append(list(r))
        where.append(i)
    return out


def shape(rows: list[list[str | None]], full: Callable[[int, int], bool] | None = None) -> Grid:
    """A table as extracted -> its caption lines and printable rows.

    Args:
        rows: pdfplumber's ``Table.extract()`` (None for empty cells).
        full: full(row, column) over the extracted table's indexes: whether that cell's
            text reaches the cell's right edge (so a next line of it wrapped); without it
            no fragments are joined.
    """
    caption, rest = split_caption(rows)
    skipped = len(rows) - len(rest)
    cells = [[cell_text(c) for c in r] for r in rest]
    index = [skipped + k for k, r in enumerate(cells) if any(r)]
    cells = [r for r in cells if any(r)]
    cells, groups = compact(cells)
    if full is not None and cells:
        def full_here(row: int, col: int) -> bool:
            orig = index[row]
            raw = rows[orig]
            member = next((c for c in groups[col] if c < len(raw) and (raw[c] or "").strip()), groups[col][0])
            return full(orig, member)

        cells = join_fragments(cells, full_here)
    return Grid(tuple(caption), tuple(tuple(r) for r in cells), tuple(tuple(g) for g in groups))


def x_ranges(grid: Grid, column_boxes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The horizontal extent of each printed column, from the extracted columns' extents."""
    out = []
    for g in grid.columns:
        xs = [column_boxes[c] for c in g if c < len(column_boxes)]
        out.append((min(a for a, _ in xs), max(b for _, b in xs)) if xs else (0.0, 0.0))
    return out


def align_to(ranges: list[tuple[float, float]], prev: list[tuple[float, float]]) -> list[int] | None:
    """Where each column of a table continuing from the page before sits among that
    table's columns (by horizontal overlap), or None when they do not line up one to one."""
    out: list[int] = []
    for a, b in ranges:
        best, best_k = 0.0, None
        for k, (pa, pb) in enumerate(prev):
            ov = min(b, pb) - max(a, pa)
            if ov > best:
                best, best_k = ov, k
        if best_k is None or best < 0.5 * min(b - a, prev[best_k][1] - prev[best_k][0]):
            return None
        if out and best_k <= out[-1]:
            return None
        out.append(best_k)
    return out
