"""The Gradio page: Chat, Documents and Upload tabs wired to `qa.web.callbacks`.

Back-end calls go through `qa.web.backend.Backend`: questions on a small thread pool over
one serving index, uploads ingested in a separate process and swapped in when done (its
module note says what holds a lock). The question handlers are coroutines that await the
pool, so a waiting question holds no thread; they are not limited by Gradio's queue
(`concurrency_limit=None`): the pool decides how many run at once and refuses beyond
`Backend.max_pending`. `/answer` is served off the queue (`/gradio_api/run/answer`, one
request per answer). Citation links in the chat and cells of the table grid are plain
HTML; `PAGE_JS` turns a click on them into a value in a hidden textbox, whose change event
shows the excerpt.
"""

from __future__ import annotations

import html as _html
import logging
import os
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from starlette.middleware import Middleware  # noqa: E402

from qa.agent.followup import Conversation  # noqa: E402
from qa.assistant import MAX_QUESTION_CHARS  # noqa: E402
from qa.types import Answer, Citation  # noqa: E402
from qa.web import callbacks as cb  # noqa: E402
from qa.web.backend import Backend  # noqa: E402,F401  (re-exported: app.py and tests use qa.web.ui.Backend)
from qa.web.limits import QuestionBodyLimit, too_long_js  # noqa: E402

log = logging.getLogger(__name__)

# Most ambiguous questions have two or three readings; more are listed in the message.
MAX_CANDIDATES = 6
# How often a running upload's progress is redrawn.
PROGRESS_EVERY_S = 0.5

CSS = """
.qa-badge {display:inline-block; padding:2px 10px; border-radius:10px; font-weight:600;}
.qa-badge-refusal {background:#fde2e1; color:#9b1c1c; border:1px solid #f5a3a0;}
.qa-badge-ambiguous {background:#e0ecff; color:#1e40af; border:1px solid #9dbcf5;}
.qa-badge-warning {background:#fff4d6; color:#8a5a00; border:1px solid #f0c766;}
#qa-chat blockquote {border-left:4px solid #f0b400; background:#fff8e1; padding:4px 8px; margin:6px 0;}
#qa-chat a[href^="#qa-cite-"] {cursor:pointer; text-decoration:underline dotted;}
.qa-excerpt {font-size:14px;}
.qa-excerpt-head {font-weight:600; margin-bottom:6px;}
.qa-excerpt-note {color:#9b1c1c; margin-bottom:4px;}
.qa-excerpt-quote {margin-top:6px; color:#444;}
.qa-lines {border-collapse:collapse; width:100%; font-family:ui-monospace, monospace;}
.qa-excerpt table.qa-lines, .qa-excerpt table.qa-lines tr, .qa-excerpt table.qa-lines td {border:none !important;}
.qa-lines td {padding:1px 6px !important; vertical-align:top; white-space:pre-wrap;}
.qa-lines td.qa-ln {color:#888; text-align:right; width:4em; user-select:none;}
.qa-lines tr.qa-hit td {background:#fffbe6;}
.qa-lines mark {background:#ffe066; color:#000; padding:0 1px;}
#qa-fact-col {position:sticky; top:8px; align-self:flex-start;}
.qa-grid-head {margin-bottom:4px;}
.qa-grid-legend, .qa-grid-note {color:#555; font-size:13px; margin:4px 0;}
.qa-grid-scroll {max-height:560px; overflow:auto; border:1px solid #ddd;}
table.qa-grid-table {border-collapse:collapse; font-size:13px; width:max-content; min-width:100%;}
table.qa-grid-table th {position:sticky; top:0; background:#f3f4f6; z-index:1;}
table.qa-grid-table th, table.qa-grid-table td {border:1px solid #e5e7eb !important; padding:2px 6px !important;}
table.qa-grid-table td.qa-cell {text-align:right; cursor:pointer; font-variant-numeric:tabular-nums;}
table.qa-grid-table td.qa-cell:hover {background:#eef4ff;}
table.qa-grid-table td.qa-cell-issue {background:#fde2e1; color:#9b1c1c; font-weight:600; outline:2px solid #f5a3a0;}
table.qa-grid-table td.qa-cell-picked {outline:2px solid #1e40af;}
.qa-grid-flag {color:#9b1c1c;}
.qa-chart {margin:6px 0 2px 0; max-width:560px;}
.qa-chart-row {display:flex; align-items:center; gap:6px; margin:2px 0; font-size:13px;}
.qa-chart-label {flex:0 0 38%; overflow:hidden; text-overflow:ellipsis; white-space:nowrap;}
.qa-chart-track {flex:1 1 auto; background:#f3f4f6; border-radius:3px; height:14px; position:relative;}
.qa-chart-bar {display:block; height:14px; border-radius:3px; background:#3b82f6;}
.qa-chart-bar.qa-chart-neg {background:#f59e0b;}
.qa-chart-value {flex:0 0 auto; min-width:6em; text-align:right; font-variant-numeric:tabular-nums;}
"""

# Clicks on citation links (chat) and grid cells (Documents) become a value in a hidden
# textbox; its change event shows the excerpt. A nonce makes a second click on the same
# link a change too. Runs once when the page loads.
PAGE_JS = """
() => {
  if (window.__qaWired) return;
  window.__qaWired = true;
  const send = (id, value) => {
    const el = document.querySelector('#' + id + ' textarea, #' + id + ' input');
    if (!el) return;
    el.value = value + '|' + Date.now();
    el.dispatchEvent(new Event('input', {bubbles: true}));
  };
  document.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    const a = t.closest('a[href^="#qa-cite-"]');
    if (a) {
      e.preventDefault();
      e.stopPropagation();
      send('qa-cite-ref', a.getAttribute('href').slice('#qa-cite-'.length));
      return;
    }
    const cell = t.closest('#qa-grid td[data-fact]');
    if (cell) {
      document.querySelectorAll('#qa-grid td.qa-cell-picked').forEach((c) => c.classList.remove('qa-cell-picked'));
      cell.classList.add('qa-cell-picked');
      send('qa-grid-ref', cell.getAttribute('data-fact'));
    }
  }, true);
}
"""


def theme() -> gr.themes.Base:
    """Default theme with system fonts only: the page must render offline, so no web fonts."""
    sans = ["system-ui", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "sans-serif"]
    return gr.themes.Default(font=sans, font_mono=["ui-monospace", "monospace"])


def _empty_excerpt(lang: str = "zh") -> str:
    text = "选择一条引用，查看原文上下文。" if lang == "zh" else "Select a citation to see the source lines."
    return f'<div class="qa-excerpt-empty">{text}</div>'


def build_demo(backend: Backend) -> gr.Blocks:
    """Build the page.

    Args:
        backend: the back end the callbacks call.

    Returns:
        The Blocks app (launch it with `launch_kwargs(...)`: theme, CSS, page script).
    """
    with gr.Blocks(title="预算问答 · Budget QA") as demo:
        gr.Markdown(
            "## 预算公开问答 · Budget disclosure Q&A\n"
            "Ask about the loaded 部门预算/决算 documents. Every number comes from a parsed table "
            "or sentence and is shown with its source lines."
        )
        history = gr.State([])
        citations = gr.State([])  # the latest answer's citations (the picker's)
        answers = gr.State([])  # every answer's citations, by answer number (the chat links')
        last_question = gr.State("")
        lang_state = gr.State("zh")
        # one conversation per browser session: follow-ups take over what they leave out
        conversation = gr.State(None)

        with gr.Tab("Chat 问答", id="chat"):
            status = gr.Markdown("", elem_id="qa-status")
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(elem_id="qa-chat", label="Chat", height=520, feedback_options=None,
                                         buttons=["copy"],
                                         placeholder="问一个关于已载入预算文档的问题，或点击下方示例。<br>"
                                                     "Ask about the loaded budget documents, or click an example below.")
                    with gr.Row(elem_id="qa-candidates"):
                        cand_buttons = [
                            gr.Button(visible=False, size="sm", variant="secondary", elem_classes=["qa-candidate"])
                            for _ in range(MAX_CANDIDATES)
                        ]
                    scope = gr.Dropdown(choices=[], value=[], multiselect=True, elem_id="qa-scope",
                                        label="Scope 范围 — answer only from these documents (empty: all) "
                                              "只用所选文档回答（不选 = 全部）")
                    with gr.Row():
                        question = gr.Textbox(
                            elem_id="qa-question", show_label=False, scale=5, lines=1,
                            placeholder="输入问题 / Ask a question, e.g. 昌吉州公积金中心2024年三公经费预算是多少？",
                        )
                        send = gr.Button("Ask 提问", variant="primary", scale=1, elem_id="qa-ask")
                    examples = gr.Examples(examples=[[q] for q in cb.EXAMPLE_QUESTIONS], inputs=[question],
                                           label="Examples 示例问题（点击即问）")
                with gr.Column(scale=2):
                    cite_pick = gr.Radio(choices=[], type="value", label="Citations 引用（点击查看原文）",
                                         elem_id="qa-citations", visible=False)
                    excerpt = gr.HTML(_empty_excerpt(), elem_id="qa-excerpt")
                    # set by PAGE_JS when a citation link in any answer is clicked
                    cite_ref = gr.Textbox(visible="hidden", elem_id="qa-cite-ref", show_label=False)

        with gr.Tab("Documents 文档", id="docs"):
            refresh = gr.Button("Refresh 刷新", size="sm")
            docs_table = gr.Dataframe(headers=cb.DOCUMENT_HEADERS, interactive=False, wrap=True,
                                      label="Loaded documents 已载入文档", elem_id="qa-docs")
            conflicts_md = gr.Markdown("", elem_id="qa-conflicts")
            with gr.Row():
                remove_pick = gr.Dropdown(choices=[], value=[], multiselect=True, scale=4, elem_id="qa-remove-pick",
                                          label="Remove documents 删除文档")
                remove_btn = gr.Button("Remove 删除", variant="stop", scale=1, elem_id="qa-remove")
            remove_out = gr.Markdown("", elem_id="qa-remove-report")
            with gr.Row():
                doc_pick = gr.Dropdown(choices=[], label="Document 文档", elem_id="qa-doc-pick")
                table_pick = gr.Dropdown(choices=[], label="Table 表格", elem_id="qa-table-pick")
            table_head = gr.Markdown("")
            with gr.Row():
                with gr.Column(scale=3):
                    grid = gr.HTML('<div class="qa-grid-empty">Pick a document and a table. 选择文档和表格。</div>',
                                   elem_id="qa-grid")
                    grid_ref = gr.Textbox(visible="hidden", elem_id="qa-grid-ref", show_label=False)
                    facts_table = gr.Dataframe(headers=cb.FACT_HEADERS, interactive=False, wrap=True,
                                               datatype=["str", "str", "str", "number", "str", "number"],
                                               label="Extracted facts 提取的数字（点击一行查看原文）",
                                               elem_id="qa-facts")
                with gr.Column(scale=2, elem_id="qa-fact-col"):
                    fact_excerpt = gr.HTML('<div class="qa-excerpt-empty">Click a number or a fact to see its '
                                           'source lines. 点击数字查看原文。</div>', elem_id="qa-fact-excerpt")
            issues_md = gr.Markdown("")

        with gr.Tab("Upload 上传", id="upload"):
            gr.Markdown(f"Add documents (.txt, .md, .pdf, .docx, .xlsx, .html), up to {cb.MAX_UPLOAD_MB} MB "
                        "each. A file that fails is reported and skipped; documents already loaded stay "
                        "as they are, and the chat keeps answering while an upload is ingested. "
                        f"单个文件不超过 {cb.MAX_UPLOAD_MB} MB。")
            files = gr.File(file_count="multiple", label="Files 文件", elem_id="qa-files")
            gr.Markdown("When a file does not say who published it, for which year, or whether it is a budget "
                        "or final accounts, say it here (applies to every file of this upload; leave blank to "
                        "read it from the text). 文件未写明的部门、年度、类型可在此填写（留空则从文本读取）。")
            with gr.Row():
                up_department = gr.Textbox(label="Department 编制部门", elem_id="qa-up-department",
                                           placeholder="e.g. 某某市财政局", scale=3)
                up_year = gr.Textbox(label="Year 年度", elem_id="qa-up-year", placeholder="2024", scale=1)
                up_kind = gr.Dropdown(choices=[("(from the text 从文本读取)", ""), ("预算 budget", "预算"),
                                               ("决算 final accounts", "决算"), ("其他 other", "其他")],
                                      value="", label="Kind 类型", elem_id="qa-up-kind", scale=1)
            ingest_btn = gr.Button("Ingest 导入", variant="primary", elem_id="qa-ingest")
            # A visible box even before the first upload, so the progress has room to show.
            ingest_out = gr.Markdown("Choose files, then press Ingest. 选择文件后点击导入。",
                                     elem_id="qa-ingest-report", min_height=120, container=True)

        # ------------------------------------------------------------ chat handlers
        n_out = 10 + len(cand_buttons)

        async def ask(q: str, hist: list[dict[str, str]], conv: Any = None, past: list | None = None,
                      in_scope: list[str] | None = None, lang: str | None = None) -> tuple[Any, ...]:
            q = (q or "").strip()
            if not q:
                return (gr.update(),) * n_out
            lang = lang or cb.language_of(q[:2000])
            conv = conv if conv is not None else Conversation()
            answer = await backend.ask_async(q, conv, scope=in_scope or None)
            cites = [c.to_dict() for c in answer.citations]
            past = list(past or []) + [cites]
            hist = list(hist) + [
                {"role": "user", "content": cb.md_escape(cb.shown_question(q))},
                {"role": "assistant", "content": cb.format_answer_markdown(answer, lang, ref=len(past) - 1)},
            ]
            choices = cb.citation_choices(answer.citations, lang)
            cite_update = gr.update(choices=choices, value=None, visible=bool(choices))
            cands = answer.candidates if answer.status == "ambiguous" else []
            btns = [
                gr.update(value=cands[i], visible=True) if i < len(cands) else gr.update(visible=False)
                for i in range(MAX_CANDIDATES)
            ]
            return ("", hist, hist, cites, past, cite_update, _empty_excerpt(lang), cb.shown_question(q),
                    lang, conv, *btns)

        inputs = [question, history, conversation, answers, scope]
        outputs = [question, chatbot, history, citations, answers, cite_pick, excerpt, last_question, lang_state,
                   conversation, *cand_buttons]
        # the back end's pool bounds how many questions run; the queue only delivers them
        ask_events = dict(concurrency_limit=None, concurrency_id="qa-ask")
        # a paste too long to be a question is not sent: the page sends its length instead
        too_long = too_long_js(MAX_QUESTION_CHARS)
        send.click(None, [question], [question], js=too_long, queue=False).then(ask, inputs, outputs, **ask_events)
        # One click on an example fills the box and asks it.
        examples.load_input_event.then(ask, inputs, outputs, **ask_events)
        question.submit(None, [question], [question], js=too_long, queue=False).then(ask, inputs, outputs, **ask_events)

        async def follow_up(candidate: str, q: str, hist: list[dict[str, str]], conv: Any, past: list,
                            in_scope: list[str] | None) -> tuple[Any, ...]:
            # The follow-up names a Chinese department; keep answering in the user's language.
            return await ask(cb.followup_question(q, candidate), hist, conv, past, in_scope, cb.language_of(q))

        for b in cand_buttons:
            b.click(follow_up, [b, last_question, history, conversation, answers, scope], outputs, **ask_events)

        def excerpt_of(c: Citation, number: int, lang: str, answer_no: int | None = None) -> str:
            try:
                lines = backend.lines(c.doc)
            except Exception:
                log.exception("lines(%s) failed", c.doc)
                return f'<div class="qa-excerpt-note">Cannot read {_html.escape(c.doc)}.</div>'
            html = cb.citation_excerpt_html(lines, c, number=number, lang=lang)
            if answer_no is not None:
                label = f"回答 {answer_no}" if lang == "zh" else f"answer {answer_no}"
                html = html.replace('<div class="qa-excerpt-head">',
                                    f'<div class="qa-excerpt-head"><span class="qa-excerpt-answer">{label} · </span>', 1)
            return html

        def show_citation(idx: int | None, cites: list[dict[str, Any]], lang: str) -> str:
            if idx is None or not cites or not (0 <= int(idx) < len(cites)):
                return _empty_excerpt(lang)
            return excerpt_of(Citation(**cites[int(idx)]), int(idx) + 1, lang)

        def show_linked(ref: str, past: list[list[dict[str, Any]]], lang: str) -> Any:
            # a citation link of any answer in the chat, the latest or an earlier one
            got = cb.parse_cite_ref(ref)
            if got is None:
                return gr.update()
            n, i = got
            if not past or not (0 <= n < len(past)) or not (0 <= i < len(past[n])):
                return _empty_excerpt(lang)
            return excerpt_of(Citation(**past[n][i]), i + 1, lang, answer_no=n + 1)

        def clear_chat() -> tuple[Any, ...]:
            return [], [], [], gr.update(choices=[], value=None, visible=False), _empty_excerpt(), None, *(
                gr.update(visible=False) for _ in cand_buttons)

        chatbot.clear(clear_chat, None, [history, citations, answers, cite_pick, excerpt, conversation, *cand_buttons])
        cite_pick.change(show_citation, [cite_pick, citations, lang_state], [excerpt])
        cite_ref.change(show_linked, [cite_ref, answers, lang_state], [excerpt], show_progress="hidden")

        # ------------------------------------------------------------ answer API (scripts, the load test)
        async def answer_api(question: str) -> dict:
            """Answer one stand-alone question; returns the `qa ask --json` object."""
            return (await backend.ask_async(question)).to_dict()

        # off the queue: POST /gradio_api/run/answer answers in one request (the queue's
        # /call and /queue/join routes work too); the pool bounds the work either way
        gr.api(answer_api, api_name="answer", queue=False, concurrency_limit=None)

        # ------------------------------------------------------------ documents handlers
        def load_docs(in_scope: list[str] | None = None) -> tuple[Any, ...]:
            try:
                rows, names = backend.documents_view()
                conflicts = backend.conflicts() if hasattr(backend, "conflicts") else []
            except Exception:
                log.exception("listing documents failed")
                rows, names, conflicts = [], [], []
            busy = backend.current_job() is not None if hasattr(backend, "current_job") else False
            kept = [n for n in (in_scope or []) if n in names]
            return (rows, gr.update(choices=names, value=None), cb.index_status(len(names), ingesting=busy),
                    gr.update(choices=names, value=kept), gr.update(choices=names, value=[]),
                    cb.conflicts_markdown(conflicts))

        docs_out = [docs_table, doc_pick, status, scope, remove_pick, conflicts_md]

        def pick_doc(doc: str | None) -> tuple[Any, ...]:
            if not doc:
                return gr.update(choices=[], value=None), "", [], "", _no_grid()
            tables, facts, _ = backend.tables_of(doc)
            choices = cb.table_choices(tables, facts)
            issues = backend.issues_of(doc)
            first = choices[0][1] if choices else None
            head, rows, grid_html = pick_table(doc, first)
            return gr.update(choices=choices, value=first), head, rows, cb.issues_markdown(issues), grid_html

        def pick_table(doc: str | None, no: str | None) -> tuple[str, list[list[Any]], str]:
            if not doc or no is None:
                return "", [], _no_grid()
            tables, facts, document = backend.tables_of(doc)
            shown = cb.facts_of_table(facts, no)
            rows = cb.table_fact_rows(shown)
            if no == cb.PROSE_TABLE:
                return cb.table_heading(None, document), rows, cb.table_grid_html(None, shown)
            table = next((t for t in tables if str(t.get("no")) == str(no)), {"no": no})
            grid_html = cb.table_grid_html(table, shown, backend.issues_of(doc), document)
            return "", rows, grid_html  # the grid carries the heading (title, unit, 编制部门, lines)

        def show_fact(doc: str | None, no: str | None, evt: gr.SelectData) -> Any:
            # Auditing: a fact row opens the source lines it was read from.
            if not doc or no is None or not evt.index:
                return gr.update()
            row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            _, facts, _ = backend.tables_of(doc)
            fact = cb.pick_fact(cb.facts_of_table(facts, no), getattr(evt, "row_value", None), row)
            if fact is None:
                return gr.update()
            return cb.citation_excerpt_html(backend.lines(doc), Citation.of(fact))

        def show_cell(ref: str, doc: str | None) -> Any:
            # a grid cell: the same source-lines view as a fact row
            got = cb.parse_grid_ref(ref)
            if not doc or got is None:
                return gr.update()
            no, k = got
            _, facts, _ = backend.tables_of(doc)
            shown = cb.facts_of_table(facts, no)
            if not (0 <= k < len(shown)):
                return gr.update()
            return cb.citation_excerpt_html(backend.lines(doc), Citation.of(shown[k]))

        refresh.click(load_docs, [scope], docs_out)
        doc_pick.input(pick_doc, [doc_pick], [table_pick, table_head, facts_table, issues_md, grid])
        table_pick.input(pick_table, [doc_pick, table_pick], [table_head, facts_table, grid])
        facts_table.select(show_fact, [doc_pick, table_pick], [fact_excerpt])
        grid_ref.change(show_cell, [grid_ref, doc_pick], [fact_excerpt], show_progress="hidden")

        # ------------------------------------------------------------ upload handler
        n_docs_out = len(docs_out)

        def follow(job: Any, in_scope: list[str] | None = None) -> Any:
            # Shows a running upload's progress, then its report. The upload itself runs in
            # the back end's ingest process: closing the page does not stop it.
            while not job.done.wait(PROGRESS_EVERY_S):
                yield (cb.format_ingest_progress(job.view()), *(gr.update(),) * n_docs_out)
            report = cb.format_ingest_report(job.outcomes)
            if job.error:
                report = f"**The upload failed: {cb.md_escape(job.error)}**\n\n" + report
            elif job.swapped:
                report += "\n\nThe chat now answers from the updated documents. 问答已使用更新后的文档。"
            if getattr(job, "conflicts", None):
                report += "\n\n" + cb.conflicts_markdown(job.conflicts)
            yield (report, *load_docs(in_scope))

        def ingest(paths: list[str] | None, department: str, year: str, kind: str, in_scope: list[str]) -> Any:
            paths = [str(p) for p in (paths or [])]
            if not paths:
                yield ("Choose one or more files first.", *(gr.update(),) * n_docs_out)
                return
            overrides, problem = cb.upload_overrides(department, year, kind)
            if problem:
                yield (problem, *(gr.update(),) * n_docs_out)
                return
            job = backend.start_ingest(paths, overrides)
            yield (cb.format_ingest_progress(job.view()), *(gr.update(),) * n_docs_out)
            yield from follow(job, in_scope)

        def remove(names: list[str] | None, in_scope: list[str]) -> Any:
            names = [n for n in (names or []) if n]
            if not names:
                yield ("Pick the documents to remove first. 请先选择要删除的文档。", *(gr.update(),) * n_docs_out)
                return
            job = backend.start_remove(names)
            yield (cb.format_ingest_progress(job.view()), *(gr.update(),) * n_docs_out)
            yield from follow(job, in_scope)

        def follow_on_load() -> Any:
            # a page opened (or reloaded) while an upload runs follows it too
            job = backend.current_job() if hasattr(backend, "current_job") else None
            if job is None:
                yield (gr.update(), *(gr.update(),) * n_docs_out)
                return
            yield from follow(job)

        upload_out = [ingest_out, *docs_out]
        ingest_btn.click(ingest, [files, up_department, up_year, up_kind, scope], upload_out, show_progress="hidden")
        remove_btn.click(remove, [remove_pick, scope], [remove_out, *docs_out], show_progress="hidden",
                         js="(names, scope) => (names && names.length && confirm('Remove ' + names.join(', ') + '? 确定删除？')) ? [names, scope] : [[], scope]")
        demo.load(load_docs, None, docs_out)
        demo.load(follow_on_load, None, upload_out, show_progress="hidden")
    return demo


def _no_grid() -> str:
    return '<div class="qa-grid-empty">Pick a document and a table. 选择文档和表格。</div>'


def launch_kwargs(host: str, port: int, auth: Any) -> dict[str, Any]:
    """Arguments for `Blocks.launch` (theme, CSS and the page script moved there in Gradio 6).

    Args:
        host: interface to bind.
        port: TCP port.
        auth: None or (user, password); when given it is enforced on every interface.
    """
    return dict(
        server_name=host,
        server_port=port,
        auth=auth,
        css=CSS,
        js=PAGE_JS,
        theme=theme(),
        ssr_mode=False,  # server-side rendering needs Node; plain client rendering is enough
        show_error=False,  # exceptions stay in the server log; the page shows its own messages
        share=False,
        footer_links=[],
        max_file_size=cb.MAX_UPLOAD_BYTES,
        # a question request declaring a body too large to be one is answered 413 unread
        app_kwargs={"middleware": [Middleware(QuestionBodyLimit)]},
    )
