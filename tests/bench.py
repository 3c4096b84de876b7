"""Benchmark: pages per second, p50/p95 latency, SQL queries per page and peak memory.

    python -m tests.bench [--scale 10] [--requests 200] [--database-url URL]

Builds the 2024 plan (106 items) and a synthetic plan year `scale` times larger, then times
the main pages in-process (Flask test client: no network, so figures are the app's own cost)
for committee staff and a leader. Numbers, not assertions: tests/test_items.py asserts the
query counts; this prints what a person can compare from run to run.
"""
from __future__ import annotations

import argparse
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event, select

from portal import create_app
from portal.demo import load_demo
from portal.extensions import db
from portal.models import ItemBody, Plan, Section, User, WorkItem

PASSWORD = "benchmark password 2024"


def build(scale: int) -> None:
    """The seed year, plus a copy of its items `scale` times over as year 2025."""
    db.create_all()
    load_demo(PASSWORD)
    seed_items = db.session.scalars(select(WorkItem).join(WorkItem.plan).where(Plan.year == 2024)).all()
    for copy in range(scale):
        plan = Plan(year=2025, key=f"synthetic_{copy}", title=f"2025年度合成计划{copy + 1}", sort_order=copy)
        plan.sections.append(Section(number=1, title="合成部分"))
        db.session.add(plan)
        db.session.flush()
        for n, item in enumerate(seed_items, 1):
            clone = WorkItem(plan_id=plan.id, section_id=plan.sections[0].id, seq=n, title=item.title, text=item.text,
                             months_mask=item.months_mask, schedule=item.schedule, meeting_month=item.meeting_month,
                             status=("not_started", "in_progress", "done")[n % 3])
            clone.assignments = [ItemBody(body_id=a.body_id, position=a.position) for a in item.assignments]
            db.session.add(clone)
    db.session.commit()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(app, username: str):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return client


def measure(app, client, url: str, requests: int) -> dict:
    queries = []

    def count(*_args):
        queries[-1] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    times = []
    try:
        for _ in range(5):  # warm-up
            queries.append(0)
            client.get(url)
        queries.clear()
        for _ in range(requests):
            queries.append(0)
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    times.sort()
    return {
        "pages_per_s": len(times) / sum(times),
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": times[int(len(times) * 0.95) - 1] * 1000,
        "queries": max(queries),
        "bytes": len(response.get_data()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="size of the synthetic year, in copies of the 2024 plan")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PORTAL_TODAY": "2024-06-15"})
    with app.app_context():
        if args.database_url:
            db.drop_all()
        build(args.scale)
        staff = db.session.scalar(select(User).where(User.username == "jsw"))
        staff_item = staff and db.session.scalar(
            select(ItemBody.item_id).where(ItemBody.body_id == staff.bodies[0].id).limit(1))
        n_2024 = db.session.query(WorkItem).join(Plan).where(Plan.year == 2024).count()
        n_2025 = db.session.query(WorkItem).join(Plan).where(Plan.year == 2025).count()
    pages = [
        ("staff", "jsw", f"/items?year=2024", f"{n_2024} items in year"),
        ("staff", "jsw", f"/items?year=2025", f"{n_2025} items in year"),
        ("leader", "leader", f"/items?year=2024", f"{n_2024} items"),
        ("leader", "leader", f"/items?year=2025", f"{n_2025} items"),
        ("leader", "leader", f"/items?year=2025&month=6&status=not_started", "filtered"),
        ("staff", "jsw", f"/items/{staff_item}", "item page"),
        ("staff", "jsw", "/api/items?year=2024", "JSON"),
    ]
    print(f"database: {url.split('://')[0]}   requests per page: {args.requests}")
    print(f"{'role':<7} {'page':<46} {'note':<20} {'pages/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>7}")
    clients = {}
    for role, username, page, note in pages:
        client = clients.setdefault(username, signed_in(app, username))
        with app.app_context():
            r = measure(app, client, page, args.requests)
        print(f"{role:<7} {page:<46} {note:<20} {r['pages_per_s']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}"
              f" {r['queries']:>8} {r['bytes'] / 1024:>7.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak:.0f} MB")


if __name__ == "__main__":
    main()
