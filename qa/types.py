"""Typed records shared by every stage: ingest produces them, the store keeps them,
tools compute on them, the agent cites them.

Kept free of behaviour on purpose so any stage can import it without pulling in
heavy dependencies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# Multipliers to 元, the common denominator used for cross-document comparison.
UNIT_TO_YUAN: dict[str, float] = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}

Status = Literal["answered", "not_found", "ambiguous"]


@dataclass(frozen=True)
class Document:
    """One ingested file.

    Attributes:
        name: file name as ingested (what citations name).
        department: publishing department (编制部门), full official name.
        year: budget year the document covers (None if not found).
        kind: "预算" or "决算" (or "其他").
        unit: default money unit of the document's tables ("万元" most often).
        content_hash: sha256 of the raw bytes, used to skip unchanged files.
        path: absolute path it was read from.
        title: the document's title line, if any.
        confidence: how sure the reading of department, year and kind is (0..1, the least
            sure of the three; 1.0 for values the user set), None when not recorded.
        meta_source: where each of them came from, e.g. "department: title (0.98); year:
            title (0.90); kind: title (0.90)" ("set by user" for overrides).
    """

    name: str
    department: str
    year: int | None
    kind: str
    unit: str
    content_hash: str
    path: str = ""
    title: str = ""
    confidence: float | None = None
    meta_source: str = ""


@dataclass(frozen=True)
class Fact:
    """One number read from a document, with where it came from.

    Attributes:
        doc: Document.name.
        department: Document.department (denormalised for filtering).
        year: Document.year.
        table_no: "1".."N" for 表N, "" for prose facts.
        table_title: e.g. "部门支出总体情况表"; "" for prose facts.
        section: section path, e.g. "第三部分 …/三、关于…支出预算情况说明".
        code: 科目编码 joined without spaces (e.g. "2210201", "30201"), "" if none.
        label: row label as printed, normalised (e.g. "住房公积金").
        column: column name (e.g. "基本支出", "预算数", "上年预算数", "比上年增减", "增长率", "占比").
        value: the number as printed (sign applied: 减少 0.35 -> -0.35 for change columns).
        unit: "万元", "元", "千元", "亿元", "%", "人", "辆", "个", "平方米", ...
        norm_value: value in 元 for money units, else equal to value.
        line: 1-based line number in the source text where the value sits.
        quote: verbatim source text the value was read from (a table row or a sentence),
            which occurs in the file apart from whitespace.
        source: "table" or "prose".
        page: page number for paginated formats, else None.
        cell: spreadsheet cell reference (e.g. "Sheet1!C7"), else None.
    """

    doc: str
    department: str
    year: int | None
    table_no: str
    table_title: str
    section: str
    code: str
    label: str
    column: str
    value: float
    unit: str
    norm_value: float
    line: int
    quote: str
    source: str = "table"
    page: int | None = None
    cell: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """A section-aware slice of text for retrieval.

    Attributes:
        doc: Document.name.
        section: section path the chunk sits under.
        text: the chunk text (normalised for reading; quotes are taken from source lines).
        line_start: first source line (1-based, inclusive).
        line_end: last source line (inclusive).
        kind: "prose", "heading", "table" (title and row labels) or "targets" (a 绩效目标表's
            text, indicators included).
    """

    doc: str
    section: str
    text: str
    line_start: int
    line_end: int
    kind: str = "prose"

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line_start}-{self.line_end}:{self.kind}"


@dataclass(frozen=True)
class IntegrityIssue:
    """A place where a document's own figures do not add up.

    Attributes:
        doc: Document.name.
        table_no: table the mismatch is in ("" for prose checks).
        kind: "total" (合计 vs rows), "code" (parent 科目 vs children),
            "percent" (stated % vs computed), "balance" (收入总计 vs 支出总计), ...
        message: one readable sentence naming the figures.
        line: source line of the stated figure.
        expected: what the figures give.
        stated: what the document states.
    """

    doc: str
    table_no: str
    kind: str
    message: str
    line: int
    expected: float | None = None
    stated: float | None = None


@dataclass(frozen=True)
class Enumeration:
    """A named list stated in the text, e.g. the 处室 a department has.

    Attributes:
        doc: Document.name.
        department: Document.department.
        year: Document.year.
        label: what is listed, e.g. "处室", "科室", "下属单位", "项目".
        items: the names in document order.
        line: 1-based line where the list starts.
        quote: verbatim text of the list (as it appears, apart from whitespace).
        section: section path.
    """

    doc: str
    department: str
    year: int | None
    label: str
    items: tuple[str, ...]
    line: int
    quote: str
    section: str = ""


@dataclass
class ParsedDocument:
    """Everything ingest extracts from one file (pure data, no I/O)."""

    document: Document
    lines: list[str]
    facts: list[Fact] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    issues: list[IntegrityIssue] = field(default_factory=list)
    enumerations: list[Enumeration] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)  # {"no","title","unit","line_start","line_end","empty"}


@dataclass(frozen=True)
class Citation:
    """A verbatim quote backing an answer.

    Attributes:
        doc: file name as ingested.
        quote: text occurring verbatim in that file apart from whitespace.
        line: 1-based line number where the quote starts.
    """

    doc: str
    quote: str
    line: int

    @classmethod
    def of(cls, fact: Fact) -> "Citation":
        return cls(doc=fact.doc, quote=fact.quote, line=fact.line)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Figure:
    """One of the figures an answer compares (what a shell may draw as a bar).

    Attributes:
        label: what the figure is (a department, an item, a year or column).
        value: the figure as the document states it.
        unit: its unit.
    """

    label: str
    value: float
    unit: str


@dataclass
class ToolResult:
    """What a calculation tool returns: the value, the operands it used and how.

    Attributes:
        value: computed or looked-up number (None when nothing matched).
        unit: unit of value.
        operands: the facts used, in order.
        computation: e.g. "198.19 + 64.57 + 94.71 = 357.47", None for plain lookups.
        note: short explanation (e.g. why nothing matched).
    """

    value: float | None
    unit: str
    operands: list[Fact] = field(default_factory=list)
    computation: str | None = None
    note: str = ""

    @property
    def citations(self) -> list[Citation]:
        return [Citation.of(f) for f in self.operands]


@dataclass
class Answer:
    """Exactly what `qa ask --json` prints (plus `id` in batch mode)."""

    status: Status
    answer: str
    value: float | None = None
    unit: str | None = None
    computation: str | None = None
    citations: list[Citation] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # a follow-up answered in the context of earlier turns: {"question": the stand-alone
    # question answered, "inherited": what was taken over}; None for a stand-alone question
    followup: dict[str, Any] | None = None
    # the named things the answer is about (list items, summed parts): what "这几个" in the
    # next turn refers to; not part of the printed contract
    items: list[str] = field(default_factory=list)
    # the figures compared (departments, items, years), each as a document states it, for
    # a chart; not part of the printed contract
    figures: list[Figure] = field(default_factory=list)
    # a comparison of two figures: by how much the larger (or the smaller, when the least
    # is asked) leads, whether or not the question asked it (value stays the winner's)
    margin: float | None = None
    # a change on the year before: the growth rate (%) the answer states beside the amount
    # (signed; value is the amount unless the rate was asked)
    rate: float | None = None
    # the same change as an amount, when the value is the rate ("降了多少" answered 下降 53.93%,
    # 减少 130.42 万元): the amount and its unit
    change: float | None = None
    change_unit: str | None = None
    # a ranking's lines in order, the one answered first (what "第二个呢" points at next);
    # not part of the printed contract
    ranking: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "answer": self.answer,
            "value": self.value,
            "unit": self.unit,
            "computation": self.computation,
            "citations": [c.to_dict() for c in self.citations],
            "candidates": list(self.candidates),
            "warnings": list(self.warnings),
            "followup": self.followup,
            "margin": self.margin,
            "rate": self.rate,
            "change": self.change,
            "change_unit": self.change_unit,
        }
