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
