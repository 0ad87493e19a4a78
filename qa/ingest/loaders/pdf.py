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

from qa.ingest.loaders import LoadedText, LoadError

log = logging.getLogger(__name__)

SUFFIXES = (".pdf",)


def _cell(text: str | None) -> str:
    # Cells wrap inside their box; the line breaks are layout, not content.
    return " ".join((text or "").split())


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _page_lines(page) -> list[str]:
    """Lines of one page: text lines and table rows ordered top to bottom."""
    items: list[tuple[float, int, list[str]]] = []
    try:
        tables = page.find_tables()
    except Exception:  # a malformed page: fall back to plain text
        log.debug("table detection failed on page %s", page.page_number, exc_info=True)
        tables = []
    boxes = []
    for t in tables:
        rows = t.extract()
        if not rows or len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue  # a framed paragraph is not a table
        boxes.append(t.bbox)
        out = []
        for r in rows:
            cells = [_cell(c) for c in r]
            if any(cells):
                out.append("\t".join(cells).rstrip("\t"))
        items.append((t.bbox[1], 1, out))
    body = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    for tl in body.extract_text_lines(layout=False, strip=True, return_chars=False):
        text = tl.get("text", "")
        if text.strip():
            items.append((tl["top"], 0, [text]))
    items.sort(key=lambda it: (round(it[0], 1), it[1]))
    lines: list[str] = []
    for _, _, ls in items:
        lines.extend(ls)
    return lines


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
    n_chars = 0
    try:
        with pdfplumber.open(p) as pdf:
            n_pages = len(pdf.pages)
            for page in pdf.pages:
                n_chars += len(page.chars)
                for line in _page_lines(page):
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
    )
