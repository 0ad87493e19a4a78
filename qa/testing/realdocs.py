"""The metadata step over a folder of real documents (../shared/realdocs by default).

Loading real PDFs is the slow part (pdfplumber, about a minute for the 23 PDFs of
../shared/realdocs), so files are read in parallel worker processes.

Usage: ``python -m qa.testing.realdocs [FOLDER]`` prints per file the department, year,
kind and confidence that ingest would record, and where each came from.
"""

from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
ENV = "QA_REALDOCS"


def default_folder() -> Path:
    """$QA_REALDOCS, else ../shared/realdocs next to the repository."""
    return Path(os.environ.get(ENV) or REPO_ROOT.parent / "shared" / "realdocs")


def supported_files(folder: Path) -> list[Path]:
    """The files of a folder that ingest would read (by suffix, not its README), sorted."""
    from qa.ingest.loaders import is_folder_note, supported_suffixes

    suffixes = supported_suffixes()
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in suffixes and not is_folder_note(p))


def file_metadata(path: str | Path) -> dict[str, Any]:
    """Load one file and read its metadata as ingest does (loader, layout preparation,
    read_metadata). Errors are returned, not raised.

    Returns:
        {"name", "department", "year", "kind", "unit", "title", "confidence", "sources",
        "meta_source"} or {"name", "error"}.
    """
    from qa.ingest.loaders import LoadError, load
    from qa.ingest.parse import read_text_metadata

    p = Path(path)
    try:
        loaded = load(p)
    except LoadError as exc:
        return {"name": p.name, "error": str(exc)}
    meta = read_text_metadata(loaded.name, loaded.text)
    return {"name": p.name, "department": meta.department, "year": meta.year, "kind": meta.kind,
            "unit": meta.unit, "title": meta.title, "confidence": meta.overall,
            "sources": dict(meta.sources), "meta_source": meta.describe()}


def file_report(path: str | Path) -> dict[str, Any]:
    """One load and full parse of a file: its metadata (as file_metadata gives it), its
    coverage (qa.ingest.coverage) and its table facts as (page, table, code, label,
    column, value) tuples. Errors are returned, not raised."""
    from qa.ingest.coverage import measure
    from qa.ingest.layout import parse_loaded
    from qa.ingest.loaders import LoadError, load
    from qa.ingest.parse import read_text_metadata

    p = Path(path)
    try:
        loaded = load(p)
    except LoadError as exc:
        return {"name": p.name, "meta": {"name": p.name, "error": str(exc)}, "error": str(exc)}
    meta = read_text_metadata(loaded.name, loaded.text)
    parsed = parse_loaded(loaded)
    cov = measure(p.name, loaded.seen_tables or [], parsed.facts, tables=len(parsed.tables))
    return {
        "name": p.name,
        "meta": {"name": p.name, "department": meta.department, "year": meta.year, "kind": meta.kind,
                 "unit": meta.unit, "title": meta.title, "confidence": meta.overall,
                 "sources": dict(meta.sources), "meta_source": meta.describe()},
        "coverage": cov,
        "has_reader": loaded.seen_tables is not None,
        "facts": [(f.page, f.table_no, f.code, f.label, f.column, f.value) for f in parsed.facts if f.source == "table"],
        "tables": [(t["no"], t["title"], t["kind"]) for t in parsed.tables],
    }


_REPORTS: dict[tuple[str, int], dict[str, dict[str, Any]]] = {}


def folder_reports(folder: str | Path, workers: int | None = None) -> dict[str, dict[str, Any]]:
    """file_report of every supported file of a folder, by file name, read in parallel
    worker processes once per process (the real-document tests share it)."""
    files = supported_files(Path(folder))
    workers = workers or min(4, os.cpu_count() or 1)
    key = (str(Path(folder).resolve()), workers)
    if key in _REPORTS:
        return _REPORTS[key]
    if workers <= 1 or len(files) <= 1:
        results = [file_report(f) for f in files]
    else:
        import multiprocessing

        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            order = sorted(files, key=lambda f: -f.stat().st_size)
            results = list(pool.map(file_report, [str(f) for f in order]))
    _REPORTS[key] = {r["name"]: r for r in sorted(results, key=lambda r: r["name"])}
    return _REPORTS[key]


def folder_metadata(folder: str | Path, workers: int | None = None) -> dict[str, dict[str, Any]]:
    """file_metadata of every supported file of a folder, by file name (from folder_reports).

    Args:
        folder: the folder.
        workers: worker processes (default: the CPU count, at most 4).
    """
    return {name: r["meta"] for name, r in folder_reports(folder, workers).items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", default=None)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    folder = Path(args.folder) if args.folder else default_folder()
    if not folder.is_dir():
        print(f"error: no folder {folder}", file=sys.stderr)
        return 2
    from qa.cli import format_table

    rows = []
    for name, r in folder_metadata(folder, args.workers).items():
        if "error" in r:
            rows.append([name, "", "", "", "", r["error"]])
        else:
            rows.append([name, r["department"], r["year"], r["kind"], f"{r['confidence']:.2f}",
                         r["meta_source"]])
    print(format_table(["document", "department", "year", "kind", "confidence", "read from"], rows, max_width=100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
