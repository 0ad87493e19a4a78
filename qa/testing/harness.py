"""Metamorphic harness: parse each document and its variants, compare the facts.

A fact is compared by (label, code, column, value in 元 rounded to cents): the layout,
unit, script, encoding or file format of a variant must not change what was read.
Agreement for a variant is matched / max(facts in original, facts in variant), so both
lost and invented facts count against it. Quotes of the variant's facts are also checked
to occur in the variant's own text (apart from whitespace).

Usage: ``python -m qa.testing.harness [corpus/] [--kinds pdf,docx] [--out DIR] [--questions]``
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from qa.ingest.layout import parse_loaded
from qa.ingest.loaders import load
from qa.ingest.normalize import squeeze
from qa.testing.variants import ALL_KINDS, make_variant
from qa.types import Fact, ParsedDocument

log = logging.getLogger(__name__)


def fact_key(f: Fact) -> tuple[str, str, str, float]:
    """What must agree between a document and its variant."""
    return (squeeze(f.label), f.code, squeeze(f.column), round(f.norm_value, 2))


@dataclass
class Comparison:
    """Fact agreement of one variant of one document.

    Attributes:
        doc: original document name.
        kind: variant kind.
        n_original: facts in the original.
        n_variant: facts in the variant.
        matched: facts present in both (multiset intersection of keys).
        bad_quotes: variant facts whose quote is not in the variant text.
        missing: sample of original keys the variant lacks.
        extra: sample of variant keys the original lacks.
        error: loader/parser error, if any.
        seconds: time to load and parse the variant.
    """

    doc: str
    kind: str
    n_original: int
    n_variant: int = 0
    matched: int = 0
    bad_quotes: int = 0
    missing: list[tuple] = field(default_factory=list)
    extra: list[tuple] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def agreement(self) -> float:
        denom = max(self.n_original, self.n_variant)
        return 1.0 if denom == 0 else self.matched / denom


def compare(original: ParsedDocument, variant: ParsedDocument, doc: str, kind: str) -> Comparison:
    """Compare two parses of the same content.

    Args:
        original: parse of the original.
        variant: parse of the variant.
        doc: document name (for the report).
        kind: variant kind.
    """
    a = Counter(fact_key(f) for f in original.facts)
    b = Counter(fact_key(f) for f in variant.facts)
    matched = sum((a & b).values())
    text_sq = squeeze("\n".join(variant.lines))
    bad = sum(1 for f in variant.facts if f.quote and squeeze(f.quote) not in text_sq)
    return Comparison(doc=doc, kind=kind, n_original=len(original.facts), n_variant=len(variant.facts),
                      matched=matched, bad_quotes=bad,
                      missing=sorted((a - b).elements())[:20], extra=sorted((b - a).elements())[:20])


def parse_file(path: Path) -> ParsedDocument:
    """Load a file through the loader registry and parse it with layout preparation.

    Args:
        path: any supported file.
    """
    return parse_loaded(load(path))


def run_document(path: Path, kinds: tuple[str, ...], out_dir: Path) -> tuple[ParsedDocument, list[Comparison]]:
    """Parse one document, write its variants to out_dir, parse and compare each.

    Args:
        path: the original file (.txt).
        kinds: variant kinds.
        out_dir: where the variant files are written (kept for `qa ingest`).
    """
    original = parse_file(path)
    text = "\n".join(original.lines) + "\n"
    results = []
    for kind in kinds:
        t0 = time.perf_counter()
        try:
            v = make_variant(kind, original, text)
            vpath = out_dir / v.filename
            vpath.write_bytes(v.data)
            parsed = parse_file(vpath)
            c = compare(original, parsed, original.document.name, kind)
        except Exception as exc:  # one broken variant must not hide the others
            log.exception("variant %s of %s failed", kind, path.name)
            c = Comparison(original.document.name, kind, len(original.facts),
                           error=f"{type(exc).__name__}: {exc}")
        c.seconds = time.perf_counter() - t0
        results.append(c)
    return original, results


def format_table(results: list[Comparison]) -> str:
    """Agreement per variant (all documents pooled) and per document, as text."""
    kinds = list(dict.fromkeys(r.kind for r in results))
    docs = list(dict.fromkeys(r.doc for r in results))
    lines = ["variant       agreement  matched/max   worst doc (agreement)   bad quotes  errors"]
    for k in kinds:
        rs = [r for r in results if r.kind == k]
        m = sum(r.matched for r in rs)
        d = sum(max(r.n_original, r.n_variant) for r in rs)
        worst = min(rs, key=lambda r: r.agreement)
        lines.append(f"{k:<13} {m / d if d else 1:9.2%}  {m:>6}/{d:<6}  {worst.doc[:14]:<14} {worst.agreement:7.2%}"
                     f"   {sum(r.bad_quotes for r in rs):>9}  {sum(1 for r in rs if r.error):>6}")
    lines.append("")
    lines.append("per document: " + "  ".join(d[:3] for d in docs))
    for k in kinds:
        row = []
        for d in docs:
            r = next((r for r in results if r.kind == k and r.doc == d), None)
            row.append("  err" if r and r.error else f"{r.agreement:5.1%}" if r else "    -")
        lines.append(f"{k:<13} " + "  ".join(row))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the agreement table for a folder of documents."""
    ap = argparse.ArgumentParser(prog="python -m qa.testing.harness")
    ap.add_argument("paths", nargs="*", default=["corpus"])
    ap.add_argument("--kinds", default=",".join(ALL_KINDS))
    ap.add_argument("--out", default="", help="keep variant files here (default: temp dir)")
    ap.add_argument("--min", type=float, default=0.98, help="exit 1 if any variant is below this")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    files: list[Path] = []
    for p in map(Path, args.paths):
        files.extend(sorted(p.glob("*.txt")) if p.is_dir() else [p])
    tmp = None
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        out = Path(tmp.name)
    results: list[Comparison] = []
    for f in files:
        _, rs = run_document(f, kinds, out)
        results.extend(rs)
        if args.verbose:
            for r in rs:
                if r.agreement < 1 or r.error:
                    sys.stdout.write(f"{r.doc} {r.kind}: {r.agreement:.2%} {r.error}\n"
                                     f"  missing {r.missing[:8]}\n  extra {r.extra[:8]}\n")
    sys.stdout.write(format_table(results) + "\n")
    if tmp:
        tmp.cleanup()
    worst = min((r.agreement for r in results), default=1.0)
    return 0 if worst >= args.min and not any(r.error for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
