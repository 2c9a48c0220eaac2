"""The knowledge graph (LRN-1): services, reads, import and export, and the SVG drawing.

Given the demo region (see tongke/demo/seed.py): bj_admin is a regional administrator and may
edit graphs; school_admin_01 and t0001 may not. The catalogue is seeded, so points align to
real chapter and lesson codes (primary science, P-SCI-...). Each test builds its own small
graph in the subjects "science" and "chemistry", so it does not depend on the demo graph
(junior mathematics).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from tongke.audit.models import AuditEvent
from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.learning import graph, policies
from tongke.learning.models import KnowledgePoint, Prerequisite
from tongke.learning.svg import GREY, graph_svg, mastery_colour, wrap_name
from tongke.library.models import CatalogueNode

pytestmark = pytest.mark.django_db

SUBJECT = "science"
CHAPTER = "P-SCI-JK-1A-U1"
LESSON = "P-SCI-JK-1A-U1-L2"


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are asserted in their English source form."""
    with translation.override("en"):
        yield


@pytest.fixture
def editor(user_named: Callable[[str], Any]) -> Any:
    return user_named("bj_admin")


def make(editor: Any, code: str, subject: str = SUBJECT, **extra: Any) -> KnowledgePoint:
    return graph.point_create(actor=editor, subject=subject, code=code, name=f"点{code}", **extra)


def chain(editor: Any, *codes: str, subject: str = SUBJECT) -> list[KnowledgePoint]:
    """Points ``codes`` with edges code[0] -> code[1] -> ..."""
    points = [make(editor, c, subject) for c in codes]
    for before, after in itertools.pairwise(points):
        graph.prerequisite_add(actor=editor, before=before, after=after)
    return points


def doc(points: list[dict[str, Any]], edges: list[list[str]], subject: str = SUBJECT) -> bytes:
    return json.dumps(
        {"subject": subject, "stage": "primary", "points": points, "edges": edges},
        ensure_ascii=False,
    ).encode()


def pt(code: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": f"点{code}", **extra}


def snapshot(subject: str) -> list[tuple[Any, ...]]:
    """What a round trip must keep: fields, order and edges."""
    points = graph.points_of(subject)
    codes = {p.pk: p.code for p in points}
    rows: list[tuple[Any, ...]] = [
        (
            p.code,
            p.name,
            p.name_en,
            p.stage,
            p.grade_level,
            p.node.code if p.node else None,
            p.description,
        )
        for p in points
    ]
    edges = sorted((codes[b], codes[a]) for b, a in graph.edges_of(subject))
    return [*rows, *edges]


# --- Permission ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("admin", True),
        ("bj_admin", True),
        ("hd_admin", True),
        ("school_admin_01", False),
        ("t0001", False),
        ("s00001", False),
    ],
)
def test_who_may_edit_graphs(user_named: Callable[[str], Any], username: str, allowed: bool):
    assert policies.can_edit_graph(user_named(username)) is allowed


def test_anonymous_may_not_edit_graphs():
    assert policies.can_edit_graph(AnonymousUser()) is False
    assert policies.can_edit_graph(None) is False


def test_a_teacher_cannot_create_points_or_import(user_named: Callable[[str], Any]):
    teacher = user_named("t0001")
    with pytest.raises(PermissionDenied):
        make(teacher, "p-a")
    with pytest.raises(PermissionDenied):
        graph.graph_import(actor=teacher, name="g.json", data=doc([pt("p-a")], []))
    assert not KnowledgePoint.objects.filter(subject=SUBJECT).exists()


# --- Points --------------------------------------------------------------------------------


def test_point_create_aligns_to_a_lesson_and_is_audited(editor: Any):
    lesson = CatalogueNode.objects.get(code=LESSON)
    point = make(editor, "p-abs", node=lesson, grade_level=1, stage="primary", name_en="Abs")
    assert point.node == lesson and point.grade_level == 1 and point.position == 0
    assert make(editor, "p-next").position == 1
    event = AuditEvent.objects.filter(action="knowledge_point.create", target_id=str(point.pk))
    assert event.get().changes["code"] == [None, "p-abs"]


def test_point_create_refuses_bad_values(editor: Any):
    make(editor, "p-a")
    with pytest.raises(Conflict) as taken:
        make(editor, "p-a")
    assert taken.value.code == graph.CODE_TAKEN
    with pytest.raises(Invalid) as bad:
        make(editor, "bad code!")
    assert bad.value.code == graph.BAD_CODE
    with pytest.raises(Invalid) as volume:
        make(editor, "p-b", node=CatalogueNode.objects.get(code="P-SCI-JK-1A"))
    assert volume.value.code == graph.BAD_NODE
    maths = CatalogueNode.objects.get(code="J-MATH-PEP-7A-C1")
    with pytest.raises(Invalid) as other_subject:
        make(editor, "p-c", node=maths)
    assert other_subject.value.code == graph.BAD_NODE
    with pytest.raises(Invalid) as grade:
        make(editor, "p-d", grade_level=40)
    assert grade.value.code == graph.BAD_VALUE
    with pytest.raises(Invalid) as subject:
        make(editor, "p-e", subject="Math Subject")
    assert subject.value.code == graph.BAD_SUBJECT
    assert KnowledgePoint.objects.filter(subject=SUBJECT).count() == 1


def test_point_update_changes_fields_and_refuses_the_subject(editor: Any):
    point = make(editor, "p-a")
    point = graph.point_update(actor=editor, point=point, name="绝对值", grade_level=8)
    assert (point.name, point.grade_level) == ("绝对值", 8)
    assert AuditEvent.objects.filter(action="knowledge_point.update").count() == 1
    with pytest.raises(Invalid) as read_only:
        graph.point_update(actor=editor, point=point, subject="math")
    assert read_only.value.code == graph.BAD_FIELD


# --- Prerequisites -------------------------------------------------------------------------


def test_a_cycle_is_refused_with_its_path_and_nothing_is_stored(editor: Any):
    a, _b, c = chain(editor, "p-a", "p-b", "p-c")
    edges = Prerequisite.objects.count()
    events = AuditEvent.objects.count()
    with pytest.raises(Invalid) as refused:
        graph.prerequisite_add(actor=editor, before=c, after=a)
    assert refused.value.code == graph.CYCLE
    assert refused.value.detail == {"cycle": ["p-c", "p-a", "p-b", "p-c"]}
    assert "p-c → p-a → p-b → p-c" in str(refused.value.message)
    assert Prerequisite.objects.count() == edges
    assert AuditEvent.objects.count() == events


def test_a_self_loop_is_refused(editor: Any):
    a = make(editor, "p-a")
    with pytest.raises(Invalid) as refused:
        graph.prerequisite_add(actor=editor, before=a, after=a)
    assert refused.value.code == graph.SELF_LOOP
    assert not Prerequisite.objects.filter(before=a).exists()


def test_an_edge_between_subjects_is_refused(editor: Any):
    a, b = make(editor, "p-a"), make(editor, "c-b", subject="chemistry")
    with pytest.raises(Invalid) as refused:
        graph.prerequisite_add(actor=editor, before=a, after=b)
    assert refused.value.code == graph.CROSS_SUBJECT


def test_adding_an_edge_twice_keeps_one_and_removing_is_audited(editor: Any):
    a, b = chain(editor, "p-a", "p-b")
    again = graph.prerequisite_add(actor=editor, before=a, after=b)
    assert Prerequisite.objects.filter(before=a, after=b).count() == 1
    assert again.before_id == a.pk
    assert graph.prerequisite_remove(actor=editor, before=a, after=b) is True
    assert graph.prerequisite_remove(actor=editor, before=a, after=b) is False
    assert AuditEvent.objects.filter(action="prerequisite.remove").count() == 1


# --- Reads ---------------------------------------------------------------------------------


@pytest.fixture
def diamond(editor: Any) -> dict[str, KnowledgePoint]:
    """a -> b -> d -> e, a -> c -> d, and f alone."""
    points = {c: make(editor, f"p-{c}") for c in "abcdef"}
    for before, after in (("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", "e")):
        graph.prerequisite_add(actor=editor, before=points[before], after=points[after])
    return points


def test_closure_lists_every_ancestor_nearest_first(diamond: dict[str, KnowledgePoint]):
    closure = [p.code for p in graph.prerequisites_closure(diamond["e"])]
    assert closure == ["p-d", "p-b", "p-c", "p-a"]
    assert graph.prerequisites_closure(diamond["a"]) == []


def test_topological_order_puts_prerequisites_first(diamond: dict[str, KnowledgePoint]):
    order = [p.pk for p in graph.topological_order(SUBJECT)]
    assert len(order) == 6
    for before, after in graph.edges_of(SUBJECT):
        assert order.index(before) < order.index(after)


def test_layers_follow_the_longest_path(diamond: dict[str, KnowledgePoint]):
    rows = [[p.code for p in row] for row in graph.layers(SUBJECT)]
    assert rows == [["p-a", "p-f"], ["p-b", "p-c"], ["p-d"], ["p-e"]]


def test_graph_algorithms_on_plain_values():
    order, left = graph.kahn_order([1, 2, 3, 4], [(1, 2), (2, 3), (3, 2)])
    assert order == [1, 4] and left == [2, 3]
    assert graph.find_cycle(left, [(1, 2), (2, 3), (3, 2)]) == [2, 3, 2]
    assert graph.find_cycle([1, 2], [(1, 2)]) == []
    assert graph.longest_path_layers([1, 2, 3], [(1, 3), (2, 3), (1, 2)]) == {1: 0, 2: 1, 3: 2}


# --- Import --------------------------------------------------------------------------------

GOOD = doc(
    [
        pt("p-a", name_en="A", grade_level=7, node_code=CHAPTER, description="第一个"),
        pt("p-b", grade_level=7, node_code=LESSON),
        pt("p-c"),
    ],
    [["p-a", "p-b"], ["p-b", "p-c"], ["p-a", "p-c"]],
)


def test_import_creates_points_and_edges_and_is_idempotent(editor: Any):
    imports = AuditEvent.objects.filter(action="knowledge_graph.import")
    seeded = imports.count()  # the demo seed imported its own graph
    report = graph.graph_import(actor=editor, name="g.json", data=GOOD)
    assert report.ok, report.problems
    assert (report.points_created, report.edges_created, report.format) == (3, 3, "json")
    a = KnowledgePoint.objects.select_related("node").get(code="p-a")
    assert a.node is not None
    assert (a.node.code, a.stage, a.grade_level, a.description) == (CHAPTER, "primary", 7, "第一个")
    assert imports.count() == seeded + 1
    before = snapshot(SUBJECT)
    again = graph.graph_import(actor=editor, name="g.json", data=GOOD)
    assert again.ok
    assert (again.points_created, again.points_updated, again.edges_created) == (0, 0, 0)
    assert (again.points_unchanged, again.edges_unchanged) == (3, 3)
    assert snapshot(SUBJECT) == before
    assert imports.count() == seeded + 1


def test_import_updates_changed_points(editor: Any):
    graph.graph_import(actor=editor, name="g.json", data=GOOD)
    changed = doc([pt("p-a", name="绝对值", node_code=LESSON)], [["p-c", "p-d"]])
    report = graph.graph_import(actor=editor, name="g.json", data=changed)
    assert not report.ok and report.codes == {graph.UNKNOWN_POINT}
    changed = doc([pt("p-a", name="绝对值", node_code=LESSON), pt("p-d")], [["p-c", "p-d"]])
    report = graph.graph_import(actor=editor, name="g.json", data=changed)
    assert report.ok, report.problems
    assert (report.points_updated, report.points_created, report.edges_created) == (1, 1, 1)
    a = KnowledgePoint.objects.select_related("node").get(code="p-a")
    assert a.node is not None
    assert (a.name, a.node.code, a.grade_level) == ("绝对值", LESSON, 7)  # grade kept: not given


def test_import_reports_every_bad_row_and_stores_nothing(editor: Any):
    make(editor, "c-taken", subject="chemistry")
    data = doc(
        [
            pt("p-a"),
            pt("p-a"),
            pt("bad code"),
            pt("p-b", grade_level=99),
            pt("p-c", node_code="NO-SUCH-NODE"),
            pt("p-d", node_code="P-SCI-JK-1A"),
            pt("c-taken"),
            {"code": "p-e", "name": ""},
            {"code": "p-f", "name": "x", "colour": "red"},
            pt("p-g", name="=SUM(A1)"),
        ],
        [["p-a", "p-zzz"], ["p-a", "p-a"], ["p-a", "p-b"], ["p-a", "p-b"], ["p-a"]],
    )
    report = graph.graph_import(actor=editor, name="bad.json", data=data)
    assert not report.ok
    assert report.codes == {
        graph.DUPLICATE_CODE,
        graph.BAD_CODE,
        graph.BAD_VALUE,
        graph.UNKNOWN_NODE,
        graph.BAD_NODE,
        graph.CODE_TAKEN,
        graph.NAME_REQUIRED,
        graph.BAD_FIELD,
        graph.FORMULA,
        graph.UNKNOWN_POINT,
        graph.SELF_LOOP,
        graph.DUPLICATE_EDGE,
        graph.BAD_JSON,
    }
    where = {p.code: p.where for p in report.problems}
    assert where[graph.DUPLICATE_CODE] == "/points/1/code"
    assert where[graph.UNKNOWN_POINT] == "/edges/0/after"
    assert not KnowledgePoint.objects.filter(subject=SUBJECT).exists()
    assert report.as_dict()["problem_count"] == report.problem_count


def test_import_refuses_a_cycle_through_existing_edges(editor: Any):
    chain(editor, "p-a", "p-b", "p-c")
    data = doc([pt("p-d")], [["p-c", "p-d"], ["p-d", "p-a"]])
    report = graph.graph_import(actor=editor, name="cycle.json", data=data)
    assert report.codes == {graph.CYCLE}
    assert report.cycle[0] == report.cycle[-1]
    assert set(report.cycle) == {"p-a", "p-b", "p-c", "p-d"}
    assert report.problems[0].where == "/edges/0" or report.problems[0].where == "/edges/1"
    assert "→" in report.problems[0].message
    assert not KnowledgePoint.objects.filter(code="p-d").exists()
    assert Prerequisite.objects.filter(after__subject=SUBJECT).count() == 2


def test_a_dry_run_checks_and_counts_without_storing(editor: Any):
    report = graph.graph_import(actor=editor, name="g.json", data=GOOD, dry_run=True)
    assert report.ok and report.points_created == 3 and report.dry_run
    assert not KnowledgePoint.objects.filter(subject=SUBJECT).exists()


def test_import_reads_csv_with_point_and_edge_rows(editor: Any):
    csv = (
        "\ufefftype,subject,code,name,name_en,stage,grade_level,node_code,description,before,after\r\n"
        f'point,{SUBJECT},p-a,观察叶,Observing leaves,primary,1,{LESSON},"含有,逗号",,\r\n'
        f"point,{SUBJECT},p-b,这是谁的叶,,primary,,,,,\r\n"
        "edge,,,,,,,,,p-a,p-b\r\n"
    )
    report = graph.graph_import(actor=editor, name="g.csv", data=csv.encode())
    assert report.ok, report.problems
    assert (report.format, report.points_created, report.edges_created) == ("csv", 2, 1)
    a = KnowledgePoint.objects.select_related("node").get(code="p-a")
    assert a.node is not None
    assert (a.name_en, a.description, a.node.code) == ("Observing leaves", "含有,逗号", LESSON)


def test_csv_problems_name_their_lines(editor: Any):
    csv = f"type,subject,code,name\npoint,{SUBJECT},p-a,甲\nvertex,,,\npoint,chemistry,p-b,乙\n"
    report = graph.graph_import(actor=editor, name="g.csv", data=csv.encode())
    assert report.codes == {graph.BAD_VALUE, graph.BAD_SUBJECT}
    assert [p.line for p in report.problems if p.code == graph.BAD_VALUE] == [3]
    bad_header = graph.graph_import(actor=editor, name="g.csv", data=b"code,colour\np,red\n")
    assert bad_header.codes == {graph.BAD_HEADER}
    assert {p.line for p in bad_header.problems} == {1}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", graph.EMPTY),
        (b"\xff\xfe\x00", graph.BAD_UTF8),
        (b"{not json", graph.BAD_JSON),
        (b"[1, 2]", graph.BAD_JSON),
        (b'{"points": []}', graph.BAD_SUBJECT),
        (b'{"subject": "Bad Subject", "points": []}', graph.BAD_SUBJECT),
        (b'{"subject": "science", "points": [], "edges": []}', graph.EMPTY),
    ],
)
def test_unusable_files_are_refused_with_a_code(editor: Any, data: bytes, code: str):
    report = graph.graph_import(actor=editor, name="f", data=data)
    assert code in report.codes
    assert not KnowledgePoint.objects.filter(subject=SUBJECT).exists()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_imports_back_into_an_empty_subject(editor: Any, fmt: graph.Format):
    graph.graph_import(actor=editor, name="g.json", data=GOOD)
    graph.graph_import(
        actor=editor,
        name="more.json",
        data=doc([pt("p-x", stage="junior", name_en='X, "quoted"')], [["p-c", "p-x"]]),
    )
    before = snapshot(SUBJECT)
    exported = graph.graph_export(SUBJECT, fmt)
    KnowledgePoint.objects.filter(subject=SUBJECT).delete()
    assert snapshot(SUBJECT) == []
    report = graph.graph_import(actor=editor, name=f"export.{fmt}", data=exported)
    assert report.ok, report.problems
    assert report.points_created == 4 and report.edges_created == 4
    assert snapshot(SUBJECT) == before
    assert graph.graph_export(SUBJECT, fmt) == exported


def test_export_refuses_an_unknown_format():
    with pytest.raises(Invalid):
        graph.graph_export(SUBJECT, "xml")  # type: ignore[arg-type]


# --- SVG -----------------------------------------------------------------------------------


def fake_points(n: int) -> list[KnowledgePoint]:
    return [
        KnowledgePoint(pk=i + 1, code=f"k{i}", name=f"知识点{i}号", subject="x") for i in range(n)
    ]


def test_svg_draws_every_point_escaped_with_titles_and_no_inline_style():
    points = fake_points(3)
    points[1].name = '<script>alert("x")</script> & 勾股定理'
    svg = graph_svg(
        points,
        [(1, 2), (2, 3)],
        {1: 0.0, 2: 1.0},
        highlight={2},
        link=lambda p: f"/kp/{p.pk}?a=1&b=2",
    )
    assert svg.startswith("<svg") and 'viewBox="0 0 ' in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg and "&amp; 勾股定理" in svg
    assert "style=" not in svg and "<style" not in svg
    assert svg.count("<title>") == 3
    assert "知识点0号 · 0%" in svg and "100%" in svg
    assert 'href="/kp/1?a=1&amp;b=2"' in svg
    assert svg.count("<path d=") == 2 + 1  # two edges and the arrowhead
    assert 'stroke="#1d4ed8"' in svg  # the highlighted point


def test_svg_colours_points_by_mastery():
    points = fake_points(3)
    svg = graph_svg(points, [], {1: 0.0, 2: 0.5, 3: None})
    fills = re.findall(
        r'<rect x="[^"]+" y="[^"]+" width="150" height="52" rx="8" fill="(#[0-9a-f]{6})"', svg
    )
    assert fills == [mastery_colour(0.0), mastery_colour(0.5), GREY]
    assert len(set(fills)) == 3
    assert mastery_colour(0.0) != mastery_colour(1.0)
    assert mastery_colour(None) == GREY and mastery_colour(1.7) == mastery_colour(1.0)


def test_svg_layers_put_prerequisites_above():
    points = fake_points(3)
    svg = graph_svg(points, [(1, 2), (2, 3)], {})
    ys = [
        float(y)
        for y in re.findall(
            r'<g class="kg-node" data-point="\d+"><title>[^<]*</title><rect x="[^"]+" y="([^"]+)"',
            svg,
        )
    ]
    assert ys[0] < ys[1] < ys[2]


def test_svg_of_150_points_stays_small():
    points = fake_points(150)
    edges = [(i, i + 1) for i in range(1, 150) if i % 7] + [(i, i + 9) for i in range(1, 141, 3)]
    svg = graph_svg(points, edges, {p.pk: (p.pk % 10) / 10 for p in points})
    assert len(svg.encode()) < 150_000
    assert svg.count("<title>") == 150  # one per point (the drawing's own title has an id)


def test_long_names_wrap_on_two_lines_and_end_with_an_ellipsis():
    assert wrap_name("勾股定理") == ["勾股定理"]
    lines = wrap_name("二次函数y=a(x−h)²+k的图象和性质以及它在实际问题中的应用")
    assert len(lines) == 2 and lines[1].endswith("…")
