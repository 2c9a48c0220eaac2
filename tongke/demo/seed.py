"""The demo region: Beijing, Tianjin and Hebei, seeded deterministically.

The same seed gives the same schools, people and usernames on every machine, so tests
and docs can name demo accounts. Every person's password is DEMO_PASSWORD. It is a demo:
the names are generated, not real people.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tongke.audit.services import audit_record
from tongke.demo.seed_courses import seed_courses
from tongke.demo.seed_learning import seed_learning
from tongke.demo.seed_library import seed_library
from tongke.demo.seed_live import seed_live
from tongke.orgs.enums import LocationClass as Loc
from tongke.orgs.enums import RegionLevel, Role, SchoolType, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment
from tongke.orgs.services import grade_name

SEED = 20261123
DEMO_PASSWORD = "tongke-demo-2026"  # noqa: S105 (the demo's published password)
MARKER_CODE = "BJ"

# (code, name, English name, level, children)
REGIONS: list[tuple[str, str, str, str, list[Any]]] = [
    (
        "BJ",
        "北京市",
        "Beijing",
        RegionLevel.PROVINCE,
        [
            ("BJ-HD", "海淀区", "Haidian District", RegionLevel.DISTRICT, []),
            ("BJ-CY", "朝阳区", "Chaoyang District", RegionLevel.DISTRICT, []),
            ("BJ-YQ", "延庆区", "Yanqing District", RegionLevel.DISTRICT, []),
            ("BJ-MY", "密云区", "Miyun District", RegionLevel.DISTRICT, []),
        ],
    ),
    (
        "TJ",
        "天津市",
        "Tianjin",
        RegionLevel.PROVINCE,
        [
            ("TJ-HP", "和平区", "Heping District", RegionLevel.DISTRICT, []),
            ("TJ-BH", "滨海新区", "Binhai New Area", RegionLevel.DISTRICT, []),
            ("TJ-JZ", "蓟州区", "Jizhou District", RegionLevel.DISTRICT, []),
        ],
    ),
    (
        "HE",
        "河北省",
        "Hebei",
        RegionLevel.PROVINCE,
        [
            (
                "HE-SJZ",
                "石家庄市",
                "Shijiazhuang",
                RegionLevel.CITY,
                [
                    ("HE-SJZ-CA", "长安区", "Chang'an District", RegionLevel.DISTRICT, []),
                    ("HE-SJZ-PS", "平山县", "Pingshan County", RegionLevel.DISTRICT, []),
                ],
            ),
            (
                "HE-BD",
                "保定市",
                "Baoding",
                RegionLevel.CITY,
                [
                    ("HE-BD-JX", "竞秀区", "Jingxiu District", RegionLevel.DISTRICT, []),
                    ("HE-BD-FP", "阜平县", "Fuping County", RegionLevel.DISTRICT, []),
                ],
            ),
            (
                "HE-ZJK",
                "张家口市",
                "Zhangjiakou",
                RegionLevel.CITY,
                [
                    ("HE-ZJK-QX", "桥西区", "Qiaoxi District", RegionLevel.DISTRICT, []),
                    ("HE-ZJK-ZB", "张北县", "Zhangbei County", RegionLevel.DISTRICT, []),
                    ("HE-ZJK-GY", "沽源县", "Guyuan County", RegionLevel.DISTRICT, []),
                ],
            ),
        ],
    ),
]

P, J, S, N, V, T = (
    SchoolType.PRIMARY,
    SchoolType.JUNIOR,
    SchoolType.SENIOR,
    SchoolType.NINE_YEAR,
    SchoolType.VOCATIONAL,
    SchoolType.TEACHING_POINT,
)

# district code -> [(school name, English name, type, location class, bandwidth Mbit/s)]
SCHOOLS: dict[str, list[tuple[str, str, str, str, int]]] = {
    "BJ-HD": [
        ("海淀实验小学", "Haidian Experimental Primary School", P, Loc.URBAN, 1000),
        ("中关村第一小学", "Zhongguancun No.1 Primary School", P, Loc.URBAN, 1000),
        ("海淀区第十九中学", "Haidian No.19 Middle School", J, Loc.URBAN, 1000),
        ("清华附属中学", "Tsinghua Affiliated Senior School", S, Loc.URBAN, 1000),
    ],
    "BJ-CY": [
        ("朝阳实验小学", "Chaoyang Experimental Primary School", P, Loc.URBAN, 500),
        ("朝阳区第八十中学", "Chaoyang No.80 Middle School", J, Loc.URBAN, 500),
        ("北京市商务科技学校", "Beijing Business and Technology School", V, Loc.URBAN, 500),
    ],
    "BJ-YQ": [
        ("延庆区第一小学", "Yanqing No.1 Primary School", P, Loc.COUNTY, 200),
        ("延庆区永宁学校", "Yongning School", N, Loc.RURAL, 100),
        ("千家店镇中心小学", "Qianjiadian Central Primary School", P, Loc.RURAL, 50),
    ],
    "BJ-MY": [
        ("密云区第二中学", "Miyun No.2 Middle School", S, Loc.COUNTY, 200),
        ("不老屯镇中心小学", "Bulaotun Central Primary School", P, Loc.RURAL, 50),
    ],
    "TJ-HP": [
        ("和平区万全小学", "Wanquan Primary School", P, Loc.URBAN, 1000),
        ("天津市第一中学", "Tianjin No.1 Middle School", S, Loc.URBAN, 1000),
    ],
    "TJ-BH": [
        ("滨海新区塘沽第一中学", "Tanggu No.1 Middle School", J, Loc.URBAN, 500),
        ("滨海新区大港小学", "Dagang Primary School", P, Loc.COUNTY, 200),
        ("天津滨海职业学院附属学校", "Binhai Vocational School", V, Loc.COUNTY, 200),
    ],
    "TJ-JZ": [
        ("蓟州区第一中学", "Jizhou No.1 Middle School", S, Loc.COUNTY, 200),
        ("下营镇中心小学", "Xiaying Central Primary School", P, Loc.RURAL, 50),
        ("孙各庄九年制学校", "Sungezhuang Nine-year School", N, Loc.RURAL, 30),
    ],
    "HE-SJZ-CA": [
        ("石家庄市第二中学", "Shijiazhuang No.2 Middle School", S, Loc.URBAN, 500),
        ("长安区育才小学", "Yucai Primary School", P, Loc.URBAN, 500),
        ("石家庄第四十二中学", "Shijiazhuang No.42 Middle School", J, Loc.URBAN, 500),
    ],
    "HE-SJZ-PS": [
        ("平山县实验中学", "Pingshan Experimental Middle School", J, Loc.COUNTY, 100),
        ("西柏坡镇中心小学", "Xibaipo Central Primary School", P, Loc.RURAL, 30),
        ("平山县合河口教学点", "Hehekou Teaching Point", T, Loc.REMOTE, 8),
    ],
    "HE-BD-JX": [
        ("保定市第一中学", "Baoding No.1 Middle School", S, Loc.URBAN, 500),
        ("竞秀区乐凯小学", "Lucky Primary School", P, Loc.URBAN, 500),
    ],
    "HE-BD-FP": [
        ("阜平县城厢中学", "Fuping Chengxiang Middle School", J, Loc.COUNTY, 100),
        ("龙泉关镇中心小学", "Longquanguan Central Primary School", P, Loc.RURAL, 20),
        ("阜平县骆驼湾教学点", "Luotuowan Teaching Point", T, Loc.REMOTE, 4),
        ("阜平县顾家台教学点", "Gujiatai Teaching Point", T, Loc.REMOTE, 6),
    ],
    "HE-ZJK-QX": [
        ("张家口市第一中学", "Zhangjiakou No.1 Middle School", S, Loc.URBAN, 500),
        ("桥西区新华街小学", "Xinhuajie Primary School", P, Loc.URBAN, 200),
    ],
    "HE-ZJK-ZB": [
        ("张北县第一中学", "Zhangbei No.1 Middle School", S, Loc.COUNTY, 100),
        ("张北县职业技术教育中心", "Zhangbei Vocational Education Centre", V, Loc.COUNTY, 100),
        ("小二台镇中心小学", "Xiaoertai Central Primary School", P, Loc.RURAL, 20),
        ("张北县德胜村教学点", "Deshengcun Teaching Point", T, Loc.REMOTE, 4),
    ],
    "HE-ZJK-GY": [
        ("沽源县第一中学", "Guyuan No.1 Middle School", J, Loc.COUNTY, 50),
        ("闪电河乡九年制学校", "Shandianhe Nine-year School", N, Loc.RURAL, 20),
        ("沽源县白土窑教学点", "Baituyao Teaching Point", T, Loc.REMOTE, 2),
    ],
}

GRADES_BY_TYPE: dict[str, list[int]] = {
    P: [3, 4, 5, 6],
    J: [7, 8, 9],
    S: [10, 11, 12],
    N: [4, 7, 8],
    V: [10, 11],
    T: [1, 2, 3],
}
CLASSES_PER_GRADE: dict[str, int] = {Loc.URBAN: 2, Loc.COUNTY: 2, Loc.RURAL: 1, Loc.REMOTE: 1}
STUDENTS_PER_CLASS: dict[str, tuple[int, int]] = {
    Loc.URBAN: (18, 26),
    Loc.COUNTY: (16, 24),
    Loc.RURAL: (10, 18),
    Loc.REMOTE: (4, 9),
}
TARGET_STUDENTS = 4000
TARGET_TEACHERS = 150

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "子涵欣怡梓萱一诺浩宇宇轩雨桐诗涵俊杰博文思远嘉怡晨曦明轩若曦佳琪天佑泽宇梦瑶静怡"
    "志强建华秀英丽娟海燕春梅国强文博雅琴晓东振华玉兰德明淑珍立新志远"
)


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


@dataclass
class DemoAccount:
    username: str
    role: str
    note: str


@dataclass
class SeedResult:
    created: bool
    regions: int = 0
    schools: int = 0
    classes: int = 0
    teachers: int = 0
    students: int = 0
    parents: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


def demo_accounts() -> list[DemoAccount]:
    """The accounts the demo prints and the browser tests sign in with."""
    return [
        DemoAccount("admin", "superuser", "整个平台 / the whole installation"),
        DemoAccount("bj_admin", Role.REGION_ADMIN, "北京市 / Beijing"),
        DemoAccount("hd_admin", Role.REGION_ADMIN, "海淀区 / Haidian District"),
        DemoAccount("he_admin", Role.REGION_ADMIN, "河北省 / Hebei"),
        DemoAccount("zjk_admin", Role.REGION_ADMIN, "张家口市 / Zhangjiakou"),
        DemoAccount("school_admin_01", Role.SCHOOL_ADMIN, "海淀实验小学"),
        DemoAccount("t0001", Role.TEACHER, "海淀实验小学"),
        DemoAccount("s00001", Role.STUDENT, "海淀实验小学 (child of p00001)"),
        DemoAccount("p00001", Role.PARENT, "parent of s00001"),
        DemoAccount("reviewer_bj", Role.REVIEWER, "北京市 / Beijing"),
        DemoAccount("learner01", Role.LEARNER, "lifelong learner, no school"),
    ]


def is_seeded() -> bool:
    return OrgUnit.objects.filter(code=MARKER_CODE).exists()


def _walk(nodes: list[Any], parent: OrgUnit | None) -> Iterator[tuple[OrgUnit, str]]:
    for code, name, name_en, level, children in nodes:
        unit = OrgUnit(
            kind=UnitKind.REGION, code=code, name=name, name_en=name_en, region_level=level
        )
        unit = (
            OrgUnit.objects.add_root(instance=unit)
            if parent is None
            else OrgUnit.objects.add_child(parent, instance=unit)
        )
        yield unit, code
        yield from _walk(children, unit)


@transaction.atomic
def seed_demo(*, stdout: Any = None, media_variety: int = 12) -> SeedResult:
    """Seed the demo region unless it is there already (idempotent)."""
    if is_seeded():
        return SeedResult(created=False, accounts=demo_accounts())
    rng = random.Random(SEED)
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    result = SeedResult(created=True, accounts=demo_accounts())

    regions = dict((code, unit) for unit, code in _walk(REGIONS, None))
    result.regions = len(regions)

    # Schools, grades and classes.
    schools: list[tuple[OrgUnit, str]] = []
    classes: list[tuple[OrgUnit, OrgUnit, str]] = []  # (class, school, location)
    n = 0
    for district_code, rows in SCHOOLS.items():
        district = OrgUnit.objects.get(pk=regions[district_code].pk)
        for name, name_en, school_type, loc, mbps in rows:
            n += 1
            school = OrgUnit.objects.add_child(
                district,
                instance=OrgUnit(
                    kind=UnitKind.SCHOOL,
                    code=f"{district_code}-S{n:02d}",
                    name=name,
                    name_en=name_en,
                    school_type=school_type,
                    location_class=loc,
                    bandwidth_mbps=mbps,
                ),
            )
            district.refresh_from_db()
            schools.append((school, loc))
            for level in GRADES_BY_TYPE[school_type]:
                grade = OrgUnit.objects.add_child(
                    school,
                    instance=OrgUnit(
                        kind=UnitKind.GRADE,
                        code=f"{school.code}-G{level:02d}",
                        name=grade_name(level),
                        name_en=f"Grade {level}",
                        grade_level=level,
                    ),
                )
                school.refresh_from_db()
                for k in range(1, CLASSES_PER_GRADE[loc] + 1):
                    klass = OrgUnit.objects.add_child(
                        grade,
                        instance=OrgUnit(
                            kind=UnitKind.CLASS,
                            code=f"{school.code}-G{level:02d}-C{k}",
                            name=f"{grade_name(level)}（{k}）班",
                            name_en=f"Grade {level} Class {k}",
                            grade_level=level,
                        ),
                    )
                    grade.refresh_from_db()
                    classes.append((klass, school, loc))
    result.schools = len(schools)
    result.classes = len(classes)

    users: list[Any] = []
    roles: list[tuple[str, str, OrgUnit | None, str | None]] = []  # username, role, unit, subject

    def person(username: str, full_name: str, **extra: Any) -> str:
        users.append(User(username=username, full_name=full_name, password=password, **extra))
        return username

    # Administrators.
    person("admin", "平台管理员", is_staff=True, is_superuser=True)
    for username, code, full_name in [
        ("bj_admin", "BJ", "北京市教委管理员"),
        ("hd_admin", "BJ-HD", "海淀区教委管理员"),
        ("tj_admin", "TJ", "天津市教委管理员"),
        ("he_admin", "HE", "河北省教育厅管理员"),
        ("zjk_admin", "HE-ZJK", "张家口市教育局管理员"),
    ]:
        roles.append((person(username, full_name), Role.REGION_ADMIN, regions[code], None))
    for username, code, full_name in [
        ("reviewer_bj", "BJ", "北京市资源审核员"),
        ("reviewer_tj", "TJ", "天津市资源审核员"),
        ("reviewer_he", "HE", "河北省资源审核员"),
    ]:
        roles.append((person(username, full_name), Role.REVIEWER, regions[code], None))
    roles.append(
        (person("provider01", "同课合作机构职员"), Role.PROVIDER_STAFF, regions["BJ"], None)
    )
    for i in range(1, 4):
        roles.append((person(f"learner{i:02d}", _name(rng)), Role.LEARNER, None, None))
    for i, (school, _loc) in enumerate(schools, start=1):
        roles.append(
            (
                person(f"school_admin_{i:02d}", f"{school.name}管理员"),
                Role.SCHOOL_ADMIN,
                school,
                None,
            )
        )

    # Teachers: every class gets a head teacher; teachers are spread over schools by classes.
    classes_by_school: dict[int, list[OrgUnit]] = {}
    for klass, school, _loc in classes:
        classes_by_school.setdefault(school.pk, []).append(klass)
    total_classes = len(classes)
    t = 0
    for school, loc in schools:
        school_classes = classes_by_school[school.pk]
        share = max(1, math.ceil(TARGET_TEACHERS * len(school_classes) / total_classes))
        teachers = []
        for _ in range(share):
            t += 1
            teachers.append(person(f"t{t:04d}", _name(rng)))
            roles.append((teachers[-1], Role.TEACHER, school, None))
        for idx, klass in enumerate(school_classes):
            roles.append((teachers[idx % len(teachers)], Role.TEACHER, klass, None))
        if loc == Loc.URBAN:
            roles.append((teachers[0], Role.MASTER_TEACHER, school, None))
        elif loc in (Loc.RURAL, Loc.REMOTE):
            roles.append((teachers[0], Role.TUTOR, school, None))
    result.teachers = t

    # Students, spread over classes by class size, then trimmed or topped up to the target.
    sizes = [rng.randint(*STUDENTS_PER_CLASS[loc]) for _k, _s, loc in classes]
    scale = TARGET_STUDENTS / sum(sizes)
    sizes = [max(3, round(s * scale)) for s in sizes]
    i = 0
    while sum(sizes) != TARGET_STUDENTS:
        sizes[i % len(sizes)] += 1 if sum(sizes) < TARGET_STUDENTS else -1
        i += 1
    s = 0
    p = 0
    for (klass, _school, _loc), size in zip(classes, sizes, strict=True):
        previous_parent: str | None = None
        for _ in range(size):
            s += 1
            full_name = _name(rng)
            student = person(f"s{s:05d}", full_name)
            roles.append((student, Role.STUDENT, klass, None))
            # About one child in ten has a sibling in the same class (one parent for both).
            if previous_parent and rng.random() < 0.1:
                parent = previous_parent
            else:
                p += 1
                parent = person(f"p{p:05d}", full_name[0] + rng.choice("建国志强丽华秀英海燕春梅"))
            roles.append((parent, Role.PARENT, None, student))
            previous_parent = parent
    result.students = s
    result.parents = p

    User.objects.bulk_create(users, batch_size=1000)
    ids = dict(User.objects.values_list("username", "id"))
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user_id=ids[username],
                role=role,
                unit=unit,
                subject_id=ids[subject] if subject else None,
            )
            for username, role, unit, subject in roles
        ],
        batch_size=1000,
    )
    audit_record(
        actor=None,
        action="demo.seed",
        target_type="demo",
        target_label="京津冀 demo region",
        changes={
            "regions": [None, result.regions],
            "schools": [None, result.schools],
            "classes": [None, result.classes],
            "teachers": [None, result.teachers],
            "students": [None, result.students],
            "parents": [None, result.parents],
        },
    )
    seed_courses()
    seed_library(variety=media_variety)
    seed_learning()
    seed_live()
    _analyze()
    return result


def _analyze() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL plans badly without them)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
