"""Kinds of page met in other places' disclosures (issue 11), each hand-written and modelled
on real pages (invented bodies and figures): a place's report on one year's execution and the
next year's budget, a pipe table whose second header row was printed left-packed, a saved page
that opens with header fields, a school's project report that speaks of itself as 我校."""

from __future__ import annotations

import pytest

from index_util import assistant_of_text, open_assistant
from qa.ingest.table_columns import header_names
from qa.tools import ops
from qa.tools.facts import kind_kept
from qa.types import Fact

TWO_YEARS = """关于青山县2024年财政预算执行情况和2025年财政预算草案的报告
各位代表：
一、2024年财政预算执行情况
（一）一般公共预算
2024年全县一般公共预算收入完成12.6亿元，完成年度预算的101.5%，同比增长4.2%。其中：税收收入8.1亿元，非税收入4.5亿元。
全县一般公共预算支出36.8亿元，完成调整预算的97.3%，同比增长2.1%。
二、2025年财政预算草案
（一）一般公共预算
2025年全县一般公共预算收入预算13.2亿元，增长4.8%。其中：税收收入预算8.6亿元。一般公共预算支出预算35.9亿元。
"""

PIPE_SPANNED = """2025年青河镇“三公”经费预算财政拨款情况统计表
发布机构 | 青河镇人民政府 |
2025年青河镇“三公”经费预算财政拨款情况统计表 | ||||
单位:万元 | ||||
项目 | 2024年预算数 | 2025年预算数 | 比上年增、减情况 | |
增、减金额 | 增、减幅度 | |||
合计 | 23.3 | 26.3 | 3 | 12.9% |
1.因公出国(境)费 | ||||
2.公务接待费 | 5 | 8 | 3 | 60% |
3.公务用车购置及运行费 | 18.3 | 18.3 | ||
其中:(1)公务用车购置费 | ||||
(2)公务用车运行费 | 18.3 | 18.3 | 0 | 0 |
"""

SAVED_PAGE = """TITLE: 东山市第三中学专项资金绩效自评价报告
URL: http://www.example.gov.cn/xxgk/2024/art_1.html
一、基本情况（一）项目基本概况我校2024年项目为一个：生均公用经费项目（二）资金及项目绩效目标我校2024年生均公用经费预算168万元，其中上级补助126万元，本级配套42万元。
二、绩效自评情况：资金全部用于学校日常运转，执行率98%。
"""



def test_a_report_of_two_years_answers_each_year_from_its_own_part(tmp_path):
    a = assistant_of_text(tmp_path, "report.txt", TWO_YEARS)
    assert a.ask("青山县2024年一般公共预算收入完成了多少？").value == pytest.approx(12.6)
    assert a.ask("青山县2025年一般公共预算收入预算多少？").value == pytest.approx(13.2)
    assert a.ask("青山县2024年税收收入多少？").value == pytest.approx(8.1)
    assert a.ask("青山县2025年税收收入预算多少？").value == pytest.approx(8.6)


def test_a_stated_completion_rate_and_a_stated_growth_rate_are_answers(tmp_path):
    a = assistant_of_text(tmp_path, "report.txt", TWO_YEARS)
    done = a.ask("青山县2024年一般公共预算收入完成年度预算的多少？")
    assert done.status == "answered" and done.unit == "%" and done.value == pytest.approx(101.5), done.answer
    spent = a.ask("青山县2024年一般公共预算支出完成了预算的几成？")
    assert spent.value == pytest.approx(97.3), spent.answer
    grew = a.ask("青山县2024年一般公共预算支出同比涨了多少？")
    assert grew.status == "answered" and grew.value == pytest.approx(2.1) and "增长" in grew.answer, grew.answer


def test_a_left_packed_second_header_row_sits_under_its_spanning_heading(tmp_path):
    a = assistant_of_text(tmp_path, "sangong.txt", PIPE_SPANNED)
    assert a.ask("青河镇2025年三公预算合计多少？").value == pytest.approx(26.3)
    up = a.ask("青河镇2025年三公比上年多了多少？")
    assert up.value == pytest.approx(3.0), up.answer
    share = a.ask("青河镇2025年公车运行费占三公预算几成？")
    assert share.value == pytest.approx(69.58), share.answer  # 18.3 / 26.3


def test_header_cells_of_a_spanned_group_move_under_it():
    rows = [["项目", "2024年预算数", "2025年预算数", "比上年增、减情况"], ["增、减金额", "增、减幅度"]]
    names = header_names(rows, 5, numeric={1, 2, 3, 4}, text={0})
    assert names == ["项目", "2024年预算数", "2025年预算数", "增、减金额", "增、减幅度"]
    # a second row under no spanning heading stays where it was printed
    plain = header_names([["项目", "预算数", "决算数"], ["", "小计", ""]], 3, numeric={1, 2}, text={0})
    assert plain[0] == "项目"


def test_a_saved_pages_header_fields_and_a_school_speaking_of_itself(tmp_path):
    a = assistant_of_text(tmp_path, "school.txt", SAVED_PAGE)
    doc = a.ctx.index.documents()[0]
    assert doc.department == "东山市第三中学" and doc.year == 2024
    ans = a.ask("东山三中2024年生均公用经费预算多少？")
    assert ans.status == "answered" and ans.value == pytest.approx(168), ans.answer
    assert not ans.warnings, ans.warnings  # 三中 is the school's own short name, no loose reading


def test_a_renamed_bureau_is_asked_by_its_old_name(tmp_path):
    page = ("西河市生态环境局2024年度“三公”经费财政拨款支出决算说明\n"
            "西河市生态环境局2024年度“三公”经费财政拨款支出决算为9.6万元,完成预算12万元的80%。\n")
    a = assistant_of_text(tmp_path, "eco.txt", page)
    ans = a.ask("西河环保局24年三公决算花了多少？")
    assert ans.status == "answered" and ans.value == pytest.approx(9.6) and not ans.warnings, (ans.answer, ans.warnings)
    used = a.ask("西河环保局24年三公完成了预算的几成？")
    assert used.value == pytest.approx(80), used.answer


def _fact(label: str, value: float) -> Fact:
    return Fact(doc="d", department="", year=2024, table_no="1", table_title="", section="", code="",
                label=label, column="预算数", value=value, unit="万元", norm_value=value * 10000, line=1, quote=label)


def test_several_parts_as_one_share_of_a_whole():
    res = ops.share_of_sum([_fact("甲项目", 20.0), _fact("乙项目", 10.0)], _fact("一般公共预算拨款", 472.86))
    assert res.value == pytest.approx(6.34) and res.computation.startswith("(20.00 + 10.00) / 472.86")


def test_a_project_named_by_a_word_of_its_name_and_its_kind():
    assert kind_kept("征信项目", "2024年征信信息共享接入项目") >= 0.8
    assert kind_kept("征信项目", "网络系统维护费") == 0.0  # another kind
    assert kind_kept("征信项目", "数据共享整合融通项目") == 0.0  # the word is not in it


UNIT_AND_DEPARTMENT = {
    "dept.txt": ("东湖市水务局2025年部门预算\n编制部门：东湖市水务局\n"
                 "2025年机关运行经费预算为86.40万元，比上年减少2.10万元。\n"),
    "unit.txt": ("东湖市水务局2025年单位预算\n编制单位：东湖市水务局\n"
                 "2025年机关运行经费预算为61.20万元，比上年减少1.30万元。\n"),
}


def test_the_scope_a_question_names_picks_the_unit_or_the_department_budget(tmp_path):
    docs = []
    for name, text in UNIT_AND_DEPARTMENT.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        docs.append(tmp_path / name)
    a = open_assistant(docs, tmp_path / "qa")
    assert a.ask("东湖水务局25年单位预算机关运行经费多少").value == pytest.approx(61.2)
    assert a.ask("东湖水务局25年部门预算机关运行经费多少").value == pytest.approx(86.4)
    en = a.ask("In the Donghu water bureau's 2025 unit budget, how much is set aside for office running costs?")
    assert en.value == pytest.approx(61.2), en.answer


FINAL = ("南岭县档案馆2024年度部门决算\n编制部门：南岭县档案馆\n"
         "2024年度一般公共预算财政拨款支出年初预算为120.50万元，支出决算为110.20万元，完成年初预算的91.45%。\n"
         "2024年度“三公”经费财政拨款支出决算为3.40万元，比上年减少0.60万元。\n")


def test_a_final_account_asked_budget_against_actual_and_a_year_glossed(tmp_path):
    a = assistant_of_text(tmp_path, "final.txt", FINAL)
    gap = a.ask("南岭档案馆2024年一般公共预算拨款年初预算和实际花的差了多少？")
    assert gap.value == pytest.approx(10.3), gap.answer
    used = a.ask("南岭档案馆24年一般公共预算财政拨款实际花了几成？")
    assert used.value == pytest.approx(91.45, abs=0.01), used.answer
    # "去年（2024年）": the year is named; 去年 only places it for the user
    glossed = a.ask("南岭档案馆去年（2024年）三公经费实际花了多少？")
    assert glossed.value == pytest.approx(3.4), glossed.answer
    then = a.ask("南岭档案馆24年三公决算3.4万，那23年是多少？")
    assert then.value == pytest.approx(4.0), then.answer
