"""Text in, ParsedDocument out: the one pure entry point of parsing.

Loaders turn files into text; this module turns text into typed records. No I/O here.
"""

from __future__ import annotations

import hashlib

from qa.ingest.chunks import make_chunks
from qa.ingest.integrity import check_integrity
from qa.ingest.meta import read_metadata
from qa.ingest.prose import extract_enumerations, extract_prose_facts
from qa.ingest.prose_checks import check_prose
from qa.ingest.sections import section_paths
from qa.ingest.tables import extract_tables
from qa.types import Document, ParsedDocument


def parse_document(name: str, text: str, *, content_hash: str = "", path: str = "") -> ParsedDocument:
    """Parse one document's text.

    Args:
        name: file name as ingested; citations use it.
        text: the full decoded text (line numbers are 1-based over text.splitlines()).
        content_hash: hash of the raw file bytes (computed from text when empty).
        path: where the file was read from, kept for display.
    """
    lines = text.splitlines()
    meta = read_metadata(name, lines)
    doc = Document(
        name=name,
        department=meta.department,
        year=meta.year,
        kind=meta.kind,
        unit=meta.unit,
        content_hash=content_hash or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=path,
        title=meta.title,
    )
    sections = section_paths(lines)
    tables, table_facts = extract_tables(lines, doc, sections)
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
