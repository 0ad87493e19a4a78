"""Scoring conversations: each turn scored like a gold item, reported per turn position.

A conversation file has one object per line: {"id", "turns": [gold item, ...]}. The turns
are asked in order through one Conversation, as `qa ask --batch` does for lines sharing a
"session", so a later turn is answered with what the earlier ones said.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from qa.evaluation.score import score_item


@dataclass(frozen=True)
class TurnResult:
    """One turn's outcome."""

    conversation: str
    position: int  # 1-based
    question: str
    correct: bool
    reason: str


def load_conversations(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file of conversations (blank lines skipped)."""
    out = []
    for no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            conv = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{no}: invalid JSON: {e}") from e
        if not isinstance(conv.get("turns"), list) or not conv["turns"]:
            raise ValueError(f"{path}:{no}: a conversation needs a non-empty 'turns' list")
        out.append(conv)
    return out


def run_conversations(conversations: list[dict[str, Any]],
                      ask: Callable[[str, Any], dict[str, Any]],
                      new_conversation: Callable[[], Any]) -> list[TurnResult]:
    """Ask every turn in order within its conversation and score it.

    Args:
        conversations: as load_conversations returns.
        ask: (question, conversation state) -> Answer.to_dict().
        new_conversation: makes the state of a new conversation.
    """
    results = []
    for conv in conversations:
        state = new_conversation()
        for i, turn in enumerate(conv["turns"], 1):
            ans = ask(turn["question"], state)
            s = score_item(turn, ans)
            results.append(TurnResult(str(conv.get("id", "")), i, turn["question"], s.correct, s.reason))
    return results


def by_position(results: list[TurnResult]) -> dict[int, tuple[int, int]]:
    """Turn position -> (correct, total)."""
    out: dict[int, list[int]] = {}
    for r in results:
        c = out.setdefault(r.position, [0, 0])
        c[0] += int(r.correct)
        c[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}
