"""The oversight follow-up after a hearing (审议意见 → 研究处理情况报告 → 满意度测评 → 跟踪监督).

An item is heard when it is on the agenda of a meeting that has been held and its kind of work is one
the Standing Committee hears (work reports, law-enforcement inspections, special inquiries, 述职测评).
Then, in order, each step recorded by the item's bodies or the office:
1. the 审议意见 is sent to the reporting organ (date, optional document): round 1 begins, and its
   研究处理情况报告 is due `report_months(kind)` months later (config FOLLOWUP_REPORT_MONTHS);
2. the report is received (date, optional document);
3. where the Standing Committee votes (满意度测评), the counts and the result; an unsatisfactory result
   opens the next round (跟踪监督) with a report due again.
述职测评 keeps each person evaluated with their result (AppraisalPerson).

What a follow-up is waiting for is derived when shown (`status_of`), never stored. Every step writes the
item's history ("followup") and, through the audited models, the audit trail.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal import authz
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.history import record
from portal.items.kinds import APPRAISAL, INQUIRY, LAW_INSPECTION, WORK_REPORT
from portal.meetings.operations import ON, meeting_label, parse_day
from portal.models import AgendaEntry, AppraisalPerson, FollowUp, Meeting, Plan, Section, User, WorkItem
from portal.models.meetings import HELD, UNSATISFIED, VOTE_RESULTS
from portal.uow import flush_or_conflict

HEARD_KINDS = (WORK_REPORT, LAW_INSPECTION, INQUIRY, APPRAISAL)
TRACKING = "tracking"  # the kind of a round opened by an unsatisfactory vote (跟踪监督)

OPINIONS_OWED, REPORT_DUE, REPORT_OVERDUE, REPORT_RECEIVED, CLOSED = (
    "opinions_owed", "report_due", "report_overdue", "report_received", "closed")
OWED_STATES = (OPINIONS_OWED, REPORT_DUE, REPORT_OVERDUE)
STATE_LABELS = {
    OPINIONS_OWED: _l("审议意见待交办"),
    REPORT_DUE: _l("研究处理情况报告待报送"),
    REPORT_OVERDUE: _l("研究处理情况报告逾期"),
    REPORT_RECEIVED: _l("研究处理情况报告已报送"),
    CLOSED: _l("已办结"),
}
RESULT_LABELS = {"satisfied": _l("满意"), "basically_satisfied": _l("基本满意"), "unsatisfied": _l("不满意")}
VOTES_MAX = 1000
NAME_MAX, POST_MAX = 60, 200


def add_months(day: date, months: int) -> date:
    year, index = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_months(kind: str | None) -> int:
    """How many months the reporting organ has for its 研究处理情况报告, by kind of work (or TRACKING)."""
    configured = current_app.config.get("FOLLOWUP_REPORT_MONTHS") or {}
    return int(configured.get(kind or "", configured.get("default", 2)))


# --- derived state ---------------------------------------------------------------------------------

@dataclass
class FollowUpStatus:
    """Where one heard item's follow-up stands: its rounds (oldest first), the state and what is due."""

    item: WorkItem
    meeting: Meeting | None
    rounds: list[FollowUp] = field(default_factory=list)
    persons: list[AppraisalPerson] = field(default_factory=list)
    state: str = OPINIONS_OWED
    due: date | None = None

    @property
    def current(self) -> FollowUp | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def owed(self) -> bool:
        return self.state in OWED_STATES

    @property
    def overdue(self) -> bool:
        return self.state == REPORT_OVERDUE

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def result(self) -> str | None:
        """The latest vote's result, if any round was voted on."""
        voted = [r for r in self.rounds if r.result]
        return voted[-1].result if voted else None


def status_of(item: WorkItem, meeting: Meeting | None, rounds: list[FollowUp], today: date,
              persons: list[AppraisalPerson] | None = None) -> FollowUpStatus:
    status = FollowUpStatus(item, meeting, sorted(rounds, key=lambda r: r.round), persons or [])
    current = status.current
    if current is None:
        status.state = OPINIONS_OWED
    elif current.report_received_on is None and current.report_due is not None:
        status.state = REPORT_OVERDUE if current.report_due < today else REPORT_DUE
        status.due = current.report_due
    elif current.report_received_on is not None and current.result is None:
        status.state = REPORT_RECEIVED
    else:
        status.state = CLOSED
    return status


def rounds_of(item_ids: list[int]) -> dict[int, list[FollowUp]]:
    found: dict[int, list[FollowUp]] = {}
    if item_ids:
        for row in db.session.scalars(select(FollowUp).where(FollowUp.item_id.in_(item_ids)).order_by(FollowUp.round)):
            found.setdefault(row.item_id, []).append(row)
    return found


def persons_of(item_ids: list[int]) -> dict[int, list[AppraisalPerson]]:
    found: dict[int, list[AppraisalPerson]] = {}
    if item_ids:
        for row in db.session.scalars(select(AppraisalPerson).where(AppraisalPerson.item_id.in_(item_ids))
                                      .order_by(AppraisalPerson.id)):
            found.setdefault(row.item_id, []).append(row)
    return found


def heard_meeting(item: WorkItem) -> Meeting | None:
    """The held meeting at which the item was heard, if it was and is of a kind that is followed up."""
    if item.work_kind not in HEARD_KINDS:
        return None
    return db.session.scalar(
        select(Meeting).join(AgendaEntry, AgendaEntry.meeting_id == Meeting.id)
        .where(AgendaEntry.item_id == item.id, AgendaEntry.state == ON, Meeting.state == HELD))


def item_status(item: WorkItem, today: date) -> FollowUpStatus | None:
    """The follow-up of one item for its page: None when it has not been heard (and has no record)."""
    meeting = heard_meeting(item)
    rounds = rounds_of([item.id]).get(item.id, [])
    if meeting is None and not rounds:
        return None
    return status_of(item, meeting, rounds, today, persons_of([item.id]).get(item.id, []))


def followups_visible_to(user, year: int, today: date) -> list[FollowUpStatus]:
    """The heard items of the year that the user may see, with their follow-up; three queries
    (items with meeting, plan and section; their rounds; their bodies)."""
    rows = db.session.execute(
        authz.items_visible_to(user).add_columns(Meeting)
        .join(AgendaEntry, AgendaEntry.item_id == WorkItem.id)
        .join(Meeting, Meeting.id == AgendaEntry.meeting_id)
        .join(WorkItem.plan).join(WorkItem.section)
        .options(contains_eager(WorkItem.plan), contains_eager(WorkItem.section))
        .where(Meeting.year == year, Meeting.state == HELD, AgendaEntry.state == ON,
               WorkItem.work_kind.in_(HEARD_KINDS))
        .order_by(Meeting.month, Meeting.held_on, Meeting.id, Plan.sort_order, Plan.id, Section.number, WorkItem.seq)
    ).all()
    rounds = rounds_of([item.id for item, _m in rows])
    return [status_of(item, meeting, rounds.get(item.id, []), today) for item, meeting in rows]


def report_due_by_item(item_ids: list[int]) -> dict[int, date]:
    """Items among `item_ids` whose current round waits for its report: item id -> due date; one query."""
    if not item_ids:
        return {}
    rows = db.session.execute(
        select(FollowUp.item_id, FollowUp.report_due)
        .where(FollowUp.item_id.in_(item_ids), FollowUp.report_received_on.is_(None),
               FollowUp.report_due.is_not(None))
    ).all()
    return {item_id: due for item_id, due in rows}


# --- the steps -------------------------------------------------------------------------------------

def _day(text: str | None, field_name: str, today: date, *, not_before: date | None, before_label: str) -> date:
    day = parse_day(text, field_name, required=True)
    if day > today:
        raise Invalid({field_name: _("日期不能晚于今天（%(d)s）。", d=today.isoformat())})
    if not_before is not None and day < not_before:
        raise Invalid({field_name: _("日期不能早于%(what)s（%(d)s）。", what=before_label, d=not_before.isoformat())})
    return day


def _check_version(current: FollowUp, version: int | None) -> None:
    if version is None or version != current.version:
        raise Conflict(current)


def record_opinions(user: User, item: WorkItem, *, sent_on: str, today: date, document_id: int | None = None) -> FollowUp:
    """Step 1: the 审议意见 sent to the reporting organ; its report becomes due."""
    authz.check(user, "followup.record", item)
    meeting = heard_meeting(item)
    if meeting is None:
        raise Invalid({"sent_on": _("该事项尚未在已举行的常委会会议上审议，不能交办审议意见。")})
    if rounds_of([item.id]).get(item.id):
        raise Invalid({"sent_on": _("审议意见已交办，不能重复登记。")})
    day = _day(sent_on, "sent_on", today, not_before=meeting.held_on, before_label=_("会议日期"))
    follow_up = FollowUp(item_id=item.id, meeting_id=meeting.id, kind="hearing", round=1, opinions_sent_on=day,
                         opinions_document_id=document_id, report_due=add_months(day, report_months(item.work_kind)))
    db.session.add(follow_up)
    record(item, user, "followup", "", "opinions_sent",
           _("审议意见于%(d)s交办；研究处理情况报告应于%(due)s前报送", d=day.isoformat(), due=follow_up.report_due.isoformat()))
    flush_or_conflict(follow_up)
    return follow_up


def _current(item: WorkItem) -> tuple[FollowUp, FollowUp | None]:
    """The current round and the one before it (whose vote opened it), if any."""
    rounds = rounds_of([item.id]).get(item.id, [])
    if not rounds:
        raise Invalid({"form": _("审议意见尚未交办。")})
    return rounds[-1], (rounds[-2] if len(rounds) > 1 else None)


def record_report(user: User, item: WorkItem, *, received_on: str, today: date, version: int | None,
                  document_id: int | None = None) -> FollowUp:
    """Step 2: the reporting organ's 研究处理情况报告 received."""
    authz.check(user, "followup.record", item)
    current, previous = _current(item)
    _check_version(current, version)
    if current.report_received_on is not None:
        raise Invalid({"received_on": _("研究处理情况报告已登记收到。")})
    start = current.opinions_sent_on or (previous.voted_on if previous else None)
    day = _day(received_on, "received_on", today, not_before=start,
               before_label=_("审议意见交办日期") if current.opinions_sent_on else _("上一轮测评日期"))
    current.report_received_on = day
    current.report_document_id = document_id
    record(item, user, "followup", "", "report_received", _("研究处理情况报告于%(d)s收到", d=day.isoformat()))
    flush_or_conflict(current)
    return current


def _count(text: str | None, field_name: str, errors: dict) -> int | None:
    value = (text or "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) > VOTES_MAX:
        errors[field_name] = _("票数须为 0 到 %(n)s 之间的整数。", n=VOTES_MAX)
        return None
    return int(value)


def _votes(values: dict, errors: dict) -> tuple[int | None, int | None, int | None]:
    return (_count(values.get("satisfied"), "satisfied", errors), _count(values.get("basically"), "basically", errors),
            _count(values.get("unsatisfied"), "unsatisfied", errors))


def record_vote(user: User, item: WorkItem, *, voted_on: str, result: str, votes: dict, today: date,
                version: int | None) -> FollowUp:
    """Step 3: the 满意度测评 on the report; 不满意 opens a 跟踪监督 round with a report due again."""
    authz.check(user, "followup.record", item)
    current, _previous = _current(item)
    _check_version(current, version)
    if current.report_received_on is None:
        raise Invalid({"voted_on": _("研究处理情况报告尚未收到，不能进行满意度测评。")})
    if current.result is not None:
        raise Invalid({"voted_on": _("本轮已进行满意度测评。")})
    errors: dict[str, str] = {}
    counts = _votes(votes, errors)
    if result not in VOTE_RESULTS:
        errors["result"] = _("请选择测评结果。")
    try:
        day = _day(voted_on, "voted_on", today, not_before=current.report_received_on, before_label=_("报告收到日期"))
    except Invalid as exc:
        errors |= exc.errors
    if errors:
        raise Invalid(errors)
    current.voted_on, current.result = day, result
    current.votes_satisfied, current.votes_basically, current.votes_unsatisfied = counts
    note = _("%(d)s满意度测评：%(result)s", d=day.isoformat(), result=RESULT_LABELS[result])
    if all(c is not None for c in counts):
        note += _("（满意%(a)s票，基本满意%(b)s票，不满意%(c)s票）", a=counts[0], b=counts[1], c=counts[2])
    record(item, user, "followup", "", "voted", note)
    flush_or_conflict(current)
    if result == UNSATISFIED:
        tracking = FollowUp(item_id=item.id, meeting_id=current.meeting_id, parent_id=current.id, kind=TRACKING,
                            round=current.round + 1, report_due=add_months(day, report_months(TRACKING)))
        db.session.add(tracking)
        record(item, user, "followup", "", "tracking",
               _("测评不满意，开展跟踪监督：研究处理情况报告应于%(due)s前再次报送", due=tracking.report_due.isoformat()))
        flush_or_conflict(tracking)
    return current


def add_appraisal_person(user: User, item: WorkItem, *, name: str, post: str, result: str, votes: dict) -> AppraisalPerson:
    """述职测评: one official evaluated and their result."""
    authz.check(user, "followup.record", item)
    errors: dict[str, str] = {}
    if item.work_kind != APPRAISAL:
        raise Invalid({"form": _("只有述职测评事项登记测评对象。")})
    name, post = (name or "").strip(), (post or "").strip()
    if not name:
        errors.setdefault("name", _("请填写姓名。"))
    elif len(name) > NAME_MAX:
        errors.setdefault("name", _("姓名不能超过 %(n)s 个字。", n=NAME_MAX))
    if len(post) > POST_MAX:
        errors["post"] = _("职务不能超过 %(n)s 个字。", n=POST_MAX)
    if result not in VOTE_RESULTS:
        errors["result"] = _("请选择测评结果。")
    counts = _votes(votes, errors)
    if errors:
        raise Invalid(errors)
    person = AppraisalPerson(item_id=item.id, name=name, post=post, result=result, recorded_by_id=user.id,
                             votes_satisfied=counts[0], votes_basically=counts[1], votes_unsatisfied=counts[2])
    db.session.add(person)
    record(item, user, "followup", "", "appraisal", _("%(name)s（%(post)s）：%(result)s", name=name, post=post or "—",
                                                           result=RESULT_LABELS[result]))
    db.session.flush()
    return person


def meeting_text(meeting: Meeting | None) -> str:
    return meeting_label(meeting) if meeting else ""
