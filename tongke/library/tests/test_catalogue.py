"""The curriculum catalogue (LIB-1): services, reads, import and export.

Given the demo region (see tongke/demo/seed.py): bj_admin is a regional administrator and may
edit the catalogue; school_admin_01 and t0001 may not. Each test starts from an empty
catalogue (``empty_catalogue``) so the counts below are those of the files it imports.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tongke.audit.models import AuditEvent
from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.library import catalogue as cat
from tongke.library import policies as library_policies
from tongke.library.enums import NodeKind, ResourceStatus
from tongke.library.models import CatalogueNode, Package, Resource, ResourceVersion
from tongke.live.models import LiveSession
from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

DEMO = Path(cat.__file__).parent / "data" / "catalogue_demo.json"
CSV_HEADER = "code,parent_code,kind,name,name_en,stage,subject,edition,grade_level\n"


# --- Helpers -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are asserted in their English source form."""
    with translation.override("en"):
        yield


@pytest.fixture
def empty_catalogue(db: Any) -> None:
    """The seeded demo files resources under the catalogue; clear them and the tree (rolled
    back after the test)."""
    Resource.objects.update(status=ResourceStatus.DRAFT, live_version=None)
    ResourceVersion.objects.all().delete()
    Package.objects.all().delete()
    Resource.objects.all().delete()
    LiveSession.objects.all().delete()  # live lessons name their catalogue lesson
    CatalogueNode.objects.all().delete()


@pytest.fixture
def editor(user_named: Callable[[str], Any], empty_catalogue: None) -> Any:
    return user_named("bj_admin")


@pytest.fixture
def demo(editor: Any) -> cat.ImportReport:
    report = cat.catalogue_import(actor=editor, name="demo.json", data=DEMO.read_bytes())
    assert report.ok, report.problems[:5]
    return report


def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield node
        yield from walk(node.get("children", []))


def node(code: str) -> CatalogueNode:
    return CatalogueNode.objects.get(code=code)


def tree_is_sound() -> bool:
    return all(not ids for ids in CatalogueNode.objects.find_problems())


def as_json(nodes: list[dict[str, Any]]) -> bytes:
    return json.dumps(nodes, ensure_ascii=False).encode()


def as_csv(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(row + "\n" for row in rows)).encode()


def snapshot_tree() -> list[tuple[Any, ...]]:
    """Everything a round trip must keep: fields, parent, and order among siblings."""
    nodes = list(CatalogueNode.objects.order_by("path"))
    codes = {n.path: n.code for n in nodes}
    return [
        (
            n.code,
            codes.get(n.path[:-4], ""),
            n.depth,
            n.kind,
            n.name,
            n.name_en,
            n.stage,
            n.subject,
            n.edition,
            n.grade_level,
            n.is_active,
        )
        for n in nodes
    ]


def stored() -> int:
    return CatalogueNode.objects.count()


def only_problem(report: cat.ImportReport) -> cat.ImportProblem:
    assert not report.ok
    assert len(report.problems) == 1, report.problems
    return report.problems[0]


STAGE = {"kind": "stage", "code": "S", "name": "初中", "stage": "junior"}


# --- The demo catalogue --------------------------------------------------------------------


def test_demo_file_imports_every_node_with_its_kind(demo: cat.ImportReport) -> None:
    expected = Counter(n["kind"] for n in walk(json.loads(DEMO.read_bytes())))
    assert Counter(CatalogueNode.objects.values_list("kind", flat=True)) == expected
    assert demo.created == sum(expected.values()) == stored()
    assert 600 <= stored() <= 1200
    assert expected[NodeKind.STAGE] == 2 and expected[NodeKind.COLLECTION] == 7
    assert CatalogueNode.objects.filter(kind=NodeKind.EDITION).count() == 5
    assert tree_is_sound()


def test_demo_math_pep_8b_holds_linear_functions_with_lessons(demo: cat.ImportReport) -> None:
    volume = node("J-MATH-PEP-8B")
    chapter = cat.node_children(volume).get(name__endswith="一次函数")
    lessons = list(cat.lesson_nodes_under(chapter))
    assert chapter.kind == NodeKind.CHAPTER and len(lessons) >= 2
    assert [n.name for n in lessons][:2] == ["19.1 函数", "19.2 一次函数"]
    lesson = lessons[1]
    assert (lesson.stage, lesson.subject, lesson.edition, lesson.grade_level) == (
        "junior",
        "math",
        "pep",
        8,
    )
    assert all(n.name_en for n in CatalogueNode.objects.all())


def test_demo_covers_chinese_science_and_the_seven_collections(demo: cat.ImportReport) -> None:
    for edition in ("J-CHN-UNI", "J-CHN-PEP01"):
        volumes = cat.node_children(node(edition))
        assert [v.grade_level for v in volumes] == [7, 7, 8, 8, 9, 9]
        assert all(cat.lesson_nodes_under(v).count() >= 20 for v in volumes)
    science = cat.node_children(node("P-SCI-JK"))
    assert sorted({v.grade_level for v in science}) == [1, 2, 3, 4, 5, 6]
    assert node("J-CHN-UNI-7A-U2-L6").name == "散步"
    collections = CatalogueNode.objects.filter(kind=NodeKind.COLLECTION, depth=1)
    assert {c.subject for c in collections} == {
        "moral",
        "pe",
        "arts",
        "labour",
        "after_school",
        "special_ed",
        "family_ed",
    }


def test_reimporting_the_same_file_changes_nothing(demo: cat.ImportReport, editor: Any) -> None:
    before, events = snapshot_tree(), AuditEvent.objects.count()

    again = cat.catalogue_import(actor=editor, name="demo.json", data=DEMO.read_bytes())

    assert again.ok and (again.created, again.updated) == (0, 0)
    assert again.unchanged == demo.created
    assert snapshot_tree() == before
    assert AuditEvent.objects.count() == events + 1  # the import itself is recorded


def test_reimport_updates_changed_names_only(demo: cat.ImportReport, editor: Any) -> None:
    data = json.loads(DEMO.read_bytes())
    lesson = next(n for n in walk(data) if n["code"] == "J-MATH-PEP-7A-C1-L1")
    lesson["name"], lesson["name_en"] = "1.1 正数与负数", "1.1 Positive and negative numbers!"

    report = cat.catalogue_import(actor=editor, name="demo.json", data=as_json(data))

    assert report.ok and (report.created, report.updated) == (0, 1)
    assert node("J-MATH-PEP-7A-C1-L1").name == "1.1 正数与负数"


def test_import_adds_under_nodes_already_in_the_catalogue(
    demo: cat.ImportReport, editor: Any
) -> None:
    csv_data = as_csv(
        "J-MATH-PEP-8B-C19-L4,J-MATH-PEP-8B-C19,lesson,数学活动,Maths activity,,,,",
        "J-MATH-PEP-8B-R1,J-MATH-PEP-8B,chapter,复习题,Review,,,,",
        "J-MATH-PEP-8B-R1-L1,J-MATH-PEP-8B-R1,lesson,期末复习,End-of-term review,,,,",
    )
    json_data = as_json(
        [{"parent_code": "C-PE", "kind": "topic", "code": "C-PE-T9", "name": "游泳"}]
    )

    first = cat.catalogue_import(actor=editor, name="more.csv", data=csv_data)
    second = cat.catalogue_import(actor=editor, name="more.json", data=json_data)

    assert first.ok and first.format == "csv" and first.created == 3
    assert second.ok and second.format == "json" and second.created == 1
    chapter = node("J-MATH-PEP-8B-C19")
    assert [n.code for n in cat.node_children(chapter)][-1] == "J-MATH-PEP-8B-C19-L4"
    assert node("J-MATH-PEP-8B-R1-L1").grade_level == 8
    assert node("C-PE-T9").subject == "pe"
    assert tree_is_sound()


def test_dry_run_counts_and_stores_nothing(editor: Any) -> None:
    report = cat.catalogue_import(
        actor=editor, name="demo.json", data=DEMO.read_bytes(), dry_run=True
    )
    assert report.ok and report.created > 600 and stored() == 0


# --- Import refusals: each reported with its code and place, nothing stored ---------------


def test_wrong_parent_kind_is_refused(editor: Any) -> None:
    data = [{**STAGE, "children": [{"kind": "lesson", "code": "S-L1", "name": "一课"}]}]

    problem = only_problem(cat.catalogue_import(actor=editor, name="x.json", data=as_json(data)))

    assert problem.code == cat.BAD_PARENT and problem.pointer == "/0/children/0"
    assert "cannot be placed under" in problem.message
    assert stored() == 0


def test_duplicate_code_in_a_file_is_refused(editor: Any) -> None:
    data = as_csv(
        "S,,stage,初中,,junior,,,",
        "S-MATH,S,subject,数学,,,math,,",
        "S-MATH,S,subject,数学二,,,math2,,",
    )

    problem = only_problem(cat.catalogue_import(actor=editor, name="x.csv", data=data))

    assert (problem.code, problem.line, problem.field) == (cat.DUPLICATE_CODE, 4, "code")
    assert "line 3" in problem.message
    assert stored() == 0


def test_unknown_parent_code_is_refused(editor: Any) -> None:
    data = as_csv("S,,stage,初中,,junior,,,", "S-MATH,NOPE,subject,数学,,,math,,")

    problem = only_problem(cat.catalogue_import(actor=editor, name="x.csv", data=data))

    assert (problem.code, problem.line) == (cat.UNKNOWN_PARENT, 3)
    assert stored() == 0


def test_a_parent_listed_after_its_child_is_refused(editor: Any) -> None:
    data = as_csv("S-MATH,S,subject,数学,,,math,,", "S,,stage,初中,,junior,,,")

    problem = only_problem(cat.catalogue_import(actor=editor, name="x.csv", data=data))

    assert (problem.code, problem.line) == (cat.UNKNOWN_PARENT, 2)
    assert "line 3" in problem.message
    assert stored() == 0


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-cmd", "@SUM(A1)", " =1"])
def test_formula_cells_are_refused(editor: Any, name: str) -> None:
    data = as_csv("S,,stage,初中,,junior,,,", f'S-MATH,S,subject,"{name}",,,math,,')

    problem = only_problem(cat.catalogue_import(actor=editor, name="x.csv", data=data))

    assert (problem.code, problem.line, problem.field) == (cat.FORMULA, 3, "name")
    assert stored() == 0


def test_bad_utf8_is_refused_with_its_line(editor: Any) -> None:
    data = CSV_HEADER.encode() + "S,,stage,初中,,junior,,,\n".encode("gbk")

    problem = only_problem(cat.catalogue_import(actor=editor, name="x.csv", data=data))

    assert (problem.code, problem.line) == (cat.BAD_UTF8, 2)
    assert stored() == 0


def test_a_byte_order_mark_is_accepted(editor: Any) -> None:
    data = "\ufeff".encode() + as_csv("S,,stage,初中,Junior,junior,,,")

    report = cat.catalogue_import(actor=editor, name="x.csv", data=data)

    assert report.ok and report.format == "csv" and node("S").name_en == "Junior"


def chain(levels: int) -> dict[str, Any]:
    """A collection with topics nested under it, ``levels`` deep in all."""
    item: dict[str, Any] = {"kind": "topic", "code": f"T{levels - 1}", "name": "t"}
    for level in range(levels - 2, 0, -1):
        item = {"kind": "topic", "code": f"T{level}", "name": "t", "children": [item]}
    return {"kind": "collection", "code": "C", "name": "c", "children": [item]}


def test_json_nested_deeper_than_the_limit_is_refused(editor: Any) -> None:
    refused = cat.catalogue_import(actor=editor, name="x.json", data=as_json([chain(13)]))

    problem = only_problem(refused)
    assert problem.code == cat.TOO_DEEP and stored() == 0
    assert cat.catalogue_import(actor=editor, name="x.json", data=as_json([chain(12)])).ok
    assert CatalogueNode.objects.latest("depth").depth == cat.MAX_DEPTH == 12


def test_absurdly_nested_json_is_refused_without_a_crash(editor: Any) -> None:
    data = b"[" * 200_000 + b"]" * 200_000

    report = cat.catalogue_import(actor=editor, name="x.json", data=data)

    assert not report.ok and report.codes <= {cat.TOO_DEEP, cat.BAD_JSON}
    assert stored() == 0


def test_malformed_json_and_unknown_fields_are_reported_with_their_place(editor: Any) -> None:
    broken = cat.catalogue_import(actor=editor, name="x.json", data=b'[\n  {"kind": }\n]')
    typo = as_json([{**STAGE, "childern": []}])

    assert (only_problem(broken).code, only_problem(broken).line) == (cat.BAD_JSON, 2)
    problem = only_problem(cat.catalogue_import(actor=editor, name="y.json", data=typo))
    assert (problem.code, problem.where) == (cat.BAD_FIELD, "/0/childern")
    assert stored() == 0


def test_too_many_nodes_are_refused(editor: Any) -> None:
    nodes = [{"kind": "collection", "code": f"C{i}", "name": "c"} for i in range(cat.MAX_NODES + 1)]

    problem = only_problem(cat.catalogue_import(actor=editor, name="x.json", data=as_json(nodes)))

    assert problem.code == cat.TOO_MANY and problem.pointer == f"/{cat.MAX_NODES}"
    assert stored() == 0


def test_a_file_over_the_size_limit_is_refused(editor: Any) -> None:
    data = b" " * (cat.MAX_BYTES + 1)

    assert only_problem(cat.catalogue_import(actor=editor, name="x", data=data)).code == (
        cat.TOO_LARGE
    )


def test_every_bad_row_is_reported_and_nothing_is_stored(editor: Any) -> None:
    data = as_csv(
        "S,,stage,初中,,junior,,,",
        "S-MATH,S,subject,数学,,,math,,",
        "bad code!,S,subject,语文,,,chinese,,",
        "S-ART,S,subjekt,美术,,,art,,",
        "S-PE,S,subject,,,,pe,,",
        "S-MATH-X,S-MATH,volume,七年级,,,,7",
        "S-MATH-Y,S-MATH,volume,七年级,,,,,seven",
        "S-SCI,S,subject,科学,,primary,science,,",
    )

    report = cat.catalogue_import(actor=editor, name="x.csv", data=data)

    found = sorted((p.line, p.code) for p in report.problems)
    assert found == [
        (4, cat.BAD_CODE),
        (5, cat.BAD_KIND),
        (6, cat.NAME_REQUIRED),
        (7, cat.BAD_CSV),  # eight cells, not nine
        (8, cat.BAD_VALUE),
        (9, cat.INCONSISTENT),
    ]
    assert report.created == 0 and stored() == 0


def test_a_bad_header_is_refused(editor: Any) -> None:
    data = b"code,parent,kind,name\nS,,stage,x\n"

    report = cat.catalogue_import(actor=editor, name="x.csv", data=data)

    assert report.codes == {cat.BAD_HEADER} and len(report.problems) == 2  # unknown, missing


def test_a_node_stored_elsewhere_or_as_another_kind_is_refused(
    demo: cat.ImportReport, editor: Any
) -> None:
    count = stored()
    moved = as_csv("J-MATH-PEP-8B-C19,J-MATH-PEP-9A,chapter,第十九章 一次函数,,,,,")
    rekinded = as_csv("J-MATH-PEP-8B-C19,J-MATH-PEP-8B,lesson,第十九章 一次函数,,,,,")

    assert only_problem(cat.catalogue_import(actor=editor, name="m", data=moved)).code == (
        cat.PARENT_CHANGED
    )
    assert only_problem(cat.catalogue_import(actor=editor, name="k", data=rekinded)).code == (
        cat.KIND_CHANGED
    )
    assert stored() == count


def test_only_catalogue_editors_import(user_named: Callable[[str], Any], db: Any) -> None:
    count = stored()
    data = as_json([{"kind": "collection", "code": "C-NEW", "name": "新专题"}])
    for username in ("t0001", "school_admin_01"):
        with pytest.raises(PermissionDenied) as caught:
            cat.catalogue_import(actor=user_named(username), name="x", data=data)
        assert caught.value.code == cat.FORBIDDEN
    assert stored() == count
    assert library_policies.can_edit_catalogue(user_named("bj_admin"))
    assert not library_policies.can_edit_catalogue(None)


# --- Services -------------------------------------------------------------------------------


def test_node_create_inherits_from_its_parent_and_is_audited(editor: Any) -> None:
    stage = cat.node_create(
        actor=editor, parent=None, kind="stage", code="S", name="初中", stage="junior"
    )
    subject = cat.node_create(
        actor=editor, parent=stage, kind="subject", code="S-M", name="数学", subject="math"
    )
    volume = cat.node_create(
        actor=editor, parent=subject, kind="volume", code="S-M-7A", name="七上", grade_level=7
    )
    lesson_parent = cat.node_create(
        actor=editor, parent=volume, kind="chapter", code="S-M-7A-C1", name="有理数"
    )

    assert (lesson_parent.stage, lesson_parent.subject, lesson_parent.grade_level) == (
        "junior",
        "math",
        7,
    )
    assert lesson_parent.depth == 4 and tree_is_sound()
    assert AuditEvent.objects.filter(action="catalogue_node.create", scope_path="").count() == 4


@pytest.mark.parametrize(
    ("fields", "error", "code"),
    [
        ({"kind": "lesson", "parent": None}, Invalid, cat.BAD_PARENT),
        ({"kind": "poem"}, Invalid, cat.BAD_KIND),
        ({"code": "with space"}, Invalid, cat.BAD_CODE),
        ({"code": "S"}, Conflict, cat.CODE_TAKEN),
        ({"name": "  "}, Invalid, cat.NAME_REQUIRED),
        ({"name": "x" * 201}, Invalid, cat.TOO_LONG),
        ({"name": "=1+1"}, Invalid, cat.FORMULA),
        ({"stage": "primary"}, Invalid, cat.INCONSISTENT),
    ],
)
def test_node_create_refuses_bad_input(
    editor: Any, fields: dict[str, Any], error: type[Exception], code: str
) -> None:
    stage = cat.node_create(
        actor=editor, parent=None, kind="stage", code="S", name="初中", stage="junior"
    )
    args: dict[str, Any] = {
        "parent": stage,
        "kind": "subject",
        "code": "S-M",
        "name": "数学",
        "subject": "math",
        **fields,
    }
    with pytest.raises(error) as caught:
        cat.node_create(actor=editor, **args)
    assert caught.value.code == code  # type: ignore[attr-defined]
    assert stored() == 1


def test_node_create_is_for_editors_only(user_named: Callable[[str], Any], db: Any) -> None:
    with pytest.raises(PermissionDenied) as caught:
        cat.node_create(
            actor=user_named("t0001"), parent=None, kind="collection", code="X", name="x"
        )
    assert caught.value.code == cat.FORBIDDEN


def test_node_update_changes_names_code_and_activity(demo: cat.ImportReport, editor: Any) -> None:
    lesson = node("J-MATH-PEP-7A-C1-L1")
    cat.node_update(actor=editor, node=lesson, name="1.1 正数与负数", is_active=False)
    assert not cat.node_children(node("J-MATH-PEP-7A-C1")).filter(pk=lesson.pk).exists()
    with pytest.raises(Conflict):
        cat.node_update(actor=editor, node=lesson, code="J-MATH-PEP-7A-C1-L2")
    with pytest.raises(Invalid) as caught:
        cat.node_update(actor=editor, node=lesson, stage="primary")
    assert caught.value.code == cat.BAD_FIELD


def test_moving_a_node_under_its_own_descendant_is_refused(
    demo: cat.ImportReport, editor: Any
) -> None:
    chapter = node("J-MATH-PEP-8B-C19")
    before = snapshot_tree()
    for target in ("J-MATH-PEP-8B-C19", "J-MATH-PEP-8B-C19-L1"):
        with pytest.raises(Invalid) as caught:
            cat.node_move(actor=editor, node=chapter, new_parent=node(target))
        assert caught.value.code == cat.BAD_PARENT
    assert snapshot_tree() == before


def test_moving_to_a_wrong_kind_of_parent_is_refused(demo: cat.ImportReport, editor: Any) -> None:
    for code, target in (("J-MATH-PEP-8B-C19", "J"), ("J-MATH", None), ("C-PE-T1", "J-MATH")):
        with pytest.raises(Invalid) as caught:
            cat.node_move(
                actor=editor,
                node=node(code),
                new_parent=node(target) if target else None,
            )
        assert caught.value.code == cat.BAD_PARENT


def test_a_moved_subtree_takes_its_new_parents_values(demo: cat.ImportReport, editor: Any) -> None:
    chapter = node("J-MATH-PEP-8B-C19")

    cat.node_move(actor=editor, node=chapter, new_parent=node("J-MATH-BNU-9A"))

    moved = CatalogueNode.objects.filter(path__startswith=node("J-MATH-PEP-8B-C19").path)
    assert {(n.edition, n.grade_level) for n in moved} == {("bnu", 9)}
    assert [n.code for n in cat.node_children(node("J-MATH-BNU-9A"))][-1] == chapter.code
    assert tree_is_sound()


def test_a_node_moves_left_or_right_of_a_sibling(demo: cat.ImportReport, editor: Any) -> None:
    volume = node("J-MATH-PEP-8B")
    chapters = [n.code for n in cat.node_children(volume)]

    cat.node_move(
        actor=editor,
        node=node(chapters[-1]),
        new_parent=volume,
        position="left",
        sibling=node(chapters[0]),
    )

    assert [n.code for n in cat.node_children(volume)] == [chapters[-1], *chapters[:-1]]
    with pytest.raises(Invalid) as caught:
        cat.node_move(
            actor=editor,
            node=node(chapters[0]),
            new_parent=volume,
            position="right",
            sibling=node("J-MATH-PEP-9A-C21"),
        )
    assert caught.value.code == cat.BAD_POSITION
    assert tree_is_sound()


def test_delete_needs_a_leaf_that_nothing_is_filed_under(
    demo: cat.ImportReport, editor: Any
) -> None:
    with pytest.raises(Conflict) as caught:
        cat.node_delete(actor=editor, node=node("J-MATH-PEP-8B-C19"))
    assert caught.value.code == cat.IN_USE

    school = OrgUnit.objects.filter(kind=UnitKind.SCHOOL).first()
    assert school is not None
    Package.objects.create(
        node=node("J-MATH-PEP-8B-C19-L1"), owner=editor, school=school, title="一课一包"
    )
    with pytest.raises(Conflict) as caught:
        cat.node_delete(actor=editor, node=node("J-MATH-PEP-8B-C19-L1"))
    assert caught.value.code == cat.IN_USE

    cat.node_delete(actor=editor, node=node("J-MATH-PEP-8B-C19-L2"))
    assert not CatalogueNode.objects.filter(code="J-MATH-PEP-8B-C19-L2").exists()
    assert node("J-MATH-PEP-8B-C19").numchild == 2 and tree_is_sound()


# --- Reads -----------------------------------------------------------------------------------


def test_node_path_and_tree_take_one_query_each(demo: cat.ImportReport) -> None:
    lesson = node("J-MATH-PEP-8B-C19-L2")
    with CaptureQueriesContext(connection) as queries:
        path = cat.node_path(lesson)
    assert len(queries) == 1
    assert [n.code for n in path] == [
        "J",
        "J-MATH",
        "J-MATH-PEP",
        "J-MATH-PEP-8B",
        "J-MATH-PEP-8B-C19",
        "J-MATH-PEP-8B-C19-L2",
    ]

    edition = node("J-MATH-PEP")
    with CaptureQueriesContext(connection) as queries:
        tree = cat.node_tree(edition, depth=3)
    assert len(queries) == 1
    assert [item.node.code for item in tree] == ["J-MATH-PEP"]
    volumes = tree[0].children
    assert [v.node.code for v in volumes][:2] == ["J-MATH-PEP-7A", "J-MATH-PEP-7B"]
    assert all(c.children == [] for v in volumes for c in v.children)  # depth 3 stops here
    assert [item.node.code for item in cat.node_tree(None, depth=1)][:2] == ["J", "P"]


def test_inactive_nodes_hide_their_lessons(demo: cat.ImportReport, editor: Any) -> None:
    volume = node("J-MATH-PEP-8B")
    total = cat.lesson_nodes_under(volume).count()
    cat.node_update(actor=editor, node=node("J-MATH-PEP-8B-C19"), is_active=False)

    assert cat.lesson_nodes_under(volume).count() == total - 3
    assert cat.lesson_nodes_under(volume, include_inactive=True).count() == total
    codes = [i.node.code for i in cat.node_tree(volume, depth=2)[0].children]
    assert "J-MATH-PEP-8B-C19" not in codes


# --- Export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_into_an_empty_tree_round_trips(
    demo: cat.ImportReport, editor: Any, fmt: cat.Format
) -> None:
    cat.node_update(actor=editor, node=node("C-FAMILY-T6"), is_active=False)
    before = snapshot_tree()
    exported = cat.catalogue_export(None, fmt)
    CatalogueNode.objects.all().delete()

    report = cat.catalogue_import(actor=editor, name=f"export.{fmt}", data=exported)

    assert report.ok and report.format == fmt and report.created == len(before)
    assert snapshot_tree() == before
    assert tree_is_sound()
    assert cat.catalogue_export(None, fmt) == exported


def test_a_subtree_export_names_its_parent_and_reimports_as_a_no_op(
    demo: cat.ImportReport, editor: Any
) -> None:
    exported = cat.catalogue_export(node("J-MATH-PEP-8B"), "json")
    top = json.loads(exported)
    assert top[0]["parent_code"] == "J-MATH-PEP" and "edition" not in top[0]

    report = cat.catalogue_import(actor=editor, name="8b.json", data=exported)

    assert report.ok and (report.created, report.updated) == (0, 0)
    assert (
        report.unchanged
        == CatalogueNode.objects.filter(path__startswith=node("J-MATH-PEP-8B").path).count()
    )
