"""Stage 6, checks: body names resolved against the catalogue (unknown ones kept and reported)
and numbering that skips or repeats reported.
"""
from __future__ import annotations

from collections.abc import Mapping

from ..bodies import expand_short_form, normalize_body_key
from .results import N_, ParseProblem, problem_at
from .structure import Draft


class BodyResolver:
    """Body names as written -> catalogue names, by exact name or registered alias only.

    The alias map is normalized once, so each look-up is two dict hits. A name is matched by its
    key (normalize_body_key: width, punctuation and a level prefix such as 市人大 folded away) or
    by the key of its standard full form (法工委 -> 法制工作委员会); never by resemblance, so
    预算工作委员会 is not 财政预算工作委员会.
    """

    def __init__(self, alias_map: Mapping[str, str]):
        self.mapping = {normalize_body_key(k): v for k, v in alias_map.items()}
        self.cache: dict[str, str | None] = {}

    def resolve(self, name: str) -> str | None:
        if name not in self.cache:
            keys = (normalize_body_key(name), normalize_body_key(expand_short_form(name)))
            self.cache[name] = next((self.mapping[k] for k in keys if k in self.mapping), None)
        return self.cache[name]

    def known(self, name: str) -> bool:
        """A catalogue body or a standard short form: used to decide where 和/与 split names."""
        return self.resolve(name) is not None or expand_short_form(name) != name.strip()

    def bodies(self, names: list[str], line: int, problems: list[ParseProblem]) -> list[str]:
        """Canonical names in order of mention, without repeats; unknown names kept and reported."""
        bodies: list[str] = []
        seen: set[str] = set()
        for raw in names:
            canonical = self.resolve(raw)
            # Unknown names are kept (full name if a standard short form, else as written).
            name = canonical or expand_short_form(raw)
            if normalize_body_key(name) in seen:
                continue
            seen.add(normalize_body_key(name))
            bodies.append(name)
            if canonical is None:
                if name == raw:
                    problems.append(problem_at(
                        line, "unknown_body",
                        N_("责任单位“%(name)s”不在单位名录中，已按原文保留，请核对或为其添加别名。"), name=raw))
                else:
                    problems.append(problem_at(
                        line, "unknown_body",
                        N_("责任单位“%(name)s（%(full)s）”不在单位名录中，已按原文保留，请核对或为其添加别名。"),
                        name=raw, full=name))
        return bodies


def check_numbering(drafts: list[Draft], problems: list[ParseProblem]) -> None:
    """Report numbers that skip or repeat: usually a line the parser could not recognise."""
    prev: Draft | None = None
    seen: set[tuple[int, int]] = set()
    for d in drafts:
        if (d.section_no, d.seq) in seen:
            problems.append(problem_at(d.line, "duplicate_seq", N_("序号%(seq)s在同一部分中重复出现。"), seq=d.seq))
        seen.add((d.section_no, d.seq))
        if not d.numbered:
            continue
        if prev is not None:
            restart = d.section_no != prev.section_no and d.seq == 1
            if not restart and d.seq != prev.seq + 1:
                problems.append(problem_at(d.line, "numbering_gap",
                                         N_("序号%(seq)s与上一项序号%(prev)s不连续，请核对是否漏识别了事项。"),
                                         seq=d.seq, prev=prev.seq))
        elif d.seq != 1:
            problems.append(problem_at(d.line, "numbering_gap",
                                     N_("第一项的序号是%(seq)s而不是1，请核对是否漏识别了事项。"), seq=d.seq))
        prev = d


# What the database stores of a parsed plan (portal.models.plans); longer text or larger numbers are
# the importer's own clear error, before anything is written.
PLAN_TITLE_MAX, SECTION_TITLE_MAX, SCHEDULE_MAX, PLAN_KEY_MAX, BODY_NAME_MAX = 200, 300, 300, 40, 80
NUMBER_MAX = 2**31 - 1


def check_sizes(plans, items) -> None:
    """Raise PlanFormatError naming the first line whose text is longer than its column."""
    from .results import PlanFormatError

    def refuse(line: int, what: str, limit: int):
        raise PlanFormatError(N_("第 %(line)s 行：%(what)s超过 %(max)s 个字，无法保存。请修改原文后重新导入。"),
                              line=line, what=what, max=limit)

    for plan in plans:
        if len(plan.title) > PLAN_TITLE_MAX:
            refuse(plan.line, N_("计划标题"), PLAN_TITLE_MAX)
        if len(plan.key) > PLAN_KEY_MAX:
            refuse(plan.line, N_("计划标题"), PLAN_KEY_MAX)
    for item in items:
        if len(item.section_title) > SECTION_TITLE_MAX:
            refuse(item.line, N_("部分标题"), SECTION_TITLE_MAX)
        if len(item.schedule) > SCHEDULE_MAX:
            refuse(item.line, N_("时间安排"), SCHEDULE_MAX)
        if any(len(name) > BODY_NAME_MAX for name in item.bodies):
            refuse(item.line, N_("责任单位名称"), BODY_NAME_MAX)
        if not (0 <= item.seq <= NUMBER_MAX and 0 <= item.section_no <= NUMBER_MAX):
            refuse(item.line, N_("编号"), NUMBER_MAX)
