"""Deputies: the roll (import, export, CLI), duty records, review, targets, archive, participants, privacy."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, func, select

from portal.deputies.records import figures, prefill_duty_records
from portal.deputies.roll import RollInvalid, import_roll, parse_roll
from portal.extensions import db
from portal.models import AuditEntry, Deputy, DeputyGroup, DutyRecord, LiaisonStation, User
from portal.uow import saving
from tests.conftest import sign_in
from tests.deputy_world import add_roll

HEADER = "代表编号,姓名,性别,层级,代表小组,联络站,原选举单位或选区,界别,职业,基层一线,手机,届次"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode("utf-8")


GOOD = [
    "D1001,王一,男,市,第一小组,城关站,华龙区第1选区,工人,工人,是,13800000011,第十届",
    "D1002,王二,女,市、县(区),第一小组,城关站,华龙区第2选区,农民,农民,否,,第十届",
    "D1003,王三,男,乡(镇),第二小组,柳屯站,清丰县第5选区,教育,教师,是,13800000013,第十届",
]


def roll_import(data: bytes, name: str = "roll.csv"):
    with saving():
        return import_roll(parse_roll(data, name))


# --- import -------------------------------------------------------------------------------------

def test_import_adds_deputies_groups_stations_and_accounts(app):
    report = roll_import(csv_bytes(*GOOD))
    assert (report.added, report.updated, len(report.accounts)) == (3, 0, 3)
    d2 = db.session.scalar(select(Deputy).where(Deputy.number == "D1002"))
    assert d2.levels == ["municipal", "county"] and d2.group.name == "第一小组" and d2.station.name == "城关站"
    user = db.session.get(User, d2.user_id)
    assert user.username == "D1002" and user.role == "deputy" and user.must_change_password
    number, name, password = next(a for a in report.accounts if a[0] == "D1002")
    assert user.check_password(password) and len(password) >= 16
    assert db.session.scalar(select(func.count()).select_from(DeputyGroup)) == 2
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "deputy")).after == {"added": 3, "updated": 0}


def test_reimport_updates_by_number_and_never_duplicates(app):
    roll_import(csv_bytes(*GOOD))
    hashes = dict(db.session.execute(select(User.username, User.password_hash)).all())
    changed = GOOD[0].replace("王一", "王壹").replace("第一小组", "第三小组")
    report = roll_import(csv_bytes(changed, *GOOD[1:], "D1004,赵四,男,县(区),第二小组,柳屯站,,,,否,,第十届"))
    assert (report.added, report.updated) == (1, 3)
    assert db.session.scalar(select(func.count()).select_from(Deputy)) == 4
    assert db.session.scalar(select(func.count()).select_from(User)) == 4
    db.session.expire_all()
    d1 = db.session.scalar(select(Deputy).where(Deputy.number == "D1001"))
    assert d1.name == "王壹" and d1.group.name == "第三小组"
    assert dict(db.session.execute(select(User.username, User.password_hash)).all())["D1001"] == hashes["D1001"]


def test_bad_rows_are_all_reported_and_nothing_is_stored(app):
    rows = [GOOD[0], ",无编号,男,市,,,,,,是,,", "D1001,重复,男,市,,,,,,是,,", "D1005,坏层级,男,村,,,,,,也许,123,"]
    with pytest.raises(RollInvalid) as caught:
        parse_roll(csv_bytes(*rows), "roll.csv")
    lines = caught.value.lines()
    assert [line.split("：")[0] for line in lines] == ["第3行", "第4行", "第5行"]
    assert "代表编号为空" in lines[0] and "与第2行重复" in lines[1]
    assert "层级" in lines[2] and "基层一线" in lines[2] and "手机" in lines[2]
    assert db.session.scalar(select(func.count()).select_from(Deputy)) == 0


def test_missing_column_and_extra_columns(app):
    with pytest.raises(RollInvalid) as caught:
        parse_roll(csv_bytes("D1,甲", header="代表编号,姓名"), "roll.csv")
    assert "缺少列" in caught.value.lines()[0] and "层级" in caught.value.lines()[0]
    report = roll_import(csv_bytes(GOOD[0] + ",备注内容", header=HEADER + ",备注"))
    assert report.added == 1


def test_export_round_trips_through_xlsx(app, client):
    add_roll_world = roll_import(csv_bytes(*GOOD))
    assert add_roll_world.added == 3
    admin = User(username="depaff", role="deputy_affairs", password_hash="")
    db.session.add(admin)
    db.session.commit()
    sign_in(client, admin)
    response = client.get("/deputies/export.xlsx")
    ws = load_workbook(io.BytesIO(response.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER.split(",") and rows[2][3] == "市、县(区)"
    report = roll_import(response.data, "roll.xlsx")
    assert (report.added, report.updated) == (0, 3)
    template = load_workbook(io.BytesIO(client.get("/deputies/template.xlsx").data)).active
    assert [c.value for c in template[1]] == HEADER.split(",")


def test_web_import_shows_every_bad_row_and_keeps_nothing(app, world, client):
    token = sign_in(client, world.users["depaff"])
    bad = csv_bytes(GOOD[0], "D9,,男,市,,,,,,是,,")
    response = client.post("/deputies/import", data={"csrf_token": token, "file": (io.BytesIO(bad), "roll.csv")})
    assert response.status_code == 400 and "第3行：姓名为空" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Deputy)) == 0
    response = client.post("/deputies/import", data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(*GOOD)), "roll.csv")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "新增 3 位" in html and html.count('class="password"') == 3


def test_cli_import_and_export(app, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(GOOD[0], "D9,,男,市,,,,,,是,,"))
    result = runner.invoke(args=["deputies", "import", str(bad)])
    assert result.exit_code != 0 and "row 3: " in result.stderr
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(*GOOD))
    passwords = tmp_path / "pw.csv"
    result = runner.invoke(args=["deputies", "import", str(good), "--passwords", str(passwords)])
    assert result.exit_code == 0 and "added 3, updated 0" in result.output
    assert passwords.read_text(encoding="utf-8").count("\n") == 4
    assert "added 0, updated 3" in runner.invoke(args=["deputies", "import", str(good)]).output
    out = tmp_path / "out.csv"
    assert runner.invoke(args=["deputies", "export", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[0] == HEADER


def test_demo_roll_is_deterministic_and_realistic(app):
    from portal.deputies.demo import build_roll

    with saving():
        made = build_roll(400, 7, records_per_deputy=4)
    assert made["groups"] == 16 and made["stations"] == 5 and made["records"] > 1000
    names = list(db.session.scalars(select(Deputy.name).order_by(Deputy.number).limit(5)))
    masks = list(db.session.scalars(select(Deputy.level_mask)))
    assert sum(1 for m in masks if m & 16) > sum(1 for m in masks if m & 8) > sum(1 for m in masks if m & 4)
    assert all(2 <= len(n) <= 3 for n in names)
    db.session.execute(DutyRecord.__table__.delete())
    db.session.execute(Deputy.__table__.delete())
    db.session.execute(DeputyGroup.__table__.delete())
    db.session.execute(LiaisonStation.__table__.delete())
    with saving():
        build_roll(400, 7, records_per_deputy=4)
    assert list(db.session.scalars(select(Deputy.name).order_by(Deputy.number).limit(5))) == names


# --- duty records -----------------------------------------------------------------------------

@pytest.fixture
def roll(world):
    return add_roll(world)


def post_record(client, token, headers=None, **fields):
    data = {"csrf_token": token, "date": "2024-05-10", "kind": "group_activity", "place": "城关镇联络站",
            "content": "参加小组活动，讨论农村人居环境"} | fields
    return client.post("/duty-records", data=data, headers=headers or {})


def test_deputy_records_own_duty(client, world, roll):
    token = sign_in(client, world.users["deputy1"])
    response = post_record(client, token, deputy_id=roll["dep2"], state="confirmed")
    assert response.status_code == 302
    record = db.session.scalar(select(DutyRecord).order_by(DutyRecord.id.desc()))
    assert record.deputy_id == roll["dep1"] and record.state == "submitted" and record.created_by_id == world.users["deputy1"].id
    page = client.get("/duty-records/mine").get_data(as_text=True)
    assert "讨论农村人居环境" in page and "接待群众" not in page  # deputy2's record never shows


@pytest.mark.parametrize("fields, field", [
    ({"date": "2024-06-16"}, "不能晚于今天"), ({"date": "2021-12-31"}, "早于本届任期"), ({"date": "5月"}, "请填写日期"),
    ({"kind": "party"}, "请选择履职类型"), ({"place": " "}, "请填写地点"), ({"content": ""}, "请填写履职内容"),
    ({"content": "长" * 2001}, "不能超过"), ({"item_id": "999999"}, "不可选"),
])
def test_bad_record_is_refused_in_place(client, world, roll, fields, field):
    token = sign_in(client, world.users["deputy1"])
    before = db.session.scalar(select(func.count()).select_from(DutyRecord))
    response = post_record(client, token, **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and field in html
    assert ("城关镇联络站" in html) != ("place" in fields)  # what was typed comes back
    assert db.session.scalar(select(func.count()).select_from(DutyRecord)) == before


def test_htmx_post_answers_the_new_records_fragment(client, world, roll):
    token = sign_in(client, world.users["deputy1"])
    response = post_record(client, token, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="duty-card state-submitted"' in html and "<html" not in html


def test_item_search_only_offers_items_a_deputy_may_name(client, world, roll):
    world.iA.work_kind = "law_inspection"
    db.session.commit()
    token = sign_in(client, world.users["deputy1"])
    html = client.get("/duty-records/items?item_q=事项", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert world.iA.title in html and world.iB.title not in html
    assert post_record(client, token, item_id=str(world.iB.id)).status_code == 400
    assert post_record(client, token, item_id=str(world.iA.id)).status_code == 302
    assert db.session.scalar(select(DutyRecord.item_id).order_by(DutyRecord.id.desc())) == world.iA.id


def test_photo_is_checked_by_content(client, world, roll):
    token = sign_in(client, world.users["deputy1"])
    fake = post_record(client, token, file=(io.BytesIO(b"MZ not an image"), "photo.png"))
    assert fake.status_code == 400
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    assert post_record(client, token, file=(io.BytesIO(png), "现场.png")).status_code == 302
    record = db.session.scalar(select(DutyRecord).order_by(DutyRecord.id.desc()))
    assert record.attachment_name == "现场.png"
    assert client.get(f"/duty-records/{record.id}/attachment").data == png
    sign_in(client, world.users["deputy2"])
    assert client.get(f"/duty-records/{record.id}/attachment").status_code == 404


def test_deputy_isolation_and_confirmed_records_are_frozen(client, world, roll):
    token = sign_in(client, world.users["deputy1"])
    assert client.get(f"/duty-records/{roll['rec2']}/edit").status_code == 404
    assert client.post(f"/duty-records/{roll['rec2']}", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/duty-records/{roll['rec1']}/confirm", data={"csrf_token": token}).status_code == 403
    db.session.get(DutyRecord, roll["rec1"]).state = "confirmed"
    db.session.commit()
    assert client.get(f"/duty-records/{roll['rec1']}/edit").status_code == 403
    response = client.post(f"/duty-records/{roll['rec1']}", data={"csrf_token": token, "date": "2024-05-01",
                                                                  "kind": "other", "place": "x", "content": "y"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(DutyRecord, roll["rec1"]).kind == "group_activity"
    for role in ("staffA", "staffB"):
        sign_in(client, world.users[role])
        for url in ("/duty-records/review", f"/deputies/{roll['dep1']}", "/api/duty-records?year=2024",
                    f"/deputies/{roll['dep1']}/archive"):
            assert client.get(url).status_code == 403, (role, url)
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 403


def test_review_confirm_return_resubmit_audited(client, world, roll):
    token = sign_in(client, world.users["depaff"])
    response = client.post(f"/duty-records/{roll['rec1']}/confirm", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="review-' in response.get_data(as_text=True) and "<html" not in response.get_data(as_text=True)
    again = client.post(f"/duty-records/{roll['rec1']}/confirm", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert again.status_code == 409
    empty = client.post(f"/duty-records/{roll['rec2']}/return", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 400 and "退回时请写明原因" in empty.get_data(as_text=True)
    assert client.post(f"/duty-records/{roll['rec2']}/return",
                       data={"csrf_token": token, "reason": "请补充接待人数"}).status_code == 302
    db.session.expire_all()
    rec2 = db.session.get(DutyRecord, roll["rec2"])
    assert rec2.state == "returned" and rec2.reviewed_by_id == world.users["depaff"].id
    token2 = sign_in(client, world.users["deputy2"])
    assert "请补充接待人数" in client.get("/duty-records/mine").get_data(as_text=True)
    response = client.post(f"/duty-records/{rec2.id}", data={"csrf_token": token2, "date": "2024-04-05",
                                                             "kind": "station_reception", "place": "联络站",
                                                             "content": "接待群众12人次"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DutyRecord, rec2.id).state == "submitted"
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "duty_record",
                                                         AuditEntry.object_id == str(rec2.id),
                                                         AuditEntry.operation == "update")).all()
    assert [a.after.get("state") for a in audits] == ["returned", "submitted"]


def test_bulk_review(client, world, roll):
    token = sign_in(client, world.users["depaff"])
    no_reason = client.post("/duty-records/review/bulk", data={"csrf_token": token, "action": "return",
                                                              "records": [roll["rec1"], roll["rec2"]]})
    assert no_reason.status_code == 400
    response = client.post("/duty-records/review/bulk", data={"csrf_token": token, "action": "confirm",
                                                             "records": [roll["rec1"], roll["rec2"]]})
    assert response.status_code == 302
    assert set(db.session.scalars(select(DutyRecord.state))) == {"confirmed"}


def test_api_scopes(client, world, roll):
    with saving():
        prefill_duty_records([db.session.get(Deputy, roll["dep1"])], "attend_meeting", date(2024, 4, 25), "会议室", "列席")
    sign_in(client, world.users["deputy1"])
    mine = client.get("/api/duty-records?year=2024").get_json()
    assert mine["total"] == 1 and mine["records"][0] == {
        "id": roll["rec1"], "deputy_number": "D0001", "deputy": "张代表", "date": "2024-03-05", "kind": "group_activity",
        "place": "联络站", "content": "小组活动", "item_id": None, "state": "submitted"}
    for role in ("depaff", "leader", "admin"):
        sign_in(client, world.users[role])
        body = client.get("/api/duty-records?year=2024&per_page=1&page=2").get_json()
        assert body["total"] == 2 and len(body["records"]) == 1
    assert client.get("/api/duty-records?year=2023").get_json()["total"] == 0
    sign_in(client, world.users["staffA"])
    assert client.get("/api/duty-records?year=2024").status_code == 403


# --- privacy ------------------------------------------------------------------------------------

def test_personal_data_only_for_deputy_affairs(client, world, roll):
    sign_in(client, world.users["depaff"])
    assert "13800000001" in client.get("/deputies").get_data(as_text=True)
    assert "华龙区第3选区" in client.get(f"/deputies/{roll['dep1']}").get_data(as_text=True)
    sign_in(client, world.users["leader"])
    for url in ("/deputies", f"/deputies/{roll['dep1']}"):
        html = client.get(url).get_data(as_text=True)
        assert "张代表" in html and "13800000001" not in html and "华龙区第3选区" not in html
    assert "<td>小组活动</td>" not in client.get(f"/deputies/{roll['dep1']}").get_data(as_text=True)  # no records for leaders
    sign_in(client, world.users["staffA"])
    html = client.get("/deputies/pick?q=张", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "张代表" in html and "华龙区第一代表小组" in html and "1380000" not in html and "选区" not in html


# --- participants (nobody types twice) --------------------------------------------------------

def test_participants_become_drafts_the_deputy_confirms(client, world, roll):
    token = sign_in(client, world.users["staffA"])
    data = {"csrf_token": token, "kind": "law_inspection", "date": "2024-05-20", "place": "濮阳县",
            "content": "黄河保护法执法检查", "deputies": [roll["dep1"], roll["dep2"]]}
    assert client.post(f"/items/{world.iA.id}/participants", data=data).status_code == 302
    assert client.post(f"/items/{world.iA.id}/participants", data=data).status_code == 302  # twice: no duplicates
    drafts = db.session.scalars(select(DutyRecord).where(DutyRecord.state == "draft")).all()
    assert len(drafts) == 2 and {d.item_id for d in drafts} == {world.iA.id}
    assert client.post(f"/items/{world.iA.id}/participants", data=data | {"deputies": []}).status_code == 400
    data["csrf_token"] = sign_in(client, world.users["staffB"])
    assert client.post(f"/items/{world.iA.id}/participants", data=data).status_code == 404
    token = sign_in(client, world.users["deputy1"])
    draft = next(d for d in drafts if d.deputy_id == roll["dep1"])
    assert "黄河保护法执法检查" in client.get("/duty-records/mine").get_data(as_text=True)
    form = client.get(f"/duty-records/{draft.id}/edit").get_data(as_text=True)
    assert "黄河保护法执法检查" in form and "濮阳县" in form
    assert world.iA.title in form  # the item it came with, though not one a deputy could name
    response = client.post(f"/duty-records/{draft.id}", data={"csrf_token": token, "date": "2024-05-20",
                                                              "kind": "law_inspection", "place": "濮阳县",
                                                              "content": "黄河保护法执法检查", "item_id": str(world.iA.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DutyRecord, draft.id).state == "submitted"
    assert db.session.get(DutyRecord, draft.id).item_id == world.iA.id


def test_prefill_for_meetings(app, world, roll):
    deputies = db.session.scalars(select(Deputy)).all()
    with saving():
        made = prefill_duty_records(deputies, "attend_meeting", date(2024, 4, 25), "常委会会议室", "列席第十次会议",
                                    source="meeting")
        again = prefill_duty_records(deputies, "attend_meeting", date(2024, 4, 25), "常委会会议室", "列席第十次会议",
                                     source="meeting")
    assert len(made) == 2 and again == [] and {r.source for r in made} == {"meeting"}


# --- targets and archive ------------------------------------------------------------------------

def confirmed(deputy_id, kind, day):
    db.session.add(DutyRecord(deputy_id=deputy_id, date=day, kind=kind, place="p", content="c", state="confirmed"))


def test_targets_count_confirmed_records(client, world, roll):
    confirmed(roll["dep1"], "group_activity", date(2024, 2, 1))
    confirmed(roll["dep1"], "group_activity", date(2024, 3, 1))
    confirmed(roll["dep1"], "group_activity", date(2023, 3, 1))  # last year: not this year's target
    confirmed(roll["dep2"], "report_to_voters", date(2023, 3, 1))  # this term
    db.session.commit()
    figs = {f.deputy_id: f for f in figures(2024)}
    d1, d2 = figs[roll["dep1"]], figs[roll["dep2"]]
    assert d1.counts == {"group_activity": 2, "attend_meeting": 0, "report_to_voters": 0}
    assert not d1.short("group_activity") and d1.short("attend_meeting") and d1.short("report_to_voters")
    assert d2.short("group_activity") and not d2.short("attend_meeting") and not d2.short("report_to_voters")
    sign_in(client, world.users["depaff"])
    html = client.get("/duty-records/targets?year=2024").get_data(as_text=True)
    assert "华龙区第一代表小组" in html and "targets/short" in html
    html = client.get("/duty-records/targets/short?year=2024&by=group&key=all&target=group_activity").get_data(as_text=True)
    assert "李代表" in html and "张代表" not in html
    level = client.get("/duty-records/targets?year=2024&by=level").get_data(as_text=True)
    assert "县(区)" in level
    book = load_workbook(io.BytesIO(client.get("/duty-records/targets.xlsx?year=2024").data))
    assert len(book.worksheets) == 3 and book.worksheets[0]["A2"].value == "华龙区第一代表小组"
    sign_in(client, world.users["leader"])
    html = client.get("/duty-records/targets?year=2024").get_data(as_text=True)
    assert "targets/short" not in html  # leaders see the aggregates, not the names behind them
    assert client.get("/duty-records/targets/short?year=2024&by=group&key=all&target=group_activity").status_code == 403


def test_group_archive_one_deputy_per_page(client, world, roll):
    confirmed(roll["dep1"], "group_activity", date(2024, 2, 1))
    db.session.commit()
    sign_in(client, world.users["depaff"])
    html = client.get(f"/deputies/groups/{roll['grp']}/archive?year=2024").get_data(as_text=True)
    assert html.count('<section class="archive') == 2 and html.count("page-break") == 1
    assert "张代表" in html and "李代表" in html
    sign_in(client, world.users["deputy2"])
    mine = client.get("/duty-records/archive?year=2024").get_data(as_text=True)
    assert "李代表" in mine and "张代表" not in mine


# --- query counts ----------------------------------------------------------------------------------

def count_queries(fn) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = fn()
        assert response.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def grow(roll, n: int):
    from portal.deputies.demo import build_roll

    with saving():
        build_roll(n, n, records_per_deputy=3, year=2024, prefix=f"X{n}-")
        db.session.execute(Deputy.__table__.update().where(Deputy.number.like(f"X{n}-%")).values(group_id=roll["grp"],
                                                                                                 station_id=roll["stn"]))
        db.session.execute(DutyRecord.__table__.update().values(state="submitted").where(DutyRecord.id % 2 == 0))


def test_query_counts_do_not_grow(client, world, roll):
    sign_in(client, world.users["depaff"])
    urls = ["/duty-records/review", "/duty-records/targets?year=2024", "/duty-records/targets?by=level&year=2024",
            f"/deputies/groups/{roll['grp']}/archive?year=2024", "/deputies", "/api/duty-records?year=2024"]
    grow(roll, 10)
    small = [count_queries(lambda: client.get(u)) for u in urls]
    grow(roll, 60)
    large = [count_queries(lambda: client.get(u)) for u in urls]
    assert small == large


# --- English -------------------------------------------------------------------------------------

@pytest.mark.parametrize("user, url", [
    ("depaff", "/deputies"), ("depaff", "/deputies/{dep1}"), ("depaff", "/deputies/groups"), ("depaff", "/deputies/stations"),
    ("depaff", "/deputies/import"), ("depaff", "/duty-records/review"), ("depaff", "/duty-records/targets?by=level"),
    ("depaff", "/duty-records/targets/short?target=group_activity&by=group&key=all"),
    ("depaff", "/deputies/groups/{grp}/archive"), ("deputy1", "/duty-records/mine"), ("deputy1", "/duty-records/new"),
    ("deputy1", "/duty-records/{rec1}/edit"), ("staffA", "/items/{iA}/participants"),
])
def test_deputy_pages_in_english(app, client, world, roll, user, url):
    from tests.test_i18n import chinese_left, to_english

    to_english(client)
    sign_in(client, world.users[user])
    with saving():
        db.session.get(User, world.users[user].id).locale = "en"
    html = client.get(url.format(iA=world.iA.id, **roll)).get_data(as_text=True)
    assert 'lang="en"' in html
    data = {app.config["ORGANISATION_NAME"]}  # the organisation is data (config), not interface
    for d in db.session.scalars(select(Deputy)):
        data |= {d.name, d.number, d.constituency, d.sector, d.occupation, d.term, d.level_text}
    for model in (DeputyGroup, LiaisonStation):
        for row in db.session.scalars(select(model)):
            data |= {row.name, getattr(row, "township", ""), getattr(row, "address", "")}
    for r in db.session.scalars(select(DutyRecord)):
        data |= {r.place, r.content}
    for s in sorted(filter(None, data), key=len, reverse=True):
        html = html.replace(s, " ")
    left = [c for c in chinese_left(app, html) if c not in ("男", "女", "、")]
    assert left == []


def test_groups_and_stations_are_managed_on_their_own_screens(client, world, roll):
    token = sign_in(client, world.users["depaff"])
    response = client.post("/deputies/groups/new", data={"csrf_token": token, "name": "教育界代表小组", "kind": "sector",
                                                          "leader_number": "D0002", "station": "城关镇代表联络站"})
    assert response.status_code == 302
    group = db.session.scalar(select(DeputyGroup).where(DeputyGroup.name == "教育界代表小组"))
    assert group.kind == "sector" and group.leader_number == "D0002" and group.station_id == roll["stn"]
    bad = client.post(f"/deputies/groups/{group.id}", data={"csrf_token": token, "name": "华龙区第一代表小组", "kind": "x",
                                                           "leader_number": "D9999", "station": "不存在的站"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "已有同名的代表小组" in html and "D9999" in html and "不存在的站" in html
    db.session.expire_all()
    assert db.session.get(DeputyGroup, group.id).name == "教育界代表小组"
    assert client.post("/deputies/stations/new", data={"csrf_token": token, "name": "柳屯镇代表联络站",
                                                      "township": "柳屯镇", "address": "镇政府院内"}).status_code == 302
    assert "柳屯镇代表联络站" in client.get("/deputies/stations").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type.in_(("deputy_group", "liaison_station")))) == 2 + 2  # the fixture's two, these two


def test_pick_keeps_the_deputies_ticked_so_far(client, world, roll):
    sign_in(client, world.users["staffA"])
    html = client.get(f"/deputies/pick?q=李&deputies={roll['dep1']}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert re.search(rf'value="{roll["dep1"]}"[^>]*checked', html) and "李代表" in html
    page = client.get(f"/items/{world.iA.id}/participants?q=张").get_data(as_text=True)  # the search without JavaScript
    assert f'value="{roll["dep1"]}"' in page and "李代表" not in page


def test_imported_deputy_signs_in_and_must_change_the_password_first(app, client):
    from tests.conftest import login

    report = roll_import(csv_bytes(*GOOD))
    number, _name, password = report.accounts[0]
    response = login(client, number, password)
    assert response.status_code == 302
    follow = client.get("/duty-records/mine")
    assert follow.status_code == 302 and "/account/password" in follow.headers["Location"]


def test_a_queue_past_the_count_cap_says_more_than(client, world, roll, monkeypatch):
    # Counting stops at COUNT_CAP (10,000 in production): two submitted records past a cap of one.
    monkeypatch.setattr("portal.deputies.pages.COUNT_CAP", 1)
    sign_in(client, world.users["depaff"])
    html = client.get("/duty-records/review").get_data(as_text=True)
    assert "共超过 1 条，请用筛选缩小范围" in html and "共 2 条" not in html
    monkeypatch.setattr("portal.deputies.pages.COUNT_CAP", 2)
    html = client.get("/duty-records/review", headers={"Cache-Control": "no-cache"}).get_data(as_text=True)
    assert "共 2 条" in html and "共超过" not in html


def test_a_records_item_joins_without_brackets():
    # A record loads its item, and the item its plan and section. Bracketed, "LEFT JOIN (work_item JOIN
    # section JOIN plan)", SQLite joins every item of every year before it picks the record's: a record
    # submission took about 40 ms at 1× and 120 ms at 10× data (in process), 9 ms at both once unbracketed.
    statement = str(select(DutyRecord).where(DutyRecord.id == 1))
    assert "LEFT OUTER JOIN work_item" in statement and "JOIN (work_item" not in statement


def test_the_target_report_orders_numbered_groups_by_number():
    from portal.deputies.report_views import natural_key

    names = ["华龙区第10代表小组", "企业界代表小组", "华龙区第9代表小组", "华龙区第100代表小组"]
    assert sorted(names, key=natural_key) == ["企业界代表小组", "华龙区第9代表小组", "华龙区第10代表小组", "华龙区第100代表小组"]
