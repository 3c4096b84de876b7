"""The portal as `make run` serves it: a database built by the flask CLI, gunicorn in front.

Used by the benchmark (bench/run.py) and by tests/test_gunicorn.py: both need what the test
client hides (gunicorn's header checks, real sockets, two worker processes).
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's bin/, as make puts it first
TODAY = "2024-06-15"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment `make run` gives the portal, for a chosen database."""
    env = os.environ.copy()
    env.pop("PORTAL_COUNT_QUERIES", None)
    env.update(DATABASE_URL=database_url, SECRET_KEY="bench-and-test-secret", PORTAL_TODAY=TODAY)
    # Every simulated user signs in from 127.0.0.1: lift the per-address sign-in throttle (a test may set it).
    env.update(PORTAL_SIGNIN_ADDRESS_MAX_POSTS="100000", PORTAL_SIGNIN_ADDRESS_MAX_ACCOUNTS="100000")
    env.update(extra)
    return env


def flask(database_url: str, *args: str) -> str:
    """`flask --app app ARGS` from the repository root, as the README's commands run; its stdout."""
    done = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=portal_env(database_url),
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def build_demo_database(database_url: str, password: str) -> list[dict]:
    """Migrations then the demo load, as `make run` does; returns the demo accounts (one dict per account)."""
    flask(database_url, "db", "upgrade")
    out = flask(database_url, "demo", "load", "--password", password)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


class Gunicorn:
    """`gunicorn --workers 2 --threads 4 --bind 127.0.0.1:PORT app:app`, as `make run` starts it.

    Without `--access-logfile -`: a log line per request is not what is being measured.
    """

    def __init__(self, database_url: str, log_path: Path, workers: int = 2, threads: int = 4, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.command = [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
                        "--bind", f"127.0.0.1:{self.port}", "app:app"]
        self.env = portal_env(database_url, **env)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status = get_status(self.port, "/healthz")
                if status == 200 and len(self.worker_pids()) >= 1:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not answer /healthz within 60 s:\n{self.log_tail()}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """The master's children (the workers), from /proc."""
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each worker, in MB."""
        peaks = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return peaks


def get_status(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.body)


class Client:
    """One keep-alive HTTP/1.1 connection with a cookie jar: one person's browser, minus the browser.

    http.client rather than requests: on a 2-core machine the client shares the CPU with the
    server, and a lighter client takes less of it from what is measured.
    """

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None,
                body: bytes | None = None) -> Response:
        send = dict(headers or {})
        if form is not None:
            body = urlencode(form)
            send["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # gunicorn closes idle keep-alive connections: reconnect once
            try:
                self.conn.request(method, path, body=body, headers=send)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest,
                    http.client.ResponseNotReady):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value, _, attributes = rest.partition(";")
            if "max-age=0" in attributes.lower() or "1970" in attributes:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return Response(response.status, response.headers, data)

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict, headers: dict | None = None) -> Response:
        return self.request("POST", path, form=form, headers=headers)

    def post_file(self, path: str, fields: dict, name: str, filename: str, data: bytes,
                  headers: dict | None = None) -> Response:
        """A multipart/form-data POST of `fields` and one file, as a browser's upload form sends it."""
        boundary = "----portal-bench-boundary"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        send = dict(headers or {}) | {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, body=body, headers=send)

    def close(self) -> None:
        self.conn.close()


def csrf_of(html: str) -> str | None:
    """The CSRF token of a page: the login form's field, or the X-CSRFToken that <body hx-headers> carries."""
    import re

    match = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
             or re.search(r'"X-CSRFToken":\s*"([^"]+)"', html))
    return match.group(1) if match else None


def sign_in(client: Client, username: str, password: str) -> str:
    """POST /login with the token of GET /login, as a person does; returns the signed-in session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", {"username": username, "password": password, "csrf_token": token or ""})
    if response.status != 302:
        raise RuntimeError(f"sign-in as {username} answered {response.status}")
    home = client.get("/items")  # the session is new after sign-in: so is its token
    return csrf_of(home.text) or ""
