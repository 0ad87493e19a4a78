"""Names read off a page and the parts of a question (kinds met in B22–B24, R10 and F15)."""

from __future__ import annotations

import pytest

from qa.agent.aliases import find_mentions
from qa.assistant import Assistant
from qa.ingest.layout import parse_text
from qa.text.aliases import build
from qa.text.orgnames import is_org_name


@pytest.fixture(scope="module")
def assistant(index_dir):
    return Assistant.open(index_dir)


def test_an_organ_named_in_brackets_after_its_place_is_a_name():
    assert is_org_name("皖南某某产业集中区(管委会)")
    assert not is_org_name("皖南某某产业集中区(管委会")  # an unclosed bracket is no name
    page = ("皖南某某产业集中区(管委会)2024年\n一般公共预算“三公”经费预算\n单位:万元\n"
            "皖南某某产业集中区(管委会)2024年一般公共预算“三公”经费支出预算为120.5万元。\n")
    doc = parse_text("page.txt", page).document
    assert doc.department == "皖南某某产业集中区(管委会)" and doc.year == 2024


def test_a_body_the_page_only_names_by_its_level_is_still_its_department():
    # no title, no 编制部门: the page speaks of "县文化广电旅游局" throughout
    page = ("3.公务接待费支出5.2万元,完成预算100%。\n外事接待支出0万元。\n"
            "2022年,县文化广电旅游局机关运行经费支出30万元,比上年减少2万元。\n"
            "2022年,县文化广电旅游局政府采购支出总额40万元。\n"
            "截至2022年12月31日,县文化广电旅游局共有车辆2辆。\n")
    doc = parse_text("p.txt", page).document
    assert doc.department == "县文化广电旅游局"


def test_an_english_level_word_between_place_and_body():
    aliases = [build("江苏省人民检察院"), build("江苏省高级人民法院")]
    ms = find_mentions("How much did the Jiangsu Provincial 人民检察院 budget in 2017", aliases)
    hit = [m for m in ms if m.official == "江苏省人民检察院"]
    assert hit and hit[0].region == "jiangsu" and hit[0].body == "人民检察院"
    start = "How much did the Jiangsu Provincial 人民检察院".lower().find("jiangsu")
    assert hit[0].start == start  # the span is where the place is, whatever its case


@pytest.mark.parametrize("question,value", [
    # a measure said once after the parts is every part's (价值 of both, not 车辆's 数量)
    ("机关事务局房子和车的资产价值差了多少？", 988.92),
    # no side asked: the gap from the larger, never below zero
    ("社保中心和昌吉公积金中心两家房屋价值差多少？", 4314.21),
    # plus signs between the names
    ("安阳公积金 印刷费+邮电费+办公费", 62.56),
    # English: total as the closing verb
    ("What do the Changji offices administration bureau's basic pension insurance and "
     "occupational annuity contributions total?", 59.24),
])
def test_parts_of_a_question(assistant, question, value):
    ans = assistant.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer


@pytest.mark.parametrize("question", [
    "What projects does the Changji government offices administration bureau fund from its general budget?",
    "哪两个项目是机关事务局今年一般公共预算里安排的？",
])
def test_projects_listed_within_a_funding_scope(assistant, question):
    ans = assistant.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(30)
    assert "公共机构节能项目" in ans.answer and "公物仓维护管理项目" in ans.answer


def test_a_year_inside_a_title_goes_with_its_nian():
    page = "某某市2018年某某镇人民政府部门预算的批复\n某某镇人民政府:\n现将你单位2018年部门预算批复如下。\n"
    assert parse_text("p.txt", page).document.department == "某某市某某镇人民政府"


def test_a_definition_is_no_name_and_a_body_saying_what_it_is_is_one():
    page = ("第一部分 概况\n某某市第二实验小学是某某市教育局直属的财政全额拨款事业单位,主要职责是实施小学义务教育。\n"
            "2018年度部门决算报表(见附表)\n一、财政拨款收入: 指单位从同级政府财政部门取得的各类财政拨款。\n")
    assert parse_text("p.txt", page).document.department == "某某市第二实验小学"


def test_a_body_whose_page_names_no_place_answers_a_question_that_names_one(tmp_path):
    from index_util import assistant_of_text

    page = ("2016年市国资委财政拨款“三公”经费预算表\n金额单位:万元\n项目 2016年预算数\n"
            "一、“三公”经费合计 21.63\n(二)公务接待费 14.83\n(三)公务用车费 6.8\n二、会议费 7.59\n三、培训费 15.86\n")
    a = assistant_of_text(tmp_path, "gzw.txt", page)
    for q in ("某州市国资委2016年会议费和培训费预算一共多少?", "某州国资委会议费和培训费一共多少"):
        ans = a.ask(q)
        assert ans.status == "answered" and ans.value == pytest.approx(23.45), (q, ans.answer)


def test_a_place_read_otherwise_in_english():
    # 闵行 is Minhang (行 read hang), not the everyday reading
    assert "minhang" in build("上海市闵行区教育局").latin_region_forms


def test_a_generic_word_against_another_in_a_difference_is_the_pages_total(tmp_path):
    from index_util import assistant_of_text

    page = ("某某市某某幼儿园2017年度部门决算说明\n(一)收入决算情况。\n"
            "2017年度,本单位收入为1687.45万元,其中:财政拨款收入1516.64万元,占89.88%;事业收入170.81万元,占10.12%。\n"
            "(二)支出决算情况\n2017年度,本单位支出为1942.57万元。其中:基本支出1121.09万元,占57.71%;项目支出821.48万元,占42.29%。\n")
    a = assistant_of_text(tmp_path, "kg.txt", page)
    for q in ("某某幼儿园2017年支出比收入多多少?", "某某幼儿园总支出减总收入差多少"):
        ans = a.ask(q)
        assert ans.status == "answered" and ans.value == pytest.approx(255.12), (q, ans.answer)


@pytest.mark.parametrize("question,value", [
    ("昌吉公积今年基本支出2440万，说是比上年多了三百多万，那上年基本支出预算是多少？", 2120.86),
    ("社保中心社会保险经办机构这一项比去年少了99万，那去年是多少", 252.0),
])
def test_last_years_figure_asked_after_the_change_is_said(assistant, question, value):
    ans = assistant.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer
