"""The figures an answer compares, for a chart: each department's figure of a comparison,
or the operands of a list, sum, difference or year-on-year answer. Only figures the
documents state (the operands' facts), never a computed one."""

from __future__ import annotations

from qa.agent.outcome import Outcome
from qa.types import Fact, Figure

# Operations whose operands are figures side by side (a ratio's part and whole are not).
CHARTED = ("compare", "each", "diff_departments", "list", "sum", "diff", "yoy", "years_mean", "years_change")
MAX_BARS = 12


def figures_of(o: Outcome) -> list[Figure]:
    """Two to MAX_BARS figures of one unit, else [] (nothing worth a chart)."""
    if o.status != "answered" or o.op not in CHARTED:
        return []
    if o.per_department:
        out = [Figure(name, float(sub.result.value), sub.result.unit) for name, sub in o.per_department
               if sub.status == "answered" and sub.result is not None and sub.result.value is not None]
    else:
        out = _operands(o.result.operands if o.result else [])
    if not 2 <= len(out) <= MAX_BARS or len({f.unit for f in out}) != 1:
        return []
    return out


def _operands(facts: list[Fact]) -> list[Figure]:
    """Operand facts labelled by what tells them apart: the label, else the label with its
    column (本年 / 上年), else with its year."""
    for key in (lambda f: f.label, lambda f: f"{f.label} · {f.column}", lambda f: f"{f.label} · {f.year}"):
        labels = [key(f) for f in facts]
        if len(set(labels)) == len(labels):
            return [Figure(lab, float(f.value), f.unit) for lab, f in zip(labels, facts)]
    return []
