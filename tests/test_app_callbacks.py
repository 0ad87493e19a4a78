"""Unit tests for the web UI callbacks (qa/web/callbacks.py) and the Backend wrapper.

Hand-made answers use the real shapes (qa.types) and the real corpus text; the tests at
the bottom run on the shared ingested index (`index_dir` fixture).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from qa.types import Answer, Citation, Document, Fact
from qa.web import callbacks as cb

ROOT = Path(__file__).resolve().parents[1]
DOC = "000_553322b9b830cfa0.txt"
LINES = (ROOT / "corpus" / DOC).read_text(encoding="utf-8").split("\n")


def _line_of(text: str) -> int:
    return next(i for i, line in enumerate(LINES, 1) if line.strip() == text)


TOTAL_LINE = _line_of("合计 22.35 22.35")


def _fact(table_no: str, label: str, column: str, value: float, line: int, code: str = "") -> Fact:
    return Fact(doc=DOC, department="昌吉回族自治州住房公积金管理中心", year=2024, table_no=table_no,
                table_title="t", section="", code=code, label=label, column=column, value=value,
                unit="万元", norm_value=value * 1e4, line=line, quote=LINES[line - 1],
                source="table" if table_no else "prose")


ANSWERED = Answer(
    status="answered", answer="2024年三公经费预算为 22.35 万元。", value=22.35, unit="万元",
    computation="1.60 + 20.75 = 22.35",
    citations=[Citation(DOC, "合计 22.35 22.35", TOTAL_LINE), Citation(DOC, "公务接待费 1.60 1.60", TOTAL_LINE + 4)],
)


# ------------------------------------------------------------------ chat message

def test_answer_markdown_has_answer_computation_and_numbered_citations():
    md = cb.format_answer_markdown(ANSWERED, "zh")
    assert "22.35 万元" in md
    assert "`1.60 + 20.75 = 22.35`" in md
    assert f"1. `{DOC}` · 第 {TOTAL_LINE} 行" in md
    assert f"2. `{DOC}` · 第 {TOTAL_LINE + 4} 行" in md
    assert "qa-badge" not in md  # an ordinary answer carries no status badge


def test_computation_stated_once_even_if_the_answer_text_repeats_it():
    a = Answer(status="answered", answer="差额为 22.35 万元。\n计算：22.35 - 0.00 = 22.35", value=22.35,
               unit="万元", computation="22.35 - 0.00 = 22.35")
    md = cb.format_answer_markdown(a, "zh")
    assert md.count("22.35 - 0.00 = 22.35") == 1 and "差额为 22.35 万元。" in md


def test_warning_refusal_and_ambiguous_are_styled_differently():
    warn = Answer(**{**ANSWERED.__dict__, "warnings": ["说明写 22.53 万元，表7合计为 22.35 万元。"]})
    md = cb.format_answer_markdown(warn, "zh")
    assert "qa-badge-warning" in md and "> ⚠ 说明写 22.53 万元" in md
    assert md.count("说明写 22.53 万元") == 1
    restated = Answer(**{**warn.__dict__, "answer": warn.answer + "\n注意：" + warn.warnings[0]})
    assert cb.format_answer_markdown(restated, "zh").count("说明写 22.53 万元") == 1
    refusal = cb.format_answer_markdown(Answer(status="not_found", answer="没有找到。"), "zh")
    assert "qa-badge-refusal" in refusal and "未找到答案" in refusal
    amb = Answer(status="ambiguous", answer="有两个公积金中心。",
                 candidates=["昌吉回族自治州住房公积金管理中心", "安阳市住房公积金管理中心"])
    md = cb.format_answer_markdown(amb, "en")
    assert "qa-badge-ambiguous" in md and "- 安阳市住房公积金管理中心" in md
    assert {cb.answer_kind(a) for a in (ANSWERED, warn, amb)} == {"answer", "warning", "ambiguous"}


def test_document_text_cannot_inject_markup():
    a = Answer(status="answered", answer="<script>alert(1)</script> | a | b |",
               citations=[Citation("x.txt", "<img src=x onerror=alert(1)> *bold*", 3)])
    md = cb.format_answer_markdown(a, "en")
    assert "<script>" not in md and "<img" not in md
    assert "\\|" in md and "\\*bold\\*" in md
    assert "line 3" in md


def test_language_and_citation_choices():
    assert cb.language_of("三公经费是多少") == "zh"
    assert cb.language_of("How much was spent?") == "en"
    choices = cb.citation_choices(ANSWERED.citations, "en")
    assert [v for _, v in choices] == [0, 1]
    assert choices[0][0].startswith(f"[1] {DOC} · line {TOTAL_LINE}")


def test_followup_question_names_the_candidate():
    dept = "昌吉回族自治州住房公积金管理中心"
    assert cb.followup_question("公积金中心2024年三公经费预算是多少？", dept) == f"{dept}2024年三公经费预算是多少？"
    assert cb.followup_question("住建局的三公经费是多少", "乌鲁木齐市住房和城乡建设局") == "乌鲁木齐市住房和城乡建设局的三公经费是多少"
    assert cb.followup_question("三公经费是多少", dept) == f"{dept}三公经费是多少"
    assert cb.followup_question("How much was the IT budget?", dept) == f"How much was the IT budget? ({dept})"


# ------------------------------------------------------------------ citation excerpt

def test_find_quote_tolerates_whitespace_fullwidth_and_line_offsets():
    assert cb.find_quote(LINES, "合计 22.35 22.35", TOTAL_LINE) == [(TOTAL_LINE, 0, len("合计 22.35 22.35"))]
    # a cited line one off, spaces dropped, fullwidth digits: still the same place
    assert cb.find_quote(LINES, "合计22.35  ２２.３５", TOTAL_LINE - 1) == [(TOTAL_LINE, 0, len("合计 22.35 22.35"))]
    assert cb.find_quote(LINES, "这句话不在文档里", TOTAL_LINE) is None


def test_find_quote_spans_wrapped_lines():
    first = next(i for i, line in enumerate(LINES, 1) if line.endswith("下设 16个处室，分"))
    segs = cb.find_quote(LINES, "下设 16个处室，分别是：木垒管理部", first)
    assert [s[0] for s in segs] == [first, first + 2]  # the blank line between is skipped
    assert LINES[first - 1][segs[0][1]:segs[0][2]] == "下设 16个处室，分"
    assert LINES[first + 1][segs[1][1]:segs[1][2]] == "别是：木垒管理部"


def test_excerpt_html_marks_the_quote_with_line_numbers():
    html = cb.citation_excerpt_html(LINES, ANSWERED.citations[0], number=1, lang="zh")
    assert "<mark>合计 22.35 22.35</mark>" in html
    assert f'<td class="qa-ln">{TOTAL_LINE}</td>' in html
    assert f'<td class="qa-ln">{TOTAL_LINE - 2}</td>' in html  # context before
    assert "[1]" in html and f"第 {TOTAL_LINE} 行" in html
    assert "qa-excerpt-note" not in html


def test_excerpt_html_escapes_and_falls_back_to_the_cited_line():
    lines = ["标题", "<b>收入</b> 100", "合计 100"]
    html = cb.citation_excerpt_html(lines, Citation("x.txt", "不存在的引文", 2), lang="en")
    assert "qa-excerpt-note" in html  # says the quote was not found verbatim
    assert "<mark>&lt;b&gt;收入&lt;/b&gt; 100</mark>" in html
    assert "<b>" not in html


# ------------------------------------------------------------------ documents tab

def test_documents_rows_and_table_views():
    docs = [Document(DOC, "昌吉回族自治州住房公积金管理中心", 2024, "预算", "万元", "h"),
            Document("b.txt", "某局", None, "决算", "元", "h2")]
    rows = cb.documents_rows(docs, {DOC: 120}, {DOC: 9})
    assert rows[0] == [DOC, "昌吉回族自治州住房公积金管理中心", 2024, "预算", "万元", 120, 9, ""]
    assert rows[1][0] == "b.txt" and rows[1][2] == "" and rows[1][5] == 0
    assert len(rows[0]) == len(cb.DOCUMENT_HEADERS)

    facts = [_fact("10", "合计", "预算数", 22.35, TOTAL_LINE), _fact("2", "合计", "预算数", 22.35, TOTAL_LINE),
             _fact("2", "公务接待费", "预算数", 1.6, TOTAL_LINE + 4, code="30217"), _fact("", "三公经费", "预算数", 22.35, 40)]
    tables = [{"no": "10", "title": "三公表", "empty": False}, {"no": "2", "title": "收入表", "empty": False},
              {"no": "9", "title": "国有资本经营预算支出情况表", "empty": True}]
    choices = cb.table_choices(tables, facts)
    assert [v for _, v in choices] == ["2", "9", "10", cb.PROSE_TABLE]  # numeric order, prose last
    assert "2 facts" in choices[0][0] and "空表" in choices[1][0]
    rows = cb.table_fact_rows([f for f in facts if f.table_no == "2"])
    assert rows == [["", "合计", "预算数", 22.35, "万元", TOTAL_LINE],
                    ["30217", "公务接待费", "预算数", 1.6, "万元", TOTAL_LINE + 4]]
    assert "empty table" in cb.table_heading(tables[2], docs[0])
    shown = cb.facts_of_table(facts, "2")
    assert [f.label for f in shown] == ["合计", "公务接待费"]
    assert [f.label for f in cb.facts_of_table(facts, cb.PROSE_TABLE)] == ["三公经费"]
    # a clicked row is found by its values (sorted view) before its index
    assert cb.pick_fact(shown, ["30217", "公务接待费", "预算数", 1.6, "万元", TOTAL_LINE + 4], 0).label == "公务接待费"
    assert cb.pick_fact(shown, None, 1).label == "公务接待费"
    assert cb.pick_fact(shown, None, 5) is None


# ------------------------------------------------------------------ upload

def test_ingest_files_reports_each_file_and_survives_a_bad_one():
    from qa.ingest.pipeline import FileResult, IngestReport

    def ingest_one(path: str):
        if path.endswith("bad.bin"):
            raise ValueError("binary file")
        return IngestReport(results=[FileResult(Path(path).name, path, "added", department="某局",
                                                year=2024, facts=12, tables=3, warnings=1)])

    ticks = []
    outcomes = cb.ingest_files(["/tmp/a.txt", "/tmp/bad.bin", "/tmp/c.txt"], ingest_one,
                               lambda i, n, name: ticks.append((i, n, name)))
    assert [o.status for o in outcomes] == ["added", "error", "added"]
    assert outcomes[1].error == "ValueError: binary file"
    assert ticks[0] == (0, 3, "a.txt") and ticks[-1] == (3, 3, "")
    assert cb.changed(outcomes)
    md = cb.format_ingest_report(outcomes)
    assert "2 file(s) ingested, 1 failed" in md
    assert "| bad.bin | ✗ error |" in md and "binary file" in md
    assert "| a.txt | ✓ added | 某局 | 2024 | 12 | 1 warnings |" in md


def test_ingest_report_errors_from_the_pipeline_are_shown():
    from qa.ingest.pipeline import FileResult, IngestReport

    path = "/tmp/gradio/3f2a/e.txt"
    report = IngestReport(results=[FileResult("e.txt", path, "error", error=f"{path}: not UTF-8")])
    outcomes = cb.ingest_files([path], lambda p: report)
    assert outcomes[0].status == "error" and not cb.changed(outcomes)
    md = cb.format_ingest_report(outcomes)
    assert "| e.txt | ✗ error |  |  |  | e.txt: not UTF-8 |" in md  # temp folder hidden


def test_login_is_enforced_wherever_credentials_are_set():
    env = {"QA_UI_USER": "staff", "QA_UI_PASSWORD": "pw"}
    assert cb.login_from_env(env) == ("staff", "pw")  # loopback too: behind a proxy
    assert cb.login_from_env({"QA_UI_USER": "staff"}) is None
    assert cb.login_from_env({}) is None


def test_startup_refusal_is_safe_by_default():
    env = {"QA_UI_USER": "staff", "QA_UI_PASSWORD": "pw"}
    assert cb.startup_refusal("127.0.0.1", {}) is None
    assert cb.startup_refusal("localhost", {}) is None
    assert cb.startup_refusal("0.0.0.0", env) is None
    refusal = cb.startup_refusal("0.0.0.0", {})
    assert refusal and "QA_UI_USER" in refusal and "--public" in refusal
    assert cb.startup_refusal("0.0.0.0", {}, public=True) is None
    # one variable forgotten: refused everywhere, never a silently open page
    assert "QA_UI_PASSWORD" in cb.startup_refusal("127.0.0.1", {"QA_UI_USER": "staff"})
    assert "QA_UI_USER" in cb.startup_refusal("0.0.0.0", {"QA_UI_PASSWORD": "pw"}, public=True)


def test_index_status_never_shows_the_index_location():
    assert cb.index_status(5) == "5 document(s) loaded. 已载入 5 份文档。"
    assert "No documents loaded" in cb.index_status(0)
    assert "ingested" in cb.index_status(5, ingesting=True)
    import inspect

    assert "data_dir" not in inspect.signature(cb.index_status).parameters


# ------------------------------------------------------------------ citation links

def test_citations_are_links_to_their_excerpt_when_the_answer_is_numbered():
    md = cb.format_answer_markdown(ANSWERED, "zh", ref=3)
    assert f"1. [`{DOC}` · 第 {TOTAL_LINE} 行](#qa-cite-3-1): 「合计 22.35 22.35」" in md
    assert "(#qa-cite-3-2)" in md
    assert "#qa-cite-" not in cb.format_answer_markdown(ANSWERED, "zh")  # unnumbered: plain list
    assert cb.parse_cite_ref("3-2|1733000000000") == (3, 1)
    assert cb.parse_cite_ref("0-1") == (0, 0)
    for bad in (None, "", "3-0", "x-1", "3-1-2", "3"):
        assert cb.parse_cite_ref(bad) is None
    # a quote cannot break out of the link or forge one
    forged = Answer(status="answered", answer="a", citations=[Citation("x.txt", "](#qa-cite-9-9) [x", 2)])
    md = cb.format_answer_markdown(forged, "en", ref=0)
    assert "(#qa-cite-0-1)" in md and "(#qa-cite-9-9)" not in md and "\\]" in md


# ------------------------------------------------------------------ table grid

def _issue(table_no: str, line: int, stated: float | None, message: str = "does not add up"):
    from qa.types import IntegrityIssue

    return IntegrityIssue(doc=DOC, table_no=table_no, kind="code", message=message, line=line,
                          expected=0.0, stated=stated)


def test_table_grid_lays_facts_out_as_rows_by_columns_and_marks_failing_cells():
    facts = [
        _fact("3", "社会保障和就业支出", "合计", 30.0, 10, code="208"),
        _fact("3", "社会保障和就业支出", "基本支出", 30.0, 10, code="208"),
        _fact("3", "行政事业单位养老支出", "合计", 25.0, 11, code="20805"),
        _fact("3", "行政事业单位养老支出", "基本支出", 20.0, 11, code="20805"),
        _fact("3", "合计", "合计", 55.0, 12),
    ]
    table = {"no": "3", "title": "一般公共预算支出表", "columns": ["合计", "基本支出", "项目支出"],
             "unit": "万元", "department": "昌吉回族自治州住房公积金管理中心"}
    shown = cb.facts_of_table(facts, "3")
    issues = [_issue("3", 11, 20.0, "20805 基本支出 is 20.00 but its sub-items add up to 25.00"),
              _issue("9", 11, 20.0), _issue("", 11, 20.0)]  # other tables and prose: not this grid
    grid = cb.table_grid(table, shown, issues)
    assert grid.columns == ["合计", "基本支出"]  # declared order, only columns that have figures
    assert [(r.code, r.label) for r in grid.rows] == [("208", "社会保障和就业支出"), ("20805", "行政事业单位养老支出"),
                                                      ("", "合计")]
    assert [shown[k].column for k in grid.flagged] == ["基本支出"]  # the stated 20.00, not the 25.00 beside it
    html = cb.table_grid_html(table, shown, issues, None)
    assert "单位：万元" in html and "编制部门：昌吉回族自治州住房公积金管理中心" in html
    assert html.count("qa-cell-issue") == 1 and "sub-items add up" in html
    k = next(iter(grid.flagged))
    assert f'data-fact="3:{k}"' in html and cb.parse_grid_ref(f"3:{k}|123") == ("3", k)
    assert ">20.00<" in html and "<th>科目编码</th>" in html
    # an issue on a line that holds no figure is listed under the grid, not lost
    assert "on no cell" in cb.table_grid_html(table, shown, [_issue("3", 99, None, "on no cell")], None)
    # a label printed twice is two rows, not one overwritten cell
    twice = cb.table_grid(table, [_fact("3", "其他支出", "合计", 1.0, 5), _fact("3", "其他支出", "合计", 2.0, 6)])
    assert len(twice.rows) == 2
    assert "空表" in cb.table_grid_html({"no": "9", "title": "t", "empty": True}, [], [], None)
    assert "<script>" not in cb.table_grid_html({"no": "1", "title": "<script>"}, shown, [], None)


def test_table_grid_on_the_real_index_marks_the_cells_of_its_integrity_issues(index):
    doc = "002_8c5c6d2715ecedd6.txt"
    table = next(t for t in index.tables(doc) if t["no"] == "2")
    shown = cb.facts_of_table(index.facts(doc=doc), "2")
    issues = [i for i in index.issues(doc) if i.table_no == "2"]
    grid = cb.table_grid(table, shown, issues)
    assert issues and grid.flagged and not grid.unplaced
    by_line = {shown[k].line: shown[k] for k in grid.flagged}
    for issue in issues:  # every issue marks a cell on its line or a cell stating its figure
        assert issue.line in by_line or any(abs(f.value - issue.stated) < 0.005 for f in by_line.values())
    assert len(grid.rows) >= 10 and "总计" in grid.columns


# ------------------------------------------------------------------ upload progress

def test_ingest_progress_names_each_file_and_stage():
    view = {"phase": "ingesting", "files": [("a.txt", "done", "added"), ("b.pdf", "embedding", "12 chunks"),
                                            ("c.docx", "queued", "")]}
    md = cb.format_ingest_progress(view)
    assert "1 of 3 file(s) done" in md
    assert "| a.txt | ✓ done 完成 | added |" in md
    assert "| b.pdf | ⏳ embedding & storing 向量化并写入 | 12 chunks |" in md
    assert "keeps answering" in md
    assert "new index" in cb.format_ingest_progress({"phase": "loading", "files": []})
    assert "20 MB" in cb.too_large_message(25 * 1024 * 1024)


# ------------------------------------------------------------------ backend wrapper

def test_backend_answers_on_its_pool_and_turns_failures_into_refusals():
    from qa.web.ui import Backend

    threads = set()

    class Boom:
        index = None

        def ask(self, q):
            threads.add(threading.get_ident())
            raise RuntimeError("index missing at /srv/secret/.qa")

    backend = Backend("/srv/secret/.qa", opener=lambda d: Boom())
    answers = [backend.ask("q") for _ in range(3)]
    assert all(a.status == "not_found" and "index missing" in a.answer for a in answers)
    assert all("/srv/secret" not in a.answer for a in answers)  # the index location stays private
    assert threads and threading.get_ident() not in threads


class _Slow:
    """A fake assistant: answers with its generation and the question, slowly."""

    def __init__(self, gen: int, closed: list | None = None):
        self.gen = gen
        self.closed = closed if closed is not None else []
        self.index = self
        self.active = 0
        self.peak = 0
        self.lock = threading.Lock()

    def ask(self, q, conversation=None):
        import time

        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(0.05)
        with self.lock:
            self.active -= 1
        return Answer(status="answered", answer=f"gen{self.gen}:{q}")

    def close(self):
        self.closed.append(self.gen)


def test_backend_answers_questions_concurrently_without_mixing_them_up():
    from concurrent.futures import ThreadPoolExecutor

    from qa.web.backend import Backend

    fake = _Slow(1)
    backend = Backend(None, opener=lambda d: fake, workers=4)
    with ThreadPoolExecutor(8) as ex:
        got = list(ex.map(lambda i: backend.ask(f"q{i}").answer, range(16)))
    assert got == [f"gen1:q{i}" for i in range(16)]
    assert 2 <= fake.peak <= 4  # several at once, never more than the pool


def test_upload_is_ingested_in_the_background_and_swapped_in_when_done(tmp_path):
    from qa.ingest.pipeline import FileResult, IngestReport
    from qa.web.backend import Backend

    opened, closed = [], []

    def opener(d):
        opened.append(_Slow(len(opened) + 1, closed))
        return opened[-1]

    gate, stages = threading.Event(), []

    def ingest(path, index):
        index.content_hash(Path(path).name)  # the stage proxy reports what the pipeline reaches
        gate.wait(10)
        return IngestReport(results=[FileResult(Path(path).name, path, "added", facts=3)])

    good = tmp_path / "new.txt"
    good.write_text("表1 收入\n合计 1.00\n", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    from types import SimpleNamespace

    writer = SimpleNamespace(content_hash=lambda name: None)
    backend = Backend(None, opener=opener, ingest=ingest, writer=lambda: writer, max_upload_bytes=1000)
    assert backend.ask("q").answer == "gen1:q"
    job = backend.start_ingest([str(good), str(big), str(good)])
    deadline = threading.Event()
    for _ in range(200):
        view = job.view()
        stages.append(view["files"][0][1])
        if view["files"][0][1] == "parsing":
            break
        deadline.wait(0.02)
    assert "parsing" in stages and backend.current_job() is job
    assert backend.ask("during").answer == "gen1:during"  # the chat keeps answering meanwhile
    gate.set()
    assert job.done.wait(10)
    assert job.swapped and job.phase == "done"
    assert [o.status for o in job.outcomes] == ["added", "error", "error"]
    assert "limited to" in job.outcomes[1].error and "same file name" in job.outcomes[2].error
    assert backend.ask("after").answer == "gen2:after"
    assert closed == [1] and backend.current_job() is None  # the old index closed once idle


def test_background_ingest_on_a_real_index_reads_the_old_snapshot_until_the_swap(index_copy, corpus_dir, tmp_path):
    from qa.ingest.pipeline import ingest_paths
    from qa.web.backend import Backend

    gate, written = threading.Event(), threading.Event()

    def ingest(path, index):
        report = ingest_paths([path], index, progress=False)
        written.set()
        gate.wait(60)
        return report

    src = (corpus_dir / DOC).read_text(encoding="utf-8").split("\n")
    new = tmp_path / "new_copy.txt"
    new.write_text("\n".join(src[:300]), encoding="utf-8")  # a small document: quick to embed
    backend = Backend(index_copy, ingest=ingest)
    question = cb.EXAMPLE_QUESTIONS[0]
    before = backend.ask(question)
    assert before.status == "answered" and before.value == 22.35
    serving = backend._gen.assistant.index
    version = serving.sql.data_version()
    job = backend.start_ingest([str(new)])
    assert written.wait(240), job.view()
    # the new document is committed by the writer, but the serving index still reads the old snapshot
    assert serving.sql.data_version() == version and len(serving.documents()) == 5
    assert len(backend.documents_view()[1]) == 5
    during = backend.ask(question)
    assert during.to_dict() == before.to_dict()
    gate.set()
    assert job.done.wait(240) and job.swapped, job.view()
    assert "new_copy.txt" in backend.documents_view()[1]
    assert backend.ask(question).value == 22.35
    with pytest.raises(Exception):
        serving.sql.documents()  # retired and closed


# ------------------------------------------------------------------ on the real index

def test_real_index_documents_tables_and_quotes(index_dir):
    from qa.store.index import Index

    index = Index(index_dir)
    docs = index.documents()
    rows = cb.documents_rows(docs, {d.name: len(index.facts(doc=d.name)) for d in docs})
    assert len(rows) == 5
    assert all(r[1] and r[3] and r[5] > 0 for r in rows)  # department, kind, facts
    doc = next(d for d in docs if d.name == DOC)
    facts = index.facts(doc=DOC)
    choices = cb.table_choices(index.tables(DOC), facts)
    assert len(choices) >= 5
    lines = index.lines(DOC)
    # every fact's quote must be findable for the excerpt view (the quote contract)
    missing = [f for f in facts if cb.find_quote(lines, f.quote, f.line) is None]
    assert len(missing) <= len(facts) * 0.01, missing[:3]
    assert doc.department


def test_real_assistant_answer_renders_with_findable_citations(index_dir):
    from qa.assistant import Assistant

    assistant = Assistant.open(index_dir)
    answer = assistant.ask(cb.EXAMPLE_QUESTIONS[0])
    assert answer.status == "answered"
    md = cb.format_answer_markdown(answer, "zh")
    assert "22.35" in md and "1. `" in md
    for c in answer.citations:
        lines = assistant.index.lines(c.doc)
        html = cb.citation_excerpt_html(lines, c)
        assert "<mark>" in html and "qa-excerpt-note" not in html


def test_page_builds_with_the_parts_the_issue_asks_for():
    from qa.web.ui import CSS, Backend, build_demo, launch_kwargs

    demo = build_demo(Backend(None, opener=lambda d: None))
    ids = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert {"qa-chat", "qa-question", "qa-citations", "qa-excerpt", "qa-docs", "qa-doc-pick",
            "qa-table-pick", "qa-facts", "qa-files", "qa-ingest", "qa-grid", "qa-cite-ref", "qa-grid-ref",
            "qa-scope", "qa-conflicts", "qa-remove-pick", "qa-remove", "qa-up-department", "qa-up-year",
            "qa-up-kind"} <= ids
    # questions are bounded by the back end's pool, not the queue; /answer is served off the queue
    cfg = demo.get_config_file()
    deps = {d.get("api_name"): d for d in cfg["dependencies"]}
    assert deps["answer"]["queue"] is False
    asking = [f for f in demo.fns.values() if f.name in ("ask", "follow_up")]
    assert len(asking) >= 4 and all(f.concurrency_limit is None and f.concurrency_id == "qa-ask" for f in asking)
    kw = launch_kwargs("127.0.0.1", 7999, ("u", "p"))
    assert kw["auth"] == ("u", "p") and kw["css"] == CSS and kw["ssr_mode"] is False
    assert kw["max_file_size"] == cb.MAX_UPLOAD_BYTES and "#qa-cite-" in kw["js"] and kw["show_error"] is False
    assert ".qa-badge-refusal" in CSS and "mark" in CSS and ".qa-cell-issue" in CSS
    from qa.web.limits import QuestionBodyLimit

    assert [m.cls for m in kw["app_kwargs"]["middleware"]] == [QuestionBodyLimit]


# ------------------------------------------------------------------ charts, forms, limits

def test_figures_chart_scales_bars_marks_decreases_and_escapes_labels():
    from qa.types import Figure

    figs = [Figure("昌吉<b>中心</b>", 22.35, "万元"), Figure("安阳中心", 7.0, "万元"), Figure("减少", -11.0, "万元")]
    html = cb.figures_chart_html(figs, "zh")
    assert html.count('class="qa-chart-row"') == 3
    assert 'style="width:100.0%"' in html and 'style="width:31.3%"' in html and 'style="width:49.2%"' in html
    assert "qa-chart-neg" in html and html.count("qa-chart-neg") == 1
    assert "<b>" not in html and "&lt;b&gt;" in html and "22.35 万元" in html
    assert cb.figures_chart_html(figs[:1]) == "" and cb.figures_chart_html([]) == ""
    md = cb.format_answer_markdown(Answer(status="answered", answer="昌吉更多。", figures=figs[:2]), "zh")
    assert 'class="qa-chart"' in md
    assert 'class="qa-chart"' not in cb.format_answer_markdown(ANSWERED, "zh")


def test_upload_form_fields_become_overrides_or_a_clear_message():
    assert cb.upload_overrides("", "", "") == ({}, "")
    assert cb.upload_overrides(" 某某市财政局 ", "2024", "预算") == (
        {"department": "某某市财政局", "year": 2024, "kind": "预算"}, "")
    assert cb.upload_overrides("", "24", "")[1].startswith("Not a budget year")
    assert cb.upload_overrides("", "3024", "")[1]
    assert "预算, 决算 or 其他" in cb.upload_overrides("", "", "草案")[1]
    assert cb.upload_overrides("x" * 61, "", "")[1]


def test_a_long_question_is_refused_at_once_and_shown_cut():
    long = "三公经费" * 300_000
    refusal = cb.question_refusal(long)
    assert refusal.status == "not_found" and "2000" in refusal.answer and "1200000" in refusal.answer
    assert cb.question_refusal("三公经费是多少？") is None
    shown = cb.shown_question(long)
    assert len(shown) < 400 and "more characters" in shown and cb.shown_question("短问题") == "短问题"
    assert cb.shown_question("问" * 1500) == "问" * 1500  # a long but allowed question is shown whole
    assert "busy" in cb.busy_answer("How much?").answer and "正忙" in cb.busy_answer("多少？").answer


def test_conflicts_are_listed_with_their_differing_figures():
    from qa.tools.conflicts import Conflict, Difference

    c = Conflict("某局", 2024, "预算", "部门", ("a.txt", "b.txt"), 10, 1,
                 (Difference("三公经费", "预算数", (("a.txt", 22.35), ("b.txt", 23.35))),))
    md = cb.conflicts_markdown([c])
    assert "⚠" in md and "a.txt" in md and "23.35" in md and "qa remove" in md
    rows = cb.documents_rows([Document("a.txt", "某局", 2024, "预算", "万元", "h", title="某局2024年部门预算"),
                              Document("b.txt", "某局", 2024, "预算", "万元", "h2"),
                              Document("c.txt", "他局", 2024, "预算", "万元", "h3")], {}, {}, [c])
    assert [r[-1] for r in rows] == ["⚠ b.txt", "⚠ a.txt", ""]
    assert cb.conflicts_markdown([]) == ""
    done = [cb.FileOutcome("a.txt", "removed")]
    assert cb.changed(done) and "1 document(s) removed" in cb.format_ingest_report(done)


# ------------------------------------------------------------------ back end: memo, limits, scope

def test_backend_refuses_long_questions_and_beyond_its_queue_without_waiting():
    import asyncio
    import time

    from qa.web.backend import Backend

    gate = threading.Event()

    class Blocked:
        index = None
        asked: list = []

        def ask(self, q, conversation=None):
            self.asked.append(q)
            gate.wait(10)
            return Answer(status="answered", answer=q)

    fake = Blocked()
    backend = Backend(None, opener=lambda d: fake, workers=1, max_pending=2)
    t0 = time.monotonic()
    assert "2000" in backend.ask("x" * 1_000_000).answer and not fake.asked  # never reached the pool
    assert time.monotonic() - t0 < 1
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as ex:
        first = [ex.submit(backend.ask, f"q{i}") for i in range(2)]
        while backend._pending < 2:
            time.sleep(0.01)
        busy = asyncio.run(backend.ask_async("q3"))  # two already wait: refused at once
        assert busy.status == "not_found" and "busy" in busy.answer
        gate.set()
        assert sorted(f.result().answer for f in first) == ["q0", "q1"]
    assert asyncio.run(backend.ask_async("q4")).answer == "q4"


@pytest.fixture(scope="module")
def served(index_dir):
    """One Backend over the shared index for the tests below (opening one loads the model)."""
    from qa.web.backend import Backend

    return Backend(index_dir)


def test_memo_answers_a_repeated_question_without_working_it_out_and_never_shares_one(served, index_dir):
    import asyncio

    from qa.agent.followup import Conversation
    from qa.web.backend import Backend

    backend = served
    q = cb.EXAMPLE_QUESTIONS[0]
    first = backend.ask(q)
    memo = backend._gen.assistant.memo
    hits = memo.hits
    again = asyncio.run(backend.ask_async(q))  # from the memo, on the calling thread
    assert memo.hits == hits + 1 and again.to_dict() == first.to_dict() and again is not first
    again.answer = "changed"
    again.citations.clear()
    assert backend.ask(q).to_dict() == first.to_dict()  # the memo's copy is untouched
    # a conversation after a remembered answer still follows up on it
    conv = Conversation()
    assert backend.ask(q, conv).value == 22.35
    follow = backend.ask("公务接待呢？", conv)
    assert follow.value == 1.6 and follow.followup and "按上文" in follow.answer
    assert Backend(index_dir, memo=False, opener=lambda d: None).memo is False


def test_scope_restricts_the_documents_a_question_may_use(served):
    backend = served
    rows, names = backend.documents_view()
    both = "两个公积金中心三公经费各是多少？"
    full = backend.ask(both)
    assert full.status == "answered" and len(full.figures) == 2
    changji_only = [DOC]
    one = backend.ask(both, scope=changji_only)
    assert one.status == "answered" and {c.doc for c in one.citations} == {DOC} and "安阳" not in one.answer
    # a department outside the scope is never read as a similar one inside it
    anyang = backend.ask("安阳公积金中心三公经费是多少？", scope=changji_only)
    assert anyang.status == "not_found" and "所选范围" in anyang.answer and "安阳市住房公积金管理中心" in anyang.answer
    assert backend.ask("公积金中心三公经费是多少？", scope=changji_only).value == 22.35
    assert backend.ask("安阳公积金中心三公经费是多少？").status == "answered"
    gen = backend._gen
    assert gen.scoped(changji_only) is gen.scoped(changji_only)  # made once per scope
    assert gen.scoped(names) is gen.assistant and gen.scoped(["gone.txt"]) is gen.assistant
    # the scope's own Context links years among its documents, never the full one's records
    assert all(dd is not gen.assistant.ctx.docs[n] for n, dd in gen.scoped(changji_only).ctx.docs.items())


def test_compare_and_list_answers_carry_the_figures_they_compare(served):
    a = served._gen.assistant if served._gen is not None else served.open_assistant(served.data_dir)
    cmp = a.ask("昌吉州公积金中心和安阳公积金中心三公经费哪个多？")
    assert [(f.value, f.unit) for f in cmp.figures] == [(22.35, "万元"), (7.0, "万元")]
    assert "昌吉" in cmp.figures[0].label and "安阳" in cmp.figures[1].label
    listed = a.ask("昌吉州公积金中心有哪些项目？")
    assert {f.label for f in listed.figures} == {"住房公积金管理服务", "信息化建设"}
    assert a.ask(cb.EXAMPLE_QUESTIONS[0]).figures == []  # one figure: nothing to compare
    assert "figures" not in cmp.to_dict()  # not part of the --json contract


def test_question_routes_refuse_a_body_too_large_to_be_a_question_unread():
    import asyncio

    from qa.web.limits import TOO_LONG_MARK, QuestionBodyLimit, marked_length, too_long_js

    seen, sent = [], []

    async def app(scope, receive, send):
        seen.append(scope["path"])

    async def send(msg):
        sent.append(msg)

    async def receive():
        raise AssertionError("the body must not be read")

    guard = QuestionBodyLimit(app, limit=1000)

    def call(path, size, method="POST"):
        scope = {"type": "http", "method": method, "path": path, "headers": [(b"content-length", str(size).encode())]}
        asyncio.run(guard(scope, receive, send))

    call("/gradio_api/run/answer", 3_000_000)
    assert sent[0]["status"] == 413 and b"too long" in sent[1]["body"] and not seen
    call("/gradio_api/queue/join/", 5000)
    assert len(sent) == 4 and not seen
    call("/gradio_api/run/answer", 500)
    call("/gradio_api/upload", 3_000_000)  # uploads have their own cap
    call("/gradio_api/run/answer", 3_000_000, method="GET")
    assert seen == ["/gradio_api/run/answer", "/gradio_api/upload", "/gradio_api/run/answer"] and len(sent) == 4
    # the page sends the length of a paste too long to send; the server answers it as one
    assert marked_length(TOO_LONG_MARK + "1048576") == 1048576 and marked_length("1048576") is None
    refusal = cb.question_refusal(TOO_LONG_MARK + "1048576")
    assert refusal is not None and "1048576" in refusal.answer
    assert "1,048,576" in cb.shown_question(TOO_LONG_MARK + "1048576")
    assert "2000" in too_long_js(2000) and TOO_LONG_MARK in too_long_js(2000).encode().decode("unicode_escape")
