"""Ingest with parse worker processes stores exactly what a one-process ingest stores, and a
file that fails in a worker is reported without stopping the others."""

from __future__ import annotations

import shutil
from pathlib import Path

from backend_util import StoredEmbeddings, records
from qa.ingest.pipeline import ingest_paths
from qa.store.index import Index


def test_two_workers_store_what_one_does(index: Index, corpus_dir: Path, tmp_path: Path) -> None:
    emb = StoredEmbeddings(index)  # the session's one-process ingest of corpus/ embedded these
    with Index(tmp_path / "two", embeddings=emb, database_url="", chroma_url="") as ix:
        report = ingest_paths([corpus_dir], ix, progress=False, workers=2)
        assert report.ok and report.count("added") == len(index.documents())
        assert records(ix) == records(index), "same rows, ids, tokens and vectors as with one worker"
        assert len(emb.asked) == len(set(emb.asked)) == len(records(ix)["vectors"]), "each text embedded once"
        again = ingest_paths([corpus_dir], ix, progress=False, workers=2)
        assert again.count("unchanged") == len(index.documents()) and not again.embedded_chars


def test_a_failing_file_is_reported_and_the_others_stored(index: Index, corpus_dir: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    good = sorted(corpus_dir.glob("*.txt"))[:2]
    for f in good:
        shutil.copy(f, docs / f.name)
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (docs / "sub").mkdir()
    shutil.copy(good[0], docs / "sub" / good[0].name)  # same file name twice
    with Index(tmp_path / "data", embeddings=StoredEmbeddings(index), database_url="", chroma_url="") as ix:
        report = ingest_paths([docs], ix, progress=False, workers=2)
        by_status = {r.name: r.status for r in report.results}
        assert by_status["broken.pdf"] == "error" and "broken.pdf" in report.errors[0].error
        assert sum(1 for r in report.results if r.status == "added") == 2
        assert any("same file name" in r.error for r in report.errors)
        assert [d.name for d in ix.documents()] == sorted(f.name for f in good)
        assert ix.facts(doc=good[1].name) == index.facts(doc=good[1].name)


def test_a_dead_worker_pool_falls_back_to_parsing_here(corpus_dir: Path) -> None:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from qa.ingest.parallel import ParsePool

    class DeadPool:  # what a pool whose worker was killed (out of memory, a crash) answers
        def submit(self, *a, **k):
            fut: Future = Future()
            fut.set_exception(BrokenProcessPool("a worker died"))
            return fut

        def shutdown(self, **k):
            pass

    files = sorted(corpus_dir.glob("*.txt"))[:3]
    pool = ParsePool(2)
    pool._pool = DeadPool()
    outcomes = list(pool.parse_in_order([(f, {}) for f in files]))
    assert pool.broken
    assert [o.parsed.document.name for o in outcomes] == [f.name for f in files]
    assert all(o.derived is not None and not o.error for o in outcomes)
