"""Sentences and news as facts (issue 11): figures stated in 三公 sentences, 决算 pairs,
news in 亿元 and 比上年/同比 change clauses become typed prose facts.

The corpus baseline (tests/data/prose_corpus_baseline.json) pins the prose facts the parser
gave on corpus/*.txt before this work: they must not change.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from qa.testing.harness import parse_file

ROOT = Path(__file__).resolve().parents[1]
BASELINE = json.loads((ROOT / "tests" / "data" / "prose_corpus_baseline.json").read_text(encoding="utf-8"))


def _rows(path: Path) -> list[list]:
    pd = parse_file(path)
    return [[f.label, f.column, f.value, f.unit, f.line, hashlib.sha1(f.quote.encode()).hexdigest()[:10]]
            for f in pd.facts if f.source == "prose"]


@pytest.mark.parametrize("name", sorted(BASELINE))
def test_corpus_prose_facts_unchanged(name):
    rows = _rows(ROOT / "corpus" / name)
    want = BASELINE[name]
    assert len(rows) == want["count"], (name, len(rows), want["count"])
    got = {tuple(r) for r in rows}
    pinned = {tuple(r) for r in want["facts"]}
    assert got == pinned, (name, sorted(pinned - got)[:5], sorted(got - pinned)[:5])
