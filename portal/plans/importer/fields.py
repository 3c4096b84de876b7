"""Stage 5, fields: one item's title, text, schedule, months, meeting month and body names, as written.
"""
from __future__ import annotations

from dataclasses import dataclass

from .schedule import Span, analyse_schedule, meeting_month_of, schedule_sentence_start, schedule_text, trailing_note
from .vocabulary import LABEL_RE, Src, join_wrapped, months_in, sentence_spans, strip_span, trim_span


def first_sentence_as_written(src: Src) -> str:
    """The first sentence as written, without its closing 。"""
    spans = sentence_spans(src.norm)
    return src.out(*strip_span(src.norm, *spans[0])) if spans else ""


def item_title(paras: list[Src], cut: tuple[int, int] | None) -> str:
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
        return first_sentence_as_written(head)
    k, start = cut
    if k == 0:
        return head.out(*strip_span(head.norm, 0, start))  # "" when the paragraph is only its schedule
    end = len(head.norm)
    spans = sentence_spans(head.norm)
    if len(spans) > 1 and head.norm.rstrip().endswith(":"):
        end = spans[-1][0]
    return head.out(*strip_span(head.norm, 0, end))


@dataclass
class ItemFields:
    """The fields of one item as written; `body_names` not yet resolved against the catalogue."""

    title: str  # "" when the item has no title of its own (only its schedule, or only sub-points)
    text: str
    schedule: str
    months: list[int]
    meeting_month: int | None
    body_names: list[str]
    first_sentence: str  # of the whole text: the title of last resort


def item_fields(parts: list[tuple[Src, bool]], known, inherited: Src | None = None) -> ItemFields:
    """The fields of one item from its lines ((line, soft-wrapped) pairs).

    Every decision is taken on the matching form (clean); every string returned is sliced from
    the text as written."""
    paras = join_wrapped(parts)
    regions: list[tuple[int, int, Src, bool]] = []  # (paragraph, start, schedule region, in parentheses)
    for k, p in enumerate(paras):
        note = trailing_note(p.norm)
        if note:
            regions.append((k, note[0], p.sub(note[1], note[2]), True))
            break
    for k, p in enumerate(paras):
        m = LABEL_RE.search(p.norm)
        if m and not any(r[0] == k and r[1] <= m.start() for r in regions):
            regions.append((k, m.start(), p.sub(m.start()), False))
    if not regions:
        for k, p in enumerate(paras):
            start = schedule_sentence_start(p.norm, skip_first=k == 0)
            if start is not None:
                regions.append((k, start, p.sub(start), False))
                break
    regions.sort(key=lambda r: (r[0], r[1]))
    title = item_title(paras, (regions[0][0], regions[0][1]) if regions else None)
    times: list[Span] = []
    names: list[str] = []
    for _, _, region, in_note in regions:
        t, b = analyse_schedule(region, known, in_note)
        times += t
        names += b
    if not times and inherited is not None:
        # No time of its own: the month heading it stands under (4月份(第十次常委会会议):) is its time.
        end = trim_span(inherited.norm, 0, len(inherited.norm), ":")[1]
        t, b = analyse_schedule(inherited.sub(0, end), known, True)
        times += t
        names = names or b
    matching, schedule = schedule_text(times)
    text = Src.concat(paras, "\n")
    first = "" if title else first_sentence_as_written(text)  # for an item with no title of its own
    return ItemFields(title, text.out(), schedule, months_in(matching), meeting_month_of(matching), names, first)

