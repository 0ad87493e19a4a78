"""Shared fixtures: the corpus ingested once per test session.

`index_dir` runs the real ingest pipeline (loaders, parse_document, embeddings, store) over
corpus/ into a temporary directory, once; `index` is an Index opened on it. Tests that
modify an index must work on a copy (`index_copy`), never on these.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO_ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shipped corpus folder."""
    return CORPUS_DIR


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding corpus/ ingested once for the whole session (read-only for tests)."""
    from qa.ingest.pipeline import ingest_paths
    from qa.store.index import Index

    data_dir = tmp_path_factory.mktemp("qa_index")
    with Index(data_dir) as index:
        report = ingest_paths([CORPUS_DIR], index, progress=False)
    if not report.ok:
        raise RuntimeError("corpus ingest failed: " + "; ".join(r.error for r in report.errors))
    return data_dir


@pytest.fixture(scope="session")
def index(index_dir: Path):
    """An Index opened on the session's ingested corpus."""
    from qa.store.index import Index

    ix = Index(index_dir)
    yield ix
    ix.close()


@pytest.fixture()
def index_copy(index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the ingested corpus data dir, safe to modify."""
    dest = tmp_path / "qa_copy"
    shutil.copytree(index_dir, dest)
    return dest
