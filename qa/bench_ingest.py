"""Ingest throughput by engine and parse workers.

``python -m qa.bench_ingest [--n 20] [--workers 1 2] [--engines sqlite postgresql]
[--database-url URL]``: grows the corpus to N distinct synthetic documents
(qa.testing.synthetic), then ingests them into a fresh store once per engine and worker
count and prints seconds, documents/s, time in the embedding model and the speed-up of two
workers over one and of PostgreSQL over SQLite. Every run starts from an empty store and
embeds for itself; the model is loaded (and warmed) once before the first run, so no run
pays for loading it. PostgreSQL is a throw-away server of this run (qa.testing.servers,
default durability settings, as SQLite syncs each commit) unless --database-url names one
(each run then uses a fresh database ``qa_bench_<k>`` created through it).

The machine's load average is printed before and after: on a shared machine the figures
move with it.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


def run_one(docs: Path, data_dir: Path, database_url: str, workers: int, embeddings) -> dict:
    """Ingest docs into a fresh store; returns the figures of that run."""
    from qa.ingest.pipeline import ingest_paths
    from qa.store.index import Index

    shutil.rmtree(data_dir, ignore_errors=True)
    t0 = time.perf_counter()
    with Index(data_dir, embeddings=embeddings, database_url=database_url, chroma_url="") as index:
        report = ingest_paths([docs], index, progress=False, workers=workers)
        n_facts = len(index.facts())
    seconds = time.perf_counter() - t0
    if not report.ok:
        raise RuntimeError("ingest failed: " + "; ".join(r.error for r in report.errors[:3]))
    return {"seconds": seconds, "docs": report.count("added"), "facts": n_facts,
            "embedding_s": report.seconds_embedding, "embedded_chars": report.embedded_chars}


def _fresh_database(admin_url: str, k: int) -> str:
    """A new empty database next to admin_url's; returns its URL."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"qa_bench_{k}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    params = conninfo_to_dict(admin_url)
    params["dbname"] = name
    return make_conninfo(**params)


def main(argv: list[str] | None = None) -> int:
    """Entry point: prints the figures; exit 0."""
    p = argparse.ArgumentParser(prog="python -m qa.bench_ingest", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=20, help="synthetic documents (default 20)")
    p.add_argument("--corpus", default="corpus", help="template documents")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    p.add_argument("--database-url", default=None, help="an existing PostgreSQL server to create databases in")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from qa.embeddings import make_embeddings
    from qa.testing.synthetic import make_corpus

    root = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    server = None
    try:
        docs = root / "docs"
        make_corpus(args.corpus, docs, args.n)
        embeddings = make_embeddings()
        embeddings.embed_documents(["预热 warm-up"])  # model loaded before any timed run
        admin_url = args.database_url
        if "postgresql" in args.engines and admin_url is None:
            from qa.testing.servers import start_postgres

            server = start_postgres(fast=False)
            admin_url = server.url()
        print(f"{args.n} synthetic documents; load average before: "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)")
        rows = []
        for k, (engine, workers) in enumerate((e, w) for e in args.engines for w in args.workers):
            url = _fresh_database(admin_url, k) if engine == "postgresql" else ""
            r = run_one(docs, root / f"data{k}", url, workers, embeddings)
            r.update(engine=engine, workers=workers)
            rows.append(r)
            print(f"  {engine:<10} {workers} worker(s): {r['seconds']:6.1f} s  {r['docs'] / r['seconds']:5.2f} docs/s  "
                  f"embedding {r['embedding_s']:5.1f} s ({r['embedded_chars']} chars)  {r['facts']} facts", flush=True)
        print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        by = {(r["engine"], r["workers"]): r["seconds"] for r in rows}
        for engine in args.engines:
            for w in args.workers:
                if w != args.workers[0] and (engine, args.workers[0]) in by:
                    print(f"{engine}: {w} workers vs {args.workers[0]}: "
                          f"{by[(engine, args.workers[0])] / by[(engine, w)]:.2f}x faster")
        if len(args.engines) == 2:
            for w in args.workers:
                a, b = by.get(("sqlite", w)), by.get(("postgresql", w))
                if a and b:
                    print(f"{w} worker(s): PostgreSQL {b:.1f} s vs SQLite {a:.1f} s ({a / b:.2f}x)")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
