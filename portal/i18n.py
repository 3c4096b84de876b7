"""The UI language: Simplified Chinese by default, English second, chosen per user or by cookie."""
from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_translations
from flask_login import current_user


def select_locale() -> str:
    """The signed-in user's choice, else the language cookie, else Simplified Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a test calling an operation: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get("lang")
    return cookie if cookie in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


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
