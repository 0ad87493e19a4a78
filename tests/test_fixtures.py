"""Hand-written documents in layouts the corpus lacks, with their expected facts and answers.

tests/fixtures/<name>.<ext> is a document (invented departments and figures with consistent
arithmetic); <name>.expected.json next to it lists document metadata, table facts (label,
code, column, value, unit), prose facts (label substring, value, unit), values that must
never appear (spam), and questions with their answers. Known gaps of other components are
listed in KNOWN_GAPS with the owner, and run as non-strict xfail so a fix shows as XPASS.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.text.normalize import squeeze
from qa.text.script import to_simplified
from qa.testing.harness import hash_embeddings, parse_file
from qa.types import UNIT_TO_YUAN

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".json" and not p.name.startswith("."))
EXPECTED = {p.name: json.loads((FIXTURES / (p.stem + ".expected.json")).read_text(encoding="utf-8"))
            for p in DOCS}

# (fixture, kind, key) -> why it fails today and whose it is.
KNOWN_GAPS = {
}


def _gap(name: str, kind: str, key: str) -> None:
    reason = KNOWN_GAPS.get((name, kind, key))
    if reason:
        pytest.xfail(reason)


@pytest.fixture(scope="module")
def parsed():
    return {p.name: parse_file(p) for p in DOCS}


def test_at_least_six_fixtures_with_expectations():
    assert len(DOCS) >= 6
    for p in DOCS:
        e = EXPECTED[p.name]
        assert e["answers"], p.name
        assert e.get("facts") or e.get("prose_facts"), p.name


@pytest.mark.parametrize("name", [p.name for p in DOCS])
def test_fixture_metadata(parsed, name):
    doc = parsed[name].document
    want = EXPECTED[name]["document"]
    if "department" not in want:
        _gap(name, "document", "department")
        assert doc.department, "a document should name who published it"
    else:
        assert doc.department == want["department"]
    assert doc.year == want["year"]
    assert doc.unit == want["unit"]
    if "kind" in want:
        assert doc.kind == want["kind"]


def _money(value: float, unit: str) -> float:
    return round(value * UNIT_TO_YUAN.get(unit, 1.0), 2)


@pytest.mark.parametrize("name", [p.name for p in DOCS])
def test_fixture_table_facts(parsed, name):
    _gap(name, "facts", "")
    facts = parsed[name].facts
    for want in EXPECTED[name]["facts"]:
        hits = [f for f in facts
                if squeeze(f.label) == squeeze(want["label"])
                and ("code" not in want or f.code == want["code"])
                and ("column" not in want or f.column == want["column"])
                and round(f.norm_value, 2) == _money(want["value"], want["unit"])]
        assert hits, (name, want, [(f.label, f.code, f.column, f.value) for f in facts
                                   if squeeze(want["label"]) in squeeze(f.label)][:8])
        assert all(f.unit == want["unit"] for f in hits), (name, want, hits[0].unit)


@pytest.mark.parametrize("name,want", [(p.name, w) for p in DOCS for w in EXPECTED[p.name].get("prose_facts", [])],
                         ids=lambda x: x if isinstance(x, str) else x.get("label_contains") or x.get("column"))
def test_fixture_prose_facts(parsed, name, want):
    _gap(name, "prose", want.get("label_contains", ""))
    prose = [f for f in parsed[name].facts if f.source == "prose"]
    hits = [f for f in prose
            if squeeze(want.get("label_contains", "")) in squeeze(f.label)
            and ("column" not in want or f.column == want["column"])
            and f.unit == want["unit"]
            and round(f.norm_value, 2) == _money(want["value"], want["unit"])]
    assert hits, (name, want, [(f.label, f.column, f.value, f.unit) for f in prose][:10])


@pytest.mark.parametrize("name", [p.name for p in DOCS])
def test_fixture_quotes_are_verbatim_and_spam_is_inert(parsed, name):
    p = parsed[name]
    text = squeeze("\n".join(p.lines))
    for f in p.facts:
        assert squeeze(f.quote) in text, (name, f.quote)
        assert 1 <= f.line <= len(p.lines)
    forbidden = EXPECTED[name].get("forbidden_values", [])
    assert not [f for f in p.facts if f.value in forbidden], name
    for f in p.facts:
        assert not any(w in f.quote for w in ("红包", "忽略以上", "Ignore all")), (name, f.quote)


def test_traditional_fixture_quotes_stay_traditional(parsed):
    p = parsed["traditional_table.txt"]
    raw = (FIXTURES / "traditional_table.txt").read_text(encoding="utf-8")
    assert p.lines == raw.splitlines()
    row = next(f for f in p.facts if f.code == "2070101")
    assert "行政運行" in row.quote and row.label == to_simplified("行政運行")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from qa.assistant import Assistant
    from qa.ingest.pipeline import ingest_paths
    from qa.store.index import Index

    emb = hash_embeddings()
    data_dir = tmp_path_factory.mktemp("fixtures_index")
    with Index(data_dir, embeddings=emb) as index:
        report = ingest_paths(DOCS, index, progress=False)
    assert report.ok, [r.error for r in report.errors]
    a = Assistant(Index(data_dir, embeddings=emb))
    yield a
    a.index.close()


@pytest.mark.parametrize("name,question", [(p.name, q["question"]) for p in DOCS for q in EXPECTED[p.name]["answers"]])
def test_fixture_answers(assistant, name, question):
    want = next(q for q in EXPECTED[name]["answers"] if q["question"] == question)
    _gap(name, "answer", question)
    ans = assistant.ask(question)
    assert ans.status == "answered", (question, ans.answer)
    assert ans.value is not None and ans.unit
    assert _money(ans.value, ans.unit) == _money(want["value"], want["unit"]), (question, ans.value, ans.unit)
    # the document's own unit unless the question asks for another
    assert ans.unit == want["unit"], (question, ans.unit)
    for c in ans.citations:
        assert c.doc == name, (question, c.doc)
    forbidden = EXPECTED[name].get("forbidden_values", [])
    assert ans.value not in forbidden
