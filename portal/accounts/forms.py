from __future__ import annotations

from flask_babel import lazy_gettext as _l
from portal.forms import PortalForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(PortalForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=256)])


class PasswordChangeForm(PortalForm):
    """The user's own change: current, new, repeat. No length validator here: the policy
    (portal.accounts.passwords) says what is allowed, and nothing is trimmed or cut."""

    current = PasswordField(_l("当前密码"))
    new = PasswordField(_l("新密码"))
    repeat = PasswordField(_l("再次输入新密码"))
