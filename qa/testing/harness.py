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
from qa.text.normalize import squeeze
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


# Fixed questions about corpus document 000 (the Changji housing fund centre, 2024 budget):
# lookups over tables and prose, totals, changes and an English phrasing. The harness only
# asks that a variant gives the same value as the original, not what the value is.
QUESTIONS_000 = (
    "昌吉州住房公积金管理中心2024年收支总预算是多少？",
    "昌吉州公积金中心2024年一般公共预算拨款多少？",
    "昌吉州公积金中心2024年公务接待费预算是多少？",
    "昌吉州公积金中心2024年办公费（30201）预算是多少？",
    "昌吉州公积金中心2210201住房公积金科目预算数是多少？",
    "昌吉州公积金中心2024年三公经费预算是多少？",
    "昌吉州公积金中心公务用车运行费是多少？",
    "昌吉州公积金中心2024年基本支出是多少？",
    "昌吉州公积金中心2024年项目支出是多少？",
    "昌吉州公积金中心社会保障和就业支出是多少？",
    "昌吉州公积金中心卫生健康支出是多少？",
    "昌吉州公积金中心住房保障支出预算是多少？",
    "昌吉州公积金中心上年结转结余是多少？",
    "昌吉州公积金中心事业单位离退休支出是多少？",
    "昌吉州公积金中心机关事业单位基本养老保险缴费支出是多少？",
    "昌吉州公积金中心职业年金缴费支出是多少？",
    "昌吉州公积金中心公务员医疗补助是多少？",
    "昌吉州公积金中心事业单位医疗支出是多少？",
    "昌吉州公积金中心2024年人员经费是多少？",
    "昌吉州公积金中心基本支出比上年增加了多少？",
    "昌吉州公积金中心项目支出比上年预算减少了多少？",
    "昌吉州公积金中心三公经费中公务接待费和公务用车运行费合计多少？",
    "How much did the Changji housing fund centre budget for official hospitality in 2024?",
    "What was the Changji housing fund centre's basic expenditure in 2024?",
)


@dataclass
class AnswerComparison:
    """Answers to the same questions over an original and a variant index.

    Attributes:
        kind: variant kind.
        asked: questions asked.
        same: questions with the same status and the same value (in 元 for money).
        answered: questions the original answered with a value.
        differences: (question, original "status value unit", variant "status value unit").
    """

    kind: str
    asked: int = 0
    same: int = 0
    answered: int = 0
    differences: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return 1.0 if not self.asked else self.same / self.asked


def _answer_value(ans) -> tuple[str, float | None]:
    from qa.types import UNIT_TO_YUAN

    if ans.value is None:
        return ans.status, None
    mult = UNIT_TO_YUAN.get(ans.unit or "", 1.0)
    return ans.status, round(ans.value * mult, 2)


def hash_embeddings():
    """A cheap deterministic stand-in for the embedding model (character bigrams hashed to
    128 dimensions), for tests that compare two indexes built the same way: the comparison
    is fair because both sides use it, and no model is loaded."""
    import hashlib
    import math

    from langchain_core.embeddings import Embeddings

    class HashEmbeddings(Embeddings):
        model_id = "hash-bigram-128"

        def _vec(self, text: str) -> list[float]:
            v = [0.0] * 128
            t = squeeze(text)
            for a, b in zip(t, t[1:] or " "):
                h = int.from_bytes(hashlib.blake2s((a + b).encode("utf-8"), digest_size=2).digest(), "big")
                v[h % 128] += 1.0
            n = math.sqrt(sum(x * x for x in v)) or 1.0
            return [x / n for x in v]

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [self._vec(t) for t in texts]

        def embed_query(self, text: str) -> list[float]:
            return self._vec(text)

    return HashEmbeddings()


def ingest_one(path: Path, data_dir: Path, embeddings=None) -> None:
    """Ingest one file into a fresh index in data_dir (raises on a failed ingest).

    Args:
        path: the file.
        data_dir: an empty directory.
        embeddings: LangChain Embeddings to use (default: the configured model).
    """
    from qa.ingest.pipeline import ingest_paths
    from qa.store.index import Index

    with Index(data_dir, embeddings=embeddings) as index:
        report = ingest_paths([path], index, progress=False)
    if not report.ok:
        raise RuntimeError("; ".join(r.error for r in report.errors))


def compare_answers(original_dir: Path, variant_dir: Path, kind: str,
                    questions: tuple[str, ...] = QUESTIONS_000, embeddings=None) -> AnswerComparison:
    """Ask the same questions over two indexes and compare status and value.

    Args:
        original_dir: data dir with the original ingested.
        variant_dir: data dir with the variant ingested.
        kind: variant kind (for the report).
        questions: the questions.
        embeddings: the Embeddings both indexes were built with (default: configured model).
    """
    from qa.assistant import Assistant
    from qa.store.index import Index

    a = Assistant(Index(original_dir, embeddings=embeddings))
    b = Assistant(Index(variant_dir, embeddings=embeddings))
    out = AnswerComparison(kind)
    try:
        for q in questions:
            x, y = a.ask(q), b.ask(q)
            vx, vy = _answer_value(x), _answer_value(y)
            out.asked += 1
            out.answered += vx[1] is not None
            if vx == vy:
                out.same += 1
            else:
                out.differences.append((q, f"{x.status} {x.value} {x.unit}", f"{y.status} {y.value} {y.unit}"))
    finally:
        a.index.close()
        b.index.close()
    return out


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
    ap.add_argument("--questions", default="", help="also compare answers for these kinds on doc 000 "
                    "(comma-separated, e.g. pdf,xlsx,yuan); ingests with embeddings")
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
    qkinds = [k for k in args.questions.split(",") if k]
    if qkinds:
        src = next((f for f in files if f.name.startswith("000_")), files[0])
        base = out / "_idx_original"
        ingest_one(src, base)
        sys.stdout.write("\nquestion agreement (doc %s, %d questions)\n" % (src.name, len(QUESTIONS_000)))
        original = parse_file(src)
        for k in qkinds:
            v = make_variant(k, original, "\n".join(original.lines) + "\n")
            vdir = out / f"_q_{k}"
            vdir.mkdir(exist_ok=True)
            vpath = vdir / v.filename
            vpath.write_bytes(v.data)
            ingest_one(vpath, out / f"_idx_{k}")
            ac = compare_answers(base, out / f"_idx_{k}", k)
            sys.stdout.write(f"{k:<13} {ac.same}/{ac.asked} same ({ac.answered} answered with a value)\n")
            for d in ac.differences:
                sys.stdout.write(f"    {d[0]}\n      original: {d[1]}\n      variant:  {d[2]}\n")
    if tmp:
        tmp.cleanup()
    worst = min((r.agreement for r in results), default=1.0)
    return 0 if worst >= args.min and not any(r.error for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
