"""Stage 2, lines: each line classified (blank, plan title, issuer, note, numbered line with the
rank of its numbering style, month heading, label, schedule, text), then the content lines of a
plan with soft-wrapped lines marked as continuations.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .schedule import NOTE_BRACKETS, is_note, is_schedule_sentence, looks_like_body
from .vocabulary import (
    BODY_LABELS, CN_NUMERALS, LABEL_AT_START, LEADING_TIME, MONTH_NUMBER, TIME_LABELS, YEAR, Src, clean, first_sentence,
    parse_number, trim_span,
)


BLANK, TITLE, ISSUER, NOTE, ATTACH, NUM, GROUP, LABEL, SCHED, TEXT = (
    "blank", "title", "issuer", "note", "attach", "num", "group", "label", "sched", "text")

# Numbering styles, ranked as Chinese official documents nest them: 第一部分 > 一、 > （一）/第一项 > 1.
# > （1） > 1) > ①. ① is a sub-point (rank SUB_RANK) that stays in its item's text, unless the ① lines
# stand right under a heading: then they are that heading's items (rank CIRCLED_RANK, see
# circled_items).
CIRCLED_RANK, SUB_RANK = 8, 9
MARKERS = (
    (0, re.compile(rf"^第\s*([{CN_NUMERALS}]{{1,3}})\s*(?:部分|章|篇|编)\s*[、.:]?\s*(.*)$")),
    (1, re.compile(rf"^([{CN_NUMERALS}]{{1,3}})\s*[、.](?![{CN_NUMERALS}]+[类季等级])\s*(.*)$")),
    (2, re.compile(rf"^\(\s*([{CN_NUMERALS}]{{1,3}})\s*\)\s*[、.]?\s*(.*)$")),
    (2, re.compile(rf"^第\s*([{CN_NUMERALS}]{{1,3}}|\d{{1,3}})\s*项\s*[、.:]?\s*(.*)$")),
    (3, re.compile(r"^(\d{1,3})\s*[、.](?!\d)\s*(.*)$")),
    (4, re.compile(r"^\(\s*(\d{1,3})\s*\)\s*[、.]?\s*(.*)$")),
    (5, re.compile(r"^(\d{1,3})\s*\)\s*(.*)$")),
    (SUB_RANK, re.compile(r"^([\u2460-\u2473\u2776-\u277f\u2780-\u2793])\s*(.*)$")),
)


MONTH_GROUP = re.compile(rf"^({MONTH_NUMBER})\s*月份?\s*(?:\([^()]{{0,30}}\))?\s*:?$")


TITLE_TAIL = re.compile(r"(?:工作要点|要点|工作计划|计划|工作安排|工作重点|议题安排)"
                         r"(?:\((?:草案|征求意见稿|讨论稿|送审稿|修改稿|修订稿|建议稿|初稿|试行)\))?$")
PLAN_WORDS = re.compile(r"立法|监督|代表(?!大会)|重大事项|决定|工作要点|执法检查|调研|备案审查|询问|议题")
ISSUER_TAIL = re.compile(r"(?:人民代表大会常务委员会|常务委员会|人大常委会|常委会|人民代表大会|委员会|办公室|办公厅|党组)$")
# A date line, possibly signed: "2024年2月5日印发", "濮阳市人大常委会办公室2025年1月20日".
DATE_LINE = re.compile(r"^(?:[\u4e00-\u9fff()]{2,30}?(?:委员会|办公室|办公厅|常委会|党组))?"
                        r"(?:\d{4}|[二][〇零一二三四五六七八九]{3})年(?:\d{1,2}|[十一二三四五六七八九]{1,2})月"
                        r"(?:\d{1,2}|[十一二三四五六七八九]{1,3})日(?:印发|通过)?$")


# A plan laid out as a table (序号 | 事项 | 时间 | 责任单位): a header row names the columns; each row
# below it with cells in those columns is rewritten as the line a plan in prose would have
# (“1.事项（时间：4月；责任单位：A、B）”), so the later stages read it like any labelled note.
# Cells are separated by tabs (Word tables, spreadsheets pasted as text) or by | (Markdown, ASCII);
# a table whose text lost its rule lines (copied out of a PDF) has runs of spaces instead, and an
# empty cell leaves no trace: its rows are read by what each cell holds.
_CELL_SPLIT = re.compile(r"\t|\s*[|｜]\s*")
_COLUMNS = (
    ("seq", re.compile(r"^(?:序号|编号|序|号)$")),
    ("item", re.compile(r"^[\u4e00-\u9fff]{0,4}(?:事项|内容|项目|议题|任务|名称)$")),
    ("time", re.compile(rf"^(?:{TIME_LABELS}|月份|时间\(月份\))$")),
    ("bodies", re.compile(rf"^(?:{BODY_LABELS})$")),
    ("helpers", re.compile(r"^(?:配合|协办|参与)(?:单位|部门|委室|机构)?$")),
)


@dataclass
class _Table:
    columns: dict[str, int]  # column name -> cell index
    by_content: bool  # cells separated by spaces only: placed by what they hold, not by position

    def cells(self, raw: str) -> list[str]:
        if not self.by_content:
            return _cells(raw)
        placed = [""] * (max(self.columns.values()) + 1)
        words = raw.split()
        if words and re.fullmatch(r"\d{1,3}", words[0]) and "seq" in self.columns:
            placed[self.columns["seq"]] = words.pop(0)
        for name, holds in (("bodies", _all_bodies), ("time", _only_time)):
            if name in self.columns and len(words) > 1 and holds(clean(words[-1])):
                placed[self.columns[name]] = clean(words.pop())
        placed[self.columns["item"]] = clean(" ".join(words))
        return placed


def _all_bodies(cell: str) -> bool:
    return all(looks_like_body(part) for part in re.split(r"[、,]", cell))


def _only_time(cell: str) -> bool:
    lead = LEADING_TIME.match(cell)
    return bool(lead) and lead.end() == len(cell)


def _cells(raw: str) -> list[str]:
    cells = [clean(c) for c in _CELL_SPLIT.split(raw.strip())]
    if raw.strip().startswith(("|", "｜")):
        cells = cells[1:]
    if raw.strip().endswith(("|", "｜")):
        cells = cells[:-1]
    return cells


def _table_header(raw: str) -> _Table | None:
    """The table a header row starts, or None for any other line."""
    separated = bool(_CELL_SPLIT.search(raw))
    cells = _cells(raw) if separated else raw.split()
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for name, pattern in _COLUMNS:
            if name not in columns and pattern.match(cell):
                columns[name] = index
                break
    if not separated and (len(cells) < 3 or len(columns) < len(cells)):
        return None  # words separated by spaces are a header only when every one names a column
    return _Table(columns, not separated) if "item" in columns and len(columns) >= 2 else None


def read_tables(raw_lines: list[str]) -> list[str]:
    """The lines of the text with each table row under a header rewritten as a plan line (see above).

    Line numbers stay those of the text: one row, one line. A row with a single cell (a section
    heading spanning the table, 一、听取和审议专项工作报告) is kept as its text."""
    out: list[str] = []
    table: _Table | None = None
    for raw in raw_lines:
        header = _table_header(raw)
        if header is not None:
            table = header
            out.append("")
            continue
        is_row = table is not None and (len(raw.split()) > 1 if table.by_content else bool(_CELL_SPLIT.search(raw)))
        if not is_row:
            if table is not None and raw.strip():
                # a heading row (一、听取和审议专项工作报告) keeps the table; any other line ends it
                table = table if any(rank <= 2 and p.match(clean(raw)) for rank, p in MARKERS) else None
            out.append(raw)
            continue
        cells = table.cells(raw)
        if all(re.fullmatch(r":?-{2,}:?|", c) for c in cells):
            out.append("")  # a Markdown separator row
            continue
        filled = [c for c in cells if c]
        if len(filled) == 1:
            out.append(filled[0])
            continue
        out.append(_row_line(cells, table.columns))
    return out


def _row_line(cells: list[str], columns: dict[str, int]) -> str:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    seq, item, time, bodies, helpers = (cell(n) for n in ("seq", "item", "time", "bodies", "helpers"))
    labels = [f"时间：{time}"] if time else []
    labels += [f"责任单位：{bodies}"] if bodies else []
    labels += [f"配合单位：{helpers}"] if helpers else []
    number = f"{seq}." if re.fullmatch(r"\d{1,3}", seq) else (f"{seq}、" if seq else "")
    return number + item.rstrip("。") + (f"（{'；'.join(labels)}）" if labels else "")


def is_adoption_note(s: str) -> bool:
    """(2024年1月10日市人大常委会第十次会议通过), (草案) — notes about the document, not items."""
    if not (s.startswith("(") and s.endswith(")")):
        return False
    inner = s[1:-1]
    if re.fullmatch(r"草案|征求意见稿|讨论稿|送审稿|修改稿|修订稿|建议稿|初稿|试行", inner):
        return True
    return (bool(re.search(r"通过|印发|批准", inner)) and bool(re.search(r"日|会议", inner))
            and not re.search(r"拟|负责|牵头|组织实施|提请|月份", inner))


def is_title(s: str) -> bool:
    if not 4 <= len(s) <= 60 or re.search(r"[。,;:!?“”《》]", s):
        return False
    if not TITLE_TAIL.search(s) or re.match(r"附|根据|关于|按照|为了|对|各|本|现将|经|以上|上述", s):
        return False
    return bool(YEAR.search(s) or re.search(r"人大|常委会|常务委员会|人民代表大会", s) or PLAN_WORDS.search(s))


@dataclass
class Line:
    no: int  # 1-based line number
    kind: str
    src: Src  # the whole line
    tsrc: Src  # for NUM: the text after the number; otherwise the whole line
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
        return self.kind == NUM and self.rank < SUB_RANK


def classify(no: int, raw: str) -> Line:
    src = Src.line(raw)
    s = src.norm
    if not s:
        return Line(no, BLANK, src, src)
    if re.match(r"附件|附表|附\s*[:\d]", s):
        return Line(no, ATTACH, src, src)
    if (is_adoption_note(s) or DATE_LINE.match(s) or re.search(r"[〔\[]\d{4}[〕\]]\s*\d+\s*号$", s)
            or re.fullmatch(r"目\s*录", s) or re.match(r"(?:抄送|主送|报送|印发)\s*:", s)
            or re.search(r"\d{1,2}日印发$", s)):
        return Line(no, NOTE, src, src)
    for rank, pattern in MARKERS:
        m = pattern.match(s)
        if m:
            num = parse_number(m.group(1))
            if num:
                a, b = trim_span(s, *m.span(2))
                return Line(no, NUM, src, src.sub(a, b), rank, num)
    group = MONTH_GROUP.match(s)
    if group:  # "4月份(第十次常委会会议):" heads the items scheduled that month
        return Line(no, GROUP, src, src, 0, parse_number(group.group(1)) or 0)
    if LABEL_AT_START.match(s):
        return Line(no, LABEL, src, src)
    if s[:1] in NOTE_BRACKETS.values() and NOTE_BRACKETS.get(s[-1:]) == s[0] and is_note(s[1:-1]):
        return Line(no, SCHED, src, src)
    if is_title(s):
        return Line(no, TITLE, src, src)
    if len(s) <= 40 and re.fullmatch(r"[\u4e00-\u9fff()]+", s) and ISSUER_TAIL.search(s):
        return Line(no, ISSUER, src, src)
    return Line(no, TEXT, src, src)


def join_split_titles(lines: list[Line]) -> None:
    """A title broken over two or three short lines ("…2025年度重大事项和项目决定" / "工作计划")
    becomes one TITLE on its last line; the leading fragments are set aside as notes."""
    def short(ln: Line) -> bool:
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
            joined_src = Src.concat([g.src for g in group])
            joined = joined_src.norm
            # A last line that is a title by itself is only extended by a real fragment, not by
            # an issuer's name on the line above (that case is handled when splitting plans).
            extends = group[-1].kind != TITLE or any(g.kind == TEXT for g in group[:-1])
            if extends and len(joined) <= 60 and is_title(joined):
                for g in group[:-1]:
                    g.kind = NOTE
                group[-1].kind, group[-1].src = TITLE, joined_src
                group[-1].tsrc = joined_src
                break


def terminated(s: str) -> bool:
    """Does the line end a sentence? If not, the next plain line is its soft-wrapped continuation."""
    s = s.rstrip("”’\"'")
    return bool(s) and s[-1] in "。！？!?；;：:)」』】"


def content_units(lines: list[Line]) -> list[Line]:
    """Content lines of one plan; an attachment line (附件:…) ends the plan's body."""
    units: list[Line] = []
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
        soft = kind not in (NUM, GROUP) and bool(units) and continues(paragraph, ln.full)
        if kind == ISSUER:
            if not soft:
                continue  # an issuer's name or a signature, not content
            kind = TEXT  # a wrapped line that happens to end in 委员会
        units.append(replace(ln, kind=kind, soft=soft))
        paragraph = paragraph + ln.full if soft else ln.full
    return units


def continues(paragraph: str, line: str) -> bool:
    """Is `line` the soft-wrapped rest of `paragraph` (text copied out of a PDF) or a new paragraph?"""
    if not paragraph:
        return False
    if sum(paragraph.count(c) for c in "(《“") > sum(paragraph.count(c) for c in ")》”"):
        return True  # inside a bracket: "…(拟" / "安排在6月份…)", "…（时间：12月；" / "责任单位：…）"
    if terminated(paragraph):
        return False
    if paragraph[-1] in "、,和与及的在于由对":
        return True  # cut after a word that cannot end a line
    if LABEL_AT_START.match(line) or is_schedule_sentence(first_sentence(line) or line):
        return False  # "新乡市养犬管理条例" / "由市政府提请，拟于…负责。"
    if ITEM_END.search(paragraph) and ITEM_START.match(line):
        return False  # one unnumbered item after another, neither with a closing 。
    return len(paragraph.rsplit("\n", 1)[-1]) >= 20


# How an item of work usually ends and begins: a line that ends so, followed by one that begins
# so, is two items rather than one line wrapped (a month or body must not pass from one to the other).
ITEM_END = re.compile(r"(?:报告|情况|工作|》|决定|决议|议案|调研|检查|询问|评议|测评)$")
ITEM_START = re.compile(r"(?:听取|审议|审查|检查|开展|组织|对|就|围绕|视察|调研|作出|批准|制定|修订|评议)")
