"""The PostgreSQL role the portal connects as in production: one that owns no table.

The owner of a table may drop its triggers, so the append-only triggers on the audit trail and
the item history only bind a role that does not own them. In production:

- the owner role (the one that created the database) runs `flask --app app db upgrade` and
  `flask --app app db grant-app-role NAME`;
- the portal's DATABASE_URL names the app role NAME. It may SELECT, INSERT, UPDATE and DELETE
  the ordinary tables, only SELECT and INSERT the append-only ones (no UPDATE, DELETE or
  TRUNCATE: refused by privilege before any trigger is asked), and read alembic_version.

Run it again after every `db upgrade` that adds a table (new tables get the ordinary grants by
default privileges; the command puts the append-only tables back to SELECT, INSERT).
"""
from __future__ import annotations

import re

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect, text

from portal.extensions import db

# Tables whose rows are never changed or removed once written (their models call make_append_only).
APPEND_ONLY_TABLES = ("audit_entry", "item_event")
READ_ONLY_TABLES = ("alembic_version",)
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(name: str, password: str | None = None) -> list[str]:
    """Create role `name` (LOGIN, no superuser, no CREATEDB/CREATEROLE) if missing and set its grants.

    Runs as the connected (owner) role, in one transaction; returns the statements it ran.
    """
    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("grant-app-role is for PostgreSQL; SQLite has no roles (the file's owner is the app).")
    if not ROLE_NAME.fullmatch(name):
        raise click.ClickException("role name: lower-case letters, digits and _, starting with a letter or _")
    quote = db.engine.dialect.identifier_preparer.quote
    role = quote(name)
    with db.engine.begin() as conn:
        owner = conn.execute(text("SELECT current_user")).scalar_one()
        if owner == name:
            raise click.ClickException("the app role must not be the role that owns the tables")
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        tables = inspect(conn).get_table_names(schema=schema)
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
        statements = []
        if not exists:
            statements.append(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT")
        if password:
            # A literal: ALTER ROLE takes no bind parameters. Quote it the SQL way.
            literal = "'" + password.replace("'", "''") + "'"
            statements.append(f"ALTER ROLE {role} PASSWORD {literal}")  # a quoted literal: DDL takes no parameters
        statements += [
            f"GRANT CONNECT ON DATABASE {quote(database)} TO {role}",
            f"GRANT USAGE ON SCHEMA {quote(schema)} TO {role}",
            f"REVOKE CREATE ON SCHEMA {quote(schema)} FROM {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quote(schema)} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {quote(schema)} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ]
        for table in tables:
            statements.append(f"REVOKE ALL ON {quote(table)} FROM {role}")
            if table in APPEND_ONLY_TABLES:
                statements.append(f"GRANT SELECT, INSERT ON {quote(table)} TO {role}")
            elif table in READ_ONLY_TABLES:
                statements.append(f"GRANT SELECT ON {quote(table)} TO {role}")
            else:
                statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote(table)} TO {role}")
        for statement in statements:
            conn.exec_driver_sql(statement)
    return [s if "PASSWORD" not in s else s.split(" PASSWORD ")[0] + " PASSWORD ***" for s in statements]


def register_role_commands(app) -> None:
    from flask_migrate.cli import db as db_group  # `flask db …`: one group for the whole process

    if "grant-app-role" in db_group.commands:
        return

    @db_group.command("grant-app-role")
    @with_appcontext
    @click.argument("name")
    @click.option("--password", envvar="PORTAL_APP_ROLE_PASSWORD", default=None,
                  help="Set the role's password (or PORTAL_APP_ROLE_PASSWORD); trust/peer setups need none.")
    def grant_app_role_command(name, password):
        """PostgreSQL: create/grant the role the portal connects as (owns no table; audit and history: SELECT, INSERT)."""
        for statement in grant_app_role(name, password):
            click.echo(statement)
        click.echo(f"Role {name} ready: point DATABASE_URL at it; keep the owner role for `db upgrade`.", err=True)
