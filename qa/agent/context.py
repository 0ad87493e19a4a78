"""An in-memory view of the Index for answering: documents, their facts, lines, tables,
enumerations, issues and department aliases, loaded once so each question is cheap."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from qa.agent.aliases import DepartmentAliases, build
from qa.text.normalize import squeeze
from qa.types import Document, Enumeration, Fact, IntegrityIssue

log = logging.getLogger(__name__)


@dataclass
class DocData:
    """Everything about one document the agent reads."""

    document: Document
    facts: list[Fact]
    lines: list[str]
    tables: list[dict[str, Any]]
    enumerations: list[Enumeration]
    issues: list[IntegrityIssue]
    # the same department's document of the year before, when one is loaded (cross-year
    # lookups); linked by Context once every document is read
    previous: "DocData | None" = None
    _squeezed: str | None = None
    _search: list[str] | None = None

    @property
    def search_lines(self) -> list[str]:
        """Lines to search for cue words: the simplified form of a 繁體 document (quotes are
        mapped back to the original with ``original``), else the lines themselves."""
        if self._search is None:
            self._search = self.lines
            try:
                from qa.text.script import is_traditional, to_simplified_lines

                if is_traditional("\n".join(self.lines[:3000])):
                    self._search = to_simplified_lines(self.lines, force=True).lines
            except Exception as exc:  # conversion is an aid to matching, never required
                log.warning("script conversion unavailable: %s", exc)
        return self._search

    def original(self, quote: str, line: int) -> str:
        """The original-script text of a quote found in ``search_lines`` at ``line``."""
        if self.search_lines is self.lines or self.contains(quote):
            return quote
        lo, hi = max(0, line - 1), min(len(self.lines), line + 80)
        js = squeeze("".join(self.search_lines[lo:hi]))
        jo = squeeze("".join(self.lines[lo:hi]))
        q = squeeze(quote)
        pos = js.find(q)
        if pos >= 0 and len(js) == len(jo):
            return jo[pos: pos + len(q)]
        return quote

    @property
    def squeezed(self) -> str:
        """The whole text without whitespace (where quotes are checked)."""
        if self._squeezed is None:
            # line by line (the same text: squeeze only drops whitespace), so a large
            # document never holds the GIL in one regex call for long
            self._squeezed = "".join(squeeze(line) for line in self.lines)
        return self._squeezed

    def contains(self, quote: str) -> bool:
        return squeeze(quote) in self.squeezed


@dataclass
class Context:
    """All loaded documents, keyed by name, with alias sets per department."""

    index: Any
    docs: dict[str, DocData] = field(default_factory=dict)
    aliases: dict[str, DepartmentAliases] = field(default_factory=dict)

    @classmethod
    def load(cls, index: Any) -> "Context":
        """Read every document of the index into memory.

        Args:
            index: a qa.store.index.Index.
        """
        ctx = cls(index=index)
        for d in index.documents():
            ctx.docs[d.name] = DocData(
                document=d,
                facts=index.facts(doc=d.name),
                lines=index.lines(d.name),
                tables=index.tables(d.name),
                enumerations=index.enumerations(doc=d.name),
                issues=index.issues(doc=d.name),
            )
            key = dept_key(d)
            if key and key not in ctx.aliases:
                ctx.aliases[key] = build(key)
        ctx.link_years()
        log.info("context: %d documents, %d facts", len(ctx.docs), sum(len(x.facts) for x in ctx.docs.values()))
        return ctx

    @classmethod
    def from_parts(cls, parts: list[DocData], index: Any = None) -> "Context":
        """Build a context from in-memory documents (tests, fixtures)."""
        ctx = cls(index=index)
        for p in parts:
            ctx.docs[p.document.name] = p
            key = dept_key(p.document)
            if key and key not in ctx.aliases:
                ctx.aliases[key] = build(key)
        ctx.link_years()
        return ctx

    def link_years(self) -> None:
        """Point each document at its department's document of the year before."""
        for dd in self.docs.values():
            y = dd.document.year
            dd.previous = next((o for o in self.by_department(dept_key(dd.document))
                                if y and o.document.year == y - 1 and o is not dd), None)

    def by_department(self, department: str) -> list[DocData]:
        return [d for d in self.docs.values() if dept_key(d.document) == department]

    def lines_of(self, doc: str) -> list[str]:
        """The original lines of a loaded document ([] if it is not loaded)."""
        dd = self.docs.get(doc)
        return dd.lines if dd is not None else []


def dept_key(d: Document) -> str:
    """Who published a document: its department, else its title (a news report names its
    city there), else its file name."""
    return d.department or d.title or d.name
