"""Gold items: loading, the fixed dev/test split and assembling the team's parts."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Iterable

log = logging.getLogger(__name__)

TYPES = (
    "lookup", "sum", "diff", "ratio", "yoy", "compare", "count", "list",
    "rationale", "policy", "unanswerable", "ambiguous",
)
SPLITS = ("dev", "test")


def split_of(item_id: str) -> str:
    """Fixed split rule: parity of the SHA-1 of the item id.

    Args:
        item_id: the gold item's id.

    Returns:
        "dev" or "test"; never depends on the item's content, so editing an item
        cannot move it between splits.
    """
    return SPLITS[int(hashlib.sha1(item_id.encode("utf-8")).hexdigest(), 16) % 2]


def load_items(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSONL file of gold items (blank lines and // comments skipped).

    Args:
        path: the JSONL file.

    Returns:
        The items in file order, each with "split" filled in by split_of.
    """
    items = []
    for no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("//"):
            continue
        try:
            item = json.loads(s)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{no}: invalid JSON: {e}") from e
        item["split"] = split_of(str(item.get("id", "")))
        items.append(item)
    return items


def select(items: Iterable[dict[str, Any]], split: str = "all", limit: int | None = None) -> list[dict[str, Any]]:
    """Items of one split ("dev", "test" or "all"), at most limit of them.

    Args:
        items: gold items (with or without "split").
        split: which split to keep.
        limit: cap on the number of items (None for all).
    """
    out = [it for it in items if split == "all" or split_of(str(it.get("id", ""))) == split]
    return out[:limit] if limit else out


def assemble(parts: list[str | Path], out: str | Path) -> int:
    """Concatenate gold part files into one JSONL (ids must be unique).

    Args:
        parts: part files in order; missing files are skipped with a warning.
        out: the assembled file to write.

    Returns:
        The number of items written.
    """
    seen: set[str] = set()
    lines: list[str] = []
    for part in parts:
        p = Path(part)
        if not p.exists():
            log.warning("gold part %s is missing; skipped", p)
            continue
        for item in load_items(p):
            item.pop("split", None)
            if item["id"] in seen:
                raise ValueError(f"duplicate gold id {item['id']} in {p}")
            seen.add(item["id"])
            lines.append(json.dumps(item, ensure_ascii=False))
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)
