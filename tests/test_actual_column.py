"""On a 决算 page stating both 预算数 and 决算数, a question about actual spending gets the
决算数 and one about the budget the 预算数 (fixture written by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index_util import open_assistant

FIXTURE = Path(__file__).parent / "fixtures" / "prose_juesuan_pair.txt"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    return open_assistant([FIXTURE], tmp_path_factory.mktemp("juesuan") / "qa")


@pytest.mark.parametrize("question,value", [
    ("三公经费实际支出多少？", 38.9),
    ("三公经费决算是多少", 38.9),
    ("三公经费预算数是多少", 45.6),
])
def test_actual_and_budget_columns(assistant, question, value):
    ans = assistant.ask(question)
    assert ans.status == "answered" and ans.value == pytest.approx(value), ans.answer
    assert any(str(value) in c.quote for c in ans.citations)
