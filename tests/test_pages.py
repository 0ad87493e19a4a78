"""Disclosure pages of other provinces (issue 11): the layouts and wordings they print and
what the assistant answers from them. Every fixture in tests/pages_fixtures is hand-written,
modelled on real pages (invented bodies and figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.testing.harness import parse_file
from qa.text.normalize import squeeze

FIXTURES = Path(__file__).resolve().parent / "pages_fixtures"


def _facts(name: str) -> dict[tuple[str, str], float]:
    pd = parse_file(FIXTURES / name)
    return {(f.label, f.column): f.value for f in pd.facts}


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.name)
def test_every_quote_is_verbatim_in_the_page(path):
    pd = parse_file(path)
    text = squeeze("\n".join(pd.lines))
    assert pd.facts, path.name
    for f in pd.facts:
        assert squeeze(f.quote) in text, (path.name, f.label, f.quote)


# --- layouts ---------------------------------------------------------------------------
def test_a_cell_stream_reads_as_rows_of_its_inferred_width():
    from qa.ingest.cell_streams import read_streams

    cells = ("经费项目|2023年度支出 (万元)|支出减少情况(万元)|支出减少率|公务接待费|61.2|-|-|"
             "公务用车购置费|30.5|4.5|12.9%|2023年度全区使用情况|使用项目|2023年度数量|公务用车保有量|88|"
             "国内公务接待批次|40").split("|")
    first, second = read_streams(cells)
    assert first.header == ("经费项目", "2023年度支出 (万元)", "支出减少情况(万元)", "支出减少率")
    assert first.rows == (("公务接待费", "61.2", "-", "-"), ("公务用车购置费", "30.5", "4.5", "12.9%"))
    assert second.lead == ("2023年度全区使用情况",) and second.header == ("使用项目", "2023年度数量")
    assert [r[0] for r in second.rows] == ["公务用车保有量", "国内公务接待批次"]


def test_a_flattened_two_level_header_folds_its_subtotal():
    from qa.ingest.cell_streams import read_stream

    cells = "年度|合计|公务接待费|公车购置及运行维护费|合计|车辆购置|车辆运行|2021年|10|4|6|1|5|2022年|9|4|5|1|4".split("|")
    t = read_stream(cells)
    assert t.header == ("年度", "合计", "公务接待费", "公车购置及运行维护费", "车辆购置", "车辆运行")
    assert len(t.rows) == 2 and t.lead == ()


def test_words_that_are_no_table_are_left_alone():
    from qa.ingest.cell_streams import read_stream

    assert read_stream("说明|本表反映三公经费|单位为万元".split("|")) is None


def test_one_cell_per_line_page_gives_table_facts():
    f = _facts("cell_stream.txt")
    assert f[("合计", "预算数")] == 2816 and f[("公务用车购置", "预算数")] == 792
    assert f[("三公经费", "预算数")] == 2816  # the sentence above the table too


def test_a_table_of_years_is_turned_round():
    f = _facts("year_rows.txt")
    assert f[("公务接待费", "上年决算数")] == 961 and f[("公务接待费", "决算数")] == 900
    assert f[("公务用车购置及运行维护费", "决算数")] == 912


def test_a_bare_table_with_no_title_is_read():
    pd = parse_file(FIXTURES / "bare_table.txt")
    f = {(x.label, x.column): x.value for x in pd.facts if x.source == "table"}
    assert f[("公务接待费", "上年预算数")] == 640.10 and f[("公务接待费", "预算数")] == 598.70
    assert f[("公务接待费", "比上年增减")] == -41.40
    assert not any("原因" in c for _, c in f)  # the reasons column holds words


def test_counts_carry_their_own_units():
    pd = parse_file(FIXTURES / "count_stream.txt")
    units = {f.label: (f.value, f.unit) for f in pd.facts}
    assert units["公务用车保有量"] == (415, "辆")
    assert units["国内公务接待人次"] == (4180, "人")
    assert units["因公出国(境)团组数"] == (2, "个")


def test_a_table_row_counted_in_its_own_measure_word():
    pd = parse_file(FIXTURES / "space_table_counts.txt")
    got = {(f.label, f.value, f.unit) for f in pd.facts if f.source == "table"}
    assert ("公务用车保有量", 2.0, "辆") in got and ("公务接待批次", 13.0, "批") in got
    assert ("公务接待费", 26000.0, "元") in got


def test_pipe_rows_keep_their_cells_and_a_one_cell_row_is_a_line():
    from qa.ingest.layout import prepare

    p = prepare("某局2024年“三公”经费情况统计表 | ||\n? | 单位:万元 | |\n项目 | 预算数 |\n合计 | 12.5 |\n")
    assert p.lines == ["某局2024年“三公”经费情况统计表", "单位:万元", "项目\t预算数", "合计\t12.5"]


def test_converter_pinyin_is_dropped_and_quotes_stay_verbatim():
    pd = parse_file(FIXTURES / "traditional_pinyin.txt")
    assert pd.document.department == "临川市质量检测站"
    f = {(x.label, x.column): x.value for x in pd.facts}
    assert f[("三公经费", "预算数")] == 18.4 and f[("公务接待费", "比上年增减")] == -1.5
    assert f[("公务用车运行维护费", "比上年增减")] == 0.0  # 与上年持平
    assert any("經(jīng)費" in x.quote for x in pd.facts)


def test_html_saved_as_text_is_read_as_a_page():
    pd = parse_file(FIXTURES / "page_in_html.txt")
    assert pd.document.department == "远山市水利局"
    assert not any("<" in ln or "&nbsp;" in ln for ln in pd.lines)
    f = {(x.label, x.column): x.value for x in pd.facts}
    assert f[("一般公共预算财政拨款支出", "比上年增减")] == -310.20 and f[("三公经费", "预算数")] == 96.5


def test_amounts_in_words_and_mixed_units():
    from qa.text.numerals import close_cut_wan, rewrite

    assert rewrite("政府经营开支预计为三千二百五十亿元,减少一百三十八亿元,即百分之四点一") == \
        "政府经营开支预计为3250亿元,减少138亿元,即4.1%"
    assert rewrite("二零二一/二二年度") == "2021/22年度"
    assert rewrite("一般行政80億2,633萬5,000元,規費收入36億0,220萬元") == "一般行政8026335000元,規費收入360220万元"
    assert rewrite("涉及开支每年五亿二千九百万元") == "涉及开支每年52900万元"
    assert rewrite("收入6533億，支出6020億") == "收入6533亿元，支出6020亿元"
    assert rewrite("统一元首") == "统一元首" and rewrite("3250亿元") == "3250亿元"
    assert close_cut_wan("收支总计为1523.26万", None) == "收支总计为1523.26万元"
    assert close_cut_wan("数据320 万", "条记录") == "数据320 万"  # 万条: a count wrapped


def test_a_budget_speech_in_words():
    pd = parse_file(FIXTURES / "budget_speech.txt")
    assert pd.document.year == 2023
    f = {(x.label, x.column): x.value for x in pd.facts}
    assert f[("政府经营开支", "预算数")] == 4120 and f[("政府经营开支", "比上年增减")] == -206
    assert f[("教育经常开支", "增长率")] == 3.9
    assert f[("经营开支", "预算数")] == 156 and f[("非经营开支", "预算数")] == 32


# --- sentences ---------------------------------------------------------------------------
def test_last_years_actual_figures_on_a_budget_page():
    f = _facts("sangong_two_years.txt")
    assert f[("三公经费", "预算数")] == 36.4 and f[("三公经费", "上年决算数")] == 31.9
    assert f[("公务用车运行费用", "比上年增减")] == 5.4  # the paragraph is about 2024


def test_a_page_stating_actual_spending_is_a_final_account():
    pd = parse_file(FIXTURES / "final_pair.txt")
    assert pd.document.kind == "决算"
    f = {(x.label, x.column): x.value for x in pd.facts}
    assert f[("三公经费", "预算数")] == 38.6 and f[("三公经费", "决算数")] == 27.44
    assert f[("国内公务接待批次", "数量")] == 210 and f[("接待人次", "数量")] == 1650


@pytest.mark.parametrize("sentence,want", [
    ("2024年“三公”经费预算为3328万元。其中,因公出国(境)费50万元,公务接待费478万元。同口径比2023年减少830万元,下降20%。",
     [("三公经费", "比上年增减", -830.0), ("三公经费", "增长率", -20.0)]),
    ("2024年公务用车购置数及保有量分别为1辆和130辆。", [("公务用车购置数", "数量", 1.0), ("公务用车保有量", "数量", 130.0)]),
    ("2024年“三公”经费预算79.69万元中,因公出国(境)费21.36万元,公务接待费14.34万元。与2023年相比,分别减少0.29万元、0.64万元。",
     [("因公出国(境)费", "比上年增减", -0.29), ("公务接待费", "比上年增减", -0.64)]),
    ("2024年度,本单位一般公共预算财政拨款支出总计174.5万元;完成年初预算100%,决算数大于预算数5.9万元,主要原因是工资调标。",
     [("一般公共预算财政拨款支出总计", "预算完成率", 100.0), ("一般公共预算财政拨款支出总计", "比预算增减", 5.9)]),
    ("2024年全区一般公共预算收入完成14.7亿元,完成年度预算的100.2%,同比增长7.2%。",
     [("一般公共预算收入", "预算完成率", 100.2), ("一般公共预算收入", "增长率", 7.2)]),
    ("2024年,本單位收入為168.45萬元,其中:財政撥款收入151.6萬元。", [("收入合计", "预算数", 168.45)]),
    ("2024年“三公”经费预算52万元:一、因公出国(境)费预算17万元,与2023年预算相比增加17万元,主要原因是开展招商工作,二、公务接待费预算20万元。",
     [("公务接待费", "预算数", 20.0)]),
    ("其中,公务用车运行维护费支出决算比预算无增减变化,比去年增加1.05万元,增长35.8%。",
     [("公务用车运行维护费", "比上年增减", 1.05), ("公务用车运行维护费", "增长率", 35.8)]),
    ("截至2023年底,共有车辆2辆。", [("车辆", "数量", 2.0)]),
    # an actual figure with its budget: 完成…预算X的P%, 决算支出数为, 比预算数少, a bare 减少 after
    # a comparison with the budget, and a figure compared with its budget is the actual one
    ("2024年度“三公”经费支出决算为45.2万元,完成全年预算50万元的90.4%。",
     [("三公经费", "全年预算数", 50.0), ("三公经费", "预算完成率", 90.4)]),
    ("公务接待费预算数为10万元,决算支出数为8.5万元。", [("公务接待费", "预算数", 10.0), ("公务接待费", "决算数", 8.5)]),
    ("2024年“三公”经费决算数为3.2亿元,比预算数少0.4亿元。", [("三公经费", "比预算增减", -0.4)]),
    ("会议费2.1亿元,比预算数减少0.3亿元;培训费1.5亿元,减少0.2亿元。",
     [("会议费", "比预算增减", -0.3), ("培训费", "比预算增减", -0.2)]),
    ("2024年“三公”经费决算支出数为520.4万元,按同口径同比减少20.6万元,下降3.8%。", [("三公经费", "比上年增减", -20.6)]),
    ("2024年县级一般公共预算收入4520万元,比上年增收130万元,增长2.9%。", [("一般公共预算收入", "比上年增减", 130.0)]),
    # a numbered line that opens with its head and a colon is a sentence about that head
    ("(一)收入预算:2024年年初预算数646.16万元,其中:一般公共预算拨款622万元。",
     [("收入预算", "预算数", 646.16), ("一般公共预算拨款", "预算数", 622.0)]),  # a budget page: its own figure
    # the figure of the year compared with, and a change whose verb the page lost
    ("公务接待费决算10万元,比上年决算数12万元减少2万元,下降16.7%。",
     [("公务接待费", "上年决算数", 12.0), ("公务接待费", "比上年增减", -2.0)]),
    ("公务用车购置费预算数为40万元,决算支出数为45万元,较2023年决算数30万元15万元,增长50%。",
     [("公务用车购置费", "上年决算数", 30.0), ("公务用车购置费", "比上年增减", 15.0), ("公务用车购置费", "增长率", 50.0)]),
    # counts of a body's parts: the noun after the number, 所 as a measure word, a figure
    # right after a comma, what is counted after a long description's last 的
    ("中心内设6个部门。", [("内设部门", "数量", 6.0)]),
    ("本学区下辖2所初级中学,9所完全小学,4个教学点。",
     [("初级中学", "数量", 2.0), ("完全小学", "数量", 9.0), ("教学点", "数量", 4.0)]),
    ("各类学校共有15所,包括完全小学8所,幼儿园2所。", [("各类学校", "数量", 15.0), ("幼儿园", "数量", 2.0)]),
    ("纳入东山县第二中学2024年度部门预算编制范围的二级预算单位0个。", [("二级预算单位", "数量", 0.0)]),
    ("本级“三公”经费支出总额为1,204.50万元,比年初预算增加104.50万元。",
     [("三公经费", "决算数", 1204.5), ("三公经费", "比预算增减", 104.5)]),
])
def test_sentence_kinds_of_pages(sentence, want):
    from qa.ingest.prose import extract_prose_facts
    from qa.ingest.sections import section_paths
    from qa.text.script import to_simplified_lines
    from qa.types import Document

    lines = to_simplified_lines(["一、情况说明", "", sentence]).lines
    doc = Document(name="t.txt", department="", year=2024, kind="预算", unit="万元", content_hash="")
    got = {(f.label, f.column, f.value) for f in extract_prose_facts(lines, doc, section_paths(lines), [])}
    for w in want:
        assert w in got, (w, sorted(got))


# --- metadata ----------------------------------------------------------------------------
@pytest.mark.parametrize("text,department", [
    ("根据上级工作安排,南岭区2022年一般公共预算安排“三公”经费决算数1820万元。\n", "南岭区"),
    ("经汇总,2017年北塘区一般公共预算财政拨款开支“三公”经费583万元。\n", "北塘区"),
    ("根据财政部、省财政厅的安排,经西泉市财政局汇总,2018年西泉市部门及乡镇政府“三公”经费决算总额277万元。\n", "西泉市"),
    ("根据西陵市第四届人民代表大会第三次会议批准的西陵市本级2024年预算,2024年市本级“三公”经费支出预算如下:\n", "西陵市"),
    ("主席:现在继续开会。\n106年度外交部主管预算。\n外交部 第1目 一般行政80億元。\n", ""),
    ("2021年公务员事务局已鼓励部门精简程序,总收入预计为5911亿元。\n", ""),
    ("目录\n第一部分单位概况\n青川县农业技术服务中心下设办公室、财务室等。\n2024年度收、支总计均为152.3万元。\n",
     "青川县农业技术服务中心"),
])
def test_department_is_an_organisation_or_nothing(text, department):
    from qa.ingest.meta import read_metadata

    assert read_metadata("p.txt", text.splitlines()).department == department


@pytest.mark.parametrize("text,year", [
    ("按照部署,经汇总,2021年区本级一般公共预算中“三公”经费支出预算为443万元,与2020年预算基本持平。\n", 2021),
    ("2013年中央本级“三公经费”财政拨款预算79.69亿元。中央本级2012年“三公经费”财政拨款预算执行数为80.95亿元。\n", 2013),
    ("(一)本单位2021年度总收入581.45万元,较2020年度决算数减少175.26万元。\n", 2021),
])
def test_year_is_the_one_figures_are_stated_for(text, year):
    from qa.ingest.meta import read_metadata

    assert read_metadata("p.txt", text.splitlines()).year == year


def test_a_page_opening_with_one_cell_a_line_has_no_title_and_keeps_its_year():
    from qa.ingest.meta import read_metadata

    cells = ["|"] * 3 + ["单位:万元", "|", "项 目", "|", "合计", "|"]
    for label, v in (("机关运行经费", "120.50"), ("“三公”经费", "18.00"), ("公务接待费", "2.00")):
        cells += [label, "|", v, "|"] * 1 + ["|"] * 20  # long runs of separators push the prose down
    lines = cells + ["2024 年,本部门机关运行经费安排 120.50 万元,比上年增加3.20万元。"]
    meta = read_metadata("p.txt", lines)
    assert meta.year == 2024
    assert meta.title == "p.txt"  # neither "|" nor "单位:万元" nor the header cell "项 目"


def test_kind_from_a_title_below_a_list_of_page_metadata():
    from qa.ingest.meta import read_metadata

    lines = (["首页>信息公开>预算/决算>镇街部门", "- [ 索引号 ]", "- 0012/2024-001", "- [ 主题分类 ]", "- 教育",
              "- [ 体裁分类 ]", "- 财政预算、决算", "- [ 发布机构 ]", "- 东山区教委", "- [ 发布日期 ]", "- 2024-02-01",
              "东山区南坪镇中心小学校 2024年部门预算情况说明", "一、单位基本情况", "我校主要职能是实施小学义务教育。"])
    meta = read_metadata("p.txt", lines)
    assert meta.kind == "预算" and meta.year == 2024


def test_a_page_setting_spending_against_its_budget_is_a_final_account():
    from qa.ingest.meta import read_metadata

    lines = ["经西岭州财政局汇总,2023年西岭州州本级部门“三公”经费支出总额为1,204.50万元,比年初预算增加104.50万元。"]
    assert read_metadata("p.txt", lines).kind == "决算"


def test_three_character_central_bodies_are_names():
    from qa.text.orgnames import is_org_name

    assert is_org_name("审计署") and is_org_name("外交部")
    assert not is_org_name("全部") and not is_org_name("部署") and not is_org_name("现在继续开会")


# --- departments in questions -----------------------------------------------------------
@pytest.mark.parametrize("official,short", [
    ("湛江市质量技术监督局", "质监局"), ("寻甸回族彝族自治县教育体育局", "教体局"),
    ("全国人大常委会办公厅", "人大办公厅"), ("渠县农业综合技术服务中心", "农技中心"),
])
def test_abbreviations_that_keep_some_characters(official, short):
    from qa.agent.aliases import build, find_mentions

    found = find_mentions(f"{short}2023年三公经费是多少", [build(official)])
    assert [m.official for m in found] == [official]


def test_a_school_is_named_without_its_last_character():
    from qa.agent.aliases import build, find_mentions

    found = find_mentions("南坪镇中心小学2023年收入预算是多少", [build("重庆市东山区南坪镇中心小学校")])
    assert [(m.official, m.end) for m in found] == [("重庆市东山区南坪镇中心小学校", 7)]


def test_an_abbreviation_must_end_in_the_same_body_word():
    from qa.agent.aliases import is_abbreviation

    assert not is_abbreviation("质监站", "质量技术监督局")
    assert not is_abbreviation("局", "质量技术监督局")


def test_places_and_pointing_words_in_questions():
    from qa.agent.resolve import deictic_spans, place_spans

    q = "广州白云区2013年三公总开支是多少"
    assert [q[a:b] for a, b in place_spans(q, [])] == ["广州白云区"]
    assert place_spans("全区三公经费多少", []) == []
    for q, word in (("这个单位2022年三公经费预算多少", "这个单位"), ("2023年他们因公出国团组几个", "他们")):
        assert [q[a:b] for a, b in deictic_spans(q, [])] == [word]
    assert deictic_spans("其中公务接待费多少", []) == [] and deictic_spans("本年收入", []) == []
    # a place pointed at by its level ("该县", "本市") is no part of the item either
    for q, word in (("该县教育支出比社会保障和就业支出多多少", "该县"), ("本市一般公共预算收入多少", "本市"),
                    ("这个厅2022年公务接待费", "这个厅")):
        assert [q[a:b] for a, b in deictic_spans(q, [])] == [word]
    assert deictic_spans("其中区级支出多少", []) == []


# --- answers -------------------------------------------------------------------------------
def _assistant(tmp_path, names):
    from qa.assistant import Assistant
    from qa.ingest.pipeline import ingest_paths
    from qa.store.index import Index

    data = tmp_path / "qa"
    index = Index(data)
    ingest_paths([FIXTURES / n for n in names], index, progress=False)
    index.close()
    return Assistant.open(data)


@pytest.fixture(scope="module")
def one_page(tmp_path_factory):
    return _assistant(tmp_path_factory.mktemp("one"), ["sangong_two_years.txt"])


@pytest.mark.parametrize("question,value", [
    ("这个单位2024年三公经费预算一共多少？", 36.4),
    ("某旗2024年三公预算合计多少", 36.4),  # a place the page does not print: the page's own figure
    ("2023年三公实际花了多少？", 31.9),  # last year's actual spending stated on a budget page
    ("2024年公务用车运行费用比上年增长了百分之多少", 32.14),
])
def test_one_page_answers_questions_naming_no_body(one_page, question, value):
    ans = one_page.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer


@pytest.fixture(scope="module")
def many_pages(tmp_path_factory):
    return _assistant(tmp_path_factory.mktemp("many"),
                      ["sangong_two_years.txt", "year_rows.txt", "bare_table.txt", "final_pair.txt"])


def test_a_place_named_on_one_page_only_finds_it(many_pages):
    ans = many_pages.ask("南岭2021年公务接待费是多少？")
    assert ans.status == "answered" and ans.value == pytest.approx(961), ans.answer
    ans = many_pages.ask("东岭县2024年公务接待费预算是多少")
    assert ans.status == "answered" and ans.value == pytest.approx(598.70), ans.answer


def test_a_question_naming_nothing_any_page_has_stays_unresolved(many_pages):
    ans = many_pages.ask("2024年三公经费预算是多少")
    assert ans.status == "ambiguous" and len(ans.candidates) >= 2, ans.answer
    assert many_pages.ask("北岭区2024年公务接待费预算是多少").status != "answered"


def test_a_list_closed_by_its_count_names_what_it_lists():
    from qa.ingest.prose import extract_enumerations
    from qa.ingest.sections import section_paths
    from qa.types import Document

    lines = ["一、基本情况", "", "东山镇卫生院现有职工20人。卫生院设内科、外科、儿科、中医科4个临床科室,另设药房。"]
    doc = Document(name="t.txt", department="", year=2024, kind="预算", unit="万元", content_hash="")
    got = [(e.label, e.items) for e in extract_enumerations(lines, doc, section_paths(lines))]
    assert got == [("临床科室", ("内科", "外科", "儿科", "中医科"))]


def test_a_list_asked_for_by_how_many_carries_the_count(final_page):
    ans = final_page.ask("北川市林草局设了哪几个科室？")
    assert ans.status == "answered" and ans.value == 3 and "资源科" in ans.answer, ans.answer
    ans = final_page.ask("北川市林草局设了哪些科室？")
    assert ans.status == "answered" and ans.value is None, ans.answer  # no count asked: a list only


@pytest.mark.parametrize("question,value", [
    ("这个局2023年的收入合计是多少？", 240.0),  # the row 收入合计, not 收入总计
    ("这个局2022年的收入合计是多少？", 220.0),  # last year's: this year's minus the change
    ("会议费和培训费合计多少？", 120.2),  # two items and 合计: a sum
])
def test_income_total_is_a_row_not_a_sum(final_page, question, value):
    ans = final_page.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer


@pytest.mark.parametrize("question,reason", [
    ("三公经费决算比上年多,主要是什么原因?", "森林防火巡查"),  # the reason stated against 上年
    ("三公经费决算为什么比预算少？", "过紧日子"),  # the one stated against 预算
])
def test_a_reason_is_the_one_stated_against_what_the_question_measures_by(final_page, question, reason):
    ans = final_page.ask(question)
    assert ans.status == "answered" and reason in ans.answer, ans.answer


def test_a_question_counting_in_so_counts_schools(tmp_path):
    from qa.agent.understand import understand

    assert understand("这个学区下辖多少所完全小学？").count_units == ["所"]
    assert understand("有几辆公务用车").count_units == ["辆"]


# --- actual figures against their budget ------------------------------------------------
@pytest.fixture(scope="module")
def final_page(tmp_path_factory):
    return _assistant(tmp_path_factory.mktemp("final"), ["final_against_budget.txt"])


@pytest.mark.parametrize("question,value", [
    ("北川市林草局2023年三公经费的全年预算是多少？", 60.0),  # stated in the completion clause
    ("会议费的年初预算是多少？", 75.0),  # the actual minus its change against the budget
    ("培训费年初预算是多少", 52.0),  # a bare 减少 after a comparison with the budget
    ("公务用车运行维护费超预算多少？", 3.5),
    ("公务接待费决算比预算省了多少？", 7.7),
    ("这个局公务接待费预算执行率是多少？", 61.5),
    ("公务用车购置及运行维护费预算数比决算多出多少？", 3.7),
    # words running into a pointing word ("…占该局") name no body that is not loaded
    ("2023年公务接待费占该局三公经费决算的比例？", 25.31),
    # last year's actual: this year's actual (not the budget beside it) minus the change
    ("北川市林草局2022年三公经费决算是多少？", 42.5),
    # two asks: the first is answered
    ("三公经费决算支出是多少？完成预算百分之多少？", 48.6),
])
def test_actual_figures_against_their_budget(final_page, question, value):
    ans = final_page.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer


def test_a_question_asking_two_things_is_read_up_to_its_first_ask():
    from qa.agent.understand import first_ask

    q = "事业收入多少，占收入合计多少？"
    assert first_ask(q).rstrip() == "事业收入多少" and len(first_ask(q)) == len(q)
    assert first_ask("与上年相比，增加了多少？") == "与上年相比，增加了多少？"
    assert first_ask("三公经费预算多少？比上年如何？").rstrip() == "三公经费预算多少？"[:-1]


# --- a school's budget page ---------------------------------------------------------------
@pytest.fixture(scope="module")
def school_page(tmp_path_factory):
    return _assistant(tmp_path_factory.mktemp("school"), ["school_budget.txt"])


@pytest.mark.parametrize("question,value", [
    ("南坪镇中心小学2023年收入预算是多少？", 490.0),  # the figure stated with the change, minus it
    ("南坪镇中心小学2024年收入预算是多少？", 520.0),
    ("这个学校下辖多少所完全小学？", 2.0),
    ("教育支出预算是多少", 400.0),
])
def test_a_school_budget_page(school_page, question, value):
    ans = school_page.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer


def test_a_numbered_head_line_and_a_time_word_are_not_the_items_name(tmp_path):
    """"1.一般公共预算执行情况" on a line of its own heads the sentence below it; "全年" in
    "全年一般公共预算总收入完成255亿元" says when, the item is 一般公共预算总收入."""
    page = tmp_path / "speech.txt"
    page.write_text("(一)2024年预算收支情况\n1.一般公共预算执行情况\n"
                    "全年一般公共预算总收入完成96亿元,完成预算的100%;一般公共预算收入完成61亿元,同比增长1.3%。\n",
                    encoding="utf-8")
    labels = {(f.label, f.value) for f in parse_file(page).facts}
    assert ("一般公共预算总收入", 96.0) in labels and ("一般公共预算收入", 61.0) in labels, labels
