"""Steps 2–3 of the agent: choose the tool for the understood question and run it over
one document's facts, producing an Outcome (not yet text).

Each operation lives in its own module under qa/agent/operations/; this module dispatches."""

from __future__ import annotations


from qa.agent.context import Context, DocData
from qa.agent.excerpts import Excerpt
from qa.agent.matching import project_rows
from qa.agent.operations.arithmetic import do_diff, do_ratio, do_sum
from qa.agent.operations.average import do_average
from qa.agent.operations.budget import against_budget
from qa.agent.operations.change import do_yoy
from qa.agent.operations.counting import do_count, do_list
from qa.agent.operations.lookup import do_lookup
from qa.agent.operations.policy import do_policy
from qa.agent.allocations import project_of_amount
from qa.agent.operations.ranking import compare_named, rank_inside, rank_scope
from qa.agent.operations.rationale import do_rationale
from qa.agent.outcome import Outcome, answered, doc_label, doc_label_en, not_found
from qa.agent.understand import LEXICON, Program
from qa.tools import ops
from qa.types import Citation


def run_one(q: Program, dd: DocData, ctx: Context) -> Outcome:
    """Execute the question's operation against one document."""
    out = _run(q, dd, ctx)
    if dd.search_lines is not dd.lines:
        # quotes found in the simplified form of a 繁體 document, cited in its own script
        out.excerpts = [Excerpt(dd.original(e.quote, e.line), e.line) for e in out.excerpts]
        out.citations = [Citation(c.doc, dd.original(c.quote, c.line), c.line) for c in out.citations]
    return out




def _run(q: Program, dd: DocData, ctx: Context) -> Outcome:
    op = q.op
    if q.actual and dd.document.kind == "预算" and not any(
            LEXICON.cue_words["actual_columns"].search(f.column) for f in dd.facts):
        # a budget that states no actual figure (a 预算 page may report last year's 决算)
        return not_found(op, f"{doc_label(dd)}是预算，不披露实际支出（决算）数。",
                         f"{doc_label_en(dd)} is a budget: it does not disclose actual spending (final accounts).", dd)
    scope = rank_scope(q)
    if scope is not None:
        # "哪个项目最多" / "公用经费里哪一项最多": the lines inside one department ranked
        ranked = rank_inside(q, dd, scope)
        if ranked is not None:
            return ranked
    if op in ("lookup", "diff", "yoy", "ratio"):
        # the budget an actual figure was measured against, the gap, the share used
        measured = against_budget(q, dd)
        if measured is not None:
            return measured
    if op == "compare":
        named = compare_named(q, dd)
        if named is not None:
            return named
        # "审批系统升级改造（120万那个），哪一块花钱最多": one item named, its own lines ranked
        whole = project_of_amount(dd, q.amounts) if q.amounts else None
        ranked = rank_inside(q, dd, whole or q.metric) if (whole or q.metric) and scope is None else None
        if ranked is not None:
            return ranked
        op = "lookup"
    if op in ("lookup", "compare"):
        return do_lookup(q, dd)
    if op == "sum":
        return do_sum(q, dd)
    if op == "diff":
        return do_diff(q, dd)
    if op == "ratio":
        return do_ratio(q, dd)
    if op == "average":
        return do_average(q, dd)
    if op == "yoy":
        return do_yoy(q, dd)
    if op == "count":
        return do_count(q, dd)
    if op == "list":
        return do_list(q, dd)
    if op == "rationale":
        return do_rationale(q, dd, ctx.index)
    if op == "policy":
        return do_policy(q, dd, ctx.index)
    return do_lookup(q, dd)
