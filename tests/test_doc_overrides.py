"""User overrides of document metadata: `qa ingest --department/--year/--kind`, `qa docs`,
`qa docs set` (in place, no re-embedding), and the store update behind it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import main
from qa.ingest.pipeline import clean_overrides, ingest_paths
from qa.store.index import Index
from qa.testing.harness import hash_embeddings

DOC = """东湖市司法局2023年部门预算公开

表7 一般公共预算“三公”经费支出情况表
编制部门：东湖市司法局 单位：万元
项目\t2022年预算数\t2023年预算数
合计\t12.80\t11.60
因公出国（境）费\t0.00\t0.00
公务用车购置及运行费\t8.30\t7.90
公务接待费\t4.50\t3.70

一、机构设置
东湖市司法局内设机构包括：办公室、法制科、公共法律服务科。

二、“三公”经费预算情况说明
东湖市司法局2023年“三公”经费预算11.60万元，比上年减少1.20万元。
"""


@pytest.fixture()
def doc_file(tmp_path: Path) -> Path:
    p = tmp_path / "docs" / "sfj.txt"
    p.parent.mkdir()
    p.write_text(DOC, encoding="utf-8")
    return p


def _ingest(data_dir: Path, paths, **overrides):
    with Index(data_dir, embeddings=hash_embeddings()) as ix:
        return ingest_paths(paths, ix, progress=False, overrides=overrides)


def _columns(data_dir: Path, doc: str) -> dict[str, set[str]]:
    with Index(data_dir) as ix:
        out: dict[str, set[str]] = {}
        for f in ix.facts(doc=doc, table_no="7"):
            out.setdefault(f.label, set()).add(f.column)
        return out


def test_ingest_reads_the_text_and_records_confidence(tmp_path, doc_file):
    report = _ingest(tmp_path / "d", [doc_file])
    r = report.results[0]
    assert (r.department, r.year, r.kind) == ("东湖市司法局", 2023, "预算")
    assert r.confidence is not None and r.confidence >= 0.8
    with Index(tmp_path / "d") as ix:
        doc = ix.document("sfj.txt")
        assert doc.confidence == r.confidence
        assert "department: label line" in doc.meta_source
    # 2023 is this document's year, 2022 the year before
    assert _columns(tmp_path / "d", "sfj.txt")["合计"] == {"预算数", "上年预算数"}


def test_ingest_overrides_are_used_for_facts_and_kept(tmp_path, doc_file):
    data = tmp_path / "d"
    _ingest(data, [doc_file])
    # unchanged bytes, different metadata: read again; the embedded texts are the same, so
    # nothing is embedded
    r = _ingest(data, [doc_file], year=2024, kind="决算").results[0]
    assert (r.status, r.year, r.kind, r.embedded_chars) == ("updated", 2024, "决算", 0)
    # another department masks other names in the embedded text: only those texts are new
    report = _ingest(data, [doc_file], department="东湖市公安局", year=2024, kind="决算")
    r = report.results[0]
    assert r.status == "updated"
    assert (r.department, r.year, r.kind, r.confidence) == ("东湖市公安局", 2024, "决算", 1.0)
    assert any("set by the user" in n for n in r.notes)
    with Index(data) as ix:
        facts = ix.facts(doc="sfj.txt")
        assert facts and {(f.department, f.year) for f in facts} == {("东湖市公安局", 2024)}
        assert {(e.department, e.year) for e in ix.enumerations("sfj.txt")} == {("东湖市公安局", 2024)}
        assert ix.document("sfj.txt").meta_source.count("set by user") == 3
    # the facts were read with the year given: 2023 is now the year before, 2022 is named as printed
    assert _columns(data, "sfj.txt")["合计"] == {"上年预算数", "2022年预算数"}
    # the same overrides again: nothing to do
    assert _ingest(data, [doc_file], department="东湖市公安局", year=2024).results[0].status == "unchanged"
    # no overrides: the stored ones stand
    r = _ingest(data, [doc_file]).results[0]
    assert (r.status, r.department, r.year) == ("unchanged", "东湖市公安局", 2024)
    # the file changes: read again, and what the user set is kept
    doc_file.write_text(DOC.replace("4.50", "4.60"), encoding="utf-8")
    r = _ingest(data, [doc_file]).results[0]
    assert (r.status, r.department, r.year, r.kind) == ("updated", "东湖市公安局", 2024, "决算")


def test_partial_override_keeps_what_the_text_says(tmp_path, doc_file):
    r = _ingest(tmp_path / "d", [doc_file], year=2024).results[0]
    assert (r.department, r.year, r.kind) == ("东湖市司法局", 2024, "预算")
    with Index(tmp_path / "d") as ix:
        src = ix.document("sfj.txt").meta_source
    assert "year: set by user (1.00)" in src and "department: label line" in src


def test_bad_overrides_are_refused():
    with pytest.raises(ValueError, match="kind"):
        clean_overrides({"kind": "budget"})
    with pytest.raises(ValueError, match="year"):
        clean_overrides({"year": 24})
    assert clean_overrides({"department": " 东湖市司法局 ", "year": "2024", "kind": None}) == {
        "department": "东湖市司法局", "year": 2024}


def test_store_update_changes_rows_in_place(tmp_path, doc_file):
    data = tmp_path / "d"
    _ingest(data, [doc_file])
    with Index(data) as ix:
        before_chunks = [(r["id"], r["dense_hash"], r["text"]) for r in ix.sql.chunk_rows("sfj.txt")]
        n_vectors = ix.sql.db.execute("SELECT count(*) FROM vectors").fetchone()[0]
        old = ix.sql.update_document_meta("sfj.txt", {"department": "东湖市公安局", "year": 2024},
                                          confidence=1.0, meta_source="department: set by user (1.00)")
        assert (old.department, old.year) == ("东湖市司法局", 2023)
        doc = ix.document("sfj.txt")
        assert (doc.department, doc.year, doc.kind, doc.confidence) == ("东湖市公安局", 2024, "预算", 1.0)
        assert {(f.department, f.year) for f in ix.facts(doc="sfj.txt")} == {("东湖市公安局", 2024)}
        assert ix.facts(department="东湖市公安局") and not ix.facts(department="东湖市司法局")
        assert {t.get("department") for t in ix.tables("sfj.txt")} == {"东湖市公安局"}
        assert {(e.department, e.year) for e in ix.enumerations("sfj.txt")} == {("东湖市公安局", 2024)}
        # nothing re-embedded, chunks untouched
        assert [(r["id"], r["dense_hash"], r["text"]) for r in ix.sql.chunk_rows("sfj.txt")] == before_chunks
        assert ix.sql.db.execute("SELECT count(*) FROM vectors").fetchone()[0] == n_vectors
        assert ix.sql.update_document_meta("nope.txt", {"year": 2020}) is None


# --- the CLI -----------------------------------------------------------------------------------
def _qa(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_ingest_overrides_docs_and_docs_set(tmp_path, doc_file, capsys):
    data = str(tmp_path / "d")
    rc, out, err = _qa(capsys, "--data-dir", data, "ingest", "-q", "--department", "东湖市公安局",
                       "--year", "2024", "--kind", "决算", str(doc_file))
    assert rc == 0, err
    header, _, row = out.splitlines()[:3]
    assert header.split() == ["document", "status", "department", "year", "kind", "chunks", "tables", "facts",
                              "warnings", "confidence"]
    assert row.split()[:5] == ["sfj.txt", "added", "东湖市公安局", "2024", "决算"] and row.split()[-1] == "1.00"
    assert "note: sfj.txt: set by the user: department=东湖市公安局, year=2024, kind=决算" in out

    rc, out, _ = _qa(capsys, "--data-dir", data, "docs")
    assert rc == 0
    row = next(line for line in out.splitlines() if line.startswith("sfj.txt"))
    assert row.split()[1:6] == ["东湖市公安局", "2024", "决算", "万元", "1.00"]
    assert "department: set by user" in row

    # fix it back in place; the facts follow
    rc, out, err = _qa(capsys, "--data-dir", data, "docs", "set", "sfj", "--department", "东湖市司法局",
                       "--year", "2023")
    assert rc == 0, err
    assert "sfj.txt: department 东湖市公安局 -> 东湖市司法局" in out
    assert "sfj.txt: year 2024 -> 2023" in out
    assert "qa ingest --year 2023" in out  # column names were read with the old year
    rc, out, _ = _qa(capsys, "--data-dir", data, "docs", "--json")
    (doc,) = json.loads(out)
    assert (doc["department"], doc["year"], doc["kind"], doc["confidence"]) == ("东湖市司法局", 2023, "决算", 1.0)
    rc, out, _ = _qa(capsys, "--data-dir", data, "facts", "--doc", "sfj.txt", "--json")
    assert {(f["department"], f["year"]) for f in json.loads(out)} == {("东湖市司法局", 2023)}


def test_cli_docs_set_errors(tmp_path, doc_file, capsys):
    data = str(tmp_path / "d")
    assert _qa(capsys, "--data-dir", data, "docs")[0] == 2  # no index yet
    _ingest(Path(data), [doc_file])
    rc, _, err = _qa(capsys, "--data-dir", data, "docs", "set", "sfj.txt")
    assert rc == 2 and "nothing to set" in err
    rc, _, err = _qa(capsys, "--data-dir", data, "docs", "set", "other.txt", "--year", "2020")
    assert rc == 2 and "no document 'other.txt'" in err
    rc, _, err = _qa(capsys, "--data-dir", data, "docs", "set", "sfj.txt", "--year", "24")
    assert rc == 2 and "not a budget year" in err
    with pytest.raises(SystemExit):
        main(["--data-dir", data, "docs", "set", "sfj.txt", "--kind", "budget"])
    capsys.readouterr()
    with Index(Path(data)) as ix:
        assert ix.document("sfj.txt").year == 2023  # untouched
