"""Stage 4, schedule and responsibility: where an item's schedule is (a note in parentheses, a
labelled field, a sentence of its own) and what it says (time phrases, months, the meeting,
the responsible bodies as written).
"""
from __future__ import annotations

import re

from .vocabulary import (
    ADVERBS, BODY_LABELS, BODY_SUFFIX, COMMITTEE_NAME, COMMITTEE_SUFFIX, COMMITTEE_WORDS, HELP_VERBS,
    LABEL_AT_START, LABEL_RE, LEADING_TIME, OFFICE_WORDS, RESP_VERBS, SCHEDULE_SUBJECT, SCHED_HINT, SCHED_TIME,
    SUBMIT_VERBS, TIME_LABELS, TIME_WORD, Src, clause_spans, clauses, months_in, sentence_spans, strip_end,
    trim_span,
)


NOTE_BRACKETS = {")": "(", "】": "【", "]": "[", "〕": "〔"}


def trailing_note(p: str) -> tuple[int, int, int] | None:
    """A schedule note in brackets at the end of a paragraph — （…） mostly, 【…】 in some house
    styles: (start of the opening bracket, start and end of its inner text)."""
    s = p.rstrip().rstrip("。；;.,")
    close = s[-1:]
    if close not in NOTE_BRACKETS:
        return None
    opener, depth = NOTE_BRACKETS[close], 0
    for i in range(len(s) - 1, -1, -1):
        if s[i] == close:
            depth += 1
        elif s[i] == opener:
            depth -= 1
            if depth == 0:
                return (i, i + 1, len(s) - 1) if is_note(s[i + 1:-1]) else None
    return None


# What makes a parenthesis a schedule note rather than part of the text, as in
# 举办两期代表履职培训班（上半年、下半年各一期） — a time, but no schedule. A note is one of:
# - a time expression AND a scheduling verb (拟/安排/计划/于…进行/举行/完成/召开/提请, or a verb right
#   after the time: 4月份初审) — （拟于5月份进行）;
# - a responsibility phrase (由…负责/牵头/承办/组织实施/配合, "法工委负责", a 责任单位: label) or a bare
#   list of committee names, with or without a time — （由法工委负责组织实施）, （二季度，财经工委）.
#   Without a time it gives the item's bodies and an empty schedule: naming who is responsible
#   is what a note is for, and the portal needs the bodies to assign the item;
# - nothing but a time expression — （4月）, （7—8月份）, （第二季度）: a bare date after an item reads
#   as its schedule; （上半年、下半年各一期） is not bare (各一期 says how often, not when).
NOTE_TIME = re.compile(rf"{TIME_WORD}|(?:常委会|常务委员会)[^,;()]{{0,12}}?会议|会议上")
NOTE_VERB = re.compile(
    rf"拟|安排|计划|预计|初定|暂定|定于|于[^,;]{{0,20}}?(?:进行|举行|完成|召开)|举行|完成|召开|提请"
    rf"|(?:{NOTE_TIME.pattern})[份前底内中旬上下初末]*\s*(?:进行|开展|实施|审议|初审|调研|检查)")
NOTE_RESP = re.compile(
    rf"由[^,;]{{0,40}}?(?:{RESP_VERBS}|{HELP_VERBS})|(?:{BODY_LABELS}|{TIME_LABELS})\s*:"
    rf"|(?:{COMMITTEE_WORDS}|{OFFICE_WORDS})\s*{ADVERBS}(?:{RESP_VERBS}|{HELP_VERBS})")
NOTE_BARE_TIME = re.compile(
    rf"(?:{NOTE_TIME.pattern}|\d{{4}}\s*年|\d|[一二三四五六七八九十]|第|份|前|底|[上中下]旬|初|末"
    r"|[、,;—\-~至到和及与]|\s)+")


def is_note(inner: str) -> bool:
    """Does the text of a parenthesis read like a schedule note? (See above.)"""
    inner = inner.strip()
    if not inner:
        return False
    if NOTE_RESP.search(inner):
        return True
    if any(all(COMMITTEE_NAME.fullmatch(n.strip()) for n in re.split(r"[、/]", c))
           for c in clauses(inner)):
        return True  # （二季度，财经工委、预算工委）, （法工委）
    if not NOTE_TIME.search(inner):
        return False
    return bool(NOTE_VERB.search(inner)) or bool(NOTE_BARE_TIME.fullmatch(inner))


def is_schedule_sentence(s: str) -> bool:
    """拟于5月份进行，由财经委负责组织实施。 — a schedule written as a sentence of its own, maybe with a
    short subject first (报告拟安排在9月份…, 执法检查拟于4—5月份进行, 执法检查于5月至6月进行)."""
    s = strip_end(s)
    if re.match(rf"{SCHEDULE_SUBJECT}?\s*(?:拟|计划于|计划在|预计|初定|暂定|定于|安排在|安排于|时间安排)"
                rf"|{SCHEDULE_SUBJECT}\s*于", s):
        return bool(SCHED_HINT.search(s))
    if re.match(rf"{SCHEDULE_SUBJECT}?\s*由", s):
        # 由A负责 names who is responsible; 由市政府提请，拟于8月份审议 says who submits it, and when
        return bool(re.search(RESP_VERBS, s) or (re.search(SUBMIT_VERBS, s) and SCHED_TIME.search(s)))
    if LEADING_TIME.match(s):
        return len(s) <= 50 and bool(re.search(
            rf"(?:进行|完成|实施|举行|召开|审议|负责|牵头|承办)$|由.+?(?:{RESP_VERBS})|会议", s))
    return False


def schedule_sentence_start(p: str, skip_first: bool) -> int | None:
    """Start of the trailing run of schedule sentences in a paragraph, or None.

    The run may begin with the last clauses of the sentence before it (…开展立法后评估，拟于5—7月进行。
    由…负责组织实施。) or of the item's only sentence (听取和审议…的报告，由…负责做好相关工作。): a clause
    after a comma that opens with 拟 or 由 like a schedule sentence. A narrative item of several
    sentences without a schedule sentence keeps its clauses (…，由选工委牵头做好督办工作 is its text)."""
    spans = sentence_spans(p)
    first = 1 if skip_first else 0
    start = None
    k = len(spans) - 1
    while k >= first and is_schedule_sentence(p[spans[k][0]:spans[k][1]]):
        start = spans[k][0]
        k -= 1
    if k >= 0 and (start is not None or len(spans) == 1):
        a, b = spans[k]
        clause_starts = [a + c for c, _ in sentence_spans(p[a:b], ",")][1:]
        for c in reversed(clause_starts):
            clause = p[c:b if start is None else min(start, b)]  # up to the schedule found so far
            if not (SCHEDULE_CLAUSE.match(clause) and is_schedule_sentence(clause)):
                break
            start = c
    return start


# How a schedule clause after a comma opens: 拟于…, 由…负责 (with maybe a short subject: 报告拟…).
SCHEDULE_CLAUSE = re.compile(rf"{SCHEDULE_SUBJECT}?\s*(?:拟|由)")


def looks_like_body(name: str) -> bool:
    return bool(BODY_SUFFIX.search(name)) and not re.search(rf"{TIME_WORD}|拟|进行", name)


def split_bodies(x: str, known) -> list[str]:
    """"A、B和C" -> [A, B, C]; but "监察和司法委员会" stays whole: 和/与/及 only split between bodies."""
    names = []
    for part in re.split(r"[、,;/]|会同", x):
        # "财经委（牵头）": the body's role on the item is not part of its name.
        part = re.sub(r"\((?:牵头|配合|协办|主办|参与|负责|承办)(?:单位)?\)", "", part)
        part = re.sub(r"^(?:及|以及|和|与)|等(?:单位|部门)?$", "", part.strip()).strip()
        if part:
            names.extend(split_soft(part, known))
    return names


def split_soft(x: str, known) -> list[str]:
    if known(x):
        return [x]
    cuts = [(m.start(), m.end()) for m in re.finditer(r"以及|和|与|及", x)]
    if len(cuts) > 8:
        return [x]  # not a list of bodies anyone writes; do not search 2^n partitions
    # Best partition at the soft separators: every part a body, as many parts as possible,
    # preferring parts the catalogue knows. Few separators, so trying all subsets is cheap.
    best, best_score = [x], None
    for mask in range(1, 1 << len(cuts)):
        parts, pos = [], 0
        for k, (a, b) in enumerate(cuts):
            if mask >> k & 1:
                if a <= pos:
                    break
                parts.append(x[pos:a])
                pos = b
        else:
            parts.append(x[pos:])
            if all(p and (known(p) or looks_like_body(p)) for p in parts):
                score = (len(parts), sum(1 for p in parts if known(p)))
                if best_score is None or score > best_score:
                    best, best_score = parts, score
    return best


def bodies_of_clause(c: str, known, in_note: bool) -> list[str] | None:
    """Bodies named by one clause of a schedule, or None when the clause names none."""
    m = re.match(rf"由\s*(.+?)\s*{ADVERBS}(?:{RESP_VERBS})(.*)$", c)
    if m:
        names = split_bodies(m.group(1), known)
        helper = re.match(rf"^[,、]?\s*(.+?)\s*(?:{HELP_VERBS})", m.group(2))
        if helper and looks_like_body(helper.group(1)):
            names += split_bodies(helper.group(1), known)
        return names
    m = re.match(rf"(.+?)\s*{ADVERBS}(?:{RESP_VERBS}|{HELP_VERBS})", c)
    if m and not m.group(1).startswith("由"):
        names = split_bodies(m.group(1), known)
        if names and all(looks_like_body(n) or known(n) for n in names):
            return names
    if in_note:
        # "(二季度，财经工委、预算工委)": a bare list of committees in a schedule note.
        names = split_bodies(c, known)
        if names and all(known(n) or COMMITTEE_SUFFIX.search(n) for n in names) and not SCHED_TIME.search(c):
            return names
    return None


Span = tuple[Src, int, int]  # (region, start, end): a phrase of a schedule, located in its region


def _label_spans(text: str) -> list[tuple[int, int]]:
    """Clauses of a schedule, also cut before a label that follows without punctuation
    (（责任单位：财经委 时间：12月）: the space is gone in the matching form)."""
    spans = []
    for a, b in clause_spans(text):
        cuts = [m.start() for m in LABEL_RE.finditer(text, a, b) if m.start() > a]
        for start, end in zip([a, *cuts], [*cuts, b]):
            spans.append((start, end))
    return spans


def analyse_schedule(region: Src, known, in_note: bool = False) -> tuple[list[Span], list[str]]:
    """A schedule note/sentence -> (time phrases, body names as written).

    Decided on the matching form; the time phrases are returned as spans of the region so the
    schedule can be given as written."""
    text = region.norm
    # "由A，B负责": a 由 clause without its verb continues into the next clause.
    merged: list[tuple[str, int, int]] = []  # (matching text, start, end)
    for a, b in _label_spans(text):
        subject = re.match(rf"{SCHEDULE_SUBJECT}(?=由)", text[a:b])
        a += subject.end() if subject else 0  # 该项工作由A牵头: the subject is neither time nor body
        c = text[a:b]
        if merged and merged[-1][0].startswith("由") and not re.search(
                rf"{RESP_VERBS}|{SUBMIT_VERBS}", merged[-1][0]):
            merged[-1] = (merged[-1][0] + "," + c, merged[-1][1], b)
        else:
            merged.append((c, a, b))
    times: list[Span] = []
    names: list[str] = []
    mode = ""
    for c, a, b in merged:
        label = LABEL_AT_START.match(c)
        if label:
            start = trim_span(c, label.end(), len(c))[0]
            value = c[start:]
            if re.fullmatch(TIME_LABELS, label.group(1)):
                if value:
                    exact = c == text[a:b]
                    times.append((region, a + start if exact else a, b))
                mode = "time"
            else:
                names += split_bodies(value, known)
                mode = "body"
            continue
        if re.match(r"(?:牵头|责任|分管|联系|包联)领导\s*:", c):
            continue  # a leader's name, not a body
        if (re.search(SUBMIT_VERBS, c) and not re.search(RESP_VERBS, c)
                and not SCHED_TIME.search(c)):
            continue  # (由)市政府提请: who submits it — neither a time nor a responsible body
        named = bodies_of_clause(c, known, in_note)
        if named is not None:
            names += named
            mode = "body"
        elif mode == "body" and looks_like_body(c):
            names += split_bodies(c, known)  # "责任单位：A, B" split by a comma
        elif SCHED_HINT.search(c) or re.search(r"适时|视情|择机|另行|待定|届时", c):
            times.append((region, a, b))
            mode = "time"
        # else: neither a time nor a body (形成调研报告): not part of the schedule
    return times, as_written(region, names)


def as_written(region: Src, names: list[str]) -> list[str]:
    """Body names found in the matching form of a region -> the same names as written."""
    out, cursor = [], 0
    for name in names:
        i = region.norm.find(name, cursor)
        if i < 0:
            i = region.norm.find(name)
        if i < 0:
            out.append(name)
            continue
        out.append(region.out(i, i + len(name)))
        cursor = i + len(name)
    return out


def schedule_text(times: list[Span]) -> tuple[str, str]:
    """(matching form, as written) of a schedule made of time phrases: joined by the separator the
    text itself uses between them (，or ,), or by the document's comma where they are apart."""
    norm, written = [], []
    for k, (region, a, b) in enumerate(times):
        if k:
            prev, _, pb = times[k - 1]
            between = region.out(pb, a).strip() if prev is region else ""
            if between[:1] in ("，", ",", "；", ";", "、"):
                sep = between[0]
            else:
                sep = "，" if re.search("[，（）：；]", region.orig) else ","
            norm.append(",")
            written.append(sep)
        norm.append(region.norm[a:b])
        written.append(region.out(a, b))
    return "".join(norm), "".join(written)


MEETING = re.compile(r"(?:常委会|常务委员会)([^,;]{0,12}?)会议|(?<!主任)(?<!党组)(?<!座谈)会议上")


def is_meeting(clause: str) -> bool:
    return any(not (m.group(1) and re.search(r"主任|党组", m.group(1))) for m in MEETING.finditer(clause))


def meeting_month_of(schedule: str) -> int | None:
    """The month of the 常委会会议 the schedule puts the item on (拟安排在4月份举行的常委会会议上进行 -> 4)."""
    parts = clauses(schedule)
    for c in parts:
        if is_meeting(c):
            months = months_in(c)
            if months:
                return months[0]
    if any(is_meeting(c) for c in parts):
        months = months_in(schedule)
        if len(months) == 1:
            return months[0]
    return None
