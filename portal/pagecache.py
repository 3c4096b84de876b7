"""Pages kept while nothing has changed: a GET page is rendered again only when data changed.

`@cached_page` (under `@requires`) keeps a view's HTML under a key made of the user, the URL, whether
htmx asked for a fragment, the language, "today" and the change counters of the areas of data it reads
(portal.models.ChangeCounter, one per area, bumped by every transaction that writes a row there,
portal.uow). So a page is never older than the data it shows: a change there, by anyone, on any server,
makes every key new. A page reads every area unless it says `reads=("work",)`. Per user, so
what one user may see is never served to another. Entries also expire (PAGE_CACHE_SECONDS) so that
a write that bypasses the ORM (a bulk load from the command line) shows within that time.

A request saying `Cache-Control: no-cache` (a browser's hard reload; the benchmark's "rendered" rows)
gets the page rendered afresh, which is then kept.

The CSRF token is per session, not per user: it is cut out of the stored HTML and the current
session's token put back on every answer. A page that shows a flashed message is never stored.
A download of known size (an XLSX export, up to MAX_KEPT_DOWNLOAD) is kept as its bytes; a CSV, which
streams, is not.

The store is Flask-Caching's: Redis when REDIS_URL is set (shared by every worker and server), else
each worker's memory (SimpleCache, bounded) — correct either way, as the key says the data's version.
"""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask_caching import Cache
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from portal.extensions import db
from portal.htmx import wants_fragment
from portal.i18n import select_locale
from portal.models import ChangeCounter
from portal.models.changes import AREAS
from portal.timeutil import today

cache = Cache()
TOKEN_SLOT = "\x00csrf\x00"  # nosec B105  # a placeholder cut into kept pages, not a password
KEPT_HEADERS = ("Content-Type", "Vary", "HX-Push-Url", "HX-Trigger", "Cache-Control", "Content-Disposition")
MAX_KEPT_DOWNLOAD = 4 * 1024 * 1024


def init_app(app) -> None:
    config = {"CACHE_DEFAULT_TIMEOUT": app.config["PAGE_CACHE_SECONDS"], "CACHE_KEY_PREFIX": "portal-page:"}
    if app.config.get("REDIS_URL"):
        config |= {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": app.config["REDIS_URL"]}
    else:
        config |= {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 500}
    cache.init_app(app, config=config)


def data_version(reads=tuple(AREAS)) -> tuple[int, ...] | None:
    """The change counters of the areas `reads` as this request sees them (one query, once per request);
    None while one of them has no row yet."""
    if "_data_versions" not in g:
        g._data_versions = dict(db.session.execute(select(ChangeCounter.id, ChangeCounter.value)).all())
    values = tuple(g._data_versions.get(AREAS[area]) for area in reads)
    return None if None in values else values


def _key(version: tuple[int, ...]) -> str:
    parts = (version, current_user.get_id(), request.full_path, wants_fragment(), request.headers.get("HX-Target", ""),
             select_locale(), today().isoformat(), current_app.config.get("PORTAL_TODAY") or "")
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_page(view=None, *, reads=tuple(AREAS)):
    """`@cached_page`, or `@cached_page(reads=("work",))` for a page that shows no data of the other
    areas (portal.models.changes.AREAS): a change there then leaves it kept."""
    if view is None:
        return lambda view: cached_page(view, reads=reads)

    @wraps(view)
    def answer(*args, **kwargs):
        if not current_app.config["PAGE_CACHE"] or request.method != "GET" or session.get("_flashes"):
            return view(*args, **kwargs)
        version = data_version(reads)
        if version is None:  # no counter row yet: nothing to key on
            return view(*args, **kwargs)
        key = _key(version)
        stored = None if "no-cache" in request.headers.get("Cache-Control", "") else cache.get(key)
        if stored is not None:
            body = stored["body"]
            response = make_response(body.replace(TOKEN_SLOT, generate_csrf()) if isinstance(body, str) else body)
            response.headers.update(stored["headers"])
            return response
        response = make_response(view(*args, **kwargs))
        if response.status_code != 200 or response.direct_passthrough:
            return response
        headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
        if response.mimetype == "text/html":
            cache.set(key, {"body": response.get_data(as_text=True).replace(generate_csrf(), TOKEN_SLOT),
                            "headers": headers})
        elif response.content_length is not None and response.content_length <= MAX_KEPT_DOWNLOAD:
            # A spreadsheet: kept as its bytes (they hold no token). A larger one streams from its spool as before.
            cache.set(key, {"body": response.get_data(), "headers": headers})
        return response

    return answer
