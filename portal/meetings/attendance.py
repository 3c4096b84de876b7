"""The deputies who attended a held meeting (列席代表): recorded once by the office or deputy affairs,
each of them then finds a prefilled 列席 duty record waiting to confirm (portal.deputies.records).

The attendance is those records themselves (kind attend_meeting, source meeting, on the meeting's
date): no second list that could disagree with what the deputies confirm.
"""
from __future__ import annotations

import re

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.authz import requires
from portal.errors import Invalid
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.meetings import bp
from portal.meetings.operations import meeting_label
from portal.models import Deputy, DutyRecord, Meeting
from portal.uow import saving

KIND, SOURCE = "attend_meeting", "meeting"
NAMES_MAX = 500  # deputies named in one post: a meeting's 列席 is dozens, never thousands


def attendees(meeting: Meeting) -> list[DutyRecord]:
    """The 列席 records of this meeting, by deputy number (one query, the deputy joined)."""
    if meeting.held_on is None:
        return []
    return list(db.session.scalars(
        select(DutyRecord).join(DutyRecord.deputy)
        .where(DutyRecord.kind == KIND, DutyRecord.source == SOURCE, DutyRecord.date == meeting.held_on)
        .order_by(Deputy.number)).unique())


def deputies_named(text: str) -> list[Deputy]:
    """Deputies by number (代表编号) or, where unique, by name, from text separated by spaces, commas or lines.
    Every token must name exactly one active deputy; the message lists those that do not."""
    tokens = [t for t in re.split(r"[\s,，、;；]+", text or "") if t]
    if not tokens:
        raise Invalid({"deputies": _("请填写列席代表的代表编号或姓名。")})
    if len(tokens) > NAMES_MAX:
        raise Invalid({"deputies": _("一次最多登记 %(n)s 位代表。", n=NAMES_MAX)})
    found = db.session.scalars(select(Deputy).where(
        Deputy.active.is_(True), (Deputy.number.in_(tokens)) | (Deputy.name.in_(tokens)))).unique().all()
    by_number = {d.number: d for d in found}
    by_name: dict[str, list[Deputy]] = {}
    for deputy in found:
        by_name.setdefault(deputy.name, []).append(deputy)
    chosen, unknown, ambiguous = {}, [], []
    for token in tokens:
        if token in by_number:
            chosen[by_number[token].id] = by_number[token]
        elif len(by_name.get(token, [])) == 1:
            chosen[by_name[token][0].id] = by_name[token][0]
        elif token in by_name:
            ambiguous.append(token)
        else:
            unknown.append(token)
    problems = []
    if unknown:
        problems.append(_("没有这些代表：%(names)s", names="、".join(unknown[:20])))
    if ambiguous:
        problems.append(_("同名代表请用代表编号：%(names)s", names="、".join(ambiguous[:20])))
    if problems:
        raise Invalid({"deputies": "；".join(problems)})
    return list(chosen.values())


def record_attendance(user, meeting: Meeting, text: str) -> list[DutyRecord]:
    if meeting.held_on is None or meeting.state != "held":
        raise Invalid({"deputies": _("会议举行后才能登记列席代表。")})
    from portal.deputies.records import prefill_duty_records  # here: deputies.records imports the meetings

    deputies = deputies_named(text)
    # The record's place and content are data, in the office's language, whatever the recorder's UI language.
    return prefill_duty_records(deputies, KIND, meeting.held_on, meeting.place or "市人大常委会会议室",
                                f"列席{meeting.year}年{meeting_label(meeting)}", source=SOURCE, created_by=user)


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@requires("meeting.attendance")
def attendance(meeting_id: int):
    from portal.meetings.views import MEETING, get_meeting_or_404, meeting_context

    meeting = get_meeting_or_404(meeting_id)
    typed = request.form.get("deputies", "")
    try:
        with saving():
            made = record_attendance(current_user, meeting, typed)
    except Invalid as exc:
        return render(MEETING, block="attendance", status=400,
                      **meeting_context(meeting, attendance_errors=exc.errors, attendance_typed=typed))
    message = _("已登记 %(n)s 位列席代表，待代表本人确认。", n=len(made))
    if wants_fragment():
        return add_trigger(render(MEETING, block="attendance", **meeting_context(meeting, attendance_saved=message)),
                           "agenda-updated")
    flash(message, "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id, _anchor="attendance"))
