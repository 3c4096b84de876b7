"""Meetings and agendas (议题安排表) and the oversight follow-up after a hearing (issue 10).

The agenda of 2024 is checked against the seed's own schedule notes, item for item; the follow-up chain
is walked through every step over HTTP, with its refusals.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.demo import SEED_YEAR, seed_text
from portal.extensions import db
from portal.meetings import followup
from portal.meetings.operations import agenda_by_meeting, sync_agenda
from portal.models import AgendaEntry, AuditEntry, FollowUp, ItemDocument, ItemEvent, Meeting, User, WorkItem
from portal.plans.importer import parse_plan
from portal.plans.operations import alias_map, ensure_catalog_bodies, import_plan
from tests.conftest import make_item, make_user, sign_in
from tests.test_items import count_queries

# A schedule note that puts an item on a Standing Committee meeting, as the seed spells it.
MEETING_NOTE = re.compile(r"^(?:\d+\.|[一二三四五六七八九十]+、)?(?P<title>.*?)。?[(（](?:拟)?安排在(?P<month>\d+)月份举行的常委会会议上进行,"
                          r"由(?P<bodies>.*?)(?:负责)?做好相关工作[)）]$")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def import_seed() -> None:
    ensure_catalog_bodies()
    import_plan(parse_plan(seed_text(), alias_map()), SEED_YEAR)
    db.session.commit()


def seed_meeting_notes() -> dict[int, list[tuple[str, int]]]:
    """month -> [(title, number of bodies named)] in the order of the text (supervision, then decisions)."""
    notes: dict[int, list[tuple[str, int]]] = {}
    for line in seed_text().decode("utf-8").splitlines():
        match = MEETING_NOTE.match(line.strip())
        if match:
            notes.setdefault(int(match["month"]), []).append((match["title"], len(match["bodies"].split("、"))))
    return notes


def test_the_2024_agenda_equals_the_seeds_meeting_notes_item_for_item(app, client):
    import_seed()
    notes = seed_meeting_notes()
    assert sorted(notes) == [4, 6, 8, 10, 12] and sum(map(len, notes.values())) == 38
    staff = make_user("fgw_staff", "staff", [])
    db.session.commit()
    sign_in(client, staff)
    data = client.get("/api/meetings?year=2024").get_json()
    assert data["year"] == 2024
    assert [m["month"] for m in data["meetings"]] == [4, 6, 8, 10, 12]
    for meeting in data["meetings"]:
        assert meeting["number"] is None and meeting["date"] is None and meeting["state"] == "planned"
        assert set(meeting) >= {"id", "number", "month", "date", "state", "items"}
        got = [(i["title"], len(i["bodies"])) for i in meeting["items"]]
        assert got == notes[meeting["month"]], meeting["month"]
        for entry in meeting["items"]:
            assert set(entry) >= {"id", "plan", "seq", "title", "bodies"} and entry["plan"] in ("supervision", "decisions")
    # The seed's "选举任免代表联络工作委员会" is the canonical body on the agenda.
    december = data["meetings"][-1]["items"]
    assert all(body == "常委会选举任免代表联络工作委员会" for body in december[2]["bodies"])
    # The print page is the seed's missing 附件, one table.
    page = client.get("/meetings/print?year=2024").get_data(as_text=True)
    assert "市人大常委会会议2024年度议题安排表" in page and "截至2024年6月15日" in page
    assert page.count("<thead>") == 1 and "共5次会议，38项议题。" in page
    assert 'class="site-nav"' not in page


def test_reimport_never_duplicates_nor_undoes_the_offices_changes(app, client):
    import_seed()
    admin = make_user("admin", "admin")
    db.session.commit()
    token = sign_in(client, admin)
    april, june = (db.session.scalar(select(Meeting).where(Meeting.month == m)) for m in (4, 6))
    entries = list(db.session.scalars(select(AgendaEntry).where(AgendaEntry.meeting_id == april.id)
                                      .order_by(AgendaEntry.id)))
    moved, dropped = entries[0], entries[1]
    response = client.post(f"/meetings/agenda/{moved.id}/move",
                           data={"csrf_token": token, "meeting": june.id, "reason": "报告尚需完善"})
    assert response.status_code == 302
    response = client.post(f"/meetings/agenda/{dropped.id}/drop", data={"csrf_token": token, "reason": "主任会议决定"})
    assert response.status_code == 302
    counts = (db.session.scalar(select(func.count()).select_from(Meeting)),
              db.session.scalar(select(func.count()).select_from(AgendaEntry)))
    import_seed()
    import_seed()
    assert counts == (5, 38) == (db.session.scalar(select(func.count()).select_from(Meeting)),
                                 db.session.scalar(select(func.count()).select_from(AgendaEntry)))
    db.session.expire_all()
    assert db.session.get(AgendaEntry, moved.id).meeting_id == june.id
    assert db.session.get(AgendaEntry, dropped.id).state == "dropped"
    # Each change is in the item's history with its reason, and in the audit trail.
    events = list(db.session.scalars(select(ItemEvent).where(ItemEvent.kind == "agenda").order_by(ItemEvent.id)))
    assert [(e.item_id, e.to_value) for e in events] == [(moved.item_id, "moved"), (dropped.item_id, "dropped")]
    assert events[0].note.endswith("报告尚需完善") and events[1].note == "主任会议决定"
    audits = list(db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "agenda_entry",
                                                            AuditEntry.operation == "update")))
    assert {a.after.get("reason") for a in audits} == {"报告尚需完善", "主任会议决定"}
    page = client.get(f"/items/{moved.item_id}").get_data(as_text=True)
    assert "议题调整：4月常委会会议 → 6月常委会会议" in page and "理由：报告尚需完善" in page
    # The API lists the moved item in June and leaves the dropped one out.
    data = client.get("/api/meetings?year=2024").get_json()
    by_month = {m["month"]: [i["id"] for i in m["items"]] for m in data["meetings"]}
    assert moved.item_id in by_month[6] and moved.item_id not in by_month[4]
    assert dropped.item_id not in sum(by_month.values(), [])


@pytest.fixture
def heard(world):
    """iA (甲委) heard at April's meeting, held on 2024-04-20; iB on August's, still planned."""
    sync_agenda(2024)
    april = db.session.scalar(select(Meeting).where(Meeting.month == 4))
    april.state, april.held_on = "held", date(2024, 4, 20)
    world.iA.work_kind = world.iB.work_kind = "work_report"
    db.session.commit()
    return april


def test_office_edits_meetings_and_agendas_in_place_and_refuses_bad_input(client, world, heard):
    token = sign_in(client, "admin")
    august = db.session.scalar(select(Meeting).where(Meeting.month == 8))
    # Bad input: 400, the message in place, the user's input kept, nothing written.
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    for form, message in (({"held_on": "2024-13-01", "state": "planned"}, "日期格式应为 YYYY-MM-DD"),
                          ({"held_on": "2025-08-20", "state": "planned"}, "会议日期须在 2024 年内"),
                          ({"held_on": "", "state": "held"}, "已举行的会议须填写会议日期"),
                          ({"held_on": "", "state": "bogus"}, "未知的会议状态")):
        response = client.post(f"/meetings/{august.id}", data={"csrf_token": token, "place": "三楼会议室", **form})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
        assert 'value="三楼会议室"' in response.get_data(as_text=True)
    entry = db.session.scalar(select(AgendaEntry).where(AgendaEntry.item_id == world.iA.id))
    response = client.post(f"/meetings/agenda/{entry.id}/move", data={"csrf_token": token, "meeting": august.id,
                                                                      "reason": "  "})
    assert response.status_code == 400 and "请填写调整的理由" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
    # The number and date: the month follows the date; the API shows them.
    response = client.post(f"/meetings/{august.id}", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "number": "第十二次会议", "held_on": "2024-09-03",
                                 "place": "三楼会议室", "state": "planned"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "第十二次会议（9月）" in html
    meeting = next(m for m in client.get("/api/meetings?year=2024").get_json()["meetings"] if m["id"] == august.id)
    assert (meeting["number"], meeting["date"], meeting["month"]) == ("第十二次会议", "2024-09-03", 9)
    # Move in place (HTMX): the answer is the agenda block without the moved row.
    response = client.post(f"/meetings/agenda/{entry.id}/move", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "meeting": august.id, "reason": "推迟审议"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="agenda"')
    assert f'data-item="{world.iA.id}"' not in html
    # Add iAB to April's agenda; add a meeting the plans do not name.
    response = client.post(f"/meetings/{heard.id}/agenda", data={"csrf_token": token, "item": world.iAB.id,
                                                                 "reason": "主任会议决定增加"})
    assert response.status_code == 302
    assert db.session.scalar(select(AgendaEntry.meeting_id).where(AgendaEntry.item_id == world.iAB.id)) == heard.id
    response = client.post("/meetings/new", data={"csrf_token": token, "year": "2024", "month": "11"})
    assert response.status_code == 302
    assert [m["month"] for m in client.get("/api/meetings?year=2024").get_json()["meetings"]] == [4, 9, 11]
    # The dashboard's next meeting comes from the records: September's, with its date.
    next_meeting = client.get("/api/dashboard?year=2024").get_json()["next_meeting"]
    assert next_meeting == {"month": 9, "date": "2024-09-03", "items": [world.iA.id, world.iB.id]}  # plan order


def post_step(client, token, item, step, **form):
    return client.post(f"/items/{item.id}/followup/{step}", data={"csrf_token": token, **form})


def current_round(item) -> FollowUp:
    db.session.expire_all()
    return db.session.scalars(select(FollowUp).where(FollowUp.item_id == item.id).order_by(FollowUp.round)).all()[-1]


def test_the_follow_up_chain_through_every_step_and_its_refusals(app, client, world, heard):
    iA = world.iA
    # Who: a leader may not record (403), another body's staff does not see the item (404).
    assert post_step(client, sign_in(client, "leader"), iA, "opinions", sent_on="2024-05-06").status_code == 403
    assert post_step(client, sign_in(client, "staffB"), iA, "opinions", sent_on="2024-05-06").status_code == 404
    token = sign_in(client, "staffA")
    page = client.get(f"/items/{iA.id}").get_data(as_text=True)
    assert 'id="followup"' in page and "审议意见待交办" in page
    # Bad dates: 400 with the message, nothing written.
    for sent_on, message in (("2024-04-19", "日期不能早于会议日期（2024-04-20）"), ("2024-06-16", "日期不能晚于今天"),
                             ("06/05/2024", "日期格式应为"), ("", "请填写日期")):
        response = post_step(client, token, iA, "opinions", sent_on=sent_on)
        assert response.status_code == 400 and message in response.get_data(as_text=True), sent_on
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0
    # iB's August meeting has not been held: nothing to send yet (staffB).
    response = post_step(client, sign_in(client, "staffB"), world.iB, "opinions", sent_on="2024-05-06")
    assert response.status_code == 400 and "尚未在已举行的常委会会议上审议" in response.get_data(as_text=True)

    # 1. 审议意见 sent, with its document (through the item's documents): the report is due two months later.
    token = sign_in(client, "staffA")
    response = client.post(f"/items/{iA.id}/followup/opinions", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "sent_on": "2024-05-06", "file": (io.BytesIO(PDF), "审议意见.pdf")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="followup"')
    assert "研究处理情况报告应于2024-07-06前报送" in html
    first = current_round(iA)
    document = db.session.get(ItemDocument, first.opinions_document_id)
    assert (document.category, document.filename, first.report_due) == ("opinions", "审议意见.pdf", date(2024, 7, 6))
    assert post_step(client, token, iA, "opinions", sent_on="2024-05-07").status_code == 400  # once only
    # Owed: in the workspace row, the notices of iA's bodies and the follow-up list.
    assert "研究处理情况报告2024-07-06前报送" in client.get("/items?year=2024").get_data(as_text=True)
    assert "研究处理情况报告应于2024-07-06前报送" in client.get("/notices").get_data(as_text=True)
    sign_in(client, "staffB")
    assert "研究处理情况报告" not in client.get("/notices").get_data(as_text=True)

    # 2. The report received: a stale version is a conflict; a date before the opinions is refused.
    token = sign_in(client, "staffAB")
    assert post_step(client, token, iA, "report", received_on="2024-06-01", version=first.version + 5).status_code == 409
    response = post_step(client, token, iA, "report", received_on="2024-05-01", version=first.version)
    assert response.status_code == 400 and "日期不能早于审议意见交办日期" in response.get_data(as_text=True)
    assert post_step(client, token, iA, "report", received_on="2024-06-01", version=first.version).status_code == 302
    assert current_round(iA).report_received_on == date(2024, 6, 1)

    # 3. The vote: bad counts and no result refused; 不满意 opens 跟踪监督 with a report due again.
    version = current_round(iA).version
    response = post_step(client, token, iA, "vote", voted_on="2024-06-10", result="", satisfied="-1", version=version)
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "请选择测评结果" in text and "票数须为 0 到 1000 之间的整数" in text
    assert post_step(client, token, iA, "vote", voted_on="2024-06-10", result="unsatisfied", satisfied="10",
                     basically="8", unsatisfied="15", version=version).status_code == 302
    db.session.expire_all()
    rounds = db.session.scalars(select(FollowUp).where(FollowUp.item_id == iA.id).order_by(FollowUp.round)).all()
    assert [(r.round, r.kind, r.result) for r in rounds] == [(1, "hearing", "unsatisfied"), (2, "tracking", None)]
    assert (rounds[0].votes_satisfied, rounds[0].votes_basically, rounds[0].votes_unsatisfied) == (10, 8, 15)
    assert rounds[1].report_due == date(2024, 8, 10) and rounds[1].parent_id == rounds[0].id
    status = followup.item_status(db.session.get(WorkItem, iA.id), date(2024, 6, 15))
    assert (status.state, status.due, status.result) == ("report_due", date(2024, 8, 10), "unsatisfied")

    # Every step in the history and the audit trail.
    steps = db.session.scalars(select(ItemEvent.to_value).where(ItemEvent.item_id == iA.id, ItemEvent.kind == "followup")
                               .order_by(ItemEvent.id)).all()
    assert steps == ["opinions_sent", "report_received", "voted", "tracking"]
    audited = db.session.scalars(select(AuditEntry.operation).where(AuditEntry.object_type == "follow_up")).all()
    assert sorted(audited) == ["insert", "insert", "update", "update"]

    # Later, the tracking report is overdue: the list, the notices, the dashboard say so.
    app.config["PORTAL_TODAY"] = "2024-09-01"
    listed = client.get("/followups?year=2024&show=overdue").get_data(as_text=True)
    assert f'data-item="{iA.id}" data-state="report_overdue"' in listed
    assert "研究处理情况报告已逾期（应于2024-08-10前报送）" in client.get("/notices").get_data(as_text=True)
    sign_in(client, "leader")
    figures = client.get("/api/dashboard?year=2024").get_json()["followups"]
    assert figures == {"opinions_owed": 0, "report_due": 0, "report_overdue": 1, "overdue": [iA.id]}
    # 2.b The tracking report arrives: no earlier than the vote that asked for it.
    token = sign_in(client, "staffA")
    version = current_round(iA).version
    response = post_step(client, token, iA, "report", received_on="2024-06-09", version=version)
    assert response.status_code == 400 and "上一轮测评日期" in response.get_data(as_text=True)
    assert post_step(client, token, iA, "report", received_on="2024-08-20", version=version).status_code == 302
    db.session.expire_all()
    assert followup.item_status(db.session.get(WorkItem, iA.id), date(2024, 9, 1)).state == "report_received"


def test_report_interval_is_configurable_per_kind(app, world, heard):
    world.iA.work_kind = "law_inspection"
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    fu = followup.record_opinions(admin, world.iA, sent_on="2024-04-30", today=date(2024, 6, 15))
    assert fu.report_due == date(2024, 7, 30)  # three months for an inspection (the default config)
    db.session.rollback()
    app.config["FOLLOWUP_REPORT_MONTHS"] = {"default": 1}
    fu = followup.record_opinions(admin, world.iA, sent_on="2024-04-30", today=date(2024, 6, 15))
    assert fu.report_due == date(2024, 5, 30)
    assert followup.add_months(date(2024, 12, 31), 2) == date(2025, 2, 28)


def test_appraisal_keeps_each_person_and_their_result(client, world, heard):
    world.iA.work_kind = "appraisal"
    db.session.commit()
    token = sign_in(client, "staffA")
    response = post_step(client, token, world.iA, "persons", name="", result="bogus")
    assert response.status_code == 400 and "请填写姓名" in response.get_data(as_text=True)
    assert post_step(client, token, world.iA, "persons", name="李四", post="市交通运输局局长", result="basically_satisfied",
                     satisfied="20", basically="12", unsatisfied="3").status_code == 302
    page = client.get(f"/items/{world.iA.id}").get_data(as_text=True)
    assert "李四" in page and "市交通运输局局长" in page and "基本满意" in page
    world.iA.work_kind = "work_report"
    db.session.commit()
    response = post_step(client, token, world.iA, "persons", name="王五", result="satisfied")
    assert response.status_code == 400 and "只有述职测评事项登记测评对象" in response.get_data(as_text=True)


def test_agenda_is_open_to_readers_but_follow_ups_only_on_their_items(client, world, heard):
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    followup.record_opinions(admin, world.iA, sent_on="2024-05-06", today=date(2024, 6, 15))
    db.session.commit()
    sign_in(client, "staffB")
    page = client.get(f"/meetings/{heard.id}").get_data(as_text=True)
    assert "甲委员会的事项" in page  # the agenda is not secret inside the office
    assert "研究处理情况报告待报送" not in page  # but iA's follow-up is not staffB's to see
    assert "甲委员会的事项" not in client.get("/followups?year=2024").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/followups.csv?year=2024").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [rows[0]]  # the header only
    sign_in(client, "staffA")
    assert "研究处理情况报告待报送" in client.get(f"/meetings/{heard.id}").get_data(as_text=True)
    response = client.get("/followups.csv?year=2024")
    assert response.get_data()[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["会议", "计划", "计划编号", "事项"]
    assert [(r[3], r[5], r[6], r[10]) for r in rows[1:]] == [("甲委员会的事项", "2024-05-06", "2024-07-06", "研究处理情况报告待报送")]


def test_agenda_spreadsheets_cell_by_cell(client, world, heard):
    world.iB.title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    sign_in(client, "staffA")
    response = client.get("/meetings/agenda.xlsx?year=2024")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("会议", "会议日期", "序号", "计划", "计划编号", "议题", "责任单位", "会议状态")
    assert ws.freeze_panes == "A2"
    assert rows[1][1].date() == date(2024, 4, 20) and rows[1][2] == 1 and rows[1][5] == "甲委员会的事项"
    assert rows[1][6] == "甲委员会" and rows[1][7] == "已举行"
    assert rows[2][1] == "8月" and rows[2][5] == "'=HYPERLINK(\"http://evil\")"
    csv_rows = list(csv.reader(io.StringIO(client.get("/meetings/agenda.csv?year=2024").get_data(as_text=True)[1:])))
    assert csv_rows[1][:3] == ["", "2024-04-20", "1"] and csv_rows[2][5].startswith("'=")


def test_agenda_pages_take_a_constant_number_of_queries(app, client, world, heard):
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    followup.record_opinions(admin, world.iA, sent_on="2024-05-06", today=date(2024, 6, 15))
    db.session.commit()
    urls = ["/meetings?year=2024", f"/meetings/{heard.id}", "/api/meetings?year=2024", "/meetings/print?year=2024",
            "/followups?year=2024", "/meetings/agenda.csv?year=2024"]

    def counts():
        sign_in(client, "admin")
        return [count_queries(app, lambda u=u: client.get(u)) for u in urls]

    small = counts()
    plan = world.iA.plan
    for n in range(30):
        item = make_item(plan, 10 + n, f"事项{n}", [world.A, world.B], months=(4,), meeting_month=4 if n % 2 else 8)
        item.work_kind = "work_report"
    db.session.commit()
    sync_agenda(2024)
    for item in db.session.scalars(select(WorkItem).where(WorkItem.seq.between(10, 20), WorkItem.meeting_month == 4)):
        followup.record_opinions(admin, item, sent_on="2024-05-06", today=date(2024, 6, 15))
    db.session.commit()
    assert len(agenda_by_meeting(2024)[0][1]) > 15
    assert counts() == small


def test_a_held_meetings_attending_deputies_each_find_a_record_to_confirm(client, world):
    from portal.models import DutyRecord
    from tests.deputy_world import add_roll

    roll = add_roll(world)
    sync_agenda(2024)
    april = db.session.scalar(select(Meeting).where(Meeting.year == 2024, Meeting.month == 4))
    db.session.commit()
    url = f"/meetings/{april.id}/attendance"
    token = sign_in(client, "depaff")
    # Not before the meeting is held.
    response = client.post(url, data={"csrf_token": token, "deputies": "D0001"}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and "会议举行后" in response.get_data(as_text=True)
    april.state, april.held_on, april.place = "held", date(2024, 4, 26), "市人大常委会第一会议室"
    db.session.commit()
    # An unknown number is named and nothing is stored; what was typed stays.
    response = client.post(url, data={"csrf_token": token, "deputies": "D0001，D9999"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "D9999" in html and "D0001，D9999" in html
    assert db.session.scalar(select(func.count()).select_from(DutyRecord).where(DutyRecord.kind == "attend_meeting")) == 0
    # By number and by name; a second post of the same deputies adds nothing.
    response = client.post(url, data={"csrf_token": token, "deputies": "D0001\n李代表"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "已登记 2 位列席代表" in response.get_data(as_text=True)
    again = client.post(url, data={"csrf_token": token, "deputies": "D0001"}, headers={"HX-Request": "true"})
    assert "已登记 0 位列席代表" in again.get_data(as_text=True)
    records = db.session.scalars(select(DutyRecord).where(DutyRecord.kind == "attend_meeting")
                                 .order_by(DutyRecord.deputy_id)).all()
    assert [(r.deputy_id, r.date, r.state, r.source) for r in records] == [
        (roll["dep1"], date(2024, 4, 26), "draft", "meeting"), (roll["dep2"], date(2024, 4, 26), "draft", "meeting")]
    assert records[0].place == "市人大常委会第一会议室" and "4月常委会会议" in records[0].content or "列席" in records[0].content
    # The deputy finds it waiting; the meeting page lists the attendees for its readers, without mobiles.
    sign_in(client, "deputy1")
    assert "列席" in client.get("/duty-records/mine").get_data(as_text=True)
    sign_in(client, "staffA")
    page = client.get(f"/meetings/{april.id}").get_data(as_text=True)
    assert "张代表" in page and "李代表" in page and "13800000001" not in page and 'id="attendance-deputies"' not in page
    # Staff cannot record attendance; deputies reach no meeting.
    token = sign_in(client, "staffA")
    assert client.post(url, data={"csrf_token": token, "deputies": "D0001"}).status_code == 403
