"""Reason sentences ranked against a question: every place the document states a reason
(主要原因…, 由于…) is a candidate, described by what precedes it in its sentence (the item
and how it moved); the candidate whose description best covers the question's words wins.

This is the ranking a rationale falls back on when the item's name, as the question says
it, is not written verbatim beside a reason ("公车费用为什么超了" over "公务用车购置及运行维护费
高于预算数的主要原因…"). Words the document never uses (the question's own filler) weigh
nothing; words every reason's sentence has (经费, 支出) weigh little.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher

from qa.agent.excerpts import Excerpt, enumeration_end
from qa.agent.linking import grams
from qa.agent.matching import is_heading_line
from qa.text.lexicon import load as load_lexicon
from qa.tools.facts import norm_label

_CONTEXT_CHARS = 90  # how far back a reason's sentence may name its item
_QUOTE_CHARS = 200  # a run-on reason ends at its ；past this
# coverage of the question's words the best reason's sentence must reach to be its answer
REASON_ACCEPT = 0.5


@dataclass(frozen=True)
class Reason:
    """One stated reason: its quote (from the clause that states it to the sentence end),
    the line it starts on, and the text before it that says what it is the reason for."""

    quote: str
    line: int
    context: str


def stated_reasons(lines: list[str], pattern: str) -> list[Reason]:
    """Every reason the document states, in document order (a line may hold several)."""
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for ln in lines:
        s = ln.strip()
        if s and is_heading_line(s):
            s = "。"  # a heading ends what comes before it: a page break may leave one inside a paragraph
        starts.append(pos)
        parts.append(s)
        pos += len(s)
    text = "".join(parts)

    out: list[Reason] = []
    seen: set[int] = set()
    for m in re.finditer(pattern, text):
        s = m.start()
        clause = max(text.rfind(ch, 0, s) for ch in "。；;，,")
        if clause >= 0 and s - clause <= 40:
            s = clause + 1
        if s in seen:
            continue
        seen.add(s)
        end = text.find("。", m.end())
        e = end + 1 if end >= 0 else len(text)
        if e - s > _QUOTE_CHARS:
            semi = re.search(r"[；;]", text[s:e])
            e = s + semi.end() if semi else s + _QUOTE_CHARS
        e = enumeration_end(text, s, e)
        sentence = max(text.rfind("。", 0, m.start()), m.start() - _CONTEXT_CHARS - 1)
        if m.start() - sentence <= 4:
            # "…下降21.81%。主要原因是…": a reason opening its own sentence is the one before's
            sentence = max(text.rfind("。", 0, sentence), sentence - _CONTEXT_CHARS)
        context = text[max(0, sentence + 1):m.start()]
        quote = text[s:e].strip()
        if quote:
            out.append(Reason(quote, bisect_right(starts, s), context))  # the last line starting at or before s
    return out


def context_named(kind: str, text: str) -> set[str]:
    """The names of the lexicon's reason_context of one kind ("baselines": last_year, budget;
    "directions": up, down) whose words the text uses."""
    return {name for name, pat in load_lexicon().reason_context.get(kind, {}).items() if pat.search(text)}


def best_reason(question: str, item: str, lines: list[str], pattern: str, squeezed: str) -> Excerpt | None:
    """The stated reason whose sentence best covers the question's item words.

    Args:
        question: the question as asked (its direction words: 超了, 少了).
        item: the question's item phrase (the metric).
        lines: the document's search lines.
        pattern: the regex of a stated reason (lexicon reason_stated, or purpose and basis).
        squeezed: the document's whitespace-free, normalised label text: a question word
            the document never writes is the question's own and weighs nothing.
    """
    reasons = stated_reasons(lines, pattern)
    if not reasons:
        return None
    wanted = {g for g in grams(norm_label(re.sub(r"\d[\d.,]*", " ", item))) if g in squeezed}
    if not wanted:
        return None
    texts = [norm_label(r.context + r.quote) for r in reasons]
    described = [grams(t) for t in texts]
    df: dict[str, int] = {}
    for gs in described:
        for g in gs & wanted:
            df[g] = df.get(g, 0) + 1
    n = len(reasons)

    def w(g: str) -> float:
        return math.log(1 + n / (1 + df.get(g, 0)))

    mass = math.fsum(w(g) for g in sorted(wanted))
    asked = context_named("directions", question)
    name = norm_label(re.sub(r"\d[\d.,]*", "", item))
    best: tuple[float, int] | None = None
    for i, gs in enumerate(described):
        cov = math.fsum(w(g) for g in sorted(wanted & gs)) / mass
        said = context_named("directions", reasons[i].context)
        if asked and said:
            cov += 0.1 if asked & said else -0.1
        # scattered pairs (事业 … 收入 of 机关事业单位…收入) describe another item: the
        # sentence must share a run of three with the item, or two and the way it moved
        text = texts[i]
        run = SequenceMatcher(None, name, text, autojunk=False).find_longest_match(0, len(name), 0, len(text)).size
        if run < 3 and not (run >= 2 and asked & said):
            continue
        if best is None or cov > best[0] + 1e-9:
            best = (cov, i)
    if best is None or best[0] < REASON_ACCEPT:
        return None
    r = reasons[best[1]]
    return Excerpt(r.quote, r.line)
