"""SQLite part of the store: documents, source lines, facts, chunks, issues, enumerations,
table dicts. One file, <data_dir>/qa.sqlite, schema evolved by numbered migrations.

The queries and the order of writes are ``qa.store.relational.SqlStore``'s, shared with the
PostgreSQL store; records become rows as ``qa.store.records`` says (explicit columns plus an
``extra`` JSON column, so a new optional field survives a round trip without a migration).
This module holds what is SQLite's own: the connection, its words for the shared schema
(``qa.store.schema``), statements in batches of bound values, and which vectors chunks still use.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator

from qa.store.records import PER_DOC_TABLES, from_row  # from_row: part of this module's interface
from qa.store.relational import SqlStore, locked, quoted, split_ids
from qa.store.schema import Dialect, migrations

log = logging.getLogger(__name__)

DB_NAME = "qa.sqlite"
# SQLite's words for the shared schema (qa.store.schema)
DIALECT = Dialect(name="TEXT", id="INTEGER PRIMARY KEY", real="REAL", now="(datetime('now'))",
                  blob="BLOB", keyed=" WITHOUT ROWID")


# --- migrations -----------------------------------------------------------------------------
# Append only: qa.store.schema holds the steps of both engines; ``migration`` adds one of this
# engine's own (its counterpart of the same name goes to the other engine).
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = migrations(
    DIALECT, sqlite3.Connection.executescript)
# the shipped steps by name (tests build a first release's file with m001_initial)
m001_initial, m002_vector_models, m003_vectors, m004_departments = (fn for _, fn in MIGRATIONS[:4])


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


def per_doc_tables() -> tuple[str, ...]:
    """The tables holding rows per document (row_counts reads them)."""
    return tuple(PER_DOC_TABLES)


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in order; returns the names applied.

    Args:
        db: an open connection.
    """
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {r[0] for r in db.execute("SELECT name FROM _migrations")}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        with db:
            fn(db)
            db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))
        applied.append(name)
        log.info("applied migration %s", name)
    return applied


# most bound values in one statement (SQLite's limit was 999 before 3.32)
_BATCH = 500


class SqliteStore(SqlStore):
    """Typed access to qa.sqlite; one connection, usable from several threads.

    Args:
        path: the database file (created with its directory if missing), or ":memory:".
    """

    def __init__(self, path: str | Path) -> None:
        memory = str(path) == ":memory:"
        self.path = Path(path)
        if not memory:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        if not memory:
            # readers (the web UI) keep reading while an ingest writes
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        migrate(self.db)

    @locked
    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @locked
    def data_version(self) -> int:
        """Changes when another connection commits, so caches know to reload."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    # --- the engine's part of SqlStore --------------------------------------------------
    def _rows(self, sql: str, args: Any = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, args).fetchall()

    def _one(self, sql: str, args: Any = ()) -> sqlite3.Row | None:
        return self.db.execute(sql, args).fetchone()

    def _exec(self, sql: str, args: Any = ()) -> None:
        self.db.execute(sql, args)

    def _exec_many(self, sql: str, args: list[tuple[Any, ...]]) -> None:
        self.db.executemany(sql, args)

    def _bulk_insert(self, table: str, columns: list[str], values: list[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.db.executemany(f"INSERT INTO {table} ({quoted(columns)}) VALUES ({marks})", values)

    def _write(self) -> ContextManager[Any]:
        return self.db  # commits on success, rolls back on any exception

    def _changed(self) -> None:
        pass  # PRAGMA data_version counts other connections' commits by itself

    def _value_lists(self, values: list[Any]) -> Iterator[tuple[str, list[Any]]]:
        for i in range(0, len(values), _BATCH):
            part = values[i : i + _BATCH]
            yield f"IN ({','.join('?' * len(part))})", part

    def _used_among(self, candidates: set[str]) -> set[str]:
        return split_ids(self.db.execute("SELECT dense_hash FROM chunks WHERE dense_hash IS NOT NULL"))
