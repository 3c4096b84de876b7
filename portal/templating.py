"""What every template may use: permissions, labels translated once per request, date and month filters.

Nothing here runs a query: pages get their data from the view that renders them.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_login import current_user

from portal import authz
from portal.i18n import select_locale, translated_once
from portal.items.rows import months_text
from portal.items.status import STATUS_LABELS
from portal.plans.operations import FIELD_LABELS
from portal.timeutil import cn_numeral, month_name, month_words, to_local
from portal.urls import url_with_id


@translated_once
def page_words() -> dict:
    """The labels every page may print, translated once per language (not once per page, nor per row)."""
    return {
        "STATUS_NAMES": {key: str(label) for key, label in STATUS_LABELS.items()},
        "CURRENT_STATUS": {key: _("当前：%(s)s", s=label) for key, label in STATUS_LABELS.items()},
        "MONTH_NAMES": month_words(),
        "SUPPORTING": _("配合"),
    }


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def inject():
        return page_words() | {
            "can": lambda action, obj=None: authz.can(current_user, action, obj),
            "sees_all_items": authz.sees_all_items(current_user),
            "ROLES": authz.ROLES,
            "role_label": getattr(authz.role_spec(current_user), "label", ""),
            "STATUS_LABELS": STATUS_LABELS,
            "LANGUAGES": app.config["LANGUAGES"],
            "current_locale": select_locale(),
            "month_name": month_name,
            "pinned_today": app.config.get("PORTAL_TODAY"),
            "organisation_name": app.config["ORGANISATION_NAME"],
        }

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        local = to_local(value)
        return local.strftime(fmt) if local else ""

    @app.template_filter("field_label")
    def field_label(name: str) -> str:
        """A plan field's name as people read it, for history entries of re-imports."""
        return str(FIELD_LABELS.get(name, name))

    app.add_template_global(url_with_id)
    app.add_template_filter(cn_numeral)
    app.add_template_filter(months_text, "months")
