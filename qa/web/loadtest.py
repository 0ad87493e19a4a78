"""Loopback load test of the web app: N parallel users ask Q questions through the Gradio API.

Usage::

    python -m qa.web.loadtest --data-dir .qa [--users 50] [--questions 200]   # starts app.py itself
    python -m qa.web.loadtest --url http://127.0.0.1:7860/ [--users 50] ...   # a running app
    python -m qa.web.loadtest --data-dir .qa --long-question --upload big.txt  # the two probes too

Each user is its own session calling the app's `/answer` endpoint (the same back end as the
chat), through gradio_client (`--client gradio`, the default: the queue's join/data event
stream, as a browser does), Gradio's HTTP API over the queue (`--client http`: POST
/gradio_api/call/answer, then read the event stream) or in one request off the queue
(`--client run`: POST /gradio_api/run/answer). Every answer must be right, twice over: its
value is the gold set's (evals/gold.jsonl), and it is identical (status, text, value,
computation, citations, warnings) to the answer the app gave for that question asked
alone before the load began, so answers given concurrently cannot have leaked into each
other. Prints p50/p95/max latency as a client sees it and the throughput; exits 1 when
any answer is wrong or failed. Bounded on purpose: loopback only, a fixed question count.

`--long-question` sends one question of 1 MB and prints how long its refusal took;
`--upload FILE` uploads FILE through the page's Upload tab API while one user keeps asking
the pool's questions one after another, and prints that user's latency before, during and
right after the upload (the delay an upload causes to everybody else).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GOLD = ROOT / "evals" / "gold.jsonl"
API = "/answer"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def gold_pool(path: Path, size: int) -> list[dict[str, Any]]:
    """Up to `size` gold questions with a numeric answer, spread over the question types
    (round robin in file order, so the pool is the same on every run)."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if isinstance(row.get("value"), (int, float)) and row.get("question"):
            by_type.setdefault(str(row.get("type", "")), []).append(row)
    pool: list[dict[str, Any]] = []
    lists = list(by_type.values())
    i = 0
    while len(pool) < size and any(i < len(rows) for rows in lists):
        pool.extend(rows[i] for rows in lists if i < len(rows))
        i += 1
    return pool[:size]


def value_ok(answer: dict[str, Any], gold: float) -> bool:
    """The answer states the gold value (to the cent, or 1e-6 relative for big numbers)."""
    v = answer.get("value")
    if answer.get("status") != "answered" or not isinstance(v, (int, float)):
        return False
    return abs(v - gold) <= max(0.005, abs(gold) * 1e-6)


@dataclass
class Result:
    """One question asked under load."""

    qid: str
    seconds: float
    ok: bool
    error: str = ""


@dataclass
class Report:
    users: int
    questions: int
    pool: int
    client: str = "gradio"
    dropped: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    wall: float = 0.0
    long_question: dict[str, Any] | None = None

    @property
    def wrong(self) -> list[Result]:
        return [r for r in self.results if not r.ok]

    def summary(self) -> dict[str, Any]:
        times = [r.seconds * 1000 for r in self.results] or [0.0]
        return {
            "client": self.client, "users": self.users, "questions": len(self.results), "distinct_questions": self.pool,
            "dropped_from_pool": len(self.dropped), "wrong_or_failed": len(self.wrong),
            "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1), "mean_ms": round(statistics.fmean(times), 1),
            "wall_s": round(self.wall, 2), "questions_per_s": round(len(self.results) / self.wall, 2) if self.wall else 0,
        }


class HttpClient:
    """Gradio's HTTP API for one endpoint, with the login cookie when there is a login.

    Args:
        url: the app's address.
        auth: (user, password) or None.
        direct: one POST to /run/<api> (off the queue) instead of /call/<api> and its stream.
    """

    def __init__(self, url: str, auth: tuple[str, str] | None = None, direct: bool = False) -> None:
        import httpx

        import uuid

        self.direct = direct
        self.base = url.rstrip("/") + "/gradio_api"
        self.http = httpx.Client(timeout=120)
        # one session per user, as a browser has (without it every call is a new session
        # and the server builds its per-session state each time)
        self.session = uuid.uuid4().hex[:11]
        if auth:
            r = self.http.post(url.rstrip("/") + "/login", data={"username": auth[0], "password": auth[1]})
            r.raise_for_status()

    def predict(self, *data: Any, api_name: str) -> Any:
        if self.direct:
            body = json.dumps({"data": list(data), "session_hash": self.session}, ensure_ascii=False)
            r = self.http.post(f"{self.base}/run/{api_name.strip('/')}", content=body.encode("utf-8"),
                               headers={"Content-Type": "application/json"})
            if r.status_code >= 400:
                raise RuntimeError(f"the app answered {r.status_code}: {r.text[:200]}")
            return r.json()["data"][0]
        r = self.http.post(f"{self.base}/call/{api_name.strip('/')}", json={"data": list(data), "session_hash": self.session})
        if r.status_code >= 400:
            raise RuntimeError(f"the app answered {r.status_code}: {r.text[:200]}")
        event_id = r.json()["event_id"]
        event = ""
        with self.http.stream("GET", f"{self.base}/call/{api_name.strip('/')}/{event_id}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = line[5:].strip()
                    if event == "error":
                        raise RuntimeError(f"the app reported an error: {payload[:200]}")
                    return json.loads(payload)[0]
        raise RuntimeError("the event stream ended without a result")


def _client(url: str, auth: tuple[str, str] | None, kind: str = "gradio") -> Any:
    if kind in ("http", "run"):
        return HttpClient(url, auth, direct=kind == "run")
    from gradio_client import Client

    # 50 clients reading the page's config at once on 2 busy cores need more than the default 5 s
    return Client(url, auth=auth, verbose=False, download_files=False, analytics_enabled=False,
                  httpx_kwargs={"timeout": 120})


def run(url: str, users: int = 50, questions: int = 200, pool_size: int = 40, gold: Path = DEFAULT_GOLD,
        auth: tuple[str, str] | None = None, seed: int = 12, log: Any = sys.stderr,
        client: str = "gradio", long_during: bool = False) -> Report:
    """Run the load test against a served app.

    Args:
        url: the app's address (loopback).
        users: parallel users (one gradio_client session and thread each).
        questions: questions asked in all, spread over the users.
        pool_size: distinct gold questions to draw from.
        gold: the gold set.
        auth: (user, password) when the app has a login.
        seed: shuffles the question order (the same on every run).
        log: where progress lines go.
        client: "gradio" (gradio_client), "http" (Gradio's HTTP API over the queue) or
            "run" (one request off the queue).
        long_during: also send a 1 MB question while the users ask (its refusal time is
            `Report.long_question`).
    """
    candidates = gold_pool(gold, pool_size)
    reference: dict[str, dict[str, Any]] = {}
    report = Report(users=users, questions=questions, pool=0, client=client)
    first = _client(url, auth, client)
    for row in candidates:  # each question alone first: the answers the load must reproduce
        ans = first.predict(row["question"], api_name=API)
        if value_ok(ans, float(row["value"])):
            reference[row["id"]] = ans
        else:
            report.dropped.append(row["id"])
    pool = [row for row in candidates if row["id"] in reference]
    report.pool = len(pool)
    print(f"pool: {len(pool)} gold questions answered right alone ({len(report.dropped)} dropped: "
          f"{', '.join(report.dropped) or '-'})", file=log)
    if not pool:
        raise SystemExit("no gold question is answered right by this app: is the corpus loaded?")
    order = [pool[i % len(pool)] for i in range(questions)]
    random.Random(seed).shuffle(order)
    work: queue.Queue[dict[str, Any]] = queue.Queue()
    for row in order:
        work.put(row)

    clients: list[Any] = [None] * users
    failures: list[str] = []

    def connect(i: int) -> None:
        for attempt in range(4):  # 50 sessions opening at once can time out on 2 cores
            try:
                c = _client(url, auth, client)
                # open the session as a browser does when the page loads (Gradio builds a
                # session's state, ~20 ms for this page, on its first event), with an
                # empty question: answered at once, never timed
                c.predict("", api_name=API)
                clients[i] = c
                return
            except Exception as exc:
                last = f"{type(exc).__name__}: {exc}"
                time.sleep(0.5 * (attempt + 1))
        failures.append(last)

    threads = [threading.Thread(target=connect, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{len(failures)} of {users} users could not connect: {failures[0]}")
    print(f"{users} users connected; asking {questions} questions", file=log)

    lock = threading.Lock()
    start = threading.Barrier(users + 1)

    def user(i: int) -> None:
        client = clients[i]
        start.wait()
        while True:
            try:
                row = work.get_nowait()
            except queue.Empty:
                return
            t0 = time.perf_counter()
            try:
                ans = client.predict(row["question"], api_name=API)
                err = ""
            except Exception as exc:  # a failed request is a wrong answer
                ans, err = None, f"{type(exc).__name__}: {exc}"
            dt = time.perf_counter() - t0
            ok = ans is not None and ans == reference[row["id"]] and value_ok(ans, float(row["value"]))
            if ans is not None and not ok:
                err = f"differs from the answer given alone: {json.dumps(ans, ensure_ascii=False)[:300]}"
            with lock:
                report.results.append(Result(row["id"], dt, ok, err))

    workers = [threading.Thread(target=user, args=(i,), name=f"user-{i}") for i in range(users)]
    if long_during:
        lq_client = _client(url, auth, client)
        lq_client.predict("", api_name=API)

        def long_user() -> None:
            while len(report.results) < questions // 4:  # the load is well under way
                time.sleep(0.01)
            report.long_question = long_question(url, auth, client=client, repeat=1, c=lq_client)

        workers.append(threading.Thread(target=long_user, name="long-question"))
    for t in workers:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in workers:
        t.join()
    report.wall = time.perf_counter() - t0
    return report


def long_question(url: str, auth: tuple[str, str] | None = None, size: int = 1024 * 1024,
                  client: str = "run", repeat: int = 3, c: Any = None) -> dict[str, Any]:
    """Send a question of `size` characters (CJK: three times as many bytes) `repeat` times;
    the slowest refusal, and what it said."""
    c = c if c is not None else _client(url, auth, client)
    text = ("昌吉州公积金中心三公经费是多少？" * (size // 16 + 1))[:size]
    slowest, said, refused = 0.0, "", False
    for _ in range(repeat):
        t0 = time.perf_counter()
        try:  # answered with the refusal, or refused unread with 413 and the same message
            ans = c.predict(text, api_name=API)
            said, status = str(ans.get("answer", "")), str(ans.get("status"))
        except Exception as exc:
            said, status = str(exc), "http-error"
        slowest = max(slowest, (time.perf_counter() - t0) * 1000)
        # 413: refused before its body was read (gradio_client shows only the status)
        refused = bool(re.search(r"\b413\b", said)) or (status == "not_found" and "too long" in said)
    return {"chars": size, "bytes": len(text.encode("utf-8")), "ms": round(slowest, 1), "status": status,
            "refused": refused, "answer": said[:160]}


def upload_probe(url: str, path: Path, auth: tuple[str, str] | None = None, gold: Path = DEFAULT_GOLD,
                 pool_size: int = 40, before_s: float = 20.0, after_s: float = 15.0, timeout: float = 1800,
                 client: str = "run", log: Any = sys.stderr) -> dict[str, Any]:
    """Upload `path` through the page's ingest API while one user asks gold questions one
    after another; that user's latency before, during and after the upload.

    Every answer given must still state the gold value (a wrong answer fails).

    Args:
        url: the app's address (loopback).
        path: the file to upload.
        before_s: seconds of questions before the upload starts (the baseline).
        after_s: seconds of questions after it finished.

    Returns:
        Latency per phase: before, during (the upload is parsed and embedded in the ingest
        process), swap (the server opens the new index), after; the worst delay is the
        slowest answer of the last three less the median before.
        timeout: give up waiting for the upload after this many seconds.
    """
    from gradio_client import Client, handle_file

    asker = _client(url, auth, client)
    rows = gold_pool(gold, pool_size)
    reference = {}
    for row in rows:
        ans = asker.predict(row["question"], api_name=API)
        if value_ok(ans, float(row["value"])):
            reference[row["id"]] = ans
    rows = [r for r in rows if r["id"] in reference]
    if not rows:
        raise SystemExit("no gold question is answered right by this app: is the corpus loaded?")
    phase = ["before"]
    times: dict[str, list[float]] = {"before": [], "during": [], "swap": [], "after": []}
    wrong: list[str] = []
    stop_at = [float("inf")]

    def ask_loop() -> None:
        i = 0
        while time.monotonic() < stop_at[0]:
            row = rows[i % len(rows)]
            i += 1
            t0 = time.perf_counter()
            try:
                ans = asker.predict(row["question"], api_name=API)
                err = ""
            except Exception as exc:
                ans, err = None, f"{type(exc).__name__}: {exc}"
            dt = time.perf_counter() - t0
            # once the upload is swapped in an answer may name the new document too (a
            # warning, another citation): its value must stay the gold one
            if ans is None or not value_ok(ans, float(row["value"])):
                wrong.append(f"{row['id']}: {json.dumps(ans, ensure_ascii=False)[:200] if ans else err}")
            times[phase[0]].append(dt)

    t = threading.Thread(target=ask_loop, name="probe-user")
    t.start()
    time.sleep(before_s)
    uploader = Client(url, auth=auth, verbose=False, download_files=False, analytics_enabled=False)
    phase[0] = "during"
    t_up = time.perf_counter()
    n_params = len(uploader.view_api(print_info=False, return_format="dict")["named_endpoints"]["/ingest"]["parameters"])
    args = [[handle_file(str(path))], "", "", "", []][:max(1, n_params)]  # files, then the form's fields
    job = uploader.submit(*args, api_name="/ingest")
    report = ""
    deadline = time.monotonic() + timeout
    for out in job:
        report = out[0] if isinstance(out, (list, tuple)) else str(out)
        if "Loading the new index" in str(report):
            phase[0] = "swap"  # the new index is being opened in the server
        if time.monotonic() > deadline:
            job.cancel()
            break
    upload_s = time.perf_counter() - t_up
    phase[0] = "after"
    stop_at[0] = time.monotonic() + after_s
    t.join()

    def stats(xs: list[float]) -> dict[str, Any]:
        ms = [x * 1000 for x in xs] or [0.0]
        return {"n": len(xs), "p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
                "max_ms": round(max(ms), 1)}

    got = {k: stats(v) for k, v in times.items()}
    base = got["before"]["p50_ms"]
    print(f"upload of {path.name} ({path.stat().st_size / 1e6:.1f} MB) took {upload_s:.1f} s", file=log)
    return {"file": path.name, "bytes": path.stat().st_size, "upload_s": round(upload_s, 1), **got,
            # the slowest answer while the upload ran, less a typical answer before it
            "worst_delay_ms": round(max(got[k]["max_ms"] for k in ("during", "swap", "after")) - base, 1),
            "wrong": wrong, "report": str(report)[-300:]}


def stop(proc: subprocess.Popen, grace: float = 10) -> None:
    """End a served app: terminate, then kill when it does not exit within grace seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(data_dir: str | Path, log_path: Path | None = None, timeout: float = 180,
          workers: int | None = None, memo: bool = True) -> Iterator[str]:
    """Start app.py on a free loopback port over data_dir (no login); yield its URL.

    Args:
        memo: False starts it with --no-memo (every answer worked out, none remembered).
    """
    port = _free_port()
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               NO_PROXY="127.0.0.1,localhost")
    env.pop("QA_UI_USER", None)
    env.pop("QA_UI_PASSWORD", None)
    cmd = [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port),
           "--data-dir", str(data_dir)]
    if workers:
        cmd += ["--workers", str(workers)]
    if not memo:
        cmd += ["--no-memo"]
    out = open(log_path, "w") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"app.py exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except Exception:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{url} did not answer within {timeout} s")
            time.sleep(0.3)
        yield url
    finally:
        stop(proc)
        if log_path:
            out.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Loopback load test of the web app (answers checked, p50/p95)")
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running app (loopback)")
    where.add_argument("--data-dir", help="start app.py over this index on a free loopback port")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--pool", type=int, default=40, help="distinct gold questions drawn from")
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--client", choices=("gradio", "http", "run"), default="gradio",
                    help="gradio_client sessions, Gradio's HTTP API over the queue, or one request off it")
    ap.add_argument("--long-question", action="store_true", help="also time the refusal of a 1 MB question")
    ap.add_argument("--upload", metavar="FILE", help="also upload FILE while one user asks; print the delay")
    ap.add_argument("--skip-load", action="store_true", help="only the probes")
    ap.add_argument("--no-memo", action="store_true",
                    help="start app.py with --no-memo: every answer worked out (with --data-dir)")
    ap.add_argument("--workers", type=int, default=None, help="app.py --workers (with --data-dir)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    if args.url and not any(h in args.url for h in ("//127.", "//localhost", "//[::1]")):
        ap.error("the load test only runs against a loopback address")
    user, password = os.environ.get("QA_UI_USER", ""), os.environ.get("QA_UI_PASSWORD", "")
    auth = (user, password) if user and password and args.url else None

    probes: dict[str, Any] = {}

    def go(url: str) -> Report | None:
        report = None if args.skip_load else run(url, users=args.users, questions=args.questions,
                                                  pool_size=args.pool, gold=Path(args.gold), auth=auth,
                                                  client=args.client, long_during=args.long_question)
        if args.long_question:
            probes["long_question"] = long_question(url, auth, client=args.client)
            if report is not None and report.long_question:
                probes["long_question_under_load"] = report.long_question
        if args.upload:
            probes["upload"] = upload_probe(url, Path(args.upload), auth, gold=Path(args.gold), pool_size=args.pool,
                                            client=args.client)
        return report

    if args.url:
        report = go(args.url)
    else:
        with serve(args.data_dir, workers=args.workers, memo=not args.no_memo) as url:
            report = go(url)
    failed = False
    if report is not None:
        s = report.summary()
        if args.json:
            print(json.dumps(s))
        else:
            print(f"[{s['client']}] {s['users']} users, {s['questions']} questions ({s['distinct_questions']} distinct): "
                  f"{s['wrong_or_failed']} wrong or failed; latency p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
                  f"max {s['max_ms']} ms; {s['questions_per_s']} questions/s over {s['wall_s']} s")
        for r in report.wrong[:10]:
            print(f"  WRONG {r.qid}: {r.error}", file=sys.stderr)
        failed = bool(report.wrong) or len(report.results) != args.questions
    for key, when in (("long_question", "slowest of 3, after the load"),
                      ("long_question_under_load", f"while {args.users} users ask")):
        if key not in probes:
            continue
        lq = probes[key]
        print(json.dumps({key: lq}, ensure_ascii=False) if args.json else
              f"question of {lq['chars']:,} characters ({lq['bytes'] / 1e6:.1f} MB): "
              f"{'refused' if lq['refused'] else 'NOT refused'} in {lq['ms']} ms ({when})")
        failed |= not lq["refused"]
    if "upload" in probes:
        up = probes["upload"]
        if args.json:
            print(json.dumps(up, ensure_ascii=False))
        else:
            print(f"upload {up['file']} ({up['bytes'] / 1e6:.1f} MB, {up['upload_s']} s): another user's latency "
                  f"before p50 {up['before']['p50_ms']} / max {up['before']['max_ms']} ms; during p50 "
                  f"{up['during']['p50_ms']} / p95 {up['during']['p95_ms']} / max {up['during']['max_ms']} ms "
                  f"({up['during']['n']} answers); swap p50 {up['swap']['p50_ms']} / max {up['swap']['max_ms']} ms "
                  f"({up['swap']['n']}); after p50 {up['after']['p50_ms']} / max {up['after']['max_ms']} ms; "
                  f"worst delay {up['worst_delay_ms']} ms; {len(up['wrong'])} wrong")
        for w in up["wrong"][:5]:
            print(f"  WRONG {w}", file=sys.stderr)
        failed |= bool(up["wrong"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
