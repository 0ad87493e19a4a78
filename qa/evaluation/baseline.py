"""A plain LangChain RAG baseline: top-k dense retrieval, then the first amount.

No tools, no planner, no arithmetic: the retriever (the project's own index over the same
chunks and embeddings) returns the top-k chunks; a RunnableLambda takes the first number
in them that carries the unit the question seems to want and returns the retrieved text
as the answer. Scored exactly like the agent, so the report shows what the agent adds.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from qa.text.normalize import NUMBER_PATTERN, parse_number, to_halfwidth

log = logging.getLogger(__name__)

TOP_K = 4
_MONEY = r"(亿元|万元|千元|元)"
_WANT = (
    ("%", re.compile(r"%|％|百分|比例|比重|占|增长率|percent|share|proportion|rate", re.I)),
    ("人", re.compile(r"多少人|人数|编制|headcount|staff|employees|people", re.I)),
    ("辆", re.compile(r"辆|车辆|vehicles?|cars?", re.I)),
    ("个", re.compile(r"几个|多少个|how many", re.I)),
)


def wanted_unit(question: str) -> str:
    """The unit a question asks for, guessed from cue words ("money" by default)."""
    for unit, rx in _WANT:
        if rx.search(question):
            return unit
    return "money"


def first_amount(text: str, unit: str, default_money_unit: str = "万元") -> tuple[float, str, str] | None:
    """First number in text that carries the wanted unit.

    Args:
        text: retrieved text.
        unit: "money", "%", "人", "辆" or "个".
        default_money_unit: unit assumed for bare decimals in tables.

    Returns:
        (value, unit, matched text) or None.
    """
    t = to_halfwidth(text)
    if unit == "money":
        m = re.search(rf"({NUMBER_PATTERN})\s*{_MONEY}", t)
        if m:
            return parse_number(m.group(1)), m.group(2), m.group(0)
        # table rows print amounts without a unit: take the first decimal amount
        m = re.search(r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\d.])", t)
        if m:
            return parse_number(m.group(1)), default_money_unit, m.group(0)
        return None
    m = re.search(rf"({NUMBER_PATTERN})\s*{re.escape(unit)}", t)
    if m:
        return parse_number(m.group(1)), unit, m.group(0)
    return None


class BaselineRAG:
    """retriever | RunnableLambda(first amount) over the project's index.

    Args:
        index: a qa.store.index.Index (search_dense, lines, document).
        k: number of chunks retrieved.
    """

    def __init__(self, index: Any, k: int = TOP_K):
        from langchain_core.documents import Document as LCDocument
        from langchain_core.runnables import RunnableLambda

        self.index = index
        self.k = k

        def retrieve(question: str) -> dict[str, Any]:
            hits = index.search_dense(question, k=self.k)
            docs = [
                LCDocument(
                    page_content=ch.text,
                    metadata={"doc": ch.doc, "line_start": ch.line_start, "line_end": ch.line_end},
                )
                for ch, _score in hits
            ]
            return {"question": question, "docs": docs}

        self.chain = RunnableLambda(retrieve) | RunnableLambda(self._answer)

    def _source_line(self, doc: str, start: int, end: int, needle: str) -> tuple[str, int]:
        lines = self.index.lines(doc)
        squeezed = re.sub(r"\s+", "", needle)
        for no in range(max(1, start), min(len(lines), end) + 1):
            if squeezed and squeezed in re.sub(r"\s+", "", to_halfwidth(lines[no - 1])):
                return lines[no - 1], no
        return (lines[start - 1] if 0 < start <= len(lines) else ""), start

    def _answer(self, state: dict[str, Any]) -> dict[str, Any]:
        question, docs = state["question"], state["docs"]
        if not docs:
            return {"status": "not_found", "answer": "", "value": None, "unit": None,
                    "computation": None, "citations": [], "candidates": [], "warnings": []}
        unit = wanted_unit(question)
        value = got_unit = None
        citations = []
        for d in docs:
            meta = d.metadata
            document = self.index.document(meta["doc"])
            hit = first_amount(d.page_content, unit, getattr(document, "unit", None) or "万元")
            if hit:
                value, got_unit, matched = hit
                quote, line = self._source_line(meta["doc"], meta["line_start"], meta["line_end"], matched)
                citations.append({"doc": meta["doc"], "quote": quote, "line": line})
                break
        context = "\n".join(d.page_content for d in docs[:2])
        if not citations:
            m = docs[0].metadata
            quote, line = self._source_line(m["doc"], m["line_start"], m["line_end"], "")
            citations.append({"doc": m["doc"], "quote": quote, "line": line})
        text = (f"{value:g} {got_unit}\n" if value is not None else "") + context
        return {"status": "answered", "answer": text, "value": value, "unit": got_unit,
                "computation": None, "citations": citations, "candidates": [], "warnings": []}

    def ask(self, question: str) -> dict[str, Any]:
        """Answer one question; returns the Answer.to_dict() shape."""
        return self.chain.invoke(question)
