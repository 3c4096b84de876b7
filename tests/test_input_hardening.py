"""Input that never breaks a page (issue 13): each case gets a clear message and writes nothing.

The cases found by trying the portal as an attacker would; tests/test_fuzz_inputs.py throws random
input at the same places. Both run on SQLite and on PostgreSQL (where NUL and range errors came from).
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ItemEvent, User, WorkItem
from portal.plans.importer import PlanFormatError, parse_plan
from portal.textclean import clean_text
from tests.conftest import csrf_token, sign_in


def events(item_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ItemEvent).where(ItemEvent.item_id == item_id))


# --- NUL ----------------------------------------------------------------------------------------------------

def test_nul_in_the_sign_in_username_is_a_clear_400(client, world):
    response = client.post("/login", data={"username": "staffA\x00", "password": "x", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/items?q=a%00b", "/api/items?year=2024%00", "/items/%00"])
def test_nul_in_a_query_or_path_is_refused(client, world, url):
    sign_in(client, "staffA")
    assert client.get(url).status_code in (400, 404)


def test_nul_in_a_note_writes_nothing(client, world):
    token = sign_in(client, "staffA")
    item = world.iA
    before = events(item.id)
    response = client.post(f"/items/{item.id}/notes", data={"note": "进展\x00顺利", "csrf_token": token})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert events(item.id) == before


# --- numbers beyond the column's range ---------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/items/99999999999", "/items/2147483648", "/items/9223372036854775808",
                                 "/admin/users/99999999999", "/instructions/99999999999/answer"])
def test_ids_out_of_range_in_a_path_are_404(client, world, url):
    sign_in(client, "admin")
    assert client.get(url).status_code in (404, 405)


@pytest.mark.parametrize("year", ["99999999999", "9223372036854775808", "-1", "²", "２０２４"])
def test_api_year_out_of_range_is_400(client, world, year):
    sign_in(client, "staffA")
    assert client.get("/api/items", query_string={"year": year}).status_code == 400


@pytest.mark.parametrize("field,value", [("version", "99999999999"), ("month", "9223372036854775808"),
                                         ("year", "99999999999")])
def test_numbers_out_of_range_in_the_status_form_are_400(client, world, field, value):
    token = sign_in(client, "staffA")
    item = world.iA
    data = {"status": "postponed", "version": "1", "note": "推迟", "month": "9", field: value, "csrf_token": token}
    response = client.post(f"/items/{item.id}/status", data=data)
    assert response.status_code in (400, 409)
    db.session.expire_all()
    assert db.session.get(WorkItem, item.id).status == "not_started" and events(item.id) == 0


def test_a_posted_id_out_of_range_is_ignored(client, world):
    token = sign_in(client, "admin")
    response = client.post(f"/items/{world.iA.id}/assign", data={
        "title": world.iA.title, "lead": ["99999999999", str(world.A.id)], "due_year": "99999999999", "due_month": "4",
        "version": "99999999999", "csrf_token": token})
    assert response.status_code < 500


# --- text longer than its column -------------------------------------------------------------------------------

def test_a_section_heading_over_300_characters_is_the_importers_clear_error():
    text = ("2024年度监督工作计划\n一、" + "听取审议" * 80 + "\n"
            "1. 听取审议市政府关于甲工作情况的报告。拟安排在4月份举行的常委会会议上进行。\n"
            "2. 听取审议市政府关于乙工作情况的报告。拟安排在6月份举行的常委会会议上进行。\n")
    with pytest.raises(PlanFormatError, match="部分标题超过 300 个字"):
        parse_plan(text)


def test_a_long_heading_in_the_web_import_stores_nothing(client, world):
    import io

    token = sign_in(client, "admin")
    text = ("2025年度监督工作计划\n一、" + "审" * 301 + "\n"
            "1. 听取审议市政府关于甲工作情况的报告。拟安排在4月份举行的常委会会议上进行。\n"
            "2. 听取审议市政府关于乙工作情况的报告。拟安排在6月份举行的常委会会议上进行。\n")
    before = db.session.scalar(select(func.count()).select_from(WorkItem))
    response = client.post("/plans/import", data={"file": (io.BytesIO(text.encode()), "plan.txt"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "超过 300 个字" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(WorkItem)) == before


def test_an_overlong_display_name_is_a_field_message(client, world):
    token = sign_in(client, "admin")
    response = client.post("/admin/users/new", data={"username": "longname", "display_name": "名" * 81,
                                                      "role": "leader", "csrf_token": token})
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.username == "longname")) is None


# --- CR/LF in next= -----------------------------------------------------------------------------------------------

def test_crlf_in_next_at_sign_in_goes_home(client, world):
    token = csrf_token(client)
    response = client.post("/login?next=/items%0D%0ASet-Cookie:%20x=1",
                           data={"username": "staffA", "password": "correct horse battery staple", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_crlf_in_next_at_the_language_switch_goes_home(client, world):
    token = sign_in(client, "staffA")
    response = client.post("/language", data={"lang": "en", "next": "/items\r\nX-Evil: 1", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "X-Evil" not in str(response.headers)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil", "/items\x7f", "/ok\tx"])
def test_unsafe_next_targets_go_home(app, target):
    from portal.redirects import safe_next

    with app.test_request_context():
        assert safe_next(target) == "/"
        assert safe_next("/items?status=done#item-3") == "/items?status=done#item-3"


# --- invisible and bidi characters -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["\u200b", "\ufeff", "\u200b\u200c\u200d\ufeff", " \u2060 ", "\u3000\u200b"])
def test_invisible_only_text_is_empty(value):
    assert clean_text(value) == ""


def test_bidi_overrides_are_removed_and_text_kept():
    assert clean_text("进展\u202e成完已\u202c，下周汇报") == "进展成完已，下周汇报"
    assert clean_text("\u3000\u3000首行缩进\n第二行") == "\u3000\u3000首行缩进\n第二行"


def test_a_note_of_zero_width_spaces_is_refused_as_empty(client, world):
    token = sign_in(client, "staffA")
    item = world.iA
    response = client.post(f"/items/{item.id}/notes", data={"note": "\u200b\u200b\ufeff", "csrf_token": token})
    assert response.status_code == 400
    assert events(item.id) == 0


def test_a_bidi_override_is_not_stored_in_a_note(client, world):
    token = sign_in(client, "staffA")
    item = world.iA
    response = client.post(f"/items/{item.id}/notes", data={"note": "已\u202e完成\u202c", "csrf_token": token})
    assert response.status_code in (200, 302)
    stored = db.session.scalars(select(ItemEvent).where(ItemEvent.item_id == item.id)).all()
    assert stored and all("\u202e" not in (e.note or "") for e in stored)
    assert any((e.note or "") == "已完成" for e in stored)


def test_passwords_are_not_cleaned(client, world):
    """A password reaches the check exactly as typed: a zero-width space in it is part of it."""
    token = csrf_token(client)
    response = client.post("/login", data={"username": "staffA", "password": "correct horse battery staple\u200b",
                                           "csrf_token": token})
    assert response.status_code == 401
