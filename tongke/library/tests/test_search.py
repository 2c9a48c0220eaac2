"""Full-text search of the lesson library (LIB-6): segmentation, matching in Chinese and
English, ranking, the caller's filters, hostile queries, re-indexing and deletion.

Runs on SQLite by default and on PostgreSQL when TONGKE_DATABASE_URL points at one."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import NotSupportedError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from tongke.library import search as search_module
from tongke.library.enums import (
    Licence,
    NodeKind,
    ResourceKind,
    ResourceStatus,
    VersionStatus,
    Visibility,
)
from tongke.library.models import CatalogueNode, Resource, ResourceVersion, SearchEntry
from tongke.library.search import (
    entry_for,
    index_resources,
    query_terms,
    reindex_all,
    search,
    unindex,
    words_for_index,
)
from tongke.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)


# --- Factories --------------------------------------------------------------------------


def make_node(parent: CatalogueNode | None, kind: str, name: str, **kw: Any) -> CatalogueNode:
    fields: dict[str, Any] = {"kind": kind, "code": f"T-SEARCH-{next(_codes)}", "name": name}
    if parent is not None:
        for carried in ("stage", "subject", "edition", "grade_level"):
            fields[carried] = getattr(parent, carried)
    fields.update(kw)
    if parent is None:
        return CatalogueNode.objects.add_root(instance=CatalogueNode(**fields))
    parent = CatalogueNode.objects.get(pk=parent.pk)  # a fresh numchild
    return CatalogueNode.objects.add_child(parent, instance=CatalogueNode(**fields))


@pytest.fixture
def catalogue() -> dict[str, CatalogueNode]:
    """Junior maths (grade 8, two chapters) and senior physics, each down to lessons."""
    junior = make_node(None, NodeKind.STAGE, "初中", name_en="Junior secondary", stage="junior")
    maths = make_node(junior, NodeKind.SUBJECT, "数学", name_en="Mathematics", subject="math")
    pep = make_node(maths, NodeKind.EDITION, "人教版", edition="pep")
    grade8 = make_node(pep, NodeKind.VOLUME, "八年级下册", grade_level=8)
    functions = make_node(grade8, NodeKind.CHAPTER, "第十九章 一次函数")
    pythagoras = make_node(grade8, NodeKind.CHAPTER, "第十七章 勾股定理")
    senior = make_node(None, NodeKind.STAGE, "高中", name_en="Senior secondary", stage="senior")
    physics = make_node(senior, NodeKind.SUBJECT, "物理", name_en="Physics", subject="physics")
    return {
        "linear": make_node(functions, NodeKind.LESSON, "19.2.2 一次函数"),
        "quadratic": make_node(grade8, NodeKind.LESSON, "拓展：二次函数初步"),
        "pythagoras": make_node(pythagoras, NodeKind.LESSON, "17.1 直角三角形的边"),
        "physics": make_node(physics, NodeKind.LESSON, "牛顿运动定律", name_en="Newton's laws"),
    }


@pytest.fixture
def teacher() -> Any:
    return get_user_model().objects.create_user(
        username="search_teacher", password=None, full_name="欧阳明远"
    )


@pytest.fixture
def make_resource(teacher: Any) -> Callable[..., Resource]:
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    region = OrgUnit.objects.get_parent(school)

    def make(
        title: str,
        node: CatalogueNode,
        *,
        description: str = "",
        owner: Any = None,
        kind: str = ResourceKind.VIDEO,
        views: int = 0,
        ratings: tuple[int, int] = (0, 0),
        index: bool = True,
    ) -> Resource:
        owner = owner or teacher
        resource = Resource.objects.create(
            kind=kind,
            node=node,
            owner=owner,
            school=school,
            region=region,
            school_path=school.path,
            region_path=region.path,
            licence=Licence.CC_BY,
            visibility=Visibility.PUBLIC,
            title=title,
            description=description,
            stage=node.stage,
            subject=node.subject,
            edition=node.edition,
            grade_level=node.grade_level,
            view_count=views,
            rating_count=ratings[0],
            rating_sum=ratings[1],
        )
        version = ResourceVersion.objects.create(
            resource=resource,
            number=1,
            title=title,
            description=description,
            status=VersionStatus.APPROVED,
            created_by=owner,
        )
        resource.live_version = version
        resource.status = ResourceStatus.PUBLISHED
        resource.save()
        if index:
            index_resources([resource.pk])
        return resource

    return make


def mine() -> QuerySet[Resource]:
    """The resources made here (the demo region has library resources of its own)."""
    return Resource.objects.filter(node__code__startswith="T-SEARCH-")


def titles(qs: Any) -> list[str]:
    return [r.title for r in qs]


def ranked(qs: QuerySet[Any]) -> list[tuple[str, int]]:
    return list(qs.values_list("title", "rank"))


def fts_ids_matching(word: str) -> set[int]:
    """Resources the engine's own index holds ``word`` for (not through SearchEntry's text)."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(
            search_module.SQLITE_MATCH if sqlite else search_module.PG_MATCH,
            [f'"{word}"' if sqlite else f"'{word}'"],
        )
        return {row[0] for row in cursor.fetchall()}


# --- Words -----------------------------------------------------------------------------------


def test_index_words_hold_the_sub_words_of_chinese_terms_and_normalised_english():
    words = words_for_index("一次函数的图像（第1课时）Linear FUNCTIONS, café!").split()

    assert {"一次", "函数", "一次函数", "图像", "1", "课时", "linear", "function", "cafe"} <= set(
        words
    )
    assert "的" not in words  # a function word
    assert not any(c in "".join(words) for c in "（）,!")
    assert len(words) == len(set(words))


def test_a_query_is_cut_in_precise_mode():
    assert query_terms("函数") == ["函数"]
    assert query_terms("一次函数") == ["一次函数"]
    assert query_terms("Linear Functions") == ["linear", "function"]


# --- Matching --------------------------------------------------------------------------------


def test_hanshu_finds_linear_and_quadratic_function_lessons_only(catalogue, make_resource):
    make_resource("一次函数的图像与性质", catalogue["linear"])
    make_resource("二次函数的概念", catalogue["quadratic"])
    make_resource("勾股定理的证明", catalogue["pythagoras"])

    found = titles(search(mine(), "函数"))

    assert sorted(found) == ["一次函数的图像与性质", "二次函数的概念"]
    assert titles(search(mine(), "一次函数")) == ["一次函数的图像与性质"]
    assert titles(search(mine(), "二次函数")) == ["二次函数的概念"]


def test_english_words_match_whole_case_insensitively_and_as_prefixes(catalogue, make_resource):
    make_resource("Linear Functions and Their Graphs", catalogue["linear"])
    make_resource("Newton's Laws of Motion", catalogue["physics"])

    for query in ("linear function", "Function", "func", "LINEAR FUNCTIONS graphs"):
        assert titles(search(mine(), query)) == ["Linear Functions and Their Graphs"], query
    assert titles(search(mine(), "linear motion")) == []
    assert titles(search(mine(), "newton")) == ["Newton's Laws of Motion"]


def test_chapter_and_catalogue_names_match(catalogue, make_resource):
    make_resource("直角三角形三边的关系", catalogue["pythagoras"])
    make_resource("一次函数的图像", catalogue["linear"])

    assert titles(search(mine(), "勾股定理")) == ["直角三角形三边的关系"]
    assert sorted(titles(search(mine(), "八年级 数学"))) == [
        "一次函数的图像",
        "直角三角形三边的关系",
    ]
    assert titles(search(mine(), "physics")) == []


def test_the_teacher_the_school_and_the_kind_match(catalogue, make_resource, user_named):
    other = user_named("t0001")
    make_resource("一次函数的图像", catalogue["linear"])
    make_resource("一次函数的应用", catalogue["linear"], owner=other, kind=ResourceKind.MICRO)

    assert titles(search(mine(), "欧阳明远")) == ["一次函数的图像"]
    assert titles(search(mine(), "欧阳明远 函数")) == ["一次函数的图像"]
    assert titles(search(mine(), other.full_name)) == ["一次函数的应用"]
    assert titles(search(mine(), "微课 函数")) == ["一次函数的应用"]
    school = OrgUnit.objects.get(code="BJ-HD-S01")
    assert len(search(mine(), school.name)) == 2


# --- Ranking ---------------------------------------------------------------------------------


def test_a_title_match_ranks_above_a_better_rated_description_match(catalogue, make_resource):
    make_resource(
        "函数复习课",
        catalogue["linear"],
        description="本课复习图像的画法",
        views=5,
    )
    make_resource(
        "期中复习",
        catalogue["pythagoras"],
        description="函数与图像的综合练习",
        views=900,
        ratings=(40, 200),
    )

    assert ranked(search(mine(), "函数")) == [("函数复习课", 3), ("期中复习", 1)]
    # Two words: both in the title (3) above one in the title (2) above none (1).
    make_resource("函数图像专题", catalogue["linear"])
    assert ranked(search(mine(), "函数 图像")) == [
        ("函数图像专题", 3),
        ("函数复习课", 2),
        ("期中复习", 1),
    ]


def test_within_a_rank_rating_then_views_then_newest_decide(catalogue, make_resource):
    make_resource("一次函数 A", catalogue["linear"], views=10)
    make_resource("一次函数 B", catalogue["linear"], views=10, ratings=(20, 90))  # 4.5
    make_resource("一次函数 C", catalogue["linear"], views=50)
    make_resource("一次函数 D", catalogue["linear"], views=10, ratings=(1, 5))  # one 5-star vote
    make_resource("一次函数 E", catalogue["linear"], views=10)

    found = titles(search(mine(), "一次函数"))

    # B (4.2 smoothed) before D (3.7) before the unrated (3.0); among those C has more views;
    # A and E are tied until the newest, E, comes first.
    assert found == ["一次函数 B", "一次函数 D", "一次函数 C", "一次函数 E", "一次函数 A"]


# --- The caller's queryset -------------------------------------------------------------------


def test_search_keeps_the_callers_filters_count_and_slices(catalogue, make_resource):
    for n in range(5):
        make_resource(f"函数练习 {n}", catalogue["linear"])
    make_resource("函数与运动图像", catalogue["physics"])
    draft = make_resource("函数草稿", catalogue["linear"])
    Resource.objects.filter(pk=draft.pk).update(status=ResourceStatus.DRAFT)

    published = mine().filter(status=ResourceStatus.PUBLISHED)
    junior = search(published.filter(stage="junior"), "函数")
    senior = search(published.filter(stage="senior", subject="physics"), "函数")

    assert junior.count() == 5
    assert [r.title for r in junior[:2]] + [r.title for r in junior[2:4]] == titles(junior)[:4]
    assert titles(senior) == ["函数与运动图像"]
    assert search(published.filter(grade_level=7), "函数").count() == 0
    assert search(mine(), "函数").count() == 7


def test_a_search_works_as_a_subquery(catalogue, make_resource):
    wanted = make_resource("一次函数的图像", catalogue["linear"])
    make_resource("勾股定理", catalogue["pythagoras"])

    inner = search(mine(), "函数").values("pk")

    assert list(Resource.objects.filter(pk__in=inner).values_list("pk", flat=True)) == [wanted.pk]


def test_resources_without_an_entry_are_not_found(catalogue, make_resource):
    make_resource("一次函数的图像", catalogue["linear"], index=False)

    assert search(mine(), "函数").count() == 0


# --- Hostile input ---------------------------------------------------------------------------

HOSTILE = [
    '"',
    "*",
    "OR",
    "函数 OR",
    "NEAR(函数 图像)",
    "title_words:函数",
    "函数' & '图像",
    "'; DROP TABLE library_resource; --",
    '函数" OR "1"="1',
    "(((函数",
    "-函数 +图像 ^x",
    "x" * 10_000,
    "函数 " * 5_000,
    "😀📚 函数 🎉",
    "函\x00数",
    "\x00",
    "   ",
    "",
    "の関数",
    "Ωμέγα",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_return_without_error(query, catalogue, make_resource):
    resource = make_resource("一次函数的图像", catalogue["linear"])
    before = Resource.objects.count()

    results = search(mine(), query)

    assert set(results.values_list("pk", flat=True)) <= {resource.pk}
    assert len(results[:20]) == results.count()
    assert Resource.objects.count() == before


@pytest.mark.parametrize("query", ["", "   ", "?!。，", "的", "😀", "\x00"])
def test_a_query_without_words_returns_the_queryset_unchanged(query, catalogue, make_resource):
    make_resource("一次函数的图像", catalogue["linear"])
    qs = mine().filter(status=ResourceStatus.PUBLISHED)

    assert search(qs, query) is qs


def test_long_queries_are_cut_to_twelve_words():
    query = " ".join(f"word{n}" for n in range(100))

    assert query_terms(query) == [f"word{n}" for n in range(12)]
    assert len(query_terms("函数" + "x" * 10_000)) == 2


@pytest.mark.parametrize(
    "query", ['"', "NEAR(函数", "'; DROP TABLE library_resource; --", "😀", "函数 OR *", "x" * 199]
)
def test_the_resource_list_api_answers_hostile_queries(query, client_for, catalogue, make_resource):
    make_resource("一次函数的图像", catalogue["linear"])

    response = client_for(None).get("/api/v1/library/resources", {"q": query})

    assert response.status_code == 200, response.content


def test_the_resource_list_api_finds_by_words_and_teacher(client_for, catalogue, make_resource):
    resource = make_resource("一次函数的图像", catalogue["linear"])  # public and published

    response = client_for(None).get("/api/v1/library/resources", {"q": "函数 欧阳明远"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [resource.pk]


# --- Keeping the index in step ---------------------------------------------------------------


def test_reindex_after_an_edit_finds_the_new_words_and_not_the_old(catalogue, make_resource):
    resource = make_resource("一次函数的图像", catalogue["linear"], description="待定系数法")
    resource.title = "勾股定理的应用"
    resource.description = "Pythagorean theorem"
    resource.save()

    def found(query: str) -> list[int]:
        return list(search(mine(), query).values_list("pk", flat=True))

    assert (found("待定系数法"), found("勾股定理")) == ([resource.pk], [])  # not yet

    index_resources([resource.pk])

    assert titles(search(mine(), "勾股定理")) == ["勾股定理的应用"]
    assert titles(search(mine(), "pythagorean")) == ["勾股定理的应用"]
    assert search(mine(), "待定系数法").count() == 0
    assert titles(search(mine(), "函数")) == ["勾股定理的应用"]  # its lesson
    assert resource.pk not in fts_ids_matching("待定系数法")
    assert resource.pk in fts_ids_matching("勾股定理")


def test_a_deleted_resource_leaves_the_index(catalogue, make_resource):
    """SearchEntry cascades from Resource; on SQLite a trigger on its delete takes the row out
    of the FTS table, on PostgreSQL the index is over SearchEntry itself."""
    keep = make_resource("一次函数的图像", catalogue["linear"])
    gone = make_resource("二次函数的图像", catalogue["quadratic"])
    assert {keep.pk, gone.pk} <= fts_ids_matching("图像")

    # live_version protects the version a published resource shows: unpublish, then delete.
    Resource.objects.filter(pk=gone.pk).update(live_version=None, status=ResourceStatus.DRAFT)
    gone.delete()

    assert not SearchEntry.objects.filter(pk=gone.pk).exists()
    assert gone.pk not in fts_ids_matching("图像") | fts_ids_matching("二次函数")
    assert keep.pk in fts_ids_matching("图像")
    assert titles(search(mine(), "图像")) == [keep.title]


def test_unindex_takes_a_resource_out(catalogue, make_resource):
    resource = make_resource("一次函数的图像", catalogue["linear"])

    unindex(resource.pk)

    assert search(mine(), "函数").count() == 0
    assert resource.pk not in fts_ids_matching("函数")


def test_reindex_all_and_the_command_rebuild_every_entry(catalogue, make_resource):
    first = make_resource("一次函数的图像", catalogue["linear"], index=False)
    second = make_resource("勾股定理", catalogue["pythagoras"])
    SearchEntry.objects.filter(pk=second.pk).update(title_words="stale", body_words="")
    seen: list[tuple[int, int]] = []
    total = Resource.objects.count()  # the demo's resources as well

    count = reindex_all(batch=50, progress=lambda done, total: seen.append((done, total)))

    assert count == total
    assert seen == [(min(done, total), total) for done in range(50, total + 50, 50)]
    assert SearchEntry.objects.get(pk=first.pk).title_words == entry_for(first)[0]
    assert titles(search(mine(), "勾股定理")) == ["勾股定理"]
    assert search(mine(), "stale").count() == 0
    out = StringIO()
    call_command("reindex", stdout=out)
    assert out.getvalue().startswith(f"indexed {total} resource(s) in ")


def test_reindex_all_puts_back_what_a_table_rebuild_dropped(catalogue, make_resource):
    """On SQLite a migration that remakes library_searchentry drops its triggers."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps its column and index through ALTER TABLE")
    resource = make_resource("一次函数的图像", catalogue["linear"])
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER library_search_fts_delete")

    reindex_all()
    unindex(resource.pk)

    assert resource.pk not in fts_ids_matching("函数")


def test_an_entry_holds_title_and_body_words(catalogue, make_resource):
    resource = make_resource("一次函数的图像", catalogue["linear"], description="用描点法画图")

    title_words, body_words = entry_for(resource)

    assert title_words.split() == ["一次", "函数", "一次函数", "图像"]
    body = set(body_words.split())
    assert {"描点法", "初中", "junior", "数学", "mathematic", "人教版", "八年级"} <= body
    assert {"第十九章", "欧阳明远", "视频课"} <= body
    assert SearchEntry.objects.get(pk=resource.pk).body_words == body_words


def test_indexing_takes_a_constant_number_of_queries(catalogue, make_resource):
    few = [make_resource(f"函数 {n}", catalogue["linear"], index=False).pk for n in range(2)]
    many = [make_resource(f"函数 {n}", catalogue["quadratic"], index=False).pk for n in range(12)]

    with CaptureQueriesContext(connection) as for_few:
        index_resources(few)
    with CaptureQueriesContext(connection) as for_many:
        index_resources(many)

    assert len(for_few) == len(for_many) <= 8

    assert search(mine(), "函数").count() == 14


def test_other_databases_are_refused_plainly(monkeypatch):
    monkeypatch.setattr(search_module, "_engine", lambda qs: "mysql")

    with pytest.raises(NotSupportedError):
        search(mine(), "函数")
    assert search(mine(), "？").count() == mine().count()  # no words: nothing to run
