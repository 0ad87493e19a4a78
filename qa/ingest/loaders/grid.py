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


def _named(rows: list[list[str]], c: int) -> bool:
    """Does column c carry a name above the data (text in a row without a decimal amount)?"""
    return any(r[c] and not is_amount(r[c]) and not any(_DECIMAL.match(x.replace(" ", "")) for x in r if x)
               for r in rows)


def compact(rows: list[list[str]], widths: list[float] | None = None) -> tuple[list[list[str]], list[list[int]]]:
    """Drop empty columns and merge neighbouring columns that never both hold something
    in one row and hold the same kind of cell in the data rows (numbers or words), or
    a column of 科目编码 and the column where the code header and 合计 are printed. Two
    columns of amounts that both carry a name in the header ("小计", "购置费") stay two.

    Two columns are neighbours when nothing but narrow empty columns (the borders of a
    Word grid, under 8 points; with no widths given, none) lies between them: two amount
    columns apart on the page stay apart even where the columns between are empty.

    Args:
        rows: cell texts per row.
        widths: the width of each input column, if known.

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
    def near(a: list[int], b: list[int]) -> bool:
        gap = range(max(a) + 1, min(b))
        if widths is None:
            return not gap
        return all(widths[k] < 8 for k in gap if k < len(widths))

    c = 0
    while c + 1 < len(groups):
        if (near(groups[c], groups[c + 1]) and _disjoint(rows, c, c + 1)
                and not (_named(rows, c) and _named(rows, c + 1) and _kind(rows, c) | _kind(rows, c + 1) == {"number"})
                and (len(_kind(rows, c) | _kind(rows, c + 1)) <= 1 or _codes_and_words(rows, c))):
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


def join_fragments(rows: list[list[str]], full: Callable[[int, int], bool],
                   header_cells: bool = False) -> tuple[list[list[str]], list[int]]:
    """The wrapped ends of label cells go back to the cell above.

    A fragment row has no number and no cell that starts a label (an enumerator such as
    "三、"); each of its cells continues the nearest row above (within three) with text in
    that column, and only when that text fills its cell to the right edge (it wrapped).
    With header_cells, a cell of the header (the rows before the first amount) is joined
    on its own, when it is short and the cell above it wrapped, whatever the other cells
    of its row hold (Word prints "因公出国" / "（境）费" beside a whole "公务用车购置费").

    Args:
        rows: printed rows.
        full: full(row, column) tells whether the text of that cell reaches its right edge.
        header_cells: join header cells one by one (fragmented grids).

    Returns:
        (the rows left, the index in rows of each).
    """
    out: list[list[str]] = []
    where: list[int] = []
    in_header = True

    def above(c: int) -> int | None:
        up = next((k for k in range(len(out) - 1, max(-1, len(out) - 4), -1) if out[k][c]), None)
        if up is None or is_amount(out[up][c]) or not full(where[up], c):
            return None
        return up

    def short(x: str) -> bool:
        return len(_squeeze(x)) <= 8 and not _ENUMERATED.match(x) and not is_amount(x)

    for i, r in enumerate(rows):
        cells = [x for x in r if x]
        if any(_DECIMAL.match(x.replace(" ", "")) for x in cells):
            in_header = False
        if out and cells and all(short(x) for x in cells):
            targets = [(above(c), c, x) for c, x in enumerate(r) if x]
            if all(up is not None for up, _, _ in targets):
                for up, c, x in targets:
                    out[up][c] = out[up][c] + x
                continue
        if header_cells and in_header and out:
            r = list(r)
            for c, x in enumerate(r):
                if x and len(_squeeze(x)) <= 4 and short(x):
                    up = above(c)
                    if up is not None:
                        out[up][c] = out[up][c] + x
                        r[c] = ""
            if not any(r):
                continue
        out.append(list(r))
        where.append(i)
    return out, where


def _amount_columns(rows: list[list[str]]) -> set[int]:
    width = max((len(r) for r in rows), default=0)
    out = set()
    for c in range(width):
        cells = [r[c] for r in rows if c < len(r) and r[c]]
        amounts = sum(1 for x in cells if _DECIMAL.match(x.replace(" ", "")))
        if amounts and amounts * 2 >= len(cells):
            out.add(c)
    return out


def attach_amounts(rows: list[list[str]], centres: list[float] | None = None) -> list[list[str]]:
    """Amounts printed in a row of their own go to the row that holds their label.

    In a fragmented grid an amount centred in a tall cell lands on a sub-row of its own or
    on the sub-row of another block's label ("1.一般公共预算" above "| 21,940.96 | 二、外交
    支出 …"). An amount whose block (the label columns left of its run of amount columns)
    has no label in its row moves to the row above or below that has a label in that block
    and no amount in it (the nearer one by centres when both do); rows left empty go.

    Args:
        rows: printed rows (same width).
        centres: vertical centre of each row, to choose between the row above and below.
    """
    rows = [list(r) for r in rows]
    amount_cols = _amount_columns(rows)
    if not amount_cols:
        return rows

    def block(j: int) -> tuple[list[int], list[int]]:
        s = j
        while s - 1 in amount_cols:
            s -= 1
        e = j
        while e + 1 in amount_cols:
            e += 1
        p = max((c for c in amount_cols if c < s), default=-1)
        return list(range(p + 1, s)), list(range(s, e + 1))

    for i, r in enumerate(rows):
        for j in sorted(amount_cols):
            if j >= len(r) or not is_amount(r[j]):
                continue
            labels, amounts = block(j)
            if not labels or any(r[c] for c in labels):
                continue
            cands = []
            for k in (i - 1, i + 1):
                if 0 <= k < len(rows):
                    o = rows[k]
                    if any(o[c] for c in labels) and not any(o[c] for c in amounts):
                        cands.append(k)
            if not cands:
                continue
            if len(cands) == 2 and centres is not None:
                cands.sort(key=lambda k: abs(centres[k] - centres[i]))
            k = cands[0]
            for c in amounts:
                rows[k][c], r[c] = r[c], ""
    return [r for r in rows if any(r)]


_SUBTOTAL = re.compile(r"^(?:小\s*计|合\s*计)$")


def lift_group_labels(rows: list[list[str]]) -> list[list[str]]:
    """A group's name printed beside one of the rows after its 小计 goes on the 小计 row.

    Word centres a group cell that spans its 小计 row and the rows under it, so in a
    fragmented grid the name ("一般公共预算资金", "其他资金") lands beside an item in the
    middle of the group instead of the 小计 that totals it. The name is the first group
    cell below the 小计, before the next 小计.
    """
    rows = [list(r) for r in rows]
    for i, r in enumerate(rows):
        for c in range(len(r) - 1):
            if r[c] or not _SUBTOTAL.match(r[c + 1]):
                continue
            for k in range(i + 1, min(len(rows), i + 8)):
                o = rows[k]
                if c + 1 < len(o) and _SUBTOTAL.match(o[c + 1]):
                    break
                if c < len(o) and o[c] and not is_amount(o[c]):
                    r[c], o[c] = o[c], ""
                    break
    return rows


def shape(rows: list[list[str | None]], full: Callable[[int, int], bool] | None = None,
          centres: list[float] | None = None, widths: list[float] | None = None) -> Grid:
    """A table as extracted -> its caption lines and printable rows.

    Args:
        rows: pdfplumber's ``Table.extract()`` (None for empty cells).
        full: full(row, column) over the extracted table's indexes: whether that cell's
            text reaches the cell's right edge (so a next line of it wrapped); without it
            no fragments are joined.
        centres: the vertical centre of each extracted row (for attach_amounts).
        widths: the width of each extracted column (for compact).
    """
    caption, rest = split_caption(rows)
    skipped = len(rows) - len(rest)
    cells = [[cell_text(c) for c in r] for r in rest]
    index = [skipped + k for k, r in enumerate(cells) if any(r)]
    cells = [r for r in cells if any(r)]
    raw_width = max((len(r) for r in cells), default=0)
    cells, groups = compact(cells, widths)
    if full is not None and cells:
        def full_here(row: int, col: int) -> bool:
            orig = index[row]
            raw = rows[orig]
            member = next((c for c in groups[col] if c < len(raw) and (raw[c] or "").strip()), groups[col][0])
            return full(orig, member)

        cells, kept = join_fragments(cells, full_here, header_cells=raw_width > 1.5 * len(groups))
        index = [index[k] for k in kept]
    if cells and raw_width > 1.5 * len(groups):
        # a fragmented grid (Word exports): amounts may sit on sub-rows of their own
        cells = attach_amounts(cells, [centres[k] for k in index] if centres is not None else None)
        cells = lift_group_labels(cells)
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
        if best_k is None or best < 0.5 * (b - a):
            return None
        if out and best_k <= out[-1]:
            return None
        out.append(best_k)
    return out
