"""Section-aware retrieval chunks: prose paragraphs, bare headings, tables.

Prose chunks pack whole paragraphs of one section (never two sections) up to about
450 characters. A table becomes one chunk of its title and row labels (no number runs:
those are facts, and embedding them is wasted money); performance-target tables
(绩效目标表) become chunks of kind "targets" that keep their text, indicator values
included, because they answer policy questions. Embedding is the costly step, so `embedding_text` gives the short form the
store should embed (section leaf + first 200 characters), BM25 takes the full text.
"""

from __future__ import annotations

import re
from typing import Any

from qa.ingest.paragraphs import Block, clip_tables, prose_blocks, sentence_spans, table_line_set
from qa.ingest.sections import SEPARATOR, SectionScan, leaf_title, scan_sections
from qa.types import Chunk, Document

MAX_CHARS = 700
MIN_CHARS = 350
TABLE_MAX_CHARS = 1500
PERFORMANCE_MAX_CHARS = 3000
EMBED_CHARS = 200

_TITLE_RE = re.compile(r"^[\u4e00-\u9fff\d“”（）()\s]{2,40}表(?:[（(]续[)）])?$")
_TABLE_NO_RE = re.compile(r"^表\s*(\d+)")
_NUMBER_RUN_RE = re.compile(r"[-+]?\d[\d,，.．]*%?")
_LABEL_RE = re.compile(r"[\u4e00-\u9fff][\u4e00-\u9fff（）()“”、：:《》]*")


def compact_title(title: str) -> str:
    """A heading without the department and year it repeats ("三、关于X 2024 年支出…" -> "三、支出…")."""
    t = re.sub(r"关于.{0,40}?\d{4}\s*年(?:度)?", "", title)
    t = re.sub(r"^(第[一二三四五六七八九十]+部分)\s*\d{4}\s*年", r"\1 ", t)
    return re.sub(r"\s+", " ", t).strip()


def embedding_text(chunk: Chunk, limit: int = EMBED_CHARS) -> str:
    """The short text to embed for a chunk: its section's last heading + the chunk's start.

    Args:
        chunk: the chunk.
        limit: characters of chunk text to keep.
    """
    leaf = compact_title(leaf_title(chunk.section))
    head = re.sub(r"\s+", " ", chunk.text).strip()
    head = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff\d])|(?<=\d) (?=[\u4e00-\u9fff])", "", head)[:limit]
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


def _common_path(paths: list[str]) -> str:
    parts = [p.split(SEPARATOR) for p in paths]
    common: list[str] = []
    for level in zip(*parts):
        if all(x == level[0] for x in level):
            common.append(level[0])
        else:
            break
    return SEPARATOR.join(common)


def _pack_key(section: str) -> str:
    """Tiny sections may share a chunk only within one part (第X部分)."""
    return section.split(SEPARATOR)[0]


def _prose_chunks(doc: Document, blocks: list[Block], lines: list[str], excluded: set[int],
                  headings: set[int]) -> list[Chunk]:
    """Pack paragraphs into chunks.

    A chunk holds paragraphs of one section; only sections too small to stand alone (under
    MIN_CHARS, e.g. one-line definitions or "为空表" statements) are packed with their
    neighbours, and then the chunk's section is their common parent and each part is
    introduced by its heading, so nothing is attributed to the wrong section.
    """
    out: list[Chunk] = []
    cur: list[tuple[str, int, int, str]] = []  # (text, line_start, line_end, section)

    def emit() -> None:
        nonlocal cur
        if cur:
            sections = [sec for _, _, _, sec in cur]
            section = _common_path(sections)
            parts: list[str] = []
            prev = None
            for text, _, _, sec in cur:
                if sec != section and sec != prev and not text.startswith(leaf_title(sec)):
                    parts.append(leaf_title(sec))
                parts.append(text)
                prev = sec
            out.append(Chunk(doc=doc.name, section=section, text="\n".join(parts),
                             line_start=cur[0][1], line_end=cur[-1][2], kind="prose"))
        cur = []

    def section_size(sec: str) -> int:
        return sizes.get(sec, 0)

    sizes: dict[str, int] = {}
    for b in blocks:
        sizes[b.section] = sizes.get(b.section, 0) + len(b.raw)

    for block in blocks:
        pieces = [(0, len(block.raw))] if len(block.raw) <= MAX_CHARS else _split_long(block)
        for lo, hi in pieces:
            text = block.raw[lo:hi].strip()
            if not text:
                continue
            ls, le = block.line_of[lo], block.line_of[hi - 1]
            size = sum(len(t) for t, _, _, _ in cur)
            if cur:
                same = block.section == cur[-1][3]
                tiny = section_size(block.section) < MIN_CHARS and all(section_size(sec) < MIN_CHARS for _, _, _, sec in cur)
                contiguous = not any(i in excluded and i not in headings for i in range(cur[-1][2], ls - 1))
                # A small section joins its neighbour only whole, never split over two chunks.
                fits = size + section_size(block.section) <= MAX_CHARS
                joinable = contiguous and (same or (tiny and fits and _pack_key(block.section) == _pack_key(cur[-1][3])))
                if not joinable or (size >= MIN_CHARS and size + len(text) > MAX_CHARS):
                    emit()
            cur.append((text, ls, le, block.section))
    emit()
    return out


def _labels(lines: list[str], start: int, end: int) -> list[str]:
    seen: dict[str, None] = {}
    for raw in lines[start - 1:end]:
        if _UNIT_LINE.search(raw):
            continue
        text = _NUMBER_RUN_RE.sub(" ", raw)
        for m in _LABEL_RE.finditer(text):
            lab = m.group(0).strip("、：:")
            if len(lab) >= 2 and not _UNIT_LABEL.match(lab):
                seen.setdefault(lab, None)
    return list(seen)


def _table_regions(lines: list[str], scan: SectionScan, tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tables as given, plus our own regions for tables the table parser did not report."""
    regions = clip_tables(tables, scan)
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


_BOILERPLATE_RE = re.compile(r"^(?:按照完成比例赋分|按照正常比例赋分|按评判等级赋分|满意度赋分|工作资料|原始凭证|计划标准|历史标准|"
                             r"行业标准|其他标准|预算支出标准|指标|指标值|分值|权重|一级指标|二级指标|三级指标|佐证资料|"
                             r"指标赋分规则|上年完成值|指标值设置依据|指标设定依据|分值权重|\d{1,3}|[（(]\d{4}\s*年[)）]|"
                             r"(?:部门名称|预算单位).*|部门联系人.*|项目负责人.*|.*联系电话.*)$")


# Patterns of the per-line loops below, compiled once (they run on every table line).
_WHITE = re.compile(r"\s+")
_UNIT_LINE = re.compile(r"编制(?:部门|单位)\s*[：:]|^\s*单位\s*[：:]")
_UNIT_LABEL = re.compile(r"(?:编制部门|编制单位|单位)[：:]")


def _performance_chunks(doc: Document, lines: list[str], section: str, head: str, start: int, end: int) -> list[Chunk]:
    """A 绩效目标表 as text: one chunk per sub-table (cut at its title lines), noise removed."""
    out: list[Chunk] = []
    pieces: list[tuple[int, int]] = []
    cut = start
    for i in range(start + 1, end + 1):
        if _TITLE_RE.match(_WHITE.sub("", lines[i - 1])):
            pieces.append((cut, i - 1))
            cut = i
    pieces.append((cut, end))
    for a, b in pieces:
        seen: dict[str, None] = {}
        last = a
        title = head
        for i in range(a, b + 1):
            ln = _WHITE.sub("", lines[i - 1])
            if not ln or _BOILERPLATE_RE.match(ln):
                continue
            if _TITLE_RE.match(ln):
                title = ln
                continue
            seen.setdefault(_WHITE.sub(" ", lines[i - 1]).strip(), None)
            last = i
        body = " ".join(seen)
        if not body:
            continue
        text = f"{title}\n{body}"
        # Long tables are cut into several chunks so each keeps a searchable size.
        out.append(Chunk(doc=doc.name, section=section, text=text[:PERFORMANCE_MAX_CHARS],
                         line_start=a, line_end=last, kind="targets"))
    return out


def _table_chunks(doc: Document, lines: list[str], sections: list[str], regions: list[dict[str, Any]]) -> list[Chunk]:
    out: list[Chunk] = []
    for t in regions:
        if t.get("empty"):
            continue  # the text states the table is empty; nothing to retrieve by
        start, end = int(t["line_start"]), int(t["line_end"])
        title = str(t.get("title") or "").strip()
        no = str(t.get("no") or "").strip()
        head = f"表{no} {title}".strip() if no else title
        section = sections[start - 1] if start - 1 < len(sections) else ""
        if "绩效" in title or "绩效" in "".join(lines[start - 1:min(end, start + 3)]):
            out.extend(_performance_chunks(doc, lines, section, head, start, end))
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
        and one table chunk per table (several "targets" chunks for a long 绩效目标表).
    """
    scan = scan_sections(lines)
    blocks = prose_blocks(lines, sections, tables, scan)
    excluded = (set(scan.heading_lines) - scan.content_lines) | table_line_set(lines, scan, tables)
    prose = _prose_chunks(doc, blocks, lines, excluded, set(scan.heading_lines))
    table = _table_chunks(doc, lines, sections, _table_regions(lines, scan, tables))
    covered = {b.section for b in blocks} | {c.section for c in table}
    headings = []
    for idx, (_level, title) in sorted(scan.headings.items()):
        path = sections[idx] if idx < len(sections) else title
        if path in covered or any(p.startswith(path + " / ") for p in covered):
            continue
        headings.append(Chunk(doc=doc.name, section=path, text=title, line_start=idx + 1, line_end=idx + 1, kind="heading"))
    return sorted(prose + table + headings, key=lambda c: (c.line_start, c.kind))
