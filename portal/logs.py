"""Structured security log: one JSON line per event, with who, what, when (UTC) and where.

JSON encoding escapes CR/LF, so a user-supplied value cannot forge a log line. Passwords,
cookies and tokens are never passed to the logger.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from flask import has_request_context, request
from flask_login import current_user

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="seconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["ip"] = request.remote_addr
            entry["method"] = request.method
            entry["route"] = request.path
            user = current_user._get_current_object() if current_user else None
            entry["user"] = user.username if user is not None and user.is_authenticated else None
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(app) -> None:
    security = logging.getLogger("portal.security")
    if not any(isinstance(h.formatter, JsonFormatter) for h in security.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        security.addHandler(handler)
    security.setLevel(logging.INFO)
    # Alembic's fileConfig (migrations/env.py) disables every logger that exists when it runs; a
    # migration run in this process (`db upgrade` from a test, a command) must not silence this one.
    security.disabled = False
    security.propagate = True  # tests read it through caplog
