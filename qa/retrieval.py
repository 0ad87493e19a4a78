"""Hybrid retrieval: dense (Chroma vectors) + lexical (BM25 over jieba tokens), fused by
reciprocal rank, as a LangChain BaseRetriever filterable by document or department."""

from __future__ import annotations

import logging
from typing import Any, Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from qa.types import Chunk

log = logging.getLogger(__name__)

RRF_K = 60  # the usual reciprocal-rank-fusion constant


def rrf_fuse(rankings: list[list[tuple[Chunk, float]]], k: int = RRF_K) -> list[tuple[Chunk, float]]:
    """Fuse ranked lists by reciprocal rank: score = Σ 1 / (k + rank).

    Args:
        rankings: each a best-first list of (chunk, native score).
        k: damping constant.
    """
    scores: dict[str, float] = {}
    keep: dict[str, Chunk] = {}
    for ranking in rankings:
        for rank, (chunk, _) in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 1.0 / (k + rank)
            keep.setdefault(chunk.id, chunk)
    return sorted(((keep[i], s) for i, s in scores.items()), key=lambda t: -t[1])


def hybrid_search(index: Any, query: str, k: int = 8, docs: list[str] | None = None, dense: bool = True) -> list[tuple[Chunk, float]]:
    """Dense + BM25 search over an Index, fused by RRF; dense failures fall back to BM25.

    Args:
        index: a qa.store.index.Index (anything with search_dense/search_lexical).
        query: the text to search for.
        k: number of chunks wanted.
        docs: restrict to these documents.
        dense: False to skip the embedding model (lexical only).
    """
    lists = [index.search_lexical(query, k=k * 2, docs=docs)]
    if dense:
        try:
            lists.append(index.search_dense(query, k=k * 2, docs=docs))
        except Exception as exc:  # model missing or vectors absent: lexical still answers
            log.warning("dense search unavailable (%s); using BM25 only", exc)
    return rrf_fuse(lists)[:k]


class HybridRetriever(BaseRetriever):
    """LangChain retriever over the Index.

    Attributes:
        index: the Index.
        k: chunks returned.
        docs: document names to restrict to (None = all).
        department: restrict to documents of this department (official name).
        dense: use the dense side as well as BM25.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    k: int = 6
    docs: list[str] | None = None
    department: str | None = None
    dense: bool = True
    doc_filter: Callable[[str], bool] | None = Field(default=None, exclude=True)

    def _scope(self) -> list[str] | None:
        if self.department is None:
            return self.docs
        names = [d.name for d in self.index.documents() if d.department == self.department]
        if self.docs is not None:
            names = [n for n in names if n in self.docs]
        return names

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        hits = hybrid_search(self.index, query, k=self.k, docs=self._scope(), dense=self.dense)
        return [
            LCDocument(
                page_content=c.text,
                metadata={"doc": c.doc, "section": c.section, "line_start": c.line_start,
                          "line_end": c.line_end, "kind": c.kind, "score": s},
            )
            for c, s in hits
        ]
