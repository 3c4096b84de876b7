"""The scored corpus: whole plan documents in many house styles, each with its answer key.

`flask --app app plan score tests/plan_docs` prints the same table (with -v, every wrong field).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from portal.plans.importer import parse_plan
from portal.plans.scoring import FIELDS, answer_key, corpus_documents, report_lines, score_corpus, score_document

DOCS = Path(__file__).resolve().parent / "plan_docs"


@pytest.fixture(scope="module")
def scores():
    return score_corpus(DOCS)


def test_the_corpus_is_large(scores):
    assert len(scores) >= 20
    assert sum(s.total for s in scores) >= 800


def test_every_document_has_a_key_and_every_key_a_document():
    keys = {p.name for p in DOCS.glob("*.expected.json")}
    assert keys == {answer_key(p).name for p in corpus_documents(DOCS)}


def test_overall_score_is_at_least_95_percent(scores):
    right, total = sum(s.right for s in scores), sum(s.total for s in scores)
    assert right / total >= 0.95, "\n".join(report_lines(scores, verbose=True))


def test_no_document_scores_below_85_percent(scores):
    assert all(s.ratio >= 0.85 for s in scores), "\n".join(report_lines(scores, verbose=True))


def test_nothing_is_invented(scores):
    """No month and no body that the item's own text does not state."""
    assert sum(s.invented for s in scores) == 0, "\n".join(report_lines(scores, verbose=True))


def test_the_score_counts_found_title_months_and_bodies():
    doc = parse_plan("2025年度监督工作计划\n一、听取报告\n1.听取审议甲报告（拟于4月份进行，由法工委负责组织实施）\n"
                     "2.听取审议乙报告（拟于5月份进行）\n")
    key = [{"plan": "supervision", "section_no": 1, "seq": 1, "title": "听取审议甲报告", "months": [4],
            "bodies": ["常委会法制工作委员会"]},
           {"plan": "supervision", "section_no": 1, "seq": 3, "title": "丙", "months": [], "bodies": []}]
    score = score_document("t", doc, key)
    # two expected items of four fields, plus one found item the key lacks (with a month: invented)
    assert (score.right, score.total, score.invented) == (len(FIELDS), 2 * len(FIELDS) + 1, 1)


@pytest.mark.parametrize("command", [["plan", "score", str(DOCS)], ["plan", "parse", str(DOCS)]])
def test_the_cli_prints_the_score(app, command):
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("overall") and "invented 0" in last
    assert len(result.output.strip().splitlines()) == len(corpus_documents(DOCS)) + 1


def test_the_cli_refuses_a_folder_without_answer_keys(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["plan", "score", str(tmp_path)])
    assert result.exit_code != 0 and "expected.json" in result.output


def test_answer_keys_are_well_formed():
    for key in DOCS.glob("*.expected.json"):
        items = json.loads(key.read_text(encoding="utf-8"))["items"]
        assert items, key.name
        for item in items:
            assert set(item) == {"plan", "section_no", "seq", "title", "months", "bodies"}, key.name
            assert item["months"] == sorted(set(item["months"])) and all(1 <= m <= 12 for m in item["months"])


NOTE = re.compile(r"[（(【][^（()）【】]*[)）】][。；;]?\s*$")
LABEL_LINE = re.compile(r"^\s*(?:责任单位|牵头单位|配合单位|责任部门|时间安排|完成时限|时间)\s*[:：].*$")
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*、|[（(][一二三四五六七八九十]+[)）])")
SCHEDULE_WORDS = re.compile(r"月|季度|半年|年内|年底|全年|负责|牵头|承办|单位|部门")


def _note_lines(path) -> list[tuple[int, re.Match]]:
    """(line index, match) of every schedule note in brackets or label line of a corpus document."""
    from portal.plans.importer import decode_plan_bytes

    found = []
    for k, line in enumerate(decode_plan_bytes(path.read_bytes()).split("\n")):
        m = NOTE.search(line) or LABEL_LINE.search(line)
        if m and SCHEDULE_WORDS.search(m.group()):
            found.append((k, m))
    return found


def _documents_with_notes():
    """Only documents whose schedules sit in notes: the others (running prose) have nothing to remove."""
    for path in sorted(DOCS.glob("*.txt")):
        if answer_key(path).exists() and _note_lines(path):
            yield path


@pytest.mark.parametrize("path", list(_documents_with_notes()), ids=lambda p: p.name)
def test_an_item_without_its_note_takes_nothing_from_its_neighbours(path):
    """Remove one item's schedule note: that item may lose its month and bodies, but it never gains
    any, and no other item changes. Done for every note of every document of the corpus. A note on
    a section heading (第二十六次常委会会议（2月）) is the schedule of the items under it: they may lose
    what it gave them, and again nothing else changes."""
    from portal.plans.importer import decode_plan_bytes

    lines = decode_plan_bytes(path.read_bytes()).split("\n")
    before = {(i.plan, i.section_no, i.seq): i for i in parse_plan("\n".join(lines)).items}
    for k, m in _note_lines(path):
        line = lines[k]
        stripped = lines[:k] + [line[:m.start()]] + lines[k + 1:]
        after = {(i.plan, i.section_no, i.seq): i for i in parse_plan("\n".join(stripped)).items}
        assert after.keys() == before.keys(), (path.name, k + 1)
        starts = [i.line for i in before.values() if i.line <= k + 1]
        owners = {max(starts)} if starts else set()  # the item the note belonged to starts on this line
        following = [i for i in before.values() if i.line > k + 1]
        if k + 1 not in owners and HEADING.match(line) and following:
            section = min(following, key=lambda i: i.line)
            owners = {i.line for i in following if (i.plan, i.section_no) == (section.plan, section.section_no)}
        for key, item in after.items():
            old = before[key]
            if old.line not in owners:
                assert (item.title, item.months, item.bodies) == (old.title, old.months, old.bodies), (path.name, key)
            else:
                assert set(item.months) <= set(old.months) and set(item.bodies) <= set(old.bodies), (path.name, key)
