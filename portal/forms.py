"""The base of every form: FlaskForm (CSRF) plus what every field of a kind needs.

Text is already cleaned for every form by portal.inputs (one place, before any form or view reads
the request). Here: an IntegerField holds a number the database can store (−2³¹ … 2³¹−1, PostgreSQL's
INTEGER), so 99999999999 gets a field message instead of a database error.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange

from portal.inputs import INT_MAX


class PortalForm(FlaskForm):
    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, IntegerField):
                validators = list(unbound_field.kwargs.get("validators") or [])
                validators.append(NumberRange(-INT_MAX - 1, INT_MAX, message=_l("数值超出范围。")))
                options = dict(options, validators=validators)
            return unbound_field.bind(form=form, **options)
