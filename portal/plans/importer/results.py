"""What the importer gives back: the parsed document, its plans and items, and the problems found.

Plain dataclasses, so callers (the CLI, the import screen, the tests) read fields by name.
"""
from __future__ import annotations

from dataclasses import dataclass, field


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


def problem_at(line: int, code: str, template: str, **params) -> ParseProblem:
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

