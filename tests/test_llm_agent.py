"""The optional LLM tool-calling loop, driven by a fake chat model: numbers come only
from tools, bad tool calls are survived, no tool call means the deterministic path."""

from __future__ import annotations

import json

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage

from qa.agent.context import Context, DocData
from qa.agent.llm import LLMAgent
from qa.assistant import Assistant
from qa.agent.langchain_tools import ToolBox
from qa.types import Document, Fact


class ToolCallingFake(FakeMessagesListChatModel):
    """A scripted chat model that accepts bind_tools (and records what it saw)."""

    seen: list = []

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        self.seen.append(list(messages))
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


def _ctx() -> Context:
    doc = Document(name="d.txt", department="某市住房公积金管理中心", year=2024, kind="预算", unit="万元", content_hash="")
    lines = ["表3 部门支出总体情况表", "总计 30.00 20.00 10.00", "公务接待费 1.60", "因公出国（境）费 0.40"]

    def f(label, column, value, line, quote):
        return Fact(doc="d.txt", department=doc.department, year=2024, table_no="3", table_title="部门支出总体情况表",
                    section="", code="", label=label, column=column, value=value, unit="万元", norm_value=value * 1e4,
                    line=line, quote=quote)

    facts = [f("总计", "合计", 30.0, 2, lines[1]), f("总计", "基本支出", 20.0, 2, lines[1]),
             f("公务接待费", "合计", 1.6, 3, lines[2]), f("因公出国（境）费", "合计", 0.4, 4, lines[3])]
    return Context.from_parts([DocData(doc, facts, lines, [], [], [])])


def _call(name, args, i):
    return {"name": name, "args": args, "id": f"call{i}", "type": "tool_call"}


def test_structured_tools_have_typed_args():
    box = ToolBox(_ctx())
    tools = {t.name: t for t in box.tools()}
    assert {"find_figures", "lookup", "sum", "difference", "share", "yoy", "list_items"} <= set(tools)
    assert "fact_ids" in tools["sum"].args and "metric" in tools["find_figures"].args
    found = tools["find_figures"].invoke({"department": "公积金中心", "metric": "公务接待费"})
    assert found[0]["value"] == 1.6
    with pytest.raises(Exception):
        tools["sum"].invoke({"fact_ids": "not a list"})


def test_llm_loop_numbers_come_from_tools():
    ctx = _ctx()
    box = ToolBox(ctx)
    ids = [r["id"] for r in box.find_figures("", "公务接待费")[:1] + box.find_figures("", "因公出国（境）费")[:1]]
    model = ToolCallingFake(responses=[
        AIMessage(content="", tool_calls=[_call("find_figures", {"department": "公积金中心", "metric": "公务接待费"}, 1)]),
        AIMessage(content="", tool_calls=[_call("sum", {"fact_ids": ids}, 2)]),
        AIMessage(content="The total is 999 (a made-up number the agent must not use)."),
    ])
    assistant = Assistant(index=None, ctx=ctx)
    ans = LLMAgent(assistant, model).ask("公务接待费和因公出国费合计多少？")
    assert ans is not None and ans.status == "answered"
    assert ans.value == pytest.approx(2.0) and ans.computation == "1.60 + 0.40 = 2.00"
    assert "999" not in ans.answer
    assert [c.line for c in ans.citations] == [3, 4]
    # the tool results went back to the model as ToolMessages
    last_seen = model.seen[-1]
    assert any(getattr(m, "type", "") == "tool" and "1.6" in m.content for m in last_seen)


def test_llm_bad_tool_calls_are_reported_back_not_raised():
    model = ToolCallingFake(responses=[
        AIMessage(content="", tool_calls=[_call("nope", {}, 1), _call("sum", {"fact_ids": ["d.txt#99"]}, 2)]),
        AIMessage(content="done"),
    ])
    ans = LLMAgent(Assistant(index=None, ctx=_ctx()), model).ask("合计？")
    assert ans is None  # nothing computed: the deterministic planner answers instead
    errors = [json.loads(m.content) for m in model.seen[-1] if getattr(m, "type", "") == "tool"]
    assert any("unknown tool" in e.get("error", "") for e in errors)
    assert any("unknown fact id" in e.get("error", "") for e in errors)


def test_assistant_falls_back_to_deterministic_when_llm_calls_no_tool():
    assistant = Assistant(index=None, ctx=_ctx())
    assistant._llm = LLMAgent(assistant, ToolCallingFake(responses=[AIMessage(content="I think 5.")]))
    ans = assistant.ask("公积金中心公务接待费是多少")
    assert ans.status == "answered" and ans.value == pytest.approx(1.6)


# --- the model as the question parser (QA_LLM_MODE=parse, the default) ---------------------------
class SlotFillingFake:
    """A chat model stand-in whose structured output is scripted (what with_structured_output
    of a real LangChain chat model returns: the schema's instance)."""

    def __init__(self, slots):
        self.slots, self.seen = slots, []

    def with_structured_output(self, schema):
        self.schema = schema
        return self

    def invoke(self, messages):
        self.seen.append(messages)
        if isinstance(self.slots, Exception):
            raise self.slots
        return self.schema(**self.slots)


def test_model_fills_the_program_and_numbers_come_from_facts():
    from qa.agent.llm_parse import LLMParser

    assistant = Assistant(index=None, ctx=_ctx())
    fake = SlotFillingFake({"operation": "sum", "items": ["公务接待费", "因公出国（境）费"],
                            "departments": ["公积金中心"]})
    assistant._parser = LLMParser(fake)
    ans = assistant.ask("招待和出国一共花多少")  # words the deterministic parser alone may miss
    assert ans.status == "answered" and ans.value == pytest.approx(2.0)
    assert ans.computation == "1.60 + 0.40 = 2.00" and [c.line for c in ans.citations] == [3, 4]
    # the instructions say the question is data and numbers are never the model's
    assert "never give numbers" in fake.seen[0][0].content


def test_a_failing_model_leaves_the_deterministic_parser():
    from qa.agent.llm_parse import LLMParser

    assistant = Assistant(index=None, ctx=_ctx())
    assistant._parser = LLMParser(SlotFillingFake(RuntimeError("server down")))
    ans = assistant.ask("公积金中心公务接待费是多少")
    assert ans.status == "answered" and ans.value == pytest.approx(1.6)
    # slots that make no question (no item) also fall back
    assistant._parser = LLMParser(SlotFillingFake({"operation": "lookup", "items": []}))
    assert assistant.ask("公积金中心公务接待费是多少").value == pytest.approx(1.6)
