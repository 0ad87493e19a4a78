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
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from qa.ingest.loaders import LoadError, file_hash, find_files

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
    seconds: float = 0.0


@dataclass
class IngestReport:
    """Outcome of one ingest run."""

    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why) of files passed over

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


def prepare_file(path: str, overrides: dict | None = None) -> "tuple[LoadedText, ParsedDocument] | str":
    """Load and parse one file (no index): what ingest_file stores, or a one-line error.

    Runs in worker processes when several files are ingested (see ingest_paths).

    Args:
        path: the file.
        overrides: department / year / kind to parse with.
    """
    try:
        from qa.ingest.loaders import load

        loaded = load(path)
    except LoadError as exc:
        return str(exc)
    try:
        parsed = parse_loaded(loaded, overrides or None)
        original = loaded.text.splitlines()
        n = len(parsed.lines)
        if parsed.lines != original and parsed.lines == original[:n] and not "".join(original[n:]).strip():
            # a re-join of the text can drop trailing blank lines; keep the file's own lines
            parsed.lines = original
    except Exception as exc:  # a parser bug on one file must not stop the others
        log.debug("parse failed for %s", path, exc_info=True)
        return f"{path}: could not parse ({type(exc).__name__}: {exc})"
    return loaded, parsed


def ingest_file(path: Path, index: "Index", overrides: dict | None = None,
                prepared: "tuple[LoadedText, ParsedDocument] | str | None" = None) -> FileResult:
    """Ingest one file (skipping it when its bytes are unchanged).

    Args:
        path: the file.
        index: the index to update.
        overrides: {"department", "year", "kind"} values to use instead of what the text says
            (None values are read from the text). A stored file whose metadata differs from
            them is parsed again even when its bytes are unchanged; vectors of unchanged
            chunks are reused.
        prepared: prepare_file's result for this file, when it was read ahead (only used
            when the file has to be parsed).

    Returns:
        The file's result; errors are reported in it, not raised.
    """
    t0 = time.perf_counter()
    name = path.name
    res = FileResult(name=name, path=str(path), status="error")
    overrides = clean_overrides(overrides)
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
    got = prepared if prepared is not None else prepare_file(str(path), overrides or None)
    if isinstance(got, str):
        res.error = got
        return res
    loaded, parsed = got
    try:
        stats = index.add(parsed, encoding=loaded.encoding, notes=loaded.notes)
    except Exception as exc:
        log.debug("store failed for %s", path, exc_info=True)
        res.error = f"{path}: could not store ({type(exc).__name__}: {exc})"
        return res
    doc = parsed.document
    res.status = "updated" if stored else "added"
    res.notes = list(loaded.notes)
    res.department, res.year, res.kind = doc.department, doc.year, doc.kind
    res.confidence = doc.confidence
    if overrides:
        res.notes.append("set by the user: " + ", ".join(f"{k}={v}" for k, v in overrides.items()))
    res.chunks, res.tables, res.facts = len(parsed.chunks), len(parsed.tables), len(parsed.facts)
    res.warnings = len(parsed.issues)
    res.embedded_chars = stats.embedded_chars
    res.seconds_embedding = stats.seconds_embedding
    res.seconds = time.perf_counter() - t0
    log.info("%s %s: %d facts, %d chunks, embedded %d chars in %.2f s", res.status, name,
             res.facts, res.chunks, stats.embedded_chars, stats.seconds_embedding)
    return res


class _Ahead(dict):
    """Futures of prepare_file by path, and the pool running them (None when none)."""

    pool = None


# Loading a PDF (pdfplumber, pure Python) is the slow part of ingest: several files to
# parse are read ahead in worker processes while the main one stores and embeds.
READ_AHEAD_SUFFIXES = {".pdf", ".docx", ".xlsx", ".xls"}


def _read_ahead(files: list[Path], index: "Index", overrides: dict, workers: int | None) -> _Ahead:
    ahead = _Ahead()
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    todo = []
    seen_names: set[str] = set()
    for path in files:
        if path.name in seen_names:
            continue
        seen_names.add(path.name)
        try:
            digest = file_hash(path)
        except OSError:
            continue
        stored = index.content_hash(path.name)
        effective, applied = (overrides, not overrides) if stored is None else _with_kept_overrides(
            index, path.name, overrides)
        if stored == digest and applied:
            continue
        todo.append((path, effective))
    slow = [t for t in todo if t[0].suffix.lower() in READ_AHEAD_SUFFIXES]
    if workers <= 1 or len(slow) < 2:
        return ahead
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ahead.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    for path, effective in slow:
        ahead[path] = ahead.pool.submit(prepare_file, str(path), effective or None)
    return ahead


def ingest_paths(paths: Iterable[str | Path], index: "Index", progress: bool = True,
                 overrides: dict | None = None, workers: int | None = None) -> IngestReport:
    """Ingest files and folders into an index.

    Args:
        paths: files or folders (folders are walked for supported suffixes).
        index: the index to update.
        progress: show a tqdm progress bar on stderr.
        overrides: department / year / kind for every file ingested (see ingest_file).
        workers: processes that read PDFs and other slow formats ahead (default: 2, or
            the CPU count when smaller; 1 reads every file in this process).

    Raises:
        ValueError: overrides that are not a valid kind or year.

    Returns:
        Per-file results; ``report.ok`` is False when any file failed.
    """
    t0 = time.perf_counter()
    overrides = clean_overrides(overrides)
    found = find_files(paths)
    files = list(found.files)
    report = IngestReport(results=[FileResult(p.name or str(p), str(p), "error", msg) for p, msg in found.missing],
                          skipped=[(str(p), why) for p, why in found.skipped])
    names: dict[str, Path] = {}
    bar = None
    if progress and files:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="ingest", leave=False, dynamic_ncols=True)
    ahead = _read_ahead(files, index, overrides, workers)
    try:
        for path in files:
            if bar is not None:
                bar.set_postfix_str(path.name[-30:], refresh=True)
            other = names.get(path.name)
            if other is not None:
                # Documents are named by file name; two files with one name would overwrite
                # each other's facts silently.
                report.results.append(FileResult(path.name, str(path), "error",
                                                 f"{path}: same file name as {other}; rename one"))
            else:
                names[path.name] = path
                future = ahead.pop(path, None)
                report.results.append(ingest_file(path, index, overrides,
                                                  prepared=future.result() if future is not None else None))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        for future in ahead.values():
            future.cancel()
        if ahead.pool is not None:
            ahead.pool.shutdown(wait=True, cancel_futures=True)
    if any(r.status in ("added", "updated") or r.embedded_chars for r in report.results):
        # once per run: vectors an interrupted earlier run may have left behind
        index.collect_vectors()
    report.seconds = time.perf_counter() - t0
    return report
