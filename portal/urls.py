"""Addresses of one endpoint for many objects, built once per request.

`url_for` walks the URL map every time (about 50 µs); a list of a hundred rows with three links
each spends more on that than on the rows. For an endpoint with a single id in its rule
(`/items/<int:item_id>`, `/items/<int:item_id>/status`) the address is built once with a
stand-in id and the real ids are joined in; the stand-in is a number, so the rule's own
converter accepts it, and one that no prefix (a SCRIPT_NAME) can contain by chance.
"""
from __future__ import annotations

from flask import current_app, g, url_for

_STAND_IN = 987654321987


def _pattern(endpoint: str) -> tuple[str, str]:
    patterns = g.setdefault("_url_patterns", {})
    found = patterns.get(endpoint)
    if found is None:
        rule = next(current_app.url_map.iter_rules(endpoint))  # KeyError for an unknown endpoint, like url_for
        (argument,) = rule.arguments  # only for rules with exactly one argument
        prefix, suffix = url_for(endpoint, **{argument: _STAND_IN}).split(str(_STAND_IN))
        found = patterns[endpoint] = (prefix, suffix)
    return found


def url_with_id(endpoint: str, value: int, _anchor: str | None = None) -> str:
    """`url_for(endpoint, <its one argument>=value, _anchor=...)`, at the cost of a string join."""
    prefix, suffix = _pattern(endpoint)
    return f"{prefix}{value}{suffix}#{_anchor}" if _anchor else f"{prefix}{value}{suffix}"
