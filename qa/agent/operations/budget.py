"""An actual figure against its budget, on a page of actual figures (决算): the budget it
was measured against (stated, or the actual minus its stated change against the budget),
the gap between the two, and how much of the budget was used.

"支出决算为62.07万元，完成全年预算84.82万元的73.2%" and "支出总额为8,237.23万元，比年初预算
增加1317.14万元" state one row's actual figure with its budget or its change against it;
the facts of that row share its label and line."""

from __future__ import annotations

from qa.agent.context import DocData
from qa.agent.matching import best_matches, label_of
from qa.agent.outcome import Outcome, answered
from qa.agent.understand import LEXICON, Program
from qa.tools import ops
from qa.types import Citation, Fact

BUDGET_COLUMNS = ("预算数", "年初预算数", "全年预算数", "调整预算数")
AGAINST_BUDGET = "比预算增减"
BUDGET_USED = "预算完成率"
_NEAR = 0.15  # how far below the best-named figure one stated with its budget is still the item


def _cue(name: str, text: str) -> bool:
    pat = LEXICON.cue_words.get(name)
    return bool(pat is not None and pat.search(text))


def asked(q: Program) -> str:
    """Which of the three a question asks: 'used', 'gap', 'budget', or ''."""
    t = q.text
    if _cue("budget_used", t):
        return "used"
    if _cue("against_budget", t):
        return "gap"
    if _cue("budget_figure", t) and not q.actual:
        return "budget"
    return ""


def _row_metric(q: Program) -> str:
    """The metric without the words that name the budget, the actual or the gap."""
    m = q.metric
    for name in ("budget_used", "against_budget", "budget_figure", "actual_columns"):
        pat = LEXICON.cue_words.get(name)
        if pat is not None:
            m = pat.sub(" ", m)
    # a verb the comparison leaves behind ("超", "省", "少花")
    return " ".join(p for p in m.split() if len(p) >= 2)


def _siblings(dd: DocData, f: Fact) -> list[Fact]:
    return [g for g in dd.facts if g.line == f.line and g.label == f.label and g.source == f.source
            and g.table_no == f.table_no]


def against_budget(q: Program, dd: DocData) -> Outcome | None:
    """The budget side of an actual figure, or None when the question asks nothing of the
    kind or the page states no actual figure with a budget beside it."""
    kind = asked(q)
    if not kind:
        return None
    metric = _row_metric(q)
    if not metric:
        return None
    actual_cols = LEXICON.cue_words["actual_columns"]
    ms = best_matches(dd, metric, "total", q)
    if not ms or (kind == "budget" and ms[0].fact.column in BUDGET_COLUMNS):
        return None  # the budget figure is the row's own: an ordinary lookup
    budget_first = _cue("budget_named_first", q.text)
    for m in ms:
        if m.score < ms[0].score - _NEAR:
            break  # (a table's total row may name the scope better than the sentence stating both)
        f = m.fact
        if f.unit == "%":
            continue
        row = _siblings(dd, f)
        used = next((g for g in row if g.column == BUDGET_USED), None)
        label = label_of(f, metric)
        if not actual_cols.search(f.column):
            # a report of the year's execution states the figure reached without calling it
            # 决算 ("收入完成147.1亿元，完成年度预算的100.2%"): its stated rate answers
            if kind == "used" and used is not None:
                return answered("lookup", dd, ops.lookup(used), label + BUDGET_USED)
            continue
        budgets = [g for g in row if g.column in BUDGET_COLUMNS and g.unit == f.unit]
        named = [g for g in budgets if g.column[:2] in q.text]
        budget = (named or budgets or [None])[0]
        change = next((g for g in row if g.column == AGAINST_BUDGET and g.unit == f.unit), None)
        if kind == "budget":
            if budget is not None:
                return answered("lookup", dd, ops.lookup(budget), label + budget.column)
            if change is not None:
                return answered("lookup", dd, ops.difference(f, change), label + "预算数")
        elif kind == "gap":
            if change is not None and not (budget_first and budget is not None):
                return answered("diff", dd, ops.lookup(change), label + "决算与预算")
            if budget is not None:
                pair = (budget, f) if budget_first else (f, budget)
                return answered("diff", dd, ops.difference(*pair), label + "决算与预算")
        elif kind == "used":
            if budget is not None and budget.value:
                # the share computed from the two amounts printed, more precise than a printed
                # rate (68.04% for "完成预算的68%"); the printed rate is cited beside it
                out = answered("ratio", dd, ops.share(f, budget), label + BUDGET_USED)
                if used is not None:
                    out.citations.append(Citation.of(used))
                return out
            if used is not None:
                return answered("lookup", dd, ops.lookup(used), label + BUDGET_USED)
        # an equally named figure stated elsewhere may carry its budget beside it
    return None
