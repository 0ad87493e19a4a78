"""One body's figure over several of its years, each from that year's own document
("江苏检察院2017年和2018年培训费加起来", "从2017年到2019年涨了百分之多少", "这三年平均每年多少")."""

from __future__ import annotations

import re
from dataclasses import replace

from qa.agent.outcome import Outcome
from qa.agent.understand import LEXICON, Program, asks_multiple, has_cue_word
from qa.tools import ops
from qa.types import UNIT_TO_YUAN, Fact


# what a figure over several years can be asked as (a reason, a list or a policy is each
# document's own)
OVER_YEARS_OPS = ("sum", "average", "yoy", "diff", "compare", "lookup", "count")


def per_year_question(q: Program, year: int) -> Program:
    """The question asked of one year: its figure, without the words about the years."""
    filler = LEXICON.cue_words.get("across_years_filler")
    metric = filler.sub(" ", q.metric) if filler is not None else q.metric
    metric = re.sub(r"\s+", " ", metric).strip() or q.metric
    op = "count" if q.op == "count" else "lookup"
    return replace(q, year=year, years=(), all_years=False, op=op, metric=metric, want="total",
                   actual=False, direction="", asks_rate=False)


def _as_one_figure(o: Outcome) -> Fact | None:
    """A year's answer as one figure: its fact, or its sum of parts (三公经费 added up) carried
    as a fact of that value (the parts stay the citations)."""
    if o.status != "answered" or o.result is None or o.result.value is None or not o.result.operands:
        return None
    if len(o.result.operands) == 1:
        return o.result.operands[0]
    first = o.result.operands[0]
    return replace(first, label=o.label or first.label, value=o.result.value, unit=o.result.unit,
                   norm_value=o.result.value * UNIT_TO_YUAN.get(o.result.unit, 1.0))


def combine(q: Program, per_year: list[tuple[int, Outcome]]) -> Outcome:
    """The figures of the years combined as the question asks (an op of OVER_YEARS_OPS):
    added up, averaged, the change from the first year to the last (with its rate), one as a
    multiple of the other, the largest, or each year's figure (a small table)."""
    named = [(f"{y}年", o) for y, o in per_year]
    out = Outcome(status="answered", op="each", per_department=named)
    for _, o in per_year:
        out.citations.extend(o.citations)
        out.warnings.extend(o.warnings)
    facts = [f for _, o in per_year if (f := _as_one_figure(o)) is not None]
    if len(facts) != len(per_year):
        return out  # a year without its figure: each year as far as stated
    if asks_multiple(q.question) and len(facts) == 2:
        # "2018年的是2017年的几倍": the year said first as a multiple of the other
        out.op, out.derived, out.winner = "compare", "multiple", named[0][0]
        out.result = ops.times(facts[0], facts[1])
    elif q.op == "sum":
        out.op, out.result = "diff_departments", ops.total(facts)
    elif q.op == "average" or has_cue_word("per_year_average", q.question):
        out.op, out.result = "years_mean", ops.mean(facts)
    elif q.op in ("yoy", "diff"):
        by_year = sorted(zip((y for y, _ in per_year), facts), key=lambda yf: yf[0])
        change, rate = ops.growth(by_year[-1][1], by_year[0][1])  # from the first year to the last
        out.op, out.result, out.rate = "years_change", change, rate
        out.per_department = sorted(named, key=lambda n: n[0])  # (shown from the first year)
        if q.asks_rate and rate is not None:
            out.result, out.rate = rate, change
    elif q.op == "compare":
        picked = ops.compare([(n, o.result) for n, o in named], largest=q.largest)
        if picked is not None:
            out.op = "compare"
            out.winner, out.result = picked
    return out
