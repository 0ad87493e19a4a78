"""Ingest throughput by engine and parse workers.

``python -m qa.bench_ingest [--n 20] [--workers 1 2] [--engines sqlite postgresql]
[--repeat 2] [--embed-every-run] [--database-url URL]``: grows the corpus to N distinct
synthetic documents (qa.testing.synthetic), then ingests them into a fresh, empty store per
engine and worker count and prints seconds, documents/s and the speed-up of two workers over
one and of PostgreSQL over SQLite.

The embedding model does the same work whatever the engine and the workers (the texts
missing from an empty store), and on a shared machine its time swings with the load more
than anything measured here. So by default it runs once, in an untimed first ingest whose
embedding time and characters are printed, and the timed runs get those vectors from a
memo (what is timed is loading, parsing, deriving texts and tokens, hashing, and writing);
--embed-every-run makes each timed run embed for itself. Each configuration runs --repeat
times, in alternating order; the best and the median are printed, the speed-ups use the
best. PostgreSQL is a throw-away server of this run (qa.testing.servers, default durability
settings, as SQLite syncs each commit) unless --database-url names one (each run then uses
a fresh database ``qa_bench_<k>`` created through it). The load average is printed before
and after, and the CPU time of each run (this process; parsing, wherever it ran): on a
shared machine the wall times move with the load, the CPU times much less. Linux groups a
session's processes for the scheduler (autogroup), so on a machine saturated by other
sessions a run gets one session's share however many workers it starts, and more workers
cannot shorten it; the CPU columns then show what would: the critical path is this
process's CPU plus, with one worker, the parsing, and with W workers about max(this
process, parsing / W).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


class MemoEmbeddings:
    """An embeddings backend that computes each distinct text once and remembers it.

    Args:
        inner: the real embeddings.
    """

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = getattr(inner, "model_id", "memo")
        self.memo: dict[str, list[float]] = {}
        self.use_memo = True

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in dict.fromkeys(texts) if not (self.use_memo and t in self.memo)]
        if missing:
            self.memo.update(zip(missing, self.inner.embed_documents(missing)))
        return [self.memo[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def run_one(docs: Path, data_dir: Path, database_url: str, workers: int, embeddings) -> dict:
    """Ingest docs into a fresh store; returns the figures of that run."""
    from qa.ingest.pipeline import ingest_paths
    from qa.store.index import Index

    shutil.rmtree(data_dir, ignore_errors=True)
    t0, c0 = time.perf_counter(), time.process_time()
    with Index(data_dir, embeddings=embeddings, database_url=database_url, chroma_url="") as index:
        report = ingest_paths([docs], index, progress=False, workers=workers)
        n_facts = len(index.facts())
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if not report.ok:
        raise RuntimeError("ingest failed: " + "; ".join(r.error for r in report.errors[:3]))
    # CPU: of this process (embedding, storing; parsing too with one worker) and of parsing
    # wherever it ran; their sum is the run's CPU when workers > 1
    return {"seconds": seconds, "docs": report.count("added"), "facts": n_facts, "cpu_main": cpu,
            "cpu_parse": report.cpu_seconds_parse, "workers": workers,
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
    p.add_argument("--repeat", type=int, default=2, help="timed runs per configuration (default 2)")
    p.add_argument("--embed-every-run", action="store_true", help="each timed run embeds for itself")
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
        embeddings = MemoEmbeddings(make_embeddings())
        embeddings.embed_documents(["预热 warm-up"])  # model loaded before any timed run
        admin_url = args.database_url
        if "postgresql" in args.engines and admin_url is None:
            from qa.testing.servers import start_postgres

            server = start_postgres(fast=False)
            admin_url = server.url()
        print(f"{args.n} synthetic documents; load average before: "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)", flush=True)
        if args.embed_every_run:
            embeddings.use_memo = False
            print("every run embeds for itself")
        else:
            first = run_one(docs, root / "warm", "", max(args.workers), embeddings)
            print(f"untimed first ingest: {first['seconds']:.1f} s, of which embedding {first['embedding_s']:.1f} s "
                  f"({first['embedded_chars']} chars); the timed runs reuse its vectors", flush=True)
        configs = [(e, w) for e in args.engines for w in args.workers]
        times: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
        rows: list[dict] = []
        k = 0
        for rep in range(max(1, args.repeat)):
            for engine, workers in (configs if rep % 2 == 0 else configs[::-1]):
                k += 1
                url = _fresh_database(admin_url, k) if engine == "postgresql" else ""
                r = run_one(docs, root / f"data{k}", url, workers, embeddings)
                times[(engine, workers)].append(r["seconds"])
                r["engine"] = engine
                rows.append(r)
                print(f"  run {rep + 1}: {engine:<10} {workers} worker(s): {r['seconds']:6.1f} s  "
                      f"{r['docs'] / r['seconds']:5.2f} docs/s  CPU: this process {r['cpu_main']:5.1f} s, "
                      f"parsing {r['cpu_parse']:5.1f} s{' (in it)' if workers == 1 else ' (workers)'}  "
                      f"embedding {r['embedding_s']:4.1f} s  {r['facts']} facts", flush=True)
        print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(f"{'engine':<10} {'workers':>7} {'best s':>7} {'median s':>8} {'docs/s':>7} "
              f"{'CPU here':>8} {'CPU parse':>9} {'critical CPU':>12}")
        for (engine, workers), ts in times.items():
            mine = [r for r in rows if (r["engine"], r["workers"]) == (engine, workers)]
            here = statistics.median(r["cpu_main"] for r in mine)
            parse = statistics.median(r["cpu_parse"] for r in mine)
            critical = here if workers == 1 else max(here, parse / workers)
            print(f"{engine:<10} {workers:>7} {min(ts):>7.1f} {statistics.median(ts):>8.1f} {args.n / min(ts):>7.2f} "
                  f"{here:>8.1f} {parse:>9.1f} {critical:>12.1f}")
        by = {c: min(ts) for c, ts in times.items()}
        for engine in args.engines:
            for w in args.workers:
                if w != args.workers[0]:
                    print(f"{engine}: {w} workers vs {args.workers[0]}: "
                          f"{by[(engine, args.workers[0])] / by[(engine, w)]:.2f}x as fast")
        if len(args.engines) == 2:
            for w in args.workers:
                a, b = by[("sqlite", w)], by[("postgresql", w)]
                print(f"{w} worker(s): PostgreSQL {b:.1f} s vs SQLite {a:.1f} s ({a / b:.2f}x as fast)")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
