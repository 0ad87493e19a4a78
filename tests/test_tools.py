"""Fact matching and calculation tools over hand-made facts, plus aliases and cue words."""

import pytest

from qa.agent.aliases import build, find_mentions
from qa.agent.glossary import english_terms, is_english
from qa.agent.resolve import resolve
from qa.agent.understand import prepare, understand
from qa.tools import ops
from qa.tools.facts import column_kind, fact_column_kind, find_facts, label_similarity, norm_label
from qa.types import Fact


def fact(label, value, *, column="合计", table_no="3", title="部门支出总体情况表", code="", unit="万元",
         line=10, quote=None, source="table", section=""):
    q = quote if quote is not None else f"{code} {label} {value:.2f}"
    return Fact(doc="d.txt", department="某市某局", year=2024, table_no=table_no, table_title=title,
                section=section, code=code, label=label, column=column, value=value, unit=unit,
                norm_value=value * 1e4 if unit == "万元" else value, line=line, quote=q, source=source)


SANGONG = [
    fact("合计", 22.35, title="财政拨款“三公”经费支出情况表", table_no="10", line=693),
    fact("因公出国（境）费", 0.0, title="财政拨款“三公”经费支出情况表", table_no="10", line=695),
    fact("公务用车购置费", 0.0, title="财政拨款“三公”经费支出情况表", table_no="10", line=697),
    fact("公务用车运行维护费", 20.75, title="财政拨款“三公”经费支出情况表", table_no="10", line=699),
    fact("公务接待费", 1.60, title="财政拨款“三公”经费支出情况表", table_no="10", line=701),
]


def test_norm_label_strips_numbering_quotes_and_levels():
    assert norm_label("（一）社会保障和就业支出（类）") == "社会保障和就业支出"
    assert norm_label("“三公”经费") == "三公经费"
    assert norm_label("其中：事业收入") == "事业收入"
    assert norm_label("1、 一般公共预算拨款") == "一般公共预算拨款"


def test_fuzzy_label_similarity():
    assert label_similarity("公务用车运行费", "公务用车运行维护费") > 0.85
    assert label_similarity("会议费", "培训费") < 0.5


def test_find_facts_fuzzy_vehicle_operation_matches_maintenance_label():
    best = find_facts(SANGONG, "公务用车运行费")[0]
    assert best.fact.label == "公务用车运行维护费" and best.fact.value == 20.75


def test_find_facts_metric_naming_table_gets_total_row():
    best = find_facts(SANGONG, "三公经费")[0]
    assert best.fact.value == 22.35


def test_find_facts_column_in_metric_and_prior_column():
    facts = [
        fact("总计", 3459.79, column="合计", line=480),
        fact("总计", 2440.10, column="基本支出", line=480),
        fact("总计", 1019.69, column="项目支出", line=480),
        fact("住房保障支出", 3182.72, column="合计", code="221", line=490),
        fact("住房保障支出", 2100.0, column="上年预算数", code="221", line=490),
    ]
    assert find_facts(facts, "项目支出")[0].fact.value == 1019.69
    assert find_facts(facts, "住房保障支出")[0].fact.value == 3182.72
    assert find_facts(facts, "住房保障支出", want="prior")[0].fact.value == 2100.0
    assert find_facts(facts, "221")[0].fact.value == 3182.72


def test_column_kinds():
    assert column_kind("比上年增减") == "change"
    assert column_kind("增长率") == "percent"
    assert column_kind("上年预算数") == "prior"
    assert column_kind("合计") == "total"
    assert column_kind("基本支出") == "other"


@pytest.mark.parametrize("year", [2018, 2024, 2031])
def test_a_column_naming_a_year_is_judged_by_the_documents_year(year):
    assert column_kind(f"{year - 1}年预算数", year) == "prior"
    assert column_kind(f"{year - 1}年度预算", year) == "prior"
    assert column_kind(f"{year}年预算数", year) == "total"
    assert column_kind(f"{year}年", year) == "total"
    assert column_kind(f"{year}年基本支出", year) == "other"
    assert column_kind(f"{year - 2}年预算数", year) == "other"
    assert column_kind(f"比{year - 1}年增减", year) == "change"
    # without the document's year a year column is never taken for last year's
    assert column_kind(f"{year - 1}年预算数") == "other"
    assert column_kind("上年预算数", year) == "prior" and column_kind("合计", year) == "total"
    f = fact("公务接待费", 4.5, column=f"{year - 1}年预算数")
    f = Fact(**{**f.to_dict(), "year": year})
    assert fact_column_kind(f) == "prior"


def test_prior_figure_found_in_a_column_naming_last_year():
    rows = [fact("公务接待费", 3.7, column="预算数"), fact("公务接待费", 4.5, column="2023年预算数")]
    assert find_facts(rows, "公务接待费", want="prior")[0].fact.value == 4.5  # the facts are 2024's
    assert find_facts(rows, "公务接待费")[0].fact.value == 3.7
    later = [Fact(**{**f.to_dict(), "year": 2025}) for f in rows]
    # in a 2025 document 2023 is not last year
    assert find_facts(later, "公务接待费", want="prior") == []


def test_sum_difference_share_growth():
    a, b, c = (fact("甲", 198.19), fact("乙", 64.57), fact("丙", 94.71))
    r = ops.total([a, b, c])
    assert r.value == pytest.approx(357.47) and r.computation == "198.19 + 64.57 + 94.71 = 357.47"
    assert [f.label for f in r.operands] == ["甲", "乙", "丙"]
    assert all(c.quote for c in r.citations)
    d = ops.difference(a, b)
    assert d.computation == "198.19 - 64.57 = 133.62"
    s = ops.share(b, a)
    assert s.unit == "%" and s.value == pytest.approx(32.58)
    diff, rate = ops.growth(fact("本年", 7, quote="7"), fact("上年", 9, quote="9"))
    assert diff.computation == "7 - 9 = -2" and rate.value == pytest.approx(-22.22)


def test_share_of_zero_whole_is_refused_not_crashed():
    r = ops.share(fact("甲", 1.0), fact("乙", 0.0))
    assert r.value is None


def test_units_are_converted_before_arithmetic():
    yuan = fact("乙", 5000.0, unit="元", quote="5000")
    r = ops.total([fact("甲", 1.5), yuan])
    assert r.unit == "万元" and r.value == pytest.approx(2.0)
    conv = ops.convert_result(ops.lookup(fact("甲", 22.35)), "元")
    assert conv.value == pytest.approx(223500) and "× 10000" in conv.computation


def test_compare_and_count():
    named = [("A", ops.lookup(fact("x", 22.35))), ("B", ops.lookup(fact("x", 7.0, quote="7")))]
    name, res = ops.compare(named)
    assert name == "A" and "A 22.35 万元 > B 7 万元" == res.computation
    name, _ = ops.compare(named, largest=False)
    assert name == "B"
    assert ops.count(["办公室", "财务科"]).value == 2


def test_aliases_are_derived_from_official_names():
    a = build("昌吉回族自治州住房公积金管理中心")
    assert {"公积金中心", "住房公积金中心", "住房公积金管理中心"} <= a.body_forms
    assert {"昌吉", "昌吉州", "昌吉回族自治州"} <= a.region_forms
    assert "changji" in a.latin_region_forms
    b = build("昌吉州住房和城乡建设局")
    assert "住建局" in b.body_forms
    c = build("某某市机关事务管理局")
    assert {"机关事务局", "事务局"} <= c.body_forms
    d = build("某县社会保险中心")
    assert "社保中心" in d.body_forms


def test_a_word_of_the_budget_is_no_mention_of_the_body_it_abbreviates():
    """财政 of 财政局 is the budget's own word (财政拨款): with a 财政局 loaded, "…财政拨款收支
    总预算…" names only the department it names; "普陀区财政局" and "普陀财政" still name it."""
    aliases = {n: build(n) for n in ("上海市普陀区财政局", "昌吉回族自治州住房公积金管理中心")}
    assert "财政" not in aliases["上海市普陀区财政局"].body_forms
    r = resolve(prepare("昌吉州公积金中心收支总预算和财政拨款收支总预算差多少？"), aliases)
    assert r.departments == ["昌吉回族自治州住房公积金管理中心"], r
    for q in ("普陀区财政局三公经费多少", "普陀财政三公经费多少"):
        assert resolve(prepare(q), aliases).departments == ["上海市普陀区财政局"], q


def test_a_place_as_publisher_is_named_in_english_by_its_pinyin():
    # a news report's publisher is the city itself
    aliases = {n: build(n) for n in ("南川市", "安阳市住房公积金管理中心")}
    assert "nanchuan" in aliases["南川市"].latin_region_forms
    r = resolve(prepare("How much did Nanchuan budget for education in 2024?"), aliases)
    assert r.departments == ["南川市"]


def test_resolution_ambiguous_region_and_not_loaded():
    aliases = {n: build(n) for n in ("昌吉回族自治州住房公积金管理中心", "安阳市住房公积金管理中心", "昌吉州住房和城乡建设局")}
    r = resolve(prepare("公积金中心三公经费是多少"), aliases)
    assert sorted(r.ambiguous) == ["安阳市住房公积金管理中心", "昌吉回族自治州住房公积金管理中心"]
    r = resolve(prepare("昌吉州公积金中心三公经费是多少"), aliases)
    assert r.departments == ["昌吉回族自治州住房公积金管理中心"]
    r = resolve(prepare("昌吉公积金中心比安阳公积金中心三公经费多多少"), aliases)
    assert r.departments == ["昌吉回族自治州住房公积金管理中心", "安阳市住房公积金管理中心"]
    r = resolve(prepare("北京市公积金中心三公经费是多少"), aliases)
    assert r.not_loaded
    r = resolve(prepare("教育局的基本支出是多少"), aliases)
    assert r.not_loaded == "教育局"
    r = resolve(prepare("How much did the Anyang housing fund centre spend?"), aliases)
    assert r.departments == ["安阳市住房公积金管理中心"]
    assert find_mentions("住建局", [aliases["昌吉州住房和城乡建设局"]])


@pytest.mark.parametrize(
    "question, op",
    [
        ("三公经费是多少", "lookup"),
        ("因公出国费和公务接待费合计多少", "sum"),
        ("基本支出比项目支出多多少", "diff"),
        ("基本支出占支出总计的比例", "ratio"),
        ("三公经费比上年少了多少", "yoy"),
        ("项目支出比上年下降了百分之几", "yoy"),
        ("哪个部门三公经费最多", "compare"),
        ("下设几个科室", "count"),
        ("有哪些处室", "list"),
        ("项目支出为什么减少", "rationale"),
        ("信息化建设项目的绩效指标是什么", "policy"),
        ("How much is the basic expenditure?", "lookup"),
        ("What share of total expenditure is basic expenditure?", "ratio"),
        ("How many divisions does it have?", "count"),
        ("Why did project expenditure fall?", "rationale"),
        ("Which department has the most three public expenses?", "compare"),
    ],
)
def test_operation_cues(question, op):
    assert understand(question).op == op


def test_metric_phrase_and_units():
    q = understand("三公经费是多少元？")
    assert q.metric == "三公经费" and q.target_unit == "元"
    assert understand("实有人数多少人").metric == "实有人数"
    assert understand("一般公共预算是多少").metric == "一般公共预算"
    q = understand("How much is the general public budget in yuan?")
    assert q.lang == "en" and q.target_unit == "元" and "一般公共预算" in q.metric
    assert is_english("How much is it?") and not is_english("三公经费是多少")
    assert ("IT", "信息化建设") in english_terms("budget for IT")
    assert not english_terms("is it large")
    # a department's own sub-units, not the departments a question compares
    assert ("internal departments", "处室") in english_terms("List the internal departments of the centre")
    assert not any(zh == "处室" for _, zh in english_terms("Which department has the most staff?"))


@pytest.mark.parametrize("amount,count,value,result", [
    (940.78, 21, 44.80, "= 44.80"),
    (99.87, 6, 16.65, "= 16.65"),
    (10.0, 3, 3.33, "= 3.33"),  # rounded half up to 2 places
])
def test_an_amount_per_counted_thing(amount, count, value, result):
    r = ops.per_item(fact("车辆", amount), fact("车辆", count, unit="辆"))
    assert r.value == pytest.approx(value) and r.unit == "万元" and " / " in r.computation
    assert r.computation.endswith(result), r.computation


def test_an_amount_per_counted_thing_below_one_wan_is_in_yuan():
    # 0.5 万元 over 4 is 0.125 万元: said in 元 (1250.00), not rounded away to 0.13 万元
    r = ops.per_item(fact("车辆", 0.5), fact("车辆", 4, unit="辆"))
    assert r.value == pytest.approx(1250.0) and r.unit == "元" and r.computation.endswith("= 1250.00"), r.computation


def test_an_amount_over_nothing_counted_is_no_average():
    r = ops.per_item(fact("车辆", 10.0), fact("车辆", 0, unit="辆"))
    assert r.value is None and r.note


def test_a_party_organ_is_named_without_its_committee_and_by_its_abbreviation():
    names = ["中共上海市普陀区委社会工作部", "上海市普陀区财政局", "上海市普陀区司法局", "中共江苏省委办公厅", "江苏省人大常委会办公厅"]
    aliases = {n: build(n) for n in names}
    res = resolve("普陀社工部2024年行政运行多少", aliases)
    assert res.departments == ["中共上海市普陀区委社会工作部"], res
    # a year's 年 before a bare 省 is no place of another province
    res = resolve("2018年省委办公厅和省人大办公厅比，三公谁高", aliases)
    assert sorted(res.departments) == ["中共江苏省委办公厅", "江苏省人大常委会办公厅"] and not res.not_loaded, res
    res = resolve("换成普陀司法局呢", aliases)
    assert res.departments == ["上海市普陀区司法局"] and not res.not_loaded, res


def test_a_generic_short_form_after_a_bare_level_names_the_body():
    names = ["江苏省政协办公厅", "江苏省人大常委会办公厅", "江苏省人民检察院"]
    aliases = {n: build(n) for n in names}
    res = resolve("2019年江苏省政协和省人大，哪家三公经费预算更多", aliases, want_all=True)
    assert sorted(res.departments) == ["江苏省人大常委会办公厅", "江苏省政协办公厅"], res


def test_a_short_form_with_one_mistyped_character_after_its_place():
    names = ["昌吉回族自治州住房公积金管理中心", "昌吉回族自治州社会保险中心", "昌吉州住房和城乡建设局", "安阳市住房公积金管理中心"]
    aliases = {n: build(n) for n in names}
    assert resolve("昌吉公积经现在在职的有多少人", aliases).departments == ["昌吉回族自治州住房公积金管理中心"]
    res = resolve("昌吉州财政局三公经费多少", aliases)
    assert not res.departments and res.not_loaded, res  # another body, not a typo of one loaded
