"""The domain's refusals and the error pages, for the whole application.

Operations raise these; nothing else needs to know about HTTP. `NotVisible` and `Forbidden`
are answered here once for every blueprint (404 and 403); `Conflict` and `Invalid` are caught
by the view that can show them next to what the user typed.
"""
from __future__ import annotations

import logging
import uuid

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

from portal.extensions import db
from portal.htmx import add_trigger

log = logging.getLogger("portal")
security_log = logging.getLogger("portal.security")


class NotVisible(Exception):
    """The user may not see the object: answer 404, reveal nothing."""


class Forbidden(Exception):
    """The user sees the object but may not do this: answer 403."""


class Conflict(Exception):
    """Someone saved the object since the user loaded it: answer 409 with the current state."""

    def __init__(self, item=None):
        super().__init__("stale version")
        self.item = item


class Invalid(Exception):
    """Bad input: field -> message, shown next to the field. Nothing was written."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def discard_session() -> None:
    """End the request's session even when its connection is dead (the server restarted under it):
    a rollback that fails invalidates the connection instead, and the pool makes a new one."""
    try:
        db.session.remove()
    except DBAPIError:
        db.session().invalidate()
        db.session.remove()


def register_error_pages(app: Flask) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last registered first), whose
    # rollback would raise on a connection PostgreSQL terminated and turn the answer into a bare 500.
    app.teardown_appcontext(lambda _exc: discard_session())

    def page(status: int, title: str, message: str, reference: str | None = None):
        if request.headers.get("HX-Request") == "true":
            # An error page must never be swapped into a table row: swap nothing, let portal.js say it.
            text = _("%(message)s 参考编号：%(reference)s", message=message, reference=reference) if reference else message
            response = app.response_class(status=status)
            response.headers["HX-Reswap"] = "none"
            response.vary.add("HX-Request")
            return add_trigger(response, "request-error", {"message": text})
        html = render_template("errors/error.html", status=status, title=title, message=message, reference=reference)
        return app.response_class(html, status=status, mimetype="text/html")

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        """The database is down, restarting, or its disk is full: a calm 503, nothing saved, try again.

        The page is rendered without base.html, which asks the database who is signed in."""
        return unavailable(error)

    @app.errorhandler(DBAPIError)
    def database_error(error):
        if error.connection_invalidated:  # a connection lost mid-request (server restarted)
            return unavailable(error)
        raise error  # any other database error: the last-resort 500 (or, in tests, the exception itself)

    def unavailable(error):
        from portal.extensions import login_manager

        reference = uuid.uuid4().hex[:12]
        log.warning("database unavailable ref=%s: %s", reference, str(getattr(error, "orig", error)).strip()[:300])
        discard_session()
        # The signed-in user, if loaded at all, is detached from the discarded session: answer as
        # anonymous rather than ask the database again while rendering (the locale, the headers).
        g._login_user = login_manager.anonymous_user()
        title = _("系统暂时无法处理")
        message = _("数据库暂时不可用（可能正在维护或存储空间已满），您刚才的操作没有保存。请稍等片刻后再试。")
        if request.headers.get("HX-Request") == "true":
            response = page(503, title, message, reference)
        else:
            response = app.response_class(
                render_template("errors/unavailable.html", title=title, message=message, reference=reference),
                status=503, mimetype="text/html")
        response.headers["Retry-After"] = "30"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(NotVisible)
    def not_visible(error):
        db.session.rollback()
        return not_found(error)

    @app.errorhandler(Forbidden)
    def refused(error):
        db.session.rollback()
        return forbidden(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        security_log.warning("csrf_failed", extra={"event": "csrf_failed", "reason": error.description})
        return page(400, _("请求已失效"), _("页面已过期或来源不明（CSRF 校验未通过），请刷新页面后重试。"))

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, _("请求有误"), getattr(error, "description", "") or _("提交的内容无法处理。"))

    @app.errorhandler(403)
    def forbidden(error):
        return page(403, _("无权操作"), _("您的账号没有执行此操作的权限。"))

    @app.errorhandler(404)
    def not_found(error):
        return page(404, _("未找到"), _("您要找的页面不存在，或您无权查看。"))

    @app.errorhandler(413)
    def too_large(error):
        return page(413, _("文件过大"), _("上传的文件超过了大小限制。"))

    def out_of_range(error):
        # The last net under the forms' own checks (portal.inputs): the database refused a value.
        db.session.rollback()
        log.warning("value refused by the database: %s", type(error).__name__)
        return page(400, _("请求有误"), _("提交的内容超出了允许的长度或数值范围，没有保存。请检查后重试。"))

    app.register_error_handler(DataError, out_of_range)
    app.register_error_handler(OverflowError, out_of_range)

    @app.errorhandler(500)
    def server_error(error):
        reference = uuid.uuid4().hex[:12]
        log.error("unhandled error ref=%s", reference, exc_info=getattr(error, "original_exception", error))
        db.session.rollback()
        return page(500, _("系统错误"), _("系统出现错误，您的操作没有保存。请把参考编号告知系统管理员。"), reference)
