"""Notices (提醒): what needs the user now, derived when shown; only the reads are stored."""
from flask import Blueprint

bp = Blueprint("notices", __name__)

from portal.notices import views  # noqa: E402,F401 - the views register on bp
