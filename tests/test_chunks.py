"""Retrieval chunks on the real corpus: sections respected, line ranges valid, text verbatim,
tables summarised without number runs, embedding budget kept."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from qa.ingest.chunks import MAX_CHARS, embedding_text, make_chunks
from qa.text.normalize import squeeze
from qa.ingest.parse import parse_document
from qa.ingest.sections import SEPARATOR, section_paths
from qa.types import Document

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def parsed():
    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out[path.name[:3]] = (text, parse_document(path.name, text))
    return out


def test_chunks_stay_inside_their_section(parsed):
    for _, (text, p) in parsed.items():
        sections = section_paths(p.lines)
        assert p.chunks
        for c in p.chunks:
            assert 1 <= c.line_start <= c.line_end <= len(p.lines), c.id
            assert c.kind in ("prose", "table", "targets", "heading")
            for ln in (c.line_start, c.line_end):
                s = sections[ln - 1]
                assert s == c.section or s.startswith(c.section + SEPARATOR), (c.id, s, c.section)


def test_prose_chunks_are_verbatim_paragraphs(parsed):
    for _, (text, p) in parsed.items():
        doc_text = squeeze(text)
        titles = {s.split(SEPARATOR)[-1] for s in section_paths(p.lines)}
        for c in (c for c in p.chunks if c.kind == "prose"):
            assert len(c.text) <= MAX_CHARS + 200, c.id
            for part in c.text.split("\n"):
                # Parts are source paragraphs, or the heading of a small section packed in.
                assert squeeze(part) in doc_text or part in titles, (c.id, part)


def test_known_paragraph_is_one_chunk(parsed):
    _, p = parsed["000"]
    sections = section_paths(p.lines)
    hits = [c for c in p.chunks if c.kind == "prose" and "主要原因是人员增加及薪资调整增加" in c.text]
    first = min(hits, key=lambda c: c.line_start)
    assert first.line_start == 783
    assert sections[787 - 1].startswith(first.section)
    # Small sections packed together are introduced by their own headings.
    if first.section != sections[787 - 1]:
        assert "三、关于昌吉回族自治州住房公积金管理中心 2024 年支出预算情况说明" in first.text
    sangong = [c for c in p.chunks if "“三公”经费预算数为" in squeeze(c.text)]
    assert sangong and "十、" in sangong[0].section and sangong[0].line_start == 983


def test_table_chunks_title_and_labels_without_numbers(parsed):
    for key, (_, p) in parsed.items():
        tables = [c for c in p.chunks if c.kind == "table"]
        non_empty = [t for t in p.tables if not t.get("empty")]
        assert len(tables) >= len([t for t in non_empty if "绩效" not in t["title"]]), key
        for c in tables:
            if "绩效" in c.text[:30]:
                continue
            assert not re.search(r"\d,\d{3}|\d+\.\d{2}", c.text), (c.id, c.text[:200])
    _, p = parsed["000"]
    t3 = next(c for c in p.chunks if c.kind == "table" and c.text.startswith("表3 部门支出总体情况表"))
    assert "住房公积金管理" in t3.text and "机关事业单位职业年金缴费支出" in t3.text


def test_performance_tables_keep_indicator_text(parsed):
    _, p = parsed["000"]
    perf = [c for c in p.chunks if c.kind == "targets" and "绩效目标表" in c.text[:20]]
    assert any("住房公积金归集" in c.text and "36.6" in c.text for c in perf)
    assert any("系统故障率" in c.text for c in perf)
    # Contact names and phone numbers are not retrieval text.
    assert not any("13199705066" in c.text for c in perf)


def test_embedding_budget(parsed):
    try:
        from qa.store.vectors import dense_text
    except ImportError:  # the store decides what it embeds; ours is the same shape
        dense_text = embedding_text
    seen: set[str] = set()
    total = 0
    for _, p in parsed.values():
        for c in p.chunks:
            t = dense_text(c)
            h = hashlib.sha256(t.encode()).hexdigest()
            if t and h not in seen:
                seen.add(h)
                total += len(t)
    # The brief's budget: about 30,000 characters embedded for the five documents.
    assert total <= 32_000
    assert sum(len(p.chunks) for _, p in parsed.values()) <= 200


def test_without_table_ranges_tables_are_still_found():
    path = next(CORPUS.glob("000_*.txt"))
    lines = path.read_text(encoding="utf-8").splitlines()
    doc = Document(name=path.name, department="昌吉回族自治州住房公积金管理中心", year=2024, kind="预算",
                   unit="万元", content_hash="")
    chunks = make_chunks(lines, doc, section_paths(lines), [])
    titles = [c.text.split("\n")[0] for c in chunks if c.kind == "table"]
    assert "表1 部门收支总体情况表" in titles and "表10 财政拨款“三公”经费支出情况表" in titles
    assert not any(c.kind == "prose" and "3,394.10 201" in c.text for c in chunks)
