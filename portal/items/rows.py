"""What a list row shows, worked out in Python once per row: the templates only print it.

A row used to cost several macro calls and about eight translations; rendering the same
labels from precomputed strings keeps a 106-row list cheap (portal.items.workspace, print_view).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape
from flask_babel import pgettext
from sqlalchemy import select

from portal import authz
from portal.extensions import db
from portal.i18n import translated_once
from portal.items import lights, stages
from portal.items.lights import Light
from portal.items.queries import stages_of
from portal.items.tasks import rollups
from portal.items.stages import StageSummary
from portal.items.status import STATUS_LABELS, allowed_targets
from portal.models import WorkItem
from portal.timeutil import month_name, year_month_name


@dataclass(frozen=True)
class Row:
    item: WorkItem
    light: Light
    schedule: str
    postponed: str
    meeting: str
    stage: StageSummary | None
    may_update: bool
    targets: list[tuple[str, str]]  # (status, label) the row's select offers
    parent: object = None  # for a task: the plan item it was decomposed from (its id, seq and title)
    rollup: object = None           # for a parent: its tasks done / all (portal.items.tasks.Rollup)
    # The 研究处理情况报告 the item's reporting organ owes after its hearing (portal.meetings.followup), if any.
    report_owed: str = ""
    report_overdue: bool = False


def months_text(months: list[int]) -> str:
    if not months:
        return ""
    if len(months) > 1 and months == list(range(months[0], months[-1] + 1)):
        return _("%(a)s—%(b)s", a=month_name(months[0]), b=month_name(months[-1]))
    return pgettext("list separator", "、").join(month_name(m) for m in months)


def schedule_text(item: WorkItem) -> str:
    """The months, else the schedule phrase, else the due month the office set ("12月前完成")."""
    if item.months or item.schedule:
        return months_text(item.months) or item.schedule
    if item.assigned_due:
        return _("%(m)s前完成", m=year_month_name(item.assigned_due, item.plan.year))
    return ""


def postponed_text(item: WorkItem) -> str:
    if not item.postponed_to or item.status != "postponed":
        return ""
    return _("延期至%(month)s", month=year_month_name(item.postponed_to, item.plan.year))


def meeting_text(item: WorkItem) -> str:
    return _("%(month)s会议", month=month_name(item.meeting_month)) if item.meeting_month else ""


@translated_once
def row_labels() -> SimpleNamespace:
    """The fixed words of a list row and its status form, translated once per language (a row used to
    make about twenty gettext calls), and the month options, rendered once for every row's select."""
    months = "".join(f'<option value="{m}">{escape(month_name(m))}</option>' for m in range(1, 13))
    # A namespace, not a dict: in a template `L.update` would be the dict's method.
    return SimpleNamespace(
        seq=_("序号"), item=_("事项"), when=_("时间"), bodies=_("责任单位"), status=_("状态"),
        update=_("更新状态"), note=_("说明、原因或办结情况"), postpone_to=_("延期至"),
        choose_month=_("（选择月份）"), submit=_("更新"), not_assigned=_("未交办"),
        month_options=Markup(months),  # nosec B704  # fixed markup; the only text, month names, is escaped above
    )


class RowBuilder:
    """Builds the rows of one request: translations and templates looked up once, not per row."""

    def __init__(self, user, items: list[WorkItem], today: date):
        # The user itself, not the current_user proxy: a permission check per row goes through it.
        self.user = user._get_current_object() if hasattr(user, "_get_current_object") else user
        self.today = today
        self.stored_stages = stages_of(items)
        self.templates = stages.template_names_by_kind()
        self.names = {key: str(label) for key, label in STATUS_LABELS.items()}
        self.repostpone = _("重新延期")
        ids = {i.id for i in items}
        parent_ids = {i.parent_id for i in items if i.parent_id is not None}
        # What a task's row shows of its parent: its number and title (not the item with its bodies).
        self.parents = {p.id: p for p in db.session.execute(
            select(WorkItem.id, WorkItem.seq, WorkItem.title).where(WorkItem.id.in_(parent_ids)))} if parent_ids else {}
        self.rollups = rollups(sorted(ids))
        self.labels = row_labels()
        from portal.meetings.followup import report_due_by_item  # meetings build on items, not the reverse

        self.reports_due = report_due_by_item(sorted(ids))
        self.may_update = authz.can_each(self.user, "item.update_status")

    def row(self, item: WorkItem) -> Row:
        may_update = self.may_update(item)
        targets = [(s, self.repostpone if s == item.status else self.names[s]) for s in allowed_targets(item.status)]
        return Row(
            item=item,
            light=lights.light_for(item, self.today),
            schedule=schedule_text(item),
            postponed=postponed_text(item),
            meeting=meeting_text(item),
            stage=stages.stage_summary(item, self.stored_stages.get(item.id, []), self.templates),
            may_update=may_update,
            targets=targets if may_update else [],
            parent=self.parents.get(item.parent_id) if item.parent_id else None,
            rollup=self.rollups.get(item.id),
            **self._report(item),
        )

    def _report(self, item: WorkItem) -> dict:
        due = self.reports_due.get(item.id)
        if due is None:
            return {}
        if due < self.today:
            return {"report_owed": _("研究处理情况报告逾期（应于%(d)s前）", d=due.isoformat()), "report_overdue": True}
        return {"report_owed": _("研究处理情况报告%(d)s前报送", d=due.isoformat())}

    def rows(self, items: list[WorkItem]) -> list[Row]:
        return [self.row(item) for item in items]
