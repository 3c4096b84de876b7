"""Importing a plan in the browser: upload, preview, confirm."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Body, Plan, WorkItem
from tests.conftest import csrf_token, login, make_user

SEED = open("portal/seed/puyang-2024-workplan.txt", "rb").read()


@pytest.fixture
def admin_client(app, client):
    make_user("admin", "admin")
    db.session.commit()
    login(client, "admin")
    return client


def upload(client, content: bytes, name="plan.txt", year=""):
    return client.post("/plans/import", data={"csrf_token": csrf_token(client), "year": year,
                                              "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def confirm_from(client, preview_html: str):
    fields = dict(re.findall(r'<input[^>]*name="(token)"[^>]*value="([^"]*)"', preview_html))
    fields = {k: v.replace("&#34;", '"').replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
              .replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}
    return client.post("/plans/import/confirm", data=fields | {"csrf_token": csrf_token(client)})


def item_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WorkItem))


def test_preview_then_confirm(admin_client):
    preview = upload(admin_client, SEED, "濮阳2024.txt")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2024年度监督工作计划" in html and "确认导入" in html
    assert re.search(r"新增 <strong>106</strong>", html)
    assert item_count() == 0  # the preview wrote nothing
    done = confirm_from(admin_client, html)
    assert done.status_code == 200 and "导入完成" in done.get_data(as_text=True)
    assert item_count() == 106
    # The same text again: nothing to do.
    again = upload(admin_client, SEED).get_data(as_text=True)
    assert re.search(r"不变 <strong>106</strong>", again) and "无需导入" in again


def test_gb18030_upload_gives_the_same_preview(admin_client):
    text = SEED.decode("utf-8").replace("\n", "\r\n").encode("gb18030")
    html = upload(admin_client, text).get_data(as_text=True)
    assert re.search(r"新增 <strong>106</strong>", html)


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "今天天气很好。".encode()])
def test_bad_file_gets_one_clear_message(admin_client, content):
    response = upload(admin_client, content)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html and "Traceback" not in html
    assert item_count() == 0


def test_tampered_confirmation_is_refused(admin_client):
    html = upload(admin_client, SEED).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([^"]*)"', html).group(1)
    for forged in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "", "not-a-token"):
        response = admin_client.post("/plans/import/confirm", data={"token": forged, "csrf_token": csrf_token(admin_client)})
        assert response.status_code == 302
    assert item_count() == 0


def test_the_previewed_year_is_the_year_stored(admin_client):
    html = upload(admin_client, SEED, year="2031").get_data(as_text=True)
    assert "2031" in html
    token = re.search(r'name="token"[^>]*value="([^"]*)"', html).group(1)
    # A year slipped into the form is not part of what was previewed.
    done = admin_client.post("/plans/import/confirm",
                             data={"token": token, "year": "2099", "csrf_token": csrf_token(admin_client)})
    assert done.status_code == 200
    years = set(db.session.scalars(select(Plan.year)))
    assert years == {2031}


def test_preview_of_a_revised_text_shows_old_and_new_values(admin_client):
    confirm_from(admin_client, upload(admin_client, SEED).get_data(as_text=True))
    revised = SEED.decode("utf-8").replace(
        "(拟安排在4月份举行的常委会会议上进行,由监察和司法委员会、常委会监察和司法工作委员会负责做好相关工作)",
        "(拟安排在6月份举行的常委会会议上进行,由监察和司法委员会负责做好相关工作)", 1).encode("utf-8")
    assert revised != SEED
    html = upload(admin_client, revised).get_data(as_text=True)
    assert re.search(r"更新 <strong>1</strong>", html)
    changes = html[html.index('class="items compact changes"'):]
    changes = changes[:changes.index("</table>")]
    rows = re.findall(r'<td>([^<]*)</td><td class="old">([^<]*)</td><td class="new">([^<]*)</td>', changes)
    assert ("月份", "4月", "6月") in rows
    assert ("常委会会议", "4月", "6月") in rows
    assert ("责任单位", "监察和司法委员会、常委会监察和司法工作委员会", "监察和司法委员会") in rows


def test_unknown_body_listed_in_preview(admin_client):
    text = SEED.decode("utf-8").replace("由常委会调研室负责", "由常委会外星事务室负责").encode()
    html = upload(admin_client, text).get_data(as_text=True)
    assert "外星事务室" in html and "第" in html and "行" in html


def test_admin_adds_item_by_hand_to_empty_section(admin_client):
    confirm_from(admin_client, upload(admin_client, SEED).get_data(as_text=True))
    from portal.models import Plan, Section
    section = db.session.scalars(select(Section).join(Plan).where(Plan.key == "supervision", Section.number == 7)).one()
    assert section.title == "主任会议根据工作需要确定的其他监督事项"
    body = db.session.scalars(select(Body).where(Body.name == "常委会法制工作委员会")).one()
    response = admin_client.post("/plans/items/new", data={
        "csrf_token": csrf_token(admin_client), "section": section.id, "title": "听取审议市政府关于某专项工作的报告",
        "months": ["9"], "meeting_month": "10", "bodies": [str(body.id)]})
    assert response.status_code == 302
    item = db.session.scalars(select(WorkItem).where(WorkItem.section_id == section.id)).one()
    assert (item.seq, item.source, item.months, item.meeting_month, [b.name for b in item.bodies]) == (
        1, "manual", [9, 10], 10, ["常委会法制工作委员会"])
    # Re-importing the plan text keeps the hand-added item.
    again = upload(admin_client, SEED).get_data(as_text=True)
    assert "无需导入" in again
    assert item_count() == 107


def test_new_item_requires_title(admin_client):
    confirm_from(admin_client, upload(admin_client, SEED).get_data(as_text=True))
    response = admin_client.post("/plans/items/new", data={"csrf_token": csrf_token(admin_client), "section": "1", "title": ""})
    assert response.status_code == 400 and "请填写标题" in response.get_data(as_text=True)
    assert item_count() == 106
