"""The demo's meetings mid-year: April's meeting held and its follow-up under way, June's dated.

Runs after portal.demo_progress on the demo's own clock (on_day), through the real operations, so the
history and the audit trail tell it like any other change. Does nothing once April's meeting is held.
"""
from __future__ import annotations

from datetime import date

from portal.demo_progress import on_day
from portal.meetings import followup
from portal.meetings.operations import MeetingChange, agenda_rows, meetings_of, update_meeting
from portal.models import User
from portal.models.meetings import HELD, UNSATISFIED

PLACE = "市人大常委会会议室"


def stage_meetings(year: int, admin: User, today: date) -> None:
    by_month = {m.month: m for m in reversed(meetings_of(year))}
    april, june = by_month.get(4), by_month.get(6)
    if april is None or april.state == HELD or today < date(year, 5, 20):
        return
    with on_day(date(year, 4, 26)):
        update_meeting(admin, april, MeetingChange(held_on=f"{year}-04-26", place=PLACE, state=HELD))
    if june is not None:
        update_meeting(admin, june, MeetingChange(held_on=f"{year}-06-27", place=PLACE, state=june.state))
    heard = [r.item for r in agenda_rows(year, meeting_id=april.id) if r.item.work_kind in followup.HEARD_KINDS]
    # The first three hearings: one voted on and found unsatisfactory (跟踪监督), one answered, one awaiting
    # its report; the rest still wait for their 审议意见.
    for n, item in enumerate(heard[:3]):
        with on_day(date(year, 5, 8)):
            followup.record_opinions(admin, item, sent_on=f"{year}-05-08", today=date(year, 5, 8))
        if n == 2:
            continue
        current = followup.rounds_of([item.id])[item.id][-1]
        with on_day(date(year, 6, 5)):
            followup.record_report(admin, item, received_on=f"{year}-06-05", today=date(year, 6, 5),
                                   version=current.version)
        if n == 0:
            with on_day(date(year, 6, 12)):
                followup.record_vote(admin, item, voted_on=f"{year}-06-12", result=UNSATISFIED, today=date(year, 6, 12),
                                     votes={"satisfied": "12", "basically": "9", "unsatisfied": "14"},
                                     version=current.version)
