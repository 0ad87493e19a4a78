"""Year-on-year operations: last year's figure (a 上年 column, this year minus the stated
change, or last year's document) and the change or growth rate between the two."""

from __future__ import annotations

import re

from qa.agent.context import Context, DocData
from qa.agent.matching import ACCEPT, label_of, best_matches, metric_forms
from qa.agent.outcome import Outcome, answered, doc_label, doc_label_en, not_found
from qa.agent.understand import LEXICON, Program
from qa.tools import ops
from qa.tools.facts import Match, column_kind, find_facts, norm_label
from qa.types import Citation, Fact, ToolResult

_OWN_AMOUNT_COLUMNS = ("预算数", "决算数", "年初预算数", "全年预算数")
_PRIOR_Q = re.compile(r"上年(?!结转|结余)|去年|上一年|last year|previous year", re.I)


def _change_fact(dd: DocData, metric: str, q: Program) -> Fact | None:
    ms = best_matches(dd, metric, "change", q)
    for m in ms:
        if column_kind(m.fact.column) == "change" and m.fact.unit != "%":
            return m.fact
    return None


def _rate_fact(dd: DocData, metric: str, q: Program, near: Fact | None) -> Fact | None:
    for form in metric_forms(metric):
        for m in find_facts(dd.facts, form, want="percent", narrow_ok=q.narrow, min_score=ACCEPT, limit=20):
            f = m.fact
            if f.unit == "%" and column_kind(f.column) in ("percent", "change") and "占" not in f.column:
                if near is None or (f.line - near.line) in range(-1, 4):
                    return f
    return None


def _change_beside_figure(dd: DocData, cur: Fact) -> Fact | None:
    """The change stated right after the same figure printed elsewhere ("住房公积金（项）…
    预算数为 89.95 万元，比上年预算增加 12.30 万元" for the 89.95 of 住房保障支出): the figure,
    not the words, links a sentence that names the item otherwise."""
    if cur.value is None or not cur.value:
        return None
    figures, changes = dd.derived(("prose_figures_and_changes",), lambda: _prose_figures_and_changes(dd.facts))
    for f in figures.get((cur.value, cur.unit), ()):
        said = changes.get((f.line, f.label, f.unit))
        if said is not None:
            return said
    return None


def _prose_figures_and_changes(facts: list[Fact]) -> tuple[dict, dict]:
    """A document's prose figures by (value, unit), in line order, and the first change
    stated on each (line, label, unit): indexed once per document."""
    figures: dict[tuple, list[Fact]] = {}
    changes: dict[tuple, Fact] = {}
    for f in sorted(facts, key=lambda x: x.line):
        if f.source == "prose" and column_kind(f.column) == "total":
            figures.setdefault((f.value, f.unit), []).append(f)
    for g in facts:
        if g.source == "prose" and column_kind(g.column) == "change":
            changes.setdefault((g.line, g.label, g.unit), g)
    return figures, changes


def _prior_fact(dd: DocData, metric: str, q: Program) -> Fact | None:
    ms = best_matches(dd, metric, "prior", q)
    for m in ms:
        if column_kind(m.fact.column) == "prior":
            return m.fact
    return None


def _previous_year_doc(dd: DocData) -> DocData | None:
    """Another loaded document of the same department for the year before."""
    return dd.previous


def _prior_from_previous_doc(q: Program, dd: DocData, metric: str) -> Fact | None:
    prev = _previous_year_doc(dd)
    if prev is None:
        return None
    ms = best_matches(prev, metric, "total", q)
    return ms[0].fact if ms else None


def do_prior(q: Program, dd: DocData, metric: str) -> Outcome:
    """Last year's figure: a 上年 column, or this year's figure minus the stated change,
    or the figure in last year's document of the same department."""
    pf = _prior_fact(dd, metric, q) or _prior_from_previous_doc(q, dd, metric)
    if pf:
        out = answered("yoy", dd, ops.lookup(pf), label_of(pf, metric))
        out.derived = "prior"
        return out
    cur = best_matches(dd, metric, "total", q)
    ch = _change_fact(dd, metric, q) or (_change_beside_figure(dd, cur[0].fact) if cur else None)
    if ch is not None and ch.source == "prose":
        # the figure stated with the change ("收入预算:年初预算数646.16万元…收入较上年增加…")
        own = [f for f in dd.facts if f.label == ch.label and f.unit == ch.unit and f.source == "prose"
               and f.column in _OWN_AMOUNT_COLUMNS and 0 <= ch.line - f.line <= 1]
        # the page's own figure (决算数 on a final account), not the budget it was measured against
        final = getattr(dd.document, "kind", "") == "决算"
        own.sort(key=lambda f: (column_kind(f.column) != "total", final and "决算" not in f.column, f.line != ch.line))
        if own:
            cur = [Match(own[0], 1.0)] + list(cur)
    if cur and ch:
        res = ops.difference(cur[0].fact, ch)
        out = answered("yoy", dd, res, label_of(cur[0].fact, metric))
        out.derived = "prior"
        return out
    rate = _rate_fact(dd, metric, q, cur[0].fact) if cur and cur[0].score >= ACCEPT else None
    if rate is not None and rate.column == "增长率" and rate.value > -100:
        # "444.16万元，同比下降19%": last year's from this year's and the stated rate
        res = ops.prior_by_rate(cur[0].fact, rate)
        if res.value is not None:
            out = answered("yoy", dd, res, label_of(cur[0].fact, metric))
            out.derived = "prior"
            return out
    if q.year and cur:
        # "at the end of 2023" of a 2024 budget: a stock the document states as of that
        # year's end (截至2023年底 …) is this document's own figure
        f = cur[0].fact
        as_of = LEXICON.cue_words.get("as_of_year_end")
        if as_of and any(m.group(1) == str(q.year) for m in as_of.finditer(dd.lead_in(f.line))):
            return answered("lookup", dd, ops.lookup(f), label_of(f, metric))
    return not_found(
        "yoy",
        f"{doc_label(dd)}未披露上年的“{metric.replace(' ', '')}”。",
        f"{doc_label_en(dd)} does not disclose last year's “{metric.replace(' ', '')}”.",
        dd,
    )


def _stated_or(stated: Fact, computed: ToolResult | None) -> ToolResult:
    """The rate the document prints (增长1,055.4%) where it is the computed one within what
    rounding the printed amounts allows (20.63 / 1.96 gives 1,052.55%); else the arithmetic,
    which is more precise (77.44% for a printed 77%) or right where the page is wrong."""
    if computed is None or computed.value is None:
        return ops.lookup(stated)
    x, other = computed.operands[0], computed.operands[1]
    bound = ops.rate_rounding(x, other, column_kind(other.column) == "change")
    return ops.lookup(stated) if abs(computed.value - stated.value) <= bound else computed


def _headline(dd: DocData) -> str:
    """The figure a page is about when a question names none ("比上年减少了多少？" on a 三公
    statement): the item its title names, among the genre's headline figures; "" if none."""
    title = norm_label(getattr(dd.document, "title", "") or "")
    return next((item for word, item in LEXICON.headlines if word in title), "")


def do_yoy(q: Program, dd: DocData) -> Outcome:
    metric = q.metric or _headline(dd)
    if not metric:
        return not_found("yoy", "没能从问题中识别出要比较的指标。", "I could not tell which figure to compare.", dd)
    if _PRIOR_Q.search(q.question) and not re.search(
            r"比|较|相比|同比|增|减|少|多|变化|change|grow|rise|fall|drop|compare|increase|decrease|up|down|more|less|differ",
            q.question, re.I):
        return do_prior(q, dd, metric)
    cur = best_matches(dd, metric, "total", q)
    ch = _change_fact(dd, metric, q)
    prior = _prior_fact(dd, metric, q)
    if prior is None and ch is None:
        prior = _prior_from_previous_doc(q, dd, metric)
    cur_f = cur[0].fact if cur else None
    if ch is None and prior is None and cur_f is not None:
        ch = _change_beside_figure(dd, cur_f)
    if ch is not None and ch.source == "prose":
        # the figure stated in the same sentence as the change is the one it refers to
        same = [f for f in dd.facts if f.line == ch.line and f.label == ch.label and f.unit == ch.unit
                and column_kind(f.column) == "total"]
        if same:
            cur_f = same[0]
    out: Outcome | None = None
    if cur_f and prior:
        diff, rate = ops.growth(cur_f, prior)
        out = answered("yoy", dd, diff, label_of(cur_f, metric))
        out.rate = rate
        out.change = diff.value
        if ch:
            out.citations.append(Citation.of(ch))
            rf = _rate_fact(dd, metric, q, ch)
            if rf is not None:
                out.stated_rate = rf
                out.rate = _stated_or(rf, rate)
    elif ch:
        res = ops.lookup(ch)
        out = answered("yoy", dd, res, label_of(cur_f or ch, metric))
        out.change = ch.value
        if cur_f:
            out.rate = ops.rate_from_change(cur_f, ch)
            out.citations.append(Citation.of(cur_f))
        rf = _rate_fact(dd, metric, q, ch)
        if rf is not None:
            out.citations.append(Citation.of(rf))
            out.stated_rate = rf
            out.rate = _stated_or(rf, out.rate)
    if out is None and cur_f is not None and cur and cur[0].score >= ACCEPT:
        # "收入137.78亿元，同比增长5%": only the rate is stated, and it is the answer
        rf = _rate_fact(dd, metric, q, cur_f)
        if rf is not None and rf.column == "增长率":
            out = answered("yoy", dd, ops.lookup(rf), label_of(cur_f, metric))
            out.citations.append(Citation.of(cur_f))
            out.stated_rate = rf
            out.rate = ops.lookup(rf)
            out.derived = "rate"
            return out
    if out is None:
        return not_found(
            "yoy",
            f"{doc_label(dd)}没有披露“{metric.replace(' ', '')}”与上年的比较。",
            f"{doc_label_en(dd)} does not compare “{metric.replace(' ', '')}” with last year.",
            dd,
        )
    if q.asks_rate and out.rate is not None and out.rate.value is not None:
        out.derived = "rate"
    else:
        out.derived = "change"
    return out
