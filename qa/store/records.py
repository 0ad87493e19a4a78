"""Records <-> rows, the same for both SQL engines (qa.store.sqlite, qa.store.postgres).

Each record type has explicit columns for what people query and audit, plus an ``extra``
JSON column that keeps fields added to the shared dataclasses later, so a new optional field
survives a round trip without a migration. Pure functions; no connection here.
"""

from __future__ import annotations

import json
from dataclasses import fields
from functools import lru_cache
from typing import Any

# fields kept as JSON lists in a TEXT column, read back as tuples
JSON_FIELDS = frozenset({"items", "notes"})

FACT_COLS = ["doc", "department", "year", "table_no", "table_title", "section", "code", "label",
             "column", "value", "unit", "norm_value", "line", "quote", "source", "page", "cell"]
CHUNK_COLS = ["doc", "section", "text", "line_start", "line_end", "kind"]
ISSUE_COLS = ["doc", "table_no", "kind", "message", "line", "expected", "stated"]
ENUM_COLS = ["doc", "department", "year", "label", "items", "line", "quote", "section"]
DOC_COLS = ["name", "department", "year", "kind", "unit", "content_hash", "path", "title"]
# the tables holding rows per document (keyed by their "doc" column)
PER_DOC_TABLES = ("lines", "facts", "chunks", "issues", "enumerations", "tables")


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    """A record type's field names in order (dataclasses.fields rebuilds its tuple on every
    call, and storing a document asks once per fact, chunk and issue)."""
    return tuple(f.name for f in fields(cls))


def row_dict(obj: Any, columns: list[str], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Split a dataclass into its known columns and a JSON ``extra`` for the rest.

    Args:
        obj: a record (Document, Fact, Chunk, ...).
        columns: the table's explicit columns.
        overrides: values that replace or add columns.
    """
    # the fields themselves (all scalars, tuples or lists): asdict's deep copy cost a tenth
    # of an ingest
    row: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for k in _field_names(type(obj)):
        v = getattr(obj, k)
        if k in columns:
            row[k] = json.dumps(list(v), ensure_ascii=False) if k in JSON_FIELDS else v
        else:
            extra[k] = v
    row["extra"] = json.dumps(extra, ensure_ascii=False)
    if overrides:
        row.update(overrides)
    return row


def from_row(cls: type, row: Any) -> Any:
    """Rebuild a dataclass from a row (sqlite3.Row or dict), tolerating columns and extras the
    class lacks."""
    wanted = {f.name for f in fields(cls)}
    data: dict[str, Any] = {}
    keys = row.keys()
    if "extra" in keys and row["extra"]:
        data.update({k: v for k, v in json.loads(row["extra"]).items() if k in wanted})
    for k in keys:
        if k in wanted:
            v = row[k]
            if k in JSON_FIELDS:
                v = tuple(json.loads(v))
            data[k] = v
    return cls(**data)


def table_row(doc: str, seq: int, table: dict[str, Any]) -> dict[str, Any]:
    """The row of one parsed table dict."""
    return {"doc": doc, "seq": seq, "no": str(table.get("no", "")), "data": dump_table(table)}


def dump_table(table: dict[str, Any]) -> str:
    """A table dict as stored (JSON; values JSON lacks written as text)."""
    return json.dumps(table, ensure_ascii=False, default=str)
