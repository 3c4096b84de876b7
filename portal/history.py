"""The human-readable timeline of a work item (办理记录), written next to the change it tells of.

Kinds of entry (ItemEvent.kind) and what their fields hold:
- "status":   from/to = the status keys; note = the reason or completion note.
- "import":   to = "added" | "updated" | "manual"; note = the changed fields for "updated".
- "stage":    from/to = the stage's completion date before/after ("" = not done);
              note = the stage's name, a newline, then the note typed with the tick.
- "note":     note = the progress note.
- "document": from = the category key, to = "uploaded" | "removed", note = the file name.
- "kind":     from/to = the work kind before/after ("" = not classified).
- "assign":   to = the fields the office set (comma-separated); note = one line per field, "field：before → after".
- "task":     to = "created" (on the task; note = the parent's title) | "added" (on the parent; note = the task's title).
- "carried":  from/to = the year carried from/to, on the new item; the original gets a "status" entry to 已结转.
- "instruction": a leader's instruction (批示, portal.instructions): to = "written" | "acknowledged" |
              "answered" | "closed"; note = the instruction's text for "written", the answer for "answered" (then a line
              "附件：…" naming the answer's documents, which have no "document" entry of their own).
- "agenda":   the office changed the item's place on a meeting agenda (portal.meetings.operations):
              from = the meeting before ("" if none), to = "added" | "moved" | "dropped";
              note = the meeting now (added, moved), a newline, then the reason.
- "followup": a step of the oversight follow-up (portal.meetings.followup): to = "opinions_sent" |
              "report_received" | "voted" | "tracking" | "appraisal"; note = what was recorded (dates, result).
The audit trail (portal.uow) records the same changes field by field for the office.
"""
from __future__ import annotations

from portal.extensions import db
from portal.models import ItemEvent, User, WorkItem


def acting_body_id(user: User, item: WorkItem) -> int | None:
    """Which of the user's bodies acted, for the history of an item shared by several bodies."""
    mine = user.body_ids
    return next((a.body_id for a in item.assignments if a.body_id in mine), None)


def record(item: WorkItem, user: User | None, kind: str, before: str = "", after: str = "", note: str = "") -> ItemEvent:
    event = ItemEvent(
        item_id=item.id, kind=kind, from_value=before, to_value=after, note=note,
        user_id=user.id if user else None,
        body_id=acting_body_id(user, item) if user else None,
    )
    db.session.add(event)
    return event
