"""PDF loader (pdfplumber): text lines in reading order, ruled tables as tab-separated rows.

Text outside tables comes out as lines like those of the corpus (which was extracted from
PDFs). Tables that pdfplumber finds from ruling lines are emitted as one tab-separated row
per table row, the layout the table parser reads in corpus document 003; their cells are
cleaner than a text run of numbers. Every line records its page, so facts can cite it.
A PDF without a text layer (a scan) is an error: OCR is not supported.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from qa.ingest.loaders import LoadedText, LoadError, SeenTable
from qa.ingest.loaders.grid import align_to, shape, x_ranges

log = logging.getLogger(__name__)

SUFFIXES = (".pdf",)


# A page number printed alone at the foot of a page ("9", "- 9 -").
_PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*\d{1,3}\s*[-—–]?\s*$")


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _column_boxes(table) -> list[tuple[float, float]]:
    """Each extracted column's horizontal extent: that of its narrowest cell (a cell
    spanning several columns, such as a caption, says nothing about one)."""
    out = []
    for col in table.columns:
        boxes = [c for c in col.cells if c is not None]
        if not boxes:
            out.append((0.0, 0.0))
            continue
        x0, _, x1, _ = min(boxes, key=lambda b: b[2] - b[0])
        out.append((x0, x1))
    return out


def _page_lines(page, seen: list[SeenTable] | None = None, carry: dict | None = None) -> list[str]:
    """Lines of one page: text lines and table rows ordered top to bottom.

    Args:
        page: a pdfplumber page.
        seen: receives every table pdfplumber found on the page, as it extracted it.
        carry: state from page to page: the columns of the table that ended the page
            before, so a table continuing on this page without its header keeps them.
    """
    carry = carry if carry is not None else {}
    items: list[tuple[float, int, list[str]]] = []
    try:
        tables = page.find_tables()
    except Exception:  # a malformed page: fall back to plain text
        log.debug("table detection failed on page %s", page.page_number, exc_info=True)
        tables = []
    boxes = []
    grids = []
    for t in tables:
        rows = t.extract()
        if seen is not None and rows:
            seen.append(SeenTable(f"p{page.page_number}", tuple(tuple(c or "" for c in r) for r in rows)))
        if not rows or len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue  # a framed paragraph is not a table
        boxes.append(t.bbox)
        centres = [(r.bbox[1] + r.bbox[3]) / 2 for r in t.rows] if len(t.rows) == len(rows) else None
        rows = _rejoin_split_numbers(rows, t, page)
        columns = _column_boxes(t)
        grid = shape(rows, _fullness(t, page), centres, [b - a for a, b in columns])
        grids.append((t.bbox[1], grid, x_ranges(grid, columns)))
    body = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    for top, text in _text_lines(body):
        items.append((top, 0, [text]))
    first_text = min((top for top, _, ls in items if not _PAGE_NUMBER.match(ls[0])), default=None)
    last_ranges = None
    for k, (top, grid, ranges) in enumerate(grids):
        rows = [list(r) for r in grid.rows]
        prev = carry.get("columns")
        if k == 0 and prev and not grid.caption and (first_text is None or first_text > top):
            # The page opens with a table and no title: the table of the page before goes on.
            where = align_to(ranges, prev)
            if where is not None:
                width = len(prev)
                rows = [_placed(r, where, width) for r in rows]
                ranges = prev
        out = list(grid.caption)
        out.extend("\t".join(cells) for cells in rows if any(cells))
        items.append((top, 1, out))
        last_ranges = ranges
    items.sort(key=lambda it: (round(it[0], 1), it[1]))
    if items and items[-1][1] == 0 and _PAGE_NUMBER.match(items[-1][2][0]) and len(items) > 1:
        items.pop()  # the page number under the page's content
    # What the next page may continue: the table that ends this page.
    carry["columns"] = last_ranges if items and items[-1][1] == 1 else None
    lines: list[str] = []
    for _, _, ls in items:
        lines.extend(ls)
    return lines


def _text_lines(page) -> list[tuple[float, str]]:
    """(top, text) of the page's text lines. Characters set a little lower or higher than
    their line (quotes in another font: "十一、一般公共预算“三公”经费…") are in it: lines
    overlapping by more than half the height of the smaller are one line."""
    from pdfplumber.utils import extract_text

    lines = [tl for tl in page.extract_text_lines(layout=False, strip=True, return_chars=True)
             if tl.get("text", "").strip()]
    merged: list[dict] = []
    for tl in sorted(lines, key=lambda t: t["top"]):
        prev = merged[-1] if merged else None
        if prev is not None:
            overlap = min(prev["bottom"], tl["bottom"]) - max(prev["top"], tl["top"])
            height = min(prev["bottom"] - prev["top"], tl["bottom"] - tl["top"])
            if height > 0 and overlap > 0.5 * height:
                prev["chars"] = prev["chars"] + tl["chars"]
                prev["top"], prev["bottom"] = min(prev["top"], tl["top"]), max(prev["bottom"], tl["bottom"])
                prev["merged"] = True
                continue
        merged.append(dict(tl))
    out = []
    for tl in merged:
        text = tl["text"]
        if tl.get("merged"):
            height = tl["bottom"] - tl["top"]
            text = extract_text(sorted(tl["chars"], key=lambda c: c["x0"]), y_tolerance=height).strip()
        out.append((tl["top"], text))
    return out


_NUMBER_WORD = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def _rejoin_split_numbers(rows: list[list[str | None]], table, page) -> list[list[str | None]]:
    """An amount cut in two by a cell border ("267.8" | "0" for 267.80; Word grids draw
    borders through the text) is put back whole in the cell that holds most of it.

    pdfplumber's words are read across borders; a number word overlapping two cells of
    one row replaces its pieces."""
    words = None
    out = [list(r) for r in rows]
    for i, r in enumerate(out):
        filled = [k for k, c in enumerate(r) if c]
        pairs = [(a, b) for a, b in zip(filled, filled[1:])
                 if re.search(r"[\d.,]$", r[a].strip()) and re.match(r"^[\d.,]", r[b].strip())]
        if not pairs:
            continue
        if words is None:
            x0, top, x1, bottom = table.bbox
            words = [w for w in page.crop((x0, top, x1, bottom), strict=False).extract_words()
                     if _NUMBER_WORD.match(w["text"])]
        try:
            boxes = table.rows[i].cells
        except IndexError:
            continue
        for a, b in pairs:
            ba, bb = boxes[a] if a < len(boxes) else None, boxes[b] if b < len(boxes) else None
            if ba is None or bb is None:
                continue
            whole = (r[a] or "").strip() + (r[b] or "").strip()
            for w in words:
                cy = (w["top"] + w["bottom"]) / 2
                if (w["text"] == whole and ba[1] <= cy <= ba[3] and w["x0"] < ba[2] < w["x1"]
                        and w["x0"] < bb[0] + 1):
                    keep = a if (ba[2] - w["x0"]) >= (w["x1"] - bb[0]) else b
                    r[a], r[b] = (whole, None) if keep == a else (None, whole)
                    break
    return out


def _fullness(table, page):
    """full(row, col): does the text of that cell of the table reach its right edge?"""
    chars = None

    def full(r: int, c: int) -> bool:
        nonlocal chars
        if chars is None:
            x0, top, x1, bottom = table.bbox
            chars = [ch for ch in page.chars if x0 <= ch["x0"] and ch["x1"] <= x1 + 1
                     and top <= ch["top"] and ch["bottom"] <= bottom + 1]
        try:
            box = table.rows[r].cells[c]
        except IndexError:
            return False
        if box is None:
            return False
        bx0, btop, bx1, bbottom = box
        inside = [ch for ch in chars if bx0 <= (ch["x0"] + ch["x1"]) / 2 <= bx1
                  and btop <= (ch["top"] + ch["bottom"]) / 2 <= bbottom and ch["text"].strip()]
        if not inside:
            return False
        widest = max(ch["x1"] - ch["x0"] for ch in inside)
        return bx1 - max(ch["x1"] for ch in inside) < 1.6 * widest

    return full


def _placed(cells: list[str], where: list[int], width: int) -> list[str]:
    out = [""] * width
    for c, k in zip(cells, where):
        out[k] = c
    return out


def load(path: Path) -> LoadedText:
    """Load a PDF with a text layer.

    Args:
        path: the .pdf file.

    Raises:
        LoadError: not a PDF, encrypted/unreadable, or no text layer (scanned pages).
    """
    import pdfplumber

    p = Path(path)
    data = p.read_bytes()
    if not data.startswith(b"%PDF"):
        raise LoadError(f"{p}: not a PDF file")
    lines: list[str] = []
    pages: list[int | None] = []
    seen: list[SeenTable] = []
    carry: dict = {}
    n_chars = 0
    try:
        with pdfplumber.open(p) as pdf:
            n_pages = len(pdf.pages)
            for page in pdf.pages:
                n_chars += len(page.chars)
                for line in _page_lines(page, seen, carry):
                    lines.append(line)
                    pages.append(page.page_number)
                page.flush_cache()
    except LoadError:
        raise
    except Exception as exc:
        raise LoadError(f"{p}: cannot read PDF ({type(exc).__name__}: {exc})") from exc
    if n_chars == 0 or not any(l.strip() for l in lines):
        raise LoadError(f"{p}: no text layer; OCR is not supported ({n_pages} page(s) of images)")
    text = "\n".join(lines)
    # Fonts without a Unicode map extract as "(cid:123)": that text layer is unreadable.
    cid = len(re.findall(r"\(cid:\d+\)", text))
    if cid and cid * 8 > len(text) * 0.3:
        raise LoadError(f"{p}: the text layer cannot be decoded (fonts without a Unicode map); "
                        "OCR is not supported")
    return LoadedText(
        name=p.name,
        text="\n".join(lines) + "\n",
        content_hash=hashlib.sha256(data).hexdigest(),
        encoding="pdf",
        path=str(p.resolve()),
        notes=[f"PDF, {n_pages} page(s)"],
        pages=pages,
        seen_tables=seen,
    )
