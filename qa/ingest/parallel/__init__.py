"""Ingest with several parse worker processes.

Loading and parsing a file, and deriving the chunks' dense texts and BM25 tokens from the
parse (jieba), is CPU-bound pure Python, so it runs in worker processes (``ParsePool``); embedding stays in this process, where the model is loaded once and each
document's missing texts go to it in one batch, and so do the writes. Files are parsed
ahead, a few per worker, and stored one by one in file order: the index (ids, vectors,
order of rows) is the same as a one-process ingest's, on SQLite or PostgreSQL, and the
parse of the next files overlaps the embedding and storing of this one.

Workers are started by a fork server that has imported the parser and run it once on a few
lines (qa.ingest.parallel.warm), so no worker loads it again; no model, vector store or
database connection is ever inherited. A worker that dies (out of
memory, a crash in a native library) breaks the pool; the files not parsed yet are then
parsed in this process, so the run still completes.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from qa.ingest.pipeline import (FilePlan, FileResult, ParseOutcome, finish_unchanged, parse_file, plan_file,
                                store_parsed)

if TYPE_CHECKING:
    from qa.store.index import Index

log = logging.getLogger(__name__)

# What the fork server imports once, so each worker starts with the parser loaded and warm.
PRELOAD = ["qa.ingest.pipeline", "qa.ingest.parallel.warm"]
# Files parsed ahead per worker: enough to keep workers busy while one file is embedded (a
# document with many new texts embeds for seconds, and with only two ahead the workers sat idle
# through it, then kept the main process waiting on the next files), few enough that memory
# holds only a handful of parsed documents (a parse pickles to 150-350 KB here).
AHEAD_PER_WORKER = 6


class ParsePool:
    """Worker processes that run `parse_file`, results handed back in submission order.

    Args:
        workers: processes.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self.broken = False

    def __enter__(self) -> "ParsePool":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _submit(self, job: tuple[Path, dict]) -> Future | tuple[Path, dict]:
        if self.broken or self._pool is None:
            return job
        try:
            return self._pool.submit(parse_file, *job)
        except (BrokenProcessPool, RuntimeError):
            self._mark_broken()
            return job

    def _mark_broken(self) -> None:
        if not self.broken:
            log.warning("a parse worker died; parsing the remaining files in this process")
        self.broken = True

    def parse_in_order(self, jobs: Iterable[tuple[Path, dict]]) -> Iterator[ParseOutcome]:
        """Parse (path, overrides) jobs in the workers, yielding outcomes in job order. The
        first jobs are submitted at once, before the first outcome is asked for.

        Args:
            jobs: what to parse.
        """
        it = iter(jobs)
        pending: deque[tuple[tuple[Path, dict], Future | tuple[Path, dict]]] = deque()

        def top_up() -> None:
            while len(pending) < self.workers * AHEAD_PER_WORKER:
                job = next(it, None)
                if job is None:
                    return
                pending.append((job, self._submit(job)))

        top_up()
        return self._outcomes(pending, top_up)

    def _outcomes(self, pending: deque, top_up: Any) -> Iterator[ParseOutcome]:
        while pending:
            job, fut = pending.popleft()
            top_up()  # the workers go on with the next files while this one is stored
            if isinstance(fut, Future):
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    self._mark_broken()
                    outcome = parse_file(*job)
            else:
                outcome = parse_file(*job)
            yield outcome


def _ready_to_store(index: "Index") -> None:
    """Load the embedding model and open the vector store now, while the workers parse the
    first files, instead of after the first file is parsed (errors surface when storing)."""
    try:
        index.embeddings.embed_query("预热")
        index.vectors.count()
    except Exception:
        log.debug("could not prepare the model or the vector store ahead", exc_info=True)


def ingest_parallel(todo: list[Path | FileResult], index: "Index", overrides: dict, workers: int,
                    bar: Any = None) -> list[FileResult]:
    """Ingest files with `workers` parse processes; results in file order.

    Args:
        todo: files, or results already final (duplicate names), in order.
        index: the index to update (written from this process only).
        overrides: department / year / kind given for the run (already cleaned).
        workers: parse processes.
        bar: a tqdm bar to advance per file, or None.
    """
    plans: list[FilePlan | FileResult] = [item if isinstance(item, FileResult) else plan_file(item, index, overrides)
                                          for item in todo]
    jobs = [(p.path, p.overrides) for p in plans if isinstance(p, FilePlan) and p.action == "parse"]
    results: list[FileResult] = []
    with contextlib.ExitStack() as stack:
        if len(jobs) > 1:
            pool = stack.enter_context(ParsePool(min(workers, len(jobs))))
            outcomes, label = pool.parse_in_order(jobs), f"{pool.workers} workers"
            _ready_to_store(index)  # while the workers parse the first files
        else:  # nothing to overlap: no processes to start
            outcomes, label = (parse_file(*job) for job in jobs), "in process"
        parsed = 0
        for p in plans:
            if isinstance(p, FileResult):
                results.append(p)
            elif p.action == "done":
                results.append(p.result)
            elif p.action == "unchanged":
                results.append(finish_unchanged(p, index))
            else:
                outcome = next(outcomes)
                parsed += 1
                if bar is not None:
                    bar.set_postfix_str(f"parsed {parsed}/{len(jobs)} ({label}), storing "
                                        f"{p.path.name[-24:]}", refresh=True)
                results.append(store_parsed(p, outcome, index))
            if bar is not None:
                bar.update(1)
    return results
