"""Validate gold items against the documents they quote.

Every evidence quote must occur in its document apart from whitespace, and every
computation "lhs = rhs" must hold to the printed precision of rhs with rhs equal to the
item's value. Arithmetic is parsed by a tiny tokenizer and recursive-descent parser
(never eval()), because gold files are data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from qa.evaluation.gold import TYPES
from qa.text.normalize import squeeze

_TOKEN = re.compile(r"\s*(?:(\d[\d,]*(?:\.\d+)?|\.\d+)|([-+*/×÷()]))")


class ComputationError(ValueError):
    """A computation string that is not plain arithmetic."""


def tokenize(expr: str) -> list[str]:
    """Split an arithmetic expression into numbers and operators.

    Args:
        expr: e.g. "198.19 + 64.57 - (1,2.5)"; thousands separators are allowed.

    Raises:
        ComputationError: on any other character.
    """
    tokens: list[str] = []
    pos = 0
    expr = expr.rstrip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise ComputationError(f"unexpected text at {expr[pos:pos + 10]!r}")
        tokens.append(m.group(1) or {"×": "*", "÷": "/"}.get(m.group(2), m.group(2)))
        pos = m.end()
    return tokens


def evaluate(expr: str) -> float:
    """Evaluate + - * / and parentheses over decimal numbers.

    Args:
        expr: arithmetic text.

    Returns:
        The value.

    Raises:
        ComputationError: on malformed input or division by zero.
    """
    tokens = tokenize(expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise ComputationError("unexpected end of expression")
        pos += 1
        return tokens[pos - 1]

    def atom() -> float:
        t = take()
        if t == "(":
            v = expr_()
            if take() != ")":
                raise ComputationError("missing )")
            return v
        if t in "+-":
            v = atom()
            return v if t == "+" else -v
        if t[0].isdigit() or t[0] == ".":
            return float(t.replace(",", ""))
        raise ComputationError(f"unexpected {t!r}")

    def term() -> float:
        v = atom()
        while peek() in ("*", "/"):
            op = take()
            r = atom()
            if op == "/" and r == 0:
                raise ComputationError("division by zero")
            v = v * r if op == "*" else v / r
        return v

    def expr_() -> float:
        v = term()
        while peek() in ("+", "-"):
            op = take()
            r = term()
            v = v + r if op == "+" else v - r
        return v

    v = expr_()
    if pos != len(tokens):
        raise ComputationError(f"trailing {tokens[pos]!r}")
    return v


def decimals(number_text: str) -> int:
    """Decimal places printed in a number ("2.41" -> 2, "7" -> 0)."""
    t = number_text.strip().replace(",", "")
    return len(t.split(".", 1)[1]) if "." in t else 0


def check_computation(computation: str, value: float | None) -> str | None:
    """Check "lhs = rhs": lhs rounds to rhs and rhs equals value.

    Args:
        computation: e.g. "664.48 / 30365.28 * 100 = 2.19"; a trailing unit or % after
            rhs is ignored.
        value: the item's value (None skips the rhs == value check).

    Returns:
        None when it holds, else a message.
    """
    if computation.count("=") != 1:
        return f"computation needs exactly one '=': {computation!r}"
    lhs, rhs = computation.split("=")
    m = re.match(r"\s*([-+]?[\d,]*\.?\d+)", rhs)
    if not m:
        return f"right side is not a number: {rhs!r}"
    rhs_text = m.group(1)
    try:
        got = evaluate(lhs)
    except ComputationError as e:
        return f"cannot evaluate {lhs!r}: {e}"
    stated = float(rhs_text.replace(",", ""))
    tol = 0.5 * 10 ** -decimals(rhs_text) + 1e-9
    if abs(got - stated) > tol:
        return f"{lhs.strip()} = {got:.6g}, not {rhs_text}"
    if value is not None and abs(float(value) - stated) > 1e-9:
        return f"computation gives {rhs_text} but value is {value}"
    return None


@dataclass(frozen=True)
class Problem:
    """One validation failure."""

    item_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.item_id}: {self.message}"


_REQUIRED = ("id", "question", "type", "answer")


def _doc_text_loader(corpus_dir: str | Path) -> Callable[[str], str | None]:
    cache: dict[str, str | None] = {}

    def get(name: str) -> str | None:
        if name not in cache:
            p = Path(corpus_dir) / name
            cache[name] = p.read_text(encoding="utf-8") if p.exists() else None
        return cache[name]

    return get


def validate_item(item: dict[str, Any], doc_text: Callable[[str], str | None]) -> list[Problem]:
    """All problems of one gold item.

    Args:
        item: the gold item.
        doc_text: document name -> full text (None if unknown).
    """
    iid = str(item.get("id", "?"))
    out: list[Problem] = []
    for key in _REQUIRED:
        if not item.get(key):
            out.append(Problem(iid, f"missing {key}"))
    typ = item.get("type")
    if typ not in TYPES:
        out.append(Problem(iid, f"unknown type {typ!r}"))
    value = item.get("value")
    if value is not None and not isinstance(value, (int, float)):
        out.append(Problem(iid, "value must be a number"))
        value = None
    if value is not None and not item.get("unit"):
        out.append(Problem(iid, "numeric item without unit"))
    if typ in ("sum", "diff", "ratio") and value is not None and not item.get("computation"):
        out.append(Problem(iid, f"{typ} item needs a computation"))
    if item.get("computation"):
        msg = check_computation(item["computation"], value)
        if msg:
            out.append(Problem(iid, msg))
    if typ == "list" and not item.get("items"):
        out.append(Problem(iid, "list item needs items"))
    if typ == "ambiguous" and len(item.get("candidates") or []) < 2:
        out.append(Problem(iid, "ambiguous item needs at least two candidates"))
    if typ not in ("unanswerable", "ambiguous", "list") and value is None and not item.get("must_include"):
        out.append(Problem(iid, "text answer needs must_include"))
    if typ not in ("unanswerable", "ambiguous") and not item.get("evidence"):
        out.append(Problem(iid, "missing evidence"))
    for ev in item.get("evidence") or []:
        text = doc_text(ev.get("doc", ""))
        if text is None:
            out.append(Problem(iid, f"unknown document {ev.get('doc')!r}"))
            continue
        q = squeeze(ev.get("quote", ""))
        if not q:
            out.append(Problem(iid, "empty evidence quote"))
        elif q not in squeeze(text):
            out.append(Problem(iid, f"quote not in {ev['doc']}: {ev['quote'][:40]!r}"))
    return out


def validate_items(items: Iterable[dict[str, Any]], corpus_dir: str | Path = "corpus") -> list[Problem]:
    """Validate a gold set: each item, plus unique ids.

    Args:
        items: gold items.
        corpus_dir: where the documents named in evidence live.

    Returns:
        Every problem found (empty when the set is valid).
    """
    get = _doc_text_loader(corpus_dir)
    problems: list[Problem] = []
    seen: set[str] = set()
    for item in items:
        iid = str(item.get("id", "?"))
        if iid in seen:
            problems.append(Problem(iid, "duplicate id"))
        seen.add(iid)
        problems.extend(validate_item(item, get))
    return problems
