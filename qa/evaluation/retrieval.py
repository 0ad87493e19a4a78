"""How well retrieval finds the gold evidence: `python -m qa.evaluation.retrieval FILES`.

The answer scores barely depend on dense retrieval (it is the fallback of rationale and
policy questions), so they cannot tell whether a change to what is embedded hurt it. This
check can: for every gold item with evidence, the lines its quotes stand on are looked up
in the index, and a search counts as a hit when one of its top-k chunks covers such a line.
Three searches are scored, the way the answering and the baseline use them: dense and hybrid
(BM25 + dense, RRF) inside the evidence's document, and dense over the whole index.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

# the question types whose answers fall back on retrieval (qa.agent.operations.rationale)
RETRIEVING_TYPES = ("rationale", "policy")


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def evidence_lines(lines: list[str], quote: str) -> set[int]:
    """1-based numbers of the lines a quote stands on (its start, matched without spaces).

    Args:
        lines: the document's lines.
        quote: the evidence quote.
    """
    probe = _squeeze(quote)[:12]
    if not probe:
        return set()
    return {no for no, line in enumerate(lines, 1) if probe in _squeeze(line)}


@dataclass
class Tally:
    """Hits of each search over a group of items."""

    items: int = 0
    hits: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, hit: bool) -> None:
        self.hits[name] = self.hits.get(name, 0) + int(hit)

    def rate(self, name: str) -> float:
        return self.hits.get(name, 0) / self.items if self.items else 0.0


SEARCHES = ("dense@6 in doc", "hybrid@6 in doc", "dense@8 all")


def check(index: Any, items: list[dict[str, Any]]) -> dict[str, Tally]:
    """Tallies per group ("rationale+policy", "other") over items with findable evidence.

    Args:
        index: a qa.store.index.Index over the documents the items cite.
        items: gold items ("question", "type", "evidence": [{"doc", "quote"}]).
    """
    from qa.retrieval import hybrid_search

    known = {d.name for d in index.documents()}
    groups = {"rationale+policy": Tally(), "other": Tally()}
    lines_of: dict[str, list[str]] = {}
    for item in items:
        wanted: dict[str, set[int]] = {}
        for ev in item.get("evidence") or []:
            doc = ev.get("doc")
            if doc not in known:
                continue
            if doc not in lines_of:
                lines_of[doc] = index.lines(doc)
            found = evidence_lines(lines_of[doc], str(ev.get("quote") or ""))
            if found:
                wanted.setdefault(doc, set()).update(found)
        if not wanted:
            continue
        doc = next(iter(wanted))
        tally = groups["rationale+policy" if item.get("type") in RETRIEVING_TYPES else "other"]
        tally.items += 1
        question = str(item["question"])

        def covers(hits: list) -> bool:
            return any(c.doc in wanted and any(c.line_start <= n <= c.line_end for n in wanted[c.doc])
                       for c, _ in hits)

        tally.add(SEARCHES[0], covers(index.search_dense(question, k=6, docs=[doc])))
        tally.add(SEARCHES[1], covers(hybrid_search(index, question, k=6, docs=[doc])))
        tally.add(SEARCHES[2], covers(index.search_dense(question, k=8)))
    return groups


def main(argv: list[str] | None = None) -> int:
    """Print hit rates per group and search for gold files over an index."""
    from qa.evaluation.gold import load_items
    from qa.store.index import Index

    p = argparse.ArgumentParser(prog="python -m qa.evaluation.retrieval", description=__doc__)
    p.add_argument("--data-dir", default=None, help="the index (default: QA_DATA_DIR or .qa)")
    p.add_argument("files", nargs="+", help="gold JSONL files")
    args = p.parse_args(argv)
    from qa.config import load_settings

    data_dir = args.data_dir or load_settings().data_dir
    items = [it for f in args.files for it in load_items(f)]
    with Index(data_dir) as index:
        groups = check(index, items)
    print(f"{'group':18} {'items':>5} " + " ".join(f"{s:>16}" for s in SEARCHES))
    for name, t in groups.items():
        print(f"{name:18} {t.items:5} " + " ".join(f"{t.rate(s):16.3f}" for s in SEARCHES))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
