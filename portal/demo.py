"""Demo data: the bundled 2024 plan, one staff account per body, a leader, deputy affairs, an admin, deputies
(a small roll of 60 with their records, deputy1 and deputy2 on it: portal.deputies.demo)."""
from __future__ import annotations

import secrets
from datetime import date
from importlib import resources

from sqlalchemy import select

from portal import authz
from portal.extensions import db
from portal.models import Body, User
from portal.plans.importer import parse_plan
from portal.plans.operations import alias_map, ensure_catalog_bodies, import_plan

SEED_YEAR = 2024

# Usernames for the staff of each body (pinyin initials of the short name), stable across loads.
STAFF_USERNAMES = {
    "监察和司法委员会": "jsw",
    "财政预算委员会": "czysw",
    "经济委员会": "jjw",
    "城乡建设环境保护委员会": "chjw",
    "教育科学文化卫生委员会": "jkwwsw",
    "农业与农村委员会": "nyw",
    "社会建设委员会": "shjsw",
    "常委会监察和司法工作委员会": "jsgw",
    "常委会财政预算工作委员会": "ysgw",
    "常委会财政经济工作委员会": "cjgw",
    "常委会城乡建设环境保护工作委员会": "chjgw",
    "常委会教育科学文化卫生工作委员会": "jkwwgw",
    "常委会农村工作委员会": "ncgw",
    "常委会社会建设工作委员会": "shjsgw",
    "常委会法制工作委员会": "fgw",
    "常委会民族宗教侨务外事工作委员会": "mzqwgw",
    "常委会选举任免代表联络工作委员会": "xgw",
    "常委会办公室": "bgs",
    "常委会调研室": "dys",
}

OTHER_ACCOUNTS = [
    ("leader", "leader", "常委会主任（演示）", []),
    ("mishuzhang", "leader", "秘书长（演示）", []),
    ("daibiao_gz", "deputy_affairs", "代表工作人员（演示）", ["常委会选举任免代表联络工作委员会"]),
    ("admin", "admin", "系统管理员（演示）", ["常委会办公室"]),
    ("deputy1", "deputy", "市人大代表（演示）", []),
    ("deputy2", "deputy", "县人大代表（演示）", []),
    # A special committee and its working body share staff: one account for both.
    ("caiyu", "staff", "财政预算委员会与预算工委（演示）", ["财政预算委员会", "常委会财政预算工作委员会"]),
]


def seed_text() -> bytes:
    return resources.files("portal").joinpath("seed/puyang-2024-workplan.txt").read_bytes()


def upsert_user(username: str, role: str, display_name: str, body_names: list[str], password: str,
                bodies: dict[str, Body]) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, role=role, display_name=display_name, password_hash="")  # nosec B106  # set_password follows; an empty hash matches nothing
        db.session.add(user)
    user.role, user.display_name, user.active = role, display_name, True
    user.bodies = [bodies[n] for n in body_names]
    user.set_password(password)
    user.must_change_password = False  # demo accounts share the demo password and are not forced to change it
    return user


DEMO_TODAY = "2024-06-15"  # mid-year: some work done, some due this month, some late


def load_demo(password: str, *, progress: bool = False) -> list[User]:
    """The plan, the bodies and the accounts; with `progress`, the plan as it stands mid-year
    (portal.demo_progress) on a plan whose items have no history yet."""
    from portal.demo_progress import on_day

    ensure_catalog_bodies()
    with on_day(date(SEED_YEAR, 1, 10)):  # the plan arrives at the start of its year
        import_plan(parse_plan(seed_text(), alias_map()), SEED_YEAR)
    bodies = {b.name: b for b in db.session.scalars(select(Body))}
    users = [
        upsert_user(STAFF_USERNAMES.get(b.name, f"body{b.id}"), "staff", f"{b.label}工作人员", [b.name], password, bodies)
        for b in sorted(bodies.values(), key=lambda b: b.sort_order)
    ]
    users += [upsert_user(u, r, d, names, password, bodies) for u, r, d, names in OTHER_ACCOUNTS]
    db.session.flush()
    from portal.deputies.demo import small_demo_roll

    small_demo_roll(users, SEED_YEAR)
    admin = next(u for u in users if u.username == "admin")
    from portal import demo_assignments

    with on_day(date(SEED_YEAR, 1, 15)):  # the office assigns the year's work in January
        demo_assignments.assign_plan_year(SEED_YEAR, admin)
    if progress:
        from portal import demo_progress
        from portal.timeutil import today

        staff = {u.bodies[0].id: u for u in users if len(u.bodies) == 1 and authz.can(u, "item.update_status")
                 and not authz.sees_all_items(u)}
        demo_progress.stage_year(SEED_YEAR, today(), staff)
        from portal import demo_meetings

        demo_meetings.stage_meetings(SEED_YEAR, admin, today())
    return users


def random_password() -> str:
    return secrets.token_urlsafe(9)
