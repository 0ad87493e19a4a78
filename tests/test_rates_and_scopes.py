"""Rates as the document prints them, changes against another year, items compared inside
one department, and phrases that put an item inside another."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.agent.inside import scope_before_within, split_inside
from qa.assistant import Assistant
from qa.text.lexicon import load
from qa.text.rounding import rate_rounding
from index_util import open_assistant

FIXTURE = Path(__file__).parent / "fixtures" / "juesuan_rates.txt"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    return open_assistant([FIXTURE], tmp_path_factory.mktemp("rates") / "qa")


@pytest.fixture(scope="module")
def corpus(index_dir):
    return Assistant.open(index_dir)


def test_rate_rounding_bounds():
    # 16.58 / 1.66 from figures rounded to 2 places: several points either way
    assert 5.0 < rate_rounding(18.24, 16.58, 2, True) < 8.0
    # large figures leave almost no room
    assert rate_rounding(2440.10, 319.24, 2, True) < 0.001
    assert rate_rounding(5.0, 5.0, 2, True) == 0.0  # no prior figure


def test_printed_rate_within_rounding_is_the_answer(page):
    ans = page.ask("公务接待费比上年增长多少？")
    # 16.58 / (18.24 − 16.58) = 998.80% from the rounded amounts; the page prints 1,002.6%
    assert ans.status == "answered" and ans.unit == "%" and ans.value == pytest.approx(1002.6), ans.answer


def test_change_against_another_year_is_not_last_years(page):
    ans = page.ask("三公经费比上年增长多少？")
    assert ans.value == pytest.approx(161.1), ans.answer
    amount = page.ask("三公经费比上年增加了多少？")
    assert amount.value == pytest.approx(29.84), amount.answer


def test_integer_rate_gives_way_to_the_arithmetic(corpus):
    # the document prints 下降77% for 12.91 / (3.76 + 12.91) = 77.44%: the printed one is rounded
    ans = corpus.ask("州住建局公务员医疗补助比上年下降了多少百分比？")
    assert ans.value == pytest.approx(77.44), ans.answer


@pytest.mark.parametrize("question,value", [
    ("社保中心宣传费里，微信公众号和抖音哪个花得多", 12),
    ("昌吉公积金基本支出和项目支出哪个多", 2440.10),
    ("昌吉公积金基本支出和项目支出哪个少", 1019.69),
    ("安阳公积金5个项目里哪个最贵", 37),
    ("机关事务局那两个项目哪个钱多", 20),
])
def test_items_of_one_department_compared(corpus, question, value):
    ans = corpus.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer


@pytest.mark.parametrize("question,value", [
    ("安阳公积金基本支出和项目支出差了多少？", 30775.76),  # 出差 is no word inside 支出差了
    ("机关事务局上年结转结余比一般公共预算拨款多了多少？", 1209.94),  # not the row 上年结转结余:一般公共预算拨款
    ("机关事务局上年结转结余比今年一般公共预算拨款多了多少？", 1209.94),
    ("机关事务局公物仓项目里修缮那块比信息化多几万", 2),
    ("安阳公积金政府采购里工程那块是多少", 81),
    ("社保中心基本支出同比涨了几个点", 9.89),  # 几个点 counts nothing
])
def test_operands_named_as_users_name_them(corpus, question, value):
    ans = corpus.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer


def test_split_inside():
    assert split_inside("政府采购里工程") == ("政府采购", "工程")
    assert split_inside("三公经费中公务用车运行费") == ("三公经费", "公务用车运行费")
    assert split_inside("基本支出") is None
    assert split_inside("三公经费中公务", min_rest=4) is None
    assert scope_before_within("公用经费里") == "公用经费"
    assert scope_before_within("公用经费") is None


def test_everyday_words_rewritten_only_where_a_word_begins():
    lex = load()
    assert "差旅费" in lex.formalize("出差的钱")
    assert "差旅费" not in lex.formalize("基本支出和项目支出差了多少")


def test_a_change_against_another_year_is_its_own_column(page):
    from qa.tools.facts import column_kind
    assert column_kind("比2019年增减", 2023) == "other" and column_kind("比2022年增减", 2023) == "change"
    assert column_kind("比2019年增长率", 2023) == "other"
