"""app.py as a process: safe start-up (no open page beyond loopback by accident) and the
login enforced on loopback whenever credentials are configured (an app behind a proxy)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from browser_util import ROOT, app_env, running_app

from qa.web import callbacks as cb

OUT = Path(__file__).resolve().parent / "output"


def _start(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "--port", "1", "--data-dir", str(tmp_path), *args],
                          env=app_env(tmp_path, **env), capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_app_refuses_to_serve_beyond_loopback_without_a_login(tmp_path):
    t0 = time.monotonic()
    proc = _start(tmp_path, "--host", "0.0.0.0")
    assert proc.returncode == 2, proc.stderr
    assert "refusing to serve on 0.0.0.0 without a login" in proc.stderr
    assert "QA_UI_USER" in proc.stderr and "--public" in proc.stderr
    half = _start(tmp_path, "--host", "127.0.0.1", QA_UI_USER="staff")
    assert half.returncode == 2 and "QA_UI_PASSWORD is not set" in half.stderr
    assert time.monotonic() - t0 < 20  # refused before gradio or the index is loaded
    assert not any(tmp_path.iterdir())  # and nothing was created


def _get(url: str, cookie: str = "") -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def _login(url: str, user: str, password: str) -> tuple[int, str]:
    data = urllib.parse.urlencode({"username": user, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "login", data=data), timeout=10) as r:
            cookies = [v.split(";")[0] for k, v in r.headers.items() if k.lower() == "set-cookie"]
            return r.status, "; ".join(cookies)
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_credentials_are_enforced_on_loopback(index_dir):
    env = {"QA_UI_USER": "staff", "QA_UI_PASSWORD": "s3cret"}
    with running_app(index_dir, OUT / "app_auth.log", env=env) as url:
        status, _ = _get(url + "config")
        assert status == 401  # the page's configuration needs the login, even from 127.0.0.1
        assert _get(url + "gradio_api/info")[0] == 401
        assert _login(url, "staff", "wrong")[0] == 400
        status, cookie = _login(url, "staff", "s3cret")
        assert status == 200 and cookie
        status, body = _get(url + "config", cookie)
        assert status == 200 and "qa-chat" in body
        assert str(index_dir) not in body  # the index location is not on the page
        config = json.loads(body)
        assert config["components"] and config["max_file_size"] == cb.MAX_UPLOAD_BYTES
        # uploads over the cap are refused by the server, not only by the page
        import httpx

        big = b"0" * (cb.MAX_UPLOAD_BYTES + 1024)
        with httpx.Client(timeout=60, headers={"Cookie": cookie}) as http:
            too_big = http.post(url + "gradio_api/upload", files={"files": ("big.txt", big, "text/plain")})
            small = http.post(url + "gradio_api/upload", files={"files": ("small.txt", b"1", "text/plain")})
        assert too_big.status_code == 413 and "maximum allowed size" in too_big.text
        assert small.status_code == 200
