"""Legacy Excel (.xls, BIFF8 in an OLE2 compound file) loader, without xlrd.

The format older budget templates are published in. Only what a table needs is read:
the sheets, their cells' text (shared strings, inline labels) and numbers (NUMBER, RK,
MULRK and the cached result of formulas). Each row becomes one tab-separated line starting
at column A, as the XLSX loader prints it, with "Sheet!A<row>" as its location. A file
that is not a BIFF8 workbook (BIFF5 from Excel 95, encrypted) is a LoadError naming what
to do, never a silent skip.
"""

from __future__ import annotations

import struct
from pathlib import Path

from qa.ingest.loaders import LoadedText, LoadError, SeenTable
from qa.ingest.loaders.text import loaded

SUFFIXES = (".xls",)

_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE


class XlsError(ValueError):
    """The bytes are not a readable BIFF8 workbook."""


# ------------------------------------------------------------------ compound file


def _streams(data: bytes) -> dict[str, bytes]:
    """The streams of an OLE2 compound file, by name."""
    if not data.startswith(_MAGIC) or len(data) < 512:
        raise XlsError("not an OLE2 compound file")
    ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    msz = 1 << struct.unpack_from("<H", data, 0x20)[0]
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_mini, n_mini, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)

    def sector(k: int) -> bytes:
        off = 512 + k * ssz if ssz == 512 else ssz * (k + 1)
        return data[off:off + ssz]

    fat_ids = [x for x in struct.unpack_from("<109I", data, 0x4C) if x not in (_FREE, _END)]
    k = first_difat
    for _ in range(n_difat):
        if k in (_FREE, _END):
            break
        block = struct.unpack(f"<{ssz // 4}I", sector(k))
        fat_ids.extend(x for x in block[:-1] if x not in (_FREE, _END))
        k = block[-1]
    fat: list[int] = []
    for k in fat_ids[:n_fat]:
        fat.extend(struct.unpack(f"<{ssz // 4}I", sector(k)))

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen = [], set()
        while start not in (_FREE, _END) and start < len(table) and start not in seen:
            seen.add(start)
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(k) for k in chain(first_dir, fat))
    entries = []
    for off in range(0, len(directory) - 127, 128):
        raw = directory[off:off + 128]
        name_len = struct.unpack_from("<H", raw, 64)[0]
        kind = raw[66]
        start, size = struct.unpack_from("<II", raw, 116)
        name = raw[:max(0, name_len - 2)].decode("utf-16-le", errors="replace")
        entries.append((name, kind, start, size))
    if not entries or entries[0][1] != 5:
        raise XlsError("no root entry")
    root_start, root_size = entries[0][2], entries[0][3]
    ministream = b"".join(sector(k) for k in chain(root_start, fat))[:root_size]
    minifat: list[int] = []
    for k in chain(first_mini, fat)[:n_mini or None]:
        minifat.extend(struct.unpack(f"<{ssz // 4}I", sector(k)))
    out = {}
    for name, kind, start, size in entries[1:]:
        if kind != 2:
            continue
        if size < cutoff:
            body = b"".join(ministream[k * msz:(k + 1) * msz] for k in chain(start, minifat))
        else:
            body = b"".join(sector(k) for k in chain(start, fat))
        out[name] = body[:size]
    return out


# ------------------------------------------------------------------ BIFF8 records


def _records(stream: bytes):
    pos = 0
    while pos + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, pos)
        yield pos, rtype, stream[pos + 4:pos + 4 + size]
        pos += 4 + size


def _rk(value: int) -> float:
    if value & 2:
        n = value >> 2
        if n & (1 << 29):
            n -= 1 << 30
        x = float(n)
    else:
        x = struct.unpack("<d", struct.pack("<Q", (value & 0xFFFFFFFC) << 32))[0]
    return x / 100 if value & 1 else x


def _unicode(buf: bytes, pos: int, cch: int, continues: list[int] | None = None) -> tuple[str, int]:
    """A BIFF8 string of cch characters whose flags byte is at pos.

    Args:
        buf: the record's bytes (an SST with its CONTINUE records appended).
        pos: where the flags byte is.
        cch: the character count.
        continues: offsets in buf where a CONTINUE record's bytes start: a string running
            on there starts again with a flags byte of its own.

    Returns:
        (the text, the position after the string and its formatting runs).
    """
    flags = buf[pos]
    pos += 1
    rich = ext = 0
    if flags & 0x08:
        rich = struct.unpack_from("<H", buf, pos)[0]
        pos += 2
    if flags & 0x04:
        ext = struct.unpack_from("<i", buf, pos)[0]
        pos += 4
    high = flags & 0x01
    parts: list[str] = []
    n = 0
    while n < cch:
        limit = min((c for c in (continues or []) if c > pos), default=len(buf))
        width = 2 if high else 1
        take = min(cch - n, (limit - pos) // width)
        parts.append(buf[pos:pos + take * width].decode("utf-16-le" if high else "latin-1", errors="replace"))
        n += take
        pos += take * width
        if n < cch:
            if pos >= len(buf) or pos != limit:
                break
            high = buf[pos] & 0x01
            pos += 1
    return "".join(parts), pos + 4 * rich + max(ext, 0)


def _sst(payload: bytes, continues: list[int]) -> list[str]:
    unique = struct.unpack_from("<I", payload, 4)[0]
    out, pos = [], 8
    for _ in range(unique):
        if pos + 3 > len(payload):
            break
        cch = struct.unpack_from("<H", payload, pos)[0]
        s, pos = _unicode(payload, pos + 2, cch, continues)
        out.append(s)
    return out


def read_workbook(data: bytes) -> list[tuple[str, dict[tuple[int, int], str | float]]]:
    """The sheets of a .xls file: (name, {(row, col): text or number}), rows/cols 0-based.

    Raises:
        XlsError: not an OLE2 file, no Workbook stream, or not BIFF8.
    """
    streams = _streams(data)
    book = streams.get("Workbook") or streams.get("Book")
    if book is None:
        raise XlsError("no Workbook stream")
    recs = list(_records(book))
    if not recs or recs[0][1] != 0x0809 or struct.unpack_from("<H", recs[0][2], 0)[0] != 0x0600:
        raise XlsError("not BIFF8 (Excel 97 or later)")
    if any(r == 0x002F for _, r, _ in recs[:40]):
        raise XlsError("encrypted workbook")
    sheets: list[tuple[str, int]] = []
    strings: list[str] = []
    for k, (pos, rtype, payload) in enumerate(recs):
        if rtype == 0x0085:
            offset = struct.unpack_from("<I", payload, 0)[0]
            cch = payload[6]
            name, _ = _unicode(payload, 7, cch)
            sheets.append((name, offset))
        elif rtype == 0x00FC:
            body, continues = bytearray(payload), []
            j = k + 1
            while j < len(recs) and recs[j][1] == 0x003C:
                continues.append(len(body))
                body.extend(recs[j][2])
                j += 1
            strings = _sst(bytes(body), continues)
        elif rtype == 0x000A:
            break
    by_offset = {pos: k for k, (pos, _, _) in enumerate(recs)}
    out = []
    for name, offset in sheets:
        cells: dict[tuple[int, int], str | float] = {}
        k = by_offset.get(offset)
        if k is None:
            continue
        pending: tuple[int, int] | None = None
        for _, rtype, p in recs[k + 1:]:
            if rtype == 0x000A:
                break
            if rtype == 0x00FD and len(p) >= 10:
                r, c, _, i = struct.unpack_from("<HHHI", p, 0)
                if i < len(strings):
                    cells[(r, c)] = strings[i]
            elif rtype == 0x0203 and len(p) >= 14:
                r, c, _, x = struct.unpack_from("<HHHd", p, 0)
                cells[(r, c)] = x
            elif rtype == 0x027E and len(p) >= 10:
                r, c, _, v = struct.unpack_from("<HHHI", p, 0)
                cells[(r, c)] = _rk(v)
            elif rtype == 0x00BD and len(p) >= 6:
                r, c0 = struct.unpack_from("<HH", p, 0)
                n = (len(p) - 6) // 6
                for i in range(n):
                    _, v = struct.unpack_from("<HI", p, 4 + 6 * i)
                    cells[(r, c0 + i)] = _rk(v)
            elif rtype == 0x0204 and len(p) >= 9:
                r, c, _, cch = struct.unpack_from("<HHHH", p, 0)
                cells[(r, c)], _ = _unicode(p, 8, cch)
            elif rtype == 0x0006 and len(p) >= 14:
                r, c = struct.unpack_from("<HH", p, 0)
                res = p[6:14]
                if res[6:8] == b"\xff\xff":
                    pending = (r, c) if res[0] == 0 else None
                else:
                    cells[(r, c)] = struct.unpack("<d", res)[0]
            elif rtype == 0x0207 and pending is not None and len(p) >= 3:
                cch = struct.unpack_from("<H", p, 0)[0]
                cells[pending], _ = _unicode(p, 2, cch)
                pending = None
        out.append((name, cells))
    return out


# ------------------------------------------------------------------ loader


def _fmt(value: str | float) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return " ".join(value.split())


def _column(c: int) -> str:
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def load(path: Path) -> LoadedText:
    """Load a .xls workbook.

    Raises:
        LoadError: not a BIFF8 workbook, or no cell holds anything.
    """
    p = Path(path)
    data = p.read_bytes()
    try:
        sheets = read_workbook(data)
    except (XlsError, struct.error, IndexError) as exc:
        raise LoadError(f"{p}: cannot read this .xls ({exc}); save it as .xlsx and ingest that") from exc
    lines: list[str] = []
    locations: list[str | None] = []
    seen: list[SeenTable] = []
    for name, cells in sheets:
        if not cells:
            continue
        width = max(c for _, c in cells) + 1
        rows = []
        for r in sorted({r for r, _ in cells}):
            row = [_fmt(cells[(r, c)]) if (r, c) in cells else "" for c in range(width)]
            while row and not row[-1]:
                row.pop()
            if any(row):
                rows.append((r, row))
        if not rows:
            continue
        seen.append(SeenTable(name, tuple(tuple(x) for _, x in rows)))
        first = next((x for x in rows[0][1] if x), "")
        if not first or first.replace(".", "").isdigit():
            lines.append(name)
            locations.append(f"{name}!A1")
        for r, row in rows:
            lines.append("\t".join(row))
            locations.append(f"{name}!A{r + 1}")
    if not lines:
        raise LoadError(f"{p}: empty workbook (no cell holds a value)")
    return loaded(p, data, "\n".join(lines) + "\n", "xls", [f"XLS, {len(sheets)} sheet(s)"],
                  locations=locations, seen_tables=seen)
