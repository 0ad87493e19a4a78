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


# --- servers: PostgreSQL and Chroma on loopback, started by the tests themselves -------------
@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL cluster of this session (initdb in a temp dir, 127.0.0.1, a free port;
    as root it runs as an unprivileged account). Skips with the reason when psycopg or the
    PostgreSQL binaries are missing."""
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]')")
    from qa.testing.servers import ServerUnavailable, start_postgres

    try:
        server = start_postgres()
    except ServerUnavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture()
def pg_url(pg_server) -> str:
    """The URL of a new, empty database on the session's PostgreSQL server."""
    return pg_server.create_database()


@pytest.fixture(scope="session")
def chroma_server():
    """A `chroma run` server of this session on 127.0.0.1 (skips when `chroma` is missing)."""
    from qa.testing.servers import ServerUnavailable, start_chroma

    try:
        server = start_chroma()
    except ServerUnavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()
