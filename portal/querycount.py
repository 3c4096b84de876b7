"""SQL queries per request in an `X-Query-Count` response header, for `make bench`.

Off unless the config key PORTAL_COUNT_QUERIES (or the environment variable of that name) is
"1": it costs a listener call per query and tells a client how the page is built.
"""
from __future__ import annotations

import os

from flask import Flask, g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

_listening = False


def _count(*_args) -> None:
    if has_request_context():
        g.query_count = g.get("query_count", 0) + 1


def init_app(app: Flask) -> None:
    global _listening
    if str(app.config.get("PORTAL_COUNT_QUERIES", os.environ.get("PORTAL_COUNT_QUERIES", ""))) != "1":
        return
    if not _listening:  # one listener for every engine; it counts only inside a request
        event.listen(Engine, "before_cursor_execute", _count)
        _listening = True

    @app.after_request
    def query_count_header(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
