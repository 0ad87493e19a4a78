"""Operand linking by ranking (qa.agent.linking): labels scored against the words of the
question, on the real corpus and on hand-made facts."""

from __future__ import annotations

import pytest

from qa.agent.linking import Linker, chinese_slots, english_slots, grams, link
from qa.assistant import Assistant
from qa.types import Fact


def _fact(label: str, value: float, column: str = "合计") -> Fact:
    return Fact(doc="d.txt", department="某局", year=2024, table_no="9", table_title="项目支出表", section="",
                code="", label=label, column=column, value=value, unit="万元", norm_value=value * 1e4,
                line=int(value), quote=f"{label} {value}")


FACTS = [_fact("自建房整治专项", 82), _fact("冬季清洁取暖项目复核验收", 24), _fact("住房公积金", 60),
         _fact("住房保障支出", 70), _fact("信息化建设", 342), _fact("信息化建设:邮电费", 3),
         _fact("信息化建设:维修(护)费", 277.8), _fact("项目支出", 1019)]


def test_grams_pairs_and_numbers():
    assert grams("冬季清洁") == {"冬季", "季清", "清洁"}
    assert grams("房") == {"房"} and "1995" in grams("1995年以前")
    assert {"冬", "季"} <= grams("冬季", chars=True)


def test_english_words_link_to_the_label_they_describe():
    got = link(FACTS, english_slots("the self-built housing safety clean-up project"))
    assert got and got[0].fact.label == "自建房整治专项"
    got = link(FACTS, english_slots("winter clean heating check project"))
    assert got and got[0].fact.value == 24


def test_a_project_beats_its_own_lines_when_only_the_project_is_named():
    got = link(FACTS, english_slots("the IT project"))
    assert got and got[0].fact.label == "信息化建设"
    got = link(FACTS, chinese_slots("信息化建设维修费"))
    assert got and got[0].fact.value == pytest.approx(277.8)


def test_nothing_is_linked_when_no_label_fits():
    assert link(FACTS, english_slots("money for the moon landing")) == []
    assert link(FACTS, english_slots("loans issued")) == []
    assert link(FACTS, []) == []


def test_rare_words_weigh_more_than_common_ones():
    lk = Linker.of(tuple(FACTS))
    assert lk.idf["整治"] > lk.idf["建设"]


@pytest.fixture(scope="module")
def assistant(index_dir):
    return Assistant.open(index_dir)


@pytest.mark.parametrize("question,value", [
    ("How much money is set aside for the self-built housing safety clean-up project at the Changji housing "
     "and construction bureau?", 82),
    ("For the housing and construction bureau in Changji, how much do the self-built housing project and the "
     "winter clean heating check project come to together?", 106),
    ("How much bigger is the housing fund management service project than the IT project at the Changji "
     "housing fund centre?", 270),
])
def test_english_project_names_end_to_end(assistant, question, value):
    ans = assistant.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer
    assert ans.citations
