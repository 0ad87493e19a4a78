"""Ranking inside one department: which project, or which line inside a scope (公用经费里
哪一项最多), is the largest or smallest."""

from __future__ import annotations

import re

from qa.agent.allocations import allocation_items
from qa.agent.context import DocData
from qa.agent.inside import scope_before_within
from qa.agent.matching import best_matches, label_of, project_rows
from qa.agent.operations.operands import scoped, split_metrics
from qa.agent.outcome import Outcome, answered
from qa.agent.understand import LEXICON, Program, asks_margin, asks_multiple
from qa.tools import ops
from qa.tools.facts import TOTAL_LABELS, column_kind, norm_label, without_generic_suffix
from qa.types import Citation, Fact

# a metric that only names projects ("项目", "项目支出"): the project rows are ranked
_PROJECT_SCOPES = {"", "项目", "项目支出", "项目经费"}


def rank_scope(q: Program) -> str | None:
    """The scope a one-department comparison ranks inside ("公用经费里哪一项最多" → 公用经费,
    "哪个项目最多" / "项目里哪个最多" → 项目), None when it ranks departments."""
    if q.op != "compare":
        return None
    which = LEXICON.cue_words.get("which_project")
    if which is not None and which.search(q.question):
        return "项目"
    m = norm_label(q.metric)
    if m == "项目":
        return m  # "那两个项目哪个钱多": the projects are what is ranked
    return scope_before_within(m)


def _leaves(rows: list[Fact]) -> list[Fact]:
    """Rows no other row sits under (by 科目编码), totals dropped, one per label."""
    codes = {f.code for f in rows if f.code}
    out: dict[str, Fact] = {}
    for f in rows:
        lab = norm_label(f.label)
        if not lab or lab in TOTAL_LABELS or f.unit == "%":
            continue
        if f.code and any(c != f.code and c.startswith(f.code) for c in codes):
            continue
        out.setdefault(lab, f)
    return list(out.values())


def rank_inside(q: Program, dd: DocData, scope: str) -> Outcome | None:
    """The largest (smallest) line inside a scope: a project row when the scope is projects;
    else the rows of the column named like the scope (基本支出表's 公用经费 column), or the
    rows under the scope's own row by 科目编码."""
    s = norm_label(scope)
    if s in _PROJECT_SCOPES:
        rows = [f for f in project_rows(dd) if f.unit != "%"]
        tag = "项目"
    else:
        rows = []
        if len(s) >= 4:
            # "基本支出里最大的一项": the coded lines of the table the scope names (基本支出表)
            titled = {f.table_no for f in dd.facts if f.table_no and s in norm_label(f.table_title)}
            if len(titled) == 1:
                rows = [f for f in dd.facts if f.table_no in titled and f.code and column_kind(f.column) == "total"
                        and norm_label(f.column) not in ("人员经费", "公用经费")]
        # (the column named like the scope: "人员经费支出" is the 人员经费 column)
        named = {s, norm_label(without_generic_suffix(s)), re.sub(r"支出$", "", s)}
        rows = rows or [f for f in dd.facts if f.table_no and norm_label(f.column) in named]
        allocated = allocation_items(dd, scope) if not rows else None
        if allocated is not None and len(allocated[1]) >= 2:
            rows = allocated[1]  # "审批系统升级改造项目里哪一块最多": the project's 资金分配 lines
        if not rows:
            own = best_matches(dd, scope, "total", q)
            if own and own[0].score >= 0.9 and own[0].fact.code:
                head = own[0].fact
                rows = [f for f in dd.facts if f.table_no == head.table_no and f.code.startswith(head.code)
                        and len(f.code) > len(head.code) and column_kind(f.column) == "total"]
        body = norm_label(dd.document.department or "")
        # (a table's row for the department itself is its total, not one of its lines)
        rows = [f for f in _leaves(rows) if not body or body not in norm_label(f.label)]
        tag = scope
    if len(rows) < 2:
        return None
    f = (max if q.largest else min)(rows, key=lambda x: x.norm_value)
    if q.lang == "en":
        label = f"{f.label} ({'largest' if q.largest else 'smallest'} in {tag})"
    else:
        label = f"{f.label}（{tag}中最{'多' if q.largest else '少'}）"
    out = answered("lookup", dd, ops.lookup(f), label)
    out.items = [f.label]  # what "这两个" in a later turn points at
    out.ranking = [r.label for r in sorted(rows, key=lambda x: x.norm_value, reverse=q.largest)]
    return out


def compare_named(q: Program, dd: DocData) -> Outcome | None:
    """Two or more items of one department compared by name ("宣传费里微信公众号和抖音哪个
    花得多", "基本支出和项目支出哪个多"): the larger (smaller) one's figure, or by how much it
    leads when the question asks the margin; None unless every item is found, in one unit."""
    split = split_metrics(scoped(q), dd)
    if not split or len(split[0]) < 2:
        return None
    facts, names = split
    if len({f.unit for f in facts}) > 1:
        return None
    if asks_multiple(q.question) and len(facts) == 2:
        # "人员经费是公用经费的几倍": the first named over the second, in the order said
        out = answered("compare", dd, ops.times(facts[0], facts[1]),
                       f"{label_of(facts[0], names[0])}是{label_of(facts[1], names[1])}的倍数")
        out.items = [label_of(f, n) for f, n in zip(facts, names)]
        return out
    order = sorted(zip(facts, names), key=lambda fn: fn[0].norm_value, reverse=q.largest)
    (win, win_name), (other, other_name) = order[0], order[1]
    word = "多" if q.largest else "少"
    lead = (ops.difference(win, other) if q.largest else ops.difference(other, win)) if len(facts) == 2 else None
    if asks_margin(q.question) and lead is not None:
        out = answered("diff", dd, lead, f"{label_of(win, win_name)}比{label_of(other, other_name)}{word}")
    else:
        out = answered("lookup", dd, ops.lookup(win), f"{label_of(win, win_name)}（{'、'.join(n.strip() for n in names)}中最{word}）")
        out.citations += [Citation.of(f) for f, _ in order[1:]]
        if lead is not None:
            out.margin, out.runner_up = lead, label_of(other, other_name)
    out.items = [label_of(f, n) for f, n in order]
    return out
