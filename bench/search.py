"""Full-text search of the lesson library (tongke/library/search.py) on a generated corpus,
SQLite and PostgreSQL side by side, against a naive ``icontains`` scan in the same run.

    uv run python bench/search.py [--n 100000] [--db sqlite|postgres|both] [--repeat 5]
                                  [--seed 1] [--pg-url postgres://postgres@127.0.0.1:5432]
                                  [--keep]

For each database a child process (this script with ``--child``) gets a throw-away data home
(SQLite: the database lives there) or a fresh PostgreSQL database ``tongke_bench_search``
owned by a role of the same name (dropped at the end), migrates it, and:

1. generates a deterministic corpus (``--seed``): a small region with 40 schools and 3,000
   teachers with Chinese names; a catalogue of real curriculum stages, subjects, editions,
   grade volumes, chapters and lessons (about 1,100 lessons, Chinese and English names); and
   ``--n`` resources filed under those lessons, with Chinese titles (85%) or English ones
   (15%), descriptions built from teaching phrases, kinds, views and ratings; 90% published.
   A rare term (榫卯, "mortise") sits in about 0.1% of them. Bulk-inserted, not timed as
   part of the index;
2. times ``reindex_all()`` (segmentation with jieba, writing the search entries, the engine's
   index; on SQLite the FTS5 rebuild and optimize, on PostgreSQL ANALYZE). The segmentation
   cache hit rate is printed: the corpus repeats phrases more than real descriptions do, so
   real text segments somewhat slower;
3. runs a fixed list of 22 queries (Chinese single words, two-word queries, English words, an
   English prefix, a rare term, very common terms, a teacher's name, two with a stage filter)
   against published resources, the way the library's list does: ``search()`` on the filtered
   queryset with ``select_related``, the first page of 20 and ``count()``. Each query once to
   warm up, then ``--repeat`` times. The same queries then run as a naive scan: every
   whitespace-separated word of the query must be in the title or the description
   (``icontains``), newest first, first page and count.

It prints, per database: corpus and index figures, per-query hits and median latency for
search and scan, then p50/p95 latency and queries/s over all runs, and the ratio of search
time to scan time (the figure to compare; lower is better). The last line is for machines:

    search: sqlite_p50_ms=N sqlite_p95_ms=N sqlite_qps=N sqlite_ratio=N sqlite_index_s=N
            pg_p50_ms=N pg_p95_ms=N pg_qps=N pg_ratio=N pg_index_s=N   (one line)

("na" where a database was not run). The benchmark and the database share the machine; a
cold start (first query after start) is not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import clean_env, percentile, pg_admin, pg_create, pg_drop

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PG_DB = "tongke_bench_search"
PG_CONN_LIMIT = 10
PAGE = 20

# --- The corpus vocabulary ----------------------------------------------------------------

STAGES = [
    # code, name, English name, grades
    ("primary", "小学", "Primary", [1, 2, 3, 4, 5, 6]),
    ("junior", "初中", "Junior secondary", [7, 8, 9]),
    ("senior", "高中", "Senior secondary", [10, 11, 12]),
]
GRADE_NAMES = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "七年级",
    8: "八年级",
    9: "九年级",
    10: "高一",
    11: "高二",
    12: "高三",
}
Lesson = tuple[str, str]
Chapter = tuple[str, str, str, list[Lesson]]  # stage code, name, English name, lessons
SUBJECTS: dict[str, tuple[str, str, list[str], list[Chapter]]] = {
    "math": (
        "数学",
        "Mathematics",
        ["人教版", "北师大版"],
        [
            (
                "primary",
                "分数",
                "Fractions",
                [
                    ("分数的意义", "The meaning of fractions"),
                    ("分数的加法和减法", "Adding and subtracting fractions"),
                    ("分数乘法", "Multiplying fractions"),
                ],
            ),
            (
                "primary",
                "圆",
                "Circles",
                [
                    ("圆的认识", "Getting to know circles"),
                    ("圆的周长", "The circumference of a circle"),
                    ("圆的面积", "The area of a circle"),
                ],
            ),
            (
                "primary",
                "长方形和正方形",
                "Rectangles and squares",
                [
                    ("长方形的周长", "The perimeter of a rectangle"),
                    ("正方形的面积", "The area of a square"),
                ],
            ),
            (
                "junior",
                "有理数",
                "Rational numbers",
                [
                    ("正数和负数", "Positive and negative numbers"),
                    ("数轴", "The number line"),
                    ("有理数的加减法", "Adding and subtracting rational numbers"),
                    ("有理数的乘除法", "Multiplying and dividing rational numbers"),
                ],
            ),
            (
                "junior",
                "一次函数",
                "Linear functions",
                [
                    ("变量与函数", "Variables and functions"),
                    ("一次函数的图像", "Graphs of linear functions"),
                    ("一次函数的性质", "Properties of linear functions"),
                    ("一次函数与方程", "Linear functions and equations"),
                ],
            ),
            (
                "junior",
                "二次函数",
                "Quadratic functions",
                [
                    ("二次函数的图像和性质", "Graphs and properties of quadratic functions"),
                    ("二次函数与一元二次方程", "Quadratic functions and quadratic equations"),
                    ("实际问题与二次函数", "Quadratic functions in real problems"),
                ],
            ),
            (
                "junior",
                "勾股定理",
                "The Pythagorean theorem",
                [
                    ("勾股定理", "The Pythagorean theorem"),
                    ("勾股定理的逆定理", "The converse of the Pythagorean theorem"),
                ],
            ),
            (
                "junior",
                "三角形",
                "Triangles",
                [
                    ("三角形的内角和", "The angle sum of a triangle"),
                    ("全等三角形", "Congruent triangles"),
                    ("相似三角形", "Similar triangles"),
                ],
            ),
            (
                "junior",
                "一元二次方程",
                "Quadratic equations",
                [
                    ("配方法", "Completing the square"),
                    ("公式法", "The quadratic formula"),
                    ("因式分解法", "Solving by factoring"),
                ],
            ),
            (
                "senior",
                "三角函数",
                "Trigonometric functions",
                [
                    ("任意角和弧度制", "Angles and radians"),
                    ("正弦函数的图像", "The graph of the sine function"),
                    ("三角恒等变换", "Trigonometric identities"),
                ],
            ),
            (
                "senior",
                "数列",
                "Sequences",
                [
                    ("等差数列", "Arithmetic sequences"),
                    ("等比数列", "Geometric sequences"),
                ],
            ),
            (
                "senior",
                "统计与概率",
                "Statistics and probability",
                [
                    ("随机事件的概率", "The probability of random events"),
                    ("用样本估计总体", "Estimating a population from a sample"),
                ],
            ),
        ],
    ),
    "chinese": (
        "语文",
        "Chinese",
        ["统编版"],
        [
            (
                "primary",
                "识字与拼音",
                "Characters and pinyin",
                [
                    ("汉语拼音", "Pinyin"),
                    ("识字", "Learning characters"),
                    ("写字", "Handwriting"),
                ],
            ),
            (
                "primary",
                "古诗",
                "Classical poems",
                [
                    ("静夜思", "Quiet night thoughts"),
                    ("春晓", "Spring morning"),
                    ("望庐山瀑布", "Viewing the waterfall at Mount Lu"),
                ],
            ),
            (
                "junior",
                "文言文",
                "Classical Chinese prose",
                [
                    ("桃花源记", "The peach blossom spring"),
                    ("岳阳楼记", "The Yueyang tower"),
                    ("出师表", "The memorial on dispatching the troops"),
                ],
            ),
            (
                "junior",
                "现代文阅读",
                "Modern prose",
                [
                    ("背影", "The sight of father's back"),
                    ("从百草园到三味书屋", "From the hundred-plant garden to the study"),
                ],
            ),
            (
                "junior",
                "写作",
                "Writing",
                [
                    ("记叙文写作", "Narrative writing"),
                    ("说明文写作", "Expository writing"),
                ],
            ),
            (
                "senior",
                "古诗词",
                "Classical poetry",
                [
                    ("水调歌头", "Prelude to water melody"),
                    ("念奴娇·赤壁怀古", "Memories of the Red Cliff"),
                ],
            ),
            (
                "senior",
                "议论文",
                "Argumentative essays",
                [("议论文写作", "Argumentative writing"), ("劝学", "An exhortation to learning")],
            ),
        ],
    ),
    "english": (
        "英语",
        "English",
        ["人教版", "外研版"],
        [
            (
                "primary",
                "词汇",
                "Vocabulary",
                [
                    ("动物", "Animals"),
                    ("颜色", "Colours"),
                    ("家庭成员", "Family members"),
                ],
            ),
            (
                "junior",
                "语法",
                "Grammar",
                [
                    ("一般现在时", "The simple present tense"),
                    ("一般过去时", "The simple past tense"),
                    ("现在完成时", "The present perfect tense"),
                ],
            ),
            (
                "junior",
                "口语交际",
                "Speaking",
                [
                    ("自我介绍", "Introducing yourself"),
                    ("问路", "Asking the way"),
                ],
            ),
            (
                "senior",
                "阅读",
                "Reading",
                [
                    ("阅读理解", "Reading comprehension"),
                    ("完形填空", "Cloze tests"),
                ],
            ),
            (
                "senior",
                "高级语法",
                "Advanced grammar",
                [
                    ("被动语态", "The passive voice"),
                    ("定语从句", "Relative clauses"),
                ],
            ),
        ],
    ),
    "physics": (
        "物理",
        "Physics",
        ["人教版", "沪教版"],
        [
            (
                "junior",
                "力",
                "Force",
                [
                    ("牛顿第一定律", "Newton's first law"),
                    ("摩擦力", "Friction"),
                    ("浮力", "Buoyancy"),
                    ("压强", "Pressure"),
                    ("杠杆", "Levers"),
                ],
            ),
            (
                "junior",
                "电路",
                "Electric circuits",
                [
                    ("串联和并联", "Series and parallel circuits"),
                    ("欧姆定律", "Ohm's law"),
                    ("电功率", "Electric power"),
                ],
            ),
            (
                "junior",
                "光现象",
                "Light",
                [
                    ("光的反射", "The reflection of light"),
                    ("光的折射", "The refraction of light"),
                    ("凸透镜成像规律", "Images formed by convex lenses"),
                ],
            ),
            (
                "senior",
                "电磁感应",
                "Electromagnetic induction",
                [
                    ("楞次定律", "Lenz's law"),
                    ("法拉第电磁感应定律", "Faraday's law of induction"),
                ],
            ),
            (
                "senior",
                "牛顿运动定律",
                "Newton's laws of motion",
                [
                    ("牛顿第二定律", "Newton's second law"),
                    ("超重和失重", "Overweight and weightlessness"),
                ],
            ),
        ],
    ),
    "chemistry": (
        "化学",
        "Chemistry",
        ["人教版"],
        [
            (
                "junior",
                "物质构成的奥秘",
                "The structure of matter",
                [
                    ("分子和原子", "Molecules and atoms"),
                    ("元素", "Elements"),
                    ("化学式与化合价", "Chemical formulas and valence"),
                ],
            ),
            (
                "junior",
                "化学方程式",
                "Chemical equations",
                [
                    ("质量守恒定律", "The conservation of mass"),
                    ("如何正确书写化学方程式", "Writing chemical equations"),
                ],
            ),
            (
                "junior",
                "碳和碳的氧化物",
                "Carbon and its oxides",
                [
                    ("二氧化碳制取的研究", "Preparing carbon dioxide"),
                    ("一氧化碳", "Carbon monoxide"),
                ],
            ),
            (
                "junior",
                "酸和碱",
                "Acids and bases",
                [
                    ("常见的酸和碱", "Common acids and bases"),
                    ("酸和碱的中和反应", "Neutralisation"),
                ],
            ),
            (
                "senior",
                "化学反应与能量",
                "Reactions and energy",
                [
                    ("氧化还原反应", "Redox reactions"),
                    ("原电池", "Galvanic cells"),
                ],
            ),
        ],
    ),
    "biology": (
        "生物",
        "Biology",
        ["人教版", "北师大版"],
        [
            (
                "junior",
                "细胞",
                "Cells",
                [
                    ("细胞的结构", "Cell structure"),
                    ("细胞分裂", "Cell division"),
                ],
            ),
            (
                "junior",
                "绿色植物",
                "Green plants",
                [
                    ("光合作用", "Photosynthesis"),
                    ("呼吸作用", "Respiration"),
                    ("种子的萌发", "Seed germination"),
                ],
            ),
            (
                "junior",
                "人体的生命活动",
                "The human body",
                [
                    ("消化和吸收", "Digestion and absorption"),
                    ("血液循环", "Blood circulation"),
                ],
            ),
            (
                "senior",
                "遗传与进化",
                "Heredity and evolution",
                [
                    ("基因和染色体", "Genes and chromosomes"),
                    ("遗传规律", "The laws of inheritance"),
                    ("生物的进化", "Evolution"),
                ],
            ),
        ],
    ),
    "history": (
        "历史",
        "History",
        ["统编版"],
        [
            (
                "junior",
                "中国古代史",
                "Ancient China",
                [
                    ("秦统一中国", "The Qin unifies China"),
                    ("丝绸之路", "The Silk Road"),
                    ("唐朝的繁荣", "The prosperity of the Tang"),
                ],
            ),
            (
                "junior",
                "中国近代史",
                "Modern China",
                [
                    ("鸦片战争", "The Opium War"),
                    ("辛亥革命", "The 1911 Revolution"),
                    ("五四运动", "The May Fourth Movement"),
                ],
            ),
            (
                "senior",
                "世界史",
                "World history",
                [
                    ("文艺复兴", "The Renaissance"),
                    ("工业革命", "The Industrial Revolution"),
                ],
            ),
        ],
    ),
    "geography": (
        "地理",
        "Geography",
        ["人教版", "湘教版"],
        [
            (
                "junior",
                "地球和地图",
                "The Earth and maps",
                [
                    ("地球的自转", "The rotation of the Earth"),
                    ("地球的公转", "The revolution of the Earth"),
                    ("经纬网", "Latitude and longitude"),
                ],
            ),
            (
                "junior",
                "天气与气候",
                "Weather and climate",
                [
                    ("气温和降水", "Temperature and precipitation"),
                    ("世界的气候类型", "Climate types of the world"),
                ],
            ),
            (
                "senior",
                "自然地理",
                "Physical geography",
                [
                    ("大气的受热过程", "How the atmosphere is heated"),
                    ("河流地貌", "River landforms"),
                ],
            ),
        ],
    ),
    "moral": (
        "道德与法治",
        "Morality and rule of law",
        ["统编版"],
        [
            (
                "primary",
                "我们的校园",
                "Our school",
                [
                    ("遵守校规", "Following school rules"),
                    ("爱护环境", "Caring for our surroundings"),
                ],
            ),
            (
                "junior",
                "成长的节拍",
                "Growing up",
                [("认识自己", "Knowing yourself"), ("友谊的天空", "The sky of friendship")],
            ),
            (
                "junior",
                "法律与生活",
                "Law and life",
                [("宪法是根本法", "The Constitution"), ("依法行使权利", "Exercising rights")],
            ),
        ],
    ),
    # Rare on purpose: the lessons of a small subject hold the rare term.
    "labour": (
        "劳动",
        "Labour",
        ["人教版"],
        [
            (
                "junior",
                "传统工艺",
                "Traditional crafts",
                [("榫卯结构的奥秘", "Mortise and tenon joints")],
            ),
        ],
    ),
}
SUBJECT_WEIGHTS = {
    "math": 25,
    "chinese": 18,
    "english": 15,
    "physics": 9,
    "chemistry": 7,
    "biology": 7,
    "history": 7,
    "geography": 6,
    "moral": 5,
    "labour": 0.1,
}
KINDS = [
    ("video", 30),
    ("micro", 20),
    ("courseware", 20),
    ("plan", 15),
    ("exercise", 8),
    ("task_sheet", 5),
    ("lab_link", 2),
]
ANGLES = [
    ("情境导入", "a real-life opening"),
    ("探究活动", "an inquiry activity"),
    ("分层练习", "graded practice"),
    ("易错点突破", "common mistakes"),
    ("思维导图", "a mind map"),
    ("实验探究", "a hands-on experiment"),
    ("项目式学习", "a project"),
    ("复习课", "a review lesson"),
    ("公开课", "an open lesson"),
    ("同课异构", "one lesson, two designs"),
]
METHODS = [
    ("创设生活情境", "everyday situations"),
    ("小组合作学习", "group work"),
    ("问题链驱动", "a chain of questions"),
    ("动手操作与实验", "hands-on work"),
    ("信息技术与学科融合", "digital tools"),
    ("对比分析与归纳", "comparison and summary"),
    ("启发式讲解", "guided explanation"),
    ("游戏化活动", "games"),
]
GOALS = [
    ("理解{chapter}的基本概念", "understand the basic ideas of {chapter_en}"),
    ("掌握{lesson}的方法和步骤", "master the steps of {lesson_en}"),
    ("体会数形结合的思想", "see numbers and shapes together"),
    ("提升{subject}学科核心素养", "build core skills in {subject_en}"),
    ("培养科学探究能力和合作意识", "grow inquiry and teamwork skills"),
    ("学会用{lesson}解决实际问题", "use {lesson_en} in real problems"),
]
EXTRAS = [
    "教学重点：{lesson}；教学难点：{lesson}的灵活运用。",
    "配套课件、学习任务单和课后分层作业。",
    "适用于{edition}{volume}，课时约{minutes}分钟。",
    "本课例曾在区级教研活动中展示，获得听课教师好评。",
    "课后练习包含基础题、提高题和拓展题三个层次。",
    "视频中包含板书演示与学生活动实录。",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志"
    "强晓东海波欣怡子涵雨桐浩然思远梓萱一诺宇轩晨阳文博嘉怡俊杰"
)
SCHOOL_WORDS = (
    "实验 第一 第二 第三 育才 师范附属 外国语 城关 东风 向阳 阳光 红星 希望 光明 新华 前进"
)

QUERIES: list[tuple[str, str, dict[str, str]]] = [
    # (label, query, filters on the published queryset)
    ("zh", "函数", {}),
    ("zh", "光合作用", {}),
    ("zh", "勾股定理", {}),
    ("zh", "古诗", {}),
    ("zh", "欧姆定律", {}),
    ("zh", "阅读理解", {}),
    ("zh two", "一次函数 图像", {}),
    ("zh two", "化学 实验", {}),
    ("zh two", "二次函数 性质", {}),
    ("zh two", "鸦片战争 教学设计", {}),
    ("zh two", "一元二次方程 配方法", {}),
    ("en", "linear function", {}),
    ("en", "photosynthesis", {}),
    ("en", "present perfect", {}),
    ("en", "Newton", {}),
    ("en prefix", "func", {}),
    ("rare", "榫卯", {}),
    ("rare en", "mortise", {}),
    ("common", "数学", {}),
    ("common", "课件", {}),
    ("teacher", "{teacher}", {}),
    ("filtered", "函数", {"stage": "junior", "subject": "math"}),
]


# --- Child: one database --------------------------------------------------------------------


@dataclass
class Corpus:
    lessons: list[dict[str, Any]]
    teachers: list[tuple[int, int, str]]  # user id, school id, full name
    schools: dict[int, tuple[str, str]]  # id -> (path, district path)
    regions: dict[str, int]  # district path -> id


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.base")
    import django

    django.setup()


def build_orgs(rng: random.Random) -> dict[int, tuple[str, str]]:
    from tongke.orgs.enums import LocationClass, RegionLevel, SchoolType, UnitKind
    from tongke.orgs.models import OrgUnit

    province = OrgUnit.objects.add_root(
        instance=OrgUnit(
            kind=UnitKind.REGION, code="BENCH", name="基准省", region_level=RegionLevel.PROVINCE
        )
    )
    schools: dict[int, tuple[str, str]] = {}
    types = [SchoolType.PRIMARY, SchoolType.JUNIOR, SchoolType.SENIOR, SchoolType.NINE_YEAR]
    for d, district_name in enumerate(["东城区", "西山区", "南湖区", "北原县"], start=1):
        district = OrgUnit.objects.add_child(
            OrgUnit.objects.get(pk=province.pk),
            instance=OrgUnit(
                kind=UnitKind.REGION,
                code=f"BENCH-D{d}",
                name=district_name,
                region_level=RegionLevel.DISTRICT,
            ),
        )
        for s in range(1, 11):
            school_type = types[(d + s) % len(types)]
            label = {"primary": "小学", "junior": "中学", "senior": "高级中学"}.get(
                school_type, "学校"
            )
            name = f"{district_name[:2]}{rng.choice(SCHOOL_WORDS.split())}{label}"
            school = OrgUnit.objects.add_child(
                OrgUnit.objects.get(pk=district.pk),
                instance=OrgUnit(
                    kind=UnitKind.SCHOOL,
                    code=f"BENCH-D{d}-S{s:02d}",
                    name=f"{name}（{s}）",
                    name_en=f"Bench school {d}-{s}",
                    school_type=school_type,
                    location_class=LocationClass.URBAN if d < 3 else LocationClass.RURAL,
                ),
            )
            schools[school.pk] = (school.path, district.path)
    return schools


def build_teachers(
    rng: random.Random, schools: dict[int, tuple[str, str]]
) -> list[tuple[int, int, str]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    unusable = make_password(None)
    school_ids = sorted(schools)
    users = []
    for t in range(3000):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        users.append(
            User(username=f"bench_t{t:05d}", full_name=name, password=unusable, is_active=True)
        )
    created = User.objects.bulk_create(users, batch_size=1000)
    if created[0].pk is None:  # older SQLite: no RETURNING
        created = list(User.objects.filter(username__startswith="bench_t").order_by("username"))
    return [(u.pk, school_ids[i % len(school_ids)], u.full_name) for i, u in enumerate(created)]


def build_catalogue() -> list[dict[str, Any]]:
    """The catalogue, bulk-created with materialized paths; returns the lessons."""
    from tongke.library.enums import NodeKind
    from tongke.library.models import CatalogueNode

    nodes: list[CatalogueNode] = []
    lessons: list[dict[str, Any]] = []
    counters: dict[str, int] = {}

    def add(parent: CatalogueNode | None, **fields: Any) -> CatalogueNode:
        parent_path = parent.path if parent else ""
        step = counters.get(parent_path, 0) + 1
        counters[parent_path] = step
        depth = (parent.depth + 1) if parent else 1
        node = CatalogueNode(
            path=CatalogueNode._get_path(parent_path or None, depth, step),
            depth=depth,
            numchild=0,
            **fields,
        )
        if parent:
            parent.numchild += 1
        nodes.append(node)
        return node

    code = 0

    def next_code() -> str:
        nonlocal code
        code += 1
        return f"BENCH-{code:05d}"

    for stage, stage_name, stage_en, grades in STAGES:
        stage_node = add(
            None,
            kind=NodeKind.STAGE,
            code=next_code(),
            name=stage_name,
            name_en=stage_en,
            stage=stage,
        )
        for subject, (subject_name, subject_en, editions, chapters) in SUBJECTS.items():
            mine = [c for c in chapters if c[0] == stage]
            if not mine:
                continue
            subject_node = add(
                stage_node,
                kind=NodeKind.SUBJECT,
                code=next_code(),
                name=subject_name,
                name_en=subject_en,
                stage=stage,
                subject=subject,
            )
            for edition in editions:
                edition_node = add(
                    subject_node,
                    kind=NodeKind.EDITION,
                    code=next_code(),
                    name=edition,
                    stage=stage,
                    subject=subject,
                    edition=edition,
                )
                for i, (_, chapter, chapter_en, chapter_lessons) in enumerate(mine):
                    grade = grades[i * len(grades) // len(mine)]
                    half = "上册" if i % 2 == 0 else "下册"
                    volume_node = add(
                        edition_node,
                        kind=NodeKind.VOLUME,
                        code=next_code(),
                        name=f"{GRADE_NAMES[grade]}{half}",
                        name_en=f"Grade {grade}, {'first' if i % 2 == 0 else 'second'} volume",
                        stage=stage,
                        subject=subject,
                        edition=edition,
                        grade_level=grade,
                    )
                    chapter_node = add(
                        volume_node,
                        kind=NodeKind.CHAPTER,
                        code=next_code(),
                        name=f"第{i + 1}章 {chapter}",
                        name_en=f"Chapter {i + 1}: {chapter_en}",
                        stage=stage,
                        subject=subject,
                        edition=edition,
                        grade_level=grade,
                    )
                    for j, (lesson, lesson_en) in enumerate(chapter_lessons, start=1):
                        lesson_node = add(
                            chapter_node,
                            kind=NodeKind.LESSON,
                            code=next_code(),
                            name=f"{i + 1}.{j} {lesson}",
                            name_en=lesson_en,
                            stage=stage,
                            subject=subject,
                            edition=edition,
                            grade_level=grade,
                        )
                        lessons.append(
                            {
                                "node": lesson_node,
                                "lesson": lesson,
                                "lesson_en": lesson_en,
                                "chapter": chapter,
                                "chapter_en": chapter_en,
                                "subject": subject,
                                "subject_name": subject_name,
                                "subject_en": subject_en,
                                "edition": edition,
                                "volume": volume_node.name,
                                "stage": stage,
                                "grade": grade,
                            }
                        )
    CatalogueNode.objects.bulk_create(nodes, batch_size=500)
    by_code = dict(CatalogueNode.objects.values_list("code", "pk"))
    for lesson_row in lessons:
        lesson_row["node_id"] = by_code[lesson_row["node"].code]
    return lessons


def make_text(rng: random.Random, lesson: dict[str, Any], kind: str) -> tuple[str, str]:
    fmt = {k: v for k, v in lesson.items() if isinstance(v, str)}
    fmt["minutes"] = str(rng.choice([10, 15, 20, 40, 45]))
    angle, angle_en = rng.choice(ANGLES)
    method, method_en = rng.choice(METHODS)
    goal, goal_en = rng.choice(GOALS)
    if rng.random() < 0.15:
        title = rng.choice(
            [
                "{lesson_en}",
                "{lesson_en}: " + angle_en,
                "{lesson_en} (lesson {n})",
                "{chapter_en}: {lesson_en}",
            ]
        ).format(n=rng.randint(1, 3), **fmt)
        description = (
            f"This lesson introduces {fmt['lesson_en'].lower()} through {method_en}, "
            f"helping students {goal_en.format(**fmt)}."
        )
        return title, description
    title = rng.choice(
        [
            "{lesson}",
            "{lesson}（第{n}课时）",
            "《{lesson}》" + angle,
            "{lesson}"
            + {"plan": "教学设计", "courseware": "课件", "exercise": "练习"}.get(kind, ""),
            "{chapter}：{lesson}",
            "{lesson} " + angle,
        ]
    ).format(n=rng.randint(1, 3), **fmt)
    sentences = [f"本节课围绕{fmt['lesson']}展开，通过{method}，引导学生{goal.format(**fmt)}。"]
    sentences += [s.format(**fmt) for s in rng.sample(EXTRAS, rng.randint(0, 2))]
    if rng.random() < 0.001:
        sentences.append("拓展环节结合传统榫卯结构，体会中华优秀传统文化。")
    return title, "".join(sentences)


def build_resources(rng: random.Random, n: int, corpus: Corpus) -> float:
    """Insert ``n`` resources (90% published, with a live version); returns the seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from tongke.library.models import Resource, ResourceVersion

    started = time.perf_counter()
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for lesson in corpus.lessons:
        by_subject.setdefault(lesson["subject"], []).append(lesson)
    subjects = list(SUBJECT_WEIGHTS)
    weights = [SUBJECT_WEIGHTS[s] for s in subjects]
    kinds = [k for k, _ in KINDS]
    kind_weights = [w for _, w in KINDS]
    visibilities = ["public", "all", "region", "school"]
    now = timezone.now()
    batch = 5000
    for start in range(0, n, batch):
        resources = []
        for _ in range(start, min(n, start + batch)):
            lesson = rng.choice(by_subject[rng.choices(subjects, weights)[0]])
            kind = rng.choices(kinds, kind_weights)[0]
            title, description = make_text(rng, lesson, kind)
            owner_id, school_id, _name = rng.choice(corpus.teachers)
            school_path, region_path = corpus.schools[school_id]
            ratings = rng.choice([0, 0, 0, 1, 2, 5, 12, 30])
            resources.append(
                Resource(
                    kind=kind,
                    node_id=lesson["node_id"],
                    owner_id=owner_id,
                    school_id=school_id,
                    region_id=corpus.regions[region_path],
                    school_path=school_path,
                    region_path=region_path,
                    licence="cc-by",
                    visibility=rng.choice(visibilities),
                    status="draft",
                    title=title[:200],
                    description=description,
                    stage=lesson["stage"],
                    subject=lesson["subject"],
                    edition=lesson["edition"],
                    grade_level=lesson["grade"],
                    view_count=int(rng.paretovariate(1.2) * 10),
                    rating_count=ratings,
                    rating_sum=sum(rng.randint(2, 5) for _ in range(ratings)),
                    published_at=now,
                )
            )
        with transaction.atomic():
            Resource.objects.bulk_create(resources, batch_size=1000)
    assert Resource._meta.db_table == "library_resource"
    assert ResourceVersion._meta.db_table == "library_resourceversion"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO library_resourceversion (resource_id, number, title, description, "
            "asset_id, external_url, status, note, return_reasons, created_by_id, created_at, "
            "submitted_at, decided_at, decided_by_id) "
            "SELECT id, 1, title, description, NULL, '', 'approved', '', '', owner_id, "
            "created_at, NULL, NULL, NULL FROM library_resource"
        )
        # 90% published: every resource whose id is not a multiple of 10.
        cursor.execute(
            "UPDATE library_resource SET status = 'published', live_version_id = "
            "(SELECT v.id FROM library_resourceversion v "
            "WHERE v.resource_id = library_resource.id) WHERE id % 10 <> 0"
        )
        cursor.execute("UPDATE library_resource SET published_at = NULL WHERE id % 10 = 0")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def child(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q, QuerySet

    from tongke.library import search as search_module
    from tongke.library.models import Resource, SearchEntry
    from tongke.orgs.models import OrgUnit

    call_command("migrate", verbosity=0, skip_checks=True)
    rng = random.Random(args.seed)
    schools = build_orgs(rng)
    regions = dict(OrgUnit.objects.filter(kind="region").values_list("path", "pk"))
    teachers = build_teachers(rng, schools)
    corpus = Corpus(lessons=build_catalogue(), teachers=teachers, schools=schools, regions=regions)
    insert_s = build_resources(rng, args.n, corpus)

    search_module.query_terms("预热")  # load jieba before the clock starts
    search_module._han_index_words.cache_clear()
    index_s, indexed = timed(search_module.reindex_all)
    cache = search_module._han_index_words.cache_info()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT (SELECT coalesce(sum(length(block)), 0) FROM library_search_fts_data)"
                " + (SELECT coalesce(sum(length(sz)), 0) FROM library_search_fts_docsize)"
            )
            server = f"SQLite {sqlite3.sqlite_version}"
        else:
            cursor.execute(
                "SELECT pg_relation_size('library_searchentry_fts') + "
                "(SELECT coalesce(sum(pg_column_size(search_vector)), 0) "
                "FROM library_searchentry)"
            )
        index_bytes = int(cursor.fetchone()[0])
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            server = str(cursor.fetchone()[0])
    entry_chars = sum(
        len(t) + len(b) for t, b in SearchEntry.objects.values_list("title_words", "body_words")
    )

    published = Resource.objects.filter(status="published")
    # A teacher with resources: the owner of the first published one.
    teacher_name = published.order_by("pk").values_list("owner__full_name", flat=True)[0]

    def search_page(query: str, filters: dict[str, str]) -> int:
        qs: QuerySet[Resource] = search_module.search(
            published.filter(**filters).select_related("node", "owner", "school"), query
        )
        list(qs[:PAGE])
        return qs.count()

    def naive_page(query: str, filters: dict[str, str]) -> int:
        qs = published.filter(**filters).select_related("node", "owner", "school")
        for word in query.split():
            qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
        qs = qs.order_by("-published_at", "-id")
        list(qs[:PAGE])
        return qs.count()

    rows = []
    for label, raw, filters in QUERIES:
        query = raw.format(teacher=teacher_name)
        row: dict[str, Any] = {"label": label, "query": query, "filters": filters}
        for name, fn in (("search", search_page), ("naive", naive_page)):
            row[f"{name}_hits"] = fn(query, filters)  # warm-up
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                fn(query, filters)
                times.append(time.perf_counter() - started)
            row[f"{name}_ms"] = [t * 1000 for t in times]
        rows.append(row)

    result = {
        "vendor": connection.vendor,
        "server": server,
        "n": args.n,
        "published": published.count(),
        "insert_s": insert_s,
        "index_s": index_s,
        "indexed": indexed,
        "cache_hits": cache.hits,
        "cache_misses": cache.misses,
        "entry_chars": entry_chars,
        "index_bytes": index_bytes,
        "rows": rows,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False))
    return 0


# --- Parent: run the children, print side by side ------------------------------------------


def run_child(args: argparse.Namespace, db: str, work: Path) -> dict[str, Any]:
    home = work / db
    home.mkdir(parents=True, exist_ok=True)
    database_url = ""
    if db == "postgres":
        database_url = pg_create(args.pg_url, PG_CONN_LIMIT, PG_DB)
    out = work / f"{db}.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--n",
        str(args.n),
        "--repeat",
        str(args.repeat),
        "--seed",
        str(args.seed),
        "--out",
        str(out),
    ]
    env = clean_env(home, database_url)
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        env["DJANGO_SETTINGS_MODULE"] = os.environ["DJANGO_SETTINGS_MODULE"]
    try:
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(f"{db}: the benchmark child failed with status {done.returncode}")
        result: dict[str, Any] = json.loads(out.read_text())
        result["wall_s"] = time.perf_counter() - started
        return result
    finally:
        if db == "postgres" and not args.keep:
            pg_drop(args.pg_url, PG_DB)


def summary(result: dict[str, Any]) -> dict[str, float]:
    figures: dict[str, float] = {}
    for name in ("search", "naive"):
        times = sorted(t for row in result["rows"] for t in row[f"{name}_ms"])
        figures[f"{name}_p50"] = percentile(times, 0.5)
        figures[f"{name}_p95"] = percentile(times, 0.95)
        figures[f"{name}_total_s"] = sum(times) / 1000
        figures[f"{name}_qps"] = len(times) / (sum(times) / 1000)
    figures["ratio"] = figures["search_total_s"] / figures["naive_total_s"]
    return figures


def print_report(
    args: argparse.Namespace, results: dict[str, dict[str, Any]], load_at_start: float
) -> None:
    import jieba

    print(
        f"search bench: n={args.n} repeat={args.repeat} seed={args.seed} page={PAGE} | "
        f"{platform.platform()} | Python {platform.python_version()} | {os.cpu_count()} CPU | "
        f"load {load_at_start:.2f} at start, {os.getloadavg()[0]:.2f} at end | "
        f"jieba {jieba.__version__}"
    )
    for db, result in results.items():
        print(f"  {db}: {result['server'].split(' on ')[0]}")
    print()
    print(f"{'':28}" + "".join(f"{db:>22}" for db in results))
    lines = [
        ("resources (published)", lambda r: f"{r['n']:,} ({r['published']:,})"),
        ("generate + insert s", lambda r: f"{r['insert_s']:.1f}"),
        ("reindex_all s", lambda r: f"{r['index_s']:.1f}"),
        ("resources indexed/s", lambda r: f"{r['indexed'] / r['index_s']:,.0f}"),
        (
            "segment cache hit rate",
            lambda r: f"{r['cache_hits'] / max(1, r['cache_hits'] + r['cache_misses']):.0%}",
        ),
        ("entry text MB", lambda r: f"{r['entry_chars'] / 1e6:.1f}"),
        ("full-text index MB (1)", lambda r: f"{r['index_bytes'] / 2**20:.1f}"),
    ]
    for label, fn in lines:
        print(f"{label:28}" + "".join(f"{fn(r):>22}" for r in results.values()))
    print()
    header = f"{'query':34}"
    for db in results:
        header += f"{db + ' hits':>16}{'search ms':>11}{'scan hits':>10}{'scan ms':>9}"
    print(header)
    first = next(iter(results.values()))
    for i, row in enumerate(first["rows"]):
        label = f"{row['label']}: {row['query']}"
        if row["filters"]:
            label += " [" + ",".join(row["filters"].values()) + "]"
        line = f"{label[:33]:34}"
        for result in results.values():
            r = result["rows"][i]
            line += (
                f"{r['search_hits']:>16,}{statistics.median(r['search_ms']):>11.1f}"
                f"{r['naive_hits']:>10,}{statistics.median(r['naive_ms']):>9.1f}"
            )
        print(line)
    print()
    figures = {db: summary(r) for db, r in results.items()}
    print(f"{'over all runs':28}" + "".join(f"{db:>22}" for db in results))
    for label, key, fmt in [
        ("search p50 ms", "search_p50", "{:.1f}"),
        ("search p95 ms", "search_p95", "{:.1f}"),
        ("search queries/s", "search_qps", "{:.1f}"),
        ("scan p50 ms", "naive_p50", "{:.1f}"),
        ("scan p95 ms", "naive_p95", "{:.1f}"),
        ("scan queries/s", "naive_qps", "{:.1f}"),
        ("search/scan time ratio", "ratio", "{:.3f}"),
    ]:
        print(f"{label:28}" + "".join(f"{fmt.format(f[key]):>22}" for f in figures.values()))
    print("(1) SQLite: the FTS5 table's blocks and sizes; PostgreSQL: the GIN index and the")
    print("    stored search_vector column")
    print("(a query = search() + first page of 20 + count(); scan = icontains on title and")
    print(" description, newest first; hits differ: the scan has no segmentation, stemming,")
    print(" catalogue or teacher names)")

    def fig(db: str, key: str, fmt: str) -> str:
        return fmt.format(figures[db][key]) if db in figures else "na"

    def index_s(db: str) -> str:
        return f"{results[db]['index_s']:.1f}" if db in results else "na"

    parts = []
    for db, prefix in (("sqlite", "sqlite"), ("postgres", "pg")):
        parts += [
            f"{prefix}_p50_ms={fig(db, 'search_p50', '{:.1f}')}",
            f"{prefix}_p95_ms={fig(db, 'search_p95', '{:.1f}')}",
            f"{prefix}_qps={fig(db, 'search_qps', '{:.1f}')}",
            f"{prefix}_ratio={fig(db, 'ratio', '{:.3f}')}",
            f"{prefix}_index_s={index_s(db)}",
        ]
    print("search: " + " ".join(parts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="resources to generate")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per query")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep data homes and database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    if args.n < 100 or args.repeat < 1:
        parser.error("need --n >= 100 and --repeat >= 1")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs:
        pg_admin(args.pg_url, "SELECT 1")  # fail early when PostgreSQL is not there
    load_at_start = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="tongke-bench-search-"))
    try:
        results = {db: run_child(args, db, work) for db in dbs}
    finally:
        if args.keep:
            print(f"kept {work}" + (f" and database {PG_DB}" if "postgres" in dbs else ""))
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_report(args, results, load_at_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
