"""Document metadata read from the real corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.ingest.loaders import load
from qa.ingest.meta import read_metadata
from qa.text.orgnames import canonical, is_org_name, most_frequent_name
from qa.ingest.pipeline import parse_loaded

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.mark.parametrize("name,department,year", [
    ("000_553322b9b830cfa0.txt", "昌吉回族自治州住房公积金管理中心", 2024),
    ("001_648cb979c5ae0ed7.txt", "昌吉回族自治州机关事务管理局", 2024),
    ("002_8c5c6d2715ecedd6.txt", "昌吉州住房和城乡建设局", 2023),
    ("003_eae6f4940a625f14.txt", "安阳市住房公积金管理中心", 2024),
    ("004_b3fa070b509c4b73.txt", "昌吉回族自治州社会保险中心", 2024),
])
def test_corpus_metadata(name, department, year):
    meta = read_metadata(name, (CORPUS / name).read_text(encoding="utf-8").splitlines())
    assert meta.department == department
    assert meta.year == year
    assert meta.kind == "预算"
    assert meta.unit == "万元"
    assert meta.title


def test_department_from_heading_when_no_table_names_it():
    lines = ["第一部分 昌吉回族自治州住房公积金管理中心部门概况", "", "一、主要职能"]
    assert read_metadata("x.txt", lines).department == "昌吉回族自治州住房公积金管理中心"
    lines = ["2024年度安阳市住房公积金管理中心部门预算公开说明", "目 录"]
    meta = read_metadata("x.txt", lines)
    assert meta.department == "安阳市住房公积金管理中心" and meta.year == 2024


@pytest.mark.parametrize("sep", [" | ", "\t"])
def test_page_field_row_names_the_body_not_the_field(sep):
    # a government page's info block: field label, value, as a pipe row or (after the loader) tabs
    lines = [sep.join(["索引号", "11500000/2024-00001", "发文字号", ""]),
             sep.join(["发布机构", "某某区教委", "有效性", ""]),
             sep.join(["标题", "重庆市某某区某某镇中心小学2024年单位预算情况说明", ""]),
             "一、单位基本情况", "学校内设教务处、总务处。"]
    assert read_metadata("x.txt", lines).department == "重庆市某某区某某镇中心小学"


def test_department_line_strips_unit_and_colon():
    lines = ["2023年部门决算公开表", "表1", "收入支出决算总表", "编制单位：某某县财政局： 金额单位：元", "项目 决算数"]
    meta = read_metadata("x.txt", lines)
    assert meta.department == "某某县财政局"
    assert meta.unit == "元"
    assert meta.kind == "决算"
    assert meta.year == 2023


def test_unit_of_a_text_without_tables_is_the_one_its_amounts_use():
    lines = ["南川市2024年市级部门预算集中公开", "", "2024年市级一般公共预算支出安排86.4亿元，其中教育支出18.6亿元。"]
    meta = read_metadata("news.txt", lines)
    assert meta.unit == "亿元" and meta.year == 2024 and meta.kind == "预算"


@pytest.mark.parametrize("title,want", [
    ("西林市2025年市级部门预算集中公开 教育支出继续增长", "西林市"),
    ("2023年北沙县本级部门决算公开", "北沙县"),
    ("东湖市青山区2024年区级部门预算公开", "东湖市青山区"),
    ("关于2024年预算执行情况的报告", ""),
    ("关于南平区2023年“三公”经费决算支出情况说明", "南平区"),  # 关于 opens the title, names nothing
])
def test_region_in_title_is_the_publisher_when_no_department_is_printed(title, want):
    lines = [title, "", "本报讯 日前，市财政局公开了部门预算，一般公共预算支出安排12.5亿元。"]
    meta = read_metadata("news.txt", lines)
    assert meta.department == want
    assert meta.year in (2023, 2024, 2025)


def test_printed_department_wins_over_title_region():
    lines = ["南岭市2024年部门预算公开", "编制部门：南岭市园林局 单位：万元", "合计 1.00"]
    assert read_metadata("x.txt", lines).department == "南岭市园林局"


# --- organisation names, never sentences -------------------------------------------------------
META_FIXTURES = Path(__file__).parent / "meta_fixtures"
META_EXPECTED = json.loads((META_FIXTURES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(META_EXPECTED))
def test_metadata_fixture(name):
    """Hand-written pages in the layouts real sites use: the department is the body's name."""
    want = META_EXPECTED[name]
    doc = parse_loaded(load(META_FIXTURES / name)).document
    assert doc.department == want["department"], want["layout"]
    assert doc.year == want["year"]
    assert doc.kind == want["kind"]
    assert "department: " in doc.meta_source and doc.confidence is not None and 0 < doc.confidence <= 1
    meta = read_metadata(name, load(META_FIXTURES / name).text.splitlines())
    assert meta.sources["department"] == want["source"]
    assert is_org_name(doc.department)


def test_metadata_fixtures_cover_every_file():
    files = {p.name for p in META_FIXTURES.iterdir() if p.suffix != ".json"}
    assert files == set(META_EXPECTED)


@pytest.mark.parametrize("text", [
    "按照省委省政府工作部署和要求，经汇总，青川省林业厅",
    "您当前的位置：首页 > 政务公开 > 白沙市文化和旅游委员会",
    "单位：万元 项目 合计 基本支出 项目支出",
    "三、部门预算收支总体情况",
    "第一部分 部门概况",
    "东湖市水务局2024年部门决算.txt",
    "本部门", "各预算单位", "办公室", "检察院", "市财政局有关负责人",
    "重要枢纽节点布局", "纳入部门预算编制范围的单位",
])
def test_not_an_organisation_name(text):
    assert not is_org_name(text)


@pytest.mark.parametrize("text", [
    "江苏省人民检察院", "江苏省高级人民法院", "中共江苏省委办公厅", "江苏省人大常委会办公厅",
    "上海市普陀区规划和自然 资源局", "昌吉回族自治州住房公积金管理中心", "西河镇人民政府",
    "东关区长安街道办事处", "江苏省人民代表大会常务委员会办公厅", "共青团青川省委员会", "原平市民政局",
    "东湖市妇联", "东湖市科协", "东湖市气象台", "东湖市第一中学", "全国妇联",
])
def test_organisation_names(text):
    assert is_org_name(text)


def test_party_committee_bodies_get_their_full_name():
    assert canonical("江苏省委办公厅") == "中共江苏省委办公厅"
    assert canonical("中共江苏省委办公厅") == "中共江苏省委办公厅"
    assert canonical("重庆市交通委员会") == "重庆市交通委员会"


def test_most_frequent_name_counts_full_names_and_their_short_forms():
    lines = ["本部门内设机构包括省林业厅机关、厅信息中心。",
             "青川省林业厅2019年度收入预算合计100万元。",
             "青川省林业厅本年支出预算合计100万元，其中市财政局转拨10万元。",
             "纳入青川省林业厅部门预算的单位共2个。"]
    assert most_frequent_name(lines) == ("青川省林业厅", 3 + 1)
    # two bodies named equally often: nobody in particular
    assert most_frequent_name(["甲县水利局下达。", "乙县水利局下达。"]) == ("", 0)


def test_year_and_kind_from_a_title_broken_over_lines():
    lines = ["东湖市城市管理局", "年度部门决算", "2024", "目 录", "第一部分 东湖市城市管理局概况"]
    meta = read_metadata("x.pdf", lines)
    assert (meta.department, meta.year, meta.kind) == ("东湖市城市管理局", 2024, "决算")
    assert meta.sources == {"department": "title", "year": "title", "kind": "title"}
    lines = ["2018 年度南岭省高级", "人民法院预算公开", "2018 年 2 月 24 日", "目 录"]
    meta = read_metadata("x.pdf", lines)
    assert (meta.department, meta.year, meta.kind) == ("南岭省高级人民法院", 2018, "预算")
    assert meta.title == "2018 年度南岭省高级人民法院预算公开"


def test_publication_date_is_not_the_budget_year():
    lines = ["东湖市城市管理局2024年度部门决算", "发布时间：2025年8月5日", "目 录"]
    assert read_metadata("x.txt", lines).year == 2024


def test_label_variants_name_the_department():
    for line in ["预算主管部门：东湖市司法局", "预算单位：东湖市司法局", "部门名称: 东湖市司法局\t部门编码:201",
                 "收支预算总表 公开表一 部门： 东湖市司法局 单位：万元", "部 门:东湖市司法局"]:
        meta = read_metadata("x.txt", ["2024年部门预算", line, "合计 1.00"])
        assert meta.department == "东湖市司法局", line
        assert meta.sources["department"] == "label"
    # a township publishes as itself; a label that refers to a body names nobody
    assert read_metadata("x.txt", ["编制单位：西河镇 单位：元", "合计 1.00"]).department == "西河镇"
    assert read_metadata("x.txt", ["编制单位：本单位 单位：元", "合计 1.00"]).department == ""
    assert read_metadata("x.txt", ["编制单位：东湖市司法局（本级） 单位：元", "合计 1.00"]).department == "东湖市司法局"
    # a label followed by a header row instead of a name gives nothing
    meta = read_metadata("x.txt", ["编制部门：\t项目\t合计\t基本支出", "合计\t1.00\t1.00"])
    assert meta.department == ""


def test_confidence_reflects_the_source_and_agreement():
    strong = read_metadata("x.txt", ["东湖市司法局2024年部门预算", "编制部门：东湖市司法局 单位：万元", "合计 1.00"])
    weak = read_metadata("东湖市司法局2024年部门预算.txt", ["合计 1.00"])
    assert strong.confidence["department"] > 0.95 > weak.confidence["department"]
    assert strong.overall > weak.overall
    assert weak.department == "东湖市司法局" and weak.year == 2024 and weak.sources["year"] == "file-name"
    none = read_metadata("000_ab12.txt", ["合计 1.00"])
    assert none.department == "" and none.confidence["department"] == 0.0 and none.year is None


def test_overrides_win_with_full_confidence():
    meta = read_metadata("x.txt", ["东湖市司法局2024年部门预算", "合计 1.00"],
                         overrides={"department": "东湖市公安局", "year": 2023, "kind": "决算"})
    assert (meta.department, meta.year, meta.kind) == ("东湖市公安局", 2023, "决算")
    assert meta.overall == 1.0 and "set by user" in meta.describe()
    partial = read_metadata("x.txt", ["东湖市司法局2024年部门预算", "合计 1.00"], overrides={"year": 2023, "kind": None})
    assert (partial.department, partial.year, partial.kind) == ("东湖市司法局", 2023, "预算")


def test_a_title_naming_the_item_in_quotes_names_its_body():
    """"某省统计局2016年“三公经费”预算说明": the quotes open the item, the name stands before the year."""
    lines = ["某省统计局2016年“三公经费”预算说明", "", "为做好部门预算和“三公”经费预算的公开工作，现将有关情况说明如下。"]
    assert read_metadata("p.txt", lines).department == "某省统计局"


def test_publisher_field_of_a_metadata_grid_names_the_department():
    # a government portal's page header: the publisher sits in a pipe grid, not after a colon
    lines = ["索引号 | 000000000000/2025-00001 | 发布机构 | 西河县东湾镇 |", "公开目录 | 三公经费 | 发布日期 | 2025-03-01 |",
             "2025年西河县东湾镇“三公”经费预算财政拨款情况统计表 | |", "单位:万元 | |", "项目 | 2024年预算数 | 2025年预算数 |"]
    assert read_metadata("x.txt", lines).department == "西河县东湾镇"


def test_a_notice_names_the_town_it_publishes_for():
    lines = ["按照区政府关于推进政府信息公开工作的要求,现将东湾镇2021年度“三公”经费决算情况公布如下:",
             "2021年度“三公”经费30万元,其中:公务接待费10万元,公务用车运行维护费20万元。"]
    assert read_metadata("x.txt", lines).department == "东湾镇"


def test_the_body_a_text_speaks_of_among_its_sections_is_the_department():
    lines = ["(一)职能职责", "街道的主要职能是:1、履行辖区党的建设职责。2、履行辖区公共服务职责。",
             "(二)机构设置", "西河街道办事处内设综合办公室、社会事务办公室、平安建设办公室。",
             "1.总体情况。2022年度收入总计1200.00万元,支出总计1200.00万元。"]
    assert read_metadata("x.txt", lines).department == "西河街道办事处"


def test_a_publisher_field_gives_way_to_the_body_a_heading_names():
    """信息来源 is the site that put the page up; the heading names the department."""
    from qa.ingest.meta import read_department

    lines = ["某市某区行政审批局2021年度部门决算", "发布日期:2022-10-12 10:24 信息来源:某区新区",
             "一、部门基本情况", "某市某区行政审批局贯彻落实党中央关于行政审批工作的方针政策。"]
    dept, src, _ = read_department("page.txt", lines)
    assert dept == "某市某区行政审批局" and src != "publisher"
    alone = read_department("page.txt", ["发布机构 | 昌宁县卡斯镇 |", "2020年部门预算公开"])
    assert alone[0] == "昌宁县卡斯镇"


def test_a_pointing_place_is_no_department():
    """"关于我市2020年…决算草案的报告": 我市 points at a place, it names none."""
    from qa.ingest.meta import read_department

    dept, _, _ = read_department("page.txt", ["关于我市2020年市本级财政决算草案的报告", "市财政局局长 某某"])
    assert "我市" not in dept
