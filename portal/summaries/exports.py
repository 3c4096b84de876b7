"""GET /exports/items.xlsx and /exports/items.csv (CONTRACT.md): the item list as a spreadsheet.

The same filters as the list (portal.items.queries.ItemFilters) over the same visible items
(authz.items_visible_to): a committee exports its own items only. A fixed number of queries
whatever the number of rows (portal.summaries.data.load_items); the CSV is written as it is sent.
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from portal.authz import requires
from portal.items.workspace import filters_from
from portal.sheets import csv_response, xlsx_response
from portal.summaries import bp, data, sheets
from portal.timeutil import today
from portal.pagecache import cached_page


def export_filters(args):
    filters = filters_from(args)
    filters.page = 1
    return filters


@bp.route("/exports/items.<any(xlsx, csv):fmt>")
@requires("item.export")
@cached_page(reads=("work",))
def export_items(fmt: str):
    filters = export_filters(request.args)
    found = data.entries(current_user, filters, today()) if filters.year else []
    stem = _("工作事项") + (f"-{filters.year}" if filters.year else "")
    if fmt == "csv":
        return csv_response(sheets.items_sheet(found, spreadsheet=False), f"{stem}.csv")
    return xlsx_response([sheets.items_sheet(found)], f"{stem}.xlsx")
