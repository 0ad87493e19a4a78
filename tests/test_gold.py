"""The gold set is valid: quotes occur in their documents, arithmetic holds, the split is fixed."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from qa.evaluation.gold import TYPES, load_items, select, split_of
from qa.evaluation.run import language
from qa.evaluation.validate import ComputationError, check_computation, evaluate, validate_items

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "evals" / "gold.jsonl"
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return load_items(GOLD)


def test_gold_set_validates(gold):
    problems = validate_items(gold, CORPUS)
    assert not problems, "\n".join(map(str, problems[:30]))


def test_gold_set_size_types_and_languages(gold):
    assert len(gold) >= 200
    types = Counter(it["type"] for it in gold)
    assert set(types) == set(TYPES), f"missing types: {set(TYPES) - set(types)}"
    english = sum(language(it["question"]) == "en" for it in gold)
    assert english / len(gold) >= 0.10
    # every document of the corpus is asked about
    docs = {ev["doc"] for it in gold for ev in it.get("evidence", [])}
    assert docs == {p.name for p in CORPUS.glob("*.txt")}


def test_gold_is_the_assembly_of_its_parts(gold):
    parts = []
    for name in ("gold_a.jsonl", "gold_b.jsonl"):
        parts += [json.loads(line)["id"] for line in (ROOT / "evals" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [it["id"] for it in gold] == parts, "re-run evals/assemble.py"


def test_split_rule_is_fixed_and_balanced(gold):
    # the rule depends on the id only: same id, same split, whatever the content
    assert split_of("b-001") == split_of("b-001")
    assert {split_of(f"x-{i}") for i in range(20)} == {"dev", "test"}
    for it in gold:
        assert it["split"] == split_of(it["id"])
    dev, test = select(gold, "dev"), select(gold, "test")
    assert len(dev) + len(test) == len(gold)
    assert {it["id"] for it in dev}.isdisjoint({it["id"] for it in test})
    assert 0.35 <= len(test) / len(gold) <= 0.65
    # each split exercises every type, so tuning on dev cannot ignore a type in test
    assert {it["type"] for it in test} == set(TYPES)
    assert select(gold, "test", limit=5) == test[:5]


def test_arithmetic_checker_parses_without_eval():
    assert evaluate("198.19 + 64.57 + 94.71") == pytest.approx(357.47)
    assert evaluate("664.48 / (31029.76 - 664.48) * 100") == pytest.approx(2.1883, abs=1e-4)
    assert evaluate("1,234.5 - -0.5") == pytest.approx(1235.0)
    assert evaluate("3 × 4 ÷ 2") == pytest.approx(6.0)
    for bad in ("__import__('os')", "2 ** 3", "1 +", "(1 + 2", "1 / 0", "abs(-1)"):
        with pytest.raises(ComputationError):
            evaluate(bad)


def test_computation_check_uses_printed_precision():
    assert check_computation("198.19 + 64.57 + 94.71 = 357.47", 357.47) is None
    assert check_computation("4 / 7 * 100 = 57.14", 57.14) is None
    assert check_computation("4 / 7 * 100 = 57.15", 57.15) is not None  # off by one in the last digit
    assert check_computation("1 + 1 = 2", 3) is not None  # value disagrees with the computation
    assert check_computation("1 + 1", 2) is not None


def test_validator_catches_bad_quotes_and_figures():
    item = {
        "id": "t-1", "question": "q", "type": "sum", "answer": "a", "value": 90, "unit": "万元",
        "computation": "9 + 81 = 90",
        "evidence": [{"doc": "003_eae6f4940a625f14.txt", "quote": "政府采购工程预算81万元"}],
    }
    assert validate_items([item], CORPUS) == []
    wrong_quote = dict(item, evidence=[{"doc": "003_eae6f4940a625f14.txt", "quote": "政府采购工程预算18万元"}])
    assert any("quote not in" in p.message for p in validate_items([wrong_quote], CORPUS))
    wrong_sum = dict(item, computation="9 + 80 = 90")
    assert validate_items([wrong_sum], CORPUS)
    unknown_doc = dict(item, evidence=[{"doc": "nope.txt", "quote": "x"}])
    assert validate_items([unknown_doc], CORPUS)
    # a quote may cross a line break only where the file has whitespace
    wrapped = dict(item, evidence=[{"doc": "004_b3fa070b509c4b73.txt", "quote": "收支总预算 1,703.00 万元。"}])
    assert validate_items([wrapped], CORPUS) == []
    assert validate_items([item, item], CORPUS)  # duplicate id
