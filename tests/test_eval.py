"""Scoring rules on hand-made answers, the report, and a real eval run on the test split."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import pytest

from qa.evaluation.baseline import first_amount, wanted_unit
from qa.evaluation.report import write_report
from qa.evaluation.run import run_items, summarize
from qa.evaluation.score import faithful_citations, score_item
from qa.text.normalize import squeeze

ROOT = Path(__file__).resolve().parents[1]
# Set from a real run (test split 0.875 at commit time, see evals/reports/test-latest.md) with
# a small margin: a change that loses 3 of the 152 test items fails CI.
MIN_TEST_SCORE = 0.86


def ans(status="answered", answer="", value=None, unit=None, citations=(), candidates=()):
    return {"status": status, "answer": answer, "value": value, "unit": unit, "computation": None,
            "citations": list(citations), "candidates": list(candidates), "warnings": []}


NUM = {"id": "t", "type": "lookup", "question": "q", "answer": "7.59万元", "value": 7.59, "unit": "万元"}


def test_numeric_with_unit_conversion():
    assert score_item(NUM, ans(value=7.59, unit="万元")).correct
    assert score_item(NUM, ans(value=75900, unit="元")).correct
    assert score_item(NUM, ans(value=0.000759, unit="亿元")).correct
    assert score_item(NUM, ans(value=7.594, unit="万元")).correct  # rounding at the printed precision
    assert not score_item(NUM, ans(value=7.62, unit="万元")).correct
    assert not score_item(NUM, ans(value=7.59, unit="%")).correct
    assert not score_item(NUM, ans(status="not_found")).correct
    assert not score_item(NUM, ans(value=None)).correct


def test_percent_count_and_sign_rules():
    pct = dict(NUM, type="ratio", value=2.19, unit="%")
    assert score_item(pct, ans(value=2.1883, unit="%")).correct
    assert not score_item(pct, ans(value=21900, unit="元")).correct
    count = dict(NUM, type="count", value=11, unit="个")
    assert score_item(count, ans(value=11, unit="处室")).correct
    assert not score_item(count, ans(value=12, unit="个")).correct
    # "比去年少了多少": -2 and 2 are the same answer for a change, not for a lookup
    yoy = dict(NUM, type="yoy", value=2, unit="万元")
    assert score_item(yoy, ans(value=-2, unit="万元")).correct
    assert not score_item(dict(NUM, value=2), ans(value=-2, unit="万元")).correct


def test_text_list_unanswerable_ambiguous():
    text = {"id": "t", "type": "rationale", "question": "q", "answer": "a", "must_include": ["结余较多", "2万元|20000元"]}
    cite = {"doc": "d", "quote": "公务接待费结余较多", "line": 1}
    assert score_item(text, ans(answer="减少 2万元", citations=[cite])).correct  # quote counts
    assert not score_item(text, ans(answer="减少 2万元")).correct
    lst = {"id": "t", "type": "list", "question": "q", "answer": "a", "items": list("ABCDE")}
    assert score_item(lst, ans(answer="A B C D")).correct  # recall 0.8
    assert not score_item(lst, ans(answer="A B C")).correct
    un = {"id": "t", "type": "unanswerable", "question": "q", "answer": "a"}
    assert score_item(un, ans(status="not_found")).correct
    assert not score_item(un, ans(value=1.0, unit="万元")).correct
    amb = {"id": "t", "type": "ambiguous", "question": "q", "answer": "a",
           "candidates": ["安阳市住房公积金管理中心", "昌吉回族自治州住房公积金管理中心"]}
    both = ["安阳市住房公积金管理中心 (003.txt)", "昌吉回族自治州住房公积金管理中心"]
    assert score_item(amb, ans(status="ambiguous", candidates=both)).correct
    assert not score_item(amb, ans(status="ambiguous", candidates=both[:1])).correct
    short = ans(status="ambiguous", answer="安阳公积金中心还是昌吉州住房公积金管理中心？")
    assert score_item(amb, short).correct  # abbreviations name the same departments
    wrong = ans(status="ambiguous", candidates=["安阳公积金中心", "昌吉社保中心"])
    assert not score_item(amb, wrong).correct
    assert not score_item(amb, ans(status="answered", candidates=both)).correct


def test_citation_faithfulness_ignores_whitespace_only():
    doc = squeeze("收 支 总 预 算 1,703.00 万元。\n下一行")
    get = {"d.txt": doc}.get
    good = {"doc": "d.txt", "quote": "收支总预算 1,703.00 万元。", "line": 1}
    bad = {"doc": "d.txt", "quote": "收支总预算 1,703.01 万元", "line": 1}
    other = {"doc": "x.txt", "quote": "收支", "line": 1}
    assert faithful_citations(ans(citations=[good, bad, other]), get) == (1, 3)


def test_run_summary_and_report(tmp_path):
    items = [dict(NUM, id="n1"), {"id": "u1", "type": "unanswerable", "question": "q2", "answer": "a"}]
    fake = {"q": ans(value=7.59, unit="万元", citations=[{"doc": "d.txt", "quote": "7.59", "line": 1}]),
            "q2": ans(value=1.0, unit="万元")}
    results = run_items(items, fake.__getitem__, {"d.txt": "三公7.59"}.get, progress=False)
    s = summarize(results)
    assert (s.n, s.accuracy, s.faithfulness) == (2, 0.5, 1.0)
    assert s.per_type == {"lookup": (1, 1.0), "unanswerable": (1, 0.0)}
    crash = run_items(items[:1], lambda q: 1 / 0, lambda d: None, progress=False)
    assert not crash[0].correct and summarize(crash).errors == 1
    md = write_report(tmp_path, "dev", "gold.jsonl", s, results, s)
    text = md.read_text(encoding="utf-8")
    assert "| lookup | 1 | 1.000 | 1.000 |" in text and "u1" in text
    assert (tmp_path / "dev-latest.png").read_bytes()[:4] == b"\x89PNG"
    assert '"id": "u1", "type": "unanswerable", "correct": false' in (tmp_path / "dev-latest.jsonl").read_text(encoding="utf-8")


def test_baseline_amount_extraction():
    assert wanted_unit("三公经费占比多少") == "%"
    assert wanted_unit("How many vehicles?") == "辆"
    assert wanted_unit("花了多少钱") == "money"
    assert first_amount("预算数为 7.59 万元，增长 2.1%", "money") == (7.59, "万元", "7.59 万元")
    assert first_amount("预算数为 7.59 万元，增长 2.1%", "%")[0] == 2.1
    assert first_amount("302 01 办公费 37.07 37.07", "money", "元")[:2] == (37.07, "元")
    assert first_amount("没有数字", "money") is None


def test_real_eval_on_test_split(index_dir, tmp_path, monkeypatch, capsys):
    """The agent over the whole test split must stay at or above the recorded score."""
    pytest.importorskip("qa.assistant")
    from qa.eval_cli import run

    monkeypatch.setenv("QA_EVAL_REPORTS", str(tmp_path))
    # the baseline embeds every question (slow on CPU): it gets its own small run below
    args = argparse.Namespace(file=str(ROOT / "evals" / "gold.jsonl"), split="test", min=MIN_TEST_SCORE,
                              no_baseline=True, limit=None, data_dir=str(index_dir))
    rc = run(args)
    out = capsys.readouterr().out.strip().splitlines()
    m = re.fullmatch(r"score: (\d\.\d{3})", out[-1])
    assert m, out[-3:]
    assert rc == 0, f"score {m.group(1)} below {MIN_TEST_SCORE}"
    assert float(m.group(1)) >= MIN_TEST_SCORE
    report = (tmp_path / "test-latest.md").read_text(encoding="utf-8")
    assert "citation faithfulness" in report and (tmp_path / "test-latest.png").exists()


def test_real_baseline_runs_and_gate_fails_above_score(index_dir, tmp_path, monkeypatch, capsys):
    """The RAG baseline answers from the real index; an unreachable --min fails the command."""
    pytest.importorskip("qa.assistant")
    from qa.eval_cli import run

    monkeypatch.setenv("QA_EVAL_REPORTS", str(tmp_path))
    args = argparse.Namespace(file=str(ROOT / "evals" / "gold.jsonl"), split="dev", min=1.01,
                              no_baseline=False, limit=12, data_dir=str(index_dir))
    assert run(args) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("score: ") and any(line.startswith("baseline score ") for line in out)
    report = (tmp_path / "dev-latest.md").read_text(encoding="utf-8")
    row = next(line for line in report.splitlines() if line.startswith("| **overall** | 12 |"))
    assert row.split("|")[4].strip() != "–"  # the baseline column is filled


class _FakeIndex:
    """The Index methods the eval CLI and baseline use, over one real document."""

    def __init__(self):
        self.name = "004_b3fa070b509c4b73.txt"
        self._lines = (ROOT / "corpus" / self.name).read_text(encoding="utf-8").splitlines()

    def lines(self, doc):
        return self._lines if doc == self.name else []

    def documents(self):
        return [self.name]

    def document(self, doc):
        return argparse.Namespace(unit="万元")

    def search_dense(self, query, k=8, docs=None):
        from qa.types import Chunk

        no = next(i for i, line in enumerate(self._lines, 1) if line.startswith("7.59 万元"))
        return [(Chunk(self.name, "", self._lines[no - 3] + self._lines[no - 1], no - 2, no), 1.0)]


class _FakeAssistant:
    """Answers every question with the Changji social insurance centre's 三公 total."""

    def __init__(self):
        self.index = _FakeIndex()

    @classmethod
    def open(cls, data_dir=None):
        return cls()

    def ask(self, question):
        from qa.types import Answer, Citation

        return Answer(status="answered", answer="7.59万元", value=7.59, unit="万元",
                      citations=[Citation(self.index.name, "2024 年财政拨款“三公”经费预算数为", 1446)])


def test_cli_gate_report_and_last_line(tmp_path, monkeypatch, capsys):
    """`qa eval` end to end with a stand-in assistant: report, last line, --min gate."""
    import sys
    import types

    from qa.eval_cli import run

    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"id": "x-1", "question": "昌吉社保中心三公经费?", "type": "lookup", "answer": "7.59万元", "value": 7.59, "unit": "万元"}\n'
        '{"id": "x-2", "question": "昌吉社保中心三公经费比上年?", "type": "yoy", "answer": "0", "value": 0, "unit": "万元"}\n',
        encoding="utf-8",
    )
    monkeypatch.setitem(sys.modules, "qa.assistant", types.SimpleNamespace(Assistant=_FakeAssistant))
    monkeypatch.setenv("QA_EVAL_REPORTS", str(tmp_path / "reports"))
    args = argparse.Namespace(file=str(gold), split="all", min=0.5, no_baseline=False, limit=None, data_dir=None)
    assert run(args) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == "score: 0.500"
    report = (tmp_path / "reports" / "all-latest.md").read_text(encoding="utf-8")
    assert "| lookup | 1 | 1.000 | 1.000 |" in report  # baseline found 7.59 万元 in the retrieved text
    assert "| yoy | 1 | 0.000 |" in report and "x-2" in report
    assert "citation faithfulness" in report and "| 1.000 (2 quotes)" in report
    args.min = 0.6
    assert run(args) == 1
    assert capsys.readouterr().out.strip().splitlines()[-1] == "score: 0.500"
    args.file = str(tmp_path / "missing.jsonl")
    assert run(args) == 2


def test_list_items_read_from_the_gold_answer_when_none_are_given():
    from qa.evaluation.score import answer_items

    assert answer_items("7个科室：办公室、城建科、村镇科。") == ["办公室", "城建科", "村镇科"]
    assert answer_items("风险防控培训费18万元、法律顾问服务费5万元。") == ["风险防控培训费", "法律顾问服务费"]
    assert answer_items("Two projects: energy saving (公共机构节能项目, 20万元) and upkeep (公物仓维护管理项目, 10万元).") == \
        ["公共机构节能项目", "公物仓维护管理项目"]
    lst = {"id": "t", "type": "list", "question": "q", "answer": "共2项：邮电费1.00万元、租赁费35.50万元"}
    assert score_item(lst, ans(answer="邮电费、租赁费")).correct
    assert not score_item(lst, ans(answer="邮电费")).correct


def test_a_comparison_is_right_by_the_winners_figure_or_by_the_margin_it_states():
    cmp = {"id": "t", "type": "compare", "question": "A和B哪个高", "answer": "B高0.41万元", "value": 0.41, "unit": "万元"}
    stated = dict(ans(value=0.6, unit="万元"), margin=0.41)
    assert score_item(cmp, stated).correct
    assert score_item(cmp, dict(ans(value=0.6, unit="万元"), margin=4100.0, unit="元")).correct
    assert not score_item(cmp, ans(value=0.6, unit="万元")).correct  # no margin stated
    assert not score_item(dict(cmp, type="lookup"), stated).correct  # only comparisons


def test_a_change_is_right_by_its_amount_or_the_rate_stated_beside_it():
    yoy = {"id": "t", "type": "yoy", "question": "比上年涨了多少", "answer": "增长5.65%", "value": 5.65, "unit": "%"}
    assert score_item(yoy, dict(ans(value=867.6, unit="万元"), rate=5.65)).correct
    assert score_item(yoy, dict(ans(value=867.6, unit="万元"), rate=-5.65)).correct  # direction in words
    assert not score_item(yoy, ans(value=867.6, unit="万元")).correct
    assert not score_item(yoy, dict(ans(value=867.6, unit="万元"), rate=5.7)).correct


def test_a_percentage_gold_is_met_at_its_written_precision():
    one = {"id": "t", "type": "ratio", "question": "占几成", "answer": "46.4%", "value": 46.4, "unit": "%"}
    assert score_item(one, ans(value=46.36, unit="%")).correct
    assert not score_item(one, ans(value=46.3, unit="%")).correct
    whole = dict(one, value=22)
    assert score_item(whole, ans(value=22.3, unit="%")).correct
    assert not score_item(whole, ans(value=22.6, unit="%")).correct
    two = dict(one, value=46.36)
    assert not score_item(two, ans(value=46.4, unit="%")).correct  # a precise gold stays precise
    money = dict(one, value=46.4, unit="万元")
    assert not score_item(money, ans(value=46.36, unit="万元")).correct  # only percentages


def test_a_change_answered_by_its_rate_is_right_by_the_amount_beside_it():
    yoy = {"id": "t", "type": "yoy", "question": "降了多少", "answer": "减少130.42万元", "value": 130.42, "unit": "万元"}
    by_rate = dict(ans(value=53.93, unit="%"), change=-130.42, change_unit="万元")
    assert score_item(yoy, by_rate).correct
    assert score_item(dict(yoy, value=1304200, unit="元"), by_rate).correct
    assert not score_item(yoy, ans(value=53.93, unit="%")).correct
