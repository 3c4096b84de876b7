"""The plan-text importer: the text of annual plans (年度工作要点、监督工作计划 …) in, items out.

A pure pipeline (no Flask, no database), one module per stage, in the order the text goes through:

1. `decode`     bytes -> text (plain text in any usual encoding, a Word .docx, a PDF's text layer);
2. `lines`      each line classified (title, note, numbered line and its rank, label, text …);
3. `structure`  plans by their titles; which numbered level is the sections and which the items;
4. `schedule`   each item's schedule note or sentence: time phrases, months, meeting, bodies;
5. `fields`     title, text, schedule, months, meeting month and body names as written;
6. `checks`     body names resolved (exact name or alias only), numbering gaps reported.

`vocabulary` holds the words all stages share (time expressions, labels, body suffixes, brackets,
trimming) and `results` the dataclasses that come out. `kinds` classifies an item's kind of work.

It is written for the genre (municipal 人大常委会 plans), not for one file. Anything it cannot
place is reported as a ParseProblem, never silently dropped; a month or body that the item's own
text does not state is left empty, never taken from a neighbouring item.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from ..bodies import default_alias_map
from .checks import BodyResolver, check_numbering
from .decode import MSG_EMPTY, MSG_NO_PLAN, check_text, decode_plan_bytes, normalize_newlines
from .fields import item_fields
from portal.textclean import remove_hidden

from .checks import check_sizes
from .kinds import classify_work_kind
from .lines import classify, join_split_titles, read_tables
from .results import N_, ParsedDocument, ParsedItem, ParsedPlan, ParseProblem, Phrase, PlanFormatError, problem_at
from .structure import Block, Draft, PlanBuilder, split_plans, year_of

__all__ = [
    "ParsedDocument", "ParsedItem", "ParsedPlan", "ParseProblem", "Phrase", "PlanFormatError",
    "classify_work_kind", "decode_plan_bytes", "parse_plan",
]


def parse_plan(source: str | bytes, alias_map: Mapping[str, str] | None = None) -> ParsedDocument:
    """Parse the text of one or more annual plans. Raises PlanFormatError when there is no plan."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        text = decode_plan_bytes(bytes(source))
    else:
        if not source or not source.strip():
            raise PlanFormatError(MSG_EMPTY)
        text = check_text(normalize_newlines(source.lstrip("\ufeff")))
    text = remove_hidden(text)  # a U+202E must not reorder a title, zero-width spaces must not split a word
    if not text.strip():
        raise PlanFormatError(MSG_EMPTY)
    resolver = BodyResolver(default_alias_map() if alias_map is None else alias_map)

    lines = [classify(no, raw) for no, raw in enumerate(read_tables(text.split("\n")), start=1)]
    join_split_titles(lines)
    problems: list[ParseProblem] = []
    blocks = split_plans(lines)
    implicit = not blocks
    if implicit:
        # No title line: accept the text as one untitled plan only if it is clearly a numbered plan.
        blocks = [Block("plan", "", year_of(text[:200]), 1, lines, True)]

    plans: list[ParsedPlan] = []
    items: list[ParsedItem] = []
    numbered: list[ParsedItem] = []
    used_keys: Counter[str] = Counter()
    for block in blocks:
        builder = PlanBuilder(block, problems)
        builder.build()
        used_keys[block.key] += 1
        key = block.key if used_keys[block.key] == 1 else f"{block.key}_{used_keys[block.key]}"
        plans.append(ParsedPlan(key, block.title, block.year, block.line, builder.sections))
        if not builder.drafts:
            problems.append(problem_at(block.line, "empty_plan", N_("计划“%(title)s”中没有识别出编号的工作事项。"),
                                       title=block.title or key))
        for draft in builder.drafts:
            item = _item(key, draft, resolver, problems)
            items.append(item)
            if draft.numbered:
                numbered.append(item)
        check_numbering(builder.drafts, problems)

    if implicit:
        if len(numbered) < 2 or not (any(i.schedule for i in numbered) or len(numbered) >= 3):
            raise PlanFormatError(MSG_NO_PLAN)
        problems.insert(0, problem_at(1, "no_title", N_("没有找到计划标题，全文按一个未命名的计划（plan）导入。")))
    elif not items:
        titles = "、".join(f"“{p.title}”" for p in plans)
        raise PlanFormatError(N_("找到了计划标题%(titles)s，但其中没有识别出编号的工作事项（如“一、”“1.”）。"), titles=titles)

    check_sizes(plans, items)
    years = Counter(p.year for p in plans if p.year)
    year = years.most_common(1)[0][0] if years else None
    problems.sort(key=lambda p: p.line)
    return ParsedDocument(year, plans, items, problems)


def _item(key: str, draft: Draft, resolver: BodyResolver, problems: list[ParseProblem]) -> ParsedItem:
    found = item_fields(draft.parts, resolver.known, draft.inherited)
    # A section whose only content is a schedule note is itself the item: its heading names it.
    title = found.title or (draft.section_title if not draft.numbered else "") or found.first_sentence
    bodies = resolver.bodies(found.body_names, draft.line, problems)
    return ParsedItem(key, draft.section_no, draft.section_title, draft.seq, title, found.text, found.months,
                      found.schedule, found.meeting_month, bodies, draft.line)
