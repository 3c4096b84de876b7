"""The leaders' view (领导驾驶舱): the whole plan year on one screen, and the same figures as JSON."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from portal.dashboard import views  # noqa: E402,F401 - the views register on bp
