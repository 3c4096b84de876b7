"""Safe redirect targets (ASVS 3.7.2): the one check every `next=` goes through.

Only a path on this site: `//evil`, absolute URLs, backslash tricks and any control character
(a CR/LF would split the Location header; Werkzeug refuses it, which was a 500 after the request
had committed) all go home instead.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None) -> str:
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or len(target) > 2000 or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)):
        return url_for("core.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("core.home")
    return target
