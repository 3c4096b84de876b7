"""Security headers on every answer: a strict CSP (no inline script or style), no sniffing, no framing,
and no caching of signed-in pages."""
from __future__ import annotations

from flask_login import current_user

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
