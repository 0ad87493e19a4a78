"""Files in, index updated: the ingest pipeline behind `qa ingest`.

For each file: hash its bytes and skip it when the stored hash is the same (before any parser,
model or vector store is imported, so a no-op ingest is fast); otherwise load it through the
loader registry, parse it with `parse_document`, and hand it to `Index.add`, which embeds the
missing vectors and replaces the document's rows in one transaction. A bad file is reported
with a one-line error naming it and skipped; the others are still ingested.

Loading and parsing touch no index (``parse_file``), so with many files to parse they run in
worker processes (QA_INGEST_WORKERS, one per processor by default) while this process embeds
and stores each parsed document in file order.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from qa.ingest.loaders import LoadError, file_hash, supported_suffixes

if TYPE_CHECKING:
    from qa.ingest.loaders import LoadedText
    from qa.store.index import Index
    from qa.types import ParsedDocument

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    """Outcome for one file.

    Attributes:
        name: document name (file name).
        path: the path given or found.
        status: "added", "updated", "unchanged" or "error".
        error: one-line message when status is "error".
        notes: remarks (e.g. the encoding used).
        department, year, kind: document metadata.
        confidence: how sure the reading of department, year and kind is (0..1).
        chunks, tables, facts, warnings: counts (warnings = integrity issues).
        embedded_chars: characters sent to the embedding model for this file.
        seconds_embedding: time spent in the embedding model for this file.
        seconds_parse_cpu: processor time loading and parsing the file took.
        seconds: wall time for this file.
    """

    name: str
    path: str
    status: str
    error: str = ""
    notes: list[str] = field(default_factory=list)
    department: str = ""
    year: int | None = None
    kind: str = ""
    confidence: float | None = None
    chunks: int = 0
    tables: int = 0
    facts: int = 0
    warnings: int = 0
    embedded_chars: int = 0
    seconds_embedding: float = 0.0
    seconds_parse_cpu: float = 0.0
    seconds: float = 0.0


@dataclass
class IngestReport:
    """Outcome of one ingest run."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    parse_workers: int = 1  # processes that parsed (1: this one)

    @property
    def errors(self) -> list[FileResult]:
        """Results of the files that failed."""
        return [r for r in self.results if r.status == "error"]

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.errors

    @property
    def embedded_chars(self) -> int:
        """Characters sent to the embedding model in this run."""
        return sum(r.embedded_chars for r in self.results)

    @property
    def seconds_embedding(self) -> float:
        """Time spent in the embedding model in this run."""
        return sum(r.seconds_embedding for r in self.results)

    @property
    def seconds_parse_cpu(self) -> float:
        """Processor time loading and parsing took in this run (in whichever process)."""
        return sum(r.seconds_parse_cpu for r in self.results)

    def count(self, status: str) -> int:
        """How many files ended with a status.

        Args:
            status: "added", "updated", "unchanged" or "error".
        """
        return sum(1 for r in self.results if r.status == status)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """Turn the paths given into files to ingest.

    Folders are walked recursively for supported suffixes (hidden entries skipped); a path
    that does not exist becomes an error result.

    Args:
        paths: files or folders.

    Returns:
        (files in a stable order, error results).
    """
    files: list[Path] = []
    errors: list[FileResult] = []
    suffixes: set[str] | None = None
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if suffixes is None:
                suffixes = supported_suffixes()
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in suffixes
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found:
                errors.append(FileResult(p.name or str(p), str(p), "error",
                                         f"{p}: no supported files in folder"))
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            errors.append(FileResult(p.name, str(p), "error", f"{p}: no such file or directory"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, errors


def _with_locations(parsed: "ParsedDocument", loaded: "LoadedText") -> "ParsedDocument":
    """Give facts the page / cell of their line when the loader knows them."""
    if not loaded.pages and not loaded.locations:
        return parsed

    def at(seq: list | None, line: int):
        return seq[line - 1] if seq and 0 < line <= len(seq) else None

    facts = []
    for f in parsed.facts:
        changes = {}
        if f.page is None and at(loaded.pages, f.line) is not None:
            changes["page"] = at(loaded.pages, f.line)
        if f.cell is None and at(loaded.locations, f.line) is not None:
            changes["cell"] = at(loaded.locations, f.line)
        facts.append(dataclasses.replace(f, **changes) if changes else f)
    parsed.facts = facts
    return parsed


def parse_loaded(loaded: "LoadedText", overrides: dict | None = None) -> "ParsedDocument":
    """Parse loaded text with `parse_document`, through the layout preparation when present.

    qa.ingest.layout (pipe tables, page furniture, spam, 繁體) prepares the text for the
    parser and maps line numbers and quotes back to the original; without it the text goes
    to parse_document as loaded.

    Args:
        loaded: the loader's output.
        overrides: department / year / kind the user gave, used instead of what the text says.
    """
    try:
        from qa.ingest import layout
    except ModuleNotFoundError as exc:
        if exc.name != "qa.ingest.layout":
            raise
        layout = None
    if layout is not None and hasattr(layout, "parse_loaded"):
        return layout.parse_loaded(loaded, overrides)
    from qa.ingest import parse

    parsed = parse.parse_document(loaded.name, loaded.text, content_hash=loaded.content_hash,
                                  path=loaded.path, overrides=overrides)
    return _with_locations(parsed, loaded)


def _fill_from_store(res: FileResult, index: "Index") -> None:
    info = index.document_info(res.name)
    if info is None:
        return
    res.department = info.get("department") or ""
    res.year = info.get("year")
    res.kind = info.get("kind") or ""
    doc = index.document(res.name)
    res.confidence = doc.confidence if doc is not None else None
    res.chunks = info["n_chunks"]
    res.tables = info["n_tables"]
    res.facts = info["n_facts"]
    res.warnings = info["n_issues"]
    res.notes = list(info.get("notes") or [])


OVERRIDE_FIELDS = ("department", "year", "kind")


def clean_overrides(overrides: dict | None) -> dict:
    """The department / year / kind values actually given (None means "read it from the text").

    Raises:
        ValueError: a kind other than 预算 / 决算 / 其他, or a year that is not a year.
    """
    out = {k: v for k, v in (overrides or {}).items() if k in OVERRIDE_FIELDS and v is not None}
    if "kind" in out and out["kind"] not in ("预算", "决算", "其他"):
        raise ValueError(f"kind must be 预算, 决算 or 其他, not {out['kind']!r}")
    if "year" in out:
        year = int(out["year"])
        if not 1900 <= year <= 2100:
            raise ValueError(f"year {year} is not a budget year")
        out["year"] = year
    if "department" in out:
        out["department"] = str(out["department"]).strip()
    return out


def _with_kept_overrides(index: "Index", name: str, overrides: dict) -> tuple[dict, bool]:
    """The overrides to parse with, and whether the stored document already has them all.

    Values the user set before (qa docs set, qa ingest --year) stay when the file is read
    again, unless new ones are given.
    """
    from qa.ingest.meta import user_fields

    doc = index.document(name)
    if doc is None:
        return overrides, not overrides
    kept = {k: getattr(doc, k) for k in user_fields(doc.meta_source) if k in OVERRIDE_FIELDS}
    applied = all(k in kept and kept[k] == v for k, v in overrides.items())
    return {**kept, **overrides}, applied


@dataclass
class _Job:
    """A file that has to be parsed: its result so far and what to parse it with."""

    res: FileResult
    path: Path
    overrides: dict
    stored: str | None
    t0: float


def _check(path: Path, index: "Index", overrides: dict) -> FileResult | _Job:
    """Hash a file and compare it with the stored version: the final result of an
    unchanged (or unreadable) file, else the job of parsing it."""
    t0 = time.perf_counter()
    name = path.name
    res = FileResult(name=name, path=str(path), status="error")
    try:
        digest = file_hash(path)
    except OSError as exc:
        res.error = f"{path}: cannot read ({exc.strerror or exc})"
        return res
    stored = index.content_hash(name)
    applied = True
    if stored is not None:
        overrides, applied = _with_kept_overrides(index, name, overrides)
    if stored == digest and applied:
        res.status = "unchanged"
        _fill_from_store(res, index)
        if not index.has_vectors(name):
            # same text, but no vectors from the configured embedding model yet
            try:
                stats = index.ensure_vectors(name)
            except Exception as exc:
                log.debug("embedding failed for %s", path, exc_info=True)
                res.status = "error"
                res.error = f"{path}: could not embed ({type(exc).__name__}: {exc})"
                return res
            res.embedded_chars = stats.embedded_chars
            res.seconds_embedding = stats.seconds_embedding
            res.notes.append(f"vectors added for {index.model_id()}")
        res.seconds = time.perf_counter() - t0
        return res
    return _Job(res, path, overrides, stored, t0)


@dataclass
class Parsed:
    """What parsing one file gave (picklable: worker processes return it).

    Attributes:
        parsed: the parse result, None when the file could not be read or parsed.
        encoding, notes: how the loader decoded the file and its remarks.
        error: the one-line error when parsed is None.
        cpu_seconds: processor time loading and parsing took.
    """

    parsed: "ParsedDocument | None"
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""
    cpu_seconds: float = 0.0


def parse_file(path: Path, overrides: dict | None = None) -> Parsed:
    """Load and parse one file; touches no index, so it runs in a worker process too.

    Args:
        path: the file.
        overrides: department / year / kind to use instead of what the text says.
    """
    c0 = time.process_time()
    try:
        from qa.ingest.loaders import load

        loaded = load(path)
    except LoadError as exc:
        return Parsed(None, error=str(exc), cpu_seconds=time.process_time() - c0)
    try:
        parsed = parse_loaded(loaded, overrides or None)
        original = loaded.text.splitlines()
        n = len(parsed.lines)
        if parsed.lines != original and parsed.lines == original[:n] and not "".join(original[n:]).strip():
            # a re-join of the text can drop trailing blank lines; keep the file's own lines
            parsed.lines = original
    except Exception as exc:  # a parser bug on one file must not stop the others
        log.debug("parse failed for %s", path, exc_info=True)
        return Parsed(None, error=f"{path}: could not parse ({type(exc).__name__}: {exc})",
                      cpu_seconds=time.process_time() - c0)
    return Parsed(parsed, loaded.encoding, list(loaded.notes), cpu_seconds=time.process_time() - c0)


def _store(job: _Job, got: Parsed, index: "Index") -> FileResult:
    """Store a parsed file (embedding what it needs) and complete its result."""
    res, path, overrides = job.res, job.path, job.overrides
    res.seconds_parse_cpu = got.cpu_seconds
    if got.parsed is None:
        res.error = got.error
        return res
    parsed = got.parsed
    try:
        stats = index.add(parsed, encoding=got.encoding, notes=got.notes)
    except Exception as exc:
        log.debug("store failed for %s", path, exc_info=True)
        res.error = f"{path}: could not store ({type(exc).__name__}: {exc})"
        return res
    doc = parsed.document
    res.status = "updated" if job.stored else "added"
    res.notes = list(got.notes)
    res.department, res.year, res.kind = doc.department, doc.year, doc.kind
    res.confidence = doc.confidence
    if overrides:
        res.notes.append("set by the user: " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    res.chunks, res.tables, res.facts = len(parsed.chunks), len(parsed.tables), len(parsed.facts)
    res.warnings = len(parsed.issues)
    res.embedded_chars = stats.embedded_chars
    res.seconds_embedding = stats.seconds_embedding
    res.seconds = time.perf_counter() - job.t0
    log.info("%s %s: %d facts, %d chunks, embedded %d chars in %.2f s", res.status, path.name,
             res.facts, res.chunks, stats.embedded_chars, stats.seconds_embedding)
    return res


def ingest_file(path: Path, index: "Index", overrides: dict | None = None) -> FileResult:
    """Ingest one file (skipping it when its bytes are unchanged).

    Args:
        path: the file.
        index: the index to update.
        overrides: {"department", "year", "kind"} values to use instead of what the text says
            (None values are read from the text). A stored file whose metadata differs from
            them is parsed again even when its bytes are unchanged; vectors of unchanged
            chunks are reused.

    Returns:
        The file's result; errors are reported in it, not raised.
    """
    checked = _check(path, index, clean_overrides(overrides))
    if isinstance(checked, FileResult):
        return checked
    return _store(checked, parse_file(path, checked.overrides), index)


# Parsing in worker processes pays off from this many files to parse (each worker first
# imports the parser, about a second).
PARALLEL_FROM = 8


def _parse_in_workers(jobs: list[_Job], workers: int) -> Iterator[Parsed]:
    """Each job's Parsed, in job order, parsed by worker processes a few files ahead of the
    caller. Stops early (the caller parses the rest itself) if the workers cannot start or
    die, e.g. a script without a ``__main__`` guard that spawned processes re-run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    window = 4 * workers  # parsed documents waiting to be stored, at most
    try:
        # spawn: a fork of a process running the embedding engine's threads may hang
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, ValueError, RuntimeError):
        log.warning("cannot start parsing processes; parsing here", exc_info=True)
        return
    try:
        futures = {i: pool.submit(parse_file, j.path, j.overrides) for i, j in enumerate(jobs[:window])}
        for i in range(len(jobs)):
            got = futures.pop(i).result()
            if i + window < len(jobs):
                nxt = jobs[i + window]
                futures[i + window] = pool.submit(parse_file, nxt.path, nxt.overrides)
            yield got
    except Exception:  # BrokenProcessPool, a failed spawn: what is left is parsed in-process
        log.warning("parsing processes failed; parsing the remaining files here", exc_info=True)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def parse_workers() -> int:
    """Worker processes that parse: QA_INGEST_WORKERS, else one per processor (1 = parse
    in this process)."""
    try:
        return max(1, int(os.environ.get("QA_INGEST_WORKERS", "") or (os.cpu_count() or 1)))
    except ValueError:
        return 1


def ingest_paths(paths: Iterable[str | Path], index: "Index", progress: bool = True,
                 overrides: dict | None = None, workers: int | None = None) -> IngestReport:
    """Ingest files and folders into an index.

    Files are hashed and compared with the index first; those that changed are parsed (in
    ``workers`` processes when there are enough of them, see parse_workers) while this
    process embeds and stores the ones already parsed, in file order.

    Args:
        paths: files or folders (folders are walked for supported suffixes).
        index: the index to update.
        progress: show a tqdm progress bar on stderr.
        overrides: department / year / kind for every file ingested (see ingest_file).
        workers: parsing processes (default parse_workers()).

    Raises:
        ValueError: overrides that are not a valid kind or year.

    Returns:
        Per-file results; ``report.ok`` is False when any file failed.
    """
    t0 = time.perf_counter()
    overrides = clean_overrides(overrides)
    files, errors = expand_paths(paths)
    report = IngestReport(results=list(errors))
    names: dict[str, Path] = {}
    bar = None
    if progress and files:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="ingest", leave=False, dynamic_ncols=True)
    slots: list[FileResult | _Job] = []
    parsed_by: Iterator[Parsed] | None = None
    try:
        for path in files:
            other = names.get(path.name)
            if other is not None:
                # Documents are named by file name; two files with one name would overwrite
                # each other's facts silently.
                slots.append(FileResult(path.name, str(path), "error", f"{path}: same file name as {other}; rename one"))
            else:
                names[path.name] = path
                if bar is not None:
                    bar.set_postfix_str("checking " + path.name[-30:], refresh=False)
                slots.append(_check(path, index, overrides))
            if bar is not None and isinstance(slots[-1], FileResult):
                bar.update(1)
        jobs = [s for s in slots if isinstance(s, _Job)]
        n_workers = min(workers or parse_workers(), len(jobs))
        done: dict[int, FileResult] = {}
        parsed_by = _parse_in_workers(jobs, n_workers) if n_workers > 1 and len(jobs) >= PARALLEL_FROM else None
        report.parse_workers = n_workers if parsed_by is not None else 1
        for job in jobs:
            if bar is not None:
                bar.set_postfix_str(job.path.name[-30:], refresh=True)
            got = next(parsed_by, None) if parsed_by is not None else None
            if got is None:  # parsing here: few files, one worker, or the workers failed
                parsed_by = None
                got = parse_file(job.path, job.overrides)
            done[id(job)] = _store(job, got, index)
            if bar is not None:
                bar.update(1)
        report.results.extend(done[id(s)] if isinstance(s, _Job) else s for s in slots)
    finally:
        if parsed_by is not None:
            parsed_by.close()  # stops the workers
        if bar is not None:
            bar.close()
    if any(r.status in ("added", "updated") or r.embedded_chars for r in report.results):
        # once per run: vectors an interrupted earlier run may have left behind
        index.collect_vectors()
    report.seconds = time.perf_counter() - t0
    return report
