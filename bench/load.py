"""`make load`: a bounded load test with locust against gunicorn (4 workers), on SQLite and PostgreSQL.

    python -m bench.load [--database-url URL] [--only sqlite|postgresql] [--users 50] [--minutes 2]

For each database: the demo database built as `make run` builds it, gunicorn with 4 workers on
127.0.0.1 only, then locust headless (bench/locustfile.py: 50 users with 1–3 s of think time, 80%
reads and 20% HTMX writes) for two minutes. Prints and writes to bench/RESULTS-load.md (which
bench/RESULTS.md includes) each request's count, failures, median / p95 / p99 and req/s, and
fails (exit 1) on any error other than a 409.
"""
from __future__ import annotations

import argparse
import csv
import os
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.server import BIN, ROOT, Gunicorn, build_demo_database

PASSWORD = "load-demo-password-2024"
OUT = ROOT / "bench" / "RESULTS-load.md"


def fresh_postgres(url: str, name: str) -> str:
    server = make_url(url)
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def run_one(kind: str, database_url: str, tmp: Path, users: int, minutes: float) -> list[dict]:
    accounts = build_demo_database(database_url, PASSWORD)
    staff = [a["username"] for a in accounts if a["role"] == "staff" and a.get("bodies")]
    leaders = [a["username"] for a in accounts if a["role"] == "leader"]
    with Gunicorn(database_url, tmp / f"{kind}.log", workers=4) as server:
        prefix = tmp / kind
        env = os.environ | {"LOAD_PASSWORD": PASSWORD, "LOAD_STAFF": ",".join(staff), "LOAD_LEADERS": ",".join(leaders)}
        command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", server.url,
                   "-u", str(users), "-r", "10", "-t", f"{int(minutes * 60)}s", "--csv", str(prefix),
                   "--only-summary", "--exit-code-on-error", "0", "--loglevel", "WARNING"]
        subprocess.run(command, cwd=ROOT, env=env, check=True)
        peak = server.peak_rss_mb()
        log_tail = server.log_tail(3000)
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))
    for row in rows:
        row["database"] = kind
    rows.append({"database": kind, "Type": "workers", "Name": "peak RSS per worker (MB)",
                 "Request Count": "", "Failure Count": "", "50%": "", "95%": "", "99%": "",
                 "Requests/s": " / ".join(f"{mb:.0f}" for mb in peak.values())})
    for failure in failures:
        print(f"{kind}: {failure['Method']} {failure['Name']}: {failure['Error']} × {failure['Occurrences']}")
    if failures:
        print(f"{kind}: the server's log ends:\n{log_tail}")
    return rows, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args(argv)
    kinds = [args.only] if args.only else ["sqlite"] + (["postgresql"] if args.database_url else [])
    table, errors = [], 0
    with tempfile.TemporaryDirectory(prefix="portal-load-") as tmp:
        for kind in kinds:
            url = (f"sqlite:///{Path(tmp) / 'load.db'}" if kind == "sqlite"
                   else fresh_postgres(args.database_url, "portal_load"))
            rows, failures = run_one(kind, url, Path(tmp), args.users, args.minutes)
            table += rows
            errors += sum(int(f["Occurrences"]) for f in failures)
    header = ["database", "Type", "Name", "Request Count", "Failure Count", "50%", "95%", "99%", "Requests/s"]
    lines = ["| " + " | ".join(["database", "type", "request", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "req/s"]) + " |",
             "| " + " | ".join(["---"] * len(header)) + " |"]
    for row in table:
        cells = [row.get(h, "") for h in header]
        if row.get("Requests/s") and row["Type"] != "workers":
            cells[-1] = f"{float(row['Requests/s']):.1f}"
        lines.append("| " + " | ".join(cells) + " |")
    report = [
        "## Load (`make load`)", "",
        f"locust, {args.users} users with 1–3 s think time (bench/locustfile.py: 80% reads, 20% HTMX writes — status",
        "changes and notes by staff, instructions by leaders), against gunicorn with 4 workers on 127.0.0.1,",
        f"{args.minutes:g} minutes per database. Type 409 rows count the conflicts (two users changed one item at once),",
        "which are answers, not errors. The errors column is every other failure.", "",
        f"- date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; command: "
        f"`python -m bench.load {' '.join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))}`", "",
        *lines, "",
        f"Errors other than 409: {errors}.", "",
    ]
    print("\n".join(report))
    OUT.write_text("\n".join(report))
    print(f"written: {OUT}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
