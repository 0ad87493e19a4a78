"""Warm-latency benchmark of `Assistant.ask`: p50 / p95 over a question set.

Usage: ``python -m qa.bench [--data-dir DIR] [--questions FILE.jsonl] [--repeat N]``.
Goal on the 2-core machine: p50 ≤ 150 ms, p95 ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
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
    """Time each question after one warm-up pass.

    Args:
        assistant: an opened Assistant.
        questions: the question set.
        repeat: timed passes over the set.

    Returns:
        {"n", "p50_ms", "p95_ms", "max_ms", "mean_ms"}.
    """
    for q in questions:  # warm-up: caches, lazy imports, BM25 build
        assistant.ask(q)
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
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the figures, exit 0."""
    p = argparse.ArgumentParser(prog="python -m qa.bench", description=__doc__)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--questions", default=None, help="JSONL with a 'question' field per line")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    from qa.assistant import Assistant

    t0 = time.perf_counter()
    assistant = Assistant.open(args.data_dir)
    load_ms = (time.perf_counter() - t0) * 1000
    qs = load_questions(args.questions)
    r = bench(assistant, qs, args.repeat)
    print(f"open: {load_ms:.0f} ms; questions: {len(qs)} x {args.repeat}")
    print(f"warm latency p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms, mean {r['mean_ms']:.1f} ms")
    ok = r["p50_ms"] <= 150 and r["p95_ms"] <= 500
    print("goal (p50 ≤ 150 ms, p95 ≤ 500 ms): " + ("met" if ok else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
