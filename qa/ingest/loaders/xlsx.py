"""XLSX loader (openpyxl): every sheet's rows as tab-separated lines.

Each row becomes one line of cells starting at column A (the layout of corpus document
003, which the table parser reads); each line's location is "Sheet!A<row>", from which a
fact's exact cell is resolved by the field that holds its value. Numbers are printed with
the cell's decimals so "3394.10" stays "3394.10". A sheet starts with its name on a line
of its own unless its first row already carries text, so the parser sees where tables start.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from qa.ingest.loaders import LoadedText, LoadError
from qa.ingest.loaders.text import loaded

SUFFIXES = (".xlsx", ".xlsm")

_DECIMALS = re.compile(r"0\.(0+)")


def _fmt(value, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        fmt = number_format or "General"
        m = _DECIMALS.search(fmt)
        pct = "%" in fmt
        v = value * 100 if pct else value
        if m:
            s = f"{v:,.{len(m.group(1))}f}" if "," in fmt else f"{v:.{len(m.group(1))}f}"
        elif isinstance(v, float) and not v.is_integer():
            s = f"{v:.10g}"
        else:
            s = str(int(v))
        return s + ("%" if pct else "")
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]
    return " ".join(str(value).split())


def load(path: Path) -> LoadedText:
    """Load a .xlsx workbook.

    Args:
        path: the file.

    Raises:
        LoadError: not an XLSX (zip) file, unreadable, or no cell holds anything.
    """
    import openpyxl

    p = Path(path)
    data = p.read_bytes()
    if not data.startswith(b"PK"):
        raise LoadError(f"{p}: not an XLSX file")
    try:
        wb = openpyxl.load_workbook(p, data_only=True, read_only=True)
    except Exception as exc:
        raise LoadError(f"{p}: cannot read XLSX ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    locations: list[str | None] = []
    try:
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows():
                cells = []
                r = None
                for c in row:
                    if getattr(c, "row", None) is not None:
                        r = c.row
                    cells.append(_fmt(getattr(c, "value", None), getattr(c, "number_format", None)))
                while cells and not cells[-1]:
                    cells.pop()
                if cells and r is not None:
                    rows.append((r, cells))
            if not rows:
                continue
            first_text = next((c for c in rows[0][1] if c), "")
            if not first_text or re.fullmatch(r"[\d.,\-%\s]+", first_text):
                lines.append(ws.title)
                locations.append(f"{ws.title}!A1")
            for r, cells in rows:
                lines.append("\t".join(cells))
                locations.append(f"{ws.title}!A{r}")
    finally:
        wb.close()
    if not lines:
        raise LoadError(f"{p}: empty workbook (no cell holds a value)")
    return loaded(p, data, "\n".join(lines) + "\n", "xlsx", [f"XLSX, {len(wb.sheetnames)} sheet(s)"],
                  locations=locations)
