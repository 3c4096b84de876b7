from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db

BODY_KINDS = ("special_committee", "working_committee", "office")


class Body(db.Model):
    """A responsible body (责任单位): special committee, working committee or office."""

    __audit__: dict = {}

    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    short_name: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(30))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    aliases: Mapped[list[BodyAlias]] = relationship(
        back_populates="body", cascade="all, delete-orphan", order_by="BodyAlias.alias"
    )

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def __repr__(self) -> str:
        return f"<Body {self.name}>"


class BodyAlias(db.Model):
    """Another spelling of a body's name as found in plan texts (选工委, a typo, a short form)."""

    __audit__: dict = {}

    __tablename__ = "body_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("body.id", ondelete="CASCADE"))
    # Stored normalized (portal.plans.bodies.normalize_body_key) so look-ups are exact.
    alias: Mapped[str] = mapped_column(String(80), unique=True)

    body: Mapped[Body] = relationship(back_populates="aliases")
