"""Input that never breaks a page, handled once for every route rather than form by form.

- A NUL byte anywhere in the path, the query string, a form field, a file name or a JSON body is
  refused with 400 and a message (PostgreSQL refuses NUL in text: it was a 500, even at sign-in).
- Every other form and query value is cleaned (portal.textclean: bidi overrides and zero-width
  padding removed, invisible-only text made empty) before a form or a view reads it, so every
  "required" check and everything stored sees the cleaned text. Passwords are left exactly as typed.
- `<int:…>` in a route matches only 0 … 2³¹−1 (the range of an INTEGER column on PostgreSQL; SQLite's
  is wider), so /items/99999999999 is a 404, not a database error.
- Form integers (WTForms IntegerField, via portal.forms) and ids read by hand (`form_ids`) are held to
  the same range.
- A last net: a value the database still refuses (DataError: too long, out of range) or that the
  driver cannot bind (OverflowError) rolls back and answers 400, never 500.
"""
from __future__ import annotations

import logging

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from portal.textclean import clean_text

security_log = logging.getLogger("portal.security")

INT_MAX = 2**31 - 1  # PostgreSQL INTEGER; SQLite's is 2⁶³−1
# Form fields whose value must reach the code exactly as typed.
UNCLEANED = frozenset({"password", "current", "new", "repeat", "csrf_token", "token"})


class BoundedIntegerConverter(IntegerConverter):
    """`<int:id>` up to INT_MAX: a larger id matches no route (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def _cleaned(data: ImmutableMultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict([(k, v if k in UNCLEANED else clean_text(v)) for k, v in data.items(multi=True)])


def guard_request():
    """before_request: refuse NUL, clean the rest."""
    nul = "\x00" in request.path or b"%00" in request.query_string or _has_nul(list(request.args.items(multi=True)))
    if not nul and request.method not in ("GET", "HEAD", "OPTIONS"):
        nul = (_has_nul(list(request.form.items(multi=True)))
               or any(_has_nul(f.filename or "") or _has_nul(k) for k, f in request.files.items(multi=True)))
        if not nul and request.is_json:
            nul = _has_nul(request.get_json(silent=True))
    if nul:
        security_log.warning("input_refused", extra={"event": "input_refused", "reason": "nul"})
        abort(400, description=_("提交的内容含有不允许的控制字符（NUL），没有保存。请删除后重试。"))
    request.args = _cleaned(request.args)
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.form:
        request.form = _cleaned(request.form)


def as_id(value: str | None) -> int | None:
    """A posted id or number as an int within the column's range, else None. ASCII digits only:
    str.isdigit() also accepts "²", which int() refuses."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    number = int(value)
    return number if number <= INT_MAX else None


def form_ids(name: str) -> list[int]:
    """The ids posted under a repeated field, malformed or out-of-range ones dropped."""
    return [n for n in (as_id(v) for v in request.form.getlist(name)) if n is not None]


def register(app) -> None:
    """Before any blueprint is registered (the converter) and before every other before_request hook."""
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request_funcs.setdefault(None, []).insert(0, guard_request)
