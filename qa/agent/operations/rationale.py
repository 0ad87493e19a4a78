"""The rationale operation: the document's stated reason for a figure (主要原因, 用于),
or the sentences retrieved for it."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from qa.agent.allocations import allocation_items
from qa.agent.context import DocData
from qa.agent.excerpts import Excerpt, ITEM_START, lines_matching, sentence_around, sentence_matching
from qa.agent.matching import is_heading_line, metric_forms, to_half
from qa.agent.outcome import Outcome, doc_label, doc_label_en, not_found
from qa.agent.reasons import best_reason, context_named
from qa.agent.understand import Program
from qa.text.lexicon import load as load_lexicon
from qa.tools.facts import column_kind, find_facts, norm_label
from qa.types import Citation, Fact

log = logging.getLogger(__name__)
_QUOTED = "[“”\"'‘’]?"
LEXICON = load_lexicon()

_WORDS = LEXICON.cue_words
# how the document states a reason, a purpose, a basis: lexicon data, read once
_REASON = _WORDS["reason_stated"].pattern
_BASIS = _WORDS["basis_stated"].pattern
_PURPOSE = _WORDS["purpose_stated"].pattern
_ANY_STATED = "|".join([_REASON, _PURPOSE, _BASIS])


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
    asks_basis = bool(_WORDS["asks_basis"].search(q.question))
    pat = _BASIS if asks_basis else _REASON if _WORDS["asks_reason"].search(q.question) \
        else _PURPOSE if _WORDS["asks_purpose"].search(q.question) else _ANY_STATED
    forms = metric_forms(re.sub(r"政策|设立|项目(?=$|\s)", " ", q.metric).strip()) or metric_forms(q.metric)
    # "三公经费决算" is the item 三公经费 asked of its actual column: the text writes the
    # item's name apart from that word ("“三公”经费支出决算")
    forms += [f for f in (_WORDS["actual_columns"].sub("", f) for f in forms) if len(f) >= 2 and f not in forms]
    found: list[tuple[Excerpt, Fact | None, str, str]] = []
    for form in forms:
        anchors: list[tuple[int, Fact | None]] = []
        if not asks_basis:
            cands = [m for m in find_facts(dd.facts, form, want="change", narrow_ok=q.narrow, min_score=0.55, limit=30)
                     if m.fact.source == "prose" and column_kind(m.fact.column) == "change"]
            cands.sort(key=lambda m: -m.score)
            anchors += [(m.fact.line, m.fact) for m in cands]
        # “三公”经费 names 三公经费 too: quotes may stand between the characters
        anchors += [(ex.line, None) for ex in lines_matching(dd.search_lines, _QUOTED.join(map(re.escape, form)))[:15]
                    if not re.search(r"\d+\.\d\d\s+\d", ex.quote)]  # prose lines, not table rows
        for line, fact in anchors:
            # a reason stated before the item on its line is another item's
            after = form if fact is None and form in dd.search_lines[line - 1] else None
            ex = sentence_matching(dd.search_lines, line, pat, max_lines=8, after=after, stop=ITEM_START,
                                   whole=pat == _REASON)
            if ex and fact is None and is_heading_line(dd.search_lines[line - 1].strip()) \
                    and norm_label(form)[:4] not in norm_label(ex.quote):
                continue  # a heading a page break left beside another item's reason
            if ex and all(ex.quote != f[0].quote for f in found):
                found.append((ex, fact, _sentence_of(dd.search_lines, ex), form))
    spent_on = _allocation(dd, q.metric) if pat in (_ANY_STATED, _PURPOSE) else []
    if not found and not spent_on:
        # the item not written as the question says it: the reason whose sentence covers it best
        ranked = best_reason(q.question, q.metric, dd.search_lines, pat, dd.label_text)
        if ranked is not None:
            return Outcome(status="answered", op="rationale", doc=dd, label=q.metric.replace(" ", ""),
                           excerpts=[ranked], citations=[Citation(dd.document.name, ranked.quote, ranked.line)])
    if found:
        ex, fact, _, form = best_stated(q.question, q.metric, found)
        cites = [Citation(dd.document.name, ex.quote, ex.line)]
        if fact is not None:
            cites.insert(0, Citation.of(fact))
        excerpts = [ex] + [a for a in spent_on if a.quote != ex.quote]
        cites += [Citation(dd.document.name, a.quote, a.line) for a in excerpts[1:]]
        return Outcome(status="answered", op="rationale", doc=dd, label=form, excerpts=excerpts, citations=cites)
    if spent_on:
        return Outcome(status="answered", op="rationale", doc=dd, label=q.metric.replace(" ", ""), excerpts=spent_on,
                       citations=[Citation(dd.document.name, a.quote, a.line) for a in spent_on])
    parts = _parts_reasons(q, dd)
    if parts is not None:
        return parts
    if index is not None:
        out = retrieve_sentences(q, dd, index, pat)
        if out:
            return out
    return not_found("rationale", f"{doc_label(dd)}没有说明“{metric}”的原因或依据。",
                     f"{doc_label_en(dd)} gives no reason or basis for “{metric}”.", dd)


def _parts_reasons(q: Program, dd: DocData) -> Outcome | None:
    """"三公经费为啥减了" where the page gives no reason for the whole but one for each of
    its parts (lexicon ``wholes``): the parts' reasons, each quoted."""
    parts = load_lexicon().wholes.get(norm_label(q.metric))
    if not parts:
        return None
    excerpts: list[Excerpt] = []
    cites: list[Citation] = []
    for part in parts:
        for form in part.split("|"):
            sub = do_rationale(replace(q, metric=form), dd)
            if sub.status == "answered":
                new = [e for e in sub.excerpts if e not in excerpts]
                excerpts += new
                cites += [c for c in sub.citations if c not in cites]
                break
    if not excerpts:
        return None
    return Outcome(status="answered", op="rationale", doc=dd, label=q.metric.replace(" ", ""),
                   excerpts=excerpts, citations=cites)


def _allocation(dd: DocData, metric: str) -> list[Excerpt]:
    """"社会保险宣传费是干啥用的": what a project's money goes to is its 资金分配 too (微信公众号
    费用 7 万元、抖音平台托管费用 12 万元), quoted beside the purpose it states."""
    alloc = allocation_items(dd, metric)
    if alloc is None:
        return []
    return list(dict.fromkeys(Excerpt(f.quote, f.line) for f in alloc[1]))


def _sentence_of(lines: list[str], ex: Excerpt) -> str:
    """The sentence a reason excerpt ends: the text before it back to the last 。 (over a few
    lines, as PDF text breaks sentences), then the excerpt. It says what the reason is for."""
    head = lines[ex.line - 1].strip()
    k = head.find(ex.quote[:12])
    before = [ln.strip() for ln in lines[max(0, ex.line - 5):ex.line - 1]] + [head[:k] if k >= 0 else ""]
    text = "".join(before)
    cut = max(text.rfind("。"), text.rfind("；"))
    if len(text) - cut <= 4 and re.match(_REASON, ex.quote):
        # "…下降21.81%。主要原因是…": the reason opens a sentence of its own; the item is
        # named in the one before
        cut = max(text.rfind("。", 0, cut), text.rfind("；", 0, cut))
    return text[cut + 1:] + ex.quote


def _head_named(metric: str, text: str) -> int:
    """How much of the item's head (the end of its name: 项目支出 of 一般公共预算项目支出)
    the text names: the longest ending of the name found in it."""
    name, t = norm_label(metric), norm_label(text)
    return next((len(name) - i for i in range(len(name)) if name[i:] in t), 0)


def best_stated(question: str, metric: str, found: list[tuple[Excerpt, Fact | None, str, str]]
                ) -> tuple[Excerpt, Fact | None, str, str]:
    """The reason stated in the sentence of the item itself (its head noun), against what the
    question measures by (上年 or 预算) and for the way it says the figure moved; the first
    found among equals. ``found`` holds (excerpt, its figure, its sentence, the metric form
    that found it)."""
    asked = question.replace("多少", "")
    bases, ways = context_named("baselines", asked), context_named("directions", asked)

    def fit(item: tuple[Excerpt, Fact | None, str, str]) -> tuple[int, int, int]:
        ctx = item[2]
        b, w = context_named("baselines", ctx), context_named("directions", ctx)
        return (_head_named(metric, ctx),
                len(bases & b) - (1 if bases and b and not bases & b else 0),
                len(ways & w) - (1 if ways and w and not ways & w else 0))

    return max(found, key=fit)  # max keeps the first of equals


def retrieve_sentences(q: Program, dd: DocData, index, pattern: str, k: int = 6) -> Outcome | None:
    """Hybrid retrieval inside one document, then the first matching sentence."""
    from qa.retrieval import hybrid_search

    query = (q.metric.replace(" ", "") or q.question) + " " + ("原因" if pattern == _REASON else "")
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
