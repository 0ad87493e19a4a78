"""Throw-away PostgreSQL and Chroma servers on loopback, for tests and benchmarks.

``start_postgres`` runs Debian's PostgreSQL binaries (/usr/lib/postgresql/N/bin, or
$QA_PG_BIN): initdb into a new temporary directory and ``pg_ctl start`` listening on
127.0.0.1 at a free port, trust authentication for the one role ``qa``. initdb refuses to
run as root, so as root both run as an unprivileged account through ``runuser`` (the
``postgres`` account the Debian package creates, else ``nobody``), in a directory given to
that account. ``start_chroma`` runs ``chroma run`` (the chromadb package's command) on
127.0.0.1 at a free port with a temporary persistence path.

Both raise ``ServerUnavailable`` with the reason when something they need is missing, so a
test fixture can skip with that reason. Both servers are stopped and their directories
removed by ``stop()`` (or leaving the ``with`` block).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PG_ROLE = "qa"


class ServerUnavailable(RuntimeError):
    """A server cannot be started here (binaries missing, no account to run it as, ...)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: $QA_PG_BIN, the newest /usr/lib/postgresql/N/bin, else PATH."""
    candidates: list[Path] = []
    if os.environ.get("QA_PG_BIN"):
        candidates.append(Path(os.environ["QA_PG_BIN"]))
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0], reverse=True)
    candidates.extend(versions)
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    return None


def _unprivileged_user() -> str | None:
    """The account to run PostgreSQL as when we are root (None when we are not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ServerUnavailable("running as root and there is neither a 'postgres' nor a 'nobody' account")


class PostgresServer:
    """A PostgreSQL cluster in a temporary directory, listening on 127.0.0.1:port."""

    def __init__(self, root: Path, port: int, bin_dir: Path, user: str | None) -> None:
        self.root = root
        self.port = port
        self.bin_dir = bin_dir
        self.user = user
        self.data = root / "data"
        self._n = 0

    def url(self, dbname: str = "postgres") -> str:
        """Connection URL of a database of this server."""
        return f"postgresql://{PG_ROLE}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str | None = None, icu_locale: str | None = None) -> str:
        """Create an empty database (a new name each call by default); returns its URL.

        Args:
            name: database name ([a-z0-9_]).
            icu_locale: an ICU collation for the database's text ("zh" sorts by pinyin);
                None keeps the cluster's C locale.
        """
        import psycopg

        if name is None:
            self._n += 1
            name = f"qa_test_{self._n}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain database name: {name!r}")
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            if icu_locale:
                if not re.fullmatch(r"[A-Za-z0-9_@=-]+", icu_locale):
                    raise ValueError(f"not an ICU locale: {icu_locale!r}")
                conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu "
                             f"ICU_LOCALE '{icu_locale}' LOCALE 'C'")
            else:
                conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return _run_as(self.user, [str(self.bin_dir / args[0]), *args[1:]], check=check)

    def stop(self) -> None:
        """Stop the server (fast) and remove its directory."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _run_as(user: str | None, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
    if user is not None:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise ServerUnavailable("running as root and runuser is missing (initdb refuses root)")
        cmd = [runuser, "-u", user, "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {(proc.stderr or proc.stdout).strip()[-800:]}")
    return proc


def start_postgres(fast: bool = True) -> PostgresServer:
    """initdb + pg_ctl start on 127.0.0.1 at a free port.

    Args:
        fast: no fsync and no synchronous commit (tests); False keeps the server's defaults
            (benchmarks that compare with SQLite, which syncs every commit).

    Raises:
        ServerUnavailable: the binaries (or an account to run them as) are missing.
    """
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise ServerUnavailable("PostgreSQL binaries not found (/usr/lib/postgresql/N/bin, $QA_PG_BIN or PATH)")
    user = _unprivileged_user()
    # the other account must reach the directory: /tmp, not a TMPDIR private to root
    root = Path(tempfile.mkdtemp(prefix="qa-pg-", dir="/tmp" if user is not None and os.path.isdir("/tmp") else None))
    if user is not None:
        info = pwd.getpwnam(user)
        os.chown(root, info.pw_uid, info.pw_gid)
    os.chmod(root, 0o700)
    server = PostgresServer(root, 0, bin_dir, user)
    try:
        server._run("initdb", "-D", str(server.data), "-U", PG_ROLE, "--auth=trust", "--encoding=UTF8",
                    "--locale=C", "--no-sync")
        options = ["-c listen_addresses=127.0.0.1", f"-k {root}", "-c max_connections=40"]
        if fast:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        last = ""
        for _ in range(3):  # the free port may be taken between probing and binding
            server.port = free_port()
            proc = server._run("pg_ctl", "-D", str(server.data), "-l", str(root / "server.log"), "-w", "-t", "60",
                               "-o", " ".join([*options, f"-p {server.port}"]), "start", check=False)
            if proc.returncode == 0:
                return server
            last = (root / "server.log").read_text(errors="replace")[-800:] if (root / "server.log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {last or proc.stderr.strip()}")
    except BaseException:
        server.stop()
        raise


def chroma_executable() -> str | None:
    """The `chroma` command of the chromadb package (next to this Python, else on PATH)."""
    beside = Path(sys.executable).with_name("chroma")
    if beside.is_file():
        return str(beside)
    return shutil.which("chroma")


class ChromaServer:
    """A `chroma run` process on 127.0.0.1:port with a temporary persistence path."""

    def __init__(self, root: Path, port: int, proc: subprocess.Popen) -> None:
        self.root = root
        self.port = port
        self.proc = proc

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        try:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "ChromaServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_chroma(timeout: float = 60.0) -> ChromaServer:
    """`chroma run --host 127.0.0.1 --port P --path TMP`, waiting until it answers.

    Raises:
        ServerUnavailable: no `chroma` command.
    """
    exe = chroma_executable()
    if exe is None:
        raise ServerUnavailable("the `chroma` command (chromadb package) is not installed")
    root = Path(tempfile.mkdtemp(prefix="qa-chroma-"))
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    log = open(root / "server.log", "wb")
    proc = subprocess.Popen([exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(root / "data")],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=root)
    log.close()
    server = ChromaServer(root, port, proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = (root / "server.log").read_text(errors="replace")[-800:]
            server.stop()
            raise RuntimeError(f"chroma run exited ({proc.returncode}): {text}")
        try:
            with urllib.request.urlopen(f"{server.url}/api/v2/heartbeat", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"chroma run did not answer on {server.url} within {timeout:.0f} s")
