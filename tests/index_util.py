"""Hand-written fixtures (or real files outside the repository) ingested into a fresh index
and opened as a user would: the one setup the tests that answer over a few files share."""

from __future__ import annotations

from pathlib import Path

from qa.assistant import Assistant
from qa.ingest.pipeline import ingest_paths
from qa.store.index import Index


def open_assistant(paths: list[Path], data: Path) -> Assistant:
    """Ingest the files into a new index at data and open an Assistant over it."""
    index = Index(data)
    try:
        ingest_paths(list(paths), index, progress=False)
    finally:
        index.close()
    return Assistant.open(data)


def assistant_of_text(tmp_path: Path, name: str, text: str) -> Assistant:
    """One hand-written page saved as name under tmp_path, ingested and opened."""
    doc = tmp_path / name
    doc.write_text(text, encoding="utf-8")
    return open_assistant([doc], tmp_path / "qa")
