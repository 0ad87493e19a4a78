"""Integrity report on the real corpus: the mismatches verified by hand are reported,
clean documents and clean tables yield none, rounding is tolerated."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.integrity import check_integrity
from qa.ingest.meta import read_metadata
from qa.ingest.tables import extract_tables
from qa.types import Document, IntegrityIssue

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def issues_for(name: str, lines: list[str] | None = None) -> list[IntegrityIssue]:
    if lines is None:
        lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    meta = read_metadata(name, lines)
    doc = Document(name=name, department=meta.department, year=meta.year, kind=meta.kind, unit=meta.unit,
                   content_hash="")
    tables, facts = extract_tables(lines, doc, [""] * len(lines))
    return check_integrity(doc, facts, tables)


@pytest.mark.parametrize("name", [
    "000_553322b9b830cfa0.txt", "001_648cb979c5ae0ed7.txt",
    "003_eae6f4940a625f14.txt", "004_b3fa070b509c4b73.txt",
])
def test_documents_whose_tables_add_up_report_nothing(name):
    # Checked by hand: every parent 科目, 总计 row and 收支 balance in these tables adds up
    # (within 0.01 rounding per figure); an issue here would be a parse error.
    assert issues_for(name) == []


def _find(issues, table, kind, *needles):
    return [i for i in issues if i.table_no == table and i.kind == kind and all(n in i.message for n in needles)]


def test_002_real_inconsistencies_are_reported():
    issues = issues_for("002_8c5c6d2715ecedd6.txt")
    # 表3: 21201 项目支出 629.76 but 128.60 + 3.00 + 31.50 + 463.66 = 626.76.
    hit = _find(issues, "3", "code", "21201", "项目支出")
    assert len(hit) == 1 and hit[0].stated == pytest.approx(629.76) and hit[0].expected == pytest.approx(626.76)
    # 表3 合计 row: 项目支出 629.79 but classes 629.76 + 3.03 = 632.79.
    hit = _find(issues, "3", "total", "项目支出")
    assert len(hit) == 1 and hit[0].stated == pytest.approx(629.79) and hit[0].expected == pytest.approx(632.79)
    # 表3 row 212: 合计 1,626.09 but 999.33 + 629.76 = 1,629.09.
    hit = _find(issues, "3", "row", "212 城乡社区支出")
    assert len(hit) == 1 and hit[0].expected == pytest.approx(1629.09) and hit[0].line == 780
    # 表2 row 212: 财政拨款小计 1,626.09 but its only part 一般公共预算 is 1,486.09.
    hit = _find(issues, "2", "row", "212 城乡社区支出", "财政拨款小计 is 1,626.09")
    assert len(hit) == 1 and hit[0].expected == pytest.approx(1486.09)
    # 表2 row 2120103 机关服务 prints 总计 3, 财政拨款小计 3 and 财政拨款结转 3 (cells 5, 6 and 15).
    hit = _find(issues, "2", "row", "2120103", "总计")
    assert len(hit) == 1 and hit[0].stated == pytest.approx(3.0) and hit[0].expected == pytest.approx(6.0)
    # 表4: the 201 row repeats the 1,846.59 total, so the classes add up to twice it.
    hit = _find(issues, "4", "balance")
    assert len(hit) == 1 and hit[0].expected == pytest.approx(3693.18)
    # Nothing is reported for the tables that add up (表5, 表6, 表7, 表10).
    assert not [i for i in issues if i.table_no in ("5", "6", "7", "10")]
    for i in issues:
        assert i.doc == "002_8c5c6d2715ecedd6.txt" and i.line > 0 and i.message.startswith("表")


def test_a_changed_child_is_reported_against_its_parent_only():
    name = "000_553322b9b830cfa0.txt"
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    assert lines[335] == "221 02 01 住房公积金 108.72 108.72"
    lines[335] = "221 02 01 住房公积金 118.72 118.72"
    issues = issues_for(name, lines)
    assert issues, "a child that no longer adds up must be reported"
    assert all(i.table_no == "3" for i in issues)
    hit = [i for i in issues if i.kind == "code" and "22102" in i.message]
    assert hit and hit[0].stated == pytest.approx(108.72) and hit[0].expected == pytest.approx(118.72)
    assert "118.72" in hit[0].message and "108.72" in hit[0].message


def test_rounding_differences_are_tolerated():
    name = "000_553322b9b830cfa0.txt"
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    assert lines[516] == "302 01 办公费 4.20 4.20"
    lines[516] = "302 01 办公费 4.21 4.21"
    assert issues_for(name, lines) == []


def test_unbalanced_summary_is_reported():
    name = "001_648cb979c5ae0ed7.txt"
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    assert lines[115] == "收 入 总 计 2,155.66 支 出 总 计 2,155.66"
    lines[115] = "收 入 总 计 2,155.66 支 出 总 计 2,150.66"
    hit = [i for i in issues_for(name, lines) if i.kind == "balance" and i.table_no == "1"]
    assert hit and any("2,155.66" in i.message and "2,150.66" in i.message for i in hit)


def test_unknown_columns_suspend_the_row_sum():
    text = "\n".join([
        "某某局2024年部门预算公开",
        "表 3",
        "部门支出总体情况表",
        "编制部门：某某局 单位：元",
        "科目编码 科目名称 合计 基本支出 项目支出 上缴上级支出",
        "201 一般公共服务支出 1,000.00 600.00 300.00 100.00",
    ])
    lines = text.splitlines()
    doc = Document(name="x.txt", department="某某局", year=2024, kind="预算", unit="元", content_hash="")
    tables, facts = extract_tables(lines, doc, [""] * len(lines))
    assert tables[0]["columns"] == ["合计", "基本支出", "项目支出", "上缴上级支出"]
    # 合计 = 基本支出 + 项目支出 + 上缴上级支出 here: no false alarm from a narrower definition.
    assert check_integrity(doc, facts, tables) == []


def test_percentage_columns_are_not_summed():
    text = "\n".join([
        "某某局2024年部门预算公开",
        "表 3",
        "部门支出总体情况表",
        "编制部门：某某局 单位：万元",
        "科目编码 科目名称 本年预算数 上年预算数 增长率",
        "201 一般公共服务支出 110.00 100.00 10.00%",
        "201 01 人大事务 60.00 50.00 20.00%",
        "201 03 政府办公厅（室）及相关机构事务 50.00 50.00 0.00%",
        "合计 110.00 100.00 10.00%",
    ])
    lines = text.splitlines()
    doc = Document(name="x.txt", department="某某局", year=2024, kind="预算", unit="万元", content_hash="")
    tables, facts = extract_tables(lines, doc, [""] * len(lines))
    assert {f.unit for f in facts if f.column == "增长率"} == {"%"}
    assert check_integrity(doc, facts, tables) == []
    lines[6] = "201 01 人大事务 65.00 50.00 30.00%"
    tables, facts = extract_tables(lines, doc, [""] * len(lines))
    issues = check_integrity(doc, facts, tables)
    # 本年预算数 is read as the standard 预算数 column (not 上年预算数).
    assert [i.kind for i in issues] == ["code"] and "一般公共服务支出 预算数 is 110.00" in issues[0].message
