"""Documents that claim to be the same disclosure: one department, year, kind and scope.

A 部门预算 and a 单位预算 of one body are different scopes (both legitimate); a second
file of the same scope is either another part of one disclosure (a narrative and its
tables, no figure in common), a copy (the figures they share agree) or a conflict (a
figure they share differs, e.g. one edited). Which file an answer reads would then
depend on the file names, so the conflicts are reported (ingest, `qa check`, the web
app) and answers over them say so, until one is removed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from qa.tools.facts import norm_label
from qa.types import Document, Fact

# The scopes a title names, as the word before its kind (部门预算, 单位决算).
SCOPES = ("部门", "单位")
# Differing figures listed per group (the count is always complete).
SHOWN = 5


@dataclass(frozen=True)
class Difference:
    """One figure two documents both state, with different values."""

    label: str
    column: str
    values: tuple[tuple[str, float], ...]  # (document, value) per document that states it


@dataclass(frozen=True)
class Conflict:
    """Documents claiming one department, year, kind and scope.

    Attributes:
        department, year, kind, scope: the shared claim ("" scope: the title names none).
        docs: the documents' names, sorted.
        shared: figures stated by at least two of them.
        differing: how many of those differ.
        examples: up to SHOWN of the differing figures.
    """

    department: str
    year: int | None
    kind: str
    scope: str
    docs: tuple[str, ...]
    shared: int
    differing: int
    examples: tuple[Difference, ...] = ()

    @property
    def severity(self) -> str:
        """"conflict" (shared figures differ), "copy" (they agree) or "parts" (none shared)."""
        if self.differing:
            return "conflict"
        return "copy" if self.shared else "parts"

    def describe(self, lang: str = "zh") -> str:
        """One line for a report or a warning."""
        what = f"{self.department} {self.year or ''} {self.scope}{self.kind}".replace("  ", " ").strip()
        names = "、".join(self.docs) if lang == "zh" else ", ".join(self.docs)
        if lang != "zh":
            tail = {"conflict": f"{self.differing} of the {self.shared} figures they share differ",
                    "copy": f"the {self.shared} figures they share agree (a copy?)",
                    "parts": "no figure in common (parts of one disclosure?)"}[self.severity]
            return f"{names} all claim to be {what}: {tail}"
        tail = {"conflict": f"共有的 {self.shared} 个数字中 {self.differing} 个不一致",
                "copy": f"共有的 {self.shared} 个数字一致（可能是副本）",
                "parts": "没有共同的数字（可能是同一公开的不同部分）"}[self.severity]
        return f"{names} 都是{what}：{tail}"


def scope_of(doc: Document) -> str:
    """The scope a document's title names (部门 of 部门预算, 单位 of 单位决算), else ""."""
    title = doc.title or ""
    kind = doc.kind or ""
    return next((s for s in SCOPES if kind and f"{s}{kind}" in title), "")


def claim_of(doc: Document) -> tuple[str, int | None, str, str] | None:
    """(department, year, kind, scope) of a document, or None when it names no
    department or year (nothing to conflict with)."""
    if not doc.department or doc.year is None:
        return None
    return (doc.department, doc.year, doc.kind or "", scope_of(doc))


Key = tuple[str, str, str, str]  # table title, 科目编码, label, column


def _figures(facts: Iterable[Fact]) -> dict[Key, set[float]]:
    out: dict[Key, set[float]] = defaultdict(set)
    for f in facts:
        key = (norm_label(f.table_title or ""), f.code or "", norm_label(f.label), f.column or "")
        out[key].add(round(float(f.value), 2))
    return out


def find_conflicts(documents: Sequence[Document], facts_of: Callable[[str], Iterable[Fact]]) -> list[Conflict]:
    """Groups of two or more documents with the same claim, with how their figures compare.

    A figure is a (table title, 科目编码, label, column) key, so a narrative's sentences
    and a tables file's cells are never the same figure; a document stating one key with
    several values is compared by the set of its values.

    Args:
        documents: the loaded documents.
        facts_of: the facts of a document, by name.
    """
    groups: dict[tuple, list[Document]] = defaultdict(list)
    for d in documents:
        claim = claim_of(d)
        if claim is not None:
            groups[claim].append(d)
    out: list[Conflict] = []
    for (department, year, kind, scope), docs in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if len(docs) < 2:
            continue
        names = sorted(d.name for d in docs)
        figures = {n: _figures(facts_of(n)) for n in names}
        keys: dict[Key, list[str]] = defaultdict(list)
        for n in names:
            for k in figures[n]:
                keys[k].append(n)
        shared = sorted(k for k, ns in keys.items() if len(ns) > 1)
        differing = [k for k in shared if len({frozenset(figures[n][k]) for n in keys[k]}) > 1]
        examples = tuple(
            Difference(k[2], k[3], tuple((n, min(figures[n][k])) for n in keys[k])) for k in differing[:SHOWN])
        out.append(Conflict(department, year, kind, scope, tuple(names), len(shared), len(differing), examples))
    return out


def conflicts_of(name: str, conflicts: Iterable[Conflict]) -> list[Conflict]:
    """The groups a document belongs to."""
    return [c for c in conflicts if name in c.docs]
