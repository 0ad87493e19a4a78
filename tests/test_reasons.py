"""Reason sentences ranked against a question (qa/agent/reasons.py), on hand-written text
modelled on final-accounts pages that state several reasons in one paragraph."""

from __future__ import annotations

from qa.agent.reasons import best_reason, stated_reasons
from qa.text.lexicon import load
from qa.text.normalize import squeeze
from qa.tools.facts import norm_label

REASON = load().cue_words["reason_stated"].pattern
PAGE = [
    "一、“三公”经费总体情况",
    "2021年,县本级“三公”经费支出中公务接待费低于预算数的主要原因为各部门落实过紧日子要求,减少了接待活动。"
    "公务用车购置及运行维护费高于预算数的主要原因是防汛救灾任务加重,各部门增加了应急车辆的使用。",
    "二、机关运行经费",
    "2021年机关运行经费500万元,比上年减少20万元,主要是压减了会议费。",
]


def _best(question: str, item: str):
    return best_reason(question, item, PAGE, REASON, squeeze(norm_label(" ".join(PAGE))))


def test_every_reason_of_a_paragraph_is_a_candidate():
    assert len(stated_reasons(PAGE, REASON)) == 3


def test_the_reason_whose_sentence_names_the_item_wins():
    ex = _best("公车费用为什么超了预算", "公务用车费用超")
    assert ex is not None and "防汛救灾" in ex.quote and ex.line == 2
    ex = _best("接待费为啥比预算少", "公务接待费")
    assert ex is not None and "过紧日子" in ex.quote


def test_an_item_no_reason_speaks_of_gets_none():
    # 事业 and 收入 are both written, apart: no sentence describes 事业收入
    assert _best("事业收入为什么为零", "事业收入") is None


def test_a_reason_in_counted_parts_is_quoted_whole():
    """"主要原因一是…。二是…。": the second part, after the sentence end, belongs to the reason."""
    from qa.agent.excerpts import sentence_matching
    lines = ["2023年，某局机关运行经费预算134.64万元，比上年预算增加24.55万元，增长22%。"
             "主要原因一是人员工资增加，计提的工会经费增加。二是人员增加，公用经费增加。",
             "（二）政府采购情况"]
    ex = sentence_matching(lines, 1, r"主要原因", whole=True)
    assert ex is not None and ex.quote.endswith("二是人员增加，公用经费增加。"), ex
    one = sentence_matching(["主要原因是人员增加。二是不相干的下一项。"], 1, r"主要原因")
    assert one is not None and one.quote == "主要原因是人员增加。"


def test_a_whole_without_a_reason_of_its_own_is_answered_by_its_parts_reasons(index_dir):
    """安阳's page gives no reason for the 三公经费 total, only for the 公务接待费 that fell."""
    from qa.assistant import Assistant
    a = Assistant.open(index_dir).ask("安阳公积金三公经费为啥减少了")
    assert a.status == "answered" and "公务接待费结余较多" in a.answer, a.answer
