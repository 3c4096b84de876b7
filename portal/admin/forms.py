from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField


class StageTemplateForm(FlaskForm):
    """Add (POST /admin/stages: work_kind, name) or edit one template row (POST /admin/stages/<id>: name, action)."""

    work_kind = StringField(_l("工作类型"))
    name = StringField(_l("环节名称"))
    action = StringField()  # save | up | down | delete: the button that was pressed
