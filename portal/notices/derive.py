"""Which notices (提醒) a user has, worked out from the data when shown: never produced by a job.

- a new instruction (批示) on an item of one of my bodies, until someone of them has read it;
- an answer to an instruction I wrote (a new answer is a new notice);
- my bodies' open items and tasks due this month and next month, and those overdue;
- my bodies' 研究处理情况报告 (the follow-up after a hearing, portal.meetings.followup) due this month or
  next month, and those overdue.
Each notice has a key that names what it announces (the instruction, the answer's time, the item
and its due date), so marking it read hides it for good, and a postponed item that falls due
again, or a second answer, is a new notice. A constant number of queries whatever the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, select
from sqlalchemy.orm import lazyload

from portal.extensions import db
from portal.items import lights
from portal.items.status import CLOSED
from portal.models import FollowUp, Instruction, ItemBody, NoticeRead, User, WorkItem
from portal.timeutil import month_name

INSTRUCTION, ANSWER, DUE, OVERDUE = "instruction", "answer", "due", "overdue"
REPORT_DUE, REPORT_OVERDUE = "report_due", "report_overdue"


@dataclass
class Notice:
    key: str
    kind: str
    item_id: int
    item_title: str
    text: str
    order: tuple  # newest instructions and answers first, then overdue, then due
    read: bool = False


def _next_month_end(day: date) -> date:
    first = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return lights.month_end(first)


def _stamp(value: datetime | None) -> str:
    return value.strftime("%Y%m%d%H%M%S") if value else ""


def notices_for(user: User, today: date) -> list[Notice]:
    """The user's notices, unread first; five queries."""
    found: list[Notice] = []
    mine = list(user.body_ids)
    if mine:
        on_my_items = select(ItemBody.item_id).where(ItemBody.body_id.in_(mine))
        rows = db.session.execute(
            select(Instruction, WorkItem.title).join(WorkItem, WorkItem.id == Instruction.item_id)
            .where(Instruction.item_id.in_(on_my_items), Instruction.acknowledged_at.is_(None),
                   Instruction.closed_at.is_(None))
        ).all()
        for ins, title in rows:
            who = ins.author.display_name or ins.author.username if ins.author else ""
            found.append(Notice(f"ins:{ins.id}", INSTRUCTION, ins.item_id, title,
                                _("%(who)s 批示：%(text)s", who=who, text=ins.text), (0, -ins.id)))
        this_month, next_month = lights.month_end(today), _next_month_end(today)
        items = db.session.scalars(
            select(WorkItem).options(lazyload(WorkItem.assignments))
            .where(WorkItem.id.in_(on_my_items), WorkItem.status.not_in(sorted(CLOSED)),
                   WorkItem.due_date <= next_month)
        ).all()
        for item in items:
            due = item.due_date
            if due < today:
                text = lights.light_for(item, today).reason
                found.append(Notice(f"late:{item.id}:{due.isoformat()}", OVERDUE, item.id, item.title, text, (2, due, item.id)))
            else:
                text = _("本月到期") if due == this_month else _("下月（%(month)s）到期", month=month_name(due.month))
                found.append(Notice(f"due:{item.id}:{due.isoformat()}", DUE, item.id, item.title, text, (3, due, item.id)))
        reports = db.session.execute(
            select(FollowUp.id, FollowUp.item_id, FollowUp.report_due, WorkItem.title)
            .join(WorkItem, WorkItem.id == FollowUp.item_id)
            .where(FollowUp.item_id.in_(on_my_items), FollowUp.report_received_on.is_(None),
                   FollowUp.report_due.is_not(None), FollowUp.report_due <= next_month)
        ).all()
        for follow_up_id, item_id, due, title in reports:
            key = f"report:{follow_up_id}:{due.isoformat()}"
            if due < today:
                text = _("研究处理情况报告已逾期（应于%(d)s前报送）", d=due.isoformat())
                found.append(Notice(key, REPORT_OVERDUE, item_id, title, text, (2, due, item_id)))
            else:
                text = _("研究处理情况报告应于%(d)s前报送", d=due.isoformat())
                found.append(Notice(key, REPORT_DUE, item_id, title, text, (3, due, item_id)))
    answers = db.session.execute(
        select(Instruction, WorkItem.title).join(WorkItem, WorkItem.id == Instruction.item_id)
        .where(Instruction.author_id == user.id, Instruction.answered_at.is_not(None), Instruction.closed_at.is_(None))
    ).all()
    for ins, title in answers:
        who = ins.answered_by.display_name or ins.answered_by.username if ins.answered_by else ""
        found.append(Notice(f"ans:{ins.id}:{_stamp(ins.answered_at)}", ANSWER, ins.item_id, title,
                            _("%(who)s 答复：%(text)s", who=who, text=ins.answer), (1, -ins.id)))
    if found:
        read = set(db.session.scalars(select(NoticeRead.key).where(
            and_(NoticeRead.user_id == user.id, NoticeRead.key.in_([n.key for n in found])))))
        for notice in found:
            notice.read = notice.key in read
    return sorted(found, key=lambda n: (n.read, n.order))


def unread_count(user: User, today: date) -> int:
    return sum(1 for n in notices_for(user, today) if not n.read)


def mark_read(user: User, notices: list[Notice], key: str | None) -> int:
    """Store that the user read one notice (`key`) or all of them (None); a key not among them is ignored."""
    keys = [n.key for n in notices if not n.read and (key is None or n.key == key)]
    for k in keys:
        db.session.add(NoticeRead(user_id=user.id, key=k))
    db.session.flush()
    return len(keys)
