"""SQLite part of the store: documents, source lines, facts, chunks, issues, enumerations,
table dicts. One file, <data_dir>/qa.sqlite, schema evolved by numbered migrations.

Each record type has explicit columns for what people query and audit, plus an ``extra``
JSON column that keeps fields added to the shared dataclasses later, so a new optional field
survives a round trip without a migration.

A document is replaced in one transaction (its new vectors, its rows and the vectors only its
old version used): readers see either the old rows or the new ones.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from dataclasses import fields
from pathlib import Path
from functools import wraps
from typing import Any, Callable, Iterable, TypeVar

from qa.types import Chunk, Document, Enumeration, Fact, IntegrityIssue, ParsedDocument

log = logging.getLogger(__name__)

DB_NAME = "qa.sqlite"


# --- migrations -----------------------------------------------------------------------------
# Append only: never edit a migration that has shipped; add the next number instead.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def migration(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE documents (
            name TEXT PRIMARY KEY,
            department TEXT NOT NULL DEFAULT '',
            year INTEGER,
            kind TEXT NOT NULL DEFAULT '',
            unit TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            path TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            encoding TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '[]',
            ingested_at TEXT NOT NULL DEFAULT (datetime('now')),
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE lines (
            doc TEXT NOT NULL,
            line_no INTEGER NOT NULL,
            text TEXT NOT NULL,
            PRIMARY KEY (doc, line_no)
        ) WITHOUT ROWID;
        CREATE TABLE facts (
            id INTEGER PRIMARY KEY,
            doc TEXT NOT NULL,
            department TEXT NOT NULL DEFAULT '',
            year INTEGER,
            table_no TEXT NOT NULL DEFAULT '',
            table_title TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            code TEXT NOT NULL DEFAULT '',
            label TEXT NOT NULL DEFAULT '',
            "column" TEXT NOT NULL DEFAULT '',
            value REAL,
            unit TEXT NOT NULL DEFAULT '',
            norm_value REAL,
            line INTEGER,
            quote TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT 'table',
            page INTEGER,
            cell TEXT,
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX facts_doc ON facts(doc, table_no);
        CREATE INDEX facts_department ON facts(department);
        CREATE INDEX facts_code ON facts(code);
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            doc TEXT NOT NULL,
            seq INTEGER NOT NULL,
            section TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            line_start INTEGER,
            line_end INTEGER,
            kind TEXT NOT NULL DEFAULT 'prose',
            dense_hash TEXT,  -- ids of the chunk's vectors, space-separated
            tokens TEXT NOT NULL DEFAULT '',
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX chunks_doc ON chunks(doc, seq);
        CREATE INDEX chunks_dense ON chunks(dense_hash);
        CREATE TABLE issues (
            id INTEGER PRIMARY KEY,
            doc TEXT NOT NULL,
            table_no TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL DEFAULT '',
            line INTEGER,
            expected REAL,
            stated REAL,
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX issues_doc ON issues(doc);
        CREATE TABLE enumerations (
            id INTEGER PRIMARY KEY,
            doc TEXT NOT NULL,
            department TEXT NOT NULL DEFAULT '',
            year INTEGER,
            label TEXT NOT NULL DEFAULT '',
            items TEXT NOT NULL DEFAULT '[]',
            line INTEGER,
            quote TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            extra TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX enumerations_doc ON enumerations(doc);
        CREATE TABLE tables (
            doc TEXT NOT NULL,
            seq INTEGER NOT NULL,
            no TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL,
            PRIMARY KEY (doc, seq)
        );
        """
    )


@migration
def m002_vector_models(db: sqlite3.Connection) -> None:
    # Which embedding models hold vectors for the document's current chunks, so switching
    # QA_EMBEDDINGS re-embeds unchanged files instead of leaving dense search empty.
    db.execute("ALTER TABLE documents ADD COLUMN vector_models TEXT NOT NULL DEFAULT ''")


@migration
def m003_vectors(db: sqlite3.Connection) -> None:
    # A copy of every vector (float32 bytes), per model. Chroma's PersistentClient keeps its
    # index in memory per process, so a running web app would not find vectors another process
    # added (measured: "Error finding id"); reads from SQLite are always current. Chroma stays
    # the vector store proper, for approximate search over large collections.
    db.execute(
        "CREATE TABLE vectors (model TEXT NOT NULL, id TEXT NOT NULL, data BLOB NOT NULL, "
        "PRIMARY KEY (model, id)) WITHOUT ROWID"
    )


@migration
def m004_departments(db: sqlite3.Connection) -> None:
    # Each publisher's alias set (qa.text.aliases) as JSON, derived once at ingest and stamped
    # with the rules that made it, so opening an index reads a small catalogue instead of
    # deriving every department's names again.
    db.execute("CREATE TABLE departments (name TEXT PRIMARY KEY, rules TEXT NOT NULL, aliases TEXT NOT NULL)")


def per_doc_tables() -> tuple[str, ...]:
    """The tables holding rows per document (row_counts reads them)."""
    return tuple(_PER_DOC_TABLES)


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


# --- record <-> row -------------------------------------------------------------------------
_JSON_FIELDS = {"items", "notes"}


def _to_row(obj: Any, columns: list[str], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Split a dataclass into its known columns and a JSON ``extra`` for the rest."""
    # the fields themselves (all scalars, tuples or lists): asdict's deep copy cost a tenth
    # of an ingest
    data = {f.name: getattr(obj, f.name) for f in fields(obj)}
    row: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for k, v in data.items():
        if k in columns:
            row[k] = json.dumps(list(v), ensure_ascii=False) if k in _JSON_FIELDS else v
        else:
            extra[k] = v
    row["extra"] = json.dumps(extra, ensure_ascii=False)
    if overrides:
        row.update(overrides)
    return row


def from_row(cls: type, row: sqlite3.Row) -> Any:
    """Rebuild a dataclass from a row, tolerating columns and extras the class lacks."""
    wanted = {f.name for f in fields(cls)}
    data: dict[str, Any] = {}
    keys = row.keys()
    if "extra" in keys and row["extra"]:
        data.update({k: v for k, v in json.loads(row["extra"]).items() if k in wanted})
    for k in keys:
        if k in wanted:
            v = row[k]
            if k in _JSON_FIELDS:
                v = tuple(json.loads(v))
            data[k] = v
    return cls(**data)


def _insert(db: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    if not rows:
        return
    cols = list(rows[0].keys())
    names = ", ".join(f'"{c}"' for c in cols)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
    db.executemany(sql, [tuple(r[c] for c in cols) for r in rows])


_FACT_COLS = ["doc", "department", "year", "table_no", "table_title", "section", "code", "label",
              "column", "value", "unit", "norm_value", "line", "quote", "source", "page", "cell"]
_CHUNK_COLS = ["doc", "section", "text", "line_start", "line_end", "kind"]
_ISSUE_COLS = ["doc", "table_no", "kind", "message", "line", "expected", "stated"]
_ENUM_COLS = ["doc", "department", "year", "label", "items", "line", "quote", "section"]
_PER_DOC_TABLES = ("lines", "facts", "chunks", "issues", "enumerations", "tables")
_DOC_COLS = ["name", "department", "year", "kind", "unit", "content_hash", "path", "title"]


F = TypeVar("F", bound=Callable[..., Any])


def _locked(fn: F) -> F:
    """Serialise use of the shared connection (the web UI calls in from worker threads)."""

    @wraps(fn)
    def inner(self: "SqliteStore", *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return fn(self, *args, **kwargs)

    return inner  # type: ignore[return-value]


class SqliteStore:
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

    @_locked
    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    @_locked
    def data_version(self) -> int:
        """Changes when another connection commits, so caches know to reload."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    # --- reads --------------------------------------------------------------------------
    @_locked
    def documents(self) -> list[Document]:
        """All documents by name (the Index API documents the filters)."""
        rows = self.db.execute("SELECT * FROM documents ORDER BY name").fetchall()
        return [from_row(Document, r) for r in rows]

    @_locked
    def document(self, name: str) -> Document | None:
        """One document, None if absent.

        Args:
            name: document name.
        """
        row = self.db.execute("SELECT * FROM documents WHERE name = ?", (name,)).fetchone()
        return from_row(Document, row) if row else None

    @_locked
    def document_info(self, name: str) -> dict[str, Any] | None:
        """Store-side details of a document: encoding, notes, ingest time, row counts."""
        row = self.db.execute("SELECT * FROM documents WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        info = dict(row)
        info["notes"] = json.loads(info.get("notes") or "[]")
        for table in ("facts", "chunks", "issues", "enumerations", "tables"):
            info[f"n_{table}"] = self.db.execute(
                f"SELECT count(*) FROM {table} WHERE doc = ?", (name,)
            ).fetchone()[0]
        return info

    @_locked
    def content_hash(self, name: str) -> str | None:
        """Stored content hash of a document, None if absent.

        Args:
            name: document name.
        """
        row = self.db.execute("SELECT content_hash FROM documents WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    @_locked
    def lines(self, doc: str) -> list[str]:
        """Source lines of a document in order.

        Args:
            doc: document name.
        """
        rows = self.db.execute("SELECT text FROM lines WHERE doc = ? ORDER BY line_no", (doc,))
        return [r[0] for r in rows]

    @_locked
    def facts(self, doc: str | None = None, table_no: str | None = None,
              department: str | None = None) -> list[Fact]:
        """Facts filtered by any of doc, table number and department (AND).

        Args:
            doc: document name.
            table_no: table number ("" for prose facts).
            department: exact department.
        """
        where, args = [], []
        for col, val in (("doc", doc), ("table_no", table_no), ("department", department)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(str(val))
        sql = "SELECT * FROM facts" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY doc, id"
        return [from_row(Fact, r) for r in self.db.execute(sql, args)]

    @_locked
    def chunk_rows(self, doc: str | None = None) -> list[sqlite3.Row]:
        """Raw chunk rows (with dense_hash and tokens) in document order.

        Args:
            doc: document name, or None for all.
        """
        if doc is None:
            return self.db.execute("SELECT * FROM chunks ORDER BY doc, seq").fetchall()
        return self.db.execute("SELECT * FROM chunks WHERE doc = ? ORDER BY seq", (doc,)).fetchall()

    @_locked
    def chunks(self, doc: str | None = None) -> list[Chunk]:
        """Chunks in document order.

        Args:
            doc: document name, or None for all.
        """
        return [from_row(Chunk, r) for r in self.chunk_rows(doc)]

    @_locked
    def issues(self, doc: str | None = None) -> list[IntegrityIssue]:
        """Integrity issues.

        Args:
            doc: document name, or None for all.
        """
        if doc is None:
            rows = self.db.execute("SELECT * FROM issues ORDER BY doc, id")
        else:
            rows = self.db.execute("SELECT * FROM issues WHERE doc = ? ORDER BY id", (doc,))
        return [from_row(IntegrityIssue, r) for r in rows]

    @_locked
    def enumerations(self, doc: str | None = None) -> list[Enumeration]:
        """Enumerations.

        Args:
            doc: document name, or None for all.
        """
        if doc is None:
            rows = self.db.execute("SELECT * FROM enumerations ORDER BY doc, id")
        else:
            rows = self.db.execute("SELECT * FROM enumerations WHERE doc = ? ORDER BY id", (doc,))
        return [from_row(Enumeration, r) for r in rows]

    @_locked
    def tables(self, doc: str) -> list[dict[str, Any]]:
        """Table dicts of a document as parsed.

        Args:
            doc: document name.
        """
        rows = self.db.execute("SELECT data FROM tables WHERE doc = ? ORDER BY seq", (doc,))
        return [json.loads(r[0]) for r in rows]

    @_locked
    def dense_hashes(self) -> set[str]:
        """Every vector id some stored chunk uses."""
        rows = self.db.execute("SELECT DISTINCT dense_hash FROM chunks WHERE dense_hash IS NOT NULL")
        return {h for r in rows for h in r[0].split()}

    @_locked
    def vector_ids(self, model: str, ids: list[str]) -> set[str]:
        """Which of these vector ids are stored for a model.

        Args:
            model: model id.
            ids: vector ids.
        """
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self.db.execute(
                f"SELECT id FROM vectors WHERE model = ? AND id IN ({','.join('?' * len(part))})", [model, *part]
            )
            found.update(r[0] for r in rows)
        return found

    @_locked
    def get_vectors(self, model: str, ids: list[str] | None = None) -> dict[str, bytes]:
        """Stored vectors of a model as float32 bytes, by id (all when ids is None).

        Args:
            model: model id.
            ids: vector ids, or None.
        """
        if ids is None:
            rows = self.db.execute("SELECT id, data FROM vectors WHERE model = ?", (model,))
            return {r[0]: r[1] for r in rows}
        out: dict[str, bytes] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self.db.execute(
                f"SELECT id, data FROM vectors WHERE model = ? AND id IN ({','.join('?' * len(part))})",
                [model, *part],
            )
            out.update({r[0]: r[1] for r in rows})
        return out

    @_locked
    def department_aliases(self, names: list[str] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
        """Stored alias sets: publisher name -> (rules version, record).

        Args:
            names: only these publishers (None: all).
        """
        if names is None:
            rows = self.db.execute("SELECT name, rules, aliases FROM departments").fetchall()
        else:
            rows = []
            for i in range(0, len(names), 500):
                part = names[i : i + 500]
                rows += self.db.execute(f"SELECT name, rules, aliases FROM departments WHERE name IN "
                                        f"({','.join('?' * len(part))})", part).fetchall()
        return {r[0]: (r[1], json.loads(r[2])) for r in rows}

    @_locked
    def row_counts(self, table: str) -> dict[str, int]:
        """Rows per document of one of the per-document tables (facts, tables, chunks, …).

        Args:
            table: the table name.
        """
        if table not in _PER_DOC_TABLES:
            raise ValueError(f"not a per-document table: {table}")
        return {r[0]: r[1] for r in self.db.execute(f"SELECT doc, count(*) FROM {table} GROUP BY doc")}

    # --- writes -------------------------------------------------------------------------
    @_locked
    def put_vectors(self, model: str, items: list[tuple[str, bytes]]) -> None:
        """Store vectors (float32 bytes) of a model; existing ids are replaced.

        Args:
            model: model id.
            items: (id, bytes) pairs.
        """
        with self.db:
            self._put_vectors(model, items)

    @_locked
    def put_department_aliases(self, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Store alias sets, replacing earlier ones of the same publishers.

        Args:
            rows: (publisher name, rules version, record) triples.
        """
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO departments VALUES (?, ?, ?)",
                                [(n, v, json.dumps(rec, ensure_ascii=False)) for n, v, rec in rows])

    def _put_vectors(self, model: str, items: Iterable[tuple[str, bytes]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                            [(model, vid, data) for vid, data in items])

    def _doc_hashes(self, name: str) -> set[str]:
        """Vector ids a document's stored chunks use."""
        rows = self.db.execute("SELECT dense_hash FROM chunks WHERE doc = ? AND dense_hash IS NOT NULL",
                               (name,))
        return {h for r in rows for h in r[0].split()}

    def _drop_unused(self, candidates: set[str]) -> list[str]:
        """Delete the stored vectors (any model) among candidates that no chunk uses; returns
        their ids. Scans the chunks only when there are candidates (a document replaced by a
        version with other words, or removed), so adding new documents stays linear."""
        if not candidates:
            return []
        used: set[str] = set()
        for (dh,) in self.db.execute("SELECT dense_hash FROM chunks WHERE dense_hash IS NOT NULL"):
            used.update(dh.split())
        stale = sorted(candidates - used)
        for i in range(0, len(stale), 500):
            part = stale[i : i + 500]
            self.db.execute(f"DELETE FROM vectors WHERE id IN ({','.join('?' * len(part))})", part)
        return stale

    @_locked
    def delete_vectors_except(self, keep: set[str]) -> int:
        """Drop stored vectors (any model) whose id no chunk uses; returns how many.

        Args:
            keep: ids still referenced.
        """
        ids = [r[0] for r in self.db.execute("SELECT DISTINCT id FROM vectors")]
        stale = [i for i in ids if i not in keep]
        with self.db:
            for i in range(0, len(stale), 500):
                part = stale[i : i + 500]
                self.db.execute(f"DELETE FROM vectors WHERE id IN ({','.join('?' * len(part))})", part)
        return len(stale)

    @_locked
    def replace_document(
        self,
        parsed: ParsedDocument,
        dense_hashes: list[str | None],
        tokens: list[str],
        encoding: str = "",
        notes: list[str] | None = None,
        vector_model: str = "",
        vectors: Iterable[tuple[str, bytes]] = (),
    ) -> list[str]:
        """Replace every row of one document in a single transaction: its new vectors, its
        rows, and the vectors only its previous version used.

        Args:
            parsed: the parsed document.
            dense_hashes: per chunk, the keys of its vectors joined by spaces (None when none).
            tokens: per chunk, its lexical tokens joined by spaces.
            encoding: how the file was decoded.
            notes: remarks from loading.
            vector_model: id of the embedding model the dense_hashes were stored for.
            vectors: (id, float32 bytes) of vector_model not stored yet.

        Returns:
            The vector ids dropped (no chunk uses them any more).
        """
        name = parsed.document.name
        db = self.db
        with db:  # commits on success, rolls back on any exception
            old = self._doc_hashes(name)
            self._put_vectors(vector_model, vectors)
            self._delete(name)
            doc_row = _to_row(parsed.document, _DOC_COLS)
            doc_row.update(encoding=encoding, notes=json.dumps(notes or [], ensure_ascii=False),
                           vector_models=vector_model)
            _insert(db, "documents", [doc_row])
            _insert(db, "lines", ({"doc": name, "line_no": i, "text": t}
                                  for i, t in enumerate(parsed.lines, start=1)))
            _insert(db, "facts", (_to_row(f, _FACT_COLS) for f in parsed.facts))
            self._insert_chunks(parsed, dense_hashes, tokens)
            _insert(db, "issues", (_to_row(i, _ISSUE_COLS) for i in parsed.issues))
            _insert(db, "enumerations", (_to_row(e, _ENUM_COLS) for e in parsed.enumerations))
            _insert(db, "tables", ({"doc": name, "seq": i, "no": str(t.get("no", "")),
                                    "data": json.dumps(t, ensure_ascii=False, default=str)}
                                   for i, t in enumerate(parsed.tables)))
            new = {h for dh in dense_hashes if dh for h in dh.split()}
            return self._drop_unused(old - new)

    def _insert_chunks(self, parsed: ParsedDocument, dense_hashes: list[str | None], tokens: list[str]) -> None:
        rows = []
        for seq, (chunk, dh, tok) in enumerate(zip(parsed.chunks, dense_hashes, tokens)):
            row = _to_row(chunk, _CHUNK_COLS, {"seq": seq, "dense_hash": dh, "tokens": tok})
            rows.append(row)
        _insert(self.db, "chunks", rows)

    @_locked
    def vector_models(self, name: str) -> list[str]:
        """Embedding models with vectors for a document's chunks."""
        row = self.db.execute("SELECT vector_models FROM documents WHERE name = ?", (name,)).fetchone()
        return row[0].split() if row and row[0] else []

    @_locked
    def set_vectors(self, name: str, dense_hashes: list[tuple[int, str | None]], vector_model: str,
                    reset: bool = False, vectors: Iterable[tuple[str, bytes]] = ()) -> list[str]:
        """Record new vector ids for a document's chunks and the model they belong to, with
        the new vectors, in one transaction.

        Args:
            name: document name.
            dense_hashes: (chunk row id, space-joined vector ids or None).
            vector_model: the model id to add to the document's list.
            reset: the ids changed, so other models' vectors no longer match: keep only this one.
            vectors: (id, float32 bytes) of vector_model not stored yet.

        Returns:
            The vector ids dropped (no chunk uses them any more).
        """
        with self.db:
            old = self._doc_hashes(name)
            self._put_vectors(vector_model, vectors)
            self.db.executemany("UPDATE chunks SET dense_hash = ? WHERE id = ?",
                                [(h, cid) for cid, h in dense_hashes])
            models = [] if reset else self.vector_models(name)
            if vector_model not in models:
                models.append(vector_model)
            self.db.execute("UPDATE documents SET vector_models = ? WHERE name = ?", (" ".join(models), name))
            new = {h for _, dh in dense_hashes if dh for h in dh.split()}
            return self._drop_unused(old - new)

    def _delete(self, name: str) -> None:
        for table in _PER_DOC_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE doc = ?", (name,))
        self.db.execute("DELETE FROM documents WHERE name = ?", (name,))

    @_locked
    def remove_document(self, name: str) -> list[str]:
        """Delete a document, all its rows and the vectors only it used, in one transaction.

        Args:
            name: document name.

        Returns:
            The vector ids dropped.
        """
        with self.db:
            old = self._doc_hashes(name)
            self._delete(name)
            return self._drop_unused(old)

    @_locked
    def update_document_meta(self, name: str, changes: dict[str, Any], *, confidence: float | None = None,
                             meta_source: str | None = None) -> Document | None:
        """Change a document's department / year / kind in place (no re-parse, no re-embedding).

        The facts' and enumerations' denormalised department and year follow, and so does
        the department of each table that had the document's (a table printing its own
        编制部门 keeps it).

        Args:
            name: document name.
            changes: new values of "department", "year", "kind" (absent keys are kept).
            confidence: the document's new confidence (kept when None).
            meta_source: the document's new meta_source (kept when None).

        Returns:
            The document as it was before, None when there is no such document.
        """
        row = self.db.execute("SELECT * FROM documents WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        old = from_row(Document, row)
        dept = changes.get("department", old.department)
        year = changes.get("year", old.year)
        kind = changes.get("kind", old.kind)
        extra = json.loads(row["extra"] or "{}")
        if confidence is not None:
            extra["confidence"] = confidence
        if meta_source is not None:
            extra["meta_source"] = meta_source
        with self.db:
            self.db.execute("UPDATE documents SET department = ?, year = ?, kind = ?, extra = ? WHERE name = ?",
                            (dept, year, kind, json.dumps(extra, ensure_ascii=False), name))
            for table in ("facts", "enumerations"):
                self.db.execute(f"UPDATE {table} SET department = ?, year = ? WHERE doc = ?", (dept, year, name))
            for seq, data in self.db.execute("SELECT seq, data FROM tables WHERE doc = ?", (name,)).fetchall():
                t = json.loads(data)
                if t.get("department", "") in ("", old.department) and t.get("department") != dept:
                    t["department"] = dept
                    self.db.execute("UPDATE tables SET data = ? WHERE doc = ? AND seq = ?",
                                    (json.dumps(t, ensure_ascii=False, default=str), name, seq))
        return old
