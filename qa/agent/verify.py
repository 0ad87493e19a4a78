"""Step 4: check an outcome before it is composed. Disagreements become warnings, never
silent: a table figure vs the 说明 text's restatement, a stated growth rate or share vs
the computed one, and the store's integrity issues on the cited lines."""

from __future__ import annotations

import re

from qa.agent.plan import Outcome
from qa.tools.arith import fmt
from qa.tools.facts import NARROWING_TITLE_WORDS, column_kind, label_similarity, norm_label, same_figure
from qa.types import Citation, Fact

RATE_TOLERANCE = 0.05  # percentage points: documents round rates to 1 or 2 decimals


def _prose_restatements(outcome: Outcome, fact: Fact) -> tuple[list[Fact], list[Fact]]:
    """Prose facts stating the same metric in the same document: (agreeing, disagreeing)."""
    agree, disagree = [], []
    dd = outcome.doc
    if dd is None or fact.source == "prose":
        return agree, disagree
    lab = norm_label(fact.label)
    if len(lab) < 3:
        return agree, disagree
    scope = {w for w in NARROWING_TITLE_WORDS if w in norm_label(fact.table_title)}
    for f in dd.facts:
        if f.source != "prose" or f.unit != fact.unit or column_kind(f.column) != "total":
            continue
        if {w for w in NARROWING_TITLE_WORDS if w in norm_label(f.section)} != scope:
            continue  # a 一般公共预算 paragraph restates a narrower figure than an all-funds table
        if label_similarity(lab, norm_label(f.label)) < 0.97:
            continue
        (agree if same_figure(f, fact) else disagree).append(f)
    return agree, disagree


def verify(outcome: Outcome, lang: str = "zh") -> Outcome:
    """Add corroborating citations and discrepancy warnings to an answered outcome.

    Args:
        outcome: from plan.run_one (modified in place and returned).
        lang: "zh" or "en", the language of the warnings.
    """
    if outcome.status != "answered":
        return outcome
    res = outcome.result
    if res is not None and res.operands and outcome.op == "lookup" and len(res.operands) == 1:
        fact = res.operands[0]
        agree, disagree = _prose_restatements(outcome, fact)
        for f in agree[:1]:
            if all(c.line != f.line for c in outcome.citations):
                outcome.citations.append(Citation.of(f))
        for f in disagree[:1]:
            outcome.warnings.append(
                f"说明文字（第{f.line}行）写作 {fmt(f.value)} {f.unit}，与表中数字 {fmt(fact.value)} {fact.unit} 不一致。"
                if lang == "zh"
                else f"The text (line {f.line}) states {fmt(f.value)} {f.unit}, but the table gives {fmt(fact.value)} {fact.unit}."
            )
    rate = outcome.rate
    st = outcome.stated_rate
    if rate is not None and st is not None and rate.value is not None and rate.computation:
        stated = abs(st.value)
        from qa.tools.ops import fact_places

        tol = max(RATE_TOLERANCE, 0.5 * 10 ** -fact_places(st) + 0.005)  # "73%" is a rounded 73.41%
        if abs(abs(rate.value) - stated) > tol:
            def zh(v: float) -> str:
                return f"{'增长' if v > 0 else '下降' if v < 0 else '变化'} {fmt(abs(v))}%"

            computed = float(rate.value)
            outcome.warnings.append(
                f"文件写明{zh(st.value)}（第{st.line}行），但按文件中的数字计算为{zh(round(computed, 2))}，二者不一致；答案采用计算值。"
                if lang == "zh"
                else f"The document states a change of {fmt(st.value)}% (line {st.line}), but its own figures give "
                     f"{fmt(computed, 2)}%; the answer uses the computed value."
            )
    if outcome.op == "ratio" and res is not None and res.value is not None and outcome.doc is not None:
        part = res.operands[0]
        for f in outcome.doc.facts:
            if f.unit == "%" and f.source == "prose" and re.search(r"占|比重", f.column) \
                    and label_similarity(norm_label(part.label), norm_label(f.label)) >= 0.9 and abs(f.line - part.line) < 400:
                if abs(f.value - res.value) > RATE_TOLERANCE:
                    outcome.warnings.append(
                        f"文件写明占比为 {fmt(f.value)}%（第{f.line}行），按数字计算为 {fmt(res.value, 2)}%。"
                        if lang == "zh"
                        else f"The document states a share of {fmt(f.value)}% (line {f.line}); its figures give {fmt(res.value, 2)}%."
                    )
                else:
                    outcome.citations.append(Citation.of(f))
                break
    if outcome.doc is not None:
        lines = {c.line for c in outcome.citations}
        own = {st.line} if (st is not None and outcome.warnings) else set()
        for issue in outcome.doc.issues:
            if issue.line in lines and issue.line not in own:
                msg = issue.message
                named = re.match(r"^([^:：\s]{2,20})[:：]", msg)
                if named and outcome.label and not _same_item(named.group(1), outcome.label):
                    continue  # another item stated on the same line ("基本支出 …，项目支出 …")
                if msg not in outcome.warnings and not any(msg in w for w in outcome.warnings):
                    outcome.warnings.append(msg)
    # never cite the same text twice: a quote inside another quote of the same line goes
    seen, cites = set(), []
    for c in outcome.citations:
        key = (c.doc, c.line, c.quote)
        if not c.quote or key in seen:
            continue
        if any(o is not c and o.doc == c.doc and o.line == c.line and c.quote in o.quote and o.quote != c.quote
               for o in outcome.citations):
            continue
        seen.add(key)
        cites.append(c)
    outcome.citations = cites
    return outcome


def _same_item(a: str, b: str) -> bool:
    """Whether an issue's item name and an answer's label name the same thing."""
    from qa.tools.facts import label_similarity, norm_label

    x, y = norm_label(a), norm_label(b)
    return bool(x and y) and (x in y or y in x or label_similarity(x, y) >= 0.8)
