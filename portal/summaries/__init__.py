"""Print-ready summaries (templates/print/_base.html) and spreadsheets (portal/sheets.py) of the work items.

views.py: the summaries, each as a page for A4 and as XLSX; exports.py: /exports/items.xlsx and .csv;
data.py: what they hold; wording.py: the words on paper and the year-end paragraph.
"""
from flask import Blueprint

bp = Blueprint("summaries", __name__)

from portal.summaries import exports, views  # noqa: E402,F401 - the views register on bp
