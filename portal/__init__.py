"""The work portal of a municipal People's Congress Standing Committee (人大常委会工作平台)."""
from __future__ import annotations

import logging
from pathlib import Path
import uuid

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import get_translations, pgettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from portal import authz, database  # noqa: F401 - database registers the SQLite engine settings
from portal.config import load_config
from portal.htmx import add_trigger
from portal.extensions import babel, csrf, db, login_manager, migrate
from portal.extensions import htmx as htmx_extension  # the name "htmx" is the portal.htmx module

log = logging.getLogger("portal")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_mapping(load_config(overrides))

    db.init_app(app)
    # Batch mode lets later migrations alter SQLite tables (which lack most ALTER TABLE forms).
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx_extension.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_request_cached_gettext(app)

    from portal import logs, querycount
    from portal.accounts import auth
    from portal.accounts.views import bp as accounts_bp
    from portal.cli import register_cli
    from portal.core.views import bp as core_bp
    from portal.items.views import bp as items_bp
    from portal.items import work_views  # noqa: F401 - adds the stage, note and document routes to items_bp
    from portal.admin.views import bp as admin_bp
    from portal.plans.views import bp as plans_bp

    logs.configure(app)
    querycount.init_app(app)
    auth.init_app(app)
    for blueprint in (core_bp, accounts_bp, items_bp, plans_bp, admin_bp):
        app.register_blueprint(blueprint)
    register_cli(app)

    app.before_request(authz.enforce_declared_access)
    app.after_request(security_headers)
    register_error_pages(app)
    register_template_helpers(app)
    return app


def install_request_cached_gettext(app: Flask) -> None:
    """Template gettext that looks the catalogue up once per request.

    Flask-Babel resolves the locale and catalogue on every call (about 0.1 ms); a workspace of a
    hundred rows makes several hundred calls. Same callables as Flask-Babel's, catalogue cached in g.
    """

    def translations():
        if "translations" not in g:
            g.translations = get_translations()
        return g.translations

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def select_locale() -> str:
    """The signed-in user's choice, else the language cookie, else Simplified Chinese."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get("lang")
    return cookie if cookie in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if current_user and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def register_error_pages(app: Flask) -> None:
    def page(status: int, title: str, message: str, reference: str | None = None):
        if request.headers.get("HX-Request") == "true":
            # An error page must never be swapped into a table row: swap nothing, let portal.js say it.
            text = _("%(message)s 参考编号：%(reference)s", message=message, reference=reference) if reference else message
            response = app.response_class(status=status)
            response.headers["HX-Reswap"] = "none"
            response.vary.add("HX-Request")
            return add_trigger(response, "request-error", {"message": text})
        html = render_template("errors/error.html", status=status, title=title, message=message, reference=reference)
        return html, status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        logging.getLogger("portal.security").warning(
            "csrf_failed", extra={"event": "csrf_failed", "reason": error.description}
        )
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

    @app.errorhandler(500)
    def server_error(error):
        reference = uuid.uuid4().hex[:12]
        log.error("unhandled error ref=%s", reference, exc_info=getattr(error, "original_exception", error))
        db.session.rollback()
        return page(500, _("系统错误"), _("系统出现错误，您的操作没有保存。请把参考编号告知系统管理员。"), reference)


def register_template_helpers(app: Flask) -> None:
    from portal.items import status as item_status
    from portal.timeutil import MONTH_NAMES, cn_numeral, month_name, to_local

    @app.context_processor
    def inject():
        return {
            "can": lambda action, obj=None: authz.can(current_user, action, obj),
            "ROLES": authz.ROLES,
            "STATUS_LABELS": item_status.STATUS_LABELS,
            # Translated once per page, not once per row.
            "STATUS_NAMES": {key: str(label) for key, label in item_status.STATUS_LABELS.items()},
            "LANGUAGES": app.config["LANGUAGES"],
            "current_locale": select_locale(),
            "month_name": month_name,
            "MONTH_NAMES": {m: str(name) for m, name in MONTH_NAMES.items()},
        }

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        local = to_local(value)
        return local.strftime(fmt) if local else ""

    @app.template_filter("field_label")
    def field_label(name: str) -> str:
        from portal.plans.operations import FIELD_LABELS

        return str(FIELD_LABELS.get(name, name))

    app.add_template_filter(cn_numeral)

    @app.template_filter("months")
    def months_filter(months):
        if not months:
            return ""
        if len(months) > 1 and months == list(range(months[0], months[-1] + 1)):
            return _("%(a)s—%(b)s", a=month_name(months[0]), b=month_name(months[-1]))
        return pgettext("list separator", "、").join(month_name(m) for m in months)
