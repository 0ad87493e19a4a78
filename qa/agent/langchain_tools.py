"""The calculation tools as LangChain StructuredTools with typed (pydantic) arguments.

Tools refer to figures by fact id (``doc#index``) handed out by ``find_figures``, so a
model choosing tools can never inject a number: values always come from stored facts and
the safe evaluator. Every call's ToolResult is recorded in ``ToolBox.trace`` for the
deterministic verify/compose steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.tools import StructuredTool
from pydantic import BaseModel, Field

from qa.tools import ops
from qa.tools.facts import find_facts
from qa.types import Fact, ToolResult


class FindArgs(BaseModel):
    department: str = Field(description="department name or alias as written in the question, '' for all")
    metric: str = Field(description="what figure, in Chinese budget terms, e.g. 三公经费, 基本支出, 公务接待费")
    want: str = Field(default="total", description="'total' (this year), 'prior' (last year) or 'change' (vs last year)")


class IdsArgs(BaseModel):
    fact_ids: list[str] = Field(description="fact ids returned by find_figures")


class PairArgs(BaseModel):
    a: str = Field(description="fact id of the first figure (minuend / part / current)")
    b: str = Field(description="fact id of the second figure (subtrahend / whole / prior)")


class ListArgs(BaseModel):
    department: str = Field(description="department name or alias")
    what: str = Field(description="what to list or count: 处室, 科室, 项目 …")


def _result_dict(res: ToolResult) -> dict[str, Any]:
    return {
        "value": res.value,
        "unit": res.unit,
        "computation": res.computation,
        "citations": [{"doc": c.doc, "line": c.line, "quote": c.quote} for c in res.citations],
        "note": res.note,
    }


@dataclass
class ToolBox:
    """Tools bound to a Context, with a record of what they computed.

    Attributes:
        ctx: qa.agent.context.Context.
        trace: every ToolResult produced, in call order.
    """

    ctx: Any
    trace: list[ToolResult] = field(default_factory=list)
    _facts: dict[str, Fact] = field(default_factory=dict)

    def _docs_for(self, department: str) -> list[Any]:
        from qa.agent.resolve import resolve
        from qa.agent.understand import prepare

        if not department:
            return list(self.ctx.docs.values())
        res = resolve(prepare(department), self.ctx.aliases, want_all=True)
        names = res.departments or res.ambiguous
        return [d for n in names for d in self.ctx.by_department(n)]

    def find_figures(self, department: str, metric: str, want: str = "total") -> list[dict[str, Any]]:
        """Candidate figures for a metric, best first, each with a fact id."""
        out = []
        for dd in self._docs_for(department):
            for m in find_facts(dd.facts, metric, want=want, limit=3):
                fid = f"{dd.document.name}#{dd.facts.index(m.fact)}"
                self._facts[fid] = m.fact
                out.append({"id": fid, "department": dd.document.department, "label": m.fact.label,
                            "column": m.fact.column, "value": m.fact.value, "unit": m.fact.unit,
                            "table": m.fact.table_title, "score": round(m.score, 3)})
        return out

    def _get(self, fid: str) -> Fact:
        if fid not in self._facts:
            doc, _, i = fid.partition("#")
            dd = self.ctx.docs.get(doc)
            if dd is None or not i.isdigit() or int(i) >= len(dd.facts):
                raise ValueError(f"unknown fact id {fid!r}; call find_figures first")
            self._facts[fid] = dd.facts[int(i)]
        return self._facts[fid]

    def _record(self, res: ToolResult) -> dict[str, Any]:
        self.trace.append(res)
        return _result_dict(res)

    def lookup(self, fact_ids: list[str]) -> dict[str, Any]:
        return self._record(ops.lookup(self._get(fact_ids[0])))

    def total(self, fact_ids: list[str]) -> dict[str, Any]:
        return self._record(ops.total([self._get(i) for i in fact_ids]))

    def difference(self, a: str, b: str) -> dict[str, Any]:
        return self._record(ops.difference(self._get(a), self._get(b)))

    def share(self, a: str, b: str) -> dict[str, Any]:
        return self._record(ops.share(self._get(a), self._get(b)))

    def growth(self, a: str, b: str) -> dict[str, Any]:
        diff, rate = ops.growth(self._get(a), self._get(b))
        out = self._record(diff)
        out["rate"] = rate.value if rate else None
        return out

    def list_items(self, department: str, what: str) -> dict[str, Any]:
        from qa.agent.plan import do_count
        from qa.agent.understand import understand

        for dd in self._docs_for(department):
            o = do_count(understand(what), dd)
            if o.items:
                res = ToolResult(float(len(o.items)), "个", operands=[], note="、".join(o.items))
                self.trace.append(res)
                return {"count": len(o.items), "items": o.items,
                        "citations": [{"doc": c.doc, "line": c.line, "quote": c.quote} for c in o.citations]}
        return {"count": 0, "items": [], "note": "no such list in the documents"}

    def tools(self) -> list[StructuredTool]:
        """The StructuredTools an LLM agent may call."""
        return [
            StructuredTool.from_function(self.find_figures, name="find_figures", args_schema=FindArgs,
                                         description="Find candidate figures (with fact ids) for a metric of a department."),
            StructuredTool.from_function(self.lookup, name="lookup", args_schema=IdsArgs,
                                         description="Report one figure (first id) with its citation."),
            StructuredTool.from_function(self.total, name="sum", args_schema=IdsArgs,
                                         description="Add several figures."),
            StructuredTool.from_function(self.difference, name="difference", args_schema=PairArgs,
                                         description="a minus b."),
            StructuredTool.from_function(self.share, name="share", args_schema=PairArgs,
                                         description="a as a percentage of b."),
            StructuredTool.from_function(self.growth, name="yoy", args_schema=PairArgs,
                                         description="Change from b (last year) to a (this year), with the rate."),
            StructuredTool.from_function(self.list_items, name="list_items", args_schema=ListArgs,
                                         description="List or count named items (处室, 科室, 项目)."),
        ]
