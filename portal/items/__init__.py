"""Work items (工作事项): the committee workspace, the item page and the changes made on them.

One view module per screen (workspace, detail, print, api) and one module per noun (status,
lights, stages, kinds, notes, documents, queries).
"""
from flask import Blueprint

bp = Blueprint("items", __name__)

from portal.items import api, assign_view, detail, print_view, workspace  # noqa: E402,F401 - the views register on bp
