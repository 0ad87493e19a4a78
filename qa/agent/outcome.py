"""What running an operation produced (Outcome) and the helpers every operation uses to
build one: an answered or not-found result and how a document is named in a reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from qa.agent.context import DocData, dept_key
from qa.agent.excerpts import Excerpt
from qa.types import Citation, Fact, ToolResult


@dataclass
class Outcome:
    """What executing a plan produced for one document (or a comparison)."""

    status: str  # answered | not_found | ambiguous
    op: str
    doc: DocData | None = None
    label: str = ""
    result: ToolResult | None = None
    citations: list[Citation] = field(default_factory=list)
    reason: str = ""  # not_found: why (Chinese)
    reason_en: str = ""
    items: list[str] = field(default_factory=list)
    excerpts: list[Excerpt] = field(default_factory=list)
    rate: ToolResult | None = None
    change: float | None = None  # signed change for yoy
    derived: str = ""  # e.g. "prior", "change", "rate"
    per_department: list[tuple[str, "Outcome"]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    winner: str = ""
    stated_rate: Fact | None = None  # the document's own stated growth rate, to check
    # two figures compared: the winner's lead over the other (a difference of two facts)
    margin: ToolResult | None = None
    runner_up: str = ""  # the other of the two
    ranking: list[str] = field(default_factory=list)  # a ranking's lines, first the one answered


def not_found(op: str, zh: str, en: str, doc: DocData | None = None) -> Outcome:
    return Outcome(status="not_found", op=op, doc=doc, reason=zh, reason_en=en)


def answered(op: str, dd: DocData, res: ToolResult, label: str) -> Outcome:
    return Outcome(status="answered", op=op, doc=dd, label=label, result=res, citations=list(res.citations))


def doc_label(dd: DocData) -> str:
    d = dd.document
    return f"{dept_key(d)}{d.year or ''}年{d.kind or ''}文件"


def doc_label_en(dd: DocData) -> str:
    d = dd.document
    kind = "budget" if d.kind == "预算" else "final accounts" if d.kind == "决算" else "document"
    return f"The {d.year or ''} {kind} of {dept_key(d)}"
