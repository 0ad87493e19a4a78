"""One body loaded for several years: figures over its years, each from that year's own
document, and a question that names no year (hand-written pages modelled on the Jiangsu
provincial budgets of 2017–2019)."""

from __future__ import annotations

import pytest

from index_util import open_assistant

FIGURES = {2017: (584.35, 185.72, 1701.25), 2018: (484.30, 150.30, 1666.25), 2019: (418.26, 101.26, 700.00)}


def _page(year: int) -> str:
    total, reception, training = FIGURES[year]
    return (f"某某省某某厅{year}年部门预算\n编制部门：某某省某某厅\n单位：万元\n"
            f"{year}年某某省某某厅“三公”经费、会议费、培训费支出预算表\n项目\t预算数\n"
            f"“三公”经费合计\t{total:.2f}\n公务接待费\t{reception:.2f}\n培训费\t{training:.2f}\n")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("years")
    paths = []
    for y in FIGURES:
        p = root / f"yr{y}.txt"
        p.write_text(_page(y), encoding="utf-8")
        paths.append(p)
    return open_assistant(paths, root / "qa")


@pytest.mark.parametrize("question,value,unit", [
    ("某某厅2017年和2018年培训费加起来多少", 3367.50, "万元"),
    ("某某厅培训费从2017年到2019年减少了百分之多少", -58.85, "%"),
    ("某某厅这三年平均每年三公经费多少", 495.64, "万元"),
    ("某某厅2018年的培训费是2019年的几倍", 2.38, "倍"),
    ("某某厅今年培训费预算多少", 700.00, "万元"),  # 今年: the latest year loaded
])
def test_figures_over_the_years(assistant, question, value, unit):
    ans = assistant.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value) and ans.unit == unit, ans.answer
    # every year's figure is cited from that year's own page
    docs = {c.doc for c in ans.citations}
    assert len(docs) >= (1 if "今年" in question else 2)


def test_each_year_when_asked_how_it_changed(assistant):
    ans = assistant.ask("某某厅这三年公务接待费怎么变的")
    assert ans.status == "answered"
    for y, (_, reception, _) in FIGURES.items():
        assert f"{y}年" in ans.answer and f"{reception:.2f}" in ans.answer
    assert len(ans.figures) == 3  # a small chart of the three years


def test_no_year_named_asks_which_with_each_years_answer(assistant):
    ans = assistant.ask("某某厅培训费预算多少")
    assert ans.status == "ambiguous" and len(ans.candidates) == 3
    assert all(f"{v:.2f}" in ans.answer for _, _, v in FIGURES.values())
