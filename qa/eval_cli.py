"""`qa eval [FILE] [--split dev|test|all] [--min SCORE] [--no-baseline] [--limit N]`.

Runs the assistant (and the RAG baseline) over gold items, writes the report to
evals/reports/ (or $QA_EVAL_REPORTS) and prints "score: X" as the last line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)

DEFAULT_GOLD = "evals/gold.jsonl"
DEFAULT_REPORTS = "evals/reports"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Register the eval arguments on a (sub)parser.

    Args:
        p: the parser for the `eval` sub-command.
    """
    p.add_argument("file", nargs="?", default=DEFAULT_GOLD, help="gold JSONL (default evals/gold.jsonl)")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all")
    p.add_argument("--min", type=float, default=None, help="exit non-zero when the score is below this")
    p.add_argument("--no-baseline", action="store_true", help="skip the RAG baseline")
    p.add_argument("--limit", type=int, default=None, help="evaluate at most N items")


def _squeezed_docs(index: Any) -> Callable[[str], str | None]:
    from qa.text.normalize import squeeze

    cache: dict[str, str | None] = {}

    def get(name: str) -> str | None:
        if name not in cache:
            try:
                lines = index.lines(name)
            except Exception:  # unknown document: the citation is simply unfaithful
                lines = []
            cache[name] = squeeze("\n".join(lines)) if lines else None
        return cache[name]

    return get


def _is_conversations(path: Path) -> bool:
    """A conversations file: its first object has "turns"."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.strip().startswith("//"):
            try:
                return "turns" in json.loads(line)
            except ValueError:
                return False
    return False


def _run_conversations(args: argparse.Namespace, path: Path) -> int:
    """Score conversations turn by turn and print the accuracy per turn position."""
    from qa.agent.followup import Conversation
    from qa.assistant import Assistant
    from qa.evaluation.conversations import by_position, load_conversations, run_conversations

    try:
        convs = load_conversations(path)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    assistant = Assistant.open(getattr(args, "data_dir", None))
    results = run_conversations(convs, lambda q, c: assistant.ask(q, c).to_dict(), Conversation)
    for r in results:
        if not r.correct:
            print(f"  wrong: {r.conversation} turn {r.position}: {r.question} ({r.reason})")
    pos = by_position(results)
    for p, (c, n) in pos.items():
        print(f"turn {p}: {c}/{n} = {c / n:.3f}")
    ok = sum(c for c, _ in pos.values())
    total = sum(n for _, n in pos.values())
    score = ok / total if total else 0.0
    print(f"score: {score:.3f}")
    threshold = getattr(args, "min", None)
    return 1 if threshold is not None and score < threshold else 0


def run(args: argparse.Namespace) -> int:
    """Entry point for `qa eval`.

    Args:
        args: parsed arguments (file, split, min, no_baseline, limit, data_dir).

    Returns:
        0 when the score is at least --min (or no --min), 1 below it, 2 on bad input.
    """
    from qa.evaluation.gold import load_items, select
    from qa.evaluation.report import write_report
    from qa.evaluation.run import run_items, summarize

    path = Path(getattr(args, "file", None) or DEFAULT_GOLD)
    if not path.exists() and not path.is_absolute():
        # `qa eval` from outside the checkout still finds the shipped gold set
        shipped = Path(__file__).resolve().parents[1] / path
        path = shipped if shipped.exists() else path
    if not path.exists():
        print(f"error: gold file not found: {path}", file=sys.stderr)
        return 2
    if _is_conversations(path):
        return _run_conversations(args, path)
    try:
        items = select(load_items(path), getattr(args, "split", "all") or "all", getattr(args, "limit", None))
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not items:
        print(f"error: no items in {path} for split {args.split}", file=sys.stderr)
        return 2

    from qa.assistant import Assistant

    assistant = Assistant.open(getattr(args, "data_dir", None))
    if not assistant.index.documents():
        # scoring an empty index would only measure "not_found" answers
        print("error: no documents in the index; run `qa ingest corpus/` first", file=sys.stderr)
        return 2
    docs = _squeezed_docs(assistant.index)

    def ask(q: str) -> dict[str, Any]:
        return assistant.ask(q).to_dict()

    results = run_items(items, ask, docs, desc="agent")
    agent = summarize(results)
    baseline = None
    if not getattr(args, "no_baseline", False):
        from qa.evaluation.baseline import BaselineRAG

        try:
            rag = BaselineRAG(assistant.index)
            baseline = summarize(run_items(items, rag.ask, docs, desc="baseline"))
        except Exception as e:  # the baseline is informative only; never fail the run for it
            log.warning("baseline failed: %s", e)
            print(f"warning: baseline skipped: {e}", file=sys.stderr)

    split = getattr(args, "split", "all") or "all"
    out_dir = os.environ.get("QA_EVAL_REPORTS") or DEFAULT_REPORTS
    md = write_report(out_dir, split, str(path), agent, results, baseline)

    for t, (n, acc) in agent.per_type.items():
        b = f"  baseline {baseline.per_type[t][1]:.3f}" if baseline and t in baseline.per_type else ""
        print(f"{t:<13} n={n:<4} accuracy {acc:.3f}{b}")
    faith = "–" if agent.faithfulness is None else f"{agent.faithfulness:.3f}"
    print(f"citation faithfulness {faith}  latency p50 {agent.latency_p50:.3f}s p95 {agent.latency_p95:.3f}s")
    if baseline:
        print(f"baseline score {baseline.accuracy:.3f}")
    print(f"report: {md}")
    print(f"score: {agent.accuracy:.3f}")
    minimum = getattr(args, "min", None)
    if minimum is not None and agent.accuracy < minimum:
        print(f"score {agent.accuracy:.3f} is below --min {minimum}", file=sys.stderr)
        # keep "score:" as the last stdout line; the message above goes to stderr
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry: `python -m qa.eval_cli [--data-dir DIR] ...`."""
    p = argparse.ArgumentParser(prog="qa eval")
    p.add_argument("--data-dir", default=None)
    add_arguments(p)
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
