"""Document metadata read from the real corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.meta import read_metadata

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
])
def test_region_in_title_is_the_publisher_when_no_department_is_printed(title, want):
    lines = [title, "", "本报讯 日前，市财政局公开了部门预算，一般公共预算支出安排12.5亿元。"]
    meta = read_metadata("news.txt", lines)
    assert meta.department == want
    assert meta.year in (2023, 2024, 2025)


def test_printed_department_wins_over_title_region():
    lines = ["南岭市2024年部门预算公开", "编制部门：南岭市园林局 单位：万元", "合计 1.00"]
    assert read_metadata("x.txt", lines).department == "南岭市园林局"
