"""The same corpus answered from SQLite + embedded Chroma and from PostgreSQL + a Chroma
server: every record and every `qa ask --json` answer to the gold questions is identical.

Both servers are started by the test session (tests/conftest.py) and the test skips with
the reason when their binaries are missing. The PostgreSQL side is ingested with two parse
workers, from the same files, reusing the SQLite side's vectors (StoredEmbeddings), so the
model runs once; it answers in its own `qa ask --json --batch` process configured by
--database-url and --chroma-url alone, with an empty data directory, while the SQLite side
answers in this process through the same batch function.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from backend_util import StoredEmbeddings, records
from qa.ingest.pipeline import ingest_paths
from qa.store.index import Index

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "evals" / "gold.jsonl"


def _start_ask_batch(args: list[str], batch: Path) -> subprocess.Popen:
    """`qa [ARGS] ask --json --batch FILE` in a process of its own (configured by ARGS alone)."""
    env = {k: v for k, v in os.environ.items() if k not in ("QA_DATABASE_URL", "QA_CHROMA_URL", "QA_DATA_DIR")}
    return subprocess.Popen([sys.executable, "-m", "qa.cli", *args, "ask", "--json", "--batch", str(batch)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_answers_identical_on_sqlite_and_postgresql(pg_url: str, chroma_server, index: Index,
                                                    corpus_dir: Path, tmp_path: Path) -> None:
    # (the servers first: where they cannot run, the test skips before the corpus is ingested)
    data = tmp_path / "pg_data"  # stays empty: records in PostgreSQL, vectors in the Chroma server
    with Index(data, embeddings=StoredEmbeddings(index), database_url=pg_url, chroma_url=chroma_server.url) as ix:
        report = ingest_paths([corpus_dir], ix, progress=False, workers=2)
        assert report.ok, [r.error for r in report.errors]
        stored = records(ix)
        assert stored == records(index)
        assert ix.vectors.count() == len(stored["vectors"]) > 0, "the Chroma server holds every vector"
    assert not (data / "qa.sqlite").exists() and not (data / "chroma").exists()

    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    proc = _start_ask_batch(["--data-dir", str(data), "--database-url", pg_url, "--chroma-url", chroma_server.url],
                            GOLD)
    # meanwhile the SQLite side, here, through the same batch code `qa ask --json --batch` runs
    from qa.ask_cli import _batch
    from qa.assistant import Assistant

    out = io.StringIO()
    assert _batch(Assistant(index), str(GOLD), out) == 0
    on_sqlite = _lines(out.getvalue())
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-2000:]
    on_postgres = _lines(stdout)
    assert len(on_sqlite) == len(on_postgres) == len(gold)
    differ = [a["id"] for a, b in zip(on_sqlite, on_postgres) if a != b]
    assert not differ, f"{len(differ)} of {len(gold)} answers differ: {differ[:10]}"
    answered = sum(a["status"] == "answered" for a in on_sqlite)
    assert answered > len(gold) * 0.8, "the comparison must be over real answers"
