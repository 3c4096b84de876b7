"""The follow-up panel of the item page (templates/meetings/followup_panel.html), its steps, and the
follow-up list of the year (templates/meetings/followups.html) with its print page and spreadsheets.

The list holds the heard items the user may see (a committee: its own), so do its print page and exports.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import authz, sheets
from portal.authz import requires
from portal.errors import Conflict, Invalid
from portal.extensions import db
from portal.htmx import add_trigger, render, wants_fragment
from portal.items import documents, queries
from portal.meetings import bp, followup
from portal.meetings.followup import OWED_STATES, REPORT_OVERDUE, RESULT_LABELS, STATE_LABELS
from portal.meetings.operations import meeting_label
from portal.meetings.views import bodies_text, chosen_year
from portal.models import WorkItem
from portal.models.meetings import VOTE_RESULTS
from portal.timeutil import today
from portal.uow import saving

PANEL, LIST, PRINT = "meetings/followup_panel.html", "meetings/followups.html", "meetings/print_followups.html"
FILTERS = ("all", "owed", "overdue")


def panel_context(item: WorkItem, **extra) -> dict:
    return {"item": item, "followup": followup.item_status(item, today()), "followup_errors": {},
            "followup_typed": {}, "RESULT_LABELS": RESULT_LABELS, "VOTE_RESULTS": VOTE_RESULTS,
            "followup_today": today(), "meeting_label": meeting_label} | extra


def _document(item: WorkItem, category: str) -> int | None:
    """The file sent with a step, stored through the item's documents (same checks, same history)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(documents.max_document_bytes() + 1)
    return documents.upload_document(current_user, item, category=category, filename=upload.filename, data=data).id


def _step(item_id: int, change, typed: dict):
    item = authz.get_item_or_404(current_user, item_id)
    authz.check(current_user, "followup.record", item)
    errors, status = {}, 200
    try:
        with saving():
            change(item)
    except Invalid as exc:
        errors, status = exc.errors, 400
    except Conflict:
        errors, status = {"form": _("他人刚刚登记了这一步，请查看最新情况。")}, 409
    item = db.session.get(WorkItem, item_id)
    if wants_fragment():
        response = render(PANEL, block="panel", status=status,
                          **panel_context(item, followup_errors=errors, followup_typed=typed if errors else {}))
        return response if errors else add_trigger(response, "item-history-updated", {"id": item.id})
    if errors:
        from portal.items.detail import page  # the whole item page with the message next to the field

        return page(item, None, status, followup_errors=errors, followup_typed=typed)
    flash(_("已登记。"), "success")
    return redirect(url_for("items.detail", item_id=item.id, _anchor="followup"))


def _version() -> int | None:
    value = request.form.get("version", "")
    return int(value) if value.isdigit() else None


@bp.route("/items/<int:item_id>/followup/opinions", methods=["POST"])
@requires("followup.record")
def record_opinions(item_id: int):
    typed = {"step": "opinions", "sent_on": request.form.get("sent_on", "")}

    def change(item):
        followup.record_opinions(current_user, item, sent_on=typed["sent_on"], today=today(),
                                 document_id=_document(item, "opinions"))

    return _step(item_id, change, typed)


@bp.route("/items/<int:item_id>/followup/report", methods=["POST"])
@requires("followup.record")
def record_report(item_id: int):
    typed = {"step": "report", "received_on": request.form.get("received_on", "")}

    def change(item):
        followup.record_report(current_user, item, received_on=typed["received_on"], today=today(),
                               version=_version(), document_id=_document(item, "handling_report"))

    return _step(item_id, change, typed)


def _votes() -> dict:
    return {k: request.form.get(k, "") for k in ("satisfied", "basically", "unsatisfied")}


@bp.route("/items/<int:item_id>/followup/vote", methods=["POST"])
@requires("followup.record")
def record_vote(item_id: int):
    typed = {"step": "vote", "voted_on": request.form.get("voted_on", ""), "result": request.form.get("result", ""),
             **_votes()}

    def change(item):
        followup.record_vote(current_user, item, voted_on=typed["voted_on"], result=typed["result"], votes=_votes(),
                             today=today(), version=_version())

    return _step(item_id, change, typed)


@bp.route("/items/<int:item_id>/followup/persons", methods=["POST"])
@requires("followup.record")
def add_person(item_id: int):
    typed = {"step": "person", "name": request.form.get("name", ""), "post": request.form.get("post", ""),
             "result": request.form.get("result", ""), **_votes()}

    def change(item):
        followup.add_appraisal_person(current_user, item, name=typed["name"], post=typed["post"],
                                      result=typed["result"], votes=_votes())

    return _step(item_id, change, typed)


# --- the list --------------------------------------------------------------------------------------

def _listed(year: int, shown: str) -> list[followup.FollowUpStatus]:
    found = followup.followups_visible_to(current_user, year, today())
    if shown == "owed":
        return [s for s in found if s.state in OWED_STATES]
    if shown == "overdue":
        return [s for s in found if s.state == REPORT_OVERDUE]
    return found


def _shown() -> str:
    value = request.args.get("show", "all")
    return value if value in FILTERS else "all"


def filter_labels() -> dict[str, str]:
    return {"all": _("全部"), "owed": _("待办（未交办或待报送）"), "overdue": _("逾期未报送")}


@bp.route("/followups")
@requires("followup.view")
def followups():
    year, shown = chosen_year(), _shown()
    statuses = _listed(year, shown) if year else []
    return render(LIST, block="list", year=year, shown=shown, statuses=statuses, FILTER_LABELS=filter_labels(),
                  STATE_LABELS=STATE_LABELS, RESULT_LABELS=RESULT_LABELS, meeting_label=meeting_label,
                  years=queries.available_years())


@bp.route("/followups/print")
@requires("followup.view")
def print_followups():
    year, shown = chosen_year(), _shown()
    if year is None:
        abort(404)
    return render(PRINT, title=_("%(year)s年度审议意见办理跟踪表", year=year), as_of=today(),
                  filter_text="" if shown == "all" else filter_labels()[shown],
                  back_url=url_for("meetings.followups", year=year, show=shown), statuses=_listed(year, shown),
                  RESULT_LABELS=RESULT_LABELS, meeting_label=meeting_label, bodies_text=bodies_text)


def _followup_sheet(year: int, shown: str) -> sheets.Sheet:
    statuses = _listed(year, shown)

    def lines():
        for s in statuses:
            first, current = (s.rounds[0] if s.rounds else None), s.current
            yield (meeting_label(s.meeting) if s.meeting else "", s.item.plan.title, s.item.number_label, s.item.title,
                   bodies_text(s.item), first.opinions_sent_on if first else None,
                   current.report_due if current else None, current.report_received_on if current else None,
                   str(RESULT_LABELS[s.result]) if s.result else "", len(s.rounds), s.label)

    columns = [sheets.Column(_("会议"), 18), sheets.Column(_("计划"), 26), sheets.Column(_("计划编号"), 9),
               sheets.Column(_("事项"), 56), sheets.Column(_("责任单位"), 40),
               sheets.Column(_("审议意见交办日期"), 14, "date"), sheets.Column(_("报告应报送日期"), 14, "date"),
               sheets.Column(_("报告收到日期"), 14, "date"), sheets.Column(_("满意度测评"), 12),
               sheets.Column(_("轮次"), 6, "int"), sheets.Column(_("办理情况"), 22)]
    return sheets.Sheet(_("%(year)s年度审议意见办理跟踪表", year=year), columns, lines())


@bp.route("/followups.<any(xlsx, csv):fmt>")
@requires("followup.view")
def export_followups(fmt: str):
    year, shown = chosen_year(), _shown()
    if year is None:
        abort(404)
    name = _("%(year)s年度审议意见办理跟踪表", year=year)
    if fmt == "xlsx":
        return sheets.xlsx_response([_followup_sheet(year, shown)], f"{name}.xlsx")
    return sheets.csv_response(_followup_sheet(year, shown), f"{name}.csv")
