"""The store's schema, written once for both SQL engines: numbered migrations, each engine
filling in its own words for the few types that differ (``Dialect``).

Append only: never edit a migration that has shipped (the SQL an engine gets from it must stay
what it is); add the next number instead, to ``STEPS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Dialect:
    """An engine's words for the schema.

    Attributes:
        name: type of a column holding document names (sorted on: by code point).
        id: a row id filled in insertion order, with its PRIMARY KEY.
        real: a floating-point number.
        now: default of a column holding the time of insertion (UTC, "YYYY-MM-DD HH:MM:SS").
        blob: bytes.
        keyed: what follows a table kept in its primary key's order ("" when nothing).
    """

    name: str
    id: str
    real: str
    now: str
    blob: str
    keyed: str = ""


INITIAL = """
        CREATE TABLE documents (
            name {d.name} PRIMARY KEY,
            department TEXT NOT NULL DEFAULT '',
            year INTEGER,
            kind TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            path TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            encoding TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '[]',
            ingested_at TEXT NOT NULL DEFAULT {d.now},
            extra TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE TABLE lines (
            doc {d.name} NOT NULL,
            line_no INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (doc, line_no)
        ){d.keyed};
        CREATE TABLE facts (
            id {d.id},
            doc {d.name} NOT NULL,
            department TEXT NOT NULL DEFAULT '',
            year INTEGER,
            table_no TEXT NOT NULL DEFAULT '',
            table_title TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            code TEXT NOT NULL DEFAULT '',
            label TEXT NOT NULL DEFAULT '',
            "column" TEXT NOT NULL DEFAULT '',
            value {d.real},
            unit TEXT NOT NULL DEFAULT '',
            norm_value {d.real},
            line INTEGER,
            quote TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT 'table',
            page INTEGER,
            cell TEXT,
            extra TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX facts_doc ON facts(doc, table_no);
        CREATE INDEX facts_department ON facts(department);
        CREATE INDEX facts_code ON facts(code);
        CREATE TABLE chunks (
            id {d.id},
            doc {d.name} NOT NULL,
            seq INTEGER NOT NULL,
            section TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            line_start INTEGER,
            line_end INTEGER,
            kind TEXT NOT NULL DEFAULT 'prose',
            dense_hash TEXT,  -- ids of the chunk's vectors, space-separated
            tokens TEXT NOT NULL DEFAULT '',
            extra TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX chunks_doc ON chunks(doc, seq);
        CREATE INDEX chunks_dense ON chunks(dense_hash);
        CREATE TABLE issues (
            id {d.id},
            doc {d.name} NOT NULL,
            table_no TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL DEFAULT '',
            line INTEGER,
            expected {d.real},
            stated {d.real},
            extra TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX issues_doc ON issues(doc);
        CREATE TABLE enumerations (
            id {d.id},
            doc {d.name} NOT NULL,
            department TEXT NOT NULL DEFAULT '',
            year INTEGER,
            label TEXT NOT NULL DEFAULT '',
            items TEXT NOT NULL DEFAULT '[]',
            line INTEGER,
            quote TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            extra TEXT NOT NULL DEFAULT '{{}}'
        );
        CREATE INDEX enumerations_doc ON enumerations(doc);
        CREATE TABLE tables (
            doc {d.name} NOT NULL,
            seq INTEGER NOT NULL,
            no TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL,
            PRIMARY KEY (doc, seq)
        );
        """


# Which embedding models hold vectors for the document's current chunks, so switching
# QA_EMBEDDINGS re-embeds unchanged files instead of leaving dense search empty.
VECTOR_MODELS = "ALTER TABLE documents ADD COLUMN vector_models TEXT NOT NULL DEFAULT ''"

# A copy of every vector (float32 bytes), per model. Chroma's PersistentClient keeps its
# index in memory per process, so a running web app would not find vectors another process
# added (measured: "Error finding id"); reads from the store are always current. Chroma stays
# the vector store proper, for approximate search over large collections.
VECTORS = ("CREATE TABLE vectors (model TEXT NOT NULL, id {d.name} NOT NULL, data {d.blob} NOT NULL, "
           "PRIMARY KEY (model, id)){d.keyed}")

# Each publisher's alias set (qa.text.aliases) as JSON, derived once at ingest and stamped
# with the rules that made it, so opening an index reads a small catalogue instead of
# deriving every department's names again.
DEPARTMENTS = "CREATE TABLE departments (name {d.name} PRIMARY KEY, rules TEXT NOT NULL, aliases TEXT NOT NULL)"

# (name, SQL) in the order they apply
STEPS = (("m001_initial", INITIAL), ("m002_vector_models", VECTOR_MODELS), ("m003_vectors", VECTORS),
         ("m004_departments", DEPARTMENTS))


def migration_sql(dialect: Dialect) -> list[tuple[str, str]]:
    """The migrations, (name, the statements) in order, in an engine's words.

    Args:
        dialect: the engine's words.
    """
    return [(name, sql.format(d=dialect)) for name, sql in STEPS]


def migrations(dialect: Dialect, run: Callable[[Any, str], Any]) -> list[tuple[str, Callable[[Any], None]]]:
    """The migrations as (name, function applying it to a connection), in order.

    Args:
        dialect: the engine's words.
        run: runs statements on a connection, run(connection, sql).
    """
    out: list[tuple[str, Callable[[Any], None]]] = []
    for name, sql in migration_sql(dialect):
        def apply(db: Any, sql: str = sql) -> None:
            run(db, sql)

        apply.__name__ = apply.__qualname__ = name
        out.append((name, apply))
    return out
