"""DOCX loader (python-docx): paragraphs as lines, tables as tab-separated rows.

Body elements are read in document order so a table stays under its title paragraph.
Horizontally merged cells repeat in python-docx's row.cells; the repeats become empty
cells so columns keep their positions (the layout of corpus document 003).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from qa.ingest.loaders import LoadedText, LoadError

SUFFIXES = (".docx",)


def _row_cells(row) -> list[str]:
    out: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:
        key = id(cell._tc)
        if key in seen:
            out.append("")
            continue
        seen.add(key)
        out.append(" ".join(cell.text.split()))
    return out


def load(path: Path) -> LoadedText:
    """Load a .docx file.

    Args:
        path: the file.

    Raises:
        LoadError: not a DOCX (zip) file or unreadable.
    """
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    p = Path(path)
    data = p.read_bytes()
    if not data.startswith(b"PK"):
        raise LoadError(f"{p}: not a DOCX file")
    try:
        document = docx.Document(str(p))
    except Exception as exc:
        raise LoadError(f"{p}: cannot read DOCX ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    locations: list[str | None] = []
    n_par = n_tab = 0
    for el in document.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            n_par += 1
            for part in Paragraph(el, document).text.split("\n"):
                lines.append(part)
                locations.append(f"paragraph {n_par}")
        elif tag == "tbl":
            n_tab += 1
            for r, row in enumerate(Table(el, document).rows, start=1):
                cells = _row_cells(row)
                if any(cells):
                    lines.append("\t".join(cells).rstrip("\t"))
                    locations.append(f"table {n_tab} row {r}")
    if not any(l.strip() for l in lines):
        raise LoadError(f"{p}: empty document (no text)")
    return LoadedText(
        name=p.name,
        text="\n".join(lines) + "\n",
        content_hash=hashlib.sha256(data).hexdigest(),
        encoding="docx",
        path=str(p.resolve()),
        notes=[f"DOCX, {n_par} paragraph(s), {n_tab} table(s)"],
        locations=locations,
    )
