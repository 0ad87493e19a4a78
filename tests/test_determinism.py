"""Answers do not depend on the interpreter's hash seed: every order that decides between
equal candidates is the question's or the document's, never a set's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _answers(index_dir: Path, batch: Path, seed: str) -> list[dict]:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    r = subprocess.run([sys.executable, "-m", "qa.cli", "--data-dir", str(index_dir), "ask", "--json", "--batch", str(batch)],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def test_two_hash_seeds_give_the_same_answers(index_dir, tmp_path):
    items = [json.loads(x) for x in (ROOT / "evals" / "blind" / "b10_users_voice.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join(json.dumps({"id": it["id"], "question": it["question"]}, ensure_ascii=False) for it in items),
                     encoding="utf-8")
    one, two = _answers(index_dir, batch, "0"), _answers(index_dir, batch, "1")
    assert len(one) == len(two) == len(items)
    differ = [a["id"] for a, b in zip(one, two) if (a["status"], a["value"], a["answer"]) != (b["status"], b["value"], b["answer"])]
    assert not differ, differ
