"""Which PostgreSQL the PostgreSQL leg of the suite runs against: the one place that decides.

    python -m tests.pg_server [--server URL] -- COMMAND ...

runs COMMAND (the pytest run of the PostgreSQL leg) with TEST_DATABASE_URL set to, in order:

1. TEST_DATABASE_URL, when it is set: the caller chose; it must answer.
2. The server at --server (default postgresql+psycopg://postgres@127.0.0.1:5432/test), when it answers.
3. A throwaway cluster started here from the installed PostgreSQL binaries (initdb + pg_ctl) in a
   temporary directory, on a free port of 127.0.0.1, removed when COMMAND ends. Missing binaries
   are installed first (scripts/ensure-system-packages postgresql: apt as root, otherwise it
   prints the command to run).

It never falls back to skipping: when no PostgreSQL can be had, it says why and exits non-zero
without running COMMAND. The choice is printed on stderr, so a log shows which server a run used.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parent.parent


class NoPostgres(RuntimeError):
    pass


def libpq_dsn(url: str) -> str:
    """SQLAlchemy's URL (postgresql+psycopg://…) as psycopg takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def answers(url: str, timeout: int = 3) -> str | None:
    """None when a connection to `url` succeeds, else the reason."""
    try:
        with psycopg.connect(libpq_dsn(url), connect_timeout=timeout):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def bin_dir() -> Path | None:
    """The directory of initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb"), shutil.which("pg_ctl")
    if all(on_path):
        return Path(os.path.realpath(on_path[0])).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway cluster's handles: its URL, and stop/start of the server (tests/test_faults.py stops
    PostgreSQL under load and starts it again on the same port)."""

    def __init__(self, binaries: Path, tmp: Path, port: int, run_as: dict, database: str):
        self.binaries, self.tmp, self.port, self.run_as = binaries, tmp, port, run_as
        self.data, self.log = tmp / "data", tmp / "server.log"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    def run(self, *args: str) -> None:
        done = subprocess.run(args, cwd=self.tmp, capture_output=True, text=True, **self.run_as)
        if done.returncode != 0:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise NoPostgres(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}\n{tail}")

    def start(self) -> None:
        # No durability needed for a cluster that lives one test run: fsync off makes it much faster.
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off -c synchronous_commit=off "
                   f"-c full_page_writes=off")
        self.run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
                 "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def throwaway_cluster_handle(database: str = "test") -> Iterator[Cluster]:
    """A new cluster in a temporary directory, trust auth on 127.0.0.1 only; yields its handle, removes it after.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` account
    (Debian's package creates it), or `nobody`.
    """
    binaries = bin_dir()
    if binaries is None:
        install = subprocess.run([str(ROOT / "scripts" / "ensure-system-packages"), "postgresql"])
        binaries = bin_dir()
        if install.returncode != 0 or binaries is None:
            raise NoPostgres("no PostgreSQL binaries (initdb, pg_ctl) and they could not be installed")
    run_as = {}
    owner = None
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                owner = pwd.getpwnam(name)
                break
        if owner is None:
            raise NoPostgres("running as root and there is no `postgres` or `nobody` account to own a cluster")
        run_as = {"user": owner.pw_uid, "group": owner.pw_gid}
    tmp = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    cluster = Cluster(binaries, tmp, free_port(), run_as, database)
    try:
        if owner is not None:
            os.chown(tmp, owner.pw_uid, owner.pw_gid)
        cluster.run(str(binaries / "initdb"), "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--locale=C.UTF-8", "--no-sync")
        cluster.start()
        try:
            admin = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database}"')
            yield cluster
        finally:
            subprocess.run([str(binaries / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "-w", "stop"],
                           cwd=tmp, capture_output=True, **run_as)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster(database: str = "test") -> Iterator[str]:
    """A new cluster (throwaway_cluster_handle); yields its URL."""
    with throwaway_cluster_handle(database) as cluster:
        yield cluster.url


@contextlib.contextmanager
def postgres_for_tests(server: str = DEFAULT_SERVER) -> Iterator[str]:
    """Yields the URL the PostgreSQL leg uses, by the rules in the module docstring."""
    chosen = os.environ.get("TEST_DATABASE_URL")
    if chosen:
        reason = answers(chosen)
        if reason:
            raise NoPostgres(f"TEST_DATABASE_URL={chosen} does not answer: {reason}")
        note(f"TEST_DATABASE_URL={chosen}")
        yield chosen
        return
    reason = answers(server)
    if reason is None:
        note(f"the server at {server}")
        yield server
        return
    note(f"no server at {server} ({reason}); starting a throwaway cluster")
    with throwaway_cluster(make_url(server).database or "test") as url:
        note(f"throwaway cluster at {url}")
        yield url


def note(message: str) -> None:
    print(f"PostgreSQL leg: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=DEFAULT_SERVER, help="the server to use when TEST_DATABASE_URL is unset")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (… -- python -m pytest)")
    try:
        with postgres_for_tests(args.server) as url:
            return subprocess.run(command, env=os.environ | {"TEST_DATABASE_URL": url}).returncode
    except NoPostgres as error:
        print(f"PostgreSQL leg: FAILED, no PostgreSQL to test against: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
