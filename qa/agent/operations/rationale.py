"""The rationale operation: the document's stated reason for a figure (主要原因, 用于),
or the sentences retrieved for it."""

from __future__ import annotations

import logging
import re

from qa.agent.context import DocData
from qa.agent.excerpts import Excerpt, ITEM_START, lines_matching, sentence_around, sentence_matching
from qa.agent.matching import is_heading_line, metric_forms, to_half
from qa.agent.outcome import Outcome, doc_label, doc_label_en, not_found
from qa.agent.understand import Program
from qa.tools.facts import column_kind, find_facts, norm_label
from qa.types import Citation, Fact

log = logging.getLogger(__name__)

_REASON_RE = r"主要原因|原因[是为：:]|主要用于|用于|依据"


def withheld_statement(q: Program, dd: DocData) -> Excerpt | None:
    """The document's own statement that the item the question names by its identifier
    ("特定目标 8310002B …，完全不予公开") is not disclosed."""
    ids = [t for t in re.findall(r"[0-9A-Za-z]{5,}", to_half(q.question))
           if re.search(r"\d", t) and not re.fullmatch(r"(?:19|20)\d\d", t)]
    if not ids:
        return None
    for ex in lines_matching(dd.search_lines, r"不予公开|不公开|涉密"):
        s = sentence_around(dd.search_lines, ex.line) or ex
        if any(t in re.sub(r"\s", "", s.quote) for t in ids):
            return s
    return None


def do_rationale(q: Program, dd: DocData, index=None) -> Outcome:
    """The reason (or basis) sentence for an item: from the paragraph of its prose figure or
    of a line naming it, stopping at the next item; else hybrid retrieval."""
    metric = q.metric.replace(" ", "")
    withheld = withheld_statement(q, dd)
    if withheld is not None:
        return not_found("rationale", f"{doc_label(dd)}注明该项不予公开：“{withheld.quote}”（第{withheld.line}行）。",
                         f"{doc_label_en(dd)} states that this item is not disclosed: “{withheld.quote}” (line {withheld.line}).", dd)
    # "为什么设立" asks for the project's 设立的政策依据, not a change's 主要原因
    asks_basis = bool(re.search(r"依据|basis|设立|why (?:was|is) .{0,40}(?:set up|established|created)", q.question, re.I))
    pat = r"依据" if asks_basis else (
        r"主要原因|原因[是为：:]" if re.search(r"为什么|为何|原因|why|reason", q.question, re.I) else _REASON_RE)
    forms = metric_forms(re.sub(r"政策|设立|项目(?=$|\s)", " ", q.metric).strip()) or metric_forms(q.metric)
    for form in forms:
        anchors: list[tuple[int, Fact | None]] = []
        if not asks_basis:
            cands = [m for m in find_facts(dd.facts, form, want="change", narrow_ok=q.narrow, min_score=0.55, limit=30)
                     if m.fact.source == "prose" and column_kind(m.fact.column) == "change"]
            cands.sort(key=lambda m: -m.score)
            anchors += [(m.fact.line, m.fact) for m in cands]
        anchors += [(ex.line, None) for ex in lines_matching(dd.search_lines, re.escape(form))[:15]
                    if not re.search(r"\d+\.\d\d\s+\d", ex.quote)]  # prose lines, not table rows
        for line, fact in anchors:
            ex = sentence_matching(dd.search_lines, line, pat, max_lines=8, stop=ITEM_START)
            if ex and fact is None and is_heading_line(dd.search_lines[line - 1].strip()) \
                    and norm_label(form)[:4] not in norm_label(ex.quote):
                continue  # a heading a page break left beside another item's reason
            if ex:
                cites = [Citation(dd.document.name, ex.quote, ex.line)]
                if fact is not None:
                    cites.insert(0, Citation.of(fact))
                return Outcome(status="answered", op="rationale", doc=dd, label=form, excerpts=[ex], citations=cites)
    if index is not None:
        out = retrieve_sentences(q, dd, index, pat)
        if out:
            return out
    return not_found("rationale", f"{doc_label(dd)}没有说明“{metric}”的原因或依据。",
                     f"{doc_label_en(dd)} gives no reason or basis for “{metric}”.", dd)


def retrieve_sentences(q: Program, dd: DocData, index, pattern: str, k: int = 6) -> Outcome | None:
    """Hybrid retrieval inside one document, then the first matching sentence."""
    from qa.retrieval import hybrid_search

    query = (q.metric.replace(" ", "") or q.question) + " " + ("原因" if "原因" in pattern else "")
    if q.lang == "en":
        query = q.question + " " + query  # the multilingual embeddings read the English too
    try:
        hits = hybrid_search(index, query, k=k, docs=[dd.document.name], dense=True)
    except Exception as exc:  # retrieval is a fallback; never fail the answer on it
        log.warning("retrieval failed: %s", exc)
        return None
    key = norm_label(q.metric.split(" ")[0]) if q.metric else ""
    if not key:
        return None  # without the item's name a retrieved reason may be anyone's
    for chunk, _ in hits:
        for ln in range(chunk.line_start, chunk.line_end + 1):
            if key and key not in norm_label(dd.search_lines[ln - 1]) and ln == chunk.line_start:
                pass
            ex = sentence_matching(dd.search_lines, ln, pattern, max_lines=4, stop=ITEM_START)
            # the item itself must be named nearby: two characters ("事业") also match
            # 机关事业单位 and let anyone's reason through
            probe = key if len(key) <= 6 else key[:4]
            # …in the text itself, not in a section heading a page break dropped next to
            # another item's reason
            near = [x for x in dd.search_lines[max(0, ln - 3):ln + 3] if not is_heading_line(x.strip())]
            if ex and (not key or probe in norm_label(" ".join(near))):
                return Outcome(status="answered", op="rationale", doc=dd, label=q.metric.replace(" ", ""),
                               excerpts=[ex], citations=[Citation(dd.document.name, ex.quote, ex.line)])
    return None
