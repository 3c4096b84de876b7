"""`flask --app app deputies import|export PATH` and `flask --app app demo deputies --count N --seed S`."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask

from portal.deputies.roll import RollInvalid, all_deputies, import_roll, parse_roll, roll_sheet
from portal.sheets import csv_lines, write_xlsx
from portal.uow import saving


def register_deputy_commands(app: Flask, demo: click.Group) -> None:
    deputies = click.Group("deputies", help="The roll of deputies (代表名册).")

    @deputies.command("import")
    @click.argument("path")
    @click.option("--passwords", "passwords_path", help="Write the new accounts' one-time passwords to this CSV file.")
    def deputies_import(path, passwords_path):
        """Import the roll (CSV or XLSX); all or nothing; re-import updates by deputy number."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise click.ClickException(f"{path}: {exc.strerror}") from None
        started = time.perf_counter()
        try:
            rows = parse_roll(data, path)
        except RollInvalid as error:
            for row, reason in error.problems:
                click.echo(f"row {row}: {reason}" if row else reason, err=True)
            sys.exit(1)
        with saving():
            report = import_roll(rows)
        if passwords_path:
            target = Path(passwords_path)
            target.write_text("".join(csv_lines(_accounts_sheet(report.accounts))), encoding="utf-8")
            target.chmod(0o600)
        click.echo(f"added {report.added}, updated {report.updated}, accounts {len(report.accounts)} "
                   f"({time.perf_counter() - started:.1f} s)")

    @deputies.command("export")
    @click.argument("path")
    def deputies_export(path):
        """Write the roll in the import's columns: XLSX or CSV by the file's extension."""
        sheet = roll_sheet(all_deputies())
        if path.lower().endswith(".xlsx"):
            with open(path, "wb") as out:
                write_xlsx([sheet], out)
        else:
            Path(path).write_text("".join(csv_lines(sheet)), encoding="utf-8")
        click.echo(path)

    @demo.command("deputies")
    @click.option("--count", default=7700, show_default=True)
    @click.option("--seed", default=1, show_default=True)
    def demo_deputies(count, seed):
        """A realistic roll of COUNT deputies with groups, stations and a year of duty records (deterministic)."""
        from portal.deputies.demo import build_roll

        started = time.perf_counter()
        with saving():
            made = build_roll(count, seed)
        click.echo(f"deputies {made['deputies']}, groups {made['groups']}, stations {made['stations']}, "
                   f"records {made['records']} ({time.perf_counter() - started:.1f} s)")

    app.cli.add_command(deputies)


def _accounts_sheet(accounts):
    from portal.sheets import Column, Sheet

    return Sheet("accounts", [Column("代表编号"), Column("姓名"), Column("初始密码")], accounts)
