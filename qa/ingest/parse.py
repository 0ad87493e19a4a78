"""Text in, ParsedDocument out: the one pure entry point of parsing.

Loaders turn files into text; this module turns text into typed records. No I/O here.
Every entry point goes through the layout preparation (qa.ingest.layout.prepare: pipe
tables, page furniture, spam, 繁體) exactly once, and maps the result back onto the
original lines with qa.ingest.layout.restore, so callers never see prepared text.
"""

from __future__ import annotations

import hashlib

from qa.ingest.chunks import make_chunks
from qa.ingest.integrity import check_integrity
from qa.ingest.layout import Prepared, prepare, restore
from qa.ingest.meta import Meta, read_metadata
from qa.ingest.prose import extract_enumerations, extract_prose_facts
from qa.ingest.prose_checks import check_prose
from qa.ingest.sections import section_paths
from qa.ingest.short_tables import read_short_tables
from qa.ingest.tables import extract_tables
from qa.types import Document, ParsedDocument


def parse_document(name: str, text: str, *, content_hash: str = "", path: str = "",
                   overrides: dict | None = None) -> ParsedDocument:
    """Parse one document's text (layout preparation included).

    Args:
        name: file name as ingested; citations use it.
        text: the full decoded text (line numbers are 1-based over text.splitlines()).
        content_hash: hash of the raw file bytes (computed from text when empty).
        path: where the file was read from, kept for display.
        overrides: department / year / kind the user gave, used instead of what the text
            says (see qa.ingest.meta.read_metadata); facts are read with them.
    """
    parsed, _ = parse_with_preparation(name, text, content_hash=content_hash, path=path, overrides=overrides)
    return parsed


def read_text_metadata(name: str, text: str, overrides: dict | None = None) -> Meta:
    """Only the metadata step of parsing: department, year, kind, unit, title of a text.

    What parse_document records in its Document, without reading tables and prose.

    Args:
        name: file name as ingested.
        text: the decoded text as loaded.
        overrides: department / year / kind the user gave.
    """
    return read_metadata(name, prepare(text).text.splitlines(), overrides)


def parse_with_preparation(name: str, text: str, *, content_hash: str = "", path: str = "",
                           overrides: dict | None = None) -> tuple[ParsedDocument, Prepared]:
    """parse_document that also returns what the layout preparation did (for its notes).

    Args:
        name: file name as ingested.
        text: the full decoded text as loaded.
        content_hash: hash of the raw file bytes (computed from text when empty).
        path: where the file was read from.
        overrides: department / year / kind the user gave.

    Returns:
        (ParsedDocument over the original lines, the Prepared it was parsed from).
    """
    prep = prepare(text)
    parsed = _parse_prepared(
        name, prep.text,
        content_hash=content_hash or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path, overrides=overrides)
    return restore(parsed, prep), prep


def _parse_prepared(name: str, text: str, *, content_hash: str, path: str,
                    overrides: dict | None = None) -> ParsedDocument:
    """The parser proper, over text already prepared (line numbers are the prepared ones)."""
    lines = text.splitlines()
    meta = read_metadata(name, lines, overrides)
    doc = Document(
        name=name,
        department=meta.department,
        year=meta.year,
        kind=meta.kind,
        unit=meta.unit,
        content_hash=content_hash,
        path=path,
        title=meta.title,
        confidence=meta.overall,
        meta_source=meta.describe(),
    )
    sections = section_paths(lines)
    tables, table_facts = extract_tables(lines, doc, sections)
    # small tables printed bare (no 表N title) that the table parser leaves
    short, short_facts = read_short_tables(lines, doc, sections, tables)
    tables, table_facts = tables + short, table_facts + short_facts
    prose_facts = extract_prose_facts(lines, doc, sections, tables)
    facts = table_facts + prose_facts
    return ParsedDocument(
        document=doc,
        lines=lines,
        facts=facts,
        chunks=make_chunks(lines, doc, sections, tables),
        issues=check_integrity(doc, facts, tables) + check_prose(doc, facts),
        enumerations=extract_enumerations(lines, doc, sections),
        tables=tables,
    )
