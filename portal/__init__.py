"""The work portal of a municipal People's Congress Standing Committee (人大常委会工作平台)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from portal import authz, database  # noqa: F401 - database registers the SQLite engine settings
from portal import inputs, pagecache, uow  # noqa: F401 - uow registers the audit hook on every session
from portal.config import load_config
from portal.errors import register_error_pages
from portal.extensions import babel, csrf, db, login_manager, migrate
from portal.extensions import htmx as htmx_extension  # the name "htmx" is the portal.htmx module
from portal.headers import security_headers
from portal.i18n import install_request_cached_gettext, select_locale


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_mapping(load_config(overrides))
    inputs.register(app)  # the bounded <int:> converter must be in place before any route is added
    database.prepare_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])

    if app.config["PORTAL_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PORTAL_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
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
    from portal.admin.views import bp as admin_bp
    from portal.cli import register_cli
    from portal.core.views import bp as core_bp
    from portal.dashboard import bp as dashboard_bp
    from portal.deputies import bp as deputies_bp
    from portal.instructions import bp as instructions_bp
    from portal.meetings import bp as meetings_bp
    from portal.notices import bp as notices_bp
    from portal.items import bp as items_bp
    from portal.plans.views import bp as plans_bp
    from portal.summaries import bp as summaries_bp
    from portal.templating import register_template_helpers

    logs.configure(app)
    querycount.init_app(app)
    pagecache.init_app(app)
    auth.init_app(app)
    for blueprint in (core_bp, accounts_bp, items_bp, plans_bp, admin_bp, dashboard_bp, instructions_bp, notices_bp,
                      meetings_bp, summaries_bp, deputies_bp):
        app.register_blueprint(blueprint)
    register_cli(app)
    register_template_helpers(app)

    app.before_request(authz.enforce_declared_access)
    app.after_request(security_headers)
    register_error_pages(app)
    return app
