"""Section paths on the real corpus: wrapped headings, tables, TOC, displaced heading tails."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.sections import leaf_title, scan_sections, section_paths

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def _lines(prefix: str) -> list[str]:
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def paths() -> dict[str, list[str]]:
    return {p: section_paths(_lines(p)) for p in ("000", "001", "002", "003", "004")}


def test_one_path_per_line(paths):
    for prefix, ps in paths.items():
        assert len(ps) == len(_lines(prefix))


def test_wrapped_level2_heading_is_joined(paths):
    # "三、 关于…支出预算情况说" + "明" on the next non-empty line.
    assert paths["000"][787 - 1] == (
        "第三部分 2024 年部门预算情况说明 / 三、关于昌吉回族自治州住房公积金管理中心 2024 年支出预算情况说明"
    )
    # The tail line itself belongs to the heading's section.
    assert leaf_title(paths["000"][736 - 1]).endswith("收支预算情况总体说明")


def test_level3_and_level1(paths):
    assert paths["000"][850 - 1].endswith(" / （三）一般公共预算当年拨款具体使用情况")
    assert paths["000"][1055 - 1].endswith("十二、其他重要事项的情况说明 / （三）国有资产占用使用情况")
    assert paths["000"][1748 - 1] == "第四部分 名词解释 / 八、机关运行经费"


def test_table_rows_are_not_headings(paths):
    # "一、本年收入 3,394.10 201 一般公共服务支出" is a table row of 表1.
    assert paths["000"][44 - 1] == "第二部分 2024 年部门预算公开表"
    assert paths["000"][400 - 1] == "第二部分 2024 年部门预算公开表"
    assert paths["004"][65 - 1] == "第二部分 2024 年部门预算公开表"


def test_duties_are_list_items_not_sections(paths):
    assert paths["002"][10 - 1] == "第一部分 昌吉州住房和城乡建设局概况 / 一、主要职能"
    assert paths["004"][19 - 1] == "第一部分 2024 年昌吉回族自治州社会保险中心部门概况 / 一、主要职能"


def test_displaced_heading_tail(paths):
    # 004: "十一、 关于…上年结转结余预算" (line 1451) is printed inside the 三公 paragraph and
    # completed by "情" / "况说明" at lines 1471-1473; the 三公 text stays in section 十.
    assert "十、关于昌吉回族自治州社会保险中心 2024 年财政拨款“三公”经费预算情况说明" in paths["004"][1460 - 1]
    assert paths["004"][1475 - 1].endswith("十一、关于昌吉回族自治州社会保险中心 2024 年上年结转结余预算情况说明")


def test_table_of_contents_and_level1_title_on_next_line(paths):
    assert paths["003"][14 - 1] == "目录"
    assert paths["003"][88 - 1] == "第二部分 安阳市住房公积金管理中心2024年度部门预算情况说明 / 三、支出预算总体情况"
    assert paths["003"][176 - 1].startswith("附件")


def test_project_sections(paths):
    assert paths["002"][2320 - 1].endswith(" / 项目名称：自建房整治专项")
    assert paths["000"][932 - 1].endswith(" / （一）项目名称：住房公积金管理服务")


def test_synthetic_wrapped_and_rejected():
    lines = [
        "第一部分 概况",
        "一、 关于某局 2025 年收支预算情况总",
        "",
        "体说明",
        "收支总预算 10.00 万元。",
        "一、本年收入 3,394.10 201 一般公共服务支出",
        "（一）承担推进改革的责任。拟订政策。",
    ]
    scan = scan_sections(lines)
    assert scan.paths[4] == "第一部分 概况 / 一、关于某局 2025 年收支预算情况总体说明"
    assert scan.paths[5] == scan.paths[4]
    assert scan.paths[6] == scan.paths[4]
    assert {1, 3} <= scan.heading_lines


def test_wrapped_project_name_after_numbered_marker_is_joined():
    """'（一）项目名称：…' wrapped over two lines (a PDF line break, or a page break's
    broken word) names the whole project, not its first line."""
    lines = [
        "七、关于某某中心2024年一般公共预算项目支出情况说明",
        "",
        "（一）项目名称：“数据平台”运行电力保障、网络",
        "线路租用等费用",
        "",
        "设立的政策依据：《信息化建设规划》",
        "预算安排规模：20.00 万元",
        "（二）项目名称：系统维护费",
    ]
    paths = section_paths(lines)
    assert leaf_title(paths[6]) == "（一）项目名称：“数据平台”运行电力保障、网络线路租用等费用"
    assert leaf_title(paths[7]) == "（二）项目名称：系统维护费"


def test_wrapped_project_name_in_corpus_004(paths):
    leafs = {leaf_title(p) for p in paths["004"]}
    assert any(l.startswith("（一十三）项目名称：") and l.endswith("生活补贴资金预算的通知") for l in leafs), \
        [l for l in leafs if "一十三" in l]


def test_heading_cut_into_three_pieces_by_a_page_break_is_joined():
    lines = [
        "六、 关于某某市住房公",
        "积金管理中心 2024 年一般公共预算基",
        "",
        "本支出情况说明",
        "",
        "某某市住房公积金管理中心 2024 年一般公共预算基本支出 2,440.10 万元。",
    ]
    paths = section_paths(lines)
    assert leaf_title(paths[5]).replace(" ", "") == "六、关于某某市住房公积金管理中心2024年一般公共预算基本支出情况说明"
