"""Prose facts, named lists and prose consistency checks on the real corpus.

Every expected figure below was read off the documents by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.ingest.meta import read_metadata
from qa.text.normalize import squeeze
from qa.ingest.prose import extract_enumerations, extract_prose_facts
from qa.ingest.prose_checks import check_prose
from qa.ingest.sections import section_paths
from qa.types import Document, Fact

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PREFIXES = ("000", "001", "002", "003", "004")


def _load(prefix: str):
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    meta = read_metadata(path.name, lines)
    doc = Document(name=path.name, department=meta.department, year=meta.year, kind=meta.kind,
                   unit=meta.unit, content_hash="", title=meta.title)
    return text, lines, doc, section_paths(lines)


@pytest.fixture(scope="module")
def corpus():
    out = {}
    for p in PREFIXES:
        text, lines, doc, sections = _load(p)
        facts = extract_prose_facts(lines, doc, sections, [])
        out[p] = {"text": text, "lines": lines, "doc": doc, "sections": sections, "facts": facts,
                  "enums": extract_enumerations(lines, doc, sections)}
    return out


def find(facts: list[Fact], label: str, column: str, value: float | None = None) -> Fact:
    hits = [f for f in facts if f.label == label and f.column == column and (value is None or abs(f.value - value) < 1e-6)]
    assert hits, f"no prose fact {label}/{column}/{value}; have {[(f.label, f.column, f.value) for f in facts if f.label == label]}"
    return hits[0]


def test_income_sentence_amount_share_change_growth_reason(corpus):
    facts = corpus["000"]["facts"]
    amount = find(facts, "一般公共预算", "预算数", 3394.10)
    assert amount.unit == "万元" and amount.norm_value == pytest.approx(33941000.0)
    assert amount.line == 752
    share = find(facts, "一般公共预算", "占比", 98.10)
    assert share.unit == "%"
    change = find(facts, "一般公共预算", "比上年增减", 89.09)
    assert change.unit == "万元"
    growth = find(facts, "一般公共预算", "增长率", 2.70)
    assert growth.line == 754
    assert "主要原因是本年人员经费增加" in change.quote


def test_decrease_is_negative(corpus):
    facts = corpus["000"]["facts"]
    assert find(facts, "项目支出", "比上年增减", -207.11).line == 791
    assert find(facts, "项目支出", "增长率", -16.88).line == 793
    assert find(facts, "机关运行经费", "比上年增减", -0.22)
    assert find(facts, "机关运行经费", "增长率", -0.18)


def test_basic_expenditure_share(corpus):
    assert find(corpus["000"]["facts"], "基本支出", "占比", 70.53).line == 787
    assert find(corpus["003"]["facts"], "基本支出", "占比", 99.59)


def test_per_subject_paragraph_with_code_and_separate_reason_sentence(corpus):
    facts = corpus["000"]["facts"]
    amount = find(facts, "住房公积金", "预算数", 108.72)
    assert amount.code == "2210201"
    growth = find(facts, "住房公积金", "增长率", 10.39)
    assert growth.code == "2210201"
    # The reason is the next sentence ("。主要原因是…"); the change fact's quote carries it.
    change = find(facts, "住房公积金", "比上年增减", 10.23)
    assert "增加了职工住房公积金缴费支出" in change.quote
    assert find(corpus["001"]["facts"], "行政运行", "预算数", 330.56).code == "2010301"


def test_sangong(corpus):
    f000 = corpus["000"]["facts"]
    assert find(f000, "三公经费", "预算数", 22.35).line == 985
    assert find(f000, "公务用车运行费", "预算数", 20.75)
    assert find(f000, "公务接待费", "预算数", 1.60)
    assert find(f000, "三公经费", "比上年增减", 0.0)
    f002 = corpus["002"]["facts"]
    assert find(f002, "三公经费", "比上年增减", -40.0)
    assert find(f002, "三公经费", "增长率", -73.0)
    purchase = find(f002, "公务用车购置费", "比上年增减", -40.0)
    assert "减少公务用车购置费用" in purchase.quote
    f003 = corpus["003"]["facts"]
    assert find(f003, "三公经费", "预算数", 7.0)
    hosting = find(f003, "公务接待费", "比上年增减", -2.0)
    assert "公务接待费结余较多" in hosting.quote


def test_headcounts(corpus):
    f = corpus["000"]["facts"]
    assert find(f, "编制数", "数量", 80).unit == "人"
    assert find(f, "实有人数", "数量", 143).unit == "人"
    assert find(f, "在职人数", "数量", 122).line == 31
    assert find(f, "在职人数", "比上年增减", -5).unit == "人"
    assert find(f, "退休人数", "数量", 21)
    f4 = corpus["004"]["facts"]
    assert find(f4, "编制数", "数量", 59).unit == "人"
    assert find(f4, "实有人数", "数量", 94)
    assert find(corpus["002"]["facts"], "编制数", "数量", 69).unit == "人"


def test_assets_vehicles_procurement(corpus):
    f1 = corpus["001"]["facts"]
    assert find(f1, "车辆", "数量", 21).unit == "辆"
    assert find(f1, "其他车辆", "数量", 21)
    assert find(f1, "车辆", "价值", 940.78).unit == "万元"
    assert find(corpus["003"]["facts"], "车辆", "数量", 2)
    assert find(corpus["004"]["facts"], "房屋", "面积", 14129.78).unit == "平方米"
    f0 = corpus["000"]["facts"]
    assert find(f0, "政府采购", "预算数", 375.41)
    assert find(f0, "政府采购服务", "预算数", 244.35)
    assert find(corpus["002"]["facts"], "机关运行经费", "增长率", 22.0)


def test_project_budget_scale(corpus):
    assert find(corpus["000"]["facts"], "信息化建设", "预算数", 342.00).line == 954
    assert find(corpus["002"]["facts"], "自建房整治专项", "预算数", 82.0)


def test_quotes_verbatim_and_values_on_their_line(corpus):
    for p, d in corpus.items():
        text = squeeze(d["text"])
        facts = d["facts"]
        assert len(facts) >= 40, p
        on_line = 0
        for f in facts:
            assert f.source == "prose" and f.table_no == "" and f.doc == d["doc"].name
            assert squeeze(f.quote) in text, (p, f.quote)
            line = d["lines"][f.line - 1].replace(",", "")
            on_line += str(int(abs(f.value))) in line
        assert on_line / len(facts) >= 0.97, p


def test_labels_are_clean(corpus):
    for d in corpus.values():
        for f in d["facts"]:
            # a project's allocation line is "project:item": the item's own name is bounded
            assert f.label and len(f.label.rsplit(":", 1)[-1]) <= 40, f.label
            assert not f.label.startswith(("其中", "年", "，", "、", ".")), f.label
            assert "昌吉回族自治州" not in f.label and "安阳市" not in f.label, f.label


def test_enumerations(corpus):
    e000 = corpus["000"]["enums"]
    assert len(e000) == 1
    e = e000[0]
    assert e.label == "处室" and len(e.items) == 16
    assert e.items[0] == "木垒管理部" and e.items[-1] == "组织人事科" and "吉木萨尔管理部" in e.items
    assert e.line == 21
    assert squeeze(e.quote) in squeeze(corpus["000"]["text"])
    e004 = corpus["004"]["enums"][0]
    assert e004.label == "处室" and len(e004.items) == 11 and "社会保险登记和关系转移科" in e004.items
    assert corpus["001"]["enums"][0].items == ("办公室", "财务审计科", "公车管理科", "资产管理科", "房产管理科", "公共机构节能科")
    assert len(corpus["003"]["enums"][0].items) == 19
    # Nothing else in the five documents is a named list.
    assert sum(len(d["enums"]) for d in corpus.values()) == 5


# Hand-verified slips in the documents' 说明 text: (line, label, stated, expected).
SLIPS = {
    "000": [],
    "001": [(933, "公务员医疗补助", 12.22, 11.82)],  # 0.13 / (1.23 - 0.13)
    "002": [
        (2262, "单位资金收入", 37.0, 555.74),  # 50.85 / (60 - 50.85)
        (2262, "单位资金收入", 7.0, 3.02),  # share: 60 / 1986.59
        (2282, "项目支出", -17.2, -22.05),  # -103.51 / (366 + 103.51)
        (2296, "其他城乡社区管理事务支出", -17.2, -22.05),
        (2300, "行政单位医疗", -4.1, -3.86),  # -1.03 / (25.65 + 1.03)
        (2397, "公务用车购置费", -73.0, -100.0),  # 0 万元 after a 40 万元 cut
    ],
    "003": [],
    "004": [
        (930, "财政拨款结转", -87.43, -87.40),  # -4.58 / (0.66 + 4.58)
        (1099, "其他行政事业单位医疗支出", 3.3, 3.70),  # 0.02 / (0.56 - 0.02)
    ],
}


@pytest.mark.parametrize("prefix", PREFIXES)
def test_prose_consistency_findings(corpus, prefix):
    d = corpus[prefix]
    issues = check_prose(d["doc"], d["facts"])
    got = sorted((i.line, i.stated, round(i.expected, 2)) for i in issues)
    want = sorted((line, stated, expected) for line, _, stated, expected in SLIPS[prefix])
    assert got == want
    for i, (_, label, _, _) in zip(sorted(issues, key=lambda i: (i.line, i.stated)),
                                   sorted(SLIPS[prefix], key=lambda s: (s[0], s[2]))):
        assert i.kind == "percent" and label in i.message and i.table_no == ""


def _fact(label: str, column: str, value: float, line: int, quote: str, unit: str = "万元") -> Fact:
    return Fact(doc="x.txt", department="某局", year=2024, table_no="", table_title="", section="第三部分 / 十、三公",
                code="", label=label, column=column, value=value, unit=unit, norm_value=value, line=line,
                quote=quote, source="prose")


def test_total_check_reports_components_that_do_not_add_up():
    doc = Document(name="x.txt", department="某局", year=2024, kind="预算", unit="万元", content_hash="")
    q = "“三公”经费预算数为 10.00 万元，其中：因公出国（境）费 1.00 万元，公务用车购置费 0 万元，公务用车运行费 5.00 万元，公务接待费 3.00 万元。"
    facts = [
        _fact("三公经费", "预算数", 10.0, 5, q),
        _fact("因公出国(境)费", "预算数", 1.0, 5, q),
        _fact("公务用车购置费", "预算数", 0.0, 5, q),
        _fact("公务用车运行费", "预算数", 5.0, 6, q),
        _fact("公务接待费", "预算数", 3.0, 6, q),
    ]
    issues = check_prose(doc, facts)
    assert [(i.kind, i.line, i.stated, i.expected) for i in issues] == [("total", 5, 10.0, 9.0)]
    assert "1 + 0 + 5 + 3 = 9" in issues[0].message
    facts[3] = _fact("公务用车运行费", "预算数", 6.0, 6, q)
    assert check_prose(doc, facts) == []


def test_text_parsing_gives_the_same_facts_each_time():
    # speed lives in `make bench-scale` (parse docs/s), not in a timed test
    from qa.ingest.chunks import make_chunks
    from qa.ingest.sections import _CACHE

    loaded = [_load(p) for p in PREFIXES]
    runs = []
    for _ in range(2):
        _CACHE.clear()
        got = []
        for _text, lines, doc, _ in loaded:
            lines = list(lines) + [""]  # a fresh list each round, so no cached result is reused
            sections = section_paths(lines)
            facts = extract_prose_facts(lines, doc, sections, [])
            extract_enumerations(lines, doc, sections)
            check_prose(doc, facts)
            make_chunks(lines, doc, sections, [])
            got.append([(f.label, f.value, f.line) for f in facts])
        runs.append(got)
    assert runs[0] == runs[1] and all(runs[0])


def _synthetic(text: str, kind: str = "预算") -> list[Fact]:
    lines = text.splitlines()
    doc = Document(name="s.txt", department="某县住房和城乡建设局", year=2023, kind=kind, unit="元", content_hash="")
    return extract_prose_facts(lines, doc, section_paths(lines), [])


def test_final_accounts_wording():
    facts = _synthetic(
        "第三部分 2023 年度部门决算情况说明\n"
        "一、 收入支出决算总体情况说明\n"
        "（一）一般公共服务支出（类）行政运行（项）：年初预算为 300.00 万元，支出决算为 285.00 万元，完成年初预算的 95.00%。\n"
        "“三公”经费支出决算 12.00 万元，比上年减少 3.00 万元，下降 20.00%，主要原因是严格控制。\n",
        kind="决算",
    )
    assert find(facts, "行政运行", "年初预算数", 300.0)
    assert find(facts, "行政运行", "决算数", 285.0)
    assert find(facts, "行政运行", "预算完成率", 95.0).unit == "%"
    assert find(facts, "三公经费", "决算数", 12.0)
    assert find(facts, "三公经费", "比上年增减", -3.0)


def test_yuan_and_yi_units():
    facts = _synthetic(
        "某县住房和城乡建设局 2023 年收支总预算 12,345,678.90 元。\n"
        "全年住房公积金归集 36.6 亿元，比上年增加 1.2 亿元，增长 3.39%。\n"
    )
    total = find(facts, "收支总预算", "预算数", 12345678.90)
    assert total.unit == "元" and total.norm_value == pytest.approx(12345678.90)
    gj = find(facts, "住房公积金归集", "预算数", 36.6)
    assert gj.unit == "亿元" and gj.norm_value == pytest.approx(3.66e9)
    assert find(facts, "住房公积金归集", "比上年增减", 1.2).unit == "亿元"


def test_ordinary_sentences_give_no_facts_or_lists():
    text = ("主要职责是：贯彻落实党中央关于住房和城乡建设工作的方针政策，包括：住房保障、城乡建设、村镇建设。\n"
            "资金执行时间：2024 年 1 月 1 日-2024 年 12 月 31 日。\n")
    lines = text.splitlines()
    doc = Document(name="s.txt", department="某局", year=2024, kind="预算", unit="万元", content_hash="")
    assert extract_prose_facts(lines, doc, section_paths(lines), []) == []
    assert extract_enumerations(lines, doc, section_paths(lines)) == []


def test_wrapped_project_name_survives_page_noise():
    """With page furniture and broken words (qa.testing.variants 'page_noise'), the
    project heading of corpus/004 wraps; its facts keep the whole project name."""
    from qa.ingest.parse import parse_document
    from qa.testing.harness import parse_file
    from qa.testing.variants import make_variant

    path = next((Path(__file__).resolve().parents[1] / "corpus").glob("004_*.txt"))
    original = parse_file(path)
    v = make_variant("page_noise", original, "\n".join(original.lines) + "\n")
    noisy = parse_document(path.name, v.data.decode("utf-8"))
    want = {(f.label, f.value) for f in original.facts if f.source == "prose" and "金保工程" in f.label}
    got = {(f.label, f.value) for f in noisy.facts if f.source == "prose" and "金保工程" in f.label}
    assert want and want <= got, sorted(want - got)


def test_allocation_items_keep_words_joined_by_the_enumeration_comma(corpus):
    """"节能宣传、培训经费 10万元": one item, not 培训经费; "…修缮 6万元及信息化建设 4万元": two."""
    labels = {f.label: f.value for f in corpus["001"]["facts"] if f.source == "prose" and ":" in f.label}
    assert labels.get("公共机构节能项目:节能宣传、培训经费") == 10
    assert "公共机构节能项目:培训经费" not in labels
    repair = [v for k, v in labels.items() if k.startswith("公物仓维护管理项目:") and k.endswith("修缮")]
    assert repair == [6]
    assert labels.get("公物仓维护管理项目:信息化建设") == 4



def test_amounts_said_in_wan_without_yuan_are_read(corpus):
    """"一是自治区统建功能部署和实施38万；二是…20万；…五是个性化需求功能开发上线8万": a project's
    资金分配 said in 万 (no 元) gives its five lines, in 万元."""
    lines = {f.label.split(":", 1)[1]: (f.value, f.unit) for f in corpus["002"]["facts"]
             if f.source == "prose" and f.label.startswith("昌吉州工程建设项目审批管理系统升级改造项目:")}
    assert lines == {"自治区统建功能部署和实施": (38, "万元"), "网厅新增和升级功能开发上线": (20, "万元"),
                     "审批系统新增和升级功能开发上线": (46, "万元"), "系统对接优化": (8, "万元"),
                     "个性化需求功能开发上线": (8, "万元")}


def test_wan_without_yuan_is_money_but_not_before_a_measure():
    facts = _synthetic(
        "某县住房和城乡建设局 2023 年宣传经费 12万，服务群众 3万人次，新建面积 2万平方米。\n"
    )
    assert find(facts, "宣传经费", "预算数", 12.0).unit == "万元"
    assert not [f for f in facts if f.unit == "万元" and f.value in (3.0, 2.0)]
