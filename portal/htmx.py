"""Page or fragment: one helper decides, so every screen behaves the same under HTMX.

An HTMX request that targets part of a page gets just the named block of the page's own
template (jinja2-fragments), so the fragment and the full page can never drift apart.
Boosted and history-restore requests need the whole page. Every such response varies on
HX-Request so a cache never serves a fragment for a page.
"""
from __future__ import annotations

import json

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block, render_blocks


def wants_fragment() -> bool:
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def render(template: str, block: str | list[str] | None = None, status: int = 200, **context) -> Response:
    """The whole page, or for an htmx request the named block(s) of it (several: one after the other,
    e.g. a list and an out-of-band control that must follow it)."""
    if block and wants_fragment():
        html = render_block(template, block, **context) if isinstance(block, str) else render_blocks(template, block, **context)
    else:
        html = render_template(template, **context)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    return response


def add_trigger(response: Response, event: str, detail: object = None) -> Response:
    """Merge an event into HX-Trigger (never overwrite one set earlier in the request)."""
    current = response.headers.get("HX-Trigger")
    events = json.loads(current) if current and current.startswith("{") else ({current: None} if current else {})
    events[event] = detail
    # ASCII only (\uXXXX escapes): gunicorn refuses a non-ASCII header value and answers 500 instead.
    response.headers["HX-Trigger"] = json.dumps(events)
    return response
