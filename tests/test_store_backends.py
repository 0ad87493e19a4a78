"""The store on both engines: the same tests against SQLite and PostgreSQL (a server of the
test session's own, tests/conftest.py), and what only a shared server has to get right:
migrations applied once, caches of other connections told about writes, writers at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qa.store.index import Index
from qa.types import Chunk, Document, Enumeration, Fact, IntegrityIssue, ParsedDocument


def _parsed(value: float = 12.5, name: str = "mini.txt", hash_: str = "h1",
            department: str = "某某市测试局") -> ParsedDocument:
    doc = Document(name=name, department=department, year=2024, kind="预算", unit="万元",
                   content_hash=hash_, path="/x/" + name, title="2024年部门预算")
    lines = ["第一部分 部门概况", "一、主要职能", "负责城市绿化管理。",
             "表1 三公经费预算表", f"公务接待费 {value}", "\t缩进与 'quote' \\ 反斜杠"]
    fact = Fact(doc=name, department=doc.department, year=2024, table_no="1", table_title="三公经费预算表",
                section="第一部分 部门概况", code="", label="公务接待费", column="预算数", value=value,
                unit="万元", norm_value=value * 1e4, line=5, quote=lines[4], page=3, cell="Sheet1!C7")
    chunks = [
        Chunk(name, "第一部分 部门概况 / 一、主要职能", "一、主要职能\n负责城市绿化管理。", 2, 3),
        Chunk(name, "第一部分 部门概况", f"表1 三公经费预算表\n公务接待费 {value}", 4, 5, kind="table"),
    ]
    return ParsedDocument(
        document=doc, lines=lines, facts=[fact], chunks=chunks,
        issues=[IntegrityIssue(name, "1", "total", "合计不等于各项之和", 5, expected=1.0, stated=2.0)],
        enumerations=[Enumeration(name, doc.department, 2024, "科室", ("办公室", "财务科"), 3, "办公室、财务科")],
        tables=[{"no": "1", "title": "三公经费预算表", "unit": "万元", "line_start": 4, "line_end": 5,
                 "empty": False, "columns": ["预算数"], "department": doc.department}],
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def open_index(request, tmp_path: Path):
    """A function opening an Index on one store of the chosen engine (called again, it
    opens a second connection to the same store)."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else ""
    opened: list[Index] = []

    def make(embeddings=None) -> Index:
        ix = Index(tmp_path / "data", embeddings=embeddings, database_url=url, chroma_url="")
        opened.append(ix)
        return ix

    make.engine = request.param
    yield make
    for ix in opened:
        ix.close()


def test_round_trip_of_every_record_type(open_index) -> None:
    parsed = _parsed()
    ix = open_index()
    ix.add(parsed, encoding="utf-8", notes=["n1"])
    assert ix.documents() == [parsed.document]
    assert ix.document("mini.txt") == parsed.document and ix.document("nope.txt") is None
    assert ix.lines("mini.txt") == parsed.lines
    assert ix.facts() == parsed.facts
    assert ix.facts(doc="mini.txt", table_no="1") == parsed.facts
    assert ix.facts(department="某某市测试局") == parsed.facts and ix.facts(table_no="2") == []
    assert ix.chunks("mini.txt") == parsed.chunks
    assert ix.issues() == parsed.issues and ix.enumerations("mini.txt") == parsed.enumerations
    assert ix.tables("mini.txt") == parsed.tables
    assert ix.content_hash("mini.txt") == "h1"
    info = ix.document_info("mini.txt")
    assert info["notes"] == ["n1"] and info["encoding"] == "utf-8"
    assert (info["n_facts"], info["n_chunks"], info["n_issues"], info["n_tables"]) == (1, 2, 1, 1)
    assert ix.search_lexical("城市绿化", k=1)[0][0] == parsed.chunks[0]
    assert ix.search_dense("城市绿化管理", k=1)[0][0] == parsed.chunks[0]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:  # the web UI calls from worker threads
        results = list(pool.map(lambda _: (ix.facts(), ix.lines("mini.txt")), range(8)))
    assert all(r == (parsed.facts, parsed.lines) for r in results)


_NAMES = ["b.txt", "B.txt", "a_1.txt", "a-1.txt", "安阳.txt", "昌吉.txt", "Z.txt"]


def test_documents_sort_by_code_point_on_both(open_index) -> None:
    ix = open_index()
    for n in _NAMES:
        ix.add(_parsed(name=n))
    assert [d.name for d in ix.documents()] == sorted(_NAMES)
    assert [f.doc for f in ix.facts()] == sorted(_NAMES)


def test_code_point_order_whatever_the_database_collation(pg_server, tmp_path: Path) -> None:
    """A database created with a pinyin collation (what a Chinese installation may use)
    still lists documents, facts and chunks in SQLite's order."""
    try:
        url = pg_server.create_database("qa_pinyin", icu_locale="zh")
    except Exception as exc:  # a server built without ICU
        pytest.skip(f"no ICU collation on this server: {exc}")
    with Index(tmp_path, database_url=url, chroma_url="") as ix:
        for n in _NAMES:
            ix.add(_parsed(name=n))
        assert ix.sql.conn.execute("SELECT '安阳' < 'a' AS pinyin").fetchone()["pinyin"], "the collation is in force"
        assert [d.name for d in ix.documents()] == sorted(_NAMES)
        assert [f.doc for f in ix.facts()] == sorted(_NAMES)
        assert [c.doc for c in ix.chunks()] == [n for n in sorted(_NAMES) for _ in range(2)]


def test_replace_remove_and_vectors(open_index) -> None:
    ix = open_index()
    ix.add(_parsed(12.5))
    model = ix.model_id()
    first = set(ix.sql.get_vectors(model))
    assert first and ix.has_vectors("mini.txt")
    stats = ix.add(_parsed(99.0, hash_="h2"))
    assert stats.embedded == 0, "only a number changed and numbers are not embedded"
    assert [f.value for f in ix.facts()] == [99.0] and len(ix.chunks()) == 2
    assert ix.document("mini.txt").content_hash == "h2"
    ix.add(_parsed(99.0, hash_="h3", department="另一个测试局"))
    assert set(ix.sql.get_vectors(model)) == first, "the department's name is masked in embedded text"
    ix.remove("mini.txt")
    assert ix.documents() == [] and ix.facts() == [] and ix.chunks() == [] and ix.lines("mini.txt") == []
    assert ix.sql.get_vectors(model) == {} and ix.vectors.count() == 0, "vectors nobody uses are dropped"


def test_failure_inside_the_transaction_keeps_the_old_document(open_index, monkeypatch) -> None:
    ix = open_index()
    ix.add(_parsed(12.5))
    store_cls = type(ix.sql)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_cls, "_insert_chunks", boom)  # after the old rows are deleted
    with pytest.raises(RuntimeError):
        ix.add(_parsed(99.0, hash_="h2"))
    monkeypatch.undo()
    assert [f.value for f in ix.facts()] == [12.5] and ix.document("mini.txt").content_hash == "h1"
    assert len(ix.chunks()) == 2
    other = open_index()
    assert [f.value for f in other.facts()] == [12.5]


def test_document_metadata_changes_in_place(open_index) -> None:
    ix = open_index()
    ix.add(_parsed())
    old = ix.sql.update_document_meta("mini.txt", {"department": "新测试局", "year": 2025}, confidence=1.0,
                                      meta_source="user")
    assert old.department == "某某市测试局"
    doc = ix.document("mini.txt")
    assert (doc.department, doc.year, doc.confidence) == ("新测试局", 2025, 1.0)
    assert {(f.department, f.year) for f in ix.facts()} == {("新测试局", 2025)}
    assert ix.tables("mini.txt")[0]["department"] == "新测试局"
    assert ix.sql.update_document_meta("nope.txt", {"year": 2020}) is None


def test_another_connection_sees_writes(open_index) -> None:
    """An app instance reading the store notices what an ingest elsewhere committed."""
    reader, writer = open_index(), open_index()
    assert reader.chunks() == []
    writer.add(_parsed())
    assert len(reader.chunks()) == 2, "the reader's cached chunks must be dropped after another's commit"
    assert reader.search_lexical("城市绿化", k=1)
    writer.remove("mini.txt")
    assert reader.chunks() == [] and reader.search_lexical("城市绿化") == []


def test_writers_at_once(open_index) -> None:
    if open_index.engine == "sqlite":
        pytest.skip("several writers at once is what the PostgreSQL store is for")
    errors: list[BaseException] = []
    ix0 = open_index()
    ix0.add(_parsed(name="seed.txt"))  # the vectors exist, so the writers below only write rows

    def write(k: int) -> None:
        try:
            ix = open_index(embeddings=ix0.embeddings)
            for j in range(4):
                ix.add(_parsed(float(k * 10 + j), name=f"w{k}_{j}.txt"))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(ix0.documents()) == 13 and len(ix0.facts()) == 13


def test_migrations_match_and_apply_once(pg_url) -> None:
    from qa.store import postgres, sqlite

    assert [n for n, _ in postgres.MIGRATIONS] == [n for n, _ in sqlite.MIGRATIONS], \
        "every migration of one engine needs its counterpart of the same name in the other"
    store = postgres.PostgresStore(pg_url)
    names = [r["name"] for r in store.conn.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [n for n, _ in postgres.MIGRATIONS]
    assert postgres.migrate(store.conn) == []
    store.close()


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed")
    from qa.store.errors import StoreUnavailable
    from qa.testing.servers import free_port

    ix = Index(tmp_path, database_url=f"postgresql://qa:secret@127.0.0.1:{free_port()}/none")
    with pytest.raises(StoreUnavailable) as info:
        ix.documents()
    assert "secret" not in str(info.value) and "cannot connect" in str(info.value)


def test_missing_binaries_are_a_reason_to_skip(monkeypatch) -> None:
    from qa.testing import servers

    monkeypatch.setattr(servers, "postgres_bin_dir", lambda: None)
    with pytest.raises(servers.ServerUnavailable, match="PostgreSQL binaries not found"):
        servers.start_postgres()
    monkeypatch.setattr(servers, "chroma_executable", lambda: None)
    with pytest.raises(servers.ServerUnavailable, match="chroma"):
        servers.start_chroma()
