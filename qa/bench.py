"""Benchmarks of `Assistant.ask`.

``python -m qa.bench [--data-dir DIR] [--questions FILE.jsonl] [--repeat N]``: warm latency
p50 / p95 over a question set on an existing index. Goal on the 2-core machine: p50 ≤ 50 ms,
p95 ≤ 200 ms.

``python -m qa.bench --scale N [--corpus corpus/] [--keep]``: grows the corpus to N distinct
synthetic documents (qa.testing.synthetic: renamed places, money scaled per document), ingests
them into a fresh data dir under a temporary directory and prints ingest documents/s,
embedded characters, parse-stage documents/s (ingest without the time in the embedding
model) and the processor time parsing takes a document, Assistant.open time, a cold
`qa ask` (a subprocess), warm p50/p95/max over a fixed question set, each question's first
answer after open, and peak memory. Embedding is the real model (QA_EMBEDDINGS).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

# Generic questions of every type, phrased without reference to specific figures.
DEFAULT_QUESTIONS = [
    "三公经费是多少？",
    "公积金中心的基本支出是多少？",
    "住建局的项目支出是多少？",
    "机关事务局的公务接待费是多少？",
    "社保中心基本支出和项目支出合计是多少？",
    "公积金中心的人员经费比公用经费多多少？",
    "社保中心基本支出占支出总计的比例是多少？",
    "住建局三公经费比上年少了多少？",
    "哪个部门的三公经费最多？",
    "机关事务局下设几个科室？",
    "住建局有哪些科室？",
    "社保中心项目支出为什么减少？",
    "机关事务局的绩效指标是什么？",
    "How much is the basic expenditure of the social insurance centre?",
    "What is the three public expenses budget of the government offices administration?",
    "教育局的三公经费是多少？",
]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def load_questions(path: str | None) -> list[str]:
    """Questions from a JSONL file ({"question": ...} per line) or the default set."""
    if not path:
        return list(DEFAULT_QUESTIONS)
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(json.loads(line)["question"])
    return out


def bench(assistant, questions: list[str], repeat: int = 1) -> dict[str, float]:
    """Time each question after one warm-up pass (timed too: "first" figures, each
    question's first answer in this process, with documents still to read).

    Args:
        assistant: an opened Assistant.
        questions: the question set.
        repeat: timed passes over the set.

    Returns:
        {"n", "p50_ms", "p95_ms", "max_ms", "mean_ms", "first_p50_ms", "first_p95_ms",
        "first_max_ms"}.
    """
    first = []
    for q in questions:  # warm-up: caches, lazy imports, BM25 build, documents read
        t0 = time.perf_counter()
        assistant.ask(q)
        first.append((time.perf_counter() - t0) * 1000)
    times = []
    for _ in range(max(1, repeat)):
        for q in questions:
            t0 = time.perf_counter()
            assistant.ask(q)
            times.append((time.perf_counter() - t0) * 1000)
    return {
        "n": float(len(times)),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "max_ms": max(times),
        "mean_ms": statistics.fmean(times),
        "first_p50_ms": percentile(first, 50) if first else 0.0,
        "first_p95_ms": percentile(first, 95) if first else 0.0,
        "first_max_ms": max(first) if first else 0.0,
    }


# Questions about one renamed body per template, by template file prefix ({p} = its place).
SCALE_QUESTIONS = {
    "000": "{p}公积金中心的基本支出是多少？",
    "001": "{p}机关事务局的三公经费是多少？",
    "002": "{p}住建局的项目支出是多少？",
    "003": "{p}公积金中心人员经费是多少？",
    "004": "{p}社保中心基本支出和项目支出合计是多少？",
}


def scale_questions(docs: list) -> list[str]:
    """The fixed question set of a scale run: DEFAULT_QUESTIONS (which name bodies every
    copy shares, so they are ambiguous or compare across all N) plus one question naming the
    renamed body of the first copy of each template.

    Args:
        docs: qa.testing.synthetic.SyntheticDoc list.
    """
    named, seen = [], set()
    for d in docs:
        key = d.template[:3]
        if key in SCALE_QUESTIONS and key not in seen:
            seen.add(key)
            named.append(SCALE_QUESTIONS[key].format(p=d.place))
    return list(DEFAULT_QUESTIONS) + named


def _qa_command() -> list[str]:
    script = Path(sys.executable).with_name("qa")
    return [str(script)] if script.exists() else [sys.executable, "-m", "qa.cli"]


def cold_ask(data_dir: str | Path, question: str) -> tuple[float, dict]:
    """Wall seconds of one `qa ask --json` in a fresh process, and its answer."""
    t0 = time.perf_counter()
    proc = subprocess.run([*_qa_command(), "--data-dir", str(data_dir), "ask", "--json", question],
                          capture_output=True, text=True, env=os.environ.copy())
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"qa ask failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return seconds, json.loads(proc.stdout)


def scale(n: int, corpus: str | Path = "corpus", work: str | Path | None = None, repeat: int = 1,
          keep: bool = False, workers: int | None = None) -> dict:
    """Grow the corpus to n documents, ingest them into a fresh data dir and time everything.

    Args:
        n: synthetic documents.
        corpus: template documents.
        work: directory for the documents and the data dir (default: a new /tmp/scale-*).
        repeat: timed passes over the question set.
        keep: leave the work directory in place (it is removed otherwise).
        workers: parsing processes of the ingest (default QA_INGEST_WORKERS, else one per processor).

    Returns:
        The figures main() prints.
    """
    from qa.assistant import Assistant
    from qa.ingest.pipeline import ingest_paths
    from qa.store.index import Index
    from qa.testing.synthetic import make_corpus

    root = Path(work) if work else Path(tempfile.mkdtemp(prefix="scale-"))
    out: dict = {"n": n, "work": str(root)}
    try:
        t0 = time.perf_counter()
        docs = make_corpus(corpus, root / "docs", n)
        out["generate_s"] = time.perf_counter() - t0
        data = root / "data"
        with Index(data) as index:
            report = ingest_paths([root / "docs"], index, progress=False, workers=workers)
        if not report.ok:
            raise RuntimeError("ingest failed: " + "; ".join(r.error for r in report.errors[:3]))
        out["ingest_s"] = report.seconds
        out["embedding_s"] = report.seconds_embedding
        out["embedded_chars"] = report.embedded_chars
        out["ingest_docs_per_s"] = n / report.seconds if report.seconds else 0.0
        parse_s = max(report.seconds - report.seconds_embedding, 1e-9)
        out["parse_s"] = parse_s
        out["parse_docs_per_s"] = n / parse_s
        out["parse_cpu_s_per_doc"] = report.cpu_seconds_parse / n
        out["workers"] = report.parse_workers
        t0 = time.perf_counter()
        assistant = Assistant.open(data)
        out["open_ms"] = (time.perf_counter() - t0) * 1000
        qs = scale_questions(docs)
        out["cold_ask_s"], out["cold_answer"] = cold_ask(data, qs[len(DEFAULT_QUESTIONS)])
        out["warm"] = bench(assistant, qs, repeat)
        out["questions"] = len(qs)
        statuses: dict[str, int] = {}
        for q in qs:
            st = assistant.ask(q).status
            statuses[st] = statuses.get(st, 0) + 1
        out["statuses"] = statuses
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["peak_rss_child_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    finally:
        if not keep and not work:
            shutil.rmtree(root, ignore_errors=True)
    return out


def print_scale(r: dict) -> None:
    """Print the figures of a scale run."""
    w = r["warm"]
    print(f"scale: {r['n']} documents (generated in {r['generate_s']:.1f} s)")
    print(f"ingest: {r['ingest_s']:.1f} s, {r['ingest_docs_per_s']:.2f} docs/s; "
          f"embedded {r['embedded_chars']} chars in {r['embedding_s']:.1f} s")
    print(f"parse stage (ingest without embedding, {r['workers']} parsing processes): {r['parse_s']:.1f} s, "
          f"{r['parse_docs_per_s']:.2f} docs/s; loading and parsing took {r['parse_cpu_s_per_doc']:.3f} s "
          f"of processor time a document")
    print(f"open (Assistant.open): {r['open_ms']:.0f} ms")
    ans = r["cold_answer"]
    print(f"cold qa ask (subprocess): {r['cold_ask_s']:.2f} s -> {ans.get('status')} {ans.get('value')} {ans.get('unit') or ''}")
    print(f"warm latency over {r['questions']} questions x {int(w['n']) // max(r['questions'], 1)}: "
          f"p50 {w['p50_ms']:.1f} ms, p95 {w['p95_ms']:.1f} ms, max {w['max_ms']:.1f} ms; "
          + ", ".join(f"{k} {v}" for k, v in sorted(r["statuses"].items())))
    print(f"first answer of each question after open (the warm-up pass): p50 {w['first_p50_ms']:.1f} ms, "
          f"p95 {w['first_p95_ms']:.1f} ms, max {w['first_max_ms']:.1f} ms")
    print(f"peak memory: {r['peak_rss_mb']:.0f} MB (this process), {r['peak_rss_child_mb']:.0f} MB (qa ask)")


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the figures, exit 0."""
    p = argparse.ArgumentParser(prog="python -m qa.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--questions", default=None, help="JSONL with a 'question' field per line")
    p.add_argument("--repeat", type=int, default=None, help="timed passes (default 3; 1 with --scale)")
    p.add_argument("--scale", type=int, default=None, metavar="N",
                   help="grow the corpus to N synthetic documents in a fresh data dir and time it all")
    p.add_argument("--corpus", default="corpus", help="template documents for --scale")
    p.add_argument("--work", default=None, help="with --scale: directory to use (kept)")
    p.add_argument("--keep", action="store_true", help="with --scale: keep the temporary directory")
    p.add_argument("--json", action="store_true", help="with --scale: print the figures as JSON too")
    p.add_argument("--workers", type=int, default=None,
                   help="with --scale: parsing processes of the ingest (default: one per processor)")
    args = p.parse_args(argv)
    if args.scale is not None:
        if args.scale < 1:
            p.error("--scale needs N ≥ 1")
        r = scale(args.scale, args.corpus, args.work, args.repeat or 1, args.keep, args.workers)
        print_scale(r)
        if args.json:
            print(json.dumps(r, ensure_ascii=False, default=str))
        if args.keep and not args.work:
            print(f"kept: {r['work']}")
        return 0
    args.repeat = args.repeat or 3
    from qa.assistant import Assistant

    t0 = time.perf_counter()
    assistant = Assistant.open(args.data_dir)
    load_ms = (time.perf_counter() - t0) * 1000
    qs = load_questions(args.questions)
    r = bench(assistant, qs, args.repeat)
    print(f"open: {load_ms:.0f} ms; questions: {len(qs)} x {args.repeat}")
    print(f"warm latency p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms, mean {r['mean_ms']:.1f} ms")
    ok = r["p50_ms"] <= 50 and r["p95_ms"] <= 200
    print("goal (p50 ≤ 50 ms, p95 ≤ 200 ms): " + ("met" if ok else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
