"""Uploads ingested in a separate, lower-priority process, so parsing and embedding never
hold the web server's GIL or outrank its answering threads for the CPU.

The server keeps one worker process (`IngestWorker`, a one-process pool started on the
first upload, spawned, not forked: the server has threads). The process lowers its own
priority (`os.nice`), loads the embedding engine once and writes through its own Index
(its own SQLite connection, WAL mode), while the server keeps answering from its read
snapshot. Stages (reading, parsing, embedding) come back on a queue as they are reached;
the per-file outcomes come back as the task's result. No gradio import.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue as queue_mod
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from qa.web import callbacks as cb

log = logging.getLogger(__name__)

# How much lower than the server the worker runs (0..19; 10 leaves the answering threads
# nearly all of a busy core; on a machine busy with other work an upload then takes longer).
NICE = int(os.environ.get("QA_INGEST_NICE", "10"))

_REPORTS: Any = None  # the worker's end of the stage queue (set by _init)
_EMBEDDINGS: Any = None  # one embedding engine per worker process


class StageIndex:
    """An Index seen through `ingest_paths`, reporting which stage a file has reached:
    the stored hash is looked up once the file is read, `add` embeds and stores.

    Args:
        index: the Index written to.
        report: called with (stage, note).
    """

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


# ------------------------------------------------------------------ in the worker process

def _init(reports: Any, nice: int, parent: int) -> None:
    global _REPORTS
    _REPORTS = reports
    try:
        os.nice(nice)
    except OSError:  # not allowed here: run at the same priority
        pass
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s ingest-worker %(name)s: %(message)s")


def _exit_with(parent: int) -> None:
    """End this process when the server that started it is gone (killed, not closed)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _writer(data_dir: str | None) -> Any:
    global _EMBEDDINGS
    from qa.config import load_settings
    from qa.embeddings import make_embeddings
    from qa.store.index import Index

    settings = load_settings(data_dir)
    if _EMBEDDINGS is None:
        _EMBEDDINGS = make_embeddings(settings.embeddings)
    return Index(settings.data_dir, embeddings=_EMBEDDINGS)


def ingest_task(job_id: int, files: list[tuple[int, str]], data_dir: str | None,
                overrides: dict[str, Any] | None) -> list[tuple[int, list[cb.FileOutcome]]]:
    """Ingest files one at a time (runs in the worker process).

    Args:
        job_id: the upload's number (tags the stage reports).
        files: (position in the upload, local path).
        data_dir: the index directory.
        overrides: department / year / kind for every file (None: read from the text).

    Returns:
        (position, outcomes) per file, in order.
    """
    from qa.ingest.pipeline import ingest_paths

    def report(i: int, stage: str, note: str) -> None:
        if _REPORTS is not None:
            _REPORTS.put((job_id, i, stage, note))

    index = _writer(data_dir)
    out: list[tuple[int, list[cb.FileOutcome]]] = []
    try:
        for i, path in files:
            report(i, "reading", "")
            staged = StageIndex(index, lambda st, note, i=i: report(i, st, note))
            out.append((i, cb.ingest_files(
                [path], lambda p: ingest_paths([p], staged, progress=False, overrides=overrides))))
    finally:
        index.close()
    return out


def remove_task(names: list[str], data_dir: str | None) -> list[str]:
    """Remove documents by name (runs in the worker process); returns those removed."""
    index = _writer(data_dir)
    try:
        have = {d.name for d in index.documents()}
        gone = [n for n in names if n in have]
        for n in gone:
            index.remove(n)
        if gone:
            index.collect_vectors()
        return gone
    finally:
        index.close()


# ------------------------------------------------------------------ in the server

class IngestWorker:
    """The server's handle on its ingest process.

    Args:
        nice: how much lower the worker's CPU priority is.
    """

    def __init__(self, nice: int = NICE) -> None:
        self.nice = nice
        self._ctx = multiprocessing.get_context("spawn")
        self._pool: ProcessPoolExecutor | None = None
        self._reports: Any = None

    def _ensure(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._reports = self._ctx.Queue()
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=self._ctx, initializer=_init,
                                             initargs=(self._reports, self.nice, os.getpid()))
        return self._pool

    def run(self, fn: Callable[..., Any], *args: Any,
            on_report: Callable[[tuple], None] | None = None) -> Any:
        """Run fn(*args) in the worker and return its result, passing stage reports to
        on_report while it runs (call from one thread at a time: the ingest thread)."""
        try:
            future: Future = self._ensure().submit(fn, *args)
        except BrokenProcessPool:
            self.close()
            future = self._ensure().submit(fn, *args)
        while True:
            try:
                msg = self._reports.get(timeout=0.2)
            except queue_mod.Empty:
                msg = None
            except (EOFError, OSError):
                msg = None
            if msg is not None and on_report is not None:
                on_report(msg)
            if msg is None and future.done():
                break
        try:
            return future.result()
        except BrokenProcessPool:
            self.close()  # the next upload starts a new worker
            raise RuntimeError("the ingest process stopped unexpectedly") from None

    def pid(self) -> int:
        """The worker process's id (starts it if needed)."""
        return int(self.run(os.getpid))

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
