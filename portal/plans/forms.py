from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField
from wtforms.validators import DataRequired, NumberRange, Optional


class PlanUploadForm(FlaskForm):
    file = FileField(_l("计划文本文件（.txt）"), validators=[FileRequired(_l("请选择一个文件。"))])
    year = IntegerField(_l("年度"), validators=[Optional(), NumberRange(2000, 2100, message=_l("年度须在 2000 到 2100 之间。"))])


class PlanConfirmForm(FlaskForm):
    """The previewed text travels back with the confirmation, with its digest so nothing else slips in."""

    text = HiddenField(validators=[DataRequired()])
    digest = HiddenField(validators=[DataRequired()])
    year = IntegerField(validators=[DataRequired(), NumberRange(2000, 2100)])
    filename = HiddenField()
