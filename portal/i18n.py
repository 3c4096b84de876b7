"""The UI language: Simplified Chinese by default, English second, chosen per user or by cookie."""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_translations
from flask_login import current_user

T = TypeVar("T")


def select_locale() -> str:
    """The signed-in user's choice, else the language cookie, else Simplified Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a command or a test calling an operation: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get("lang")
    return cookie if cookie in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def translations():
    """This request's catalogue, looked up once (kept in g)."""
    if "translations" not in g:
        g.translations = get_translations()
    return g.translations


def install_request_cached_gettext(app: Flask) -> None:
    """Template gettext that looks the catalogue up once per request.

    Flask-Babel resolves the locale and catalogue on every call (about 0.1 ms); a workspace of a
    hundred rows makes several hundred calls. Same callables as Flask-Babel's, catalogue cached in g.
    """

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def translated_once(build: Callable[[], T]) -> Callable[[], T]:
    """`build()` (fixed words, translated) made once per catalogue, not once per request.

    Catalogues are compiled before the application starts and never change while it runs, so the
    words one request translated serve every later request in the same language. Keyed by the
    catalogue Flask-Babel returns for this request (it keeps one per language and directory), and
    holding it, so the key cannot be reused by another.
    """
    made: dict[int, tuple[object, T]] = {}

    @wraps(build)
    def words() -> T:
        catalogue = translations()
        found = made.get(id(catalogue))
        if found is None or found[0] is not catalogue:
            found = made[id(catalogue)] = (catalogue, build())
        return found[1]

    return words
