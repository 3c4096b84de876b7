"""Stage 3, structure: plans (by their titles), sections and items, decided from the shape of the
document rather than from one fixed numbering style.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .lines import (
    BLANK, CIRCLED_RANK, GROUP, ISSUER, LABEL, NUM, SCHED, SUB_RANK, TEXT, TITLE, TITLE_TAIL, Line, content_units,
)
from .results import N_, ParseProblem, problem_at
from .schedule import schedule_sentence_start, trailing_note
from .vocabulary import (
    LABEL_RE, LEADING_TIME, MONTHISH, YEAR, Src, join_wrapped, parse_number, sentence_spans, strip_end, strip_span,
    trim_span,
)


PLAN_KINDS = (
    ("legislation", r"立法"),
    ("supervision", r"监督"),
    ("decisions", r"重大事项|讨论决定|决定工作|决定事项"),
    ("deputy_work", r"代表(?!大会)"),
    ("law_enforcement", r"执法检查"),
    ("research", r"调研"),
    ("filing_review", r"备案审查"),
    ("inquiry", r"询问"),
    ("budget_review", r"预算"),
    ("appointments", r"任免"),
    ("publicity", r"宣传"),
    ("theory_research", r"理论研究"),
    ("party_building", r"党建|党组|党的建设"),
    ("agenda", r"议题"),
    ("petitions", r"信访"),
    ("organ_building", r"机关"),
)


ISSUER_PREFIX = re.compile(r"^.*?(?:人民代表大会常务委员会|人大常委会|常务委员会|常委会)")


def year_of(s: str) -> int | None:
    m = YEAR.search(s)
    return parse_number(m.group(1)) if m else None


def plan_title_and_key(src: Src) -> tuple[str, str]:
    """"濮阳市人民代表大会常务委员会2024年度工作要点" -> ("2024年度工作要点", "work_points").

    The title is returned as written; the key is decided on the matching form."""
    line = src.norm
    m = ISSUER_PREFIX.match(line)
    start = m.end() if m else 0
    rest = line[start:]
    if not (rest and TITLE_TAIL.search(rest)):
        start, rest = 0, line
    title = src.out(start)
    core = YEAR.sub("", rest)
    core = re.sub(r"^度|\(.*?\)$", "", core)
    for key, pattern in PLAN_KINDS:
        if re.search(pattern, core):
            return title, key
    # A bare "工作要点"/"工作计划" is the committee's general plan of the year.
    return title, "work_points" if re.fullmatch(r"[^\W\d]{0,4}?(?:工作)?(?:要点|计划|安排|重点)", core) else "other"


@dataclass
class Block:
    key: str
    title: str
    year: int | None
    line: int
    lines: list[Line] = field(default_factory=list)
    has_content: bool = False


def split_plans(lines: list[Line]) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    prev: Line | None = None
    for ln in lines:
        if ln.kind == TITLE:
            title, key = plan_title_and_key(ln.src)
            year = year_of(ln.text)
            if year is None and prev is not None and prev.kind in (TEXT, ISSUER):
                year = year_of(prev.text) if re.search(r"年度?$", prev.text) else None
            if cur is not None and not cur.has_content:
                if cur.key == key:
                    # The same title again before any content (the seed repeats its first
                    # title after the issuer's name): one plan, not two.
                    cur.year = cur.year or year
                    prev = ln
                    continue
                blocks.remove(cur)  # a title with nothing under it (a cover, a contents line)
            cur = Block(key, title, year, ln.no)
            blocks.append(cur)
        elif cur is not None:
            cur.lines.append(ln)
            cur.has_content = cur.has_content or ln.kind in (NUM, TEXT, LABEL, SCHED)
        if ln.kind != BLANK:
            prev = ln
    return blocks


@dataclass
class Draft:
    line: int
    section_no: int
    section_title: str  # as written
    seq: int
    numbered: bool
    parts: list[tuple[Src, bool]]  # (line, soft)
    inherited: Src | None = None  # the schedule of the month heading the item stands under, if any


class PlanBuilder:
    """Turns one plan's lines into item drafts, deciding which numbered level holds the items."""

    def __init__(self, block: Block, problems: list[ParseProblem]):
        self.block = block
        self.problems = problems
        self.sections: list[tuple[int, str]] = []
        self.drafts: list[Draft] = []

    def build(self) -> None:
        units = circled_items(content_units(self.block.lines))
        if any(u.kind == GROUP for u in units) and not any(u.kind == NUM and u.rank <= 1 for u in units):
            # Items grouped under month headings (4月份: 1. … 2. …) and no 一、 sections: the
            # month headings are the sections, numbered by their month.
            for u in units:
                if u.kind == GROUP:
                    u.kind, u.rank, u.tsrc = NUM, 0, u.src
        first = next((k for k, u in enumerate(units) if u.numbered), None)
        if first is None:
            # No numbered line: items only where the paragraphs are month-led running prose or each
            # carries its own schedule; other unnumbered paragraphs are not guessed at.
            self.drafts.extend(prose_drafts(units, 0, "") or _unnumbered_items(units, 0, "") or [])
            return
        units = self._drop_closing(units[first:])  # preamble before the first number is not an item
        # Month-led running prose under the headings (5月份听取…；听取…。9月份…): a plan written so
        # has no numbered items at all, so one such paragraph puts every heading in prose mode.
        self.prose = not any(u.numbered and u.rank > min(v.rank for v in units if v.numbered) for u in units) and any(
            u.kind == TEXT and not u.soft and _month_led(u.text) for u in units)
        top = min(u.rank for u in units if u.numbered)
        tops = [u for u in units if u.numbered and u.rank == top]
        if self._top_level_is_items(units, top, tops):
            self._items(units, top, 0, "")
        else:
            self._sections(units, top)

    prose = False

    @staticmethod
    def _drop_closing(units: list[Line]) -> list[Line]:
        """After the last numbered line, a closing paragraph (以上计划…) ends the plan."""
        last = max(k for k, u in enumerate(units) if u.numbered)
        for k in range(last + 1, len(units)):
            u = units[k]
            if u.kind == TEXT and not u.soft and CLOSING.search(u.text):
                return units[:k]
        return units

    @staticmethod
    def _top_level_is_items(units: list[Line], top: int, tops: list[Line]) -> bool:
        """一、 lines are items (the decisions plan) or section headings (everything else)?"""
        if any(split_count(u.text)[1] is not None for u in tops):
            return False
        if any(u.numbered and u.rank > top for u in units):
            # Sub-numbered lines exist: the 一、 lines are items only when every one is a full item.
            return all(strict_full(u.text) for u in tops)
        full = sum(1 for u in tops if strict_full(u.text) or len(u.text) >= 60)
        if 2 * full >= len(tops):
            return True
        # Headings with prose under them are sections of one unnumbered item each; a bare
        # list of short numbered lines is a list of items.
        return not any(u.kind == TEXT and not u.soft and not schedule_only(u.text) for u in units)

    def _sections(self, units: list[Line], top: int) -> None:
        starts = [k for k, u in enumerate(units) if u.numbered and u.rank == top]
        for n, k in enumerate(starts):
            head = units[k]
            body = units[k + 1:starts[n + 1] if n + 1 < len(starts) else len(units)]
            heading = head.tsrc
            wrapped = body and body[0].kind == TEXT and body[0].soft and len(body[0].text) <= 40
            if wrapped and COUNT.search(body[0].text):
                heading = heading + body[0].src  # a heading wrapped before its count
                body = body[1:]
            end, declared = count_cut(heading.norm)
            title = heading.out(0, end)
            self.sections.append((head.num, title))
            before = len(self.drafts)
            inherited = heading.sub(0, end) if re.search(rf"{MONTHISH}|季度", heading.norm[:end]) else None
            if any(u.numbered for u in body):
                self._items(body, self._item_rank(body), head.num, title, inherited)
            else:
                paragraphs = [u for u in body if u.kind != GROUP]
                prose = prose_drafts(paragraphs, head.num, title) if self.prose else None
                if self.prose and not prose:
                    # In a plan of month-led prose a heading's clauses may lead with a time that names
                    # no month (上半年对A开展调研；对B开展调研。); one such clause alone stays the
                    # section's item as written (全年开展备案审查工作。).
                    timed = prose_drafts(paragraphs, head.num, title, _time_led)
                    prose = timed if timed and len(timed) > 1 else None
                listed = _unnumbered_items(paragraphs, head.num, title)
                if prose:
                    self.drafts.extend(prose)
                elif listed:
                    self.drafts.extend(listed)
                elif paragraphs:
                    # One unnumbered paragraph under a heading is that section's item (seq 1).
                    self.drafts.append(Draft(paragraphs[0].no, head.num, title, 1, False,
                                              [(u.src, u.soft) for u in paragraphs], inherited))
            found = len(self.drafts) - before
            if declared is not None and declared != found:
                self.problems.append(problem_at(
                    head.no, "count_mismatch", N_("“%(title)s”标明%(declared)s项，实际识别出%(found)s项，请核对。"),
                    title=title, declared=declared, found=found))

    @staticmethod
    def _item_rank(body: list[Line]) -> int:
        """The items are the first numbered level under a heading — unless that level is only
        short sub-headings, each with its own numbered lines, numbered on through the section:
        then those numbered lines are the items.

        So a document of three levels (一、 parts, （一） sub-headings, 1. items numbered on
        through the plan, like the Xinyang booklet) gives the parts as sections and the 1. lines
        as items; the sub-headings are dropped, as the contract has one section level. Where the
        1. lines restart under each sub-heading they are sub-points, and the （一） lines the items.
        """
        ranks = sorted({u.rank for u in body if u.numbered})
        rank = ranks[0]
        if len(ranks) == 1:
            return rank
        level = [u for u in body if u.numbered and u.rank == rank]
        if not all(heading_like(u.text) for u in level):
            return rank
        deeper = ranks[1]
        groups, seqs = [], []
        for u in body:
            if u.numbered and u.rank == rank:
                groups.append(0)
            elif u.numbered and u.rank == deeper and groups:
                groups[-1] += 1
                seqs.append(u.num)
        if groups and all(groups) and len(set(seqs)) == len(seqs):
            return deeper
        return rank

    def _items(self, units: list[Line], rank: int, section_no: int, section_title: str,
               inherited: Src | None = None) -> None:
        cur: Draft | None = None
        for u in units:
            if u.kind == GROUP:
                cur, inherited = None, u.src  # a month heading inside a section: its items' schedule
            elif u.numbered and u.rank == rank:
                cur = Draft(u.no, section_no, section_title, u.num, True, [(u.tsrc, False)], inherited)
                self.drafts.append(cur)
            elif u.numbered and u.rank < rank:
                # A sub-heading between groups of items (（一）助推经济稳进提质 over 1. 2. …): the
                # contract has one section level, so it is not kept (see _item_rank).
                cur = None
            elif cur is not None:
                cur.parts.append((u.src, u.soft))
            elif u.kind == TEXT and not u.text.endswith((":", "：")):
                self.problems.append(problem_at(
                    u.no, "unnumbered_text", N_("这段未编号的文字不属于任何事项，未导入：“%(text)s”"),
                    text=snippet(u.src.out())))


COUNT = re.compile(r"\(\s*(?:共|计)?\s*(\d{1,3}|[一二三四五六七八九十两]{1,3})\s*(?:项|件|个|部|次)\s*\)\s*[:：]?$")


CLOSING = re.compile(
    r"^(?:以上|上述|本计划|本要点|本工作|本年度|此外|另外|计划执行|在执行|执行中|执行过程|实施过程|工作中|"
    r"如遇|如因|如有|未尽|特此|请各|望各|希望各|要求各|注\s*:|说明\s*:|备注)"
    r"|^.{0,10}?各(?:专门|专委|委室|工作|有关|责任|牵头|承办|单位|部门|县)"
    r"|本计划|本要点|本工作计划|以上计划|上述计划|以上工作|上述工作|以上项目|上述项目|以上议题|上述议题")


INTRODUCTION = re.compile(r"^(?:为|根据|按照|依据|依照|现将|结合)|[:：]$|如下$")


def count_cut(heading: str) -> tuple[int, int | None]:
    """"听取审议工作报告(19项)" -> (end of "听取审议工作报告", 19)."""
    m = COUNT.search(heading)
    end = trim_span(heading, 0, m.start() if m else len(heading), ":：")[1]
    return end, (parse_number(m.group(1)) if m else None)


def split_count(heading: str) -> tuple[str, int | None]:
    """"听取审议工作报告(19项)" -> ("听取审议工作报告", 19)."""
    end, declared = count_cut(heading)
    return heading[:end], declared


def strict_full(text: str) -> bool:
    """An item, not a heading: ends a sentence or holds one (…执法检查。重点检查：), or carries a schedule
    note — but a meeting with its date (第二十六次常委会会议（2月）) heads the items put on it."""
    t = text.rstrip()
    note = trailing_note(t)
    if note is not None and MEETING_NAME.fullmatch(t[:note[0]].strip()):
        return False
    return (t.endswith(("。", ";", "；")) or "。" in t or note is not None or bool(LABEL_RE.search(t))
            or schedule_sentence_start(t, True) is not None)


_ORDINAL = r"第[一二三四五六七八九十百零〇\d]+次"
MEETING_NAME = re.compile(
    rf"(?:{MONTHISH}份?)?(?:{_ORDINAL})?[\u4e00-\u9fff]{{0,8}}?(?:常委会|常务委员会)(?:{_ORDINAL})?(?:全体)?会议")


def heading_like(text: str) -> bool:
    """A short sub-heading such as （一）助推经济稳进提质 (or …稳进提质。): one short phrase, no schedule."""
    t = text.rstrip().rstrip("。")
    return (len(t) <= 40 and not re.search(r"[。；;]", t) and trailing_note(t) is None
            and not LABEL_RE.search(t) and schedule_sentence_start(t, False) is None)


def circled_items(units: list[Line]) -> list[Line]:
    """① lines that follow a heading (or open the plan, after its introduction) with nothing between
    are items, not the sub-points of an item: 一、听取和审议专项工作报告 / ①听取和审议…（…）/ ②…"""
    out: list[Line] = []
    opens = True  # the last numbered line was a heading (or there was none): ① lines here are items
    circled = False  # inside a run of ① lines made items
    numbers_seen = False
    for u in units:
        if u.numbered:
            opens, circled = heading_like(u.text), False
        elif u.kind == NUM and u.rank == SUB_RANK and (circled or (opens and not u.soft)):
            circled = True
            u = replace(u, rank=CIRCLED_RANK)
        elif not (u.soft or circled or (not numbers_seen and INTRODUCTION.search(u.text))):
            opens = False  # text under the heading first: any ① lines below are its sub-points
        numbers_seen = numbers_seen or u.kind == NUM
        out.append(u)
    return out


def schedule_only(text: str) -> bool:
    """A paragraph that is nothing but a schedule sentence (拟于5月份进行，由…负责。)."""
    return schedule_sentence_start(text, False) == 0


def snippet(s: str, n: int = 30) -> str:
    return s if len(s) <= n else s[:n] + "…"


def _time_led(text: str) -> bool:
    lead = LEADING_TIME.match(text)
    return bool(lead and len(text) > lead.end())


def _month_led(text: str) -> bool:
    lead = LEADING_TIME.match(text)
    return bool(lead and "月" in lead.group() and len(text) > lead.end())


def prose_drafts(units: list[Line], section_no: int, section_title: str, led=_month_led) -> list[Draft] | None:
    """Items of month-led running prose, or None when the paragraphs are not written so.

    5月份听取和审议县人民政府关于…的报告；听取和审议县人民检察院关于…的报告；关于…的报告。9月份听取…
    Each clause (split at ；) is an item, scheduled in the time that leads it or, failing that, in
    the time that led the clauses before it in the same sentence (split at 。): later clauses may
    drop the month and the verb. A time is never taken from another sentence. The items are
    numbered in order (seq). The prose starts at the first paragraph that `led` accepts (month-led;
    any time, 上半年 too, under a heading of a plan already known to be written so).
    """
    paragraphs = [u for u in units if u.kind in (TEXT, LABEL, SCHED)]
    first = next((k for k, u in enumerate(paragraphs) if not u.soft and led(u.text)), None)
    if first is None:
        return None
    # What comes before the first month-led paragraph introduces the plan; a closing paragraph
    # (以上监督工作，各承办委室要…) ends it.
    paragraphs = paragraphs[first:]
    end = next((k for k, u in enumerate(paragraphs) if not u.soft and CLOSING.search(u.text)), len(paragraphs))
    paragraphs = paragraphs[:end]
    drafts: list[Draft] = []
    starts = [u.no for u in paragraphs if not u.soft or u is paragraphs[0]]
    for line, paragraph in zip(starts, join_wrapped([(u.src, u.soft) for u in paragraphs])):
        for a, b in sentence_spans(paragraph.norm, "。!?！？"):
            sentence = paragraph.sub(a, b)
            if sentence.norm.rstrip().endswith(":") or not strip_end(sentence.norm):
                continue  # an introduction (重点开展以下工作：), not an item
            time = None  # the time that leads the sentence, until a clause leads with its own
            first_of_sentence = len(drafts)
            for clause in _prose_clauses(sentence):
                own = LEADING_TIME.match(clause.norm)
                rest = clause.sub(own.end()) if own else clause
                if own and len(drafts) > first_of_sentence and time and REPORT_HEARING.match(rest.norm):
                    # 5—6月对A开展执法检查，7月听取和审议执法检查报告: the hearing of the report of the
                    # work just named is part of that item's schedule, not an item of its own
                    hearing = clause.sub(*strip_span(clause.norm, 0, len(clause.norm)))
                    drafts[-1].inherited = Src.concat([time, hearing], "，")
                    continue
                if own:
                    time = clause.sub(0, _time_end(clause.norm, own))
                if strip_end(rest.norm):
                    drafts.append(Draft(line, section_no, section_title, len(drafts) + 1, False, [(rest, False)], time))
    return drafts


REPORT_HEARING = re.compile(r"(?:听取和审议|听取|审议)(?:执法检查|检查|专题调研|调研|视察)报告")


def _prose_clauses(sentence: Src) -> list[Src]:
    """The clauses of a sentence of prose, split at ；, and at a comma that a new month follows
    (6月份对A进行执法检查，9月份对B进行执法检查)."""
    clauses = []
    for c, d in sentence_spans(sentence.norm, "；;"):
        start = c
        for a, b in sentence_spans(sentence.norm[c:d], ","):
            if a and _month_led(sentence.norm[c + a:c + b]):
                clauses.append(sentence.sub(start, c + a))
                start = c + a
        clauses.append(sentence.sub(start, d))
    return clauses


def _time_end(text: str, lead: re.Match) -> int:
    return trim_span(text, 0, lead.end(), ",:")[1]


def _unnumbered_items(units: list[Line], section_no: int, section_title: str) -> list[Draft] | None:
    """Unnumbered items under a heading, one paragraph each, most with their own schedule note or
    labels (听取和审议…报告（责任单位：A；时间：4月）), numbered in order; None when few have one."""
    groups: list[list[Line]] = []
    for u in units:
        if u.kind == TEXT and not u.soft or not groups:
            groups.append([u])
        else:
            groups[-1].append(u)  # its wrapped lines, label lines and schedule lines
    def scheduled(group: list[Line]) -> bool:
        text = "".join(u.src.norm for u in group)
        return bool(trailing_note(text) or LABEL_RE.search(text) or schedule_sentence_start(text, True) is not None)

    # An introduction before the first item (为…，现将…安排如下：) and a closing paragraph are not items.
    while groups and not scheduled(groups[0]) and INTRODUCTION.search(groups[0][-1].text):
        groups.pop(0)
    end = next((k for k, g in enumerate(groups) if CLOSING.search(g[0].text)), len(groups))
    groups = groups[:end]
    # Most paragraphs with a schedule of their own: a list of items, some of which name none.
    if len(groups) < 2 or 2 * sum(1 for g in groups if scheduled(g)) < len(groups):
        return None
    return [Draft(group[0].no, section_no, section_title, seq, False, [(u.src, u.soft) for u in group])
            for seq, group in enumerate(groups, start=1)]
