"""What the office (常委会办公室) does at the start of the demo year: every point of the 工作要点 and
every item of the 代表工作计划 gets its bodies, and the points that name several pieces of work
are split into tasks for different bodies (the seed's own point 26: "将…人大重点工作进行分解督办").

Applied through the real operations (portal.items.assignment, portal.items.tasks) as the demo admin,
dated early in the year, so the history and the audit read as an office's would.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.items.assignment import Assignment, assign_item, set_plan_default_bodies
from portal.items.status import tasks_of
from portal.items.tasks import add_task
from portal.models import Body, Plan, User, WorkItem

JS, CZ, JJ, CH, JK, NY, SH = ("监察和司法委员会", "财政预算委员会", "经济委员会", "城乡建设环境保护委员会",
                              "教育科学文化卫生委员会", "农业与农村委员会", "社会建设委员会")
JSG, YSG, CJG, CHG, JKG, NCG, SHG = ("常委会监察和司法工作委员会", "常委会财政预算工作委员会", "常委会财政经济工作委员会",
                                     "常委会城乡建设环境保护工作委员会", "常委会教育科学文化卫生工作委员会",
                                     "常委会农村工作委员会", "常委会社会建设工作委员会")
FGW, MZ, XGW, BGS, DYS = ("常委会法制工作委员会", "常委会民族宗教侨务外事工作委员会", "常委会选举任免代表联络工作委员会",
                          "常委会办公室", "常委会调研室")

# 工作要点 point -> (lead bodies, supporting bodies). 立法 to 法工委, 预算 and 国资 to 预算工委 and 财经工委,
# 代表工作 to 选工委, 机关建设 to 办公室 (docs/DOMAIN.md, "Who carries the narrative plans").
WORK_POINTS: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    1: ((BGS,), (DYS,)), 2: ((BGS,), ()), 3: ((BGS,), ()),
    4: ((FGW,), ()), 5: ((FGW,), ()), 6: ((FGW,), ()),
    7: ((BGS,), (DYS,)), 8: ((CJG,), (JJ,)), 9: ((XGW,), (JKG, SHG)), 10: ((CHG,), (CH,)),
    11: ((SHG,), (SH, MZ, JSG)), 12: ((YSG, CJG), (CZ,)), 13: ((DYS,), (BGS,)),
    14: ((BGS,), (YSG,)), 15: ((XGW,), ()),
    16: ((FGW,), (XGW,)), 17: ((XGW,), ()), 18: ((XGW,), (CJG,)), 19: ((XGW,), ()), 20: ((XGW,), ()),
    21: ((XGW,), ()), 22: ((XGW,), ()),
    23: ((BGS,), ()), 24: ((BGS,), (DYS,)), 25: ((BGS,), (DYS,)), 26: ((BGS,), (FGW,)), 27: ((DYS,), ()),
    28: ((BGS,), (DYS,)),
}

# Points that name several pieces of work, split into tasks: (title, lead, supporting, due month).
TASKS: dict[int, list[tuple[str, tuple[str, ...], tuple[str, ...], int]]] = {
    4: [("审议出台《濮阳市基层网格化服务管理条例》", (FGW,), (SHG,), 6),
        ("审议出台《濮阳市停车场规划建设管理条例》", (FGW,), (CHG,), 10),
        ("开展《濮阳市金堤河保护条例》立法调研", (FGW,), (NCG,), 11)],
    8: [("制定助力制造业倍增行动的实施方案", (CJG,), (JJ,), 3),
        ("听取审议促进制造业倍增行动情况的报告并开展专题询问", (JJ, CJG), (), 6)],
    9: [("听取审议民生实事项目进展和完成情况的报告", (XGW,), (), 12),
        ("开展公共文化服务保障“一法一条例”执法检查", (JK, JKG), (), 10),
        ("开展劳动保障监察条例执法检查", (SH, SHG), (), 9)],
    10: [("听取审议2023年度环境状况和环境保护目标完成情况的报告", (CH, CHG), (), 4),
         ("开展黄河保护法执法检查", (CHG,), (NCG,), 7)],
    11: [("听取审议积极应对人口老龄化工作情况的报告并开展专题询问", (SH, SHG), (), 8),
         ("听取审议新时代侨务工作情况的报告", (MZ,), (), 6),
         ("开展反电信诈骗法执法检查", (JS, JSG), (), 6)],
    26: [("修订《濮阳市人民代表大会议事规则》", (FGW,), (BGS,), 9),
         ("制定常委会会议、主任会议会务规程", (BGS,), (), 6)],
}

# 代表工作计划: 选工委 by default (the plan's default bodies); these also have supporting bodies.
DEPUTY_SUPPORT: dict[int, tuple[str, ...]] = {2: (BGS,), 4: (FGW,), 5: (DYS,), 13: (CJG,), 20: (BGS,)}


def assign_plan_year(year: int, admin: User) -> int:
    """Give every narrative item of the year its owner; returns how many items and tasks were changed."""
    bodies = {b.name: b.id for b in select_all(Body)}
    plans = {p.key: p for p in select_all(Plan) if p.year == year}
    changed = 0
    deputy = plans.get("deputy_work")
    if deputy is not None:
        changed += set_plan_default_bodies(admin, deputy, [bodies[XGW]])
        for item in items_of(deputy):
            support = DEPUTY_SUPPORT.get(item.seq)
            if support:
                assign_item(admin, item, Assignment(lead_ids=[bodies[XGW]], supporting_ids=[bodies[n] for n in support]),
                            version=item.version)
    points = plans.get("work_points")
    if points is None:
        return changed
    for item in items_of(points):
        lead, support = WORK_POINTS.get(item.seq, ((BGS,), ()))
        if assign_item(admin, item, Assignment(lead_ids=[bodies[n] for n in lead],
                                               supporting_ids=[bodies[n] for n in support],
                                               due=date(year, 12, 1), set_due=True), version=item.version):
            changed += 1
        if tasks_of(item):
            continue  # decomposed by an earlier load: the demo is loaded again, not doubled
        for title, task_lead, task_support, month in TASKS.get(item.seq, []):
            add_task(admin, item, title=title, lead_ids=[bodies[n] for n in task_lead],
                     supporting_ids=[bodies[n] for n in task_support], due=date(year, month, 1))
            changed += 1
    return changed


def select_all(model):
    return db.session.scalars(select(model))


def items_of(plan: Plan) -> list[WorkItem]:
    return list(db.session.scalars(select(WorkItem).where(WorkItem.plan_id == plan.id, WorkItem.parent_id.is_(None))
                                   .order_by(WorkItem.id)))
