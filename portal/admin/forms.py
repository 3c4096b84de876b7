from __future__ import annotations

from flask_babel import lazy_gettext as _l
from portal.forms import PortalForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget


class StageTemplateForm(PortalForm):
    """Add (POST /admin/stages: work_kind, name) or edit one template row (POST /admin/stages/<id>: name, action)."""

    work_kind = StringField(_l("工作类型"))
    name = StringField(_l("环节名称"))
    action = StringField()  # save | up | down | delete: the button that was pressed


def _checkboxes(label, coerce=int) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=coerce, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class UserForm(PortalForm):
    """An account as an admin sets it (POST /admin/users/new, POST /admin/users/<id>): only these fields are taken.

    Domain checks (a staff member needs a body, 分管 only for leaders, one's own admin role) are in
    portal.accounts.operations and come back as field messages."""

    username = StringField(_l("用户名"))  # only when creating: a username never changes
    display_name = StringField(_l("姓名"))
    role = SelectField(_l("主要角色"), validate_choice=False)
    extra_roles = _checkboxes(_l("其他角色"), coerce=str)
    bodies = _checkboxes(_l("所在单位"))
    led_bodies = _checkboxes(_l("分管单位（常委会领导）"))


class BodyForm(PortalForm):
    """A responsible body (POST /admin/bodies/new, POST /admin/bodies/<id>)."""

    name = StringField(_l("全称"))
    short_name = StringField(_l("简称"))
    kind = SelectField(_l("类别"), validate_choice=False)
    aliases = TextAreaField(_l("其他写法（每行一个）"))
    sort_order = StringField(_l("排序"))
    active = BooleanField(_l("在用"))
