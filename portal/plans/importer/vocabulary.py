"""The words of the genre, written once: numbers, months and other time expressions, labels,
responsibility verbs, body suffixes, brackets, sentence and clause splitting, trimming.

Every stage decides on the *matching form* of the text (full-width ASCII folded to half width,
spaces beside Chinese text dropped) and returns text *as written*; `Src` holds both.
"""
from __future__ import annotations

import re
import unicodedata


# For *matching only*, full-width ASCII folds to half width so （一）/(一), ，/, and ：/: are one
# thing, odd spaces become spaces and spaces next to Chinese text go ("1. 听取", "(5 项)").
# Output is always sliced from the text as written (see Src): the portal shows and prints it.
FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x09: 0x20})
FOLD.update({c: 0x20 for c in range(0x2000, 0x200B)})
# Zero-width characters are never content: they go before anything else, from output too.
ZERO_WIDTH = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))


def clean(line: str) -> str:
    """The matching form of a line (what Src.line(line).norm is)."""
    s = re.sub(r" +", " ", line.translate(ZERO_WIDTH).translate(FOLD)).strip()
    return re.sub(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ", "", s)


class Src:
    """A piece of the document in two forms: `norm`, the matching form of clean, on which every
    decision is taken; and the text as written, which `out` slices for every field that is shown.

    pos[i] is the index in `orig` of the character that norm[i] came from, so a span found in
    `norm` maps to the same words as written: full-width punctuation kept, internal spaces kept,
    spaces at the ends of the span (indentation, layout) left out.
    """

    __slots__ = ("norm", "orig", "pos")

    def __init__(self, norm: str, orig: str, pos: list[int] | range):
        self.norm, self.orig, self.pos = norm, orig, pos

    @classmethod
    def line(cls, raw: str) -> Src:
        orig = raw.translate(ZERO_WIDTH)
        folded = orig.translate(FOLD)  # one character for one: indices stay those of `orig`
        if " " not in folded and not folded[:1].isspace() and not folded[-1:].isspace():
            return cls(folded, orig, range(len(folded)))  # most lines: nothing to drop
        chars: list[tuple[str, int]] = []
        for i, ch in enumerate(folded):
            if ch == " " and chars and chars[-1][0] == " ":
                continue  # a run of spaces counts as one
            chars.append((ch, i))
        chars = chars[slice(*trim_span("".join(ch for ch, _ in chars), 0, len(chars)))]
        kept = [(ch, i) for k, (ch, i) in enumerate(chars)
                if not (ch == " " and ((k and ord(chars[k - 1][0]) > 0x7F)
                                       or (k + 1 < len(chars) and ord(chars[k + 1][0]) > 0x7F)))]
        return cls("".join(ch for ch, _ in kept), orig, [i for _, i in kept])

    def out(self, a: int = 0, b: int | None = None) -> str:
        """The text as written of norm[a:b]."""
        b = len(self.norm) if b is None else min(b, len(self.norm))
        return self.orig[self.pos[a]:self.pos[b - 1] + 1] if a < b else ""

    def sub(self, a: int, b: int | None = None) -> Src:
        b = len(self.norm) if b is None else b
        return Src(self.norm[a:b], self.orig, self.pos[a:b])

    def __add__(self, other: Src) -> Src:
        """A line wrapped onto the next (text copied out of a PDF): joined without a space
        between Chinese characters; between two Latin words the line break was a space."""
        return Src.concat([self, other])

    @staticmethod
    def concat(parts: list[Src], sep: str | None = None) -> Src:
        """Join pieces: with `sep` (in both forms) or, by default, as wrapped lines."""
        if len(parts) == 1:
            return parts[0]
        norm, orig, pos = [], "", []
        for part in parts:
            written = part.out()
            if not written:
                continue
            if orig:
                if sep is not None:
                    norm.append(sep)
                    orig += sep
                    pos.append(len(orig) - 1)  # sep is one character
                elif wrap_space(orig[-1], written[0]):
                    orig += " "
            shift = len(orig) - part.pos[0]
            norm.append(part.norm)
            pos.extend(p + shift for p in part.pos)
            orig += written
        return Src("".join(norm), orig, pos)


def wrap_space(left: str, right: str) -> bool:
    return (left.isascii() and (left.isalpha() or left in ",;:.!?)")) and right.isascii() and right.isalpha()


# --- Trimming -------------------------------------------------------------------------------

CLOSING_PUNCTUATION = "。；;,，、:：.!?！？"


def trim_span(s: str, a: int, b: int, tail: str = "") -> tuple[int, int]:
    """s[a:b] without spaces at either end and without any of `tail` at its end."""
    while a < b and s[a].isspace():
        a += 1
    while b > a and (s[b - 1].isspace() or s[b - 1] in tail):
        b -= 1
    return a, b


def strip_span(s: str, a: int, b: int) -> tuple[int, int]:
    """s[a:b] without surrounding spaces and without its closing punctuation (。；，…)."""
    return trim_span(s, a, b, CLOSING_PUNCTUATION)


def strip_end(s: str) -> str:
    return s[slice(*strip_span(s, 0, len(s)))]


# --- Numbers ---------------------------------------------------------------------------------

CN_NUMERALS = "一二三四五六七八九十"
CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
            "八": 8, "九": 9}


def parse_number(s: str) -> int | None:
    """"12" -> 12, "十二" -> 12, "二〇二四" -> 2024, "①" -> 1."""
    if s.isdecimal():
        return int(s)
    if len(s) == 1 and s not in CN_DIGIT and s != "十":
        value = unicodedata.numeric(s, None)  # ①, ❶, ➀
        return int(value) if value else None
    try:
        if "十" in s:
            tens, _, ones = s.partition("十")
            return (CN_DIGIT[tens] if tens else 1) * 10 + (CN_DIGIT[ones] if ones else 0)
        value = 0
        for ch in s:
            value = value * 10 + CN_DIGIT[ch]
        return value
    except KeyError:
        return None


YEAR = re.compile(r"((?:19|20)\d{2}|[二][〇零][一二三四五六七八九〇零]{2})\s*年")

# --- Time expressions: every stage builds on these ---------------------------------------------

MONTH_NUMBER = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])"
MONTHISH = rf"{MONTH_NUMBER}\s*月"
PERIODS = "上半年|下半年|全年|年内|年底|年初|年中|年末"  # parts of the year that name no month
# Any time expression. A time preceded by 每 (每季度, 每月) is a frequency, not a time.
TIME_WORD = rf"{MONTHISH}|(?<!每)季度|{PERIODS}"
# A time that leads a sentence of running prose (5月份听取…, 7—8月对…, 4月、10月份…, 下半年开展…), with
# what may follow it before the sentence's verb.
_MONTH_OR_NUMBER = rf"{MONTH_NUMBER}(?:\s*月份?)?"
LEADING_TIME = re.compile(
    rf"^(?:于|在)?(?:{_MONTH_OR_NUMBER}(?:\s*(?:—+|-|~|～|至|到|、|和)\s*{_MONTH_OR_NUMBER})*(?<=[月份])"
    rf"(?:[上中下]旬|初|底|末|前)?|第?[一二三四1-4]季度|{PERIODS})\s*[,:]?\s*")
DASHES = {"—", "——", "–", "-", "~", "〜", "～", "―", "‐", "‒", "−", "至", "到"}
LIST_MARKS = {"、", ",", "和", "及", "与", "或"}
MONTH_TOKEN = re.compile(rf"(?<![\d{CN_NUMERALS}〇零第])({MONTH_NUMBER})(?!\d)\s*(月份|月)?")

# --- Labels, verbs and bodies ----------------------------------------------------------------

# A label is a role and what it labels, followed by ":": 责任单位：, 牵头部门：, 起草单位：, 提请时间：.
# The roles a unit has on an item: responsible, leading, assisting, organizing, drafting, reviewing
# (a 立法计划's 起草单位 / 审查单位), submitting, liaising, following up, researching, inspecting.
LABEL_ROLES = "责任|牵头|配合|承办|协办|参与|负责|实施|主办|组织|起草|审查|初审|提请|报请|联系|督办|调研|检查"
TIME_LABELS = ("时间安排|进度安排|时间节点|完成时限|办理时限|时限|"
               rf"(?:完成|计划|实施|安排|审议|拟安排|{LABEL_ROLES})?时间")
# The ":" that must follow decides the match; a bare role (承办：) is a label too.
BODY_LABELS = rf"(?:{LABEL_ROLES})(?:单位|部门|机构|委室|处室|委员会)|承办|牵头|主办|负责|配合|协办"
LABEL_RE = re.compile(rf"({BODY_LABELS}|{TIME_LABELS})\s*:")
LABEL_AT_START = re.compile(rf"^({BODY_LABELS}|{TIME_LABELS})\s*:")
# The short subject a schedule sentence may open with: 报告拟安排在…, 该项工作由…牵头.
SCHEDULE_SUBJECT = (r"(?:报告|该报告|检查报告|调研报告|执法检查|检查|调研|视察|专题询问|询问|评议|审议|该项工作|此项工作|"
                    r"该项|此项|工作)")
RESP_VERBS = r"共同负责|具体负责|负责|牵头|组织实施|组织开展|承办|做好|实施|办理|落实"
HELP_VERBS = r"配合|协助|参与|协办"
SUBMIT_VERBS = r"提请|起草|提出|报送|提交"
ADVERBS = r"(?:分别|共同|具体|联合|协同|统一|统筹)?\s*"
# Words that make a sentence or a clause part of a schedule (a parenthesis is judged by is_note).
SCHED_HINT = re.compile(rf"{TIME_WORD}|会议|拟|进行|实施|负责|牵头|承办|{BODY_LABELS}|{TIME_LABELS}:")
SCHED_TIME = re.compile(rf"{TIME_WORD}|会议")
# How the name of a responsible body ends: a committee, an office, or any other organ.
COMMITTEE_WORDS = "委员会|委"
OFFICE_WORDS = "办公室|办公厅|研究室|调研室"
COMMITTEE_SUFFIX = re.compile(rf"(?:{COMMITTEE_WORDS}|{OFFICE_WORDS})$")
BODY_SUFFIX = re.compile(
    rf"(?:{COMMITTEE_WORDS}|{OFFICE_WORDS}|室|厅|局|院|组|部|处|中心|单位|部门|机构|政府|常委会|代表团)$")
COMMITTEE_NAME = re.compile(
    rf"[\u4e00-\u9fff()]{{1,30}}(?:{COMMITTEE_WORDS})|[\u4e00-\u9fff()]{{0,30}}(?:{OFFICE_WORDS})")

# --- Brackets, sentences and clauses ---------------------------------------------------------

OPENERS, CLOSERS = "《“‘(「『【〔", "》”’)」』】〕"
STOPS = "。；;!?！？"
CLAUSE_STOPS = ",;，；。\n"


def _stops_outside_brackets(s: str, stops: str) -> list[int]:
    """Indices of the `stops` in s that stand outside 《》, “” and parentheses."""
    cuts, depth = [], 0
    for i, ch in enumerate(s):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        elif ch in stops and depth == 0:
            cuts.append(i)
    return cuts


def sentence_spans(s: str, stops: str = STOPS) -> list[tuple[int, int]]:
    """Sentences as (start, end), each with its stop, split at 。；!? (or `stops`) outside brackets."""
    ends = [i + 1 for i in _stops_outside_brackets(s, stops)]
    spans = list(zip([0, *ends], ends))
    if s[ends[-1] if ends else 0:].strip():
        spans.append((ends[-1] if ends else 0, len(s)))
    if len(spans) == 1 and any(ch in stops for ch in s[:-1]):
        # An unbalanced bracket swallowed every stop: split naively rather than not at all.
        spans = [(m.start(), m.end()) for m in re.finditer(rf"[^{stops}]+[{stops}]?", s)]
    return spans


def clause_spans(s: str) -> list[tuple[int, int]]:
    """Split a schedule note at , ; (outside brackets): (start, end) of each clause, trimmed."""
    cuts = _stops_outside_brackets(s, CLAUSE_STOPS)
    spans = [trim_span(s, a, b) for a, b in zip([0, *(c + 1 for c in cuts)], [*cuts, len(s)])]
    return [(a, b) for a, b in spans if a < b]


def clauses(s: str) -> list[str]:
    return [s[a:b] for a, b in clause_spans(s)]


def first_sentence(s: str) -> str:
    spans = sentence_spans(s)
    return strip_end(s[spans[0][0]:spans[0][1]]) if spans else ""


def months_in(s: str) -> list[int]:
    """Months named by a schedule phrase: 4月份, 7—8月, 4月、10月, 十二月份.

    Only months that are written count: a quarter or a half year (第三季度, 上半年) names no month,
    like 全年 or 年内 (CONTRACT "months"); the phrase stays in the schedule."""
    found: set[int] = set()
    tokens = list(MONTH_TOKEN.finditer(s))
    i = 0
    while i < len(tokens):
        # A run of numbers joined by dashes or list marks, e.g. "7—8月", "4、6、8月份", "4月和10月".
        run, links = [tokens[i]], []
        while i + 1 < len(tokens):
            gap = s[run[-1].end():tokens[i + 1].start()].strip()
            if gap in DASHES or gap in LIST_MARKS:
                links.append("range" if gap in DASHES else "list")
                run.append(tokens[i + 1])
                i += 1
            else:
                break
        i += 1
        last = max((k for k, t in enumerate(run) if t.group(2)), default=-1)
        if last < 0:
            continue
        values = [parse_number(t.group(1)) for t in run[:last + 1]]
        if not all(v and 1 <= v <= 12 for v in values):
            continue
        found.add(values[0])
        for k, link in enumerate(links[:last]):
            a, b = values[k], values[k + 1]
            if link == "range":
                found.update(range(a, b + 1) if a <= b else [*range(a, 13), *range(1, b + 1)])
            else:
                found.add(b)
    return sorted(found)


def join_wrapped(parts: list[tuple[Src, bool]]) -> list[Src]:
    """Lines (line, soft-wrapped) -> paragraphs: a soft-wrapped line joins the one before it."""
    out: list[Src] = []
    for src, soft in parts:
        if soft and out:
            out[-1] = out[-1] + src  # a wrapped line: joined without a space between Chinese characters
        else:
            out.append(src)
    return out
