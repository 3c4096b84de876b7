"""The notices page (templates/notices/index.html) and the count in the page header."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from portal.authz import requires
from portal.htmx import add_trigger, render, wants_fragment
from portal.notices import bp, derive
from portal.timeutil import today
from portal.uow import saving

TEMPLATE = "notices/index.html"


def _context() -> dict:
    notices = derive.notices_for(current_user, today())
    return {"notices": notices, "unread": sum(1 for n in notices if not n.read)}


@bp.route("/notices")
@requires("notice.view")
def index():
    return render(TEMPLATE, block="list", **_context())


@bp.route("/notices/count")
@requires("notice.view")
def count():
    """The header's count, asked for by the header itself (hx-trigger="load"), so a page costs no more queries."""
    if not wants_fragment():
        return redirect(url_for("notices.index"))
    return render(TEMPLATE, block="count", unread=derive.unread_count(current_user, today()))


@bp.route("/notices/read", methods=["POST"])
@requires("notice.view")
def mark_read():
    """Mark one notice read (`key`), or all of them (`all`)."""
    key = None if request.form.get("all") else request.form.get("key", "")
    with saving():
        derive.mark_read(current_user, derive.notices_for(current_user, today()), key)
    if not wants_fragment():
        return redirect(url_for("notices.index"))
    return add_trigger(render(TEMPLATE, block="list", **_context()), "notices-read")
