"""Progress notes (进展情况): entries of the item's history only; the item itself does not change."""
from __future__ import annotations

from flask_babel import gettext as _

from portal import authz
from portal.errors import Invalid
from portal.extensions import db
from portal.history import record
from portal.items.status import NOTE_MAX
from portal.models import User, WorkItem


def add_note(user: User, item: WorkItem, note: str) -> None:
    """A progress note (进展情况): history only, the item itself does not change (no version check)."""
    authz.check(user, "item.work", item)
    note = (note or "").strip()
    if not note:
        raise Invalid({"note": _("请填写进展情况。")})
    if len(note) > NOTE_MAX:
        raise Invalid({"note": _("进展情况不能超过 %(n)s 字。", n=NOTE_MAX)})
    record(item, user, "note", "", "", note)
    db.session.flush()
