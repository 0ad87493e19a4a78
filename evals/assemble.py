"""Assemble evals/gold.jsonl from the team's parts (gold_a.jsonl, gold_b.jsonl).

Usage: .venv/bin/python evals/assemble.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from qa.evaluation.gold import assemble  # noqa: E402

PARTS = [HERE / "gold_a.jsonl", HERE / "gold_b.jsonl"]

if __name__ == "__main__":
    n = assemble(PARTS, HERE / "gold.jsonl")
    print(f"{n} items -> {HERE / 'gold.jsonl'}")
