"""Table facts read from the real corpus, checked against values read by hand.

Each assertion names a cell as a person reads it in the document: table, row label
(or 科目编码), column, value, unit and the line the value sits on.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from qa.ingest.meta import read_metadata
from qa.text.normalize import parse_number, squeeze
from qa.ingest.table_blanks import three_role
from qa.ingest.tables import extract_tables
from qa.types import Document, Fact

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
DOCS = {
    "000": "000_553322b9b830cfa0.txt",  # 昌吉州住房公积金管理中心 2024, space layout
    "001": "001_648cb979c5ae0ed7.txt",  # 昌吉州机关事务管理局 2024, space layout
    "002": "002_8c5c6d2715ecedd6.txt",  # 昌吉州住房和城乡建设局 2023, one cell per line
    "003": "003_eae6f4940a625f14.txt",  # 安阳市住房公积金管理中心 2024, tab separated, no 表N
    "004": "004_b3fa070b509c4b73.txt",  # 昌吉州社会保险中心 2024, space layout, wrapped rows
}


@lru_cache(maxsize=None)
def parsed(key: str) -> tuple[str, list[dict], list[Fact]]:
    name = DOCS[key]
    text = (CORPUS / name).read_text(encoding="utf-8")
    lines = text.splitlines()
    meta = read_metadata(name, lines)
    doc = Document(name=name, department=meta.department, year=meta.year, kind=meta.kind, unit=meta.unit,
                   content_hash="", title=meta.title)
    tables, facts = extract_tables(lines, doc, [""] * len(lines))
    return text, tables, facts


def fact(key: str, table: str, label: str, column: str, code: str | None = None, line: int | None = None) -> Fact:
    _, _, facts = parsed(key)
    hits = [f for f in facts if f.table_no == table and f.label == label and f.column == column
            and (code is None or f.code == code) and (line is None or f.line == line)]
    assert len(hits) == 1, f"{key} 表{table} {label}/{column}: {[(f.code, f.value, f.line) for f in hits]}"
    return hits[0]


def table(key: str, no: str) -> dict:
    _, tables, _ = parsed(key)
    hits = [t for t in tables if t["no"] == no]
    assert len(hits) == 1
    return hits[0]


def three_roles_in(quote: str) -> set[str]:
    return {three_role(c) for c in quote.split()}


def check(f: Fact, value: float, unit: str = "万元", line: int | None = None) -> None:
    assert f.value == pytest.approx(value), (f.label, f.column, f.value)
    assert f.unit == unit
    assert f.norm_value == pytest.approx(value * (10000 if unit == "万元" else 1))
    if line is not None:
        assert f.line == line


# ------------------------------------------------------------------ 000 (space)


def test_000_two_sided_summary_income_and_expenditure_on_one_line():
    # Line 82: "其中：一般公共预算拨款 65.69 221 住房保障支出 3,182.72"; the label repeats
    # the income line 46, so it says which section it sits in.
    left = fact("000", "1", "上年结转结余:一般公共预算拨款", "预算数", line=82)
    check(fact("000", "1", "一般公共预算拨款", "预算数"), 3394.10, line=46)
    right = fact("000", "1", "住房保障支出", "预算数", code="221")
    check(left, 65.69, line=82)
    check(right, 3182.72, line=82)
    assert "3,182.72" in right.quote and "65.69" not in right.quote
    check(fact("000", "1", "收入总计", "预算数"), 3459.79, line=104)
    check(fact("000", "1", "支出总计", "预算数"), 3459.79, line=104)
    assert table("000", "1")["title"] == "部门收支总体情况表"


def test_000_income_table_places_carry_over_column():
    # "221 住房保障支出 3,182.72 3,117.03 3,117.03 65.69": 4 numbers for 12 columns.
    check(fact("000", "2", "住房保障支出", "财政拨款结转", code="221"), 65.69, line=213)
    check(fact("000", "2", "住房公积金管理", "一般公共预算", code="2210302"), 3008.32, line=294)
    # Row wrapped over three lines (code, two label fragments, numbers).
    f = fact("000", "2", "机关事业单位基本养老保险缴费支出", "总计", code="2080505")
    check(f, 135.14, line=195)
    assert f.quote.startswith("208 05 05")


def test_000_expenditure_basic_and_project_split():
    check(fact("000", "3", "住房公积金管理", "基本支出", code="2210302"), 2054.32, line=340)
    check(fact("000", "3", "住房公积金管理", "项目支出", code="2210302"), 1019.69, line=340)
    check(fact("000", "3", "事业单位离退休", "基本支出", code="2080502"), 2.00)
    _, _, facts = parsed("000")
    assert not [f for f in facts if f.table_no == "3" and f.code == "2080502" and f.column == "项目支出"]


def test_000_fiscal_and_general_budget_tables():
    check(fact("000", "4", "住房保障支出", "一般公共预算", code="221"), 3117.03, line=400)
    check(fact("000", "5", "总计", "项目支出"), 954.00, line=440)


def test_000_basic_expenditure_by_economic_code():
    check(fact("000", "6", "公务用车运行维护费", "公用经费", code="30231"), 20.75, line=537)
    check(fact("000", "6", "住房公积金", "人员经费", code="30113"), 108.72, line=511)
    check(fact("000", "6", "商品和服务支出", "公用经费", code="302"), 121.55)
    check(fact("000", "6", "总计", "人员经费"), 2318.55, line=489)


def test_000_project_table_rows_are_projects():
    check(fact("000", "7", "信息化建设", "合计", code="2210302"), 342.00, line=627)
    check(fact("000", "7", "信息化建设", "资本性支出", code="2210302"), 27.70, line=627)
    check(fact("000", "7", "住房公积金管理服务", "商品和服务支出", code="2210302"), 552.00, line=625)


def test_000_empty_fund_tables_and_three_public_expenses():
    _, _, facts = parsed("000")
    text, _, _ = parsed("000")
    for no in ("8", "9"):
        t = table("000", no)
        assert t["empty"] is True
        assert not [f for f in facts if f.table_no == no]
        # The statement is kept verbatim (wrapped over two lines) with its line, for citing.
        assert t["statement"].endswith("为空表。") and squeeze(t["statement"]) in squeeze(text)
    assert table("000", "8")["statement_line"] == 648
    assert table("000", "10")["empty"] is False
    check(fact("000", "10", "公务接待费", "合计"), 1.60, line=697)
    check(fact("000", "10", "公务用车运行费", "合计"), 20.75, line=703)
    check(fact("000", "10", "公务用车购置及运行费", "合计"), 20.75, line=699)
    check(fact("000", "10", "合计", "合计"), 22.35, line=693)
    # 因公出国（境）费 has no amount: the total (22.35 = 1.60 + 20.75) says it is 0; its row
    # is the quote, and it must not glue onto the next label.
    abroad = [f for f in facts if f.table_no == "10" and "因公出国" in f.label]
    assert {(f.label, f.column, f.value, f.line, f.quote) for f in abroad} == {
        ("因公出国(境)费", "合计", 0.0, 695, "因公出国（境）费"),
        ("因公出国(境)费", "一般公共预算", 0.0, 695, "因公出国（境）费")}
    check(fact("000", "10", "公务用车购置费", "合计"), 0.0, line=701)
    assert not [f for f in facts if f.table_no == "10" and f.column in ("政府性基金", "国有资本经营预算")]


def test_000_carry_over_table():
    check(fact("000", "11", "住房公积金管理服务", "财政拨款项目支出"), 65.69, line=729)


# ------------------------------------------------------------------ 001 (space)


def test_001_summary_and_income_sources():
    check(fact("001", "1", "一般公共服务支出", "预算数", code="201"), 2042.80, line=56)
    check(fact("001", "1", "本年收入", "预算数"), 472.86, line=56)
    check(fact("001", "2", "一般行政管理事务", "财政拨款结转", code="2010302"), 1662.24, line=203)
    check(fact("001", "2", "一般行政管理事务", "非财政拨款结转结余", code="2010302"), 20.00, line=203)
    check(fact("001", "2", "一般行政管理事务", "一般公共预算", code="2010302"), 30.00, line=203)


def test_001_expenditure_basic_and_projects():
    check(fact("001", "3", "一般行政管理事务", "项目支出", code="2010302"), 1712.24, line=340)
    check(fact("001", "6", "取暖费", "公用经费", code="30208"), 33.35, line=557)
    check(fact("001", "7", "公物仓维护管理项目", "合计", code="2010302"), 10.00, line=658)
    # "201 03" / "政府办公厅（室）及相关机构" / "事务" / "30.00 30.00"
    f = fact("001", "7", "政府办公厅(室)及相关机构事务", "合计", code="20103")
    check(f, 30.00, line=654)
    check(fact("001", "10", "合计", "合计"), 4.69, line=723)
    check(fact("001", "11", "机关运行补助项目(单位自有资金)", "非财政拨款合计"), 20.00, line=763)


# ------------------------------------------------------------- 002 (one cell per line)


def test_002_cell_per_line_summary():
    check(fact("002", "1", "一般公共预算拨款", "预算数", line=59), 1714.40)
    check(fact("002", "1", "城乡社区支出", "预算数", code="212"), 1626.09, line=112)
    check(fact("002", "1", "其他收入", "预算数"), 60.00, line=135)
    check(fact("002", "1", "收入总计", "预算数"), 1986.59)


def test_002_income_columns_by_cell_position():
    check(fact("002", "2", "行政运行", "单位资金", code="2120101"), 60.00, line=474)
    check(fact("002", "2", "行政运行", "财政拨款结转", code="2120101"), 135.09, line=475)
    check(fact("002", "2", "行政运行", "非财政拨款结转结余", code="2120101"), 80.00, line=476)
    f = fact("002", "2", "行政运行", "总计", code="2120101")
    # The quote runs from the code cell to the value cell, verbatim lines.
    assert f.quote.splitlines()[0] == "212" and f.quote.splitlines()[-1] == "679.05"


def test_002_expenditure_basic_projects_and_economic_codes():
    check(fact("002", "3", "行政运行", "项目支出", code="2120101"), 128.6, line=798)
    check(fact("002", "5", "合计", "基本支出"), 1348.4)
    check(fact("002", "6", "医疗费补助", "人员经费", code="30307"), 25.39)
    check(fact("002", "6", "培训费", "公用经费", code="30216"), 0.28)
    check(fact("002", "4", "城乡社区支出", "一般公共预算", code="212"), 1486.09)


def test_002_projects_empty_tables_and_wrapped_three_public_row():
    check(fact("002", "7", "昌吉州工程建设项目审批管理系统升级改造项目", "商品和服务支出", code="2120199"), 120.00)
    assert table("002", "8")["empty"] is True
    assert table("002", "9")["empty"] is True
    # "公务用车购置及运行费" / blank line / "（小计）" / "14": one row split by a blank line.
    check(fact("002", "10", "公务用车购置及运行费", "合计"), 14.00, line=2222)


# ------------------------------------------------------------------- 003 (tab)


def test_003_tables_without_numbers_are_numbered_in_order():
    _, tables, _ = parsed("003")
    titles = [t["title"] for t in tables]
    assert titles[0] == "2024年部门收支预算表"
    assert table("003", "8")["title"] == "2024年一般公共预算“三公”经费预算表"
    # The page-break repeat of 财政拨款收支预算表 is one table, not two.
    assert sum(1 for t in titles if t == "2024年财政拨款收支预算表") == 1


def test_003_tab_summary_and_expenditure():
    # "二十一、住房保障支出" has no printed code: the class name gives 221.
    check(fact("003", "1", "住房保障支出", "预算数", code="221"), 27892.32, line=203)
    check(fact("003", "1", "教育", "预算数", code="205"), 3011.02, line=188)
    check(fact("003", "1", "收入总计", "预算数"), 31029.76, line=216)
    check(fact("003", "3", "住房公积金管理", "基本支出", code="2210302"), 27765.32, line=250)
    check(fact("003", "3", "住房公积金管理", "项目支出", code="2210302"), 127.00, line=250)
    check(fact("003", "4", "住房保障支出", "一般公共预算"), 27892.32, line=283)


def test_003_basic_table_and_row_that_lost_cells_at_page_break():
    check(fact("003", "6", "住房公积金", "人员经费", code="30113"), 29529.95, line=334)
    check(fact("003", "6", "合计", "公用经费"), 285.56, line=333)
    # "30207→邮电费→50201→办公经费→10→10" has one cell fewer than the header.
    check(fact("003", "6", "邮电费", "公用经费", code="30207"), 10.00, line=365)


def test_003_three_public_expenses_one_row_under_item_headers():
    check(fact("003", "8", "公务接待费", "预算数"), 3.00, line=424)
    check(fact("003", "8", "公务用车运行费", "预算数"), 4.00, line=424)
    check(fact("003", "8", "合计", "预算数"), 7.00, line=424)
    f = fact("003", "8", "公务接待费", "预算数")
    assert "公务接待费" in f.quote


def test_003_projects_carry_over_and_empty_fund_table():
    check(fact("003", "10", "网络系统维护费", "合计"), 37.00, line=453)
    check(fact("003", "11", "征信信息共享接入项目", "预算数", code="2210302"), 20.00, line=468)
    assert table("003", "9")["empty"] is True


# ------------------------------------------------------------------ 004 (space)


def test_004_income_table_resolved_by_parent_child_sums():
    # "208 06 企业改革补助 19.82 19.16 19.16 0.66": 19.16 is the 上级转移支付, not 一般公共预算.
    check(fact("004", "2", "其他企业改革发展补助", "上级一般公共预算安排的转移支付", code="2080699"), 19.16, line=227)
    check(fact("004", "2", "其他企业改革发展补助", "财政拨款结转", code="2080699"), 0.66, line=227)


def test_004_expenditure_project_split_needs_sibling_sums():
    check(fact("004", "3", "社会保险经办机构", "项目支出", code="2080109"), 153.00, line=343)
    check(fact("004", "3", "其他生活救助", "项目支出", code="20825"), 199.23, line=357)
    check(fact("004", "3", "行政事业单位养老支出", "基本支出", code="20805"), 171.51, line=345)


def test_004_wrapped_project_names_and_carry_over_rows():
    f = fact("004", "7", "金保工程系统运行电力保障、网络线路租用等费用", "合计", code="2080108")
    check(f, 20.00, line=669)
    check(fact("004", "7", "95年以前退休人员生活费", "对个人和家庭的补助", code="2082501"), 127.44, line=777)
    check(fact("004", "11", "2023年4月至2024年3月1995年以前退休(退职)人员生活补贴财政补助资金的通知", "总计"),
          0.58, line=880)
    check(fact("004", "10", "公务用车运行费", "合计"), 6.99, line=849)


# ---------------------------------------------------------------- all documents


@pytest.mark.parametrize("key", sorted(DOCS))
def test_every_quote_is_verbatim_and_holds_label_and_value(key):
    text, tables, facts = parsed(key)
    assert len(facts) > 150
    flat = squeeze(text)
    for f in facts:
        assert squeeze(f.quote) in flat, f
        if f.value == 0 and not any(parse_number(tok) == 0 for tok in f.quote.split()):
            # A blank 三公 item read as 0 (the total confirms it): the quote names the item.
            assert "三公" in f.table_title and three_role(f.label) in three_roles_in(f.quote), f
            continue
        assert any(parse_number(tok) == pytest.approx(f.value) for tok in f.quote.split()), f
        assert f.source == "table" and f.table_no and f.label
        assert 1 <= f.line <= len(text.splitlines())


@pytest.mark.parametrize("key", sorted(DOCS))
def test_table_dicts_are_complete(key):
    _, tables, _ = parsed(key)
    assert len(tables) >= 11
    for t in tables:
        assert {"no", "title", "unit", "line_start", "line_end", "empty", "columns"} <= set(t)
        assert t["line_start"] <= t["line_end"]
        assert t["unit"] == "万元"


def test_no_facts_from_header_numbering_rows():
    for key in DOCS:
        _, _, facts = parsed(key)
        assert not [f for f in facts if "※" in f.quote.splitlines()[-1]]


def test_every_corpus_document_gives_tables_of_facts():
    # speed lives in `make bench-scale` (parse docs/s), not in a timed test
    texts = [(CORPUS / n).read_text(encoding="utf-8").splitlines() for n in DOCS.values()]
    for name, lines in zip(DOCS.values(), texts):
        meta = read_metadata(name, lines)
        doc = Document(name=name, department=meta.department, year=meta.year, kind=meta.kind, unit=meta.unit,
                       content_hash="")
        tables, facts = extract_tables(lines, doc, [""] * len(lines))[:2]
        assert len(tables) >= 5 and len(facts) >= 100, name


# ------------------------------------------------------- documents not in the corpus


def _parse_text(text: str, name: str = "x.txt") -> tuple[list[dict], list[Fact]]:
    lines = text.splitlines()
    meta = read_metadata(name, lines)
    doc = Document(name=name, department=meta.department, year=meta.year, kind=meta.kind, unit=meta.unit,
                   content_hash="")
    return extract_tables(lines, doc, [""] * len(lines))


def test_final_account_in_yuan_with_printed_columns():
    text = "\n".join([
        "某某县财政局2023年度部门决算公开",
        "表 5",
        "一般公共预算财政拨款支出决算表",
        "编制单位：某某县财政局 金额单位：元",
        "科目编码 科目名称 年初预算数 调整预算数 决算数",
        "201 一般公共服务支出 1,200,000.00 1,250,000.00 1,234,567.89",
        "201 06 财政事务 1,200,000.00 1,250,000.00 1,234,567.89",
        "201 06 01",
        "行政运行",
        "1,200,000.00 1,250,000.00 1,234,567.89",
        "合计 1,200,000.00 1,250,000.00 1,234,567.89",
    ])
    tables, facts = _parse_text(text)
    assert tables[0]["unit"] == "元" and tables[0]["columns"] == ["年初预算数", "调整预算数", "决算数"]
    f = [x for x in facts if x.code == "2010601" and x.column == "决算数"]
    assert len(f) == 1 and f[0].value == pytest.approx(1234567.89) and f[0].unit == "元"
    assert f[0].norm_value == pytest.approx(1234567.89) and f[0].label == "行政运行" and f[0].line == 10


def test_three_public_expenses_with_items_across_and_years_down():
    text = "\n".join([
        "某某局2025年部门预算公开",
        "表 7",
        "一般公共预算“三公”经费支出情况表",
        "编制部门：某某局 单位：万元",
        "项目 合计 因公出国（境）费 公务用车购置及运行费 公务接待费",
        "2025年预算数 12.00 0.00 8.00 4.00",
        "2024年预算数 15.00 0.00 10.00 5.00",
    ])
    _, facts = _parse_text(text)
    got = {(f.label, f.column): f.value for f in facts}
    # Year columns become the document year's 预算数 and the 上年预算数.
    assert got[("公务接待费", "预算数")] == pytest.approx(4.0)
    assert got[("公务用车购置及运行费", "上年预算数")] == pytest.approx(10.0)
    assert got[("合计", "预算数")] == pytest.approx(12.0)


def test_tab_table_with_header_row():
    text = "\n".join([
        "表 3",
        "部门支出总体情况表",
        "编制部门：某某局 单位：万元",
        "科目编码\t科目名称\t合计\t基本支出\t项目支出",
        "207\t文化旅游体育与传媒支出\t968.40\t512.60\t455.80",
        "2070101\t行政运行\t512.60\t512.60\t",
        "2070199\t其他文化和旅游支出\t455.80\t\t455.80",
    ])
    _, facts = _parse_text(text)
    got = {(f.code, f.column): f.value for f in facts}
    assert got[("2070199", "项目支出")] == pytest.approx(455.80)
    assert got[("2070101", "基本支出")] == pytest.approx(512.60)
    assert ("2070199", "基本支出") not in got


def test_contents_lines_chinese_table_numbers_and_row_numbers():
    text = "\n".join([
        "某某局2023年度部门决算公开",
        "表1 收入支出决算总表",
        "表2 支出决算表",
        "第二部分 公开表",
        "表一 收入支出决算总表",
        "编制单位：某某局 金额单位：万元",
        "项目 行次 决算数 项目 行次 决算数",
        "一、一般公共预算财政拨款收入 1 100.00 一、一般公共服务支出 28 100.00",
        "本年收入合计 6 100.00 本年支出合计 57 100.00",
        "表二",
        "支出决算表",
        "编制单位：某某局 金额单位：万元",
        "科目编码 科目名称 本年支出合计 基本支出 项目支出",
        "201 一般公共服务支出 100.00 60.00 40.00",
    ])
    tables, facts = _parse_text(text)
    assert [t["no"] for t in tables] == ["1", "2"]
    got = {(f.table_no, f.label, f.column): f.value for f in facts}
    assert got[("1", "一般公共预算财政拨款收入", "决算数")] == pytest.approx(100.0)
    assert got[("1", "本年支出合计", "决算数")] == pytest.approx(100.0)
    assert got[("2", "一般公共服务支出", "项目支出")] == pytest.approx(40.0)
    assert not [f for f in facts if f.value in (1.0, 6.0, 28.0, 57.0)]


def test_performance_forms_are_tables_without_facts_one_per_project():
    _, tables, facts = parsed("004")
    perf = [t for t in tables if t["kind"] == "performance"]
    assert len(perf) == 14  # 部门整体绩效目标表 + 13 项目支出绩效目标表
    assert "“金保工程”系统维护费" in {t.get("subject") for t in perf}
    assert not [f for f in facts if f.line >= perf[0]["line_start"]]
    _, tables, _ = parsed("003")
    # 003's 整体绩效目标表 repeats its title at page breaks: still one table.
    assert [t["title"] for t in tables].count("本级部门(单位)整体绩效目标表") == 1


def test_dashes_hold_places_and_yield_no_fact():
    text = "\n".join([
        "某某局2024年部门预算公开",
        "表 3",
        "部门支出总体情况表",
        "编制部门：某某局 单位：万元",
        "科目编码 科目名称 合计 基本支出 项目支出",
        "201 一般公共服务支出 100.00 — 100.00",
        "201 01 人大事务 100.00 — 100.00",
    ])
    _, facts = _parse_text(text)
    got = {(f.code, f.column): f.value for f in facts}
    assert got == {("201", "合计"): 100.0, ("201", "项目支出"): 100.0,
                   ("20101", "合计"): 100.0, ("20101", "项目支出"): 100.0}


def test_three_public_expenses_items_across_without_tabs():
    # 003's 三公 table as PDF text without cell separators: blank cells are simply gone.
    text = "\n".join([
        "2024年一般公共预算“三公”经费预算表",
        "编制部门：安阳市住房公积金管理中心",
        "单位：万元",
        "“三公”经费合计 因公出国（境）费 公务用车购置及运行费 公务接待费",
        "小计 公务用车购置 公务用车运行",
        "7 4 4 3",
    ])
    _, facts = _parse_text(text)
    got = {f.label: f.value for f in facts}
    # The blank items are 0: 7 = 4 + 3 and 4 = 4 (运行) leave nothing for them.
    assert got == {"合计": 7.0, "公务用车购置及运行费": 4.0, "公务用车运行费": 4.0, "公务接待费": 3.0,
                   "因公出国(境)费": 0.0, "公务用车购置费": 0.0}
    assert all("公务接待费" in f.quote and f.line == 6 for f in facts if f.value)
    zeros = {f.label: (f.line, f.quote) for f in facts if not f.value}
    assert zeros["因公出国(境)费"][0] == 4 and zeros["因公出国(境)费"][1].endswith("7 4 4 3")
    assert zeros["公务用车购置费"][0] == 5


def test_table_ends_where_prose_resumes_without_a_heading():
    """A closing paragraph right after the rows (no heading between) is prose, not a
    wrapped row; notes under a table and forms with text cells stay in the table."""
    from qa.ingest.parse import parse_document

    text = "\n".join([
        "某某县水利局2025年部门预算公开",
        "表 7",
        "一般公共预算“三公”经费支出情况表",
        "编制部门：某某县水利局 单位：万元",
        "项目 上年预算数 本年预算数",
        "合计 20.50 18.30",
        "公务接待费 6.20 5.10",
        "注：本表不含上年结转。",
        "",
        "某某县水利局2025年“三公”经费预算18.30万元，比上年减少2.20万元，其中公务接待费5.10万元，主要原因是压减接待。",
    ])
    p = parse_document("x.txt", text)
    t = p.tables[0]
    assert t["line_end"] < 10 and t["line_end"] >= 8
    prose = [f for f in p.facts if f.source == "prose"]
    assert any(f.value == 5.10 and "接待" in f.label for f in prose), prose
    assert any(f.value == 18.30 for f in prose)
    assert {(f.label, f.value) for f in p.facts if f.source == "table"} >= {("合计", 18.30), ("公务接待费", 5.10)}


def test_fixture_tables_stop_before_their_closing_paragraph():
    from qa.testing.harness import parse_file

    fixtures = Path(__file__).parent / "fixtures"
    for name in ("sangong_yuan.txt", "traditional_table.txt", "pipe_table.md", "scraped_page.html"):
        p = parse_file(fixtures / name)
        last_prose = max(i for i, l in enumerate(p.lines, 1) if "。" in l and "\t" not in l and "|" not in l)
        assert all(t["line_end"] < last_prose for t in p.tables), (name, p.tables[0]["line_end"], last_prose)


@pytest.mark.parametrize("header,want", [("本年预算数", "预算数"), ("本年度预算", "预算数"), ("本年决算数", "决算数")])
def test_this_year_header_is_the_standard_column(header, want):
    text = "\n".join([
        "某某县民政局2025年部门预算公开",
        "表 7",
        "一般公共预算“三公”经费支出情况表",
        "编制部门：某某县民政局 单位：万元",
        f"项目 上年预算数 {header}",
        "合计 12.80 11.60",
        "公务接待费 4.50 3.70",
    ])
    tables, facts = _parse_text(text)
    got = {(f.label, f.column): f.value for f in facts}
    assert got[("公务接待费", want)] == 3.70 and got[("公务接待费", "上年预算数")] == 4.50
    assert header not in tables[0]["columns"]


def test_one_cell_per_line_table_reads_clean_header_names():
    """A 决算 table written one cell per line, ragged (the blank code cell of 合计 dropped,
    so layout preparation leaves it to the table parser): its printed header names the
    columns instead of the standard 合计/基本支出/项目支出."""
    from qa.ingest.parse import parse_document

    rows = [["科目编码", "项目", "年初预算数", "调整预算数", "决算数"],
            ["210", "卫生健康支出", "1,250.00", "1,318.40", "1,296.75"],
            ["21004", "公共卫生", "430.00", "472.80", "458.55"],
            ["2100401", "疾病预防控制机构", "300.00", "322.80", "315.05"],
            ["2100408", "基本公共卫生服务", "130.00", "150.00", "143.50"],
            ["21001", "卫生健康管理事务", "820.00", "845.60", "838.20"],
            ["合计", "1,250.00", "1,318.40", "1,296.75"]]
    lines = ["某某区卫生健康委员会2023年度部门决算公开", "", "表 5", "一般公共预算财政拨款支出决算表",
             "编制部门：某某区卫生健康委员会 单位：万元", ""]
    for r in rows:
        lines += ["\t" + c for c in r] + [""]
    p = parse_document("x.txt", "\n".join(lines))
    assert p.tables[0]["columns"] == ["年初预算数", "调整预算数", "决算数"]
    got = {(f.code, f.column): f.value for f in p.facts if f.source == "table"}
    assert got[("21004", "调整预算数")] == 472.80 and got[("21004", "决算数")] == 458.55
    assert not any(f.column in ("基本支出", "项目支出") for f in p.facts if f.source == "table")


def test_blank_three_item_is_not_zero_when_the_total_disagrees():
    text = "\n".join([
        "表 7",
        "一般公共预算“三公”经费支出情况表",
        "编制部门：某某局 单位：万元",
        "项目\t预算数",
        "合计\t15.00",
        "因公出国（境）费\t",
        "公务用车购置及运行费\t8.80",
        "公务接待费\t5.10",
    ])
    _, facts = _parse_text(text)
    # 15.00 ≠ 8.80 + 5.10: the blank may hide an amount lost in extraction, so no fact.
    assert not [f for f in facts if "因公出国" in f.label]
    assert {f.label for f in facts} == {"合计", "公务用车购置及运行费", "公务接待费"}
