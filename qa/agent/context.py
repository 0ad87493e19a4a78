"""The agent's view of the Index: a small catalogue read when the index is opened (the
documents, who published each, their years, the publishers' alias sets) and, per document,
its facts, lines, tables, enumerations and issues read from the index the first time a
question needs them, kept in a bounded cache of documents.

Opening therefore costs one query over the documents and one over the stored alias sets,
whatever the size of the corpus; a question reads (indexed by document) only the documents
its departments resolve to, and a document read once stays cached until QA_DOC_CACHE other
documents were read after it.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import replace
from difflib import SequenceMatcher
from typing import Any, Callable

from qa.agent.aliases import AliasIndex, DepartmentAliases, build
from qa.agent.excerpts import LineList
from qa.quotes import quote_start_line
from qa.text.aliases import publisher
from qa.text.normalize import squeeze
from qa.tools.facts import FactList, column_kind, in_its_own_year, norm_label
from qa.types import Document, Enumeration, Fact, IntegrityIssue

log = logging.getLogger(__name__)

# Documents whose rows stay in memory once read (least recently used beyond it are dropped).
DEFAULT_CACHE_DOCS = 1024
_PARTS = ("facts", "lines", "tables", "enumerations", "issues")
# quotes located per document and remembered (a citation's start line)
_QUOTE_MEMO = 512


def cache_size() -> int:
    """Documents kept in memory: QA_DOC_CACHE, else DEFAULT_CACHE_DOCS (at least 1)."""
    try:
        return max(1, int(os.environ.get("QA_DOC_CACHE", DEFAULT_CACHE_DOCS)))
    except ValueError:
        return DEFAULT_CACHE_DOCS


Loader = Callable[[str, str], list]


class DocData:
    """Everything about one document the agent reads.

    Parts given to the constructor are used as they are (fixtures, tests); parts not given
    are read through ``loader(doc name, part)`` on first use, once.

    Args:
        document: the document.
        facts, lines, tables, enumerations, issues: its rows, when already in memory.
        previous: the same department's document of the year before, when known.
        loader: reads a part from the index.
        previous_of: finds the document of the year before (the context's lookup).
    """

    def __init__(self, document: Document, facts: list[Fact] | None = None, lines: list[str] | None = None,
                 tables: list[dict[str, Any]] | None = None, enumerations: list[Enumeration] | None = None,
                 issues: list[IntegrityIssue] | None = None, previous: "DocData | None" = None, *,
                 loader: Loader | None = None,
                 previous_of: "Callable[[DocData], DocData | None] | None" = None) -> None:
        self.document = document
        self._parts: dict[str, list] = {k: v for k, v in zip(_PARTS, (facts, lines, tables, enumerations, issues))
                                        if v is not None}
        self._loader = loader
        self._previous = previous
        self._previous_of = previous_of
        self._lock = threading.Lock()
        self._squeezed: str | None = None
        self._search: list[str] | None = None
        self._half: str | None = None
        self._label_text: str | None = None
        self._quote_lines: dict[tuple[str, int], int] = {}
        self._derived: dict[tuple, Any] = {}

    def _part(self, name: str) -> list:
        got = self._parts.get(name)
        if got is None:
            with self._lock:  # one list per document, so identity-keyed caches stay valid
                got = self._parts.get(name)
                if got is None:
                    got = self._loader(self.document.name, name) if self._loader is not None else []
                    self._parts[name] = got
                    if self._loader is not None:
                        # rows stay while the document is cached: out of the cyclic
                        # collector's generations, so a full collection does not walk every
                        # loaded fact (pauses of 0.3 s at 1,000 documents); reference counting
                        # still frees them when the document leaves the cache
                        gc.freeze()
        return got

    @property
    def facts(self) -> list[Fact]:
        return self._part("facts")

    @property
    def lines(self) -> list[str]:
        return self._part("lines")

    @property
    def tables(self) -> list[dict[str, Any]]:
        return self._part("tables")

    @property
    def enumerations(self) -> list[Enumeration]:
        return self._part("enumerations")

    @property
    def issues(self) -> list[IntegrityIssue]:
        return self._part("issues")

    @property
    def previous(self) -> "DocData | None":
        """The same department's document of the year before, when one is loaded (cross-year
        lookups)."""
        if self._previous is None and self._previous_of is not None:
            return self._previous_of(self)
        return self._previous

    @previous.setter
    def previous(self, value: "DocData | None") -> None:
        self._previous = value

    @property
    def search_lines(self) -> list[str]:
        """Lines to search for cue words: the simplified form of a 繁體 document (quotes are
        mapped back to the original with ``original``), else the lines themselves."""
        if self._search is None:
            search = self.lines
            try:
                from qa.text.script import is_traditional, to_simplified_lines

                if is_traditional("\n".join(search[:3000])):
                    search = to_simplified_lines(search, force=True).lines
            except Exception as exc:  # conversion is an aid to matching, never required
                log.warning("script conversion unavailable: %s", exc)
            self._search = search
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

    @property
    def label_text(self) -> str:
        """The searchable text in the form labels are compared in (norm_label of the search
        lines, squeezed): where a question's distinctive item phrase is looked for."""
        if self._label_text is None:
            self._label_text = squeeze(norm_label(" ".join(self.search_lines)))
        return self._label_text

    def contains(self, quote: str) -> bool:
        return squeeze(quote) in self.squeezed

    def detached(self) -> "DocData":
        """A copy that links no year before (a scoped context links its own), sharing the
        rows read so far and reading the rest the same way."""
        return DocData(self.document, **{k: v for k, v in self._parts.items()}, loader=self._loader)

    def of_year(self, year: int | None) -> "DocData | None":
        """The figures of one year of a report that states two, by the year its sections
        name ("一、2022年预算执行情况" / "二、2023年预算草案"): for another year than the
        document's, the figures of that year's sections (None when it has none); for its own
        year, the figures of no other year's sections (all of them when that leaves none).
        The document itself when no section names another year."""
        own = self.document.year
        years = self.derived(("section_years",), lambda: [_section_year(f.section) for f in self.facts])
        if not any(y is not None and y != own for y in years):
            return self if year in (None, own) else None
        key = ("of_year", year if year is not None else own)
        if key in self._derived:
            return self._derived[key]
        mine = year in (None, own)
        kept = [f for f, y in zip(self.facts, years) if (y in (None, own) if mine else y == year)]
        if not kept:
            view = self if mine else None
        else:
            doc = replace(self.document, year=own if mine else year)
            if not mine:
                # the year asked's own figures: a sentence of the year before the document's
                # was read as its 上年 (上年预算数); in that year's terms it is the 预算数
                kept = [_as_of(f, year, own) for f in kept]
            view = DocData(doc, facts=FactList(kept), lines=self.lines, tables=self.tables,
                           enumerations=self.enumerations, issues=self.issues, loader=self._loader)
        self._derived[key] = view
        return view

    def lead_in(self, line: int, n: int = 8) -> str:
        """The text of a 1-based line and the n lines before it, whitespace removed (the
        sentence a figure in a wrapped paragraph belongs to starts there)."""
        return squeeze("".join(self.search_lines[max(0, line - 1 - n): line]))

    def mentions(self, phrase: str) -> bool:
        """Whether the text names a phrase, whitespace and full/half width aside."""
        from qa.text.normalize import to_halfwidth

        if self._half is None:
            self._half = to_halfwidth(squeeze("".join(self.search_lines)))
        return squeeze(to_halfwidth(phrase)) in self._half

    def derived(self, key: tuple, compute: Callable[[], Any]) -> Any:
        """A result computed from this document alone (key names the function and its
        arguments), computed once while the document is loaded (at most _QUOTE_MEMO kept)."""
        if key in self._derived:
            return self._derived[key]
        got = compute()
        if len(self._derived) >= _QUOTE_MEMO:
            self._derived.clear()
        self._derived[key] = got
        return got

    def quote_line(self, quote: str, line: int) -> int:
        """The 1-based line where a quote of this document starts (qa.quotes), remembered."""
        key = (quote, line)
        got = self._quote_lines.get(key)
        if got is None:
            lines = self.lines
            got = quote_start_line(lines, quote, line) if lines else line
            if len(self._quote_lines) >= _QUOTE_MEMO:
                self._quote_lines.clear()
            self._quote_lines[key] = got
        return got


_SECTION_YEAR = re.compile(r"((?:19|20)\d{2})年")


def _section_year(section: str) -> int | None:
    """The year a fact's section path names first ("一、2022年财政预算执行情况 / …"), or None."""
    m = _SECTION_YEAR.search(section or "")
    return int(m.group(1)) if m else None


def _title_likeness(a: Document, b: Document) -> float:
    """How alike two documents' titles read, their years aside (0..1)."""
    def bare(d: Document) -> str:
        return re.sub(r"(?:19|20)\d{2}\s*年度?", "", d.title or "")
    return SequenceMatcher(None, bare(a), bare(b), autojunk=False).ratio()


def _as_of(f: Fact, year: int, own: int | None) -> Fact:
    """A fact of the year before the document's, in the terms of that year."""
    if own is None or year != own - 1 or column_kind(f.column, own) != "prior":
        return replace(f, year=year)
    return replace(f, year=year, column=in_its_own_year(f.column))


class DocMap(Mapping[str, DocData]):
    """Documents by name, in catalogue order: those given in memory, and those of the index,
    read on first use and kept in a least-recently-used cache of ``limit`` documents.

    Args:
        documents: the catalogue's documents by name.
        resident: documents already in memory (never dropped).
        loader: reads a part of a document from the index.
        previous_of: the context's year-before lookup, for the documents it makes.
        limit: documents of the index kept in memory.
    """

    def __init__(self, documents: dict[str, Document], resident: dict[str, DocData] | None = None,
                 loader: Loader | None = None, previous_of: Callable[[DocData], DocData | None] | None = None,
                 limit: int | None = None) -> None:
        self._documents = documents
        self._resident = resident or {}
        self._loader = loader
        self._previous_of = previous_of
        self._limit = limit if limit is not None else cache_size()
        self._cache: OrderedDict[str, DocData] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> DocData:
        dd = self._resident.get(name)
        if dd is not None:
            return dd
        with self._lock:
            dd = self._cache.get(name)
            if dd is not None:
                self._cache.move_to_end(name)
                return dd
            document = self._documents[name]  # KeyError: not a loaded document
            dd = DocData(document, loader=self._loader, previous_of=self._previous_of)
            self._cache[name] = dd
            while len(self._cache) > self._limit:
                self._cache.popitem(last=False)
            return dd

    def __iter__(self) -> Iterator[str]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)

    def __contains__(self, name: object) -> bool:
        return name in self._documents

    def document(self, name: str) -> Document | None:
        """A document of the catalogue, without reading any of its rows."""
        return self._documents.get(name)

    def cached(self) -> int:
        """How many documents of the index are in memory now."""
        return len(self._cache)


class Context:
    """The catalogue of loaded documents and their publishers' alias sets.

    Attributes:
        index: the qa.store.index.Index read (None for in-memory documents).
        docs: documents by name (a DocMap: rows read on first use).
        aliases: alias sets by publisher, with a form index (AliasIndex).
    """

    def __init__(self, index: Any, documents: list[Document], resident: dict[str, DocData] | None = None,
                 aliases: dict[str, DepartmentAliases] | None = None, limit: int | None = None) -> None:
        self.index = index
        ordered = list(documents)  # the index lists them by name; fixtures in their own order
        self._by_dept: dict[str, list[str]] = {}
        for d in ordered:
            self._by_dept.setdefault(dept_key(d), []).append(d.name)
        keys = list(self._by_dept)
        given = aliases or {}
        self.aliases = AliasIndex((k, given[k] if k in given else build(k)) for k in keys if k)
        self._previous = self._years_before(ordered)
        loader = index_loader(index) if index is not None else None
        self.docs = DocMap({d.name: d for d in ordered}, resident, loader, self._previous_doc, limit)

    @classmethod
    def load(cls, index: Any) -> "Context":
        """Read the catalogue of an index: its documents and their publishers' alias sets
        (stored at ingest); no facts or lines are read until a question needs them.

        Args:
            index: a qa.store.index.Index.
        """
        documents = index.documents()
        keys = list(dict.fromkeys(k for k in (dept_key(d) for d in documents) if k))
        ctx = cls(index, documents, aliases=index.department_aliases(keys))
        log.info("context: %d documents, %d departments", len(ctx.docs), len(ctx.aliases))
        return ctx

    @classmethod
    def from_parts(cls, parts: list[DocData], index: Any = None) -> "Context":
        """Build a context from in-memory documents (tests, fixtures)."""
        ctx = cls(index, [p.document for p in parts], resident={p.document.name: p for p in parts})
        for p in parts:
            p._previous_of = ctx._previous_doc
        return ctx

    def _years_before(self, ordered: list[Document]) -> dict[str, str]:
        """Each document's department's document of the year before (the first in order)."""
        by_name = {d.name: d for d in ordered}
        out: dict[str, str] = {}
        for names in self._by_dept.values():
            docs = [by_name[n] for n in names] if len(names) > 1 else []
            for d in docs:
                y = d.year
                before = [o for o in docs if y and o.year == y - 1 and o.name != d.name]
                if before:
                    # a body's tables PDF follows last year's tables PDF, its narrative the narrative
                    out[d.name] = max(before, key=lambda o: _title_likeness(d, o)).name
        return out

    def _previous_doc(self, dd: DocData) -> DocData | None:
        name = self._previous.get(dd.document.name)
        return self.docs[name] if name is not None and name in self.docs else None

    def by_department(self, department: str) -> list[DocData]:
        """The department's documents, by name."""
        return [self.docs[n] for n in self._by_dept.get(department, ())]

    def documents_of(self, department: str) -> list[Document]:
        """The department's documents from the catalogue (no rows read)."""
        return [d for d in (self.docs.document(n) for n in self._by_dept.get(department, ())) if d is not None]

    def lines_of(self, doc: str) -> list[str]:
        """The original lines of a loaded document ([] if it is not loaded)."""
        return self.docs[doc].lines if doc in self.docs else []


def index_loader(index: Any) -> Loader:
    """Reads a part of a document ("facts", "lines", "tables", "enumerations", "issues") from an Index."""

    def load(doc: str, part: str) -> list:
        if part == "facts":
            return FactList(index.facts(doc=doc))
        if part == "lines":
            return LineList(index.lines(doc))
        if part == "tables":
            return index.tables(doc)
        if part == "enumerations":
            return index.enumerations(doc=doc)
        return index.issues(doc=doc)

    return load


def dept_key(d: Document) -> str:
    """Who published a document: its department, else its title (a news report names its
    city there), else its file name."""
    return publisher(d)
