"""Dense vectors in Chroma (PersistentClient in <data_dir>/chroma), keyed by content hash.

What gets embedded is not the whole chunk: embedding costs about 0.4 s per 1,000 characters
here, and runs of numbers carry no meaning for a sentence embedding. ``dense_text`` keeps the
section title and the chunk's words (prose, headings, table titles and row labels), capped in
length; its sha256 is the vector id, so identical text is embedded once and unchanged text is
never embedded again. Each embedding model gets its own collection.

chromadb is imported only when vectors are first needed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from qa.types import Chunk

log = logging.getLogger(__name__)

DENSE_BODY_CHARS = 200
# A number as printed in these documents (thousands separators, decimals, percent), or a run
# of such numbers; removed from dense text because they only add noise to the embedding.
_NUMBER_RUN = re.compile(r"(?<![A-Za-z])[-+]?\d[\d,，.．]*\s*[%％]?")
_SPACES = re.compile(r"[ \t\u3000]+")
_BLANK_LINES = re.compile(r"\n{2,}")
_HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def dense_text(chunk: Chunk, body_chars: int = DENSE_BODY_CHARS) -> str:
    """The text embedded for a chunk: last section title + the start of its words.

    Years ("2024年") are kept because they carry meaning; other numbers are dropped.

    Args:
        chunk: the chunk.
        body_chars: how many characters of the chunk body to keep.

    Returns:
        The text, or "" when the chunk has no words worth embedding.
    """
    title = chunk.section.split(" / ")[-1].strip() if chunk.section else ""
    body = re.sub(r"(\d{4})\s*年", r"\1年", chunk.text)
    body = _NUMBER_RUN.sub(lambda m: m.group(0) if re.fullmatch(r"\d{4}", m.group(0)) else " ", body)
    body = _SPACES.sub(" ", body)
    body = "\n".join(line.strip() for line in body.splitlines() if _HAS_WORD.search(line))
    body = _BLANK_LINES.sub("\n", body).strip()
    if title and body.startswith(title):
        title = ""
    text = (title + "\n" + body[:body_chars]).strip() if title else body[:body_chars].strip()
    return text if _HAS_WORD.search(text) else ""


def text_hash(text: str) -> str:
    """Vector id of a text: sha256 hex of its UTF-8 bytes.

    Args:
        text: the embedded text.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def collection_name(model_id: str) -> str:
    """A Chroma collection name for a model: 3-63 chars of [a-z0-9._-], alnum at both ends.

    Args:
        model_id: the embeddings' model id.
    """
    slug = re.sub(r"[^a-z0-9._-]+", "-", model_id.lower()).strip("-._")
    name = f"chunks-{slug}"
    if len(name) > 63:
        name = name[:54].rstrip("-._") + "-" + hashlib.sha1(slug.encode()).hexdigest()[:8]
    return name


class VectorStore:
    """Content-addressed vectors for one embedding model.

    Args:
        path: the Chroma directory (<data_dir>/chroma).
        model_id: names the collection, so different models never share one.
    """

    def __init__(self, path: str | Path, model_id: str) -> None:
        self.path = Path(path)
        self.model_id = model_id
        self.name = collection_name(model_id)
        self._client: Any = None
        self._collection: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            self.path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(self.path),
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
            )
        return self._client

    @property
    def collection(self) -> Any:
        if self._collection is None:
            # embedding_function=None: we always hand Chroma precomputed vectors; its default
            # function would try to download a model.
            self._collection = self.client.get_or_create_collection(
                self.name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"model_id": self.model_id},
            )
        return self._collection

    def count(self) -> int:
        return int(self.collection.count())

    def existing(self, ids: list[str]) -> set[str]:
        """Which of these ids already have vectors.

        Args:
            ids: vector ids.
        """
        if not ids:
            return set()
        found: set[str] = set()
        for i in range(0, len(ids), 1000):
            got = self.collection.get(ids=ids[i : i + 1000], include=[])
            found.update(got["ids"])
        return found

    def add(self, ids: list[str], vectors: list[list[float]], texts: list[str]) -> None:
        """Store vectors (upsert, so a retried ingest is harmless).

        Args:
            ids: text hashes.
            vectors: one per id.
            texts: the embedded texts (kept for inspection).
        """
        for i in range(0, len(ids), 1000):
            self.collection.upsert(
                ids=ids[i : i + 1000], embeddings=vectors[i : i + 1000], documents=texts[i : i + 1000]
            )

    def get(self, ids: list[str]) -> dict[str, list[float]]:
        """Vectors by id (missing ids are left out).

        Args:
            ids: text hashes.
        """
        out: dict[str, list[float]] = {}
        for i in range(0, len(ids), 1000):
            got = self.collection.get(ids=ids[i : i + 1000], include=["embeddings"])
            for vid, vec in zip(got["ids"], got["embeddings"]):
                out[vid] = vec
        return out

    def query(self, vector: list[float], n: int) -> list[tuple[str, float]]:
        """Nearest ids with cosine similarity, best first.

        Args:
            vector: the query vector.
            n: how many.
        """
        total = self.count()
        if total == 0 or n <= 0:
            return []
        res = self.collection.query(query_embeddings=[vector], n_results=min(n, total), include=["distances"])
        return [(vid, 1.0 - float(d)) for vid, d in zip(res["ids"][0], res["distances"][0])]

    def delete_except(self, keep: set[str]) -> int:
        """Drop vectors no chunk refers to any more; returns how many.

        Args:
            keep: ids still referenced.
        """
        all_ids = self.collection.get(include=[])["ids"]
        stale = [i for i in all_ids if i not in keep]
        for i in range(0, len(stale), 1000):
            self.collection.delete(ids=stale[i : i + 1000])
        return len(stale)
