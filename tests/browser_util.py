"""Helpers for the end-to-end browser test: a free port, the app in a subprocess, and
Debian's Chromium driven by playwright (never `playwright install`: no downloads)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from qa.web.loadtest import stop

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    """Poll url until it answers 200; fail early if proc died."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"app exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s: {last}")


def app_env(data_dir: str | Path, **extra: str) -> dict[str, str]:
    """Environment for app.py in a test: offline, no analytics, no login unless given."""
    env = dict(os.environ, QA_DATA_DIR=str(data_dir), GRADIO_ANALYTICS_ENABLED="False",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", NO_PROXY="127.0.0.1,localhost")
    for key in ("QA_UI_USER", "QA_UI_PASSWORD"):
        env.pop(key, None)
    env.update(extra)
    return env


@contextmanager
def running_app(data_dir: str | Path, log_path: Path, timeout: float = 120, env: dict[str, str] | None = None,
                args: tuple[str, ...] = ()) -> Iterator[str]:
    """Start app.py on a free localhost port against data_dir; yield its URL.

    Args:
        data_dir: the index directory.
        log_path: where the app's output goes.
        timeout: seconds to wait for the page.
        env: extra environment variables (e.g. QA_UI_USER / QA_UI_PASSWORD).
        args: extra app.py arguments.
    """
    port = free_port()
    env = app_env(data_dir, **(env or {}))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(data_dir), *args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_http(url, timeout, proc)
            yield url
        finally:
            stop(proc)


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator[object]:
    """A fresh headless Chromium profile and page (playwright sync API)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="qa-chromium-") as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
        )
        try:
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            yield page
        finally:
            ctx.close()
