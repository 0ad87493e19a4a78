"""The `qa` command: ingest, docs, check, facts, and dispatch of ask / eval.

Only argparse and the standard library load at start-up; each subcommand imports what it
needs, so `qa ingest` with nothing changed never loads a model or a vector store.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any, Callable, Sequence

log = logging.getLogger("qa")


def _data_dir(arg: str | None) -> Path:
    from qa.config import load_settings

    return load_settings(arg).data_dir


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """Cut text to a display width, marking the cut."""
    if _width(text) <= width:
        return text
    out, w = "", 0
    for ch in text:
        cw = _width(ch)
        if w + cw > width - 1:
            break
        out, w = out + ch, w + cw
    return out + "…"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 40) -> str:
    """Plain-text table aligned for CJK (wide characters count double).

    Args:
        headers: column titles.
        rows: cell values (converted with str; None shows as "").
        max_width: longest cell shown; longer ones are cut with "…".
    """
    cells = [[_fit("" if v is None else str(v), max_width) for v in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row)]

    def line(vals: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(vals, widths)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


def _open_index(data_dir: Path, must_exist: bool = True):
    from qa.store.index import Index
    from qa.store.sqlite import DB_NAME

    from qa.config import load_settings

    if must_exist and not load_settings(data_dir).database_url and not (data_dir / DB_NAME).exists():
        return None
    return Index(data_dir)


def _no_index(data_dir: Path) -> int:
    print(f"error: no index in {data_dir}; run `qa ingest PATH...` first", file=sys.stderr)
    return 2


# --- ingest ------------------------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    from qa.ingest.pipeline import ingest_paths

    index = _open_index(args.data_dir, must_exist=False)
    try:
        index.model_id()
    except ValueError as exc:  # a bad QA_EMBEDDINGS is a configuration error, not a file's
        print(f"error: {exc}", file=sys.stderr)
        return 2
    overrides = {"department": args.department, "year": args.year, "kind": args.kind}
    try:
        report = ingest_paths(args.paths, index, progress=not args.quiet and sys.stderr.isatty(),
                              overrides=overrides, workers=args.workers)
        touched = {r.name for r in report.results if r.status in ("added", "updated", "unchanged")}
        conflicts = [c for c in _conflicts(index) if touched & set(c.docs)]
    except ValueError as exc:  # a bad --year / --kind
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        index.close()
    shown = [r for r in report.results if r.status != "error"]
    if shown:
        print(format_table(
            ["document", "status", "department", "year", "kind", "chunks", "tables", "facts", "warnings",
             "confidence"],
            [[r.name, r.status, r.department, r.year, r.kind, r.chunks, r.tables, r.facts, r.warnings,
              _conf(r.confidence)]
             for r in shown],
            max_width=36,
        ))
    for r in shown:
        for note in r.notes:
            print(f"note: {r.name}: {note}")
    for path, why in report.skipped:
        print(f"note: skipped {path}: {why}")
    for r in report.errors:
        print(f"error: {r.error}", file=sys.stderr)
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("added", "updated", "unchanged", "error")
                       if report.count(s))
    print(f"{len(report.results)} file(s): {counts or 'nothing to do'}; "
          f"embedded {report.embedded_chars} chars in {report.seconds_embedding:.2f} s; {report.seconds:.2f} s; "
          f"index: {args.data_dir}")
    if any(r.warnings for r in shown):
        print("integrity warnings: run `qa check` to list them")
    _print_conflicts(conflicts)
    return 0 if report.ok else 1


# --- coverage ----------------------------------------------------------------------------------
def _pct(x: float | None) -> str:
    return "" if x is None else f"{x:.1%}"


def cmd_coverage(args: argparse.Namespace) -> int:
    """Per file: the table rows its reader (pdfplumber) sees and how many became facts."""
    from qa.ingest.coverage import folder_coverage, overall

    results = folder_coverage(args.paths, workers=args.workers)
    total = overall(results)
    if args.json:
        from dataclasses import asdict

        print(json.dumps([{**asdict(c), "ratio": c.ratio, "amount_ratio": c.amount_ratio}
                          for c in [*results, total]], ensure_ascii=False, indent=1))
    else:
        rows = [[c.name, c.tables_seen or "", c.rows_seen or "", c.rows_covered or "", _pct(c.ratio),
                 f"{c.amounts_covered}/{c.amounts_seen}" if c.amounts_seen else "", _pct(c.amount_ratio),
                 c.tables, c.facts, f"{c.seconds_load:.1f}", f"{c.seconds_parse:.1f}", c.note]
                for c in [*results, total]]
        print(format_table(["file", "seen tables", "seen rows", "covered", "ratio", "amounts", "ratio", "tables",
                            "facts", "load s", "parse s", "note"], rows, max_width=70))
        for c in results:
            for r in c.missed[:args.missed]:
                print(f"missed: {c.name} {r.where}: " + " | ".join(" ".join(x.split()) for x in r.cells))
    low = [c.name for c in results if c.ratio is not None and args.min is not None and c.ratio < args.min]
    if low:
        print(f"below {args.min:.0%}: {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


def _conflicts(index) -> list:
    """Groups of stored documents claiming one department, year, kind and scope."""
    from qa.tools.conflicts import find_conflicts

    return find_conflicts(index.documents(), lambda name: index.facts(doc=name))


def _print_conflicts(conflicts: Sequence[Any]) -> None:
    for c in conflicts:
        level = "conflict" if c.severity == "conflict" else "note"
        print(f"{level}: {c.describe('en')}")
        for d in c.examples:
            print("  " + d.label + (f" [{d.column}]" if d.column else "") + ": "
                  + "; ".join(f"{n} {v:,.2f}" for n, v in d.values))
    if any(c.severity != "parts" for c in conflicts):
        print("answers over these documents name them all and warn; keep one with `qa remove NAME`")


def _conf(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


# --- docs --------------------------------------------------------------------------------------
def _find_doc(index, query: str) -> str | None:
    names = [d.name for d in index.documents()]
    doc, candidates = resolve_doc(names, query)
    if doc is None:
        if candidates:
            print(f"error: '{query}' matches several documents: {', '.join(candidates)}", file=sys.stderr)
        else:
            print(f"error: no document '{query}' (have: {', '.join(names) or 'none'})", file=sys.stderr)
    return doc


def _read_from(meta_source: str) -> str:
    """"department: title (0.98); year: …" -> "department: title; year: …" for the table."""
    import re

    return re.sub(r" \(\d+(?:\.\d+)?\)", "", meta_source or "")


def cmd_docs(args: argparse.Namespace) -> int:
    if getattr(args, "docs_command", None) == "set":
        return cmd_docs_set(args)
    index = _open_index(args.data_dir)
    if index is None:
        return _no_index(args.data_dir)
    with index:
        docs = index.documents()
    if args.json:
        json.dump([{"name": d.name, "department": d.department, "year": d.year, "kind": d.kind, "unit": d.unit,
                    "title": d.title, "confidence": d.confidence, "meta_source": d.meta_source} for d in docs],
                  sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not docs:
        print(f"no documents in {args.data_dir}")
        return 0
    print(format_table(
        ["document", "department", "year", "kind", "unit", "confidence", "read from"],
        [[d.name, d.department, d.year, d.kind, d.unit, _conf(d.confidence), _read_from(d.meta_source)]
         for d in docs],
        max_width=80,
    ))
    print(f"{len(docs)} document(s); fix one with `qa docs set NAME --department … --year … --kind …`")
    return 0


def cmd_docs_set(args: argparse.Namespace) -> int:
    from qa.ingest.meta import with_user_fields
    from qa.ingest.pipeline import clean_overrides

    try:
        changes = clean_overrides({"department": args.department, "year": args.year, "kind": args.kind})
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not changes:
        print("error: nothing to set; give --department, --year and/or --kind", file=sys.stderr)
        return 2
    if "department" in changes and not changes["department"]:
        print("error: --department must name the department", file=sys.stderr)
        return 2
    index = _open_index(args.data_dir)
    if index is None:
        return _no_index(args.data_dir)
    with index:
        name = _find_doc(index, args.name)
        if name is None:
            return 2
        current = index.document(name)
        meta_source, confidence = with_user_fields(current.meta_source if current else "", set(changes))
        old = index.sql.update_document_meta(name, changes, confidence=confidence, meta_source=meta_source)
        n_facts = len(index.facts(doc=name))
    for k, v in changes.items():
        print(f"{name}: {k} {getattr(old, k)!s} -> {v}")
    print(f"{name}: updated the document and its {n_facts} fact(s) in place; confidence {confidence:.2f}")
    if "year" in changes and old is not None and old.year != changes["year"]:
        print(f"note: column names that name a year were read with year {old.year}; "
              f"`qa ingest --year {changes['year']} FILE` reads the file again with the new year")
    return 0


# --- check -------------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace) -> int:
    index = _open_index(args.data_dir)
    if index is None:
        return _no_index(args.data_dir)
    with index:
        docs = index.documents()
        if not docs:
            print(f"no documents in {args.data_dir}")
            return 0
        total = 0
        for doc in docs:
            issues = index.issues(doc.name)
            total += len(issues)
            head = f"{doc.name}  {doc.department} {doc.year or ''} {doc.kind}".rstrip()
            print(f"{head}: {len(issues)} integrity warning(s)" if issues else f"{head}: OK")
            for i in issues:
                where = f"表{i.table_no}" if i.table_no else "text"
                print(f"  line {i.line} {where} [{i.kind}] {i.message}")
        conflicts = _conflicts(index)
        print(f"{len(docs)} document(s), {total} integrity warning(s)")
        _print_conflicts(conflicts)
    return 0


# --- remove ------------------------------------------------------------------------------------
def cmd_remove(args: argparse.Namespace) -> int:
    index = _open_index(args.data_dir)
    if index is None:
        return _no_index(args.data_dir)
    with index:
        names = []
        for query in args.names:
            name = _find_doc(index, query)
            if name is None:
                return 2
            if name not in names:
                names.append(name)
        for name in names:
            n_facts = len(index.facts(doc=name))
            index.remove(name)
            print(f"removed {name} ({n_facts} fact(s))")
        index.collect_vectors()
        left = index.documents()
    print(f"{len(left)} document(s) left in {args.data_dir}")
    return 0


# --- facts -------------------------------------------------------------------------------------
def resolve_doc(names: Sequence[str], query: str) -> tuple[str | None, list[str]]:
    """Find a document by exact name, name without suffix, or unique prefix.

    Args:
        names: the stored document names.
        query: what the user typed.

    Returns:
        (the name, []) when found; (None, candidates) when ambiguous or unknown.
    """
    if query in names:
        return query, []
    stem = [n for n in names if Path(n).stem == query]
    if len(stem) == 1:
        return stem[0], []
    pref = [n for n in names if n.startswith(query)]
    if len(pref) == 1:
        return pref[0], []
    return None, pref


def cmd_facts(args: argparse.Namespace) -> int:
    index = _open_index(args.data_dir)
    if index is None:
        return _no_index(args.data_dir)
    with index:
        doc = None
        if args.doc:
            names = [d.name for d in index.documents()]
            doc, candidates = resolve_doc(names, args.doc)
            if doc is None:
                if candidates:
                    print(f"error: '{args.doc}' matches several documents: {', '.join(candidates)}",
                          file=sys.stderr)
                else:
                    print(f"error: no document '{args.doc}' (have: {', '.join(names) or 'none'})",
                          file=sys.stderr)
                return 2
        table = args.table
        if table is not None:
            table = table.removeprefix("表")
        facts = index.facts(doc=doc, table_no=table)
    if args.json:
        json.dump([f.to_dict() for f in facts], sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    if not facts:
        print("no facts match")
        return 0
    def where(f) -> str:
        extra = f.cell or (f"p.{f.page}" if f.page is not None else "")
        return f"{f.line} {extra}".strip()

    print(format_table(
        ["doc", "table", "line", "code", "label", "column", "value", "unit"],
        [[f.doc, f.table_no or "prose", where(f), f.code, f.label, f.column, f"{f.value:.12g}", f.unit]
         for f in facts],
        max_width=30,
    ))
    print(f"{len(facts)} fact(s)")
    return 0


# --- ask / eval dispatch -----------------------------------------------------------------------
def _dispatch(module: str, what: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
                print(f"error: `qa {what}` is not available in this build ({module} is missing)",
                      file=sys.stderr)
                return 2
            raise
        return int(getattr(mod, "chat" if args.command == "chat" else "run")(args) or 0)

    return run


def _workers_arg(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"not a number of workers: {text!r}")
    return n


def _year_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None


def _meta_arguments(p: argparse.ArgumentParser, what: str) -> None:
    tail = f" ({what})" if what else ""
    p.add_argument("--department", default=None, metavar="NAME", help="publishing department" + tail)
    p.add_argument("--year", type=_year_arg, default=None, metavar="N", help="budget year" + tail)
    p.add_argument("--kind", choices=["预算", "决算", "其他"], default=None, help="budget or final accounts" + tail)


# --- parser --------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser (argument names are a contract shared with ask_cli / eval_cli)."""
    p = argparse.ArgumentParser(
        prog="qa",
        description="Answer questions about Chinese public budget disclosures (部门预算/决算), offline.",
    )
    p.add_argument("--data-dir", default=None,
                   help="index directory (default: $QA_DATA_DIR, else .qa)")
    p.add_argument("--database-url", default=None, metavar="URL",
                   help="keep the records in PostgreSQL, postgresql://… (default: $QA_DATABASE_URL, else "
                        "SQLite in the data dir)")
    p.add_argument("--chroma-url", default=None, metavar="URL",
                   help="keep the vectors in a Chroma server, http://host:port (default: $QA_CHROMA_URL, else "
                        "embedded in the data dir)")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("ingest", help="add or update documents (files or folders)")
    s.add_argument("paths", nargs="+", metavar="PATH")
    s.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    s.add_argument("-j", "--workers", type=_workers_arg, default=None, metavar="N",
                   help="parse worker processes (default: $QA_INGEST_WORKERS, else one per processor from 8 files)")
    _meta_arguments(s, "for every file ingested, instead of what the text says")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("coverage", help="per file: table rows the PDF reader sees and how many became facts")
    s.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (nothing is stored)")
    s.add_argument("--missed", type=int, default=0, metavar="N", help="print up to N rows per file that gave no fact")
    s.add_argument("--workers", type=int, default=1, metavar="N", help="read files in N processes")
    s.add_argument("--min", type=float, default=None, metavar="RATIO", help="exit 1 when a file is below this ratio")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_coverage)

    s = sub.add_parser("docs", help="list what was read per document (department, year, kind, confidence)")
    s.add_argument("--json", action="store_true", help="print JSON")
    docs_sub = s.add_subparsers(dest="docs_command", metavar="set")
    d = docs_sub.add_parser("set", help="fix a document's department / year / kind in place")
    d.add_argument("name", metavar="NAME", help="document file name or a unique prefix of it")
    _meta_arguments(d, "")
    s.set_defaults(func=cmd_docs)

    s = sub.add_parser("check", help="print the integrity report of the stored documents")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("remove", help="remove documents from the index (and everything read from them)")
    s.add_argument("names", nargs="+", metavar="NAME", help="document file name or a unique prefix of it")
    s.set_defaults(func=cmd_remove)

    s = sub.add_parser("facts", help="list extracted facts for auditing")
    s.add_argument("--doc", help="document file name or a unique prefix of it")
    s.add_argument("--table", help="table number (N of 表N)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_facts)

    s = sub.add_parser("ask", help="answer a question (or a JSONL batch)")
    s.add_argument("--json", action="store_true", help="print the answer as JSON")
    s.add_argument("--batch", metavar="FILE.jsonl", help="answer every question in a JSONL file")
    s.add_argument("question", nargs="?", help="the question")
    s.set_defaults(func=_dispatch("qa.ask_cli", "ask"))

    s = sub.add_parser("chat", help="a conversation at the prompt: follow-up questions keep the context")
    s.add_argument("--json", action="store_true", help="print each answer as JSON")
    s.set_defaults(func=_dispatch("qa.ask_cli", "chat"))

    s = sub.add_parser("eval", help="score answers against the gold questions")
    s.add_argument("file", nargs="?", metavar="FILE", help="gold JSONL (default: evals/gold.jsonl)")
    s.add_argument("--split", choices=["dev", "test", "all"], default="all")
    s.add_argument("--min", type=float, default=None, metavar="SCORE",
                   help="exit non-zero when the score is below this")
    s.add_argument("--no-baseline", action="store_true", help="skip the baseline comparison")
    s.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N questions")
    s.set_defaults(func=_dispatch("qa.eval_cli", "eval"))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `qa` console script.

    Args:
        argv: arguments (default: sys.argv[1:]).

    Returns:
        The exit status.
    """
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # the engines given as flags: every part (ask, eval, chat, ingest) reads them from there
    for flag, var in ((args.database_url, "QA_DATABASE_URL"), (args.chroma_url, "QA_CHROMA_URL")):
        if flag is not None:
            os.environ[var] = flag
    # resolved once here (flag, else $QA_DATA_DIR, else .qa) so ask/eval open the same one
    args.data_dir = _data_dir(args.data_dir)
    from qa.store.errors import StoreUnavailable

    try:
        return int(args.func(args) or 0)
    except StoreUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
