"""One document loaded: a question naming its body loosely, or a page that names no body,
is answered from it (with a warning); a question about another body is still refused."""

from __future__ import annotations

import pytest

from index_util import assistant_of_text

# hand-written, modelled on one-page 三公 statements that print no 编制部门 line
NO_DEPARTMENT = """2025年一般公共预算“三公”经费预算情况说明
2025年一般公共预算“三公”经费预算安排 48.6 万元，与上年持平。其中：因公出国（境）费 0 万元；公务用车购置及运行费 30.2 万元；公务接待费 18.4 万元。
"""
WITH_DEPARTMENT = """东湖市水务局2025年部门预算公开说明
编制部门：东湖市水务局
2025年一般公共预算“三公”经费预算安排 12.5 万元，其中：因公出国（境）费 0 万元；公务用车购置及运行费 9.5 万元；公务接待费 3.0 万元。
"""



def test_a_page_without_a_department_answers_any_body_named(tmp_path):
    a = assistant_of_text(tmp_path, "page.txt", NO_DEPARTMENT)
    ans = a.ask("某某区财政局2025年三公经费预算是多少")
    assert ans.status == "answered" and ans.value == pytest.approx(48.6)
    assert any("未写明编制部门" in w for w in ans.warnings)


def test_a_loose_name_of_the_one_body_is_that_body_and_another_body_is_refused(tmp_path):
    a = assistant_of_text(tmp_path, "dept.txt", WITH_DEPARTMENT)
    ans = a.ask("某市水务局公务接待费多少")
    assert ans.status == "answered" and ans.value == pytest.approx(3.0)
    assert a.ask("东湖市财政局公务接待费多少").status == "not_found"


def test_a_count_asked_of_a_page_that_states_only_money_is_not_answered_with_money(tmp_path):
    a = assistant_of_text(tmp_path, "dept.txt", WITH_DEPARTMENT)
    ans = a.ask("东湖市水务局有几辆公车？")
    assert ans.status == "not_found" and ans.value is None, ans.answer


SANGONG_PAGE = """东湖市水务局2025年“三公”经费预算情况说明
编制部门：东湖市水务局
2025年“三公”经费预算 12.5 万元，比上年减少 1.5 万元，下降 10.71%。其中：公务接待费 3.0 万元。
"""


def test_a_change_asked_of_no_figure_is_of_the_figure_the_title_names(tmp_path):
    a = assistant_of_text(tmp_path, "sg.txt", SANGONG_PAGE)
    ans = a.ask("比上年减少了多少？")
    assert ans.status == "answered" and abs(ans.value) == pytest.approx(1.5), ans.answer
    yoy = a.ask("东湖市水务局三公经费YoY降了多少")
    assert yoy.status == "answered" and abs(yoy.change if yoy.unit == "%" else yoy.value) == pytest.approx(1.5), yoy.answer


SCHOOL_PAGE = """某县城关镇第一完全小学2024年部门预算情况说明
编制部门：某县城关镇第一完全小学
(一)收入预算:2024年年初预算数520.00万元,其中:一般公共预算拨款500.00万元,事业收入20.00万元。较2023年增加30.00万元,主要是人员经费增加。
"""


def test_a_budget_compared_with_last_year_without_an_item_is_the_whole_budget(tmp_path):
    a = assistant_of_text(tmp_path, "school.txt", SCHOOL_PAGE)
    ans = a.ask("第一小学2024年预算比2023年多了多少？")
    assert ans.status == "answered" and ans.value == pytest.approx(30.0), ans.answer


PARTS_PAGE = """某市统计局2016年“三公经费”预算说明
一、因公出国(境)经费
2016年预算安排“因公出国(境)费”10万元，2015年预算数10万元。
二、公务用车购置及运行费
“公务用车运行维护费”预算数30万元，2015年预算数60万元。
三、公务接待费
2016年预算安排6万元，2015年预算数9万元。
"""


def test_a_whole_the_page_never_states_is_the_sum_of_its_parts(tmp_path):
    """三公经费 is defined as its three items; 公务接待费's figure is named by its heading only."""
    a = assistant_of_text(tmp_path, "parts.txt", PARTS_PAGE)
    reception = a.ask("某市统计局2016年公务接待费预算多少？")
    assert reception.status == "answered" and reception.value == pytest.approx(6.0), reception.answer
    whole = a.ask("某市统计局2016年三公预算加起来一共多少？")
    assert whole.status == "answered" and whole.value == pytest.approx(46.0), whole.answer


# hand-written, modelled on county 三公 statements that give each item's change in prose
WITH_CHANGES = """西岭县2024年县本级“三公”经费预算情况说明
编制部门：西岭县财政局
2024年，县本级“三公”经费预算为300万元，同比下降10%，其中：
因公出国（境）费预算20万元，比上年增加5万元；
公务接待费预算80万元，比上年减少15万元；
公务用车购置费预算60万元，比上年增加10万元；
公务用车运行维护费预算140万元，比上年减少33.33万元。
"""


def test_which_parts_of_a_whole_went_up_and_last_years_figure_from_the_rate(tmp_path):
    a = assistant_of_text(tmp_path, "changes.txt", WITH_CHANGES)
    up = a.ask("西岭县三公里哪几项比上年增加了")
    assert up.status == "answered" and "因公出国" in up.answer and "公务用车购置费" in up.answer, up.answer
    assert "公务接待费" not in up.answer.split("\n")[0]
    down = a.ask("西岭县三公经费哪几项比上年少了")
    assert "公务接待费" in down.answer and "公务用车运行维护费" in down.answer and "因公出国" not in down.answer.split("\n")[0]
    # 300 万元, 同比下降10%: last year's 300 × 100 / 90
    prior = a.ask("西岭县2023年三公预算大概多少")
    assert prior.status == "answered" and prior.value == pytest.approx(333.33), prior.answer


# hand-written: a district body of a city whose name ends in 州 (杭州市…区 is two levels, not 杭州 + 市…区)
TWO_LEVELS = """杭州市西溪区行政审批局2021年度部门决算
编制部门：杭州市西溪区行政审批局
2021年度“三公”经费支出决算为 6.2 万元，其中：因公出国（境）费 0 万元；公务用车购置及运行费 4.0 万元；公务接待费 2.2 万元。
"""


def test_an_english_name_of_the_one_body_by_its_districts_pinyin(tmp_path):
    from qa.text.aliases import latin_forms, place_forms

    assert "xixi" in latin_forms(place_forms("杭州市西溪区"))
    a = assistant_of_text(tmp_path, "dept.txt", TWO_LEVELS)
    ans = a.ask("How much did the Xixi administrative approval bureau spend on official receptions in 2021?")
    assert ans.status == "answered" and ans.value == pytest.approx(2.2), ans.answer
