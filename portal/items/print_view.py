"""The whole plan year on one page (templates/items/print.html): what the browser prints on A4."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from portal.authz import requires
from portal.pagecache import cached_page
from portal.htmx import render
from portal.items import bp, queries
from portal.items.rows import RowBuilder
from portal.items.workspace import filters_from
from portal.timeutil import today


@bp.route("/items/print")
@requires("item.view")
@cached_page
def print_list():
    filters = filters_from(request.args)
    items = queries.visible_items(current_user, filters)
    return render("items/print.html", filters=filters, rows=RowBuilder(current_user, items, today()).rows(items),
                  counters=queries.count_items(current_user, filters), today=today())
