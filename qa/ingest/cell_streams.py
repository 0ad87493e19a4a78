"""Tables written as a stream of cells, one cell per line, with no mark where a row ends.

Web pages copied as text often flatten a small table (a 三公 table, a count table) into
lines such as "项目 |", "预算数 |", "合计 |", "4432 |", … or into cells separated by lone "|"
lines with no blank line between rows. Nothing says how wide a row is; the cells do: the
header is the run of words before the first amount, and rows are a label followed by a
fixed number of amounts, so the row width is the distance from one label to the next.

Pure functions over cell lists; qa.ingest.layout uses them to turn such streams into one
tab-separated row per table row (with the original lines each row came from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.text.normalize import parse_number

# A cell that stands for an amount: a number (with % or a thousands comma) or a dash.
_DASH = {"-", "—", "–", "－", "--", "——", "/"}
_SUBTOTAL = {"合计", "小计", "合 计", "小 计"}
MIN_ROWS = 2


def is_amount(cell: str) -> bool:
    """Whether a cell holds an amount (or a dash standing for none)."""
    c = cell.strip().replace(" ", "")
    if c in _DASH:
        return True
    c = re.sub(r"[_＿]+$", "", c)
    return parse_number(c.rstrip("%％")) is not None


@dataclass(frozen=True)
class StreamTable:
    """A table read from a cell stream.

    Attributes:
        lead: cells before the header (a title written as a cell), each one line of text.
        header: the column names, as many as a row has cells.
        rows: rows of cells (label first, then amounts), in order.
        start: index of the first cell used (lead included).
        end: index after the last cell used.
    """

    lead: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    start: int
    end: int


def _fold_header(head: list[str], width: int) -> tuple[list[str], int] | None:
    """The header cut to `width` names, and how many leading cells were cut off: a
    合计/小计 under a parent column (a two-level header flattened) is the parent's own
    figure; cells still left over before the header are a title."""
    h = list(head)
    k = len(h) - 1
    while len(h) > width and k > 1:
        if h[k] in _SUBTOTAL and not is_amount(h[k - 1]) and h[k - 1] not in _SUBTOTAL:
            del h[k]
        k -= 1
    lead = max(0, len(h) - width)
    h = h[lead:]
    return (h, lead) if len(h) == width else None


def _rows(cells: list[str], first: int, width: int) -> list[tuple[str, ...]]:
    """Rows of `width` cells from `first` on, while each is a label and amounts."""
    out = []
    i = first
    while i + width <= len(cells):
        row = cells[i:i + width]
        if is_amount(row[0]) or not row[0].strip() or not all(is_amount(c) for c in row[1:]):
            break
        out.append(tuple(row))
        i += width
    return out


def read_stream(cells: list[str], start: int = 0) -> StreamTable | None:
    """The first table in a cell stream from `start`, or None when the cells are no table.

    Args:
        cells: the cells in order (stripped, no separators).
        start: where to begin.
    """
    n = len(cells)
    k = next((i for i in range(start, n) if is_amount(cells[i])), None)
    if k is None or k - start < 2:
        return None
    label_at = k - 1
    # the row width: from the first label to the next non-amount cell
    nxt = next((i for i in range(k, n) if not is_amount(cells[i])), n)
    natural = nxt - label_at
    for width in [natural] + [w for w in range(min(12, k - start), 1, -1) if w != natural]:
        if width < 2:
            continue
        rows = _rows(cells, label_at, width)
        if not rows or (len(rows) < MIN_ROWS and label_at - start < width):
            continue
        folded = _fold_header(cells[start:label_at], width)
        if folded is None:
            continue
        head, lead_n = folded
        if any(is_amount(c) for c in head[1:]):
            continue
        return StreamTable(lead=tuple(cells[start:start + lead_n]), header=tuple(head), rows=tuple(rows),
                           start=start, end=label_at + width * len(rows))
    return None


def read_streams(cells: list[str]) -> list[StreamTable]:
    """Every table in a cell stream, in order; cells between tables are left out.

    Args:
        cells: the cells in order.
    """
    out: list[StreamTable] = []
    i = 0
    while i < len(cells):
        t = read_stream(cells, i)
        if t is None:
            break
        out.append(t)
        i = t.end
    return out
