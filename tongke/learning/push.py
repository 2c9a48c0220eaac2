"""Personalized push (LRN-5): what a learner should study next, and why; and a class view
for the teacher.

For a learner, the candidate points are those not yet mastered. A point whose
prerequisite is weak is not pushed itself: the weakest prerequisite is pushed first ("fix
the prerequisite first"), with a reason naming both. Among the rest, lower mastery, more
dependants and a lower grade come first. For each target the library's published lessons
aligned with the point (its catalogue chapter or lesson) are proposed, best rated first,
and practice questions on the point.

For a teacher: a heatmap of students x points of a class, and the three weakest points with
suggested lessons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from tongke.learning.models import KnowledgePoint, Mastery, Prerequisite
from tongke.library import policies as library_policies
from tongke.library.enums import ResourceStatus
from tongke.library.models import Resource
from tongke.orgs.enums import Role
from tongke.orgs.models import OrgUnit, RoleAssignment

MASTERED = 0.85
WEAK_PREREQUISITE = 0.6
UNASSESSED = None


@dataclass
class Target:
    point: KnowledgePoint
    mastery: float | None
    reason: str
    blocked: KnowledgePoint | None = None  # the point this prerequisite unlocks
    resources: list[Resource] = field(default_factory=list)


def _fmt(p: float | None) -> str:
    return "—" if p is None else f"{p:.2f}"


GraphParts = tuple[dict[int, KnowledgePoint], dict[int, list[int]], dict[int, list[int]]]
_GRAPH_CACHE: dict[str, tuple[int, GraphParts]] = {}


def _graph(subject: str) -> GraphParts:
    """The subject's points and edges. Every practice answer needs them, so the point
    objects are kept per process and rebuilt only when the graph's rows changed (two cheap
    value queries decide)."""
    rows = tuple(
        KnowledgePoint.objects.filter(subject=subject)
        .order_by("id")
        .values_list("id", "code", "name", "node_id", "grade_level", "position")
    )
    edges = tuple(
        Prerequisite.objects.filter(after__subject=subject)
        .order_by("id")
        .values_list("before_id", "after_id")
    )
    signature = hash((rows, edges))
    cached = _GRAPH_CACHE.get(subject)
    if cached is not None and cached[0] == signature:
        return cached[1]
    points = {
        p.pk: p for p in KnowledgePoint.objects.filter(subject=subject).select_related("node")
    }
    before: dict[int, list[int]] = defaultdict(list)
    after: dict[int, list[int]] = defaultdict(list)
    for b, a in edges:
        before[a].append(b)
        after[b].append(a)
    parts = (points, before, after)
    _GRAPH_CACHE[subject] = (signature, parts)
    return parts


def learning_targets(
    *, student: Any, subject: str, limit: int = 5, about: str | None = None
) -> list[Target]:
    """The points the learner should work on next, best first, each with its reason.

    The reasons speak to the learner ("your mastery..."); with ``about`` (the learner's name)
    they speak about them, for a parent or a teacher who reads them."""
    points, before, after = _graph(subject)
    if not points:
        return []
    mastery = dict(
        Mastery.objects.filter(student_id=student.pk, point__subject=subject).values_list(
            "point_id", "p"
        )
    )
    assessed = set(mastery)
    seen: set[int] = set()
    targets: list[Target] = []

    def weak(pid: int) -> bool:
        return pid in assessed and mastery[pid] < WEAK_PREREQUISITE

    # 1. Weak points the learner has met: fix their weakest prerequisite first.
    met = sorted(
        (pid for pid in assessed if mastery[pid] < MASTERED),
        key=lambda pid: (mastery[pid], points[pid].grade_level or 99, points[pid].position),
    )
    met_set = set(met)
    blocked: int | None
    for pid in met:
        weak_pre = sorted((b for b in before[pid] if weak(b)), key=lambda b: mastery[b])
        if weak_pre:
            candidate, blocked = weak_pre[0], pid
        else:
            # A weak point that a weaker-or-equal later point is waiting on.
            waiting = sorted((a for a in after[pid] if a in met_set), key=lambda a: mastery[a])
            candidate = pid
            blocked = waiting[0] if waiting and weak(pid) else None
        if candidate in seen:
            continue
        seen.add(candidate)
        if blocked is not None:
            text = (
                _(
                    "%(who)s's mastery of '%(pre)s' is %(p)s, and it is a prerequisite of "
                    "'%(target)s': fix it first."
                )
                if about
                else _(
                    "Your mastery of '%(pre)s' is %(p)s, and it is a prerequisite of "
                    "'%(target)s': fix it first."
                )
            )
            reason = text % {
                "who": about,
                "pre": points[candidate].name,
                "p": _fmt(mastery[candidate]),
                "target": points[blocked].name,
            }
        else:
            text = (
                _("%(who)s's mastery of '%(name)s' is %(p)s.")
                if about
                else _("Your mastery of '%(name)s' is %(p)s.")
            )
            reason = text % {
                "who": about,
                "name": points[candidate].name,
                "p": _fmt(mastery[candidate]),
            }
            if after[candidate]:
                reason += " " + _("%(n)d later points build on it.") % {"n": len(after[candidate])}
        targets.append(
            Target(
                points[candidate],
                mastery[candidate],
                reason,
                blocked=points[blocked] if blocked is not None else None,
            )
        )
        if len(targets) >= limit:
            break
    # 2. Then new points whose prerequisites are all mastered, in curriculum order.
    if len(targets) < limit:
        fresh = sorted(
            (
                pid
                for pid in points
                if pid not in assessed
                and all(b in assessed and mastery[b] >= WEAK_PREREQUISITE for b in before[pid])
            ),
            key=lambda pid: (points[pid].grade_level or 99, points[pid].position, pid),
        )
        for pid in fresh:
            if pid in seen:
                continue
            seen.add(pid)
            names = "、".join(points[b].name for b in before[pid][:2])
            ready = (
                _("%(who)s is ready for '%(name)s': its prerequisites (%(pre)s) are in hand.")
                if about
                else _("You are ready for '%(name)s': its prerequisites (%(pre)s) are in hand.")
            )
            reason = (
                ready % {"who": about, "name": points[pid].name, "pre": names}
                if names
                else _("'%(name)s' is a good next step in the curriculum.")
                % {"name": points[pid].name}
            )
            targets.append(Target(points[pid], None, reason))
            if len(targets) >= limit:
                break
    return targets


def lessons_for(*, viewer: Any, point: KnowledgePoint, limit: int = 3) -> list[Resource]:
    """Published library resources aligned with the point, best first."""
    if point.node is None:
        return []
    return list(
        Resource.objects.filter(
            library_policies.resource_visible_to(viewer),
            status=ResourceStatus.PUBLISHED,
            node__path__startswith=point.node.path,
        )
        .select_related("owner", "school")
        .order_by("-rating_sum", "-view_count", "-id")[:limit]
    )


def recommendations(
    *,
    student: Any,
    subject: str,
    viewer: Any | None = None,
    limit: int = 5,
    about: str | None = None,
) -> list[Target]:
    """Targets with the lessons the viewer (the learner, or their parent) may open."""
    targets = learning_targets(student=student, subject=subject, limit=limit, about=about)
    paths = sorted({t.point.node.path for t in targets if t.point.node is not None})
    if not paths:
        return targets
    # One query for every target's lessons, grouped by catalogue path below.
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(node__path__startswith=path)
    found = list(
        Resource.objects.filter(
            library_policies.resource_visible_to(viewer or student),
            under,
            status=ResourceStatus.PUBLISHED,
        )
        .select_related("owner", "school", "node")
        .order_by("-rating_sum", "-view_count", "-id")[:200]
    )
    for target in targets:
        node = target.point.node
        if node is not None:
            target.resources = [r for r in found if r.node.path.startswith(node.path)][:3]
    return targets


# --- The teacher's class view ----------------------------------------------------------------


@dataclass
class Heatmap:
    students: list[Any]
    points: list[KnowledgePoint]
    cells: dict[tuple[int, int], float]  # (student_id, point_id) -> mastery
    averages: dict[int, float]  # point_id -> class average over assessed students
    weakest: list[tuple[KnowledgePoint, float, list[Resource]]]


def class_heatmap(*, klass: OrgUnit, subject: str, viewer: Any, max_points: int = 40) -> Heatmap:
    User = get_user_model()
    student_ids = RoleAssignment.objects.filter(unit=klass, role=Role.STUDENT).values("user_id")
    students = list(User.objects.filter(pk__in=student_ids).order_by("username"))
    rows = Mastery.objects.filter(student__in=students, point__subject=subject)
    cells = {(s, p): v for s, p, v in rows.values_list("student_id", "point_id", "p")}
    stats = rows.values("point_id").annotate(avg=Avg("p"), n=Count("id")).order_by("point_id")
    averages = {r["point_id"]: float(r["avg"]) for r in stats}
    counts = {r["point_id"]: r["n"] for r in stats}
    assessed = sorted(averages, key=lambda pid: (-counts[pid], pid))[:max_points]
    points = list(KnowledgePoint.objects.filter(pk__in=assessed).select_related("node"))
    points.sort(key=lambda p: (p.grade_level or 99, p.position, p.pk))
    # Weakest: lowest class average among points at least a third of the class has met.
    enough = max(1, len(students) // 3)
    ranked = sorted(
        (p for p in points if counts.get(p.pk, 0) >= enough), key=lambda p: averages[p.pk]
    )[:3]
    weakest = [(p, averages[p.pk], lessons_for(viewer=viewer, point=p)) for p in ranked]
    return Heatmap(students, points, cells, averages, weakest)
