from __future__ import annotations

from flask_babel import lazy_gettext as _l
from portal.forms import PortalForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


class PlanUploadForm(PortalForm):
    file = FileField(_l("计划文件（.txt、.docx 或 .pdf）"), validators=[FileRequired(_l("请选择一个文件。"))])
    year = IntegerField(_l("年度"), validators=[Optional(), NumberRange(2000, 2100, message=_l("年度须在 2000 到 2100 之间。"))])


class PlanConfirmForm(PortalForm):
    """What was previewed (the text, the year, the file name) travels back as one signed token, so
    editing the form cannot change what is stored (portal.plans.views.preview_token)."""

    token = HiddenField(validators=[DataRequired()])


class NewItemForm(PortalForm):
    """An item added by hand to a section of a stored plan."""

    section = SelectField(_l("计划与部分"), coerce=int, validators=[DataRequired(_l("请选择计划和部分。"))])
    title = StringField(_l("事项标题"), validators=[DataRequired(_l("请填写标题。")), Length(max=300)])
    text = TextAreaField(_l("事项内容"), validators=[Optional(), Length(max=5000)])
    months = SelectMultipleField(_l("安排月份"), coerce=int, choices=[SelectChoice(m, str(m)) for m in range(1, 13)],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    meeting_month = SelectField(_l("提请常委会会议"), coerce=int, default=0, choices=[SelectChoice(0, "—")] + [SelectChoice(m, str(m)) for m in range(1, 13)])
    bodies = SelectMultipleField(_l("责任单位"), coerce=int, widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
