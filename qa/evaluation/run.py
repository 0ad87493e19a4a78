"""Run an answer function over gold items and aggregate the scores per type."""

from __future__ import annotations

import logging
import re
import statistics
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from qa.evaluation.gold import TYPES, split_of
from qa.evaluation.score import faithful_citations, score_item

log = logging.getLogger(__name__)

AskFn = Callable[[str], dict[str, Any]]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def language(question: str) -> str:
    """"en" when Latin letters dominate (an English question may quote a Chinese term), else "zh"."""
    q = question or ""
    return "en" if len(_LATIN.findall(q)) > 2 * len(_CJK.findall(q)) else "zh"


@dataclass
class ItemResult:
    """One item's outcome for one system."""

    id: str
    type: str
    split: str
    lang: str
    question: str
    correct: bool
    reason: str
    latency: float
    cites_found: int
    cites_total: int
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class Summary:
    """Aggregates over a list of ItemResult."""

    n: int
    accuracy: float
    per_type: dict[str, tuple[int, float]]  # type -> (n, accuracy)
    per_lang: dict[str, tuple[int, float]]
    faithfulness: float | None  # None when no citations at all
    citations: int
    latency_p50: float
    latency_p95: float
    errors: int


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    # nearest-rank percentile: well defined for small samples
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))
    return s[k]


def run_items(
    items: Iterable[dict[str, Any]],
    ask: AskFn,
    doc_squeezed: Callable[[str], str | None],
    *,
    progress: bool = True,
    desc: str = "eval",
) -> list[ItemResult]:
    """Ask every item's question and score the answer.

    Args:
        items: gold items.
        ask: question -> Answer.to_dict(); exceptions count as wrong answers.
        doc_squeezed: document name -> whitespace-free text (for citation faithfulness).
        progress: show a tqdm progress bar on stderr.
        desc: progress bar label.
    """
    items = list(items)
    it: Iterable[dict[str, Any]] = items
    if progress:
        from tqdm import tqdm

        it = tqdm(items, desc=desc, unit="q")
    out: list[ItemResult] = []
    for item in it:
        t0 = time.perf_counter()
        try:
            answer = ask(item["question"])
            err = None
        except Exception as e:  # a crash on one question must not stop the run
            log.warning("%s: %s raised %s: %s", desc, item.get("id"), type(e).__name__, e)
            answer, err = {"status": "error", "answer": str(e), "citations": []}, e
        latency = time.perf_counter() - t0
        sc = score_item(item, answer)
        found, total = faithful_citations(answer, doc_squeezed)
        out.append(
            ItemResult(
                id=str(item["id"]),
                type=str(item.get("type")),
                split=split_of(str(item["id"])),
                lang=language(item["question"]),
                question=item["question"],
                correct=sc.correct,
                reason=sc.reason if err is None else f"error: {err}",
                latency=latency,
                cites_found=found,
                cites_total=total,
                answer=answer,
            )
        )
    return out


def summarize(results: list[ItemResult]) -> Summary:
    """Accuracy overall, per type and per language; faithfulness; latency percentiles.

    Args:
        results: outcomes of one system.
    """
    def acc(rs: list[ItemResult]) -> float:
        return sum(r.correct for r in rs) / len(rs) if rs else 0.0

    per_type = {}
    for t in TYPES:
        rs = [r for r in results if r.type == t]
        if rs:
            per_type[t] = (len(rs), acc(rs))
    per_lang = {}
    for lang in ("zh", "en"):
        rs = [r for r in results if r.lang == lang]
        if rs:
            per_lang[lang] = (len(rs), acc(rs))
    total = sum(r.cites_total for r in results)
    found = sum(r.cites_found for r in results)
    lat = [r.latency for r in results]
    return Summary(
        n=len(results),
        accuracy=acc(results),
        per_type=per_type,
        per_lang=per_lang,
        faithfulness=(found / total) if total else None,
        citations=total,
        latency_p50=statistics.median(lat) if lat else 0.0,
        latency_p95=_percentile(lat, 95),
        errors=sum(1 for r in results if r.answer.get("status") == "error"),
    )
