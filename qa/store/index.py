"""The Index: one object over the data directory that every other part reads through.

<data_dir>/qa.sqlite holds documents, lines, facts, chunks (with their lexical tokens),
issues, enumerations and tables; <data_dir>/chroma holds the dense vectors. Opening an Index
only opens SQLite; the embedding model, Chroma and BM25 are built on first use, so commands
that only read facts start fast.

Write order in ``add``: Chroma vectors first, then SQLite in one transaction (the document's
new vector copies, its rows, and the vectors only its old version used), then the same stale
vectors dropped from Chroma after the commit. An ingest interrupted at any point leaves the
previous index usable; at worst Chroma keeps vectors no chunk uses, which
``collect_vectors`` (run once at the end of an ingest that changed something) removes.

Other engines, by configuration (qa.config): with QA_DATABASE_URL the records live in
PostgreSQL (qa.store.postgres, the same interface and migrations) and with QA_CHROMA_URL the
vectors in a Chroma server; the data directory then holds only what is still local.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa.store.sqlite import DB_NAME, SqliteStore
from qa.types import Chunk, Document, Enumeration, Fact, IntegrityIssue, ParsedDocument

if TYPE_CHECKING:  # imported for annotations only: langchain_core costs ~0.25 s to import
    from langchain_core.embeddings import Embeddings

    from qa.text.aliases import DepartmentAliases

log = logging.getLogger(__name__)

# Up to this many vectors, dense search scores every vector exactly in memory (about 1 ms
# for a few thousand); above it, Chroma's approximate HNSW index answers.
EXACT_SEARCH_LIMIT = 20000


@dataclass
class AddStats:
    """What one ``Index.add`` did.

    Attributes:
        chunks: chunks stored.
        dense_texts: distinct texts the document's chunks embed (a chunk may have several).
        embedded: texts actually sent to the model (the rest were already stored).
        embedded_chars: characters sent to the model.
        seconds_embedding: time spent in the model.
    """

    chunks: int = 0
    dense_texts: int = 0
    embedded: int = 0
    embedded_chars: int = 0
    seconds_embedding: float = 0.0


@dataclass(frozen=True)
class Derived:
    """What storing a parsed document derives from it alone (no index, no model), so parse
    workers can compute it: per chunk, the texts it embeds and its lexical tokens.

    Attributes:
        dense: per chunk, the texts embedded for it (qa.store.vectors.dense_texts).
        tokens: per chunk, its BM25 tokens joined by spaces (qa.store.lexical.tokenize).
    """

    dense: tuple[tuple[str, ...], ...]
    tokens: tuple[str, ...]


def derive(parsed: ParsedDocument) -> Derived:
    """The dense texts and lexical tokens of a parsed document's chunks (pure, CPU-bound).

    Args:
        parsed: the parse result.
    """
    from qa.store.lexical import tokenize
    from qa.store.vectors import dense_texts

    # the department's own names masked: shared wording of many departments embeds once
    department = parsed.document.department
    dense = tuple(tuple(dense_texts(c, department=department)) for c in parsed.chunks)
    tokens = tuple(" ".join(t.replace(" ", "_") for t in tokenize(c.section.split(" / ")[-1] + "\n" + c.text))
                   for c in parsed.chunks)
    return Derived(dense, tokens)


class Index:
    """Read and write access to one data directory.

    Args:
        data_dir: the directory (created by the first write, not by reading).
        embeddings: a LangChain Embeddings; by default made from QA_EMBEDDINGS when first needed.
        database_url: a PostgreSQL URL for the records; None reads QA_DATABASE_URL, "" means
            SQLite in data_dir.
        chroma_url: a Chroma server's URL for the vectors; None reads QA_CHROMA_URL, "" means
            the embedded Chroma in data_dir.
    """

    def __init__(self, data_dir: str | Path, embeddings: "Embeddings | None" = None, *,
                 database_url: str | None = None, chroma_url: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        if database_url is None or chroma_url is None:
            from qa.config import load_settings

            settings = load_settings(data_dir)
            database_url = settings.database_url if database_url is None else database_url
            chroma_url = settings.chroma_url if chroma_url is None else chroma_url
        self.database_url = database_url or None
        self.chroma_url = chroma_url or None
        self._sql: SqliteStore | None = None
        self._empty: SqliteStore | None = None
        self._embeddings = embeddings
        self._vectors: Any = None
        self._cache_version: int | None = None
        # (rows, chunks) replaced as one object, so a reader in another thread never pairs
        # the rows of one version with the chunks of another
        self._snap: tuple[list[Any], list[Chunk]] | None = None
        self._lexical: Any = None
        self._matrix: tuple[list[str], Any] | None = None
        self._vectors_lost: bool | None = None
        self._revectored: set[str] = set()
        self._in_chroma: set[str] = set()  # vector ids known to be in Chroma

    # --- lifecycle -----------------------------------------------------------------------
    @property
    def sql(self) -> SqliteStore:
        """The SQLite store. Reading a data dir that has no database yet creates nothing
        (so opening an index before the first ingest does not leave an empty one behind);
        an empty in-memory store answers until the file exists."""
        if self._sql is None:
            path = self.data_dir / DB_NAME
            if self.database_url:
                self._sql = _open_database(self.database_url)
            elif path.exists():
                self._sql = SqliteStore(path)
            else:
                if self._empty is None:
                    self._empty = SqliteStore(":memory:")
                return self._empty
        return self._sql

    def _writable(self) -> SqliteStore:
        if self._sql is None and self.database_url:
            self._sql = _open_database(self.database_url)
        if self._sql is None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._sql = SqliteStore(self.data_dir / DB_NAME)
        return self._sql

    def close(self) -> None:
        """Close the SQLite connections (Chroma needs no closing)."""
        for store in (self._sql, self._empty):
            if store is not None:
                store.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def embeddings(self) -> "Embeddings":
        """The embeddings backend, made from configuration on first use."""
        if self._embeddings is None:
            from qa.embeddings import make_embeddings

            self._embeddings = make_embeddings()
        return self._embeddings

    @property
    def vectors(self) -> Any:
        """The VectorStore for this index's embedding model."""
        if self._vectors is None:
            from qa.embeddings import model_id
            from qa.store.vectors import VectorStore

            self._vectors = VectorStore(self.data_dir / "chroma", model_id(self.embeddings), url=self.chroma_url)
        return self._vectors

    def _fresh(self) -> None:
        """Drop caches when this or another connection changed the database."""
        sql = self.sql
        version = (id(sql), sql.data_version(), getattr(getattr(sql, "db", None), "total_changes", 0))
        if version != self._cache_version:
            self._cache_version = version
            self._snap = None
            self._lexical = None
            self._matrix = None

    # --- reads ---------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        """All documents, by name."""
        return self.sql.documents()

    def document(self, name: str) -> Document | None:
        """One document by its file name.

        Args:
            name: Document.name.
        """
        return self.sql.document(name)

    def document_info(self, name: str) -> dict[str, Any] | None:
        """Store-side details (encoding, notes, row counts) of a document.

        Args:
            name: Document.name.
        """
        return self.sql.document_info(name)

    def content_hash(self, name: str) -> str | None:
        """The stored content hash of a document, None if not ingested.

        Args:
            name: Document.name.
        """
        return self.sql.content_hash(name)

    def lines(self, doc: str) -> list[str]:
        """The document's original text lines; line N is lines(doc)[N - 1].

        Args:
            doc: Document.name.
        """
        return self.sql.lines(doc)

    def facts(self, doc: str | None = None, table_no: str | None = None,
              department: str | None = None) -> list[Fact]:
        """Facts, optionally filtered (filters combine with AND).

        Args:
            doc: Document.name.
            table_no: "1".."N" for 表N, "" for prose facts.
            department: exact department name.
        """
        return self.sql.facts(doc=doc, table_no=table_no, department=department)

    def enumerations(self, doc: str | None = None) -> list[Enumeration]:
        """Named lists stated in the text.

        Args:
            doc: Document.name, or None for all.
        """
        return self.sql.enumerations(doc)

    def issues(self, doc: str | None = None) -> list[IntegrityIssue]:
        """Integrity findings.

        Args:
            doc: Document.name, or None for all.
        """
        return self.sql.issues(doc)

    def tables(self, doc: str) -> list[dict]:
        """Table dicts of a document as the parser produced them.

        Args:
            doc: Document.name.
        """
        return self.sql.tables(doc)

    def row_counts(self, table: str) -> dict[str, int]:
        """Rows per document of a per-document table ("facts", "tables", "chunks", …), in one
        query (what a documents list shows without reading the rows).

        Args:
            table: the table name.
        """
        return self.sql.row_counts(table)

    def department_aliases(self, publishers: list[str]) -> dict[str, "DepartmentAliases"]:
        """The stored alias set of each publisher (qa.text.aliases.publisher of a document),
        in the order given. Sets missing or derived under other rules are derived now and
        stored when the index is writable (ingest stores them as it adds documents).

        Args:
            publishers: publisher names.
        """
        out, fresh = self._alias_sets(publishers)
        if fresh and self._sql is not None:
            try:
                self._sql.put_department_aliases(fresh)
            except Exception:  # a read-only or busy index answers all the same
                log.debug("could not store %d alias sets", len(fresh), exc_info=True)
        return out

    def _alias_sets(self, publishers: list[str]) -> tuple[dict[str, "DepartmentAliases"], list[tuple[str, str, dict]]]:
        """The alias sets of publishers, and the (name, rules version, record) rows of those
        not stored under the current rules (derived now)."""
        from qa.text.aliases import build, from_record, rules_version, to_record

        rules = rules_version()
        stored = self.sql.department_aliases(list(dict.fromkeys(publishers)))
        out: dict[str, DepartmentAliases] = {}
        fresh: list[tuple[str, str, dict]] = []
        for name in publishers:
            if name in out:
                continue
            version, rec = stored.get(name, ("", None))
            if rec is not None and version == rules:
                out[name] = from_record(name, rec)
            else:
                out[name] = build(name)
                fresh.append((name, rules, to_record(out[name])))
        return out, fresh

    def chunks(self, doc: str | None = None) -> list[Chunk]:
        """Chunks in document order.

        Args:
            doc: Document.name, or None for all.
        """
        all_chunks = self._all_chunks()
        return [c for c in all_chunks if doc is None or c.doc == doc]

    def _all_chunks(self) -> list[Chunk]:
        return self._snapshot()[1]

    def _snapshot(self) -> tuple[list[Any], list[Chunk]]:
        """Chunk rows and Chunk objects of the current database version."""
        self._fresh()
        snap = self._snap
        if snap is None:
            from qa.store.records import from_row

            rows = self.sql.chunk_rows()
            snap = (rows, [from_row(Chunk, r) for r in rows])
            self._snap = snap
        return snap

    # --- search --------------------------------------------------------------------------
    def search_dense(self, query: str, k: int = 8, docs: list[str] | None = None) -> list[tuple[Chunk, float]]:
        """Chunks nearest to a question by embedding (cosine similarity, best first).

        Args:
            query: the question.
            k: how many chunks.
            docs: restrict to these document names.
        """
        rows, chunks = self._snapshot()
        wanted = set(docs) if docs is not None else None
        by_hash: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            if row["dense_hash"] and (wanted is None or row["doc"] in wanted):
                for h in row["dense_hash"].split():
                    by_hash.setdefault(h, []).append(i)
        if not by_hash or k <= 0:
            return []
        qvec = self.embeddings.embed_query(query)
        if len(by_hash) > EXACT_SEARCH_LIMIT and wanted is None:
            # Large collections: Chroma's HNSW index. A chunk has several vectors and a vector
            # may serve several chunks, so ask for more ids than chunks wanted.
            hits = self.vectors.query(qvec, n=k * 4 + 16)
        else:
            # Exact cosine over the wanted vectors, held in memory. Exact, and it sees vectors
            # another process added (Chroma's in-memory HNSW of this process would not).
            import numpy as np

            ids, matrix = self._vector_matrix()
            pick = [j for j, vid in enumerate(ids) if vid in by_hash]
            if not pick:
                return []
            sims = matrix[pick] @ np.asarray(qvec, dtype=np.float32)
            order = np.argsort(-sims)
            hits = [(ids[pick[j]], float(sims[j])) for j in order]
        out: list[tuple[Chunk, float]] = []
        seen: set[int] = set()
        for vid, score in hits:  # best first, so a chunk's score is its best vector's
            for i in by_hash.get(vid, []):
                if i not in seen:
                    seen.add(i)
                    out.append((chunks[i], float(score)))
            if len(out) >= k:
                break
        return out[:k]

    def _vector_matrix(self) -> tuple[list[str], Any]:
        """All vectors the stored chunks use, as (ids, float32 matrix); cached until the
        database changes."""
        self._fresh()
        if self._matrix is None:
            import numpy as np

            blobs = self.sql.get_vectors(self.model_id())
            used = {h for r in self._snapshot()[0] if r["dense_hash"]
                    for h in r["dense_hash"].split()}
            ids = sorted(h for h in blobs if h in used)
            matrix = (np.frombuffer(b"".join(blobs[h] for h in ids), dtype=np.float32).reshape(len(ids), -1)
                      if ids else np.zeros((0, 1), dtype=np.float32))
            self._matrix = (ids, matrix)
        return self._matrix

    def search_lexical(self, query: str, k: int = 8, docs: list[str] | None = None) -> list[tuple[Chunk, float]]:
        """Chunks ranked by BM25 over jieba tokens of the full chunk text (score > 0 only).

        Args:
            query: the question.
            k: how many chunks.
            docs: restrict to these document names.
        """
        from qa.store.lexical import LexicalIndex, tokenize

        rows, chunks = self._snapshot()
        cached = self._lexical
        if cached is None or cached[0] is not rows:
            t0 = time.perf_counter()
            lexical = LexicalIndex([(r["tokens"] or "").split(" ") if r["tokens"] else [] for r in rows])
            self._lexical = cached = (rows, lexical)
            log.debug("BM25 built over %d chunks in %.3f s", len(rows), time.perf_counter() - t0)
        scores = cached[1].scores(tokenize(query))
        wanted = set(docs) if docs is not None else None
        ranked = sorted(
            (i for i, s in enumerate(scores) if s > 0 and (wanted is None or chunks[i].doc in wanted)),
            key=lambda i: -scores[i],
        )
        return [(chunks[i], scores[i]) for i in ranked[:k]]

    # --- writes --------------------------------------------------------------------------
    def add(self, parsed: ParsedDocument, *, encoding: str = "", notes: list[str] | None = None,
            derived: "Derived | None" = None) -> AddStats:
        """Store a parsed document, replacing any previous version of it atomically.

        Args:
            parsed: the parse result.
            encoding: how the source was decoded (kept for display).
            notes: loader remarks (kept for display).
            derived: ``derive(parsed)`` when already computed (a parse worker does it).

        Returns:
            What was stored and embedded.
        """
        from qa.store.vectors import text_hash

        if derived is None:
            derived = derive(parsed)
        per_chunk = [list(texts) for texts in derived.dense]
        hashes = [" ".join(text_hash(t) for t in texts) or None for texts in per_chunk]
        fresh, stats = self._embed_missing(per_chunk)
        stats.chunks = len(parsed.chunks)
        tokens = list(derived.tokens)
        store = self._writable()
        stale = store.replace_document(parsed, hashes, tokens, encoding=encoding, notes=notes,
                                       vector_model=self.model_id(), vectors=fresh,
                                       aliases=self._new_aliases(parsed.document))
        self._revectored.add(parsed.document.name)
        self._drop_from_chroma(stale)
        return stats

    def _new_aliases(self, document: Document) -> list[tuple[str, str, dict]]:
        """The alias set of the document's publisher to store with it, unless it is stored
        under the current rules already (opening the index then only reads it). Written in
        the document's own transaction: a commit of its own cost about as much again as
        storing a small document's rows."""
        from qa.text.aliases import publisher

        return self._alias_sets([publisher(document)])[1]

    def _embed_missing(self, per_chunk: list[list[str]]) -> tuple[list[tuple[str, bytes]], AddStats]:
        """Embed (in one batch) the texts this model has no vector for yet and mirror into
        Chroma whatever it lacks (it may have been deleted).

        Returns:
            (the new vectors as (id, float32 bytes), for the caller's SQLite transaction; stats).
        """
        import numpy as np

        from qa.store.vectors import text_hash

        stats = AddStats()
        unique: dict[str, str] = {text_hash(t): t for texts in per_chunk for t in texts}
        stats.dense_texts = len(unique)
        if not unique:
            return [], stats
        model = self.model_id()
        store = self._writable()
        ids = list(unique)
        have = store.vector_ids(model, ids)  # one query per document, not one per id
        missing = [h for h in ids if h not in have]
        fresh: dict[str, bytes] = {}
        if missing:
            batch = [unique[h] for h in missing]
            t0 = time.perf_counter()
            vecs = self.embeddings.embed_documents(batch)
            stats.seconds_embedding = time.perf_counter() - t0
            stats.embedded = len(batch)
            stats.embedded_chars = sum(len(t) for t in batch)
            fresh = {h: np.asarray(v, dtype=np.float32).tobytes() for h, v in zip(missing, vecs)}
        # ids this Index already saw in Chroma are not asked again (most of a corpus's texts
        # are shared, so most documents need no Chroma call at all)
        unknown = [h for h in ids if h not in self._in_chroma]
        in_chroma = self.vectors.existing(unknown) if unknown else set()
        lacking = [h for h in unknown if h not in in_chroma]
        if lacking:
            data = {**store.get_vectors(model, [h for h in lacking if h not in fresh]), **fresh}
            self.vectors.add(lacking, [np.frombuffer(data[h], dtype=np.float32).tolist() for h in lacking],
                             [unique[h] for h in lacking])
        self._in_chroma.update(unknown)
        return list(fresh.items()), stats

    def model_id(self) -> str:
        """Id of the embedding model this index writes and searches with (no model is loaded)."""
        if self._embeddings is not None:
            from qa.embeddings import model_id

            return model_id(self._embeddings)
        from qa.config import load_settings
        from qa.store.model_ids import model_id_for_spec

        return model_id_for_spec(load_settings().embeddings)

    def has_vectors(self, doc: str) -> bool:
        """Whether the document's chunks have vectors from this index's embedding model.

        Args:
            doc: Document.name.
        """
        if self._vectors_lost is None:
            # The vector directory deleted by hand (a "reset"): every stored document needs
            # embedding again, whatever the database says.
            self._vectors_lost = not self.chroma_url and not (self.data_dir / "chroma").is_dir()
        if self._vectors_lost and doc not in self._revectored:
            return not any(r["dense_hash"] for r in self.sql.chunk_rows(doc))
        return self.model_id() in self.sql.vector_models(doc)

    def ensure_vectors(self, doc: str) -> AddStats:
        """Embed a stored document's chunks for this index's model if they lack vectors
        (after QA_EMBEDDINGS changed, or an index written by an older dense-text rule).

        Args:
            doc: Document.name.
        """
        from qa.store.records import from_row
        from qa.store.vectors import dense_texts, text_hash

        rows = self.sql.chunk_rows(doc)
        stored = self.sql.document(doc)
        department = stored.department if stored else ""
        per_chunk = [dense_texts(from_row(Chunk, r), department=department) for r in rows]
        fresh, stats = self._embed_missing(per_chunk)
        stats.chunks = len(rows)
        hashes = [(r["id"], " ".join(text_hash(t) for t in texts) or None) for r, texts in zip(rows, per_chunk)]
        changed = any(h != r["dense_hash"] for (_, h), r in zip(hashes, rows))
        stale = self._writable().set_vectors(doc, hashes, self.model_id(),
                                             reset=changed or bool(self._vectors_lost), vectors=fresh)
        self._revectored.add(doc)
        self._drop_from_chroma(stale)
        return stats

    def remove(self, doc: str) -> None:
        """Delete a document and everything derived from it.

        Args:
            doc: Document.name.
        """
        self._drop_from_chroma(self._writable().remove_document(doc))

    def _drop_from_chroma(self, stale: list[str]) -> None:
        """Drop from Chroma the vectors SQLite just dropped (only after the SQLite commit)."""
        self._in_chroma.difference_update(stale)
        if not stale or self._no_chroma_yet():
            return
        try:
            self.vectors.delete(stale)
        except Exception:  # stale vectors only cost space; never fail an ingest for them
            log.warning("could not drop stale vectors", exc_info=True)

    def collect_vectors(self) -> None:
        """Drop every vector no stored chunk uses, in SQLite and Chroma: what an interrupted
        ingest may have left in Chroma. Reads all vector ids, so run it once per ingest run,
        not per file."""
        keep = self.sql.dense_hashes()
        self._in_chroma.intersection_update(keep)
        try:
            self._writable().delete_vectors_except(keep)
            if self._no_chroma_yet():
                return
            dropped = self.vectors.delete_except(keep)
            if dropped:
                log.debug("dropped %d stale vectors", dropped)
        except Exception:  # stale vectors only cost space; never fail an ingest for them
            log.warning("could not drop stale vectors", exc_info=True)

    def _no_chroma_yet(self) -> bool:
        """No vector store was ever opened here: nothing to drop from it."""
        return self._vectors is None and not self.chroma_url and not (self.data_dir / "chroma").exists()


def _open_database(url: str) -> Any:
    """The PostgreSQL store of a QA_DATABASE_URL (psycopg is imported only then).

    Raises:
        StoreUnavailable: psycopg is missing or the server cannot be reached.
    """
    from qa.store.errors import StoreUnavailable

    try:
        from qa.store.postgres import PostgresStore
    except ModuleNotFoundError as exc:
        if exc.name != "psycopg":
            raise
        raise StoreUnavailable("QA_DATABASE_URL needs psycopg 3: pip install 'psycopg[binary]'") from exc
    return PostgresStore(url)
