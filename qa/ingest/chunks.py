"""Section-aware retrieval chunks: prose paragraphs, bare headings, tables.

Prose chunks pack whole paragraphs of one section (never two sections) up to about
450 characters. A table becomes one chunk of its title and row labels (no number runs:
those are facts, and embedding them is wasted money); performance-target tables
(绩效目标表) keep their text, indicator values included, because they answer policy
questions. Embedding is the costly step, so `embedding_text` gives the short form the
store should embed (section leaf + first 200 characters), BM25 takes the full text.
"""

from __future__ import annotations

import re
from typing import Any

from qa.ingest.paragraphs import Block, prose_blocks, sentence_spans, table_line_set
from qa.ingest.sections import SectionScan, leaf_title, scan_sections
from qa.types import Chunk, Document

MAX_CHARS = 450
MIN_CHARS = 150
TABLE_MAX_CHARS = 1200
PERFORMANCE_PIECE = 600
EMBED_CHARS = 200

_TITLE_RE = re.compile(r"^[\u4e00-\u9fff\d“”（）()\s]{2,40}表(?:[（(]续[)）])?$")
_TABLE_NO_RE = re.compile(r"^表\s*(\d+)")
_NUMBER_RUN_RE = re.compile(r"[-+]?\d[\d,，.．]*%?")
_LABEL_RE = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff（）()“”、：:《》]*")


def embedding_text(chunk: Chunk, limit: int = EMBED_CHARS) -> str:
    """The short text to embed for a chunk: its section's last heading + the chunk's start.

    Args:
        chunk: the chunk.
        limit: characters of chunk text to keep.
    """
    leaf = leaf_title(chunk.section)
    head = re.sub(r"\s+", " ", chunk.text).strip()[:limit]
    return f"{leaf}\n{head}" if leaf and leaf not in head else head


def _split_long(block: Block) -> list[tuple[int, int]]:
    """Cut a long paragraph at sentence ends into pieces of at most MAX_CHARS."""
    spans = sentence_spans(block.norm) or [(0, len(block.norm))]
    pieces: list[tuple[int, int]] = []
    start, end = spans[0][0], spans[0][0]
    for lo, hi in spans:
        if end > start and hi - start > MAX_CHARS:
            pieces.append((start, end))
            start = lo
        end = hi
    if end > start:
        pieces.append((start, end))
    return pieces


def _prose_chunks(doc: Document, blocks: list[Block], lines: list[str], excluded: set[int]) -> list[Chunk]:
    out: list[Chunk] = []
    cur: list[tuple[str, int, int]] = []  # (text, line_start, line_end)
    cur_section = None

    def emit() -> None:
        nonlocal cur
        if cur:
            text = "\n".join(t for t, _, _ in cur)
            out.append(Chunk(doc=doc.name, section=cur_section or "", text=text,
                             line_start=cur[0][1], line_end=cur[-1][2], kind="prose"))
        cur = []

    for block in blocks:
        pieces = [(0, len(block.raw))] if len(block.raw) <= MAX_CHARS else _split_long(block)
        for lo, hi in pieces:
            text = block.raw[lo:hi].strip()
            if not text:
                continue
            ls, le = block.line_of[lo], block.line_of[hi - 1]
            contiguous = bool(cur) and not any(i in excluded for i in range(cur[-1][2], ls - 1))
            size = sum(len(t) for t, _, _ in cur)
            if cur and (block.section != cur_section or not contiguous or (size >= MIN_CHARS and size + len(text) > MAX_CHARS)):
                emit()
            if not cur:
                cur_section = block.section
            cur.append((text, ls, le))
    emit()
    return out


def _labels(lines: list[str], start: int, end: int) -> list[str]:
    seen: dict[str, None] = {}
    for raw in lines[start - 1:end]:
        text = _NUMBER_RUN_RE.sub(" ", raw)
        for m in _LABEL_RE.finditer(text):
            lab = m.group(0).strip("、：:")
            if len(lab) >= 2:
                seen.setdefault(lab, None)
    return list(seen)


def _table_regions(lines: list[str], scan: SectionScan, tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tables as given, plus our own regions for tables the table parser did not report."""
    regions = [dict(t) for t in tables if t.get("line_start") and t.get("line_end")]
    covered: set[int] = set()
    for t in regions:
        covered.update(range(int(t["line_start"]), int(t["line_end"]) + 1))
    inside = sorted(i + 1 for i in table_line_set(lines, scan, None) if (i + 1) not in covered)
    cur: dict[str, Any] | None = None
    prev = -10
    for ln in inside:
        s = re.sub(r"\s+", "", lines[ln - 1])
        starts_new = bool(_TABLE_NO_RE.match(s)) or (bool(_TITLE_RE.match(s)) and (cur is None or cur.get("title")))
        if cur is None or ln != prev + 1 or starts_new:
            if cur is not None:
                regions.append(cur)
            m = _TABLE_NO_RE.match(s)
            cur = {"no": m.group(1) if m else "", "title": "", "line_start": ln, "line_end": ln}
        if not cur["title"] and _TITLE_RE.match(s) and not _TABLE_NO_RE.match(s):
            cur["title"] = s
        cur["line_end"] = ln
        prev = ln
    if cur is not None:
        regions.append(cur)
    # Blank lines break runs above; merge runs that only a blank line separated.
    merged: list[dict[str, Any]] = []
    for r in sorted(regions, key=lambda r: int(r["line_start"])):
        if (merged and not r.get("title") and not r.get("no") and r not in tables
                and all(not lines[i].strip() for i in range(int(merged[-1]["line_end"]), int(r["line_start"]) - 1))):
            merged[-1]["line_end"] = max(int(merged[-1]["line_end"]), int(r["line_end"]))
            continue
        merged.append(r)
    return merged


def _table_chunks(doc: Document, lines: list[str], sections: list[str], regions: list[dict[str, Any]]) -> list[Chunk]:
    out: list[Chunk] = []
    for t in regions:
        start, end = int(t["line_start"]), int(t["line_end"])
        title = str(t.get("title") or "").strip()
        no = str(t.get("no") or "").strip()
        head = f"表{no} {title}".strip() if no else title
        section = sections[start - 1] if start - 1 < len(sections) else ""
        if "绩效" in title or "绩效" in "".join(lines[start - 1:min(end, start + 3)]):
            text, piece_start, ls = "", start, start
            for i in range(start, end + 1):
                ln = re.sub(r"\s+", " ", lines[i - 1]).strip()
                if not ln:
                    continue
                if text and len(text) + len(ln) > PERFORMANCE_PIECE:
                    out.append(Chunk(doc=doc.name, section=section, text=f"{head}\n{text}".strip(),
                                     line_start=piece_start, line_end=ls, kind="table"))
                    text, piece_start = "", i
                text = f"{text} {ln}".strip()
                ls = i
            if text:
                out.append(Chunk(doc=doc.name, section=section, text=f"{head}\n{text}".strip(),
                                 line_start=piece_start, line_end=ls, kind="table"))
            continue
        labels = _labels(lines, start, end)
        if title:
            labels = [lab for lab in labels if lab != title]
        text = (head + "\n" + " ".join(labels)).strip()[:TABLE_MAX_CHARS]
        if text:
            out.append(Chunk(doc=doc.name, section=section, text=text, line_start=start, line_end=end, kind="table"))
    return out


def make_chunks(lines: list[str], doc: Document, sections: list[str], tables: list[dict[str, Any]]) -> list[Chunk]:
    """Chunks for retrieval, in document order.

    Args:
        lines: the document's text lines.
        doc: the Document (its name goes into every chunk).
        sections: section path per line (from section_paths).
        tables: table dicts with "no", "title", 1-based "line_start"/"line_end".

    Returns:
        Prose chunks (one section each), heading chunks for sections without prose,
        and one table chunk per table (several for long 绩效目标表).
    """
    scan = scan_sections(lines)
    blocks = prose_blocks(lines, sections, tables, scan)
    excluded = set(scan.heading_lines) | table_line_set(lines, scan, tables)
    prose = _prose_chunks(doc, blocks, lines, excluded)
    table = _table_chunks(doc, lines, sections, _table_regions(lines, scan, tables))
    covered = {c.section for c in prose} | {c.section for c in table}
    headings = []
    for idx, (_level, title) in sorted(scan.headings.items()):
        path = sections[idx] if idx < len(sections) else title
        if path in covered or any(p.startswith(path + " / ") for p in covered):
            continue
        headings.append(Chunk(doc=doc.name, section=path, text=title, line_start=idx + 1, line_end=idx + 1, kind="heading"))
    return sorted(prose + table + headings, key=lambda c: (c.line_start, c.kind))
