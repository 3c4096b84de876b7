"""Command line: `flask --app app plan parse|score|import|export`, `demo load|setup`, `backup create|restore`,
`db grant-app-role`."""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select, text

from portal import authz
from portal.accounts.cli import register_user_commands
from portal.backup import register_backup_commands
from portal.dbroles import register_role_commands
from portal.extensions import db
from portal.uow import saving
from portal.models import Plan, Section, User, WorkItem
from portal.plans.export import plan_json
from portal.plans.importer import PlanFormatError, parse_plan


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"无法读取文件 {path}：{exc.strerror}") from None


def _parse(path: str, aliases=None):
    try:
        return parse_plan(_read(path), aliases) if aliases is not None else parse_plan(_read(path))
    except PlanFormatError as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def _dump(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _print_score(folder: str, verbose: bool) -> None:
    from portal.plans.scoring import corpus_documents, report_lines, score_corpus

    if not corpus_documents(Path(folder)):
        raise click.ClickException(f"{folder}: 没有带答案（NAME.expected.json）的计划文件。")
    for line in report_lines(score_corpus(Path(folder)), verbose):
        click.echo(line)


def register_cli(app: Flask) -> None:
    plan = click.Group("plan", help="Parse, import and export annual plans.")
    demo = click.Group("demo", help="Demo data.")

    @plan.command("parse")
    @click.argument("path")
    def plan_parse(path):
        """Parse a plan file (.txt, .docx, .pdf) and print JSON; touches no database.

        Given a folder of documents with answer keys (the corpus), print the score instead."""
        if Path(path).is_dir():
            _print_score(path, verbose=False)
            return
        _dump(_parse(path).to_json())

    @plan.command("score")
    @click.argument("folder", default="tests/plan_docs")
    @click.option("--verbose", "-v", is_flag=True, help="List every wrong field.")
    def plan_score(folder, verbose):
        """Score the importer on documents with answer keys (NAME.expected.json); touches no database."""
        _print_score(folder, verbose)

    @plan.command("import")
    @click.argument("path")
    @click.option("--year", type=int, help="Plan year (default: the year in the document).")
    def plan_import(path, year):
        """Parse and store a plan in one transaction; never resets a status."""
        from portal.plans.operations import alias_map, ensure_catalog_bodies, import_plan

        ensure_catalog_bodies()
        doc = _parse(path, alias_map())
        year = year or doc.year
        if not year:
            raise click.ClickException("文件中没有年份，请用 --year 指定。")
        with saving():
            report = import_plan(doc, year)
        _dump(report.as_dict())

    @plan.command("export")
    @click.option("--year", type=int, required=True)
    def plan_export(year):
        """Print the stored items of a year's plans as JSON, with their status (tasks are not plan items)."""
        items = db.session.scalars(
            select(WorkItem).join(WorkItem.plan).join(WorkItem.section).where(Plan.year == year, WorkItem.parent_id.is_(None))
            .order_by(Plan.sort_order, Plan.id, Section.number, WorkItem.seq)
        ).all()
        _dump(plan_json(year, items))

    @demo.command("load")
    @click.option("--password", required=True, help="Password for every demo account.")
    @click.option("--progress/--no-progress", default=False, help="Also give the plan a mid-year history.")
    def demo_load(password, progress):
        """Create or update the demo data and print the accounts, one JSON object per line."""
        from portal.demo import load_demo

        with saving():
            users = load_demo(password, progress=progress)
        for user in users:
            click.echo(json.dumps({"username": user.username, "role": user.role, "roles": sorted(authz.roles_of(user)),
                                   "bodies": [b.name for b in user.bodies]}, ensure_ascii=False))

    @demo.command("scale")
    @click.option("--password", required=True, help="Password for every demo account.")
    @click.option("--factor", type=click.IntRange(1, 100), default=1, show_default=True,
                  help="N: 4 × N earlier plan years (and, with the deputies, N × their roll).")
    @click.option("--seed", type=int, default=1, show_default=True)
    @click.option("--roll", type=click.IntRange(0), default=7700, show_default=True,
                  help="Deputies per factor (with about 19.5 duty records each).")
    def demo_scale(password, factor, seed, roll):
        """A whole city's data on top of the demo, deterministic from the seed (portal/demo_scale.py)."""
        from portal.demo import load_demo
        from portal.demo_scale import multiply

        from portal.demo_scale import add_deputies, add_meetings

        with saving():
            load_demo(password, progress=True)
        written = multiply(db.engine, factor=factor, seed=seed)
        with saving():
            written |= add_meetings(seed)
        with saving():
            written |= add_deputies(roll * factor, seed)
        with db.engine.begin() as connection:  # fresh statistics, so the planner knows the tables' new sizes
            connection.execute(text("ANALYZE"))
        click.echo(json.dumps(written, ensure_ascii=False))

    @demo.command("setup")
    def demo_setup():
        """For `make run`: on an empty database, the demo as it stands mid-year, with a random password.

        The password is printed once, when it is made, and kept in instance/ (owner only). When the
        plan's year is over and PORTAL_TODAY is not set, "today" is pinned inside it (instance/demo-today)
        so the lights show a year at work, and every page says so.
        """
        from portal.config import INSTANCE_DIR, ensure_instance_dir
        from portal.demo import DEMO_TODAY, SEED_YEAR, load_demo, random_password

        port = os.environ.get("PORT", "8000")
        if db.session.scalar(select(User.id).limit(1)) is None:
            ensure_instance_dir()
            if not os.environ.get("PORTAL_TODAY") and date.today().year > SEED_YEAR:
                (INSTANCE_DIR / "demo-today").write_text(DEMO_TODAY)
                current_app.config["PORTAL_TODAY"] = DEMO_TODAY
            password = random_password()
            with saving():
                load_demo(password, progress=True)
            secret = INSTANCE_DIR / "demo-password.txt"
            secret.write_text(password)
            secret.chmod(0o600)
            told = f"密码 password: {password}（只显示这一次 shown once; 另存于 kept in instance/demo-password.txt）"
        else:
            told = "密码见 password in instance/demo-password.txt"
        pinned = current_app.config.get("PORTAL_TODAY")
        click.echo("", err=True)
        click.echo(f"打开 http://127.0.0.1:{port} ，以 fgw 登录（法工委工作人员）；也可用 leader（常委会领导）、"
                   f"admin（系统管理员）、caiyu（两个单位）、daibiao_gz（代表工作）、deputy1（代表）。", err=True)
        click.echo(f"Open http://127.0.0.1:{port} and sign in as fgw (staff), leader, admin, caiyu, daibiao_gz or deputy1.",
                   err=True)
        click.echo(told, err=True)
        if pinned:
            click.echo(f"演示的“今天”是 {pinned}（PORTAL_TODAY）。The demo's today is {pinned}.", err=True)
        sys.stderr.flush()

    from portal.deputies.cli import register_deputy_commands

    register_deputy_commands(app, demo)
    app.cli.add_command(plan)
    app.cli.add_command(demo)
    register_user_commands(app)
    register_role_commands(app)
    register_backup_commands(app)
