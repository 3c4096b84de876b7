"""Leaders' instructions (批示) on work items, and the notices (提醒) that find the people who must act."""
from flask import Blueprint

bp = Blueprint("instructions", __name__)

from portal.instructions import views  # noqa: E402,F401 - the views register on bp
