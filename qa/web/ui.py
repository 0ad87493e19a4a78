"""The Gradio page: Chat, Documents and Upload tabs wired to `qa.web.callbacks`.

All calls into the back end (Assistant, Index, ingest) run on ONE dedicated worker
thread: the store keeps SQLite connections and a Chroma client that are not meant to
hop between Gradio's handler threads, and one thread also serialises ingest against
questions so a half-ingested index is never read.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from qa.agent.followup import Conversation  # noqa: E402
from qa.types import Answer, Citation  # noqa: E402
from qa.web import callbacks as cb  # noqa: E402

log = logging.getLogger(__name__)

T = TypeVar("T")

# Most ambiguous questions have two or three readings; more are listed in the message.
MAX_CANDIDATES = 6

CSS = """
.qa-badge {display:inline-block; padding:2px 10px; border-radius:10px; font-weight:600;}
.qa-badge-refusal {background:#fde2e1; color:#9b1c1c; border:1px solid #f5a3a0;}
.qa-badge-ambiguous {background:#e0ecff; color:#1e40af; border:1px solid #9dbcf5;}
.qa-badge-warning {background:#fff4d6; color:#8a5a00; border:1px solid #f0c766;}
#qa-chat blockquote {border-left:4px solid #f0b400; background:#fff8e1; padding:4px 8px; margin:6px 0;}
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
"""


def theme() -> gr.themes.Base:
    """Default theme with system fonts only: the page must render offline, so no web fonts."""
    sans = ["system-ui", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "sans-serif"]
    return gr.themes.Default(font=sans, font_mono=["ui-monospace", "monospace"])


class Backend:
    """Owns the Assistant and runs every back-end call on one worker thread.

    Args:
        data_dir: index directory (None: from QA_DATA_DIR / default).
        opener: builds the assistant (defaults to `qa.assistant.Assistant.open`).
        ingest: ingests one path into an index (defaults to `ingest_paths([path], index)`).
    """

    def __init__(
        self,
        data_dir: str | os.PathLike | None = None,
        opener: Callable[[Any], Any] | None = None,
        ingest: Callable[[str, Any], Any] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self._opener = opener
        self._ingest = ingest
        self._assistant: Any = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-backend")
        self._lock = threading.Lock()

    def run(self, fn: Callable[[], T]) -> T:
        """Run fn on the back-end thread and return its result (exceptions propagate)."""
        return self._pool.submit(fn).result()

    def _open(self) -> Any:
        if self._assistant is None:
            opener = self._opener
            if opener is None:
                from qa.assistant import Assistant

                opener = Assistant.open
            self._assistant = opener(self.data_dir)
        return self._assistant

    def warm(self) -> None:
        """Open the assistant in the background so the first question is quick."""
        def _warm() -> None:
            try:
                self._open()
            except Exception:
                log.exception("could not open the assistant")

        self._pool.submit(_warm)

    def ask(self, question: str, conversation: Any = None) -> Answer:
        """Answer a question (a follow-up of the conversation's turns when one is given);
        back-end failures become a not_found answer naming the error."""
        try:
            if conversation is None:
                return self.run(lambda: self._open().ask(question))
            return self.run(lambda: self._open().ask(question, conversation))
        except Exception as exc:
            log.exception("ask failed")
            return Answer(status="not_found", answer=f"The assistant failed: {type(exc).__name__}: {exc}")

    def lines(self, doc: str) -> list[str]:
        return self.run(lambda: list(self._open().index.lines(doc)))

    def documents_view(self) -> tuple[list[list[Any]], list[str]]:
        """Rows of the documents table and the document names."""
        def _view() -> tuple[list[list[Any]], list[str]]:
            index = self._open().index
            docs = index.documents()
            facts = {d.name: len(index.facts(doc=d.name)) for d in docs}
            tables = {d.name: len(index.tables(d.name)) for d in docs}
            return cb.documents_rows(docs, facts, tables), sorted(d.name for d in docs)

        return self.run(_view)

    def tables_of(self, doc: str) -> tuple[list[dict[str, Any]], list[Any], Any]:
        """A document's table dicts, all its facts and its Document record."""
        def _get() -> tuple[list[dict[str, Any]], list[Any], Any]:
            index = self._open().index
            return list(index.tables(doc)), list(index.facts(doc=doc)), index.document(doc)

        return self.run(_get)

    def issues_of(self, doc: str) -> list[Any]:
        return self.run(lambda: list(self._open().index.issues(doc)))

    def ingest_one(self, path: str) -> Any:
        """Ingest one file into the assistant's index (on the back-end thread)."""
        def _do() -> Any:
            assistant = self._open()
            if self._ingest is not None:
                return self._ingest(path, assistant.index)
            from qa.ingest.pipeline import ingest_paths

            return ingest_paths([path], assistant.index, progress=False)

        return self.run(_do)

    def reload(self) -> None:
        """Reopen the assistant so its department aliases and caches see new documents."""
        def _reload() -> None:
            if self._assistant is not None and hasattr(self._assistant, "reload"):
                self._assistant.reload()
            else:
                self._assistant = None
                self._open()

        self.run(_reload)


def _empty_excerpt(lang: str = "zh") -> str:
    text = "选择一条引用，查看原文上下文。" if lang == "zh" else "Select a citation to see the source lines."
    return f'<div class="qa-excerpt-empty">{text}</div>'


def build_demo(backend: Backend) -> gr.Blocks:
    """Build the page.

    Args:
        backend: the back end the callbacks call.

    Returns:
        The Blocks app (launch it with `css=CSS, theme=theme()`).
    """
    with gr.Blocks(title="预算问答 · Budget QA") as demo:
        gr.Markdown(
            "## 预算公开问答 · Budget disclosure Q&A\n"
            "Ask about the loaded 部门预算/决算 documents. Every number comes from a parsed table "
            "or sentence and is shown with its source lines."
        )
        history = gr.State([])
        citations = gr.State([])
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

        with gr.Tab("Documents 文档", id="docs"):
            refresh = gr.Button("Refresh 刷新", size="sm")
            docs_table = gr.Dataframe(headers=cb.DOCUMENT_HEADERS, interactive=False, wrap=True,
                                      label="Loaded documents 已载入文档", elem_id="qa-docs")
            with gr.Row():
                doc_pick = gr.Dropdown(choices=[], label="Document 文档", elem_id="qa-doc-pick")
                table_pick = gr.Dropdown(choices=[], label="Table 表格", elem_id="qa-table-pick")
            table_head = gr.Markdown("")
            with gr.Row():
                with gr.Column(scale=3):
                    facts_table = gr.Dataframe(headers=cb.FACT_HEADERS, interactive=False, wrap=True,
                                               datatype=["str", "str", "str", "number", "str", "number"],
                                               label="Extracted facts 提取的数字（点击一行查看原文）",
                                               elem_id="qa-facts")
                with gr.Column(scale=2):
                    fact_excerpt = gr.HTML('<div class="qa-excerpt-empty">Click a fact to see its source lines. '
                                           '点击一行查看原文。</div>', elem_id="qa-fact-excerpt")
            issues_md = gr.Markdown("")

        with gr.Tab("Upload 上传", id="upload"):
            gr.Markdown("Add documents (.txt, .md, .pdf, .docx, .xlsx, .html). A file that fails is "
                        "reported and skipped; documents already loaded stay as they are.")
            files = gr.File(file_count="multiple", label="Files 文件", elem_id="qa-files")
            ingest_btn = gr.Button("Ingest 导入", variant="primary", elem_id="qa-ingest")
            # A visible box even before the first upload, so the progress bar has room to show.
            ingest_out = gr.Markdown("Choose files, then press Ingest. 选择文件后点击导入。",
                                     elem_id="qa-ingest-report", min_height=120, container=True)

        # ------------------------------------------------------------ chat handlers
        def ask(q: str, hist: list[dict[str, str]], conv: Any = None, lang: str | None = None) -> tuple[Any, ...]:
            q = (q or "").strip()
            if not q:
                return (gr.update(),) * (9 + len(cand_buttons))
            lang = lang or cb.language_of(q)
            conv = conv if conv is not None else Conversation()
            answer = backend.ask(q, conv)
            hist = list(hist) + [
                {"role": "user", "content": cb.md_escape(q)},
                {"role": "assistant", "content": cb.format_answer_markdown(answer, lang)},
            ]
            choices = cb.citation_choices(answer.citations, lang)
            cite_update = gr.update(choices=choices, value=None, visible=bool(choices))
            cands = answer.candidates if answer.status == "ambiguous" else []
            btns = [
                gr.update(value=cands[i], visible=True) if i < len(cands) else gr.update(visible=False)
                for i in range(MAX_CANDIDATES)
            ]
            return ("", hist, hist, [c.to_dict() for c in answer.citations], cite_update,
                    _empty_excerpt(lang), q, lang, conv, *btns)

        outputs = [question, chatbot, history, citations, cite_pick, excerpt, last_question, lang_state,
                   conversation, *cand_buttons]
        send.click(ask, [question, history, conversation], outputs)
        # One click on an example fills the box and asks it.
        examples.load_input_event.then(ask, [question, history, conversation], outputs)
        question.submit(ask, [question, history, conversation], outputs)

        def follow_up(candidate: str, q: str, hist: list[dict[str, str]], conv: Any) -> tuple[Any, ...]:
            # The follow-up names a Chinese department; keep answering in the user's language.
            return ask(cb.followup_question(q, candidate), hist, conv, cb.language_of(q))

        for b in cand_buttons:
            b.click(follow_up, [b, last_question, history, conversation], outputs)

        def show_citation(idx: int | None, cites: list[dict[str, Any]], lang: str) -> str:
            if idx is None or not cites or not (0 <= int(idx) < len(cites)):
                return _empty_excerpt(lang)
            c = Citation(**cites[int(idx)])
            try:
                lines = backend.lines(c.doc)
            except Exception as exc:
                log.exception("lines(%s) failed", c.doc)
                return f'<div class="qa-excerpt-note">Cannot read {c.doc}: {exc}</div>'
            return cb.citation_excerpt_html(lines, c, number=int(idx) + 1, lang=lang)

        def clear_chat() -> tuple[Any, ...]:
            return [], [], gr.update(choices=[], value=None, visible=False), _empty_excerpt(), None, *(
                gr.update(visible=False) for _ in cand_buttons)

        chatbot.clear(clear_chat, None, [history, citations, cite_pick, excerpt, conversation, *cand_buttons])
        cite_pick.change(show_citation, [cite_pick, citations, lang_state], [excerpt])

        # ------------------------------------------------------------ documents handlers
        def load_docs() -> tuple[Any, Any, str]:
            try:
                rows, names = backend.documents_view()
            except Exception:
                log.exception("listing documents failed")
                rows, names = [], []
            return rows, gr.update(choices=names, value=None), cb.index_status(len(names), str(backend.data_dir or ""))

        def pick_doc(doc: str | None) -> tuple[Any, Any, Any, Any]:
            if not doc:
                return gr.update(choices=[], value=None), "", [], ""
            tables, facts, _ = backend.tables_of(doc)
            choices = cb.table_choices(tables, facts)
            issues = backend.issues_of(doc)
            first = choices[0][1] if choices else None
            head, rows = pick_table(doc, first)
            return gr.update(choices=choices, value=first), head, rows, cb.issues_markdown(issues)

        def pick_table(doc: str | None, no: str | None) -> tuple[str, list[list[Any]]]:
            if not doc or no is None:
                return "", []
            tables, facts, document = backend.tables_of(doc)
            rows = cb.table_fact_rows(cb.facts_of_table(facts, no))
            if no == cb.PROSE_TABLE:
                return cb.table_heading(None, document), rows
            table = next((t for t in tables if str(t.get("no")) == str(no)), {"no": no})
            return cb.table_heading(table, document), rows

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

        refresh.click(load_docs, None, [docs_table, doc_pick, status])
        doc_pick.input(pick_doc, [doc_pick], [table_pick, table_head, facts_table, issues_md])
        table_pick.input(pick_table, [doc_pick, table_pick], [table_head, facts_table])
        facts_table.select(show_fact, [doc_pick, table_pick], [fact_excerpt])
        demo.load(load_docs, None, [docs_table, doc_pick, status])

        # ------------------------------------------------------------ upload handler
        def ingest(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
            paths = [str(p) for p in (paths or [])]
            if not paths:
                return "Choose one or more files first.", gr.update(), gr.update(), gr.update()

            def tick(i: int, n: int, name: str) -> None:
                progress((i, n), desc=f"Ingesting {name}" if name else "Done", unit="files")

            outcomes = cb.ingest_files(paths, backend.ingest_one, tick)
            if cb.changed(outcomes):
                try:
                    backend.reload()
                except Exception:
                    log.exception("reloading the assistant failed")
            return (cb.format_ingest_report(outcomes), *load_docs())

        ingest_btn.click(ingest, [files], [ingest_out, docs_table, doc_pick, status], show_progress="full")
    return demo


def launch_kwargs(host: str, port: int, auth: Any) -> dict[str, Any]:
    """Arguments for `Blocks.launch` (theme and CSS moved there in Gradio 6).

    Args:
        host: interface to bind.
        port: TCP port.
        auth: None or (user, password).
    """
    return dict(
        server_name=host,
        server_port=port,
        auth=auth,
        css=CSS,
        theme=theme(),
        ssr_mode=False,  # server-side rendering needs Node; plain client rendering is enough
        show_error=True,
        share=False,
        footer_links=[],
    )

