"""Follow-up questions: what a turn leaves out is taken over from the turn before it.

A conversation keeps one ``Turn`` per answered question: the departments, year, metric,
operation and items it was about. A new question is understood on its own first; the
slots it does not fill (department, metric, operation, year, the items "这几个" points
at) are filled from the previous turn, and the result is written out as one stand-alone
question that the ordinary pipeline answers. So a follow-up is answered by the same
deterministic code as any question, and the answer can say exactly what was taken over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.agent.resolve import resolve
from qa.agent.understand import LEXICON, prepare, understand

# Metric words that name no figure of their own: a follow-up whose metric is one of
# these keeps the previous metric ("原因呢" asks the reason of what was just discussed).
_EMPTY_METRICS = {"", "原因", "理由", "情况", "数", "数字", "金额", "钱", "多少", "预算", "中心", "局", "单位", "部门", "委员会", "办公室"}


@dataclass(frozen=True)
class Turn:
    """What one answered question was about (the context for the next one).

    Attributes:
        question: the stand-alone question that was answered.
        departments: official names of the departments it was about.
        year: the year it named (None: the documents' own).
        metric: the metric phrase.
        op: the operation.
        want: "total", "prior" or "change".
        items: the named things of the answer (list items, summed parts).
    """

    question: str
    departments: tuple[str, ...]
    year: int | None
    metric: str
    op: str
    want: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standalone:
    """A follow-up written out as a stand-alone question.

    Attributes:
        question: the question to answer.
        lang: the language to answer in (the follow-up's own).
        inherited: what was taken over, as readable slot names and values.
    """

    question: str
    lang: str
    inherited: tuple[str, ...] = field(default_factory=tuple)


def _strip(pattern: re.Pattern[str], text: str) -> tuple[str, bool]:
    out, n = pattern.subn(" ", text)
    return out, n > 0


def _metric_of(metric: str) -> str:
    return re.sub(r"[\s|]", "", metric)


def rewrite(question: str, prev: Turn | None, aliases: dict) -> Standalone | None:
    """The stand-alone form of a follow-up question, or None when it stands alone.

    Args:
        question: the new question as typed.
        prev: the previous turn of the conversation (None: first turn).
        aliases: the loaded departments' alias sets (as Context.aliases).
    """
    if prev is None:
        return None
    fu = LEXICON.followup
    en = understand(question).lang == "en"
    text = prepare(question)
    if en:
        low = text
        item_ref = bool(fu["en_item_refs"].search(low))
        dept_ref = bool(fu["en_department_refs"].search(low))
        prior = bool(fu["en_prior"].search(low))
        for name in ("en_item_refs", "en_department_refs", "en_turn_words"):
            low = fu[name].sub(" ", low)
        core = low
    else:
        core, _ = _strip(fu["demonstratives"], text)
        core, item_ref = _strip(fu["item_refs"], core)
        core, dept_ref = _strip(fu["department_refs"], core)
        core, _ = _strip(fu["turn_words"], core)
        prior = False
    res = resolve(core, aliases)
    q = understand(core, res.spans, core)
    metric = _metric_of(q.metric)
    named_dept = bool(res.departments or res.ambiguous or res.not_loaded)
    own_metric = metric not in _EMPTY_METRICS and len(metric) >= 2
    if named_dept and own_metric and not item_ref:
        return None  # a question of its own
    inherited: list[str] = []
    departments = list(res.departments)
    if not named_dept:
        departments = list(prev.departments)
        if departments:
            inherited.append("部门：" + "、".join(departments))
    if res.not_loaded and not res.departments:
        return None  # "换成财政局": not loaded; the ordinary refusal says so
    if item_ref and prev.items:
        metric = "、".join(prev.items)
        inherited.append("项目：" + metric)
    elif not own_metric:
        metric = _metric_of(prev.metric)
        if metric:
            inherited.append("指标：" + metric)
    op = q.op
    if q.op == "lookup" and q.want == "total" and not prior:
        # no operation word of its own ("公务接待呢？"): ask what was asked before
        op = "lookup" if prev.op == "list" else prev.op
        if op != "lookup":
            inherited.append("问法：" + LEXICON.op_names.get(op, op))
    if item_ref and op in ("count", "lookup") and len(prev.items) > 1:
        op = "sum"  # "这几个加起来多少": the items added up
    want = "prior" if prior else q.want
    if want == "total" and op == prev.op and not own_metric and prev.want == "prior":
        want = "prior"
    year = q.year or prev.year
    if year and not q.year:
        inherited.append(f"年度：{year}")
    whole = ""
    if op == "ratio":
        # "占多少" names the part and leaves the whole to the context, "X占多少" likewise;
        # "占总支出多少" names the whole and leaves the part
        part, _, whole = q.metric.partition("|")
        part, whole = _metric_of(part), _metric_of(whole)
        prev_metric = _metric_of(prev.metric)
        if not part and whole:
            metric = metric if item_ref else prev_metric
        elif part and not whole:
            metric, whole = part, prev_metric
            inherited.append("整体：" + prev_metric)
    if not departments or not metric and op not in ("list", "count"):
        return None
    return Standalone(render(departments, year, metric, op, want, whole), "en" if en else "zh", tuple(inherited))


def render(departments: list[str], year: int | None, metric: str, op: str, want: str, whole: str = "") -> str:
    """One stand-alone Chinese question for the slots (what the pipeline reads best)."""
    who = "和".join(departments)
    when = f"{year}年" if year else ""
    several = len(departments) > 1
    if op == "rationale":
        return f"{who}{when}{metric}变化的原因是什么"
    if op == "policy":
        return f"{who}{when}{metric}的绩效目标是什么"
    if op == "list":
        return f"{who}{when}有哪些{metric or '项目'}"
    if op == "count":
        return f"{who}{when}{metric}有多少个"
    if op == "ratio":
        return f"{who}{when}{metric}占{whole or '支出总计'}的比例是多少"
    if op == "yoy" or want == "change":
        return f"{who}{when}{metric}比上年增加了多少"
    if op == "sum":
        return f"{who}{when}{metric}合计是多少"
    if op == "compare" or several:
        return f"{who}{when}{metric}哪个多"
    if want == "prior":
        return f"{who}{metric}上年是多少"
    return f"{who}{when}{metric}是多少"


def turn_of(question: str, answer_items: list[str], aliases: dict) -> Turn:
    """The context an answered stand-alone question leaves for the next turn."""
    text = prepare(question)
    res = resolve(text, aliases, want_all=True)
    q = understand(question, res.spans, text)
    departments = tuple(res.departments or res.ambiguous)
    return Turn(question=question, departments=departments, year=q.year, metric=q.metric, op=q.op,
                want=q.want, items=tuple(answer_items))


@dataclass
class Conversation:
    """The turns of one chat so far (one per browser session, CLI prompt or batch session).

    Mutable on purpose: it is the state a shell keeps between questions; the assistant
    appends a Turn after each answer.
    """

    turns: list[Turn] = field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None
