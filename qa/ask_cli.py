"""`qa ask`: one question (readable or --json) or a JSONL batch, over one loaded index."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import IO

from qa.types import Answer

log = logging.getLogger(__name__)


def render_text(ans: Answer) -> str:
    """A readable answer: status, text, computation, warnings and numbered sources."""
    out = []
    if ans.status != "answered":
        out.append(f"[{ans.status}]")
    out.append(ans.answer)
    if ans.candidates:
        out.append("候选 / candidates: " + "; ".join(ans.candidates))
    if ans.citations:
        out.append("来源 / sources:")
        for i, c in enumerate(ans.citations, 1):
            quote = " ".join(c.quote.split())
            out.append(f"  [{i}] {c.doc}:{c.line}  “{quote}”")
    return "\n".join(out)


def _batch(assistant, path: str, stream: IO[str]) -> int:
    """Answer every line; lines sharing a "session" value are one conversation, in file
    order (a follow-up takes over what it leaves out from the earlier lines)."""
    from qa.agent.followup import Conversation

    sessions: dict[str, Conversation] = {}
    bad = 0
    with open(path, encoding="utf-8") as fh:
        for n, raw in enumerate(fh, 1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                item = json.loads(raw)
                qid, question = item.get("id"), item["question"]
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
                bad += 1
                print(f"error: {path}:{n}: not a {{\"id\", \"question\"}} object ({exc})", file=sys.stderr)
                continue
            session = item.get("session")
            conv = sessions.setdefault(str(session), Conversation()) if session is not None else None
            row = {"id": qid, **assistant.ask(str(question), conv).to_dict()}
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            stream.flush()
    return 1 if bad else 0


def run(args: argparse.Namespace) -> int:
    """Run `qa ask`.

    Args:
        args: parsed arguments with data_dir, json, batch, question.

    Returns:
        0 on success, 2 on usage errors, 1 when batch lines were malformed.
    """
    from qa.assistant import Assistant

    if not args.batch and not args.question:
        print("error: give a question or --batch FILE.jsonl", file=sys.stderr)
        return 2
    assistant = Assistant.open(getattr(args, "data_dir", None))
    if not assistant.ctx.docs:
        print("warning: the index is empty; run `qa ingest PATH` first", file=sys.stderr)
    if args.batch:
        try:
            return _batch(assistant, args.batch, sys.stdout)
        except OSError as exc:
            print(f"error: cannot read {args.batch}: {exc}", file=sys.stderr)
            return 2
    ans = assistant.ask(args.question)
    if args.json:
        print(json.dumps(ans.to_dict(), ensure_ascii=False))
    else:
        print(render_text(ans))
    return 0


def chat(args: argparse.Namespace, stdin: IO[str] | None = None) -> int:
    """`qa chat`: an interactive prompt; each question may follow up on the ones before.

    Args:
        args: parsed arguments with data_dir and json.
        stdin: where questions are read from (default sys.stdin); an empty line or EOF ends.
    """
    from qa.agent.followup import Conversation
    from qa.assistant import Assistant

    stream = stdin or sys.stdin
    assistant = Assistant.open(getattr(args, "data_dir", None))
    conv = Conversation()
    interactive = stream.isatty()
    while True:
        if interactive:
            print("? ", end="", flush=True)
        line = stream.readline()
        if not line or not line.strip():
            return 0
        ans = assistant.ask(line.strip(), conv)
        print(json.dumps(ans.to_dict(), ensure_ascii=False) if args.json else render_text(ans) + "\n", flush=True)
