"""All models, imported here so Alembic and create_all() see every table."""
from portal.models.audit import AuditEntry
from portal.models.bodies import BODY_KINDS, Body, BodyAlias
from portal.models.changes import ChangeCounter
from portal.models.deputies import Deputy, DeputyGroup, DutyRecord, LiaisonStation
from portal.models.documents import ItemDocument
from portal.models.history import HistoryIsAppendOnly, ItemEvent
from portal.models.instructions import Instruction, NoticeRead
from portal.models.meetings import AgendaEntry, AppraisalPerson, FollowUp, Meeting
from portal.models.plans import ItemBody, Plan, Section, WorkItem
from portal.models.stages import ItemStage, StageTemplate
from portal.models.throttle import SignInCounter
from portal.models.users import User, user_body

__all__ = [
    "AgendaEntry", "AppraisalPerson", "FollowUp", "Meeting",
    "AuditEntry", "BODY_KINDS", "Body", "BodyAlias", "ChangeCounter", "Deputy", "DeputyGroup", "DutyRecord", "LiaisonStation", "HistoryIsAppendOnly", "ItemBody", "ItemDocument", "ItemEvent",
    "Instruction", "ItemStage", "NoticeRead", "Plan", "Section", "SignInCounter", "StageTemplate", "User", "WorkItem", "user_body",
]
