"""Standing Committee meetings (常委会会议), their agendas (议题安排表) and the oversight follow-up after a
hearing (审议意见 → 研究处理情况报告 → 满意度测评).

operations.py: meetings and agendas, made from the plan and changed by the office; followup.py: the
follow-up steps and their derived states; attendance.py: the deputies who attended (列席); views.py and
followup_views.py: the screens, print pages,
spreadsheets and /api/meetings.
"""
from flask import Blueprint

bp = Blueprint("meetings", __name__)

from portal.meetings import attendance, followup_views, views  # noqa: E402,F401 - the views register on bp
