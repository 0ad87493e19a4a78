"""Helpers for the tests that compare stores: embeddings that answer from vectors another
index already stored, so a second ingest of the corpus costs no model time and must ask
for exactly the texts the first one embedded."""

from __future__ import annotations

import numpy as np

from qa.store.index import Index
from qa.store.vectors import text_hash


class StoredEmbeddings:
    """Embeddings that return the vectors an existing index holds for each text (by its
    content hash), and the real model's for queries.

    Args:
        source: the index whose vectors are reused (its model id is this one's).

    Raises:
        KeyError: from embed_documents, for a text the source never embedded (so a changed
            dense text shows up as a failure, not as a slower test).
    """

    def __init__(self, source: Index) -> None:
        self.model_id = source.model_id()
        self._blobs = source.sql.get_vectors(self.model_id)
        self._query = source.embeddings
        self.asked: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.asked.extend(texts)
        return [np.frombuffer(self._blobs[text_hash(t)], dtype=np.float32).tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._query.embed_query(text)


def records(ix: Index) -> dict:
    """Everything an index stores, as plain values, for comparing two indexes."""
    docs = ix.documents()
    rows = [{k: r[k] for k in r.keys()} for r in ix.sql.chunk_rows()]
    return {
        "documents": docs,
        "facts": ix.facts(),
        "chunks": ix.chunks(),
        "chunk_rows": rows,
        "issues": ix.issues(),
        "enumerations": ix.enumerations(),
        "lines": {d.name: ix.lines(d.name) for d in docs},
        "tables": {d.name: ix.tables(d.name) for d in docs},
        "vectors": ix.sql.get_vectors(ix.model_id()),
    }
