"""`flask --app app users create|list|disable`: accounts from the command line (CONTRACT.md), for a
production start without demo accounts. Every change goes through the same operations as the admin
screens, inside `with saving():`, so it is checked and audited alike (as the command)."""
from __future__ import annotations

import json

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import authz
from portal.accounts import operations
from portal.accounts.operations import AccountFields
from portal.errors import Invalid
from portal.extensions import db
from portal.models import Body, User
from portal.plans.bodies import resolve_body
from portal.plans.operations import alias_map, ensure_catalog_bodies
from portal.uow import saving


def _fail(errors: dict) -> None:
    raise click.ClickException("；".join(str(m) for m in errors.values()))


def _bodies(names: tuple[str, ...]) -> list[Body]:
    """Bodies by full name, short name or any alias; an unknown name stops the command."""
    by_name = {b.name: b for b in db.session.scalars(select(Body))}
    spellings = alias_map() | {b.short_name: b.name for b in by_name.values() if b.short_name}
    found, unknown = [], []
    for name in names:
        canonical = name if name in by_name else resolve_body(name, spellings)
        if canonical in by_name:
            found.append(by_name[canonical])
        else:
            unknown.append(name)
    if unknown:
        raise click.ClickException(f"未知的单位 unknown body: {'、'.join(unknown)}")
    return found


def account_json(user: User, **extra) -> str:
    return json.dumps({"username": user.username, "role": user.role, "roles": sorted(authz.assigned_roles(user)),
                       "bodies": [b.name for b in user.bodies], **extra}, ensure_ascii=False)


def register_user_commands(app: Flask) -> None:
    users = click.Group("users", help="Accounts: create (with a one-time password), list, disable.")

    @users.command("create")
    @click.argument("username")
    @click.option("--role", "roles", multiple=True, required=True,
                  help=f"A role ({', '.join(authz.ROLE_SPECS)}); repeat for several, the first is the main role.")
    @click.option("--body", "bodies", multiple=True, help="A body the user belongs to (full name, short name or alias); repeatable.")
    @click.option("--leads", "leads", multiple=True, help="For a leader: a body they are in charge of (分管); repeatable.")
    @click.option("--display-name", default="", help="The name shown beside the account.")
    def users_create(username, roles, bodies, leads, display_name):
        """Create an account and print its one-time password once; it must be changed at first sign-in."""
        unknown = [r for r in roles if r not in authz.ROLE_SPECS]
        if unknown:
            raise click.ClickException(f"未知的角色 unknown role: {', '.join(unknown)} "
                                       f"(one of {', '.join(authz.ROLE_SPECS)})")
        try:
            with saving():  # an unknown body or a refusal rolls everything back: nothing is stored
                if bodies or leads:
                    ensure_catalog_bodies()  # a fresh production database knows the bodies before any import
                fields = AccountFields(display_name=display_name, role=roles[0], extra_roles=list(roles[1:]),
                                       bodies=_bodies(bodies), led_bodies=_bodies(leads))
                user, password = operations.create_user(None, username, fields)
        except Invalid as exc:
            _fail(exc.errors)
        click.echo(json.dumps({"username": user.username, "roles": sorted(authz.assigned_roles(user)),
                               "bodies": [b.name for b in user.bodies], "password": password}, ensure_ascii=False))

    @users.command("list")
    def users_list():
        """One JSON object per account: username, role, roles, bodies, active, must_change_password."""
        query = select(User).options(selectinload(User.bodies)).order_by(User.username)
        for user in db.session.scalars(query):
            click.echo(account_json(user, active=user.active, must_change_password=user.must_change_password))

    @users.command("disable")
    @click.argument("username")
    def users_disable(username):
        """Disable an account and end all its sessions."""
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"没有这个用户 no such user: {username}")
        with saving():
            operations.disable_user(None, user)
        click.echo(account_json(user, active=user.active))

    app.cli.add_command(users)
