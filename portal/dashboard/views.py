"""The dashboard page (templates/dashboard/index.html) and /api/dashboard, built from one `Dashboard`."""
from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import quote

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from markupsafe import Markup

from portal import authz
from portal.authz import requires
from portal.pagecache import cached_page
from portal.dashboard import bp, figures
from portal.htmx import render
from portal.items import lights, queries
from portal.items.status import STATUS_LABELS
from portal.timeutil import today

TEMPLATE = "dashboard/index.html"

# What a history entry did, in a word, for the latest changes (portal.history lists the kinds).
EVENT_WORDS = {
    "import": _l("导入"), "stage": _l("工作环节"), "note": _l("进展情况"), "document": _l("材料"),
    "kind": _l("工作类型"), "assign": _l("交办"), "task": _l("分解任务"), "carried": _l("结转"),
    "instruction": _l("批示"), "agenda": _l("议题调整"), "followup": _l("审议意见办理跟踪"),
}


def chosen_year(args, years: list[int] | None = None) -> int | None:
    value = args.get("year", "")
    years = queries.available_years() if years is None else years
    if value.isascii() and value.isdigit() and len(value) <= 4 and int(value) in years:
        return int(value)
    return years[0] if years else None


@bp.route("/dashboard")
@requires("dashboard.view")
@cached_page(reads=("work",))
def index():
    years = queries.available_years()
    year = chosen_year(request.args, years)
    now = today()
    board = figures.dashboard(year, now, current_user) if year else None
    mine = figures.my_bodies_first(board.bodies, current_user) if board else []
    scope = "all" if request.args.get("scope") == "all" or not mine else "mine"
    mine_ids = {f.body.id for f in mine}

    def in_scope(items):
        return items if scope == "all" else [i for i in items if i.body_ids & mine_ids]

    context = {
        "board": board,
        "year": year,
        "years": years,
        "scope": scope,
        "has_mine": bool(mine),
        "body_rows": (mine if scope == "mine" else board.bodies) if board else [],
        "overdue": in_scope(board.overdue) if board else [],
        "due": in_scope(board.due_this_month) if board else [],
        "light_for": lambda item: lights.light_for(item, now),
        "COLUMNS": figures.COLUMNS,
        "COLUMN_LABELS": column_labels(),
        "EVENT_WORDS": EVENT_WORDS,
        "LIGHT_LABELS": lights.LIGHT_LABELS,
        # The body's print-ready report, joined per row (url_for per row costs more than the row).
        "body_print_base": url_for("summaries.body", body_id=0).rsplit("/", 1)[0] + "/",
        "BODY_PRINT_TITLE": str(_l("打印该单位的办理情况")),
        "H": headline_words(),
        "may_instruct": authz.can_each(current_user, "instruction.write"),
    }
    return render(TEMPLATE, block="board", **context)


def headline_words() -> SimpleNamespace:
    """The words of the headlines, translated once for the page (a headline made about ten calls each). The
    two formats are Markup, as the template's own `_()` makes them: `%` escapes what goes in."""
    parts = [(key, str(STATUS_LABELS[key])) for key in ("done", "in_progress")] + [("overdue", str(_l("逾期")))] \
        + [(key, str(STATUS_LABELS[key])) for key in ("postponed", "not_started")]
    return SimpleNamespace(
        parts=parts, parts_with_cancelled=parts + [("cancelled", str(STATUS_LABELS["cancelled"]))],
        # The catalogue's own words, no input; what `%` puts in is escaped.
        part=Markup(_("%(label)s%(n)s项")), section=Markup(_("%(title)s%(n)s项")),  # nosec B704  # see above
        sep=pgettext("headline separator", "，"), colon=pgettext("headline colon", "："),
    )


def column_labels() -> dict[str, str]:
    labels = {key: str(STATUS_LABELS[key]) for key in ("not_started", "in_progress", "done", "postponed", "cancelled")}
    return labels | {"overdue": str(_l("逾期")), "due_this_month": str(_l("本月到期"))}


def column_link(column: str) -> dict:
    """The list filter behind one column of the dashboard."""
    if column == "overdue":
        return {"light": lights.RED}
    if column == "due_this_month":
        return {"light": lights.YELLOW}
    return {"status": column}


@bp.app_template_global("dashboard_link")
def dashboard_link(year: int, column: str | None = None, **filters) -> str:
    """The workspace URL of one figure, e.g. /items?year=2024&status=done&body=3. A page has a few hundred:
    the values are plain keys and numbers, so they are joined here rather than built by url_for each time."""
    base = g.get("_workspace_url")
    if base is None:
        base = g._workspace_url = url_for("items.workspace")
    args = {"year": year, **(column_link(column) if column else {}), **filters}
    return base + "?" + "&".join(f"{k}={_query_value(v)}" for k, v in args.items() if v not in (None, ""))


def _query_value(value) -> str:
    text = str(value)
    # Numbers and plain keys need no quoting (quote would return them unchanged, at a cost).
    return text if text.isascii() and text.isalnum() else quote(text, safe="")


@bp.route("/api/dashboard")
@requires("dashboard.view")
def api():
    raw = request.args.get("year", "")
    year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else chosen_year(request.args)
    if not year:
        return jsonify(error="no plan year"), 404
    return jsonify(figures.dashboard(year, today(), current_user).as_json())
