"""Scale: one transaction per file, stale vectors dropped without a sweep, the publisher's
names masked in embedded text, and the synthetic corpus of `python -m qa.bench --scale N`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa.store.index import Index
from qa.store.sqlite import SqliteStore
from qa.types import Chunk, Document, Fact, ParsedDocument


def _parsed(name: str, words: str, department: str = "某某市测试局", hash_: str = "h1") -> ParsedDocument:
    doc = Document(name=name, department=department, year=2024, kind="预算", unit="万元",
                   content_hash=hash_, path="/x/" + name, title="2024年部门预算")
    lines = ["第一部分 部门概况", "一、主要职能", words, "表1 三公经费预算表", "公务接待费 12.5"]
    fact = Fact(doc=name, department=department, year=2024, table_no="1", table_title="三公经费预算表",
                section="第一部分 部门概况", code="", label="公务接待费", column="预算数", value=12.5,
                unit="万元", norm_value=12.5e4, line=5, quote=lines[4])
    chunks = [Chunk(name, "第一部分 部门概况 / 一、主要职能", "一、主要职能\n" + words, 2, 3),
              Chunk(name, "第一部分 部门概况", "表1 三公经费预算表\n公务接待费 12.5", 4, 5, kind="table")]
    return ParsedDocument(document=doc, lines=lines, facts=[fact], chunks=chunks, issues=[],
                          enumerations=[], tables=[])


def _commits(ix: Index) -> list[str]:
    """Statements that end a transaction on the index's connection, recorded from now on."""
    seen: list[str] = []
    ix._writable().db.set_trace_callback(
        lambda sql: seen.append(sql) if sql.strip().upper().startswith(("COMMIT", "END")) else None)
    return seen


def test_adding_a_file_commits_once(tmp_path: Path) -> None:
    with Index(tmp_path) as ix:
        ix.add(_parsed("a.txt", "负责城市绿化管理。"))  # creates the database, loads the model
        commits = _commits(ix)
        ix.add(_parsed("b.txt", "负责森林防火瞭望塔的巡查。"))
        assert len(commits) == 1, commits
        commits.clear()
        ix.add(_parsed("b.txt", "负责河道清淤和堤防巡查。", hash_="h2"))  # replaced, old words dropped
        assert len(commits) == 1, commits


def test_failed_write_keeps_no_new_vectors(tmp_path: Path, monkeypatch) -> None:
    with Index(tmp_path) as ix:
        ix.add(_parsed("a.txt", "负责城市绿化管理。"))
        before = set(ix.sql.get_vectors(ix.model_id()))

        def boom(*a, **k):
            raise RuntimeError("disk full")

        monkeypatch.setattr(SqliteStore, "_insert_chunks", boom)
        with pytest.raises(RuntimeError):
            ix.add(_parsed("b.txt", "负责森林防火瞭望塔的巡查。"))
        monkeypatch.undo()
        # the new document's vectors were in the same transaction as its rows
        assert set(ix.sql.get_vectors(ix.model_id())) == before
        assert [d.name for d in ix.documents()] == ["a.txt"]


def test_replacing_a_document_drops_only_the_vectors_nobody_else_uses(tmp_path: Path) -> None:
    with Index(tmp_path) as ix:
        ix.add(_parsed("a.txt", "负责城市绿化管理。"))
        ix.add(_parsed("b.txt", "负责森林防火瞭望塔的巡查。"))
        shared = ix.sql.dense_hashes()
        ix.add(_parsed("b.txt", "负责河道清淤和堤防巡查。", hash_="h2"))
        used = ix.sql.dense_hashes()
        stored = set(ix.sql.get_vectors(ix.model_id()))
        assert stored == used, "SQLite keeps exactly the vectors chunks use"
        assert set(ix.vectors.existing(sorted(shared | used))) == used, "and so does Chroma"
        # the table chunk of both documents has the same words: one vector, kept
        assert len(shared & used) >= 1


# --- masking the publisher's names in embedded text ------------------------------------------
def test_dense_text_masks_the_department_and_its_short_forms() -> None:
    from qa.store.vectors import dense_texts

    dept = "昌吉回族自治州住房公积金管理中心"
    text = ("昌吉回族自治州住房公积金管理中心无下属预算单位，下设昌吉管理部；"
            "昌吉州公积金中心负责住房公积金的归集。")
    chunk = Chunk("a.txt", "第一部分 昌吉回族自治州住房公积金管理中心部门概况", text, 1, 1)
    (masked,) = dense_texts(chunk, department=dept)
    assert "昌吉" not in masked and "公积金中心" not in masked
    assert "本部门无下属预算单位" in masked and "本地管理部" in masked
    assert "住房公积金的归集" in masked, "the body's subject matter stays"
    assert chunk.text == text, "the chunk people read is not changed"
    assert dense_texts(chunk) != [masked], "no department: nothing masked"


def test_documents_that_differ_only_by_their_department_embed_once(tmp_path: Path) -> None:
    from tests.test_store import _CountingEmbeddings

    emb = _CountingEmbeddings()
    words = "某某市测试局负责城市绿化管理，某某测试局下设办公室。"
    with Index(tmp_path, embeddings=emb) as ix:
        ix.add(_parsed("a.txt", words))
        first = list(emb.embedded)
        assert first and not any("某某" in t for t in first)
        other = words.replace("某某", "青原")
        ix.add(_parsed("b.txt", other, department="青原市测试局"))
        assert emb.embedded == first, "the second department's text hashed to the same vectors"
        assert ix.document("b.txt").department == "青原市测试局"
        assert other in ix.chunks("b.txt")[0].text
        # (the table chunk has no vector: tables of figures are not embedded)
        assert ix.sql.dense_hashes() == {h for c in ix.sql.chunk_rows("a.txt") for h in (c["dense_hash"] or "").split()}


# --- the synthetic corpus of `python -m qa.bench --scale N` -----------------------------------
N_SYNTHETIC = 20


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory, index_dir: Path, corpus_dir: Path):
    """N_SYNTHETIC generated documents ingested into a copy of the session's corpus index."""
    import shutil

    from qa.ingest.pipeline import ingest_paths
    from qa.testing.synthetic import make_corpus

    root = tmp_path_factory.mktemp("synthetic")
    docs = make_corpus(corpus_dir, root / "docs", N_SYNTHETIC)
    data = root / "data"
    shutil.copytree(index_dir, data)
    with Index(data) as ix:
        report = ingest_paths([root / "docs"], ix, progress=False)
    return docs, root / "docs", data, report


def test_synthetic_documents_differ_in_text_and_figures(synthetic, corpus_dir: Path) -> None:
    docs, folder, _, _ = synthetic
    assert len(docs) == N_SYNTHETIC
    texts = [(folder / d.name).read_text(encoding="utf-8") for d in docs]
    assert len(set(texts)) == N_SYNTHETIC
    assert len({d.department for d in docs}) == N_SYNTHETIC, "every copy names its own department"
    assert len({d.factor for d in docs}) == N_SYNTHETIC
    for d, text in zip(docs, texts):
        assert d.original_place not in text and d.place in text
    def figures(text: str) -> list[str]:
        return re.findall(r"\d{1,3}(?:,\d{3})+\.\d\d|\d+\.\d\d(?![\d%])", text)

    by_template: dict[str, set[tuple[str, ...]]] = {}
    for d, text in zip(docs, texts):
        by_template.setdefault(d.template, set()).add(tuple(figures(text)))
    assert all(len(v) == N_SYNTHETIC // len(by_template) for v in by_template.values())


def test_synthetic_documents_ingest_with_their_department_and_scaled_figures(synthetic) -> None:
    docs, _, data, report = synthetic
    assert report.ok and report.count("added") == N_SYNTHETIC
    with Index(data) as ix:
        originals = {d.name: d for d in ix.documents() if not d.name.startswith("syn_")}
        for d in docs:
            stored = ix.document(d.name)
            assert stored.department == d.department
            mine = ix.facts(doc=d.name)
            theirs = ix.facts(doc=d.template)
            assert originals[d.template].department == d.original_department
            assert len(mine) == len(theirs)
            money = [(a, b) for a, b in zip(theirs, mine) if a.unit in ("元", "万元") and a.value]
            assert money
            assert all(b.value == pytest.approx(a.value * float(d.factor), abs=1e-6) for a, b in money), d.name


def test_synthetic_copies_reuse_the_originals_vectors(synthetic, index: Index) -> None:
    """Their text differs from the originals only by the department's names (masked) and by
    numbers (not embedded), so 20 new documents embed next to nothing: the five originals
    embed about 19,000 characters; the copies only the few sub-sections whose chunk
    boundaries moved because their longer numbers made a chunk fill up sooner (about 1,000)."""
    _, _, _, report = synthetic
    assert index.sql.get_vectors(index.model_id())  # the session index has vectors to reuse
    assert report.embedded_chars < 2500, report.embedded_chars


def test_a_renamed_body_answers_with_its_scaled_figure(synthetic, index_dir: Path) -> None:
    from qa.assistant import Assistant

    docs, _, data, _ = synthetic
    d = next(x for x in docs[5:] if x.template.startswith("000"))  # a copy with factor > 2
    original = Assistant.open(index_dir).ask(f"{d.original_place}公积金中心的基本支出是多少？")
    assert original.status == "answered" and original.value
    answer = Assistant.open(data).ask(f"{d.place}公积金中心的基本支出是多少？")
    assert answer.status == "answered", answer.answer
    assert answer.value == pytest.approx(round(original.value * float(d.factor), 2))
    assert {c.doc for c in answer.citations} == {d.name}
    assert d.department in answer.answer
