"""The plan-text importer: the text of annual plans (年度工作要点、监督工作计划 …) in, items out.

A pure function (no Flask, no database) in three steps:

1. *classify* each line: blank, plan title, issuer name, note (adoption note, date, 附件),
   numbered line (with the rank of its numbering style), schedule line, or plain text;
2. *build* the structure of each plan: which numbered level is the sections and which is the
   items, decided from the shape of the document rather than from one fixed style;
3. *extract* each item's fields: title, schedule note, months, meeting month, bodies.

It is written for the genre (municipal 人大常委会 plans), not for one file: numbering styles,
full/half-width punctuation, schedules in parentheses, as a sentence or as labelled fields.
Anything it cannot place is reported as a ParseProblem, never silently dropped.

Decisions are taken on a normalized matching form of each line (full-width ASCII folded to half
width, spaces beside Chinese text dropped); every string it returns is sliced from the text as
written (see _Src), so a document written with （），：；“” comes out with exactly those.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .bodies import default_alias_map, expand_short_form, normalize_body_key


class Phrase(str):
    """A message (or a phrase inside one) in Chinese, the source language, marked for translation.

    The importer stays free of Flask: errors and problems keep their message template and its
    parameters, and the web UI translates them where it shows them (portal.plans.views.localized).
    Data parameters (titles, body names, snippets of the text) are plain str, shown as written.
    """


def N_(message: str) -> Phrase:
    """Mark `message` for `pybabel extract` (N_ is one of its default keywords); translated later."""
    return Phrase(message)


class PlanFormatError(ValueError):
    """The input is not a plan text at all: empty, binary, undecodable, or no plan in it.

    str(error) is the message in Chinese; `template` and `params` let the web UI translate it.
    """

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


@dataclass
class ParseProblem:
    """Something found in the text that could not be placed, with the 1-based line it is on."""

    line: int
    code: str  # unknown_body, count_mismatch, unnumbered_text, numbering_gap, duplicate_seq, empty_plan, no_title
    message: str  # in Chinese, with the line ("第4行：…"): for the CLI and the JSON report
    # The message without its line, marked N_, and its parameters: the web UI translates these.
    template: str = field(default="", compare=False)
    params: dict = field(default_factory=dict, compare=False)


def _problem(line: int, code: str, template: str, **params) -> ParseProblem:
    return ParseProblem(line, code, f"第{line}行：" + template % params, template, params)


@dataclass
class ParsedItem:
    """One work item (工作事项) of a plan.

    Text fields are as written: full-width punctuation （），：；“” and spaces inside a line kept;
    indentation and trailing spaces of lines dropped; a line wrapped onto the next (copied out
    of a PDF) joined without a space between Chinese characters. A plan typed with half- or
    full-width punctuation gives the same fields modulo that width. `line` is the 1-based line
    the item starts on.
    """

    plan: str
    section_no: int
    section_title: str
    seq: int
    title: str
    text: str
    months: list[int]
    schedule: str
    meeting_month: int | None
    bodies: list[str]
    line: int


@dataclass
class ParsedPlan:
    """One plan of the document (e.g. 2024年度监督工作计划); `sections` are (section_no, section_title)."""

    key: str
    title: str
    year: int | None
    line: int
    sections: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ParsedDocument:
    year: int | None
    plans: list[ParsedPlan]
    items: list[ParsedItem]
    problems: list[ParseProblem]

    def to_json(self) -> dict:
        """The "Plan JSON" of CONTRACT.md, plus text/line/meeting_month per item, problems and plan titles."""
        counts = {plan.key: 0 for plan in self.plans}
        for item in self.items:
            counts[item.plan] = counts.get(item.plan, 0) + 1
        return {
            "year": self.year,
            "plans": counts,
            "plan_titles": {plan.key: plan.title for plan in self.plans},
            "items": [
                {
                    "plan": i.plan,
                    "section_no": i.section_no,
                    "section_title": i.section_title,
                    "seq": i.seq,
                    "title": i.title,
                    "months": list(i.months),
                    "schedule": i.schedule,
                    "bodies": list(i.bodies),
                    "meeting_month": i.meeting_month,
                    "text": i.text,
                    "line": i.line,
                }
                for i in self.items
            ],
            "problems": [{"line": p.line, "code": p.code, "message": p.message} for p in self.problems],
        }


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------

_MSG_EMPTY = N_("文件是空的，没有可导入的计划内容。")
_MSG_BINARY = N_("文件不是纯文本（含有二进制内容）。请把计划另存为“纯文本（.txt）”后再导入。")
_MSG_UNDECODABLE = N_("无法识别文件的文字编码。请把计划另存为 UTF-8 或 GB18030（GBK）编码的纯文本后再导入。")
_MSG_NO_PLAN = N_("文件中没有找到工作计划：既没有计划标题（如“2025年度监督工作计划”），"
                  "也没有编号的工作事项（如“一、”“1.”）。")
_MSG_NOT_TEXT = N_("这是%(what)s，不是纯文本。请把计划另存为“纯文本（.txt）”后再导入。")

_MAGIC = (
    (b"\x89PNG", N_("PNG 图片")),
    (b"GIF8", N_("GIF 图片")),
    (b"\xff\xd8\xff", N_("JPEG 图片")),
    (b"%PDF", N_("PDF 文件")),
    (b"PK\x03\x04", N_("压缩包或 Word/Excel（.docx/.xlsx）文件")),
    (b"\xd0\xcf\x11\xe0", N_("Word/Excel（.doc/.xls）文件")),
    (b"{\\rtf", N_("RTF 文档")),
)


def _normalize_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub("[\u2028\u2029\x85\x0b\x0c]", "\n", text)


def _check_text(text: str) -> str:
    """Reject text that decoded but is really binary (control or unassigned characters)."""
    if "\x00" in text:
        raise PlanFormatError(_MSG_BINARY)
    odd = sum(1 for ch in text if ch != "\n" and ch != "\t" and (
        ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")))
    if odd > max(2, len(text) // 200):
        raise PlanFormatError(_MSG_BINARY)
    if not text.strip():
        raise PlanFormatError(_MSG_EMPTY)
    return text


def decode_plan_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 bytes -> text with "\\n" line ends."""
    data = bytes(data)
    if not data.strip():
        raise PlanFormatError(_MSG_EMPTY)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise PlanFormatError(_MSG_NOT_TEXT, what=what)
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        elif b"\x00" in data:
            # UTF-16 without a BOM (saved by some Windows editors): the NULs of ASCII characters
            # fall on one side of each byte pair; in binary data they fall anywhere.
            even, odd = data[0::2].count(0), data[1::2].count(0)
            lopsided = odd > 4 * even or even > 4 * odd
            if len(data) % 2 or not lopsided or max(even, odd) < max(2, len(data) // 200):
                raise PlanFormatError(_MSG_BINARY)
            try:
                text = data.decode("utf-16-le" if odd > even else "utf-16-be")
            except UnicodeDecodeError:
                raise PlanFormatError(_MSG_BINARY) from None
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise PlanFormatError(_MSG_UNDECODABLE) from None
    return _check_text(_normalize_newlines(text))


# ---------------------------------------------------------------------------------------------
# Step 1: line classification
# ---------------------------------------------------------------------------------------------

# For *matching only*, full-width ASCII folds to half width so （一）/(一), ，/, and ：/: are one
# thing, odd spaces become spaces and spaces next to Chinese text go ("1. 听取", "(5 项)").
# Output is always sliced from the text as written (see _Src): the portal shows and prints it.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0x09: 0x20})
_FOLD.update({c: 0x20 for c in range(0x2000, 0x200B)})
# Zero-width characters are never content: they go before anything else, from output too.
_ZERO_WIDTH = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF))


def _clean(line: str) -> str:
    """The matching form of a line (what _Src.line(line).norm is)."""
    s = re.sub(r" +", " ", line.translate(_ZERO_WIDTH).translate(_FOLD)).strip()
    return re.sub(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ", "", s)


class _Src:
    """A piece of the document in two forms: `norm`, the matching form of _clean, on which every
    decision is taken; and the text as written, which `out` slices for every field that is shown.

    pos[i] is the index in `orig` of the character that norm[i] came from, so a span found in
    `norm` maps to the same words as written: full-width punctuation kept, internal spaces kept,
    spaces at the ends of the span (indentation, layout) left out.
    """

    __slots__ = ("norm", "orig", "pos")

    def __init__(self, norm: str, orig: str, pos: list[int] | range):
        self.norm, self.orig, self.pos = norm, orig, pos

    @classmethod
    def line(cls, raw: str) -> _Src:
        orig = raw.translate(_ZERO_WIDTH)
        folded = orig.translate(_FOLD)  # one character for one: indices stay those of `orig`
        if " " not in folded and not folded[:1].isspace() and not folded[-1:].isspace():
            return cls(folded, orig, range(len(folded)))  # most lines: nothing to drop
        chars: list[tuple[str, int]] = []
        for i, ch in enumerate(folded):
            if ch == " " and chars and chars[-1][0] == " ":
                continue  # a run of spaces counts as one
            chars.append((ch, i))
        a, b = 0, len(chars)
        while a < b and chars[a][0].isspace():
            a += 1
        while b > a and chars[b - 1][0].isspace():
            b -= 1
        chars = chars[a:b]
        kept = [(ch, i) for k, (ch, i) in enumerate(chars)
                if not (ch == " " and ((k and ord(chars[k - 1][0]) > 0x7F)
                                       or (k + 1 < len(chars) and ord(chars[k + 1][0]) > 0x7F)))]
        return cls("".join(ch for ch, _ in kept), orig, [i for _, i in kept])

    def out(self, a: int = 0, b: int | None = None) -> str:
        """The text as written of norm[a:b]."""
        b = len(self.norm) if b is None else min(b, len(self.norm))
        return self.orig[self.pos[a]:self.pos[b - 1] + 1] if a < b else ""

    def sub(self, a: int, b: int | None = None) -> _Src:
        b = len(self.norm) if b is None else b
        return _Src(self.norm[a:b], self.orig, self.pos[a:b])

    def __add__(self, other: _Src) -> _Src:
        """A line wrapped onto the next (text copied out of a PDF): joined without a space
        between Chinese characters; between two Latin words the line break was a space."""
        return _Src.concat([self, other])

    @staticmethod
    def concat(parts: list[_Src], sep: str | None = None) -> _Src:
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
                elif _wrap_space(orig[-1], written[0]):
                    orig += " "
            shift = len(orig) - part.pos[0]
            norm.append(part.norm)
            pos.extend(p + shift for p in part.pos)
            orig += written
        return _Src("".join(norm), orig, pos)


def _wrap_space(left: str, right: str) -> bool:
    return (left.isascii() and (left.isalpha() or left in ",;:.!?)")) and right.isascii() and right.isalpha()


def _strip_span(s: str, a: int, b: int) -> tuple[int, int]:
    """s[a:b] without surrounding spaces and without its closing punctuation (。；，…)."""
    while a < b and s[a].isspace():
        a += 1
    while b > a and (s[b - 1].isspace() or s[b - 1] in "。；;,，、:：.!?！？"):
        b -= 1
    return a, b


BLANK, TITLE, ISSUER, NOTE, ATTACH, NUM, GROUP, LABEL, SCHED, TEXT = (
    "blank", "title", "issuer", "note", "attach", "num", "group", "label", "sched", "text")

# Numbering styles, ranked as Chinese official documents nest them: 一、 > （一） > 1. > （1） > 1) > ①.
# ① is never an item (rank _SUB): sub-points stay in their item's text.
_SUB = 9
_CN = "一二三四五六七八九十"
_MARKERS = (
    (1, re.compile(rf"^([{_CN}]{{1,3}})\s*[、.](?![{_CN}]+[类季等级])\s*(.*)$")),
    (2, re.compile(rf"^\(\s*([{_CN}]{{1,3}})\s*\)\s*[、.]?\s*(.*)$")),
    (3, re.compile(r"^(\d{1,3})\s*[、.](?!\d)\s*(.*)$")),
    (4, re.compile(r"^\(\s*(\d{1,3})\s*\)\s*[、.]?\s*(.*)$")),
    (5, re.compile(r"^(\d{1,3})\s*\)\s*(.*)$")),
    (_SUB, re.compile(r"^([\u2460-\u2473\u2776-\u277f\u2780-\u2793])\s*(.*)$")),
)

_CN_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}


def _number(s: str) -> int | None:
    """"12" -> 12, "十二" -> 12, "二〇二四" -> 2024, "①" -> 1."""
    if s.isdecimal():
        return int(s)
    if len(s) == 1 and s not in _CN_DIGIT and s != "十":
        value = unicodedata.numeric(s, None)  # ①, ❶, ➀
        return int(value) if value else None
    try:
        if "十" in s:
            tens, _, ones = s.partition("十")
            return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
        value = 0
        for ch in s:
            value = value * 10 + _CN_DIGIT[ch]
        return value
    except KeyError:
        return None


_TIME_LABELS = "时间安排|进度安排|时间节点|完成时限|完成时间|办理时限|计划时间|实施时间|安排时间|审议时间|时间"
_BODY_LABELS = ("责任单位|牵头单位|配合单位|承办单位|协办单位|参与单位|负责单位|实施单位|责任部门|牵头部门|配合部门|"
                "承办部门|责任机构|牵头机构|责任委室|牵头委室|配合委室|承办委室|牵头委员会|责任委员会|负责部门")
_LABEL = re.compile(rf"({_BODY_LABELS}|{_TIME_LABELS})\s*:")
_LABEL_AT_START = re.compile(rf"^({_BODY_LABELS}|{_TIME_LABELS})\s*:")

_MONTHISH = r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月"
# Words that make a sentence or a clause part of a schedule (a parenthesis is judged by _is_note).
_SCHED_HINT = re.compile(
    rf"{_MONTHISH}|季度|上半年|下半年|全年|年内|年底|年初|年中|年末|会议|拟|进行|实施|负责|牵头|承办|{_BODY_LABELS}|{_TIME_LABELS}:")
_SCHED_TIME = re.compile(rf"{_MONTHISH}|季度|半年|全年|年内|年底|年初|年中|年末|会议")
_MONTH_GROUP = re.compile(r"^(\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?\s*(?:\([^()]{0,30}\))?\s*:?$")
_YEAR = re.compile(r"((?:19|20)\d{2}|[二][〇零][一二三四五六七八九〇零]{2})\s*年")
_TITLE_TAIL = re.compile(r"(?:工作要点|要点|工作计划|计划|工作安排|工作重点)"
                         r"(?:\((?:草案|征求意见稿|讨论稿|送审稿|修改稿|修订稿|建议稿|初稿|试行)\))?$")
_PLAN_WORDS = re.compile(r"立法|监督|代表(?!大会)|重大事项|决定|工作要点|执法检查|调研|备案审查|询问|议题")
_ISSUER_TAIL = re.compile(r"(?:人民代表大会常务委员会|常务委员会|人大常委会|常委会|人民代表大会|委员会|办公室|办公厅|党组)$")
# A date line, possibly signed: "2024年2月5日印发", "濮阳市人大常委会办公室2025年1月20日".
_DATE_LINE = re.compile(r"^(?:[\u4e00-\u9fff()]{2,30}?(?:委员会|办公室|办公厅|常委会|党组))?"
                        r"(?:\d{4}|[二][〇零一二三四五六七八九]{3})年(?:\d{1,2}|[十一二三四五六七八九]{1,2})月"
                        r"(?:\d{1,2}|[十一二三四五六七八九]{1,3})日(?:印发|通过)?$")


def _is_adoption_note(s: str) -> bool:
    """(2024年1月10日市人大常委会第十次会议通过), (草案) — notes about the document, not items."""
    if not (s.startswith("(") and s.endswith(")")):
        return False
    inner = s[1:-1]
    if re.fullmatch(r"草案|征求意见稿|讨论稿|送审稿|修改稿|修订稿|建议稿|初稿|试行", inner):
        return True
    return (bool(re.search(r"通过|印发|批准", inner)) and bool(re.search(r"日|会议", inner))
            and not re.search(r"拟|负责|牵头|组织实施|提请|月份", inner))


def _is_title(s: str) -> bool:
    if not 4 <= len(s) <= 60 or re.search(r"[。,;:!?“”《》]", s):
        return False
    if not _TITLE_TAIL.search(s) or re.match(r"附|根据|关于|按照|为了|对|各|本|现将|经|以上|上述", s):
        return False
    return bool(_YEAR.search(s) or re.search(r"人大|常委会|常务委员会|人民代表大会", s) or _PLAN_WORDS.search(s))


@dataclass
class _Line:
    no: int  # 1-based line number
    kind: str
    src: _Src  # the whole line
    tsrc: _Src  # for NUM: the text after the number; otherwise the whole line
    rank: int = 0
    num: int = 0
    soft: bool = False  # content line that continues the previous one (which did not end a sentence)

    @property
    def text(self) -> str:  # matching forms
        return self.tsrc.norm

    @property
    def full(self) -> str:
        return self.src.norm

    @property
    def numbered(self) -> bool:
        return self.kind == NUM and self.rank < _SUB


def _classify(no: int, raw: str) -> _Line:
    src = _Src.line(raw)
    s = src.norm
    if not s:
        return _Line(no, BLANK, src, src)
    if re.match(r"附件|附表|附\s*[:\d]", s):
        return _Line(no, ATTACH, src, src)
    if (_is_adoption_note(s) or _DATE_LINE.match(s) or re.search(r"[〔\[]\d{4}[〕\]]\s*\d+\s*号$", s)
            or re.fullmatch(r"目\s*录", s) or re.match(r"(?:抄送|主送|报送|印发)\s*:", s)
            or re.search(r"\d{1,2}日印发$", s)):
        return _Line(no, NOTE, src, src)
    for rank, pattern in _MARKERS:
        m = pattern.match(s)
        if m:
            num = _number(m.group(1))
            if num:
                a, b = m.span(2)
                while a < b and s[a].isspace():
                    a += 1
                while b > a and s[b - 1].isspace():
                    b -= 1
                return _Line(no, NUM, src, src.sub(a, b), rank, num)
    group = _MONTH_GROUP.match(s)
    if group:  # "4月份(第十次常委会会议):" heads the items scheduled that month
        return _Line(no, GROUP, src, src, 0, _number(group.group(1)) or 0)
    if _LABEL_AT_START.match(s):
        return _Line(no, LABEL, src, src)
    if s.startswith("(") and s.endswith(")") and _is_note(s[1:-1]):
        return _Line(no, SCHED, src, src)
    if _is_title(s):
        return _Line(no, TITLE, src, src)
    if len(s) <= 40 and re.fullmatch(r"[\u4e00-\u9fff()]+", s) and _ISSUER_TAIL.search(s):
        return _Line(no, ISSUER, src, src)
    return _Line(no, TEXT, src, src)


def _join_split_titles(lines: list[_Line]) -> None:
    """A title broken over two or three short lines ("…2025年度重大事项和项目决定" / "工作计划")
    becomes one TITLE on its last line; the leading fragments are set aside as notes."""
    def short(ln: _Line) -> bool:
        return ln.kind in (TEXT, ISSUER, TITLE) and len(ln.text) <= 40 and not re.search(r"[。,;:!?]", ln.text)

    content = [ln for ln in lines if ln.kind != BLANK]
    for k, ln in enumerate(content):
        if ln.kind == TITLE or not short(ln):
            continue
        for width in (2, 3):
            group = content[k:k + width]
            if len(group) < width or not all(short(g) for g in group[1:]):
                break
            if any(g.kind == TITLE for g in group[1:-1]):
                break
            joined_src = _Src.concat([g.src for g in group])
            joined = joined_src.norm
            # A last line that is a title by itself is only extended by a real fragment, not by
            # an issuer's name on the line above (that case is handled when splitting plans).
            extends = group[-1].kind != TITLE or any(g.kind == TEXT for g in group[:-1])
            if extends and len(joined) <= 60 and _is_title(joined):
                for g in group[:-1]:
                    g.kind = NOTE
                group[-1].kind, group[-1].src = TITLE, joined_src
                group[-1].tsrc = joined_src
                break


def _terminated(s: str) -> bool:
    """Does the line end a sentence? If not, the next plain line is its soft-wrapped continuation."""
    s = s.rstrip("”’\"'")
    return bool(s) and s[-1] in "。！？!?；;：:)」』】"


# ---------------------------------------------------------------------------------------------
# Plan titles and keys
# ---------------------------------------------------------------------------------------------

_PLAN_KINDS = (
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
_ISSUER_PREFIX = re.compile(r"^.*?(?:人民代表大会常务委员会|人大常委会|常务委员会|常委会)")


def _year_of(s: str) -> int | None:
    m = _YEAR.search(s)
    return _number(m.group(1)) if m else None


def _plan_title_and_key(src: _Src) -> tuple[str, str]:
    """"濮阳市人民代表大会常务委员会2024年度工作要点" -> ("2024年度工作要点", "work_points").

    The title is returned as written; the key is decided on the matching form."""
    line = src.norm
    m = _ISSUER_PREFIX.match(line)
    start = m.end() if m else 0
    rest = line[start:]
    if not (rest and _TITLE_TAIL.search(rest)):
        start, rest = 0, line
    title = src.out(start)
    core = _YEAR.sub("", rest)
    core = re.sub(r"^度|\(.*?\)$", "", core)
    for key, pattern in _PLAN_KINDS:
        if re.search(pattern, core):
            return title, key
    # A bare "工作要点"/"工作计划" is the committee's general plan of the year.
    return title, "work_points" if re.fullmatch(r"[^\W\d]{0,4}?(?:工作)?(?:要点|计划|安排|重点)", core) else "other"


# ---------------------------------------------------------------------------------------------
# Step 3 helpers (used by step 2): sentences, schedule notes, months, bodies
# ---------------------------------------------------------------------------------------------

_OPENERS, _CLOSERS = "《“‘(「『【〔", "》”’)」』】〕"
_STOPS = "。；;!?！？"


def _sentence_spans(s: str) -> list[tuple[int, int]]:
    """Sentences as (start, end), split at 。；!? outside 《》, “” and parentheses."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in _STOPS and depth == 0:
            spans.append((start, i + 1))
            start = i + 1
    if s[start:].strip():
        spans.append((start, len(s)))
    if len(spans) == 1 and any(ch in _STOPS for ch in s[:-1]):
        # An unbalanced bracket swallowed every stop: split naively rather than not at all.
        spans = [(m.start(), m.end()) for m in re.finditer(rf"[^{_STOPS}]+[{_STOPS}]?", s)]
    return spans


def _strip_end(s: str) -> str:
    return s.strip().rstrip("。；;,，、:：.!?！？ ").strip()


def _first_sentence(s: str) -> str:
    spans = _sentence_spans(s)
    return _strip_end(s[spans[0][0]:spans[0][1]]) if spans else ""


def _first_sentence_out(src: _Src) -> str:
    """The first sentence as written, without its closing 。"""
    spans = _sentence_spans(src.norm)
    return src.out(*_strip_span(src.norm, *spans[0])) if spans else ""


def _trailing_note(p: str) -> tuple[int, int, int] | None:
    """A schedule note in parentheses at the end of a paragraph: (start of "(", start and end of
    its inner text)."""
    s = p.rstrip().rstrip("。；;.,")
    if not s.endswith(")"):
        return None
    depth = 0
    for i in range(len(s) - 1, -1, -1):
        if s[i] == ")":
            depth += 1
        elif s[i] == "(":
            depth -= 1
            if depth == 0:
                return (i, i + 1, len(s) - 1) if _is_note(s[i + 1:-1]) else None
    return None


_RESP_VERBS = r"共同负责|具体负责|负责|牵头|组织实施|组织开展|承办|做好|实施|办理|落实"
_HELP_VERBS = r"配合|协助|参与|协办"
_SUBMIT_VERBS = r"提请|起草|提出|报送|提交"
_ADVERBS = r"(?:分别|共同|具体|联合|协同|统一|统筹)?\s*"
_COMMITTEE_SUFFIX = re.compile(r"(?:委员会|委|办公室|办公厅|研究室|调研室)$")
_BODY_SUFFIX = re.compile(r"(?:委员会|委|办公室|办公厅|研究室|调研室|室|厅|局|院|组|部|处|中心|单位|部门|机构|政府|常委会|代表团)$")


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
# A time preceded by 每 (每季度, 每月) is a frequency, not a time.
_NOTE_TIME = re.compile(
    rf"{_MONTHISH}|(?<!每)季度|上半年|下半年|全年|年内|年底|年初|年中|年末"
    r"|(?:常委会|常务委员会)[^,;()]{0,12}?会议|会议上")
_NOTE_VERB = re.compile(
    rf"拟|安排|计划|预计|初定|暂定|定于|于[^,;]{{0,20}}?(?:进行|举行|完成|召开)|举行|完成|召开|提请"
    rf"|(?:{_NOTE_TIME.pattern})[份前底内中旬上下初末]*\s*(?:进行|开展|实施|审议|初审|调研|检查)")
_NOTE_RESP = re.compile(
    rf"由[^,;]{{0,40}}?(?:{_RESP_VERBS}|{_HELP_VERBS})|(?:{_BODY_LABELS}|{_TIME_LABELS})\s*:"
    rf"|(?:委员会|委|办公室|办公厅|研究室|调研室)\s*{_ADVERBS}(?:{_RESP_VERBS}|{_HELP_VERBS})")
_NOTE_BARE_TIME = re.compile(
    rf"(?:{_NOTE_TIME.pattern}|\d{{4}}\s*年|\d|[一二三四五六七八九十]|第|份|前|底|[上中下]旬|初|末"
    r"|[、,;—\-~至到和及与]|\s)+")
_COMMITTEE_NAME = re.compile(r"[\u4e00-\u9fff()]{1,30}(?:委员会|委)|[\u4e00-\u9fff()]{0,30}(?:办公室|办公厅|研究室|调研室)")


def _is_note(inner: str) -> bool:
    """Does the text of a parenthesis read like a schedule note? (See above.)"""
    inner = inner.strip()
    if not inner:
        return False
    if _NOTE_RESP.search(inner):
        return True
    if any(all(_COMMITTEE_NAME.fullmatch(n.strip()) for n in re.split(r"[、/]", c))
           for c in _clauses(inner)):
        return True  # （二季度，财经工委、预算工委）, （法工委）
    if not _NOTE_TIME.search(inner):
        return False
    return bool(_NOTE_VERB.search(inner)) or bool(_NOTE_BARE_TIME.fullmatch(inner))


def _is_sched_sentence(s: str) -> bool:
    """拟于5月份进行，由财经委负责组织实施。 — a schedule written as a sentence of its own."""
    s = _strip_end(s)
    if re.match(r"(?:拟|计划于|计划在|预计|初定|暂定|定于|安排在|安排于|时间安排)", s):
        return bool(_SCHED_HINT.search(s))
    if re.match(r"由", s):
        return bool(re.search(_RESP_VERBS, s))
    if re.match(rf"(?:于|在)?\s*(?:{_MONTHISH}|第?[一二三四1-4]季度|上半年|下半年|全年|年内|年底|年初)", s):
        return len(s) <= 50 and bool(re.search(
            rf"(?:进行|完成|实施|举行|召开|审议|负责|牵头|承办)$|由.+?(?:{_RESP_VERBS})|会议", s))
    return False


def _schedule_sentence_start(p: str, skip_first: bool) -> int | None:
    """Start of the trailing run of schedule sentences in a paragraph, or None."""
    spans = _sentence_spans(p)
    first = 1 if skip_first else 0
    start = None
    for k in range(len(spans) - 1, first - 1, -1):
        if not _is_sched_sentence(p[spans[k][0]:spans[k][1]]):
            break
        start = spans[k][0]
    return start


def _clause_spans(s: str) -> list[tuple[int, int]]:
    """Split a schedule note at , ; (outside brackets): (start, end) of each clause, trimmed."""
    cuts, depth = [], 0
    for i, ch in enumerate(s):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch in ",;，；。\n" and depth == 0:
            cuts.append(i)
    spans, start = [], 0
    for end in [*cuts, len(s)]:
        a, b = start, end
        while a < b and s[a].isspace():
            a += 1
        while b > a and s[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
        start = end + 1
    return spans


def _clauses(s: str) -> list[str]:
    return [s[a:b] for a, b in _clause_spans(s)]


def _looks_like_body(name: str) -> bool:
    return bool(_BODY_SUFFIX.search(name)) and not re.search(_MONTHISH + r"|季度|半年|拟|进行", name)


def _split_bodies(x: str, known) -> list[str]:
    """"A、B和C" -> [A, B, C]; but "监察和司法委员会" stays whole: 和/与/及 only split between bodies."""
    names = []
    for part in re.split(r"[、,;/]|会同", x):
        part = re.sub(r"^(?:及|以及|和|与)|等(?:单位|部门)?$", "", part.strip()).strip()
        if part:
            names.extend(_split_soft(part, known))
    return names


def _split_soft(x: str, known) -> list[str]:
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
            if all(p and (known(p) or _looks_like_body(p)) for p in parts):
                score = (len(parts), sum(1 for p in parts if known(p)))
                if best_score is None or score > best_score:
                    best, best_score = parts, score
    return best


def _bodies_of_clause(c: str, known, in_note: bool) -> list[str] | None:
    """Bodies named by one clause of a schedule, or None when the clause names none."""
    m = re.match(rf"由\s*(.+?)\s*{_ADVERBS}(?:{_RESP_VERBS})(.*)$", c)
    if m:
        names = _split_bodies(m.group(1), known)
        helper = re.match(rf"^[,、]?\s*(.+?)\s*(?:{_HELP_VERBS})", m.group(2))
        if helper and _looks_like_body(helper.group(1)):
            names += _split_bodies(helper.group(1), known)
        return names
    m = re.match(rf"(.+?)\s*{_ADVERBS}(?:{_RESP_VERBS}|{_HELP_VERBS})", c)
    if m and not m.group(1).startswith("由"):
        names = _split_bodies(m.group(1), known)
        if names and all(_looks_like_body(n) or known(n) for n in names):
            return names
    if in_note:
        # "(二季度，财经工委、预算工委)": a bare list of committees in a schedule note.
        names = _split_bodies(c, known)
        if names and all(known(n) or _COMMITTEE_SUFFIX.search(n) for n in names) and not _SCHED_TIME.search(c):
            return names
    return None


_Span = tuple[_Src, int, int]  # (region, start, end): a phrase of a schedule, located in its region


def _analyse_schedule(region: _Src, known, in_note: bool = False) -> tuple[list[_Span], list[str]]:
    """A schedule note/sentence -> (time phrases, body names as written).

    Decided on the matching form; the time phrases are returned as spans of the region so the
    schedule can be given as written."""
    text = region.norm
    # "由A，B负责": a 由 clause without its verb continues into the next clause.
    merged: list[tuple[str, int, int]] = []  # (matching text, start, end)
    for a, b in _clause_spans(text):
        c = text[a:b]
        if merged and merged[-1][0].startswith("由") and not re.search(
                rf"{_RESP_VERBS}|{_SUBMIT_VERBS}", merged[-1][0]):
            merged[-1] = (merged[-1][0] + "," + c, merged[-1][1], b)
        else:
            merged.append((c, a, b))
    times: list[_Span] = []
    names: list[str] = []
    mode = ""
    for c, a, b in merged:
        label = _LABEL_AT_START.match(c)
        if label:
            start = label.end()
            while start < len(c) and c[start].isspace():
                start += 1
            value = c[start:]
            if re.fullmatch(_TIME_LABELS, label.group(1)):
                if value:
                    exact = c == text[a:b]
                    times.append((region, a + start if exact else a, b))
                mode = "time"
            else:
                names += _split_bodies(value, known)
                mode = "body"
            continue
        if re.match(r"(?:牵头|责任|分管|联系|包联)领导\s*:", c):
            continue  # a leader's name, not a body
        if (re.search(_SUBMIT_VERBS, c) and not re.search(_RESP_VERBS, c)
                and not _SCHED_TIME.search(c)):
            continue  # (由)市政府提请: who submits it — neither a time nor a responsible body
        named = _bodies_of_clause(c, known, in_note)
        if named is not None:
            names += named
            mode = "body"
        elif mode == "body" and _looks_like_body(c):
            names += _split_bodies(c, known)  # "责任单位：A, B" split by a comma
        elif _SCHED_HINT.search(c) or re.search(r"适时|视情|择机|另行|待定|届时", c):
            times.append((region, a, b))
            mode = "time"
        # else: neither a time nor a body (形成调研报告): not part of the schedule
    return times, _as_written(region, names)


def _as_written(region: _Src, names: list[str]) -> list[str]:
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


def _schedule_text(times: list[_Span]) -> tuple[str, str]:
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


_DASHES = {"—", "——", "–", "-", "~", "〜", "～", "―", "‐", "‒", "−", "至", "到"}
_LISTS = {"、", ",", "和", "及", "与", "或"}
_MONTH_TOKEN = re.compile(rf"(?<![\d{_CN}〇零第])(\d{{1,2}}|十[一二]?|[一二三四五六七八九])(?!\d)\s*(月份|月)?")
_QUARTER = re.compile(r"第?([一二三四1-4])(?:\s*(?:、|,|和|至|到|—+|-|~)\s*第?([一二三四1-4]))?\s*季度")


def _months(s: str) -> list[int]:
    """Months named by a schedule phrase: 4月份, 7—8月, 4月、10月, 十二月份, 第三季度."""
    found: set[int] = set()
    tokens = list(_MONTH_TOKEN.finditer(s))
    i = 0
    while i < len(tokens):
        # A run of numbers joined by dashes or list marks, e.g. "7—8月", "4、6、8月份", "4月和10月".
        run, links = [tokens[i]], []
        while i + 1 < len(tokens):
            gap = s[run[-1].end():tokens[i + 1].start()].strip()
            if gap in _DASHES or gap in _LISTS:
                links.append("range" if gap in _DASHES else "list")
                run.append(tokens[i + 1])
                i += 1
            else:
                break
        i += 1
        last = max((k for k, t in enumerate(run) if t.group(2)), default=-1)
        if last < 0:
            continue
        values = [_number(t.group(1)) for t in run[:last + 1]]
        if not all(v and 1 <= v <= 12 for v in values):
            continue
        found.add(values[0])
        for k, link in enumerate(links[:last]):
            a, b = values[k], values[k + 1]
            if link == "range":
                found.update(range(a, b + 1) if a <= b else [*range(a, 13), *range(1, b + 1)])
            else:
                found.add(b)
    for m in _QUARTER.finditer(s):
        q1 = _number(m.group(1))
        q2 = _number(m.group(2)) if m.group(2) else q1
        for q in range(min(q1, q2), max(q1, q2) + 1):
            found.update(range(3 * q - 2, 3 * q + 1))
    return sorted(found)


_MEETING = re.compile(r"(?:常委会|常务委员会)([^,;]{0,12}?)会议|(?<!主任)(?<!党组)(?<!座谈)会议上")


def _is_meeting(clause: str) -> bool:
    return any(not (m.group(1) and re.search(r"主任|党组", m.group(1))) for m in _MEETING.finditer(clause))


def _meeting_month(schedule: str) -> int | None:
    """The month of the 常委会会议 the schedule puts the item on (拟安排在4月份举行的常委会会议上进行 -> 4)."""
    clauses = _clauses(schedule)
    for c in clauses:
        if _is_meeting(c):
            months = _months(c)
            if months:
                return months[0]
    if any(_is_meeting(c) for c in clauses):
        months = _months(schedule)
        if len(months) == 1:
            return months[0]
    return None


_COUNT = re.compile(r"\(\s*(?:共|计)?\s*(\d{1,3}|[一二三四五六七八九十两]{1,3})\s*(?:项|件|个|部|次)\s*\)\s*[:：]?$")
_CLOSING = re.compile(
    r"^(?:以上|上述|本计划|本要点|本工作|本年度|此外|另外|计划执行|在执行|执行中|执行过程|实施过程|工作中|"
    r"如遇|如因|如有|未尽|特此|请各|望各|希望各|要求各|注\s*:|说明\s*:|备注)"
    r"|^.{0,10}?各(?:专门|专委|委室|工作|有关|责任|牵头|承办|单位|部门|县)"
    r"|本计划|本要点|本工作计划|以上计划|上述计划|以上工作|上述工作|以上项目|上述项目|以上议题|上述议题")


def _count_cut(heading: str) -> tuple[int, int | None]:
    """"听取审议工作报告(19项)" -> (end of "听取审议工作报告", 19)."""
    m = _COUNT.search(heading)
    end = m.start() if m else len(heading)
    while end and (heading[end - 1] in ":：" or heading[end - 1].isspace()):
        end -= 1
    return end, (_number(m.group(1)) if m else None)


def _split_count(heading: str) -> tuple[str, int | None]:
    """"听取审议工作报告(19项)" -> ("听取审议工作报告", 19)."""
    end, declared = _count_cut(heading)
    return heading[:end], declared


def _strict_full(text: str) -> bool:
    """An item, not a heading: ends a sentence or holds one (…执法检查。重点检查：), or carries a schedule note."""
    t = text.rstrip()
    return (t.endswith(("。", ";", "；")) or "。" in t or _trailing_note(t) is not None or bool(_LABEL.search(t))
            or _schedule_sentence_start(t, True) is not None)


def _heading_like(text: str) -> bool:
    """A short sub-heading such as （一）助推经济稳进提质 (or …稳进提质。): one short phrase, no schedule."""
    t = text.rstrip().rstrip("。")
    return (len(t) <= 40 and not re.search(r"[。；;]", t) and _trailing_note(t) is None
            and not _LABEL.search(t) and _schedule_sentence_start(t, False) is None)


# ---------------------------------------------------------------------------------------------
# Step 2: structure
# ---------------------------------------------------------------------------------------------

@dataclass
class _Draft:
    line: int
    section_no: int
    section_title: str  # as written
    seq: int
    numbered: bool
    parts: list[tuple[_Src, bool]]  # (line, soft)
    inherited: _Src | None = None  # the schedule of the month heading the item stands under, if any


@dataclass
class _Block:
    key: str
    title: str
    year: int | None
    line: int
    lines: list[_Line] = field(default_factory=list)
    has_content: bool = False


def _split_plans(lines: list[_Line]) -> list[_Block]:
    blocks: list[_Block] = []
    cur: _Block | None = None
    prev: _Line | None = None
    for ln in lines:
        if ln.kind == TITLE:
            title, key = _plan_title_and_key(ln.src)
            year = _year_of(ln.text)
            if year is None and prev is not None and prev.kind in (TEXT, ISSUER):
                year = _year_of(prev.text) if re.search(r"年度?$", prev.text) else None
            if cur is not None and not cur.has_content:
                if cur.key == key:
                    # The same title again before any content (the seed repeats its first
                    # title after the issuer's name): one plan, not two.
                    cur.year = cur.year or year
                    prev = ln
                    continue
                blocks.remove(cur)  # a title with nothing under it (a cover, a contents line)
            cur = _Block(key, title, year, ln.no)
            blocks.append(cur)
        elif cur is not None:
            cur.lines.append(ln)
            cur.has_content = cur.has_content or ln.kind in (NUM, TEXT, LABEL, SCHED)
        if ln.kind != BLANK:
            prev = ln
    return blocks


def _units(lines: list[_Line]) -> list[_Line]:
    """Content lines of one plan; an attachment line (附件:…) ends the plan's body."""
    units: list[_Line] = []
    paragraph = ""  # the paragraph the previous content line belongs to
    for ln in lines:
        if ln.kind == BLANK:
            continue
        if ln.kind == ATTACH:
            if any(u.kind == NUM for u in units):
                break  # the attachments come after the plan
            continue
        if ln.kind == NOTE or ln.kind == TITLE:
            continue
        kind = ln.kind
        soft = kind not in (NUM, GROUP) and bool(units) and _continues(paragraph, ln.full)
        if kind == ISSUER:
            if not soft:
                continue  # an issuer's name or a signature, not content
            kind = TEXT  # a wrapped line that happens to end in 委员会
        units.append(replace(ln, kind=kind, soft=soft))
        paragraph = paragraph + ln.full if soft else ln.full
    return units


def _continues(paragraph: str, line: str) -> bool:
    """Is `line` the soft-wrapped rest of `paragraph` (text copied out of a PDF) or a new paragraph?"""
    if not paragraph or _terminated(paragraph):
        return False
    if sum(paragraph.count(c) for c in "(《“") > sum(paragraph.count(c) for c in ")》”"):
        return True  # inside a bracket: "…(拟" / "安排在6月份…)"
    if paragraph[-1] in "、,和与及的在于由对":
        return True  # cut after a word that cannot end a line
    if _LABEL_AT_START.match(line) or _is_sched_sentence(_first_sentence(line) or line):
        return False  # "新乡市养犬管理条例" / "由市政府提请，拟于…负责。"
    return len(paragraph.rsplit("\n", 1)[-1]) >= 20


class _PlanBuilder:
    """Turns one plan's lines into item drafts, deciding which numbered level holds the items."""

    def __init__(self, block: _Block, problems: list[ParseProblem]):
        self.block = block
        self.problems = problems
        self.sections: list[tuple[int, str]] = []
        self.drafts: list[_Draft] = []

    def build(self) -> None:
        units = _units(self.block.lines)
        if any(u.kind == GROUP for u in units) and not any(u.kind == NUM and u.rank == 1 for u in units):
            # Items grouped under month headings (4月份: 1. … 2. …) and no 一、 sections: the
            # month headings are the sections, numbered by their month.
            for u in units:
                if u.kind == GROUP:
                    u.kind, u.rank, u.tsrc = NUM, 0, u.src
        first = next((k for k, u in enumerate(units) if u.numbered), None)
        if first is None:
            # No numbered line: a plan that is one or more paragraphs. Not guessed at.
            return
        units = self._drop_closing(units[first:])  # preamble before the first number is not an item
        top = min(u.rank for u in units if u.numbered)
        tops = [u for u in units if u.numbered and u.rank == top]
        if self._top_level_is_items(units, top, tops):
            self._items(units, top, 0, "")
        else:
            self._sections(units, top)

    @staticmethod
    def _drop_closing(units: list[_Line]) -> list[_Line]:
        """After the last numbered line, a closing paragraph (以上计划…) ends the plan."""
        last = max(k for k, u in enumerate(units) if u.numbered)
        for k in range(last + 1, len(units)):
            u = units[k]
            if u.kind == TEXT and not u.soft and _CLOSING.search(u.text):
                return units[:k]
        return units

    @staticmethod
    def _top_level_is_items(units: list[_Line], top: int, tops: list[_Line]) -> bool:
        """一、 lines are items (the decisions plan) or section headings (everything else)?"""
        if any(_split_count(u.text)[1] is not None for u in tops):
            return False
        if any(u.numbered and u.rank > top for u in units):
            # Sub-numbered lines exist: the 一、 lines are items only when every one is a full item.
            return all(_strict_full(u.text) for u in tops)
        full = sum(1 for u in tops if _strict_full(u.text) or len(u.text) >= 60)
        if 2 * full >= len(tops):
            return True
        # Headings with prose under them are sections of one unnumbered item each; a bare
        # list of short numbered lines is a list of items.
        return not any(u.kind == TEXT and not u.soft and not _schedule_only(u.text) for u in units)

    def _sections(self, units: list[_Line], top: int) -> None:
        starts = [k for k, u in enumerate(units) if u.numbered and u.rank == top]
        for n, k in enumerate(starts):
            head = units[k]
            body = units[k + 1:starts[n + 1] if n + 1 < len(starts) else len(units)]
            heading = head.tsrc
            wrapped = body and body[0].kind == TEXT and body[0].soft and len(body[0].text) <= 40
            if wrapped and _COUNT.search(body[0].text):
                heading = heading + body[0].src  # a heading wrapped before its count
                body = body[1:]
            end, declared = _count_cut(heading.norm)
            title = heading.out(0, end)
            self.sections.append((head.num, title))
            before = len(self.drafts)
            inherited = heading.sub(0, end) if re.search(rf"{_MONTHISH}|季度", heading.norm[:end]) else None
            if any(u.numbered for u in body):
                self._items(body, self._item_rank(body), head.num, title, inherited)
            else:
                paragraphs = [u for u in body if u.kind != GROUP]
                if paragraphs:
                    # One unnumbered paragraph under a heading is that section's item (seq 1).
                    self.drafts.append(_Draft(paragraphs[0].no, head.num, title, 1, False,
                                              [(u.src, u.soft) for u in paragraphs], inherited))
            found = len(self.drafts) - before
            if declared is not None and declared != found:
                self.problems.append(_problem(
                    head.no, "count_mismatch", N_("“%(title)s”标明%(declared)s项，实际识别出%(found)s项，请核对。"),
                    title=title, declared=declared, found=found))

    @staticmethod
    def _item_rank(body: list[_Line]) -> int:
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
        if not all(_heading_like(u.text) for u in level):
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

    def _items(self, units: list[_Line], rank: int, section_no: int, section_title: str,
               inherited: _Src | None = None) -> None:
        cur: _Draft | None = None
        for u in units:
            if u.kind == GROUP:
                cur, inherited = None, u.src  # a month heading inside a section: its items' schedule
            elif u.numbered and u.rank == rank:
                cur = _Draft(u.no, section_no, section_title, u.num, True, [(u.tsrc, False)], inherited)
                self.drafts.append(cur)
            elif u.numbered and u.rank < rank:
                # A sub-heading between groups of items (（一）助推经济稳进提质 over 1. 2. …): the
                # contract has one section level, so it is not kept (see _item_rank).
                cur = None
            elif cur is not None:
                cur.parts.append((u.src, u.soft))
            elif u.kind == TEXT and not u.text.endswith((":", "：")):
                self.problems.append(_problem(
                    u.no, "unnumbered_text", N_("这段未编号的文字不属于任何事项，未导入：“%(text)s”"),
                    text=_snippet(u.src.out())))


def _schedule_only(text: str) -> bool:
    """A paragraph that is nothing but a schedule sentence (拟于5月份进行，由…负责。)."""
    return _schedule_sentence_start(text, False) == 0


def _snippet(s: str, n: int = 30) -> str:
    return s if len(s) <= n else s[:n] + "…"


# ---------------------------------------------------------------------------------------------
# Step 3: fields
# ---------------------------------------------------------------------------------------------

def _paragraphs(parts: list[tuple[_Src, bool]]) -> list[_Src]:
    out: list[_Src] = []
    for src, soft in parts:
        if soft and out:
            out[-1] = out[-1] + src  # a wrapped line: joined without a space between Chinese characters
        else:
            out.append(src)
    return out


def _title(paras: list[_Src], cut: tuple[int, int] | None) -> str:
    """The item's title as written, without its closing 。; "" when it has none of its own.

    With a schedule (`cut`: the paragraph and position where the first schedule note, label or
    sentence starts) the title is all the text before it, as the contract says — several
    sentences and inline sub-points (①…；②…) included. A schedule in a later paragraph, after
    the item's own lines of sub-points, leaves the first paragraph as the title, without a closing
    sentence that only introduces those sub-points (重点检查：). Without a schedule, a narrative
    item's title is its first sentence.
    """
    head = paras[0]
    if cut is None:
        return _first_sentence_out(head)
    k, start = cut
    if k == 0:
        return head.out(*_strip_span(head.norm, 0, start))  # "" when the paragraph is only its schedule
    end = len(head.norm)
    spans = _sentence_spans(head.norm)
    if len(spans) > 1 and head.norm.rstrip().endswith(":"):
        end = spans[-1][0]
    return head.out(*_strip_span(head.norm, 0, end))


def _item_fields(parts: list[tuple[_Src, bool]], known, inherited: _Src | None = None
                 ) -> tuple[str, str, str, list[int], int | None, list[str], str]:
    """(title, text, schedule, months, meeting_month, body names, first sentence) of one item, as written.

    Every decision is taken on the matching form (_clean); every string returned is sliced from
    the text as written."""
    paras = _paragraphs(parts)
    regions: list[tuple[int, int, _Src, bool]] = []  # (paragraph, start, schedule region, in parentheses)
    for k, p in enumerate(paras):
        note = _trailing_note(p.norm)
        if note:
            regions.append((k, note[0], p.sub(note[1], note[2]), True))
            break
    for k, p in enumerate(paras):
        m = _LABEL.search(p.norm)
        if m and not any(r[0] == k and r[1] <= m.start() for r in regions):
            regions.append((k, m.start(), p.sub(m.start()), False))
    if not regions:
        for k, p in enumerate(paras):
            start = _schedule_sentence_start(p.norm, skip_first=k == 0)
            if start is not None:
                regions.append((k, start, p.sub(start), False))
                break
    regions.sort(key=lambda r: (r[0], r[1]))
    title = _title(paras, (regions[0][0], regions[0][1]) if regions else None)
    times: list[_Span] = []
    names: list[str] = []
    for _, _, region, in_note in regions:
        t, b = _analyse_schedule(region, known, in_note)
        times += t
        names += b
    if not times and inherited is not None:
        # No time of its own: the month heading it stands under (4月份(第十次常委会会议):) is its time.
        end = len(inherited.norm)
        while end and inherited.norm[end - 1] in ": ":
            end -= 1
        t, b = _analyse_schedule(inherited.sub(0, end), known, True)
        times += t
        names = names or b
    matching, schedule = _schedule_text(times)
    text = _Src.concat(paras, "\n")
    first = "" if title else _first_sentence_out(text)  # for an item with no title of its own
    return title, text.out(), schedule, _months(matching), _meeting_month(matching), names, first


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------

def parse_plan(source: str | bytes, alias_map: Mapping[str, str] | None = None) -> ParsedDocument:
    """Parse the text of one or more annual plans. Raises PlanFormatError when there is no plan."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        text = decode_plan_bytes(bytes(source))
    else:
        if not source or not source.strip():
            raise PlanFormatError(_MSG_EMPTY)
        text = _check_text(_normalize_newlines(source.lstrip("\ufeff")))
    # Normalized once, so each look-up is two dict hits (resolve_body would re-normalize a raw map).
    mapping = {normalize_body_key(k): v for k, v in (default_alias_map() if alias_map is None else alias_map).items()}
    cache: dict[str, str | None] = {}

    def resolve(name: str) -> str | None:
        if name not in cache:
            keys = (normalize_body_key(name), normalize_body_key(expand_short_form(name)))
            cache[name] = next((mapping[k] for k in keys if k in mapping), None)
        return cache[name]

    def known(name: str) -> bool:
        # A catalogue body or a standard short form: used to decide where 和/与 split names.
        return resolve(name) is not None or expand_short_form(name) != name.strip()

    lines = [_classify(no, raw) for no, raw in enumerate(text.split("\n"), start=1)]
    _join_split_titles(lines)
    problems: list[ParseProblem] = []
    blocks = _split_plans(lines)
    implicit = not blocks
    if implicit:
        # No title line: accept the text as one untitled plan only if it is clearly a numbered plan.
        blocks = [_Block("plan", "", _year_of(text[:200]), 1, lines, True)]

    plans: list[ParsedPlan] = []
    items: list[ParsedItem] = []
    numbered: list[ParsedItem] = []
    used_keys: Counter[str] = Counter()
    for block in blocks:
        builder = _PlanBuilder(block, problems)
        builder.build()
        used_keys[block.key] += 1
        key = block.key if used_keys[block.key] == 1 else f"{block.key}_{used_keys[block.key]}"
        plans.append(ParsedPlan(key, block.title, block.year, block.line, builder.sections))
        if not builder.drafts:
            problems.append(_problem(block.line, "empty_plan", N_("计划“%(title)s”中没有识别出编号的工作事项。"),
                                     title=block.title or key))
        for draft in builder.drafts:
            item = _item(key, draft, known, resolve, problems)
            items.append(item)
            if draft.numbered:
                numbered.append(item)
        _check_numbering(builder.drafts, problems)

    if implicit:
        if len(numbered) < 2 or not (any(i.schedule for i in numbered) or len(numbered) >= 3):
            raise PlanFormatError(_MSG_NO_PLAN)
        problems.insert(0, _problem(1, "no_title", N_("没有找到计划标题，全文按一个未命名的计划（plan）导入。")))
    elif not items:
        titles = "、".join(f"“{p.title}”" for p in plans)
        raise PlanFormatError(N_("找到了计划标题%(titles)s，但其中没有识别出编号的工作事项（如“一、”“1.”）。"), titles=titles)

    years = Counter(p.year for p in plans if p.year)
    year = years.most_common(1)[0][0] if years else None
    problems.sort(key=lambda p: p.line)
    return ParsedDocument(year, plans, items, problems)


def _item(key: str, draft: _Draft, known, resolve, problems: list[ParseProblem]) -> ParsedItem:
    title, text, schedule, months, meeting, names, first = _item_fields(draft.parts, known, draft.inherited)
    # A section whose only content is a schedule note is itself the item: its heading names it.
    title = title or (draft.section_title if not draft.numbered else "") or first
    bodies: list[str] = []
    seen: set[str] = set()
    for raw in names:
        canonical = resolve(raw)
        # Unknown names are kept (full name if a standard short form, else as written) and reported.
        name = canonical or expand_short_form(raw)
        if normalize_body_key(name) in seen:
            continue
        seen.add(normalize_body_key(name))
        bodies.append(name)
        if canonical is None:
            if name == raw:
                problems.append(_problem(
                    draft.line, "unknown_body",
                    N_("责任单位“%(name)s”不在单位名录中，已按原文保留，请核对或为其添加别名。"), name=raw))
            else:
                problems.append(_problem(
                    draft.line, "unknown_body",
                    N_("责任单位“%(name)s（%(full)s）”不在单位名录中，已按原文保留，请核对或为其添加别名。"),
                    name=raw, full=name))
    return ParsedItem(key, draft.section_no, draft.section_title, draft.seq, title, text, months, schedule,
                      meeting, bodies, draft.line)


def _check_numbering(drafts: list[_Draft], problems: list[ParseProblem]) -> None:
    """Report numbers that skip or repeat: usually a line the parser could not recognise."""
    prev: _Draft | None = None
    seen: set[tuple[int, int]] = set()
    for d in drafts:
        if (d.section_no, d.seq) in seen:
            problems.append(_problem(d.line, "duplicate_seq", N_("序号%(seq)s在同一部分中重复出现。"), seq=d.seq))
        seen.add((d.section_no, d.seq))
        if not d.numbered:
            continue
        if prev is not None:
            restart = d.section_no != prev.section_no and d.seq == 1
            if not restart and d.seq != prev.seq + 1:
                problems.append(_problem(d.line, "numbering_gap",
                                         N_("序号%(seq)s与上一项序号%(prev)s不连续，请核对是否漏识别了事项。"),
                                         seq=d.seq, prev=prev.seq))
        elif d.seq != 1:
            problems.append(_problem(d.line, "numbering_gap",
                                     N_("第一项的序号是%(seq)s而不是1，请核对是否漏识别了事项。"), seq=d.seq))
        prev = d
