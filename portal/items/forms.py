from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from portal.items.status import NOTE_MAX


class StatusForm(FlaskForm):
    """Fields of POST /items/<id>/status (CONTRACT.md). Anything else posted is ignored."""

    # A plain string: the status rules (portal.items.status) say whether it is known and allowed.
    status = StringField(_l("状态"), validators=[Length(max=20)])
    version = IntegerField(validators=[Optional()])
    note = TextAreaField(_l("说明"), validators=[Optional()])
    month = IntegerField(_l("延期至"), validators=[Optional(), NumberRange(1, 12, message=_l("月份须在 1 到 12 之间。"))])
    view = HiddenField()  # which fragment to answer an HTMX request with: "row" or "detail"

    def field_errors(self) -> dict[str, str]:
        """WTForms errors as field -> first message, the same shape the status rules give."""
        errors = {name: msgs[0] for name, msgs in self.errors.items() if msgs and name != "csrf_token"}
        if len(self.note.data or "") > NOTE_MAX * 5:
            errors["note"] = str(_l("说明不能超过 %(n)s 字。", n=NOTE_MAX))
        return errors


class BulkStatusForm(FlaskForm):
    """POST /items/bulk-status: the same fields as StatusForm, for several items ("id:version" each)."""

    status = StringField(_l("状态"), validators=[Length(max=20)])
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=NOTE_MAX, message=_l("说明不能超过 %(max)d 字。"))])
    month = IntegerField(_l("延期至"), validators=[Optional(), NumberRange(1, 12, message=_l("月份须在 1 到 12 之间。"))])
    def selected(self) -> list[tuple[int, int | None]]:
        """The ticked rows' (item id, version) pairs, from the repeated `items` field; malformed entries dropped."""
        pairs = []
        for entry in request.form.getlist("items")[:500]:
            item_id, _, version = (entry or "").partition(":")
            if item_id.isdigit():
                pairs.append((int(item_id), int(version) if version.isdigit() else None))
        return pairs
