"""Deputies (代表): the roll, groups and stations, duty records, their review, targets and the annual archive.

One view module per screen family (roll_views, duty_views, review_views, report_views); the nouns
live in roll (import/export) and records (scoping, recording, review, prefill, targets).
"""
from flask import Blueprint

bp = Blueprint("deputies", __name__)



@bp.app_context_processor
def duty_names():
    from portal.deputies.records import KIND_NAMES, STATE_NAMES

    return {"duty_kind": lambda key: KIND_NAMES.get(key, key), "duty_state": lambda key: STATE_NAMES.get(key, key)}


from portal.deputies import duty_views, report_views, review_views, roll_views  # noqa: E402,F401
