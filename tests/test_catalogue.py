"""Opening an index reads a catalogue (documents, publishers' alias sets stored at ingest);
a question reads the rows of the documents it resolves to, kept in a bounded cache; the
alias index examines only departments whose names occur in the question; parsing in
worker processes stores the same rows as parsing in-process."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from qa.agent.aliases import AliasIndex, find_mentions
from qa.agent.context import Context, DocMap, index_loader
from qa.assistant import Assistant
from qa.store.index import Index
from qa.text.aliases import build, from_record, publisher, rules_version, to_record
from qa.types import Document

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_ROWS = ("facts", "lines", "tables", "enumerations", "issues")


def _counting(index: Index) -> dict[str, list[str]]:
    """Record which documents' rows the index is asked for."""
    seen: dict[str, list[str]] = {k: [] for k in _ROWS}
    for name in _ROWS:
        real = getattr(index, name)

        def wrapped(*args, _real=real, _name=name, **kwargs):
            seen[_name].append(kwargs.get("doc") or (args[0] if args else None))
            return _real(*args, **kwargs)

        setattr(index, name, wrapped)
    return seen


def test_open_reads_no_rows_and_a_question_reads_only_its_documents(index_dir: Path) -> None:
    index = Index(index_dir)
    seen = _counting(index)
    assistant = Assistant(index)
    assert not any(seen.values()), seen  # the catalogue only
    assert len(assistant.ctx.docs) == len(index.documents())
    ans = assistant.ask("安阳公积金中心三公经费比上年少了多少？")
    assert ans.status == "answered", ans.answer
    wanted = {c.doc for c in ans.citations}
    anyang = {d.name for d in index.documents() if d.department.startswith("安阳")}
    assert wanted <= anyang
    assert set(seen["facts"]) <= anyang, seen["facts"]
    assert assistant.ctx.docs.cached() <= len(anyang)
    index.close()


def test_alias_sets_are_stored_at_ingest_and_derived_again_under_new_rules(index_copy: Path) -> None:
    with Index(index_copy) as index:
        publishers = {publisher(d) for d in index.documents()}
        stored = index.sql.department_aliases()
        assert publishers <= set(stored)
        assert all(stored[p][0] == rules_version() for p in publishers)
        name = sorted(publishers)[0]
        assert from_record(name, stored[name][1]) == build(name)
    db = sqlite3.connect(index_copy / "qa.sqlite")
    with db:
        db.execute("UPDATE departments SET rules = 'older', aliases = '{}' WHERE name = ?", (name,))
    db.close()
    with Index(index_copy) as index:
        ctx = Context.load(index)
        assert ctx.aliases[name] == build(name)  # not the emptied record
        assert index.sql.department_aliases([name])[name][0] == rules_version()  # and stored again


def test_alias_records_round_trip() -> None:
    for name in ("昌吉回族自治州住房公积金管理中心", "安阳市住房和城乡建设局", "南川市", "某某局"):
        a = build(name)
        assert from_record(name, to_record(a)) == a


def test_alias_index_finds_what_a_scan_of_every_department_finds() -> None:
    from qa.testing.synthetic import place_name

    bodies = ["住房公积金管理中心", "机关事务管理局", "住房和城乡建设局", "社会保险事业管理中心", "教育局"]
    levels = ["市", "回族自治州", "县"]
    names = [place_name(i) + levels[i % 3] + bodies[i % 5] for i in range(400)]
    sets = [build(n) for n in names]
    index = AliasIndex((a.official, a) for a in sets)
    rng = random.Random(5)
    fillers = ["的", "和", "与", "比", "两个", "各", " ", "'s ", "基本支出是多少", "those of ", "那边"]
    for _ in range(120):
        parts = []
        for _ in range(rng.randint(1, 4)):
            a = rng.choice(sets)
            pool = sorted(a.region_forms | a.body_forms | a.generic_body_forms | a.latin_region_forms)
            parts += [rng.choice(pool), rng.choice(fillers)]
        q = "".join(parts)
        assert find_mentions(q, index.candidates(q)) == find_mentions(q, sets), q
    assert len(index.candidates("青原公积金中心的基本支出")) < len(sets) // 2


def test_the_document_cache_keeps_at_most_its_limit(index: Index) -> None:
    docs = {d.name: d for d in index.documents()}
    ctx = Context.load(index)
    small = DocMap(docs, loader=index_loader(index), limit=2)
    names = list(docs)
    first = small[names[0]].facts
    for n in names[1:]:
        assert small[n].facts == ctx.docs[n].facts
    assert small.cached() == 2
    assert small[names[0]].facts == first  # read again after it was dropped


def test_documents_from_parts_keep_their_order_and_years() -> None:
    a = Document("b.txt", "某市某局", 2024, "预算", "万元", "x")
    b = Document("a.txt", "某市某局", 2023, "预算", "万元", "y")
    from qa.agent.context import DocData

    ctx = Context.from_parts([DocData(a, [], ["甲"]), DocData(b, [], ["乙"])])
    assert list(ctx.docs) == ["b.txt", "a.txt"]
    assert ctx.docs["b.txt"].previous is ctx.docs["a.txt"]
    assert ctx.docs["a.txt"].previous is None
    assert [d.document.name for d in ctx.by_department("某市某局")] == ["b.txt", "a.txt"]


class _HashEmbeddings:
    """Deterministic 8-dimensional vectors (the rows stored do not depend on the model)."""

    model_id = "test-hash-8"

    def embed_documents(self, texts):
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text):
        import hashlib

        h = hashlib.sha256(text.encode()).digest()
        return [b / 255.0 for b in h[:8]]


def _rows(data: Path) -> list[list[tuple]]:
    db = sqlite3.connect(data / "qa.sqlite")
    try:
        return [db.execute(q).fetchall() for q in (
            "SELECT name, department, year, kind, unit, content_hash, title, extra FROM documents ORDER BY name",
            "SELECT doc, line_no, text FROM lines ORDER BY doc, line_no",
            "SELECT doc, table_no, section, code, label, \"column\", value, unit, line, quote, extra FROM facts ORDER BY doc, id",
            "SELECT doc, seq, section, text, dense_hash, tokens FROM chunks ORDER BY doc, seq",
            "SELECT doc, kind, message, line FROM issues ORDER BY doc, id",
            "SELECT doc, seq, data FROM tables ORDER BY doc, seq",
            "SELECT name, rules, aliases FROM departments ORDER BY name")]
    finally:
        db.close()


def test_parsing_in_worker_processes_stores_the_same_rows(tmp_path: Path) -> None:
    from qa.ingest.pipeline import PARALLEL_FROM, ingest_paths

    files = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".md"))
    assert len(files) >= PARALLEL_FROM
    stored = []
    for workers in (1, 2):
        data = tmp_path / f"w{workers}"
        with Index(data, embeddings=_HashEmbeddings()) as index:
            report = ingest_paths(files, index, progress=False, workers=workers)
        assert report.ok and report.count("added") == len(files)
        assert report.cpu_seconds_parse > 0 and report.parse_workers == workers
        stored.append(_rows(data))
        shutil.rmtree(data / "chroma", ignore_errors=True)
    for one, two in zip(*stored):
        assert one == two
