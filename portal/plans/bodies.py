"""The responsible bodies (责任单位) of the Puyang Standing Committee and how plan texts name them.

Plan texts spell a body many ways: with or without the city and 人大常委会 prefix, by a
standard short form (法工委, 选工委), with full- or half-width punctuation, even with a typo
(常委选举… in the 2024 seed). Every spelling is reduced to one key by `normalize_body_key`,
and a map key -> canonical name resolves it. The database builds the same kind of map from
its own bodies and aliases, so the importer takes the map as a parameter.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SPECIAL_COMMITTEE = "special_committee"  # 专门委员会 of the Congress
WORKING_COMMITTEE = "working_committee"  # 常委会工作委员会
OFFICE = "office"  # 办事机构


@dataclass(frozen=True)
class BodySpec:
    """One responsible body of the catalogue: canonical name, kind, display short name, other spellings."""

    name: str
    kind: str
    short_name: str
    aliases: tuple[str, ...] = ()


BODY_CATALOG: tuple[BodySpec, ...] = (
    # 专门委员会
    BodySpec("监察和司法委员会", SPECIAL_COMMITTEE, "监司委",
             ("监司委", "监察和司法委", "监察司法委员会", "监察司法委")),
    BodySpec("财政预算委员会", SPECIAL_COMMITTEE, "财预委",
             ("财预委", "财政预算委")),
    BodySpec("经济委员会", SPECIAL_COMMITTEE, "经济委",
             ("经济委",)),
    BodySpec("城乡建设环境保护委员会", SPECIAL_COMMITTEE, "城建环保委",
             ("城建环保委", "城环委", "城乡建设环境保护委", "城乡建设和环境保护委员会")),
    BodySpec("教育科学文化卫生委员会", SPECIAL_COMMITTEE, "教科文卫委",
             ("教科文卫委", "教科文卫委员会", "教育科学文化卫生委")),
    BodySpec("农业与农村委员会", SPECIAL_COMMITTEE, "农委",
             ("农委", "农业农村委", "农业与农村委", "农业农村委员会", "农业和农村委员会")),
    BodySpec("社会建设委员会", SPECIAL_COMMITTEE, "社建委",
             ("社建委", "社会建设委")),
    # 常委会工作委员会
    BodySpec("常委会监察和司法工作委员会", WORKING_COMMITTEE, "监司工委",
             ("监司工委", "监察和司法工作委员会", "监察司法工作委员会", "监察和司法工委", "监察司法工委")),
    BodySpec("常委会财政预算工作委员会", WORKING_COMMITTEE, "预算工委",
             ("预算工委", "预工委", "财预工委", "财政预算工委", "财政预算工作委员会")),
    BodySpec("常委会财政经济工作委员会", WORKING_COMMITTEE, "财经工委",
             ("财经工委", "财政经济工委", "财政经济工作委员会", "财经工作委员会")),
    BodySpec("常委会城乡建设环境保护工作委员会", WORKING_COMMITTEE, "城建环保工委",
             ("城建环保工委", "城环工委", "城乡建设环境保护工委", "城乡建设环境保护工作委员会")),
    BodySpec("常委会教育科学文化卫生工作委员会", WORKING_COMMITTEE, "教科文卫工委",
             ("教科文卫工委", "教育科学文化卫生工委", "教育科学文化卫生工作委员会")),
    BodySpec("常委会农村工作委员会", WORKING_COMMITTEE, "农工委",
             ("农工委", "农村工委", "农村工作委员会")),
    BodySpec("常委会社会建设工作委员会", WORKING_COMMITTEE, "社建工委",
             ("社建工委", "社会建设工委", "社会建设工作委员会")),
    BodySpec("常委会法制工作委员会", WORKING_COMMITTEE, "法工委",
             ("法工委", "法制工委", "法制工作委员会")),
    BodySpec("常委会民族宗教侨务外事工作委员会", WORKING_COMMITTEE, "民宗侨外工委",
             ("民宗侨外工委", "民族宗教侨务外事工委", "民族宗教侨务外事工作委员会")),
    BodySpec("常委会选举任免代表联络工作委员会", WORKING_COMMITTEE, "选工委",
             ("选工委", "选联工委", "选任联工委", "选举任免代表联络工委", "选举任免代表联络工作委员会",
              # the 2024 seed misspells it once (supervision 五):
              "常委选举任免代表联络工作委员会")),
    # 办事机构
    BodySpec("常委会办公室", OFFICE, "办公室", ("办公室", "常委办")),
    BodySpec("常委会调研室", OFFICE, "调研室", ("调研室",)),
)

# Full-width ASCII (！ to ～) and the ideographic space fold to their half-width forms.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# A locality/level prefix that says whose body it is, not which body: 濮阳市人大常委会, 市人大,
# 县(区)人大常委会, 人大常委会, 常委会 … The city part only counts when 人大/常委会 follows it.
_PREFIX = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,8}?[省市县区州](?=人大|人民代表大会|常委会|常务委员会))?"
    r"(?:人民代表大会常务委员会|人民代表大会|人大常委会|人大)?"
    r"(?:常务委员会|常委会)?"
)
_NON_WORD = re.compile(r"[\W_]+")

# Standard short forms used by people's congresses across China -> full names.
_SHORT_FORMS: dict[str, str] = {
    "财经委": "财政经济委员会",
    "财经工委": "财政经济工作委员会",
    "法工委": "法制工作委员会",
    "法制工委": "法制工作委员会",
    "法制委": "法制委员会",
    "宪法法律委": "宪法和法律委员会",
    "监司委": "监察和司法委员会",
    "监司工委": "监察和司法工作委员会",
    "内司委": "内务司法委员会",
    "内司工委": "内务司法工作委员会",
    "教科文卫委": "教育科学文化卫生委员会",
    "教科文卫工委": "教育科学文化卫生工作委员会",
    "农委": "农业与农村委员会",
    "农业农村委": "农业与农村委员会",
    "农工委": "农业农村工作委员会",
    "农业农村工委": "农业农村工作委员会",
    "环资委": "环境与资源保护委员会",
    "环资工委": "环境与资源保护工作委员会",
    "城建环保委": "城乡建设环境保护委员会",
    "城环委": "城乡建设环境保护委员会",
    "城建环保工委": "城乡建设环境保护工作委员会",
    "城建环资委": "城乡建设环境与资源保护委员会",
    "城建环资工委": "城乡建设环境与资源保护工作委员会",
    "社建委": "社会建设委员会",
    "社建工委": "社会建设工作委员会",
    "社会委": "社会委员会",
    "民宗侨外委": "民族宗教侨务外事委员会",
    "民宗侨外工委": "民族宗教侨务外事工作委员会",
    "民宗委": "民族宗教委员会",
    "民侨外委": "民族侨务外事委员会",
    "侨外委": "华侨外事委员会",
    "外事委": "外事委员会",
    "预算工委": "预算工作委员会",
    "预工委": "预算工作委员会",
    "代表工委": "代表工作委员会",
    "选工委": "选举任免代表联络工作委员会",
    "选联工委": "选举任免联络工作委员会",
    "选任联工委": "选举任免联络工作委员会",
    "人代工委": "人事代表工作委员会",
    "人事代表工委": "人事代表工作委员会",
    "人事任免工委": "人事任免工作委员会",
    "经济委": "经济委员会",
    "办公厅": "常委会办公厅",
    "办公室": "常委会办公室",
    "研究室": "常委会研究室",
    "调研室": "常委会调研室",
}


def _fold(raw: str) -> str:
    return _NON_WORD.sub("", raw.translate(_WIDTH))


def normalize_body_key(raw: str) -> str:
    """The look-up key of a body name: punctuation, spaces and width folded away, locality prefix dropped.

    "濮阳市人大常委会法工委", "市人大 法工委" and "法工委" share one key; a name that *is* only a
    prefix ("市人大常委会") keeps itself, so it is reported rather than matched to nothing.
    """
    key = _fold(raw or "")
    rest = key[_PREFIX.match(key).end():]
    return rest or key


def expand_short_form(raw: str) -> str:
    """The full name for a standard short form (财经委 -> 财政经济委员会, 市人大财经委 -> 财政经济委员会);
    anything else as written, and so is a name that already ends in the full form (省人大常委会办公厅
    is that office's full name with its level prefix, not a short form of 常委会办公厅)."""
    written = (raw or "").strip()
    full = _SHORT_FORMS.get(normalize_body_key(written))
    return written if full is None or _fold(written).endswith(full) else full


def default_alias_map() -> dict[str, str]:
    """normalized name/short name/alias -> canonical name, for the built-in Puyang catalogue."""
    mapping: dict[str, str] = {}
    for spec in BODY_CATALOG:
        for spelling in (spec.name, spec.short_name, *spec.aliases):
            mapping.setdefault(normalize_body_key(spelling), spec.name)
    return mapping


def resolve_body(raw: str, alias_map: Mapping[str, str]) -> str | None:
    """The canonical name of a body as written in a plan, or None when the map does not know it.

    The map's keys are expected to be normalized already; as a courtesy a map with raw keys
    works too. A standard short form the map lacks is tried in its expanded form, so a
    database that only knows "常委会法制工作委员会" still resolves "法工委".
    """
    if not raw or not raw.strip():
        return None
    candidates = [normalize_body_key(raw)]
    expanded = normalize_body_key(expand_short_form(raw))
    if expanded not in candidates:
        candidates.append(expanded)
    for key in candidates:
        if key in alias_map:
            return alias_map[key]
    stripped = raw.strip()
    if stripped in alias_map:
        return alias_map[stripped]
    normalized = {normalize_body_key(k): v for k, v in alias_map.items()}
    for key in candidates:
        if key in normalized:
            return normalized[key]
    return None
