from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models.bodies import Body
from portal.timeutil import utcnow

user_body = Table(
    "user_body",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("body.id", ondelete="CASCADE"), primary_key=True),
)

# The bodies a leader is in charge of (分管), set by an admin; the dashboard shows them first.
leader_body = Table(
    "leader_body",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", ForeignKey("body.id", ondelete="CASCADE"), primary_key=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A person who signs in: a main role and any others (portal.authz), any number of bodies."""

    # Sign-in bookkeeping is not audited (the security log has it); a new password shows as "***".
    __audit__ = {"skip": ("session_token", "failed_logins", "failed_since", "locked_until", "locale", "created_at"),
                 "hidden": ("password_hash",), "collections": ("bodies", "led_bodies")}

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))  # the main role (CONTRACT: `role`)
    # Further roles, space-separated (a deputy-affairs officer is also 选工委 staff; a 秘书长 may be an admin).
    # Read only through portal.authz.roles_of.
    extra_roles: Mapped[str] = mapped_column(String(100), default="")
    # Set when an admin or an import made the account or reset its password: change it at next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    # Part of the login cookie's id; rotating it ends every session of the user (logout, password change, disable).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Sign-in throttling (portal.accounts.lockout): failures in the current window, and the lock.
    failed_logins: Mapped[int] = mapped_column(default=0)
    failed_since: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]

    bodies: Mapped[list[Body]] = relationship(secondary=user_body, order_by=Body.sort_order)
    led_bodies: Mapped[list[Body]] = relationship(secondary=leader_body, order_by=Body.sort_order)

    def set_password(self, password: str) -> None:
        # scrypt (werkzeug's default) in production; tests configure a cheaper method for speed.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = new_session_token()
        self.password_changed_at = utcnow()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def body_ids(self) -> set[int]:
        return {b.id for b in self.bodies}

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
