"""The scored corpus: whole plan documents in many house styles, each with its answer key.

`flask --app app plan score tests/plan_docs` prints the same table (with -v, every wrong field).
"""
from __future__ import annotations

import json
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


def test_the_cli_prints_the_score(app):
    result = app.test_cli_runner().invoke(args=["plan", "score", str(DOCS)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("overall") and "invented 0" in last


def test_answer_keys_are_well_formed():
    for key in DOCS.glob("*.expected.json"):
        items = json.loads(key.read_text(encoding="utf-8"))["items"]
        assert items, key.name
        for item in items:
            assert set(item) == {"plan", "section_no", "seq", "title", "months", "bodies"}, key.name
            assert item["months"] == sorted(set(item["months"])) and all(1 <= m <= 12 for m in item["months"])
