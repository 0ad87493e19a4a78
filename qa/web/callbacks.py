"""Pure functions behind the web UI: they turn answers, documents, facts and ingest
reports into what Gradio components display (markdown, HTML, plain row lists).

No gradio import here: the UI module wires these to components, and tests call them
directly with real `Answer` / `Document` / `Fact` objects.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from qa.quotes import find_quote
from qa.types import Answer, Citation, Document, Fact

log = logging.getLogger(__name__)

# Key of the pseudo-table that groups facts read from prose (table_no == "").
PROSE_TABLE = "__prose__"

FACT_HEADERS = ["code", "label", "column", "value", "unit", "line"]
DOCUMENT_HEADERS = ["name", "department", "year", "kind", "unit", "facts", "tables", "same claim as"]

EXAMPLE_QUESTIONS = [
    "昌吉州公积金中心2024年三公经费预算是多少？",
    "How much did the Changji housing fund centre budget for basic expenditure?",
    "安阳公积金中心三公经费比上年少了多少？",
    "What is the Changji housing fund centre's 2024 budget for official receptions?",
]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

_LABELS = {
    "zh": {
        "computation": "计算",
        "sources": "引用来源",
        "line": "第 {n} 行",
        "warning": "注意：来源数据不一致",
        "not_found": "未找到答案",
        "ambiguous": "问题有歧义",
        "pick": "请选择要查询的部门（点击下方按钮重新提问）：",
        "no_citations": "（无引用）",
        "quote_missing": "未能在原文中逐字定位该引文，显示所引行附近的内容。",
        "quote": "引文",
    },
    "en": {
        "computation": "Computation",
        "sources": "Sources",
        "line": "line {n}",
        "warning": "Warning: the source figures disagree",
        "not_found": "No answer found",
        "ambiguous": "The question is ambiguous",
        "pick": "Which one did you mean? (click a button below to ask again):",
        "no_citations": "(no citations)",
        "quote_missing": "The quote was not found verbatim; showing the lines around the cited line.",
        "quote": "Quote",
    },
}


def language_of(text: str) -> str:
    """Return "zh" when the text contains any CJK ideograph, else "en".

    Args:
        text: the user's question.
    """
    return "zh" if _CJK.search(text or "") else "en"


def question_refusal(question: str, limit: int | None = None) -> Answer | None:
    """The refusal of a question too long to be one, given before any work (a pasted
    document must not hold a worker), else None.

    Args:
        question: what the user sent.
        limit: characters allowed (default: the assistant's MAX_QUESTION_CHARS).
    """
    if limit is None:
        from qa.assistant import MAX_QUESTION_CHARS

        limit = MAX_QUESTION_CHARS
    from qa.web.limits import marked_length

    n = marked_length(question)  # the page sent the length of a paste too long to send
    n = len((question or "").strip()) if n is None else n
    if n <= limit:
        return None
    return Answer(status="not_found", answer=(
        f"问题过长（{n} 字），请限制在 {limit} 字以内。/ "
        f"The question is too long ({n} characters); the limit is {limit}."))


def busy_answer(question: str) -> Answer:
    """The answer when too many questions are already waiting (asked again, it is answered)."""
    return Answer(status="not_found", answer=(
        "服务器正忙，请稍后再问一次。" if language_of(question) == "zh"
        else "The server is busy; please ask again in a moment."))


def outside_scope_answer(question: str, departments: Sequence[str]) -> Answer:
    """The refusal of a question about departments whose documents are outside the scope
    the user chose (they are loaded: widening the scope answers it)."""
    names = "、".join(departments)
    if language_of(question) == "zh":
        text = f"所选范围内没有{names}的文件；请在“范围”中加入其文件，或清空范围以使用全部文档。"
    else:
        text = (f"The chosen scope has no document of {', '.join(departments)}; add its documents to the "
                "scope, or clear the scope to use every document.")
    return Answer(status="not_found", answer=text)


def shown_question(question: str, limit: int = 2000, keep: int = 300) -> str:
    """The question as the chat shows it: one over `limit` characters (refused) is cut to
    its first `keep`, not echoed whole."""
    from qa.web.limits import marked_length

    question = question or ""
    pasted = marked_length(question)
    if pasted is not None:
        return f"（粘贴的文本过长：{pasted:,} 字，未发送）/ (pasted text too long: {pasted:,} characters, not sent)"
    if len(question) <= limit:
        return question
    return question[:keep] + f"… ({len(question) - keep} more characters 已省略)"


def answer_kind(answer: Answer) -> str:
    """Classify an answer for styling: "refusal", "ambiguous", "warning" or "answer".

    Args:
        answer: the assistant's answer.
    """
    if answer.status == "not_found":
        return "refusal"
    if answer.status == "ambiguous":
        return "ambiguous"
    if answer.warnings:
        return "warning"
    return "answer"


def md_escape(text: str) -> str:
    """Escape document-derived text for the chat's markdown renderer.

    Document text is data: HTML is escaped and markdown control characters are
    backslash-escaped so a quote cannot turn into a table, a link or emphasis.

    Args:
        text: raw text (answer sentence, quote, candidate name).
    """
    text = html.escape(text or "", quote=False)
    return re.sub(r"([\\`*_\[\]|#~])", r"\\\1", text)


def _code(text: str) -> str:
    """Inline code span that survives backticks inside the text."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def shorten(text: str, limit: int = 120) -> str:
    """Collapse whitespace and cut to `limit` characters with an ellipsis.

    Args:
        text: text to shorten.
        limit: maximum length of the result.
    """
    text = re.sub(r"\s+", " ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


CITE_HREF = "#qa-cite-"


def cite_href(ref: int, number: int) -> str:
    """Fragment link of citation `number` (1-based) of the session's answer `ref`.

    The page's script turns a click on it into "show this excerpt" (no navigation).

    Args:
        ref: the answer's index in the session (0 = first answer).
        number: the citation's number in that answer.
    """
    return f"{CITE_HREF}{int(ref)}-{int(number)}"


def parse_cite_ref(value: str | None) -> tuple[int, int] | None:
    """(answer index, 0-based citation index) from what a citation link sent
    ("3-2" or "3-2|<nonce>"); None for anything else.

    Args:
        value: the hidden textbox value set by the page script.
    """
    m = re.fullmatch(r"\s*(\d{1,6})-(\d{1,4})(?:\|.*)?", value or "")
    if not m or int(m.group(2)) < 1:
        return None
    return int(m.group(1)), int(m.group(2)) - 1


def format_answer_markdown(answer: Answer, lang: str = "zh", ref: int | None = None) -> str:
    """Render an answer as one chat message: status badge, answer text, computation,
    warnings and numbered citations.

    Refusals and ambiguous answers start with a badge naming them; warnings are a
    blockquote so they never read like part of the answer.

    Args:
        answer: the assistant's answer.
        lang: "zh" or "en" (the question's language) for the labels.
        ref: the answer's index in the session; when given, each citation is a link
            (`cite_href`) that opens its excerpt, in this answer and in every later view.
    """
    lab = _LABELS.get(lang, _LABELS["en"])
    kind = answer_kind(answer)
    parts: list[str] = []
    if kind == "refusal":
        parts.append(f'<span class="qa-badge qa-badge-refusal">⊘ {lab["not_found"]}</span>')
    elif kind == "ambiguous":
        parts.append(f'<span class="qa-badge qa-badge-ambiguous">？ {lab["ambiguous"]}</span>')
    elif kind == "warning":
        parts.append(f'<span class="qa-badge qa-badge-warning">⚠ {lab["warning"]}</span>')
    parts.append(md_escape(_without_restated(answer.answer, [answer.computation, *answer.warnings])))
    if answer.computation:
        parts.append(f"**{lab['computation']}:** {_code(answer.computation)}")
    for w in answer.warnings:
        parts.append(f"> ⚠ {md_escape(w)}")
    if kind == "ambiguous" and answer.candidates:
        items = "\n".join(f"- {md_escape(c)}" for c in answer.candidates)
        parts.append(f"{lab['pick']}\n\n{items}")
    chart = figures_chart_html(getattr(answer, "figures", None) or [], lang)
    if chart:
        parts.append(chart)
    if answer.citations:
        rows = []
        for i, c in enumerate(answer.citations, 1):
            where = lab["line"].format(n=c.line)
            place = f"{_code(c.doc)} · {where}"
            if ref is not None:
                place = f"[{place}]({cite_href(ref, i)})"
            rows.append(f"{i}. {place}: 「{md_escape(shorten(c.quote))}」")
        parts.append(f"**{lab['sources']}**\n\n" + "\n".join(rows))
    return "\n\n".join(parts)


def figures_chart_html(figures: Sequence[Any], lang: str = "zh") -> str:
    """A small horizontal bar chart of the figures an answer compares ("" for fewer than
    two). Bars are scaled to the largest magnitude; negative figures (a decrease) are
    drawn in another colour. Plain HTML and CSS: it renders in the chat offline.

    Args:
        figures: `qa.types.Figure` records (label, value, unit).
        lang: label language (the chart's accessible title).
    """
    figures = [f for f in figures if f is not None]
    if len(figures) < 2:
        return ""
    top = max(abs(float(f.value)) for f in figures) or 1.0
    title = "所比较的数字" if lang == "zh" else "The figures compared"
    rows = []
    for f in figures:
        pct = round(100 * abs(float(f.value)) / top, 1)
        neg = " qa-chart-neg" if f.value < 0 else ""
        rows.append(
            f'<div class="qa-chart-row"><span class="qa-chart-label" title="{html.escape(f.label)}">'
            f'{html.escape(shorten(f.label, 40))}</span><span class="qa-chart-track">'
            f'<span class="qa-chart-bar{neg}" style="width:{pct}%"></span></span>'
            f'<span class="qa-chart-value">{html.escape(format_value(f.value, f.unit))} {html.escape(f.unit)}</span></div>')
    return f'<div class="qa-chart" role="img" aria-label="{html.escape(title)}">{"".join(rows)}</div>'


def _without_restated(text: str, pieces: Sequence[str | None]) -> str:
    """Drop answer lines that only restate the computation or a warning: each gets its
    own styled line, and saying it twice reads like two different statements."""
    squeezed = [re.sub(r"\s+", "", p) for p in pieces if p]
    if not squeezed:
        return text
    kept = [line for line in (text or "").split("\n")
            if not any(p in re.sub(r"\s+", "", line) for p in squeezed)]
    return "\n".join(kept).strip() or text


def citation_choices(citations: Sequence[Citation], lang: str = "zh") -> list[tuple[str, int]]:
    """Labels for the citation picker, numbered like the chat message; values are indexes.

    Args:
        citations: the latest answer's citations.
        lang: label language.
    """
    lab = _LABELS.get(lang, _LABELS["en"])
    return [
        (f"[{i}] {c.doc} · {lab['line'].format(n=c.line)} · {shorten(c.quote, 36)}", i - 1)
        for i, c in enumerate(citations, 1)
    ]


def followup_question(question: str, candidate: str) -> str:
    """Re-ask an ambiguous question naming one candidate (usually a department).

    The ambiguous mention is the longest span of the question whose characters occur,
    in order, in the candidate (e.g. "公积金中心" inside "某州住房公积金管理中心"); it is
    replaced by the candidate. Without such a span the candidate is prefixed (Chinese)
    or appended in parentheses (English).

    Args:
        question: the question that was ambiguous.
        candidate: the candidate chosen by the user.
    """
    question = (question or "").strip()
    if not question or candidate in question:
        return question or candidate
    span = _alias_span(question, candidate)
    if span:
        start, end = span
        return question[:start] + candidate + question[end:]
    if language_of(question) == "zh":
        return f"{candidate}{question}"
    return f"{question} ({candidate})"


_ORG_SUFFIX_CHARS = set("局厅委办院站所队会处部心司署社馆")


def _is_subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def _alias_span(question: str, candidate: str) -> tuple[int, int] | None:
    """Longest question span of CJK characters that is a subsequence of the candidate
    and shares a two-character run with it (or looks like an abbreviated name)."""
    best: tuple[int, int] | None = None
    n = len(question)
    for i in range(n):
        if not _CJK.match(question[i]) or question[i] not in candidate:
            continue
        for j in range(n, i + 1, -1):
            if best and j - i <= best[1] - best[0]:
                break
            span = question[i:j]
            if not all(_CJK.match(ch) for ch in span):
                continue
            shares_run = any(span[k : k + 2] in candidate for k in range(len(span) - 1))
            # Abbreviations like 住建局 share no two-character run with 住房和城乡建设局;
            # accept them when they end like an organisation name.
            if not shares_run and not (len(span) >= 3 and span[-1] in _ORG_SUFFIX_CHARS):
                continue
            if _is_subsequence(span, candidate):
                best = (i, j)
                break
    return best


# ---------------------------------------------------------------- citation excerpt

def _context_range(lines: Sequence[str], first: int, last: int, context: int) -> tuple[int, int]:
    """Extend [first, last] (0-based, inclusive) by `context` non-blank lines each way."""
    lo, seen = first, 0
    while lo > 0 and seen < context and first - lo < context * 4:
        lo -= 1
        seen += bool(lines[lo].strip())
    hi, seen = last, 0
    while hi < len(lines) - 1 and seen < context and hi - last < context * 4:
        hi += 1
        seen += bool(lines[hi].strip())
    return lo, hi


def citation_excerpt_html(
    lines: Sequence[str], citation: Citation, number: int | None = None, lang: str = "zh", context: int = 4
) -> str:
    """HTML view of the lines around a citation: line numbers, the quote in <mark>.

    Blank lines are left out (their numbers show the gap). When the quote cannot be
    found verbatim the cited line is highlighted instead and a note says so.

    Args:
        lines: the cited document's lines.
        citation: the citation to show.
        number: its number in the answer ([1], [2], ...), for the heading.
        lang: label language.
        context: non-blank lines shown before and after the quote.
    """
    lab = _LABELS.get(lang, _LABELS["en"])
    segments = find_quote(lines, citation.quote, citation.line)
    note = ""
    if segments is None:
        note = f'<div class="qa-excerpt-note">{html.escape(lab["quote_missing"])}</div>'
        li = min(max(citation.line, 1), max(len(lines), 1))
        segments = [(li, 0, len(lines[li - 1]) if lines else 0)]
    marks = {li: (a, b) for li, a, b in segments}
    first, last = segments[0][0] - 1, segments[-1][0] - 1
    lo, hi = _context_range(lines, first, last, context) if lines else (0, -1)
    rows = []
    for idx in range(lo, hi + 1):
        text = lines[idx]
        n = idx + 1
        if n in marks:
            a, b = marks[n]
            body = (
                html.escape(text[:a]) + "<mark>" + html.escape(text[a:b]) + "</mark>" + html.escape(text[b:])
            )
            cls = ' class="qa-hit"'
        elif not text.strip():
            continue
        else:
            body, cls = html.escape(text), ""
        rows.append(f'<tr{cls}><td class="qa-ln">{n}</td><td class="qa-tx">{body}</td></tr>')
    num = f"[{number}] " if number is not None else ""
    span = segments[0][0] if len(segments) == 1 else f"{segments[0][0]}–{segments[-1][0]}"
    where = lab["line"].format(n=span)
    head = f'<div class="qa-excerpt-head">{num}<code>{html.escape(citation.doc)}</code> · {html.escape(where)}</div>'
    quote = f'<div class="qa-excerpt-quote">{html.escape(lab["quote"])}：「{html.escape(shorten(citation.quote, 300))}」</div>'
    table = f'<table class="qa-lines">{"".join(rows)}</table>'
    return f'<div class="qa-excerpt">{head}{note}{table}{quote}</div>'


# ---------------------------------------------------------------- documents tab

def documents_rows(documents: Iterable[Document], fact_counts: dict[str, int], table_counts: dict[str, int] | None = None,
                   conflicts: Iterable[Any] = ()) -> list[list[Any]]:
    """Rows for the documents table (see DOCUMENT_HEADERS).

    Args:
        documents: the loaded documents.
        fact_counts: facts per document name.
        table_counts: tables per document name (optional).
        conflicts: `qa.tools.conflicts.Conflict` groups; the last column names the other
            documents of a document's group (⚠ when shared figures differ).
    """
    table_counts = table_counts or {}
    conflicts = list(conflicts)

    def same(name: str) -> str:
        out = []
        for c in conflicts:
            if name in c.docs:
                mark = "⚠ " if c.severity == "conflict" else ""
                out.append(mark + ", ".join(n for n in c.docs if n != name))
        return "; ".join(out)

    return [
        [d.name, d.department, d.year if d.year is not None else "", d.kind, d.unit,
         fact_counts.get(d.name, 0), table_counts.get(d.name, 0), same(d.name)]
        for d in sorted(documents, key=lambda d: d.name)
    ]


def conflicts_markdown(conflicts: Sequence[Any], lang: str = "zh") -> str:
    """Markdown of the document groups that claim one department, year, kind and scope,
    with the figures that differ (empty when there are none).

    Args:
        conflicts: `qa.tools.conflicts.Conflict` groups.
        lang: label language.
    """
    if not conflicts:
        return ""
    rows = []
    for c in conflicts:
        icon = "⚠" if c.severity == "conflict" else "ℹ"
        rows.append(f"- {icon} {md_escape(c.describe(lang))}")
        for d in c.examples:
            vals = "; ".join(f"{md_escape(n)}: {v:,.2f}" for n, v in d.values)
            rows.append(f"  - {md_escape(d.label)} · {md_escape(d.column)}: {vals}")
    head = ("**Documents claiming the same disclosure 同一部门、年度、类型和范围的多份文件** — answers name "
            "them and warn until one is removed (remove button below, or `qa remove NAME`):")
    return head + "\n\n" + "\n".join(rows)


def _table_sort_key(no: str) -> tuple[int, str]:
    m = re.match(r"\d+", no)
    return (int(m.group()) if m else 10**6, no)


def table_choices(tables: Sequence[dict[str, Any]], facts: Sequence[Fact], lang: str = "zh") -> list[tuple[str, str]]:
    """Choices for the table picker: one per extracted table (with its fact count,
    empty tables marked) plus a pseudo-table for figures read from prose.

    Args:
        tables: table dicts as parsed ({"no", "title", "empty", ...}).
        facts: all facts of the document.
        lang: label language.
    """
    counts: dict[str, int] = {}
    for f in facts:
        counts[f.table_no] = counts.get(f.table_no, 0) + 1
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for t in sorted(tables, key=lambda t: _table_sort_key(str(t.get("no", "")))):
        no = str(t.get("no", ""))
        if not no or no in seen:
            continue
        seen.add(no)
        n = counts.get(no, 0)
        empty = " · 空表 (empty)" if t.get("empty") else ""
        label = f"表{no} {t.get('title', '')}".strip() + f" — {n} facts{empty}"
        out.append((label, no))
    # Facts whose table has no dict (parser disagreement) stay reachable.
    for no in sorted((k for k in counts if k and k not in seen), key=_table_sort_key):
        out.append((f"表{no} — {counts[no]} facts", no))
    if counts.get(""):
        name = "正文中的数字" if lang == "zh" else "figures in the text"
        out.append((f"{name} (prose) — {counts['']} facts", PROSE_TABLE))
    return out


def facts_of_table(facts: Iterable[Fact], table_no: str) -> list[Fact]:
    """One table's facts (PROSE_TABLE: the prose facts) in display order (by line).

    Args:
        facts: all facts of a document.
        table_no: the table chosen in the picker.
    """
    want = "" if table_no == PROSE_TABLE else str(table_no)
    return sorted((f for f in facts if f.table_no == want), key=lambda f: (f.line, f.column))


def pick_fact(facts: Sequence[Fact], row_value: Sequence[Any] | None, row: int | None) -> Fact | None:
    """The fact behind a clicked facts-table row.

    Matches on the row's values first (the user may have sorted the table in the page,
    so the row number alone can point at another fact), then falls back to the row number.

    Args:
        facts: the facts shown, in display order (facts_of_table).
        row_value: the clicked row's cell values, if the page sent them.
        row: the clicked row's index.
    """
    if row_value:
        want = [str(v) for v in row_value]
        for f, cells in zip(facts, table_fact_rows(facts)):
            if [str(c) for c in cells] == want:
                return f
        for f in facts:  # values may come back as numbers formatted differently
            if str(f.label) == want[1] and str(f.column) == want[2] and str(f.line) == str(want[-1]).split(".")[0]:
                return f
    if row is not None and 0 <= int(row) < len(facts):
        return facts[int(row)]
    return None


def table_fact_rows(facts: Iterable[Fact]) -> list[list[Any]]:
    """Rows for the facts table (see FACT_HEADERS), in document order.

    Args:
        facts: facts of one table (or the prose facts).
    """
    return [
        [f.code, f.label, f.column, f.value, f.unit, f.line]
        for f in sorted(facts, key=lambda f: (f.line, f.column))
    ]


def table_heading(table: dict[str, Any] | None, doc: Document | None) -> str:
    """One-line markdown description of the chosen table (title, unit, lines).

    Args:
        table: the table dict, or None for prose facts.
        doc: its document.
    """
    if table is None:
        return "Figures read from the document's text (说明 sections)."
    # <b> rather than **…**: markdown emphasis fails next to CJK quotation marks.
    bits = [f"<b>表{html.escape(str(table.get('no', '')))} {html.escape(str(table.get('title', '')))}</b>"]
    unit = table.get("unit") or (doc.unit if doc else "")
    if unit:
        bits.append(f"unit {unit}")
    if table.get("line_start"):
        bits.append(f"lines {table.get('line_start')}–{table.get('line_end', '')}")
    if table.get("empty"):
        bits.append("empty table (空表)")
    return " · ".join(bits)


# ---------------------------------------------------------------- table grid

MONEY_UNITS = {"元", "千元", "万元", "亿元"}


@dataclass
class GridRow:
    """One row of a parsed table: its 科目编码 and label, and the fact shown in each column."""

    code: str
    label: str
    cells: dict[str, int]  # column -> index into the table's facts (facts_of_table order)
    issues: list[str]


@dataclass
class Grid:
    """A table's facts laid out as rows (code/label) × columns.

    Attributes:
        columns: column names, in the table's own order where it is known.
        rows: the rows in document order.
        flagged: fact index -> messages of the integrity checks that cell fails.
        unplaced: messages of the table's issues that point at no shown cell.
    """

    columns: list[str]
    rows: list[GridRow]
    flagged: dict[int, list[str]]
    unplaced: list[str]


def table_grid(table: dict[str, Any] | None, facts: Sequence[Fact], issues: Iterable[Any] = ()) -> Grid:
    """Lay one table's facts out as the grid the document printed.

    A row is one (code, label) pair; a pair seen again with a column already filled starts
    a new row (a label printed twice). A cell fails an integrity check when an issue of
    this table points at its line, or at its row's line and states the cell's value (a
    parent 科目 whose children do not add up names the row and the stated figure).

    Args:
        table: the table dict ({"no", "columns", ...}) or None.
        facts: the table's facts in display order (`facts_of_table`).
        issues: IntegrityIssue records of the document (others tables' are ignored).
    """
    rows: list[GridRow] = []
    open_rows: dict[tuple[str, str], int] = {}
    row_of: dict[int, int] = {}
    seen_cols: list[str] = []
    for k, f in enumerate(facts):
        key = (f.code or "", f.label or "")
        r = open_rows.get(key)
        if r is None or f.column in rows[r].cells:
            rows.append(GridRow(key[0], key[1], {}, []))
            r = open_rows[key] = len(rows) - 1
        rows[r].cells[f.column] = k
        row_of[k] = r
        if f.column not in seen_cols:
            seen_cols.append(f.column)
    declared = [str(c) for c in (table or {}).get("columns") or []]
    columns = [c for c in declared if c in seen_cols] + [c for c in seen_cols if c not in declared]

    flagged: dict[int, list[str]] = {}
    unplaced: list[str] = []
    no = str((table or {}).get("no", facts[0].table_no if facts else ""))
    for issue in issues:
        if str(getattr(issue, "table_no", "")) != no or not no:
            continue
        message = str(getattr(issue, "message", ""))
        at_line = [k for k, f in enumerate(facts) if f.line == getattr(issue, "line", None)]
        if not at_line:
            unplaced.append(message)
            continue
        row = rows[row_of[at_line[0]]]
        stated = getattr(issue, "stated", None)
        same = [k for k in row.cells.values()
                if stated is not None and abs(facts[k].value - float(stated)) <= 0.005]
        picked = [k for k in at_line if k in same] or same or at_line
        if len(picked) > 1:
            named = [k for k in picked if facts[k].column and facts[k].column in message]
            picked = named or picked
        for k in picked:
            flagged.setdefault(k, []).append(message)
        row.issues.append(message)
    return Grid(columns, rows, flagged, unplaced)


def format_value(value: float, unit: str = "") -> str:
    """A cell value as printed in budget tables: money with two decimals and separators.

    Args:
        value: the fact's value.
        unit: its unit.
    """
    if unit in MONEY_UNITS:
        return f"{value:,.2f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def grid_ref(table_no: str, k: int) -> str:
    """What a grid cell sends when clicked: its table and fact index ("2:17")."""
    return f"{table_no}:{int(k)}"


def parse_grid_ref(value: str | None) -> tuple[str, int] | None:
    """(table number, fact index) from a clicked cell's value ("2:17|<nonce>"), else None.

    Args:
        value: the hidden textbox value set by the page script.
    """
    m = re.fullmatch(r"\s*([^:|]{1,40}):(\d{1,6})(?:\|.*)?", value or "")
    return (m.group(1), int(m.group(2))) if m else None


def table_grid_html(table: dict[str, Any] | None, facts: Sequence[Fact], issues: Iterable[Any] = (),
                    document: Document | None = None) -> str:
    """The parsed table as an HTML grid: title, unit and 编制部门 above, codes and labels
    down the side, one clickable cell per fact (cells failing an integrity check marked).

    Args:
        table: the table dict, or None for figures read from prose (no grid).
        facts: the table's facts in display order (`facts_of_table`).
        issues: the document's IntegrityIssue records.
        document: the document (default unit and department).
    """
    if table is None:
        return ('<div class="qa-grid-empty">Figures read from the text have no grid; see the list '
                'below. 正文中的数字见下方列表。</div>')
    no = str(table.get("no", ""))
    grid = table_grid(table, facts, issues)
    unit = table.get("unit") or (document.unit if document else "")
    dept = table.get("department") or (document.department if document else "")
    bits = [f"<b>表{html.escape(no)} {html.escape(str(table.get('title', '')))}</b>"]
    if unit:
        bits.append(f"单位：{html.escape(str(unit))}")
    if dept:
        bits.append(f"编制部门：{html.escape(str(dept))}")
    if table.get("line_start"):
        bits.append(f"lines {table.get('line_start')}–{table.get('line_end', '')}")
    if grid.flagged:
        bits.append(f'<span class="qa-grid-flag">⚠ {len(grid.flagged)} cell(s) fail the integrity check '
                    f'数据核对不一致</span>')
    head = f'<div class="qa-grid-head">{" · ".join(bits)}</div>'
    if not facts:
        note = "空表 (the document prints this table empty)." if table.get("empty") else "No figures were parsed from this table."
        return f'<div class="qa-grid">{head}<div class="qa-grid-empty">{html.escape(note)}</div></div>'
    with_code = any(r.code for r in grid.rows)
    ths = (["<th>科目编码</th>"] if with_code else []) + ["<th>项目</th>"] + [
        f"<th>{html.escape(c)}</th>" for c in grid.columns]
    body = []
    for r in grid.rows:
        tds = []
        if with_code:
            tds.append(f'<td class="qa-code">{html.escape(r.code)}</td>')
        depth = max(0, (len(r.code) - 3) // 2) if r.code.isdigit() else 0
        mark = ' <span class="qa-grid-flag" title="{}">⚠</span>'.format(
            html.escape("\n".join(r.issues))) if r.issues else ""
        tds.append(f'<td class="qa-label" style="padding-left:{6 + 14 * depth}px">{html.escape(r.label)}{mark}</td>')
        for c in grid.columns:
            k = r.cells.get(c)
            if k is None:
                tds.append('<td class="qa-cell-blank"></td>')
                continue
            f = facts[k]
            cls = "qa-cell qa-cell-issue" if k in grid.flagged else "qa-cell"
            tip = f"line {f.line}" + ("".join("\n⚠ " + m for m in grid.flagged.get(k, [])))
            tds.append(f'<td class="{cls}" data-fact="{html.escape(grid_ref(no, k))}" title="{html.escape(tip)}">'
                       f"{html.escape(format_value(f.value, f.unit))}</td>")
        body.append(f"<tr>{''.join(tds)}</tr>")
    extra = ""
    if grid.unplaced:
        extra = '<div class="qa-grid-note">' + "<br>".join(f"⚠ {html.escape(m)}" for m in grid.unplaced) + "</div>"
    legend = ('<div class="qa-grid-legend">Click a number to see its source lines. 点击数字查看原文。'
              + (' Marked cells: the document\'s own figures disagree (hover for the check).' if grid.flagged else "")
              + "</div>")
    table_html = (f'<div class="qa-grid-scroll"><table class="qa-grid-table"><thead><tr>{"".join(ths)}</tr></thead>'
                  f'<tbody>{"".join(body)}</tbody></table></div>')
    return f'<div class="qa-grid">{head}{legend}{table_html}{extra}</div>'


# ---------------------------------------------------------------- upload / ingest

MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024


def too_large_message(size: int, limit: int = MAX_UPLOAD_BYTES) -> str:
    """The refusal for an upload over the size limit.

    Args:
        size: the file's size in bytes.
        limit: the limit in bytes.
    """
    mb = 1024 * 1024
    return (f"file is {size / mb:.1f} MB; uploads are limited to {limit / mb:.0f} MB per file "
            f"(单个文件不得超过 {limit / mb:.0f} MB)")

@dataclass
class FileOutcome:
    """What happened to one uploaded file."""

    name: str
    status: str  # "added" | "updated" | "unchanged" | "error"
    error: str = ""
    department: str = ""
    year: int | None = None
    facts: int | None = None
    tables: int | None = None
    warnings: int | None = None


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def outcomes_from_report(report: Any, fallback_name: str) -> list[FileOutcome]:
    """Read per-file results out of an IngestReport (list-like or with .files/.results).

    Args:
        report: what `ingest_paths` returned.
        fallback_name: file name to use when the report does not name it.
    """
    items = _get(report, "files", "results", "items", default=None)
    if items is None:
        items = report if isinstance(report, (list, tuple)) else [report]
    out = []
    for r in items:
        warnings = _get(r, "warnings", default=None)
        if isinstance(warnings, (list, tuple)):
            warnings = len(warnings)
        out.append(
            FileOutcome(
                name=str(_get(r, "name", "doc", default=fallback_name)),
                status=str(_get(r, "status", default="added")),
                error=str(_get(r, "error", "message", default="") or ""),
                department=str(_get(r, "department", default="") or ""),
                year=_get(r, "year", default=None),
                facts=_get(r, "facts", default=None),
                tables=_get(r, "tables", default=None),
                warnings=warnings,
            )
        )
    return out


def ingest_files(
    paths: Sequence[str],
    ingest_one: Callable[[str], Any],
    progress: Callable[[int, int, str], None] | None = None,
) -> list[FileOutcome]:
    """Ingest uploaded files one at a time so one bad file cannot stop the others.

    Args:
        paths: local paths of the uploaded files.
        ingest_one: ingests one path and returns an IngestReport (may raise).
        progress: called with (index, total, file name) before each file.
    """
    outcomes: list[FileOutcome] = []
    total = len(paths)
    for i, path in enumerate(paths):
        name = Path(path).name
        if progress:
            progress(i, total, name)
        try:
            got = outcomes_from_report(ingest_one(path), name)
        except Exception as exc:  # a bad file is reported, never fatal to the session
            log.warning("ingest of %s failed: %s", name, exc)
            got = [FileOutcome(name=name, status="error", error=f"{type(exc).__name__}: {exc}")]
        for o in got:
            # Uploads sit in random temporary folders; the user knows the file by its name.
            o.error = o.error.replace(str(path), name)
        outcomes.extend(got)
    if progress:
        progress(total, total, "")
    return outcomes


def upload_overrides(department: str | None, year: str | int | None, kind: str | None) -> tuple[dict[str, Any], str]:
    """The department / year / kind the upload form gives, and a message when one is not
    valid ("" when all are). Blank fields are left out: they are read from the text.

    Args:
        department: the publishing department typed in the form.
        year: the budget year typed in the form.
        kind: 预算, 决算, 其他 or "".
    """
    out: dict[str, Any] = {}
    department = (department or "").strip()
    if department:
        if len(department) > 60 or "\n" in department:
            return {}, "The department must be one name of at most 60 characters. 部门名称过长。"
        out["department"] = department
    year_text = str(year if year is not None else "").strip()
    if year_text:
        if not re.fullmatch(r"\d{4}", year_text) or not 1900 <= int(year_text) <= 2100:
            return {}, f"Not a budget year: {md_escape(year_text)}. 年度应为四位数字，如 2024。"
        out["year"] = int(year_text)
    kind = (kind or "").strip()
    if kind:
        if kind not in ("预算", "决算", "其他"):
            return {}, f"Kind must be 预算, 决算 or 其他, not {md_escape(kind)}."
        out["kind"] = kind
    return out, ""


def format_ingest_report(outcomes: Sequence[FileOutcome]) -> str:
    """Markdown summary of an upload: one row per file, errors spelled out.

    Args:
        outcomes: per-file results.
    """
    if not outcomes:
        return "No files uploaded."
    icon = {"added": "✓", "updated": "↻", "unchanged": "=", "removed": "🗑", "error": "✗"}
    rows = ["| file | status | department | year | facts | note |", "|---|---|---|---|---|---|"]
    for o in outcomes:
        note = o.error if o.status == "error" else (f"{o.warnings} warnings" if o.warnings else "")
        rows.append(
            "| " + " | ".join(
                [md_escape(o.name), f"{icon.get(o.status, '')} {o.status}", md_escape(o.department),
                 "" if o.year is None else str(o.year),
                 "" if o.facts is None or o.status == "error" else str(o.facts),
                 md_escape(shorten(note, 200))]
            ) + " |"
        )
    errors = sum(o.status == "error" for o in outcomes)
    ok = len(outcomes) - errors
    if all(o.status in ("removed", "error") for o in outcomes):
        return f"**{ok} document(s) removed, {errors} failed.**\n\n" + "\n".join(rows)
    summary = f"**{ok} file(s) ingested, {errors} failed.**"
    if errors:
        summary += " Failed files were skipped; the existing index is unchanged for them."
    return summary + "\n\n" + "\n".join(rows)


_STAGE_LABELS = {
    "removing": "⏳ removing 删除",
    "queued": "… queued 排队中",
    "reading": "⏳ reading 读取",
    "parsing": "⏳ loading & parsing 解析",
    "embedding": "⏳ embedding & storing 向量化并写入",
    "done": "✓ done 完成",
    "error": "✗ failed 失败",
}


def format_ingest_progress(view: dict[str, Any]) -> str:
    """Markdown of a running upload: the job's phase and each file's stage.

    Args:
        view: `IngestJob.view()`: {"phase", "files": [(name, stage, note)], ...}.
    """
    files = view.get("files") or []
    finished = sum(stage in ("done", "error") for _, stage, _ in files)
    phase = view.get("phase")
    if phase == "queued":
        head = "**Waiting for an earlier upload to finish…** 等待前一个导入完成…"
    elif phase == "loading":
        head = "**Loading the new index…** 正在载入新索引…"
    elif view.get("kind") == "remove":
        head = f"**Removing {len(files)} document(s)…** 正在删除…"
    else:
        head = f"**Ingesting: {finished} of {len(files)} file(s) done…** 导入中…"
    head += ("\n\nThe chat keeps answering from the documents already loaded until this finishes. "
             "导入完成前，问答按已载入的文档进行。")
    rows = ["| file | stage | note |", "|---|---|---|"]
    for name, stage, note in files:
        rows.append(f"| {md_escape(name)} | {_STAGE_LABELS.get(stage, stage)} | {md_escape(shorten(note, 160))} |")
    return head + "\n\n" + "\n".join(rows)


def changed(outcomes: Sequence[FileOutcome]) -> bool:
    """True when an upload added, updated or removed any document (the assistant must reload).

    Args:
        outcomes: per-file results.
    """
    return any(o.status in ("added", "updated", "removed") for o in outcomes)


def issues_markdown(issues: Sequence[Any]) -> str:
    """Markdown list of a document's integrity issues (figures that do not add up).

    Args:
        issues: IntegrityIssue records of one document.
    """
    if not issues:
        return ""
    rows = [f"- 表{md_escape(i.table_no)} · line {i.line}: {md_escape(i.message)}" if i.table_no
            else f"- line {i.line}: {md_escape(i.message)}" for i in issues]
    return "**⚠ Integrity checks 数据核对** — places where the document's own figures disagree:\n\n" + "\n".join(rows)


_LOOPBACK = {"127.0.0.1", "localhost", "::1", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True when host only accepts local connections.

    Args:
        host: the interface the server binds.
    """
    return host in _LOOPBACK or host.startswith("127.")


def login_from_env(environ: dict[str, str]) -> tuple[str, str] | None:
    """Login pair from QA_UI_USER / QA_UI_PASSWORD.

    When both are set the login is enforced on every interface, loopback too: behind a
    reverse proxy every visitor arrives from 127.0.0.1.

    Args:
        environ: environment variables.

    Returns:
        (user, password) when both are set, else None.
    """
    user, password = environ.get("QA_UI_USER", ""), environ.get("QA_UI_PASSWORD", "")
    if user and password:
        return (user, password)
    return None


def startup_refusal(host: str, environ: dict[str, str], public: bool = False) -> str | None:
    """Why the app must not start as configured, or None when it may.

    Safe by default: beyond loopback a login is required unless `--public` says that an
    open page is intended; half-set credentials are refused everywhere (one forgotten
    variable must not silently turn the login off).

    Args:
        host: the interface the server binds.
        environ: environment variables.
        public: the operator passed --public.
    """
    user, password = environ.get("QA_UI_USER", ""), environ.get("QA_UI_PASSWORD", "")
    if bool(user) != bool(password):
        missing = "QA_UI_PASSWORD" if user else "QA_UI_USER"
        return f"{missing} is not set: set both QA_UI_USER and QA_UI_PASSWORD, or neither."
    if user and password:
        return None
    if not is_loopback(host) and not public:
        return (f"refusing to serve on {host} without a login: set QA_UI_USER and QA_UI_PASSWORD, "
                "or pass --public to serve an open page on purpose.")
    return None


def index_status(n_documents: int, ingesting: bool = False) -> str:
    """One line for the chat tab saying what is loaded (or how to load something).

    The index's location is server configuration and never shown on the page.

    Args:
        n_documents: documents in the index.
        ingesting: an upload is being ingested (answers still come from the loaded index).
    """
    busy = (" An upload is being ingested; answers come from the documents loaded until it "
            "finishes. 正在导入新文件，完成前按已载入的文档回答。") if ingesting else ""
    if n_documents == 0:
        return ("**No documents loaded.** Add files on the Upload tab, or run "
                "`qa ingest corpus/` and reload the page. 尚未载入文档。" + busy)
    return f"{n_documents} document(s) loaded. 已载入 {n_documents} 份文档。" + busy
