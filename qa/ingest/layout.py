"""Pre-parse normalisation of layouts the parser does not read directly, with a way back.

Documents from the wild carry things the corpus does not: Markdown/pipe tables, page
numbers and repeated running headers from PDF page breaks, spam or injected instructions
scraped along with a web page, and 繁體 script. ``prepare`` turns the original lines into
lines the parser knows (tab-separated table rows, simplified script, noise removed) and
remembers for every prepared line which original line it came from. ``restore`` maps a
ParsedDocument of the prepared text back onto the original: line numbers, quotes (taken
verbatim from the original lines) and the stored lines themselves. Nothing here decides
what a number means; that stays in the parser.

Spam and instructions inside a document are data: their lines are kept in the stored text
(so a person can see them) but hidden from fact extraction.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import re
from collections import Counter
from dataclasses import dataclass, field

from qa.ingest.cell_streams import read_streams
from qa.text.numerals import close_cut_wan, rewrite as rewrite_numerals
from qa.text.script import to_simplified_lines
from qa.types import ParsedDocument

log = logging.getLogger(__name__)

# A pipe-table row: starts and ends with | (Markdown), or has ≥2 inner pipes.
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# One cell per line with "|" lines between the cells of a row, rows separated by blank lines.
_PIPE_BREAK = re.compile(r"^\s*\|\s*$")
_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# Page furniture a PDF page break leaves in extracted text. Bare numbers are not matched
# on purpose: one-cell-per-line tables have amount cells that are bare numbers.
_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s+\d{1,4}(?:\s+of\s+\d{1,4})?)\s*$",
    re.IGNORECASE,
)
# Lines that are advertising or instructions addressed to a reader/assistant, not budget
# content. A bare link is spam only on a line that says nothing about the budget (a budget
# line may cite a portal); government sites (.gov.cn) never are.
_URL = re.compile(r"(?:https?://|www\.)(?![\w.-]*gov\.cn)[\w.-]+", re.IGNORECASE)
_BUDGET_WORDS = re.compile(r"预算|决算|支出|收入|经费|拨款|部门|科目|绩效|采购|資金|资金|預算|決算")
_SPAM = re.compile(
    r"红包|紅包|(?:免费|免費|点击|點擊|扫码|掃碼|立即)\s*(?:领取|領取)|加微信|加\s*QQ|扫码关注|掃碼關注"
    r"|中奖|中獎|博彩|赌场|賭場|代开发票|代開發票"
    r"|点击(?:进入|查看|下载|链接)|點擊(?:進入|查看|下載)"
    r"|忽略(?:以上|上述|之前|前面)|無視以上|无视以上|(?:系统|系統)提示词"
    r"|ignore (?:all |any )?(?:the )?(?:previous|above|prior) (?:instructions|prompts?)"
    r"|disregard (?:all |the )?(?:previous|above)|system prompt",
    re.IGNORECASE,
)
# Pinyin a converter left after characters ("經(jīng)費(fèi)", "萬(wàn)元"): a bracketed syllable with a
# tone mark right after a Chinese character. Dropped before parsing; quotes stay verbatim.
_PINYIN_NOTE = re.compile(
    r"(?<=[\u4e00-\u9fff])[(（][a-zü]{0,5}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]{0,5}[)）]")
# Normalised-line length above which a line is prose, never a running header.
_MAX_HEADER_LEN = 60


@dataclass
class Prepared:
    """Lines ready for the parser plus the map back to the original.

    Attributes:
        original: the original lines (what the store keeps and quotes come from).
        lines: the prepared lines given to the parser.
        origin: for each prepared line, the 0-based index of its original line.
        aligned: for each prepared line, True when it is the original line with characters
            substituted one-for-one (script conversion only), so offsets map exactly.
        notes: what was changed, for the ingest report.
        origin_end: for each prepared line, the 0-based index of the last original line it
            stands for (a one-cell-per-line row joined into one line spans several).
    """

    original: list[str]
    lines: list[str]
    origin: list[int]
    aligned: list[bool]
    notes: list[str] = field(default_factory=list)
    origin_end: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.origin_end:
            self.origin_end = list(self.origin)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def changed(self) -> bool:
        return self.lines != self.original


def is_spam(line: str) -> bool:
    """True for advertising / injected-instruction lines that must not feed the parser.

    Args:
        line: one original line.
    """
    if _SPAM.search(line):
        return True
    return bool(_URL.search(line)) and not _BUDGET_WORDS.search(line)


def strip_pinyin_notes(line: str) -> str:
    """A line without the pinyin a converter wrote after its characters ("經(jīng)費(fèi)" -> "經費").

    Args:
        line: one original line.
    """
    return _PINYIN_NOTE.sub("", line) if "(" in line or "（" in line else line


def is_page_number(line: str) -> bool:
    """True for page-number furniture such as '- 12 -' or '第 3 页 共 40 页'.

    Args:
        line: one line.
    """
    return bool(_PAGE_NO.match(line))


def split_pipe_row(line: str) -> list[str]:
    """Cells of a pipe-table row, stripped ('| a | | 1.00 |' -> ['a', '', '1.00']).

    Args:
        line: a line matching a pipe row.
    """
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _running_headers(lines: list[str], page_idx: set[int]) -> set[int]:
    """Indices of running headers/footers: the same short text line next to most page numbers.

    Only the occurrences next to a page number are returned: the same text elsewhere
    (a title on the first page) is content. Table cells repeat too ("\t01"), so a header
    must carry some CJK text and sit beside at least half of the page breaks.
    """
    near: dict[str, set[int]] = {}
    where: dict[str, set[int]] = {}
    for i in page_idx:
        for j in range(max(0, i - 2), min(len(lines), i + 3)):
            if j in page_idx:
                continue
            key = lines[j].strip()
            if (len(key) >= 4 and len(key) <= _MAX_HEADER_LEN and "\t" not in lines[j]
                    and re.search(r"[\u4e00-\u9fff]", key)):
                near.setdefault(key, set()).add(i)
                where.setdefault(key, set()).add(j)
    out: set[int] = set()
    need = max(3, len(page_idx) // 2)
    for key, pages in near.items():
        if len(pages) >= need:
            out.update(where[key])
    return out


_ONE_CELL = re.compile(r"^\t[^\t]*$")


def _one_cell_runs(lines: list[str]) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """Clean one-cell-per-line tables: start index -> (end, [(block start, block end)]).

    A run is a stretch of tab-led single-cell lines and blank lines. It is clean when it
    has at least two blocks (rows, separated by blank lines) and every block has the same
    number of cells. Ragged runs (wrapped cells, stray blanks, as in PDF extractions) are
    left to the table parser, which knows their quirks.
    """
    runs: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    i, n = 0, len(lines)
    while i < n:
        if not _ONE_CELL.match(lines[i]):
            i += 1
            continue
        j = i
        while j < n and (_ONE_CELL.match(lines[j]) or not lines[j].strip() and "\t" not in lines[j]):
            j += 1
        while j > i and not lines[j - 1].strip() and "\t" not in lines[j - 1]:
            j -= 1
        blocks, b = [], None
        for k in range(i, j):
            if _ONE_CELL.match(lines[k]):
                b = k if b is None else b
            elif b is not None:
                blocks.append((b, k - 1))
                b = None
        if b is not None:
            blocks.append((b, j - 1))
        widths = {e - s + 1 for s, e in blocks}
        if len(blocks) >= 2 and len(widths) == 1 and widths.pop() >= 2:
            runs[i] = (j, blocks)
        i = max(j, i + 1)
    return runs


def _pipe_cell_blocks(lines: list[str]) -> dict[int, tuple[int, list[str]]]:
    """Rows written one cell per line with "|" lines between cells: start -> (end, cells).

    A block is a stretch of non-blank lines; it is such a row when it holds at least one
    lone "|" line and no other pipes. Two "|" lines in a row mean an empty cell.
    """
    out: dict[int, tuple[int, list[str]]] = {}
    i, n = 0, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < n and lines[j].strip():
            j += 1
        block = lines[i:j]
        seps = sum(1 for l in block if l == "|")
        # every cell sits next to a separator: prose before a table is not one of its cells
        beside = all(l == "|" or (k > 0 and block[k - 1] == "|") or (k + 1 < len(block) and block[k + 1] == "|")
                     for k, l in enumerate(block))
        if seps and beside and all(l == "|" or "|" not in l for l in block):
            cells, cur = [], []
            for l in block:
                if l == "|":
                    cells.append(" ".join(cur))
                    cur = []
                else:
                    cur.append(l.strip())
            cells.append(" ".join(cur))
            out[i] = (j, cells)
        i = j
    return out


def _is_cell_line(lines: list[str], i: int) -> bool:
    """A line of a cell stream: a cell closed by "|" ("项目 |"), a lone "|", or a cell whose
    closing "|" stands on the next line."""
    t = lines[i].strip()
    if not t or "\t" in lines[i]:
        return False
    if t == "|" or (t.endswith("|") and t.count("|") == 1):
        return True
    return "|" not in t and i + 1 < len(lines) and lines[i + 1].strip() == "|"


def _cell_streams(lines: list[str]) -> dict[int, tuple[int, list[tuple[str, int, int]]]]:
    """Small tables flattened into a stream of cells: start -> (end, [(text, first, last)]).

    Each output item is one line for the parser: a tab row of the table (or a title cell
    before it) and the indices of the first and last line it was read from. Only streams
    that read as a table (a header, then rows of a label and amounts) are returned.
    """
    out: dict[int, tuple[int, list[tuple[str, int, int]]]] = {}
    i, n = 0, len(lines)
    while i < n:
        if not _is_cell_line(lines, i):
            i += 1
            continue
        j = i
        while j < n and _is_cell_line(lines, j):
            j += 1
        cells: list[tuple[str, int, int]] = []
        cur: list[str] = []
        first = None
        for k in range(i, j):
            parts = lines[k].strip().split("|")
            for pi, part in enumerate(parts):
                if part.strip():
                    cur.append(part.strip())
                    first = k if first is None else first
                if pi < len(parts) - 1:  # a "|" closes the cell
                    if cur or first is not None:
                        cells.append((" ".join(cur), first if first is not None else k, k))
                    cur, first = [], None
        if cur:
            cells.append((" ".join(cur), first if first is not None else j - 1, j - 1))
        texts = [c[0] for c in cells]
        tables = read_streams(texts) if len(texts) >= 6 else []
        if tables and any(len(t.rows) >= 2 for t in tables):
            items: list[tuple[str, int, int]] = []
            pos = 0
            for t in tables:
                for c in cells[pos:t.start]:
                    items.append(c)
                at = t.start
                for c in t.lead:
                    items.append(cells[at])
                    at += 1
                width = len(t.header)
                items.append(("\t".join(t.header), cells[at][1], cells[at + width - 1][2]))
                at = t.end - width * len(t.rows)
                for r in t.rows:
                    items.append(("\t".join(r), cells[at][1], cells[at + width - 1][2]))
                    at += width
                pos = t.end
            items.extend(cells[pos:])
            out[i] = (j, items)
        i = j
    return out


def prepare(text: str) -> Prepared:
    """Turn a document's text into parser-ready lines with a map back to the original.

    Args:
        text: the full decoded text.

    Returns:
        Prepared; when nothing applies, lines == original and the map is the identity.
    """
    original = text.splitlines()
    cleaned = [strip_pinyin_notes(l) for l in original]
    script = to_simplified_lines(cleaned)
    notes: list[str] = []
    if script.converted:
        notes.append("繁體 text matched through its simplified form")
    unaligned = {i for i, (a, b) in enumerate(zip(original, cleaned)) if a != b}
    if unaligned:
        notes.append(f"{len(unaligned)} line(s): pinyin annotations dropped")
    src = [rewrite_numerals(l) for l in script.lines]
    src = [close_cut_wan(l, next((x for x in src[i + 1:] if x.strip()), None)) if l.rstrip().endswith(("万", "萬")) else l
           for i, l in enumerate(src)]
    worded = {i for i, (a, b) in enumerate(zip(script.lines, src)) if a != b}
    if worded:
        notes.append(f"{len(worded)} line(s): amounts in words or mixed units read as figures")
    unaligned |= worded
    page_idx = {i for i, l in enumerate(src) if is_page_number(l)}
    header_idx = _running_headers(src, page_idx) if len(page_idx) >= 2 else set()
    # Pass 1: drop furniture and spam, turn pipe rows into tab rows.
    lines: list[str] = []
    origin: list[int] = []
    aligned: list[bool] = []
    dropped = Counter[str]()
    for i, line in enumerate(src):
        if i in page_idx or i in header_idx:
            dropped["page furniture"] += 1
        elif is_spam(original[i]):
            dropped["spam/instruction"] += 1
        elif _PIPE_BREAK.match(line):
            lines.append("|")  # a cell separator on its own line, read in pass 2
            origin.append(i)
            aligned.append(False)
        elif _PIPE_ROW.match(line) or (line.count("|") >= 2 and "|" in line.strip()[:1] + line.strip()[-1:]):
            if _PIPE_SEP.match(line):
                dropped["pipe separator"] += 1
            else:
                cells = split_pipe_row(line)
                # trailing empty cells and lost characters ("?") are no columns; a row left
                # with one cell is a title or a note written inside the table's frame
                while cells and cells[-1] in ("", "?", "？"):
                    cells.pop()
                cells = [c for k, c in enumerate(cells) if not (k == 0 and c in ("?", "？") and len(cells) > 1)]
                lines.append("\t".join(cells) if len(cells) > 1 else (cells[0] if cells else ""))
                origin.append(i)
                aligned.append(False)
                dropped["pipe row → tabs"] += 1
        elif _PIPE_SEP.match(line) and "|" in line:
            dropped["pipe separator"] += 1
        else:
            lines.append(line)
            origin.append(i)
            aligned.append(script.aligned[i] and i not in unaligned)
    # Pass 2: clean one-cell-per-line tables and "|"-separated cell blocks become one tab
    # row per table row.
    streams = _cell_streams(lines)
    blocks = _pipe_cell_blocks(lines)
    runs = _one_cell_runs(lines)
    out_lines: list[str] = []
    out_origin: list[int] = []
    out_end: list[int] = []
    out_aligned: list[bool] = []
    i = 0
    while i < len(lines):
        if i in streams:
            end, items = streams[i]
            for text_, a, b in items:
                out_lines.append(text_)
                out_origin.append(origin[a])
                out_end.append(origin[b])
                out_aligned.append(False)
            dropped["cell-per-line stream → tab rows"] += len(items)
            i = end
            continue
        if i in blocks:
            end, cells = blocks[i]
            out_lines.append("\t".join(cells))
            out_origin.append(origin[i])
            out_end.append(origin[end - 1])
            out_aligned.append(False)
            dropped["'|'-separated cell rows → tab rows"] += 1
            i = end
            continue
        if i in runs:
            end, blocks = runs[i]
            for b0, b1 in blocks:
                out_lines.append("\t".join(lines[k][1:] for k in range(b0, b1 + 1)))
                out_origin.append(origin[b0])
                out_end.append(origin[b1])
                out_aligned.append(False)
            dropped["one-cell-per-line rows → tab rows"] += len(blocks)
            i = end
            continue
        out_lines.append(lines[i])
        out_origin.append(origin[i])
        out_end.append(origin[i])
        out_aligned.append(aligned[i])
        i += 1
    lines, origin, aligned = out_lines, out_origin, out_aligned
    for what, n in dropped.items():
        notes.append(f"{n} line(s): {what}")
    return Prepared(original, lines, origin, aligned, notes, out_end)


def _squeeze_map(s: str) -> tuple[str, list[int]]:
    """Whitespace-free form of s and, per kept character, its index in s."""
    chars, idx = [], []
    for i, ch in enumerate(s):
        if not ch.isspace():
            chars.append(ch)
            idx.append(i)
    return "".join(chars), idx


class _Restorer:
    """Maps line numbers and quotes of the prepared text back to the original."""

    def __init__(self, prep: Prepared):
        self.prep = prep
        self.identity = not prep.changed
        self._orig_sq = [re.sub(r"\s+", "", l) for l in prep.original]

    def line(self, n: int) -> int:
        """1-based prepared line -> 1-based original line."""
        if self.identity or n <= 0:
            return n
        k = min(n - 1, len(self.prep.origin) - 1)
        return self.prep.origin[k] + 1 if k >= 0 else n

    def line_end(self, n: int) -> int:
        """1-based prepared line -> 1-based last original line it stands for."""
        if self.identity or n <= 0:
            return n
        k = min(n - 1, len(self.prep.origin_end) - 1)
        return self.prep.origin_end[k] + 1 if k >= 0 else n

    def quote(self, quote: str, n: int) -> str:
        """The original text for a quote read at prepared line n (1-based)."""
        if self.identity or not quote:
            return quote
        p = self.prep
        q_sq = re.sub(r"\s+", "", quote)
        start = max(0, n - 1 - 3)
        stop = min(len(p.lines), n - 1 + 12)
        # Most quotes are untouched lines: if the quote already occurs in the original
        # around that place, keep it.
        o_lo = p.origin[start] if start < len(p.origin) else 0
        o_hi = p.origin[stop - 1] + 1 if stop - 1 < len(p.origin) and stop > 0 else len(p.original)
        if q_sq and q_sq in "".join(self._orig_sq[o_lo:o_hi]):
            return quote
        window = "\n".join(p.lines[start:stop])
        w_sq, w_idx = _squeeze_map(window)
        pos = w_sq.find(q_sq) if q_sq else -1
        if pos < 0:
            k = min(max(n - 1, 0), len(p.origin) - 1)
            return "\n".join(p.original[p.origin[k]:p.origin_end[k] + 1]) if k >= 0 else quote
        a, b = w_idx[pos], w_idx[pos + len(q_sq) - 1] + 1
        offsets = []  # char offset of each window line start
        o = 0
        for l in p.lines[start:stop]:
            offsets.append(o)
            o += len(l) + 1
        la = bisect.bisect_right(offsets, a) - 1
        lb = bisect.bisect_right(offsets, b - 1) - 1
        first, last = start + la, start + lb
        if all(p.aligned[first:last + 1]) and p.origin[last] - p.origin[first] == last - first:
            # Script conversion only: the same character span of the original.
            orig_text = "\n".join(p.original[p.origin[first]:p.origin[last] + 1])
            return orig_text[a - offsets[la]: a - offsets[la] + (b - a)]
        # Whole original lines, but never across a dropped line (spam, page furniture): the
        # quote must be contiguous in the file and must not carry what was dropped, so keep
        # the unbroken stretch that holds the line the value was read from.
        anchor = min(max(n - 1, first), last)
        lo = hi = anchor
        while lo > first and p.origin[lo] == p.origin_end[lo - 1] + 1:
            lo -= 1
        while hi < last and p.origin[hi + 1] == p.origin_end[hi] + 1:
            hi += 1
        return "\n".join(p.original[p.origin[lo]:p.origin_end[hi] + 1])


def restore(parsed: ParsedDocument, prep: Prepared) -> ParsedDocument:
    """Map a ParsedDocument of prepared text back onto the original text.

    Args:
        parsed: what parse_document returned for prep.text.
        prep: the Prepared it was made from.

    Returns:
        A ParsedDocument whose lines are the original lines and whose line numbers and quotes
        point into them.
    """
    r = _Restorer(prep)
    if r.identity:
        return parsed
    rep = dataclasses.replace
    facts = [rep(f, line=r.line(f.line), quote=r.quote(f.quote, f.line)) for f in parsed.facts]
    chunks = [rep(c, line_start=r.line(c.line_start), line_end=r.line_end(c.line_end)) for c in parsed.chunks]
    issues = [rep(i, line=r.line(i.line)) for i in parsed.issues]
    enums = [rep(e, line=r.line(e.line), quote=r.quote(e.quote, e.line)) for e in parsed.enumerations]
    tables = []
    for t in parsed.tables:
        t = dict(t)
        if isinstance(t.get("line_start"), int):
            t["line_start"] = r.line(t["line_start"])
        if isinstance(t.get("line_end"), int):
            t["line_end"] = r.line_end(t["line_end"])
        tables.append(t)
    out = ParsedDocument(
        document=parsed.document,
        lines=list(prep.original),
        facts=facts,
        chunks=chunks,
        issues=issues,
        enumerations=enums,
        tables=tables,
    )
    for extra in ("notes", "warnings"):
        if hasattr(parsed, extra):
            setattr(out, extra, getattr(parsed, extra))
    return out


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        s = chr(65 + rem) + s
    return s


_ROW_LOC = re.compile(r"^(?P<sheet>.+)!(?P<col>[A-Z]+)(?P<row>\d+)$")


def _col_index(col: str) -> int:
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return n - 1


def attach_locations(parsed: ParsedDocument, pages: list[int | None] | None,
                     locations: list[str | None] | None) -> ParsedDocument:
    """Give facts the page (PDF) or sheet cell (XLSX) of the line they were read from.

    Args:
        parsed: a ParsedDocument whose line numbers index the loaded text.
        pages: page per line from the loader, or None.
        locations: per line the location of its first cell ("Sheet!A7"), or None. Rows of
            spreadsheets are tab-separated cells starting at that column, so the cell of a
            fact is the field holding its value.
    """
    if not pages and not locations:
        return parsed
    from qa.text.normalize import parse_number

    lines = parsed.lines
    facts = []
    for f in parsed.facts:
        k = f.line - 1
        page = pages[k] if pages and 0 <= k < len(pages) else None
        cell = None
        if locations and 0 <= k < len(locations) and locations[k]:
            cell = locations[k]
            m = _ROW_LOC.match(cell)
            if m and 0 <= k < len(lines):
                fields = lines[k].split("\t")
                for j, fv in enumerate(fields):
                    v = parse_number(fv.strip())
                    if v is not None and abs(abs(v) - abs(f.value)) < 1e-9:
                        cell = f"{m['sheet']}!{_col_letter(_col_index(m['col']) + j)}{m['row']}"
                        break
        facts.append(dataclasses.replace(f, page=page if page is not None else f.page,
                                         cell=cell if cell is not None else f.cell))
    parsed.facts = facts
    return parsed


def _parse(name: str, text: str, content_hash: str, path: str,
           overrides: dict | None = None) -> tuple[ParsedDocument, Prepared]:
    # parse.parse_with_preparation is the one place preparation happens; importing it
    # lazily because parse imports this module.
    from qa.ingest.parse import parse_with_preparation

    parsed, prep = parse_with_preparation(name, text, content_hash=content_hash, path=path, overrides=overrides)
    for note in prep.notes:
        log.info("%s: %s", name, note)
    return parsed, prep


def parse_text(name: str, text: str, *, content_hash: str = "", path: str = "",
               pages: list[int | None] | None = None,
               locations: list[str | None] | None = None) -> ParsedDocument:
    """parse_document with layout preparation, mapping back and locations attached.

    Args:
        name: file name as ingested.
        text: decoded text (as the loader produced it).
        content_hash: hash of the raw bytes.
        path: where it was read from.
        pages: optional page per line (from LoadedText.pages).
        locations: optional location per line (from LoadedText.locations).
    """
    parsed, _ = _parse(name, text, content_hash, path)
    return attach_locations(parsed, pages, locations)


def parse_loaded(loaded, overrides: dict | None = None) -> ParsedDocument:
    """Parse a LoadedText (from qa.ingest.loaders.load) with layouts, script and locations.

    What the preparation changed ("繁體 text matched through its simplified form", "3
    line(s): spam/instruction", ...) is appended to loaded.notes, which the ingest report
    and the store show next to the loader's own notes.

    Args:
        loaded: a qa.ingest.loaders.LoadedText.
        overrides: department / year / kind the user gave (qa ingest --department …).
    """
    parsed, prep = _parse(loaded.name, loaded.text, loaded.content_hash, loaded.path, overrides)
    for note in prep.notes:
        if note not in loaded.notes:
            loaded.notes.append(note)
    return attach_locations(parsed, loaded.pages, loaded.locations)
