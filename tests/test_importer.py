"""The plan-text importer: the 2024 seed exactly, other cities' plans, encodings, failures.

Pure functions, no app: every test parses text and looks at the data that comes out.
"""
from __future__ import annotations

import codecs
import random
import re
from pathlib import Path

import pytest

from portal.plans.bodies import (
    BODY_CATALOG,
    default_alias_map,
    expand_short_form,
    normalize_body_key,
    resolve_body,
)
from portal.plans.importer import (
    ParsedDocument,
    PlanFormatError,
    decode_plan_bytes,
    parse_plan,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = Path(__file__).resolve().parent / "plan_docs"
SEED_PATH = next(p for p in (ROOT / "portal/seed/puyang-2024-workplan.txt",
                             Path("/work/shared/seed/puyang-2024-workplan.txt")) if p.exists())


@pytest.fixture(scope="module")
def seed_bytes() -> bytes:
    return SEED_PATH.read_bytes()


@pytest.fixture(scope="module")
def seed(seed_bytes) -> ParsedDocument:
    return parse_plan(seed_bytes)


def find(doc: ParsedDocument, plan: str, section_no: int, seq: int):
    matches = [i for i in doc.items if (i.plan, i.section_no, i.seq) == (plan, section_no, seq)]
    assert len(matches) == 1, f"{plan} {section_no}.{seq}: {len(matches)} matches"
    return matches[0]


def without_lines(data: dict) -> dict:
    """to_json() minus line numbers and the problems that cite them."""
    return {**data, "items": [{k: v for k, v in i.items() if k != "line"} for i in data["items"]],
            "problems": [p["code"] for p in data["problems"]]}


# ---------------------------------------------------------------------------------------------
# The seed: Puyang 2024
# ---------------------------------------------------------------------------------------------

def test_seed_plans_counts_titles_and_year(seed):
    data = seed.to_json()
    assert data["year"] == 2024
    assert data["plans"] == {"work_points": 28, "supervision": 46, "decisions": 5, "deputy_work": 27}
    assert data["plan_titles"] == {
        "work_points": "2024年度工作要点",
        "supervision": "2024年度监督工作计划",
        "decisions": "2024年度重大事项和项目决定工作计划",
        "deputy_work": "2024年度代表工作计划",
    }
    assert [(p.key, p.line, p.year) for p in seed.plans] == [
        ("work_points", 1, 2024), ("supervision", 41, 2024), ("decisions", 99, 2024), ("deputy_work", 107, 2024)]
    assert seed.problems == []


@pytest.mark.parametrize("plan, per_section", [
    ("work_points", {1: 3, 2: 3, 3: 7, 4: 2, 5: 7, 6: 6}),
    ("supervision", {1: 19, 2: 5, 3: 6, 4: 2, 5: 1, 6: 13, 7: 0}),
    ("decisions", {0: 5}),
    ("deputy_work", {1: 6, 2: 3, 3: 4, 4: 4, 5: 6, 6: 2, 7: 2}),
])
def test_seed_counts_per_section(seed, plan, per_section):
    counts = {no: 0 for no in per_section}
    for item in seed.items:
        if item.plan == plan:
            counts[item.section_no] += 1
    assert counts == per_section
    parsed_plan = next(p for p in seed.plans if p.key == plan)
    assert [no for no, _ in parsed_plan.sections] == [n for n in per_section if n]


def test_seed_section_titles_drop_number_and_count(seed):
    supervision = next(p for p in seed.plans if p.key == "supervision")
    assert supervision.sections[0] == (1, "听取审议工作报告")
    assert supervision.sections[1][1].startswith("审查和批准决算") and not supervision.sections[1][1].endswith("项)")
    assert supervision.sections[6] == (7, "主任会议根据工作需要确定的其他监督事项")
    decisions = next(p for p in seed.plans if p.key == "decisions")
    assert decisions.sections == []


def test_seed_contract_example_item_literally(seed):
    item = seed.to_json()["items"][28]
    expected = {"plan": "supervision", "section_no": 1, "section_title": "听取审议工作报告",
                "seq": 1, "title": "听取审议市政府关于2023年度法治政府建设工作情况的报告",
                "months": [4], "schedule": "拟安排在4月份举行的常委会会议上进行",
                "bodies": ["监察和司法委员会", "常委会监察和司法工作委员会"]}
    assert {k: item[k] for k in expected} == expected
    assert item["meeting_month"] == 4
    assert item["line"] == 43
    assert item["text"].startswith("听取审议市政府关于2023年度") and item["text"].endswith("负责做好相关工作)")


def test_seed_fieldwork_range_is_not_a_meeting(seed):
    item = find(seed, "supervision", 6, 6)
    assert item.title == "对我市医疗保障基金使用监督管理情况开展调研"
    assert item.months == [7, 8]
    assert item.schedule == "拟于7—8月份进行"
    assert item.meeting_month is None
    assert item.bodies == ["常委会社会建设工作委员会"]


def test_seed_single_unnumbered_item_with_typo_body(seed):
    item = find(seed, "supervision", 5, 1)
    assert item.section_title == "述职测评"
    assert item.line == 79
    assert item.title == "对市人大常委会任命的市政府组成部门主要负责人和市法院副院长、市检察院副检察长开展述职测评"
    assert item.months == [12] and item.meeting_month == 12
    assert item.bodies == ["常委会选举任免代表联络工作委员会"]  # written 常委选举… in the seed


def test_seed_decisions_numbered_by_chinese_numerals_without_sections(seed):
    items = [i for i in seed.items if i.plan == "decisions"]
    assert [(i.section_no, i.section_title, i.seq) for i in items] == [(0, "", n) for n in range(1, 6)]
    first = items[0]
    assert first.title == "审议市政府关于2024年需提请市人大常委会讨论决定的重大事项和项目的报告并作出决议"
    assert first.schedule == "安排在4月份举行的常委会会议上进行"
    assert first.bodies == ["常委会办公室"]
    assert items[1].bodies == ["常委会调研室"]
    assert items[4].title == "审议市政府关于2024年市级预算调整方案(草案)报告并作出决议"
    assert [i.meeting_month for i in items] == [4, 4, 6, 8, 12]


def test_seed_alias_resolves_to_canonical(seed):
    assert find(seed, "supervision", 1, 17).bodies == ["常委会选举任免代表联络工作委员会"]
    assert find(seed, "supervision", 1, 18).title == "审议选工委关于代表建议办理和督办情况的报告"


def test_seed_narrative_item_has_no_months_from_its_text(seed):
    item = find(seed, "work_points", 3, 8)
    assert item.title == "助力高质量发展"
    assert "1—7月份" in item.text
    assert item.months == [] and item.schedule == "" and item.meeting_month is None and item.bodies == []


def test_seed_title_keeps_inner_dates_but_months_come_from_schedule(seed):
    item = find(seed, "supervision", 1, 11)
    assert item.title == "听取审议市政府关于2024年度民生实事项目1—7月份进展情况的报告"
    assert item.months == [8]


def test_seed_preamble_and_attachment_are_not_items(seed):
    texts = [i.text for i in seed.items]
    assert not any(t.startswith("2024年是中华人民共和国成立75周年") for t in texts)
    assert not any(t.startswith("根据《濮阳市人大常委会2024年工作要点》") for t in texts)
    assert not any("议题安排表" in t for t in texts)
    assert not any(t.startswith("2024年市人大常委会代表工作") for t in texts)


def test_seed_every_scheduled_item_has_month_and_bodies(seed):
    for item in seed.items:
        if item.plan in ("supervision", "decisions"):
            assert item.months and item.bodies, item
            assert (item.meeting_month is None) == (item.section_no == 6), item
        else:
            assert item.months == [] and item.bodies == [], item


def test_parsing_is_deterministic(seed_bytes):
    assert parse_plan(seed_bytes).to_json() == parse_plan(seed_bytes).to_json()


# ---------------------------------------------------------------------------------------------
# Property-style: the seed re-rendered in other numbering styles and full-width punctuation
# ---------------------------------------------------------------------------------------------

def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    return (digits[n // 10] if n >= 20 else "") + "十" + (digits[n % 10] if n % 10 else "")


_FULL_WIDTH = str.maketrans({",": "，", "(": "（", ")": "）", ":": "：", ";": "；"})


def _render(text: str, item_style: str, full_width: bool, section_dot: bool = False) -> str:
    out = []
    for line in text.split("\n"):
        item = re.match(r"^(\d+)\.(.*)$", line)
        section = re.match(rf"^([{'一二三四五六七八九十'}]+)、(.*)$", line)
        body = (item or section).group(2) if (item or section) else line
        if full_width:
            body = body.translate(_FULL_WIDTH)
        if item:
            n = int(item.group(1))
            marker = {"（一）": f"（{_cn(n)}）", "(一)": f"({_cn(n)})", "1、": f"{n}、",
                      "1. ": f"{n}. ", "1．": f"{n}．"}[item_style]
            line = marker + body
        elif section:
            line = section.group(1) + ("．" if section_dot else "、") + body
        else:
            line = body
        out.append(line)
    return "\n".join(out)


_HALF_WIDTH = str.maketrans({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})


def _fold_width(value):
    """A JSON value with full-width ASCII punctuation （），：； folded to half width."""
    if isinstance(value, str):
        return value.translate(_HALF_WIDTH)
    if isinstance(value, list):
        return [_fold_width(v) for v in value]
    if isinstance(value, dict):
        return {k: _fold_width(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("item_style", ["（一）", "(一)", "1、", "1. ", "1．"])
@pytest.mark.parametrize("full_width", [True, False])
def test_seed_rerendered_gives_the_same_fields(seed, seed_bytes, item_style, full_width):
    text = _render(seed_bytes.decode("utf-8"), item_style, full_width, section_dot=item_style == "1．")
    assert text != seed_bytes.decode("utf-8") or (item_style, full_width) == ("1.", False)
    data, expected = parse_plan(text).to_json(), seed.to_json()
    if not full_width:
        assert data == expected
        return
    # Written with full-width punctuation: the same plan, modulo the width of the punctuation …
    def structure(i):
        return i["plan"], i["section_no"], i["seq"], i["months"], i["meeting_month"], i["bodies"], i["line"]
    assert [structure(i) for i in data["items"]] == [structure(i) for i in expected["items"]]
    assert data["plans"] == expected["plans"] and data["problems"] == expected["problems"] == []
    assert _fold_width(data) == _fold_width(expected)
    # … and every shown string keeps the document's own （），：； rather than the seed's (),:;
    for got, want in zip(data["items"], expected["items"]):
        for key in ("title", "section_title", "schedule", "text"):
            assert got[key] == want[key].translate(_FULL_WIDTH), (key, got[key])
    assert any("（" in i["title"] for i in data["items"]) and any("，" in i["section_title"] for i in data["items"])


def test_seed_with_blank_lines_and_indentation_gives_the_same_fields(seed, seed_bytes):
    lines = seed_bytes.decode("utf-8").split("\n")
    spaced = "\n\n".join("\u3000\u3000" + line + "  " for line in lines)
    assert without_lines(parse_plan(spaced).to_json()) == without_lines(seed.to_json())


# ---------------------------------------------------------------------------------------------
# Other cities' documents (tests/plan_docs)
# ---------------------------------------------------------------------------------------------

# file -> (year, {plan: count}, {plan: {section_no: count}}, [(line, code)], checks)
# checks: (plan, section_no, seq, {field: value})
EXPECTED = {
    "puyang-2025-supervision.txt": (
        2025, {"supervision": 14}, {"supervision": {1: 6, 2: 2, 3: 1, 4: 5, 5: 0}}, [],
        [("supervision", 1, 4, {"bodies": ["教育科学文化卫生委员会", "常委会教育科学文化卫生工作委员会"]}),
         ("supervision", 1, 5, {"bodies": ["常委会选举任免代表联络工作委员会"], "months": [12]}),
         ("supervision", 1, 6, {"months": [10], "meeting_month": 10, "schedule": "拟安排在十月份举行的常委会会议上进行",
                                "bodies": ["监察和司法委员会", "常委会监察和司法工作委员会"]}),
         ("supervision", 2, 1, {"title": "对《中华人民共和国水污染防治法》《河南省水污染防治条例》贯彻实施情况开展执法检查",
                                "months": [5, 6, 7], "meeting_month": 7,
                                "schedule": "拟于5—6月份进行，7月份举行的常委会会议上听取和审议执法检查报告"}),
         ("supervision", 2, 2, {"months": [], "meeting_month": None, "schedule": "拟于第三季度进行",
                                "bodies": ["农业与农村委员会", "常委会农村工作委员会"]}),
         ("supervision", 3, 1, {"section_title": "专题询问", "line": 18, "months": [10]}),
         ("supervision", 4, 1, {"months": [4, 9], "meeting_month": None}),
         ("supervision", 4, 2, {"months": [], "schedule": "拟于上半年进行"}),
         ("supervision", 4, 3, {"months": [7, 8], "schedule": "拟于7至8月份进行"}),
         ("supervision", 4, 4, {"months": [], "schedule": "全年", "bodies": ["常委会民族宗教侨务外事工作委员会"]}),
         ("supervision", 4, 5, {"months": [11], "bodies": ["常委会财政预算工作委员会"]})]),
    "anyang-2025-workpoints.txt": (
        2025, {"work_points": 10}, {"work_points": {1: 2, 2: 3, 3: 3, 4: 2}}, [],
        [("work_points", 2, 1, {"title": "科学编制和实施年度立法计划", "months": [], "bodies": []}),
         ("work_points", 3, 1, {"title": "聚焦经济高质量发展开展监督", "months": [], "schedule": ""}),
         ("work_points", 4, 2, {"title": "加强代表机关建设", "section_title": "加强自身建设，全面提升履职能力和水平"})]),
    "xinxiang-2025-legislation.txt": (
        2025, {"legislation": 8}, {"legislation": {1: 2, 2: 3, 3: 2, 4: 1}},
        [(9, "unknown_body"), (12, "unknown_body"), (12, "unknown_body")],
        [("legislation", 1, 1, {"title": "新乡市城市绿化条例（修订）", "months": [4], "meeting_month": 4,
                                "schedule": "拟于4月份提请常委会会议第二次审议",
                                "bodies": ["城乡建设环境保护委员会", "常委会法制工作委员会"]}),
         ("legislation", 1, 2, {"title": "新乡市养犬管理条例", "bodies": ["社会委员会", "常委会法制工作委员会"]}),
         ("legislation", 2, 3, {"bodies": ["环境与资源保护委员会", "法制委员会"]}),
         ("legislation", 2, 5, {"bodies": ["常委会法制工作委员会"], "meeting_month": 10}),
         ("legislation", 3, 6, {"schedule": "全年", "months": [], "bodies": ["城乡建设环境保护委员会"]}),
         ("legislation", 3, 7, {"months": [], "schedule": "拟于第二、三季度进行"}),
         ("legislation", 4, 1, {"title": "做好地方性法规清理工作。对现行有效的地方性法规进行全面清理，"
                                         "对不符合上位法规定、不适应经济社会发展需要的及时修改或者废止",
                                "schedule": "年底前完成", "months": [],
                                "bodies": ["常委会法制工作委员会"]})]),
    "hebi-2025-deputy.txt": (
        2025, {"deputy_work": 7}, {"deputy_work": {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}},
        [(6, "unknown_body"), (13, "unknown_body")],
        # Labelled fields: the title is all the text before the first label (CONTRACT "title").
        [("deputy_work", 1, 1, {"title": "完善常委会组成人员联系代表制度。根据常委会组成人员变动情况，及时调整联系代表名单，"
                                         "每名常委会组成人员联系3至5名市人大代表，每年至少走访1次", "schedule": "",
                                "bodies": ["常委会选举任免代表联络工作委员会", "各专门委员会"]}),
         ("deputy_work", 1, 2, {"schedule": "全年", "months": [],
                                "bodies": ["常委会办公室", "常委会选举任免代表联络工作委员会"]}),
         ("deputy_work", 2, 3, {"months": [], "schedule": "第二季度"}),
         ("deputy_work", 2, 4, {"bodies": ["常委会选举任免代表联络工作委员会", "常委会研究室"]}),
         ("deputy_work", 3, 5, {"months": [6, 11], "schedule": "6月、11月"}),
         ("deputy_work", 4, 1, {"months": [3, 10], "schedule": "3月交办，10月开展满意度测评", "line": 19}),
         ("deputy_work", 5, 6, {"schedule": "下半年", "months": []})]),
    "kaifeng-2024-decisions.gb18030.txt": (
        2024, {"decisions": 6}, {"decisions": {0: 6}},
        [(7, "unknown_body"), (8, "unknown_body"), (9, "unknown_body"), (11, "unknown_body")],
        [("decisions", 0, 1, {"months": [], "meeting_month": None, "schedule": "拟安排在第三次常委会会议上进行",
                              "bodies": ["财政经济委员会", "常委会财政预算工作委员会"]}),
         ("decisions", 0, 2, {"months": [], "schedule": "拟于上半年进行", "bodies": ["城乡建设环境与资源保护委员会"]}),
         ("decisions", 0, 3, {"months": [8], "meeting_month": 8,
                              "title": "审议市政府关于2023年财政决算和2024年1—6月份预算执行情况的报告，批准2023年市级财政决算"}),
         ("decisions", 0, 4, {"months": [], "schedule": "第三季度", "meeting_month": None}),
         ("decisions", 0, 5, {"months": [12], "meeting_month": 12}),
         ("decisions", 0, 6, {"title": "根据工作需要，适时听取和审议市政府关于重大项目建设情况的报告",
                              "bodies": ["常委会办公室"], "schedule": "全年"})]),
    "luoyang-2025-supervision.bom-crlf.txt": (
        2025, {"supervision": 8}, {"supervision": {1: 4, 2: 2, 3: 2}},
        [(4, "unknown_body"), (11, "unknown_body"), (13, "unknown_body"), (14, "unknown_body"), (16, "unknown_body")],
        [("supervision", 1, 1, {"title": "听取和审议市政府关于推进制造业高质量发展情况的报告", "months": [4],
                                "schedule": "4月", "meeting_month": None,
                                "bodies": ["财政经济委员会", "常委会财政预算工作委员会"]}),
         # Labels in a later paragraph, after sub-points: the first paragraph is the title, less its
         # closing "重点围绕以下方面开展调研：" that only introduces the sub-points.
         ("supervision", 1, 2, {"months": [7, 8, 10], "meeting_month": 10,
                                "title": "听取和审议市政府关于隋唐洛阳城遗址保护利用情况的报告",
                                "schedule": "7月至8月调研，10月份举行的常委会会议上审议",
                                "bodies": ["教育科学文化卫生委员会"]}),
         ("supervision", 1, 3, {"months": [4, 10], "schedule": "4月和10月"}),
         ("supervision", 1, 4, {"months": [12], "bodies": ["常委会财政预算工作委员会", "财政经济委员会"]}),
         ("supervision", 2, 5, {"months": [7, 8], "schedule": "7~8月", "bodies": ["社会委员会"]}),
         ("supervision", 2, 6, {"months": [4, 10], "bodies": ["城乡建设环境与资源保护委员会", "农业与农村委员会"]}),
         ("supervision", 3, 7, {"months": [7, 8], "schedule": "7-8月"}),
         ("supervision", 3, 8, {"months": [], "bodies": ["农业与农村委员会"]})]),
    "jiaozuo-2025-inspection.txt": (
        2025, {"law_enforcement": 4}, {"law_enforcement": {0: 4}}, [],
        # A schedule sentence after several sentences: the title is all the text before it.
        [("law_enforcement", 0, 1, {"title": "《中华人民共和国食品安全法》执法检查。重点检查：(1)食品安全责任落实情况；"
                                             "(2)校园食品安全监管情况；(3)网络餐饮服务监管情况", "months": [4, 5, 6],
                                    "meeting_month": 6,
                                    "bodies": ["教育科学文化卫生委员会", "常委会教育科学文化卫生工作委员会"]}),
         ("law_enforcement", 0, 3, {"title": "《河南省南水北调饮用水水源保护条例》执法检查", "months": [9],
                                    "meeting_month": None, "schedule": "拟于9月份进行",
                                    "bodies": ["城乡建设环境保护委员会", "常委会城乡建设环境保护工作委员会"]}),
         ("law_enforcement", 0, 4, {"months": [10, 12], "meeting_month": 12,
                                    "bodies": ["城乡建设环境保护委员会", "常委会城乡建设环境保护工作委员会"]})]),
    "xinyang-2025-booklet.txt": (
        2025, {"work_points": 9, "deputy_work": 7},
        {"work_points": {1: 4, 2: 3, 3: 2}, "deputy_work": {1: 2, 2: 2, 3: 1, 4: 2}}, [],
        [("work_points", 1, 1, {"line": 12, "section_title": "聚焦高质量发展，依法履行监督职责",
                                "title": "听取和审议市政府关于2025年上半年国民经济和社会发展计划执行情况的报告，开展专题询问"}),
         ("work_points", 2, 7, {"title": "发挥基层立法联系点作用，广泛听取群众意见"}),
         ("work_points", 3, 9, {"title": "加强人大宣传和理论研究工作，讲好信阳人大故事"}),
         ("deputy_work", 3, 1, {"title": "坚持重点建议由主任会议成员领衔督办制度，推动一批群众关心的问题得到解决",
                                "bodies": [], "months": []}),
         ("deputy_work", 4, 6, {"line": 41})]),
    "nanyang-2025-supervision-errors.txt": (
        2025, {"supervision": 6}, {"supervision": {1: 4, 2: 2}},
        [(3, "count_mismatch"), (4, "unknown_body"), (7, "unknown_body"), (7, "numbering_gap")],
        [("supervision", 1, 1, {"bodies": ["城乡建设环境保护委员会", "市人大侨务委"]}),
         ("supervision", 1, 5, {"bodies": ["代表工作委员会"], "months": [12]}),
         ("supervision", 2, 1, {"bodies": ["常委会农村工作委员会"]})]),
    "luohe-2025-meeting-agenda.txt": (
        2025, {"agenda": 8}, {"agenda": {2: 2, 4: 3, 6: 1, 8: 2}}, [],
        [("agenda", 2, 1, {"title": "审议《漯河市城市供水节水条例（草案）》", "months": [2], "meeting_month": 2,
                           "schedule": "2月份（第十六次常委会会议）", "section_title": "2月份（第十六次常委会会议）",
                           "bodies": ["常委会法制工作委员会", "常委会城乡建设环境保护工作委员会"]}),
         ("agenda", 4, 1, {"bodies": ["常委会监察和司法工作委员会"], "meeting_month": 4}),
         ("agenda", 8, 2, {"months": [8], "meeting_month": 8, "bodies": ["常委会财政预算工作委员会"]})]),
    "zhumadian-2025-supervision-wrapped.txt": (
        2025, {"supervision": 4}, {"supervision": {1: 2, 2: 2}}, [],
        [("supervision", 1, 1, {"title": "听取和审议市政府关于2024年度法治政府建设工作情况的报告", "line": 7,
                                "schedule": "拟安排在4月份举行的常委会会议上进行",
                                "bodies": ["监察和司法委员会", "常委会监察和司法工作委员会"]}),
         ("supervision", 1, 2, {"schedule": "拟安排在6月份举行的常委会会议上进行", "months": [6]}),
         ("supervision", 2, 2, {"section_title": "审查和批准决算，听取和审议计划、预算执行情况的报告"})]),
}


def test_there_are_at_least_eight_documents():
    assert len(list(DOCS.glob("*.txt"))) >= 8
    assert set(EXPECTED) <= {p.name for p in DOCS.glob("*.txt")}  # the others are scored (tests/test_plan_corpus.py)


@pytest.fixture(scope="module")
def parsed_docs() -> dict[str, ParsedDocument]:
    return {name: parse_plan((DOCS / name).read_bytes()) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_document_counts_and_problems(parsed_docs, name):
    year, plans, sections, problems, _ = EXPECTED[name]
    doc = parsed_docs[name]
    data = doc.to_json()
    assert data["year"] == year
    assert data["plans"] == plans
    for plan, per_section in sections.items():
        counts = {no: 0 for no in per_section}
        for item in doc.items:
            if item.plan == plan:
                counts[item.section_no] += 1
        assert counts == per_section, plan
    assert [(p.line, p.code) for p in doc.problems] == problems


@pytest.mark.parametrize("name, plan, section_no, seq, fields", [
    (name, *check) for name, expected in sorted(EXPECTED.items()) for check in expected[4]])
def test_document_item_fields(parsed_docs, name, plan, section_no, seq, fields):
    item = find(parsed_docs[name], plan, section_no, seq)
    assert {k: getattr(item, k) for k in fields} == fields


def test_unknown_body_is_reported_with_line_and_kept_as_written(parsed_docs):
    doc = parsed_docs["nanyang-2025-supervision-errors.txt"]
    problem = next(p for p in doc.problems if p.code == "unknown_body" and p.line == 4)
    assert "第4行" in problem.message and "市人大侨务委" in problem.message
    assert find(doc, "supervision", 1, 1).bodies[-1] == "市人大侨务委"
    expanded = next(p for p in doc.problems if p.code == "unknown_body" and p.line == 7)
    assert "常委会代表工委" in expanded.message and "代表工作委员会" in expanded.message


def test_count_mismatch_is_a_problem_not_an_error(parsed_docs):
    doc = parsed_docs["nanyang-2025-supervision-errors.txt"]
    mismatch = next(p for p in doc.problems if p.code == "count_mismatch")
    assert mismatch.line == 3
    assert "第3行" in mismatch.message and "5" in mismatch.message and "4" in mismatch.message
    assert "听取和审议专项工作报告" in mismatch.message


def test_closing_signature_and_notes_are_not_items(parsed_docs):
    anyang = parsed_docs["anyang-2025-workpoints.txt"]
    assert not any("各专门委员会、常委会各工作机构要按照本要点" in i.text for i in anyang.items)
    assert not any("安阳市人大常委会办公室" in i.text for i in anyang.items)
    kaifeng = parsed_docs["kaifeng-2024-decisions.gb18030.txt"]
    assert not any("以上重大事项" in i.text or "印发" in i.text for i in kaifeng.items)
    puyang = parsed_docs["puyang-2025-supervision.txt"]
    assert not any("议题安排表" in i.text or "专题调研安排表" in i.text for i in puyang.items)
    assert not any("会议通过" in i.text for i in puyang.items)
    assert find(puyang, "supervision", 4, 5).text.endswith("负责组织实施）")


def test_closing_words_signatures_and_dates_after_the_last_item():
    doc = parse_plan("2025年度代表工作计划\n一、加强联系\n1.联系代表。\n二、加强管理\n"
                     "各代表小组要定期开展活动，每年不少于2次。\n\n市人大常委会各专门委员会、各工作机构要认真抓好落实。\n"
                     "请各县区结合实际认真贯彻执行。\n中共濮阳市人大常委会党组\n濮阳市人大常委会办公室2025年1月20日印发\n")
    assert [(i.section_no, i.seq, i.text) for i in doc.items] == [
        (1, 1, "联系代表。"), (2, 1, "各代表小组要定期开展活动，每年不少于2次。")]
    assert doc.problems == []


def test_sub_points_stay_in_their_item(parsed_docs):
    anyang = find(parsed_docs["anyang-2025-workpoints.txt"], "work_points", 2, 1)
    assert anyang.text.split("\n")[1:] == [  # as written, the space after "1." included
        "1. 审议《安阳市殷墟保护条例（修订）》，力争上半年提请审议通过；",
        "2. 审议《安阳市物业管理条例》；",
        "3. 开展《安阳市红旗渠精神传承弘扬条例》立法调研。"]
    inline = find(parsed_docs["anyang-2025-workpoints.txt"], "work_points", 3, 1)
    assert "（1）重点产业链发展、（2）营商环境优化" in inline.text
    jiaozuo = find(parsed_docs["jiaozuo-2025-inspection.txt"], "law_enforcement", 0, 3)
    assert "\n①检查水源保护区划定和标志设置情况；\n②" in jiaozuo.text


def test_soft_wrapped_lines_are_joined(parsed_docs):
    item = find(parsed_docs["zhumadian-2025-supervision-wrapped.txt"], "supervision", 1, 1)
    # Joined without a space between Chinese characters; the punctuation as written.
    assert item.text == ("听取和审议市政府关于2024年度法治政府建设工作情况的报告。（拟安排在4月份举行的常委会会议上进行，"
                         "由市人大监察和司法委员会、常委会监察和司法工作委员会负责做好相关工作）")


def test_subheadings_over_numbered_items_are_not_items(parsed_docs):
    doc = parsed_docs["xinyang-2025-booklet.txt"]
    titles = [i.title for i in doc.items]
    assert "助推经济稳进提质" not in titles and "健全立法机制" not in titles
    assert [i.seq for i in doc.items if i.plan == "work_points"] == list(range(1, 10))


def test_documents_with_an_empty_alias_map_expand_short_forms(parsed_docs):
    doc = parse_plan((DOCS / "kaifeng-2024-decisions.gb18030.txt").read_bytes(), {})
    assert find(doc, "decisions", 0, 1).bodies == ["财政经济委员会", "预算工作委员会"]
    assert find(doc, "decisions", 0, 4).bodies == ["教育科学文化卫生委员会"]
    assert find(doc, "decisions", 0, 6).bodies == ["常委会办公室"]
    assert {p.code for p in doc.problems} == {"unknown_body"}
    assert len(doc.problems) == sum(len(i.bodies) for i in doc.items)


# ---------------------------------------------------------------------------------------------
# Encodings and line endings
# ---------------------------------------------------------------------------------------------

def _variants(text: str) -> dict[str, bytes | str]:
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8-bom": codecs.BOM_UTF8 + text.encode("utf-8"),
        "gb18030": text.encode("gb18030"),
        "utf-16": text.encode("utf-16"),
        "utf-16-le-no-bom": text.encode("utf-16-le"),
        "utf-16-be-no-bom": text.encode("utf-16-be"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "cr": text.replace("\n", "\r").encode("utf-8"),
        "bom-crlf-gb18030": text.replace("\n", "\r\n").encode("gb18030"),
        "str": text,
        "str-bom-crlf": "\ufeff" + text.replace("\n", "\r\n"),
    }


@pytest.mark.parametrize("name", ["seed", *sorted(EXPECTED)])
def test_every_encoding_and_line_ending_gives_the_same_result(seed_bytes, name):
    raw = seed_bytes if name == "seed" else (DOCS / name).read_bytes()
    text = decode_plan_bytes(raw)
    assert "\r" not in text and not text.startswith("\ufeff")
    reference = parse_plan(text).to_json()
    for label, variant in _variants(text).items():
        assert parse_plan(variant).to_json() == reference, label


def test_files_on_disk_are_really_in_those_encodings():
    kaifeng = (DOCS / "kaifeng-2024-decisions.gb18030.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        kaifeng.decode("utf-8")
    assert decode_plan_bytes(kaifeng).startswith("开封市人民代表大会常务委员会\n")
    luoyang = (DOCS / "luoyang-2025-supervision.bom-crlf.txt").read_bytes()
    assert luoyang.startswith(codecs.BOM_UTF8) and b"\r\n" in luoyang
    assert decode_plan_bytes(luoyang).startswith("洛阳市人大常委会2025年监督工作计划\n")


# ---------------------------------------------------------------------------------------------
# Schedules: months, meetings, bodies, in many spellings
# ---------------------------------------------------------------------------------------------

def _one_item(tail: str, head: str = "对我市养老服务工作情况开展调研。") -> ParsedDocument:
    return parse_plan(f"濮阳市人大常委会\n2025年度监督工作计划\n一、专题调研（1项）\n1.{head}{tail}\n")


@pytest.mark.parametrize("tail, title, months, bodies", [
    # Labels are a role and what it labels: a 立法计划's 起草单位、审查单位 and 提请时间 too.
    ("（起草单位：市司法局；审查单位：法工委；提请时间：6月）", "对我市养老服务工作情况开展调研", [6],
     ["市司法局", "常委会法制工作委员会"]),
    # A schedule clause after a comma, in the item's only sentence or before a schedule sentence.
    ("，由法工委负责做好相关工作。", "对我市养老服务工作情况开展调研", [], ["常委会法制工作委员会"]),
    ("，拟于5—7月进行。由法工委负责组织实施。", "对我市养老服务工作情况开展调研", [5, 6, 7], ["常委会法制工作委员会"]),
])
def test_schedule_clauses_and_labels(tail, title, months, bodies):
    (item,) = parse_plan(f"2025年度监督工作计划\n一、专题调研\n1.对我市养老服务工作情况开展调研{tail}\n").items
    assert (item.title, item.months, item.bodies) == (title, months, bodies)


def test_a_narrative_item_keeps_its_clauses():
    """Several sentences and no schedule sentence: a 由… clause is the item's text, not its schedule."""
    (item,) = parse_plan("2025年工作要点\n一、代表工作\n1．做好代表建议办理工作。推动办理提质增效，"
                         "由常委会选工委牵头做好督办工作。\n").items
    assert (item.title, item.bodies) == ("做好代表建议办理工作", [])


def test_numbered_item_styles_of_decisions_and_circled_items():
    doc = parse_plan("2025年度重大事项决定工作计划\n第一项  审查批准2024年度县本级决算（承办：预算工委；时间：6月）\n"
                     "第二项  关于批准举借政府债务的决定（承办：财经工委）\n")
    assert [(i.seq, i.title, i.months) for i in doc.items] == [
        (1, "审查批准2024年度县本级决算", [6]), (2, "关于批准举借政府债务的决定", [])]
    doc = parse_plan("2025年度监督工作计划\n一、执法检查(2项)\n①检查《消防法》实施情况(责任部门:社建工委;时间:7-8月份)\n"
                     "②检查《大气污染防治条例》实施情况(时间:4月,10月)\n二、专题调研\n1.对学前教育开展调研。重点：\n"
                     "①办园情况；\n②师资情况。\n")
    assert [(i.section_no, i.seq, i.months) for i in doc.items] == [(1, 1, [7, 8]), (1, 2, [4, 10]), (2, 1, [])]


def test_month_led_prose_with_several_months_and_half_years():
    doc = parse_plan("2025年度监督工作计划\n一、听取报告\n4月、10月份分别听取和审议县人民政府关于计划执行情况的报告。\n"
                     "二、专题调研\n上半年对农村饮水安全开展专题调研；对民营企业发展开展专题调研。\n")
    assert [(i.section_no, i.seq, i.title, i.months) for i in doc.items] == [
        (1, 1, "分别听取和审议县人民政府关于计划执行情况的报告", [4, 10]),
        (2, 1, "对农村饮水安全开展专题调研", []), (2, 2, "对民营企业发展开展专题调研", [])]


def test_a_note_wrapped_after_its_semicolon_stays_whole():
    (item,) = parse_plan("2025年度监督工作计划\n一、满意度测评\n13.对审计查出问题整改情况进行满意度测评（时间：12月；\n"
                         "责任单位：巴中市人大常委会预算工作委员会）\n").items
    assert (item.title, item.months, item.bodies) == (
        "对审计查出问题整改情况进行满意度测评", [12], ["巴中市人大常委会预算工作委员会"])


def test_an_agenda_by_meeting_gives_each_item_its_meeting_month():
    doc = parse_plan("广安市人大常委会2025年度常委会会议议题安排\n一、第二十六次常委会会议（2月）\n"
                     "1. 审议市人大常委会2025年度工作要点\n2. 听取和审议市人民政府关于民生实事完成情况的报告（责任单位：办公室）\n"
                     "二、第二十七次常委会会议（4月）\n3. 开展专题询问（调研单位：市人大财政经济委员会）\n")
    assert [(i.plan, i.section_no, i.seq, i.months, i.bodies) for i in doc.items] == [
        ("agenda", 1, 1, [2], []), ("agenda", 1, 2, [2], ["常委会办公室"]),
        ("agenda", 2, 3, [4], ["市人大财政经济委员会"])]


def test_prose_hearing_of_an_inspection_report_is_its_schedule():
    doc = parse_plan("2025年监督工作计划\n一、执法检查\n5—6月，对《义务教育法》贯彻实施情况开展执法检查，"
                     "7月听取和审议执法检查报告。\n9月，对《农村公路条例》贯彻实施情况开展执法检查。\n")
    assert [(i.seq, i.title, i.months) for i in doc.items] == [
        (1, "对《义务教育法》贯彻实施情况开展执法检查", [5, 6, 7]), (2, "对《农村公路条例》贯彻实施情况开展执法检查", [9])]


def test_a_schedule_sentence_with_its_subject_and_yu():
    (item,) = parse_plan("2025年度监督工作计划\n一、执法检查\n（一）检查《农产品质量安全法》实施情况。执法检查于5月至6月进行，"
                         "检查报告提请7月份常委会会议审议。由农委牵头。\n").items
    assert (item.title, item.months, item.bodies) == ("检查《农产品质量安全法》实施情况", [5, 6, 7], ["农业与农村委员会"])


@pytest.mark.parametrize("note, months, meeting, schedule", [
    ("(拟于4月份进行,由法工委负责组织实施)", [4], None, "拟于4月份进行"),
    ("（拟于4月进行，由法工委负责组织实施）", [4], None, "拟于4月进行"),
    ("(拟于7—8月份进行,由法工委负责组织实施)", [7, 8], None, "拟于7—8月份进行"),
    ("(拟于7-8月进行,由法工委负责组织实施)", [7, 8], None, "拟于7-8月进行"),
    ("(拟于7~8月进行,由法工委负责组织实施)", [7, 8], None, "拟于7~8月进行"),
    ("（拟于7～8月进行，由法工委负责组织实施）", [7, 8], None, "拟于7～8月进行"),
    ("(拟于7至8月进行,由法工委负责组织实施)", [7, 8], None, "拟于7至8月进行"),
    ("(拟于7月至8月进行,由法工委负责组织实施)", [7, 8], None, "拟于7月至8月进行"),
    ("(拟于10—12月进行,由法工委负责组织实施)", [10, 11, 12], None, "拟于10—12月进行"),
    ("(拟于4月、10月进行,由法工委负责组织实施)", [4, 10], None, "拟于4月、10月进行"),
    ("(拟于4月和10月进行,由法工委负责组织实施)", [4, 10], None, "拟于4月和10月进行"),
    ("(拟于4、6、8月份进行,由法工委负责组织实施)", [4, 6, 8], None, "拟于4、6、8月份进行"),
    ("(拟于第三季度进行,由法工委负责组织实施)", [], None, "拟于第三季度进行"),
    ("(拟于三、四季度进行,由法工委负责组织实施)", [], None, "拟于三、四季度进行"),
    ("(拟于上半年进行,由法工委负责组织实施)", [], None, "拟于上半年进行"),
    ("(全年,由法工委负责组织实施)", [], None, "全年"),
    ("(拟于2025年5月进行,由法工委负责组织实施)", [5], None, "拟于2025年5月进行"),
    ("(拟于十月份进行,由法工委负责组织实施)", [10], None, "拟于十月份进行"),
    ("(拟安排在第三次常委会会议上进行,由法工委负责做好相关工作)", [], None, "拟安排在第三次常委会会议上进行"),
    ("(拟安排在4月份举行的常委会会议上进行,由法工委负责做好相关工作)", [4], 4, "拟安排在4月份举行的常委会会议上进行"),
    ("(安排在十二月份举行的常委会会议上进行,由法工委负责做好相关工作)", [12], 12, "安排在十二月份举行的常委会会议上进行"),
    ("(拟安排在4月份举行的主任会议上进行,由法工委负责做好相关工作)", [4], None, "拟安排在4月份举行的主任会议上进行"),
    ("(拟于4月份调研,6月份提请常委会会议审议,由法工委负责)", [4, 6], 6, "拟于4月份调研,6月份提请常委会会议审议"),
    ("(由法工委负责,拟于5月份进行)", [5], None, "拟于5月份进行"),
    ("(由法工委负责组织实施)", [], None, ""),
    ("拟于5月份进行，由法工委负责组织实施。", [5], None, "拟于5月份进行"),
    ("拟安排在6月份举行的常委会会议上听取和审议，由法工委负责。", [6], 6, "拟安排在6月份举行的常委会会议上听取和审议"),
    ("时间安排：6月；责任单位：法工委", [6], None, "6月"),
    ("（时间安排：9月；责任单位：法工委）", [9], None, "9月"),
    ("\n时间安排：11月\n责任单位：法工委", [11], None, "11月"),
    ("（时间：4月，责任单位：法工委）", [4], None, "4月"),
    ("（4月份，法工委负责）", [4], None, "4月份"),
    ("（二季度，法工委）", [], None, "二季度"),
    ("4月份常委会会议审议，法工委负责。", [4], 4, "4月份常委会会议审议"),
    ("（拟安排在6月下旬召开的常委会第十二次会议上审议，由法工委负责）", [6], 6, "拟安排在6月下旬召开的常委会第十二次会议上审议"),
    ("（拟于6月底前完成，由法工委负责）", [6], None, "拟于6月底前完成"),
    ("（市政府提请，4月份初审，法工委负责）", [4], None, "4月份初审"),
])
def test_schedule_spellings(note, months, meeting, schedule):
    doc = _one_item(note)
    (item,) = doc.items
    assert (item.months, item.meeting_month, item.schedule) == (months, meeting, schedule)
    assert item.title == "对我市养老服务工作情况开展调研"
    assert item.bodies == ["常委会法制工作委员会"]
    assert doc.problems == []


@pytest.mark.parametrize("note, bodies", [
    ("(拟于5月进行,由监察和司法委员会负责)", ["监察和司法委员会"]),
    ("(拟于5月进行,由监察和司法委员会和常委会法工委负责)", ["监察和司法委员会", "常委会法制工作委员会"]),
    ("(拟于5月进行,由常委会监察和司法工作委员会和监察和司法委员会负责)",
     ["常委会监察和司法工作委员会", "监察和司法委员会"]),
    ("(拟于5月进行,由城乡建设环境保护委员会、常委会城乡建设环境保护工作委员会负责)",
     ["城乡建设环境保护委员会", "常委会城乡建设环境保护工作委员会"]),
    ("(拟于5月进行,由农业与农村委员会负责)", ["农业与农村委员会"]),
    ("(拟于5月进行,由民族宗教侨务外事工作委员会负责)", ["常委会民族宗教侨务外事工作委员会"]),
    ("(拟于5月进行,由市人大常委会法工委、选工委负责)", ["常委会法制工作委员会", "常委会选举任免代表联络工作委员会"]),
    ("(拟于5月进行,由法工委牵头,财经工委配合)", ["常委会法制工作委员会", "常委会财政经济工作委员会"]),
    ("(拟于5月进行,由法工委，财经工委负责)", ["常委会法制工作委员会", "常委会财政经济工作委员会"]),
    ("(拟于5月进行,由法工委会同财经工委负责)", ["常委会法制工作委员会", "常委会财政经济工作委员会"]),
    ("(拟于5月进行,由法工委负责,法工委配合)", ["常委会法制工作委员会"]),
    ("(由市政府提请,拟于5月提请常委会会议审议,由法工委负责)", ["常委会法制工作委员会"]),
    ("牵头单位：法工委；配合单位：办公室、调研室", ["常委会法制工作委员会", "常委会办公室", "常委会调研室"]),
    ("(拟于5月进行,由常委会法制工作委员会做好相关工作)", ["常委会法制工作委员会"]),
    ("(拟于5月进行,由常委会法制工作委员会承办)", ["常委会法制工作委员会"]),
    ("(拟于5月进行,由法工委、财经工委分别负责)", ["常委会法制工作委员会", "常委会财政经济工作委员会"]),
    ("(拟于5月进行,由法工委牵头,预算工委、办公室配合)",
     ["常委会法制工作委员会", "常委会财政预算工作委员会", "常委会办公室"]),
    ("(二季度,财经工委、预算工委)", ["常委会财政经济工作委员会", "常委会财政预算工作委员会"]),
])
def test_body_spellings_resolve_in_order(note, bodies):
    (item,) = _one_item(note).items
    assert item.bodies == bodies


def test_unknown_bodies_are_expanded_reported_and_never_invented():
    doc = _one_item("(拟于5月进行,由市人大财经委、常委会青年工作委员会和法工委负责)")
    (item,) = doc.items
    assert item.bodies == ["财政经济委员会", "常委会青年工作委员会", "常委会法制工作委员会"]
    assert [(p.line, p.code) for p in doc.problems] == [(4, "unknown_body"), (4, "unknown_body")]
    assert "第4行" in doc.problems[0].message and "市人大财经委" in doc.problems[0].message
    assert "常委会青年工作委员会" in doc.problems[1].message


def test_dates_in_the_title_never_give_months():
    doc = _one_item("(拟于9月份进行,由法工委负责)", head="对2021—2025年规划和2025年1—7月份执行情况开展调研。")
    (item,) = doc.items
    assert item.months == [9]
    assert item.title == "对2021—2025年规划和2025年1—7月份执行情况开展调研"


def test_title_is_the_first_sentence_not_split_inside_quotes_or_book_titles():
    doc = parse_plan("2025年工作要点\n一、加强监督\n1.开展《某某法。实施办法》检查；推动“问题。整改”落实。其他内容。\n"
                     "2.助力发展！第二句。\n")
    assert [i.title for i in doc.items] == ["开展《某某法。实施办法》检查", "助力发展"]


@pytest.mark.parametrize("note", [
    "（拟提请第三次常委会会议审议，由法工委负责）",
    "（拟安排在常委会第二十次会议上审议，由法工委负责）",
    "（拟安排在第十六次常委会会议上进行，由法工委负责做好相关工作）",
    "（提交市人大常委会第十二次会议审议，由法工委负责）",
])
def test_a_meeting_named_by_its_number_only_has_no_month(note):
    (item,) = _one_item(note).items
    assert (item.months, item.meeting_month) == ([], None)
    assert item.schedule and "会议" in item.schedule and item.bodies == ["常委会法制工作委员会"]


def test_a_numbered_meeting_with_a_month_is_that_month():
    (item,) = _one_item("（拟安排在十二月份举行的常委会第二十次会议上审议，由法工委负责）").items
    assert (item.months, item.meeting_month) == ([12], 12)


# ---------------------------------------------------------------------------------------------
# Text as written: （），：；“” stay as the document has them; only matching is normalized
# ---------------------------------------------------------------------------------------------

FULL_WIDTH_DOC = (
    "　　南阳市人大常委会\n"
    "　　2025年度监督工作计划（草案）  \n"
    "一、听取和审议专项工作报告（2项）\n"
    "　　1． 听取和审议市政府关于“十四五”规划实施情况（中期评估）的报告。"
    "（拟安排在4月份举行的常委会会议上进行，由法工委、预算工委负责做好相关工作）\n"
    "　　2． 听取和审议市政府关于 COVID 防控工作的报告；（时间：6 月；责任单位：市人大 社会委）\n"
    "二、专题调研：城乡建设领域（1项）\n"
    "\t3．对我市城市更新行动推进情况开展调研，重点了解老旧小区改造、\n"
    "城中村改造情况。（拟于7—8月份进行，由城建环保工委负责组织实施）\n")


def test_a_full_width_document_keeps_its_punctuation_in_every_shown_field():
    doc = parse_plan(FULL_WIDTH_DOC)
    assert doc.to_json()["plan_titles"] == {"supervision": "2025年度监督工作计划（草案）"}
    first, second, third = doc.items
    assert first.section_title == "听取和审议专项工作报告"  # the count （2项） dropped
    assert first.title == "听取和审议市政府关于“十四五”规划实施情况（中期评估）的报告"
    assert first.schedule == "拟安排在4月份举行的常委会会议上进行"
    assert first.text == ("听取和审议市政府关于“十四五”规划实施情况（中期评估）的报告。"
                          "（拟安排在4月份举行的常委会会议上进行，由法工委、预算工委负责做好相关工作）")
    assert (first.months, first.meeting_month) == ([4], 4)
    assert first.bodies == ["常委会法制工作委员会", "常委会财政预算工作委员会"]
    # Internal spaces as written; indentation (full-width spaces, tabs) and trailing spaces gone.
    assert second.title == "听取和审议市政府关于 COVID 防控工作的报告"
    assert (second.schedule, second.months) == ("6 月", [6])
    assert second.bodies == ["社会委员会"]
    assert third.section_title == "专题调研：城乡建设领域"
    # A line wrapped inside a sentence is joined without a space between Chinese characters.
    assert third.title == "对我市城市更新行动推进情况开展调研，重点了解老旧小区改造、城中村改造情况"
    assert third.schedule == "拟于7—8月份进行" and third.months == [7, 8]
    assert not any(i.text.startswith(("\u3000", " ", "\t")) or i.text.endswith(" ") for i in doc.items)
    unknown = [p.message for p in doc.problems if p.code == "unknown_body"]
    assert unknown == ["第5行：责任单位“市人大 社会委（社会委员会）”不在单位名录中，已按原文保留，请核对或为其添加别名。"]


def test_the_same_document_in_half_width_gives_the_same_data_modulo_width():
    half = FULL_WIDTH_DOC.translate(_HALF_WIDTH).replace("\u3000", "")
    full, halved = parse_plan(FULL_WIDTH_DOC).to_json(), parse_plan(half).to_json()
    assert _fold_width(full) == _fold_width(halved)
    assert halved["items"][0]["title"] == "听取和审议市政府关于“十四五”规划实施情况(中期评估)的报告"
    assert full["items"][0]["title"] == "听取和审议市政府关于“十四五”规划实施情况（中期评估）的报告"


def test_a_schedule_of_several_phrases_keeps_the_documents_separator():
    (item,) = _one_item("（拟于4月份调研，6月份提请常委会会议审议，由法工委负责）").items
    assert item.schedule == "拟于4月份调研，6月份提请常委会会议审议"
    (item,) = _one_item("（拟于4月份调研，由法工委负责，6月份提请常委会会议审议）").items
    assert item.schedule == "拟于4月份调研，6月份提请常委会会议审议"  # the body clause between them left out
    assert (item.months, item.meeting_month) == ([4, 6], 6)
    (item,) = _one_item("(拟于4月份调研,6月份提请常委会会议审议,由法工委负责)").items
    assert item.schedule == "拟于4月份调研,6月份提请常委会会议审议"


def test_latin_words_wrapped_over_two_lines_keep_their_space():
    doc = parse_plan("2025年度监督工作计划\n1.听取和审议市政府关于全市推进新型智慧城市 Smart\nCity 建设情况的报告。"
                     "（拟于5月份进行，由法工委负责）\n2.对全市2025年上半年经济运行情况和2025年\n1—6月份数据开展分析。"
                     "（拟于9月份进行，由法工委负责）\n")
    assert [i.title for i in doc.items] == ["听取和审议市政府关于全市推进新型智慧城市 Smart City 建设情况的报告",
                                            "对全市2025年上半年经济运行情况和2025年1—6月份数据开展分析"]


def test_matching_form_is_the_old_normalization():
    # Every decision is taken on _Src.norm: it must stay exactly what the parser always matched
    # on (_clean), and the text as written must be the same words.
    from portal.plans.importer.vocabulary import FOLD as _FOLD, Src as _Src, clean as _clean
    rng = random.Random(11)
    alphabet = "（）()，,：:；; \u3000\t\u00a0\u2003\u200b\ufeffa1一、听取报告。“”Ａ１"
    samples = [*SEED_PATH.read_text(encoding="utf-8").split("\n"), *FULL_WIDTH_DOC.split("\n")]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(2000)]
    for raw in samples:
        src = _Src.line(raw)
        assert src.norm == _clean(raw), repr(raw)
        written = src.out()
        assert written == written.strip() and "\u200b" not in written and "\ufeff" not in written, repr(raw)
        assert "".join(written.translate(_FOLD).split()) == "".join(src.norm.split()), repr(raw)


# ---------------------------------------------------------------------------------------------
# Titles: all the text before the schedule; the first sentence of a narrative item
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, title, schedule, months", [
    ("（一）检查《中华人民共和国食品安全法》贯彻实施情况，①组织自查；②实地检查；③听取报告。"
     "（拟于7至8月份进行，由教科文卫委负责组织实施）",
     "检查《中华人民共和国食品安全法》贯彻实施情况，①组织自查；②实地检查；③听取报告", "拟于7至8月份进行", [7, 8]),
    ("1.对我市养老服务工作开展调研。重点了解机构养老、居家养老情况。拟于5月份进行，由教科文卫委负责组织实施。",
     "对我市养老服务工作开展调研。重点了解机构养老、居家养老情况", "拟于5月份进行", [5]),
    ("1.对我市养老服务工作开展调研。重点了解机构养老情况。时间安排：5月；责任单位：教科文卫委",
     "对我市养老服务工作开展调研。重点了解机构养老情况", "5月", [5]),
    ("1.对我市养老服务工作开展调研（拟于5月份进行，由教科文卫委负责组织实施）。",
     "对我市养老服务工作开展调研", "拟于5月份进行", [5]),
])
def test_title_of_a_scheduled_item_is_all_the_text_before_its_schedule(line, title, schedule, months):
    doc = parse_plan(f"濮阳市人大常委会\n2025年度监督工作计划\n一、专题调研\n{line}\n")
    (item,) = doc.items
    assert (item.title, item.schedule, item.months) == (title, schedule, months)
    assert item.bodies == ["常委会教育科学文化卫生工作委员会"] or item.bodies == ["教育科学文化卫生委员会"]


def test_title_when_the_schedule_follows_lines_of_sub_points():
    doc = parse_plan("2025年度执法检查工作计划\n1.开展食品安全法执法检查。重点检查以下内容：\n①责任落实情况；\n②监管情况。\n"
                     "拟于5月份进行，由教科文卫工委负责组织实施。\n2.开展消防法执法检查。\n（1）检查消防设施；\n"
                     "（2）检查应急预案。\n时间安排：9月；责任单位：法工委\n")
    assert [(i.title, i.months) for i in doc.items] == [("开展食品安全法执法检查", [5]), ("开展消防法执法检查", [9])]


def test_narrative_items_keep_the_first_sentence_rule():
    doc = parse_plan("2025年度代表工作计划\n一、加强培训\n1.组织代表学习培训。举办代表履职培训班，提升履职能力。\n")
    assert doc.items[0].title == "组织代表学习培训"


# ---------------------------------------------------------------------------------------------
# A parenthesis is a schedule note only if it reads like one
# ---------------------------------------------------------------------------------------------

def _deputy_item(line: str):
    doc = parse_plan(f"2025年度代表工作计划\n一、加强代表履职能力建设\n{line}\n")
    (item,) = doc.items
    return item


@pytest.mark.parametrize("line, title", [
    # A time but no scheduling verb and no one responsible: how often, not when.
    ("3. 组织代表学习培训。举办两期代表履职培训班（上半年、下半年各一期）。", "组织代表学习培训"),
    ("3. 举办代表履职培训班（上半年、下半年各一期）。", "举办代表履职培训班（上半年、下半年各一期）"),
    # A frequency (每季度, 每月) is not a time.
    ("3. 定期召开代表座谈会（每季度召开一次）。", "定期召开代表座谈会（每季度召开一次）"),
    # Someone responsible, but not a body and no 由: a description.
    ("3. 加强代表联络站建设（每站安排1名工作人员负责日常联络）。", "加强代表联络站建设（每站安排1名工作人员负责日常联络）"),
    # Neither time nor body.
    ("3. 审议《某某条例（草案）》。", "审议《某某条例（草案）》"),
    ("3. 开展“人大代表在行动”主题实践活动（含视察、调研、座谈）。", "开展“人大代表在行动”主题实践活动（含视察、调研、座谈）"),
])
def test_a_parenthesis_that_is_not_a_schedule_note(line, title):
    item = _deputy_item(line)
    assert (item.title, item.months, item.schedule, item.bodies, item.meeting_month) == (title, [], "", [], None)


@pytest.mark.parametrize("line, title, schedule, months, bodies", [
    # A time and a scheduling verb.
    ("3. 举办代表履职培训班（拟于5月份举行）。", "举办代表履职培训班", "拟于5月份举行", [5], []),
    ("3. 举办代表履职培训班（安排在上半年）。", "举办代表履职培训班", "安排在上半年", [], []),
    # A bare time expression and nothing else reads as the item's schedule.
    ("3. 组织代表开展集中视察。（10月）", "组织代表开展集中视察", "10月", [10], []),
    ("3. 组织代表开展集中视察（7—8月份）。", "组织代表开展集中视察", "7—8月份", [7, 8], []),
    # A time and who is responsible.
    ("3. 组织代表开展集中视察（第三季度，选工委）。", "组织代表开展集中视察", "第三季度", [],
     ["常委会选举任免代表联络工作委员会"]),
    # Decision: a note naming only the responsible body, without a time, is still a note — it gives
    # the item's bodies (the portal assigns items by body) and an empty schedule.
    ("3. 组织代表开展集中视察（由选工委负责）。", "组织代表开展集中视察", "", [], ["常委会选举任免代表联络工作委员会"]),
    ("3. 组织代表开展集中视察（选工委、办公室）。", "组织代表开展集中视察", "", [],
     ["常委会选举任免代表联络工作委员会", "常委会办公室"]),
    ("3. 组织代表开展集中视察（选工委负责）。", "组织代表开展集中视察", "", [], ["常委会选举任免代表联络工作委员会"]),
    # Other clauses of a note that are neither time nor body are not part of the schedule.
    ("3. 组织代表开展集中视察（由选工委负责，形成视察报告）。", "组织代表开展集中视察", "", [],
     ["常委会选举任免代表联络工作委员会"]),
])
def test_a_parenthesis_that_reads_like_a_schedule_note(line, title, schedule, months, bodies):
    item = _deputy_item(line)
    assert (item.title, item.schedule, item.months, item.bodies) == (title, schedule, months, bodies)


def test_a_line_of_its_own_in_parentheses_follows_the_same_rule():
    doc = parse_plan("2025年度代表工作计划\n一、加强培训\n1.举办代表履职培训班。\n（上半年、下半年各一期）\n"
                     "2.组织代表集中视察。\n（拟于10月份进行，由选工委负责）\n")
    first, second = doc.items
    assert (first.schedule, first.months, first.bodies) == ("", [], [])
    assert "（上半年、下半年各一期）" in first.text
    assert (second.schedule, second.months) == ("拟于10月份进行", [10])


# ---------------------------------------------------------------------------------------------
# Structure: which numbered level holds the items
# ---------------------------------------------------------------------------------------------

def test_paren_chinese_items_with_numbered_sub_points():
    text = ("2025年度工作要点\n一、加强立法工作\n（一）认真落实年度立法计划。重点做好以下工作：\n1.审议某某条例；\n"
            "2.审议某某办法。\n（二）完善立法机制。发挥基层立法联系点作用。\n二、加强监督工作\n（三）开展执法检查。\n")
    doc = parse_plan(text)
    assert [(i.section_no, i.seq, i.title) for i in doc.items] == [
        (1, 1, "认真落实年度立法计划"), (1, 2, "完善立法机制"), (2, 3, "开展执法检查")]
    assert doc.items[0].text.endswith("\n1.审议某某条例；\n2.审议某某办法。")


# Three levels (一、 parts, （一） sub-headings, 1. items): the contract has one section level, so
# the parts are the sections, the 1. lines the items, and the sub-headings are dropped — as long as
# the 1. lines are numbered on through the plan. Restarting under each sub-heading, they are the
# sub-headings' sub-points, and the （一） lines are the items.
@pytest.mark.parametrize("stop", ["", "。"])
def test_three_levels_parts_subheadings_items(stop):
    doc = parse_plan(f"2025年工作要点\n一、聚焦高质量发展\n（一）助推经济稳进提质{stop}\n1.听取计划执行情况的报告。\n"
                     f"2.开展执法检查。\n（二）守护绿水青山{stop}\n3.听取环境状况报告。\n二、坚持科学立法\n"
                     f"（三）抓好法规审议{stop}\n4.审议《某某条例》。\n")
    assert doc.plans[0].sections == [(1, "聚焦高质量发展"), (2, "坚持科学立法")]
    assert [(i.section_no, i.seq, i.title) for i in doc.items] == [
        (1, 1, "听取计划执行情况的报告"), (1, 2, "开展执法检查"), (1, 3, "听取环境状况报告"), (2, 4, "审议《某某条例》")]
    assert not any("助推经济稳进提质" in i.text for i in doc.items)
    assert doc.problems == []


def test_three_levels_with_restarting_numbers_make_the_subheadings_items():
    doc = parse_plan("2025年工作要点\n一、聚焦高质量发展\n（一）助推经济稳进提质\n1.听取计划执行情况的报告；\n"
                     "2.开展执法检查。\n（二）守护绿水青山\n1.听取环境状况报告。\n")
    assert [(i.section_no, i.seq, i.title) for i in doc.items] == [
        (1, 1, "助推经济稳进提质"), (1, 2, "守护绿水青山")]
    assert doc.items[0].text == "助推经济稳进提质\n1.听取计划执行情况的报告；\n2.开展执法检查。"


def test_numbered_items_with_paren_sub_points_at_top_level():
    text = ("2025年度执法检查工作计划\n1.开展食品安全法执法检查。(拟于5月份进行,由法工委负责)\n(1)检查责任落实情况；\n"
            "(2)检查监管情况。\n2.开展消防法执法检查。(拟于9月份进行,由法工委负责)\n")
    doc = parse_plan(text)
    assert [(i.section_no, i.seq, i.months) for i in doc.items] == [(0, 1, [5]), (0, 2, [9])]
    assert "(1)检查责任落实情况；" in doc.items[0].text


def test_short_numbered_list_without_sections_is_a_list_of_items():
    doc = parse_plan("2025年度立法工作计划\n一、濮阳市停车场管理条例\n二、濮阳市物业管理条例\n三、濮阳市养犬管理条例\n")
    assert [(i.section_no, i.seq, i.title) for i in doc.items] == [
        (0, 1, "濮阳市停车场管理条例"), (0, 2, "濮阳市物业管理条例"), (0, 3, "濮阳市养犬管理条例")]


def test_headings_with_paragraphs_are_sections_of_one_item_each():
    doc = parse_plan("2025年度代表工作计划\n一、密切联系\n做好代表联系群众工作。全年开展活动。\n二、加强培训\n举办代表培训班。\n")
    assert [(i.section_no, i.section_title, i.seq, i.title) for i in doc.items] == [
        (1, "密切联系", 1, "做好代表联系群众工作"), (2, "加强培训", 1, "举办代表培训班")]


def test_a_section_holding_only_a_schedule_note_is_named_by_its_heading():
    doc = parse_plan("2025年度监督工作计划\n一、听取报告（1项）\n1.听取审议某某报告。(4月,法工委负责)\n"
                     "二、述职测评（1项）\n（拟安排在12月份举行的常委会会议上进行，由选工委负责）\n")
    item = find(doc, "supervision", 2, 1)
    assert (item.title, item.months, item.meeting_month) == ("述职测评", [12], 12)
    assert item.bodies == ["常委会选举任免代表联络工作委员会"]
    assert doc.problems == []


def test_labelled_fields_ignore_a_leaders_name():
    doc = parse_plan("市人大常委会2025年工作重点\n一、加强监督\n1.听取审议某某报告。\n"
                     "时间安排：6月；牵头领导：张三；责任单位：法工委\n"
                     "2.开展执法检查。完成时限：2025年10月底前；责任单位：法工委、办公室。\n")
    assert [(p.key, p.year) for p in doc.plans] == [("work_points", 2025)]
    assert [(i.schedule, i.months, i.bodies) for i in doc.items] == [
        ("6月", [6], ["常委会法制工作委员会"]),
        ("2025年10月底前", [10], ["常委会法制工作委员会", "常委会办公室"])]


def test_section_intro_text_is_reported_not_lost():
    doc = parse_plan("2025年度监督工作计划\n一、专题调研\n今年重点关注民生领域。\n1.对养老服务开展调研。(拟于5月份进行,由法工委负责)\n")
    assert len(doc.items) == 1
    assert [(p.line, p.code) for p in doc.problems] == [(3, "unnumbered_text")]
    assert "今年重点关注民生领域" in doc.problems[0].message


def test_month_headings_inside_sections_give_their_items_a_schedule():
    doc = parse_plan("2025年度监督工作计划\n一、听取和审议专项工作报告\n4月份：\n1.听取和审议法治政府建设情况的报告。\n"
                     "6月份：\n2.听取和审议环境状况的报告。（由法工委负责）\n"
                     "3.听取和审议审计工作报告。（拟安排在8月份举行的常委会会议上进行，由法工委负责）\n"
                     "二、专题调研\n4.对养老服务开展调研。\n")
    assert [(i.section_no, i.seq, i.months, i.schedule) for i in doc.items] == [
        (1, 1, [4], "4月份"), (1, 2, [6], "6月份"), (1, 3, [8], "拟安排在8月份举行的常委会会议上进行"), (2, 4, [], "")]
    assert doc.items[1].bodies == ["常委会法制工作委员会"]
    assert doc.problems == []


def test_an_attachment_line_before_the_content_does_not_end_the_plan():
    doc = parse_plan("2025年度监督工作计划\n附件：议题安排表\n一、专题调研\n1.对养老服务开展调研。\n附件：调研安排表\n2.不是本计划的事项。\n")
    assert [i.title for i in doc.items] == ["对养老服务开展调研"]


def test_untitled_numbered_plan_is_accepted_with_a_problem():
    doc = parse_plan("一、专题调研\n1.对养老服务开展调研。(拟于5月份进行,由法工委负责)\n"
                     "2.对托育服务开展调研。(拟于6月份进行,由法工委负责)\n")
    assert doc.to_json()["plans"] == {"plan": 2}
    assert doc.problems[0].code == "no_title"


@pytest.mark.parametrize("title, key", [
    ("2025年度监督工作计划", "supervision"),
    ("濮阳市人大常委会2025年度工作要点", "work_points"),
    ("濮阳市人民代表大会常务委员会2025年度重大事项和项目决定工作计划", "decisions"),
    ("濮阳市人民代表大会常务委员会2025年度代表工作计划", "deputy_work"),
    ("安阳市人大常委会2025年立法工作计划", "legislation"),
    ("2025年度执法检查工作计划", "law_enforcement"),
    ("市人大常委会2025年度专题调研工作计划", "research"),
    ("2025年度讨论决定重大事项工作计划（草案）", "decisions"),
])
def test_plan_keys(title, key):
    doc = parse_plan(f"{title}\n一、第一部分\n1.开展某项工作。\n2.开展另一项工作。\n")
    assert [p.key for p in doc.plans] == [key]
    assert doc.plans[0].year == 2025


def test_issuer_on_previous_line_and_repeated_title_make_one_plan():
    doc = parse_plan("濮阳市人民代表大会常务委员会2025年度工作要点\n濮阳市人民代表大会常务委员会\n2025年度工作要点\n"
                     "一、加强学习\n1.加强理论学习。\n")
    assert [(p.key, p.title, p.line) for p in doc.plans] == [("work_points", "2025年度工作要点", 1)]


@pytest.mark.parametrize("head", [
    "濮阳市人民代表大会常务委员会2025年度重大事项和项目决定\n工作计划",
    "濮阳市人民代表大会常务委员会\n2025年度重大事项和项目\n决定工作计划",
    "濮阳市人民代表大会常务委员会\n\n2025年度重大事项和项目决定工作计划",
])
def test_a_title_split_over_lines_is_one_title(head):
    doc = parse_plan(head + "\n一、作出关于某事项的决定。（拟安排在4月份举行的常委会会议上进行，由常委会办公室负责）\n"
                     "二、作出关于另一事项的决定。（拟安排在6月份举行的常委会会议上进行，由常委会办公室负责）\n")
    assert [(p.key, p.title, p.year) for p in doc.plans] == [("decisions", "2025年度重大事项和项目决定工作计划", 2025)]
    assert [(i.section_no, i.seq, i.meeting_month) for i in doc.items] == [(0, 1, 4), (0, 2, 6)]


def test_two_plans_of_the_same_kind_get_distinct_keys():
    doc = parse_plan("2025年度监督工作计划\n1.开展调研。\n2.开展检查。\n2025年度专项监督工作计划\n1.开展询问。\n2.开展评议。\n")
    assert doc.to_json()["plans"] == {"supervision": 2, "supervision_2": 2}


# ---------------------------------------------------------------------------------------------
# Failures: one clear PlanFormatError, never a traceback
# ---------------------------------------------------------------------------------------------

_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
        b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.mark.parametrize("data, fragment", [
    (b"", "空"),
    (b"   \n\t\r\n  ", "空"),
    ("\u3000\u3000\n\n".encode("utf-8"), "空"),
    ("", "空"),
    ("  \n ", "空"),
    (_PNG, "PNG"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "Word"),
    (b"2025\xc4\xea\x00\x01\x02\x03binary", "二进制"),
    (random.Random(7).randbytes(4096), "纯文本"),
    (bytes(range(0x80, 0x100)) * 4, "纯文本"),
    ("那是一个春天的早晨，村口的老槐树又发了新芽。王大妈挎着篮子走过石桥，看见孩子们在河边追逐嬉戏。".encode("utf-8"), "没有找到"),
    ("id,name,month\n1,法治政府建设,4\n2,环境状况,4\n3,制造业倍增,6\n".encode("utf-8"), "没有找到"),
    ("濮阳市人大常委会\n2025年度监督工作计划\n".encode("gb18030"), "没有识别出"),
    (b"Dear colleagues,\nplease find the minutes attached.\n", "没有找到"),
])
def test_not_a_plan_raises_one_clear_error(data, fragment):
    with pytest.raises(PlanFormatError) as info:
        parse_plan(data)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02", _PNG, b"\xff\xff\xff\xff"])
def test_decode_rejects_non_text(data):
    with pytest.raises(PlanFormatError):
        decode_plan_bytes(data)


def test_plan_format_error_is_a_value_error():
    assert issubclass(PlanFormatError, ValueError)


def test_mangled_seed_never_raises_anything_else(seed_bytes):
    rng = random.Random(2024)
    lines = seed_bytes.decode("utf-8").split("\n")
    for _ in range(150):
        mangled = list(lines)
        for _ in range(rng.randint(1, 8)):
            op = rng.choice(["drop", "dup", "cut", "swap", "junk"])
            k = rng.randrange(len(mangled))
            if op == "drop" and len(mangled) > 1:
                del mangled[k]
            elif op == "dup":
                mangled.insert(k, mangled[k])
            elif op == "cut":
                mangled[k] = mangled[k][: rng.randrange(len(mangled[k]) + 1)]
            elif op == "swap":
                j = rng.randrange(len(mangled))
                mangled[k], mangled[j] = mangled[j], mangled[k]
            else:
                mangled[k] = "".join(rng.choice("（）()一、1.。，①—月由负责和 \t《》“") for _ in range(rng.randint(1, 30)))
        try:
            doc = parse_plan("\n".join(mangled))
        except PlanFormatError:
            continue
        data = doc.to_json()
        assert sum(data["plans"].values()) == len(data["items"])
        assert all(1 <= m <= 12 for i in data["items"] for m in i["months"])


# ---------------------------------------------------------------------------------------------
# The catalogue of bodies
# ---------------------------------------------------------------------------------------------

DOMAIN_BODIES = {
    "special_committee": ["监察和司法委员会", "财政预算委员会", "经济委员会", "城乡建设环境保护委员会",
                          "教育科学文化卫生委员会", "农业与农村委员会", "社会建设委员会"],
    "working_committee": ["常委会监察和司法工作委员会", "常委会财政预算工作委员会", "常委会财政经济工作委员会",
                          "常委会城乡建设环境保护工作委员会", "常委会教育科学文化卫生工作委员会", "常委会农村工作委员会",
                          "常委会社会建设工作委员会", "常委会法制工作委员会", "常委会民族宗教侨务外事工作委员会",
                          "常委会选举任免代表联络工作委员会"],
    "office": ["常委会办公室", "常委会调研室"],
}


def test_catalogue_is_the_nineteen_bodies_of_the_domain():
    assert len(BODY_CATALOG) == 19
    by_kind: dict[str, list[str]] = {}
    for spec in BODY_CATALOG:
        by_kind.setdefault(spec.kind, []).append(spec.name)
    assert by_kind == DOMAIN_BODIES
    short = {spec.name: spec.short_name for spec in BODY_CATALOG}
    assert short["常委会法制工作委员会"] == "法工委"
    assert short["常委会选举任免代表联络工作委员会"] == "选工委"
    assert short["常委会财政经济工作委员会"] == "财经工委"
    assert short["监察和司法委员会"] == "监司委"
    assert all(spec.short_name and isinstance(spec.aliases, tuple) for spec in BODY_CATALOG)


def test_every_alias_belongs_to_exactly_one_body():
    owners: dict[str, set[str]] = {}
    for spec in BODY_CATALOG:
        for spelling in (spec.name, spec.short_name, *spec.aliases):
            owners.setdefault(normalize_body_key(spelling), set()).add(spec.name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    mapping = default_alias_map()
    for spec in BODY_CATALOG:
        for spelling in (spec.name, spec.short_name, *spec.aliases):
            assert resolve_body(spelling, mapping) == spec.name, spelling


@pytest.mark.parametrize("written", ["选举任免代表联络工作委员会", "常委选举任免代表联络工作委员会", "选工委",
                                     "常委会选举任免代表联络工作委员会", "濮阳市人大常委会选工委"])
def test_seed_spellings_of_the_election_committee(written):
    assert resolve_body(written, default_alias_map()) == "常委会选举任免代表联络工作委员会"


@pytest.mark.parametrize("raw, key", [
    ("濮阳市人大常委会法工委", "法工委"),
    ("濮阳市人民代表大会常务委员会法制工作委员会", "法制工作委员会"),
    ("市人大 财经委", "财经委"),
    ("市人大常委会、办公室", "办公室"),
    ("县（区）人大常委会办公室", "办公室"),
    ("人大常委会法工委", "法工委"),
    ("常委会法制工作委员会", "法制工作委员会"),
    ("ＡＢＣ委员会", "ABC委员会"),
    ("市人大常委会", "市人大常委会"),
    ("常委选举任免代表联络工作委员会", "常委选举任免代表联络工作委员会"),
    ("监察和司法委员会", "监察和司法委员会"),
])
def test_normalize_body_key(raw, key):
    assert normalize_body_key(raw) == key


@pytest.mark.parametrize("short, full", [
    ("财经委", "财政经济委员会"), ("法工委", "法制工作委员会"), ("教科文卫委", "教育科学文化卫生委员会"),
    ("农委", "农业与农村委员会"), ("农业农村委", "农业与农村委员会"), ("预算工委", "预算工作委员会"),
    ("选联工委", "选举任免联络工作委员会"), ("代表工委", "代表工作委员会"), ("环资委", "环境与资源保护委员会"),
    ("内司委", "内务司法委员会"), ("监司委", "监察和司法委员会"), ("社建委", "社会建设委员会"),
    ("城建环保委", "城乡建设环境保护委员会"), ("民宗侨外委", "民族宗教侨务外事委员会"), ("办公厅", "常委会办公厅"),
    ("研究室", "常委会研究室"), ("市人大财经委", "财政经济委员会"), ("市人大常委会法工委", "法制工作委员会"),
    ("省人大常委会办公厅", "省人大常委会办公厅"),  # already the full name, with its level prefix
    ("  青年工作委员会 ", "青年工作委员会"), ("财政预算委员会", "财政预算委员会"),
])
def test_expand_short_form(short, full):
    assert expand_short_form(short) == full


def test_resolve_body_with_a_database_style_map():
    # The database map: normalized canonical names (and admin-added aliases) only.
    db_map = {normalize_body_key(spec.name): spec.name for spec in BODY_CATALOG}
    assert resolve_body("法工委", db_map) == "常委会法制工作委员会"  # via the standard short form
    assert resolve_body("选举任免代表联络工作委员会", db_map) == "常委会选举任免代表联络工作委员会"
    assert resolve_body("常委选举任免代表联络工作委员会", db_map) is None  # the typo needs its alias
    assert resolve_body("财经委", db_map) is None
    assert resolve_body("", db_map) is None
    raw_map = {spec.name: spec.name for spec in BODY_CATALOG}  # un-normalized keys still work
    assert resolve_body("市人大常委会法制工作委员会", raw_map) == "常委会法制工作委员会"


def test_seed_with_a_database_style_map_reports_only_the_typo(seed_bytes):
    db_map = {normalize_body_key(spec.name): spec.name for spec in BODY_CATALOG}
    doc = parse_plan(seed_bytes, db_map)
    assert [(p.line, p.code) for p in doc.problems] == [(79, "unknown_body")]
    assert find(doc, "supervision", 5, 1).bodies == ["常委选举任免代表联络工作委员会"]
    assert "常委选举任免代表联络工作委员会" in doc.problems[0].message


# ---------------------------------------------------------------------------------------------
# The JSON shape (CONTRACT.md "Plan JSON" plus extras)
# ---------------------------------------------------------------------------------------------

def test_json_shape(seed):
    data = seed.to_json()
    assert set(data) == {"year", "plans", "plan_titles", "items", "problems"}
    for item in data["items"]:
        assert set(item) == {"plan", "section_no", "section_title", "seq", "title", "months", "schedule",
                             "bodies", "text", "line", "meeting_month"}
        assert isinstance(item["months"], list) and isinstance(item["bodies"], list)
        assert item["title"] and not item["title"].endswith("。")
        assert item["plan"] in data["plans"]
    assert sum(data["plans"].values()) == len(data["items"])
