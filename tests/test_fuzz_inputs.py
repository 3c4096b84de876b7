"""Property-based: random, huge and odd Unicode at every form, the plan importer and the sheet reader
(issue 13). Never a 500; a refused post (4xx) writes nothing (row counts of every table unchanged);
the importer raises nothing but its own PlanFormatError, read_rows nothing but UnreadableSheet.

Kept fast: FUZZ_EXAMPLES examples per form, no deadline (a loaded machine must not flake), and the
database made once per test, not once per example. Runs on SQLite and on PostgreSQL alike.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Instruction
from portal.plans.importer import PlanFormatError, parse_plan
from portal.sheets import UnreadableSheet, read_rows
from tests.conftest import sign_in

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=False, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ODD = [
    "", " ", "\x00", "a\x00b", "\u200b", "\u200b\ufeff\u2060", "\ufeff", "\u202e已完成\u202c", "\u2066x\u2069",
    "\u200d\u200c", "\u3000\u3000", "\r\n", "x\r\nLocation: //evil", "%00", "’", "🀄️👩‍👩‍👧", "\U0010ffff",
    "99999999999", "9223372036854775808", "2147483648", "-2147483649", "-1", "0", "²", "１２", "٣", "1e9",
    "NaN", "2024-13-45", "0000-00-00", "9999-12-31", "<script>alert(1)</script>", "{{7*7}}", "'; DROP TABLE user;--",
    "字" * 301, "a" * 2001, "审" * 5001,
]
# Surrogates cannot travel in a UTF-8 form post; every other code point may.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
VALUE = st.one_of(TEXT, st.sampled_from(ODD), st.text(st.characters(exclude_categories=("Cs",)), min_size=250,
                                                         max_size=400),
                  st.integers(-(2**70), 2**70).map(str))
HUGE = st.sampled_from(["界" * 20_000, "x" * 100_000])


def fields(*names: str):
    return st.fixed_dictionaries({name: st.one_of(VALUE, VALUE, VALUE, HUGE) for name in names})


def row_counts() -> dict[str, int]:
    counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables
              if t.name != "sign_in_counter"}
    db.session.rollback()
    return counts


def check_post(client, url, data, token, **kwargs):
    before = row_counts()
    response = client.post(url, data={**data, "csrf_token": token}, **kwargs)
    assert response.status_code < 500, (url, data, response.get_data(as_text=True)[:500])
    if 400 <= response.status_code < 500:
        assert row_counts() == before, (url, data, "a refused post wrote something")
    return response


def fuzz_form(client, token, url, names, headers=None, extra=st.just({})):
    csrf_refusals = []

    @FUZZ
    @given(data=fields(*names), more=extra)
    def run(data, more):
        response = check_post(client, url, {**data, **more}, token, headers=headers or {})
        csrf_refusals.append("CSRF 校验未通过" in response.get_data(as_text=True))

    run()
    assert not all(csrf_refusals), f"{url}: every post was refused for its CSRF token, nothing was tested"


HTMX = {"HX-Request": "true"}


@pytest.fixture
def signed(app, world):
    app.config["SIGNIN_ADDRESS_MAX_POSTS"] = 10**6  # the fuzzed sign-in posts all come from one address
    app.config["SIGNIN_ADDRESS_MAX_ACCOUNTS"] = 10**6

    def as_user(name):
        client = app.test_client()
        return client, sign_in(client, world.users[name])

    return as_user


def test_sign_in_form(app, world, signed):
    signed("staffA")  # sets the limits
    client = app.test_client()
    token = client.get("/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    fuzz_form(client, token, "/login", ["username", "password"])
    fuzz_form(client, token, "/login?next=%2Fitems%0D%0ALocation%3A%2F%2Fevil", ["username", "password"])


def test_status_change_form(world, signed):
    client, token = signed("staffA")
    status = st.fixed_dictionaries({"status": st.sampled_from(["in_progress", "postponed", "done", "cancelled", "x"])})
    fuzz_form(client, token, f"/items/{world.iA.id}/status", ["version", "note", "month", "year", "view"], extra=status)
    fuzz_form(client, token, f"/items/{world.iA.id}/status", ["status", "version", "note", "month", "year"],
              headers=HTMX)


def test_notes_form(world, signed):
    client, token = signed("staffA")
    fuzz_form(client, token, f"/items/{world.iA.id}/notes", ["note"])
    fuzz_form(client, token, f"/items/{world.iA.id}/notes", ["note"], headers=HTMX)


def test_instruction_forms(world, signed):
    leader, leader_token = signed("leader")
    fuzz_form(leader, leader_token, f"/items/{world.iA.id}/instructions", ["text", "reply_by", "next"])
    leader.post(f"/items/{world.iA.id}/instructions", data={"text": "请抓紧推进", "csrf_token": leader_token})
    instruction_id = db.session.scalar(select(Instruction.id).order_by(Instruction.id.desc()).limit(1))
    assert instruction_id
    staff, staff_token = signed("staffA")
    fuzz_form(staff, staff_token, f"/instructions/{instruction_id}/answer", ["answer", "version"])


def test_assignment_and_task_forms(world, signed):
    client, token = signed("admin")
    fuzz_form(client, token, f"/items/{world.iA.id}/assign",
              ["title", "lead", "supporting", "months", "due_year", "due_month", "meeting_month", "work_kind",
               "version", "follow_tasks"])
    fuzz_form(client, token, f"/items/{world.iA.id}/tasks", ["title", "lead", "supporting", "text", "due_year",
                                                               "due_month"])
    fuzz_form(client, token, "/items/bulk-assign", ["items", "lead", "supporting"])
    fuzz_form(client, token, "/items/bulk-status", ["items", "status", "note", "month", "year"])


def test_admin_user_and_body_forms(world, signed):
    client, token = signed("admin")
    fuzz_form(client, token, "/admin/users/new", ["username", "display_name", "role", "extra_roles", "bodies",
                                                  "led_bodies"])
    fuzz_form(client, token, f"/admin/users/{world.users['staffB'].id}",
              ["display_name", "role", "extra_roles", "bodies", "led_bodies"])
    fuzz_form(client, token, "/admin/bodies/new", ["name", "short_name", "kind", "aliases", "sort_order", "active"])
    fuzz_form(client, token, f"/admin/bodies/{world.B.id}", ["name", "short_name", "kind", "aliases", "sort_order"])
    fuzz_form(client, token, "/admin/stages", ["work_kind", "name"])
    fuzz_form(client, token, "/plans/items/new", ["section", "title", "text", "months", "meeting_month", "bodies"])


def test_password_change_and_language_forms(world, signed):
    client, token = signed("staffB")
    fuzz_form(client, token, "/account/password", ["current", "new", "repeat"])
    fuzz_form(client, token, "/language", ["lang", "next"])


def test_query_strings(world, signed):
    client, _ = signed("staffAB")

    @FUZZ
    @given(value=VALUE, name=st.sampled_from(["year", "status", "light", "q", "body", "month", "plan", "page", "section",
                                              "scope", "state"]),
           path=st.sampled_from(["/items", "/api/items", "/dashboard", "/api/dashboard", "/instructions", "/notices",
                                 "/plans/items/new", f"/items/{world.iA.id}"]))
    def run(value, name, path):
        response = client.get(path, query_string={name: value})
        assert response.status_code < 500, (path, name, value)

    run()


# --- the importer and the sheet reader, as pure functions -------------------------------------------------

PLAN_LINE = st.one_of(TEXT, st.sampled_from(ODD), st.text(st.characters(exclude_categories=("Cs",)), min_size=280,
                                                            max_size=320))


@FUZZ
@given(heading=PLAN_LINE, first=PLAN_LINE, second=PLAN_LINE, month=st.sampled_from(["4", "13", "99999999999", "七", ""]),
       noise=st.lists(PLAN_LINE, max_size=3))
def test_plan_importer_fails_only_with_its_own_error(heading, first, second, month, noise):
    text = "\n".join(["2024年度监督工作计划", f"一、{heading}", f"1. {first}拟安排在{month}月份举行的常委会会议上进行。",
                      f"2. 听取审议{second}的报告。拟安排在6月份举行的常委会会议上进行。", *noise])
    try:
        document = parse_plan(text)
    except PlanFormatError as error:
        assert str(error)
        return
    for item in document.items:
        assert len(item.section_title) <= 300 and "\u202e" not in item.title + item.section_title
        assert all(1 <= m <= 12 for m in item.months)


@FUZZ
@given(data=st.one_of(st.binary(max_size=2000), TEXT.map(lambda t: t.encode("utf-8")),
                      st.sampled_from([b"PK\x03\x04junk", b"%PDF-1.4 junk", b"\xff\xfe\x00\x00", b"\xef\xbb\xbf"])))
def test_plan_importer_bytes_fail_only_with_its_own_error(data):
    try:
        parse_plan(data)
    except PlanFormatError:
        pass


@FUZZ
@given(data=st.one_of(st.binary(max_size=3000),
                      st.lists(st.lists(VALUE, max_size=6), max_size=6).map(
                          lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8")),
                      st.sampled_from([b"PK\x03\x04" + bytes(100), b"\xef\xbb\xbf\xe4\xbb", b"a\x00b,c\n"])),
       name=st.sampled_from(["roll.csv", "roll.xlsx", "ROLL.XLSM", "roll.txt"]))
def test_read_rows_fails_only_as_unreadable(data, name):
    try:
        for number, cells in read_rows(data, name):
            assert number >= 1 and all(isinstance(c, str) for c in cells)
    except UnreadableSheet:
        pass


def test_plan_upload_form(world, signed):
    client, token = signed("admin")

    @FUZZ
    @given(data=st.one_of(st.binary(max_size=500), PLAN_LINE.map(lambda t: ("2024年度监督工作计划\n一、" + t).encode())),
           year=VALUE)
    def run(data, year):
        import io

        check_post(client, "/plans/import", {"file": (io.BytesIO(data), "plan.txt"), "year": year}, token,
                   content_type="multipart/form-data")

    run()
