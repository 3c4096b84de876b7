"""The English user interface: a complete, current catalogue, and pages with no Chinese left but data.

Chinese is the source language: every UI string is Chinese in `_()`. When a test here fails
after a new string was added, run `make messages`, translate the new entries of
portal/translations/en/LC_MESSAGES/messages.po (no "fuzzy" left), then `make translations`.
"""
from __future__ import annotations

import functools
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from portal.extensions import db
from portal.models import Body, ItemEvent, Plan, Section, StageTemplate, User, WorkItem
from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parents[1]
POT = ROOT / "portal/translations/messages.pot"
PO = ROOT / "portal/translations/en/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
# Full-width and CJK punctuation (：，（）、「」…) reads as Chinese too when it frames English text.
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef]")


def read_catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def key(message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    context = message.context
    if isinstance(context, bytes):  # babel's read_mo leaves contexts undecoded
        context = context.decode("utf-8")
    return context, msgid


def shown(k: tuple[str | None, str]) -> str:
    return f"{k[1]!r}" + (f" (context {k[0]!r})" if k[0] else "")


# ---------------------------------------------------------------------------------------------
# (a) every msgid translated, placeholders kept
# ---------------------------------------------------------------------------------------------

def test_every_msgid_has_an_english_translation_with_the_same_placeholders():
    template, english = read_catalog(POT), read_catalog(PO)
    translations = {key(m): m for m in english if m.id}
    problems = []
    for message in template:
        if not message.id:
            continue
        k = key(message)
        entry = translations.get(k)
        if entry is None:
            problems.append(f"{shown(k)}: missing from messages.po (run `make messages`)")
            continue
        msgstr = entry.string if isinstance(entry.string, str) else entry.string[0]
        if not msgstr:
            problems.append(f"{shown(k)}: not translated")
            continue
        if entry.fuzzy:
            problems.append(f"{shown(k)}: fuzzy (check the translation, then remove the flag)")
        if not msgstr.strip() and re.search(r"\w", k[1]):
            problems.append(f"{shown(k)}: translated as blanks")
        expected = set(PLACEHOLDER.findall(k[1]))
        found = set(PLACEHOLDER.findall(msgstr))
        if expected != found:
            problems.append(f"{shown(k)}: placeholders {sorted(found)} instead of {sorted(expected)}")
        elif expected:
            try:
                msgstr % {name: 1 for name in expected}
            except (TypeError, ValueError, KeyError) as exc:
                problems.append(f"{shown(k)}: {msgstr!r} does not format ({exc})")
    assert not problems, "English catalogue:\n" + "\n".join(problems)


def plain(string):
    """A plural entry's forms as a tuple: the .mo reader gives a list, the .po reader a tuple."""
    return tuple(string) if isinstance(string, (list, tuple)) else string


def test_compiled_catalogue_is_current():
    """The app reads the .mo (git-ignored, built by `make translations`): it must hold what the .po says."""
    assert MO.exists(), f"{MO.relative_to(ROOT)} is missing: run `make translations`"
    with MO.open("rb") as f:
        compiled = {key(m): plain(m.string) for m in read_mo(f) if m.id}
    wanted = {key(m): plain(m.string) for m in read_catalog(PO) if m.id and m.string and not m.fuzzy}
    assert compiled == wanted, f"{MO.relative_to(ROOT)} is out of date: run `make translations`"


# ---------------------------------------------------------------------------------------------
# (b) the catalogue is up to date with the code
# ---------------------------------------------------------------------------------------------

@functools.cache
def extracted_keys() -> dict[tuple[str | None, str], str]:
    """What `make messages` extracts (same babel.cfg, keywords and folders), msgid -> first place."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = dict(DEFAULT_KEYWORDS, _l=None)

    def directory_filter(path: str) -> bool:  # the Makefile's --ignore-dirs='.* __pycache__'
        name = Path(path).name
        return not name.startswith(".") and name != "__pycache__"

    found: dict[tuple[str | None, str], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, directory_filter=directory_filter,
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault((context, msgid), f"{filename}:{lineno}")
    return found


def test_catalogue_has_every_string_of_the_code():
    known = {key(m) for m in read_catalog(PO) if m.id}
    missing = {k: where for k, where in extracted_keys().items() if k not in known}
    assert not missing, "not in messages.po, run `make messages` and translate:\n" + "\n".join(
        f"{where}: {shown(k)}" for k, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_macros_folder_is_extracted():
    """Babel skips "_*" folders by default; templates/_macros holds the status form."""
    assert any(where.startswith("templates/_macros/") for where in extracted_keys().values())
    assert any(path.startswith("templates/_macros/") for m in read_catalog(POT) for path, _line in m.locations)


# ---------------------------------------------------------------------------------------------
# (c) the pages in English: no Chinese outside data
# ---------------------------------------------------------------------------------------------

class _Texts(HTMLParser):
    """Text nodes and attribute values (what a user reads or a screen reader says), URLs left out."""

    SKIP_ATTRIBUTES = {"href", "src", "action", "hx-get", "hx-post", "hx-vals", "hx-headers", "content", "value"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name not in self.SKIP_ATTRIBUTES:
                self.chunks.append(value)
        # The value of a button or an option is not shown; a text input's value is what the user typed.

    def handle_data(self, data):
        if data.strip():
            self.chunks.append(data.strip())


def data_strings(app) -> list[str]:
    """Every piece of Chinese that is data, not interface: names, titles, texts, notes, from the DB."""
    cn_numeral = app.jinja_env.filters["cn_numeral"]
    db.session.expire_all()  # the requests changed rows in their own sessions
    strings: set[str] = set(app.config["LANGUAGES"].values())  # each language named in itself
    strings.add(app.config["ORGANISATION_NAME"])  # configured, the heading of every printed summary
    for body in db.session.scalars(select(Body)):
        strings |= {body.name, body.short_name or "", body.label}
    for plan in db.session.scalars(select(Plan)):
        strings.add(plan.title)
    for section in db.session.scalars(select(Section)):
        # A section as the plans number it: "一、听取…" (lists) or "1、听取…" (the new-item form)
        strings |= {section.title, f"{cn_numeral(section.number)}、{section.title}", f"{section.number}、{section.title}"}
    for item in db.session.scalars(select(WorkItem)):
        strings |= {item.title, item.text, item.schedule or "", item.status_note or ""}
    for user in db.session.scalars(select(User)):
        strings.add(user.display_name or "")
    for event in db.session.scalars(select(ItemEvent)):
        strings |= {event.note or "", *(event.note or "").split("\n")}
    for template in db.session.scalars(select(StageTemplate)):
        strings.add(template.name)
    strings.discard("")
    return sorted(strings, key=len, reverse=True)  # longest first: a title before the name inside it


def chinese_left(app, html: str, pattern: re.Pattern = HAN) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    data = data_strings(app)
    left = []
    for chunk in parser.chunks:
        rest = chunk
        for string in data:
            rest = rest.replace(string, " ")
        if pattern.search(rest):
            left.append(chunk)
    return left


def to_english(client) -> None:
    client.post("/language", data={"lang": "en", "csrf_token": csrf_token(client)})


@pytest.fixture
def item_with_history(client, world):
    """iA in progress with a reason-bearing change, so the detail page shows history and notes."""
    login(client, "staffA")
    token = csrf_token(client)
    client.post(f"/items/{world.iA.id}/status", data={"status": "postponed", "note": "等待调研", "month": "9",
                                                      "version": world.iA.version, "view": "detail",
                                                      "csrf_token": token})
    client.post("/logout", data={"csrf_token": token})
    return world.iA


PAGES = [
    # (user or None, url; "{iA}" is replaced by the item's id)
    (None, "/login"),
    ("staffA", "/items"),
    ("staffAB", "/items?month=8"),
    ("staffA", "/items/{iA}"),
    ("staffA", "/items/999999"),
    ("leader", "/items"),
    ("leader", "/items/{iA}"),
    ("leader", "/plans/"),
    ("admin", "/items"),
    ("admin", "/items/{iA}"),
    ("admin", "/plans/"),
    ("admin", "/plans/import"),
    ("admin", "/plans/items/new"),
    ("deputy1", "/duty-records/mine"),
    ("leader", "/dashboard"),
    ("admin", "/dashboard?scope=all"),
    ("leader", "/instructions"),
    ("staffA", "/notices"),
    ("leader", "/notices"),
    ("leader", "/summaries/progress?year=2024"),
    ("staffA", "/items/print?year=2024&status=not_started"),
    ("leader", "/summaries/overdue?year=2024"),
    ("admin", "/summaries/instructions"),
]


def english_page(client, world, user: str | None, url: str):
    to_english(client)
    if user:
        login(client, user)
    response = client.get(url.format(iA=world.iA.id))
    html = response.get_data(as_text=True)
    assert 'lang="en"' in html, f"{url} as {user} is not in English"
    return response, html


@pytest.mark.parametrize("user, url", PAGES)
def test_english_page_has_no_chinese_outside_data(app, client, world, item_with_history, user, url):
    response, html = english_page(client, world, user, url)
    assert response.status_code in (200, 404)
    assert chinese_left(app, html) == []


# Full-width punctuation framing English text. templates/items/detail.html still writes "状态：",
# "（甲委）", "「…」" around data (owned elsewhere; see the i18n report): remove the mark once fixed.
@pytest.mark.parametrize("user, url", PAGES)
def test_english_page_has_no_chinese_punctuation_outside_data(app, client, world, item_with_history, user, url):
    _response, html = english_page(client, world, user, url)
    assert chinese_left(app, html, CJK_PUNCTUATION) == []


def test_english_form_errors_and_flashes(app, client, world):
    to_english(client)
    login(client, "staffA")
    token = csrf_token(client)
    answer = client.post(f"/items/{world.iA.id}/status", data={"status": "cancelled", "note": "", "version": world.iA.version,
                                                               "view": "detail", "csrf_token": token})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Please give a reason." in html
    assert chinese_left(app, html) == []
    # A bulk update refused for two reasons: both in English, joined without Chinese punctuation.
    answer = client.post("/items/bulk-status", data={"status": "postponed", "items": f"{world.iA.id}:{world.iA.version}",
                                                     "csrf_token": token}, headers={"HX-Request": "true"})
    html = answer.get_data(as_text=True)
    assert "Please give a reason. Please choose the month" in html
    assert chinese_left(app, html) == [] and chinese_left(app, html, CJK_PUNCTUATION) == []
    # The same without htmx: a flash message on the workspace.
    answer = client.post("/items/bulk-status", data={"status": "postponed", "items": f"{world.iA.id}:{world.iA.version}",
                                                     "csrf_token": token}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "The bulk update was not carried out: Please give a reason. Please choose the month" in html
    assert chinese_left(app, html) == [] and chinese_left(app, html, CJK_PUNCTUATION) == []


def upload(client, content: bytes, name: str = "plan.txt"):
    return client.post("/plans/import", data={"csrf_token": csrf_token(client), "year": "",
                                              "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_import_preview_and_its_problems_in_english(app, client, world):
    seed = (ROOT / "portal/seed/puyang-2024-workplan.txt").read_text(encoding="utf-8")
    text = seed.replace("由常委会调研室负责", "由常委会外星事务室负责", 1)
    to_english(client)
    login(client, "admin")
    html = upload(client, text.encode()).get_data(as_text=True)
    assert "Import preview: plan.txt" in html and "Confirm import" in html
    assert re.search(r"New <strong>\d+</strong>", html) and re.search(r"Changed <strong>\d+</strong>", html)
    problems = re.findall(r"<li>(Line \d+: .*?)</li>", html)
    assert any(re.match(r"Line \d+: The responsible body “[^”]*外星事务室[^”]*” .*is not in the directory", p)
               for p in problems), problems
    for problem in problems:  # quoted names and text are data, the rest is English
        rest = re.sub(r"“[^”]*”|\([^)]*\)", "", problem)
        assert not HAN.search(rest) and not CJK_PUNCTUATION.search(rest), problem


def test_import_problem_in_chinese_is_not_doubled(app, client, world):
    seed = (ROOT / "portal/seed/puyang-2024-workplan.txt").read_text(encoding="utf-8")
    login(client, "admin")
    html = upload(client, seed.replace("由常委会调研室负责", "由常委会外星事务室负责", 1).encode()).get_data(as_text=True)
    assert re.search(r"<li>第\d+行：责任单位“常委会外星事务室”不在单位名录中", html)
    assert not re.search(r"第\d+行：第\d+行", html)


@pytest.mark.parametrize("content, english", [
    (b"", "The file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is a PNG image, not plain text."),
])
def test_import_format_errors_in_english(app, client, world, content, english):
    to_english(client)
    login(client, "admin")
    answer = upload(client, content)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and english in html
    assert chinese_left(app, html) == []


# ---------------------------------------------------------------------------------------------
# (d) Chinese by default; the choice is remembered (more in test_accounts.py::TestLanguage)
# ---------------------------------------------------------------------------------------------

def test_signed_in_pages_are_chinese_by_default(client, world):
    login(client, "staffA")
    html = client.get("/items").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "工作事项" in html and "Work items" not in html


def test_account_choice_wins_over_the_cookie(client, world):
    world.users["staffA"].locale = "en"
    db.session.commit()
    client.set_cookie("lang", "zh")
    login(client, "staffA")
    assert "Work items" in client.get("/items").get_data(as_text=True)


def test_switch_back_to_chinese(client, world):
    login(client, "staffA")
    to_english(client)
    client.post("/language", data={"lang": "zh", "next": "/items", "csrf_token": csrf_token(client)})
    html = client.get("/items").get_data(as_text=True)
    assert 'lang="zh-CN"' in html and "工作事项" in html
    db.session.refresh(world.users["staffA"])
    assert world.users["staffA"].locale == "zh"
