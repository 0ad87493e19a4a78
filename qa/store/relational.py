"""What both SQL stores do, written once: the reads, the writes and their order inside a
transaction. ``SqlStore`` holds it; ``qa.store.sqlite.SqliteStore`` and
``qa.store.postgres.PostgresStore`` provide only what differs between the engines: the
connection, how a statement runs, a write transaction, a bulk insert, a list of values to
match, which vectors chunks still use, and the migrations.

The SQL here is written with ``?`` placeholders and uses nothing one engine lacks (the
PostgreSQL store turns ``?`` into ``%s``). A document is replaced in one transaction (its new
vectors, its rows and the vectors only its old version used): readers see either the old rows
or the new ones.
"""

from __future__ import annotations

import json
import threading
from functools import wraps
from operator import itemgetter
from typing import Any, Callable, ContextManager, Iterable, Iterator, TypeVar

from qa.store.records import (CHUNK_COLS, DOC_COLS, ENUM_COLS, FACT_COLS, ISSUE_COLS, PER_DOC_TABLES,
                              dump_table, from_row, row_dict, table_row)
from qa.types import Chunk, Document, Enumeration, Fact, IntegrityIssue, ParsedDocument

F = TypeVar("F", bound=Callable[..., Any])

# where a statement matches a list of values: the engine puts "IN (...)" or "= ANY(...)" here
VALUES = "{values}"
_UPSERT_VECTORS = ("INSERT INTO vectors VALUES (?, ?, ?) "
                   "ON CONFLICT (model, id) DO UPDATE SET data = excluded.data")
_UPSERT_DEPARTMENTS = ("INSERT INTO departments VALUES (?, ?, ?) "
                       "ON CONFLICT (name) DO UPDATE SET rules = excluded.rules, aliases = excluded.aliases")


def locked(fn: F) -> F:
    """Serialise use of the shared connection (the web UI calls in from worker threads)."""

    @wraps(fn)
    def inner(self: "SqlStore", *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return fn(self, *args, **kwargs)

    return inner  # type: ignore[return-value]


def quoted(columns: list[str]) -> str:
    """Column names for a statement, quoted ("column" is a keyword)."""
    return ", ".join(f'"{c}"' for c in columns)


def split_ids(rows: Iterable[Any], column: str = "dense_hash") -> set[str]:
    """The vector ids in a space-separated column of rows."""
    return {h for r in rows for h in r[column].split()}


class SqlStore:
    """Typed access to the store's tables, over one connection usable from several threads.

    A subclass sets ``self._lock`` (an RLock) and its connection, and implements the methods
    below marked "engine".
    """

    _lock: threading.RLock

    # --- engine ---------------------------------------------------------------------------
    def _rows(self, sql: str, args: Any = ()) -> list[Any]:
        """Engine: run a query; its rows (read by column name)."""
        raise NotImplementedError

    def _one(self, sql: str, args: Any = ()) -> Any | None:
        """Engine: the first row of a query, None when there is none."""
        raise NotImplementedError

    def _exec(self, sql: str, args: Any = ()) -> None:
        """Engine: run one statement."""
        raise NotImplementedError

    def _exec_many(self, sql: str, args: list[tuple[Any, ...]]) -> None:
        """Engine: run one statement once per tuple of arguments."""
        raise NotImplementedError

    def _bulk_insert(self, table: str, columns: list[str], values: list[tuple[Any, ...]]) -> None:
        """Engine: insert many rows of the same columns."""
        raise NotImplementedError

    def _write(self) -> ContextManager[Any]:
        """Engine: one write transaction (commits on success, rolls back on any exception)."""
        raise NotImplementedError

    def _changed(self) -> None:
        """Engine: last statement of a write that changed something (tells other readers)."""
        raise NotImplementedError

    def _value_lists(self, values: list[Any]) -> Iterator[tuple[str, list[Any]]]:
        """Engine: (SQL matching a list, its arguments) for as many statements as it takes to
        match all the values (none for no values)."""
        raise NotImplementedError

    def _used_among(self, candidates: set[str]) -> set[str]:
        """Engine: which of these vector ids some chunk uses (it may return more)."""
        raise NotImplementedError

    # --- helpers --------------------------------------------------------------------------
    def _rows_in(self, sql: str, values: list[Any], args: tuple[Any, ...] = ()) -> list[Any]:
        """Rows of a query whose ``{values}`` matches any of values."""
        rows: list[Any] = []
        for match, part in self._value_lists(values):
            rows += self._rows(sql.format(values=match), [*args, *part])
        return rows

    def _exec_in(self, sql: str, values: list[Any]) -> None:
        for match, part in self._value_lists(values):
            self._exec(sql.format(values=match), part)

    def _insert(self, table: str, rows: Iterable[dict[str, Any]]) -> None:
        rows = list(rows)
        if rows:
            cols = list(rows[0].keys())
            # itemgetter builds each row's tuple in C (a document has thousands of rows)
            get = itemgetter(*cols)
            values = [get(r) for r in rows] if len(cols) > 1 else [(r[cols[0]],) for r in rows]
            self._bulk_insert(table, cols, values)

    # --- reads ----------------------------------------------------------------------------
    @locked
    def documents(self) -> list[Document]:
        """All documents by name (the Index API documents the filters)."""
        return [from_row(Document, r) for r in self._rows("SELECT * FROM documents ORDER BY name")]

    @locked
    def document(self, name: str) -> Document | None:
        """One document, None if absent.

        Args:
            name: document name.
        """
        row = self._one("SELECT * FROM documents WHERE name = ?", (name,))
        return from_row(Document, row) if row else None

    @locked
    def document_info(self, name: str) -> dict[str, Any] | None:
        """Store-side details of a document: encoding, notes, ingest time, row counts."""
        row = self._one("SELECT * FROM documents WHERE name = ?", (name,))
        if row is None:
            return None
        info = dict(row)
        info["notes"] = json.loads(info.get("notes") or "[]")
        for table in ("facts", "chunks", "issues", "enumerations", "tables"):
            info[f"n_{table}"] = self._one(f"SELECT count(*) AS n FROM {table} WHERE doc = ?", (name,))["n"]
        return info

    @locked
    def content_hash(self, name: str) -> str | None:
        """Stored content hash of a document, None if absent.

        Args:
            name: document name.
        """
        row = self._one("SELECT content_hash FROM documents WHERE name = ?", (name,))
        return row["content_hash"] if row else None

    @locked
    def lines(self, doc: str) -> list[str]:
        """Source lines of a document in order.

        Args:
            doc: document name.
        """
        return [r["text"] for r in self._rows("SELECT text FROM lines WHERE doc = ? ORDER BY line_no", (doc,))]

    @locked
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
        return [from_row(Fact, r) for r in self._rows(sql, args)]

    @locked
    def chunk_rows(self, doc: str | None = None) -> list[Any]:
        """Raw chunk rows (with id, seq, dense_hash and tokens) in document order.

        Args:
            doc: document name, or None for all.
        """
        if doc is None:
            return self._rows("SELECT * FROM chunks ORDER BY doc, seq")
        return self._rows("SELECT * FROM chunks WHERE doc = ? ORDER BY seq", (doc,))

    @locked
    def chunks(self, doc: str | None = None) -> list[Chunk]:
        """Chunks in document order.

        Args:
            doc: document name, or None for all.
        """
        return [from_row(Chunk, r) for r in self.chunk_rows(doc)]

    def _records(self, cls: type, table: str, doc: str | None) -> list[Any]:
        """The records of a table with an id, in the order they were stored."""
        if doc is None:
            rows = self._rows(f"SELECT * FROM {table} ORDER BY doc, id")
        else:
            rows = self._rows(f"SELECT * FROM {table} WHERE doc = ? ORDER BY id", (doc,))
        return [from_row(cls, r) for r in rows]

    @locked
    def issues(self, doc: str | None = None) -> list[IntegrityIssue]:
        """Integrity issues.

        Args:
            doc: document name, or None for all.
        """
        return self._records(IntegrityIssue, "issues", doc)

    @locked
    def enumerations(self, doc: str | None = None) -> list[Enumeration]:
        """Enumerations.

        Args:
            doc: document name, or None for all.
        """
        return self._records(Enumeration, "enumerations", doc)

    @locked
    def tables(self, doc: str) -> list[dict[str, Any]]:
        """Table dicts of a document as parsed.

        Args:
            doc: document name.
        """
        return [json.loads(r["data"]) for r in self._rows("SELECT data FROM tables WHERE doc = ? ORDER BY seq",
                                                          (doc,))]

    @locked
    def dense_hashes(self) -> set[str]:
        """Every vector id some stored chunk uses."""
        return split_ids(self._rows("SELECT DISTINCT dense_hash FROM chunks WHERE dense_hash IS NOT NULL"))

    @locked
    def vector_ids(self, model: str, ids: list[str]) -> set[str]:
        """Which of these vector ids are stored for a model.

        Args:
            model: model id.
            ids: vector ids.
        """
        return {r["id"] for r in self._rows_in(f"SELECT id FROM vectors WHERE model = ? AND id {VALUES}",
                                               list(ids), (model,))}

    @locked
    def get_vectors(self, model: str, ids: list[str] | None = None) -> dict[str, bytes]:
        """Stored vectors of a model as float32 bytes, by id (all when ids is None).

        Args:
            model: model id.
            ids: vector ids, or None.
        """
        if ids is None:
            rows = self._rows("SELECT id, data FROM vectors WHERE model = ?", (model,))
        else:
            rows = self._rows_in(f"SELECT id, data FROM vectors WHERE model = ? AND id {VALUES}", list(ids), (model,))
        return {r["id"]: bytes(r["data"]) for r in rows}

    @locked
    def department_aliases(self, names: list[str] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
        """Stored alias sets: publisher name -> (rules version, record).

        Args:
            names: only these publishers (None: all).
        """
        if names is None:
            rows = self._rows("SELECT name, rules, aliases FROM departments")
        else:
            rows = self._rows_in(f"SELECT name, rules, aliases FROM departments WHERE name {VALUES}", list(names))
        return {r["name"]: (r["rules"], json.loads(r["aliases"])) for r in rows}

    @locked
    def row_counts(self, table: str) -> dict[str, int]:
        """Rows per document of one of the per-document tables (facts, tables, chunks, …).

        Args:
            table: the table name.
        """
        if table not in PER_DOC_TABLES:
            raise ValueError(f"not a per-document table: {table}")
        return {r["doc"]: int(r["n"]) for r in self._rows(f"SELECT doc, count(*) AS n FROM {table} GROUP BY doc")}

    @locked
    def vector_models(self, name: str) -> list[str]:
        """Embedding models with vectors for a document's chunks."""
        row = self._one("SELECT vector_models FROM documents WHERE name = ?", (name,))
        return row["vector_models"].split() if row and row["vector_models"] else []

    # --- writes ---------------------------------------------------------------------------
    @locked
    def put_vectors(self, model: str, items: list[tuple[str, bytes]]) -> None:
        """Store vectors (float32 bytes) of a model; existing ids are replaced.

        Args:
            model: model id.
            items: (id, bytes) pairs.
        """
        with self._write():
            self._put_vectors(model, items)
            self._changed()

    @locked
    def put_department_aliases(self, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> None:
        """Store alias sets, replacing earlier ones of the same publishers.

        Args:
            rows: (publisher name, rules version, record) triples.
        """
        items = [(n, v, json.dumps(rec, ensure_ascii=False)) for n, v, rec in rows]
        with self._write():
            self._exec_many(_UPSERT_DEPARTMENTS, items)
            self._changed()

    def _put_vectors(self, model: str, items: Iterable[tuple[str, bytes]]) -> None:
        self._exec_many(_UPSERT_VECTORS, [(model, vid, data) for vid, data in items])

    def _doc_hashes(self, name: str) -> set[str]:
        """Vector ids a document's stored chunks use."""
        return split_ids(self._rows("SELECT dense_hash FROM chunks WHERE doc = ? AND dense_hash IS NOT NULL",
                                    (name,)))

    def _drop_unused(self, candidates: set[str]) -> list[str]:
        """Delete the stored vectors (any model) among candidates that no chunk uses; returns
        their ids. Looks at the chunks only when there are candidates (a document replaced by
        a version with other words, or removed), so adding new documents stays linear."""
        if not candidates:
            return []
        stale = sorted(candidates - self._used_among(candidates))
        self._exec_in(f"DELETE FROM vectors WHERE id {VALUES}", stale)
        return stale

    @locked
    def delete_vectors_except(self, keep: set[str]) -> int:
        """Drop stored vectors (any model) whose id no chunk uses; returns how many.

        Args:
            keep: ids still referenced.
        """
        with self._write():
            ids = [r["id"] for r in self._rows("SELECT DISTINCT id FROM vectors")]
            stale = [i for i in ids if i not in keep]
            if stale:
                self._exec_in(f"DELETE FROM vectors WHERE id {VALUES}", stale)
                self._changed()
        return len(stale)

    @locked
    def replace_document(
        self,
        parsed: ParsedDocument,
        dense_hashes: list[str | None],
        tokens: list[str],
        encoding: str = "",
        notes: list[str] | None = None,
        vector_model: str = "",
        vectors: Iterable[tuple[str, bytes]] = (),
        aliases: Iterable[tuple[str, str, dict[str, Any]]] = (),
    ) -> list[str]:
        """Replace every row of one document in a single transaction: its new vectors, its
        rows, the vectors only its previous version used, and alias sets to store with it.

        Args:
            parsed: the parsed document.
            dense_hashes: per chunk, the keys of its vectors joined by spaces (None when none).
            tokens: per chunk, its lexical tokens joined by spaces.
            encoding: how the file was decoded.
            notes: remarks from loading.
            vector_model: id of the embedding model the dense_hashes were stored for.
            vectors: (id, float32 bytes) of vector_model not stored yet.
            aliases: (publisher name, rules version, record) alias sets, as for
                put_department_aliases.

        Returns:
            The vector ids dropped (no chunk uses them any more).
        """
        name = parsed.document.name
        alias_rows = [(n, v, json.dumps(rec, ensure_ascii=False)) for n, v, rec in aliases]
        with self._write():
            if alias_rows:
                self._exec_many(_UPSERT_DEPARTMENTS, alias_rows)
            old = self._doc_hashes(name)
            self._put_vectors(vector_model, vectors)
            self._delete(name)
            doc_row = row_dict(parsed.document, DOC_COLS)
            doc_row.update(encoding=encoding, notes=json.dumps(notes or [], ensure_ascii=False),
                           vector_models=vector_model)
            self._insert("documents", [doc_row])
            self._insert("lines", ({"doc": name, "line_no": i, "text": t}
                                   for i, t in enumerate(parsed.lines, start=1)))
            self._insert("facts", (row_dict(f, FACT_COLS) for f in parsed.facts))
            self._insert_chunks(parsed, dense_hashes, tokens)
            self._insert("issues", (row_dict(i, ISSUE_COLS) for i in parsed.issues))
            self._insert("enumerations", (row_dict(e, ENUM_COLS) for e in parsed.enumerations))
            self._insert("tables", (table_row(name, i, t) for i, t in enumerate(parsed.tables)))
            new = {h for dh in dense_hashes if dh for h in dh.split()}
            stale = self._drop_unused(old - new)
            self._changed()
            return stale

    def _insert_chunks(self, parsed: ParsedDocument, dense_hashes: list[str | None], tokens: list[str]) -> None:
        self._insert("chunks", [row_dict(chunk, CHUNK_COLS, {"seq": seq, "dense_hash": dh, "tokens": tok})
                                for seq, (chunk, dh, tok) in enumerate(zip(parsed.chunks, dense_hashes, tokens))])

    @locked
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
        with self._write():
            old = self._doc_hashes(name)
            self._put_vectors(vector_model, vectors)
            self._exec_many("UPDATE chunks SET dense_hash = ? WHERE id = ?", [(h, cid) for cid, h in dense_hashes])
            models = [] if reset else self.vector_models(name)
            if vector_model not in models:
                models.append(vector_model)
            self._exec("UPDATE documents SET vector_models = ? WHERE name = ?", (" ".join(models), name))
            new = {h for _, dh in dense_hashes if dh for h in dh.split()}
            stale = self._drop_unused(old - new)
            self._changed()
            return stale

    def _delete(self, name: str) -> None:
        for table in PER_DOC_TABLES:
            self._exec(f"DELETE FROM {table} WHERE doc = ?", (name,))
        self._exec("DELETE FROM documents WHERE name = ?", (name,))

    @locked
    def remove_document(self, name: str) -> list[str]:
        """Delete a document, all its rows and the vectors only it used, in one transaction.

        Args:
            name: document name.

        Returns:
            The vector ids dropped.
        """
        with self._write():
            old = self._doc_hashes(name)
            self._delete(name)
            stale = self._drop_unused(old)
            self._changed()
            return stale

    @locked
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
        with self._write():
            row = self._one("SELECT * FROM documents WHERE name = ?", (name,))
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
            self._exec("UPDATE documents SET department = ?, year = ?, kind = ?, extra = ? WHERE name = ?",
                       (dept, year, kind, json.dumps(extra, ensure_ascii=False), name))
            for table in ("facts", "enumerations"):
                self._exec(f"UPDATE {table} SET department = ?, year = ? WHERE doc = ?", (dept, year, name))
            for r in self._rows("SELECT seq, data FROM tables WHERE doc = ?", (name,)):
                t = json.loads(r["data"])
                if t.get("department", "") in ("", old.department) and t.get("department") != dept:
                    t["department"] = dept
                    self._exec("UPDATE tables SET data = ? WHERE doc = ? AND seq = ?", (dump_table(t), name, r["seq"]))
            self._changed()
        return old
