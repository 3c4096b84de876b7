"""A realistic, deterministic roll for demos and scale tests: `build_roll(count, seed)`.

Puyang-like proportions: about 62% 乡(镇), 30% 县(区), 6% 市, 1.3% 省 and 0.15% 全国 deputies, a few
sitting at two levels; one group per ~25 deputies, one station per ~77; a year of duty records (about
twenty a deputy), mostly confirmed. Everything comes from `random.Random(seed)`; rows go in with
executemany INSERTs, not ORM flushes.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select

from portal.extensions import db
from portal.models import Deputy, DeputyGroup, DutyRecord, LiaisonStation
from portal.timeutil import today
from portal.uow import count_change

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
            "阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞志宏海燕雪梅丹亮新春晓林波斌宇浩凯健俊峰卫东振兴永利"
COUNTIES = ("华龙区", "濮阳县", "清丰县", "南乐县", "范县", "台前县", "开发区", "工业园区", "示范区")
TOWN_PARTS = "城关柳屯文留庆祖八公桥户部寨徐镇梁庄胡状王称堌渠村白堽子岸五星习城海通孟楼新习王庄岳村"
SECTORS = ("中共", "工人", "农民", "妇女", "教育", "科技", "医疗卫生", "企业", "民主党派", "社会团体", "其他")
OCCUPATIONS = ("农民", "村党支部书记", "村委会主任", "社区居委会主任", "中学教师", "小学教师", "乡镇卫生院医生", "企业负责人",
               "企业职工", "个体工商户", "律师", "科研人员", "乡镇干部", "合作社理事长", "护士")
# level bit, weight
LEVEL_WEIGHTS = ((1, 0.15), (2, 1.3), (4, 6.0), (8, 30.0), (16, 62.55))
KIND_WEIGHTS = (("group_activity", 25), ("station_reception", 20), ("training", 10), ("research", 8),
                ("inspection_visit", 8), ("law_inspection", 5), ("legislation_opinion", 5), ("proposal", 7),
                ("attend_meeting", 2), ("report_to_voters", 4), ("director_reception", 2), ("other", 4))
CONTENT = {
    "group_activity": "参加代表小组集中活动，围绕{topic}开展座谈交流",
    "station_reception": "在联络站接待群众{n}人次，收集关于{topic}的意见建议",
    "training": "参加代表履职能力培训，学习{topic}相关法律法规",
    "research": "参加{topic}专题调研，走访企业和村（社区）",
    "inspection_visit": "参加{topic}集中视察",
    "law_inspection": "参加{topic}执法检查",
    "legislation_opinion": "对《濮阳市{topic}条例（草案）》提出修改意见",
    "proposal": "提出关于{topic}的建议",
    "attend_meeting": "列席市人大常委会会议，听取审议{topic}情况的报告",
    "report_to_voters": "向原选区选民述职，报告一年来履职情况",
    "director_reception": "参加主任接待代表日活动，反映{topic}问题",
    "other": "参加{topic}相关活动",
}
TOPICS = ("黄河流域生态保护", "农村人居环境整治", "优化营商环境", "义务教育均衡发展", "养老服务", "城市管理", "食品安全",
          "乡村振兴", "水污染防治", "文明行为促进", "基层医疗卫生", "安全生产")


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights)[0]


def build_roll(count: int, seed: int, *, records_per_deputy: float = 19.5, year: int | None = None,
               prefix: str = "PY") -> dict:
    """Add `count` deputies numbered PREFIX00001…, their groups, stations and a year of records."""
    rng = random.Random(seed)  # nosec B311  # demo data, deterministic from the seed: not a secret
    year = year or today().year
    last = min(today(), date(year, 12, 31))
    first = date(year, 1, 1)
    span = max(0, (last - first).days)
    n_stations = max(3, round(count / 77))
    n_groups = max(4, round(count / 25))
    townships = []
    for n in range(n_stations):
        county = COUNTIES[n % len(COUNTIES)]
        town = TOWN_PARTS[(n * 2) % len(TOWN_PARTS)] + TOWN_PARTS[(n * 2 + 1) % len(TOWN_PARTS)] + ("镇" if n % 3 else "乡")
        townships.append((county, town, n))
    tag = "" if prefix == "PY" else f"（{prefix}）"  # another roll added beside the first keeps its names apart
    station_rows = [{"name": f"{county}{town}代表联络站{tag}" + (f"（{n // len(COUNTIES) + 1}）" if n >= len(COUNTIES) * 8 else ""),
                     "township": town, "address": f"{county}{town}人民政府院内"} for county, town, n in townships]
    db.session.execute(insert(LiaisonStation), station_rows)
    station_ids = list(db.session.scalars(select(LiaisonStation.id).where(
        LiaisonStation.name.in_([r["name"] for r in station_rows])).order_by(LiaisonStation.id)))
    sector_groups = ("教育界", "医疗卫生界", "企业界", "农业界", "科技界", "妇女界")
    group_rows = []
    for n in range(n_groups):
        if n < len(sector_groups) and n_groups > 20:
            group_rows.append({"name": f"{sector_groups[n]}代表小组{tag}", "kind": "sector", "leader_number": "",
                               "station_id": station_ids[n % len(station_ids)]})
        else:
            group_rows.append({"name": f"{COUNTIES[n % len(COUNTIES)]}第{n + 1}代表小组{tag}", "kind": "mixed",
                               "leader_number": "", "station_id": station_ids[n % len(station_ids)]})
    db.session.execute(insert(DeputyGroup), group_rows)
    groups = db.session.execute(select(DeputyGroup.id, DeputyGroup.station_id).where(
        DeputyGroup.name.in_([r["name"] for r in group_rows])).order_by(DeputyGroup.id)).all()
    deputies = []
    for i in range(count):
        bit = _weighted(rng, LEVEL_WEIGHTS)
        mask = bit | (bit << 1 if bit < 16 and rng.random() < 0.06 else 0)
        grassroots = rng.random() < {16: 0.8, 8: 0.55}.get(bit, 0.35)
        group_id, station_id = groups[rng.randrange(len(groups))]
        county = COUNTIES[rng.randrange(len(COUNTIES))]
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        deputies.append({
            "number": f"{prefix}{i + 1:05d}", "name": name, "gender": rng.choice(("男", "男", "女")), "level_mask": mask,
            "group_id": group_id, "station_id": station_id, "constituency": f"{county}第{rng.randint(1, 40)}选区",
            "sector": rng.choice(SECTORS), "occupation": rng.choice(OCCUPATIONS), "grassroots": grassroots,
            "mobile": f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}", "term": "第十届", "active": True,
        })
    for chunk in range(0, len(deputies), 5000):
        db.session.execute(insert(Deputy.__table__), deputies[chunk:chunk + 5000])
    ids = db.session.execute(select(Deputy.id, Deputy.number).where(Deputy.number.like(f"{prefix}%"))
                             .order_by(Deputy.number)).all()
    leaders = {}
    for deputy_id, number in ids:
        leaders.setdefault(deputies[int(number[len(prefix):]) - 1]["group_id"], number)
    from sqlalchemy import update
    if leaders:
        db.session.execute(update(DeputyGroup), [{"id": g, "leader_number": n} for g, n in leaders.items()])
    records, total = [], 0
    for deputy_id, _number in ids:
        for _ in range(max(0, round(rng.gauss(records_per_deputy, records_per_deputy / 3)))):
            kind = _weighted(rng, KIND_WEIGHTS)
            roll = rng.random()
            state = "confirmed" if roll < 0.8 else "submitted" if roll < 0.95 else "returned"
            records.append({
                "deputy_id": deputy_id, "date": first + timedelta(days=rng.randint(0, span)), "kind": kind,
                "place": f"{rng.choice(COUNTIES)}{rng.choice(('代表联络站', '人大常委会会议室', '村委会', '社区服务中心'))}",
                "content": CONTENT[kind].format(topic=rng.choice(TOPICS), n=rng.randint(3, 30)), "item_id": None,
                "state": state, "return_reason": "请补充活动的具体内容" if state == "returned" else "",
                "source": "demo", "attachment_name": "", "attachment_type": "",
            })
            if len(records) >= 10000:
                db.session.execute(insert(DutyRecord.__table__), records)
                total += len(records)
                records = []
    if records:
        db.session.execute(insert(DutyRecord.__table__), records)
        total += len(records)
    count_change(db.session.connection(), ("deputies",))  # the inserts bypass the ORM: kept pages must see them
    return {"deputies": count, "groups": len(group_rows), "stations": len(station_rows), "records": total}


DEMO_DEPUTY_ACCOUNTS = {"deputy1": "PY00001", "deputy2": "PY00002"}


def small_demo_roll(users, year: int) -> None:
    """For `make run`'s demo: 60 deputies with a half-year of records, the demo deputies linked to the
    first two; once (an existing roll is left as it is)."""
    if db.session.scalar(select(Deputy.id).limit(1)) is None:
        build_roll(60, 1, records_per_deputy=8, year=year)
    by_name = {u.username: u for u in users}
    for username, number in DEMO_DEPUTY_ACCOUNTS.items():
        user = by_name.get(username)
        deputy = db.session.scalar(select(Deputy).where(Deputy.number == number))
        if user is not None and deputy is not None and deputy.user_id in (None, user.id):
            db.session.execute(
                Deputy.__table__.update().where(Deputy.user_id == user.id, Deputy.id != deputy.id).values(user_id=None))
            deputy.user_id = user.id
            if username == "deputy1":
                deputy.grassroots = True
    db.session.flush()
