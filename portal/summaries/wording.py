"""The words of the print-ready summaries, in one place: what goes on paper must not go stale.

- `year_end_paragraph`: the summary paragraph an office pastes into its annual report
  ("全年听取审议工作报告19项，完成18项，调整1项……"), one per plan, written from the counts;
- `state_on_paper`: an item's status with a date instead of a relative word ("本月到期" becomes
  "6月30日前到期");
- `filter_text`: the filter that made a list, in words ("计划：监督工作计划；状态：进行中").

Pure functions of their arguments (no database): tests/test_wording.py checks the wording.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import get_locale, pgettext

from portal.items import lights
from portal.items.status import CANCELLED, CARRIED, DONE, IN_PROGRESS, NOT_STARTED, POSTPONED, STATUS_LABELS

# Section titles that already begin with what the committee did ("听取审议工作报告"); any other
# title is a kind of work and reads "开展专题询问".
LEADING_VERBS = ("听取", "审查", "审议", "作出", "开展", "组织", "加强", "深化", "提高", "用好", "依法",
                 "建强", "密切", "增强", "提升", "健全", "强化", "推进", "做好", "完善", "坚持")
_CLAUSE_END = re.compile(r"[，,；;。]")
ADJUSTED = (POSTPONED, CANCELLED, CARRIED)


@dataclass(frozen=True)
class Count:
    """How many items a plan or section holds, by status (as of the summary's date), and how many are overdue."""

    total: int
    by_status: Mapping[str, int]
    overdue: int = 0

    def n(self, status: str) -> int:
        return self.by_status.get(status, 0)


def day_text(day: date, year: int) -> str:
    """"6月30日" within `year`, "2025年3月31日" outside it."""
    if day.year == year:
        return _("%(m)s月%(d)s日", m=day.month, d=day.day)
    return _("%(y)s年%(m)s月%(d)s日", y=day.year, m=day.month, d=day.day)


def section_phrase(title: str) -> str:
    """What a section's work is called in a sentence: its first clause, "等" when the title goes on, and
    "开展" before a kind of work that names no verb."""
    title = title.strip()
    parts = _CLAUSE_END.split(title, maxsplit=1)
    phrase = parts[0].strip()
    if len(parts) > 1 and parts[1].strip():
        phrase += "等"
    if not phrase.startswith(LEADING_VERBS):
        phrase = "开展" + phrase
    return phrase


def outcome_parts(count: Count) -> list[str]:
    """"完成18项", "调整1项", "正在推进2项", "尚未启动1项", "逾期未完成1项": only the non-zero ones."""
    parts = []
    done = count.n(DONE)
    if done and done == count.total:
        return [_("已全部完成")]
    if done:
        parts.append(_("完成%(n)s项", n=done))
    adjusted = sum(count.n(s) for s in ADJUSTED)
    if adjusted:
        kinds = [(count.n(POSTPONED), _("延期%(n)s项", n=count.n(POSTPONED))),
                 (count.n(CANCELLED), _("取消%(n)s项", n=count.n(CANCELLED))),
                 (count.n(CARRIED), _("结转下年度%(n)s项", n=count.n(CARRIED)))]
        present = [text for n, text in kinds if n]
        text = _("调整%(n)s项", n=adjusted)
        if len(present) > 1:
            text += _("（%(detail)s）", detail=pgettext("list separator", "、").join(present))
        parts.append(text)
    if count.n(IN_PROGRESS):
        parts.append(_("正在推进%(n)s项", n=count.n(IN_PROGRESS)))
    if count.n(NOT_STARTED):
        parts.append(_("尚未启动%(n)s项", n=count.n(NOT_STARTED)))
    if count.overdue:
        parts.append(_("其中逾期未完成%(n)s项", n=count.overdue))
    return parts


def _sentence(head: str, count: Count) -> str:
    comma = pgettext("headline separator", "，")
    return comma.join([head, *outcome_parts(count)])


def year_end_paragraph(plan_title: str, plan_count: Count, sections: list[tuple[str, Count]]) -> str:
    """One plan's paragraph: the plan's total first, then each section with items, in plan order.

    "监督工作计划共安排46项，完成40项……。其中：全年听取审议工作报告19项，完成18项，调整1项；……。"
    A plan without sections (or with one) is the first sentence alone.
    """
    if not plan_count.total:
        return _("%(plan)s本年度未安排事项。", plan=plan_title)
    text = _sentence(_("%(plan)s共安排%(n)s项", plan=plan_title, n=plan_count.total), plan_count) + _("。")
    named = [(title, count) for title, count in sections if count.total and title]
    if len(named) > 1:
        # The phrase rules are Chinese grammar; another language names the section as it is titled.
        chinese = str(get_locale() or "zh").startswith("zh")
        clauses = [_sentence(_("全年%(what)s%(n)s项", what=section_phrase(title) if chinese else title, n=count.total),
                             count)
                   for title, count in named]
        text += _("其中：") + pgettext("clause separator", "；").join(clauses) + _("。")
    return text


def state_on_paper(status: str, light: str, due: date | None, year: int, *, completed_on: date | None = None,
                   postponed_to: date | None = None) -> tuple[str, str]:
    """(status label, a note with dates only) for an item on paper; never "本月到期" or "已逾期12天"."""
    label = str(STATUS_LABELS[status])
    if status == DONE:
        return label, _("%(day)s办结", day=day_text(completed_on, year)) if completed_on else ""
    if status == POSTPONED and postponed_to:
        return label, _("延期至%(y)s年%(m)s月", y=postponed_to.year, m=postponed_to.month) \
            if postponed_to.year != year else _("延期至%(m)s月", m=postponed_to.month)
    if status in (CANCELLED, CARRIED) or due is None:
        return label, ""
    if light == lights.RED:
        return label, _("%(day)s前应完成，已逾期", day=day_text(due, year))
    if light == lights.YELLOW:
        return label, _("%(day)s前到期", day=day_text(due, year))
    return label, _("%(day)s前完成", day=day_text(due, year))


def meeting_month_text(month: int) -> str:
    return _("%(m)s月常委会会议", m=month)


def light_on_paper(light: str, as_of: date) -> str:
    """A traffic light as a filter on paper: "本月到期" is the end of the as-of month."""
    if light == lights.YELLOW:
        return _("%(day)s前到期", day=day_text(lights.month_end(as_of), as_of.year))
    if light == lights.RED:
        return _("截至%(day)s逾期", day=day_text(as_of, as_of.year))
    return str(lights.LIGHT_LABELS[light])


def filter_text(parts: list[tuple[str, str]]) -> str:
    """The filter that made a list: "计划：监督工作计划；状态：进行中"; "全部事项" when nothing narrows it."""
    if not parts:
        return _("全部事项")
    colon, separator = pgettext("filter colon", "："), pgettext("filter separator", "；")
    return separator.join(f"{name}{colon}{value}" for name, value in parts)
