"""The item list on paper (templates/summaries/items.html, on templates/print/_base.html): the list's filters,
said in words under the title, A4 landscape with the table header on every page."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.authz import requires
from portal.pagecache import cached_page
from portal.htmx import render
from portal.items import bp, queries
from portal.items.workspace import filters_from
from portal.summaries import data
from portal.timeutil import today


@bp.route("/items/print")
@requires("item.view")
@cached_page(reads=("work",))
def print_list():
    filters = filters_from(request.args)
    filters.page = 1
    now = today()
    entries = data.entries(current_user, filters, now) if filters.year else []
    args = filters.as_args()
    return render("summaries/items.html", entries=entries, count=data.tally(entries), as_of=now, filters=filters,
                  title=_("%(year)s年度工作事项一览", year=filters.year) if filters.year else _("工作事项一览"),
                  filter_text=data.wording.filter_text(data.filter_parts(current_user, filters, now)),
                  back_url=url_for("items.workspace", **args),
                  xlsx_url=url_for("summaries.export_items", fmt="xlsx", **args),
                  csv_url=url_for("summaries.export_items", fmt="csv", **args))
