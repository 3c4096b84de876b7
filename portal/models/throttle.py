from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class SignInCounter(db.Model):
    """A sign-in throttle counter or set member (portal.accounts.throttle's database store).

    Bookkeeping, not data: not audited (the security log records refusals); rows expire with
    their window and are deleted when a new window begins."""

    __tablename__ = "sign_in_counter"
    __changes_pages__ = False  # sign-in bookkeeping: no kept page (portal.pagecache) shows it

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hits: Mapped[int] = mapped_column(default=1)
    expires_at: Mapped[datetime] = mapped_column(index=True)
