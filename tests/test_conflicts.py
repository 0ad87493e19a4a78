"""Documents claiming one department, year, kind and scope (qa/tools/conflicts.py), `qa check`
and `qa ingest` reporting them, answers warning over them, and `qa remove` settling it."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

from qa.tools.conflicts import claim_of, find_conflicts, scope_of
from qa.types import Document, Fact

DEPT = "某某市司法局"


def _doc(name: str, title: str, year: int | None = 2024, kind: str = "预算", dept: str = DEPT) -> Document:
    return Document(name, dept, year, kind, "万元", "h-" + name, title=title)


def _fact(doc: str, label: str, value: float, column: str = "预算数", table: str = "支出总表", code: str = "") -> Fact:
    return Fact(doc=doc, department=DEPT, year=2024, table_no="1" if table else "", table_title=table, section="",
                code=code, label=label, column=column, value=value, unit="万元", norm_value=value * 1e4, line=1,
                quote=f"{label} {value}", source="table" if table else "prose")


def test_scope_comes_from_the_title_and_separates_department_from_unit_budgets():
    dept = _doc("a.pdf", "某某市司法局2024年部门预算")
    unit = _doc("b.pdf", "某某市司法局（本级）2024年单位预算")
    plain = _doc("c.pdf", "2024年预算公开")
    assert (scope_of(dept), scope_of(unit), scope_of(plain)) == ("部门", "单位", "")
    assert scope_of(_doc("d.pdf", "某某市司法局2023年部门决算", kind="决算")) == "部门"
    facts = {"a.pdf": [_fact("a.pdf", "基本支出", 10)], "b.pdf": [_fact("b.pdf", "基本支出", 8)]}
    # a 部门预算 and a 单位预算 of one body are both legitimate: never a conflict
    assert find_conflicts([dept, unit], lambda n: facts[n]) == []
    # nothing to compare without a department or a year
    assert claim_of(_doc("e.txt", "x", year=None)) is None and claim_of(_doc("f.txt", "x", dept="")) is None


def test_an_edited_copy_conflicts_an_identical_copy_agrees_and_separate_parts_share_nothing():
    title = "某某市司法局2024年部门预算"
    docs = [_doc("orig.pdf", title), _doc("edited.pdf", title), _doc("copy.pdf", title)]
    base = [_fact("x", "基本支出", 100.0), _fact("x", "项目支出", 50.0), _fact("x", "合计", 150.0)]

    def facts_of(name: str) -> list[Fact]:
        out = [_fact(name, f.label, f.value) for f in base]
        if name == "edited.pdf":
            out[1] = _fact(name, "项目支出", 55.0)
        return out

    (c,) = find_conflicts(docs, facts_of)
    assert c.docs == ("copy.pdf", "edited.pdf", "orig.pdf") and (c.department, c.year, c.kind, c.scope) == (
        DEPT, 2024, "预算", "部门")
    assert c.severity == "conflict" and c.shared == 3 and c.differing == 1
    (d,) = c.examples
    assert d.label == "项目支出" and dict(d.values)["edited.pdf"] == 55.0 and dict(d.values)["orig.pdf"] == 50.0
    assert "edited.pdf" in c.describe("zh") and "1 of the 3 figures" in c.describe("en")

    same = find_conflicts(docs[:1] + docs[2:], facts_of)[0]
    assert same.severity == "copy" and same.differing == 0 and same.shared == 3

    # a narrative (prose figures) and its tables file: no figure in common
    narrative = [_fact("n.pdf", "基本支出", 100.0, table="")]
    parts = find_conflicts([_doc("n.pdf", title), _doc("t.pdf", title)],
                           lambda n: narrative if n == "n.pdf" else base)[0]
    assert parts.severity == "parts" and parts.shared == 0


def _run_cli(*argv: str) -> tuple[int, str]:
    from qa.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        rc = main(list(argv))
    return rc, out.getvalue()


def test_cli_reports_a_conflicting_upload_answers_warn_and_qa_remove_settles_it(index_copy, corpus_dir, tmp_path):
    from qa.assistant import Assistant

    src = corpus_dir / "000_553322b9b830cfa0.txt"
    edited = tmp_path / "000_edited.txt"
    edited.write_text(src.read_text(encoding="utf-8").replace("22.35", "23.35"), encoding="utf-8")
    d = str(index_copy)
    rc, out = _run_cli("--data-dir", d, "ingest", "-q", str(edited))
    assert rc == 0 and "conflict: 000_553322b9b830cfa0.txt, 000_edited.txt all claim to be" in out, out
    assert "23.35" in out and "22.35" in out and "qa remove" in out

    rc, out = _run_cli("--data-dir", d, "check")
    assert rc == 0 and "conflict: 000_553322b9b830cfa0.txt, 000_edited.txt" in out

    ans = Assistant.open(index_copy).ask("昌吉州公积金中心2024年三公经费预算是多少？")
    assert ans.status == "answered"
    assert any("000_edited.txt" in w and "000_553322b9b830cfa0.txt" in w for w in ans.warnings), ans.warnings
    assert "注意：" in ans.answer and "不一致" in ans.answer

    rc, out = _run_cli("--data-dir", d, "remove", "000_edited")
    assert rc == 0 and "removed 000_edited.txt" in out and "5 document(s) left" in out
    rc, out = _run_cli("--data-dir", d, "check")
    assert "conflict:" not in out
    again = Assistant.open(index_copy).ask("昌吉州公积金中心2024年三公经费预算是多少？")
    assert again.value == 22.35 and not any("000_edited" in w for w in again.warnings)
    assert _run_cli("--data-dir", d, "remove", "no_such_document")[0] == 2


def test_conflicts_on_the_shipped_corpus_are_none(index):
    assert find_conflicts(index.documents(), lambda n: index.facts(doc=n)) == []
    assert Path(index.data_dir).exists()
