from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from portal.inputs import as_id
from portal.forms import PortalForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from portal.items.status import NOTE_MAX


class StatusForm(PortalForm):
    """Fields of POST /items/<id>/status (CONTRACT.md). Anything else posted is ignored."""

    # A plain string: the status rules (portal.items.status) say whether it is known and allowed.
    status = StringField(_l("状态"), validators=[Length(max=20)])
    version = IntegerField(validators=[Optional()])
    note = TextAreaField(_l("说明"), validators=[Optional()])
    month = IntegerField(_l("延期至"), validators=[Optional(), NumberRange(1, 12, message=_l("月份须在 1 到 12 之间。"))])
    # With a postponement past the plan's year (延期至次年3月); the plan's year when left out.
    year = IntegerField(_l("年度"), validators=[Optional(), NumberRange(1990, 2100, message=_l("年度不正确。"))])
    view = HiddenField()  # which fragment to answer an HTMX request with: "row" or "detail"

    def field_errors(self) -> dict[str, str]:
        """WTForms errors as field -> first message, the same shape the status rules give."""
        return {name: msgs[0] for name, msgs in self.errors.items() if msgs and name != "csrf_token"}


class BulkStatusForm(PortalForm):
    """POST /items/bulk-status: the same fields as StatusForm, for several items ("id:version" each)."""

    status = StringField(_l("状态"), validators=[Length(max=20)])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=NOTE_MAX, message=_l("说明不能超过 %(max)d 字。"))])
    month = IntegerField(_l("延期至"), validators=[Optional(), NumberRange(1, 12, message=_l("月份须在 1 到 12 之间。"))])
    year = IntegerField(_l("年度"), validators=[Optional(), NumberRange(1990, 2100, message=_l("年度不正确。"))])

    def selected(self) -> list[tuple[int, int | None]]:
        """The ticked rows' (item id, version) pairs, from the repeated `items` field; malformed entries dropped."""
        pairs = []
        for entry in request.form.getlist("items")[:500]:
            item_id, _, version = (entry or "").partition(":")
            if as_id(item_id) is not None:
                pairs.append((as_id(item_id), as_id(version)))
        return pairs


# Stages, notes and documents (portal.items.detail). The forms only carry the fields and the
# CSRF token; the rules (dates, lengths, file types) live in the operations of each noun.

class StageForm(PortalForm):
    """POST /items/<id>/stages/<position>: tick or untick one stage."""

    done = BooleanField(_l("已完成"), false_values=("", "false", "off", "0"))
    date = StringField(_l("完成日期"))
    note = TextAreaField(_l("备注"))
    version = IntegerField(validators=[Optional()])
    # The stage's name as the page showed it: a stage renumbered since by the admin is not ticked by mistake.
    stage = HiddenField()


class NoteForm(PortalForm):
    """POST /items/<id>/notes: a progress note (进展情况)."""

    note = TextAreaField(_l("进展情况"))


class DocumentForm(PortalForm):
    """POST /items/<id>/documents (multipart)."""

    category = StringField(_l("材料类别"))
    file = FileField(_l("文件"))


class WorkKindForm(PortalForm):
    """POST /items/<id>/kind: the admin classifies an item."""

    work_kind = StringField(_l("工作类型"))
    version = IntegerField(validators=[Optional()])
