"""Files in, index updated: the ingest pipeline behind `qa ingest`.

For each file: hash its bytes and skip it when the stored hash is the same (before any parser,
model or vector store is imported, so a no-op ingest is fast); otherwise load it through the
loader registry, parse it with `parse_document`, and hand it to `Index.add`, which embeds the
missing vectors and replaces the document's rows in one transaction. A bad file is reported
with a one-line error naming it and skipped; the others are still ingested.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from qa.ingest.loaders import LoadError, file_hash, find_files

if TYPE_CHECKING:
    from qa.ingest.loaders import LoadedText
    from qa.store.index import Derived, Index
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
        seconds: wall time for this file.
        cpu_seconds_parse: CPU time of loading and parsing it (in a worker process or here).
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
    seconds: float = 0.0
    cpu_seconds_parse: float = 0.0


@dataclass
class IngestReport:
    """Outcome of one ingest run."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why) of files passed over
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
    def cpu_seconds_parse(self) -> float:
        """CPU time of loading and parsing in this run, whichever processes did it."""
        return sum(r.cpu_seconds_parse for r in self.results)

    def count(self, status: str) -> int:
        """How many files ended with a status.

        Args:
            status: "added", "updated", "unchanged" or "error".
        """
        return sum(1 for r in self.results if r.status == status)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """Turn the paths given into files to ingest (see qa.ingest.loaders.find_files).

    Args:
        paths: files or folders.

    Returns:
        (files in a stable order, error results for paths that do not exist or hold nothing).
    """
    found = find_files(paths)
    errors = [FileResult(p.name or str(p), str(p), "error", msg) for p, msg in found.missing]
    return list(found.files), errors


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
class ParseOutcome:
    """What reading and parsing one file gave; made in a worker process when `qa ingest`
    runs several (it pickles).

    Attributes:
        parsed: the parse result, None on error.
        encoding: how the file was decoded.
        notes: loader remarks.
        error: one-line message when loading or parsing failed.
        seconds: time spent loading and parsing.
        cpu_seconds: CPU time of the process that did it, spent on it.
        derived: the chunks' dense texts and lexical tokens (qa.store.index.derive), so the
            CPU-bound part of storing is done where the parsing is.
    """

    parsed: "ParsedDocument | None"
    derived: "Derived | None" = None
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def parse_file(path: Path, overrides: dict | None = None) -> ParseOutcome:
    """Load and parse one file and derive what storing it needs, touching no index and no
    model (the CPU-bound stage of ingest).

    Args:
        path: the file.
        overrides: department / year / kind to use instead of what the text says.

    Returns:
        The outcome; errors are reported in it, not raised.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        from qa.ingest.loaders import load

        loaded = load(path)
    except LoadError as exc:
        return ParseOutcome(None, error=str(exc), seconds=time.perf_counter() - t0,
                            cpu_seconds=time.process_time() - c0)
    try:
        parsed = parse_loaded(loaded, overrides or None)
        original = loaded.text.splitlines()
        n = len(parsed.lines)
        if parsed.lines != original and parsed.lines == original[:n] and not "".join(original[n:]).strip():
            # a re-join of the text can drop trailing blank lines; keep the file's own lines
            parsed.lines = original
        from qa.store.index import derive

        derived = derive(parsed)
    except Exception as exc:  # a parser bug on one file must not stop the others
        log.debug("parse failed for %s", path, exc_info=True)
        return ParseOutcome(None, error=f"{path}: could not parse ({type(exc).__name__}: {exc})",
                            seconds=time.perf_counter() - t0,
                            cpu_seconds=time.process_time() - c0)
    return ParseOutcome(parsed, derived, encoding=loaded.encoding, notes=list(loaded.notes),
                        seconds=time.perf_counter() - t0,
                            cpu_seconds=time.process_time() - c0)


@dataclass
class FilePlan:
    """What ingest will do with one file, decided from its bytes and the index.

    Attributes:
        path: the file.
        result: its result so far (final when action is "done").
        action: "done" (an error already), "unchanged" or "parse".
        stored: the content hash stored for its name, None when new.
        overrides: the metadata to parse with (the user's, plus what was set before).
        seconds: time spent deciding.
    """

    path: Path
    result: FileResult
    action: str
    stored: str | None = None
    overrides: dict = field(default_factory=dict)
    seconds: float = 0.0


def plan_file(path: Path, index: "Index", overrides: dict | None = None) -> FilePlan:
    """Hash a file and decide whether it must be parsed (see ingest_file).

    Args:
        path: the file.
        index: the index to update.
        overrides: {"department", "year", "kind"} values given for this run.
    """
    t0 = time.perf_counter()
    res = FileResult(name=path.name, path=str(path), status="error")
    overrides = clean_overrides(overrides)
    try:
        digest = file_hash(path)
    except OSError as exc:
        res.error = f"{path}: cannot read ({exc.strerror or exc})"
        return FilePlan(path, res, "done", seconds=time.perf_counter() - t0)
    stored = index.content_hash(path.name)
    applied = True
    if stored is not None:
        overrides, applied = _with_kept_overrides(index, path.name, overrides)
    action = "unchanged" if stored == digest and applied else "parse"
    return FilePlan(path, res, action, stored, overrides, time.perf_counter() - t0)


def finish_unchanged(plan: FilePlan, index: "Index") -> FileResult:
    """The result of a file whose bytes and metadata are stored already; embeds its chunks
    when the configured model has no vectors for them yet.

    Args:
        plan: its plan (action "unchanged").
        index: the index.
    """
    t0 = time.perf_counter()
    res, path, name = plan.result, plan.path, plan.path.name
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
    res.seconds = plan.seconds + time.perf_counter() - t0
    return res


def store_parsed(plan: FilePlan, outcome: ParseOutcome, index: "Index") -> FileResult:
    """Embed and store a parsed file (`Index.add`: one transaction), or report its error.

    Args:
        plan: its plan (action "parse").
        outcome: what parse_file gave for it.
        index: the index to update.
    """
    t0 = time.perf_counter()
    res, path, overrides = plan.result, plan.path, plan.overrides
    res.cpu_seconds_parse = outcome.cpu_seconds
    if outcome.parsed is None:
        res.error = outcome.error
        return res
    parsed = outcome.parsed
    try:
        stats = index.add(parsed, encoding=outcome.encoding, notes=outcome.notes, derived=outcome.derived)
    except Exception as exc:
        log.debug("store failed for %s", path, exc_info=True)
        res.error = f"{path}: could not store ({type(exc).__name__}: {exc})"
        return res
    doc = parsed.document
    res.status = "updated" if plan.stored else "added"
    res.notes = list(outcome.notes)
    res.department, res.year, res.kind = doc.department, doc.year, doc.kind
    res.confidence = doc.confidence
    if overrides:
        res.notes.append("set by the user: " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    res.chunks, res.tables, res.facts = len(parsed.chunks), len(parsed.tables), len(parsed.facts)
    res.warnings = len(parsed.issues)
    res.embedded_chars = stats.embedded_chars
    res.seconds_embedding = stats.seconds_embedding
    res.seconds = plan.seconds + outcome.seconds + time.perf_counter() - t0
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
    plan = plan_file(path, index, overrides)
    if plan.action == "done":
        return plan.result
    if plan.action == "unchanged":
        return finish_unchanged(plan, index)
    return store_parsed(plan, parse_file(path, plan.overrides), index)


# Fewer files than this are parsed here unless workers are asked for: starting processes
# (each imports the parser) costs more than parsing a handful.
PARALLEL_FROM = 8


def ingest_paths(paths: Iterable[str | Path], index: "Index", progress: bool = True,
                 overrides: dict | None = None, workers: int | None = None) -> IngestReport:
    """Ingest files and folders into an index.

    Args:
        paths: files or folders (folders are walked for supported suffixes).
        index: the index to update.
        progress: show a tqdm progress bar on stderr.
        overrides: department / year / kind for every file ingested (see ingest_file).
        workers: parse worker processes (None: QA_INGEST_WORKERS, else one per processor
            from PARALLEL_FROM files on). With more than one, files are parsed ahead in that
            many processes (qa.ingest.parallel) while this process embeds and stores them
            one by one in file order, so the index is the same as with one.

    Raises:
        ValueError: overrides that are not a valid kind or year.

    Returns:
        Per-file results; ``report.ok`` is False when any file failed.
    """
    t0 = time.perf_counter()
    overrides = clean_overrides(overrides)
    asked = workers
    if workers is None:
        from qa.config import load_settings

        workers = load_settings().ingest_workers
    found = find_files(paths)
    files = list(found.files)
    errors = [FileResult(p.name or str(p), str(p), "error", msg) for p, msg in found.missing]
    report = IngestReport(results=list(errors), skipped=[(str(p), why) for p, why in found.skipped])
    names: dict[str, Path] = {}
    todo: list[Path | FileResult] = []
    for path in files:
        other = names.get(path.name)
        if other is not None:
            # Documents are named by file name; two files with one name would overwrite
            # each other's facts silently.
            todo.append(FileResult(path.name, str(path), "error", f"{path}: same file name as {other}; rename one"))
        else:
            names[path.name] = path
            todo.append(path)
    bar = None
    if progress and files:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="ingest", leave=False, dynamic_ncols=True)
    try:
        if workers > 1 and len(names) > 1 and (asked is not None or len(names) >= PARALLEL_FROM):
            from qa.ingest.parallel import ingest_parallel

            report.parse_workers = min(workers, len(names))
            report.results.extend(ingest_parallel(todo, index, overrides, workers, bar))
        else:
            for item in todo:
                if bar is not None:
                    bar.set_postfix_str(item.name[-30:], refresh=True)
                report.results.append(item if isinstance(item, FileResult) else ingest_file(item, index, overrides))
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    if any(r.status in ("added", "updated") or r.embedded_chars for r in report.results):
        # once per run: vectors an interrupted earlier run may have left behind
        index.collect_vectors()
    report.seconds = time.perf_counter() - t0
    return report
