from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from flask_login import current_user

from portal import authz
from portal.authz import public, requires
from portal.extensions import db
from portal.uow import saving
from portal.redirects import safe_next

bp = Blueprint("core", __name__)

@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/")
@requires("home")
def home():
    return redirect(url_for(authz.home_endpoint(current_user)))


@bp.route("/deputy")
@requires("home")
def deputy_home():
    """The old address of a deputy's start page: now their duty records (portal.deputies)."""
    return redirect(url_for(authz.home_endpoint(current_user)))


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Remember the language: on the account when signed in, in a cookie always (the login page too)."""
    lang = request.form.get("lang", "")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        with saving():
            current_user.locale = lang
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
