"""GET /api/items: the items the signed-in user may see, in the plan JSON schema (CONTRACT.md)."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user

from portal.authz import requires
from portal.items import bp, queries
from portal.plans.export import item_json


@bp.route("/api/items")
@requires("item.view")
def api_items():
    raw = request.args.get("year", "")
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        abort(400, description="year must be a four-digit number")
    year = int(raw) if raw else None
    items = queries.visible_items(current_user, queries.ItemFilters(year=year))
    return jsonify({
        "year": year,
        "items": [item_json(i) | {"id": i.id, "status": i.status, "version": i.version, "parent_id": i.parent_id,
                                  "lead": [b.name for b in i.lead_bodies]} for i in items],
    })
