"""Deputies for the security world: deputy1 and deputy2 on the roll, a group, a station, records."""
from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models import Deputy, DeputyGroup, DutyRecord, LiaisonStation


def add_roll(world) -> dict:
    station = LiaisonStation(name="城关镇代表联络站", township="城关镇", address="城关镇政府院内")
    db.session.add(station)
    db.session.flush()
    group = DeputyGroup(name="华龙区第一代表小组", kind="mixed", leader_number="D0001", station_id=station.id)
    db.session.add(group)
    db.session.flush()
    d1 = Deputy(number="D0001", name="张代表", gender="男", level_mask=4 | 8, group_id=group.id, station_id=station.id,
                constituency="华龙区第3选区", sector="工人", occupation="工人", grassroots=True, mobile="13800000001",
                term="第十届", user_id=world.users["deputy1"].id)
    d2 = Deputy(number="D0002", name="李代表", gender="女", level_mask=16, group_id=group.id, station_id=station.id,
                constituency="濮阳县第9选区", sector="农民", occupation="农民", grassroots=False, mobile="13800000002",
                term="第十届", user_id=world.users["deputy2"].id)
    db.session.add_all([d1, d2])
    db.session.flush()
    r1 = DutyRecord(deputy_id=d1.id, date=date(2024, 3, 5), kind="group_activity", place="联络站", content="小组活动",
                    state="submitted")
    r2 = DutyRecord(deputy_id=d2.id, date=date(2024, 4, 5), kind="station_reception", place="联络站",
                    content="接待群众", state="submitted")
    db.session.add_all([r1, r2])
    db.session.commit()
    return {"dep1": d1.id, "dep2": d2.id, "grp": group.id, "stn": station.id, "rec1": r1.id, "rec2": r2.id}
